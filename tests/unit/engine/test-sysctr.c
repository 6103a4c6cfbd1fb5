/* Unit tests for system containers (sysctr.c): --systemd parsing, when a
 * container counts as one, what create adds to its spec and what the config
 * builder adds to config.json. */
#include "tests/lib/tap.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "engine/build.h"
#include "engine/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static char rootdir[] = "/tmp/hull-sysctr-test.XXXXXX";
static char rundir[] = "/tmp/hull-sysctr-run.XXXXXX";
static int rootfd = -1;

static void
test_parse (void)
{
  struct error *err = NULL;
  int m = -1;
  CHECK_INT (ctr_parse_systemd ("true", &m, &err), ==, 0);
  CHECK_INT (m, ==, CTR_SYSTEMD_TRUE);
  CHECK_INT (ctr_parse_systemd ("false", &m, &err), ==, 0);
  CHECK_INT (m, ==, CTR_SYSTEMD_FALSE);
  CHECK_INT (ctr_parse_systemd ("always", &m, &err), ==, 0);
  CHECK_INT (m, ==, CTR_SYSTEMD_ALWAYS);
  CHECK_INT (ctr_parse_systemd ("yes", &m, &err), ==, -EINVAL);
  REQUIRE (err != NULL);
  CHECK (strstr (err->msg, "`yes`") != NULL);
  error_free (err);
  CHECK_STR (ctr_systemd_name (CTR_SYSTEMD_ALWAYS), "always");
  CHECK_STR (ctr_systemd_name (CTR_SYSTEMD_FALSE), "false");
  CHECK_STR (ctr_systemd_name (CTR_SYSTEMD_TRUE), "true");
}

static void
test_active (void)
{
  static const struct
  {
    const char *entry, *cmd;
    int mode;
    bool active;
  } t[] = {
    { NULL, "/sbin/init", CTR_SYSTEMD_TRUE, true },
    { NULL, "/lib/systemd/systemd", CTR_SYSTEMD_TRUE, true },
    { NULL, "systemd", CTR_SYSTEMD_TRUE, true },
    { NULL, "/usr/sbin/init", CTR_SYSTEMD_FALSE, false },
    { NULL, "/bin/sh", CTR_SYSTEMD_TRUE, false },
    { NULL, "/bin/initx", CTR_SYSTEMD_TRUE, false },
    { NULL, "/bin/sh", CTR_SYSTEMD_ALWAYS, true },
    { "/bin/sh", "/sbin/init", CTR_SYSTEMD_TRUE, false }, /* the entrypoint runs */
    { "/sbin/init", "--log-level=debug", CTR_SYSTEMD_TRUE, true },
    { NULL, NULL, CTR_SYSTEMD_TRUE, false },
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    {
      struct ctr_spec s;
      memset (&s, 0, sizeof s);
      s.systemd = t[i].mode;
      if (t[i].entry)
        s.entrypoint = strv_dup ((char *[]){ (char *)t[i].entry, NULL });
      if (t[i].cmd)
        s.cmd = strv_dup ((char *[]){ (char *)t[i].cmd, NULL });
      if (ctr_systemd_active (&s) != t[i].active)
        {
          printf ("#   case %zu (%s %s, mode %d): expected %d\n", i, t[i].entry ? t[i].entry : "-",
                  t[i].cmd ? t[i].cmd : "-", t[i].mode, t[i].active);
          tap_cur_failed = 1;
        }
      ctr_spec_clear (&s);
    }
}

static void
test_prepare (void)
{
  struct error *err = NULL;
  struct ctr_spec s;
  memset (&s, 0, sizeof s);
  s.cmd = strv_dup ((char *[]){ "/sbin/init", NULL });
  s.env = strv_dup ((char *[]){ "PATH=/bin", NULL });
  CHECK_INT (ctr_systemd_prepare (&s, &err), ==, 0);
  CHECK_STR (s.stop_signal, "SIGRTMIN+3");
  CHECK (strv_contains (s.env, "container=hull"));
  CHECK (strv_contains (s.env, "PATH=/bin"));
  ctr_spec_clear (&s);

  /* what the user or the image said stays */
  memset (&s, 0, sizeof s);
  s.cmd = strv_dup ((char *[]){ "/sbin/init", NULL });
  s.env = strv_dup ((char *[]){ "container=other", NULL });
  s.stop_signal = strdup ("SIGINT");
  CHECK_INT (ctr_systemd_prepare (&s, &err), ==, 0);
  CHECK_STR (s.stop_signal, "SIGINT");
  CHECK (strv_contains (s.env, "container=other"));
  CHECK (!strv_contains (s.env, "container=hull"));
  ctr_spec_clear (&s);

  /* not a system container: nothing changes */
  memset (&s, 0, sizeof s);
  s.cmd = strv_dup ((char *[]){ "/sbin/init", NULL });
  s.systemd = CTR_SYSTEMD_FALSE;
  CHECK_INT (ctr_systemd_prepare (&s, &err), ==, 0);
  CHECK (s.stop_signal == NULL);
  CHECK (s.env == NULL);
  ctr_spec_clear (&s);

  /* the JSON record keeps the mode; an old record without it is "true" */
  memset (&s, 0, sizeof s);
  s.stop_timeout = -1;
  s.systemd = CTR_SYSTEMD_ALWAYS;
  _cleanup_json_ json_object *j = ctr_spec_to_json (&s);
  struct ctr_spec back;
  REQUIRE (ctr_spec_from_json (j, &back, &err) == 0);
  CHECK_INT (back.systemd, ==, CTR_SYSTEMD_ALWAYS);
  ctr_spec_clear (&back);
  json_object *h;
  REQUIRE (json_object_object_get_ex (j, "HostConfig", &h));
  json_object_object_del (h, "Systemd");
  REQUIRE (ctr_spec_from_json (j, &back, &err) == 0);
  CHECK_INT (back.systemd, ==, CTR_SYSTEMD_TRUE);
  ctr_spec_clear (&back);
}

/* index of the mount at dest in config.json, -1 if none */
static int
mount_at (json_object *c, const char *dest, json_object **m)
{
  json_object *mounts;
  if (!json_object_object_get_ex (c, "mounts", &mounts))
    return -1;
  for (size_t i = 0; i < json_object_array_length (mounts); i++)
    {
      json_object *x = json_object_array_get_idx (mounts, i), *d;
      if (json_object_object_get_ex (x, "destination", &d)
          && strcmp (json_object_get_string (d), dest) == 0)
        {
          if (m)
            *m = x;
          return (int)i;
        }
    }
  return -1;
}

static bool
has_option (json_object *m, const char *opt)
{
  json_object *o;
  if (!json_object_object_get_ex (m, "options", &o))
    return false;
  for (size_t i = 0; i < json_object_array_length (o); i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (o, i)), opt) == 0)
      return true;
  return false;
}

