/* load.c - install a compiled filter, and hand a notify listener to its
 * agent.
 *
 * seccomp_filter_load() runs in the container process between the last
 * setup step and execve: it must not allocate, take locks or touch stdio
 * (the process may be the child of a multi-threaded runtime, and the filter
 * may already forbid what a library would do).  It is one seccomp(2) call on
 * memory prepared by the parent.
 */
#include "seccomp/seccomp.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

int
seccomp_filter_load (const struct seccomp_filter *f)
{
  if (f == NULL || f->bpf == NULL || f->n_insns == 0 || f->n_insns > USHRT_MAX)
    return -EINVAL;
  struct sock_fprog prog
      = { .len = (unsigned short)f->n_insns, .filter = (struct sock_filter *)f->bpf };
  long r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &prog);
  if (r < 0 && errno == EINVAL && !f->notify && f->flags != 0)
    {
      /* An older kernel that lacks an optional flag (LOG, SPEC_ALLOW):
       * neither changes what the filter allows, so load without them, as
       * crun does.  With a listener there is no such fallback: the caller
       * needs the fd. */
      r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
    }
  if (r < 0)
    return -errno;
  return f->notify ? (int)r : 0;
}

int
seccomp_listener_payload (const char *listener_metadata, int pid, const char *state_json,
                          char **out, struct error **err)
{
  if (state_json == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_json_ json_object *state = NULL;
  int r = jsonx_parse (state_json, strlen (state_json), &state, err);
  if (r < 0)
    return error_prefix (err, "container state");
  if (json_object_get_type (state) != json_type_object)
    return error_set (err, EINVAL, "container state must be a JSON object");

  const char *version = "1.2.0";
  json_object *v;
  if (json_object_object_get_ex (state, "ociVersion", &v)
      && json_object_get_type (v) == json_type_string)
    version = json_object_get_string (v);

  _cleanup_json_ json_object *o = json_object_new_object ();
  json_object *fds = json_object_new_array ();
  if (o == NULL || fds == NULL)
    {
      json_object_put (fds);
      return error_set (err, ENOMEM, "out of memory");
    }
  json_object_object_add (o, "ociVersion", json_object_new_string (version));
  json_object_array_add (fds, json_object_new_string ("seccompFd"));
  json_object_object_add (o, "fds", fds);
  json_object_object_add (o, "pid", json_object_new_int (pid));
  if (listener_metadata)
    json_object_object_add (o, "metadata", json_object_new_string (listener_metadata));
  json_object_object_add (o, "state", json_object_get (state));
  char *s = strdup (jsonx_compact (o));
  if (s == NULL)
    return error_set (err, ENOMEM, "out of memory");
  *out = s;
  return 0;
}

int
seccomp_send_listener (const char *listener_path, int listener_fd, const char *state_json,
                       struct error **err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  size_t plen = listener_path ? strlen (listener_path) : 0;
  if (plen == 0)
    return error_set (err, EINVAL, "no seccomp listener path");
  if (plen >= sizeof sun.sun_path)
    return error_set (err, ENAMETOOLONG, "seccomp listener path `%s` is too long", listener_path);
  memcpy (sun.sun_path, listener_path, plen);
  socklen_t alen = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + plen);
  if (listener_path[0] == '@')
    {
      if (plen == 1)
        return error_set (err, EINVAL, "seccomp listener path `@` names no abstract socket");
      sun.sun_path[0] = '\0'; /* abstract: no file, the name is the bytes after */
    }
  else
    alen = sizeof sun;

  _cleanup_close_ int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return error_errno (err, errno, "socket");
  int r;
  do
    r = connect (fd, (struct sockaddr *)&sun, alen);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return error_errno (err, errno, "connect to seccomp agent `%s`", listener_path);

  /* runtime-spec: the state is the payload, the fd goes as SCM_RIGHTS, and
   * only with the first sendmsg() when the payload takes several. */
  size_t len = strlen (state_json), off = 0;
  if (len == 0)
    return error_set (err, EINVAL, "empty container process state");
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  memset (&ctl, 0, sizeof ctl);
  bool fd_sent = false;
  while (off < len || !fd_sent)
    {
      struct iovec iov = { .iov_base = (char *)state_json + off, .iov_len = len - off };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
      if (!fd_sent)
        {
          msg.msg_control = ctl.buf;
          msg.msg_controllen = sizeof ctl.buf;
          struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
          c->cmsg_level = SOL_SOCKET;
          c->cmsg_type = SCM_RIGHTS;
          c->cmsg_len = CMSG_LEN (sizeof (int));
          memcpy (CMSG_DATA (c), &listener_fd, sizeof (int));
        }
      ssize_t n = sendmsg (fd, &msg, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return error_errno (err, errno, "send the seccomp listener to `%s`", listener_path);
      fd_sent = true;
      off += (size_t)n;
    }
  /* One state per connection, then close (runtime-spec). */
  return 0;
}
