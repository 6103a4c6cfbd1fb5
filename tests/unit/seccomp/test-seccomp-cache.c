/* test-seccomp-cache.c - the compiled-filter cache: a hit gives the same
 * program and skips libseccomp (measured), damaged or foreign entries are
 * ignored and rewritten, an unsafe directory is not used, the directory
 * stays bounded. */
#include "helpers.h"

#include "base/cleanup.h"
#include "base/fs.h"
#include "seccomp/internal.h"
#include "seccomp/profile.h"

#include "base/strv.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

static char tmpdir[] = "/tmp/hull-test-seccomp-cache.XXXXXX";
static char cache[256];
static struct oci_seccomp *default_profile;

static double
now_us (clockid_t clk)
{
  struct timespec ts;
  clock_gettime (clk, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static struct oci_seccomp *
resolved_default (void)
{
  json_object *p = NULL, *oci = NULL;
  struct error *err = NULL;
  struct oci_seccomp *s = calloc (1, sizeof *s);
  if (seccomp_profile_load_default (&p, &err) < 0
      || seccomp_profile_resolve (p, seccomp_profile_docker_default_caps (), &oci, &err) < 0
      || oci_seccomp_parse (oci, s, &err) < 0)
    {
      printf ("# default profile: %s\n", err->msg);
      error_free (err);
      free (s);
      s = NULL;
    }
  json_object_put (p);
  json_object_put (oci);
  return s;
}

static int
count_entries (void)
{
  DIR *d = opendir (cache);
  if (d == NULL)
    return -1;
  int n = 0;
  struct dirent *de;
  while ((de = readdir (d)))
    if (str_has_suffix (de->d_name, ".bpf"))
      n++;
  closedir (d);
  return n;
}

static char *
entry_path (const struct oci_seccomp *s)
{
  char *canon = NULL, name[32];
  size_t len;
  struct error *err = NULL;
  if (seccomp_canonical (s, &canon, &len, &err) < 0)
    {
      error_free (err);
      return NULL;
    }
  seccomp_cache_entry_name (canon, len, name);
  free (canon);
  return fs_path_join (cache, name);
}

static double
median (double *v, int n)
{
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j - 1] > v[j]; j--)
      {
        double t = v[j];
        v[j] = v[j - 1];
        v[j - 1] = t;
      }
  return v[n / 2];
}

static void
test_miss_then_hit (void)
{
  REQUIRE (default_profile != NULL);
  struct error *err = NULL;
  struct seccomp_filter *a = NULL, *b = NULL, *plain = NULL;
  bool hit = true;

  /* the directory does not exist yet: created, private */
  CHECK_INT (seccomp_filter_compile_ex (default_profile, cache, &a, &hit, &err), ==, 0);
  REQUIRE (a != NULL);
  CHECK (!hit);
  struct stat st;
  CHECK (stat (cache, &st) == 0 && (st.st_mode & 07777) == 0700);
  CHECK_INT (count_entries (), ==, 1);
  _cleanup_free_ char *p = entry_path (default_profile);
  CHECK (p && stat (p, &st) == 0 && (st.st_mode & 0777) == 0600);

  CHECK_INT (seccomp_filter_compile_ex (default_profile, cache, &b, &hit, &err), ==, 0);
  REQUIRE (b != NULL);
  CHECK (hit);
  CHECK_INT (b->n_insns, ==, a->n_insns);
  CHECK (memcmp (a->bpf, b->bpf, a->n_insns * 8) == 0);
  CHECK_INT (b->flags, ==, a->flags);

  /* and the same as without any cache */
  CHECK_INT (seccomp_filter_compile (default_profile, NULL, &plain, &err), ==, 0);
  REQUIRE (plain != NULL);
  CHECK_INT (plain->n_insns, ==, a->n_insns);
  CHECK (memcmp (a->bpf, plain->bpf, a->n_insns * 8) == 0);
  seccomp_filter_free (a);
  seccomp_filter_free (b);
  seccomp_filter_free (plain);
}

