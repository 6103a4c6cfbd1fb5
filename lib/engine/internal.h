/* internal.h - what the files of lib/engine share. */
#ifndef HULL_ENGINE_INTERNAL_H
#define HULL_ENGINE_INTERNAL_H

#include "engine/engine.h"
#include "engine/spec.h"
#include "runtime/runtime.h"

#include "db/db.h"

struct engine
{
  struct image_store *store;
  struct db *db; /* the image store's */
  char *root, *runroot, *runtime_root, *hull_path;
  struct runtime_context rt;
  json_object *seccomp_default; /* loaded on first use */
  const char *pull_policy;      /* "missing", "never", "always" */
  const struct transfer_progress *pull_progress;
  void (*pull_notice) (const char *ref, void *data);
  void *pull_data;
  image_pull_check_fn pull_check; /* content trust, may be NULL */
  void *pull_check_data;
};

#define ENGINE_CGROUP_PARENT "/hull"
#define CTR_LOG_NAME "ctr.log"

/* db.c */
int edb_migrate (struct engine *e, struct error **err);
int edb_insert (struct engine *e, const struct ctr_record *r, struct error **err);
/* By full id, exact name, or unique id prefix. -ENOENT / -EINVAL. */
int edb_find (struct engine *e, const char *ref, struct ctr_record **out, struct error **err);
int edb_get (struct engine *e, const char *id, struct ctr_record **out, struct error **err);
int edb_list (struct engine *e, struct ctr_record ***out, struct error **err);
/* Store the runtime fields of r (state, pid, exit code, oom, error, times,
 * restart count). With only_if (a bit mask of 1 << state), only when the
 * stored state is one of them: returns 1 when updated, 0 when not. */
int edb_save_state (struct engine *e, const struct ctr_record *r, unsigned only_if,
                    struct error **err);
int edb_save_ext (struct engine *e, const struct ctr_record *r, struct error **err);
int edb_delete (struct engine *e, const char *id, struct error **err);
int edb_rename (struct engine *e, const char *id, const char *name, struct error **err);
/* Any container using the image (its id, malloc'd) or NULL. */
char *edb_container_of_image (struct engine *e, const char *image_id);

#define STATE_BIT(s) (1u << (s))

/* container.c */
int ctr_dirs_remove (struct engine *e, const char *id);
/* The monitor's directory fd (O_PATH) of a container, or -errno. */
int ctr_rundir_open (struct engine *e, const char *id, bool create, struct error **err);

/* helpers.c */
/* Path of a helper binary next to ours (hull-monitor, hull-init). */
char *engine_helper_path (const char *name);

/* extensions (ext.c) */
extern const struct engine_ext *engine_exts[8];
extern size_t engine_n_exts;
const struct engine_ext *engine_ext_for_network (const char *mode);
const struct engine_ext *engine_ext_for_mount (const char *type);

#endif
