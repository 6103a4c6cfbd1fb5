/* hull tag SOURCE TARGET */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/images.h"
#include "image/store.h"

#include <stdio.h>
#include <string.h>

static int
tag_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  (void)opts, (void)argc;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *name = NULL;
  if (hull_normalize_tag (argv[1], &name, &err) < 0)
    return hull_report (&err);
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  _cleanup_image_info_ struct image_info *img = NULL;
  if (image_store_resolve (s, argv[0], &img, &err) < 0)
    return hull_report (&err);
  if (image_store_tag (s, img->id, name, &err) < 0)
    return hull_report (&err);
  return 0;
}

const struct cli_command hull_cmd_tag = {
  .name = "tag",
  .summary = "Give an image another name",
  .args = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
  .min_args = 2,
  .max_args = 2,
  .run = tag_run,
};
