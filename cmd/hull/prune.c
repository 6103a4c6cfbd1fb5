/* hull image prune [-a] [-f]: remove images nothing names (or, -a, that no
 * container uses), then collect unused layers and blobs. */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "image/images.h"
#include "image/store.h"

#include <stdio.h>

struct prune_opts
{
  bool all, force;
};

static const struct cli_option prune_options[] = {
  CLI_OPT_FLAG ('a', "all", struct prune_opts, all, "remove every image no container uses"),
  CLI_OPT_FLAG ('f', "force", struct prune_opts, force, "do not ask (hull never asks)"),
  { 0 },
};

static int
prune_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  bool all = ((const struct prune_opts *)opts)->all;
  (void)argc, (void)argv;
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
  printf ("Total reclaimed objects: %llu\n", (unsigned long long)freed);
  return 0;
}

const struct cli_command hull_cmd_prune = {
  .name = "prune",
  .summary = "Remove unused images",
  .description = "Remove dangling images (-a: all unused images).",
  .options = prune_options,
  .opts_size = sizeof (struct prune_opts),
  .max_args = 0,
  .run = prune_run,
};
