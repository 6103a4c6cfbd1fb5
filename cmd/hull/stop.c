/* hull stop [-t SECONDS] CONTAINER...: the stop signal, then SIGKILL. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"

#include <getopt.h>
#include <stdio.h>

int
cmd_stop (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "time", required_argument, NULL, 't' },
    { "timeout", required_argument, NULL, 't' },
    { "signal", required_argument, NULL, 's' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  int timeout = -1;
  int c;
  while ((c = getopt_long (argc, argv, "t:s:h", opts, NULL)) != -1)
    switch (c)
      {
      case 't':
        if (parse_int (optarg, &timeout) < 0 || timeout < -1)
          return hull_usage_error ("stop", "invalid timeout `%s`", optarg);
        break;
      case 's':
        break;
      case 'h':
        printf ("Usage: hull stop [-t SECONDS] CONTAINER...\n\nStop containers: the stop "
                "signal, then SIGKILL after the timeout\n(default: the container's, 10 s).\n");
        return 0;
      default:
        return hull_usage_error ("stop", "unknown option");
      }
  if (optind >= argc)
    return hull_usage_error ("stop", "requires at least 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = optind; i < argc; i++)
    {
      if (engine_stop (e, argv[i], timeout, &err) < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return ret;
}
