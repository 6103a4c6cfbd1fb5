/* transfer.h - pull and push between the store and a registry.
 *
 * Pull: resolve the reference (short names through the search registries),
 * fetch the manifest (an index: choose the platform), the config, then
 * every layer the store lacks - up to `parallel` at once, each streamed
 * from the network straight through blob file + digests + decompression +
 * unpack, no second pass - and record the image in one transaction.
 *
 * Push: for each blob of the image, a HEAD (the registry has it), else a
 * cross-repository mount from a repository of the same registry the image
 * came from, else an upload from the store's compressed blob; then the
 * config and the manifest.
 */
#ifndef HULL_IMAGE_TRANSFER_H
#define HULL_IMAGE_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct image_store;
struct platform;
struct registry_options;

/* Progress, called from worker threads (the callee serialises). */
struct transfer_progress
{
  /* idx: layer index; total: bytes expected (-1 unknown); state below */
  void (*layer) (void *data, size_t idx, size_t count, const char *digest, int64_t total,
                 int state);
  void (*bytes) (void *data, size_t idx, uint64_t done);
  void (*message) (void *data, const char *msg);
  void *data;
};

enum transfer_state
{
  TRANSFER_WAITING,
  TRANSFER_RUNNING,
  TRANSFER_EXISTS,  /* already in the store / the registry */
  TRANSFER_MOUNTED, /* push: mounted from another repository */
  TRANSFER_DONE,
  TRANSFER_FAILED,
};

/* Content trust (see lib/trust): called with the manifest the reference
 * resolved to (its digest and the client of the repository it came from),
 * before anything else is fetched.  Everything pulled after it is named by
 * those manifest bytes (platform manifest, config, layers by digest), so
 * what was checked is what is stored.  < 0 refuses the pull with *err. */
struct reference;
struct registry_client;
typedef int (*image_pull_check_fn) (void *data, const struct reference *ref, const char *digest,
                                    struct registry_client *client, struct error **err);

struct image_pull_opts
{
  const struct platform *platform;      /* NULL: the host */
  const struct registry_options *registry; /* NULL: defaults */
  int parallel;                          /* layers at once; <= 0: 3 */
  const struct transfer_progress *progress;
  image_pull_check_fn check; /* NULL: none */
  void *check_data;
};

/* *out_id: the image id; *out_name: the normalised reference pulled. */
int image_pull (struct image_store *s, const char *ref, const struct image_pull_opts *o,
                char **out_id, char **out_name, struct error **err);

struct image_push_opts
{
  const struct registry_options *registry;
  int parallel;
  const struct transfer_progress *progress;
};

/* Push the local image `src` to `dest` (NULL: src's own name).  *out_digest
 * (may be NULL): the manifest digest in the registry. */
int image_push (struct image_store *s, const char *src, const char *dest,
                const struct image_push_opts *o, char **out_digest, struct error **err);

#endif
