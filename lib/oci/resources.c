/* resources.c - runtime-spec linux.resources -> struct oci_resources.
 *
 * The object comes from config.json or from `update --resources` (a file or
 * stdin): untrusted.  Every error names the key with its full path
 * ("`linux.resources.memory.limit` must be an integer"); every array has a
 * size limit; numbers are range-checked here, once, for all cgroup versions
 * (the cgroup module converts units but trusts these ranges).
 *
 * Absent and JSON null are the same.  Unknown keys are ignored, as the spec
 * allows; unknown `unified` keys are kept as given (the cgroup module checks
 * them against the files of the cgroup).
 */
#include "config.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P "linux.resources."

#define MAX_DEVICES 1024
#define MAX_DEV_ENTRIES 256
#define MAX_HUGEPAGES 32
#define MAX_PRIORITIES 256
#define MAX_RDMA 64
#define MAX_UNIFIED 256
#define MAX_UNIFIED_VALUE 4096
#define MAX_CPULIST 4096

/* ------------------------------------------------------------- getters */

static json_object *
member (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (!json_object_object_get_ex (o, key, &v))
    return NULL;
  return v; /* NULL for JSON null: absent */
}

/* An integer member as text ("-1", "18446744073709551615"): json-c keeps
 * large values exactly in the serialisation, and the strict parsers in
 * base/strv then check the range. 1 = present, 0 = absent, <0 = error. */
static int
get_int_text (json_object *o, const char *key, const char *path,
              const char **text, struct error **err)
{
  json_object *v = member (o, key);
  if (v == NULL)
    return 0;
  if (json_object_get_type (v) != json_type_int)
    return error_set (err, EINVAL, "`%s` must be an integer", path);
  *text = json_object_to_json_string_ext (v, JSON_C_TO_STRING_PLAIN);
  return 1;
}

static int
get_i64 (json_object *o, const char *key, const char *path, bool *has,
         int64_t *out, struct error **err)
{
  const char *t;
  int r = get_int_text (o, key, path, &t, err);
  if (r <= 0)
    return r;
  if (parse_int64 (t, out) < 0)
    return error_set (err, ERANGE, "`%s` is out of range", path);
  if (has)
    *has = true;
  return 1;
}

static int
get_u64 (json_object *o, const char *key, const char *path, bool *has,
         uint64_t *out, struct error **err)
{
  const char *t;
  int r = get_int_text (o, key, path, &t, err);
  if (r <= 0)
    return r;
  if (t[0] == '-')
    return error_set (err, ERANGE, "`%s` must not be negative", path);
  if (parse_uint64 (t, out) < 0)
    return error_set (err, ERANGE, "`%s` is out of range", path);
  if (has)
    *has = true;
  return 1;
}

static int
get_bool (json_object *o, const char *key, const char *path, bool *has,
          bool *out, struct error **err)
{
  json_object *v = member (o, key);
  if (v == NULL)
    return 0;
  if (json_object_get_type (v) != json_type_boolean)
    return error_set (err, EINVAL, "`%s` must be a boolean", path);
  *out = json_object_get_boolean (v);
  if (has)
    *has = true;
  return 1;
}

static int
get_str (json_object *o, const char *key, const char *path, const char **out,
         struct error **err)
{
  json_object *v = member (o, key);
  if (v == NULL)
    return 0;
  if (json_object_get_type (v) != json_type_string)
    return error_set (err, EINVAL, "`%s` must be a string", path);
  *out = json_object_get_string (v);
  return 1;
}

static int
get_typed (json_object *o, const char *key, const char *path, json_type t,
           json_object **out, struct error **err)
{
  json_object *v = member (o, key);
  if (v == NULL)
    return 0;
  if (json_object_get_type (v) != t)
    return error_set (err, EINVAL, "`%s` must be %s", path,
                      t == json_type_object ? "an object" : "an array");
  *out = v;
  return 1;
}

/* arrays: type, limit, and each element an object */
static int
get_array (json_object *o, const char *key, const char *path, size_t max,
           json_object **out, size_t *n, struct error **err)
{
  int r = get_typed (o, key, path, json_type_array, out, err);
  if (r <= 0)
    return r;
  *n = json_object_array_length (*out);
  if (*n > max)
    return error_set (err, E2BIG, "`%s` has more than %zu entries", path, max);
  for (size_t i = 0; i < *n; i++)
    {
      json_object *e = json_object_array_get_idx (*out, i);
      if (e == NULL || json_object_get_type (e) != json_type_object)
        return error_set (err, EINVAL, "`%s[%zu]` must be an object", path, i);
    }
  return 1;
}

