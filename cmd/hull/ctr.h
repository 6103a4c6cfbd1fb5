/* ctr.h - helpers shared by the container verbs of hull. */
#ifndef HULL_CMD_CTR_H
#define HULL_CMD_CTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cli.h"

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
  char *hcmd;          /* --health-cmd */
  bool no_hc;          /* --no-healthcheck */
};
/* The options of run and create: a cli_command's options, opts_size
 * sizeof (struct run_opts), init, fini and on_option. */
extern const struct cli_option hull_run_options[];
void hull_run_opts_init (void *opts);
void hull_run_opts_fini (void *opts);
int hull_run_option (void *opts, int key, const char *v, struct error **err);
/* After the options: the checks across them, the image argv[0] and the
 * command after it.  Returns 0, or an exit status (usage error: 125). */
int hull_run_flags_finish (const char *verb, struct run_opts *o, int argc, char **argv);
void run_opts_clear (struct run_opts *o);

/* Attach to a running container over its monitor's socket: stdin (when
 * in), stdout/stderr to ours, the terminal in raw mode and resized with
 * ours (tty), ^P^Q detaches (tty). Returns the exit code the monitor sent,
 * -1 when detached, or -errno. */
int hull_attach_stream (int fd, bool in, bool tty, bool close_stdin_on_eof, bool sig_proxy);

#endif
