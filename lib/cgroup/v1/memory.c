/* v1/memory.c - linux.resources.memory on the v1 memory controller.
 *
 *   limit        -> memory.limit_in_bytes          (-1 = unlimited)
 *   swap         -> memory.memsw.limit_in_bytes    (memory+swap, as the spec)
 *   reservation  -> memory.soft_limit_in_bytes
 *   disableOOMKiller -> memory.oom_control "1"
 *   swappiness   -> memory.swappiness (0..100)
 * The kernel wants memsw >= limit at every moment, so the order of the two
 * writes depends on whether the limit grows or shrinks.
 */
#include "../internal.h"

#include "base/error.h"
#include "oci/config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#define R "linux.resources.memory."

static int
set_limit (int fd, int64_t v, struct error **err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRId64, v);
  int r = cg_write (fd, "memory.limit_in_bytes", buf, R "limit", err);
  if (r == -EBUSY)
    {
      /* the kernel refuses a limit below what is in use */
      uint64_t usage = 0, peak = 0;
      cg_read_u64 (fd, "memory.usage_in_bytes", &usage, NULL);
      cg_read_u64 (fd, "memory.max_usage_in_bytes", &peak, NULL);
      return error_set (err, EBUSY,
                        "`" R "limit`: cannot set %" PRId64
                        " (current usage %" PRIu64 ", peak %" PRIu64 ")",
                        v, usage, peak);
    }
  return r;
}

static int
set_swap (int fd, int64_t v, struct error **err)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%" PRId64, v);
  int r = cg_write (fd, "memory.memsw.limit_in_bytes", buf, R "swap", err);
  if (r < 0 && v == -1 && !cg_file_exists (fd, "memory.memsw.limit_in_bytes"))
    {
      /* no swap accounting: "unlimited" is what there is anyway */
      error_freep (err);
      return 0;
    }
  return r;
}

static int
apply (const struct cg_wctx *c, struct error **err)
{
  const typeof (c->r->memory) *m = &c->r->memory;
  int fd = c->dirfd, r;
  int64_t limit = m->has_limit ? m->limit : 0;
  int64_t swap = m->has_swap ? m->swap : 0;
  char buf[32];

  if (c->update && m->has_check_before_update && m->check_before_update
      && limit > 0)
    {
      uint64_t usage;
      if (cg_read_u64 (fd, "memory.usage_in_bytes", &usage, err) < 0)
        return error_prefix (err, "`" R "checkBeforeUpdate`");
      if ((uint64_t) limit < usage)
        return error_set (err, EBUSY,
                          "`" R "limit`: %" PRId64 " is below the current "
                          "usage %" PRIu64 " (checkBeforeUpdate)",
                          limit, usage);
    }
  if (limit == -1 && swap == 0
      && cg_file_exists (fd, "memory.memsw.limit_in_bytes"))
    swap = -1; /* unlimited memory means unlimited memory+swap */

  if (limit != 0 && swap != 0)
    {
      uint64_t cur = 0;
      if (cg_read_u64 (fd, "memory.limit_in_bytes", &cur, err) < 0)
        return error_prefix (err, "`" R "limit`");
      if (swap == -1 || cur < (uint64_t) swap)
        {
          if ((r = set_swap (fd, swap, err)) < 0
              || (r = set_limit (fd, limit, err)) < 0)
            return r;
        }
      else if ((r = set_limit (fd, limit, err)) < 0
               || (r = set_swap (fd, swap, err)) < 0)
        return r;
    }
  else
    {
      if (limit != 0 && (r = set_limit (fd, limit, err)) < 0)
        return r;
      if (swap != 0 && (r = set_swap (fd, swap, err)) < 0)
        return r;
    }
  if (m->has_reservation && m->reservation != 0)
    {
      snprintf (buf, sizeof buf, "%" PRId64, m->reservation);
      if ((r = cg_write (fd, "memory.soft_limit_in_bytes", buf, R "reservation", err)) < 0)
        return r;
    }
  if (m->has_disable_oom_killer && (m->disable_oom_killer || c->update))
    {
      r = cg_write (fd, "memory.oom_control", m->disable_oom_killer ? "1" : "0",
                    R "disableOOMKiller", err);
      if (r < 0)
        return r;
    }
  if (m->has_swappiness)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, m->swappiness);
      if ((r = cg_write (fd, "memory.swappiness", buf, R "swappiness", err)) < 0)
        return r;
    }
  return 0;
}

const struct cg_writer cg_v1_memory = {
  .what = "memory",
  .ctrl = CG_MEMORY,
  .requested = cg_req_memory,
  .apply = apply,
};
