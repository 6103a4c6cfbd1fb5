/* fuzz-trust-policy: containers' policy.json from untrusted bytes (strict
 * parse only: evaluating a signature requirement needs a registry). */
#include "base/error.h"
#include "trust/trust.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct error *err = NULL;
  struct trust_policy *p = NULL;
  if (trust_policy_parse ((const char *)data, size, "fuzz.json", &p, &err) == 0)
    trust_policy_free (p);
  error_free (err);
  return 0;
}
