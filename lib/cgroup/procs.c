/* procs.c - the processes of a cgroup: list them (ps), signal them (kill
 * --all, delete --force).
 *
 * Listing reads cgroup.procs of the leaf and of every cgroup below it (a
 * container with a cgroup namespace may make its own sub-cgroups), in one
 * hierarchy: the unified one on v2, on v1 the first of pids, freezer,
 * memory... that is mounted.
 *
 * Killing races with fork: a process may fork between the moment the list
 * is read and the moment it is signalled.  cgroup.kill (v2, Linux 5.14)
 * kills atomically; elsewhere SIGKILL goes to a frozen cgroup (nothing can
 * fork while frozen) and the freezer is thawed after, and any other signal
 * is sent round after round until a round finds no process not yet signalled.
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PIDS (1u << 22)

static int
pid_dir (const struct cgroup *cg)
{
  if (cg->mode == CGROUP_MODE_V2)
    return cg->v2;
  static const enum cg_ctrl pref[] = { CG_PIDS, CG_FREEZER, CG_MEMORY, CG_CPU,
                                       CG_DEVICES, CG_CPUACCT, CG_BLKIO };
  for (size_t i = 0; i < ARRAY_SIZE (pref); i++)
    if (cg_v1_dir (cg, pref[i]) >= 0)
      return cg_v1_dir (cg, pref[i]);
  if (cg->v2 >= 0)
    return cg->v2;
  return cg->n ? 0 : -1;
}

static int
push_pid (pid_t **v, size_t *n, size_t *cap, pid_t p)
{
  if (*n == *cap)
    {
      if (*cap >= MAX_PIDS)
        return -E2BIG;
      size_t nc = *cap ? *cap * 2 : 64;
      pid_t *nv = realloc (*v, nc * sizeof *nv);
      if (nv == NULL)
        return -ENOMEM;
      *v = nv;
      *cap = nc;
    }
  (*v)[(*n)++] = p;
  return 0;
}

static int
collect (int dirfd, pid_t **v, size_t *n, size_t *cap, int depth,
         struct error **err)
{
  if (depth > 64)
    return 0;
  _cleanup_free_ char *s = NULL;
  int r = cg_read (dirfd, "cgroup.procs", &s, err);
  if (r < 0)
    return r;
  for (char *p = s; *p;)
    {
      char *e;
      long pid = strtol (p, &e, 10);
      if (e == p)
        break;
      if (pid > 0 && (r = push_pid (v, n, cap, (pid_t) pid)) < 0)
        return error_errno (err, -r, "list processes");
      p = e;
      while (*p == '\n')
        p++;
    }
  int dfd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return error_errno (err, errno, "open cgroup");
  _cleanup_closedir_ DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return error_errno (err, errno, "read cgroup");
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      _cleanup_close_ int sub = openat (dirfd, de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (sub < 0)
        continue; /* removed meanwhile */
      r = collect (sub, v, n, cap, depth + 1, err);
      if (r < 0 && r != -ENOENT)
        return r;
      if (r == -ENOENT)
        error_freep (err);
    }
  return 0;
}

int
cgroup_pids (const struct cgroup *cg, pid_t **out, size_t *n,
             struct error **err)
{
  *out = NULL;
  *n = 0;
  if (cg->noop)
    return 0;
  int i = pid_dir (cg);
  if (i < 0)
    return 0;
  int fd = cg_dir_fd (cg, (size_t) i, err);
  if (fd == -ENOENT)
    {
      error_freep (err);
      return 0; /* already gone: no processes */
    }
  if (fd < 0)
    return fd;
  pid_t *v = NULL;
  size_t cnt = 0, cap = 0;
  int r = collect (fd, &v, &cnt, &cap, 0, err);
  if (r < 0)
    {
      free (v);
      return error_prefix (err, "processes of cgroup `%s`", cg->path);
    }
  *out = v;
  *n = cnt;
  return 0;
}

static bool
seen (const pid_t *v, size_t n, pid_t p)
{
  for (size_t i = 0; i < n; i++)
    if (v[i] == p)
      return true;
  return false;
}

static int
signal_rounds (const struct cgroup *cg, int sig, struct error **err)
{
  _cleanup_free_ pid_t *done = NULL;
  size_t nd = 0, capd = 0;
  for (int round = 0; round < 100; round++)
    {
      _cleanup_free_ pid_t *v = NULL;
      size_t n = 0;
      int r = cgroup_pids (cg, &v, &n, err);
      if (r < 0)
        return r;
      bool fresh = false;
      for (size_t i = 0; i < n; i++)
        {
          if (seen (done, nd, v[i]))
            continue;
          fresh = true;
          if (kill (v[i], sig) < 0 && errno != ESRCH)
            return error_errno (err, errno, "kill %d", (int) v[i]);
          if ((r = push_pid (&done, &nd, &capd, v[i])) < 0)
            return error_errno (err, -r, "kill");
        }
      if (!fresh)
        return 0;
    }
  return 0;
}

int
cgroup_kill (const struct cgroup *cg, int sig, struct error **err)
{
  if (cg->noop)
    return 0;
  {
    /* nothing inside (the usual case at delete): no freezing, no writes */
    _cleanup_free_ pid_t *v = NULL;
    size_t n = 0;
    if (cgroup_pids (cg, &v, &n, NULL) == 0 && n == 0)
      return 0;
  }
  if (sig == SIGKILL && cg->v2 >= 0)
    {
      int fd = cg_dir_fd (cg, (size_t) cg->v2, NULL);
      if (fd >= 0 && cg_file_exists (fd, "cgroup.kill"))
        {
          int r = cg_write (fd, "cgroup.kill", "1", NULL, err);
          if (r < 0)
            return error_prefix (err, "kill cgroup `%s`", cg->path);
          if (cg->mode == CGROUP_MODE_V2)
            return 0;
          /* hybrid: anything that is in v1 but not in unified still needs it */
        }
    }
  if (sig == SIGKILL && cg->mode != CGROUP_MODE_V2
      && cg_v1_dir (cg, CG_FREEZER) >= 0)
    {
      bool was = false;
      cgroup_is_frozen (cg, &was, NULL);
      struct error *e = NULL;
      if (was || cgroup_freeze (cg, true, &e) == 0)
        {
          int r = signal_rounds (cg, sig, err);
          /* SIGKILL is delivered once thawed */
          struct error *e2 = NULL;
          int t = cgroup_freeze (cg, false, &e2);
          if (t < 0)
            {
              log_debug ("cgroup: thaw after kill: %s", e2->msg);
              error_free (e2);
            }
          return r;
        }
      log_debug ("cgroup: freeze before kill: %s", e->msg);
      error_free (e);
    }
  int r = signal_rounds (cg, sig, err);
  if (r == 0 && sig == SIGKILL)
    {
      /* a frozen v2 cgroup: SIGKILL is delivered once thawed */
      bool frozen = false;
      if (cgroup_is_frozen (cg, &frozen, NULL) == 0 && frozen)
        cgroup_freeze (cg, false, NULL);
    }
  return r;
}
