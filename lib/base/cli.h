/* cli.h - command-line options and command tables.
 *
 * Options are accepted the way runc (Go flags) and docker (pflag) accept
 * them: --name value, --name=value, -n value, -nVALUE, grouped short flags
 * (-it), repeatable options, and "--" to stop.  cli_parse() also takes Go's
 * -name value (runc's style, for hullrt).
 *
 * A program is a tree of commands, each one a declarative table: its name,
 * a one-line summary, a positional-argument synopsis, its options (each with
 * its help text) and its handler, or a list of sub-commands.  cli_main()
 * walks the tree, parses every level's options, answers --help the same
 * way everywhere, and reports a flag error as one line with the program's
 * usage status.  Completion and manual pages can be generated from the same
 * tables (cli_walk()).
 */
#ifndef HULL_BASE_CLI_H
#define HULL_BASE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct error;

enum cli_kind
{
  CLI_FLAG,      /* bool; --x, --x=true|false */
  CLI_STRING,    /* const char * (points into argv) */
  CLI_INT,       /* int */
  CLI_STRV,      /* char ** (repeatable, strv of copies) */
  CLI_CALL,      /* takes a value, handed to the command's on_option */
  CLI_CALL_FLAG, /* takes none (or --x=VALUE), handed to on_option */
};

struct cli_option
{
  const char *name; /* long name without dashes, or NULL */
  char short_name;  /* 0 if none */
  enum cli_kind kind;
  void *target;        /* where the value goes; NULL: at offset in the options struct */
  const char *help;    /* NULL hides it */
  const char *metavar; /* the value's name in help ("NAME"); NULL: by kind */
  size_t offset;       /* with target NULL: offset of the field in the options struct */
  int key;             /* CLI_CALL, CLI_CALL_FLAG: passed to on_option */
};

/* Table entries for an options struct T (cli_command.opts_size). */
#define CLI_OPT_FLAG(S, L, T, F, H)                                                                \
  {                                                                                                \
    .name = L, .short_name = S, .kind = CLI_FLAG, .offset = __builtin_offsetof(T, F), .help = H    \
  }
#define CLI_OPT_STRING(S, L, T, F, M, H)                                                           \
  {                                                                                                \
    .name = L, .short_name = S, .kind = CLI_STRING, .offset = __builtin_offsetof(T, F),            \
    .metavar = M, .help = H                                                                        \
  }
#define CLI_OPT_INT(S, L, T, F, M, H)                                                              \
  {                                                                                                \
    .name = L, .short_name = S, .kind = CLI_INT, .offset = __builtin_offsetof(T, F), .metavar = M, \
    .help = H                                                                                      \
  }
#define CLI_OPT_STRV(S, L, T, F, M, H)                                                             \
  {                                                                                                \
    .name = L, .short_name = S, .kind = CLI_STRV, .offset = __builtin_offsetof(T, F),              \
    .metavar = M, .help = H                                                                        \
  }
#define CLI_OPT_CALL(S, L, K, M, H)                                                                \
  {                                                                                                \
    .name = L, .short_name = S, .kind = CLI_CALL, .key = K, .metavar = M, .help = H                \
  }
#define CLI_OPT_CALL_FLAG(S, L, K, H)                                                              \
  {                                                                                                \
    .name = L, .short_name = S, .kind = CLI_CALL_FLAG, .key = K, .help = H                         \
  }

/* Parse options from argv[*pos] on; stops at the first non-option, at "--"
 * (consumed) or at argc.  Unknown options are errors naming them. */
int cli_parse (const struct cli_option *opts, int argc, char **argv, int *pos, struct error **err);

/* Print "  -x, --name METAVAR   help" lines, the help column aligned. */
void cli_print_options (const struct cli_option *opts, int fd);

/* ---- command tables ---- */

struct cli_command;

/* An entry of a command group: the command under its own name, or under
 * another (name, e.g. `image ls` for `images`), with extra aliases. */
struct cli_entry
{
  const struct cli_command *cmd; /* NULL ends the list */
  const char *name;              /* NULL: cmd->name */
  const char *aliases;           /* space-separated, or NULL */
  bool hidden;                   /* not in help nor in cli_walk() */
};

/* on_option: 0, a negative errno with *err set (a usage error), or
 * CLI_DONE: the option did all there was to do (--version), exit 0. */
enum
{
  CLI_DONE = 1
};
typedef int (*cli_option_fn) (void *opts, int key, const char *value, struct error **err);

/* The handler: ctx is cli_main's, opts the parsed options struct (NULL when
 * opts_size is 0), argv the positional arguments only (NULL-terminated).
 * Returns the exit status. */
typedef int (*cli_run_fn) (void *ctx, void *opts, int argc, char **argv);

enum cli_command_flags
{
  /* Options end at the first positional argument (run IMAGE CMD -x...). */
  CLI_NO_INTERSPERSE = 1 << 0,
};

struct cli_command
{
  const char *name;
  const char *summary;              /* one line, no final period */
  const char *args;                 /* positional synopsis ("CONTAINER [CONTAINER...]") or NULL */
  const char *description;          /* longer help text, or NULL */
  const struct cli_option *options; /* { 0 }-terminated, or NULL */
  /* The options struct: allocated zeroed, init() sets defaults, fini()
   * frees what on_option kept (CLI_STRV fields are freed by cli_main).
   * opts_size 0: options with offsets go into ctx (a program's global
   * options, on the root command). */
  size_t opts_size;
  void (*init) (void *opts);
  void (*fini) (void *opts);
  cli_option_fn on_option;
  int min_args, max_args; /* max_args < 0: no limit */
  cli_run_fn run;         /* NULL for a group */
  /* Sub-commands of a group.  With run too, the command is a verb as well:
   * a first argument naming no sub-command (or none) goes to run. */
  const struct cli_entry *sub;
  unsigned flags; /* enum cli_command_flags */
};

struct cli_program
{
  const char *name; /* "hull" */
  const struct cli_command *root;
  int usage_status; /* exit status of a usage error (docker: 125) */
};

/* Run argv (argv[0] the program) through the tree; returns the exit status. */
int cli_main (const struct cli_program *p, void *ctx, int argc, char **argv);

/* Help of a command; path is how it was reached ("hull network rm"). */
void cli_print_help (const struct cli_program *p, const char *path, const struct cli_command *c,
                     FILE *f);

/* Every command of the tree, depth first, with its path ("image ls");
 * hidden entries skipped.  fn returns non-zero to stop. */
typedef int (*cli_walk_fn) (const char *path, const struct cli_command *c, void *data);
int cli_walk (const struct cli_command *root, cli_walk_fn fn, void *data);

#endif
