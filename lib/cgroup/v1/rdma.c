/* v1/rdma.c - linux.resources.rdma -> rdma.max "DEV hca_handle=N hca_object=M"
 * (the same file and format as v2: rdma.c there shares this code). */
#include "../internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "oci/config.h"

#include <stdio.h>

int
cg_rdma_apply (const struct cg_wctx *c, struct error **err)
{
  const char *k0 = "linux.resources.rdma";
  _cleanup_close_ int fd = cg_open_w (c->dirfd, "rdma.max", k0, err);
  if (fd < 0)
    return fd;
  for (size_t i = 0; i < c->r->n_rdma; i++)
    {
      char buf[320], key[160];
      snprintf (buf, sizeof buf, "%s %s", c->r->rdma_raw[i].key,
                c->r->rdma_raw[i].value);
      snprintf (key, sizeof key, "%s.%s", k0, c->r->rdma_raw[i].key);
      int r = cg_write_line (fd, "rdma.max", buf, key, err);
      if (r < 0)
        return r;
    }
  return 0;
}

const struct cg_writer cg_v1_rdma = {
  .what = "rdma",
  .ctrl = CG_RDMA,
  .requested = cg_req_rdma,
  .apply = cg_rdma_apply,
};
