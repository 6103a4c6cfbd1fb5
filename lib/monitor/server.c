/* server.c - hull-monitor (see monitor.h for what it is and why).
 *
 * One event loop (epoll) over: the container's stdout/stderr pipes (or its
 * pty master), the attach socket and its clients, a signalfd for SIGCHLD,
 * a timerfd for back-off / stop escalation / output drain, and one for
 * health checks.  Memory stays small: no buffer outlives a read, the
 * largest is one attach message per slow client.
 */
#include "monitor/monitor.h"
#include "monitor/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "cgroup/cgroup.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void
mon_log (const char *fmt, ...)
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

void
mon_ep_add (struct mon *m, struct watch *w, uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.ptr = w };
  if (epoll_ctl (m->ep, EPOLL_CTL_ADD, w->fd, &ev) < 0)
    mon_log ("epoll add %d: %s", w->fd, strerror (errno));
}

void
mon_ep_mod (struct mon *m, struct watch *w, uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.ptr = w };
  epoll_ctl (m->ep, EPOLL_CTL_MOD, w->fd, &ev);
}

void
mon_ep_close (struct mon *m, struct watch *w)
{
  if (w->fd >= 0)
    {
      epoll_ctl (m->ep, EPOLL_CTL_DEL, w->fd, NULL);
      close (w->fd);
    }
  w->fd = -1;
}

void
mon_arm (int tfd, int64_t ms)
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

void
mon_save_state (struct mon *m)
{
  _cleanup_error_ struct error *e = NULL;
  if (monitor_state_write (m->rundirfd, &m->st, &e) < 0)
    mon_log ("state: %s", e->msg);
}

/* ------------------------------------------------------------ start */

/* The engine's answer on the spawn socket, once. */
static void
reply (struct mon *m, const struct monitor_msg *r)
{
  if (m->ctl < 0)
    return;
  _cleanup_error_ struct error *e = NULL;
  if (monitor_msg_write (m->ctl, r, &e) < 0)
    mon_log ("reply: %s", e->msg);
  close (m->ctl);
  m->ctl = -1;
}

static void
reply_error (struct mon *m, int code, const char *msg)
{
  struct monitor_msg r = { .type = MONITOR_MSG_ERROR,
                           .u.error = { .code = code, .message = msg } };
  reply (m, &r);
}

/* Run a helper: fork, hand it req on a pipe, re-execute from a sealed copy
 * (runtime_protect_self_exe: the helper enters the container, so it must
 * not run from the binary on disk a container could overwrite,
 * CVE-2019-5736).  keep[] are fds the helper inherits; a failure to get
 * there goes to errfd (as ERROR, or as text for a health check's output).
 * Its pid, or -1. */
