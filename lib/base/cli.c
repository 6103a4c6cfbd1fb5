#include "cli.h"

#include "error.h"
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool
opt_end (const struct cli_option *o)
{
  return o == NULL || (o->name == NULL && o->short_name == 0);
}

static const struct cli_option *
find_long (const struct cli_option *o, const char *name, size_t len)
{
  for (; !opt_end (o); o++)
    if (o->name && strlen (o->name) == len && strncmp (o->name, name, len) == 0)
      return o;
  return NULL;
}

static const struct cli_option *
find_short (const struct cli_option *o, char c)
{
  for (; !opt_end (o); o++)
    if (o->short_name == c)
      return o;
  return NULL;
}

/* How one parse goes: where values land and what else is accepted. */
struct parser
{
  const struct cli_option *opts;
  void *base;    /* the options struct, for offsets */
  void *cb_opts; /* what on_option gets */
  cli_option_fn on_option;
  bool intersperse; /* options after positional arguments */
  bool dashdash;    /* set when "--" ended the options */
};

enum
{
  PARSE_HELP = 2
};

static bool
takes_value (const struct cli_option *o)
{
  return o->kind != CLI_FLAG && o->kind != CLI_CALL_FLAG;
}

static int
set_value (const struct parser *p, const struct cli_option *o, const char *shown, const char *val,
           struct error **err)
{
  void *loc = o->target ? o->target : (char *)p->base + o->offset;
  switch (o->kind)
    {
    case CLI_FLAG:
      if (val == NULL || strcmp (val, "true") == 0 || strcmp (val, "1") == 0)
        *(bool *)loc = true;
      else if (strcmp (val, "false") == 0 || strcmp (val, "0") == 0)
        *(bool *)loc = false;
      else
        return error_set (err, EINVAL, "option `%s`: invalid boolean `%s`", shown, val);
      return 0;
    case CLI_STRING:
      *(const char **)loc = val;
      return 0;
    case CLI_INT:
      if (parse_int (val, (int *)loc) < 0)
        return error_set (err, EINVAL, "option `%s`: invalid number `%s`", shown, val);
      return 0;
    case CLI_STRV:
      if (strv_push ((char ***)loc, val) < 0)
        return error_set (err, ENOMEM, "out of memory");
      return 0;
    case CLI_CALL:
    case CLI_CALL_FLAG:
      if (p->on_option == NULL)
        return error_set (err, EINVAL, "option `%s` has no handler", shown);
      return p->on_option (p->cb_opts, o->key, val, err);
    }
  return error_set (err, EINVAL, "option `%s`: unknown kind", shown);
}

static bool
is_help (const struct parser *p, const char *a)
{
  if (strcmp (a, "--help") == 0)
    return find_long (p->opts, "help", 4) == NULL;
  if (strcmp (a, "-h") == 0)
    return find_short (p->opts, 'h') == NULL && find_long (p->opts, "h", 1) == NULL;
  return false;
}

/* One option word at argv[*pos - 1] (already consumed); may consume its
 * value.  Returns 0, CLI_DONE, PARSE_HELP or a negative errno. */
static int
parse_word (struct parser *p, char *a, int argc, char **argv, int *pos, struct error **err)
{
  if (is_help (p, a))
    return PARSE_HELP;
  bool dd = a[1] == '-';
  const char *name = a + 1 + dd;
  const char *eq = strchr (name, '=');
  size_t nlen = eq ? (size_t)(eq - name) : strlen (name);
  const struct cli_option *o = NULL;
  if (dd)
    o = find_long (p->opts, name, nlen);
  if (o == NULL && !dd && nlen == 1)
    o = find_short (p->opts, name[0]);
  if (o)
    {
      const char *val = eq ? eq + 1 : NULL;
      if (takes_value (o) && val == NULL)
        {
          if (*pos >= argc)
            return error_set (err, EINVAL, "flag needs an argument: `%.*s`", (int)(nlen + 1 + dd),
                              a);
          val = argv[(*pos)++];
        }
      return set_value (p, o, a, val, err);
    }
  if (dd)
    return error_set (err, EINVAL, "unknown flag: `%.*s`", (int)(nlen + 2), a);
  /* grouped short options: -it, -p8080 */
  for (const char *c = a + 1; *c; c++)
    {
      const struct cli_option *so = find_short (p->opts, *c);
      if (so == NULL)
        {
          if (*c == 'h' && is_help (p, "-h"))
            return PARSE_HELP;
          if (c == a + 1 && c[1] == '\0')
            return error_set (err, EINVAL, "unknown shorthand flag: `-%c`", *c);
          return error_set (err, EINVAL, "unknown shorthand flag: `-%c` in `%s`", *c, a);
        }
      if (!takes_value (so))
        {
          int r = set_value (p, so, a, NULL, err);
          if (r != 0)
            return r;
          continue;
        }
      const char *val = c[1] ? c + 1 + (c[1] == '=') : NULL;
      if (val == NULL)
        {
          if (*pos >= argc)
            return error_set (err, EINVAL, "flag needs an argument: `-%c`", *c);
          val = argv[(*pos)++];
        }
      return set_value (p, so, a, val, err);
    }
  return 0;
}

