/* trust-cmd.h - what key.c, sign.c, verify.c and the pull/run policy hook
 * share (lib/trust's command side). */
#ifndef HULL_CMD_TRUST_CMD_H
#define HULL_CMD_TRUST_CMD_H

#include <stdbool.h>

struct error;
struct engine;
struct image_pull_opts;
struct image_load_opts;
struct trust_key;

/* The key password: $HULL_PASSWORD, else $COSIGN_PASSWORD, else a prompt on
 * the terminal (confirm: ask twice).  *out is malloc'd. */
int hull_trust_password (const char *prompt, bool confirm, char **out, struct error **err);
/* A private key file (encrypted keys ask for the password). */
int hull_trust_load_private (const char *path, struct trust_key **out, struct error **err);

/* An image reference resolved once: its repository's client and the
 * manifest's bytes and digest (what is signed / verified). */
struct registry_client;
struct registry_manifest;
struct reference;
struct registries_conf;
struct hull_trust_target
{
  struct reference *ref;
  struct registries_conf *conf;
  struct registry_client *client;
  struct registry_manifest *manifest;
};
void hull_trust_target_clear (struct hull_trust_target *t);
/* tls: "true", "false" or NULL (the configuration's) */
int hull_trust_resolve (const char *image, const char *tls, const char *authfile,
                        struct hull_trust_target *t, struct error **err);

/* Policy enforcement: load the policy (path NULL: the default file) and
 * make o / the engine call trust_policy_check on every pull. */
int hull_trust_pull_opts (const char *policy_path, struct image_pull_opts *o, struct error **err);
/* The same for load: archive is the file read (NULL: stdin). */
int hull_trust_load_opts (const char *policy_path, const char *archive, struct image_load_opts *o,
                          struct error **err);
#ifdef HULL_HAVE_ENGINE_TRUST
int hull_trust_engine (struct engine *e, const char *policy_path, struct error **err);
#endif

#endif
