/* create.c - create, start and run: the runtime (parent) side.
 *
 * create: validate everything that can be validated before touching the
 * system; make the state dir (the id's lock: mkdir is atomic), the cgroup,
 * the exec fifo; clone the container process with its namespaces; put it in
 * the cgroup and write its id maps; serve its requests (hooks run in the
 * runtime namespace, the console, the seccomp listener) until it reports
 * READY; write state.json and the pid file.  On any failure everything made
 * so far is undone: no state dir, cgroup, process or mount is left.
 *
 * Namespaces given by path are joined by the parent around the clone (and
 * left again right after), so the child is born inside them and a new user
 * namespace can still be created together with the rest; only when the user
 * namespace itself is joined does the child do the joining (see init.c). */
#include "internal.h"

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
#include <inttypes.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool
runtime_is_rootless (void)
{
  /* Unprivileged, or "root" only inside a user namespace (rootless podman
   * runs us in its own): anything but the full identity map is a user
   * namespace. */
  static int cached = -1;
  if (cached >= 0)
    return cached;
  if (geteuid () != 0)
    {
      cached = 1;
      return true;
    }
  char buf[256] = "";
  int fd = open ("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      ssize_t n = read (fd, buf, sizeof buf - 1);
      buf[n > 0 ? n : 0] = '\0';
      close (fd);
    }
  unsigned long a = 1, b = 1, len = 0;
  cached = !(sscanf (buf, "%lu %lu %lu", &a, &b, &len) == 3 && a == 0 && b == 0
             && len == 4294967295UL);
  return cached;
}

const char *
runtime_default_root (void)
{
  static char buf[PATH_MAX];
  if (!runtime_is_rootless ())
    return "/run/hullrt";
  const char *x = getenv ("XDG_RUNTIME_DIR");
  if (x && *x)
    {
      snprintf (buf, sizeof buf, "%s/hullrt", x);
      return buf;
    }
  snprintf (buf, sizeof buf, "/tmp/hullrt-%u", (unsigned) geteuid ());
  return buf;
}

/* The host id that a mapping gives the container's id 0. */
static bool
host_id_of_root (const struct oci_id_mapping *m, size_t n, uint32_t *out)
{
  for (size_t i = 0; i < n; i++)
    if (m[i].container_id == 0 && m[i].size > 0)
      {
        *out = m[i].host_id;
        return true;
      }
  return false;
}

/* Internal fds must not sit where the container expects preserved fds. */
static int
fd_above (int fd, int min)
{
  if (fd < 0 || fd >= min)
    return fd;
  int nfd = fcntl (fd, F_DUPFD_CLOEXEC, min);
  close (fd);
  return nfd;
}

static void
now_rfc3339 (char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  size_t n = strftime (buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

static int
connect_console (const char *path, struct error **err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sa.sun_path)
    return error_set (err, ENAMETOOLONG, "console socket path `%s` is too long", path);
  strcpy (sa.sun_path, path);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return error_errno (err, errno, "socket");
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      int e = errno;
      close (fd);
      return error_errno (err, e, "connect to console socket `%s`", path);
    }
  return fd;
}

static int
write_pid_file (const char *path, pid_t pid, struct error **err)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", (int) pid);
  _cleanup_free_ char *tmp = NULL;
  if (asprintf (&tmp, "%s.tmp%d", path, (int) getpid ()) < 0)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_close_ int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || fs_write_all (fd, buf, (size_t) n) < 0 || rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return error_errno (err, e, "write pid file `%s`", path);
    }
  return 0;
}

