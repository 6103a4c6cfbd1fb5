/* hull.h - what every verb of the `hull` command shares.
 *
 * main.c parses the global options (--root, --runroot, --log-level) and hands
 * the rest of argv to one verb from the table in verbs.c; each verb lives in
 * a file of its own and returns the process exit status.
 */
#ifndef HULL_CMD_HULL_H
#define HULL_CMD_HULL_H

#include <stdbool.h>

struct error;

struct hull_ctx
{
  const char *root;    /* --root, HULL_ROOT, /var/lib/hull */
  const char *runroot; /* --runroot, HULL_RUNROOT, /run/hull */
};

/* Exit statuses, as docker's client: 125 for a usage error. */
enum
{
  HULL_EXIT_OK = 0,
  HULL_EXIT_FAIL = 1,
  HULL_EXIT_USAGE = 125,
};

typedef int (*hull_verb_fn) (struct hull_ctx *ctx, int argc, char **argv);

struct hull_verb
{
  const char *name;
  hull_verb_fn fn;
  const char *summary;
  /* Also reachable as `hull image <alias>` (NULL: not an image verb). */
  const char *image_alias;
};

/* The verb table (verbs.c), terminated by a zeroed entry. */
extern const struct hull_verb hull_verbs[];

/* Report an error once ("hull: <msg>") and free it; returns HULL_EXIT_FAIL. */
int hull_report (struct error **err);
/* Print "hull <verb>: <msg>" plus a hint to --help; returns HULL_EXIT_USAGE. */
int hull_usage_error (const char *verb, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* Verbs. */
int cmd_images (struct hull_ctx *ctx, int argc, char **argv);
int cmd_import (struct hull_ctx *ctx, int argc, char **argv);
int cmd_export (struct hull_ctx *ctx, int argc, char **argv);
int cmd_rmi (struct hull_ctx *ctx, int argc, char **argv);
int cmd_tag (struct hull_ctx *ctx, int argc, char **argv);
int cmd_inspect (struct hull_ctx *ctx, int argc, char **argv);
int cmd_history (struct hull_ctx *ctx, int argc, char **argv);
int cmd_prune (struct hull_ctx *ctx, int argc, char **argv);
int cmd_save (struct hull_ctx *ctx, int argc, char **argv);
int cmd_load (struct hull_ctx *ctx, int argc, char **argv);
int cmd_pull (struct hull_ctx *ctx, int argc, char **argv);
int cmd_push (struct hull_ctx *ctx, int argc, char **argv);
int cmd_mount (struct hull_ctx *ctx, int argc, char **argv);
int cmd_unmount (struct hull_ctx *ctx, int argc, char **argv);
int cmd_login (struct hull_ctx *ctx, int argc, char **argv);
int cmd_logout (struct hull_ctx *ctx, int argc, char **argv);
/* Container verbs (lib/engine). */
int cmd_create (struct hull_ctx *ctx, int argc, char **argv);
int cmd_run (struct hull_ctx *ctx, int argc, char **argv);
int cmd_start (struct hull_ctx *ctx, int argc, char **argv);
int cmd_ps (struct hull_ctx *ctx, int argc, char **argv);
int cmd_rm (struct hull_ctx *ctx, int argc, char **argv);
int cmd_logs (struct hull_ctx *ctx, int argc, char **argv);
int cmd_stop (struct hull_ctx *ctx, int argc, char **argv);
int cmd_kill (struct hull_ctx *ctx, int argc, char **argv);
int cmd_restart (struct hull_ctx *ctx, int argc, char **argv);
int cmd_wait (struct hull_ctx *ctx, int argc, char **argv);
int cmd_exec (struct hull_ctx *ctx, int argc, char **argv);
int cmd_pause (struct hull_ctx *ctx, int argc, char **argv);
int cmd_unpause (struct hull_ctx *ctx, int argc, char **argv);
int cmd_rename (struct hull_ctx *ctx, int argc, char **argv);
int cmd_attach (struct hull_ctx *ctx, int argc, char **argv);
int cmd_top (struct hull_ctx *ctx, int argc, char **argv);
int cmd_stats (struct hull_ctx *ctx, int argc, char **argv);
int cmd_cp (struct hull_ctx *ctx, int argc, char **argv);
int cmd_port (struct hull_ctx *ctx, int argc, char **argv);
int cmd_network (struct hull_ctx *ctx, int argc, char **argv);
int cmd_volume (struct hull_ctx *ctx, int argc, char **argv);
int cmd_diff (struct hull_ctx *ctx, int argc, char **argv);
int cmd_commit (struct hull_ctx *ctx, int argc, char **argv);
int cmd_system (struct hull_ctx *ctx, int argc, char **argv);
int cmd_container (struct hull_ctx *ctx, int argc, char **argv);
int cmd_container_inspect (struct hull_ctx *ctx, int argc, char **argv);
/* Content trust (lib/trust). */
int cmd_key (struct hull_ctx *ctx, int argc, char **argv);
int cmd_sign (struct hull_ctx *ctx, int argc, char **argv);
int cmd_verify (struct hull_ctx *ctx, int argc, char **argv);
/* Vulnerability scanning (lib/scan). */
int cmd_sbom (struct hull_ctx *ctx, int argc, char **argv);
int cmd_scan (struct hull_ctx *ctx, int argc, char **argv);

#endif
