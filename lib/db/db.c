/* db.c - the store's SQLite database: opening, errors, transactions and
 * per-module migrations (see db.h). */
#include "db/db.h"

#include "base/error.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct db
{
  sqlite3 *sql;
  char *path;
  /* Held from db_begin to db_commit/db_rollback: the connection is shared
   * by the threads of a pull (SQLITE_OPEN_FULLMUTEX serialises single
   * calls, not transactions).  Recursive, so that a nested db_begin fails
   * in SQLite ("cannot start a transaction within a transaction") as it
   * would without the mutex, instead of deadlocking. */
  pthread_mutex_t mu;
};

/* How long a writer waits for another process's write lock.  Long enough
 * for 50 concurrent `hull run`s to queue up; a lock held longer than this
 * is a hung process, and the caller reports EBUSY. */
#define BUSY_TIMEOUT_MS 60000

int
db_errno (int rc)
{
  switch (rc & 0xff) /* the primary code of an extended one */
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return EBUSY;
    case SQLITE_CONSTRAINT:
      return EEXIST;
    case SQLITE_FULL:
      return ENOSPC;
    case SQLITE_NOMEM:
      return ENOMEM;
    case SQLITE_READONLY:
      return EROFS;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return EACCES;
    case SQLITE_TOOBIG:
      return E2BIG;
    default:
      return EIO;
    }
}

int
db_error_code (struct db *db, int rc, const char *what, struct error **err)
{
  return error_set (err, db_errno (rc), "database: %s: %s", what,
                    db && db->sql ? sqlite3_errmsg (db->sql) : sqlite3_errstr (rc));
}

int
db_error (struct db *db, const char *what, struct error **err)
{
  return db_error_code (db, sqlite3_errcode (db->sql), what, err);
}

int
db_exec (struct db *db, const char *sql, struct error **err)
{
  char *msg = NULL;
  int rc = sqlite3_exec (db->sql, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK)
    {
      int r = error_set (err, db_errno (rc), "database: %s", msg ? msg : sqlite3_errstr (rc));
      sqlite3_free (msg);
      return r;
    }
  return 0;
}

int
db_prepare (struct db *db, const char *sql, sqlite3_stmt **st, struct error **err)
{
  int rc = sqlite3_prepare_v2 (db->sql, sql, -1, st, NULL);
  if (rc != SQLITE_OK)
    {
      *st = NULL;
      return db_error_code (db, rc, "prepare", err);
    }
  return 0;
}

int
db_changes (struct db *db)
{
  return sqlite3_changes (db->sql);
}

char *
db_column_strdup (sqlite3_stmt *st, int col)
{
  const unsigned char *t = sqlite3_column_text (st, col);
  return t ? strdup ((const char *)t) : NULL;
}

sqlite3 *
db_sqlite (struct db *db)
{
  return db->sql;
}

int
db_begin (struct db *db, struct error **err)
{
  pthread_mutex_lock (&db->mu);
  int r = db_exec (db, "BEGIN IMMEDIATE", err);
  if (r < 0)
    pthread_mutex_unlock (&db->mu);
  return r;
}

int
db_commit (struct db *db, struct error **err)
{
  int r = db_exec (db, "COMMIT", err);
  if (r < 0)
    sqlite3_exec (db->sql, "ROLLBACK", NULL, NULL, NULL);
  pthread_mutex_unlock (&db->mu);
  return r;
}

void
db_rollback (struct db *db)
{
  sqlite3_exec (db->sql, "ROLLBACK", NULL, NULL, NULL);
  pthread_mutex_unlock (&db->mu);
}

/* ------------------------------------------------------------ open */

void
db_close (struct db *db)
{
  if (db == NULL)
    return;
  if (db->sql)
    sqlite3_close_v2 (db->sql);
  pthread_mutex_destroy (&db->mu);
  free (db->path);
  free (db);
}

