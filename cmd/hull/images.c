/* hull images: REPOSITORY TAG IMAGE ID CREATED SIZE, as docker. */
#include "hull.h"
#include "util.h"
#include "vulns.h"
#ifdef HULL_HAVE_ENGINE
#include "format.h"
#endif

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
  char *vulns; /* with --vulns: the last scan's counts */
};

struct images_opts
{
  bool all, quiet, digests, notrunc, vulns;
  const char *format;
};

static const struct cli_option images_options[] = {
  CLI_OPT_FLAG ('a', "all", struct images_opts, all,
                "show all images (accepted for compatibility)"),
  CLI_OPT_FLAG ('q', "quiet", struct images_opts, quiet, "only image IDs"),
  CLI_OPT_FLAG (0, "digests", struct images_opts, digests, "show digests"),
  CLI_OPT_FLAG (0, "no-trunc", struct images_opts, notrunc, "full image IDs"),
  CLI_OPT_STRING (0, "format", struct images_opts, format, "TEMPLATE",
                  "json, table, or a template ({{.Repository}}\\t{{.Vulnerabilities}})"),
  CLI_OPT_FLAG (0, "vulns", struct images_opts, vulns,
                "add a VULNERABILITIES column: the last scan's counts"),
  { 0 },
};

/* docker images' JSON document of a row ("json", {{json .}}, and what
 * templates look fields up in); Vulnerabilities only with --vulns. */
static json_object *
row_json (const struct row *row, bool notrunc)
{
  char sid[13], since[64], size[32], when[64];
  hull_human_size (row->img->size, size, sizeof size);
  hull_human_since (row->img->created, since, sizeof since);
  time_t t = (time_t)row->img->created;
  struct tm tm;
  gmtime_r (&t, &tm);
  strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Containers", json_object_new_string ("N/A"));
  json_object_object_add (o, "CreatedAt", json_object_new_string (when));
  json_object_object_add (o, "CreatedSince", json_object_new_string (since));
  json_object_object_add (o, "Digest", json_object_new_string (row->digest));
  json_object_object_add (
      o, "ID", json_object_new_string (notrunc ? row->img->id : hull_short_id (row->img->id, sid)));
  json_object_object_add (o, "Repository", json_object_new_string (row->repo));
  json_object_object_add (o, "SharedSize", json_object_new_string ("N/A"));
  json_object_object_add (o, "Size", json_object_new_string (size));
  json_object_object_add (o, "Tag", json_object_new_string (row->tag));
  json_object_object_add (o, "UniqueSize", json_object_new_string ("N/A"));
  json_object_object_add (o, "VirtualSize", json_object_new_string (size));
  if (row->vulns)
    json_object_object_add (o, "Vulnerabilities", json_object_new_string (row->vulns));
  return o;
}

static int
images_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct images_opts *opt = opts;
  bool quiet = opt->quiet, digests = opt->digests, notrunc = opt->notrunc, json = false;
  const char *tmpl = NULL;
  _cleanup_error_ struct error *err = NULL;
  /* the column is opt-in: --vulns, or a template that names it */
  bool vulns = opt->vulns || hull_vulns_in_format (opt->format);
  if (vulns && hull_vulns_check (&err) < 0)
    return hull_usage_error ("images", "--vulns: %s", err->msg);
  if (opt->format)
    {
      if (strcmp (opt->format, "json") == 0 || strcmp (opt->format, "{{json .}}") == 0)
        json = true;
      else
        {
#ifdef HULL_HAVE_ENGINE
          if (!hull_format_valid (opt->format, &err))
            return hull_report (&err);
          tmpl = opt->format;
          if (strcmp (tmpl, "table") == 0)
            tmpl = vulns ? "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
                           "\t{{.Vulnerabilities}}"
                         : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
#else
          return hull_usage_error ("images", "unsupported format `%s` (use json)", opt->format);
#endif
        }
    }
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
          rows[nrows].vulns = vulns ? hull_vulns_cell (ctx, img->id) : NULL;
          nrows++;
        }
    }

  int ret = 0;
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
          json_object *o = row_json (&rows[i], notrunc);
          printf ("%s\n", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN
                                                                 | JSON_C_TO_STRING_NOSLASHESCAPE));
          json_object_put (o);
        }
    }
