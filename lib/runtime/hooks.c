/* hooks.c - runtime-spec hooks: each is a program given the container state
 * on stdin, killed at its timeout.  A hook with `env` gets exactly that
 * environment; one without gets the runtime's own, as runc and crun give it
 * (hooks such as nvidia-container-runtime-hook read PATH and their settings
 * from it).  The working directory is the one the caller names (runc's: the
 * bundle for the hooks run by the runtime, the rootfs for createContainer). */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int
run_one (const struct oci_hook *h, const char *state_json, const char *kind, const char *cwd,
         struct error **err)
{
  int pipefd[2];
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return error_errno (err, errno, "%s hook `%s`: pipe", kind, h->path);
  pid_t pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      close (pipefd[0]);
      close (pipefd[1]);
      return error_errno (err, e, "%s hook `%s`: fork", kind, h->path);
    }
  if (pid == 0)
    {
      /* stdin: the state; stdout -> our stderr so it never pollutes output
       * of ours that clients parse */
      dup2 (pipefd[0], 0);
      dup2 (2, 1);
      if (cwd && chdir (cwd) < 0)
        {
          dprintf (2, "hook `%s`: chdir `%s`: %s\n", h->path, cwd, strerror (errno));
          _exit (127);
        }
      char *argv0[] = { h->path, NULL };
      execve (h->path, h->args && h->args[0] ? h->args : argv0, h->env ? h->env : environ);
      dprintf (2, "hook `%s`: %s\n", h->path, strerror (errno));
      _exit (127);
    }
  close (pipefd[0]);
  /* a hook that doesn't read stdin must not block us: ignore EPIPE */
  signal (SIGPIPE, SIG_IGN);
  fs_write_all (pipefd[1], state_json, strlen (state_json));
  close (pipefd[1]);

  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  int timeout_ms = h->has_timeout ? h->timeout * 1000 : -1;
  if (pidfd >= 0)
    {
      struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
      int r;
      do
        r = poll (&pfd, 1, timeout_ms);
      while (r < 0 && errno == EINTR);
      close (pidfd);
      if (r == 0)
        {
          kill (pid, SIGKILL);
          waitpid (pid, NULL, 0);
          return error_set (err, ETIMEDOUT, "%s hook `%s`: timed out after %d s", kind, h->path,
                            h->timeout);
        }
    }
  int st;
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      return error_errno (err, errno, "%s hook `%s`: wait", kind, h->path);
  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
    return error_set (err, EIO, "%s hook `%s` failed: %s %d", kind, h->path,
                      WIFEXITED (st) ? "exit status" : "signal",
                      WIFEXITED (st) ? WEXITSTATUS (st) : WTERMSIG (st));
  return 0;
}

int
hooks_run (const struct oci_hook *hooks, size_t n, const char *state_json, const char *kind,
           const char *cwd, struct error **err)
{
  for (size_t i = 0; i < n; i++)
    {
      int r = run_one (&hooks[i], state_json, kind, cwd, err);
      if (r < 0)
        return r;
    }
  return 0;
}

void
hooks_run_warn (const struct oci_hook *hooks, size_t n, const char *state_json, const char *kind,
                const char *cwd)
{
  /* runtime-spec: a failing poststart or poststop hook is logged as a
   * warning and the remaining hooks and the lifecycle go on */
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_error_ struct error *e = NULL;
      if (run_one (&hooks[i], state_json, kind, cwd, &e) < 0)
        log_warn ("%s", e->msg);
    }
}
