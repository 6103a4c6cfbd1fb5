/* ctr.c - what the container verbs share: the engine and the attach client.
 * Docker's documents and their formatting are format.c's. */
#include "ctr.h"
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "engine/proto.h"
#include "engine/spec.h"
#ifdef HULL_HAVE_NET
#include "net/engine-ext.h"
#endif
#ifdef HULL_HAVE_VOLUME
#include "volume/engine-ext.h"
#endif
#include "registry/reference.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int
hull_open_engine (struct hull_ctx *ctx, struct engine **out, struct error **err)
{
  struct engine_paths p = { .root = ctx->root, .runroot = ctx->runroot };
#ifdef HULL_HAVE_NET
  net_engine_register ();
#endif
#ifdef HULL_HAVE_VOLUME
  volume_engine_register ();
#endif
  return engine_open (&p, out, err);
}

void
hull_pull_notice (const char *ref, void *data)
{
  fprintf (stderr, "Unable to find image `%s` locally\n", ref);
}

/* ------------------------------------------------------------ attach */

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
      uint16_t rc[2] = { ws.ws_row, ws.ws_col };
      attach_send (fd, ATTACH_RESIZE, rc, sizeof rc);
    }
}

int
hull_attach_stream (int fd, bool in, bool tty, bool close_stdin_on_eof, bool sig_proxy)
{
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
  if (sig_proxy && !tty)
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
  bool stdin_open = in;
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
                attach_send_i32 (fd, ATTACH_KILL, (int32_t) si.ssi_signo, 0, false);
            }
        }
      if (p[2].revents & (POLLIN | POLLHUP))
        {
          char buf[ATTACH_MSG_MAX - 1];
          ssize_t r = read (0, buf, sizeof buf);
          if (r <= 0)
            {
              stdin_open = false;
              if (close_stdin_on_eof)
                attach_send (fd, ATTACH_STDIN_CLOSE, NULL, 0);
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
              attach_send (fd, ATTACH_STDIN, buf, (size_t) r);
            }
        }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
        {
          char buf[ATTACH_MSG_MAX];
          ssize_t r = recv (fd, buf, sizeof buf, 0);
          if (r <= 0)
            break;
          if (buf[0] == ATTACH_STDOUT)
            fs_write_all (1, buf + 1, (size_t) r - 1);
          else if (buf[0] == ATTACH_STDERR)
            fs_write_all (2, buf + 1, (size_t) r - 1);
          else if (buf[0] == ATTACH_EXIT && r >= 5)
            {
              int32_t c;
              memcpy (&c, buf + 1, 4);
              ret = c;
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
