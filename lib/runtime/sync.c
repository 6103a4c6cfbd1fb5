/* sync.c - the parent/child message channel (see internal.h). */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "seccomp/seccomp.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

int
sync_send (int fd, enum sync_type type, int value, const char *data, int pass_fd)
{
  struct sync_msg m = { .type = type, .value = value };
  size_t dlen = 0;
  if (data)
    {
      dlen = strnlen (data, sizeof m.data - 1);
      memcpy (m.data, data, dlen);
    }
  m.data[dlen] = '\0';
  struct iovec iov = { &m, offsetof (struct sync_msg, data) + dlen + 1 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (pass_fd >= 0)
    {
      memset (&u, 0, sizeof u);
      mh.msg_control = u.buf;
      mh.msg_controllen = sizeof u.buf;
      struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &pass_fd, sizeof (int));
    }
  for (;;)
    {
      ssize_t r = sendmsg (fd, &mh, MSG_NOSIGNAL);
      if (r >= 0)
        return 0;
      if (errno != EINTR)
        return -errno;
    }
}

int
sync_recv (int fd, struct sync_msg *m, int *pass_fd)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { m, sizeof *m };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  if (pass_fd)
    *pass_fd = -1;
  ssize_t r;
  /* ECONNRESET: the peer closed with data of ours unread.  The kernel
   * reports that once, before the messages the peer did send us (its last
   * words, e.g. an error) are read: read on, they come next, then EOF. */
  do
    r = recvmsg (fd, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && (errno == EINTR || errno == ECONNRESET));
  if (r < 0)
    return errno == ECONNRESET ? -EPIPE : -errno;
  if (r == 0)
    return -EPIPE;
  if ((size_t) r < offsetof (struct sync_msg, data) + 1)
    return -EPROTO;
  m->data[sizeof m->data - 1] = '\0';
  if ((size_t) r < sizeof *m)
    ((char *) m)[r - 1] = '\0';
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        int got;
        memcpy (&got, CMSG_DATA (c), sizeof got);
        if (pass_fd && *pass_fd < 0)
          *pass_fd = got;
        else
          safe_close (got);
      }
  return 0;
}

int
sync_expect (int fd, enum sync_type type, struct sync_msg *m, int *pass_fd,
             struct error **err)
{
  int r = sync_recv (fd, m, pass_fd);
  if (r == -EPIPE)
    return error_set (err, EPIPE, "container init exited unexpectedly");
  if (r < 0)
    return error_errno (err, -r, "read from container init");
  if (m->type == SYNC_ERROR)
    return error_set (err, m->value > 0 ? m->value : EINVAL, "%s", m->data);
  if (m->type != (uint32_t) type)
    return error_set (err, EPROTO, "container init: unexpected message %u (wanted %u)",
                      m->type, (unsigned) type);
  return 0;
}

int
sync_seccomp_handover (int sync_fd, int listener, const struct oci_seccomp *sc, const char *id,
                       pid_t pid, const char *bundle, json_object *config, const char *status,
                       struct error **err)
{
  /* The process that loaded the filter waits for SYNC_CONTINUE before any
   * other syscall: whatever it does next may be one the agent must answer,
   * so the agent gets the listener first. */
  _cleanup_free_ char *st = state_hook_json (id, pid, bundle, config, status);
  _cleanup_free_ char *payload = NULL;
  int r = seccomp_listener_payload (sc->listener_metadata, pid, st, &payload, err);
  if (r == 0)
    r = seccomp_send_listener (sc->listener_path, listener, payload, err);
  if (r < 0)
    return r;
  r = sync_send (sync_fd, SYNC_CONTINUE, 0, NULL, -1);
  if (r < 0)
    return error_errno (err, -r, "resume the container process after the seccomp handover");
  return 0;
}
