/* hull ps: CONTAINER ID IMAGE COMMAND CREATED STATUS PORTS NAMES, as docker. */
#include "ctr.h"
#include "hull.h"
#include "util.h"
#include "vulns.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "monitor/monitor.h"
#include "engine/spec.h"
#include "image/images.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool
label_match (char *const *labels, const char *f)
{
  const char *eq = strchr (f, '=');
  size_t kl = eq ? (size_t)(eq - f) : strlen (f);
  for (size_t i = 0; labels && labels[i]; i++)
    if (strncmp (labels[i], f, kl) == 0 && labels[i][kl] == '=')
      return eq == NULL || strcmp (labels[i] + kl + 1, eq + 1) == 0;
  return false;
}

static bool
ancestor_match (struct engine *e, const struct ctr_record *r, const char *v)
{
  struct error *err = NULL;
  _cleanup_image_info_ struct image_info *img = NULL;
  if (image_store_resolve (engine_store (e), v, &img, &err) < 0)
    {
      error_free (err);
      return r->image && strcmp (r->image, v) == 0;
    }
  return r->image_id && strcmp (r->image_id, img->id) == 0;
}

static bool
matches (struct engine *e, const struct ctr_record *r, char **filters)
{
  /* filters with the same key are ORed, different keys ANDed (docker) */
  static const char *const keys[] = { "name", "status", "label", "ancestor", "id", NULL };
  for (size_t k = 0; keys[k]; k++)
    {
      bool any = false, ok = false;
      size_t kl = strlen (keys[k]);
      for (size_t i = 0; filters && filters[i]; i++)
        {
          if (strncmp (filters[i], keys[k], kl) != 0 || filters[i][kl] != '=')
            continue;
          any = true;
          const char *v = filters[i] + kl + 1;
          if (k == 0)
            ok |= strstr (r->name, v[0] == '/' ? v + 1 : v) != NULL;
          else if (k == 1)
            ok |= strcmp (hull_ctr_state_word (r), v) == 0;
          else if (k == 2)
            ok |= label_match (r->spec->labels, v);
          else if (k == 3)
            ok |= ancestor_match (e, r, v);
          else
            ok |= strncmp (r->id, v, strlen (v)) == 0;
        }
      if (any && !ok)
        return false;
    }
  return true;
}

struct ps_opts
{
  bool all, quiet, notrunc, size, vulns;
  const char *format;
  int last;
  char **filters;
};

enum
{
  P_FILTER,
  P_LAST,
  P_LATEST,
};

static int
ps_option (void *opts, int key, const char *v, struct error **err)
{
  struct ps_opts *o = opts;
  switch (key)
    {
    case P_FILTER:
      {
        static const char *const ok[] = { "name=", "status=", "label=", "ancestor=", "id=" };
        bool good = false;
        for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
          good |= strncmp (v, ok[i], strlen (ok[i])) == 0;
        if (!good)
          return error_set (err, EINVAL,
                            "invalid filter `%s` (name=, status=, label=, ancestor=, id=)", v);
        if (strncmp (v, "status=", 7) == 0)
          {
            static const char *const st[]
                = { "created", "restarting", "running", "removing", "paused", "exited", "dead" };
            bool sgood = false;
            for (size_t i = 0; i < sizeof st / sizeof *st; i++)
              sgood |= strcmp (v + 7, st[i]) == 0;
            if (!sgood)
              return error_set (err, EINVAL, "invalid filter `%s`: unknown status", v);
          }
        return strv_push (&o->filters, v);
      }
    case P_LAST:
      if (parse_int (v, &o->last) < 0 || o->last < 0)
        return error_set (err, EINVAL, "invalid --last `%s`", v);
      o->all = true;
      return 0;
    case P_LATEST:
      o->last = 1;
      o->all = true;
      return 0;
    }
  return -EINVAL;
}

static void
ps_init (void *opts)
{
  ((struct ps_opts *)opts)->last = -1;
}

static void
ps_fini (void *opts)
{
  strv_free (((struct ps_opts *)opts)->filters);
}

static const struct cli_option ps_options[] = {
  CLI_OPT_FLAG ('a', "all", struct ps_opts, all, "all containers (default: running ones)"),
  CLI_OPT_FLAG ('q', "quiet", struct ps_opts, quiet, "only ids"),
  CLI_OPT_CALL ('f', "filter", P_FILTER, "K=V",
                "name=, status=, label=KEY[=VALUE], ancestor=, id="),
  CLI_OPT_STRING (0, "format", struct ps_opts, format, "TEMPLATE",
                  "json, table, or a template ({{.ID}}\\t{{.Names}})"),
  CLI_OPT_CALL ('n', "last", P_LAST, "N", "the N most recently created"),
  CLI_OPT_CALL_FLAG ('l', "latest", P_LATEST, "the most recently created"),
  CLI_OPT_FLAG (0, "no-trunc", struct ps_opts, notrunc, "do not truncate"),
  CLI_OPT_FLAG ('s', "size", struct ps_opts, size, "accepted for compatibility"),
  CLI_OPT_FLAG (0, "vulns", struct ps_opts, vulns,
                "add a VULNERABILITIES column: the last scan's counts"),
  { 0 },
};

