/* format.c - Docker's document shapes and their formatting, in one place:
 * the status and duration wording, the COMMAND and IMAGE columns, the
 * inspect document of a container, aligned tables and --format templates
 * (Go template subset).  Verbs build rows from these; nothing here opens
 * the engine. */
#include "format.h"
#include "ctr.h"
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "base/template.h"
#include "engine/engine.h"
#include "engine/spec.h"
#include "monitor/monitor.h"
#include "registry/reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
hull_human_duration (int64_t ns, char *buf, size_t cap)
{
  int64_t s = ns / 1000000000;
  if (s < 1)
    snprintf (buf, cap, "Less than a second");
  else if (s == 1)
    snprintf (buf, cap, "1 second");
  else if (s < 60)
    snprintf (buf, cap, "%lld seconds", (long long)s);
  else if (s / 60 == 1)
    snprintf (buf, cap, "About a minute");
  else if (s < 3600)
    snprintf (buf, cap, "%lld minutes", (long long)s / 60);
  else if (s / 3600 == 1)
    snprintf (buf, cap, "About an hour");
  else if (s < 48 * 3600)
    snprintf (buf, cap, "%lld hours", (long long)s / 3600);
  else if (s < 7 * 86400 * 2)
    snprintf (buf, cap, "%lld days", (long long)s / 86400);
  else if (s < 30 * 86400 * 3)
    snprintf (buf, cap, "%lld weeks", (long long)s / (7 * 86400));
  else if (s < 365 * 86400 * 2)
    snprintf (buf, cap, "%lld months", (long long)s / (30 * 86400));
  else
    snprintf (buf, cap, "%lld years", (long long)s / (365 * 86400));
}

void
hull_ctr_status (const struct ctr_record *r, char *buf, size_t cap)
{
  char d[64];
  int64_t now = now_ns ();
  switch (r->state)
    {
    case CTR_RUNNING:
    case CTR_PAUSED:
      hull_human_duration (now - r->started_at, d, sizeof d);
      if (r->state == CTR_PAUSED)
        snprintf (buf, cap, "Up %s (Paused)", d);
      else if (r->health)
        snprintf (buf, cap, "Up %s (%s)", d,
                  strcmp (r->health, "starting") == 0 ? "health: starting" : r->health);
      else
        snprintf (buf, cap, "Up %s", d);
      break;
    case CTR_RESTARTING:
      hull_human_duration (now - r->finished_at, d, sizeof d);
      snprintf (buf, cap, "Restarting (%d) %s ago", r->exit_code, d);
      break;
    case CTR_EXITED:
      if (r->finished_at <= 0)
        {
          snprintf (buf, cap, "Exited (%d)", r->exit_code);
          break;
        }
      hull_human_duration (now - r->finished_at, d, sizeof d);
      snprintf (buf, cap, "Exited (%d) %s ago", r->exit_code, d);
      break;
    case CTR_REMOVING:
      snprintf (buf, cap, "Removal In Progress");
      break;
    case CTR_DEAD:
      snprintf (buf, cap, "Dead");
      break;
    default:
      snprintf (buf, cap, "Created");
    }
}

char *
hull_ctr_command (const struct ctr_record *r, bool full)
{
  _cleanup_strv_ char **args = NULL;
  if (r->spec->init)
    strv_push (&args, "/dev/init --");
  for (size_t i = 0; r->spec->entrypoint && r->spec->entrypoint[i]; i++)
    strv_push (&args, r->spec->entrypoint[i]);
  for (size_t i = 0; r->spec->cmd && r->spec->cmd[i]; i++)
    strv_push (&args, r->spec->cmd[i]);
  size_t len = 3;
  for (size_t i = 0; args && args[i]; i++)
    len += strlen (args[i]) + 1;
  char *s = calloc (1, len);
  if (s == NULL)
    return NULL;
  strcat (s, "\"");
  for (size_t i = 0; args && args[i]; i++)
    {
      if (i)
        strcat (s, " ");
      strcat (s, args[i]);
    }
  if (!full && strlen (s) > 20)
    strcpy (s + 19, "…");
  strcat (s, "\"");
  return s;
}

