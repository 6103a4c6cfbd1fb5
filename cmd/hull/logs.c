/* hull logs [-f] [--since T] [--until T] [-n N] [-t] CONTAINER: what the
 * container wrote, from its k8s-file log (rotated files included). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "monitor/monitor.h"
#include "engine/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct logs
{
  int64_t since, until;
  long tail; /* -1: all */
  bool timestamps;
  /* --tail: a ring of the last lines, as they are to be printed */
  char **ring;
  bool *ring_err;
  long ring_n, ring_pos;
  /* a partial line (P) waiting for its end */
  char *partial;
  size_t partial_len;
  bool partial_err;
  int64_t partial_ts;
};

static void
emit (struct logs *l, bool is_err, int64_t ts, const char *s, size_t n, bool newline)
{
  char tsb[48] = "";
  if (l->timestamps)
    {
      format_rfc3339nano (ts, tsb, sizeof tsb);
      strcat (tsb, " ");
    }
  if (l->ring)
    {
      char *line = NULL;
      if (asprintf (&line, "%s%.*s%s", tsb, (int)n, s, newline ? "\n" : "") < 0)
        return;
      long k = l->ring_pos % l->tail;
      free (l->ring[k]);
      l->ring[k] = line;
      l->ring_err[k] = is_err;
      l->ring_pos++;
      return;
    }
  FILE *f = is_err ? stderr : stdout;
  fputs (tsb, f);
  fwrite (s, 1, n, f);
  if (newline)
    fputc ('\n', f);
  fflush (f);
}

/* One line of the file (without '\n'). */
static void
feed (struct logs *l, const char *line, size_t len)
{
  struct log_line ll;
  if (!log_line_parse (line, len, &ll))
    return;
  if (l->since && ll.ts < l->since)
    return;
  if (l->until && ll.ts > l->until)
    return;
  if (ll.partial)
    {
      /* keep it until the line ends (at most 1 MiB of one line) */
      if (l->partial_len + ll.len > (1u << 20))
        {
          emit (l, ll.is_stderr, ll.ts, l->partial, l->partial_len, false);
          l->partial_len = 0;
        }
      char *n = realloc (l->partial, l->partial_len + ll.len + 1);
      if (n == NULL)
        return;
      l->partial = n;
      memcpy (n + l->partial_len, ll.content, ll.len);
      if (l->partial_len == 0)
        l->partial_ts = ll.ts;
      l->partial_len += ll.len;
      l->partial_err = ll.is_stderr;
      return;
    }
  if (l->partial_len)
    {
      size_t tot = l->partial_len + ll.len;
      char *n = realloc (l->partial, tot + 1);
      if (n == NULL)
        return;
      l->partial = n;
      memcpy (n + l->partial_len, ll.content, ll.len);
      emit (l, ll.is_stderr, l->partial_ts, n, tot, true);
      l->partial_len = 0;
      return;
    }
  emit (l, ll.is_stderr, ll.ts, ll.content, ll.len, true);
}

/* Read fd from its offset to the end; keeps an unfinished last line in
 * *carry for the next call. */
static void
read_lines (struct logs *l, int fd, char **carry, size_t *carry_len)
{
  char buf[65536];
  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      size_t start = 0;
      for (size_t i = 0; i < (size_t)n; i++)
        if (buf[i] == '\n')
          {
            if (*carry_len)
              {
                char *c = realloc (*carry, *carry_len + (i - start) + 1);
                if (c == NULL)
                  return;
                *carry = c;
                memcpy (c + *carry_len, buf + start, i - start);
                feed (l, c, *carry_len + (i - start));
                *carry_len = 0;
              }
            else
              feed (l, buf + start, i - start);
            start = i + 1;
          }
      if (start < (size_t)n)
        {
          size_t rest = (size_t)n - start;
          if (*carry_len + rest > (8u << 20))
            *carry_len = 0; /* a line longer than any we write: drop it */
          char *c = realloc (*carry, *carry_len + rest + 1);
          if (c == NULL)
            return;
          *carry = c;
          memcpy (c + *carry_len, buf + start, rest);
          *carry_len += rest;
        }
    }
}

static int
parse_time (const char *v, int64_t *out)
{
  if (rfc3339_parse_ns (v, out) == 0)
    return 0;
  char *end;
  errno = 0;
  double d = strtod (v, &end);
  if (end != v && *end == '\0' && errno == 0)
    {
      *out = (int64_t)(d * 1e9);
      return 0;
    }
  int64_t dur;
  struct error *e = NULL;
  if (ctr_parse_duration (v, &dur, &e) == 0)
    {
      *out = now_ns () - dur;
      return 0;
    }
  error_free (e);
  return -EINVAL;
}

struct logs_opts
{
  struct logs l;
  bool follow, details;
};

enum
{
  L_SINCE,
  L_UNTIL,
  L_TAIL,
};

static int
logs_option (void *opts, int key, const char *v, struct error **err)
{
  struct logs_opts *o = opts;
  switch (key)
    {
    case L_SINCE:
    case L_UNTIL:
      if (parse_time (v, key == L_SINCE ? &o->l.since : &o->l.until) < 0)
        return error_set (err, EINVAL,
                          "invalid time `%s` (RFC 3339, a unix time or a duration such as 10m)", v);
      return 0;
    case L_TAIL:
      if (strcmp (v, "all") == 0)
        o->l.tail = -1;
      else
        {
          int64_t n;
          if (parse_int64 (v, &n) < 0 || n < 0 || n > 10000000)
            return error_set (err, EINVAL, "invalid --tail `%s`", v);
          o->l.tail = (long)n;
        }
      return 0;
    }
  return -EINVAL;
}

