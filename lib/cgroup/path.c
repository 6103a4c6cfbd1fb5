/* path.c - linux.cgroupsPath -> one directory per mounted hierarchy, and the
 * two managers' ways of naming a cgroup.
 *
 * Semantics as runc and crun:
 *   "/a/b"             relative to each hierarchy's root
 *   "a/b"              relative to the runtime's own cgroup in each hierarchy
 *   absent             "/hull/<id>"
 *   "slice:prefix:name"  (--systemd-cgroup) "/<expanded slice>/prefix-name.scope"
 * ".." is refused outright: the path comes from a config the runtime does not
 * trust, and the cgroup tree is the host's.
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
check_path (const char *what, const char *p, struct error **err)
{
  if (strlen (p) >= PATH_MAX / 2)
    return error_set (err, ENAMETOOLONG, "%s is too long", what);
  for (const char *s = p; *s;)
    {
      const char *e = strchrnul (s, '/');
      if (e - s == 2 && s[0] == '.' && s[1] == '.')
        return error_set (err, EINVAL, "%s `%s` must not contain `..`", what, p);
      s = *e ? e + 1 : e;
    }
  for (const char *s = p; *s; s++)
    if (*s == '\n')
      return error_set (err, EINVAL, "%s must not contain a newline", what);
  return 0;
}

int
cg_resolve_dirs (const struct cg_layout *l, const char *path, bool relative,
                 struct cgroup *cg, struct error **err)
{
  char **own = NULL;
  int r = 0;
  own = calloc (l->n ? l->n : 1, sizeof *own);
  if (own == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (relative)
    {
      _cleanup_free_ char *text = NULL;
      r = fs_read_file ("/proc/self/cgroup", 1 << 20, &text, NULL, err);
      if (r == 0)
        r = cg_parse_proc_cgroup (l, text, own, err);
      if (r < 0)
        goto out;
    }
  cg->dirs = calloc (l->n, sizeof *cg->dirs);
  if (cg->dirs == NULL)
    {
      r = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  cg->v2 = -1;
  for (int c = 0; c < CG_N_CTRL; c++)
    cg->ctrl_dir[c] = -1;
  for (size_t i = 0; i < l->n; i++)
    {
      const struct cg_hier *h = &l->h[i];
      struct cg_dir *d = &cg->dirs[i];
      d->fd = -1;
      cg->n++;
      _cleanup_free_ char *joined = NULL, *rel = NULL;
      if (relative)
        {
          const char *base = own[i] ? own[i] : "/";
          /* a mount of a subtree (mnt_root != "/") shows that subtree */
          if (strcmp (h->mnt_root, "/") != 0 && str_has_prefix (base, h->mnt_root))
            base += strlen (h->mnt_root);
          joined = fs_path_join (*base ? base : "/", path);
        }
      else
        joined = strdup (path);
      rel = joined ? fs_path_clean (joined) : NULL;
      d->abs = rel ? fs_path_join (h->mnt, rel) : NULL;
      d->ctrls_str = cg_hier_ctrls_str (h);
      if (d->abs == NULL || d->ctrls_str == NULL)
        {
          r = error_set (err, ENOMEM, "out of memory");
          goto out;
        }
      d->ctrls = h->ctrls;
      d->v2 = h->v2;
      if (h->v2 && cg->v2 < 0)
        cg->v2 = (int) i;
      if (!h->v2)
        for (int c = 0; c < CG_N_CTRL; c++)
          if ((h->ctrls & (1u << c)) && cg->ctrl_dir[c] < 0)
            cg->ctrl_dir[c] = (int) i;
      /* the path reported: the unified one, else the first hierarchy's */
      if (cg->path == NULL || (h->v2 && cg->v2 == (int) i))
        {
          free (cg->path);
          cg->path = TAKE_PTR (rel);
        }
    }
out:
  for (size_t i = 0; i < l->n; i++)
    free (own[i]);
  free (own);
  return r;
}

