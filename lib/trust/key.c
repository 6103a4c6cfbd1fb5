/* key.c - P-256 keys in cosign's formats, signing and verifying bytes.
 *
 * cosign's encrypted private key is a JSON envelope, base64'd between
 * "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----" lines:
 *   {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"<b64 32>"},
 *    "cipher":{"name":"nacl/secretbox","nonce":"<b64 24>"},
 *    "ciphertext":"<b64: secretbox(PKCS#8 DER, nonce, scrypt(password, salt))>"}
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARMOUR_BEGIN "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"
#define ARMOUR_END "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----"
/* cosign 1.x wrote the same envelope under another label */
#define ARMOUR_BEGIN_OLD "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----"
#define ARMOUR_END_OLD "-----END ENCRYPTED COSIGN PRIVATE KEY-----"

/* cosign's parameters (scrypt's "interactive" recommendation) */
#define SCRYPT_N 32768
#define SCRYPT_R 8
#define SCRYPT_P 1
/* A key file is hostile until decrypted: bound the work it can ask for
 * (N * r * 128 bytes of memory, N * r * p time). */
#define SCRYPT_N_MAX (1u << 20)
#define SCRYPT_R_MAX 32
#define SCRYPT_P_MAX 16
#define SCRYPT_MAXMEM ((uint64_t)1 << 30)

struct trust_key
{
  EVP_PKEY *pkey;
  char *name;
};

void
trust_key_free (struct trust_key *k)
{
  if (k == NULL)
    return;
  EVP_PKEY_free (k->pkey);
  free (k->name);
  free (k);
}

const char *
trust_key_name (const struct trust_key *k)
{
  return k->name ? k->name : "key";
}

