/* util.h - helpers shared by the image verbs of hull. */
#ifndef HULL_CMD_UTIL_H
#define HULL_CMD_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct error;
struct hull_ctx;
struct image_store;

int hull_open_store (struct hull_ctx *ctx, struct image_store **out, struct error **err);
/* "busybox" -> "docker.io/library/busybox:latest"; refuses digests. */
int hull_normalize_tag (const char *s, char **out, struct error **err);
/* "docker.io/library/busybox:latest" -> "busybox", "latest" (malloc'd). */
void hull_split_familiar (const char *full, char **repo, char **tag);
/* docker's units: "4.26MB", "512B" (decimal, 3 significant digits). */
void hull_human_size (uint64_t n, char *buf, size_t cap);
/* "2 weeks ago", "About an hour ago", "N/A". */
void hull_human_since (int64_t t, char *buf, size_t cap);
/* "sha256:0123456789ab..." -> "0123456789ab" (12 hex) */
const char *hull_short_id (const char *id, char buf[13]);

#endif
