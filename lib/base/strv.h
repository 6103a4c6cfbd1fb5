/* strv.h - NULL-terminated string vectors and small string/number helpers. */
#ifndef HULL_BASE_STRV_H
#define HULL_BASE_STRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void strv_free (char **v);
static inline void strv_freep (char ***v) { strv_free (*v); }
#define _cleanup_strv_ __attribute__ ((cleanup (strv_freep)))
size_t strv_len (char *const *v);
/* Append a copy of s; returns 0 or -ENOMEM. *v may be NULL. */
int strv_push (char ***v, const char *s);
/* Append s itself (takes ownership, frees it on failure). */
int strv_consume (char ***v, char *s);
char **strv_dup (char *const *v);
bool strv_contains (char *const *v, const char *s);

bool str_has_prefix (const char *s, const char *prefix);
bool str_has_suffix (const char *s, const char *suffix);

/* Strict decimal parsing: whole string, no sign surprises, range-checked.
 * Return 0 or -EINVAL / -ERANGE. */
int parse_int64 (const char *s, int64_t *out);
int parse_uint64 (const char *s, uint64_t *out);
int parse_int (const char *s, int *out);
/* "512m", "1g", "100k", "123" (bytes) -> bytes; as docker's --memory. */
int parse_size (const char *s, int64_t *out);

#endif
