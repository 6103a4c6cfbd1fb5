/* cp.c - `hull cp`: trees between a container and the host, either way.
 *
 * Paths in the container are resolved inside its root (fs_open_in_root):
 * "..", absolute symlinks and relative ones all stay in it.  What is read
 * from the container is walked with openat(O_NOFOLLOW) from its parent;
 * what is written into it never goes through a symlink (copy.c).
 */
#include "copy.h"
#include "engine.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
base_of (const char *p)
{
  _cleanup_free_ char *c = strdup (p);
  size_t n = strlen (c);
  while (n > 1 && c[n - 1] == '/')
    c[--n] = '\0';
  char *b = strrchr (c, '/');
  return strdup (b ? (b[1] ? b + 1 : "/") : c);
}

static char *
dir_of (const char *p)
{
  _cleanup_free_ char *c = strdup (p);
  return strdup (dirname (c));
}

static bool
ends_with_dot (const char *p)
{
  size_t n = strlen (p);
  return (n >= 2 && strcmp (p + n - 2, "/.") == 0) || strcmp (p, ".") == 0;
}

struct tar_src
{
  int fd;
  const char *top;
  struct copy_walk w;
};

static int
produce (void *arg, int wfd, struct error **err)
{
  struct tar_src *s = arg;
  return copy_tree_to_tar (s->fd, s->top, &s->w, wfd, err);
}

static int
consume_host (void *arg, int rfd, struct error **err)
{
  return copy_tar_to_host (arg, rfd, err);
}

static int
consume_root (void *arg, int rfd, struct error **err)
{
  return copy_tar_into (*(int *)arg, rfd, err);
}

/* The container's root (mounted if it was not), O_PATH. */
static int
open_root (struct engine *e, const char *ref, int *fd, struct error **err)
{
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  _cleanup_free_ char *root = NULL;
  int ret;
  if ((ret = engine_lookup (e, ref, &r, err)) < 0
      || (ret = engine_mount_root (e, r, &root, err)) < 0)
    return ret;
  *fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*fd < 0)
    return error_errno (err, errno, "open `%s`", root);
  return 0;
}

int
engine_copy_out (struct engine *e, const char *ref, const char *path, const char *dest, int tar_fd,
                 bool follow, struct error **err)
{
  _cleanup_close_ int rootfd = -1;
  int ret = open_root (e, ref, &rootfd, err);
  if (ret < 0)
    return ret;
  _cleanup_close_ int fd
      = fs_open_in_root (rootfd, *path ? path : "/", O_PATH | (follow ? 0 : O_NOFOLLOW), 0, err);
  if (fd < 0)
    return error_prefix (err, "%s:%s", ref, path);
  struct stat st;
  if (fstatat (fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
    return error_errno (err, errno, "stat `%s:%s`", ref, path);
  size_t pl = strlen (path);
  if (pl && path[pl - 1] == '/' && !S_ISDIR (st.st_mode))
    return error_set (err, ENOTDIR, "`%s:%s` is not a directory", ref, path);
  struct tar_src src = { .fd = fd };
  src.w.contents_only = ends_with_dot (path) && S_ISDIR (st.st_mode);
  _cleanup_free_ char *top = base_of (path), *target = NULL;
  src.top = top;
  if (dest == NULL)
    return copy_tree_to_tar (fd, top, &src.w, tar_fd, err);
  struct stat dt;
  bool have = stat (dest, &dt) == 0;
  if (have && S_ISDIR (dt.st_mode))
    target = strdup (dest); /* into it */
  else if (have && S_ISDIR (st.st_mode))
    return error_set (err, EEXIST, "cannot copy a directory onto the file `%s`", dest);
  else if (src.w.contents_only)
    {
      if (mkdir (dest, 0755) < 0 && errno != EEXIST)
        return error_errno (err, errno, "mkdir `%s`", dest);
      target = strdup (dest);
    }
  else
    {
      target = dir_of (dest);
      struct stat pt;
      if (stat (target, &pt) < 0 || !S_ISDIR (pt.st_mode))
        return error_set (err, ENOENT, "destination directory `%s` does not exist", target);
      free (top);
      top = base_of (dest);
      src.top = top;
    }
  return copy_pipe (produce, &src, consume_host, target, err);
}

int
engine_copy_in (struct engine *e, const char *src, int tar_fd, const char *ref, const char *path,
                bool follow, struct error **err)
{
  _cleanup_close_ int rootfd = -1;
  int ret = open_root (e, ref, &rootfd, err);
  if (ret < 0)
    return ret;
  if (*path == '\0')
    path = "/";
  /* the destination: symlinks on the way resolve inside the root */
  _cleanup_error_ struct error *e2 = NULL;
  _cleanup_close_ int dfd = fs_open_in_root (rootfd, path, O_PATH, 0, &e2);
  struct stat dt;
  bool is_dir = dfd >= 0 && fstat (dfd, &dt) == 0 && S_ISDIR (dt.st_mode);
  if (src == NULL)
    {
      if (!is_dir)
        return error_set (err, ENOTDIR,
                          "`%s:%s` must be an existing directory to extract a tar "
                          "into",
                          ref, path);
      return copy_tar_into (dfd, tar_fd, err);
    }
  _cleanup_close_ int sfd = open (src, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
  if (sfd < 0)
    return error_errno (err, errno, "`%s`", src);
  struct stat st;
  if (fstatat (sfd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
    return error_errno (err, errno, "stat `%s`", src);
  struct tar_src ts = { .fd = sfd };
  ts.w.contents_only = ends_with_dot (src) && S_ISDIR (st.st_mode);
  _cleanup_free_ char *top = base_of (src);
  ts.top = top;
  int into = -1;
  _cleanup_close_ int parent = -1;
  if (is_dir)
    into = dfd;
  else
    {
      if (dfd >= 0 && S_ISDIR (st.st_mode))
        return error_set (err, EEXIST, "cannot copy a directory onto the file `%s:%s`", ref, path);
      if (path[strlen (path) - 1] == '/')
        return error_set (err, ENOENT, "`%s:%s` does not exist", ref, path);
      _cleanup_free_ char *pd = dir_of (path);
      parent = fs_open_in_root (rootfd, pd, O_PATH | O_DIRECTORY, 0, err);
      if (parent < 0)
        return error_prefix (err, "destination directory `%s:%s`", ref, pd);
      if (ts.w.contents_only)
        {
          _cleanup_free_ char *b = base_of (path);
          if (mkdirat (parent, b, 0755) < 0 && errno != EEXIST)
            return error_errno (err, errno, "mkdir `%s:%s`", ref, path);
          int d = openat (parent, b, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (d < 0)
            return error_errno (err, errno, "`%s:%s`", ref, path);
          close (parent);
          parent = d;
        }
      else
        {
          free (top);
          top = base_of (path);
          ts.top = top;
        }
      into = parent;
    }
  return copy_pipe (produce, &ts, consume_root, &into, err);
}
