/* match.c - packages against advisories.
 *
 * Each package is looked up under its ecosystem and the name advisories
 * use for it: Debian and Ubuntu advisories name source packages, so a
 * binary package is matched by its Source (and the source version, which a
 * binNMU's "+bN" does not change), and a finding is reported per binary
 * package; Alpine's name origins; PyPI names are normalised; npm names as
 * they are.  The ecosystem carries the release ("Debian:12",
 * "Alpine:v3.19"): a release's advisories never apply to another.
 *
 * OSV ranges are evaluated as the OSV schema says: events sorted by
 * version (introduced "0" first), a version is affected from an
 * "introduced" on, until a "fixed" (not included) or after a
 * "last_affected", and below a "limit" when there is one.  The fix
 * reported is the first "fixed" above the installed version.
 */
#include "scan/db-internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *
scan_status_name (enum scan_status s)
{
  switch (s)
    {
    case SCAN_STATUS_FIXED:
      return "fixed";
    case SCAN_STATUS_AFFECTED:
      return "affected";
    case SCAN_STATUS_WILL_NOT_FIX:
      return "will_not_fix";
    case SCAN_STATUS_END_OF_LIFE:
      return "end_of_life";
    case SCAN_STATUS_UNDER_INVESTIGATION:
      return "under_investigation";
    }
  return "unknown";
}

static const char *const sev_names[] = { "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL" };

const char *
scan_severity_name (enum scan_severity s)
{
  return (unsigned)s < ARRAY_SIZE (sev_names) ? sev_names[s] : "UNKNOWN";
}

int
scan_severity_parse (const char *s, enum scan_severity *out)
{
  for (size_t i = 0; s && i < ARRAY_SIZE (sev_names); i++)
    if (strcasecmp (s, sev_names[i]) == 0)
      {
        *out = (enum scan_severity)i;
        return 0;
      }
  return -EINVAL;
}

static void
finding_clear (struct scan_finding *f)
{
  free (f->vuln_id);
  free (f->advisory_id);
  strv_free (f->aliases);
  free (f->fixed_version);
  free (f->title);
  free (f->source);
  free (f->suppressed_by);
  free (f->suppress_status);
  free (f->suppress_reason);
  memset (f, 0, sizeof *f);
}

void
scan_result_free (struct scan_result *r)
{
  if (!r)
    return;
  for (size_t i = 0; i < r->n; i++)
    finding_clear (&r->f[i]);
  free (r->f);
  strv_free (r->problems);
  free (r);
}

/* ------------------------------------------------------------ ranges */

enum ev_kind
{
  EV_INTRODUCED,
  EV_FIXED,
  EV_LAST_AFFECTED,
  EV_LIMIT,
};

struct event
{
  enum ev_kind kind;
  const char *v;
};

struct sort_ctx
{
  enum scan_pkg_type type;
  struct error **err;
  int failed;
};

static int
ev_cmp (const struct event *a, const struct event *b, struct sort_ctx *c)
{
  bool az = strcmp (a->v, "0") == 0, bz = strcmp (b->v, "0") == 0;
  int r = 0;
  if (az || bz)
    r = az && bz ? 0 : az ? -1 : 1;
  else if (!c->failed && scan_version_cmp (c->type, a->v, b->v, &r, c->err) < 0)
    c->failed = -EINVAL;
  if (r == 0)
    r = (int)a->kind - (int)b->kind;
  return r;
}

/* Insertion sort: ranges have a handful of events, and the comparator can
 * fail (qsort has no way to stop). */
static void
sort_events (struct event *e, size_t n, struct sort_ctx *c)
{
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && ev_cmp (&e[j - 1], &e[j], c) > 0; j--)
      {
        struct event t = e[j];
        e[j] = e[j - 1];
        e[j - 1] = t;
      }
}

static int
vcmp (enum scan_pkg_type type, const char *installed, const char *v, int *c, struct error **err)
{
  if (strcmp (v, "0") == 0)
    {
      *c = 1;
      return 0;
    }
  return scan_version_cmp (type, installed, v, c, err);
}

#define EVENTS_MAX 256

/* 1 affected (fix in *fixed or NULL), 0 not, negative when a version
 * cannot be compared. */
