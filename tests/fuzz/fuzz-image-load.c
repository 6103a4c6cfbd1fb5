/* fuzz-image-load: arbitrary bytes as the archive of `hull load` (an OCI
 * layout or docker-archive, possibly compressed), loaded into a private
 * store in a temporary directory.  Whatever the bytes: no crash, no leak,
 * nothing staged left behind, and the store stays usable.  Images that do
 * load are removed again, so that every input starts from an empty store. */
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "image/images.h"
#include "image/saveload.h"
#include "image/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char dir[] = "/tmp/hull-fuzz-load-XXXXXX";
static struct image_store *store;

static void
cleanup (void)
{
  image_store_close (store);
  struct error *err = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &err);
  error_free (err);
}

static struct image_store *
the_store (void)
{
  if (store)
    return store;
  if (mkdtemp (dir) == NULL)
    abort ();
  char root[64], run[64];
  snprintf (root, sizeof root, "%s/root", dir);
  snprintf (run, sizeof run, "%s/run", dir);
  struct error *err = NULL;
  if (image_store_open (root, run, &store, &err) < 0)
    {
      fprintf (stderr, "image_store_open: %s\n", err->msg);
      abort ();
    }
  atexit (cleanup);
  return store;
}

/* Entries of ROOT/tmp: load stages there and must remove what it staged. */
static int
tmp_entries (void)
{
  char p[96];
  snprintf (p, sizeof p, "%s/root/tmp", dir);
  DIR *d = opendir (p);
  if (d == NULL)
    return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir (d)) != NULL;)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      n++;
  closedir (d);
  return n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct image_store *s = the_store ();
  int fd = memfd_create ("archive", MFD_CLOEXEC);
  if (fd < 0)
    return 0;
  if (fs_write_all (fd, data, size) < 0 || lseek (fd, 0, SEEK_SET) != 0)
    {
      close (fd);
      return 0;
    }
  char **loaded = NULL;
  struct error *err = NULL;
  int r = image_load (s, fd, &loaded, &err);
  close (fd);
  if (r < 0 && (err == NULL || err->msg == NULL || err->msg[0] == '\0'))
    abort (); /* a failure always says why */
  error_free (err);
  err = NULL;
  strv_free (loaded);
  if (tmp_entries () != 0)
    abort ();
  if (r == 0)
    {
      char **ids = NULL;
      if (image_store_prune (s, true, &ids, &err) < 0)
        abort ();
      strv_free (ids);
      uint64_t freed = 0;
      if (image_store_gc (s, &freed, &err) < 0)
        abort ();
    }
  return 0;
}
