/* report.c - scan reports: Trivy's JSON report shape (so that what reads
 * Trivy reports reads ours), SARIF 2.1.0, CycloneDX 1.5 with
 * vulnerabilities, and a table for people.
 *
 * JSON: one report per subject ({"SchemaVersion": 2, "ArtifactName",
 * "Results": [{"Target", "Class", "Type", "Vulnerabilities": [...]}]}); an
 * array of them when several subjects are scanned.  Suppressed findings go
 * to each result's "ModifiedFindings" with their reason, as Trivy does.
 */
#include "scan/internal.h"

#include "config.h"

#include "base/cleanup.h"
#include "base/json.h"
#include "base/strv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

json_object *scan_cdx_component (const struct scan_pkg *p, const struct scan_os *os);
json_object *scan_cdx_document (const struct scan_inventory *inv, const char *name,
                                json_object **components);

bool
scan_finding_shown (const struct scan_finding *f, const struct scan_report_opts *o)
{
  if (f->suppressed_by)
    return false;
  if (o->severities && !(o->severities & (1u << f->severity)))
    return false;
  if (o->ignore_unfixed && f->status != SCAN_STATUS_FIXED)
    return false;
  if (!o->show_unimportant && f->status == SCAN_STATUS_WILL_NOT_FIX)
    return false;
  return true;
}

static void
put_str (json_object *o, const char *k, const char *v)
{
  if (v)
    json_object_object_add (o, k, json_object_new_string (v));
}