static int
range_affected (enum scan_pkg_type type, const char *version, json_object *events, char **fixed,
                struct error **err)
{
  struct event ev[EVENTS_MAX];
  size_t n = 0;
  *fixed = NULL;
  for (size_t i = 0; i < json_object_array_length (events) && n < EVENTS_MAX; i++)
    {
      json_object *e = json_object_array_get_idx (events, i);
      if (!json_object_is_type (e, json_type_object))
        continue;
      json_object_object_foreach (e, k, v)
      {
        if (!json_object_is_type (v, json_type_string))
          continue;
        ev[n].v = json_object_get_string (v);
        ev[n].kind = strcmp (k, "introduced") == 0      ? EV_INTRODUCED
                     : strcmp (k, "fixed") == 0         ? EV_FIXED
                     : strcmp (k, "last_affected") == 0 ? EV_LAST_AFFECTED
                                                        : EV_LIMIT;
        n++;
      }
    }
  struct sort_ctx sc = { type, err, 0 };
  sort_events (ev, n, &sc);
  if (sc.failed)
    return sc.failed;
  bool affected = false, has_limit = false, under_limit = false;
  for (size_t i = 0; i < n; i++)
    {
      int c;
      int r = vcmp (type, version, ev[i].v, &c, err);
      if (r < 0)
        return r;
      switch (ev[i].kind)
        {
        case EV_INTRODUCED:
          if (c >= 0)
            affected = true;
          break;
        case EV_FIXED:
          if (c >= 0)
            affected = false;
          break;
        case EV_LAST_AFFECTED:
          if (c > 0)
            affected = false;
          break;
        case EV_LIMIT:
          has_limit = true;
          if (c < 0)
            under_limit = true;
          break;
        }
    }
  if (!affected || (has_limit && !under_limit))
    return 0;
  for (size_t i = 0; i < n; i++)
    {
      int c;
      if (ev[i].kind == EV_FIXED && vcmp (type, version, ev[i].v, &c, err) == 0 && c < 0)
        {
          *fixed = strdup (ev[i].v);
          break;
        }
    }
  return 1;
}

/* ------------------------------------------------------------ matching */

static int
add_finding (struct scan_result *res, struct scan_finding *f, struct error **err)
{
  /* one finding per package and vulnerability: a distribution's own
   * record or one with a fix wins over another source's */
  for (size_t i = 0; i < res->n; i++)
    {
      struct scan_finding *o = &res->f[i];
      if (o->pkg != f->pkg || strcmp (o->vuln_id, f->vuln_id) != 0)
        continue;
      bool better = (f->fixed_version && !o->fixed_version)
                    || (strcmp (o->source, "osv") == 0 && strcmp (f->source, "osv") != 0
                        && !(o->fixed_version && !f->fixed_version));
      /* keep every advisory id as an alias of the survivor */
      struct scan_finding *keep = better ? f : o, *drop = better ? o : f;
      if (strcmp (drop->advisory_id, keep->vuln_id) != 0
          && !strv_contains (keep->aliases, drop->advisory_id))
        strv_push (&keep->aliases, drop->advisory_id);
      for (size_t j = 0; drop->aliases && drop->aliases[j]; j++)
        if (strcmp (drop->aliases[j], keep->vuln_id) != 0
            && !strv_contains (keep->aliases, drop->aliases[j]))
          strv_push (&keep->aliases, drop->aliases[j]);
      if (!keep->title && drop->title)
        keep->title = TAKE_PTR (drop->title);
      if (keep->severity == SCAN_SEV_UNKNOWN)
        keep->severity = drop->severity;
      if (better)
        {
          finding_clear (o);
          *o = *f;
        }
      else
        finding_clear (f);
      memset (f, 0, sizeof *f);
      return 0;
    }
  struct scan_finding *n = realloc (res->f, (res->n + 1) * sizeof *n);
  if (!n)
    {
      finding_clear (f);
      return error_errno (err, ENOMEM, "findings");
    }
  res->f = n;
  res->f[res->n++] = *f;
  memset (f, 0, sizeof *f);
  return 0;
}

static enum scan_severity
sev_of (const char *s)
{
  enum scan_severity v = SCAN_SEV_UNKNOWN;
  if (s)
    scan_severity_parse (s, &v);
  return v;
}

