/* manifest.h - OCI and Docker manifests, indexes and image configs.
 *
 * Parsed from untrusted bytes (a registry, an archive): sizes are bounded,
 * every digest is validated, unknown media types of layers are refused,
 * Docker schema1 is refused with a clear message.  Fuzzed by
 * tests/fuzz/fuzz-manifest.c.
 */
#ifndef HULL_IMAGE_MANIFEST_H
#define HULL_IMAGE_MANIFEST_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

#define MANIFEST_MAX_SIZE (4u << 20)
#define CONFIG_MAX_SIZE (8u << 20)
#define MANIFEST_MAX_LAYERS 500 /* overlayfs stacks at most 500 lower layers */
#define INDEX_MAX_MANIFESTS 1024

struct platform
{
  char *os, *architecture, *variant;
};
void platform_clear (struct platform *p);
/* "linux/arm64/v8", "linux/amd64", "arm64" (os linux). */
int platform_parse (const char *s, struct platform *out, struct error **err);
/* This machine's platform in OCI spelling (amd64, arm64/v8...). */
int platform_host (struct platform *out);
/* "os/arch[/variant]" (malloc'd). */
char *platform_string (const struct platform *p);

struct descriptor
{
  char *media_type;
  char *digest;
  int64_t size;
  struct platform platform; /* index entries */
  bool has_platform;
};

enum manifest_kind
{
  MANIFEST_IMAGE,
  MANIFEST_INDEX,
};

struct manifest
{
  enum manifest_kind kind;
  char *media_type;
  struct descriptor config;    /* image */
  struct descriptor *layers;   /* image */
  size_t nlayers;
  struct descriptor *manifests; /* index */
  size_t nmanifests;
};

/* media_type: what the transport said (Content-Type, descriptor), may be
 * NULL; the document's own mediaType wins when both are present and they
 * agree, a conflict is an error. */
int manifest_parse (const char *data, size_t len, const char *media_type, struct manifest **out,
                    struct error **err);
void manifest_free (struct manifest *m);
static inline void manifest_freep (struct manifest **m)
{
  if (*m)
    manifest_free (*m);
}
#define _cleanup_manifest_ __attribute__ ((cleanup (manifest_freep)))

/* Choose the entry of an index for want (NULL: the host).  An arm64 entry
 * without variant matches v8; a want without variant takes the first entry of
 * its os/arch.  -ENOENT "no image for platform `x` in ... (has: a, b)". */
int manifest_select_platform (const struct manifest *index, const struct platform *want,
                              const struct descriptor **out, struct error **err);

struct history_entry
{
  int64_t created;
  char *created_by, *author, *comment;
  bool empty_layer;
};

struct image_config
{
  json_object *doc; /* the whole document, for inspect */
  char *architecture, *os, *variant, *author;
  int64_t created; /* unix seconds, 0 when missing */
  /* config{} */
  char **env, **entrypoint, **cmd;
  char *working_dir, *user, *stop_signal;
  char **exposed_ports, **volumes; /* keys ("80/tcp", "/data") */
  char **labels;                   /* "key=value" */
  char **healthcheck_test;
  int64_t healthcheck_interval, healthcheck_timeout, healthcheck_start_period; /* ns */
  int healthcheck_retries;
  char **diff_ids;
  struct history_entry *history;
  size_t nhistory;
};
int image_config_parse (const char *data, size_t len, struct image_config **out,
                        struct error **err);
void image_config_free (struct image_config *c);
static inline void image_config_freep (struct image_config **c)
{
  if (*c)
    image_config_free (*c);
}
#define _cleanup_image_config_ __attribute__ ((cleanup (image_config_freep)))

/* RFC 3339 -> unix seconds; -EINVAL when not a date. */
int parse_rfc3339 (const char *s, int64_t *out);
/* unix seconds -> "2024-01-02T03:04:05Z" (buf >= 32). */
void format_rfc3339 (int64_t t, char *buf, size_t cap);

/* Build a new config (import): JSON text, malloc'd. */
char *image_config_build (const struct platform *p, int64_t created, char *const *diff_ids,
                          const char *created_by, char *const *changes_env,
                          char *const *cmd, char *const *entrypoint, const char *workdir);
/* Build an OCI image manifest: JSON text, malloc'd. */
char *manifest_build (const char *config_digest, int64_t config_size,
                      const struct descriptor *layers, size_t nlayers);

#endif
