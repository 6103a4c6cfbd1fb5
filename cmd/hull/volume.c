/* hull volume create|ls|rm|inspect|prune (lib/volume). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "volume/engine-ext.h"
#include "volume/volume.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
open_vs (struct hull_ctx *ctx, struct engine **e, struct volume_store **vs, bool reconcile,
         struct error **err)
{
  int r = hull_open_engine (ctx, e, err);
  if (r < 0 || (r = volume_engine_store (*e, vs, err)) < 0)
    return r;
  /* references of containers that are gone (a crash between create and
   * its record) must not keep a volume "in use" */
  return reconcile ? volume_engine_reconcile (*e, err) : 0;
}

struct create_opts
{
  char **labels;
  const char *name;
};

enum
{
  V_DRIVER,
  V_OPT,
};

static int
create_option (void *opts, int key, const char *v, struct error **err)
{
  if (key == V_DRIVER && strcmp (v, "local") == 0)
    return 0;
  if (key == V_DRIVER)
    return error_set (err, ENOTSUP, "volume driver `%s` is not supported (only local)", v);
  return error_set (err, ENOTSUP, "volume option `%s` is not supported", v);
}

static const struct cli_option create_options[] = {
  CLI_OPT_STRV (0, "label", struct create_opts, labels, "K=V", "metadata"),
  CLI_OPT_CALL ('d', "driver", V_DRIVER, "local", "the only driver"),
  CLI_OPT_CALL ('o', "opt", V_OPT, "K=V", "driver options (none supported)"),
  CLI_OPT_STRING (0, "name", struct create_opts, name, "NAME", "the volume's name"),
  { 0 },
};

static int
create_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct create_opts *opt = opts;
  char **labels = opt->labels;
  const char *name = argc > 0 ? argv[0] : opt->name;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct volume_store *vs;
  _cleanup_volume_ struct volume *v = NULL;
  if (open_vs (ctx, &e, &vs, false, &err) < 0
      || volume_create (vs, name, labels, false, &v, NULL, &err) < 0)
    return hull_report (&err);
  printf ("%s\n", v->name);
  return 0;
}

struct ls_opts
{
  bool quiet;
  const char *format;
};

static const struct cli_option ls_options[] = {
  CLI_OPT_FLAG ('q', "quiet", struct ls_opts, quiet, "only the volumes' names"),
  CLI_OPT_STRING ('f', "format", struct ls_opts, format, "TEMPLATE", "a template, or json"),
  { 0 },
};

static int
ls_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct ls_opts *opt = opts;
  bool quiet = opt->quiet;
  const char *fmt = opt->format;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct volume_store *vs;
  struct volume **l = NULL;
  if (open_vs (ctx, &e, &vs, false, &err) < 0 || volume_list (vs, &l, &err) < 0)
    return hull_report (&err);
  size_t k = strv_len ((char **)l);
  static const char *const keys[] = { "Driver", "Name", "Mountpoint", NULL };
  static const char *const names[] = { "DRIVER", "VOLUME NAME", "MOUNTPOINT", NULL };
  struct fmt_row *rows = calloc (k + 1, sizeof *rows);
  const char *(*vals)[4] = calloc (k + 1, sizeof *vals);
  int ret = rows && vals ? 0 : error_set (&err, ENOMEM, "out of memory");
  for (size_t i = 0; ret == 0 && i < k; i++)
    {
      vals[i][0] = l[i]->driver;
      vals[i][1] = l[i]->name;
      vals[i][2] = l[i]->mountpoint;
      vals[i][3] = NULL;
      rows[i].keys = keys;
      rows[i].values = vals[i];
      rows[i].json = json_object_new_object ();
      for (int j = 0; j < 3; j++)
        json_object_object_add (rows[i].json, keys[j], json_object_new_string (vals[i][j]));
    }
  if (ret == 0)
    {
      if (quiet)
        for (size_t i = 0; i < k; i++)
          printf ("%s\n", l[i]->name);
      else if (fmt)
        ret = hull_format_rows (fmt, rows, k, keys, names, &err);
      else
        {
          struct table *t = table_new (2);
          const char *h[] = { "DRIVER", "VOLUME NAME" };
          table_add (t, h);
          for (size_t i = 0; i < k; i++)
            table_add (t, vals[i]);
          table_print (t);
          table_free (t);
        }
    }
  for (size_t i = 0; rows && i < k; i++)
    json_object_put (rows[i].json);
  free (rows);
  free (vals);
  volume_list_free (l);
  return ret < 0 ? hull_report (&err) : 0;
}

