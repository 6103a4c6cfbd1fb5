/* Store: layers ingested once, digests enforced with nothing left behind,
 * image records, names, snapshots pinning images, garbage collection. */
#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "image/create.h"
#include "image/images.h"
#include "image/manifest.h"
#include "image/snapshot.h"
#include "image/store.h"
#include "image/stream.h"
#include "tap.h"
#include "tarbuild.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>
#include <zstd.h>

static char base[] = "/tmp/hull-store-XXXXXX";
static struct image_store *store;

static size_t
count_dir (const char *rel)
{
  char p[512];
  snprintf (p, sizeof p, "%s/root/%s", base, rel);
  DIR *d = opendir (p);
  if (d == NULL)
    return 0;
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir (d)))
    if (de->d_name[0] != '.')
      n++;
  closedir (d);
  return n;
}

/* a small layer: tar bytes, its gzip form, and both digests */
struct layer
{
  struct tb t;
  char *gz;
  size_t gzlen;
  char *diff_id, *blob;
};

static void
make_layer (struct layer *l, const char *tag)
{
  tb_begin (&l->t);
  tb_dir (&l->t, "etc");
  tb_file (&l->t, "etc/tag", tag);
  tb_file (&l->t, "bin/tool", "#!/bin/sh\necho hi\n");
  tb_end (&l->t);
  l->diff_id = digest_buffer ("sha256", l->t.buf, l->t.used);
  int fd = memfd_create ("gz", MFD_CLOEXEC);
  struct stream *s = stream_gzip_tee_new (stream_mem_new (l->t.buf, l->t.used), fd);
  struct error *e = NULL;
  stream_drain (s, &e);
  stream_free (s);
  l->gzlen = (size_t) lseek (fd, 0, SEEK_END);
  l->gz = malloc (l->gzlen);
  CHECK_INT (pread (fd, l->gz, l->gzlen, 0), ==, (ssize_t) l->gzlen);
  close (fd);
  l->blob = digest_buffer ("sha256", l->gz, l->gzlen);
}

static void
free_layer (struct layer *l)
{
  free (l->t.buf);
  free (l->gz);
  free (l->diff_id);
  free (l->blob);
}

static int
ingest (const void *data, size_t len, const char *blob, int64_t size, const char *diff,
        struct layer_ingest *li, char **msg)
{
  memset (li, 0, sizeof *li);
  li->what = "layer test";
  li->blob_digest = blob;
  li->blob_size = size;
  li->diff_id = diff;
  struct error *e = NULL;
  int r = image_store_ingest_layer (store, stream_mem_new (data, len), li, &e);
  *msg = e ? strdup (e->msg) : NULL;
  error_free (e);
  return r;
}

