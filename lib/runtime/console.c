/* console.c - the container's terminal.
 *
 * The pty is opened from the container's own devpts instance (after
 * pivot_root, /dev/ptmx -> pts/ptmx), so the container sees its slave under
 * its /dev/pts.  The slave is obtained with TIOCGPTPEER, never by a path
 * lookup the container could influence.  The master goes to whoever asked
 * for it: the --console-socket peer (SCM_RIGHTS, runc's protocol: the data
 * is the pty's name) or, for `run` without a socket, our parent which relays. */
#include "internal.h"
#include "mountapi.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO ('T', 0x41)
#endif

int
console_send_fd (int sock, int fd, const char *name)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  memset (&u, 0, sizeof u);
  const char *data = name && *name ? name : "console";
  struct iovec iov = { (void *) data, strlen (data) };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
  ssize_t r;
  do
    r = sendmsg (sock, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : 0;
}

int
console_recv_fd (int sock, int *fd)
{
  char data[256];
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { data, sizeof data };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  ssize_t r;
  do
    r = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -errno;
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        memcpy (fd, CMSG_DATA (c), sizeof *fd);
        return 0;
      }
  return -EBADMSG;
}

int
console_setup (const struct oci_process *p, int console_sock, int sync_fd,
               struct error **err)
{
  /* /dev may be a directory another party writes (a shared bind): resolve
   * /dev/ptmx strictly inside our root and accept only a pty multiplexer
   * (5:2: the container's devpts through pts/ptmx, or a ptmx node).  A
   * swapped entry is refused before anything uses it as the terminal (the
   * CVE-2025-52565 class); nothing is written through a path. */
  _cleanup_close_ int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return error_errno (err, errno, "open `/`");
  _cleanup_error_ struct error *e = NULL;
  _cleanup_close_ int master = fs_open_in_root (root, "/dev/ptmx", O_RDWR | O_NOCTTY, 0, &e);
  if (master < 0)
    return error_errno (err, e->code, "open `/dev/ptmx`");
  struct stat st;
  if (fstat (master, &st) < 0)
    return error_errno (err, errno, "stat `/dev/ptmx`");
  if (!S_ISCHR (st.st_mode) || st.st_rdev != makedev (5, 2))
    return error_set (err, EPERM, "`/dev/ptmx` is not the pty multiplexer (5:2)");
  int unlock = 0;
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return error_errno (err, errno, "unlock pty");
  _cleanup_close_ int slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return error_errno (err, errno, "open pty peer");
  int ptn = 0;
  char name[64] = "";
  if (ioctl (master, TIOCGPTN, &ptn) == 0)
    snprintf (name, sizeof name, "/dev/pts/%d", ptn);
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = (unsigned short) p->console_height,
                            .ws_col = (unsigned short) p->console_width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return error_errno (err, errno, "set console size");
    }
  /* the process owns its terminal */
  if (fchown (slave, p->uid, (gid_t) -1) < 0 && errno != EINVAL)
    return error_errno (err, errno, "chown console");
  int r = console_sock >= 0 ? console_send_fd (console_sock, master, name)
                            : sync_send (sync_fd, SYNC_CONSOLE, 0, name, master);
  if (r < 0)
    return error_errno (err, -r, "send console to %s",
                        console_sock >= 0 ? "the console socket" : "the runtime");
  if (setsid () < 0)
    return error_errno (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return error_errno (err, errno, "set controlling terminal");
  for (int i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return error_errno (err, errno, "dup2 console");
  return 0;
}

int
console_bind_dev_console (int slave, struct error **err)
{
  _cleanup_close_ int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return error_errno (err, errno, "open `/`");
  _cleanup_error_ struct error *e = NULL;
  _cleanup_close_ int target = fs_open_in_root (root, "/dev/console", O_PATH | O_NOFOLLOW, 0, &e);
  if (target < 0)
    {
      /* not made (a bound /dev is left alone): nothing to do */
      if (e->code == ENOENT)
        return 0;
      return error_errno (err, e->code, "open `/dev/console`");
    }
  /* Only onto the placeholder devices_setup made: the bind's source is the
   * pty's own fd (the CVE-2025-52565 class: a path such as /dev/pts/N could
   * be swapped for another file before the bind). */
  struct stat st;
  if (fstat (target, &st) < 0)
    return error_errno (err, errno, "stat `/dev/console`");
  if (!S_ISREG (st.st_mode))
    return error_set (err, EPERM, "`/dev/console` is not the file made for the console");
  _cleanup_close_ int tree
      = (int) open_tree (slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0)
    return error_errno (err, errno, "bind the pty to `/dev/console`");
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return error_errno (err, errno, "bind the pty to `/dev/console`");
  return 0;
}