static void
logs_init (void *opts)
{
  ((struct logs_opts *)opts)->l.tail = -1;
}

static const struct cli_option logs_options[] = {
  CLI_OPT_FLAG ('f', "follow", struct logs_opts, follow, "follow the log"),
  CLI_OPT_CALL (0, "since", L_SINCE, "TIME", "from TIME (RFC 3339, unix time, or a duration: 10m)"),
  CLI_OPT_CALL (0, "until", L_UNTIL, "TIME", "up to TIME"),
  CLI_OPT_CALL ('n', "tail", L_TAIL, "N", "only the last N lines (or all)"),
  CLI_OPT_FLAG ('t', "timestamps", struct logs_opts, l.timestamps, "show timestamps"),
  CLI_OPT_FLAG (0, "details", struct logs_opts, details, "accepted for compatibility"),
  { 0 },
};

static int
logs_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  struct logs_opts *opt = opts;
  struct logs l = opt->l;
  bool follow = opt->follow;
  (void)argc;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_lookup (e, argv[0], &r, &err) < 0)
    return hull_report (&err);
  _cleanup_free_ char *dir = engine_ctr_dir (e, r->id);
  _cleanup_close_ int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    {
      error_errno (&err, errno, "open `%s`", dir);
      return hull_report (&err);
    }
  if (l.tail == 0 && !follow)
    return 0;
  if (l.tail > 0)
    {
      l.ring = calloc ((size_t)l.tail, sizeof *l.ring);
      l.ring_err = calloc ((size_t)l.tail, sizeof *l.ring_err);
    }
  else if (l.tail == 0)
    {
      l.tail = 1;
      l.ring = calloc (1, sizeof *l.ring);
      l.ring_err = calloc (1, sizeof *l.ring_err);
      l.ring_pos = -1000000000; /* print nothing from before */
    }
  char *carry = NULL;
  size_t carry_len = 0;
  /* rotated files, oldest first */
  for (int i = 99; i >= 1; i--)
    {
      char name[32];
      snprintf (name, sizeof name, "ctr.log.%d", i);
      _cleanup_close_ int fd = openat (dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0)
        continue;
      read_lines (&l, fd, &carry, &carry_len);
      carry_len = 0;
    }
  int fd = openat (dfd, "ctr.log", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0)
    read_lines (&l, fd, &carry, &carry_len);
  if (l.ring)
    {
      long start = l.ring_pos > l.tail ? l.ring_pos - l.tail : 0;
      for (long i = start; i < l.ring_pos; i++)
        {
          if (i < 0)
            continue;
          long k = i % l.tail;
          fputs (l.ring[k], l.ring_err[k] ? stderr : stdout);
        }
      fflush (stdout);
      fflush (stderr);
      for (long i = 0; i < l.tail; i++)
        free (l.ring[i]);
      free (l.ring);
      free (l.ring_err);
      l.ring = NULL;
    }
  if (!follow)
    {
      safe_close (fd);
      free (carry);
      free (l.partial);
      return 0;
    }
  /* follow: new lines as they come, across rotations, until the container
   * stops (its monitor is gone) and everything is read */
  int in = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (in >= 0)
    inotify_add_watch (in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO);
  struct stat cur;
  if (fd >= 0)
    fstat (fd, &cur);
  for (;;)
    {
      struct pollfd p = { .fd = in, .events = POLLIN };
      poll (&p, 1, 250);
      char ev[4096];
      while (in >= 0 && read (in, ev, sizeof ev) > 0)
        ;
      if (fd >= 0)
        read_lines (&l, fd, &carry, &carry_len);
      struct stat now;
      if (fstatat (dfd, "ctr.log", &now, AT_SYMLINK_NOFOLLOW) == 0
          && (fd < 0 || now.st_ino != cur.st_ino))
        {
          /* rotated: the old file is read to its end above; go on with the
           * new one */
          safe_close (fd);
          fd = openat (dfd, "ctr.log", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
          carry_len = 0;
          if (fd >= 0)
            {
              fstat (fd, &cur);
              read_lines (&l, fd, &carry, &carry_len);
            }
        }
      _cleanup_ctr_record_ struct ctr_record *r2 = NULL;
      struct error *e2 = NULL;
      bool alive = engine_lookup (e, r->id, &r2, &e2) == 0
                   && (r2->state == CTR_RUNNING || r2->state == CTR_PAUSED
                       || r2->state == CTR_RESTARTING || r2->state == CTR_STARTING);
      error_free (e2);
      if (!alive)
        {
          if (fd >= 0)
            read_lines (&l, fd, &carry, &carry_len);
          break;
        }
    }
  safe_close (in);
  safe_close (fd);
  free (carry);
  free (l.partial);
  return 0;
}

const struct cli_command hull_cmd_logs = {
  .name = "logs",
  .summary = "Show a container's output",
  .args = "CONTAINER",
  .options = logs_options,
  .opts_size = sizeof (struct logs_opts),
  .init = logs_init,
  .on_option = logs_option,
  .min_args = 1,
  .max_args = 1,
  .run = logs_run,
};
