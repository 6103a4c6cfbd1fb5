/* Unit tests: names and ids, id-prefix lookups in the database, the log
 * writer (format, rotation) and reader, restart back-off and policy. */
#include "tests/lib/tap.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "engine/internal.h"
#include "monitor/monitor.h"
#include "engine/spec.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
test_names (void)
{
  for (int i = 0; i < 200; i++)
    {
      _cleanup_free_ char *n = engine_random_name ();
      REQUIRE (n != NULL);
      CHECK (engine_name_valid (n));
      const char *u = strchr (n, '_');
      CHECK (u != NULL && u > n && u[1] != '\0');
    }
  CHECK (engine_name_valid ("a"));
  CHECK (engine_name_valid ("web-1.x_y"));
  CHECK (!engine_name_valid (""));
  CHECK (!engine_name_valid ("-x"));
  CHECK (!engine_name_valid ("a/b"));
  CHECK (!engine_name_valid ("a b"));
  char long_name[200];
  memset (long_name, 'a', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  CHECK (!engine_name_valid (long_name));
  char id[65], id2[65];
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (engine_new_id (id, &err) == 0);
  REQUIRE (engine_new_id (id2, &err) == 0);
  CHECK_INT (strlen (id), ==, 64);
  CHECK (strspn (id, "0123456789abcdef") == 64);
  CHECK (strcmp (id, id2) != 0);
}

static struct ctr_record *
rec (const char *id, const char *name)
{
  struct ctr_record *r = calloc (1, sizeof *r);
  r->id = strdup (id);
  r->name = strdup (name);
  r->image = strdup ("bb");
  r->image_id = strdup ("sha256:00");
  r->spec = calloc (1, sizeof *r->spec);
  r->spec->stop_timeout = -1;
  return r;
}

static void
test_prefix_lookup (void)
{
  char dir[] = "/tmp/hull-engine-db.XXXXXX";
  REQUIRE (mkdtemp (dir) != NULL);
  char root[600], run[600];
  snprintf (root, sizeof root, "%s/root", dir);
  snprintf (run, sizeof run, "%s/run", dir);
  struct engine_paths p = { .root = root, .runroot = run, .hull = "/bin/false" };
  struct engine *e = NULL;
  _cleanup_error_ struct error *err = NULL;
  mkdir (root, 0700);
  REQUIRE (engine_open (&p, &e, &err) == 0);
  const char *ids[] = { "abc1230000000000000000000000000000000000000000000000000000000000",
                        "abc4560000000000000000000000000000000000000000000000000000000000",
                        "ffff000000000000000000000000000000000000000000000000000000000000" };
  const char *names[] = { "one", "two", "abc4" };
  for (int i = 0; i < 3; i++)
    {
      struct ctr_record *r = rec (ids[i], names[i]);
      CHECK (edb_insert (e, r, &err) == 0);
      ctr_record_free (r);
    }
  /* a taken name */
  struct ctr_record *dup = rec ("dddd000000000000000000000000000000000000000000000000000000000000", "one");
  CHECK (edb_insert (e, dup, &err) == -EEXIST);
  CHECK (err && strstr (err->msg, "already in use"));
  error_free (err), err = NULL;
  ctr_record_free (dup);

  struct ctr_record *r = NULL;
  CHECK (edb_find (e, "abc123", &r, &err) == 0 && strcmp (r->id, ids[0]) == 0);
  ctr_record_free (r), r = NULL;
  CHECK (edb_find (e, ids[1], &r, &err) == 0 && strcmp (r->name, "two") == 0);
  ctr_record_free (r), r = NULL;
  CHECK (edb_find (e, "/two", &r, &err) == 0 && strcmp (r->id, ids[1]) == 0);
  ctr_record_free (r), r = NULL;
  /* ambiguous prefix */
  CHECK (edb_find (e, "abc", &r, &err) == -EINVAL);
  CHECK (err && strstr (err->msg, "multiple"));
  error_free (err), err = NULL;
  /* an exact name wins over an id prefix (docker's order) */
  CHECK (edb_find (e, "abc4", &r, &err) == 0 && strcmp (r->id, ids[2]) == 0);
  ctr_record_free (r), r = NULL;
  /* no LIKE wildcard sneaks through */
  CHECK (edb_find (e, "%", &r, &err) == -ENOENT);
  error_free (err), err = NULL;
  CHECK (edb_find (e, "abc_", &r, &err) == -ENOENT);
  error_free (err), err = NULL;
  CHECK (edb_find (e, "nothere", &r, &err) == -ENOENT);
  CHECK (err && strstr (err->msg, "`nothere`"));
  error_free (err), err = NULL;
  /* conditional state changes */
  r = rec (ids[0], "one");
  r->state = CTR_RUNNING;
  CHECK_INT (edb_save_state (e, r, STATE_BIT (CTR_CREATED), &err), ==, 1);
  r->state = CTR_EXITED;
  CHECK_INT (edb_save_state (e, r, STATE_BIT (CTR_CREATED), &err), ==, 0);
  ctr_record_free (r);
  r = NULL;
  CHECK (edb_get (e, ids[0], &r, &err) == 0 && r->state == CTR_RUNNING);
  ctr_record_free (r);
  engine_close (e);
  struct error *e2 = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &e2);
  error_free (e2);
}

