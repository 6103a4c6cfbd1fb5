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
#include <getopt.h>
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

static int
vol_create (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "label", required_argument, NULL, 'l' }, { "driver", required_argument, NULL, 'd' },
    { "opt", required_argument, NULL, 'o' },   { "name", required_argument, NULL, 'n' },
    { "help", no_argument, NULL, 'h' },        {},
  };
  _cleanup_strv_ char **labels = NULL;
  const char *name = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "d:o:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'l':
        strv_push (&labels, optarg);
        break;
      case 'd':
        if (strcmp (optarg, "local") != 0)
          {
            fprintf (stderr, "Error: volume driver `%s` is not supported (only local)\n", optarg);
            return HULL_EXIT_USAGE;
          }
        break;
      case 'o':
        fprintf (stderr, "Error: volume option `%s` is not supported\n", optarg);
        return HULL_EXIT_USAGE;
      case 'n':
        name = optarg;
        break;
      case 'h':
        printf ("Usage: hull volume create [--label K=V] [NAME]\n\nCreate a volume (a random "
                "name when none is given).\n");
        return 0;
      default:
        return hull_usage_error ("volume create", "unknown option");
      }
  if (optind < argc)
    name = argv[optind++];
  if (optind < argc)
    return hull_usage_error ("volume create", "at most 1 argument");
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

static int
vol_ls (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' }, { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' }, {},
  };
  bool quiet = false;
  const char *fmt = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "qf:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'q':
        quiet = true;
        break;
      case 'f':
        fmt = optarg;
        break;
      case 'h':
        printf ("Usage: hull volume ls [-q] [--format TEMPLATE|json]\n");
        return 0;
      default:
        return hull_usage_error ("volume ls", "unknown option");
      }
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct volume_store *vs;
  struct volume **l = NULL;
  if (open_vs (ctx, &e, &vs, false, &err) < 0 || volume_list (vs, &l, &err) < 0)
    return hull_report (&err);
  size_t k = strv_len ((char **) l);
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

static int
vol_rm (struct hull_ctx *ctx, int argc, char **argv)
{
  int c;
  static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, {} };
  bool force = false;
  while ((c = getopt_long (argc, argv, "f", opts, NULL)) != -1)
    if (c == 'f')
      force = true;
    else
      return hull_usage_error ("volume rm", "unknown option");
  if (optind >= argc)
    return hull_usage_error ("volume rm", "requires at least 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct volume_store *vs;
  if (open_vs (ctx, &e, &vs, true, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = optind; i < argc; i++)
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
vol_inspect (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc < 2)
    return hull_usage_error ("volume inspect", "requires at least 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct volume_store *vs;
  if (open_vs (ctx, &e, &vs, false, &err) < 0)
    return hull_report (&err);
  json_object *arr = json_object_new_array ();
  int ret = 0;
  for (int i = 1; i < argc; i++)
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
  printf ("%s\n", json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PRETTY
                                                           | JSON_C_TO_STRING_SPACED
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (arr);
  return ret;
}

static int
vol_prune (struct hull_ctx *ctx, int argc, char **argv)
{
  int c;
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' }, { "all", no_argument, NULL, 'a' }, {},
  };
  bool all = false;
  while ((c = getopt_long (argc, argv, "fa", opts, NULL)) != -1)
    if (c == 'a')
      all = true;
    else if (c != 'f')
      return hull_usage_error ("volume prune", "unknown option");
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

int
cmd_volume (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      printf ("Usage: hull volume COMMAND\n\nManage volumes.\n\n"
              "  create   Create a volume\n"
              "  ls       List volumes\n"
              "  rm       Remove volumes (not while a container uses them)\n"
              "  inspect  Show volumes as JSON\n"
              "  prune    Remove unused anonymous volumes (-a: all unused)\n");
      return argc < 2 ? HULL_EXIT_USAGE : 0;
    }
  const char *v = argv[1];
  argc--, argv++;
  optind = 0;
  if (strcmp (v, "create") == 0)
    return vol_create (ctx, argc, argv);
  if (strcmp (v, "ls") == 0 || strcmp (v, "list") == 0)
    return vol_ls (ctx, argc, argv);
  if (strcmp (v, "rm") == 0 || strcmp (v, "remove") == 0)
    return vol_rm (ctx, argc, argv);
  if (strcmp (v, "inspect") == 0)
    return vol_inspect (ctx, argc, argv);
  if (strcmp (v, "prune") == 0)
    return vol_prune (ctx, argc, argv);
  fprintf (stderr, "Error: unknown command `hull volume %s`\n", v);
  return HULL_EXIT_USAGE;
}
