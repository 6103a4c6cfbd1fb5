/* volume.h - named and anonymous volumes, Docker's "local" driver.
 *
 * A volume is a directory ROOT/volumes/<name>/_data and a row in hull.db
 * (table volumes, module "volume" in schema_modules).  Containers that
 * mount it are recorded in volume_refs at create and forgotten at rm: a
 * volume with a reference cannot be removed.  The first time a volume is
 * mounted, and if it is empty, it is filled with what the image has at the
 * mount point (Docker's copy-up), copied without ever following a symlink
 * of the image.  See docs/design/volumes.md.
 */
#ifndef HULL_VOLUME_VOLUME_H
#define HULL_VOLUME_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct volume_store;
struct db;
typedef struct json_object json_object;

/* DB (hull.db, borrowed) gets the volume tables (module "volume"). */
int volume_store_open (struct db *db, const char *root, struct volume_store **out,
                       struct error **err);
void volume_store_close (struct volume_store *vs);

struct volume
{
  char *name;
  char *driver;     /* "local" */
  char *mountpoint; /* ROOT/volumes/<name>/_data */
  int64_t created;  /* unix ns */
  char **labels;    /* "k=v" */
  bool anonymous;
};
void volume_free (struct volume *v);
void volume_list_free (struct volume **l);
static inline void volume_freep (struct volume **v)
{
  if (*v)
    volume_free (*v);
}
#define _cleanup_volume_ __attribute__ ((cleanup (volume_freep)))

/* [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128. */
bool volume_name_valid (const char *name);
/* Create (name NULL: an anonymous volume with a random 64-hex name); an
 * existing volume of that name is returned as it is (created false). */
int volume_create (struct volume_store *vs, const char *name, char **labels, bool anonymous,
                   struct volume **out, bool *created, struct error **err);
int volume_get (struct volume_store *vs, const char *name, struct volume **out, struct error **err);
int volume_list (struct volume_store *vs, struct volume ***out, struct error **err);
/* Remove: -EBUSY naming a container that uses it (force does not change
 * that, as with Docker); -ENOENT when missing. */
int volume_remove (struct volume_store *vs, const char *name, struct error **err);
/* Containers using it (strv). */
int volume_users (struct volume_store *vs, const char *name, char ***ids, struct error **err);

int volume_ref (struct volume_store *vs, const char *name, const char *ctr_id, struct error **err);
/* Forget a container; its anonymous volumes that nothing else uses are
 * removed when remove_anonymous. */
int volume_unref (struct volume_store *vs, const char *ctr_id, bool remove_anonymous,
                  struct error **err);
/* Drop references of containers for which exists(id) is false. */
int volume_refs_prune (struct volume_store *vs, bool (*exists) (const char *id, void *data),
                       void *data, struct error **err);
/* Remove unused volumes: anonymous ones, or all with all; names removed. */
int volume_prune (struct volume_store *vs, bool all, char ***removed, struct error **err);

/* First use: when the volume was never filled and is empty, copy the
 * directory `path` inside the root rootfd (resolved in it) into it. */
int volume_fill (struct volume_store *vs, const char *name, int rootfd, const char *path,
                 struct error **err);

json_object *volume_to_json (const struct volume *v);

#endif
