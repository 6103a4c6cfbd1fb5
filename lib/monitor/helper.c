/* helper.c - the monitor's short-lived helper: a fork of hull-monitor
 * re-executed from a sealed copy of itself (runtime_protect_self_exe), so
 * that the process that enters the container never runs from the binary on
 * disk (CVE-2019-5736), while the long-lived monitor, which never enters
 * it, keeps sharing the on-disk binary's pages with every other monitor.
 *
 *   hull-monitor --helper FD
 *
 * FD is a pipe with one request (msg.c): CREATE (create and start the
 * container through lib/runtime; STARTED or ERROR to the result fd it
 * names) or EXEC (a health check: the command's output to out_fd, its
 * status as the helper's exit status). */
#include "monitor/internal.h"
#include "monitor/monitor.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "cgroup/cgroup.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int
loopback_up (pid_t pid, struct error **err)
{
  char p[64];
  snprintf (p, sizeof p, "/proc/%d/ns/net", (int)pid);
  _cleanup_close_ int ns = open (p, O_RDONLY | O_CLOEXEC);
  if (ns < 0)
    return error_errno (err, errno, "open `%s`", p);
  /* we are a short-lived helper: entering the namespace costs nothing */
  if (setns (ns, CLONE_NEWNET) < 0)
    return error_errno (err, errno, "enter the container's network namespace");
  _cleanup_close_ int s = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return error_errno (err, errno, "socket");
  struct ifreq ifr;
  memset (&ifr, 0, sizeof ifr);
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (s, SIOCGIFFLAGS, &ifr) < 0)
    return error_errno (err, errno, "loopback flags");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (s, SIOCSIFFLAGS, &ifr) < 0)
    return error_errno (err, errno, "bring the loopback up");
  return 0;
}

/* The helper: CREATE (create and start the container) or EXEC (a health
 * check), read from the pipe whose number is its only argument. */

static void
result (int fd, const struct monitor_msg *r)
{
  _cleanup_error_ struct error *e = NULL;
  if (monitor_msg_write (fd, r, &e) < 0)
    fprintf (stderr, "hull-monitor helper: %s\n", e->msg);
}

static int
helper_create (const struct monitor_msg *req)
{
  const __typeof__ (req->u.create) *c = &req->u.create;
  int res = c->result_fd;
  struct runtime_context ctx = { .state_root = c->runtime_root };
  struct runtime_create_options o = {
    .bundle = c->bundle,
    .console_socket = c->tty ? MONITOR_CONSOLE : NULL,
    .pid_file = "init.pid",
    .stdio_fds = { c->stdio[0], c->stdio[1], c->stdio[2] },
  };
  for (int i = 0; i < 3; i++)
    if (o.stdio_fds[i] < 3)
      o.stdio_fds[i] = -1;
  _cleanup_error_ struct error *e = NULL;
  if (runtime_create (&ctx, c->id, &o, &e) < 0)
    {
      struct monitor_msg r
          = { .type = MONITOR_MSG_ERROR, .u.error = { .code = e->code, .message = e->msg } };
      result (res, &r);
      return 1;
    }
  char buf[32] = "";
  pid_t pid = 0;
  {
    _cleanup_close_ int fd = open ("init.pid", O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && read (fd, buf, sizeof buf - 1) > 0)
      pid = atoi (buf);
    unlink ("init.pid");
  }
  /* the cgroup, while the init surely lives (it waits for start) */
  _cleanup_free_ char *cgj = NULL;
  {
    struct cgroup *cg = NULL;
    struct error *e2 = NULL;
    if (pid > 0 && cgroup_from_pid (pid, &cg, &e2) == 0)
      {
        json_object *j = cgroup_to_json (cg);
        if (j)
          cgj = strdup (json_object_to_json_string_ext (j, JSON_C_TO_STRING_PLAIN));
        json_object_put (j);
        cgroup_free (cg);
      }
    error_free (e2);
  }
  if (pid > 0 && c->loopback && loopback_up (pid, &e) < 0)
    goto fail;
  if (runtime_start (&ctx, c->id, &e) < 0)
    goto fail;
  {
    /* the monitor reads one frame of at most 8 kB: without the cgroup it
     * finds it again from the pid */
    struct monitor_msg r
        = { .type = MONITOR_MSG_STARTED,
            .u.started = { .pid = pid, .cgroup = cgj && strlen (cgj) < 6000 ? cgj : NULL } };
    result (res, &r);
  }
  return 0;
fail:
  {
    struct monitor_msg r
        = { .type = MONITOR_MSG_ERROR, .u.error = { .code = e->code, .message = e->msg } };
    result (res, &r);
  }
  {
    struct error *e2 = NULL;
    runtime_delete (&ctx, c->id, true, &e2);
    error_free (e2);
  }
  return 1;
}

static int
helper_exec (const struct monitor_msg *req)
{
  const __typeof__ (req->u.exec) *x = &req->u.exec;
  struct runtime_context ctx = { .state_root = x->runtime_root };
  int out = x->out_fd;
  int nul = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (nul >= 0 && nul < 3)
    {
      int d = fcntl (nul, F_DUPFD_CLOEXEC, 3);
      close (nul);
      nul = d;
    }
  struct runtime_exec_options o = {
    .argv = (char **)x->argv,
    .pid_file = MONITOR_HEALTH_PID,
    .stdio_fds = { nul, out, out },
  };
  int status = 0;
  _cleanup_error_ struct error *e = NULL;
  if (runtime_exec (&ctx, x->id, &o, &status, &e) < 0)
    {
      dprintf (out, "%s\n", e->msg);
      return e->code == ENOENT ? 127 : 126;
    }
  return status;
}

int
monitor_helper_main (const char *fdarg)
{
  char *end;
  long fd = strtol (fdarg, &end, 10);
  if (*end || fd < 3 || fd > 1 << 20)
    return 2;
  fcntl ((int)fd, F_SETFD, FD_CLOEXEC);
  struct monitor_msg req;
  _cleanup_error_ struct error *e = NULL;
  if (monitor_msg_read ((int)fd, MONITOR_STREAM_MAX, &req, &e) < 0)
    {
      fprintf (stderr, "hull-monitor helper: %s\n", e->msg);
      return 2;
    }
  close ((int)fd);
  int r = 2;
  if (req.type == MONITOR_MSG_CREATE)
    r = helper_create (&req);
  else if (req.type == MONITOR_MSG_EXEC && req.u.exec.argv[0])
    r = helper_exec (&req);
  else
    fprintf (stderr, "hull-monitor helper: unexpected `%s`\n", monitor_msg_type_name (req.type));
  monitor_msg_clear (&req);
  return r;
}
