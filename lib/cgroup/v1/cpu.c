/* v1/cpu.c - linux.resources.cpu on the v1 cpu controller.
 *
 *   shares           -> cpu.shares
 *   period, quota    -> cpu.cfs_period_us, cpu.cfs_quota_us (-1 = no limit)
 *   burst            -> cpu.cfs_burst_us
 *   realtimePeriod, realtimeRuntime -> cpu.rt_period_us, cpu.rt_runtime_us
 *   idle             -> cpu.idle
 */
#include "../internal.h"

#include "base/error.h"
#include "oci/config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#define R "linux.resources.cpu."

static int
put_u (int fd, const char *file, uint64_t v, const char *key, struct error **err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRIu64, v);
  return cg_write (fd, file, buf, key, err);
}

static int
put_i (int fd, const char *file, int64_t v, const char *key, struct error **err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRId64, v);
  return cg_write (fd, file, buf, key, err);
}

static int
apply (const struct cg_wctx *c, struct error **err)
{
  const typeof (c->r->cpu) *p = &c->r->cpu;
  int fd = c->dirfd, r;
  if (p->has_shares && p->shares != 0
      && (r = put_u (fd, "cpu.shares", p->shares, R "shares", err)) < 0)
    return r;
  bool quota = p->has_quota && p->quota != 0;
  if (p->has_period && p->period != 0)
    {
      r = put_u (fd, "cpu.cfs_period_us", p->period, R "period", err);
      if (r == -EINVAL && quota)
        {
          /* the new period may only fit with the new quota: quota first */
          error_freep (err);
          if ((r = put_i (fd, "cpu.cfs_quota_us", p->quota, R "quota", err)) < 0)
            return r;
          r = put_u (fd, "cpu.cfs_period_us", p->period, R "period", err);
        }
      if (r < 0)
        return r;
    }
  if (quota && (r = put_i (fd, "cpu.cfs_quota_us", p->quota, R "quota", err)) < 0)
    return r;
  if (p->has_burst && (p->burst != 0 || c->update)
      && (r = put_u (fd, "cpu.cfs_burst_us", p->burst, R "burst", err)) < 0)
    return r;
  if (p->has_realtime_period && p->realtime_period != 0
      && (r = put_u (fd, "cpu.rt_period_us", p->realtime_period,
                     R "realtimePeriod", err)) < 0)
    return r;
  if (p->has_realtime_runtime && p->realtime_runtime != 0
      && (r = put_i (fd, "cpu.rt_runtime_us", p->realtime_runtime,
                     R "realtimeRuntime", err)) < 0)
    {
      /* the kernel keeps the children's RT budgets within the parent's:
       * a parent made for containers (/hull) starts with none */
      if (r == -EINVAL)
        r = error_set (err, EINVAL,
                       "`" R "realtimeRuntime`: %" PRId64 " does not fit in the "
                       "parent cgroups' realtime budget (their cpu.rt_runtime_us "
                       "must leave room for it)",
                       p->realtime_runtime);
      return r;
    }
  if (p->has_idle && (p->idle != 0 || c->update)
      && (r = put_i (fd, "cpu.idle", p->idle, R "idle", err)) < 0)
    return r;
  return 0;
}

const struct cg_writer cg_v1_cpu = {
  .what = "cpu",
  .ctrl = CG_CPU,
  .requested = cg_req_cpu,
  .apply = apply,
};
