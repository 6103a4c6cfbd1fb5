/* db.c - the image store's tables in hull.db: schema and image records.
 *
 * The database is lib/db's (WAL, busy timeout, foreign keys, migrations
 * versioned per module; ours is module "image", which kept its version in
 * PRAGMA user_version before).  Every change is one BEGIN IMMEDIATE
 * transaction (taking the write lock up front avoids the deadlock of two
 * readers both upgrading).
 */
#include "store-internal.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/strv.h"
#include "registry/reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const migrations[] = {
  /* 0 -> 1: images, layers, blobs, names */
  "CREATE TABLE layers ("
  "  diff_id TEXT PRIMARY KEY,"       /* sha256 of the uncompressed tar */
  "  size INTEGER NOT NULL,"          /* bytes of files unpacked */
  "  entries INTEGER NOT NULL,"
  "  blob_digest TEXT,"               /* a compressed form we hold, for push/save */
  "  blob_size INTEGER,"
  "  media_type TEXT,"
  "  added INTEGER NOT NULL);"
  "CREATE TABLE images ("
  "  id TEXT PRIMARY KEY,"            /* config digest */
  "  manifest_digest TEXT NOT NULL,"
  "  manifest_media_type TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  added INTEGER NOT NULL,"
  "  os TEXT, architecture TEXT, variant TEXT);"
  "CREATE TABLE image_layers ("
  "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
  "  idx INTEGER NOT NULL,"
  "  diff_id TEXT NOT NULL REFERENCES layers(diff_id),"
  "  PRIMARY KEY (image_id, idx));"
  "CREATE INDEX image_layers_diff ON image_layers(diff_id);"
  "CREATE TABLE image_blobs ("
  "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
  "  digest TEXT NOT NULL,"
  "  PRIMARY KEY (image_id, digest));"
  "CREATE INDEX image_blobs_digest ON image_blobs(digest);"
  "CREATE TABLE names ("
  "  name TEXT PRIMARY KEY,"          /* docker.io/library/busybox:latest */
  "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
  "  added INTEGER NOT NULL);"
  "CREATE INDEX names_image ON names(image_id);"
  "CREATE TABLE repo_digests ("
  "  repo TEXT NOT NULL,"             /* docker.io/library/busybox */
  "  digest TEXT NOT NULL,"           /* manifest or index digest */
  "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
  "  PRIMARY KEY (repo, digest));"
  "CREATE INDEX repo_digests_image ON repo_digests(image_id);"
  /* A snapshot (container root) pins its image: no ON DELETE CASCADE, so
   * deleting an image in use fails inside the transaction. */
  "CREATE TABLE snapshots ("
  "  id TEXT PRIMARY KEY,"
  "  image_id TEXT REFERENCES images(id),"
  "  created INTEGER NOT NULL);"
  /* Reference counts are derived, never stored: a counter can drift after
   * a crash, a join cannot. */
  "CREATE VIEW layer_refs AS SELECT l.diff_id AS diff_id, COUNT(il.image_id) AS refs"
  "  FROM layers l LEFT JOIN image_layers il ON il.diff_id = l.diff_id GROUP BY l.diff_id;",
};

static const struct db_module image_module = {
  .name = "image",
  .migrations = migrations,
  .n_migrations = ARRAY_SIZE (migrations),
  .legacy_user_version = true,
};

int
store_db_open (struct image_store *s, struct error **err)
{
  _cleanup_free_ char *path = NULL;
  if (asprintf (&path, "%s/hull.db", s->root) < 0)
    return error_set (err, ENOMEM, "out of memory");
  int r = db_open (path, &s->db, err);
  if (r < 0)
    return r;
  /* Migrations run in one write transaction, so two processes opening a
   * new store at once do not both create the tables. */
  if ((r = db_migrate (s->db, &image_module, err)) < 0)
    return error_prefix (err, "`%s`", path);
  return 0;
}

