/* test-volume.c - lib/volume: names, create/get/list, references and
 * in-use removal, anonymous volumes going with their container, prune,
 * and the copy-up from a hostile image root (symlinks copied, never
 * followed; a symlinked mount point resolved inside the root). */
#include "../../lib/tap-error.h"

#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "db/db.h"
#include "volume/volume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/hull-volume-test-XXXXXX";
static struct volume_store *VS;

static void
put (const char *rel, const char *text)
{
  char p[512];
  snprintf (p, sizeof p, "%s/%s", dir, rel);
  FILE *f = fopen (p, "we");
  if (f)
    fputs (text, f), fclose (f);
}

static void
test_names_and_refs (void)
{
  CHECK (volume_name_valid ("data_1.x-y"));
  CHECK (!volume_name_valid ("../x"));
  CHECK (!volume_name_valid ("a/b"));
  CHECK (!volume_name_valid (""));
  struct volume *v = NULL;
  bool created = false;
  CHECK_FAIL (volume_create (VS, "a/b", NULL, false, &v, NULL, err), EINVAL, "invalid volume name `a/b`");
  char *labels[] = { "k=v", NULL };
  CHECK_OK (volume_create (VS, "named", labels, false, &v, &created, err));
  REQUIRE (v);
  CHECK (created);
  CHECK (!v->anonymous);
  CHECK (v->labels && strcmp (v->labels[0], "k=v") == 0);
  struct stat st;
  CHECK (stat (v->mountpoint, &st) == 0 && S_ISDIR (st.st_mode));
  volume_free (v), v = NULL;
  CHECK_OK (volume_create (VS, "named", NULL, false, &v, &created, err));
  CHECK (!created); /* an existing one is returned */
  volume_free (v), v = NULL;
  CHECK_OK (volume_ref (VS, "named", "ctr1", err));
  CHECK_OK (volume_ref (VS, "named", "ctr2", err));
  CHECK_FAIL (volume_remove (VS, "named", err), EBUSY, "volume `named` is in use by container `ctr1`");
  CHECK_OK (volume_unref (VS, "ctr1", true, err));
  CHECK_FAIL (volume_remove (VS, "named", err), EBUSY, "in use by container `ctr2`");
  CHECK_OK (volume_unref (VS, "ctr2", true, err));
  CHECK_OK (volume_remove (VS, "named", err));
  CHECK_FAIL (volume_remove (VS, "named", err), ENOENT, "no such volume: `named`");
  CHECK_FAIL (volume_get (VS, "named", &v, err), ENOENT, "no such volume");
}

static bool
only_live (const char *id, void *data)
{
  return strcmp (id, "live") == 0;
}

static void
test_anonymous_and_prune (void)
{
  struct volume *a = NULL, *b = NULL;
  CHECK_OK (volume_create (VS, NULL, NULL, true, &a, NULL, err));
  CHECK_OK (volume_create (VS, "keep", NULL, false, &b, NULL, err));
  REQUIRE (a && b);
  CHECK (a->anonymous && strlen (a->name) == 64);
  CHECK_OK (volume_ref (VS, a->name, "gone", err));
  CHECK_OK (volume_ref (VS, "keep", "live", err));
  /* the reference of a container that no longer exists is dropped */
  CHECK_OK (volume_refs_prune (VS, only_live, NULL, err));
  char **removed = NULL;
  CHECK_OK (volume_prune (VS, false, &removed, err));
  CHECK (removed && strcmp (removed[0], a->name) == 0 && removed[1] == NULL);
  strv_free (removed), removed = NULL;
  CHECK_OK (volume_prune (VS, true, &removed, err));
  CHECK (removed == NULL); /* "keep" is in use */
  CHECK_OK (volume_unref (VS, "live", true, err));
  CHECK_OK (volume_prune (VS, true, &removed, err));
  CHECK (removed && strcmp (removed[0], "keep") == 0);
  strv_free (removed);
  /* an anonymous volume goes with its container */
  struct volume *c = NULL;
  CHECK_OK (volume_create (VS, NULL, NULL, true, &c, NULL, err));
  REQUIRE (c);
  CHECK_OK (volume_ref (VS, c->name, "x", err));
  CHECK_OK (volume_unref (VS, "x", true, err));
  struct volume *g = NULL;
  CHECK_FAIL (volume_get (VS, c->name, &g, err), ENOENT, "no such volume");
  volume_free (a);
  volume_free (b);
  volume_free (c);
}

