/* inventory.c - what is installed in a stack of layers.
 *
 * Each layer directory is walked once (and remembered by the reader, so
 * that images and containers sharing layers cost one walk per layer): the
 * package databases it holds are parsed, and its whiteouts (0:0 character
 * devices) and opaque directories (trusted.overlay.opaque=y) are noted.
 * The inventory of a stack is then put together top down, the way
 * overlayfs shows the files: the topmost layer holding a database file
 * wins, and a whiteout or an opaque directory above hides the file in
 * every layer below.  A container's upper directory is one more layer on
 * top, never cached (it changes while the container runs).
 *
 * The walk trusts nothing in the layer: directories are opened with
 * O_NOFOLLOW (a symlink is never followed, inside or out of the layer),
 * only regular files are read, each with a size limit, and the depth and
 * the number of entries are bounded.
 */
#include "scan/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define WALK_DEPTH_MAX 48
#define WALK_ENTRIES_MAX 4000000

enum kind
{
  K_OSREL_ETC,
  K_OSREL_USR,
  K_DEBVER,
  K_ALPREL,
  K_DPKG,
  K_DPKG_D,
  K_APK,
  K_PY,
  K_NPM,
  K_NPMLOCK,
};

struct entry
{
  char *path;
  enum kind kind;
  struct scan_inventory *inv; /* packages read from it (and its problems) */
  char *text;                 /* os-release, debian_version... contents */
};

struct layer_scan
{
  char *dir;
  struct entry *e;
  size_t n, cap;
  char **whiteouts;
  char **opaque;
  char **problems;
  size_t seen;
};

struct scan_reader
{
  struct layer_scan **cache;
  size_t n;
  size_t walked;
};

static void
layer_scan_free (struct layer_scan *ls)
{
  if (!ls)
    return;
  for (size_t i = 0; i < ls->n; i++)
    {
      free (ls->e[i].path);
      scan_inventory_free (ls->e[i].inv);
      free (ls->e[i].text);
    }
  free (ls->e);
  free (ls->dir);
  strv_free (ls->whiteouts);
  strv_free (ls->opaque);
  strv_free (ls->problems);
  free (ls);
}

int
scan_reader_new (struct scan_reader **out, struct error **err)
{
  *out = calloc (1, sizeof **out);
  if (!*out)
    return error_errno (err, ENOMEM, "scan reader");
  return 0;
}

void
scan_reader_free (struct scan_reader *r)
{
  if (!r)
    return;
  for (size_t i = 0; i < r->n; i++)
    layer_scan_free (r->cache[i]);
  free (r->cache);
  free (r);
}

size_t
scan_reader_walked (struct scan_reader *r)
{
  return r->walked;
}

/* ------------------------------------------------------------ the walk */

static const char *
base_of (const char *path)
{
  const char *s = strrchr (path, '/');
  return s ? s + 1 : path;
}

/* What a regular file at rel (relative to the layer) is to us, or -1. */
static int
classify (const char *rel)
{
  if (strcmp (rel, "etc/os-release") == 0)
    return K_OSREL_ETC;
  if (strcmp (rel, "usr/lib/os-release") == 0)
    return K_OSREL_USR;
  if (strcmp (rel, "etc/debian_version") == 0)
    return K_DEBVER;
  if (strcmp (rel, "etc/alpine-release") == 0)
    return K_ALPREL;
  if (strcmp (rel, "var/lib/dpkg/status") == 0)
    return K_DPKG;
  if (strcmp (rel, "lib/apk/db/installed") == 0)
    return K_APK;
  if (str_has_prefix (rel, "var/lib/dpkg/status.d/") && !strchr (rel + 22, '/'))
    {
      /* distroless: one file per package; *.md5sums are file lists */
      const char *b = rel + 22;
      if (*b == '.' || str_has_suffix (b, ".md5sums"))
        return -1;
      return K_DPKG_D;
    }
  const char *b = base_of (rel);
  size_t bl = strlen (b), rl = strlen (rel);
  if (rl == bl)
    return -1;
  /* the parent directory's name */
  const char *pe = rel + rl - bl - 1, *ps = pe;
  while (ps > rel && ps[-1] != '/')
    ps--;
  size_t pl = (size_t)(pe - ps);
  if (strcmp (b, "METADATA") == 0 && pl > 10 && strncmp (pe - 10, ".dist-info", 10) == 0)
    return K_PY;
  if (strcmp (b, "PKG-INFO") == 0 && pl > 9 && strncmp (pe - 9, ".egg-info", 9) == 0)
    return K_PY;
  if (strcmp (b, "package-lock.json") == 0)
    return K_NPMLOCK;
  if (strcmp (b, "package.json") == 0)
    {
      /* .../node_modules/NAME/package.json or .../node_modules/@S/NAME/package.json */
      if (ps == rel)
        return -1;
      const char *ge = ps - 1, *gs = ge;
      while (gs > rel && gs[-1] != '/')
        gs--;
      size_t gl = (size_t)(ge - gs);
      if (gl == 12 && strncmp (gs, "node_modules", 12) == 0)
        return K_NPM;
      if (*gs == '@' && gs > rel)
        {
          const char *he = gs - 1, *hs = he;
          while (hs > rel && hs[-1] != '/')
            hs--;
          if (he - hs == 12 && strncmp (hs, "node_modules", 12) == 0)
            return K_NPM;
        }
    }
  return -1;
}

