/* images.h - image metadata records in the store's database.
 *
 * An image is identified by the digest of its config ("sha256:..."), as in
 * docker and podman.  It has an ordered list of layers (diff ids, bottom
 * first), the manifest it came with (a blob), names ("docker.io/library/
 * busybox:latest": normalised references, one image per name) and repo
 * digests ("docker.io/library/busybox@sha256:..." of the manifest or the
 * index it was pulled by).
 */
#ifndef HULL_IMAGE_IMAGES_H
#define HULL_IMAGE_IMAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct image_store;

struct image_info
{
  char *id;
  char *manifest_digest;
  char *manifest_media_type;
  int64_t created; /* from the config (unix seconds, 0 if unknown) */
  int64_t added;   /* when it entered this store */
  uint64_t size;   /* sum of its unpacked layers */
  char *os, *architecture, *variant;
  char **names;        /* strv */
  char **repo_digests; /* strv */
  char **diff_ids;     /* strv, bottom layer first */
};
void image_info_free (struct image_info *i);
static inline void image_info_freep (struct image_info **i)
{
  if (*i)
    image_info_free (*i);
}
#define _cleanup_image_info_ __attribute__ ((cleanup (image_info_freep)))
void image_info_list_free (struct image_info **l);

struct image_add
{
  const char *id;
  const char *manifest_digest;
  const char *manifest_media_type;
  int64_t created;
  const char *os, *architecture, *variant;
  char *const *diff_ids;  /* every one already in the store */
  char *const *blobs;     /* blobs the image holds on to (config, manifest, layers) */
  const char *name;       /* a name to point at it (moved from another image), or NULL */
  const char *repo_digest;/* "repo@sha256:..." or NULL */
};
/* Record an image (or add a name/digest to an existing one), in one
 * transaction. */
int image_store_add_image (struct image_store *s, const struct image_add *a, struct error **err);

struct image_config;
/* The image's config (Env, Entrypoint, Cmd, WorkingDir, User, ExposedPorts,
 * Volumes, StopSignal, Labels, Healthcheck, diff ids, history), read from
 * its blob and verified against the id. */
int image_store_get_config (struct image_store *s, const char *id, struct image_config **out,
                            struct error **err);

/* Exact id; -ENOENT when absent. */
int image_store_get_image (struct image_store *s, const char *id, struct image_info **out,
                           struct error **err);
/* All images, newest first. */
int image_store_list_images (struct image_store *s, struct image_info ***out,
                             struct error **err);

/* Find an image by what a user typed: an id or id prefix (hex, with or
 * without "sha256:"), a name ("busybox", "x:1", normalised as references
 * are) or name@digest.  -ENOENT "image `x` not found"; an ambiguous prefix
 * is -EINVAL. */
int image_store_resolve (struct image_store *s, const char *ref, struct image_info **out,
                         struct error **err);

/* Point name (normalised full reference with a tag) at id. */
int image_store_tag (struct image_store *s, const char *id, const char *name,
                     struct error **err);
/* Remove a name; -ENOENT when it names nothing. */
int image_store_untag (struct image_store *s, const char *name, struct error **err);

/* The engine's veto: return > 0 (and set *err) when a container uses the
 * image.  Called by image_store_remove_image; NULL means none (until the
 * engine registers its check). */
typedef int (*image_in_use_fn) (struct image_store *s, const char *id, void *data,
                                struct error **err);
void image_store_set_in_use_hook (struct image_store *s, image_in_use_fn fn, void *data);

/* Delete the image record and its names (layers and blobs become garbage
 * for image_store_gc if nothing else uses them).  -EBUSY when in use
 * (snapshots made from it, or the hook says so). */
int image_store_remove_image (struct image_store *s, const char *id, struct error **err);

/* Images without names ("dangling"), or all images when all is set, that
 * nothing uses: removed; their ids returned (strv) when ids is not NULL. */
int image_store_prune (struct image_store *s, bool all, char ***ids, struct error **err);

#endif
