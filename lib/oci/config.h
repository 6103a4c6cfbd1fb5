/* config.h - runtime-spec (1.2, Linux) config.json as an internal, validated
 * C model.  The parser rejects what the spec forbids and names the offending
 * key; everything downstream (runtime, cgroup, seccomp) uses only this model.
 *
 * Optional scalars come with a has_* flag.  Strings and vectors are NULL when
 * absent.  All memory belongs to the struct oci_config and goes with
 * oci_config_free().
 */
#ifndef HULL_OCI_CONFIG_H
#define HULL_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct error;
typedef struct json_object json_object;

/* ------------------------------------------------------------ namespaces */
enum oci_ns_type
{
  OCI_NS_PID = 0,
  OCI_NS_NETWORK,
  OCI_NS_MOUNT,
  OCI_NS_IPC,
  OCI_NS_UTS,
  OCI_NS_USER,
  OCI_NS_CGROUP,
  OCI_NS_TIME,
  OCI_NS_COUNT,
};

struct oci_namespace
{
  bool present;  /* listed in linux.namespaces */
  char *path;    /* join this one instead of creating (NULL: create) */
};

struct oci_id_mapping
{
  uint32_t container_id, host_id, size;
};

/* ---------------------------------------------------------------- mounts */
struct oci_mount
{
  char *destination;   /* absolute, cleaned */
  char *type;          /* may be NULL (bind mounts) */
  char *source;        /* may be NULL */
  char **options;      /* raw options as given */
  /* Parsed from options by oci_mount_parse_options() (done by the parser): */
  unsigned long flags;        /* MS_* to set (MS_BIND, MS_RDONLY, ...) */
  unsigned long clear_flags;  /* MS_* explicitly cleared (rw, suid, dev...) */
  unsigned long propagation;  /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (|MS_REC) */
  unsigned long attr_set, attr_clr; /* MOUNT_ATTR_* for idmap/nosymfollow etc. */
  char *data;          /* remaining options joined with ',' (fs-specific) */
  bool recursive_ro;   /* "rro" (also in attr_set as MOUNT_ATTR_RDONLY) */
  bool idmap;          /* "idmap"/"ridmap", or uid/gidMappings given */
  /* Added by the parser's owner: */
  bool idmap_recursive; /* "ridmap": apply the idmap with AT_RECURSIVE */
  bool tmpcopyup;       /* "tmpcopyup" (tmpfs): copy the image's content up */
  struct oci_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct oci_id_mapping *gid_mappings;
  size_t n_gid_mappings;
};

/* --------------------------------------------------------------- process */
struct oci_rlimit
{
  int resource;   /* RLIMIT_* */
  uint64_t soft, hard;
};

/* Capability sets as bitmasks (bit n = capability n). */
struct oci_caps
{
  bool present;   /* process.capabilities given at all */
  uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct oci_scheduler
{
  bool present;
  int policy;     /* SCHED_* */
  int32_t nice;
  int32_t priority;
  uint64_t flags; /* SCHED_FLAG_* */
  uint64_t runtime, deadline, period;
};

struct oci_io_priority
{
  bool present;
  int class_;     /* IOPRIO_CLASS_RT/BE/IDLE */
  int priority;
};

struct oci_process
{
  bool terminal;
  bool has_console_size;
  unsigned console_height, console_width;
  uid_t uid;
  gid_t gid;
  bool has_umask;
  mode_t umask;
  gid_t *additional_gids;
  size_t n_additional_gids;
  char **args;          /* non-empty for the init process */
  char **env;
  char *cwd;            /* absolute */
  struct oci_caps caps;
  struct oci_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  char *selinux_label;
  bool has_oom_score_adj;
  int oom_score_adj;
  struct oci_scheduler scheduler;
  struct oci_io_priority io_priority;
  char *exec_cpu_affinity_initial, *exec_cpu_affinity_final; /* cpu lists */
};

/* ----------------------------------------------------------------- hooks */
struct oci_hook
{
  char *path;
  char **args;
  char **env;
  bool has_timeout;
  int timeout;   /* seconds, > 0 */
};

enum oci_hook_kind
{
  OCI_HOOK_PRESTART = 0,
  OCI_HOOK_CREATE_RUNTIME,
  OCI_HOOK_CREATE_CONTAINER,
  OCI_HOOK_START_CONTAINER,
  OCI_HOOK_POSTSTART,
  OCI_HOOK_POSTSTOP,
  OCI_HOOK_COUNT,
};

struct oci_hooks
{
  struct oci_hook *list[OCI_HOOK_COUNT];
  size_t n[OCI_HOOK_COUNT];
};

/* --------------------------------------------------------------- devices */
struct oci_device
{
  char type;     /* 'c', 'b', 'u', 'p' */
  char *path;    /* absolute, cleaned */
  int64_t major, minor;
  bool has_file_mode;
  mode_t file_mode;
  bool has_uid, has_gid;
  uid_t uid;
  gid_t gid;
};

/* ------------------------------------------------------------- resources */
struct oci_device_cgroup
{
  bool allow;
  char type;        /* 'a', 'c', 'b' (default 'a') */
  int64_t major, minor; /* -1 = wildcard */
  char access[4];   /* subset of "rwm" */
};

struct oci_weight_device
{
  int64_t major, minor;
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
};

struct oci_throttle_device
{
  int64_t major, minor;
  uint64_t rate;
};

struct oci_hugepage_limit
{
  char *page_size;  /* "2MB", "1GB" */
  uint64_t limit;
};

struct oci_net_priority
{
  char *name;
  uint32_t priority;
};

struct oci_key_value
{
  char *key;
  char *value;
};

struct oci_resources
{
  bool present;