int
db_open (const char *path, struct db **out, struct error **err)
{
  struct db *db = calloc (1, sizeof *db);
  if (db == NULL || (db->path = strdup (path)) == NULL)
    {
      free (db);
      return error_set (err, ENOMEM, "out of memory");
    }
  pthread_mutexattr_t a;
  pthread_mutexattr_init (&a);
  pthread_mutexattr_settype (&a, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init (&db->mu, &a);
  pthread_mutexattr_destroy (&a);

  int rc = sqlite3_open_v2 (path, &db->sql,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
                                | SQLITE_OPEN_NOFOLLOW,
                            NULL);
  if (rc != SQLITE_OK)
    {
      int r = error_set (err, db_errno (rc), "open database `%s`: %s", path,
                         db->sql ? sqlite3_errmsg (db->sql) : sqlite3_errstr (rc));
      db_close (db);
      return r;
    }
  sqlite3_busy_timeout (db->sql, BUSY_TIMEOUT_MS);
  /* Switching a new database to WAL needs an exclusive lock; when several
   * processes open a new store at once, SQLite refuses the one that would
   * deadlock at once (SQLITE_BUSY, without the busy handler): retry, for
   * up to 10 s. */
  int r;
  for (int tries = 0;; tries++)
    {
      r = db_exec (db, "PRAGMA journal_mode=WAL;", err);
      if (r != -EBUSY || tries >= 2000)
        break;
      error_free (*err), *err = NULL;
      struct timespec ts = { 0, 5 * 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
  if (r == 0)
    r = db_exec (db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err);
  if (r < 0)
    {
      error_prefix (err, "`%s`", path);
      db_close (db);
      return r;
    }
  /* Every hull command is a new process: closing the last connection would
   * checkpoint the WAL (two fsyncs) every time.  Not checkpointing at close
   * has its own price: the next first connection rebuilds the WAL index by
   * reading the whole WAL (4 MB at SQLite's default 1000-page automatic
   * checkpoint: 2 ms per command).  So no checkpoint at close, and small
   * automatic ones (64 pages, 256 kB): a checkpoint every few commands,
   * a cheap recovery at every start. */
  sqlite3_db_config (db->sql, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  sqlite3_exec (db->sql, "PRAGMA wal_autocheckpoint=64", NULL, NULL, NULL);
  *out = db;
  return 0;
}

/* ------------------------------------------------------------ migrations */

/* 1: row found (*v set), 0: no row or no table yet (*v = 0), < 0: error. */
static int
read_version (struct db *db, const char *module, int *v, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  *v = 0;
  int rc = sqlite3_prepare_v2 (db->sql, "SELECT version FROM schema_modules WHERE module = ?", -1,
                               &st, NULL);
  if (rc != SQLITE_OK)
    {
      /* No table yet is a store no module has migrated (it is created
       * under the write lock by the first db_migrate). */
      if (strstr (sqlite3_errmsg (db->sql), "no such table"))
        return 0;
      return db_error_code (db, rc, "schema_modules", err);
    }
  sqlite3_bind_text (st, 1, module, -1, SQLITE_STATIC);
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    {
      *v = sqlite3_column_int (st, 0);
      return 1;
    }
  if (rc != SQLITE_DONE)
    return db_error_code (db, rc, "schema_modules", err);
  return 0;
}

static int
user_version (struct db *db, int *v, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (db, "PRAGMA user_version", &st, err);
  if (r < 0)
    return r;
  int rc = sqlite3_step (st);
  if (rc != SQLITE_ROW)
    return db_error_code (db, rc, "user_version", err);
  *v = sqlite3_column_int (st, 0);
  return 0;
}

int
db_module_version (struct db *db, const char *module, int *version, struct error **err)
{
  int r = read_version (db, module, version, err);
  return r < 0 ? r : 0;
}

static int
too_new (const struct db_module *m, int v, struct error **err)
{
  return error_set (err, EPROTO,
                    "database: module `%s` has schema version %d, newer than this hull (%zu)",
                    m->name, v, m->n_migrations);
}

int
db_migrate (struct db *db, const struct db_module *m, struct error **err)
{
  int want = (int)m->n_migrations, v = 0;
  /* The common case reads only: no write lock for 50 concurrent runs. */
  int r = read_version (db, m->name, &v, err);
  if (r < 0)
    return r;
  if (r == 1 && v == want)
    return 0;
  if (v > want)
    return too_new (m, v, err);

  if ((r = db_begin (db, err)) < 0)
    return r;
  r = db_exec (db,
               "CREATE TABLE IF NOT EXISTS schema_modules ("
               "  module TEXT PRIMARY KEY, version INTEGER NOT NULL)",
               err);
  int found = 0;
  if (r == 0)
    found = r = read_version (db, m->name, &v, err); /* again, under the lock */
  if (r >= 0 && found == 0 && m->legacy_user_version)
    r = user_version (db, &v, err);
  if (r >= 0 && v > want)
    r = too_new (m, v, err);
  for (; r >= 0 && v < want; v++)
    if ((r = db_exec (db, m->migrations[v], err)) < 0)
      error_prefix (err, "migrate `%s` to version %d", m->name, v + 1);
  if (r >= 0)
    {
      _cleanup_stmt_ sqlite3_stmt *st = NULL;
      r = db_prepare (db, "INSERT OR REPLACE INTO schema_modules VALUES (?, ?)", &st, err);
      if (r == 0)
        {
          sqlite3_bind_text (st, 1, m->name, -1, SQLITE_STATIC);
          sqlite3_bind_int (st, 2, want);
          int rc = sqlite3_step (st);
          if (rc != SQLITE_DONE)
            r = db_error_code (db, rc, "schema_modules", err);
        }
    }
  if (r >= 0 && m->legacy_user_version)
    {
      char pragma[64];
      snprintf (pragma, sizeof pragma, "PRAGMA user_version=%d", want);
      r = db_exec (db, pragma, err);
    }
  if (r < 0)
    {
      db_rollback (db);
      return r;
    }
  return db_commit (db, err);
}
