/* client.h - an OCI distribution-spec client (libcurl).
 *
 * One struct registry_client per (registry, repository).  It knows nothing of
 * the image store: manifests come back as bytes, blobs stream through a
 * callback, uploads read from an fd or a callback.
 *
 * Authentication (see docs/design/registry.md): the first request pings
 * /v2/ to learn the scheme (https, or http for insecure registries) and the
 * WWW-Authenticate challenge.  Anonymous, Basic (credentials from
 * registry_options or auth.json) and Bearer (a token fetched from the
 * challenge's realm, with basic credentials when known; "token" or
 * "access_token"; cached per scope until it expires; fetched again on a 401).
 * Credentials are never sent to another host than the registry's own (a
 * redirect elsewhere, e.g. to blob storage, goes without them), nor in clear
 * text to a realm when the registry itself uses TLS.
 *
 * Retries: connection errors, 5xx and 429 are retried with exponential
 * back-off (Retry-After honoured, capped), never 4xx.  A blob download cut in
 * the middle resumes with a Range request from the byte already received.
 *
 * Limits: manifests 4 MiB, token and error bodies 1 MiB / 64 KiB, tag lists
 * 4 MiB per page; blobs are bounded by their descriptor size (a bigger body
 * is aborted as soon as it exceeds it).
 *
 * Threads: after registry_client_new, every function may be called from
 * several threads at once on the same client (each transfer has its own curl
 * easy handle; connections, DNS and TLS sessions are shared through a curl
 * share handle with locks; the token cache has a mutex).  curl_global_init is
 * done once (pthread_once) by registry_client_new; call
 * registry_global_init() from main() before starting threads if other code
 * uses curl too.
 *
 * Errors: one line naming the registry or the object, e.g.
 *   "`127.0.0.1:5000/x:y`: manifest unknown (404)"
 *   "`127.0.0.1:5000`: unauthorized: authentication required (401)"
 *   "blob `sha256:...`: digest mismatch (got sha256:...)"
 * with these codes (returned negated):
 *   ENOENT        manifest, blob, repository or tag unknown (404)
 *   EACCES        unauthorized / denied (401, 403), wrong credentials
 *   EBADMSG       digest mismatch, size mismatch, malformed manifest or reply
 *   EFBIG         larger than allowed
 *   ENOTSUP       schema1 manifest, unsupported media type
 *   ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, ECONNRESET, EIO
 *                 network errors (after retries)
 *   EPROTO        TLS failure (certificate not trusted...), protocol error
 *   ECANCELED     registry_client_cancel, or a callback returned -ECANCELED
 *   other         whatever a write/read callback returned
 */
#ifndef HULL_REGISTRY_CLIENT_H
#define HULL_REGISTRY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct error;
struct reference;
struct registries_conf;
struct registry_client;

#define REGISTRY_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define REGISTRY_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define REGISTRY_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define REGISTRY_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define REGISTRY_MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define REGISTRY_MT_DOCKER_SCHEMA1_SIGNED                                                          \
  "application/vnd.docker.distribution.manifest.v1+prettyjws"

#define REGISTRY_MANIFEST_MAX (4 << 20)
#define REGISTRY_TOKEN_MAX (1 << 20)
#define REGISTRY_ERROR_BODY_MAX (64 << 10)
#define REGISTRY_TAGS_PAGE_MAX (4 << 20)

enum registry_tls
{
  REGISTRY_TLS_DEFAULT = 0, /* from the registries configuration */
  REGISTRY_TLS_VERIFY,      /* https only, verified, even if configured insecure */
  REGISTRY_TLS_NO_VERIFY,   /* --tls-verify=false: http allowed, no verification */
};

