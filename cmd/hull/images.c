/* hull images: REPOSITORY TAG IMAGE ID CREATED SIZE, as docker. */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "image/images.h"
#include "image/store.h"
#include "registry/reference.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
usage (FILE *f)
{
  fprintf (f, "Usage: hull images [OPTIONS] [REPOSITORY[:TAG]]\n\n"
              "List images.\n\n"
              "  -a, --all          show all images (accepted for compatibility)\n"
              "  -q, --quiet        only image IDs\n"
              "      --digests      show digests\n"
              "      --no-trunc     full image IDs\n"
              "      --format json  one JSON object per line\n");
}

struct row
{
  const struct image_info *img;
  char *repo, *tag, *digest;
};

int
cmd_images (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },     { "quiet", no_argument, NULL, 'q' },
    { "digests", no_argument, NULL, 'D' }, { "no-trunc", no_argument, NULL, 'T' },
    { "format", required_argument, NULL, 'F' }, { "help", no_argument, NULL, 'h' },
    {},
  };
  bool quiet = false, digests = false, notrunc = false, json = false;
  int c;
  while ((c = getopt_long (argc, argv, "aqh", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        break;
      case 'q':
        quiet = true;
        break;
      case 'D':
        digests = true;
        break;
      case 'T':
        notrunc = true;
        break;
      case 'F':
        if (strcmp (optarg, "json") != 0 && strcmp (optarg, "{{json .}}") != 0)
          return hull_usage_error ("images", "unsupported format `%s` (use json)", optarg);
        json = true;
        break;
      case 'h':
        usage (stdout);
        return 0;
      default:
        return hull_usage_error ("images", "unknown option");
      }
  if (argc - optind > 1)
    return hull_usage_error ("images", "at most one REPOSITORY[:TAG]");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_reference_ struct reference *filter = NULL;
  _cleanup_free_ char *filter_name = NULL;
  if (optind < argc)
    {
      if (reference_parse (argv[optind], REFERENCE_NO_DEFAULT_TAG, &filter, &err) < 0)
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
          time_t t = (time_t) rows[i].img->created;
          struct tm tm;
          gmtime_r (&t, &tm);
          strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
          json_object *o = json_object_new_object ();
          json_object_object_add (o, "Containers", json_object_new_string ("N/A"));
          json_object_object_add (o, "CreatedAt", json_object_new_string (when));
          json_object_object_add (o, "CreatedSince", json_object_new_string (since));
          json_object_object_add (o, "Digest", json_object_new_string (rows[i].digest));
          json_object_object_add (o, "ID", json_object_new_string (
                                               notrunc ? rows[i].img->id
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
        printf ("%-*s   %-*s   %-*s   %-*s   %-16s   %s\n", (int) wr, "REPOSITORY", (int) wt, "TAG",
                (int) wd, "DIGEST", wid, "IMAGE ID", "CREATED", "SIZE");
      else
        printf ("%-*s   %-*s   %-*s   %-16s   %s\n", (int) wr, "REPOSITORY", (int) wt, "TAG", wid,
                "IMAGE ID", "CREATED", "SIZE");
      for (size_t i = 0; i < nrows; i++)
        {
          char sid[13], since[64], size[32];
          hull_human_size (rows[i].img->size, size, sizeof size);
          hull_human_since (rows[i].img->created, since, sizeof since);
          const char *id = notrunc ? rows[i].img->id : hull_short_id (rows[i].img->id, sid);
          if (digests)
            printf ("%-*s   %-*s   %-*s   %-*s   %-16s   %s\n", (int) wr, rows[i].repo, (int) wt,
                    rows[i].tag, (int) wd, rows[i].digest, wid, id, since, size);
          else
            printf ("%-*s   %-*s   %-*s   %-16s   %s\n", (int) wr, rows[i].repo, (int) wt,
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
