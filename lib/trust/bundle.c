/* bundle.c - cosign 3's format: a Sigstore bundle v0.3 whose DSSE envelope
 * carries an in-toto Statement v1:
 *
 *   {"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
 *    "verificationMaterial":{"publicKey":{"hint":"<b64 sha256 of the SPKI>"}},
 *    "dsseEnvelope":{"payload":"<b64 statement>",
 *                    "payloadType":"application/vnd.in-toto+json",
 *                    "signatures":[{"sig":"<b64 DER>","keyid":""}]}}
 *
 *   statement: {"_type":"https://in-toto.io/Statement/v1",
 *               "subject":[{"name":"host/repo","digest":{"sha256":"<hex>"}}],
 *               "predicateType":"https://sigstore.dev/cosign/sign/v1",
 *               "predicate":{} | {"annotations":{...}}}
 *
 * The signature covers DSSE's PAE of (payloadType, payload bytes), so the
 * statement is checked as bytes first and parsed only after.
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUNDLE_MT_ALT "application/vnd.dev.sigstore.bundle+json;version=0.3"

void
trust_bundle_free (struct trust_bundle *b)
{
  if (b == NULL)
    return;
  free (b->payload_type);
  free (b->payload);
  free (b->sig);
  free (b);
}

void
trust_statement_free (struct trust_statement *s)
{
  if (s == NULL)
    return;
  free (s->name);
  free (s->digest);
  strv_free (s->annotations);
  free (s);
}

int
trust_dsse_pae (const char *type, const void *body, size_t len, unsigned char **out, size_t *outlen,
                struct error **err)
{
  _cleanup_free_ char *head = NULL;
  int hl = asprintf (&head, "DSSEv1 %zu %s %zu ", strlen (type), type, len);
  if (hl < 0)
    return error_set (err, ENOMEM, "out of memory");
  unsigned char *buf = malloc ((size_t)hl + len + 1);
  if (buf == NULL)
    return error_set (err, ENOMEM, "out of memory");
  memcpy (buf, head, (size_t)hl);
  memcpy (buf + hl, body, len);
  buf[(size_t)hl + len] = 0;
  *out = buf;
  *outlen = (size_t)hl + len;
  return 0;
}

static const char *
to_json (json_object *o)
{
  return json_object_to_json_string_ext (o,
                                         JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

int
trust_bundle_build (const struct trust_key *k, const char *name, const char *digest,
                    char *const *annotations, char **out, size_t *len, struct error **err)
{
  if (!digest_valid (digest) || strncmp (digest, "sha256:", 7) != 0)
    return error_set (err, EINVAL, "invalid sha256 digest `%s`", digest);
  json_object *ann = NULL;
  int r = trust_annotations_object (annotations, &ann, err);
  if (r < 0)
    return r;
  _cleanup_json_ json_object *st = json_object_new_object ();
  json_object *subj = json_object_new_object (), *dg = json_object_new_object (),
              *pred = json_object_new_object (), *arr = json_object_new_array ();
  json_object_object_add (dg, "sha256", json_object_new_string (digest + 7));
  json_object_object_add (subj, "name", json_object_new_string (name));
  json_object_object_add (subj, "digest", dg);
  json_object_array_add (arr, subj);
  if (ann)
    json_object_object_add (pred, "annotations", ann);
  json_object_object_add (st, "_type", json_object_new_string (TRUST_STATEMENT_TYPE));
  json_object_object_add (st, "subject", arr);
  json_object_object_add (st, "predicateType", json_object_new_string (TRUST_PREDICATE_TYPE));
  json_object_object_add (st, "predicate", pred);
  const char *stmt = to_json (st);
  if (stmt == NULL)
    return error_set (err, ENOMEM, "out of memory");
  size_t stlen = strlen (stmt);
  _cleanup_free_ unsigned char *pae = NULL, *sig = NULL;
  size_t paelen = 0, siglen = 0;
  if ((r = trust_dsse_pae (TRUST_DSSE_TYPE, stmt, stlen, &pae, &paelen, err)) < 0
      || (r = trust_sign_bytes (k, pae, paelen, &sig, &siglen, err)) < 0)
    return r;
  _cleanup_free_ char *bstmt = trust_b64_encode (stmt, stlen);
  _cleanup_free_ char *bsig = trust_b64_encode (sig, siglen);
  _cleanup_free_ char *hint = trust_key_hint (k);
  if (bstmt == NULL || bsig == NULL || hint == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_json_ json_object *b = json_object_new_object ();
  json_object *vm = json_object_new_object (), *pk = json_object_new_object (),
              *env = json_object_new_object (), *sigs = json_object_new_array (),
              *s0 = json_object_new_object ();
  json_object_object_add (pk, "hint", json_object_new_string (hint));
  json_object_object_add (vm, "publicKey", pk);
  json_object_object_add (s0, "sig", json_object_new_string (bsig));
  json_object_object_add (s0, "keyid", json_object_new_string (""));
  json_object_array_add (sigs, s0);
  json_object_object_add (env, "payload", json_object_new_string (bstmt));
  json_object_object_add (env, "payloadType", json_object_new_string (TRUST_DSSE_TYPE));
  json_object_object_add (env, "signatures", sigs);
  json_object_object_add (b, "mediaType", json_object_new_string (TRUST_MT_BUNDLE));
  json_object_object_add (b, "verificationMaterial", vm);
  json_object_object_add (b, "dsseEnvelope", env);
  const char *s = to_json (b);
  if (s == NULL || (*out = strdup (s)) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  *len = strlen (*out);
  return 0;
}

static int
b64_field (json_object *o, const char *what, const char *key, size_t max, unsigned char **out,
           size_t *outlen, struct error **err)
{
  const char *s = NULL;
  int r = trust_json_string (o, what, key, &s, err);
  if (r < 0)
    return r;
  size_t sl = strlen (s);
  if (sl / 4 * 3 > max)
    return error_set (err, EFBIG, "%s: `%s` larger than %zu bytes", what, key, max);
  r = trust_b64_decode (s, sl, out, outlen, err);
  return r < 0 ? error_prefix (err, "%s: `%s`", what, key) : 0;
}

int
trust_bundle_parse (const char *data, size_t len, struct trust_bundle **out, struct error **err)
{
  static const char what[] = "bundle";
  if (len > TRUST_BUNDLE_MAX)
    return error_set (err, EFBIG, "bundle larger than %d bytes", TRUST_BUNDLE_MAX);
  _cleanup_json_ json_object *o = NULL;
  int r = trust_json_parse (data, len, what, &o, err);
  if (r < 0)
    return r;
  static const char *const top_req[] = { "mediaType", "verificationMaterial", NULL };
  static const char *const top_opt[] = { "dsseEnvelope", "messageSignature", NULL };
  static const char *const vm_opt[] = { "publicKey",   "x509CertificateChain",      "certificate",
                                        "tlogEntries", "timestampVerificationData", NULL };
  static const char *const pk_opt[] = { "hint", NULL };
  static const char *const env_req[] = { "payload", "payloadType", "signatures", NULL };
  static const char *const sig_req[] = { "sig", NULL };
  static const char *const sig_opt[] = { "keyid", NULL };
  if ((r = trust_json_fields (o, what, top_req, top_opt, err)) < 0)
    return r;
  const char *mt = NULL;
  if ((r = trust_json_string (o, what, "mediaType", &mt, err)) < 0)
    return r;
  if (strcmp (mt, TRUST_MT_BUNDLE) != 0 && strcmp (mt, BUNDLE_MT_ALT) != 0)
    return error_set (err, ENOTSUP, "bundle: media type `%s` is not a v0.3 bundle", mt);
  json_object *vm = NULL, *env = NULL, *pk = NULL, *sigs = NULL;
  json_object_object_get_ex (o, "verificationMaterial", &vm);
  if ((r = trust_json_fields (vm, "bundle `verificationMaterial`", NULL, vm_opt, err)) < 0)
    return r;
  /* Keyless material is refused, not skipped: hull checks keys only. */
  if (json_object_object_get_ex (vm, "certificate", NULL)
      || json_object_object_get_ex (vm, "x509CertificateChain", NULL))
    return error_set (err, ENOTSUP, "bundle: certificate (keyless) signatures are not supported");
  if (!json_object_object_get_ex (vm, "publicKey", &pk))
    return error_set (err, EBADMSG, "bundle: no `publicKey` verification material");
  if ((r = trust_json_fields (pk, "bundle `publicKey`", NULL, pk_opt, err)) < 0)
    return r;
  if (json_object_object_get_ex (o, "messageSignature", NULL))
    return error_set (err, ENOTSUP, "bundle: message signatures are not supported (want DSSE)");
  if (!json_object_object_get_ex (o, "dsseEnvelope", &env))
    return error_set (err, EBADMSG, "bundle: missing field `dsseEnvelope`");
  if ((r = trust_json_fields (env, "bundle `dsseEnvelope`", env_req, NULL, err)) < 0)
    return r;
  const char *ptype = NULL;
  if ((r = trust_json_string (env, what, "payloadType", &ptype, err)) < 0)
    return r;
  if (strcmp (ptype, TRUST_DSSE_TYPE) != 0)
    return error_set (err, EBADMSG, "bundle: payloadType `%s` is not `%s`", ptype, TRUST_DSSE_TYPE);
  json_object_object_get_ex (env, "signatures", &sigs);
  if (!json_object_is_type (sigs, json_type_array) || json_object_array_length (sigs) != 1)
    return error_set (err, EBADMSG, "bundle: `signatures` must hold exactly one signature");
  json_object *s0 = json_object_array_get_idx (sigs, 0);
  if ((r = trust_json_fields (s0, "bundle signature", sig_req, sig_opt, err)) < 0)
    return r;
  struct trust_bundle *b = calloc (1, sizeof *b);
  if (b == NULL || (b->payload_type = strdup (ptype)) == NULL)
    {
      free (b);
      return error_set (err, ENOMEM, "out of memory");
    }
  r = b64_field (env, "bundle `dsseEnvelope`", "payload", TRUST_PAYLOAD_MAX, &b->payload,
                 &b->payload_len, err);
  if (r == 0)
    r = b64_field (s0, "bundle signature", "sig", 256, &b->sig, &b->siglen, err);
  if (r < 0)
    {
      trust_bundle_free (b);
      return r;
    }
  *out = b;
  return 0;
}

