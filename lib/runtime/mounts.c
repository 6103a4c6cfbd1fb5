/* mounts.c - the container's root filesystem: config mounts, pivot_root,
 * masked and read-only paths, sysctls.  Runs in the container process, in
 * its new mount namespace, before it execs.
 *
 * Every destination is resolved inside the rootfs with fs_open_in_root()
 * (openat2 RESOLVE_IN_ROOT): a symlink planted in the image - absolute or
 * relative - can never make us mount over a host path.  The resulting O_PATH
 * fd is the mount target (move_mount with MOVE_MOUNT_T_EMPTY_PATH), so the
 * path is not looked up a second time. */
#include "internal.h"
#include "mountapi.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

static int rootfd = -1;   /* O_PATH of the rootfs mount, before pivot */

/* MS_* mount flags -> MOUNT_ATTR_* for fsmount()/mount_setattr(). */
static unsigned long
attr_from_flags (unsigned long f)
{
  unsigned long a = 0;
  if (f & MS_RDONLY)
    a |= MOUNT_ATTR_RDONLY;
  if (f & MS_NOSUID)
    a |= MOUNT_ATTR_NOSUID;
  if (f & MS_NODEV)
    a |= MOUNT_ATTR_NODEV;
  if (f & MS_NOEXEC)
    a |= MOUNT_ATTR_NOEXEC;
  if (f & MS_NODIRATIME)
    a |= MOUNT_ATTR_NODIRATIME;
  if (f & MS_NOSYMFOLLOW)
    a |= MOUNT_ATTR_NOSYMFOLLOW;
  if (f & MS_NOATIME)
    a |= MOUNT_ATTR_NOATIME;
  else if (f & MS_STRICTATIME)
    a |= MOUNT_ATTR_STRICTATIME;
  else if (f & MS_RELATIME)
    a |= MOUNT_ATTR_RELATIME;
  return a;
}

/* Text the kernel left on an fs context fd ("e tmpfs: Bad value for 'size'"). */
static void
fs_context_message (int fsfd, char *buf, size_t len)
{
  buf[0] = '\0';
  ssize_t n = read (fsfd, buf, len - 1);
  if (n > 0)
    {
      buf[n] = '\0';
      char *nl = strchr (buf, '\n');
      if (nl)
        *nl = '\0';
    }
  else
    buf[0] = '\0';
}

