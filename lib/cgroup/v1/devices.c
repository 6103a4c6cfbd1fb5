/* v1/devices.c - linux.resources.devices on the v1 devices controller:
 * "a" to devices.deny, then each rule, in order, to devices.allow or
 * devices.deny ("c 1:3 rwm"), then the built-in defaults (devices.c).
 * The list is emulated first so that v1 refuses the same specs v2 does.
 *
 * On update of a running container, starting again from "a" would deny
 * everything for a moment (a read of /dev/null failing in the container):
 * when the cgroup and the new rules are both allow-lists, only the
 * difference between devices.list and the emulated target is written. */
#include "../internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "oci/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
acc_str (unsigned a, char out[4])
{
  char *p = out;
  if (a & CG_DEV_ACC_READ)
    *p++ = 'r';
  if (a & CG_DEV_ACC_WRITE)
    *p++ = 'w';
  if (a & CG_DEV_ACC_MKNOD)
    *p++ = 'm';
  *p = '\0';
}

/* devices.list -> state; false when it cannot be read or parsed (then the
 * full rewrite is used) */
static bool
read_list (int dirfd, struct cg_dev_state *cur)
{
  _cleanup_free_ char *s = NULL;
  cur->default_allow = false;
  cur->ex = NULL;
  cur->n = 0;
  if (cg_read (dirfd, "devices.list", &s, NULL) < 0)
    return false;
  struct oci_device_cgroup *rules = NULL;
  size_t n = 0;
  char *save = NULL;
  bool ok = true;
  for (char *l = strtok_r (s, "\n", &save); l && ok; l = strtok_r (NULL, "\n", &save))
    {
      char type, maj[16], min[16], acc[8];
      if (sscanf (l, "%c %15[^:]:%15s %7s", &type, maj, min, acc) != 4
          || n >= 4096)
        {
          ok = false;
          break;
        }
      struct oci_device_cgroup *nr = realloc (rules, (n + 2) * sizeof *nr);
      if (nr == NULL)
        {
          ok = false;
          break;
        }
      rules = nr;
      if (n == 0)
        rules[n++] = (struct oci_device_cgroup) { false, 'a', -1, -1, "rwm" };
      struct oci_device_cgroup *d = &rules[n++];
      memset (d, 0, sizeof *d);
      d->allow = true;
      d->type = type;
      d->major = strcmp (maj, "*") == 0 ? -1 : strtoll (maj, NULL, 10);
      d->minor = strcmp (min, "*") == 0 ? -1 : strtoll (min, NULL, 10);
      snprintf (d->access, sizeof d->access, "%.3s", acc);
    }
  if (ok && n == 0)
    ok = false; /* an empty list: deny-all with nothing allowed; rewrite */
  /* "a *:* rwm" is the allow-all (blacklist) cgroup */
  if (ok && cg_dev_emulate (rules, n, 0, cur, NULL) < 0)
    ok = false;
  free (rules);
  return ok;
}

static int
apply_diff (int dirfd, const struct cg_dev_state *cur,
            const struct cg_dev_state *want, const char *key, struct error **err)
{
  _cleanup_close_ int deny = cg_open_w (dirfd, "devices.deny", key, err);
  if (deny < 0)
    return deny;
  _cleanup_close_ int allow = cg_open_w (dirfd, "devices.allow", key, err);
  if (allow < 0)
    return allow;
  /* take away first, then add: devices in both lists are never touched,
   * and the moment between is never more permissive than either list */
  for (int pass = 0; pass < 2; pass++)
    {
      bool adding = pass == 1;
      const struct cg_dev_state *a = adding ? want : cur;
      const struct cg_dev_state *b = adding ? cur : want;
      for (size_t i = 0; i < a->n; i++)
        {
          const struct cg_dev_exception *e = &a->ex[i];
          unsigned have = 0;
          for (size_t j = 0; j < b->n; j++)
            if (b->ex[j].type == e->type && b->ex[j].major == e->major
                && b->ex[j].minor == e->minor)
              have = b->ex[j].access;
          unsigned diff = e->access & ~have;
          if (diff == 0)
            continue;
          struct oci_device_cgroup d = { adding, e->type, e->major, e->minor, "" };
          acc_str (diff, d.access);
          char buf[64];
          cg_dev_rule_str (&d, buf, sizeof buf);
          int r = cg_write_line (adding ? allow : deny,
                                 adding ? "devices.allow" : "devices.deny",
                                 buf, key, err);
          if (r < 0)
            return r;
        }
    }
  return 0;
}

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
  const char *key = "linux.resources.devices";
  struct cg_dev_state cur;
  if (c->update && !st.default_allow && read_list (c->dirfd, &cur))
    {
      if (!cur.default_allow)
        {
          r = apply_diff (c->dirfd, &cur, &st, key, err);
          cg_dev_state_clear (&cur);
          cg_dev_state_clear (&st);
          return r;
        }
      cg_dev_state_clear (&cur);
    }
  cg_dev_state_clear (&st);
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
