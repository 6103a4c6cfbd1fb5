/* v1/cpuset.c - linux.resources.cpu.cpus/mems -> cpuset.cpus, cpuset.mems.
 * (create has already copied the parent's values into empty ones, see
 * manager.c, so a spec without cpus/mems still lets tasks enter.) */
#include "../internal.h"

#include "base/error.h"
#include "oci/config.h"

static int
apply (const struct cg_wctx *c, struct error **err)
{
  int r;
  if (c->r->cpu.cpus && *c->r->cpu.cpus
      && (r = cg_write (c->dirfd, "cpuset.cpus", c->r->cpu.cpus,
                        "linux.resources.cpu.cpus", err)) < 0)
    return r;
  if (c->r->cpu.mems && *c->r->cpu.mems
      && (r = cg_write (c->dirfd, "cpuset.mems", c->r->cpu.mems,
                        "linux.resources.cpu.mems", err)) < 0)
    return r;
  return 0;
}

const struct cg_writer cg_v1_cpuset = {
  .what = "cpuset",
  .ctrl = CG_CPUSET,
  .requested = cg_req_cpuset,
  .apply = apply,
};
