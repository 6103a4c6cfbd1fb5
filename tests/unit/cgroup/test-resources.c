/* test-resources.c - oci_resources_parse: what is kept, and errors that name
 * the key for everything malformed or out of range. */
#include "../../lib/tap.h"
#include "cgtest.h"

static void
test_full_document (void)
{
  const char *j =
      "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
      "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"mwr\"}],"
      "\"memory\":{\"limit\":536870912,\"reservation\":268435456,\"swap\":1073741824,"
      "\"kernel\":-1,\"kernelTCP\":-1,\"swappiness\":0,\"disableOOMKiller\":false,"
      "\"useHierarchy\":true,\"checkBeforeUpdate\":true},"
      "\"cpu\":{\"shares\":1024,\"quota\":1000000,\"burst\":1000,\"period\":500000,"
      "\"realtimeRuntime\":950000,\"realtimePeriod\":1000000,\"cpus\":\"2-3\",\"mems\":\"0-7\",\"idle\":0},"
      "\"pids\":{\"limit\":32771},"
      "\"blockIO\":{\"weight\":10,\"leafWeight\":10,"
      "\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":500,\"leafWeight\":300},"
      "{\"major\":8,\"minor\":16,\"weight\":500}],"
      "\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":600}],"
      "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":300}]},"
      "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":9223372036854771712},"
      "{\"pageSize\":\"64KB\",\"limit\":1000000}],"
      "\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\",\"priority\":500},"
      "{\"name\":\"eth1\",\"priority\":1000}]},"
      "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000},\"mlx4_0\":{\"hcaHandles\":1}},"
      "\"unified\":{\"io.max\":\"8:0 rbps=1\",\"some.unknown\":\"kept\"}}";
  struct oci_resources r;
  struct error *err = NULL;
  REQUIRE (cgt_parse (j, &r, &err) == 0);
  CHECK (r.present);
  CHECK_INT (r.n_devices, ==, 2);
  CHECK (!r.devices[0].allow);
  CHECK_INT (r.devices[0].type, ==, 'a');
  CHECK_INT (r.devices[0].major, ==, -1);
  CHECK_STR (r.devices[1].access, "rwm");
  CHECK_INT (r.devices[1].minor, ==, 3);
  CHECK_INT (r.memory.limit, ==, 536870912);
  CHECK_INT (r.memory.swap, ==, 1073741824);
  CHECK (r.memory.has_swappiness && r.memory.swappiness == 0);
  CHECK (r.memory.has_disable_oom_killer && !r.memory.disable_oom_killer);
  CHECK (r.memory.has_kernel && r.memory.kernel == -1);
  CHECK_INT (r.cpu.shares, ==, 1024);
  CHECK_INT (r.cpu.quota, ==, 1000000);
  CHECK_INT (r.cpu.period, ==, 500000);
  CHECK_INT (r.cpu.realtime_runtime, ==, 950000);
  CHECK_STR (r.cpu.cpus, "2-3");
  CHECK_STR (r.cpu.mems, "0-7");
  CHECK (r.cpu.has_idle && r.cpu.idle == 0);
  CHECK_INT (r.pids.limit, ==, 32771);
  CHECK_INT (r.block_io.weight, ==, 10);
  CHECK_INT (r.block_io.n_weight_device, ==, 2);
  CHECK (r.block_io.weight_device[0].has_leaf_weight);
  CHECK (!r.block_io.weight_device[1].has_leaf_weight);
  CHECK_INT (r.block_io.n_throttle_read_bps, ==, 1);
  CHECK_INT (r.block_io.throttle_read_bps[0].rate, ==, 600);
  CHECK_INT (r.block_io.n_throttle_write_iops, ==, 1);
  CHECK_INT (r.n_hugepage_limits, ==, 2);
  CHECK_STR (r.hugepage_limits[1].page_size, "64KB");
  CHECK_INT (r.network.class_id, ==, 1048577);
  CHECK_INT (r.network.n_priorities, ==, 2);
  CHECK_STR (r.network.priorities[1].name, "eth1");
  CHECK_INT (r.n_rdma, ==, 2);
  CHECK_STR (r.rdma_raw[0].key, "mlx5_1");
  CHECK_STR (r.rdma_raw[0].value, "hca_handle=3 hca_object=10000");
  CHECK_STR (r.rdma_raw[1].value, "hca_handle=1");
  CHECK_INT (r.n_unified, ==, 2);
  CHECK_STR (r.unified[1].key, "some.unknown");
  CHECK_STR (r.unified[1].value, "kept");
  oci_resources_clear (&r);
  CHECK (!r.present && r.devices == NULL && r.n_unified == 0);
}