static int
ps_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct ps_opts *opt = opts;
  bool all = opt->all, quiet = opt->quiet, notrunc = opt->notrunc;
  const char *format = opt->format;
  int last = opt->last;
  char **filters = opt->filters;
  (void)argc, (void)argv;
  _cleanup_error_ struct error *err = NULL;
  if (format && !hull_format_valid (format, &err))
    return hull_report (&err);
  /* the column is opt-in: --vulns, or a template that names it */
  bool vulns = opt->vulns || hull_vulns_in_format (format);
  if (vulns && hull_vulns_check (&err) < 0)
    return hull_usage_error ("ps", "--vulns: %s", err->msg);
  bool has_status = false;
  for (size_t i = 0; filters && filters[i]; i++)
    has_status |= strncmp (filters[i], "status=", 7) == 0;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  struct ctr_record **list = NULL;
  if (engine_list (e, &list, &err) < 0)
    return hull_report (&err);

  struct table *t = table_new (vulns ? 8 : 7);
  static const char *const head[] = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
                                      "STATUS",       "PORTS", "NAMES",   "VULNERABILITIES" };
  if (!quiet && !format)
    table_add (t, head);
  size_t cap = 8, nrows = 0;
  struct fmt_row *rows = calloc (cap, sizeof *rows);
  int shown = 0;
  for (size_t i = 0; list[i]; i++)
    {
      struct ctr_record *r = list[i];
      bool running = r->state == CTR_RUNNING || r->state == CTR_PAUSED || r->state == CTR_RESTARTING
                     || r->state == CTR_STARTING;
      if (!all && !has_status && !running)
        continue;
      if (!matches (e, r, filters))
        continue;
      if (last >= 0 && shown >= last)
        break;
      shown++;
      if (quiet)
        {
          printf (notrunc ? "%s\n" : "%.12s\n", r->id);
          continue;
        }
      struct fmt_row row;
      if (hull_ps_row (r, notrunc, &row, &err) < 0)
        {
          ctr_record_list_free (list);
          return hull_report (&err);
        }
      _cleanup_free_ char *vcell = vulns ? hull_vulns_cell (ctx, r->id) : NULL;
      if (vcell)
        /* in the JSON only, which templates fall back to: {{json .}}
         * and "json" show it only when asked for */
        json_object_object_add (row.json, "Vulnerabilities", json_object_new_string (vcell));
      if (!format)
        {
          /* CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES */
          const char *const *v = row.values;
          const char *cells[] = { v[0], v[1], v[2], v[4], v[7], v[5], v[8], vcell ? vcell : "-" };
          table_add (t, cells);
          hull_fmt_row_clear (&row);
          continue;
        }
      if (nrows == cap)
        {
          cap *= 2;
          rows = realloc (rows, cap * sizeof *rows);
        }
      rows[nrows++] = row;
    }
  int ret = 0;
  if (format)
    {
      if (strcmp (format, "table") == 0)
        format = vulns ? "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t"
                         "{{.Ports}}\t{{.Names}}\t{{.Vulnerabilities}}"
                       : "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t"
                         "{{.Ports}}\t{{.Names}}";
      /* ps's headers plus the column's */
      const char *hkeys[32], *hnames[32];
      size_t k = 0;
      for (; hull_ps_keys[k] && k < 30; k++)
        hkeys[k] = hull_ps_keys[k], hnames[k] = hull_ps_headers[k];
      hkeys[k] = "Vulnerabilities", hnames[k] = "VULNERABILITIES";
      hkeys[k + 1] = hnames[k + 1] = NULL;
      if (hull_format_rows (format, rows, nrows, hkeys, hnames, &err) < 0)
        ret = hull_report (&err);
    }
  else if (!quiet)
    table_print (t);
  for (size_t i = 0; i < nrows; i++)
    hull_fmt_row_clear (&rows[i]);
  free (rows);
  table_free (t);
  ctr_record_list_free (list);
  return ret;
}

const struct cli_command hull_cmd_ps = {
  .name = "ps",
  .summary = "List containers",
  .options = ps_options,
  .opts_size = sizeof (struct ps_opts),
  .init = ps_init,
  .fini = ps_fini,
  .on_option = ps_option,
  .max_args = 0,
  .run = ps_run,
};
