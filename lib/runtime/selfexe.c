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

#include <elf.h>
#include <errno.h>
#include <string.h>
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

/* How much of the binary execve needs: up to the end of the last segment
 * in the program headers.  Debug info and section headers come after it
 * and make up most of a debug build; the copy leaves them out (the kernel
 * and the dynamic loader read only the program headers and segments).
 * Anything unexpected: the whole file. */
static off_t
loaded_size (int fd, off_t file_size)
{
  Elf64_Ehdr eh;
  if (pread (fd, &eh, sizeof eh, 0) != (ssize_t) sizeof eh
      || memcmp (eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64
      || eh.e_phentsize != sizeof (Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 64)
    return file_size;
  Elf64_Phdr ph[64];
  size_t len = eh.e_phnum * sizeof (Elf64_Phdr);
  if (pread (fd, ph, len, (off_t) eh.e_phoff) != (ssize_t) len)
    return file_size;
  uint64_t end = eh.e_phoff + len;
  for (int i = 0; i < eh.e_phnum; i++)
    if (ph[i].p_offset + ph[i].p_filesz > end)
      end = ph[i].p_offset + ph[i].p_filesz;
  return end > 0 && (off_t) end <= file_size ? (off_t) end : file_size;
}

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
  off_t left = loaded_size (self, st.st_size);
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
