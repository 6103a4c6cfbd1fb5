/* copy.c - trees to and from tar streams, safely inside container roots
 * (see copy.h for the rules). */
#include "engine/copy.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define COPY_MAX_ENTRIES (4u << 20)
#define COPY_MAX_PATH 4096
#define XATTR_LIST_MAX_ 65536

static void
archive_freep (struct archive **a)
{
  if (*a)
    archive_free (*a);
}
#define _cleanup_archive_ __attribute__ ((cleanup (archive_freep)))

/* ------------------------------------------------------------ walking */

struct link_seen
{
  dev_t dev;
  ino_t ino;
  char *path;
};

struct walker
{
  struct archive *a;
  const struct copy_walk *w;
  struct link_seen *links;
  size_t nlinks;
  uint64_t entries;
};

static bool
excluded (const struct walker *k, const char *path)
{
  for (size_t i = 0; k->w->exclude && k->w->exclude[i]; i++)
    if (strcmp (k->w->exclude[i], path) == 0)
      return true;
  return false;
}

static void
add_xattrs (struct archive_entry *e, int fd)
{
  char names[XATTR_LIST_MAX_];
  ssize_t n = flistxattr (fd, names, sizeof names);
  for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t) strlen (names + off) + 1)
    {
      const char *nm = names + off;
      /* overlayfs' own bookkeeping is not the container's data */
      if (strncmp (nm, "trusted.overlay.", 16) == 0)
        continue;
      char val[XATTR_LIST_MAX_];
      ssize_t vl = fgetxattr (fd, nm, val, sizeof val);
      if (vl >= 0)
        archive_entry_xattr_add_entry (e, nm, val, (size_t) vl);
    }
}

static int
write_header (struct walker *k, struct archive_entry *e, const char *path, struct error **err)
{
  if (++k->entries > COPY_MAX_ENTRIES)
    return error_set (err, E2BIG, "more than %u entries", COPY_MAX_ENTRIES);
  if (archive_write_header (k->a, e) < ARCHIVE_WARN)
    return error_set (err, EIO, "tar entry `%s`: %s", path, archive_error_string (k->a));
  return 0;
}

static void
entry_from_stat (struct archive_entry *e, const char *path, const struct stat *st)
{
  archive_entry_set_pathname (e, path);
  archive_entry_copy_stat (e, st);
  archive_entry_set_uname (e, "");
  archive_entry_set_gname (e, "");
}

static int
copy_data (struct walker *k, int fd, const char *path, struct error **err)
{
  char buf[65536];
  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return error_errno (err, errno, "read `%s`", path);
      if (n == 0)
        return 0;
      if (archive_write_data (k->a, buf, (size_t) n) < 0)
        return error_set (err, EIO, "tar `%s`: %s", path, archive_error_string (k->a));
    }
}

static int walk_dir (struct walker *k, int dfd, const char *prefix, struct error **err);

