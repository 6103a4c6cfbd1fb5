/* internal.h - shared between the parent (runtime command) and the child (the
 * container's init before it execs) halves of lib/runtime. */
#ifndef HULL_RUNTIME_INTERNAL_H
#define HULL_RUNTIME_INTERNAL_H

#include "base/error.h"
#include "oci/config.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct cgroup;
struct seccomp_filter;

/* The negative errno of the error already set in *err (-EIO when none):
 * for returns after a callee reported through err. */
static inline int
err_code (struct error *const *err)
{
  return err && *err && (*err)->code > 0 ? -(*err)->code : -EIO;
}

/* ------------------------------------------------------------ sync socket
 * Parent and child talk over a SOCK_SEQPACKET socketpair: one message per
 * datagram, fds attached with SCM_RIGHTS.  The child never blocks on anything
 * else during setup, and a dead peer reads as EOF, so neither side can hang. */
enum sync_type
{
  SYNC_ERROR = 1,        /* child -> parent: data = message; child exits */
  SYNC_MAPS_DONE,        /* parent -> child: uid/gid maps written */
  SYNC_CREATE_RUNTIME,   /* child -> parent: run prestart/createRuntime hooks */
  SYNC_CONTINUE,         /* parent -> child */
  SYNC_CHILD_PID,        /* child -> parent: value = pid of the real init (double fork) */
  SYNC_CONSOLE,          /* child -> parent: pty master attached (terminal relay) */
  SYNC_SECCOMP_FD,       /* child -> parent: notify listener attached */
  SYNC_READY,            /* child -> parent: setup done, waiting for start */
  SYNC_CGROUP_DONE,      /* parent -> child: moved into the cgroup */
};

struct sync_msg
{
  uint32_t type;
  int32_t value;
  char data[4000];       /* NUL-terminated text (errors) */
};

int sync_send (int fd, enum sync_type type, int value, const char *data, int pass_fd);
/* Receive one message; *pass_fd gets an attached fd or -1 (pass_fd may be NULL
 * to close any). Returns 0, or -errno; EOF is -EPIPE. */
int sync_recv (int fd, struct sync_msg *m, int *pass_fd);
/* Wait for a message of `type`; a SYNC_ERROR becomes an error with its text. */
int sync_expect (int fd, enum sync_type type, struct sync_msg *m, int *pass_fd,
                 struct error **err);

/* Parent side of a notify listener (SYNC_SECCOMP_FD): send it with the
 * container process state to the agent at sc->listener_path, then let the
 * child go on (SYNC_CONTINUE).  The child must wait for that word before any
 * other syscall (see seccomp_notify_check for the two it makes before). */
struct oci_seccomp;
int sync_seccomp_handover (int sync_fd, int listener, const struct oci_seccomp *sc,
                           const char *id, pid_t pid, const char *bundle, json_object *config,
                           const char *status, struct error **err);

/* ------------------------------------------------------------- the state */
struct container_state
{
  char *id;
  pid_t pid;
  unsigned long long start_time;   /* /proc/<pid>/stat field 22: detects pid reuse */
  char *bundle;
  char *rootfs;
  char *created;                   /* RFC 3339 */
  uid_t owner;
  json_object *config;             /* copy of config.json (owned) */
  json_object *cgroup;             /* cgroup_to_json() (owned) */
  bool systemd_cgroup;
  bool has_pidns;                  /* container has its own pid namespace */
};

enum container_status
{
  STATUS_CREATING = 0,
  STATUS_CREATED,
  STATUS_RUNNING,
  STATUS_PAUSED,
  STATUS_STOPPED,
};
const char *status_name (enum container_status s);

/* Validate a container id (runc's rules): [A-Za-z0-9_+.-], not "." / "..",
 * at most 1024 bytes. */
int id_validate (const char *id, struct error **err);
/* Open (creating when asked) the state root; O_PATH|O_DIRECTORY fd. */
int state_root_open (const char *root, bool create, struct error **err);
int state_load (int rootfd, const char *id, struct container_state *st, struct error **err);
int state_save (int rootfd, const struct container_state *st, struct error **err);
void state_clear (struct container_state *st);
/* Current status of a loaded container. */
enum container_status state_status (int rootfd, const struct container_state *st);
/* Whether the recorded init is still the same live process. */
bool state_init_alive (const struct container_state *st);
/* runtime-spec state object. */
json_object *state_to_json (const struct container_state *st, enum container_status s);
/* State for hooks and seccomp listeners (malloc'd JSON text). */
char *state_hook_json (const char *id, pid_t pid, const char *bundle, json_object *config,
                       const char *status);
/* Exclusive lock on a container's state directory (flock). */
int state_lock (int rootfd, const char *id, struct error **err);

unsigned long long proc_start_time (pid_t pid);

/* ------------------------------------------------------------- create ctx */
struct create_ctx
{
  const char *id;
  struct oci_config *cfg;
  const struct runtime_create_options *opts;
  char *bundle;              /* absolute */
  char *rootfs;              /* absolute, resolved */
  int state_rootfd;
  int state_dirfd;
  bool run;                  /* run: no exec fifo, start right away */
  bool rootless;             /* euid != 0 */
  bool userns_new;
  int ns_fds[OCI_NS_COUNT];  /* namespaces to join (by path), -1 otherwise */
  int sync_parent, sync_child;
  int fifo_fd;               /* O_PATH of exec.fifo (create) or -1 */
  int console_sock;          /* connected --console-socket, or -1 */
  bool relay_console;        /* terminal without console socket: parent relays */
  struct seccomp_filter *seccomp;
  struct cgroup *cg;
  pid_t pid;
  int pidfd;
  int *idmap_fds;            /* per mount: userns fd for idmapped mounts, or -1 */
  int *bind_fds;             /* per mount: bind made before the userns, or -1 */
  bool cgroup_done;          /* child: the parent has put us in the cgroup */
  bool ready_sent;           /* child: READY sent, the parent may be gone */
  bool cg_entered;           /* in the cgroup without the parent's cgroup_enter */
  bool cg_cloned_in;         /* born in the unified cgroup (CLONE_INTO_CGROUP) */
  bool cg_self;              /* child: cgroup_enter_self (docs/design/cgroups.md) */
};

