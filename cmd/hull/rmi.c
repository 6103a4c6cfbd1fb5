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
#include <getopt.h>
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

int
cmd_rmi (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' }, { "no-prune", no_argument, NULL, 'N' },
    { "help", no_argument, NULL, 'h' }, {},
  };
  bool force = false;
  int c;
  while ((c = getopt_long (argc, argv, "fh", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case 'N':
        break;
      case 'h':
        printf ("Usage: hull rmi [-f] IMAGE...\n\nRemove images (a name: untag it; the image "
                "goes with its last name).\n\n  -f, --force   remove an image with several names "
                "by id\n");
        return 0;
      default:
        return hull_usage_error ("rmi", "unknown option");
      }
  if (optind >= argc)
    return hull_usage_error ("rmi", "requires at least 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  bool deleted = false;
  for (int i = optind; i < argc; i++)
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
