/* v2/cpu.c - linux.resources.cpu on the v2 cpu controller.
 *
 *   shares         -> cpu.weight = 1 + ((shares - 2) * 9999) / 262142
 *                     (2..262144 onto 1..10000; 1024 -> 39)
 *   quota, period  -> cpu.max "QUOTA PERIOD" ("max" for no quota; what is
 *                     not given keeps its current value, period defaults
 *                     to 100000)
 *   burst          -> cpu.max.burst
 *   idle           -> cpu.idle
 *   realtime*      -> no v2 equivalent: an error when set
 */
#include "../internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "oci/config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define R "linux.resources.cpu."

static int
apply (const struct cg_wctx *c, struct error **err)
{
  const typeof (c->r->cpu) *p = &c->r->cpu;
  int fd = c->dirfd, r;
  char buf[64];

  if (p->has_realtime_runtime && p->realtime_runtime != 0)
    return error_set (err, ENOTSUP, "`" R "realtimeRuntime`: cannot be applied "
                      "on cgroup v2 (no realtime group scheduling)");
  if (p->has_realtime_period && p->realtime_period != 0)
    return error_set (err, ENOTSUP, "`" R "realtimePeriod`: cannot be applied "
                      "on cgroup v2 (no realtime group scheduling)");
  if (p->has_idle && (p->idle != 0 || c->update))
    {
      snprintf (buf, sizeof buf, "%" PRId64, p->idle);
      if ((r = cg_write (fd, "cpu.idle", buf, R "idle", err)) < 0)
        return r;
    }
  if (p->has_shares && p->shares != 0)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, cg_shares_to_weight (p->shares));
      if ((r = cg_write (fd, "cpu.weight", buf, R "shares", err)) < 0)
        return r;
    }
  bool quota = p->has_quota && p->quota != 0;
  bool period = p->has_period && p->period != 0;
  bool burst = p->has_burst && (p->burst != 0 || c->update);
  bool burst_later = false;
  if (burst)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, p->burst);
      r = cg_write (fd, "cpu.max.burst", buf, R "burst", err);
      /* a burst larger than the current quota fits only once the new quota
       * is in: retry after cpu.max */
      if (r == -EINVAL && quota)
        {
          error_freep (err);
          burst_later = true;
        }
      else if (r < 0)
        return r;
    }
  if (quota || period)
    {
      char q[24] = "max";
      uint64_t per = 100000;
      if (!quota || !period)
        {
          /* keep what is not given */
          _cleanup_free_ char *cur = NULL;
          if (cg_read (fd, "cpu.max", &cur, err) < 0)
            return error_prefix (err, "`%s`", quota ? R "quota" : R "period");
          char cq[24] = "";
          unsigned long long cp = 0;
          if (sscanf (cur, "%23s %llu", cq, &cp) == 2)
            {
              memcpy (q, cq, sizeof q);
              per = cp;
            }
        }
      if (quota)
        {
          if (p->quota > 0)
            snprintf (q, sizeof q, "%" PRId64, p->quota);
          else
            strcpy (q, "max");
        }
      if (period)
        per = p->period;
      snprintf (buf, sizeof buf, "%s %" PRIu64, q, per);
      if ((r = cg_write (fd, "cpu.max", buf, quota ? R "quota" : R "period", err)) < 0)
        return r;
    }
  if (burst_later)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, p->burst);
      if ((r = cg_write (fd, "cpu.max.burst", buf, R "burst", err)) < 0)
        return r;
    }
  return 0;
}

const struct cg_writer cg_v2_cpu = {
  .what = "cpu",
  .ctrl = CG_CPU,
  .requested = cg_req_cpu,
  .apply = apply,
};
