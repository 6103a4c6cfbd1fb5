/* store.c - store layout, locks, blobs, layer ingestion, garbage collection.
 *
 * Crash safety: nothing appears under blobs/ or layers/ except by rename()
 * of a complete, verified, synced temporary object from tmp/ (same
 * filesystem), and a layer is recorded in the database only after its
 * rename.  A process killed at any point leaves at worst: files in tmp/
 * (removed by the next process that finds the store idle), a blob or layer
 * directory without a database row (overwritten by the next ingest of the
 * same digest, removed by gc), or rows of layers no image uses (gc).
 */
#include "store-internal.h"

#include "stream.h"
#include "unpack.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *
image_store_root (struct image_store *s)
{
  return s->root;
}

const char *
image_store_runroot (struct image_store *s)
{
  return s->runroot;
}

int
image_store_rootfd (struct image_store *s)
{
  return s->rootfd;
}

struct db *
image_store_db (struct image_store *s)
{
  return s->db;
}

static int
flock_retry (int fd, int op)
{
  int r;
  do
    r = flock (fd, op);
  while (r < 0 && errno == EINTR);
  return r;
}

/* Remove everything in tmp/: only called with store.lock held exclusively,
 * when no other process can be writing there. */
static void
clean_tmp (struct image_store *s)
{
  int fd = openat (s->rootfd, "tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return;
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return;
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      struct error *e = NULL;
      log_debug ("removing stale `tmp/%s`", de->d_name);
      if (fs_rm_rf_at (dirfd (d), de->d_name, &e) < 0)
        error_free (e);
    }
}

int
image_store_open (const char *root, const char *runroot, struct image_store **out,
                  struct error **err)
{
  if (root == NULL)
    root = IMAGE_STORE_DEFAULT_ROOT;
  if (runroot == NULL)
    runroot = IMAGE_STORE_DEFAULT_RUNROOT;
  struct image_store *s = calloc (1, sizeof *s);
  if (s == NULL)
    return error_set (err, ENOMEM, "out of memory");
  s->rootfd = s->lockfd = -1;
  s->sync_layers = true;
  const char *e = getenv ("HULL_LAYER_SYNC");
  if (e && strcmp (e, "0") == 0)
    s->sync_layers = false;
  int r;
  s->root = strdup (root);
  s->runroot = strdup (runroot);
  if (s->root == NULL || s->runroot == NULL)
    {
      r = error_set (err, ENOMEM, "out of memory");
      goto fail;
    }
  r = fs_mkdir_p (AT_FDCWD, root, 0700, err);
  if (r < 0)
    goto fail;
  s->rootfd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->rootfd < 0)
    {
      r = error_errno (err, errno, "open store `%s`", root);
      goto fail;
    }
  static const char *const dirs[] = { "blobs", "blobs/sha256", "blobs/sha512", "layers", "tmp",
                                      "locks", "snapshots" };
  for (size_t i = 0; i < ARRAY_SIZE (dirs); i++)
    if (mkdirat (s->rootfd, dirs[i], 0700) < 0 && errno != EEXIST)
      {
        r = error_errno (err, errno, "create `%s/%s`", root, dirs[i]);
        goto fail;
      }
  s->lockfd = openat (s->rootfd, "locks/store.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                      0600);
  if (s->lockfd < 0)
    {
      r = error_errno (err, errno, "open `%s/locks/store.lock`", root);
      goto fail;
    }
  /* Alone? Then whatever is in tmp/ belongs to a dead process. */
  if (flock_retry (s->lockfd, LOCK_EX | LOCK_NB) == 0)
    {
      clean_tmp (s);
      flock_retry (s->lockfd, LOCK_UN);
    }
  if (flock_retry (s->lockfd, LOCK_SH) < 0)
    {
      r = error_errno (err, errno, "lock the store");
      goto fail;
    }
  r = store_db_open (s, err);
  if (r < 0)
    goto fail;
  *out = s;
  return 0;
fail:
  image_store_close (s);
  return r;
}

