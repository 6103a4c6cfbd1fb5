/* db.c - the advisory database: a SQLite file of its own,
 * ROOT/scan/advisories.db, never written in place.
 *
 * An import copies the current database into a temporary file next to it
 * (SQLite's backup API), adds the documents in one transaction, and
 * renames the result over the old file after an fsync: a reader sees the
 * old database or the new one, and an import that fails anywhere (a
 * document that does not parse, a full disk, a kill) leaves the old one
 * whole.  Imports are serialised by a lock file.
 *
 *   meta(key, value)             schema, updated (unix seconds)
 *   advisories(source, id, ...)  one per advisory (aliases space-separated)
 *   affected(source, adv_id, ecosystem, package, kind, data, state, ...)
 *       kind "range": data is a JSON array of OSV events
 *       kind "versions": data is a JSON array of affected versions
 *       state "", "open", "unimportant", "end-of-life", "undetermined"
 */
#include "scan/db-internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char schema_sql[]
    = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS advisories ("
      " source TEXT NOT NULL, id TEXT NOT NULL, aliases TEXT NOT NULL DEFAULT '',"
      " summary TEXT, severity TEXT, withdrawn INTEGER NOT NULL DEFAULT 0, modified TEXT,"
      " PRIMARY KEY (source, id));"
      "CREATE TABLE IF NOT EXISTS affected ("
      " source TEXT NOT NULL, adv_id TEXT NOT NULL, ecosystem TEXT NOT NULL,"
      " package TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL,"
      " state TEXT NOT NULL DEFAULT '', severity TEXT, origin TEXT);"
      "CREATE INDEX IF NOT EXISTS affected_pkg ON affected (ecosystem, package);"
      "CREATE INDEX IF NOT EXISTS affected_adv ON affected (source, adv_id);"
      "CREATE INDEX IF NOT EXISTS affected_origin ON affected (source, origin);";

int
scan_db_exec (struct scan_db *db, const char *sql, struct error **err)
{
  char *msg = NULL;
  int rc = sqlite3_exec (db->db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK)
    {
      int r = error_set (err, rc == SQLITE_BUSY ? EBUSY : EIO, "advisory database: %s",
                         msg ? msg : sqlite3_errstr (rc));
      sqlite3_free (msg);
      return r;
    }
  return 0;
}

int
scan_db_err (struct scan_db *db, struct error **err, const char *what)
{
  return error_set (err, EIO, "advisory database: %s: %s", what, sqlite3_errmsg (db->db));
}

static void
finalize_all (struct scan_db *db)
{
  for (size_t i = 0; i < ARRAY_SIZE (db->st); i++)
    if (db->st[i])
      {
        sqlite3_finalize (db->st[i]);
        db->st[i] = NULL;
      }
}

void
scan_db_close (struct scan_db *db)
{
  if (!db)
    return;
  finalize_all (db);
  scan_memo_free (db->memo);
  if (db->db)
    sqlite3_close (db->db);
  free (db->path);
  free (db);
}

static int
db_new (const char *path, int flags, struct scan_db **out, struct error **err)
{
  struct scan_db *db = calloc (1, sizeof *db);
  if (!db)
    return error_errno (err, ENOMEM, "advisory database");
  db->path = strdup (path);
  int rc = sqlite3_open_v2 (path, &db->db, flags | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc != SQLITE_OK || !db->path)
    {
      int r = error_set (err, EIO, "open advisory database `%s`: %s", path,
                         db->db ? sqlite3_errmsg (db->db) : sqlite3_errstr (rc));
      scan_db_close (db);
      return r;
    }
  sqlite3_busy_timeout (db->db, 10000);
  *out = db;
  return 0;
}

static int
db_schema (struct scan_db *db, struct error **err)
{
  int r = scan_db_exec (db, schema_sql, err);
  if (r < 0)
    return r;
  char sql[128];
  snprintf (sql, sizeof sql, "INSERT OR REPLACE INTO meta VALUES ('schema', '%d');",
            SCAN_DB_SCHEMA);
  return scan_db_exec (db, sql, err);
}

static char *
db_path (const char *root, const char *name)
{
  char *p;
  return asprintf (&p, "%s/scan/%s", root, name) < 0 ? NULL : p;
}

int
scan_db_open (const char *root, struct scan_db **out, struct error **err)
{
  _cleanup_free_ char *path = db_path (root, "advisories.db");
  if (!path)
    return error_errno (err, ENOMEM, "path");
  if (access (path, F_OK) < 0)
    return error_set (err, ENOENT,
                      "no advisory database at `%s`: import one with `hull scan db import`", path);
  /* The file is never written in place (imports rename a new one over
   * it), so SQLite may treat it as immutable: no locks, no checks for hot
   * journals, on every statement (40000 fcntl calls for a scan --all
   * otherwise). */
  _cleanup_free_ char *uri = malloc (strlen (path) * 3 + 32);
  if (!uri)
    return error_errno (err, ENOMEM, "path");
  char *u = stpcpy (uri, "file:");
  for (const char *p = path; *p; p++)
    u += (*p == '%' || *p == '?' || *p == '#') ? sprintf (u, "%%%02X", (unsigned char)*p)
                                               : (*u = *p, 1);
  strcpy (u, "?immutable=1");
  struct scan_db *db;
  int r = db_new (uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, &db, err);
  if (r < 0)
    return r;
  free (db->path);
  db->path = strdup (path);
  sqlite3_stmt *st;
  int schema = -1;
  if (sqlite3_prepare_v2 (db->db, "SELECT value FROM meta WHERE key = 'schema'", -1, &st, NULL)
      == SQLITE_OK)
    {
      if (sqlite3_step (st) == SQLITE_ROW)
        schema = sqlite3_column_int (st, 0);
      sqlite3_finalize (st);
    }
  if (schema != SCAN_DB_SCHEMA)
    {
      scan_db_close (db);
      return error_set (err, EPROTO,
                        "advisory database `%s`: schema %d, this hull reads %d: import again", path,
                        schema, SCAN_DB_SCHEMA);
    }
  *out = db;
  return 0;
}

int
scan_db_open_memory (struct scan_db **out, struct error **err)
{
  struct scan_db *db;
  int r = db_new (":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db, err);
  if (r < 0)
    return r;
  r = db_schema (db, err);
  if (r < 0)
    {
      scan_db_close (db);
      return r;
    }
  *out = db;
  return 0;
}

/* Every *.json below path (sorted, so that imports are reproducible), or
 * path itself when it is a file. */
static int
collect (const char *path, int depth, char ***files, struct error **err)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return error_errno (err, errno, "`%s`", path);
  if (!S_ISDIR (st.st_mode))
    return strv_push (files, path) < 0 ? error_errno (err, ENOMEM, "files") : 0;
  if (depth > 16)
    return error_set (err, ELOOP, "`%s`: directories nested too deep", path);
  struct dirent **names = NULL;
  int n = scandir (path, &names, NULL, alphasort);
  if (n < 0)
    return error_errno (err, errno, "read directory `%s`", path);
  int r = 0;
  for (int i = 0; i < n; i++)
    {
      const char *nm = names[i]->d_name;
      if (r == 0 && nm[0] != '.')
        {
          _cleanup_free_ char *sub = fs_path_join (path, nm);
          struct stat s2;
          if (!sub)
            r = error_errno (err, ENOMEM, "path");
          else if (stat (sub, &s2) == 0 && S_ISDIR (s2.st_mode))
            r = collect (sub, depth + 1, files, err);
          else if (str_has_suffix (nm, ".json"))
            r = strv_push (files, sub) < 0 ? error_errno (err, ENOMEM, "files") : 0;
        }
      free (names[i]);
    }
  free (names);
  return r;
}

int
scan_db_import (const char *root, char *const *paths, struct scan_import_stats *stats,
                struct error **err)
{
  struct scan_import_stats st = { 0 };
  _cleanup_strv_ char **files = NULL;
  for (size_t i = 0; paths && paths[i]; i++)
    {
      int r = collect (paths[i], 0, &files, err);
      if (r < 0)
        return r;
    }
  if (!files)
    return error_set (err, EINVAL, "no advisory files found");

  _cleanup_free_ char *dir = NULL, *path = db_path (root, "advisories.db"),
                      *lock = db_path (root, "advisories.lock"),
                      *tmp = db_path (root, "advisories.db.new");
  if (!path || !lock || !tmp || asprintf (&dir, "%s/scan", root) < 0)
    return error_errno (err, ENOMEM, "path");
  int r = fs_mkdir_p (AT_FDCWD, dir, 0700, err);
  if (r < 0)
    return r;
  /* One import at a time; readers never wait (they open whichever file
   * the name points at). */
  _cleanup_close_ int lfd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lfd < 0)
    return error_errno (err, errno, "open `%s`", lock);
  if (flock (lfd, LOCK_EX) < 0)
    return error_errno (err, errno, "lock `%s`", lock);
  unlink (tmp); /* what a killed import left */

  struct scan_db *db = NULL;
  r = db_new (tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db, err);
  if (r < 0)
    return r;
  if (access (path, F_OK) == 0)
    {
      /* start from the current database */
      sqlite3 *old = NULL;
      int rc = sqlite3_open_v2 (path, &old, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL);
      sqlite3_backup *b
          = rc == SQLITE_OK ? sqlite3_backup_init (db->db, "main", old, "main") : NULL;
      if (b)
        {
          rc = sqlite3_backup_step (b, -1);
          sqlite3_backup_finish (b);
        }
      if (!b || rc != SQLITE_DONE)
        r = error_set (err, EIO, "read advisory database `%s`: %s", path,
                       old ? sqlite3_errmsg (old) : sqlite3_errstr (rc));
      sqlite3_close (old);
    }
  if (r == 0)
    r = scan_db_exec (db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;", err);
  if (r == 0)
    r = db_schema (db, err);
  for (size_t i = 0; r == 0 && files[i]; i++)
    {
      _cleanup_free_ char *data = NULL;
      size_t len = 0;
      r = fs_read_file (files[i], SCAN_ADVISORY_FILE_MAX, &data, &len, err);
      if (r == -EFBIG)
        r = error_set (err, EFBIG, "`%s`: larger than %u MiB", files[i],
                       SCAN_ADVISORY_FILE_MAX >> 20);
      if (r == 0)
        r = scan_db_load_document (db, data, len, files[i], &st, err);
      st.files++;
    }
  if (r == 0)
    {
      char sql[512];
      snprintf (sql, sizeof sql,
                "INSERT OR REPLACE INTO meta VALUES ('updated', '%lld');"
                "DELETE FROM advisories WHERE withdrawn = 0 AND NOT EXISTS (SELECT 1 FROM "
                "affected f WHERE f.source = advisories.source AND f.adv_id = advisories.id);",
                (long long)time (NULL));
      r = scan_db_exec (db, sql, err);
    }
  if (r == 0)
    r = scan_db_exec (db, "COMMIT;", err);
  scan_db_close (db);
  if (r == 0)
    {
      /* durable before it is visible */
      _cleanup_close_ int fd = open (tmp, O_RDONLY | O_CLOEXEC);
      if (fd < 0 || fsync (fd) < 0)
        r = error_errno (err, errno, "sync `%s`", tmp);
    }
  if (r == 0 && rename (tmp, path) < 0)
    r = error_errno (err, errno, "rename `%s`", tmp);
  if (r < 0)
    {
      unlink (tmp);
      return r;
    }
  _cleanup_close_ int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    fsync (dfd);
  if (stats)
    *stats = st;
  return 0;
}

void
scan_db_status_clear (struct scan_db_status *st)
{
  strv_free (st->sources);
  memset (st, 0, sizeof *st);
}

static int64_t
count (struct scan_db *db, const char *sql)
{
  sqlite3_stmt *st;
  int64_t n = -1;
  if (sqlite3_prepare_v2 (db->db, sql, -1, &st, NULL) == SQLITE_OK)
    {
      if (sqlite3_step (st) == SQLITE_ROW)
        n = sqlite3_column_int64 (st, 0);
      sqlite3_finalize (st);
    }
  return n;
}

int64_t
scan_db_updated (struct scan_db *db)
{
  int64_t v = count (db, "SELECT value FROM meta WHERE key = 'updated'");
  return v > 0 ? v : 0;
}

int
scan_db_get_status (struct scan_db *db, struct scan_db_status *out, struct error **err)
{
  memset (out, 0, sizeof *out);
  out->schema = (int)count (db, "SELECT value FROM meta WHERE key = 'schema'");
  out->updated = count (db, "SELECT value FROM meta WHERE key = 'updated'");
  out->advisories = count (db, "SELECT COUNT(*) FROM advisories WHERE withdrawn = 0");
  out->withdrawn = count (db, "SELECT COUNT(*) FROM advisories WHERE withdrawn = 1");
  out->affected = count (db, "SELECT COUNT(*) FROM affected");
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2 (db->db,
                          "SELECT source, ecosystem, COUNT(DISTINCT adv_id), COUNT(*) FROM "
                          "affected GROUP BY source, ecosystem ORDER BY source, ecosystem",
                          -1, &st, NULL)
      != SQLITE_OK)
    return scan_db_err (db, err, "status");
  int r = 0;
  while (r == 0 && sqlite3_step (st) == SQLITE_ROW)
    {
      char *line;
      if (asprintf (&line, "%s %s %lld %lld", sqlite3_column_text (st, 0),
                    sqlite3_column_text (st, 1), (long long)sqlite3_column_int64 (st, 2),
                    (long long)sqlite3_column_int64 (st, 3))
              < 0
          || strv_consume (&out->sources, line) < 0)
        r = error_errno (err, ENOMEM, "status");
    }
  sqlite3_finalize (st);
  return r;
}
