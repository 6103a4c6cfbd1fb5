/* hull image prune [-a] [-f]: remove images nothing names (or, -a, that no
 * container uses), then collect unused layers and blobs. */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "image/images.h"
#include "image/store.h"

#include <getopt.h>
#include <stdio.h>

int
cmd_prune (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' }, { "force", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' }, {},
  };
  bool all = false;
  int c;
  while ((c = getopt_long (argc, argv, "afh", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = true;
        break;
      case 'f':
        break;
      case 'h':
        printf ("Usage: hull image prune [-a] [-f]\n\nRemove dangling images (-a: all unused "
                "images).\n");
        return 0;
      default:
        return hull_usage_error ("image prune", "unknown option");
      }
  _cleanup_error_ struct error *err = NULL;
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  _cleanup_strv_ char **ids = NULL;
  if (image_store_prune (s, all, &ids, &err) < 0)
    return hull_report (&err);
  if (ids && ids[0])
    {
      printf ("Deleted Images:\n");
      for (size_t i = 0; ids[i]; i++)
        printf ("deleted: %s\n", ids[i]);
    }
  uint64_t freed = 0;
  if (image_store_gc (s, &freed, &err) < 0)
    return hull_report (&err);
  printf ("Total reclaimed objects: %llu\n", (unsigned long long) freed);
  return 0;
}
