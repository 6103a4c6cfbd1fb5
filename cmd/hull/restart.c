/* hull restart [-t SECONDS] CONTAINER...: stop, then start. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"

#include <stdio.h>

struct restart_opts
{
  int timeout;
};

static const struct cli_option restart_options[] = {
  CLI_OPT_CALL ('t', "time", 0, "SECONDS", "seconds to wait before SIGKILL"),
  CLI_OPT_CALL (0, "timeout", 0, "SECONDS", NULL),
  { 0 },
};

static int
restart_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  int timeout = ((const struct restart_opts *)opts)->timeout;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = 0; i < argc; i++)
    {
      int code;
      if (engine_stop (e, argv[i], timeout, &err) < 0
          || engine_start (e, argv[i], NULL, &code, &err) < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return ret;
}

const struct cli_command hull_cmd_restart = {
  .name = "restart",
  .summary = "Restart containers",
  .args = "CONTAINER [CONTAINER...]",
  .options = restart_options,
  .opts_size = sizeof (struct restart_opts),
  .init = hull_timeout_init,
  .on_option = hull_timeout_option,
  .min_args = 1,
  .max_args = -1,
  .run = restart_run,
};
