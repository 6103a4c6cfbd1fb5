/* Unit tests of lib/trust: keys, base64, payloads, bundles. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "tap.h"
#include "trust/trust.h"

#include <errno.h>
#include <openssl/ecdsa.h>
#include <stdlib.h>
#include <string.h>

static const char digest[]
    = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static void
test_b64 (void)
{
  _cleanup_free_ char *e = trust_b64_encode ("hello", 5);
  CHECK_STR (e, "aGVsbG8=");
  unsigned char *d = NULL;
  size_t n = 0;
  struct error *err = NULL;
  CHECK_INT (trust_b64_decode ("aGVsbG8=", 8, &d, &n, &err), ==, 0);
  CHECK_INT (n, ==, 5);
  CHECK (d && memcmp (d, "hello", 5) == 0);
  free (d);
  /* non-canonical trailing bits, missing padding, whitespace, bad characters */
  static const char *const bad[]
      = { "aGVsbG9=", "aGVsbG8", "aGVs bG8=", "aGVsbG8*", "a===", "=aGV" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      d = NULL;
      CHECK_INT (trust_b64_decode (bad[i], strlen (bad[i]), &d, &n, &err), ==, -EBADMSG);
      CHECK (d == NULL);
      error_free (err);
      err = NULL;
    }
}

static void
test_key_roundtrip (void)
{
  struct error *err = NULL;
  _cleanup_trust_key_ struct trust_key *k = NULL, *k2 = NULL, *pub = NULL, *other = NULL;
  REQUIRE (trust_key_generate (&k, &err) == 0);
  _cleanup_free_ char *priv = NULL, *pubpem = NULL;
  REQUIRE (trust_key_export_private (k, "s3cret", &priv, &err) == 0);
  REQUIRE (trust_key_export_public (k, &pubpem, &err) == 0);
  CHECK (strstr (priv, "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n") == priv);
  CHECK (strstr (pubpem, "-----BEGIN PUBLIC KEY-----") == pubpem);
  CHECK (trust_key_is_encrypted (priv, strlen (priv)));

  /* no password: the caller is told to ask for one; a wrong one fails */
  CHECK_INT (trust_key_load_private (priv, strlen (priv), NULL, "k", &k2, &err), ==, -EACCES);
  CHECK (err && strstr (err->msg, "needs a password"));
  error_free (err);
  err = NULL;
  CHECK_INT (trust_key_load_private (priv, strlen (priv), "wrong", "k", &k2, &err), ==, -EACCES);
  CHECK (err && strstr (err->msg, "wrong password"));
  error_free (err);
  err = NULL;
  REQUIRE (trust_key_load_private (priv, strlen (priv), "s3cret", "k", &k2, &err) == 0);
  REQUIRE (trust_key_load_public (pubpem, strlen (pubpem), "k.pub", &pub, &err) == 0);

  /* what the reloaded private key signs, the public key verifies */
  unsigned char *sig = NULL;
  size_t siglen = 0;
  REQUIRE (trust_sign_bytes (k2, "payload", 7, &sig, &siglen, &err) == 0);
  CHECK_INT (trust_verify_bytes (pub, "payload", 7, sig, siglen, &err), ==, 0);
  CHECK_INT (trust_verify_bytes (pub, "payloaD", 7, sig, siglen, &err), ==, -EPERM);
  CHECK (err && strstr (err->msg, "does not verify with `k.pub`"));
  error_free (err);
  err = NULL;
  REQUIRE (trust_key_generate (&other, &err) == 0);
  CHECK_INT (trust_verify_bytes (other, "payload", 7, sig, siglen, &err), ==, -EPERM);
  error_free (err);
  err = NULL;

  /* the same signature as raw r||s (P1363) is refused as not DER */
  const unsigned char *q = sig;
  ECDSA_SIG *es = d2i_ECDSA_SIG (NULL, &q, (long)siglen);
  REQUIRE (es != NULL);
  unsigned char raw[64];
  BN_bn2binpad (ECDSA_SIG_get0_r (es), raw, 32);
  BN_bn2binpad (ECDSA_SIG_get0_s (es), raw + 32, 32);
  ECDSA_SIG_free (es);
  CHECK_INT (trust_verify_bytes (pub, "payload", 7, raw, 64, &err), ==, -EBADMSG);
  CHECK (err && strstr (err->msg, "not DER-encoded") && strstr (err->msg, "r||s"));
  error_free (err);
  err = NULL;
  /* DER with trailing garbage is not canonical either */
  unsigned char *longer = malloc (siglen + 1);
  memcpy (longer, sig, siglen);
  longer[siglen] = 0;
  CHECK_INT (trust_verify_bytes (pub, "payload", 7, longer, siglen + 1, &err), ==, -EBADMSG);
  error_free (err);
  err = NULL;
  free (longer);
  free (sig);
}

