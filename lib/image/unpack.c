/* unpack.c - the layer unpacker.  Security notes inline; the short version:
 *
 *  - names are cleaned lexically first: a leading "/" is dropped (absolute
 *    names land inside the layer, as with every OCI unpacker), "." and empty
 *    components vanish, and any ".." is refused outright instead of being
 *    clamped, so that a hostile name is reported rather than silently moved;
 *  - the parent directory is opened with RESOLVE_NO_SYMLINKS: an entry can
 *    never be created through a symlink, whether the symlink came from this
 *    layer or was swapped in (CVE-2018-15664 class: the kernel checks every
 *    component at the moment of the lookup, no check-then-use window);
 *  - the final component is created with O_CREAT|O_EXCL|O_NOFOLLOW after
 *    unlinking whatever was there, so a write never goes through an existing
 *    symlink or an existing hardlink;
 *  - a hardlink target is resolved the same way (inside the layer, no
 *    symlinks) and linkat() is called without AT_SYMLINK_FOLLOW;
 *  - xattrs in the overlay namespaces are dropped: a layer must not carry
 *    overlayfs metadata (redirects, metacopy, opaque) of its own choosing.
 */
#include "unpack.h"

#include "stream.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

bool unpack_force_walk = false;

void
unpack_limits_default (struct unpack_limits *lim)
{
  lim->max_entries = UNPACK_DEFAULT_MAX_ENTRIES;
  lim->max_bytes = UNPACK_DEFAULT_MAX_BYTES;
  lim->max_path = UNPACK_DEFAULT_MAX_PATH;
  uint64_t v;
  const char *e = getenv ("HULL_LAYER_MAX_ENTRIES");
  if (e && parse_uint64 (e, &v) == 0 && v > 0)
    lim->max_entries = v;
  e = getenv ("HULL_LAYER_MAX_BYTES");
  if (e && parse_uint64 (e, &v) == 0 && v > 0)
    lim->max_bytes = v;
}

struct dir_time
{
  char *path;
  struct timespec ts[2];
};

struct unpacker
{
  int rootfd;
  const struct unpack_limits *lim;
  struct unpack_stats st;
  struct stream *in;
  struct error *read_err; /* set by the read callback */
  /* the parent directory of the previous entry, kept open: tar entries come
   * grouped by directory, so most entries need no lookup at all */
  char *cache_path;
  int cache_fd;
  struct dir_time *times;
  size_t ntimes, cap_times;
  bool is_root; /* euid 0: ownership of new files is already 0:0 */
};

/* A name fit for a one-line message: control bytes escaped, long names cut. */
static const char *
printable (const char *s, char *buf, size_t cap)
{
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *) s; *p && o + 5 < cap; p++)
    {
      if (*p < 0x20 || *p == 0x7f || *p == '`')
        o += (size_t) snprintf (buf + o, cap - o, "\\x%02x", *p);
      else
        buf[o++] = (char) *p;
    }
  if (o + 5 >= cap)
    o = cap - 4, memcpy (buf + o, "...", 3), o += 3;
  buf[o] = '\0';
  return buf;
}

#define ENTRY_ERR(u, err, code, name, ...)                                                    \
  ({                                                                                          \
    char _pb[256];                                                                            \
    int _r = error_set (err, code, __VA_ARGS__);                                              \
    error_prefix (err, "entry `%s`", printable (name, _pb, sizeof _pb));                      \
    _r;                                                                                       \
  })

/* Clean a tar name into components.  Returns the number of components (0 =
 * the layer root) or -1 when a ".." is met.  The string is modified in
 * place; comps point into it. */
static int
split_name (char *s, char **comps, int max)
{
  int n = 0;
  char *save = NULL;
  for (char *c = strtok_r (s, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0)
        continue;
      if (strcmp (c, "..") == 0)
        return -1;
      if (n >= max)
        return -2;
      comps[n++] = c;
    }
  return n;
}

