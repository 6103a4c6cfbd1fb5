/* test-config.c - config.json parsing: the clients' real documents, every
 * field, and every refusal with the key it names. */
#include "oci/config.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define CAP(n) (UINT64_C (1) << (n))

static const char base_doc[]
    = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
      "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
      "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"uts\"},"
      "{\"type\":\"ipc\"},{\"type\":\"network\"}]}}";

/* Set (or with value NULL, delete) a dotted path in doc, creating objects. */
static void
set_path (json_object *doc, const char *path, const char *value)
{
  char buf[256];
  snprintf (buf, sizeof buf, "%s", path);
  json_object *o = doc;
  char *save = NULL, *tok = strtok_r (buf, ".", &save);
  while (tok)
    {
      char *next = strtok_r (NULL, ".", &save);
      if (next == NULL)
        {
          if (value == NULL)
            json_object_object_del (o, tok);
          else
            {
              /* wrapped in [] since json-c wants a delimiter after a
               * top-level number */
              json_object *v = NULL;
              struct error *e = NULL;
              _cleanup_free_ char *wrapped = NULL;
              if (asprintf (&wrapped, "[%s]", value) < 0)
                abort ();
              if (jsonx_parse (wrapped, strlen (wrapped), &v, &e) < 0)
                {
                  printf ("# bad test value %s: %s\n", value, e->msg);
                  error_free (e);
                  abort ();
                }
              json_object *x = json_object_array_get_idx (v, 0);
              json_object_object_add (o, tok, json_object_get (x));
              json_object_put (v);
            }
          return;
        }
      json_object *child;
      if (!json_object_object_get_ex (o, tok, &child) || child == NULL)
        {
          child = json_object_new_object ();
          json_object_object_add (o, tok, child);
        }
      o = child;
      tok = next;
    }
}

/* Parse base_doc with up to two edits applied. */
static int
parse_edited (const char *p1, const char *v1, const char *p2, const char *v2,
              struct oci_config **out, struct error **err)
{
  json_object *doc = NULL;
  struct error *e = NULL;
  if (jsonx_parse (base_doc, strlen (base_doc), &doc, &e) < 0)
    abort ();
  if (p1)
    set_path (doc, p1, v1);
  if (p2)
    set_path (doc, p2, v2);
  const char *text = jsonx_compact (doc);
  int r = oci_config_parse (text, strlen (text), out, err);
  json_object_put (doc);
  return r;
}

static char *
data_file (const char *name)
{
  return fs_path_join (OCI_TEST_DATA, name);
}

