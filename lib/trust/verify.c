/* verify.c - find an image's signatures in both formats and verify them.
 *
 * Order matters, per candidate: (1) bound the sizes and fetch by digest;
 * (2) check the signature over the exact bytes that were signed (the
 * legacy payload blob; DSSE's PAE of the statement); (3) only then parse
 * those bytes, strictly; (4) the signed digest must equal the digest the
 * caller resolved (a signature for another image replayed here fails);
 * (5) required annotations; (6) the caller's identity rule.  A failure at
 * any step rejects that candidate with a reason; nothing is skipped.
 */
#include "internal.h"

#include "registry/client.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx
{
  struct registry_client *c;
  /* where payload blobs come from: the registry, or an archive */
  trust_blob_fn blob;
  void *blob_data;
  const char *digest;
  const struct trust_verify_opts *o;
  struct trust_result *res;
};

void
trust_result_free (struct trust_result *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->nok; i++)
    {
      free (r->ok[i].identity);
      free (r->ok[i].payload);
      free (r->ok[i].key);
      free (r->ok[i].source);
    }
  free (r->ok);
  for (size_t i = 0; r->rejected && r->rejected[i]; i++)
    free (r->rejected[i]);
  free (r->rejected);
  free (r);
}

char *
trust_result_reason (const struct trust_result *r)
{
  char *s = NULL;
  if (r->nfound == 0 && (r->rejected == NULL || r->rejected[0] == NULL))
    return strdup ("no signature found");
  size_t n = strv_len (r->rejected);
  if (n == 0)
    return strdup ("no valid signature");
  /* one line: the first reason, and how many more there are */
  if (n == 1)
    {
      if (asprintf (&s, "no valid signature: %s", r->rejected[0]) < 0)
        return NULL;
    }
  else if (asprintf (&s, "no valid signature: %s (and %zu more rejected)", r->rejected[0], n - 1)
           < 0)
    return NULL;
  return s;
}

static void
reject (struct ctx *x, const char *source, struct error *e)
{
  char *s = NULL;
  if (asprintf (&s, "%s: %s", source, e ? e->msg : "rejected") >= 0)
    strv_consume (&x->res->rejected, s);
  error_free (e);
}

static void
rejectf (struct ctx *x, const char *source, const char *msg)
{
  struct error *e = NULL;
  error_set (&e, EPERM, "%s", msg);
  reject (x, source, e);
}

/* A signature that verified with the key but failed a later check says
 * more than the ones that are not by this key: its reason goes first. */
static void
reject_verified (struct ctx *x, const char *source, struct error *e)
{
  reject (x, source, e);
  size_t n = strv_len (x->res->rejected);
  if (n <= x->res->nverified_rejects)
    return; /* out of memory: nothing was added */
  char *last = x->res->rejected[n - 1];
  memmove (x->res->rejected + x->res->nverified_rejects + 1,
           x->res->rejected + x->res->nverified_rejects,
           (n - 1 - x->res->nverified_rejects) * sizeof (char *));
  x->res->rejected[x->res->nverified_rejects] = last;
  x->res->nverified_rejects++;
}

static void
rejectf_verified (struct ctx *x, const char *source, const char *msg)
{
  struct error *e = NULL;
  error_set (&e, EPERM, "%s", msg);
  reject_verified (x, source, e);
}

static bool
done (struct ctx *x)
{
  return x->o->stop_at_first && x->res->nok > 0;
}

/* Steps 2-6 for the exact signed bytes `signed_bytes` (what the key
 * signed) and the document they carry (`doc`: the payload / statement). */
