/* build.c - the config builder: struct ctr_spec -> config.json.
 *
 * Safe defaults, as docker's: a new pid/ipc/uts/mount/cgroup namespace and
 * a network namespace of its own; Docker's default capability set and
 * seccomp profile; /proc and /sys entries masked or read-only; device
 * access limited to the usual nodes; /dev/shm a 64 MiB tmpfs; /etc/hosts,
 * /etc/hostname and /etc/resolv.conf bound from files the engine writes;
 * the cgroup under /hull.  --privileged lifts the confinement (all our
 * capabilities, no seccomp, nothing masked, every device allowed).
 */
#include "engine/build.h"
#include "engine/spec.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "oci/config.h"
#include "oci/spec.h"
#include "seccomp/profile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INIT_IN_CONTAINER "/dev/init"

/* ------------------------------------------------------------ helpers */

static json_object *
strv_json (const char *const *v)
{
  json_object *a = json_object_new_array ();
  for (size_t i = 0; v && v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

static json_object *
obj (json_object *parent, const char *key)
{
  json_object *o;
  if (json_object_object_get_ex (parent, key, &o) && o)
    return o;
  o = json_object_new_object ();
  json_object_object_add (parent, key, o);
  return o;
}

int
build_add_mount (json_object *config, const char *dest, const char *type, const char *src,
                 const char *const *options)
{
  json_object *mounts = NULL;
  if (!json_object_object_get_ex (config, "mounts", &mounts) || mounts == NULL)
    {
      mounts = json_object_new_array ();
      json_object_object_add (config, "mounts", mounts);
    }
  json_object *m = json_object_new_object ();
  if (m == NULL)
    return -ENOMEM;
  json_object_object_add (m, "destination", json_object_new_string (dest));
  json_object_object_add (m, "type", json_object_new_string (type));
  json_object_object_add (m, "source", json_object_new_string (src));
  if (options)
    json_object_object_add (m, "options", strv_json (options));
  return json_object_array_add (mounts, m) < 0 ? -ENOMEM : 0;
}

static bool
path_below (const char *p, const char *dir)
{
  size_t n = strlen (dir);
  return strncmp (p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/' || strcmp (dir, "/") == 0);
}

void
build_remove_mount (json_object *config, const char *dest)
{
  json_object *mounts;
  if (!json_object_object_get_ex (config, "mounts", &mounts) || mounts == NULL)
    return;
  for (size_t i = json_object_array_length (mounts); i-- > 0;)
    {
      json_object *m = json_object_array_get_idx (mounts, i), *d;
      if (json_object_object_get_ex (m, "destination", &d)
          && path_below (json_object_get_string (d), dest))
        json_object_array_del_idx (mounts, i, 1);
    }
}

static bool
has_mount_at (const struct ctr_spec *s, const char *dest)
{
  for (size_t i = 0; i < s->n_mounts; i++)
    if (strcmp (s->mounts[i].target, dest) == 0)
      return true;
  return false;
}

/* ------------------------------------------------------------ capabilities */

uint64_t
engine_default_caps (void)
{
  return seccomp_profile_docker_default_caps ();
}

int
engine_caps (const struct ctr_spec *s, uint64_t bounding, uint64_t *out, struct error **err)
{
  uint64_t all = 0;
  int last = oci_cap_last_cap ();
  for (int i = 0; i <= last && i < 64; i++)
    all |= 1ULL << i;
  all &= bounding;
  if (s->privileged)
    {
      *out = all;
      return 0;
    }
  uint64_t set = engine_default_caps ();
  for (size_t i = 0; s->cap_drop && s->cap_drop[i]; i++)
    {
      if (strcmp (s->cap_drop[i], "ALL") == 0)
        set = 0;
      else
        {
          int c = oci_cap_from_name (s->cap_drop[i]);
          if (c < 0)
            return error_set (err, EINVAL, "unknown capability `%s`", s->cap_drop[i]);
          set &= ~(1ULL << c);
        }
    }
  for (size_t i = 0; s->cap_add && s->cap_add[i]; i++)
    {
      if (strcmp (s->cap_add[i], "ALL") == 0)
        set |= all;
      else
        {
          int c = oci_cap_from_name (s->cap_add[i]);
          if (c < 0 || c > last)
            return error_set (err, EINVAL, "unknown capability `%s`", s->cap_add[i]);
          if (!(bounding & (1ULL << c)))
            return error_set (err, EPERM, "capability `%s` cannot be granted: hull does not hold "
                                          "it", s->cap_add[i]);
          set |= 1ULL << c;
        }
    }
  *out = set & all;
  return 0;
}

static json_object *
caps_json (uint64_t set)
{
  json_object *a = json_object_new_array ();
  for (int i = 0; i < 64; i++)
    if (set & (1ULL << i))
      {
        const char *n = oci_cap_name (i);
        if (n)
          json_object_array_add (a, json_object_new_string (n));
      }
  return a;
}

/* ------------------------------------------------------------ steps */

static int
step_base (struct build_ctx *b, json_object *c, struct error **err)
{
  const struct ctr_spec *s = b->spec;
  json_object_object_add (c, "ociVersion", json_object_new_string (OCI_SPEC_VERSION));
  json_object *root = obj (c, "root");
  json_object_object_add (root, "path", json_object_new_string (b->rootfs));
  json_object_object_add (root, "readonly", json_object_new_boolean (s->read_only));
  json_object_object_add (c, "hostname", json_object_new_string (s->hostname ? s->hostname : ""));
  if (s->domainname)
    json_object_object_add (c, "domainname", json_object_new_string (s->domainname));
  json_object *lx = obj (c, "linux");
  json_object *ns = json_object_new_array ();
  static const char *const types[] = { "pid", "ipc", "uts", "mount", "cgroup" };
  for (size_t i = 0; i < ARRAY_SIZE (types); i++)
    {
      json_object *n = json_object_new_object ();
      json_object_object_add (n, "type", json_object_new_string (types[i]));
      json_object_array_add (ns, n);
    }
  json_object_object_add (lx, "namespaces", ns);
  (void) err;
  return 0;
}

static int
step_process (struct build_ctx *b, json_object *c, struct error **err)
{
  const struct ctr_spec *s = b->spec;
  json_object *p = obj (c, "process");
  _cleanup_strv_ char **args = NULL;
  if (s->init)
    {
      strv_push (&args, INIT_IN_CONTAINER);
      strv_push (&args, "--");
    }
  for (size_t i = 0; s->entrypoint && s->entrypoint[i]; i++)
    strv_push (&args, s->entrypoint[i]);
  for (size_t i = 0; s->cmd && s->cmd[i]; i++)
    strv_push (&args, s->cmd[i]);
  if (strv_len (args) == (s->init ? 2 : 0))
    return error_set (err, EINVAL, "no command specified (the image has no Entrypoint or Cmd)");
  json_object_object_add (p, "args", strv_json ((const char *const *) args));
  json_object_object_add (p, "terminal", json_object_new_boolean (s->tty));

  uint32_t uid, gid;
  _cleanup_free_ uint32_t *groups = NULL;
  size_t ngroups = 0;
  _cleanup_free_ char *home = NULL;
  if (engine_resolve_user (b->rootfd, s->user, &uid, &gid, &groups, &ngroups, &home, err) < 0)
    return -EINVAL;
  b->uid = uid;
  b->gid = gid;
  json_object *u = obj (p, "user");
  json_object_object_add (u, "uid", json_object_new_int64 (uid));
  json_object_object_add (u, "gid", json_object_new_int64 (gid));
  json_object_object_add (u, "umask", json_object_new_int (022));
  if (ngroups)
    {
      json_object *ag = json_object_new_array ();
      for (size_t i = 0; i < ngroups; i++)
        json_object_array_add (ag, json_object_new_int64 (groups[i]));
      json_object_object_add (u, "additionalGids", ag);
    }

  _cleanup_strv_ char **env = strv_dup (s->env ? s->env : (char *[]){ NULL });
  if (env == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char kv[300];
  snprintf (kv, sizeof kv, "HOSTNAME=%s", s->hostname ? s->hostname : "");
  bool has_home = false, has_hostname = false, has_term = false;
  for (size_t i = 0; env[i]; i++)
    {
      has_home |= str_has_prefix (env[i], "HOME=");
      has_hostname |= str_has_prefix (env[i], "HOSTNAME=");
      has_term |= str_has_prefix (env[i], "TERM=");
    }
  if (!has_hostname)
    strv_push (&env, kv);
  if (s->tty && !has_term)
    strv_push (&env, "TERM=xterm");
  if (!has_home)
    {
      snprintf (kv, sizeof kv, "HOME=%s", home ? home : "/");
      strv_push (&env, kv);
    }
  json_object_object_add (p, "env", strv_json ((const char *const *) env));

  const char *cwd = s->workdir && *s->workdir ? s->workdir : "/";
  if (strcmp (cwd, "/") != 0)
    {
      /* docker makes a missing working directory; inside the root, never
       * through a symlink out of it */
      _cleanup_close_ int d = fs_mkdir_in_root (b->rootfd, cwd, 0755, err);
      if (d < 0)
        return error_prefix (err, "working directory `%s`", cwd);
    }
  json_object_object_add (p, "cwd", json_object_new_string (cwd));

  if (s->n_ulimits)
    {
      json_object *rl = json_object_new_array ();
      for (size_t i = 0; i < s->n_ulimits; i++)
        {
          json_object *r = json_object_new_object ();
          const char *n = oci_rlimit_name (s->ulimits[i].resource);
          if (n == NULL)
            return error_set (err, EINVAL, "unknown ulimit `%s`", s->ulimits[i].name);
          json_object_object_add (r, "type", json_object_new_string (n));
          json_object_object_add (r, "soft", json_object_new_uint64 (s->ulimits[i].soft));
          json_object_object_add (r, "hard", json_object_new_uint64 (s->ulimits[i].hard));
          json_object_array_add (rl, r);
        }
      json_object_object_add (p, "rlimits", rl);
    }
  if (s->no_new_privileges)
    json_object_object_add (p, "noNewPrivileges", json_object_new_boolean (true));
  return 0;
}

static const char *const masked_paths[] = {
  "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
  "/sys/firmware", "/sys/devices/virtual/powercap", NULL,
};
static const char *const readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* The device nodes docker allows (the runtime creates the nodes). */
static const struct
{
  char type;
  int major, minor;
  const char *access;
} allowed_devices[] = {
  { 'c', -1, -1, "m" },  { 'b', -1, -1, "m" },  { 'c', 1, 3, "rwm" },   { 'c', 1, 5, "rwm" },
  { 'c', 1, 7, "rwm" },  { 'c', 1, 8, "rwm" },  { 'c', 1, 9, "rwm" },   { 'c', 5, 0, "rwm" },
  { 'c', 5, 1, "rwm" },  { 'c', 5, 2, "rwm" },  { 'c', 136, -1, "rwm" }, { 'c', 10, 200, "rwm" },
};

static int
step_security (struct build_ctx *b, json_object *c, struct error **err)
{
  const struct ctr_spec *s = b->spec;
  json_object *p = obj (c, "process"), *lx = obj (c, "linux");
  if (engine_caps (s, b->host_bounding, &b->caps, err) < 0)
    return -EINVAL;
  json_object *caps = json_object_new_object ();
  json_object_object_add (caps, "bounding", caps_json (b->caps));
  json_object_object_add (caps, "effective", caps_json (b->caps));
  json_object_object_add (caps, "permitted", caps_json (b->caps));
  json_object_object_add (p, "capabilities", caps);

  json_object *res = obj (lx, "resources");
  json_object *devs = json_object_new_array ();
  json_object *deny = json_object_new_object ();
  json_object_object_add (deny, "allow", json_object_new_boolean (s->privileged));
  json_object_object_add (deny, "access", json_object_new_string ("rwm"));
  json_object_array_add (devs, deny);
  if (!s->privileged)
    for (size_t i = 0; i < ARRAY_SIZE (allowed_devices); i++)
      {
        json_object *d = json_object_new_object ();
        char t[2] = { allowed_devices[i].type, 0 };
        json_object_object_add (d, "allow", json_object_new_boolean (true));
        json_object_object_add (d, "type", json_object_new_string (t));
        if (allowed_devices[i].major >= 0)
          json_object_object_add (d, "major", json_object_new_int (allowed_devices[i].major));
        if (allowed_devices[i].minor >= 0)
          json_object_object_add (d, "minor", json_object_new_int (allowed_devices[i].minor));
        json_object_object_add (d, "access", json_object_new_string (allowed_devices[i].access));
        json_object_array_add (devs, d);
      }
  json_object_object_add (res, "devices", devs);

  if (s->privileged)
    return 0;
  json_object_object_add (lx, "maskedPaths", strv_json (masked_paths));
  json_object_object_add (lx, "readonlyPaths", strv_json (readonly_paths));

  if (s->seccomp && strcmp (s->seccomp, "unconfined") == 0)
    return 0;
  _cleanup_json_ json_object *custom = NULL;
  json_object *profile = b->seccomp_default;
  if (s->seccomp)
    {
      if (jsonx_parse (s->seccomp, strlen (s->seccomp), &custom, err) < 0)
        return error_prefix (err, "seccomp profile");
      profile = custom;
    }
  if (profile == NULL)
    return error_set (err, ENOENT, "the default seccomp profile is missing (data/seccomp/"
                                   "default.json is not installed)");
  json_object *sc = NULL;
  if (seccomp_profile_resolve (profile, b->caps, &sc, err) < 0)
    return error_prefix (err, "seccomp profile");
  json_object_object_add (lx, "seccomp", sc);
  return 0;
}

/* Mounts sort parents first: "/a" before "/a/b" (docker sorts by depth). */
static int
depth (const char *p)
{
  int n = 0;
  for (; *p; p++)
    n += *p == '/';
  return n;
}

static int
cmp_mounts (const void *a, const void *b)
{
  const struct ctr_mount *x = *(const struct ctr_mount *const *) a;
  const struct ctr_mount *y = *(const struct ctr_mount *const *) b;
  return depth (x->target) - depth (y->target);
}

static int
step_mounts (struct build_ctx *b, json_object *c, struct error **err)
{
  const struct ctr_spec *s = b->spec;
  static const char *const dev_opts[] = { "nosuid", "strictatime", "mode=755", "size=65536k",
                                          NULL };
  static const char *const pts_opts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                          "mode=0620", "gid=5", NULL };
  static const char *const shm_opts[] = { "nosuid", "noexec", "nodev", "mode=1777",
                                          "size=65536k", NULL };
  static const char *const mq_opts[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const sys_ro[] = { "nosuid", "noexec", "nodev", "ro", NULL };
  static const char *const sys_rw[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const cg_ro[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
  static const char *const cg_rw[] = { "nosuid", "noexec", "nodev", "relatime", NULL };
  json_object_object_add (c, "mounts", json_object_new_array ());
  int r = 0;
  r |= build_add_mount (c, "/proc", "proc", "proc", NULL);
  r |= build_add_mount (c, "/dev", "tmpfs", "tmpfs", dev_opts);
  r |= build_add_mount (c, "/dev/pts", "devpts", "devpts", pts_opts);
  r |= build_add_mount (c, "/sys", "sysfs", "sysfs", s->privileged ? sys_rw : sys_ro);
  r |= build_add_mount (c, "/sys/fs/cgroup", "cgroup", "cgroup", s->privileged ? cg_rw : cg_ro);
  r |= build_add_mount (c, "/dev/mqueue", "mqueue", "mqueue", mq_opts);
  if (!has_mount_at (s, "/dev/shm"))
    r |= build_add_mount (c, "/dev/shm", "tmpfs", "shm", shm_opts);
  const char *etc_opts[] = { "rbind", "rprivate", s->read_only ? "ro" : "rw", NULL };
  if (b->hosts_path && !has_mount_at (s, "/etc/hosts"))
    r |= build_add_mount (c, "/etc/hosts", "bind", b->hosts_path, etc_opts);
  if (b->hostname_path && !has_mount_at (s, "/etc/hostname"))
    r |= build_add_mount (c, "/etc/hostname", "bind", b->hostname_path, etc_opts);
  if (b->resolv_path && !has_mount_at (s, "/etc/resolv.conf"))
    r |= build_add_mount (c, "/etc/resolv.conf", "bind", b->resolv_path, etc_opts);
  if (s->init)
    {
      if (b->init_path == NULL)
        return error_set (err, ENOENT, "--init: hull-init is not installed");
      static const char *const init_opts[] = { "bind", "ro", "nosuid", "nodev", NULL };
      r |= build_add_mount (c, INIT_IN_CONTAINER, "bind", b->init_path, init_opts);
    }
  if (r < 0)
    return error_set (err, ENOMEM, "out of memory");

  _cleanup_free_ struct ctr_mount **sorted = calloc (s->n_mounts + 1, sizeof *sorted);
  if (sorted == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < s->n_mounts; i++)
    sorted[i] = &s->mounts[i];
  qsort (sorted, s->n_mounts, sizeof *sorted, cmp_mounts);
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      const struct ctr_mount *m = sorted[i];
      _cleanup_strv_ char **opts = NULL;
      if (strcmp (m->type, "bind") == 0)
        {
          strv_push (&opts, "rbind");
          strv_push (&opts, m->propagation ? m->propagation : "rprivate");
          strv_push (&opts, m->readonly ? "ro" : "rw");
          build_remove_mount (c, m->target);
          if (build_add_mount (c, m->target, "bind", m->source, (const char *const *) opts) < 0)
            return error_set (err, ENOMEM, "out of memory");
        }
      else if (strcmp (m->type, "tmpfs") == 0)
        {
          strv_push (&opts, "nosuid");
          strv_push (&opts, "nodev");
          bool has_exec = false;
          for (size_t j = 0; m->options && m->options[j]; j++)
            has_exec |= strcmp (m->options[j], "exec") == 0 || strcmp (m->options[j], "noexec") == 0;
          if (!has_exec)
            strv_push (&opts, "noexec");
          for (size_t j = 0; m->options && m->options[j]; j++)
            strv_push (&opts, m->options[j]);
          if (m->readonly)
            strv_push (&opts, "ro");
          build_remove_mount (c, m->target);
          if (build_add_mount (c, m->target, "tmpfs", "tmpfs", (const char *const *) opts) < 0)
            return error_set (err, ENOMEM, "out of memory");
        }
      /* other types (volumes) are an extension's: its step adds them */
    }
  return 0;
}

static int
step_resources (struct build_ctx *b, json_object *c, struct error **err)
{
  const struct ctr_spec *s = b->spec;
  json_object *lx = obj (c, "linux"), *res = obj (lx, "resources");
  char path[256];
  snprintf (path, sizeof path, "%s/%s", b->cgroup_parent ? b->cgroup_parent : "/hull", b->id);
  json_object_object_add (lx, "cgroupsPath", json_object_new_string (path));
  if (s->memory > 0 || s->memory_swap)
    {
      json_object *m = obj (res, "memory");
      if (s->memory > 0)
        json_object_object_add (m, "limit", json_object_new_int64 (s->memory));
      if (s->memory_swap)
        {
          if (s->memory_swap > 0 && s->memory > 0 && s->memory_swap < s->memory)
            return error_set (err, EINVAL, "--memory-swap must be at least --memory (it is the "
                                           "total of memory and swap)");
          if (s->memory <= 0)
            return error_set (err, EINVAL, "--memory-swap needs --memory");
          json_object_object_add (m, "swap", json_object_new_int64 (s->memory_swap));
        }
    }
  if (s->nano_cpus || s->cpu_shares || s->cpuset_cpus)
    {
      json_object *cpu = obj (res, "cpu");
      if (s->nano_cpus)
        {
          int64_t period = 100000;
          int64_t quota = s->nano_cpus * period / 1000000000;
          if (quota < 1000)
            return error_set (err, EINVAL, "--cpus is too small (at least 0.01)");
          json_object_object_add (cpu, "period", json_object_new_uint64 ((uint64_t) period));
          json_object_object_add (cpu, "quota", json_object_new_int64 (quota));
        }
      if (s->cpu_shares)
        json_object_object_add (cpu, "shares", json_object_new_uint64 ((uint64_t) s->cpu_shares));
      if (s->cpuset_cpus)
        json_object_object_add (cpu, "cpus", json_object_new_string (s->cpuset_cpus));
    }
  if (s->pids_limit)
    {
      json_object *pids = obj (res, "pids");
      json_object_object_add (pids, "limit", json_object_new_int64 (s->pids_limit > 0 ? s->pids_limit : -1));
    }
  return 0;
}

static int
step_network (struct build_ctx *b, json_object *c, struct error **err)
{
  const struct ctr_spec *s = b->spec;
  const char *mode = s->network ? s->network : "default";
  json_object *lx = obj (c, "linux"), *ns;
  json_object_object_get_ex (lx, "namespaces", &ns);
  if (strcmp (mode, "host") == 0)
    {
      b->netns_new = false;
      return 0;
    }
  json_object *n = json_object_new_object ();
  json_object_object_add (n, "type", json_object_new_string ("network"));
  if (b->netns_path)
    json_object_object_add (n, "path", json_object_new_string (b->netns_path));
  else if (strcmp (mode, "none") == 0 || strcmp (mode, "default") == 0)
    {
      /* a namespace of its own with only a loopback, which the monitor
       * brings up (a new namespace has it down) */
      b->netns_new = true;
      b->loopback_up = true;
    }
  else
    return error_set (err, ENOTSUP, "network mode `%s` is not supported yet", mode);
  json_object_array_add (ns, n);
  return 0;
}

/* ------------------------------------------------------------ the list */

struct step
{
  const char *name;
  build_step_fn fn;
};

static const struct step builtin_steps[] = {
  { "base", step_base },           { "process", step_process },
  { "security", step_security },   { "mounts", step_mounts },
  { "resources", step_resources }, { "network", step_network },
  { "systemd", engine_build_systemd },
};

static struct step extra_steps[16];
static size_t n_extra;

int
engine_build_add_step (const char *name, build_step_fn fn)
{
  if (n_extra >= ARRAY_SIZE (extra_steps))
    return -ENOSPC;
  extra_steps[n_extra].name = name;
  extra_steps[n_extra].fn = fn;
  n_extra++;
  return 0;
}

int
engine_build_config (struct build_ctx *b, json_object **out, struct error **err)
{
  _cleanup_json_ json_object *c = json_object_new_object ();
  if (c == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < ARRAY_SIZE (builtin_steps); i++)
    if (builtin_steps[i].fn (b, c, err) < 0)
      return -EINVAL;
  for (size_t i = 0; i < n_extra; i++)
    if (extra_steps[i].fn (b, c, err) < 0)
      return error_prefix (err, "%s", extra_steps[i].name);
  /* Validate with the runtime's own parser: what we hand over must be a
   * config hullrt accepts, and an error here names the key. */
  const char *text = json_object_to_json_string_ext (c, JSON_C_TO_STRING_PLAIN);
  struct oci_config *parsed = NULL;
  if (oci_config_parse (text, strlen (text), &parsed, err) < 0)
    return error_prefix (err, "generated config");
  oci_config_free (parsed);
  *out = TAKE_PTR (c);
  return 0;
}
