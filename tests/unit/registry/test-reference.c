/* Reference parsing and normalisation: the table docker and podman agree on. */
#include "registry/reference.h"
#include "registry/registries.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"

#include "../../lib/tap.h"

#include <errno.h>
#include <stdlib.h>

#define D64 "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define D64H "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const struct
{
  const char *in, *full, *familiar, *domain, *path, *tag, *digest;
  bool has_domain;
} good[] = {
  { "busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox",
    "latest", NULL, false },
  { "ubuntu:22.04", "docker.io/library/ubuntu:22.04", "ubuntu:22.04", "docker.io", "library/ubuntu",
    "22.04", NULL, false },
  { "user/app", "docker.io/user/app:latest", "user/app:latest", "docker.io", "user/app", "latest",
    NULL, false },
  { "docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io",
    "library/busybox", "latest", NULL, true },
  { "index.docker.io/library/busybox:1", "docker.io/library/busybox:1", "busybox:1", "docker.io",
    "library/busybox", "1", NULL, true },
  { "docker.io/library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest", "docker.io",
    "library/a/b", "latest", NULL, true },
  /* a namespace that would read as a registry: the short form keeps docker.io */
  { "docker.io/a.b/x", "docker.io/a.b/x:latest", "docker.io/a.b/x:latest", "docker.io", "a.b/x",
    "latest", NULL, true },
  { "library/" D64H, "docker.io/library/" D64H ":latest", "library/" D64H ":latest", "docker.io",
    "library/" D64H, "latest", NULL, false },
  { "index.docker.io/localhost/x", "docker.io/localhost/x:latest", "docker.io/localhost/x:latest",
    "docker.io", "localhost/x", "latest", NULL, true },
  { "localhost/foo", "localhost/foo:latest", "localhost/foo:latest", "localhost", "foo", "latest",
    NULL, true },
  { "localhost:5000/foo/bar:v1", "localhost:5000/foo/bar:v1", "localhost:5000/foo/bar:v1",
    "localhost:5000", "foo/bar", "v1", NULL, true },
  { "127.0.0.1:5000/x:y", "127.0.0.1:5000/x:y", "127.0.0.1:5000/x:y", "127.0.0.1:5000", "x", "y",
    NULL, true },
  { "quay.io/a/b@" D64, "quay.io/a/b@" D64, "quay.io/a/b@" D64, "quay.io", "a/b", NULL, D64, true },
  { "busybox@" D64, "docker.io/library/busybox@" D64, "busybox@" D64, "docker.io",
    "library/busybox", NULL, D64, false },
  { "reg:5000/x:t@" D64, "reg:5000/x:t@" D64, "reg:5000/x:t@" D64, "reg:5000", "x", "t", D64,
    true },
  { "Example.com/x", "Example.com/x:latest", "Example.com/x:latest", "Example.com", "x", "latest",
    NULL, true },
  { "[::1]:5000/x", "[::1]:5000/x:latest", "[::1]:5000/x:latest", "[::1]:5000", "x", "latest", NULL,
    true },
  { "a.b/c__d/e--f/g.h_i:_T-1.x", "a.b/c__d/e--f/g.h_i:_T-1.x", "a.b/c__d/e--f/g.h_i:_T-1.x", "a.b",
    "c__d/e--f/g.h_i", "_T-1.x", NULL, true },
  { "foo:5000", "docker.io/library/foo:5000", "foo:5000", "docker.io", "library/foo", "5000", NULL,
    false },
};