static void
test_hit_is_faster (void)
{
  REQUIRE (default_profile != NULL);
  enum
  {
    N = 15
  };
  /* wall time, and CPU time (steadier on a loaded machine) */
  double miss[N], hit[N], miss_cpu[N], hit_cpu[N];
  struct error *err = NULL;
  for (int i = 0; i < N; i++)
    {
      struct seccomp_filter *f = NULL;
      bool h = true;
      double t0 = now_us (CLOCK_MONOTONIC), c0 = now_us (CLOCK_PROCESS_CPUTIME_ID);
      CHECK_INT (seccomp_filter_compile_ex (default_profile, NULL, &f, &h, &err), ==, 0);
      miss[i] = now_us (CLOCK_MONOTONIC) - t0;
      miss_cpu[i] = now_us (CLOCK_PROCESS_CPUTIME_ID) - c0;
      CHECK (!h);
      seccomp_filter_free (f);

      f = NULL;
      t0 = now_us (CLOCK_MONOTONIC);
      c0 = now_us (CLOCK_PROCESS_CPUTIME_ID);
      CHECK_INT (seccomp_filter_compile_ex (default_profile, cache, &f, &h, &err), ==, 0);
      hit[i] = now_us (CLOCK_MONOTONIC) - t0;
      hit_cpu[i] = now_us (CLOCK_PROCESS_CPUTIME_ID) - c0;
      CHECK (h);
      seccomp_filter_free (f);
    }
  double m = median (miss, N), h = median (hit, N);
  double mc = median (miss_cpu, N), hc = median (hit_cpu, N);
  printf ("# default profile (%zu rules), medians of %d: compile %.0f us (cpu %.0f us), "
          "cache hit %.0f us (cpu %.0f us)\n",
          default_profile->n_syscalls, N, m, mc, h, hc);
  CHECK (hc < mc);
}

static void
write_file (const char *path, const void *data, size_t len)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0)
    {
      if (write (fd, data, len) < 0)
        {
        }
      close (fd);
    }
}

