/* profile.c - Docker-format seccomp profiles -> runtime-spec linux.seccomp.
 *
 * Docker's format is runtime-spec's linux.seccomp plus:
 *   - `archMap`: [{architecture, subArchitectures}] - the entry for the
 *     native architecture becomes `architectures`;
 *   - per syscall entry `includes` / `excludes`, each with `caps`, `arches`
 *     and `minKernel` ("major.minor"), and the old single `name`, and a
 *     `comment`.
 * An entry is kept when every `includes` condition holds (all its caps held,
 * the native arch listed, the kernel at least minKernel) and no `excludes`
 * condition does (none of its caps held, the native arch not listed, the
 * kernel older than minKernel) - the same reading as moby's.
 */
#include "seccomp/profile.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "config.h"
#include "oci/config.h"
#include "oci/seccomp-parse.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define PROFILE_MAX_SIZE (4u << 20)

uint64_t
seccomp_profile_docker_default_caps (void)
{
  static const char *const caps[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE",
  };
  uint64_t set = 0;
  for (size_t i = 0; i < ARRAY_SIZE (caps); i++)
    set |= 1ULL << oci_cap_from_name (caps[i]);
  return set;
}

/* libseccomp's architecture token <-> runtime-spec's name <-> Docker's. */
static const struct
{
  uint32_t token;
  const char *scmp;
  const char *docker;
} arches[] = {
  { SCMP_ARCH_X86, "SCMP_ARCH_X86", "x86" },
  { SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64", "amd64" },
  { SCMP_ARCH_X32, "SCMP_ARCH_X32", "x32" },
  { SCMP_ARCH_ARM, "SCMP_ARCH_ARM", "arm" },
  { SCMP_ARCH_AARCH64, "SCMP_ARCH_AARCH64", "arm64" },
  { SCMP_ARCH_MIPS, "SCMP_ARCH_MIPS", "mips" },
  { SCMP_ARCH_MIPS64, "SCMP_ARCH_MIPS64", "mips64" },
  { SCMP_ARCH_MIPS64N32, "SCMP_ARCH_MIPS64N32", "mips64n32" },
  { SCMP_ARCH_MIPSEL, "SCMP_ARCH_MIPSEL", "mipsel" },
  { SCMP_ARCH_MIPSEL64, "SCMP_ARCH_MIPSEL64", "mipsel64" },
  { SCMP_ARCH_MIPSEL64N32, "SCMP_ARCH_MIPSEL64N32", "mipsel64n32" },
  { SCMP_ARCH_PPC, "SCMP_ARCH_PPC", "ppc" },
  { SCMP_ARCH_PPC64, "SCMP_ARCH_PPC64", "ppc64" },
  { SCMP_ARCH_PPC64LE, "SCMP_ARCH_PPC64LE", "ppc64le" },
  { SCMP_ARCH_S390, "SCMP_ARCH_S390", "s390" },
  { SCMP_ARCH_S390X, "SCMP_ARCH_S390X", "s390x" },
  { SCMP_ARCH_PARISC, "SCMP_ARCH_PARISC", "parisc" },
  { SCMP_ARCH_PARISC64, "SCMP_ARCH_PARISC64", "parisc64" },
  { SCMP_ARCH_RISCV64, "SCMP_ARCH_RISCV64", "riscv64" },
#ifdef SCMP_ARCH_LOONGARCH64
  { SCMP_ARCH_LOONGARCH64, "SCMP_ARCH_LOONGARCH64", "loong64" },
#endif
};

const char *
seccomp_profile_native_arch (void)
{
  uint32_t native = seccomp_arch_native ();
  for (size_t i = 0; i < ARRAY_SIZE (arches); i++)
    if (arches[i].token == native)
      return arches[i].docker;
  return "unknown";
}

static const char *
scmp_name_of (const char *docker)
{
  for (size_t i = 0; i < ARRAY_SIZE (arches); i++)
    if (strcmp (arches[i].docker, docker) == 0)
      return arches[i].scmp;
  return NULL;
}

struct host
{
  uint64_t caps;
  const char *arch; /* Docker's name */
  unsigned kmajor, kminor;
};

/* "4.8" -> 4, 8.  Docker takes exactly "<kernel>.<major>". */
static int
parse_kernel_version (const char *s, unsigned *major, unsigned *minor)
{
  char *end;
  errno = 0;
  unsigned long a = strtoul (s, &end, 10);
  if (end == s || *end != '.' || errno || a > 255)
    return -EINVAL;
  const char *p = end + 1;
  unsigned long b = strtoul (p, &end, 10);
  if (end == p || errno || b > 255 || (a == 0 && b == 0))
    return -EINVAL;
  if (*end != '\0')
    return -EINVAL;
  *major = (unsigned)a;
  *minor = (unsigned)b;
  return 0;
}

static bool
kernel_at_least (const struct host *h, unsigned major, unsigned minor)
{
  return h->kmajor > major || (h->kmajor == major && h->kminor >= minor);
}

/* An array of strings at `key` of a filter object, or NULL. */
static int
filter_strings (json_object *filter, const char *key, const char *path, json_object **out,
                struct error **err)
{
  *out = NULL;
  json_object *v;
  if (!json_object_object_get_ex (filter, key, &v) || v == NULL)
    return 0;
  if (json_object_get_type (v) != json_type_array)
    return error_set (err, EINVAL, "`%s.%s` must be an array", path, key);
  for (size_t i = 0; i < json_object_array_length (v); i++)
    if (json_object_get_type (json_object_array_get_idx (v, i)) != json_type_string)
      return error_set (err, EINVAL, "`%s.%s[%zu]` must be a string", path, key, i);
  *out = v;
  return 1;
}

static bool
holds_cap (const struct host *h, const char *name)
{
  int n = oci_cap_from_name (name);
  if (n < 0 || n >= 64)
    {
      /* Docker compares names; an unknown one is simply not held. */
      log_debug ("seccomp profile: unknown capability `%s`", name);
      return false;
    }
  return (h->caps >> n) & 1;
}

/* Evaluate an `includes` (want = true) or `excludes` (want = false) filter
 * at path; *keep is cleared when the entry must go. */
static int
apply_filter (json_object *entry, const char *key, bool includes, const struct host *h,
              const char *path, bool *keep, struct error **err)
{
  json_object *f;
  if (!json_object_object_get_ex (entry, key, &f) || f == NULL)
    return 0;
  char fpath[128];
  snprintf (fpath, sizeof fpath, "%s.%s", path, key);
  if (json_object_get_type (f) != json_type_object)
    return error_set (err, EINVAL, "`%s` must be an object", fpath);

  json_object *caps, *archs, *mk;
  int r = filter_strings (f, "caps", fpath, &caps, err);
  if (r < 0)
    return r;
  r = filter_strings (f, "arches", fpath, &archs, err);
  if (r < 0)
    return r;

  if (caps)
    for (size_t i = 0; i < json_object_array_length (caps); i++)
      {
        bool held = holds_cap (h, json_object_get_string (json_object_array_get_idx (caps, i)));
        if (includes ? !held : held)
          *keep = false;
      }
  if (archs && json_object_array_length (archs) > 0)
    {
      bool listed = false;
      for (size_t i = 0; i < json_object_array_length (archs); i++)
        if (strcmp (json_object_get_string (json_object_array_get_idx (archs, i)), h->arch) == 0)
          listed = true;
      if (includes ? !listed : listed)
        *keep = false;
    }
  if (json_object_object_get_ex (f, "minKernel", &mk) && mk != NULL)
    {
      unsigned maj, min;
      if (json_object_get_type (mk) != json_type_string
          || parse_kernel_version (json_object_get_string (mk), &maj, &min) < 0)
        return error_set (err, EINVAL, "`%s.minKernel` must be a kernel version such as \"4.8\"",
                          fpath);
      bool newer = kernel_at_least (h, maj, min);
      if (includes ? !newer : newer)
        *keep = false;
    }
  return 0;
}

/* Copy key from src to dst when present (a new reference). */
static void
copy_key (json_object *dst, json_object *src, const char *key)
{
  json_object *v;
  if (json_object_object_get_ex (src, key, &v) && v != NULL)
    json_object_object_add (dst, key, json_object_get (v));
}

/* One syscall entry in runtime-spec shape: names (from `names` or the old
 * `name`), action, errnoRet, args. */
static int
convert_entry (json_object *e, const char *path, json_object **out, struct error **err)
{
  if (json_object_get_type (e) != json_type_object)
    return error_set (err, EINVAL, "`%s` must be an object", path);
  _cleanup_json_ json_object *o = json_object_new_object ();
  if (o == NULL)
    return error_set (err, ENOMEM, "out of memory");
  json_object *name, *names;
  bool has_name = json_object_object_get_ex (e, "name", &name) && name != NULL;
  bool has_names = json_object_object_get_ex (e, "names", &names) && names != NULL;
  if (has_name && has_names)
    return error_set (err, EINVAL, "`%s`: both `name` and `names` are given", path);
  if (has_name)
    {
      if (json_object_get_type (name) != json_type_string)
        return error_set (err, EINVAL, "`%s.name` must be a string", path);
      json_object *a = json_object_new_array ();
      if (a == NULL)
        return error_set (err, ENOMEM, "out of memory");
      json_object_array_add (a, json_object_get (name));
      json_object_object_add (o, "names", a);
    }
  else
    copy_key (o, e, "names");
  copy_key (o, e, "action");
  copy_key (o, e, "errnoRet");
  copy_key (o, e, "args");
  *out = TAKE_PTR (o);
  return 0;
}

static int
resolve_architectures (json_object *profile, json_object *out, const struct host *h,
                       struct error **err)
{
  json_object *given = NULL, *map = NULL;
  json_object_object_get_ex (profile, "architectures", &given);
  json_object_object_get_ex (profile, "archMap", &map);
  bool has_given = given && json_object_get_type (given) == json_type_array
                   && json_object_array_length (given) > 0;
  if (map != NULL && json_object_get_type (map) != json_type_array)
    return error_set (err, EINVAL, "`archMap` must be an array");
  if (map == NULL || json_object_array_length (map) == 0)
    {
      copy_key (out, profile, "architectures");
      return 0;
    }
  if (has_given)
    return error_set (err, EINVAL, "both `architectures` and `archMap` are given");

  const char *native = scmp_name_of (h->arch);
  for (size_t i = 0; i < json_object_array_length (map); i++)
    {
      json_object *m = json_object_array_get_idx (map, i), *a, *subs;
      if (json_object_get_type (m) != json_type_object
          || !json_object_object_get_ex (m, "architecture", &a)
          || json_object_get_type (a) != json_type_string)
        return error_set (err, EINVAL, "`archMap[%zu].architecture` must be a string", i);
      if (native == NULL || strcmp (json_object_get_string (a), native) != 0)
        continue;
      json_object *list = json_object_new_array ();
      if (list == NULL)
        return error_set (err, ENOMEM, "out of memory");
      json_object_object_add (out, "architectures", list);
      json_object_array_add (list, json_object_get (a));
      if (json_object_object_get_ex (m, "subArchitectures", &subs) && subs != NULL)
        {
          if (json_object_get_type (subs) != json_type_array)
            return error_set (err, EINVAL, "`archMap[%zu].subArchitectures` must be an array", i);
          for (size_t j = 0; j < json_object_array_length (subs); j++)
            json_object_array_add (list, json_object_get (json_object_array_get_idx (subs, j)));
        }
      break;
    }
  return 0;
}

static int
resolve (json_object *profile, const struct host *h, json_object **out_obj, struct error **err)
{
  if (profile == NULL || json_object_get_type (profile) != json_type_object)
    return error_set (err, EINVAL, "a seccomp profile must be a JSON object");

  _cleanup_json_ json_object *out = json_object_new_object ();
  _cleanup_json_ json_object *all = json_object_new_array ();
  _cleanup_json_ json_object *kept = json_object_new_array ();
  if (out == NULL || all == NULL || kept == NULL)
    return error_set (err, ENOMEM, "out of memory");

  copy_key (out, profile, "defaultAction");
  copy_key (out, profile, "defaultErrnoRet");
  copy_key (out, profile, "flags");
  copy_key (out, profile, "listenerPath");
  copy_key (out, profile, "listenerMetadata");
  int r = resolve_architectures (profile, out, h, err);
  if (r < 0)
    return r;

  json_object *calls;
  if (json_object_object_get_ex (profile, "syscalls", &calls) && calls != NULL)
    {
      if (json_object_get_type (calls) != json_type_array)
        return error_set (err, EINVAL, "`syscalls` must be an array");
      size_t n = json_object_array_length (calls);
      if (n > OCI_SECCOMP_MAX_SYSCALLS)
        return error_set (err, E2BIG, "`syscalls` has %zu entries, at most %d allowed", n,
                          OCI_SECCOMP_MAX_SYSCALLS);
      for (size_t i = 0; i < n; i++)
        {
          json_object *e = json_object_array_get_idx (calls, i), *c = NULL;
          char path[48];
          snprintf (path, sizeof path, "syscalls[%zu]", i);
          r = convert_entry (e, path, &c, err);
          if (r < 0)
            return r;
          json_object_array_add (all, c);
          bool keep = true;
          r = apply_filter (e, "includes", true, h, path, &keep, err);
          if (r < 0)
            return r;
          r = apply_filter (e, "excludes", false, h, path, &keep, err);
          if (r < 0)
            return r;
          if (keep)
            json_object_array_add (kept, json_object_get (c));
        }
    }

  /* Validate every entry, kept or not, with the linux.seccomp parser: the
   * indices in its messages are then those of the profile itself. */
  json_object_object_add (out, "syscalls", json_object_get (all));
  struct oci_seccomp s;
  r = oci_seccomp_parse_at (out, NULL, &s, err);
  if (r < 0)
    return r;
  oci_seccomp_clear (&s);
  json_object_object_add (out, "syscalls", json_object_get (kept));

  *out_obj = TAKE_PTR (out);
  return 0;
}

int
seccomp_profile_resolve_for (json_object *profile, uint64_t effective_caps, const char *arch,
                             unsigned kernel_major, unsigned kernel_minor,
                             json_object **oci_seccomp_out, struct error **err)
{
  struct host h = { effective_caps, arch, kernel_major, kernel_minor };
  return resolve (profile, &h, oci_seccomp_out, err);
}

int
seccomp_profile_resolve (json_object *profile, uint64_t effective_caps,
                         json_object **oci_seccomp_out, struct error **err)
{
  struct utsname u;
  unsigned major = 0, minor = 0;
  if (uname (&u) == 0)
    {
      /* "6.18.0-1-amd64" -> 6.18; an unparsable release counts as 0.0, so
       * minKernel includes are left out rather than wrongly kept. */
      if (sscanf (u.release, "%u.%u", &major, &minor) != 2)
        major = minor = 0;
    }
  return seccomp_profile_resolve_for (profile, effective_caps, seccomp_profile_native_arch (),
                                      major, minor, oci_seccomp_out, err);
}

const char *
seccomp_profile_default_path (void)
{
  static const char *const candidates[] = {
    HULL_DATADIR "/seccomp/default.json",
    HULL_SOURCE_DATADIR "/seccomp/default.json",
  };
  for (size_t i = 0; i < ARRAY_SIZE (candidates); i++)
    if (access (candidates[i], R_OK) == 0)
      return candidates[i];
  return NULL;
}

int
seccomp_profile_load_default (json_object **out, struct error **err)
{
  const char *path = seccomp_profile_default_path ();
  if (path == NULL)
    return error_set (err, ENOENT, "default seccomp profile not found in `%s` or `%s`",
                      HULL_DATADIR "/seccomp", HULL_SOURCE_DATADIR "/seccomp");
  return jsonx_parse_file (path, PROFILE_MAX_SIZE, out, err);
}
