#include "base/cleanup.h"
#include "base/cli.h"
#include "base/error.h"
#include "base/strv.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small tree: prog [--root DIR] {rm [-f] [-e K=V]... [-n N] X..., run [-d] IMAGE CMD...,
 * grp {sub}} */

struct gctx
{
  const char *root;
  /* what the last handler saw */
  char *root_seen;
  int calls;
  bool force, detach;
  int n;
  char *env;     /* the strv joined with ',' */
  char *args;    /* positional arguments joined with ' ' */
  int keys_seen; /* on_option calls */
};

static char *
join (char **v, const char *sep)
{
  size_t len = 1;
  for (size_t i = 0; v && v[i]; i++)
    len += strlen (v[i]) + strlen (sep);
  char *s = calloc (1, len);
  for (size_t i = 0; v && v[i]; i++)
    {
      if (i)
        strcat (s, sep);
      strcat (s, v[i]);
    }
  return s;
}

struct rm_opts
{
  bool force;
  char **env;
  int n;
};

static int
rm_run (void *c, void *o, int argc, char **argv)
{
  struct gctx *g = c;
  struct rm_opts *opt = o;
  g->calls++;
  free (g->root_seen);
  g->root_seen = g->root ? strdup (g->root) : NULL;
  g->force = opt->force;
  g->n = opt->n;
  free (g->env);
  g->env = join (opt->env, ",");
  free (g->args);
  g->args = join (argv, " ");
  CHECK (argv[argc] == NULL);
  return 7;
}

static const struct cli_option rm_options[] = {
  CLI_OPT_FLAG ('f', "force", struct rm_opts, force, "force it"),
  CLI_OPT_STRV ('e', "env", struct rm_opts, env, "K=V", "an environment variable"),
  CLI_OPT_INT ('n', "number", struct rm_opts, n, "N", "a number"),
  { 0 },
};

static const struct cli_command rm_cmd = {
  .name = "rm",
  .summary = "Remove things",
  .args = "X [X...]",
  .options = rm_options,
  .opts_size = sizeof (struct rm_opts),
  .min_args = 1,
  .max_args = -1,
  .run = rm_run,
};

struct run_opts
{
  bool detach;
  int keys;
};

static int
run_option (void *o, int key, const char *v, struct error **err)
{
  struct run_opts *opt = o;
  opt->keys++;
  if (key == 'x' && strcmp (v, "bad") == 0)
    return error_set (err, EINVAL, "invalid --x `%s`", v);
  return 0;
}

static int
run_run (void *c, void *o, int argc, char **argv)
{
  struct gctx *g = c;
  struct run_opts *opt = o;
  g->calls++;
  g->detach = opt->detach;
  g->keys_seen = opt->keys;
  free (g->args);
  g->args = join (argv, " ");
  return 0;
}

static const struct cli_option run_options[] = {
  CLI_OPT_FLAG ('d', "detach", struct run_opts, detach, "in the background"),
  CLI_OPT_CALL ('x', "x", 'x', "V", "a checked value"),
  CLI_OPT_CALL ('h', "hostname", 'h', "NAME", "-h is not help here"),
  { 0 },
};

static const struct cli_command run_cmd = {
  .name = "run",
  .summary = "Run",
  .args = "IMAGE [CMD...]",
  .options = run_options,
  .opts_size = sizeof (struct run_opts),
  .on_option = run_option,
  .min_args = 1,
  .max_args = -1,
  .run = run_run,
  .flags = CLI_NO_INTERSPERSE,
};

static const struct cli_command sub_cmd = {
  .name = "sub",
  .summary = "A sub-command",
  .max_args = 0,
  .run = run_run,
  .opts_size = sizeof (struct run_opts),
};

static const struct cli_entry grp_entries[] = {
  { &sub_cmd, NULL, "s" },
  { &rm_cmd, "remove", NULL, true },
  { NULL },
};

static const struct cli_command grp_cmd = {
  .name = "grp",
  .summary = "A group",
  .sub = grp_entries,
};

/* a verb that is a group too: vg [-d] [X...] beside vg sub */
static int
vg_run (void *c, void *o, int argc, char **argv)
{
  run_run (c, o, argc, argv);
  return 3;
}

static const struct cli_option vg_options[] = {
  CLI_OPT_FLAG ('d', "detach", struct run_opts, detach, "in the background"),
  { 0 },
};

static const struct cli_entry vg_entries[] = {
  { &sub_cmd },
  { NULL },
};

