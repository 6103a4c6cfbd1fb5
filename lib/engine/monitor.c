/* monitor.c - hull-monitor (see monitor.h for what it is and why).
 *
 * One event loop (epoll) over: the container's stdout/stderr pipes (or its
 * pty master), the attach socket and its clients, a signalfd for SIGCHLD,
 * a timerfd for back-off / stop escalation / output drain, and one for
 * health checks.  Memory stays small: no buffer outlives a read, the
 * largest is one attach message per slow client.
 */
#include "engine/monitor.h"
#include "engine/proto.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "cgroup/cgroup.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum kind
{
  K_SIGNAL = 1,
  K_LISTEN,
  K_CLIENT,
  K_OUT,
  K_ERR,
  K_STDIN,
  K_RESULT,
  K_CONSOLE,
  K_TIMER,
  K_HEALTH_TIMER,
  K_HEALTH_OUT,
};

struct watch
{
  enum kind kind;
  int fd;
};

struct client
{
  struct watch w;      /* first: epoll data points here */
  bool quiet, owner, gone;
  char *pending;       /* one message that did not fit */
  size_t pending_len;
  struct client *next;
};

enum phase
{
  P_STARTING,
  P_RUNNING,
  P_DRAINING,       /* init exited: reading what is left in the pipes */
  P_RESTART_WAIT,
};

struct mon
{
  /* args */
  char *id, *runtime_root, *bundle, *rootfs, *log_dir, *hull, *root, *runroot;
  bool tty, open_stdin, auto_remove, loopback, cleanup_on_exit;
  int restart_policy, restart_max;
  char **health_test;
  int64_t h_interval, h_timeout, h_start;
  int h_retries;
  int stop_signal;
  uint64_t log_max_size;
  int log_max_file;
  unsigned short rows, cols;

  struct runtime_context rt;
  int ep, rundirfd, ctl;
  struct watch sig, listen, out, err, in, result, console, timer, htimer, hout;
  bool first_start, caller_removes, stop_requested, output_paused;
  enum phase phase;
  pid_t helper_pid, init_pid, health_pid;
  int exit_code;
  bool out_eof, err_eof;
  char result_buf[8192];
  size_t result_len;
  char *stdin_pending;
  size_t stdin_pending_len;
  struct client *stdin_blocked;
  char hbuf[HEALTH_OUTPUT_MAX];
  size_t hlen;
  int64_t hstart;
  bool htimed_out;
  int64_t backoff_ms, run_started;
  struct log_writer log;
  struct monitor_state st;
  struct cgroup *cg;
  uint64_t oom_before;
  struct client *clients;
  struct
  {
    pid_t pid;
    int status;
  } reaped[16];
  size_t n_reaped;
};

static void
logf_ (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
static void
logf_ (const char *fmt, ...)
{
  char ts[48];
  format_rfc3339nano (now_ns (), ts, sizeof ts);
  va_list ap;
  va_start (ap, fmt);
  fprintf (stderr, "%s hull-monitor[%d]: ", ts, (int) getpid ());
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
}

/* ------------------------------------------------------------ epoll */

static void
ep_add (struct mon *m, struct watch *w, uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.ptr = w };
  if (epoll_ctl (m->ep, EPOLL_CTL_ADD, w->fd, &ev) < 0)
    logf_ ("epoll add %d: %s", w->fd, strerror (errno));
}

static void
ep_mod (struct mon *m, struct watch *w, uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.ptr = w };
  epoll_ctl (m->ep, EPOLL_CTL_MOD, w->fd, &ev);
}

static void
ep_close (struct mon *m, struct watch *w)
{
  if (w->fd >= 0)
    {
      epoll_ctl (m->ep, EPOLL_CTL_DEL, w->fd, NULL);
      close (w->fd);
    }
  w->fd = -1;
}

static void
arm (int tfd, int64_t ms)
{
  struct itimerspec its = { 0 };
  if (ms > 0)
    {
      its.it_value.tv_sec = ms / 1000;
      its.it_value.tv_nsec = (ms % 1000) * 1000000;
    }
  timerfd_settime (tfd, 0, &its, NULL);
}

/* ------------------------------------------------------------ state file */

static void
save_state (struct mon *m)
{
  _cleanup_error_ struct error *e = NULL;
  if (monitor_state_write (m->rundirfd, &m->st, &e) < 0)
    logf_ ("state: %s", e->msg);
}

/* ------------------------------------------------------------ clients */

static void
client_drop (struct mon *m, struct client *c)
{
  if (c->gone)
    return;
  c->gone = true;
  ep_close (m, &c->w);
  free (c->pending);
  c->pending = NULL;
  if (m->stdin_blocked == c)
    m->stdin_blocked = NULL;
}

static void
clients_reap (struct mon *m)
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

static void
output_pause (struct mon *m, bool pause)
{
  if (m->output_paused == pause)
    return;
  m->output_paused = pause;
  uint32_t ev = pause ? 0 : EPOLLIN;
  if (m->out.fd >= 0)
    ep_mod (m, &m->out, ev);
  if (m->err.fd >= 0)
    ep_mod (m, &m->err, ev);
}