static char *
finish (json_object *doc)
{
  const char *s = json_object_to_json_string_ext (
      doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
  char *out = s ? strdup (s) : NULL;
  json_object_put (doc);
  return out;
}

/* The result groups of Trivy: OS packages, then each language. */
enum group
{
  G_OS,
  G_PYTHON,
  G_NODE,
  G_N
};

static enum group
group_of (const struct scan_pkg *p)
{
  switch (p->type)
    {
    case SCAN_PKG_PYTHON:
      return G_PYTHON;
    case SCAN_PKG_NPM:
      return G_NODE;
    default:
      return G_OS;
    }
}

static json_object *
vuln_json (const struct scan_target *t, const struct scan_finding *f)
{
  const struct scan_pkg *p = &t->inv->pkgs[f->pkg];
  json_object *v = json_object_new_object ();
  put_str (v, "VulnerabilityID", f->vuln_id);
  json_object *vendor = json_object_new_array ();
  if (strcmp (f->advisory_id, f->vuln_id) != 0)
    json_object_array_add (vendor, json_object_new_string (f->advisory_id));
  json_object_object_add (v, "VendorIDs", vendor);
  char *pkgid = NULL;
  if (asprintf (&pkgid, "%s@%s", p->name, p->version) >= 0)
    put_str (v, "PkgID", pkgid);
  free (pkgid);
  put_str (v, "PkgName", p->name);
  if (p->type == SCAN_PKG_PYTHON || p->type == SCAN_PKG_NPM)
    put_str (v, "PkgPath", p->path);
  json_object *ident = json_object_new_object ();
  _cleanup_free_ char *purl = scan_pkg_purl (p, &t->inv->os);
  put_str (ident, "PURL", purl);
  json_object_object_add (v, "PkgIdentifier", ident);
  put_str (v, "InstalledVersion", p->version);
  put_str (v, "FixedVersion", f->fixed_version ? f->fixed_version : "");
  put_str (v, "Status", scan_status_name (f->status));
  if (p->layer)
    {
      json_object *l = json_object_new_object ();
      put_str (l, "DiffID", p->layer);
      json_object_object_add (v, "Layer", l);
    }
  put_str (v, "SeveritySource", f->source);
  put_str (v, "Title", f->title);
  put_str (v, "Severity", scan_severity_name (f->severity));
  /* hull's additions: the advisory as its source names it, aliases, the
   * source package matched, and whether the container changed it */
  put_str (v, "AdvisoryID", f->advisory_id);
  json_object *al = json_object_new_array ();
  for (size_t i = 0; f->aliases && f->aliases[i]; i++)
    json_object_array_add (al, json_object_new_string (f->aliases[i]));
  json_object_object_add (v, "Aliases", al);
  if (p->src_name || p->src_version)
    {
      put_str (v, "SrcName", p->src_name ? p->src_name : p->name);
      put_str (v, "SrcVersion", p->src_version ? p->src_version : p->version);
    }
  json_object_object_add (v, "Drift", json_object_new_boolean (p->drift));
  return v;
}

static json_object *
report_one (const struct scan_target *t, const struct scan_report_opts *o)
{
  char now[32];
  time_t tt = time (NULL);
  struct tm tm;
  gmtime_r (&tt, &tm);
  strftime (now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_object *doc = json_object_new_object ();
  json_object_object_add (doc, "SchemaVersion", json_object_new_int (2));
  put_str (doc, "CreatedAt", now);
  put_str (doc, "ArtifactName", t->name);
  put_str (doc, "ArtifactType",
           strcmp (t->kind, "container") == 0 ? "container" : "container_image");
  json_object *meta = json_object_new_object ();
  if (t->inv->os.id)
    {
      json_object *os = json_object_new_object ();
      put_str (os, "Family", t->inv->os.id);
      put_str (os, "Name", t->inv->os.version_id);
      json_object_object_add (meta, "OS", os);
    }
  put_str (meta, "ImageID", t->image_id);
  json_object *probs = json_object_new_array ();
  for (size_t i = 0; t->inv->problems && t->inv->problems[i]; i++)
    json_object_array_add (probs, json_object_new_string (t->inv->problems[i]));
  for (size_t i = 0; t->res && t->res->problems && t->res->problems[i]; i++)
    json_object_array_add (probs, json_object_new_string (t->res->problems[i]));
  json_object_object_add (meta, "Problems", probs);
  json_object_object_add (doc, "Metadata", meta);

  json_object *results = json_object_new_array ();
  static const char *const classes[G_N] = { "os-pkgs", "lang-pkgs", "lang-pkgs" };
  static const char *const types[G_N] = { NULL, "python-pkg", "node-pkg" };
  static const char *const lang_targets[G_N] = { NULL, "Python", "Node.js" };
  for (int g = 0; g < G_N; g++)
    {
      bool any_pkg = false;
      for (size_t i = 0; i < t->inv->n_pkgs && !any_pkg; i++)
        any_pkg = group_of (&t->inv->pkgs[i]) == (enum group)g;
      if (!any_pkg)
        continue;
      json_object *r = json_object_new_object ();
      char target[512];
      if (g == G_OS)
        snprintf (target, sizeof target, "%s (%s %s)", t->name,
                  t->inv->os.id ? t->inv->os.id : "unknown",
                  t->inv->os.version_id ? t->inv->os.version_id : "");
      else
        snprintf (target, sizeof target, "%s", lang_targets[g]);
      put_str (r, "Target", target);
      put_str (r, "Class", classes[g]);
      put_str (r, "Type", g == G_OS ? (t->inv->os.id ? t->inv->os.id : "unknown") : types[g]);
      json_object *vulns = json_object_new_array (), *mod = json_object_new_array ();
      for (size_t i = 0; t->res && i < t->res->n; i++)
        {
          const struct scan_finding *f = &t->res->f[i];
          if (group_of (&t->inv->pkgs[f->pkg]) != (enum group)g)
            continue;
          if (f->suppressed_by)
            {
              json_object *m = json_object_new_object ();
              put_str (m, "Type", "vulnerability");
              put_str (m, "Status", f->suppress_status);
              put_str (m, "Statement", f->suppress_reason ? f->suppress_reason : "");
              put_str (m, "Source", f->suppressed_by);
              json_object_object_add (m, "Finding", vuln_json (t, f));
              json_object_array_add (mod, m);
            }
          else if (scan_finding_shown (f, o))
            json_object_array_add (vulns, vuln_json (t, f));
        }
      json_object_object_add (r, "Vulnerabilities", vulns);
      if (json_object_array_length (mod))
        json_object_object_add (r, "ModifiedFindings", mod);
      else
        json_object_put (mod);
      json_object_array_add (results, r);
    }
  json_object_object_add (doc, "Results", results);
  return doc;
}

char *
scan_report_json (const struct scan_target *t, size_t n, const struct scan_report_opts *o)
{
  if (n == 1)
    return finish (report_one (&t[0], o));
  json_object *all = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    json_object_array_add (all, report_one (&t[i], o));
  return finish (all);
}

/* ------------------------------------------------------------ SARIF */

char *
scan_report_sarif (const struct scan_target *t, size_t n, const struct scan_report_opts *o)
{
  json_object *doc = json_object_new_object ();
  put_str (doc, "version", "2.1.0");
  put_str (doc, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  json_object *runs = json_object_new_array (), *run = json_object_new_object ();
  json_object *tool = json_object_new_object (), *driver = json_object_new_object ();
  put_str (driver, "name", "hull");
  put_str (driver, "version", HULL_VERSION);
  json_object *rules = json_object_new_array (), *results = json_object_new_array ();
  _cleanup_strv_ char **rule_ids = NULL;
  for (size_t k = 0; k < n; k++)
    for (size_t i = 0; t[k].res && i < t[k].res->n; i++)
      {
        const struct scan_finding *f = &t[k].res->f[i];
        if (!scan_finding_shown (f, o))
          continue;
        const struct scan_pkg *p = &t[k].inv->pkgs[f->pkg];
        if (!strv_contains (rule_ids, f->vuln_id))
          {
            strv_push (&rule_ids, f->vuln_id);
            json_object *rule = json_object_new_object ();
            put_str (rule, "id", f->vuln_id);
            put_str (rule, "name", "OsPackageVulnerability");
            json_object *sd = json_object_new_object ();
            put_str (sd, "text", f->title ? f->title : f->vuln_id);
            json_object_object_add (rule, "shortDescription", sd);
            json_object *props = json_object_new_object ();
            static const char *const scores[] = { "0.0", "2.0", "5.5", "8.0", "9.5" };
            put_str (props, "security-severity", scores[f->severity]);
            json_object *tags = json_object_new_array ();
            json_object_array_add (tags, json_object_new_string ("vulnerability"));
            json_object_array_add (tags, json_object_new_string ("security"));
            json_object_array_add (tags, json_object_new_string (scan_severity_name (f->severity)));
            json_object_object_add (props, "tags", tags);
            json_object_object_add (rule, "properties", props);
            json_object_array_add (rules, rule);
          }
        json_object *res = json_object_new_object ();
        put_str (res, "ruleId", f->vuln_id);
        put_str (res, "level",
                 f->severity >= SCAN_SEV_HIGH     ? "error"
                 : f->severity == SCAN_SEV_MEDIUM ? "warning"
                                                  : "note");
        char *text = NULL;
        if (asprintf (&text,
                      "Package: %s\nInstalled Version: %s\nVulnerability %s\nSeverity: %s\n"
                      "Fixed Version: %s\nTarget: %s",
                      p->name, p->version, f->vuln_id, scan_severity_name (f->severity),
                      f->fixed_version ? f->fixed_version : "", t[k].name)
            >= 0)
          {
            json_object *m = json_object_new_object ();
            put_str (m, "text", text);
            json_object_object_add (res, "message", m);
          }
        free (text);
        json_object *locs = json_object_new_array (), *loc = json_object_new_object ();
        json_object *phys = json_object_new_object (), *art = json_object_new_object ();
        put_str (art, "uri", p->path ? p->path : t[k].name);
        json_object_object_add (phys, "artifactLocation", art);
        json_object *region = json_object_new_object ();
        json_object_object_add (region, "startLine", json_object_new_int (1));
        json_object_object_add (phys, "region", region);
        json_object_object_add (loc, "physicalLocation", phys);
        json_object *lm = json_object_new_object ();
        put_str (lm, "text", t[k].name);
        json_object_object_add (loc, "message", lm);
        json_object_array_add (locs, loc);
        json_object_object_add (res, "locations", locs);
        json_object_array_add (results, res);
      }
  json_object_object_add (driver, "rules", rules);
  json_object_object_add (tool, "driver", driver);
  json_object_object_add (run, "tool", tool);
  json_object_object_add (run, "results", results);
  json_object_array_add (runs, run);
  json_object_object_add (doc, "runs", runs);
  return finish (doc);
}

/* ------------------------------------------------------------ CycloneDX */

static json_object *
cdx_one (const struct scan_target *t, const struct scan_report_opts *o)
{
  json_object *doc = scan_cdx_document (t->inv, t->name, NULL);
  json_object *vulns = json_object_new_array ();
  for (size_t i = 0; t->res && i < t->res->n; i++)
    {
      const struct scan_finding *f = &t->res->f[i];
      if (!f->suppressed_by && !scan_finding_shown (f, o))
        continue;
      const struct scan_pkg *p = &t->inv->pkgs[f->pkg];
      json_object *v = json_object_new_object ();
      put_str (v, "id", f->vuln_id);
      json_object *src = json_object_new_object ();
      put_str (src, "name", f->source);
      json_object_object_add (v, "source", src);
      json_object *ratings = json_object_new_array (), *rating = json_object_new_object ();
      char sev[16];
      snprintf (sev, sizeof sev, "%s", scan_severity_name (f->severity));
      for (char *c = sev; *c; c++)
        *c = (char)(*c - 'A' + 'a');
      put_str (rating, "severity", sev);
      json_object_array_add (ratings, rating);
      json_object_object_add (v, "ratings", ratings);
      put_str (v, "description", f->title);
      if (f->fixed_version)
        {
          char *rec = NULL;
          if (asprintf (&rec, "Upgrade %s to version %s or later.", p->name, f->fixed_version) >= 0)
            put_str (v, "recommendation", rec);
          free (rec);
        }
      json_object *refs = json_object_new_array ();
      for (size_t j = 0; f->aliases && f->aliases[j]; j++)
        {
          json_object *r = json_object_new_object (), *rs = json_object_new_object ();
          put_str (r, "id", f->aliases[j]);
          put_str (rs, "name", f->source);
          json_object_object_add (r, "source", rs);
          json_object_array_add (refs, r);
        }
      json_object_object_add (v, "references", refs);
      if (f->suppressed_by)
        {
          json_object *an = json_object_new_object ();
          put_str (an, "state",
                   strcmp (f->suppress_status, "fixed") == 0          ? "resolved"
                   : strcmp (f->suppress_status, "not_affected") == 0 ? "not_affected"
                                                                      : "false_positive");
          char *d = NULL;
          if (asprintf (&d, "%s%s%s", f->suppressed_by, f->suppress_reason ? ": " : "",
                        f->suppress_reason ? f->suppress_reason : "")
              >= 0)
            put_str (an, "detail", d);
          free (d);
          json_object_object_add (v, "analysis", an);
        }
      json_object *affects = json_object_new_array (), *a = json_object_new_object ();
      _cleanup_free_ char *purl = scan_pkg_purl (p, &t->inv->os);
      put_str (a, "ref", purl);
      json_object_array_add (affects, a);
      json_object_object_add (v, "affects", affects);
      json_object_array_add (vulns, v);
    }
  json_object_object_add (doc, "vulnerabilities", vulns);
  return doc;
}

char *
scan_report_cyclonedx (const struct scan_target *t, size_t n, const struct scan_report_opts *o)
{
  if (n == 1)
    return finish (cdx_one (&t[0], o));
  json_object *all = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    json_object_array_add (all, cdx_one (&t[i], o));
  return finish (all);
}

/* ------------------------------------------------------------ table */

#define COLS 7

static void
print_rows (FILE *f, char *(*rows)[COLS], size_t n)
{
  size_t w[COLS] = { 0 };
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < COLS; c++)
      {
        size_t l = strlen (rows[i][c]);
        if (l > w[c])
          w[c] = l;
      }
  for (size_t i = 0; i < n; i++)
    {
      for (int c = 0; c < COLS; c++)
        {
          /* the last column is not padded */
          if (c + 1 < COLS)
            fprintf (f, "%-*s   ", (int)w[c], rows[i][c]);
          else
            fputs (rows[i][c], f);
        }
      fputc ('\n', f);
    }
}

char *
scan_report_table (const struct scan_target *t, size_t n, const struct scan_report_opts *o)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (!f)
    return NULL;
  for (size_t k = 0; k < n; k++)
    {
      const struct scan_inventory *inv = t[k].inv;
      fprintf (f, "%s%s (%s, %s %s)\n", k ? "\n" : "", t[k].name, t[k].kind,
               inv->os.id ? inv->os.id : "unknown OS",
               inv->os.version_id ? inv->os.version_id : "");
      size_t cnt[5] = { 0 }, total = 0, suppressed = 0, hidden = 0;
      size_t nr = 1;
      char *(*rows)[COLS] = calloc (t[k].res ? t[k].res->n + 1 : 1, sizeof *rows);
      if (!rows)
        break;
      static char *head[COLS]
          = { "PACKAGE", "VULNERABILITY", "SEVERITY", "STATUS", "INSTALLED", "FIXED", "DRIFT" };
      memcpy (rows[0], head, sizeof head);
      for (size_t i = 0; t[k].res && i < t[k].res->n; i++)
        {
          const struct scan_finding *fd = &t[k].res->f[i];
          if (fd->suppressed_by)
            {
              suppressed++;
              continue;
            }
          if (!scan_finding_shown (fd, o))
            {
              hidden++;
              continue;
            }
          const struct scan_pkg *p = &inv->pkgs[fd->pkg];
          rows[nr][0] = p->name;
          rows[nr][1] = fd->vuln_id;
          rows[nr][2] = (char *)scan_severity_name (fd->severity);
          rows[nr][3] = (char *)scan_status_name (fd->status);
          rows[nr][4] = p->version;
          rows[nr][5] = fd->fixed_version ? fd->fixed_version : "";
          rows[nr][6] = p->drift ? "drift" : "";
          nr++;
          cnt[fd->severity]++;
          total++;
        }
      fprintf (f, "Total: %zu (CRITICAL: %zu, HIGH: %zu, MEDIUM: %zu, LOW: %zu, UNKNOWN: %zu)\n",
               total, cnt[4], cnt[3], cnt[2], cnt[1], cnt[0]);
      if (total)
        print_rows (f, rows, nr);
      if (suppressed)
        fprintf (f, "Suppressed: %zu (ignore file / VEX)\n", suppressed);
      if (hidden)
        fprintf (f, "Not shown: %zu (severity, --ignore-unfixed or unimportant)\n", hidden);
      free (rows);
    }
  if (fclose (f) != 0)
    {
      free (buf);
      return NULL;
    }
  return buf;
}
