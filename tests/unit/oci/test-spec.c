/* test-spec.c - the default config.json and the features document. */
#include "oci/config.h"
#include "oci/seccomp-parse.h"
#include "oci/spec.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"
#include "tap.h"

#include <linux/capability.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#define CAP(n) (UINT64_C (1) << (n))

static struct oci_config *
round_trip (json_object *spec)
{
  struct oci_config *c = NULL;
  struct error *e = NULL;
  const char *text = json_object_to_json_string_ext (spec, JSON_C_TO_STRING_PRETTY);
  if (oci_config_parse (text, strlen (text), &c, &e) < 0)
    {
      printf ("# %s\n", e->msg);
      error_free (e);
      return NULL;
    }
  return c;
}

static const struct oci_mount *
find_mount (const struct oci_config *c, const char *dest)
{
  for (size_t i = 0; i < c->n_mounts; i++)
    if (strcmp (c->mounts[i].destination, dest) == 0)
      return &c->mounts[i];
  return NULL;
}

static void
check_common (const struct oci_config *c)
{
  const uint64_t caps = CAP (CAP_AUDIT_WRITE) | CAP (CAP_KILL) | CAP (CAP_NET_BIND_SERVICE);
  CHECK_STR (c->oci_version, OCI_SPEC_VERSION);
  CHECK_STR (c->root_path, "rootfs");
  CHECK (c->root_readonly);
  CHECK (c->has_process);
  CHECK (c->process.terminal);
  CHECK_STR (c->process.args[0], "sh");
  CHECK (c->process.args[1] == NULL);
  CHECK_STR (c->process.cwd, "/");
  CHECK_INT (c->process.uid, ==, 0);
  CHECK (c->process.no_new_privileges);
  CHECK_INT (c->process.caps.bounding, ==, caps);
  CHECK_INT (c->process.caps.effective, ==, caps);
  CHECK_INT (c->process.caps.permitted, ==, caps);
  /* nothing inheritable or ambient unless asked */
  CHECK_INT (c->process.caps.inheritable, ==, 0);
  CHECK_INT (c->process.caps.ambient, ==, 0);
  REQUIRE (c->process.n_rlimits == 1);
  CHECK_INT (c->process.rlimits[0].resource, ==, RLIMIT_NOFILE);
  CHECK_INT (c->process.rlimits[0].soft, ==, 1024);
  CHECK_INT (c->process.rlimits[0].hard, ==, 1024);
  static const char *const dests[] = { "/proc",       "/dev",  "/dev/pts",      "/dev/shm",
                                       "/dev/mqueue", "/sys",  "/sys/fs/cgroup" };
  CHECK_INT (c->n_mounts, ==, ARRAY_SIZE (dests));
  for (size_t i = 0; i < ARRAY_SIZE (dests) && i < c->n_mounts; i++)
    CHECK_STR (c->mounts[i].destination, dests[i]);
  const struct oci_linux *l = &c->linux_;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    CHECK (l->ns[t].path == NULL);
  CHECK (l->ns[OCI_NS_PID].present && l->ns[OCI_NS_IPC].present && l->ns[OCI_NS_UTS].present
         && l->ns[OCI_NS_MOUNT].present);
  /* runc's default: no cgroup namespace (the engine adds one where wanted) */
  CHECK (!l->ns[OCI_NS_CGROUP].present);
  CHECK (!l->ns[OCI_NS_TIME].present);
  CHECK (strv_contains (l->masked_paths, "/proc/kcore"));
  CHECK (strv_contains (l->masked_paths, "/sys/firmware"));
  CHECK (strv_contains (l->readonly_paths, "/proc/sysrq-trigger"));
  CHECK (strv_contains (l->readonly_paths, "/proc/sys"));
}

