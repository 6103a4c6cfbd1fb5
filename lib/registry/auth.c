#include "auth.h"

#include "reference.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* user:password decoded from one entry: far more than any registry allows */
#define AUTH_CREDENTIAL_MAX (64 << 10)

static const char *
home_dir (void)
{
  const char *h = getenv ("HOME");
  if (h && *h)
    return h;
  struct passwd *pw = getpwuid (getuid ());
  return pw ? pw->pw_dir : NULL;
}

/* The files consulted, in order. */
static int
auth_files (const char *authfile, char ***out, struct error **err)
{
  _cleanup_strv_ char **v = NULL;
  const char *env = getenv ("REGISTRY_AUTH_FILE");
  if (authfile || (env && *env))
    {
      if (strv_push (&v, authfile ? authfile : env) < 0)
        return error_set (err, ENOMEM, "out of memory");
      *out = TAKE_PTR (v);
      return 0;
    }
  char *p = NULL;
  const char *rt = getenv ("XDG_RUNTIME_DIR");
  if (rt && *rt)
    {
      if (asprintf (&p, "%s/containers/auth.json", rt) < 0 || strv_consume (&v, p) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  else if (asprintf (&p, "/run/containers/%u/auth.json", (unsigned)getuid ()) < 0
           || strv_consume (&v, p) < 0)
    return error_set (err, ENOMEM, "out of memory");
  const char *home = home_dir ();
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  if (xdg && *xdg)
    {
      if (asprintf (&p, "%s/containers/auth.json", xdg) < 0 || strv_consume (&v, p) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  else if (home)
    {
      if (asprintf (&p, "%s/.config/containers/auth.json", home) < 0 || strv_consume (&v, p) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  const char *dc = getenv ("DOCKER_CONFIG");
  if (dc && *dc)
    {
      if (asprintf (&p, "%s/config.json", dc) < 0 || strv_consume (&v, p) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  else if (home)
    {
      if (asprintf (&p, "%s/.docker/config.json", home) < 0 || strv_consume (&v, p) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  *out = TAKE_PTR (v);
  return 0;
}

int
auth_file_path (const char *authfile, char **out, struct error **err)
{
  _cleanup_strv_ char **v = NULL;
  int ret = auth_files (authfile, &v, err);
  if (ret < 0)
    return ret;
  if ((*out = strdup (v[0])) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  return 0;
}

char *
auth_encode (const char *user, const char *password)
{
  _cleanup_free_ char *plain = NULL;
  int n = asprintf (&plain, "%s:%s", user, password);
  if (n < 0 || n > AUTH_CREDENTIAL_MAX)
    return NULL;
  char *out = malloc (4 * (((size_t)n + 2) / 3) + 1);
  if (out == NULL)
    return NULL;
  EVP_EncodeBlock ((unsigned char *)out, (const unsigned char *)plain, n);
  return out;
}

int
auth_decode (const char *b64, char **user, char **password, struct error **err)
{
  size_t len = strlen (b64);
  if (len == 0)
    return error_set (err, EINVAL, "empty `auth` value");
  if (len > AUTH_CREDENTIAL_MAX || len % 4 != 0)
    return error_set (err, EINVAL, "`auth` is not valid base64");
  size_t pad = 0;
  for (size_t i = 0; i < len; i++)
    {
      char c = b64[i];
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '+' || c == '/';
      if (c == '=' && i >= len - 2)
        pad++;
      else if (!ok || pad)
        return error_set (err, EINVAL, "`auth` is not valid base64");
    }
  _cleanup_free_ unsigned char *buf = malloc (len / 4 * 3 + 1);
  if (buf == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int n = EVP_DecodeBlock (buf, (const unsigned char *)b64, (int)len);
  if (n < 0 || (size_t)n < pad)
    return error_set (err, EINVAL, "`auth` is not valid base64");
  n -= (int)pad; /* EVP_DecodeBlock counts padding as zero bytes */
  buf[n] = '\0';
  if (memchr (buf, '\0', (size_t)n))
    return error_set (err, EINVAL, "`auth` holds a NUL byte");
  char *colon = strchr ((char *)buf, ':');
  if (colon == NULL)
    return error_set (err, EINVAL, "`auth` is not `user:password`");
  *colon = '\0';
  char *u = strdup ((char *)buf), *p = strdup (colon + 1);
  if (!u || !p)
    {
      free (u);
      free (p);
      return error_set (err, ENOMEM, "out of memory");
    }
  *user = u;
  *password = p;
  return 0;
}

/* A key as written in the file -> "host[:port][/path]": docker's URL spellings
 * ("https://index.docker.io/v1/") reduced to the host, docker.io aliases
 * unified. */
static char *
normalise_key (const char *key)
{
  const char *k = key;
  bool url = false;
  if (str_has_prefix (k, "https://"))
    k += 8, url = true;
  else if (str_has_prefix (k, "http://"))
    k += 7, url = true;
  size_t n = url ? strcspn (k, "/") : strlen (k);
  while (n > 0 && k[n - 1] == '/')
    n--;
  char *s = strndup (k, n);
  if (s == NULL)
    return NULL;
  const char *aliases[] = { "index.docker.io", "registry-1.docker.io" };
  for (size_t i = 0; i < ARRAY_SIZE (aliases); i++)
    {
      size_t al = strlen (aliases[i]);
      if (strncmp (s, aliases[i], al) == 0 && (s[al] == '\0' || s[al] == '/'))
        {
          char *r = NULL;
          if (asprintf (&r, "docker.io%s", s + al) < 0)
            r = NULL;
          free (s);
          return r;
        }
    }
  return s;
}

int
auth_registry_key (const char *input, char **out, struct error **err)
{
  if (input == NULL || *input == '\0' || strlen (input) > 512)
    return error_set (err, EINVAL, "invalid registry `%s`", input ? input : "");
  /* a URL names a host: its path (/v2/, /v1/) is not part of the key */
  _cleanup_free_ char *k = normalise_key (input);
  if (k == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char *slash = strchr (k, '/');
  _cleanup_free_ char *dom = slash ? strndup (k, (size_t)(slash - k)) : strdup (k);
  if (dom == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (!reference_domain_valid (dom) || (slash && !reference_path_valid (slash + 1)))
    return error_set (err, EINVAL, "invalid registry `%s`", input);
  *out = TAKE_PTR (k);
  return 0;
}

static int
read_auth_file (const char *path, json_object **out, struct error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  int ret = fs_read_file (path, AUTH_FILE_MAX, &text, &len, err);
  if (ret < 0)
    return ret;
  json_object *o = NULL;
  if ((ret = jsonx_parse (text, len, &o, err)) < 0)
    return error_prefix (err, "auth file `%s`", path);
  if (!json_object_is_type (o, json_type_object))
    {
      json_object_put (o);
      return error_set (err, EINVAL, "auth file `%s`: not a JSON object", path);
    }
  *out = o;
  return 0;
}

/* The "auths" key of root that best matches domain/path (NULL: none).  With
 * exact, only a key that normalises to exactly want. */
static const char *
find_key (json_object *auths, const char *domain, const char *path, bool exact)
{
  _cleanup_free_ char *full = NULL;
  if (path && *path ? asprintf (&full, "%s/%s", domain, path) < 0 : !(full = strdup (domain)))
    return NULL;
  const char *best = NULL;
  size_t best_len = 0;
  json_object_object_foreach (auths, key, val)
  {
    (void)val;
    _cleanup_free_ char *nk = normalise_key (key);
    if (nk == NULL)
      continue;
    size_t n = strlen (nk);
    bool match = exact ? strcmp (nk, full) == 0
                       : strncmp (nk, full, n) == 0 && (full[n] == '\0' || full[n] == '/');
    /* the most specific key wins; among equals, a plain "host" key over a URL */
    if (match && (best == NULL || n > best_len || (n == best_len && strcmp (key, nk) == 0)))
      {
        best = key;
        best_len = n;
      }
  }
  return best;
}

int
auth_lookup (const char *authfile, const char *domain, const char *path, char **user,
             char **password, struct error **err)
{
  _cleanup_strv_ char **files = NULL;
  int ret = auth_files (authfile, &files, err);
  if (ret < 0)
    return ret;
  for (char **f = files; *f; f++)
    {
      _cleanup_json_ json_object *root = NULL;
      struct error *rerr = NULL;
      if ((ret = read_auth_file (*f, &root, &rerr)) < 0)
        {
          if (ret == -ENOENT || ret == -ENOTDIR)
            {
              error_free (rerr);
              continue;
            }
          *err = rerr;
          return ret;
        }
      json_object *auths = NULL;
      if ((ret = jsonx_get_object (root, "auths", &auths, err)) < 0)
        return error_prefix (err, "auth file `%s`", *f);
      if (auths == NULL)
        continue;
      const char *key = find_key (auths, domain, path, false);
      if (key == NULL)
        continue;
      json_object *entry = json_object_object_get (auths, key);
      const char *b64 = NULL;
      if (!json_object_is_type (entry, json_type_object))
        return error_set (err, EINVAL, "auth file `%s`: `%s` must be an object", *f, key);
      if ((ret = jsonx_get_string (entry, "auth", &b64, err)) < 0)
        return error_prefix (err, "auth file `%s`: `%s`", *f, key);
      if (b64 == NULL || *b64 == '\0')
        continue; /* an entry kept by a credential helper: not ours to use */
      if ((ret = auth_decode (b64, user, password, err)) < 0)
        return error_prefix (err, "auth file `%s`: `%s`", *f, key);
      return 1;
    }
  return 0;
}

/* Read path for update: a missing file is an empty document. */
static int
load_for_update (const char *path, json_object **root, json_object **auths, struct error **err)
{
  struct error *rerr = NULL;
  int ret = read_auth_file (path, root, &rerr);
  if (ret == -ENOENT)
    {
      error_free (rerr);
      if ((*root = json_object_new_object ()) == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }
  else if (ret < 0)
    {
      *err = rerr;
      return ret;
    }
  if ((ret = jsonx_get_object (*root, "auths", auths, err)) < 0)
    return error_prefix (err, "auth file `%s`", path);
  if (*auths == NULL)
    {
      json_object *a = json_object_new_object ();
      if (a == NULL || json_object_object_add (*root, "auths", a) < 0)
        return error_set (err, ENOMEM, "out of memory");
      *auths = a;
    }
  return 0;
}

static int
save (const char *path, json_object *root, struct error **err)
{
  _cleanup_free_ char *dir = strdup (path);
  if (dir == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char *slash = strrchr (dir, '/');
  if (slash && slash != dir)
    {
      *slash = '\0';
      /* 0700: the directory holds secrets */
      int ret = fs_mkdir_p (AT_FDCWD, dir, 0700, err);
      if (ret < 0)
        return ret;
    }
  const char *text = json_object_to_json_string_ext (
      root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (text == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_free_ char *with_nl = NULL;
  if (asprintf (&with_nl, "%s\n", text) < 0)
    return error_set (err, ENOMEM, "out of memory");
  int ret = fs_write_file_atomic (AT_FDCWD, path, with_nl, strlen (with_nl), 0600, err);
  if (ret < 0)
    return ret;
  /* an existing file keeps the mode of the temporary one: 0600, whatever
   * umask allowed */
  if (chmod (path, 0600) < 0)
    return error_errno (err, errno, "chmod `%s`", path);
  return 0;
}

static bool
key_valid (const char *key)
{
  if (key == NULL || *key == '\0' || strlen (key) > 512)
    return false;
  for (const char *c = key; *c; c++)
    if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
      return false;
  return true;
}

int
auth_store (const char *authfile, const char *key, const char *user, const char *password,
            struct error **err)
{
  if (!key_valid (key))
    return error_set (err, EINVAL, "invalid registry `%s`", key ? key : "");
  if (user == NULL || *user == '\0' || strchr (user, ':'))
    return error_set (err, EINVAL, "invalid user name `%s`: empty or contains `:`",
                      user ? user : "");
  _cleanup_free_ char *path = NULL;
  int ret = auth_file_path (authfile, &path, err);
  if (ret < 0)
    return ret;
  _cleanup_json_ json_object *root = NULL;
  json_object *auths = NULL;
  if ((ret = load_for_update (path, &root, &auths, err)) < 0)
    return ret;
  _cleanup_free_ char *b64 = auth_encode (user, password ? password : "");
  if (b64 == NULL)
    return error_set (err, EINVAL, "credentials too long");
  /* replace every spelling of this key (e.g. an "https://host/" one) */
  _cleanup_free_ char *nk = normalise_key (key);
  if (nk == NULL)
    return error_set (err, ENOMEM, "out of memory");
  const char *old;
  while ((old = find_key (auths, nk, NULL, true)))
    json_object_object_del (auths, old);
  json_object *entry = json_object_new_object ();
  json_object *v = json_object_new_string (b64);
  if (!entry || !v || json_object_object_add (entry, "auth", v) < 0)
    {
      json_object_put (entry);
      json_object_put (v);
      return error_set (err, ENOMEM, "out of memory");
    }
  if (json_object_object_add (auths, key, entry) < 0)
    {
      json_object_put (entry);
      return error_set (err, ENOMEM, "out of memory");
    }
  return save (path, root, err);
}

int
auth_remove (const char *authfile, const char *key, struct error **err)
{
  if (!key_valid (key))
    return error_set (err, EINVAL, "invalid registry `%s`", key ? key : "");
  _cleanup_free_ char *path = NULL;
  int ret = auth_file_path (authfile, &path, err);
  if (ret < 0)
    return ret;
  _cleanup_free_ char *nk = normalise_key (key);
  if (nk == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_json_ json_object *root = NULL;
  json_object *auths = NULL;
  struct error *rerr = NULL;
  ret = read_auth_file (path, &root, &rerr);
  if (ret < 0 && ret != -ENOENT)
    {
      *err = rerr;
      return ret;
    }
  error_free (rerr);
  if (root && (ret = jsonx_get_object (root, "auths", &auths, err)) < 0)
    return error_prefix (err, "auth file `%s`", path);
  bool removed = false;
  const char *old;
  while (auths && (old = find_key (auths, nk, NULL, true)))
    {
      json_object_object_del (auths, old);
      removed = true;
    }
  if (!removed)
    {
      /* say where the credentials are when another file of the chain has them */
      _cleanup_free_ char *u = NULL, *p = NULL;
      struct error *lerr = NULL;
      if (authfile == NULL && !getenv ("REGISTRY_AUTH_FILE")
          && auth_lookup (NULL, nk, NULL, &u, &p, &lerr) > 0)
        return error_set (err, ENOENT,
                          "not logged in to `%s` in `%s` (credentials in another auth "
                          "file, e.g. docker's config.json, are left alone)",
                          key, path);
      error_free (lerr);
      return error_set (err, ENOENT, "not logged in to `%s`", key);
    }
  return save (path, root, err);
}

int
auth_remove_all (const char *authfile, struct error **err)
{
  _cleanup_free_ char *path = NULL;
  int ret = auth_file_path (authfile, &path, err);
  if (ret < 0)
    return ret;
  _cleanup_json_ json_object *root = NULL;
  struct error *rerr = NULL;
  ret = read_auth_file (path, &root, &rerr);
  if (ret == -ENOENT)
    {
      error_free (rerr);
      return 0;
    }
  if (ret < 0)
    {
      *err = rerr;
      return ret;
    }
  json_object *a = json_object_new_object ();
  if (a == NULL)
    return error_set (err, ENOMEM, "out of memory");
  json_object_object_del (root, "auths");
  if (json_object_object_add (root, "auths", a) < 0)
    {
      json_object_put (a);
      return error_set (err, ENOMEM, "out of memory");
    }
  return save (path, root, err);
}