static void
test_key_formats (void)
{
  struct error *err = NULL;
  _cleanup_trust_key_ struct trust_key *k = NULL;
  /* an unencrypted SEC1 key, and a key that is not P-256 */
  static const char sec1[] = "-----BEGIN EC PRIVATE KEY-----\n"
                             "MHcCAQEEICrQR98Gt7ZqPreTWXqpY8xeu+0HnKmdzCh5fV6ZAYA4oAoGCCqGSM49\n"
                             "AwEHoUQDQgAENWtXWzPqGaap50czczscDubIJiLTkC3O8LUN6slOFGqEednTz8p/\n"
                             "tRLLzNCz4FOQvTBt9p+41voI20TduPOv/w==\n"
                             "-----END EC PRIVATE KEY-----\n";
  int r = trust_key_load_private (sec1, strlen (sec1), NULL, "sec1", &k, &err);
  if (r < 0)
    printf ("# %s\n", err->msg);
  CHECK_INT (r, ==, 0);
  error_free (err);
  err = NULL;
  CHECK_INT (trust_key_load_private ("garbage", 7, NULL, "g", &k, &err), ==, -EBADMSG);
  CHECK (err && strstr (err->msg, "`g`"));
  error_free (err);
  err = NULL;
  /* a tampered envelope: unknown field */
  static const char tamper[] = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
                               "eyJrZGYiOnt9LCJ4Ijp7fX0=\n" /* {"kdf":{},"x":{}} */
                               "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
  CHECK_INT (trust_key_load_private (tamper, strlen (tamper), "", "t", &k, &err), ==, -EBADMSG);
  CHECK (err && strstr (err->msg, "unknown field `x`"));
  error_free (err);
}

static void
test_payload (void)
{
  struct error *err = NULL;
  char *ann[] = { "a=b", "x=y=z", NULL };
  _cleanup_free_ char *p = NULL;
  size_t len = 0;
  REQUIRE (trust_payload_build ("127.0.0.1:5000/x:1", digest, ann, &p, &len, &err) == 0);
  CHECK_STR (p, "{\"critical\":{\"identity\":{\"docker-reference\":\"127.0.0.1:5000/x:1\"},"
                "\"image\":{\"docker-manifest-digest\":\"sha256:0123456789abcdef0123456789abcdef"
                "0123456789abcdef0123456789abcdef\"},\"type\":\"cosign container image "
                "signature\"},\"optional\":{\"a\":\"b\",\"x\":\"y=z\"}}");
  struct trust_payload *pl = NULL;
  REQUIRE (trust_payload_parse (p, len, &pl, &err) == 0);
  CHECK_STR (pl->docker_reference, "127.0.0.1:5000/x:1");
  CHECK_STR (pl->digest, digest);
  CHECK (strv_contains (pl->optional, "x=y=z"));
  trust_payload_free (pl);

  _cleanup_free_ char *p0 = NULL;
  REQUIRE (trust_payload_build ("r", digest, NULL, &p0, &len, &err) == 0);
  CHECK (strstr (p0, "\"optional\":null}") != NULL);

  static const char *const bad[] = {
    /* capitalised, extra, missing fields; wrong type; duplicate keys; not JSON */
    "{\"Critical\":{},\"optional\":null}",
    "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-"
    "digest\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},"
    "\"type\":\"cosign container image signature\",\"extra\":1},\"optional\":null}",
    "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-"
    "digest\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},"
    "\"type\":\"Cosign container image signature\"},\"optional\":null}",
    "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-"
    "digest\":\"sha256:0123\"},\"type\":\"cosign container image signature\"},\"optional\":null}",
    "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-"
    "digest\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},"
    "\"type\":\"cosign container image signature\"},\"optional\":null,\"optional\":{}}",
    "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-"
    "digest\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
    "\"docker-manifest-\\u0064igest\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcd"
    "ef0123456789abcdee\"},\"type\":\"cosign container image signature\"},\"optional\":null}",
    "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"}}",
    /* lenient JSON that other readers refuse: trailing comma, comment */
    "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-"
    "digest\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},"
    "\"type\":\"cosign container image signature\"},\"optional\":null,}",
    "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-"
    "digest\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},"
    "\"type\":\"cosign container image signature\"},/* c */\"optional\":null}",
    "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{},\"type\":\"cosign "
    "container image signature\"}}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      pl = NULL;
      int r = trust_payload_parse (bad[i], strlen (bad[i]), &pl, &err);
      if (r == 0)
        printf ("#   accepted bad payload %zu\n", i);
      CHECK_INT (r, <, 0);
      CHECK (pl == NULL);
      CHECK (err && strchr (err->msg, '\n') == NULL);
      error_free (err);
      err = NULL;
    }
}