static struct oci_config *
load_example (const char *name)
{
  _cleanup_free_ char *path = data_file (name);
  _cleanup_free_ char *text = NULL;
  size_t len;
  struct error *e = NULL;
  struct oci_config *c = NULL;
  if (fs_read_file (path, 1 << 20, &text, &len, &e) < 0
      || oci_config_parse (text, len, &c, &e) < 0)
    {
      printf ("# %s: %s\n", name, e->msg);
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

static const char *
annotation (const struct oci_config *c, const char *key)
{
  for (size_t i = 0; i < c->n_annotations; i++)
    if (strcmp (c->annotations[i].key, key) == 0)
      return c->annotations[i].value;
  return NULL;
}

/* ----------------------------------------------------------- examples */

static const uint64_t podman_caps = CAP (0) | CAP (1) | CAP (3) | CAP (4) | CAP (5) | CAP (6)
                                    | CAP (7) | CAP (8) | CAP (10) | CAP (18) | CAP (31);

static void
test_example_podman_rootful (void)
{
  struct oci_config *c = load_example ("config-podman-rootful-crun.json");
  REQUIRE (c != NULL);
  CHECK_STR (c->oci_version, "1.0.2-dev");
  CHECK (c->root_path[0] == '/');
  CHECK (!c->root_readonly);
  CHECK_STR (c->hostname, "e95dd65475f7");
  CHECK (c->has_process);
  CHECK_INT (c->process.uid, ==, 0);
  CHECK (c->process.has_umask);
  CHECK_INT (c->process.umask, ==, 022);
  CHECK_STR (c->process.args[0], "true");
  CHECK_INT (strv_len (c->process.env), ==, 4);
  CHECK_STR (c->process.cwd, "/");
  CHECK (c->process.caps.present);
  /* the 14 of podman's default set (CAP_MKNOD 27, NET_RAW 13, AUDIT_WRITE 29) */
  uint64_t want = podman_caps | CAP (13) | CAP (27) | CAP (29);
  CHECK_INT (c->process.caps.bounding, ==, want);
  CHECK_INT (c->process.caps.effective, ==, want);
  CHECK_INT (c->process.caps.permitted, ==, want);
  CHECK_INT (c->process.caps.inheritable, ==, 0);
  CHECK_INT (c->process.caps.ambient, ==, 0);
  REQUIRE (c->process.n_rlimits == 2);
  CHECK_INT (c->process.rlimits[0].resource, ==, RLIMIT_NOFILE);
  CHECK_INT (c->process.rlimits[0].soft, ==, 20000);
  CHECK_INT (c->process.rlimits[1].resource, ==, RLIMIT_NPROC);
  CHECK_INT (c->process.rlimits[1].hard, ==, 32768);

  CHECK_INT (c->n_mounts, ==, 10);
  const struct oci_mount *m = find_mount (c, "/proc");
  REQUIRE (m != NULL);
  CHECK_STR (m->type, "proc");
  CHECK_INT (m->flags, ==, MS_NOSUID | MS_NOEXEC | MS_NODEV);
  CHECK (m->data == NULL);
  m = find_mount (c, "/dev");
  REQUIRE (m != NULL);
  CHECK_INT (m->flags, ==, MS_NOSUID | MS_NOEXEC | MS_STRICTATIME);
  CHECK_STR (m->data, "mode=755,size=65536k");
  m = find_mount (c, "/dev/pts");
  REQUIRE (m != NULL);
  CHECK_STR (m->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
  m = find_mount (c, "/etc/hosts");
  REQUIRE (m != NULL);
  CHECK_INT (m->flags, ==, MS_BIND);
  CHECK_INT (m->propagation, ==, MS_PRIVATE | MS_REC);
  m = find_mount (c, "/sys/fs/cgroup");
  REQUIRE (m != NULL);
  CHECK_INT (m->flags, ==, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);

  CHECK_STR (annotation (c, "io.container.manager"), "libpod");
  CHECK_STR (annotation (c, "org.opencontainers.image.stopSignal"), "15");
  CHECK (annotation (c, "nope") == NULL);

  const struct oci_linux *l = &c->linux_;
  CHECK (l->resources.present);
  CHECK (l->seccomp.present);
  CHECK_STR (l->cgroups_path,
             "/libpod_parent/libpod-e95dd65475f7ebf0e5ca19f298f3f9b09d2372f59bc3931aded788f257d246c1");
  CHECK (l->ns[OCI_NS_PID].present && l->ns[OCI_NS_NETWORK].present && l->ns[OCI_NS_IPC].present
         && l->ns[OCI_NS_UTS].present && l->ns[OCI_NS_MOUNT].present);
  CHECK (!l->ns[OCI_NS_USER].present && !l->ns[OCI_NS_CGROUP].present
         && !l->ns[OCI_NS_TIME].present);
  CHECK (l->ns[OCI_NS_PID].path == NULL);
  CHECK_INT (strv_len (l->masked_paths), ==, 11);
  CHECK_STR (l->masked_paths[0], "/proc/acpi");
  CHECK_INT (strv_len (l->readonly_paths), ==, 6);
  CHECK (json_object_get_type (c->json) == json_type_object);
  oci_config_free (c);
}

static void
test_example_podman_rootless (void)
{
  struct oci_config *c = load_example ("config-podman-rootless.json");
  REQUIRE (c != NULL);
  REQUIRE (c->linux_.n_sysctl == 1);
  CHECK_STR (c->linux_.sysctl[0].key, "net.ipv4.ping_group_range");
  CHECK_STR (c->linux_.sysctl[0].value, "0 0");
  CHECK_INT (c->process.caps.bounding, ==, podman_caps);
  CHECK (c->linux_.cgroups_path == NULL);
  CHECK (c->linux_.resources.present);
  const struct oci_mount *m = find_mount (c, "/dev/shm");
  REQUIRE (m != NULL);
  CHECK_INT (m->flags, ==, MS_BIND | MS_NOSUID | MS_NOEXEC | MS_NODEV);
  oci_config_free (c);
}

static void
test_example_containerd (void)
{
  struct oci_config *c = load_example ("config-containerd-shim.json");
  REQUIRE (c != NULL);
  CHECK_STR (c->root_path, "rootfs");
  CHECK (c->process.no_new_privileges);
  CHECK (!c->process.has_umask);
  REQUIRE (c->process.n_additional_gids == 1);
  CHECK_INT (c->process.additional_gids[0], ==, 0);
  CHECK_STR (c->linux_.cgroups_path, "/default/rc-c1");
  CHECK (c->hostname == NULL);
  CHECK_INT (c->n_mounts, ==, 7);
  const struct oci_mount *m = find_mount (c, "/run");
  REQUIRE (m != NULL);
  CHECK_INT (m->flags, ==, MS_NOSUID | MS_STRICTATIME);
  CHECK (!c->linux_.seccomp.present);
  oci_config_free (c);
}

static void
test_example_process_files (void)
{
  static const char *const files[] = { "process-containerd-exec.json",
                                       "process-podman-exec.json" };
  for (size_t i = 0; i < ARRAY_SIZE (files); i++)
    {
      _cleanup_free_ char *path = data_file (files[i]);
      struct oci_process p;
      struct error *e = NULL;
      int r = oci_process_load (path, &p, &e);
      if (r < 0)
        printf ("# %s: %s\n", files[i], e->msg);
      error_free (e);
      REQUIRE (r == 0);
      CHECK_STR (p.args[0], "true");
      CHECK_STR (p.cwd, "/");
      CHECK (p.caps.present);
      CHECK (p.caps.bounding & CAP (0));
      CHECK (p.n_rlimits >= 1);
      oci_process_clear (&p);
      CHECK (p.args == NULL);
    }
}

/* ------------------------------------------------------- good variants */

static void
test_full_document (void)
{
  static const char doc[] = "{"
    "\"ociVersion\":\"1.2.1\","
    "\"root\":{\"path\":\"/var/rootfs\",\"readonly\":true},"
    "\"hostname\":\"box\",\"domainname\":\"example.org\","
    "\"mounts\":[{\"destination\":\"data/../x//y\",\"type\":\"none\",\"source\":\"/src\","
    "  \"options\":[\"rbind\",\"ro\",\"ridmap\"],"
    "  \"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
    "  \"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]}],"
    "\"process\":{\"terminal\":true,\"consoleSize\":{\"height\":25,\"width\":80},"
    "  \"user\":{\"uid\":1000,\"gid\":1001,\"umask\":63,\"additionalGids\":[5,6]},"
    "  \"args\":[\"/bin/sh\",\"-c\",\"true\"],\"env\":[\"A=1\",\"B=\"],\"cwd\":\"/home\","
    "  \"capabilities\":{\"bounding\":[\"CAP_KILL\",\"cap_net_bind_service\"],"
    "    \"ambient\":[\"CAP_NET_BIND_SERVICE\"],\"inheritable\":[\"CAP_CHECKPOINT_RESTORE\"]},"
    "  \"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":0,\"hard\":18446744073709551615}],"
    "  \"noNewPrivileges\":true,\"apparmorProfile\":\"prof\",\"selinuxLabel\":\"lbl\","
    "  \"oomScoreAdj\":-1000,"
    "  \"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"flags\":[\"SCHED_FLAG_RECLAIM\","
    "    \"SCHED_FLAG_RESET_ON_FORK\"],\"runtime\":1000,\"deadline\":2000,\"period\":3000},"
    "  \"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\",\"priority\":7},"
    "  \"execCPUAffinity\":{\"initial\":\"0-3,7\",\"final\":\"1\"}},"
    "\"hooks\":{\"prestart\":[{\"path\":\"/bin/a\"}],"
    "  \"createRuntime\":[{\"path\":\"/bin/b\",\"args\":[\"b\",\"x\"],\"env\":[\"X=1\"],"
    "    \"timeout\":5},{\"path\":\"/bin/c\"}],"
    "  \"poststop\":[{\"path\":\"/bin/d\"}]},"
    "\"annotations\":{\"a\":\"b\"},"
    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"user\"},{\"type\":\"uts\"},"
    "  {\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"/run/netns/x\"},"
    "  {\"type\":\"ipc\",\"path\":\"\"},{\"type\":\"cgroup\"},{\"type\":\"time\"}],"
    "  \"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1},"
    "    {\"containerID\":1,\"hostID\":100000,\"size\":65536}],"
    "  \"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
    "  \"timeOffsets\":{\"monotonic\":{\"secs\":-5,\"nanosecs\":7},\"boottime\":{\"secs\":86400}},"
    "  \"devices\":[{\"type\":\"c\",\"path\":\"/dev/fuse\",\"major\":10,\"minor\":229,"
    "    \"fileMode\":438,\"uid\":0,\"gid\":0},{\"type\":\"p\",\"path\":\"/dev//fifo\"}],"
    "  \"cgroupsPath\":\"a/b..c/...\",\"rootfsPropagation\":\"rslave\","
    "  \"sysctl\":{\"net.ipv4.ip_forward\":\"1\",\"kernel/shmmax\":\"100\","
    "    \"fs.mqueue.queues_max\":\"10\",\"kernel.domainname\":\"x\"},"
    "  \"maskedPaths\":[\"/proc//kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
    "  \"mountLabel\":\"ml\",\"personality\":{\"domain\":\"LINUX32\","
    "    \"flags\":[\"ADDR_NO_RANDOMIZE\"]},"
    "  \"intelRdt\":{\"closID\":\"guaranteed\",\"memBwSchema\":\"MB:0=20\",\"enableCMT\":true}},"
    "\"unknownKey\":{\"ignored\":[1,2,3]}"
    "}";
  struct oci_config *c = NULL;
  struct error *e = NULL;
  int r = oci_config_parse (doc, strlen (doc), &c, &e);
  if (r < 0)
    printf ("# %s\n", e->msg);
  error_free (e);
  REQUIRE (r == 0);
  CHECK (c->root_readonly);
  CHECK_STR (c->root_path, "/var/rootfs");
  CHECK_STR (c->domainname, "example.org");

  REQUIRE (c->n_mounts == 1);
  const struct oci_mount *m = &c->mounts[0];
  CHECK_STR (m->destination, "/x/y");
  CHECK_STR (m->source, "/src");
  CHECK_STR (m->type, "none");
  CHECK_INT (m->flags, ==, MS_BIND | MS_REC | MS_RDONLY);
  CHECK (m->idmap && m->idmap_recursive);
  REQUIRE (m->n_uid_mappings == 1 && m->n_gid_mappings == 1);
  CHECK_INT (m->uid_mappings[0].host_id, ==, 100000);
  CHECK_INT (m->gid_mappings[0].size, ==, 65536);

  const struct oci_process *p = &c->process;
  CHECK (p->terminal);
  CHECK (p->has_console_size);
  CHECK_INT (p->console_height, ==, 25);
  CHECK_INT (p->console_width, ==, 80);
  CHECK_INT (p->uid, ==, 1000);
  CHECK_INT (p->gid, ==, 1001);
  CHECK_INT (p->umask, ==, 077);
  REQUIRE (p->n_additional_gids == 2);
  CHECK_INT (p->additional_gids[1], ==, 6);
  CHECK_INT (strv_len (p->args), ==, 3);
  CHECK_STR (p->env[1], "B=");
  CHECK_STR (p->cwd, "/home");
  CHECK_INT (p->caps.bounding, ==, CAP (5) | CAP (10));
  CHECK_INT (p->caps.ambient, ==, CAP (10));
  CHECK_INT (p->caps.effective, ==, 0);
  /* CAP_CHECKPOINT_RESTORE is 40: kept only if this kernel knows it */
  CHECK_INT (p->caps.inheritable, ==, oci_cap_last_cap () >= 40 ? CAP (40) : 0);
  REQUIRE (p->n_rlimits == 1);
  CHECK_INT (p->rlimits[0].resource, ==, RLIMIT_CORE);
  CHECK (p->rlimits[0].hard == UINT64_MAX);
  CHECK (p->no_new_privileges);
  CHECK_STR (p->apparmor_profile, "prof");
  CHECK_STR (p->selinux_label, "lbl");
  CHECK (p->has_oom_score_adj);
  CHECK_INT (p->oom_score_adj, ==, -1000);
  CHECK (p->scheduler.present);
  CHECK_INT (p->scheduler.policy, ==, 6);
  CHECK_INT (p->scheduler.flags, ==, 0x3);
  CHECK_INT (p->scheduler.period, ==, 3000);
  CHECK (p->io_priority.present);
  CHECK_INT (p->io_priority.class_, ==, 3);
  CHECK_INT (p->io_priority.priority, ==, 7);
  CHECK_STR (p->exec_cpu_affinity_initial, "0-3,7");
  CHECK_STR (p->exec_cpu_affinity_final, "1");

  CHECK_INT (c->hooks.n[OCI_HOOK_PRESTART], ==, 1);
  CHECK_INT (c->hooks.n[OCI_HOOK_CREATE_RUNTIME], ==, 2);
  CHECK_INT (c->hooks.n[OCI_HOOK_CREATE_CONTAINER], ==, 0);
  CHECK_INT (c->hooks.n[OCI_HOOK_POSTSTOP], ==, 1);
  const struct oci_hook *h = &c->hooks.list[OCI_HOOK_CREATE_RUNTIME][0];
  CHECK_STR (h->path, "/bin/b");
  CHECK_STR (h->args[1], "x");
  CHECK_STR (h->env[0], "X=1");
  CHECK (h->has_timeout);
  CHECK_INT (h->timeout, ==, 5);
  CHECK (!c->hooks.list[OCI_HOOK_CREATE_RUNTIME][1].has_timeout);

  const struct oci_linux *l = &c->linux_;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    CHECK (l->ns[t].present);
  CHECK_STR (l->ns[OCI_NS_NETWORK].path, "/run/netns/x");
  CHECK (l->ns[OCI_NS_IPC].path == NULL);
  CHECK_INT (l->n_uid_mappings, ==, 2);
  CHECK_INT (l->uid_mappings[1].container_id, ==, 1);
  CHECK_INT (l->n_gid_mappings, ==, 1);
  CHECK (l->has_time_offsets);
  CHECK_INT (l->monotonic_secs, ==, -5);
  CHECK_INT (l->monotonic_nsecs, ==, 7);
  CHECK_INT (l->boottime_secs, ==, 86400);
  REQUIRE (l->n_devices == 2);
  CHECK (l->devices[0].type == 'c');
  CHECK_INT (l->devices[0].major, ==, 10);
  CHECK_INT (l->devices[0].minor, ==, 229);
  CHECK (l->devices[0].has_file_mode && l->devices[0].file_mode == 0666);
  CHECK (l->devices[0].has_uid && l->devices[0].has_gid);
  CHECK (l->devices[1].type == 'p');
  CHECK_STR (l->devices[1].path, "/dev/fifo");
  CHECK (!l->devices[1].has_file_mode);
  CHECK_STR (l->cgroups_path, "a/b..c/...");
  CHECK_INT (l->rootfs_propagation, ==, MS_SLAVE | MS_REC);
  CHECK_INT (l->n_sysctl, ==, 4);
  CHECK_STR (l->masked_paths[0], "/proc/kcore");
  CHECK_STR (l->mount_label, "ml");
  CHECK (l->has_personality);
  CHECK_INT (l->personality, ==, PER_LINUX32 | ADDR_NO_RANDOMIZE);
  CHECK (l->has_intel_rdt);
  CHECK_STR (l->intel_rdt_clos_id, "guaranteed");
  CHECK_STR (l->intel_rdt_mem_bw_schema, "MB:0=20");
  CHECK (l->intel_rdt_enable_cmt && !l->intel_rdt_enable_mbm);
  CHECK (!l->resources.present);
  CHECK (!l->seccomp.present);
  oci_config_free (c);
}

static void
test_minimal (void)
{
  struct oci_config *c = NULL;
  struct error *e = NULL;
  const char *doc = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}}";
  REQUIRE (oci_config_parse (doc, strlen (doc), &c, &e) == 0);
  CHECK (!c->has_process);
  CHECK (c->n_mounts == 0 && c->mounts == NULL);
  CHECK (!c->linux_.ns[OCI_NS_PID].present);
  oci_config_free (c);

  /* null is absent, as in the spec's Go bindings */
  doc = "{\"ociVersion\":\"1.1.0-rc.1\",\"root\":{\"path\":\"r\"},\"mounts\":null,"
        "\"hostname\":null,\"linux\":{\"namespaces\":null,\"sysctl\":null}}";
  REQUIRE (oci_config_parse (doc, strlen (doc), &c, &e) == 0);
  CHECK (c->hostname == NULL);
  oci_config_free (c);

  /* joining a user namespace by path needs no mappings */
  REQUIRE (parse_edited ("linux.namespaces", "[{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}]",
                         NULL, NULL, &c, &e)
           == 0);
  CHECK_STR (c->linux_.ns[OCI_NS_USER].path, "/proc/1/ns/user");
  oci_config_free (c);

  /* newer 1.x minors are read as 1.2 */
  REQUIRE (parse_edited ("ociVersion", "\"1.3.0\"", NULL, NULL, &c, &e) == 0);
  oci_config_free (c);
  REQUIRE (parse_edited ("ociVersion", "\"1.0.2+build.5\"", NULL, NULL, &c, &e) == 0);
  oci_config_free (c);
  /* idmap without mappings takes the container's user namespace */
  REQUIRE (parse_edited ("mounts", "[{\"destination\":\"/a\",\"source\":\"/b\",\"options\":[\"bind\",\"idmap\"]}]",
                         "linux.namespaces",
                         "[{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}]", &c, &e)
           == 0);
  CHECK (c->mounts[0].idmap && !c->mounts[0].idmap_recursive);
  oci_config_free (c);
  /* no process: nothing about it checked */
  REQUIRE (parse_edited ("process", NULL, NULL, NULL, &c, &e) == 0);
  CHECK (!c->has_process);
  oci_config_free (c);
}

/* --------------------------------------------------------- bad documents */

struct bad_case
{
  const char *path, *value;
  const char *path2, *value2;
  const char *fragment; /* expected in the message */
};

static const struct bad_case bad_cases[] = {
  /* top level */
  { "ociVersion", NULL, NULL, NULL, "`ociVersion` is required" },
  { "ociVersion", "1", NULL, NULL, "`ociVersion` must be a string, not integer" },
  { "ociVersion", "\"2.0.0\"", NULL, NULL, "`ociVersion`: version `2.0.0` is not supported" },
  { "ociVersion", "\"0.5.0\"", NULL, NULL, "version `0.5.0` is not supported" },
  { "ociVersion", "\"1.2\"", NULL, NULL, "`ociVersion`: `1.2` is not a version" },
  { "ociVersion", "\"1.2.0-\"", NULL, NULL, "is not a version" },
  { "ociVersion", "\"v1.2.0\"", NULL, NULL, "is not a version" },
  { "root", NULL, NULL, NULL, "`root` is required" },
  { "root", "[]", NULL, NULL, "`root` must be an object, not array" },
  { "root.path", NULL, NULL, NULL, "`root.path` is required" },
  { "root.path", "\"\"", NULL, NULL, "`root.path` must not be empty" },
  { "root.path", "\"a\\u0000b\"", NULL, NULL, "`root.path` must not contain a NUL byte" },
  { "root.readonly", "\"yes\"", NULL, NULL, "`root.readonly` must be a boolean, not string" },
  { "hostname", "\"h\"", "linux.namespaces", "[]", "`hostname` needs a uts namespace" },
  { "domainname", "\"d\"", "linux.namespaces", "[]", "`domainname` needs a uts namespace" },
  { "hostname",
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", NULL, NULL,
    "`hostname` is longer than 64 bytes" },
  { "annotations", "{\"a\":1}", NULL, NULL, "`annotations`: the value of `a` must be a string" },
  { "annotations", "{\"\":\"x\"}", NULL, NULL, "`annotations` has an empty key" },
  { "annotations", "[]", NULL, NULL, "`annotations` must be an object, not array" },
  /* mounts */
  { "mounts", "{}", NULL, NULL, "`mounts` must be an array, not object" },
  { "mounts", "[1]", NULL, NULL, "`mounts[0]` must be an object, not int" },
  { "mounts", "[{\"destination\":\"/a\"},{\"source\":\"x\"}]", NULL, NULL,
    "`mounts[1].destination` is required" },
  { "mounts", "[{\"destination\":\"\"}]", NULL, NULL, "`mounts[0].destination` must not be empty" },
  { "mounts", "[{\"destination\":\"/a\",\"options\":[\"ro\",5]}]", NULL, NULL,
    "`mounts[0].options[1]` must be a string, not integer" },
  { "mounts", "[{\"destination\":\"/a\",\"type\":7}]", NULL, NULL,
    "`mounts[0].type` must be a string, not integer" },
  { "mounts",
    "[{\"destination\":\"/a\",\"options\":[\"bind\"],"
    "\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}]",
    NULL, NULL, "`mounts[0]`: `uidMappings` and `gidMappings` go together" },
  { "mounts",
    "[{\"destination\":\"/a\",\"options\":[\"bind\"],"
    "\"uidMappings\":[{\"containerID\":0,\"hostID\":1}],"
    "\"gidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}]",
    NULL, NULL, "`mounts[0].uidMappings[0].size` is required" },
  { "mounts", "[{\"destination\":\"/a\",\"options\":[\"bind\",\"idmap\"]}]", NULL, NULL,
    "`mounts[0]`: `idmap` without `uidMappings` needs a user namespace" },
  /* process */
  { "process", "[]", NULL, NULL, "`process` must be an object, not array" },
  { "process.args", NULL, NULL, NULL, "`process.args` must not be empty" },
  { "process.args", "[]", NULL, NULL, "`process.args` must not be empty" },
  { "process.args", "[\"\"]", NULL, NULL, "`process.args[0]` must not be empty" },
  { "process.args", "\"sh\"", NULL, NULL, "`process.args` must be an array, not string" },
  { "process.args", "[\"sh\",null]", NULL, NULL, "`process.args[1]` must be a string, not null" },
  { "process.env", "[\"A=1\",\"NOEQUALS\"]", NULL, NULL,
    "`process.env[1]` must be NAME=VALUE, not `NOEQUALS`" },
  { "process.env", "[\"=x\"]", NULL, NULL, "`process.env[0]` must be NAME=VALUE" },
  { "process.cwd", NULL, NULL, NULL, "`process.cwd` is required" },
  { "process.cwd", "\"home\"", NULL, NULL, "`process.cwd` must be an absolute path, not `home`" },
  { "process.terminal", "1", NULL, NULL, "`process.terminal` must be a boolean, not integer" },
  { "process.consoleSize", "{\"height\":1}", NULL, NULL,
    "`process.consoleSize.width` is required" },
  { "process.consoleSize", "{\"height\":1,\"width\":70000}", NULL, NULL,
    "`process.consoleSize.width` must be at most 65535" },
  { "process.user", "{\"uid\":-1}", NULL, NULL, "`process.user.uid` must not be negative" },
  { "process.user", "{\"uid\":4294967295}", NULL, NULL, "`process.user.uid` must be at most" },
  { "process.user", "{\"uid\":1.5}", NULL, NULL, "`process.user.uid` must be an integer, not double" },
  { "process.user", "{\"gid\":\"0\"}", NULL, NULL, "`process.user.gid` must be an integer, not string" },
  { "process.user", "{\"umask\":512}", NULL, NULL, "`process.user.umask` must be at most 511" },
  { "process.user", "{\"additionalGids\":[1,-2]}", NULL, NULL,
    "`process.user.additionalGids[1]` must not be negative" },
  { "process.capabilities", "{\"bounding\":[\"CAP_KILL\",\"CAP_FLY\"]}", NULL, NULL,
    "`process.capabilities.bounding[1]`: unknown capability `CAP_FLY`" },
  { "process.capabilities", "{\"ambient\":\"CAP_KILL\"}", NULL, NULL,
    "`process.capabilities.ambient` must be an array, not string" },
  { "process.rlimits", "[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":2},"
                       "{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":2}]",
    NULL, NULL, "`process.rlimits[1].type`: `RLIMIT_NOFILE` is already set by `process.rlimits[0]`" },
  { "process.rlimits", "[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":2}]", NULL, NULL,
    "`process.rlimits[0].type`: unknown rlimit `RLIMIT_FOO`" },
  { "process.rlimits", "[{\"type\":\"RLIMIT_NOFILE\",\"soft\":3,\"hard\":2}]", NULL, NULL,
    "`process.rlimits[0]`: soft limit 3 is above the hard limit 2" },
  { "process.rlimits", "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2}]", NULL, NULL,
    "`process.rlimits[0].soft` is required" },
  { "process.rlimits", "[{\"soft\":1,\"hard\":2}]", NULL, NULL,
    "`process.rlimits[0].type` is required" },
  { "process.rlimits", "[{\"type\":\"RLIMIT_NOFILE\",\"soft\":-1,\"hard\":2}]", NULL, NULL,
    "`process.rlimits[0].soft` must not be negative" },
  { "process.oomScoreAdj", "1001", NULL, NULL,
    "`process.oomScoreAdj` must be between -1000 and 1000, not 1001" },
  { "process.oomScoreAdj", "99999999999999999999", NULL, NULL, "`process.oomScoreAdj`" },
  { "process.noNewPrivileges", "\"true\"", NULL, NULL,
    "`process.noNewPrivileges` must be a boolean" },
  { "process.scheduler", "{}", NULL, NULL, "`process.scheduler.policy` is required" },
  { "process.scheduler", "{\"policy\":\"SCHED_FAST\"}", NULL, NULL,
    "`process.scheduler.policy`: unknown scheduling policy `SCHED_FAST`" },
  { "process.scheduler", "{\"policy\":\"SCHED_OTHER\",\"nice\":20}", NULL, NULL,
    "`process.scheduler.nice` must be between -20 and 19, not 20" },
  { "process.scheduler", "{\"policy\":\"SCHED_OTHER\",\"priority\":5}", NULL, NULL,
    "`process.scheduler.priority` can only be set with SCHED_FIFO or SCHED_RR" },
  { "process.scheduler", "{\"policy\":\"SCHED_FIFO\"}", NULL, NULL,
    "`process.scheduler.priority` must be between 1 and 99 with SCHED_FIFO" },
  { "process.scheduler", "{\"policy\":\"SCHED_RR\",\"priority\":1,\"flags\":[\"SCHED_FLAG_X\"]}",
    NULL, NULL, "`process.scheduler.flags[0]`: unknown scheduler flag `SCHED_FLAG_X`" },
  { "process.scheduler", "{\"policy\":\"SCHED_BATCH\",\"runtime\":5}", NULL, NULL,
    "`process.scheduler`: runtime, deadline and period can only be set with SCHED_DEADLINE" },
  { "process.ioPriority", "{\"class\":\"IOPRIO_CLASS_RT\"}", NULL, NULL,
    "`process.ioPriority.priority` is required" },
  { "process.ioPriority", "{\"class\":\"IOPRIO_CLASS_NONE\",\"priority\":1}", NULL, NULL,
    "`process.ioPriority.class`: unknown I/O priority class `IOPRIO_CLASS_NONE`" },
  { "process.ioPriority", "{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":8}", NULL, NULL,
    "`process.ioPriority.priority` must be between 0 and 7, not 8" },
  { "process.execCPUAffinity", "{\"initial\":\"3-1\"}", NULL, NULL,
    "`process.execCPUAffinity.initial`: `3-1` is not a CPU list" },
  { "process.execCPUAffinity", "{\"final\":\"0,,1\"}", NULL, NULL,
    "`process.execCPUAffinity.final`: `0,,1` is not a CPU list" },
  { "process.execCPUAffinity", "{\"final\":\"99999\"}", NULL, NULL, "is not a CPU list" },
  /* hooks */
  { "hooks.prestart", "[{\"args\":[]}]", NULL, NULL, "`hooks.prestart[0].path` is required" },
  { "hooks.poststop", "[{\"path\":\"rel/hook\"}]", NULL, NULL,
    "`hooks.poststop[0].path` must be an absolute path, not `rel/hook`" },
  { "hooks.createContainer", "[{\"path\":\"/h\",\"timeout\":0}]", NULL, NULL,
    "`hooks.createContainer[0].timeout` must be greater than zero, not 0" },
  { "hooks.startContainer", "[{\"path\":\"/h\",\"env\":[\"X\"]}]", NULL, NULL,
    "`hooks.startContainer[0].env[0]` must be NAME=VALUE, not `X`" },
  { "hooks.poststart", "{}", NULL, NULL, "`hooks.poststart` must be an array, not object" },
  { "hooks.createRuntime", "[{\"path\":\"/h\",\"args\":[1]}]", NULL, NULL,
    "`hooks.createRuntime[0].args[0]` must be a string" },
  /* linux */
  { "linux", "[]", NULL, NULL, "`linux` must be an object, not array" },
  { "linux.namespaces", "[{\"type\":\"pid\"},{\"type\":\"uts\"},{\"type\":\"foo\"}]", NULL, NULL,
    "`linux.namespaces[2].type`: unknown namespace type `foo`" },
  { "linux.namespaces", "[{\"type\":\"pid\"},{\"type\":\"pid\"}]", NULL, NULL,
    "`linux.namespaces[1].type`: namespace `pid` is listed twice" },
  { "linux.namespaces", "[{\"path\":\"/x\"}]", NULL, NULL, "`linux.namespaces[0].type` is required" },
  { "linux.namespaces", "[{\"type\":\"net\"}]", NULL, NULL, "unknown namespace type `net`" },
  { "linux.namespaces", "[{\"type\":\"network\",\"path\":\"run/netns/x\"}]", NULL, NULL,
    "`linux.namespaces[0].path` must be an absolute path" },
  { "linux.namespaces", "[{\"type\":\"user\"}]", NULL, NULL,
    "`linux.uidMappings` is required with a new user namespace" },
  { "linux.namespaces", "[{\"type\":\"user\"}]", "linux.uidMappings",
    "[{\"containerID\":0,\"hostID\":1000,\"size\":1}]",
    "`linux.gidMappings` is required with a new user namespace" },
  { "linux.uidMappings", "[{\"containerID\":0,\"hostID\":1000,\"size\":1}]", NULL, NULL,
    "`linux.uidMappings` given without a user namespace" },
  { "linux.uidMappings", "[{\"containerID\":0,\"hostID\":1000,\"size\":0}]", NULL, NULL,
    "`linux.uidMappings[0].size` must not be 0" },
  { "linux.uidMappings", "[{\"containerID\":4294967295,\"hostID\":1000,\"size\":2}]", NULL, NULL,
    "`linux.uidMappings[0]`: the range goes past 4294967295" },
  { "linux.gidMappings", "[{\"containerID\":0,\"hostID\":4294967296,\"size\":1}]", NULL, NULL,
    "`linux.gidMappings[0].hostID` must be at most 4294967295" },
  { "linux.gidMappings",
    "[{\"containerID\":0,\"hostID\":1000,\"size\":10},{\"containerID\":5,\"hostID\":2000,\"size\":1}]",
    NULL, NULL, "`linux.gidMappings`: entries 0 and 1 overlap" },
  { "linux.gidMappings", "[[]]", NULL, NULL, "`linux.gidMappings[0]` must be an object, not array" },
  { "linux.timeOffsets", "{\"monotonic\":{\"secs\":1}}", NULL, NULL,
    "`linux.timeOffsets` needs a time namespace" },
  { "linux.timeOffsets", "{\"boottime\":{\"nanosecs\":1000000000}}", NULL, NULL,
    "`linux.timeOffsets.boottime.nanosecs` must be at most 999999999" },
  { "linux.devices", "[{\"type\":\"x\",\"path\":\"/dev/x\",\"major\":1,\"minor\":1}]", NULL, NULL,
    "`linux.devices[0].type`: unknown device type `x`" },
  { "linux.devices", "[{\"type\":\"c\",\"path\":\"dev/x\",\"major\":1,\"minor\":1}]", NULL, NULL,
    "`linux.devices[0].path` must be an absolute path, not `dev/x`" },
  { "linux.devices", "[{\"type\":\"c\",\"major\":1,\"minor\":1}]", NULL, NULL,
    "`linux.devices[0].path` is required" },
  { "linux.devices", "[{\"type\":\"b\",\"path\":\"/dev/sda\",\"minor\":1}]", NULL, NULL,
    "`linux.devices[0].major` is required" },
  { "linux.devices", "[{\"type\":\"u\",\"path\":\"/dev/u\",\"major\":1}]", NULL, NULL,
    "`linux.devices[0].minor` is required" },
  { "linux.devices", "[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":-1,\"minor\":1}]", NULL,
    NULL, "`linux.devices[0].major` must be between 0 and 4294967295, not -1" },
  { "linux.devices", "[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1,\"minor\":1,\"fileMode\":65535}]",
    NULL, NULL, "`linux.devices[0].fileMode` must be at most 4095" },
  { "linux.devices", "[{\"type\":\"c\",\"path\":\"/\",\"major\":1,\"minor\":1}]", NULL, NULL,
    "`linux.devices[0].path` must name a file" },
  { "linux.cgroupsPath", "5", NULL, NULL, "`linux.cgroupsPath` must be a string, not integer" },
  { "linux.cgroupsPath", "\"/a/../../b\"", NULL, NULL,
    "`linux.cgroupsPath`: `/a/../../b` must not contain `..`" },
  { "linux.cgroupsPath", "\"..\"", NULL, NULL, "must not contain `..`" },
  { "linux.cgroupsPath", "\"system.slice:x:..\"", NULL, NULL, "must not contain `..`" },
  { "linux.rootfsPropagation", "\"rsharedd\"", NULL, NULL,
    "`linux.rootfsPropagation`: unknown propagation `rsharedd`" },
  { "linux.sysctl", "{\"vm.swappiness\":\"1\"}", NULL, NULL,
    "`linux.sysctl`: `vm.swappiness` is not in a kernel namespace the container owns" },
  { "linux.sysctl", "{\"net.ipv4.ip_forward\":\"1\"}", "linux.namespaces", "[{\"type\":\"pid\"}]",
    "`linux.sysctl`: `net.ipv4.ip_forward` needs a network namespace" },
  { "linux.sysctl", "{\"kernel.shmmax\":\"1\"}", "linux.namespaces", "[{\"type\":\"pid\"}]",
    "`kernel.shmmax` needs an ipc namespace" },
  { "linux.sysctl", "{\"net..ipv4\":\"1\"}", NULL, NULL, "`net..ipv4` is not a valid sysctl name" },
  { "linux.sysctl", "{\"net/../../etc\":\"1\"}", NULL, NULL, "is not a valid sysctl name" },
  { "linux.sysctl", "{\"/net.x\":\"1\"}", NULL, NULL, "is not a valid sysctl name" },
  { "linux.sysctl", "{\"net.x\":1}", NULL, NULL, "`linux.sysctl`: the value of `net.x` must be a string" },
  { "linux.maskedPaths", "[\"/proc/kcore\",\"proc/keys\"]", NULL, NULL,
    "`linux.maskedPaths[1]` must be an absolute path, not `proc/keys`" },
  { "linux.readonlyPaths", "[3]", NULL, NULL, "`linux.readonlyPaths[0]` must be a string" },
  { "linux.personality", "{\"domain\":\"LINUX64\"}", NULL, NULL,
    "`linux.personality.domain`: unknown domain `LINUX64`" },
  { "linux.personality", "{\"flags\":[]}", NULL, NULL, "`linux.personality.domain` is required" },
  { "linux.personality", "{\"domain\":\"LINUX\",\"flags\":[\"FAST\"]}", NULL, NULL,
    "`linux.personality.flags[0]`: unknown flag `FAST`" },
  { "linux.intelRdt", "{\"closID\":\"../x\"}", NULL, NULL,
    "`linux.intelRdt.closID`: `../x` is not a valid directory name" },
  { "linux.intelRdt", "{\"closID\":\"..\"}", NULL, NULL, "is not a valid directory name" },
  { "linux.intelRdt", "{\"memBwSchema\":\"L3:0=f\"}", NULL, NULL,
    "`linux.intelRdt.memBwSchema` must start with `MB:`" },
  /* what the document says is quoted, made printable */
  { "process.capabilities", "{\"bounding\":[\"CAP_X\\n\\u001b[31m\\t\"]}", NULL, NULL,
    "unknown capability `CAP_X\\n\\x1b[31m\\t`" },
  /* bytes that are not UTF-8, and C1 controls, are escaped; UTF-8 stays */
  { "process.capabilities", "{\"bounding\":[\"CAP_\xff\xc2\x85\xc3\xa9\"]}", NULL, NULL,
    "unknown capability `CAP_\\xff\\xc2\\x85\xc3\xa9`" },
  { "linux.resources", "[]", NULL, NULL, "`linux.resources` must be an object, not array" },
  { "linux.seccomp", "true", NULL, NULL, "`linux.seccomp` must be an object, not boolean" },
};

