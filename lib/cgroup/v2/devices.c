/* v2/devices.c - linux.resources.devices on cgroup v2: the rules are emulated
 * with v1 semantics (devices.c), compiled to eBPF and attached (bpf.c). */
#include "../internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/log.h"
#include "oci/config.h"

static int
apply (const struct cg_wctx *c, struct error **err)
{
  _cleanup_free_ struct oci_device_cgroup *rules = NULL;
  size_t n = 0;
  int r = cg_dev_rules (c->r, &rules, &n, err);
  if (r < 0)
    return r;
  struct cg_dev_state st;
  r = cg_dev_emulate (rules, n, c->r->n_devices, &st, err);
  if (r < 0)
    return r;
  _cleanup_free_ struct cg_bpf_insn *prog = NULL;
  size_t np = 0;
  r = cg_bpf_build (&st, &prog, &np, err);
  cg_dev_state_clear (&st);
  if (r < 0)
    return error_prefix (err, "`linux.resources.devices`");
  if (c->cg->fake)
    {
      /* a test tree is not a cgroup: nothing to attach to */
      log_debug ("cgroup: device filter of %zu instructions not attached "
                 "(test tree)", np);
      return 0;
    }
  r = cg_bpf_install (c->dirfd, prog, np, err);
  if (r < 0)
    return error_prefix (err, "`linux.resources.devices`");
  return 0;
}

const struct cg_writer cg_v2_devices = {
  .what = "devices",
  .ctrl = -1, /* eBPF on any cgroup2 directory, no controller needed */
  .requested = cg_req_devices,
  .apply = apply,
};