static void
ctx_release (struct create_ctx *c)
{
  ns_close (c->ns_fds);
  c->sync_parent = safe_close (c->sync_parent);
  c->sync_child = safe_close (c->sync_child);
  c->fifo_fd = safe_close (c->fifo_fd);
  c->console_sock = safe_close (c->console_sock);
  c->pidfd = safe_close (c->pidfd);
  c->state_dirfd = safe_close (c->state_dirfd);
  if (c->idmap_fds)
    for (size_t i = 0; c->cfg && i < c->cfg->n_mounts; i++)
      safe_close (c->idmap_fds[i]);
  free (c->idmap_fds);
  c->idmap_fds = NULL;
  if (c->bind_fds)
    for (size_t i = 0; c->cfg && i < c->cfg->n_mounts; i++)
      safe_close (c->bind_fds[i]);
  free (c->bind_fds);
  c->bind_fds = NULL;
  if (c->seccomp)
    seccomp_filter_free (c->seccomp);
  c->seccomp = NULL;
  if (c->cg)
    cgroup_free (c->cg);
  c->cg = NULL;
  if (c->cfg)
    oci_config_free (c->cfg);
  c->cfg = NULL;
  free (c->bundle);
  free (c->rootfs);
  c->bundle = c->rootfs = NULL;
  c->state_rootfd = safe_close (c->state_rootfd);
}

/* Undo a failed create: the process, the cgroup, the state dir. */
static void
ctx_abort (struct create_ctx *c)
{
  if (c->pid > 0)
    {
      kill (c->pid, SIGKILL);
      waitpid (c->pid, NULL, 0);
      c->pid = 0;
    }
  if (c->cg)
    {
      _cleanup_error_ struct error *e = NULL;
      if (cgroup_destroy (c->cg, true, &e) < 0)
        log_warn ("remove cgroup: %s", e->msg);
    }
  if (c->state_rootfd >= 0 && c->id)
    {
      _cleanup_error_ struct error *e = NULL;
      fs_rm_rf_at (c->state_rootfd, c->id, &e);
    }
}

/* Validate and prepare everything before any process exists. */
static int
prepare (const struct runtime_context *ctx, const char *id,
         const struct runtime_create_options *o, bool run, struct create_ctx *c,
         struct error **err)
{
  c->id = id;
  c->opts = o;
  c->run = run;
  c->rootless = runtime_is_rootless ();
  if (id_validate (id, err) < 0)
    return -1;

  const char *bundle = o->bundle && *o->bundle ? o->bundle : ".";
  c->bundle = realpath (bundle, NULL);
  if (c->bundle == NULL)
    return error_errno (err, errno, "bundle `%s`", bundle);
  if (oci_config_load (c->bundle, &c->cfg, err) < 0)
    return -1;
  struct oci_config *cfg = c->cfg;
  if (!cfg->has_process)
    return error_set (err, EINVAL, "config.json: `process` is required to run a container");
  if (!cfg->linux_.ns[OCI_NS_MOUNT].present)
    return error_set (err, EINVAL, "config.json: a mount namespace is required");
  if (cfg->hostname && !cfg->linux_.ns[OCI_NS_UTS].present)
    return error_set (err, EINVAL, "config.json: `hostname` needs a uts namespace");
  if (cfg->linux_.has_time_offsets
      && !(cfg->linux_.ns[OCI_NS_TIME].present && !cfg->linux_.ns[OCI_NS_TIME].path))
    return error_set (err, EINVAL, "config.json: `linux.timeOffsets` needs a new time namespace");
  if (cfg->process.terminal && !o->console_socket && !(run && !o->detach))
    return error_set (err, EINVAL, "`process.terminal` is set: a --console-socket is required");
  if (!cfg->process.terminal && o->console_socket)
    return error_set (err, EINVAL, "--console-socket given but `process.terminal` is false");
  c->relay_console = cfg->process.terminal && !o->console_socket;

  const struct oci_namespace *uns = &cfg->linux_.ns[OCI_NS_USER];
  c->userns_new = uns->present && uns->path == NULL;
  if (c->userns_new && cfg->linux_.n_uid_mappings == 0)
    return error_set (err, EINVAL, "config.json: a new user namespace needs `linux.uidMappings`");
  if (geteuid () != 0 && !uns->present)
    return error_set (err, EPERM, "running as an unprivileged user needs a user namespace "
                                  "(see `hullrt spec --rootless`)");

