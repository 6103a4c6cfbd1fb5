/* hull scan: vulnerability scanning, offline (lib/scan).
 *
 *   hull scan [OPTIONS] IMAGE|CONTAINER...   hull scan --all [OPTIONS]
 *   hull scan db import PATH...              hull scan db status [--max-age D]
 */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "registry/client.h"
#include "scan/scan.h"

#include <errno.h>
#include <getopt.h>
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
static int
cmd_scan_db_transfer (struct hull_ctx *ctx, bool push, int argc, char **argv)
{
  struct registry_options ro = { 0 };
  const char *ref = NULL;
  _cleanup_free_ char *user = NULL;
  const char *verb = push ? "scan db push" : "scan db pull";
  for (int i = 2; i < argc; i++)
    {
      const char *a = argv[i], *v = NULL;
      const char *names[] = { "--tls-verify", "--authfile", "--creds", "--cert-dir" };
      size_t which = 4;
      for (size_t k = 0; k < 4 && which == 4; k++)
        {
          size_t l = strlen (names[k]);
          if (strncmp (a, names[k], l) == 0 && (a[l] == '=' || a[l] == 0))
            {
              which = k;
              v = a[l] == '=' ? a + l + 1 : (i + 1 < argc ? argv[++i] : NULL);
            }
        }
      if (which == 4)
        {
          if (a[0] == '-' || ref)
            return hull_usage_error (verb, "unexpected argument `%s`", a);
          ref = a;
          continue;
        }
      if (!v)
        return hull_usage_error (verb, "%s needs a value", names[which]);
      switch (which)
        {
        case 0:
          ro.tls = strcmp (v, "false") == 0 ? REGISTRY_TLS_NO_VERIFY : REGISTRY_TLS_VERIFY;
          break;
        case 1:
          ro.authfile = v;
          break;
        case 2:
          {
            free (user);
            user = strdup (v);
            char *colon = user ? strchr (user, ':') : NULL;
            if (!colon)
              return hull_usage_error (verb, "--creds needs USER:PASSWORD");
            *colon = 0;
            ro.username = user;
            ro.password = colon + 1;
            break;
          }
        case 3:
          ro.cert_dir = v;
          break;
        }
    }
  if (!ref)
    return hull_usage_error (verb, "requires a reference (REGISTRY/REPOSITORY[:TAG])");
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
cmd_scan_db (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      printf ("Usage: hull scan db import PATH...\n"
              "       hull scan db status [--max-age AGE]\n"
              "       hull scan db push|pull REF [--tls-verify=false] [--authfile F] "
              "[--creds U:P] [--cert-dir D]\n\n"
              "import: OSV JSON (one advisory or an array), the Debian security tracker's JSON\n"
              "and Alpine secdb files, or directories of them (*.json).  All or nothing.\n"
              "status: when the database was updated, what it holds; a warning (exit 1) when\n"
              "it is older than AGE (default 7d, or $HULL_SCAN_DB_MAX_AGE).\n"
              "push/pull: the database as an OCI artifact in a registry (mirrors for\n"
              "machines without internet access); a pulled database replaces the current\n"
              "one only once it is complete and checked.\n");
      return argc < 2 ? HULL_EXIT_USAGE : 0;
    }
  _cleanup_error_ struct error *err = NULL;
  if (strcmp (argv[1], "import") == 0)
    {
      if (argc < 3)
        return hull_usage_error ("scan db import", "requires at least 1 argument");
      struct scan_import_stats st;
      if (scan_db_import (ctx->root, argv + 2, &st, &err) < 0)
        return hull_report (&err);
      printf ("Imported %zu files: %zu advisories (%zu withdrawn), %zu affected packages\n",
              st.files, st.advisories, st.withdrawn, st.affected);
      return 0;
    }
  if (strcmp (argv[1], "status") == 0)
    {
      const char *age_flag = NULL;
      for (int i = 2; i < argc; i++)
        {
          if (strcmp (argv[i], "--max-age") == 0 && i + 1 < argc)
            age_flag = argv[++i];
          else if (strncmp (argv[i], "--max-age=", 10) == 0)
            age_flag = argv[i] + 10;
          else
            return hull_usage_error ("scan db status", "unknown argument `%s`", argv[i]);
        }
      int64_t limit;
      int r = max_age (age_flag, &limit);
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
  if (strcmp (argv[1], "push") == 0 || strcmp (argv[1], "pull") == 0)
    return cmd_scan_db_transfer (ctx, strcmp (argv[1], "push") == 0, argc, argv);
  return hull_usage_error ("scan db", "unknown command `%s` (import, status, push, pull)", argv[1]);
}

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
cmd_scan_summary (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc > 1)
    return hull_usage_error ("scan summary", "takes no arguments");
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

struct scan_job
{
  struct scan_subject sub;
  struct scan_inventory *inv;
  struct scan_result *res;
};

int
cmd_scan (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "db") == 0)
    return cmd_scan_db (ctx, argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "summary") == 0)
    return cmd_scan_summary (ctx, argc - 1, argv + 1);
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "format", required_argument, NULL, 'f' },
    { "severity", required_argument, NULL, 's' },
    { "exit-code", required_argument, NULL, 'e' },
    { "ignore-unfixed", no_argument, NULL, 'u' },
    { "show-unimportant", no_argument, NULL, 'U' },
    { "ignorefile", required_argument, NULL, 'i' },
    { "vex", required_argument, NULL, 'v' },
    { "max-age", required_argument, NULL, 'm' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  bool all = false;
  const char *format = "table", *age_flag = NULL;
  struct scan_report_opts ro = { 0 };
  int exit_code = 0, c;
  _cleanup_strv_ char **ignorefiles = NULL, **vex = NULL;
  optind = 0; /* 0: glibc starts over (permuting, whatever main used) */
  while ((c = getopt_long (argc, argv, "f:s:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = true;
        break;
      case 'f':
        format = optarg;
        break;
      case 's':
        {
          int r = parse_severities (optarg, &ro.severities);
          if (r)
            return r < 0 ? HULL_EXIT_FAIL : r;
          break;
        }
      case 'e':
        {
          char *end;
          long v = strtol (optarg, &end, 10);
          if (*end || end == optarg || v < 0 || v > 255)
            return hull_usage_error ("scan", "invalid --exit-code `%s` (0-255)", optarg);
          exit_code = (int)v;
          break;
        }
      case 'u':
        ro.ignore_unfixed = true;
        break;
      case 'U':
        ro.show_unimportant = true;
        break;
      case 'i':
        strv_push (&ignorefiles, optarg);
        break;
      case 'v':
        strv_push (&vex, optarg);
        break;
      case 'm':
        age_flag = optarg;
        break;
      case 'h':
        printf (
            "Usage: hull scan [OPTIONS] IMAGE|CONTAINER...\n"
            "       hull scan --all [OPTIONS]\n"
            "       hull scan db import|status ...\n\n"
            "Match the packages of images and containers (a container: its image plus what\n"
            "it changed, marked as drift) against the advisory database.\n\n"
            "  --all                  every image and container in the store\n"
            "  -f, --format FORMAT    table (default), json (Trivy's report), sarif, cyclonedx\n"
            "  -s, --severity LIST    only these severities (UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL)\n"
            "  --exit-code N          exit with N when something is found (default 0)\n"
            "  --ignore-unfixed       only vulnerabilities that have a fix\n"
            "  --show-unimportant     also what the distribution calls unimportant\n"
            "  --ignorefile FILE      ids to suppress, one per line (# reason)\n"
            "  --vex FILE             OpenVEX statements (not_affected, fixed) to apply\n"
            "  --max-age AGE          warn when the database is older (default 7d)\n");
        return 0;
      default:
        return hull_usage_error ("scan", "unknown option");
      }
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0 && strcmp (format, "sarif") != 0
      && strcmp (format, "cyclonedx") != 0)
    return hull_usage_error ("scan", "unknown format `%s` (table, json, sarif, cyclonedx)", format);
  if (all && optind < argc)
    return hull_usage_error ("scan", "--all takes no arguments");
  if (!all && optind >= argc)
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
      n = (size_t)(argc - optind);
      subs = calloc (n + 1, sizeof *subs);
      if (!subs)
        return HULL_EXIT_FAIL;
      for (size_t i = 0; i < n; i++)
        if (scan_subject_resolve (e, argv[optind + (int)i], &subs[i], &err) < 0)
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
