/* pkgdb.c - parsers of the package databases found in images: dpkg's
 * status file (and distroless status.d entries), apk's installed file,
 * os-release, Python's METADATA/PKG-INFO, npm's package.json and
 * package-lock.json.
 *
 * Every input comes from an image and is hostile: the parsers work on a
 * bounded buffer, accept no line as trusted, and turn a bad stanza into a
 * problem line ("FILE:LINE: what") while keeping the good ones.
 */
#include "scan/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
scan_problem (char ***problems, const char *fmt, ...)
{
  size_t n = strv_len (*problems);
  if (n > SCAN_PROBLEMS_MAX)
    return;
  char *s = NULL;
  if (n == SCAN_PROBLEMS_MAX)
    s = strdup ("(more problems not listed)");
  else
    {
      va_list ap;
      va_start (ap, fmt);
      if (vasprintf (&s, fmt, ap) < 0)
        s = NULL;
      va_end (ap);
    }
  if (s)
    strv_consume (problems, s);
}

void
scan_pkg_clear (struct scan_pkg *p)
{
  free (p->name);
  free (p->version);
  free (p->src_name);
  free (p->src_version);
  free (p->arch);
  free (p->path);
  free (p->layer);
  free (p->licenses);
  memset (p, 0, sizeof *p);
}

static char *
dup0 (const char *s)
{
  return s ? strdup (s) : NULL;
}

int
scan_pkg_copy (const struct scan_pkg *src, struct scan_pkg *dst)
{
  *dst = *src;
  dst->name = dup0 (src->name);
  dst->version = dup0 (src->version);
  dst->src_name = dup0 (src->src_name);
  dst->src_version = dup0 (src->src_version);
  dst->arch = dup0 (src->arch);
  dst->path = dup0 (src->path);
  dst->layer = dup0 (src->layer);
  dst->licenses = dup0 (src->licenses);
  if (!dst->name || !dst->version || (src->src_name && !dst->src_name)
      || (src->src_version && !dst->src_version) || (src->arch && !dst->arch)
      || (src->path && !dst->path) || (src->layer && !dst->layer)
      || (src->licenses && !dst->licenses))
    {
      scan_pkg_clear (dst);
      return -ENOMEM;
    }
  return 0;
}

void
scan_os_clear (struct scan_os *os)
{
  free (os->id);
  free (os->version_id);
  free (os->codename);
  free (os->pretty);
  free (os->detail);
  memset (os, 0, sizeof *os);
}

int
scan_inv_add (struct scan_inventory *inv, struct scan_pkg *p, struct error **err)
{
  if (inv->n_pkgs >= SCAN_PKGS_MAX)
    {
      scan_pkg_clear (p);
      return error_set (err, E2BIG, "more than %d packages", SCAN_PKGS_MAX);
    }
  size_t n = inv->n_pkgs;
  if (n == 0 || (n >= 16 && (n & (n - 1)) == 0))
    {
      size_t cap = n ? n * 2 : 16;
      struct scan_pkg *np = realloc (inv->pkgs, cap * sizeof *np);
      if (!np)
        {
          scan_pkg_clear (p);
          return error_errno (err, ENOMEM, "packages");
        }
      inv->pkgs = np;
    }
  inv->pkgs[inv->n_pkgs++] = *p;
  memset (p, 0, sizeof *p);
  return 0;
}

void
scan_inventory_free (struct scan_inventory *inv)
{
  if (!inv)
    return;
  for (size_t i = 0; i < inv->n_pkgs; i++)
    scan_pkg_clear (&inv->pkgs[i]);
  free (inv->pkgs);
  scan_os_clear (&inv->os);
  strv_free (inv->problems);
  free (inv);
}

/* ------------------------------------------------------------ deb822 */

/* One stanza of "Key: value" lines (continuations start with a space or a
 * tab); we keep only the fields we use. */
struct stanza
{
  size_t line; /* where it starts */
  char *f[8];  /* field values, by index of fields[] */
};

static void
stanza_clear (struct stanza *s)
{
  for (size_t i = 0; i < ARRAY_SIZE (s->f); i++)
    free (s->f[i]);
  memset (s, 0, sizeof *s);
}

static char *
trimmed (const char *s, size_t n)
{
  while (n > 0 && (*s == ' ' || *s == '\t'))
    s++, n--;
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    n--;
  return strndup (s, n);
}

