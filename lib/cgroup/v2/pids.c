/* v2/pids.c - linux.resources.pids.limit -> pids.max (<= 0: "max"). */
#include "../internal.h"

#include "base/error.h"
#include "oci/config.h"

#include <inttypes.h>
#include <stdio.h>

static int
apply (const struct cg_wctx *c, struct error **err)
{
  char buf[32] = "max";
  if (c->r->pids.limit > 0)
    snprintf (buf, sizeof buf, "%" PRId64, c->r->pids.limit);
  return cg_write (c->dirfd, "pids.max", buf, "linux.resources.pids.limit", err);
}

const struct cg_writer cg_v2_pids = {
  .what = "pids",
  .ctrl = CG_PIDS,
  .requested = cg_req_pids,
  .apply = apply,
};
