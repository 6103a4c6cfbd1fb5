/* advisory.c - the importers: OSV JSON, the Debian security tracker JSON
 * and Alpine secdb, into the advisory database.
 *
 * A document that does not have the shape its format requires is an error
 * naming the file and the key (`affected[0].ranges[1].events[2]`): the
 * whole import fails and the database stays as it was.  Versions are not
 * judged here (a bad one is reported when a package meets it).
 */
#include "scan/db-internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_MAX 256
#define NAME_MAX_LEN 512

static int
prep (struct scan_db *db, int which, const char *sql, struct error **err)
{
  if (db->st[which])
    {
      sqlite3_reset (db->st[which]);
      sqlite3_clear_bindings (db->st[which]);
      return 0;
    }
  if (sqlite3_prepare_v2 (db->db, sql, -1, &db->st[which], NULL) != SQLITE_OK)
    return scan_db_err (db, err, "prepare");
  return 0;
}

static void
bind_text (sqlite3_stmt *st, int i, const char *s)
{
  if (s)
    sqlite3_bind_text (st, i, s, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (st, i);
}

static int
step_done (struct scan_db *db, sqlite3_stmt *st, struct error **err)
{
  int rc = sqlite3_step (st);
  sqlite3_reset (st);
  if (rc != SQLITE_DONE)
    return scan_db_err (db, err, "write");
  return 0;
}

static int
put_advisory (struct scan_db *db, const char *source, const char *id, const char *aliases,
              const char *summary, const char *severity, bool withdrawn, const char *modified,
              struct error **err)
{
  int r = prep (db, ST_ADV_INSERT,
                "INSERT OR REPLACE INTO advisories (source, id, aliases, summary, severity, "
                "withdrawn, modified) VALUES (?, ?, ?, ?, ?, ?, ?)",
                err);
  if (r < 0)
    return r;
  sqlite3_stmt *st = db->st[ST_ADV_INSERT];
  bind_text (st, 1, source);
  bind_text (st, 2, id);
  bind_text (st, 3, aliases ? aliases : "");
  bind_text (st, 4, summary);
  bind_text (st, 5, severity);
  sqlite3_bind_int (st, 6, withdrawn);
  bind_text (st, 7, modified);
  return step_done (db, st, err);
}

static int
put_affected (struct scan_db *db, const char *source, const char *id, const char *eco,
              const char *pkg, const char *kind, const char *data, const char *state,
              const char *severity, const char *origin, struct error **err)
{
  int r = prep (db, ST_AFF_INSERT,
                "INSERT INTO affected (source, adv_id, ecosystem, package, kind, data, state, "
                "severity, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                err);
  if (r < 0)
    return r;
  sqlite3_stmt *st = db->st[ST_AFF_INSERT];
  bind_text (st, 1, source);
  bind_text (st, 2, id);
  bind_text (st, 3, eco);
  bind_text (st, 4, pkg);
  bind_text (st, 5, kind);
  bind_text (st, 6, data);
  bind_text (st, 7, state ? state : "");
  bind_text (st, 8, severity);
  bind_text (st, 9, origin);
  return step_done (db, st, err);
}

static bool
valid_id (const char *s)
{
  size_t n = s ? strlen (s) : 0;
  if (n == 0 || n > ID_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum ((unsigned char)s[i]) && !strchr ("-_.:", s[i]))
      return false;
  return true;
}

static bool
valid_pkg_name (const char *s)
{
  size_t n = s ? strlen (s) : 0;
  if (n == 0 || n > NAME_MAX_LEN)
    return false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x21 || s[i] == 0x7f)
      return false;
  return true;
}

static json_object *
get (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (json_object_is_type (o, json_type_object))
    json_object_object_get_ex (o, key, &v);
  return v;
}

static const char *
get_str (json_object *o, const char *key)
{
  json_object *v = get (o, key);
  return v && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

/* ------------------------------------------------------------ severity */

/* CVSS v3.x base score of a vector ("CVSS:3.1/AV:N/AC:L/..."), per the
 * specification's formulas; -1 when the vector is not a complete v3 one. */
static double
roundup1 (double x)
{
  long i = lround (x * 100000.0);
  if (i % 10000 == 0)
    return (double)i / 100000.0;
  return (floor ((double)i / 10000.0) + 1.0) / 10.0;
}

static double
cvss3_score (const char *v)
{
  if (strncmp (v, "CVSS:3.", 7) != 0)
    return -1;
  double av = -1, ac = -1, pr = -1, ui = -1, c = -1, in = -1, a = -1;
  int scope = -1;
  char prv = 0;
  for (const char *p = strchr (v, '/'); p && p[1]; p = strchr (p + 1, '/'))
    {
      const char *m = p + 1, *colon = strchr (m, ':');
      if (!colon)
        return -1;
      char val = colon[1];
      size_t ml = (size_t)(colon - m);
#define METRIC(name) (ml == strlen (name) && strncmp (m, name, ml) == 0)
      if (METRIC ("AV"))
        av = val == 'N' ? 0.85 : val == 'A' ? 0.62 : val == 'L' ? 0.55 : val == 'P' ? 0.2 : -1;
      else if (METRIC ("AC"))
        ac = val == 'L' ? 0.77 : val == 'H' ? 0.44 : -1;
      else if (METRIC ("PR"))
        prv = val;
      else if (METRIC ("UI"))
        ui = val == 'N' ? 0.85 : val == 'R' ? 0.62 : -1;
      else if (METRIC ("S"))
        scope = val == 'U' ? 0 : val == 'C' ? 1 : -1;
      else if (METRIC ("C") || METRIC ("I") || METRIC ("A"))
        {
          double w = val == 'H' ? 0.56 : val == 'L' ? 0.22 : val == 'N' ? 0 : -1;
          if (METRIC ("C"))
            c = w;
          else if (METRIC ("I"))
            in = w;
          else
            a = w;
        }
#undef METRIC
    }
  if (scope < 0)
    return -1;
  pr = prv == 'N'   ? 0.85
       : prv == 'L' ? (scope ? 0.68 : 0.62)
       : prv == 'H' ? (scope ? 0.5 : 0.27)
                    : -1;
  if (av < 0 || ac < 0 || pr < 0 || ui < 0 || c < 0 || in < 0 || a < 0)
    return -1;
  double iss = 1 - (1 - c) * (1 - in) * (1 - a);
  double impact = scope ? 7.52 * (iss - 0.029) - 3.25 * pow (iss - 0.02, 15) : 6.42 * iss;
  double expl = 8.22 * av * ac * pr * ui;
  if (impact <= 0)
    return 0;
  double s = scope ? 1.08 * (impact + expl) : impact + expl;
  return roundup1 (s < 10 ? s : 10);
}

static const char *
severity_of_score (double s)
{
  if (s >= 9.0)
    return "CRITICAL";
  if (s >= 7.0)
    return "HIGH";
  if (s >= 4.0)
    return "MEDIUM";
  if (s > 0)
    return "LOW";
  return NULL;
}

/* A severity word in any case ("moderate" is GitHub's MEDIUM); NULL when
 * it is none we know.  Debian's urgencies end in '*' when unconfirmed. */
static const char *
severity_word (const char *s)
{
  if (!s)
    return NULL;
  char w[32];
  size_t n = 0;
  for (; *s && *s != '*' && n < sizeof w - 1; s++)
    w[n++] = (char)tolower ((unsigned char)*s);
  w[n] = 0;
  if (strcmp (w, "low") == 0 || strcmp (w, "unimportant") == 0 || strcmp (w, "negligible") == 0)
    return "LOW";
  if (strcmp (w, "medium") == 0 || strcmp (w, "moderate") == 0)
    return "MEDIUM";
  if (strcmp (w, "high") == 0 || strcmp (w, "important") == 0)
    return "HIGH";
  if (strcmp (w, "critical") == 0)
    return "CRITICAL";
  return NULL;
}

/* ------------------------------------------------------------ OSV */

static int
osv_events (json_object *events, const char *where, const char *path, struct error **err)
{
  if (!json_object_is_type (events, json_type_array) || json_object_array_length (events) == 0)
    return error_set (err, EINVAL, "`%s`: `%s.events`: not a non-empty array", path, where);
  for (size_t i = 0; i < json_object_array_length (events); i++)
    {
      json_object *ev = json_object_array_get_idx (events, i);
      if (!json_object_is_type (ev, json_type_object) || json_object_object_length (ev) != 1)
        return error_set (err, EINVAL, "`%s`: `%s.events[%zu]`: not an object with one key", path,
                          where, i);
      json_object_object_foreach (ev, k, v)
      {
        if (strcmp (k, "introduced") != 0 && strcmp (k, "fixed") != 0
            && strcmp (k, "last_affected") != 0 && strcmp (k, "limit") != 0)
          return error_set (err, EINVAL, "`%s`: `%s.events[%zu]`: unknown event `%s`", path, where,
                            i, k);
        if (!json_object_is_type (v, json_type_string) || !*json_object_get_string (v)
            || json_object_get_string_len (v) > 256)
          return error_set (err, EINVAL, "`%s`: `%s.events[%zu].%s`: not a version string", path,
                            where, i, k);
      }
    }
  return 0;
}

static int
osv_one (struct scan_db *db, json_object *doc, const char *path, const char *where,
         struct scan_import_stats *st, struct error **err)
{
  const char *id = get_str (doc, "id");
  if (!valid_id (id))
    return error_set (err, EINVAL, "`%s`: `%sid`: missing or invalid", path, where);
  json_object *aliases = get (doc, "aliases"), *affected = get (doc, "affected");
  if (aliases && !json_object_is_type (aliases, json_type_array))
    return error_set (err, EINVAL, "`%s`: `%saliases`: not an array", path, where);
  if (affected && !json_object_is_type (affected, json_type_array))
    return error_set (err, EINVAL, "`%s`: `%saffected`: not an array", path, where);
  /* aliases, space-separated (ids have no spaces) */
  char *al = NULL;
  size_t al_len = 0;
  FILE *f = open_memstream (&al, &al_len);
  if (!f)
    return error_errno (err, ENOMEM, "aliases");
  for (size_t i = 0; aliases && i < json_object_array_length (aliases); i++)
    {
      json_object *a = json_object_array_get_idx (aliases, i);
      if (!json_object_is_type (a, json_type_string) || !valid_id (json_object_get_string (a)))
        {
          fclose (f);
          free (al);
          return error_set (err, EINVAL, "`%s`: `%saliases[%zu]`: not an id", path, where, i);
        }
      fprintf (f, "%s%s", i ? " " : "", json_object_get_string (a));
    }
  fclose (f);
  _cleanup_free_ char *alias_list = al;
  json_object *wd = get (doc, "withdrawn");
  bool withdrawn = wd && json_object_is_type (wd, json_type_string) && *json_object_get_string (wd);
  /* severity: the database's word, else a CVSS v3 vector's score */
  const char *sev = severity_word (get_str (get (doc, "database_specific"), "severity"));
  json_object *sevs = get (doc, "severity");
  for (size_t i = 0; !sev && sevs && json_object_is_type (sevs, json_type_array)
                     && i < json_object_array_length (sevs);
       i++)
    {
      const char *score = get_str (json_object_array_get_idx (sevs, i), "score");
      if (score)
        sev = severity_of_score (cvss3_score (score));
    }
  const char *summary = get_str (doc, "summary");
  if (!summary)
    summary = get_str (doc, "details");
  _cleanup_free_ char *sum = summary ? strndup (summary, 300) : NULL;
  int r = prep (db, ST_AFF_DELETE_ADV, "DELETE FROM affected WHERE source = ? AND adv_id = ?", err);
  if (r < 0)
    return r;
  bind_text (db->st[ST_AFF_DELETE_ADV], 1, "osv");
  bind_text (db->st[ST_AFF_DELETE_ADV], 2, id);
  r = step_done (db, db->st[ST_AFF_DELETE_ADV], err);
  if (r == 0)
    r = put_advisory (db, "osv", id, alias_list, sum, sev, withdrawn, get_str (doc, "modified"),
                      err);
  if (r < 0)
    return r;
  st->advisories++;
  if (withdrawn)
    {
      st->withdrawn++;
      return 0;
    }
  for (size_t i = 0; affected && i < json_object_array_length (affected); i++)
    {
      json_object *af = json_object_array_get_idx (affected, i);
      char w[96];
      snprintf (w, sizeof w, "%saffected[%zu]", where, i);
      if (!json_object_is_type (af, json_type_object))
        return error_set (err, EINVAL, "`%s`: `%s`: not an object", path, w);
      json_object *pkg = get (af, "package");
      if (!pkg)
        continue; /* e.g. only GIT ranges of a repository */
      const char *eco = get_str (pkg, "ecosystem"), *name = get_str (pkg, "name");
      if (!eco || !valid_pkg_name (eco) || !valid_pkg_name (name))
        return error_set (err, EINVAL, "`%s`: `%s.package`: no valid ecosystem and name", path, w);
      _cleanup_free_ char *norm = NULL;
      if (strcmp (eco, "PyPI") == 0)
        {
          norm = scan_python_normalize (name);
          if (!norm)
            return error_errno (err, ENOMEM, "name");
          name = norm;
        }
      /* Ubuntu's OSV records say "Ubuntu:22.04:LTS"; an installed system
       * says VERSION_ID="22.04" (Pro-only streams are not matched) */
      _cleanup_free_ char *eco_norm = NULL;
      if (str_has_prefix (eco, "Ubuntu:") && str_has_suffix (eco, ":LTS")
          && !str_has_prefix (eco, "Ubuntu:Pro:"))
        {
          eco_norm = strndup (eco, strlen (eco) - 4);
          if (!eco_norm)
            return error_errno (err, ENOMEM, "ecosystem");
          eco = eco_norm;
        }
      /* Debian's OSV records carry the tracker's urgency */
      json_object *es = get (af, "ecosystem_specific");
      const char *urg = get_str (es, "urgency");
      const char *asev = severity_word (urg);
      if (!asev)
        asev = severity_word (get_str (es, "severity"));
      const char *state = "";
      if (urg && strncmp (urg, "unimportant", 11) == 0)
        state = "unimportant";
      else if (urg && strncmp (urg, "end-of-life", 11) == 0)
        state = "end-of-life";
      json_object *ranges = get (af, "ranges"), *versions = get (af, "versions");
      if (ranges && !json_object_is_type (ranges, json_type_array))
        return error_set (err, EINVAL, "`%s`: `%s.ranges`: not an array", path, w);
      for (size_t j = 0; ranges && j < json_object_array_length (ranges); j++)
        {
          json_object *rg = json_object_array_get_idx (ranges, j);
          char rw[128];
          snprintf (rw, sizeof rw, "%s.ranges[%zu]", w, j);
          const char *type = get_str (rg, "type");
          if (!type)
            return error_set (err, EINVAL, "`%s`: `%s.type`: missing", path, rw);
          if (strcmp (type, "GIT") == 0)
            continue; /* commits, not package versions */
          if (strcmp (type, "ECOSYSTEM") != 0 && strcmp (type, "SEMVER") != 0)
            return error_set (err, EINVAL, "`%s`: `%s.type`: unknown `%s`", path, rw, type);
          json_object *ev = get (rg, "events");
          r = osv_events (ev, rw, path, err);
          if (r == 0)
            r = put_affected (db, "osv", id, eco, name, "range", jsonx_compact (ev), state, asev,
                              NULL, err);
          if (r < 0)
            return r;
          st->affected++;
        }
      if (versions)
        {
          if (!json_object_is_type (versions, json_type_array))
            return error_set (err, EINVAL, "`%s`: `%s.versions`: not an array", path, w);
          for (size_t j = 0; j < json_object_array_length (versions); j++)
            if (!json_object_is_type (json_object_array_get_idx (versions, j), json_type_string))
              return error_set (err, EINVAL, "`%s`: `%s.versions[%zu]`: not a string", path, w, j);
          if (json_object_array_length (versions) > 0)
            {
              r = put_affected (db, "osv", id, eco, name, "versions", jsonx_compact (versions),
                                state, asev, NULL, err);
              if (r < 0)
                return r;
              st->affected++;
            }
        }
    }
  return 0;
}

/* ------------------------------------------------------------ Debian tracker */

static const struct
{
  const char *codename, *number;
} debian_releases[] = {
  { "jessie", "8" },    { "stretch", "9" }, { "buster", "10" }, { "bullseye", "11" },
  { "bookworm", "12" }, { "trixie", "13" }, { "forky", "14" },  { "duke", "15" },
};

static int
tracker (struct scan_db *db, json_object *doc, const char *path, struct scan_import_stats *st,
         struct error **err)
{
  /* the tracker's file is the whole truth of its source: replace it */
  int r = scan_db_exec (db, "DELETE FROM affected WHERE source = 'debian-tracker';", err);
  if (r < 0)
    return r;
  json_object_object_foreach (doc, pkg, cves)
  {
    if (!valid_pkg_name (pkg) || !json_object_is_type (cves, json_type_object))
      return error_set (err, EINVAL, "`%s`: `%.64s`: not a package name with an object", path, pkg);
    json_object_object_foreach (cves, id, info)
    {
      if (!valid_id (id) || !json_object_is_type (info, json_type_object))
        return error_set (err, EINVAL, "`%s`: `%s.%.64s`: not an id with an object", path, pkg, id);
      json_object *rels = get (info, "releases");
      if (!json_object_is_type (rels, json_type_object))
        return error_set (err, EINVAL, "`%s`: `%s.%s.releases`: missing or not an object", path,
                          pkg, id);
      bool any = false;
      json_object_object_foreach (rels, rel, ri)
      {
        const char *num = NULL;
        for (size_t i = 0; i < ARRAY_SIZE (debian_releases); i++)
          if (strcmp (rel, debian_releases[i].codename) == 0)
            num = debian_releases[i].number;
        if (!num)
          continue; /* sid, experimental: no release to match */
        const char *status = get_str (ri, "status"), *fixed = get_str (ri, "fixed_version");
        const char *urgency = get_str (ri, "urgency");
        if (!status)
          return error_set (err, EINVAL, "`%s`: `%s.%s.releases.%s.status`: missing", path, pkg, id,
                            rel);
        const char *state = "";
        char events[320];
        if (strcmp (status, "resolved") == 0)
          {
            if (!fixed || !*fixed || strlen (fixed) > 256)
              return error_set (err, EINVAL, "`%s`: `%s.%s.releases.%s.fixed_version`: missing",
                                path, pkg, id, rel);
            if (strcmp (fixed, "0") == 0)
              continue; /* never affected this release */
            _cleanup_json_ json_object *ev = json_object_new_array ();
            json_object *a = json_object_new_object (), *b = json_object_new_object ();
            json_object_object_add (a, "introduced", json_object_new_string ("0"));
            json_object_object_add (b, "fixed", json_object_new_string (fixed));
            json_object_array_add (ev, a);
            json_object_array_add (ev, b);
            snprintf (events, sizeof events, "%s", jsonx_compact (ev));
          }
        else if (strcmp (status, "open") == 0 || strcmp (status, "undetermined") == 0)
          {
            snprintf (events, sizeof events, "[{\"introduced\":\"0\"}]");
            state = strcmp (status, "open") == 0 ? "open" : "undetermined";
          }
        else
          return error_set (err, EINVAL, "`%s`: `%s.%s.releases.%s.status`: unknown `%s`", path,
                            pkg, id, rel, status);
        if (urgency && strncmp (urgency, "unimportant", 11) == 0)
          state = "unimportant";
        else if (urgency && strncmp (urgency, "end-of-life", 11) == 0)
          state = "end-of-life";
        char eco[32];
        snprintf (eco, sizeof eco, "Debian:%s", num);
        r = put_affected (db, "debian-tracker", id, eco, pkg, "range", events, state,
                          severity_word (urgency), "debian-tracker", err);
        if (r < 0)
          return r;
        st->affected++;
        any = true;
      }
      if (any)
        {
          const char *desc = get_str (info, "description");
          _cleanup_free_ char *sum = desc ? strndup (desc, 300) : NULL;
          r = put_advisory (db, "debian-tracker", id, "", sum, NULL, false, NULL, err);
          if (r < 0)
            return r;
          st->advisories++;
        }
    }
  }
  return 0;
}

/* ------------------------------------------------------------ Alpine secdb */

static int
secdb (struct scan_db *db, json_object *doc, const char *path, struct scan_import_stats *st,
       struct error **err)
{
  const char *distro = get_str (doc, "distroversion"), *repo = get_str (doc, "reponame");
  if (!distro || distro[0] != 'v' || strlen (distro) > 16
      || strspn (distro + 1, "0123456789.") != strlen (distro + 1))
    return error_set (err, EINVAL, "`%s`: `distroversion`: not `vX.Y`", path);
  if (repo && !valid_pkg_name (repo))
    return error_set (err, EINVAL, "`%s`: `reponame`: invalid", path);
  json_object *pkgs = get (doc, "packages");
  if (!json_object_is_type (pkgs, json_type_array))
    return error_set (err, EINVAL, "`%s`: `packages`: not an array", path);
  char origin[64], eco[32];
  snprintf (origin, sizeof origin, "%s/%s", distro, repo ? repo : "");
  snprintf (eco, sizeof eco, "Alpine:%s", distro);
  /* this release and repository's file replaces what it said before */
  sqlite3_stmt *del;
  if (sqlite3_prepare_v2 (db->db,
                          "DELETE FROM affected WHERE source = 'alpine-secdb' AND origin = ?", -1,
                          &del, NULL)
      != SQLITE_OK)
    return scan_db_err (db, err, "prepare");
  bind_text (del, 1, origin);
  int r = step_done (db, del, err);
  sqlite3_finalize (del);
  if (r < 0)
    return r;
  for (size_t i = 0; i < json_object_array_length (pkgs); i++)
    {
      json_object *p = get (json_object_array_get_idx (pkgs, i), "pkg");
      const char *name = get_str (p, "name");
      json_object *fixes = get (p, "secfixes");
      if (!valid_pkg_name (name))
        return error_set (err, EINVAL, "`%s`: `packages[%zu].pkg.name`: missing or invalid", path,
                          i);
      if (!fixes)
        continue;
      if (!json_object_is_type (fixes, json_type_object))
        return error_set (err, EINVAL, "`%s`: `packages[%zu].pkg.secfixes`: not an object", path,
                          i);
      json_object_object_foreach (fixes, ver, ids)
      {
        if (!json_object_is_type (ids, json_type_array) || strlen (ver) > 256 || !*ver)
          return error_set (err, EINVAL, "`%s`: `packages[%zu].pkg.secfixes.%.64s`: not a list",
                            path, i, ver);
        /* "0": the package was never affected by these */
        if (strcmp (ver, "0") == 0)
          continue;
        _cleanup_json_ json_object *ev = json_object_new_array ();
        json_object *a = json_object_new_object (), *b = json_object_new_object ();
        json_object_object_add (a, "introduced", json_object_new_string ("0"));
        json_object_object_add (b, "fixed", json_object_new_string (ver));
        json_object_array_add (ev, a);
        json_object_array_add (ev, b);
        for (size_t j = 0; j < json_object_array_length (ids); j++)
          {
            json_object *idj = json_object_array_get_idx (ids, j);
            if (!json_object_is_type (idj, json_type_string))
              return error_set (err, EINVAL,
                                "`%s`: `packages[%zu].pkg.secfixes.%s[%zu]`: not a string", path, i,
                                ver, j);
            /* "CVE-2023-1 CVE-2023-2" and "CVE-x (other text)": ids only */
            _cleanup_free_ char *copy = strdup (json_object_get_string (idj));
            if (!copy)
              return error_errno (err, ENOMEM, "secdb");
            char *save = NULL;
            for (char *tok = strtok_r (copy, " \t", &save); tok;
                 tok = strtok_r (NULL, " \t", &save))
              {
                if (!valid_id (tok))
                  continue;
                r = put_affected (db, "alpine-secdb", tok, eco, name, "range", jsonx_compact (ev),
                                  "", NULL, origin, err);
                if (r == 0)
                  r = put_advisory (db, "alpine-secdb", tok, "", NULL, NULL, false, NULL, err);
                if (r < 0)
                  return r;
                st->affected++;
                st->advisories++;
              }
          }
      }
    }
  return 0;
}

/* ------------------------------------------------------------ dispatch */

static bool
looks_like_tracker (json_object *doc)
{
  /* { package: { CVE: { ..., "releases": {...} } } }: look at the first */
  json_object_object_foreach (doc, k, v)
  {
    (void)k;
    if (!json_object_is_type (v, json_type_object))
      return false;
    json_object_object_foreach (v, id, info)
    {
      (void)id;
      return json_object_is_type (info, json_type_object) && get (info, "releases") != NULL;
    }
    return false;
  }
  return false;
}

int
scan_db_load_document (struct scan_db *db, const char *data, size_t len, const char *path,
                       struct scan_import_stats *st, struct error **err)
{
  _cleanup_json_ json_object *doc = NULL;
  int r = jsonx_parse (data, len, &doc, err);
  if (r < 0)
    return error_prefix (err, "`%s`", path);
  if (json_object_is_type (doc, json_type_array))
    {
      for (size_t i = 0; i < json_object_array_length (doc); i++)
        {
          char where[32];
          snprintf (where, sizeof where, "[%zu].", i);
          json_object *o = json_object_array_get_idx (doc, i);
          if (!json_object_is_type (o, json_type_object))
            return error_set (err, EINVAL, "`%s`: `[%zu]`: not an OSV object", path, i);
          r = osv_one (db, o, path, where, st, err);
          if (r < 0)
            return r;
        }
      return 0;
    }
  if (!json_object_is_type (doc, json_type_object))
    return error_set (err, EINVAL, "`%s`: not an OSV, Debian tracker or Alpine secdb document",
                      path);
  if (get (doc, "id") && (get (doc, "affected") || get (doc, "modified") || get (doc, "withdrawn")))
    return osv_one (db, doc, path, "", st, err);
  if (get (doc, "distroversion") && get (doc, "packages"))
    return secdb (db, doc, path, st, err);
  if (json_object_object_length (doc) > 0 && looks_like_tracker (doc))
    return tracker (db, doc, path, st, err);
  return error_set (err, EINVAL, "`%s`: not an OSV, Debian tracker or Alpine secdb document", path);
}