struct rm_opts
{
  bool force;
};

static const struct cli_option rm_options[] = {
  CLI_OPT_FLAG ('f', "force", struct rm_opts, force, "no error for a volume that is not there"),
  { 0 },
};

static int
rm_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  bool force = ((const struct rm_opts *)opts)->force;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct volume_store *vs;
  if (open_vs (ctx, &e, &vs, true, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = 0; i < argc; i++)
    {
      int r = volume_remove (vs, argv[i], &err);
      if (r == -ENOENT && force)
        {
          error_free (err);
          err = NULL;
          continue;
        }
      if (r < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return ret;
}

static int
inspect_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct volume_store *vs;
  if (open_vs (ctx, &e, &vs, false, &err) < 0)
    return hull_report (&err);
  json_object *arr = json_object_new_array ();
  int ret = 0;
  for (int i = 0; i < argc; i++)
    {
      _cleanup_volume_ struct volume *v = NULL;
      if (volume_get (vs, argv[i], &v, &err) < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      json_object_array_add (arr, volume_to_json (v));
    }
  printf ("%s\n",
          json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                                   | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (arr);
  return ret;
}

struct prune_opts
{
  bool force, all;
};

static const struct cli_option prune_options[] = {
  CLI_OPT_FLAG ('a', "all", struct prune_opts, all, "every unused volume, named ones too"),
  CLI_OPT_FLAG ('f', "force", struct prune_opts, force,
                "do not ask for a confirmation (hull never asks)"),
  { 0 },
};

static int
prune_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  bool all = ((const struct prune_opts *)opts)->all;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct volume_store *vs;
  _cleanup_strv_ char **removed = NULL;
  if (open_vs (ctx, &e, &vs, true, &err) < 0 || volume_prune (vs, all, &removed, &err) < 0)
    return hull_report (&err);
  if (removed)
    printf ("Deleted Volumes:\n");
  for (size_t i = 0; removed && removed[i]; i++)
    printf ("%s\n", removed[i]);
  return 0;
}

static const struct cli_command create_cmd = {
  .name = "create",
  .summary = "Create a volume",
  .args = "[NAME]",
  .description = "Create a volume (a random name when none is given).",
  .options = create_options,
  .opts_size = sizeof (struct create_opts),
  .on_option = create_option,
  .max_args = 1,
  .run = create_run,
};

static const struct cli_command ls_cmd = {
  .name = "ls",
  .summary = "List volumes",
  .options = ls_options,
  .opts_size = sizeof (struct ls_opts),
  .max_args = 0,
  .run = ls_run,
};

static const struct cli_command rm_cmd = {
  .name = "rm",
  .summary = "Remove volumes (not while a container uses them)",
  .args = "VOLUME [VOLUME...]",
  .options = rm_options,
  .opts_size = sizeof (struct rm_opts),
  .min_args = 1,
  .max_args = -1,
  .run = rm_run,
};

static const struct cli_command inspect_cmd = {
  .name = "inspect",
  .summary = "Show volumes as JSON",
  .args = "VOLUME [VOLUME...]",
  .min_args = 1,
  .max_args = -1,
  .run = inspect_run,
};

static const struct cli_command prune_cmd = {
  .name = "prune",
  .summary = "Remove unused anonymous volumes (-a: all unused)",
  .options = prune_options,
  .opts_size = sizeof (struct prune_opts),
  .max_args = 0,
  .run = prune_run,
};

static const struct cli_entry volume_verbs[] = {
  { &create_cmd },
  { &ls_cmd, "ls", "list" },
  { &rm_cmd, "rm", "remove" },
  { &inspect_cmd },
  { &prune_cmd },
  { NULL },
};

const struct cli_command hull_cmd_volume = {
  .name = "volume",
  .summary = "Manage volumes",
  .sub = volume_verbs,
};