char *
hull_ctr_image (const struct ctr_record *r)
{
  struct error *e = NULL;
  _cleanup_reference_ struct reference *ref = NULL;
  if (r->image && reference_parse (r->image, REFERENCE_NO_DEFAULT_TAG, &ref, &e) == 0)
    {
      char *f = reference_familiar (ref);
      if (f)
        return f;
    }
  error_free (e);
  return strdup (r->image ? r->image : "");
}

/* ------------------------------------------------------------ inspect */

static json_object *
time_json (int64_t ns)
{
  if (ns <= 0)
    return json_object_new_string ("0001-01-01T00:00:00Z");
  char b[48];
  format_rfc3339nano (ns, b, sizeof b);
  return json_object_new_string (b);
}

json_object *
hull_ctr_inspect_json (struct engine *e, const struct ctr_record *r)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (r->id));
  json_object_object_add (o, "Created", time_json (r->created));
  _cleanup_strv_ char **args = NULL;
  for (size_t i = 0; r->spec->entrypoint && r->spec->entrypoint[i]; i++)
    strv_push (&args, r->spec->entrypoint[i]);
  for (size_t i = 0; r->spec->cmd && r->spec->cmd[i]; i++)
    strv_push (&args, r->spec->cmd[i]);
  json_object_object_add (o, "Path", json_object_new_string (args && args[0] ? args[0] : ""));
  json_object *a = json_object_new_array ();
  for (size_t i = 1; args && args[0] && args[i]; i++)
    json_object_array_add (a, json_object_new_string (args[i]));
  json_object_object_add (o, "Args", a);

  json_object *st = json_object_new_object ();
  /* docker's statuses: a container being started is still "created" */
  const char *status = r->state == CTR_STARTING ? "created" : ctr_state_name (r->state);
  json_object_object_add (st, "Status", json_object_new_string (status));
  json_object_object_add (
      st, "Running", json_object_new_boolean (r->state == CTR_RUNNING || r->state == CTR_PAUSED));
  json_object_object_add (st, "Paused", json_object_new_boolean (r->state == CTR_PAUSED));
  json_object_object_add (st, "Restarting", json_object_new_boolean (r->state == CTR_RESTARTING));
  json_object_object_add (st, "OOMKilled", json_object_new_boolean (r->oom_killed));
  json_object_object_add (st, "Dead", json_object_new_boolean (r->state == CTR_DEAD));
  json_object_object_add (
      st, "Pid",
      json_object_new_int (r->state == CTR_RUNNING || r->state == CTR_PAUSED ? r->pid : 0));
  json_object_object_add (st, "ExitCode", json_object_new_int (r->exit_code));
  json_object_object_add (st, "Error", json_object_new_string (r->error ? r->error : ""));
  json_object_object_add (st, "StartedAt", time_json (r->started_at));
  json_object_object_add (st, "FinishedAt", time_json (r->finished_at));
  if (r->health)
    {
      json_object *h = json_object_new_object (), *log = json_object_new_array ();
      json_object_object_add (h, "Status", json_object_new_string (r->health));
      json_object_object_add (h, "FailingStreak", json_object_new_int (r->health_failing_streak));
      for (size_t i = 0; i < r->n_health_log; i++)
        {
          json_object *x = json_object_new_object ();
          json_object_object_add (x, "Start", time_json (r->health_log[i].start));
          json_object_object_add (x, "End", time_json (r->health_log[i].end));
          json_object_object_add (x, "ExitCode", json_object_new_int (r->health_log[i].exit_code));
          json_object_object_add (
              x, "Output",
              json_object_new_string (r->health_log[i].output ? r->health_log[i].output : ""));
          json_object_array_add (log, x);
        }
      json_object_object_add (h, "Log", log);
      json_object_object_add (st, "Health", h);
    }
  json_object_object_add (o, "State", st);
  json_object_object_add (o, "Image", json_object_new_string (r->image_id ? r->image_id : ""));
  _cleanup_free_ char *dir = engine_ctr_rundir (e, r->id), *logdir = engine_ctr_dir (e, r->id),
                      *rootfs = engine_ctr_rootfs (e, r->id);
  char p[4200];
  snprintf (p, sizeof p, "%s/resolv.conf", dir);
  json_object_object_add (o, "ResolvConfPath", json_object_new_string (p));
  snprintf (p, sizeof p, "%s/hostname", dir);
  json_object_object_add (o, "HostnamePath", json_object_new_string (p));
  snprintf (p, sizeof p, "%s/hosts", dir);
  json_object_object_add (o, "HostsPath", json_object_new_string (p));
  snprintf (p, sizeof p, "%s/ctr.log", logdir);
  json_object_object_add (o, "LogPath", json_object_new_string (p));
  char name[300];
  snprintf (name, sizeof name, "/%s", r->name);
  json_object_object_add (o, "Name", json_object_new_string (name));
  json_object_object_add (o, "RestartCount", json_object_new_int (r->restart_count));
  json_object_object_add (o, "Driver", json_object_new_string ("overlay"));
  json_object_object_add (o, "Platform", json_object_new_string ("linux"));
  json_object *spec = ctr_spec_to_json (r->spec);
  json_object *hc = NULL, *cfg = NULL;
  json_object_object_get_ex (spec, "HostConfig", &hc);
  json_object_object_get_ex (spec, "Config", &cfg);
  json_object_object_add (o, "HostConfig", json_object_get (hc));
  json_object *gd = json_object_new_object (), *gdd = json_object_new_object ();
  json_object_object_add (gd, "Name", json_object_new_string ("overlay"));
  snprintf (p, sizeof p, "%s/snapshots/%s/upper", engine_root (e), r->id);
  json_object_object_add (gdd, "UpperDir", json_object_new_string (p));
  snprintf (p, sizeof p, "%s/snapshots/%s/work", engine_root (e), r->id);
  json_object_object_add (gdd, "WorkDir", json_object_new_string (p));
  json_object_object_add (gdd, "MergedDir", json_object_new_string (rootfs));
  json_object_object_add (gd, "Data", gdd);
  json_object_object_add (o, "GraphDriver", gd);
  json_object *mounts = json_object_new_array ();
  for (size_t i = 0; i < r->spec->n_mounts; i++)
    {
      const struct ctr_mount *m = &r->spec->mounts[i];
      json_object *x = json_object_new_object ();
      json_object_object_add (x, "Type", json_object_new_string (m->type));
      json_object_object_add (x, "Source", json_object_new_string (m->source ? m->source : ""));
      json_object_object_add (x, "Destination", json_object_new_string (m->target));
      json_object_object_add (x, "Mode", json_object_new_string (""));
      json_object_object_add (x, "RW", json_object_new_boolean (!m->readonly));
      json_object_object_add (x, "Propagation",
                              json_object_new_string (m->propagation ? m->propagation : ""));
      json_object_array_add (mounts, x);
    }
  json_object_object_add (o, "Mounts", mounts);
  json_object_object_add (o, "Config", json_object_get (cfg));
  json_object *ns = json_object_new_object ();
  json_object_object_add (ns, "Ports", json_object_new_object ());
  json_object_object_add (ns, "Networks", json_object_new_object ());
  json_object_object_add (o, "NetworkSettings", ns);
  /* networks (and whatever else extensions keep) fill in their parts */
  engine_ext_inspect (e, r, o);
  json_object_put (spec);
  return o;
}