/* Child side: never returns (execs or _exit()s). */
__attribute__ ((noreturn)) void container_init (struct create_ctx *c);

/* ---------------------------------------------------------------- pieces */
/* Open /proc/SUB of the procfs mounted at /proc under root, so that no
 * symlink, overmount or non-procfs file can redirect a write (sysctls,
 * oom_score_adj).  SUB is relative and follows no symlink ("<pid>/...",
 * not "self/..."). */
int mounts_proc_open (int root, const char *sub, int flags, struct error **err);
/* Parent, before clone: the bind mounts of a user-namespaced container,
 * made while we still have the host's credentials (c->bind_fds). */
int mounts_open_bind_sources (struct create_ctx *c, int min_fd, struct error **err);
int mounts_setup_rootfs (struct create_ctx *c, struct error **err);       /* before pivot */
int mounts_pivot (struct create_ctx *c, struct error **err);
int mounts_finalize (struct create_ctx *c, struct error **err);           /* after pivot */

int devices_setup (struct create_ctx *c, int rootfd, struct error **err);
/* Child: wait until the parent has put us in the container's cgroup. */
int init_wait_cgroup (struct create_ctx *c, struct error **err);

/* Apply process attributes that need privilege, then switch user and caps. */
int process_apply_limits (const struct oci_process *p, struct error **err);
int process_switch_user (const struct oci_process *p, bool in_userns_nosetgroups,
                         struct error **err);
int process_apply_caps (const struct oci_caps *caps, struct error **err);
int process_drop_bounding (const struct oci_caps *caps, struct error **err);
/* Socket activation: put LISTEN_FDS=n, LISTEN_PID=<our pid> and the
 * runtime's LISTEN_FDNAMES into p->env (replacing any there).  Called by the
 * container process itself, so that the pid is the one it has in its pid
 * namespace. */
int process_env_listen (struct oci_process *p, int listen_fds, struct error **err);
/* Resolve argv[0] with the container's PATH (from env); malloc'd path. */
int process_find_exec (const struct oci_process *p, char **out, struct error **err);
int process_set_lsm (const struct oci_process *p, struct error **err);
/* HOME from the container's /etc/passwd for p->uid ("/" if none) when the
 * environment has none (exec.c; the parser is in execinput.h). */
int process_ensure_home (struct oci_process *p, struct error **err);
/* The common end of init and exec: seccomp, bounding set, user, caps,
 * no_new_privs, fds, signals, execve.  Returns only on failure before exec
 * (after a failed execve it _exit()s: 127 not found, 126 otherwise). */
int process_finish_and_exec (const struct oci_process *p, const struct seccomp_filter *sc,
                             bool seccomp_loaded, int preserve_fds, bool no_setgroups,
                             const char *exe, struct error **err);

/* Terminal: make a pty in the container's devpts, hand the master over,
 * make the slave our controlling terminal and stdio. */
int console_setup (const struct oci_process *p, int console_sock, int sync_fd,
                   struct error **err);
/* Bind the pty (its fd) onto the /dev/console that devices_setup made. */
int console_bind_dev_console (int slave, struct error **err);
int console_send_fd (int sock, int fd, const char *name);
int console_recv_fd (int sock, int *fd);

/* Hooks: run in order with the state on stdin and `cwd` as the working
 * directory (NULL: ours); the first failure stops and is returned. */
int hooks_run (const struct oci_hook *hooks, size_t n, const char *state_json,
               const char *kind, const char *cwd, struct error **err);
/* The same for poststart/poststop: every hook runs, failures are warnings. */
void hooks_run_warn (const struct oci_hook *hooks, size_t n, const char *state_json,
                     const char *kind, const char *cwd);

/* Namespaces */
int ns_open_paths (struct oci_config *cfg, int fds[OCI_NS_COUNT], struct error **err);
void ns_close (int fds[OCI_NS_COUNT]);
int userns_write_maps (pid_t pid, const struct oci_config *cfg, bool rootless,
                       struct error **err);
/* A user namespace carrying these mappings, for idmapped mounts (an fd). */
int userns_for_mappings (const struct oci_id_mapping *uids, size_t nu,
                         const struct oci_id_mapping *gids, size_t ng, struct error **err);

/* Relay between our stdio and a pty master until the child exits; returns
 * the child's exit status. */
int relay_and_wait (int master, pid_t pid, int pidfd, int *status);
/* Wait for pid forwarding the signals we receive; status as 128+sig. */
int wait_forwarding_signals (pid_t pid, int pidfd, int *status);

/* Exit status of a waitpid() status: code, or 128 + signal. */
static inline int
exit_status_of (int wstatus)
{
  if ((wstatus & 0x7f) == 0)
    return (wstatus >> 8) & 0xff;
  return 128 + (wstatus & 0x7f);
}

int pidfd_open_checked (pid_t pid, unsigned long long start_time);

#endif