/* One entry (dfd, name) known by st, written as path. */
static int
walk_entry (struct walker *k, int dfd, const char *name, const struct stat *st, const char *path,
            struct error **err)
{
  if (strlen (path) > COPY_MAX_PATH)
    return error_set (err, ENAMETOOLONG, "path `%.64s...` is too long", path);
  if (excluded (k, path))
    return 0;
  struct archive_entry *e = archive_entry_new ();
  if (e == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int r = 0;
  if (k->w->overlay_upper && S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0))
    {
      /* an overlay whiteout: the OCI way is an empty .wh.NAME */
      char wh[COPY_MAX_PATH + 8];
      const char *slash = strrchr (path, '/');
      if (slash)
        snprintf (wh, sizeof wh, "%.*s/.wh.%s", (int) (slash - path), path, slash + 1);
      else
        snprintf (wh, sizeof wh, ".wh.%s", path);
      struct stat s2 = *st;
      s2.st_mode = S_IFREG | 0600;
      s2.st_size = 0;
      s2.st_rdev = 0;
      entry_from_stat (e, wh, &s2);
      r = write_header (k, e, wh, err);
      archive_entry_free (e);
      return r;
    }
  entry_from_stat (e, path, st);
  if (S_ISDIR (st->st_mode))
    {
      _cleanup_close_ int sub = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        {
          archive_entry_free (e);
          return error_errno (err, errno, "open `%s`", path);
        }
      add_xattrs (e, sub);
      r = write_header (k, e, path, err);
      archive_entry_free (e);
      if (r < 0)
        return r;
      if (k->w->overlay_upper)
        {
          char v[4] = "";
          if (fgetxattr (sub, "trusted.overlay.opaque", v, sizeof v) > 0 && v[0] == 'y')
            {
              char opq[COPY_MAX_PATH + 16];
              snprintf (opq, sizeof opq, "%s/.wh..wh..opq", path);
              struct archive_entry *o = archive_entry_new ();
              struct stat s2 = *st;
              s2.st_mode = S_IFREG | 0600;
              s2.st_size = 0;
              entry_from_stat (o, opq, &s2);
              r = write_header (k, o, opq, err);
              archive_entry_free (o);
              if (r < 0)
                return r;
            }
        }
      return walk_dir (k, sub, path, err);
    }
  if (S_ISREG (st->st_mode))
    {
      if (st->st_nlink > 1)
        {
          for (size_t i = 0; i < k->nlinks; i++)
            if (k->links[i].dev == st->st_dev && k->links[i].ino == st->st_ino)
              {
                archive_entry_set_hardlink (e, k->links[i].path);
                archive_entry_set_size (e, 0);
                r = write_header (k, e, path, err);
                archive_entry_free (e);
                return r;
              }
          struct link_seen *nl = realloc (k->links, (k->nlinks + 1) * sizeof *nl);
          if (nl)
            {
              k->links = nl;
              nl[k->nlinks].dev = st->st_dev;
              nl[k->nlinks].ino = st->st_ino;
              nl[k->nlinks].path = strdup (path);
              k->nlinks++;
            }
        }
      _cleanup_close_ int fd = openat (dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
      if (fd < 0)
        {
          archive_entry_free (e);
          return error_errno (err, errno, "open `%s`", path);
        }
      add_xattrs (e, fd);
      r = write_header (k, e, path, err);
      archive_entry_free (e);
      return r < 0 ? r : copy_data (k, fd, path, err);
    }
  if (S_ISLNK (st->st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (dfd, name, target, sizeof target - 1);
      if (n < 0)
        {
          archive_entry_free (e);
          return error_errno (err, errno, "readlink `%s`", path);
        }
      target[n] = '\0';
      archive_entry_set_symlink (e, target);
      r = write_header (k, e, path, err);
      archive_entry_free (e);
      return r;
    }
  if (S_ISCHR (st->st_mode) || S_ISBLK (st->st_mode) || S_ISFIFO (st->st_mode))
    {
      r = write_header (k, e, path, err);
      archive_entry_free (e);
      return r;
    }
  archive_entry_free (e); /* sockets: nothing to copy */
  return 0;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
walk_dir (struct walker *k, int dfd, const char *prefix, struct error **err)
{
  int dup_fd = fcntl (dfd, F_DUPFD_CLOEXEC, 3);
  if (dup_fd < 0)
    return error_errno (err, errno, "dup");
  DIR *d = fdopendir (dup_fd);
  if (d == NULL)
    {
      close (dup_fd);
      return error_errno (err, errno, "read directory `%s`", prefix);
    }
  _cleanup_strv_ char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (strv_push (&names, de->d_name) < 0)
        {
          closedir (d);
          return error_set (err, ENOMEM, "out of memory");
        }
      n++;
    }
  closedir (d);
  if (n)
    qsort (names, n, sizeof *names, cmp_str); /* the same tree gives the same bytes */
  for (size_t i = 0; i < n; i++)
    {
      struct stat st;
      if (fstatat (dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno == ENOENT)
            continue; /* gone meanwhile (a running container) */
          return error_errno (err, errno, "stat `%s/%s`", prefix, names[i]);
        }
      _cleanup_free_ char *path = NULL;
      if (asprintf (&path, "%s%s%s", prefix, *prefix ? "/" : "", names[i]) < 0)
        return error_set (err, ENOMEM, "out of memory");
      int r = walk_entry (k, dfd, names[i], &st, path, err);
      if (r < 0)
        return r;
    }
  return 0;
}

int
copy_tree_to_tar (int fd, const char *top, const struct copy_walk *w, int outfd,
                  struct error **err)
{
  _cleanup_archive_ struct archive *a = archive_write_new ();
  if (a == NULL || archive_write_set_format_pax_restricted (a) != ARCHIVE_OK
      || archive_write_open_fd (a, outfd) != ARCHIVE_OK)
    return error_set (err, EIO, "tar: %s", a ? archive_error_string (a) : "out of memory");
  struct walker k = { .a = a, .w = w };
  struct stat st;
  int r;
  if (fstatat (fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
    return error_errno (err, errno, "stat `%s`", top);
  if (S_ISDIR (st.st_mode))
    {
      /* an O_PATH directory fd reopens as a real one through "." */
      _cleanup_close_ int dfd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0)
        return error_errno (err, errno, "open `%s`", top);
      if (w->contents_only)
        r = walk_dir (&k, dfd, "", err);
      else
        {
          struct archive_entry *e = archive_entry_new ();
          entry_from_stat (e, top, &st);
          add_xattrs (e, dfd);
          r = write_header (&k, e, top, err);
          archive_entry_free (e);
          if (r == 0)
            r = walk_dir (&k, dfd, top, err);
        }
    }
  else
    {
      /* one file, symlink or device: read through its parent's view, which
       * is the O_PATH fd itself (empty name) */
      struct archive_entry *e = archive_entry_new ();
      entry_from_stat (e, top, &st);
      if (S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX];
          ssize_t n = readlinkat (fd, "", target, sizeof target - 1);
          if (n < 0)
            {
              archive_entry_free (e);
              return error_errno (err, errno, "readlink `%s`", top);
            }
          target[n] = '\0';
          archive_entry_set_symlink (e, target);
          r = write_header (&k, e, top, err);
        }
      else if (S_ISREG (st.st_mode))
        {
          char p[FS_PROCFD_LEN];
          _cleanup_close_ int rfd = open (fs_procfd_path (fd, p), O_RDONLY | O_CLOEXEC | O_NOCTTY);
          if (rfd < 0)
            r = error_errno (err, errno, "open `%s`", top);
          else
            {
              add_xattrs (e, rfd);
              r = write_header (&k, e, top, err);
              if (r == 0)
                r = copy_data (&k, rfd, top, err);
            }
        }
      else
        r = write_header (&k, e, top, err);
      archive_entry_free (e);
    }
  for (size_t i = 0; i < k.nlinks; i++)
    free (k.links[i].path);
  free (k.links);
  if (r < 0)
    return r;
  if (archive_write_close (a) != ARCHIVE_OK)
    return error_set (err, EIO, "tar: %s", archive_error_string (a));
  return 0;
}

/* ------------------------------------------------------------ extracting into a root */

/* Clean a tar name: no leading "./" or "/", no "." components; ".." is
 * refused.  Returns the components (strv), or NULL with *err. */
static char **
components (const char *name, struct error **err)
{
  if (strlen (name) > COPY_MAX_PATH)
    {
      error_set (err, ENAMETOOLONG, "entry `%.64s...`: name too long", name);
      return NULL;
    }
  _cleanup_free_ char *copy = strdup (name);
  char **v = calloc (1, sizeof *v);
  if (copy == NULL || v == NULL)
    {
      free (v);
      error_set (err, ENOMEM, "out of memory");
      return NULL;
    }
  char *save = NULL;
  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0)
        continue;
      if (strcmp (c, "..") == 0)
        {
          strv_free (v);
          error_set (err, EPERM, "entry `%s`: a path with `..` is refused", name);
          return NULL;
        }
      strv_push (&v, c);
    }
  return v;
}

