/* engine.h - containers: records, lifecycle, reconciliation.
 *
 * The engine is a library the `hull` command calls; there is no daemon.
 * A container is:
 *   - a record in the store's SQLite database (table containers, this
 *     module's migrations), holding its spec (spec.h) and last known state;
 *   - a snapshot (its root: an overlay on the image's layers, lib/image);
 *   - ROOT/containers/<id>/: its log (ctr.log, rotated ctr.log.N);
 *   - RUNROOT/containers/<id>/ (volatile, a tmpfs): the bundle, rebuilt at
 *     every start (config.json, the hosts, hostname and resolv.conf files
 *     it gets, rootfs/ where its root is mounted), and while it runs the
 *     monitor's lock, state file and attach socket; the runtime's state
 *     under RUNROOT/runtime.
 * Whatever a killed process leaves, the next call repairs
 * (engine_reconcile): see docs/design/engine.md.
 */
#ifndef HULL_ENGINE_ENGINE_H
#define HULL_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/transfer.h"

struct error;
struct image_store;
struct db;
struct ctr_spec;
struct build_ctx;
typedef struct json_object json_object;

struct engine;

struct engine_paths
{
  const char *root;     /* --root */
  const char *runroot;  /* --runroot */
  const char *hull;     /* the hull binary; NULL: /proc/self/exe's target */
};

int engine_open (const struct engine_paths *p, struct engine **out, struct error **err);
void engine_close (struct engine *e);
static inline void engine_closep (struct engine **e)
{
  if (*e)
    engine_close (*e);
}
#define _cleanup_engine_ __attribute__ ((cleanup (engine_closep)))

struct image_store *engine_store (struct engine *e);
/* The store's database (lib/db), for extensions' tables: they migrate
 * them with db_migrate and change them in db_begin ... db_commit. */
struct db *engine_db (struct engine *e);

const char *engine_root (struct engine *e);
const char *engine_runroot (struct engine *e);
/* ROOT/containers/<id> and RUNROOT/containers/<id> (malloc'd). */
char *engine_ctr_dir (struct engine *e, const char *id);
char *engine_ctr_rundir (struct engine *e, const char *id);
/* Where the container's root is mounted: RUNROOT/containers/<id>/rootfs. */
char *engine_ctr_rootfs (struct engine *e, const char *id);
/* The runtime's state root (RUNROOT/runtime). */
const char *engine_runtime_root (struct engine *e);

/* ------------------------------------------------------------ records */

enum ctr_state
{
  CTR_CREATED = 0,
  CTR_STARTING,
  CTR_RUNNING,
  CTR_PAUSED,
  CTR_RESTARTING,
  CTR_EXITED,
  CTR_REMOVING,
  CTR_DEAD,
};
const char *ctr_state_name (enum ctr_state s);

struct ctr_health_result
{
  int64_t start, end; /* unix ns */
  int exit_code;
  char *output;
};

struct ctr_record
{
  char *id;
  char *name;
  char *image;       /* as typed */
  char *image_id;
  int64_t created;   /* unix ns */
  enum ctr_state state;
  pid_t pid;
  int exit_code;
  bool oom_killed;
  char *error;
  int64_t started_at, finished_at; /* unix ns, 0 unknown */
  int restart_count;
  struct ctr_spec *spec;
  json_object *ext;  /* extensions' per-container data (networks...) */
  /* live, from the monitor (not stored) */
  char *health;      /* "starting", "healthy", "unhealthy" or NULL */
  int health_failing_streak;
  struct ctr_health_result *health_log;
  size_t n_health_log;
  bool monitor_alive;
};
void ctr_record_free (struct ctr_record *r);
static inline void ctr_record_freep (struct ctr_record **r)
{
  if (*r)
    ctr_record_free (*r);
}
#define _cleanup_ctr_record_ __attribute__ ((cleanup (ctr_record_freep)))
void ctr_record_list_free (struct ctr_record **l);

/* Find a container by full id, name, or unique id prefix.  Reconciles it
 * first (see engine_reconcile).  -ENOENT "no such container: `x`";
 * an ambiguous prefix is -EINVAL. */
int engine_lookup (struct engine *e, const char *ref, struct ctr_record **out,
                   struct error **err);
/* Every container (reconciled), newest first. */
int engine_list (struct engine *e, struct ctr_record ***out, struct error **err);

/* Bring records in line with reality: a container whose monitor is gone is
 * marked exited (exit status from the monitor's state file, 255 when there
 * is none), its processes, runtime state, cgroup and mounts cleaned; an
 * exited --rm container is removed.  Called by lookup and list. */
int engine_reconcile (struct engine *e, struct ctr_record *r, struct error **err);

/* ------------------------------------------------------------ lifecycle */