/* --------------------------------------------------------------- helpers */

static int
bind_text (sqlite3_stmt *st, int i, const char *v)
{
  return v ? sqlite3_bind_text (st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null (st, i);
}

/* Run a statement with text parameters, no result rows expected. */
static int
run (struct image_store *s, const char *sql, struct error **err, int nargs, ...)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (s->db, sql, &st, err);
  if (r < 0)
    return r;
  va_list ap;
  va_start (ap, nargs);
  for (int i = 0; i < nargs; i++)
    bind_text (st, i + 1, va_arg (ap, const char *));
  va_end (ap);
  int rc = sqlite3_step (st);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return db_error_code (s->db, rc, "write", err);
  return db_changes (s->db);
}

/* ---------------------------------------------------------------- layers */

int
store_db_has_layer (struct image_store *s, const char *diff_id)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (s->db), "SELECT 1 FROM layers WHERE diff_id = ?", -1, &st,
                          NULL)
      != SQLITE_OK)
    return 0;
  bind_text (st, 1, diff_id);
  return sqlite3_step (st) == SQLITE_ROW;
}

int
store_db_add_layer (struct image_store *s, const char *diff_id, uint64_t size, uint64_t entries,
                    const char *blob, uint64_t blob_size, const char *media_type,
                    struct error **err)
{
  int r = db_begin (s->db, err);
  if (r < 0)
    return r;
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  r = db_prepare (
      s->db,
      "INSERT INTO layers (diff_id, size, entries, blob_digest, blob_size, media_type, added)"
      " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (diff_id) DO UPDATE SET"
      " blob_digest = COALESCE (layers.blob_digest, excluded.blob_digest),"
      " blob_size = COALESCE (layers.blob_size, excluded.blob_size),"
      " media_type = COALESCE (layers.media_type, excluded.media_type)",
      &st, err);
  if (r < 0)
    {
      db_rollback (s->db);
      return r;
    }
  bind_text (st, 1, diff_id);
  sqlite3_bind_int64 (st, 2, (sqlite3_int64) size);
  sqlite3_bind_int64 (st, 3, (sqlite3_int64) entries);
  bind_text (st, 4, blob);
  if (blob)
    sqlite3_bind_int64 (st, 5, (sqlite3_int64) blob_size);
  else
    sqlite3_bind_null (st, 5);
  bind_text (st, 6, media_type);
  sqlite3_bind_int64 (st, 7, (sqlite3_int64) time (NULL));
  int rc = sqlite3_step (st);
  if (rc != SQLITE_DONE)
    {
      r = db_error_code (s->db, rc, "add layer", err);
      db_rollback (s->db);
      return r;
    }
  return db_commit (s->db, err);
}

int
store_db_layer_blob (struct image_store *s, const char *diff_id, char **blob,
                     uint64_t *blob_size, char **media_type, uint64_t *size, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (
      s->db, "SELECT blob_digest, blob_size, media_type, size FROM layers WHERE diff_id = ?", &st,
      err);
  if (r < 0)
    return r;
  bind_text (st, 1, diff_id);
  if (sqlite3_step (st) != SQLITE_ROW)
    return error_set (err, ENOENT, "layer `%s` not in the store", diff_id);
  if (blob)
    *blob = db_column_strdup (st, 0);
  if (blob_size)
    *blob_size = (uint64_t) sqlite3_column_int64 (st, 1);
  if (media_type)
    *media_type = db_column_strdup (st, 2);
  if (size)
    *size = (uint64_t) sqlite3_column_int64 (st, 3);
  return 0;
}

int
store_db_unused_layers (struct image_store *s, char ***out, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (s->db, "SELECT diff_id FROM layer_refs WHERE refs = 0", &st, err);
  if (r < 0)
    return r;
  _cleanup_strv_ char **v = NULL;
  while (sqlite3_step (st) == SQLITE_ROW)
    if (strv_consume (&v, db_column_strdup (st, 0)) < 0)
      return error_set (err, ENOMEM, "out of memory");
  *out = TAKE_PTR (v);
  return 0;
}

