/* checkpoint.c - `checkpoint` and `restore` through CRIU, with runc's
 * command line.
 *
 * hullrt does not speak CRIU's RPC: it runs the `criu` binary (`--criu
 * PATH`, else the first `criu` in PATH) with the options runc gives it, and
 * reports a failure with the first error line of CRIU's log (the cause) and
 * where the log is.  A failed dump leaves the container running (CRIU
 * resumes the tree); a dump without --leave-running ends the container, which is then deleted as
 * runc deletes it.  `restore` makes the state of a new container from the
 * bundle and the images; the restored tree reparents to us (we are its
 * subreaper while CRIU runs), so that `restore` without --detach waits for
 * it and returns its status as `run` does.
 *
 * Where CRIU cannot work at all (not installed; or, as on kernels whose vDSO
 * layout it does not know, "Unexpected rt vDSO area bounds") both commands
 * fail with one line naming the cause and change nothing. */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strv.h"
#include "cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The criu binary: an explicit path, or a PATH lookup of `criu`. */
static int
find_criu (const char *want, char **out, struct error **err)
{
  const char *name = want && *want ? want : "criu";
  if (strchr (name, '/'))
    {
      if (access (name, X_OK) < 0)
        return error_errno (err, errno, "CRIU not found at `%s` (--criu)", name);
      *out = strdup (name);
      return *out ? 0 : error_set (err, ENOMEM, "out of memory");
    }
  const char *path = getenv ("PATH");
  _cleanup_free_ char *copy = strdup (path && *path ? path
                                                    : "/usr/local/sbin:/usr/local/bin:"
                                                      "/usr/sbin:/usr/bin:/sbin:/bin");
  if (copy == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char *save = NULL;
  for (char *d = strtok_r (copy, ":", &save); d; d = strtok_r (NULL, ":", &save))
    {
      _cleanup_free_ char *c = fs_path_join (d, name);
      if (c && access (c, X_OK) == 0)
        {
          *out = TAKE_PTR (c);
          return 0;
        }
    }
  return error_set (err, ENOENT,
                    "CRIU (`%s`) is not installed: checkpoint and restore need it "
                    "(install criu, or name it with --criu PATH)",
                    name);
}

/* The first "Error" line of a CRIU log (malloc'd), or NULL: CRIU logs the
 * cause first ("vdso: Unexpected rt vDSO area bounds"), then what it could
 * not do because of it. */
static char *
first_error_line (const char *log)
{
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (log, 8u << 20, &text, NULL, NULL) < 0)
    return NULL;
  char *save = NULL;
  for (char *l = strtok_r (text, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    if (strstr (l, "Error"))
      return strdup (l);
  return NULL;
}

/* Run criu ARGV; 0 when it exited 0, else an error with its log's last
 * error line. */
static int
run_criu (char **argv, const char *what, const char *log, struct error **err)
{
  pid_t pid = fork ();
  if (pid < 0)
    return error_errno (err, errno, "%s: fork", what);
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (null >= 0)
        dup2 (null, 0);
      execve (argv[0], argv, environ);
      dprintf (2, "hullrt: exec `%s`: %s\n", argv[0], strerror (errno));
      _exit (127);
    }
  int st = 0;
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      return error_errno (err, errno, "%s: wait for criu", what);
  if (WIFEXITED (st) && WEXITSTATUS (st) == 0)
    return 0;
  _cleanup_free_ char *line = first_error_line (log);
  return error_set (err, EIO, "%s: criu failed (%s %d)%s%s (log: `%s`)", what,
                    WIFEXITED (st) ? "exit status" : "signal",
                    WIFEXITED (st) ? WEXITSTATUS (st) : WTERMSIG (st), line ? ": " : "",
                    line ? line : "", log);
}

static int
add (char ***argv, const char *a)
{
  return strv_push (argv, a) < 0 ? -ENOMEM : 0;
}

/* "--external" "mnt[DEST]:KEY": a mount CRIU leaves to us */
static int
add_external (char ***argv, const char *dest, const char *key)
{
  _cleanup_free_ char *s = NULL;
  if (asprintf (&s, "mnt[%s]:%s", dest, key) < 0)
    return -ENOMEM;
  return add (argv, "--external") | add (argv, s);
}

/* Options both directions share; mounts CRIU must treat as external (binds
 * and the masked paths, whose sources are outside the container). */
static int
common_args (char ***argv, const struct runtime_criu_options *o, const struct oci_config *cfg,
             const char *rootfs, bool restore)
{
  int r = 0;
  if (o->tcp_established)
    r |= add (argv, "--tcp-established");
  if (o->ext_unix_sk)
    r |= add (argv, "--ext-unix-sk");
  if (o->shell_job)
    r |= add (argv, "--shell-job");
  if (o->file_locks)
    r |= add (argv, "--file-locks");
  if (o->manage_cgroups_mode && *o->manage_cgroups_mode)
    {
      /* an optional argument for criu: only in the `=` form */
      _cleanup_free_ char *m = NULL;
      if (asprintf (&m, "--manage-cgroups=%s", o->manage_cgroups_mode) < 0)
        return -ENOMEM;
      r |= add (argv, m);
    }
  else
    r |= add (argv, "--manage-cgroups");
  r |= add (argv, "--root");
  r |= add (argv, rootfs);
  for (size_t i = 0; cfg && i < cfg->n_mounts; i++)
    {
      const struct oci_mount *m = &cfg->mounts[i];
      bool bind = (m->type && strcmp (m->type, "bind") == 0) || (m->flags & MS_BIND);
      if (!bind || m->source == NULL)
        continue;
      r |= add_external (argv, m->destination, restore ? m->source : m->destination);
    }
  for (char **p = cfg ? cfg->linux_.masked_paths : NULL; p && *p; p++)
    {
      r |= add_external (argv, *p, restore ? "/dev/null" : *p);
    }
  return r < 0 ? -ENOMEM : 0;
}

static char *
dir_or (const char *p, const char *dflt)
{
  if (p && *p)
    return realpath (p, NULL) ?: strdup (p);
  char cwd[4096];
  if (getcwd (cwd, sizeof cwd) == NULL)
    return NULL;
  return fs_path_join (cwd, dflt);
}

int
runtime_checkpoint (const struct runtime_context *ctx, const char *id,
                    const struct runtime_criu_options *o, struct error **err)
{
  _cleanup_free_ char *criu = NULL;
  int r = find_criu (o->criu, &criu, err);
  if (r < 0)
    return error_prefix (err, "checkpoint `%s`", id);
  _cleanup_close_ int rootfd = state_root_open (ctx->state_root, false, err);
  if (rootfd < 0)
    return rootfd;
  struct container_state st;
  r = state_load (rootfd, id, &st, err);
  if (r < 0)
    return r;
  struct oci_config *cfg = NULL;
  _cleanup_strv_ char **argv = NULL;
  _cleanup_free_ char *img = dir_or (o->image_path, "checkpoint");
  _cleanup_free_ char *work = NULL, *log = NULL;
  char pid[24];
  enum container_status s = state_status (rootfd, &st);
  if (s != STATUS_RUNNING && s != STATUS_PAUSED)
    {
      r = error_set (err, EINVAL, "checkpoint `%s`: the container is %s, not running", id,
                     status_name (s));
      goto out;
    }
  const char *text = jsonx_compact (st.config);
  r = oci_config_parse (text, strlen (text), &cfg, err);
  if (r < 0)
    goto out;
  if (img == NULL || fs_mkdir_p (AT_FDCWD, img, 0700, err) < 0)
    {
      r = img ? err_code (err) : error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  work = o->work_path && *o->work_path ? dir_or (o->work_path, NULL) : strdup (img);
  if (work == NULL || fs_mkdir_p (AT_FDCWD, work, 0700, err) < 0)
    {
      r = work ? err_code (err) : error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  log = fs_path_join (work, o->pre_dump ? "predump.log" : "dump.log");
  snprintf (pid, sizeof pid, "%d", (int)st.pid);
  r = 0;
  r |= add (&argv, criu);
  r |= add (&argv, o->pre_dump ? "pre-dump" : "dump");
  r |= add (&argv, "--tree");
  r |= add (&argv, pid);
  r |= add (&argv, "--images-dir");
  r |= add (&argv, img);
  r |= add (&argv, "--work-dir");
  r |= add (&argv, work);
  r |= add (&argv, "--log-file");
  r |= add (&argv, log);
  r |= add (&argv, "-v4");
  if (o->leave_running && !o->pre_dump)
    r |= add (&argv, "--leave-running");
  if (o->parent_path && *o->parent_path)
    {
      r |= add (&argv, "--prev-images-dir");
      r |= add (&argv, o->parent_path);
    }
  r |= common_args (&argv, o, cfg, st.rootfs, false);
  if (r < 0)
    {
      r = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  log_debug ("checkpoint: %s", criu);
  r = run_criu (argv, "checkpoint", log, err);
  if (r < 0)
    {
      error_prefix (err, "container `%s`", id);
      goto out;
    }
  /* the bundle's config goes with the images, for restore elsewhere */
  {
    _cleanup_free_ char *cfgpath = fs_path_join (img, "config.json");
    const char *cj = jsonx_compact (st.config);
    if (cfgpath)
      fs_write_file_atomic (AT_FDCWD, cfgpath, cj, strlen (cj), 0600, NULL);
  }
  if (!o->leave_running && !o->pre_dump)
    {
      /* CRIU ended the tree: the container is gone, as with runc */
      r = runtime_delete (ctx, id, true, err);
    }
out:
  if (cfg)
    oci_config_free (cfg);
  state_clear (&st);
  return r;
}

int
runtime_restore (const struct runtime_context *ctx, const char *id,
                 const struct runtime_criu_options *o, const char *bundle_in, bool detach,
                 const char *pid_file, int *exit_status, struct error **err)
{
  *exit_status = 0;
  _cleanup_free_ char *criu = NULL;
  int r = find_criu (o->criu, &criu, err);
  if (r < 0)
    return error_prefix (err, "restore `%s`", id);
  r = id_validate (id, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *bundle = realpath (bundle_in && *bundle_in ? bundle_in : ".", NULL);
  if (bundle == NULL)
    return error_errno (err, errno, "bundle `%s`", bundle_in ? bundle_in : ".");
  struct oci_config *cfg = NULL;
  r = oci_config_load (bundle, &cfg, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *rootfs = NULL, *img = dir_or (o->image_path, "checkpoint");
  _cleanup_free_ char *work = NULL, *log = NULL, *pidpath = NULL;
  _cleanup_strv_ char **argv = NULL;
  _cleanup_close_ int rootfd = -1;
  bool claimed = false;
  {
    _cleanup_free_ char *rp
        = cfg->root_path && cfg->root_path[0] == '/'
              ? strdup (cfg->root_path)
              : fs_path_join (bundle, cfg->root_path ? cfg->root_path : "rootfs");
    rootfs = rp ? realpath (rp, NULL) : NULL;
  }
  if (rootfs == NULL)
    {
      r = error_errno (err, errno ? errno : ENOENT, "restore `%s`: rootfs", id);
      goto out;
    }
  if (img == NULL || access (img, R_OK | X_OK) < 0)
    {
      r = error_errno (err, img ? errno : ENOMEM, "restore `%s`: image path `%s`", id,
                       img ? img : "");
      goto out;
    }
  work = o->work_path && *o->work_path ? dir_or (o->work_path, NULL) : strdup (img);
  log = work ? fs_path_join (work, "restore.log") : NULL;
  pidpath = work ? fs_path_join (work, "restore.pid") : NULL;
  if (log == NULL || pidpath == NULL)
    {
      r = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  rootfd = state_root_open (ctx->state_root, true, err);
  if (rootfd < 0)
    {
      r = rootfd;
      goto out;
    }
  /* the id is claimed by making its state directory, as create does */
  if (mkdirat (rootfd, id, 0700) < 0)
    {
      r = errno == EEXIST ? error_set (err, EEXIST, "container `%s` already exists", id)
                          : error_errno (err, errno, "create state of `%s`", id);
      goto out;
    }
  claimed = true;
  unlink (pidpath);
  r = 0;
  r |= add (&argv, criu);
  r |= add (&argv, "restore");
  r |= add (&argv, "--images-dir");
  r |= add (&argv, img);
  r |= add (&argv, "--work-dir");
  r |= add (&argv, work);
  r |= add (&argv, "--log-file");
  r |= add (&argv, log);
  r |= add (&argv, "-v4");
  r |= add (&argv, "--restore-detached");
  r |= add (&argv, "--pidfile");
  r |= add (&argv, pidpath);
  r |= common_args (&argv, o, cfg, rootfs, true);
  if (r < 0)
    {
      r = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  /* the restored tree reparents to us, not to the host's init, when CRIU
   * exits; then the caller's setting comes back (a library caller must not
   * stay a subreaper) */
  int was_subreaper = 0;
  prctl (PR_GET_CHILD_SUBREAPER, &was_subreaper);
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  r = run_criu (argv, "restore", log, err);
  prctl (PR_SET_CHILD_SUBREAPER, was_subreaper);
  if (r < 0)
    {
      error_prefix (err, "container `%s`", id);
      goto out;
    }
  {
    _cleanup_free_ char *ptext = NULL;
    r = fs_read_file (pidpath, 64, &ptext, NULL, err);
    pid_t pid = r == 0 ? (pid_t)strtol (ptext, NULL, 10) : 0;
    if (pid <= 0)
      {
        r = r < 0 ? r : error_set (err, EIO, "restore `%s`: criu wrote no pid", id);
        goto out;
      }
    struct cgroup *cg = NULL;
    _cleanup_error_ struct error *ce = NULL;
    if (cgroup_from_pid (pid, &cg, &ce) < 0)
      log_debug ("restore: cgroup: %s", ce->msg);
    char created[64];
    struct timespec ts;
    struct tm tm;
    clock_gettime (CLOCK_REALTIME, &ts);
    gmtime_r (&ts.tv_sec, &tm);
    size_t n = strftime (created, sizeof created, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (created + n, sizeof created - n, ".%09ldZ", ts.tv_nsec);
    struct container_state st = {
      .id = (char *)id,
      .pid = pid,
      .start_time = proc_start_time (pid),
      .bundle = bundle,
      .rootfs = rootfs,
      .created = created,
      .owner = geteuid (),
      .config = cfg->json,
      .cgroup = cg ? cgroup_to_json (cg) : NULL,
      .has_pidns = cfg->linux_.ns[OCI_NS_PID].present,
    };
    r = state_save (rootfd, &st, err);
    if (st.cgroup)
      json_object_put (st.cgroup);
    if (cg)
      cgroup_free (cg);
    if (r < 0)
      {
        kill (pid, SIGKILL);
        goto out;
      }
    claimed = false;
    if (pid_file)
      {
        char buf[24];
        int len = snprintf (buf, sizeof buf, "%d", (int)pid);
        if (fs_write_file_atomic (AT_FDCWD, pid_file, buf, (size_t)len, 0644, err) < 0)
          {
            r = err_code (err);
            goto out;
          }
      }
    if (!detach)
      {
        int ws = 0;
        while (waitpid (pid, &ws, 0) < 0)
          if (errno != EINTR)
            break;
        *exit_status = exit_status_of (ws);
        r = runtime_delete (ctx, id, true, err);
      }
  }
out:
  if (claimed && rootfd >= 0)
    {
      _cleanup_error_ struct error *e = NULL;
      fs_rm_rf_at (rootfd, id, &e);
    }
  oci_config_free (cfg);
  return r;
}