  _cleanup_free_ char *root = NULL;
  if (cfg->root_path[0] == '/')
    root = strdup (cfg->root_path);
  else
    root = fs_path_join (c->bundle, cfg->root_path);
  c->rootfs = realpath (root, NULL);
  if (c->rootfs == NULL)
    return error_errno (err, errno, "rootfs `%s`", root);
  struct stat st;
  if (stat (c->rootfs, &st) < 0 || !S_ISDIR (st.st_mode))
    return error_set (err, ENOTDIR, "rootfs `%s` is not a directory", c->rootfs);

  log_debug ("create: config loaded: %.3f ms", log_elapsed_ms ());
  if (ns_open_paths (cfg, c->ns_fds, err) < 0)
    return -1;

  if (cfg->linux_.seccomp.present)
    {
      _cleanup_free_ char *cache = fs_path_join (ctx->state_root, "~seccomp-cache");
      if (seccomp_filter_compile (&cfg->linux_.seccomp, cache, &c->seccomp, err) < 0)
        return error_prefix (err, "seccomp");
    }

  c->state_rootfd = state_root_open (ctx->state_root, true, err);
  if (c->state_rootfd < 0)
    return -1;
  /* mkdir is the atomic claim on the id */
  if (mkdirat (c->state_rootfd, id, 0700) < 0)
    {
      if (errno == EEXIST)
        return error_set (err, EEXIST, "container `%s` already exists", id);
      return error_errno (err, errno, "create state for `%s`", id);
    }
  return 1; /* from here, failures must undo */
}

