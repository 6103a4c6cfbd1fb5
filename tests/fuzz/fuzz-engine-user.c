/* fuzz-engine-user: arbitrary bytes as a container's /etc/passwd and
 * /etc/group (split at the first NUL), resolved for a few user specs
 * (lib/engine/user.c). */
#include "base/error.h"
#include "base/fs.h"
#include "engine/build.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
put (const char *path, const uint8_t *d, size_t n)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  ssize_t w = write (fd, d, n);
  (void) w;
  close (fd);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char dir[] = "/tmp/hull-fuzz-user-XXXXXX";
  if (mkdtemp (dir) == NULL)
    return 0;
  char p[128];
  snprintf (p, sizeof p, "%s/etc", dir);
  mkdir (p, 0755);
  const uint8_t *nul = memchr (data, 0, size);
  size_t n1 = nul ? (size_t) (nul - data) : size;
  snprintf (p, sizeof p, "%s/etc/passwd", dir);
  put (p, data, n1);
  snprintf (p, sizeof p, "%s/etc/group", dir);
  put (p, nul ? nul + 1 : data, nul ? size - n1 - 1 : 0);
  int root = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  static const char *const users[] = { "root", "0", "user", "1000:100", "user:users", "nobody:0",
                                       "x:y", "4294967295", ":", "a:" };
  for (size_t i = 0; root >= 0 && i < sizeof users / sizeof *users; i++)
    {
      uint32_t uid, gid, *groups = NULL;
      size_t ng = 0;
      char *home = NULL;
      struct error *err = NULL;
      engine_resolve_user (root, users[i], &uid, &gid, &groups, &ng, &home, &err);
      free (groups);
      free (home);
      error_free (err);
    }
  if (root >= 0)
    close (root);
  struct error *err = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &err);
  error_free (err);
  return 0;
}
