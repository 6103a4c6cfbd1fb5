/* attach.c - the attach server: clients of the attach socket (msg.c
 * datagrams), the container's output to the log and to every client, and
 * the clients' input to the container's stdin.  A slow client stops the
 * monitor from reading the container until it catches up (back-pressure,
 * as a pipe would), so no output is dropped; one pending datagram per
 * client is all the memory that takes.  The client side is client.c. */
#include "monitor/internal.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <termios.h>
#include <unistd.h>

/* ------------------------------------------------------------ clients */

static void
client_drop (struct mon *m, struct client *c)
{
  if (c->gone)
    return;
  c->gone = true;
  mon_ep_close (m, &c->w);
  free (c->pending);
  c->pending = NULL;
  if (m->stdin_blocked == c)
    m->stdin_blocked = NULL;
}

void
mon_clients_reap (struct mon *m)
{
  struct client **pp = &m->clients;
  while (*pp)
    {
      struct client *c = *pp;
      if (c->gone)
        {
          *pp = c->next;
          free (c);
        }
      else
        pp = &c->next;
    }
}

void
mon_output_pause (struct mon *m, bool pause)
{
  if (m->output_paused == pause)
    return;
  m->output_paused = pause;
  uint32_t ev = pause ? 0 : EPOLLIN;
  if (m->out.fd >= 0)
    mon_ep_mod (m, &m->out, ev);
  if (m->err.fd >= 0)
    mon_ep_mod (m, &m->err, ev);
}

