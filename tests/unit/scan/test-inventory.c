/* test-inventory.c - package database parsers and the layer stack: a later
 * layer that rewrites or whites out a database wins; a container's upper
 * directory is drift. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "scan/scan.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static char tmp[] = "/tmp/hull-scan-inv.XXXXXX";

static void
put (const char *dir, const char *rel, const char *text)
{
  _cleanup_free_ char *p = NULL;
  CHECK (asprintf (&p, "%s/%s", dir, rel) > 0);
  _cleanup_free_ char *d = strdup (p);
  *strrchr (d, '/') = 0;
  _cleanup_error_ struct error *err = NULL;
  CHECK_INT (fs_mkdir_p (AT_FDCWD, d, 0755, &err), ==, 0);
  FILE *f = fopen (p, "w");
  CHECK (f != NULL);
  if (f)
    {
      fputs (text, f);
      fclose (f);
    }
}

static char *
layer (const char *name)
{
  char *p;
  if (asprintf (&p, "%s/%s", tmp, name) < 0)
    return NULL;
  mkdir (p, 0755);
  return p;
}

static const struct scan_pkg *
find (const struct scan_inventory *inv, const char *name)
{
  for (size_t i = 0; i < inv->n_pkgs; i++)
    if (strcmp (inv->pkgs[i].name, name) == 0)
      return &inv->pkgs[i];
  return NULL;
}

static void
test_dpkg_status (void)
{
  static const char st[] = "Package: libssl3\n"
                           "Status: install ok installed\n"
                           "Source: openssl (3.0.11-1~deb12u1)\n"
                           "Version: 3.0.11-1~deb12u1+b1\n"
                           "Architecture: amd64\n"
                           "Description: TLS\n"
                           " Package: not-a-field\n"
                           "\n"
                           "Package: removed\n"
                           "Status: deinstall ok config-files\n"
                           "Version: 1.0\n"
                           "\n\n"
                           "Package: held\n"
                           "Status: hold ok installed\n"
                           "Version: 2:1.0-1\n"
                           "\n"
                           "Package: broken\n"
                           "Status: install ok installed\n"
                           "Version: x\n"
                           "\n"
                           "Package: nosource\n"
                           "Status: install ok installed\n"
                           "Source: foo (1.0\n"
                           "Version: 1.0\n";
  struct scan_inventory inv = { 0 };
  _cleanup_error_ struct error *err = NULL;
  CHECK_INT (scan_parse_dpkg_status (st, strlen (st), "status", true, &inv, &err), ==, 0);
  REQUIRE (inv.n_pkgs == 2);
  CHECK_STR (inv.pkgs[0].name, "libssl3");
  CHECK_STR (inv.pkgs[0].src_name, "openssl");
  CHECK_STR (inv.pkgs[0].src_version, "3.0.11-1~deb12u1");
  CHECK_STR (inv.pkgs[0].version, "3.0.11-1~deb12u1+b1");
  CHECK_STR (inv.pkgs[0].arch, "amd64");
  CHECK_STR (inv.pkgs[1].name, "held");
  CHECK (inv.pkgs[1].src_name == NULL);
  CHECK_INT (strv_len (inv.problems), ==, 2);
  CHECK (inv.problems && strstr (inv.problems[0], "status:18: package `broken`"));
  CHECK (inv.problems && inv.problems[1] && strstr (inv.problems[1], "invalid Source"));
  for (size_t i = 0; i < inv.n_pkgs; i++)
    scan_pkg_clear (&inv.pkgs[i]);
  free (inv.pkgs);
  strv_free (inv.problems);
}

static void
test_apk_installed (void)
{
  static const char db[] = "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\n"
                           "P:libcrypto3\nV:3.1.4-r0\no:openssl\n\n"
                           "P:bad\nV:1.0-x\n\n"
                           "garbage line\n"
                           "P:busybox\nV:1.36.1-r5\n";
  struct scan_inventory inv = { 0 };
  _cleanup_error_ struct error *err = NULL;
  CHECK_INT (scan_parse_apk_installed (db, strlen (db), "installed", &inv, &err), ==, 0);
  REQUIRE (inv.n_pkgs == 3);
  CHECK_STR (inv.pkgs[0].name, "musl");
  CHECK_STR (inv.pkgs[0].licenses, "MIT");
  CHECK_STR (inv.pkgs[1].src_name, "openssl");
  CHECK_STR (inv.pkgs[2].name, "busybox");
  CHECK_INT (strv_len (inv.problems), ==, 2);
  for (size_t i = 0; i < inv.n_pkgs; i++)
    scan_pkg_clear (&inv.pkgs[i]);
  free (inv.pkgs);
  strv_free (inv.problems);
}

static void
test_layers (void)
{
  /* bottom: Debian with a, b, c and a distroless entry d; npm and python */
  _cleanup_free_ char *l1 = layer ("l1"), *l2 = layer ("l2"), *l3 = layer ("l3"),
                      *up = layer ("upper");
  put (l1, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  put (l1, "var/lib/dpkg/status",
       "Package: a\nStatus: install ok installed\nVersion: 1.0\n\n"
       "Package: b\nStatus: install ok installed\nVersion: 1.0\n\n"
       "Package: c\nStatus: install ok installed\nVersion: 1.0\n");
  put (l1, "var/lib/dpkg/status.d/d", "Package: d\nVersion: 4.0\n");
  put (l1, "var/lib/dpkg/status.d/e", "Package: e\nVersion: 5.0\n");
  put (l1, "srv/py/x.dist-info/METADATA", "Name: X_Y\nVersion: 1.0\n");
  put (l1, "srv/app/node_modules/left-pad/package.json",
       "{\"name\":\"left-pad\",\"version\":\"1.0.0\"}");
  /* l2: upgrades a, purges c; whites out status.d/e; opaque srv/app */
  put (l2, "var/lib/dpkg/status",
       "Package: a\nStatus: install ok installed\nVersion: 2.0\n\n"
       "Package: b\nStatus: install ok installed\nVersion: 1.0\n\n"
       "Package: c\nStatus: purge ok not-installed\nVersion: 1.0\n");
  _cleanup_free_ char *wh = NULL, *app = NULL;
  put (l2, "var/lib/dpkg/status.d/.keep", "");
  CHECK (asprintf (&wh, "%s/var/lib/dpkg/status.d/e", l2) > 0);
  if (mknod (wh, S_IFCHR | 0, makedev (0, 0)) < 0)
    {
      printf ("# mknod: %s: whiteouts not tested\n", strerror (errno));
      return;
    }
  put (l2, "srv/app/keep", "");
  CHECK (asprintf (&app, "%s/srv/app", l2) > 0);
  bool opaque = setxattr (app, "trusted.overlay.opaque", "y", 1, 0) == 0;
  /* l3: a whiteout of the whole python directory */
  put (l3, "srv/.keep", "");
  _cleanup_free_ char *wpy = NULL;
  CHECK (asprintf (&wpy, "%s/srv/py", l3) > 0);
  CHECK_INT (mknod (wpy, S_IFCHR | 0, makedev (0, 0)), ==, 0);

  char *layers[] = { l1, l2, l3, NULL };
  _cleanup_scan_reader_ struct scan_reader *r = NULL;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (scan_reader_new (&r, &err) == 0);
  _cleanup_scan_inventory_ struct scan_inventory *inv = NULL;
  REQUIRE (scan_inventory_layers (r, layers, NULL, &inv, &err) == 0);
  CHECK_STR (inv->os.id, "debian");
  _cleanup_free_ char *eco = scan_os_ecosystem (&inv->os);
  CHECK_STR (eco, "Debian:12");
  CHECK (find (inv, "a") && strcmp (find (inv, "a")->version, "2.0") == 0);
  CHECK (find (inv, "b") != NULL);
  CHECK (find (inv, "c") == NULL);
  CHECK (find (inv, "d") != NULL);
  CHECK (find (inv, "e") == NULL);
  CHECK (find (inv, "X_Y") == NULL);
  if (opaque)
    CHECK (find (inv, "left-pad") == NULL);
  else
    printf ("# trusted.overlay.opaque not settable: opaque directories not tested\n");
  CHECK_INT (scan_reader_walked (r), ==, 3);

  /* a container on top: installs f and upgrades b */
  put (up, "var/lib/dpkg/status",
       "Package: a\nStatus: install ok installed\nVersion: 2.0\n\n"
       "Package: b\nStatus: install ok installed\nVersion: 1.1\n\n"
       "Package: f\nStatus: install ok installed\nVersion: 1.0\n");
  _cleanup_scan_inventory_ struct scan_inventory *ci = NULL;
  REQUIRE (scan_inventory_layers (r, layers, up, &ci, &err) == 0);
  /* the layers were read from the cache, the upper directory walked */
  CHECK_INT (scan_reader_walked (r), ==, 4);
  CHECK (find (ci, "a") && !find (ci, "a")->drift);
  CHECK (find (ci, "b") && find (ci, "b")->drift && strcmp (find (ci, "b")->version, "1.1") == 0);
  CHECK (find (ci, "f") && find (ci, "f")->drift);
  CHECK (find (ci, "d") && !find (ci, "d")->drift);
  CHECK_STR (find (ci, "f")->layer, "upper");
}

