/* v2/memory.c - linux.resources.memory on the v2 memory controller.
 *
 *   limit        -> memory.max ("max" for -1)
 *   swap         -> memory.swap.max = swap - limit (the spec's swap is
 *                   memory+swap; v2 limits swap alone; see cg_swap_to_v2)
 *   reservation  -> memory.low
 *   swappiness, disableOOMKiller: no v2 equivalent; ignored with a warning
 *   (as runc and crun do) rather than failing a spec that works on v1.
 */
#include "../internal.h"

#include "base/error.h"
#include "base/log.h"
#include "oci/config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define R "linux.resources.memory."

static void
num (int64_t v, char buf[32])
{
  if (v == -1)
    strcpy (buf, "max");
  else
    snprintf (buf, 32, "%" PRId64, v);
}

static int
apply (const struct cg_wctx *c, struct error **err)
{
  const typeof (c->r->memory) *m = &c->r->memory;
  int fd = c->dirfd, r;
  int64_t limit = m->has_limit ? m->limit : 0;
  int64_t swap = m->has_swap ? m->swap : 0;
  char buf[32];

  if (m->has_swappiness)
    log_warn ("`" R "swappiness` cannot be applied on cgroup v2: ignored");
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    log_warn ("`" R "disableOOMKiller` cannot be applied on cgroup v2: ignored");
  if (limit == 0 && swap == 0 && !(m->has_reservation && m->reservation != 0))
    return 0;

  if (c->update && m->has_check_before_update && m->check_before_update
      && limit > 0)
    {
      uint64_t usage;
      if (cg_read_u64 (fd, "memory.current", &usage, err) < 0)
        return error_prefix (err, "`" R "checkBeforeUpdate`");
      if ((uint64_t) limit < usage)
        return error_set (err, EBUSY,
                          "`" R "limit`: %" PRId64 " is below the current "
                          "usage %" PRIu64 " (checkBeforeUpdate)",
                          limit, usage);
    }
  int64_t sw, base = limit;
  if (c->update && swap > 0 && limit == 0)
    {
      /* `update --memory-swap` alone: convert against the limit in force */
      uint64_t cur;
      if (cg_read_u64 (fd, "memory.max", &cur, err) < 0)
        return error_prefix (err, "`" R "swap`");
      base = cur == UINT64_MAX ? -1 : (int64_t) cur;
    }
  if ((r = cg_swap_to_v2 (swap, base, &sw, err)) < 0)
    return r;
  if (sw != 0 || swap > 0)
    {
      /* swap == limit: no swap at all, "0" */
      num (sw, buf);
      r = cg_write (fd, "memory.swap.max", buf, R "swap", err);
      if (r < 0 && !cg_file_exists (fd, "memory.swap.max") && sw <= 0)
        error_freep (err), r = 0; /* no swap accounting: nothing to limit */
      if (r < 0)
        return r;
    }
  if (limit != 0)
    {
      num (limit, buf);
      if ((r = cg_write (fd, "memory.max", buf, R "limit", err)) < 0)
        return r;
    }
  if (m->has_reservation && m->reservation != 0)
    {
      num (m->reservation, buf);
      if ((r = cg_write (fd, "memory.low", buf, R "reservation", err)) < 0)
        return r;
    }
  return 0;
}

const struct cg_writer cg_v2_memory = {
  .what = "memory",
  .ctrl = CG_MEMORY,
  .requested = cg_req_memory,
  .apply = apply,
};
