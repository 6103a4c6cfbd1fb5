/* fuzz-scan-version: two versions (split at the first newline) compared by
 * dpkg's and apk's order (and PEP 440's, semver's).  Besides not
 * crashing: a comparison is antisymmetric, and a version equals itself. */
#include "base/error.h"
#include "scan/scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef int (*cmp_fn) (const char *, const char *, int *, struct error **);

static void
check (cmp_fn f, const char *a, const char *b)
{
  struct error *err = NULL;
  int ab = 0, ba = 0, aa = 1;
  int r1 = f (a, b, &ab, &err);
  error_free (err), err = NULL;
  int r2 = f (b, a, &ba, &err);
  error_free (err), err = NULL;
  if (r1 == 0 && r2 == 0 && (ab > 0) != (ba < 0))
    abort ();
  if (r1 == 0 && r2 == 0 && (ab == 0) != (ba == 0))
    abort ();
  if (f (a, a, &aa, &err) == 0 && aa != 0)
    abort ();
  error_free (err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > 4096)
    return 0;
  char *buf = malloc (size + 1);
  if (!buf)
    return 0;
  memcpy (buf, data, size);
  buf[size] = 0;
  char *a = buf, *b = memchr (buf, '\n', size);
  if (b)
    *b++ = 0;
  else
    b = (char *)"1.0";
  static const cmp_fn fns[]
      = { scan_dpkg_version_cmp, scan_apk_version_cmp, scan_pep440_cmp, scan_semver_cmp };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
    check (fns[i], a, b);
  free (buf);
  return 0;
}
