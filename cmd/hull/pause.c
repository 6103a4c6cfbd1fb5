/* hull pause CONTAINER...: freeze every process (cgroup freezer). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

int
cmd_pause (struct hull_ctx *ctx, int argc, char **argv)
{
  bool pause = strcmp (argv[0], "unpause") != 0;
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: hull %s CONTAINER...\n", argv[0]);
      return 0;
    }
  if (argc < 2)
    return hull_usage_error (argv[0], "requires at least 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = 1; i < argc; i++)
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
