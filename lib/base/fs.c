#include "fs.h"

#include "cleanup.h"
#include "error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

bool fs_force_resolve_fallback = false;

int
fs_read_fd (int fd, size_t max, char **out, size_t *len, struct error **err)
{
  size_t cap = max < 4096 ? max : 4096, n = 0;
  _cleanup_free_ char *buf = malloc (cap + 1);
  if (buf == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (;;)
    {
      if (n == cap)
        {
          if (cap >= max)
            {
              /* full: one more byte tells EOF from an oversized file */
              char c;
              ssize_t r = read (fd, &c, 1);
              if (r < 0 && errno == EINTR)
                continue;
              if (r < 0)
                return error_errno (err, errno, "read");
              if (r == 0)
                break;
              return error_set (err, EFBIG, "larger than %zu bytes", max);
            }
          cap = cap * 2 > max ? max : cap * 2;
          char *nb = realloc (buf, cap + 1);
          if (nb == NULL)
            return error_set (err, ENOMEM, "out of memory");
          buf = nb;
        }
      ssize_t r = read (fd, buf + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return error_errno (err, errno, "read");
      if (r == 0)
        break;
      n += (size_t) r;
    }
  buf[n] = '\0';
  if (len)
    *len = n;
  *out = TAKE_PTR (buf);
  return 0;
}

int
fs_read_file_at (int dirfd, const char *path, size_t max, char **out,
                 size_t *len, struct error **err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return error_errno (err, errno, "open `%s`", path);
  int r = fs_read_fd (fd, max, out, len, err);
  if (r < 0)
    return error_prefix (err, "read `%s`", path);
  return 0;
}

int
fs_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -errno;
      p += w;
      len -= (size_t) w;
    }
  return 0;
}

ssize_t
fs_read_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  size_t got = 0;
  while (got < len)
    {
      ssize_t r = read (fd, p + got, len - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -errno;
      if (r == 0)
        break;
      got += (size_t) r;
    }
  return (ssize_t) got;
}

int
fs_write_file_at (int dirfd, const char *path, const char *data, size_t len,
                  struct error **err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    return error_errno (err, errno, "open `%s`", path);
  /* one write(): kernel interfaces (cgroup, /proc) take a value per write */
  ssize_t w = write (fd, data, len);
  if (w < 0)
    return error_errno (err, errno, "write `%s`", path);
  if ((size_t) w != len)
    return error_set (err, EIO, "write `%s`: short write", path);
  return 0;
}

int
fs_write_file_atomic (int dirfd, const char *path, const char *data,
                      size_t len, mode_t mode, struct error **err)
{
  _cleanup_free_ char *tmp = NULL;
  if (asprintf (&tmp, "%s.tmp.%d", path, (int) getpid ()) < 0)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_close_ int fd
      = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return error_errno (err, errno, "create `%s`", tmp);
  int r = fs_write_all (fd, data, len);
  if (r == 0 && fsync (fd) < 0)
    r = -errno;
  if (r == 0 && renameat (dirfd, tmp, dirfd, path) < 0)
    r = -errno;
  if (r < 0)
    {
      unlinkat (dirfd, tmp, 0);
      return error_errno (err, -r, "write `%s`", path);
    }
  return 0;
}

int
fs_write_file_volatile (int dirfd, const char *path, const char *data, size_t len, mode_t mode,
                        struct error **err)
{
  _cleanup_free_ char *tmp = NULL;
  if (asprintf (&tmp, "%s.tmp.%d", path, (int) getpid ()) < 0)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_close_ int fd
      = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return error_errno (err, errno, "create `%s`", tmp);
  int r = fs_write_all (fd, data, len);
  if (r == 0 && renameat (dirfd, tmp, dirfd, path) < 0)
    r = -errno;
  if (r < 0)
    {
      unlinkat (dirfd, tmp, 0);
      return error_errno (err, -r, "write `%s`", path);
    }
  return 0;
}

