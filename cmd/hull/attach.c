/* hull attach [--no-stdin] [--sig-proxy=false] CONTAINER: its stdio, live. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"
#include "engine/spec.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct attach_opts
{
  bool no_stdin, sig_proxy;
  const char *detach_keys;
};

static void
attach_init (void *opts)
{
  ((struct attach_opts *) opts)->sig_proxy = true;
}

static const struct cli_option attach_options[] = {
  CLI_OPT_FLAG (0, "no-stdin", struct attach_opts, no_stdin, "do not attach stdin"),
  CLI_OPT_FLAG (0, "sig-proxy", struct attach_opts, sig_proxy,
                "forward the signals hull gets to the container (default true)"),
  CLI_OPT_STRING (0, "detach-keys", struct attach_opts, detach_keys, "KEYS",
                  "the keys that detach (only ctrl-p,ctrl-q)"),
  { 0 },
};

static int
attach_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct attach_opts *opt = opts;
  bool no_stdin = opt->no_stdin, sig_proxy = opt->sig_proxy;
  (void) argc;
  if (opt->detach_keys && strcmp (opt->detach_keys, "ctrl-p,ctrl-q") != 0)
    return hull_usage_error ("attach", "only the detach keys ctrl-p,ctrl-q are supported");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_lookup (e, argv[0], &r, &err) < 0)
    return hull_report (&err);
  if (r->state != CTR_RUNNING && r->state != CTR_STARTING)
    {
      fprintf (stderr, "hull: you cannot attach to a stopped container, start it first\n");
      return HULL_EXIT_FAIL;
    }
  int fd;
  if (engine_attach_connect (e, r->id, &fd, &err) < 0)
    return hull_report (&err);
  int code = engine_attach_stream (fd, !no_stdin && r->spec->open_stdin, r->spec->tty, false,
                                   sig_proxy && !r->spec->tty);
  close (fd);
  if (code == -1)
    return 0;
  if (code < 0 && engine_wait (e, r->id, &code, &err) < 0)
    return hull_report (&err);
  return code;
}

const struct cli_command hull_cmd_attach = {
  .name = "attach",
  .summary = "Attach to a running container's stdio",
  .args = "CONTAINER",
  .options = attach_options,
  .opts_size = sizeof (struct attach_opts),
  .init = attach_init,
  .min_args = 1,
  .max_args = 1,
  .run = attach_run,
};
