/* proto.c - attach messages, the monitor's state file, restart back-off.
 * Shared by the engine and hull-monitor (lib/base only). */
#include "engine/proto.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int
attach_send (int fd, char type, const void *data, size_t len)
{
  char buf[ATTACH_MSG_MAX];
  if (len > sizeof buf - 1)
    return -EMSGSIZE;
  buf[0] = type;
  if (len)
    memcpy (buf + 1, data, len);
  for (;;)
    {
      ssize_t n = send (fd, buf, len + 1, MSG_NOSIGNAL);
      if (n >= 0)
        return 0;
      if (errno != EINTR)
        return -errno;
    }
}

int
attach_send_i32 (int fd, char type, int32_t a, int32_t b, bool two)
{
  int32_t v[2] = { a, b };
  return attach_send (fd, type, v, two ? sizeof v : sizeof v[0]);
}

int
attach_connect_dir (int rundirfd, const char *name)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int n = snprintf (sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", rundirfd, name);
  if (n < 0 || (size_t) n >= sizeof sa.sun_path)
    return -ENAMETOOLONG;
  int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      int e = errno;
      close (fd);
      return -e;
    }
  return fd;
}

int
engine_write_file (int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                   struct error **err)
{
  char tmp[300];
  if (snprintf (tmp, sizeof tmp, ".%s.tmp%d", name, (int) getpid ()) >= (int) sizeof tmp)
    return error_set (err, ENAMETOOLONG, "`%s`: name too long", name);
  int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return error_errno (err, errno, "create `%s`", tmp);
  int r = fs_write_all (fd, data, len);
  close (fd);
  if (r < 0 || renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int e = r < 0 ? -r : errno;
      unlinkat (dirfd, tmp, 0);
      return error_errno (err, e, "write `%s`", name);
    }
  return 0;
}

/* ------------------------------------------------------------ state file */

void
monitor_state_clear (struct monitor_state *s)
{
  free (s->error);
  for (size_t i = 0; i < s->health.n_log; i++)
    free (s->health.log[i].output);
  memset (s, 0, sizeof *s);
}

int
monitor_state_write (int dirfd, const struct monitor_state *s, struct error **err)
{
  _cleanup_json_ json_object *o = json_object_new_object ();
  if (o == NULL)
    return error_set (err, ENOMEM, "out of memory");
  json_object_object_add (o, "status", json_object_new_string (s->status));
  json_object_object_add (o, "pid", json_object_new_int (s->pid));
  json_object_object_add (o, "started_at", json_object_new_int64 (s->started_at));
  json_object_object_add (o, "finished_at", json_object_new_int64 (s->finished_at));
  json_object_object_add (o, "exit_code", json_object_new_int (s->exit_code));
  json_object_object_add (o, "oom_killed", json_object_new_boolean (s->oom_killed));
  json_object_object_add (o, "restart_count", json_object_new_int (s->restart_count));
  json_object_object_add (o, "stop_requested", json_object_new_boolean (s->stop_requested));
  if (s->error)
    json_object_object_add (o, "error", json_object_new_string (s->error));
  if (s->health.status[0])
    {
      json_object *h = json_object_new_object (), *log = json_object_new_array ();
      json_object_object_add (h, "status", json_object_new_string (s->health.status));
      json_object_object_add (h, "failing_streak", json_object_new_int (s->health.failing_streak));
      for (size_t i = 0; i < s->health.n_log; i++)
        {
          json_object *r = json_object_new_object ();
          json_object_object_add (r, "start", json_object_new_int64 (s->health.log[i].start));
          json_object_object_add (r, "end", json_object_new_int64 (s->health.log[i].end));
          json_object_object_add (r, "exit_code", json_object_new_int (s->health.log[i].exit_code));
          json_object_object_add (r, "output",
                                  json_object_new_string (s->health.log[i].output
                                                              ? s->health.log[i].output
                                                              : ""));
          json_object_array_add (log, r);
        }
      json_object_object_add (h, "log", log);
      json_object_object_add (o, "health", h);
    }
  const char *text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  /* The run directory is volatile by design (a tmpfs, /run): the rename
   * keeps readers from ever seeing half a file; durability is not wanted. */
  return engine_write_file (dirfd, MONITOR_STATE, text, strlen (text), 0600, err);
}