static char *
xdup (const char *s, struct error **err)
{
  char *d = strdup (s);
  if (d == NULL)
    error_set (err, ENOMEM, "out of memory");
  return d;
}

/* -1 = unlimited, 0 = unset, or bytes */
static int
check_bytes (const char *path, int64_t v, struct error **err)
{
  if (v < -1)
    return error_set (err, ERANGE,
                      "`%s` must be -1 (unlimited) or a number of bytes, not %" PRId64,
                      path, v);
  return 0;
}

static int
check_devnum (const char *path, int64_t v, bool wildcard_ok, struct error **err)
{
  if ((v < 0 && !(wildcard_ok && v == -1)) || v > (int64_t) UINT32_MAX)
    return error_set (err, ERANGE, "`%s` is out of range (%" PRId64 ")", path, v);
  return 0;
}

/* ------------------------------------------------------------- devices */

static int
parse_devices (json_object *o, struct oci_resources *r, struct error **err)
{
  json_object *a;
  size_t n = 0;
  int rc = get_array (o, "devices", P "devices", MAX_DEVICES, &a, &n, err);
  if (rc <= 0)
    return rc;
  r->devices = calloc (n ? n : 1, sizeof *r->devices);
  if (r->devices == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      struct oci_device_cgroup *d = &r->devices[i];
      char path[96];
      bool has_allow = false;
      const char *type = "a", *access = "rwm";
      d->major = d->minor = -1;
#define K(x) (snprintf (path, sizeof path, P "devices[%zu].%s", i, x), path)
      if (get_bool (e, "allow", K ("allow"), &has_allow, &d->allow, err) < 0
          || get_str (e, "type", K ("type"), &type, err) < 0
          || get_i64 (e, "major", K ("major"), NULL, &d->major, err) < 0
          || check_devnum (K ("major"), d->major, true, err) < 0
          || get_i64 (e, "minor", K ("minor"), NULL, &d->minor, err) < 0
          || check_devnum (K ("minor"), d->minor, true, err) < 0
          || get_str (e, "access", K ("access"), &access, err) < 0)
        return -EINVAL;
      if (!has_allow)
        return error_set (err, EINVAL, "`%s` is required", K ("allow"));
      if (strcmp (type, "a") != 0 && strcmp (type, "c") != 0
          && strcmp (type, "b") != 0)
        return error_set (err, EINVAL, "`%s` must be `a`, `c` or `b`, not `%.16s`",
                          K ("type"), type);
      d->type = type[0];
      if (*access == '\0')
        access = "rwm";
      if (strlen (access) > 3 || strspn (access, "rwm") != strlen (access))
        return error_set (err, EINVAL,
                          "`%s` must be made of `r`, `w` and `m`, not `%.16s`",
                          K ("access"), access);
      /* normalised, without duplicates, in "rwm" order */
      char *w = d->access;
      for (const char *c = "rwm"; *c; c++)
        if (strchr (access, *c))
          *w++ = *c;
      *w = '\0';
      r->n_devices++;
#undef K
    }
  return 0;
}

/* -------------------------------------------------------------- memory */