int
store_db_delete_layer (struct image_store *s, const char *diff_id, struct error **err)
{
  int r = db_begin (s->db, err);
  if (r < 0)
    return r;
  r = run (s, "DELETE FROM layers WHERE diff_id = ? AND NOT EXISTS"
              " (SELECT 1 FROM image_layers WHERE diff_id = layers.diff_id)",
           err, 1, diff_id);
  if (r < 0)
    {
      db_rollback (s->db);
      return r;
    }
  int c = db_commit (s->db, err);
  return c < 0 ? c : r;
}

int
store_db_blob_used (struct image_store *s, const char *digest)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (s->db),
                          "SELECT 1 FROM image_blobs WHERE digest = ?1 UNION ALL "
                          "SELECT 1 FROM layers WHERE blob_digest = ?1 AND EXISTS "
                          "(SELECT 1 FROM image_layers il WHERE il.diff_id = layers.diff_id)"
                          " LIMIT 1",
                          -1, &st, NULL)
      != SQLITE_OK)
    return 1; /* when in doubt, keep it */
  bind_text (st, 1, digest);
  return sqlite3_step (st) == SQLITE_ROW;
}

/* ---------------------------------------------------------------- images */

void
image_info_free (struct image_info *i)
{
  if (i == NULL)
    return;
  free (i->id);
  free (i->manifest_digest);
  free (i->manifest_media_type);
  free (i->os);
  free (i->architecture);
  free (i->variant);
  strv_free (i->names);
  strv_free (i->repo_digests);
  strv_free (i->diff_ids);
  free (i);
}

void
image_info_list_free (struct image_info **l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; l[i]; i++)
    image_info_free (l[i]);
  free (l);
}

static void
repo_of (const char *name, char *buf, size_t cap)
{
  /* "host:5000/a/b:tag" -> "host:5000/a/b": the tag is after the last '/' */
  snprintf (buf, cap, "%s", name);
  char *slash = strrchr (buf, '/');
  char *colon = strrchr (slash ? slash : buf, ':');
  char *at = strchr (slash ? slash : buf, '@');
  if (at)
    *at = '\0';
  else if (colon)
    *colon = '\0';
}

int
image_store_add_image (struct image_store *s, const struct image_add *a, struct error **err)
{
  int r = db_begin (s->db, err);
  if (r < 0)
    return r;
  char now[32];
  snprintf (now, sizeof now, "%lld", (long long) time (NULL));
  char created[32];
  snprintf (created, sizeof created, "%lld", (long long) a->created);
  r = run (s,
           "INSERT INTO images (id, manifest_digest, manifest_media_type, created, added, os,"
           " architecture, variant) VALUES (?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), ?, ?, ?)"
           " ON CONFLICT (id) DO UPDATE SET manifest_digest = excluded.manifest_digest,"
           " manifest_media_type = excluded.manifest_media_type",
           err, 8, a->id, a->manifest_digest, a->manifest_media_type, created, now, a->os,
           a->architecture, a->variant);
  if (r < 0)
    goto fail;
  r = run (s, "DELETE FROM image_layers WHERE image_id = ?", err, 1, a->id);
  if (r < 0)
    goto fail;
  for (size_t i = 0; a->diff_ids && a->diff_ids[i]; i++)
    {
      char idx[32];
      snprintf (idx, sizeof idx, "%zu", i);
      r = run (s, "INSERT INTO image_layers (image_id, idx, diff_id) VALUES (?, CAST(? AS INTEGER), ?)",
               err, 3, a->id, idx, a->diff_ids[i]);
      if (r < 0)
        {
          error_prefix (err, "layer `%s`", a->diff_ids[i]);
          goto fail;
        }
    }
  for (size_t i = 0; a->blobs && a->blobs[i]; i++)
    {
      r = run (s, "INSERT OR IGNORE INTO image_blobs (image_id, digest) VALUES (?, ?)", err, 2,
               a->id, a->blobs[i]);
      if (r < 0)
        goto fail;
    }
  if (a->name)
    {
      r = run (s, "INSERT INTO names (name, image_id, added) VALUES (?, ?, CAST(? AS INTEGER))"
                  " ON CONFLICT (name) DO UPDATE SET image_id = excluded.image_id,"
                  " added = excluded.added",
               err, 3, a->name, a->id, now);
      if (r < 0)
        goto fail;
    }
  if (a->repo_digest)
    {
      char repo[512];
      repo_of (a->repo_digest, repo, sizeof repo);
      const char *d = strchr (a->repo_digest, '@');
      r = run (s, "INSERT INTO repo_digests (repo, digest, image_id) VALUES (?, ?, ?)"
                  " ON CONFLICT (repo, digest) DO UPDATE SET image_id = excluded.image_id",
               err, 3, repo, d ? d + 1 : "", a->id);
      if (r < 0)
        goto fail;
    }
  return db_commit (s->db, err);
fail:
  db_rollback (s->db);
  return error_prefix (err, "record image `%s`", a->id);
}

