/* snapshot.h - container root filesystems: an overlay of the image's layer
 * directories (read-only, shared) plus a private upper and work directory.
 *
 *   ROOT/snapshots/<id>/upper   the container's changes
 *   ROOT/snapshots/<id>/work    overlayfs scratch space
 *   ROOT/snapshots/<id>/merged  the default mount point
 *
 * A snapshot pins its image: image_store_remove_image refuses an image that
 * has snapshots.  The overlay is mounted with the new mount API (one
 * fsconfig "lowerdir+" per layer, kernel >= 6.8), so any number of layers
 * fits; older kernels get mount(2) with a lowerdir= list, which must fit in
 * a page.
 */
#ifndef HULL_IMAGE_SNAPSHOT_H
#define HULL_IMAGE_SNAPSHOT_H

#include <stdbool.h>

struct error;
struct image_store;

/* ids: [A-Za-z0-9][A-Za-z0-9_.-]{0,127} (a container id or name). */
bool snapshot_id_valid (const char *id);

/* Create the directories and the record.  -EEXIST when id is taken. */
int snapshot_create (struct image_store *s, const char *id, const char *image_id,
                     struct error **err);
/* Mount at target (NULL: ROOT/snapshots/<id>/merged, created);
 * *mountpoint (may be NULL) gets the path used. */
int snapshot_mount (struct image_store *s, const char *id, const char *target,
                    char **mountpoint, struct error **err);
/* snapshot_mount with flags: SNAPSHOT_MOUNT_VOLATILE mounts overlayfs with
 * "volatile" (no sync of the upper directory, ever: unmounting costs no
 * syncfs of the host filesystem).  For snapshots that are thrown away with
 * their container (run --rm): after a host crash such an upper directory
 * cannot be mounted again, only removed. */
#define SNAPSHOT_MOUNT_VOLATILE 1u
int snapshot_mount_ex (struct image_store *s, const char *id, const char *target, unsigned flags,
                       char **mountpoint, struct error **err);
/* Unmount (target NULL: the default); not mounted is not an error. */
int snapshot_unmount (struct image_store *s, const char *id, const char *target,
                      struct error **err);
/* Unmount the default mount point, delete the directories and the record.
 * A missing snapshot is not an error. */
int snapshot_remove (struct image_store *s, const char *id, struct error **err);

/* The image of a snapshot (malloc'd). */
int snapshot_image (struct image_store *s, const char *id, char **image_id, struct error **err);
/* Lower directories, top layer first (strv). */
int snapshot_lowerdirs (struct image_store *s, const char *image_id, char ***dirs,
                        struct error **err);
/* The upper directory's path (malloc'd): what `hull diff`/commit read. */
char *snapshot_upper_path (struct image_store *s, const char *id);

/* Tests: use mount(2) with a lowerdir= string even where fsconfig works. */
extern bool snapshot_force_legacy_mount;

#endif
