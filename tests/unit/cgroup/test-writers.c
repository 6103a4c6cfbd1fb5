/* test-writers.c - what is written, file by file, for each part of
 * linux.resources, on v1, hybrid and v2 (fake trees: the files are plain
 * files, so each holds exactly what was written since it was opened). */
#include "../../lib/tap.h"
#include "cgtest.h"

struct wcase
{
  const char *json;
  const char *file;   /* relative to the tree root */
  const char *want;   /* exact content; NULL: must be unchanged (initial) */
};

#define V1(h, f) h "/t/c/" f
#define V2(f) "t/c/" f

static const struct wcase v1_cases[] = {
  /* memory */
  { "{\"memory\":{\"limit\":1048576}}", V1 ("memory", "memory.limit_in_bytes"), "1048576\n" },
  { "{\"memory\":{\"limit\":1048576,\"swap\":2097152}}", V1 ("memory", "memory.memsw.limit_in_bytes"), "2097152\n" },
  { "{\"memory\":{\"limit\":1048576,\"swap\":2097152}}", V1 ("memory", "memory.limit_in_bytes"), "1048576\n" },
  { "{\"memory\":{\"limit\":-1}}", V1 ("memory", "memory.limit_in_bytes"), "-1\n" },
  { "{\"memory\":{\"limit\":-1}}", V1 ("memory", "memory.memsw.limit_in_bytes"), "-1\n" },
  { "{\"memory\":{\"reservation\":524288}}", V1 ("memory", "memory.soft_limit_in_bytes"), "524288\n" },
  { "{\"memory\":{\"swappiness\":30}}", V1 ("memory", "memory.swappiness"), "30\n" },
  { "{\"memory\":{\"swappiness\":18446744073709551615}}", V1 ("memory", "memory.swappiness"), "60\n" },
  { "{\"memory\":{\"disableOOMKiller\":true}}", V1 ("memory", "memory.oom_control"), "1\n" },
  { "{\"memory\":{\"kernel\":1048576}}", V1 ("memory", "memory.limit_in_bytes"), "9223372036854771712\n" },
  /* cpu */
  { "{\"cpu\":{\"shares\":512}}", V1 ("cpu,cpuacct", "cpu.shares"), "512\n" },
  { "{\"cpu\":{\"quota\":50000,\"period\":200000}}", V1 ("cpu,cpuacct", "cpu.cfs_quota_us"), "50000\n" },
  { "{\"cpu\":{\"quota\":50000,\"period\":200000}}", V1 ("cpu,cpuacct", "cpu.cfs_period_us"), "200000\n" },
  { "{\"cpu\":{\"quota\":-1}}", V1 ("cpu,cpuacct", "cpu.cfs_quota_us"), "-1\n" },
  { "{\"cpu\":{\"quota\":50000,\"burst\":10000}}", V1 ("cpu,cpuacct", "cpu.cfs_burst_us"), "10000\n" },
  { "{\"cpu\":{\"realtimePeriod\":1000000,\"realtimeRuntime\":950000}}", V1 ("cpu,cpuacct", "cpu.rt_runtime_us"), "950000\n" },
  { "{\"cpu\":{\"realtimePeriod\":500000}}", V1 ("cpu,cpuacct", "cpu.rt_period_us"), "500000\n" },
  { "{\"cpu\":{\"idle\":1}}", V1 ("cpu,cpuacct", "cpu.idle"), "1\n" },
  { "{\"cpu\":{\"cpus\":\"1\",\"mems\":\"0\"}}", V1 ("cpuset", "cpuset.cpus"), "1\n" },
  { "{\"cpu\":{\"cpus\":\"1\",\"mems\":\"0\"}}", V1 ("cpuset", "cpuset.mems"), "0\n" },
  /* cpuset values copied from the root into the empty levels */
  { "{}", "cpuset/t/cpuset.cpus", "0-1\n" },
  { "{}", V1 ("cpuset", "cpuset.mems"), "0\n" },
  /* pids */
  { "{\"pids\":{\"limit\":100}}", V1 ("pids", "pids.max"), "100\n" },
  { "{\"pids\":{\"limit\":0}}", V1 ("pids", "pids.max"), "max\n" },
  /* blkio: this kernel has BFQ, not CFQ */
  { "{\"blockIO\":{\"weight\":500}}", V1 ("blkio", "blkio.bfq.weight"), "500\n" },
  { "{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":300}]}}",
    V1 ("blkio", "blkio.bfq.weight_device"), "8:0 300\n" },
  { "{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576},"
    "{\"major\":8,\"minor\":16,\"rate\":0}]}}",
    V1 ("blkio", "blkio.throttle.read_bps_device"), "8:0 1048576\n8:16 0\n" },
  { "{\"blockIO\":{\"throttleWriteBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":2}]}}",
    V1 ("blkio", "blkio.throttle.write_bps_device"), "8:0 2\n" },
  { "{\"blockIO\":{\"throttleReadIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":3}]}}",
    V1 ("blkio", "blkio.throttle.read_iops_device"), "8:0 3\n" },
  { "{\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":4}]}}",
    V1 ("blkio", "blkio.throttle.write_iops_device"), "8:0 4\n" },
  /* hugetlb: limit and reservation limit */
  { "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}",
    V1 ("hugetlb", "hugetlb.2MB.limit_in_bytes"), "4194304\n" },
  { "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}",
    V1 ("hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes"), "4194304\n" },
  /* network */
  { "{\"network\":{\"classID\":1048577}}", V1 ("net_cls,net_prio", "net_cls.classid"), "1048577\n" },
  { "{\"network\":{\"priorities\":[{\"name\":\"eth0\",\"priority\":5},{\"name\":\"lo\",\"priority\":2}]}}",
    V1 ("net_cls,net_prio", "net_prio.ifpriomap"), "eth0 5\nlo 2\n" },
  /* rdma */
  { "{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}}}", V1 ("rdma", "rdma.max"),
    "mlx5_1 hca_handle=3 hca_object=10000\n" },
  /* devices: deny all, the spec's rules, the defaults */
  { "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
    "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,\"access\":\"rw\"}]}",
    V1 ("devices", "devices.deny"), "a *:* rwm\na *:* rwm\n" },
  { "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
    "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,\"access\":\"rw\"}]}",
    V1 ("devices", "devices.allow"),
    "c 10:200 rw\nc *:* m\nb *:* m\nc 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\n"
    "c 1:9 rwm\nc 5:0 rwm\nc 5:1 rwm\nc 5:2 rwm\nc 136:* rwm\n" },
  /* nothing asked: nothing written */
  { "{}", V1 ("memory", "memory.limit_in_bytes"), "9223372036854771712\n" },
  { "{}", V1 ("pids", "pids.max"), "max\n" },
};

