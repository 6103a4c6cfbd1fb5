/* hullrt.h - shared by the hullrt verbs. */
#ifndef HULLRT_H
#define HULLRT_H

#include "base/cli.h"
#include "base/error.h"
#include "runtime/runtime.h"

struct globals
{
  struct runtime_context ctx;
  const char *log_path;
  const char *log_format;
  bool debug;
  const char *criu;     /* --criu */
};

/* Each verb: argv[0] is the verb; returns the process exit code. */
typedef int (*verb_fn) (struct globals *g, int argc, char **argv);

int verb_create (struct globals *g, int argc, char **argv);
int verb_start (struct globals *g, int argc, char **argv);
int verb_run (struct globals *g, int argc, char **argv);
int verb_state (struct globals *g, int argc, char **argv);
int verb_kill (struct globals *g, int argc, char **argv);
int verb_delete (struct globals *g, int argc, char **argv);
int verb_exec (struct globals *g, int argc, char **argv);
int verb_ps (struct globals *g, int argc, char **argv);
int verb_list (struct globals *g, int argc, char **argv);
int verb_spec (struct globals *g, int argc, char **argv);
int verb_features (struct globals *g, int argc, char **argv);
int verb_pause (struct globals *g, int argc, char **argv);
int verb_resume (struct globals *g, int argc, char **argv);
int verb_update (struct globals *g, int argc, char **argv);
int verb_events (struct globals *g, int argc, char **argv);
int verb_checkpoint (struct globals *g, int argc, char **argv);
int verb_restore (struct globals *g, int argc, char **argv);

/* Report an error once (stderr and the --log file) and return exit code 1. */
int fail (struct error *err);
/* Parse options then require exactly `npos` positionals (-1: at least one). */
int parse_verb (const struct cli_option *opts, int argc, char **argv, int *pos, int min_pos,
                int max_pos, const char *usage);
/* Print the verb's usage and options. */
void print_usage (const char *usage, const struct cli_option *opts);
/* LISTEN_FDS (socket activation) adds to --preserve-fds, as runc does. */
int listen_fds (void);

#endif
