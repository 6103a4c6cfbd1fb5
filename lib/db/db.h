/* db.h - the store's SQLite database (hull.db), one owner for every module.
 *
 * One connection per process, opened by whoever opens the store (lib/image)
 * and borrowed by the modules above it (engine, net, volume).  This module
 * owns what they all need and nothing of their tables:
 *
 *   - opening: WAL (readers never block the writer), a busy timeout (writers
 *     queue up instead of failing), foreign keys, small automatic
 *     checkpoints (see db.c for the measurements behind them);
 *   - errors: a SQLite result code becomes a negative errno and a one-line
 *     message (`database: WHAT: SQLite's message`);
 *   - statements: _cleanup_stmt_ finalizes a prepared statement;
 *   - transactions: db_begin takes the write lock up front (BEGIN IMMEDIATE)
 *     and the connection's mutex, so two threads of one process never mix
 *     their statements into one transaction;
 *   - schema: each module hands db_migrate its name and its migrations
 *     (migrations[i] brings version i to i + 1); versions are rows of one
 *     table, schema_modules(module, version), so modules never collide.
 *
 *   struct db *db;
 *   if (db_open ("/var/lib/hull/hull.db", &db, &err) < 0) ...
 *   static const struct db_module m = { "volume", migrations, ARRAY_SIZE (migrations) };
 *   if (db_migrate (db, &m, &err) < 0) ...
 *   _cleanup_stmt_ sqlite3_stmt *st = NULL;
 *   if (db_prepare (db, "SELECT ...", &st, &err) < 0) ...
 */
#ifndef HULL_DB_DB_H
#define HULL_DB_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

struct error;
struct db;

/* Open (creating) the database file PATH, never through a symlink. */
int db_open (const char *path, struct db **out, struct error **err);
void db_close (struct db *db);
static inline void
db_closep (struct db **db)
{
  if (*db)
    db_close (*db);
}
#define _cleanup_db_ __attribute__ ((cleanup (db_closep)))

/* The connection, for statements (sqlite3_prepare_v2 and friends). */
sqlite3 *db_sqlite (struct db *db);

/* A SQLite result code (primary or extended) as a positive errno: busy or
 * locked EBUSY, a constraint EEXIST, full ENOSPC, out of memory ENOMEM,
 * read-only EROFS, permission EACCES, too big E2BIG, anything else EIO. */
int db_errno (int rc);
/* Set *err to "database: WHAT: <SQLite's message>" with db_errno (RC);
 * returns its negative errno.  db_error takes the connection's last code. */
int db_error_code (struct db *db, int rc, const char *what, struct error **err);
int db_error (struct db *db, const char *what, struct error **err);

/* Run SQL (one or more statements, no parameters, rows ignored). */
int db_exec (struct db *db, const char *sql, struct error **err);
/* Prepare one statement; on failure *st is NULL and *err says why. */
int db_prepare (struct db *db, const char *sql, sqlite3_stmt **st, struct error **err);
/* Rows changed by the last INSERT, UPDATE or DELETE. */
int db_changes (struct db *db);
/* A text column as a malloc'd string (NULL for NULL or out of memory). */
char *db_column_strdup (sqlite3_stmt *st, int col);

/* BEGIN IMMEDIATE; every db_begin that returns 0 is ended by exactly one
 * db_commit or db_rollback on the same thread.  db_commit rolls back when
 * the commit fails. */
int db_begin (struct db *db, struct error **err);
int db_commit (struct db *db, struct error **err);
void db_rollback (struct db *db);

static inline void
db_finalizep (sqlite3_stmt **st)
{
  if (*st)
    sqlite3_finalize (*st);
}
#define _cleanup_stmt_ __attribute__ ((cleanup (db_finalizep)))

/* A module's schema: its name (the key in schema_modules) and its
 * migrations, applied in order, each at most once. */
struct db_module
{
  const char *name;
  const char *const *migrations;
  size_t n_migrations;
  /* The module's version used to be PRAGMA user_version (lib/image before
   * schema_modules held every module): read it when the module has no row
   * yet, and keep it in step so that an older hull still opens the store. */
  bool legacy_user_version;
};

/* Bring module M to its latest version in one transaction: all of its
 * pending migrations and its new version are written, or nothing is.  A
 * store whose version of M is newer than this build fails with EPROTO. */
int db_migrate (struct db *db, const struct db_module *m, struct error **err);
/* M's version in this database (0: never migrated). */
int db_module_version (struct db *db, const char *module, int *version, struct error **err);

#endif
