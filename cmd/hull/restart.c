/* hull restart [-t SECONDS] CONTAINER...: stop, then start. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"

#include <getopt.h>
#include <stdio.h>

int
cmd_restart (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "time", required_argument, NULL, 't' },
    { "timeout", required_argument, NULL, 't' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  int timeout = -1;
  int c;
  while ((c = getopt_long (argc, argv, "t:h", opts, NULL)) != -1)
    switch (c)
      {
      case 't':
        if (parse_int (optarg, &timeout) < 0 || timeout < -1)
          return hull_usage_error ("restart", "invalid timeout `%s`", optarg);
        break;
      case 'h':
        printf ("Usage: hull restart [-t SECONDS] CONTAINER...\n");
        return 0;
      default:
        return hull_usage_error ("restart", "unknown option");
      }
  if (optind >= argc)
    return hull_usage_error ("restart", "requires at least 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = optind; i < argc; i++)
    {
      int code;
      if (engine_stop (e, argv[i], timeout, &err) < 0 || engine_start (e, argv[i], NULL, &code, &err) < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return ret;
}
