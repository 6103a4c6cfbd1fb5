/* Unpacker: hostile entries refused with a clear message, nothing escapes;
 * ordinary entries preserved (modes, owners, times, links, whiteouts). */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "image/stream.h"
#include "image/unpack.h"
#include "tap.h"
#include "tarbuild.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static char base[] = "/tmp/hull-unpack-XXXXXX";

/* Unpack t into a fresh dir; returns the result, *errmsg the message. */
static int
unpack_into (struct tb *t, const char *dir, const struct unpack_limits *lim, char **errmsg)
{
  char path[512];
  snprintf (path, sizeof path, "%s/%s", base, dir);
  mkdir (path, 0755);
  int fd = open (path, O_RDONLY | O_DIRECTORY);
  struct stream *in = stream_mem_new (t->buf, t->used);
  struct error *err = NULL;
  int r = layer_unpack (fd, in, lim, NULL, &err);
  stream_free (in);
  close (fd);
  *errmsg = err ? strdup (err->msg) : NULL;
  error_free (err);
  return r;
}

static bool
exists (const char *dir, const char *rel)
{
  char path[512];
  snprintf (path, sizeof path, "%s/%s/%s", base, dir, rel);
  struct stat st;
  return lstat (path, &st) == 0;
}

static void
test_dotdot (void)
{
  struct tb t;
  tb_begin (&t);
  tb_file (&t, "../../escaped", "x");
  tb_end (&t);
  char *msg = NULL;
  CHECK_INT (unpack_into (&t, "dotdot", NULL, &msg), <, 0);
  CHECK_STR (msg, "entry `../../escaped`: path escapes the layer");
  CHECK (!exists ("", "escaped") && access ("/tmp/escaped", F_OK) != 0);
  free (msg);
  free (t.buf);
}

static void
symlink_write_through (const char *dir)
{
  char outside[512];
  snprintf (outside, sizeof outside, "%s/outside", base);
  mkdir (outside, 0755);
  struct tb t;
  tb_begin (&t);
  tb_symlink (&t, "link", outside);
  tb_file (&t, "link/pwned", "x");
  tb_end (&t);
  char *msg = NULL;
  CHECK_INT (unpack_into (&t, dir, NULL, &msg), <, 0);
  CHECK_STR (msg, "entry `link/pwned`: path goes through a symlink");
  char victim[600];
  snprintf (victim, sizeof victim, "%s/pwned", outside);
  CHECK (access (victim, F_OK) != 0);
  free (msg);
  free (t.buf);
}

static void
test_symlink_write_through (void)
{
  symlink_write_through ("symlink");
}

static void
test_symlink_write_through_walk (void)
{
  unpack_force_walk = true;
  symlink_write_through ("symlink-walk");
  unpack_force_walk = false;
}

static void
test_relative_symlink_parent (void)
{
  /* a relative symlink that climbs: still refused as a parent */
  struct tb t;
  tb_begin (&t);
  tb_dir (&t, "d");
  tb_symlink (&t, "d/up", "../../../..");
  tb_file (&t, "d/up/tmp/x", "x");
  tb_end (&t);
  char *msg = NULL;
  CHECK_INT (unpack_into (&t, "relsym", NULL, &msg), <, 0);
  CHECK_STR (msg, "entry `d/up/tmp/x`: path goes through a symlink");
  free (msg);
  free (t.buf);
}

static void
test_hardlink_out (void)
{
  struct tb t;
  tb_begin (&t);
  tb_hardlink (&t, "h", "../../../etc/passwd");
  tb_end (&t);
  char *msg = NULL;
  CHECK_INT (unpack_into (&t, "hlout", NULL, &msg), <, 0);
  CHECK_STR (msg, "entry `h`: hardlink target escapes the layer");
  free (msg);
  free (t.buf);
  /* absolute: mapped inside, where it does not exist */
  tb_begin (&t);
  tb_hardlink (&t, "h", "/etc/passwd");
  tb_end (&t);
  CHECK_INT (unpack_into (&t, "hlabs", NULL, &msg), <, 0);
  CHECK (msg && strstr (msg, "entry `h`: hardlink target") != NULL);
  CHECK (!exists ("hlabs", "h"));
  free (msg);
  free (t.buf);
  /* through a symlink to outside */
  tb_begin (&t);
  tb_symlink (&t, "etc", "/etc");
  tb_hardlink (&t, "h", "etc/passwd");
  tb_end (&t);
  CHECK_INT (unpack_into (&t, "hlsym", NULL, &msg), <, 0);
  CHECK_STR (msg, "entry `h`: hardlink target: path goes through a symlink");
  free (msg);
  free (t.buf);
}

