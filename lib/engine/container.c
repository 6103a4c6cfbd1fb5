/* container.c - the lifecycle: create, start, stop, kill, remove, pause,
 * and reconciliation (what a killed monitor, a killed CLI or a reboot
 * leaves behind is repaired by the next call that looks at the container).
 *
 * Locking: RUNROOT/containers/<id>/monitor.lock is flock'ed by whoever is
 * starting the container, then by its monitor until it exits.  A hull that
 * can take the lock knows that no monitor lives; it keeps the lock while it
 * repairs, so a concurrent start waits.  State changes in the database are
 * conditional (edb_save_state only_if), so two hull processes never undo
 * each other's transition.
 */
#include "engine/internal.h"
#include "engine/build.h"
#include "monitor/monitor.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strv.h"
#include "image/images.h"
#include "image/manifest.h"
#include "image/snapshot.h"
#include "image/transfer.h"
#include "image/store.h"
#include "seccomp/profile.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

/* ------------------------------------------------------------ extensions */

const struct engine_ext *engine_exts[8];
size_t engine_n_exts;

int
engine_register_ext (const struct engine_ext *x)
{
  for (size_t i = 0; i < engine_n_exts; i++)
    if (engine_exts[i] == x)
      return 0;
  if (engine_n_exts >= ARRAY_SIZE (engine_exts))
    return -ENOSPC;
  engine_exts[engine_n_exts++] = x;
  return 0;
}

void
engine_ext_inspect (struct engine *e, const struct ctr_record *r, json_object *doc)
{
  for (size_t i = 0; i < engine_n_exts; i++)
    if (engine_exts[i]->inspect)
      engine_exts[i]->inspect (e, r, doc);
}

const struct engine_ext *
engine_ext_for_network (const char *mode)
{
  for (size_t i = 0; i < engine_n_exts; i++)
    for (size_t j = 0; engine_exts[i]->network_modes && engine_exts[i]->network_modes[j]; j++)
      if (strcmp (engine_exts[i]->network_modes[j], mode) == 0
          || strcmp (engine_exts[i]->network_modes[j], "*") == 0)
        return engine_exts[i];
  return NULL;
}

const struct engine_ext *
engine_ext_for_mount (const char *type)
{
  for (size_t i = 0; i < engine_n_exts; i++)
    for (size_t j = 0; engine_exts[i]->mount_types && engine_exts[i]->mount_types[j]; j++)
      if (strcmp (engine_exts[i]->mount_types[j], type) == 0)
        return engine_exts[i];
  return NULL;
}

/* ------------------------------------------------------------ open */

static int
in_use_hook (struct image_store *s, const char *id, void *data, struct error **err)
{
  struct engine *e = data;
  _cleanup_free_ char *c = edb_container_of_image (e, id);
  if (c == NULL)
    return 0;
  error_set (err, EBUSY, "image `%.19s` is in use by container `%.12s` (remove the container "
                         "first)", id, c);
  return 1;
}

