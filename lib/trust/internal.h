/* internal.h - what the files of lib/trust share.  Not for other modules. */
#ifndef HULL_TRUST_INTERNAL_H
#define HULL_TRUST_INTERNAL_H

#include "trust.h"

#include <json-c/json.h>

/* jsonx_parse, then refuse duplicate object keys anywhere in the document
 * (json-c keeps the last one; another reader may keep the first: a signed
 * document must mean one thing).  what: for messages. */
int trust_json_parse (const char *data, size_t len, const char *what, json_object **out,
                      struct error **err);

/* o must be an object whose keys are all in required or optional (NULL
 * terminated, either may be NULL) and which has every required key. */
int trust_json_fields (json_object *o, const char *what, const char *const *required,
                       const char *const *optional, struct error **err);
/* A string member that must be there; *out owned by o. */
int trust_json_string (json_object *o, const char *what, const char *key, const char **out,
                       struct error **err);
/* "K=V" strings -> a JSON object of strings (NULL when annotations is empty). */
int trust_annotations_object (char *const *annotations, json_object **out, struct error **err);
/* Every "K=V" of want is in have ("k=v" list). */
bool trust_annotations_match (char *const *want, char *const *have, char **missing);

/* base64 of SHA-256 of the key's DER SubjectPublicKeyInfo: the bundle's
 * publicKey hint. */
char *trust_key_hint (const struct trust_key *k);

#endif