static void
test_symlink_not_followed (void)
{
  _cleanup_free_ char *l = layer ("sym");
  put (l, "etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n");
  _cleanup_free_ char *dir = NULL, *secret = NULL;
  CHECK (asprintf (&dir, "%s/lib/apk/db", l) > 0);
  _cleanup_error_ struct error *err = NULL;
  CHECK_INT (fs_mkdir_p (AT_FDCWD, dir, 0755, &err), ==, 0);
  put (tmp, "outside", "P:stolen\nV:1.0-r0\n");
  CHECK (asprintf (&secret, "%s/installed", dir) > 0);
  CHECK_INT (symlink ("../../../../outside", secret), ==, 0);
  _cleanup_scan_reader_ struct scan_reader *r = NULL;
  REQUIRE (scan_reader_new (&r, &err) == 0);
  _cleanup_scan_inventory_ struct scan_inventory *inv = NULL;
  REQUIRE (scan_inventory_dir (r, l, &inv, &err) == 0);
  CHECK_INT (inv->n_pkgs, ==, 0);
  _cleanup_free_ char *eco = scan_os_ecosystem (&inv->os);
  CHECK_STR (eco, "Alpine:v3.19");
}

static void
test_huge_file (void)
{
  /* a package database above the limit: one problem line, not read, the
   * rest still read */
  _cleanup_free_ char *l = layer ("huge"), *st = NULL;
  put (l, "etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n");
  put (l, "var/lib/dpkg/status", "");
  put (l, "usr/lib/python3/x.dist-info/METADATA", "Name: x\nVersion: 1.0\n");
  CHECK (asprintf (&st, "%s/var/lib/dpkg/status", l) > 0);
  CHECK_INT (truncate (st, 65ll << 20), ==, 0);
  _cleanup_scan_reader_ struct scan_reader *r = NULL;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (scan_reader_new (&r, &err) == 0);
  _cleanup_scan_inventory_ struct scan_inventory *inv = NULL;
  REQUIRE (scan_inventory_dir (r, l, &inv, &err) == 0);
  CHECK_INT (inv->n_pkgs, ==, 1);
  CHECK_INT (strv_len (inv->problems), ==, 1);
  CHECK (inv->problems
         && strstr (inv->problems[0], "var/lib/dpkg/status: 68157440 bytes, more "
                                      "than the limit"));
}

int
main (void)
{
  if (!mkdtemp (tmp))
    return 1;
  RUN (test_dpkg_status);
  RUN (test_apk_installed);
  RUN (test_layers);
  RUN (test_symlink_not_followed);
  RUN (test_huge_file);
  _cleanup_error_ struct error *err = NULL;
  fs_rm_rf_at (AT_FDCWD, tmp, &err);
  return tap_done ();
}