/* Options from argv[*pos] on.  Positional arguments go to *args (pointers
 * into argv) when p->intersperse, else parsing stops at the first one. */
static int
parse_args (struct parser *p, int argc, char **argv, int *pos, char ***args, size_t *nargs,
            struct error **err)
{
  while (*pos < argc)
    {
      char *a = argv[*pos];
      if (strcmp (a, "--") == 0)
        {
          (*pos)++;
          p->dashdash = true;
          break;
        }
      if (a[0] != '-' || a[1] == '\0')
        {
          if (!p->intersperse)
            break;
          (*args)[(*nargs)++] = a;
          (*pos)++;
          continue;
        }
      (*pos)++;
      int r = parse_word (p, a, argc, argv, pos, err);
      if (r != 0)
        return r;
    }
  return 0;
}

int
cli_parse (const struct cli_option *opts, int argc, char **argv, int *pos, struct error **err)
{
  /* runc's style: -name is --name, --help is an option like any other */
  struct parser p = { .opts = opts };
  while (*pos < argc)
    {
      char *a = argv[*pos];
      if (strcmp (a, "--") == 0)
        {
          (*pos)++;
          return 0;
        }
      if (a[0] != '-' || a[1] == '\0')
        return 0;
      (*pos)++;
      const char *name = a + 1 + (a[1] == '-');
      const char *eq = strchr (name, '=');
      size_t nlen = eq ? (size_t)(eq - name) : strlen (name);
      const struct cli_option *o = find_long (opts, name, nlen);
      if (o == NULL && a[1] != '-' && nlen == 1)
        o = find_short (opts, name[0]);
      if (o)
        {
          const char *val = eq ? eq + 1 : NULL;
          if (takes_value (o) && val == NULL)
            {
              if (*pos >= argc)
                return error_set (err, EINVAL, "option `%.*s` needs a value",
                                  (int)(nlen + 1 + (a[1] == '-')), a);
              val = argv[(*pos)++];
            }
          if (set_value (&p, o, a, val, err) < 0)
            return -EINVAL;
          continue;
        }
      if (a[1] == '-')
        return error_set (err, EINVAL, "unknown option `%.*s`", (int)(nlen + 2), a);
      /* grouped short options: -it, -p8080 */
      for (const char *c = a + 1; *c; c++)
        {
          const struct cli_option *so = find_short (opts, *c);
          if (so == NULL)
            return error_set (err, EINVAL, "unknown option `-%c` in `%s`", *c, a);
          if (!takes_value (so))
            {
              set_value (&p, so, a, NULL, err);
              continue;
            }
          const char *val = c[1] ? c + 1 : NULL;
          if (val == NULL)
            {
              if (*pos >= argc)
                return error_set (err, EINVAL, "option `-%c` needs a value", *c);
              val = argv[(*pos)++];
            }
          if (set_value (&p, so, a, val, err) < 0)
            return -EINVAL;
          break;
        }
    }
  return 0;
}

/* ------------------------------------------------------------ help */

/* Options wider than this get their help on the next line. */
#define HELP_COLUMN_MAX 32

static void
option_left (const struct cli_option *o, char *buf, size_t cap)
{
  const char *mv = "";
  if (takes_value (o))
    mv = o->metavar            ? o->metavar
         : o->kind == CLI_INT  ? "N"
         : o->kind == CLI_STRV ? "VALUE"
                               : "VALUE";
  const char *sp = *mv ? " " : "";
  if (o->short_name && o->name)
    snprintf (buf, cap, "-%c, --%s%s%s", o->short_name, o->name, sp, mv);
  else if (o->name)
    snprintf (buf, cap, "    --%s%s%s", o->name, sp, mv);
  else
    snprintf (buf, cap, "-%c%s%s", o->short_name, sp, mv);
}

static size_t
options_width (const struct cli_option *opts)
{
  size_t w = 0;
  for (const struct cli_option *o = opts; !opt_end (o); o++)
    {
      if (o->help == NULL)
        continue;
      char left[128];
      option_left (o, left, sizeof left);
      if (strlen (left) > w && strlen (left) <= HELP_COLUMN_MAX)
        w = strlen (left);
    }
  return w;
}

