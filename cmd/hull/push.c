/* hull push [-q] IMAGE [DESTINATION] */
#include "hull.h"
#include "progress.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/store.h"
#include "image/transfer.h"
#include "registry/client.h"
#include "registry/registries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct push_opts
{
  bool quiet;
  struct hull_registry_flags reg;
};

static const struct cli_option push_options[] = {
  CLI_OPT_FLAG ('q', "quiet", struct push_opts, quiet, "no progress"),
  HULL_REGISTRY_OPTIONS (struct push_opts, reg),
  { 0 },
};

static int
push_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct push_opts *opt = opts;
  bool quiet = opt->quiet;
  struct registry_options ropts = { 0 };
  _cleanup_free_ char *user = NULL;
  int rc = hull_registry_flags_apply ("push", &opt->reg, &ropts, &user);
  if (rc)
    return rc;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_registries_conf_ struct registries_conf *conf = NULL;
  if (registries_conf_load (NULL, &conf, &err) < 0)
    return hull_report (&err);
  ropts.conf = conf;
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  struct progress *pr = progress_new (stdout, quiet, "push");
  struct image_push_opts o = { .registry = &ropts, .progress = progress_ops (pr) };
  _cleanup_free_ char *digest = NULL;
  int r = image_push (s, argv[0], argc == 2 ? argv[1] : NULL, &o, &digest, &err);
  progress_finish (pr);
  if (r < 0)
    return hull_report (&err);
  if (!quiet)
    printf ("Digest: %s\n", digest);
  return 0;
}

const struct cli_command hull_cmd_push = {
  .name = "push",
  .summary = "Upload an image to a registry",
  .args = "IMAGE [DESTINATION]",
  .options = push_options,
  .opts_size = sizeof (struct push_opts),
  .min_args = 1,
  .max_args = 2,
  .run = push_run,
};
