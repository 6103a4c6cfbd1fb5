/* cgtest.h - helpers for the cgroup unit tests: fake cgroup trees in a
 * temporary directory (HULL_CGROUP_ROOT), resources from JSON text. */
#ifndef HULL_TESTS_CGTEST_H
#define HULL_TESTS_CGTEST_H

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "oci/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* not every test uses every helper */
#pragma GCC diagnostic ignored "-Wunused-function"

static void
cgt_mkfile (const char *dir, const char *name, const char *content)
{
  char *p = fs_path_join (dir, name);
  FILE *f = fopen (p, "w");
  if (f == NULL && errno == ENOENT)
    {
      char *slash = strrchr (p, '/');
      *slash = '\0';
      fs_mkdir_p (AT_FDCWD, p, 0755, NULL);
      *slash = '/';
      f = fopen (p, "w");
    }
  if (f)
    {
      fputs (content, f);
      fclose (f);
    }
  free (p);
}

/* content of root/rel, or NULL */
static char *
cgt_read (const char *root, const char *rel)
{
  char *p = fs_path_join (root, rel), *s = NULL;
  if (fs_read_file (p, 1 << 20, &s, NULL, NULL) < 0)
    s = NULL;
  free (p);
  return s;
}

static bool
cgt_exists (const char *root, const char *rel)
{
  char *p = fs_path_join (root, rel);
  bool e = access (p, F_OK) == 0;
  free (p);
  return e;
}

static void
cgt_rm (const char *root)
{
  fs_rm_rf_at (AT_FDCWD, root, NULL);
}

/* parse resources JSON text; aborts the test program on a parse error the
 * test did not expect (callers that expect one use cgt_parse_err) */
static int
cgt_parse (const char *json, struct oci_resources *r, struct error **err)
{
  json_object *o = NULL;
  memset (r, 0, sizeof *r);
  int rc = jsonx_parse (json, strlen (json), &o, err);
  if (rc == 0)
    rc = oci_resources_parse (o, r, err);
  json_object_put (o);
  return rc;
}

struct cgt_file
{
  const char *name, *content;
};

/* v1 control files per hierarchy directory name */
static const struct cgt_file cgt_v1_cpu[] = {
  { "cpu.shares", "1024\n" }, { "cpu.cfs_period_us", "100000\n" },
  { "cpu.cfs_quota_us", "-1\n" }, { "cpu.cfs_burst_us", "0\n" },
  { "cpu.rt_period_us", "1000000\n" }, { "cpu.rt_runtime_us", "0\n" },
  { "cpu.idle", "0\n" },
  { "cpu.stat", "nr_periods 10\nnr_throttled 4\nthrottled_time 123456\n" },
  { "cpuacct.usage", "5000000\n" }, { "cpuacct.usage_percpu", "2000000 3000000 \n" },
  { "cpuacct.usage_user", "4000000\n" }, { "cpuacct.usage_sys", "1000000\n" },
  { NULL, NULL },
};
static const struct cgt_file cgt_v1_memory[] = {
  { "memory.limit_in_bytes", "9223372036854771712\n" },
  { "memory.memsw.limit_in_bytes", "9223372036854771712\n" },
  { "memory.soft_limit_in_bytes", "9223372036854771712\n" },
  { "memory.swappiness", "60\n" }, { "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n" },
  { "memory.usage_in_bytes", "4096\n" }, { "memory.max_usage_in_bytes", "8192\n" },
  { "memory.failcnt", "3\n" }, { "memory.memsw.usage_in_bytes", "5000\n" },
  { "memory.stat", "cache 100\nrss 200\ntotal_cache 100\n" },
  { "cgroup.event_control", "" },
  { NULL, NULL },
};
static const struct cgt_file cgt_v1_pids[] = {
  { "pids.max", "max\n" }, { "pids.current", "3\n" }, { NULL, NULL },
};
static const struct cgt_file cgt_v1_cpuset[] = {
  { "cpuset.cpus", "\n" }, { "cpuset.mems", "\n" }, { NULL, NULL },
};
static const struct cgt_file cgt_v1_blkio[] = {
  { "blkio.bfq.weight", "100\n" }, { "blkio.bfq.weight_device", "" },
  { "blkio.throttle.read_bps_device", "" }, { "blkio.throttle.write_bps_device", "" },
  { "blkio.throttle.read_iops_device", "" }, { "blkio.throttle.write_iops_device", "" },
  { "blkio.throttle.io_service_bytes_recursive",
    "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 0\n8:0 Total 12288\nTotal 12288\n" },
  { "blkio.throttle.io_serviced_recursive", "8:0 Read 1\n8:0 Write 2\nTotal 3\n" },
  { NULL, NULL },
};
static const struct cgt_file cgt_v1_hugetlb[] = {
  { "hugetlb.2MB.limit_in_bytes", "" }, { "hugetlb.2MB.rsvd.limit_in_bytes", "" },
  { "hugetlb.2MB.usage_in_bytes", "2097152\n" }, { "hugetlb.2MB.max_usage_in_bytes", "4194304\n" },
  { "hugetlb.2MB.failcnt", "1\n" }, { NULL, NULL },
};
static const struct cgt_file cgt_v1_net[] = {
  { "net_cls.classid", "0\n" }, { "net_prio.ifpriomap", "" }, { NULL, NULL },
};
static const struct cgt_file cgt_v1_devices[] = {
  { "devices.allow", "" }, { "devices.deny", "" }, { NULL, NULL },
};
static const struct cgt_file cgt_v1_freezer[] = {
  { "freezer.state", "THAWED\n" }, { NULL, NULL },
};
static const struct cgt_file cgt_v1_rdma[] = {
  { "rdma.max", "" }, { NULL, NULL },
};
static const struct cgt_file cgt_none[] = { { NULL, NULL } };

