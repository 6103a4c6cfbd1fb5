/* token.h - the token server's reply (distribution spec, "token
 * authentication"): a JSON object with "token" or "access_token" and an
 * optional "expires_in" in seconds.  The reply comes from whatever server
 * the registry's WWW-Authenticate realm names: untrusted input. */
#ifndef HULL_REGISTRY_TOKEN_H
#define HULL_REGISTRY_TOKEN_H

#include <stddef.h>
#include <stdint.h>

struct error;

/* A token lives at least this long (a server saying 0 or nothing gets the
 * spec's default of 60 s) and at most a year. */
#define REGISTRY_TOKEN_MIN_LIFE_S 60
#define REGISTRY_TOKEN_MAX_LIFE_S (86400 * 365)

/* Parse BODY (LEN bytes, not necessarily NUL-terminated): *token (malloc'd)
 * is the token, fit for an HTTP header (printable ASCII, no spaces);
 * *expires_in is clamped to the limits above.  EBADMSG when the reply is
 * not such an object or has no usable token. */
int registry_token_parse (const char *body, size_t len, char **token, int64_t *expires_in,
                          struct error **err);

#endif
