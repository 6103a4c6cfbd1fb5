/* hull top CONTAINER [ps OPTIONS]: the container's processes, as ps sees
 * them (ps runs on the host; its rows are those of the container's pids). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"

#include <stdio.h>

static int
top_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  (void)opts;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_lookup (e, argv[0], &r, &err) < 0)
    return hull_report (&err);
  if (r->state != CTR_RUNNING && r->state != CTR_PAUSED)
    {
      fprintf (stderr, "hull: container `%s` is not running\n", argv[0]);
      return HULL_EXIT_FAIL;
    }
  _cleanup_strv_ char **lines = NULL;
  if (engine_top (e, r, argv + 1, &lines, &err) < 0)
    return hull_report (&err);
  for (size_t i = 0; lines[i]; i++)
    printf ("%s\n", lines[i]);
  return 0;
}

const struct cli_command hull_cmd_top = {
  .name = "top",
  .summary = "Show a container's processes",
  .args = "CONTAINER [ps OPTIONS]",
  .description = "The container's processes (ps -ef by default).",
  .min_args = 1,
  .max_args = -1,
  .run = top_run,
  .flags = CLI_NO_INTERSPERSE,
};
