/* hull rm [-f] [-v] CONTAINER...: remove containers. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"

#include <stdio.h>

struct rm_opts
{
  bool force, volumes;
};

static const struct cli_option rm_options[] = {
  CLI_OPT_FLAG ('f', "force", struct rm_opts, force, "stop (kill) running containers first"),
  CLI_OPT_FLAG ('v', "volumes", struct rm_opts, volumes, "also remove their anonymous volumes"),
  { 0 },
};

static int
rm_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct rm_opts *opt = opts;
  bool force = opt->force, volumes = opt->volumes;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = 0; i < argc; i++)
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

const struct cli_command hull_cmd_rm = {
  .name = "rm",
  .summary = "Remove containers",
  .args = "CONTAINER [CONTAINER...]",
  .options = rm_options,
  .opts_size = sizeof (struct rm_opts),
  .min_args = 1,
  .max_args = -1,
  .run = rm_run,
};
