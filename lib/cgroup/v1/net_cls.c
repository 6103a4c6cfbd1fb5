/* v1/net_cls.c - linux.resources.network.classID -> net_cls.classid. */
#include "../internal.h"

#include "base/error.h"
#include "oci/config.h"

#include <stdio.h>

static int
apply (const struct cg_wctx *c, struct error **err)
{
  char buf[16];
  snprintf (buf, sizeof buf, "%u", (unsigned) c->r->network.class_id);
  return cg_write (c->dirfd, "net_cls.classid", buf,
                   "linux.resources.network.classID", err);
}

const struct cg_writer cg_v1_net_cls = {
  .what = "net_cls",
  .ctrl = CG_NET_CLS,
  .requested = cg_req_net_cls,
  .apply = apply,
};
