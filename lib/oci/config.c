/* config.c - config.json (runtime-spec 1.2, Linux) -> struct oci_config.
 *
 * The document comes from whoever wrote the bundle: every value is checked
 * for type and range here, so that the runtime can trust the model.  Unknown
 * keys are ignored, as the spec requires; a known key of the wrong type is an
 * error naming it.  Mounts are in mount.c, the process in process.c,
 * linux.resources in resources.c and linux.seccomp in seccomp.c.
 */
#include "oci/config.h"
#include "oci/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

/* ------------------------------------------------------------- helpers */

/* Append s to buf (of OCI_KEY_MAX bytes) at *pos, truncating quietly: a
 * shortened key only shortens a message. */
static void
key_append (char *buf, size_t *pos, const char *s)
{
  while (*s && *pos < OCI_KEY_MAX - 1)
    buf[(*pos)++] = *s++;
  buf[*pos] = '\0';
}

const char *
oci_key (char buf[OCI_KEY_MAX], const char *ctx, const char *key)
{
  size_t pos = 0;
  buf[0] = '\0';
  if (ctx && *ctx)
    {
      key_append (buf, &pos, ctx);
      key_append (buf, &pos, ".");
    }
  key_append (buf, &pos, key);
  return buf;
}

const char *
oci_key_idx (char buf[OCI_KEY_MAX], const char *ctx, const char *key, size_t i)
{
  char idx[32];
  size_t pos;
  snprintf (idx, sizeof idx, "[%zu]", i);
  oci_key (buf, ctx, key);
  pos = strlen (buf);
  key_append (buf, &pos, idx);
  return buf;
}

static const char *
type_article (json_type t)
{
  return t == json_type_array || t == json_type_object || t == json_type_int ? "an" : "a";
}

static const char *
type_name (json_type t)
{
  return t == json_type_int ? "integer" : json_type_to_name (t);
}

static int
type_error (const char *what, json_type want, json_object *v, struct error **err)
{
  json_type t = json_object_get_type (v);
  return error_set (err, EINVAL, "`%s` must be %s %s, not %s", what, type_article (want),
                    type_name (want), type_name (t));
}

int
oci_get_typed (json_object *o, const char *ctx, const char *key, json_type want,
               json_object **v, struct error **err)
{
  if (o == NULL || !json_object_object_get_ex (o, key, v) || *v == NULL)
    return 0;
  if (json_object_get_type (*v) != want)
    {
      char k[OCI_KEY_MAX];
      return type_error (oci_key (k, ctx, key), want, *v, err);
    }
  return 1;
}

int
oci_missing (const char *ctx, const char *key, struct error **err)
{
  char k[OCI_KEY_MAX];
  return error_set (err, EINVAL, "`%s` is required", oci_key (k, ctx, key));
}

int
oci_as_string (json_object *v, const char *what, const char **out, struct error **err)
{
  if (v == NULL || json_object_get_type (v) != json_type_string)
    {
      if (v == NULL)
        return error_set (err, EINVAL, "`%s` must be a string, not null", what);
      return type_error (what, json_type_string, v, err);
    }
  const char *s = json_object_get_string (v);
  /* A "\u0000" would silently cut the string short in C: refuse it. */
  if (strlen (s) != (size_t) json_object_get_string_len (v))
    return error_set (err, EINVAL, "`%s` must not contain a NUL byte", what);
  *out = s;
  return 1;
}

int
oci_get_string (json_object *o, const char *ctx, const char *key, const char **out,
                struct error **err)
{
  json_object *v;
  int r = oci_get_typed (o, ctx, key, json_type_string, &v, err);
  if (r <= 0)
    return r;
  char k[OCI_KEY_MAX];
  return oci_as_string (v, oci_key (k, ctx, key), out, err);
}

int
oci_get_strdup (json_object *o, const char *ctx, const char *key, char **out,
                struct error **err)
{
  const char *s;
  int r = oci_get_string (o, ctx, key, &s, err);
  if (r <= 0)
    return r;
  char *d = strdup (s);
  if (d == NULL)
    return error_set (err, ENOMEM, "out of memory");
  free (*out);
  *out = d;
  return 1;
}

int
oci_get_bool (json_object *o, const char *ctx, const char *key, bool *out,
              struct error **err)
{
  json_object *v;
  int r = oci_get_typed (o, ctx, key, json_type_boolean, &v, err);
  if (r == 1)
    *out = json_object_get_boolean (v);
  return r;
}

int
oci_as_int64 (json_object *v, const char *what, int64_t min, int64_t max, int64_t *out,
              struct error **err)
{
  if (v == NULL || json_object_get_type (v) != json_type_int)
    return v ? type_error (what, json_type_int, v, err)
             : error_set (err, EINVAL, "`%s` must be an integer, not null", what);
  int64_t x = json_object_get_int64 (v);
  /* json-c keeps integers above INT64_MAX as uint64 and clamps get_int64 */
  if (x == INT64_MAX && json_object_get_uint64 (v) > (uint64_t) INT64_MAX)
    return error_set (err, ERANGE, "`%s` is out of range", what);
  if (x < min || x > max)
    return error_set (err, ERANGE, "`%s` must be between %" PRId64 " and %" PRId64 ", not %" PRId64,
                      what, min, max, x);
  *out = x;
  return 1;
}

int
oci_as_uint64 (json_object *v, const char *what, uint64_t max, uint64_t *out,
               struct error **err)
{
  if (v == NULL || json_object_get_type (v) != json_type_int)
    return v ? type_error (what, json_type_int, v, err)
             : error_set (err, EINVAL, "`%s` must be an integer, not null", what);
  if (json_object_get_int64 (v) < 0)
    return error_set (err, ERANGE, "`%s` must not be negative", what);
  uint64_t x = json_object_get_uint64 (v);
  if (x > max)
    return error_set (err, ERANGE, "`%s` must be at most %" PRIu64 ", not %" PRIu64, what, max,
                      x);
  *out = x;
  return 1;
}

