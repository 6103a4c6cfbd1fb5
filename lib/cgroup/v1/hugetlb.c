/* v1/hugetlb.c - linux.resources.hugepageLimits ->
 * hugetlb.<size>.limit_in_bytes (and .rsvd.limit_in_bytes where the kernel
 * has reservation accounting, so reserved-but-unfaulted pages count too). */
#include "../internal.h"

#include "base/error.h"
#include "oci/config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

static int
apply (const struct cg_wctx *c, struct error **err)
{
  for (size_t i = 0; i < c->r->n_hugepage_limits; i++)
    {
      const struct oci_hugepage_limit *h = &c->r->hugepage_limits[i];
      char file[96], rsvd[96], key[64], val[32];
      snprintf (key, sizeof key, "linux.resources.hugepageLimits[%zu]", i);
      snprintf (file, sizeof file, "hugetlb.%s.limit_in_bytes", h->page_size);
      snprintf (rsvd, sizeof rsvd, "hugetlb.%s.rsvd.limit_in_bytes", h->page_size);
      snprintf (val, sizeof val, "%" PRIu64, h->limit);
      if (!cg_file_exists (c->dirfd, file))
        return error_set (err, ENOTSUP,
                          "`%s`: page size `%s` is not supported by this host",
                          key, h->page_size);
      int r = cg_write (c->dirfd, file, val, key, err);
      if (r == 0 && cg_file_exists (c->dirfd, rsvd))
        r = cg_write (c->dirfd, rsvd, val, key, err);
      if (r < 0)
        return r;
    }
  return 0;
}

const struct cg_writer cg_v1_hugetlb = {
  .what = "hugetlb",
  .ctrl = CG_HUGETLB,
  .requested = cg_req_hugetlb,
  .apply = apply,
};