void
image_store_close (struct image_store *s)
{
  if (s == NULL)
    return;
  db_close (s->db);
  safe_close (s->lockfd);
  safe_close (s->rootfd);
  free (s->root);
  free (s->runroot);
  free (s);
}

int
image_store_lock (struct image_store *s, const char *name, struct error **err)
{
  char path[256];
  snprintf (path, sizeof path, "locks/%s.lock", name);
  int fd = openat (s->rootfd, path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return error_errno (err, errno, "open lock `%s`", path);
  if (flock_retry (fd, LOCK_EX) < 0)
    {
      int e = errno;
      close (fd);
      return error_errno (err, e, "lock `%s`", path);
    }
  return fd;
}

int
image_store_tmpdir (struct image_store *s, char **path, int *fd, struct error **err)
{
  _cleanup_free_ char *p = NULL;
  if (asprintf (&p, "%s/tmp/layer-XXXXXX", s->root) < 0)
    return error_set (err, ENOMEM, "out of memory");
  if (mkdtemp (p) == NULL)
    return error_errno (err, errno, "create a temporary directory in `%s/tmp`", s->root);
  if (fd)
    {
      *fd = open (p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (*fd < 0)
        {
          int e = errno;
          rmdir (p);
          return error_errno (err, e, "open `%s`", p);
        }
    }
  *path = TAKE_PTR (p);
  return 0;
}

/* ----------------------------------------------------------------- blobs */

static int
blob_rel (const char *digest, char *buf, size_t cap)
{
  if (!digest_valid (digest))
    return -EINVAL;
  const char *colon = strchr (digest, ':');
  snprintf (buf, cap, "blobs/%.*s/%s", (int) (colon - digest), digest, colon + 1);
  return 0;
}

bool
image_store_has_blob (struct image_store *s, const char *digest)
{
  char rel[256];
  if (blob_rel (digest, rel, sizeof rel) < 0)
    return false;
  return faccessat (s->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

char *
image_store_blob_path (struct image_store *s, const char *digest)
{
  char rel[256];
  char *p = NULL;
  if (blob_rel (digest, rel, sizeof rel) < 0)
    return NULL;
  if (asprintf (&p, "%s/%s", s->root, rel) < 0)
    return NULL;
  return p;
}

int
image_store_open_blob (struct image_store *s, const char *digest, int *fd, struct error **err)
{
  char rel[256];
  if (blob_rel (digest, rel, sizeof rel) < 0)
    return error_set (err, EINVAL, "invalid digest `%s`", digest);
  int f = openat (s->rootfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (f < 0)
    return error_errno (err, errno, "blob `%s`", digest);
  *fd = f;
  return 0;
}

int
image_store_read_blob (struct image_store *s, const char *digest, size_t max, char **data,
                       size_t *len, struct error **err)
{
  _cleanup_close_ int fd = -1;
  int r = image_store_open_blob (s, digest, &fd, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *buf = NULL;
  size_t n = 0;
  r = fs_read_fd (fd, max, &buf, &n, err);
  if (r < 0)
    return error_prefix (err, "blob `%s`", digest);
  _cleanup_free_ char *got = digest_buffer (digest, buf, n);
  if (got == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (strcmp (got, digest) != 0)
    return error_set (err, EBADMSG, "blob `%s` is corrupt in the store (digest %s)", digest, got);
  *data = TAKE_PTR (buf);
  if (len)
    *len = n;
  return 0;
}

struct blob_writer
{
  struct image_store *s;
  char *tmp; /* path relative to rootfd */
  int fd;
  bool committed;
};

int
blob_writer_new (struct image_store *s, struct blob_writer **out, struct error **err)
{
  struct blob_writer *w = calloc (1, sizeof *w);
  if (w == NULL)
    return error_set (err, ENOMEM, "out of memory");
  w->s = s;
  w->fd = -1;
  _cleanup_free_ char *abs = NULL;
  if (asprintf (&abs, "%s/tmp/blob-XXXXXX", s->root) < 0)
    {
      free (w);
      return error_set (err, ENOMEM, "out of memory");
    }
  w->fd = mkostemp (abs, O_CLOEXEC);
  if (w->fd < 0)
    {
      int e = errno;
      free (w);
      return error_errno (err, e, "create a temporary file in `%s/tmp`", s->root);
    }
  w->tmp = strdup (abs + strlen (s->root) + 1);
  if (w->tmp == NULL)
    {
      unlink (abs);
      close (w->fd);
      free (w);
      return error_set (err, ENOMEM, "out of memory");
    }
  fchmod (w->fd, 0644);
  *out = w;
  return 0;
}

int
blob_writer_fd (struct blob_writer *w)
{
  return w->fd;
}

static void
fsync_dir (struct image_store *s, const char *rel)
{
  int fd = openat (s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

int
blob_writer_commit (struct blob_writer *w, const char *digest, struct error **err)
{
  char rel[256];
  if (blob_rel (digest, rel, sizeof rel) < 0)
    return error_set (err, EINVAL, "invalid digest `%s`", digest);
  if (fsync (w->fd) < 0)
    return error_errno (err, errno, "sync blob `%s`", digest);
  /* Content-addressed: replacing an existing file with the same bytes is
   * harmless, and rename is atomic for readers. */
  if (renameat (w->s->rootfd, w->tmp, w->s->rootfd, rel) < 0)
    return error_errno (err, errno, "store blob `%s`", digest);
  w->committed = true;
  char dir[256];
  snprintf (dir, sizeof dir, "%s", rel);
  *strrchr (dir, '/') = '\0';
  fsync_dir (w->s, dir);
  return 0;
}

void
blob_writer_free (struct blob_writer *w)
{
  if (w == NULL)
    return;
  if (!w->committed && w->tmp)
    unlinkat (w->s->rootfd, w->tmp, 0);
  safe_close (w->fd);
  free (w->tmp);
  free (w);
}

int
image_store_put_blob (struct image_store *s, const void *data, size_t len, const char *expect,
                      char **out_digest, struct error **err)
{
  _cleanup_free_ char *d = digest_buffer (expect ? expect : "sha256", data, len);
  if (d == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (expect && strcmp (d, expect) != 0)
    return error_set (err, EBADMSG, "blob `%s`: digest mismatch (got %s)", expect, d);
  if (!image_store_has_blob (s, d))
    {
      _cleanup_blob_writer_ struct blob_writer *w = NULL;
      int r = blob_writer_new (s, &w, err);
      if (r < 0)
        return r;
      r = fs_write_all (w->fd, data, len);
      if (r < 0)
        return error_errno (err, -r, "write blob `%s`", d);
      r = blob_writer_commit (w, d, err);
      if (r < 0)
        return r;
    }
  if (out_digest)
    *out_digest = TAKE_PTR (d);
  return 0;
}

/* ---------------------------------------------------------------- layers */

static int
layer_rel (const char *diff_id, char *buf, size_t cap)
{
  if (!digest_valid (diff_id) || strncmp (diff_id, "sha256:", 7) != 0)
    return -EINVAL;
  snprintf (buf, cap, "layers/%s", digest_hex (diff_id));
  return 0;
}

bool
image_store_has_layer (struct image_store *s, const char *diff_id)
{
  char rel[128];
  if (layer_rel (diff_id, rel, sizeof rel) < 0)
    return false;
  return store_db_has_layer (s, diff_id)
         && faccessat (s->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int
image_store_layer_info (struct image_store *s, const char *diff_id, uint64_t *size, char **blob,
                        uint64_t *blob_size, char **media_type, struct error **err)
{
  return store_db_layer_blob (s, diff_id, blob, blob_size, media_type, size, err);
}

char *
image_store_layer_path (struct image_store *s, const char *diff_id)
{
  char rel[128];
  char *p = NULL;
  if (layer_rel (diff_id, rel, sizeof rel) < 0)
    return NULL;
  if (asprintf (&p, "%s/%s", s->root, rel) < 0)
    return NULL;
  return p;
}

void
layer_ingest_clear (struct layer_ingest *li)
{
  free (li->out_blob_digest);
  free (li->out_diff_id);
  free (li->out_media_type);
  li->out_blob_digest = li->out_diff_id = li->out_media_type = NULL;
}

/* Progress: a pass-through counting the bytes read. */
struct count_stream
{
  struct stream s;
  struct stream *in;
  uint64_t n;
  void (*cb) (uint64_t, void *);
  void *data;
};

static ssize_t
count_next (struct stream *s, const void **buf, struct error **err)
{
  struct count_stream *c = (struct count_stream *) s;
  ssize_t n = stream_next (c->in, buf, err);
  if (n > 0)
    {
      c->n += (uint64_t) n;
      if (c->cb)
        c->cb (c->n, c->data);
    }
  return n;
}

static void
count_free (struct stream *s)
{
  struct count_stream *c = (struct count_stream *) s;
  stream_free (c->in);
  free (c);
}

static const struct stream_ops count_ops = { count_next, count_free };

static struct stream *
count_new (struct stream *in, void (*cb) (uint64_t, void *), void *data)
{
  struct count_stream *c = calloc (1, sizeof *c);
  if (c == NULL)
    {
      stream_free (in);
      return NULL;
    }
  c->s.ops = &count_ops;
  c->in = in;
  c->cb = cb;
  c->data = data;
  return &c->s;
}

static const char *
layer_media_type (enum compression c)
{
  switch (c)
    {
    case COMPRESSION_GZIP:
      return "application/vnd.oci.image.layer.v1.tar+gzip";
    case COMPRESSION_ZSTD:
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    default:
      return "application/vnd.oci.image.layer.v1.tar";
    }
}

/* Fill li's outputs from the database row of an existing layer. */
static int
existing_layer (struct image_store *s, const char *diff_id, struct layer_ingest *li,
                struct error **err)
{
  _cleanup_free_ char *blob = NULL, *mt = NULL;
  uint64_t bs = 0, size = 0;
  int r = store_db_layer_blob (s, diff_id, &blob, &bs, &mt, &size, err);
  if (r < 0)
    return r;
  li->out_existed = true;
  li->out_diff_id = strdup (diff_id);
  li->out_blob_digest = TAKE_PTR (blob);
  li->out_blob_size = bs;
  li->out_media_type = TAKE_PTR (mt);
  li->out_size = size;
  return 0;
}

/* Move the unpacked tmp dir to layers/<hex> and record it.  Called with the
 * layer's lock held. */
static int
commit_layer (struct image_store *s, const char *tmp, int tmpfd, const char *diff_id,
              const struct unpack_stats *st, const char *blob, uint64_t blob_size,
              const char *media_type, struct error **err)
{
  char rel[128];
  layer_rel (diff_id, rel, sizeof rel);
  if (s->sync_layers && syncfs (tmpfd) < 0)
    return error_errno (err, errno, "sync layer `%s`", diff_id);
  /* layers/<hex> without a row: a crash between rename and insert, or a
   * half-deleted layer; it is ours to replace (we hold the lock). */
  if (faccessat (s->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    {
      int r = fs_rm_rf_at (s->rootfd, rel, err);
      if (r < 0)
        return r;
    }
  char abs[4096];
  snprintf (abs, sizeof abs, "%s/%s", s->root, rel);
  if (rename (tmp, abs) < 0)
    return error_errno (err, errno, "store layer `%s`", diff_id);
  fsync_dir (s, "layers");
  return store_db_add_layer (s, diff_id, st->bytes, st->entries, blob, blob_size, media_type,
                             err);
}

int
image_store_ingest_layer (struct image_store *s, struct stream *in, struct layer_ingest *li,
                          struct error **err)
{
  _cleanup_stream_ struct stream *src = in;
  _cleanup_close_ int lockfd = -1;
  _cleanup_free_ char *tmp = NULL;
  _cleanup_close_ int tmpfd = -1;
  _cleanup_blob_writer_ struct blob_writer *bw = NULL;
  const char *what = li->what ? li->what : "layer";
  int r;

  if (li->diff_id)
    {
      if (!digest_valid (li->diff_id) || strncmp (li->diff_id, "sha256:", 7) != 0)
        return error_set (err, EINVAL, "%s: invalid diff id `%s`", what, li->diff_id);
      char name[128];
      snprintf (name, sizeof name, "layer-%s", digest_hex (li->diff_id));
      lockfd = image_store_lock (s, name, err);
      if (lockfd < 0)
        return lockfd;
      /* Another process may have unpacked it while we waited. */
      if (image_store_has_layer (s, li->diff_id)
          && (li->blob_digest == NULL || image_store_has_blob (s, li->blob_digest)))
        return existing_layer (s, li->diff_id, li, err);
    }
  if (li->blob_digest && !digest_valid (li->blob_digest))
    return error_set (err, EINVAL, "%s: invalid digest `%s`", what, li->blob_digest);

  r = blob_writer_new (s, &bw, err);
  if (r < 0)
    return r;
  r = image_store_tmpdir (s, &tmp, &tmpfd, err);
  if (r < 0)
    return r;

  /* Build the pipeline (see stream.h).  Stages keep pointers to the ones
   * they read from: dec and blobv/diffv are borrowed for their results. */
  struct stream *top = src, *blobv = NULL, *diffv = NULL, *dec = NULL, *gz = NULL;
  src = NULL;
  char bwhat[128], dwhat[128];
  snprintf (bwhat, sizeof bwhat, "blob `%s`", li->blob_digest ? li->blob_digest : "(new)");
  snprintf (dwhat, sizeof dwhat, "%s: uncompressed content", what);
  if (li->progress)
    top = count_new (top, li->progress, li->progress_data);
  if (top && !li->compress)
    {
      top = blobv = stream_verify_new (top, bwhat, li->blob_digest, li->blob_size, 0);
      if (top && li->source_verifies)
        stream_verify_trust_source (blobv);
      if (top)
        top = stream_tee_new (top, blob_writer_fd (bw));
      if (top)
        top = dec = stream_decompress_new (top, COMPRESSION_AUTO);
      if (top)
        top = diffv = stream_verify_new (top, dwhat, li->diff_id, -1, 0);
    }
  else if (top)
    {
      top = diffv = stream_verify_new (top, dwhat, li->diff_id, -1, 0);
      if (top)
        top = gz = stream_gzip_tee_new (top, blob_writer_fd (bw));
    }
  /* decompression and digests on one core, the unpacker on another */
  if (top)
    top = stream_thread_new (top, 8u << 20);
  _cleanup_stream_ struct stream *pipeline = top;
  if (pipeline == NULL)
    return error_set (err, ENOMEM, "out of memory");

  struct unpack_limits lim;
  unpack_limits_default (&lim);
  struct unpack_stats st = { 0 };
  r = layer_unpack (tmpfd, pipeline, &lim, &st, err);
  if (r < 0)
    {
      struct error *e2 = NULL;
      fs_rm_rf_at (AT_FDCWD, tmp, &e2);
      error_free (e2);
      return error_prefix (err, "%s", what);
    }

  /* Every digest checked: the stages saw all bytes (layer_unpack drains). */
  const char *blob_digest = gz ? stream_gzip_tee_digest (gz) : stream_verify_digest (blobv);
  uint64_t blob_size = gz ? stream_gzip_tee_size (gz) : stream_verify_size (blobv);
  const char *diff_id = stream_verify_digest (diffv);
  const char *mt = layer_media_type (gz ? COMPRESSION_GZIP : stream_decompress_kind (dec));
  if (blob_digest == NULL || diff_id == NULL)
    return error_set (err, ENOMEM, "out of memory");

  r = blob_writer_commit (bw, blob_digest, err);
  if (r < 0)
    goto fail;
  if (lockfd < 0)
    {
      char name[128];
      snprintf (name, sizeof name, "layer-%s", digest_hex (diff_id));
      lockfd = image_store_lock (s, name, err);
      if (lockfd < 0)
        {
          r = lockfd;
          goto fail;
        }
    }
  if (image_store_has_layer (s, diff_id))
    {
      /* same content unpacked by someone else meanwhile (import) */
      struct error *e2 = NULL;
      fs_rm_rf_at (AT_FDCWD, tmp, &e2);
      error_free (e2);
      r = store_db_add_layer (s, diff_id, st.bytes, st.entries, blob_digest, blob_size, mt, err);
      if (r < 0)
        return r;
      r = existing_layer (s, diff_id, li, err);
      if (r < 0)
        return r;
      free (li->out_blob_digest);
      li->out_blob_digest = strdup (blob_digest);
      li->out_blob_size = blob_size;
      free (li->out_media_type);
      li->out_media_type = strdup (mt);
      return 0;
    }
  r = commit_layer (s, tmp, tmpfd, diff_id, &st, blob_digest, blob_size, mt, err);
  if (r < 0)
    goto fail;
  li->out_existed = false;
  li->out_blob_digest = strdup (blob_digest);
  li->out_blob_size = blob_size;
  li->out_diff_id = strdup (diff_id);
  li->out_size = st.bytes;
  li->out_media_type = strdup (mt);
  if (!li->out_blob_digest || !li->out_diff_id || !li->out_media_type)
    return error_set (err, ENOMEM, "out of memory");
  return 0;
fail:
  {
    struct error *e2 = NULL;
    fs_rm_rf_at (AT_FDCWD, tmp, &e2);
    error_free (e2);
  }
  return error_prefix (err, "%s", what);
}

/* ------------------------------------------------------------------- gc */

static int
gc_scan_layers (struct image_store *s, uint64_t *freed)
{
  int fd = openat (s->rootfd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return -errno;
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      char id[300];
      snprintf (id, sizeof id, "sha256:%s", de->d_name);
      if (digest_valid (id) && store_db_has_layer (s, id))
        continue;
      struct error *e = NULL;
      if (fs_rm_rf_at (dirfd (d), de->d_name, &e) == 0)
        (*freed)++;
      error_free (e);
    }
  return 0;
}

static int
gc_scan_blobs (struct image_store *s, const char *algo, uint64_t *freed)
{
  char rel[32];
  snprintf (rel, sizeof rel, "blobs/%s", algo);
  int fd = openat (s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return -errno;
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      char dg[300];
      snprintf (dg, sizeof dg, "%s:%s", algo, de->d_name);
      if (digest_valid (dg) && store_db_blob_used (s, dg))
        continue;
      if (unlinkat (dirfd (d), de->d_name, 0) == 0)
        (*freed)++;
    }
  return 0;
}

int
image_store_gc (struct image_store *s, uint64_t *freed, struct error **err)
{
  uint64_t n = 0;
  /* Give up our shared hold and try for the exclusive one without waiting:
   * while any other process is adding content, collection is skipped (it
   * happens at a later rmi/prune), never blocking the user. */
  flock_retry (s->lockfd, LOCK_UN);
  if (flock_retry (s->lockfd, LOCK_EX | LOCK_NB) < 0)
    {
      flock_retry (s->lockfd, LOCK_SH);
      if (freed)
        *freed = 0;
      return 0;
    }
  int ret = 0;
  clean_tmp (s);
  _cleanup_strv_ char **unused = NULL;
  ret = store_db_unused_layers (s, &unused, err);
  if (ret < 0)
    goto out;
  for (size_t i = 0; unused && unused[i]; i++)
    {
      /* row first: a crash after it leaves a directory gc_scan_layers finds */
      ret = store_db_delete_layer (s, unused[i], err);
      if (ret < 0)
        goto out;
    }
  gc_scan_layers (s, &n);
  gc_scan_blobs (s, "sha256", &n);
  gc_scan_blobs (s, "sha512", &n);
  ret = 0;
out:
  flock_retry (s->lockfd, LOCK_UN);
  flock_retry (s->lockfd, LOCK_SH);
  if (freed)
    *freed = n;
  return ret;
}
