/* fuzz-engine-cp: arbitrary bytes as the tar `hull cp - CONTAINER:DIR`
 * extracts into a container (lib/engine/copy.c).  A sibling directory plays
 * the host: whatever the bytes (symlinks planted by earlier entries, "..",
 * absolute names, hard links out), nothing may appear in it. */
#include "base/error.h"
#include "base/fs.h"
#include "engine/copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char dir[] = "/tmp/hull-fuzz-cp-XXXXXX";
  if (mkdtemp (dir) == NULL)
    return 0;
  char root[64], host[64];
  snprintf (root, sizeof root, "%s/root", dir);
  snprintf (host, sizeof host, "%s/host", dir);
  mkdir (root, 0755);
  mkdir (host, 0755);
  int p[2];
  if (pipe (p) == 0)
    {
      /* small inputs fit in the pipe: write all, then read */
      size_t n = size > 60000 ? 60000 : size;
      ssize_t w = write (p[1], data, n);
      (void) w;
      close (p[1]);
      int fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
      struct error *err = NULL;
      if (fd >= 0)
        copy_tar_into (fd, p[0], &err);
      error_free (err);
      if (fd >= 0)
        close (fd);
      close (p[0]);
    }
  /* the host side stays empty */
  DIR *d = opendir (host);
  struct dirent *de;
  while (d && (de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      abort ();
  if (d)
    closedir (d);
  struct error *err = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &err);
  error_free (err);
  return 0;
}
