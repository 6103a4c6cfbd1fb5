/* Fuzz the linux.resources parser (config.json and `update --resources` are
 * untrusted), and carry what it accepts through the device-rule pipeline:
 * the v1 emulation and the eBPF program built from it must agree on every
 * probe (the interpreter is the oracle's other half). Invariants: a failed
 * parse sets an error and hands out nothing; an accepted one respects the
 * size limits. */
#include "base/error.h"
#include "base/json.h"
#include "cgroup/internal.h"
#include "oci/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_devices (const struct oci_resources *r)
{
  struct oci_device_cgroup *rules = NULL;
  size_t n = 0;
  struct error *err = NULL;
  if (cg_dev_rules (r, &rules, &n, &err) < 0)
    abort ();
  struct cg_dev_state st;
  if (cg_dev_emulate (rules, n, r->n_devices, &st, &err) < 0)
    {
      if (err == NULL)
        abort ();
      error_free (err);
      free (rules);
      return;
    }
  struct cg_bpf_insn *p = NULL;
  size_t np = 0;
  if (cg_bpf_build (&st, &p, &np, &err) < 0)
    abort ();
  static const uint32_t nums[] = { 0, 1, 3, 5, 7, 136, 254, 4294967295u };
  for (int t = 1; t <= 2; t++)
    for (size_t a = 0; a < sizeof nums / sizeof nums[0]; a++)
      for (size_t b = 0; b < sizeof nums / sizeof nums[0]; b += 3)
        for (unsigned acc = 1; acc < 8; acc++)
          {
            bool want = cg_dev_state_allows (&st, t == 1 ? 'b' : 'c', nums[a], nums[b], acc);
            if (cg_bpf_interpret (p, np, (uint32_t) t, acc, nums[a], nums[b]) != (want ? 1 : 0))
              abort ();
          }
  free (p);
  cg_dev_state_clear (&st);
  free (rules);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  json_object *o = NULL;
  struct error *err = NULL;
  if (jsonx_parse ((const char *) data, size, &o, &err) < 0)
    {
      error_free (err);
      return 0;
    }
  struct oci_resources r;
  memset (&r, 0, sizeof r);
  int ret = oci_resources_parse (o, &r, &err);
  json_object_put (o);
  if (ret < 0)
    {
      if (err == NULL || err->msg == NULL || r.present || r.devices || r.unified)
        abort ();
      error_free (err);
      return 0;
    }
  if (!r.present || r.n_devices > 1024 || r.n_unified > 256 || r.n_rdma > 64
      || r.n_hugepage_limits > 32 || r.network.n_priorities > 256)
    abort ();
  for (size_t i = 0; i < r.n_devices; i++)
    if (strspn (r.devices[i].access, "rwm") != strlen (r.devices[i].access))
      abort ();
  for (size_t i = 0; i < r.n_unified; i++)
    if (strchr (r.unified[i].key, '/') || strstr (r.unified[i].key, ".."))
      abort ();
  check_devices (&r);
  oci_resources_clear (&r);
  return 0;
}