static const struct wcase v2_cases[] = {
  { "{\"memory\":{\"limit\":1048576}}", V2 ("memory.max"), "1048576\n" },
  { "{\"memory\":{\"limit\":1048576}}", V2 ("memory.swap.max"), "max\n" },
  /* swap is memory+swap in the spec: 3 MiB total - 1 MiB memory = 2 MiB */
  { "{\"memory\":{\"limit\":1048576,\"swap\":3145728}}", V2 ("memory.swap.max"), "2097152\n" },
  { "{\"memory\":{\"limit\":1048576,\"swap\":1048576}}", V2 ("memory.swap.max"), "0\n" },
  { "{\"memory\":{\"limit\":1048576,\"swap\":-1}}", V2 ("memory.swap.max"), "max\n" },
  { "{\"memory\":{\"limit\":-1}}", V2 ("memory.max"), "max\n" },
  { "{\"memory\":{\"limit\":-1}}", V2 ("memory.swap.max"), "max\n" },
  { "{\"memory\":{\"reservation\":524288}}", V2 ("memory.low"), "524288\n" },
  { "{\"memory\":{\"swappiness\":30}}", V2 ("memory.max"), "max\n" },
  /* shares -> weight: 1 + ((shares - 2) * 9999) / 262142 */
  { "{\"cpu\":{\"shares\":1024}}", V2 ("cpu.weight"), "39\n" },
  { "{\"cpu\":{\"shares\":2}}", V2 ("cpu.weight"), "1\n" },
  { "{\"cpu\":{\"shares\":262144}}", V2 ("cpu.weight"), "10000\n" },
  { "{\"cpu\":{\"shares\":512}}", V2 ("cpu.weight"), "20\n" },
  { "{\"cpu\":{\"quota\":50000,\"period\":200000}}", V2 ("cpu.max"), "50000 200000\n" },
  { "{\"cpu\":{\"quota\":50000}}", V2 ("cpu.max"), "50000 100000\n" },
  { "{\"cpu\":{\"period\":200000}}", V2 ("cpu.max"), "max 200000\n" },
  { "{\"cpu\":{\"quota\":-1,\"period\":100000}}", V2 ("cpu.max"), "max 100000\n" },
  { "{\"cpu\":{\"quota\":50000,\"burst\":10000}}", V2 ("cpu.max.burst"), "10000\n" },
  { "{\"cpu\":{\"idle\":1}}", V2 ("cpu.idle"), "1\n" },
  { "{\"cpu\":{\"cpus\":\"0-1\",\"mems\":\"0\"}}", V2 ("cpuset.cpus"), "0-1\n" },
  { "{\"cpu\":{\"cpus\":\"0-1\",\"mems\":\"0\"}}", V2 ("cpuset.mems"), "0\n" },
  { "{\"pids\":{\"limit\":100}}", V2 ("pids.max"), "100\n" },
  /* blkio weight 10..1000 -> io.weight 1..10000: 1 + ((w - 10) * 9999) / 990 */
  { "{\"blockIO\":{\"weight\":500}}", V2 ("io.weight"), "4950\n" },
  { "{\"blockIO\":{\"weight\":10}}", V2 ("io.weight"), "1\n" },
  { "{\"blockIO\":{\"weight\":1000}}", V2 ("io.weight"), "10000\n" },
  { "{\"blockIO\":{\"weight\":100,\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":1000}]}}",
    V2 ("io.weight"), "910\n8:0 10000\n" },
  { "{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}],"
    "\"throttleWriteBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":0}],"
    "\"throttleReadIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":100}],"
    "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":200}]}}",
    V2 ("io.max"), "8:0 rbps=1048576\n8:0 wbps=max\n8:0 riops=100\n8:16 wiops=200\n" },
  { "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}", V2 ("hugetlb.2MB.max"), "4194304\n" },
  { "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}", V2 ("hugetlb.2MB.rsvd.max"), "4194304\n" },
  { "{\"rdma\":{\"mlx4_0\":{\"hcaObjects\":7}}}", V2 ("rdma.max"), "mlx4_0 hca_object=7\n" },
  /* unified wins over the converted value */
  { "{\"memory\":{\"limit\":1048576},\"unified\":{\"memory.max\":\"2097152\",\"memory.high\":\"1000000\"}}",
    V2 ("memory.max"), "2097152\n" },
  { "{\"unified\":{\"memory.high\":\"1000000\"}}", V2 ("memory.high"), "1000000\n" },
  /* controllers delegated down the path: enabled in the root and in t */
  { "{}", "cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids +rdma\n" },
  { "{}", "t/cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids +rdma\n" },
  { "{}", V2 ("cgroup.subtree_control"), "" },
};