int
engine_open (const struct engine_paths *p, struct engine **out, struct error **err)
{
  struct engine *e = calloc (1, sizeof *e);
  if (e == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int r = image_store_open (p->root, p->runroot, &e->store, err);
  if (r < 0)
    {
      free (e);
      return r;
    }
  e->db = image_store_db (e->store);
  e->root = realpath (p->root, NULL);
  e->runroot = strdup (p->runroot);
  if (e->root == NULL || e->runroot == NULL)
    {
      engine_close (e);
      return error_errno (err, errno, "`%s`", p->root);
    }
  if (asprintf (&e->runtime_root, "%s/runtime", e->runroot) < 0)
    e->runtime_root = NULL;
  if (p->hull)
    e->hull_path = strdup (p->hull);
  else
    e->hull_path = realpath ("/proc/self/exe", NULL);
  e->rt.state_root = e->runtime_root;
  _cleanup_free_ char *cdir = NULL, *rdir = NULL;
  if (asprintf (&cdir, "%s/containers", e->root) < 0
      || asprintf (&rdir, "%s/containers", e->runroot) < 0 || e->runtime_root == NULL)
    {
      engine_close (e);
      return error_set (err, ENOMEM, "out of memory");
    }
  if ((r = edb_migrate (e, err)) < 0 || (r = fs_mkdir_p (AT_FDCWD, cdir, 0700, err)) < 0
      || (r = fs_mkdir_p (AT_FDCWD, rdir, 0700, err)) < 0
      || (r = fs_mkdir_p (AT_FDCWD, e->runtime_root, 0700, err)) < 0)
    {
      engine_close (e);
      return r;
    }
  image_store_set_in_use_hook (e->store, in_use_hook, e);
  *out = e;
  return 0;
}

void
engine_close (struct engine *e)
{
  if (e == NULL)
    return;
  if (e->store)
    image_store_close (e->store);
  free (e->root);
  free (e->runroot);
  free (e->runtime_root);
  free (e->hull_path);
  if (e->seccomp_default)
    json_object_put (e->seccomp_default);
  free (e);
}

struct image_store *
engine_store (struct engine *e)
{
  return e->store;
}
const char *
engine_root (struct engine *e)
{
  return e->root;
}
const char *
engine_runroot (struct engine *e)
{
  return e->runroot;
}
const char *
engine_runtime_root (struct engine *e)
{
  return e->runtime_root;
}

char *
engine_ctr_dir (struct engine *e, const char *id)
{
  char *p = NULL;
  return asprintf (&p, "%s/containers/%s", e->root, id) < 0 ? NULL : p;
}

char *
engine_ctr_rundir (struct engine *e, const char *id)
{
  char *p = NULL;
  return asprintf (&p, "%s/containers/%s", e->runroot, id) < 0 ? NULL : p;
}

int
ctr_rundir_open (struct engine *e, const char *id, bool create, struct error **err)
{
  _cleanup_free_ char *d = engine_ctr_rundir (e, id);
  if (d == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (create && mkdir (d, 0700) < 0 && errno != EEXIST)
    return error_errno (err, errno, "mkdir `%s`", d);
  int fd = open (d, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -errno;
  return fd;
}

int
ctr_dirs_remove (struct engine *e, const char *id)
{
  _cleanup_free_ char *a = engine_ctr_dir (e, id), *b = engine_ctr_rundir (e, id);
  _cleanup_error_ struct error *e1 = NULL, *e2 = NULL;
  int r = 0;
  if (a && fs_rm_rf_at (AT_FDCWD, a, &e1) < 0)
    r = -1;
  if (b && fs_rm_rf_at (AT_FDCWD, b, &e2) < 0)
    r = -1;
  return r;
}

/* ------------------------------------------------------------ the monitor's lock */

/* 1: we hold it (no monitor), 0: somebody does (alive); *fd gets the lock
 * when 1.  No lock file: 1 with *fd -1. */
static int
monitor_lock_try (struct engine *e, const char *id, int *fd)
{
  *fd = -1;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_close_ int dfd = ctr_rundir_open (e, id, false, &err);
  if (dfd < 0)
    return 1;
  int l = openat (dfd, MONITOR_LOCK, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (l < 0)
    return 1;
  if (flock (l, LOCK_EX | LOCK_NB) < 0)
    {
      close (l);
      return 0;
    }
  *fd = l;
  return 1;
}

/* Wait (up to ms) until the monitor is gone.  Polled: 1 ms at first (a
 * monitor that just sent the exit is gone within a few, and a foreground
 * run waits for that before it finishes the container), then 10 ms. */
static bool
monitor_wait_gone (struct engine *e, const char *id, int ms)
{
  for (int waited = 0, i = 0;; i++)
    {
      int fd;
      if (monitor_lock_try (e, id, &fd) == 1)
        {
          safe_close (fd);
          return true;
        }
      if (waited >= ms)
        return false;
      int step = i < 20 ? 1 : 10;
      struct timespec ts = { 0, step * 1000000L };
      nanosleep (&ts, NULL);
      waited += step;
    }
}

/* ------------------------------------------------------------ reconcile */

static bool
is_live_state (enum ctr_state s)
{
  return s == CTR_STARTING || s == CTR_RUNNING || s == CTR_PAUSED || s == CTR_RESTARTING;
}

/* The container's root is mounted in its run directory (a tmpfs, /run):
 * RUNROOT/containers/<id>/rootfs. */
char *
engine_ctr_rootfs (struct engine *e, const char *id)
{
  char *p = NULL;
  return asprintf (&p, "%s/containers/%s/rootfs", e->runroot, id) < 0 ? NULL : p;
}

static void
unmount_root (struct engine *e, const char *id)
{
  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *mp = engine_ctr_rootfs (e, id);
  if (mp && snapshot_unmount (e->store, id, mp, &err) < 0)
    log_debug ("unmount `%.12s`: %s", id, err->msg);
}

static void
ext_cleanup (struct engine *e, struct ctr_record *r)
{
  for (size_t i = 0; i < engine_n_exts; i++)
    if (engine_exts[i]->cleanup)
      {
        _cleanup_error_ struct error *err = NULL;
        if (engine_exts[i]->cleanup (e, r, &err) < 0)
          log_warn ("%s cleanup of `%.12s`: %s", engine_exts[i]->name, r->id, err->msg);
      }
}

static void
live_details (struct ctr_record *r, const struct monitor_state *st)
{
  if (strcmp (st->status, "exited") == 0)
    {
      /* the final exit, and the monitor (become the exit command) is
       * finishing the container: shown as it will be stored, and left to
       * it (see "Who finishes a container" in docs/design/engine.md) */
      r->state = CTR_EXITED;
      r->pid = 0;
      r->exit_code = st->exit_code;
      r->oom_killed = st->oom_killed;
      r->finished_at = st->finished_at;
      r->restart_count = st->restart_count;
      if (st->started_at)
        r->started_at = st->started_at;
      free (r->error);
      r->error = st->error ? strdup (st->error) : NULL;
      return;
    }
  if (strcmp (st->status, "restarting") == 0 && r->state != CTR_PAUSED)
    r->state = CTR_RESTARTING;
  else if (strcmp (st->status, "running") == 0 && r->state == CTR_RESTARTING)
    r->state = CTR_RUNNING;
  if (st->pid > 0)
    r->pid = st->pid;
  if (st->started_at)
    r->started_at = st->started_at;
  r->restart_count = st->restart_count;
  if (strcmp (st->status, "restarting") == 0)
    {
      r->exit_code = st->exit_code;
      r->finished_at = st->finished_at;
    }
  if (st->health.status[0])
    {
      free (r->health);
      r->health = strdup (st->health.status);
      r->health_failing_streak = st->health.failing_streak;
      for (size_t i = 0; i < r->n_health_log; i++)
        free (r->health_log[i].output);
      free (r->health_log);
      r->n_health_log = 0;
      r->health_log = calloc (st->health.n_log + 1, sizeof *r->health_log);
      for (size_t i = 0; r->health_log && i < st->health.n_log; i++)
        {
          r->health_log[i].start = st->health.log[i].start;
          r->health_log[i].end = st->health.log[i].end;
          r->health_log[i].exit_code = st->health.log[i].exit_code;
          r->health_log[i].output = st->health.log[i].output ? strdup (st->health.log[i].output)
                                                             : NULL;
          r->n_health_log++;
        }
    }
}

static int remove_record (struct engine *e, struct ctr_record *r, bool volumes,
                          bool monitor_gone, struct error **err);

/* lock_held: the caller holds monitor.lock (the exit command the monitor
 * became): the monitor is gone, and nobody else repairs the container
 * meanwhile. */
static int
reconcile (struct engine *e, struct ctr_record *r, bool lock_held, struct error **err)
{
  if (r->state == CTR_REMOVING)
    {
      /* a remove that was interrupted: finish it */
      return remove_record (e, r, false, false, err);
    }
  if (!is_live_state (r->state))
    {
      if (r->state == CTR_EXITED && r->spec && r->spec->auto_remove)
        {
          int fd = -1;
          if (lock_held || monitor_lock_try (e, r->id, &fd) == 1)
            {
              safe_close (fd);
              int ret = remove_record (e, r, true, false, err);
              return ret < 0 ? ret : -ENOENT;
            }
        }
      return 0;
    }
  _cleanup_close_ int lock = -1;
  _cleanup_close_ int dfd = -1;
  {
    _cleanup_error_ struct error *e2 = NULL;
    dfd = ctr_rundir_open (e, r->id, false, &e2);
  }
  if (!lock_held && monitor_lock_try (e, r->id, &lock) == 0)
    {
      /* alive: its state file has the live details */
      r->monitor_alive = true;
      struct monitor_state st;
      _cleanup_error_ struct error *e3 = NULL;
      if (dfd >= 0 && monitor_state_read (dfd, &st, &e3) == 0)
        {
          live_details (r, &st);
          monitor_state_clear (&st);
        }
      return 0;
    }
  /* No monitor: it finished (state file says how) or was killed, or the
   * host rebooted (run directory gone).  Whatever runs is killed: nobody
   * holds its stdio, nobody would see it exit. */
  struct monitor_state st;
  memset (&st, 0, sizeof st);
  _cleanup_error_ struct error *e4 = NULL;
  bool have = dfd >= 0 && monitor_state_read (dfd, &st, &e4) == 0
              && strcmp (st.status, "exited") == 0;
  {
    _cleanup_error_ struct error *e5 = NULL;
    if (runtime_kill (&e->rt, r->id, SIGKILL, true, &e5) < 0)
      log_debug ("reconcile kill `%.12s`: %s", r->id, e5->msg);
  }
  {
    _cleanup_error_ struct error *e6 = NULL;
    if (runtime_delete (&e->rt, r->id, true, &e6) < 0)
      log_debug ("reconcile delete `%.12s`: %s", r->id, e6->msg);
  }
  unmount_root (e, r->id);
  ext_cleanup (e, r);
  enum ctr_state was = r->state;
  r->state = CTR_EXITED;
  r->pid = 0;
  if (have)
    {
      r->exit_code = st.exit_code;
      r->oom_killed = st.oom_killed;
      r->finished_at = st.finished_at;
      r->restart_count = st.restart_count;
      if (st.started_at)
        r->started_at = st.started_at;
      free (r->error);
      r->error = st.error ? strdup (st.error) : NULL;
    }
  else
    {
      r->exit_code = 255;
      r->finished_at = now_ns ();
      free (r->error);
      r->error = strdup (was == CTR_STARTING && dfd >= 0 && !fs_exists_at (dfd, MONITOR_LOG)
                             ? "the command starting it was killed"
                             : "the container's monitor died");
    }
  monitor_state_clear (&st);
  int ret = edb_save_state (e, r,
                            STATE_BIT (CTR_STARTING) | STATE_BIT (CTR_RUNNING)
                                | STATE_BIT (CTR_PAUSED) | STATE_BIT (CTR_RESTARTING),
                            err);
  if (ret < 0)
    return ret;
  if (r->spec && r->spec->auto_remove)
    {
      ret = remove_record (e, r, true, false, err);
      return ret < 0 ? ret : -ENOENT;
    }
  return 0;
}

int
engine_reconcile (struct engine *e, struct ctr_record *r, struct error **err)
{
  return reconcile (e, r, false, err);
}

int
engine_lookup (struct engine *e, const char *ref, struct ctr_record **out, struct error **err)
{
  struct ctr_record *r = NULL;
  int ret = edb_find (e, ref, &r, err);
  if (ret < 0)
    return ret;
  ret = engine_reconcile (e, r, err);
  if (ret == -ENOENT)
    {
      ctr_record_free (r);
      return error_set (err, ENOENT, "no such container: `%s`", ref);
    }
  if (ret < 0)
    {
      ctr_record_free (r);
      return ret;
    }
  *out = r;
  return 0;
}

int
engine_list (struct engine *e, struct ctr_record ***out, struct error **err)
{
  struct ctr_record **l = NULL;
  int ret = edb_list (e, &l, err);
  if (ret < 0)
    return ret;
  size_t k = 0;
  for (size_t i = 0; l[i]; i++)
    {
      _cleanup_error_ struct error *e2 = NULL;
      int r = engine_reconcile (e, l[i], &e2);
      if (r == -ENOENT)
        {
          ctr_record_free (l[i]);
          continue;
        }
      if (r < 0)
        log_warn ("%s", e2->msg);
      l[k++] = l[i];
    }
  l[k] = NULL;
  *out = l;
  return 0;
}

/* ------------------------------------------------------------ create */

static int
validate (struct engine *e, struct ctr_spec *s, struct error **err)
{
  const char *mode = s->network ? s->network : "default";
  if (strcmp (mode, "none") && strcmp (mode, "host") && strcmp (mode, "default")
      && engine_ext_for_network (mode) == NULL)
    {
      if (strcmp (mode, "bridge") == 0 || strncmp (mode, "container:", 10) == 0)
        return error_set (err, ENOTSUP, "network mode `%s` is not supported yet (use none or "
                                        "host)", mode);
      return error_set (err, ENOENT, "network `%s` not found", mode);
    }
  if ((s->publish || s->publish_all) && engine_ext_for_network ("bridge") == NULL)
    return error_set (err, ENOTSUP, "publishing ports (-p, -P) is not supported yet");
  if ((s->publish || s->publish_all) && strcmp (mode, "host") == 0)
    return error_set (err, EINVAL, "published ports are discarded in host network mode: "
                                   "use one or the other");
  if (s->auto_remove && s->restart.policy != RESTART_NO)
    return error_set (err, EINVAL, "conflicting options: --restart and --rm");
  if (s->hostname && (strlen (s->hostname) > 64 || strchr (s->hostname, '/')))
    return error_set (err, EINVAL, "invalid hostname `%s`", s->hostname);
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      struct ctr_mount *m = &s->mounts[i];
      for (size_t j = 0; j < i; j++)
        if (strcmp (s->mounts[j].target, m->target) == 0)
          return error_set (err, EINVAL, "duplicate mount point `%s`", m->target);
      if (strcmp (m->type, "bind") == 0)
        {
          struct stat st;
          if (stat (m->source, &st) < 0)
            {
              if (errno != ENOENT || !m->create_source)
                return error_errno (err, errno, "bind source path `%s`", m->source);
              if (fs_mkdir_p (AT_FDCWD, m->source, 0755, err) < 0)
                return error_prefix (err, "bind source path");
            }
        }
      else if (strcmp (m->type, "tmpfs") != 0 && engine_ext_for_mount (m->type) == NULL)
        return error_set (err, ENOTSUP, "%s mounts (`%s`) are not supported yet: use a bind mount "
                                        "(-v /host/path:%s) or --tmpfs",
                          m->type, m->target, m->target);
    }
  (void) e;
  return 0;
}

static int
image_config_of (struct engine *e, const char *image_id, struct image_config **cfg,
                 struct error **err)
{
  int r = image_store_get_config (e->store, image_id, cfg, err);
  return r < 0 ? error_prefix (err, "image config") : 0;
}

void
engine_set_pull (struct engine *e, const char *policy, const struct transfer_progress *progress,
                 void (*notice) (const char *ref, void *data), void *data)
{
  e->pull_policy = policy;
  e->pull_progress = progress;
  e->pull_notice = notice;
  e->pull_data = data;
}

void
engine_set_pull_check (struct engine *e, image_pull_check_fn check, void *data)
{
  e->pull_check = check;
  e->pull_check_data = data;
}

static int
resolve_image (struct engine *e, const char *ref, struct image_info **img, struct error **err)
{
  const char *policy = e->pull_policy ? e->pull_policy : "missing";
  int r = -ENOENT;
  if (strcmp (policy, "always") != 0)
    {
      r = image_store_resolve (e->store, ref, img, err);
      if (r != -ENOENT || strcmp (policy, "never") == 0)
        return r;
      error_free (*err);
      *err = NULL;
    }
  if (e->pull_notice)
    e->pull_notice (ref, e->pull_data);
  struct image_pull_opts po = { .progress = e->pull_progress,
                                .check = e->pull_check,
                                .check_data = e->pull_check_data };
  _cleanup_free_ char *id = NULL, *name = NULL;
  r = image_pull (e->store, ref, &po, &id, &name, err);
  if (r < 0)
    return error_prefix (err, "image `%s` not found locally, and pulling it failed", ref);
  return image_store_get_image (e->store, id, img, err);
}

int
engine_create (struct engine *e, struct ctr_spec *spec, const char *name, bool entrypoint_set,
               char **out_id, struct error **err)
{
  if (name && !engine_name_valid (name))
    return error_set (err, EINVAL, "invalid container name `%s`: only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                                   "are allowed", name);
  int r = validate (e, spec, err);
  if (r < 0)
    return r;
  _cleanup_image_info_ struct image_info *img = NULL;
  r = resolve_image (e, spec->image, &img, err);
  if (r < 0)
    return r;
  _cleanup_image_config_ struct image_config *icfg = NULL;
  r = image_config_of (e, img->id, &icfg, err);
  if (r < 0)
    return r;
  r = ctr_spec_merge_image (spec, icfg, entrypoint_set, err);
  if (r < 0)
    return r;
  r = ctr_systemd_prepare (spec, err);
  if (r < 0)
    return r;
  if ((spec->entrypoint == NULL || spec->entrypoint[0] == NULL)
      && (spec->cmd == NULL || spec->cmd[0] == NULL))
    return error_set (err, EINVAL, "no command specified: the image `%s` has no Entrypoint or "
                                   "Cmd, give one", spec->image);
  free (spec->image_id);
  spec->image_id = strdup (img->id);

  struct ctr_record rec = {
    .image = spec->image,
    .image_id = img->id,
    .created = now_ns (),
    .state = CTR_CREATED,
    .spec = spec,
  };
  char id[65];
  _cleanup_free_ char *gen = NULL;
  for (int attempt = 0;; attempt++)
    {
      if (engine_new_id (id, err) < 0)
        return -EIO;
      rec.id = id;
      if (name == NULL)
        {
          free (gen);
          gen = engine_random_name ();
          if (gen && attempt >= 3)
            {
              /* crowded: a digit, as docker does */
              char *g2 = NULL;
              if (asprintf (&g2, "%s%d", gen, attempt) > 0)
                {
                  free (gen);
                  gen = g2;
                }
            }
        }
      rec.name = (char *) (name ? name : gen);
      if (rec.name == NULL)
        return error_set (err, ENOMEM, "out of memory");
      bool set_host = spec->hostname == NULL;
      if (set_host)
        spec->hostname = strndup (id, 12);
      for (size_t i = 0; i < engine_n_exts; i++)
        if (engine_exts[i]->create && engine_exts[i]->create (e, &rec, err) < 0)
          {
            if (set_host)
              {
                free (spec->hostname);
                spec->hostname = NULL;
              }
            /* what the extensions before it allocated, and their data */
            for (size_t j = 0; j < i; j++)
              if (engine_exts[j]->remove)
                {
                  _cleanup_error_ struct error *e2 = NULL;
                  engine_exts[j]->remove (e, &rec, true, &e2);
                }
            if (rec.ext)
              json_object_put (rec.ext);
            return error_prefix (err, "%s", engine_exts[i]->name);
          }
      r = edb_insert (e, &rec, err);
      if (r == 0)
        break;
      if (set_host)
        {
          free (spec->hostname);
          spec->hostname = NULL;
        }
      if (r != -EEXIST || name != NULL || attempt > 20)
        {
          for (size_t i = 0; i < engine_n_exts; i++)
            if (engine_exts[i]->remove)
              {
                _cleanup_error_ struct error *e2 = NULL;
                engine_exts[i]->remove (e, &rec, true, &e2);
              }
          if (rec.ext)
            json_object_put (rec.ext);
          return r;
        }
      error_free (*err);
      *err = NULL;
    }
  if (rec.ext)
    json_object_put (rec.ext);
  rec.ext = NULL;
  r = snapshot_create (e->store, id, img->id, err);
  _cleanup_free_ char *dir = engine_ctr_dir (e, id);
  if (r == 0 && (dir == NULL || mkdir (dir, 0700) < 0))
    r = error_errno (err, dir ? errno : ENOMEM, "mkdir `%s`", dir ? dir : "");
  if (r < 0)
    {
      _cleanup_error_ struct error *e2 = NULL;
      snapshot_remove (e->store, id, &e2);
      ctr_dirs_remove (e, id);
      struct error *e3 = NULL;
      edb_delete (e, id, &e3);
      error_free (e3);
      return r;
    }
  *out_id = strdup (id);
  return 0;
}

/* ------------------------------------------------------------ start */

static bool
root_mounted (const char *path)
{
  struct statfs sf;
  return statfs (path, &sf) == 0 && (unsigned long) sf.f_type == OVERLAYFS_SUPER_MAGIC;
}

int
engine_mount_root (struct engine *e, const struct ctr_record *r, char **path, struct error **err)
{
  _cleanup_free_ char *mp = engine_ctr_rootfs (e, r->id);
  if (mp == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (!root_mounted (mp))
    {
      _cleanup_close_ int dfd = ctr_rundir_open (e, r->id, true, err);
      if (dfd < 0)
        return dfd == -1 ? -1 : error_errno (err, -dfd, "run directory of `%.12s`", r->id);
      if (mkdirat (dfd, "rootfs", 0755) < 0 && errno != EEXIST)
        return error_errno (err, errno, "mkdir `%s`", mp);
      /* --rm: the upper directory dies with the container, never worth a
       * sync (unmounting a normal overlay syncs the whole host filesystem) */
      int ret = snapshot_mount_ex (e->store, r->id, mp,
                                   r->spec && r->spec->auto_remove ? SNAPSHOT_MOUNT_VOLATILE : 0,
                                   NULL, err);
      if (ret < 0)
        return ret;
    }
  *path = TAKE_PTR (mp);
  return 0;
}

static uint64_t
our_bounding_set (void)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/status", "re");
  char line[256];
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, "CapBnd:", 7) == 0)
      return strtoull (line + 7, NULL, 16);
  return ~0ULL;
}

static int
write_file (const char *dir, const char *name, const char *text, struct error **err)
{
  _cleanup_close_ int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return error_errno (err, errno, "open `%s`", dir);
  /* rebuilt at every start: no fsync */
  return fs_write_file_volatile (dfd, name, text, strlen (text), 0644, err);
}

static int
write_etc_files (struct engine *e, const struct ctr_record *r, struct build_ctx *b,
                 const char *dir, struct error **err)
{
  const struct ctr_spec *s = r->spec;
  bool host = s->network && strcmp (s->network, "host") == 0;
  _cleanup_free_ char *hosts = NULL, *resolv = NULL, *hostname = NULL;
  size_t len;
  if (host)
    {
      _cleanup_error_ struct error *e2 = NULL;
      if (fs_read_file ("/etc/hosts", 1 << 20, &hosts, &len, &e2) < 0)
        hosts = NULL;
    }
  if (hosts == NULL)
    hosts = strdup ("127.0.0.1\tlocalhost\n"
                    "::1\tlocalhost ip6-localhost ip6-loopback\n"
                    "fe00::0\tip6-localnet\n"
                    "ff00::0\tip6-mcastprefix\n"
                    "ff02::1\tip6-allnodes\n"
                    "ff02::2\tip6-allrouters\n");
  for (size_t i = 0; s->extra_hosts && s->extra_hosts[i]; i++)
    {
      const char *c = strchr (s->extra_hosts[i], ':');
      if (c == NULL)
        continue;
      char *n = NULL;
      if (asprintf (&n, "%s%s\t%.*s\n", hosts, c + 1, (int) (c - s->extra_hosts[i]),
                    s->extra_hosts[i])
          > 0)
        {
          free (hosts);
          hosts = n;
        }
    }
  for (size_t i = 0; b->hosts_extra && b->hosts_extra[i]; i++)
    {
      char *n = NULL;
      if (asprintf (&n, "%s%s\n", hosts, b->hosts_extra[i]) > 0)
        {
          free (hosts);
          hosts = n;
        }
    }

  /* resolv.conf: the host's, without loopback nameservers (unreachable
   * from a network namespace of its own), or what --dns says */
  _cleanup_free_ char *hostres = NULL;
  {
    _cleanup_error_ struct error *e2 = NULL;
    if (fs_read_file ("/etc/resolv.conf", 1 << 20, &hostres, &len, &e2) < 0)
      hostres = strdup ("");
  }
  resolv = strdup ("");
  char **servers = s->dns ? s->dns : b->dns_servers;
  char *save = NULL;
  for (char *line = strtok_r (hostres, "\n", &save); line && resolv;
       line = strtok_r (NULL, "\n", &save))
    {
      bool ns = strncmp (line, "nameserver", 10) == 0;
      if (ns && (servers || (!host && (strstr (line, " 127.") || strstr (line, " ::1")))))
        continue;
      if ((s->dns_search && strncmp (line, "search", 6) == 0)
          || (s->dns_options && strncmp (line, "options", 7) == 0))
        continue;
      char *n = NULL;
      if (asprintf (&n, "%s%s\n", resolv, line) > 0)
        free (resolv), resolv = n;
    }
  for (size_t i = 0; servers && servers[i] && resolv; i++)
    {
      char *n = NULL;
      if (asprintf (&n, "%snameserver %s\n", resolv, servers[i]) > 0)
        free (resolv), resolv = n;
    }
  if (s->dns_search && resolv)
    {
      char *n = NULL;
      if (asprintf (&n, "%ssearch", resolv) > 0)
        free (resolv), resolv = n;
      for (size_t i = 0; s->dns_search[i] && resolv; i++)
        if (asprintf (&n, "%s %s", resolv, s->dns_search[i]) > 0)
          free (resolv), resolv = n;
      if (resolv && asprintf (&n, "%s\n", resolv) > 0)
        free (resolv), resolv = n;
    }
  if (s->dns_options && resolv)
    {
      char *n = NULL;
      if (asprintf (&n, "%soptions", resolv) > 0)
        free (resolv), resolv = n;
      for (size_t i = 0; s->dns_options[i] && resolv; i++)
        if (asprintf (&n, "%s %s", resolv, s->dns_options[i]) > 0)
          free (resolv), resolv = n;
      if (resolv && asprintf (&n, "%s\n", resolv) > 0)
        free (resolv), resolv = n;
    }
  if (asprintf (&hostname, "%s\n", s->hostname ? s->hostname : "") < 0)
    hostname = NULL;
  if (hosts == NULL || resolv == NULL || hostname == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int ret;
  if ((ret = write_file (dir, "hosts", hosts, err)) < 0
      || (ret = write_file (dir, "resolv.conf", resolv, err)) < 0
      || (ret = write_file (dir, "hostname", hostname, err)) < 0)
    return ret;
  (void) e;
  return 0;
}

/* What the monitor is told at spawn (lib/monitor's START message); the
 * strings are the caller's and r's. */
static void
monitor_start_of (struct engine *e, const struct ctr_record *r, const char *dir,
                  const char *logdir, const char *rootfs, const char *cleanup,
                  const struct build_ctx *b, const struct engine_attach *a,
                  struct monitor_start *o)
{
  const struct ctr_spec *s = r->spec;
  *o = (struct monitor_start){
    .id = r->id,
    .runtime_root = e->runtime_root,
    .bundle = dir,
    .log_dir = logdir,
    .rootfs = rootfs,
    .root = e->root,
    .runroot = e->runroot,
    .cleanup = cleanup,
    .tty = s->tty,
    .open_stdin = s->open_stdin,
    .auto_remove = s->auto_remove,
    .loopback = b->loopback_up,
    /* the foreground run reads the exit and finishes the container itself */
    .caller_finishes = a && a->caller_finishes,
    /* extensions' resources (veths, leases) go when the container stops */
    .cleanup_on_exit = r->ext != NULL,
    .restart_policy = s->restart.policy,
    .restart_max = s->restart.max_retries,
    .restart_count = r->restart_count,
    .stop_signal = SIGTERM,
    .log_max_size = (int64_t) s->log_max_size,
    .log_max_file = s->log_max_file,
  };
  if (s->stop_signal)
    {
      int sig = SIGTERM;
      _cleanup_error_ struct error *e2 = NULL;
      if (ctr_parse_signal (s->stop_signal, &sig, &e2) == 0)
        o->stop_signal = sig;
    }
  if (a && a->rows)
    {
      o->rows = a->rows;
      o->cols = a->cols;
    }
  if (s->health.test)
    {
      o->health_test = s->health.test;
      o->health_interval = s->health.interval_ns;
      o->health_timeout = s->health.timeout_ns;
      o->health_start_period = s->health.start_period_ns;
      o->health_retries = s->health.retries;
    }
}

static int
lock_for_start (struct engine *e, const char *id, int *out, struct error **err)
{
  _cleanup_close_ int dfd = ctr_rundir_open (e, id, true, err);
  if (dfd < 0)
    return dfd == -1 ? -1 : error_errno (err, -dfd, "run directory of `%.12s`", id);
  int l = openat (dfd, MONITOR_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (l < 0)
    return error_errno (err, errno, "open the lock of `%.12s`", id);
  for (int i = 0; i < 500; i++)
    {
      if (flock (l, LOCK_EX | LOCK_NB) == 0)
        {
          *out = l;
          return 0;
        }
      struct timespec ts = { 0, 10000000 };
      nanosleep (&ts, NULL);
    }
  close (l);
  return error_set (err, EBUSY, "container `%.12s` is busy (another hull command is starting or "
                                "cleaning it up)", id);
}

int
engine_start (struct engine *e, const char *ref, const struct engine_attach *a, int *exit_code,
              struct error **err)
{
  *exit_code = 125;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  int ret = engine_lookup (e, ref, &r, err);
  if (ret < 0)
    return ret;
  if (is_live_state (r->state))
    {
      if (a && a->client_fd)
        return error_set (err, EINVAL, "container `%s` is already running", ref);
      *exit_code = 0;
      return 0; /* docker: starting a running container is a no-op */
    }
  _cleanup_close_ int lock = -1;
  if (lock_for_start (e, r->id, &lock, err) < 0)
    return -EBUSY;
  enum ctr_state prev = r->state;
  r->state = CTR_STARTING;
  ret = edb_save_state (e, r, STATE_BIT (CTR_CREATED) | STATE_BIT (CTR_EXITED) | STATE_BIT (CTR_DEAD),
                        err);
  if (ret < 0)
    return ret;
  if (ret == 0)
    return error_set (err, EBUSY, "container `%s` changed state meanwhile", ref);

  /* the bundle (config.json, the /etc files) is rebuilt at every start:
   * it lives in the run directory, on a tmpfs; only the log is kept in
   * ROOT/containers/<id> */
  _cleanup_free_ char *rootfs = NULL, *logdir = engine_ctr_dir (e, r->id),
                      *rundir = engine_ctr_rundir (e, r->id), *init = NULL, *hp = NULL,
                      *np = NULL, *rp = NULL;
  const char *dir = rundir;
  struct build_ctx b = {
    .id = r->id,
    .name = r->name,
    .spec = r->spec,
    .rootfd = -1,
    .cgroup_parent = ENGINE_CGROUP_PARENT,
  };
  _cleanup_json_ json_object *config = NULL;
  _cleanup_free_ char *monitor = NULL, *cleanup = NULL;
  pid_t pid = 0;
  ret = engine_mount_root (e, r, &rootfs, err);
  if (ret < 0)
    goto fail;
  b.rootfs = rootfs;
  b.rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (b.rootfd < 0)
    {
      ret = error_errno (err, errno, "open `%s`", rootfs);
      goto fail;
    }
  for (size_t i = 0; i < engine_n_exts; i++)
    if (engine_exts[i]->prestart && (ret = engine_exts[i]->prestart (e, r, &b, err)) < 0)
      {
        error_prefix (err, "%s", engine_exts[i]->name);
        goto fail;
      }
  if ((ret = write_etc_files (e, r, &b, dir, err)) < 0)
    goto fail;
  hp = fs_path_join (dir, "hosts");
  np = fs_path_join (dir, "hostname");
  rp = fs_path_join (dir, "resolv.conf");
  b.hosts_path = hp;
  b.hostname_path = np;
  b.resolv_path = rp;
  if (r->spec->init)
    b.init_path = init = engine_helper_path ("hull-init");
  if (!r->spec->privileged && (r->spec->seccomp == NULL || strcmp (r->spec->seccomp, "unconfined")))
    {
      if (e->seccomp_default == NULL && seccomp_profile_load_default (&e->seccomp_default, err) < 0)
        {
          ret = -ENOENT;
          goto fail;
        }
      b.seccomp_default = e->seccomp_default;
    }
  b.host_bounding = our_bounding_set ();
  if ((ret = engine_build_config (&b, &config, err)) < 0)
    goto fail;
  {
    const char *text = json_object_to_json_string_ext (config, JSON_C_TO_STRING_PLAIN);
    if ((ret = write_file (dir, "config.json", text, err)) < 0)
      goto fail;
  }
  if (r->ext)
    {
      struct error *e2 = NULL;
      if (edb_save_ext (e, r, &e2) < 0)
        {
          log_warn ("%s", e2->msg);
          error_free (e2);
        }
    }
  {
    /* a runtime state left by a crash would refuse the id */
    _cleanup_error_ struct error *e2 = NULL;
    runtime_delete (&e->rt, r->id, true, &e2);
    _cleanup_close_ int rdfd = ctr_rundir_open (e, r->id, false, &e2);
    if (rdfd >= 0)
      unlinkat (rdfd, MONITOR_STATE, 0);
  }
  monitor = engine_helper_path ("hull-monitor");
  if (monitor == NULL)
    {
      ret = error_set (err, ENOENT, "hull-monitor not found (next to hull or in %s)",
                       HULL_LIBEXECDIR);
      goto fail;
    }
  cleanup = engine_helper_path ("hull-cleanup");
  struct monitor_start ms;
  monitor_start_of (e, r, dir, logdir, rootfs, cleanup, &b, a, &ms);
  struct monitor_spawn_args sa = {
    .binary = monitor,
    .rundir = rundir,
    .start = &ms,
    .lock_fd = lock,
    .attach_fd = a && a->client_fd ? *a->client_fd : -1,
  };
  ret = monitor_spawn (&sa, &pid, exit_code, err);
  if (ret < 0)
    goto fail;
  safe_close (b.rootfd);
  strv_free (b.hosts_extra);
  strv_free (b.dns_servers);
  free (b.netns_path);
  r->state = CTR_RUNNING;
  r->pid = pid;
  r->started_at = now_ns ();
  r->exit_code = 0;
  r->oom_killed = false;
  free (r->error);
  r->error = NULL;
  {
    /* the container may have exited already (the monitor saw to it): only
     * a record still "starting" becomes "running" */
    _cleanup_error_ struct error *e2 = NULL;
    if (edb_save_state (e, r, STATE_BIT (CTR_STARTING), &e2) < 0)
      log_warn ("%s", e2->msg);
  }
  *exit_code = 0;
  return 0;

fail:
  safe_close (b.rootfd);
  strv_free (b.hosts_extra);
  strv_free (b.dns_servers);
  free (b.netns_path);
  if (pid == 0 && lock >= 0)
    {
      /* a monitor that failed to start the container is on its way out
       * (it shares our lock): let it finish before we touch its files */
      safe_close (lock);
      lock = -1;
      monitor_wait_gone (e, r->id, 10000);
    }
  ext_cleanup (e, r);
  if (rootfs)
    unmount_root (e, r->id);
  r->state = prev == CTR_CREATED ? CTR_CREATED : CTR_EXITED;
  r->pid = 0;
  if (*exit_code == 0)
    *exit_code = 125;
  r->exit_code = *exit_code;
  free (r->error);
  r->error = *err ? strdup ((*err)->msg) : NULL;
  {
    _cleanup_error_ struct error *e2 = NULL;
    edb_save_state (e, r, STATE_BIT (CTR_STARTING), &e2);
  }
  return ret < 0 ? ret : -EIO;
}

/* ------------------------------------------------------------ attach */

int
engine_attach_connect (struct engine *e, const char *id, int *fd, struct error **err)
{
  _cleanup_close_ int dfd = ctr_rundir_open (e, id, false, err);
  if (dfd < 0)
    return dfd == -1 ? -ESRCH : error_set (err, ESRCH, "container `%.12s` is not running", id);
  _cleanup_error_ struct error *e2 = NULL;
  int s = monitor_connect (dfd, &e2);
  if (s < 0)
    return error_set (err, ESRCH, "container `%.12s` is not running", id);
  *fd = s;
  return 0;
}

int
engine_attach_stream (int fd, bool in, bool tty, bool close_stdin_on_eof, bool sig_proxy)
{
  struct monitor_attach_opts o = { .in = in, .tty = tty,
                                   .close_stdin_on_eof = close_stdin_on_eof,
                                   .sig_proxy = sig_proxy };
  _cleanup_error_ struct error *err = NULL;
  int r = monitor_attach_stream (fd, &o, &err);
  if (r == -EPROTO && err)
    log_error ("%s", err->msg);
  return r;
}

static int
wait_exit (int fd, int ms, int *code)
{
  return monitor_wait_exit (fd, ms, code);
}

/* Connect and send a quiet STOP or KILL: *sock for the exit that follows. */
static int
request (struct engine *e, struct ctr_record *r, enum monitor_msg_type type, int32_t sig,
         int32_t timeout, int *sock, struct error **err)
{
  int fd;
  int ret = engine_attach_connect (e, r->id, &fd, err);
  if (ret < 0)
    return ret;
  struct monitor_msg req = { .type = type, .u.sig = { .signal = sig, .timeout = timeout } };
  _cleanup_error_ struct error *e2 = NULL;
  ret = monitor_request (fd, &req, &e2);
  if (ret < 0)
    {
      close (fd);
      if (ret == -EPROTO)
        return error_set (err, EPROTO, "container `%.12s`: %s", r->id, e2->msg);
      if (e2)
        return error_set (err, ESRCH, "container `%.12s` is not running", r->id);
      return error_errno (err, -ret, "container `%.12s`", r->id);
    }
  *sock = fd;
  return 0;
}

static int
refresh (struct engine *e, struct ctr_record **r, struct error **err)
{
  _cleanup_free_ char *id = strdup ((*r)->id);
  ctr_record_free (*r);
  *r = NULL;
  return engine_lookup (e, id, r, err);
}

int
engine_stop (struct engine *e, const char *ref, int timeout, struct error **err)
{
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  int ret = engine_lookup (e, ref, &r, err);
  if (ret < 0)
    return ret;
  if (!is_live_state (r->state))
    return 0;
  if (timeout < 0)
    timeout = r->spec->stop_timeout >= 0 ? r->spec->stop_timeout : 10;
  if (r->state == CTR_PAUSED)
    {
      _cleanup_error_ struct error *e2 = NULL;
      runtime_resume (&e->rt, r->id, &e2);
    }
  int sig = SIGTERM;
  if (r->spec->stop_signal)
    {
      _cleanup_error_ struct error *e2 = NULL;
      ctr_parse_signal (r->spec->stop_signal, &sig, &e2);
    }
  _cleanup_close_ int fd = -1;
  ret = request (e, r, MONITOR_MSG_STOP, sig, timeout, &fd, err);
  if (ret < 0)
    {
      if (ret != -ESRCH)
        return ret;
      error_free (*err);
      *err = NULL;
    }
  else
    {
      int code;
      wait_exit (fd, (timeout + 30) * 1000, &code);
    }
  monitor_wait_gone (e, r->id, 10000);
  return refresh (e, &r, err);
}

int
engine_kill (struct engine *e, const char *ref, int sig, struct error **err)
{
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  int ret = engine_lookup (e, ref, &r, err);
  if (ret < 0)
    return ret;
  if (!is_live_state (r->state))
    return error_set (err, EINVAL, "cannot kill container `%s`: container is not running", ref);
  _cleanup_close_ int fd = -1;
  ret = request (e, r, MONITOR_MSG_KILL, sig, 0, &fd, err);
  if (ret < 0)
    return ret;
  if (sig == SIGKILL)
    {
      int code;
      wait_exit (fd, 30000, &code);
      monitor_wait_gone (e, r->id, 10000);
      return refresh (e, &r, err);
    }
  return 0;
}

int
engine_wait (struct engine *e, const char *ref, int *exit_code, struct error **err)
{
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  int ret = engine_lookup (e, ref, &r, err);
  if (ret < 0)
    return ret;
  if (is_live_state (r->state))
    {
      int fd;
      _cleanup_error_ struct error *e2 = NULL;
      if (engine_attach_connect (e, r->id, &fd, &e2) == 0)
        {
          struct monitor_msg q = { .type = MONITOR_MSG_QUIET };
          monitor_msg_send (fd, &q, 0);
          int code = 0;
          int w = wait_exit (fd, -1, &code);
          close (fd);
          if (w == 0)
            {
              *exit_code = code;
              monitor_wait_gone (e, r->id, 10000);
              struct ctr_record *r2 = NULL;
              struct error *e3 = NULL;
              if (engine_lookup (e, r->id, &r2, &e3) == 0)
                ctr_record_free (r2);
              error_free (e3);
              return 0;
            }
        }
      monitor_wait_gone (e, r->id, 10000);
      ret = refresh (e, &r, err);
      if (ret < 0)
        return ret;
    }
  *exit_code = r->exit_code;
  return 0;
}

int
engine_pause (struct engine *e, const char *ref, bool pause, struct error **err)
{
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  int ret = engine_lookup (e, ref, &r, err);
  if (ret < 0)
    return ret;
  if (pause && r->state != CTR_RUNNING)
    return error_set (err, EINVAL, "container `%s` is not running", ref);
  if (!pause && r->state != CTR_PAUSED)
    return error_set (err, EINVAL, "container `%s` is not paused", ref);
  ret = pause ? runtime_pause (&e->rt, r->id, err) : runtime_resume (&e->rt, r->id, err);
  if (ret < 0)
    return ret;
  r->state = pause ? CTR_PAUSED : CTR_RUNNING;
  ret = edb_save_state (e, r, STATE_BIT (pause ? CTR_RUNNING : CTR_PAUSED), err);
  return ret < 0 ? ret : 0;
}

int
engine_rename (struct engine *e, const char *ref, const char *name, struct error **err)
{
  if (!engine_name_valid (name))
    return error_set (err, EINVAL, "invalid container name `%s`: only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                                   "are allowed", name);
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  int ret = engine_lookup (e, ref, &r, err);
  if (ret < 0)
    return ret;
  if (strcmp (r->name, name) == 0)
    return error_set (err, EINVAL, "renaming a container with the same name as its current name");
  return edb_rename (e, r->id, name, err);
}

/* ------------------------------------------------------------ remove */

/* monitor_gone: the caller saw the monitor exit, so a live state in the
 * database is only a reconciliation not yet written: no process can still
 * be using the container. */
static int
remove_record (struct engine *e, struct ctr_record *r, bool volumes, bool monitor_gone,
               struct error **err)
{
  if (r->state != CTR_REMOVING)
    {
      r->state = CTR_REMOVING;
      unsigned only_if = STATE_BIT (CTR_CREATED) | STATE_BIT (CTR_EXITED) | STATE_BIT (CTR_DEAD);
      if (monitor_gone)
        only_if |= STATE_BIT (CTR_RUNNING) | STATE_BIT (CTR_PAUSED);
      int ret = edb_save_state (e, r, only_if, err);
      if (ret < 0)
        return ret;
      if (ret == 0)
        {
          r->state = CTR_EXITED; /* not ours to remove yet: the caller reads it again */
          return error_set (err, EBUSY, "container `%.12s` changed state meanwhile", r->id);
        }
    }
  {
    _cleanup_error_ struct error *e2 = NULL;
    runtime_delete (&e->rt, r->id, true, &e2);
  }
  ext_cleanup (e, r);
  for (size_t i = 0; i < engine_n_exts; i++)
    if (engine_exts[i]->remove)
      {
        _cleanup_error_ struct error *e2 = NULL;
        if (engine_exts[i]->remove (e, r, volumes, &e2) < 0)
          log_warn ("%s: %s", engine_exts[i]->name, e2->msg);
      }
  unmount_root (e, r->id);
  int ret = snapshot_remove (e->store, r->id, err);
  if (ret < 0)
    return ret;
  ctr_dirs_remove (e, r->id);
  return edb_delete (e, r->id, err);
}

int
engine_remove (struct engine *e, const char *ref, bool force, bool volumes, struct error **err)
{
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  int ret = engine_lookup (e, ref, &r, err);
  if (ret < 0)
    return ret;
  if (r->monitor_alive && !is_live_state (r->state))
    {
      /* exited, and its exit command is finishing it: that one owns it
       * until done (a --rm container is then gone) */
      monitor_wait_gone (e, r->id, 15000);
      ret = refresh (e, &r, err);
      if (ret == -ENOENT && r == NULL && !force)
        return ret;
      if (ret == -ENOENT && r == NULL)
        {
          error_free (*err);
          *err = NULL;
          return 0;
        }
      if (ret < 0)
        return ret;
    }
  if (is_live_state (r->state))
    {
      if (!force)
        return error_set (err, EBUSY, "cannot remove container `%s`: container is %s: stop the "
                                      "container before removing or force remove",
                          ref, ctr_state_name (r->state));
      if (r->state == CTR_PAUSED)
        {
          _cleanup_error_ struct error *e2 = NULL;
          runtime_resume (&e->rt, r->id, &e2);
        }
      int fd = -1;
      _cleanup_error_ struct error *e2 = NULL;
      if (request (e, r, MONITOR_MSG_KILL, SIGKILL, 0, &fd, &e2) == 0)
        {
          int code;
          wait_exit (fd, 30000, &code);
          close (fd);
        }
      if (!monitor_wait_gone (e, r->id, 15000))
        return error_set (err, EBUSY, "container `%s`: the monitor does not exit", ref);
      ret = refresh (e, &r, err);
      if (ret == -ENOENT && r == NULL)
        {
          /* --rm: it removed itself */
          error_free (*err);
          *err = NULL;
          return 0;
        }
      if (ret < 0)
        return ret;
    }
  /* Another hull command may be reconciling this record at the same moment
   * (every command reconciles what monitors left): on a lost race, read
   * the record again and retry. */
  bool monitor_gone = force;
  for (int attempt = 0;; attempt++)
    {
      ret = remove_record (e, r, volumes, monitor_gone, err);
      if (ret != -EBUSY || attempt >= 100 || r->state == CTR_REMOVING)
        return ret;
      error_free (*err);
      *err = NULL;
      struct timespec ts = { 0, 10 * 1000 * 1000 };
      nanosleep (&ts, NULL);
      ret = refresh (e, &r, err);
      if (ret == -ENOENT && r == NULL)
        {
          error_free (*err);
          *err = NULL;
          return 0;
        }
      if (ret < 0)
        return ret;
      /* its monitor is gone: a live state here is the other command's
       * reconciliation not yet committed; it will be, retry */
      if (is_live_state (r->state))
        r->state = CTR_EXITED;
    }
}

int
engine_cleanup_locked (struct engine *e, const char *id, int lock_fd, struct error **err)
{
  (void) lock_fd; /* held by the caller until it exits */
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  int ret = edb_get (e, id, &r, err);
  if (ret == -ENOENT)
    {
      /* removed already (rm -f came first) */
      error_free (*err);
      *err = NULL;
      return 0;
    }
  if (ret < 0)
    return ret;
  ret = reconcile (e, r, true, err);
  if (ret == -ENOENT)
    {
      error_free (*err);
      *err = NULL;
      return 0;
    }
  return ret;
}

int
engine_cleanup (struct engine *e, const char *id, struct error **err)
{
  /* called right after the exit: the monitor is on its way out */
  {
    struct ctr_record *r0 = NULL;
    struct error *e0 = NULL;
    if (edb_find (e, id, &r0, &e0) == 0)
      monitor_wait_gone (e, r0->id, 5000);
    ctr_record_free (r0);
    error_free (e0);
  }
  struct ctr_record *r = NULL;
  int ret = engine_lookup (e, id, &r, err);
  if (ret == -ENOENT)
    {
      error_free (*err);
      *err = NULL;
      return 0;
    }
  ctr_record_free (r);
  return ret;
}

int
engine_ports (struct engine *e, const struct ctr_record *r, char ***out, struct error **err)
{
  char **all = calloc (1, sizeof *all);
  if (all == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < engine_n_exts; i++)
    if (engine_exts[i]->ports)
      {
        char **l = engine_exts[i]->ports (e, r);
        for (size_t j = 0; l && l[j]; j++)
          strv_push (&all, l[j]);
        strv_free (l);
      }
  *out = all;
  return 0;
}