static void
print_options (const struct cli_option *opts, size_t w, FILE *f)
{
  for (const struct cli_option *o = opts; !opt_end (o); o++)
    {
      if (o->help == NULL)
        continue;
      char left[128];
      option_left (o, left, sizeof left);
      if (strlen (left) > w) /* a long one: its help on a line of its own */
        fprintf (f, "  %s\n  %-*s   %s\n", left, (int)w, "", o->help);
      else
        fprintf (f, "  %-*s   %s\n", (int)w, left, o->help);
    }
}

void
cli_print_options (const struct cli_option *opts, int fd)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (f == NULL)
    return;
  size_t w = options_width (opts);
  print_options (opts, w < 30 ? 30 : w, f);
  fclose (f);
  if (buf)
    {
      size_t off = 0;
      while (off < len)
        {
          ssize_t n = write (fd, buf + off, len - off);
          if (n <= 0)
            break;
          off += (size_t)n;
        }
    }
  free (buf);
}

static const char *
entry_name (const struct cli_entry *e)
{
  return e->name ? e->name : e->cmd->name;
}

void
cli_print_help (const struct cli_program *p, const char *path, const struct cli_command *c, FILE *f)
{
  bool has_opts = c->options && !opt_end (c->options);
  fprintf (f, "Usage:  %s%s", path, has_opts ? " [OPTIONS]" : "");
  if (c->sub && c->run) /* a verb and a group: two ways to call it */
    fprintf (f, "%s%s\n        %s COMMAND", c->args ? " " : "", c->args ? c->args : "", path);
  else if (c->sub)
    fprintf (f, " COMMAND");
  if (c->args && !(c->sub && c->run))
    fprintf (f, " %s", c->args);
  fprintf (f, "\n\n%s\n", c->description ? c->description : c->summary ? c->summary : "");
  size_t w = 0;
  if (has_opts)
    w = options_width (c->options);
  for (const struct cli_entry *e = c->sub; e && e->cmd; e++)
    if (!e->hidden && strlen (entry_name (e)) > w)
      w = strlen (entry_name (e));
  if (has_opts)
    {
      fprintf (f, "\nOptions:\n");
      print_options (c->options, w, f);
    }
  if (c->sub)
    {
      fprintf (f, "\nCommands:\n");
      for (const struct cli_entry *e = c->sub; e->cmd; e++)
        if (!e->hidden)
          fprintf (f, "  %-*s   %s\n", (int)w, entry_name (e), e->cmd->summary);
      fprintf (f, "\nRun '%s COMMAND --help' for more information on a command.\n", path);
    }
  (void)p;
}

/* ------------------------------------------------------------ dispatch */

static bool
entry_matches (const struct cli_entry *e, const char *word)
{
  if (strcmp (entry_name (e), word) == 0)
    return true;
  size_t n = strlen (word);
  for (const char *a = e->aliases; a && *a;)
    {
      size_t l = strcspn (a, " ");
      if (l == n && strncmp (a, word, n) == 0)
        return true;
      a += l;
      a += strspn (a, " ");
    }
  return false;
}

static const struct cli_entry *
find_entry (const struct cli_command *c, const char *word)
{
  for (const struct cli_entry *e = c->sub; e && e->cmd; e++)
    if (entry_matches (e, word))
      return e;
  return NULL;
}

static void
free_strv_fields (const struct cli_command *c, void *base)
{
  for (const struct cli_option *o = c->options; !opt_end (o); o++)
    if (o->kind == CLI_STRV && o->target == NULL && base)
      {
        char ***v = (char ***)((char *)base + o->offset);
        strv_free (*v);
        *v = NULL;
      }
}

static int
usage_error (const struct cli_program *p, const char *path, const char *msg)
{
  fprintf (stderr, "%s: %s (see '%s --help')\n", path, msg, path);
  return p->usage_status;
}