/* ------------------------------------------------------------ tables */

struct table
{
  size_t ncols, nrows;
  char **cells; /* nrows * ncols */
};

struct table *
table_new (size_t ncols)
{
  struct table *t = calloc (1, sizeof *t);
  if (t)
    t->ncols = ncols;
  return t;
}

void
table_add (struct table *t, const char *const *cells)
{
  char **n = realloc (t->cells, (t->nrows + 1) * t->ncols * sizeof *n);
  if (n == NULL)
    return;
  t->cells = n;
  for (size_t i = 0; i < t->ncols; i++)
    n[t->nrows * t->ncols + i] = strdup (cells[i] ? cells[i] : "");
  t->nrows++;
}

/* Display width: UTF-8 continuation bytes do not count. */
static size_t
width (const char *s)
{
  size_t w = 0;
  for (; *s; s++)
    w += ((unsigned char)*s & 0xc0) != 0x80;
  return w;
}

void
table_print (struct table *t)
{
  size_t *w = calloc (t->ncols, sizeof *w);
  if (w == NULL)
    return;
  for (size_t r = 0; r < t->nrows; r++)
    for (size_t c = 0; c < t->ncols; c++)
      {
        size_t l = width (t->cells[r * t->ncols + c]);
        if (l > w[c])
          w[c] = l;
      }
  for (size_t r = 0; r < t->nrows; r++)
    {
      for (size_t c = 0; c < t->ncols; c++)
        {
          const char *s = t->cells[r * t->ncols + c];
          if (c + 1 == t->ncols)
            fputs (s, stdout);
          else
            printf ("%s%*s", s, (int)(w[c] - width (s) + 3), "");
        }
      putchar ('\n');
    }
  free (w);
}

