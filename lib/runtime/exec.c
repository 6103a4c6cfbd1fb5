/* exec.c - run another process in an existing container (`exec`).
 *
 * The new process is born from us, joins the container's pid (and time)
 * namespace by being cloned while we are in it, enters the cgroup before it
 * runs anything, then joins every other namespace of the container's init
 * in one setns(pidfd, flags) call - the kernel orders user before the rest
 * and mount last, and sets root and cwd to the container's.  From there it
 * follows the same path to execve as the init (process_finish_and_exec). */
#include "internal.h"
#include "execinput.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strv.h"
#include "cgroup/cgroup.h"
#include "seccomp/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* HOME for a process whose environment has none, as runc and crun set it:
 * the home of its uid in the container's /etc/passwd (we are inside the
 * container's root by now), else "/". */
int
process_ensure_home (struct oci_process *p, struct error **err)
{
  for (char **e = p->env; e && *e; e++)
    if (strncmp (*e, "HOME=", 5) == 0)
      return 0;
  _cleanup_free_ char *home = NULL;
  _cleanup_close_ int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_error_ struct error *e = NULL;
  /* O_NONBLOCK: a fifo planted as /etc/passwd must not hang us */
  _cleanup_close_ int fd
      = root < 0 ? -1
                 : fs_open_in_root (root, "/etc/passwd", O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, &e);
  struct stat st;
  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    {
      _cleanup_free_ char *text = NULL;
      size_t len = 0;
      _cleanup_error_ struct error *e2 = NULL;
      if (fs_read_fd (fd, 16 << 20, &text, &len, &e2) == 0)
        home = passwd_home_for_uid (text, len, p->uid);
    }
  _cleanup_free_ char *kv = NULL;
  if (asprintf (&kv, "HOME=%s", home ? home : "/") < 0)
    return error_set (err, ENOMEM, "out of memory");
  if (strv_push (&p->env, kv) < 0)
    return error_set (err, ENOMEM, "out of memory");
  return 0;
}

struct exec_ctx
{
  const struct runtime_exec_options *o;
  struct oci_process *p;
  const struct seccomp_filter *sc;
  int init_pidfd;
  int ns_flags;
  int sync_child, sync_parent;
  int console_sock;
  bool rootless_nosetgroups;
  const struct cgroup *cg;   /* enter it ourselves (cgroup_enter_self) */
  bool cg_cloned_in;
};

static int
exec_child (struct exec_ctx *x, struct error **err)
{
  struct sync_msg m;
  safe_close (x->sync_parent);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  for (int i = 0; i < 3; i++)
    if (x->o->stdio_fds[i] > 2 && dup2 (x->o->stdio_fds[i], i) < 0)
      return error_errno (err, errno, "set up stdio");
  /* still in our namespaces: the cheap way into the cgroup (see create.c) */
  if (x->cg && cgroup_enter_self (x->cg, x->cg_cloned_in, err) < 0)
    return -1;
  if (sync_expect (x->sync_child, SYNC_MAPS_DONE, &m, NULL, err) < 0)
    return -1;
  if (process_set_lsm (x->p, err) < 0)
    return -1;
  if (x->ns_flags && setns (x->init_pidfd, x->ns_flags) < 0)
    return error_errno (err, errno, "join the container's namespaces");
  safe_close (x->init_pidfd);
  if ((x->ns_flags & CLONE_NEWUSER) && (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0))
    return error_errno (err, errno, "become root in the container's user namespace");
  if (x->p->terminal && console_setup (x->p, x->console_sock, x->sync_child, err) < 0)
    return -1;
  safe_close (x->console_sock);
  if (process_apply_limits (x->p, err) < 0)
    return -1;
  {
    _cleanup_close_ int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int cwd = fs_open_in_root (root, x->p->cwd, O_PATH | O_DIRECTORY, 0, err);
    if (cwd < 0)
      return error_prefix (err, "cwd `%s`", x->p->cwd);
    if (fchdir (cwd) < 0)
      return error_errno (err, errno, "chdir `%s`", x->p->cwd);
  }
  if (process_ensure_home (x->p, err) < 0)
    return -1;
  _cleanup_free_ char *exe = NULL;
  if (process_find_exec (x->p, &exe, err) < 0)
    return -1;
  bool seccomp_loaded = false;
  if (x->sc && x->sc->notify)
    {
      /* a listener of its own for this process, handed to the agent
       * before anything the filter may notify runs (as in init.c) */
      int lfd = seccomp_filter_load (x->sc);
      if (lfd < 0)
        return error_errno (err, -lfd, "load seccomp filter");
      seccomp_loaded = true;
      int r = sync_send (x->sync_child, SYNC_SECCOMP_FD, 0, NULL, lfd);
      if (r < 0)
        return error_errno (err, -r, "send seccomp listener");
      if (sync_expect (x->sync_child, SYNC_CONTINUE, &m, NULL, err) < 0)
        return -1;
      close (lfd);
    }
  prctl (PR_SET_PDEATHSIG, 0);
  if (sync_send (x->sync_child, SYNC_READY, 0, NULL, -1) < 0)
    return error_set (err, EPIPE, "lost the runtime");
  return process_finish_and_exec (x->p, x->sc, seccomp_loaded, x->o->preserve_fds,
                                  x->rootless_nosetgroups, exe, err);
}

