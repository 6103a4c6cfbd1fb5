/* image.h - everything lib/image offers, for the engine.
 *
 * The engine's path from a user's image name to a container root:
 *
 *   struct image_store *s;
 *   image_store_open (root, runroot, &s, &err);        // store.h
 *   struct image_info *img;
 *   if (image_store_resolve (s, "busybox", &img, &err) == -ENOENT)   // images.h
 *     image_pull (s, "busybox", &pull_opts, &id, &name, &err);      // transfer.h
 *   struct image_config *cfg;
 *   image_store_get_config (s, img->id, &cfg, &err);   // Env, Cmd, User...
 *   snapshot_create (s, container_id, img->id, &err);  // snapshot.h: pins the image
 *   snapshot_mount (s, container_id, NULL, &rootfs, &err);   // overlay at rootfs
 *   ... run ...
 *   snapshot_unmount (s, container_id, NULL, &err);
 *   snapshot_remove (s, container_id, &err);           // upper dir gone, image unpinned
 *   image_store_set_in_use_hook (s, fn, data);         // rmi asks the engine too
 *   tar_directory (rootfd, outfd, &err);                // create.h: `hull export`
 *   image_store_close (s);   // do not keep the store open while idle: gc
 *                            // runs only when no process holds it
 */
#ifndef HULL_IMAGE_IMAGE_H
#define HULL_IMAGE_IMAGE_H

#include "image/create.h"
#include "image/images.h"
#include "image/manifest.h"
#include "image/saveload.h"
#include "image/snapshot.h"
#include "image/store.h"
#include "image/transfer.h"

#endif