static int
run_case (enum cgroup_mode mode, const struct wcase *c)
{
  char *root = cgt_tree (mode);
  struct oci_resources r;
  struct error *err = NULL;
  struct cgroup *cg = NULL;
  int ok = 0;
  if (cgt_parse (c->json, &r, &err) < 0)
    printf ("#   %s: parse: %s\n", c->json, err->msg);
  else
    {
      struct cgroup_options o = { .cgroups_path = "/t/c", .id = "x" };
      if (cgroup_create (&o, &r, &cg, &err) < 0)
        printf ("#   %s: create: %s\n", c->json, err->msg);
      else
        {
          char *got = cgt_read (root, c->file);
          ok = got && strcmp (got, c->want) == 0;
          if (!ok)
            printf ("#   %s\n#     %s: got \"%s\", want \"%s\"\n", c->json, c->file,
                    got ? got : "(missing)", c->want);
          free (got);
        }
    }
  error_free (err);
  cgroup_free (cg);
  oci_resources_clear (&r);
  cgt_tree_free (root);
  return ok;
}

static void
test_v1_writes (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (v1_cases); i++)
    if (!run_case (CGROUP_MODE_V1, &v1_cases[i]))
      tap_cur_failed = 1;
}

static void
test_hybrid_writes_go_to_v1 (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (v1_cases); i++)
    if (!run_case (CGROUP_MODE_HYBRID, &v1_cases[i]))
      tap_cur_failed = 1;
}