static void
check_candidate (struct ctx *x, enum trust_format f, const char *source,
                 const unsigned char *signed_bytes, size_t signed_len, const char *doc,
                 size_t doclen, const unsigned char *sig, size_t siglen)
{
  struct error *e = NULL;
  const struct trust_key *key = NULL;
  for (size_t i = 0; i < x->o->nkeys && key == NULL; i++)
    {
      error_free (e);
      e = NULL;
      if (trust_verify_bytes (x->o->keys[i], signed_bytes, signed_len, sig, siglen, &e) == 0)
        key = x->o->keys[i];
    }
  if (key == NULL)
    {
      reject (x, source, e);
      return;
    }
  error_free (e);
  e = NULL;
  _cleanup_free_ char *identity = NULL, *signed_digest = NULL;
  _cleanup_strv_ char **annotations = NULL;
  if (f == TRUST_FORMAT_LEGACY)
    {
      struct trust_payload *p = NULL;
      if (trust_payload_parse (doc, doclen, &p, &e) < 0)
        return reject_verified (x, source, e);
      identity = TAKE_PTR (p->docker_reference);
      signed_digest = TAKE_PTR (p->digest);
      annotations = TAKE_PTR (p->optional);
      trust_payload_free (p);
    }
  else
    {
      struct trust_statement *s = NULL;
      if (trust_statement_parse (doc, doclen, &s, &e) < 0)
        return reject_verified (x, source, e);
      identity = TAKE_PTR (s->name);
      signed_digest = TAKE_PTR (s->digest);
      annotations = TAKE_PTR (s->annotations);
      trust_statement_free (s);
    }
  char msg[512];
  if (strcmp (signed_digest, x->digest) != 0)
    {
      snprintf (msg, sizeof msg, "signed digest %s is not the image's %s", signed_digest,
                x->digest);
      return rejectf_verified (x, source, msg);
    }
  char *missing = NULL;
  if (!trust_annotations_match (x->o->annotations, annotations, &missing))
    {
      snprintf (msg, sizeof msg, "annotation `%s` not in the signature", missing);
      return rejectf_verified (x, source, msg);
    }
  _cleanup_free_ char *why = NULL;
  if (x->o->identity && !x->o->identity (identity, x->o->identity_data, &why))
    {
      snprintf (msg, sizeof msg, "signed identity `%s` %s", identity, why ? why : "does not match");
      return rejectf_verified (x, source, msg);
    }
  struct trust_verified *nv = realloc (x->res->ok, (x->res->nok + 1) * sizeof *nv);
  if (nv == NULL)
    return rejectf (x, source, "out of memory");
  x->res->ok = nv;
  struct trust_verified *v = &nv[x->res->nok];
  *v = (struct trust_verified){ .format = f,
                                .identity = TAKE_PTR (identity),
                                .payload = strndup (doc, doclen),
                                .payload_len = doclen,
                                .key = strdup (trust_key_name (key)),
                                .source = strdup (source) };
  x->res->nok++;
}

/* A descriptor's digest and size, bounded. */
static int
desc_get (json_object *d, const char *what, const char **digest, int64_t *size, size_t max,
          struct error **err)
{
  json_object *v = NULL;
  if (!json_object_is_type (d, json_type_object))
    return error_set (err, EBADMSG, "%s: not an object", what);
  if (!json_object_object_get_ex (d, "digest", &v) || !json_object_is_type (v, json_type_string)
      || !digest_valid (json_object_get_string (v)))
    return error_set (err, EBADMSG, "%s: no valid digest", what);
  *digest = json_object_get_string (v);
  if (!json_object_object_get_ex (d, "size", &v) || !json_object_is_type (v, json_type_int))
    return error_set (err, EBADMSG, "%s: no size", what);
  *size = json_object_get_int64 (v);
  if (*size < 0 || (uint64_t)*size > max)
    return error_set (err, EFBIG, "%s: size %lld out of range (at most %zu)", what,
                      (long long)*size, max);
  return 0;
}

static const char *
str_member (json_object *o, const char *k)
{
  json_object *v = NULL;
  if (!json_object_object_get_ex (o, k, &v) || !json_object_is_type (v, json_type_string))
    return NULL;
  return json_object_get_string (v);
}

static int
registry_blob (void *c, const char *digest, int64_t size, size_t max, char **data, size_t *len,
               struct error **err)
{
  return registry_get_blob_mem (c, digest, size, max, data, len, err);
}

static int
get_blob (struct ctx *x, const char *digest, int64_t size, size_t max, char **data, size_t *len,
          struct error **err)
{
  int r = x->blob (x->blob_data, digest, size, max, data, len, err);
  if (r < 0)
    return r;
  /* the client checks the digest as it streams; a second look is cheap */
  _cleanup_free_ char *got = digest_buffer (digest, *data, *len);
  if (got == NULL || strcmp (got, digest) != 0 || (int64_t)*len != size)
    {
      free (*data);
      *data = NULL;
      return error_set (err, EBADMSG, "blob `%s`: digest or size mismatch", digest);
    }
  return 0;
}

