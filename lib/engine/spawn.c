/* spawn.c - starting hull-monitor, detached from the command line.
 *
 * fork, setsid, fork again (the monitor is nobody's child but init's - or
 * the nearest subreaper's - and has no controlling terminal), then exec
 * hull-monitor with:
 *   fd 3  one end of a stream socketpair: the arguments (JSON) come in, the
 *         word on the container ("ok PID" or "err CODE MSG") goes out;
 *   fd 4  monitor.lock, already flock'ed by us, so that from before the
 *         fork to the monitor's last breath somebody holds it (a concurrent
 *         hull sees the container as alive, never as crashed);
 *   fd 5  optionally, an attached client (run in the foreground).
 * A separate small binary rather than a fork of hull: see engine.md
 * ("The monitor") for the measurements.
 */
#include "engine/internal.h"
#include "engine/monitor.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#ifndef HULL_LIBEXECDIR
#define HULL_LIBEXECDIR "/usr/local/libexec/hull"
#endif

char *
engine_helper_path (const char *name)
{
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  char *p = NULL;
  if (n > 0 && self[0] == '/')
    {
      self[n] = '\0';
      char *slash = strrchr (self, '/');
      *slash = '\0';
      /* installed side by side, then the build tree (cmd/hull/hull ->
       * cmd/<name>/<name>) */
      if (asprintf (&p, "%s/%s", self, name) > 0 && access (p, X_OK) == 0)
        return p;
      free (p);
      p = NULL;
      if (asprintf (&p, "%s/../%s/%s", self, name, name) > 0 && access (p, X_OK) == 0)
        {
          char *r = realpath (p, NULL);
          free (p);
          return r;
        }
      free (p);
      p = NULL;
    }
  if (asprintf (&p, "%s/%s", HULL_LIBEXECDIR, name) > 0 && access (p, X_OK) == 0)
    return p;
  free (p);
  return NULL;
}

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
monitor_spawn (struct engine *e, const struct spawn_args *a, pid_t *pid, int *exit_code,
               struct error **err)
{
  *exit_code = 125;
  _cleanup_free_ char *monitor = engine_helper_path ("hull-monitor");
  if (monitor == NULL)
    return error_set (err, ENOENT, "hull-monitor not found (next to hull or in %s)",
                      HULL_LIBEXECDIR);
  const char *rundir = NULL;
  if (jsonx_get_string (a->args, "rundir", &rundir, err) != 1)
    return error_set (err, EINVAL, "monitor: no run directory");
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
      int logfd = open ("monitor.log", O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
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

  const char *text = json_object_to_json_string_ext (a->args, JSON_C_TO_STRING_PLAIN);
  if (fs_write_all (ctl, text, strlen (text)) < 0)
    return error_errno (err, errno, "send the monitor its arguments");
  shutdown (ctl, SHUT_WR);

  char buf[4096];
  size_t len = 0;
  for (;;)
    {
      /* the monitor answers once the container runs or failed; a runtime
       * that hangs (a hook, a stuck mount) should not hang us forever */
      struct pollfd pfd = { .fd = ctl, .events = POLLIN };
      int r = poll (&pfd, 1, 120000);
      if (r < 0 && errno == EINTR)
        continue;
      if (r == 0)
        return error_set (err, ETIMEDOUT, "the monitor did not answer in 120 s");
      ssize_t n = read (ctl, buf + len, sizeof buf - 1 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += (size_t) n;
      if (len == sizeof buf - 1)
        break;
    }
  buf[len] = '\0';
  char *nl = strchr (buf, '\n');
  if (nl)
    *nl = '\0';
  int p = 0;
  if (sscanf (buf, "ok %d", &p) == 1 && p > 0)
    {
      *pid = p;
      *exit_code = 0;
      return 0;
    }
  int code = EIO;
  const char *msg = "the monitor exited without a word (see monitor.log in the run directory)";
  char *sp2;
  if (strncmp (buf, "err ", 4) == 0 && (sp2 = strchr (buf + 4, ' ')))
    {
      code = atoi (buf + 4);
      msg = sp2 + 1;
    }
  /* docker's exit statuses for a command that cannot run */
  if (code == ENOENT && (strstr (msg, "not found") || strstr (msg, "no such file")))
    *exit_code = 127;
  else if (code == EACCES && strstr (msg, "exec"))
    *exit_code = 126;
  return error_set (err, code > 0 ? code : EIO, "%s", msg);
}