static void
test_v2_writes (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (v2_cases); i++)
    if (!run_case (CGROUP_MODE_V2, &v2_cases[i]))
      tap_cur_failed = 1;
}

/* v2 with BFQ: the weight goes unconverted to io.bfq.weight */
static void
test_v2_bfq (void)
{
  char *root = cgt_tree (CGROUP_MODE_V2);
  char *leaf = fs_path_join (root, "t/c");
  cgt_mkfile (leaf, "io.bfq.weight", "default 100\n");
  struct oci_resources r;
  struct error *err = NULL;
  struct cgroup *cg = NULL;
  REQUIRE (cgt_parse ("{\"blockIO\":{\"weight\":500,\"weightDevice\":"
                      "[{\"major\":8,\"minor\":0,\"weight\":300}]}}", &r, &err) == 0);
  struct cgroup_options o = { .cgroups_path = "/t/c", .id = "x" };
  CHECK (cgroup_create (&o, &r, &cg, &err) == 0);
  char *got = cgt_read (root, "t/c/io.bfq.weight");
  CHECK_STR (got, "500\n8:0 300\n");
  free (got);
  got = cgt_read (root, "t/c/io.weight");
  CHECK_STR (got, "default 100\n");
  free (got);
  cgroup_free (cg);
  oci_resources_clear (&r);
  free (leaf);
  cgt_tree_free (root);
}

struct ecase
{
  enum cgroup_mode mode;
  const char *json;
  const char *want; /* substring of the error */
};

static const struct ecase err_cases[] = {
  { CGROUP_MODE_V1, "{\"unified\":{\"memory.high\":\"1\"}}",
    "`linux.resources.unified.memory.high`: cannot be applied: this host has no cgroup v2 hierarchy" },
  { CGROUP_MODE_HYBRID, "{\"unified\":{\"memory.high\":\"1\"}}",
    "`linux.resources.unified.memory.high`: controller `memory` is not available" },
  { CGROUP_MODE_V2, "{\"unified\":{\"foo.bar\":\"1\"}}",
    "`linux.resources.unified.foo.bar`: controller `foo` is not available" },
  { CGROUP_MODE_V2, "{\"unified\":{\"memory.nosuch\":\"1\"}}",
    "`linux.resources.unified.memory.nosuch`: no such cgroup file" },
  { CGROUP_MODE_V2, "{\"unified\":{\"cgroup.procs\":\"1\"}}",
    "`linux.resources.unified.cgroup.procs`: this file is managed by the runtime" },
  { CGROUP_MODE_V2, "{\"network\":{\"classID\":1}}",
    "`linux.resources.network.classID`: cannot be applied on cgroup v2" },
  { CGROUP_MODE_V2, "{\"network\":{\"priorities\":[{\"name\":\"eth0\",\"priority\":1}]}}",
    "`linux.resources.network.priorities`: cannot be applied on cgroup v2" },
  { CGROUP_MODE_V2, "{\"cpu\":{\"realtimeRuntime\":1000}}",
    "`linux.resources.cpu.realtimeRuntime`: cannot be applied on cgroup v2" },
  { CGROUP_MODE_V2, "{\"blockIO\":{\"leafWeight\":100}}",
    "`linux.resources.blockIO.leafWeight`: cannot be applied on cgroup v2" },
  { CGROUP_MODE_V2, "{\"memory\":{\"swap\":2097152}}",
    "`linux.resources.memory.swap`: cannot be converted to cgroup v2 without `linux.resources.memory.limit`" },
  { CGROUP_MODE_V2, "{\"hugepageLimits\":[{\"pageSize\":\"1GB\",\"limit\":1}]}",
    "`linux.resources.hugepageLimits[0]`: page size `1GB` is not supported by this host" },
  { CGROUP_MODE_V1, "{\"hugepageLimits\":[{\"pageSize\":\"64KB\",\"limit\":1}]}",
    "`linux.resources.hugepageLimits[0]`: page size `64KB` is not supported by this host" },
  { CGROUP_MODE_V1, "{\"blockIO\":{\"leafWeight\":100}}",
    "`linux.resources.blockIO.leafWeight`: `blkio.leaf_weight` is not available on this host" },
  { CGROUP_MODE_V1, "{\"devices\":[{\"allow\":true,\"type\":\"c\",\"access\":\"rwm\"},"
    "{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"r\"}]}",
    "`linux.resources.devices[1]`: deny `c 1:3 r` cannot punch a hole in the wider allow rule `c *:* rwm`" },
};

