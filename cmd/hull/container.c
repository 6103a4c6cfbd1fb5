/* hull container VERB: docker's `container` group (ls, rm, inspect...), and
 * `hull inspect` for containers and images alike.  `hull container cleanup
 * ID` runs by hand what finishes a container after its exit (engine_cleanup;
 * the monitor itself uses hull-cleanup, see docs/design/engine.md). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static int
inspect_containers (struct hull_ctx *ctx, int argc, char **argv, int first, const char *format,
                    bool fallback_images)
{
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  if (fallback_images)
    {
      /* docker: a name that is no container may be an image */
      bool all = true;
      for (int i = first; i < argc && all; i++)
        {
          _cleanup_ctr_record_ struct ctr_record *r = NULL;
          struct error *e2 = NULL;
          all = engine_lookup (e, argv[i], &r, &e2) == 0;
          error_free (e2);
        }
      if (!all)
        return -1;
    }
  json_object *arr = json_object_new_array ();
  int ret = 0;
  for (int i = first; i < argc; i++)
    {
      _cleanup_ctr_record_ struct ctr_record *r = NULL;
      if (engine_lookup (e, argv[i], &r, &err) < 0)
        {
          ret = hull_report (&err);
          continue;
        }
      json_object *o = hull_ctr_inspect_json (e, r);
      if (format)
        {
          struct fmt_row row = { .keys = (const char *const[]){ NULL },
                                 .values = (const char *const[]){ NULL }, .json = o };
          if (hull_format_rows (format, &row, 1, NULL, NULL, &err) < 0)
            ret = hull_report (&err);
          json_object_put (o);
          continue;
        }
      json_object_array_add (arr, o);
    }
  if (!format)
    printf ("%s\n", json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PRETTY
                                                            | JSON_C_TO_STRING_SPACED
                                                            | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (arr);
  return ret;
}

static int
inspect_main (struct hull_ctx *ctx, int argc, char **argv, const char *type)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { "type", required_argument, NULL, 'T' },
    { "size", no_argument, NULL, 's' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  const char *format = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "+f:sh", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        format = optarg;
        break;
      case 'T':
        if (strcmp (optarg, "container") && strcmp (optarg, "image"))
          return hull_usage_error ("inspect", "invalid --type `%s` (container, image)", optarg);
        type = optarg;
        break;
      case 's':
        break;
      case 'h':
        printf ("Usage: hull inspect [--type container|image] [-f FORMAT] NAME|ID...\n\n"
                "Show containers' or images' metadata as JSON, or FORMAT "
                "({{.State.Status}}, {{json .Config}}).\n");
        return 0;
      default:
        return hull_usage_error ("inspect", "unknown option");
      }
  if (optind >= argc)
    return hull_usage_error ("inspect", "requires at least 1 argument");
  if (format && strcmp (format, "json") == 0)
    format = NULL;
  if (type && strcmp (type, "image") == 0)
    {
      optind = 0;
      return cmd_inspect (ctx, argc, argv);
    }
  int r = inspect_containers (ctx, argc, argv, optind, format, type == NULL);
  if (r == -1)
    {
      /* not all containers: images (the image verb has its own options) */
      char **args = argv;
      int n = argc;
      optind = 0;
      return cmd_inspect (ctx, n, args);
    }
  return r;
}

int
cmd_container_inspect (struct hull_ctx *ctx, int argc, char **argv)
{
  return inspect_main (ctx, argc, argv, NULL);
}

static int
cleanup (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc != 2)
    return hull_usage_error ("container cleanup", "requires exactly 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_cleanup (e, argv[1], &err) < 0)
    return hull_report (&err);
  return 0;
}

int
cmd_container (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct
  {
    const char *name;
    hull_verb_fn fn;
  } sub[] = {
    { "ls", cmd_ps },           { "list", cmd_ps },         { "ps", cmd_ps },
    { "create", cmd_create },   { "run", cmd_run },         { "start", cmd_start },
    { "stop", cmd_stop },       { "kill", cmd_kill },       { "restart", cmd_restart },
    { "rm", cmd_rm },           { "remove", cmd_rm },       { "logs", cmd_logs },
    { "exec", cmd_exec },       { "wait", cmd_wait },       { "pause", cmd_pause },
    { "unpause", cmd_unpause }, { "rename", cmd_rename },   { "attach", cmd_attach },
    { "top", cmd_top },         { "stats", cmd_stats },     { "cp", cmd_cp },
    { "port", cmd_port },       { "diff", cmd_diff },       { "commit", cmd_commit },
    { "inspect", NULL },        { "cleanup", cleanup },
  };
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      FILE *f = argc < 2 ? stderr : stdout;
      fprintf (f, "Usage: hull container COMMAND\n\nCommands:");
      for (size_t i = 0; i < sizeof sub / sizeof *sub; i++)
        if (sub[i].fn != cleanup)
          fprintf (f, " %s", sub[i].name);
      fprintf (f, "\n");
      return argc < 2 ? HULL_EXIT_USAGE : 0;
    }
  for (size_t i = 0; i < sizeof sub / sizeof *sub; i++)
    if (strcmp (sub[i].name, argv[1]) == 0)
      {
        optind = 0;
        if (sub[i].fn == NULL)
          return inspect_main (ctx, argc - 1, argv + 1, "container");
        return sub[i].fn (ctx, argc - 1, argv + 1);
      }
  fprintf (stderr, "hull: unknown command `container %s`\nSee 'hull container --help'.\n", argv[1]);
  return HULL_EXIT_USAGE;
}
