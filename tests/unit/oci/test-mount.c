/* test-mount.c - mount option strings -> flags, propagation, attributes, data. */
#include "oci/config.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "tap.h"

#include <stdlib.h>
#include <sys/mount.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

#define REC MS_REC
#define ATIME MOUNT_ATTR__ATIME

struct option_case
{
  const char *options; /* comma-separated here for brevity */
  const char *type;
  unsigned long flags, clear_flags, propagation, attr_set, attr_clr;
  const char *data;
  bool rro, idmap, ridmap, tmpcopyup;
};

static const struct option_case cases[] = {
  { "", NULL, 0, 0, 0, 0, 0, NULL },
  { "defaults", NULL, 0, 0, 0, 0, 0, NULL },
  { "ro", NULL, MS_RDONLY, 0, 0, 0, 0, NULL },
  { "rw", NULL, 0, MS_RDONLY, 0, 0, 0, NULL },
  { "ro,rw", NULL, 0, MS_RDONLY, 0, 0, 0, NULL },
  { "rw,ro", NULL, MS_RDONLY, 0, 0, 0, 0, NULL },
  { "nosuid,nodev,noexec", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, 0, 0, 0, NULL },
  { "suid,dev,exec", NULL, 0, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, 0, 0, NULL },
  { "sync", NULL, MS_SYNCHRONOUS, 0, 0, 0, 0, NULL },
  { "async", NULL, 0, MS_SYNCHRONOUS, 0, 0, 0, NULL },
  { "dirsync", NULL, MS_DIRSYNC, 0, 0, 0, 0, NULL },
  { "remount", NULL, MS_REMOUNT, 0, 0, 0, 0, NULL },
  { "mand", NULL, MS_MANDLOCK, 0, 0, 0, 0, NULL },
  { "nomand", NULL, 0, MS_MANDLOCK, 0, 0, 0, NULL },
  { "noatime", NULL, MS_NOATIME, 0, 0, 0, 0, NULL },
  { "atime", NULL, 0, MS_NOATIME, 0, 0, 0, NULL },
  { "nodiratime", NULL, MS_NODIRATIME, 0, 0, 0, 0, NULL },
  { "diratime", NULL, 0, MS_NODIRATIME, 0, 0, 0, NULL },
  { "relatime", NULL, MS_RELATIME, 0, 0, 0, 0, NULL },
  { "norelatime", NULL, 0, MS_RELATIME, 0, 0, 0, NULL },
  { "strictatime", NULL, MS_STRICTATIME, 0, 0, 0, 0, NULL },
  { "nostrictatime", NULL, 0, MS_STRICTATIME, 0, 0, 0, NULL },
  { "lazytime", NULL, MS_LAZYTIME, 0, 0, 0, 0, NULL },
  { "nolazytime", NULL, 0, MS_LAZYTIME, 0, 0, 0, NULL },
  { "silent", NULL, MS_SILENT, 0, 0, 0, 0, NULL },
  { "loud", NULL, 0, MS_SILENT, 0, 0, 0, NULL },
  { "iversion", NULL, MS_I_VERSION, 0, 0, 0, 0, NULL },
  { "noiversion", NULL, 0, MS_I_VERSION, 0, 0, 0, NULL },
  { "acl", NULL, MS_POSIXACL, 0, 0, 0, 0, NULL },
  { "noacl", NULL, 0, MS_POSIXACL, 0, 0, 0, NULL },
  { "nosymfollow", NULL, MS_NOSYMFOLLOW, 0, 0, 0, 0, NULL },
  { "symfollow", NULL, 0, MS_NOSYMFOLLOW, 0, 0, 0, NULL },
  { "bind", NULL, MS_BIND, 0, 0, 0, 0, NULL },
  { "rbind", NULL, MS_BIND | REC, 0, 0, 0, 0, NULL },
  { "", "bind", MS_BIND, 0, 0, 0, 0, NULL },
  { "rbind", "bind", MS_BIND | REC, 0, 0, 0, 0, NULL },
  { "private", NULL, 0, 0, MS_PRIVATE, 0, 0, NULL },
  { "rprivate", NULL, 0, 0, MS_PRIVATE | REC, 0, 0, NULL },
  { "shared", NULL, 0, 0, MS_SHARED, 0, 0, NULL },
  { "rshared", NULL, 0, 0, MS_SHARED | REC, 0, 0, NULL },
  { "slave", NULL, 0, 0, MS_SLAVE, 0, 0, NULL },
  { "rslave", NULL, 0, 0, MS_SLAVE | REC, 0, 0, NULL },
  { "unbindable", NULL, 0, 0, MS_UNBINDABLE, 0, 0, NULL },
  { "runbindable", NULL, 0, 0, MS_UNBINDABLE | REC, 0, 0, NULL },
  { "rshared,rprivate", NULL, 0, 0, MS_PRIVATE | REC, 0, 0, NULL },
  { "rro", NULL, 0, 0, 0, MOUNT_ATTR_RDONLY, 0, NULL, .rro = true },
  { "rrw", NULL, 0, 0, 0, 0, MOUNT_ATTR_RDONLY, NULL },
  { "rro,rrw", NULL, 0, 0, 0, 0, MOUNT_ATTR_RDONLY, NULL },
  { "rnosuid", NULL, 0, 0, 0, MOUNT_ATTR_NOSUID, 0, NULL },
  { "rsuid", NULL, 0, 0, 0, 0, MOUNT_ATTR_NOSUID, NULL },
  { "rnodev", NULL, 0, 0, 0, MOUNT_ATTR_NODEV, 0, NULL },
  { "rdev", NULL, 0, 0, 0, 0, MOUNT_ATTR_NODEV, NULL },
  { "rnoexec", NULL, 0, 0, 0, MOUNT_ATTR_NOEXEC, 0, NULL },
  { "rexec", NULL, 0, 0, 0, 0, MOUNT_ATTR_NOEXEC, NULL },
  { "rnodiratime", NULL, 0, 0, 0, MOUNT_ATTR_NODIRATIME, 0, NULL },
  { "rdiratime", NULL, 0, 0, 0, 0, MOUNT_ATTR_NODIRATIME, NULL },
  { "rnosymfollow", NULL, 0, 0, 0, MOUNT_ATTR_NOSYMFOLLOW, 0, NULL },
  { "rsymfollow", NULL, 0, 0, 0, 0, MOUNT_ATTR_NOSYMFOLLOW, NULL },
  { "rnoatime", NULL, 0, 0, 0, MOUNT_ATTR_NOATIME, ATIME, NULL },
  { "ratime", NULL, 0, 0, 0, MOUNT_ATTR_RELATIME, ATIME, NULL },
  { "rrelatime", NULL, 0, 0, 0, MOUNT_ATTR_RELATIME, ATIME, NULL },
  { "rnorelatime", NULL, 0, 0, 0, MOUNT_ATTR_STRICTATIME, ATIME, NULL },
  { "rstrictatime", NULL, 0, 0, 0, MOUNT_ATTR_STRICTATIME, ATIME, NULL },
  { "rnostrictatime", NULL, 0, 0, 0, MOUNT_ATTR_RELATIME, ATIME, NULL },
  { "rnoatime,rstrictatime", NULL, 0, 0, 0, MOUNT_ATTR_STRICTATIME, ATIME, NULL },
  { "rnosuid,rnoatime,rro", NULL, 0, 0, 0,
    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME | MOUNT_ATTR_RDONLY, ATIME, NULL, .rro = true },
  { "bind,idmap", NULL, MS_BIND, 0, 0, 0, 0, NULL, .idmap = true },
  { "rbind,ridmap", NULL, MS_BIND | REC, 0, 0, 0, 0, NULL, .idmap = true, .ridmap = true },
  { "tmpcopyup,mode=1777", "tmpfs", 0, 0, 0, 0, 0, "mode=1777", .tmpcopyup = true },
  { "nosuid,mode=755,size=65536k", "tmpfs", MS_NOSUID, 0, 0, 0, 0, "mode=755,size=65536k" },
  { "newinstance,ptmxmode=0666,mode=0620,gid=5", "devpts", 0, 0, 0, 0, 0,
    "newinstance,ptmxmode=0666,mode=0620,gid=5" },
  { "lowerdir=/a:/b,upperdir=/u,workdir=/w,ro", "overlay", MS_RDONLY, 0, 0, 0, 0,
    "lowerdir=/a:/b,upperdir=/u,workdir=/w" },
  /* near-misses of known names are data, not flags */
  { "RO,nosuidx,x-gvfs-hide", NULL, 0, 0, 0, 0, 0, "RO,nosuidx,x-gvfs-hide" },
  { "rbind,rprivate,nosuid,noexec,nodev,ro", NULL,
    MS_BIND | REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, 0, MS_PRIVATE | REC, 0, 0,
    NULL },
};