static void
broadcast (struct mon *m, char type, const char *data, size_t len)
{
  char msg[ATTACH_MSG_MAX];
  msg[0] = type;
  memcpy (msg + 1, data, len);
  for (struct client *c = m->clients; c; c = c->next)
    {
      if (c->gone || c->quiet)
        continue;
      ssize_t n = send (c->w.fd, msg, len + 1, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        {
          /* a slow reader: keep this message and stop reading the
           * container until it drains (backpressure, as a pipe would) */
          c->pending = malloc (len + 1);
          if (c->pending == NULL)
            {
              client_drop (m, c);
              continue;
            }
          memcpy (c->pending, msg, len + 1);
          c->pending_len = len + 1;
          ep_mod (m, &c->w, EPOLLIN | EPOLLOUT);
          output_pause (m, true);
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
    ep_mod (m, &c->w, m->stdin_blocked == c ? 0 : EPOLLIN);
  for (struct client *o = m->clients; o; o = o->next)
    if (!o->gone && o->pending)
      return;
  output_pause (m, false);
}

/* Send 'x' to everyone (after what is pending) and hang up. */
static void
clients_exit (struct mon *m, int code)
{
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
      attach_send_i32 (c->w.fd, ATTACH_EXIT, code, 0, false);
      client_drop (m, c);
    }
  clients_reap (m);
  output_pause (m, false);
}

/* ------------------------------------------------------------ container I/O */

static void
on_output (struct mon *m, struct watch *w)
{
  char buf[ATTACH_MSG_MAX - 1];
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
      ep_close (m, w);
      return;
    }
  bool is_err = w == &m->err;
  log_writer_write (&m->log, is_err ? "stderr" : "stdout", buf, (size_t) n, now_ns ());
  broadcast (m, is_err ? ATTACH_STDERR : ATTACH_STDOUT, buf, (size_t) n);
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
            ep_mod (m, &c->w, c->pending ? EPOLLOUT : 0);
          ep_mod (m, &m->in, EPOLLOUT);
          return;
        }
      if (n < 0)
        return; /* EPIPE: the container closed its stdin */
      data += n;
      len -= (size_t) n;
    }
}

static void
on_stdin_writable (struct mon *m)
{
  char *p = m->stdin_pending;
  size_t len = m->stdin_pending_len;
  struct client *c = m->stdin_blocked;
  m->stdin_pending = NULL;
  m->stdin_pending_len = 0;
  m->stdin_blocked = NULL;
  ep_mod (m, &m->in, 0);
  if (p)
    {
      stdin_write (m, c, p, len);
      free (p);
    }
  if (m->stdin_blocked == NULL && c && !c->gone)
    ep_mod (m, &c->w, EPOLLIN | (c->pending ? EPOLLOUT : 0));
}

/* ------------------------------------------------------------ start */

static int
cloexec_off (int fd)
{
  return fd < 0 ? 0 : fcntl (fd, F_SETFD, 0);
}

