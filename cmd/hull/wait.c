/* hull wait CONTAINER...: block until they stop, print their exit codes. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

int
cmd_wait (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: hull wait CONTAINER...\n\nBlock until containers stop, then print their "
              "exit codes.\n");
      return 0;
    }
  if (argc < 2)
    return hull_usage_error ("wait", "requires at least 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = 1; i < argc; i++)
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
