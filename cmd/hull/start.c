/* hull start [-a] [-i] CONTAINER...: start stopped containers. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"
#include "engine/spec.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int
cmd_start (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "attach", no_argument, NULL, 'a' },
    { "interactive", no_argument, NULL, 'i' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  bool attach = false, interactive = false;
  int c;
  while ((c = getopt_long (argc, argv, "+aih", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        attach = true;
        break;
      case 'i':
        interactive = true;
        break;
      case 'h':
        printf ("Usage: hull start [-a] [-i] CONTAINER...\n\nStart stopped containers.\n");
        return 0;
      default:
        return hull_usage_error ("start", "unknown option");
      }
  if (optind >= argc)
    return hull_usage_error ("start", "requires at least 1 argument");
  if ((attach || interactive) && argc - optind > 1)
    return hull_usage_error ("start", "you cannot attach to more than one container");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  if (attach || interactive)
    {
      _cleanup_ctr_record_ struct ctr_record *r = NULL;
      if (engine_lookup (e, argv[optind], &r, &err) < 0)
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
  for (int i = optind; i < argc; i++)
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
