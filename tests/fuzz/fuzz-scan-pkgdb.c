/* fuzz-scan-pkgdb: arbitrary bytes as the package databases an image
 * holds: dpkg's status file (with and without Status, as in distroless
 * status.d), apk's installed file, os-release, Python METADATA and npm's
 * package.json / package-lock.json (lib/scan/pkgdb.c). */
#include "base/error.h"
#include "scan/scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
drop (struct scan_inventory *inv)
{
  for (size_t i = 0; i < inv->n_pkgs; i++)
    {
      /* what a parser accepted must be usable as is */
      struct scan_pkg *p = &inv->pkgs[i];
      if (!p->name || !p->version)
        abort ();
      char *purl = scan_pkg_purl (p, &inv->os);
      free (purl);
      scan_pkg_clear (p);
    }
  free (inv->pkgs);
  for (size_t i = 0; inv->problems && inv->problems[i]; i++)
    free (inv->problems[i]);
  free (inv->problems);
  inv->pkgs = NULL;
  inv->n_pkgs = 0;
  inv->problems = NULL;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *d = (const char *)data;
  struct scan_inventory inv = { 0 };
  struct error *err = NULL;
  scan_parse_dpkg_status (d, size, "status", true, &inv, &err);
  error_free (err), err = NULL;
  scan_parse_dpkg_status (d, size, "status.d/x", false, &inv, &err);
  error_free (err), err = NULL;
  scan_parse_apk_installed (d, size, "installed", &inv, &err);
  error_free (err), err = NULL;
  scan_parse_python_metadata (d, size, "METADATA", &inv, &err);
  error_free (err), err = NULL;
  scan_parse_npm_package (d, size, "package.json", false, &inv, &err);
  error_free (err), err = NULL;
  scan_parse_npm_package (d, size, "package-lock.json", true, &inv, &err);
  error_free (err), err = NULL;
  scan_parse_os_release (d, size, &inv.os);
  char *eco = scan_os_ecosystem (&inv.os);
  free (eco);
  drop (&inv);
  free (inv.os.id);
  free (inv.os.version_id);
  free (inv.os.codename);
  free (inv.os.pretty);
  free (inv.os.detail);
  return 0;
}