static void
test_hardlink_to_symlink_then_write (void)
{
  /* h is a hardlink to a symlink pointing out; a later regular file h must
   * replace h, not write through it */
  char outside[512];
  snprintf (outside, sizeof outside, "%s/outside2", base);
  int fd = open (outside, O_CREAT | O_WRONLY, 0644);
  CHECK_INT (write (fd, "orig", 4), ==, 4);
  close (fd);
  struct tb t;
  tb_begin (&t);
  tb_symlink (&t, "s", outside);
  tb_hardlink (&t, "h", "s");
  tb_file (&t, "h", "pwned");
  tb_file (&t, "s", "pwned");
  tb_end (&t);
  char *msg = NULL;
  CHECK_INT (unpack_into (&t, "hlsymw", NULL, &msg), ==, 0);
  CHECK (msg == NULL);
  char buf[16] = "";
  fd = open (outside, O_RDONLY);
  CHECK_INT (read (fd, buf, sizeof buf - 1), ==, 4);
  close (fd);
  CHECK_STR (buf, "orig");
  free (msg);
  free (t.buf);
}

static void
test_absolute_inside (void)
{
  struct tb t;
  tb_begin (&t);
  tb_file (&t, "/abs/dir/file", "content");
  tb_end (&t);
  char *msg = NULL;
  CHECK_INT (unpack_into (&t, "abs", NULL, &msg), ==, 0);
  CHECK (exists ("abs", "abs/dir/file"));
  free (msg);
  free (t.buf);
}

static void
test_whiteouts (void)
{
  struct tb t;
  tb_begin (&t);
  tb_dir (&t, "d");
  tb_file (&t, "d/.wh..wh..opq", "");
  tb_file (&t, ".wh.gone", "");
  tb_file (&t, "kept", "k");
  tb_file (&t, ".wh.kept", ""); /* same layer: the file wins */
  tb_end (&t);
  char *msg = NULL;
  CHECK_INT (unpack_into (&t, "wh", NULL, &msg), ==, 0);
  char p[512];
  snprintf (p, sizeof p, "%s/wh/gone", base);
  struct stat st;
  CHECK (lstat (p, &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0));
  snprintf (p, sizeof p, "%s/wh/kept", base);
  CHECK (lstat (p, &st) == 0 && S_ISREG (st.st_mode));
  snprintf (p, sizeof p, "%s/wh/d", base);
  char v[4] = "";
  CHECK_INT (getxattr (p, "trusted.overlay.opaque", v, sizeof v), ==, 1);
  CHECK (v[0] == 'y');
  CHECK (!exists ("wh", "d/.wh..wh..opq") && !exists ("wh", ".wh.gone"));
  free (msg);
  free (t.buf);
}