static void
test_fill (void)
{
  /* an image root: /data with a file, a subdirectory, a symlink to the
   * host's /etc/passwd; /link -> /data (a symlinked mount point) */
  char p[512];
  snprintf (p, sizeof p, "%s/root/data/sub", dir);
  struct error *e = NULL;
  fs_mkdir_p (AT_FDCWD, p, 0755, &e);
  put ("root/data/f", "image-content\n");
  put ("root/data/sub/g", "deep\n");
  snprintf (p, sizeof p, "%s/root/data/esc", dir);
  CHECK (symlink ("/etc/passwd", p) == 0);
  snprintf (p, sizeof p, "%s/root/link", dir);
  CHECK (symlink ("/data", p) == 0);
  snprintf (p, sizeof p, "%s/root", dir);
  int rootfd = open (p, O_PATH | O_DIRECTORY | O_CLOEXEC);
  REQUIRE (rootfd >= 0);
  struct volume *v = NULL;
  CHECK_OK (volume_create (VS, "fill", NULL, false, &v, NULL, err));
  REQUIRE (v);
  CHECK_OK (volume_fill (VS, "fill", rootfd, "/link", err));
  char q[600], *t = NULL;
  size_t len;
  snprintf (q, sizeof q, "%s/f", v->mountpoint);
  CHECK (fs_read_file (q, 1024, &t, &len, &e) == 0 && strcmp (t, "image-content\n") == 0);
  free (t), t = NULL;
  snprintf (q, sizeof q, "%s/sub/g", v->mountpoint);
  CHECK (fs_read_file (q, 1024, &t, &len, &e) == 0 && strcmp (t, "deep\n") == 0);
  free (t), t = NULL;
  char target[64] = "";
  snprintf (q, sizeof q, "%s/esc", v->mountpoint);
  struct stat st;
  CHECK (lstat (q, &st) == 0 && S_ISLNK (st.st_mode));
  CHECK (readlink (q, target, sizeof target - 1) > 0 && strcmp (target, "/etc/passwd") == 0);
  /* filled once: emptied, it stays empty */
  unlink (q);
  snprintf (q, sizeof q, "%s/f", v->mountpoint);
  unlink (q);
  snprintf (q, sizeof q, "%s/sub", v->mountpoint);
  fs_rm_rf_at (AT_FDCWD, q, &e);
  CHECK_OK (volume_fill (VS, "fill", rootfd, "/data", err));
  CHECK (access (q, F_OK) < 0);
  /* a mount point the image does not have: nothing to copy, no error */
  struct volume *w = NULL;
  CHECK_OK (volume_create (VS, "nothing", NULL, false, &w, NULL, err));
  CHECK_OK (volume_fill (VS, "nothing", rootfd, "/not/there", err));
  close (rootfd);
  volume_free (v);
  volume_free (w);
  error_free (e);
}

int
main (void)
{
  if (mkdtemp (dir) == NULL)
    return 1;
  char p[512];
  snprintf (p, sizeof p, "%s/hull.db", dir);
  struct db *db = NULL;
  struct error *e = NULL;
  if (db_open (p, &db, &e) < 0 || volume_store_open (db, dir, &VS, &e) < 0)
    {
      printf ("Bail out! %s\n", e->msg);
      return 1;
    }
  RUN (test_names_and_refs);
  RUN (test_anonymous_and_prune);
  RUN (test_fill);
  volume_store_close (VS);
  db_close (db);
  fs_rm_rf_at (AT_FDCWD, dir, &e);
  error_free (e);
  return tap_done ();
}