static int
ossl_error (struct error **err, int code, const char *what)
{
  char buf[256] = "";
  unsigned long e = ERR_get_error ();
  if (e)
    ERR_error_string_n (e, buf, sizeof buf);
  ERR_clear_error ();
  return error_set (err, code, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

/* Only ECDSA P-256: what cosign generates and what the formats name. */
static int
check_p256 (EVP_PKEY *pkey, const char *name, struct error **err)
{
  char group[64] = "";
  size_t gl = 0;
  if (!EVP_PKEY_is_a (pkey, "EC")
      || !EVP_PKEY_get_utf8_string_param (pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                          &gl)
      || strcmp (group, "prime256v1") != 0)
    return error_set (err, ENOTSUP, "key `%s`: not an ECDSA P-256 key", name);
  return 0;
}

static int
key_new (EVP_PKEY *pkey, const char *name, struct trust_key **out, struct error **err)
{
  struct trust_key *k = calloc (1, sizeof *k);
  if (k == NULL || (k->name = strdup (name ? name : "key")) == NULL)
    {
      free (k);
      EVP_PKEY_free (pkey);
      return error_set (err, ENOMEM, "out of memory");
    }
  k->pkey = pkey;
  *out = k;
  return 0;
}

int
trust_key_generate (struct trust_key **out, struct error **err)
{
  EVP_PKEY *pkey = EVP_EC_gen ("P-256");
  if (pkey == NULL)
    return ossl_error (err, EIO, "generate a P-256 key");
  return key_new (pkey, "new key", out, err);
}

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_ok;

static void
sodium_init_once (void)
{
  sodium_ok = sodium_init () >= 0;
}

static int
sodium_ready (struct error **err)
{
  pthread_once (&sodium_once, sodium_init_once);
  return sodium_ok ? 0 : error_set (err, EIO, "libsodium failed to initialise");
}

static int
derive (const char *password, const unsigned char *salt, size_t saltlen, uint64_t n, uint64_t r,
        uint64_t p, unsigned char key[crypto_secretbox_KEYBYTES], struct error **err)
{
  if (EVP_PBE_scrypt (password, strlen (password), salt, saltlen, n, r, p, SCRYPT_MAXMEM, key,
                      crypto_secretbox_KEYBYTES)
      != 1)
    return ossl_error (err, EIO, "scrypt");
  return 0;
}

static char *
armour (const char *begin, const char *end, const void *data, size_t len)
{
  _cleanup_free_ char *b = trust_b64_encode (data, len);
  if (b == NULL)
    return NULL;
  size_t bl = strlen (b);
  size_t cap = strlen (begin) + strlen (end) + bl + bl / 64 + 8;
  char *out = malloc (cap);
  if (out == NULL)
    return NULL;
  char *o = out;
  o += sprintf (o, "%s\n", begin);
  for (size_t i = 0; i < bl; i += 64)
    {
      size_t n = bl - i < 64 ? bl - i : 64;
      memcpy (o, b + i, n);
      o += n;
      *o++ = '\n';
    }
  sprintf (o, "%s\n", end);
  return out;
}

int
trust_key_export_private (const struct trust_key *k, const char *password, char **out,
                          struct error **err)
{
  if (sodium_ready (err) < 0)
    return -EIO;
  /* PKCS#8 DER: what cosign encrypts */
  PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8 (k->pkey);
  if (p8 == NULL)
    return ossl_error (err, EIO, "encode the private key");
  unsigned char *der = NULL;
  int dl = i2d_PKCS8_PRIV_KEY_INFO (p8, &der);
  PKCS8_PRIV_KEY_INFO_free (p8);
  if (dl <= 0)
    return ossl_error (err, EIO, "encode the private key");
  unsigned char salt[32], nonce[crypto_secretbox_NONCEBYTES], key[crypto_secretbox_KEYBYTES];
  randombytes_buf (salt, sizeof salt);
  randombytes_buf (nonce, sizeof nonce);
  int r = derive (password ? password : "", salt, sizeof salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, key,
                  err);
  _cleanup_free_ unsigned char *ct = NULL;
  size_t ctlen = crypto_secretbox_MACBYTES + (size_t)dl;
  if (r == 0 && (ct = malloc (ctlen)) == NULL)
    r = error_set (err, ENOMEM, "out of memory");
  if (r == 0)
    crypto_secretbox_easy (ct, der, (unsigned long long)dl, nonce, key);
  OPENSSL_clear_free (der, (size_t)dl);
  sodium_memzero (key, sizeof key);
  if (r < 0)
    return r;
  _cleanup_free_ char *bsalt = trust_b64_encode (salt, sizeof salt);
  _cleanup_free_ char *bnonce = trust_b64_encode (nonce, sizeof nonce);
  _cleanup_free_ char *bct = trust_b64_encode (ct, ctlen);
  _cleanup_free_ char *json = NULL;
  if (bsalt == NULL || bnonce == NULL || bct == NULL
      || asprintf (&json,
                   "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":%d,\"r\":%d,\"p\":%d},"
                   "\"salt\":\"%s\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"%s\"},"
                   "\"ciphertext\":\"%s\"}",
                   SCRYPT_N, SCRYPT_R, SCRYPT_P, bsalt, bnonce, bct)
             < 0)
    return error_set (err, ENOMEM, "out of memory");
  *out = armour (ARMOUR_BEGIN, ARMOUR_END, json, strlen (json));
  return *out ? 0 : error_set (err, ENOMEM, "out of memory");
}

int
trust_key_export_public (const struct trust_key *k, char **out, struct error **err)
{
  BIO *b = BIO_new (BIO_s_mem ());
  if (b == NULL || !PEM_write_bio_PUBKEY (b, k->pkey))
    {
      BIO_free (b);
      return ossl_error (err, EIO, "encode the public key");
    }
  char *p = NULL;
  long n = BIO_get_mem_data (b, &p);
  *out = strndup (p, (size_t)n);
  BIO_free (b);
  return *out ? 0 : error_set (err, ENOMEM, "out of memory");
}

/* The armoured body between begin and end, base64-decoded. */
static int
dearmour (const char *data, size_t len, const char *name, unsigned char **out, size_t *outlen,
          struct error **err)
{
  const char *begin = ARMOUR_BEGIN, *end = ARMOUR_END;
  const char *b = memmem (data, len, begin, strlen (begin));
  if (b == NULL)
    {
      begin = ARMOUR_BEGIN_OLD;
      end = ARMOUR_END_OLD;
      b = memmem (data, len, begin, strlen (begin));
    }
  if (b == NULL)
    return error_set (err, EBADMSG, "key `%s`: not an encrypted private key", name);
  b += strlen (begin);
  const char *e = memmem (b, len - (size_t)(b - data), end, strlen (end));
  if (e == NULL)
    return error_set (err, EBADMSG, "key `%s`: no `%s` line", name, end);
  _cleanup_free_ char *body = malloc ((size_t)(e - b) + 1);
  if (body == NULL)
    return error_set (err, ENOMEM, "out of memory");
  size_t n = 0;
  for (const char *p = b; p < e; p++)
    if (*p != '\n' && *p != '\r')
      body[n++] = *p;
  int r = trust_b64_decode (body, n, out, outlen, err);
  return r < 0 ? error_prefix (err, "key `%s`", name) : 0;
}

bool
trust_key_is_encrypted (const char *data, size_t len)
{
  return memmem (data, len, ARMOUR_BEGIN, strlen (ARMOUR_BEGIN)) != NULL
         || memmem (data, len, ARMOUR_BEGIN_OLD, strlen (ARMOUR_BEGIN_OLD)) != NULL;
}

static int
get_b64 (json_object *o, const char *what, const char *key, size_t want, unsigned char **out,
         size_t *outlen, struct error **err)
{
  const char *s = NULL;
  int r = trust_json_string (o, what, key, &s, err);
  if (r < 0)
    return r;
  r = trust_b64_decode (s, strlen (s), out, outlen, err);
  if (r < 0)
    return error_prefix (err, "%s: `%s`", what, key);
  if (want && *outlen != want)
    {
      free (*out);
      *out = NULL;
      return error_set (err, EBADMSG, "%s: `%s` must be %zu bytes", what, key, want);
    }
  return 0;
}

static int
get_param (json_object *o, const char *what, const char *key, uint64_t max, uint64_t *out,
           struct error **err)
{
  json_object *v = NULL;
  json_object_object_get_ex (o, key, &v);
  if (!json_object_is_type (v, json_type_int))
    return error_set (err, EBADMSG, "%s: `%s` is not an integer", what, key);
  int64_t x = json_object_get_int64 (v);
  if (x < 1 || (uint64_t)x > max)
    return error_set (err, EBADMSG, "%s: `%s` out of range (1..%llu)", what, key,
                      (unsigned long long)max);
  *out = (uint64_t)x;
  return 0;
}

static int
load_encrypted (const char *data, size_t len, const char *password, const char *name,
                struct trust_key **out, struct error **err)
{
  if (sodium_ready (err) < 0)
    return -EIO;
  _cleanup_free_ unsigned char *json = NULL;
  size_t jl = 0;
  int r = dearmour (data, len, name, &json, &jl, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *what = NULL;
  if (asprintf (&what, "key `%s`", name) < 0)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_json_ json_object *o = NULL;
  if ((r = trust_json_parse ((const char *)json, jl, what, &o, err)) < 0)
    return r;
  static const char *const top[] = { "kdf", "cipher", "ciphertext", NULL };
  static const char *const kdf_f[] = { "name", "params", "salt", NULL };
  static const char *const params_f[] = { "N", "r", "p", NULL };
  static const char *const cipher_f[] = { "name", "nonce", NULL };
  json_object *kdf = NULL, *params = NULL, *cipher = NULL;
  if ((r = trust_json_fields (o, what, top, NULL, err)) < 0)
    return r;
  json_object_object_get_ex (o, "kdf", &kdf);
  json_object_object_get_ex (o, "cipher", &cipher);
  if ((r = trust_json_fields (kdf, what, kdf_f, NULL, err)) < 0
      || (r = trust_json_fields (cipher, what, cipher_f, NULL, err)) < 0)
    return r;
  json_object_object_get_ex (kdf, "params", &params);
  if ((r = trust_json_fields (params, what, params_f, NULL, err)) < 0)
    return r;
  const char *kname = NULL, *cname = NULL;
  if ((r = trust_json_string (kdf, what, "name", &kname, err)) < 0
      || (r = trust_json_string (cipher, what, "name", &cname, err)) < 0)
    return r;
  if (strcmp (kname, "scrypt") != 0)
    return error_set (err, ENOTSUP, "%s: unsupported kdf `%s`", what, kname);
  if (strcmp (cname, "nacl/secretbox") != 0)
    return error_set (err, ENOTSUP, "%s: unsupported cipher `%s`", what, cname);
  uint64_t n = 0, rr = 0, p = 0;
  if ((r = get_param (params, what, "N", SCRYPT_N_MAX, &n, err)) < 0
      || (r = get_param (params, what, "r", SCRYPT_R_MAX, &rr, err)) < 0
      || (r = get_param (params, what, "p", SCRYPT_P_MAX, &p, err)) < 0)
    return r;
  if (n < 2 || (n & (n - 1)) != 0)
    return error_set (err, EBADMSG, "%s: scrypt N must be a power of two", what);
  _cleanup_free_ unsigned char *salt = NULL, *nonce = NULL, *ct = NULL;
  size_t saltlen = 0, noncelen = 0, ctlen = 0;
  if ((r = get_b64 (kdf, what, "salt", 0, &salt, &saltlen, err)) < 0
      || (r = get_b64 (cipher, what, "nonce", crypto_secretbox_NONCEBYTES, &nonce, &noncelen, err))
             < 0
      || (r = get_b64 (o, what, "ciphertext", 0, &ct, &ctlen, err)) < 0)
    return r;
  if (ctlen <= crypto_secretbox_MACBYTES)
    return error_set (err, EBADMSG, "%s: ciphertext too short", what);
  if (password == NULL)
    return error_set (err, EACCES, "%s needs a password", what);
  unsigned char key[crypto_secretbox_KEYBYTES];
  if ((r = derive (password, salt, saltlen, n, rr, p, key, err)) < 0)
    return r;
  size_t dl = ctlen - crypto_secretbox_MACBYTES;
  unsigned char *der = malloc (dl);
  if (der == NULL)
    {
      sodium_memzero (key, sizeof key);
      return error_set (err, ENOMEM, "out of memory");
    }
  r = crypto_secretbox_open_easy (der, ct, ctlen, nonce, key);
  sodium_memzero (key, sizeof key);
  if (r != 0)
    {
      free (der);
      return error_set (err, EACCES, "%s: wrong password (decryption failed)", what);
    }
  const unsigned char *q = der;
  PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO (NULL, &q, (long)dl);
  EVP_PKEY *pkey = p8 ? EVP_PKCS82PKEY (p8) : NULL;
  PKCS8_PRIV_KEY_INFO_free (p8);
  OPENSSL_clear_free (der, dl);
  if (pkey == NULL)
    return ossl_error (err, EBADMSG, what);
  if ((r = check_p256 (pkey, name, err)) < 0)
    {
      EVP_PKEY_free (pkey);
      return r;
    }
  return key_new (pkey, name, out, err);
}

/* An encrypted PEM (the "Proc-Type: ENCRYPTED" kind) must not prompt on the
 * terminal from inside the library: refuse it. */
static int
no_password (char *buf, int size, int rwflag, void *u)
{
  return -1;
}

int
trust_key_load_private (const char *data, size_t len, const char *password, const char *name,
                        struct trust_key **out, struct error **err)
{
  if (len > TRUST_KEY_FILE_MAX)
    return error_set (err, EFBIG, "key `%s`: larger than %d bytes", name, TRUST_KEY_FILE_MAX);
  if (trust_key_is_encrypted (data, len))
    return load_encrypted (data, len, password, name, out, err);
  BIO *b = BIO_new_mem_buf (data, (int)len);
  EVP_PKEY *pkey = b ? PEM_read_bio_PrivateKey (b, NULL, no_password, NULL) : NULL;
  BIO_free (b);
  if (pkey == NULL)
    {
      ERR_clear_error ();
      return error_set (err, EBADMSG,
                        "key `%s`: not a private key (cosign encrypted, PKCS#8 or SEC1 PEM)", name);
    }
  int r = check_p256 (pkey, name, err);
  if (r < 0)
    {
      EVP_PKEY_free (pkey);
      return r;
    }
  return key_new (pkey, name, out, err);
}

int
trust_key_load_public (const char *data, size_t len, const char *name, struct trust_key **out,
                       struct error **err)
{
  if (len > TRUST_KEY_FILE_MAX)
    return error_set (err, EFBIG, "key `%s`: larger than %d bytes", name, TRUST_KEY_FILE_MAX);
  BIO *b = BIO_new_mem_buf (data, (int)len);
  EVP_PKEY *pkey = b ? PEM_read_bio_PUBKEY (b, NULL, no_password, NULL) : NULL;
  BIO_free (b);
  if (pkey == NULL)
    {
      ERR_clear_error ();
      if (!trust_key_is_encrypted (data, len))
        {
          b = BIO_new_mem_buf (data, (int)len);
          pkey = b ? PEM_read_bio_PrivateKey (b, NULL, no_password, NULL) : NULL;
          BIO_free (b);
          ERR_clear_error ();
        }
      if (pkey == NULL)
        return error_set (err, EBADMSG, "key `%s`: not a PEM public key", name);
    }
  int r = check_p256 (pkey, name, err);
  if (r < 0)
    {
      EVP_PKEY_free (pkey);
      return r;
    }
  return key_new (pkey, name, out, err);
}

int
trust_key_load_public_file (const char *path, struct trust_key **out, struct error **err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  int r = fs_read_file (path, TRUST_KEY_FILE_MAX, &data, &len, err);
  if (r < 0)
    return r;
  return trust_key_load_public (data, len, path, out, err);
}

int
trust_sign_bytes (const struct trust_key *k, const void *data, size_t len, unsigned char **sig,
                  size_t *siglen, struct error **err)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  size_t n = 0;
  unsigned char *buf = NULL;
  int r = 0;
  if (ctx == NULL || EVP_DigestSignInit (ctx, NULL, EVP_sha256 (), NULL, k->pkey) != 1
      || EVP_DigestSign (ctx, NULL, &n, data, len) != 1 || (buf = malloc (n)) == NULL
      || EVP_DigestSign (ctx, buf, &n, data, len) != 1)
    {
      free (buf);
      r = ossl_error (err, EIO, "sign");
    }
  EVP_MD_CTX_free (ctx);
  if (r < 0)
    return r;
  *sig = buf;
  *siglen = n;
  return 0;
}

int
trust_verify_bytes (const struct trust_key *k, const void *data, size_t len,
                    const unsigned char *sig, size_t siglen, struct error **err)
{
  /* Only canonical DER: decode and re-encode, the two must be the same
   * bytes.  A 64-byte r||s (P1363) fails here with a message saying so,
   * rather than being converted: the formats say DER, and accepting two
   * encodings makes one signature have two spellings. */
  const unsigned char *q = sig;
  ECDSA_SIG *es = siglen <= 256 ? d2i_ECDSA_SIG (NULL, &q, (long)siglen) : NULL;
  unsigned char *der = NULL;
  int dl = es ? i2d_ECDSA_SIG (es, &der) : -1;
  ECDSA_SIG_free (es);
  bool canonical = dl > 0 && (size_t)dl == siglen && memcmp (der, sig, siglen) == 0;
  OPENSSL_free (der);
  ERR_clear_error ();
  if (!canonical)
    return error_set (err, EBADMSG, "signature is not DER-encoded ECDSA (%zu bytes%s)", siglen,
                      siglen == 64 ? ", raw r||s is not accepted" : "");
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  if (ctx == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int ok = EVP_DigestVerifyInit (ctx, NULL, EVP_sha256 (), NULL, k->pkey) == 1
           && EVP_DigestVerify (ctx, sig, siglen, data, len) == 1;
  EVP_MD_CTX_free (ctx);
  ERR_clear_error ();
  if (!ok)
    return error_set (err, EPERM, "signature does not verify with `%s`", trust_key_name (k));
  return 0;
}

char *
trust_key_hint (const struct trust_key *k)
{
  unsigned char *der = NULL;
  int dl = i2d_PUBKEY (k->pkey, &der);
  if (dl <= 0)
    return NULL;
  unsigned char md[32];
  unsigned int mdl = 0;
  int ok = EVP_Digest (der, (size_t)dl, md, &mdl, EVP_sha256 (), NULL);
  OPENSSL_free (der);
  return ok ? trust_b64_encode (md, mdl) : NULL;
}