static int
fill_info (struct image_store *s, sqlite3_stmt *row, struct image_info **out, struct error **err)
{
  struct image_info *i = calloc (1, sizeof *i);
  if (i == NULL)
    return error_set (err, ENOMEM, "out of memory");
  i->id = db_column_strdup (row, 0);
  i->manifest_digest = db_column_strdup (row, 1);
  i->manifest_media_type = db_column_strdup (row, 2);
  i->created = sqlite3_column_int64 (row, 3);
  i->added = sqlite3_column_int64 (row, 4);
  i->os = db_column_strdup (row, 5);
  i->architecture = db_column_strdup (row, 6);
  i->variant = db_column_strdup (row, 7);
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2 (db_sqlite (s->db),
                          "SELECT name FROM names WHERE image_id = ? ORDER BY added DESC, name", -1,
                          &st, NULL)
      == SQLITE_OK)
    {
      bind_text (st, 1, i->id);
      while (sqlite3_step (st) == SQLITE_ROW)
        strv_consume (&i->names, db_column_strdup (st, 0));
      sqlite3_finalize (st);
    }
  if (sqlite3_prepare_v2 (db_sqlite (s->db),
                          "SELECT repo || '@' || digest FROM repo_digests WHERE image_id = ?"
                          " ORDER BY repo, digest",
                          -1, &st, NULL)
      == SQLITE_OK)
    {
      bind_text (st, 1, i->id);
      while (sqlite3_step (st) == SQLITE_ROW)
        strv_consume (&i->repo_digests, db_column_strdup (st, 0));
      sqlite3_finalize (st);
    }
  if (sqlite3_prepare_v2 (db_sqlite (s->db),
                          "SELECT il.diff_id, COALESCE (l.size, 0) FROM image_layers il"
                          " LEFT JOIN layers l ON l.diff_id = il.diff_id"
                          " WHERE il.image_id = ? ORDER BY il.idx",
                          -1, &st, NULL)
      == SQLITE_OK)
    {
      bind_text (st, 1, i->id);
      while (sqlite3_step (st) == SQLITE_ROW)
        {
          strv_consume (&i->diff_ids, db_column_strdup (st, 0));
          i->size += (uint64_t) sqlite3_column_int64 (st, 1);
        }
      sqlite3_finalize (st);
    }
  if (i->id == NULL || i->manifest_digest == NULL)
    {
      image_info_free (i);
      return error_set (err, ENOMEM, "out of memory");
    }
  *out = i;
  return 0;
}

#define IMAGE_COLS "id, manifest_digest, manifest_media_type, created, added, os, architecture, variant"