static const struct
{
  const char *dir;
  const struct cgt_file *files;
} cgt_v1_hiers[] = {
  { "cpu,cpuacct", cgt_v1_cpu }, { "cpuset", cgt_v1_cpuset },
  { "memory", cgt_v1_memory },  { "pids", cgt_v1_pids },
  { "blkio", cgt_v1_blkio },    { "hugetlb", cgt_v1_hugetlb },
  { "net_cls,net_prio", cgt_v1_net }, { "devices", cgt_v1_devices },
  { "freezer", cgt_v1_freezer }, { "rdma", cgt_v1_rdma },
  { "systemd", cgt_none },
};

static const struct cgt_file cgt_v2_files[] = {
  { "cgroup.subtree_control", "" },
  { "cgroup.freeze", "0\n" }, { "cgroup.events", "populated 0\nfrozen 0\n" },
  { "cgroup.kill", "" },
  { "memory.max", "max\n" }, { "memory.swap.max", "max\n" }, { "memory.low", "0\n" },
  { "memory.high", "max\n" }, { "memory.current", "4096\n" }, { "memory.peak", "8192\n" },
  { "memory.swap.current", "1000\n" },
  { "memory.events", "low 0\nhigh 0\nmax 5\noom 2\noom_kill 1\n" },
  { "memory.stat", "anon 300\nfile 100\n" },
  { "cpu.weight", "100\n" }, { "cpu.max", "max 100000\n" }, { "cpu.max.burst", "0\n" },
  { "cpu.idle", "0\n" },
  { "cpu.stat", "usage_usec 5000\nuser_usec 4000\nsystem_usec 1000\nnr_periods 10\n"
                "nr_throttled 4\nthrottled_usec 123\n" },
  { "cpuset.cpus", "\n" }, { "cpuset.mems", "\n" },
  { "pids.max", "max\n" }, { "pids.current", "3\n" },
  { "io.weight", "default 100\n" }, { "io.max", "" },
  { "io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n" },
  { "hugetlb.2MB.max", "max\n" }, { "hugetlb.2MB.rsvd.max", "max\n" },
  { "hugetlb.2MB.current", "2097152\n" }, { "hugetlb.2MB.events", "max 1\n" },
  { "rdma.max", "" },
  { NULL, NULL },
};

static void
cgt_put_files (const char *dir, const struct cgt_file *f)
{
  cgt_mkfile (dir, "cgroup.procs", "");
  for (; f->name; f++)
    cgt_mkfile (dir, f->name, f->content);
}

/* A fake tree with the cgroup "/t/c" pre-made (a test tree has no kernel
 * to populate new directories).  mode: CGROUP_MODE_V1, _HYBRID or _V2. */
static char *
cgt_tree (enum cgroup_mode mode)
{
  /* tmpfs: thousands of small files per test, no disk behind them */
  char tmpl[64];
  snprintf (tmpl, sizeof tmpl, "%s/hull-cgtest-XXXXXX",
            access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
  char *root = mkdtemp (tmpl);
  if (root == NULL)
    return NULL;
  root = strdup (root);
  if (mode != CGROUP_MODE_V2)
    {
      for (size_t i = 0; i < sizeof cgt_v1_hiers / sizeof cgt_v1_hiers[0]; i++)
        {
          const char *levels[] = { "", "t", "t/c" };
          for (size_t l = 0; l < 3; l++)
            {
              char *h = fs_path_join (root, cgt_v1_hiers[i].dir);
              char *d = fs_path_join (h, levels[l]);
              cgt_put_files (d, cgt_v1_hiers[i].files);
              free (h);
              free (d);
            }
        }
      /* the root cpuset has values; t and t/c start empty */
      char *cs = fs_path_join (root, "cpuset");
      cgt_mkfile (cs, "cpuset.cpus", "0-1\n");
      cgt_mkfile (cs, "cpuset.mems", "0\n");
      free (cs);
    }
  if (mode != CGROUP_MODE_V1)
    {
      char *u = mode == CGROUP_MODE_HYBRID ? fs_path_join (root, "unified")
                                           : strdup (root);
      const char *ctrls = mode == CGROUP_MODE_HYBRID
                              ? "\n"
                              : "cpuset cpu io memory hugetlb pids rdma\n";
      const char *levels[] = { "", "t", "t/c" };
      for (size_t l = 0; l < 3; l++)
        {
          char *d = fs_path_join (u, levels[l]);
          if (mode == CGROUP_MODE_V2)
            cgt_put_files (d, cgt_v2_files);
          else
            {
              cgt_mkfile (d, "cgroup.procs", "");
              cgt_mkfile (d, "cgroup.freeze", "0\n");
              cgt_mkfile (d, "cgroup.events", "populated 0\nfrozen 0\n");
            }
          cgt_mkfile (d, "cgroup.controllers", ctrls);
          free (d);
        }
      free (u);
    }
  setenv ("HULL_CGROUP_ROOT", root, 1);
  cg_layout_reset ();
  return root;
}

static void
cgt_tree_free (char *root)
{
  if (root)
    cgt_rm (root);
  free (root);
  unsetenv ("HULL_CGROUP_ROOT");
  cg_layout_reset ();
}

#endif