/* Call fn for each stanza of data; fields[] names what to keep.  A stanza
 * ends at a blank line.  Returns fn's first negative result. */
static int
deb822_each (const char *data, size_t len, const char *const *fields, size_t n_fields,
             int (*fn) (struct stanza *st, void *ud), void *ud)
{
  struct stanza st = { 0 };
  bool in = false;
  size_t line = 0;
  const char *p = data, *end = data + len;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t)(end - p));
      const char *le = nl ? nl : end;
      line++;
      bool blank = true;
      for (const char *q = p; q < le; q++)
        if (*q != ' ' && *q != '\t' && *q != '\r')
          blank = false;
      if (blank)
        {
          if (in)
            {
              int r = fn (&st, ud);
              stanza_clear (&st);
              in = false;
              if (r < 0)
                return r;
            }
        }
      else if (*p == ' ' || *p == '\t')
        {
          /* a continuation line: only multi-line fields (Description,
           * Conffiles) have them, and we keep none of those */
        }
      else
        {
          if (!in)
            {
              in = true;
              st.line = line;
            }
          const char *colon = memchr (p, ':', (size_t)(le - p));
          if (colon)
            for (size_t i = 0; i < n_fields && i < ARRAY_SIZE (st.f); i++)
              if ((size_t)(colon - p) == strlen (fields[i])
                  && strncasecmp (p, fields[i], (size_t)(colon - p)) == 0)
                {
                  free (st.f[i]);
                  st.f[i] = trimmed (colon + 1, (size_t)(le - colon - 1));
                  break;
                }
        }
      p = nl ? nl + 1 : end;
    }
  int r = 0;
  if (in)
    r = fn (&st, ud);
  stanza_clear (&st);
  return r;
}

struct dpkg_ctx
{
  struct scan_inventory *inv;
  const char *path;
  bool need_status;
  struct error **err;
};

enum
{
  F_PACKAGE,
  F_STATUS,
  F_VERSION,
  F_SOURCE,
  F_ARCH
};
static const char *const dpkg_fields[]
    = { "Package", "Status", "Version", "Source", "Architecture" };

static bool
valid_name (const char *s)
{
  if (!s || !*s || strlen (s) > 256)
    return false;
  for (; *s; s++)
    if (!isalnum ((unsigned char)*s) && !strchr ("+-._@/", *s))
      return false;
  return true;
}

static int
dpkg_stanza (struct stanza *st, void *ud)
{
  struct dpkg_ctx *c = ud;
  const char *name = st->f[F_PACKAGE], *ver = st->f[F_VERSION], *status = st->f[F_STATUS];
  if (c->need_status)
    {
      /* Only what is really installed: "install ok installed" and "hold ok
       * installed"; half-installed, config-files (removed, conffiles
       * kept), not-installed... are not on the system. */
      if (!status)
        {
          scan_problem (&c->inv->problems, "%s:%zu: stanza without Status", c->path, st->line);
          return 0;
        }
      if (strcmp (status, "install ok installed") != 0 && strcmp (status, "hold ok installed") != 0)
        return 0;
    }
  if (!valid_name (name))
    {
      scan_problem (&c->inv->problems, "%s:%zu: %s", c->path, st->line,
                    name ? "invalid Package name" : "stanza without Package");
      return 0;
    }
  _cleanup_error_ struct error *e = NULL;
  if (!ver || scan_dpkg_version_check (ver, &e) < 0)
    {
      scan_problem (&c->inv->problems, "%s:%zu: package `%s`: %s", c->path, st->line, name,
                    ver ? e->msg : "no Version");
      return 0;
    }
  struct scan_pkg p = { .type = SCAN_PKG_DEB };
  /* Source: "name" or "name (version)" when the source version differs */
  if (st->f[F_SOURCE] && *st->f[F_SOURCE])
    {
      char *s = st->f[F_SOURCE];
      char *sp = strchr (s, ' ');
      if (sp)
        {
          char *open = strchr (sp, '('), *close = open ? strchr (open, ')') : NULL;
          if (!open || !close || close[1] != 0)
            {
              scan_problem (&c->inv->problems, "%s:%zu: package `%s`: invalid Source `%s`", c->path,
                            st->line, name, s);
              return 0;
            }
          _cleanup_free_ char *sv = trimmed (open + 1, (size_t)(close - open - 1));
          if (!sv || scan_dpkg_version_check (sv, &e) < 0)
            {
              scan_problem (&c->inv->problems, "%s:%zu: package `%s`: Source %s", c->path, st->line,
                            name, e ? e->msg : "version missing");
              return 0;
            }
          p.src_version = TAKE_PTR (sv);
          *sp = 0;
        }
      if (!valid_name (s))
        {
          free (p.src_version);
          scan_problem (&c->inv->problems, "%s:%zu: package `%s`: invalid Source name", c->path,
                        st->line, name);
          return 0;
        }
      p.src_name = strdup (s);
    }
  p.name = strdup (name);
  p.version = strdup (ver);
  p.arch = st->f[F_ARCH] ? strdup (st->f[F_ARCH]) : NULL;
  p.path = strdup (c->path);
  if (!p.name || !p.version || !p.path)
    {
      scan_pkg_clear (&p);
      return error_errno (c->err, ENOMEM, "package");
    }
  return scan_inv_add (c->inv, &p, c->err);
}