static const struct cli_command vg_cmd = {
  .name = "vg",
  .summary = "A verb and a group",
  .args = "[X...]",
  .options = vg_options,
  .opts_size = sizeof (struct run_opts),
  .max_args = -1,
  .run = vg_run,
  .sub = vg_entries,
};

static const struct cli_option global_options[] = {
  { .name = "root",
    .kind = CLI_STRING,
    .offset = __builtin_offsetof(struct gctx, root),
    .metavar = "DIR",
    .help = "the root" },
  { 0 },
};

static const struct cli_entry root_entries[] = {
  { &rm_cmd },
  { &run_cmd },
  { &grp_cmd },
  { &vg_cmd },
  { NULL },
};

static const struct cli_command root_cmd = {
  .name = "prog",
  .summary = "A program",
  .options = global_options,
  .sub = root_entries,
};

static const struct cli_program prog = { .name = "prog", .root = &root_cmd, .usage_status = 125 };

static int
go (struct gctx *g, const char *line)
{
  _cleanup_strv_ char **v = NULL;
  strv_push (&v, "prog");
  _cleanup_free_ char *copy = strdup (line);
  char *save = NULL;
  for (char *t = strtok_r (copy, " ", &save); t; t = strtok_r (NULL, " ", &save))
    strv_push (&v, t);
  /* stdout (help) and stderr (errors) of the parser: out of the TAP stream */
  fflush (stdout);
  FILE *saved = stdout;
  stdout = fopen ("/dev/null", "w");
  FILE *saved_err = stderr;
  stderr = stdout;
  g->root = NULL; /* pointed into the last argv */
  int r = cli_main (&prog, g, (int)strv_len (v), v);
  fclose (stdout);
  stdout = saved;
  stderr = saved_err;
  return r;
}

static void
test_dispatch (void)
{
  struct gctx g = { 0 };
  /* options anywhere, repeated strv, --x=y and -nVALUE, "--" */
  CHECK_INT (go (&g, "--root /r rm a -f -e A=1 b --env=B=2 -n5 -- -c"), ==, 7);
  CHECK_STR (g.root_seen, "/r");
  CHECK (g.force);
  CHECK_INT (g.n, ==, 5);
  CHECK_STR (g.env, "A=1,B=2");
  CHECK_STR (g.args, "a b -c");
  /* grouped short flags with a value last: -fe K */
  CHECK_INT (go (&g, "rm -fe K=V x"), ==, 7);
  CHECK_STR (g.env, "K=V");
  CHECK (g.force);
  /* --force=false */
  CHECK_INT (go (&g, "rm --force=false x"), ==, 7);
  CHECK (!g.force);
  /* no intersperse: options end at the image */
  CHECK_INT (go (&g, "run -d img sh -c -d"), ==, 0);
  CHECK (g.detach);
  CHECK_STR (g.args, "img sh -c -d");
  CHECK_INT (go (&g, "run -x ok -h host img"), ==, 0);
  CHECK_INT (g.keys_seen, ==, 2);
  /* groups, aliases, hidden entries still reachable */
  int calls = g.calls;
  CHECK_INT (go (&g, "grp s"), ==, 0);
  CHECK_INT (go (&g, "grp remove z"), ==, 7);
  CHECK_INT (g.calls, ==, calls + 2);
  /* a verb and a group: a word naming no sub-command is the verb's, options
   * interspersed; a sub-command's name descends; after "--" nothing does */
  CHECK_INT (go (&g, "vg a -d b"), ==, 3);
  CHECK (g.detach);
  CHECK_STR (g.args, "a b");
  CHECK_INT (go (&g, "vg --detach=false"), ==, 3);
  CHECK (!g.detach);
  CHECK_STR (g.args, "");
  CHECK_INT (go (&g, "vg sub"), ==, 0);
  CHECK_INT (go (&g, "vg -d -- sub -d"), ==, 3);
  CHECK_STR (g.args, "sub -d");
  CHECK_INT (go (&g, "vg sub extra"), ==, 125);
  CHECK_INT (go (&g, "vg x --nope"), ==, 125);
  CHECK_INT (go (&g, "vg --help"), ==, 0);
  free (g.root_seen);
  free (g.env);
  free (g.args);
}