void
table_free (struct table *t)
{
  if (t == NULL)
    return;
  for (size_t i = 0; i < t->nrows * t->ncols; i++)
    free (t->cells[i]);
  free (t->cells);
  free (t);
}

/* ------------------------------------------------------------ templates */

/* Parse a --format value as docker does (a leading `table`, `\t`, `\n`). */
static int
parse_format (const char *format, struct tmpl **t, bool *table, struct error **err)
{
  _cleanup_free_ char *text = tmpl_docker_format (format, table);
  if (text == NULL)
    return error_set (err, ENOMEM, "out of memory");
  struct error *e = NULL;
  if (tmpl_parse (text, t, &e) < 0)
    {
      int r = error_set (err, e->code ? e->code : EINVAL, "template parsing error: %s", e->msg);
      error_free (e);
      return r;
    }
  return 0;
}

bool
hull_format_valid (const char *format, struct error **err)
{
  if (strcmp (format, "json") == 0)
    return true;
  _cleanup_tmpl_ struct tmpl *t = NULL;
  bool table = false;
  return parse_format (format, &t, &table, err) == 0;
}

/* The header document of a table: each field of the rows maps to its
 * column name (docker's name where one is known, else the field's own). */
static json_object *
header_doc (const struct fmt_row *rows, size_t n, const char *const *hkeys,
            const char *const *hnames)
{
  json_object *h = json_object_new_object ();
  if (h == NULL)
    return NULL;
  for (size_t i = 0; hkeys && hkeys[i]; i++)
    json_object_object_add (h, hkeys[i], json_object_new_string (hnames[i]));
  if (n > 0 && json_object_is_type (rows[0].json, json_type_object))
    {
      json_object_object_foreach (rows[0].json, k, v)
      {
        (void)v;
        if (!json_object_object_get_ex (h, k, NULL))
          json_object_object_add (h, k, json_object_new_string (k));
      }
    }
  return h;
}