static int
match_pkg_db (struct scan_db *db, const struct scan_inventory *inv, size_t idx, const char *eco,
              struct scan_result *res, struct error **err)
{
  const struct scan_pkg *p = &inv->pkgs[idx];
  const char *name = p->name, *version = p->version;
  _cleanup_free_ char *norm = NULL;
  switch (p->type)
    {
    case SCAN_PKG_DEB:
      if (p->src_name)
        name = p->src_name;
      if (p->src_version)
        version = p->src_version;
      break;
    case SCAN_PKG_APK:
      if (p->src_name)
        name = p->src_name;
      break;
    case SCAN_PKG_PYTHON:
      norm = scan_python_normalize (p->name);
      if (!norm)
        return error_errno (err, ENOMEM, "name");
      name = norm;
      eco = "PyPI";
      break;
    case SCAN_PKG_NPM:
      eco = "npm";
      break;
    }
  if (!db->st[ST_MATCH]
      && sqlite3_prepare_v2 (db->db,
                             "SELECT f.source, f.adv_id, f.kind, f.data, f.state, f.severity, "
                             "a.aliases, a.summary, a.severity FROM affected f JOIN advisories a "
                             "ON a.source = f.source AND a.id = f.adv_id "
                             "WHERE f.ecosystem = ? AND f.package = ? AND a.withdrawn = 0",
                             -1, &db->st[ST_MATCH], NULL)
             != SQLITE_OK)
    return scan_db_err (db, err, "prepare");
  sqlite3_stmt *st = db->st[ST_MATCH];
  sqlite3_reset (st);
  sqlite3_bind_text (st, 1, eco, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, name, -1, SQLITE_TRANSIENT);
  int rc, r = 0;
  while (r == 0 && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *source = (const char *)sqlite3_column_text (st, 0);
      const char *id = (const char *)sqlite3_column_text (st, 1);
      const char *kind = (const char *)sqlite3_column_text (st, 2);
      const char *data = (const char *)sqlite3_column_text (st, 3);
      const char *state = (const char *)sqlite3_column_text (st, 4);
      const char *rsev = (const char *)sqlite3_column_text (st, 5);
      const char *aliases = (const char *)sqlite3_column_text (st, 6);
      const char *summary = (const char *)sqlite3_column_text (st, 7);
      const char *asev = (const char *)sqlite3_column_text (st, 8);
      _cleanup_json_ json_object *j = NULL;
      _cleanup_error_ struct error *e = NULL;
      if (!data || jsonx_parse (data, strlen (data), &j, &e) < 0
          || !json_object_is_type (j, json_type_array))
        {
          scan_problem (&res->problems, "advisory `%s`: unreadable record", id);
          continue;
        }
      _cleanup_free_ char *fixed = NULL;
      int hit = 0;
      if (strcmp (kind, "versions") == 0)
        {
          for (size_t i = 0; i < json_object_array_length (j) && !hit; i++)
            {
              const char *v = json_object_get_string (json_object_array_get_idx (j, i));
              int c = 1;
              _cleanup_error_ struct error *e2 = NULL;
              if (strcmp (v, version) == 0
                  || (scan_version_cmp (p->type, version, v, &c, &e2) == 0 && c == 0))
                hit = 1;
            }
        }
      else
        hit = range_affected (p->type, version, j, &fixed, &e);
      if (hit < 0)
        {
          scan_problem (&res->problems, "%s `%s` %s, advisory `%s`: %s",
                        scan_pkg_type_name (p->type), p->name, p->version, id, e->msg);
          continue;
        }
      if (!hit)
        continue;
      struct scan_finding f = { .pkg = idx };
      f.advisory_id = strdup (id);
      f.source = strdup (source);
      if (aliases && *aliases)
        {
          _cleanup_free_ char *copy = strdup (aliases);
          char *save = NULL;
          for (char *t = copy ? strtok_r (copy, " ", &save) : NULL; t;
               t = strtok_r (NULL, " ", &save))
            strv_push (&f.aliases, t);
        }
      /* the CVE when the advisory names one (Trivy's VulnerabilityID) */
      const char *vid = id;
      if (strncmp (id, "CVE-", 4) != 0)
        for (size_t i = 0; f.aliases && f.aliases[i]; i++)
          if (strncmp (f.aliases[i], "CVE-", 4) == 0)
            {
              vid = f.aliases[i];
              break;
            }
      f.vuln_id = strdup (vid);
      if (strcmp (vid, id) != 0)
        {
          /* the alias became the id; the advisory's own id is an alias */
          for (size_t i = 0; f.aliases && f.aliases[i]; i++)
            if (strcmp (f.aliases[i], vid) == 0)
              {
                free (f.aliases[i]);
                f.aliases[i] = strdup (id);
              }
        }
      f.fixed_version = TAKE_PTR (fixed);
      f.title = summary ? strdup (summary) : NULL;
      f.severity = sev_of (rsev);
      if (f.severity == SCAN_SEV_UNKNOWN)
        f.severity = sev_of (asev);
      if (strcmp (state, "unimportant") == 0)
        f.status = SCAN_STATUS_WILL_NOT_FIX;
      else if (strcmp (state, "end-of-life") == 0)
        f.status = SCAN_STATUS_END_OF_LIFE;
      else if (strcmp (state, "undetermined") == 0)
        f.status = SCAN_STATUS_UNDER_INVESTIGATION;
      else if (f.fixed_version)
        f.status = SCAN_STATUS_FIXED;
      else
        f.status = SCAN_STATUS_AFFECTED;
      if (!f.advisory_id || !f.source || !f.vuln_id)
        {
          finding_clear (&f);
          r = error_errno (err, ENOMEM, "finding");
          break;
        }
      r = add_finding (res, &f, err);
    }
  sqlite3_reset (st);
  return r;
}

