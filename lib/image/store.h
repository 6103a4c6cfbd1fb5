/* store.h - the local image store: content-addressed blobs, unpacked layers
 * shared between images, and image metadata in SQLite.
 *
 *   ROOT/blobs/sha256/<hex>      blobs (manifests, configs, compressed layers)
 *   ROOT/layers/<diffid hex>/    a layer unpacked (its own diff only)
 *   ROOT/tmp/                    temporary files and directories
 *   ROOT/locks/                  flock files (store.lock, layer-<hex>.lock)
 *   ROOT/hull.db                 SQLite (WAL): images, names, layers...
 *   ROOT/snapshots/<id>/         per-container upper/work dirs (snapshot.h)
 *
 * Concurrency: any number of hull processes may use one store.  Metadata
 * changes are SQLite transactions; a layer is unpacked under an exclusive
 * flock on its lock file (others wait, then find it done); temporary
 * objects are removed only by a process holding store.lock exclusively,
 * which no process can while another is working (each holds it shared).
 * See docs/design/images.md.
 */
#ifndef HULL_IMAGE_STORE_H
#define HULL_IMAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct error;
struct stream;
struct image_store;
struct db;

#define IMAGE_STORE_DEFAULT_ROOT "/var/lib/hull"
#define IMAGE_STORE_DEFAULT_RUNROOT "/run/hull"

/* Open (creating if needed) the store at root; runroot holds mount points
 * and other state that does not survive a reboot.  Removes what crashed
 * processes left in tmp/ when no other process is active. */
int image_store_open (const char *root, const char *runroot, struct image_store **out,
                      struct error **err);
void image_store_close (struct image_store *s);
static inline void image_store_closep (struct image_store **s)
{
  if (*s)
    image_store_close (*s);
}
#define _cleanup_image_store_ __attribute__ ((cleanup (image_store_closep)))

const char *image_store_root (struct image_store *s);
const char *image_store_runroot (struct image_store *s);
int image_store_rootfd (struct image_store *s);
/* The store's database (lib/db), for the tables of the modules above. */
struct db *image_store_db (struct image_store *s);

/* ---- blobs ---- */

#define BLOB_SMALL_MAX (8u << 20) /* manifests, configs, indexes */

bool image_store_has_blob (struct image_store *s, const char *digest);
/* "ROOT/blobs/sha256/<hex>" (malloc'd). */
char *image_store_blob_path (struct image_store *s, const char *digest);
int image_store_open_blob (struct image_store *s, const char *digest, int *fd,
                           struct error **err);
/* Read a small blob (at most max bytes), verifying its digest. */
int image_store_read_blob (struct image_store *s, const char *digest, size_t max, char **data,
                           size_t *len, struct error **err);
/* Store a small blob from memory; digest computed (out may be NULL) and
 * checked against expect when given. */
int image_store_put_blob (struct image_store *s, const void *data, size_t len,
                          const char *expect, char **out_digest, struct error **err);

/* A blob being written: a temporary file in blobs/ (same filesystem), made
 * visible under its digest by commit (fsync, rename, fsync dir).  Dropping
 * an uncommitted writer removes the file. */
struct blob_writer;
int blob_writer_new (struct image_store *s, struct blob_writer **out, struct error **err);
int blob_writer_fd (struct blob_writer *w);
int blob_writer_commit (struct blob_writer *w, const char *digest, struct error **err);
void blob_writer_free (struct blob_writer *w);
static inline void blob_writer_freep (struct blob_writer **w)
{
  if (*w)
    blob_writer_free (*w);
}
#define _cleanup_blob_writer_ __attribute__ ((cleanup (blob_writer_freep)))

/* ---- layers ---- */

/* True when layers/<hex> is complete and recorded. */
bool image_store_has_layer (struct image_store *s, const char *diff_id);
/* What the store knows of a layer: unpacked size, and the compressed blob
 * it holds for it (each out may be NULL). */
int image_store_layer_info (struct image_store *s, const char *diff_id, uint64_t *size,
                            char **blob, uint64_t *blob_size, char **media_type,
                            struct error **err);
/* "ROOT/layers/<hex>" (malloc'd). */
char *image_store_layer_path (struct image_store *s, const char *diff_id);

struct layer_ingest
{
  /* in: */
  const char *what;          /* "layer sha256:..." for messages */
  const char *blob_digest;   /* expected compressed digest, NULL if unknown */
  int64_t blob_size;         /* expected size, -1 if unknown */
  const char *diff_id;       /* expected diff id, NULL if unknown */
  bool compress;             /* the input is an uncompressed tar to gzip */
  bool source_verifies;      /* the source checks blob_digest itself (registry) */
  /* Called with the number of input bytes consumed so far (may be NULL). */
  void (*progress) (uint64_t done, void *data);
  void *progress_data;
  /* out: */
  char *out_blob_digest;     /* malloc'd */
  uint64_t out_blob_size;
  char *out_diff_id;         /* malloc'd */
  uint64_t out_size;         /* unpacked bytes */
  char *out_media_type;      /* the blob's media type (OCI), malloc'd */
  bool out_existed;          /* another process had done it meanwhile */
};
void layer_ingest_clear (struct layer_ingest *li);

/* Store one layer: the bytes of `in` (a compressed or plain tar) are
 * written to a blob, digested, decompressed, digested again (the diff id)
 * and unpacked, all in one pass.  With compress, an uncompressed tar is
 * gzipped into the blob on the way (import, load of docker-archive).
 * Nothing is left of a layer whose digests or contents fail. */
int image_store_ingest_layer (struct image_store *s, struct stream *in, struct layer_ingest *li,
                              struct error **err);

/* ---- the store-wide lock ---- */

/* Held shared by every operation that adds content; exclusive by the
 * garbage collector.  image_store_open takes it shared. */
int image_store_gc (struct image_store *s, uint64_t *freed, struct error **err);

/* ---- helpers for other parts of lib/image ---- */

int image_store_tmpdir (struct image_store *s, char **path, int *fd, struct error **err);
/* Lock file locks/<name>.lock, flock'ed LOCK_EX (blocking); returns the fd. */
int image_store_lock (struct image_store *s, const char *name, struct error **err);

#endif