int
hull_format_rows (const char *format, const struct fmt_row *rows, size_t n,
                  const char *const *hkeys, const char *const *hnames, struct error **err)
{
  if (strcmp (format, "json") == 0)
    {
      for (size_t i = 0; i < n; i++)
        printf ("%s\n", rows[i].json
                            ? json_object_to_json_string_ext (rows[i].json, JSON_C_TO_STRING_PLAIN)
                            : "{}");
      return 0;
    }
  _cleanup_tmpl_ struct tmpl *t = NULL;
  bool table = false;
  int r = parse_format (format, &t, &table, err);
  if (r < 0)
    return r;
  /* every row is rendered before anything is printed: a failing row
   * leaves no partial table behind */
  size_t nout = n + (table ? 1 : 0);
  char **out = calloc (nout ? nout : 1, sizeof *out);
  if (out == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < nout && r == 0; i++)
    {
      json_object *doc = NULL, *hdr = NULL;
      if (table && i == 0)
        doc = hdr = header_doc (rows, n, hkeys, hnames);
      else
        doc = rows[i - (table ? 1 : 0)].json;
      if (table && i == 0 && hdr == NULL)
        r = error_set (err, ENOMEM, "out of memory");
      else
        r = tmpl_exec (t, doc, &out[i], NULL, err);
      json_object_put (hdr);
    }
  if (r == 0 && !table)
    for (size_t i = 0; i < nout; i++)
      printf ("%s\n", out[i]);
  else if (r == 0)
    {
      /* a table: cells are what the tabs separate; an empty field is
       * still a cell (strsep, not strtok) */
      size_t ncols = 1;
      for (size_t i = 0; i < nout; i++)
        {
          size_t c = 1;
          for (const char *p = out[i]; *p; p++)
            c += *p == '\t';
          if (c > ncols)
            ncols = c;
        }
      struct table *tb = table_new (ncols);
      const char **cells = calloc (ncols + 1, sizeof *cells);
      if (tb == NULL || cells == NULL)
        r = error_set (err, ENOMEM, "out of memory");
      for (size_t i = 0; r == 0 && i < nout; i++)
        {
          memset (cells, 0, (ncols + 1) * sizeof *cells);
          size_t k = 0;
          char *rest = out[i];
          for (char *c; k < ncols && (c = strsep (&rest, "\t")) != NULL;)
            cells[k++] = c;
          table_add (tb, cells);
        }
      if (r == 0)
        table_print (tb);
      free (cells);
      table_free (tb);
    }
  for (size_t i = 0; i < nout; i++)
    free (out[i]);
  free (out);
  return r;
}

/* ------------------------------------------------------------ ps rows */

const char *const hull_ps_keys[]
    = { "ID",     "Image", "Command", "CreatedAt", "RunningFor", "Ports", "State",
        "Status", "Names", "Labels",  "Mounts",    "Networks",   "Size",  NULL };
const char *const hull_ps_headers[]
    = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED AT", "CREATED",  "PORTS", "STATE",
        "STATUS",       "NAMES", "LABELS",  "MOUNTS",     "NETWORKS", "SIZE",  NULL };

const char *
hull_ctr_state_word (const struct ctr_record *r)
{
  return r->state == CTR_STARTING ? "created" : ctr_state_name (r->state);
}

