/* challenge.h - WWW-Authenticate header parsing (RFC 7235).
 *
 *   Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"
 *   Basic realm="Registry Realm"
 *
 * A header may carry several challenges separated by commas; parameters are
 * token=token or token=quoted-string (backslash escapes), or a token68.
 * The header comes from the network (untrusted): bounded in size and count,
 * and fuzzed (tests/fuzz/fuzz-www-authenticate.c).
 */
#ifndef HULL_REGISTRY_CHALLENGE_H
#define HULL_REGISTRY_CHALLENGE_H

#include <stddef.h>

struct error;

#define CHALLENGE_HEADER_MAX (16 * 1024)
#define CHALLENGE_MAX 16
#define CHALLENGE_PARAMS_MAX 32

struct auth_param
{
  char *name; /* lowercased */
  char *value;
};

struct auth_challenge
{
  char *scheme;  /* lowercased: "bearer", "basic", ... */
  char *token68; /* or NULL */
  struct auth_param *params;
  size_t n_params;
};

/* Parse one header value; appends to *list / *n (so several headers can be
 * accumulated).  On error the list is left as it was. */
int auth_challenges_parse (const char *header, size_t len, struct auth_challenge **list, size_t *n,
                           struct error **err);
/* Value of a parameter (name compared case-insensitively), or NULL. */
const char *auth_challenge_param (const struct auth_challenge *c, const char *name);
void auth_challenges_free (struct auth_challenge *list, size_t n);

#endif
