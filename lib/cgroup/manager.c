/* manager.c - create, enter, destroy; the cgroup's life on disk.
 *
 * The manager (path.c) decides where the cgroup is; this file makes the
 * directories in every mounted hierarchy, prepares what the kernel needs
 * before a process may enter (v1 cpuset values, v2 subtree_control), applies
 * the resources (apply.c) and undoes exactly what it made when anything fails.
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strv.h"
#include "oci/config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void index_dirs (struct cgroup *cg);

static struct cgroup *
cg_new (void)
{
  struct cgroup *cg = calloc (1, sizeof *cg);
  if (cg == NULL)
    return NULL;
  cg->v2 = -1;
  for (int c = 0; c < CG_N_CTRL; c++)
    cg->ctrl_dir[c] = -1;
  return cg;
}

void
cgroup_free (struct cgroup *cg)
{
  if (cg == NULL)
    return;
  for (size_t i = 0; i < cg->n; i++)
    {
      free (cg->dirs[i].abs);
      free (cg->dirs[i].ctrls_str);
      safe_close (cg->dirs[i].fd);
    }
  free (cg->dirs);
  free (cg->path);
  strv_free (cg->created_parents);
  free (cg);
}

static inline void
cgroup_freep (struct cgroup **p)
{
  cgroup_free (*p);
}
#define _cleanup_cgroup_ __attribute__ ((cleanup (cgroup_freep)))

const char *
cgroup_path (const struct cgroup *cg)
{
  return cg && cg->path ? cg->path : "";
}

int
cgroup_v2_fd (const struct cgroup *cg)
{
  if (cg == NULL || cg->noop || cg->mode != CGROUP_MODE_V2 || cg->v2 < 0)
    return -1;
  int fd = cg_dir_fd (cg, (size_t) cg->v2, NULL);
  return fd < 0 ? -1 : fd;
}

/* ------------------------------------------------------------ creation */

/* v1 cpuset: a new cgroup starts with empty cpuset.cpus and cpuset.mems, and
 * no task may enter it (ENOSPC) until they are set.  Copy them from the
 * parent at every level between the root and the leaf. */
