/* db.c - container records in the store's SQLite database.
 *
 * The database is lib/db's (hull.db: WAL, busy timeout, foreign keys,
 * migrations versioned per module: ours is module "engine").  The
 * connection is the image store's.  Every change is a BEGIN IMMEDIATE
 * transaction: the write lock is taken up front, so two hull processes
 * never both read and then both write (no lost update); names are a
 * UNIQUE column, so two `hull run --name x` cannot both win.
 */
#include "engine/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE containers ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  image TEXT NOT NULL,"
  "  image_id TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  state TEXT NOT NULL,"
  "  pid INTEGER NOT NULL DEFAULT 0,"
  "  exit_code INTEGER NOT NULL DEFAULT 0,"
  "  oom_killed INTEGER NOT NULL DEFAULT 0,"
  "  error TEXT,"
  "  started_at INTEGER NOT NULL DEFAULT 0,"
  "  finished_at INTEGER NOT NULL DEFAULT 0,"
  "  restart_count INTEGER NOT NULL DEFAULT 0,"
  "  spec TEXT NOT NULL,"
  "  ext TEXT);"
  "CREATE INDEX containers_image ON containers(image_id);",
};

static const char *const state_names[] = {
  [CTR_CREATED] = "created",   [CTR_STARTING] = "starting", [CTR_RUNNING] = "running",
  [CTR_PAUSED] = "paused",     [CTR_RESTARTING] = "restarting", [CTR_EXITED] = "exited",
  [CTR_REMOVING] = "removing", [CTR_DEAD] = "dead",
};

const char *
ctr_state_name (enum ctr_state s)
{
  return (unsigned) s < ARRAY_SIZE (state_names) ? state_names[s] : "unknown";
}

static enum ctr_state
state_from_name (const char *n)
{
  for (size_t i = 0; i < ARRAY_SIZE (state_names); i++)
    if (n && strcmp (n, state_names[i]) == 0)
      return (enum ctr_state) i;
  return CTR_DEAD;
}

struct db *
engine_db (struct engine *e)
{
  return e->db;
}

int
edb_migrate (struct engine *e, struct error **err)
{
  static const struct db_module m = { "engine", migrations, ARRAY_SIZE (migrations), false };
  return db_migrate (e->db, &m, err);
}

/* ------------------------------------------------------------ records */

void
ctr_record_free (struct ctr_record *r)
{
  if (r == NULL)
    return;
  free (r->id);
  free (r->name);
  free (r->image);
  free (r->image_id);
  free (r->error);
  free (r->health);
  for (size_t i = 0; i < r->n_health_log; i++)
    free (r->health_log[i].output);
  free (r->health_log);
  if (r->spec)
    ctr_spec_free (r->spec);
  if (r->ext)
    json_object_put (r->ext);
  free (r);
}

void
ctr_record_list_free (struct ctr_record **l)
{
  for (size_t i = 0; l && l[i]; i++)
    ctr_record_free (l[i]);
  free (l);
}

#define COLS "id, name, image, image_id, created, state, pid, exit_code, oom_killed, error," \
             " started_at, finished_at, restart_count, spec, ext"

