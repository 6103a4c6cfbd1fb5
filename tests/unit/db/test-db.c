/* test-db.c - lib/db: open (WAL, foreign keys, no symlink), per-module
 * migrations (once, in order, all or nothing, a newer store refused, the
 * image module's old PRAGMA user_version adopted), error mapping, and two
 * processes opening and writing one new store at once. */
#include "../../lib/tap-error.h"

#include "base/error.h"
#include "base/fs.h"
#include "db/db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/hull-db-test-XXXXXX";

static char *
path_of (const char *name)
{
  static char p[512];
  snprintf (p, sizeof p, "%s/%s", dir, name);
  return p;
}

static struct db *
open_new (const char *name)
{
  struct db *db = NULL;
  struct error *e = NULL;
  unlink (path_of (name));
  if (db_open (path_of (name), &db, &e) < 0)
    {
      printf ("#   db_open `%s`: %s\n", name, e->msg);
      error_free (e);
      return NULL;
    }
  return db;
}

/* The first column of the first row of SQL, or -1. */
static long long
query_int (struct db *db, const char *sql)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (db), sql, -1, &st, NULL) != SQLITE_OK
      || sqlite3_step (st) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int64 (st, 0);
}

static char *
query_text (struct db *db, const char *sql)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (db), sql, -1, &st, NULL) != SQLITE_OK
      || sqlite3_step (st) != SQLITE_ROW)
    return NULL;
  return db_column_strdup (st, 0);
}

static int
module_version (struct db *db, const char *module)
{
  int v = -1;
  struct error *e = NULL;
  if (db_module_version (db, module, &v, &e) < 0)
    {
      printf ("#   version of `%s`: %s\n", module, e->msg);
      error_free (e);
      return -1;
    }
  return v;
}

static void
test_open (void)
{
  struct db *db = open_new ("open.db");
  REQUIRE (db != NULL);
  char *mode = query_text (db, "PRAGMA journal_mode");
  CHECK_STR (mode, "wal");
  free (mode);
  CHECK_INT (query_int (db, "PRAGMA foreign_keys"), ==, 1);
  CHECK_INT (query_int (db, "PRAGMA synchronous"), ==, 1); /* NORMAL */
  CHECK_INT (query_int (db, "PRAGMA wal_autocheckpoint"), ==, 64);
  CHECK_INT (query_int (db, "PRAGMA busy_timeout"), ==, 60000);
  db_close (db);

  /* never through a symlink: the store's root is ours, a link in it is not */
  CHECK (symlink ("open.db", path_of ("link.db")) == 0);
  struct db *l = NULL;
  CHECK_FAIL (db_open (path_of ("link.db"), &l, err), EIO, "open database `");
  CHECK (l == NULL);
  /* a directory that does not exist */
  CHECK_FAIL (db_open (path_of ("nowhere/x.db"), &l, err), EIO, "nowhere/x.db");
  CHECK (l == NULL);
}

/* Each migration appends its number to table log: the order they ran in. */
static const char *const mig_a[] = {
  "CREATE TABLE a_log (n INTEGER); INSERT INTO a_log VALUES (1);",
  "INSERT INTO a_log VALUES (2);",
  "INSERT INTO a_log VALUES (3); CREATE TABLE a_things (name TEXT PRIMARY KEY);",
};

static char *
log_of (struct db *db)
{
  return query_text (db, "SELECT group_concat (n, ',') FROM (SELECT n FROM a_log ORDER BY rowid)");
}