static int
clone_child (struct create_ctx *c, struct error **err)
{
  struct oci_linux *lx = &c->cfg->linux_;
  uint64_t flags = 0;
  bool child_joins = c->ns_fds[OCI_NS_USER] >= 0;
  if (!child_joins)
    for (int t = 0; t < OCI_NS_COUNT; t++)
      if (lx->ns[t].present && lx->ns[t].path == NULL && t != OCI_NS_CGROUP && t != OCI_NS_TIME)
        flags |= (uint64_t) oci_ns_clone_flag (t);

  /* Join by-path namespaces ourselves for the duration of the clone. */
  static const char *const selfns[OCI_NS_COUNT] = {
    [OCI_NS_PID] = "pid", [OCI_NS_NETWORK] = "net", [OCI_NS_MOUNT] = "mnt",
    [OCI_NS_IPC] = "ipc", [OCI_NS_UTS] = "uts", [OCI_NS_CGROUP] = "cgroup",
    [OCI_NS_TIME] = "time",
  };
  int saved[OCI_NS_COUNT];
  for (int t = 0; t < OCI_NS_COUNT; t++)
    saved[t] = -1;
  _cleanup_close_ int saved_cwd = -1;
  int ret = 0;
  bool new_time = lx->ns[OCI_NS_TIME].present && lx->ns[OCI_NS_TIME].path == NULL;
  if (!child_joins)
    {
      for (int t = 0; t < OCI_NS_COUNT && ret == 0; t++)
        {
          if (c->ns_fds[t] < 0 && !(t == OCI_NS_TIME && new_time))
            continue;
          char p[64];
          snprintf (p, sizeof p, "/proc/self/ns/%s", selfns[t]);
          saved[t] = open (p, O_RDONLY | O_CLOEXEC);
          if (saved[t] < 0)
            ret = error_errno (err, errno, "open `%s`", p);
          else if (t == OCI_NS_MOUNT)
            saved_cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (ret == 0 && c->ns_fds[t] >= 0 && setns (c->ns_fds[t], oci_ns_clone_flag (t)) < 0)
            ret = error_errno (err, errno, "join %s namespace `%s`", oci_ns_type_name (t),
                               lx->ns[t].path);
        }
      if (ret == 0 && new_time)
        {
          /* offsets can only be set before any process enters the ns */
          if (unshare (CLONE_NEWTIME) < 0)
            ret = error_errno (err, errno, "unshare time namespace");
          else if (lx->has_time_offsets)
            {
              char buf[128];
              int n = snprintf (buf, sizeof buf, "monotonic %lld %u\nboottime %lld %u\n",
                                (long long) lx->monotonic_secs, lx->monotonic_nsecs,
                                (long long) lx->boottime_secs, lx->boottime_nsecs);
              ret = fs_write_file_at (AT_FDCWD, "/proc/self/timens_offsets", buf, (size_t) n, err);
            }
        }
    }

  pid_t pid = -1;
  int pidfd = -1;
  if (ret == 0)
    {
      struct clone_args ca = {
        .flags = flags | CLONE_PIDFD,
        .pidfd = (uint64_t) (uintptr_t) &pidfd,
        .exit_signal = SIGCHLD,
      };
      /* The cheap way into the cgroup (a pid written to cgroup.procs costs
       * an RCU grace period): born in the unified cgroup (v2, hybrid), and
       * the child moves itself into the v1 hierarchies, which it can do
       * only while still in our user namespace. */
      int cgfd = c->cg && !child_joins ? cgroup_clone_fd (c->cg) : -1;
      c->cg_cloned_in = cgfd >= 0;
      c->cg_self = c->cg && !child_joins && !(flags & CLONE_NEWUSER);
      if (cgfd >= 0)
        {
          ca.flags |= CLONE_INTO_CGROUP;
          ca.cgroup = (uint64_t) cgfd;
        }
      pid = (pid_t) syscall (SYS_clone3, &ca, sizeof ca);
      if (pid == 0)
        container_init (c); /* never returns */
      if (pid < 0)
        ret = error_errno (err, errno, "clone container process");
      else
        {
          c->pid = pid;
          c->pidfd = pidfd;
          /* pure v2: born there is all; elsewhere the child does the rest */
          if (c->cg_self || (c->cg_cloned_in && cgroup_v2_fd (c->cg) >= 0))
            c->cg_entered = true;
        }
    }

  /* Back to our own namespaces, whatever happened. */
  for (int t = 0; t < OCI_NS_COUNT; t++)
    if (saved[t] >= 0)
      {
        if (setns (saved[t], oci_ns_clone_flag (t)) < 0 && ret == 0)
          ret = error_errno (err, errno, "return to our %s namespace", oci_ns_type_name (t));
        close (saved[t]);
      }
  if (saved_cwd >= 0 && fchdir (saved_cwd) < 0 && ret == 0)
    ret = error_errno (err, errno, "return to our cwd");
  return ret;
}

/* The init died during setup without a word.  A SIGKILL with an OOM kill
 * counted in its cgroup means the memory limit is too small to set the
 * container up at all: the kernel takes any limit for an empty cgroup and
 * then kills the first process that outgrows it, so this is where a too low
 * linux.resources.memory.limit shows. */
static int
init_died (struct create_ctx *c, int st, struct error **err)
{
  const struct oci_resources *res = &c->cfg->linux_.resources;
  if (WIFSIGNALED (st) && WTERMSIG (st) == SIGKILL && c->cg && res->present && res->memory.has_limit
      && res->memory.limit >= 0)
    {
      struct cgroup_stats s;
      _cleanup_error_ struct error *e = NULL;
      memset (&s, 0, sizeof s);
      if (cgroup_stats (c->cg, &s, &e) == 0 && s.oom_kill_events > 0)
        return error_set (err, ENOMEM,
                          "`linux.resources.memory.limit`: %" PRId64
                          " bytes is too low, the container init was OOM-killed during setup",
                          res->memory.limit);
    }
  return error_set (err, EPIPE, "container init exited during setup (%s %d)",
                    WIFSIGNALED (st) ? "signal" : "status",
                    WIFSIGNALED (st) ? WTERMSIG (st) : WEXITSTATUS (st));
}