/* The directory for comps[0..n-1] under destfd, made when missing (mode),
 * never through a symlink.  Returns an O_PATH directory fd. */
static int
open_parent (int destfd, char **comps, size_t n, bool create, const char *name, struct error **err)
{
  int cur = fcntl (destfd, F_DUPFD_CLOEXEC, 3);
  if (cur < 0)
    return error_errno (err, errno, "dup");
  for (size_t i = 0; i < n; i++)
    {
      int next = openat (cur, comps[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT && create)
        {
          if (mkdirat (cur, comps[i], 0755) < 0 && errno != EEXIST)
            {
              int e = errno;
              close (cur);
              return error_errno (err, e, "entry `%s`: mkdir `%s`", name, comps[i]);
            }
          next = openat (cur, comps[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
      if (next < 0)
        {
          int e = errno;
          close (cur);
          if (e == ELOOP || e == ENOTDIR)
            return error_set (err, ENOTDIR, "entry `%s`: `%s` is not a directory (a symlink is "
                                            "not followed)", name, comps[i]);
          return error_errno (err, e, "entry `%s`: `%s`", name, comps[i]);
        }
      close (cur);
      cur = next;
    }
  return cur;
}

static void
set_xattrs (struct archive_entry *e, int fd)
{
  const char *nm;
  const void *val;
  size_t sz;
  archive_entry_xattr_reset (e);
  while (archive_entry_xattr_next (e, &nm, &val, &sz) == ARCHIVE_OK)
    if (strncmp (nm, "trusted.overlay.", 16) != 0)
      fsetxattr (fd, nm, val, sz, 0);
}

/* Remove whatever is at (pfd, name) unless it is a directory and keep_dir. */
static int
clear_slot (int pfd, const char *name, bool keep_dir)
{
  struct stat st;
  if (fstatat (pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -errno;
  if (S_ISDIR (st.st_mode))
    {
      if (keep_dir)
        return 1;
      struct error *e = NULL;
      int r = fs_rm_rf_at (pfd, name, &e);
      error_free (e);
      return r;
    }
  return unlinkat (pfd, name, 0) < 0 ? -errno : 0;
}

static int
extract_one (struct archive *a, struct archive_entry *e, int destfd, struct error **err)
{
  const char *name = archive_entry_pathname (e);
  if (name == NULL)
    return 0;
  _cleanup_strv_ char **comps = components (name, err);
  if (comps == NULL)
    return -EPERM;
  size_t n = strv_len (comps);
  if (n == 0)
    return 0; /* "." itself: the destination is already there */
  _cleanup_close_ int pfd = open_parent (destfd, comps, n - 1, true, name, err);
  if (pfd < 0)
    return pfd;
  const char *leaf = comps[n - 1];
  mode_t mode = archive_entry_perm (e);
  uid_t uid = (uid_t) archive_entry_uid (e);
  gid_t gid = (gid_t) archive_entry_gid (e);
  struct timespec ts[2] = {
    { archive_entry_atime (e), archive_entry_atime_nsec (e) },
    { archive_entry_mtime (e), archive_entry_mtime_nsec (e) },
  };
  if (!archive_entry_atime_is_set (e))
    ts[0] = ts[1];
  const char *hl = archive_entry_hardlink (e);
  if (hl)
    {
      _cleanup_strv_ char **tc = components (hl, err);
      if (tc == NULL || tc[0] == NULL)
        return tc ? error_set (err, EINVAL, "entry `%s`: empty link target", name) : -EPERM;
      size_t tn = strv_len (tc);
      _cleanup_close_ int tfd = open_parent (destfd, tc, tn - 1, false, name, err);
      if (tfd < 0)
        return tfd;
      clear_slot (pfd, leaf, false);
      /* no AT_SYMLINK_FOLLOW: a symlink is linked as itself */
      if (linkat (tfd, tc[tn - 1], pfd, leaf, 0) < 0)
        return error_errno (err, errno, "entry `%s`: link to `%s`", name, hl);
      return 0;
    }
  switch (archive_entry_filetype (e))
    {
    case AE_IFDIR:
      {
        if (clear_slot (pfd, leaf, true) < 0)
          return error_errno (err, errno, "entry `%s`", name);
        if (mkdirat (pfd, leaf, 0700) < 0 && errno != EEXIST)
          return error_errno (err, errno, "entry `%s`: mkdir", name);
        _cleanup_close_ int d = openat (pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (d < 0)
          return error_errno (err, errno, "entry `%s`", name);
        set_xattrs (e, d);
        if (fchown (d, uid, gid) < 0 || fchmod (d, mode) < 0)
          return error_errno (err, errno, "entry `%s`: owner and mode", name);
        futimens (d, ts);
        return 0;
      }
    case AE_IFREG:
      {
        int c = clear_slot (pfd, leaf, false);
        if (c < 0)
          return error_errno (err, -c, "entry `%s`: replace", name);
        /* O_EXCL|O_NOFOLLOW: whatever was there is gone; nothing is
         * written through a link */
        _cleanup_close_ int fd = openat (pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                                                        | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
          return error_errno (err, errno, "entry `%s`: create", name);
        const void *buf;
        size_t size;
        la_int64_t off;
        int r;
        while ((r = archive_read_data_block (a, &buf, &size, &off)) == ARCHIVE_OK)
          {
            if (pwrite (fd, buf, size, off) != (ssize_t) size)
              return error_errno (err, errno, "entry `%s`: write", name);
          }
        if (r != ARCHIVE_EOF)
          return error_set (err, EIO, "entry `%s`: %s", name, archive_error_string (a));
        if (ftruncate (fd, archive_entry_size (e)) < 0)
          return error_errno (err, errno, "entry `%s`", name);
        set_xattrs (e, fd);
        if (fchown (fd, uid, gid) < 0 || fchmod (fd, mode) < 0)
          return error_errno (err, errno, "entry `%s`: owner and mode", name);
        futimens (fd, ts);
        return 0;
      }
    case AE_IFLNK:
      {
        const char *target = archive_entry_symlink (e);
        if (target == NULL || strlen (target) > COPY_MAX_PATH)
          return error_set (err, EINVAL, "entry `%s`: bad link target", name);
        clear_slot (pfd, leaf, false);
        /* a symlink is created, never followed: where it points is the
         * container's business */
        if (symlinkat (target, pfd, leaf) < 0)
          return error_errno (err, errno, "entry `%s`: symlink", name);
        if (fchownat (pfd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
          return error_errno (err, errno, "entry `%s`: owner", name);
        utimensat (pfd, leaf, ts, AT_SYMLINK_NOFOLLOW);
        return 0;
      }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      {
        clear_slot (pfd, leaf, false);
        if (mknodat (pfd, leaf, archive_entry_filetype (e) | mode, archive_entry_rdev (e)) < 0)
          return error_errno (err, errno, "entry `%s`: mknod", name);
        if (fchownat (pfd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
          return error_errno (err, errno, "entry `%s`: owner", name);
        return 0;
      }
    default:
      return 0;
    }
}

int
copy_tar_into (int destfd, int infd, struct error **err)
{
  _cleanup_archive_ struct archive *a = archive_read_new ();
  if (a == NULL)
    return error_set (err, ENOMEM, "out of memory");
  archive_read_support_format_tar (a);
  archive_read_support_filter_all (a);
  if (archive_read_open_fd (a, infd, 65536) != ARCHIVE_OK)
    return error_set (err, EIO, "tar: %s", archive_error_string (a));
  struct archive_entry *e;
  uint64_t count = 0;
  int r;
  while ((r = archive_read_next_header (a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      if (++count > COPY_MAX_ENTRIES)
        return error_set (err, E2BIG, "tar: more than %u entries", COPY_MAX_ENTRIES);
      int x = extract_one (a, e, destfd, err);
      if (x < 0)
        return x;
    }
  if (r != ARCHIVE_EOF)
    return error_set (err, EIO, "tar: %s", archive_error_string (a));
  return 0;
}

/* ------------------------------------------------------------ to the host */

int
copy_tar_to_host (const char *dest, int infd, struct error **err)
{
  _cleanup_close_ int here = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (chdir (dest) < 0)
    return error_errno (err, errno, "`%s`", dest);
  _cleanup_archive_ struct archive *a = archive_read_new ();
  _cleanup_archive_ struct archive *w = archive_write_disk_new ();
  int ret = 0;
  if (a == NULL || w == NULL)
    {
      ret = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  archive_read_support_format_tar (a);
  archive_read_support_filter_all (a);
  archive_write_disk_set_options (w, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER
                                         | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR
                                         | ARCHIVE_EXTRACT_UNLINK
                                         | ARCHIVE_EXTRACT_SECURE_SYMLINKS
                                         | ARCHIVE_EXTRACT_SECURE_NODOTDOT
                                         | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
  archive_write_disk_set_standard_lookup (w);
  if (archive_read_open_fd (a, infd, 65536) != ARCHIVE_OK)
    {
      ret = error_set (err, EIO, "tar: %s", archive_error_string (a));
      goto out;
    }
  struct archive_entry *e;
  int r;
  while ((r = archive_read_next_header (a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      if (archive_write_header (w, e) < ARCHIVE_WARN)
        {
          ret = error_set (err, EIO, "`%s`: %s", archive_entry_pathname (e), archive_error_string (w));
          goto out;
        }
      const void *buf;
      size_t size;
      la_int64_t off;
      int x;
      while ((x = archive_read_data_block (a, &buf, &size, &off)) == ARCHIVE_OK)
        if (archive_write_data_block (w, buf, size, off) < ARCHIVE_WARN)
          {
            ret = error_set (err, EIO, "`%s`: %s", archive_entry_pathname (e),
                             archive_error_string (w));
            goto out;
          }
      if (x != ARCHIVE_EOF)
        {
          ret = error_set (err, EIO, "tar: %s", archive_error_string (a));
          goto out;
        }
      archive_write_finish_entry (w);
    }
  if (r != ARCHIVE_EOF)
    ret = error_set (err, EIO, "tar: %s", archive_error_string (a));
  else if (archive_write_close (w) != ARCHIVE_OK)
    ret = error_set (err, EIO, "%s", archive_error_string (w));
out:
  if (here >= 0 && fchdir (here) < 0)
    ret = ret < 0 ? ret : error_errno (err, errno, "return to the working directory");
  return ret;
}

/* ------------------------------------------------------------ pipes */

struct pipe_job
{
  int (*fn) (void *arg, int fd, struct error **err);
  void *arg;
  int fd;
  int ret;
  struct error *err;
};

static void *
producer_main (void *p)
{
  struct pipe_job *j = p;
  /* a consumer that gives up makes our writes fail with EPIPE, not kill us */
  sigset_t s;
  sigemptyset (&s);
  sigaddset (&s, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &s, NULL);
  j->ret = j->fn (j->arg, j->fd, &j->err);
  close (j->fd);
  return NULL;
}

int
copy_pipe (int (*producer) (void *arg, int wfd, struct error **err), void *parg,
           int (*consumer) (void *arg, int rfd, struct error **err), void *carg,
           struct error **err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return error_errno (err, errno, "pipe");
  struct pipe_job j = { .fn = producer, .arg = parg, .fd = p[1] };
  pthread_t t;
  if (pthread_create (&t, NULL, producer_main, &j) != 0)
    {
      close (p[0]);
      close (p[1]);
      return error_set (err, EAGAIN, "cannot start a thread");
    }
  struct error *cerr = NULL;
  int cr = consumer (carg, p[0], &cerr);
  close (p[0]);
  pthread_join (t, NULL);
  if (j.ret < 0 && !(cr < 0 && j.err && j.err->code == EPIPE))
    {
      error_free (cerr);
      *err = j.err;
      return j.ret;
    }
  error_free (j.err);
  if (cr < 0)
    {
      *err = cerr;
      return cr;
    }
  return 0;
}
