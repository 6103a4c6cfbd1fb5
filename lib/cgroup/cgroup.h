/* cgroup.h - a container's control group, on cgroup v1, v2 and hybrid hosts.
 *
 * Two axes, kept apart (see docs/design/cgroups.md):
 *   - the manager: who owns the cgroup and where it lives (cgroupfs now; a
 *     systemd manager where a systemd is reachable);
 *   - the resource writers: what is written for linux.resources, per
 *     controller, per cgroup version (v1 files vs v2 files, unit conversions).
 *
 * The runtime sees only this header.
 */
#ifndef HULL_CGROUP_CGROUP_H
#define HULL_CGROUP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct error;
struct oci_resources;
typedef struct json_object json_object;

enum cgroup_mode
{
  CGROUP_MODE_V1 = 1,      /* only v1 hierarchies */
  CGROUP_MODE_HYBRID,      /* v1 controllers + cgroup2 at /sys/fs/cgroup/unified */
  CGROUP_MODE_V2,          /* unified only */
};

/* Detect the host layout (cached). Honours HULL_CGROUP_ROOT (default
 * /sys/fs/cgroup) so tests can point at a hierarchy they mounted. */
int cgroup_mode (enum cgroup_mode *out, struct error **err);

struct cgroup;   /* opaque */

struct cgroup_options
{
  const char *cgroups_path;  /* linux.cgroupsPath; NULL -> "/hull/<id>" */
  const char *id;            /* container id */
  bool systemd;              /* --systemd-cgroup: "slice:prefix:name" */
  bool rootless;             /* failures to create are not fatal (logged at debug) */
};

/* Create the cgroup (all hierarchies) and apply `res` (may be NULL).
 * Does not move any process in. On failure nothing is left behind. */
int cgroup_create (const struct cgroup_options *opts,
                   const struct oci_resources *res, struct cgroup **out,
                   struct error **err);
/* Re-open a cgroup from the JSON saved at create (state.json). */
int cgroup_from_json (json_object *o, struct cgroup **out, struct error **err);
json_object *cgroup_to_json (const struct cgroup *cg);
/* Open the cgroup a running process is in (for exec without saved state). */
int cgroup_from_pid (pid_t pid, struct cgroup **out, struct error **err);
void cgroup_free (struct cgroup *cg);

/* `exec --cgroup`: the existing sub-cgroup(s) of cg named by specs, runc's
 * "[CONTROLLER[,CONTROLLER...]:]PATH" (one spec without a controller applies
 * to every hierarchy; with controllers, each to the v1 hierarchies holding
 * them; the unified hierarchy takes only a spec without one).  PATH is
 * relative to the container's cgroup and stays inside it.  Hierarchies not
 * named keep the container's cgroup.  The directories must exist and not be
 * frozen. */
int cgroup_sub (const struct cgroup *cg, char *const *specs, struct cgroup **out,
                struct error **err);

/* On a pure v2 host: an O_DIRECTORY fd of the cgroup, for clone3
 * CLONE_INTO_CGROUP; -1 elsewhere. Owned by cg. */
int cgroup_v2_fd (const struct cgroup *cg);

/* Move pid into the cgroup in every hierarchy. */
int cgroup_enter (const struct cgroup *cg, pid_t pid, struct error **err);

/* The fast way in, for a process that moves itself (added by the cgroup
 * module; see docs/design/cgroups.md "Entering").
 *
 * Writing a pid to cgroup.procs takes the kernel's global threadgroup lock
 * for writing, which waits for an RCU grace period: about 10 ms, paid by the
 * first such write of a command.  A single-threaded process moving itself
 * through a v1 `tasks` file ("0") or being born in a cgroup2 directory
 * (clone3 CLONE_INTO_CGROUP) takes no such lock.
 *
 * cgroup_clone_fd: the unified directory for CLONE_INTO_CGROUP on v2 *and*
 * hybrid hosts (-1 on v1-only hosts, or without a cgroup).  Owned by cg.
 * cgroup_enter_self: called by the process itself, while single-threaded and
 * still allowed to write the cgroup files (before it enters a new user
 * namespace): every v1 hierarchy through `tasks`, the unified one through
 * cgroup.procs unless in_v2 (it was cloned into it).  The dir fds are opened
 * by cgroup_create, so this works from any mount namespace. */