static void
test_migrations_once_in_order (void)
{
  struct db *db = open_new ("mig.db");
  REQUIRE (db != NULL);
  CHECK_INT (module_version (db, "a"), ==, 0); /* no schema_modules table yet */

  struct db_module a1 = { "a", mig_a, 1, false };
  CHECK_OK (db_migrate (db, &a1, err));
  CHECK_INT (module_version (db, "a"), ==, 1);
  char *log = log_of (db);
  CHECK_STR (log, "1");
  free (log);

  /* a newer build: the pending ones, in order, once */
  struct db_module a3 = { "a", mig_a, 3, false };
  CHECK_OK (db_migrate (db, &a3, err));
  CHECK_OK (db_migrate (db, &a3, err));
  CHECK_INT (module_version (db, "a"), ==, 3);
  log = log_of (db);
  CHECK_STR (log, "1,2,3");
  free (log);

  /* another module keeps its own version in the same table */
  static const char *const mig_b[] = { "CREATE TABLE b_x (v INTEGER);" };
  struct db_module b = { "b", mig_b, 1, false };
  CHECK_OK (db_migrate (db, &b, err));
  CHECK_INT (module_version (db, "b"), ==, 1);
  CHECK_INT (module_version (db, "a"), ==, 3);
  CHECK_INT (query_int (db, "SELECT count(*) FROM schema_modules"), ==, 2);

  /* and a second connection (a later command) sees it all done */
  db_close (db);
  struct db *again = NULL;
  CHECK_OK (db_open (path_of ("mig.db"), &again, err));
  REQUIRE (again != NULL);
  CHECK_OK (db_migrate (again, &a3, err));
  log = log_of (again);
  CHECK_STR (log, "1,2,3");
  free (log);

  /* an older build refuses a store it does not understand, and changes nothing */
  struct db_module a2 = { "a", mig_a, 2, false };
  CHECK_FAIL (db_migrate (again, &a2, err), EPROTO,
         "module `a` has schema version 3, newer than this hull (2)");
  CHECK_INT (module_version (again, "a"), ==, 3);
  db_close (again);
}

