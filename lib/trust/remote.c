/* remote.c - signatures in a registry: pushing both formats, and finding
 * the candidates for a digest (what verify.c then checks).
 *
 * Legacy: the tag `sha256-<hex>.sig` names an OCI manifest whose layers are
 * simple-signing payloads, each with its base64 signature in the layer's
 * `dev.cosignproject.cosign/signature` annotation.  Signing again appends a
 * layer (earlier signatures are kept).
 *
 * Bundle: an OCI 1.1 artifact (artifactType and its one layer
 * application/vnd.dev.sigstore.bundle.v0.3+json, the empty config, subject =
 * the signed manifest), pushed by digest; it is found through the referrers
 * API, or, where the registry lacks it (404), through the index tagged
 * `sha256-<hex>` that the signer keeps up to date (the OCI tag schema).
 *
 * Everything read here is hostile: sizes are bounded before anything is
 * fetched, digests are checked, and every shape error becomes a rejection
 * reason for that one candidate rather than an accept.
 */
#include "internal.h"

#include "registry/client.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define EMPTY_JSON "{}"
#define EMPTY_DIGEST "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

/* ---- pushing ---- */

static int
push_bytes (struct registry_client *c, const char *data, size_t len, char **out_digest,
            struct error **err)
{
  _cleanup_free_ char *digest = digest_buffer ("sha256", data, len);
  if (digest == NULL)
    return error_set (err, ENOMEM, "out of memory");
  /* an fd source can be sent again when a request is retried */
  _cleanup_close_ int fd = memfd_create ("hull-trust-blob", MFD_CLOEXEC);
  if (fd < 0)
    return error_errno (err, errno, "memfd_create");
  int w = len ? fs_write_all (fd, data, len) : 0;
  if (w < 0)
    return error_errno (err, -w, "write a blob to memfd");
  struct registry_blob_source src = { .fd = fd };
  int r = registry_push_blob (c, digest, len, NULL, &src, err);
  if (r < 0)
    return r;
  if (out_digest)
    *out_digest = TAKE_PTR (digest);
  return 0;
}

static json_object *
descriptor (const char *mt, const char *digest, size_t size)
{
  json_object *d = json_object_new_object ();
  json_object_object_add (d, "mediaType", json_object_new_string (mt));
  json_object_object_add (d, "digest", json_object_new_string (digest));
  json_object_object_add (d, "size", json_object_new_int64 ((int64_t)size));
  return d;
}

