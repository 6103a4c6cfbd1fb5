/* Unit tests of lib/trust's policy.json: strict parsing, scope precedence,
 * and the requirements hull refuses rather than skips. */
#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "registry/reference.h"
#include "tap.h"
#include "trust/trust.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
parse (const char *json, struct trust_policy **p, struct error **err)
{
  return trust_policy_parse (json, strlen (json), "test.json", p, err);
}

static void
test_bad_policies (void)
{
  static const struct
  {
    const char *json, *needle;
  } bad[] = {
    { "{}", "missing field `default`" },
    { "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"Transports\":{}}",
      "unknown field `Transports`" },
    { "{\"default\":[]}", "empty requirement list" },
    { "{\"default\":[{\"type\":\"acceptAnything\"}]}",
      "unknown requirement type `acceptAnything`" },
    { "{\"default\":[{\"type\":\"reject\",\"keyPath\":\"/k\"}]}", "unknown field `keyPath`" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\"}]}", "exactly one of keyPath" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/a\",\"keyData\":\"\"}]}",
      "exactly one of keyPath" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"k.pub\"}]}", "must be absolute" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k\",\"signedIdentity\":{"
      "\"type\":\"matchAnything\"}}]}",
      "unknown signedIdentity type `matchAnything`" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k\",\"signedIdentity\":{"
      "\"type\":\"exactReference\",\"dockerReference\":\"docker.io/library/busybox\"}}]}",
      "neither tag nor digest" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k\",\"signedIdentity\":{"
      "\"type\":\"exactRepository\",\"dockerRepository\":\"busybox\"}}]}",
      "write `docker.io/library/busybox`" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"busybox\":[{\"type\":"
      "\"reject\"}]}}}",
      "docker scope `busybox`" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"dokcer\":{}}}",
      "unknown transport `dokcer`" },
    { "{\"default\":[{\"type\":\"reject\"}],\"default\":[{\"type\":\"insecureAcceptAnything\"}]}",
      "duplicate key `default`" },
    { "{\"default\":[{\"type\":\"reject\"}]", "malformed JSON" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyData\":\"not base64!\"}]}", "keyData" },
    { "{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"X509\",\"keyPath\":\"/k\"}]}",
      "unknown keyType" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker-archive\":{\"/x.tar\":["
      "{\"type\":\"reject\"}]}}}",
      "only the default scope" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"oci-archive\":{\"x.tar\":["
      "{\"type\":\"reject\"}]}}}",
      "oci-archive scope `x.tar`: must be an absolute" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"oci-archive\":{\"/\":["
      "{\"type\":\"reject\"}]}}}",
      "oci-archive scope `/`" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"oci-archive\":{\"/a/../b\":["
      "{\"type\":\"reject\"}]}}}",
      "oci-archive scope `/a/../b`" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      struct trust_policy *p = NULL;
      struct error *err = NULL;
      int r = parse (bad[i].json, &p, &err);
      if (r == 0)
        printf ("#   policy %zu accepted\n", i);
      CHECK_INT (r, <, 0);
      CHECK (p == NULL);
      if (err && strstr (err->msg, bad[i].needle) == NULL)
        printf ("#   policy %zu: `%s` lacks `%s`\n", i, err->msg, bad[i].needle);
      CHECK (err && strstr (err->msg, bad[i].needle) != NULL);
      CHECK (err && strstr (err->msg, "test.json") != NULL);
      CHECK (err && strchr (err->msg, '\n') == NULL);
      error_free (err);
      trust_policy_free (p);
    }
}

/* Which requirement list applies: check with reject/accept lists only (no
 * registry needed). */
static int
check (const struct trust_policy *p, const char *image, char **msg)
{
  _cleanup_reference_ struct reference *ref = NULL;
  struct error *err = NULL;
  if (reference_parse (image, 0, &ref, &err) < 0)
    return -100;
  int r = trust_policy_check (
      p, ref, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL, NULL,
      &err);
  *msg = err ? strdup (err->msg) : NULL;
  error_free (err);
  return r;
}

static void
test_scopes (void)
{
  static const char json[]
      = "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{"
        "\"example.com\":[{\"type\":\"insecureAcceptAnything\"}],"
        "\"example.com/team\":[{\"type\":\"reject\"}],"
        "\"example.com/team/app\":[{\"type\":\"insecureAcceptAnything\"}],"
        "\"example.com/team/app:bad\":[{\"type\":\"reject\"}],"
        "\"*.mirror.org\":[{\"type\":\"insecureAcceptAnything\"}],"
        "\"*.b.mirror.org\":[{\"type\":\"reject\"}],"
        "\"quay.io\":[{\"type\":\"sigstoreSigned\",\"fulcio\":{\"oidcIssuer\":\"x\"}}],"
        "\"ghcr.io\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k\","
        "\"rekorPublicKeyPath\":\"/r\"}],"
        "\"gpg.example\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/k\"}],"
        "\"\":[{\"type\":\"insecureAcceptAnything\"},{\"type\":\"reject\"}]"
        "},\"docker-daemon\":{\"\":[{\"type\":\"insecureAcceptAnything\"}]}}}";
  struct trust_policy *p = NULL;
  struct error *err = NULL;
  int r = parse (json, &p, &err);
  if (r < 0)
    printf ("# %s\n", err->msg);
  REQUIRE (r == 0);
  static const struct
  {
    const char *image;
    int want;
    const char *needle;
  } cases[] = {
    { "example.com/x:1", 0, NULL },
    { "example.com/team/other:1", -EPERM, "(scope `example.com/team`): reject" },
    { "example.com/team/app:1", 0, NULL },
    { "example.com/team/app/sub:1", 0, NULL }, /* a namespace of its own */
    { "example.com/team/app:bad", -EPERM, "scope `example.com/team/app:bad`" },
    { "a.mirror.org/x", 0, NULL },
    { "c.b.mirror.org/x", -EPERM, "scope `*.b.mirror.org`" },
    { "mirror.org/x", -EPERM, "docker default" },
    { "busybox", -EPERM, "docker default" }, /* all of the list must accept */
    { "quay.io/x", -EPERM, "keyless (fulcio) requirements are not supported" },
    { "ghcr.io/x", -EPERM, "Rekor transparency-log requirements are not supported" },
    { "gpg.example/x", -EPERM, "signedBy (GPG simple signing) requirements are not supported" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      _cleanup_free_ char *msg = NULL;
      r = check (p, cases[i].image, &msg);
      if (r != cases[i].want || (cases[i].needle && (!msg || !strstr (msg, cases[i].needle))))
        printf ("#   %s: %d `%s`\n", cases[i].image, r, msg ? msg : "");
      CHECK_INT (r, ==, cases[i].want);
      if (cases[i].needle)
        CHECK (msg && strstr (msg, cases[i].needle));
    }
  trust_policy_free (p);

  /* containers' shipped default policy parses */
  static const char shipped[] = "{\n    \"default\": [\n        {\n            \"type\": "
                                "\"insecureAcceptAnything\"\n        }\n    ],\n"
                                "    \"transports\": {\"docker-daemon\": {\"\": "
                                "[{\"type\":\"insecureAcceptAnything\"}]}}\n}\n";
  CHECK_INT (parse (shipped, &p, &err), ==, 0);
  _cleanup_free_ char *msg = NULL;
  CHECK_INT (check (p, "docker.io/library/busybox:latest", &msg), ==, 0);
  trust_policy_free (p);
}

/* ---- archives (hull load) */

struct mem_blob
{
  const char *digest;
  const char *data;
};

static int
mem_read (void *ctx, const char *digest, int64_t size, size_t max, char **out, size_t *len,
          struct error **err)
{
  const struct mem_blob *b = ctx;
  (void)size;
  if (strcmp (digest, b->digest) != 0)
    return error_set (err, ENOENT, "no blob `%s`", digest);
  *len = strlen (b->data);
  if (*len > max)
    return error_set (err, EFBIG, "too large");
  *out = strdup (b->data);
  return 0;
}

static int
check_archive (const struct trust_policy *p, enum trust_archive_transport t, const char *path,
               const char *name, const struct trust_archive_sigs *sigs, char **msg)
{
  struct trust_archive_image img = {
    .transport = t,
    .path = path,
    .name = name,
    .digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    .sigs = sigs,
  };
  struct error *err = NULL;
  int r = trust_policy_check_archive (p, &img, NULL, &err);
  *msg = err ? strdup (err->msg) : NULL;
  if (err && strchr (err->msg, '\n'))
    r = -1000; /* one line */
  error_free (err);
  return r;
}

static void
test_archive (void)
{
  char tmpl[] = "/tmp/hull-test-policy.XXXXXX";
  REQUIRE (mkdtemp (tmpl) != NULL);
  /* scopes name real paths: /tmp may be a symlink */
  char dir[PATH_MAX];
  REQUIRE (realpath (tmpl, dir) != NULL);
  char file[PATH_MAX + 16], sub[PATH_MAX + 8];
  snprintf (sub, sizeof sub, "%s/sub", dir);
  snprintf (file, sizeof file, "%s/sub/a.tar", dir);
  REQUIRE (mkdir (sub, 0700) == 0);
  FILE *f = fopen (file, "w");
  REQUIRE (f != NULL);
  fclose (f);

  /* a key, and a legacy signature of the digest above made with it */
  const char *digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  struct trust_key *k = NULL;
  struct error *err = NULL;
  REQUIRE (trust_key_generate (&k, &err) == 0);
  _cleanup_free_ char *pem = NULL, *payload = NULL, *pd = NULL, *b64sig = NULL, *keyb64 = NULL;
  size_t plen = 0, siglen = 0;
  _cleanup_free_ unsigned char *sig = NULL;
  REQUIRE (trust_key_export_public (k, &pem, &err) == 0);
  REQUIRE (trust_payload_build ("example.com/app:1", digest, NULL, &payload, &plen, &err) == 0);
  REQUIRE (trust_sign_bytes (k, payload, plen, &sig, &siglen, &err) == 0);
  trust_key_free (k);
  pd = digest_buffer ("sha256", payload, plen);
  b64sig = trust_b64_encode (sig, siglen);
  keyb64 = trust_b64_encode (pem, strlen (pem));
  REQUIRE (pd && b64sig && keyb64);
  _cleanup_free_ char *man = NULL, *json = NULL;
  REQUIRE (
      asprintf (&man,
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+"
                "json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                "\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":\"%s\","
                "\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\"%s\":\"%s\"}}]}",
                pd, plen, TRUST_MT_SIMPLESIGNING, pd, plen, TRUST_ANNOTATION_SIGNATURE, b64sig)
      > 0);
  struct mem_blob blob = { .digest = pd, .data = payload };
  char *mans[] = { man, NULL };
  char *names[] = { "index.json entry 2", NULL };
  size_t lens[] = { strlen (man) };
  struct trust_archive_sigs sigs = {
    .manifests = mans, .lens = lens, .names = names, .n = 1, .blob = mem_read, .blob_data = &blob
  };
  struct trust_archive_sigs none = { .blob = mem_read, .blob_data = &blob };

  REQUIRE (
      asprintf (&json,
                "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{"
                "\"oci-archive\":{\"%s:example.com/bad:1\":[{\"type\":\"reject\"}],"
                "\"%s\":[{\"type\":\"sigstoreSigned\",\"keyData\":\"%s\"}],"
                "\"\":[{\"type\":\"reject\"}]},"
                "\"docker-archive\":{\"\":[{\"type\":\"sigstoreSigned\",\"keyData\":\"%s\"}]}}}",
                file, dir, keyb64, keyb64)
      > 0);
  struct trust_policy *p = NULL;
  int r = parse (json, &p, &err);
  if (r < 0)
    printf ("# %s\n", err->msg);
  REQUIRE (r == 0);
  char *msg = NULL;
  /* the parent directory's sigstoreSigned: the archive's signature verifies */
  CHECK_INT (check_archive (p, TRUST_OCI_ARCHIVE, file, "example.com/app:1", &sigs, &msg), ==, 0);
  free (msg);
  /* unsigned */
  CHECK_INT (check_archive (p, TRUST_OCI_ARCHIVE, file, "example.com/app:1", &none, &msg), ==,
             -EPERM);
  CHECK (msg && strstr (msg, "no signature found"));
  free (msg);
  /* signed for another name: matchRepoDigestOrExact against the archive's name */
  CHECK_INT (check_archive (p, TRUST_OCI_ARCHIVE, file, "example.com/other:1", &sigs, &msg), ==,
             -EPERM);
  CHECK (msg && strstr (msg, "does not match"));
  free (msg);
  /* no name: only exact* identities could match */
  CHECK_INT (check_archive (p, TRUST_OCI_ARCHIVE, file, NULL, &sigs, &msg), ==, -EPERM);
  CHECK (msg && strstr (msg, "no name in the archive"));
  free (msg);
  /* PATH:NAME is more specific than the directory */
  CHECK_INT (check_archive (p, TRUST_OCI_ARCHIVE, file, "example.com/bad:1", &sigs, &msg), ==,
             -EPERM);
  CHECK (msg && strstr (msg, ":example.com/bad:1`): reject"));
  free (msg);
  /* stdin: no path, the transport's "" scope */
  CHECK_INT (check_archive (p, TRUST_OCI_ARCHIVE, NULL, "example.com/app:1", &sigs, &msg), ==,
             -EPERM);
  CHECK (msg && strstr (msg, "(oci-archive scope `default`): reject"));
  free (msg);
  /* bounds: more signature manifests than are looked at; one too large
   * (handed over as its length only) */
  struct trust_archive_sigs many = sigs;
  many.total = 65;
  CHECK_INT (check_archive (p, TRUST_OCI_ARCHIVE, file, "example.com/app:1", &many, &msg), ==,
             -EPERM);
  CHECK (msg && strstr (msg, "65 signature manifests, more than 64"));
  free (msg);
  char *empty[] = { "", NULL };
  size_t biglen[] = { 300000 };
  struct trust_archive_sigs big = sigs;
  big.manifests = empty;
  big.lens = biglen;
  CHECK_INT (check_archive (p, TRUST_OCI_ARCHIVE, file, "example.com/app:1", &big, &msg), ==,
             -EPERM);
  CHECK (msg && strstr (msg, "300000 bytes is larger than"));
  free (msg);
  /* a docker archive cannot carry signatures */
  CHECK_INT (check_archive (p, TRUST_DOCKER_ARCHIVE, file, "example.com/app:1", NULL, &msg), ==,
             -EPERM);
  CHECK (msg && strstr (msg, "docker archive cannot carry signatures"));
  free (msg);
  trust_policy_free (p);

  /* no archive transport in the policy: the global default */
  REQUIRE (parse ("{\"default\":[{\"type\":\"reject\"}]}", &p, &err) == 0);
  CHECK_INT (check_archive (p, TRUST_OCI_ARCHIVE, file, "example.com/app:1", &sigs, &msg), ==,
             -EPERM);
  CHECK (msg && strstr (msg, "(default): reject"));
  free (msg);
  trust_policy_free (p);
  unlink (file);
  rmdir (sub);
  rmdir (dir);
}

int
main (void)
{
  RUN (test_bad_policies);
  RUN (test_scopes);
  RUN (test_archive);
  return tap_done ();
}
