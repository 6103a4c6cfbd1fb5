/* registries.json: parsing, prefix matching, insecure/loopback, mirrors,
 * blocked registries, certs.d lookup. */
#include "registry/reference.h"
#include "registry/registries.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include "../../lib/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

static char tmpdir[] = "/tmp/hull-test-registries.XXXXXX";

static struct registries_conf *
parse (const char *json)
{
  struct registries_conf *c = NULL;
  _cleanup_error_ struct error *err = NULL;
  if (registries_conf_parse (json, strlen (json), &c, &err) < 0)
    printf ("#   parse: %s\n", err->msg);
  return c;
}

static const char conf_json[]
    = "{\"unqualified-search-registries\":[\"127.0.0.1:5000\",\"docker.io\"],"
      "\"registries\":{"
      "\"docker.io\":{\"mirrors\":[\"mirror.lan:5000\",\"10.0.0.9/hub\"]},"
      "\"docker.io/library\":{\"mirrors\":[\"lib.lan/l\"]},"
      "\"localhost:5000\":{\"insecure\":false},"
      "\"plain.lan:80\":{\"insecure\":true},"
      "\"mirror.lan:5000\":{\"insecure\":true},"
      "\"bad.example/evil\":{\"blocked\":true}},"
      "\"certs-dirs\":[\"/nonexistent\"]}";

static void
test_parse_and_find (void)
{
  _cleanup_registries_conf_ struct registries_conf *c = parse (conf_json);
  REQUIRE (c);
  CHECK_INT (strv_len (c->search), ==, 2);
  CHECK_INT (c->n_entries, ==, 6);
  const struct registry_entry *e = registries_find (c, "docker.io", "library/busybox");
  CHECK_STR (e ? e->prefix : NULL, "docker.io/library");
  e = registries_find (c, "docker.io", "libraryx/busybox");
  CHECK_STR (e ? e->prefix : NULL, "docker.io");
  CHECK (registries_find (c, "quay.io", "a") == NULL);

  CHECK (registries_insecure (c, "plain.lan:80"));
  CHECK (!registries_insecure (c, "plain.lan"));
  CHECK (registries_insecure (c, "127.0.0.1:5000"));  /* loopback */
  CHECK (!registries_insecure (c, "localhost:5000")); /* loopback, but said false */
  CHECK (registries_insecure (NULL, "localhost"));
  CHECK (registries_insecure (NULL, "[::1]:5000"));
  CHECK (!registries_insecure (NULL, "127.example.com"));
  CHECK (!registries_insecure (NULL, "1.2.3.4:5000"));
}

static void
test_endpoints (void)
{
  _cleanup_registries_conf_ struct registries_conf *c = parse (conf_json);
  REQUIRE (c);
  _cleanup_error_ struct error *err = NULL;
  _cleanup_reference_ struct reference *r = NULL;
  REQUIRE (reference_parse ("user/app:1", 0, &r, &err) == 0);
  struct registry_endpoint *eps = NULL;
  size_t n = 0;
  CHECK_INT (registries_endpoints (c, r, false, &eps, &n, &err), ==, 0);
  REQUIRE (n == 3);
  CHECK_STR (eps[0].domain, "mirror.lan:5000");
  CHECK_STR (eps[0].path, "user/app");
  CHECK (eps[0].mirror && eps[0].insecure);
  CHECK_STR (eps[1].domain, "10.0.0.9");
  CHECK_STR (eps[1].path, "hub/user/app");
  CHECK (eps[1].mirror && !eps[1].insecure);
  CHECK_STR (eps[2].domain, "docker.io");
  CHECK_STR (eps[2].path, "user/app");
  CHECK (!eps[2].mirror);
  registry_endpoints_free (eps, n);

  /* for push: no mirrors */
  CHECK_INT (registries_endpoints (c, r, true, &eps, &n, &err), ==, 0);
  CHECK_INT (n, ==, 1);
  registry_endpoints_free (eps, n);

  /* the longest prefix's mirrors, with the prefix replaced */
  reference_free (r);
  r = NULL;
  REQUIRE (reference_parse ("busybox", 0, &r, &err) == 0);
  CHECK_INT (registries_endpoints (c, r, false, &eps, &n, &err), ==, 0);
  REQUIRE (n == 2);
  CHECK_STR (eps[0].domain, "lib.lan");
  CHECK_STR (eps[0].path, "l/busybox");
  registry_endpoints_free (eps, n);

  reference_free (r);
  r = NULL;
  REQUIRE (reference_parse ("bad.example/evil/x", 0, &r, &err) == 0);
  CHECK_INT (registries_endpoints (c, r, true, &eps, &n, &err), ==, -EACCES);
  CHECK_STR (err ? err->msg : NULL,
             "registry `bad.example/evil` is blocked in `the registries configuration`");
}

