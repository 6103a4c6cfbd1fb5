/* hull.h - what every verb of the `hull` command shares.
 *
 * Every verb is a declarative table (struct cli_command: name, summary,
 * arguments, options with their help, handler) in a file of its own; verbs.c
 * lists them, and cli_main() (lib/base/cli.c) parses the global options
 * (--root, --runroot, --log-level), finds the verb, parses its options,
 * answers --help and reports flag errors (exit 125) the same way for all.
 * A handler gets the hull_ctx, its options struct and its positional
 * arguments, and returns the process exit status.
 */
#ifndef HULL_CMD_HULL_H
#define HULL_CMD_HULL_H

#include "base/cli.h"

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

/* The verb table (verbs.c): every command of `hull`, a cli_command each
 * (lib/base/cli.h) defined in the verb's own file. */
extern const struct cli_program hull_program;
extern const struct cli_entry hull_verbs[];

/* Report an error once ("hull: <msg>") and free it; returns HULL_EXIT_FAIL. */
int hull_report (struct error **err);
/* Print "hull <verb>: <msg> (see 'hull <verb> --help')"; returns HULL_EXIT_USAGE. */
int hull_usage_error (const char *verb, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* Image verbs (lib/image, lib/registry). */
extern const struct cli_command hull_cmd_images, hull_cmd_import, hull_cmd_export, hull_cmd_rmi,
    hull_cmd_tag, hull_cmd_image_inspect, hull_cmd_history, hull_cmd_prune, hull_cmd_save,
    hull_cmd_load, hull_cmd_pull, hull_cmd_push, hull_cmd_mount, hull_cmd_unmount, hull_cmd_login,
    hull_cmd_logout, hull_cmd_image;
/* Container verbs (lib/engine). */
extern const struct cli_command hull_cmd_create, hull_cmd_run, hull_cmd_start, hull_cmd_ps,
    hull_cmd_rm, hull_cmd_logs, hull_cmd_stop, hull_cmd_kill, hull_cmd_restart, hull_cmd_wait,
    hull_cmd_exec, hull_cmd_pause, hull_cmd_unpause, hull_cmd_rename, hull_cmd_attach, hull_cmd_top,
    hull_cmd_stats, hull_cmd_cp, hull_cmd_port, hull_cmd_diff, hull_cmd_commit, hull_cmd_system,
    hull_cmd_container, hull_cmd_inspect, hull_cmd_container_inspect, hull_cmd_container_cleanup;
/* Networks (lib/net), volumes (lib/volume). */
extern const struct cli_command hull_cmd_network, hull_cmd_volume;
/* Content trust (lib/trust). */
extern const struct cli_command hull_cmd_key, hull_cmd_sign, hull_cmd_verify;
/* Vulnerability scanning (lib/scan). */
extern const struct cli_command hull_cmd_sbom, hull_cmd_scan;

/* `hull image inspect` for the given names (also `hull inspect`'s images). */
int hull_image_inspect (struct hull_ctx *ctx, const char *format, int argc, char **argv);

#endif
