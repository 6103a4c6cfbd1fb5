/* trust.h - content trust: cosign-compatible keys, image signatures in
 * cosign's two registry formats, and containers' policy.json.
 *
 * Keys: ECDSA P-256.  Private keys are read from cosign's encrypted format
 * (scrypt + NaCl secretbox around a PKCS#8 key, "ENCRYPTED SIGSTORE PRIVATE
 * KEY" armour) or from plain PKCS#8 / SEC1 PEM; public keys are PEM
 * SubjectPublicKeyInfo.  Signatures are ASN.1 DER ECDSA over SHA-256; a raw
 * r||s (IEEE P1363) signature is refused, not converted.
 *
 * Formats (docs/trust.md):
 *   TRUST_FORMAT_LEGACY  the `sha256-<hex>.sig` tag: an OCI manifest with one
 *                        layer per signature, each a simple-signing payload
 *                        with its base64 signature in an annotation;
 *   TRUST_FORMAT_BUNDLE  a Sigstore bundle v0.3 holding a DSSE envelope of an
 *                        in-toto Statement v1, pushed as an OCI 1.1 artifact
 *                        whose subject is the signed manifest (found through
 *                        the referrers API, else the `sha256-<hex>` tag).
 *
 * Every signature is checked over the exact bytes that were signed before
 * anything in them is parsed; the parse is then strict (exact field sets,
 * no duplicate keys, the digest equal to the one the caller resolved).
 *
 * Registry access goes through lib/registry only.  Nothing here prints.
 */
#ifndef HULL_TRUST_TRUST_H
#define HULL_TRUST_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct reference;
struct registry_client;

/* Limits on what comes from a registry or a file (hostile input). */
#define TRUST_PAYLOAD_MAX (64 << 10)       /* a simple-signing payload / a statement */
#define TRUST_BUNDLE_MAX (256 << 10)       /* a bundle blob */
#define TRUST_SIG_MANIFEST_MAX (256 << 10) /* a .sig manifest, a referrers index */
#define TRUST_SIGNATURES_MAX 64            /* signatures looked at per image */
#define TRUST_KEY_FILE_MAX (64 << 10)
#define TRUST_POLICY_MAX (1 << 20)

#define TRUST_MT_SIMPLESIGNING "application/vnd.dev.cosign.simplesigning.v1+json"
#define TRUST_MT_BUNDLE "application/vnd.dev.sigstore.bundle.v0.3+json"
#define TRUST_MT_EMPTY "application/vnd.oci.empty.v1+json"
#define TRUST_ANNOTATION_SIGNATURE "dev.cosignproject.cosign/signature"
#define TRUST_COSIGN_TYPE "cosign container image signature"
#define TRUST_PREDICATE_TYPE "https://sigstore.dev/cosign/sign/v1"
#define TRUST_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define TRUST_DSSE_TYPE "application/vnd.in-toto+json"
#define TRUST_DEFAULT_POLICY "/etc/containers/policy.json"

enum trust_format
{
  TRUST_FORMAT_LEGACY = 1,
  TRUST_FORMAT_BUNDLE = 2,
};
const char *trust_format_name (enum trust_format f);

/* ------------------------------------------------------------------ keys */

struct trust_key;
void trust_key_free (struct trust_key *k);
static inline void
trust_key_freep (struct trust_key **k)
{
  if (*k)
    trust_key_free (*k);
}
#define _cleanup_trust_key_ __attribute__ ((cleanup (trust_key_freep)))

/* A new P-256 key pair. */
int trust_key_generate (struct trust_key **out, struct error **err);
/* cosign's encrypted private key (armoured, NUL-terminated), password may be
 * empty; and the PEM public key. */
int trust_key_export_private (const struct trust_key *k, const char *password, char **out,
                              struct error **err);
int trust_key_export_public (const struct trust_key *k, char **out, struct error **err);
/* A private key from data: the encrypted format when the armour says so
 * (then password is needed: NULL -> -EACCES "needs a password" so that the
 * caller can prompt), else an unencrypted PKCS#8 / SEC1 PEM.  name is for
 * messages (a path).  Not P-256 -> -ENOTSUP. */
int trust_key_load_private (const char *data, size_t len, const char *password, const char *name,
                            struct trust_key **out, struct error **err);
/* A public key: PEM SubjectPublicKeyInfo (a private key's public half is
 * accepted too when given a PKCS#8/SEC1 PEM). */
