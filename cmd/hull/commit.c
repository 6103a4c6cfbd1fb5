/* hull commit [-m MSG] [-a AUTHOR] [-c CHANGE]... [-p] CONTAINER [REPO[:TAG]] */
#include "ctr.h"
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

struct commit_opts
{
  const char *message, *author;
  char **changes;
  bool pause;
};

static void
commit_init (void *opts)
{
  ((struct commit_opts *)opts)->pause = true;
}

static const struct cli_option commit_options[] = {
  CLI_OPT_STRING ('m', "message", struct commit_opts, message, "MSG", "commit message"),
  CLI_OPT_STRING ('a', "author", struct commit_opts, author, "NAME", "author"),
  CLI_OPT_STRV ('c', "change", struct commit_opts, changes, "INSTR",
                "CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR, as "
                "in a Dockerfile"),
  CLI_OPT_FLAG ('p', "pause", struct commit_opts, pause,
                "pause the container meanwhile (default true; --pause=false)"),
  { 0 },
};

static int
commit_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct commit_opts *opt = opts;
  struct engine_commit_opts o
      = { .pause = opt->pause, .message = opt->message, .author = opt->author };
  char **changes = opt->changes;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *name = NULL, *id = NULL;
  if (argc == 2 && hull_normalize_tag (argv[1], &name, &err) < 0)
    return hull_usage_error ("commit", "%s", err->msg);
  o.name = name;
  o.changes = changes;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_commit (e, argv[0], &o, &id, &err) < 0)
    return hull_report (&err);
  printf ("%s\n", id);
  return 0;
}

const struct cli_command hull_cmd_commit = {
  .name = "commit",
  .summary = "Create an image from a container",
  .args = "CONTAINER [REPOSITORY[:TAG]]",
  .description = "Create an image from a container's changes.",
  .options = commit_options,
  .opts_size = sizeof (struct commit_opts),
  .init = commit_init,
  .min_args = 1,
  .max_args = 2,
  .run = commit_run,
};