static size_t
count_lines (int dfd, const char *name, size_t *bytes)
{
  _cleanup_free_ char *t = NULL;
  size_t len = 0;
  struct error *e = NULL;
  if (fs_read_file_at (dfd, name, 1 << 20, &t, &len, &e) < 0)
    {
      error_free (e);
      return 0;
    }
  if (bytes)
    *bytes = len;
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    n += t[i] == '\n';
  return n;
}

static void
test_log_rotation (void)
{
  char dir[] = "/tmp/hull-engine-log.XXXXXX";
  REQUIRE (mkdtemp (dir) != NULL);
  _cleanup_close_ int dfd = open (dir, O_PATH | O_DIRECTORY);
  struct log_writer w;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (log_writer_open (&w, dfd, "ctr.log", 1000, 3, &err) == 0);
  char line[64];
  for (int i = 0; i < 100; i++)
    {
      int n = snprintf (line, sizeof line, "line %03d\n", i);
      CHECK (log_writer_write (&w, i % 2 ? "stderr" : "stdout", line, (size_t) n, 1700000000000000000LL + i) == 0);
    }
  log_writer_close (&w);
  size_t b0 = 0, b1 = 0, b2 = 0;
  size_t l0 = count_lines (dfd, "ctr.log", &b0), l1 = count_lines (dfd, "ctr.log.1", &b1),
         l2 = count_lines (dfd, "ctr.log.2", &b2);
  CHECK (b0 <= 1000 && b1 <= 1000 && b2 <= 1000);
  CHECK (l1 > 0 && l2 > 0);
  CHECK (!fs_exists_at (dfd, "ctr.log.3"));
  /* the newest lines are in ctr.log, in order, with the k8s-file prefix */
  _cleanup_free_ char *t = NULL;
  size_t len;
  REQUIRE (fs_read_file_at (dfd, "ctr.log", 1 << 20, &t, &len, &err) == 0);
  char *last = strstr (t, "line 099");
  CHECK (last != NULL);
  char *nl = strchr (t, '\n');
  REQUIRE (nl != NULL);
  struct log_line ll;
  CHECK (log_line_parse (t, (size_t) (nl - t), &ll));
  CHECK (!ll.partial);
  CHECK (ll.ts >= 1700000000000000000LL);
  CHECK_INT (l0 + l1 + l2, <, 100); /* older ones were rotated away */
  /* max_file 1: truncated instead */
  REQUIRE (log_writer_open (&w, dfd, "one.log", 200, 1, &err) == 0);
  for (int i = 0; i < 50; i++)
    log_writer_write (&w, "stdout", "0123456789\n", 11, 1);
  log_writer_close (&w);
  size_t b = 0;
  count_lines (dfd, "one.log", &b);
  CHECK (b > 0 && b <= 200);
  CHECK (!fs_exists_at (dfd, "one.log.1"));
  struct error *e2 = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &e2);
  error_free (e2);
}