  struct oci_device_cgroup *devices;
  size_t n_devices;

  struct
  {
    bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp,
        has_swappiness, has_disable_oom_killer, has_use_hierarchy,
        has_check_before_update;
    int64_t limit, reservation, swap, kernel, kernel_tcp; /* -1 = unlimited */
    uint64_t swappiness;
    bool disable_oom_killer, use_hierarchy, check_before_update;
  } memory;

  struct
  {
    bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
        has_realtime_period, has_idle;
    uint64_t shares, period, burst, realtime_period;
    int64_t quota, realtime_runtime, idle;
    char *cpus, *mems;
  } cpu;

  struct
  {
    bool has_limit;
    int64_t limit;   /* <= 0: unlimited */
  } pids;

  struct
  {
    bool has_weight, has_leaf_weight;
    uint16_t weight, leaf_weight;
    struct oci_weight_device *weight_device;
    size_t n_weight_device;
    struct oci_throttle_device *throttle_read_bps, *throttle_write_bps,
        *throttle_read_iops, *throttle_write_iops;
    size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops,
        n_throttle_write_iops;
  } block_io;

  struct oci_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;

  struct
  {
    bool has_class_id;
    uint32_t class_id;
    struct oci_net_priority *priorities;
    size_t n_priorities;
  } network;

  struct oci_key_value *unified;  /* cgroup v2 file -> value */
  size_t n_unified;