static int
row_to_record (sqlite3_stmt *st, struct ctr_record **out, struct error **err)
{
  struct ctr_record *r = calloc (1, sizeof *r);
  if (r == NULL)
    return error_set (err, ENOMEM, "out of memory");
  r->id = db_column_strdup (st, 0);
  r->name = db_column_strdup (st, 1);
  r->image = db_column_strdup (st, 2);
  r->image_id = db_column_strdup (st, 3);
  r->created = sqlite3_column_int64 (st, 4);
  r->state = state_from_name ((const char *) sqlite3_column_text (st, 5));
  r->pid = (pid_t) sqlite3_column_int64 (st, 6);
  r->exit_code = sqlite3_column_int (st, 7);
  r->oom_killed = sqlite3_column_int (st, 8) != 0;
  r->error = db_column_strdup (st, 9);
  r->started_at = sqlite3_column_int64 (st, 10);
  r->finished_at = sqlite3_column_int64 (st, 11);
  r->restart_count = sqlite3_column_int (st, 12);
  const char *spec = (const char *) sqlite3_column_text (st, 13);
  const char *ext = (const char *) sqlite3_column_text (st, 14);
  _cleanup_json_ json_object *o = NULL;
  int ret = 0;
  if (spec == NULL || jsonx_parse (spec, strlen (spec), &o, err) < 0)
    ret = spec ? -EINVAL : error_set (err, EINVAL, "container record without a spec");
  else
    {
      r->spec = calloc (1, sizeof *r->spec);
      if (r->spec == NULL)
        ret = error_set (err, ENOMEM, "out of memory");
      else
        ret = ctr_spec_from_json (o, r->spec, err);
    }
  if (ret == 0 && ext)
    {
      if (jsonx_parse (ext, strlen (ext), &r->ext, err) < 0)
        ret = -EINVAL;
    }
  if (ret < 0 || r->id == NULL || r->name == NULL)
    {
      if (ret == 0)
        ret = error_set (err, ENOMEM, "out of memory");
      error_prefix (err, "container `%.12s`", r->id ? r->id : "?");
      ctr_record_free (r);
      return ret;
    }
  *out = r;
  return 0;
}

int
edb_insert (struct engine *e, const struct ctr_record *r, struct error **err)
{
  _cleanup_json_ json_object *spec = ctr_spec_to_json (r->spec);
  const char *spec_text = json_object_to_json_string_ext (spec, JSON_C_TO_STRING_PLAIN);
  int ret = db_begin (e->db, err);
  if (ret < 0)
    return ret;
  {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    /* A name may not be another container's id or id prefix either: docker
     * refuses a name only when it is taken; we do the same. */
    if (sqlite3_prepare_v2 (db_sqlite (e->db), "SELECT id FROM containers WHERE name = ?", -1, &st,
                            NULL)
        != SQLITE_OK)
      {
        ret = db_error (e->db, "lookup", err);
        goto fail;
      }
    sqlite3_bind_text (st, 1, r->name, -1, SQLITE_STATIC);
    if (sqlite3_step (st) == SQLITE_ROW)
      {
        ret = error_set (err, EEXIST,
                         "the container name `%s` is already in use by container `%.12s`: "
                         "remove or rename that container to reuse the name",
                         r->name, (const char *) sqlite3_column_text (st, 0));
        goto fail;
      }
  }
  {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2 (db_sqlite (e->db),
                            "INSERT INTO containers (" COLS ") VALUES "
                            "(?1, ?2, ?3, ?4, ?5, ?6, 0, 0, 0, NULL, 0, 0, 0, ?7, ?8)",
                            -1, &st, NULL)
        != SQLITE_OK)
      {
        ret = db_error (e->db, "insert", err);
        goto fail;
      }
    sqlite3_bind_text (st, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 2, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 3, r->image ? r->image : "", -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 4, r->image_id ? r->image_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64 (st, 5, r->created);
    sqlite3_bind_text (st, 6, ctr_state_name (r->state), -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 7, spec_text, -1, SQLITE_STATIC);
    if (r->ext)
      sqlite3_bind_text (st, 8, json_object_to_json_string_ext (r->ext, JSON_C_TO_STRING_PLAIN),
                         -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_null (st, 8);
    if (sqlite3_step (st) != SQLITE_DONE)
      {
        if (sqlite3_errcode (db_sqlite (e->db)) == SQLITE_CONSTRAINT)
          ret = error_set (err, EEXIST, "the container name `%s` is already in use", r->name);
        else
          ret = db_error (e->db, "insert", err);
        goto fail;
      }
  }
  return db_commit (e->db, err);
fail:
  db_rollback (e->db);
  return ret;
}

static bool
is_hex (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
      return false;
  return true;
}

int
edb_get (struct engine *e, const char *id, struct ctr_record **out, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (e->db), "SELECT " COLS " FROM containers WHERE id = ?", -1,
                          &st, NULL)
      != SQLITE_OK)
    return db_error (e->db, "lookup", err);
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  int rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    return row_to_record (st, out, err);
  if (rc != SQLITE_DONE)
    return db_error (e->db, "lookup", err);
  return error_set (err, ENOENT, "no such container: `%s`", id);
}

