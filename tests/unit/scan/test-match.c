/* test-match.c - advisories (OSV, Debian tracker, Alpine secdb) against
 * packages: exact findings and non-findings; atomic imports; ignore files
 * and VEX. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "scan/scan.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct scan_pkg
pkg (enum scan_pkg_type t, const char *name, const char *version, const char *src,
     const char *src_version)
{
  struct scan_pkg p = { .type = t };
  p.name = strdup (name);
  p.version = strdup (version);
  p.src_name = src ? strdup (src) : NULL;
  p.src_version = src_version ? strdup (src_version) : NULL;
  return p;
}

static struct scan_inventory *
inventory (const char *os, const char *version_id)
{
  struct scan_inventory *inv = calloc (1, sizeof *inv);
  inv->os.id = strdup (os);
  inv->os.version_id = strdup (version_id);
  inv->pkgs = calloc (32, sizeof *inv->pkgs);
  return inv;
}

static void
add (struct scan_inventory *inv, struct scan_pkg p)
{
  inv->pkgs[inv->n_pkgs++] = p;
}

static int
load (struct scan_db *db, const char *doc, struct error **err)
{
  struct scan_import_stats st = { 0 };
  return scan_db_load_document (db, doc, strlen (doc), "doc.json", &st, err);
}

/* "pkg:id:status:fixed" lines of a result, sorted as the result is */
static char *
summary (const struct scan_inventory *inv, const struct scan_result *r)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  for (size_t i = 0; i < r->n; i++)
    fprintf (f, "%s%s:%s:%s:%s", i ? " " : "", inv->pkgs[r->f[i].pkg].name, r->f[i].vuln_id,
             scan_status_name (r->f[i].status),
             r->f[i].fixed_version ? r->f[i].fixed_version : "-");
  fclose (f);
  return buf;
}

static const char osv_debian[]
    = "[{\"id\":\"DSA-1\",\"aliases\":[\"CVE-2024-1\"],\"modified\":\"x\","
      "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"openssl\"},"
      "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3.0.11-"
      "1~deb12u2\"}]}]},"
      "{\"package\":{\"ecosystem\":\"Debian:11\",\"name\":\"zlib\"},"
      "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]}]},"
      /* two ranges: 1.0 up to 1.2 fixed, then 2.0 to last_affected 2.1 */
      "{\"id\":\"OSV-2\",\"modified\":\"x\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian:"
      "12\","
      "\"name\":\"multi\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"1.0\"}"
      ","
      "{\"fixed\":\"1.2\"}]},{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"2.0\"},"
      "{\"last_affected\":\"2.1\"}]}]}]},"
      /* a limit: introduced 0, limit 5.0 */
      "{\"id\":\"OSV-3\",\"modified\":\"x\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian:"
      "12\","
      "\"name\":\"limited\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}"
      ","
      "{\"limit\":\"5.0\"}]}]}]},"
      /* a versions list */
      "{\"id\":\"OSV-4\",\"modified\":\"x\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian:"
      "12\","
      "\"name\":\"listed\"},\"versions\":[\"1.0-1\",\"1.0-2\"]}]},"
      /* withdrawn: never reported */
      "{\"id\":\"OSV-5\",\"withdrawn\":\"2024-01-01T00:00:00Z\",\"modified\":\"x\","
      "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"openssl\"},"
      "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]}]}]";

