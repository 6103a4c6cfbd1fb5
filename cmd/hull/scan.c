/* hull scan: vulnerability scanning, offline (lib/scan).
 *
 *   hull scan [OPTIONS] IMAGE|CONTAINER...   hull scan --all [OPTIONS]
 *   hull scan db import PATH...              hull scan db status [--max-age D]
 *   hull scan db push|pull REF               hull scan summary
 *
 * `scan` is a verb and a group at once (lib/base/cli.h): `db` and `summary`
 * are its sub-verbs, any other first word an image or a container.
 */
#include "ctr.h"
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "registry/client.h"
#include "scan/scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_MAX_AGE (7 * 86400)

/* "7d", "36h", "90m", "600s"; a bare number is days. */
static int
parse_age (const char *s, int64_t *out)
{
  char *end;
  errno = 0;
  long long v = strtoll (s, &end, 10);
  if (errno || end == s || v < 0 || v > 100000000)
    return -EINVAL;
  int64_t mul = 86400;
  if (*end == 's')
    mul = 1;
  else if (*end == 'm')
    mul = 60;
  else if (*end == 'h')
    mul = 3600;
  else if (*end == 'd' || *end == 0)
    mul = 86400;
  else
    return -EINVAL;
  if (*end && end[1])
    return -EINVAL;
  *out = v * mul;
  return 0;
}

static int
max_age (const char *flag, int64_t *out)
{
  const char *v = flag ? flag : getenv ("HULL_SCAN_DB_MAX_AGE");
  *out = DEFAULT_MAX_AGE;
  if (v && parse_age (v, out) < 0)
    return hull_usage_error ("scan", "invalid age `%s` (e.g. 7d, 36h)", v);
  return 0;
}

static void
human_age (int64_t secs, char *buf, size_t n)
{
  if (secs < 120)
    snprintf (buf, n, "%lld seconds", (long long)secs);
  else if (secs < 7200)
    snprintf (buf, n, "%lld minutes", (long long)secs / 60);
  else if (secs < 2 * 86400)
    snprintf (buf, n, "%lld hours", (long long)secs / 3600);
  else
    snprintf (buf, n, "%lld days", (long long)secs / 86400);
}

/* A warning when the database is older than the limit; returns whether. */
static bool
warn_age (const struct scan_db_status *st, int64_t limit)
{
  int64_t age = (int64_t)time (NULL) - st->updated;
  if (st->updated > 0 && age <= limit)
    return false;
  char a[64], l[64];
  human_age (age, a, sizeof a);
  human_age (limit, l, sizeof l);
  fprintf (stderr, "hull: warning: the advisory database is %s old (limit %s): import newer data\n",
           a, l);
  return true;
}

/* hull scan db push|pull REF [--tls-verify=false] [--authfile F] [--creds U:P]
 * [--cert-dir D]: the database as an OCI artifact. */
struct db_transfer_opts
{
  struct hull_registry_flags reg;
};

static const struct cli_option db_transfer_options[] = {
  HULL_REGISTRY_OPTIONS (struct db_transfer_opts, reg),
  { 0 },
};

static int
scan_db_transfer (struct hull_ctx *ctx, bool push, const struct db_transfer_opts *opt,
                  const char *ref)
{
  struct registry_options ro = { 0 };
  _cleanup_free_ char *user = NULL;
  int rc
      = hull_registry_flags_apply (push ? "scan db push" : "scan db pull", &opt->reg, &ro, &user);
  if (rc)
    return rc;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *digest = NULL;
  int r = push ? scan_db_push (ctx->root, ref, &ro, &digest, &err)
               : scan_db_pull (ctx->root, ref, &ro, &digest, &err);
  if (r < 0)
    return hull_report (&err);
  printf ("%s %s: %s\n", push ? "Pushed" : "Pulled", ref, digest ? digest : "");
  return 0;
}

static int
db_push_run (void *data, void *opts, int argc, char **argv)
{
  (void)argc;
  return scan_db_transfer (data, true, opts, argv[0]);
}

