/* internal.h - what the files of lib/scan share (not a public API). */
#ifndef HULL_SCAN_INTERNAL_H
#define HULL_SCAN_INTERNAL_H

#include "scan/scan.h"

#include <stdarg.h>

/* Limits on what a layer can make us read or hold. */
#define SCAN_DB_FILE_MAX (64u << 20)   /* a package database */
#define SCAN_SMALL_FILE_MAX (1u << 20) /* os-release, METADATA, package.json */
#define SCAN_PKGS_MAX 200000           /* packages in one inventory */
#define SCAN_PROBLEMS_MAX 1000

/* Append a package (takes ownership of its strings; they are freed on
 * failure too).  -E2BIG past SCAN_PKGS_MAX. */
int scan_inv_add (struct scan_inventory *inv, struct scan_pkg *p, struct error **err);
int scan_pkg_copy (const struct scan_pkg *src, struct scan_pkg *dst);
void scan_os_clear (struct scan_os *os);
/* Add a "what" line to problems (printf-style); at most SCAN_PROBLEMS_MAX. */
void scan_problem (char ***problems, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Python's normalised distribution name (PEP 503): lowercase, runs of
 * "-_." become "-". */
char *scan_python_normalize (const char *name);

#endif
