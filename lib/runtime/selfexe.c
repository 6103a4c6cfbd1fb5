/* selfexe.c - the runtime binary cannot be overwritten from a container.
 *
 * CVE-2019-5736: a container process can open /proc/<pid>/exe of a runtime
 * process that entered the container (or exec itself through a
 * `#!/proc/self/exe` program, which runs the runtime's binary inside the
 * container), keep the fd, and write to the host's binary once it stops
 * running.  We make /proc/self/exe point at something harmless: a sealed
 * memfd copy of ourselves (writes to it fail with EPERM, and it is gone
 * when the last reference goes).  The copy is cheap (the binary is small
 * and in the page cache) and only made by the commands that put processes
 * into containers. */
#include "runtime/runtime.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

extern char **environ;

int
runtime_protect_self_exe (char **argv, struct error **err)
{
  _cleanup_close_ int self = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (self < 0)
    return error_errno (err, errno, "open `/proc/self/exe`");
  int seals = fcntl (self, F_GET_SEALS);
  const int want = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
  if (seals >= 0 && (seals & want) == want)
    return 0; /* already running from a sealed copy */

  int mfd = memfd_create ("hullrt", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mfd < 0 && errno == EINVAL)
    mfd = memfd_create ("hullrt", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return error_errno (err, errno, "memfd_create");
  struct stat st;
  if (fstat (self, &st) < 0)
    return error_errno (err, errno, "stat `/proc/self/exe`");
  off_t left = st.st_size;
  while (left > 0)
    {
      ssize_t n = sendfile (mfd, self, NULL, (size_t) left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int e = n < 0 ? errno : EIO;
          close (mfd);
          return error_errno (err, e, "copy the runtime binary");
        }
      left -= n;
    }
  if (fcntl (mfd, F_ADD_SEALS, want | F_SEAL_EXEC) < 0
      && fcntl (mfd, F_ADD_SEALS, want) < 0)
    {
      int e = errno;
      close (mfd);
      return error_errno (err, e, "seal the runtime copy");
    }
  syscall (SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
  int e = errno;
  close (mfd);
  return error_errno (err, e, "re-exec the runtime from its sealed copy");
}