static int
same_ns (pid_t pid, const char *name)
{
  char a[64], b[64];
  struct stat sa, sb;
  snprintf (a, sizeof a, "/proc/%d/ns/%s", (int) pid, name);
  snprintf (b, sizeof b, "/proc/self/ns/%s", name);
  if (stat (a, &sa) < 0 || stat (b, &sb) < 0)
    return -1;
  return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

int
runtime_exec (const struct runtime_context *ctx, const char *id,
              const struct runtime_exec_options *o, int *exit_status, struct error **err)
{
  *exit_status = 0;
  _cleanup_close_ int rootfd = open (ctx->state_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return error_set (err, ENOENT, "container `%s` does not exist", id);
  struct container_state st;
  if (state_load (rootfd, id, &st, err) < 0)
    return err_code (err);
  int ret = -1;
  struct oci_config *cfg = NULL;
  struct oci_process proc;
  memset (&proc, 0, sizeof proc);
  struct seccomp_filter *sc = NULL;
  struct cgroup *cg = NULL;
  int sp[2] = { -1, -1 };
  int init_pidfd = -1, console_sock = -1, master = -1, pidfd = -1;
  int saved_pid = -1, saved_time = -1;
  pid_t pid = -1;

  enum container_status s = state_status (rootfd, &st);
  if (s != STATUS_RUNNING && s != STATUS_CREATED)
    {
      error_set (err, EINVAL, "cannot exec in container `%s`: it is %s", id, status_name (s));
      goto out;
    }
  const char *text = jsonx_compact (st.config);
  if (oci_config_parse (text, strlen (text), &cfg, err) < 0)
    goto out;
  if (o->process_path)
    {
      if (oci_process_load (o->process_path, &proc, err) < 0)
        goto out;
    }
  else
    {
      if (o->argv == NULL || o->argv[0] == NULL)
        {
          error_set (err, EINVAL, "exec: no command given");
          goto out;
        }
      if (exec_build_process (st.config, o, &proc, err) < 0)
        goto out;
    }
  if (proc.terminal && !o->console_socket && o->detach)
    {
      error_set (err, EINVAL, "exec --tty --detach needs a --console-socket");
      goto out;
    }
  if (cfg->linux_.seccomp.present)
    {
      _cleanup_free_ char *cache = fs_path_join (ctx->state_root, "~seccomp-cache");
      if (seccomp_filter_compile (&cfg->linux_.seccomp, cache, &sc, err) < 0)
        {
          error_prefix (err, "seccomp");
          goto out;
        }
    }
  init_pidfd = pidfd_open_checked (st.pid, st.start_time);
  if (init_pidfd < 0)
    {
      error_set (err, ESRCH, "container `%s` is not running", id);
      goto out;
    }
  if (st.cgroup)
    {
      _cleanup_error_ struct error *e = NULL;
      if (cgroup_from_json (st.cgroup, &cg, &e) < 0)
        log_debug ("exec: cgroup: %s", e->msg);
    }
  if (o->cgroup_subs && o->cgroup_subs[0])
    {
      struct cgroup *sub = NULL;
      if (cg == NULL)
        {
          error_set (err, ENOTSUP, "--cgroup: container `%s` has no cgroup", id);
          goto out;
        }
      if (cgroup_sub (cg, o->cgroup_subs, &sub, err) < 0)
        goto out;
      cgroup_free (cg);
      cg = sub;
    }
  if (o->console_socket)
    {
      struct sockaddr_un sa = { .sun_family = AF_UNIX };
      if (strlen (o->console_socket) >= sizeof sa.sun_path)
        {
          error_set (err, ENAMETOOLONG, "console socket path too long");
          goto out;
        }
      strcpy (sa.sun_path, o->console_socket);
      console_sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (console_sock < 0 || connect (console_sock, (struct sockaddr *) &sa, sizeof sa) < 0)
        {
          error_errno (err, errno, "connect to console socket `%s`", o->console_socket);
          goto out;
        }
    }

  /* which of the container's namespaces differ from ours */
  static const struct { const char *name; int flag; } nss[] = {
    { "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
    { "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP }, { "mnt", CLONE_NEWNS },
  };
  int ns_flags = 0;
  for (size_t i = 0; i < sizeof nss / sizeof nss[0]; i++)
    if (same_ns (st.pid, nss[i].name) == 0)
      ns_flags |= nss[i].flag;

  /* pid and time namespaces apply to children: join them around the clone */
  int min_fd = 3 + (o->preserve_fds > 0 ? o->preserve_fds : 0);
  if (same_ns (st.pid, "pid") == 0)
    {
      saved_pid = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (saved_pid < 0 || setns (init_pidfd, CLONE_NEWPID) < 0)
        {
          error_errno (err, errno, "join the container's pid namespace");
          goto out;
        }
    }
  if (same_ns (st.pid, "time") == 0)
    {
      saved_time = open ("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
      if (saved_time < 0 || setns (init_pidfd, CLONE_NEWTIME) < 0)
        {
          error_errno (err, errno, "join the container's time namespace");
          goto out;
        }
    }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
    {
      error_errno (err, errno, "socketpair");
      goto out;
    }
  for (int i = 0; i < 2; i++)
    if (sp[i] < min_fd)
      {
        int n = fcntl (sp[i], F_DUPFD_CLOEXEC, min_fd);
        close (sp[i]);
        sp[i] = n;
      }

  struct exec_ctx x = {
    .o = o, .p = &proc, .sc = sc, .init_pidfd = init_pidfd, .ns_flags = ns_flags,
    .sync_child = sp[1], .sync_parent = sp[0], .console_sock = console_sock,
    .rootless_nosetgroups = runtime_is_rootless () && (ns_flags & CLONE_NEWUSER),
  };
  struct clone_args ca = { .flags = CLONE_PIDFD, .pidfd = (uint64_t) (uintptr_t) &pidfd,
                           .exit_signal = SIGCHLD };
  /* root: born in the unified cgroup and the child enters the v1 ones by
   * itself, without the global lock a pid written to cgroup.procs takes;
   * rootless: the parent tries, failures are not fatal */
  int cgfd = cg ? cgroup_clone_fd (cg) : -1;
  if (cgfd >= 0)
    {
      ca.flags |= CLONE_INTO_CGROUP;
      ca.cgroup = (uint64_t) cgfd;
    }
  if (cg && geteuid () == 0)
    {
      x.cg = cg;
      x.cg_cloned_in = cgfd >= 0;
    }
  fflush (stdout);
  fflush (stderr);
  pid = (pid_t) syscall (SYS_clone3, &ca, sizeof ca);
  if (pid == 0)
    {
      struct error *cerr = NULL;
      exec_child (&x, &cerr);
      sync_send (sp[1], SYNC_ERROR, cerr ? cerr->code : EIO, cerr ? cerr->msg : "exec failed", -1);
      _exit (1);
    }
  int clone_errno = errno;
  if (saved_pid >= 0 && setns (saved_pid, CLONE_NEWPID) < 0)
    log_warn ("return to our pid namespace: %s", strerror (errno));
  if (saved_time >= 0 && setns (saved_time, CLONE_NEWTIME) < 0)
    log_warn ("return to our time namespace: %s", strerror (errno));
  if (pid < 0)
    {
      error_errno (err, clone_errno, "clone exec process");
      goto out;
    }
  sp[1] = safe_close (sp[1]);
  if (cg && !x.cg && cgroup_v2_fd (cg) < 0 && cgroup_enter (cg, pid, err) < 0)
    {
      if (!runtime_is_rootless ())
        goto fail_child;
      error_free (*err), *err = NULL;
    }
  sync_send (sp[0], SYNC_MAPS_DONE, 0, NULL, -1);
  for (;;)
    {
      struct sync_msg m;
      int fd = -1;
      int r = sync_recv (sp[0], &m, &fd);
      if (r < 0)
        {
          error_set (err, EPIPE, "exec process exited during setup");
          goto fail_child;
        }
      if (m.type == SYNC_ERROR)
        {
          error_set (err, m.value > 0 ? m.value : EINVAL, "%s", m.data);
          goto fail_child;
        }
      if (m.type == SYNC_CONSOLE)
        {
          safe_close (master);
          master = fd;
          continue;
        }
      if (m.type == SYNC_SECCOMP_FD && fd >= 0)
        {
          int hr = sync_seccomp_handover (sp[0], fd, &cfg->linux_.seccomp, id, pid, st.bundle,
                                          st.config, "running", err);
          safe_close (fd);
          if (hr < 0)
            goto fail_child;
          continue;
        }
      safe_close (fd);
      if (m.type == SYNC_READY)
        break;
    }
  if (o->pid_file)
    {
      char buf[32];
      int n = snprintf (buf, sizeof buf, "%d", (int) pid);
      if (fs_write_file_atomic (AT_FDCWD, o->pid_file, buf, (size_t) n, 0644, err) < 0)
        goto fail_child;
    }
  ret = 0;
  if (!o->detach)
    {
      int status = 0;
      if (master >= 0)
        relay_and_wait (master, pid, pidfd, &status);
      else
        wait_forwarding_signals (pid, pidfd, &status);
      *exit_status = status;
    }
  goto out;

fail_child:
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
out:
  safe_close (sp[0]);
  safe_close (sp[1]);
  safe_close (init_pidfd);
  safe_close (console_sock);
  safe_close (master);
  safe_close (pidfd);
  safe_close (saved_pid);
  safe_close (saved_time);
  if (sc)
    seccomp_filter_free (sc);
  if (cg)
    cgroup_free (cg);
  oci_process_clear (&proc);
  if (cfg)
    oci_config_free (cfg);
  state_clear (&st);
  return ret < 0 ? err_code (err) : ret;
}