static void legacy_layers (struct ctx *x, const char *tag, const char *data, size_t len);

static int
legacy (struct ctx *x, struct error **err)
{
  const char *colon = strchr (x->digest, ':');
  _cleanup_free_ char *tag = NULL;
  if (asprintf (&tag, "%.*s-%s.sig", (int)(colon - x->digest), x->digest, colon + 1) < 0)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_registry_manifest_ struct registry_manifest *m = NULL;
  struct error *e = NULL;
  int r = registry_get_manifest (x->c, tag, &m, &e);
  if (r == -ENOENT)
    {
      error_free (e);
      return 0;
    }
  if (r == -EACCES || r == -ECONNREFUSED || r == -ETIMEDOUT || r == -EHOSTUNREACH
      || r == -ECONNRESET || r == -EPROTO || r == -ECANCELED)
    {
      *err = e;
      return r;
    }
  x->res->nfound++;
  if (r < 0)
    {
      reject (x, tag, e);
      return 0;
    }
  legacy_layers (x, tag, m->data, m->len);
  return 0;
}

/* The layers of one .sig manifest (data: its bytes, as found). */
static void
legacy_layers (struct ctx *x, const char *tag, const char *data, size_t len)
{
  struct error *e = NULL;
  if (len > TRUST_SIG_MANIFEST_MAX)
    {
      char msg[128];
      snprintf (msg, sizeof msg, "manifest of %zu bytes is larger than %d", len,
                TRUST_SIG_MANIFEST_MAX);
      rejectf (x, tag, msg);
      return;
    }
  _cleanup_json_ json_object *o = NULL;
  json_object *layers = NULL;
  if (trust_json_parse (data, len, "signature manifest", &o, &e) < 0)
    {
      reject (x, tag, e);
      return;
    }
  if (!json_object_object_get_ex (o, "layers", &layers)
      || !json_object_is_type (layers, json_type_array))
    {
      rejectf (x, tag, "signature manifest has no layers");
      return;
    }
  size_t n = json_object_array_length (layers);
  if (n > TRUST_SIGNATURES_MAX)
    {
      char msg[128];
      snprintf (msg, sizeof msg, "%zu signatures, more than %d", n, TRUST_SIGNATURES_MAX);
      rejectf (x, tag, msg);
      return;
    }
  x->res->nfound += n ? n - 1 : 0;
  for (size_t i = 0; i < n && !done (x); i++)
    {
      char source[160];
      snprintf (source, sizeof source, "%s layer %zu", tag, i + 1);
      json_object *l = json_object_array_get_idx (layers, i), *ann = NULL;
      const char *pd = NULL, *mt = str_member (l, "mediaType"), *b64 = NULL;
      int64_t size = 0;
      if (desc_get (l, "layer", &pd, &size, TRUST_PAYLOAD_MAX, &e) < 0)
        {
          reject (x, source, e);
          e = NULL;
          continue;
        }
      if (mt == NULL || strcmp (mt, TRUST_MT_SIMPLESIGNING) != 0)
        {
          rejectf (x, source, "not a simple-signing layer");
          continue;
        }
      if (!json_object_object_get_ex (l, "annotations", &ann)
          || (b64 = str_member (ann, TRUST_ANNOTATION_SIGNATURE)) == NULL)
        {
          rejectf (x, source, "no " TRUST_ANNOTATION_SIGNATURE " annotation");
          continue;
        }
      _cleanup_free_ unsigned char *sig = NULL;
      size_t siglen = 0;
      if (strlen (b64) > 1024 || trust_b64_decode (b64, strlen (b64), &sig, &siglen, &e) < 0)
        {
          if (e == NULL)
            error_set (&e, EFBIG, "signature annotation too long");
          reject (x, source, e);
          e = NULL;
          continue;
        }
      _cleanup_free_ char *payload = NULL;
      size_t plen = 0;
      if (get_blob (x, pd, size, TRUST_PAYLOAD_MAX, &payload, &plen, &e) < 0)
        {
          reject (x, source, e);
          e = NULL;
          continue;
        }
      check_candidate (x, TRUST_FORMAT_LEGACY, source, (unsigned char *)payload, plen, payload,
                       plen, sig, siglen);
    }
  return;
}

