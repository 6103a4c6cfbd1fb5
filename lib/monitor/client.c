/* client.c - the attach socket's client side: connecting, quiet requests
 * (stop, kill, wait) and the interactive stream of run/start -a/attach.
 * The server is server.c; both speak msg.c's datagrams. */
#include "monitor/monitor.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int
monitor_connect (int rundirfd, struct error **err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int n
      = snprintf (sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", rundirfd, MONITOR_ATTACH);
  if (n < 0 || (size_t)n >= sizeof sa.sun_path)
    return error_set (err, ENAMETOOLONG, "attach socket: path too long");
  int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return error_errno (err, errno, "socket");
  if (connect (fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    {
      int e = errno;
      close (fd);
      return error_errno (err, e, "connect to the monitor");
    }
  return fd;
}

static int
send_simple (int fd, enum monitor_msg_type type)
{
  struct monitor_msg m = { .type = type };
  return monitor_msg_send (fd, &m, 0);
}

int
monitor_request (int fd, const struct monitor_msg *req, struct error **err)
{
  if (send_simple (fd, MONITOR_MSG_QUIET) < 0 || monitor_msg_send (fd, req, 0) < 0)
    return error_set (err, ESRCH, "the monitor is gone");
  /* the ack; a monitor that exits meanwhile says EXIT or hangs up */
  for (;;)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      if (poll (&p, 1, 10000) <= 0)
        return 0;
      uint8_t buf[MONITOR_DGRAM_MAX];
      struct monitor_msg m;
      _cleanup_error_ struct error *e = NULL;
      int r = monitor_msg_recv (fd, buf, 0, &m, &e);
      if (r == -EAGAIN)
        continue;
      if (r < 0)
        {
          if (r == -EPROTO)
            {
              /* a monitor of another version: say so rather than guess */
              *err = TAKE_PTR (e);
              return r;
            }
          return 0;
        }
      if (m.type == MONITOR_MSG_ACK)
        return m.u.status.code < 0 ? m.u.status.code : 0;
      if (m.type == MONITOR_MSG_EXIT)
        return 0;
    }
}

int
monitor_wait_exit (int fd, int ms, int *code)
{
  struct timespec start;
  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      int left = -1;
      if (ms >= 0)
        {
          struct timespec now;
          clock_gettime (CLOCK_MONOTONIC, &now);
          long el = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
          left = el >= ms ? 0 : (int)(ms - el);
        }
      struct pollfd p = { .fd = fd, .events = POLLIN };
      int r = poll (&p, 1, left);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return -ETIMEDOUT;
      uint8_t buf[MONITOR_DGRAM_MAX];
      struct monitor_msg m;
      _cleanup_error_ struct error *e = NULL;
      r = monitor_msg_recv (fd, buf, 0, &m, &e);
      if (r == -EAGAIN || r == -EPROTO)
        continue;
      if (r < 0)
        return -EPIPE;
      if (m.type == MONITOR_MSG_EXIT)
        {
          *code = m.u.status.code;
          return 0;
        }
    }
}

/* ------------------------------------------------------------ the interactive stream */

static struct termios saved_tio;
static bool raw_mode;

static void
restore_tty (void)
{
  if (raw_mode)
    {
      tcsetattr (0, TCSADRAIN, &saved_tio);
      raw_mode = false;
    }
}

static void
send_size (int fd)
{
  struct winsize ws;
  if (ioctl (1, TIOCGWINSZ, &ws) == 0 || ioctl (0, TIOCGWINSZ, &ws) == 0)
    {
      struct monitor_msg m
          = { .type = MONITOR_MSG_RESIZE, .u.resize = { .rows = ws.ws_row, .cols = ws.ws_col } };
      monitor_msg_send (fd, &m, 0);
    }
}

int
monitor_attach_stream (int fd, const struct monitor_attach_opts *o, struct error **err)
{
  bool tty = o->tty;
  bool term = tty && isatty (0);
  if (term && tcgetattr (0, &saved_tio) == 0)
    {
      struct termios raw = saved_tio;
      cfmakeraw (&raw);
      if (tcsetattr (0, TCSADRAIN, &raw) == 0)
        {
          raw_mode = true;
          atexit (restore_tty);
        }
    }
  if (tty)
    send_size (fd);
  sigset_t mask;
  sigemptyset (&mask);
  sigaddset (&mask, SIGWINCH);
  if (o->sig_proxy && !tty)
    {
      sigaddset (&mask, SIGINT);
      sigaddset (&mask, SIGTERM);
      sigaddset (&mask, SIGHUP);
      sigaddset (&mask, SIGQUIT);
      sigaddset (&mask, SIGUSR1);
      sigaddset (&mask, SIGUSR2);
    }
  sigprocmask (SIG_BLOCK, &mask, NULL);
  int sfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  bool stdin_open = o->in;
  int detach_state = 0; /* ^P seen */
  int ret = -EPIPE;
  for (;;)
    {
      struct pollfd p[3] = {
        { .fd = fd, .events = POLLIN },
        { .fd = sfd, .events = POLLIN },
        { .fd = stdin_open ? 0 : -1, .events = POLLIN },
      };
      int n = poll (p, 3, -1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      if (p[1].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          while (read (sfd, &si, sizeof si) == sizeof si)
            {
              if (si.ssi_signo == SIGWINCH)
                send_size (fd);
              else
                {
                  struct monitor_msg m
                      = { .type = MONITOR_MSG_KILL, .u.sig.signal = (int32_t)si.ssi_signo };
                  monitor_msg_send (fd, &m, 0);
                }
            }
        }
      if (p[2].revents & (POLLIN | POLLHUP))
        {
          char buf[MONITOR_DATA_MAX];
          ssize_t r = read (0, buf, sizeof buf);
          if (r <= 0)
            {
              stdin_open = false;
              if (o->close_stdin_on_eof)
                send_simple (fd, MONITOR_MSG_STDIN_CLOSE);
            }
          else
            {
              if (term)
                {
                  /* docker's detach keys: ctrl-p ctrl-q */
                  for (ssize_t i = 0; i < r; i++)
                    {
                      if (detach_state && buf[i] == 0x11)
                        {
                          restore_tty ();
                          ret = -1;
                          goto out;
                        }
                      detach_state = buf[i] == 0x10;
                    }
                }
              struct monitor_msg m
                  = { .type = MONITOR_MSG_STDIN, .u.data = { .data = buf, .len = (size_t)r } };
              monitor_msg_send (fd, &m, 0);
            }
        }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          uint8_t buf[MONITOR_DGRAM_MAX];
          struct monitor_msg m;
          _cleanup_error_ struct error *e = NULL;
          int r = monitor_msg_recv (fd, buf, 0, &m, &e);
          if (r == -EAGAIN)
            continue;
          if (r == -EPROTO)
            {
              *err = TAKE_PTR (e);
              ret = -EPROTO;
              break;
            }
          if (r < 0)
            break;
          if (m.type == MONITOR_MSG_STDOUT)
            fs_write_all (1, m.u.data.data, m.u.data.len);
          else if (m.type == MONITOR_MSG_STDERR)
            fs_write_all (2, m.u.data.data, m.u.data.len);
          else if (m.type == MONITOR_MSG_EXIT)
            {
              ret = m.u.status.code;
              break;
            }
        }
    }
out:
  restore_tty ();
  if (sfd >= 0)
    close (sfd);
  sigprocmask (SIG_UNBLOCK, &mask, NULL);
  return ret;
}