  struct oci_key_value *rdma_raw; /* kept as "device" -> "hca_handle=N hca_object=M" */
  size_t n_rdma;
};

/* --------------------------------------------------------------- seccomp */
enum oci_seccomp_action
{
  OCI_SECCOMP_KILL = 0,        /* SCMP_ACT_KILL (thread) */
  OCI_SECCOMP_KILL_PROCESS,
  OCI_SECCOMP_KILL_THREAD,
  OCI_SECCOMP_TRAP,
  OCI_SECCOMP_ERRNO,
  OCI_SECCOMP_TRACE,
  OCI_SECCOMP_ALLOW,
  OCI_SECCOMP_LOG,
  OCI_SECCOMP_NOTIFY,
};

enum oci_seccomp_op
{
  OCI_SECCOMP_OP_NE = 0,
  OCI_SECCOMP_OP_LT,
  OCI_SECCOMP_OP_LE,
  OCI_SECCOMP_OP_EQ,
  OCI_SECCOMP_OP_GE,
  OCI_SECCOMP_OP_GT,
  OCI_SECCOMP_OP_MASKED_EQ,
};

struct oci_seccomp_arg
{
  unsigned index;
  uint64_t value, value_two;
  enum oci_seccomp_op op;
};

struct oci_seccomp_rule
{
  char **names;
  enum oci_seccomp_action action;
  bool has_errno_ret;
  uint32_t errno_ret;
  struct oci_seccomp_arg *args;
  size_t n_args;
};

struct oci_seccomp
{
  bool present;
  enum oci_seccomp_action default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures;   /* "SCMP_ARCH_X86_64", ... */
  char **flags;           /* "SECCOMP_FILTER_FLAG_LOG", ... */
  char *listener_path;
  char *listener_metadata;
  struct oci_seccomp_rule *syscalls;
  size_t n_syscalls;
};

/* ----------------------------------------------------------------- linux */
struct oci_linux
{
  struct oci_namespace ns[OCI_NS_COUNT];
  struct oci_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct oci_id_mapping *gid_mappings;
  size_t n_gid_mappings;
  bool has_time_offsets;
  int64_t monotonic_secs, boottime_secs;
  uint32_t monotonic_nsecs, boottime_nsecs;
  struct oci_device *devices;
  size_t n_devices;
  char *cgroups_path;
  struct oci_resources resources;
  unsigned long rootfs_propagation; /* MS_* | MS_REC, 0 = not set */
  struct oci_seccomp seccomp;
  struct oci_key_value *sysctl;
  size_t n_sysctl;
  char **masked_paths;
  char **readonly_paths;
  char *mount_label;
  bool has_personality;
  unsigned long personality;   /* PER_LINUX / PER_LINUX32 | flags */
  char *intel_rdt_clos_id;     /* accepted, applied only where resctrl exists */
  /* Added by the parser's owner (runtime-spec 1.2 intelRdt): */
  bool has_intel_rdt;          /* linux.intelRdt given at all */
  char *intel_rdt_l3_cache_schema;
  char *intel_rdt_mem_bw_schema;  /* starts with "MB:", no newline */
  bool intel_rdt_enable_cmt, intel_rdt_enable_mbm;
};

struct oci_config
{
  char *oci_version;
  char *root_path;       /* as given (absolute or relative to bundle) */
  bool root_readonly;
  char *hostname;
  char *domainname;
  struct oci_mount *mounts;
  size_t n_mounts;
  bool has_process;
  struct oci_process process;
  struct oci_hooks hooks;
  struct oci_key_value *annotations;
  size_t n_annotations;
  struct oci_linux linux_;
  json_object *json;     /* the parsed document, kept for state/annotations */
};

/* config.json larger than this is refused (podman's are ~20 KiB). */
#define OCI_CONFIG_MAX_SIZE (4u << 20)

/* Parse and validate config.json text. On failure *err names the key:
 * "config.json: `process.args` must not be empty". */
int oci_config_parse (const char *text, size_t len, struct oci_config **out,
                      struct error **err);
/* Read <bundle>/config.json (size-limited) and parse it. */
int oci_config_load (const char *bundle, struct oci_config **out,
                     struct error **err);
void oci_config_free (struct oci_config *c);

/* Fill the parsed fields of m (flags ... data) from m->options; unknown
 * options become m->data.  Recursive options ("rro", "rnosuid", ...) go to
 * attr_set/attr_clr, to be applied with mount_setattr(AT_RECURSIVE); the
 * MOUNT_ATTR__ATIME bits follow the kernel's rule (clr has the whole mask when
 * an atime attribute is set).  MOUNT_ATTR_IDMAP is not put in attr_set: it
 * needs a userns fd, see idmap/idmap_recursive. */
int oci_mount_parse_options (struct oci_mount *m, struct error **err);

/* Parse a process object (exec --process FILE). Validated as for init. */
int oci_process_parse (json_object *o, struct oci_process *out,
                       struct error **err);
int oci_process_load (const char *path, struct oci_process *out,
                      struct error **err);
void oci_process_clear (struct oci_process *p);

/* Parse a linux.resources object (update --resources FILE). */
int oci_resources_parse (json_object *o, struct oci_resources *out,
                         struct error **err);
void oci_resources_clear (struct oci_resources *r);

/* Parse a linux.seccomp object (also used for the engine's default profile). */
int oci_seccomp_parse (json_object *o, struct oci_seccomp *out,
                       struct error **err);
void oci_seccomp_clear (struct oci_seccomp *s);

/* Name tables. Return -1 when unknown. */
int oci_cap_from_name (const char *name);      /* "CAP_SYS_ADMIN" -> 21 */
const char *oci_cap_name (int cap);
int oci_rlimit_from_name (const char *name);   /* "RLIMIT_NOFILE" */
int oci_signal_from_name (const char *name);   /* "KILL", "SIGKILL", "9" */
const char *oci_ns_type_name (enum oci_ns_type t);   /* "pid", "network" ... */
int oci_ns_type_from_name (const char *name);        /* -> enum oci_ns_type */
const char *oci_rlimit_name (int resource);          /* RLIMIT_NOFILE -> "RLIMIT_NOFILE" */
int oci_ns_clone_flag (enum oci_ns_type t);          /* CLONE_NEWPID ... */

/* Highest capability number the running kernel knows (from
 * /proc/sys/kernel/cap_last_cap). */
int oci_cap_last_cap (void);

#endif