static void
test_failing_migration_leaves_nothing (void)
{
  struct db *db = open_new ("fail.db");
  REQUIRE (db != NULL);
  static const char *const mig[] = {
    "CREATE TABLE c_one (x INTEGER);",
    "CREATE TABLE c_two (x INTEGER); INSERT INTO c_one VALUES (1);",
    "CREATE TABLE c_three (x INTEGER); INSERT INTO no_such_table VALUES (1);",
  };
  struct db_module c = { "c", mig, 3, false };
  CHECK_FAIL (db_migrate (db, &c, err), EIO,
         "migrate `c` to version 3: database: no such table: no_such_table");
  /* not the first two either: one transaction */
  CHECK_INT (
      query_int (db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'c\\_%' ESCAPE '\\'"), ==,
      0);
  CHECK_INT (module_version (db, "c"), ==, 0);
  /* the connection is usable, and not left inside a transaction */
  CHECK (sqlite3_get_autocommit (db_sqlite (db)) != 0);
  struct db_module c2 = { "c", mig, 2, false };
  CHECK_OK (db_migrate (db, &c2, err));
  CHECK_INT (module_version (db, "c"), ==, 2);
  CHECK_INT (query_int (db, "SELECT count(*) FROM c_one"), ==, 1);
  db_close (db);
}

/* A store made before schema_modules held lib/image: image's version was
 * PRAGMA user_version, the modules above had rows. */
static void
test_legacy_user_version (void)
{
  struct db *db = open_new ("legacy.db");
  REQUIRE (db != NULL);
  CHECK_OK (db_exec (db,
               "CREATE TABLE layers (diff_id TEXT PRIMARY KEY);"
               "PRAGMA user_version=1;"
               "CREATE TABLE schema_modules (module TEXT PRIMARY KEY, version INTEGER NOT NULL);"
               "INSERT INTO schema_modules VALUES ('engine', 1);",
               err));
  static const char *const mig[] = {
    "CREATE TABLE layers (diff_id TEXT PRIMARY KEY);",
    "CREATE TABLE images_v2 (id TEXT);",
  };
  struct db_module img = { "image", mig, 2, true };
  CHECK_OK (db_migrate (db, &img, err)); /* 1 -> 2 only: layers exists already */
  CHECK_INT (module_version (db, "image"), ==, 2);
  CHECK_INT (module_version (db, "engine"), ==, 1);
  CHECK_INT (query_int (db, "SELECT count(*) FROM sqlite_master WHERE name = 'images_v2'"), ==, 1);
  /* kept in step, so that an older hull still opens the store */
  CHECK_INT (query_int (db, "PRAGMA user_version"), ==, 2);
  CHECK_OK (db_migrate (db, &img, err));
  db_close (db);

  /* a fresh store: user_version set too */
  db = open_new ("legacy2.db");
  REQUIRE (db != NULL);
  CHECK_OK (db_migrate (db, &img, err));
  CHECK_INT (query_int (db, "PRAGMA user_version"), ==, 2);
  CHECK_INT (module_version (db, "image"), ==, 2);
  db_close (db);
}

static void
test_errors (void)
{
  CHECK_INT (db_errno (SQLITE_BUSY), ==, EBUSY);
  CHECK_INT (db_errno (SQLITE_BUSY_SNAPSHOT), ==, EBUSY);
  CHECK_INT (db_errno (SQLITE_LOCKED), ==, EBUSY);
  CHECK_INT (db_errno (SQLITE_CONSTRAINT_UNIQUE), ==, EEXIST);
  CHECK_INT (db_errno (SQLITE_FULL), ==, ENOSPC);
  CHECK_INT (db_errno (SQLITE_NOMEM), ==, ENOMEM);
  CHECK_INT (db_errno (SQLITE_READONLY), ==, EROFS);
  CHECK_INT (db_errno (SQLITE_CORRUPT), ==, EIO);
  CHECK_INT (db_errno (SQLITE_ERROR), ==, EIO);

  struct db *db = open_new ("err.db");
  REQUIRE (db != NULL);
  CHECK_OK (db_exec (db, "CREATE TABLE t (name TEXT PRIMARY KEY, n INTEGER NOT NULL)", err));
  CHECK_OK (db_exec (db, "INSERT INTO t VALUES ('x', 1)", err));
  /* db_exec: SQLite's message, the errno of its code */
  CHECK_FAIL (db_exec (db, "INSERT INTO t VALUES ('x', 2)", err), EEXIST,
         "database: UNIQUE constraint failed: t.name");
  CHECK_FAIL (db_exec (db, "SELEC 1", err), EIO, "database: near \"SELEC\": syntax error");
  /* db_prepare, and db_error after a step */
  sqlite3_stmt *bad = (sqlite3_stmt *)1;
  CHECK_FAIL (db_prepare (db, "SELECT * FROM nope", &bad, err), EIO,
         "database: prepare: no such table: nope");
  CHECK (bad == NULL);
  {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    CHECK_OK (db_prepare (db, "INSERT INTO t VALUES (?, NULL)", &st, err));
    REQUIRE (st != NULL);
    sqlite3_bind_text (st, 1, "y", -1, SQLITE_STATIC);
    CHECK (sqlite3_step (st) != SQLITE_DONE);
    CHECK_FAIL (db_error (db, "insert", err), EEXIST,
           "database: insert: NOT NULL constraint failed: t.n");
  }
  /* a transaction rolled back leaves nothing; a committed one stays */
  CHECK_OK (db_begin (db, err));
  CHECK_OK (db_exec (db, "INSERT INTO t VALUES ('z', 3)", err));
  CHECK_INT (db_changes (db), ==, 1);
  db_rollback (db);
  CHECK_INT (query_int (db, "SELECT count(*) FROM t"), ==, 1);
  CHECK_OK (db_begin (db, err));
  CHECK_OK (db_exec (db, "INSERT INTO t VALUES ('z', 3)", err));
  CHECK_OK (db_commit (db, err));
  CHECK_INT (query_int (db, "SELECT count(*) FROM t"), ==, 2);
  /* nested: SQLite's refusal, not a deadlock on the connection's mutex */
  CHECK_OK (db_begin (db, err));
  CHECK_FAIL (db_begin (db, err), EIO, "cannot start a transaction within a transaction");
  db_rollback (db);
  CHECK (sqlite3_get_autocommit (db_sqlite (db)) != 0);
  db_close (db);
}

static int
wait_exit (pid_t pid)
{
  int st;
  if (waitpid (pid, &st, 0) != pid)
    return -1;
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

/* Another process holds the write lock: a writer waits for it (busy
 * timeout) instead of failing; with no patience left it fails EBUSY. */
static void
test_busy (void)
{
  struct db *db = open_new ("busy.db");
  REQUIRE (db != NULL);
  CHECK_OK (db_exec (db, "CREATE TABLE t (n INTEGER)", err));
  int go[2], held[2];
  REQUIRE (pipe (go) == 0 && pipe (held) == 0);
  pid_t pid = fork ();
  REQUIRE (pid >= 0);
  if (pid == 0)
    {
      struct db *c = NULL;
      struct error *e = NULL;
      char b;
      if (db_open (path_of ("busy.db"), &c, &e) < 0 || db_begin (c, &e) < 0
          || db_exec (c, "INSERT INTO t VALUES (1)", &e) < 0)
        _exit (1);
      if (write (held[1], "x", 1) != 1 || read (go[0], &b, 1) != 1)
        _exit (1);
      usleep (300 * 1000); /* the parent is waiting for the lock meanwhile */
      _exit (db_commit (c, &e) < 0 ? 1 : 0);
    }
  char b;
  REQUIRE (read (held[0], &b, 1) == 1);
  /* no patience: EBUSY, "database is locked" */
  sqlite3_busy_timeout (db_sqlite (db), 0);
  CHECK_FAIL (db_begin (db, err), EBUSY, "database: database is locked");
  /* the default patience: waits for the other commit, then goes on */
  sqlite3_busy_timeout (db_sqlite (db), 60000);
  CHECK (write (go[1], "x", 1) == 1);
  CHECK_OK (db_begin (db, err));
  CHECK_OK (db_exec (db, "INSERT INTO t VALUES (2)", err));
  CHECK_OK (db_commit (db, err));
  CHECK_INT (wait_exit (pid), ==, 0);
  char *all = query_text (db, "SELECT group_concat (n, ',') FROM (SELECT n FROM t ORDER BY n)");
  CHECK_STR (all, "1,2");
  free (all);
  close (go[0]), close (go[1]), close (held[0]), close (held[1]);
  db_close (db);
}

/* Many processes open a new store at once (the WAL switch), migrate it and
 * write: all succeed, the migrations ran once. */
static void
test_concurrent_open (void)
{
  unlink (path_of ("conc.db"));
  static const char *const mig[] = {
    "CREATE TABLE k (who INTEGER PRIMARY KEY);",
    "CREATE TABLE k_runs (x INTEGER); INSERT INTO k_runs VALUES (1);",
  };
  enum
  {
    K = 8
  };
  pid_t pids[K];
  int start[2];
  REQUIRE (pipe (start) == 0);
  for (int i = 0; i < K; i++)
    {
      pids[i] = fork ();
      if (pids[i] == 0)
        {
          char b;
          close (start[1]);
          if (read (start[0], &b, 1) != 0) /* all go when the pipe closes */
            _exit (3);
          struct db *c = NULL;
          struct error *e = NULL;
          struct db_module m = { "k", mig, 2, false };
          char sql[64];
          snprintf (sql, sizeof sql, "INSERT INTO k VALUES (%d)", i);
          int r = db_open (path_of ("conc.db"), &c, &e);
          if (r == 0)
            r = db_migrate (c, &m, &e);
          if (r == 0 && (r = db_begin (c, &e)) == 0)
            {
              if ((r = db_exec (c, sql, &e)) < 0)
                db_rollback (c);
              else
                r = db_commit (c, &e);
            }
          if (r < 0)
            printf ("#   child %d: %s\n", i, e->msg);
          fflush (stdout);
          _exit (r < 0 ? 1 : 0);
        }
    }
  close (start[0]);
  close (start[1]);
  int ok = 0;
  for (int i = 0; i < K; i++)
    ok += wait_exit (pids[i]) == 0;
  CHECK_INT (ok, ==, K);
  struct db *db = NULL;
  CHECK_OK (db_open (path_of ("conc.db"), &db, err));
  REQUIRE (db != NULL);
  CHECK_INT (query_int (db, "SELECT count(*) FROM k"), ==, K);
  CHECK_INT (query_int (db, "SELECT count(*) FROM k_runs"), ==, 1);
  CHECK_INT (module_version (db, "k"), ==, 2);
  char *mode = query_text (db, "PRAGMA journal_mode");
  CHECK_STR (mode, "wal");
  free (mode);
  db_close (db);
}

int
main (void)
{
  if (mkdtemp (dir) == NULL)
    return 1;
  RUN (test_open);
  RUN (test_migrations_once_in_order);
  RUN (test_failing_migration_leaves_nothing);
  RUN (test_legacy_user_version);
  RUN (test_errors);
  RUN (test_busy);
  RUN (test_concurrent_open);
  struct error *e = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &e);
  error_free (e);
  return tap_done ();
}