static int
parse_entry (struct entry *en, const char *data, size_t len, struct error **err)
{
  en->inv = calloc (1, sizeof *en->inv);
  if (!en->inv)
    return error_errno (err, ENOMEM, "inventory");
  switch (en->kind)
    {
    case K_OSREL_ETC:
    case K_OSREL_USR:
    case K_DEBVER:
    case K_ALPREL:
      en->text = strndup (data, len);
      return en->text ? 0 : error_errno (err, ENOMEM, "file");
    case K_DPKG:
      return scan_parse_dpkg_status (data, len, en->path, true, en->inv, err);
    case K_DPKG_D:
      /* distroless entries have no Status field: each file is installed */
      return scan_parse_dpkg_status (data, len, en->path, false, en->inv, err);
    case K_APK:
      return scan_parse_apk_installed (data, len, en->path, en->inv, err);
    case K_PY:
      return scan_parse_python_metadata (data, len, en->path, en->inv, err);
    case K_NPM:
      return scan_parse_npm_package (data, len, en->path, false, en->inv, err);
    case K_NPMLOCK:
      return scan_parse_npm_package (data, len, en->path, true, en->inv, err);
    }
  return 0;
}

static int
add_entry (struct layer_scan *ls, int dfd, const char *name, const char *rel, enum kind k,
           struct error **err)
{
  if (ls->n == ls->cap)
    {
      size_t cap = ls->cap ? ls->cap * 2 : 16;
      struct entry *n = realloc (ls->e, cap * sizeof *n);
      if (!n)
        return error_errno (err, ENOMEM, "layer entries");
      ls->e = n;
      ls->cap = cap;
    }
  struct entry *en = &ls->e[ls->n];
  memset (en, 0, sizeof *en);
  en->kind = k;
  en->path = strdup (rel);
  if (!en->path)
    return error_errno (err, ENOMEM, "path");
  ls->n++;
  size_t max
      = (k == K_DPKG || k == K_APK || k == K_NPMLOCK) ? SCAN_DB_FILE_MAX : SCAN_SMALL_FILE_MAX;
  /* O_NOFOLLOW: a symlink planted where a database is expected is not
   * read through; O_NONBLOCK: a FIFO in its place cannot block us (only
   * regular files get this far, but the name may have been swapped). */
  _cleanup_close_ int fd = openat (dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      scan_problem (&ls->problems, "%s: cannot read: %s", rel,
                    fd < 0 ? strerror (errno) : "not a regular file");
      return 0;
    }
  if ((uint64_t)st.st_size > max)
    {
      scan_problem (&ls->problems, "%s: %llu bytes, more than the limit of %zu: not read", rel,
                    (unsigned long long)st.st_size, max);
      return 0;
    }
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  _cleanup_error_ struct error *e = NULL;
  if (fs_read_fd (fd, max, &data, &len, &e) < 0)
    {
      scan_problem (&ls->problems, "%s: %s", rel, e->msg);
      return 0;
    }
  return parse_entry (en, data, len, err);
}

