#include "registries.h"

#include "reference.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bounds on what a configuration may hold (it is read by every command). */
#define REGISTRIES_ENTRIES_MAX 1024
#define REGISTRIES_MIRRORS_MAX 32
#define CERTS_DIR_FILES_MAX 256

static const char *const default_certs_dirs[]
    = { "/etc/hull/certs.d", "/etc/containers/certs.d", "/etc/docker/certs.d", NULL };

static void
entry_clear (struct registry_entry *e)
{
  free (e->prefix);
  strv_free (e->mirrors);
}

void
registries_conf_free (struct registries_conf *conf)
{
  if (conf == NULL)
    return;
  strv_free (conf->search);
  for (size_t i = 0; i < conf->n_entries; i++)
    entry_clear (&conf->entries[i]);
  free (conf->entries);
  strv_free (conf->certs_dirs);
  free (conf->path);
  free (conf);
}

static int
default_certs_dirs_list (char ***out, struct error **err)
{
  _cleanup_strv_ char **v = NULL;
  const char *env = getenv ("HULL_CERTS_DIRS");
  if (env && *env)
    {
      _cleanup_free_ char *copy = strdup (env);
      if (copy == NULL)
        return error_set (err, ENOMEM, "out of memory");
      char *save = NULL;
      for (char *tok = strtok_r (copy, ":", &save); tok; tok = strtok_r (NULL, ":", &save))
        if (strv_push (&v, tok) < 0)
          return error_set (err, ENOMEM, "out of memory");
    }
  else
    for (size_t i = 0; default_certs_dirs[i]; i++)
      if (strv_push (&v, default_certs_dirs[i]) < 0)
        return error_set (err, ENOMEM, "out of memory");
  if (v == NULL && (v = calloc (1, sizeof *v)) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  *out = TAKE_PTR (v);
  return 0;
}

int
registries_conf_new_default (struct registries_conf **out, struct error **err)
{
  struct registries_conf *c = calloc (1, sizeof *c);
  if (c == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int ret = default_certs_dirs_list (&c->certs_dirs, err);
  if (ret < 0)
    {
      registries_conf_free (c);
      return ret;
    }
  *out = c;
  return 0;
}

/* "host[:port][/path]": a registry, optionally narrowed to a namespace. */
static bool
location_valid (const char *s)
{
  const char *slash = strchr (s, '/');
  _cleanup_free_ char *dom = slash ? strndup (s, (size_t)(slash - s)) : strdup (s);
  if (dom == NULL || !reference_domain_valid (dom))
    return false;
  return slash == NULL || reference_path_valid (slash + 1);
}

static int
parse_entry (const char *key, json_object *v, struct registry_entry *e, struct error **err)
{
  if (!location_valid (key))
    return error_set (err, EINVAL, "registries: invalid registry location `%s`", key);
  if (!json_object_is_type (v, json_type_object))
    return error_set (err, EINVAL, "registries: `%s` must be an object", key);
  json_object_object_foreach (v, k, val)
  {
    if (strcmp (k, "insecure") == 0)
      {
        if (jsonx_get_bool (v, k, &e->insecure, err) < 0)
          return error_prefix (err, "registries: `%s`", key);
        e->insecure_set = val != NULL;
      }
    else if (strcmp (k, "blocked") == 0)
      {
        if (jsonx_get_bool (v, k, &e->blocked, err) < 0)
          return error_prefix (err, "registries: `%s`", key);
      }
    else if (strcmp (k, "mirrors") == 0)
      {
        if (jsonx_get_strv (v, k, &e->mirrors, err) < 0)
          return error_prefix (err, "registries: `%s`", key);
        if (strv_len (e->mirrors) > REGISTRIES_MIRRORS_MAX)
          return error_set (err, EINVAL, "registries: `%s`: more than %d mirrors", key,
                            REGISTRIES_MIRRORS_MAX);
        for (char **m = e->mirrors; m && *m; m++)
          if (!location_valid (*m))
            return error_set (err, EINVAL, "registries: `%s`: invalid mirror `%s`", key, *m);
      }
    else
      return error_set (err, EINVAL, "registries: `%s`: unknown key `%s`", key, k);
  }
  return 0;
}

int
registries_conf_parse (const char *json, size_t len, struct registries_conf **out,
                       struct error **err)
{
  _cleanup_json_ json_object *root = NULL;
  int ret = jsonx_parse (json, len, &root, err);
  if (ret < 0)
    return ret;
  if (!json_object_is_type (root, json_type_object))
    return error_set (err, EINVAL, "registries configuration must be a JSON object");

  struct registries_conf *c = calloc (1, sizeof *c);
  if (c == NULL)
    return error_set (err, ENOMEM, "out of memory");
  __attribute__ ((cleanup (registries_conf_freep))) struct registries_conf *conf = c;

  json_object_object_foreach (root, key, val)
  {
    if (strcmp (key, "unqualified-search-registries") == 0)
      {
        if ((ret = jsonx_get_strv (root, key, &c->search, err)) < 0)
          return ret;
        for (char **s = c->search; s && *s; s++)
          if (!reference_domain_valid (*s))
            return error_set (err, EINVAL, "unqualified-search-registries: invalid registry `%s`",
                              *s);
      }
    else if (strcmp (key, "certs-dirs") == 0)
      {
        if ((ret = jsonx_get_strv (root, key, &c->certs_dirs, err)) < 0)
          return ret;
        for (char **s = c->certs_dirs; s && *s; s++)
          if ((*s)[0] != '/')
            return error_set (err, EINVAL, "certs-dirs: `%s` is not an absolute path", *s);
      }
    else if (strcmp (key, "registries") == 0)
      {
        if (val == NULL)
          continue;
        if (!json_object_is_type (val, json_type_object))
          return error_set (err, EINVAL, "`registries` must be an object");
        size_t n = (size_t)json_object_object_length (val);
        if (n > REGISTRIES_ENTRIES_MAX)
          return error_set (err, EINVAL, "registries: more than %d entries",
                            REGISTRIES_ENTRIES_MAX);
        c->entries = calloc (n ? n : 1, sizeof *c->entries);
        if (c->entries == NULL)
          return error_set (err, ENOMEM, "out of memory");
        json_object_object_foreach (val, rkey, rval)
        {
          struct registry_entry *e = &c->entries[c->n_entries++];
          if ((e->prefix = strdup (rkey)) == NULL)
            return error_set (err, ENOMEM, "out of memory");
          if ((ret = parse_entry (rkey, rval, e, err)) < 0)
            return ret;
        }
      }
    else
      return error_set (err, EINVAL, "unknown key `%s`", key);
  }
  if (c->certs_dirs == NULL && (ret = default_certs_dirs_list (&c->certs_dirs, err)) < 0)
    return ret;
  *out = TAKE_PTR (conf);
  return 0;
}

int
registries_conf_load (const char *path, struct registries_conf **out, struct error **err)
{
  bool explicit = path != NULL;
  if (path == NULL)
    {
      const char *env = getenv ("HULL_REGISTRIES_CONF");
      if (env && *env)
        {
          path = env;
          explicit = true;
        }
      else
        path = REGISTRIES_CONF_DEFAULT;
    }
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  struct error *rerr = NULL;
  int ret = fs_read_file (path, REGISTRIES_CONF_MAX, &text, &len, &rerr);
  if (ret < 0)
    {
      if (ret == -ENOENT && !explicit)
        {
          error_free (rerr);
          return registries_conf_new_default (out, err);
        }
      *err = rerr;
      return error_prefix (err, "registries configuration");
    }
  struct registries_conf *c = NULL;
  if ((ret = registries_conf_parse (text, len, &c, err)) < 0)
    return error_prefix (err, "registries configuration `%s`", path);
  if ((c->path = strdup (path)) == NULL)
    {
      registries_conf_free (c);
      return error_set (err, ENOMEM, "out of memory");
    }
  *out = c;
  return 0;
}

/* Does prefix cover name ("host/a" covers "host/a" and "host/a/b", not "host/ab")? */
static bool
prefix_covers (const char *prefix, const char *name)
{
  size_t n = strlen (prefix);
  return strncmp (prefix, name, n) == 0 && (name[n] == '\0' || name[n] == '/');
}

const struct registry_entry *
registries_find (const struct registries_conf *conf, const char *domain, const char *path)
{
  if (conf == NULL)
    return NULL;
  _cleanup_free_ char *full = NULL;
  if (path && *path)
    {
      if (asprintf (&full, "%s/%s", domain, path) < 0)
        return NULL;
    }
  else if ((full = strdup (domain)) == NULL)
    return NULL;
  const struct registry_entry *best = NULL;
  for (size_t i = 0; i < conf->n_entries; i++)
    {
      const struct registry_entry *e = &conf->entries[i];
      if (prefix_covers (e->prefix, full) && (!best || strlen (e->prefix) > strlen (best->prefix)))
        best = e;
    }
  return best;
}

bool
registries_host_is_loopback (const char *domain)
{
  if (domain == NULL)
    return false;
  size_t hl;
  if (domain[0] == '[')
    {
      const char *close = strchr (domain, ']');
      if (!close)
        return false;
      return (size_t)(close - domain) == 4 && strncmp (domain, "[::1]", 5) == 0;
    }
  const char *colon = strchr (domain, ':');
  hl = colon ? (size_t)(colon - domain) : strlen (domain);
  if (hl == 9 && strncmp (domain, "localhost", 9) == 0)
    return true;
  /* 127.0.0.0/8, written as a dotted quad */
  if (hl < 9 || strncmp (domain, "127.", 4) != 0)
    return false;
  int dots = 0;
  for (size_t i = 0; i < hl; i++)
    {
      if (domain[i] == '.')
        dots++;
      else if (domain[i] < '0' || domain[i] > '9')
        return false;
    }
  return dots == 3;
}

bool
registries_insecure (const struct registries_conf *conf, const char *domain)
{
  if (conf)
    for (size_t i = 0; i < conf->n_entries; i++)
      if (strcmp (conf->entries[i].prefix, domain) == 0 && conf->entries[i].insecure_set)
        return conf->entries[i].insecure;
  return registries_host_is_loopback (domain);
}

void
registry_endpoints_free (struct registry_endpoint *e, size_t n)
{
  if (e == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    {
      free (e[i].domain);
      free (e[i].path);
    }
  free (e);
}

static int
endpoint_set (struct registry_endpoint *ep, const struct registries_conf *conf, const char *full,
              bool mirror, struct error **err)
{
  const char *slash = strchr (full, '/');
  if (slash == NULL || slash[1] == '\0')
    return error_set (err, EINVAL, "registries: mirror location `%s` has no repository path", full);
  ep->domain = strndup (full, (size_t)(slash - full));
  ep->path = strdup (slash + 1);
  if (!ep->domain || !ep->path)
    return error_set (err, ENOMEM, "out of memory");
  if (!reference_path_valid (ep->path))
    return error_set (err, EINVAL, "registries: invalid repository `%s` on mirror", full);
  ep->insecure = registries_insecure (conf, ep->domain);
  ep->mirror = mirror;
  return 0;
}

int
registries_endpoints (const struct registries_conf *conf, const struct reference *ref,
                      bool for_push, struct registry_endpoint **out, size_t *n, struct error **err)
{
  const struct registry_entry *e = registries_find (conf, ref->domain, ref->path);
  if (e && e->blocked)
    return error_set (err, EACCES, "registry `%s` is blocked in `%s`", e->prefix,
                      conf->path ? conf->path : "the registries configuration");
  size_t nm = (!for_push && e) ? strv_len (e->mirrors) : 0;
  struct registry_endpoint *eps = calloc (nm + 1, sizeof *eps);
  if (eps == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_free_ char *full = NULL;
  if (asprintf (&full, "%s/%s", ref->domain, ref->path) < 0)
    {
      free (eps);
      return error_set (err, ENOMEM, "out of memory");
    }
  size_t k = 0;
  int ret = 0;
  for (size_t i = 0; i < nm && ret == 0; i++)
    {
      /* the entry's prefix is replaced by the mirror location */
      _cleanup_free_ char *mfull = NULL;
      if (asprintf (&mfull, "%s%s", e->mirrors[i], full + strlen (e->prefix)) < 0)
        ret = error_set (err, ENOMEM, "out of memory");
      else
        ret = endpoint_set (&eps[k++], conf, mfull, true, err);
    }
  if (ret == 0)
    ret = endpoint_set (&eps[k++], conf, full, false, err);
  if (ret < 0)
    {
      registry_endpoints_free (eps, k);
      return ret;
    }
  *out = eps;
  *n = k;
  return 0;
}

void
registry_tls_files_clear (struct registry_tls_files *f)
{
  strv_free (f->ca_files);
  strv_free (f->client_certs);
  strv_free (f->client_keys);
  f->ca_files = f->client_certs = f->client_keys = NULL;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static int
scan_dir (const char *dir, struct registry_tls_files *out, struct error **err)
{
  _cleanup_closedir_ DIR *d = opendir (dir);
  if (d == NULL)
    return error_errno (err, errno, "open `%s`", dir);
  _cleanup_strv_ char **names = NULL;
  struct dirent *de;
  size_t count = 0;
  while ((de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      if (++count > CERTS_DIR_FILES_MAX)
        return error_set (err, EFBIG, "`%s`: more than %d files", dir, CERTS_DIR_FILES_MAX);
      if (strv_push (&names, de->d_name) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  if (names == NULL)
    return 0;
  /* readdir order is arbitrary: sort so that the result is stable */
  qsort (names, strv_len (names), sizeof *names, cmp_str);
  for (char **n = names; *n; n++)
    {
      _cleanup_free_ char *path = fs_path_join (dir, *n);
      if (path == NULL)
        return error_set (err, ENOMEM, "out of memory");
      if (str_has_suffix (*n, ".crt"))
        {
          if (strv_push (&out->ca_files, path) < 0)
            return error_set (err, ENOMEM, "out of memory");
        }
      else if (str_has_suffix (*n, ".cert"))
        {
          _cleanup_free_ char *keyname = NULL, *key = NULL;
          if (asprintf (&keyname, "%.*s.key", (int)(strlen (*n) - 5), *n) < 0
              || (key = fs_path_join (dir, keyname)) == NULL)
            return error_set (err, ENOMEM, "out of memory");
          if (!strv_contains (names, keyname))
            return error_set (err, ENOENT, "client certificate `%s` has no key `%s`", path, key);
          if (strv_push (&out->client_certs, path) < 0 || strv_push (&out->client_keys, key) < 0)
            return error_set (err, ENOMEM, "out of memory");
        }
      else if (str_has_suffix (*n, ".key"))
        {
          _cleanup_free_ char *cert = NULL;
          if (asprintf (&cert, "%.*s.cert", (int)(strlen (*n) - 4), *n) < 0)
            return error_set (err, ENOMEM, "out of memory");
          if (!strv_contains (names, cert))
            return error_set (err, ENOENT, "key `%s` has no client certificate `%s/%s`", path, dir,
                              cert);
        }
    }
  return 0;
}

int
registries_tls_files (const struct registries_conf *conf, const char *domain, const char *extra_dir,
                      struct registry_tls_files *out, struct error **err)
{
  memset (out, 0, sizeof *out);
  int ret;
  if (extra_dir)
    {
      if ((ret = scan_dir (extra_dir, out, err)) < 0)
        registry_tls_files_clear (out);
      return ret;
    }
  _cleanup_strv_ char **defaults = NULL;
  char *const *dirs = conf ? conf->certs_dirs : NULL;
  if (dirs == NULL)
    {
      if ((ret = default_certs_dirs_list (&defaults, err)) < 0)
        return ret;
      dirs = defaults;
    }
  /* a domain is a single path component by construction; check anyway, it
   * becomes part of a path */
  if (strchr (domain, '/') || strcmp (domain, "..") == 0 || strcmp (domain, ".") == 0)
    return error_set (err, EINVAL, "invalid registry `%s`", domain);
  for (char *const *d = dirs; *d; d++)
    {
      _cleanup_free_ char *sub = fs_path_join (*d, domain);
      if (sub == NULL)
        return error_set (err, ENOMEM, "out of memory");
      struct stat st;
      if (stat (sub, &st) < 0 || !S_ISDIR (st.st_mode))
        continue;
      if ((ret = scan_dir (sub, out, err)) < 0)
        registry_tls_files_clear (out);
      return ret;
    }
  return 0;
}