int
edb_find (struct engine *e, const char *ref, struct ctr_record **out, struct error **err)
{
  if (*ref == '\0' || strlen (ref) > 256)
    return error_set (err, ENOENT, "no such container: `%.64s`", ref);
  {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2 (db_sqlite (e->db),
                            "SELECT " COLS " FROM containers WHERE id = ?1 OR name = ?1"
                            " ORDER BY id = ?1 DESC LIMIT 1",
                            -1, &st, NULL)
        != SQLITE_OK)
      return db_error (e->db, "lookup", err);
    sqlite3_bind_text (st, 1, ref[0] == '/' ? ref + 1 : ref, -1, SQLITE_STATIC);
    int rc = sqlite3_step (st);
    if (rc == SQLITE_ROW)
      return row_to_record (st, out, err);
    if (rc != SQLITE_DONE)
      return db_error (e->db, "lookup", err);
  }
  if (!is_hex (ref) || strlen (ref) > 64)
    return error_set (err, ENOENT, "no such container: `%s`", ref);
  /* a unique id prefix (hex only, so LIKE has no wildcard to misread) */
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (e->db),
                          "SELECT " COLS " FROM containers WHERE id LIKE ?1 || '%' LIMIT 2", -1,
                          &st, NULL)
      != SQLITE_OK)
    return db_error (e->db, "lookup", err);
  sqlite3_bind_text (st, 1, ref, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return error_set (err, ENOENT, "no such container: `%s`", ref);
  struct ctr_record *r = NULL;
  int ret = row_to_record (st, &r, err);
  if (ret < 0)
    return ret;
  if (sqlite3_step (st) == SQLITE_ROW)
    {
      ctr_record_free (r);
      return error_set (err, EINVAL, "multiple containers match the id prefix `%s`", ref);
    }
  *out = r;
  return 0;
}

int
edb_list (struct engine *e, struct ctr_record ***out, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (e->db),
                          "SELECT " COLS " FROM containers ORDER BY created DESC", -1, &st, NULL)
      != SQLITE_OK)
    return db_error (e->db, "list", err);
  struct ctr_record **list = calloc (1, sizeof *list);
  size_t n = 0;
  if (list == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      struct ctr_record *r = NULL;
      if (row_to_record (st, &r, err) < 0)
        {
          ctr_record_list_free (list);
          return -EINVAL;
        }
      struct ctr_record **nl = realloc (list, (n + 2) * sizeof *nl);
      if (nl == NULL)
        {
          ctr_record_free (r);
          ctr_record_list_free (list);
          return error_set (err, ENOMEM, "out of memory");
        }
      list = nl;
      list[n++] = r;
      list[n] = NULL;
    }
  if (rc != SQLITE_DONE)
    {
      ctr_record_list_free (list);
      return db_error (e->db, "list", err);
    }
  *out = list;
  return 0;
}