/* ------------------------------------------------------------ the memo */

/* Images and containers share most packages at the same versions: a scan
 * of many subjects asks the database once per (type, ecosystem, name,
 * version) and copies the findings after that. */
#define MEMO_MAX 65536

struct memo_entry
{
  char *key;
  struct scan_result r; /* findings with pkg = 0 */
};

struct scan_memo
{
  struct memo_entry *e;
  size_t cap, n;
};

static void
result_clear (struct scan_result *r)
{
  for (size_t i = 0; i < r->n; i++)
    finding_clear (&r->f[i]);
  free (r->f);
  strv_free (r->problems);
  memset (r, 0, sizeof *r);
}

void
scan_memo_free (struct scan_memo *m)
{
  if (!m)
    return;
  for (size_t i = 0; i < m->cap; i++)
    if (m->e[i].key)
      {
        free (m->e[i].key);
        result_clear (&m->e[i].r);
      }
  free (m->e);
  free (m);
}

static char *
dupn (const char *s)
{
  return s ? strdup (s) : NULL;
}

static int
finding_copy (const struct scan_finding *src, size_t pkg, struct scan_finding *dst)
{
  memset (dst, 0, sizeof *dst);
  dst->pkg = pkg;
  dst->vuln_id = dupn (src->vuln_id);
  dst->advisory_id = dupn (src->advisory_id);
  dst->aliases = src->aliases ? strv_dup (src->aliases) : NULL;
  dst->fixed_version = dupn (src->fixed_version);
  dst->status = src->status;
  dst->severity = src->severity;
  dst->title = dupn (src->title);
  dst->source = dupn (src->source);
  if (!dst->vuln_id || !dst->advisory_id || !dst->source || (src->aliases && !dst->aliases)
      || (src->title && !dst->title) || (src->fixed_version && !dst->fixed_version))
    {
      finding_clear (dst);
      return -ENOMEM;
    }
  return 0;
}

static size_t
memo_hash (const char *k)
{
  size_t h = 1469598103934665603ULL;
  for (; *k; k++)
    h = (h ^ (unsigned char)*k) * 1099511628211ULL;
  return h;
}

static struct memo_entry *
memo_slot (struct scan_memo *m, const char *key)
{
  size_t i = memo_hash (key) & (m->cap - 1);
  while (m->e[i].key && strcmp (m->e[i].key, key) != 0)
    i = (i + 1) & (m->cap - 1);
  return &m->e[i];
}

