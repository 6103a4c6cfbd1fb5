/* scan.h - vulnerability scanning of images and containers, offline.
 *
 *   version order      scan_dpkg_version_cmp, scan_apk_version_cmp (exactly
 *                      dpkg's and apk's), scan_pep440_cmp, scan_semver_cmp
 *   inventory          what is installed in a set of layers (bottom first) plus
 *                      an optional upper directory: the OS, dpkg/apk packages,
 *                      Python and npm packages (scan_inventory_*)
 *   advisories         a SQLite file of its own (ROOT/scan/advisories.db),
 *                      filled from OSV JSON, the Debian security tracker JSON
 *                      and Alpine secdb by scan_db_import (all or nothing)
 *   matching           scan_match: findings per package
 *
 * Layers are read as lib/image stores them (one directory per layer, overlay
 * whiteouts: 0:0 character devices and trusted.overlay.opaque); a
 * container's upper directory has the same form, so a container is its
 * image's layers plus its upper directory, whose differences are "drift".
 * Everything read from a layer is hostile: files are opened without
 * following symlinks out of the layer, and each has a size limit.
 * See docs/scan.md.
 */
#ifndef HULL_SCAN_SCAN_H
#define HULL_SCAN_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;

/* ------------------------------------------------------------ versions */

/* Compare two versions: *cmp < 0, 0, > 0.  An invalid version is -EINVAL
 * with a message saying which and why (nothing is guessed). */
int scan_dpkg_version_cmp (const char *a, const char *b, int *cmp, struct error **err);
int scan_dpkg_version_check (const char *v, struct error **err);
int scan_apk_version_cmp (const char *a, const char *b, int *cmp, struct error **err);
int scan_apk_version_check (const char *v, struct error **err);
/* Python (PEP 440, public versions and local labels) and npm (semver 2.0.0,
 * a leading "v" accepted). */
int scan_pep440_cmp (const char *a, const char *b, int *cmp, struct error **err);
int scan_semver_cmp (const char *a, const char *b, int *cmp, struct error **err);

enum scan_pkg_type
{
  SCAN_PKG_DEB = 0,
  SCAN_PKG_APK,
  SCAN_PKG_PYTHON,
  SCAN_PKG_NPM,
};
const char *scan_pkg_type_name (enum scan_pkg_type t); /* "deb", "apk", "python", "npm" */
/* The comparator of a package type. */
int scan_version_cmp (enum scan_pkg_type t, const char *a, const char *b, int *cmp,
                      struct error **err);

/* ------------------------------------------------------------ inventory */

struct scan_os
{
  char *id;         /* os-release ID: "debian", "alpine", "ubuntu"... */
  char *version_id; /* "12", "3.19.1" */
  char *codename;   /* VERSION_CODENAME */
  char *pretty;     /* PRETTY_NAME */
  char *detail;     /* debian_version / alpine-release contents */
};

struct scan_pkg
{
  enum scan_pkg_type type;
  char *name; /* binary package / distribution / npm name */
  char *version;
  char *src_name;    /* dpkg Source, apk origin; NULL: same as name */
  char *src_version; /* dpkg Source's version; NULL: same as version */
  char *arch;
  char *path;  /* the file it was read from ("var/lib/dpkg/status") */
  char *layer; /* the layer (directory) that holds that file */
  char *licenses;
  bool drift; /* the container added or changed it (not in the image) */
};

void scan_pkg_clear (struct scan_pkg *p);

struct scan_inventory
{
  struct scan_os os; /* fields NULL when unknown */
  struct scan_pkg *pkgs;
  size_t n_pkgs;
  char **problems; /* "FILE:LINE: what" lines: what could not be read */
};
void scan_inventory_free (struct scan_inventory *inv);
static inline void
scan_inventory_freep (struct scan_inventory **p)
{
  if (*p)
    scan_inventory_free (*p);
}
#define _cleanup_scan_inventory_ __attribute__ ((cleanup (scan_inventory_freep)))

/* Parsers of one package database (exposed for tests and fuzzing); they
 * append to inv, report bad stanzas as problems and skip them.  `path` is
 * only for messages. */
int scan_parse_dpkg_status (const char *data, size_t len, const char *path, bool need_status,
                            struct scan_inventory *inv, struct error **err);
int scan_parse_apk_installed (const char *data, size_t len, const char *path,
                              struct scan_inventory *inv, struct error **err);
int scan_parse_os_release (const char *data, size_t len, struct scan_os *os);
int scan_parse_python_metadata (const char *data, size_t len, const char *path,
                                struct scan_inventory *inv, struct error **err);
int scan_parse_npm_package (const char *data, size_t len, const char *path, bool lockfile,
                            struct scan_inventory *inv, struct error **err);

/* Reads layers; caches each layer's parse so that many images and
 * containers sharing layers read each layer once. */