static void
broadcast (struct mon *m, enum monitor_msg_type type, const char *data, size_t len)
{
  uint8_t msg[MONITOR_DGRAM_MAX];
  struct monitor_msg mm = { .type = type, .u.data = { .data = data, .len = len } };
  _cleanup_error_ struct error *e = NULL;
  if (monitor_msg_encode (&mm, msg, sizeof msg, &len, &e) < 0)
    {
      mon_log ("%s", e->msg);
      return;
    }
  for (struct client *c = m->clients; c; c = c->next)
    {
      if (c->gone || c->quiet)
        continue;
      ssize_t n = send (c->w.fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        {
          /* a slow reader: keep this message and stop reading the
           * container until it drains (backpressure, as a pipe would) */
          c->pending = malloc (len);
          if (c->pending == NULL)
            {
              client_drop (m, c);
              continue;
            }
          memcpy (c->pending, msg, len);
          c->pending_len = len;
          mon_ep_mod (m, &c->w, EPOLLIN | EPOLLOUT);
          mon_output_pause (m, true);
        }
      else
        client_drop (m, c);
    }
}

static void
client_flush (struct mon *m, struct client *c)
{
  if (c->pending == NULL)
    return;
  ssize_t n = send (c->w.fd, c->pending, c->pending_len, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return;
  free (c->pending);
  c->pending = NULL;
  if (n < 0)
    {
      client_drop (m, c);
    }
  else
    mon_ep_mod (m, &c->w, m->stdin_blocked == c ? 0 : EPOLLIN);
  for (struct client *o = m->clients; o; o = o->next)
    if (!o->gone && o->pending)
      return;
  mon_output_pause (m, false);
}

/* Send EXIT to everyone (after what is pending) and hang up; whether the
 * owner (the foreground run that finishes the container) got it. */
bool
mon_clients_exit (struct mon *m, int code)
{
  bool owner_told = false;
  struct monitor_msg x = { .type = MONITOR_MSG_EXIT, .u.status.code = code };
  for (struct client *c = m->clients; c; c = c->next)
    {
      if (c->gone)
        continue;
      int fl = fcntl (c->w.fd, F_GETFL);
      fcntl (c->w.fd, F_SETFL, fl & ~O_NONBLOCK);
      struct timeval tv = { .tv_sec = 2 };
      setsockopt (c->w.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      if (c->pending)
        send (c->w.fd, c->pending, c->pending_len, MSG_NOSIGNAL);
      if (monitor_msg_send (c->w.fd, &x, 0) == 0 && c->owner)
        owner_told = true;
      client_drop (m, c);
    }
  mon_clients_reap (m);
  mon_output_pause (m, false);
  return owner_told;
}

/* ------------------------------------------------------------ container I/O */

void
mon_on_output (struct mon *m, struct watch *w)
{
  char buf[MONITOR_DATA_MAX];
  ssize_t n = read (w->fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    {
      /* EOF (or EIO from a pty whose slave is gone) */
      if (w == &m->out)
        m->out_eof = true;
      else
        m->err_eof = true;
      mon_ep_close (m, w);
      return;
    }
  bool is_err = w == &m->err;
  log_writer_write (&m->log, is_err ? "stderr" : "stdout", buf, (size_t)n, now_ns ());
  broadcast (m, is_err ? MONITOR_MSG_STDERR : MONITOR_MSG_STDOUT, buf, (size_t)n);
}

static void
stdin_write (struct mon *m, struct client *c, const char *data, size_t len)
{
  int fd = m->in.fd;
  if (fd < 0)
    return;
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          char *p = malloc (len);
          if (p == NULL)
            return;
          memcpy (p, data, len);
          free (m->stdin_pending);
          m->stdin_pending = p;
          m->stdin_pending_len = len;
          m->stdin_blocked = c;
          if (c)
            mon_ep_mod (m, &c->w, c->pending ? EPOLLOUT : 0);
          mon_ep_mod (m, &m->in, EPOLLOUT);
          return;
        }
      if (n < 0)
        return; /* EPIPE: the container closed its stdin */
      data += n;
      len -= (size_t)n;
    }
}

void
mon_on_stdin_writable (struct mon *m)
{
  char *p = m->stdin_pending;
  size_t len = m->stdin_pending_len;
  struct client *c = m->stdin_blocked;
  m->stdin_pending = NULL;
  m->stdin_pending_len = 0;
  m->stdin_blocked = NULL;
  mon_ep_mod (m, &m->in, 0);
  if (p)
    {
      stdin_write (m, c, p, len);
      free (p);
    }
  if (m->stdin_blocked == NULL && c && !c->gone)
    mon_ep_mod (m, &c->w, EPOLLIN | (c->pending ? EPOLLOUT : 0));
}

void
mon_on_client (struct mon *m, struct client *c, uint32_t events)
{
  if (events & EPOLLOUT)
    client_flush (m, c);
  if (c->gone || !(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
    return;
  uint8_t buf[MONITOR_DGRAM_MAX];
  struct monitor_msg msg;
  _cleanup_error_ struct error *e = NULL;
  int n = monitor_msg_recv (c->w.fd, buf, MSG_DONTWAIT, &msg, &e);
  if (n == -EAGAIN)
    return;
  if (n < 0)
    {
      /* gone, or speaking something else (another version of hull): one
       * line in monitor.log, and the client is dropped rather than
       * misread */
      if (e)
        mon_log ("attach client: %s", e->msg);
      client_drop (m, c);
      return;
    }
  struct monitor_msg ack = { .type = MONITOR_MSG_ACK };
  switch (msg.type)
    {
    case MONITOR_MSG_STDIN:
      if (m->stdin_pending == NULL)
        stdin_write (m, c, msg.u.data.data, msg.u.data.len);
      break;
    case MONITOR_MSG_STDIN_CLOSE:
      if (!m->tty)
        mon_ep_close (m, &m->in);
      break;
    case MONITOR_MSG_RESIZE:
      if (m->tty && msg.u.resize.rows >= 0 && msg.u.resize.rows <= 0xffff && msg.u.resize.cols >= 0
          && msg.u.resize.cols <= 0xffff)
        {
          struct winsize ws = { .ws_row = (unsigned short)msg.u.resize.rows,
                                .ws_col = (unsigned short)msg.u.resize.cols };
          m->rows = ws.ws_row;
          m->cols = ws.ws_col;
          if (m->out.fd >= 0)
            ioctl (m->out.fd, TIOCSWINSZ, &ws);
        }
      break;
    case MONITOR_MSG_STOP:
      monitor_msg_send (c->w.fd, &ack, 0);
      mon_stop (m, msg.u.sig.signal, msg.u.sig.timeout);
      break;
    case MONITOR_MSG_KILL:
      {
        int sig = msg.u.sig.signal;
        if (sig == SIGKILL || sig == m->stop_signal)
          {
            m->stop_requested = true;
            m->st.stop_requested = true;
            if (m->phase == P_RESTART_WAIT)
              {
                monitor_msg_send (c->w.fd, &ack, 0);
                mon_arm (m->timer.fd, 0);
                mon_finish (m);
              }
          }
        if (m->phase != P_RUNNING)
          ack.u.status.code = -ESRCH;
        else
          {
            _cleanup_error_ struct error *e2 = NULL;
            ack.u.status.code = runtime_kill (&m->rt, m->id, sig, false, &e2);
          }
        monitor_msg_send (c->w.fd, &ack, 0);
        break;
      }
    case MONITOR_MSG_QUIET:
      c->quiet = true;
      break;
    case MONITOR_MSG_OWNER:
      m->caller_finishes = true;
      c->owner = true;
      break;
    default:
      mon_log ("attach client: unexpected `%s`", monitor_msg_type_name (msg.type));
      client_drop (m, c);
      break;
    }
}

void
mon_on_listen (struct mon *m)
{
  int fd = accept4 (m->listen.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0)
    return;
  struct client *c = calloc (1, sizeof *c);
  if (c == NULL)
    {
      close (fd);
      return;
    }
  c->w.kind = K_CLIENT;
  c->w.fd = fd;
  c->next = m->clients;
  m->clients = c;
  mon_ep_add (m, &c->w, EPOLLIN);
}