struct registry_options
{
  const struct registries_conf *conf; /* NULL: defaults (loopback insecure) */
  const char *authfile;               /* NULL: the auth.json chain (auth.h) */
  /* Explicit credentials (login, --creds); they replace auth.json's. */
  const char *username;
  const char *password;
  enum registry_tls tls;
  const char *cert_dir;   /* podman's --cert-dir: *.crt, *.cert+*.key, instead of certs.d */
  const char *user_agent; /* NULL: "hull/<version>" */
  int max_retries;        /* attempts after the first; 0: default (4); < 0: none */
  unsigned retry_base_ms; /* first back-off; 0: default (200 ms), doubled each time */
  unsigned retry_max_ms;  /* back-off and Retry-After cap; 0: default (10 s) */
  /* Blobs bigger than this are uploaded in PATCH chunks of this size (fd
   * sources only); 0: default (64 MiB). */
  uint64_t upload_chunk_size;
};

/* Optional: curl_global_init once; registry_client_new calls it anyway. */
int registry_global_init (struct error **err);

/* domain: "host[:port]" as in a normalised reference ("docker.io" is mapped to
 * its API host).  path: repository ("library/busybox"), or NULL for a client
 * that only pings / logs in.  No network traffic happens here.  opts is
 * copied (strings duplicated); opts->conf must outlive the client. */
int registry_client_new (const char *domain, const char *path, const struct registry_options *opts,
                         struct registry_client **out, struct error **err);
void registry_client_free (struct registry_client *c);
static inline void
registry_client_freep (struct registry_client **c)
{
  if (*c)
    registry_client_free (*c);
}
#define _cleanup_registry_client_ __attribute__ ((cleanup (registry_client_freep)))

const char *registry_client_domain (const struct registry_client *c);
const char *registry_client_path (const struct registry_client *c);
/* Abort every transfer of this client (from any thread or a signal-safe
 * context: it only sets a flag); later calls fail with -ECANCELED. */
void registry_client_cancel (struct registry_client *c);

/* GET /v2/: the registry is there and speaks the API (auth handled). */
int registry_ping (struct registry_client *c, struct error **err);

/* `hull login`: check that opts->username/password are accepted by domain
 * (GET /v2/ with the Basic or Bearer flow; a registry that requires no auth
 * accepts anything).  -EACCES "`host`: unauthorized: ..." when refused. */
int registry_login_check (const char *domain, const struct registry_options *opts,
                          struct error **err);

/* ---- manifests ---- */

struct registry_manifest
{
  char *data; /* the exact bytes received (NUL-terminated for convenience) */
  size_t len;
  char *media_type; /* one of REGISTRY_MT_* (from the body's mediaType, else
                       Content-Type, else guessed from the content) */
  char *digest;     /* "sha256:..." of data: verified when fetched by digest */
};
void registry_manifest_free (struct registry_manifest *m);
static inline void
registry_manifest_freep (struct registry_manifest **m)
{
  if (*m)
    registry_manifest_free (*m);
}
#define _cleanup_registry_manifest_ __attribute__ ((cleanup (registry_manifest_freep)))

/* ref: a tag or a digest.  Accepts OCI manifest/index and Docker schema2
 * manifest/list; schema1 -> -ENOTSUP "schema1 manifests are not supported:
 * `...`"; a body that is not a JSON object -> -EBADMSG. */
int registry_get_manifest (struct registry_client *c, const char *ref,
                           struct registry_manifest **out, struct error **err);
/* HEAD: 1 and the digest (and media type, size: each may be NULL) when the
 * manifest exists, 0 when it does not (404). */
int registry_head_manifest (struct registry_client *c, const char *ref, char **digest,
                            char **media_type, int64_t *size, struct error **err);
/* PUT; *digest (may be NULL) gets the digest of data (checked against the
 * registry's Docker-Content-Digest when it sends one). */
int registry_put_manifest (struct registry_client *c, const char *ref, const char *media_type,
                           const void *data, size_t len, char **digest, struct error **err);
/* OCI 1.1 referrers API: GET /v2/<path>/referrers/<digest>[?artifactType=].
 * 1 with the index's bytes (at most max, 0: REGISTRY_MANIFEST_MAX) when the
 * registry has the API, 0 when it answers 404 (no API: use the
 * `sha256-<hex>` tag schema instead). */
int registry_get_referrers (struct registry_client *c, const char *digest, const char *artifact_type,
                            size_t max, char **data, size_t *len, struct error **err);
