/* fuzz-auth-json: arbitrary bytes as auth.json (podman's, or docker's
 * config.json: other tools write these files).  Lookups either fail with a
 * message or find decoded credentials; storing credentials into the file
 * (what `hull login` does) either refuses the file or leaves one where the
 * stored credentials are found again and the removal forgets them. */
#include "registry/auth.h"

#include "base/error.h"
#include "base/fs.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char dir[] = "/tmp/hull-fuzz-auth-XXXXXX";
static char path[64];

static void
cleanup (void)
{
  struct error *err = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &err);
  error_free (err);
}

/* 1: found, 0: not, -1: an error (with a message) */
static int
lookup (const char *domain, const char *repo, char **user, char **password)
{
  struct error *err = NULL;
  *user = *password = NULL;
  int r = auth_lookup (path, domain, repo, user, password, &err);
  if (r < 0)
    {
      if (err == NULL || *user || *password)
        abort ();
      error_free (err);
      return -1;
    }
  if (r == 1 && (*user == NULL || *password == NULL))
    abort ();
  return r;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (path[0] == '\0')
    {
      if (mkdtemp (dir) == NULL)
        abort ();
      snprintf (path, sizeof path, "%s/auth.json", dir);
      atexit (cleanup);
    }
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || fs_write_all (fd, data, size) < 0)
    abort ();
  close (fd);

  char *u, *p;
  if (lookup ("docker.io", "library/busybox", &u, &p) == 1)
    free (u), free (p);
  if (lookup ("127.0.0.1:5000", "", &u, &p) == 1)
    free (u), free (p);

  struct error *err = NULL;
  if (auth_store (path, "registry.example:5000", "fuzz", "pa:ss", &err) < 0)
    {
      if (err == NULL)
        abort ();
      error_free (err);
      return 0;
    }
  if (lookup ("registry.example:5000", "", &u, &p) != 1 || strcmp (u, "fuzz") != 0
      || strcmp (p, "pa:ss") != 0)
    abort ();
  free (u), free (p);
  if (auth_remove (path, "registry.example:5000", &err) < 0)
    abort ();
  if (lookup ("registry.example:5000", "", &u, &p) == 1)
    abort ();
  return 0;
}