static void
one_bundle (struct ctx *x, const char *mdigest, int64_t msize)
{
  char source[160];
  snprintf (source, sizeof source, "bundle %s", mdigest);
  struct error *e = NULL;
  _cleanup_registry_manifest_ struct registry_manifest *m = NULL;
  if (msize > TRUST_SIG_MANIFEST_MAX)
    return rejectf (x, source, "manifest too large");
  if (registry_get_manifest (x->c, mdigest, &m, &e) < 0)
    return reject (x, source, e);
  if (m->len > TRUST_SIG_MANIFEST_MAX)
    return rejectf (x, source, "manifest too large");
  _cleanup_json_ json_object *o = NULL;
  if (trust_json_parse (m->data, m->len, "bundle manifest", &o, &e) < 0)
    return reject (x, source, e);
  json_object *subj = NULL, *layers = NULL;
  const char *sd = NULL, *bd = NULL;
  int64_t ssize = 0, bsize = 0;
  if (!json_object_object_get_ex (o, "subject", &subj))
    return rejectf (x, source, "no subject");
  if (desc_get (subj, "subject", &sd, &ssize, REGISTRY_MANIFEST_MAX, &e) < 0)
    return reject (x, source, e);
  if (strcmp (sd, x->digest) != 0)
    {
      char msg[256];
      snprintf (msg, sizeof msg, "subject %s is not the image's %s", sd, x->digest);
      return rejectf (x, source, msg);
    }
  if (!json_object_object_get_ex (o, "layers", &layers)
      || !json_object_is_type (layers, json_type_array) || json_object_array_length (layers) != 1)
    return rejectf (x, source, "a bundle manifest has exactly one layer");
  json_object *l = json_object_array_get_idx (layers, 0);
  const char *mt = str_member (l, "mediaType");
  if (mt == NULL || strcmp (mt, TRUST_MT_BUNDLE) != 0)
    return rejectf (x, source, "layer is not a v0.3 bundle");
  if (desc_get (l, "bundle layer", &bd, &bsize, TRUST_BUNDLE_MAX, &e) < 0)
    return reject (x, source, e);
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  if (get_blob (x, bd, bsize, TRUST_BUNDLE_MAX, &data, &len, &e) < 0)
    return reject (x, source, e);
  struct trust_bundle *b = NULL;
  if (trust_bundle_parse (data, len, &b, &e) < 0)
    return reject (x, source, e);
  _cleanup_free_ unsigned char *pae = NULL;
  size_t paelen = 0;
  if (trust_dsse_pae (b->payload_type, b->payload, b->payload_len, &pae, &paelen, &e) < 0)
    {
      trust_bundle_free (b);
      return reject (x, source, e);
    }
  check_candidate (x, TRUST_FORMAT_BUNDLE, source, pae, paelen, (const char *)b->payload,
                   b->payload_len, b->sig, b->siglen);
  trust_bundle_free (b);
}