static int
db_pull_run (void *data, void *opts, int argc, char **argv)
{
  (void)argc;
  return scan_db_transfer (data, false, opts, argv[0]);
}

static const struct cli_command db_push_cmd = {
  .name = "push",
  .summary = "Push the advisory database to a registry as an OCI artifact",
  .args = "REGISTRY/REPOSITORY[:TAG]",
  .description = "Push the advisory database to a registry as an OCI artifact (a mirror for\n"
                 "machines without internet access).",
  .options = db_transfer_options,
  .opts_size = sizeof (struct db_transfer_opts),
  .min_args = 1,
  .max_args = 1,
  .run = db_push_run,
};

static const struct cli_command db_pull_cmd = {
  .name = "pull",
  .summary = "Replace the advisory database with one from a registry",
  .args = "REGISTRY/REPOSITORY[:TAG]",
  .description = "Pull an advisory database pushed with `hull scan db push`; it replaces the\n"
                 "current one only once it is complete and checked.",
  .options = db_transfer_options,
  .opts_size = sizeof (struct db_transfer_opts),
  .min_args = 1,
  .max_args = 1,
  .run = db_pull_run,
};

static int
db_import_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  (void)opts, (void)argc;
  _cleanup_error_ struct error *err = NULL;
  struct scan_import_stats st;
  if (scan_db_import (ctx->root, argv, &st, &err) < 0)
    return hull_report (&err);
  printf ("Imported %zu files: %zu advisories (%zu withdrawn), %zu affected packages\n", st.files,
          st.advisories, st.withdrawn, st.affected);
  return 0;
}

static const struct cli_command db_import_cmd = {
  .name = "import",
  .summary = "Import advisories into the database",
  .args = "PATH [PATH...]",
  .description = "Import OSV JSON (one advisory or an array), the Debian security tracker's JSON\n"
                 "and Alpine secdb files, or directories of them (*.json).  All or nothing.",
  .min_args = 1,
  .max_args = -1,
  .run = db_import_run,
};

struct db_status_opts
{
  const char *max_age;
};

static const struct cli_option db_status_options[] = {
  CLI_OPT_STRING (0, "max-age", struct db_status_opts, max_age, "AGE",
                  "warn (exit 1) when older (default 7d, or $HULL_SCAN_DB_MAX_AGE)"),
  { 0 },
};

static int
db_status_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct db_status_opts *opt = opts;
  (void)argc, (void)argv;
  _cleanup_error_ struct error *err = NULL;
  int64_t limit;
  int r = max_age (opt->max_age, &limit);
  if (r)
    return r;
  _cleanup_scan_db_ struct scan_db *db = NULL;
  struct scan_db_status st;
  if (scan_db_open (ctx->root, &db, &err) < 0 || scan_db_get_status (db, &st, &err) < 0)
    return hull_report (&err);
  char when[64] = "never", age[64];
  time_t t = (time_t)st.updated;
  struct tm tm;
  if (st.updated > 0 && gmtime_r (&t, &tm))
    strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
  human_age ((int64_t)time (NULL) - st.updated, age, sizeof age);
  printf ("Schema:      %d\nUpdated:     %s (%s ago)\nAdvisories:  %lld (%lld withdrawn)\n"
          "Affected:    %lld\n",
          st.schema, when, age, (long long)st.advisories, (long long)st.withdrawn,
          (long long)st.affected);
  printf ("SOURCE  ECOSYSTEM  ADVISORIES  RECORDS\n");
  for (size_t i = 0; st.sources && st.sources[i]; i++)
    {
      char src[64], eco[64];
      long long a, n;
      if (sscanf (st.sources[i], "%63s %63s %lld %lld", src, eco, &a, &n) == 4)
        printf ("%s  %s  %lld  %lld\n", src, eco, a, n);
    }
  bool old = warn_age (&st, limit);
  scan_db_status_clear (&st);
  return old ? HULL_EXIT_FAIL : 0;
}