int
scan_parse_dpkg_status (const char *data, size_t len, const char *path, bool need_status,
                        struct scan_inventory *inv, struct error **err)
{
  struct dpkg_ctx c = { inv, path, need_status, err };
  return deb822_each (data, len, dpkg_fields, ARRAY_SIZE (dpkg_fields), dpkg_stanza, &c);
}

/* ------------------------------------------------------------ apk */

int
scan_parse_apk_installed (const char *data, size_t len, const char *path,
                          struct scan_inventory *inv, struct error **err)
{
  /* "K:value" lines, a blank line between packages: P name, V version,
   * A arch, o origin (the source package), L license. */
  struct scan_pkg p = { .type = SCAN_PKG_APK };
  size_t line = 0, start = 0;
  const char *q = data, *end = data + len;
  int r = 0;
  for (;;)
    {
      const char *le = q < end ? memchr (q, '\n', (size_t)(end - q)) : NULL;
      if (!le)
        le = end;
      bool done = q >= end;
      if (!done)
        line++;
      if (done || le == q || (le == q + 1 && *q == '\r'))
        {
          if (p.name || p.version)
            {
              _cleanup_error_ struct error *e = NULL;
              if (!valid_name (p.name))
                scan_problem (&inv->problems, "%s:%zu: %s", path, start,
                              p.name ? "invalid package name (P:)" : "package without P:");
              else if (!p.version || scan_apk_version_check (p.version, &e) < 0)
                scan_problem (&inv->problems, "%s:%zu: package `%s`: %s", path, start, p.name,
                              p.version ? e->msg : "no V:");
              else if (p.src_name && !valid_name (p.src_name))
                scan_problem (&inv->problems, "%s:%zu: package `%s`: invalid origin", path, start,
                              p.name);
              else
                {
                  p.path = strdup (path);
                  if (!p.path)
                    r = error_errno (err, ENOMEM, "package");
                  else
                    r = scan_inv_add (inv, &p, err);
                }
            }
          scan_pkg_clear (&p);
          p.type = SCAN_PKG_APK;
          if (r < 0 || done)
            break;
        }
      else if (le - q >= 2 && q[1] == ':')
        {
          if (!p.name && !p.version)
            start = line;
          char **slot = NULL;
          switch (q[0])
            {
            case 'P':
              slot = &p.name;
              break;
            case 'V':
              slot = &p.version;
              break;
            case 'A':
              slot = &p.arch;
              break;
            case 'o':
              slot = &p.src_name;
              break;
            case 'L':
              slot = &p.licenses;
              break;
            }
          if (slot)
            {
              free (*slot);
              *slot = trimmed (q + 2, (size_t)(le - q - 2));
            }
        }
      else
        scan_problem (&inv->problems, "%s:%zu: not a `K:value` line", path, line);
      q = le < end ? le + 1 : end;
    }
  return r;
}

/* ------------------------------------------------------------ os-release */

