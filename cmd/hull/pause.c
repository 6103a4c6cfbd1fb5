/* hull pause CONTAINER...: freeze every process (cgroup freezer); hull
 * unpause CONTAINER...: thaw them. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

static int
pause_both (struct hull_ctx *ctx, bool pause, int argc, char **argv)
{
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = 0; i < argc; i++)
    {
      if (engine_pause (e, argv[i], pause, &err) < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return ret;
}

static int
pause_run (void *ctx, void *opts, int argc, char **argv)
{
  return pause_both (ctx, true, argc, argv);
}

static int
unpause_run (void *ctx, void *opts, int argc, char **argv)
{
  return pause_both (ctx, false, argc, argv);
}

const struct cli_command hull_cmd_pause = {
  .name = "pause",
  .summary = "Freeze the processes of containers",
  .args = "CONTAINER [CONTAINER...]",
  .min_args = 1,
  .max_args = -1,
  .run = pause_run,
};

const struct cli_command hull_cmd_unpause = {
  .name = "unpause",
  .summary = "Thaw paused containers",
  .args = "CONTAINER [CONTAINER...]",
  .min_args = 1,
  .max_args = -1,
  .run = unpause_run,
};