int
oci_get_int64 (json_object *o, const char *ctx, const char *key, int64_t min, int64_t max,
               int64_t *out, struct error **err)
{
  json_object *v;
  if (o == NULL || !json_object_object_get_ex (o, key, &v) || v == NULL)
    return 0;
  char k[OCI_KEY_MAX];
  return oci_as_int64 (v, oci_key (k, ctx, key), min, max, out, err);
}

int
oci_get_uint64 (json_object *o, const char *ctx, const char *key, uint64_t max, uint64_t *out,
                struct error **err)
{
  json_object *v;
  if (o == NULL || !json_object_object_get_ex (o, key, &v) || v == NULL)
    return 0;
  char k[OCI_KEY_MAX];
  return oci_as_uint64 (v, oci_key (k, ctx, key), max, out, err);
}

int
oci_get_object (json_object *o, const char *ctx, const char *key, json_object **out,
                struct error **err)
{
  return oci_get_typed (o, ctx, key, json_type_object, out, err);
}

int
oci_get_array (json_object *o, const char *ctx, const char *key, json_object **out,
               struct error **err)
{
  return oci_get_typed (o, ctx, key, json_type_array, out, err);
}

int
oci_get_strv (json_object *o, const char *ctx, const char *key, char ***out,
              struct error **err)
{
  json_object *a;
  int r = oci_get_array (o, ctx, key, &a, err);
  if (r <= 0)
    return r;
  size_t n = json_object_array_length (a);
  _cleanup_strv_ char **v = calloc (n + 1, sizeof *v);
  if (v == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      char k[OCI_KEY_MAX];
      const char *s;
      r = oci_as_string (json_object_array_get_idx (a, i), oci_key_idx (k, ctx, key, i), &s,
                         err);
      if (r < 0)
        return r;
      v[i] = strdup (s);
      if (v[i] == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }
  strv_free (*out);
  *out = TAKE_PTR (v);
  return 1;
}

/* The kernel takes at most 340 lines in uid_map/gid_map (since 4.15). */
#define MAX_ID_MAPPINGS 340

int
oci_parse_id_mappings (json_object *o, const char *ctx, const char *key,
                       struct oci_id_mapping **out, size_t *n, struct error **err)
{
  json_object *a;
  char k[OCI_KEY_MAX], f[OCI_KEY_MAX];
  int r = oci_get_array (o, ctx, key, &a, err);
  if (r <= 0)
    return r;
  size_t len = json_object_array_length (a);
  if (len > MAX_ID_MAPPINGS)
    return error_set (err, E2BIG, "`%s` has %zu entries, more than the kernel's %d",
                      oci_key (k, ctx, key), len, MAX_ID_MAPPINGS);
  _cleanup_free_ struct oci_id_mapping *m = calloc (len ? len : 1, sizeof *m);
  if (m == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < len; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      oci_key_idx (k, ctx, key, i);
      if (e == NULL || json_object_get_type (e) != json_type_object)
        return e ? type_error (k, json_type_object, e, err)
                 : error_set (err, EINVAL, "`%s` must be an object, not null", k);
      static const char *const names[] = { "containerID", "hostID", "size" };
      uint64_t v[3];
      for (int j = 0; j < 3; j++)
        {
          r = oci_get_uint64 (e, k, names[j], UINT32_MAX, &v[j], err);
          if (r < 0)
            return r;
          if (r == 0)
            return oci_missing (k, names[j], err);
        }
      if (v[2] == 0)
        return error_set (err, EINVAL, "`%s` must not be 0", oci_key (f, k, "size"));
      if (v[0] + v[2] - 1 > UINT32_MAX || v[1] + v[2] - 1 > UINT32_MAX)
        return error_set (err, ERANGE, "`%s`: the range goes past 4294967295", k);
      m[i].container_id = (uint32_t) v[0];
      m[i].host_id = (uint32_t) v[1];
      m[i].size = (uint32_t) v[2];
    }
  /* Overlapping ranges are refused by the kernel when the map is written;
   * say which entries clash now, while the key can still be named. */
  for (size_t i = 0; i < len; i++)
    for (size_t j = i + 1; j < len; j++)
      {
        uint64_t ai = m[i].container_id, bi = ai + m[i].size;
        uint64_t aj = m[j].container_id, bj = aj + m[j].size;
        uint64_t hi = m[i].host_id, hbi = hi + m[i].size;
        uint64_t hj = m[j].host_id, hbj = hj + m[j].size;
        if ((ai < bj && aj < bi) || (hi < hbj && hj < hbi))
          return error_set (err, EINVAL, "`%s`: entries %zu and %zu overlap",
                            oci_key (k, ctx, key), i, j);
      }
  free (*out);
  *out = TAKE_PTR (m);
  *n = len;
  return 1;
}

bool
oci_env_valid (const char *s)
{
  const char *eq = strchr (s, '=');
  return eq != NULL && eq != s;
}

/* Messages quote what the document says; a value with a newline or a
 * terminal escape must not forge log lines or reach a terminal raw, bytes
 * that are not UTF-8 must not break a JSON log, and a megabyte-long value
 * must not become a megabyte-long message.  Done once, where an error leaves
 * this module. */
#define OCI_ERROR_MAX 1024

/* Length of the valid, printable UTF-8 sequence at p (0 if none). */
static size_t
utf8_printable (const unsigned char *p, size_t left)
{
  if (p[0] >= 0x20 && p[0] < 0x7f)
    return 1;
  size_t n;
  uint32_t cp;
  if (p[0] >= 0xc2 && p[0] <= 0xdf)
    n = 2, cp = p[0] & 0x1f;
  else if (p[0] >= 0xe0 && p[0] <= 0xef)
    n = 3, cp = p[0] & 0x0f;
  else if (p[0] >= 0xf0 && p[0] <= 0xf4)
    n = 4, cp = p[0] & 0x07;
  else
    return 0;
  if (n > left)
    return 0;
  for (size_t i = 1; i < n; i++)
    {
      if ((p[i] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
  /* overlong forms, surrogates, beyond U+10FFFF, C1 controls */
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff)
      || cp > 0x10ffff || (cp >= 0x80 && cp <= 0x9f))
    return 0;
  return n;
}

void
oci_error_sanitize (struct error **err)
{
  if (err == NULL || *err == NULL || (*err)->msg == NULL)
    return;
  const unsigned char *m = (const unsigned char *) (*err)->msg;
  size_t len = strlen ((*err)->msg), n = 0;
  bool clean = len <= OCI_ERROR_MAX;
  for (size_t i = 0, k; i < len && clean; i += k)
    clean = (k = utf8_printable (m + i, len - i)) > 0;
  if (clean)
    return;
  /* room for the longest escape past the limit, "..." and the NUL */
  char *out = malloc (OCI_ERROR_MAX + 8);
  if (out == NULL)
    return;
  size_t i = 0, k;
  for (; i < len && n < OCI_ERROR_MAX; i += k)
    {
      k = utf8_printable (m + i, len - i);
      if (k > 0)
        {
          if (n + k > OCI_ERROR_MAX)
            break;
          memcpy (out + n, m + i, k);
          n += k;
          continue;
        }
      k = 1;
      if (m[i] == '\n')
        n += (size_t) sprintf (out + n, "\\n");
      else if (m[i] == '\t')
        n += (size_t) sprintf (out + n, "\\t");
      else
        n += (size_t) sprintf (out + n, "\\x%02x", m[i]);
    }
  if (i < len)
    {
      /* Truncated (then n >= OCI_ERROR_MAX - 3): end with "...", cut at a
       * character boundary by backing off UTF-8 continuation bytes. */
      size_t cut = OCI_ERROR_MAX - 3;
      if (n > cut)
        while (cut > 0 && ((unsigned char) out[cut] & 0xc0) == 0x80)
          cut--;
      memcpy (out + cut, "...", 3);
      n = cut + 3;
    }
  out[n] = '\0';
  free ((*err)->msg);
  (*err)->msg = out;
}

/* An absolute path argument, cleaned. */
static int
abs_path (const char *s, const char *what, char **out, struct error **err)
{
  if (*s != '/')
    return error_set (err, EINVAL, "`%s` must be an absolute path, not `%s`", what, s);
  char *c = fs_path_clean (s);
  if (c == NULL)
    return error_set (err, ENOMEM, "out of memory");
  free (*out);
  *out = c;
  return 0;
}

/* ------------------------------------------------------------- version */

/* "MAJOR.MINOR.PATCH" with an optional "-pre" or "+build" tail, as SemVer;
 * returns -1 when malformed. */
static int
parse_version (const char *s, unsigned v[3])
{
  const char *p = s;
  for (int i = 0; i < 3; i++)
    {
      if (*p < '0' || *p > '9')
        return -1;
      unsigned long x = 0;
      while (*p >= '0' && *p <= '9')
        {
          x = x * 10 + (unsigned) (*p++ - '0');
          if (x > 100000)
            return -1;
        }
      v[i] = (unsigned) x;
      if (i < 2 && *p++ != '.')
        return -1;
    }
  if (*p == '\0')
    return 0;
  if (*p != '-' && *p != '+')
    return -1;
  if (p[1] == '\0')
    return -1;
  for (p++; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
          || *p == '.' || *p == '-' || *p == '+'))
      return -1;
  return 0;
}

static int
parse_oci_version (json_object *root, struct oci_config *c, struct error **err)
{
  int r = oci_get_strdup (root, "", "ociVersion", &c->oci_version, err);
  if (r < 0)
    return r;
  if (r == 0)
    return oci_missing ("", "ociVersion", err);
  unsigned v[3];
  if (parse_version (c->oci_version, v) < 0)
    return error_set (err, EINVAL, "`ociVersion`: `%s` is not a version (MAJOR.MINOR.PATCH)",
                      c->oci_version);
  if (v[0] != 1)
    return error_set (err, EINVAL,
                      "`ociVersion`: version `%s` is not supported (this runtime reads 1.x)",
                      c->oci_version);
  /* Minor versions are backwards compatible and unknown keys are ignored,
   * so a newer 1.x is read as the 1.2 we know. */
  if (v[1] > 2)
    log_debug ("config.json has ociVersion %s, newer than 1.2: reading it as 1.2",
               c->oci_version);
  return 0;
}

/* ----------------------------------------------------------------- root */

static int
parse_root (json_object *root, struct oci_config *c, struct error **err)
{
  json_object *o;
  int r = oci_get_object (root, "", "root", &o, err);
  if (r < 0)
    return r;
  if (r == 0)
    return oci_missing ("", "root", err);
  r = oci_get_strdup (o, "root", "path", &c->root_path, err);
  if (r < 0)
    return r;
  if (r == 0)
    return oci_missing ("root", "path", err);
  if (c->root_path[0] == '\0')
    return error_set (err, EINVAL, "`root.path` must not be empty");
  r = oci_get_bool (o, "root", "readonly", &c->root_readonly, err);
  return r < 0 ? r : 0;
}

/* ---------------------------------------------------------------- hooks */

static const char *const hook_keys[OCI_HOOK_COUNT] = {
  [OCI_HOOK_PRESTART] = "prestart",
  [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
  [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
  [OCI_HOOK_START_CONTAINER] = "startContainer",
  [OCI_HOOK_POSTSTART] = "poststart",
  [OCI_HOOK_POSTSTOP] = "poststop",
};

static int
parse_hook (json_object *e, const char *k, struct oci_hook *h, struct error **err)
{
  if (json_object_get_type (e) != json_type_object)
    return type_error (k, json_type_object, e, err);
  int r = oci_get_strdup (e, k, "path", &h->path, err);
  if (r < 0)
    return r;
  if (r == 0)
    return oci_missing (k, "path", err);
  char f[OCI_KEY_MAX];
  if (h->path[0] != '/')
    return error_set (err, EINVAL, "`%s` must be an absolute path, not `%s`",
                      oci_key (f, k, "path"), h->path);
  if ((r = oci_get_strv (e, k, "args", &h->args, err)) < 0)
    return r;
  if ((r = oci_get_strv (e, k, "env", &h->env, err)) < 0)
    return r;
  for (size_t i = 0; h->env && h->env[i]; i++)
    if (!oci_env_valid (h->env[i]))
      return error_set (err, EINVAL, "`%s` must be NAME=VALUE, not `%s`",
                        oci_key_idx (f, k, "env", i), h->env[i]);
  int64_t t;
  r = oci_get_int64 (e, k, "timeout", INT64_MIN, INT64_MAX, &t, err);
  if (r < 0)
    return r;
  if (r == 1)
    {
      if (t <= 0)
        return error_set (err, EINVAL, "`%s` must be greater than zero, not %" PRId64,
                          oci_key (f, k, "timeout"), t);
      if (t > INT_MAX)
        return error_set (err, ERANGE, "`%s` is out of range", oci_key (f, k, "timeout"));
      h->has_timeout = true;
      h->timeout = (int) t;
    }
  return 0;
}

static int
parse_hooks (json_object *root, struct oci_config *c, struct error **err)
{
  json_object *o;
  int r = oci_get_object (root, "", "hooks", &o, err);
  if (r <= 0)
    return r;
  for (int kind = 0; kind < OCI_HOOK_COUNT; kind++)
    {
      json_object *a;
      r = oci_get_array (o, "hooks", hook_keys[kind], &a, err);
      if (r < 0)
        return r;
      if (r == 0)
        continue;
      size_t n = json_object_array_length (a);
      c->hooks.list[kind] = calloc (n ? n : 1, sizeof (struct oci_hook));
      if (c->hooks.list[kind] == NULL)
        return error_set (err, ENOMEM, "out of memory");
      for (size_t i = 0; i < n; i++)
        {
          char k[OCI_KEY_MAX];
          oci_key_idx (k, "hooks", hook_keys[kind], i);
          json_object *e = json_object_array_get_idx (a, i);
          c->hooks.n[kind] = i + 1;
          if (e == NULL)
            return error_set (err, EINVAL, "`%s` must be an object, not null", k);
          r = parse_hook (e, k, &c->hooks.list[kind][i], err);
          if (r < 0)
            return r;
        }
    }
  return 0;
}

/* A JSON object of string values -> key/value array (annotations, sysctl). */
static int
parse_string_map (json_object *root, const char *ctx, const char *key,
                  struct oci_key_value **out, size_t *n, struct error **err)
{
  json_object *o;
  char k[OCI_KEY_MAX];
  int r = oci_get_object (root, ctx, key, &o, err);
  if (r <= 0)
    return r;
  oci_key (k, ctx, key);
  size_t len = (size_t) json_object_object_length (o);
  *out = calloc (len ? len : 1, sizeof **out);
  if (*out == NULL)
    return error_set (err, ENOMEM, "out of memory");
  json_object_object_foreach (o, name, val)
    {
      if (*name == '\0')
        return error_set (err, EINVAL, "`%s` has an empty key", k);
      if (val == NULL || json_object_get_type (val) != json_type_string)
        return error_set (err, EINVAL, "`%s`: the value of `%s` must be a string, not %s", k,
                          name, val ? type_name (json_object_get_type (val)) : "null");
      const char *s = json_object_get_string (val);
      if (strlen (s) != (size_t) json_object_get_string_len (val))
        return error_set (err, EINVAL, "`%s`: the value of `%s` must not contain a NUL byte",
                          k, name);
      struct oci_key_value *kv = &(*out)[*n];
      kv->key = strdup (name);
      kv->value = strdup (s);
      (*n)++;
      if (kv->key == NULL || kv->value == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }
  return 1;
}

/* ---------------------------------------------------------------- linux */

static int
parse_namespaces (json_object *lx, struct oci_linux *l, struct error **err)
{
  json_object *a;
  int r = oci_get_array (lx, "linux", "namespaces", &a, err);
  if (r <= 0)
    return r;
  size_t n = json_object_array_length (a);
  for (size_t i = 0; i < n; i++)
    {
      char k[OCI_KEY_MAX], f[OCI_KEY_MAX];
      json_object *e = json_object_array_get_idx (a, i);
      oci_key_idx (k, "linux", "namespaces", i);
      if (e == NULL || json_object_get_type (e) != json_type_object)
        return e ? type_error (k, json_type_object, e, err)
                 : error_set (err, EINVAL, "`%s` must be an object, not null", k);
      const char *type, *path = NULL;
      r = oci_get_string (e, k, "type", &type, err);
      if (r < 0)
        return r;
      if (r == 0)
        return oci_missing (k, "type", err);
      int t = oci_ns_type_from_name (type);
      if (t < 0)
        return error_set (err, EINVAL, "`%s`: unknown namespace type `%s`",
                          oci_key (f, k, "type"), type);
      if (l->ns[t].present)
        return error_set (err, EINVAL, "`%s`: namespace `%s` is listed twice",
                          oci_key (f, k, "type"), type);
      l->ns[t].present = true;
      if ((r = oci_get_string (e, k, "path", &path, err)) < 0)
        return r;
      /* "" is what Go's omitempty writes for "no path": create one. */
      if (r == 1 && *path != '\0')
        {
          if (*path != '/')
            return error_set (err, EINVAL, "`%s` must be an absolute path, not `%s`",
                              oci_key (f, k, "path"), path);
          l->ns[t].path = strdup (path);
          if (l->ns[t].path == NULL)
            return error_set (err, ENOMEM, "out of memory");
        }
    }
  return 0;
}

static int
parse_time_offsets (json_object *lx, struct oci_linux *l, struct error **err)
{
  json_object *o;
  int r = oci_get_object (lx, "linux", "timeOffsets", &o, err);
  if (r <= 0)
    return r;
  l->has_time_offsets = true;
  static const char *const clocks[] = { "monotonic", "boottime" };
  int64_t *secs[] = { &l->monotonic_secs, &l->boottime_secs };
  uint32_t *nsecs[] = { &l->monotonic_nsecs, &l->boottime_nsecs };
  for (int i = 0; i < 2; i++)
    {
      json_object *c;
      uint64_t ns;
      r = oci_get_object (o, "linux.timeOffsets", clocks[i], &c, err);
      if (r < 0)
        return r;
      if (r == 0)
        continue;
      char k[OCI_KEY_MAX];
      oci_key (k, "linux.timeOffsets", clocks[i]);
      if ((r = oci_get_int64 (c, k, "secs", INT64_MIN, INT64_MAX, secs[i], err)) < 0)
        return r;
      /* the kernel wants a normalised timespec in timens_offsets */
      if ((r = oci_get_uint64 (c, k, "nanosecs", 999999999, &ns, err)) < 0)
        return r;
      if (r == 1)
        *nsecs[i] = (uint32_t) ns;
    }
  return 0;
}

static int
parse_devices (json_object *lx, struct oci_linux *l, struct error **err)
{
  json_object *a;
  int r = oci_get_array (lx, "linux", "devices", &a, err);
  if (r <= 0)
    return r;
  size_t n = json_object_array_length (a);
  l->devices = calloc (n ? n : 1, sizeof *l->devices);
  if (l->devices == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      char k[OCI_KEY_MAX], f[OCI_KEY_MAX];
      json_object *e = json_object_array_get_idx (a, i);
      struct oci_device *d = &l->devices[i];
      l->n_devices = i + 1;
      oci_key_idx (k, "linux", "devices", i);
      if (e == NULL || json_object_get_type (e) != json_type_object)
        return e ? type_error (k, json_type_object, e, err)
                 : error_set (err, EINVAL, "`%s` must be an object, not null", k);
      const char *type, *path;
      r = oci_get_string (e, k, "type", &type, err);
      if (r < 0)
        return r;
      if (r == 0)
        return oci_missing (k, "type", err);
      if (strlen (type) != 1 || !strchr ("cbup", type[0]))
        return error_set (err, EINVAL, "`%s`: unknown device type `%s` (c, b, u or p)",
                          oci_key (f, k, "type"), type);
      d->type = type[0];
      r = oci_get_string (e, k, "path", &path, err);
      if (r < 0)
        return r;
      if (r == 0)
        return oci_missing (k, "path", err);
      if ((r = abs_path (path, oci_key (f, k, "path"), &d->path, err)) < 0)
        return r;
      if (strcmp (d->path, "/") == 0)
        return error_set (err, EINVAL, "`%s` must name a file, not `/`", f);
      /* Device numbers: what makedev() can hold (12+20 bits in the ABI that
       * mknod uses, 32 bits each in dev_t). */
      r = oci_get_int64 (e, k, "major", 0, UINT32_MAX, &d->major, err);
      if (r < 0)
        return r;
      if (r == 0 && d->type != 'p')
        return oci_missing (k, "major", err);
      r = oci_get_int64 (e, k, "minor", 0, UINT32_MAX, &d->minor, err);
      if (r < 0)
        return r;
      if (r == 0 && d->type != 'p')
        return oci_missing (k, "minor", err);
      uint64_t v;
      if ((r = oci_get_uint64 (e, k, "fileMode", 07777, &v, err)) < 0)
        return r;
      if (r == 1)
        d->has_file_mode = true, d->file_mode = (mode_t) v;
      if ((r = oci_get_uint64 (e, k, "uid", UINT32_MAX - 1, &v, err)) < 0)
        return r;
      if (r == 1)
        d->has_uid = true, d->uid = (uid_t) v;
      if ((r = oci_get_uint64 (e, k, "gid", UINT32_MAX - 1, &v, err)) < 0)
        return r;
      if (r == 1)
        d->has_gid = true, d->gid = (gid_t) v;
    }
  return 0;
}

static const struct
{
  const char *name;
  unsigned long flags;
} propagations[] = {
  { "shared", MS_SHARED },          { "rshared", MS_SHARED | MS_REC },
  { "slave", MS_SLAVE },            { "rslave", MS_SLAVE | MS_REC },
  { "private", MS_PRIVATE },        { "rprivate", MS_PRIVATE | MS_REC },
  { "unbindable", MS_UNBINDABLE },  { "runbindable", MS_UNBINDABLE | MS_REC },
};

static const struct
{
  const char *name;
  unsigned long flag;
} personality_flags[] = {
  { "UNAME26", UNAME26 },
  { "ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE },
  { "FDPIC_FUNCPTRS", FDPIC_FUNCPTRS },
  { "MMAP_PAGE_ZERO", MMAP_PAGE_ZERO },
  { "ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT },
  { "READ_IMPLIES_EXEC", READ_IMPLIES_EXEC },
  { "ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT },
  { "SHORT_INODE", SHORT_INODE },
  { "WHOLE_SECONDS", WHOLE_SECONDS },
  { "STICKY_TIMEOUTS", STICKY_TIMEOUTS },
  { "ADDR_LIMIT_3GB", ADDR_LIMIT_3GB },
};

static int
parse_personality (json_object *lx, struct oci_linux *l, struct error **err)
{
  json_object *o;
  const char *domain;
  _cleanup_strv_ char **flags = NULL;
  int r = oci_get_object (lx, "linux", "personality", &o, err);
  if (r <= 0)
    return r;
  r = oci_get_string (o, "linux.personality", "domain", &domain, err);
  if (r < 0)
    return r;
  if (r == 0)
    return oci_missing ("linux.personality", "domain", err);
  if (strcmp (domain, "LINUX") == 0)
    l->personality = PER_LINUX;
  else if (strcmp (domain, "LINUX32") == 0)
    l->personality = PER_LINUX32;
  else
    return error_set (err, EINVAL,
                      "`linux.personality.domain`: unknown domain `%s` (LINUX or LINUX32)",
                      domain);
  if ((r = oci_get_strv (o, "linux.personality", "flags", &flags, err)) < 0)
    return r;
  for (size_t i = 0; flags && flags[i]; i++)
    {
      size_t j;
      for (j = 0; j < ARRAY_SIZE (personality_flags); j++)
        if (strcmp (flags[i], personality_flags[j].name) == 0)
          break;
      if (j == ARRAY_SIZE (personality_flags))
        return error_set (err, EINVAL, "`linux.personality.flags[%zu]`: unknown flag `%s`", i,
                          flags[i]);
      l->personality |= personality_flags[j].flag;
    }
  l->has_personality = true;
  return 0;
}

static int
parse_intel_rdt (json_object *lx, struct oci_linux *l, struct error **err)
{
  json_object *o;
  const char *ctx = "linux.intelRdt";
  int r = oci_get_object (lx, "linux", "intelRdt", &o, err);
  if (r <= 0)
    return r;
  l->has_intel_rdt = true;
  if ((r = oci_get_strdup (o, ctx, "closID", &l->intel_rdt_clos_id, err)) < 0)
    return r;
  /* closID names a directory under the resctrl mount: one component. */
  if (r == 1
      && (l->intel_rdt_clos_id[0] == '\0' || strchr (l->intel_rdt_clos_id, '/')
          || strcmp (l->intel_rdt_clos_id, ".") == 0 || strcmp (l->intel_rdt_clos_id, "..") == 0
          || strchr (l->intel_rdt_clos_id, '\n')))
    return error_set (err, EINVAL, "`linux.intelRdt.closID`: `%s` is not a valid directory name",
                      l->intel_rdt_clos_id);
  if ((r = oci_get_strdup (o, ctx, "l3CacheSchema", &l->intel_rdt_l3_cache_schema, err)) < 0)
    return r;
  if ((r = oci_get_strdup (o, ctx, "memBwSchema", &l->intel_rdt_mem_bw_schema, err)) < 0)
    return r;
  if (r == 1
      && (!str_has_prefix (l->intel_rdt_mem_bw_schema, "MB:")
          || strchr (l->intel_rdt_mem_bw_schema, '\n')))
    return error_set (err, EINVAL,
                      "`linux.intelRdt.memBwSchema` must start with `MB:` and be one line");
  if ((r = oci_get_bool (o, ctx, "enableCMT", &l->intel_rdt_enable_cmt, err)) < 0)
    return r;
  if ((r = oci_get_bool (o, ctx, "enableMBM", &l->intel_rdt_enable_mbm, err)) < 0)
    return r;
  return 0;
}

static int
parse_path_list (json_object *lx, const char *key, char ***out, struct error **err)
{
  int r = oci_get_strv (lx, "linux", key, out, err);
  if (r <= 0)
    return r;
  for (size_t i = 0; (*out)[i]; i++)
    {
      char k[OCI_KEY_MAX];
      char *p = NULL;
      r = abs_path ((*out)[i], oci_key_idx (k, "linux", key, i), &p, err);
      if (r < 0)
        return r;
      free ((*out)[i]);
      (*out)[i] = p;
    }
  return 0;
}

static int
parse_linux (json_object *root, struct oci_config *c, struct error **err)
{
  struct oci_linux *l = &c->linux_;
  json_object *lx, *o;
  const char *s;
  int r = oci_get_object (root, "", "linux", &lx, err);
  if (r <= 0)
    return r;
  if ((r = parse_namespaces (lx, l, err)) < 0)
    return r;
  if ((r = oci_parse_id_mappings (lx, "linux", "uidMappings", &l->uid_mappings,
                                  &l->n_uid_mappings, err))
      < 0)
    return r;
  if ((r = oci_parse_id_mappings (lx, "linux", "gidMappings", &l->gid_mappings,
                                  &l->n_gid_mappings, err))
      < 0)
    return r;
  if ((r = parse_time_offsets (lx, l, err)) < 0)
    return r;
  if ((r = parse_devices (lx, l, err)) < 0)
    return r;
  if ((r = oci_get_strdup (lx, "linux", "cgroupsPath", &l->cgroups_path, err)) < 0)
    return r;
  /* The path is taken under the cgroup mount (or a runtime-chosen parent):
   * a ".." component could only be meant to climb out of it. */
  if (r == 1)
    for (const char *p = l->cgroups_path; (p = strstr (p, "..")) != NULL; p += 2)
      if ((p == l->cgroups_path || p[-1] == '/' || p[-1] == ':')
          && (p[2] == '\0' || p[2] == '/' || p[2] == ':'))
        return error_set (err, EINVAL, "`linux.cgroupsPath`: `%s` must not contain `..`",
                          l->cgroups_path);

  if ((r = oci_get_object (lx, "linux", "resources", &o, err)) < 0)
    return r;
  if (r == 1)
    {
      r = oci_resources_parse (o, &l->resources, err);
      if (r < 0)
        return r; /* its messages name the full key (linux.resources...) */
      l->resources.present = true;
    }

  if ((r = oci_get_string (lx, "linux", "rootfsPropagation", &s, err)) < 0)
    return r;
  if (r == 1 && *s != '\0')
    {
      size_t i;
      for (i = 0; i < ARRAY_SIZE (propagations); i++)
        if (strcmp (s, propagations[i].name) == 0)
          break;
      if (i == ARRAY_SIZE (propagations))
        return error_set (err, EINVAL,
                          "`linux.rootfsPropagation`: unknown propagation `%s` "
                          "((r)shared, (r)slave, (r)private or (r)unbindable)",
                          s);
      l->rootfs_propagation = propagations[i].flags;
    }

  if ((r = oci_get_object (lx, "linux", "seccomp", &o, err)) < 0)
    return r;
  if (r == 1)
    {
      r = oci_seccomp_parse (o, &l->seccomp, err);
      if (r < 0)
        return r; /* its messages name the full key (linux.seccomp...) */
      l->seccomp.present = true;
    }

  if ((r = parse_string_map (lx, "linux", "sysctl", &l->sysctl, &l->n_sysctl, err)) < 0)
    return r;
  if ((r = parse_path_list (lx, "maskedPaths", &l->masked_paths, err)) < 0)
    return r;
  if ((r = parse_path_list (lx, "readonlyPaths", &l->readonly_paths, err)) < 0)
    return r;
  if ((r = oci_get_strdup (lx, "linux", "mountLabel", &l->mount_label, err)) < 0)
    return r;
  if ((r = parse_personality (lx, l, err)) < 0)
    return r;
  if ((r = parse_intel_rdt (lx, l, err)) < 0)
    return r;
  return 0;
}

/* ------------------------------------------------------ cross-checks */

/* The sysctls that belong to a namespace, as runc checks them: anything else
 * would change the host. */
static const char *const ipc_sysctls[] = {
  "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",           "kernel.sem",
  "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

static int
check_sysctl (const struct oci_config *c, const char *key, struct error **err)
{
  const struct oci_linux *l = &c->linux_;
  /* Written as /proc/sys/<key with '.' -> '/'>: every component must be a
   * plain name, or the write could land outside /proc/sys. */
  size_t n = strlen (key);
  if (n > 255)
    return error_set (err, EINVAL, "`linux.sysctl`: key `%.40s...` is too long", key);
  char norm[256];
  const char *p = key;
  for (size_t i = 0; i <= n; i++)
    {
      char ch = key[i];
      if (ch == '.' || ch == '/' || ch == '\0')
        {
          if (key + i == p)
            return error_set (err, EINVAL, "`linux.sysctl`: `%s` is not a valid sysctl name",
                              key);
          p = key + i + 1;
        }
      norm[i] = ch == '/' ? '.' : ch;
    }
  if (str_has_prefix (norm, "net."))
    {
      if (!l->ns[OCI_NS_NETWORK].present)
        return error_set (err, EINVAL,
                          "`linux.sysctl`: `%s` needs a network namespace "
                          "(it would change the host's)",
                          key);
      return 0;
    }
  bool ipc = str_has_prefix (norm, "fs.mqueue.");
  for (size_t i = 0; i < ARRAY_SIZE (ipc_sysctls) && !ipc; i++)
    ipc = strcmp (norm, ipc_sysctls[i]) == 0;
  if (ipc)
    {
      if (!l->ns[OCI_NS_IPC].present)
        return error_set (err, EINVAL,
                          "`linux.sysctl`: `%s` needs an ipc namespace "
                          "(it would change the host's)",
                          key);
      return 0;
    }
  if (strcmp (norm, "kernel.domainname") == 0 || strcmp (norm, "kernel.hostname") == 0)
    {
      if (!l->ns[OCI_NS_UTS].present)
        return error_set (err, EINVAL,
                          "`linux.sysctl`: `%s` needs a uts namespace "
                          "(it would change the host's)",
                          key);
      return 0;
    }
  return error_set (err, EINVAL,
                    "`linux.sysctl`: `%s` is not in a kernel namespace the container owns",
                    key);
}

static int
check_config (struct oci_config *c, struct error **err)
{
  const struct oci_linux *l = &c->linux_;
  int r;
  if ((c->hostname && *c->hostname) && !l->ns[OCI_NS_UTS].present)
    return error_set (err, EINVAL,
                      "`hostname` needs a uts namespace (`linux.namespaces` has no `uts`)");
  if ((c->domainname && *c->domainname) && !l->ns[OCI_NS_UTS].present)
    return error_set (err, EINVAL,
                      "`domainname` needs a uts namespace (`linux.namespaces` has no `uts`)");

  /* As runc: a new user namespace needs both maps; joining one by path takes
   * the maps it has; mappings without a user namespace mean nothing. */
  const struct oci_namespace *user = &l->ns[OCI_NS_USER];
  if (user->present && user->path == NULL)
    {
      if (l->n_uid_mappings == 0)
        return error_set (err, EINVAL,
                          "`linux.uidMappings` is required with a new user namespace");
      if (l->n_gid_mappings == 0)
        return error_set (err, EINVAL,
                          "`linux.gidMappings` is required with a new user namespace");
    }
  if (!user->present && (l->n_uid_mappings || l->n_gid_mappings))
    return error_set (err, EINVAL, "`linux.%s` given without a user namespace",
                      l->n_uid_mappings ? "uidMappings" : "gidMappings");

  if (l->has_time_offsets && !l->ns[OCI_NS_TIME].present)
    return error_set (err, EINVAL,
                      "`linux.timeOffsets` needs a time namespace "
                      "(`linux.namespaces` has no `time`)");
  if (l->has_time_offsets && l->ns[OCI_NS_TIME].path)
    return error_set (err, EINVAL,
                      "`linux.timeOffsets` cannot be applied to a joined time namespace");

  for (size_t i = 0; i < l->n_sysctl; i++)
    if ((r = check_sysctl (c, l->sysctl[i].key, err)) < 0)
      return r;

  for (size_t i = 0; i < c->n_mounts; i++)
    {
      const struct oci_mount *m = &c->mounts[i];
      if (m->idmap && m->n_uid_mappings == 0 && !user->present)
        return error_set (err, EINVAL,
                          "`mounts[%zu]`: `idmap` without `uidMappings` needs a user "
                          "namespace to take the mapping from",
                          i);
    }
  return 0;
}

/* ---------------------------------------------------------- top level */

static int
parse_host_name (json_object *root, const char *key, char **out, struct error **err)
{
  int r = oci_get_strdup (root, "", key, out, err);
  if (r <= 0)
    return r;
  /* sethostname()/setdomainname() take at most 64 bytes */
  if (strlen (*out) > 64)
    return error_set (err, EINVAL, "`%s` is longer than 64 bytes", key);
  return 0;
}

static int
parse_document (json_object *root, struct oci_config *c, struct error **err)
{
  int r;
  if (json_object_get_type (root) != json_type_object)
    return error_set (err, EINVAL, "the document must be a JSON object, not %s",
                      type_name (json_object_get_type (root)));
  if ((r = parse_oci_version (root, c, err)) < 0)
    return r;
  if ((r = parse_root (root, c, err)) < 0)
    return r;
  if ((r = oci_mounts_parse (root, c, err)) < 0)
    return r;
  json_object *p;
  if ((r = oci_get_object (root, "", "process", &p, err)) < 0)
    return r;
  if (r == 1)
    {
      c->has_process = true;
      if ((r = oci_process_parse_at (p, "process", &c->process, err)) < 0)
        return r;
    }
  if ((r = parse_host_name (root, "hostname", &c->hostname, err)) < 0)
    return r;
  if ((r = parse_host_name (root, "domainname", &c->domainname, err)) < 0)
    return r;
  if ((r = parse_hooks (root, c, err)) < 0)
    return r;
  if ((r = parse_string_map (root, "", "annotations", &c->annotations, &c->n_annotations,
                             err))
      < 0)
    return r;
  if ((r = parse_linux (root, c, err)) < 0)
    return r;
  return check_config (c, err);
}

int
oci_config_parse (const char *text, size_t len, struct oci_config **out, struct error **err)
{
  int r;
  if (len > OCI_CONFIG_MAX_SIZE)
    return error_set (err, EFBIG, "config.json: larger than %u bytes", OCI_CONFIG_MAX_SIZE);
  struct oci_config *c = calloc (1, sizeof *c);
  if (c == NULL)
    return error_set (err, ENOMEM, "out of memory");
  r = jsonx_parse (text, len, &c->json, err);
  if (r == 0)
    r = parse_document (c->json, c, err);
  if (r < 0)
    {
      error_prefix (err, "config.json");
      oci_error_sanitize (err);
      /* one code for the caller, whichever part failed */
      if (err && *err)
        r = -(*err)->code;
      oci_config_free (c);
      return r;
    }
  *out = c;
  return 0;
}

int
oci_config_load (const char *bundle, struct oci_config **out, struct error **err)
{
  _cleanup_free_ char *path = fs_path_join (bundle, "config.json");
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (path == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int r = fs_read_file (path, OCI_CONFIG_MAX_SIZE, &text, &len, err);
  if (r < 0)
    return r;
  return oci_config_parse (text, len, out, err);
}

static void
free_kv (struct oci_key_value *kv, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (kv[i].key);
      free (kv[i].value);
    }
  free (kv);
}

void
oci_config_free (struct oci_config *c)
{
  if (c == NULL)
    return;
  free (c->oci_version);
  free (c->root_path);
  free (c->hostname);
  free (c->domainname);
  for (size_t i = 0; i < c->n_mounts; i++)
    oci_mount_clear (&c->mounts[i]);
  free (c->mounts);
  oci_process_clear (&c->process);
  for (int k = 0; k < OCI_HOOK_COUNT; k++)
    {
      for (size_t i = 0; i < c->hooks.n[k]; i++)
        {
          free (c->hooks.list[k][i].path);
          strv_free (c->hooks.list[k][i].args);
          strv_free (c->hooks.list[k][i].env);
        }
      free (c->hooks.list[k]);
    }
  free_kv (c->annotations, c->n_annotations);

  struct oci_linux *l = &c->linux_;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    free (l->ns[t].path);
  free (l->uid_mappings);
  free (l->gid_mappings);
  for (size_t i = 0; i < l->n_devices; i++)
    free (l->devices[i].path);
  free (l->devices);
  free (l->cgroups_path);
  oci_resources_clear (&l->resources);
  oci_seccomp_clear (&l->seccomp);
  free_kv (l->sysctl, l->n_sysctl);
  strv_free (l->masked_paths);
  strv_free (l->readonly_paths);
  free (l->mount_label);
  free (l->intel_rdt_clos_id);
  free (l->intel_rdt_l3_cache_schema);
  free (l->intel_rdt_mem_bw_schema);
  if (c->json)
    json_object_put (c->json);
  free (c);
}
