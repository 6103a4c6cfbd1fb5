/* flags.c - docker's syntax for the values of `hull run` flags.  Every
 * error names the value as given, in backquotes. */
#include "engine/spec.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "oci/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool
valid_target (const char *t)
{
  return t && t[0] == '/' && strlen (t) < 4096 && strcmp (t, "/") != 0;
}

static int
set_target (struct ctr_mount *m, const char *t, const char *what, struct error **err)
{
  if (!valid_target (t))
    return error_set (err, EINVAL, "invalid %s: destination `%s` must be an absolute path "
                                   "other than /", what, t ? t : "");
  _cleanup_free_ char *c = fs_path_clean (t);
  if (c == NULL)
    return error_set (err, ENOMEM, "out of memory");
  /* checked again once clean: "//" or "/x/.." is the root as well, and a
   * mount there would cover the container's whole filesystem */
  if (strcmp (c, "/") == 0)
    return error_set (err, EINVAL, "invalid %s: destination `%s` must be an absolute path "
                                   "other than /", what, t);
  m->target = TAKE_PTR (c);
  return 0;
}

static bool
is_propagation (const char *o)
{
  static const char *const p[] = { "private", "rprivate", "shared", "rshared", "slave",
                                   "rslave" };
  for (size_t i = 0; i < ARRAY_SIZE (p); i++)
    if (strcmp (o, p[i]) == 0)
      return true;
  return false;
}

