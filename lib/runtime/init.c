/* init.c - the container process, from clone() to execve().
 *
 * It runs as a forked copy of the runtime, so it has the parsed config in
 * memory and needs no re-parsing.  Until execve it is non-dumpable: nothing
 * in the container can ptrace it or open its /proc entries (its fds, its
 * exe) while it still holds host resources.  Every fd it holds is
 * O_CLOEXEC, and just before execve everything above the preserved range is
 * marked close-on-exec, so no host fd can reach the container program.
 * Errors go to the parent over the sync socket, which reports them. */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strv.h"
#include "cgroup/cgroup.h"
#include "seccomp/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

static int
set_cpu_affinity (const char *list, struct error **err)
{
  cpu_set_t set;
  CPU_ZERO (&set);
  _cleanup_free_ char *copy = strdup (list);
  char *save = NULL;
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    {
      char *dash = strchr (t, '-');
      long a = strtol (t, NULL, 10), b = dash ? strtol (dash + 1, NULL, 10) : a;
      if (a < 0 || b < a || b >= CPU_SETSIZE)
        return error_set (err, EINVAL, "invalid cpu list `%s`", list);
      for (long i = a; i <= b; i++)
        CPU_SET (i, &set);
    }
  if (sched_setaffinity (0, sizeof set, &set) < 0)
    return error_errno (err, errno, "set cpu affinity `%s`", list);
  return 0;
}

/* Join namespaces given by path from inside the child: only used when the
 * user namespace itself is joined (the parent cannot do that and come back). */
static int
join_in_child (struct create_ctx *c, struct error **err)
{
  if (c->ns_fds[OCI_NS_USER] >= 0)
    {
      if (setns (c->ns_fds[OCI_NS_USER], CLONE_NEWUSER) < 0)
        return error_errno (err, errno, "join user namespace `%s`",
                            c->cfg->linux_.ns[OCI_NS_USER].path);
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return error_errno (err, errno, "become root in the user namespace");
    }
  static const int order[] = { OCI_NS_IPC, OCI_NS_UTS, OCI_NS_NETWORK, OCI_NS_PID,
                               OCI_NS_TIME, OCI_NS_CGROUP, OCI_NS_MOUNT };
  for (size_t i = 0; i < ARRAY_SIZE (order); i++)
    {
      int t = order[i];
      if (c->ns_fds[t] >= 0 && setns (c->ns_fds[t], oci_ns_clone_flag (t)) < 0)
        return error_errno (err, errno, "join %s namespace `%s`", oci_ns_type_name (t),
                            c->cfg->linux_.ns[t].path);
    }
  /* now make the ones to create (cgroup comes later, pid/time by forking) */
  int flags = 0;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    if (c->cfg->linux_.ns[t].present && c->cfg->linux_.ns[t].path == NULL && t != OCI_NS_CGROUP
        && t != OCI_NS_USER)
      flags |= oci_ns_clone_flag (t);
  if (flags && unshare (flags) < 0)
    return error_errno (err, errno, "unshare namespaces");
  bool need_fork = (flags & (CLONE_NEWPID | CLONE_NEWTIME)) || c->ns_fds[OCI_NS_PID] >= 0
                   || c->ns_fds[OCI_NS_TIME] >= 0;
  if (!need_fork)
    return 0;
  /* pid and time namespaces apply to children: the real init is our
   * sibling (CLONE_PARENT: the runtime's own child), so that its parent-death
   * signal follows the runtime, not us, who exit right away (with fork the
   * SIGKILL of our exit raced the real init's setup). */
  pid_t pid = (pid_t) syscall (SYS_clone, CLONE_PARENT, 0, NULL, NULL, 0);
  if (pid < 0)
    return error_errno (err, errno, "fork init");
  if (pid > 0)
    {
      sync_send (c->sync_child, SYNC_CHILD_PID, pid, NULL, -1);
      _exit (0);
    }
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  return 0;
}

/* State for the hooks we run ourselves; our host pid comes from the host's
 * /proc (still mounted at this point: the hooks run before pivot_root, or
 * the pid was read then). */
static pid_t host_pid;

