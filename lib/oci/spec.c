/* spec.c - `hullrt spec` (the default config.json) and `hullrt features`.
 *
 * The default is the one runc writes (runc 1.2): a busybox-friendly shell
 * with three capabilities, no ambient or inheritable set, no_new_privs, the
 * usual pseudo-filesystems, masked and read-only /proc and /sys entries, and
 * every namespace but user (and, for rootless, network).
 */
#include "oci/spec.h"
#include "oci/config.h"
#include "oci/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char default_spec[] = "{"
  "\"ociVersion\":\"" OCI_SPEC_VERSION "\","
  "\"process\":{"
    "\"terminal\":true,"
    "\"user\":{\"uid\":0,\"gid\":0},"
    "\"args\":[\"sh\"],"
    "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
            "\"TERM=xterm\"],"
    "\"cwd\":\"/\","
    "\"capabilities\":{"
      "\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
      "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
      "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
    "\"noNewPrivileges\":true},"
  "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
  "\"hostname\":\"hull\","
  "\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
     "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
     "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\","
                 "\"gid=5\"]},"
    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
     "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
     "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
     "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
     "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
  "\"linux\":{"
    "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
    "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
                   "{\"type\":\"uts\"},{\"type\":\"mount\"}],"
    "\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
      "\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\","
      "\"/proc/sched_debug\",\"/sys/firmware\",\"/proc/scsi\","
      "\"/sys/devices/virtual/powercap\"],"
    "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
      "\"/proc/sysrq-trigger\"]}"
  "}";

static json_object *
parse_const (const char *text)
{
  json_object *o = NULL;
  struct error *e = NULL;
  if (jsonx_parse (text, strlen (text), &o, &e) < 0)
    {
      error_free (e);
      return NULL;
    }
  return o;
}

static json_object *
id_map (unsigned host_id)
{
  char text[128];
  snprintf (text, sizeof text, "[{\"containerID\":0,\"hostID\":%u,\"size\":1}]", host_id);
  return parse_const (text);
}

/* What runc's ToRootless does: a user namespace mapping root to the caller,
 * no network namespace (an unprivileged user could not configure one),
 * /sys bound from the host (sysfs cannot be mounted without owning the
 * network namespace), no gid= for devpts (gid 5 is not mapped) and no
 * resources (an unprivileged user cannot set device rules). */
static int
make_rootless (json_object *spec)
{
  json_object *linux_, *ns, *mounts;
  if (!json_object_object_get_ex (spec, "linux", &linux_)
      || !json_object_object_get_ex (linux_, "namespaces", &ns)
      || !json_object_object_get_ex (spec, "mounts", &mounts))
    return -EINVAL;

  json_object_object_del (linux_, "resources");
  json_object *nns = json_object_new_array ();
  if (nns == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < json_object_array_length (ns); i++)
    {
      json_object *e = json_object_array_get_idx (ns, i), *t;
      if (json_object_object_get_ex (e, "type", &t)
          && strcmp (json_object_get_string (t), "network") == 0)
        continue;
      json_object_array_add (nns, json_object_get (e));
    }
  json_object *user = parse_const ("{\"type\":\"user\"}");
  if (user == NULL || json_object_array_add (nns, user) < 0)
    {
      json_object_put (nns);
      return -ENOMEM;
    }
  json_object_object_add (linux_, "namespaces", nns);

  json_object *um = id_map ((unsigned) geteuid ()), *gm = id_map ((unsigned) getegid ());
  if (um == NULL || gm == NULL)
    {
      json_object_put (um);
      json_object_put (gm);
      return -ENOMEM;
    }
  json_object_object_add (linux_, "uidMappings", um);
  json_object_object_add (linux_, "gidMappings", gm);

  for (size_t i = 0; i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i), *d, *opts;
      if (!json_object_object_get_ex (m, "destination", &d))
        continue;
      const char *dest = json_object_get_string (d);
      if (strcmp (dest, "/sys") == 0)
        {
          json_object *bind = parse_const (
              "{\"destination\":\"/sys\",\"type\":\"none\",\"source\":\"/sys\","
              "\"options\":[\"rbind\",\"nosuid\",\"noexec\",\"nodev\",\"ro\"]}");
          if (bind == NULL)
            return -ENOMEM;
          json_object_array_put_idx (mounts, i, bind);
        }
      else if (json_object_object_get_ex (m, "options", &opts))
        {
          json_object *kept = json_object_new_array ();
          if (kept == NULL)
            return -ENOMEM;
          for (size_t j = 0; j < json_object_array_length (opts); j++)
            {
              json_object *o = json_object_array_get_idx (opts, j);
              if (strncmp (json_object_get_string (o), "gid=", 4) == 0)
                continue;
              json_object_array_add (kept, json_object_get (o));
            }
          json_object_object_add (m, "options", kept);
        }
    }
  return 0;
}

json_object *
oci_spec_default (bool rootless)
{
  json_object *spec = parse_const (default_spec);
  if (spec == NULL)
    return NULL;
  if (rootless && make_rootless (spec) < 0)
    {
      json_object_put (spec);
      return NULL;
    }
  return spec;
}

