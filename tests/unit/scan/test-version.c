/* test-version.c - version order: dpkg's checked against `dpkg
 * --compare-versions` on generated pairs near its edge cases, apk's on the
 * rules of its documentation, PEP 440 and semver on their specs' examples. */
#include "base/cleanup.h"
#include "base/error.h"
#include "scan/scan.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int
sign (int c)
{
  return c < 0 ? -1 : c > 0;
}

/* dpkg's own answer: -1, 0, 1; -2 when dpkg cannot be run. */
static int
dpkg_says (const char *a, const char *b)
{
  static const char *const ops[] = { "lt", "eq" };
  for (int i = 0; i < 2; i++)
    {
      char *argv[] = { (char *)"dpkg", (char *)"--compare-versions",
                       (char *)a,      (char *)ops[i],
                       (char *)b,      NULL };
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init (&fa);
      posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
      posix_spawn_file_actions_addopen (&fa, 2, "/dev/null", O_WRONLY, 0);
      pid_t pid;
      int r = posix_spawnp (&pid, "dpkg", &fa, NULL, argv, environ);
      posix_spawn_file_actions_destroy (&fa);
      if (r != 0)
        return -2;
      int st;
      if (waitpid (pid, &st, 0) < 0 || !WIFEXITED (st) || WEXITSTATUS (st) > 1)
        return -2;
      if (WEXITSTATUS (st) == 0)
        return i == 0 ? -1 : 0;
    }
  return 1;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static unsigned
rnd (unsigned n)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng % n);
}

/* A piece of a version chosen near dpkg's edge cases. */
static const char *const up_pieces[]
    = { "0", "00", "1", "01",   "9",     "10", "2",  ".",     ".",   "~", "~~", "a",
        "b", "Z",  "+", "~rc1", "+dfsg", "a1", "1a", "~beta", "+b1", "-", ":" };
static const char *const rev_pieces[]
    = { "0", "1", "00", "2", "10", "~", "+", ".", "a", "b", "ubuntu1", "deb12u1", "~bpo", "+b" };

static void
gen_version (char *buf, size_t size, bool allow_epoch)
{
  char up[96] = "", rev[64] = "";
  bool want_rev = rnd (3) != 0, want_epoch = allow_epoch && rnd (4) == 0;
  snprintf (up, sizeof up, "%u", rnd (4));
  unsigned n = 1 + rnd (5);
  for (unsigned i = 0; i < n; i++)
    {
      const char *p = up_pieces[rnd (ARRAY_SIZE (up_pieces))];
      if ((strcmp (p, "-") == 0 && !want_rev) || (strcmp (p, ":") == 0 && !want_epoch))
        p = ".";
      strncat (up, p, sizeof up - strlen (up) - 1);
    }
  if (want_rev)
    {
      unsigned m = 1 + rnd (3);
      for (unsigned i = 0; i < m; i++)
        strncat (rev, rev_pieces[rnd (ARRAY_SIZE (rev_pieces))], sizeof rev - strlen (rev) - 1);
    }
  snprintf (buf, size, "%s%s%s%s", want_epoch ? (rnd (2) ? "1:" : "0:") : "", up,
            want_rev ? "-" : "", rev);
}

/* A close relative of v: one character changed, added or removed. */
static void
mutate (const char *v, char *out, size_t size)
{
  static const char chars[] = "0123456789.~+abzA-";
  size_t n = strlen (v), at = rnd ((unsigned)n + 1);
  char c = chars[rnd (sizeof chars - 1)];
  switch (rnd (3))
    {
    case 0:
      snprintf (out, size, "%.*s%c%s", (int)at, v, c, v + at);
      break;
    case 1:
      if (at < n)
        {
          snprintf (out, size, "%s", v);
          out[at] = c;
          break;
        }
      /* fallthrough */
    default:
      snprintf (out, size, "%.*s%s", (int)at, v, at < n ? v + at + 1 : "");
    }
}

static void
test_dpkg_fixed (void)
{
  static const struct
  {
    const char *a, *b;
    int c;
  } v[] = {
    { "1.0", "1.0", 0 },
    { "1.0", "1.0-0", 0 },
    { "1.0~rc1", "1.0", -1 },
    { "1.0~~", "1.0~", -1 },
    { "1.0~", "1.0", -1 },
    { "1.0", "1.0a", -1 },
    { "1.0a", "1.0+", -1 },
    { "1.0+", "1.0.", -1 },
    { "1:1.0", "2.0", 1 },
    { "0:1.0", "1.0", 0 },
    { "1.0-1", "1.0-1~bpo1", 1 },
    { "2.30-1", "2.3-1", 1 },
    { "1.001", "1.1", 0 },
    { "1.0-a-1", "1.0-a-2", -1 },
    { "1:2:3", "1:2:3-0", 0 },
    { "3.0.11-1~deb12u2", "3.0.11-1~deb12u1", 1 },
    { "10", "9", 1 },
    { "123456789012345678901234567890", "123456789012345678901234567891", -1 },
  };
  for (size_t i = 0; i < ARRAY_SIZE (v); i++)
    {
      _cleanup_error_ struct error *err = NULL;
      int c = 99;
      CHECK_INT (scan_dpkg_version_cmp (v[i].a, v[i].b, &c, &err), ==, 0);
      if (sign (c) != v[i].c)
        printf ("#   %s vs %s\n", v[i].a, v[i].b);
      CHECK_INT (sign (c), ==, v[i].c);
      CHECK_INT (scan_dpkg_version_cmp (v[i].b, v[i].a, &c, &err), ==, 0);
      CHECK_INT (sign (c), ==, -v[i].c);
    }
}