/* Append copies of r's findings (for package idx) and problems to res. */
static int
append (struct scan_result *res, const struct scan_result *r, size_t idx, struct error **err)
{
  for (size_t i = 0; i < r->n; i++)
    {
      struct scan_finding f;
      if (finding_copy (&r->f[i], idx, &f) < 0)
        return error_errno (err, ENOMEM, "finding");
      int ret = add_finding (res, &f, err);
      if (ret < 0)
        return ret;
    }
  for (size_t i = 0; r->problems && r->problems[i]; i++)
    scan_problem (&res->problems, "%s", r->problems[i]);
  return 0;
}

static int
match_pkg (struct scan_db *db, const struct scan_inventory *inv, size_t idx, const char *eco,
           struct scan_result *res, struct error **err)
{
  const struct scan_pkg *p = &inv->pkgs[idx];
  _cleanup_free_ char *key = NULL;
  if (asprintf (&key, "%d|%s|%s|%s|%s|%s", (int)p->type, eco ? eco : "", p->name, p->version,
                p->src_name ? p->src_name : "", p->src_version ? p->src_version : "")
      < 0)
    return error_errno (err, ENOMEM, "memo");
  if (!db->memo)
    {
      db->memo = calloc (1, sizeof *db->memo);
      if (!db->memo || !(db->memo->e = calloc (1024, sizeof *db->memo->e)))
        return error_errno (err, ENOMEM, "memo");
      db->memo->cap = 1024;
    }
  struct scan_memo *m = db->memo;
  struct memo_entry *slot = memo_slot (m, key);
  if (slot->key)
    return append (res, &slot->r, idx, err);
  /* a package seen for the first time: ask the database, alone */
  struct scan_result one = { 0 };
  struct scan_inventory single = *inv;
  single.pkgs = (struct scan_pkg *)p;
  single.n_pkgs = 1;
  int r = match_pkg_db (db, &single, 0, eco, &one, err);
  if (r == 0)
    r = append (res, &one, idx, err);
  if (r < 0 || m->n >= MEMO_MAX)
    {
      result_clear (&one);
      return r;
    }
  if ((m->n + 1) * 2 > m->cap)
    {
      /* grow: rehash into twice the slots */
      struct scan_memo bigger = { calloc (m->cap * 2, sizeof *m->e), m->cap * 2, m->n };
      if (!bigger.e)
        {
          result_clear (&one);
          return 0; /* not remembered: still correct */
        }
      for (size_t i = 0; i < m->cap; i++)
        if (m->e[i].key)
          *memo_slot (&bigger, m->e[i].key) = m->e[i];
      free (m->e);
      *m = bigger;
      slot = memo_slot (m, key);
    }
  slot->key = TAKE_PTR (key);
  slot->r = one;
  m->n++;
  return 0;
}

static int
finding_cmp (const void *a, const void *b)
{
  const struct scan_finding *x = a, *y = b;
  if (x->pkg != y->pkg)
    return x->pkg < y->pkg ? -1 : 1;
  return strcmp (x->vuln_id, y->vuln_id);
}

int
scan_match (struct scan_db *db, const struct scan_inventory *inv, struct scan_result **out,
            struct error **err)
{
  struct scan_result *res = calloc (1, sizeof *res);
  if (!res)
    return error_errno (err, ENOMEM, "result");
  _cleanup_free_ char *eco = scan_os_ecosystem (&inv->os);
  bool os_pkgs = false;
  int r = 0;
  for (size_t i = 0; i < inv->n_pkgs && r == 0; i++)
    {
      const struct scan_pkg *p = &inv->pkgs[i];
      bool distro = p->type == SCAN_PKG_DEB || p->type == SCAN_PKG_APK;
      if (distro && !eco)
        {
          os_pkgs = true;
          continue;
        }
      r = match_pkg (db, inv, i, eco, res, err);
    }
  if (r < 0)
    {
      scan_result_free (res);
      return r;
    }
  if (os_pkgs)
    scan_problem (&res->problems, "unknown OS release (%s %s): its packages were not matched",
                  inv->os.id ? inv->os.id : "no os-release",
                  inv->os.version_id ? inv->os.version_id : "");
  if (res->n > 1)
    qsort (res->f, res->n, sizeof *res->f, finding_cmp);
  *out = res;
  return 0;
}