static const struct cli_command db_status_cmd = {
  .name = "status",
  .summary = "Show when the advisory database was updated and what it holds",
  .description = "Show when the advisory database was updated and what it holds; a warning\n"
                 "(exit 1) when it is older than AGE.",
  .options = db_status_options,
  .opts_size = sizeof (struct db_status_opts),
  .max_args = 0,
  .run = db_status_run,
};

static const struct cli_entry db_verbs[] = {
  { &db_import_cmd }, { &db_status_cmd }, { &db_push_cmd }, { &db_pull_cmd }, { NULL },
};

static const struct cli_command db_cmd = {
  .name = "db",
  .summary = "Manage the advisory database",
  .sub = db_verbs,
};

static int
parse_severities (const char *list, unsigned *mask)
{
  _cleanup_free_ char *copy = strdup (list);
  char *save = NULL;
  if (!copy)
    return -ENOMEM;
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    {
      enum scan_severity s;
      if (scan_severity_parse (t, &s) < 0)
        return hull_usage_error ("scan",
                                 "unknown severity `%s` (UNKNOWN, LOW, MEDIUM, HIGH, "
                                 "CRITICAL)",
                                 t);
      *mask |= 1u << s;
    }
  return 0;
}

/* hull scan summary: the last scan's counts of every image and container
 * (what a listing's vulnerability column shows), without scanning. */
static int
summary_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  (void)opts, (void)argc, (void)argv;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct scan_subject *subs = NULL;
  size_t n = 0;
  if (hull_open_engine (ctx, &e, &err) < 0 || scan_subjects_all (e, &subs, &n, &err) < 0)
    return hull_report (&err);
  struct table *t = table_new (4);
  const char *head[] = { "NAME", "KIND", "SCANNED", "VULNERABILITIES" };
  table_add (t, head);
  time_t now = time (NULL);
  for (size_t i = 0; i < n; i++)
    {
      struct scan_summary sm;
      _cleanup_error_ struct error *e2 = NULL;
      _cleanup_free_ char *counts = NULL;
      char ago[80] = "never";
      if (scan_summary_load (ctx->root, subs[i].id, &sm, &e2) == 0)
        {
          char h[64];
          human_age ((int64_t)now - sm.when, h, sizeof h);
          snprintf (ago, sizeof ago, "%s ago", h);
          counts = scan_summary_format (&sm);
        }
      const char *row[] = { subs[i].name, subs[i].kind, ago, counts ? counts : "-" };
      table_add (t, row);
      scan_subject_clear (&subs[i]);
    }
  free (subs);
  table_print (t);
  table_free (t);
  return 0;
}

static const struct cli_command summary_cmd = {
  .name = "summary",
  .summary = "Show the last scan's counts of every image and container",
  .description = "Show the last scan's counts of every image and container (what a listing's\n"
                 "vulnerability column shows), without scanning.",
  .max_args = 0,
  .run = summary_run,
};

struct scan_job
{
  struct scan_subject sub;
  struct scan_inventory *inv;
  struct scan_result *res;
};

struct scan_opts
{
  bool all, ignore_unfixed, show_unimportant;
  const char *format, *severity, *exit_code, *max_age;
  char **ignorefiles, **vex;
};

static const struct cli_option scan_options[] = {
  CLI_OPT_FLAG (0, "all", struct scan_opts, all, "every image and container in the store"),
  CLI_OPT_STRING ('f', "format", struct scan_opts, format, "FORMAT",
                  "table (default), json (Trivy's report), sarif, cyclonedx"),
  CLI_OPT_STRING ('s', "severity", struct scan_opts, severity, "LIST",
                  "only these severities (UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL)"),
  CLI_OPT_STRING (0, "exit-code", struct scan_opts, exit_code, "N",
                  "exit with N when something is found (default 0)"),
  CLI_OPT_FLAG (0, "ignore-unfixed", struct scan_opts, ignore_unfixed,
                "only vulnerabilities that have a fix"),
  CLI_OPT_FLAG (0, "show-unimportant", struct scan_opts, show_unimportant,
                "also what the distribution calls unimportant"),
  CLI_OPT_STRV (0, "ignorefile", struct scan_opts, ignorefiles, "FILE",
                "ids to suppress, one per line (# reason)"),
  CLI_OPT_STRV (0, "vex", struct scan_opts, vex, "FILE",
                "OpenVEX statements (not_affected, fixed) to apply"),
  CLI_OPT_STRING (0, "max-age", struct scan_opts, max_age, "AGE",
                  "warn when the database is older (default 7d)"),
  { 0 },
};

