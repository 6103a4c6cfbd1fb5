/* cache.c - compiled programs on disk, so that the second container with a
 * profile does not pay libseccomp again.
 *
 * An entry is named after a 64-bit hash of the profile's canonical form
 * (compile.c) and holds that canonical form next to the program:
 *
 *   struct entry_header | canonical form | struct sock_filter[n_insns]
 *
 * It is used only when the stored canonical form equals the wanted one byte
 * for byte, so a hash collision costs a recompile, never a wrong filter.  A
 * checksum over the rest catches a damaged file; damaged, short or foreign
 * entries are ignored and rewritten.  Entries are written atomically (temp
 * file + rename).
 *
 * Trust: a cache entry becomes a container's syscall filter, so whoever can
 * write the cache can weaken every container.  The directory and each entry
 * must therefore belong to our effective uid and be writable by nobody else;
 * otherwise the cache is not used.
 */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"
#include "seccomp/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ENTRY_MAGIC "HULLBPF1"
#define ENTRY_SUFFIX ".bpf"

struct entry_header
{
  char magic[8];
  uint32_t canonical_len;
  uint32_t n_insns;
  uint64_t checksum; /* FNV-1a over canonical form and program */
};

const char *
seccomp_cache_entry_name (const char *canonical, size_t canon_len, char buf[32])
{
  uint64_t h = seccomp_fnv1a64 (SECCOMP_FNV_OFFSET, canonical, canon_len);
  snprintf (buf, 32, "%016" PRIx64 ENTRY_SUFFIX, h);
  return buf;
}

