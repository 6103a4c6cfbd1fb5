/* hull-init - what `hull run --init` runs as the container's pid 1.
 *
 *   hull-init [--] COMMAND [ARG...]
 *
 * A pid 1 has two jobs the usual program does not do: reap the zombies of
 * every orphan the kernel reparents to it, and pass on the signals meant
 * for the container (the kernel delivers none to pid 1 for which it has no
 * handler, so `hull stop` would otherwise always end in SIGKILL).  hull-init
 * runs COMMAND as its only child, in a process group of its own (given the
 * terminal when there is one), forwards every signal it gets to that group,
 * reaps whatever exits, and exits with COMMAND's status (128 + signal when
 * it was killed), as docker's init does.
 *
 * Static, no stdio: it is bind-mounted read-only into containers that may
 * have no libc at all.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void
say (const char *a, const char *b, const char *c)
{
  const char *parts[] = { "hull-init: ", a, b, c, "\n" };
  for (unsigned i = 0; i < 5; i++)
    if (parts[i])
      {
        ssize_t n = write (2, parts[i], strlen (parts[i]));
        (void) n;
      }
}

int
main (int argc, char **argv)
{
  int first = 1;
  if (argc > 1 && strcmp (argv[1], "--") == 0)
    first = 2;
  if (first >= argc)
    {
      say ("usage: hull-init [--] COMMAND [ARG...]", NULL, NULL);
      return 2;
    }
  sigset_t all, old;
  sigfillset (&all);
  sigprocmask (SIG_SETMASK, &all, &old);

  pid_t child = fork ();
  if (child < 0)
    {
      say ("fork: ", strerror (errno), NULL);
      return 1;
    }
  if (child == 0)
    {
      setpgid (0, 0);
      if (isatty (0))
        {
          /* take the terminal for our group, so ^C reaches the command
           * (and only it) */
          signal (SIGTTOU, SIG_IGN);
          tcsetpgrp (0, getpid ());
          signal (SIGTTOU, SIG_DFL);
        }
      sigprocmask (SIG_SETMASK, &old, NULL);
      execvp (argv[first], argv + first);
      int e = errno;
      say ("exec `", argv[first], "`: failed");
      return e == ENOENT ? 127 : 126;
    }
  setpgid (child, child);

  for (;;)
    {
      siginfo_t si;
      int sig = sigwaitinfo (&all, &si);
      if (sig < 0)
        continue;
      if (sig != SIGCHLD)
        {
          /* to the whole group: the command's own children too */
          if (kill (-child, sig) < 0)
            kill (child, sig);
          continue;
        }
      for (;;)
        {
          int status;
          pid_t p = waitpid (-1, &status, WNOHANG);
          if (p <= 0)
            break;
          if (p == child)
            {
              /* what is left of its group goes with us (the pid namespace
               * ends when pid 1 does) */
              if (WIFEXITED (status))
                return WEXITSTATUS (status);
              if (WIFSIGNALED (status))
                return 128 + WTERMSIG (status);
              return 1;
            }
        }
    }
}
