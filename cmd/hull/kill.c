/* hull kill [-s SIGNAL] CONTAINER...: send a signal (default SIGKILL). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"
#include "engine/spec.h"

#include <signal.h>
#include <stdio.h>

struct kill_opts
{
  int sig;
};

static int
kill_option (void *opts, int key, const char *v, struct error **err)
{
  return ctr_parse_signal (v, &((struct kill_opts *)opts)->sig, err);
}

static void
kill_init (void *opts)
{
  ((struct kill_opts *)opts)->sig = SIGKILL;
}

static const struct cli_option kill_options[] = {
  CLI_OPT_CALL ('s', "signal", 0, "SIGNAL", "the signal to send (default KILL)"),
  { 0 },
};

static int
kill_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  int sig = ((const struct kill_opts *)opts)->sig;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = 0; i < argc; i++)
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

const struct cli_command hull_cmd_kill = {
  .name = "kill",
  .summary = "Send a signal to containers",
  .args = "CONTAINER [CONTAINER...]",
  .description = "Send a signal (default KILL) to running containers.",
  .options = kill_options,
  .opts_size = sizeof (struct kill_opts),
  .init = kill_init,
  .on_option = kill_option,
  .min_args = 1,
  .max_args = -1,
  .run = kill_run,
};
