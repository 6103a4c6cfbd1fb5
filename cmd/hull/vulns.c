/* vulns.c - the last scan's counts as a listing's column (vulns.h). */
#include "vulns.h"

#include "hull.h"

#include "base/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef HULL_HAVE_SCAN
#include "scan/scan.h"
#endif

int
hull_vulns_check (struct error **err)
{
#ifdef HULL_HAVE_SCAN
  (void)err;
  return 0;
#else
  return error_set (err, ENOTSUP,
                    "vulnerability counts need a hull built with scanning (lib/scan)");
#endif
}

bool
hull_vulns_in_format (const char *format)
{
  return format && strstr (format, ".Vulnerabilities") != NULL;
}

char *
hull_vulns_cell (const struct hull_ctx *ctx, const char *id)
{
#ifdef HULL_HAVE_SCAN
  struct scan_summary sm;
  struct error *err = NULL;
  int r = scan_summary_load (ctx->root, id, &sm, &err);
  error_free (err);
  if (r == -ENOENT)
    return strdup ("-");
  if (r < 0)
    return strdup ("?");
  return scan_summary_format (&sm);
#else
  (void)ctx, (void)id;
  return strdup ("-");
#endif
}