int
fs_mkdir_p (int dirfd, const char *path, mode_t mode, struct error **err)
{
  _cleanup_free_ char *p = strdup (path);
  if (p == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (char *s = p + 1; ; s++)
    {
      if (*s == '/' || *s == '\0')
        {
          char c = *s;
          *s = '\0';
          if (mkdirat (dirfd, p, mode) < 0 && errno != EEXIST)
            return error_errno (err, errno, "mkdir `%s`", p);
          *s = c;
          if (c == '\0')
            break;
        }
    }
  return 0;
}

static int
rm_rf_children (int dfd, dev_t dev, int depth)
{
  if (depth > 512)
    return -ELOOP;
  _cleanup_closedir_ DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return -errno;
    }
  int ret = 0;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (dirfd (d), de->d_name, 0) == 0 || errno == ENOENT)
        continue;
      if (errno != EISDIR && errno != EPERM)
        {
          ret = -errno;
          continue;
        }
      struct stat st;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (!S_ISDIR (st.st_mode))
        continue;
      if (st.st_dev != dev)
        {
          ret = -EXDEV; /* a mount point: never descend into it */
          continue;
        }
      int cfd = openat (dirfd (d), de->d_name,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (cfd < 0)
        continue;
      int r = rm_rf_children (cfd, dev, depth + 1);
      if (r < 0)
        ret = r;
      if (unlinkat (dirfd (d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        ret = -errno;
    }
  return ret;
}

int
fs_rm_rf_at (int dirfd, const char *path, struct error **err)
{
  if (unlinkat (dirfd, path, 0) == 0 || errno == ENOENT)
    return 0;
  struct stat st;
  if (fstatat (dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : error_errno (err, errno, "stat `%s`", path);
  int fd = openat (dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return error_errno (err, errno, "open `%s`", path);
  int r = rm_rf_children (fd, st.st_dev, 0);
  if (unlinkat (dirfd, path, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return error_errno (err, errno, "remove `%s`", path);
  (void) r;
  return 0;
}

bool
fs_exists_at (int dirfd, const char *path)
{
  return faccessat (dirfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

char *
fs_procfd_path (int fd, char buf[FS_PROCFD_LEN])
{
  snprintf (buf, FS_PROCFD_LEN, "/proc/self/fd/%d", fd);
  return buf;
}

char *
fs_path_join (const char *a, const char *b)
{
  char *r = NULL;
  size_t la = strlen (a);
  while (la > 0 && a[la - 1] == '/')
    la--;
  while (*b == '/')
    b++;
  if (asprintf (&r, "%.*s/%s", (int) la, a, b) < 0)
    return NULL;
  return r;
}

char *
fs_path_clean (const char *path)
{
  size_t n = strlen (path);
  char *out = malloc (n + 2);
  if (out == NULL)
    return NULL;
  bool abs = path[0] == '/';
  size_t o = 0;
  size_t floor = 0;
  if (abs)
    out[o++] = '/', floor = 1;
  const char *p = path;
  while (*p)
    {
      while (*p == '/')
        p++;
      if (!*p)
        break;
      const char *e = strchrnul (p, '/');
      size_t l = (size_t) (e - p);
      if (l == 1 && p[0] == '.')
        ;
      else if (l == 2 && p[0] == '.' && p[1] == '.')
        {
          /* drop the last component, never going above the start */
          if (o > floor)
            {
              while (o > floor && out[o - 1] != '/')
                o--;
              if (o > floor)
                o--;
            }
        }
      else
        {
          if (o > floor)
            out[o++] = '/';
          memcpy (out + o, p, l);
          o += l;
        }
      p = e;
    }
  if (o == 0)
    out[o++] = '.';
  out[o] = '\0';
  return out;
}

/* ------------------------------------------------------------------ in-root */

static int openat2_works = -1; /* -1 unknown, 0 no (ENOSYS), 1 yes */

static int
try_openat2 (int rootfd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = (unsigned long long) (flags | O_CLOEXEC),
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  for (;;)
    {
      long r = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      if (r >= 0)
        return (int) r;
      /* EAGAIN: a concurrent rename raced the lookup; the kernel asks to retry */
      if (errno == EAGAIN)
        continue;
      return -errno;
    }
}

/* Fallback walk: one component at a time with O_NOFOLLOW. A symlink met on the
 * way is read and its target spliced into the remaining path, with absolute
 * targets restarting from the root and ".." never going above the root: the
 * same semantics as RESOLVE_IN_ROOT, without trusting the kernel's walk. */
static int
walk_in_root (int rootfd, const char *path, int flags, mode_t mode, bool mkdirs)
{
  enum { MAX_LINKS = 40 };
  int links = 0;
  size_t cap = strlen (path) + 1;
  _cleanup_free_ char *rest = strdup (path);
  if (rest == NULL)
    return -ENOMEM;
  /* stack of directory fds, so ".." can pop without asking the kernel */
  int stack[256];
  int depth = 0;
  int ret;
  stack[0] = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (stack[0] < 0)
    return -errno;
  char *p = rest;
  for (;;)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        {
          /* path ends on a directory: reopen it with the requested flags */
          char buf[FS_PROCFD_LEN];
          if (flags & O_PATH)
            ret = openat (stack[depth], ".", flags | O_CLOEXEC);
          else
            ret = open (fs_procfd_path (stack[depth], buf), (flags & ~O_CREAT) | O_CLOEXEC);
          if (ret < 0)
            ret = -errno;
          goto out;
        }
      char *e = strchrnul (p, '/');
      bool last = true;
      for (char *q = e; *q; q++)
        if (*q != '/')
          {
            last = false;
            break;
          }
      char save = *e;
      *e = '\0';
      if (strcmp (p, ".") == 0)
        {
          *e = save;
          p = e;
          continue;
        }
      if (strcmp (p, "..") == 0)
        {
          if (depth > 0)
            close (stack[depth--]);
          *e = save;
          p = e;
          continue;
        }
      if (last && !mkdirs)
        {
          int fd = openat (stack[depth], p, flags | O_NOFOLLOW | O_CLOEXEC, mode);
          if (fd >= 0 || errno != ELOOP || (flags & O_NOFOLLOW))
            {
              ret = fd >= 0 ? fd : -errno;
              /* O_NOFOLLOW|O_PATH on a symlink opens the link itself: fine */
              goto out;
            }
          /* ELOOP: the last component is a symlink to follow; fall through */
        }
      struct stat st;
      if (fstatat (stack[depth], p, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno == ENOENT && mkdirs)
            {
              if (mkdirat (stack[depth], p, mode) < 0 && errno != EEXIST)
                {
                  ret = -errno;
                  goto out;
                }
              if (fstatat (stack[depth], p, &st, AT_SYMLINK_NOFOLLOW) < 0)
                {
                  ret = -errno;
                  goto out;
                }
            }
          else
            {
              ret = -errno;
              goto out;
            }
        }
      if (S_ISLNK (st.st_mode))
        {
          /* A symlink on procfs is a magic link (or /proc/self): its text
           * is a path of the runtime's view, not of this root.  Refused, as
           * RESOLVE_NO_MAGICLINKS refuses it. */
          struct statfs sfs;
          if (fstatfs (stack[depth], &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC)
            {
              ret = -ELOOP;
              goto out;
            }
          if (++links > MAX_LINKS)
            {
              ret = -ELOOP;
              goto out;
            }
          char target[PATH_MAX];
          ssize_t tl = readlinkat (stack[depth], p, target, sizeof target - 1);
          if (tl < 0)
            {
              ret = -errno;
              goto out;
            }
          target[tl] = '\0';
          *e = save;
          /* new rest = target + "/" + remainder */
          size_t rl = strlen (e);
          size_t need = (size_t) tl + 1 + rl + 1;
          char *nr = malloc (need > cap ? need : cap);
          if (nr == NULL)
            {
              ret = -ENOMEM;
              goto out;
            }
          snprintf (nr, need, "%s/%s", target, e);
          free (rest);
          rest = nr;
          p = rest;
          if (target[0] == '/')
            while (depth > 0)
              close (stack[depth--]);
          continue;
        }
      if (!S_ISDIR (st.st_mode))
        {
          ret = -ENOTDIR;
          goto out;
        }
      if (depth + 1 >= (int) ARRAY_SIZE (stack))
        {
          ret = -ENAMETOOLONG;
          goto out;
        }
      int nfd = openat (stack[depth], p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (nfd < 0)
        {
          ret = -errno;
          goto out;
        }
      stack[++depth] = nfd;
      *e = save;
      p = e;
    }
out:
  for (int i = 0; i <= depth; i++)
    close (stack[i]);
  return ret;
}

int
fs_open_in_root (int rootfd, const char *path, int flags, mode_t mode,
                 struct error **err)
{
  int fd = -ENOSYS;
  if (!fs_force_resolve_fallback && openat2_works != 0)
    {
      fd = try_openat2 (rootfd, path, flags, mode);
      if (fd == -ENOSYS || fd == -EPERM /* seccomp-filtered */)
        openat2_works = 0;
      else
        openat2_works = 1;
    }
  if (openat2_works == 0 || fs_force_resolve_fallback)
    fd = walk_in_root (rootfd, path, flags, mode, false);
  if (fd < 0)
    return error_errno (err, -fd, "open `%s` in root", path);
  return fd;
}

int
fs_mkdir_in_root (int rootfd, const char *path, mode_t mode, struct error **err)
{
  /* Fast path: it already exists and is a directory. */
  struct error *ignored = NULL;
  int fd = fs_open_in_root (rootfd, path, O_PATH | O_DIRECTORY, 0, &ignored);
  error_free (ignored);
  if (fd >= 0)
    return fd;
  /* ELOOP from openat2 is a magic link (/proc/self/fd/N, /proc/N/root) or a
   * symlink loop: never walk it textually and create what its text names. */
  if (fd == -ELOOP && openat2_works == 1 && !fs_force_resolve_fallback)
    return error_errno (err, ELOOP, "`%s`: goes through a /proc magic link or a symlink loop",
                        path);
  fd = walk_in_root (rootfd, path, O_PATH | O_DIRECTORY, mode, true);
  if (fd < 0)
    return error_errno (err, -fd, "mkdir `%s` in root", path);
  return fd;
}
