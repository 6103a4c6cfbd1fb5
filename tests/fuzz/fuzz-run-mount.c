/* fuzz-run-mount: arbitrary bytes as the value of `hull run -v`, `--mount`
 * or `--tmpfs` (the first byte picks which).  A value either fails with a
 * message, or yields a mount of a known type whose destination is an
 * absolute, clean path other than the container's root, and a bind's
 * source an absolute, clean host path. */
#include "engine/spec.h"

#include "base/error.h"
#include "base/strv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static bool
clean_absolute (const char *p)
{
  if (p == NULL || p[0] != '/')
    return false;
  if (p[1] == '\0')
    return true;
  if (p[strlen (p) - 1] == '/' || strstr (p, "//") || strstr (p, "/./") || strstr (p, "/../"))
    return false;
  size_t n = strlen (p);
  return !(n >= 2 && strcmp (p + n - 2, "/.") == 0) && !(n >= 3 && strcmp (p + n - 3, "/..") == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1 || size > 8192)
    return 0;
  char *v = strndup ((const char *)data + 1, size - 1);
  if (v == NULL)
    return 0;
  struct ctr_mount m;
  struct error *err = NULL;
  int r;
  switch (data[0] % 3)
    {
    case 0:
      r = ctr_parse_volume (v, &m, &err);
      break;
    case 1:
      r = ctr_parse_mount (v, &m, &err);
      break;
    default:
      r = ctr_parse_tmpfs (v, &m, &err);
      break;
    }
  if (r < 0)
    {
      if (err == NULL || err->msg == NULL)
        abort ();
      error_free (err);
    }
  else
    {
      if (m.type == NULL
          || (strcmp (m.type, "bind") && strcmp (m.type, "volume") && strcmp (m.type, "tmpfs")))
        abort ();
      if (!clean_absolute (m.target) || strcmp (m.target, "/") == 0)
        abort ();
      if (strcmp (m.type, "bind") == 0 && !clean_absolute (m.source))
        abort ();
      if (strcmp (m.type, "tmpfs") == 0 && m.source)
        abort ();
    }
  /* what the caller frees, success or not */
  free (m.type);
  free (m.source);
  free (m.target);
  free (m.propagation);
  strv_free (m.options);
  free (v);
  return 0;
}
