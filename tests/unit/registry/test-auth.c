/* auth.json: lookup across the file chain, namespaced keys, docker's URL keys,
 * atomic 0600 writes that keep unknown keys, logout. */
#include "registry/auth.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

#include "../../lib/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

static char tmpdir[] = "/tmp/hull-test-auth.XXXXXX";

static char *
path_in_tmp (const char *name)
{
  return fs_path_join (tmpdir, name);
}

static void
write_file (const char *name, const char *content)
{
  _cleanup_free_ char *p = path_in_tmp (name);
  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *dir = strdup (p);
  *strrchr (dir, '/') = '\0';
  fs_mkdir_p (AT_FDCWD, dir, 0700, &err);
  if (fs_write_file_atomic (AT_FDCWD, p, content, strlen (content), 0644, &err) < 0)
    printf ("# write %s: %s\n", p, err->msg);
}

static void
test_codec (void)
{
  _cleanup_free_ char *b = auth_encode ("user", "pa:ss");
  CHECK_STR (b, "dXNlcjpwYTpzcw==");
  _cleanup_free_ char *u = NULL, *p = NULL;
  _cleanup_error_ struct error *err = NULL;
  CHECK_INT (auth_decode (b, &u, &p, &err), ==, 0);
  CHECK_STR (u, "user");
  CHECK_STR (p, "pa:ss");
  const char *bad[]
      = { "", "abc", "ab=c", "!!!!", "dXNlcg==" /* "user": no colon */, "AA==" /* NUL byte */ };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      char *bu = NULL, *bp = NULL;
      error_freep (&err);
      CHECK_INT (auth_decode (bad[i], &bu, &bp, &err), ==, -EINVAL);
      CHECK (bu == NULL && bp == NULL);
    }
}

static void
test_chain (void)
{
  /* chain: $XDG_RUNTIME_DIR/containers/auth.json, $XDG_CONFIG_HOME/containers/auth.json,
   * $DOCKER_CONFIG/config.json */
  _cleanup_free_ char *rt = path_in_tmp ("run"), *cfg = path_in_tmp ("config"),
                      *dc = path_in_tmp ("docker");
  unsetenv ("REGISTRY_AUTH_FILE");
  setenv ("XDG_RUNTIME_DIR", rt, 1);
  setenv ("XDG_CONFIG_HOME", cfg, 1);
  setenv ("DOCKER_CONFIG", dc, 1);

  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *u = NULL, *p = NULL;
  CHECK_INT (auth_lookup (NULL, "reg:5000", "x", &u, &p, &err), ==, 0);

  _cleanup_free_ char *enc_a = auth_encode ("a", "pa"), *enc_b = auth_encode ("b", "pb"),
                      *enc_c = auth_encode ("c", "pc"), *enc_d = auth_encode ("d", "pd");
  char doc[1024];
  snprintf (doc, sizeof doc,
            "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"%s\"},"
            "\"reg:5000\":{\"auth\":\"%s\"},\"helper.example\":{}},"
            "\"credsStore\":\"secretservice\"}",
            enc_a, enc_b);
  write_file ("docker/config.json", doc);
  CHECK_INT (auth_lookup (NULL, "docker.io", "library/busybox", &u, &p, &err), ==, 1);
  CHECK_STR (u, "a");
  CHECK_STR (p, "pa");
  free (u), free (p), u = p = NULL;
  CHECK_INT (auth_lookup (NULL, "reg:5000", "x", &u, &p, &err), ==, 1);
  CHECK_STR (u, "b");
  free (u), free (p), u = p = NULL;
  /* "reg" is not "reg:5000"; an entry without "auth" is skipped */
  CHECK_INT (auth_lookup (NULL, "reg", "x", &u, &p, &err), ==, 0);
  CHECK_INT (auth_lookup (NULL, "helper.example", "x", &u, &p, &err), ==, 0);

  /* the runtime file comes first; a namespaced key beats the host key */
  snprintf (doc, sizeof doc,
            "{\"auths\":{\"reg:5000\":{\"auth\":\"%s\"},\"reg:5000/team\":{\"auth\":\"%s\"}}}",
            enc_c, enc_d);
  write_file ("run/containers/auth.json", doc);
  CHECK_INT (auth_lookup (NULL, "reg:5000", "x", &u, &p, &err), ==, 1);
  CHECK_STR (u, "c");
  free (u), free (p), u = p = NULL;
  CHECK_INT (auth_lookup (NULL, "reg:5000", "team/app", &u, &p, &err), ==, 1);
  CHECK_STR (u, "d");
  free (u), free (p), u = p = NULL;
  CHECK_INT (auth_lookup (NULL, "reg:5000", "teamx/app", &u, &p, &err), ==, 1);
  CHECK_STR (u, "c");
  free (u), free (p), u = p = NULL;

  /* REGISTRY_AUTH_FILE replaces the chain */
  _cleanup_free_ char *only = path_in_tmp ("only.json");
  setenv ("REGISTRY_AUTH_FILE", only, 1);
  CHECK_INT (auth_lookup (NULL, "reg:5000", "x", &u, &p, &err), ==, 0);
  unsetenv ("REGISTRY_AUTH_FILE");

  /* malformed files are errors, naming the file */
  write_file ("run/containers/auth.json", "{\"auths\":{\"reg:5000\":{\"auth\":\"***\"}}}");
  CHECK_INT (auth_lookup (NULL, "reg:5000", "x", &u, &p, &err), ==, -EINVAL);
  CHECK (err && strstr (err->msg, "auth.json`: `reg:5000`: `auth` is not valid base64"));
  error_freep (&err);
  write_file ("run/containers/auth.json", "{\"auths\":[]}");
  CHECK_INT (auth_lookup (NULL, "reg:5000", "x", &u, &p, &err), ==, -EINVAL);
  error_freep (&err);
  write_file ("run/containers/auth.json", "[1,2");
  CHECK_INT (auth_lookup (NULL, "reg:5000", "x", &u, &p, &err), ==, -EINVAL);
  CHECK (err && strstr (err->msg, "auth file `"));
}