int
monitor_state_read (int dirfd, struct monitor_state *s, struct error **err)
{
  memset (s, 0, sizeof *s);
  _cleanup_free_ char *text = NULL;
  size_t len;
  _cleanup_error_ struct error *e = NULL;
  int r = fs_read_file_at (dirfd, MONITOR_STATE, 1 << 20, &text, &len, &e);
  if (r < 0)
    {
      if (r == -ENOENT)
        return -ENOENT;
      *err = TAKE_PTR (e);
      return r;
    }
  _cleanup_json_ json_object *o = NULL;
  if (jsonx_parse (text, len, &o, err) < 0)
    return error_prefix (err, "monitor state");
  const char *str = NULL;
  int64_t v;
  bool b;
  if (jsonx_get_string (o, "status", &str, err) == 1)
    snprintf (s->status, sizeof s->status, "%s", str);
  if (jsonx_get_int64 (o, "pid", &v, err) == 1)
    s->pid = (pid_t) v;
  jsonx_get_int64 (o, "started_at", &s->started_at, err);
  jsonx_get_int64 (o, "finished_at", &s->finished_at, err);
  if (jsonx_get_int64 (o, "exit_code", &v, err) == 1)
    s->exit_code = (int) v;
  if (jsonx_get_bool (o, "oom_killed", &b, err) == 1)
    s->oom_killed = b;
  if (jsonx_get_int64 (o, "restart_count", &v, err) == 1)
    s->restart_count = (int) v;
  if (jsonx_get_bool (o, "stop_requested", &b, err) == 1)
    s->stop_requested = b;
  if (jsonx_get_string (o, "error", &str, err) == 1)
    s->error = strdup (str);
  json_object *h = NULL, *log = NULL;
  if (jsonx_get_object (o, "health", &h, err) == 1)
    {
      if (jsonx_get_string (h, "status", &str, err) == 1)
        snprintf (s->health.status, sizeof s->health.status, "%s", str);
      if (jsonx_get_int64 (h, "failing_streak", &v, err) == 1)
        s->health.failing_streak = (int) v;
      if (jsonx_get_array (h, "log", &log, err) == 1)
        for (size_t i = 0; i < json_object_array_length (log) && i < HEALTH_LOG_MAX; i++)
          {
            json_object *r2 = json_object_array_get_idx (log, i);
            size_t k = s->health.n_log;
            jsonx_get_int64 (r2, "start", &s->health.log[k].start, err);
            jsonx_get_int64 (r2, "end", &s->health.log[k].end, err);
            if (jsonx_get_int64 (r2, "exit_code", &v, err) == 1)
              s->health.log[k].exit_code = (int) v;
            if (jsonx_get_string (r2, "output", &str, err) == 1)
              s->health.log[k].output = strdup (str);
            s->health.n_log++;
          }
    }
  if (*err)
    {
      /* a type error in our own file: ignore the odd field */
      error_free (*err);
      *err = NULL;
    }
  return 0;
}

/* ------------------------------------------------------------ time */

int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
format_rfc3339nano (int64_t ns, char *buf, size_t cap)
{
  time_t secs = (time_t) (ns / 1000000000);
  long frac = (long) (ns % 1000000000);
  if (frac < 0)
    {
      frac += 1000000000;
      secs--;
    }
  struct tm tm;
  gmtime_r (&secs, &tm);
  char base[32];
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf, cap, "%s.%09ldZ", base, frac);
}

static int
digits (const char **p, int n, int *out)
{
  int v = 0;
  for (int i = 0; i < n; i++)
    {
      if ((*p)[i] < '0' || (*p)[i] > '9')
        return -1;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return 0;
}

int
rfc3339_parse_ns (const char *s, int64_t *ns)
{
  const char *p = s;
  int Y, M, D, h = 0, m = 0, sec = 0;
  if (digits (&p, 4, &Y) < 0 || *p++ != '-' || digits (&p, 2, &M) < 0 || *p++ != '-'
      || digits (&p, 2, &D) < 0)
    return -EINVAL;
  int64_t frac = 0;
  int off = 0;
  if (*p == 'T' || *p == 't' || *p == ' ')
    {
      p++;
      if (digits (&p, 2, &h) < 0 || *p++ != ':' || digits (&p, 2, &m) < 0)
        return -EINVAL;
      if (*p == ':')
        {
          p++;
          if (digits (&p, 2, &sec) < 0)
            return -EINVAL;
        }
      if (*p == '.')
        {
          p++;
          int nd = 0;
          while (*p >= '0' && *p <= '9')
            {
              if (nd < 9)
                frac = frac * 10 + (*p - '0');
              nd++;
              p++;
            }
          if (nd == 0)
            return -EINVAL;
          for (; nd < 9; nd++)
            frac *= 10;
        }
      if (*p == 'Z' || *p == 'z')
        p++;
      else if (*p == '+' || *p == '-')
        {
          int sign = *p == '-' ? -1 : 1, oh, om;
          p++;
          if (digits (&p, 2, &oh) < 0 || *p++ != ':' || digits (&p, 2, &om) < 0)
            return -EINVAL;
          off = sign * (oh * 3600 + om * 60);
        }
      else if (*p)
        return -EINVAL;
    }
  if (*p)
    return -EINVAL;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
    return -EINVAL;
  struct tm tm = { .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h,
                   .tm_min = m, .tm_sec = sec };
  time_t t = timegm (&tm);
  *ns = ((int64_t) t - off) * 1000000000 + frac;
  return 0;
}

/* ------------------------------------------------------------ restart */

int64_t
restart_backoff_next (int64_t prev_ms, int64_t ran_ms)
{
  if (ran_ms >= 10000 || prev_ms <= 0)
    return 100;
  int64_t next = prev_ms * 2;
  return next > 60000 ? 60000 : next;
}

bool
restart_should (int policy, int max_retries, int restart_count, int exit_code,
                bool stop_requested)
{
  if (stop_requested)
    return false;
  switch (policy)
    {
    case 1: /* on-failure[:N] */
      if (exit_code == 0)
        return false;
      return max_retries <= 0 || restart_count < max_retries;
    case 2: /* always */
    case 3: /* unless-stopped */
      return true;
    default:
      return false;
    }
}
