/* v1/devices.c - linux.resources.devices on the v1 devices controller:
 * "a" to devices.deny, then each rule, in order, to devices.allow or
 * devices.deny ("c 1:3 rwm"), then the built-in defaults (devices.c).
 * The list is emulated first so that v1 refuses the same specs v2 does. */
#include "../internal.h"

#include "base/cleanup.h"
#include "base/error.h"
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
  cg_dev_state_clear (&st);
  const char *key = "linux.resources.devices";
  _cleanup_close_ int deny = cg_open_w (c->dirfd, "devices.deny", key, err);
  if (deny < 0)
    return deny;
  _cleanup_close_ int allow = cg_open_w (c->dirfd, "devices.allow", key, err);
  if (allow < 0)
    return allow;
  for (size_t i = 0; i < n; i++)
    {
      char buf[64];
      cg_dev_rule_str (&rules[i], buf, sizeof buf);
      r = cg_write_line (rules[i].allow ? allow : deny,
                         rules[i].allow ? "devices.allow" : "devices.deny", buf,
                         key, err);
      if (r < 0)
        return r;
    }
  return 0;
}

const struct cg_writer cg_v1_devices = {
  .what = "devices",
  .ctrl = CG_DEVICES,
  .requested = cg_req_devices,
  .apply = apply,
};