static bool
owned_and_private (const struct stat *st)
{
  return st->st_uid == geteuid () && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

int
seccomp_cache_open (const char *cache_dir, struct error **err)
{
  int fd = open (cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    {
      int r = fs_mkdir_p (AT_FDCWD, cache_dir, 0700, err);
      if (r < 0)
        return r;
      fd = open (cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  if (fd < 0)
    return error_errno (err, errno, "open `%s`", cache_dir);
  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      int e = errno;
      close (fd);
      return error_errno (err, e, "stat `%s`", cache_dir);
    }
  if (!owned_and_private (&st))
    {
      close (fd);
      return error_set (err, EPERM, "`%s` is not owned by uid %u or is writable by others",
                        cache_dir, (unsigned)geteuid ());
    }
  return fd;
}

int
seccomp_cache_lookup (int dirfd, const char *canonical, size_t canon_len, void **bpf,
                      size_t *n_insns)
{
  char name[32];
  seccomp_cache_entry_name (canonical, canon_len, name);

  _cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return 0;
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || !owned_and_private (&st))
    {
      log_debug ("seccomp: cache entry `%s` not trusted, ignored", name);
      return 0;
    }
  size_t want_min = sizeof (struct entry_header) + canon_len;
  if ((uint64_t)st.st_size < want_min + sizeof (struct sock_filter)
      || (uint64_t)st.st_size > SECCOMP_CACHE_MAX_ENTRY)
    {
      log_debug ("seccomp: cache entry `%s` has a bad size, ignored", name);
      return 0;
    }

  size_t size = (size_t)st.st_size;
  _cleanup_free_ char *buf = malloc (size);
  if (buf == NULL)
    return 0;
  if (fs_read_all (fd, buf, size) != (ssize_t)size)
    return 0;

  struct entry_header h;
  memcpy (&h, buf, sizeof h);
  const char *canon = buf + sizeof h;
  const char *prog = canon + canon_len;
  if (memcmp (h.magic, ENTRY_MAGIC, sizeof h.magic) != 0 || h.canonical_len != canon_len
      || h.n_insns == 0 || h.n_insns > SECCOMP_MAX_INSNS
      || size != want_min + (size_t)h.n_insns * sizeof (struct sock_filter)
      || memcmp (canon, canonical, canon_len) != 0)
    {
      log_debug ("seccomp: cache entry `%s` does not match, ignored", name);
      return 0;
    }
  uint64_t sum = seccomp_fnv1a64 (SECCOMP_FNV_OFFSET, canon, size - sizeof h);
  if (sum != h.checksum)
    {
      log_debug ("seccomp: cache entry `%s` is damaged, ignored", name);
      return 0;
    }

  size_t prog_size = (size_t)h.n_insns * sizeof (struct sock_filter);
  void *out = malloc (prog_size);
  if (out == NULL)
    return 0;
  memcpy (out, prog, prog_size);
  *bpf = out;
  *n_insns = h.n_insns;
  return 1;
}

struct aged
{
  char name[64];
  struct timespec mtime;
};

static int
older_first (const void *a, const void *b)
{
  const struct timespec *x = &((const struct aged *)a)->mtime;
  const struct timespec *y = &((const struct aged *)b)->mtime;
  if (x->tv_sec != y->tv_sec)
    return x->tv_sec < y->tv_sec ? -1 : 1;
  return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/* Keep the directory bounded: past SECCOMP_CACHE_MAX_FILES entries, remove
 * the oldest quarter (by mtime: a removed entry that is still wanted is just
 * compiled and written again).  Temp files a crashed writer left behind go
 * once they are a minute old. */
static void
evict (int dirfd)
{
  int dfd = dup (dirfd);
  if (dfd < 0)
    return;
  _cleanup_closedir_ DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return;
    }
  rewinddir (d);
  struct aged *list = NULL;
  size_t n = 0, cap = 0;
  time_t now = time (NULL);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      struct stat st;
      if (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG (st.st_mode))
        continue;
      if (strstr (de->d_name, ENTRY_SUFFIX ".tmp."))
        {
          if (now - st.st_mtime > 60)
            unlinkat (dirfd, de->d_name, 0);
          continue;
        }
      if (!strstr (de->d_name, ENTRY_SUFFIX) || strlen (de->d_name) >= sizeof list->name)
        continue;
      if (n == cap)
        {
          size_t ncap = cap ? cap * 2 : 64;
          struct aged *nl = realloc (list, ncap * sizeof *nl);
          if (nl == NULL)
            break;
          list = nl;
          cap = ncap;
        }
      snprintf (list[n].name, sizeof list[n].name, "%s", de->d_name);
      list[n].mtime = st.st_mtim;
      n++;
    }
  if (n > SECCOMP_CACHE_MAX_FILES)
    {
      qsort (list, n, sizeof *list, older_first);
      size_t drop = n - SECCOMP_CACHE_MAX_FILES + SECCOMP_CACHE_MAX_FILES / 4;
      for (size_t i = 0; i < drop && i < n; i++)
        unlinkat (dirfd, list[i].name, 0);
    }
  free (list);
}

int
seccomp_cache_store (int dirfd, const char *canonical, size_t canon_len, const void *bpf,
                     size_t n_insns, struct error **err)
{
  size_t prog_size = n_insns * sizeof (struct sock_filter);
  size_t size = sizeof (struct entry_header) + canon_len + prog_size;
  if (canon_len > UINT32_MAX || size > SECCOMP_CACHE_MAX_ENTRY || n_insns == 0
      || n_insns > SECCOMP_MAX_INSNS)
    return error_set (err, EFBIG, "cache entry too large");

  _cleanup_free_ char *buf = malloc (size);
  if (buf == NULL)
    return error_set (err, ENOMEM, "out of memory");
  struct entry_header h = { .canonical_len = (uint32_t)canon_len, .n_insns = (uint32_t)n_insns };
  memcpy (h.magic, ENTRY_MAGIC, sizeof h.magic);
  memcpy (buf + sizeof h, canonical, canon_len);
  memcpy (buf + sizeof h + canon_len, bpf, prog_size);
  h.checksum = seccomp_fnv1a64 (SECCOMP_FNV_OFFSET, buf + sizeof h, size - sizeof h);
  memcpy (buf, &h, sizeof h);

  char name[32];
  seccomp_cache_entry_name (canonical, canon_len, name);
  int r = fs_write_file_atomic (dirfd, name, buf, size, 0600, err);
  if (r < 0)
    return r;
  evict (dirfd);
  return 0;
}
