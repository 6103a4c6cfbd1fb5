/* spawn.c - starting hull-monitor, detached from the command line.
 *
 * fork, setsid, fork again (the monitor is nobody's child but init's - or
 * the nearest subreaper's - and has no controlling terminal), then exec
 * hull-monitor with:
 *   fd 3  one end of a stream socketpair: START goes in, STARTED or ERROR
 *         comes back (msg.c);
 *   fd 4  monitor.lock, already flock'ed by the caller, so that from before
 *         the fork to the monitor's last breath somebody holds it (a
 *         concurrent hull sees the container as alive, never as crashed);
 *   fd 5  optionally, an attached client (run in the foreground).
 * A separate small binary rather than a fork of hull: see
 * docs/design/monitor.md for the measurements.
 */
#include "monitor/monitor.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Move fd to exactly `to` in the child (no clash: sources were first moved
 * above every target). */
static void
place (int from, int to)
{
  if (from == to)
    fcntl (to, F_SETFD, 0);
  else
    dup2 (from, to);
}

int
monitor_spawn (const struct monitor_spawn_args *a, pid_t *pid, int *exit_code,
               struct error **err)
{
  *exit_code = 125;
  const char *monitor = a->binary, *rundir = a->rundir;
  int sp[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
    return error_errno (err, errno, "socketpair");
  _cleanup_close_ int ctl = sp[0];
  fflush (stdout);
  fflush (stderr);
  pid_t child = fork ();
  if (child < 0)
    {
      close (sp[1]);
      return error_errno (err, errno, "fork");
    }
  if (child == 0)
    {
      if (setsid () < 0)
        _exit (1);
      pid_t gc = fork ();
      if (gc != 0)
        _exit (gc < 0 ? 1 : 0);
      if (chdir (rundir) < 0)
        _exit (1);
      int hi_ctl = fcntl (sp[1], F_DUPFD, 100);
      int hi_lock = fcntl (a->lock_fd, F_DUPFD, 100);
      int hi_att = a->attach_fd >= 0 ? fcntl (a->attach_fd, F_DUPFD, 100) : -1;
      if (hi_ctl < 0 || hi_lock < 0 || (a->attach_fd >= 0 && hi_att < 0))
        _exit (1);
      int nul = open ("/dev/null", O_RDWR);
      int logfd = open (MONITOR_LOG, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
      if (nul < 0)
        _exit (1);
      dup2 (nul, 0);
      dup2 (nul, 1);
      dup2 (logfd >= 0 ? logfd : nul, 2);
      place (hi_ctl, MONITOR_FD_CTL);
      place (hi_lock, MONITOR_FD_LOCK);
      if (hi_att >= 0)
        place (hi_att, MONITOR_FD_ATTACH);
      else
        close (MONITOR_FD_ATTACH);
      /* nothing else of ours goes along */
      if (syscall (SYS_close_range, MONITOR_FD_ATTACH + 1, ~0U, 0) < 0)
        for (int fd = MONITOR_FD_ATTACH + 1; fd < 1024; fd++)
          close (fd);
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
          signal (s, SIG_DFL);
      umask (022);
      char *argv[] = { (char *) "hull-monitor", NULL };
      execv (monitor, argv);
      _exit (127);
    }
  close (sp[1]);
  int st;
  while (waitpid (child, &st, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
    return error_set (err, ECHILD, "could not start the monitor");

  struct monitor_msg req = { .type = MONITOR_MSG_START, .u.start = *a->start };
  int r = monitor_msg_write (ctl, &req, err);
  if (r < 0)
    return r;
  shutdown (ctl, SHUT_WR);

  /* the monitor answers once the container runs or failed; a runtime that
   * hangs (a hook, a stuck mount) should not hang us forever */
  for (;;)
    {
      struct pollfd pfd = { .fd = ctl, .events = POLLIN };
      r = poll (&pfd, 1, 120000);
      if (r < 0 && errno == EINTR)
        continue;
      if (r == 0)
        return error_set (err, ETIMEDOUT, "the monitor did not answer in 120 s");
      break;
    }
  struct monitor_msg reply;
  _cleanup_error_ struct error *e = NULL;
  r = monitor_msg_read (ctl, 64 * 1024, &reply, &e);
  if (r == -ENODATA)
    return error_set (err, EIO, "the monitor exited without a word (see %s in the run "
                                "directory)", MONITOR_LOG);
  if (r < 0)
    {
      *err = TAKE_PTR (e);
      return error_prefix (err, "the monitor's answer");
    }
  if (reply.type == MONITOR_MSG_STARTED && reply.u.started.pid > 0)
    {
      *pid = reply.u.started.pid;
      *exit_code = 0;
      monitor_msg_clear (&reply);
      return 0;
    }
  if (reply.type != MONITOR_MSG_ERROR)
    {
      r = error_set (err, EPROTO, "the monitor answered `%s`",
                     monitor_msg_type_name (reply.type));
      monitor_msg_clear (&reply);
      return r;
    }
  int code = reply.u.error.code > 0 ? reply.u.error.code : EIO;
  const char *msg = reply.u.error.message;
  /* docker's exit statuses for a command that cannot run */
  if (code == ENOENT && (strstr (msg, "not found") || strstr (msg, "no such file")))
    *exit_code = 127;
  else if (code == EACCES && strstr (msg, "exec"))
    *exit_code = 126;
  r = error_set (err, code, "%s", msg);
  monitor_msg_clear (&reply);
  return r;
}
