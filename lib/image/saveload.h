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

#include <stddef.h>
#include <stdint.h>

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

/* Content trust (see lib/trust): every image the archive holds is shown to
 * the check before anything of any of them is stored (staged files only
 * are on disk, and are removed); < 0 refuses the whole load with *err.
 * Signature manifests in an OCI layout (cosign's legacy `.sig` manifests,
 * as `cosign save` writes them: every layer a simple-signing payload) are
 * not images: they are never loaded, and are handed to the check. */
struct image_load_candidate
{
  enum image_archive_format format;
  const char *name;           /* the name the archive gives the image, as written; NULL: none */
  const char *digest;         /* oci: the manifest digest index.json names; docker: NULL */
  char *const *sig_manifests; /* oci: the signature manifests' exact bytes */
  const size_t *sig_lens;
  char *const *sig_names; /* where each was found, for messages */
  size_t nsigs;           /* the ones given (at most 65; one over 256 KiB: "" and its length) */
  size_t nsigs_total;     /* how many the archive holds */
  /* a blob of the archive by digest, at most max bytes (size: what its
   * descriptor says, checked by the caller) */
  int (*read_blob) (void *ctx, const char *digest, int64_t size, size_t max, char **out,
                    size_t *len, struct error **err);
  void *read_ctx;
};
typedef int (*image_load_check_fn) (void *data, const struct image_load_candidate *c,
                                    struct error **err);
struct image_load_opts
{
  image_load_check_fn check; /* NULL: none */
  void *check_data;
};
int image_load_with (struct image_store *s, int infd, const struct image_load_opts *o,
                     char ***loaded, struct error **err);

#endif
