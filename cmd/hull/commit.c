/* hull commit [-m MSG] [-a AUTHOR] [-c CHANGE]... [-p] CONTAINER [REPO[:TAG]] */
#include "ctr.h"
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int
cmd_commit (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "message", required_argument, NULL, 'm' },
    { "author", required_argument, NULL, 'a' },
    { "change", required_argument, NULL, 'c' },
    { "pause", optional_argument, NULL, 'p' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  struct engine_commit_opts o = { .pause = true };
  _cleanup_strv_ char **changes = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "m:a:c:ph", opts, NULL)) != -1)
    switch (c)
      {
      case 'm':
        o.message = optarg;
        break;
      case 'a':
        o.author = optarg;
        break;
      case 'c':
        strv_push (&changes, optarg);
        break;
      case 'p':
        o.pause = optarg == NULL || strcmp (optarg, "true") == 0;
        break;
      case 'h':
        printf ("Usage: hull commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\n"
                "Create an image from a container's changes.\n\n"
                "  -m, --message MSG     commit message\n"
                "  -a, --author NAME     author\n"
                "  -c, --change INSTR    CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER,\n"
                "                        VOLUME or WORKDIR, as in a Dockerfile\n"
                "  -p, --pause=BOOL      pause the container meanwhile (default true)\n");
        return 0;
      default:
        return hull_usage_error ("commit", "unknown option");
      }
  if (argc - optind < 1 || argc - optind > 2)
    return hull_usage_error ("commit", "requires 1 or 2 arguments");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *name = NULL, *id = NULL;
  if (argc - optind == 2 && hull_normalize_tag (argv[optind + 1], &name, &err) < 0)
    return hull_usage_error ("commit", "%s", err->msg);
  o.name = name;
  o.changes = changes;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_commit (e, argv[optind], &o, &id, &err) < 0)
    return hull_report (&err);
  printf ("%s\n", id);
  return 0;
}
