/* freeze.c - pause and resume: the v1 freezer or v2 cgroup.freeze.
 *
 * v1: write FROZEN to freezer.state and wait until it reads FROZEN (it says
 * FREEZING while tasks are still being stopped; rewriting FROZEN now and then
 * helps tasks that were in the middle of a fork).  v2: write 1 to
 * cgroup.freeze and wait for "frozen 1" in cgroup.events, which the kernel
 * announces with a poll notification.  On a hybrid host without a v1
 * freezer, the unified hierarchy's cgroup.freeze works too (it needs no
 * controller).  A freeze that does not settle in 2 s is undone and reported.
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FREEZE_TIMEOUT_MS 2000

static long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
nap (long ms)
{
  struct timespec ts = { 0, ms * 1000000L };
  nanosleep (&ts, NULL);
}

/* which directory freezes: >=0 dir index; *v2 tells which interface */
static int
freezer_dir (const struct cgroup *cg, bool *v2)
{
  if (cg->mode != CGROUP_MODE_V2 && cg_v1_dir (cg, CG_FREEZER) >= 0)
    {
      *v2 = false;
      return cg_v1_dir (cg, CG_FREEZER);
    }
  if (cg->v2 >= 0)
    {
      int fd = cg_dir_fd (cg, (size_t) cg->v2, NULL);
      if (fd >= 0 && cg_file_exists (fd, "cgroup.freeze"))
        {
          *v2 = true;
          return cg->v2;
        }
    }
  return -1;
}

static int
v2_frozen (int evfd, bool *frozen)
{
  char buf[256];
  ssize_t n = pread (evfd, buf, sizeof buf - 1, 0);
  if (n < 0)
    return -errno;
  buf[n] = '\0';
  char *p = strstr (buf, "frozen ");
  *frozen = p && p[7] == '1';
  return 0;
}

static int
v2_freeze (const struct cgroup *cg, int fd, bool frozen, struct error **err)
{
  int r = cg_write (fd, "cgroup.freeze", frozen ? "1" : "0", NULL, err);
  if (r < 0)
    return r;
  _cleanup_close_ int ev = openat (fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
  if (ev < 0)
    return error_errno (err, errno, "open `cgroup.events`");
  long end = now_ms () + FREEZE_TIMEOUT_MS;
  for (;;)
    {
      bool is;
      if ((r = v2_frozen (ev, &is)) < 0)
        return error_errno (err, -r, "read `cgroup.events`");
      if (is == frozen)
        return 0;
      long left = end - now_ms ();
      if (left <= 0)
        break;
      struct pollfd p = { ev, POLLPRI, 0 };
      /* cap the wait: a notification missed between read and poll must
       * not cost the whole timeout */
      if (poll (&p, 1, left < 50 ? (int) left : 50) < 0 && errno != EINTR)
        return error_errno (err, errno, "poll `cgroup.events`");
    }
  if (frozen)
    cg_write (fd, "cgroup.freeze", "0", NULL, NULL);
  return error_set (err, ETIMEDOUT, "%s cgroup `%s`: timed out",
                    frozen ? "freeze" : "thaw", cg->path);
}

static int
v1_state (int fd, char *out, size_t len)
{
  _cleanup_free_ char *s = NULL;
  int r = cg_read (fd, "freezer.state", &s, NULL);
  if (r < 0)
    return r;
  snprintf (out, len, "%s", s);
  return 0;
}

static int
v1_freeze (const struct cgroup *cg, int fd, bool frozen, struct error **err)
{
  const char *want = frozen ? "FROZEN" : "THAWED";
  int r = cg_write (fd, "freezer.state", want, NULL, err);
  if (r < 0)
    return r;
  long end = now_ms () + FREEZE_TIMEOUT_MS;
  char st[32] = "";
  for (int i = 0;; i++)
    {
      if (v1_state (fd, st, sizeof st) < 0)
        return error_errno (err, errno, "read `freezer.state`");
      if (strcmp (st, want) == 0)
        return 0;
      if (now_ms () >= end)
        break;
      if (frozen && i % 10 == 9)
        cg_write (fd, "freezer.state", want, NULL, NULL);
      nap (i < 10 ? 1 : 10);
    }
  if (frozen)
    cg_write (fd, "freezer.state", "THAWED", NULL, NULL);
  return error_set (err, ETIMEDOUT, "%s cgroup `%s`: timed out (state %s)",
                    frozen ? "freeze" : "thaw", cg->path, st);
}

int
cgroup_freeze (const struct cgroup *cg, bool frozen, struct error **err)
{
  if (cg->noop)
    return error_set (err, ENOTSUP, "the container has no cgroup to freeze");
  bool v2;
  int i = freezer_dir (cg, &v2);
  if (i < 0)
    return error_set (err, ENOTSUP,
                      "no freezer: neither the v1 freezer controller nor "
                      "cgroup.freeze (Linux 5.2) is available");
  int fd = cg_dir_fd (cg, (size_t) i, err);
  if (fd < 0)
    return fd;
  return v2 ? v2_freeze (cg, fd, frozen, err) : v1_freeze (cg, fd, frozen, err);
}

int
cgroup_is_frozen (const struct cgroup *cg, bool *out, struct error **err)
{
  *out = false;
  if (cg->noop)
    return 0;
  bool v2;
  int i = freezer_dir (cg, &v2);
  if (i < 0)
    return 0;
  int fd = cg_dir_fd (cg, (size_t) i, err);
  if (fd < 0)
    return fd;
  if (v2)
    {
      _cleanup_close_ int ev = openat (fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
      if (ev < 0)
        return error_errno (err, errno, "open `cgroup.events`");
      int r = v2_frozen (ev, out);
      return r < 0 ? error_errno (err, -r, "read `cgroup.events`") : 0;
    }
  char st[32];
  if (v1_state (fd, st, sizeof st) < 0)
    return error_errno (err, errno, "read `freezer.state`");
  *out = strcmp (st, "FROZEN") == 0;
  return 0;
}

int
cg_refuse_frozen (const struct cgroup *cg, struct error **err)
{
  if (cg->noop)
    return 0;
  for (size_t i = 0; i < cg->n; i++)
    {
      const struct cg_dir *d = &cg->dirs[i];
      bool frozen = false;
      if (d->v2)
        {
          int fd = cg_dir_fd (cg, i, NULL);
          _cleanup_close_ int ev
              = fd >= 0 ? openat (fd, "cgroup.events", O_RDONLY | O_CLOEXEC) : -1;
          if (ev >= 0 && v2_frozen (ev, &frozen) < 0)
            frozen = false;
        }
      else if (d->ctrls & (1u << CG_FREEZER))
        {
          int fd = cg_dir_fd (cg, i, NULL);
          char st[32] = "";
          frozen = fd >= 0 && v1_state (fd, st, sizeof st) == 0 && strcmp (st, "THAWED") != 0;
        }
      if (frozen)
        return error_set (err, EBUSY,
                          "cgroup `%s` is frozen: thaw it first (or use another cgroupsPath)",
                          d->abs);
    }
  return 0;
}