static int
bundles (struct ctx *x, struct error **err)
{
  _cleanup_free_ char *idx = NULL;
  size_t len = 0;
  struct error *e = NULL;
  int r = registry_get_referrers (x->c, x->digest, TRUST_MT_BUNDLE, TRUST_SIG_MANIFEST_MAX, &idx,
                                  &len, &e);
  const char *source = "referrers";
  _cleanup_free_ char *tag = NULL;
  if (r == 0)
    {
      /* no referrers API: the tag schema */
      const char *colon = strchr (x->digest, ':');
      if (asprintf (&tag, "%.*s-%s", (int)(colon - x->digest), x->digest, colon + 1) < 0)
        return error_set (err, ENOMEM, "out of memory");
      source = tag;
      struct registry_manifest *m = NULL;
      r = registry_get_manifest (x->c, tag, &m, &e);
      if (r == -ENOENT)
        {
          error_free (e);
          return 0;
        }
      if (r >= 0)
        {
          idx = TAKE_PTR (m->data);
          len = m->len;
          registry_manifest_free (m);
        }
    }
  if (r == -EACCES || r == -ECONNREFUSED || r == -ETIMEDOUT || r == -ECANCELED)
    {
      *err = e;
      return r;
    }
  if (r < 0)
    {
      x->res->nfound++;
      reject (x, source, e);
      return 0;
    }
  _cleanup_json_ json_object *o = NULL;
  json_object *mans = NULL;
  if (len > TRUST_SIG_MANIFEST_MAX)
    {
      x->res->nfound++;
      rejectf (x, source, "referrers index too large");
      return 0;
    }
  if (trust_json_parse (idx, len, "referrers index", &o, &e) < 0)
    {
      x->res->nfound++;
      reject (x, source, e);
      return 0;
    }
  if (!json_object_object_get_ex (o, "manifests", &mans)
      || !json_object_is_type (mans, json_type_array))
    {
      x->res->nfound++;
      rejectf (x, source, "referrers index has no manifests");
      return 0;
    }
  size_t n = json_object_array_length (mans), seen = 0;
  for (size_t i = 0; i < n && !done (x); i++)
    {
      json_object *d = json_object_array_get_idx (mans, i);
      const char *at = str_member (d, "artifactType");
      if (at == NULL || strcmp (at, TRUST_MT_BUNDLE) != 0)
        continue; /* other referrers (SBOMs, attestations...) */
      x->res->nfound++;
      if (++seen > TRUST_SIGNATURES_MAX)
        {
          rejectf (x, source, "too many bundles");
          break;
        }
      const char *md = NULL;
      int64_t size = 0;
      if (desc_get (d, "referrer", &md, &size, TRUST_SIG_MANIFEST_MAX, &e) < 0)
        {
          reject (x, source, e);
          e = NULL;
          continue;
        }
      one_bundle (x, md, size);
    }
  return 0;
}

int
trust_verify_image (struct registry_client *c, const char *digest,
                    const struct trust_verify_opts *o, struct trust_result **out,
                    struct error **err)
{
  if (!digest_valid (digest) || strncmp (digest, "sha256:", 7) != 0)
    return error_set (err, EINVAL, "invalid sha256 digest `%s`", digest);
  if (o->nkeys == 0)
    return error_set (err, EINVAL, "no public key to verify with");
  struct trust_result *res = calloc (1, sizeof *res);
  if (res == NULL)
    return error_set (err, ENOMEM, "out of memory");
  struct ctx x
      = { .c = c, .blob = registry_blob, .blob_data = c, .digest = digest, .o = o, .res = res };
  int r = legacy (&x, err);
  if (r == 0 && !done (&x))
    r = bundles (&x, err);
  if (r < 0)
    {
      trust_result_free (res);
      return r;
    }
  *out = res;
  return 0;
}

int
trust_verify_archive (const struct trust_archive_sigs *s, const char *digest,
                      const struct trust_verify_opts *o, struct trust_result **out,
                      struct error **err)
{
  if (!digest_valid (digest) || strncmp (digest, "sha256:", 7) != 0)
    return error_set (err, EINVAL, "invalid sha256 digest `%s`", digest);
  if (o->nkeys == 0)
    return error_set (err, EINVAL, "no public key to verify with");
  struct trust_result *res = calloc (1, sizeof *res);
  if (res == NULL)
    return error_set (err, ENOMEM, "out of memory");
  struct ctx x
      = { .blob = s->blob, .blob_data = s->blob_data, .digest = digest, .o = o, .res = res };
  /* As for a registry's .sig manifest with too many layers: an archive
   * with more signature manifests than are looked at is refused, not
   * partly read. */
  size_t total = s->total > s->n ? s->total : s->n;
  if (total > TRUST_SIGNATURES_MAX)
    {
      char msg[128];
      snprintf (msg, sizeof msg, "%zu signature manifests, more than %d", total,
                TRUST_SIGNATURES_MAX);
      res->nfound = total;
      rejectf (&x, "archive", msg);
    }
  /* Every signature manifest of the archive is a candidate: nothing but
   * the payload's signed digest (checked after the signature) binds one to
   * this image, exactly as for the registry's .sig tag. */
  for (size_t i = 0; total <= TRUST_SIGNATURES_MAX && i < s->n && !done (&x); i++)
    {
      res->nfound++;
      legacy_layers (&x, s->names[i], s->manifests[i], s->lens[i]);
    }
  *out = res;
  return 0;
}