static char **
split (const char *s)
{
  char **v = NULL;
  _cleanup_free_ char *copy = strdup (s);
  char *save = NULL;
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    strv_push (&v, t);
  return v ? v : calloc (1, sizeof (char *));
}

static void
test_option_table (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      const struct option_case *c = &cases[i];
      struct oci_mount m = { 0 };
      struct error *e = NULL;
      m.options = split (c->options);
      m.type = c->type ? strdup (c->type) : NULL;
      int r = oci_mount_parse_options (&m, &e);
      CHECK_INT (r, ==, 0);
      error_free (e);
      int before = tap_cur_failed;
      tap_cur_failed = 0;
      CHECK_INT (m.flags, ==, c->flags);
      CHECK_INT (m.clear_flags, ==, c->clear_flags);
      CHECK_INT (m.propagation, ==, c->propagation);
      CHECK_INT (m.attr_set, ==, c->attr_set);
      CHECK_INT (m.attr_clr, ==, c->attr_clr);
      if (c->data)
        CHECK_STR (m.data, c->data);
      else
        CHECK (m.data == NULL);
      CHECK (m.recursive_ro == c->rro);
      CHECK (m.idmap == c->idmap);
      CHECK (m.idmap_recursive == c->ridmap);
      CHECK (m.tmpcopyup == c->tmpcopyup);
      if (tap_cur_failed)
        printf ("#   ^ case %zu: options \"%s\"\n", i, c->options);
      tap_cur_failed |= before;
      strv_free (m.options);
      free (m.type);
      free (m.data);
    }
}

