/* hull stop [-t SECONDS] CONTAINER...: the stop signal, then SIGKILL. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"

#include <stdio.h>

struct stop_opts
{
  int timeout; /* first: hull_timeout_option's */
  const char *signal;
};

static const struct cli_option stop_options[] = {
  CLI_OPT_CALL ('t', "time", 0, "SECONDS",
                "seconds to wait before SIGKILL (default: the container's, 10)"),
  CLI_OPT_CALL (0, "timeout", 0, "SECONDS", NULL),
  CLI_OPT_STRING ('s', "signal", struct stop_opts, signal, "SIGNAL", "accepted for compatibility"),
  { 0 },
};

static int
stop_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  int timeout = ((const struct stop_opts *)opts)->timeout;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = 0; i < argc; i++)
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

const struct cli_command hull_cmd_stop = {
  .name = "stop",
  .summary = "Stop containers",
  .args = "CONTAINER [CONTAINER...]",
  .description = "Stop containers: the stop signal, then SIGKILL after the timeout\n"
                 "(default: the container's, 10 s).",
  .options = stop_options,
  .opts_size = sizeof (struct stop_opts),
  .init = hull_timeout_init,
  .on_option = hull_timeout_option,
  .min_args = 1,
  .max_args = -1,
  .run = stop_run,
};
