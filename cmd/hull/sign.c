/* hull sign --key KEY [--format legacy|bundle] [-a K=V]... [--recursive] IMAGE
 *
 * Signs the digest IMAGE resolves to (an index is signed as the index;
 * --recursive also signs each manifest it lists) and pushes the signature
 * to the image's repository. */
#include "hull.h"
#include "trust-cmd.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"
#include "registry/client.h"
#include "registry/reference.h"
#include "registry/registries.h"
#include "trust/trust.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
hull_trust_target_clear (struct hull_trust_target *t)
{
  registry_manifest_free (t->manifest);
  if (t->client)
    registry_client_free (t->client);
  if (t->conf)
    registries_conf_free (t->conf);
  if (t->ref)
    reference_free (t->ref);
  *t = (struct hull_trust_target){ 0 };
}

int
hull_trust_resolve (const char *image, const char *tls, const char *authfile,
                    struct hull_trust_target *t, struct error **err)
{
  int r = registries_conf_load (NULL, &t->conf, err);
  if (r < 0 || (r = reference_parse (image, 0, &t->ref, err)) < 0)
    return r;
  struct registry_options o = { .conf = t->conf, .authfile = authfile };
  if (tls)
    o.tls = strcmp (tls, "false") == 0 ? REGISTRY_TLS_NO_VERIFY : REGISTRY_TLS_VERIFY;
  if ((r = registry_client_new (t->ref->domain, t->ref->path, &o, &t->client, err)) < 0)
    return r;
  return registry_get_manifest (t->client, reference_manifest_ref (t->ref), &t->manifest, err);
}

/* The identity written into the signature: the repository, with the tag
 * when the user named one (what containers' matchRepoDigestOrExact wants). */
static char *
identity_of (const struct reference *ref)
{
  _cleanup_free_ char *name = reference_name (ref);
  char *s = NULL;
  if (name == NULL)
    return NULL;
  if (ref->tag && asprintf (&s, "%s:%s", name, ref->tag) >= 0)
    return s;
  return strdup (name);
}

static int
sign_one (struct hull_trust_target *t, const struct trust_key *k, enum trust_format f,
          const char *identity, const char *digest, const char *mt, size_t size,
          char *const *annotations, struct error **err)
{
  _cleanup_free_ char *where = NULL;
  int r = trust_sign_image (t->client, k, f, identity, digest, mt, size, annotations, &where, err);
  if (r < 0)
    return error_prefix (err, "sign `%s@%s`", identity, digest);
  printf ("Signed %s@%s (%s): %s\n", identity, digest, trust_format_name (f), where);
  return 0;
}

struct sign_opts
{
  const char *key, *format, *tls_verify, *authfile;
  char **annotations;
  bool recursive;
};

static const struct cli_option sign_options[] = {
  CLI_OPT_STRING (0, "key", struct sign_opts, key, "KEY",
                  "private key (cosign encrypted, PKCS#8 or SEC1 PEM); required"),
  CLI_OPT_STRING (0, "format", struct sign_opts, format, "legacy|bundle",
                  "cosign's .sig tag (default) or a Sigstore bundle referrer (OCI 1.1)"),
  CLI_OPT_STRV ('a', "annotations", struct sign_opts, annotations, "KEY=VALUE",
                "add a claim to the signature (repeatable)"),
  CLI_OPT_FLAG (0, "recursive", struct sign_opts, recursive, "also sign each manifest of an index"),
  CLI_OPT_STRING (0, "tls-verify", struct sign_opts, tls_verify, "BOOL",
                  "false: allow plain HTTP and unverified TLS"),
  CLI_OPT_STRING (0, "authfile", struct sign_opts, authfile, "FILE", "the credentials file"),
  { 0 },
};

/* -a KEY=VALUE: the same check for sign and verify. */
static int
check_annotations (const char *verb, char **ann)
{
  for (size_t i = 0; ann && ann[i]; i++)
    if (strchr (ann[i], '=') == NULL || ann[i][0] == '=')
      return hull_usage_error (verb, "invalid annotation `%s`: expected KEY=VALUE", ann[i]);
  return 0;
}

static int
sign_run (void *data, void *opts, int argc, char **argv)
{
  const struct sign_opts *opt = opts;
  const char *keypath = opt->key, *tls = opt->tls_verify, *authfile = opt->authfile;
  enum trust_format f = TRUST_FORMAT_LEGACY;
  bool recursive = opt->recursive;
  char **ann = opt->annotations;
  (void)data, (void)argc;
  if (opt->format == NULL || strcmp (opt->format, "legacy") == 0)
    f = TRUST_FORMAT_LEGACY;
  else if (strcmp (opt->format, "bundle") == 0)
    f = TRUST_FORMAT_BUNDLE;
  else
    return hull_usage_error ("sign", "invalid --format `%s` (legacy, bundle)", opt->format);
  int rc = check_annotations ("sign", ann);
  if (rc)
    return rc;
  if (keypath == NULL)
    return hull_usage_error ("sign", "--key is required (keyless signing is not supported)");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_trust_key_ struct trust_key *k = NULL;
  if (hull_trust_load_private (keypath, &k, &err) < 0)
    return hull_report (&err);
  struct hull_trust_target t = { 0 };
  int r = hull_trust_resolve (argv[0], tls, authfile, &t, &err);
  _cleanup_free_ char *identity = r == 0 ? identity_of (t.ref) : NULL;
  if (r == 0 && identity == NULL)
    r = error_set (&err, ENOMEM, "out of memory");
  if (r == 0)
    r = sign_one (&t, k, f, identity, t.manifest->digest, t.manifest->media_type, t.manifest->len,
                  ann, &err);
  if (r == 0 && recursive
      && (strcmp (t.manifest->media_type, REGISTRY_MT_OCI_INDEX) == 0
          || strcmp (t.manifest->media_type, REGISTRY_MT_DOCKER_LIST) == 0))
    {
      _cleanup_json_ json_object *o = NULL;
      json_object *mans = NULL;
      if ((r = jsonx_parse (t.manifest->data, t.manifest->len, &o, &err)) == 0
          && (!json_object_object_get_ex (o, "manifests", &mans)
              || !json_object_is_type (mans, json_type_array)))
        r = error_set (&err, EBADMSG, "index `%s` lists no manifests", argv[0]);
      for (size_t i = 0; r == 0 && i < json_object_array_length (mans); i++)
        {
          json_object *d = json_object_array_get_idx (mans, i), *v = NULL;
          const char *dg = NULL, *mt = REGISTRY_MT_OCI_MANIFEST;
          int64_t size = 0;
          if (jsonx_get_string (d, "digest", &dg, &err) < 0
              || jsonx_get_string (d, "mediaType", &mt, &err) < 0
              || jsonx_get_int64 (d, "size", &size, &err) < 0)
            r = -EBADMSG;
          else if (dg == NULL || !json_object_object_get_ex (d, "size", &v) || size < 0)
            r = error_set (&err, EBADMSG, "index `%s`: manifest %zu has no digest or size", argv[0],
                           i);
          else
            r = sign_one (&t, k, f, identity, dg, mt, (size_t)size, ann, &err);
        }
    }
  hull_trust_target_clear (&t);
  if (r < 0)
    return hull_report (&err);
  return 0;
}

const struct cli_command hull_cmd_sign = {
  .name = "sign",
  .summary = "Sign an image in its registry",
  .args = "IMAGE",
  .description = "Sign the manifest IMAGE resolves to and push the signature to its repository.",
  .options = sign_options,
  .opts_size = sizeof (struct sign_opts),
  .min_args = 1,
  .max_args = 1,
  .run = sign_run,
};
