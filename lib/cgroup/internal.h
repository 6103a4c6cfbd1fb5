/* internal.h - what the pieces of lib/cgroup share; not for the runtime.
 *
 *   layout.c     which hierarchies are mounted where (parsed once per process)
 *   path.c       cgroupsPath -> one directory per hierarchy
 *   manager.c    the manager table (cgroupfs, systemd) and create/destroy/enter
 *   apply.c      the writer table: which writer runs for which resource, where
 *   v1/ *.c, v2/ *.c   the resource writers, one file per controller per version
 *   bpf.c        the v2 device filter (eBPF built by hand)
 *   freeze.c, procs.c, stats*.c, json.c  the lifecycle operations
 *
 * Unit tests include this header to reach the pure helpers (conversions,
 * device rule emulation, BPF generation) directly.
 */
#ifndef HULL_CGROUP_INTERNAL_H
#define HULL_CGROUP_INTERNAL_H

#include "cgroup.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct oci_resources;
struct oci_device_cgroup;

/* Controllers, v1 names; v2 uses "io" for blkio and knows fewer. */
enum cg_ctrl
{
  CG_CPU = 0,
  CG_CPUACCT,
  CG_CPUSET,
  CG_MEMORY,
  CG_DEVICES,
  CG_FREEZER,
  CG_BLKIO,
  CG_PIDS,
  CG_HUGETLB,
  CG_NET_CLS,
  CG_NET_PRIO,
  CG_RDMA,
  CG_PERF_EVENT,
  CG_MISC,
  CG_N_CTRL,
};

const char *cg_ctrl_name (enum cg_ctrl c);     /* v1 name: "blkio" */
const char *cg_ctrl_v2_name (enum cg_ctrl c);  /* v2 name: "io"; NULL if none */
int cg_ctrl_from_name (const char *name);      /* v1 or v2 name; -1 unknown */

/* One mounted hierarchy. */
struct cg_hier
{
  char *mnt;        /* mount point */
  char *mnt_root;   /* the hierarchy path mounted there ("/" normally) */
  uint32_t ctrls;   /* bitmask of (1u << enum cg_ctrl), v1 only */
  char *name;       /* "systemd" for a named hierarchy (name=systemd) */
  bool v2;
};

struct cg_layout
{
  enum cgroup_mode mode;
  char *root;              /* HULL_CGROUP_ROOT or /sys/fs/cgroup */
  struct cg_hier *h;
  size_t n;
  int v2;                  /* index of the cgroup2 hierarchy, -1 */
  int ctrl_hier[CG_N_CTRL];/* v1: index of the hierarchy holding it, -1 */
  bool fake;               /* inferred from a test tree (nothing mounted) */
};

/* "memory", "cpu,cpuacct", "name=systemd", "" (v2); malloc'd */
char *cg_hier_ctrls_str (const struct cg_hier *h);

/* The layout, computed once per process (per HULL_CGROUP_ROOT value). */
int cg_layout_get (const struct cg_layout **out, struct error **err);
/* Tests: forget the cached layout (after changing HULL_CGROUP_ROOT). */
void cg_layout_reset (void);

/* Parse /proc/<pid>/cgroup text; for each hierarchy of l fill own[i] with the
 * process's cgroup path in it (malloc'd, relative to the hierarchy root). */
int cg_parse_proc_cgroup (const struct cg_layout *l, const char *text,
                          char **own, struct error **err);

/* One directory of the container's cgroup, in one hierarchy. */
struct cg_dir
{
  char *abs;        /* absolute directory */
  char *ctrls_str;  /* "memory", "cpu,cpuacct", "name=systemd", "" for v2 */
  uint32_t ctrls;
  bool v2;
  bool created;     /* made by this cgroup_create (removed on failure) */
  int fd;           /* O_DIRECTORY, opened lazily, -1 */
};

struct cg_manager;

struct cgroup
{
  const struct cg_manager *mgr;
  enum cgroup_mode mode;
  char *path;                 /* relative to the hierarchy root: "/hull/id" */
  struct cg_dir *dirs;
  size_t n;
  int v2;                     /* index in dirs of the unified dir, -1 */
  int ctrl_dir[CG_N_CTRL];    /* v1: index in dirs per controller, -1 */
  uint32_t v2_ctrls;          /* controllers enabled in the v2 leaf */
  bool v2_ctrls_known;
  bool noop;                  /* rootless and nothing could be created */
  bool fake;                  /* test tree: no BPF attach */
  char **created_parents;     /* parent dirs made by create (rollback only) */
};

