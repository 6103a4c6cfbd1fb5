/* digest.h - content digests ("sha256:<hex>") computed with OpenSSL's EVP,
 * incrementally, so that data can be verified while it streams.
 *
 *   _cleanup_digester_ struct digester *d = NULL;
 *   if (digester_new ("sha256", &d, err) < 0) ...
 *   digester_update (d, buf, len);        // as many times as needed
 *   _cleanup_free_ char *got = digester_final (d);   // "sha256:..."
 *
 * Algorithms: sha256 (what every registry uses) and sha512 (allowed by the
 * OCI image spec).  A digest string is valid when it is "<algo>:<hex>" with a
 * known algorithm and exactly the right number of lowercase hex digits: other
 * spellings would make two names for one blob in a content-addressed store.
 */
#ifndef HULL_BASE_DIGEST_H
#define HULL_BASE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

struct error;
struct digester;

/* Longest digest string we produce or accept, NUL included ("sha512:" + 128). */
#define DIGEST_STRING_MAX (7 + 128 + 1)

/* "sha256:<64 lowercase hex>" or "sha512:<128 lowercase hex>". */
bool digest_valid (const char *s);
/* Like digest_valid, with a one-line reason naming s. */
int digest_validate (const char *s, struct error **err);
/* The hex part of a valid digest (pointer into s). */
const char *digest_hex (const char *s);

/* algo: "sha256", "sha512", or a whole digest string whose algorithm is used. */
int digester_new (const char *algo, struct digester **out, struct error **err);
void digester_update (struct digester *d, const void *buf, size_t len);
/* "<algo>:<hex>" (malloc'd, NULL on ENOMEM). The digester can be reset and
 * reused after this. */
char *digester_final (struct digester *d);
/* Start over (drop everything fed so far). */
void digester_reset (struct digester *d);
void digester_free (struct digester *d);
static inline void
digester_freep (struct digester **d)
{
  if (*d)
    digester_free (*d);
}
#define _cleanup_digester_ __attribute__ ((cleanup (digester_freep)))

/* Digest of a buffer in one call; NULL on ENOMEM or an unknown algorithm. */
char *digest_buffer (const char *algo, const void *buf, size_t len);

#endif
