/* wait.c - foreground waiting: forward signals to the container, relay a
 * terminal, reap, and turn the wait status into an exit code. */
#include "internal.h"

#include "base/cleanup.h"
#include "base/fs.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int
make_signalfd (sigset_t *old)
{
  sigset_t all;
  sigfillset (&all);
  sigdelset (&all, SIGKILL);
  sigdelset (&all, SIGSTOP);
  /* synchronous faults must stay deliverable to us */
  sigdelset (&all, SIGSEGV);
  sigdelset (&all, SIGBUS);
  sigdelset (&all, SIGILL);
  sigdelset (&all, SIGFPE);
  sigprocmask (SIG_BLOCK, &all, old);
  return signalfd (-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void
forward (int sfd, pid_t pid, int master)
{
  struct signalfd_siginfo si;
  while (read (sfd, &si, sizeof si) == sizeof si)
    {
      int sig = (int) si.ssi_signo;
      if (sig == SIGCHLD)
        continue;
      if (sig == SIGWINCH && master >= 0)
        {
          struct winsize ws;
          if (ioctl (0, TIOCGWINSZ, &ws) == 0)
            ioctl (master, TIOCSWINSZ, &ws);
          continue;
        }
      kill (pid, sig);
    }
}

static int
reap (pid_t pid, int *status)
{
  int st;
  pid_t r = waitpid (pid, &st, WNOHANG);
  if (r == pid)
    {
      *status = exit_status_of (st);
      return 1;
    }
  return 0;
}

int
wait_forwarding_signals (pid_t pid, int pidfd, int *status)
{
  sigset_t old;
  _cleanup_close_ int sfd = make_signalfd (&old);
  struct pollfd pfd[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
  for (;;)
    {
      if (reap (pid, status))
        break;
      int r = poll (pfd, sfd >= 0 ? 2 : 1, -1);
      if (r < 0 && errno != EINTR)
        break;
      if (sfd >= 0 && (pfd[1].revents & POLLIN))
        forward (sfd, pid, -1);
    }
  sigprocmask (SIG_SETMASK, &old, NULL);
  return 0;
}

int
relay_and_wait (int master, pid_t pid, int pidfd, int *status)
{
  sigset_t old;
  _cleanup_close_ int sfd = make_signalfd (&old);
  struct termios saved;
  bool raw = isatty (0) && tcgetattr (0, &saved) == 0;
  if (raw)
    {
      struct termios t = saved;
      cfmakeraw (&t);
      tcsetattr (0, TCSANOW, &t);
      struct winsize ws;
      if (ioctl (0, TIOCGWINSZ, &ws) == 0)
        ioctl (master, TIOCSWINSZ, &ws);
    }
  struct pollfd pfd[4] = {
    { .fd = pidfd, .events = POLLIN },
    { .fd = sfd, .events = POLLIN },
    { .fd = master, .events = POLLIN },
    { .fd = 0, .events = POLLIN },
  };
  char buf[16384];
  bool exited = false;
  for (;;)
    {
      if (!exited && reap (pid, status))
        exited = true;
      if (exited)
        {
          /* drain what the container wrote before it exited */
          pfd[2].events = POLLIN;
          if (poll (&pfd[2], 1, 0) <= 0 || !(pfd[2].revents & POLLIN))
            break;
          ssize_t n = read (master, buf, sizeof buf);
          if (n <= 0)
            break;
          fs_write_all (1, buf, (size_t) n);
          continue;
        }
      int r = poll (pfd, 4, -1);
      if (r < 0 && errno != EINTR)
        break;
      if (r <= 0)
        continue;
      if (pfd[1].revents & POLLIN)
        forward (sfd, pid, master);
      if (pfd[2].revents & POLLIN)
        {
          ssize_t n = read (master, buf, sizeof buf);
          if (n > 0)
            fs_write_all (1, buf, (size_t) n);
        }
      else if (pfd[2].revents & (POLLHUP | POLLERR))
        pfd[2].fd = -1;
      if (pfd[3].revents & POLLIN)
        {
          ssize_t n = read (0, buf, sizeof buf);
          if (n > 0)
            fs_write_all (master, buf, (size_t) n);
          else
            {
              /* our stdin ended: send EOF (^D) to the terminal, stop reading */
              char eof = 4;
              if (write (master, &eof, 1) < 0)
                {
                }
              pfd[3].fd = -1;
            }
        }
      else if (pfd[3].revents & (POLLHUP | POLLERR))
        pfd[3].fd = -1;
    }
  if (raw)
    tcsetattr (0, TCSANOW, &saved);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return 0;
}
