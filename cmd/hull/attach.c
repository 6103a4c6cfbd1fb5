/* hull attach [--no-stdin] [--sig-proxy=false] CONTAINER: its stdio, live. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"
#include "engine/spec.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
cmd_attach (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "no-stdin", no_argument, NULL, 'n' },
    { "sig-proxy", optional_argument, NULL, 's' },
    { "detach-keys", required_argument, NULL, 'k' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  bool no_stdin = false, sig_proxy = true;
  int c;
  while ((c = getopt_long (argc, argv, "h", opts, NULL)) != -1)
    switch (c)
      {
      case 'n':
        no_stdin = true;
        break;
      case 's':
        sig_proxy = optarg == NULL || strcmp (optarg, "true") == 0;
        break;
      case 'k':
        if (strcmp (optarg, "ctrl-p,ctrl-q") != 0)
          return hull_usage_error ("attach", "only the detach keys ctrl-p,ctrl-q are supported");
        break;
      case 'h':
        printf ("Usage: hull attach [--no-stdin] [--sig-proxy=false] CONTAINER\n");
        return 0;
      default:
        return hull_usage_error ("attach", "unknown option");
      }
  if (argc - optind != 1)
    return hull_usage_error ("attach", "requires exactly 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_lookup (e, argv[optind], &r, &err) < 0)
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
