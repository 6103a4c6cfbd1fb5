/* hull wait CONTAINER...: block until they stop, print their exit codes. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

static int
wait_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  (void)opts;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = 0; i < argc; i++)
    {
      int code;
      if (engine_wait (e, argv[i], &code, &err) < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      printf ("%d\n", code);
    }
  return ret;
}

const struct cli_command hull_cmd_wait = {
  .name = "wait",
  .summary = "Wait for containers to stop, print their exit codes",
  .args = "CONTAINER [CONTAINER...]",
  .description = "Block until containers stop, then print their exit codes.",
  .min_args = 1,
  .max_args = -1,
  .run = wait_run,
};
