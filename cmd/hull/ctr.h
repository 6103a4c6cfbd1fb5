/* ctr.h - helpers shared by the container verbs of hull. */
#ifndef HULL_CMD_CTR_H
#define HULL_CMD_CTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct hull_ctx;
struct engine;
struct ctr_record;
struct ctr_spec;
typedef struct json_object json_object;

int hull_open_engine (struct hull_ctx *ctx, struct engine **out, struct error **err);
/* "Unable to find image `x` locally" (docker's words, on stderr). */
void hull_pull_notice (const char *ref, void *data);

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

/* A row for --format: key -> value lookups.  A template is docker's Go
 * template subset: "{{.Field}}", "{{json .}}", "{{json .Field}}", "\t",
 * "table " prefix (header line, aligned columns); "json" alone is one JSON
 * object per line. */
struct fmt_row
{
  const char *const *keys;   /* NULL-terminated */
  const char *const *values;
  json_object *json;         /* the whole row as JSON (for "json" and "{{json .}}") */
};
/* headers: keys -> header text ("ID" -> "CONTAINER ID"); may be NULL. */
int hull_format_rows (const char *tmpl, const struct fmt_row *rows, size_t n,
                      const char *const *header_keys, const char *const *header_names,
                      struct error **err);
bool hull_format_valid (const char *tmpl, struct error **err);

/* ---- run/create flags ---- */
struct run_opts
{
  struct ctr_spec *spec;
  const char *name;
  bool detach, entrypoint_set, sig_proxy;
  char **attach;       /* -a STDIN|STDOUT|STDERR */
  const char *pull;    /* missing (default), never, always */
  const char *signature_policy; /* --signature-policy (lib/trust) */
};
/* Parse from argv[1]; on success the image is argv[*image_idx] and the
 * command follows.  Returns 0, or an exit status (usage error: 125). */
int hull_parse_run_flags (const char *verb, int argc, char **argv, struct run_opts *o,
                          int *image_idx);
void run_opts_clear (struct run_opts *o);

#endif