int
hull_ps_row (const struct ctr_record *r, bool notrunc, struct fmt_row *row, struct error **err)
{
  char id[65];
  snprintf (id, sizeof id, notrunc ? "%s" : "%.12s", r->id);
  _cleanup_free_ char *image = hull_ctr_image (r), *cmd = hull_ctr_command (r, notrunc);
  char created[64], status[128], ago[80];
  hull_human_duration (now_ns () - r->created, created, sizeof created);
  snprintf (ago, sizeof ago, "%s ago", created);
  hull_ctr_status (r, status, sizeof status);
  char created_at[64];
  time_t secs = (time_t)(r->created / 1000000000);
  struct tm tm;
  localtime_r (&secs, &tm);
  strftime (created_at, sizeof created_at, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  _cleanup_free_ char *labels = NULL;
  size_t ll = 1;
  for (size_t k = 0; r->spec->labels && r->spec->labels[k]; k++)
    ll += strlen (r->spec->labels[k]) + 1;
  labels = calloc (1, ll);
  for (size_t k = 0; labels && r->spec->labels && r->spec->labels[k]; k++)
    {
      if (k)
        strcat (labels, ",");
      strcat (labels, r->spec->labels[k]);
    }
  const char *net = r->spec->network ? r->spec->network : "none";
  if (strcmp (net, "default") == 0)
    net = "none";
  const char *vals[] = { id,
                         image ? image : "",
                         cmd ? cmd : "",
                         created_at,
                         ago,
                         "",
                         hull_ctr_state_word (r),
                         status,
                         r->name,
                         labels ? labels : "",
                         "",
                         net,
                         "0B",
                         NULL };
  _cleanup_strv_ char **copy = NULL;
  for (size_t k = 0; hull_ps_keys[k]; k++)
    if (strv_push (&copy, vals[k]) < 0)
      return error_set (err, ENOMEM, "out of memory");
  json_object *j = json_object_new_object ();
  if (j == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t k = 0; hull_ps_keys[k]; k++)
    json_object_object_add (j, hull_ps_keys[k], json_object_new_string (vals[k]));
  row->keys = hull_ps_keys;
  row->values = (const char *const *)TAKE_PTR (copy);
  row->json = j;
  return 0;
}

void
hull_fmt_row_clear (struct fmt_row *row)
{
  strv_free ((char **)row->values);
  json_object_put (row->json);
  memset (row, 0, sizeof *row);
}

/* ------------------------------------------------------------ stats rows */

const char *const hull_stats_keys[] = { "ID",      "Container", "Name",    "CPUPerc", "MemUsage",
                                        "MemPerc", "NetIO",     "BlockIO", "PIDs",    NULL };
const char *const hull_stats_headers[]
    = { "CONTAINER ID", "CONTAINER", "NAME",      "CPU %", "MEM USAGE / LIMIT",
        "MEM %",        "NET I/O",   "BLOCK I/O", "PIDS",  NULL };
const char *const hull_stats_table_headers[]
    = { "CONTAINER ID", "NAME",    "CPU %",     "MEM USAGE / LIMIT",
        "MEM %",        "NET I/O", "BLOCK I/O", "PIDS" };

/* binary units for memory, as docker shows them */
static void
bin_size (uint64_t n, char *buf, size_t cap)
{
  static const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
  double v = (double)n;
  int i = 0;
  while (v >= 1024 && i < 4)
    v /= 1024, i++;
  if (i == 0)
    snprintf (buf, cap, "%lluB", (unsigned long long)n);
  else
    snprintf (buf, cap, "%.4g%s", v, u[i]);
}

int
hull_stats_row (const struct hull_stats_sample *cur, const struct hull_stats_sample *prev,
                bool notrunc, struct fmt_row *row, struct error **err)
{
  const struct engine_stats *st = &cur->st;
  char id[65], cpu[32], mem[64], memp[32], blk[64], pids[32], a[32], b[32];
  snprintf (id, sizeof id, notrunc ? "%s" : "%.12s", cur->id);
  if (cur->ok && prev->ok && cur->at > prev->at && st->cpu_ns >= prev->st.cpu_ns)
    snprintf (cpu, sizeof cpu, "%.2f%%",
              100.0 * (double)(st->cpu_ns - prev->st.cpu_ns) / (double)(cur->at - prev->at));
  else
    snprintf (cpu, sizeof cpu, "--");
  bin_size (st->mem, a, sizeof a);
  bin_size (st->mem_limit, b, sizeof b);
  snprintf (mem, sizeof mem, cur->ok ? "%s / %s" : "-- / --", a, b);
  snprintf (memp, sizeof memp, cur->ok && st->mem_limit ? "%.2f%%" : "--",
            st->mem_limit ? 100.0 * (double)st->mem / (double)st->mem_limit : 0.0);
  hull_human_size (st->blk_read, a, sizeof a);
  hull_human_size (st->blk_write, b, sizeof b);
  snprintf (blk, sizeof blk, cur->ok ? "%s / %s" : "-- / --", a, b);
  snprintf (pids, sizeof pids, cur->ok ? "%llu" : "--", (unsigned long long)st->pids);
  const char *v[]
      = { id, id, cur->name ? cur->name : "", cpu, mem, memp, "0B / 0B", blk, pids, NULL };
  char **copy = strv_dup ((char **)v);
  json_object *j = json_object_new_object ();
  if (copy == NULL || j == NULL)
    {
      strv_free (copy);
      json_object_put (j);
      return error_set (err, ENOMEM, "out of memory");
    }
  for (size_t k = 0; hull_stats_keys[k]; k++)
    json_object_object_add (j, hull_stats_keys[k], json_object_new_string (v[k]));
  row->keys = hull_stats_keys;
  row->values = (const char *const *)copy;
  row->json = j;
  return 0;
}