static const char *
compact (json_object *o)
{
  return json_object_to_json_string_ext (o,
                                         JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* "sha256-<hex>" + suffix */
static char *
digest_tag (const char *digest, const char *suffix)
{
  const char *colon = strchr (digest, ':');
  char *t = NULL;
  if (colon == NULL
      || asprintf (&t, "%.*s-%s%s", (int)(colon - digest), digest, colon + 1, suffix) < 0)
    return NULL;
  return t;
}

static int
sign_legacy (struct registry_client *c, const struct trust_key *k, const char *identity,
             const char *digest, char *const *annotations, char **where, struct error **err)
{
  _cleanup_free_ char *tag = digest_tag (digest, ".sig");
  if (tag == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_free_ char *payload = NULL, *b64 = NULL, *pdigest = NULL;
  _cleanup_free_ unsigned char *sig = NULL;
  size_t plen = 0, siglen = 0;
  int r = trust_payload_build (identity, digest, annotations, &payload, &plen, err);
  if (r < 0 || (r = trust_sign_bytes (k, payload, plen, &sig, &siglen, err)) < 0)
    return r;
  if ((b64 = trust_b64_encode (sig, siglen)) == NULL)
    return error_set (err, ENOMEM, "out of memory");

  /* the layers already there stay, in order */
  _cleanup_json_ json_object *layers = json_object_new_array ();
  _cleanup_registry_manifest_ struct registry_manifest *old = NULL;
  struct error *e = NULL;
  r = registry_get_manifest (c, tag, &old, &e);
  if (r == -ENOENT)
    error_free (e);
  else if (r < 0)
    {
      *err = e;
      return error_prefix (err, "existing signatures");
    }
  else
    {
      _cleanup_json_ json_object *o = NULL;
      json_object *ol = NULL;
      if (old->len > TRUST_SIG_MANIFEST_MAX)
        return error_set (err, EFBIG, "existing signatures `%s`: larger than %d bytes", tag,
                          TRUST_SIG_MANIFEST_MAX);
      if ((r = trust_json_parse (old->data, old->len, "existing signature manifest", &o, err)) < 0)
        return r;
      if (!json_object_object_get_ex (o, "layers", &ol)
          || !json_object_is_type (ol, json_type_array))
        return error_set (err, EBADMSG, "existing signatures `%s`: no layers", tag);
      size_t n = json_object_array_length (ol);
      if (n >= TRUST_SIGNATURES_MAX)
        return error_set (err, E2BIG, "`%s` holds %zu signatures already (at most %d)", tag, n,
                          TRUST_SIGNATURES_MAX);
      for (size_t i = 0; i < n; i++)
        json_object_array_add (layers, json_object_get (json_object_array_get_idx (ol, i)));
    }

  if ((r = push_bytes (c, payload, plen, &pdigest, err)) < 0)
    return error_prefix (err, "push the signature payload");
  json_object *layer = descriptor (TRUST_MT_SIMPLESIGNING, pdigest, plen);
  json_object *ann = json_object_new_object ();
  json_object_object_add (ann, TRUST_ANNOTATION_SIGNATURE, json_object_new_string (b64));
  json_object_object_add (layer, "annotations", ann);
  json_object_array_add (layers, layer);

  /* an image config listing the payloads, as cosign writes it */
  _cleanup_json_ json_object *cfg = json_object_new_object ();
  json_object *rootfs = json_object_new_object (), *ids = json_object_new_array ();
  for (size_t i = 0; i < json_object_array_length (layers); i++)
    {
      json_object *d = NULL;
      json_object_object_get_ex (json_object_array_get_idx (layers, i), "digest", &d);
      json_object_array_add (ids, json_object_get (d));
    }
  json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
  json_object_object_add (rootfs, "diff_ids", ids);
  json_object_object_add (cfg, "architecture", json_object_new_string (""));
  json_object_object_add (cfg, "os", json_object_new_string (""));
  json_object_object_add (cfg, "rootfs", rootfs);
  json_object_object_add (cfg, "config", json_object_new_object ());
  const char *cfgs = compact (cfg);
  _cleanup_free_ char *cdigest = NULL;
  if ((r = push_bytes (c, cfgs, strlen (cfgs), &cdigest, err)) < 0)
    return error_prefix (err, "push the signature config");

  _cleanup_json_ json_object *m = json_object_new_object ();
  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType", json_object_new_string (REGISTRY_MT_OCI_MANIFEST));
  json_object_object_add (m, "config", descriptor (MT_OCI_CONFIG, cdigest, strlen (cfgs)));
  json_object_object_add (m, "layers", json_object_get (layers));
  const char *ms = compact (m);
  if ((r = registry_put_manifest (c, tag, REGISTRY_MT_OCI_MANIFEST, ms, strlen (ms), NULL, err))
      < 0)
    return r;
  if (where && (*where = strdup (tag)) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  return 0;
}

static int
sign_bundle (struct registry_client *c, const struct trust_key *k, const char *identity,
             const char *digest, const char *media_type, size_t size, char *const *annotations,
             char **where, struct error **err)
{
  _cleanup_free_ char *bundle = NULL, *bdigest = NULL, *mdigest = NULL;
  size_t blen = 0;
  int r = trust_bundle_build (k, identity, digest, annotations, &bundle, &blen, err);
  if (r < 0)
    return r;
  if ((r = push_bytes (c, EMPTY_JSON, 2, NULL, err)) < 0
      || (r = push_bytes (c, bundle, blen, &bdigest, err)) < 0)
    return error_prefix (err, "push the bundle");
  char created[32];
  time_t now = time (NULL);
  struct tm tm;
  strftime (created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r (&now, &tm));

  _cleanup_json_ json_object *m = json_object_new_object ();
  _cleanup_json_ json_object *ann = json_object_new_object ();
  json_object *layers = json_object_new_array ();
  json_object_array_add (layers, descriptor (TRUST_MT_BUNDLE, bdigest, blen));
  json_object_object_add (ann, "dev.sigstore.bundle.content",
                          json_object_new_string ("dsse-envelope"));
  json_object_object_add (ann, "dev.sigstore.bundle.predicateType",
                          json_object_new_string (TRUST_PREDICATE_TYPE));
  json_object_object_add (ann, "org.opencontainers.image.created",
                          json_object_new_string (created));
  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType", json_object_new_string (REGISTRY_MT_OCI_MANIFEST));
  json_object_object_add (m, "artifactType", json_object_new_string (TRUST_MT_BUNDLE));
  json_object_object_add (m, "config", descriptor (TRUST_MT_EMPTY, EMPTY_DIGEST, 2));
  json_object_object_add (m, "layers", layers);
  json_object_object_add (m, "subject", descriptor (media_type, digest, size));
  json_object_object_add (m, "annotations", json_object_get (ann));
  const char *ms = compact (m);
  size_t mlen = strlen (ms);
  _cleanup_free_ char *md = digest_buffer ("sha256", ms, mlen);
  if (md == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if ((r = registry_put_manifest (c, md, REGISTRY_MT_OCI_MANIFEST, ms, mlen, &mdigest, err)) < 0)
    return r;

  /* A registry with the referrers API indexes the subject itself; without
   * it (404), keep the `sha256-<hex>` index up to date. */
  _cleanup_free_ char *idx = NULL;
  size_t idxlen = 0;
  r = registry_get_referrers (c, digest, NULL, TRUST_SIG_MANIFEST_MAX, &idx, &idxlen, err);
  if (r < 0)
    return r;
  if (r == 0)
    {
      _cleanup_free_ char *tag = digest_tag (digest, "");
      if (tag == NULL)
        return error_set (err, ENOMEM, "out of memory");
      _cleanup_json_ json_object *index = NULL;
      _cleanup_registry_manifest_ struct registry_manifest *old = NULL;
      struct error *e = NULL;
      r = registry_get_manifest (c, tag, &old, &e);
      if (r == -ENOENT)
        {
          error_free (e);
          index = json_object_new_object ();
          json_object_object_add (index, "schemaVersion", json_object_new_int (2));
          json_object_object_add (index, "mediaType",
                                  json_object_new_string (REGISTRY_MT_OCI_INDEX));
          json_object_object_add (index, "manifests", json_object_new_array ());
        }
      else if (r < 0)
        {
          *err = e;
          return error_prefix (err, "referrers tag");
        }
      else
        {
          if (old->len > TRUST_SIG_MANIFEST_MAX)
            return error_set (err, EFBIG, "referrers tag `%s`: larger than %d bytes", tag,
                              TRUST_SIG_MANIFEST_MAX);
          if ((r = trust_json_parse (old->data, old->len, "referrers index", &index, err)) < 0)
            return r;
        }
      json_object *mans = NULL;
      if (!json_object_object_get_ex (index, "manifests", &mans)
          || !json_object_is_type (mans, json_type_array))
        return error_set (err, EBADMSG, "referrers tag `%s`: no manifests", tag);
      if (json_object_array_length (mans) >= TRUST_SIGNATURES_MAX)
        return error_set (err, E2BIG, "referrers tag `%s`: full (%d entries)", tag,
                          TRUST_SIGNATURES_MAX);
      json_object *d = descriptor (REGISTRY_MT_OCI_MANIFEST, mdigest, mlen);
      json_object_object_add (d, "artifactType", json_object_new_string (TRUST_MT_BUNDLE));
      json_object_object_add (d, "annotations", json_object_get (ann));
      json_object_array_add (mans, d);
      const char *is = compact (index);
      if ((r = registry_put_manifest (c, tag, REGISTRY_MT_OCI_INDEX, is, strlen (is), NULL, err))
          < 0)
        return error_prefix (err, "referrers tag");
    }
  if (where)
    *where = TAKE_PTR (mdigest);
  return 0;
}

int
trust_sign_image (struct registry_client *c, const struct trust_key *k, enum trust_format format,
                  const char *identity, const char *digest, const char *media_type, size_t size,
                  char *const *annotations, char **where, struct error **err)
{
  if (!digest_valid (digest) || strncmp (digest, "sha256:", 7) != 0)
    return error_set (err, EINVAL, "invalid sha256 digest `%s`", digest);
  if (format == TRUST_FORMAT_LEGACY)
    return sign_legacy (c, k, identity, digest, annotations, where, err);
  return sign_bundle (c, k, identity, digest, media_type, size, annotations, where, err);
}
