/* hull container VERB: docker's `container` group (ls, rm, inspect...), and
 * `hull inspect` for containers and images alike.  `hull container cleanup
 * ID` runs by hand what finishes a container after its exit (engine_cleanup;
 * the monitor itself uses hull-cleanup, see docs/design/engine.md).  The
 * group's table is in verbs.c. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static int
inspect_containers (struct hull_ctx *ctx, int argc, char **argv, int first, const char *format,
                    bool fallback_images)
{
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (format && !hull_format_valid (format, &err))
    return hull_report (&err);
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
          /* docker's JSON omits an empty StopSignal, but its template sees
           * the struct's field, which prints "" */
          json_object *cfg = NULL;
          if (json_object_object_get_ex (o, "Config", &cfg)
              && json_object_is_type (cfg, json_type_object)
              && !json_object_object_get_ex (cfg, "StopSignal", NULL))
            json_object_object_add (cfg, "StopSignal", json_object_new_string (""));
          struct fmt_row row = { .keys = (const char *const[]){ NULL },
                                 .values = (const char *const[]){ NULL },
                                 .json = o };
          if (hull_format_rows (format, &row, 1, NULL, NULL, &err) < 0)
            ret = hull_report (&err);
          json_object_put (o);
          continue;
        }
      json_object_array_add (arr, o);
    }
  if (!format)
    printf ("%s\n",
            json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                                     | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (arr);
  return ret;
}

struct inspect_opts
{
  const char *format, *type;
  bool size;
};

static int
inspect_option (void *opts, int key, const char *v, struct error **err)
{
  if (strcmp (v, "container") && strcmp (v, "image"))
    return error_set (err, EINVAL, "invalid --type `%s` (container, image)", v);
  ((struct inspect_opts *)opts)->type = v;
  return 0;
}

static const struct cli_option inspect_options[] = {
  CLI_OPT_STRING ('f', "format", struct inspect_opts, format, "FORMAT",
                  "a template ({{.State.Status}}, {{json .Config}}) instead of JSON"),
  CLI_OPT_CALL (0, "type", 0, "TYPE", "container or image"),
  CLI_OPT_FLAG ('s', "size", struct inspect_opts, size, "accepted for compatibility"),
  { 0 },
};

static int
inspect_main (struct hull_ctx *ctx, const struct inspect_opts *opt, int argc, char **argv,
              const char *type)
{
  const char *format = opt->format;
  if (opt->type)
    type = opt->type;
  if (type && strcmp (type, "image") == 0)
    return hull_image_inspect (ctx, format, argc, argv);
  if (format && strcmp (format, "json") == 0)
    format = NULL;
  int r = inspect_containers (ctx, argc, argv, 0, format, type == NULL);
  if (r == -1) /* not all containers: images */
    return hull_image_inspect (ctx, opt->format, argc, argv);
  return r;
}

static int
inspect_run (void *ctx, void *opts, int argc, char **argv)
{
  return inspect_main (ctx, opts, argc, argv, NULL);
}

static int
container_inspect_run (void *ctx, void *opts, int argc, char **argv)
{
  return inspect_main (ctx, opts, argc, argv, "container");
}

/* hull inspect and hull container inspect: the same options */
#define INSPECT_COMMAND(WHAT, ARGS, RUN)                                                          \
  {                                                                                               \
    .name = "inspect", .summary = "Show " WHAT "' metadata as JSON", .args = ARGS,                \
    .description = "Show " WHAT "' metadata as JSON, or FORMAT ({{.State.Status}}, "              \
                   "{{json .Config}}).",                                                          \
    .options = inspect_options, .opts_size = sizeof (struct inspect_opts),                        \
    .on_option = inspect_option, .min_args = 1, .max_args = -1, .run = RUN,                       \
    .flags = CLI_NO_INTERSPERSE,                                                                  \
  }

const struct cli_command hull_cmd_inspect
    = INSPECT_COMMAND ("containers' or images", "NAME|ID [NAME|ID...]", inspect_run);
const struct cli_command hull_cmd_container_inspect
    = INSPECT_COMMAND ("containers", "CONTAINER [CONTAINER...]", container_inspect_run);

static int
cleanup_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_cleanup (e, argv[0], &err) < 0)
    return hull_report (&err);
  return 0;
}

/* The monitor's exit command (internal, hidden). */
const struct cli_command hull_cmd_container_cleanup = {
  .name = "cleanup",
  .summary = "Bring a container's record up to date after its exit",
  .args = "CONTAINER",
  .min_args = 1,
  .max_args = 1,
  .run = cleanup_run,
};
