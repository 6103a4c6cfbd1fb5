/* hull rename CONTAINER NEW_NAME */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

static int
rename_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  (void)opts, (void)argc;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_rename (e, argv[0], argv[1], &err) < 0)
    return hull_report (&err);
  return 0;
}

const struct cli_command hull_cmd_rename = {
  .name = "rename",
  .summary = "Rename a container",
  .args = "CONTAINER NEW_NAME",
  .min_args = 2,
  .max_args = 2,
  .run = rename_run,
};
