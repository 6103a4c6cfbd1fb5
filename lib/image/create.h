/* create.h - making images: import of a rootfs tarball, the common "record
 * an image from its config, manifest and layers" step, and the reverse
 * direction, a directory tree as a tar stream (export).
 *
 * Images made here (import, load of a docker-archive) get their layer blobs
 * gzip-compressed at creation (igzip level 1, in the same pass as the
 * unpack): every image in the store then has a manifest and compressed
 * blobs, so push and save never need to compress.  See images.md.
 */
#ifndef HULL_IMAGE_CREATE_H
#define HULL_IMAGE_CREATE_H

#include <stddef.h>
#include <stdint.h>

struct error;
struct image_store;
struct stream;
struct platform;
struct layer_ingest;

struct image_import_opts
{
  const struct platform *platform; /* NULL: the host */
  const char *name;                /* normalised reference with tag, or NULL */
  char *const *env, *const *cmd, *const *entrypoint;
  const char *workdir;
  const char *message; /* history "created_by" */
};

/* A rootfs tarball (plain, gzip or zstd) -> a one-layer image. */
int image_import (struct image_store *s, struct stream *tar, const struct image_import_opts *o,
                  char **out_id, struct error **err);

/* Record an image whose layers are in the store: stores config (bytes as
 * given: its digest is the image id) and manifest (built when manifest is
 * NULL, from the layers' blobs), then the database record.  layers[i] are
 * the results of image_store_ingest_layer (or existing layers filled alike). */
struct image_record_opts
{
  const char *config;
  size_t config_len;
  const char *manifest; /* exact bytes, or NULL to build an OCI manifest */
  size_t manifest_len;
  const char *manifest_media_type;
  struct layer_ingest *layers;
  size_t nlayers;
  const char *name;        /* or NULL */
  const char *repo_digest; /* or NULL */
};
int image_record (struct image_store *s, const struct image_record_opts *o, char **out_id,
                  struct error **err);

/* The manifest to send for an image (push, save): its own when the store
 * holds every blob it names; else (a layer came with another image, in
 * another compression) a new OCI manifest naming the blobs the store does
 * hold for those layers.  data, len, media_type: malloc'd; m: parsed. */
struct image_info;
struct manifest;
int image_export_manifest (struct image_store *s, const struct image_info *img, char **data,
                           size_t *len, char **media_type, struct manifest **m,
                           struct error **err);

/* Write the tree under dirfd as a pax tar to outfd: numeric owners, modes,
 * mtimes, xattrs, hardlinks, symlinks (never followed), devices, fifos;
 * names sorted, so the same tree gives the same bytes. */
int tar_directory (int dirfd, int outfd, struct error **err);

#endif