static void
test_bundle (void)
{
  struct error *err = NULL;
  _cleanup_trust_key_ struct trust_key *k = NULL;
  REQUIRE (trust_key_generate (&k, &err) == 0);
  char *ann[] = { "team=a", NULL };
  _cleanup_free_ char *b = NULL;
  size_t len = 0;
  REQUIRE (trust_bundle_build (k, "127.0.0.1:5000/x", digest, ann, &b, &len, &err) == 0);
  struct trust_bundle *tb = NULL;
  REQUIRE (trust_bundle_parse (b, len, &tb, &err) == 0);
  CHECK_STR (tb->payload_type, "application/vnd.in-toto+json");
  unsigned char *pae = NULL;
  size_t paelen = 0;
  REQUIRE (trust_dsse_pae (tb->payload_type, tb->payload, tb->payload_len, &pae, &paelen, &err)
           == 0);
  CHECK (memcmp (pae, "DSSEv1 28 application/vnd.in-toto+json ", 39) == 0);
  CHECK_INT (trust_verify_bytes (k, pae, paelen, tb->sig, tb->siglen, &err), ==, 0);
  /* the statement alone (without PAE) is not what was signed */
  CHECK_INT (trust_verify_bytes (k, tb->payload, tb->payload_len, tb->sig, tb->siglen, &err), ==,
             -EPERM);
  error_free (err);
  err = NULL;
  struct trust_statement *st = NULL;
  REQUIRE (trust_statement_parse ((char *)tb->payload, tb->payload_len, &st, &err) == 0);
  CHECK_STR (st->name, "127.0.0.1:5000/x");
  CHECK_STR (st->digest, digest);
  CHECK (strv_contains (st->annotations, "team=a"));
  trust_statement_free (st);
  free (pae);
  trust_bundle_free (tb);

  static const char *const bad_st[] = {
    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"x\",\"digest\":{"
    "\"sha256\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}}],"
    "\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{}}",
    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],"
    "\"predicateType\":\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}",
    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"Subject\":[],"
    "\"predicateType\":\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}",
    "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"subject\":[{\"name\":\"x\",\"digest\":{"
    "\"sha256\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}}],"
    "\"predicateType\":\"https://sigstore.dev/cosign/sign/v1\",\"predicate\":{}}",
  };
  for (size_t i = 0; i < sizeof bad_st / sizeof bad_st[0]; i++)
    {
      st = NULL;
      CHECK_INT (trust_statement_parse (bad_st[i], strlen (bad_st[i]), &st, &err), <, 0);
      CHECK (st == NULL);
      error_free (err);
      err = NULL;
    }
  static const char *const bad_b[] = {
    "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.1+json\","
    "\"verificationMaterial\":{\"publicKey\":{}},\"dsseEnvelope\":{}}",
    "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
    "\"verificationMaterial\":{\"certificate\":{}},\"dsseEnvelope\":{}}",
    "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
    "\"verificationMaterial\":{\"publicKey\":{}},\"dsseEnvelope\":{\"payload\":\"e30=\","
    "\"payloadType\":\"application/json\",\"signatures\":[{\"sig\":\"AA==\"}]}}",
    "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
    "\"verificationMaterial\":{\"publicKey\":{}},\"dsseEnvelope\":{\"payload\":\"e30=\","
    "\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[]}}",
  };
  for (size_t i = 0; i < sizeof bad_b / sizeof bad_b[0]; i++)
    {
      tb = NULL;
      CHECK_INT (trust_bundle_parse (bad_b[i], strlen (bad_b[i]), &tb, &err), <, 0);
      CHECK (tb == NULL);
      error_free (err);
      err = NULL;
    }
}

int
main (void)
{
  RUN (test_b64);
  RUN (test_key_roundtrip);
  RUN (test_key_formats);
  RUN (test_payload);
  RUN (test_bundle);
  return tap_done ();
}