static void
reply (struct mon *m, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
reply (struct mon *m, const char *fmt, ...)
{
  if (m->ctl < 0)
    return;
  char buf[2048];
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  if (n > (int) sizeof buf - 1)
    n = (int) sizeof buf - 1;
  fs_write_all (m->ctl, buf, (size_t) n);
  close (m->ctl);
  m->ctl = -1;
}

static void finish (struct mon *m) __attribute__ ((noreturn));
static void on_exit_status (struct mon *m, int status);

static int
start_container (struct mon *m)
{
  int in_c = -1, out_c = -1, err_c = -1;
  int res[2] = { -1, -1 };
  m->out_eof = m->err_eof = false;
  if (m->tty)
    {
      unlinkat (m->rundirfd, MONITOR_CONSOLE, 0);
      int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      struct sockaddr_un sa = { .sun_family = AF_UNIX };
      strcpy (sa.sun_path, MONITOR_CONSOLE); /* relative: we live in the run directory */
      if (s < 0 || bind (s, (struct sockaddr *) &sa, sizeof sa) < 0 || listen (s, 1) < 0)
        {
          logf_ ("console socket: %s", strerror (errno));
          safe_close (s);
          return -1;
        }
      m->console.kind = K_CONSOLE;
      m->console.fd = s;
      ep_add (m, &m->console, EPOLLIN);
    }
  else
    {
      int p[2];
      if (m->open_stdin)
        {
          if (pipe2 (p, O_CLOEXEC) < 0)
            return -1;
          in_c = p[0];
          m->in.kind = K_STDIN;
          m->in.fd = p[1];
          fcntl (p[1], F_SETFL, O_NONBLOCK);
          ep_add (m, &m->in, 0);
        }
      else
        in_c = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (pipe2 (p, O_CLOEXEC) < 0)
        return -1;
      out_c = p[1];
      m->out.kind = K_OUT;
      m->out.fd = p[0];
      fcntl (p[0], F_SETFL, O_NONBLOCK);
      ep_add (m, &m->out, m->output_paused ? 0 : EPOLLIN);
      if (pipe2 (p, O_CLOEXEC) < 0)
        return -1;
      err_c = p[1];
      m->err.kind = K_ERR;
      m->err.fd = p[0];
      fcntl (p[0], F_SETFL, O_NONBLOCK);
      ep_add (m, &m->err, m->output_paused ? 0 : EPOLLIN);
    }
  if (pipe2 (res, O_CLOEXEC) < 0)
    return -1;
  char sin[16], sout[16], serr[16], sres[16];
  snprintf (sin, sizeof sin, "%d", in_c);
  snprintf (sout, sizeof sout, "%d", out_c);
  snprintf (serr, sizeof serr, "%d", err_c);
  snprintf (sres, sizeof sres, "%d", res[1]);
  char *argv[] = { (char *) "hull-monitor", (char *) "--helper", (char *) "create",
                   m->runtime_root, m->id, m->bundle, (char *) (m->tty ? "1" : "0"),
                   sin, sout, serr, sres, (char *) (m->loopback ? "1" : "0"), NULL };
  fflush (stderr);
  pid_t pid = fork ();
  if (pid < 0)
    {
      logf_ ("fork: %s", strerror (errno));
      return -1;
    }
  if (pid == 0)
    {
      cloexec_off (in_c);
      cloexec_off (out_c);
      cloexec_off (err_c);
      cloexec_off (res[1]);
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      struct error *e = NULL;
      /* re-executes from a sealed copy: the helper enters the container */
      runtime_protect_self_exe (argv, &e);
      dprintf (res[1], "err %d %s\n", e ? e->code : EIO, e ? e->msg : "re-exec failed");
      _exit (1);
    }
  m->helper_pid = pid;
  safe_close (in_c);
  safe_close (out_c);
  safe_close (err_c);
  close (res[1]);
  m->result.kind = K_RESULT;
  m->result.fd = res[0];
  m->result_len = 0;
  ep_add (m, &m->result, EPOLLIN);
  m->phase = P_STARTING;
  return 0;
}

static void
on_console (struct mon *m)
{
  int s = accept4 (m->console.fd, NULL, NULL, SOCK_CLOEXEC);
  if (s < 0)
    return;
  char data[256];
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { data, sizeof data };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                       .msg_controllen = sizeof u.buf };
  ssize_t n;
  do
    n = recvmsg (s, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  close (s);
  struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR (&mh) : NULL;
  if (c == NULL || c->cmsg_type != SCM_RIGHTS)
    {
      logf_ ("console: no pty received");
      return;
    }
  int master;
  memcpy (&master, CMSG_DATA (c), sizeof master);
  fcntl (master, F_SETFL, O_NONBLOCK);
  if (m->rows && m->cols)
    {
      struct winsize ws = { .ws_row = m->rows, .ws_col = m->cols };
      ioctl (master, TIOCSWINSZ, &ws);
    }
  m->out.kind = K_OUT;
  m->out.fd = master;
  /* input goes to the master too, through a second fd: epoll watches
   * each (fd, file) pair on its own, so reading and writing can be polled
   * separately */
  m->in.kind = K_STDIN;
  m->in.fd = fcntl (master, F_DUPFD_CLOEXEC, 3);
  if (m->in.fd >= 0)
    ep_add (m, &m->in, 0);
  ep_add (m, &m->out, m->output_paused ? 0 : EPOLLIN);
  m->err_eof = true;
  ep_close (m, &m->console);
  unlinkat (m->rundirfd, MONITOR_CONSOLE, 0);
}

static void
health_schedule (struct mon *m, int64_t ms)
{
  if (m->health_test && m->htimer.fd >= 0)
    arm (m->htimer.fd, ms);
}

static int64_t
h_interval_ms (struct mon *m)
{
  return (m->h_interval > 0 ? m->h_interval : 30000000000LL) / 1000000;
}

static void
started (struct mon *m, pid_t pid, const char *cgroup_json)
{
  m->init_pid = pid;
  m->phase = P_RUNNING;
  m->run_started = now_ns ();
  snprintf (m->st.status, sizeof m->st.status, "running");
  m->st.pid = pid;
  m->st.started_at = m->run_started;
  free (m->st.error);
  m->st.error = NULL;
  if (m->health_test && m->st.health.status[0] == '\0')
    snprintf (m->st.health.status, sizeof m->st.health.status, "starting");
  if (m->cg)
    cgroup_free (m->cg);
  m->cg = NULL;
  /* the helper read the cgroup while the init was sure to be alive
   * (blocked before its exec): a container that dies at once still has
   * its OOM kills counted */
  _cleanup_error_ struct error *e = NULL;
  _cleanup_json_ json_object *cj = NULL;
  if (cgroup_json && *cgroup_json && jsonx_parse (cgroup_json, strlen (cgroup_json), &cj, &e) == 0)
    {
      if (cgroup_from_json (cj, &m->cg, &e) < 0)
        m->cg = NULL;
    }
  else if (cgroup_from_pid (pid, &m->cg, &e) < 0)
    m->cg = NULL;
  /* every start gets a fresh cgroup (the runtime removes it at delete) */
  m->oom_before = 0;
  save_state (m);
  health_schedule (m, h_interval_ms (m));
  if (m->first_start)
    {
      m->first_start = false;
      reply (m, "ok %d\n", (int) pid);
      /* from here on we idle for the container's life: give back what
       * starting it took */
      malloc_trim (0);
    }
  if (m->stop_requested)
    {
      /* a stop arrived while we were starting */
      _cleanup_error_ struct error *e3 = NULL;
      runtime_kill (&m->rt, m->id, m->stop_signal, false, &e3);
    }
  /* it may already have exited (reaped before we knew its pid) */
  for (size_t i = 0; i < m->n_reaped; i++)
    if (m->reaped[i].pid == pid)
      {
        int st = m->reaped[i].status;
        m->reaped[i] = m->reaped[--m->n_reaped];
        on_exit_status (m, st);
        return;
      }
}

static void
on_result (struct mon *m)
{
  ssize_t n = read (m->result.fd, m->result_buf + m->result_len,
                    sizeof m->result_buf - 1 - m->result_len);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n > 0)
    {
      m->result_len += (size_t) n;
      if (m->result_len < sizeof m->result_buf - 1)
        return; /* until EOF: the helper writes one line then exits */
    }
  m->result_buf[m->result_len] = '\0';
  ep_close (m, &m->result);
  char *nl = strchr (m->result_buf, '\n');
  if (nl)
    *nl = '\0';
  int pid = 0, off = 0;
  if (sscanf (m->result_buf, "ok %d %n", &pid, &off) == 1 && pid > 0)
    {
      started (m, pid, off > 0 ? m->result_buf + off : NULL);
      return;
    }
  int code = EIO;
  const char *msg = "the start helper died";
  char *sp;
  if (strncmp (m->result_buf, "err ", 4) == 0 && (sp = strchr (m->result_buf + 4, ' ')))
    {
      code = atoi (m->result_buf + 4);
      msg = sp + 1;
    }
  logf_ ("start failed: %s", msg);
  free (m->st.error);
  m->st.error = strdup (msg);
  if (m->first_start)
    {
      /* the CLI reports it and removes what must go (--rm): nothing else
       * to do here but clean up the runtime's side, no exit command */
      reply (m, "err %d %s\n", code, msg);
      m->auto_remove = false;
      m->cleanup_on_exit = false;
      m->st.exit_code = code == ENOENT ? 127 : code == EACCES ? 126 : 128;
      m->stop_requested = true;
      m->first_start = false;
      m->phase = P_RUNNING;
      m->init_pid = -1;
      on_exit_status (m, m->st.exit_code << 8);
      return;
    }
  /* a restart that failed counts as an exit with 128: the policy decides */
  m->init_pid = -1;
  on_exit_status (m, 128 << 8);
}

