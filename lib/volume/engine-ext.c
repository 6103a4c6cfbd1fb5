/* engine-ext.c - volumes plugged into the engine (engine_ext, engine.h).
 *
 *   create:   -v NAME:/path, --mount type=volume: the named volume (made
 *             when missing, as Docker does), or an anonymous one for
 *             -v /path and for every image VOLUME no mount covers; the
 *             container's references are recorded (a volume in use cannot
 *             be removed); the list goes to the record's ext "volumes";
 *   prestart: each volume is filled from the image on first use, and
 *             handed to the config builder (spec ext "hull.volume.mounts");
 *   step:     bind mounts of the volumes' directories;
 *   remove:   references dropped; anonymous volumes removed with rm -v and
 *             --rm.
 */
#include "volume/engine-ext.h"
#include "volume/volume.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/build.h"
#include "engine/engine.h"
#include "engine/spec.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MOUNTS_KEY "hull.volume.mounts"

static struct
{
  struct engine *e;
  struct volume_store *vs;
} cache;

int
volume_engine_store (struct engine *e, struct volume_store **out, struct error **err)
{
  if (cache.e == e && cache.vs)
    {
      *out = cache.vs;
      return 0;
    }
  struct volume_store *vs = NULL;
  int r = volume_store_open (engine_db (e), engine_root (e), &vs, err);
  if (r < 0)
    return r;
  volume_store_close (cache.vs);
  cache.e = e;
  cache.vs = vs;
  *out = vs;
  return 0;
}

static void
add_entry (json_object *arr, const char *name, const char *target, bool ro, bool nocopy)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "name", json_object_new_string (name));
  json_object_object_add (o, "target", json_object_new_string (target));
  json_object_object_add (o, "ro", json_object_new_boolean (ro));
  json_object_object_add (o, "nocopy", json_object_new_boolean (nocopy));
  json_object_array_add (arr, o);
}

static int
ext_create (struct engine *e, struct ctr_record *rec, struct error **err)
{
  struct ctr_spec *s = rec->spec;
  struct volume_store *vs;
  int r = volume_engine_store (e, &vs, err);
  if (r < 0)
    return r;
  json_object *arr = json_object_new_array ();
  for (size_t i = 0; r == 0 && i < s->n_mounts; i++)
    {
      struct ctr_mount *m = &s->mounts[i];
      if (strcmp (m->type, "volume") != 0)
        continue;
      bool named = m->source && *m->source;
      if (named && !volume_name_valid (m->source))
        {
          r = error_set (err, EINVAL, "invalid volume name `%s`: [a-zA-Z0-9][a-zA-Z0-9_.-]*",
                         m->source);
          break;
        }
      _cleanup_volume_ struct volume *v = NULL;
      if ((r = volume_create (vs, named ? m->source : NULL, NULL, !named, &v, NULL, err)) < 0
          || (r = volume_ref (vs, v->name, rec->id, err)) < 0)
        break;
      add_entry (arr, v->name, m->target, m->readonly,
                 strv_contains (m->options, "nocopy") || strv_contains (m->options, "volume-nocopy"));
    }
  /* the image's VOLUMEs that no mount covers: anonymous volumes */
  for (size_t i = 0; r == 0 && s->volumes && s->volumes[i]; i++)
    {
      bool covered = false;
      for (size_t j = 0; j < s->n_mounts; j++)
        covered |= strcmp (s->mounts[j].target, s->volumes[i]) == 0;
      if (covered || s->volumes[i][0] != '/')
        continue;
      _cleanup_volume_ struct volume *v = NULL;
      if ((r = volume_create (vs, NULL, NULL, true, &v, NULL, err)) < 0
          || (r = volume_ref (vs, v->name, rec->id, err)) < 0)
        break;
      add_entry (arr, v->name, s->volumes[i], false, false);
    }
  if (r < 0)
    {
      json_object_put (arr);
      _cleanup_error_ struct error *e2 = NULL;
      volume_unref (vs, rec->id, true, &e2);
      return r;
    }
  if (json_object_array_length (arr) == 0)
    {
      json_object_put (arr);
      return 0;
    }
  if (rec->ext == NULL)
    rec->ext = json_object_new_object ();
  json_object_object_add (rec->ext, "volumes", arr);
  return 0;
}