static int
parse_memory (json_object *o, struct oci_resources *r, struct error **err)
{
  json_object *m;
  int rc = get_typed (o, "memory", P "memory", json_type_object, &m, err);
  if (rc <= 0)
    return rc;
  typeof (r->memory) *x = &r->memory;
  if (get_i64 (m, "limit", P "memory.limit", &x->has_limit, &x->limit, err) < 0
      || get_i64 (m, "reservation", P "memory.reservation", &x->has_reservation,
                  &x->reservation, err) < 0
      || get_i64 (m, "swap", P "memory.swap", &x->has_swap, &x->swap, err) < 0
      || get_i64 (m, "kernel", P "memory.kernel", &x->has_kernel, &x->kernel, err) < 0
      || get_i64 (m, "kernelTCP", P "memory.kernelTCP", &x->has_kernel_tcp,
                  &x->kernel_tcp, err) < 0)
    return -EINVAL;
  if ((x->has_limit && check_bytes (P "memory.limit", x->limit, err) < 0)
      || (x->has_reservation
          && check_bytes (P "memory.reservation", x->reservation, err) < 0)
      || (x->has_swap && check_bytes (P "memory.swap", x->swap, err) < 0)
      || (x->has_kernel && check_bytes (P "memory.kernel", x->kernel, err) < 0)
      || (x->has_kernel_tcp
          && check_bytes (P "memory.kernelTCP", x->kernel_tcp, err) < 0))
    return -ERANGE;
  /* swappiness: uint64 in the spec; -1 (or its uint64 wrap, which Docker
   * sends) means "unset" */
  json_object *sw = member (m, "swappiness");
  if (sw)
    {
      const char *t;
      int64_t sv;
      if (get_int_text (m, "swappiness", P "memory.swappiness", &t, err) < 0)
        return -EINVAL;
      if (strcmp (t, "18446744073709551615") == 0
          || (parse_int64 (t, &sv) == 0 && sv == -1))
        ;
      else if (parse_int64 (t, &sv) < 0 || sv < 0 || sv > 100)
        return error_set (err, ERANGE,
                          "`" P "memory.swappiness` must be between 0 and 100, not %s", t);
      else
        {
          x->has_swappiness = true;
          x->swappiness = (uint64_t) sv;
        }
    }
  if (get_bool (m, "disableOOMKiller", P "memory.disableOOMKiller",
                &x->has_disable_oom_killer, &x->disable_oom_killer, err) < 0
      || get_bool (m, "useHierarchy", P "memory.useHierarchy",
                   &x->has_use_hierarchy, &x->use_hierarchy, err) < 0
      || get_bool (m, "checkBeforeUpdate", P "memory.checkBeforeUpdate",
                   &x->has_check_before_update, &x->check_before_update, err) < 0)
    return -EINVAL;
  if (x->has_limit && x->has_swap && x->limit > 0 && x->swap > 0
      && x->swap < x->limit)
    return error_set (err, EINVAL,
                      "`" P "memory.swap` (%" PRId64 ") must not be below `" P
                      "memory.limit` (%" PRId64 "): it is memory+swap",
                      x->swap, x->limit);
  return 0;
}

/* ----------------------------------------------------------------- cpu */

/* "0-3,5,7-8": digits, commas, ranges; the kernel checks the rest */
static int
check_list (const char *path, const char *s, struct error **err)
{
  if (strlen (s) > MAX_CPULIST)
    return error_set (err, E2BIG, "`%s` is too long", path);
  for (const char *p = s; *p; p++)
    if (!isdigit ((unsigned char) *p) && *p != ',' && *p != '-')
      return error_set (err, EINVAL,
                        "`%s` must be a list like `0-3,5`, not `%.32s`", path, s);
  return 0;
}

static int
parse_cpu (json_object *o, struct oci_resources *r, struct error **err)
{
  json_object *c;
  int rc = get_typed (o, "cpu", P "cpu", json_type_object, &c, err);
  if (rc <= 0)
    return rc;
  typeof (r->cpu) *x = &r->cpu;
  const char *cpus = NULL, *mems = NULL;
  if (get_u64 (c, "shares", P "cpu.shares", &x->has_shares, &x->shares, err) < 0
      || get_i64 (c, "quota", P "cpu.quota", &x->has_quota, &x->quota, err) < 0
      || get_u64 (c, "burst", P "cpu.burst", &x->has_burst, &x->burst, err) < 0
      || get_u64 (c, "period", P "cpu.period", &x->has_period, &x->period, err) < 0
      || get_i64 (c, "realtimeRuntime", P "cpu.realtimeRuntime",
                  &x->has_realtime_runtime, &x->realtime_runtime, err) < 0
      || get_u64 (c, "realtimePeriod", P "cpu.realtimePeriod",
                  &x->has_realtime_period, &x->realtime_period, err) < 0
      || get_i64 (c, "idle", P "cpu.idle", &x->has_idle, &x->idle, err) < 0
      || get_str (c, "cpus", P "cpu.cpus", &cpus, err) < 0
      || get_str (c, "mems", P "cpu.mems", &mems, err) < 0)
    return -EINVAL;
  /* the kernel's own bounds (kernel/sched: MIN_SHARES..MAX_SHARES, 1 ms to
   * 1 s periods), checked here so that a bad value fails before anything
   * is created, with a message saying what is allowed */
  if (x->has_shares && x->shares != 0 && (x->shares < 2 || x->shares > 262144))
    return error_set (err, ERANGE,
                      "`" P "cpu.shares` must be between 2 and 262144, not %" PRIu64,
                      x->shares);
  if (x->has_period && x->period != 0
      && (x->period < 1000 || x->period > 1000000))
    return error_set (err, ERANGE,
                      "`" P "cpu.period` must be between 1000 and 1000000 "
                      "(microseconds), not %" PRIu64, x->period);
  if (x->has_quota && (x->quota < -1 || (x->quota > 0 && x->quota < 1000)))
    return error_set (err, ERANGE,
                      "`" P "cpu.quota` must be -1 (unlimited) or at least 1000 "
                      "(microseconds), not %" PRId64, x->quota);
  if (x->has_realtime_runtime && x->realtime_runtime < -1)
    return error_set (err, ERANGE,
                      "`" P "cpu.realtimeRuntime` must be -1 or more, not %" PRId64,
                      x->realtime_runtime);
  if (x->has_idle && x->idle != 0 && x->idle != 1)
    return error_set (err, ERANGE, "`" P "cpu.idle` must be 0 or 1, not %" PRId64,
                      x->idle);
  if (cpus && (check_list (P "cpu.cpus", cpus, err) < 0
               || (x->cpus = xdup (cpus, err)) == NULL))
    return -EINVAL;
  if (mems && (check_list (P "cpu.mems", mems, err) < 0
               || (x->mems = xdup (mems, err)) == NULL))
    return -EINVAL;
  return 0;
}