/* ------------------------------------------------------------ features */

static const char features_template[] = "{"
  "\"ociVersionMin\":\"" OCI_SPEC_VERSION_MIN "\","
  "\"ociVersionMax\":\"" OCI_SPEC_VERSION "\","
  "\"hooks\":[\"prestart\",\"createRuntime\",\"createContainer\",\"startContainer\","
            "\"poststart\",\"poststop\"],"
  "\"mountOptions\":[],"
  "\"linux\":{"
    "\"namespaces\":[],"
    "\"capabilities\":[],"
    "\"cgroup\":{\"v1\":true,\"v2\":true,\"systemd\":false,\"systemdUser\":false,"
               "\"rdma\":false},"
    "\"seccomp\":{\"enabled\":true,"
      "\"actions\":[\"SCMP_ACT_ALLOW\",\"SCMP_ACT_ERRNO\",\"SCMP_ACT_KILL\","
        "\"SCMP_ACT_KILL_PROCESS\",\"SCMP_ACT_KILL_THREAD\",\"SCMP_ACT_LOG\","
        "\"SCMP_ACT_NOTIFY\",\"SCMP_ACT_TRACE\",\"SCMP_ACT_TRAP\"],"
      "\"operators\":[\"SCMP_CMP_EQ\",\"SCMP_CMP_GE\",\"SCMP_CMP_GT\",\"SCMP_CMP_LE\","
        "\"SCMP_CMP_LT\",\"SCMP_CMP_MASKED_EQ\",\"SCMP_CMP_NE\"],"
      "\"archs\":[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\",\"SCMP_ARCH_MIPS\","
        "\"SCMP_ARCH_MIPS64\",\"SCMP_ARCH_MIPS64N32\",\"SCMP_ARCH_MIPSEL\","
        "\"SCMP_ARCH_MIPSEL64\",\"SCMP_ARCH_MIPSEL64N32\",\"SCMP_ARCH_PARISC\","
        "\"SCMP_ARCH_PARISC64\",\"SCMP_ARCH_PPC\",\"SCMP_ARCH_PPC64\",\"SCMP_ARCH_PPC64LE\","
        "\"SCMP_ARCH_RISCV64\",\"SCMP_ARCH_S390\",\"SCMP_ARCH_S390X\",\"SCMP_ARCH_X32\","
        "\"SCMP_ARCH_X86\",\"SCMP_ARCH_X86_64\"],"
      "\"knownFlags\":[\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\","
        "\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
      "\"supportedFlags\":[]},"
    "\"apparmor\":{\"enabled\":true},"
    "\"selinux\":{\"enabled\":true},"
    "\"intelRdt\":{\"enabled\":true},"
    "\"mountExtensions\":{\"idmap\":{\"enabled\":true}}},"
  "\"potentiallyUnsafeConfigAnnotations\":[]"
  "}";

#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The kernel checks the flags before it reads the (here NULL) program: EFAULT
 * means it knows them, EINVAL that it does not.  Nothing is installed. */
static bool
seccomp_flag_supported (unsigned long flags)
{
#ifdef SYS_seccomp
  long r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL);
  return r < 0 && errno == EFAULT;
#else
  return false;
#endif
}

static int
add_string (json_object *a, const char *s)
{
  json_object *v = json_object_new_string (s);
  if (v == NULL || json_object_array_add (a, v) < 0)
    {
      json_object_put (v);
      return -ENOMEM;
    }
  return 0;
}

static int
features_fill (json_object *f)
{
  json_object *linux_, *seccomp, *opts, *ns, *caps, *sup;
  if (!json_object_object_get_ex (f, "mountOptions", &opts)
      || !json_object_object_get_ex (f, "linux", &linux_)
      || !json_object_object_get_ex (linux_, "namespaces", &ns)
      || !json_object_object_get_ex (linux_, "capabilities", &caps)
      || !json_object_object_get_ex (linux_, "seccomp", &seccomp)
      || !json_object_object_get_ex (seccomp, "supportedFlags", &sup))
    return -EINVAL;
  for (size_t i = 0; oci_mount_option_name (i); i++)
    if (add_string (opts, oci_mount_option_name (i)) < 0)
      return -ENOMEM;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    if (add_string (ns, oci_ns_type_name (t)) < 0)
      return -ENOMEM;
  for (int c = 0; oci_cap_name (c); c++)
    if (add_string (caps, oci_cap_name (c)) < 0)
      return -ENOMEM;

  static const struct
  {
    const char *name;
    unsigned long probe;
  } flags[] = {
    { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
    { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
    { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
    /* only valid together with NEW_LISTENER */
    { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
      SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER },
  };
  for (size_t i = 0; i < ARRAY_SIZE (flags); i++)
    if (seccomp_flag_supported (flags[i].probe) && add_string (sup, flags[i].name) < 0)
      return -ENOMEM;
  return 0;
}

json_object *
oci_features (void)
{
  json_object *f = parse_const (features_template);
  if (f == NULL)
    return NULL;
  if (features_fill (f) < 0)
    {
      json_object_put (f);
      return NULL;
    }
  return f;
}
