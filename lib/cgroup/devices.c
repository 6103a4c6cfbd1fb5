/* devices.c - the device rules a container gets, and what the v1 devices
 * controller makes of them.
 *
 * The rules applied are: deny everything, then the spec's rules in order,
 * then the devices every container needs (/dev/null, zero, full, random,
 * urandom, tty, console, ptmx, pts, and mknod of any node), as runc and crun
 * do.  On v1 the kernel evaluates them (devices.deny/devices.allow); on v2
 * there is no devices controller, so the same list is run through the v1
 * semantics here (cg_dev_emulate: a default behaviour plus exceptions) and
 * the result is compiled to an eBPF program (bpf.c).  Emulating rather than
 * translating rule by rule keeps one meaning on both versions.
 *
 * v1 silently ignores a deny that would punch a hole into a wider allowed
 * wildcard (and vice versa); the emulation refuses such a spec instead, so
 * nobody believes a device is denied when it is not.
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "oci/config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct oci_device_cgroup default_rules[] = {
  { true, 'c', -1, -1, "m" },   /* mknod of any char device */
  { true, 'b', -1, -1, "m" },   /* mknod of any block device */
  { true, 'c', 1, 3, "rwm" },   /* /dev/null */
  { true, 'c', 1, 5, "rwm" },   /* /dev/zero */
  { true, 'c', 1, 7, "rwm" },   /* /dev/full */
  { true, 'c', 1, 8, "rwm" },   /* /dev/random */
  { true, 'c', 1, 9, "rwm" },   /* /dev/urandom */
  { true, 'c', 5, 0, "rwm" },   /* /dev/tty */
  { true, 'c', 5, 1, "rwm" },   /* /dev/console */
  { true, 'c', 5, 2, "rwm" },   /* /dev/ptmx */
  { true, 'c', 136, -1, "rwm" },/* /dev/pts/N */
};

int
cg_dev_rules (const struct oci_resources *r, struct oci_device_cgroup **out,
              size_t *n, struct error **err)
{
  size_t ns = r ? r->n_devices : 0;
  size_t total = 1 + ns + ARRAY_SIZE (default_rules);
  struct oci_device_cgroup *v = calloc (total, sizeof *v);
  if (v == NULL)
    return error_set (err, ENOMEM, "out of memory");
  v[0] = (struct oci_device_cgroup) { false, 'a', -1, -1, "rwm" };
  for (size_t i = 0; i < ns; i++)
    v[1 + i] = r->devices[i];
  memcpy (v + 1 + ns, default_rules, sizeof default_rules);
  *out = v;
  *n = total;
  return 0;
}

static unsigned
access_bits (const char *a)
{
  unsigned m = 0;
  for (; *a; a++)
    m |= *a == 'r' ? CG_DEV_ACC_READ
         : *a == 'w' ? CG_DEV_ACC_WRITE
         : *a == 'm' ? CG_DEV_ACC_MKNOD
                     : 0;
  return m;
}

void
cg_dev_rule_str (const struct oci_device_cgroup *d, char *buf, size_t len)
{
  char maj[24] = "*", min[24] = "*";
  if (d->major >= 0)
    snprintf (maj, sizeof maj, "%" PRId64, d->major);
  if (d->minor >= 0)
    snprintf (min, sizeof min, "%" PRId64, d->minor);
  if (d->type == 'a' || d->type == 0)
    snprintf (buf, len, "a *:* rwm");
  else
    snprintf (buf, len, "%c %s:%s %s", d->type, maj, min,
              d->access[0] ? d->access : "rwm");
}

void
cg_dev_state_clear (struct cg_dev_state *st)
{
  free (st->ex);
  st->ex = NULL;
  st->n = 0;
}

static struct cg_dev_exception *
find (struct cg_dev_state *st, char type, int64_t major, int64_t minor)
{
  for (size_t i = 0; i < st->n; i++)
    if (st->ex[i].type == type && st->ex[i].major == major
        && st->ex[i].minor == minor)
      return &st->ex[i];
  return NULL;
}

static int
add_ex (struct cg_dev_state *st, char type, int64_t major, int64_t minor,
        unsigned acc)
{
  struct cg_dev_exception *e = find (st, type, major, minor);
  if (e)
    {
      e->access |= acc;
      return 0;
    }
  if (st->n >= 4096)
    return -E2BIG;
  struct cg_dev_exception *nv = realloc (st->ex, (st->n + 1) * sizeof *nv);
  if (nv == NULL)
    return -ENOMEM;
  st->ex = nv;
  st->ex[st->n++] = (struct cg_dev_exception) { type, major, minor, acc };
  return 0;
}

