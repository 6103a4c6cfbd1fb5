/* runtime.h - the OCI runtime as a library: what `hullrt` (runc's command
 * line) and the `hull` engine (in-process) call.
 *
 * A container lives in a state directory <root>/<id>/ holding state.json
 * (pid, bundle, cgroup, a copy of the config) and, between create and start,
 * the exec fifo the container process blocks on.  No process of ours stays
 * behind after a command returns: the container's init is the only process.
 */
#ifndef HULL_RUNTIME_RUNTIME_H
#define HULL_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct error;
struct oci_process;
struct oci_resources;
typedef struct json_object json_object;

/* Options shared by every operation. */
struct runtime_context
{
  const char *state_root;   /* --root: default /run/hullrt (root) or $XDG_RUNTIME_DIR/hullrt */
  bool systemd_cgroup;      /* --systemd-cgroup */
};

/* Unprivileged, or root only inside a user namespace. */
bool runtime_is_rootless (void);
/* Default state root for this user (static string). */
const char *runtime_default_root (void);

struct runtime_create_options
{
  const char *bundle;          /* default "." */
  const char *config_path;     /* default <bundle>/config.json; NULL: use config_json */
  const char *config_json;     /* in-memory config text (engine), used when config_path NULL
                                  and bundle has no config.json? no: only when non-NULL */
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  bool no_pivot;
  bool no_new_keyring;
  /* Socket activation: the first listen_fds of the preserved fds are
   * LISTEN_FDS; the process gets LISTEN_FDS, LISTEN_PID (its own pid) and the
   * caller's LISTEN_FDNAMES in its environment, as runc passes them. */
  int listen_fds;
  /* run only: */
  bool detach;                 /* run -d */
  bool keep;                   /* run --keep: do not delete after exit */
  /* Engine hooks: fds the container's stdio should be (-1: inherit ours). */
  int stdio_fds[3];
};

int runtime_create (const struct runtime_context *ctx, const char *id,
                    const struct runtime_create_options *o, struct error **err);
int runtime_start (const struct runtime_context *ctx, const char *id,
                   struct error **err);
/* create + start; without detach also waits, forwarding signals (and relaying
 * a terminal when there is no console socket), deletes, and stores the
 * container's exit status (code, or 128+signal) in *exit_status. */
int runtime_run (const struct runtime_context *ctx, const char *id,
                 const struct runtime_create_options *o, int *exit_status,
                 struct error **err);

/* State as runtime-spec JSON (plus runc's rootfs/created/owner). */
int runtime_state (const struct runtime_context *ctx, const char *id,
                   json_object **out, struct error **err);
int runtime_kill (const struct runtime_context *ctx, const char *id, int sig,
                  bool all, struct error **err);
int runtime_delete (const struct runtime_context *ctx, const char *id,
                    bool force, struct error **err);

struct runtime_exec_options
{
  const char *process_path;     /* --process FILE; else built from the fields below */
  char **argv;                  /* plain argv (when no process_path) */
  bool tty;
  const char *cwd;
  char **env;                   /* added to the container's env */
  const char *user;             /* "uid[:gid]" */
  char **caps;                  /* added capabilities */
  char **additional_gids;
  bool no_new_privs;
  const char *apparmor;
  const char *process_label;
  bool detach;
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  int stdio_fds[3];
  /* --cgroup: sub-cgroups of the container's, runc's [CONTROLLER:]PATH */
  char **cgroup_subs;
};
int runtime_exec (const struct runtime_context *ctx, const char *id,
                  const struct runtime_exec_options *o, int *exit_status,
                  struct error **err);

/* Every container under the state root, as an array of state objects. */
int runtime_list (const struct runtime_context *ctx, json_object **out,
                  struct error **err);
/* Host pids of every process in the container. */
int runtime_pids (const struct runtime_context *ctx, const char *id,
                  pid_t **out, size_t *n, struct error **err);

int runtime_pause (const struct runtime_context *ctx, const char *id,
                   struct error **err);
int runtime_resume (const struct runtime_context *ctx, const char *id,
                    struct error **err);
int runtime_update (const struct runtime_context *ctx, const char *id,
                    const struct oci_resources *res, json_object *res_json,
                    struct error **err);
/* One stats event ({"type":"stats","id":..,"data":{..}}). */
int runtime_stats (const struct runtime_context *ctx, const char *id,
                   json_object **out, struct error **err);
/* Stream events to fd: stats every interval_ms, and OOM events as they
 * happen, until the container stops. */
int runtime_events (const struct runtime_context *ctx, const char *id,
                    int interval_ms, int out_fd, struct error **err);

/* checkpoint / restore through the `criu` binary (lib/runtime/checkpoint.c),
 * with runc's options. */
struct runtime_criu_options
{
  const char *criu;                /* --criu PATH; NULL: `criu` from PATH */
  const char *image_path;          /* default ./checkpoint */
  const char *work_path;           /* default: the image path */
  const char *parent_path;         /* checkpoint --parent-path */
  const char *manage_cgroups_mode; /* soft, full, strict, ignore */
  bool leave_running, pre_dump;    /* checkpoint only */
  bool tcp_established, ext_unix_sk, shell_job, file_locks;
};
int runtime_checkpoint (const struct runtime_context *ctx, const char *id,
                        const struct runtime_criu_options *o, struct error **err);
/* A new container `id` from the bundle and the images; without detach waits
 * for it and stores its exit status like runtime_run. */
int runtime_restore (const struct runtime_context *ctx, const char *id,
                     const struct runtime_criu_options *o, const char *bundle, bool detach,
                     const char *pid_file, int *exit_status, struct error **err);

/* Defence against the /proc/self/exe overwrite class (CVE-2019-5736): make
 * sure the running program is a sealed in-memory copy of itself, re-executing
 * when it is not.  Call first thing in commands that put processes into
 * containers (create, run, exec).  Returns only on error (or when already
 * protected: 0). */
int runtime_protect_self_exe (char **argv, struct error **err);

#endif