/* Drive the child from clone to READY. */
static int
parent_sync (const struct runtime_context *ctx, struct create_ctx *c, int *console_master,
             int *seccomp_listener, struct error **err)
{
  struct sync_msg m;
  struct oci_config *cfg = c->cfg;
  if (c->ns_fds[OCI_NS_USER] >= 0)
    {
      /* the child joined, then forked the real init */
      bool forks = (cfg->linux_.ns[OCI_NS_PID].present) || cfg->linux_.ns[OCI_NS_TIME].present;
      if (forks)
        {
          if (sync_expect (c->sync_parent, SYNC_CHILD_PID, &m, NULL, err) < 0)
            return -1;
          waitpid (c->pid, NULL, 0);
          c->pid = m.value;
          safe_close (c->pidfd);
          c->pidfd = (int) syscall (SYS_pidfd_open, c->pid, 0);
        }
    }
  if (c->userns_new && userns_write_maps (c->pid, cfg, c->rootless, err) < 0)
    return -1;
  sync_send (c->sync_parent, SYNC_MAPS_DONE, 0, NULL, -1);
  /* while the child sets up its root */
  if (c->cg && !c->cg_entered && cgroup_enter (c->cg, c->pid, err) < 0)
    {
      if (!c->rootless)
        return -1;
      log_debug ("rootless: cannot enter cgroup: %s", (*err)->msg);
      error_free (*err), *err = NULL;
    }
  log_debug ("create: entered cgroup: %.3f ms", log_elapsed_ms ());
  /* If the child is already gone, its last words are waiting in the
   * socket: the loop below reads them. */
  sync_send (c->sync_parent, SYNC_CGROUP_DONE, 0, NULL, -1);

  for (;;)
    {
      int fd = -1;
      int r = sync_recv (c->sync_parent, &m, &fd);
      if (r == -EPIPE)
        {
          /* it died without a word: report how */
          int st = 0;
          if (waitpid (c->pid, &st, 0) == c->pid)
            c->pid = 0;
          return init_died (c, st, err);
        }
      if (r < 0)
        return error_errno (err, -r, "read from container init");
      switch (m.type)
        {
        case SYNC_ERROR:
          safe_close (fd);
          return error_set (err, m.value > 0 ? m.value : EINVAL, "%s", m.data);
        case SYNC_CREATE_RUNTIME:
          {
            /* runtime-spec: these run after the environment was made (step
             * 2 of the lifecycle), so the state says "created"; the hooks
             * run in the bundle, as runc and crun run them */
            _cleanup_free_ char *st = state_hook_json (c->id, c->pid, c->bundle, cfg->json, "created");
            int hr = hooks_run (cfg->hooks.list[OCI_HOOK_PRESTART], cfg->hooks.n[OCI_HOOK_PRESTART],
                                st, "prestart", c->bundle, err);
            if (hr == 0)
              hr = hooks_run (cfg->hooks.list[OCI_HOOK_CREATE_RUNTIME],
                              cfg->hooks.n[OCI_HOOK_CREATE_RUNTIME], st, "createRuntime", c->bundle,
                              err);
            if (hr < 0)
              return hr;
            sync_send (c->sync_parent, SYNC_CONTINUE, 0, NULL, -1);
            break;
          }
        case SYNC_CONSOLE:
          safe_close (*console_master);
          *console_master = fd;
          break;
        case SYNC_SECCOMP_FD:
          {
            /* to the agent now: the init waits for it (see sync.c) */
            int hr = sync_seccomp_handover (c->sync_parent, fd, &cfg->linux_.seccomp, c->id,
                                            c->pid, c->bundle, cfg->json, "creating", err);
            safe_close (fd);
            if (hr < 0)
              return hr;
            break;
          }
        case SYNC_READY:
  log_debug ("create: child ready: %.3f ms", log_elapsed_ms ());
          safe_close (fd);
          return 0;
        default:
          safe_close (fd);
          return error_set (err, EPROTO, "container init: unexpected message %u", m.type);
        }
    }
}