static void
test_store_remove (void)
{
  _cleanup_free_ char *f = path_in_tmp ("sub/dir/auth.json");
  _cleanup_error_ struct error *err = NULL;
  CHECK_INT (auth_store (f, "reg:5000", "user", "secret", &err), ==, 0);
  struct stat st;
  REQUIRE (stat (f, &st) == 0);
  CHECK_INT (st.st_mode & 07777, ==, 0600);
  _cleanup_free_ char *dir = path_in_tmp ("sub/dir");
  REQUIRE (stat (dir, &st) == 0);
  CHECK_INT (st.st_mode & 07777, ==, 0700);

  _cleanup_free_ char *u = NULL, *p = NULL;
  CHECK_INT (auth_lookup (f, "reg:5000", NULL, &u, &p, &err), ==, 1);
  CHECK_STR (u, "user");
  CHECK_STR (p, "secret");
  free (u), free (p), u = p = NULL;

  /* other keys and entries survive; a URL spelling of the same host is replaced */
  write_file ("keep.json", "{\"auths\":{\"https://reg:5000/\":{\"auth\":\"eDp5\"},"
                           "\"other\":{\"auth\":\"eDp5\"}},\"credHelpers\":{\"a\":\"b\"}}");
  _cleanup_free_ char *k = path_in_tmp ("keep.json");
  CHECK_INT (auth_store (k, "reg:5000", "new", "pw", &err), ==, 0);
  _cleanup_json_ json_object *root = NULL;
  REQUIRE (jsonx_parse_file (k, 1 << 20, &root, &err) == 0);
  json_object *auths = json_object_object_get (root, "auths");
  CHECK (json_object_object_get (root, "credHelpers") != NULL);
  CHECK (json_object_object_get (auths, "other") != NULL);
  CHECK (json_object_object_get (auths, "https://reg:5000/") == NULL);
  CHECK_INT (json_object_object_length (auths), ==, 2);

  CHECK_INT (auth_remove (k, "reg:5000", &err), ==, 0);
  CHECK_INT (auth_lookup (k, "reg:5000", NULL, &u, &p, &err), ==, 0);
  CHECK_INT (auth_remove (k, "reg:5000", &err), ==, -ENOENT);
  CHECK_STR (err ? err->msg : NULL, "not logged in to `reg:5000`");
  error_freep (&err);
  CHECK_INT (auth_remove_all (k, &err), ==, 0);
  CHECK_INT (auth_lookup (k, "other", NULL, &u, &p, &err), ==, 0);
  json_object_put (root);
  root = NULL;
  REQUIRE (jsonx_parse_file (k, 1 << 20, &root, &err) == 0);
  CHECK (json_object_object_get (root, "credHelpers") != NULL);

  /* bad input */
  CHECK_INT (auth_store (f, "bad host", "u", "p", &err), ==, -EINVAL);
  error_freep (&err);
  CHECK_INT (auth_store (f, "h", "u:x", "p", &err), ==, -EINVAL);
  error_freep (&err);
  CHECK_INT (auth_store (f, "h", "", "p", &err), ==, -EINVAL);
}

int
main (void)
{
  if (mkdtemp (tmpdir) == NULL)
    return 1;
  RUN (test_codec);
  RUN (test_chain);
  RUN (test_store_remove);
  struct error *err = NULL;
  fs_rm_rf_at (AT_FDCWD, tmpdir, &err);
  error_free (err);
  return tap_done ();
}
