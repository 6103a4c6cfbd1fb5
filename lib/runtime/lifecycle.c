/* lifecycle.c - state, kill, delete, list, ps, pause/resume, update, stats
 * and events of existing containers. */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "cgroup/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int
open_root (const struct runtime_context *ctx, const char *id, struct error **err)
{
  int fd = open (ctx->state_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT && id)
        return error_set (err, ENOENT, "container `%s` does not exist", id);
      return error_errno (err, errno, "open state root `%s`", ctx->state_root);
    }
  return fd;
}

static int
load (const struct runtime_context *ctx, const char *id, int *rootfd, struct container_state *st,
      struct error **err)
{
  *rootfd = open_root (ctx, id, err);
  if (*rootfd < 0)
    return *rootfd;
  int r = state_load (*rootfd, id, st, err);
  if (r < 0)
    {
      *rootfd = safe_close (*rootfd);
      return r;
    }
  return 0;
}

static struct cgroup *
open_cgroup (const struct container_state *st)
{
  struct cgroup *cg = NULL;
  _cleanup_error_ struct error *e = NULL;
  if (st->cgroup && cgroup_from_json (st->cgroup, &cg, &e) < 0)
    log_debug ("container `%s`: cgroup: %s", st->id, e->msg);
  return cg;
}

int
runtime_state (const struct runtime_context *ctx, const char *id, json_object **out,
               struct error **err)
{
  _cleanup_close_ int rootfd = -1;
  struct container_state st;
  int lr = load (ctx, id, &rootfd, &st, err);
  if (lr < 0)
    return lr;
  *out = state_to_json (&st, state_status (rootfd, &st));
  state_clear (&st);
  return 0;
}

int
runtime_kill (const struct runtime_context *ctx, const char *id, int sig, bool all,
              struct error **err)
{
  _cleanup_close_ int rootfd = -1;
  struct container_state st;
  int lr = load (ctx, id, &rootfd, &st, err);
  if (lr < 0)
    return lr;
  int ret = 0;
  enum container_status s = state_status (rootfd, &st);
  struct cgroup *cg = open_cgroup (&st);
  if (s == STATUS_STOPPED && !all)
    {
      ret = error_set (err, ESRCH, "container `%s` is not running", id);
      goto out;
    }
  if (all && cg)
    {
      ret = cgroup_kill (cg, sig, err);
    }
  else
    {
      _cleanup_close_ int pidfd = pidfd_open_checked (st.pid, st.start_time);
      if (pidfd < 0 || syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        ret = error_errno (err, pidfd < 0 ? -pidfd : errno, "kill container `%s`", id);
    }
  /* a frozen task only dies once thawed */
  if (ret == 0 && s == STATUS_PAUSED && sig == SIGKILL && cg)
    {
      _cleanup_error_ struct error *e = NULL;
      cgroup_freeze (cg, false, &e);
    }
out:
  if (cg)
    cgroup_free (cg);
  state_clear (&st);
  return ret;
}

static void
wait_pidfd (int pidfd, int ms)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  while (poll (&p, 1, ms) < 0 && errno == EINTR)
    ;
}