static int
create_container (const struct runtime_context *ctx, const char *id,
                  const struct runtime_create_options *o, bool run, struct create_ctx *c,
                  int *console_master, struct error **err)
{
  memset (c, 0, sizeof *c);
  c->state_rootfd = c->state_dirfd = c->sync_parent = c->sync_child = -1;
  c->fifo_fd = c->console_sock = c->pidfd = -1;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    c->ns_fds[t] = -1;
  int r = prepare (ctx, id, o, run, c, err);
  if (r < 0)
    {
      /* nothing to undo yet, but the bundle path and config to free */
      ctx_release (c);
      return -1;
    }
  int seccomp_listener = -1;
  int min_fd = 3 + (o->preserve_fds > 0 ? o->preserve_fds : 0);
  struct oci_config *cfg = c->cfg;

  c->state_dirfd = openat (c->state_rootfd, id, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (c->state_dirfd < 0)
    {
      error_errno (err, errno, "open state of `%s`", id);
      goto fail;
    }
  if (!run)
    {
      /* the container process blocks opening this for writing until
       * `start` opens it for reading */
      char fifo[1100];
      snprintf (fifo, sizeof fifo, "%s/exec.fifo", id);
      if (mkfifoat (c->state_rootfd, fifo, 0600) < 0)
        {
          error_errno (err, errno, "create exec fifo");
          goto fail;
        }
      c->fifo_fd = fd_above (openat (c->state_rootfd, fifo, O_PATH | O_CLOEXEC), min_fd);
      if (c->fifo_fd < 0)
        {
          error_errno (err, errno, "open exec fifo");
          goto fail;
        }
      /* The init reopens the fifo as the container's root: in a new user
       * namespace that is another host uid, which may not open our 0600
       * fifo.  It belongs to that uid (as runc does); the state directory
       * stays ours and 0700, so nobody else reaches it by path.  (Rootless,
       * the container's root is normally us already.) */
      uint32_t huid, hgid;
      if (c->userns_new && !c->rootless
          && host_id_of_root (cfg->linux_.uid_mappings, cfg->linux_.n_uid_mappings, &huid)
          && host_id_of_root (cfg->linux_.gid_mappings, cfg->linux_.n_gid_mappings, &hgid)
          && fchownat (c->state_rootfd, fifo, huid, hgid, AT_SYMLINK_NOFOLLOW) < 0)
        {
          error_errno (err, errno, "chown exec fifo");
          goto fail;
        }
    }
  if (o->console_socket)
    {
      c->console_sock = fd_above (connect_console (o->console_socket, err), min_fd);
      if (c->console_sock < 0)
        goto fail;
    }
  for (int t = 0; t < OCI_NS_COUNT; t++)
    c->ns_fds[t] = fd_above (c->ns_fds[t], min_fd);

  {
    struct cgroup_options co = {
      .cgroups_path = cfg->linux_.cgroups_path,
      .id = id,
      .systemd = ctx->systemd_cgroup,
      .rootless = c->rootless,
    };
    if (cgroup_create (&co, cfg->linux_.resources.present ? &cfg->linux_.resources : NULL, &c->cg,
                       err) < 0)
      {
        if (!c->rootless)
          goto fail;
        log_debug ("rootless: no cgroup: %s", (*err)->msg);
        error_free (*err), *err = NULL;
        c->cg = NULL;
      }
  }

  for (size_t i = 0; i < cfg->n_mounts; i++)
    {
      const struct oci_mount *m = &cfg->mounts[i];
      if (!m->idmap)
        continue;
      if (c->idmap_fds == NULL)
        {
          c->idmap_fds = malloc (cfg->n_mounts * sizeof (int));
          for (size_t j = 0; j < cfg->n_mounts; j++)
            c->idmap_fds[j] = -1;
        }
      /* the mount's own mappings, else the container's (runtime-spec) */
      bool own = m->n_uid_mappings || m->n_gid_mappings;
      c->idmap_fds[i] = fd_above (
          userns_for_mappings (own ? m->uid_mappings : cfg->linux_.uid_mappings,
                               own ? m->n_uid_mappings : cfg->linux_.n_uid_mappings,
                               own ? m->gid_mappings : cfg->linux_.gid_mappings,
                               own ? m->n_gid_mappings : cfg->linux_.n_gid_mappings, err),
          min_fd);
      if (c->idmap_fds[i] < 0)
        {
          error_prefix (err, "mount `%s`", m->destination);
          goto fail;
        }
    }

  /* A user namespace's root (new or joined) is another host uid: a bind source it
   * cannot reach (a 0700 parent directory, a file of ours) would be
   * EACCES in the child.  The binds are made here, with our credentials,
   * and only attached by the child.  Not rootless (open_tree needs
   * privilege over our mount namespace) nor into a joined mount namespace
   * (the sources are paths of that one). */
  if ((c->userns_new || c->ns_fds[OCI_NS_USER] >= 0) && !c->rootless && c->ns_fds[OCI_NS_MOUNT] < 0
      && mounts_open_bind_sources (c, min_fd, err) < 0)
    goto fail;

  int sp[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
    {
      error_errno (err, errno, "socketpair");
      goto fail;
    }
  c->sync_parent = fd_above (sp[0], min_fd);
  c->sync_child = fd_above (sp[1], min_fd);

  log_debug ("create: cgroup made, cloning: %.3f ms", log_elapsed_ms ());
  fflush (stdout);
  fflush (stderr);
  if (clone_child (c, err) < 0)
    goto fail;
  c->sync_child = safe_close (c->sync_child);

  if (parent_sync (ctx, c, console_master, &seccomp_listener, err) < 0)
    goto fail;

  {
    struct container_state st = {
      .id = (char *) id,
      .pid = c->pid,
      .start_time = proc_start_time (c->pid),
      .bundle = c->bundle,
      .rootfs = c->rootfs,
      .owner = geteuid (),
      .config = cfg->json,
      .cgroup = c->cg ? cgroup_to_json (c->cg) : NULL,
      .systemd_cgroup = ctx->systemd_cgroup,
      .has_pidns = cfg->linux_.ns[OCI_NS_PID].present,
    };
    char created[64];
    now_rfc3339 (created, sizeof created);
    st.created = created;
    r = state_save (c->state_rootfd, &st, err);
    if (st.cgroup)
      json_object_put (st.cgroup);
    if (r < 0)
      goto fail;
  }

  if (o->pid_file && write_pid_file (o->pid_file, c->pid, err) < 0)
    goto fail;
  return 0;

fail:
  safe_close (seccomp_listener);
  *console_master = safe_close (*console_master);
  ctx_abort (c);
  ctx_release (c);
  return -1;
}

int
runtime_create (const struct runtime_context *ctx, const char *id,
                const struct runtime_create_options *o, struct error **err)
{
  struct create_ctx c;
  int master = -1;
  if (create_container (ctx, id, o, false, &c, &master, err) < 0)
    return err_code (err);
  safe_close (master);
  ctx_release (&c);
  return 0;
}

static void
run_poststart (const char *id, pid_t pid, const char *bundle, struct oci_config *cfg)
{
  if (cfg->hooks.n[OCI_HOOK_POSTSTART] == 0)
    return;
  _cleanup_free_ char *st = state_hook_json (id, pid, bundle, cfg->json, "running");
  hooks_run_warn (cfg->hooks.list[OCI_HOOK_POSTSTART], cfg->hooks.n[OCI_HOOK_POSTSTART], st,
                  "poststart", bundle);
}

int
runtime_start (const struct runtime_context *ctx, const char *id, struct error **err)
{
  _cleanup_close_ int rootfd = state_root_open (ctx->state_root, false, err);
  if (rootfd < 0)
    return error_prefix (err, "container `%s` does not exist", id);
  struct container_state st;
  if (state_load (rootfd, id, &st, err) < 0)
    return err_code (err);
  int ret = 0;
  _cleanup_close_ int ffd = -1, pidfd = -1;
  enum container_status s = state_status (rootfd, &st);
  if (s != STATUS_CREATED)
    {
      ret = error_set (err, EINVAL, "container `%s` is %s, not created: cannot start it", id,
                       status_name (s));
      goto out;
    }
  char fifo[1100];
  snprintf (fifo, sizeof fifo, "%s/exec.fifo", id);
  /* pin the init first: opening the fifo lets it run, and it may be gone
   * (exited) by the time we look */
  pidfd = pidfd_open_checked (st.pid, st.start_time);
  ffd = openat (rootfd, fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (ffd < 0 || pidfd < 0)
    {
      ret = error_set (err, ESRCH, "container `%s` is not waiting to start", id);
      goto out;
    }
  /* The container writes one byte once its startContainer hooks ran, and
   * its end closes at execve: wait for both, never blocking on a fifo
   * nobody will write (the pidfd says when the init is gone). */
  struct pollfd pfd[2] = { { .fd = ffd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
  bool got_byte = false;
  for (;;)
    {
      int r = poll (pfd, got_byte ? 1 : 2, -1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          ret = error_errno (err, errno, "poll");
          goto out;
        }
      if (pfd[0].revents & (POLLIN | POLLHUP))
        {
          char b;
          ssize_t n = read (ffd, &b, 1);
          if (n == 1)
            {
              got_byte = true;
              continue;
            }
          if (n == 0 && (pfd[0].revents & POLLHUP))
            break; /* the container's end closed: it exec'd (or died) */
        }
      if (!got_byte && pfd[1].revents)
        break;
    }
  unlinkat (rootfd, fifo, 0);
  if (!got_byte)
    {
      ret = error_set (err, EIO, "container `%s` failed to start (its startContainer hooks "
                                 "or setup failed: see its output)", id);
      goto out;
    }
  {
    struct oci_config *cfg = NULL;
    _cleanup_error_ struct error *e = NULL;
    const char *text = jsonx_compact (st.config);
    if (oci_config_parse (text, strlen (text), &cfg, &e) == 0)
      {
        run_poststart (id, st.pid, st.bundle, cfg);
        oci_config_free (cfg);
      }
  }
out:
  state_clear (&st);
  return ret;
}

int
runtime_run (const struct runtime_context *ctx, const char *id,
             const struct runtime_create_options *o, int *exit_status, struct error **err)
{
  struct create_ctx c;
  int master = -1;
  *exit_status = 0;
  if (create_container (ctx, id, o, true, &c, &master, err) < 0)
    return err_code (err);
  /* Until execve the child may still fail (startContainer hooks, the user
   * switch): that arrives as a message; its end of the socket closes at
   * execve.  Poststart hooks run only after that. */
  for (;;)
    {
      struct sync_msg m;
      int r = sync_recv (c.sync_parent, &m, NULL);
      if (r == 0 && m.type == SYNC_ERROR)
        {
          error_set (err, m.value > 0 ? m.value : EINVAL, "%s", m.data);
          if (c.pid > 0)
            waitpid (c.pid, NULL, 0);
          safe_close (master);
          ctx_release (&c);
          struct error *e2 = NULL;
          runtime_delete (ctx, id, true, &e2);
          error_free (e2);
          return err_code (err);
        }
      if (r < 0)
        break;
    }
  run_poststart (id, c.pid, c.bundle, c.cfg);
  if (o->detach)
    {
      safe_close (master);
      ctx_release (&c);
      return 0;
    }
  int status = 0;
  if (master >= 0)
    relay_and_wait (master, c.pid, c.pidfd, &status);
  else
    wait_forwarding_signals (c.pid, c.pidfd, &status);
  safe_close (master);
  log_debug ("run: container exited: %.3f ms", log_elapsed_ms ());
  *exit_status = status;
  ctx_release (&c);
  if (o->keep)
    return 0;
  return runtime_delete (ctx, id, true, err);
}