pid_t
mon_helper_spawn (struct mon *m, const struct monitor_msg *req, const int *keep,
                  size_t n_keep, int errfd, bool err_as_text)
{
  (void) m;
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  char sfd[16];
  snprintf (sfd, sizeof sfd, "%d", p[0]);
  char *argv[] = { (char *) "hull-monitor", (char *) "--helper", sfd, NULL };
  fflush (stderr);
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      mon_log ("fork: %s", strerror (errno));
      return -1;
    }
  if (pid == 0)
    {
      close (p[1]);
      fcntl (p[0], F_SETFD, 0);
      for (size_t i = 0; i < n_keep; i++)
        if (keep[i] >= 0)
          fcntl (keep[i], F_SETFD, 0);
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      struct error *e = NULL;
      runtime_protect_self_exe (argv, &e);
      if (errfd >= 0 && err_as_text)
        dprintf (errfd, "%s\n", e ? e->msg : "re-exec failed");
      else if (errfd >= 0)
        {
          struct monitor_msg r = { .type = MONITOR_MSG_ERROR,
                                   .u.error = { .code = e ? e->code : EIO,
                                                .message = e ? e->msg : "re-exec failed" } };
          monitor_msg_write (errfd, &r, NULL);
        }
      _exit (126);
    }
  close (p[0]);
  /* the request is small (ids, paths, a health command): the pipe takes
   * it while the helper starts */
  _cleanup_error_ struct error *e = NULL;
  if (monitor_msg_write (p[1], req, &e) < 0)
    mon_log ("helper request: %s", e->msg);
  close (p[1]);
  return pid;
}

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
          mon_log ("console socket: %s", strerror (errno));
          safe_close (s);
          return -1;
        }
      m->console.kind = K_CONSOLE;
      m->console.fd = s;
      mon_ep_add (m, &m->console, EPOLLIN);
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
          mon_ep_add (m, &m->in, 0);
        }
      else
        in_c = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (pipe2 (p, O_CLOEXEC) < 0)
        return -1;
      out_c = p[1];
      m->out.kind = K_OUT;
      m->out.fd = p[0];
      fcntl (p[0], F_SETFL, O_NONBLOCK);
      mon_ep_add (m, &m->out, m->output_paused ? 0 : EPOLLIN);
      if (pipe2 (p, O_CLOEXEC) < 0)
        return -1;
      err_c = p[1];
      m->err.kind = K_ERR;
      m->err.fd = p[0];
      fcntl (p[0], F_SETFL, O_NONBLOCK);
      mon_ep_add (m, &m->err, m->output_paused ? 0 : EPOLLIN);
    }
  if (pipe2 (res, O_CLOEXEC) < 0)
    return -1;
  struct monitor_msg req = {
    .type = MONITOR_MSG_CREATE,
    .u.create = { .runtime_root = m->runtime_root, .id = m->id, .bundle = m->bundle,
                  .tty = m->tty, .loopback = m->loopback, .stdio = { in_c, out_c, err_c },
                  .result_fd = res[1] },
  };
  int keep[] = { in_c, out_c, err_c, res[1] };
  pid_t pid = mon_helper_spawn (m, &req, keep, ARRAY_SIZE (keep), res[1], false);
  if (pid < 0)
    {
      safe_close (in_c);
      safe_close (out_c);
      safe_close (err_c);
      close (res[0]);
      close (res[1]);
      return -1;
    }
  m->helper_pid = pid;
  safe_close (in_c);
  safe_close (out_c);
  safe_close (err_c);
  close (res[1]);
  m->result.kind = K_RESULT;
  m->result.fd = res[0];
  m->result_len = 0;
  mon_ep_add (m, &m->result, EPOLLIN);
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
      mon_log ("console: no pty received");
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
    mon_ep_add (m, &m->in, 0);
  mon_ep_add (m, &m->out, m->output_paused ? 0 : EPOLLIN);
  m->err_eof = true;
  mon_ep_close (m, &m->console);
  unlinkat (m->rundirfd, MONITOR_CONSOLE, 0);
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
  mon_save_state (m);
  mon_health_schedule (m, mon_health_interval_ms (m));
  if (m->first_start)
    {
      m->first_start = false;
      struct monitor_msg ok = { .type = MONITOR_MSG_STARTED, .u.started.pid = pid };
      reply (m, &ok);
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
  mon_ep_close (m, &m->result);
  struct monitor_msg r;
  _cleanup_error_ struct error *e = NULL;
  int code = EIO;
  const char *msg = "the start helper died";
  if (m->result_len > 0 && monitor_msg_decode (m->result_buf, m->result_len, &r, &e) == 0)
    {
      if (r.type == MONITOR_MSG_STARTED && r.u.started.pid > 0)
        {
          started (m, r.u.started.pid, r.u.started.cgroup);
          monitor_msg_clear (&r);
          return;
        }
      if (r.type == MONITOR_MSG_ERROR)
        {
          code = r.u.error.code;
          msg = r.u.error.message;
        }
    }
  else if (e)
    msg = e->msg;
  mon_log ("start failed: %s", msg);
  free (m->st.error);
  m->st.error = strdup (msg);
  if (m->first_start)
    {
      /* the CLI reports it and removes what must go (--rm): nothing else
       * to do here but clean up the runtime's side, no exit command */
      reply_error (m, code, msg);
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
    mon_log ("delete: %s", e->msg);
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
  mon_arm (m->htimer.fd, 0);
  if (m->health_pid > 0)
    kill (m->health_pid, SIGKILL);
  if (restart_should (m->restart_policy, m->restart_max, m->st.restart_count, m->exit_code,
                      m->stop_requested))
    {
      int64_t ran = (m->st.finished_at - m->run_started) / 1000000;
      m->backoff_ms = restart_backoff_next (m->backoff_ms, ran);
      snprintf (m->st.status, sizeof m->st.status, "restarting");
      mon_save_state (m);
      mon_clients_exit (m, m->exit_code);
      m->phase = P_RESTART_WAIT;
      mon_arm (m->timer.fd, m->backoff_ms);
      return;
    }
  mon_finish (m);
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
  mon_arm (m->timer.fd, 2000);
}

static void
drained (struct mon *m)
{
  if (m->phase != P_DRAINING)
    return;
  /* once everything is read: only then the exit counts */
  if ((m->out.fd < 0 || m->out_eof) && (m->err.fd < 0 || m->err_eof))
    {
      mon_arm (m->timer.fd, 0);
      restart_or_finish (m);
    }
}

/* Exec the exit command (hull-cleanup: the engine library with the store
 * open; we link no SQLite).  It gets FINISH on fd 3 and our lock on fd 4:
 * holding the lock across the exec means no other hull command takes the
 * container for dead and repairs it while the exit command works, so one
 * process alone finishes it. */
static void
become_cleanup (struct mon *m)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    {
      mon_log ("pipe: %s", strerror (errno));
      return;
    }
  int rd = fcntl (p[0], F_DUPFD_CLOEXEC, 100), wr = fcntl (p[1], F_DUPFD_CLOEXEC, 100);
  close (p[0]);
  close (p[1]);
  struct monitor_msg f = {
    .type = MONITOR_MSG_FINISH,
    .u.finish = { .root = m->root, .runroot = m->runroot, .id = m->id,
                  .lock_fd = MONITOR_FD_LOCK },
  };
  _cleanup_error_ struct error *e = NULL;
  /* a few paths: the pipe holds them before anyone reads */
  if (rd < 0 || wr < 0 || monitor_msg_write (wr, &f, &e) < 0)
    {
      mon_log ("exit command: %s", e ? e->msg : strerror (errno));
      safe_close (rd);
      safe_close (wr);
      return;
    }
  close (wr);
  if (dup2 (rd, MONITOR_FD_CTL) < 0 || fcntl (MONITOR_FD_LOCK, F_SETFD, 0) < 0)
    {
      mon_log ("exit command: %s", strerror (errno));
      return;
    }
  char *argv[] = { (char *) "hull-cleanup", NULL };
  execv (m->cleanup, argv);
  mon_log ("exec `%s`: %s", m->cleanup, strerror (errno));
}