static void
test_bad_conf (void)
{
  const struct
  {
    const char *json, *msg;
  } bad[] = {
    { "[]", "registries configuration must be a JSON object" },
    { "{\"unqualified-search-registries\":[\"a b\"]}",
      "unqualified-search-registries: invalid registry `a b`" },
    { "{\"registries\":{\"h\":{\"insecure\":\"yes\"}}}",
      "registries: `h`: `insecure` must be a boolean, not string" },
    { "{\"registries\":{\"h\":{\"mirror\":[]}}}", "registries: `h`: unknown key `mirror`" },
    { "{\"registries\":{\"h\":{\"mirrors\":[\"x y\"]}}}", "registries: `h`: invalid mirror `x y`" },
    { "{\"registries\":{\"-h\":{}}}", "registries: invalid registry location `-h`" },
    { "{\"certs-dirs\":[\"rel\"]}", "certs-dirs: `rel` is not an absolute path" },
    { "{\"search\":[]}", "unknown key `search`" },
    { "{", "invalid JSON: unexpected end of input" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      struct registries_conf *c = NULL;
      _cleanup_error_ struct error *err = NULL;
      CHECK_INT (registries_conf_parse (bad[i].json, strlen (bad[i].json), &c, &err), <, 0);
      CHECK (c == NULL);
      CHECK_STR (err ? err->msg : NULL, bad[i].msg);
    }
}

static void
touch (const char *rel)
{
  _cleanup_free_ char *p = fs_path_join (tmpdir, rel);
  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *dir = strdup (p);
  *strrchr (dir, '/') = '\0';
  fs_mkdir_p (AT_FDCWD, dir, 0755, &err);
  fs_write_file_atomic (AT_FDCWD, p, "x", 1, 0644, &err);
}

static void
test_load_and_certs (void)
{
  _cleanup_error_ struct error *err = NULL;
  /* explicit missing file: error; default missing: defaults */
  struct registries_conf *c = NULL;
  CHECK_INT (registries_conf_load ("/nonexistent/registries.json", &c, &err), ==, -ENOENT);
  CHECK (err && strstr (err->msg, "registries configuration: "));
  error_freep (&err);

  _cleanup_free_ char *d1 = fs_path_join (tmpdir, "d1"), *d2 = fs_path_join (tmpdir, "d2");
  char json[512];
  snprintf (json, sizeof json, "{\"certs-dirs\":[\"%s\",\"%s\"]}", d1, d2);
  _cleanup_free_ char *cf = fs_path_join (tmpdir, "registries.json");
  REQUIRE (fs_write_file_atomic (AT_FDCWD, cf, json, strlen (json), 0644, &err) == 0);
  setenv ("HULL_REGISTRIES_CONF", cf, 1);
  CHECK_INT (registries_conf_load (NULL, &c, &err), ==, 0);
  unsetenv ("HULL_REGISTRIES_CONF");
  REQUIRE (c);
  CHECK_STR (c->path, cf);

  touch ("d2/reg:5000/ca.crt");
  touch ("d2/reg:5000/b.crt");
  touch ("d2/reg:5000/client.cert");
  touch ("d2/reg:5000/client.key");
  touch ("d2/reg:5000/README");
  struct registry_tls_files f;
  CHECK_INT (registries_tls_files (c, "reg:5000", NULL, &f, &err), ==, 0);
  CHECK_INT (strv_len (f.ca_files), ==, 2);
  if (strv_len (f.ca_files) == 2)
    {
      CHECK (str_has_suffix (f.ca_files[0], "d2/reg:5000/b.crt"));
      CHECK (str_has_suffix (f.ca_files[1], "d2/reg:5000/ca.crt"));
    }
  CHECK_INT (strv_len (f.client_certs), ==, 1);
  CHECK (f.client_keys && str_has_suffix (f.client_keys[0], "d2/reg:5000/client.key"));
  registry_tls_files_clear (&f);

  /* the first directory that has the host wins, even when empty */
  touch ("d1/reg:5000/.keep");
  CHECK_INT (registries_tls_files (c, "reg:5000", NULL, &f, &err), ==, 0);
  CHECK (f.ca_files == NULL);
  registry_tls_files_clear (&f);

  /* a key without certificate */
  touch ("d1/reg:5000/lonely.key");
  CHECK_INT (registries_tls_files (c, "reg:5000", NULL, &f, &err), ==, -ENOENT);
  CHECK (err && strstr (err->msg, "lonely.key` has no client certificate"));
  error_freep (&err);
  CHECK_INT (registries_tls_files (c, "../x", NULL, &f, &err), ==, -EINVAL);
  error_freep (&err);

  /* --cert-dir: the files directly in it */
  _cleanup_free_ char *extra = fs_path_join (tmpdir, "d2/reg:5000");
  CHECK_INT (registries_tls_files (c, "other", extra, &f, &err), ==, 0);
  CHECK_INT (strv_len (f.ca_files), ==, 2);
  registry_tls_files_clear (&f);
  registries_conf_free (c);
}

int
main (void)
{
  if (mkdtemp (tmpdir) == NULL)
    return 1;
  RUN (test_parse_and_find);
  RUN (test_endpoints);
  RUN (test_bad_conf);
  RUN (test_load_and_certs);
  struct error *err = NULL;
  fs_rm_rf_at (AT_FDCWD, tmpdir, &err);
  error_free (err);
  return tap_done ();
}