static int
cgroupfs_resolve (const struct cgroup_options *o, const struct cg_layout *l,
                  struct cgroup *cg, struct error **err)
{
  _cleanup_free_ char *def = NULL;
  const char *p = o->cgroups_path;
  if (p == NULL || *p == '\0')
    {
      if (o->id == NULL || *o->id == '\0' || strchr (o->id, '/')
          || strcmp (o->id, ".") == 0 || strcmp (o->id, "..") == 0)
        return error_set (err, EINVAL, "container id `%s` cannot name a cgroup",
                          o->id ? o->id : "");
      if (asprintf (&def, "/hull/%s", o->id) < 0)
        return error_set (err, ENOMEM, "out of memory");
      p = def;
    }
  int r = check_path ("`linux.cgroupsPath`", p, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *clean = fs_path_clean (p);
  if (clean == NULL)
    return error_set (err, ENOMEM, "out of memory");
  bool relative = p[0] != '/';
  if (!relative && strcmp (clean, "/") == 0)
    return error_set (err, EINVAL,
                      "`linux.cgroupsPath` `%s` names the root cgroup", p);
  return cg_resolve_dirs (l, clean, relative, cg, err);
}

const struct cg_manager cg_manager_cgroupfs = {
  .name = "cgroupfs",
  .resolve = cgroupfs_resolve,
};

int
cg_expand_slice (const char *slice, char **out, struct error **err)
{
  if (!str_has_suffix (slice, ".slice") || strchr (slice, '/')
      || strlen (slice) > 255)
    return error_set (err, EINVAL, "invalid slice name `%s`", slice);
  if (strcmp (slice, "-.slice") == 0)
    {
      *out = strdup ("/");
      return *out ? 0 : error_set (err, ENOMEM, "out of memory");
    }
  size_t n = strlen (slice) - strlen (".slice");
  if (n == 0 || slice[0] == '-' || slice[n - 1] == '-' || strstr (slice, "--"))
    return error_set (err, EINVAL, "invalid slice name `%s`", slice);
  /* "a-b-c.slice" lives in "/a.slice/a-b.slice/a-b-c.slice" */
  _cleanup_free_ char *res = strdup ("");
  if (res == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i <= n; i++)
    {
      if (i < n && slice[i] != '-')
        continue;
      char *nr = NULL;
      if (asprintf (&nr, "%s/%.*s.slice", res, (int) i, slice) < 0)
        return error_set (err, ENOMEM, "out of memory");
      free (res);
      res = nr;
    }
  *out = TAKE_PTR (res);
  return 0;
}

/* The systemd manager.  A real one asks systemd (StartTransientUnit over
 * D-Bus) to make a scope; hull has no D-Bus client yet.  Where no systemd
 * runs there is nobody to ask: fail at once with a message saying what to do,
 * rather than hang on a socket.  Where one runs, the scope's path is used
 * through cgroupfs and a warning says the unit is not registered. */
static int
systemd_resolve (const struct cgroup_options *o, const struct cg_layout *l,
                 struct cgroup *cg, struct error **err)
{
  if (access ("/run/systemd/system", F_OK) < 0)
    return error_set (err, ENOTSUP,
                      "--systemd-cgroup: systemd is not running on this host "
                      "(no /run/systemd/system); run without --systemd-cgroup "
                      "to use the cgroupfs manager");
  const char *p = o->cgroups_path;
  _cleanup_free_ char *def = NULL;
  if (p == NULL || *p == '\0')
    {
      if (asprintf (&def, "system.slice:hull:%s", o->id ? o->id : "") < 0)
        return error_set (err, ENOMEM, "out of memory");
      p = def;
    }
  /* slice:prefix:name */
  const char *c1 = strchr (p, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  if (c2 == NULL || strchr (c2 + 1, ':') || strchr (p, '/'))
    return error_set (err, EINVAL,
                      "`linux.cgroupsPath` `%s` must be `slice:prefix:name` "
                      "with --systemd-cgroup", p);
  _cleanup_free_ char *slice = strndup (p, (size_t) (c1 - p));
  _cleanup_free_ char *prefix = strndup (c1 + 1, (size_t) (c2 - c1 - 1));
  const char *name = c2 + 1;
  if (slice == NULL || prefix == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (*name == '\0')
    return error_set (err, EINVAL, "`linux.cgroupsPath` `%s`: empty name", p);
  _cleanup_free_ char *sp = NULL;
  int r = cg_expand_slice (*slice ? slice : "system.slice", &sp, err);
  if (r < 0)
    return error_prefix (err, "`linux.cgroupsPath`");
  _cleanup_free_ char *full = NULL;
  if (str_has_suffix (name, ".slice"))
    {
      _cleanup_free_ char *ns = NULL;
      r = cg_expand_slice (name, &ns, err);
      if (r < 0)
        return error_prefix (err, "`linux.cgroupsPath`");
      full = strdup (ns);
    }
  else if (asprintf (&full, "%s/%s%s%s.scope", sp, prefix, *prefix ? "-" : "",
                     name) < 0)
    full = NULL;
  if (full == NULL)
    return error_set (err, ENOMEM, "out of memory");
  r = check_path ("`linux.cgroupsPath`", full, err);
  if (r < 0)
    return r;
  log_warn ("--systemd-cgroup: no D-Bus client, using `%s` through cgroupfs "
            "(systemd does not know the unit)", full);
  return cg_resolve_dirs (l, full, false, cg, err);
}

const struct cg_manager cg_manager_systemd = {
  .name = "systemd",
  .resolve = systemd_resolve,
};
