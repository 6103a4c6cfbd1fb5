/* cleanup.h - scope-bound resource release (GCC/Clang cleanup attribute).
 *
 *   _cleanup_free_ char *p = NULL;      free(p) on scope exit
 *   _cleanup_close_ int fd = -1;        close(fd) if fd >= 0
 *   return TAKE_PTR (p);                hand ownership out, leave NULL behind
 */
#ifndef HULL_BASE_CLEANUP_H
#define HULL_BASE_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep (void *p) { free (*(void **) p); }

/* close() is never retried on EINTR: on Linux the fd is gone either way. */
static inline int safe_close (int fd)
{
  if (fd >= 0)
    {
      int saved = errno;
      close (fd);
      errno = saved;
    }
  return -1;
}
static inline void cleanup_closep (int *fd) { safe_close (*fd); }
static inline void cleanup_fclosep (FILE **f) { if (*f) fclose (*f); }
static inline void cleanup_closedirp (DIR **d) { if (*d) closedir (*d); }

#define _cleanup_free_ __attribute__ ((cleanup (cleanup_freep)))
#define _cleanup_close_ __attribute__ ((cleanup (cleanup_closep)))
#define _cleanup_fclose_ __attribute__ ((cleanup (cleanup_fclosep)))
#define _cleanup_closedir_ __attribute__ ((cleanup (cleanup_closedirp)))

/* Move ownership out of a cleanup-managed variable. */
#define TAKE_PTR(p)                                                            \
  ({                                                                           \
    __typeof__ (p) _tp_ = (p);                                                 \
    (p) = NULL;                                                                \
    _tp_;                                                                      \
  })
#define TAKE_FD(fd)                                                            \
  ({                                                                           \
    int _tf_ = (fd);                                                           \
    (fd) = -1;                                                                 \
    _tf_;                                                                      \
  })

#define ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

#endif