/* ---------------------------------------------------------------- pids */

static int
parse_pids (json_object *o, struct oci_resources *r, struct error **err)
{
  json_object *p;
  int rc = get_typed (o, "pids", P "pids", json_type_object, &p, err);
  if (rc <= 0)
    return rc;
  if (get_i64 (p, "limit", P "pids.limit", &r->pids.has_limit, &r->pids.limit, err) < 0)
    return -EINVAL;
  return 0;
}

/* ------------------------------------------------------------- blockIO */

static int
check_weight (const char *path, uint64_t v, struct error **err)
{
  if (v != 0 && (v < 10 || v > 1000))
    return error_set (err, ERANGE, "`%s` must be between 10 and 1000, not %" PRIu64,
                      path, v);
  return 0;
}

static int
parse_throttle (json_object *b, const char *key, struct oci_throttle_device **out,
                size_t *nout, struct error **err)
{
  char base[96];
  snprintf (base, sizeof base, P "blockIO.%s", key);
  json_object *a;
  size_t n = 0;
  int rc = get_array (b, key, base, MAX_DEV_ENTRIES, &a, &n, err);
  if (rc <= 0)
    return rc;
  *out = calloc (n ? n : 1, sizeof **out);
  if (*out == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      struct oci_throttle_device *t = &(*out)[i];
      char path[128];
      bool hm = false, hn = false, hr = false;
#define K(x) (snprintf (path, sizeof path, "%s[%zu].%s", base, i, x), path)
      if (get_i64 (e, "major", K ("major"), &hm, &t->major, err) < 0
          || get_i64 (e, "minor", K ("minor"), &hn, &t->minor, err) < 0
          || get_u64 (e, "rate", K ("rate"), &hr, &t->rate, err) < 0)
        return -EINVAL;
      if (!hm || !hn || !hr)
        return error_set (err, EINVAL, "`%s` is required",
                          K (!hm ? "major" : !hn ? "minor" : "rate"));
      if (check_devnum (K ("major"), t->major, false, err) < 0
          || check_devnum (K ("minor"), t->minor, false, err) < 0)
        return -ERANGE;
#undef K
      (*nout)++;
    }
  return 0;
}

