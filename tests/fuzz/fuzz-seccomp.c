/* fuzz-seccomp.c - seccomp profiles are untrusted input (a config.json from
 * anyone, `--security-opt seccomp=FILE`): parse as linux.seccomp, resolve as
 * a Docker-format profile, and compile whatever parses. */
#include "base/error.h"
#include "base/json.h"
#include "base/log.h"
#include "oci/seccomp-parse.h"
#include "seccomp/internal.h"
#include "seccomp/profile.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  json_object *o = NULL;
  struct error *err = NULL;
  if (size > 1 << 16 || jsonx_parse ((const char *)data, size, &o, &err) < 0)
    {
      error_free (err);
      return 0;
    }

  struct oci_seccomp s;
  if (oci_seccomp_parse (o, &s, &err) == 0)
    {
      void *bpf = NULL;
      size_t n = 0;
      if (s.present && seccomp_compile_uncached (&s, &bpf, &n, &err) == 0)
        {
          if (n == 0 || n > SECCOMP_MAX_INSNS)
            abort ();
          free (bpf);
        }
      char *canon = NULL;
      size_t len = 0;
      if (s.present && seccomp_canonical (&s, &canon, &len, &err) == 0)
        free (canon);
      oci_seccomp_clear (&s);
    }
  error_free (err);
  err = NULL;

  json_object *oci = NULL;
  if (seccomp_profile_resolve_for (o, 0x3fffffffffULL, "amd64", 6, 1, &oci, &err) == 0)
    {
      /* whatever resolves must parse */
      if (oci_seccomp_parse (oci, &s, &err) < 0)
        abort ();
      oci_seccomp_clear (&s);
      json_object_put (oci);
    }
  error_free (err);
  json_object_put (o);
  return 0;
}
