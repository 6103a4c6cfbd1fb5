/* format.h - Docker's document shapes (status wording, ps columns, the
 * inspect document) and output formatting (tables, --format templates),
 * shared by the verbs of hull (format.c). */
#ifndef HULL_CMD_FORMAT_H
#define HULL_CMD_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

struct error;
struct engine;
struct ctr_record;
typedef struct json_object json_object;

/* docker's units.HumanDuration: "5 seconds", "About a minute", "3 hours". */
void hull_human_duration (int64_t ns, char *buf, size_t cap);
/* "Up 5 seconds (healthy)", "Exited (0) 3 minutes ago", "Created"... */
void hull_ctr_status (const struct ctr_record *r, char *buf, size_t cap);
/* "\"sh -c 'echo hi'\"" as docker's COMMAND column (truncated unless full). */
char *hull_ctr_command (const struct ctr_record *r, bool full);
/* The image as users typed it, familiar ("busybox" not docker.io/library/...). */
char *hull_ctr_image (const struct ctr_record *r);

/* docker inspect's document for a container. */
json_object *hull_ctr_inspect_json (struct engine *e, const struct ctr_record *r);

/* ---- output: tables and templates ---- */

struct table;
struct table *table_new (size_t ncols);
void table_add (struct table *t, const char *const *cells);
/* Columns padded to their widest cell plus three spaces, as docker's. */
void table_print (struct table *t);
void table_free (struct table *t);

/* A row for --format: its JSON document is the template's data.  A
 * template is Go's text/template subset of lib/base/template.h; a "table "
 * prefix prints a header line (the template run against a document of
 * column names) and aligns the columns the tabs separate; "json" alone is
 * one JSON object per line.  Errors are one line ("template parsing
 * error: ..." for a template that does not parse). */
struct fmt_row
{
  const char *const *keys; /* NULL-terminated */
  const char *const *values;
  json_object *json; /* the whole row as JSON (for "json" and "{{json .}}") */
};
/* headers: keys -> header text ("ID" -> "CONTAINER ID"); may be NULL. */
int hull_format_rows (const char *tmpl, const struct fmt_row *rows, size_t n,
                      const char *const *header_keys, const char *const *header_names,
                      struct error **err);
bool hull_format_valid (const char *tmpl, struct error **err);

/* ---- docker ps ---- */

/* --format's field names of a ps row, and the headers of a "table"
 * template (NULL-terminated, in the same order). */
extern const char *const hull_ps_keys[];
extern const char *const hull_ps_headers[];
/* "running", "exited", ... ("created" while it starts), as ps shows it. */
const char *hull_ctr_state_word (const struct ctr_record *r);
/* One container's row: values in hull_ps_keys' order, and the JSON object
 * of {{json .}}; free with hull_fmt_row_clear. */
int hull_ps_row (const struct ctr_record *r, bool notrunc, struct fmt_row *row, struct error **err);
void hull_fmt_row_clear (struct fmt_row *row);

/* ---- docker stats ---- */

/* --format's field names and their headers; the default table's headers. */
extern const char *const hull_stats_keys[];
extern const char *const hull_stats_headers[];
extern const char *const hull_stats_table_headers[];
/* One sample of a container (engine_stats), taken at `at` (ns). */
struct hull_stats_sample
{
  char *id, *name;
  struct engine_stats st;
  int64_t at;
  bool ok;
};
/* A row of docker stats from two samples (the CPU % is their difference);
 * values in hull_stats_keys' order.  Free with hull_fmt_row_clear. */
int hull_stats_row (const struct hull_stats_sample *cur, const struct hull_stats_sample *prev,
                    bool notrunc, struct fmt_row *row, struct error **err);

#endif