/* ------------------------------------------------------------ exit */

static void
cleanup_runtime (struct mon *m)
{
  _cleanup_error_ struct error *e = NULL;
  if (runtime_delete (&m->rt, m->id, true, &e) < 0 && e->code != ENOENT)
    logf_ ("delete: %s", e->msg);
}

static void
restart_or_finish (struct mon *m)
{
  /* the OOM killer kills with SIGKILL: only then is it worth reading the
   * cgroup's counters */
  if (m->cg && m->exit_code == 128 + SIGKILL)
    {
      struct cgroup_stats cs;
      memset (&cs, 0, sizeof cs);
      _cleanup_error_ struct error *e = NULL;
      if (cgroup_stats (m->cg, &cs, &e) == 0 && cs.oom_kill_events > m->oom_before)
        m->st.oom_killed = true;
    }
  if (m->cg)
    {
      cgroup_free (m->cg);
      m->cg = NULL;
    }
  m->st.exit_code = m->exit_code;
  m->st.finished_at = now_ns ();
  m->st.pid = 0;
  cleanup_runtime (m);
  arm (m->htimer.fd, 0);
  if (m->health_pid > 0)
    kill (m->health_pid, SIGKILL);
  if (restart_should (m->restart_policy, m->restart_max, m->st.restart_count, m->exit_code,
                      m->stop_requested))
    {
      int64_t ran = (m->st.finished_at - m->run_started) / 1000000;
      m->backoff_ms = restart_backoff_next (m->backoff_ms, ran);
      snprintf (m->st.status, sizeof m->st.status, "restarting");
      save_state (m);
      clients_exit (m, m->exit_code);
      m->phase = P_RESTART_WAIT;
      arm (m->timer.fd, m->backoff_ms);
      return;
    }
  finish (m);
}

static void
on_exit_status (struct mon *m, int status)
{
  m->exit_code = WIFEXITED (status)     ? WEXITSTATUS (status)
                 : WIFSIGNALED (status) ? 128 + WTERMSIG (status)
                                        : 255;
  m->init_pid = -1;
  m->phase = P_DRAINING;
  if ((m->out.fd < 0 || m->out_eof) && (m->err.fd < 0 || m->err_eof))
    {
      restart_or_finish (m);
      return;
    }
  /* what the container wrote last is still in the pipes */
  arm (m->timer.fd, 2000);
}

static void
drained (struct mon *m)
{
  if (m->phase != P_DRAINING)
    return;
  /* once everything is read: only then the exit counts */
  if ((m->out.fd < 0 || m->out_eof) && (m->err.fd < 0 || m->err_eof))
    {
      arm (m->timer.fd, 0);
      restart_or_finish (m);
    }
}

static void
close_stdio (struct mon *m)
{
  ep_close (m, &m->out);
  ep_close (m, &m->err);
  ep_close (m, &m->in);
  ep_close (m, &m->console);
  free (m->stdin_pending);
  m->stdin_pending = NULL;
}

static void
finish (struct mon *m)
{
  snprintf (m->st.status, sizeof m->st.status, "exited");
  close_stdio (m);
  /* the container's root: mounted by the engine for this run */
  if (m->rootfs && umount2 (m->rootfs, UMOUNT_NOFOLLOW) < 0 && errno == EBUSY)
    umount2 (m->rootfs, MNT_DETACH | UMOUNT_NOFOLLOW);
  save_state (m);
  bool owner_removes = false;
  for (struct client *c = m->clients; c; c = c->next)
    owner_removes |= !c->gone && c->owner && m->caller_removes;
  clients_exit (m, m->exit_code);
  if (((m->auto_remove && !owner_removes) || m->cleanup_on_exit) && m->hull)
    {
      /* --rm with nobody left to do it, or what extensions set up for the
       * container (networks) to release now rather than at the next hull
       * command: become the engine's cleanup command (it needs the
       * database, which we do not link).  Our lock goes with the exec
       * (O_CLOEXEC): the cleanup sees no monitor. */
      char *argv[] = { m->hull, (char *) "--root", m->root, (char *) "--runroot", m->runroot,
                       (char *) "container", (char *) "cleanup", m->id, NULL };
      execv (m->hull, argv);
      logf_ ("exec `%s`: %s", m->hull, strerror (errno));
    }
  _exit (0);
}

/* ------------------------------------------------------------ signals, children */

static void
on_health_done (struct mon *m, int status);

