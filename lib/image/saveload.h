/* saveload.h - save images to, and load them from, tar archives in the two
 * formats podman and docker exchange:
 *
 *   oci      an OCI image layout in a tar (oci-layout, index.json whose
 *            entries name the images with org.opencontainers.image.ref.name,
 *            blobs/sha256/...): blobs are the store's own, byte for byte;
 *   docker   docker's "docker save" format: manifest.json (Config, RepoTags,
 *            Layers), the config as <id>.json, layers as uncompressed tars
 *            <diffid>.tar (decompressed from the store's blobs while written).
 *
 * Archives come from anywhere: load takes only plain names it expects
 * (no "..", no absolute paths, a bounded depth), verifies every digest, and
 * stages entries in the store's tmp/ (removed afterwards, or by the next
 * process if we die).
 */
#ifndef HULL_IMAGE_SAVELOAD_H
#define HULL_IMAGE_SAVELOAD_H

struct error;
struct image_store;

enum image_archive_format
{
  IMAGE_ARCHIVE_OCI,
  IMAGE_ARCHIVE_DOCKER,
};

/* refs: what the user named (names or ids), NULL-terminated. */
int image_save (struct image_store *s, char *const *refs, enum image_archive_format fmt,
                int outfd, struct error **err);

/* *loaded: "name" or "sha256:id" per image loaded (strv). */
int image_load (struct image_store *s, int infd, char ***loaded, struct error **err);

#endif
