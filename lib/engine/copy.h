/* copy.h - trees in and out of containers as tar streams: `hull cp`
 * (both directions, "-" for a tar on stdin/stdout), `hull commit` (the
 * upper directory as a layer with OCI whiteouts), `hull diff`.
 *
 * Everything under a container root is hostile.  Reading: the walk opens
 * every entry with openat(O_NOFOLLOW) relative to its already-open parent
 * directory, so a symlink (or a rename race) cannot lead it out.  Writing
 * into a root: every parent is opened component by component with
 * O_NOFOLLOW|O_DIRECTORY from the destination directory, missing ones are
 * made, a symlink on the way is an error, and an existing symlink where a
 * file is to be written is replaced, never written through.
 */
#ifndef HULL_ENGINE_COPY_H
#define HULL_ENGINE_COPY_H

#include <stdbool.h>
#include <stdint.h>

struct error;

struct copy_walk
{
  /* Write the subtree at (dirfd, name) to outfd as a pax tar whose top
   * entry is called top (contents_only: the children at the top level). */
  bool contents_only;
  /* the tree is an overlay upper directory: 0:0 character devices become
   * .wh.NAME, an opaque directory gets a .wh..wh..opq entry (commit) */
  bool overlay_upper;
  /* relative paths (no leading /) left out, e.g. the mount points the
   * engine created; NULL-terminated */
  const char *const *exclude;
};

/* fd: O_PATH or O_RDONLY of the thing to copy (file, directory, symlink -
 * a symlink is copied as itself). */
int copy_tree_to_tar (int fd, const char *top, const struct copy_walk *w, int outfd,
                      struct error **err);

/* Extract the tar read from infd under destfd (a directory inside a
 * container root), safely (see above); owners, modes, times, xattrs kept.
 * Entry names are cleaned: absolute names and ".." are refused. */
int copy_tar_into (int destfd, int infd, struct error **err);

/* Extract the tar read from infd into the host directory dest with
 * libarchive's secure flags (no "..", no absolute names, no write through
 * a symlink the tar made). */
int copy_tar_to_host (const char *dest, int infd, struct error **err);

/* Run producer(arg, wfd) in a thread writing into a pipe whose read end
 * consumer(arg2, rfd) reads; both errors are reported, the first wins. */
int copy_pipe (int (*producer) (void *arg, int wfd, struct error **err), void *parg,
               int (*consumer) (void *arg, int rfd, struct error **err), void *carg,
               struct error **err);

#endif
