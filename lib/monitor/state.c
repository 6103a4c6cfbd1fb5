/* state.c - the monitor's state file and its restart policy.
 *
 * RUNROOT/containers/<id>/state.json: what the monitor knows of its
 * container (status, pid, times, exit code, OOM, restarts, health), written
 * atomically at every change and read by the engine's reconciliation.  It
 * is a document rather than a message: it outlives the monitor (the next
 * hull command reads how the container ended) and tools read it, so it is
 * JSON with a "version" field; a file of another version is refused. */
#include "monitor/monitor.h"

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
  json_object_object_add (o, "version", json_object_new_int (MONITOR_STATE_VERSION));
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
  return fs_write_file_volatile (dirfd, MONITOR_STATE, text, strlen (text), 0600, err);
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
  /* files of before the field are version 1 */
  if (jsonx_get_int64 (o, "version", &v, err) == 1 && v != MONITOR_STATE_VERSION)
    return error_set (err, EPROTO, "monitor state: version %lld, this build reads %d",
                      (long long) v, MONITOR_STATE_VERSION);
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