int trust_key_load_public (const char *data, size_t len, const char *name, struct trust_key **out,
                           struct error **err);
int trust_key_load_public_file (const char *path, struct trust_key **out, struct error **err);
/* Where the key came from, for messages. */
const char *trust_key_name (const struct trust_key *k);
/* Does data look like an encrypted private key? */
bool trust_key_is_encrypted (const char *data, size_t len);

/* DER ECDSA signature over SHA-256(data). */
int trust_sign_bytes (const struct trust_key *k, const void *data, size_t len, unsigned char **sig,
                      size_t *siglen, struct error **err);
/* 0 when sig is a DER ECDSA signature of data by k; -EBADMSG "... not
 * DER-encoded" for anything else that is not DER (P1363 included); -EPERM
 * "signature does not verify with `name`" for a wrong one. */
int trust_verify_bytes (const struct trust_key *k, const void *data, size_t len,
                        const unsigned char *sig, size_t siglen, struct error **err);

/* -------------------------------------------------------------- base64 */

/* Standard alphabet, padding required, no whitespace: strict. */
char *trust_b64_encode (const void *data, size_t len);
int trust_b64_decode (const char *s, size_t slen, unsigned char **out, size_t *outlen,
                      struct error **err);

/* ------------------------------------------------------------ payloads */

/* A simple-signing payload (legacy format), after a strict parse. */
struct trust_payload
{
  char *docker_reference; /* critical.identity.docker-reference */
  char *digest;           /* critical.image.docker-manifest-digest */
  char **optional;        /* "k=v" pairs of optional's string values (NULL: none) */
};
void trust_payload_free (struct trust_payload *p);
/* {"critical":{"identity":{...},"image":{...},"type":"cosign container image
 * signature"},"optional":{...}|null}, annotations as "K=V" strings. */
int trust_payload_build (const char *docker_reference, const char *digest, char *const *annotations,
                         char **out, size_t *len, struct error **err);
int trust_payload_parse (const char *data, size_t len, struct trust_payload **out,
                         struct error **err);

/* A Sigstore bundle, its envelope parsed strictly; the statement is not
 * parsed until the signature over its PAE is verified. */
struct trust_bundle
{
  char *payload_type;
  unsigned char *payload; /* the statement's exact bytes */
  size_t payload_len;
  unsigned char *sig;
  size_t siglen;
};
void trust_bundle_free (struct trust_bundle *b);
int trust_bundle_parse (const char *data, size_t len, struct trust_bundle **out,
                        struct error **err);
/* DSSE's pre-authentication encoding of (type, body): what is signed. */
int trust_dsse_pae (const char *type, const void *body, size_t len, unsigned char **out,
                    size_t *outlen, struct error **err);
/* The bundle for a signature by k of (name, digest). */
int trust_bundle_build (const struct trust_key *k, const char *name, const char *digest,
                        char *const *annotations, char **out, size_t *len, struct error **err);

struct trust_statement
{
  char *name;         /* subject[0].name */
  char *digest;       /* "sha256:" + subject[0].digest.sha256 */
  char **annotations; /* predicate.annotations as "k=v" (NULL: none) */
};
void trust_statement_free (struct trust_statement *s);
int trust_statement_parse (const char *data, size_t len, struct trust_statement **out,
                           struct error **err);

/* ------------------------------------------------------- registry I/O */

/* Sign digest (the manifest `ref` resolves to; media_type and size describe
 * it, for the bundle's subject) and push the signature to c's repository.
 * identity: the docker reference written into the signature.  *where
 * (may be NULL): the tag or digest the signature went to. */
int trust_sign_image (struct registry_client *c, const struct trust_key *k,
                      enum trust_format format, const char *identity, const char *digest,
                      const char *media_type, size_t size, char *const *annotations, char **where,
                      struct error **err);

/* One verified signature. */
struct trust_verified
{
  enum trust_format format;
  char *identity; /* the signed docker reference / subject name */
  char *payload;  /* the exact verified bytes (legacy payload / statement) */
  size_t payload_len;
  char *key;    /* name of the key that verified it */
  char *source; /* where it was found: "sha256-<hex>.sig layer 1", "sha256:..." */
};

/* What the caller requires of a signature besides the key. */
typedef bool (*trust_identity_fn) (const char *signed_identity, void *data, char **why);