static const char tracker[]
    = "{\"glibc\":{"
      "\"CVE-2023-4911\":{\"description\":\"x\",\"releases\":{\"bookworm\":{\"status\":"
      "\"resolved\","
      "\"fixed_version\":\"2.36-9+deb12u3\",\"urgency\":\"high\"},\"bullseye\":{\"status\":"
      "\"resolved\",\"fixed_version\":\"2.31-13+deb11u7\",\"urgency\":\"high\"}}},"
      "\"CVE-2010-4756\":{\"releases\":{\"bookworm\":{\"status\":\"open\",\"urgency\":"
      "\"unimportant\"}}},"
      "\"CVE-2024-2\":{\"releases\":{\"bookworm\":{\"status\":\"open\",\"urgency\":\"medium**\"}}},"
      "\"CVE-2024-3\":{\"releases\":{\"bookworm\":{\"status\":\"undetermined\"}}},"
      "\"CVE-2019-1\":{\"releases\":{\"bookworm\":{\"status\":\"resolved\",\"fixed_version\":\"0\"}"
      "}},"
      "\"CVE-2020-1\":{\"releases\":{\"bookworm\":{\"status\":\"resolved\",\"fixed_version\":\"2."
      "36-1\"}}}"
      "}}";

static void
test_debian (void)
{
  _cleanup_scan_db_ struct scan_db *db = NULL;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (scan_db_open_memory (&db, &err) == 0);
  CHECK_INT (load (db, osv_debian, &err), ==, 0);
  CHECK_INT (load (db, tracker, &err), ==, 0);
  if (err)
    printf ("# %s\n", err->msg);
  _cleanup_scan_inventory_ struct scan_inventory *inv = inventory ("debian", "12");
  /* openssl binary packages, vulnerable and fixed */
  add (inv, pkg (SCAN_PKG_DEB, "libssl3", "3.0.11-1~deb12u1", "openssl", NULL));
  add (inv, pkg (SCAN_PKG_DEB, "openssl", "3.0.11-1~deb12u2", NULL, NULL));
  /* a binNMU: the source version decides */
  add (inv, pkg (SCAN_PKG_DEB, "libc6", "2.36-9+b1", "glibc", "2.36-9"));
  add (inv, pkg (SCAN_PKG_DEB, "zlib1g", "1:1.2.13", "zlib", "1:1.2.13"));
  add (inv, pkg (SCAN_PKG_DEB, "multi", "1.1", NULL, NULL));
  add (inv, pkg (SCAN_PKG_DEB, "listed", "1.0-2", NULL, NULL));
  add (inv, pkg (SCAN_PKG_DEB, "limited", "5.0", NULL, NULL));
  _cleanup_scan_result_ struct scan_result *r = NULL;
  REQUIRE (scan_match (db, inv, &r, &err) == 0);
  _cleanup_free_ char *s = summary (inv, r);
  CHECK_STR (s, "libssl3:CVE-2024-1:fixed:3.0.11-1~deb12u2 "
                "libc6:CVE-2010-4756:will_not_fix:- "
                "libc6:CVE-2023-4911:fixed:2.36-9+deb12u3 "
                "libc6:CVE-2024-2:affected:- "
                "libc6:CVE-2024-3:under_investigation:- "
                "multi:OSV-2:fixed:1.2 "
                "listed:OSV-4:affected:-");
  /* the advisory's own id is kept as an alias of the CVE */
  CHECK (r->n > 0 && strv_contains (r->f[0].aliases, "DSA-1"));
  CHECK_STR (r->n > 0 ? r->f[0].advisory_id : NULL, "DSA-1");
  CHECK_INT (r->n > 2 ? (int)r->f[2].severity : -1, ==, SCAN_SEV_HIGH);
  CHECK_INT (r->n > 3 ? (int)r->f[3].severity : -1, ==, SCAN_SEV_MEDIUM);

  /* the second range's edges; the limit */
  static const struct
  {
    const char *name, *version;
    int hits;
  } edge[] = { { "multi", "0.9", 0 },   { "multi", "1.0", 1 },   { "multi", "1.2", 0 },
               { "multi", "1.5", 0 },   { "multi", "2.0", 1 },   { "multi", "2.1", 1 },
               { "multi", "2.1.1", 0 }, { "limited", "4.9", 1 }, { "listed", "1.0-3", 0 },
               { "libc6", "2.37-1", 0 } };
  for (size_t i = 0; i < ARRAY_SIZE (edge); i++)
    {
      _cleanup_scan_inventory_ struct scan_inventory *one = inventory ("debian", "12");
      add (one, pkg (SCAN_PKG_DEB, edge[i].name, edge[i].version,
                     strcmp (edge[i].name, "libc6") == 0 ? "glibc" : NULL, NULL));
      _cleanup_scan_result_ struct scan_result *r1 = NULL;
      REQUIRE (scan_match (db, one, &r1, &err) == 0);
      size_t hits = 0;
      for (size_t j = 0; j < r1->n; j++)
        hits += r1->f[j].status != SCAN_STATUS_WILL_NOT_FIX
                && r1->f[j].status != SCAN_STATUS_UNDER_INVESTIGATION
                && r1->f[j].status != SCAN_STATUS_AFFECTED;
      if (strcmp (edge[i].name, "libc6") != 0)
        hits = r1->n;
      if ((int)hits != edge[i].hits)
        printf ("#   %s %s\n", edge[i].name, edge[i].version);
      CHECK_INT (hits, ==, edge[i].hits);
    }

  /* Debian 11: only bullseye's records apply */
  _cleanup_scan_inventory_ struct scan_inventory *old = inventory ("debian", "11");
  add (old, pkg (SCAN_PKG_DEB, "libc6", "2.31-13+deb11u6", "glibc", NULL));
  add (old, pkg (SCAN_PKG_DEB, "libssl1.1", "1.1.1n-0+deb11u5", "openssl", NULL));
  add (old, pkg (SCAN_PKG_DEB, "zlib1g", "1:1.2.11.dfsg-2", "zlib", NULL));
  _cleanup_scan_result_ struct scan_result *r2 = NULL;
  REQUIRE (scan_match (db, old, &r2, &err) == 0);
  _cleanup_free_ char *s2 = summary (old, r2);
  CHECK_STR (s2, "libc6:CVE-2023-4911:fixed:2.31-13+deb11u7 zlib1g:CVE-2024-1:affected:-");
}