/* How create finds its image: "missing" (default: pull when not in the
 * store), "never", "always"; progress (may be NULL) is lib/image's
 * transfer_progress, notice (may be NULL) is called before a pull. */
struct transfer_progress;
void engine_set_pull (struct engine *e, const char *policy, const struct transfer_progress *progress,
                      void (*notice) (const char *ref, void *data), void *data);

/* Content trust: check every pull create makes (lib/image's
 * image_pull_opts.check). */
void engine_set_pull_check (struct engine *e, image_pull_check_fn check, void *data);

/* Create: resolve the image (pulling when missing and pull is available),
 * merge its config, choose id and name, record, make the snapshot.  spec is
 * the command line's (image's config not merged yet); entrypoint_set as in
 * ctr_spec_merge_image.  On failure nothing is left. */
int engine_create (struct engine *e, struct ctr_spec *spec, const char *name,
                   bool entrypoint_set, char **out_id, struct error **err);

struct engine_attach
{
  /* run/start -a: the caller's end of a socket the monitor treats as an
   * attached client from the first byte on (-1: none). */
  int *client_fd;
  /* foreground run: the caller reads the exit and then finishes the
   * container itself (engine_cleanup: --rm honoured); the monitor defers
   * to it while it is attached (docs/design/engine.md). */
  bool caller_finishes;
  unsigned short rows, cols;/* initial terminal size (tty) */
};

/* Start: mount the root, write the bundle, start the monitor, which
 * creates and starts the container through lib/runtime; returns once it
 * runs (or failed, with the runtime's error; *exit_code then holds docker's
 * 126/127 for a command that cannot be run, else 125). */
int engine_start (struct engine *e, const char *ref, const struct engine_attach *a,
                  int *exit_code, struct error **err);

/* Stop: the stop signal, then SIGKILL after timeout seconds (-1: the
 * container's own, default 10).  No restart follows. */
int engine_stop (struct engine *e, const char *ref, int timeout, struct error **err);
/* Send a signal; SIGKILL and the stop signal prevent a restart. */
int engine_kill (struct engine *e, const char *ref, int sig, struct error **err);
/* Remove: force stops a running container first; volumes: anonymous
 * volumes too. */
int engine_remove (struct engine *e, const char *ref, bool force, bool volumes,
                   struct error **err);
int engine_pause (struct engine *e, const char *ref, bool pause, struct error **err);
int engine_rename (struct engine *e, const char *ref, const char *name, struct error **err);
/* Wait until it is no longer running; *exit_code. */
int engine_wait (struct engine *e, const char *ref, int *exit_code, struct error **err);
/* Finish a container after its final exit: the one mechanism that moves a
 * container from running to exited in the record (the monitor's state file
 * into it, runtime state, mounts and extensions' resources released) and
 * removes a --rm one (docs/design/engine.md, "Who finishes a container").
 * Waits for the monitor to be gone first.  Nothing to do is not an error
 * (another process finished it). */
int engine_cleanup (struct engine *e, const char *id, struct error **err);
/* The same for the exit command the monitor became (hull-cleanup), which
 * holds the monitor's lock (lock_fd) and so finishes it alone. */
int engine_cleanup_locked (struct engine *e, const char *id, int lock_fd, struct error **err);

/* Mount the container's root if it is not (stopped containers), so that
 * cp/diff/commit can read it. *path (malloc'd). */
int engine_mount_root (struct engine *e, const struct ctr_record *r, char **path,
                       struct error **err);

/* The container's changes against its image: "A /path", "C /path",
 * "D /path" lines (strv), parents before children. */
int engine_diff (struct engine *e, const struct ctr_record *r, char ***out, struct error **err);

struct engine_commit_opts
{
  const char *name;       /* normalised reference with a tag, or NULL */
  const char *message;    /* -m */
  const char *author;     /* -a */
  char *const *changes;   /* -c "CMD [...]", "ENV K=V"... */
  bool pause;             /* -p (default true): freeze a running container meanwhile */
};
/* A new image: the image's layers plus the container's changes as one more
 * (OCI whiteouts), its config from the container's with the changes. */
int engine_commit (struct engine *e, const char *ref, const struct engine_commit_opts *o,
                   char **out_id, struct error **err);

/* Published ports ("80/tcp -> 0.0.0.0:8080"), from the extensions; an
 * empty list without networking. */
int engine_ports (struct engine *e, const struct ctr_record *r, char ***out, struct error **err);

/* Connect to the monitor's attach socket; -ESRCH when there is no monitor. */
int engine_attach_connect (struct engine *e, const char *id, int *fd, struct error **err);
/* The interactive client on a connected socket (lib/monitor's
 * monitor_attach_stream): the exit status, -1 when detached (^P^Q), < -1
 * when the monitor hung up without one. */