/* a controller that is not there: a clear error naming the limit */
static void
test_missing_controller (void)
{
  char *root = cgt_tree (CGROUP_MODE_V1);
  char *h = fs_path_join (root, "hugetlb");
  cgt_rm (h);
  free (h);
  cg_layout_reset ();
  struct oci_resources r;
  struct error *err = NULL;
  struct cgroup *cg = NULL;
  REQUIRE (cgt_parse ("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}]}", &r, &err) == 0);
  struct cgroup_options o = { .cgroups_path = "/t/c", .id = "x" };
  CHECK (cgroup_create (&o, &r, &cg, &err) < 0);
  CHECK (err && strstr (err->msg, "`linux.resources.hugepageLimits[0]`: hugetlb controller not available"));
  if (err)
    printf ("# %s\n", err->msg);
  error_free (err);
  oci_resources_clear (&r);
  cgt_tree_free (root);
}

static void
test_errors (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (err_cases); i++)
    {
      const struct ecase *c = &err_cases[i];
      char *root = cgt_tree (c->mode);
      struct oci_resources r;
      struct error *err = NULL;
      struct cgroup *cg = NULL;
      if (cgt_parse (c->json, &r, &err) < 0)
        {
          printf ("#   %s: parse: %s\n", c->json, err->msg);
          tap_cur_failed = 1;
        }
      else
        {
          /* a new leaf: the failure must remove it again */
          struct cgroup_options o = { .cgroups_path = "/t/c", .id = "x" };
          int rc = cgroup_create (&o, &r, &cg, &err);
          if (rc >= 0 || err == NULL || strstr (err->msg, c->want) == NULL)
            {
              printf ("#   %s: got %d \"%s\", want \"%s\"\n", c->json, rc,
                      err ? err->msg : "", c->want);
              tap_cur_failed = 1;
            }
        }
      error_free (err);
      cgroup_free (cg);
      oci_resources_clear (&r);
      cgt_tree_free (root);
    }
}

/* failure after mkdir: every directory made is removed again, parents too */
static void
test_failure_leaves_nothing (void)
{
  enum cgroup_mode modes[] = { CGROUP_MODE_V1, CGROUP_MODE_HYBRID, CGROUP_MODE_V2 };
  for (size_t m = 0; m < 3; m++)
    {
      char *root = cgt_tree (modes[m]);
      struct oci_resources r;
      struct error *err = NULL;
      struct cgroup *cg = NULL;
      /* the new leaf has no control files: the first write fails */
      REQUIRE (cgt_parse ("{\"pids\":{\"limit\":10}}", &r, &err) == 0);
      struct cgroup_options o = { .cgroups_path = "/new/parent/leaf", .id = "x" };
      CHECK (cgroup_create (&o, &r, &cg, &err) < 0);
      CHECK (cg == NULL);
      const char *probe[] = { "memory/new", "pids/new", "unified/new", "new", "systemd/new" };
      for (size_t i = 0; i < ARRAY_SIZE (probe); i++)
        if (cgt_exists (root, probe[i]))
          {
            printf ("#   mode %d: `%s` left behind\n", (int) modes[m], probe[i]);
            tap_cur_failed = 1;
          }
      error_free (err);
      oci_resources_clear (&r);
      cgt_tree_free (root);
    }
}

