/* cli.h - command-line options, the way runc (Go flags) and docker accept
 * them: --name value, --name=value, -name value (Go style), -n value, -nVALUE,
 * grouped short flags (-it), repeatable options, and "--" to stop. */
#ifndef HULL_BASE_CLI_H
#define HULL_BASE_CLI_H

#include <stdbool.h>

struct error;

enum cli_kind
{
  CLI_FLAG,     /* bool *; --x, --x=true|false */
  CLI_STRING,   /* const char ** (points into argv) */
  CLI_INT,      /* int * */
  CLI_STRV,     /* char *** (repeatable, strv of copies) */
};

struct cli_option
{
  const char *name;     /* long name without dashes, or NULL */
  char short_name;      /* 0 if none */
  enum cli_kind kind;
  void *target;
  const char *help;     /* NULL hides it */
  const char *metavar;
};

/* Parse options from argv[*pos] on; stops at the first non-option, at "--"
 * (consumed) or at argc.  Unknown options are errors naming them. */
int cli_parse (const struct cli_option *opts, int argc, char **argv, int *pos,
               struct error **err);

/* Print "  -x, --name METAVAR   help" lines. */
void cli_print_options (const struct cli_option *opts, int fd);

#endif
