/* hull start [-a] [-i] CONTAINER...: start stopped containers. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"
#include "engine/spec.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct start_opts
{
  bool attach, interactive;
};

static const struct cli_option start_options[] = {
  CLI_OPT_FLAG ('a', "attach", struct start_opts, attach, "attach to the container's output"),
  CLI_OPT_FLAG ('i', "interactive", struct start_opts, interactive, "attach the container's stdin"),
  { 0 },
};

static int
start_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct start_opts *opt = opts;
  bool attach = opt->attach, interactive = opt->interactive;
  if ((attach || interactive) && argc > 1)
    return hull_usage_error ("start", "you cannot attach to more than one container");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  if (attach || interactive)
    {
      _cleanup_ctr_record_ struct ctr_record *r = NULL;
      if (engine_lookup (e, argv[0], &r, &err) < 0)
        return hull_report (&err);
      int sv[2];
      if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return HULL_EXIT_FAIL;
      struct engine_attach a = { .client_fd = &sv[1] };
      struct winsize ws;
      if (r->spec->tty && ioctl (1, TIOCGWINSZ, &ws) == 0)
        {
          a.rows = ws.ws_row;
          a.cols = ws.ws_col;
        }
      int code;
      int rr = engine_start (e, r->id, &a, &code, &err);
      close (sv[1]);
      if (rr < 0)
        {
          close (sv[0]);
          hull_report (&err);
          return code;
        }
      code = engine_attach_stream (sv[0], interactive && r->spec->open_stdin, r->spec->tty, true,
                                   true);
      close (sv[0]);
      if (code == -1)
        return 0;
      if (code < 0 && engine_wait (e, r->id, &code, &err) < 0)
        return hull_report (&err);
      return code;
    }
  int ret = 0;
  for (int i = 0; i < argc; i++)
    {
      int code;
      if (engine_start (e, argv[i], NULL, &code, &err) < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return ret;
}

const struct cli_command hull_cmd_start = {
  .name = "start",
  .summary = "Start stopped containers",
  .args = "CONTAINER [CONTAINER...]",
  .options = start_options,
  .opts_size = sizeof (struct start_opts),
  .min_args = 1,
  .max_args = -1,
  .run = start_run,
  .flags = CLI_NO_INTERSPERSE,
};
