/* hull system df | prune: disk usage, and removing what nothing uses. */
#include "ctr.h"
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "image/images.h"
#include "image/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
pct (uint64_t part, uint64_t whole, char *buf, size_t cap)
{
  char s[32];
  hull_human_size (part, s, sizeof s);
  snprintf (buf, cap, "%s (%d%%)", s, whole ? (int)(100 * part / whole) : 0);
}

struct df_opts
{
  const char *format;
  bool verbose;
};

static const struct cli_option df_options[] = {
  CLI_OPT_STRING (0, "format", struct df_opts, format, "json", "one JSON object per line"),
  CLI_OPT_FLAG ('v', "verbose", struct df_opts, verbose, "accepted for compatibility"),
  { 0 },
};

static int
df_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const char *format = ((const struct df_opts *)opts)->format;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  struct ctr_record **cl = NULL;
  struct image_info **il = NULL;
  if (engine_list (e, &cl, &err) < 0 || image_store_list_images (engine_store (e), &il, &err) < 0)
    {
      ctr_record_list_free (cl);
      return hull_report (&err);
    }
  uint64_t isize = 0, ireclaim = 0, csize = 0, creclaim = 0;
  size_t ni = 0, nia = 0, nc = 0, nca = 0;
  for (size_t i = 0; il && il[i]; i++, ni++)
    {
      bool used = false;
      for (size_t k = 0; cl[k] && !used; k++)
        used = cl[k]->image_id && strcmp (cl[k]->image_id, il[i]->id) == 0;
      isize += il[i]->size;
      if (used)
        nia++;
      else
        ireclaim += il[i]->size;
    }
  for (size_t k = 0; cl[k]; k++, nc++)
    {
      uint64_t sz = engine_ctr_size (e, cl[k]->id);
      bool active = cl[k]->state == CTR_RUNNING || cl[k]->state == CTR_PAUSED
                    || cl[k]->state == CTR_RESTARTING;
      csize += sz;
      if (active)
        nca++;
      else
        creclaim += sz;
    }
  char a[32], b[48], d[32], f[48];
  if (format && strcmp (format, "json") != 0)
    return hull_usage_error ("system df", "unsupported format `%s` (json)", format);
  if (format)
    {
      printf ("{\"Type\":\"Images\",\"TotalCount\":%zu,\"Active\":%zu,\"Size\":%llu,"
              "\"Reclaimable\":%llu}\n",
              ni, nia, (unsigned long long)isize, (unsigned long long)ireclaim);
      printf ("{\"Type\":\"Containers\",\"TotalCount\":%zu,\"Active\":%zu,\"Size\":%llu,"
              "\"Reclaimable\":%llu}\n",
              nc, nca, (unsigned long long)csize, (unsigned long long)creclaim);
      printf ("{\"Type\":\"Local Volumes\",\"TotalCount\":0,\"Active\":0,\"Size\":0,"
              "\"Reclaimable\":0}\n");
    }
  else
    {
      struct table *t = table_new (5);
      table_add (t, (const char *[]){ "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE" });
      char n1[24], n2[24];
      snprintf (n1, sizeof n1, "%zu", ni);
      snprintf (n2, sizeof n2, "%zu", nia);
      hull_human_size (isize, a, sizeof a);
      pct (ireclaim, isize, b, sizeof b);
      table_add (t, (const char *[]){ "Images", n1, n2, a, b });
      snprintf (n1, sizeof n1, "%zu", nc);
      snprintf (n2, sizeof n2, "%zu", nca);
      hull_human_size (csize, d, sizeof d);
      pct (creclaim, csize, f, sizeof f);
      table_add (t, (const char *[]){ "Containers", n1, n2, d, f });
      table_add (t, (const char *[]){ "Local Volumes", "0", "0", "0B", "0B" });
      table_print (t);
      table_free (t);
    }
  ctr_record_list_free (cl);
  image_info_list_free (il);
  return 0;
}

struct sys_prune_opts
{
  bool all, force, volumes;
};

static const struct cli_option prune_options[] = {
  CLI_OPT_FLAG ('a', "all", struct sys_prune_opts, all, "remove all unused images"),
  CLI_OPT_FLAG ('f', "force", struct sys_prune_opts, force, "do not ask for a confirmation"),
  CLI_OPT_FLAG ('v', "volumes", struct sys_prune_opts, volumes, "accepted for compatibility"),
  { 0 },
};

static int
prune_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct sys_prune_opts *opt = opts;
  bool all = opt->all, force = opt->force;
  if (!force)
    {
      if (!isatty (0))
        return hull_usage_error ("system prune", "not a terminal: confirm with -f");
      fprintf (stderr,
               "WARNING! This will remove all stopped containers and %s images.\n"
               "Are you sure you want to continue? [y/N] ",
               all ? "all unused" : "dangling");
      char ans[16] = "";
      if (fgets (ans, sizeof ans, stdin) == NULL || (ans[0] != 'y' && ans[0] != 'Y'))
        return 0;
    }
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  struct ctr_record **cl = NULL;
  if (engine_list (e, &cl, &err) < 0)
    return hull_report (&err);
  uint64_t reclaimed = 0;
  bool header = false;
  for (size_t k = 0; cl[k]; k++)
    {
      if (cl[k]->state != CTR_EXITED && cl[k]->state != CTR_CREATED && cl[k]->state != CTR_DEAD)
        continue;
      uint64_t sz = engine_ctr_size (e, cl[k]->id);
      struct error *e2 = NULL;
      if (engine_remove (e, cl[k]->id, false, true, &e2) < 0)
        {
          hull_report (&e2);
          continue;
        }
      if (!header)
        printf ("Deleted Containers:\n");
      header = true;
      printf ("%s\n", cl[k]->id);
      reclaimed += sz;
    }
  ctr_record_list_free (cl);
  if (header)
    printf ("\n");
  _cleanup_strv_ char **ids = NULL;
  if (image_store_prune (engine_store (e), all, &ids, &err) < 0)
    return hull_report (&err);
  if (ids && ids[0])
    {
      printf ("Deleted Images:\n");
      for (size_t i = 0; ids[i]; i++)
        printf ("deleted: %s\n", ids[i]);
      printf ("\n");
    }
  uint64_t freed = 0;
  if (image_store_gc (engine_store (e), &freed, &err) < 0)
    {
      /* another hull holds the store: the space comes back on a later gc */
      error_free (err);
      err = NULL;
    }
  char s[32];
  hull_human_size (reclaimed + freed, s, sizeof s);
  printf ("Total reclaimed space: %s\n", s);
  return 0;
}

static const struct cli_command df_cmd = {
  .name = "df",
  .summary = "Show disk usage",
  .description = "Disk usage of images and containers.",
  .options = df_options,
  .opts_size = sizeof (struct df_opts),
  .max_args = 0,
  .run = df_run,
};

static const struct cli_command prune_cmd = {
  .name = "prune",
  .summary = "Remove unused data",
  .description = "Remove stopped containers and dangling images (-a: all unused images).",
  .options = prune_options,
  .opts_size = sizeof (struct sys_prune_opts),
  .max_args = 0,
  .run = prune_run,
};

static const struct cli_entry system_verbs[] = {
  { &df_cmd },
  { &prune_cmd },
  { NULL },
};

const struct cli_command hull_cmd_system = {
  .name = "system",
  .summary = "Disk usage (df), remove unused data (prune)",
  .sub = system_verbs,
};
