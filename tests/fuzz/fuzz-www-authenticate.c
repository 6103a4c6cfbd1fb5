/* Fuzz the WWW-Authenticate parser (registry replies are untrusted).  Also
 * checks invariants: a parse either fails leaving the list untouched, or
 * yields lowercase schemes and names and at most the bounded counts. */
#include "registry/challenge.h"

#include "base/error.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct auth_challenge *list = NULL;
  size_t n = 0;
  struct error *err = NULL;
  /* the input is not NUL-terminated: the parser must honour size */
  int ret = auth_challenges_parse ((const char *)data, size, &list, &n, &err);
  if (ret < 0)
    {
      if (err == NULL || list != NULL || n != 0)
        abort ();
      error_free (err);
      return 0;
    }
  if (n > CHALLENGE_MAX)
    abort ();
  for (size_t i = 0; i < n; i++)
    {
      for (const char *c = list[i].scheme; *c; c++)
        if (isupper ((unsigned char)*c))
          abort ();
      if (list[i].n_params > CHALLENGE_PARAMS_MAX)
        abort ();
      for (size_t k = 0; k < list[i].n_params; k++)
        if (auth_challenge_param (&list[i], list[i].params[k].name) == NULL)
          abort ();
    }
  auth_challenges_free (list, n);
  return 0;
}