int
scan_parse_os_release (const char *data, size_t len, struct scan_os *os)
{
  const char *q = data, *end = data + len;
  while (q < end)
    {
      const char *le = memchr (q, '\n', (size_t)(end - q));
      if (!le)
        le = end;
      const char *eq = memchr (q, '=', (size_t)(le - q));
      if (eq && *q != '#')
        {
          size_t kn = (size_t)(eq - q);
          char **slot = NULL;
          if (kn == 2 && strncmp (q, "ID", 2) == 0)
            slot = &os->id;
          else if (kn == 10 && strncmp (q, "VERSION_ID", 10) == 0)
            slot = &os->version_id;
          else if (kn == 16 && strncmp (q, "VERSION_CODENAME", 16) == 0)
            slot = &os->codename;
          else if (kn == 11 && strncmp (q, "PRETTY_NAME", 11) == 0)
            slot = &os->pretty;
          if (slot)
            {
              /* the value: unquoted, "double" (with \ escapes) or 'single' */
              const char *v = eq + 1;
              size_t vn = (size_t)(le - v);
              while (vn > 0 && (v[vn - 1] == '\r' || v[vn - 1] == ' '))
                vn--;
              char *out = malloc (vn + 1), *o = out;
              if (!out)
                return -ENOMEM;
              char quote = vn && (*v == '"' || *v == '\'') ? *v : 0;
              for (size_t i = quote ? 1 : 0; i < vn; i++)
                {
                  if (quote && v[i] == quote)
                    break;
                  if (quote == '"' && v[i] == '\\' && i + 1 < vn)
                    i++;
                  if (v[i] == 0 || (unsigned char)v[i] < 0x20)
                    continue;
                  *o++ = v[i];
                }
              *o = 0;
              free (*slot);
              *slot = out;
            }
        }
      q = le + 1;
    }
  return 0;
}

/* ------------------------------------------------------------ Python */

char *
scan_python_normalize (const char *name)
{
  size_t n = strlen (name);
  char *out = malloc (n + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n; i++)
    {
      if (name[i] == '-' || name[i] == '_' || name[i] == '.')
        {
          if (o > out && o[-1] != '-')
            *o++ = '-';
          continue;
        }
      *o++ = (char)tolower ((unsigned char)name[i]);
    }
  while (o > out && o[-1] == '-')
    o--;
  *o = 0;
  return out;
}

enum
{
  PY_NAME,
  PY_VERSION,
  PY_LICENSE
};
static const char *const py_fields[] = { "Name", "Version", "License" };

struct py_ctx
{
  struct scan_inventory *inv;
  const char *path;
  struct error **err;
  bool done;
};

static int
py_stanza (struct stanza *st, void *ud)
{
  struct py_ctx *c = ud;
  /* the headers are the first stanza; what follows is the description */
  if (c->done)
    return 0;
  c->done = true;
  _cleanup_error_ struct error *e = NULL;
  int cmp;
  if (!valid_name (st->f[PY_NAME]))
    {
      scan_problem (&c->inv->problems, "%s: no valid Name", c->path);
      return 0;
    }
  if (!st->f[PY_VERSION] || scan_pep440_cmp (st->f[PY_VERSION], "0", &cmp, &e) < 0)
    {
      scan_problem (&c->inv->problems, "%s: package `%s`: %s", c->path, st->f[PY_NAME],
                    e ? e->msg : "no Version");
      return 0;
    }
  struct scan_pkg p = { .type = SCAN_PKG_PYTHON };
  p.name = strdup (st->f[PY_NAME]);
  p.version = strdup (st->f[PY_VERSION]);
  p.licenses = st->f[PY_LICENSE] && *st->f[PY_LICENSE] && strlen (st->f[PY_LICENSE]) < 200
                   ? strdup (st->f[PY_LICENSE])
                   : NULL;
  p.path = strdup (c->path);
  if (!p.name || !p.version || !p.path)
    {
      scan_pkg_clear (&p);
      return error_errno (c->err, ENOMEM, "package");
    }
  return scan_inv_add (c->inv, &p, c->err);
}

int
scan_parse_python_metadata (const char *data, size_t len, const char *path,
                            struct scan_inventory *inv, struct error **err)
{
  struct py_ctx c = { inv, path, err, false };
  return deb822_each (data, len, py_fields, ARRAY_SIZE (py_fields), py_stanza, &c);
}

/* ------------------------------------------------------------ npm */