static void
test_empty_and_null (void)
{
  struct oci_resources r;
  struct error *err = NULL;
  REQUIRE (cgt_parse ("{\"memory\":null,\"cpu\":{\"shares\":null},\"devices\":null}", &r, &err) == 0);
  CHECK (r.present);
  CHECK (!r.cpu.has_shares);
  CHECK (!r.memory.has_limit);
  oci_resources_clear (&r);
  /* uint64 wrap of -1 (what Docker sends for "unset"): unset */
  REQUIRE (cgt_parse ("{\"memory\":{\"swappiness\":-1}}", &r, &err) == 0);
  CHECK (!r.memory.has_swappiness);
  oci_resources_clear (&r);
}

static const struct
{
  const char *json, *want;
} bad[] = {
  { "[]", "`linux.resources` must be an object" },
  { "{\"memory\":{\"limit\":\"1g\"}}", "`linux.resources.memory.limit` must be an integer" },
  { "{\"memory\":{\"limit\":1.5}}", "`linux.resources.memory.limit` must be an integer" },
  { "{\"memory\":{\"limit\":-2}}", "`linux.resources.memory.limit` must be -1 (unlimited) or a number of bytes" },
  { "{\"memory\":{\"limit\":99999999999999999999}}", "`linux.resources.memory.limit` is out of range" },
  { "{\"memory\":{\"swappiness\":101}}", "`linux.resources.memory.swappiness` must be between 0 and 100" },
  { "{\"memory\":{\"limit\":2000,\"swap\":1000}}", "`linux.resources.memory.swap` (1000) must not be below" },
  { "{\"memory\":{\"disableOOMKiller\":1}}", "`linux.resources.memory.disableOOMKiller` must be a boolean" },
  { "{\"memory\":[]}", "`linux.resources.memory` must be an object" },
  { "{\"cpu\":{\"shares\":-1}}", "`linux.resources.cpu.shares` must not be negative" },
  { "{\"cpu\":{\"shares\":1}}", "`linux.resources.cpu.shares` must be between 2 and 262144" },
  { "{\"cpu\":{\"shares\":262145}}", "`linux.resources.cpu.shares` must be between 2 and 262144" },
  { "{\"cpu\":{\"period\":999}}", "`linux.resources.cpu.period` must be between 1000 and 1000000" },
  { "{\"cpu\":{\"quota\":500}}", "`linux.resources.cpu.quota` must be -1 (unlimited) or at least 1000" },
  { "{\"cpu\":{\"quota\":-5}}", "`linux.resources.cpu.quota` must be -1 (unlimited) or at least 1000" },
  { "{\"cpu\":{\"idle\":2}}", "`linux.resources.cpu.idle` must be 0 or 1" },
  { "{\"cpu\":{\"cpus\":\"0-1; rm\"}}", "`linux.resources.cpu.cpus` must be a list like `0-3,5`" },
  { "{\"cpu\":{\"mems\":5}}", "`linux.resources.cpu.mems` must be a string" },
  { "{\"pids\":{\"limit\":\"x\"}}", "`linux.resources.pids.limit` must be an integer" },
  { "{\"blockIO\":{\"weight\":5}}", "`linux.resources.blockIO.weight` must be between 10 and 1000" },
  { "{\"blockIO\":{\"weight\":70000}}", "`linux.resources.blockIO.weight` must be between 10 and 1000" },
  { "{\"blockIO\":{\"weightDevice\":[{\"minor\":0,\"weight\":100}]}}",
    "`linux.resources.blockIO.weightDevice[0].major` is required" },
  { "{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":1001}]}}",
    "`linux.resources.blockIO.weightDevice[0].weight` must be between 10 and 1000" },
  { "{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}}",
    "`linux.resources.blockIO.throttleReadBpsDevice[0].rate` is required" },
  { "{\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":-1,\"minor\":0,\"rate\":1}]}}",
    "`linux.resources.blockIO.throttleWriteIOPSDevice[0].major` is out of range" },
  { "{\"blockIO\":{\"throttleWriteBpsDevice\":[1]}}",
    "`linux.resources.blockIO.throttleWriteBpsDevice[0]` must be an object" },
  { "{\"hugepageLimits\":[{\"pageSize\":\"2M\",\"limit\":1}]}",
    "`linux.resources.hugepageLimits[0].pageSize` must be a size like `2MB`" },
  { "{\"hugepageLimits\":[{\"pageSize\":\"../2MB\",\"limit\":1}]}",
    "`linux.resources.hugepageLimits[0].pageSize` must be a size like `2MB`" },
  { "{\"hugepageLimits\":[{\"limit\":1}]}", "`linux.resources.hugepageLimits[0].pageSize` is required" },
  { "{\"network\":{\"classID\":4294967296}}", "`linux.resources.network.classID` is out of range" },
  { "{\"network\":{\"priorities\":[{\"name\":\"a b\",\"priority\":1}]}}",
    "`linux.resources.network.priorities[0].name`: invalid interface name" },
  { "{\"rdma\":{\"mlx5\":{}}}", "`linux.resources.rdma.mlx5` needs `hcaHandles` or `hcaObjects`" },
  { "{\"rdma\":{\"mlx5\":{\"hcaHandles\":-1}}}", "`linux.resources.rdma.mlx5.hcaHandles` must not be negative" },
  { "{\"unified\":{\"../../etc/passwd\":\"x\"}}", "`linux.resources.unified`: invalid key `../../etc/passwd`" },
  { "{\"unified\":{\"memory.max/x\":\"x\"}}", "`linux.resources.unified`: invalid key `memory.max/x`" },
  { "{\"unified\":{\"memory.max\":1}}", "`linux.resources.unified.memory.max` must be a string" },
  { "{\"devices\":[{\"access\":\"rwm\"}]}", "`linux.resources.devices[0].allow` is required" },
  { "{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}", "`linux.resources.devices[0].type` must be `a`, `c` or `b`" },
  { "{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}", "`linux.resources.devices[0].access` must be made of" },
  { "{\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":-2}]}",
    "`linux.resources.devices[0].major` is out of range" },
  { "{\"devices\":[{\"allow\":true,\"type\":\"c\",\"minor\":4294967296}]}",
    "`linux.resources.devices[0].minor` is out of range" },
  { "{\"devices\":{}}", "`linux.resources.devices` must be an array" },
};

