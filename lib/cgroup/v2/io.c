/* v2/io.c - linux.resources.blockIO on the v2 io controller.
 *
 *   weight        -> io.bfq.weight as given (BFQ takes 1..1000), else
 *                    io.weight = 1 + ((weight - 10) * 9999) / 990
 *                    (v1's 10..1000 onto v2's 1..10000)
 *   weightDevice  -> io.bfq.weight "MAJ:MIN W" where BFQ has per-device
 *                    weights, else io.weight "MAJ:MIN converted"
 *   leafWeight    -> no v2 equivalent: an error when set
 *   throttle*     -> io.max "MAJ:MIN rbps=N" / wbps / riops / wiops
 *                    (0 means no limit: "max")
 */
#include "../internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "oci/config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define R "linux.resources.blockIO."

static int
throttle (int fd, const char *what, const char *key,
          const struct oci_throttle_device *t, size_t n, struct error **err)
{
  for (size_t i = 0; i < n; i++)
    {
      char buf[96], k[96];
      if (t[i].rate == 0)
        snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %s=max", t[i].major,
                  t[i].minor, what);
      else
        snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
                  t[i].major, t[i].minor, what, t[i].rate);
      snprintf (k, sizeof k, "%s[%zu]", key, i);
      int r = cg_write_line (fd, "io.max", buf, k, err);
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
  char buf[96];

  if (b->has_leaf_weight && b->leaf_weight != 0)
    return error_set (err, ENOTSUP, "`" R "leafWeight`: cannot be applied on "
                      "cgroup v2 (no leaf weights)");
  for (size_t i = 0; i < b->n_weight_device; i++)
    if (b->weight_device[i].has_leaf_weight)
      return error_set (err, ENOTSUP, "`" R "weightDevice[%zu].leafWeight`: "
                        "cannot be applied on cgroup v2 (no leaf weights)", i);

  bool want_weight = (b->has_weight && b->weight != 0) || b->n_weight_device;
  /* BFQ first (it is what schedules when selected); per-device BFQ weights
   * exist when io.bfq.weight reads "default N" rather than a bare number */
  bool bfq = false, bfq_dev = false;
  if (want_weight && cg_file_exists (fd, "io.bfq.weight"))
    {
      bfq = true;
      _cleanup_free_ char *cur = NULL;
      if (cg_read (fd, "io.bfq.weight", &cur, NULL) == 0)
        bfq_dev = strncmp (cur, "default", 7) == 0;
    }
  if (want_weight)
    {
      const char *file = bfq ? "io.bfq.weight" : "io.weight";
      _cleanup_close_ int wfd = cg_open_w (fd, file, R "weight", err);
      if (wfd < 0)
        return wfd;
      if (b->has_weight && b->weight != 0)
        {
          snprintf (buf, sizeof buf, "%" PRIu64,
                    bfq ? (uint64_t) b->weight : cg_blkio_to_io_weight (b->weight));
          if ((r = cg_write_line (wfd, file, buf, R "weight", err)) < 0)
            return r;
        }
      for (size_t i = 0; i < b->n_weight_device; i++)
        {
          const struct oci_weight_device *w = &b->weight_device[i];
          char k[64];
          snprintf (k, sizeof k, R "weightDevice[%zu]", i);
          if (!w->has_weight)
            continue;
          if (bfq && !bfq_dev)
            return error_set (err, ENOTSUP,
                              "`%s`: per-device BFQ weights need Linux 5.4", k);
          snprintf (buf, sizeof buf, "%" PRId64 ":%" PRId64 " %" PRIu64,
                    w->major, w->minor,
                    bfq ? (uint64_t) w->weight : cg_blkio_to_io_weight (w->weight));
          if ((r = cg_write_line (wfd, file, buf, k, err)) < 0)
            return r;
        }
    }
  if (b->n_throttle_read_bps || b->n_throttle_write_bps
      || b->n_throttle_read_iops || b->n_throttle_write_iops)
    {
      _cleanup_close_ int mfd = cg_open_w (fd, "io.max", R "throttleReadBpsDevice", err);
      if (mfd < 0)
        return mfd;
      if ((r = throttle (mfd, "rbps", R "throttleReadBpsDevice",
                         b->throttle_read_bps, b->n_throttle_read_bps, err)) < 0
          || (r = throttle (mfd, "wbps", R "throttleWriteBpsDevice",
                            b->throttle_write_bps, b->n_throttle_write_bps, err)) < 0
          || (r = throttle (mfd, "riops", R "throttleReadIOPSDevice",
                            b->throttle_read_iops, b->n_throttle_read_iops, err)) < 0
          || (r = throttle (mfd, "wiops", R "throttleWriteIOPSDevice",
                            b->throttle_write_iops, b->n_throttle_write_iops, err)) < 0)
        return r;
    }
  return 0;
}

const struct cg_writer cg_v2_io = {
  .what = "io",
  .ctrl = CG_BLKIO,
  .requested = cg_req_blkio,
  .apply = apply,
};