static char *
hook_state (struct create_ctx *c, const char *status)
{
  return state_hook_json (c->id, host_pid, c->bundle, c->cfg->json, status);
}

static int
run_hooks (struct create_ctx *c, enum oci_hook_kind k, const char *status, const char *name,
           const char *cwd, struct error **err)
{
  if (c->cfg->hooks.n[k] == 0)
    return 0;
  _cleanup_free_ char *st = hook_state (c, status);
  return hooks_run (c->cfg->hooks.list[k], c->cfg->hooks.n[k], st ? st : "{}", name, cwd, err);
}

/* The parent moves us into the cgroup while we set up (on cgroup v1 a
 * migration waits for an RCU grace period: we don't wait with it).  We must
 * be inside before a cgroup namespace is made and before READY. */
int
init_wait_cgroup (struct create_ctx *c, struct error **err)
{
  struct sync_msg m;
  if (c->cgroup_done)
    return 0;
  if (sync_expect (c->sync_child, SYNC_CGROUP_DONE, &m, NULL, err) < 0)
    return -1;
  c->cgroup_done = true;
  return 0;
}

static int
init_body (struct create_ctx *c, struct error **err)
{
  struct oci_config *cfg = c->cfg;
  struct oci_process *p = &cfg->process;
  struct oci_linux *lx = &cfg->linux_;
  struct sync_msg m;

  safe_close (c->sync_parent);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  for (int i = 0; i < 3; i++)
    if (c->opts->stdio_fds[i] > 2 && dup2 (c->opts->stdio_fds[i], i) < 0)
      return error_errno (err, errno, "set up stdio");
  /* Into the cgroup before anything else runs here (see clone_child). */
  if (c->cg_self && cgroup_enter_self (c->cg, c->cg_cloned_in, err) < 0)
    return -1;

  if (c->ns_fds[OCI_NS_USER] >= 0)
    {
      if (join_in_child (c, err) < 0)
        return -1;
    }

  /* The parent has written the id maps. */
  if (sync_expect (c->sync_child, SYNC_MAPS_DONE, &m, NULL, err) < 0)
    return -1;
  /* Hidden from the container until execve (see the file comment).  Not
   * before the maps are written: an unprivileged parent could not open the
   * /proc files of a non-dumpable child. */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (c->userns_new)
    {
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return error_errno (err, errno, "become root in the new user namespace "
                                        "(are uid/gid 0 mapped?)");
    }
  /* The cgroup namespace is made only now, so that its root is the
   * container's cgroup rather than the runtime's. */
  if (lx->ns[OCI_NS_CGROUP].present && lx->ns[OCI_NS_CGROUP].path == NULL)
    {
      if (init_wait_cgroup (c, err) < 0)
        return -1;
      if (unshare (CLONE_NEWCGROUP) < 0)
        return error_errno (err, errno, "unshare cgroup namespace");
    }

  if (cfg->hostname && sethostname (cfg->hostname, strlen (cfg->hostname)) < 0)
    return error_errno (err, errno, "sethostname `%s`", cfg->hostname);
  if (cfg->domainname && setdomainname (cfg->domainname, strlen (cfg->domainname)) < 0)
    return error_errno (err, errno, "setdomainname `%s`", cfg->domainname);

  if (!c->opts->no_new_keyring)
    {
      /* a fresh session keyring: containers must not share the host's */
      char name[1100];
      snprintf (name, sizeof name, "_ses.%s", c->id);
      if (syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS
          && errno != EPERM && errno != EACCES)
        return error_errno (err, errno, "join session keyring");
    }

  if (lx->has_personality && personality (lx->personality) < 0)
    return error_errno (err, errno, "personality");
  if (p->exec_cpu_affinity_initial && set_cpu_affinity (p->exec_cpu_affinity_initial, err) < 0)
    return -1;

  {
    char self[32] = "";
    ssize_t n = readlink ("/proc/self", self, sizeof self - 1);
    host_pid = n > 0 ? (pid_t) strtol (self, NULL, 10) : 0;
  }

  /* host /proc, kept to reopen the exec fifo after pivot_root */
  _cleanup_close_ int hostproc = -1;
  if (c->fifo_fd >= 0)
    {
      hostproc = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (hostproc < 0)
        return error_errno (err, errno, "open `/proc`");
    }

  if (mounts_setup_rootfs (c, err) < 0)
    return -1;

  if (cfg->hooks.n[OCI_HOOK_PRESTART] || cfg->hooks.n[OCI_HOOK_CREATE_RUNTIME])
    {
      if (init_wait_cgroup (c, err) < 0)
        return -1;
      if (sync_send (c->sync_child, SYNC_CREATE_RUNTIME, 0, NULL, -1) < 0
          || sync_expect (c->sync_child, SYNC_CONTINUE, &m, NULL, err) < 0)
        return err && *err ? -1 : error_set (err, EPIPE, "lost the runtime");
    }
  /* in the rootfs (not yet the root), as runc runs createContainer */
  if (run_hooks (c, OCI_HOOK_CREATE_CONTAINER, "created", "createContainer", c->rootfs, err) < 0)
    return -1;

  /* LSM exec labels are per-thread attributes consumed by execve; set them
   * while the host's /proc and /sys are still ours to read. */
  if (process_set_lsm (p, err) < 0)
    return -1;

  log_debug ("init: mounts done: %.3f ms", log_elapsed_ms ());
  if (mounts_pivot (c, err) < 0)
    return -1;
  /* A missing cwd is made now, before the root may become read-only; it is
   * resolved strictly inside the new root, and a path through a /proc magic
   * link (`/proc/self/fd/N`: our own state-directory fds) is refused rather
   * than its link text created inside the container (the leaked-fd-as-cwd
   * CVE class). */
  {
    _cleanup_close_ int cwd = fs_mkdir_in_root (AT_FDCWD, p->cwd, 0755, err);
    if (cwd < 0)
      return error_prefix (err, "cwd `%s`", p->cwd);
  }
  if (mounts_finalize (c, err) < 0)
    return -1;

  if (p->terminal
      && (console_setup (p, c->console_sock, c->sync_child, err) < 0
          || console_bind_dev_console (STDIN_FILENO, err) < 0))
    return -1;
  c->console_sock = safe_close (c->console_sock);

  log_debug ("init: pivoted: %.3f ms", log_elapsed_ms ());
  /* in the cgroup before scheduling settings: a realtime task cannot join
   * a v1 cpu cgroup without a realtime budget */
  if (init_wait_cgroup (c, err) < 0)
    return -1;
  if (process_apply_limits (p, err) < 0)
    return -1;

  /* cwd, resolved again inside the (new) root now that masks and read-only
   * paths are in place: a cwd can never be an fd or a path outside the
   * container. */
  {
    _cleanup_close_ int cwd = fs_open_in_root (AT_FDCWD, p->cwd, O_PATH | O_DIRECTORY, 0, err);
    if (cwd < 0)
      return error_prefix (err, "cwd `%s`", p->cwd);
    if (fchdir (cwd) < 0)
      return error_errno (err, errno, "chdir `%s`", p->cwd);
  }

  if (process_ensure_home (p, err) < 0)
    return -1;
  _cleanup_free_ char *exe = NULL;
  if (process_find_exec (p, &exe, err) < 0)
    return -1;

  bool seccomp_loaded = false;
  if (c->seccomp && c->seccomp->notify)
    {
      /* the listener must reach the runtime before it returns from create */
      int lfd = seccomp_filter_load (c->seccomp);
      if (lfd < 0)
        return error_errno (err, -lfd, "load seccomp filter");
      seccomp_loaded = true;
      /* nothing but sendmsg and recvmsg until the agent holds the listener:
       * any other syscall may be one only the agent can answer */
      int r = sync_send (c->sync_child, SYNC_SECCOMP_FD, 0, NULL, lfd);
      if (r < 0)
        return error_errno (err, -r, "send seccomp listener");
      if (sync_expect (c->sync_child, SYNC_CONTINUE, &m, NULL, err) < 0)
        return -1;
      close (lfd);
    }

  log_debug ("init: before cgroup wait: %.3f ms", log_elapsed_ms ());
  if (init_wait_cgroup (c, err) < 0)
    return -1;
  /* Setup is done.  From here the parent may exit (create): the parent-death
   * signal would kill us with it. */
  log_debug ("init: ready: %.3f ms", log_elapsed_ms ());
  prctl (PR_SET_PDEATHSIG, 0);
  if (sync_send (c->sync_child, SYNC_READY, 0, NULL, -1) < 0)
    return error_set (err, EPIPE, "lost the runtime");
  c->ready_sent = true;

  /* create: block until `start` opens the fifo for reading, run the
   * startContainer hooks, then write one byte; the fd stays open (close on
   * exec) so that `start` sees EOF when our execve has happened and only
   * then runs the poststart hooks. */
  int ffd = -1;
  if (c->fifo_fd >= 0)
    {
      char path[64];
      snprintf (path, sizeof path, "self/fd/%d", c->fifo_fd);
      do
        ffd = openat (hostproc, path, O_WRONLY | O_CLOEXEC);
      while (ffd < 0 && errno == EINTR);
      if (ffd < 0)
        _exit (1);
      c->fifo_fd = safe_close (c->fifo_fd);
    }
  safe_close (hostproc);
  hostproc = -1;

  if (run_hooks (c, OCI_HOOK_START_CONTAINER, "created", "startContainer", NULL, err) < 0)
    return -1;
  if (ffd >= 0)
    {
      char b = '0';
      if (write (ffd, &b, 1) != 1)
        _exit (1);
    }

  if (c->opts->listen_fds > 0 && process_env_listen (p, c->opts->listen_fds, err) < 0)
    return -1;
  return process_finish_and_exec (p, c->seccomp, seccomp_loaded, c->opts->preserve_fds,
                                  c->rootless && c->userns_new, exe, err);
}