struct scan_reader;
int scan_reader_new (struct scan_reader **out, struct error **err);
void scan_reader_free (struct scan_reader *r);
static inline void
scan_reader_freep (struct scan_reader **p)
{
  if (*p)
    scan_reader_free (*p);
}
#define _cleanup_scan_reader_ __attribute__ ((cleanup (scan_reader_freep)))
/* How many layer directories were walked (not served from the cache). */
size_t scan_reader_walked (struct scan_reader *r);

/* The inventory of layers (directories, bottom first) and, when upper is
 * not NULL, of a container: packages that upper adds or changes are marked
 * drift.  A later layer that rewrites or whites out a package database
 * wins.  Problems with single files are listed in inv->problems. */
int scan_inventory_layers (struct scan_reader *r, char *const *layers, const char *upper,
                           struct scan_inventory **out, struct error **err);
/* One plain directory (an unpacked root filesystem). */
int scan_inventory_dir (struct scan_reader *r, const char *dir, struct scan_inventory **out,
                        struct error **err);

/* The OSV ecosystem of the distribution packages ("Debian:12",
 * "Alpine:v3.19", "Ubuntu:22.04"); NULL when the OS is unknown. */
char *scan_os_ecosystem (const struct scan_os *os);

/* SBOMs: CycloneDX 1.5 JSON, SPDX 2.3 JSON; `name` names the subject. */
char *scan_sbom_cyclonedx (const struct scan_inventory *inv, const char *name);
char *scan_sbom_spdx (const struct scan_inventory *inv, const char *name);
/* Package URL of a package ("pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12"). */
char *scan_pkg_purl (const struct scan_pkg *p, const struct scan_os *os);

/* ------------------------------------------------------------ subjects */

/* What a name on the command line is: a container (tried first, by id,
 * name or id prefix) or else an image, as the layer directories and the
 * upper directory to read. */
struct engine;
struct scan_subject
{
  char *name; /* as shown: the image's first name or id, the container's name */
  char *kind; /* "image" or "container" */
  char *id;   /* image id / container id */
  char *image_id;
  char **layers; /* directories, bottom first */
  char *upper;   /* containers only */
};
void scan_subject_clear (struct scan_subject *s);
int scan_subject_resolve (struct engine *e, const char *ref, struct scan_subject *out,
                          struct error **err);
/* Every image, then every container of the store. */
int scan_subjects_all (struct engine *e, struct scan_subject **out, size_t *n, struct error **err);

/* ------------------------------------------------------------ advisories */

#define SCAN_DB_SCHEMA 1

struct scan_db;
/* ROOT/scan/advisories.db; -ENOENT "no advisory database..." when absent. */
int scan_db_open (const char *root, struct scan_db **out, struct error **err);
void scan_db_close (struct scan_db *db);
static inline void
scan_db_closep (struct scan_db **p)
{
  if (*p)
    scan_db_close (*p);
}
#define _cleanup_scan_db_ __attribute__ ((cleanup (scan_db_closep)))

struct scan_import_stats
{
  size_t files, advisories, affected, withdrawn;
};
/* Import files or directories (each *.json below): OSV (one advisory or an
 * array), the Debian security tracker JSON, Alpine secdb.  A new database
 * is built from the current one plus these, then renamed over it: any
 * failure leaves the old one untouched.  Re-importing replaces what the
 * same source said before (an OSV id; the tracker as a whole; a secdb
 * file's release and repository). */
int scan_db_import (const char *root, char *const *paths, struct scan_import_stats *st,
                    struct error **err);

struct scan_db_status
{
  int schema;
  int64_t updated; /* unix seconds of the last import */
  int64_t advisories, affected, withdrawn;
  char **sources; /* "osv Debian:12 120" lines: kind, ecosystem, rows */
};
void scan_db_status_clear (struct scan_db_status *st);
/* When the last import was (unix seconds; 0 unknown): cheap, for age checks. */
int64_t scan_db_updated (struct scan_db *db);
int scan_db_get_status (struct scan_db *db, struct scan_db_status *st, struct error **err);

/* Parse one advisory document into a database (for tests and fuzzing:
 * db may be an in-memory database made by scan_db_open_memory). */
int scan_db_open_memory (struct scan_db **out, struct error **err);
int scan_db_load_document (struct scan_db *db, const char *data, size_t len, const char *path,
                           struct scan_import_stats *st, struct error **err);

/* The database as an OCI artifact (air-gapped mirrors): push the current
 * file; pull one, check it (schema, SQLite's quick_check) and put it in
 * place as atomically as an import.  *digest: the manifest's (may be NULL). */
#define SCAN_DB_ARTIFACT_TYPE "application/vnd.hull.scan.advisories.v1"
#define SCAN_DB_LAYER_TYPE "application/vnd.hull.scan.advisories.db.v1.sqlite3"
struct registry_options;
int scan_db_push (const char *root, const char *ref, const struct registry_options *opts,
                  char **digest, struct error **err);
int scan_db_pull (const char *root, const char *ref, const struct registry_options *opts,
                  char **digest, struct error **err);