int
image_store_get_image (struct image_store *s, const char *id, struct image_info **out,
                       struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (s->db, "SELECT " IMAGE_COLS " FROM images WHERE id = ?", &st, err);
  if (r < 0)
    return r;
  bind_text (st, 1, id);
  if (sqlite3_step (st) != SQLITE_ROW)
    return error_set (err, ENOENT, "image `%s` not found", id);
  return fill_info (s, st, out, err);
}

int
image_store_list_images (struct image_store *s, struct image_info ***out, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (
      s->db, "SELECT " IMAGE_COLS " FROM images ORDER BY added DESC, created DESC, id", &st, err);
  if (r < 0)
    return r;
  size_t n = 0;
  struct image_info **l = calloc (1, sizeof *l);
  if (l == NULL)
    return error_set (err, ENOMEM, "out of memory");
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      struct image_info **nl = realloc (l, (n + 2) * sizeof *l);
      if (nl == NULL)
        {
          image_info_list_free (l);
          return error_set (err, ENOMEM, "out of memory");
        }
      l = nl;
      r = fill_info (s, st, &l[n], err);
      if (r < 0)
        {
          l[n] = NULL;
          image_info_list_free (l);
          return r;
        }
      l[++n] = NULL;
    }
  *out = l;
  return 0;
}

static bool
all_hex (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
      return false;
  return true;
}

/* 1 and *id when found, 0 when not, -EINVAL when ambiguous. */
static int
find_id_prefix (struct image_store *s, const char *hex, char **id, struct error **err)
{
  if (strlen (hex) > 64 || !all_hex (hex))
    return 0;
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (s->db, "SELECT id FROM images WHERE substr (id, 8, ?) = ? LIMIT 2", &st, err);
  if (r < 0)
    return r;
  sqlite3_bind_int (st, 1, (int) strlen (hex));
  bind_text (st, 2, hex);
  if (sqlite3_step (st) != SQLITE_ROW)
    return 0;
  _cleanup_free_ char *first = db_column_strdup (st, 0);
  if (sqlite3_step (st) == SQLITE_ROW)
    return error_set (err, EINVAL, "image id prefix `%s` is ambiguous", hex);
  *id = TAKE_PTR (first);
  return 1;
}

static int
find_one (struct image_store *s, const char *sql, const char *a, const char *b, char **id)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (s->db), sql, -1, &st, NULL) != SQLITE_OK)
    return 0;
  bind_text (st, 1, a);
  if (b)
    bind_text (st, 2, b);
  if (sqlite3_step (st) != SQLITE_ROW)
    return 0;
  *id = db_column_strdup (st, 0);
  return *id != NULL;
}

int
image_store_resolve (struct image_store *s, const char *ref, struct image_info **out,
                     struct error **err)
{
  _cleanup_free_ char *id = NULL;
  int r;
  if (str_has_prefix (ref, "sha256:"))
    {
      r = find_id_prefix (s, ref + 7, &id, err);
      if (r < 0)
        return r;
    }
  if (id == NULL)
    {
      struct error *perr = NULL;
      _cleanup_reference_ struct reference *pr = NULL;
      if (reference_parse (ref, 0, &pr, &perr) == 0)
        {
          _cleanup_free_ char *name = reference_name (pr);
          if (pr->digest && name)
            find_one (s, "SELECT image_id FROM repo_digests WHERE repo = ? AND digest = ?", name,
                      pr->digest, &id);
          else if (pr->tag)
            {
              _cleanup_free_ char *full = reference_string (pr);
              if (full)
                find_one (s, "SELECT image_id FROM names WHERE name = ?", full, NULL, &id);
            }
        }
      error_free (perr);
    }
  if (id == NULL && !str_has_prefix (ref, "sha256:"))
    {
      r = find_id_prefix (s, ref, &id, err);
      if (r < 0)
        return r;
    }
  if (id == NULL)
    return error_set (err, ENOENT, "image `%s` not found", ref);
  return image_store_get_image (s, id, out, err);
}