static void
test_good (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (good); i++)
    {
      _cleanup_error_ struct error *err = NULL;
      _cleanup_reference_ struct reference *r = NULL;
      int ret = reference_parse (good[i].in, 0, &r, &err);
      if (ret < 0)
        printf ("#   %s: %s\n", good[i].in, err->msg);
      CHECK_INT (ret, ==, 0);
      if (ret < 0)
        continue;
      _cleanup_free_ char *full = reference_string (r);
      _cleanup_free_ char *fam = reference_familiar (r);
      CHECK_STR (full, good[i].full);
      CHECK_STR (fam, good[i].familiar);
      CHECK_STR (r->domain, good[i].domain);
      CHECK_STR (r->path, good[i].path);
      CHECK (r->has_domain == good[i].has_domain);
      if (good[i].tag)
        CHECK_STR (r->tag, good[i].tag);
      else
        CHECK (r->tag == NULL);
      if (good[i].digest)
        CHECK_STR (r->digest, good[i].digest);
      else
        CHECK (r->digest == NULL);
      /* the normalised form parses to itself */
      _cleanup_reference_ struct reference *r2 = NULL;
      CHECK_INT (reference_parse (full, 0, &r2, &err), ==, 0);
      if (r2)
        {
          _cleanup_free_ char *full2 = reference_string (r2);
          CHECK_STR (full2, full);
        }
    }
}

static const struct
{
  const char *in, *msg;
} bad[] = {
  { "", "invalid reference: empty" },
  { "Busybox", "invalid reference `Busybox`: repository name must be lowercase" },
  { "docker.io/Foo/bar",
    "invalid reference `docker.io/Foo/bar`: repository name must be lowercase" },
  { "busybox:", "invalid reference `busybox:`: invalid tag ``" },
  { "busybox:-x", "invalid reference `busybox:-x`: invalid tag `-x`" },
  { "busybox@sha256:abc", "invalid reference `busybox@sha256:abc`: invalid digest `sha256:abc`" },
  { "busybox@md5:d41d8cd98f00b204e9800998ecf8427e",
    "invalid reference `busybox@md5:d41d8cd98f00b204e9800998ecf8427e`: invalid digest "
    "`md5:d41d8cd98f00b204e9800998ecf8427e`" },
  { "a//b", "invalid reference `a//b`: invalid repository name `a//b`" },
  { "a/b/", "invalid reference `a/b/`: invalid repository name `a/b/`" },
  { "-a", "invalid reference `-a`: invalid repository name `-a`" },
  { "a..b", "invalid reference `a..b`: invalid repository name `a..b`" },
  { "a___b", "invalid reference `a___b`: invalid repository name `a___b`" },
  { "a b", "invalid reference `a b`: contains a space or a control or non-ASCII character" },
  { "host:99999/x", "invalid reference `host:99999/x`: invalid registry `host:99999`" },
  { "-host.com/x", "invalid reference `-host.com/x`: invalid registry `-host.com`" },
  { "host./x", "invalid reference `host./x`: invalid registry `host.`" },
  { "localhost:5000/", "invalid reference `localhost:5000/`: invalid repository name ``" },
  { ":tag", "invalid reference `:tag`: no repository name" },
  { "a@b@" D64, "invalid reference `a@b@" D64 "`: invalid digest `b@" D64 "`" },
  { "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "invalid reference `e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`: a "
    "64-character hexadecimal string is an image ID, not a repository name" },
};

static void
test_bad (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      _cleanup_error_ struct error *err = NULL;
      struct reference *r = NULL;
      int ret = reference_parse (bad[i].in, 0, &r, &err);
      CHECK_INT (ret, <, 0);
      CHECK (r == NULL);
      if (ret < 0)
        CHECK_STR (err->msg, bad[i].msg);
      reference_free (r);
    }
}

static void
test_too_long (void)
{
  char name[300];
  memset (name, 'a', sizeof name - 1);
  name[sizeof name - 1] = '\0';
  name[3] = '/';
  _cleanup_error_ struct error *err = NULL;
  struct reference *r = NULL;
  CHECK_INT (reference_parse (name, 0, &r, &err), ==, -EINVAL);
  CHECK (err && strstr (err->msg, "longer than 255"));
  /* exactly at the limit: "docker.io/" (10) + 245 */
  char ok[246];
  memset (ok, 'b', sizeof ok - 1);
  ok[sizeof ok - 1] = '\0';
  ok[3] = '/';
  error_freep (&err);
  CHECK_INT (reference_parse (ok, 0, &r, &err), ==, 0);
  reference_free (r);
  char tag[140] = "x:";
  memset (tag + 2, 't', 129);
  tag[131] = '\0';
  CHECK (!reference_tag_valid (tag + 2));
  tag[130] = '\0';
  CHECK (reference_tag_valid (tag + 2));
}

