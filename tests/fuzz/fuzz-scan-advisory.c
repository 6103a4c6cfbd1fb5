/* fuzz-scan-advisory: arbitrary bytes as an advisory file (OSV, the Debian
 * tracker's JSON, Alpine secdb) loaded into an in-memory database, then a
 * few packages matched against whatever it holds (lib/scan/advisory.c,
 * match.c: the OSV range evaluation runs on the fuzzed events). */
#include "base/error.h"
#include "scan/scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static struct scan_pkg
mk (enum scan_pkg_type t, const char *n, const char *v, const char *src)
{
  struct scan_pkg p = { .type = t };
  p.name = strdup (n);
  p.version = strdup (v);
  p.src_name = src ? strdup (src) : NULL;
  return p;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct scan_db *db = NULL;
  struct error *err = NULL;
  if (scan_db_open_memory (&db, &err) < 0)
    abort ();
  struct scan_import_stats st = { 0 };
  if (scan_db_load_document (db, (const char *)data, size, "fuzz.json", &st, &err) < 0)
    {
      error_free (err);
      scan_db_close (db);
      return 0;
    }
  static const char *const oses[][2] = { { "debian", "12" }, { "alpine", "3.19.1" } };
  for (size_t o = 0; o < 2; o++)
    {
      struct scan_inventory inv = { 0 };
      struct scan_pkg pk[5];
      pk[0] = mk (SCAN_PKG_DEB, "openssl", "3.0.11-1~deb12u1", NULL);
      pk[1] = mk (SCAN_PKG_DEB, "libc6", "2.36-9", "glibc");
      pk[2] = mk (SCAN_PKG_APK, "openssl", "3.1.4-r0", NULL);
      pk[3] = mk (SCAN_PKG_PYTHON, "requests", "2.25.0", NULL);
      pk[4] = mk (SCAN_PKG_NPM, "lodash", "4.17.20", NULL);
      inv.pkgs = pk;
      inv.n_pkgs = 5;
      inv.os.id = (char *)oses[o][0];
      inv.os.version_id = (char *)oses[o][1];
      struct scan_result *r = NULL;
      if (scan_match (db, &inv, &r, &err) < 0)
        error_free (err), err = NULL;
      scan_result_free (r);
      for (size_t i = 0; i < 5; i++)
        scan_pkg_clear (&pk[i]);
    }
  scan_db_close (db);
  return 0;
}
