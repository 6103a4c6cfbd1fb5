#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpl[] = "/tmp/hull-test-fs.XXXXXX";
static int rootfd = -1;

/* A hostile tree: links that try to leave the root. */
static void
setup (void)
{
  char *d = mkdtemp (tmpl);
  if (d == NULL)
    abort ();
  char outside[512];
  snprintf (outside, sizeof outside, "%s.outside", d);
  mkdir (outside, 0755);
  rootfd = open (d, O_PATH | O_DIRECTORY | O_CLOEXEC);
  mkdirat (rootfd, "etc", 0755);
  int fd = openat (rootfd, "etc/passwd", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  (void) !write (fd, "inside\n", 7);
  close (fd);
  (void) !symlinkat ("/etc", rootfd, "abs");              /* absolute: must stay inside */
  (void) !symlinkat ("../../../../etc", rootfd, "rel");   /* climbing: clamped at root */
  (void) !symlinkat (outside, rootfd, "out");             /* to a host dir by path */
  (void) !symlinkat ("loop", rootfd, "loop");
  mkdirat (rootfd, "a", 0755);
  (void) !symlinkat ("../..", rootfd, "a/up");
}

static void
check_reads_inside (const char *path)
{
  _cleanup_error_ struct error *err = NULL;
  _cleanup_close_ int fd = fs_open_in_root (rootfd, path, O_RDONLY, 0, &err);
  CHECK (fd >= 0);
  if (fd < 0)
    {
      printf ("#   %s: %s\n", path, err->msg);
      return;
    }
  char buf[32] = { 0 };
  (void) !read (fd, buf, sizeof buf - 1);
  CHECK_STR (buf, "inside\n");
}

static void
test_resolve_in_root (void)
{
  check_reads_inside ("/etc/passwd");
  check_reads_inside ("abs/passwd");
  check_reads_inside ("rel/passwd");
  check_reads_inside ("../../etc/passwd");
  check_reads_inside ("a/up/etc/passwd");
  _cleanup_error_ struct error *err = NULL;
  int fd = fs_open_in_root (rootfd, "loop", O_RDONLY, 0, &err);
  CHECK_INT (fd, ==, -ELOOP);
  /* "out" points at a host path which, taken inside the root, doesn't exist */
  fd = fs_open_in_root (rootfd, "out/x", O_RDONLY, 0, &err);
  CHECK_INT (fd, ==, -ENOENT);
  /* O_NOFOLLOW|O_PATH opens the link itself */
  fd = fs_open_in_root (rootfd, "abs", O_PATH | O_NOFOLLOW, 0, &err);
  CHECK (fd >= 0);
  struct stat st;
  fstatat (fd, "", &st, AT_EMPTY_PATH);
  CHECK (S_ISLNK (st.st_mode));
  safe_close (fd);
}

static void
test_resolve_in_root_fallback (void)
{
  fs_force_resolve_fallback = true;
  test_resolve_in_root ();
  fs_force_resolve_fallback = false;
}

static void
test_mkdir_in_root (void)
{
  for (int fb = 0; fb < 2; fb++)
    {
      fs_force_resolve_fallback = fb;
      _cleanup_error_ struct error *err = NULL;
      /* creating through the absolute link must create inside the root */
      char p[64];
      snprintf (p, sizeof p, "abs/new%d/deep", fb);
      _cleanup_close_ int fd = fs_mkdir_in_root (rootfd, p, 0755, &err);
      CHECK (fd >= 0);
      char q[64];
      snprintf (q, sizeof q, "etc/new%d/deep", fb);
      struct stat st;
      CHECK_INT (fstatat (rootfd, q, &st, 0), ==, 0);
      CHECK (S_ISDIR (st.st_mode));
      int r = fs_mkdir_in_root (rootfd, "etc/passwd/x", 0755, &err);
      CHECK_INT (r, ==, -ENOTDIR);
    }
  fs_force_resolve_fallback = false;
}

/* /proc/self/fd/N is a magic link whose text is a path of our own view:
 * neither resolution follows it, and the text is never turned into
 * directories (the text of a removed directory's fd: "D (deleted)"). */
static void
test_magic_links_refused (void)
{
  char d[] = "/tmp/hull-test-fs-gone.XXXXXX";
  REQUIRE (mkdtemp (d) != NULL);
  _cleanup_close_ int gone = open (d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE (gone >= 0);
  rmdir (d);
  char link[64], text[128];
  snprintf (link, sizeof link, "/proc/self/fd/%d", gone);
  snprintf (text, sizeof text, "%s (deleted)", d);
  _cleanup_close_ int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  for (int fb = 0; fb < 2; fb++)
    {
      fs_force_resolve_fallback = fb;
      _cleanup_error_ struct error *err = NULL;
      CHECK_INT (fs_mkdir_in_root (root, link, 0755, &err), ==, -ELOOP);
      CHECK_INT (fs_open_in_root (root, link, O_PATH | O_DIRECTORY, 0, &err), ==, -ELOOP);
      struct stat st;
      CHECK_INT (stat (text, &st), ==, -1);
      rmdir (text);
    }
  fs_force_resolve_fallback = false;
}

static void
test_path_clean (void)
{
  const char *cases[][2] = {
    { "/a/b/../c", "/a/c" }, { "/../..", "/" }, { "a//b/./c/", "a/b/c" },
    { "../x", "x" }, { "/", "/" }, { "", "." }, { "/a/..", "/" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      _cleanup_free_ char *c = fs_path_clean (cases[i][0]);
      CHECK_STR (c, cases[i][1]);
    }
  _cleanup_free_ char *j = fs_path_join ("/a/", "/b");
  CHECK_STR (j, "/a/b");
}

static void
test_read_write (void)
{
  _cleanup_error_ struct error *err = NULL;
  char p[600];
  snprintf (p, sizeof p, "%s/f", tmpl);
  CHECK_INT (fs_write_file_atomic (AT_FDCWD, p, "hello", 5, 0644, &err), ==, 0);
  _cleanup_free_ char *s = NULL;
  size_t n;
  CHECK_INT (fs_read_file (p, 100, &s, &n, &err), ==, 0);
  CHECK_STR (s, "hello");
  _cleanup_free_ char *s2 = NULL;
  CHECK_INT (fs_read_file (p, 3, &s2, &n, &err), ==, -EFBIG);
}

static void
teardown (void)
{
  _cleanup_error_ struct error *err = NULL;
  char outside[512];
  snprintf (outside, sizeof outside, "%s.outside", tmpl);
  CHECK_INT (fs_rm_rf_at (AT_FDCWD, tmpl, &err), ==, 0);
  CHECK_INT (fs_rm_rf_at (AT_FDCWD, outside, &err), ==, 0);
  CHECK (!fs_exists_at (AT_FDCWD, tmpl));
}

int
main (void)
{
  setup ();
  RUN (test_resolve_in_root);
  RUN (test_resolve_in_root_fallback);
  RUN (test_mkdir_in_root);
  RUN (test_magic_links_refused);
  RUN (test_path_clean);
  RUN (test_read_write);
  RUN (teardown);
  return tap_done ();
}
