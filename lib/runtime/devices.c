/* devices.c - /dev inside the container: the default devices, linux.devices,
 * and the standard symlinks.
 *
 * Devices are made with mknod where we may (root, no user namespace);
 * otherwise (user namespace, rootless) the host's node is bind-mounted onto
 * an empty file, since mknod of a device is only allowed in the initial user
 * namespace.  Every node is created relative to an fd of the container's
 * /dev resolved inside the rootfs, never through a path. */
#include "internal.h"
#include "mountapi.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct oci_device default_devices[] = {
  { 'c', (char *) "/dev/null", 1, 3, true, 0666, false, false, 0, 0 },
  { 'c', (char *) "/dev/zero", 1, 5, true, 0666, false, false, 0, 0 },
  { 'c', (char *) "/dev/full", 1, 7, true, 0666, false, false, 0, 0 },
  { 'c', (char *) "/dev/random", 1, 8, true, 0666, false, false, 0, 0 },
  { 'c', (char *) "/dev/urandom", 1, 9, true, 0666, false, false, 0, 0 },
  { 'c', (char *) "/dev/tty", 5, 0, true, 0666, false, false, 0, 0 },
};

/* Split "/dev/a/b" into an O_PATH fd of its parent (created inside the root)
 * and the last component. */
static int
parent_of (int rootfd, const char *path, const char **name, struct error **err)
{
  const char *slash = strrchr (path, '/');
  if (slash == NULL || slash[1] == '\0')
    return error_set (err, EINVAL, "invalid device path `%s`", path);
  *name = slash + 1;
  char parent[4096];
  size_t n = (size_t) (slash - path);
  if (n >= sizeof parent)
    return error_set (err, ENAMETOOLONG, "device path `%s` too long", path);
  memcpy (parent, path, n);
  parent[n] = '\0';
  return fs_mkdir_in_root (rootfd, n ? parent : "/", 0755, err);
}

