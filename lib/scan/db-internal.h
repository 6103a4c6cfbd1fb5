/* db-internal.h - the advisory database's handle, shared by db.c,
 * advisory.c (the importers) and match.c. */
#ifndef HULL_SCAN_DB_INTERNAL_H
#define HULL_SCAN_DB_INTERNAL_H

#include "scan/internal.h"

#include <sqlite3.h>

#define SCAN_ADVISORY_FILE_MAX (512u << 20)

struct scan_db
{
  sqlite3 *db;
  char *path;
  sqlite3_stmt *st[8];    /* prepared statements, by use (advisory.c, match.c) */
  struct scan_memo *memo; /* match.c: results per package and version */
};

/* match.c: the memo of match results, freed with the handle */
void scan_memo_free (struct scan_memo *m);

enum
{
  ST_ADV_INSERT = 0,
  ST_AFF_INSERT,
  ST_AFF_DELETE_ADV,
  ST_MATCH,
};

int scan_db_exec (struct scan_db *db, const char *sql, struct error **err);
int scan_db_err (struct scan_db *db, struct error **err, const char *what);

#endif