static int
parse_blockio (json_object *o, struct oci_resources *r, struct error **err)
{
  json_object *b;
  int rc = get_typed (o, "blockIO", P "blockIO", json_type_object, &b, err);
  if (rc <= 0)
    return rc;
  typeof (r->block_io) *x = &r->block_io;
  uint64_t w = 0, lw = 0;
  if (get_u64 (b, "weight", P "blockIO.weight", &x->has_weight, &w, err) < 0
      || get_u64 (b, "leafWeight", P "blockIO.leafWeight", &x->has_leaf_weight,
                  &lw, err) < 0
      || check_weight (P "blockIO.weight", w, err) < 0
      || check_weight (P "blockIO.leafWeight", lw, err) < 0)
    return -EINVAL;
  x->weight = (uint16_t) w;
  x->leaf_weight = (uint16_t) lw;

  json_object *a;
  size_t n = 0;
  rc = get_array (b, "weightDevice", P "blockIO.weightDevice", MAX_DEV_ENTRIES,
                  &a, &n, err);
  if (rc < 0)
    return rc;
  if (rc > 0)
    {
      x->weight_device = calloc (n ? n : 1, sizeof *x->weight_device);
      if (x->weight_device == NULL)
        return error_set (err, ENOMEM, "out of memory");
      for (size_t i = 0; i < n; i++)
        {
          json_object *e = json_object_array_get_idx (a, i);
          struct oci_weight_device *d = &x->weight_device[i];
          char path[128];
          bool hm = false, hn = false;
          uint64_t dw = 0, dlw = 0;
#define K(f) (snprintf (path, sizeof path, P "blockIO.weightDevice[%zu].%s", i, f), path)
          if (get_i64 (e, "major", K ("major"), &hm, &d->major, err) < 0
              || get_i64 (e, "minor", K ("minor"), &hn, &d->minor, err) < 0
              || get_u64 (e, "weight", K ("weight"), &d->has_weight, &dw, err) < 0
              || get_u64 (e, "leafWeight", K ("leafWeight"), &d->has_leaf_weight,
                          &dlw, err) < 0)
            return -EINVAL;
          if (!hm || !hn)
            return error_set (err, EINVAL, "`%s` is required",
                              K (!hm ? "major" : "minor"));
          if (check_devnum (K ("major"), d->major, false, err) < 0
              || check_devnum (K ("minor"), d->minor, false, err) < 0
              || check_weight (K ("weight"), dw, err) < 0
              || check_weight (K ("leafWeight"), dlw, err) < 0)
            return -ERANGE;
#undef K
          d->weight = (uint16_t) dw;
          d->leaf_weight = (uint16_t) dlw;
          x->n_weight_device++;
        }
    }
  if (parse_throttle (b, "throttleReadBpsDevice", &x->throttle_read_bps,
                      &x->n_throttle_read_bps, err) < 0
      || parse_throttle (b, "throttleWriteBpsDevice", &x->throttle_write_bps,
                         &x->n_throttle_write_bps, err) < 0
      || parse_throttle (b, "throttleReadIOPSDevice", &x->throttle_read_iops,
                         &x->n_throttle_read_iops, err) < 0
      || parse_throttle (b, "throttleWriteIOPSDevice", &x->throttle_write_iops,
                         &x->n_throttle_write_iops, err) < 0)
    return -EINVAL;
  return 0;
}

/* ------------------------------------------------------------- hugetlb */

/* "2MB", "1GB", "64KB": the names the kernel gives hugetlb.<size>.* files */
static bool
valid_page_size (const char *s)
{
  size_t d = strspn (s, "0123456789");
  if (d == 0 || d > 8 || s[0] == '0')
    return false;
  return strcmp (s + d, "KB") == 0 || strcmp (s + d, "MB") == 0
         || strcmp (s + d, "GB") == 0;
}

static int
parse_hugepages (json_object *o, struct oci_resources *r, struct error **err)
{
  json_object *a;
  size_t n = 0;
  int rc = get_array (o, "hugepageLimits", P "hugepageLimits", MAX_HUGEPAGES,
                      &a, &n, err);
  if (rc <= 0)
    return rc;
  r->hugepage_limits = calloc (n ? n : 1, sizeof *r->hugepage_limits);
  if (r->hugepage_limits == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      struct oci_hugepage_limit *h = &r->hugepage_limits[i];
      char path[96];
      const char *ps = NULL;
      bool hl = false;
#define K(f) (snprintf (path, sizeof path, P "hugepageLimits[%zu].%s", i, f), path)
      if (get_str (e, "pageSize", K ("pageSize"), &ps, err) < 0
          || get_u64 (e, "limit", K ("limit"), &hl, &h->limit, err) < 0)
        return -EINVAL;
      if (ps == NULL || !hl)
        return error_set (err, EINVAL, "`%s` is required",
                          K (ps == NULL ? "pageSize" : "limit"));
      if (!valid_page_size (ps))
        return error_set (err, EINVAL,
                          "`%s` must be a size like `2MB` or `1GB`, not `%.32s`",
                          K ("pageSize"), ps);
#undef K
      if ((h->page_size = xdup (ps, err)) == NULL)
        return -ENOMEM;
      r->n_hugepage_limits++;
    }
  return 0;
}