int engine_attach_stream (int fd, bool in, bool tty, bool close_stdin_on_eof, bool sig_proxy);

/* Names: docker-style random adjective_noun; valid names
 * [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
char *engine_random_name (void);
bool engine_name_valid (const char *name);
/* 64 lowercase hex digits from getrandom. */
int engine_new_id (char out[65], struct error **err);

/* ------------------------------------------------------------ processes */

/* Before engine_exec, in the process that will enter the container: seal
 * the running executable (it re-executes itself from a sealed copy, so that
 * the container cannot reach the binary through /proc/self/exe). */
int engine_exec_prepare (struct error **err);
/* A user of the container's image (name or uid[:gid]) as "uid:gid". */
int engine_exec_user (struct engine *e, const struct ctr_record *r, const char *user,
                      char out[64], struct error **err);

struct engine_exec_opts
{
  char *const *argv;
  bool tty, detach;
  const char *workdir;  /* NULL: the container's */
  char *const *env;     /* KEY=VALUE, added to the container's */
  const char *user;     /* "uid:gid" (engine_exec_user), NULL: the container's */
  int stdio_fds[3];     /* -1: the caller's own */
};
/* Run a process in the running container r: its namespaces, cgroup,
 * capabilities and seccomp filter; *status is its exit status (0 when
 * detached).  err->code ENOENT: no such command, EACCES: not executable. */
int engine_exec (struct engine *e, const struct ctr_record *r, const struct engine_exec_opts *o,
                 int *status, struct error **err);

/* The container's processes as ps shows them (ps_args, default -ef): the
 * header line, then the rows of the container's processes. */
int engine_top (struct engine *e, const struct ctr_record *r, char *const *ps_args, char ***out,
                struct error **err);

/* One sample of a container's resource usage (from its cgroup). */
struct engine_stats
{
  uint64_t cpu_ns;    /* CPU time used, in total */
  uint64_t mem;       /* memory in use, without the reclaimable page cache */
  uint64_t mem_limit; /* its limit (the host's memory when unlimited) */
  uint64_t blk_read, blk_write;
  uint64_t pids;
};
int engine_stats (struct engine *e, const char *id, struct engine_stats *out, struct error **err);

/* `hull cp`: path in the container ref to the host path dest (NULL: as a
 * tar written to tar_fd), or the host path src (NULL: a tar read from
 * tar_fd, extracted into the directory path) into it.  follow: a symlink
 * given as the source is followed. */
int engine_copy_out (struct engine *e, const char *ref, const char *path, const char *dest,
                     int tar_fd, bool follow, struct error **err);
int engine_copy_in (struct engine *e, const char *src, int tar_fd, const char *ref,
                    const char *path, bool follow, struct error **err);

/* Bytes in the container's writable layer (0 when it has none yet). */
uint64_t engine_ctr_size (struct engine *e, const char *id);

/* ------------------------------------------------------------ extensions */

/* What networks and volumes (issue 6) plug into.  Every hook may be NULL;
 * each gets the record (with spec and ext data, which it may change: the
 * engine stores r->ext after create and prestart). */
struct engine_ext
{
  const char *name;
  /* create: validate the spec's options (network, publish, volume mounts),
   * allocate what must be allocated (IPs, named volumes), fill r->ext. */
  int (*create) (struct engine *e, struct ctr_record *r, struct error **err);
  /* start, before the config is built: e.g. make a network namespace and
   * set b->netns_path, add hosts entries. */
  int (*prestart) (struct engine *e, struct ctr_record *r, struct build_ctx *b,
                   struct error **err);
  /* after the final exit (monitor's cleanup, reconciliation, rm -f): undo
   * prestart (veths, rules).  Must be idempotent. */
  int (*cleanup) (struct engine *e, struct ctr_record *r, struct error **err);
  /* remove: release create's allocations; volumes: rm -v. */
  int (*remove) (struct engine *e, struct ctr_record *r, bool volumes, struct error **err);
  /* inspect: add to the document (NetworkSettings, Mounts). */
  void (*inspect) (struct engine *e, const struct ctr_record *r, json_object *doc);
  /* `hull port`: "80/tcp -> 0.0.0.0:8080" lines (strv, malloc'd); NULL: none. */
  char **(*ports) (struct engine *e, const struct ctr_record *r);
  /* the network modes / mount types this extension takes over ("bridge",
   * "volume"); NULL-terminated. */
  const char *const *network_modes;
  const char *const *mount_types;
};
/* Register (before engine_open); at most 8. */
int engine_register_ext (const struct engine_ext *x);
/* Let every extension add to a container's inspect document. */
void engine_ext_inspect (struct engine *e, const struct ctr_record *r, json_object *doc);

#endif