static int
ext_prestart (struct engine *e, struct ctr_record *rec, struct build_ctx *b, struct error **err)
{
  json_object *arr = NULL;
  if (rec->ext == NULL || !json_object_object_get_ex (rec->ext, "volumes", &arr)
      || !json_object_is_type (arr, json_type_array))
    return 0;
  struct volume_store *vs;
  int r = volume_engine_store (e, &vs, err);
  if (r < 0)
    return r;
  json_object *mounts = json_object_new_array ();
  for (size_t i = 0; i < json_object_array_length (arr); i++)
    {
      json_object *o = json_object_array_get_idx (arr, i), *v;
      const char *name = json_object_object_get_ex (o, "name", &v) ? json_object_get_string (v) : NULL;
      const char *target = json_object_object_get_ex (o, "target", &v) ? json_object_get_string (v) : NULL;
      bool ro = json_object_object_get_ex (o, "ro", &v) && json_object_get_boolean (v);
      bool nocopy = json_object_object_get_ex (o, "nocopy", &v) && json_object_get_boolean (v);
      _cleanup_volume_ struct volume *vol = NULL;
      if (name == NULL || target == NULL)
        continue;
      if ((r = volume_get (vs, name, &vol, err)) < 0)
        break;
      if (!nocopy && (r = volume_fill (vs, name, b->rootfd, target, err)) < 0)
        break;
      json_object *m = json_object_new_object ();
      json_object_object_add (m, "source", json_object_new_string (vol->mountpoint));
      json_object_object_add (m, "target", json_object_new_string (target));
      json_object_object_add (m, "ro", json_object_new_boolean (ro));
      json_object_array_add (mounts, m);
    }
  if (r < 0)
    {
      json_object_put (mounts);
      return r;
    }
  if (rec->spec->ext == NULL)
    rec->spec->ext = json_object_new_object ();
  json_object_object_add (rec->spec->ext, MOUNTS_KEY, mounts);
  return 0;
}

static int
step_volumes (struct build_ctx *b, json_object *config, struct error **err)
{
  json_object *arr = NULL;
  if (b->spec->ext == NULL || !json_object_object_get_ex (b->spec->ext, MOUNTS_KEY, &arr))
    return 0;
  for (size_t i = 0; i < json_object_array_length (arr); i++)
    {
      json_object *o = json_object_array_get_idx (arr, i), *v;
      const char *src = json_object_object_get_ex (o, "source", &v) ? json_object_get_string (v) : NULL;
      const char *dst = json_object_object_get_ex (o, "target", &v) ? json_object_get_string (v) : NULL;
      bool ro = json_object_object_get_ex (o, "ro", &v) && json_object_get_boolean (v);
      if (src == NULL || dst == NULL)
        continue;
      const char *rw[] = { "rbind", "rprivate", NULL };
      const char *rdo[] = { "rbind", "rprivate", "ro", NULL };
      build_remove_mount (config, dst);
      if (build_add_mount (config, dst, "bind", src, ro ? rdo : rw) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  return 0;
}

static int
ext_remove (struct engine *e, struct ctr_record *rec, bool volumes, struct error **err)
{
  struct volume_store *vs;
  int r = volume_engine_store (e, &vs, err);
  if (r < 0)
    return r;
  return volume_unref (vs, rec->id, volumes || (rec->spec && rec->spec->auto_remove), err);
}

static const char *const mount_types[] = { "volume", NULL };

static const struct engine_ext volume_ext = {
  .name = "volume",
  .create = ext_create,
  .prestart = ext_prestart,
  .remove = ext_remove,
  .mount_types = mount_types,
};

int
volume_engine_register (void)
{
  static bool step;
  if (!step)
    {
      int r = engine_build_add_step ("volumes", step_volumes);
      if (r < 0)
        return r;
      step = true;
    }
  return engine_register_ext (&volume_ext);
}

static bool
exists_cb (const char *id, void *data)
{
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  _cleanup_error_ struct error *err = NULL;
  int ret = engine_lookup (data, id, &r, &err);
  return ret == 0 || ret != -ENOENT;
}

int
volume_engine_reconcile (struct engine *e, struct error **err)
{
  struct volume_store *vs;
  int r = volume_engine_store (e, &vs, err);
  if (r < 0)
    return r;
  return volume_refs_prune (vs, exists_cb, e, err);
}