static void
test_dpkg_invalid (void)
{
  static const char *const bad[]
      = { "",        "a1",  "1:a",           "1-",    "1:", ":1", "1 0", "1_0",
          "1.0-1:2", "x:1", "99999999999:1", "1.0-b@" };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      _cleanup_error_ struct error *err = NULL;
      int c;
      CHECK_INT (scan_dpkg_version_cmp (bad[i], "1.0", &c, &err), ==, -EINVAL);
      CHECK (err && strstr (err->msg, "invalid version"));
    }
}

static void
test_dpkg_against_dpkg (void)
{
  if (dpkg_says ("1", "2") != -1)
    {
      printf ("# dpkg not usable here: skipped\n");
      return;
    }
  int pairs = 0, mismatches = 0;
  char a[160], b[160];
  for (int i = 0; i < 700; i++)
    {
      gen_version (a, sizeof a, true);
      if (i % 2)
        mutate (a, b, sizeof b);
      else
        gen_version (b, sizeof b, true);
      _cleanup_error_ struct error *e1 = NULL, *e2 = NULL;
      int c;
      /* only pairs both we and dpkg hold valid (dpkg warns and still
       * compares some we refuse: those are counted apart) */
      if (scan_dpkg_version_check (a, &e1) < 0 || scan_dpkg_version_check (b, &e2) < 0)
        continue;
      CHECK_INT (scan_dpkg_version_cmp (a, b, &c, &e1), ==, 0);
      int d = dpkg_says (a, b);
      pairs++;
      if (d != sign (c))
        {
          mismatches++;
          printf ("#   `%s` vs `%s`: dpkg %d, ours %d\n", a, b, d, sign (c));
        }
    }
  printf ("# %d pairs compared with dpkg\n", pairs);
  CHECK (pairs >= 400);
  CHECK_INT (mismatches, ==, 0);
}

/* Invalid for us must be invalid (error or warning) for dpkg too. */
static void
test_dpkg_invalid_agrees (void)
{
  if (dpkg_says ("1", "2") != -1)
    return;
  char a[160], b[160];
  int n = 0;
  for (int i = 0; i < 2000; i++)
    {
      gen_version (a, sizeof a, true);
      mutate (a, b, sizeof b);
      _cleanup_error_ struct error *e = NULL;
      /* dpkg would take a leading '-' for an option */
      if (b[0] == '-' || scan_dpkg_version_check (b, &e) == 0)
        continue;
      n++;
      /* dpkg prints a warning or an error for it: run it with stderr
       * captured through a pipe */
      int fds[2];
      REQUIRE (pipe2 (fds, O_CLOEXEC) == 0);
      char *argv[]
          = { (char *)"dpkg", (char *)"--compare-versions", b, (char *)"lt", (char *)"1", NULL };
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init (&fa);
      posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
      posix_spawn_file_actions_adddup2 (&fa, fds[1], 2);
      pid_t pid;
      REQUIRE (posix_spawnp (&pid, "dpkg", &fa, NULL, argv, environ) == 0);
      posix_spawn_file_actions_destroy (&fa);
      close (fds[1]);
      char out[512] = "";
      ssize_t got = read (fds[0], out, sizeof out - 1);
      close (fds[0]);
      waitpid (pid, NULL, 0);
      if (got <= 0 || !strstr (out, "bad syntax"))
        printf ("#   `%s`: we say invalid (%s), dpkg does not\n", b, e->msg);
      CHECK (got > 0 && strstr (out, "bad syntax"));
    }
  printf ("# %d invalid versions confirmed by dpkg\n", n);
  CHECK (n >= 40);
}

static void
check_order (int (*cmp) (const char *, const char *, int *, struct error **), const char *const *v,
             size_t n)
{
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++)
      {
        _cleanup_error_ struct error *err = NULL;
        int c = 99;
        int r = cmp (v[i], v[j], &c, &err);
        if (r < 0)
          printf ("#   %s\n", err->msg);
        CHECK_INT (r, ==, 0);
        int want = i < j ? -1 : i > j;
        if (sign (c) != want)
          printf ("#   `%s` vs `%s`: %d, want %d\n", v[i], v[j], sign (c), want);
        CHECK_INT (sign (c), ==, want);
      }
}