static void
test_alpine_and_languages (void)
{
  _cleanup_scan_db_ struct scan_db *db = NULL;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (scan_db_open_memory (&db, &err) == 0);
  CHECK_INT (load (db,
                   "{\"distroversion\":\"v3.19\",\"reponame\":\"main\",\"packages\":["
                   "{\"pkg\":{\"name\":\"openssl\",\"secfixes\":{\"3.1.4-r1\":[\"CVE-2023-5678\"],"
                   "\"3.1.4-r3\":[\"CVE-2023-6129 CVE-2023-6237\"],\"0\":[\"CVE-2000-1\"]}}},"
                   "{\"pkg\":{\"name\":\"busybox\"}}]}",
                   &err),
             ==, 0);
  CHECK_INT (load (db,
                   "{\"id\":\"GHSA-a\",\"aliases\":[\"CVE-2023-32681\"],\"modified\":\"x\","
                   "\"database_specific\":{\"severity\":\"MODERATE\"},"
                   "\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"Requests\"},"
                   "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"2.3.0\"},"
                   "{\"fixed\":\"2.31.0\"}]}]}]}",
                   &err),
             ==, 0);
  CHECK_INT (load (db,
                   "{\"id\":\"GHSA-b\",\"modified\":\"x\",\"severity\":[{\"type\":\"CVSS_V3\","
                   "\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}],"
                   "\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"lodash\"},"
                   "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},"
                   "{\"fixed\":\"4.17.21\"}]}]}]}",
                   &err),
             ==, 0);
  _cleanup_scan_inventory_ struct scan_inventory *inv = inventory ("alpine", "3.19.1");
  add (inv, pkg (SCAN_PKG_APK, "libcrypto3", "3.1.4-r2", "openssl", NULL));
  add (inv, pkg (SCAN_PKG_APK, "busybox", "1.36.1-r15", "busybox", NULL));
  add (inv, pkg (SCAN_PKG_PYTHON, "requests", "2.25.0", NULL, NULL));
  add (inv, pkg (SCAN_PKG_NPM, "lodash", "4.17.20", NULL, NULL));
  add (inv, pkg (SCAN_PKG_NPM, "lodash", "4.17.21", NULL, NULL));
  _cleanup_scan_result_ struct scan_result *r = NULL;
  REQUIRE (scan_match (db, inv, &r, &err) == 0);
  _cleanup_free_ char *s = summary (inv, r);
  CHECK_STR (s, "libcrypto3:CVE-2023-6129:fixed:3.1.4-r3 libcrypto3:CVE-2023-6237:fixed:3.1.4-r3 "
                "requests:CVE-2023-32681:fixed:2.31.0 lodash:GHSA-b:fixed:4.17.21");
  /* CVSS 3.1 9.8 -> CRITICAL; GitHub's MODERATE -> MEDIUM */
  CHECK_INT (r->n == 4 ? (int)r->f[3].severity : -1, ==, SCAN_SEV_CRITICAL);
  CHECK_INT (r->n == 4 ? (int)r->f[2].severity : -1, ==, SCAN_SEV_MEDIUM);

  /* Ubuntu's ":LTS" ecosystems match an installed VERSION_ID */
  CHECK_INT (
      load (db,
            "{\"id\":\"UBUNTU-CVE-2024-1\",\"modified\":\"x\",\"affected\":[{\"package\":"
            "{\"ecosystem\":\"Ubuntu:22.04:LTS\",\"name\":\"openssl\"},\"ranges\":[{\"type\":"
            "\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3.0.2-0ubuntu1.15\"}]}]}"
            "]}",
            &err),
      ==, 0);
  _cleanup_scan_inventory_ struct scan_inventory *ub = inventory ("ubuntu", "22.04");
  add (ub, pkg (SCAN_PKG_DEB, "libssl3", "3.0.2-0ubuntu1.14", "openssl", NULL));
  _cleanup_scan_result_ struct scan_result *ru = NULL;
  REQUIRE (scan_match (db, ub, &ru, &err) == 0);
  _cleanup_free_ char *su = summary (ub, ru);
  CHECK_STR (su, "libssl3:UBUNTU-CVE-2024-1:fixed:3.0.2-0ubuntu1.15");

  /* another Alpine release does not see v3.19's data */
  _cleanup_scan_inventory_ struct scan_inventory *other = inventory ("alpine", "3.18.4");
  add (other, pkg (SCAN_PKG_APK, "libcrypto3", "3.1.4-r0", "openssl", NULL));
  _cleanup_scan_result_ struct scan_result *r2 = NULL;
  REQUIRE (scan_match (db, other, &r2, &err) == 0);
  CHECK_INT (r2->n, ==, 0);

  /* an unknown OS: reported, not guessed */
  _cleanup_scan_inventory_ struct scan_inventory *unk = inventory ("plan9", "4");
  add (unk, pkg (SCAN_PKG_DEB, "x", "1.0", NULL, NULL));
  _cleanup_scan_result_ struct scan_result *r3 = NULL;
  REQUIRE (scan_match (db, unk, &r3, &err) == 0);
  CHECK_INT (r3->n, ==, 0);
  CHECK (r3->problems && strstr (r3->problems[0], "unknown OS release (plan9 4)"));
}