/* Create a new filesystem instance (not a bind) and return a detached mount. */
static int
make_fs (const char *type, const char *source, const char *data,
         unsigned long flags, struct error **err)
{
  _cleanup_close_ int fsfd = fsopen (type, FSOPEN_CLOEXEC);
  if (fsfd < 0)
    return error_errno (err, errno, "fsopen `%s`", type);
  if (source && fsconfig (fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
    return error_errno (err, errno, "`%s`: source `%s`", type, source);
  if (data && *data)
    {
      _cleanup_free_ char *copy = strdup (data);
      char *save = NULL;
      for (char *opt = strtok_r (copy, ",", &save); opt; opt = strtok_r (NULL, ",", &save))
        {
          char *eq = strchr (opt, '=');
          int r;
          if (eq)
            {
              *eq = '\0';
              r = fsconfig (fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
            }
          else
            r = fsconfig (fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
          if (r < 0)
            {
              int e = errno;
              char msg[256];
              fs_context_message (fsfd, msg, sizeof msg);
              if (eq)
                *eq = '=';
              return error_set (err, e, "`%s`: option `%s`: %s", type, opt,
                                msg[0] ? msg : strerror (e));
            }
        }
    }
  /* superblock flags that have no per-mount attribute */
  static const struct { unsigned long f; const char *name; } sbf[] = {
    { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" }, { MS_LAZYTIME, "lazytime" },
    { MS_MANDLOCK, "mand" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (sbf); i++)
    if ((flags & sbf[i].f) && fsconfig (fsfd, FSCONFIG_SET_FLAG, sbf[i].name, NULL, 0) < 0)
      return error_errno (err, errno, "`%s`: option `%s`", type, sbf[i].name);
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      int e = errno;
      char msg[256];
      fs_context_message (fsfd, msg, sizeof msg);
      return error_set (err, e, "mount `%s`: %s%s%s", type, strerror (e), msg[0] ? ": " : "", msg);
    }
  int mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, (unsigned int) attr_from_flags (flags));
  if (mfd < 0)
    return error_errno (err, errno, "fsmount `%s`", type);
  return mfd;
}

/* A detached copy of the tree at source (bind mount). */
static int
make_bind (int dirfd, const char *source, bool recursive, unsigned long flags,
           bool recursive_attrs, struct error **err)
{
  int tfd = (int) open_tree (dirfd, source,
                             OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
                                 | (recursive ? AT_RECURSIVE : 0)
                                 | (*source ? 0 : AT_EMPTY_PATH));
  if (tfd < 0)
    return error_errno (err, errno, "bind `%s`", *source ? source : "(fd)");
  unsigned long a = attr_from_flags (flags);
  if (a)
    {
      struct mount_attr ma = { .attr_set = a };
      /* atime modes are a field, not bits: clear the field before setting */
      if (a & (MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_RELATIME))
        ma.attr_clr |= MOUNT_ATTR__ATIME;
      if (mount_setattr (tfd, "", AT_EMPTY_PATH | (recursive_attrs ? AT_RECURSIVE : 0), &ma,
                         sizeof ma) < 0)
        {
          int e = errno;
          close (tfd);
          return error_errno (err, e, "bind `%s`: set attributes", source);
        }
    }
  return tfd;
}

static int
attach (int mfd, int target_fd, const char *dest, struct error **err)
{
  if (move_mount (mfd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return error_errno (err, errno, "mount on `%s`", dest);
  return 0;
}

/* Make (or find) the mount point for dest inside the root: a directory, or
 * for a bind of a non-directory, a file. Returns an O_PATH fd. */
static int
mount_target (int root, const char *dest, bool want_file, struct error **err)
{
  _cleanup_free_ char *path = strdup (dest);
  /* A destination that is a dangling symlink is followed, inside the root,
   * and its target created (as runc does); each hop is a fresh in-root
   * resolution, so no hop can leave the root. */
  for (int hop = 0; hop < 40; hop++)
    {
      _cleanup_error_ struct error *e = NULL;
      int fd = fs_open_in_root (root, path, O_PATH, 0, &e);
      if (fd >= 0)
        return fd;
      if (e->code != ENOENT)
        return error_errno (err, e->code, "mount point `%s`", dest);
      _cleanup_free_ char *parent = strdup (path);
      char *slash = strrchr (parent, '/');
      if (slash == NULL || slash[1] == '\0')
        return error_set (err, EINVAL, "invalid mount point `%s`", dest);
      *slash = '\0';
      const char *name = slash + 1;
      _cleanup_close_ int pfd = fs_mkdir_in_root (root, *parent ? parent : "/", 0755, err);
      if (pfd < 0)
        return error_prefix (err, "mount point `%s`", dest);
      char buf[FS_PROCFD_LEN];
      _cleanup_close_ int dfd = open (fs_procfd_path (pfd, buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0)
        return error_errno (err, errno, "open parent of `%s`", dest);
      char target[4096];
      ssize_t tl = readlinkat (dfd, name, target, sizeof target - 1);
      if (tl >= 0)
        {
          target[tl] = '\0';
          char *next = target[0] == '/' ? strdup (target) : fs_path_join (*parent ? parent : "/", target);
          free (path);
          path = next;
          continue;
        }
      if (!want_file)
        {
          if (mkdirat (dfd, name, 0755) < 0 && errno != EEXIST)
            return error_errno (err, errno, "create mount point `%s`", dest);
        }
      else
        {
          int ffd = openat (dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
          if (ffd < 0 && errno != EEXIST)
            return error_errno (err, errno, "create mount point `%s`", dest);
          safe_close (ffd);
        }
      return fs_open_in_root (root, path, O_PATH, 0, err);
    }
  return error_set (err, ELOOP, "mount point `%s`: too many symlinks", dest);
}

static bool
is_bind (const struct oci_mount *m)
{
  return (m->flags & MS_BIND) || (m->type && strcmp (m->type, "bind") == 0);
}

static int
set_propagation (int mfd, unsigned long prop, struct error **err, const char *dest)
{
  if (prop == 0)
    return 0;
  struct mount_attr ma = { .propagation = prop & ~MS_REC };
  if (mount_setattr (mfd, "", AT_EMPTY_PATH | ((prop & MS_REC) ? AT_RECURSIVE : 0), &ma,
                     sizeof ma) < 0)
    return error_errno (err, errno, "set propagation of `%s`", dest);
  return 0;
}

/* The mount point of the mount that holds path (longest matching mount
 * point in our mountinfo). */
static int
mountpoint_of (const char *path, char *out, size_t len)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return -errno;
  char *line = NULL;
  size_t cap = 0, best = 0;
  bool found = false;
  while (getline (&line, &cap, f) > 0)
    {
      char mnt[4096];
      if (sscanf (line, "%*s %*s %*s %*s %4095s", mnt) != 1)
        continue;
      size_t l = strlen (mnt);
      bool prefix = strcmp (mnt, "/") == 0
                    || (strncmp (path, mnt, l) == 0 && (path[l] == '/' || path[l] == '\0'));
      if (prefix && (l > best || !found) && l < len)
        {
          best = l;
          found = true;
          memcpy (out, mnt, l + 1);
        }
    }
  free (line);
  return found ? 0 : -ENOENT;
}

/* ---------------------------------------------------------------- cgroup */

/* Host cgroup hierarchies, from our mountinfo (this runs before pivot, so it
 * is the host's view). */
struct hier
{
  char mnt[256];     /* /sys/fs/cgroup/cpu */
  char opts[256];    /* super options: "rw,cpu" / "rw,name=systemd" */
  char root[512];    /* root of the mount inside the hierarchy */
  bool v2;
};

static int
read_hierarchies (struct hier *h, int max)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return -errno;
  char *line = NULL;
  size_t cap = 0;
  int n = 0;
  while (n < max && getline (&line, &cap, f) > 0)
    {
      /* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
      char *sep = strstr (line, " - ");
      if (sep == NULL)
        continue;
      char root[512], mnt[256], fstype[32], src[64], sopts[256];
      if (sscanf (line, "%*s %*s %*s %511s %255s", root, mnt) != 2)
        continue;
      if (sscanf (sep + 3, "%31s %63s %255s", fstype, src, sopts) != 3)
        continue;
      bool v2 = strcmp (fstype, "cgroup2") == 0;
      if (!v2 && strcmp (fstype, "cgroup") != 0)
        continue;
      if (!str_has_prefix (mnt, "/sys/fs/cgroup"))
        continue;
      snprintf (h[n].mnt, sizeof h[n].mnt, "%s", mnt);
      snprintf (h[n].opts, sizeof h[n].opts, "%s", sopts);
      snprintf (h[n].root, sizeof h[n].root, "%s", root);
      h[n].v2 = v2;
      n++;
    }
  free (line);
  return n;
}

/* The container's own cgroup path in a hierarchy, from /proc/self/cgroup. */
static bool
own_cgroup_path (const struct hier *h, char *out, size_t len)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/cgroup", "re");
  if (f == NULL)
    return false;
  char line[1024];
  /* the hierarchy's controller list, from its super options */
  while (fgets (line, sizeof line, f))
    {
      line[strcspn (line, "\n")] = '\0';
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      *c2 = '\0';
      const char *ctrls = c1 + 1;
      bool match;
      if (h->v2)
        match = *ctrls == '\0' && strncmp (line, "0", 1) == 0;
      else
        {
          /* every controller named in this line must be in the mount's options */
          match = *ctrls != '\0';
          char tmp[256];
          snprintf (tmp, sizeof tmp, "%s", ctrls);
          char *save = NULL;
          for (char *t = strtok_r (tmp, ",", &save); t && match; t = strtok_r (NULL, ",", &save))
            {
              char want[300];
              snprintf (want, sizeof want, ",%s,", t);
              char have[300];
              snprintf (have, sizeof have, ",%s,", h->opts);
              match = strstr (have, want) != NULL;
            }
        }
      if (match)
        {
          snprintf (out, len, "%s", c2 + 1);
          return true;
        }
    }
  return false;
}

/* type "cgroup": on a v2 host a cgroup2 mount; on v1/hybrid a tmpfs holding one
 * mount per hierarchy, as runc and crun lay it out.  Inside a new cgroup
 * namespace we mount fresh cgroup filesystems (their root is the namespace
 * root); otherwise we bind the container's own cgroup directories. */
static int
mount_cgroup (struct create_ctx *c, const struct oci_mount *m, int target, struct error **err)
{
  bool cgns = c->cfg->linux_.ns[OCI_NS_CGROUP].present;
  /* Without a cgroup namespace we bind our own cgroup directories, read
   * from /proc/self/cgroup: be in them first.  Until the parent has moved
   * us we are in the runtime's cgroup (the hierarchy roots for a runtime
   * started from a shell), and those would be what the container got. */
  if (!cgns && init_wait_cgroup (c, err) < 0)
    return -1;
  /* In a user namespace those directories still belong to the host: the
   * container sees its own cgroup, read-only. */
  unsigned long bind_flags = m->flags | (c->cfg->linux_.ns[OCI_NS_USER].present ? MS_RDONLY : 0);
  struct statfs sfs;
  if (statfs ("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    {
      int mfd = make_fs ("cgroup2", "cgroup2", NULL, m->flags, err);
      if (mfd < 0 && (*err)->code == EPERM && !cgns)
        {
          /* no privilege over the host's cgroup namespace: bind ours */
          error_free (*err), *err = NULL;
          char path[600] = "/";
          struct hier h = { .v2 = true };
          own_cgroup_path (&h, path, sizeof path);
          char src[700];
          snprintf (src, sizeof src, "/sys/fs/cgroup%s", path);
          mfd = make_bind (AT_FDCWD, src, true, bind_flags, false, err);
        }
      if (mfd < 0)
        return -1;
      int r = attach (mfd, target, m->destination, err);
      close (mfd);
      return r;
    }

  struct hier hs[24];
  int n = read_hierarchies (hs, (int) ARRAY_SIZE (hs));
  if (n < 0)
    return error_errno (err, -n, "read mountinfo");
  /* the tmpfs is made read-only (when asked) only after it is filled */
  _cleanup_close_ int tfd = make_fs ("tmpfs", "tmpfs", "mode=755", m->flags & ~MS_RDONLY, err);
  if (tfd < 0)
    return -1;
  if (attach (tfd, target, m->destination, err) < 0)
    return -1;
  /* after move_mount the mount fd is the attached tmpfs: its root is where
   * the hierarchies go (target still names the directory beneath) */
  int dir = tfd;
  for (int i = 0; i < n; i++)
    {
      const char *name = strrchr (hs[i].mnt, '/') + 1;
      if (strcmp (hs[i].mnt, "/sys/fs/cgroup") == 0)
        continue;
      if (mkdirat (dir, name, 0755) < 0 && errno != EEXIST)
        return error_errno (err, errno, "mkdir `%s/%s`", m->destination, name);
      _cleanup_close_ int sub = openat (dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        return error_errno (err, errno, "open `%s/%s`", m->destination, name);
      int mfd = -1;
      if (cgns)
        {
          /* controllers and name= from the super options (drop rw/ro etc.) */
          char data[256] = "";
          char tmp[256];
          snprintf (tmp, sizeof tmp, "%s", hs[i].opts);
          char *save = NULL;
          for (char *t = strtok_r (tmp, ",", &save); t; t = strtok_r (NULL, ",", &save))
            {
              if (strcmp (t, "rw") == 0 || strcmp (t, "ro") == 0)
                continue;
              size_t l = strlen (data);
              snprintf (data + l, sizeof data - l, "%s%s", l ? "," : "", t);
            }
          mfd = make_fs (hs[i].v2 ? "cgroup2" : "cgroup", "cgroup", hs[i].v2 ? NULL : data,
                         m->flags, err);
        }
      else
        {
          char path[600] = "/";
          own_cgroup_path (&hs[i], path, sizeof path);
          char src[4096];
          /* the mount may itself be of a subtree: strip its root */
          const char *rel = path;
          if (strcmp (hs[i].root, "/") != 0 && str_has_prefix (path, hs[i].root))
            rel = path + strlen (hs[i].root);
          snprintf (src, sizeof src, "%s%s", hs[i].mnt, rel);
          mfd = make_bind (AT_FDCWD, src, false, bind_flags, false, err);
        }
      if (mfd < 0)
        return error_prefix (err, "cgroup hierarchy `%s`", name);
      int r = attach (mfd, sub, m->destination, err);
      close (mfd);
      if (r < 0)
        return -1;
    }
  if (m->flags & MS_RDONLY)
    {
      struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (tfd, "", AT_EMPTY_PATH, &ma, sizeof ma) < 0)
        return error_errno (err, errno, "make `%s` read-only", m->destination);
    }
  return 0;
}

/* ------------------------------------------------------------ the mounts */

/* tmpcopyup: what the image had at the destination is copied into the
 * fresh tmpfs before it goes on top.  Never follows a symlink. */
static int
copy_dir (int from, int to, int depth, struct error **err)
{
  if (depth > 64)
    return error_set (err, ELOOP, "directory tree too deep");
  int dfd = dup (from);
  if (dfd < 0)
    return error_errno (err, errno, "dup");
  DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return error_errno (err, errno, "read directory");
    }
  rewinddir (d);
  struct dirent *de;
  int ret = 0;
  while (ret == 0 && (de = readdir (d)) != NULL)
    {
      const char *n = de->d_name;
      if (strcmp (n, ".") == 0 || strcmp (n, "..") == 0)
        continue;
      struct stat st;
      if (fstatat (from, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          if (mkdirat (to, n, st.st_mode & 07777) < 0 && errno != EEXIST)
            ret = error_errno (err, errno, "mkdir `%s`", n);
          int a = ret ? -1 : openat (from, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          int b = ret ? -1 : openat (to, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (ret == 0 && (a < 0 || b < 0))
            ret = error_errno (err, errno, "open `%s`", n);
          if (ret == 0)
            ret = copy_dir (a, b, depth + 1, err);
          safe_close (a);
          safe_close (b);
        }
      else if (S_ISLNK (st.st_mode))
        {
          char t[4096];
          ssize_t l = readlinkat (from, n, t, sizeof t - 1);
          if (l >= 0)
            {
              t[l] = '\0';
              if (symlinkat (t, to, n) < 0)
                ret = error_errno (err, errno, "symlink `%s`", n);
            }
        }
      else if (S_ISREG (st.st_mode))
        {
          int a = openat (from, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
          int b = openat (to, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                          st.st_mode & 07777);
          if (a < 0 || b < 0)
            ret = error_errno (err, errno, "copy `%s`", n);
          else
            {
              off_t left = st.st_size;
              while (left > 0)
                {
                  ssize_t w = sendfile (b, a, NULL, (size_t) left);
                  if (w <= 0)
                    {
                      ret = error_errno (err, w < 0 ? errno : EIO, "copy `%s`", n);
                      break;
                    }
                  left -= w;
                }
            }
          safe_close (a);
          safe_close (b);
        }
      else
        continue; /* devices, fifos, sockets: not copied */
      if (ret == 0)
        {
          (void) !fchownat (to, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
          if (!S_ISLNK (st.st_mode))
            (void) !fchmodat (to, n, st.st_mode & 07777, 0);
        }
    }
  closedir (d);
  return ret;
}

static int
copy_tree (int target, int mfd, const char *dest, struct error **err)
{
  char buf[FS_PROCFD_LEN];
  _cleanup_close_ int from = open (fs_procfd_path (target, buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_close_ int to = openat (mfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (from < 0 || to < 0)
    return error_errno (err, errno, "tmpcopyup `%s`", dest);
  if (copy_dir (from, to, 0, err) < 0)
    return error_prefix (err, "tmpcopyup `%s`", dest);
  return 0;
}

/* The source of a bind mount as a path in the runtime's view: relative
 * sources are relative to the bundle.  malloc'd. */
static char *
bind_source (const struct create_ctx *c, const struct oci_mount *m)
{
  return m->source[0] == '/' ? strdup (m->source) : fs_path_join (c->bundle, m->source);
}

/* A detached, fully configured bind of m's source (attributes, idmap). */
static int
open_bind (struct create_ctx *c, const struct oci_mount *m, int idmap_fd, struct error **err)
{
  const char *dest = m->destination;
  _cleanup_free_ char *src = bind_source (c, m);
  _cleanup_close_ int mfd
      = make_bind (AT_FDCWD, src, (m->flags & MS_REC) != 0, m->flags, false, err);
  if (mfd < 0)
    return error_prefix (err, "mount `%s`", dest);
  if (m->attr_set || m->attr_clr)
    {
      /* the r* options: recursive by definition */
      struct mount_attr ma = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };
      if (mount_setattr (mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma, sizeof ma) < 0)
        return error_errno (err, errno, "mount `%s`: set attributes", dest);
    }
  if (m->idmap)
    {
      /* the user namespace carrying the mapping was made by the parent */
      struct mount_attr ma = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) idmap_fd };
      if (idmap_fd < 0
          || mount_setattr (mfd, "", AT_EMPTY_PATH | (m->idmap_recursive ? AT_RECURSIVE : 0), &ma,
                            sizeof ma) < 0)
        return error_errno (err, idmap_fd < 0 ? EINVAL : errno, "mount `%s`: idmap", dest);
    }
  return TAKE_FD (mfd);
}

int
mounts_open_bind_sources (struct create_ctx *c, int min_fd, struct error **err)
{
  for (size_t i = 0; i < c->cfg->n_mounts; i++)
    {
      const struct oci_mount *m = &c->cfg->mounts[i];
      if (!is_bind (m) || m->source == NULL)
        continue;
      if (c->bind_fds == NULL)
        {
          c->bind_fds = malloc (c->cfg->n_mounts * sizeof (int));
          if (c->bind_fds == NULL)
            return error_set (err, ENOMEM, "out of memory");
          for (size_t j = 0; j < c->cfg->n_mounts; j++)
            c->bind_fds[j] = -1;
        }
      int fd = open_bind (c, m, c->idmap_fds ? c->idmap_fds[i] : -1, err);
      if (fd < 0)
        return -1;
      if (fd < min_fd)
        {
          int nfd = fcntl (fd, F_DUPFD_CLOEXEC, min_fd);
          close (fd);
          if (nfd < 0)
            return error_errno (err, errno, "mount `%s`: dup", m->destination);
          fd = nfd;
        }
      c->bind_fds[i] = fd;
    }
  return 0;
}

/* Fresh read-only filesystems that later mounts (or /dev's devices) need
 * mount points in are made writable and turned read-only only when the
 * root is complete (a read-only /dev tmpfs: EROFS creating /dev/pts). */
static int *deferred_ro;
static const char **deferred_ro_dest;
static size_t n_deferred_ro;

static bool
needs_deferred_ro (const struct create_ctx *c, size_t idx)
{
  const struct oci_mount *m = &c->cfg->mounts[idx];
  if (!(m->flags & MS_RDONLY) || is_bind (m))
    return false;
  _cleanup_free_ char *d = fs_path_clean (m->destination);
  if (d == NULL)
    return false;
  if (strcmp (d, "/dev") == 0)
    return true;
  size_t l = strlen (d);
  for (size_t j = idx + 1; j < c->cfg->n_mounts; j++)
    {
      _cleanup_free_ char *o = fs_path_clean (c->cfg->mounts[j].destination);
      if (o && strncmp (o, d, l) == 0 && (o[l] == '/' || strcmp (d, "/") == 0))
        return true;
    }
  return false;
}

static int
apply_deferred_ro (struct error **err)
{
  int ret = 0;
  for (size_t i = 0; i < n_deferred_ro; i++)
    {
      struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };
      if (ret == 0 && mount_setattr (deferred_ro[i], "", AT_EMPTY_PATH, &ma, sizeof ma) < 0)
        ret = error_errno (err, errno, "mount `%s`: make it read-only", deferred_ro_dest[i]);
      close (deferred_ro[i]);
    }
  free (deferred_ro);
  free (deferred_ro_dest);
  deferred_ro = NULL;
  deferred_ro_dest = NULL;
  n_deferred_ro = 0;
  return ret;
}

static int
do_mount (struct create_ctx *c, size_t idx, struct error **err)
{
  const struct oci_mount *m = &c->cfg->mounts[idx];
  int idmap_fd = c->idmap_fds ? c->idmap_fds[idx] : -1;
  const char *dest = m->destination;
  bool bind = is_bind (m);
  _cleanup_free_ char *src_abs = NULL;
  const char *src = m->source;
  bool want_file = false;

  _cleanup_close_ int premade = -1;
  if (bind && c->bind_fds && c->bind_fds[idx] >= 0)
    {
      /* opened by the runtime before the user namespace (see
       * mounts_open_bind_sources): attach it as it is */
      premade = TAKE_FD (c->bind_fds[idx]);
      struct stat st;
      if (fstat (premade, &st) < 0)
        return error_errno (err, errno, "mount `%s`: source", dest);
      _cleanup_close_ int target = mount_target (rootfd, dest, !S_ISDIR (st.st_mode), err);
      if (target < 0)
        return error_prefix (err, "mount `%s`", dest);
      if (attach (premade, target, dest, err) < 0)
        return -1;
      return set_propagation (premade, m->propagation, err, dest);
    }

  if (bind)
    {
      if (src == NULL)
        return error_set (err, EINVAL, "mount `%s`: bind mount without a source", dest);
      if (src[0] != '/')
        {
          /* relative sources are relative to the bundle */
          src_abs = fs_path_join (c->bundle, src);
          src = src_abs;
        }
      struct stat st;
      if (stat (src, &st) < 0)
        return error_errno (err, errno, "mount `%s`: source `%s`", dest, src);
      want_file = !S_ISDIR (st.st_mode);
    }

  if (!bind && m->type && (strcmp (m->type, "proc") == 0 || strcmp (m->type, "sysfs") == 0))
    {
      /* procfs and sysfs go on a real directory: a symlink there (the
       * image's /proc -> somewhere) would put them where the image says,
       * and the masks and read-only paths, made by path, would miss them. */
      _cleanup_error_ struct error *e = NULL;
      _cleanup_close_ int fd = fs_open_in_root (rootfd, dest, O_PATH | O_NOFOLLOW, 0, &e);
      struct stat st;
      if (fd >= 0 && fstat (fd, &st) == 0 && S_ISLNK (st.st_mode))
        return error_set (err, ELOOP,
                          "mount `%s`: %s must be mounted on a directory, not a symlink", dest,
                          m->type);
    }

  _cleanup_close_ int target = mount_target (rootfd, dest, want_file, err);
  if (target < 0)
    return error_prefix (err, "mount `%s`", dest);

  if (!bind && m->type && (strcmp (m->type, "cgroup") == 0 || strcmp (m->type, "cgroup2") == 0))
    return mount_cgroup (c, m, target, err) < 0 ? error_prefix (err, "mount `%s`", dest) : 0;

  _cleanup_close_ int mfd = -1;
  bool defer_ro = false;
  if (bind)
    {
      mfd = open_bind (c, m, idmap_fd, err);
      if (mfd < 0)
        return -1;
    }
  else
    {
      if (m->type == NULL)
        return error_set (err, EINVAL, "mount `%s`: no type", dest);
      defer_ro = needs_deferred_ro (c, idx);
      mfd = make_fs (m->type, src, m->data, defer_ro ? m->flags & ~MS_RDONLY : m->flags, err);
      if (mfd < 0 && (*err)->code == EPERM
          && (strcmp (m->type, "sysfs") == 0 || strcmp (m->type, "mqueue") == 0))
        {
          /* Without owning the network (sysfs) or ipc (mqueue) namespace,
           * e.g. rootless without a new netns, a fresh instance is refused:
           * bind the host's, read-only-ness and flags preserved, as runc does. */
          error_free (*err), *err = NULL;
          mfd = make_bind (AT_FDCWD, strcmp (m->type, "sysfs") == 0 ? "/sys" : "/dev/mqueue",
                           true, m->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, true, err);
        }
    }
  if (mfd < 0)
    return error_prefix (err, "mount `%s`", dest);
  if (!bind && (m->attr_set || m->attr_clr))
    {
      /* the r* options: recursive by definition */
      struct mount_attr ma = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };
      if (mount_setattr (mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma, sizeof ma) < 0)
        return error_errno (err, errno, "mount `%s`: set attributes", dest);
    }
  if (m->idmap && !bind)
    return error_set (err, EINVAL, "mount `%s`: idmap needs a bind mount", dest);
  if (m->tmpcopyup && !bind && m->type && strcmp (m->type, "tmpfs") == 0
      && copy_tree (target, mfd, dest, err) < 0)
    return -1;
  if (attach (mfd, target, dest, err) < 0)
    return -1;
  if (defer_ro)
    {
      if (deferred_ro == NULL)
        {
          deferred_ro = calloc (c->cfg->n_mounts, sizeof (int));
          deferred_ro_dest = calloc (c->cfg->n_mounts, sizeof (char *));
          if (deferred_ro == NULL || deferred_ro_dest == NULL)
            return error_set (err, ENOMEM, "out of memory");
        }
      int keep = dup (mfd);
      if (keep < 0)
        return error_errno (err, errno, "mount `%s`: dup", dest);
      deferred_ro_dest[n_deferred_ro] = dest;
      deferred_ro[n_deferred_ro++] = keep;
    }
  return set_propagation (mfd, m->propagation, err, dest);
}

int
mounts_setup_rootfs (struct create_ctx *c, struct error **err)
{
  struct oci_linux *lx = &c->cfg->linux_;
  unsigned long prop = lx->rootfs_propagation;
  /* Our mounts must not propagate to the host unless asked: "/" becomes
   * rslave, or what rootfsPropagation says (as runc).  With "shared", mounts
   * stay peers of the host's, so a shared bind keeps propagating both ways. */
  unsigned long early = prop ? prop : (MS_REC | MS_SLAVE);
  if (mount (NULL, "/", NULL, early, NULL) < 0)
    return error_errno (err, errno, "set propagation of `/`");

  if (prop)
    {
      /* Not everything is a slave now: make the mount holding the rootfs
       * private, so the rootfs bind below (and what we mount inside it) is
       * private too and never propagates to the host, and pivot_root finds
       * no shared parent.  Mounts bound in later keep their own peers: an
       * rshared bind of a shared host directory still propagates. */
      char mp[4096];
      if (mountpoint_of (c->rootfs, mp, sizeof mp) < 0)
        return error_set (err, ENOENT, "no mount point found for `%s`", c->rootfs);
      if (mount (NULL, mp, NULL, MS_PRIVATE, NULL) < 0)
        return error_errno (err, errno, "make `%s` private", mp);
    }

  /* pivot_root needs the new root to be a mount point: bind it onto itself */
  if (mount (c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return error_errno (err, errno, "bind rootfs `%s`", c->rootfs);
  rootfd = open (c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return error_errno (err, errno, "open rootfs `%s`", c->rootfs);
  if (prop && mount (NULL, c->rootfs, NULL, MS_PRIVATE, NULL) < 0)
    return error_errno (err, errno, "make the rootfs private");

  for (size_t i = 0; i < c->cfg->n_mounts; i++)
    if (do_mount (c, i, err) < 0)
      return -1;

  if (devices_setup (c, rootfd, err) < 0)
    return -1;
  return apply_deferred_ro (err);
}

/* --no-pivot leaves the old root under the new one in our mount namespace,
 * and with it every host mount: a full procfs or sysfs there lets a nested
 * user namespace mount a fresh one past the masked paths.  Detach every
 * mount that is neither the rootfs, inside it, nor one of its ancestors
 * (those hold it and end up hidden under it), deepest first.  Each is made a
 * slave first so that the unmount never propagates to the host's peers.  A
 * mount we may not unmount (rootless) is covered with an empty tmpfs. */
static int
detach_outside (const char *rootfs, struct error **err)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return error_errno (err, errno, "read mountinfo");
  char *line = NULL;
  size_t cap = 0, n = 0, max = 0;
  char **mps = NULL;
  size_t rl = strlen (rootfs);
  while (getline (&line, &cap, f) > 0)
    {
      char mp[4096];
      if (sscanf (line, "%*s %*s %*s %*s %4095s", mp) != 1)
        continue;
      /* mountinfo escapes blanks and backslashes as \ooo */
      char *w = mp;
      for (const char *r = mp; *r; r++)
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0'
            && r[3] <= '7')
          {
            *w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
            r += 3;
          }
        else
          *w++ = *r;
      *w = '\0';
      size_t l = strlen (mp);
      bool inside = strncmp (mp, rootfs, rl) == 0 && (mp[rl] == '/' || mp[rl] == '\0');
      bool ancestor = strcmp (mp, "/") == 0
                      || (strncmp (rootfs, mp, l) == 0 && (rootfs[l] == '/' || rootfs[l] == '\0'));
      if (inside || ancestor)
        continue;
      if (n == max)
        {
          max = max ? max * 2 : 64;
          char **nm = realloc (mps, max * sizeof *mps);
          if (nm == NULL)
            break;
          mps = nm;
        }
      /* first byte: 'p' for a procfs or sysfs, which must not stay */
      const char *sep = strstr (line, " - ");
      bool full
          = sep && (strncmp (sep + 3, "proc ", 5) == 0 || strncmp (sep + 3, "sysfs ", 6) == 0);
      char *e = malloc (strlen (mp) + 2);
      if (e == NULL)
        break;
      e[0] = full ? 'p' : '-';
      strcpy (e + 1, mp);
      mps[n++] = e;
    }
  free (line);
  /* deepest first: a longer mount point is never the parent of a shorter */
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (strlen (mps[j]) > strlen (mps[i]))
        {
          char *t = mps[i];
          mps[i] = mps[j];
          mps[j] = t;
        }
  int ret = 0;
  for (size_t i = 0; i < n; i++)
    {
      const char *mp = mps[i] + 1;
      bool full = mps[i][0] == 'p';
      if (ret == 0 && mount (NULL, mp, NULL, MS_SLAVE, NULL) < 0 && errno != ENOENT
          && errno != EINVAL)
        ret = error_errno (err, errno, "--no-pivot: make `%s` a slave", mp);
      if (ret == 0 && umount2 (mp, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != ENOENT
          && errno != EINVAL)
        {
          /* Not ours to unmount (rootless: locked).  A procfs or sysfs is
           * covered, and must be: it is the hole; anything else left under
           * the chroot is unreachable from the container. */
          int e = errno;
          if (e == EPERM && mount ("tmpfs", mp, "tmpfs", MS_RDONLY, "size=0,mode=0") == 0)
            ;
          else if (full)
            ret = error_errno (err, e, "--no-pivot: detach `%s`", mp);
        }
      free (mps[i]);
    }
  free (mps);
  return ret;
}

int
mounts_pivot (struct create_ctx *c, struct error **err)
{
  if (fchdir (rootfd) < 0)
    return error_errno (err, errno, "chdir to rootfs");
  if (c->opts->no_pivot)
    {
      /* --no-pivot: for roots on ramfs, where pivot_root is impossible. */
      if (detach_outside (c->rootfs, err) < 0)
        return -1;
      if (mount (c->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
        return error_errno (err, errno, "move rootfs to `/`");
      if (chroot (".") < 0)
        return error_errno (err, errno, "chroot");
    }
  else
    {
      /* pivot_root(".", "."): the old root ends up stacked on top of the new
       * one; detaching it leaves the new root alone, with no directory of
       * the host reachable. */
      if (syscall (SYS_pivot_root, ".", ".") < 0)
        return error_errno (err, errno, "pivot_root");
      /* Never let the unmount propagate back to the host.  "." is the new
       * root here (a lookup of "." does not climb onto the stacked old
       * root), whose mounts are slaves or private already; the shared case
       * must keep its shared binds as they are. */
      if (!(c->cfg->linux_.rootfs_propagation & MS_SHARED)
          && mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return error_errno (err, errno, "make old root slave");
      if (umount2 (".", MNT_DETACH) < 0)
        return error_errno (err, errno, "detach old root");
    }
  if (chdir ("/") < 0)
    return error_errno (err, errno, "chdir to `/`");
  safe_close (rootfd);
  rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return error_errno (err, errno, "open `/`");
  return 0;
}

/* sysctls that live in a namespace, and which one (runc's rules). */
static int
sysctl_check (const struct oci_config *cfg, const char *key, struct error **err)
{
  const struct oci_namespace *ns = cfg->linux_.ns;
  static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                     "kernel.sem", "kernel.shmall", "kernel.shmmax",
                                     "kernel.shmmni", "kernel.shm_rmid_forced" };
  for (size_t i = 0; i < ARRAY_SIZE (ipc); i++)
    if (strcmp (key, ipc[i]) == 0)
      goto need_ipc;
  if (str_has_prefix (key, "fs.mqueue."))
    goto need_ipc;
  if (str_has_prefix (key, "net."))
    {
      if (!ns[OCI_NS_NETWORK].present || ns[OCI_NS_NETWORK].path)
        return error_set (err, EPERM, "sysctl `%s` needs a new network namespace", key);
      return 0;
    }
  if (strcmp (key, "kernel.hostname") == 0 || strcmp (key, "kernel.domainname") == 0)
    {
      if (!ns[OCI_NS_UTS].present)
        return error_set (err, EPERM, "sysctl `%s` needs a uts namespace", key);
      return 0;
    }
  return error_set (err, EPERM, "sysctl `%s` is not in a separate kernel namespace", key);
need_ipc:
  if (!ns[OCI_NS_IPC].present)
    return error_set (err, EPERM, "sysctl `%s` needs an ipc namespace", key);
  return 0;
}

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#define PROC_ROOT_INO 1

/* A file of the container's procfs, opened so that nothing can redirect the
 * write (the CVE-2025-52881 class: a racing or planted mount over /proc or
 * one of its files turns a sysctl write into a write somewhere else).  The
 * handle must be the root of a procfs instance (PROC_SUPER_MAGIC, inode 1),
 * reached without following a symlink; below it no symlink is followed and
 * no mount is crossed (RESOLVE_NO_XDEV: an overmounted file is refused), and
 * the file we get is checked to be procfs again. */
int
mounts_proc_open (int root, const char *sub, int flags, struct error **err)
{
  _cleanup_error_ struct error *e = NULL;
  _cleanup_close_ int proc
      = fs_open_in_root (root, "/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW, 0, &e);
  if (proc < 0)
    return error_errno (err, e->code, "open `/proc`");
  struct statfs sfs;
  struct stat st;
  if (fstatfs (proc, &sfs) < 0 || fstat (proc, &st) < 0)
    return error_errno (err, errno, "stat `/proc`");
  if (sfs.f_type != PROC_SUPER_MAGIC || st.st_ino != PROC_ROOT_INO)
    return error_set (err, EXDEV, "`/proc` is not the root of a procfs mount");
  struct open_how how = { .flags = (unsigned long long) (flags | O_CLOEXEC | O_NOFOLLOW),
                          .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS
                                     | RESOLVE_NO_XDEV };
  int fd;
  do
    fd = (int) syscall (SYS_openat2, proc, sub, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  if (fd < 0 && errno == ENOSYS)
    {
      /* No openat2: walk one component at a time, never following a
       * symlink, and require every step to stay on the procfs mount. */
      struct statx sx;
      if (statx (proc, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0 || !(sx.stx_mask & STATX_MNT_ID))
        return error_errno (err, errno ? errno : ENOSYS, "`/proc`: mount id");
      uint64_t mnt = sx.stx_mnt_id;
      _cleanup_free_ char *copy = strdup (sub);
      int dir = dup (proc);
      char *save = NULL;
      fd = -1;
      for (char *t = strtok_r (copy, "/", &save); t && dir >= 0; t = strtok_r (NULL, "/", &save))
        {
          bool last = save == NULL || *save == '\0';
          if (strcmp (t, "..") == 0)
            {
              errno = EXDEV;
              break;
            }
          int nfd = openat (dir, t, (last ? flags : O_PATH | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
          close (dir);
          dir = -1;
          if (nfd < 0)
            break;
          if (statx (nfd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0 || sx.stx_mnt_id != mnt)
            {
              close (nfd);
              errno = EXDEV;
              break;
            }
          if (last)
            fd = nfd;
          else
            dir = nfd;
        }
      safe_close (dir);
    }
  if (fd < 0)
    {
      if (errno == EXDEV)
        return error_set (err, EXDEV, "`/proc/%s` is overmounted: refusing to write it", sub);
      return error_errno (err, errno, "open `/proc/%s`", sub);
    }
  if (fstatfs (fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
    {
      close (fd);
      return error_set (err, EXDEV, "`/proc/%s` is not on procfs", sub);
    }
  return fd;
}

static int
apply_sysctls (struct create_ctx *c, struct error **err)
{
  for (size_t i = 0; i < c->cfg->linux_.n_sysctl; i++)
    {
      const struct oci_key_value *kv = &c->cfg->linux_.sysctl[i];
      _cleanup_free_ char *key = strdup (kv->key);
      /* "a.b.c" or "a/b/c" */
      for (char *p = key; *p; p++)
        if (*p == '/')
          *p = '.';
      if (sysctl_check (c->cfg, key, err) < 0)
        return -1;
      for (char *p = key; *p; p++)
        if (*p == '.')
          *p = '/';
      if (strstr (key, "..") || key[0] == '/')
        return error_set (err, EINVAL, "invalid sysctl `%s`", kv->key);
      _cleanup_free_ char *sub = fs_path_join ("sys", key);
      int fd = mounts_proc_open (rootfd, sub, O_WRONLY | O_TRUNC, err);
      if (fd < 0)
        return error_prefix (err, "sysctl `%s`", kv->key);
      ssize_t w = write (fd, kv->value, strlen (kv->value));
      int e = errno;
      close (fd);
      if (w < 0)
        return error_errno (err, e, "sysctl `%s` = `%s`", kv->key, kv->value);
    }
  return 0;
}

/* The container's /dev/null, as the source of masks over files (the
 * CVE-2025-31133 class): /dev may be a directory another party can write (a
 * shared bind), so the node is opened without following a symlink and must
 * be the null device itself; the masks are cloned from this fd, so a swap
 * after the check changes nothing. */
static int
open_verified_null (struct error **err)
{
  _cleanup_error_ struct error *e = NULL;
  int fd = fs_open_in_root (rootfd, "/dev/null", O_PATH | O_NOFOLLOW, 0, &e);
  if (fd < 0)
    return error_errno (err, e->code, "masked paths: open `/dev/null`");
  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      int r = error_errno (err, errno, "masked paths: stat `/dev/null`");
      close (fd);
      return r;
    }
  if (!S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    {
      close (fd);
      return error_set (err, EPERM, "masked paths: `/dev/null` is not the null device (1:3)");
    }
  return fd;
}

static int
mask_path (const char *path, int *nullfd, struct error **err)
{
  _cleanup_error_ struct error *e = NULL;
  _cleanup_close_ int fd = fs_open_in_root (rootfd, path, O_PATH, 0, &e);
  if (fd < 0)
    {
      if (e->code == ENOENT || e->code == ENOTDIR)
        return 0;
      return error_errno (err, e->code, "masked path `%s`", path);
    }
  struct stat st;
  if (fstat (fd, &st) < 0)
    return error_errno (err, errno, "masked path `%s`", path);
  _cleanup_close_ int mfd = -1;
  if (S_ISDIR (st.st_mode))
    mfd = make_fs ("tmpfs", "tmpfs", "size=0,mode=0", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
  else
    {
      if (*nullfd < 0 && (*nullfd = open_verified_null (err)) < 0)
        return -1;
      mfd = make_bind (*nullfd, "", false, 0, false, err);
    }
  if (mfd < 0)
    return error_prefix (err, "masked path `%s`", path);
  return attach (mfd, fd, path, err);
}

static int
readonly_path (const char *path, struct error **err)
{
  _cleanup_error_ struct error *e = NULL;
  _cleanup_close_ int fd = fs_open_in_root (rootfd, path, O_PATH, 0, &e);
  if (fd < 0)
    {
      if (e->code == ENOENT || e->code == ENOTDIR)
        return 0;
      return error_errno (err, e->code, "read-only path `%s`", path);
    }
  _cleanup_close_ int mfd = make_bind (fd, "", true, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, true, err);
  if (mfd < 0)
    return error_prefix (err, "read-only path `%s`", path);
  return attach (mfd, fd, path, err);
}

int
mounts_finalize (struct create_ctx *c, struct error **err)
{
  struct oci_linux *lx = &c->cfg->linux_;
  /* sysctls first: /proc/sys is about to become read-only */
  if (apply_sysctls (c, err) < 0)
    return -1;
  _cleanup_close_ int nullfd = -1;
  for (char **p = lx->masked_paths; p && *p; p++)
    if (mask_path (*p, &nullfd, err) < 0)
      return -1;
  for (char **p = lx->readonly_paths; p && *p; p++)
    if (readonly_path (*p, err) < 0)
      return -1;
  if (c->cfg->root_readonly)
    {
      struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (rootfd, "", AT_EMPTY_PATH, &ma, sizeof ma) < 0)
        return error_errno (err, errno, "make root read-only");
    }
  /* Shared and unbindable rootfsPropagation apply to the final root (the
   * rootfs was kept private while we mounted into it: an unbindable one
   * could not even have been bound onto itself).  private and slave hold
   * already, and re-applying them would undo a bind's own `rshared`. */
  if (lx->rootfs_propagation & (MS_SHARED | MS_UNBINDABLE))
    if (mount (NULL, "/", NULL, lx->rootfs_propagation, NULL) < 0)
      return error_errno (err, errno, "set the root's propagation");
  safe_close (rootfd);
  rootfd = -1;
  return 0;
}
