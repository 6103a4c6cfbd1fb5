/* v1/blkio.c - linux.resources.blockIO on the v1 blkio controller.
 *
 *   weight           -> blkio.weight, or blkio.bfq.weight where CFQ is gone
 *   leafWeight       -> blkio.leaf_weight (CFQ only)
 *   weightDevice     -> blkio[.bfq].weight_device "MAJ:MIN W",
 *                       blkio.leaf_weight_device
 *   throttle*Device  -> blkio.throttle.{read,write}_{bps,iops}_device
 *                       "MAJ:MIN RATE" (0 removes the limit)
 */
#include "../internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "oci/config.h"

#include <inttypes.h>
#include <stdio.h>

#define R "linux.resources.blockIO."

static int
throttle (int fd, const char *file, const char *key,
          const struct oci_throttle_device *t, size_t n, struct error **err)
{
  if (n == 0)
    return 0;
  _cleanup_close_ int wfd = cg_open_w (fd, file, key, err);
  if (wfd < 0)
    return wfd;
  for (size_t i = 0; i < n; i++)
    {
      char buf[80], k[96];
      snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %" PRIu64,
                t[i].major, t[i].minor, t[i].rate);
      snprintf (k, sizeof k, "%s[%zu]", key, i);
      int r = cg_write_line (wfd, file, buf, k, err);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
apply (const struct cg_wctx *c, struct error **err)
{
  const typeof (c->r->block_io) *b = &c->r->block_io;
  int fd = c->dirfd, r;
  bool cfq = cg_file_exists (fd, "blkio.weight");
  const char *wfile = cfq ? "blkio.weight" : "blkio.bfq.weight";
  const char *wdfile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
  char buf[80];

  if (b->has_weight && b->weight != 0)
    {
      snprintf (buf, sizeof buf, "%u", (unsigned) b->weight);
      if ((r = cg_write (fd, wfile, buf, R "weight", err)) < 0)
        return r;
    }
  if (b->has_leaf_weight && b->leaf_weight != 0)
    {
      snprintf (buf, sizeof buf, "%u", (unsigned) b->leaf_weight);
      if ((r = cg_write (fd, "blkio.leaf_weight", buf, R "leafWeight", err)) < 0)
        return r;
    }
  if (b->n_weight_device)
    {
      _cleanup_close_ int wfd = -1, lfd = -1;
      for (size_t i = 0; i < b->n_weight_device; i++)
        {
          const struct oci_weight_device *w = &b->weight_device[i];
          char k[96];
          snprintf (k, sizeof k, R "weightDevice[%zu]", i);
          if (w->has_weight)
            {
              if (wfd < 0 && (wfd = cg_open_w (fd, wdfile, k, err)) < 0)
                return wfd;
              snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %u", w->major,
                        w->minor, (unsigned) w->weight);
              if ((r = cg_write_line (wfd, wdfile, buf, k, err)) < 0)
                return r;
            }
          if (w->has_leaf_weight)
            {
              if (lfd < 0
                  && (lfd = cg_open_w (fd, "blkio.leaf_weight_device", k, err)) < 0)
                return lfd;
              snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %u", w->major,
                        w->minor, (unsigned) w->leaf_weight);
              if ((r = cg_write_line (lfd, "blkio.leaf_weight_device", buf, k, err)) < 0)
                return r;
            }
        }
    }
  if ((r = throttle (fd, "blkio.throttle.read_bps_device", R "throttleReadBpsDevice",
                     b->throttle_read_bps, b->n_throttle_read_bps, err)) < 0
      || (r = throttle (fd, "blkio.throttle.write_bps_device",
                        R "throttleWriteBpsDevice", b->throttle_write_bps,
                        b->n_throttle_write_bps, err)) < 0
      || (r = throttle (fd, "blkio.throttle.read_iops_device",
                        R "throttleReadIOPSDevice", b->throttle_read_iops,
                        b->n_throttle_read_iops, err)) < 0
      || (r = throttle (fd, "blkio.throttle.write_iops_device",
                        R "throttleWriteIOPSDevice", b->throttle_write_iops,
                        b->n_throttle_write_iops, err)) < 0)
    return r;
  return 0;
}

const struct cg_writer cg_v1_blkio = {
  .what = "blkio",
  .ctrl = CG_BLKIO,
  .requested = cg_req_blkio,
  .apply = apply,
};