/* ------------------------------------------------------------- network */

static int
parse_network (json_object *o, struct oci_resources *r, struct error **err)
{
  json_object *net;
  int rc = get_typed (o, "network", P "network", json_type_object, &net, err);
  if (rc <= 0)
    return rc;
  uint64_t cid = 0;
  if (get_u64 (net, "classID", P "network.classID", &r->network.has_class_id,
               &cid, err) < 0)
    return -EINVAL;
  if (cid > UINT32_MAX)
    return error_set (err, ERANGE, "`" P "network.classID` is out of range");
  r->network.class_id = (uint32_t) cid;
  json_object *a;
  size_t n = 0;
  rc = get_array (net, "priorities", P "network.priorities", MAX_PRIORITIES, &a,
                  &n, err);
  if (rc <= 0)
    return rc;
  r->network.priorities = calloc (n ? n : 1, sizeof *r->network.priorities);
  if (r->network.priorities == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      struct oci_net_priority *p = &r->network.priorities[i];
      char path[96];
      const char *name = NULL;
      bool hp = false;
      uint64_t prio = 0;
#define K(f) (snprintf (path, sizeof path, P "network.priorities[%zu].%s", i, f), path)
      if (get_str (e, "name", K ("name"), &name, err) < 0
          || get_u64 (e, "priority", K ("priority"), &hp, &prio, err) < 0)
        return -EINVAL;
      if (name == NULL || !hp)
        return error_set (err, EINVAL, "`%s` is required",
                          K (name == NULL ? "name" : "priority"));
      /* an interface name (IFNAMSIZ), written as "NAME PRIO" */
      size_t nl = strlen (name);
      if (nl == 0 || nl > 15 || strpbrk (name, " \t\n/:") != NULL)
        return error_set (err, EINVAL, "`%s`: invalid interface name `%.32s`",
                          K ("name"), name);
      if (prio > UINT32_MAX)
        return error_set (err, ERANGE, "`%s` is out of range", K ("priority"));
#undef K
      p->priority = (uint32_t) prio;
      if ((p->name = xdup (name, err)) == NULL)
        return -ENOMEM;
      r->network.n_priorities++;
    }
  return 0;
}

/* ---------------------------------------------------------------- rdma */

static int
parse_rdma (json_object *o, struct oci_resources *r, struct error **err)
{
  json_object *m;
  int rc = get_typed (o, "rdma", P "rdma", json_type_object, &m, err);
  if (rc <= 0)
    return rc;
  size_t n = (size_t) json_object_object_length (m);
  if (n > MAX_RDMA)
    return error_set (err, E2BIG, "`" P "rdma` has more than %d entries", MAX_RDMA);
  r->rdma_raw = calloc (n ? n : 1, sizeof *r->rdma_raw);
  if (r->rdma_raw == NULL)
    return error_set (err, ENOMEM, "out of memory");
  json_object_object_foreach (m, dev, v)
  {
    char path[160];
    snprintf (path, sizeof path, P "rdma.%.64s", dev);
    size_t dl = strlen (dev);
    if (dl == 0 || dl > 64 || strpbrk (dev, " \t\n/") != NULL)
      return error_set (err, EINVAL, "`" P "rdma`: invalid device name `%.64s`", dev);
    if (v == NULL || json_object_get_type (v) != json_type_object)
      return error_set (err, EINVAL, "`%s` must be an object", path);
    char p1[192], p2[192];
    snprintf (p1, sizeof p1, "%s.hcaHandles", path);
    snprintf (p2, sizeof p2, "%s.hcaObjects", path);
    bool hh = false, ho = false;
    uint64_t h = 0, ob = 0;
    if (get_u64 (v, "hcaHandles", p1, &hh, &h, err) < 0
        || get_u64 (v, "hcaObjects", p2, &ho, &ob, err) < 0)
      return -EINVAL;
    if (h > UINT32_MAX || ob > UINT32_MAX)
      return error_set (err, ERANGE, "`%s` is out of range", h > UINT32_MAX ? p1 : p2);
    if (!hh && !ho)
      return error_set (err, EINVAL, "`%s` needs `hcaHandles` or `hcaObjects`", path);
    char val[96] = "";
    if (hh)
      snprintf (val, sizeof val, "hca_handle=%" PRIu64, h);
    if (ho)
      snprintf (val + strlen (val), sizeof val - strlen (val), "%shca_object=%" PRIu64,
                hh ? " " : "", ob);
    struct oci_key_value *kv = &r->rdma_raw[r->n_rdma];
    if ((kv->key = xdup (dev, err)) == NULL || (kv->value = xdup (val, err)) == NULL)
      {
        free (kv->key);
        kv->key = NULL;
        return -ENOMEM;
      }
    r->n_rdma++;
  }
  return 0;
}

