/* json.h - json-c wrapped once into the error convention, with typed getters
 * that name the offending key. Getters return 0 when the key is absent (the
 * output untouched), 1 when present and of the right type, negative on a type
 * error. */
#ifndef HULL_BASE_JSON_H
#define HULL_BASE_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

struct error;

static inline void jsonx_putp (json_object **o)
{
  if (*o)
    json_object_put (*o);
}
#define _cleanup_json_ __attribute__ ((cleanup (jsonx_putp)))

/* Parse a complete document; trailing garbage is an error. */
int jsonx_parse (const char *text, size_t len, json_object **out, struct error **err);
int jsonx_parse_file (const char *path, size_t max, json_object **out, struct error **err);

int jsonx_get_string (json_object *o, const char *key, const char **out, struct error **err);
int jsonx_get_bool (json_object *o, const char *key, bool *out, struct error **err);
int jsonx_get_int64 (json_object *o, const char *key, int64_t *out, struct error **err);
int jsonx_get_uint64 (json_object *o, const char *key, uint64_t *out, struct error **err);
int jsonx_get_object (json_object *o, const char *key, json_object **out, struct error **err);
int jsonx_get_array (json_object *o, const char *key, json_object **out, struct error **err);
/* An array of strings -> NULL-terminated malloc'd vector (strv). */
int jsonx_get_strv (json_object *o, const char *key, char ***out, struct error **err);

/* Serialise compactly (no spaces); the result is owned by o. */
const char *jsonx_compact (json_object *o);

#endif