static void
test_bad_documents (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (bad_cases); i++)
    {
      const struct bad_case *b = &bad_cases[i];
      struct oci_config *c = NULL;
      struct error *e = NULL;
      int r = parse_edited (b->path, b->value, b->path2, b->value2, &c, &e);
      if (r >= 0)
        {
          printf ("#   case %zu (%s = %s): accepted, expected \"%s\"\n", i, b->path,
                  b->value ? b->value : "(deleted)", b->fragment);
          oci_config_free (c);
          tap_cur_failed = 1;
          continue;
        }
      CHECK (c == NULL);
      CHECK (e != NULL);
      if (e == NULL)
        continue;
      CHECK (r == -e->code);
      if (strstr (e->msg, b->fragment) == NULL || strncmp (e->msg, "config.json: ", 13) != 0
          || strchr (e->msg, '\n'))
        {
          printf ("#   case %zu (%s): \"%s\" not in \"%s\"\n", i, b->path, b->fragment, e->msg);
          tap_cur_failed = 1;
        }
      error_free (e);
    }
}

/* A huge value does not make a huge message. */
static void
test_long_value_message (void)
{
  size_t n = 100000;
  char *v = malloc (n + 3);
  REQUIRE (v != NULL);
  v[0] = '"';
  memset (v + 1, 'a', n);
  strcpy (v + 1 + n, "\"");
  struct oci_config *c = NULL;
  struct error *e = NULL;
  int r = parse_edited ("process.cwd", v, NULL, NULL, &c, &e);
  free (v);
  CHECK_INT (r, ==, -EINVAL);
  REQUIRE (e != NULL);
  CHECK_INT (strlen (e->msg), <=, 1024);
  CHECK (str_has_prefix (e->msg, "config.json: `process.cwd` must be an absolute path, not `aaa"));
  CHECK (str_has_suffix (e->msg, "..."));
  error_free (e);
}

