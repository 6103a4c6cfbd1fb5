/* hull rename CONTAINER NEW_NAME */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

int
cmd_rename (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: hull rename CONTAINER NEW_NAME\n");
      return 0;
    }
  if (argc != 3)
    return hull_usage_error ("rename", "requires exactly 2 arguments");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_rename (e, argv[1], argv[2], &err) < 0)
    return hull_report (&err);
  return 0;
}
