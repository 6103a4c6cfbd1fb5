/* hull images: REPOSITORY TAG IMAGE ID CREATED SIZE, as docker. */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "image/images.h"
#include "image/store.h"
#include "registry/reference.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct row
{
  const struct image_info *img;
  char *repo, *tag, *digest;
};

struct images_opts
{
  bool all, quiet, digests, notrunc;
  const char *format;
};

static const struct cli_option images_options[] = {
  CLI_OPT_FLAG ('a', "all", struct images_opts, all,
                "show all images (accepted for compatibility)"),
  CLI_OPT_FLAG ('q', "quiet", struct images_opts, quiet, "only image IDs"),
  CLI_OPT_FLAG (0, "digests", struct images_opts, digests, "show digests"),
  CLI_OPT_FLAG (0, "no-trunc", struct images_opts, notrunc, "full image IDs"),
  CLI_OPT_STRING (0, "format", struct images_opts, format, "json", "one JSON object per line"),
  { 0 },
};

static int
images_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct images_opts *opt = opts;
  bool quiet = opt->quiet, digests = opt->digests, notrunc = opt->notrunc, json = false;
  if (opt->format)
    {
      if (strcmp (opt->format, "json") != 0 && strcmp (opt->format, "{{json .}}") != 0)
        return hull_usage_error ("images", "unsupported format `%s` (use json)", opt->format);
      json = true;
    }
  _cleanup_error_ struct error *err = NULL;
  _cleanup_reference_ struct reference *filter = NULL;
  _cleanup_free_ char *filter_name = NULL;
  if (argc > 0)
    {
      if (reference_parse (argv[0], REFERENCE_NO_DEFAULT_TAG, &filter, &err) < 0)
        return hull_report (&err);
      filter_name = reference_name (filter);
    }
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  struct image_info **list = NULL;
  if (image_store_list_images (s, &list, &err) < 0)
    return hull_report (&err);

  size_t nrows = 0, cap = 16;
  struct row *rows = calloc (cap, sizeof *rows);
  for (size_t i = 0; list[i]; i++)
    {
      const struct image_info *img = list[i];
      size_t nn = strv_len (img->names);
      for (size_t j = 0; j < (nn ? nn : 1); j++)
        {
          char *repo = NULL, *tag = NULL;
          if (nn)
            {
              if (filter)
                {
                  _cleanup_reference_ struct reference *r = NULL;
                  struct error *e2 = NULL;
                  if (reference_parse (img->names[j], 0, &r, &e2) < 0)
                    {
                      error_free (e2);
                      continue;
                    }
                  _cleanup_free_ char *n = reference_name (r);
                  if (!n || strcmp (n, filter_name) != 0
                      || (filter->tag && strcmp (filter->tag, r->tag ? r->tag : "") != 0))
                    continue;
                }
              hull_split_familiar (img->names[j], &repo, &tag);
            }
          else
            {
              if (filter)
                continue;
              repo = strdup ("<none>");
              tag = strdup ("<none>");
            }
          if (nrows == cap)
            rows = realloc (rows, (cap *= 2) * sizeof *rows);
          rows[nrows].img = img;
          rows[nrows].repo = repo;
          rows[nrows].tag = tag;
          const char *dg = "<none>";
          for (size_t k = 0; img->repo_digests && img->repo_digests[k]; k++)
            {
              const char *at = strchr (img->repo_digests[k], '@');
              dg = at ? at + 1 : dg;
              break;
            }
          rows[nrows].digest = strdup (dg);
          nrows++;
        }
    }

  if (quiet)
    {
      _cleanup_strv_ char **seen = NULL;
      for (size_t i = 0; i < nrows; i++)
        {
          if (strv_contains (seen, rows[i].img->id))
            continue;
          strv_push (&seen, rows[i].img->id);
          char sid[13];
          printf ("%s\n", notrunc ? rows[i].img->id : hull_short_id (rows[i].img->id, sid));
        }
    }
  else if (json)
    {
      for (size_t i = 0; i < nrows; i++)
        {
          char sid[13], since[64], size[32], when[64];
          hull_human_size (rows[i].img->size, size, sizeof size);
          hull_human_since (rows[i].img->created, since, sizeof since);
          time_t t = (time_t)rows[i].img->created;
          struct tm tm;
          gmtime_r (&t, &tm);
          strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
          json_object *o = json_object_new_object ();
          json_object_object_add (o, "Containers", json_object_new_string ("N/A"));
          json_object_object_add (o, "CreatedAt", json_object_new_string (when));
          json_object_object_add (o, "CreatedSince", json_object_new_string (since));
          json_object_object_add (o, "Digest", json_object_new_string (rows[i].digest));
          json_object_object_add (
              o, "ID",
              json_object_new_string (notrunc ? rows[i].img->id
                                              : hull_short_id (rows[i].img->id, sid)));
          json_object_object_add (o, "Repository", json_object_new_string (rows[i].repo));
          json_object_object_add (o, "SharedSize", json_object_new_string ("N/A"));
          json_object_object_add (o, "Size", json_object_new_string (size));
          json_object_object_add (o, "Tag", json_object_new_string (rows[i].tag));
          json_object_object_add (o, "UniqueSize", json_object_new_string ("N/A"));
          json_object_object_add (o, "VirtualSize", json_object_new_string (size));
          printf ("%s\n", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN
                                                                 | JSON_C_TO_STRING_NOSLASHESCAPE));
          json_object_put (o);
        }
    }
  else
    {
      size_t wr = strlen ("REPOSITORY"), wt = strlen ("TAG"), wd = strlen ("DIGEST");
      for (size_t i = 0; i < nrows; i++)
        {
          if (strlen (rows[i].repo) > wr)
            wr = strlen (rows[i].repo);
          if (strlen (rows[i].tag) > wt)
            wt = strlen (rows[i].tag);
          if (strlen (rows[i].digest) > wd)
            wd = strlen (rows[i].digest);
        }
      int wid = notrunc ? 71 : 12;
      if (digests)
        printf ("%-*s   %-*s   %-*s   %-*s   %-16s   %s\n", (int)wr, "REPOSITORY", (int)wt, "TAG",
                (int)wd, "DIGEST", wid, "IMAGE ID", "CREATED", "SIZE");
      else
        printf ("%-*s   %-*s   %-*s   %-16s   %s\n", (int)wr, "REPOSITORY", (int)wt, "TAG", wid,
                "IMAGE ID", "CREATED", "SIZE");
      for (size_t i = 0; i < nrows; i++)
        {
          char sid[13], since[64], size[32];
          hull_human_size (rows[i].img->size, size, sizeof size);
          hull_human_since (rows[i].img->created, since, sizeof since);
          const char *id = notrunc ? rows[i].img->id : hull_short_id (rows[i].img->id, sid);
          if (digests)
            printf ("%-*s   %-*s   %-*s   %-*s   %-16s   %s\n", (int)wr, rows[i].repo, (int)wt,
                    rows[i].tag, (int)wd, rows[i].digest, wid, id, since, size);
          else
            printf ("%-*s   %-*s   %-*s   %-16s   %s\n", (int)wr, rows[i].repo, (int)wt,
                    rows[i].tag, wid, id, since, size);
        }
    }
  for (size_t i = 0; i < nrows; i++)
    {
      free (rows[i].repo);
      free (rows[i].tag);
      free (rows[i].digest);
    }
  free (rows);
  image_info_list_free (list);
  return 0;
}

const struct cli_command hull_cmd_images = {
  .name = "images",
  .summary = "List images",
  .args = "[REPOSITORY[:TAG]]",
  .options = images_options,
  .opts_size = sizeof (struct images_opts),
  .max_args = 1,
  .run = images_run,
};