/* The manager table: who owns the cgroup, where it is. */
struct cg_manager
{
  const char *name;
  /* cgroupsPath (or its absence) -> dirs; nothing is touched on disk */
  int (*resolve) (const struct cgroup_options *opts,
                  const struct cg_layout *l, struct cgroup *cg,
                  struct error **err);
};
extern const struct cg_manager cg_manager_cgroupfs;
extern const struct cg_manager cg_manager_systemd;

/* Path semantics shared by the managers: the cgroup path relative to each
 * hierarchy's root. `rel` is the cleaned request; own[] from /proc/self/cgroup
 * when rel is relative. */
int cg_resolve_dirs (const struct cg_layout *l, const char *path, bool relative,
                     struct cgroup *cg, struct error **err);
/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice" (systemd's rule). */
int cg_expand_slice (const char *slice, char **out, struct error **err);

/* fd of dirs[i], opened on first use. */
int cg_dir_fd (const struct cgroup *cg, size_t i, struct error **err);
/* Where a v1 controller's files are (dir index) or -1. */
static inline int
cg_v1_dir (const struct cgroup *cg, enum cg_ctrl c)
{
  return cg->ctrl_dir[c];
}
/* The v2 controllers enabled in the leaf (cgroup.controllers), cached. */
uint32_t cg_v2_ctrls (const struct cgroup *cg);

/* ---------------------------------------------------------------- writes */
/* Write one value with one write(2).  Errors name the spec key:
 * "`linux.resources.memory.limit`: write `memory.limit_in_bytes`: ...". */
int cg_write (int dirfd, const char *file, const char *val, const char *key,
              struct error **err);
/* For files taking one value per write (devices.allow, io.max...): open once,
 * then cg_write_line per value. */
int cg_open_w (int dirfd, const char *file, const char *key, struct error **err);
int cg_write_line (int fd, const char *file, const char *val, const char *key,
                   struct error **err);
/* Read a small cgroup file (trailing newline stripped). */
int cg_read (int dirfd, const char *file, char **out, struct error **err);
int cg_read_u64 (int dirfd, const char *file, uint64_t *out, struct error **err);
/* "key value" lines (cpu.stat, memory.stat): value of key, -ENOENT absent. */
int cg_kv_get (const char *text, const char *key, uint64_t *out);
bool cg_file_exists (int dirfd, const char *file);

/* ------------------------------------------------------------- writers */
struct cg_wctx
{
  struct cgroup *cg;
  int dirfd;                       /* where this writer's files are */
  const struct oci_resources *r;
  bool update;                     /* cgroup_update, not create */
};

/* A writer returns the spec key of the first value it would apply (for the
 * "controller not available" message) or NULL when the spec sets nothing
 * for it; apply() writes. */
struct cg_writer
{
  const char *what;                       /* "memory" */
  int ctrl;                               /* enum cg_ctrl needed, -1 none */
  const char *(*requested) (const struct oci_resources *r, bool update);
  int (*apply) (const struct cg_wctx *c, struct error **err);
};

extern const struct cg_writer cg_v1_memory, cg_v1_cpu, cg_v1_cpuset,
    cg_v1_pids, cg_v1_blkio, cg_v1_hugetlb, cg_v1_net_cls, cg_v1_net_prio,
    cg_v1_rdma, cg_v1_devices;
extern const struct cg_writer cg_v2_memory, cg_v2_cpu, cg_v2_cpuset,
    cg_v2_pids, cg_v2_io, cg_v2_hugetlb, cg_v2_rdma, cg_v2_devices,
    cg_v2_unified;

/* Apply every writer: create (update=false) or update. */
int cg_apply (struct cgroup *cg, const struct oci_resources *r, bool update,
              struct error **err);