/* Parsing again resets what a previous parse set. */
static void
test_reparse (void)
{
  struct oci_mount m = { 0 };
  struct error *e = NULL;
  m.options = split ("ro,rro,mode=1,ridmap,tmpcopyup,rshared");
  REQUIRE (oci_mount_parse_options (&m, &e) == 0);
  CHECK (m.recursive_ro && m.idmap && m.tmpcopyup);
  strv_free (m.options);
  m.options = split ("nodev");
  REQUIRE (oci_mount_parse_options (&m, &e) == 0);
  CHECK_INT (m.flags, ==, MS_NODEV);
  CHECK_INT (m.propagation, ==, 0);
  CHECK_INT (m.attr_set, ==, 0);
  CHECK (!m.recursive_ro && !m.idmap && !m.tmpcopyup);
  CHECK (m.data == NULL);
  strv_free (m.options);
  m.options = NULL;
  REQUIRE (oci_mount_parse_options (&m, &e) == 0);
  CHECK_INT (m.flags, ==, 0);
}

/* Mappings alone make an idmapped mount (the spec asks for the option, runc
 * reads the mappings). */
static void
test_mappings_imply_idmap (void)
{
  struct oci_config *c = NULL;
  struct error *e = NULL;
  const char *doc
      = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"mounts\":[{\"destination\":\"/d\","
        "\"source\":\"/s\",\"options\":[\"rbind\"],"
        "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":10}],"
        "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":10}]},"
        "{\"destination\":\"relative/dir/\",\"type\":\"tmpfs\"},"
        "{\"destination\":\"/../../etc/./x\",\"type\":\"tmpfs\"}]}";
  int r = oci_config_parse (doc, strlen (doc), &c, &e);
  if (r < 0)
    printf ("# %s\n", e->msg);
  error_free (e);
  REQUIRE (r == 0);
  CHECK (c->mounts[0].idmap);
  CHECK (!c->mounts[0].idmap_recursive);
  CHECK_STR (c->mounts[1].destination, "/relative/dir");
  CHECK_STR (c->mounts[2].destination, "/etc/x");
  CHECK (c->mounts[1].source == NULL);
  oci_config_free (c);
}

int
main (void)
{
  RUN (test_option_table);
  RUN (test_reparse);
  RUN (test_mappings_imply_idmap);
  return tap_done ();
}