static void
test_default (void)
{
  json_object *spec = oci_spec_default (false);
  REQUIRE (spec != NULL);
  struct oci_config *c = round_trip (spec);
  json_object_put (spec);
  REQUIRE (c != NULL);
  check_common (c);
  const struct oci_linux *l = &c->linux_;
  CHECK (l->ns[OCI_NS_NETWORK].present);
  CHECK (!l->ns[OCI_NS_USER].present);
  CHECK (l->resources.present);
  CHECK_INT (l->n_uid_mappings, ==, 0);
  const struct oci_mount *m = find_mount (c, "/sys");
  REQUIRE (m != NULL);
  CHECK_STR (m->type, "sysfs");
  CHECK_INT (m->flags, ==, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
  m = find_mount (c, "/dev/pts");
  REQUIRE (m != NULL);
  CHECK_STR (m->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
  m = find_mount (c, "/dev/shm");
  REQUIRE (m != NULL);
  CHECK_STR (m->data, "mode=1777,size=65536k");
  oci_config_free (c);
}

static void
test_default_rootless (void)
{
  json_object *spec = oci_spec_default (true);
  REQUIRE (spec != NULL);
  struct oci_config *c = round_trip (spec);
  json_object_put (spec);
  REQUIRE (c != NULL);
  check_common (c);
  const struct oci_linux *l = &c->linux_;
  CHECK (!l->ns[OCI_NS_NETWORK].present);
  CHECK (l->ns[OCI_NS_USER].present);
  CHECK (!l->resources.present);
  REQUIRE (l->n_uid_mappings == 1 && l->n_gid_mappings == 1);
  CHECK_INT (l->uid_mappings[0].container_id, ==, 0);
  CHECK_INT (l->uid_mappings[0].host_id, ==, geteuid ());
  CHECK_INT (l->uid_mappings[0].size, ==, 1);
  CHECK_INT (l->gid_mappings[0].host_id, ==, getegid ());
  const struct oci_mount *m = find_mount (c, "/sys");
  REQUIRE (m != NULL);
  CHECK_STR (m->source, "/sys");
  CHECK_INT (m->flags, ==, MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
  m = find_mount (c, "/dev/pts");
  REQUIRE (m != NULL);
  CHECK_STR (m->data, "newinstance,ptmxmode=0666,mode=0620");
  oci_config_free (c);
}

static json_object *
get (json_object *o, const char *path)
{
  char buf[128];
  snprintf (buf, sizeof buf, "%s", path);
  char *save = NULL;
  for (char *t = strtok_r (buf, ".", &save); t && o; t = strtok_r (NULL, ".", &save))
    if (!json_object_object_get_ex (o, t, &o))
      return NULL;
  return o;
}

static bool
array_has (json_object *a, const char *s)
{
  for (size_t i = 0; a && i < json_object_array_length (a); i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (a, i)), s) == 0)
      return true;
  return false;
}

static void
test_features (void)
{
  json_object *f = oci_features ();
  REQUIRE (f != NULL);
  CHECK_STR (json_object_get_string (get (f, "ociVersionMin")), "1.0.0");
  CHECK_STR (json_object_get_string (get (f, "ociVersionMax")), OCI_SPEC_VERSION);

  /* only the keys runtime-spec 1.2 defines */
  static const char *const top[] = { "ociVersionMin", "ociVersionMax", "hooks", "mountOptions",
                                     "linux", "potentiallyUnsafeConfigAnnotations" };
  json_object_object_foreach (f, key, val)
    {
      (void) val;
      bool known = false;
      for (size_t i = 0; i < ARRAY_SIZE (top); i++)
        known |= strcmp (key, top[i]) == 0;
      if (!known)
        printf ("#   unexpected key %s\n", key);
      CHECK (known);
    }

  json_object *hooks = get (f, "hooks");
  CHECK_INT (json_object_array_length (hooks), ==, 6);
  CHECK (array_has (hooks, "createContainer"));

  /* Every option the spec lists is recognised: none of them becomes
   * filesystem data when parsed. */
  static const char *const spec_options[] = {
    "async",       "atime",       "bind",        "defaults",     "dev",          "diratime",
    "dirsync",     "exec",        "iversion",    "lazytime",     "loud",         "mand",
    "noatime",     "nodev",       "nodiratime",  "noexec",       "noiversion",   "nolazytime",
    "nomand",      "norelatime",  "nostrictatime", "nosuid",     "nosymfollow",  "private",
    "ratime",      "rbind",       "rdev",        "rdiratime",    "relatime",     "remount",
    "rexec",       "rnoatime",    "rnodiratime", "rnoexec",      "rnorelatime",  "rnostrictatime",
    "rnosuid",     "rnosymfollow", "ro",         "rprivate",     "rrelatime",    "rro",
    "rrw",         "rshared",     "rslave",      "rstrictatime", "rsuid",        "rsymfollow",
    "runbindable", "rw",          "shared",      "silent",       "slave",        "strictatime",
    "suid",        "symfollow",   "sync",        "tmpcopyup",    "unbindable",   "idmap",
    "ridmap",      "acl",         "noacl",
  };
  json_object *opts = get (f, "mountOptions");
  for (size_t i = 0; i < ARRAY_SIZE (spec_options); i++)
    {
      if (!array_has (opts, spec_options[i]))
        printf ("#   mountOptions lacks %s\n", spec_options[i]);
      CHECK (array_has (opts, spec_options[i]));
    }
  for (size_t i = 0; i < json_object_array_length (opts); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (opts, i));
      struct oci_mount m = { 0 };
      struct error *e = NULL;
      strv_push (&m.options, o);
      CHECK_INT (oci_mount_parse_options (&m, &e), ==, 0);
      if (m.data)
        printf ("#   %s became data\n", o);
      CHECK (m.data == NULL);
      strv_free (m.options);
      free (m.data);
    }

  json_object *ns = get (f, "linux.namespaces");
  CHECK_INT (json_object_array_length (ns), ==, OCI_NS_COUNT);
  CHECK (array_has (ns, "time"));
  json_object *caps = get (f, "linux.capabilities");
  CHECK_INT (json_object_array_length (caps), ==, 41);
  CHECK (array_has (caps, "CAP_CHECKPOINT_RESTORE"));
  CHECK (json_object_get_boolean (get (f, "linux.cgroup.v1")));
  CHECK (json_object_get_boolean (get (f, "linux.cgroup.v2")));
  CHECK (json_object_get_boolean (get (f, "linux.seccomp.enabled")));
  CHECK (array_has (get (f, "linux.seccomp.actions"), "SCMP_ACT_NOTIFY"));
  CHECK (array_has (get (f, "linux.seccomp.operators"), "SCMP_CMP_MASKED_EQ"));
  CHECK (array_has (get (f, "linux.seccomp.archs"), "SCMP_ARCH_X86_64"));
  json_object *known = get (f, "linux.seccomp.knownFlags");
  json_object *sup = get (f, "linux.seccomp.supportedFlags");
  REQUIRE (known != NULL && sup != NULL);
  /* the kernel of this machine (>= 4.17) knows these three */
  CHECK (array_has (sup, "SECCOMP_FILTER_FLAG_TSYNC"));
  CHECK (array_has (sup, "SECCOMP_FILTER_FLAG_LOG"));
  CHECK (array_has (sup, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
  for (size_t i = 0; i < json_object_array_length (sup); i++)
    CHECK (array_has (known, json_object_get_string (json_object_array_get_idx (sup, i))));
  /* what features lists, the seccomp parser recognises, and back */
  json_object *actions = get (f, "linux.seccomp.actions");
  for (int a = 0; oci_seccomp_action_name (a); a++)
    CHECK (array_has (actions, oci_seccomp_action_name (a)));
  for (size_t i = 0; i < json_object_array_length (actions); i++)
    CHECK_INT (oci_seccomp_action_from_name (
                   json_object_get_string (json_object_array_get_idx (actions, i))),
               >=, 0);
  json_object *ops = get (f, "linux.seccomp.operators");
  for (int o = 0; oci_seccomp_op_name (o); o++)
    CHECK (array_has (ops, oci_seccomp_op_name (o)));
  CHECK_INT (json_object_array_length (ops), ==, 7);
  json_object *archs = get (f, "linux.seccomp.archs");
  for (size_t i = 0; i < json_object_array_length (archs); i++)
    CHECK (oci_seccomp_arch_valid (json_object_get_string (json_object_array_get_idx (archs, i))));
  for (size_t i = 0; i < json_object_array_length (known); i++)
    CHECK (oci_seccomp_flag_valid (json_object_get_string (json_object_array_get_idx (known, i))));
  CHECK (json_object_get_boolean (get (f, "linux.mountExtensions.idmap.enabled")));
  json_object_put (f);
}

int
main (void)
{
  RUN (test_default);
  RUN (test_default_rootless);
  RUN (test_features);
  return tap_done ();
}
