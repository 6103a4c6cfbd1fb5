/* fuzz-trust-bundle: Sigstore bundles and in-toto statements from untrusted
 * bytes (the envelope as fetched, then its payload as the statement parser
 * would get it after verification). */
#include "base/error.h"
#include "trust/trust.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct error *err = NULL;
  struct trust_bundle *b = NULL;
  if (trust_bundle_parse ((const char *)data, size, &b, &err) == 0)
    {
      unsigned char *pae = NULL;
      size_t paelen = 0;
      struct error *e2 = NULL;
      if (trust_dsse_pae (b->payload_type, b->payload, b->payload_len, &pae, &paelen, &e2) == 0)
        free (pae);
      error_free (e2);
      e2 = NULL;
      struct trust_statement *s = NULL;
      if (trust_statement_parse ((const char *)b->payload, b->payload_len, &s, &e2) == 0)
        trust_statement_free (s);
      error_free (e2);
      trust_bundle_free (b);
    }
  error_free (err);
  err = NULL;
  struct trust_statement *s = NULL;
  if (trust_statement_parse ((const char *)data, size, &s, &err) == 0)
    trust_statement_free (s);
  error_free (err);
  return 0;
}
