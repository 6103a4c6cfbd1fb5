/* apply.c - which resource writer runs, where, for each part of
 * linux.resources; the v1 <-> v2 unit conversions.
 *
 * One table row per controller: its v1 writer and its v2 writer.  On a v1
 * host the v1 writer runs in the hierarchy holding the controller; on a v2
 * host the v2 writer runs in the unified leaf; on a hybrid host the v1
 * writer runs where the controller is mounted on v1, else the v2 writer when
 * the unified hierarchy has the controller.  A writer runs only when the spec
 * asks for something it handles (absent or zero values ask for nothing), and
 * when nobody can apply what is asked the error names the key and the reason.
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/log.h"
#include "oci/config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define R "linux.resources."

/* --------------------------------------------------------- conversions */

uint64_t
cg_shares_to_weight (uint64_t shares)
{
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t
cg_blkio_to_io_weight (uint64_t w)
{
  if (w == 0)
    return 0;
  if (w < 10)
    w = 10;
  if (w > 1000)
    w = 1000;
  return 1 + ((w - 10) * 9999) / 990;
}

/* The spec's swap is memory+swap (v1 memsw); v2 limits swap alone. */
int
cg_swap_to_v2 (int64_t swap, int64_t limit, int64_t *out, struct error **err)
{
  if (limit == -1 && swap == 0)
    *out = -1; /* unlimited memory and no swap given: both unlimited */
  else if (swap == -1 || swap == 0)
    *out = swap;
  else if (limit == -1)
    *out = swap;
  else if (limit == 0)
    return error_set (err, EINVAL,
                      "`" R "memory.swap`: cannot be converted to cgroup v2 "
                      "without `" R "memory.limit` (v2 limits swap alone, "
                      "the spec gives memory+swap)");
  else if (limit < 0)
    return error_set (err, EINVAL, "`" R "memory.limit`: invalid value %lld",
                      (long long) limit);
  else if (swap < limit)
    return error_set (err, EINVAL,
                      "`" R "memory.swap` (%lld) must be >= `" R
                      "memory.limit` (%lld): it is memory+swap",
                      (long long) swap, (long long) limit);
  else
    *out = swap - limit;
  return 0;
}

/* ------------------------------------------------- what the spec asks for */

static __thread char keybuf[96];

const char *
cg_req_memory (const struct oci_resources *r, bool update)
{
  if (r->memory.has_limit && r->memory.limit != 0)
    return R "memory.limit";
  if (r->memory.has_reservation && r->memory.reservation != 0)
    return R "memory.reservation";
  if (r->memory.has_swap && r->memory.swap != 0)
    return R "memory.swap";
  if (r->memory.has_swappiness)
    return R "memory.swappiness";
  if (r->memory.has_disable_oom_killer && (r->memory.disable_oom_killer || update))
    return R "memory.disableOOMKiller";
  return NULL;
}

const char *
cg_req_cpu (const struct oci_resources *r, bool update)
{
  if (r->cpu.has_shares && r->cpu.shares != 0)
    return R "cpu.shares";
  if (r->cpu.has_quota && r->cpu.quota != 0)
    return R "cpu.quota";
  if (r->cpu.has_period && r->cpu.period != 0)
    return R "cpu.period";
  if (r->cpu.has_burst && (r->cpu.burst != 0 || update))
    return R "cpu.burst";
  if (r->cpu.has_realtime_runtime && r->cpu.realtime_runtime != 0)
    return R "cpu.realtimeRuntime";
  if (r->cpu.has_realtime_period && r->cpu.realtime_period != 0)
    return R "cpu.realtimePeriod";
  if (r->cpu.has_idle && (r->cpu.idle != 0 || update))
    return R "cpu.idle";
  return NULL;
}

const char *
cg_req_cpuset (const struct oci_resources *r, bool update)
{
  if (r->cpu.cpus && *r->cpu.cpus)
    return R "cpu.cpus";
  if (r->cpu.mems && *r->cpu.mems)
    return R "cpu.mems";
  return NULL;
}

const char *
cg_req_pids (const struct oci_resources *r, bool update)
{
  if (r->pids.has_limit && (r->pids.limit > 0 || update))
    return R "pids.limit";
  return NULL;
}

const char *
cg_req_blkio (const struct oci_resources *r, bool update)
{
  const typeof (r->block_io) *b = &r->block_io;
  if (b->has_weight && b->weight != 0)
    return R "blockIO.weight";
  if (b->has_leaf_weight && b->leaf_weight != 0)
    return R "blockIO.leafWeight";
  if (b->n_weight_device)
    return R "blockIO.weightDevice";
  if (b->n_throttle_read_bps)
    return R "blockIO.throttleReadBpsDevice";
  if (b->n_throttle_write_bps)
    return R "blockIO.throttleWriteBpsDevice";
  if (b->n_throttle_read_iops)
    return R "blockIO.throttleReadIOPSDevice";
  if (b->n_throttle_write_iops)
    return R "blockIO.throttleWriteIOPSDevice";
  return NULL;
}

const char *
cg_req_hugetlb (const struct oci_resources *r, bool update)
{
  if (r->n_hugepage_limits == 0)
    return NULL;
  snprintf (keybuf, sizeof keybuf, R "hugepageLimits[0]");
  return keybuf;
}

const char *
cg_req_net_cls (const struct oci_resources *r, bool update)
{
  if (r->network.has_class_id && (r->network.class_id != 0 || update))
    return R "network.classID";
  return NULL;
}

const char *
cg_req_net_prio (const struct oci_resources *r, bool update)
{
  return r->network.n_priorities ? R "network.priorities" : NULL;
}

const char *
cg_req_rdma (const struct oci_resources *r, bool update)
{
  return r->n_rdma ? R "rdma" : NULL;
}

const char *
cg_req_devices (const struct oci_resources *r, bool update)
{
  /* at create the device rules are always applied (deny all but the
   * defaults when the spec says nothing); update only when given */
  if (!update || (r && r->n_devices))
    return R "devices";
  return NULL;
}

const char *
cg_req_unified (const struct oci_resources *r, bool update)
{
  if (r->n_unified == 0)
    return NULL;
  snprintf (keybuf, sizeof keybuf, R "unified.%.60s", r->unified[0].key);
  return keybuf;
}

/* ---------------------------------------------------------------- table */

struct slot
{
  const struct cg_writer *v1, *v2;
};

/* Order matters: devices first (before anything can run), unified last so
 * that its raw values win over the converted ones, as in runc and crun. */
static const struct slot table[] = {
  { &cg_v1_devices, &cg_v2_devices },
  { &cg_v1_memory, &cg_v2_memory },
  { &cg_v1_cpu, &cg_v2_cpu },
  { &cg_v1_cpuset, &cg_v2_cpuset },
  { &cg_v1_pids, &cg_v2_pids },
  { &cg_v1_blkio, &cg_v2_io },
  { &cg_v1_hugetlb, &cg_v2_hugetlb },
  { &cg_v1_net_cls, NULL },
  { &cg_v1_net_prio, NULL },
  { &cg_v1_rdma, &cg_v2_rdma },
  { NULL, &cg_v2_unified },
};

static const struct oci_resources empty_resources;

static int
run (struct cgroup *cg, const struct cg_writer *w, size_t dir,
     const struct oci_resources *r, bool update, struct error **err)
{
  int fd = cg_dir_fd (cg, dir, err);
  if (fd < 0)
    return fd;
  struct cg_wctx c = { .cg = cg, .dirfd = fd, .r = r, .update = update };
  return w->apply (&c, err);
}

int
cg_apply (struct cgroup *cg, const struct oci_resources *r, bool update,
          struct error **err)
{
  if (cg->noop)
    return 0;
  if (r == NULL)
    r = &empty_resources;
  /* deprecated and ignored by the kernels that matter (kmem limits are gone
   * since Linux 6.1 on v1 and never existed on v2) */
  if (r->memory.has_kernel && r->memory.kernel != 0)
    log_warn ("`" R "memory.kernel` is deprecated and ignored");
  if (r->memory.has_kernel_tcp && r->memory.kernel_tcp != 0)
    log_warn ("`" R "memory.kernelTCP` is deprecated and ignored");

  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    {
      const struct slot *s = &table[i];
      const struct cg_writer *any = s->v1 ? s->v1 : s->v2;
      const char *key = any->requested (r, update);
      if (key == NULL)
        continue;
      /* v1 (and hybrid): the hierarchy holding the controller */
      if (s->v1 && cg->mode != CGROUP_MODE_V2 && s->v1->ctrl >= 0
          && cg_v1_dir (cg, s->v1->ctrl) >= 0)
        {
          int rr = run (cg, s->v1, (size_t) cg_v1_dir (cg, s->v1->ctrl), r,
                        update, err);
          if (rr < 0)
            return rr;
          continue;
        }
      /* v2 (and hybrid): the unified leaf.  On hybrid only for what the
       * unified hierarchy really has (or `unified`, which targets it). */
      if (s->v2 && cg->v2 >= 0)
        {
          bool ok = s->v2->ctrl < 0
                    || (cg_v2_ctrls (cg) & (1u << s->v2->ctrl)) != 0;
          if (!ok && cg->mode == CGROUP_MODE_V2)
            return error_set (err, ENOTSUP,
                              "`%s`: the %s controller is not available in "
                              "cgroup `%s` (not in the kernel, or not enabled "
                              "in the parent's cgroup.subtree_control)",
                              key, cg_ctrl_v2_name (s->v2->ctrl), cg->path);
          if (ok)
            {
              int rr = run (cg, s->v2, (size_t) cg->v2, r, update, err);
              if (rr < 0)
                return rr;
              continue;
            }
        }
      if (s->v1 == NULL)
        return error_set (err, ENOTSUP,
                          "`%s`: cannot be applied: this host has no cgroup "
                          "v2 hierarchy",
                          key);
      if (cg->mode == CGROUP_MODE_V2)
        return error_set (err, ENOTSUP,
                          "`%s`: cannot be applied on cgroup v2 (%s is a "
                          "cgroup v1 controller)",
                          key, s->v1->what);
      return error_set (err, ENOTSUP,
                        "`%s`: %s controller not available (not mounted)", key,
                        s->v1->what);
    }
  return 0;
}