static void
test_bad_json (void)
{
  static const char *const docs[] = {
    "", "{", "[]", "null", "\"x\"", "{\"ociVersion\":\"1.0.0\",}", "{} {}", "{\"a\":1e999999}",
  };
  for (size_t i = 0; i < ARRAY_SIZE (docs); i++)
    {
      struct oci_config *c = NULL;
      struct error *e = NULL;
      int r = oci_config_parse (docs[i], strlen (docs[i]), &c, &e);
      CHECK_INT (r, <, 0);
      CHECK (c == NULL);
      if (e)
        {
          CHECK (strncmp (e->msg, "config.json: ", 13) == 0);
          error_free (e);
        }
    }
  struct oci_config *c = NULL;
  struct error *e = NULL;
  CHECK_INT (oci_config_parse ("{}", OCI_CONFIG_MAX_SIZE + 1, &c, &e), ==, -EFBIG);
  error_free (e);
}

/* ------------------------------------------------------------- loading */

static void
test_load (void)
{
  char dir[] = "/tmp/hull-oci-test-XXXXXX";
  REQUIRE (mkdtemp (dir) != NULL);
  struct oci_config *c = NULL;
  struct error *e = NULL;

  /* missing file */
  int r = oci_config_load (dir, &c, &e);
  CHECK_INT (r, ==, -ENOENT);
  if (e)
    {
      char want[256];
      snprintf (want, sizeof want, "open `%s/config.json`: No such file or directory", dir);
      CHECK_STR (e->msg, want);
    }
  error_free (e);
  e = NULL;

  /* a good one */
  _cleanup_free_ char *path = fs_path_join (dir, "config.json");
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE (fd >= 0);
  CHECK (write (fd, base_doc, strlen (base_doc)) == (ssize_t) strlen (base_doc));
  close (fd);
  r = oci_config_load (dir, &c, &e);
  CHECK_INT (r, ==, 0);
  if (r == 0)
    {
      CHECK_STR (c->process.args[0], "sh");
      oci_config_free (c);
    }
  error_free (e);
  e = NULL;

  /* too big: refused without reading it all */
  CHECK (truncate (path, OCI_CONFIG_MAX_SIZE + 10) == 0);
  r = oci_config_load (dir, &c, &e);
  CHECK_INT (r, ==, -EFBIG);
  if (e)
    CHECK (strstr (e->msg, "config.json") != NULL);
  error_free (e);
  e = NULL;

  /* a process file that is not valid */
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE (fd >= 0);
  const char *bad = "{\"args\":[],\"cwd\":\"/\"}";
  CHECK (write (fd, bad, strlen (bad)) == (ssize_t) strlen (bad));
  close (fd);
  struct oci_process p;
  r = oci_process_load (path, &p, &e);
  CHECK_INT (r, <, 0);
  if (e)
    {
      char want[256];
      snprintf (want, sizeof want, "`%s`: `args` must not be empty", path);
      CHECK_STR (e->msg, want);
    }
  error_free (e);
  e = NULL;
  CHECK (p.args == NULL);

  unlink (path);
  rmdir (dir);
}

