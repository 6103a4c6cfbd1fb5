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

/* Docker's documents and formatting (format.c). */
#include "format.h"

/* ---- run/create flags ---- */
struct run_opts
{
  struct ctr_spec *spec;
  const char *name;
  bool detach, entrypoint_set, sig_proxy;
  char **attach;                /* -a STDIN|STDOUT|STDERR */
  const char *pull;             /* missing (default), never, always */
  char *hcmd;                   /* --health-cmd */
  bool no_hc;                   /* --no-healthcheck */
  const char *signature_policy; /* --signature-policy (lib/trust) */
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
/* -t/--time SECONDS of stop and restart: an options struct whose first
 * member is the int timeout (-1: the container's). */
int hull_timeout_option (void *opts, int key, const char *v, struct error **err);
void hull_timeout_init (void *opts);

#endif
