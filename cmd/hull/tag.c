/* hull tag SOURCE TARGET */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/images.h"
#include "image/store.h"

#include <stdio.h>
#include <string.h>

int
cmd_tag (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: hull tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n");
      return 0;
    }
  if (argc != 3)
    return hull_usage_error ("tag", "requires exactly 2 arguments");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *name = NULL;
  if (hull_normalize_tag (argv[2], &name, &err) < 0)
    return hull_report (&err);
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  _cleanup_image_info_ struct image_info *img = NULL;
  if (image_store_resolve (s, argv[1], &img, &err) < 0)
    return hull_report (&err);
  if (image_store_tag (s, img->id, name, &err) < 0)
    return hull_report (&err);
  return 0;
}