static void
test_flags (void)
{
  _cleanup_error_ struct error *err = NULL;
  _cleanup_reference_ struct reference *r = NULL;
  CHECK_INT (reference_parse ("busybox", REFERENCE_NO_DEFAULT_TAG, &r, &err), ==, 0);
  REQUIRE (r);
  CHECK (r->tag == NULL);
  _cleanup_free_ char *s = reference_string (r);
  CHECK_STR (s, "docker.io/library/busybox");
  CHECK (reference_manifest_ref (r) == NULL);
  struct reference *r2 = NULL;
  CHECK_INT (reference_parse ("busybox:1", REFERENCE_NAME_ONLY, &r2, &err), ==, -EINVAL);
  CHECK (r2 == NULL);
  CHECK_INT (reference_set_tag (r, "v2", &err), ==, 0);
  CHECK_INT (reference_set_digest (r, D64, &err), ==, 0);
  CHECK_STR (reference_manifest_ref (r), D64);
  _cleanup_free_ char *s2 = reference_familiar (r);
  CHECK_STR (s2, "busybox:v2@" D64);
  error_freep (&err);
  CHECK_INT (reference_set_tag (r, "bad tag", &err), ==, -EINVAL);
  CHECK_STR (err ? err->msg : NULL, "invalid tag `bad tag`");
  _cleanup_free_ char *fn = reference_familiar_name (r);
  CHECK_STR (fn, "busybox");
}

static void
test_resolve (void)
{
  _cleanup_error_ struct error *err = NULL;
  struct reference **list = NULL;
  /* no configuration: docker.io */
  CHECK_INT (reference_resolve ("busybox", NULL, 0, &list, &err), ==, 0);
  REQUIRE (list && list[0] && !list[1]);
  _cleanup_free_ char *s0 = reference_string (list[0]);
  CHECK_STR (s0, "docker.io/library/busybox:latest");
  reference_list_free (list);

  const char *conf_json = "{\"unqualified-search-registries\":[\"127.0.0.1:5000\",\"docker.io\"]}";
  _cleanup_registries_conf_ struct registries_conf *conf = NULL;
  REQUIRE (registries_conf_parse (conf_json, strlen (conf_json), &conf, &err) == 0);
  CHECK_INT (reference_resolve ("busybox:1", conf, 0, &list, &err), ==, 0);
  REQUIRE (list && list[0] && list[1] && !list[2]);
  _cleanup_free_ char *a = reference_string (list[0]);
  _cleanup_free_ char *b = reference_string (list[1]);
  CHECK_STR (a, "127.0.0.1:5000/busybox:1");
  CHECK_STR (b, "docker.io/library/busybox:1");
  reference_list_free (list);

  /* a qualified name ignores the search list */
  CHECK_INT (reference_resolve ("quay.io/a/b", conf, 0, &list, &err), ==, 0);
  REQUIRE (list && list[0] && !list[1]);
  _cleanup_free_ char *c = reference_string (list[0]);
  CHECK_STR (c, "quay.io/a/b:latest");
  reference_list_free (list);

  /* "library/x" stays as written on other registries */
  CHECK_INT (reference_resolve ("library/x", conf, 0, &list, &err), ==, 0);
  REQUIRE (list && list[0]);
  CHECK_STR (list[0]->path, "library/x");
  reference_list_free (list);
}

static void
test_digest_helpers (void)
{
  CHECK (digest_valid (D64));
  CHECK (!digest_valid ("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
  CHECK (!digest_valid ("sha256:"));
  CHECK (!digest_valid ("sha384:00"));
  _cleanup_free_ char *d = digest_buffer ("sha256", "", 0);
  CHECK_STR (d, D64);
  _cleanup_free_ char *d2 = digest_buffer ("sha512", "abc", 3);
  CHECK_STR (d2, "sha512:"
                 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a83"
                 "6ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  CHECK (digest_valid (d2));
}

int
main (void)
{
  RUN (test_good);
  RUN (test_bad);
  RUN (test_too_long);
  RUN (test_flags);
  RUN (test_resolve);
  RUN (test_digest_helpers);
  return tap_done ();
}
