/* archive-lazy.c - libarchive, loaded when a tar is first read or written.
 *
 * libarchive links libxml2, ICU, libstdc++, liblzma, liblz4, libbz2, libacl
 * and nettle: a dozen shared libraries, ~1.5 ms of dynamic loading at every
 * hull command, including `hull run` of a local image, which reads no tar.
 * As curl-lazy.c does for libcurl, these definitions of the libarchive
 * functions hull's modules call are part of the executable, so the linker
 * (--as-needed) drops libarchive from hull's dependencies; each dlopen()s
 * libarchive.so.13 on first use and calls the real function.  A function
 * not listed here is simply linked from libarchive.so as usual (and then
 * libarchive is loaded at start again): the list was made from the
 * archive_*() calls in lib/ and cmd/hull with the prototypes of
 * <archive.h> and <archive_entry.h>.
 */
#include <archive.h>
#include <archive_entry.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

static void *lib;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load (void)
{
  lib = dlopen ("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL)
    fprintf (stderr, "hull: cannot load libarchive (needed to read and write tars): %s\n",
             dlerror ());
}

static void *
sym (const char *name)
{
  pthread_once (&once, load);
  return lib ? dlsym (lib, name) : NULL;
}

/* ret name (params): call the real one; without libarchive, a null/zero
 * result (a NULL handle, which every caller checks) */
#define LAZY(ret, name, params, types, args)                                                      \
  ret name params                                                                                 \
  {                                                                                               \
    typedef ret (*fn_t) types;                                                                    \
    static fn_t f;                                                                                \
    if (f == NULL)                                                                                \
      f = (fn_t) sym (#name);                                                                     \
    return f ? f args : (ret) 0;                                                                  \
  }
#define LAZYV(name, params, types, args)                                                          \
  void name params                                                                                \
  {                                                                                               \
    typedef void (*fn_t) types;                                                                   \
    static fn_t f;                                                                                \
    if (f == NULL)                                                                                \
      f = (fn_t) sym (#name);                                                                     \
    if (f)                                                                                        \
      f args;                                                                                     \
  }

LAZY (time_t, archive_entry_atime, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (int, archive_entry_atime_is_set, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (long, archive_entry_atime_nsec, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZYV (archive_entry_copy_stat, (struct archive_entry * a0, const struct stat * a1), (struct archive_entry *, const struct stat *), (a0, a1))
LAZY (__LA_MODE_T, archive_entry_filetype, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZYV (archive_entry_free, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (la_int64_t, archive_entry_gid, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (const char *, archive_entry_hardlink, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZYV (archive_entry_linkify, (struct archive_entry_linkresolver * a0, struct archive_entry ** a1, struct archive_entry ** a2), (struct archive_entry_linkresolver *, struct archive_entry **, struct archive_entry **), (a0, a1, a2))
LAZYV (archive_entry_linkresolver_free, (struct archive_entry_linkresolver * a0), (struct archive_entry_linkresolver *), (a0))
LAZY (struct archive_entry_linkresolver *, archive_entry_linkresolver_new, (void), (void), ())
LAZYV (archive_entry_linkresolver_set_strategy, (struct archive_entry_linkresolver * a0, int a1), (struct archive_entry_linkresolver *, int), (a0, a1))
LAZY (__LA_MODE_T, archive_entry_mode, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (time_t, archive_entry_mtime, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (long, archive_entry_mtime_nsec, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (struct archive_entry *, archive_entry_new, (void), (void), ())
LAZY (const char *, archive_entry_pathname, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (const char *, archive_entry_pathname_utf8, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (__LA_MODE_T, archive_entry_perm, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (dev_t, archive_entry_rdev, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (dev_t, archive_entry_rdevmajor, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (dev_t, archive_entry_rdevminor, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZYV (archive_entry_set_filetype, (struct archive_entry * a0, unsigned int a1), (struct archive_entry *, unsigned int), (a0, a1))
LAZYV (archive_entry_set_gname, (struct archive_entry * a0, const char * a1), (struct archive_entry *, const char *), (a0, a1))
LAZYV (archive_entry_set_hardlink, (struct archive_entry * a0, const char * a1), (struct archive_entry *, const char *), (a0, a1))
LAZYV (archive_entry_set_mtime, (struct archive_entry * a0, time_t a1, long a2), (struct archive_entry *, time_t, long), (a0, a1, a2))
LAZYV (archive_entry_set_pathname, (struct archive_entry * a0, const char * a1), (struct archive_entry *, const char *), (a0, a1))
LAZYV (archive_entry_set_perm, (struct archive_entry * a0, __LA_MODE_T a1), (struct archive_entry *, __LA_MODE_T), (a0, a1))
LAZYV (archive_entry_set_size, (struct archive_entry * a0, la_int64_t a1), (struct archive_entry *, la_int64_t), (a0, a1))
LAZYV (archive_entry_set_symlink, (struct archive_entry * a0, const char * a1), (struct archive_entry *, const char *), (a0, a1))
LAZYV (archive_entry_set_uname, (struct archive_entry * a0, const char * a1), (struct archive_entry *, const char *), (a0, a1))
LAZY (la_int64_t, archive_entry_size, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (const char *, archive_entry_symlink, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (const char *, archive_entry_symlink_utf8, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (la_int64_t, archive_entry_uid, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZYV (archive_entry_xattr_add_entry, (struct archive_entry * a0, const char * a1, const void * a2, size_t a3), (struct archive_entry *, const char *, const void *, size_t), (a0, a1, a2, a3))
LAZY (int, archive_entry_xattr_next, (struct archive_entry * a0, const char ** a1, const void ** a2, size_t * a3), (struct archive_entry *, const char **, const void **, size_t *), (a0, a1, a2, a3))
LAZY (int, archive_entry_xattr_reset, (struct archive_entry * a0), (struct archive_entry *), (a0))
LAZY (const char *, archive_error_string, (struct archive * a0), (struct archive *), (a0))
LAZY (int, archive_free, (struct archive * a0), (struct archive *), (a0))
LAZY (la_ssize_t, archive_read_data, (struct archive * a0, void * a1, size_t a2), (struct archive *, void *, size_t), (a0, a1, a2))
LAZY (int, archive_read_data_block, (struct archive *a, const void **buff, size_t *size, la_int64_t *offset), (struct archive *a, const void **buff, size_t *size, la_int64_t *offset), (a, buff, size, offset))
LAZY (int, archive_read_free, (struct archive * a0), (struct archive *), (a0))
LAZY (struct archive *, archive_read_new, (void), (void), ())
LAZY (int, archive_read_next_header, (struct archive * a0, struct archive_entry ** a1), (struct archive *, struct archive_entry **), (a0, a1))
LAZY (int, archive_read_open, (struct archive * a0, void *_client_data, archive_open_callback * a2, archive_read_callback * a3, archive_close_callback * a4), (struct archive *, void *_client_data, archive_open_callback *, archive_read_callback *, archive_close_callback *), (a0, _client_data, a2, a3, a4))
LAZY (int, archive_read_open_fd, (struct archive * a0, int _fd, size_t _block_size), (struct archive *, int _fd, size_t _block_size), (a0, _fd, _block_size))
LAZY (int, archive_read_support_filter_all, (struct archive * a0), (struct archive *), (a0))
LAZY (int, archive_read_support_filter_gzip, (struct archive * a0), (struct archive *), (a0))
LAZY (int, archive_read_support_filter_xz, (struct archive * a0), (struct archive *), (a0))
LAZY (int, archive_read_support_filter_zstd, (struct archive * a0), (struct archive *), (a0))
LAZY (int, archive_read_support_format_tar, (struct archive * a0), (struct archive *), (a0))
LAZY (int, archive_write_close, (struct archive * a0), (struct archive *), (a0))
LAZY (la_ssize_t, archive_write_data, (struct archive * a0, const void * a1, size_t a2), (struct archive *, const void *, size_t), (a0, a1, a2))
LAZY (la_ssize_t, archive_write_data_block, (struct archive * a0, const void * a1, size_t a2, la_int64_t a3), (struct archive *, const void *, size_t, la_int64_t), (a0, a1, a2, a3))
LAZY (struct archive *, archive_write_disk_new, (void), (void), ())
LAZY (int, archive_write_disk_set_options, (struct archive * a0, int flags), (struct archive *, int flags), (a0, flags))
LAZY (int, archive_write_disk_set_standard_lookup, (struct archive * a0), (struct archive *), (a0))
LAZY (int, archive_write_finish_entry, (struct archive * a0), (struct archive *), (a0))
LAZY (int, archive_write_free, (struct archive * a0), (struct archive *), (a0))
LAZY (int, archive_write_header, (struct archive * a0, struct archive_entry * a1), (struct archive *, struct archive_entry *), (a0, a1))
LAZY (struct archive *, archive_write_new, (void), (void), ())
LAZY (int, archive_write_open_fd, (struct archive * a0, int _fd), (struct archive *, int _fd), (a0, _fd))
LAZY (int, archive_write_set_bytes_in_last_block, (struct archive * a0, int bytes_in_last_block), (struct archive *, int bytes_in_last_block), (a0, bytes_in_last_block))
LAZY (int, archive_write_set_format_pax_restricted, (struct archive * a0), (struct archive *), (a0))

void
archive_set_error (struct archive *a, int err, const char *fmt, ...)
{
  typedef void (*fn_t) (struct archive *, int, const char *, ...);
  static fn_t f;
  if (f == NULL)
    f = (fn_t) sym ("archive_set_error");
  if (f == NULL)
    return;
  char buf[1024];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  f (a, err, "%s", buf);
}