/* ------------------------------------------------------------- unified */

static int
parse_unified (json_object *o, struct oci_resources *r, struct error **err)
{
  json_object *m;
  int rc = get_typed (o, "unified", P "unified", json_type_object, &m, err);
  if (rc <= 0)
    return rc;
  size_t n = (size_t) json_object_object_length (m);
  if (n > MAX_UNIFIED)
    return error_set (err, E2BIG, "`" P "unified` has more than %d entries",
                      MAX_UNIFIED);
  r->unified = calloc (n ? n : 1, sizeof *r->unified);
  if (r->unified == NULL)
    return error_set (err, ENOMEM, "out of memory");
  json_object_object_foreach (m, key, v)
  {
    /* the key names a file in the container's cgroup directory */
    if (*key == '\0' || strchr (key, '/') || strstr (key, "..")
        || strchr (key, '\n') || strlen (key) > 128)
      return error_set (err, EINVAL,
                        "`" P "unified`: invalid key `%.64s` (must be a cgroup "
                        "file name like `memory.high`)", key);
    if (v == NULL || json_object_get_type (v) != json_type_string)
      return error_set (err, EINVAL, "`" P "unified.%s` must be a string", key);
    const char *val = json_object_get_string (v);
    if (strlen (val) > MAX_UNIFIED_VALUE)
      return error_set (err, E2BIG, "`" P "unified.%s` is too long", key);
    struct oci_key_value *kv = &r->unified[r->n_unified];
    if ((kv->key = xdup (key, err)) == NULL || (kv->value = xdup (val, err)) == NULL)
      {
        free (kv->key);
        kv->key = NULL;
        return -ENOMEM;
      }
    r->n_unified++;
  }
  return 0;
}

/* ---------------------------------------------------------------- entry */

void
oci_resources_clear (struct oci_resources *r)
{
  if (r == NULL)
    return;
  free (r->devices);
  free (r->cpu.cpus);
  free (r->cpu.mems);
  free (r->block_io.weight_device);
  free (r->block_io.throttle_read_bps);
  free (r->block_io.throttle_write_bps);
  free (r->block_io.throttle_read_iops);
  free (r->block_io.throttle_write_iops);
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    free (r->hugepage_limits[i].page_size);
  free (r->hugepage_limits);
  for (size_t i = 0; i < r->network.n_priorities; i++)
    free (r->network.priorities[i].name);
  free (r->network.priorities);
  for (size_t i = 0; i < r->n_unified; i++)
    {
      free (r->unified[i].key);
      free (r->unified[i].value);
    }
  free (r->unified);
  for (size_t i = 0; i < r->n_rdma; i++)
    {
      free (r->rdma_raw[i].key);
      free (r->rdma_raw[i].value);
    }
  free (r->rdma_raw);
  memset (r, 0, sizeof *r);
}

int
oci_resources_parse (json_object *o, struct oci_resources *out,
                     struct error **err)
{
  if (o == NULL || json_object_get_type (o) != json_type_object)
    return error_set (err, EINVAL, "`linux.resources` must be an object");
  struct oci_resources r;
  memset (&r, 0, sizeof r);
  int rc;
  if ((rc = parse_devices (o, &r, err)) < 0 || (rc = parse_memory (o, &r, err)) < 0
      || (rc = parse_cpu (o, &r, err)) < 0 || (rc = parse_pids (o, &r, err)) < 0
      || (rc = parse_blockio (o, &r, err)) < 0
      || (rc = parse_hugepages (o, &r, err)) < 0
      || (rc = parse_network (o, &r, err)) < 0 || (rc = parse_rdma (o, &r, err)) < 0
      || (rc = parse_unified (o, &r, err)) < 0)
    {
      oci_resources_clear (&r);
      return rc;
    }
  r.present = true;
  *out = r;
  return 0;
}