static void
test_bad_input (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      struct oci_resources r;
      struct error *err = NULL;
      int rc = cgt_parse (bad[i].json, &r, &err);
      if (rc >= 0 || err == NULL || strstr (err->msg, bad[i].want) == NULL)
        {
          printf ("#   %s: got %d \"%s\", want \"%s\"\n", bad[i].json, rc,
                  err ? err->msg : "", bad[i].want);
          tap_cur_failed = 1;
        }
      /* nothing half-filled is handed out */
      CHECK (!r.present && r.devices == NULL && r.unified == NULL);
      error_free (err);
    }
}

static void
test_size_limits (void)
{
  /* more device rules than allowed: refused before any allocation per rule */
  size_t n = 1100;
  char *j = malloc (n * 40 + 32), *p = j;
  p += sprintf (p, "{\"devices\":[");
  for (size_t i = 0; i < n; i++)
    p += sprintf (p, "%s{\"allow\":true}", i ? "," : "");
  sprintf (p, "]}");
  struct oci_resources r;
  struct error *err = NULL;
  CHECK (cgt_parse (j, &r, &err) < 0);
  CHECK (err && strstr (err->msg, "`linux.resources.devices` has more than 1024 entries"));
  error_free (err);
  free (j);
}

int
main (void)
{
  RUN (test_full_document);
  RUN (test_empty_and_null);
  RUN (test_bad_input);
  RUN (test_size_limits);
  return tap_done ();
}