int
edb_save_state (struct engine *e, const struct ctr_record *r, unsigned only_if, struct error **err)
{
  int ret = db_begin (e->db, err);
  if (ret < 0)
    return ret;
  if (only_if)
    {
      _cleanup_stmt_ sqlite3_stmt *st = NULL;
      if (sqlite3_prepare_v2 (db_sqlite (e->db), "SELECT state FROM containers WHERE id = ?", -1,
                              &st, NULL)
          != SQLITE_OK)
        {
          ret = db_error (e->db, "lookup", err);
          goto fail;
        }
      sqlite3_bind_text (st, 1, r->id, -1, SQLITE_STATIC);
      if (sqlite3_step (st) != SQLITE_ROW)
        {
          ret = error_set (err, ENOENT, "no such container: `%.12s`", r->id);
          goto fail;
        }
      enum ctr_state cur = state_from_name ((const char *) sqlite3_column_text (st, 0));
      if (!(only_if & STATE_BIT (cur)))
        {
          db_rollback (e->db);
          return 0;
        }
    }
  {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2 (db_sqlite (e->db),
                            "UPDATE containers SET state = ?2, pid = ?3, exit_code = ?4,"
                            " oom_killed = ?5, error = ?6, started_at = ?7, finished_at = ?8,"
                            " restart_count = ?9 WHERE id = ?1",
                            -1, &st, NULL)
        != SQLITE_OK)
      {
        ret = db_error (e->db, "update", err);
        goto fail;
      }
    sqlite3_bind_text (st, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 2, ctr_state_name (r->state), -1, SQLITE_STATIC);
    sqlite3_bind_int64 (st, 3, r->pid);
    sqlite3_bind_int (st, 4, r->exit_code);
    sqlite3_bind_int (st, 5, r->oom_killed);
    if (r->error)
      sqlite3_bind_text (st, 6, r->error, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null (st, 6);
    sqlite3_bind_int64 (st, 7, r->started_at);
    sqlite3_bind_int64 (st, 8, r->finished_at);
    sqlite3_bind_int (st, 9, r->restart_count);
    if (sqlite3_step (st) != SQLITE_DONE)
      {
        ret = db_error (e->db, "update", err);
        goto fail;
      }
    if (sqlite3_changes (db_sqlite (e->db)) == 0)
      {
        ret = error_set (err, ENOENT, "no such container: `%.12s`", r->id);
        goto fail;
      }
  }
  ret = db_commit (e->db, err);
  return ret < 0 ? ret : 1;
fail:
  db_rollback (e->db);
  return ret;
}

int
edb_save_ext (struct engine *e, const struct ctr_record *r, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (e->db), "UPDATE containers SET ext = ?2 WHERE id = ?1", -1,
                          &st, NULL)
      != SQLITE_OK)
    return db_error (e->db, "update", err);
  sqlite3_bind_text (st, 1, r->id, -1, SQLITE_STATIC);
  if (r->ext)
    sqlite3_bind_text (st, 2, json_object_to_json_string_ext (r->ext, JSON_C_TO_STRING_PLAIN), -1,
                       SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (st, 2);
  if (sqlite3_step (st) != SQLITE_DONE)
    return db_error (e->db, "update", err);
  return 0;
}

int
edb_delete (struct engine *e, const char *id, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (e->db), "DELETE FROM containers WHERE id = ?", -1, &st, NULL)
      != SQLITE_OK)
    return db_error (e->db, "delete", err);
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return db_error (e->db, "delete", err);
  return 0;
}

int
edb_rename (struct engine *e, const char *id, const char *name, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (e->db), "UPDATE containers SET name = ?2 WHERE id = ?1", -1,
                          &st, NULL)
      != SQLITE_OK)
    return db_error (e->db, "rename", err);
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, name, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      if (sqlite3_errcode (db_sqlite (e->db)) == SQLITE_CONSTRAINT)
        return error_set (err, EEXIST, "the container name `%s` is already in use", name);
      return db_error (e->db, "rename", err);
    }
  return 0;
}

char *
edb_container_of_image (struct engine *e, const char *image_id)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (e->db), "SELECT id FROM containers WHERE image_id = ? LIMIT 1",
                          -1, &st, NULL)
      != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (st, 1, image_id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) == SQLITE_ROW)
    return db_column_strdup (st, 0);
  return NULL;
}
