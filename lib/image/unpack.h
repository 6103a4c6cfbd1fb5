/* unpack.h - turn a layer tar stream into a directory, safely.
 *
 * The tar comes from a registry or an archive we do not control.  Every
 * entry is created by this code with *at() calls relative to the layer root:
 * parents are opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) (or
 * a component walk with O_NOFOLLOW where openat2 is missing), so neither a
 * `..` nor a symlink - planted by an earlier entry - can lead a write out of
 * the layer.  See docs/design/images.md, "Unpack defences".
 *
 * OCI whiteouts become what overlayfs understands: `.wh.NAME` a 0:0
 * character device NAME, `.wh..wh..opq` the xattr trusted.overlay.opaque=y
 * on its directory.
 */
#ifndef HULL_IMAGE_UNPACK_H
#define HULL_IMAGE_UNPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct stream;

struct unpack_limits
{
  uint64_t max_entries; /* entries in one layer */
  uint64_t max_bytes;   /* sum of regular file sizes */
  size_t max_path;      /* length of an entry name or link target */
};

#define UNPACK_DEFAULT_MAX_ENTRIES (4u << 20)
#define UNPACK_DEFAULT_MAX_BYTES (64ull << 30)
#define UNPACK_DEFAULT_MAX_PATH 4095

/* Limits from the environment for tests and admins
 * (HULL_LAYER_MAX_ENTRIES, HULL_LAYER_MAX_BYTES), else the defaults. */
void unpack_limits_default (struct unpack_limits *lim);

struct unpack_stats
{
  uint64_t entries;
  uint64_t bytes; /* regular file bytes */
};

/* Unpack the (uncompressed) tar read from `in` into the empty directory
 * dirfd.  Errors read "entry `NAME`: what is wrong" (the caller prefixes the
 * layer); on error the directory holds a partial result that the caller
 * throws away.  The stream is read to its end on success. */
int layer_unpack (int dirfd, struct stream *in, const struct unpack_limits *lim,
                  struct unpack_stats *stats, struct error **err);

/* Tests: resolve parents with the O_NOFOLLOW walk instead of openat2. */
extern bool unpack_force_walk;

#endif