static void
test_metadata (void)
{
  struct tb t;
  tb_begin (&t);
  tb_add (&t, "dir/", AE_IFDIR, 0750, NULL, NULL, NULL, 1000, 1001);
  tb_add (&t, "dir/suid", AE_IFREG, 04755, "#!/bin/sh\n", NULL, NULL, 1000, 1001);
  tb_symlink (&t, "dir/ln", "../nowhere");
  tb_hardlink (&t, "dir/hl", "dir/suid");
  tb_add (&t, "fifo", AE_IFIFO, 0600, NULL, NULL, NULL, 0, 0);
  tb_end (&t);
  char *msg = NULL;
  CHECK_INT (unpack_into (&t, "meta", NULL, &msg), ==, 0);
  if (msg)
    printf ("# %s\n", msg);
  char p[512];
  struct stat st;
  snprintf (p, sizeof p, "%s/meta/dir/suid", base);
  CHECK (lstat (p, &st) == 0);
  CHECK_INT (st.st_mode & 07777, ==, 04755);
  CHECK_INT (st.st_uid, ==, 1000);
  CHECK_INT (st.st_gid, ==, 1001);
  CHECK_INT (st.st_mtime, ==, 1000000000);
  CHECK_INT (st.st_nlink, ==, 2);
  snprintf (p, sizeof p, "%s/meta/dir", base);
  CHECK (lstat (p, &st) == 0);
  CHECK_INT (st.st_mode & 07777, ==, 0750);
  CHECK_INT (st.st_mtime, ==, 1000000000); /* set after its children */
  snprintf (p, sizeof p, "%s/meta/dir/ln", base);
  char target[64] = "";
  CHECK (readlink (p, target, sizeof target - 1) > 0);
  CHECK_STR (target, "../nowhere");
  snprintf (p, sizeof p, "%s/meta/fifo", base);
  CHECK (lstat (p, &st) == 0 && S_ISFIFO (st.st_mode));
  free (msg);
  free (t.buf);
}

static void
test_replace (void)
{
  struct tb t;
  tb_begin (&t);
  tb_dir (&t, "a");
  tb_file (&t, "a/x", "1");
  tb_file (&t, "a", "now a file");
  tb_file (&t, "b", "file");
  tb_dir (&t, "b");
  tb_file (&t, "b/y", "2");
  tb_end (&t);
  char *msg = NULL;
  CHECK_INT (unpack_into (&t, "replace", NULL, &msg), ==, 0);
  char p[512];
  struct stat st;
  snprintf (p, sizeof p, "%s/replace/a", base);
  CHECK (lstat (p, &st) == 0 && S_ISREG (st.st_mode));
  CHECK (exists ("replace", "b/y"));
  free (msg);
  free (t.buf);
}

static void
test_limits (void)
{
  struct tb t;
  tb_begin (&t);
  for (int i = 0; i < 20; i++)
    {
      char n[32];
      snprintf (n, sizeof n, "f%d", i);
      tb_file (&t, n, "x");
    }
  tb_end (&t);
  struct unpack_limits lim = { .max_entries = 10, .max_bytes = 1 << 20, .max_path = 4095 };
  char *msg = NULL;
  CHECK_INT (unpack_into (&t, "limits", &lim, &msg), <, 0);
  CHECK_STR (msg, "more than 10 entries");
  free (msg);
  lim.max_entries = 100;
  lim.max_bytes = 5;
  CHECK_INT (unpack_into (&t, "limits2", &lim, &msg), <, 0);
  CHECK_STR (msg, "more than 5 bytes of files");
  free (msg);
  free (t.buf);
}

static void
test_garbage (void)
{
  char junk[4096];
  for (size_t i = 0; i < sizeof junk; i++)
    junk[i] = (char) (i * 7 + 3);
  struct tb t = { .buf = junk, .used = sizeof junk };
  char *msg = NULL;
  CHECK_INT (unpack_into (&t, "garbage", NULL, &msg), <, 0);
  CHECK (msg != NULL);
  free (msg);
}

int
main (void)
{
  if (mkdtemp (base) == NULL)
    return 1;
  RUN (test_dotdot);
  RUN (test_symlink_write_through);
  RUN (test_symlink_write_through_walk);
  RUN (test_relative_symlink_parent);
  RUN (test_hardlink_out);
  RUN (test_hardlink_to_symlink_then_write);
  RUN (test_absolute_inside);
  RUN (test_whiteouts);
  RUN (test_metadata);
  RUN (test_replace);
  RUN (test_limits);
  RUN (test_garbage);
  struct error *e = NULL;
  fs_rm_rf_at (AT_FDCWD, base, &e);
  error_free (e);
  return tap_done ();
}
