/* hull kill [-s SIGNAL] CONTAINER...: send a signal (default SIGKILL). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"
#include "engine/spec.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>

int
cmd_kill (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "signal", required_argument, NULL, 's' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  int sig = SIGKILL;
  _cleanup_error_ struct error *err = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "s:h", opts, NULL)) != -1)
    switch (c)
      {
      case 's':
        if (ctr_parse_signal (optarg, &sig, &err) < 0)
          {
            int r = hull_usage_error ("kill", "%s", err->msg);
            return r;
          }
        break;
      case 'h':
        printf ("Usage: hull kill [-s SIGNAL] CONTAINER...\n\nSend a signal (default KILL) to "
                "running containers.\n");
        return 0;
      default:
        return hull_usage_error ("kill", "unknown option");
      }
  if (optind >= argc)
    return hull_usage_error ("kill", "requires at least 1 argument");
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = optind; i < argc; i++)
    {
      if (engine_kill (e, argv[i], sig, &err) < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return ret;
}