static void
test_log_lines (void)
{
  char dir[] = "/tmp/hull-engine-log2.XXXXXX";
  REQUIRE (mkdtemp (dir) != NULL);
  _cleanup_close_ int dfd = open (dir, O_PATH | O_DIRECTORY);
  struct log_writer w;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (log_writer_open (&w, dfd, "ctr.log", 0, 1, &err) == 0);
  log_writer_write (&w, "stdout", "a\nb\npart", 8, 5);
  log_writer_write (&w, "stderr", "ial\n\n", 5, 6);
  log_writer_close (&w);
  _cleanup_free_ char *t = NULL;
  size_t len;
  REQUIRE (fs_read_file_at (dfd, "ctr.log", 1 << 20, &t, &len, &err) == 0);
  const char *want[][3] = { { "F", "a", "o" }, { "F", "b", "o" }, { "P", "part", "o" },
                            { "F", "ial", "e" }, { "F", "", "e" } };
  char *save = NULL;
  int i = 0;
  for (char *l = strtok_r (t, "\n", &save); l; l = strtok_r (NULL, "\n", &save), i++)
    {
      struct log_line ll;
      REQUIRE (i < 5);
      CHECK (log_line_parse (l, strlen (l), &ll));
      CHECK_INT (ll.partial, ==, want[i][0][0] == 'P');
      CHECK_INT (ll.len, ==, strlen (want[i][1]));
      CHECK (strncmp (ll.content, want[i][1], ll.len) == 0);
      CHECK_INT (ll.is_stderr, ==, want[i][2][0] == 'e');
    }
  CHECK_INT (i, ==, 5);
  struct log_line ll;
  CHECK (!log_line_parse ("garbage", 7, &ll));
  CHECK (!log_line_parse ("2024-01-01T00:00:00Z stdin F x", 30, &ll));
  /* RFC 3339 both ways */
  char b[48];
  format_rfc3339nano (1700000000123456789LL, b, sizeof b);
  CHECK_STR (b, "2023-11-14T22:13:20.123456789Z");
  int64_t ns;
  CHECK (rfc3339_parse_ns (b, &ns) == 0 && ns == 1700000000123456789LL);
  CHECK (rfc3339_parse_ns ("2023-11-14T23:13:20+01:00", &ns) == 0 && ns == 1700000000000000000LL);
  CHECK (rfc3339_parse_ns ("2023-11-14", &ns) == 0);
  CHECK (rfc3339_parse_ns ("2023-13-14T00:00:00Z", &ns) < 0);
  CHECK (rfc3339_parse_ns ("yesterday", &ns) < 0);
  struct error *e2 = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &e2);
  error_free (e2);
}

static void
test_backoff (void)
{
  int64_t d = 0;
  int64_t want[] = { 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000 };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    {
      d = restart_backoff_next (d, 50);
      CHECK_INT (d, ==, want[i]);
    }
  /* a run of 10 s or more starts over */
  CHECK_INT (restart_backoff_next (60000, 10000), ==, 100);
  CHECK_INT (restart_backoff_next (400, 9999), ==, 800);
}

static void
test_restart_policy (void)
{
  /* policy, max, count, exit code, stopped -> restart? */
  struct
  {
    int policy, max, count, code;
    bool stopped, want;
  } t[] = {
    { RESTART_NO, 0, 0, 1, false, false },
    { RESTART_ON_FAILURE, 0, 0, 0, false, false },
    { RESTART_ON_FAILURE, 0, 100, 1, false, true },
    { RESTART_ON_FAILURE, 3, 2, 1, false, true },
    { RESTART_ON_FAILURE, 3, 3, 1, false, false },
    { RESTART_ALWAYS, 0, 50, 0, false, true },
    { RESTART_ALWAYS, 0, 0, 137, true, false },
    { RESTART_UNLESS_STOPPED, 0, 0, 0, false, true },
    { RESTART_UNLESS_STOPPED, 0, 0, 0, true, false },
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    if (restart_should (t[i].policy, t[i].max, t[i].count, t[i].code, t[i].stopped) != t[i].want)
      {
        printf ("#   case %zu: expected %d\n", i, t[i].want);
        tap_cur_failed = 1;
      }
}

static void
test_state_file (void)
{
  char dir[] = "/tmp/hull-engine-state.XXXXXX";
  REQUIRE (mkdtemp (dir) != NULL);
  _cleanup_close_ int dfd = open (dir, O_PATH | O_DIRECTORY);
  struct monitor_state s;
  memset (&s, 0, sizeof s);
  snprintf (s.status, sizeof s.status, "exited");
  s.exit_code = 137;
  s.oom_killed = true;
  s.restart_count = 2;
  s.error = strdup ("boom");
  snprintf (s.health.status, sizeof s.health.status, "unhealthy");
  s.health.failing_streak = 3;
  s.health.n_log = 1;
  s.health.log[0].exit_code = 1;
  s.health.log[0].output = strdup ("bad");
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (monitor_state_write (dfd, &s, &err) == 0);
  struct monitor_state r;
  REQUIRE (monitor_state_read (dfd, &r, &err) == 0);
  CHECK_STR (r.status, "exited");
  CHECK_INT (r.exit_code, ==, 137);
  CHECK (r.oom_killed);
  CHECK_INT (r.restart_count, ==, 2);
  CHECK_STR (r.error, "boom");
  CHECK_STR (r.health.status, "unhealthy");
  CHECK_INT (r.health.failing_streak, ==, 3);
  CHECK_INT (r.health.n_log, ==, 1);
  CHECK_STR (r.health.log[0].output, "bad");
  monitor_state_clear (&s);
  monitor_state_clear (&r);
  struct error *e2 = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &e2);
  error_free (e2);
}

int
main (void)
{
  RUN (test_names);
  RUN (test_prefix_lookup);
  RUN (test_log_rotation);
  RUN (test_log_lines);
  RUN (test_backoff);
  RUN (test_restart_policy);
  RUN (test_state_file);
  return tap_done ();
}