static int
cpuset_fill (const char *mnt, const char *abs, struct error **err)
{
  size_t ml = strlen (mnt);
  if (strncmp (abs, mnt, ml) != 0)
    return 0;
  _cleanup_close_ int parent = open (mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0)
    return error_errno (err, errno, "open `%s`", mnt);
  _cleanup_free_ char *rest = strdup (abs + ml);
  if (rest == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char *save = NULL;
  for (char *c = strtok_r (rest, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      _cleanup_close_ int fd = openat (parent, c, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        return error_errno (err, errno, "open cpuset cgroup `%s`", c);
      static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
      for (size_t i = 0; i < 2; i++)
        {
          _cleanup_free_ char *cur = NULL, *up = NULL;
          if (cg_read (fd, files[i], &cur, err) < 0)
            return error_prefix (err, "cpuset");
          if (*cur)
            continue;
          if (cg_read (parent, files[i], &up, err) < 0)
            return error_prefix (err, "cpuset");
          if (*up && cg_write (fd, files[i], up, NULL, err) < 0)
            return error_prefix (err, "cpuset `%s`", c);
        }
      safe_close (parent);
      parent = TAKE_FD (fd);
    }
  return 0;
}

/* v2: controllers are usable in a cgroup only when every ancestor lists them
 * in cgroup.subtree_control.  Enable, level by level, what each level has.
 * Failures are not fatal here (a parent with processes of its own cannot
 * delegate); a limit that then has no file fails later, naming itself. */
static void
v2_enable_controllers (const char *mnt, const char *abs)
{
  size_t ml = strlen (mnt);
  if (strncmp (abs, mnt, ml) != 0)
    return;
  _cleanup_close_ int fd = open (mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *rest = strdup (abs + ml);
  if (fd < 0 || rest == NULL)
    return;
  /* the leaf itself needs nothing: only its ancestors delegate */
  char *last = strrchr (rest, '/');
  if (last)
    *last = '\0';
  char *save = NULL;
  char *comp = strtok_r (rest, "/", &save);
  for (;;)
    {
      _cleanup_free_ char *have = NULL, *on = NULL;
      if (cg_read (fd, "cgroup.controllers", &have, NULL) < 0 || *have == '\0')
        return;
      if (cg_read (fd, "cgroup.subtree_control", &on, NULL) < 0)
        return;
      char want[512] = "";
      size_t wl = 0;
      char *s2 = NULL;
      for (char *t = strtok_r (have, " ", &s2); t; t = strtok_r (NULL, " ", &s2))
        {
          bool enabled = false;
          size_t tl = strlen (t);
          for (char *p = on; (p = strstr (p, t)) != NULL; p += tl)
            if ((p == on || p[-1] == ' ') && (p[tl] == ' ' || p[tl] == '\0'))
              {
                enabled = true;
                break;
              }
          if (!enabled && wl + tl + 3 < sizeof want)
            wl += (size_t) snprintf (want + wl, sizeof want - wl, "%s+%s",
                                     wl ? " " : "", t);
        }
      if (wl > 0)
        {
          struct error *e = NULL;
          if (cg_write (fd, "cgroup.subtree_control", want, NULL, &e) < 0)
            {
              log_debug ("cgroup: enable `%s` below `%s`: %s", want,
                         comp ? comp : mnt, e->msg);
              error_free (e);
            }
        }
      if (comp == NULL)
        return;
      int next = openat (fd, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (next < 0)
        return;
      safe_close (fd);
      fd = next;
      comp = strtok_r (NULL, "/", &save);
    }
}

static bool
cgroup_dir_busy (const char *abs)
{
  _cleanup_free_ char *procs = NULL;
  _cleanup_close_ int fd = open (abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || cg_read (fd, "cgroup.procs", &procs, NULL) < 0)
    return false;
  return procs[0] != '\0';
}

/* mkdir -p, remembering which parents this call made (for rollback) */
static int
make_dir (struct cgroup *cg, const char *mnt, struct cg_dir *d,
          struct error **err)
{
  if (mkdir (d->abs, 0755) == 0)
    {
      d->created = true;
      return 0;
    }
  if (errno == EEXIST)
    {
      /* podman and containerd may pre-create parents, rarely the leaf of
       * a live container: a populated leaf is shared with someone else,
       * which runc allows with a warning (its limits then bind both) */
      if (cgroup_dir_busy (d->abs))
        log_warn ("cgroup `%s` is not empty: the container shares it with the "
                  "processes already inside", d->abs);
      return 0;
    }
  if (errno != ENOENT)
    return error_errno (err, errno, "create cgroup `%s`", d->abs);
  size_t ml = strlen (mnt);
  _cleanup_free_ char *p = strdup (d->abs);
  if (p == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (char *s = p + ml + 1; (s = strchr (s, '/')) != NULL; s++)
    {
      *s = '\0';
      if (mkdir (p, 0755) == 0)
        {
          if (strv_push (&cg->created_parents, p) < 0)
            return error_set (err, ENOMEM, "out of memory");
        }
      else if (errno != EEXIST)
        return error_errno (err, errno, "create cgroup `%s`", p);
      *s = '/';
    }
  if (mkdir (d->abs, 0755) < 0 && errno != EEXIST)
    return error_errno (err, errno, "create cgroup `%s`", d->abs);
  d->created = true;
  return 0;
}

/* Undo a failed create: the leaves it made, then the parents it made, deepest
 * first (a parent someone else started using in between stays: EBUSY). */
static void
rollback (struct cgroup *cg)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      struct cg_dir *d = &cg->dirs[i];
      d->fd = safe_close (d->fd);
      if (d->created && rmdir (d->abs) < 0 && errno != ENOENT)
        log_debug ("cgroup: remove `%s`: %s", d->abs, strerror (errno));
      d->created = false;
    }
  for (size_t i = strv_len (cg->created_parents); i > 0; i--)
    rmdir (cg->created_parents[i - 1]);
  strv_free (TAKE_PTR (cg->created_parents));
}

static bool
is_permission_error (int e)
{
  return e == EACCES || e == EPERM || e == EROFS;
}

int
cgroup_create (const struct cgroup_options *opts,
               const struct oci_resources *res, struct cgroup **out,
               struct error **err)
{
  const struct cg_layout *l;
  int r = cg_layout_get (&l, err);
  if (r < 0)
    return r;
  _cleanup_cgroup_ struct cgroup *cg = cg_new ();
  if (cg == NULL)
    return error_set (err, ENOMEM, "out of memory");
  cg->mode = l->mode;
  cg->fake = l->fake;
  cg->mgr = opts->systemd ? &cg_manager_systemd : &cg_manager_cgroupfs;
  r = cg->mgr->resolve (opts, l, cg, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < cg->n; i++)
    {
      struct cg_dir *d = &cg->dirs[i];
      const char *mnt = l->h[i].mnt;
      r = make_dir (cg, mnt, d, err);
      if (r < 0)
        {
          if (opts->rootless && is_permission_error (-r))
            {
              /* rootless without a delegated cgroup: run without one */
              log_debug ("cgroup: %s (rootless: continuing without a cgroup)",
                         (*err)->msg);
              error_freep (err);
              rollback (cg);
              cg->noop = true;
              *out = TAKE_PTR (cg);
              return 0;
            }
          rollback (cg);
          return r;
        }
      if (!d->v2 && (d->ctrls & (1u << CG_CPUSET)))
        {
          r = cpuset_fill (mnt, d->abs, err);
          if (r < 0)
            {
              rollback (cg);
              return r;
            }
        }
      if (d->v2 && l->mode == CGROUP_MODE_V2)
        v2_enable_controllers (mnt, d->abs);
    }
  /* A process moved into a frozen cgroup stops at once: the container
   * would hang in its setup (crun does).  A frozen cgroup is someone's
   * paused workload, so it is refused rather than thawed. */
  r = cg_refuse_frozen (cg, err);
  if (r < 0)
    {
      rollback (cg);
      return r;
    }
  cg->v2_ctrls_known = false;
  r = cg_apply (cg, res, false, err);
  if (r < 0)
    {
      rollback (cg);
      return r;
    }
  for (size_t i = 0; i < cg->n; i++)
    {
      cg->dirs[i].created = false;
      /* opened now: entering (cgroup_enter_self in a child that has its
       * own mount namespace already) must not depend on paths */
      r = cg_dir_fd (cg, i, err);
      if (r < 0)
        {
          rollback (cg);
          return r;
        }
    }
  strv_free (TAKE_PTR (cg->created_parents));
  *out = TAKE_PTR (cg);
  return 0;
}

int
cgroup_update (struct cgroup *cg, const struct oci_resources *res,
               struct error **err)
{
  if (cg->noop || res == NULL)
    return 0;
  return cg_apply (cg, res, true, err);
}

int
cgroup_enter (const struct cgroup *cg, pid_t pid, struct error **err)
{
  if (cg->noop)
    return 0;
  char buf[24];
  snprintf (buf, sizeof buf, "%d", (int) pid);
  for (size_t i = 0; i < cg->n; i++)
    {
      int fd = cg_dir_fd (cg, i, err);
      if (fd < 0)
        return error_prefix (err, "enter cgroup");
      if (cg_write (fd, "cgroup.procs", buf, NULL, err) < 0)
        return error_prefix (err, "enter cgroup `%s`", cg->dirs[i].abs);
    }
  return 0;
}

int
cgroup_clone_fd (const struct cgroup *cg)
{
  if (cg == NULL || cg->noop || cg->v2 < 0)
    return -1;
  int fd = cg_dir_fd (cg, (size_t) cg->v2, NULL);
  return fd < 0 ? -1 : fd;
}

int
cgroup_enter_self (const struct cgroup *cg, bool in_v2, struct error **err)
{
  if (cg->noop)
    return 0;
  for (size_t i = 0; i < cg->n; i++)
    {
      if (cg->dirs[i].v2 && in_v2)
        continue;
      int fd = cg_dir_fd (cg, i, err);
      if (fd < 0)
        return error_prefix (err, "enter cgroup");
      /* v1: this thread (the only one) through `tasks`, no global lock;
       * v2 has no per-thread file for domain cgroups: cgroup.procs */
      const char *file = cg->dirs[i].v2 ? "cgroup.procs" : "tasks";
      if (cg_write (fd, file, "0", NULL, err) < 0)
        return error_prefix (err, "enter cgroup `%s`", cg->dirs[i].abs);
    }
  return 0;
}

/* ------------------------------------------------------------ exec --cgroup */

/* PATH of a --cgroup spec: relative, no "." or ".." component, so that the
 * process cannot be put outside the container's cgroup */
static int
sub_path_check (const char *spec, const char *p, struct error **err)
{
  while (*p == '/')
    p++;
  if (*p == '\0')
    return error_set (err, EINVAL, "--cgroup `%s`: empty sub-cgroup path", spec);
  for (const char *c = p; *c;)
    {
      size_t n = strcspn (c, "/");
      if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
        return error_set (err, EINVAL,
                          "--cgroup `%s`: the path must stay inside the container's "
                          "cgroup (no `.` or `..`)",
                          spec);
      c += n;
      while (*c == '/')
        c++;
    }
  return 0;
}

int
cgroup_sub (const struct cgroup *cg, char *const *specs, struct cgroup **out, struct error **err)
{
  if (cg->noop)
    return error_set (err, ENOTSUP, "--cgroup: the container has no cgroup");
  const char *all = NULL;
  const char *per[CG_N_CTRL] = { 0 };
  size_t nspec = strv_len ((char **)specs);
  for (size_t k = 0; k < nspec; k++)
    {
      const char *spec = specs[k];
      const char *colon = strchr (spec, ':');
      if (colon == NULL)
        {
          if (nspec != 1)
            return error_set (err, EINVAL,
                              "--cgroup `%s`: a CONTROLLER: prefix is needed when "
                              "--cgroup is given more than once",
                              spec);
          int r = sub_path_check (spec, spec, err);
          if (r < 0)
            return r;
          all = spec;
          continue;
        }
      if (strchr (colon + 1, ':'))
        return error_set (err, EINVAL, "--cgroup `%s`: want [CONTROLLER:]PATH", spec);
      int r = sub_path_check (spec, colon + 1, err);
      if (r < 0)
        return r;
      _cleanup_free_ char *ctrls = strndup (spec, (size_t)(colon - spec));
      if (ctrls == NULL)
        return error_set (err, ENOMEM, "out of memory");
      if (ctrls[0] == '\0' || strstr (ctrls, ",,") || ctrls[strlen (ctrls) - 1] == ',')
        return error_set (err, EINVAL, "--cgroup `%s`: empty controller", spec);
      char *save = NULL;
      for (char *t = strtok_r (ctrls, ",", &save); t; t = strtok_r (NULL, ",", &save))
        {
          int c = cg_ctrl_from_name (t);
          if (c < 0)
            return error_set (err, EINVAL, "--cgroup `%s`: unknown controller `%s`", spec, t);
          if (per[c])
            return error_set (err, EINVAL, "--cgroup: controller `%s` given twice", t);
          per[c] = colon + 1;
        }
    }
  if (all == NULL && cg->mode == CGROUP_MODE_V2)
    return error_set (err, EINVAL,
                      "--cgroup: cgroup v2 has one hierarchy: give the "
                      "sub-cgroup without a CONTROLLER: prefix");
  _cleanup_cgroup_ struct cgroup *n = cg_new ();
  if (n == NULL || (n->dirs = calloc (cg->n ? cg->n : 1, sizeof *n->dirs)) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  n->mgr = cg->mgr;
  n->mode = cg->mode;
  n->fake = cg->fake;
  n->path = strdup (cg->path ? cg->path : "");
  for (size_t i = 0; i < cg->n; i++)
    {
      const struct cg_dir *d = &cg->dirs[i];
      const char *sub = all;
      for (int c = 0; sub == NULL && !d->v2 && c < CG_N_CTRL; c++)
        if ((d->ctrls & (1u << c)) && per[c])
          sub = per[c];
      struct cg_dir *nd = &n->dirs[n->n++];
      nd->fd = -1;
      nd->v2 = d->v2;
      nd->ctrls = d->ctrls;
      nd->ctrls_str = strdup (d->ctrls_str ? d->ctrls_str : "");
      nd->abs = sub ? fs_path_join (d->abs, sub) : strdup (d->abs);
      if (nd->ctrls_str == NULL || nd->abs == NULL || n->path == NULL)
        return error_set (err, ENOMEM, "out of memory");
      if (sub == NULL)
        continue;
      /* runc's rule: the sub-cgroup must exist (exec never makes one);
       * looked up beneath the container's own directory */
      int pfd = cg_dir_fd (cg, i, err);
      if (pfd < 0)
        return pfd;
      struct open_how how
          = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
              .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
      while (*sub == '/')
        sub++;
      int fd = (int)syscall (SYS_openat2, pfd, sub, &how, sizeof how);
      if (fd < 0)
        return error_errno (err, errno, "--cgroup: sub-cgroup `%s` in `%s`", sub, d->abs);
      nd->fd = fd;
    }
  index_dirs (n);
  int r = cg_refuse_frozen (n, err);
  if (r < 0)
    return r;
  *out = TAKE_PTR (n);
  return 0;
}

/* ------------------------------------------------------------ removal */

int
cg_rmdir_tree (const char *abs, struct error **err)
{
  if (rmdir (abs) == 0 || errno == ENOENT)
    return 0;
  int e = errno;
  if (e != EBUSY && e != ENOTEMPTY)
    return error_errno (err, e, "remove cgroup `%s`", abs);
  /* sub-cgroups the container made (cgroup namespace): depth first */
  _cleanup_closedir_ DIR *d = opendir (abs);
  if (d == NULL)
    return error_errno (err, e, "remove cgroup `%s`", abs);
  struct dirent *de;
  int depth_guard = 0;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      if (++depth_guard > 100000)
        break;
      _cleanup_free_ char *sub = fs_path_join (abs, de->d_name);
      if (sub == NULL)
        return error_set (err, ENOMEM, "out of memory");
      int r = cg_rmdir_tree (sub, err);
      if (r < 0)
        return r;
    }
  if (rmdir (abs) == 0 || errno == ENOENT)
    return 0;
  return error_errno (err, errno, "remove cgroup `%s`", abs);
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* Thaw every sub-cgroup below abs (not abs itself): a process in a
 * sub-cgroup the container froze never dies of SIGKILL, and its cgroup
 * could never be removed. */
static void
thaw_below (const char *abs, bool v2, int depth)
{
  _cleanup_closedir_ DIR *d = opendir (abs);
  if (d == NULL || depth > 64)
    return;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      _cleanup_free_ char *sub = fs_path_join (abs, de->d_name);
      _cleanup_close_ int fd = sub ? open (sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
      if (fd < 0)
        continue;
      if (v2)
        cg_write (fd, "cgroup.freeze", "0", NULL, NULL);
      else
        cg_write (fd, "freezer.state", "THAWED", NULL, NULL);
      thaw_below (sub, v2, depth + 1);
    }
}

int
cgroup_destroy (struct cgroup *cg, bool kill_first, struct error **err)
{
  if (cg->noop)
    return 0;
  if (kill_first)
    {
      for (size_t i = 0; i < cg->n; i++)
        if (cg->dirs[i].v2 || (cg->dirs[i].ctrls & (1u << CG_FREEZER)))
          thaw_below (cg->dirs[i].abs, cg->dirs[i].v2, 0);
      struct error *e = NULL;
      if (cgroup_kill (cg, SIGKILL, &e) < 0)
        {
          log_debug ("cgroup: kill: %s", e->msg);
          error_free (e);
        }
    }
  for (size_t i = 0; i < cg->n; i++)
    cg->dirs[i].fd = safe_close (cg->dirs[i].fd);
  /* Tasks leave a cgroup a little after they die: retry with backoff for
   * about 2 s in total (EBUSY until the last one is gone). */
  long delay = 1, waited = 0;
  for (;;)
    {
      struct error *first = NULL;
      int r = 0;
      for (size_t i = 0; i < cg->n; i++)
        {
          struct error *e = NULL;
          int ri = cg_rmdir_tree (cg->dirs[i].abs, &e);
          if (ri == 0)
            continue;
          /* report a hard error over a busy one */
          if (first == NULL || (-r == EBUSY && -ri != EBUSY))
            {
              error_free (first);
              first = e;
              r = ri;
            }
          else
            error_free (e);
        }
      if (r == 0)
        return 0;
      if (-r != EBUSY || waited >= 2000)
        {
          if (err)
            {
              error_free (*err);
              *err = first;
              if (-r == EBUSY)
                error_prefix (err, "processes still inside");
            }
          else
            error_free (first);
          return r;
        }
      error_free (first);
      if (kill_first && delay >= 64)
        cgroup_kill (cg, SIGKILL, NULL);
      sleep_ms (delay);
      waited += delay;
      delay = delay < 128 ? delay * 2 : 128;
    }
}

/* ---------------------------------------------------------- state (JSON) */

json_object *
cgroup_to_json (const struct cgroup *cg)
{
  json_object *o = json_object_new_object ();
  if (o == NULL)
    return NULL;
  static const char *const modes[] = { "", "v1", "hybrid", "v2" };
  json_object_object_add (o, "manager", json_object_new_string (cg->mgr ? cg->mgr->name : "cgroupfs"));
  json_object_object_add (o, "mode", json_object_new_string (modes[cg->mode]));
  json_object_object_add (o, "path", json_object_new_string (cgroup_path (cg)));
  if (cg->noop)
    json_object_object_add (o, "noop", json_object_new_boolean (true));
  if (cg->fake)
    json_object_object_add (o, "test_tree", json_object_new_boolean (true));
  json_object *a = json_object_new_array ();
  for (size_t i = 0; i < cg->n && !cg->noop; i++)
    {
      json_object *d = json_object_new_object ();
      json_object_object_add (d, "path", json_object_new_string (cg->dirs[i].abs));
      if (cg->dirs[i].v2)
        json_object_object_add (d, "v2", json_object_new_boolean (true));
      else
        json_object_object_add (d, "controllers",
                                json_object_new_string (cg->dirs[i].ctrls_str));
      json_object_array_add (a, d);
    }
  json_object_object_add (o, "dirs", a);
  return o;
}

static uint32_t
ctrls_from_str (const char *s)
{
  uint32_t m = 0;
  _cleanup_free_ char *dup = strdup (s);
  char *save = NULL;
  for (char *t = dup ? strtok_r (dup, ",", &save) : NULL; t;
       t = strtok_r (NULL, ",", &save))
    {
      int c = cg_ctrl_from_name (t);
      if (c >= 0 && strcmp (t, "io") != 0)
        m |= 1u << c;
    }
  return m;
}

static void
index_dirs (struct cgroup *cg)
{
  cg->v2 = -1;
  for (int c = 0; c < CG_N_CTRL; c++)
    cg->ctrl_dir[c] = -1;
  for (size_t i = 0; i < cg->n; i++)
    {
      if (cg->dirs[i].v2)
        {
          if (cg->v2 < 0)
            cg->v2 = (int) i;
          continue;
        }
      for (int c = 0; c < CG_N_CTRL; c++)
        if ((cg->dirs[i].ctrls & (1u << c)) && cg->ctrl_dir[c] < 0)
          cg->ctrl_dir[c] = (int) i;
    }
}

int
cgroup_from_json (json_object *o, struct cgroup **out, struct error **err)
{
  _cleanup_cgroup_ struct cgroup *cg = cg_new ();
  if (cg == NULL)
    return error_set (err, ENOMEM, "out of memory");
  const char *mgr = "cgroupfs", *mode = NULL, *path = "";
  bool noop = false;
  json_object *dirs = NULL;
  if (json_object_get_type (o) != json_type_object
      || jsonx_get_string (o, "manager", &mgr, err) < 0
      || jsonx_get_string (o, "mode", &mode, err) < 0
      || jsonx_get_string (o, "path", &path, err) < 0
      || jsonx_get_bool (o, "noop", &noop, err) < 0
      || jsonx_get_bool (o, "test_tree", &cg->fake, err) < 0
      || jsonx_get_array (o, "dirs", &dirs, err) < 0)
    return error_set (err, EINVAL, "saved cgroup state is malformed");
  cg->mgr = strcmp (mgr, "systemd") == 0 ? &cg_manager_systemd : &cg_manager_cgroupfs;
  if (mode && strcmp (mode, "v1") == 0)
    cg->mode = CGROUP_MODE_V1;
  else if (mode && strcmp (mode, "v2") == 0)
    cg->mode = CGROUP_MODE_V2;
  else if (mode && strcmp (mode, "hybrid") == 0)
    cg->mode = CGROUP_MODE_HYBRID;
  else
    return error_set (err, EINVAL, "saved cgroup state: unknown mode");
  cg->noop = noop;
  cg->path = strdup (path);
  if (cg->path == NULL)
    return error_set (err, ENOMEM, "out of memory");
  size_t n = dirs ? json_object_array_length (dirs) : 0;
  if (n > 64)
    return error_set (err, EINVAL, "saved cgroup state: too many hierarchies");
  cg->dirs = calloc (n ? n : 1, sizeof *cg->dirs);
  if (cg->dirs == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      json_object *d = json_object_array_get_idx (dirs, i);
      const char *p = NULL, *ctrls = "";
      bool v2 = false;
      if (json_object_get_type (d) != json_type_object
          || jsonx_get_string (d, "path", &p, err) < 0
          || jsonx_get_string (d, "controllers", &ctrls, err) < 0
          || jsonx_get_bool (d, "v2", &v2, err) < 0 || p == NULL || p[0] != '/')
        return error_set (err, EINVAL, "saved cgroup state: bad `dirs[%zu]`", i);
      struct cg_dir *cd = &cg->dirs[cg->n++];
      cd->fd = -1;
      cd->abs = strdup (p);
      cd->ctrls_str = strdup (ctrls);
      if (cd->abs == NULL || cd->ctrls_str == NULL)
        return error_set (err, ENOMEM, "out of memory");
      cd->v2 = v2;
      cd->ctrls = v2 ? 0 : ctrls_from_str (ctrls);
    }
  index_dirs (cg);
  *out = TAKE_PTR (cg);
  return 0;
}

int
cgroup_from_pid (pid_t pid, struct cgroup **out, struct error **err)
{
  const struct cg_layout *l;
  int r = cg_layout_get (&l, err);
  if (r < 0)
    return r;
  char file[64];
  snprintf (file, sizeof file, "/proc/%d/cgroup", (int) pid);
  _cleanup_free_ char *text = NULL;
  r = fs_read_file (file, 1 << 20, &text, NULL, err);
  if (r < 0)
    return r;
  char **own = calloc (l->n ? l->n : 1, sizeof *own);
  if (own == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_cgroup_ struct cgroup *cg = cg_new ();
  if (cg == NULL)
    r = error_set (err, ENOMEM, "out of memory");
  if (r == 0)
    r = cg_parse_proc_cgroup (l, text, own, err);
  if (r == 0)
    {
      cg->mode = l->mode;
      cg->fake = l->fake;
      cg->mgr = &cg_manager_cgroupfs;
      cg->dirs = calloc (l->n ? l->n : 1, sizeof *cg->dirs);
      if (cg->dirs == NULL)
        r = error_set (err, ENOMEM, "out of memory");
    }
  for (size_t i = 0; r == 0 && i < l->n; i++)
    {
      const struct cg_hier *h = &l->h[i];
      if (own[i] == NULL)
        continue;
      const char *rel = own[i];
      if (strcmp (h->mnt_root, "/") != 0 && str_has_prefix (rel, h->mnt_root))
        rel += strlen (h->mnt_root);
      struct cg_dir *d = &cg->dirs[cg->n++];
      d->fd = -1;
      d->abs = fs_path_join (h->mnt, *rel ? rel : "/");
      d->v2 = h->v2;
      d->ctrls = h->ctrls;
      d->ctrls_str = cg_hier_ctrls_str (h);
      if (d->abs == NULL || d->ctrls_str == NULL)
        r = error_set (err, ENOMEM, "out of memory");
      else if (cg->path == NULL || h->v2)
        {
          free (cg->path);
          cg->path = strdup (rel);
        }
    }
  for (size_t i = 0; i < l->n; i++)
    free (own[i]);
  free (own);
  if (r < 0)
    return r;
  if (cg->n == 0 || cg->path == NULL)
    return error_set (err, ENOENT, "process %d is in no known cgroup", (int) pid);
  index_dirs (cg);
  *out = TAKE_PTR (cg);
  return 0;
}