/* Remove access from the exception for exactly this device; refuse when a
 * wider wildcard exception grants what should be removed (v1 would ignore
 * the removal). */
static int
rm_ex (struct cg_dev_state *st, char type, int64_t major, int64_t minor,
       unsigned acc, const struct cg_dev_exception **wider)
{
  const int64_t cand[3][2] = { { -1, minor }, { major, -1 }, { -1, -1 } };
  for (size_t k = 0; k < 3; k++)
    {
      if (cand[k][0] == major && cand[k][1] == minor)
        continue;
      struct cg_dev_exception *w = find (st, type, cand[k][0], cand[k][1]);
      if (w && (w->access & acc))
        {
          *wider = w;
          return -EINVAL;
        }
    }
  struct cg_dev_exception *e = find (st, type, major, minor);
  if (e)
    {
      e->access &= ~acc;
      if (e->access == 0)
        {
          size_t i = (size_t) (e - st->ex);
          memmove (&st->ex[i], &st->ex[i + 1], (st->n - i - 1) * sizeof *e);
          st->n--;
        }
    }
  return 0;
}

int
cg_dev_emulate (const struct oci_device_cgroup *rules, size_t n, size_t n_spec,
                struct cg_dev_state *st, struct error **err)
{
  /* a fresh v1 cgroup inherits "a *:* rwm" from an unrestricted parent */
  st->default_allow = true;
  st->ex = NULL;
  st->n = 0;
  for (size_t i = 0; i < n; i++)
    {
      const struct oci_device_cgroup *d = &rules[i];
      if (d->type == 'a' || d->type == 0)
        {
          /* "a" resets the whole cgroup, whatever follows it (kernel) */
          cg_dev_state_clear (st);
          st->default_allow = d->allow;
          continue;
        }
      unsigned acc = access_bits (d->access[0] ? d->access : "rwm");
      if (acc == 0)
        continue;
      int r;
      const struct cg_dev_exception *wider = NULL;
      /* an allow adds an exception to a deny-all cgroup and removes one
       * from an allow-all cgroup; a deny the other way round */
      if (d->allow != st->default_allow)
        r = add_ex (st, d->type, d->major, d->minor, acc);
      else
        r = rm_ex (st, d->type, d->major, d->minor, acc, &wider);
      if (r == -EINVAL && i > n_spec)
        r = 0; /* a built-in default the spec already covers otherwise */
      if (r == -EINVAL)
        {
          char a[64], b[64];
          struct oci_device_cgroup wd = { !d->allow, wider->type, wider->major,
                                          wider->minor, "" };
          char *p = wd.access;
          if (wider->access & CG_DEV_ACC_READ)
            *p++ = 'r';
          if (wider->access & CG_DEV_ACC_WRITE)
            *p++ = 'w';
          if (wider->access & CG_DEV_ACC_MKNOD)
            *p++ = 'm';
          *p = '\0';
          cg_dev_rule_str (d, a, sizeof a);
          cg_dev_rule_str (&wd, b, sizeof b);
          cg_dev_state_clear (st);
          return error_set (err, EINVAL,
                            "`linux.resources.devices[%zu]`: %s `%s` cannot "
                            "punch a hole in the wider %s rule `%s` (the v1 "
                            "devices controller would silently ignore it)",
                            i - 1, d->allow ? "allow" : "deny", a,
                            d->allow ? "deny" : "allow", b);
        }
      if (r < 0)
        {
          cg_dev_state_clear (st);
          return error_errno (err, -r, "device rules");
        }
    }
  return 0;
}

bool
cg_dev_state_allows (const struct cg_dev_state *st, char type, uint32_t major,
                     uint32_t minor, unsigned access)
{
  for (size_t i = 0; i < st->n; i++)
    {
      const struct cg_dev_exception *e = &st->ex[i];
      if (e->type != type)
        continue;
      if (e->major >= 0 && (uint32_t) e->major != major)
        continue;
      if (e->minor >= 0 && (uint32_t) e->minor != minor)
        continue;
      if (st->default_allow)
        {
          /* blacklist: any overlap with a deny exception denies */
          if (e->access & access)
            return false;
        }
      else if ((access & ~e->access) == 0)
        return true; /* whitelist: an exception covering all of it allows */
    }
  return st->default_allow;
}