int
process_finish_and_exec (const struct oci_process *p, const struct seccomp_filter *sc,
                         bool seccomp_loaded, int preserve_fds, bool no_setgroups,
                         const char *exe, struct error **err)
{
  bool nnp = p->no_new_privileges;
  /* The container starts with default signal dispositions and nothing
   * blocked, whatever our caller had. */
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);

  if (sc && !seccomp_loaded && !nnp)
    {
      /* without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which we
       * are about to drop: load it first (what follows must be allowed) */
      int r = seccomp_filter_load (sc);
      if (r < 0)
        return error_errno (err, -r, "load seccomp filter");
      seccomp_loaded = true;
    }

  if (process_drop_bounding (&p->caps, err) < 0
      || process_switch_user (p, no_setgroups, err) < 0
      || process_apply_caps (&p->caps, err) < 0)
    return -1;
  if (nnp && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return error_errno (err, errno, "set no_new_privs");
  if (p->exec_cpu_affinity_final && set_cpu_affinity (p->exec_cpu_affinity_final, err) < 0)
    return -1;

  /* No fd of ours above the preserved range survives execve. */
  int keep = 3 + (preserve_fds > 0 ? preserve_fds : 0);
  if (syscall (SYS_close_range, keep, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    {
      for (int fd = keep; fd < 65536; fd++)
        fcntl (fd, F_SETFD, FD_CLOEXEC);
    }
  for (int fd = 3; fd < keep; fd++)
    fcntl (fd, F_SETFD, 0);

  if (sc && !seccomp_loaded)
    {
      int r = seccomp_filter_load (sc);
      if (r < 0)
        return error_errno (err, -r, "load seccomp filter");
    }

  execve (exe, p->args, p->env ? p->env : (char *[]){ NULL });
  int e = errno;
  /* The parent may be gone (create returned): stderr is all we have. */
  dprintf (2, "hullrt: exec `%s`: %s\n", exe, strerror (e));
  _exit (e == ENOENT ? 127 : 126);
}

void
container_init (struct create_ctx *c)
{
  struct error *err = NULL;
  init_body (c, &err);
  if (c->ready_sent)
    /* the runtime may be gone (create returned): say it where it is seen */
    dprintf (2, "hullrt: %s\n", err ? err->msg : "container init failed");
  sync_send (c->sync_child, SYNC_ERROR, err ? err->code : EIO,
             err ? err->msg : "container init failed", -1);
  _exit (1);
}