int
runtime_delete (const struct runtime_context *ctx, const char *id, bool force,
                struct error **err)
{
  _cleanup_close_ int rootfd = -1;
  struct container_state st;
  int lr = load (ctx, id, &rootfd, &st, err);
  if (lr < 0)
    {
      if (force && (*err)->code == ENOENT)
        {
          error_free (*err), *err = NULL;
          return 0;
        }
      if (force && (*err)->code == EBUSY && rootfd < 0)
        {
          /* a create that died before writing state: remove its dir */
          _cleanup_close_ int r = open (ctx->state_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
          error_free (*err), *err = NULL;
          if (r >= 0)
            fs_rm_rf_at (r, id, err);
          return 0;
        }
      return lr;
    }
  _cleanup_close_ int lockfd = state_lock (rootfd, id, err);
  if (lockfd < 0)
    {
      state_clear (&st);
      return lockfd;
    }
  int ret = 0;
  struct cgroup *cg = open_cgroup (&st);
  enum container_status s = state_status (rootfd, &st);
  /* runtime-spec: deleting a container that is not stopped MUST fail and
   * leave it as it is; a created one too (runc and crun kill it) */
  if (s != STATUS_STOPPED && !force)
    {
      ret = error_set (err, EBUSY, "container `%s` is %s, not stopped: kill it first or use --force",
                       id, status_name (s));
      goto out;
    }
  if (s != STATUS_STOPPED)
    {
      _cleanup_close_ int pidfd = pidfd_open_checked (st.pid, st.start_time);
      if (cg)
        {
          _cleanup_error_ struct error *e = NULL;
          cgroup_kill (cg, SIGKILL, &e);
          if (s == STATUS_PAUSED)
            cgroup_freeze (cg, false, &e);
        }
      if (pidfd >= 0)
        {
          syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
          wait_pidfd (pidfd, 10000);
        }
    }
  if (cg)
    {
      /* without a pid namespace, processes may outlive the init */
      /* with a pid namespace every process died with the init; without
       * one, processes may outlive it and are killed here */
      _cleanup_error_ struct error *e = NULL;
      if (cgroup_destroy (cg, !st.has_pidns || s != STATUS_STOPPED, &e) < 0)
        log_warn ("container `%s`: remove cgroup: %s", id, e->msg);
    }
  /* poststop hooks: the config is parsed again only when it has hooks */
  json_object *hooks_json = NULL;
  if (json_object_object_get_ex (st.config, "hooks", &hooks_json))
    {
      struct oci_config *cfg = NULL;
      _cleanup_error_ struct error *e = NULL;
      const char *text = jsonx_compact (st.config);
      if (oci_config_parse (text, strlen (text), &cfg, &e) == 0)
        {
          if (cfg->hooks.n[OCI_HOOK_POSTSTOP])
            {
              _cleanup_free_ char *sj
                  = state_hook_json (id, st.pid, st.bundle, cfg->json, "stopped");
              hooks_run_warn (cfg->hooks.list[OCI_HOOK_POSTSTOP], cfg->hooks.n[OCI_HOOK_POSTSTOP],
                              sj, "poststop", st.bundle);
            }
          oci_config_free (cfg);
        }
    }
  log_debug ("delete: cgroup removed: %.3f ms", log_elapsed_ms ());
  ret = fs_rm_rf_at (rootfd, id, err);
out:
  if (cg)
    cgroup_free (cg);
  state_clear (&st);
  return ret;
}

/* The user name of uid from /etc/passwd (read directly: hullrt is static,
 * NSS is not available), else the number. */
static void
owner_name (uid_t uid, char *out, size_t len)
{
  snprintf (out, len, "%u", (unsigned) uid);
  _cleanup_fclose_ FILE *f = fopen ("/etc/passwd", "re");
  if (f == NULL)
    return;
  struct passwd pw, *res = NULL;
  char buf[4096];
  while (fgetpwent_r (f, &pw, buf, sizeof buf, &res) == 0 && res)
    if (pw.pw_uid == uid)
      {
        snprintf (out, len, "%s", pw.pw_name);
        return;
      }
}

int
runtime_list (const struct runtime_context *ctx, json_object **out, struct error **err)
{
  *out = json_object_new_array ();
  int rootfd = open (ctx->state_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return error_errno (err, errno, "open state root `%s`", ctx->state_root);
    }
  DIR *d = fdopendir (rootfd);
  if (d == NULL)
    {
      close (rootfd);
      return error_errno (err, errno, "read state root");
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.' || de->d_type != DT_DIR || strchr (de->d_name, '~'))
        continue;
      struct container_state st;
      _cleanup_error_ struct error *e = NULL;
      if (state_load (dirfd (d), de->d_name, &st, &e) < 0)
        continue;
      json_object *o = state_to_json (&st, state_status (dirfd (d), &st));
      /* runc lists the owner's user name (state says "") */
      char name[256];
      owner_name (st.owner, name, sizeof name);
      json_object_object_add (o, "owner", json_object_new_string (name));
      json_object_array_add (*out, o);
      state_clear (&st);
    }
  closedir (d);
  return 0;
}

int
runtime_pids (const struct runtime_context *ctx, const char *id, pid_t **out, size_t *n,
              struct error **err)
{
  _cleanup_close_ int rootfd = -1;
  struct container_state st;
  *out = NULL;
  *n = 0;
  int lr = load (ctx, id, &rootfd, &st, err);
  if (lr < 0)
    return lr;
  int ret = 0;
  struct cgroup *cg = open_cgroup (&st);
  if (cg)
    ret = cgroup_pids (cg, out, n, err);
  else if (state_init_alive (&st))
    {
      *out = malloc (sizeof (pid_t));
      (*out)[0] = st.pid;
      *n = 1;
    }
  if (cg)
    cgroup_free (cg);
  state_clear (&st);
  return ret;
}

static int
freeze (const struct runtime_context *ctx, const char *id, bool on, struct error **err)
{
  _cleanup_close_ int rootfd = -1;
  struct container_state st;
  int lr = load (ctx, id, &rootfd, &st, err);
  if (lr < 0)
    return lr;
  int ret = 0;
  enum container_status s = state_status (rootfd, &st);
  struct cgroup *cg = open_cgroup (&st);
  if (cg == NULL)
    ret = error_set (err, ENOTSUP, "container `%s` has no cgroup to freeze", id);
  else if (on && s != STATUS_RUNNING)
    ret = error_set (err, EINVAL, "container `%s` is %s, not running", id, status_name (s));
  else if (!on && s != STATUS_PAUSED)
    ret = error_set (err, EINVAL, "container `%s` is %s, not paused", id, status_name (s));
  else
    ret = cgroup_freeze (cg, on, err);
  if (cg)
    cgroup_free (cg);
  state_clear (&st);
  return ret;
}

int
runtime_pause (const struct runtime_context *ctx, const char *id, struct error **err)
{
  return freeze (ctx, id, true, err);
}

int
runtime_resume (const struct runtime_context *ctx, const char *id, struct error **err)
{
  return freeze (ctx, id, false, err);
}

int
runtime_update (const struct runtime_context *ctx, const char *id,
                const struct oci_resources *res, json_object *res_json, struct error **err)
{
  _cleanup_close_ int rootfd = -1;
  struct container_state st;
  int lr = load (ctx, id, &rootfd, &st, err);
  if (lr < 0)
    return lr;
  _cleanup_close_ int lockfd = state_lock (rootfd, id, err);
  int ret = lockfd < 0 ? lockfd : 0;
  struct cgroup *cg = ret == 0 ? open_cgroup (&st) : NULL;
  if (ret == 0 && state_status (rootfd, &st) == STATUS_STOPPED)
    ret = error_set (err, EINVAL, "container `%s` is not running", id);
  else if (ret == 0 && cg == NULL)
    ret = error_set (err, ENOTSUP, "container `%s` has no cgroup", id);
  else if (ret == 0)
    ret = cgroup_update (cg, res, err);
  if (ret == 0 && res_json)
    {
      /* keep the stored config in step: linux.resources merged key by key */
      json_object *lx = NULL, *cur = NULL;
      if (!json_object_object_get_ex (st.config, "linux", &lx))
        {
          lx = json_object_new_object ();
          json_object_object_add (st.config, "linux", lx);
        }
      if (!json_object_object_get_ex (lx, "resources", &cur))
        {
          cur = json_object_new_object ();
          json_object_object_add (lx, "resources", cur);
        }
      json_object_object_foreach (res_json, k, v)
        json_object_object_add (cur, k, json_object_get (v));
      if (cg)
        {
          if (st.cgroup)
            json_object_put (st.cgroup);
          st.cgroup = cgroup_to_json (cg);
        }
      ret = state_save (rootfd, &st, err);
    }
  if (cg)
    cgroup_free (cg);
  state_clear (&st);
  return ret;
}

static json_object *
stats_event (const char *id, const struct cgroup_stats *s)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "type", json_object_new_string ("stats"));
  json_object_object_add (o, "id", json_object_new_string (id));
  json_object_object_add (o, "data", cgroup_stats_to_json (s));
  return o;
}

