/* Manifests, indexes, configs, platforms; and the decompressing streams. */
#include "base/error.h"
#include "base/strv.h"
#include "image/manifest.h"
#include "image/stream.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#define D64 "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static char *
parse_err (const char *doc, const char *hint)
{
  struct manifest *m = NULL;
  struct error *e = NULL;
  char *msg = NULL;
  if (manifest_parse (doc, strlen (doc), hint, &m, &e) < 0)
    msg = strdup (e->msg);
  manifest_free (m);
  error_free (e);
  return msg;
}

static void
test_manifest (void)
{
  const char *doc = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\",\"config\":{"
                    "\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D64 "\",\"size\":7},"
                    "\"layers\":[{\"mediaType\":\"" MT_OCI_LAYER_GZIP "\",\"digest\":\"" D64
                    "\",\"size\":9}]}";
  struct manifest *m = NULL;
  struct error *e = NULL;
  CHECK_INT (manifest_parse (doc, strlen (doc), NULL, &m, &e), ==, 0);
  REQUIRE (m != NULL);
  CHECK_INT (m->kind, ==, MANIFEST_IMAGE);
  CHECK_INT (m->nlayers, ==, 1);
  CHECK_INT (m->layers[0].size, ==, 9);
  CHECK_STR (m->config.digest, D64);
  manifest_free (m);
  char *msg = parse_err ("{\"schemaVersion\":1,\"fsLayers\":[]}", NULL);
  CHECK_STR (msg, "manifest: Docker schema1 manifests are not supported");
  free (msg);
  msg = parse_err ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/x-helm\",\"digest\":\"" D64
                   "\",\"size\":1},\"layers\":[]}", NULL);
  CHECK_STR (msg, "manifest: not a container image (config media type `application/x-helm`)");
  free (msg);
  msg = parse_err ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MT_OCI_CONFIG
                   "\",\"digest\":\"sha256:../x\",\"size\":1},\"layers\":[]}", NULL);
  CHECK_STR (msg, "manifest: config: invalid digest `sha256:../x`");
  free (msg);
  msg = parse_err (doc, MT_DOCKER_MANIFEST);
  CHECK (msg && strstr (msg, "does not match"));
  free (msg);
  msg = parse_err ("{\"schemaVersion\":2,", NULL);
  CHECK (msg && strstr (msg, "invalid JSON"));
  free (msg);
}

static void
test_platforms (void)
{
  const char *doc
      = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":["
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D64 "\",\"size\":1,"
        "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}},"
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
        "1111111111111111111111111111111111111111111111111111111111111111\",\"size\":1,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
        "2222222222222222222222222222222222222222222222222222222222222222\",\"size\":1,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
        "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
        "3333333333333333333333333333333333333333333333333333333333333333\",\"size\":1,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}}]}";
  struct manifest *m = NULL;
  struct error *e = NULL;
  REQUIRE (manifest_parse (doc, strlen (doc), NULL, &m, &e) == 0);
  CHECK_INT (m->kind, ==, MANIFEST_INDEX);
  struct platform p = { 0 };
  const struct descriptor *d = NULL;
  CHECK_INT (platform_parse ("linux/arm64/v8", &p, &e), ==, 0);
  CHECK_INT (manifest_select_platform (m, &p, &d, &e), ==, 0);
  CHECK (d && d->digest[7] == '2');
  platform_clear (&p);
  CHECK_INT (platform_parse ("aarch64", &p, &e), ==, 0);
  CHECK_STR (p.architecture, "arm64");
  platform_clear (&p);
  CHECK_INT (platform_parse ("linux/arm/v6", &p, &e), ==, 0);
  CHECK_INT (manifest_select_platform (m, &p, &d, &e), ==, -ENOENT);
  CHECK_STR (e ? e->msg : NULL, "no image for platform `linux/arm/v6` (available: unknown/unknown, "
                                "linux/amd64, linux/arm64, linux/arm/v7)");
  error_free (e);
  e = NULL;
  platform_clear (&p);
  CHECK_INT (platform_parse ("linux/../x", &p, &e), ==, -EINVAL);
  error_free (e);
  manifest_free (m);
}

static void
test_config (void)
{
  const char *doc = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":"
                    "\"2024-01-02T03:04:05.5+01:00\",\"config\":{\"Env\":[\"A=1\"],\"Cmd\":null,"
                    "\"Entrypoint\":[\"/bin/sh\"],\"User\":\"1000\",\"ExposedPorts\":{\"80/tcp\":{}},"
                    "\"Labels\":{\"k\":\"v\"},\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],"
                    "\"Retries\":3}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D64 "\"]},"
                    "\"history\":[{\"created_by\":\"x\",\"empty_layer\":true},{}]}";
  struct image_config *c = NULL;
  struct error *e = NULL;
  CHECK_INT (image_config_parse (doc, strlen (doc), &c, &e), ==, 0);
  REQUIRE (c != NULL);
  CHECK_INT (c->created, ==, 1704161045);
  CHECK_STR (c->env[0], "A=1");
  CHECK (c->cmd == NULL);
  CHECK_STR (c->entrypoint[0], "/bin/sh");
  CHECK_STR (c->user, "1000");
  CHECK_STR (c->exposed_ports[0], "80/tcp");
  CHECK_STR (c->labels[0], "k=v");
  CHECK_INT (c->healthcheck_retries, ==, 3);
  CHECK_INT (strv_len (c->diff_ids), ==, 1);
  CHECK_INT (c->nhistory, ==, 2);
  CHECK (c->history[0].empty_layer);
  image_config_free (c);
  const char *bad = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:x\"]}}";
  CHECK_INT (image_config_parse (bad, strlen (bad), &c, &e), <, 0);
  CHECK_STR (e ? e->msg : NULL, "image config: rootfs.diff_ids[0]: invalid digest `sha256:x`");
  error_free (e);
}

