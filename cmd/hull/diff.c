/* hull diff CONTAINER: A (added), C (changed), D (deleted) against its image. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

static int
diff_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  (void)opts, (void)argc;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  _cleanup_strv_ char **lines = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_lookup (e, argv[0], &r, &err) < 0
      || engine_diff (e, r, &lines, &err) < 0)
    return hull_report (&err);
  for (size_t i = 0; lines[i]; i++)
    printf ("%s\n", lines[i]);
  return 0;
}

const struct cli_command hull_cmd_diff = {
  .name = "diff",
  .summary = "Show the changes in a container's filesystem",
  .args = "CONTAINER",
  .description = "Files added (A), changed (C) or deleted (D) in the container's filesystem.",
  .min_args = 1,
  .max_args = 1,
  .run = diff_run,
};
