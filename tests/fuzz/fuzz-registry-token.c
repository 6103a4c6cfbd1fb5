/* fuzz-registry-token: arbitrary bytes as a token server's reply.  A parse
 * either fails with a message and no token, or yields a token fit for an
 * HTTP header line (printable ASCII, no space: nothing the server could use
 * to inject headers) and a lifetime within the limits. */
#include "registry/token.h"

#include "base/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *token = NULL;
  int64_t expires_in = -1;
  struct error *err = NULL;
  /* not NUL-terminated: the parser must honour size */
  int r = registry_token_parse ((const char *)data, size, &token, &expires_in, &err);
  if (r < 0)
    {
      if (err == NULL || token != NULL || r != -err->code)
        abort ();
      error_free (err);
      return 0;
    }
  if (token == NULL || *token == '\0' || err != NULL)
    abort ();
  for (const char *c = token; *c; c++)
    if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
      abort ();
  if (expires_in < REGISTRY_TOKEN_MIN_LIFE_S || expires_in > REGISTRY_TOKEN_MAX_LIFE_S)
    abort ();
  free (token);
  return 0;
}
