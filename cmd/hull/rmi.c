/* hull rmi [-f] IMAGE...: untag, and delete images left without names. */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "image/images.h"
#include "image/store.h"
#include "registry/reference.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The name arg stands for, when it is one of img's names. */
static char *
matching_name (const char *arg, const struct image_info *img)
{
  struct error *e = NULL;
  _cleanup_reference_ struct reference *r = NULL;
  if (reference_parse (arg, 0, &r, &e) < 0)
    {
      error_free (e);
      return NULL;
    }
  if (r->digest)
    return NULL;
  char *full = reference_string (r);
  if (full && strv_contains (img->names, full))
    return full;
  free (full);
  return NULL;
}

struct rmi_opts
{
  bool force, no_prune;
};

static const struct cli_option rmi_options[] = {
  CLI_OPT_FLAG ('f', "force", struct rmi_opts, force, "remove an image with several names by id"),
  CLI_OPT_FLAG (0, "no-prune", struct rmi_opts, no_prune, "accepted for compatibility"),
  { 0 },
};

static int
rmi_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  bool force = ((const struct rmi_opts *)opts)->force;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  bool deleted = false;
  for (int i = 0; i < argc; i++)
    {
      _cleanup_image_info_ struct image_info *img = NULL;
      if (image_store_resolve (s, argv[i], &img, &err) < 0)
        {
          ret = hull_report (&err);
          continue;
        }
      _cleanup_free_ char *name = matching_name (argv[i], img);
      size_t nn = strv_len (img->names);
      if (name && nn > 1)
        {
          /* one of several names: only that name goes */
          if (image_store_untag (s, name, &err) < 0)
            {
              ret = hull_report (&err);
              continue;
            }
          _cleanup_free_ char *repo = NULL, *tag = NULL;
          hull_split_familiar (name, &repo, &tag);
          printf ("Untagged: %s:%s\n", repo, tag);
          continue;
        }
      if (!name && nn > 1 && !force)
        {
          char sid[13];
          error_set (&err, EBUSY,
                     "unable to delete `%s` (must be forced): image is referenced in multiple "
                     "repositories",
                     hull_short_id (img->id, sid));
          ret = hull_report (&err);
          continue;
        }
      if (image_store_remove_image (s, img->id, &err) < 0)
        {
          if (force && err->code == EBUSY)
            {
              /* in use and forced: drop the names, keep the image */
              for (size_t j = 0; j < nn; j++)
                {
                  struct error *e2 = NULL;
                  if (image_store_untag (s, img->names[j], &e2) == 0)
                    {
                      _cleanup_free_ char *repo = NULL, *tag = NULL;
                      hull_split_familiar (img->names[j], &repo, &tag);
                      printf ("Untagged: %s:%s\n", repo, tag);
                    }
                  error_free (e2);
                }
              error_free (err);
              err = NULL;
              continue;
            }
          ret = hull_report (&err);
          continue;
        }
      for (size_t j = 0; j < nn; j++)
        {
          _cleanup_free_ char *repo = NULL, *tag = NULL;
          hull_split_familiar (img->names[j], &repo, &tag);
          printf ("Untagged: %s:%s\n", repo, tag);
        }
      printf ("Deleted: %s\n", img->id);
      deleted = true;
    }
  if (deleted && image_store_gc (s, NULL, &err) < 0)
    ret = hull_report (&err);
  return ret;
}

const struct cli_command hull_cmd_rmi = {
  .name = "rmi",
  .summary = "Remove one or more images",
  .args = "IMAGE [IMAGE...]",
  .description = "Remove images (a name: untag it; the image goes with its last name).",
  .options = rmi_options,
  .opts_size = sizeof (struct rmi_opts),
  .min_args = 1,
  .max_args = -1,
  .run = rmi_run,
};
