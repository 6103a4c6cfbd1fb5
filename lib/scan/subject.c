/* subject.c - from a name on the command line to the directories to read,
 * through lib/engine's and lib/image's public interfaces only. */
#include "scan/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "image/images.h"
#include "image/snapshot.h"
#include "image/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
scan_subject_clear (struct scan_subject *s)
{
  free (s->name);
  free (s->kind);
  free (s->id);
  free (s->image_id);
  strv_free (s->layers);
  free (s->upper);
  memset (s, 0, sizeof *s);
}

static int
image_layers (struct image_store *st, const struct image_info *img, char ***out, struct error **err)
{
  _cleanup_strv_ char **v = NULL;
  for (size_t i = 0; img->diff_ids && img->diff_ids[i]; i++)
    {
      char *p = image_store_layer_path (st, img->diff_ids[i]);
      if (!p || strv_consume (&v, p) < 0)
        return error_errno (err, ENOMEM, "layers");
    }
  if (!v && !(v = calloc (1, sizeof *v))) /* an image without layers: an empty list */
    return error_errno (err, ENOMEM, "layers");
  *out = TAKE_PTR (v);
  return 0;
}

static int
from_image (struct image_store *st, const struct image_info *img, struct scan_subject *out,
            struct error **err)
{
  memset (out, 0, sizeof *out);
  const char *shown = img->names && img->names[0] ? img->names[0] : img->id;
  out->name = strdup (shown);
  out->kind = strdup ("image");
  out->id = strdup (img->id);
  out->image_id = strdup (img->id);
  if (!out->name || !out->kind || !out->id || !out->image_id)
    {
      scan_subject_clear (out);
      return error_errno (err, ENOMEM, "subject");
    }
  int r = image_layers (st, img, &out->layers, err);
  if (r < 0)
    scan_subject_clear (out);
  return r;
}

static int
from_container (struct engine *e, const struct ctr_record *c, struct scan_subject *out,
                struct error **err)
{
  struct image_store *st = engine_store (e);
  memset (out, 0, sizeof *out);
  _cleanup_image_info_ struct image_info *img = NULL;
  int r = image_store_get_image (st, c->image_id, &img, err);
  if (r < 0)
    return error_prefix (err, "container `%s`", c->name);
  out->name = strdup (c->name);
  out->kind = strdup ("container");
  out->id = strdup (c->id);
  out->image_id = strdup (c->image_id);
  /* the upper directory: everything the container changed, whiteouts
   * included, in the same form as a layer */
  out->upper = snapshot_upper_path (st, c->id);
  if (!out->name || !out->kind || !out->id || !out->image_id || !out->upper)
    {
      scan_subject_clear (out);
      return error_errno (err, ENOMEM, "subject");
    }
  r = image_layers (st, img, &out->layers, err);
  if (r < 0)
    scan_subject_clear (out);
  return r;
}

int
scan_subject_resolve (struct engine *e, const char *ref, struct scan_subject *out,
                      struct error **err)
{
  _cleanup_ctr_record_ struct ctr_record *c = NULL;
  _cleanup_error_ struct error *ce = NULL;
  int r = engine_lookup (e, ref, &c, &ce);
  if (r == 0)
    return from_container (e, c, out, err);
  if (r != -ENOENT)
    {
      *err = TAKE_PTR (ce);
      return r;
    }
  _cleanup_image_info_ struct image_info *img = NULL;
  r = image_store_resolve (engine_store (e), ref, &img, err);
  if (r == -ENOENT)
    {
      error_free (*err);
      *err = NULL;
      return error_set (err, ENOENT, "no such image or container: `%s`", ref);
    }
  if (r < 0)
    return r;
  return from_image (engine_store (e), img, out, err);
}

int
scan_subjects_all (struct engine *e, struct scan_subject **out, size_t *n, struct error **err)
{
  struct image_info **imgs = NULL;
  struct ctr_record **ctrs = NULL;
  int r = image_store_list_images (engine_store (e), &imgs, err);
  if (r < 0)
    return r;
  r = engine_list (e, &ctrs, err);
  if (r < 0)
    {
      image_info_list_free (imgs);
      return r;
    }
  size_t ni = 0, nc = 0;
  while (imgs && imgs[ni])
    ni++;
  while (ctrs && ctrs[nc])
    nc++;
  struct scan_subject *v = calloc (ni + nc + 1, sizeof *v);
  size_t k = 0;
  if (!v)
    r = error_errno (err, ENOMEM, "subjects");
  for (size_t i = 0; r == 0 && i < ni; i++)
    if ((r = from_image (engine_store (e), imgs[i], &v[k], err)) == 0)
      k++;
  for (size_t i = 0; r == 0 && i < nc; i++)
    if ((r = from_container (e, ctrs[i], &v[k], err)) == 0)
      k++;
  image_info_list_free (imgs);
  ctr_record_list_free (ctrs);
  if (r < 0)
    {
      for (size_t i = 0; i < k; i++)
        scan_subject_clear (&v[i]);
      free (v);
      return r;
    }
  *out = v;
  *n = k;
  return 0;
}
