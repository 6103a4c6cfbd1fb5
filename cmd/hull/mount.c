/* hull image mount IMAGE / hull image unmount IMAGE: the image's root
 * filesystem as an overlay (a snapshot named image-<id>), as podman's
 * `image mount`; for inspection and tests. */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/images.h"
#include "image/snapshot.h"
#include "image/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void
snap_id (const char *image_id, char buf[32])
{
  char sid[13];
  snprintf (buf, 32, "image-%s", hull_short_id (image_id, sid));
}

static int
mount_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  (void)opts, (void)argc;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  _cleanup_image_info_ struct image_info *img = NULL;
  if (image_store_resolve (s, argv[0], &img, &err) < 0)
    return hull_report (&err);
  char id[32];
  snap_id (img->id, id);
  if (snapshot_create (s, id, img->id, &err) < 0)
    {
      if (err->code != EEXIST)
        return hull_report (&err);
      error_free (err);
      err = NULL;
      /* mounted already? unmount first: mounting twice would stack */
      if (snapshot_unmount (s, id, NULL, &err) < 0)
        return hull_report (&err);
    }
  _cleanup_free_ char *mp = NULL;
  if (snapshot_mount (s, id, NULL, &mp, &err) < 0)
    return hull_report (&err);
  printf ("%s\n", mp);
  return 0;
}

static int
unmount_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  (void)opts, (void)argc;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  _cleanup_image_info_ struct image_info *img = NULL;
  if (image_store_resolve (s, argv[0], &img, &err) < 0)
    return hull_report (&err);
  char id[32];
  snap_id (img->id, id);
  if (snapshot_remove (s, id, &err) < 0)
    return hull_report (&err);
  return 0;
}

const struct cli_command hull_cmd_mount = {
  .name = "image-mount",
  .summary = "Mount an image's root filesystem",
  .args = "IMAGE",
  .description = "Mount the image's root filesystem and print where.",
  .min_args = 1,
  .max_args = 1,
  .run = mount_run,
};

const struct cli_command hull_cmd_unmount = {
  .name = "image-unmount",
  .summary = "Unmount an image's root filesystem",
  .args = "IMAGE",
  .min_args = 1,
  .max_args = 1,
  .run = unmount_run,
};