static int
build (int mode, const char *cmd, const char *user_bind, json_object **out, struct error **err)
{
  struct ctr_spec s;
  memset (&s, 0, sizeof s);
  s.stop_timeout = -1;
  s.systemd = mode;
  s.cmd = strv_dup ((char *[]){ (char *)cmd, NULL });
  s.hostname = strdup ("0123456789ab");
  s.seccomp = strdup ("unconfined");
  if (user_bind)
    {
      s.mounts = calloc (1, sizeof *s.mounts);
      s.n_mounts = 1;
      if (ctr_parse_volume (user_bind, &s.mounts[0], err) < 0)
        return -1;
    }
  if (ctr_systemd_prepare (&s, err) < 0)
    return -1;
  char hosts[600];
  snprintf (hosts, sizeof hosts, "%s/hosts", rundir);
  struct build_ctx b = {
    .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    .spec = &s,
    .rootfs = rootdir,
    .rootfd = rootfd,
    .hosts_path = hosts,
    .cgroup_parent = "/hull",
    .host_bounding = ~0ULL,
  };
  int r = engine_build_config (&b, out, err);
  ctr_spec_clear (&s);
  return r;
}

static void
test_config (void)
{
  struct error *err = NULL;
  _cleanup_json_ json_object *c = NULL;
  if (build (CTR_SYSTEMD_TRUE, "/sbin/init", "/srv:/run/data", &c, &err) < 0)
    {
      printf ("# build: %s\n", err->msg);
      tap_cur_failed = 1;
      error_free (err);
      return;
    }
  json_object *m = NULL;
  static const char *const tmpfs[] = { "/run", "/run/lock", "/tmp", "/var/log/journal" };
  for (size_t i = 0; i < sizeof tmpfs / sizeof *tmpfs; i++)
    {
      REQUIRE (mount_at (c, tmpfs[i], &m) >= 0);
      json_object *t;
      json_object_object_get_ex (m, "type", &t);
      CHECK_STR (json_object_get_string (t), "tmpfs");
      CHECK (has_option (m, "nosuid"));
      CHECK (has_option (m, "nodev"));
    }
  /* the user's bind below /run comes after the /run tmpfs (stays visible) */
  CHECK_INT (mount_at (c, "/run", NULL), <, mount_at (c, "/run/data", NULL));
  CHECK_INT (mount_at (c, "/run", NULL), <, mount_at (c, "/run/lock", NULL));
  /* /etc/machine-id: 32 hex digits of the id, bound read-only */
  REQUIRE (mount_at (c, "/etc/machine-id", &m) >= 0);
  CHECK (has_option (m, "ro"));
  char p[600], *text = NULL;
  snprintf (p, sizeof p, "%s/machine-id", rundir);
  REQUIRE (fs_read_file_at (AT_FDCWD, p, 4096, &text, NULL, &err) == 0);
  CHECK_STR (text, "0123456789abcdef0123456789abcdef\n");
  free (text);
  /* systemd's environment */
  json_object *proc, *env;
  REQUIRE (json_object_object_get_ex (c, "process", &proc)
           && json_object_object_get_ex (proc, "env", &env));
  bool found = false;
  for (size_t i = 0; i < json_object_array_length (env); i++)
    found |= strcmp (json_object_get_string (json_object_array_get_idx (env, i)), "container=hull")
             == 0;
  CHECK (found);
  /* a cgroup namespace, and the container's own cgroup writable */
  struct statfs sfs;
  REQUIRE (statfs ("/sys/fs/cgroup", &sfs) == 0);
  if (sfs.f_type == CGROUP2_SUPER_MAGIC)
    {
      REQUIRE (mount_at (c, "/sys/fs/cgroup", &m) >= 0);
      CHECK (!has_option (m, "ro"));
    }
  else
    {
      REQUIRE (mount_at (c, "/sys/fs/cgroup", &m) >= 0);
      CHECK (has_option (m, "ro")); /* the controllers stay read-only */
      struct stat a, b;
      if (stat ("/sys/fs/cgroup/systemd", &a) == 0 && stat ("/sys/fs/cgroup", &b) == 0
          && a.st_dev != b.st_dev)
        {
          REQUIRE (mount_at (c, "/sys/fs/cgroup/systemd", &m) >= 0);
          CHECK (has_option (m, "rw"));
          json_object *src;
          json_object_object_get_ex (m, "source", &src);
          CHECK_STR (json_object_get_string (src),
                     "/sys/fs/cgroup/systemd/hull/"
                     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
          CHECK_INT (mount_at (c, "/sys/fs/cgroup", NULL), <,
                     mount_at (c, "/sys/fs/cgroup/systemd", NULL));
        }
    }

  /* an image with an empty /etc/machine-id gets the id written in its
   * root (a file, no mount); one with an id of its own keeps it */
  snprintf (p, sizeof p, "%s/etc", rootdir);
  REQUIRE (mkdir (p, 0755) == 0);
  snprintf (p, sizeof p, "%s/etc/machine-id", rootdir);
  FILE *f = fopen (p, "w");
  REQUIRE (f != NULL);
  fclose (f);
  _cleanup_json_ json_object *inroot = NULL;
  REQUIRE (build (CTR_SYSTEMD_TRUE, "/sbin/init", NULL, &inroot, &err) == 0);
  CHECK_INT (mount_at (inroot, "/etc/machine-id", NULL), ==, -1);
  REQUIRE (fs_read_file_at (AT_FDCWD, p, 4096, &text, NULL, &err) == 0);
  CHECK_STR (text, "0123456789abcdef0123456789abcdef\n");
  free (text);
  f = fopen (p, "w");
  REQUIRE (f != NULL);
  fputs ("ffffffffffffffffffffffffffffffff\n", f);
  fclose (f);
  _cleanup_json_ json_object *own = NULL;
  REQUIRE (build (CTR_SYSTEMD_TRUE, "/sbin/init", NULL, &own, &err) == 0);
  CHECK_INT (mount_at (own, "/etc/machine-id", NULL), ==, -1);
  REQUIRE (fs_read_file_at (AT_FDCWD, p, 4096, &text, NULL, &err) == 0);
  CHECK_STR (text, "ffffffffffffffffffffffffffffffff\n");
  free (text);
  /* a symlink out of the root is not followed: the id is bound instead */
  unlink (p);
  REQUIRE (symlink ("/etc/hostname", p) == 0);
  _cleanup_json_ json_object *link = NULL;
  REQUIRE (build (CTR_SYSTEMD_TRUE, "/sbin/init", NULL, &link, &err) == 0);
  CHECK_INT (mount_at (link, "/etc/machine-id", NULL), >=, 0);

  /* not an init: none of it */
  _cleanup_json_ json_object *plain = NULL;
  REQUIRE (build (CTR_SYSTEMD_TRUE, "/bin/sh", NULL, &plain, &err) == 0);
  CHECK_INT (mount_at (plain, "/run", NULL), ==, -1);
  CHECK_INT (mount_at (plain, "/etc/machine-id", NULL), ==, -1);
  /* --systemd=false with an init: none of it either */
  _cleanup_json_ json_object *off = NULL;
  REQUIRE (build (CTR_SYSTEMD_FALSE, "/sbin/init", NULL, &off, &err) == 0);
  CHECK_INT (mount_at (off, "/tmp", NULL), ==, -1);
  /* always: a shell gets it all */
  _cleanup_json_ json_object *always = NULL;
  REQUIRE (build (CTR_SYSTEMD_ALWAYS, "/bin/sh", NULL, &always, &err) == 0);
  CHECK_INT (mount_at (always, "/run/lock", NULL), >=, 0);
}

int
main (void)
{
  if (mkdtemp (rootdir) == NULL || mkdtemp (rundir) == NULL)
    return 1;
  rootfd = open (rootdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  RUN (test_parse);
  RUN (test_active);
  RUN (test_prepare);
  RUN (test_config);
  close (rootfd);
  struct error *e2 = NULL;
  fs_rm_rf_at (AT_FDCWD, rootdir, &e2);
  fs_rm_rf_at (AT_FDCWD, rundir, &e2);
  error_free (e2);
  return tap_done ();
}
