/* hull image inspect IMAGE...: docker-like JSON. */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "image/images.h"
#include "image/manifest.h"
#include "image/store.h"
#include "registry/reference.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static char *
familiar (const char *full)
{
  struct error *e = NULL;
  _cleanup_reference_ struct reference *r = NULL;
  if (reference_parse (full, 0, &r, &e) < 0)
    {
      error_free (e);
      return strdup (full);
    }
  return reference_familiar (r);
}

static json_object *
inspect_one (struct image_store *s, const struct image_info *img, struct error **err)
{
  _cleanup_free_ char *cfgdata = NULL;
  size_t len = 0;
  if (image_store_read_blob (s, img->id, CONFIG_MAX_SIZE, &cfgdata, &len, err) < 0)
    return NULL;
  _cleanup_image_config_ struct image_config *cfg = NULL;
  if (image_config_parse (cfgdata, len, &cfg, err) < 0)
    return NULL;
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Id", json_object_new_string (img->id));
  json_object *tags = json_object_new_array ();
  for (size_t i = 0; img->names && img->names[i]; i++)
    {
      _cleanup_free_ char *f = familiar (img->names[i]);
      json_object_array_add (tags, json_object_new_string (f ? f : img->names[i]));
    }
  json_object_object_add (o, "RepoTags", tags);
  json_object *digests = json_object_new_array ();
  for (size_t i = 0; img->repo_digests && img->repo_digests[i]; i++)
    {
      _cleanup_free_ char *f = familiar (img->repo_digests[i]);
      json_object_array_add (digests, json_object_new_string (f ? f : img->repo_digests[i]));
    }
  json_object_object_add (o, "RepoDigests", digests);
  json_object_object_add (o, "Parent", json_object_new_string (""));
  json_object *v;
  const char *comment = "";
  if (cfg->nhistory && cfg->history[cfg->nhistory - 1].comment)
    comment = cfg->history[cfg->nhistory - 1].comment;
  json_object_object_add (o, "Comment", json_object_new_string (comment));
  if (json_object_object_get_ex (cfg->doc, "created", &v) && v)
    json_object_object_add (o, "Created", json_object_get (v));
  else
    json_object_object_add (o, "Created", json_object_new_string (""));
  json_object_object_add (o, "DockerVersion", json_object_new_string (""));
  json_object_object_add (o, "Author", json_object_new_string (cfg->author ? cfg->author : ""));
  if (json_object_object_get_ex (cfg->doc, "config", &v) && v)
    json_object_object_add (o, "Config", json_object_get (v));
  else
    json_object_object_add (o, "Config", json_object_new_object ());
  json_object_object_add (o, "Architecture",
                          json_object_new_string (cfg->architecture ? cfg->architecture : ""));
  if (cfg->variant)
    json_object_object_add (o, "Variant", json_object_new_string (cfg->variant));
  json_object_object_add (o, "Os", json_object_new_string (cfg->os ? cfg->os : ""));
  json_object_object_add (o, "Size", json_object_new_int64 ((int64_t)img->size));
  json_object_object_add (o, "Digest", json_object_new_string (img->manifest_digest));
  json_object_object_add (o, "ManifestMediaType",
                          json_object_new_string (img->manifest_media_type));
  json_object *gd = json_object_new_object ();
  json_object *data = json_object_new_object ();
  size_t n = strv_len (img->diff_ids);
  if (n > 0)
    {
      _cleanup_free_ char *top = image_store_layer_path (s, img->diff_ids[n - 1]);
      char *lower = NULL;
      size_t cap = 0;
      FILE *m = open_memstream (&lower, &cap);
      for (size_t i = n - 1; i > 0; i--)
        {
          _cleanup_free_ char *p = image_store_layer_path (s, img->diff_ids[i - 1]);
          fprintf (m, "%s%s", i == n - 1 ? "" : ":", p ? p : "");
        }
      fclose (m);
      if (lower && lower[0])
        json_object_object_add (data, "LowerDir", json_object_new_string (lower));
      free (lower);
      json_object_object_add (data, "TopLayer", json_object_new_string (top ? top : ""));
    }
  json_object_object_add (gd, "Data", data);
  json_object_object_add (gd, "Name", json_object_new_string ("overlay"));
  json_object_object_add (o, "GraphDriver", gd);
  json_object *rootfs = json_object_new_object ();
  json_object_object_add (rootfs, "Type", json_object_new_string ("layers"));
  json_object *layers = json_object_new_array ();
  for (size_t i = 0; i < n; i++)
    json_object_array_add (layers, json_object_new_string (img->diff_ids[i]));
  json_object_object_add (rootfs, "Layers", layers);
  json_object_object_add (o, "RootFS", rootfs);
  json_object *meta = json_object_new_object ();
  json_object_object_add (meta, "LastTagTime", json_object_new_string (""));
  json_object_object_add (o, "Metadata", meta);
  return o;
}

int
hull_image_inspect (struct hull_ctx *ctx, const char *format, int argc, char **argv)
{
  if (format && strcmp (format, "json") != 0 && strcmp (format, "{{json .}}") != 0)
    return hull_usage_error ("image inspect", "unsupported format `%s` (JSON only; use jq)",
                             format);
  _cleanup_error_ struct error *err = NULL;
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  json_object *arr = json_object_new_array ();
  int ret = 0;
  for (int i = 0; i < argc; i++)
    {
      _cleanup_image_info_ struct image_info *img = NULL;
      if (image_store_resolve (s, argv[i], &img, &err) < 0)
        {
          ret = hull_report (&err);
          continue;
        }
      json_object *o = inspect_one (s, img, &err);
      if (o == NULL)
        {
          ret = hull_report (&err);
          continue;
        }
      json_object_array_add (arr, o);
    }
  printf ("%s\n",
          json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                                   | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (arr);
  return ret;
}

struct inspect_opts
{
  const char *format;
};

static const struct cli_option inspect_options[] = {
  CLI_OPT_STRING ('f', "format", struct inspect_opts, format, "json",
                  "the output format (JSON only)"),
  { 0 },
};

static int
inspect_run (void *ctx, void *opts, int argc, char **argv)
{
  return hull_image_inspect (ctx, ((const struct inspect_opts *)opts)->format, argc, argv);
}

const struct cli_command hull_cmd_image_inspect = {
  .name = "image-inspect",
  .summary = "Show images' metadata as JSON",
  .args = "IMAGE [IMAGE...]",
  .description = "Print images' metadata as a JSON array.",
  .options = inspect_options,
  .opts_size = sizeof (struct inspect_opts),
  .min_args = 1,
  .max_args = -1,
  .run = inspect_run,
};