static int
scan_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct scan_opts *opt = opts;
  bool all = opt->all;
  const char *format = opt->format ? opt->format : "table", *age_flag = opt->max_age;
  struct scan_report_opts ro
      = { .ignore_unfixed = opt->ignore_unfixed, .show_unimportant = opt->show_unimportant };
  char **ignorefiles = opt->ignorefiles, **vex = opt->vex;
  int exit_code = 0;
  if (opt->severity)
    {
      int r = parse_severities (opt->severity, &ro.severities);
      if (r)
        return r < 0 ? HULL_EXIT_FAIL : r;
    }
  if (opt->exit_code)
    {
      char *end;
      long v = strtol (opt->exit_code, &end, 10);
      if (*end || end == opt->exit_code || v < 0 || v > 255)
        return hull_usage_error ("scan", "invalid --exit-code `%s` (0-255)", opt->exit_code);
      exit_code = (int)v;
    }
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0 && strcmp (format, "sarif") != 0
      && strcmp (format, "cyclonedx") != 0)
    return hull_usage_error ("scan", "unknown format `%s` (table, json, sarif, cyclonedx)", format);
  if (all && argc > 0)
    return hull_usage_error ("scan", "--all takes no arguments");
  if (!all && argc == 0)
    return hull_usage_error ("scan", "requires at least 1 argument (or --all)");
  int64_t limit;
  int r = max_age (age_flag, &limit);
  if (r)
    return r;

  _cleanup_error_ struct error *err = NULL;
  _cleanup_scan_filter_ struct scan_filter *flt = NULL;
  if (scan_filter_new (&flt) < 0)
    return HULL_EXIT_FAIL;
  for (size_t i = 0; ignorefiles && ignorefiles[i]; i++)
    if (scan_filter_load_ignorefile (flt, ignorefiles[i], &err) < 0)
      return hull_report (&err);
  for (size_t i = 0; vex && vex[i]; i++)
    if (scan_filter_load_vex (flt, vex[i], &err) < 0)
      return hull_report (&err);
  _cleanup_scan_db_ struct scan_db *db = NULL;
  if (scan_db_open (ctx->root, &db, &err) < 0)
    return hull_report (&err);
  struct scan_db_status dbst = { .updated = scan_db_updated (db) };
  warn_age (&dbst, limit);

  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  struct scan_subject *subs = NULL;
  size_t n = 0;
  if (all)
    {
      if (scan_subjects_all (e, &subs, &n, &err) < 0)
        return hull_report (&err);
    }
  else
    {
      n = (size_t)argc;
      subs = calloc (n + 1, sizeof *subs);
      if (!subs)
        return HULL_EXIT_FAIL;
      for (size_t i = 0; i < n; i++)
        if (scan_subject_resolve (e, argv[i], &subs[i], &err) < 0)
          {
            for (size_t j = 0; j < i; j++)
              scan_subject_clear (&subs[j]);
            free (subs);
            return hull_report (&err);
          }
    }
  _cleanup_scan_reader_ struct scan_reader *rd = NULL;
  struct scan_inventory **invs = calloc (n + 1, sizeof *invs);
  struct scan_result **res = calloc (n + 1, sizeof *res);
  struct scan_target *targets = calloc (n + 1, sizeof *targets);
  int ret = (!invs || !res || !targets) ? error_set (&err, ENOMEM, "out of memory")
                                        : scan_reader_new (&rd, &err);
  /* A subject that cannot be read (a damaged layer, an upper directory
   * gone) is one error line; the others are still scanned and reported,
   * and the exit status says that something failed. */
  size_t nt = 0, failed = 0;
  for (size_t i = 0; ret == 0 && i < n; i++)
    {
      _cleanup_error_ struct error *se = NULL;
      int r1 = scan_inventory_layers (rd, subs[i].layers, subs[i].upper, &invs[i], &se);
      if (r1 == 0)
        r1 = scan_match (db, invs[i], &res[i], &se);
      if (r1 < 0)
        {
          fprintf (stderr, "hull: error: %s `%s`: %s\n", subs[i].kind, subs[i].name, se->msg);
          failed++;
          continue;
        }
      scan_filter_apply (flt, invs[i], res[i]);
      /* for listings: the last scan's counts (not fatal: a report matters more) */
      error_free (se), se = NULL;
      if (scan_summary_save (ctx->root, subs[i].id, res[i], &ro, &se) < 0)
        fprintf (stderr, "hull: warning: %s: %s\n", subs[i].name, se->msg);
      targets[nt++]
          = (struct scan_target){ subs[i].name, subs[i].kind, subs[i].image_id, invs[i], res[i] };
      for (size_t j = 0; invs[i]->problems && invs[i]->problems[j]; j++)
        fprintf (stderr, "hull: warning: %s: %s\n", subs[i].name, invs[i]->problems[j]);
      for (size_t j = 0; res[i]->problems && res[i]->problems[j]; j++)
        fprintf (stderr, "hull: warning: %s: %s\n", subs[i].name, res[i]->problems[j]);
    }
  bool found = false;
  if (ret == 0)
    {
      for (size_t i = 0; i < nt; i++)
        for (size_t j = 0; j < targets[i].res->n; j++)
          found = found || scan_finding_shown (&targets[i].res->f[j], &ro);
      _cleanup_free_ char *out
          = strcmp (format, "json") == 0        ? scan_report_json (targets, nt, &ro)
            : strcmp (format, "sarif") == 0     ? scan_report_sarif (targets, nt, &ro)
            : strcmp (format, "cyclonedx") == 0 ? scan_report_cyclonedx (targets, nt, &ro)
                                                : scan_report_table (targets, nt, &ro);
      if (!out)
        ret = error_set (&err, ENOMEM, "report: out of memory");
      else
        fputs (out, stdout), fputs (strcmp (format, "table") == 0 ? "" : "\n", stdout);
    }
  for (size_t i = 0; i < n; i++)
    {
      scan_inventory_free (invs ? invs[i] : NULL);
      scan_result_free (res ? res[i] : NULL);
      scan_subject_clear (&subs[i]);
    }
  free (invs);
  free (res);
  free (targets);
  free (subs);
  if (ret < 0)
    return hull_report (&err);
  if (failed)
    return HULL_EXIT_FAIL;
  return found ? exit_code : 0;
}

static const struct cli_entry scan_verbs[] = {
  { &db_cmd },
  { &summary_cmd },
  { NULL },
};

/* A verb and a group at once: `hull scan IMAGE...` scans, `hull scan db
 * ...` and `hull scan summary` are sub-verbs (a first argument naming
 * neither is an image or a container). */
const struct cli_command hull_cmd_scan = {
  .name = "scan",
  .summary = "Scan images and containers for vulnerabilities",
  .args = "IMAGE|CONTAINER...",
  .description = "Scan images and containers for vulnerabilities: match the packages of images\n"
                 "and containers (a container: its image plus what it changed, marked as drift)\n"
                 "against the advisory database (`hull scan db import`).  --all scans every\n"
                 "image and container in the store.",
  .options = scan_options,
  .opts_size = sizeof (struct scan_opts),
  .min_args = 0,
  .max_args = -1,
  .run = scan_run,
  .sub = scan_verbs,
};
