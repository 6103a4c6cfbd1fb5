/* hull sbom IMAGE|CONTAINER [--format table|cyclonedx|spdx]: what is
 * installed (lib/scan). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"
#include "scan/scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
print_table (const struct scan_inventory *inv)
{
  if (inv->os.id)
    printf ("OS: %s %s%s%s\n", inv->os.id, inv->os.version_id ? inv->os.version_id : "",
            inv->os.detail ? " " : "", inv->os.detail ? inv->os.detail : "");
  else
    printf ("OS: unknown\n");
  struct table *t = table_new (6);
  const char *head[] = { "TYPE", "NAME", "VERSION", "SOURCE", "PATH", "DRIFT" };
  table_add (t, head);
  for (size_t i = 0; i < inv->n_pkgs; i++)
    {
      const struct scan_pkg *p = &inv->pkgs[i];
      _cleanup_free_ char *src = NULL;
      if (p->src_name || p->src_version)
        {
          if (asprintf (&src, "%s %s", p->src_name ? p->src_name : p->name,
                        p->src_version ? p->src_version : p->version)
              < 0)
            src = NULL;
        }
      const char *row[] = {
        scan_pkg_type_name (p->type), p->name, p->version, src ? src : "-", p->path ? p->path : "-",
        p->drift ? "yes" : "-"
      };
      table_add (t, row);
    }
  table_print (t);
  table_free (t);
}

struct sbom_opts
{
  const char *format;
};

static const struct cli_option sbom_options[] = {
  CLI_OPT_STRING ('f', "format", struct sbom_opts, format, "FORMAT",
                  "table (default), cyclonedx, spdx"),
  { 0 },
};

static int
sbom_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct sbom_opts *opt = opts;
  const char *format = opt->format ? opt->format : "table";
  (void)argc;
  if (strcmp (format, "table") != 0 && strcmp (format, "cyclonedx") != 0
      && strcmp (format, "spdx") != 0)
    return hull_usage_error ("sbom", "unknown format `%s` (table, cyclonedx, spdx)", format);
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct scan_subject sub = { 0 };
  _cleanup_scan_reader_ struct scan_reader *r = NULL;
  _cleanup_scan_inventory_ struct scan_inventory *inv = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || scan_subject_resolve (e, argv[0], &sub, &err) < 0)
    return hull_report (&err);
  int ret = scan_reader_new (&r, &err);
  if (ret == 0)
    ret = scan_inventory_layers (r, sub.layers, sub.upper, &inv, &err);
  if (ret < 0)
    {
      scan_subject_clear (&sub);
      return hull_report (&err);
    }
  for (size_t i = 0; inv->problems && inv->problems[i]; i++)
    fprintf (stderr, "hull: warning: %s: %s\n", sub.name, inv->problems[i]);
  if (strcmp (format, "table") == 0)
    print_table (inv);
  else
    {
      _cleanup_free_ char *doc = strcmp (format, "spdx") == 0 ? scan_sbom_spdx (inv, sub.name)
                                                              : scan_sbom_cyclonedx (inv, sub.name);
      if (!doc)
        {
          scan_subject_clear (&sub);
          error_set (&err, ENOMEM, "sbom: out of memory");
          return hull_report (&err);
        }
      printf ("%s\n", doc);
    }
  scan_subject_clear (&sub);
  return 0;
}

const struct cli_command hull_cmd_sbom = {
  .name = "sbom",
  .summary = "List the packages in an image or a container",
  .args = "IMAGE|CONTAINER",
  .description = "List the packages installed in an image or a container (OS packages from\n"
                 "dpkg and apk databases, Python and npm packages).  For a container, what it\n"
                 "added or changed is marked as drift.",
  .options = sbom_options,
  .opts_size = sizeof (struct sbom_opts),
  .min_args = 1,
  .max_args = 1,
  .run = sbom_run,
};