int
image_store_tag (struct image_store *s, const char *id, const char *name, struct error **err)
{
  int r = db_begin (s->db, err);
  if (r < 0)
    return r;
  char now[32];
  snprintf (now, sizeof now, "%lld", (long long) time (NULL));
  r = run (s, "INSERT INTO names (name, image_id, added) VALUES (?, ?, CAST(? AS INTEGER))"
              " ON CONFLICT (name) DO UPDATE SET image_id = excluded.image_id, added = excluded.added",
           err, 3, name, id, now);
  if (r < 0)
    {
      db_rollback (s->db);
      return error_prefix (err, "tag `%s`", name);
    }
  return db_commit (s->db, err);
}

int
image_store_untag (struct image_store *s, const char *name, struct error **err)
{
  int r = db_begin (s->db, err);
  if (r < 0)
    return r;
  r = run (s, "DELETE FROM names WHERE name = ?", err, 1, name);
  if (r < 0)
    {
      db_rollback (s->db);
      return r;
    }
  int c = db_commit (s->db, err);
  if (c < 0)
    return c;
  if (r == 0)
    return error_set (err, ENOENT, "no such name: `%s`", name);
  return 0;
}

void
image_store_set_in_use_hook (struct image_store *s, image_in_use_fn fn, void *data)
{
  s->in_use = fn;
  s->in_use_data = data;
}

static int
check_in_use (struct image_store *s, const char *id, struct error **err)
{
  _cleanup_free_ char *snap = NULL;
  if (find_one (s, "SELECT id FROM snapshots WHERE image_id = ? LIMIT 1", id, NULL, &snap))
    return error_set (err, EBUSY, "image `%.19s` is in use by container `%.12s`", id, snap);
  if (s->in_use)
    {
      int r = s->in_use (s, id, s->in_use_data, err);
      if (r < 0)
        return r;
      if (r > 0)
        return -EBUSY;
    }
  return 0;
}

int
image_store_remove_image (struct image_store *s, const char *id, struct error **err)
{
  int r = check_in_use (s, id, err);
  if (r < 0)
    return r;
  r = db_begin (s->db, err);
  if (r < 0)
    return r;
  r = run (s, "DELETE FROM images WHERE id = ?", err, 1, id);
  if (r < 0)
    {
      db_rollback (s->db);
      if ((*err)->code == EEXIST) /* foreign key: a snapshot appeared meanwhile */
        {
          error_free (*err);
          *err = NULL;
          return error_set (err, EBUSY, "image `%.19s` is in use", id);
        }
      return r;
    }
  return db_commit (s->db, err);
}

int
image_store_prune (struct image_store *s, bool all, char ***ids, struct error **err)
{
  _cleanup_strv_ char **cand = NULL;
  {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int r = db_prepare (s->db,
                        all ? "SELECT id FROM images"
                            : "SELECT id FROM images i WHERE NOT EXISTS"
                              " (SELECT 1 FROM names n WHERE n.image_id = i.id)",
                        &st, err);
    if (r < 0)
      return r;
    while (sqlite3_step (st) == SQLITE_ROW)
      if (strv_consume (&cand, db_column_strdup (st, 0)) < 0)
        return error_set (err, ENOMEM, "out of memory");
  }
  _cleanup_strv_ char **done = NULL;
  for (size_t i = 0; cand && cand[i]; i++)
    {
      struct error *e = NULL;
      if (image_store_remove_image (s, cand[i], &e) < 0)
        {
          int code = e->code;
          error_free (e);
          if (code == EBUSY)
            continue; /* in use: not prunable */
          return error_set (err, code, "remove image `%s`", cand[i]);
        }
      strv_push (&done, cand[i]);
    }
  if (ids)
    *ids = TAKE_PTR (done);
  return 0;
}
