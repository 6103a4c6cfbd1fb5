/* internal.h - helpers shared by the config.json parser files (config.c,
 * mount.c, process.c).  Not installed, not for other modules.
 *
 * Every getter takes the dotted path of the enclosing object (`ctx`, "" at the
 * top) so that an error names the full key: "`linux.namespaces[2].type` must
 * be a string, not int".  Getters return 0 when the key is absent (or JSON
 * null: the spec's Go bindings treat both alike), 1 when present and valid,
 * and a negative errno with *err set otherwise.
 */
#ifndef HULL_OCI_INTERNAL_H
#define HULL_OCI_INTERNAL_H

#include "oci/config.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

struct error;

/* Longest key path used in messages; longer ones are truncated, which only
 * shortens a message. */
#define OCI_KEY_MAX 192

/* "ctx.key", or "key" when ctx is empty. */
const char *oci_key (char buf[OCI_KEY_MAX], const char *ctx, const char *key);
/* "ctx.key[i]" */
const char *oci_key_idx (char buf[OCI_KEY_MAX], const char *ctx, const char *key,
                         size_t i);

/* Present and of the JSON type `want` (json_type_int for all integers). */
int oci_get_typed (json_object *o, const char *ctx, const char *key, json_type want,
                   json_object **v, struct error **err);
/* Value v (already looked up) must be a string without NUL bytes; what is the
 * full key path for the message. */
int oci_as_string (json_object *v, const char *what, const char **out, struct error **err);

int oci_get_string (json_object *o, const char *ctx, const char *key, const char **out,
                    struct error **err);
/* Like oci_get_string, with a malloc'd copy (*out freed first). */
int oci_get_strdup (json_object *o, const char *ctx, const char *key, char **out,
                    struct error **err);
int oci_get_bool (json_object *o, const char *ctx, const char *key, bool *out,
                  struct error **err);
/* Integers, range-checked: [min, max]. */
int oci_get_int64 (json_object *o, const char *ctx, const char *key, int64_t min,
                   int64_t max, int64_t *out, struct error **err);
int oci_get_uint64 (json_object *o, const char *ctx, const char *key, uint64_t max,
                    uint64_t *out, struct error **err);
int oci_as_int64 (json_object *v, const char *what, int64_t min, int64_t max, int64_t *out,
                  struct error **err);
int oci_as_uint64 (json_object *v, const char *what, uint64_t max, uint64_t *out,
                   struct error **err);
int oci_get_object (json_object *o, const char *ctx, const char *key, json_object **out,
                    struct error **err);
int oci_get_array (json_object *o, const char *ctx, const char *key, json_object **out,
                   struct error **err);
/* An array of strings -> NULL-terminated vector (*out freed first). */
int oci_get_strv (json_object *o, const char *ctx, const char *key, char ***out,
                  struct error **err);

/* "`ctx.key` is required"; returns -EINVAL. */
int oci_missing (const char *ctx, const char *key, struct error **err);

/* "linux.uidMappings"-style arrays of {containerID, hostID, size}. */
int oci_parse_id_mappings (json_object *o, const char *ctx, const char *key,
                           struct oci_id_mapping **out, size_t *n, struct error **err);

/* An environment entry: "NAME=value" with a non-empty NAME. */
bool oci_env_valid (const char *s);

/* Escape control characters in (*err)->msg and cap its length: applied to
 * every error leaving the parser, whose messages quote the document. */
void oci_error_sanitize (struct error **err);

/* The parsers of the parts, each in its own file. */
int oci_mounts_parse (json_object *root, struct oci_config *c, struct error **err);
void oci_mount_clear (struct oci_mount *m);
/* The i-th mount option name this parser recognises (NULL past the end);
 * for the features document. */
const char *oci_mount_option_name (size_t i);
int oci_process_parse_at (json_object *o, const char *ctx, struct oci_process *out,
                          struct error **err);

#endif