int
runtime_stats (const struct runtime_context *ctx, const char *id, json_object **out,
               struct error **err)
{
  _cleanup_close_ int rootfd = -1;
  struct container_state st;
  int lr = load (ctx, id, &rootfd, &st, err);
  if (lr < 0)
    return lr;
  int ret = 0;
  struct cgroup *cg = open_cgroup (&st);
  if (state_status (rootfd, &st) == STATUS_STOPPED)
    ret = error_set (err, EINVAL, "container `%s` is not running", id);
  else if (cg == NULL)
    ret = error_set (err, ENOTSUP, "container `%s` has no cgroup", id);
  else
    {
      struct cgroup_stats s;
      memset (&s, 0, sizeof s);
      ret = cgroup_stats (cg, &s, err);
      if (ret == 0)
        *out = stats_event (id, &s);
    }
  if (cg)
    cgroup_free (cg);
  state_clear (&st);
  return ret;
}

int
runtime_events (const struct runtime_context *ctx, const char *id, int interval_ms, int out_fd,
                struct error **err)
{
  _cleanup_close_ int rootfd = -1;
  struct container_state st;
  int lr = load (ctx, id, &rootfd, &st, err);
  if (lr < 0)
    return lr;
  int ret = 0;
  struct cgroup *cg = open_cgroup (&st);
  _cleanup_close_ int pidfd = pidfd_open_checked (st.pid, st.start_time);
  _cleanup_error_ struct error *e = NULL;
  _cleanup_close_ int oomfd = -1;
  if (cg == NULL || pidfd < 0)
    {
      ret = error_set (err, ESRCH, "container `%s` is not running", id);
      goto out;
    }
  oomfd = cgroup_oom_fd (cg, &e);
  uint64_t last_kills = 0, last_ooms = 0;
  {
    struct cgroup_stats s0;
    memset (&s0, 0, sizeof s0);
    if (cgroup_stats (cg, &s0, &e) == 0)
      last_kills = s0.oom_kill_events, last_ooms = s0.oom_events;
  }
  for (;;)
    {
      struct cgroup_stats s;
      memset (&s, 0, sizeof s);
      if (cgroup_stats (cg, &s, &e) == 0)
        {
          _cleanup_json_ json_object *ev = stats_event (id, &s);
          dprintf (out_fd, "%s\n", jsonx_compact (ev));
        }
      struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN },
                             { .fd = oomfd, .events = POLLIN | POLLPRI } };
      int r = poll (p, oomfd >= 0 ? 2 : 1, interval_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r > 0 && (p[1].revents & (POLLIN | POLLPRI)))
        {
          char buf[4096];
          if (read (oomfd, buf, sizeof buf) < 0)
            {
            }
          /* the fd also fires for events that are not kills (v2 memory.events
           * changes on every "max"): report only a grown kill count */
          struct cgroup_stats now;
          memset (&now, 0, sizeof now);
          bool kill = true;
          enum cgroup_mode mode = CGROUP_MODE_V1;
          cgroup_mode (&mode, &e);
          if (mode == CGROUP_MODE_V2 && cgroup_stats (cg, &now, &e) == 0)
            {
              kill = now.oom_kill_events > last_kills || now.oom_events > last_ooms;
              last_kills = now.oom_kill_events;
              last_ooms = now.oom_events;
            }
          if (kill)
            dprintf (out_fd, "{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
        }
      if (r > 0 && (p[0].revents & POLLIN))
        break;
    }
out:
  if (cg)
    cgroup_free (cg);
  state_clear (&st);
  return ret;
}
