/* hull rm [-f] [-v] CONTAINER...: remove containers. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"

#include <getopt.h>
#include <stdio.h>

int
cmd_rm (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { "volumes", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  bool force = false, volumes = false;
  int c;
  while ((c = getopt_long (argc, argv, "fvh", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case 'v':
        volumes = true;
        break;
      case 'h':
        printf ("Usage: hull rm [-f] [-v] CONTAINER...\n\nRemove containers.\n\n"
                "  -f, --force     stop (kill) running containers first\n"
                "  -v, --volumes   also remove their anonymous volumes\n");
        return 0;
      default:
        return hull_usage_error ("rm", "unknown option");
      }
  if (optind >= argc)
    return hull_usage_error ("rm", "requires at least 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = optind; i < argc; i++)
    {
      if (engine_remove (e, argv[i], force, volumes, &err) < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return ret;
}
