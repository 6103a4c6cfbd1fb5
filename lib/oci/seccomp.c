/* seccomp.c - runtime-spec linux.seccomp -> struct oci_seccomp.
 *
 * Validation happens here, once, so that the compiler (lib/seccomp) only
 * sees well-formed input: every action, operator, architecture and flag is
 * one runtime-spec names, errnoRet is only given where the action takes one,
 * and every error names the key it is about:
 *   `linux.seccomp.syscalls[3].action`: unknown action `SCMP_ACT_FOO`
 * Unknown keys are ignored, as runtime-spec asks.  Syscall names are not
 * checked against a table here: which names exist depends on libseccomp and
 * the architecture, and unknown ones are skipped at compile time (as runc and
 * crun do).
 */
#include "oci/seccomp-parse.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

static const char *const action_names[] = {
  [OCI_SECCOMP_KILL] = "SCMP_ACT_KILL",
  [OCI_SECCOMP_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
  [OCI_SECCOMP_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
  [OCI_SECCOMP_TRAP] = "SCMP_ACT_TRAP",
  [OCI_SECCOMP_ERRNO] = "SCMP_ACT_ERRNO",
  [OCI_SECCOMP_TRACE] = "SCMP_ACT_TRACE",
  [OCI_SECCOMP_ALLOW] = "SCMP_ACT_ALLOW",
  [OCI_SECCOMP_LOG] = "SCMP_ACT_LOG",
  [OCI_SECCOMP_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static const char *const op_names[] = {
  [OCI_SECCOMP_OP_NE] = "SCMP_CMP_NE",
  [OCI_SECCOMP_OP_LT] = "SCMP_CMP_LT",
  [OCI_SECCOMP_OP_LE] = "SCMP_CMP_LE",
  [OCI_SECCOMP_OP_EQ] = "SCMP_CMP_EQ",
  [OCI_SECCOMP_OP_GE] = "SCMP_CMP_GE",
  [OCI_SECCOMP_OP_GT] = "SCMP_CMP_GT",
  [OCI_SECCOMP_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

/* runtime-spec 1.2's list (libseccomp 2.6 names); whether the linked
 * libseccomp knows one is checked when compiling. */
static const char *const arch_names[] = {
  "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
  "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
  "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
};

static const char *const flag_names[] = {
  "SECCOMP_FILTER_FLAG_TSYNC",
  "SECCOMP_FILTER_FLAG_LOG",
  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

static int
lookup (const char *const *table, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (table[i] && strcmp (table[i], name) == 0)
      return (int)i;
  return -1;
}

int
oci_seccomp_action_from_name (const char *name)
{
  return lookup (action_names, ARRAY_SIZE (action_names), name);
}

const char *
oci_seccomp_action_name (enum oci_seccomp_action a)
{
  return (unsigned)a < ARRAY_SIZE (action_names) ? action_names[a] : NULL;
}

int
oci_seccomp_op_from_name (const char *name)
{
  return lookup (op_names, ARRAY_SIZE (op_names), name);
}

const char *
oci_seccomp_op_name (enum oci_seccomp_op op)
{
  return (unsigned)op < ARRAY_SIZE (op_names) ? op_names[op] : NULL;
}

bool
oci_seccomp_arch_valid (const char *name)
{
  return lookup (arch_names, ARRAY_SIZE (arch_names), name) >= 0;
}

bool
oci_seccomp_flag_valid (const char *name)
{
  return lookup (flag_names, ARRAY_SIZE (flag_names), name) >= 0;
}

void
oci_seccomp_clear (struct oci_seccomp *s)
{
  if (s == NULL)
    return;
  strv_free (s->architectures);
  strv_free (s->flags);
  free (s->listener_path);
  free (s->listener_metadata);
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      strv_free (s->syscalls[i].names);
      free (s->syscalls[i].args);
    }
  free (s->syscalls);
  memset (s, 0, sizeof *s);
}

/* ------------------------------------------------------------ key paths */

/* A key path such as "linux.seccomp.syscalls[3].args[0].op", built in a
 * fixed buffer: the parts are ours or small indices, `where` is a caller's
 * constant. */
struct keypath
{
  char buf[256];
};

static const char *kp (struct keypath *k, const char *where, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static const char *
kp (struct keypath *k, const char *where, const char *fmt, ...)
{
  size_t off = 0;
  if (where && *where)
    {
      int n = snprintf (k->buf, sizeof k->buf, "%s.", where);
      off = n < 0 ? 0 : (size_t)n < sizeof k->buf ? (size_t)n : sizeof k->buf - 1;
    }
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (k->buf + off, sizeof k->buf - off, fmt, ap);
  va_end (ap);
  return k->buf;
}

static const char *
type_article (json_type t)
{
  return t == json_type_array || t == json_type_object || t == json_type_int ? "an" : "a";
}

/* Get member `key` of o with type `want`; 0 when absent (or JSON null),
 * 1 when present, -EINVAL (with *err naming `path`) on a wrong type. */
static int
member (json_object *o, const char *key, json_type want, const char *path, json_object **v,
        struct error **err)
{
  *v = NULL;
  if (!json_object_object_get_ex (o, key, v) || *v == NULL)
    return 0;
  json_type t = json_object_get_type (*v);
  if (t != want)
    return error_set (err, EINVAL, "`%s` must be %s %s, not %s", path, type_article (want),
                      json_type_to_name (want), json_type_to_name (t));
  return 1;
}

/* An unsigned integer no larger than max. */
static int
get_uint (json_object *v, const char *path, uint64_t max, uint64_t *out, struct error **err)
{
  if (json_object_get_type (v) == json_type_double)
    {
      /* json-c turns integers beyond 64 bits into doubles */
      double d = json_object_get_double (v);
      if (d == (double)(int64_t)d || d >= 18446744073709551616.0 || d <= -9223372036854775808.0)
        return error_set (err, ERANGE, "`%s` is out of range (at most %llu)", path,
                          (unsigned long long)max);
      return error_set (err, EINVAL, "`%s` must be an unsigned integer, not a fraction", path);
    }
  if (json_object_get_type (v) != json_type_int)
    return error_set (err, EINVAL, "`%s` must be an unsigned integer, not %s", path,
                      json_type_to_name (json_object_get_type (v)));
  /* json-c keeps the sign of what it parsed: a negative number must not
   * wrap around into a huge unsigned one. */
  if (json_object_get_int64 (v) < 0)
    return error_set (err, ERANGE, "`%s` must not be negative", path);
  errno = 0;
  uint64_t x = json_object_get_uint64 (v);
  if (errno == ERANGE || x > max)
    return error_set (err, ERANGE, "`%s` is out of range (at most %llu)", path,
                      (unsigned long long)max);
  *out = x;
  return 0;
}

static int
get_uint_member (json_object *o, const char *key, const char *path, uint64_t max, bool *has,
                 uint64_t *out, struct error **err)
{
  json_object *v;
  *has = false;
  if (!json_object_object_get_ex (o, key, &v) || v == NULL)
    return 0;
  int r = get_uint (v, path, max, out, err);
  if (r < 0)
    return r;
  *has = true;
  return 1;
}

/* An array of non-empty strings, each at most max_len bytes, at most
 * max_items of them. */
static int
get_strv (json_object *a, const char *path, size_t max_items, size_t max_len, char ***out,
          struct error **err)
{
  size_t n = json_object_array_length (a);
  if (n > max_items)
    return error_set (err, E2BIG, "`%s` has %zu entries, at most %zu allowed", path, n, max_items);
  _cleanup_strv_ char **v = calloc (n + 1, sizeof *v);
  if (v == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      if (json_object_get_type (e) != json_type_string)
        return error_set (err, EINVAL, "`%s[%zu]` must be a string, not %s", path, i,
                          json_type_to_name (json_object_get_type (e)));
      const char *s = json_object_get_string (e);
      size_t len = (size_t)json_object_get_string_len (e);
      if (len == 0)
        return error_set (err, EINVAL, "`%s[%zu]` must not be empty", path, i);
      if (len > max_len || strlen (s) != len)
        return error_set (err, EINVAL, "`%s[%zu]` is not a valid name", path, i);
      v[i] = strdup (s);
      if (v[i] == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }
  *out = TAKE_PTR (v);
  return 0;
}

static int
get_action (json_object *o, const char *key, const char *path, enum oci_seccomp_action *out,
            struct error **err)
{
  json_object *v;
  int r = member (o, key, json_type_string, path, &v, err);
  if (r < 0)
    return r;
  if (r == 0)
    return error_set (err, EINVAL, "`%s` is required", path);
  const char *name = json_object_get_string (v);
  int a = oci_seccomp_action_from_name (name);
  if (a < 0)
    return error_set (err, EINVAL, "`%s`: unknown action `%s`", path, name);
  *out = (enum oci_seccomp_action)a;
  return 0;
}

static bool
action_takes_errno (enum oci_seccomp_action a)
{
  return a == OCI_SECCOMP_ERRNO || a == OCI_SECCOMP_TRACE;
}

/* errnoRet / defaultErrnoRet: runtime-spec says a runtime MUST fail when the
 * action takes no errno. */
static int
get_errno_ret (json_object *o, const char *key, const char *path, enum oci_seccomp_action action,
               bool *has, uint32_t *out, struct error **err)
{
  uint64_t x = 0;
  int r = get_uint_member (o, key, path, OCI_SECCOMP_MAX_ERRNO, has, &x, err);
  if (r <= 0)
    return r;
  if (!action_takes_errno (action))
    return error_set (err, EINVAL,
                      "`%s` is only allowed with SCMP_ACT_ERRNO or "
                      "SCMP_ACT_TRACE, not `%s`",
                      path, oci_seccomp_action_name (action));
  *out = (uint32_t)x;
  return 0;
}

static int
parse_arg (json_object *o, const char *where, size_t i, size_t j, struct oci_seccomp_arg *out,
           struct error **err)
{
  struct keypath k;
  if (json_object_get_type (o) != json_type_object)
    return error_set (err, EINVAL, "`%s` must be an object, not %s",
                      kp (&k, where, "syscalls[%zu].args[%zu]", i, j),
                      json_type_to_name (json_object_get_type (o)));
  bool has;
  uint64_t x;
  int r = get_uint_member (o, "index", kp (&k, where, "syscalls[%zu].args[%zu].index", i, j), 5,
                           &has, &x, err);
  if (r < 0)
    return r;
  if (!has)
    return error_set (err, EINVAL, "`%s` is required", k.buf);
  out->index = (unsigned)x;

  r = get_uint_member (o, "value", kp (&k, where, "syscalls[%zu].args[%zu].value", i, j),
                       UINT64_MAX, &has, &out->value, err);
  if (r < 0)
    return r;
  if (!has)
    return error_set (err, EINVAL, "`%s` is required", k.buf);

  r = get_uint_member (o, "valueTwo", kp (&k, where, "syscalls[%zu].args[%zu].valueTwo", i, j),
                       UINT64_MAX, &has, &out->value_two, err);
  if (r < 0)
    return r;

  json_object *v;
  r = member (o, "op", json_type_string, kp (&k, where, "syscalls[%zu].args[%zu].op", i, j), &v,
              err);
  if (r < 0)
    return r;
  if (r == 0)
    return error_set (err, EINVAL, "`%s` is required", k.buf);
  int op = oci_seccomp_op_from_name (json_object_get_string (v));
  if (op < 0)
    return error_set (err, EINVAL, "`%s`: unknown operator `%s`", k.buf,
                      json_object_get_string (v));
  out->op = (enum oci_seccomp_op)op;
  return 0;
}

static int
parse_rule (json_object *o, const char *where, size_t i, struct oci_seccomp_rule *out,
            size_t *total_names, struct error **err)
{
  struct keypath k;
  json_object *v;
  int r;

  if (json_object_get_type (o) != json_type_object)
    return error_set (err, EINVAL, "`%s` must be an object, not %s",
                      kp (&k, where, "syscalls[%zu]", i),
                      json_type_to_name (json_object_get_type (o)));

  r = member (o, "names", json_type_array, kp (&k, where, "syscalls[%zu].names", i), &v, err);
  if (r < 0)
    return r;
  if (r == 0)
    return error_set (err, EINVAL, "`%s` is required", k.buf);
  if (json_object_array_length (v) == 0)
    return error_set (err, EINVAL, "`%s` must not be empty", k.buf);
  r = get_strv (v, k.buf, OCI_SECCOMP_MAX_NAMES, OCI_SECCOMP_MAX_NAME_LEN, &out->names, err);
  if (r < 0)
    return r;
  *total_names += strv_len (out->names);
  if (*total_names > OCI_SECCOMP_MAX_NAMES)
    return error_set (err, E2BIG, "`%s`: more than %d syscall names in all",
                      kp (&k, where, "syscalls"), OCI_SECCOMP_MAX_NAMES);

  r = get_action (o, "action", kp (&k, where, "syscalls[%zu].action", i), &out->action, err);
  if (r < 0)
    return r;

  r = get_errno_ret (o, "errnoRet", kp (&k, where, "syscalls[%zu].errnoRet", i), out->action,
                     &out->has_errno_ret, &out->errno_ret, err);
  if (r < 0)
    return r;

  r = member (o, "args", json_type_array, kp (&k, where, "syscalls[%zu].args", i), &v, err);
  if (r < 0)
    return r;
  if (r == 1)
    {
      size_t n = json_object_array_length (v);
      if (n > OCI_SECCOMP_MAX_ARGS)
        return error_set (err, E2BIG, "`%s` has %zu entries, at most %d allowed", k.buf, n,
                          OCI_SECCOMP_MAX_ARGS);
      if (n > 0)
        {
          out->args = calloc (n, sizeof *out->args);
          if (out->args == NULL)
            return error_set (err, ENOMEM, "out of memory");
          for (size_t j = 0; j < n; j++)
            {
              r = parse_arg (json_object_array_get_idx (v, j), where, i, j, &out->args[j], err);
              if (r < 0)
                return r;
              out->n_args++;
            }
        }
    }
  return 0;
}

static int
parse_into (json_object *o, const char *where, struct oci_seccomp *s, struct error **err)
{
  struct keypath k;
  json_object *v;
  int r;

  if (json_object_get_type (o) != json_type_object)
    return error_set (err, EINVAL, "`%s` must be an object, not %s",
                      where && *where ? where : "seccomp",
                      json_type_to_name (json_object_get_type (o)));

  r = get_action (o, "defaultAction", kp (&k, where, "defaultAction"), &s->default_action, err);
  if (r < 0)
    return r;
  /* With NOTIFY as the default, every syscall of the container - including
   * the ones the runtime still makes to hand the listener fd over - would
   * wait for an agent that has not got the fd yet. runc refuses it too. */
  if (s->default_action == OCI_SECCOMP_NOTIFY)
    return error_set (err, EINVAL, "`%s`: SCMP_ACT_NOTIFY cannot be the default action", k.buf);

  r = get_errno_ret (o, "defaultErrnoRet", kp (&k, where, "defaultErrnoRet"), s->default_action,
                     &s->has_default_errno_ret, &s->default_errno_ret, err);
  if (r < 0)
    return r;

  r = member (o, "architectures", json_type_array, kp (&k, where, "architectures"), &v, err);
  if (r < 0)
    return r;
  if (r == 1)
    {
      r = get_strv (v, k.buf, OCI_SECCOMP_MAX_ARCHES, 64, &s->architectures, err);
      if (r < 0)
        return r;
      for (size_t i = 0; s->architectures[i]; i++)
        if (!oci_seccomp_arch_valid (s->architectures[i]))
          return error_set (err, EINVAL, "`%s[%zu]`: unknown architecture `%s`", k.buf, i,
                            s->architectures[i]);
    }

  r = member (o, "flags", json_type_array, kp (&k, where, "flags"), &v, err);
  if (r < 0)
    return r;
  if (r == 1)
    {
      r = get_strv (v, k.buf, OCI_SECCOMP_MAX_FLAGS, 64, &s->flags, err);
      if (r < 0)
        return r;
      for (size_t i = 0; s->flags[i]; i++)
        if (!oci_seccomp_flag_valid (s->flags[i]))
          return error_set (err, EINVAL, "`%s[%zu]`: unknown flag `%s`", k.buf, i, s->flags[i]);
    }

  r = member (o, "listenerPath", json_type_string, kp (&k, where, "listenerPath"), &v, err);
  if (r < 0)
    return r;
  if (r == 1)
    {
      const char *p = json_object_get_string (v);
      size_t len = (size_t)json_object_get_string_len (v);
      if (len == 0 || strlen (p) != len)
        return error_set (err, EINVAL, "`%s` must be a socket path", k.buf);
      if (len >= sizeof ((struct sockaddr_un *)0)->sun_path)
        return error_set (err, ENAMETOOLONG, "`%s`: socket path is longer than %zu bytes", k.buf,
                          sizeof ((struct sockaddr_un *)0)->sun_path - 1);
      s->listener_path = strdup (p);
      if (s->listener_path == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }

  r = member (o, "listenerMetadata", json_type_string, kp (&k, where, "listenerMetadata"), &v, err);
  if (r < 0)
    return r;
  if (r == 1)
    {
      if (s->listener_path == NULL)
        return error_set (err, EINVAL, "`%s` requires `listenerPath`", k.buf);
      size_t len = (size_t)json_object_get_string_len (v);
      if (len > OCI_SECCOMP_MAX_METADATA)
        return error_set (err, E2BIG, "`%s` is longer than %d bytes", k.buf,
                          OCI_SECCOMP_MAX_METADATA);
      s->listener_metadata = strndup (json_object_get_string (v), len);
      if (s->listener_metadata == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }

  r = member (o, "syscalls", json_type_array, kp (&k, where, "syscalls"), &v, err);
  if (r < 0)
    return r;
  if (r == 1)
    {
      size_t n = json_object_array_length (v);
      if (n > OCI_SECCOMP_MAX_SYSCALLS)
        return error_set (err, E2BIG, "`%s` has %zu entries, at most %d allowed", k.buf, n,
                          OCI_SECCOMP_MAX_SYSCALLS);
      if (n > 0)
        {
          s->syscalls = calloc (n, sizeof *s->syscalls);
          if (s->syscalls == NULL)
            return error_set (err, ENOMEM, "out of memory");
        }
      size_t total_names = 0;
      bool notify = false;
      for (size_t i = 0; i < n; i++)
        {
          /* counted first so that oci_seccomp_clear() frees a half-parsed
           * entry */
          s->n_syscalls++;
          r = parse_rule (json_object_array_get_idx (v, i), where, i, &s->syscalls[i], &total_names,
                          err);
          if (r < 0)
            return r;
          if (s->syscalls[i].action == OCI_SECCOMP_NOTIFY && !notify)
            {
              notify = true;
              if (s->listener_path == NULL)
                return error_set (err, EINVAL, "`%s`: SCMP_ACT_NOTIFY requires `listenerPath`",
                                  kp (&k, where, "syscalls[%zu].action", i));
            }
        }
    }
  return 0;
}

int
oci_seccomp_parse_at (json_object *o, const char *where, struct oci_seccomp *out,
                      struct error **err)
{
  struct oci_seccomp s = { 0 };
  memset (out, 0, sizeof *out);
  if (o == NULL)
    return 0;
  int r = parse_into (o, where, &s, err);
  if (r < 0)
    {
      oci_seccomp_clear (&s);
      return r;
    }
  s.present = true;
  *out = s;
  return 0;
}

int
oci_seccomp_parse (json_object *o, struct oci_seccomp *out, struct error **err)
{
  return oci_seccomp_parse_at (o, "linux.seccomp", out, err);
}