static void
on_sigchld (struct mon *m)
{
  struct signalfd_siginfo si;
  while (read (m->sig.fd, &si, sizeof si) == sizeof si)
    ;
  for (;;)
    {
      int status;
      pid_t pid = waitpid (-1, &status, WNOHANG);
      if (pid <= 0)
        break;
      if (pid == m->helper_pid)
        {
          m->helper_pid = 0;
          continue;
        }
      if (pid == m->health_pid)
        {
          m->health_pid = 0;
          on_health_done (m, status);
          continue;
        }
      if (pid == m->init_pid && m->phase == P_RUNNING)
        {
          on_exit_status (m, status);
          continue;
        }
      if (m->phase == P_STARTING && m->n_reaped < ARRAY_SIZE (m->reaped))
        {
          /* maybe the init, exited before the helper told us its pid */
          m->reaped[m->n_reaped].pid = pid;
          m->reaped[m->n_reaped].status = status;
          m->n_reaped++;
        }
    }
}

/* ------------------------------------------------------------ health */

static void
health_start (struct mon *m)
{
  if (m->phase != P_RUNNING || m->health_pid > 0)
    return;
  if (m->cg)
    {
      bool frozen = false;
      _cleanup_error_ struct error *e = NULL;
      if (cgroup_is_frozen (m->cg, &frozen, &e) == 0 && frozen)
        {
          health_schedule (m, h_interval_ms (m)); /* paused: not now */
          return;
        }
    }
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return;
  _cleanup_strv_ char **argv = NULL;
  char sout[16];
  snprintf (sout, sizeof sout, "%d", p[1]);
  strv_push (&argv, "hull-monitor");
  strv_push (&argv, "--helper");
  strv_push (&argv, "exec");
  strv_push (&argv, m->runtime_root);
  strv_push (&argv, m->id);
  strv_push (&argv, sout);
  strv_push (&argv, "--");
  if (strcmp (m->health_test[0], "CMD-SHELL") == 0)
    {
      strv_push (&argv, "/bin/sh");
      strv_push (&argv, "-c");
      strv_push (&argv, m->health_test[1] ? m->health_test[1] : "");
    }
  else
    for (size_t i = 1; m->health_test[i]; i++)
      strv_push (&argv, m->health_test[i]);
  fflush (stderr);
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return;
    }
  if (pid == 0)
    {
      cloexec_off (p[1]);
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      struct error *e = NULL;
      runtime_protect_self_exe (argv, &e);
      dprintf (p[1], "%s\n", e ? e->msg : "re-exec failed");
      _exit (126);
    }
  close (p[1]);
  m->health_pid = pid;
  m->hout.kind = K_HEALTH_OUT;
  m->hout.fd = p[0];
  fcntl (p[0], F_SETFL, O_NONBLOCK);
  ep_add (m, &m->hout, EPOLLIN);
  m->hlen = 0;
  m->hstart = now_ns ();
  m->htimed_out = false;
  health_schedule (m, (m->h_timeout > 0 ? m->h_timeout : 30000000000LL) / 1000000);
}