struct trust_verify_opts
{
  struct trust_key *const *keys; /* any of them */
  size_t nkeys;
  char *const *annotations;   /* "K=V" each required in the signature */
  trust_identity_fn identity; /* NULL: any identity */
  void *identity_data;
  bool stop_at_first; /* policy checks: one accepted signature is enough */
};

struct trust_result
{
  struct trust_verified *ok;
  size_t nok;
  char **rejected;          /* one reason per signature found that did not verify */
  size_t nfound;            /* signatures found in both formats */
  size_t nverified_rejects; /* the first ones of rejected: by the key, failed later */
};
void trust_result_free (struct trust_result *r);

/* Find digest's signatures in c's repository (both formats), verify each.
 * Returns 0 with *out filled whether or not any verified (nok == 0: none);
 * < 0 on a registry error. */
int trust_verify_image (struct registry_client *c, const char *digest,
                        const struct trust_verify_opts *o, struct trust_result **out,
                        struct error **err);
/* Signatures carried by an image archive: cosign's legacy `.sig`
 * manifests stored in the archive as extra images (as `cosign save`
 * writes an OCI layout).  blob reads a blob of the archive by digest
 * (size: what the descriptor says, max: the most accepted). */
typedef int (*trust_blob_fn) (void *data, const char *digest, int64_t size, size_t max, char **out,
                              size_t *len, struct error **err);
struct trust_archive_sigs
{
  char *const *manifests; /* each manifest's exact bytes */
  const size_t *lens;
  char *const *names; /* for messages: where each was found */
  size_t n;
  size_t total; /* how many the archive holds (> n: not all were kept) */
  trust_blob_fn blob;
  void *blob_data;
};
/* As trust_verify_image, the candidates being the archive's signatures. */
int trust_verify_archive (const struct trust_archive_sigs *s, const char *digest,
                          const struct trust_verify_opts *o, struct trust_result **out,
                          struct error **err);

/* "no signature found" / "no valid signature: <reasons>" as one line. */
char *trust_result_reason (const struct trust_result *r);

/* -------------------------------------------------------------- policy */

struct trust_policy;
void trust_policy_free (struct trust_policy *p);
static inline void
trust_policy_freep (struct trust_policy **p)
{
  if (*p)
    trust_policy_free (*p);
}
#define _cleanup_trust_policy_ __attribute__ ((cleanup (trust_policy_freep)))

/* Strict: an unknown key, type or a malformed value is an error naming it. */
int trust_policy_parse (const char *data, size_t len, const char *name, struct trust_policy **out,
                        struct error **err);
/* path NULL: TRUST_DEFAULT_POLICY.  A missing default file is an error, as
 * in containers/image (there is no implicit accept). */
int trust_policy_load (const char *path, struct trust_policy **out, struct error **err);

/* Check ref, whose manifest the caller resolved to digest (the bytes it
 * holds and will use), against the policy.  c is a client for ref's
 * repository.  0: accepted (*summary, may be NULL: what was checked);
 * -EPERM "`ref` rejected by policy: <reason>". */
int trust_policy_check (const struct trust_policy *p, const struct reference *ref,
                        const char *digest, struct registry_client *c, char **summary,
                        struct error **err);

/* An image read from an archive (hull load), checked before anything of
 * it is stored, under the transport the archive is: docker-archive (only
 * the "" scope, as in containers/image, and it has no place for
 * signatures: sigstoreSigned refuses it) or oci-archive (scopes: the
 * archive's absolute path, "PATH:NAME", its parent directories, "").
 * Signed identities are matched against name, the name the archive gives
 * the image (the name it is stored under); without one only
 * exactReference / exactRepository can match. */
enum trust_archive_transport
{
  TRUST_DOCKER_ARCHIVE,
  TRUST_OCI_ARCHIVE,
};
struct trust_archive_image
{
  enum trust_archive_transport transport;
  const char *path;   /* the archive's path (resolved here); NULL: read from stdin */
  const char *name;   /* the name in the archive as written; NULL: none */
  const char *digest; /* oci-archive: the manifest digest index.json names */
  const struct trust_archive_sigs *sigs; /* oci-archive: its signatures */
};
/* 0: accepted; -EPERM "`name` rejected by policy ...: <reason>". */
int trust_policy_check_archive (const struct trust_policy *p, const struct trust_archive_image *img,
                                char **summary, struct error **err);

#endif
