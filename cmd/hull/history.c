/* hull history IMAGE: IMAGE CREATED CREATED BY SIZE COMMENT, newest first. */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "image/images.h"
#include "image/manifest.h"
#include "image/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
hull_layer_size (struct image_store *s, const char *diff_id)
{
  uint64_t size = 0;
  struct error *e = NULL;
  if (image_store_layer_info (s, diff_id, &size, NULL, NULL, NULL, &e) < 0)
    error_free (e);
  return size;
}

struct history_opts
{
  bool notrunc, quiet;
};

static const struct cli_option history_options[] = {
  CLI_OPT_FLAG (0, "no-trunc", struct history_opts, notrunc, "do not truncate the output"),
  CLI_OPT_FLAG ('q', "quiet", struct history_opts, quiet, "only the layers' IDs"),
  { 0 },
};

static int
history_run (void *c, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = c;
  const struct history_opts *opt = opts;
  bool notrunc = opt->notrunc, quiet = opt->quiet;
  (void)argc;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  _cleanup_image_info_ struct image_info *img = NULL;
  if (image_store_resolve (s, argv[0], &img, &err) < 0)
    return hull_report (&err);
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  if (image_store_read_blob (s, img->id, CONFIG_MAX_SIZE, &data, &len, &err) < 0)
    return hull_report (&err);
  _cleanup_image_config_ struct image_config *cfg = NULL;
  if (image_config_parse (data, len, &cfg, &err) < 0)
    return hull_report (&err);
  size_t nlayers = strv_len (img->diff_ids);
  /* history entries without empty_layer map to the layers in order */
  size_t *layer_of = calloc (cfg->nhistory + 1, sizeof *layer_of);
  size_t li = 0;
  for (size_t i = 0; i < cfg->nhistory; i++)
    layer_of[i] = cfg->history[i].empty_layer ? (size_t)-1 : li++;
  if (!quiet)
    printf ("%-*s   %-16s   %-45s   %-8s   %s\n", notrunc ? 71 : 12, "IMAGE", "CREATED",
            "CREATED BY", "SIZE", "COMMENT");
  for (size_t k = cfg->nhistory; k > 0; k--)
    {
      size_t i = k - 1;
      const struct history_entry *h = &cfg->history[i];
      char sid[13];
      const char *id
          = k == cfg->nhistory ? (notrunc ? img->id : hull_short_id (img->id, sid)) : "<missing>";
      if (quiet)
        {
          printf ("%s\n", id);
          continue;
        }
      char since[64], size[32] = "0B";
      hull_human_since (h->created, since, sizeof since);
      if (layer_of[i] != (size_t)-1 && layer_of[i] < nlayers)
        hull_human_size (hull_layer_size (s, img->diff_ids[layer_of[i]]), size, sizeof size);
      const char *by = h->created_by ? h->created_by : "";
      char byb[48];
      if (!notrunc && strlen (by) > 45)
        {
          snprintf (byb, sizeof byb, "%.42s...", by);
          by = byb;
        }
      printf ("%-*s   %-16s   %-45s   %-8s   %s\n", notrunc ? 71 : 12, id, since, by, size,
              h->comment ? h->comment : "");
    }
  free (layer_of);
  return 0;
}

const struct cli_command hull_cmd_history = {
  .name = "history",
  .summary = "Show an image's history",
  .args = "IMAGE",
  .options = history_options,
  .opts_size = sizeof (struct history_opts),
  .min_args = 1,
  .max_args = 1,
  .run = history_run,
};