/* ------------------------------------------------------------ matching */

enum scan_status
{
  SCAN_STATUS_FIXED = 0,    /* a fixed version exists */
  SCAN_STATUS_AFFECTED,     /* no fix yet */
  SCAN_STATUS_WILL_NOT_FIX, /* the distribution calls it unimportant */
  SCAN_STATUS_END_OF_LIFE,
  SCAN_STATUS_UNDER_INVESTIGATION, /* the distribution has not decided yet */
};
const char *scan_status_name (enum scan_status s); /* Trivy's spellings */

enum scan_severity
{
  SCAN_SEV_UNKNOWN = 0,
  SCAN_SEV_LOW,
  SCAN_SEV_MEDIUM,
  SCAN_SEV_HIGH,
  SCAN_SEV_CRITICAL,
};
const char *scan_severity_name (enum scan_severity s);
int scan_severity_parse (const char *s, enum scan_severity *out);

struct scan_finding
{
  size_t pkg;          /* index into the inventory */
  char *vuln_id;       /* a CVE id when the advisory names one, else the advisory id */
  char *advisory_id;   /* the advisory as the source names it */
  char **aliases;      /* strv */
  char *fixed_version; /* NULL: none */
  enum scan_status status;
  enum scan_severity severity;
  char *title;
  char *source; /* "osv", "debian-tracker", "alpine-secdb" */
  /* suppressed by an ignore file or a VEX statement: */
  char *suppressed_by;   /* "ignorefile F" / "vex F" or NULL */
  char *suppress_status; /* "ignored", "not_affected", "fixed" */
  char *suppress_reason;
};

struct scan_result
{
  struct scan_finding *f;
  size_t n;
  char **problems; /* advisories or versions that could not be compared */
};
void scan_result_free (struct scan_result *r);
static inline void
scan_result_freep (struct scan_result **p)
{
  if (*p)
    scan_result_free (*p);
}
#define _cleanup_scan_result_ __attribute__ ((cleanup (scan_result_freep)))

/* Match every package of inv against db.  Debian: the source package and
 * its version, in the advisories of this release only, one finding per
 * binary package.  Findings sorted by package then id. */
int scan_match (struct scan_db *db, const struct scan_inventory *inv, struct scan_result **out,
                struct error **err);

/* Suppressions: a Trivy-style ignore file (one id per line, "# reason"
 * comments after it) and OpenVEX documents (not_affected / fixed
 * statements whose products match the package's purl or are absent). */
struct scan_filter;
int scan_filter_new (struct scan_filter **out);
void scan_filter_free (struct scan_filter *f);
static inline void
scan_filter_freep (struct scan_filter **p)
{
  if (*p)
    scan_filter_free (*p);
}
#define _cleanup_scan_filter_ __attribute__ ((cleanup (scan_filter_freep)))
int scan_filter_load_ignorefile (struct scan_filter *f, const char *path, struct error **err);
int scan_filter_load_vex (struct scan_filter *f, const char *path, struct error **err);
int scan_filter_parse_vex (struct scan_filter *f, const char *data, size_t len, const char *path,
                           struct error **err);
void scan_filter_apply (const struct scan_filter *f, const struct scan_inventory *inv,
                        struct scan_result *res);

/* ------------------------------------------------------------ reports */

struct scan_target
{
  const char *name;     /* "debian:12 (image)", a container name */
  const char *kind;     /* "image" or "container" */
  const char *image_id; /* may be NULL */
  const struct scan_inventory *inv;
  const struct scan_result *res;
};

struct scan_report_opts
{
  unsigned severities; /* bit (1 << severity); 0: all */
  bool ignore_unfixed;
  bool show_unimportant;
};
/* Whether a finding is shown under opts (not suppressed, severity, fix). */
bool scan_finding_shown (const struct scan_finding *f, const struct scan_report_opts *o);

/* The last scan's counts per subject (ROOT/scan/summary/<id>), for a
 * summary column in listings: saved by `hull scan` for every image and
 * container it scans (shown findings only). */
struct scan_summary
{
  size_t count[SCAN_SEV_CRITICAL + 1]; /* by severity */
  int64_t when;                        /* unix seconds */
};
int scan_summary_save (const char *root, const char *id, const struct scan_result *res,
                       const struct scan_report_opts *o, struct error **err);
/* -ENOENT when the subject was never scanned. */
int scan_summary_load (const char *root, const char *id, struct scan_summary *out,
                       struct error **err);
/* "C:1 H:3 M:2 L:0 U:0" */
char *scan_summary_format (const struct scan_summary *s);

char *scan_report_json (const struct scan_target *t, size_t n, const struct scan_report_opts *o);
char *scan_report_sarif (const struct scan_target *t, size_t n, const struct scan_report_opts *o);
char *scan_report_cyclonedx (const struct scan_target *t, size_t n,
                             const struct scan_report_opts *o);
char *scan_report_table (const struct scan_target *t, size_t n, const struct scan_report_opts *o);

#endif