static void
on_health_out (struct mon *m)
{
  char buf[1024];
  ssize_t n = read (m->hout.fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    {
      ep_close (m, &m->hout);
      return;
    }
  size_t take = (size_t) n;
  if (take > sizeof m->hbuf - m->hlen)
    take = sizeof m->hbuf - m->hlen;
  memcpy (m->hbuf + m->hlen, buf, take);
  m->hlen += take;
}

static void
on_health_timer (struct mon *m)
{
  if (m->health_pid > 0)
    {
      /* timed out: the helper and the process it runs in the container */
      m->htimed_out = true;
      char buf[32] = "";
      _cleanup_close_ int fd = openat (m->rundirfd, MONITOR_HEALTH_PID, O_RDONLY | O_CLOEXEC);
      if (fd >= 0 && read (fd, buf, sizeof buf - 1) > 0)
        {
          int pid = atoi (buf);
          if (pid > 1)
            kill (pid, SIGKILL);
        }
      kill (m->health_pid, SIGKILL);
      return;
    }
  health_start (m);
}

static void
on_health_done (struct mon *m, int status)
{
  if (m->hout.fd >= 0)
    {
      while (m->hout.fd >= 0)
        {
          size_t before = m->hlen;
          on_health_out (m);
          if (m->hout.fd >= 0 && m->hlen == before)
            break;
        }
      ep_close (m, &m->hout);
    }
  unlinkat (m->rundirfd, MONITOR_HEALTH_PID, 0);
  int code = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  struct monitor_health *h = &m->st.health;
  if (h->n_log == HEALTH_LOG_MAX)
    {
      free (h->log[0].output);
      memmove (&h->log[0], &h->log[1], sizeof h->log[0] * (HEALTH_LOG_MAX - 1));
      h->n_log--;
    }
  size_t k = h->n_log++;
  h->log[k].start = m->hstart;
  h->log[k].end = now_ns ();
  if (m->htimed_out)
    {
      code = -1;
      char msg[96];
      snprintf (msg, sizeof msg, "Health check exceeded timeout (%llds)",
                (long long) ((m->h_timeout > 0 ? m->h_timeout : 30000000000LL) / 1000000000));
      h->log[k].output = strdup (msg);
    }
  else
    h->log[k].output = strndup (m->hbuf, m->hlen);
  h->log[k].exit_code = code;
  if (m->phase != P_RUNNING)
    return;
  if (code == 0)
    {
      snprintf (h->status, sizeof h->status, "healthy");
      h->failing_streak = 0;
    }
  else
    {
      bool in_start = strcmp (h->status, "starting") == 0
                      && now_ns () - m->run_started < m->h_start;
      if (!in_start)
        {
          h->failing_streak++;
          if (h->failing_streak >= (m->h_retries > 0 ? m->h_retries : 3))
            snprintf (h->status, sizeof h->status, "unhealthy");
        }
    }
  save_state (m);
  health_schedule (m, h_interval_ms (m));
}

/* ------------------------------------------------------------ attach messages */

static void
do_stop (struct mon *m, int sig, int secs)
{
  m->stop_requested = true;
  m->st.stop_requested = true;
  if (m->phase == P_RESTART_WAIT)
    {
      arm (m->timer.fd, 0);
      finish (m);
    }
  if (m->phase != P_RUNNING)
    return;
  _cleanup_error_ struct error *e = NULL;
  if (runtime_kill (&m->rt, m->id, sig > 0 ? sig : m->stop_signal, false, &e) < 0)
    logf_ ("stop: %s", e->msg);
  if (secs >= 0)
    arm (m->timer.fd, secs == 0 ? 1 : (int64_t) secs * 1000);
}

static void
on_client (struct mon *m, struct client *c, uint32_t events)
{
  if (events & EPOLLOUT)
    client_flush (m, c);
  if (c->gone || !(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
    return;
  char buf[ATTACH_MSG_MAX];
  ssize_t n = recv (c->w.fd, buf, sizeof buf, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    {
      client_drop (m, c);
      return;
    }
  int32_t a = 0, b = 0;
  if (n >= 5)
    memcpy (&a, buf + 1, 4);
  if (n >= 9)
    memcpy (&b, buf + 5, 4);
  switch (buf[0])
    {
    case ATTACH_STDIN:
      if (m->stdin_pending == NULL)
        stdin_write (m, c, buf + 1, (size_t) n - 1);
      break;
    case ATTACH_STDIN_CLOSE:
      if (!m->tty)
        ep_close (m, &m->in);
      break;
    case ATTACH_RESIZE:
      if (m->tty && n >= 5)
        {
          uint16_t rc[2];
          memcpy (rc, buf + 1, sizeof rc);
          struct winsize ws = { .ws_row = rc[0], .ws_col = rc[1] };
          m->rows = rc[0];
          m->cols = rc[1];
          if (m->out.fd >= 0)
            ioctl (m->out.fd, TIOCSWINSZ, &ws);
        }
      break;
    case ATTACH_STOP:
      attach_send_i32 (c->w.fd, ATTACH_ACK, 0, 0, false);
      do_stop (m, a, b);
      break;
    case ATTACH_KILL:
      {
        int r = 0;
        if (a == SIGKILL || a == m->stop_signal)
          {
            m->stop_requested = true;
            m->st.stop_requested = true;
            if (m->phase == P_RESTART_WAIT)
              {
                attach_send_i32 (c->w.fd, ATTACH_ACK, 0, 0, false);
                arm (m->timer.fd, 0);
                finish (m);
              }
          }
        if (m->phase != P_RUNNING)
          r = -ESRCH;
        else
          {
            _cleanup_error_ struct error *e = NULL;
            r = runtime_kill (&m->rt, m->id, a, false, &e);
          }
        attach_send_i32 (c->w.fd, ATTACH_ACK, r, 0, false);
        break;
      }
    case ATTACH_QUIET:
      c->quiet = true;
      break;
    case ATTACH_CALLER_REMOVES:
      m->caller_removes = true;
      c->owner = true;
      break;
    default:
      break;
    }
}

static void
on_listen (struct mon *m)
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
  ep_add (m, &c->w, EPOLLIN);
}

static void
on_timer (struct mon *m)
{
  uint64_t x;
  if (read (m->timer.fd, &x, sizeof x) < 0)
    return;
  switch (m->phase)
    {
    case P_RUNNING:
      /* stop timeout: no more asking */
      {
        _cleanup_error_ struct error *e = NULL;
        if (runtime_kill (&m->rt, m->id, SIGKILL, true, &e) < 0)
          logf_ ("kill: %s", e->msg);
      }
      break;
    case P_DRAINING:
      /* someone still holds the pipes (a process that escaped the pid
       * namespace, e.g. sharing the host's): stop waiting */
      m->out_eof = m->err_eof = true;
      restart_or_finish (m);
      break;
    case P_RESTART_WAIT:
      m->st.restart_count++;
      close_stdio (m);
      if (start_container (m) < 0)
        {
          m->exit_code = 128;
          restart_or_finish (m);
        }
      break;
    default:
      break;
    }
}

/* ------------------------------------------------------------ args */

static int
read_args (struct mon *m, struct error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (fs_read_fd (MONITOR_FD_CTL, 1 << 20, &text, &len, err) < 0)
    return -1;
  _cleanup_json_ json_object *o = NULL;
  if (jsonx_parse (text, len, &o, err) < 0)
    return -1;
  const char *s;
  struct
  {
    const char *key;
    char **dst;
  } strs[] = {
    { "id", &m->id },           { "runtime_root", &m->runtime_root }, { "bundle", &m->bundle },
    { "rootfs", &m->rootfs },   { "log_dir", &m->log_dir },           { "hull", &m->hull },
    { "root", &m->root },       { "runroot", &m->runroot },
  };
  for (size_t i = 0; i < ARRAY_SIZE (strs); i++)
    if (jsonx_get_string (o, strs[i].key, &s, err) == 1)
      *strs[i].dst = strdup (s);
  bool b;
  if (jsonx_get_bool (o, "tty", &b, err) == 1)
    m->tty = b;
  if (jsonx_get_bool (o, "open_stdin", &b, err) == 1)
    m->open_stdin = b;
  if (jsonx_get_bool (o, "auto_remove", &b, err) == 1)
    m->auto_remove = b;
  if (jsonx_get_bool (o, "loopback", &b, err) == 1)
    m->loopback = b;
  if (jsonx_get_bool (o, "caller_removes", &b, err) == 1)
    m->caller_removes = b;
  if (jsonx_get_bool (o, "cleanup_on_exit", &b, err) == 1)
    m->cleanup_on_exit = b;
  int64_t v;
  if (jsonx_get_int64 (o, "restart_policy", &v, err) == 1)
    m->restart_policy = (int) v;
  if (jsonx_get_int64 (o, "restart_max", &v, err) == 1)
    m->restart_max = (int) v;
  if (jsonx_get_int64 (o, "restart_count", &v, err) == 1)
    m->st.restart_count = (int) v;
  if (jsonx_get_int64 (o, "stop_signal", &v, err) == 1)
    m->stop_signal = (int) v;
  if (jsonx_get_int64 (o, "log_max_size", &v, err) == 1)
    m->log_max_size = (uint64_t) v;
  if (jsonx_get_int64 (o, "log_max_file", &v, err) == 1)
    m->log_max_file = (int) v;
  if (jsonx_get_int64 (o, "rows", &v, err) == 1)
    m->rows = (unsigned short) v;
  if (jsonx_get_int64 (o, "cols", &v, err) == 1)
    m->cols = (unsigned short) v;
  json_object *h;
  if (jsonx_get_object (o, "health", &h, err) == 1)
    {
      jsonx_get_strv (h, "test", &m->health_test, err);
      jsonx_get_int64 (h, "interval", &m->h_interval, err);
      jsonx_get_int64 (h, "timeout", &m->h_timeout, err);
      jsonx_get_int64 (h, "start_period", &m->h_start, err);
      if (jsonx_get_int64 (h, "retries", &v, err) == 1)
        m->h_retries = (int) v;
    }
  if (*err)
    return -1;
  if (!m->id || !m->runtime_root || !m->bundle || !m->log_dir)
    return error_set (err, EINVAL, "monitor: incomplete arguments");
  if (m->health_test && (m->health_test[0] == NULL
                         || (strcmp (m->health_test[0], "CMD") && strcmp (m->health_test[0], "CMD-SHELL"))
                         || m->health_test[1] == NULL))
    {
      strv_free (m->health_test);
      m->health_test = NULL;
    }
  if (m->stop_signal <= 0)
    m->stop_signal = SIGTERM;
  return 0;
}

/* ------------------------------------------------------------ helpers */

static int
loopback_up (pid_t pid, struct error **err)
{
  char p[64];
  snprintf (p, sizeof p, "/proc/%d/ns/net", (int) pid);
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

/* hull-monitor --helper create RTROOT ID BUNDLE TTY IN OUT ERR RES LO */
static int
helper_create (int argc, char **argv)
{
  if (argc < 12)
    return 2;
  int res = atoi (argv[10]);
  struct runtime_context ctx = { .state_root = argv[3] };
  const char *id = argv[4];
  struct runtime_create_options o = {
    .bundle = argv[5],
    .console_socket = strcmp (argv[6], "1") == 0 ? MONITOR_CONSOLE : NULL,
    .pid_file = "init.pid",
    .stdio_fds = { atoi (argv[7]), atoi (argv[8]), atoi (argv[9]) },
  };
  for (int i = 0; i < 3; i++)
    if (o.stdio_fds[i] < 3)
      o.stdio_fds[i] = -1;
  struct error *e = NULL;
  if (runtime_create (&ctx, id, &o, &e) < 0)
    {
      dprintf (res, "err %d %s\n", e->code, e->msg);
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
  if (pid > 0 && strcmp (argv[11], "1") == 0 && loopback_up (pid, &e) < 0)
    goto fail;
  if (runtime_start (&ctx, id, &e) < 0)
    goto fail;
  dprintf (res, "ok %d %s\n", (int) pid, cgj && strlen (cgj) < 7000 ? cgj : "");
  return 0;
fail:
  dprintf (res, "err %d %s\n", e->code, e->msg);
  {
    struct error *e2 = NULL;
    runtime_delete (&ctx, id, true, &e2);
    error_free (e2);
  }
  return 1;
}

/* hull-monitor --helper exec RTROOT ID OUT -- ARGV... */
static int
helper_exec (int argc, char **argv)
{
  if (argc < 8 || strcmp (argv[6], "--") != 0)
    return 2;
  struct runtime_context ctx = { .state_root = argv[3] };
  int out = atoi (argv[5]);
  int nul = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (nul >= 0 && nul < 3)
    {
      int d = fcntl (nul, F_DUPFD_CLOEXEC, 3);
      close (nul);
      nul = d;
    }
  struct runtime_exec_options o = {
    .argv = argv + 7,
    .pid_file = MONITOR_HEALTH_PID,
    .stdio_fds = { nul, out, out },
  };
  int status = 0;
  struct error *e = NULL;
  if (runtime_exec (&ctx, argv[4], &o, &status, &e) < 0)
    {
      dprintf (out, "%s\n", e->msg);
      return e->code == ENOENT ? 127 : 126;
    }
  return status;
}

/* ------------------------------------------------------------ main */

int
monitor_main (int argc, char **argv)
{
  if (argc >= 3 && strcmp (argv[1], "--helper") == 0)
    {
      if (strcmp (argv[2], "create") == 0)
        return helper_create (argc, argv);
      if (strcmp (argv[2], "exec") == 0)
        return helper_exec (argc, argv);
      return 2;
    }
  if (argc != 1 && !(argc == 2 && strcmp (argv[1], "--monitor") == 0))
    {
      fprintf (stderr, "hull-monitor is started by hull; it takes no arguments\n");
      return 2;
    }
  static struct mon mon;
  struct mon *m = &mon;
  m->ctl = MONITOR_FD_CTL;
  m->first_start = true;
  m->sig.fd = m->listen.fd = m->out.fd = m->err.fd = m->in.fd = m->result.fd = -1;
  m->console.fd = m->timer.fd = m->htimer.fd = m->hout.fd = -1;
  m->init_pid = -1;
  fcntl (MONITOR_FD_CTL, F_SETFD, FD_CLOEXEC);
  fcntl (MONITOR_FD_LOCK, F_SETFD, FD_CLOEXEC);
  /* before anything else opens a file that would take its number */
  bool have_attach = fcntl (MONITOR_FD_ATTACH, F_SETFD, FD_CLOEXEC) == 0;
  signal (SIGPIPE, SIG_IGN);
  signal (SIGHUP, SIG_IGN);
  signal (SIGINT, SIG_IGN);

  struct error *e = NULL;
  if (read_args (m, &e) < 0)
    {
      dprintf (MONITOR_FD_CTL, "err %d monitor: %s\n", e->code, e->msg);
      return 1;
    }
  m->rt.state_root = m->runtime_root;
  m->rundirfd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  /* the container's init is reparented to us when the helper exits */
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  prctl (PR_SET_NAME, "hull-monitor", 0, 0, 0);

  sigset_t mask;
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  m->ep = epoll_create1 (EPOLL_CLOEXEC);
  m->sig.kind = K_SIGNAL;
  m->sig.fd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  m->timer.kind = K_TIMER;
  m->timer.fd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  m->htimer.kind = K_HEALTH_TIMER;
  m->htimer.fd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (m->ep < 0 || m->sig.fd < 0 || m->timer.fd < 0 || m->htimer.fd < 0)
    {
      dprintf (MONITOR_FD_CTL, "err %d monitor: %s\n", errno, strerror (errno));
      return 1;
    }
  ep_add (m, &m->sig, EPOLLIN);
  ep_add (m, &m->timer, EPOLLIN);
  ep_add (m, &m->htimer, EPOLLIN);

  /* the attach socket, bound relative to our cwd (the run directory): its
   * absolute path may not fit in sun_path */
  unlinkat (m->rundirfd, MONITOR_ATTACH, 0);
  m->listen.kind = K_LISTEN;
  m->listen.fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  strcpy (sa.sun_path, MONITOR_ATTACH);
  if (m->listen.fd < 0 || bind (m->listen.fd, (struct sockaddr *) &sa, sizeof sa) < 0
      || listen (m->listen.fd, 64) < 0)
    {
      dprintf (MONITOR_FD_CTL, "err %d monitor: attach socket: %s\n", errno, strerror (errno));
      return 1;
    }
  ep_add (m, &m->listen, EPOLLIN);

  if (have_attach)
    {
      fcntl (MONITOR_FD_ATTACH, F_SETFL, O_NONBLOCK);
      struct client *c = calloc (1, sizeof *c);
      c->w.kind = K_CLIENT;
      c->w.fd = MONITOR_FD_ATTACH;
      c->owner = true;
      m->clients = c;
      ep_add (m, &c->w, EPOLLIN);
    }

  _cleanup_close_ int logdir = open (m->log_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (logdir < 0 || log_writer_open (&m->log, logdir, "ctr.log", m->log_max_size,
                                     m->log_max_file, &e) < 0)
    {
      dprintf (MONITOR_FD_CTL, "err %d monitor: log: %s\n", e ? e->code : errno,
               e ? e->msg : strerror (errno));
      return 1;
    }
  unlinkat (m->rundirfd, MONITOR_STATE, 0);
  snprintf (m->st.status, sizeof m->st.status, "starting");
  if (start_container (m) < 0)
    {
      dprintf (MONITOR_FD_CTL, "err %d monitor: cannot start the helper: %s\n", errno,
               strerror (errno));
      return 1;
    }

  for (;;)
    {
      struct epoll_event evs[16];
      int n = epoll_wait (m->ep, evs, 16, -1);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          logf_ ("epoll: %s", strerror (errno));
          _exit (1);
        }
      /* the helper's word first: it tells which pid is the init */
      for (int i = 0; i < n; i++)
        if (evs[i].data.ptr == &m->result && m->result.fd >= 0)
          on_result (m);
      for (int i = 0; i < n; i++)
        {
          struct watch *w = evs[i].data.ptr;
          switch (w->kind)
            {
            case K_SIGNAL:
              on_sigchld (m);
              break;
            case K_LISTEN:
              on_listen (m);
              break;
            case K_CLIENT:
              on_client (m, (struct client *) w, evs[i].events);
              break;
            case K_OUT:
            case K_ERR:
              if (w->fd >= 0)
                {
                  on_output (m, w);
                  drained (m);
                }
              break;
            case K_STDIN:
              if (m->in.fd >= 0)
                on_stdin_writable (m);
              break;
            case K_RESULT:
              break;
            case K_CONSOLE:
              if (m->console.fd >= 0)
                on_console (m);
              break;
            case K_TIMER:
              on_timer (m);
              break;
            case K_HEALTH_TIMER:
              {
                uint64_t x;
                if (read (m->htimer.fd, &x, sizeof x) > 0)
                  on_health_timer (m);
                break;
              }
            case K_HEALTH_OUT:
              if (m->hout.fd >= 0)
                on_health_out (m);
              break;
            }
        }
      clients_reap (m);
    }
}