static bool
entry_is_valid (const struct oci_seccomp *s)
{
  /* a lookup of the entry as it is on disk now */
  char *canon = NULL;
  size_t len;
  struct error *err = NULL;
  if (seccomp_canonical (s, &canon, &len, &err) < 0)
    return false;
  int dfd = open (cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  void *bpf = NULL;
  size_t n = 0;
  int r = seccomp_cache_lookup (dfd, canon, len, &bpf, &n);
  close (dfd);
  free (canon);
  free (bpf);
  return r == 1;
}

static void
check_ignored_and_rewritten (const char *what)
{
  struct seccomp_filter *f = NULL;
  struct error *err = NULL;
  bool hit = true;
  CHECK_INT (seccomp_filter_compile_ex (default_profile, cache, &f, &hit, &err), ==, 0);
  if (hit)
    printf ("#   %s entry was used\n", what);
  CHECK (!hit);
  CHECK (f && f->n_insns > 100);
  CHECK (entry_is_valid (default_profile));
  seccomp_filter_free (f);
}

static void
test_damaged_entries (void)
{
  REQUIRE (default_profile != NULL);
  _cleanup_free_ char *p = entry_path (default_profile);
  REQUIRE (p != NULL);
  _cleanup_free_ char *good = NULL;
  size_t len = 0;
  struct error *err = NULL;
  REQUIRE (fs_read_file (p, 1 << 24, &good, &len, &err) == 0);
  REQUIRE (len > 100);

  write_file (p, "garbage", 7);
  check_ignored_and_rewritten ("garbage");

  write_file (p, good, len / 2);
  check_ignored_and_rewritten ("truncated");

  write_file (p, good, 24);
  check_ignored_and_rewritten ("header-only");

  /* one flipped bit in the program: caught by the checksum */
  good[len - 3] ^= 0x10;
  write_file (p, good, len);
  check_ignored_and_rewritten ("bit-flipped");
  good[len - 3] ^= 0x10;

  /* an extra byte at the end */
  char *longer = malloc (len + 1);
  memcpy (longer, good, len);
  longer[len] = 0;
  write_file (p, longer, len + 1);
  free (longer);
  check_ignored_and_rewritten ("overlong");

  /* an entry for another profile under this name (a hash collision): the
   * canonical forms differ, so it is not used */
  struct oci_seccomp *other = profile_from_text ("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
  REQUIRE (other != NULL);
  _cleanup_free_ char *op = entry_path (other);
  struct seccomp_filter *f = NULL;
  CHECK_INT (seccomp_filter_compile (other, cache, &f, &err), ==, 0);
  seccomp_filter_free (f);
  _cleanup_free_ char *otext = NULL;
  size_t olen = 0;
  REQUIRE (fs_read_file (op, 1 << 24, &otext, &olen, &err) == 0);
  write_file (p, otext, olen);
  check_ignored_and_rewritten ("foreign");
  profile_free (other);

  /* a symlink in place of the entry is not followed */
  unlink (p);
  CHECK (symlink (op, p) == 0);
  check_ignored_and_rewritten ("symlink");
  struct stat st;
  CHECK (lstat (p, &st) == 0 && S_ISREG (st.st_mode));

  /* an entry others may write is not trusted */
  CHECK (chmod (p, 0666) == 0);
  check_ignored_and_rewritten ("world-writable");
}

static void
test_unsafe_directory_not_used (void)
{
  REQUIRE (default_profile != NULL);
  char d[300];
  snprintf (d, sizeof d, "%s/open", tmpdir);
  REQUIRE (mkdir (d, 0700) == 0);
  REQUIRE (chmod (d, 0777) == 0);
  struct seccomp_filter *f = NULL;
  struct error *err = NULL;
  bool hit = true;
  /* still compiles, but writes nothing there */
  CHECK_INT (seccomp_filter_compile_ex (default_profile, d, &f, &hit, &err), ==, 0);
  CHECK (f != NULL && !hit);
  seccomp_filter_free (f);
  DIR *dir = opendir (d);
  int n = 0;
  struct dirent *de;
  while (dir && (de = readdir (dir)))
    n += de->d_name[0] != '.';
  if (dir)
    closedir (dir);
  CHECK_INT (n, ==, 0);

  /* an unusable path: compiled anyway */
  f = NULL;
  CHECK_INT (seccomp_filter_compile (default_profile, "/proc/self/hull-no/cache", &f, &err), ==, 0);
  CHECK (f != NULL);
  seccomp_filter_free (f);
}

static void
test_bounded (void)
{
  /* more distinct profiles than the cache keeps */
  for (int i = 0; i < SECCOMP_CACHE_MAX_FILES + 10; i++)
    {
      char text[256];
      snprintf (text, sizeof text,
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
                "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":%d}]}",
                i + 2);
      struct oci_seccomp *s = profile_from_text (text);
      REQUIRE (s != NULL);
      struct seccomp_filter *f = NULL;
      struct error *err = NULL;
      CHECK_INT (seccomp_filter_compile (s, cache, &f, &err), ==, 0);
      seccomp_filter_free (f);
      profile_free (s);
    }
  int n = count_entries ();
  CHECK (n > 0 && n <= SECCOMP_CACHE_MAX_FILES);
}

static int
body_cached_default (int listener, void *arg)
{
  errno = 0;
  CHILD_EXPECT (syscall (SYS_getppid) > 0);
  CHILD_EXPECT (syscall (SYS_keyctl, 0, 0, 0, 0, 0) < 0 && errno == EPERM);
  return 0;
}

static void
test_cached_program_loads (void)
{
  REQUIRE (default_profile != NULL);
  struct seccomp_filter *f = NULL;
  struct error *err = NULL;
  bool hit = false;
  CHECK_INT (seccomp_filter_compile_ex (default_profile, cache, &f, &hit, &err), ==, 0);
  REQUIRE (f != NULL);
  CHECK (hit);
  CHECK_EXITED_OK (run_filtered (f, body_cached_default, NULL));
  seccomp_filter_free (f);
}

int
main (void)
{
  if (mkdtemp (tmpdir) == NULL)
    return 1;
  snprintf (cache, sizeof cache, "%s/a/cache", tmpdir);
  default_profile = resolved_default ();
  RUN (test_miss_then_hit);
  RUN (test_hit_is_faster);
  RUN (test_damaged_entries);
  RUN (test_cached_program_loads);
  RUN (test_unsafe_directory_not_used);
  RUN (test_bounded);
  if (default_profile)
    profile_free (default_profile);
  struct error *err = NULL;
  fs_rm_rf_at (AT_FDCWD, tmpdir, &err);
  error_free (err);
  return tap_done ();
}