static void
test_process_parse (void)
{
  struct oci_process p;
  struct error *e = NULL;
  json_object *o = NULL;
  const char *doc = "{\"args\":[\"ls\"],\"cwd\":\"/tmp\",\"user\":{\"uid\":7,\"gid\":8},"
                    "\"env\":[\"PATH=/bin\"],\"terminal\":true,"
                    "\"capabilities\":{\"effective\":[\"CAP_SYS_ADMIN\"]}}";
  REQUIRE (jsonx_parse (doc, strlen (doc), &o, &e) == 0);
  CHECK_INT (oci_process_parse (o, &p, &e), ==, 0);
  CHECK_INT (p.uid, ==, 7);
  CHECK_INT (p.gid, ==, 8);
  CHECK (p.terminal);
  CHECK_INT (p.caps.effective, ==, CAP (21));
  oci_process_clear (&p);
  json_object_put (o);

  doc = "{\"args\":[\"ls\"]}";
  REQUIRE (jsonx_parse (doc, strlen (doc), &o, &e) == 0);
  CHECK_INT (oci_process_parse (o, &p, &e), ==, -EINVAL);
  if (e)
    CHECK_STR (e->msg, "`cwd` is required");
  error_free (e);
  e = NULL;
  json_object_put (o);

  doc = "[1]";
  REQUIRE (jsonx_parse (doc, strlen (doc), &o, &e) == 0);
  CHECK_INT (oci_process_parse (o, &p, &e), ==, -EINVAL);
  error_free (e);
  json_object_put (o);
}

int
main (void)
{
  RUN (test_example_podman_rootful);
  RUN (test_example_podman_rootless);
  RUN (test_example_containerd);
  RUN (test_example_process_files);
  RUN (test_full_document);
  RUN (test_minimal);
  RUN (test_bad_documents);
  RUN (test_long_value_message);
  RUN (test_bad_json);
  RUN (test_load);
  RUN (test_process_parse);
  return tap_done ();
}