static void
test_update (void)
{
  char *root = cgt_tree (CGROUP_MODE_V2);
  struct oci_resources r, u;
  struct error *err = NULL;
  struct cgroup *cg = NULL;
  REQUIRE (cgt_parse ("{\"cpu\":{\"quota\":50000,\"period\":100000}}", &r, &err) == 0);
  struct cgroup_options o = { .cgroups_path = "/t/c", .id = "x" };
  REQUIRE (cgroup_create (&o, &r, &cg, &err) == 0);
  /* update only the period: the quota stays */
  REQUIRE (cgt_parse ("{\"cpu\":{\"period\":250000},\"pids\":{\"limit\":-1},"
                      "\"devices\":[]}", &u, &err) == 0);
  CHECK (cgroup_update (cg, &u, &err) == 0);
  char *got = cgt_read (root, "t/c/cpu.max");
  CHECK_STR (got, "50000 250000\n");
  free (got);
  /* swap alone on update: converted against the memory.max in force */
  oci_resources_clear (&u);
  cgt_mkfile (root, "t/c/memory.max", "1048576\n");
  REQUIRE (cgt_parse ("{\"memory\":{\"swap\":3145728}}", &u, &err) == 0);
  CHECK (cgroup_update (cg, &u, &err) == 0);
  got = cgt_read (root, "t/c/memory.swap.max");
  CHECK_STR (got, "2097152\n");
  free (got);
  /* pids <= 0 on update: back to "max" */
  got = cgt_read (root, "t/c/pids.max");
  CHECK_STR (got, "max\n");
  free (got);
  cgroup_free (cg);
  oci_resources_clear (&r);
  oci_resources_clear (&u);
  error_free (err);
  cgt_tree_free (root);
}

/* v1 update of device rules: only the difference from devices.list is
 * written (no moment of deny-all in a running container) */
static void
test_v1_devices_update_diff (void)
{
  char *root = cgt_tree (CGROUP_MODE_V1);
  struct oci_resources r, u;
  struct error *err = NULL;
  struct cgroup *cg = NULL;
  REQUIRE (cgt_parse ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", &r, &err) == 0);
  struct cgroup_options o = { .cgroups_path = "/t/c", .id = "x" };
  REQUIRE (cgroup_create (&o, &r, &cg, &err) == 0);
  /* what the kernel would list after create */
  cgt_mkfile (root, "devices/t/c/devices.list",
              "c *:* m\nb *:* m\nc 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\n"
              "c 1:9 rwm\nc 5:0 rwm\nc 5:1 rwm\nc 5:2 rwm\nc 136:* rwm\nc 10:200 rw\n");
  REQUIRE (cgt_parse ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
                      "{\"allow\":true,\"type\":\"b\",\"major\":7,\"minor\":0,\"access\":\"r\"},"
                      "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,\"access\":\"r\"}]}",
                      &u, &err) == 0);
  CHECK (cgroup_update (cg, &u, &err) == 0);
  char *deny = cgt_read (root, "devices/t/c/devices.deny");
  char *allow = cgt_read (root, "devices/t/c/devices.allow");
  CHECK_STR (deny, "c 10:200 w\n");
  CHECK_STR (allow, "b 7:0 r\n");
  free (deny);
  free (allow);
  /* an allow-all cgroup (privileged before): the full list again */
  cgt_mkfile (root, "devices/t/c/devices.list", "a *:* rwm\n");
  CHECK (cgroup_update (cg, &u, &err) == 0);
  deny = cgt_read (root, "devices/t/c/devices.deny");
  CHECK (deny && strncmp (deny, "a *:* rwm\n", 10) == 0);
  free (deny);
  cgroup_free (cg);
  oci_resources_clear (&r);
  oci_resources_clear (&u);
  error_free (err);
  cgt_tree_free (root);
}

int
main (void)
{
  RUN (test_v1_writes);
  RUN (test_hybrid_writes_go_to_v1);
  RUN (test_v2_writes);
  RUN (test_v2_bfq);
  RUN (test_errors);
  RUN (test_missing_controller);
  RUN (test_failure_leaves_nothing);
  RUN (test_update);
  RUN (test_v1_devices_update_diff);
  return tap_done ();
}