static int
run_command (const struct cli_program *p, const struct cli_command *c, char *path, void *ctx,
             int argc, char **argv, int pos)
{
  struct error *err = NULL;
  void *opts = NULL;
  if (c->opts_size)
    {
      opts = calloc (1, c->opts_size);
      if (opts == NULL)
        {
          fprintf (stderr, "%s: out of memory\n", p->name);
          return p->usage_status;
        }
      if (c->init)
        c->init (opts);
    }
  /* room for every positional argument, NULL-terminated */
  char **args = calloc ((size_t)(argc - pos) + 1, sizeof *args);
  size_t nargs = 0;
  int status;
  if (args == NULL)
    {
      fprintf (stderr, "%s: out of memory\n", p->name);
      status = p->usage_status;
      goto out;
    }
  struct parser ps = {
    .opts = c->options,
    .base = opts ? opts : ctx,
    .cb_opts = opts ? opts : ctx,
    .on_option = c->on_option,
    .intersperse = c->sub == NULL && !(c->flags & CLI_NO_INTERSPERSE),
  };
  int r = parse_args (&ps, argc, argv, &pos, &args, &nargs, &err);
  /* A group that is also a verb (c->run): a first argument that names no
   * sub-command is the verb's, and so is the rest of the line, options
   * included (cobra's behaviour: `hull scan IMAGE -f json` beside `hull
   * scan db status`). */
  bool as_verb = false;
  if (r == 0 && c->sub && c->run
      && (ps.dashdash || pos >= argc || find_entry (c, argv[pos]) == NULL))
    {
      as_verb = true;
      ps.intersperse = !(c->flags & CLI_NO_INTERSPERSE);
      if (!ps.dashdash)
        r = parse_args (&ps, argc, argv, &pos, &args, &nargs, &err);
    }
  if (r == PARSE_HELP)
    {
      cli_print_help (p, path, c, stdout);
      status = 0;
      goto out;
    }
  if (r == CLI_DONE)
    {
      status = 0;
      goto out;
    }
  if (r < 0)
    {
      status = usage_error (p, path, err ? err->msg : "invalid options");
      goto out;
    }
  int first = pos; /* where the options stopped: a group's sub-verb */
  while (pos < argc)
    args[nargs++] = argv[pos++];

  if (c->sub && !as_verb)
    {
      if (nargs == 0)
        {
          cli_print_help (p, path, c, stderr);
          status = p->usage_status;
          goto out;
        }
      const struct cli_entry *e = find_entry (c, args[0]);
      if (e == NULL)
        {
          char msg[256];
          snprintf (msg, sizeof msg, "unknown command `%s`", args[0]);
          status = usage_error (p, path, msg);
          goto out;
        }
      size_t plen = strlen (path);
      char *sub_path = malloc (plen + strlen (entry_name (e)) + 2);
      if (sub_path == NULL)
        {
          status = p->usage_status;
          goto out;
        }
      sprintf (sub_path, "%s %s", path, entry_name (e));
      /* the sub-command parses what follows its name (a group does not
       * intersperse: its first argument is the name) */
      status = run_command (p, e->cmd, sub_path, ctx, argc, argv, first + 1);
      free (sub_path);
      goto out;
    }

  if ((int)nargs < c->min_args || (c->max_args >= 0 && (int)nargs > c->max_args))
    {
      char msg[128];
      if (c->max_args == 0)
        snprintf (msg, sizeof msg, "accepts no arguments");
      else if (c->min_args == c->max_args)
        snprintf (msg, sizeof msg, "requires exactly %d argument%s", c->min_args,
                  c->min_args == 1 ? "" : "s");
      else if ((int)nargs < c->min_args)
        snprintf (msg, sizeof msg, "requires at least %d argument%s", c->min_args,
                  c->min_args == 1 ? "" : "s");
      else
        snprintf (msg, sizeof msg, "accepts at most %d argument%s", c->max_args,
                  c->max_args == 1 ? "" : "s");
      status = usage_error (p, path, msg);
      goto out;
    }
  status = c->run ? c->run (ctx, opts, (int)nargs, args) : p->usage_status;

out:
  error_free (err);
  free (args);
  if (opts)
    {
      if (c->fini)
        c->fini (opts);
      free_strv_fields (c, opts);
      free (opts);
    }
  return status;
}

int
cli_main (const struct cli_program *p, void *ctx, int argc, char **argv)
{
  char *path = strdup (p->name);
  if (path == NULL)
    return p->usage_status;
  int r = run_command (p, p->root, path, ctx, argc, argv, 1);
  free (path);
  return r;
}

static int
walk (const struct cli_command *c, char *path, size_t len, size_t cap, cli_walk_fn fn, void *data)
{
  for (const struct cli_entry *e = c->sub; e && e->cmd; e++)
    {
      if (e->hidden)
        continue;
      const char *n = entry_name (e);
      size_t nl = strlen (n) + (len ? 1 : 0);
      if (len + nl + 1 > cap)
        continue;
      snprintf (path + len, cap - len, "%s%s", len ? " " : "", n);
      int r = fn (path, e->cmd, data);
      if (r == 0 && e->cmd->sub)
        r = walk (e->cmd, path, len + nl, cap, fn, data);
      path[len] = '\0';
      if (r)
        return r;
    }
  return 0;
}

int
cli_walk (const struct cli_command *root, cli_walk_fn fn, void *data)
{
  char path[512] = "";
  return walk (root, path, 0, sizeof path, fn, data);
}
