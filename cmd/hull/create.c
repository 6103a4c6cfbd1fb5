/* hull create: a container from an image, not started; prints its id. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"
#include "engine/spec.h"
#include "progress.h"
#include "trust-cmd.h"

#include <stdio.h>
#include <string.h>

static int
create_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  struct run_opts o = *(struct run_opts *)opts;
  /* this function owns the options now (and frees them early) */
  memset (opts, 0, sizeof o);
  int r = hull_run_flags_finish ("create", &o, argc, argv);
  if (r != 0)
    {
      run_opts_clear (&o);
      return r;
    }
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_free_ char *id = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    {
      run_opts_clear (&o);
      hull_report (&err);
      return HULL_EXIT_USAGE;
    }
  /* a pull's progress goes to stderr: stdout is the id */
  struct progress *pr = progress_new (stderr, false, "pull");
  engine_set_pull (e, o.pull, progress_ops (pr), hull_pull_notice, NULL);
#ifdef HULL_HAVE_ENGINE_TRUST
  if (hull_trust_engine (e, o.signature_policy, &err) < 0)
    {
      progress_finish (pr);
      run_opts_clear (&o);
      hull_report (&err);
      return HULL_EXIT_USAGE;
    }
#else
  /* never ignore a policy the user asked for */
  if (o.signature_policy)
    {
      progress_finish (pr);
      run_opts_clear (&o);
      return hull_usage_error ("create", "--signature-policy: built without content trust");
    }
#endif
  int cr = engine_create (e, o.spec, o.name, o.entrypoint_set, &id, &err);
  progress_finish (pr);
  if (cr < 0)
    {
      run_opts_clear (&o);
      hull_report (&err);
      return HULL_EXIT_USAGE;
    }
  run_opts_clear (&o);
  printf ("%s\n", id);
  return 0;
}

const struct cli_command hull_cmd_create = {
  .name = "create",
  .summary = "Create a container",
  .args = "IMAGE [COMMAND] [ARG...]",
  .options = hull_run_options,
  .opts_size = sizeof (struct run_opts),
  .init = hull_run_opts_init,
  .fini = hull_run_opts_fini,
  .on_option = hull_run_option,
  .min_args = 1,
  .max_args = -1,
  .run = create_run,
  .flags = CLI_NO_INTERSPERSE,
};