/* Requested-key helpers shared by the v1 and v2 writers. */
const char *cg_req_memory (const struct oci_resources *r, bool update);
const char *cg_req_cpu (const struct oci_resources *r, bool update);
const char *cg_req_cpuset (const struct oci_resources *r, bool update);
const char *cg_req_pids (const struct oci_resources *r, bool update);
const char *cg_req_blkio (const struct oci_resources *r, bool update);
const char *cg_req_hugetlb (const struct oci_resources *r, bool update);
const char *cg_req_net_cls (const struct oci_resources *r, bool update);
const char *cg_req_net_prio (const struct oci_resources *r, bool update);
const char *cg_req_rdma (const struct oci_resources *r, bool update);
const char *cg_req_devices (const struct oci_resources *r, bool update);
const char *cg_req_unified (const struct oci_resources *r, bool update);

/* ---------------------------------------------------------- conversions */
/* cpu.shares (2..262144) -> cpu.weight (1..10000): 1 + ((s - 2) * 9999) / 262142 */
uint64_t cg_shares_to_weight (uint64_t shares);
/* blkio weight (10..1000) -> io.weight (1..10000): 1 + ((w - 10) * 9999) / 990 */
uint64_t cg_blkio_to_io_weight (uint64_t w);
/* spec memory.swap (memory+swap) -> memory.swap.max; -1 = max, 0 = leave. */
int cg_swap_to_v2 (int64_t swap, int64_t limit, int64_t *out, struct error **err);

/* --------------------------------------------------------------- devices */
#define CG_DEV_ACC_MKNOD 1u
#define CG_DEV_ACC_READ 2u
#define CG_DEV_ACC_WRITE 4u

struct cg_dev_exception
{
  char type;           /* 'c', 'b' or 'a' */
  int64_t major, minor;/* -1: any */
  unsigned access;     /* CG_DEV_ACC_* */
};

/* The state the v1 devices controller would reach after the rules: the
 * default behaviour and the exceptions to it (kernel semantics). */
struct cg_dev_state
{
  bool default_allow;
  struct cg_dev_exception *ex;
  size_t n;
};

/* The rules hull applies for a spec list: "a" denied first, the spec's
 * rules in order, then the devices every container gets (/dev/null...). */
int cg_dev_rules (const struct oci_resources *r, struct oci_device_cgroup **out,
                  size_t *n, struct error **err);
/* rules[0] is hull's deny-all, rules[1..n_spec] the spec's (errors name
 * them as devices[i-1]), the rest built-in defaults. */
int cg_dev_emulate (const struct oci_device_cgroup *rules, size_t n,
                    size_t n_spec, struct cg_dev_state *st, struct error **err);
void cg_dev_state_clear (struct cg_dev_state *st);
/* v1 "c 1:3 rwm" form of a rule. */
void cg_dev_rule_str (const struct oci_device_cgroup *d, char *buf, size_t len);
/* Would the state allow (type, major, minor, access)? (for tests) */
bool cg_dev_state_allows (const struct cg_dev_state *st, char type,
                          uint32_t major, uint32_t minor, unsigned access);

/* eBPF: the program for a state (instructions, 8 bytes each). */
struct cg_bpf_insn
{
  uint8_t code;
  uint8_t regs;   /* dst:4 (low), src:4 (high) */
  int16_t off;
  int32_t imm;
};
int cg_bpf_build (const struct cg_dev_state *st, struct cg_bpf_insn **out,
                  size_t *n, struct error **err);
/* Load and attach to the cgroup dir fd, then detach what was there before. */
int cg_bpf_install (int cgroup_fd, const struct cg_bpf_insn *insns, size_t n,
                    struct error **err);
/* Run the program in a tiny interpreter (tests; the kernel has no test_run
 * for device programs). Returns R0. */
int cg_bpf_interpret (const struct cg_bpf_insn *insns, size_t n, uint32_t type,
                      uint32_t access, uint32_t major, uint32_t minor);

/* rdma.max is the same on v1 and v2 */
int cg_rdma_apply (const struct cg_wctx *c, struct error **err);

/* `unified` keys: a plain cgroup file name, not one the runtime manages */
int cg_unified_key_check (const char *key, struct error **err);

/* Fail (EBUSY) when any directory of cg is frozen: the v1 freezer state
 * (which also says FROZEN under a frozen parent) or cgroup.events of the
 * unified one, which a clone3 CLONE_INTO_CGROUP would be born into. */
int cg_refuse_frozen (const struct cgroup *cg, struct error **err);

/* --------------------------------------------------------------- misc */
int cg_rmdir_tree (const char *abs, struct error **err);

#endif
