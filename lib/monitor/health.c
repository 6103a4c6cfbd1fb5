/* health.c - health checks: every interval a helper (helper.c, EXEC) runs
 * the check in the container, killed at the timeout; the status goes
 * starting -> healthy / unhealthy after `retries` consecutive failures
 * (failures in the start period do not count), the last results kept in
 * the state file.  No check runs while the container is paused. */
#include "monitor/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

void
mon_health_schedule (struct mon *m, int64_t ms)
{
  if (m->health_test && m->htimer.fd >= 0)
    mon_arm (m->htimer.fd, ms);
}

int64_t
mon_health_interval_ms (struct mon *m)
{
  return (m->h_interval > 0 ? m->h_interval : 30000000000LL) / 1000000;
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
          mon_health_schedule (m, mon_health_interval_ms (m)); /* paused: not now */
          return;
        }
    }
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return;
  _cleanup_strv_ char **argv = NULL;
  if (strcmp (m->health_test[0], "CMD-SHELL") == 0)
    {
      strv_push (&argv, "/bin/sh");
      strv_push (&argv, "-c");
      strv_push (&argv, m->health_test[1] ? m->health_test[1] : "");
    }
  else
    for (size_t i = 1; m->health_test[i]; i++)
      strv_push (&argv, m->health_test[i]);
  struct monitor_msg req = {
    .type = MONITOR_MSG_EXEC,
    .u.exec = { .runtime_root = m->runtime_root, .id = m->id, .out_fd = p[1], .argv = argv },
  };
  pid_t pid = mon_helper_spawn (m, &req, &p[1], 1, p[1], true);
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return;
    }
  close (p[1]);
  m->health_pid = pid;
  m->hout.kind = K_HEALTH_OUT;
  m->hout.fd = p[0];
  fcntl (p[0], F_SETFL, O_NONBLOCK);
  mon_ep_add (m, &m->hout, EPOLLIN);
  m->hlen = 0;
  m->hstart = now_ns ();
  m->htimed_out = false;
  mon_health_schedule (m, (m->h_timeout > 0 ? m->h_timeout : 30000000000LL) / 1000000);
}

void
mon_on_health_out (struct mon *m)
{
  char buf[1024];
  ssize_t n = read (m->hout.fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    {
      mon_ep_close (m, &m->hout);
      return;
    }
  size_t take = (size_t)n;
  if (take > sizeof m->hbuf - m->hlen)
    take = sizeof m->hbuf - m->hlen;
  memcpy (m->hbuf + m->hlen, buf, take);
  m->hlen += take;
}

void
mon_on_health_timer (struct mon *m)
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

void
mon_on_health_done (struct mon *m, int status)
{
  if (m->hout.fd >= 0)
    {
      while (m->hout.fd >= 0)
        {
          size_t before = m->hlen;
          mon_on_health_out (m);
          if (m->hout.fd >= 0 && m->hlen == before)
            break;
        }
      mon_ep_close (m, &m->hout);
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
                (long long)((m->h_timeout > 0 ? m->h_timeout : 30000000000LL) / 1000000000));
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
      bool in_start
          = strcmp (h->status, "starting") == 0 && now_ns () - m->run_started < m->h_start;
      if (!in_start)
        {
          h->failing_streak++;
          if (h->failing_streak >= (m->h_retries > 0 ? m->h_retries : 3))
            snprintf (h->status, sizeof h->status, "unhealthy");
        }
    }
  mon_save_state (m);
  mon_health_schedule (m, mon_health_interval_ms (m));
}