static void
test_bad_documents (void)
{
  _cleanup_scan_db_ struct scan_db *db = NULL;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (scan_db_open_memory (&db, &err) == 0);
  static const struct
  {
    const char *doc, *msg;
  } bad[] = {
    { "{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"a\"},"
      "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"fixd\":\"1\"}]}]}]}",
      "`affected[0].ranges[0].events[0]`: unknown event `fixd`" },
    { "{\"id\":\"X\",\"affected\":{}}", "`affected`: not an array" },
    { "[{\"id\":\"has space\",\"modified\":\"x\"}]", "`[0].id`: missing or invalid" },
    { "{\"distroversion\":\"3.19\",\"packages\":[]}", "`distroversion`: not `vX.Y`" },
    { "{\"glibc\":{\"CVE-1\":{\"releases\":{\"bookworm\":{\"status\":\"weird\"}}}}}",
      "unknown `weird`" },
    { "{\"hello\":1}", "not an OSV, Debian tracker or Alpine secdb document" },
    { "{\"id\":", "doc.json" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      _cleanup_error_ struct error *e = NULL;
      CHECK (load (db, bad[i].doc, &e) < 0);
      if (!e || !strstr (e->msg, bad[i].msg))
        printf ("#   got `%s`, want `%s`\n", e ? e->msg : "(none)", bad[i].msg);
      CHECK (e && strstr (e->msg, bad[i].msg) && strstr (e->msg, "doc.json"));
    }
}

static void
test_import_atomic (void)
{
  char root[] = "/tmp/hull-scan-db.XXXXXX";
  REQUIRE (mkdtemp (root) != NULL);
  _cleanup_free_ char *good = NULL, *bad = NULL;
  CHECK (asprintf (&good, "%s/good.json", root) > 0);
  CHECK (asprintf (&bad, "%s/bad.json", root) > 0);
  _cleanup_error_ struct error *err = NULL;
  CHECK_INT (fs_write_file_atomic (AT_FDCWD, good, osv_debian, strlen (osv_debian), 0644, &err), ==,
             0);
  CHECK_INT (fs_write_file_atomic (AT_FDCWD, bad, "{\"id\":\"Y\",\"affected\":3}", 24, 0644, &err),
             ==, 0);
  char *one[] = { good, NULL };
  struct scan_import_stats st;
  REQUIRE (scan_db_import (root, one, &st, &err) == 0);
  CHECK_INT (st.advisories, ==, 5);
  CHECK_INT (st.withdrawn, ==, 1);
  _cleanup_free_ char *dbfile = NULL;
  CHECK (asprintf (&dbfile, "%s/scan/advisories.db", root) > 0);
  struct stat before, after;
  REQUIRE (stat (dbfile, &before) == 0);
  /* a good file then a bad one: nothing of either lands */
  CHECK_INT (fs_write_file_atomic (AT_FDCWD, good, tracker, strlen (tracker), 0644, &err), ==, 0);
  char *two[] = { good, bad, NULL };
  CHECK_INT (scan_db_import (root, two, &st, &err), ==, -EINVAL);
  CHECK (err && strstr (err->msg, "bad.json") && strstr (err->msg, "`affected`"));
  REQUIRE (stat (dbfile, &after) == 0);
  CHECK (before.st_ino == after.st_ino);
  _cleanup_scan_db_ struct scan_db *db = NULL;
  error_free (err);
  err = NULL;
  REQUIRE (scan_db_open (root, &db, &err) == 0);
  struct scan_db_status s;
  REQUIRE (scan_db_get_status (db, &s, &err) == 0);
  CHECK_INT (s.advisories, ==, 4);
  CHECK_INT (s.schema, ==, SCAN_DB_SCHEMA);
  CHECK_INT (strv_len (s.sources), ==, 2); /* osv Debian:11, osv Debian:12 */
  scan_db_status_clear (&s);
  /* no temporary file left */
  _cleanup_free_ char *tmp = NULL;
  CHECK (asprintf (&tmp, "%s/scan/advisories.db.new", root) > 0);
  CHECK (access (tmp, F_OK) < 0);
  fs_rm_rf_at (AT_FDCWD, root, &err);
}

static void
test_filters (void)
{
  _cleanup_scan_db_ struct scan_db *db = NULL;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (scan_db_open_memory (&db, &err) == 0);
  CHECK_INT (load (db, tracker, &err), ==, 0);
  CHECK_INT (load (db, osv_debian, &err), ==, 0);
  _cleanup_scan_inventory_ struct scan_inventory *inv = inventory ("debian", "12");
  add (inv, pkg (SCAN_PKG_DEB, "libc6", "2.36-9", "glibc", NULL));
  add (inv, pkg (SCAN_PKG_DEB, "libssl3", "3.0.11-1~deb12u1", "openssl", NULL));
  add (inv, pkg (SCAN_PKG_DEB, "openssl", "3.0.11-1~deb12u1", NULL, NULL));
  _cleanup_scan_result_ struct scan_result *r = NULL;
  REQUIRE (scan_match (db, inv, &r, &err) == 0);
  char dir[] = "/tmp/hull-scan-flt.XXXXXX";
  REQUIRE (mkdtemp (dir) != NULL);
  _cleanup_free_ char *ign = NULL, *vex = NULL;
  CHECK (asprintf (&ign, "%s/ignore", dir) > 0);
  CHECK (asprintf (&vex, "%s/vex.json", dir) > 0);
  static const char ignore[] = "# accepted risk: not reachable\nCVE-2024-2\n\nCVE-2099-9 # none\n";
  static const char vexdoc[]
      = "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":["
        "{\"vulnerability\":{\"name\":\"DSA-1\"},\"products\":[{\"@id\":\"pkg:deb/debian/"
        "libssl3\"}],"
        "\"status\":\"not_affected\",\"justification\":\"vulnerable_code_not_in_execute_path\"},"
        "{\"vulnerability\":{\"name\":\"CVE-2023-4911\"},\"status\":\"affected\"}]}";
  CHECK_INT (fs_write_file_atomic (AT_FDCWD, ign, ignore, strlen (ignore), 0644, &err), ==, 0);
  CHECK_INT (fs_write_file_atomic (AT_FDCWD, vex, vexdoc, strlen (vexdoc), 0644, &err), ==, 0);
  _cleanup_scan_filter_ struct scan_filter *f = NULL;
  REQUIRE (scan_filter_new (&f) == 0);
  CHECK_INT (scan_filter_load_ignorefile (f, ign, &err), ==, 0);
  CHECK_INT (scan_filter_load_vex (f, vex, &err), ==, 0);
  scan_filter_apply (f, inv, r);
  size_t shown = 0;
  struct scan_report_opts o = { 0 };
  for (size_t i = 0; i < r->n; i++)
    {
      const struct scan_finding *x = &r->f[i];
      const char *name = inv->pkgs[x->pkg].name;
      if (strcmp (x->vuln_id, "CVE-2024-2") == 0)
        {
          CHECK_STR (x->suppress_status, "ignored");
          CHECK_STR (x->suppress_reason, "accepted risk: not reachable");
        }
      else if (strcmp (x->vuln_id, "CVE-2024-1") == 0 && strcmp (name, "libssl3") == 0)
        {
          CHECK_STR (x->suppress_status, "not_affected");
          CHECK_STR (x->suppress_reason, "vulnerable_code_not_in_execute_path");
        }
      else
        CHECK (x->suppressed_by == NULL);
      shown += scan_finding_shown (x, &o);
    }
  /* libc6: 4911 (fixed), 2024-3 (undetermined); openssl: CVE-2024-1 */
  CHECK_INT (shown, ==, 3);
  /* a bad ignore file names the line */
  CHECK_INT (fs_write_file_atomic (AT_FDCWD, ign, "CVE-1\nnot/an/id\n", 16, 0644, &err), ==, 0);
  _cleanup_scan_filter_ struct scan_filter *f2 = NULL;
  REQUIRE (scan_filter_new (&f2) == 0);
  CHECK_INT (scan_filter_load_ignorefile (f2, ign, &err), ==, -EINVAL);
  CHECK (err && strstr (err->msg, ":2:"));
  error_free (err);
  err = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &err);
}

static void
test_purl_and_report (void)
{
  _cleanup_scan_inventory_ struct scan_inventory *inv = inventory ("debian", "12");
  struct scan_pkg p = pkg (SCAN_PKG_DEB, "libc6", "1:2.36-9+b1", "glibc", "2.36-9");
  p.arch = strdup ("amd64");
  add (inv, p);
  add (inv, pkg (SCAN_PKG_NPM, "@types/node", "20.1.0", NULL, NULL));
  add (inv, pkg (SCAN_PKG_PYTHON, "Zope.Interface", "5.0", NULL, NULL));
  _cleanup_free_ char *a = scan_pkg_purl (&inv->pkgs[0], &inv->os);
  _cleanup_free_ char *b = scan_pkg_purl (&inv->pkgs[1], &inv->os);
  _cleanup_free_ char *c = scan_pkg_purl (&inv->pkgs[2], &inv->os);
  CHECK_STR (a, "pkg:deb/debian/libc6@1%3A2.36-9%2Bb1?arch=amd64&distro=debian-12");
  CHECK_STR (b, "pkg:npm/%40types/node@20.1.0");
  CHECK_STR (c, "pkg:pypi/zope-interface@5.0");

  _cleanup_scan_db_ struct scan_db *db = NULL;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (scan_db_open_memory (&db, &err) == 0);
  CHECK_INT (load (db, tracker, &err), ==, 0);
  _cleanup_scan_result_ struct scan_result *r = NULL;
  REQUIRE (scan_match (db, inv, &r, &err) == 0);
  struct scan_target t = { "img", "image", "sha256:00", inv, r };
  struct scan_report_opts o = { .severities = 1u << SCAN_SEV_HIGH };
  _cleanup_free_ char *text = scan_report_json (&t, 1, &o);
  _cleanup_json_ json_object *doc = NULL;
  REQUIRE (text && jsonx_parse (text, strlen (text), &doc, &err) == 0);
  json_object *results, *r0, *vulns, *v0, *x;
  REQUIRE (json_object_object_get_ex (doc, "Results", &results));
  CHECK_INT (json_object_array_length (results), ==, 3);
  r0 = json_object_array_get_idx (results, 0);
  REQUIRE (json_object_object_get_ex (r0, "Vulnerabilities", &vulns));
  /* --severity HIGH: CVE-2023-4911 only (2024-2 is MEDIUM, 2024-3 UNKNOWN) */
  CHECK_INT (json_object_array_length (vulns), ==, 1);
  v0 = json_object_array_get_idx (vulns, 0);
  static const char *const want[][2] = {
    { "VulnerabilityID", "CVE-2023-4911" },
    { "PkgName", "libc6" },
    { "InstalledVersion", "1:2.36-9+b1" },
    { "FixedVersion", "2.36-9+deb12u3" },
    { "Status", "fixed" },
    { "Severity", "HIGH" },
    { "SrcName", "glibc" },
    { "SrcVersion", "2.36-9" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (want); i++)
    {
      x = NULL;
      json_object_object_get_ex (v0, want[i][0], &x);
      CHECK_STR (x ? json_object_get_string (x) : NULL, want[i][1]);
    }
  CHECK (json_object_object_get_ex (r0, "Class", &x)
         && strcmp (json_object_get_string (x), "os-pkgs") == 0);
  json_object *meta, *id;
  CHECK (json_object_object_get_ex (doc, "Metadata", &meta)
         && json_object_object_get_ex (meta, "ImageID", &id)
         && strcmp (json_object_get_string (id), "sha256:00") == 0);
}

int
main (void)
{
  RUN (test_debian);
  RUN (test_alpine_and_languages);
  RUN (test_bad_documents);
  RUN (test_import_atomic);
  RUN (test_filters);
  RUN (test_purl_and_report);
  return tap_done ();
}
