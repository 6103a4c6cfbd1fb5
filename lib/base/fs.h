/* fs.h - file and path helpers, including safe resolution inside a root.
 *
 * Everything a container controls (its rootfs, image layers) is hostile: a
 * path inside it must be resolved as if that directory were "/", so that
 * neither "..", an absolute symlink nor a relative symlink can lead out.
 * fs_open_in_root() uses openat2(RESOLVE_IN_ROOT) where the kernel has it and
 * a component-by-component walk (O_NOFOLLOW, symlinks re-resolved against the
 * root, ".." clamped at the root) elsewhere; both are tested.
 */
#ifndef HULL_BASE_FS_H
#define HULL_BASE_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct error;

/* Read a whole file (at most max bytes, else -EFBIG); *out is NUL-terminated. */
int fs_read_file_at (int dirfd, const char *path, size_t max, char **out,
                     size_t *len, struct error **err);
static inline int
fs_read_file (const char *path, size_t max, char **out, size_t *len,
              struct error **err)
{
  return fs_read_file_at (-100 /* AT_FDCWD */, path, max, out, len, err);
}
/* Read all of an fd (at most max bytes). */
int fs_read_fd (int fd, size_t max, char **out, size_t *len, struct error **err);

/* Write data to an existing file (O_WRONLY|O_TRUNC, no O_CREAT), e.g. /proc or
 * cgroup files. */
int fs_write_file_at (int dirfd, const char *path, const char *data, size_t len,
                      struct error **err);
/* Create or replace path atomically: temp file, fsync, rename. */
int fs_write_file_atomic (int dirfd, const char *path, const char *data,
                          size_t len, mode_t mode, struct error **err);
/* The same without fsync: for files rebuilt at every start or kept on a
 * tmpfs (/run), where atomic visibility matters and durability does not. */
int fs_write_file_volatile (int dirfd, const char *path, const char *data, size_t len,
                            mode_t mode, struct error **err);

/* write() until done, EINTR-safe; returns -errno. */
int fs_write_all (int fd, const void *buf, size_t len);
/* read() exactly len bytes; returns bytes read (short only at EOF) or -errno. */
ssize_t fs_read_all (int fd, void *buf, size_t len);

/* mkdir -p relative to dirfd (host paths only: follows symlinks). */
int fs_mkdir_p (int dirfd, const char *path, mode_t mode, struct error **err);
/* rm -rf relative to dirfd, never following symlinks, staying on one device.
 * A missing path is not an error. */
int fs_rm_rf_at (int dirfd, const char *path, struct error **err);

/* Resolve `path` inside the directory `rootfd` as if it were "/", and open it
 * with `flags` (O_PATH, O_DIRECTORY, O_RDONLY... O_CLOEXEC added; O_CREAT
 * allowed for the last component).  The final component is not followed when
 * flags has O_NOFOLLOW.  Returns an fd or -errno. */
int fs_open_in_root (int rootfd, const char *path, int flags, mode_t mode,
                     struct error **err);
/* Like fs_open_in_root, creating missing directories (mode) on the way; the
 * result is an O_PATH|O_DIRECTORY fd of the final directory. */
int fs_mkdir_in_root (int rootfd, const char *path, mode_t mode,
                      struct error **err);
/* For tests: force the fallback walk even where openat2 exists. */
extern bool fs_force_resolve_fallback;

/* "/proc/self/fd/N" for an O_PATH fd, to hand to APIs that only take paths. */
#define FS_PROCFD_LEN 32
char *fs_procfd_path (int fd, char buf[FS_PROCFD_LEN]);

/* Join a and b with one '/' between; returns malloc'd string or NULL. */
char *fs_path_join (const char *a, const char *b);
/* Normalise a path lexically: collapse "//", drop ".", resolve ".." without
 * going above the start. Result is malloc'd. */
char *fs_path_clean (const char *path);

bool fs_exists_at (int dirfd, const char *path);

#endif