static int
walk (struct layer_scan *ls, int dfd, char *rel, size_t rel_len, int depth, struct error **err)
{
  if (depth > WALK_DEPTH_MAX)
    {
      scan_problem (&ls->problems, "%s: deeper than %d levels: not read", rel, WALK_DEPTH_MAX);
      return 0;
    }
  int dup = fcntl (dfd, F_DUPFD_CLOEXEC, 3);
  if (dup < 0)
    return error_errno (err, errno, "dup");
  _cleanup_closedir_ DIR *d = fdopendir (dup);
  if (!d)
    {
      close (dup);
      return error_errno (err, errno, "read directory `%s`", rel_len ? rel : ".");
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      const char *n = de->d_name;
      if (strcmp (n, ".") == 0 || strcmp (n, "..") == 0)
        continue;
      if (++ls->seen > WALK_ENTRIES_MAX)
        {
          scan_problem (&ls->problems, "more than %d entries: the rest not read", WALK_ENTRIES_MAX);
          return 0;
        }
      size_t nl = strlen (n);
      if (rel_len + nl + 2 >= PATH_MAX)
        {
          scan_problem (&ls->problems, "%s/%s: path too long: not read", rel, n);
          continue;
        }
      size_t sub_len = rel_len ? rel_len + 1 + nl : nl;
      if (rel_len)
        rel[rel_len] = '/';
      memcpy (rel + (rel_len ? rel_len + 1 : 0), n, nl + 1);
      unsigned char t = de->d_type;
      struct stat st;
      if (t == DT_UNKNOWN || t == DT_CHR)
        {
          if (fstatat (dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
            goto next;
          t = S_ISDIR (st.st_mode)   ? DT_DIR
              : S_ISREG (st.st_mode) ? DT_REG
              : S_ISCHR (st.st_mode) ? DT_CHR
                                     : DT_UNKNOWN;
        }
      int r = 0;
      if (t == DT_CHR)
        {
          /* overlayfs whiteout: hides this path in the layers below */
          if (major (st.st_rdev) == 0 && minor (st.st_rdev) == 0)
            {
              char *w = strdup (rel);
              if (!w || strv_consume (&ls->whiteouts, w) < 0)
                return error_errno (err, ENOMEM, "whiteouts");
            }
        }
      else if (t == DT_REG)
        {
          int k = classify (rel);
          if (k >= 0)
            r = add_entry (ls, dfd, n, rel, (enum kind)k, err);
        }
      else if (t == DT_DIR)
        {
          _cleanup_close_ int sub
              = openat (dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub < 0)
            {
              scan_problem (&ls->problems, "%s: cannot open: %s", rel, strerror (errno));
              goto next;
            }
          char v[2];
          ssize_t vl = fgetxattr (sub, "trusted.overlay.opaque", v, sizeof v);
          if (vl == 1 && v[0] == 'y')
            {
              char *o = strdup (rel);
              if (!o || strv_consume (&ls->opaque, o) < 0)
                return error_errno (err, ENOMEM, "opaque directories");
            }
          r = walk (ls, sub, rel, sub_len, depth + 1, err);
        }
      if (r < 0)
        return r;
    next:
      rel[rel_len] = 0;
    }
  return 0;
}

static int
scan_layer (const char *dir, struct layer_scan **out, struct error **err)
{
  struct layer_scan *ls = calloc (1, sizeof *ls);
  if (!ls || !(ls->dir = strdup (dir)))
    {
      free (ls);
      return error_errno (err, ENOMEM, "layer");
    }
  _cleanup_close_ int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int e = errno;
      layer_scan_free (ls);
      return error_errno (err, e, "open layer `%s`", dir);
    }
  char rel[PATH_MAX] = "";
  int r = walk (ls, fd, rel, 0, 0, err);
  if (r < 0)
    {
      layer_scan_free (ls);
      return error_prefix (err, "layer `%s`", dir);
    }
  *out = ls;
  return 0;
}

static int
reader_get (struct scan_reader *r, const char *dir, bool cache, struct layer_scan **out,
            struct error **err)
{
  if (cache)
    for (size_t i = 0; i < r->n; i++)
      if (strcmp (r->cache[i]->dir, dir) == 0)
        {
          *out = r->cache[i];
          return 0;
        }
  struct layer_scan *ls;
  int ret = scan_layer (dir, &ls, err);
  if (ret < 0)
    return ret;
  r->walked++;
  if (!cache)
    {
      *out = ls;
      return 1; /* the caller frees it */
    }
  struct layer_scan **n = realloc (r->cache, (r->n + 1) * sizeof *n);
  if (!n)
    {
      layer_scan_free (ls);
      return error_errno (err, ENOMEM, "layer cache");
    }
  r->cache = n;
  r->cache[r->n++] = ls;
  *out = ls;
  return 0;
}

/* ------------------------------------------------------------ the stack */

/* path is hidden by list (a whiteout at it or above it; strict: only
 * strictly above it, for opaque directories) */
static bool
hidden_by (char *const *list, const char *path, bool strict)
{
  for (size_t i = 0; list && list[i]; i++)
    {
      size_t l = strlen (list[i]);
      if (strncmp (path, list[i], l) == 0 && (path[l] == '/' || (!strict && path[l] == 0)))
        return true;
    }
  return false;
}

static int
pkg_key_cmp (const void *a, const void *b)
{
  const struct scan_pkg *x = a, *y = b;
  if (x->type != y->type)
    return x->type < y->type ? -1 : 1;
  int c = strcmp (x->name, y->name);
  if (c)
    return c;
  c = strcmp (x->version, y->version);
  if (c)
    return c;
  return strcmp (x->path ? x->path : "", y->path ? y->path : "");
}

static char *
layer_label (const char *dir)
{
  const char *b = base_of (dir);
  if (strlen (b) == 64 && strspn (b, "0123456789abcdef") == 64)
    {
      char *s;
      return asprintf (&s, "sha256:%s", b) < 0 ? NULL : s;
    }
  return strdup (b);
}

/* Put the stack together: layers[0] is the bottom. */
static int
compose (struct layer_scan *const *layers, size_t n, struct scan_inventory **out,
         struct error **err)
{
  struct scan_inventory *inv = calloc (1, sizeof *inv);
  if (!inv)
    return error_errno (err, ENOMEM, "inventory");
  _cleanup_strv_ char **hide = NULL, **opaque = NULL, **seen = NULL;
  const struct entry *osrel = NULL, *osrel_usr = NULL, *detail = NULL;
  int ret = 0;
  for (size_t li = n; li-- > 0 && ret == 0;)
    {
      const struct layer_scan *ls = layers[li];
      for (size_t i = 0; ls->problems && ls->problems[i]; i++)
        scan_problem (&inv->problems, "%s", ls->problems[i]);
      for (size_t i = 0; i < ls->n && ret == 0; i++)
        {
          const struct entry *en = &ls->e[i];
          if (strv_contains (seen, en->path) || hidden_by (hide, en->path, false)
              || hidden_by (opaque, en->path, true))
            continue;
          if (strv_push (&seen, en->path) < 0)
            {
              ret = error_errno (err, ENOMEM, "inventory");
              break;
            }
          if (en->kind == K_OSREL_ETC)
            osrel = en;
          else if (en->kind == K_OSREL_USR)
            osrel_usr = en;
          else if (en->kind == K_DEBVER || en->kind == K_ALPREL)
            detail = en;
          if (!en->inv)
            continue;
          for (size_t j = 0; en->inv->problems && en->inv->problems[j]; j++)
            scan_problem (&inv->problems, "%s", en->inv->problems[j]);
          for (size_t j = 0; j < en->inv->n_pkgs && ret == 0; j++)
            {
              struct scan_pkg p;
              if (scan_pkg_copy (&en->inv->pkgs[j], &p) < 0)
                {
                  ret = error_errno (err, ENOMEM, "package");
                  break;
                }
              free (p.layer);
              p.layer = layer_label (ls->dir);
              ret = scan_inv_add (inv, &p, err);
            }
        }
      /* what this layer whites out or makes opaque hides the layers below */
      for (size_t i = 0; ls->whiteouts && ls->whiteouts[i] && ret == 0; i++)
        if (strv_push (&hide, ls->whiteouts[i]) < 0)
          ret = error_errno (err, ENOMEM, "whiteouts");
      for (size_t i = 0; ls->opaque && ls->opaque[i] && ret == 0; i++)
        if (strv_push (&opaque, ls->opaque[i]) < 0)
          ret = error_errno (err, ENOMEM, "opaque directories");
    }
  if (ret < 0)
    {
      scan_inventory_free (inv);
      return ret;
    }
  if (!osrel)
    osrel = osrel_usr;
  if (osrel && osrel->text)
    scan_parse_os_release (osrel->text, strlen (osrel->text), &inv->os);
  if (detail && detail->text)
    {
      size_t l = strcspn (detail->text, "\r\n");
      inv->os.detail = strndup (detail->text, l < 64 ? l : 64);
      if (!inv->os.id)
        inv->os.id = strdup (detail->kind == K_ALPREL ? "alpine" : "debian");
      if (!inv->os.version_id && detail->kind == K_ALPREL)
        inv->os.version_id = strdup (inv->os.detail);
    }
  if (inv->n_pkgs > 1)
    qsort (inv->pkgs, inv->n_pkgs, sizeof *inv->pkgs, pkg_key_cmp);
  /* language packages may be listed twice (a lock file and node_modules):
   * keep one per name and version */
  size_t w = 0;
  for (size_t i = 0; i < inv->n_pkgs; i++)
    {
      struct scan_pkg *p = &inv->pkgs[i];
      if (w > 0 && (p->type == SCAN_PKG_NPM || p->type == SCAN_PKG_PYTHON)
          && inv->pkgs[w - 1].type == p->type && strcmp (inv->pkgs[w - 1].name, p->name) == 0
          && strcmp (inv->pkgs[w - 1].version, p->version) == 0)
        {
          scan_pkg_clear (p);
          continue;
        }
      inv->pkgs[w++] = *p;
    }
  inv->n_pkgs = w;
  *out = inv;
  return 0;
}

static bool
same_pkg (const struct scan_pkg *a, const struct scan_pkg *b)
{
  return a->type == b->type && strcmp (a->name, b->name) == 0
         && strcmp (a->version, b->version) == 0
         && strcmp (a->arch ? a->arch : "", b->arch ? b->arch : "") == 0;
}

int
scan_inventory_layers (struct scan_reader *r, char *const *layers, const char *upper,
                       struct scan_inventory **out, struct error **err)
{
  size_t n = strv_len (layers);
  _cleanup_free_ struct layer_scan **ls = calloc (n + 1, sizeof *ls);
  if (!ls)
    return error_errno (err, ENOMEM, "layers");
  for (size_t i = 0; i < n; i++)
    {
      int ret = reader_get (r, layers[i], true, &ls[i], err);
      if (ret < 0)
        return ret;
    }
  if (!upper)
    return compose (ls, n, out, err);

  struct layer_scan *up = NULL;
  int ret = reader_get (r, upper, false, &up, err);
  if (ret < 0)
    return ret;
  ls[n] = up;
  if (up->n == 0 && !up->whiteouts && !up->opaque && !up->problems)
    {
      /* the container changed no package database (the common case): its
       * inventory is its image's, without drift */
      layer_scan_free (up);
      return compose (ls, n, out, err);
    }
  _cleanup_scan_inventory_ struct scan_inventory *image = NULL;
  struct scan_inventory *all = NULL;
  ret = compose (ls, n, &image, err);
  if (ret == 0)
    ret = compose (ls, n + 1, &all, err);
  layer_scan_free (up);
  if (ret < 0)
    return ret;
  /* drift: what the container has that its image has not */
  for (size_t i = 0; i < all->n_pkgs; i++)
    {
      struct scan_pkg *p = &all->pkgs[i];
      p->drift = true;
      for (size_t k = 0; k < image->n_pkgs && p->drift; k++)
        if (same_pkg (&image->pkgs[k], p))
          p->drift = false;
    }
  *out = all;
  return 0;
}

int
scan_inventory_dir (struct scan_reader *r, const char *dir, struct scan_inventory **out,
                    struct error **err)
{
  struct layer_scan *ls = NULL;
  int ret = reader_get (r, dir, false, &ls, err);
  if (ret < 0)
    return ret;
  ret = compose (&ls, 1, out, err);
  layer_scan_free (ls);
  return ret;
}

char *
scan_os_ecosystem (const struct scan_os *os)
{
  if (!os->id)
    return NULL;
  char *s = NULL;
  if (strcmp (os->id, "debian") == 0)
    {
      /* "12"; testing and sid have no VERSION_ID: not matched */
      if (!os->version_id || !*os->version_id
          || strspn (os->version_id, "0123456789") != strlen (os->version_id))
        return NULL;
      return asprintf (&s, "Debian:%s", os->version_id) < 0 ? NULL : s;
    }
  if (strcmp (os->id, "alpine") == 0)
    {
      /* "3.19.1" -> "v3.19" */
      const char *v = os->version_id;
      if (!v)
        return NULL;
      const char *dot = strchr (v, '.');
      size_t l = dot ? strcspn (dot + 1, ".") + (size_t)(dot + 1 - v) : strlen (v);
      return asprintf (&s, "Alpine:v%.*s", (int)l, v) < 0 ? NULL : s;
    }
  if (strcmp (os->id, "ubuntu") == 0 && os->version_id)
    return asprintf (&s, "Ubuntu:%s", os->version_id) < 0 ? NULL : s;
  return NULL;
}
