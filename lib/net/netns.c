/* netns.c - network namespaces we make ourselves, bound on a file.
 *
 * We make a container's network namespace before the container exists and
 * hand its path to the runtime (linux.namespaces[network].path), the way
 * podman and CNI plugins do, rather than configuring the runtime's own
 * namespace through /proc/PID/ns/net after it started: the network is
 * complete before the first instruction of the container runs (no race with
 * a program that connects at once), setup does not wait for a PID, and the
 * namespace outlives restarts of the container process (the monitor's
 * restart policy keeps the address and the ports).
 *
 * unshare(CLONE_NEWNET) acts on the calling thread only; the thread binds
 * the new namespace on the file through /proc/thread-self and goes back to
 * where it was.
 */
#include "net/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int
netns_create (const char *path, struct error **err)
{
  _cleanup_close_ int f = open (path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
  if (f < 0)
    return error_errno (err, errno, "create `%s`", path);
  safe_close (f);
  f = -1;
  _cleanup_close_ int self = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0)
    {
      int e = errno;
      unlink (path);
      return error_errno (err, e, "open our network namespace");
    }
  if (unshare (CLONE_NEWNET) < 0)
    {
      int e = errno;
      unlink (path);
      return error_errno (err, e, "new network namespace");
    }
  int r = mount ("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL);
  int e = errno;
  if (setns (self, CLONE_NEWNET) < 0)
    abort (); /* we would go on in the wrong namespace: nothing sane to do */
  if (r < 0)
    {
      unlink (path);
      return error_errno (err, e, "bind the network namespace on `%s`", path);
    }
  return 0;
}

int
netns_remove (const char *path, struct error **err)
{
  if (umount2 (path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    return error_errno (err, errno, "unmount `%s`", path);
  if (unlink (path) < 0 && errno != ENOENT)
    return error_errno (err, errno, "remove `%s`", path);
  return 0;
}

int
net_sysctl (const char *key, const char *value, struct error **err)
{
  _cleanup_free_ char *p = NULL;
  if (asprintf (&p, "/proc/sys/%s", key) < 0)
    return error_set (err, ENOMEM, "out of memory");
  /* /proc/sys/net shows the namespace of whoever opens it: ours */
  _cleanup_close_ int fd = open (p, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return error_errno (err, errno, "open `%s`", p);
  char cur[32];
  ssize_t n = read (fd, cur, sizeof cur - 1);
  if (n > 0)
    {
      cur[n] = '\0';
      cur[strcspn (cur, "\n")] = '\0';
      if (strcmp (cur, value) == 0)
        return 0; /* writing ip_forward resets per-interface settings: only when it changes */
    }
  if (lseek (fd, 0, SEEK_SET) < 0 || fs_write_all (fd, value, strlen (value)) < 0)
    return error_errno (err, errno, "write `%s`", p);
  return 1;
}
