/* token.c - the token server's reply (see token.h). */
#include "token.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The token goes into an Authorization header as it is: a control
 * character or a line break in it would let the token server inject
 * headers into our requests to the registry. */
static bool
header_safe (const char *s)
{
  if (s == NULL || *s == '\0')
    return false;
  for (; *s; s++)
    if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
      return false;
  return true;
}

int
registry_token_parse (const char *body, size_t len, char **token, int64_t *expires_in,
                      struct error **err)
{
  _cleanup_json_ json_object *o = NULL;
  int r = jsonx_parse (body ? body : "", body ? len : 0, &o, err);
  const char *t = NULL, *at = NULL;
  int64_t exp = 0;
  if (r < 0 || (r = jsonx_get_string (o, "token", &t, err)) < 0
      || (r = jsonx_get_string (o, "access_token", &at, err)) < 0
      || (r = jsonx_get_int64 (o, "expires_in", &exp, err)) < 0)
    {
      (*err)->code = EBADMSG;
      return -EBADMSG;
    }
  if (t == NULL || *t == '\0')
    t = at;
  if (!header_safe (t))
    return error_set (err, EBADMSG, "no usable token");
  if (exp < REGISTRY_TOKEN_MIN_LIFE_S)
    exp = REGISTRY_TOKEN_MIN_LIFE_S;
  if (exp > REGISTRY_TOKEN_MAX_LIFE_S)
    exp = REGISTRY_TOKEN_MAX_LIFE_S;
  if ((*token = strdup (t)) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  *expires_in = exp;
  return 0;
}
