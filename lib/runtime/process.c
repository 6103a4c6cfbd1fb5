/* process.c - the container process's attributes: limits, scheduling,
 * identity and capabilities, the executable lookup, LSM labels.
 *
 * Order matters and is fixed by create/exec: limits (needs privilege) ->
 * bounding set (needs CAP_SETPCAP) -> user ids (with PR_SET_KEEPCAPS, so the
 * permitted set survives) -> capset -> ambient.  Inheritable and ambient sets
 * are always set explicitly, empty unless the config asks: capabilities a
 * caller happens to hold must not leak into the container (the inherited-
 * capabilities CVE class). */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *
rlimit_name (int r)
{
  static const char *const names[] = {
    [RLIMIT_CPU] = "RLIMIT_CPU", [RLIMIT_FSIZE] = "RLIMIT_FSIZE", [RLIMIT_DATA] = "RLIMIT_DATA",
    [RLIMIT_STACK] = "RLIMIT_STACK", [RLIMIT_CORE] = "RLIMIT_CORE", [RLIMIT_RSS] = "RLIMIT_RSS",
    [RLIMIT_NPROC] = "RLIMIT_NPROC", [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
    [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK", [RLIMIT_AS] = "RLIMIT_AS", [RLIMIT_LOCKS] = "RLIMIT_LOCKS",
    [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING", [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE",
    [RLIMIT_NICE] = "RLIMIT_NICE", [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO", [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
  };
  return r >= 0 && r < (int) ARRAY_SIZE (names) && names[r] ? names[r] : "RLIMIT_?";
}

struct sched_attr_compat
{
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
};

int
process_apply_limits (const struct oci_process *p, struct error **err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
      if (setrlimit ((__rlimit_resource_t) p->rlimits[i].resource, &rl) < 0)
        return error_errno (err, errno, "setrlimit %s (soft %llu, hard %llu)",
                            rlimit_name (p->rlimits[i].resource),
                            (unsigned long long) rl.rlim_cur, (unsigned long long) rl.rlim_max);
    }
  if (p->has_oom_score_adj)
    {
      char v[16];
      int n = snprintf (v, sizeof v, "%d", p->oom_score_adj);
      /* we are inside the container's root: its /proc, verified (a mount
       * over the file must not receive the write) */
      char sub[64];
      snprintf (sub, sizeof sub, "%d/oom_score_adj", (int) getpid ());
      _cleanup_close_ int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      _cleanup_close_ int fd = root < 0 ? -1 : mounts_proc_open (root, sub, O_WRONLY, err);
      if (fd < 0)
        return root < 0 ? error_errno (err, errno, "open `/`")
                        : error_prefix (err, "set oom_score_adj to %d", p->oom_score_adj);
      if (write (fd, v, (size_t) n) < 0)
        return error_errno (err, errno, "set oom_score_adj to %d", p->oom_score_adj);
    }
  if (p->scheduler.present)
    {
      struct sched_attr_compat a = {
        .size = sizeof a,
        .sched_policy = (uint32_t) p->scheduler.policy,
        .sched_flags = p->scheduler.flags,
        .sched_nice = p->scheduler.nice,
        .sched_priority = (uint32_t) p->scheduler.priority,
        .sched_runtime = p->scheduler.runtime,
        .sched_deadline = p->scheduler.deadline,
        .sched_period = p->scheduler.period,
      };
      if (syscall (SYS_sched_setattr, 0, &a, 0) < 0)
        {
          int e = errno;
          bool rt = p->scheduler.policy == SCHED_FIFO || p->scheduler.policy == SCHED_RR
                    || p->scheduler.policy == SCHED_DEADLINE;
          return error_set (err, e, "sched_setattr (policy %d): %s%s", p->scheduler.policy,
                            strerror (e),
                            rt && e == EPERM ? " (a real-time policy needs permission and, on "
                                               "cgroup v1, a real-time budget: "
                                               "linux.resources.cpu.realtimeRuntime)"
                                             : "");
        }
    }
  if (p->io_priority.present)
    {
      /* IOPRIO_PRIO_VALUE(class, data), IOPRIO_WHO_PROCESS = 1 */
      int v = (p->io_priority.class_ << 13) | p->io_priority.priority;
      if (syscall (SYS_ioprio_set, 1, 0, v) < 0)
        return error_errno (err, errno, "ioprio_set (class %d, priority %d)",
                            p->io_priority.class_, p->io_priority.priority);
    }
  if (p->has_umask)
    umask (p->umask);
  else
    umask (0022);
  return 0;
}

int
process_drop_bounding (const struct oci_caps *caps, struct error **err)
{
  if (!caps->present)
    return 0;
  int last = oci_cap_last_cap ();
  for (int cap = 0; cap <= last; cap++)
    if (!(caps->bounding & (1ULL << cap)) && prctl (PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
      if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
        return error_errno (err, errno, "drop %s from the bounding set", oci_cap_name (cap));
  return 0;
}

int
process_switch_user (const struct oci_process *p, bool no_setgroups, struct error **err)
{
  /* keep the permitted set across the uid change; capset() follows */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return error_errno (err, errno, "prctl PR_SET_KEEPCAPS");
  if (!no_setgroups)
    {
      if (setgroups (p->n_additional_gids, p->additional_gids) < 0)
        {
          /* setgroups can be denied in a user namespace we were given
           * (rootless): only an error when groups were asked for */
          if (errno != EPERM || p->n_additional_gids > 0)
            return error_errno (err, errno, "setgroups");
        }
    }
  else if (p->n_additional_gids > 0)
    return error_set (err, EPERM, "cannot set additional gids: setgroups is denied in this "
                                  "user namespace");
  if (setresgid (p->gid, p->gid, p->gid) < 0)
    return error_errno (err, errno, "setgid %u", (unsigned) p->gid);
  if (setresuid (p->uid, p->uid, p->uid) < 0)
    return error_errno (err, errno, "setuid %u", (unsigned) p->uid);
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return error_errno (err, errno, "prctl PR_SET_KEEPCAPS");
  return 0;
}

int
process_apply_caps (const struct oci_caps *caps, struct error **err)
{
  struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct d[2];
  if (caps->present)
    {
      for (int i = 0; i < 2; i++)
        {
          d[i].effective = (uint32_t) (caps->effective >> (32 * i));
          d[i].permitted = (uint32_t) (caps->permitted >> (32 * i));
          d[i].inheritable = (uint32_t) (caps->inheritable >> (32 * i));
        }
    }
  else
    {
      /* no capabilities object: keep what we have, but never pass on an
       * inheritable set the caller happened to hold */
      if (syscall (SYS_capget, &h, d) < 0)
        return error_errno (err, errno, "capget");
      d[0].inheritable = d[1].inheritable = 0;
    }
  if (syscall (SYS_capset, &h, d) < 0)
    return error_errno (err, errno, "capset");
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return error_errno (err, errno, "clear ambient capabilities");
  if (caps->present && caps->ambient)
    {
      int last = oci_cap_last_cap ();
      /* The kernel keeps ambient within permitted and inheritable; a cap
       * asked as ambient but not inheritable is not granted (as crun). */
      uint64_t ok = caps->ambient & caps->permitted & caps->inheritable;
      for (int cap = 0; cap <= last; cap++)
        {
          if (!(caps->ambient & (1ULL << cap)))
            continue;
          if (!(ok & (1ULL << cap)))
            {
              log_debug ("ambient %s skipped: not in the inheritable and permitted sets",
                         oci_cap_name (cap));
              continue;
            }
          if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            return error_errno (err, errno, "raise ambient %s", oci_cap_name (cap));
        }
    }
  return 0;
}

static const char *
env_get (char **env, const char *name)
{
  size_t n = strlen (name);
  for (char **e = env; e && *e; e++)
    if (strncmp (*e, name, n) == 0 && (*e)[n] == '=')
      return *e + n + 1;
  return NULL;
}

int
process_env_listen (struct oci_process *p, int listen_fds, struct error **err)
{
  size_t n = 0;
  for (char **e = p->env; e && *e; e++)
    n++;
  char **env = calloc (n + 4, sizeof (char *));
  if (env == NULL)
    return error_set (err, ENOMEM, "out of memory");
  size_t k = 0;
  for (char **e = p->env; e && *e; e++)
    if (strncmp (*e, "LISTEN_FDS=", 11) != 0 && strncmp (*e, "LISTEN_PID=", 11) != 0
        && strncmp (*e, "LISTEN_FDNAMES=", 15) != 0)
      env[k++] = *e;
  const char *names = getenv ("LISTEN_FDNAMES");
  if (asprintf (&env[k++], "LISTEN_FDS=%d", listen_fds) < 0
      || asprintf (&env[k++], "LISTEN_PID=%d", (int) getpid ()) < 0
      || (names && asprintf (&env[k++], "LISTEN_FDNAMES=%s", names) < 0))
    return error_set (err, ENOMEM, "out of memory");
  /* the old array's strings now belong to both: the old array leaks, which
   * is fine in a process about to execve */
  p->env = env;
  return 0;
}

static bool
is_executable_file (const char *path, int *why)
{
  struct stat st;
  if (stat (path, &st) < 0)
    {
      *why = errno;
      return false;
    }
  if (S_ISDIR (st.st_mode))
    {
      *why = EISDIR;
      return false;
    }
  if (access (path, X_OK) < 0)
    {
      *why = errno;
      return false;
    }
  return true;
}

int
process_find_exec (const struct oci_process *p, char **out, struct error **err)
{
  const char *name = p->args[0];
  int why = ENOENT;
  _cleanup_free_ char *copy = NULL;
  if (strchr (name, '/'))
    {
      if (!is_executable_file (name, &why))
        goto fail;
      *out = strdup (name);
      return 0;
    }
  const char *path = env_get (p->env, "PATH");
  if (path == NULL)
    path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  copy = strdup (path);
  char *save = NULL;
  int first_err = 0;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      _cleanup_free_ char *cand = fs_path_join (*dir ? dir : ".", name);
      int e;
      if (is_executable_file (cand, &e))
        {
          *out = TAKE_PTR (cand);
          return 0;
        }
      if (e == EACCES && first_err == 0)
        first_err = e;
    }
  if (first_err)
    {
      why = first_err;
      goto fail;
    }
  /* the wording clients look for to map to exit code 127 */
  return error_set (err, ENOENT, "exec: `%s`: executable file not found in $PATH", name);
fail:
  if (why == ENOENT)
    return error_set (err, ENOENT, "exec: `%s`: no such file or directory", name);
  if (why == EACCES || why == EISDIR)
    return error_set (err, EACCES, "exec: `%s`: permission denied", name);
  return error_errno (err, why, "exec: `%s`", name);
}

static bool
lsm_enabled (const char *name)
{
  if (strcmp (name, "apparmor") == 0)
    {
      char c = 0;
      _cleanup_close_ int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
      return fd >= 0 && read (fd, &c, 1) == 1 && c == 'Y';
    }
  return access ("/sys/fs/selinux/enforce", F_OK) == 0;
}

static int
write_attr (const char *rel_new, const char *rel_old, const char *value, struct error **err)
{
  _cleanup_close_ int fd = open (rel_new, O_WRONLY | O_CLOEXEC);
  if (fd < 0 && rel_old)
    fd = open (rel_old, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return error_errno (err, errno, "open `%s`", rel_new);
  if (write (fd, value, strlen (value)) < 0)
    return error_errno (err, errno, "write `%s`", rel_new);
  return 0;
}

int
process_set_lsm (const struct oci_process *p, struct error **err)
{
  if (p->apparmor_profile && *p->apparmor_profile)
    {
      if (!lsm_enabled ("apparmor"))
        return error_set (err, ENOTSUP, "apparmor profile `%s` requested but AppArmor is "
                                        "not enabled on this host", p->apparmor_profile);
      _cleanup_free_ char *v = NULL;
      if (asprintf (&v, "exec %s", p->apparmor_profile) < 0)
        return error_set (err, ENOMEM, "out of memory");
      if (write_attr ("/proc/thread-self/attr/apparmor/exec", "/proc/thread-self/attr/exec", v, err) < 0)
        return error_prefix (err, "apparmor profile `%s`", p->apparmor_profile);
    }
  if (p->selinux_label && *p->selinux_label)
    {
      if (!lsm_enabled ("selinux"))
        return 0; /* like runc: labels are ignored where SELinux is off */
      if (write_attr ("/proc/thread-self/attr/exec", NULL, p->selinux_label, err) < 0)
        return error_prefix (err, "selinux label `%s`", p->selinux_label);
    }
  return 0;
}