static int
make_device (int rootfd, const struct oci_device *d, bool bind, struct error **err)
{
  const char *name;
  _cleanup_close_ int dirfd = parent_of (rootfd, d->path, &name, err);
  if (dirfd < 0)
    return -1;
  mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
  mode_t mode = d->has_file_mode ? (d->file_mode & 07777) : 0666;
  /* O_PATH dir fds cannot be used by mknodat/fchownat: reopen as a dir */
  char buf[FS_PROCFD_LEN];
  _cleanup_close_ int dfd = open (fs_procfd_path (dirfd, buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return error_errno (err, errno, "open parent of `%s`", d->path);

  if (bind && type != S_IFIFO)
    {
      /* bind the host node onto an empty file */
      char host[64];
      snprintf (host, sizeof host, "/dev/%s", name);
      struct stat hs;
      if (stat (d->path, &hs) < 0 || major (hs.st_rdev) != (unsigned) d->major
          || minor (hs.st_rdev) != (unsigned) d->minor)
        {
          /* the same path on the host is not that device: nothing to bind */
          return error_set (err, EPERM, "device `%s`: cannot create it in a user namespace "
                                        "and the host has no such node to bind", d->path);
        }
      int fd = openat (dfd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);
      if (fd < 0)
        return error_errno (err, errno, "device `%s`", d->path);
      close (fd);
      _cleanup_close_ int target = openat (dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      _cleanup_close_ int tree = (int) open_tree (AT_FDCWD, d->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
      if (target < 0 || tree < 0)
        return error_errno (err, errno, "bind device `%s`", d->path);
      if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return error_errno (err, errno, "bind device `%s`", d->path);
      return 0;
    }

  if (mknodat (dfd, name, type | mode, makedev (d->major, d->minor)) < 0)
    {
      if (errno != EEXIST)
        return error_errno (err, errno, "mknod `%s`", d->path);
      /* an existing entry must be replaced, never written through */
      if (unlinkat (dfd, name, 0) < 0
          || mknodat (dfd, name, type | mode, makedev (d->major, d->minor)) < 0)
        return error_errno (err, errno, "mknod `%s`", d->path);
    }
  /* mknod applies the umask: set the mode explicitly */
  if (fchmodat (dfd, name, mode, 0) < 0)
    return error_errno (err, errno, "chmod `%s`", d->path);
  if ((d->has_uid || d->has_gid)
      && fchownat (dfd, name, d->has_uid ? d->uid : (uid_t) -1,
                   d->has_gid ? d->gid : (gid_t) -1, AT_SYMLINK_NOFOLLOW) < 0)
    return error_errno (err, errno, "chown `%s`", d->path);
  return 0;
}

/* mknod of a device is allowed only in the initial user namespace: in any
 * other the host's node is bind-mounted instead. */
static bool
devices_by_bind (const struct create_ctx *c)
{
  return c->userns_new || c->rootless || c->cfg->linux_.ns[OCI_NS_USER].present;
}

static bool
configured (const struct create_ctx *c, const char *path)
{
  for (size_t i = 0; i < c->cfg->linux_.n_devices; i++)
    if (strcmp (c->cfg->linux_.devices[i].path, path) == 0)
      return true;
  return false;
}

/* Is the container's /dev a bind mount (the host's /dev, `-v /dev:/dev`, a
 * privileged pod)?  The last mount on /dev decides, as it is the one on top. */
static bool
dev_is_bound (const struct create_ctx *c)
{
  bool bound = false;
  for (size_t i = 0; i < c->cfg->n_mounts; i++)
    {
      const struct oci_mount *m = &c->cfg->mounts[i];
      _cleanup_free_ char *d = fs_path_clean (m->destination);
      if (d && strcmp (d, "/dev") == 0)
        bound = (m->flags & MS_BIND) || (m->type && strcmp (m->type, "bind") == 0);
    }
  return bound;
}

static bool
under_dev (const char *path)
{
  _cleanup_free_ char *p = fs_path_clean (path);
  return p && strncmp (p, "/dev/", 5) == 0;
}

int
devices_setup (struct create_ctx *c, int rootfd, struct error **err)
{
  /* A bind-mounted /dev is someone else's directory (often the host's own
   * /dev): it is left exactly as it is.  Creating the default devices there
   * would unlink and recreate the host's nodes, and the ptmx symlink would
   * replace the host's /dev/ptmx.  Devices are made only in a /dev the
   * runtime made itself (or the image's own directory), as runc does. */
  if (dev_is_bound (c))
    {
      for (size_t i = 0; i < c->cfg->linux_.n_devices; i++)
        if (!under_dev (c->cfg->linux_.devices[i].path)
            && make_device (rootfd, &c->cfg->linux_.devices[i], devices_by_bind (c), err) < 0)
          return -1;
      return 0;
    }
  bool bind = devices_by_bind (c);
  for (size_t i = 0; i < ARRAY_SIZE (default_devices); i++)
    if (!configured (c, default_devices[i].path)
        && make_device (rootfd, &default_devices[i], bind, err) < 0)
      return -1;
  for (size_t i = 0; i < c->cfg->linux_.n_devices; i++)
    if (make_device (rootfd, &c->cfg->linux_.devices[i], bind, err) < 0)
      return -1;

  _cleanup_close_ int devp = fs_mkdir_in_root (rootfd, "/dev", 0755, err);
  if (devp < 0)
    return -1;
  char buf[FS_PROCFD_LEN];
  _cleanup_close_ int dev = open (fs_procfd_path (devp, buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dev < 0)
    return error_errno (err, errno, "open `/dev`");
  static const char *const links[][2] = {
    { "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" },
    { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (links); i++)
    if (symlinkat (links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
      return error_errno (err, errno, "symlink `/dev/%s`", links[i][1]);
  if (access ("/proc/kcore", F_OK) == 0 && symlinkat ("/proc/kcore", dev, "core") < 0
      && errno != EEXIST)
    return error_errno (err, errno, "symlink `/dev/core`");
  /* With a terminal, /dev/console becomes the process's pty (runc, crun):
   * an empty file here, the mount point the init binds the pty onto from
   * the pty's own fd (console_bind_dev_console), never from a path. */
  if (c->cfg->process.terminal && !configured (c, "/dev/console"))
    {
      struct stat st;
      if (fstatat (dev, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG (st.st_mode)
          && unlinkat (dev, "console", 0) < 0)
        return error_errno (err, errno, "replace `/dev/console`");
      if (mknodat (dev, "console", S_IFREG | 0600, 0) < 0 && errno != EEXIST)
        return error_errno (err, errno, "create `/dev/console`");
    }
  /* /dev/ptmx -> pts/ptmx, so that ptys come from the container's own devpts */
  if (!configured (c, "/dev/ptmx"))
    {
      struct stat st;
      if (fstatat (dev, "ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0)
        unlinkat (dev, "ptmx", 0);
      if (symlinkat ("pts/ptmx", dev, "ptmx") < 0)
        return error_errno (err, errno, "symlink `/dev/ptmx`");
    }
  return 0;
}