static void
test_apk (void)
{
  /* ascending, from apk's rules: pre-release suffixes below the release,
   * post-release above, letters above the plain number, more components
   * above a letter, -rN last */
  static const char *const order[] = {
    "0.9",       "1",       "1.0_alpha", "1.0_alpha1", "1.0_alpha2",      "1.0_beta", "1.0_beta2",
    "1.0_pre1",  "1.0_rc",  "1.0_rc1",   "1.0_rc1-r1", "1.0_rc2",         "1.0",      "1.0-r1",
    "1.0-r2",    "1.0-r10", "1.0_cvs",   "1.0_svn",    "1.0_git20230101", "1.0_hg",   "1.0_p1",
    "1.0_p2-r3", "1.0_p10", "1.0a",      "1.0b",       "1.0.0",           "1.0.1",    "1.0.1_p1",
    "1.1",       "1.9",     "1.10",      "2",          "2.0.0_rc1",       "10.0",
  };
  check_order (scan_apk_version_cmp, order, ARRAY_SIZE (order));
  /* leading zeros in a dot component */
  static const char *const zeros[] = { "1.001", "1.01", "1.1" };
  check_order (scan_apk_version_cmp, zeros, ARRAY_SIZE (zeros));
  static const char *const bad[] = { "",      "a1",    "1.",      "1..2", "1.0_foo",  "1.0-r",
                                     "1.0-1", "1.0ab", "1.0_p1a", "1.0 ", "1.0-r1-r2" };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      _cleanup_error_ struct error *err = NULL;
      int c;
      CHECK_INT (scan_apk_version_cmp (bad[i], "1.0", &c, &err), ==, -EINVAL);
      CHECK (err && strstr (err->msg, "invalid apk version"));
    }
  _cleanup_error_ struct error *err = NULL;
  int c = 9;
  CHECK_INT (scan_apk_version_cmp ("3.1.4-r1", "3.1.4-r1", &c, &err), ==, 0);
  CHECK_INT (c, ==, 0);
}

static void
test_pep440 (void)
{
  /* ascending, PEP 440's own example order */
  static const char *const order[] = {
    "1.0.dev456",    "1.0a1",         "1.0a2.dev456", "1.0a12.dev456",
    "1.0a12",        "1.0b1.dev456",  "1.0b2",        "1.0b2.post345.dev456",
    "1.0b2.post345", "1.0rc1.dev456", "1.0rc1",       "1.0",
    "1.0+abc.5",     "1.0+abc.7",     "1.0+5",        "1.0.post456.dev34",
    "1.0.post456",   "1.0.15",        "1.1.dev1",     "1!0.1",
  };
  check_order (scan_pep440_cmp, order, ARRAY_SIZE (order));
  static const char *const same[][2] = { { "1.0", "1.0.0" },
                                         { "1.0ALPHA1", "1.0a1" },
                                         { "v1.0-post2", "1.0.post2" },
                                         { "1.0-1", "1.0.post1" },
                                         { "1.0c1", "1.0rc1" } };
  for (size_t i = 0; i < ARRAY_SIZE (same); i++)
    {
      _cleanup_error_ struct error *err = NULL;
      int c = 9;
      CHECK_INT (scan_pep440_cmp (same[i][0], same[i][1], &c, &err), ==, 0);
      CHECK_INT (c, ==, 0);
    }
  _cleanup_error_ struct error *err = NULL;
  int c;
  CHECK_INT (scan_pep440_cmp ("1.0$", "1.0", &c, &err), ==, -EINVAL);
}

static void
test_semver (void)
{
  /* semver.org's precedence example */
  static const char *const order[]
      = { "1.0.0-alpha",  "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
          "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0",
          "1.0.1",        "1.2.0",         "1.10.0",           "2.0.0" };
  check_order (scan_semver_cmp, order, ARRAY_SIZE (order));
  _cleanup_error_ struct error *err = NULL;
  int c = 9;
  CHECK_INT (scan_semver_cmp ("v1.0.0+build.5", "1.0.0", &c, &err), ==, 0);
  CHECK_INT (c, ==, 0);
  CHECK_INT (scan_semver_cmp ("1.0", "1.0.0", &c, &err), ==, -EINVAL);
}

int
main (void)
{
  RUN (test_dpkg_fixed);
  RUN (test_dpkg_invalid);
  RUN (test_dpkg_against_dpkg);
  RUN (test_dpkg_invalid_agrees);
  RUN (test_apk);
  RUN (test_pep440);
  RUN (test_semver);
  return tap_done ();
}