static size_t
drain_all (struct stream *s, char **out, char **msg)
{
  size_t n = 0, cap = 1 << 16;
  *out = malloc (cap);
  const void *b;
  ssize_t r;
  struct error *e = NULL;
  while ((r = stream_next (s, &b, &e)) > 0)
    {
      while (n + (size_t) r > cap)
        *out = realloc (*out, cap *= 2);
      memcpy (*out + n, b, (size_t) r);
      n += (size_t) r;
    }
  *msg = e ? strdup (e->msg) : NULL;
  error_free (e);
  return n;
}

static void
test_streams (void)
{
  /* gzip: two members, then zero padding */
  static char plain[300000];
  for (size_t i = 0; i < sizeof plain; i++)
    plain[i] = (char) ("abcdefgh"[i % 8] + (i % 1000 == 0));
  int fd = memfd_create ("gz", 0);
  for (int k = 0; k < 2; k++)
    {
      struct stream *g = stream_gzip_tee_new (stream_mem_new (plain, sizeof plain), fd);
      struct error *e = NULL;
      CHECK_INT (stream_drain (g, &e), ==, 0);
      stream_free (g);
    }
  CHECK_INT (write (fd, "\0\0\0\0", 4), ==, 4);
  size_t gl = (size_t) lseek (fd, 0, SEEK_END);
  char *gz = malloc (gl);
  CHECK_INT (pread (fd, gz, gl, 0), ==, (ssize_t) gl);
  close (fd);
  char *out, *msg;
  struct stream *d = stream_decompress_new (stream_mem_new (gz, gl), COMPRESSION_AUTO);
  size_t n = drain_all (d, &out, &msg);
  CHECK (msg == NULL);
  CHECK_INT (stream_decompress_kind (d), ==, COMPRESSION_GZIP);
  CHECK_INT (n, ==, 2 * sizeof plain);
  CHECK (memcmp (out, plain, sizeof plain) == 0 && memcmp (out + sizeof plain, plain, sizeof plain) == 0);
  stream_free (d);
  free (out);
  free (msg);
  /* truncated gzip */
  d = stream_decompress_new (stream_mem_new (gz, gl / 3), COMPRESSION_AUTO);
  drain_all (d, &out, &msg);
  CHECK_STR (msg, "gzip: unexpected end of the compressed data");
  stream_free (d);
  free (out);
  free (msg);
  free (gz);
  /* zstd, and plain bytes passed through */
  size_t zc = ZSTD_compressBound (sizeof plain);
  char *z = malloc (zc);
  size_t zl = ZSTD_compress (z, zc, plain, sizeof plain, 3);
  d = stream_decompress_new (stream_mem_new (z, zl), COMPRESSION_AUTO);
  n = drain_all (d, &out, &msg);
  CHECK (msg == NULL);
  CHECK_INT (n, ==, sizeof plain);
  CHECK_INT (stream_decompress_kind (d), ==, COMPRESSION_ZSTD);
  stream_free (d);
  free (out);
  free (msg);
  d = stream_decompress_new (stream_mem_new (z, zl - 10), COMPRESSION_AUTO);
  drain_all (d, &out, &msg);
  CHECK_STR (msg, "zstd: unexpected end of the compressed data");
  stream_free (d);
  free (out);
  free (msg);
  free (z);
  d = stream_decompress_new (stream_mem_new ("ab", 2), COMPRESSION_AUTO);
  n = drain_all (d, &out, &msg);
  CHECK_INT (n, ==, 2);
  CHECK_INT (stream_decompress_kind (d), ==, COMPRESSION_NONE);
  stream_free (d);
  free (out);
  free (msg);
  /* the threaded stage passes bytes and errors through */
  d = stream_thread_new (stream_mem_new (plain, sizeof plain), 4096);
  n = drain_all (d, &out, &msg);
  CHECK_INT (n, ==, sizeof plain);
  CHECK (msg == NULL && memcmp (out, plain, sizeof plain) == 0);
  stream_free (d);
  free (out);
  free (msg);
  d = stream_thread_new (stream_verify_new (stream_mem_new ("abc", 3), "blob `x`", D64, 3, 0), 64);
  drain_all (d, &out, &msg);
  CHECK (msg && strstr (msg, "blob `x`: digest mismatch (got sha256:ba7816bf"));
  stream_free (d);
  free (out);
  free (msg);
}

int
main (void)
{
  RUN (test_manifest);
  RUN (test_platforms);
  RUN (test_config);
  RUN (test_streams);
  return tap_done ();
}