int cgroup_clone_fd (const struct cgroup *cg);
int cgroup_enter_self (const struct cgroup *cg, bool in_v2, struct error **err);
/* Apply (more) resources to a live cgroup: `update`. */
int cgroup_update (struct cgroup *cg, const struct oci_resources *res,
                   struct error **err);
/* Remove the cgroup in every hierarchy (retrying while it drains).  Processes
 * still inside are killed first when kill_first. Missing is not an error. */
int cgroup_destroy (struct cgroup *cg, bool kill_first, struct error **err);

/* Freeze/thaw (v1 freezer, v2 cgroup.freeze); waits until the state holds. */
int cgroup_freeze (const struct cgroup *cg, bool frozen, struct error **err);
int cgroup_is_frozen (const struct cgroup *cg, bool *out, struct error **err);

/* Every pid in the cgroup (and its descendants). *out is malloc'd. */
int cgroup_pids (const struct cgroup *cg, pid_t **out, size_t *n,
                 struct error **err);
/* Signal every process in the cgroup (cgroup.kill for SIGKILL on v2). */
int cgroup_kill (const struct cgroup *cg, int sig, struct error **err);

#define CGROUP_STATS_MAX_CPUS 256
#define CGROUP_STATS_MAX_RAW 128
#define CGROUP_STATS_MAX_BLKIO 128
#define CGROUP_STATS_MAX_HUGETLB 8

struct cgroup_stats
{
  /* cpu (nanoseconds) */
  uint64_t cpu_usage_total, cpu_usage_user, cpu_usage_kernel;
  uint64_t cpu_throttled_periods, cpu_throttled_time, cpu_periods;
  /* memory (bytes) */
  uint64_t mem_usage, mem_limit, mem_max_usage, mem_cache, mem_failcnt;
  uint64_t swap_usage, swap_limit;
  uint64_t oom_events, oom_kill_events;
  /* pids */
  uint64_t pids_current, pids_limit;   /* limit 0 = max */
  /* blkio (bytes/ops totals) */
  uint64_t io_read_bytes, io_write_bytes, io_read_ops, io_write_ops;

  /* --- added by the cgroup module: the rest of runc's events shape --- */
  bool has_cpu, has_memory, has_pids, has_blkio;
  uint64_t swap_max_usage, swap_failcnt;
  uint64_t kmem_usage, kmem_limit, kmem_max_usage, kmem_failcnt;       /* v1 */
  uint64_t kmem_tcp_usage, kmem_tcp_limit, kmem_tcp_max_usage, kmem_tcp_failcnt;
  unsigned n_percpu;                                  /* v1 cpuacct only */
  uint64_t percpu[CGROUP_STATS_MAX_CPUS];
  unsigned n_mem_raw;                                 /* memory.stat */
  struct cgroup_stat_kv
  {
    char key[48];
    uint64_t value;
  } mem_raw[CGROUP_STATS_MAX_RAW];
  unsigned n_blkio;                                   /* per device and op */
  struct cgroup_blkio_entry
  {
    bool ios;          /* ioServicedRecursive (else ioServiceBytesRecursive) */
    uint32_t major, minor;
    char op[8];        /* "Read", "Write", "Sync", "Async", "Discard", "Total" */
    uint64_t value;
  } blkio[CGROUP_STATS_MAX_BLKIO];
  unsigned n_hugetlb;
  struct cgroup_hugetlb_stat
  {
    char page_size[16];   /* "2MB" */
    uint64_t usage, max, failcnt;
  } hugetlb[CGROUP_STATS_MAX_HUGETLB];
};
int cgroup_stats (const struct cgroup *cg, struct cgroup_stats *st,
                  struct error **err);
/* The stats in runc's `events --stats` JSON shape ("data" object). */
json_object *cgroup_stats_to_json (const struct cgroup_stats *st);

/* An fd that becomes readable (POLLPRI/POLLIN) when an OOM kill happens:
 * v1 memory.oom_control eventfd, v2 inotify on memory.events. -errno if not
 * available. */
int cgroup_oom_fd (const struct cgroup *cg, struct error **err);

/* For messages and tests: the path relative to the hierarchy root. */
const char *cgroup_path (const struct cgroup *cg);

#endif