static void
close_stdio (struct mon *m)
{
  mon_ep_close (m, &m->out);
  mon_ep_close (m, &m->err);
  mon_ep_close (m, &m->in);
  mon_ep_close (m, &m->console);
  free (m->stdin_pending);
  m->stdin_pending = NULL;
}

void
mon_finish (struct mon *m)
{
  snprintf (m->st.status, sizeof m->st.status, "exited");
  close_stdio (m);
  /* the container's root: mounted by the engine for this run */
  if (m->rootfs && umount2 (m->rootfs, UMOUNT_NOFOLLOW) < 0 && errno == EBUSY)
    umount2 (m->rootfs, MNT_DETACH | UMOUNT_NOFOLLOW);
  mon_save_state (m);
  bool owner_told = mon_clients_exit (m, m->exit_code);
  /* Who finishes the container (docs/design/engine.md, "Who finishes a
   * container"): the foreground run that started it, when it is still
   * there to read the exit; else, when there is something to do at once
   * (--rm, extensions' resources), the engine's exit command, which we
   * become; else the next hull command's reconciliation. */
  if (m->caller_finishes && owner_told)
    _exit (0);
  if ((m->auto_remove || m->cleanup_on_exit) && m->cleanup && m->root && m->runroot)
    become_cleanup (m);
  _exit (0);
}

/* ------------------------------------------------------------ signals, children */

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
          mon_on_health_done (m, status);
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

/* ------------------------------------------------------------ attach messages */

