/* fuzz-trust-payload: cosign simple-signing payloads (the legacy format's
 * signed document) from untrusted bytes. */
#include "base/error.h"
#include "trust/trust.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct error *err = NULL;
  struct trust_payload *p = NULL;
  if (trust_payload_parse ((const char *)data, size, &p, &err) == 0)
    trust_payload_free (p);
  error_free (err);
  /* the signature annotation's base64 */
  unsigned char *out = NULL;
  size_t outlen = 0;
  err = NULL;
  if (trust_b64_decode ((const char *)data, size, &out, &outlen, &err) == 0)
    free (out);
  error_free (err);
  return 0;
}