#ifdef HULL_HAVE_ENGINE
  else if (tmpl)
    {
      /* a template's fields are looked up in each row's JSON document */
      static const char *const no_keys[] = { NULL };
      static const char *const hkeys[]
          = { "Containers", "CreatedAt",  "CreatedSince", "Digest",
              "ID",         "Repository", "SharedSize",   "Size",
              "Tag",        "UniqueSize", "VirtualSize",  "Vulnerabilities",
              NULL };
      static const char *const hnames[]
          = { "CONTAINERS",   "CREATED AT",      "CREATED", "DIGEST", "IMAGE ID",
              "REPOSITORY",   "SHARED SIZE",     "SIZE",    "TAG",    "UNIQUE SIZE",
              "VIRTUAL SIZE", "VULNERABILITIES", NULL };
      struct fmt_row *frows = calloc (nrows ? nrows : 1, sizeof *frows);
      for (size_t i = 0; frows && i < nrows; i++)
        frows[i] = (struct fmt_row){ .keys = no_keys,
                                     .values = no_keys,
                                     .json = row_json (&rows[i], notrunc) };
      if (frows == NULL)
        {
          error_set (&err, ENOMEM, "out of memory");
          ret = hull_report (&err);
        }
      else if (hull_format_rows (tmpl, frows, nrows, hkeys, hnames, &err) < 0)
        ret = hull_report (&err);
      for (size_t i = 0; frows && i < nrows; i++)
        json_object_put (frows[i].json);
      free (frows);
    }
#endif
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
      /* with --vulns, SIZE is padded and VULNERABILITIES comes last */
      int ws = 0;
      for (size_t i = 0; vulns && i < nrows; i++)
        {
          char size[32];
          hull_human_size (rows[i].img->size, size, sizeof size);
          if ((int)strlen (size) > ws)
            ws = (int)strlen (size);
        }
      if (vulns && ws < (int)strlen ("SIZE"))
        ws = (int)strlen ("SIZE");
      const char *vsep = vulns ? "   " : "";
      if (digests)
        printf ("%-*s   %-*s   %-*s   %-*s   %-16s   %-*s%s%s\n", (int)wr, "REPOSITORY", (int)wt,
                "TAG", (int)wd, "DIGEST", wid, "IMAGE ID", "CREATED", ws, "SIZE", vsep,
                vulns ? "VULNERABILITIES" : "");
      else
        printf ("%-*s   %-*s   %-*s   %-16s   %-*s%s%s\n", (int)wr, "REPOSITORY", (int)wt, "TAG",
                wid, "IMAGE ID", "CREATED", ws, "SIZE", vsep, vulns ? "VULNERABILITIES" : "");
      for (size_t i = 0; i < nrows; i++)
        {
          char sid[13], since[64], size[32];
          hull_human_size (rows[i].img->size, size, sizeof size);
          hull_human_since (rows[i].img->created, since, sizeof since);
          const char *id = notrunc ? rows[i].img->id : hull_short_id (rows[i].img->id, sid);
          const char *vc = vulns ? (rows[i].vulns ? rows[i].vulns : "-") : "";
          if (digests)
            printf ("%-*s   %-*s   %-*s   %-*s   %-16s   %-*s%s%s\n", (int)wr, rows[i].repo,
                    (int)wt, rows[i].tag, (int)wd, rows[i].digest, wid, id, since, ws, size, vsep,
                    vc);
          else
            printf ("%-*s   %-*s   %-*s   %-16s   %-*s%s%s\n", (int)wr, rows[i].repo, (int)wt,
                    rows[i].tag, wid, id, since, ws, size, vsep, vc);
        }
    }
  for (size_t i = 0; i < nrows; i++)
    {
      free (rows[i].repo);
      free (rows[i].tag);
      free (rows[i].digest);
      free (rows[i].vulns);
    }
  free (rows);
  image_info_list_free (list);
  return ret;
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