static void
cache_drop (struct unpacker *u)
{
  free (u->cache_path);
  u->cache_path = NULL;
  u->cache_fd = safe_close (u->cache_fd);
}

static bool openat2_missing;

/* Open the directory at rel (no symlinks anywhere, never above the root).
 * create: make missing directories (0755, as tar does for implicit ones).
 * Returns an fd or -errno (ELOOP: a symlink on the way, ENOTDIR: a
 * non-directory on the way). */
static int
open_dir_beneath (int rootfd, char **comps, int n, bool create)
{
  if (n == 0)
    return openat (rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (!unpack_force_walk && !openat2_missing)
    {
      char path[PATH_MAX];
      size_t o = 0;
      for (int i = 0; i < n; i++)
        {
          size_t l = strlen (comps[i]);
          if (o + l + 2 > sizeof path)
            return -ENAMETOOLONG;
          if (i)
            path[o++] = '/';
          memcpy (path + o, comps[i], l);
          o += l;
        }
      path[o] = '\0';
      struct open_how how = {
        .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS
                   | RESOLVE_NO_XDEV,
      };
      long fd;
      do
        fd = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      while (fd < 0 && errno == EAGAIN);
      if (fd >= 0)
        return (int) fd;
      if (errno == ENOSYS || errno == EPERM)
        openat2_missing = true;
      else if (errno != ENOENT || !create)
        return -errno;
    }
  /* The walk: one component at a time, O_NOFOLLOW, so a symlink fails the
   * open with ELOOP instead of being followed. */
  int cur = openat (rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return -errno;
  for (int i = 0; i < n; i++)
    {
      int fd = openat (cur, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT && create)
        {
          if (mkdirat (cur, comps[i], 0755) < 0 && errno != EEXIST)
            {
              int e = errno;
              close (cur);
              return -e;
            }
          fd = openat (cur, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
      if (fd < 0)
        {
          int e = errno;
          /* O_DIRECTORY|O_NOFOLLOW on a symlink can say ENOTDIR: tell them apart */
          struct stat st;
          if (fstatat (cur, comps[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
            e = ELOOP;
          close (cur);
          return -e;
        }
      close (cur);
      cur = fd;
    }
  return cur;
}

static const char *
dir_error (int e)
{
  switch (e)
    {
    case ELOOP:
      return "path goes through a symlink";
    case ENOTDIR:
      return "a parent is not a directory";
    case ENOENT:
      return "parent directory missing";
    case EXDEV:
      return "path leaves the layer's filesystem";
    case ENAMETOOLONG:
      return "name too long";
    default:
      return strerror (e);
    }
}

/* Get the parent directory fd (borrowed: owned by the cache). */
static int
parent_fd (struct unpacker *u, char **comps, int n, const char *name, struct error **err)
{
  char key[PATH_MAX];
  size_t o = 0;
  for (int i = 0; i < n - 1; i++)
    {
      size_t l = strlen (comps[i]);
      if (o + l + 2 > sizeof key)
        return ENTRY_ERR (u, err, ENAMETOOLONG, name, "name too long");
      memcpy (key + o, comps[i], l);
      o += l;
      key[o++] = '/';
    }
  key[o] = '\0';
  if (u->cache_path && strcmp (u->cache_path, key) == 0)
    return u->cache_fd;
  cache_drop (u);
  int fd = open_dir_beneath (u->rootfd, comps, n - 1, true);
  if (fd < 0)
    return ENTRY_ERR (u, err, -fd, name, "%s", dir_error (-fd));
  u->cache_path = strdup (key);
  if (u->cache_path == NULL)
    {
      close (fd);
      return error_set (err, ENOMEM, "out of memory");
    }
  u->cache_fd = fd;
  return fd;
}

/* Make room for a new entry called base in dfd: tar semantics, the later
 * entry replaces the earlier one.  keep_dir: an existing directory stays (a
 * directory entry over a directory only updates its metadata).  Returns 1
 * when a directory was kept, 0 otherwise. */
static int
make_room (struct unpacker *u, int dfd, const char *base, bool keep_dir, const char *name,
           struct error **err)
{
  struct stat st;
  if (fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return ENTRY_ERR (u, err, errno, name, "stat: %s", strerror (errno));
    }
  if (S_ISDIR (st.st_mode))
    {
      if (keep_dir)
        return 1;
      struct error *e2 = NULL;
      int r = fs_rm_rf_at (dfd, base, &e2);
      /* the cached parent may have lived below what we removed (dfd is the
       * cached fd itself: drop it only now); callers look it up again */
      cache_drop (u);
      if (r < 0)
        {
          int code = e2 ? e2->code : EIO;
          error_free (e2);
          return ENTRY_ERR (u, err, code, name, "cannot replace a directory");
        }
      return 0;
    }
  if (unlinkat (dfd, base, 0) < 0 && errno != ENOENT)
    return ENTRY_ERR (u, err, errno, name, "unlink: %s", strerror (errno));
  return 0;
}

static bool
xattr_allowed (const char *name)
{
  /* overlayfs reads these from lower layers: the unpacker alone decides
   * which ones exist (opaque directories), never the layer. */
  if (str_has_prefix (name, "trusted.overlay.") || str_has_prefix (name, "user.overlay."))
    return false;
  return str_has_prefix (name, "user.") || str_has_prefix (name, "security.")
         || str_has_prefix (name, "trusted.") || strcmp (name, "system.posix_acl_access") == 0
         || strcmp (name, "system.posix_acl_default") == 0;
}

/* Set xattrs: on fd when >= 0, else on dfd/base without following. */
static int
apply_xattrs (struct unpacker *u, struct archive_entry *e, int fd, int dfd, const char *base,
              const char *name, struct error **err)
{
  if (archive_entry_xattr_reset (e) == 0)
    return 0;
  const char *xn;
  const void *val;
  size_t len;
  char path[PATH_MAX];
  if (fd < 0)
    {
      char pb[FS_PROCFD_LEN];
      snprintf (path, sizeof path, "%s/%s", fs_procfd_path (dfd, pb), base);
    }
  int count = 0;
  while (archive_entry_xattr_next (e, &xn, &val, &len) == ARCHIVE_OK)
    {
      if (++count > 256)
        return ENTRY_ERR (u, err, E2BIG, name, "too many xattrs");
      if (!xattr_allowed (xn))
        continue;
      int r = fd >= 0 ? fsetxattr (fd, xn, val, len, 0) : lsetxattr (path, xn, val, len, 0);
      if (r < 0 && errno != ENOTSUP && errno != EPERM)
        {
          char pb[256];
          return ENTRY_ERR (u, err, errno, name, "set xattr `%s`: %s",
                            printable (xn, pb, sizeof pb), strerror (errno));
        }
    }
  return 0;
}

static void
entry_times (struct archive_entry *e, struct timespec ts[2])
{
  ts[1].tv_sec = archive_entry_mtime (e);
  ts[1].tv_nsec = archive_entry_mtime_nsec (e);
  if (archive_entry_atime_is_set (e))
    {
      ts[0].tv_sec = archive_entry_atime (e);
      ts[0].tv_nsec = archive_entry_atime_nsec (e);
    }
  else
    ts[0] = ts[1];
}

/* Ownership, then mode (chown clears set-id bits), on an open fd. */
static int
apply_owner_mode_fd (struct unpacker *u, int fd, struct archive_entry *e, const char *name,
                     struct error **err)
{
  uid_t uid = (uid_t) archive_entry_uid (e);
  gid_t gid = (gid_t) archive_entry_gid (e);
  if (!(u->is_root && uid == 0 && gid == 0) && fchown (fd, uid, gid) < 0)
    return ENTRY_ERR (u, err, errno, name, "chown: %s", strerror (errno));
  if (fchmod (fd, archive_entry_mode (e) & 07777) < 0)
    return ENTRY_ERR (u, err, errno, name, "chmod: %s", strerror (errno));
  return 0;
}

static int
write_data (struct unpacker *u, struct archive *a, int fd, struct archive_entry *e,
            const char *name, struct error **err)
{
  const void *buf;
  size_t size;
  la_int64_t off, pos = 0;
  for (;;)
    {
      int r = archive_read_data_block (a, &buf, &size, &off);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          if (u->read_err)
            {
              *err = u->read_err;
              u->read_err = NULL;
              return -(*err)->code;
            }
          return ENTRY_ERR (u, err, EBADMSG, name, "%s", archive_error_string (a));
        }
      if (off != pos)
        {
          /* sparse: skip the hole */
          if (lseek (fd, off, SEEK_SET) < 0)
            return ENTRY_ERR (u, err, errno, name, "seek: %s", strerror (errno));
          pos = off;
        }
      int w = fs_write_all (fd, buf, size);
      if (w < 0)
        return ENTRY_ERR (u, err, -w, name, "write: %s", strerror (-w));
      pos += (la_int64_t) size;
    }
  la_int64_t want = archive_entry_size (e);
  if (pos < want && ftruncate (fd, want) < 0)
    return ENTRY_ERR (u, err, errno, name, "truncate: %s", strerror (errno));
  return 0;
}

static int
add_dir_time (struct unpacker *u, char **comps, int n, struct timespec ts[2])
{
  if (u->ntimes == u->cap_times)
    {
      size_t nc = u->cap_times ? u->cap_times * 2 : 256;
      struct dir_time *nt = realloc (u->times, nc * sizeof *nt);
      if (nt == NULL)
        return -ENOMEM;
      u->times = nt;
      u->cap_times = nc;
    }
  size_t len = 1;
  for (int i = 0; i < n; i++)
    len += strlen (comps[i]) + 1;
  char *p = malloc (len), *o = p;
  if (p == NULL)
    return -ENOMEM;
  *o = '\0';
  for (int i = 0; i < n; i++)
    o += sprintf (o, "%s%s", i ? "/" : "", comps[i]);
  u->times[u->ntimes].path = p;
  u->times[u->ntimes].ts[0] = ts[0];
  u->times[u->ntimes].ts[1] = ts[1];
  u->ntimes++;
  return 0;
}

static int
do_entry (struct unpacker *u, struct archive *a, struct archive_entry *e, struct error **err)
{
  const char *raw = archive_entry_pathname (e);
  if (raw == NULL)
    raw = archive_entry_pathname_utf8 (e);
  if (raw == NULL)
    return error_set (err, EBADMSG, "entry without a name");
  const char *name = raw;
  size_t nl = strlen (raw);
  if (nl > u->lim->max_path)
    return ENTRY_ERR (u, err, ENAMETOOLONG, name, "name longer than %zu bytes", u->lim->max_path);
  if (++u->st.entries > u->lim->max_entries)
    return error_set (err, E2BIG, "more than %llu entries",
                      (unsigned long long) u->lim->max_entries);

  char buf[PATH_MAX + 1];
  memcpy (buf, raw, nl + 1);
  char *comps[PATH_MAX / 2];
  int n = split_name (buf, comps, (int) ARRAY_SIZE (comps));
  if (n == -1)
    return ENTRY_ERR (u, err, EPERM, name, "path escapes the layer");
  if (n < 0)
    return ENTRY_ERR (u, err, ENAMETOOLONG, name, "too many path components");

  mode_t type = archive_entry_filetype (e);
  const char *hardlink = archive_entry_hardlink (e);
  struct timespec ts[2];
  entry_times (e, ts);

  if (n == 0)
    {
      /* "./": the layer root itself; only a directory makes sense */
      if (hardlink || type != AE_IFDIR)
        return ENTRY_ERR (u, err, EPERM, name, "the layer root must be a directory");
      int r = apply_owner_mode_fd (u, u->rootfd, e, name, err);
      if (r < 0)
        return r;
      r = apply_xattrs (u, e, u->rootfd, -1, NULL, name, err);
      if (r < 0)
        return r;
      return add_dir_time (u, comps, 0, ts) < 0 ? error_set (err, ENOMEM, "out of memory") : 0;
    }
  for (int i = 0; i < n; i++)
    if (strlen (comps[i]) > NAME_MAX)
      return ENTRY_ERR (u, err, ENAMETOOLONG, name, "a component is longer than %d bytes",
                        NAME_MAX);

  int dfd = parent_fd (u, comps, n, name, err);
  if (dfd < 0)
    return dfd;
  const char *base = comps[n - 1];

  /* Whiteouts (OCI image-spec, layer.md). */
  if (str_has_prefix (base, ".wh."))
    {
      if (strcmp (base, ".wh..wh..opq") == 0)
        {
          /* opaque: the directory hides everything below it in lower layers */
          if (fsetxattr (dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
            return ENTRY_ERR (u, err, errno, name, "mark opaque: %s", strerror (errno));
          return 0;
        }
      if (str_has_prefix (base, ".wh..wh."))
        return 0; /* AUFS bookkeeping (.wh..wh.plnk...): meaningless here */
      const char *victim = base + 4;
      if (victim[0] == '\0' || strcmp (victim, ".") == 0 || strcmp (victim, "..") == 0)
        return ENTRY_ERR (u, err, EINVAL, name, "invalid whiteout");
      /* A whiteout hides lower layers only: an entry of this same layer
       * with that name wins (it hides the lower one by itself). */
      struct stat st;
      if (fstatat (dfd, victim, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return 0;
      if (mknodat (dfd, victim, S_IFCHR | 0000, makedev (0, 0)) < 0)
        return ENTRY_ERR (u, err, errno, name, "create whiteout: %s", strerror (errno));
      return 0;
    }

  if (hardlink)
    {
      size_t hl = strlen (hardlink);
      if (hl > u->lim->max_path)
        return ENTRY_ERR (u, err, ENAMETOOLONG, name, "link target too long");
      char tbuf[PATH_MAX + 1];
      memcpy (tbuf, hardlink, hl + 1);
      char *tcomps[PATH_MAX / 2];
      int tn = split_name (tbuf, tcomps, (int) ARRAY_SIZE (tcomps));
      if (tn == -1)
        return ENTRY_ERR (u, err, EPERM, name, "hardlink target escapes the layer");
      if (tn <= 0)
        return ENTRY_ERR (u, err, EPERM, name, "invalid hardlink target");
      /* dfd is cached: open the target's parent separately */
      _cleanup_close_ int tfd = open_dir_beneath (u->rootfd, tcomps, tn - 1, false);
      if (tfd < 0)
        return ENTRY_ERR (u, err, -tfd, name, "hardlink target: %s",
                          tfd == -ENOENT ? "not in the layer" : dir_error (-tfd));
      struct stat st;
      if (fstatat (tfd, tcomps[tn - 1], &st, AT_SYMLINK_NOFOLLOW) < 0)
        return ENTRY_ERR (u, err, errno, name, "hardlink target `%s` is not in the layer",
                          hardlink);
      if (S_ISDIR (st.st_mode))
        return ENTRY_ERR (u, err, EPERM, name, "hardlink to a directory");
      struct stat cur;
      if (fstatat (dfd, base, &cur, AT_SYMLINK_NOFOLLOW) == 0 && cur.st_ino == st.st_ino
          && cur.st_dev == st.st_dev)
        return 0; /* already that file */
      int r = make_room (u, dfd, base, false, name, err);
      if (r < 0)
        return r;
      dfd = parent_fd (u, comps, n, name, err); /* make_room may drop the cache */
      if (dfd < 0)
        return dfd;
      /* flags 0: a symlink target is linked itself, never followed */
      if (linkat (tfd, tcomps[tn - 1], dfd, base, 0) < 0)
        return ENTRY_ERR (u, err, errno, name, "link: %s", strerror (errno));
      return 0;
    }

  switch (type)
    {
    case AE_IFREG:
      {
        la_int64_t size = archive_entry_size (e);
        if (size < 0 || (uint64_t) size > u->lim->max_bytes
            || u->st.bytes + (uint64_t) size > u->lim->max_bytes)
          return error_set (err, EFBIG, "more than %llu bytes of files",
                            (unsigned long long) u->lim->max_bytes);
        u->st.bytes += (uint64_t) size;
        _cleanup_close_ int fd
            = openat (dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno == EEXIST)
          {
            int r = make_room (u, dfd, base, false, name, err);
            if (r < 0)
              return r;
            dfd = parent_fd (u, comps, n, name, err);
            if (dfd < 0)
              return dfd;
            fd = openat (dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
          }
        if (fd < 0)
          return ENTRY_ERR (u, err, errno, name, "create: %s", strerror (errno));
        int r = write_data (u, a, fd, e, name, err);
        if (r < 0)
          return r;
        r = apply_owner_mode_fd (u, fd, e, name, err);
        if (r < 0)
          return r;
        r = apply_xattrs (u, e, fd, -1, NULL, name, err);
        if (r < 0)
          return r;
        if (futimens (fd, ts) < 0)
          return ENTRY_ERR (u, err, errno, name, "set times: %s", strerror (errno));
        return 0;
      }
    case AE_IFDIR:
      {
        int r = make_room (u, dfd, base, true, name, err);
        if (r < 0)
          return r;
        if (r == 0)
          {
            dfd = parent_fd (u, comps, n, name, err);
            if (dfd < 0)
              return dfd;
            if (mkdirat (dfd, base, 0700) < 0)
              return ENTRY_ERR (u, err, errno, name, "mkdir: %s", strerror (errno));
          }
        _cleanup_close_ int fd
            = openat (dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
          return ENTRY_ERR (u, err, errno, name, "open: %s", strerror (errno));
        r = apply_owner_mode_fd (u, fd, e, name, err);
        if (r < 0)
          return r;
        r = apply_xattrs (u, e, fd, -1, NULL, name, err);
        if (r < 0)
          return r;
        /* its mtime is set at the end: creating children changes it */
        return add_dir_time (u, comps, n, ts) < 0 ? error_set (err, ENOMEM, "out of memory") : 0;
      }
    case AE_IFLNK:
      {
        const char *target = archive_entry_symlink (e);
        if (target == NULL)
          target = archive_entry_symlink_utf8 (e);
        if (target == NULL || target[0] == '\0')
          return ENTRY_ERR (u, err, EINVAL, name, "symlink without a target");
        if (strlen (target) > u->lim->max_path)
          return ENTRY_ERR (u, err, ENAMETOOLONG, name, "link target too long");
        /* The target is stored, never resolved here: it may point anywhere
         * (the container resolves it inside its own root). */
        int r = make_room (u, dfd, base, false, name, err);
        if (r < 0)
          return r;
        dfd = parent_fd (u, comps, n, name, err);
        if (dfd < 0)
          return dfd;
        if (symlinkat (target, dfd, base) < 0)
          return ENTRY_ERR (u, err, errno, name, "symlink: %s", strerror (errno));
        break;
      }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      {
        int r = make_room (u, dfd, base, false, name, err);
        if (r < 0)
          return r;
        dfd = parent_fd (u, comps, n, name, err);
        if (dfd < 0)
          return dfd;
        dev_t dev = type == AE_IFIFO ? 0 : makedev (archive_entry_rdevmajor (e),
                                                    archive_entry_rdevminor (e));
        if (mknodat (dfd, base, type | 0600, dev) < 0)
          return ENTRY_ERR (u, err, errno, name, "mknod: %s", strerror (errno));
        break;
      }
    case AE_IFSOCK:
      return 0; /* a socket file means nothing without its process */
    default:
      return ENTRY_ERR (u, err, EINVAL, name, "unknown entry type 0%o", (unsigned) type);
    }

  /* symlinks and special files: by name, never following */
  uid_t uid = (uid_t) archive_entry_uid (e);
  gid_t gid = (gid_t) archive_entry_gid (e);
  if (!(u->is_root && uid == 0 && gid == 0)
      && fchownat (dfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return ENTRY_ERR (u, err, errno, name, "chown: %s", strerror (errno));
  if (type != AE_IFLNK && fchmodat (dfd, base, archive_entry_mode (e) & 07777, 0) < 0)
    return ENTRY_ERR (u, err, errno, name, "chmod: %s", strerror (errno));
  int r = apply_xattrs (u, e, -1, dfd, base, name, err);
  if (r < 0)
    return r;
  if (utimensat (dfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
    return ENTRY_ERR (u, err, errno, name, "set times: %s", strerror (errno));
  return 0;
}

static la_ssize_t
read_cb (struct archive *a, void *data, const void **buf)
{
  struct unpacker *u = data;
  ssize_t n = stream_next (u->in, buf, &u->read_err);
  if (n < 0)
    {
      archive_set_error (a, EIO, "%s", u->read_err ? u->read_err->msg : "read error");
      return -1;
    }
  return n;
}

static int
finish_times (struct unpacker *u, struct error **err)
{
  for (size_t i = 0; i < u->ntimes; i++)
    {
      char *comps[PATH_MAX / 2];
      char *p = u->times[i].path;
      int n = split_name (p, comps, (int) ARRAY_SIZE (comps));
      if (n < 0)
        continue;
      int fd = open_dir_beneath (u->rootfd, comps, n, false);
      if (fd < 0)
        continue; /* replaced by a later entry: nothing to do */
      if (futimens (fd, u->times[i].ts) < 0)
        {
          int e = errno;
          close (fd);
          return error_errno (err, e, "set directory times");
        }
      close (fd);
    }
  return 0;
}

int
layer_unpack (int dirfd, struct stream *in, const struct unpack_limits *lim,
              struct unpack_stats *stats, struct error **err)
{
  struct unpack_limits deflim;
  if (lim == NULL)
    {
      unpack_limits_default (&deflim);
      lim = &deflim;
    }
  struct unpacker u = {
    .rootfd = dirfd,
    .lim = lim,
    .in = in,
    .cache_fd = -1,
    .is_root = geteuid () == 0 && getegid () == 0,
  };
  int ret = 0;
  struct archive *a = archive_read_new ();
  if (a == NULL)
    return error_set (err, ENOMEM, "out of memory");
  archive_read_support_format_tar (a);
  if (archive_read_open (a, &u, NULL, read_cb, NULL) != ARCHIVE_OK)
    {
      ret = u.read_err ? (*err = TAKE_PTR (u.read_err), -(*err)->code)
                       : error_set (err, EBADMSG, "not a tar archive: %s", archive_error_string (a));
      goto out;
    }
  for (;;)
    {
      struct archive_entry *e;
      int r = archive_read_next_header (a, &e);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          if (u.read_err)
            {
              *err = TAKE_PTR (u.read_err);
              ret = -(*err)->code;
            }
          else
            ret = error_set (err, EBADMSG, "corrupt tar: %s", archive_error_string (a));
          goto out;
        }
      ret = do_entry (&u, a, e, err);
      if (ret < 0)
        goto out;
    }
  ret = finish_times (&u, err);
  if (ret < 0)
    goto out;
  /* The tar end marker may come before the end of the stream (padding):
   * read the rest so that the digests of every stage cover all bytes. */
  ret = stream_drain (in, err);
out:
  archive_read_free (a);
  cache_drop (&u);
  for (size_t i = 0; i < u.ntimes; i++)
    free (u.times[i].path);
  free (u.times);
  error_free (u.read_err);
  if (stats)
    *stats = u.st;
  return ret;
}
