/* v2/rdma.c - linux.resources.rdma -> rdma.max, as on v1 (v1/rdma.c). */
#include "../internal.h"

const struct cg_writer cg_v2_rdma = {
  .what = "rdma",
  .ctrl = CG_RDMA,
  .requested = cg_req_rdma,
  .apply = cg_rdma_apply,
};