static int
npm_add (struct scan_inventory *inv, const char *path, const char *name, const char *version,
         const char *license, struct error **err)
{
  _cleanup_error_ struct error *e = NULL;
  int cmp;
  if (!valid_name (name))
    {
      scan_problem (&inv->problems, "%s: invalid package name", path);
      return 0;
    }
  if (!version || scan_semver_cmp (version, "0.0.0", &cmp, &e) < 0)
    {
      scan_problem (&inv->problems, "%s: package `%s`: %s", path, name, e ? e->msg : "no version");
      return 0;
    }
  struct scan_pkg p = { .type = SCAN_PKG_NPM };
  p.name = strdup (name);
  p.version = strdup (version);
  p.path = strdup (path);
  p.licenses = license && strlen (license) < 200 ? strdup (license) : NULL;
  if (!p.name || !p.version || !p.path)
    {
      scan_pkg_clear (&p);
      return error_errno (err, ENOMEM, "package");
    }
  return scan_inv_add (inv, &p, err);
}

static const char *
jstr (json_object *o, const char *key)
{
  json_object *v;
  if (!json_object_is_type (o, json_type_object) || !json_object_object_get_ex (o, key, &v)
      || !json_object_is_type (v, json_type_string))
    return NULL;
  return json_object_get_string (v);
}

/* lockfileVersion 1: "dependencies": { name: { version, dependencies } } */
static int
npm_lock_v1 (struct scan_inventory *inv, const char *path, json_object *deps, int depth,
             struct error **err)
{
  if (!json_object_is_type (deps, json_type_object) || depth > 64)
    return 0;
  json_object_object_foreach (deps, name, d)
  {
    json_object *b;
    if (json_object_object_get_ex (d, "bundled", &b) && json_object_get_boolean (b))
      continue;
    const char *v = jstr (d, "version");
    /* links and git/file/url dependencies are not registry versions */
    if (v && (isdigit ((unsigned char)v[0]) || v[0] == 'v'))
      {
        int r = npm_add (inv, path, name, v, NULL, err);
        if (r < 0)
          return r;
      }
    json_object *sub;
    if (json_object_object_get_ex (d, "dependencies", &sub))
      {
        int r = npm_lock_v1 (inv, path, sub, depth + 1, err);
        if (r < 0)
          return r;
      }
  }
  return 0;
}

int
scan_parse_npm_package (const char *data, size_t len, const char *path, bool lockfile,
                        struct scan_inventory *inv, struct error **err)
{
  _cleanup_json_ json_object *doc = NULL;
  _cleanup_error_ struct error *e = NULL;
  if (jsonx_parse (data, len, &doc, &e) < 0)
    {
      scan_problem (&inv->problems, "%s: %s", path, e->msg);
      return 0;
    }
  if (!json_object_is_type (doc, json_type_object))
    {
      scan_problem (&inv->problems, "%s: not a JSON object", path);
      return 0;
    }
  if (!lockfile)
    return npm_add (inv, path, jstr (doc, "name"), jstr (doc, "version"), jstr (doc, "license"),
                    err);
  json_object *pkgs;
  if (json_object_object_get_ex (doc, "packages", &pkgs)
      && json_object_is_type (pkgs, json_type_object))
    {
      /* lockfileVersion 2/3: "packages": { "node_modules/a/node_modules/b": {...} } */
      json_object_object_foreach (pkgs, key, d)
      {
        const char *nm = strstr (key, "node_modules/");
        if (!nm)
          continue; /* "" is the project itself */
        const char *last = nm;
        while ((nm = strstr (last + 1, "node_modules/")))
          last = nm;
        json_object *link;
        if (json_object_object_get_ex (d, "link", &link) && json_object_get_boolean (link))
          continue;
        const char *name = jstr (d, "name");
        if (!name)
          name = last + strlen ("node_modules/");
        const char *v = jstr (d, "version");
        if (!v || !(isdigit ((unsigned char)v[0]) || v[0] == 'v'))
          continue;
        int r = npm_add (inv, path, name, v, jstr (d, "license"), err);
        if (r < 0)
          return r;
      }
      return 0;
    }
  json_object *deps;
  if (json_object_object_get_ex (doc, "dependencies", &deps))
    return npm_lock_v1 (inv, path, deps, 0, err);
  return 0;
}