static void
test_errors (void)
{
  struct gctx g = { 0 };
  CHECK_INT (go (&g, "rm --nope x"), ==, 125);
  CHECK_INT (go (&g, "rm -z x"), ==, 125);
  CHECK_INT (go (&g, "rm -n"), ==, 125);     /* needs a value */
  CHECK_INT (go (&g, "rm -n x y"), ==, 125); /* not a number */
  CHECK_INT (go (&g, "rm --force=maybe x"), ==, 125);
  CHECK_INT (go (&g, "rm"), ==, 125);            /* too few arguments */
  CHECK_INT (go (&g, "grp sub extra"), ==, 125); /* too many */
  CHECK_INT (go (&g, "run -x bad img"), ==, 125);
  CHECK_INT (go (&g, "nosuch"), ==, 125);
  CHECK_INT (go (&g, "grp"), ==, 125);
  CHECK_INT (go (&g, ""), ==, 125);
  CHECK_INT (g.calls, ==, 0);
  /* help everywhere, exit 0, nothing run; -h is help unless an option has it */
  CHECK_INT (go (&g, "--help"), ==, 0);
  CHECK_INT (go (&g, "rm --help"), ==, 0);
  CHECK_INT (go (&g, "rm -h"), ==, 0);
  CHECK_INT (go (&g, "grp -h"), ==, 0);
  CHECK_INT (go (&g, "grp sub --help"), ==, 0);
  CHECK_INT (go (&g, "run --help"), ==, 0);
  CHECK_INT (g.calls, ==, 0);
  CHECK_INT (go (&g, "run -h x img"), ==, 0);
  CHECK_INT (g.calls, ==, 1);
  free (g.args);
}

static void
test_help (void)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  cli_print_help (&prog, "prog rm", &rm_cmd, f);
  fclose (f);
  CHECK (strstr (buf, "Usage:  prog rm [OPTIONS] X [X...]\n") == buf);
  CHECK (strstr (buf, "\nRemove things\n") != NULL);
  /* the help column lines up */
  const char *a = strstr (buf, "-f, --force");
  const char *b = strstr (buf, "    --");
  (void)b;
  const char *h1 = strstr (buf, "force it");
  const char *h2 = strstr (buf, "an environment variable");
  const char *l1 = h1, *l2 = h2;
  while (l1 > buf && l1[-1] != '\n')
    l1--;
  while (l2 > buf && l2[-1] != '\n')
    l2--;
  CHECK (a != NULL);
  CHECK_INT (h1 - l1, ==, h2 - l2);
  free (buf);

  buf = NULL;
  f = open_memstream (&buf, &len);
  cli_print_help (&prog, "prog grp", &grp_cmd, f);
  fclose (f);
  CHECK (strstr (buf, "Usage:  prog grp COMMAND\n") == buf);
  CHECK (strstr (buf, "  sub   A sub-command\n") != NULL);
  CHECK (strstr (buf, "remove") == NULL); /* hidden */
  free (buf);
}

static int
collect (const char *path, const struct cli_command *c, void *data)
{
  (void)c;
  strv_push (data, path);
  return 0;
}

static void
test_walk (void)
{
  _cleanup_strv_ char **paths = NULL;
  cli_walk (&root_cmd, collect, &paths);
  _cleanup_free_ char *all = join (paths, "|");
  CHECK_STR (all, "rm|run|grp|grp sub|vg|vg sub");
}

static void
test_legacy_parse (void)
{
  /* cli_parse: runc's style for hullrt, -name as --name, stops at an argument */
  const char *root = NULL;
  bool debug = false;
  const struct cli_option opts[] = {
    { "root", 0, CLI_STRING, &root, NULL, NULL },
    { "debug", 'd', CLI_FLAG, &debug, NULL, NULL },
    { 0 },
  };
  char *argv[] = { "x", "-root", "/s", "-d", "create", "--bundle", NULL };
  int pos = 1;
  struct error *err = NULL;
  CHECK_INT (cli_parse (opts, 6, argv, &pos, &err), ==, 0);
  CHECK_STR (root, "/s");
  CHECK (debug);
  CHECK_INT (pos, ==, 4);
  char *bad[] = { "x", "--nope", NULL };
  pos = 1;
  CHECK_INT (cli_parse (opts, 2, bad, &pos, &err), ==, -EINVAL);
  CHECK (err && strstr (err->msg, "--nope"));
  error_free (err);
}

int
main (void)
{
  RUN (test_dispatch);
  RUN (test_errors);
  RUN (test_help);
  RUN (test_walk);
  RUN (test_legacy_parse);
  return tap_done ();
}