static void
test_ingest (void)
{
  struct layer l;
  make_layer (&l, "one");
  struct layer_ingest li;
  char *msg = NULL;
  CHECK_INT (ingest (l.gz, l.gzlen, l.blob, (int64_t) l.gzlen, l.diff_id, &li, &msg), ==, 0);
  CHECK (msg == NULL);
  CHECK (!li.out_existed);
  CHECK_STR (li.out_diff_id, l.diff_id);
  CHECK_STR (li.out_media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  CHECK (image_store_has_layer (store, l.diff_id));
  CHECK (image_store_has_blob (store, l.blob));
  layer_ingest_clear (&li);
  /* again: found, not redone */
  CHECK_INT (ingest (l.gz, l.gzlen, l.blob, (int64_t) l.gzlen, l.diff_id, &li, &msg), ==, 0);
  CHECK (li.out_existed);
  layer_ingest_clear (&li);
  CHECK_INT (count_dir ("tmp"), ==, 0);
  free_layer (&l);
}

static void
test_bad_blobs (void)
{
  struct layer l;
  make_layer (&l, "two");
  size_t layers = count_dir ("layers"), blobs = count_dir ("blobs/sha256");
  struct layer_ingest li;
  char *msg = NULL;
  const char *wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
  CHECK_INT (ingest (l.gz, l.gzlen, wrong, (int64_t) l.gzlen, l.diff_id, &li, &msg), <, 0);
  CHECK (msg && strstr (msg, "digest mismatch"));
  free (msg);
  layer_ingest_clear (&li);
  /* truncated */
  CHECK_INT (ingest (l.gz, l.gzlen / 2, l.blob, (int64_t) l.gzlen, l.diff_id, &li, &msg), <, 0);
  CHECK (msg != NULL);
  printf ("# truncated: %s\n", msg ? msg : "");
  free (msg);
  layer_ingest_clear (&li);
  /* oversized */
  CHECK_INT (ingest (l.gz, l.gzlen, l.blob, (int64_t) l.gzlen - 10, l.diff_id, &li, &msg), <, 0);
  CHECK (msg && strstr (msg, "larger than"));
  free (msg);
  layer_ingest_clear (&li);
  /* right blob, lying diff id */
  CHECK_INT (ingest (l.gz, l.gzlen, l.blob, (int64_t) l.gzlen, wrong, &li, &msg), <, 0);
  CHECK (msg && strstr (msg, "uncompressed content: digest mismatch"));
  free (msg);
  layer_ingest_clear (&li);
  CHECK_INT (count_dir ("layers"), ==, layers);
  CHECK_INT (count_dir ("blobs/sha256"), ==, blobs);
  CHECK_INT (count_dir ("tmp"), ==, 0);
  free_layer (&l);
}

static void
test_zstd (void)
{
  struct layer l;
  make_layer (&l, "zstd");
  size_t cap = ZSTD_compressBound (l.t.used);
  char *z = malloc (cap);
  size_t zl = ZSTD_compress (z, cap, l.t.buf, l.t.used, 3);
  char *zd = digest_buffer ("sha256", z, zl);
  struct layer_ingest li;
  char *msg = NULL;
  CHECK_INT (ingest (z, zl, zd, (int64_t) zl, l.diff_id, &li, &msg), ==, 0);
  CHECK_STR (li.out_media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
  layer_ingest_clear (&li);
  free (msg);
  free (z);
  free (zd);
  free_layer (&l);
}

static void
test_images (void)
{
  struct layer l;
  make_layer (&l, "img");
  struct image_import_opts o = { .name = "docker.io/library/test:1" };
  struct error *e = NULL;
  char *id = NULL;
  CHECK_INT (image_import (store, stream_mem_new (l.gz, l.gzlen), &o, &id, &e), ==, 0);
  if (e)
    printf ("# %s\n", e->msg);
  REQUIRE (id != NULL);
  struct image_info *img = NULL;
  CHECK_INT (image_store_resolve (store, "test:1", &img, &e), ==, 0);
  REQUIRE (img != NULL);
  CHECK_STR (img->id, id);
  CHECK_INT (strv_len (img->diff_ids), ==, 1);
  CHECK_STR (img->diff_ids[0], l.diff_id);
  image_info_free (img);
  img = NULL;
  /* by id prefix */
  char prefix[16];
  snprintf (prefix, sizeof prefix, "%.10s", id + 7);
  CHECK_INT (image_store_resolve (store, prefix, &img, &e), ==, 0);
  image_info_free (img);
  img = NULL;
  CHECK_INT (image_store_tag (store, id, "docker.io/library/other:2", &e), ==, 0);
  CHECK_INT (image_store_resolve (store, "other:2", &img, &e), ==, 0);
  image_info_free (img);
  img = NULL;
  CHECK_INT (image_store_resolve (store, "nosuch", &img, &e), ==, -ENOENT);
  CHECK_STR (e ? e->msg : NULL, "image `nosuch` not found");
  error_free (e);
  e = NULL;

  /* a snapshot pins the image */
  CHECK_INT (snapshot_create (store, "ctr1", id, &e), ==, 0);
  CHECK_INT (image_store_remove_image (store, id, &e), ==, -EBUSY);
  error_free (e);
  e = NULL;
  char *mp = NULL;
  int r = snapshot_mount (store, "ctr1", NULL, &mp, &e);
  CHECK_INT (r, ==, 0);
  if (r == 0)
    {
      char p[600];
      snprintf (p, sizeof p, "%s/etc/tag", mp);
      CHECK (access (p, F_OK) == 0);
      CHECK_INT (snapshot_unmount (store, "ctr1", NULL, &e), ==, 0);
    }
  else
    printf ("# %s\n", e->msg);
  free (mp);
  error_free (e);
  e = NULL;
  CHECK_INT (snapshot_remove (store, "ctr1", &e), ==, 0);
  CHECK_INT (count_dir ("snapshots"), ==, 0);

  CHECK_INT (image_store_remove_image (store, id, &e), ==, 0);
  uint64_t freed = 0;
  CHECK_INT (image_store_gc (store, &freed, &e), ==, 0);
  CHECK (!image_store_has_layer (store, l.diff_id));
  CHECK_INT (count_dir ("tmp"), ==, 0);
  free (id);
  free_layer (&l);
}

static void
test_legacy_mount (void)
{
  struct layer l;
  make_layer (&l, "legacy");
  struct image_import_opts o = { 0 };
  struct error *e = NULL;
  char *id = NULL;
  REQUIRE (image_import (store, stream_mem_new (l.gz, l.gzlen), &o, &id, &e) == 0);
  CHECK_INT (snapshot_create (store, "ctr2", id, &e), ==, 0);
  snapshot_force_legacy_mount = true;
  CHECK_INT (snapshot_mount (store, "ctr2", NULL, NULL, &e), ==, 0);
  snapshot_force_legacy_mount = false;
  CHECK_INT (snapshot_remove (store, "ctr2", &e), ==, 0);
  CHECK_INT (snapshot_create (store, "../x", id, &e), ==, -EINVAL);
  error_free (e);
  free (id);
  free_layer (&l);
}

int
main (void)
{
  if (mkdtemp (base) == NULL)
    return 1;
  char root[512];
  snprintf (root, sizeof root, "%s/root", base);
  struct error *e = NULL;
  if (image_store_open (root, base, &store, &e) < 0)
    {
      printf ("Bail out! %s\n", e->msg);
      return 1;
    }
  RUN (test_ingest);
  RUN (test_bad_blobs);
  RUN (test_zstd);
  RUN (test_images);
  RUN (test_legacy_mount);
  image_store_close (store);
  fs_rm_rf_at (AT_FDCWD, base, &e);
  error_free (e);
  return tap_done ();
}
