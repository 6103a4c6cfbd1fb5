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

/* The registry flags of pull and push (--tls-verify, --authfile, --creds,
 * --cert-dir), for an options struct T with a member F of this type. */
struct hull_registry_flags
{
  const char *tls_verify, *authfile, *creds, *cert_dir;
};
#define HULL_REGISTRY_OPTIONS(T, F)                                                                \
  CLI_OPT_STRING (0, "tls-verify", T, F.tls_verify, "BOOL",                                        \
                  "false: allow plain HTTP and unverified TLS"),                                   \
      CLI_OPT_STRING (0, "authfile", T, F.authfile, "FILE", "the credentials file"),               \
      CLI_OPT_STRING (0, "creds", T, F.creds, "USER:PASS", "credentials for this command"),        \
      CLI_OPT_STRING (0, "cert-dir", T, F.cert_dir, "DIR",                                         \
                      "CA and client certificates for the registry")
struct registry_options;
/* Fill *ro from f (*user keeps the --creds copy ro points into); 0 or a
 * usage error's exit status. */
int hull_registry_flags_apply (const char *verb, const struct hull_registry_flags *f,
                               struct registry_options *ro, char **user);

#endif
