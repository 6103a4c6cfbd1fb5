/* hull stats [--no-stream] [--format F] [-a] [CONTAINER...]: CPU, memory,
 * I/O and pids from the containers' cgroups, redrawn every second on a
 * terminal. */
#include "ctr.h"
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "monitor/monitor.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
take (struct engine *e, struct hull_stats_sample *s)
{
  struct error *err = NULL;
  s->ok = engine_stats (e, s->id, &s->st, &err) == 0;
  error_free (err);
  s->at = now_ns ();
}

static volatile sig_atomic_t stop;
static void
on_int (int sig)
{
  stop = 1;
}

struct stats_opts
{
  bool no_stream, notrunc, all;
  const char *format;
};

static const struct cli_option stats_options[] = {
  CLI_OPT_FLAG ('a', "all", struct stats_opts, all, "all containers (default: running ones)"),
  CLI_OPT_FLAG (0, "no-stream", struct stats_opts, no_stream, "one sample, then exit"),
  CLI_OPT_STRING (0, "format", struct stats_opts, format, "F",
                  "json, or a template ({{.Name}}\\t{{.CPUPerc}})"),
  CLI_OPT_FLAG (0, "no-trunc", struct stats_opts, notrunc, "full ids"),
  { 0 },
};

static int
stats_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct stats_opts *opt = opts;
  bool no_stream = opt->no_stream, notrunc = opt->notrunc, all = opt->all;
  const char *format = opt->format;
  _cleanup_error_ struct error *err = NULL;
  if (format && !hull_format_valid (format, &err))
    return hull_report (&err);
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  size_t n = 0;
  struct hull_stats_sample *s = NULL;
  if (argc > 0)
    {
      s = calloc ((size_t)argc, sizeof *s);
      for (int i = 0; i < argc; i++)
        {
          _cleanup_ctr_record_ struct ctr_record *r = NULL;
          if (engine_lookup (e, argv[i], &r, &err) < 0)
            return hull_report (&err);
          s[n].id = strdup (r->id);
          s[n].name = strdup (r->name);
          n++;
        }
    }
  else
    {
      struct ctr_record **l = NULL;
      if (engine_list (e, &l, &err) < 0)
        return hull_report (&err);
      size_t cnt = 0;
      while (l[cnt])
        cnt++;
      s = calloc (cnt + 1, sizeof *s);
      for (size_t i = 0; i < cnt; i++)
        if (all || l[i]->state == CTR_RUNNING || l[i]->state == CTR_PAUSED)
          {
            s[n].id = strdup (l[i]->id);
            s[n].name = strdup (l[i]->name);
            n++;
          }
      ctr_record_list_free (l);
    }
  bool term = !no_stream && isatty (1);
  signal (SIGINT, on_int);
  signal (SIGTERM, on_int);
  struct hull_stats_sample *prev = calloc (n + 1, sizeof *prev);
  for (size_t i = 0; i < n; i++)
    {
      prev[i].id = s[i].id;
      take (e, &prev[i]);
    }
  for (int round = 0; !stop; round++)
    {
      /* two samples make a CPU percentage: the first a quarter second after
       * the baseline, then every second */
      struct timespec ts = { round == 0 ? 0 : 1, round == 0 ? 250000000 : 0 };
      nanosleep (&ts, NULL);
      if (stop)
        break;
      struct table *t = table_new (8);
      if (!format)
        table_add (t, hull_stats_table_headers);
      struct fmt_row *rows = calloc (n + 1, sizeof *rows);
      for (size_t i = 0; i < n && rows; i++)
        {
          take (e, &s[i]);
          if (hull_stats_row (&s[i], &prev[i], notrunc, &rows[i], &err) < 0)
            break;
          if (!format)
            {
              /* CONTAINER ID, NAME, CPU %, MEM USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS */
              const char *const *v = rows[i].values;
              const char *cells[] = { v[0], v[2], v[3], v[4], v[5], v[6], v[7], v[8] };
              table_add (t, cells);
            }
          free (prev[i].name);
          char *keep_id = prev[i].id;
          prev[i] = s[i];
          prev[i].id = keep_id;
          prev[i].name = NULL;
        }
      if (term)
        fputs ("\033[2J\033[H", stdout);
      if (format)
        {
          const char *f = strcmp (format, "table") == 0
                              ? "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t"
                                "{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"
                              : format;
          if (err == NULL)
            hull_format_rows (f, rows, n, hull_stats_keys, hull_stats_headers, &err);
        }
      else
        table_print (t);
      fflush (stdout);
      for (size_t i = 0; i < n && rows; i++)
        hull_fmt_row_clear (&rows[i]);
      free (rows);
      table_free (t);
      if (err)
        return hull_report (&err);
      if (no_stream)
        break;
    }
  for (size_t i = 0; i < n; i++)
    {
      free (s[i].id);
      free (s[i].name);
    }
  free (s);
  free (prev);
  return 0;
}

const struct cli_command hull_cmd_stats = {
  .name = "stats",
  .summary = "Show containers' resource usage",
  .args = "[CONTAINER...]",
  .options = stats_options,
  .opts_size = sizeof (struct stats_opts),
  .max_args = -1,
  .run = stats_run,
};
