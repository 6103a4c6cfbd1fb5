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

#endif