void
mon_stop (struct mon *m, int sig, int secs)
{
  m->stop_requested = true;
  m->st.stop_requested = true;
  if (m->phase == P_RESTART_WAIT)
    {
      mon_arm (m->timer.fd, 0);
      mon_finish (m);
    }
  if (m->phase != P_RUNNING)
    return;
  _cleanup_error_ struct error *e = NULL;
  if (runtime_kill (&m->rt, m->id, sig > 0 ? sig : m->stop_signal, false, &e) < 0)
    mon_log ("stop: %s", e->msg);
  if (secs >= 0)
    mon_arm (m->timer.fd, secs == 0 ? 1 : (int64_t) secs * 1000);
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
          mon_log ("kill: %s", e->msg);
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
  int r = monitor_msg_read (MONITOR_FD_CTL, MONITOR_STREAM_MAX, &m->args, err);
  if (r < 0)
    return r;
  if (m->args.type != MONITOR_MSG_START)
    return error_set (err, EPROTO, "expected `start`, got `%s`",
                      monitor_msg_type_name (m->args.type));
  const struct monitor_start *a = &m->args.u.start;
  m->id = a->id;
  m->runtime_root = a->runtime_root;
  m->bundle = a->bundle;
  m->rootfs = a->rootfs;
  m->log_dir = a->log_dir;
  m->root = a->root;
  m->runroot = a->runroot;
  m->cleanup = a->cleanup;
  m->tty = a->tty;
  m->open_stdin = a->open_stdin;
  m->auto_remove = a->auto_remove;
  m->loopback = a->loopback;
  m->caller_finishes = a->caller_finishes;
  m->cleanup_on_exit = a->cleanup_on_exit;
  m->restart_policy = a->restart_policy;
  m->restart_max = a->restart_max;
  m->st.restart_count = a->restart_count;
  m->stop_signal = a->stop_signal;
  m->log_max_size = a->log_max_size > 0 ? (uint64_t) a->log_max_size : 0;
  m->log_max_file = a->log_max_file;
  m->rows = a->rows > 0 && a->rows <= 0xffff ? (unsigned short) a->rows : 0;
  m->cols = a->cols > 0 && a->cols <= 0xffff ? (unsigned short) a->cols : 0;
  m->health_test = a->health_test;
  m->h_interval = a->health_interval;
  m->h_timeout = a->health_timeout;
  m->h_start = a->health_start_period;
  m->h_retries = a->health_retries;
  if (m->health_test && (m->health_test[0] == NULL
                         || (strcmp (m->health_test[0], "CMD") && strcmp (m->health_test[0], "CMD-SHELL"))
                         || m->health_test[1] == NULL))
    m->health_test = NULL;
  if (m->stop_signal <= 0 || m->stop_signal >= NSIG)
    m->stop_signal = SIGTERM;
  return 0;
}

/* ------------------------------------------------------------ main */

int
monitor_main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--helper") == 0)
    return monitor_helper_main (argv[2]);
  if (argc != 1 && !(argc == 2 && strcmp (argv[1], "--monitor") == 0))
    {
      fprintf (stderr, "hull-monitor is started by hull; it takes no arguments (its request "
                       "comes on fd %d)\n", MONITOR_FD_CTL);
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
      error_prefix (&e, "monitor");
      reply_error (m, e->code, e->msg);
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
      int en = errno;
      error_errno (&e, en, "monitor: epoll, signalfd or timerfd");
      reply_error (m, e->code, e->msg);
      return 1;
    }
  mon_ep_add (m, &m->sig, EPOLLIN);
  mon_ep_add (m, &m->timer, EPOLLIN);
  mon_ep_add (m, &m->htimer, EPOLLIN);

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
      error_errno (&e, errno, "monitor: attach socket");
      reply_error (m, e->code, e->msg);
      return 1;
    }
  mon_ep_add (m, &m->listen, EPOLLIN);

  if (have_attach)
    {
      fcntl (MONITOR_FD_ATTACH, F_SETFL, O_NONBLOCK);
      struct client *c = calloc (1, sizeof *c);
      c->w.kind = K_CLIENT;
      c->w.fd = MONITOR_FD_ATTACH;
      c->owner = true;
      m->clients = c;
      mon_ep_add (m, &c->w, EPOLLIN);
    }

  _cleanup_close_ int logdir = open (m->log_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (logdir < 0 || log_writer_open (&m->log, logdir, "ctr.log", m->log_max_size,
                                     m->log_max_file, &e) < 0)
    {
      if (e == NULL)
        error_errno (&e, errno, "open `%s`", m->log_dir);
      error_prefix (&e, "monitor: log");
      reply_error (m, e->code, e->msg);
      return 1;
    }
  unlinkat (m->rundirfd, MONITOR_STATE, 0);
  snprintf (m->st.status, sizeof m->st.status, "starting");
  if (start_container (m) < 0)
    {
      error_errno (&e, errno, "monitor: cannot start the helper");
      reply_error (m, e->code, e->msg);
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
          mon_log ("epoll: %s", strerror (errno));
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
              mon_on_listen (m);
              break;
            case K_CLIENT:
              mon_on_client (m, (struct client *) w, evs[i].events);
              break;
            case K_OUT:
            case K_ERR:
              if (w->fd >= 0)
                {
                  mon_on_output (m, w);
                  drained (m);
                }
              break;
            case K_STDIN:
              if (m->in.fd >= 0)
                mon_on_stdin_writable (m);
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
                  mon_on_health_timer (m);
                break;
              }
            case K_HEALTH_OUT:
              if (m->hout.fd >= 0)
                mon_on_health_out (m);
              break;
            }
        }
      mon_clients_reap (m);
    }
}