int
ctr_parse_volume (const char *v, struct ctr_mount *m, struct error **err)
{
  memset (m, 0, sizeof *m);
  _cleanup_strv_ char **parts = NULL;
  _cleanup_free_ char *copy = strdup (v);
  if (copy == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char *save = NULL;
  for (char *p = strtok_r (copy, ":", &save); p; p = strtok_r (NULL, ":", &save))
    strv_push (&parts, p);
  size_t n = strv_len (parts);
  if (n == 0 || n > 3 || v[0] == ':' || strstr (v, "::") || v[strlen (v) - 1] == ':')
    return error_set (err, EINVAL, "invalid volume specification `%s`", v);
  if (n == 1)
    {
      /* -v /path: an anonymous volume */
      m->type = strdup ("volume");
      return set_target (m, parts[0], "volume specification", err);
    }
  if (parts[0][0] == '/')
    {
      m->type = strdup ("bind");
      m->source = fs_path_clean (parts[0]);
      m->create_source = true;
    }
  else
    {
      m->type = strdup ("volume");
      m->source = strdup (parts[0]);
    }
  if (set_target (m, parts[1], "volume specification", err) < 0)
    return -EINVAL;
  if (n == 3)
    {
      _cleanup_free_ char *o = strdup (parts[2]);
      char *s2 = NULL;
      for (char *opt = strtok_r (o, ",", &s2); opt; opt = strtok_r (NULL, ",", &s2))
        {
          if (strcmp (opt, "ro") == 0)
            m->readonly = true;
          else if (strcmp (opt, "rw") == 0)
            m->readonly = false;
          else if (is_propagation (opt) && strcmp (m->type, "bind") == 0)
            {
              free (m->propagation);
              m->propagation = strdup (opt);
            }
          else if (strcmp (opt, "z") == 0 || strcmp (opt, "Z") == 0 || strcmp (opt, "nocopy") == 0)
            strv_push (&m->options, opt); /* labels (no SELinux here) / volume copy-up */
          else
            return error_set (err, EINVAL, "invalid volume specification `%s`: unknown option `%s`",
                              v, opt);
        }
    }
  return 0;
}

int
ctr_parse_mount (const char *v, struct ctr_mount *m, struct error **err)
{
  memset (m, 0, sizeof *m);
  _cleanup_free_ char *copy = strdup (v);
  if (copy == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char *save = NULL;
  const char *target = NULL;
  for (char *kv = strtok_r (copy, ",", &save); kv; kv = strtok_r (NULL, ",", &save))
    {
      char *eq = strchr (kv, '=');
      const char *val = eq ? eq + 1 : NULL;
      if (eq)
        *eq = '\0';
      if (strcmp (kv, "type") == 0 && val)
        {
          if (strcmp (val, "bind") && strcmp (val, "tmpfs") && strcmp (val, "volume"))
            return error_set (err, EINVAL, "invalid mount `%s`: type `%s` is not bind, volume or "
                                           "tmpfs", v, val);
          free (m->type);
          m->type = strdup (val);
        }
      else if ((strcmp (kv, "source") == 0 || strcmp (kv, "src") == 0) && val)
        {
          free (m->source);
          m->source = strdup (val);
        }
      else if ((strcmp (kv, "target") == 0 || strcmp (kv, "destination") == 0
                || strcmp (kv, "dst") == 0)
               && val)
        target = val;
      else if (strcmp (kv, "readonly") == 0 || strcmp (kv, "ro") == 0)
        {
          if (val && strcmp (val, "true") && strcmp (val, "1") && strcmp (val, "false")
              && strcmp (val, "0"))
            return error_set (err, EINVAL, "invalid mount `%s`: readonly=`%s`", v, val);
          m->readonly = !val || strcmp (val, "true") == 0 || strcmp (val, "1") == 0;
        }
      else if (strcmp (kv, "bind-propagation") == 0 && val)
        {
          if (!is_propagation (val))
            return error_set (err, EINVAL, "invalid mount `%s`: bind-propagation `%s`", v, val);
          free (m->propagation);
          m->propagation = strdup (val);
        }
      else if (strcmp (kv, "tmpfs-size") == 0 && val)
        {
          int64_t sz;
          if (parse_size (val, &sz) < 0)
            return error_set (err, EINVAL, "invalid mount `%s`: tmpfs-size `%s`", v, val);
          char b[48];
          snprintf (b, sizeof b, "size=%lld", (long long) sz);
          strv_push (&m->options, b);
        }
      else if (strcmp (kv, "tmpfs-mode") == 0 && val)
        {
          char *end;
          unsigned long mode = strtoul (val, &end, 8);
          if (*val == '\0' || *end || mode > 07777)
            return error_set (err, EINVAL, "invalid mount `%s`: tmpfs-mode `%s`", v, val);
          char b[32];
          snprintf (b, sizeof b, "mode=%lo", mode);
          strv_push (&m->options, b);
        }
      else if ((strcmp (kv, "volume-nocopy") == 0) || (strncmp (kv, "volume-", 7) == 0 && val))
        {
          _cleanup_free_ char *o = NULL;
          if (asprintf (&o, "%s%s%s", kv, val ? "=" : "", val ? val : "") > 0)
            strv_push (&m->options, o);
        }
      else
        return error_set (err, EINVAL, "invalid mount `%s`: unknown key `%s`", v, kv);
    }
  if (m->type == NULL)
    m->type = strdup ("volume");
  if (target == NULL)
    return error_set (err, EINVAL, "invalid mount `%s`: a target is required", v);
  if (set_target (m, target, "mount", err) < 0)
    return -EINVAL;
  if (strcmp (m->type, "bind") == 0)
    {
      if (m->source == NULL || m->source[0] != '/')
        return error_set (err, EINVAL, "invalid mount `%s`: a bind mount needs an absolute source",
                          v);
      char *c = fs_path_clean (m->source);
      free (m->source);
      m->source = c;
    }
  if (strcmp (m->type, "tmpfs") == 0 && m->source)
    return error_set (err, EINVAL, "invalid mount `%s`: a tmpfs has no source", v);
  if (strcmp (m->type, "bind") != 0 && m->propagation)
    return error_set (err, EINVAL, "invalid mount `%s`: bind-propagation on a %s mount", v, m->type);
  return 0;
}

int
ctr_parse_tmpfs (const char *v, struct ctr_mount *m, struct error **err)
{
  memset (m, 0, sizeof *m);
  m->type = strdup ("tmpfs");
  const char *colon = strchr (v, ':');
  _cleanup_free_ char *t = colon ? strndup (v, (size_t) (colon - v)) : strdup (v);
  if (set_target (m, t, "--tmpfs", err) < 0)
    return -EINVAL;
  if (colon && colon[1])
    {
      _cleanup_free_ char *o = strdup (colon + 1);
      char *save = NULL;
      for (char *opt = strtok_r (o, ",", &save); opt; opt = strtok_r (NULL, ",", &save))
        {
          if (strcmp (opt, "ro") == 0)
            m->readonly = true;
          else if (strcmp (opt, "rw") == 0)
            m->readonly = false;
          else if (str_has_prefix (opt, "size=") || str_has_prefix (opt, "mode=")
                   || str_has_prefix (opt, "uid=") || str_has_prefix (opt, "gid=")
                   || strcmp (opt, "exec") == 0 || strcmp (opt, "noexec") == 0
                   || strcmp (opt, "suid") == 0 || strcmp (opt, "nosuid") == 0
                   || strcmp (opt, "dev") == 0 || strcmp (opt, "nodev") == 0
                   || str_has_prefix (opt, "nr_inodes="))
            strv_push (&m->options, opt);
          else
            return error_set (err, EINVAL, "invalid --tmpfs `%s`: unknown option `%s`", v, opt);
        }
    }
  return 0;
}

int
ctr_parse_ulimit (const char *v, struct ctr_ulimit *u, struct error **err)
{
  memset (u, 0, sizeof *u);
  const char *eq = strchr (v, '=');
  if (eq == NULL || eq == v)
    return error_set (err, EINVAL, "invalid ulimit `%s`: expected NAME=SOFT[:HARD]", v);
  u->name = strndup (v, (size_t) (eq - v));
  char rl[64];
  snprintf (rl, sizeof rl, "RLIMIT_%s", u->name);
  for (char *p = rl; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  u->resource = oci_rlimit_from_name (rl);
  if (u->resource < 0)
    return error_set (err, EINVAL, "invalid ulimit `%s`: unknown resource `%s`", v, u->name);
  const char *vals = eq + 1;
  const char *colon = strchr (vals, ':');
  _cleanup_free_ char *soft = colon ? strndup (vals, (size_t) (colon - vals)) : strdup (vals);
  int64_t s, h;
  if (strcmp (soft, "-1") == 0 || strcmp (soft, "unlimited") == 0)
    s = -1;
  else if (parse_int64 (soft, &s) < 0 || s < 0)
    return error_set (err, EINVAL, "invalid ulimit `%s`: soft limit `%s`", v, soft);
  if (colon)
    {
      if (strcmp (colon + 1, "-1") == 0 || strcmp (colon + 1, "unlimited") == 0)
        h = -1;
      else if (parse_int64 (colon + 1, &h) < 0 || h < 0)
        return error_set (err, EINVAL, "invalid ulimit `%s`: hard limit `%s`", v, colon + 1);
    }
  else
    h = s;
  u->soft = s < 0 ? UINT64_MAX : (uint64_t) s;
  u->hard = h < 0 ? UINT64_MAX : (uint64_t) h;
  if (u->soft > u->hard)
    return error_set (err, EINVAL, "invalid ulimit `%s`: soft limit above the hard limit", v);
  return 0;
}

const char *
ctr_restart_name (enum ctr_restart_policy p)
{
  switch (p)
    {
    case RESTART_ON_FAILURE:
      return "on-failure";
    case RESTART_ALWAYS:
      return "always";
    case RESTART_UNLESS_STOPPED:
      return "unless-stopped";
    default:
      return "no";
    }
}

int
ctr_parse_restart (const char *v, struct ctr_restart *out, struct error **err)
{
  memset (out, 0, sizeof *out);
  if (strcmp (v, "no") == 0 || *v == '\0')
    return 0;
  if (strcmp (v, "always") == 0)
    out->policy = RESTART_ALWAYS;
  else if (strcmp (v, "unless-stopped") == 0)
    out->policy = RESTART_UNLESS_STOPPED;
  else if (strcmp (v, "on-failure") == 0)
    out->policy = RESTART_ON_FAILURE;
  else if (str_has_prefix (v, "on-failure:"))
    {
      int n;
      if (parse_int (v + 11, &n) < 0 || n < 0)
        return error_set (err, EINVAL, "invalid restart policy `%s`: bad retry count", v);
      out->policy = RESTART_ON_FAILURE;
      out->max_retries = n;
    }
  else
    return error_set (err, EINVAL, "invalid restart policy `%s` (no, on-failure[:N], always, "
                                   "unless-stopped)", v);
  return 0;
}

int
ctr_parse_cpus (const char *v, int64_t *nano, struct error **err)
{
  char *end;
  errno = 0;
  double d = strtod (v, &end);
  if (*v == '\0' || *end || errno || d <= 0 || d > 1e6)
    return error_set (err, EINVAL, "invalid --cpus `%s`: expected a positive number", v);
  *nano = (int64_t) (d * 1e9 + 0.5);
  return 0;
}

int
ctr_parse_duration (const char *v, int64_t *ns, struct error **err)
{
  const char *p = v;
  int64_t total = 0;
  if (*p == '\0')
    return error_set (err, EINVAL, "invalid duration `%s`", v);
  if (strcmp (v, "0") == 0)
    {
      *ns = 0;
      return 0;
    }
  while (*p)
    {
      char *end;
      errno = 0;
      double n = strtod (p, &end);
      if (end == p || errno || n < 0)
        return error_set (err, EINVAL, "invalid duration `%s`", v);
      p = end;
      double mul;
      if (strncmp (p, "ns", 2) == 0)
        mul = 1, p += 2;
      else if (strncmp (p, "us", 2) == 0)
        mul = 1e3, p += 2;
      else if (strncmp (p, "ms", 2) == 0)
        mul = 1e6, p += 2;
      else if (*p == 's')
        mul = 1e9, p++;
      else if (*p == 'm')
        mul = 60e9, p++;
      else if (*p == 'h')
        mul = 3600e9, p++;
      else
        return error_set (err, EINVAL, "invalid duration `%s`: a unit (ms, s, m, h) is required",
                          v);
      double add = n * mul;
      if (add > 1e18 || (double) total + add > 1e18)
        return error_set (err, ERANGE, "invalid duration `%s`: too long", v);
      total += (int64_t) add;
    }
  *ns = total;
  return 0;
}

int
ctr_env_set (char ***env, const char *kv)
{
  const char *eq = strchr (kv, '=');
  size_t klen = eq ? (size_t) (eq - kv) : strlen (kv);
  for (size_t i = 0; *env && (*env)[i]; i++)
    if (strncmp ((*env)[i], kv, klen) == 0 && (*env)[i][klen] == '=')
      {
        char *c = strdup (kv);
        if (c == NULL)
          return -ENOMEM;
        free ((*env)[i]);
        (*env)[i] = c;
        return 0;
      }
  return strv_push (env, kv);
}

int
ctr_env_add (char ***env, const char *v, struct error **err)
{
  if (*v == '=' || *v == '\0')
    return error_set (err, EINVAL, "invalid environment variable `%s`", v);
  if (strchr (v, '=') == NULL)
    {
      const char *val = getenv (v);
      if (val == NULL)
        return 0; /* docker: an unset variable is dropped */
      _cleanup_free_ char *kv = NULL;
      if (asprintf (&kv, "%s=%s", v, val) < 0)
        return error_set (err, ENOMEM, "out of memory");
      return ctr_env_set (env, kv) < 0 ? error_set (err, ENOMEM, "out of memory") : 0;
    }
  return ctr_env_set (env, v) < 0 ? error_set (err, ENOMEM, "out of memory") : 0;
}

int
ctr_env_file (char ***env, const char *path, struct error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (fs_read_file (path, 1 << 20, &text, &len, err) < 0)
    return error_prefix (err, "--env-file");
  if (memchr (text, '\0', len))
    return error_set (err, EINVAL, "--env-file `%s`: not a text file", path);
  int lineno = 0;
  char *next = text;
  while (next && *next)
    {
      char *line = next;
      next = strchr (line, '\n');
      if (next)
        *next++ = '\0';
      lineno++;
      size_t l = strlen (line);
      if (l && line[l - 1] == '\r')
        line[--l] = '\0';
      while (*line == ' ' || *line == '\t')
        line++;
      if (*line == '\0' || *line == '#')
        continue;
      char *eq = strchr (line, '=');
      char *ws = strpbrk (line, " \t");
      if (ws && (eq == NULL || ws < eq))
        return error_set (err, EINVAL, "--env-file `%s` line %d: variable name `%s` has "
                                       "whitespace", path, lineno, line);
      if (ctr_env_add (env, line, err) < 0)
        return error_prefix (err, "--env-file `%s` line %d", path, lineno);
    }
  return 0;
}

int
ctr_parse_signal (const char *v, int *sig, struct error **err)
{
  int s = oci_signal_from_name (v);
  if (s <= 0)
    return error_set (err, EINVAL, "invalid signal `%s`", v);
  *sig = s;
  return 0;
}

int
ctr_parse_cap (const char *v, char **out, struct error **err)
{
  if (strcasecmp (v, "ALL") == 0)
    {
      *out = strdup ("ALL");
      return 0;
    }
  char name[64];
  if (strlen (v) > 40)
    return error_set (err, EINVAL, "unknown capability `%.40s...`", v);
  snprintf (name, sizeof name, "%s%s", strncasecmp (v, "CAP_", 4) == 0 ? "" : "CAP_", v);
  for (char *p = name; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  if (oci_cap_from_name (name) < 0)
    return error_set (err, EINVAL, "unknown capability `%s`", v);
  *out = strdup (name);
  return *out ? 0 : error_set (err, ENOMEM, "out of memory");
}
