/* store-internal.h - what the files of lib/image share about the store. */
#ifndef HULL_IMAGE_STORE_INTERNAL_H
#define HULL_IMAGE_STORE_INTERNAL_H

#include "images.h"
#include "store.h"

#include "db/db.h"

struct image_store
{
  char *root, *runroot;
  int rootfd;
  int lockfd; /* locks/store.lock, held LOCK_SH while open */
  struct db *db; /* hull.db, owned */
  image_in_use_fn in_use;
  void *in_use_data;
  bool sync_layers;
};

/* db.c */
/* Open ROOT/hull.db and bring the image tables up to date. */
int store_db_open (struct image_store *s, struct error **err);

/* Layer rows. */
int store_db_has_layer (struct image_store *s, const char *diff_id);
int store_db_add_layer (struct image_store *s, const char *diff_id, uint64_t size,
                        uint64_t entries, const char *blob, uint64_t blob_size,
                        const char *media_type, struct error **err);
/* The blob recorded for a layer (malloc'd), or NULL. */
int store_db_layer_blob (struct image_store *s, const char *diff_id, char **blob,
                         uint64_t *blob_size, char **media_type, uint64_t *size,
                         struct error **err);

/* Garbage: layer diff ids / blob digests that no image references. */
int store_db_unused_layers (struct image_store *s, char ***out, struct error **err);
int store_db_delete_layer (struct image_store *s, const char *diff_id, struct error **err);
int store_db_blob_used (struct image_store *s, const char *digest);

#endif
