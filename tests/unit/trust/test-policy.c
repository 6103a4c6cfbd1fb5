/* Unit tests of lib/trust's policy.json: strict parsing, scope precedence,
 * and the requirements hull refuses rather than skips. */
#include "base/cleanup.h"
#include "base/error.h"
#include "registry/reference.h"
#include "tap.h"
#include "trust/trust.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int
main (void)
{
  RUN (test_bad_policies);
  RUN (test_scopes);
  return tap_done ();
}