int
trust_statement_parse (const char *data, size_t len, struct trust_statement **out,
                       struct error **err)
{
  static const char what[] = "statement";
  if (len > TRUST_PAYLOAD_MAX)
    return error_set (err, EFBIG, "statement larger than %d bytes", TRUST_PAYLOAD_MAX);
  _cleanup_json_ json_object *o = NULL;
  int r = trust_json_parse (data, len, what, &o, err);
  if (r < 0)
    return r;
  static const char *const req[] = { "_type", "subject", "predicateType", NULL };
  static const char *const opt[] = { "predicate", NULL };
  static const char *const subj_f[] = { "name", "digest", NULL };
  static const char *const dg_f[] = { "sha256", NULL };
  if ((r = trust_json_fields (o, what, req, opt, err)) < 0)
    return r;
  const char *type = NULL, *ptype = NULL, *name = NULL, *hex = NULL;
  if ((r = trust_json_string (o, what, "_type", &type, err)) < 0
      || (r = trust_json_string (o, what, "predicateType", &ptype, err)) < 0)
    return r;
  if (strcmp (type, TRUST_STATEMENT_TYPE) != 0)
    return error_set (err, EBADMSG, "statement: _type `%s` is not `%s`", type,
                      TRUST_STATEMENT_TYPE);
  if (strcmp (ptype, TRUST_PREDICATE_TYPE) != 0)
    return error_set (err, EBADMSG, "statement: predicateType `%s` is not `%s`", ptype,
                      TRUST_PREDICATE_TYPE);
  json_object *subj = NULL, *s0 = NULL, *dg = NULL, *pred = NULL, *ann = NULL;
  json_object_object_get_ex (o, "subject", &subj);
  if (!json_object_is_type (subj, json_type_array) || json_object_array_length (subj) != 1)
    return error_set (err, EBADMSG, "statement: `subject` must hold exactly one subject");
  s0 = json_object_array_get_idx (subj, 0);
  if ((r = trust_json_fields (s0, "statement subject", subj_f, NULL, err)) < 0
      || (r = trust_json_string (s0, "statement subject", "name", &name, err)) < 0)
    return r;
  json_object_object_get_ex (s0, "digest", &dg);
  if ((r = trust_json_fields (dg, "statement subject digest", dg_f, NULL, err)) < 0
      || (r = trust_json_string (dg, "statement subject digest", "sha256", &hex, err)) < 0)
    return r;
  struct trust_statement *st = calloc (1, sizeof *st);
  if (st == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if ((st->name = strdup (name)) == NULL || asprintf (&st->digest, "sha256:%s", hex) < 0)
    {
      st->digest = NULL;
      r = error_set (err, ENOMEM, "out of memory");
    }
  if (r == 0 && !digest_valid (st->digest))
    r = error_set (err, EBADMSG, "statement: invalid subject digest `%s`", hex);
  if (r == 0 && json_object_object_get_ex (o, "predicate", &pred))
    {
      if (!json_object_is_type (pred, json_type_object))
        r = error_set (err, EBADMSG, "statement: `predicate` is not an object");
      else if (json_object_object_get_ex (pred, "annotations", &ann))
        {
          if (!json_object_is_type (ann, json_type_object))
            r = error_set (err, EBADMSG, "statement: `predicate.annotations` is not an object");
          else
            {
              json_object_object_foreach (ann, k, v)
              {
                char *kv = NULL;
                if (!json_object_is_type (v, json_type_string))
                  {
                    r = error_set (err, EBADMSG, "statement: annotation `%s` is not a string", k);
                    break;
                  }
                if (asprintf (&kv, "%s=%s", k, json_object_get_string (v)) < 0
                    || strv_consume (&st->annotations, kv) < 0)
                  {
                    r = error_set (err, ENOMEM, "out of memory");
                    break;
                  }
              }
            }
        }
    }
  if (r < 0)
    {
      trust_statement_free (st);
      return r;
    }
  *out = st;
  return 0;
}