/* All tags (following Link pagination); NULL-terminated strv. */
int registry_list_tags (struct registry_client *c, char ***tags, struct error **err);

/* Pull helper: resolve ref's endpoints (mirrors first, then the registry,
 * see registries.h), and return the client of the first one that has the
 * manifest, with the manifest.  The error of the registry itself is the one
 * reported when all fail. */
int registry_open_manifest (const struct reference *ref, const struct registry_options *opts,
                            struct registry_client **client, struct registry_manifest **manifest,
                            struct error **err);

/* ---- blobs: download ---- */

/* buf holds bytes [offset, offset+len) of the blob.  Offsets are contiguous
 * from the request's start: when a download is resumed after a cut, the next
 * call continues at the offset where the last one stopped (the store keeps
 * what it has).  Bytes are passed on as they arrive, before the digest can
 * be checked: the caller must not make the blob visible until
 * registry_get_blob returns 0.  Return 0, or a negative errno to abort. */
typedef int (*registry_write_fn) (const void *buf, size_t len, uint64_t offset, void *userdata);

struct registry_blob_request
{
  const char *digest; /* "sha256:..." */
  int64_t size;       /* from the descriptor; -1 when unknown */
  uint64_t max_size;  /* bound when size is -1 (0: none) */
  /* Resume from an earlier run: the caller already has bytes [0, start) and
   * they are readable from start_fd (pread from 0) so that they can be
   * hashed.  start_fd is ignored when start is 0. */
  uint64_t start;
  int start_fd;
};

/* Stream the blob to write(), verifying size and digest while it streams.
 * Too many bytes -> -EFBIG as soon as it happens; too few after all retries ->
 * -EBADMSG "blob `d`: truncated (got N of M bytes)"; wrong content -> -EBADMSG
 * "blob `d`: digest mismatch (got sha256:...)". */
int registry_get_blob (struct registry_client *c, const struct registry_blob_request *req,
                       registry_write_fn write, void *userdata, struct error **err);
/* Small blobs (image configs) into memory: at most max bytes. */
int registry_get_blob_mem (struct registry_client *c, const char *digest, int64_t size, size_t max,
                           char **data, size_t *len, struct error **err);
/* HEAD: 1 (and *size, may be NULL) when the blob exists, 0 when not. */
int registry_blob_exists (struct registry_client *c, const char *digest, int64_t *size,
                          struct error **err);

/* ---- blobs: upload ---- */

struct registry_blob_source
{
  /* fd >= 0: read with pread from offset 0 (a failed request can be sent
   * again). Otherwise read() is called in order until it returns 0 (EOF) or
   * a negative errno; such an upload cannot be retried. */
  int fd;
  ssize_t (*read) (void *buf, size_t len, void *userdata);
  void *userdata;
  /* Optional: called as bytes are sent. */
  void (*progress) (uint64_t sent, uint64_t total, void *userdata);
};

/* Cross-repository mount: POST /v2/<path>/blobs/uploads/?mount=<digest>&from=<from>.
 * 1 when mounted, 0 when the registry did not mount it (the caller uploads). */
int registry_mount_blob (struct registry_client *c, const char *digest, const char *from,
                         struct error **err);
/* Upload: POST then one PUT with the body (blobs up to upload_chunk_size,
 * 64 MiB), or PATCH in chunks then PUT (bigger ones, fd sources only).  The registry checks the
 * digest; so do we while sending. */
int registry_upload_blob (struct registry_client *c, const char *digest, uint64_t size,
                          const struct registry_blob_source *src, struct error **err);

enum registry_push_result
{
  REGISTRY_BLOB_EXISTED = 0,
  REGISTRY_BLOB_MOUNTED = 1,
  REGISTRY_BLOB_UPLOADED = 2,
};
/* HEAD, then mount from mount_from (a repository path on the same registry;
 * may be NULL), then upload.  Returns a registry_push_result or -errno. */
int registry_push_blob (struct registry_client *c, const char *digest, uint64_t size,
                        const char *mount_from, const struct registry_blob_source *src,
                        struct error **err);

#endif
