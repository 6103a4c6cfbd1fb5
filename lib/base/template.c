/* template.c - a subset of Go's text/template over json-c documents.
 *
 * Parsing builds a tree of nodes (text, actions, if/range/with blocks) whose
 * actions hold pipelines of commands of arguments, as Go's parse package
 * does.  Execution walks the tree with a dot value and a stack of variables
 * and appends to a bounded buffer.  Values are json-c objects with a
 * reference held by whoever holds the value; "missing" (a map key that is
 * not there) is kept apart from JSON null because Go prints them apart.
 * See docs/design/templates.md. */
#include "base/template.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------- tree ---------- */

enum arg_kind
{
  A_DOT,   /* .            */
  A_FIELD, /* .A.B         */
  A_VAR,   /* $x.A         */
  A_STRING,
  A_INT,
  A_FLOAT,
  A_BOOL,
  A_NIL,
  A_FUNC, /* identifier naming a function */
  A_PIPE  /* ( pipeline ).A */
};

struct pipe;

struct arg
{
  enum arg_kind kind;
  int pos;
  char **fields; /* chain after ., $x or ( ) */
  int nfields;
  char *str; /* A_STRING contents, A_VAR name (with $) */
  size_t len;
  int64_t i;
  double d;
  bool b;
  int fn; /* A_FUNC: index into funcs[] */
  struct pipe *sub;
};

struct cmd
{
  int pos;
  struct arg *args;
  int nargs;
};

struct pipe
{
  int pos;
  char *decl[2];
  int ndecl;
  bool assign; /* $x = ... rather than := */
  struct cmd *cmds;
  int ncmds;
};

enum node_kind
{
  N_TEXT,
  N_ACTION,
  N_IF,
  N_RANGE,
  N_WITH,
  N_BREAK,
  N_CONTINUE
};

struct node
{
  enum node_kind kind;
  int pos;
  struct node *next;
  char *text; /* N_TEXT */
  size_t len;
  struct pipe *pipe;
  struct node *list;
  struct node *elselist;
};

struct tmpl
{
  char *src; /* kept for line:column of errors */
  struct node *root;
};

static void pipe_free (struct pipe *p);

static void
arg_clear (struct arg *a)
{
  for (int i = 0; i < a->nfields; i++)
    free (a->fields[i]);
  free (a->fields);
  free (a->str);
  pipe_free (a->sub);
}

static void
pipe_free (struct pipe *p)
{
  if (p == NULL)
    return;
  for (int i = 0; i < p->ncmds; i++)
    {
      for (int j = 0; j < p->cmds[i].nargs; j++)
        arg_clear (&p->cmds[i].args[j]);
      free (p->cmds[i].args);
    }
  free (p->cmds);
  free (p->decl[0]);
  free (p->decl[1]);
  free (p);
}

static void
nodes_free (struct node *n)
{
  while (n)
    {
      struct node *next = n->next;
      free (n->text);
      pipe_free (n->pipe);
      nodes_free (n->list);
      nodes_free (n->elselist);
      free (n);
      n = next;
    }
}

void
tmpl_free (struct tmpl *t)
{
  if (t == NULL)
    return;
  nodes_free (t->root);
  free (t->src);
  free (t);
}

/* "template: LINE:COL: msg", COL counted in bytes from 0 as Go does. */
static int tmpl_err (const char *src, int pos, struct error **err, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
static int
tmpl_err (const char *src, int pos, struct error **err, const char *fmt, ...)
{
  int line = 1, col = 0;
  for (int i = 0; i < pos && src[i]; i++)
    {
      if (src[i] == '\n')
        {
          line++;
          col = 0;
        }
      else
        col++;
    }
  char msg[512];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  return error_set (err, EINVAL, "template: %d:%d: %s", line, col, msg);
}

/* ---------- functions table (names are checked at parse time) ---------- */

struct exec;
struct val
{
  json_object *o; /* a reference held by this value; NULL is JSON null */
  bool missing;   /* a map key that is not there: Go's invalid reflect.Value */
  bool empty;     /* a "" that `index` made of an absent entry: what Docker's
                   * typed maps give; its fields, indexes and range are absent
                   * too */
};

typedef int (*tmpl_fn) (struct exec *x, int pos, struct val *args, int n, struct val *out);

static int fn_and (struct exec *, int, struct val *, int, struct val *);
static int fn_or (struct exec *, int, struct val *, int, struct val *);
static int fn_not (struct exec *, int, struct val *, int, struct val *);
static int fn_eq (struct exec *, int, struct val *, int, struct val *);
static int fn_ne (struct exec *, int, struct val *, int, struct val *);
static int fn_lt (struct exec *, int, struct val *, int, struct val *);
static int fn_le (struct exec *, int, struct val *, int, struct val *);
static int fn_gt (struct exec *, int, struct val *, int, struct val *);
static int fn_ge (struct exec *, int, struct val *, int, struct val *);
static int fn_index (struct exec *, int, struct val *, int, struct val *);
static int fn_len (struct exec *, int, struct val *, int, struct val *);
static int fn_json (struct exec *, int, struct val *, int, struct val *);
static int fn_join (struct exec *, int, struct val *, int, struct val *);
static int fn_split (struct exec *, int, struct val *, int, struct val *);
static int fn_upper (struct exec *, int, struct val *, int, struct val *);
static int fn_lower (struct exec *, int, struct val *, int, struct val *);
static int fn_title (struct exec *, int, struct val *, int, struct val *);
static int fn_print (struct exec *, int, struct val *, int, struct val *);
static int fn_println (struct exec *, int, struct val *, int, struct val *);
static int fn_printf (struct exec *, int, struct val *, int, struct val *);
static int fn_truncate (struct exec *, int, struct val *, int, struct val *);
static int fn_pad (struct exec *, int, struct val *, int, struct val *);

static const struct
{
  const char *name;
  tmpl_fn fn;
  int min, max; /* argument counts; max -1 = any */
} funcs[] = {
  { "and", fn_and, 1, -1 },
  { "or", fn_or, 1, -1 },
  { "not", fn_not, 1, 1 },
  { "eq", fn_eq, 2, -1 },
  { "ne", fn_ne, 2, 2 },
  { "lt", fn_lt, 2, 2 },
  { "le", fn_le, 2, 2 },
  { "gt", fn_gt, 2, 2 },
  { "ge", fn_ge, 2, 2 },
  { "index", fn_index, 1, -1 },
  { "len", fn_len, 1, 1 },
  { "json", fn_json, 1, 1 },
  { "join", fn_join, 2, 2 },
  { "split", fn_split, 2, 2 },
  { "upper", fn_upper, 1, 1 },
  { "lower", fn_lower, 1, 1 },
  { "title", fn_title, 1, 1 },
  { "print", fn_print, 0, -1 },
  { "println", fn_println, 0, -1 },
  { "printf", fn_printf, 1, -1 },
  { "truncate", fn_truncate, 2, 2 },
  { "pad", fn_pad, 3, 3 },
};

static int
func_lookup (const char *name, size_t len)
{
  for (size_t i = 0; i < ARRAY_SIZE (funcs); i++)
    if (strlen (funcs[i].name) == len && memcmp (funcs[i].name, name, len) == 0)
      return (int)i;
  return -1;
}

/* ---------- parser ---------- */

struct parser
{
  const char *src;
  size_t n;
  size_t p;         /* cursor */
  size_t act_end;   /* inside an action: offset of its closing delimiter */
  size_t act_after; /* offset after the current action's closing delimiter */
  bool act_trim;    /* ... which ends with a trim marker */
  int depth;
  int range_depth;   /* break/continue are only valid inside range */
  const char **vars; /* variables in scope (names owned by the tree) */
  size_t nvars, capvars;
  struct error **err;
};

static bool
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_alnum_ (char c)
{
  return isalnum ((unsigned char)c) || c == '_' || ((unsigned char)c >= 0x80);
}

static void
skip_spaces (struct parser *ps)
{
  while (ps->p < ps->act_end && is_space (ps->src[ps->p]))
    ps->p++;
}

static char *
xstrndup (const char *s, size_t n)
{
  char *r = malloc (n + 1);
  if (r)
    {
      memcpy (r, s, n);
      r[n] = 0;
    }
  return r;
}

static int
perr_nomem (struct parser *ps)
{
  return error_set (ps->err, ENOMEM, "template: out of memory");
}

/* Append UTF-8 of code point c to buf at *len (buf has room for 4). */
static void
put_utf8 (char *buf, size_t *len, uint32_t c)
{
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    c = 0xFFFD;
  if (c < 0x80)
    buf[(*len)++] = (char)c;
  else if (c < 0x800)
    {
      buf[(*len)++] = (char)(0xC0 | (c >> 6));
      buf[(*len)++] = (char)(0x80 | (c & 0x3F));
    }
  else if (c < 0x10000)
    {
      buf[(*len)++] = (char)(0xE0 | (c >> 12));
      buf[(*len)++] = (char)(0x80 | ((c >> 6) & 0x3F));
      buf[(*len)++] = (char)(0x80 | (c & 0x3F));
    }
  else
    {
      buf[(*len)++] = (char)(0xF0 | (c >> 18));
      buf[(*len)++] = (char)(0x80 | ((c >> 12) & 0x3F));
      buf[(*len)++] = (char)(0x80 | ((c >> 6) & 0x3F));
      buf[(*len)++] = (char)(0x80 | (c & 0x3F));
    }
}

static int
hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* A Go interpreted string "..." or raw string `...` at ps->p. */
static int
parse_string (struct parser *ps, struct arg *a)
{
  size_t start = ps->p;
  char q = ps->src[ps->p++];
  /* The decoded string is never longer than its source. */
  _cleanup_free_ char *buf = malloc (ps->act_end - start + 4);
  size_t len = 0;
  if (buf == NULL)
    return perr_nomem (ps);
  if (q == '`')
    {
      while (ps->p < ps->act_end && ps->src[ps->p] != '`')
        buf[len++] = ps->src[ps->p++];
      if (ps->p >= ps->act_end)
        return tmpl_err (ps->src, (int)start, ps->err, "unterminated raw quoted string");
      ps->p++;
    }
  else
    {
      for (;;)
        {
          if (ps->p >= ps->act_end || ps->src[ps->p] == '\n')
            return tmpl_err (ps->src, (int)start, ps->err, "unterminated quoted string");
          char c = ps->src[ps->p++];
          if (c == '"')
            break;
          if (c != '\\')
            {
              buf[len++] = c;
              continue;
            }
          if (ps->p >= ps->act_end)
            return tmpl_err (ps->src, (int)start, ps->err, "unterminated quoted string");
          c = ps->src[ps->p++];
          int ndig = 0, base = 16;
          switch (c)
            {
            case 'a':
              buf[len++] = '\a';
              break;
            case 'b':
              buf[len++] = '\b';
              break;
            case 'f':
              buf[len++] = '\f';
              break;
            case 'n':
              buf[len++] = '\n';
              break;
            case 'r':
              buf[len++] = '\r';
              break;
            case 't':
              buf[len++] = '\t';
              break;
            case 'v':
              buf[len++] = '\v';
              break;
            case '\\':
              buf[len++] = '\\';
              break;
            case '"':
              buf[len++] = '"';
              break;
            case 'x':
              ndig = 2;
              break;
            case 'u':
              ndig = 4;
              break;
            case 'U':
              ndig = 8;
              break;
            default:
              if (c >= '0' && c <= '7')
                {
                  ndig = 3;
                  base = 8;
                  ps->p--;
                  break;
                }
              return tmpl_err (ps->src, (int)start, ps->err, "invalid syntax in quoted string");
            }
          if (ndig == 0)
            continue;
          uint32_t v = 0;
          for (int k = 0; k < ndig; k++)
            {
              int h = ps->p < ps->act_end ? hexval (ps->src[ps->p]) : -1;
              if (h < 0 || h >= base)
                return tmpl_err (ps->src, (int)start, ps->err, "invalid syntax in quoted string");
              v = v * (uint32_t)base + (uint32_t)h;
              ps->p++;
            }
          if (c == 'x' || base == 8)
            {
              if (v > 255)
                return tmpl_err (ps->src, (int)start, ps->err, "invalid syntax in quoted string");
              buf[len++] = (char)v;
            }
          else
            put_utf8 (buf, &len, v);
        }
    }
  a->kind = A_STRING;
  a->str = TAKE_PTR (buf);
  a->str[len] = 0;
  a->len = len;
  return 0;
}

/* .A.B.C at ps->p (the cursor is on the first '.'). */
static int
parse_chain (struct parser *ps, struct arg *a)
{
  while (ps->p < ps->act_end && ps->src[ps->p] == '.' && ps->p + 1 < ps->act_end
         && is_alnum_ (ps->src[ps->p + 1]))
    {
      size_t s = ++ps->p;
      while (ps->p < ps->act_end && is_alnum_ (ps->src[ps->p]))
        ps->p++;
      if (a->nfields >= 256)
        return tmpl_err (ps->src, (int)s, ps->err, "field chain too long");
      char **f = realloc (a->fields, sizeof *f * (size_t)(a->nfields + 1));
      if (f == NULL)
        return perr_nomem (ps);
      a->fields = f;
      if ((f[a->nfields] = xstrndup (ps->src + s, ps->p - s)) == NULL)
        return perr_nomem (ps);
      a->nfields++;
    }
  return 0;
}

static int parse_pipe (struct parser *ps, bool in_paren, bool decl_ok, struct pipe **out);

/* Variables are checked at parse time, as Go does: a variable is in scope
 * from its declaration to the end of the block that holds it. */
static bool
var_declared (struct parser *ps, const char *name)
{
  if (strcmp (name, "$") == 0)
    return true;
  for (size_t i = ps->nvars; i-- > 0;)
    if (strcmp (ps->vars[i], name) == 0)
      return true;
  return false;
}

static int
var_declare (struct parser *ps, const char *name)
{
  if (ps->nvars == ps->capvars)
    {
      size_t cap = ps->capvars ? ps->capvars * 2 : 16;
      const char **v = realloc (ps->vars, sizeof *v * cap);
      if (v == NULL)
        return perr_nomem (ps);
      ps->vars = v;
      ps->capvars = cap;
    }
  ps->vars[ps->nvars++] = name;
  return 0;
}

/* Whether offset i ends an operand (the action's end, a space, | ( ) or ,). */
static bool
term_end_at (const struct parser *ps, size_t i)
{
  if (i >= ps->act_end)
    return true;
  char c = ps->src[i];
  return is_space (c) || c == '|' || c == ')' || c == '(' || c == ',';
}

static bool
at_term_end (const struct parser *ps)
{
  return term_end_at (ps, ps->p);
}

static int
parse_arg (struct parser *ps, struct arg *a)
{
  const char *s = ps->src;
  size_t start = ps->p;
  char c = s[ps->p];
  int r;
  a->pos = (int)start;
  if (c == '"' || c == '`')
    r = parse_string (ps, a);
  else if (c == '.' && !(ps->p + 1 < ps->act_end && isdigit ((unsigned char)s[ps->p + 1])))
    {
      if (ps->p + 1 < ps->act_end && is_alnum_ (s[ps->p + 1]))
        {
          a->kind = A_FIELD;
          r = parse_chain (ps, a);
        }
      else
        {
          a->kind = A_DOT;
          ps->p++;
          r = 0;
        }
    }
  else if (c == '$')
    {
      ps->p++;
      while (ps->p < ps->act_end && is_alnum_ (s[ps->p]))
        ps->p++;
      a->kind = A_VAR;
      if ((a->str = xstrndup (s + start, ps->p - start)) == NULL)
        return perr_nomem (ps);
      if (!var_declared (ps, a->str))
        return tmpl_err (ps->src, (int)start, ps->err, "undefined variable \"%s\"", a->str);
      r = parse_chain (ps, a);
    }
  else if (c == '(')
    {
      if (++ps->depth > TMPL_MAX_DEPTH)
        return tmpl_err (ps->src, (int)start, ps->err, "nesting deeper than %d", TMPL_MAX_DEPTH);
      ps->p++;
      a->kind = A_PIPE;
      r = parse_pipe (ps, true, false, &a->sub);
      ps->depth--;
      if (r < 0)
        return r;
      r = parse_chain (ps, a);
    }
  else if (isdigit ((unsigned char)c) || c == '.' /* .5 */
           || ((c == '-' || c == '+') && ps->p + 1 < ps->act_end
               && (isdigit ((unsigned char)s[ps->p + 1]) || s[ps->p + 1] == '.')))
    {
      size_t e = ps->p;
      while (!term_end_at (ps, e))
        e++;
      _cleanup_free_ char *tok = xstrndup (s + start, e - start);
      if (tok == NULL)
        return perr_nomem (ps);
      char *end;
      errno = 0;
      long long v = strtoll (tok, &end, 0);
      if (*end == 0 && errno == 0)
        {
          a->kind = A_INT;
          a->i = v;
        }
      else
        {
          errno = 0;
          double d = strtod (tok, &end);
          /* Go's number syntax has no hex floats, inf or nan words. */
          if (*end != 0 || end == tok || strpbrk (tok, "xXpPnNiI") || errno == ERANGE)
            return tmpl_err (ps->src, (int)start, ps->err, "bad number syntax: \"%.40s\"", tok);
          a->kind = A_FLOAT;
          a->d = d;
        }
      ps->p = e;
      r = 0;
    }
  else if (is_alnum_ (c))
    {
      while (ps->p < ps->act_end && is_alnum_ (s[ps->p]))
        ps->p++;
      size_t len = ps->p - start;
      if (len == 4 && memcmp (s + start, "true", 4) == 0)
        a->kind = A_BOOL, a->b = true;
      else if (len == 5 && memcmp (s + start, "false", 5) == 0)
        a->kind = A_BOOL, a->b = false;
      else if (len == 3 && memcmp (s + start, "nil", 3) == 0)
        a->kind = A_NIL;
      else
        {
          int fn = func_lookup (s + start, len);
          if (fn < 0)
            return tmpl_err (ps->src, (int)start, ps->err, "function \"%.*s\" not defined",
                             (int)(len > 64 ? 64 : len), s + start);
          a->kind = A_FUNC;
          a->fn = fn;
        }
      r = 0;
    }
  else
    return tmpl_err (ps->src, (int)start, ps->err, "unexpected \"%c\" in command", c);
  if (r < 0)
    return r;
  if (!at_term_end (ps))
    return tmpl_err (ps->src, (int)ps->p, ps->err, "unexpected \"%c\" in operand", s[ps->p]);
  return 0;
}

/* Variable declarations: "$x :=", "$x =", "$i, $v :=". Leaves the cursor
 * after the operator when found, else where it was. */
static int
parse_decl (struct parser *ps, struct pipe *p)
{
  size_t save = ps->p;
  char *names[2] = { 0 };
  int n = 0;
  for (;;)
    {
      skip_spaces (ps);
      if (ps->p >= ps->act_end || ps->src[ps->p] != '$')
        goto none;
      size_t s = ps->p++;
      while (ps->p < ps->act_end && is_alnum_ (ps->src[ps->p]))
        ps->p++;
      if ((names[n++] = xstrndup (ps->src + s, ps->p - s)) == NULL)
        {
          free (names[0]);
          return perr_nomem (ps);
        }
      skip_spaces (ps);
      if (ps->p < ps->act_end && ps->src[ps->p] == ',' && n == 1)
        {
          ps->p++;
          continue;
        }
      break;
    }
  if (ps->p + 1 < ps->act_end && ps->src[ps->p] == ':' && ps->src[ps->p + 1] == '=')
    ps->p += 2;
  else if (ps->p < ps->act_end && ps->src[ps->p] == '=' && n == 1)
    {
      if (!var_declared (ps, names[0]))
        {
          int r = tmpl_err (ps->src, (int)save, ps->err, "undefined variable \"%s\"", names[0]);
          free (names[0]);
          return r;
        }
      ps->p++;
      p->assign = true;
    }
  else
    goto none;
  p->decl[0] = names[0];
  p->decl[1] = names[1];
  p->ndecl = n;
  return 0;
none:
  free (names[0]);
  free (names[1]);
  ps->p = save;
  return 0;
}

static int
parse_pipe (struct parser *ps, bool in_paren, bool decl_ok, struct pipe **out)
{
  struct pipe *p = calloc (1, sizeof *p);
  int r;
  if (p == NULL)
    return perr_nomem (ps);
  skip_spaces (ps);
  p->pos = (int)ps->p;
  if (decl_ok && (r = parse_decl (ps, p)) < 0)
    goto fail;
  for (;;)
    {
      skip_spaces (ps);
      struct cmd cmd = { .pos = (int)ps->p };
      for (;;)
        {
          skip_spaces (ps);
          if (ps->p >= ps->act_end)
            {
              if (in_paren)
                {
                  r = tmpl_err (ps->src, (int)ps->p, ps->err, "unclosed left paren");
                  goto fail_cmd;
                }
              break;
            }
          char c = ps->src[ps->p];
          if (c == '|' || c == ')')
            break;
          if (cmd.nargs >= 1024)
            {
              r = tmpl_err (ps->src, (int)ps->p, ps->err, "too many arguments");
              goto fail_cmd;
            }
          struct arg *na = realloc (cmd.args, sizeof *na * (size_t)(cmd.nargs + 1));
          if (na == NULL)
            {
              r = perr_nomem (ps);
              goto fail_cmd;
            }
          cmd.args = na;
          memset (&cmd.args[cmd.nargs], 0, sizeof *na);
          cmd.nargs++;
          if ((r = parse_arg (ps, &cmd.args[cmd.nargs - 1])) < 0)
            goto fail_cmd;
        }
      if (cmd.nargs == 0)
        {
          r = tmpl_err (ps->src, cmd.pos, ps->err, "missing value for command");
          goto fail_cmd;
        }
      if (cmd.args[0].kind == A_NIL)
        {
          r = tmpl_err (ps->src, cmd.pos, ps->err, "nil is not a command");
          goto fail_cmd;
        }
      struct cmd *nc = realloc (p->cmds, sizeof *nc * (size_t)(p->ncmds + 1));
      if (nc == NULL)
        {
          r = perr_nomem (ps);
          goto fail_cmd;
        }
      p->cmds = nc;
      p->cmds[p->ncmds++] = cmd;
      if (ps->p < ps->act_end && ps->src[ps->p] == '|')
        {
          ps->p++;
          continue;
        }
      if (ps->p < ps->act_end && ps->src[ps->p] == ')')
        {
          if (!in_paren)
            {
              r = tmpl_err (ps->src, (int)ps->p, ps->err, "unexpected right paren");
              goto fail;
            }
          ps->p++;
        }
      break;
    fail_cmd:
      for (int j = 0; j < cmd.nargs; j++)
        arg_clear (&cmd.args[j]);
      free (cmd.args);
      goto fail;
    }
  for (int i = 0; i < p->ndecl && !p->assign; i++)
    if ((r = var_declare (ps, p->decl[i])) < 0)
      goto fail;
  *out = p;
  return 0;
fail:
  pipe_free (p);
  return r;
}

enum end_kind
{
  E_EOF,
  E_END,
  E_ELSE
};

static int parse_list (struct parser *ps, struct node **out, enum end_kind *end, int *end_pos);

static void
resume_after_action (struct parser *ps)
{
  ps->p = ps->act_after;
  ps->act_end = ps->n;
  if (ps->act_trim)
    while (ps->p < ps->n && is_space (ps->src[ps->p]))
      ps->p++;
}

/* Find the end of the action opened at ps->p (just after "{{" and any "- ").
 * Strings and raw strings may hold "}}". Sets act_end and *trim_right. */
static int
find_action_end (struct parser *ps, size_t open, bool *trim_right, size_t *after)
{
  size_t i = ps->p;
  while (i < ps->n)
    {
      char c = ps->src[i];
      if (c == '"' || c == '`' || c == '\'')
        {
          i++;
          while (i < ps->n && ps->src[i] != c)
            {
              if (c != '`' && ps->src[i] == '\\' && i + 1 < ps->n)
                i++;
              if (c != '`' && ps->src[i] == '\n')
                break;
              i++;
            }
          if (i >= ps->n || ps->src[i] != c)
            return tmpl_err (ps->src, (int)open, ps->err, "unterminated quoted string");
          i++;
          continue;
        }
      if (c == '}' && i + 1 < ps->n && ps->src[i + 1] == '}')
        {
          *trim_right = i >= ps->p + 2 && ps->src[i - 1] == '-' && is_space (ps->src[i - 2]);
          ps->act_end = *trim_right ? i - 2 : i;
          *after = i + 2;
          return 0;
        }
      i++;
    }
  return tmpl_err (ps->src, (int)open, ps->err, "unclosed action");
}

static bool
word_is (struct parser *ps, const char *w)
{
  size_t l = strlen (w);
  return ps->p + l <= ps->act_end && memcmp (ps->src + ps->p, w, l) == 0
         && (ps->p + l == ps->act_end || !is_alnum_ (ps->src[ps->p + l]));
}

static int
new_node (struct parser *ps, enum node_kind k, int pos, struct node **out)
{
  struct node *n = calloc (1, sizeof *n);
  if (n == NULL)
    return perr_nomem (ps);
  n->kind = k;
  n->pos = pos;
  *out = n;
  return 0;
}

/* After "if"/"range"/"with" and its pipeline: the body, an optional else
 * (or "else if"/"else with" chain), and the {{end}}. */
static int
parse_block_body (struct parser *ps, struct node *n, enum node_kind k)
{
  enum end_kind end;
  int end_pos, r;
  if (++ps->depth > TMPL_MAX_DEPTH)
    return tmpl_err (ps->src, n->pos, ps->err, "nesting deeper than %d", TMPL_MAX_DEPTH);
  size_t mark = ps->nvars;
  if (k == N_RANGE)
    ps->range_depth++;
  r = parse_list (ps, &n->list, &end, &end_pos);
  if (k == N_RANGE)
    ps->range_depth--;
  ps->nvars = mark;
  if (r < 0)
    goto out;
  if (end == E_EOF)
    {
      r = tmpl_err (ps->src, n->pos, ps->err, "unexpected EOF");
      goto out;
    }
  if (end == E_ELSE)
    {
      /* the cursor is after "else" inside the action; "else if ..." and
       * "else with ..." chain into a nested block that ends at the same end */
      skip_spaces (ps);
      if ((k == N_IF && word_is (ps, "if")) || (k == N_WITH && word_is (ps, "with")))
        {
          int pos = (int)ps->p;
          ps->p += k == N_IF ? 2 : 4;
          struct node *chain = NULL;
          if ((r = new_node (ps, k, pos, &chain)) < 0)
            goto out;
          n->elselist = chain;
          if ((r = parse_pipe (ps, false, true, &chain->pipe)) < 0)
            goto out;
          resume_after_action (ps);
          r = parse_block_body (ps, chain, k);
          goto out;
        }
      if (ps->p != ps->act_end)
        {
          r = tmpl_err (ps->src, (int)ps->p, ps->err, "unexpected \"%c\" in else", ps->src[ps->p]);
          goto out;
        }
      resume_after_action (ps);
      r = parse_list (ps, &n->elselist, &end, &end_pos);
      ps->nvars = mark;
      if (r < 0)
        goto out;
      if (end != E_END)
        {
          r = tmpl_err (ps->src, end == E_EOF ? n->pos : end_pos, ps->err,
                        end == E_EOF ? "unexpected EOF" : "unexpected {{else}}");
          goto out;
        }
    }
out:
  ps->depth--;
  return r;
}

/* Text and actions until EOF, {{end}} or {{else}}.  At an else the cursor
 * stays inside that action after the word "else" (act_end, act_after and
 * act_trim set) so that the caller can read "if"/"with"; at an end it is
 * after the action. */

static int
parse_list (struct parser *ps, struct node **out, enum end_kind *end, int *end_pos)
{
  struct node *head = NULL, **tail = &head;
  int r = 0;
  *end = E_EOF;
  while (ps->p < ps->n)
    {
      const char *open = strstr (ps->src + ps->p, "{{");
      size_t text_end = open ? (size_t)(open - ps->src) : ps->n;
      size_t act = text_end + 2;
      bool trim_left
          = open && act + 1 < ps->n && ps->src[act] == '-' && is_space (ps->src[act + 1]);
      size_t text_stop = text_end;
      if (trim_left)
        while (text_stop > ps->p && is_space (ps->src[text_stop - 1]))
          text_stop--;
      if (text_stop > ps->p)
        {
          struct node *t = NULL;
          if ((r = new_node (ps, N_TEXT, (int)ps->p, &t)) < 0)
            goto fail;
          *tail = t;
          tail = &t->next;
          t->len = text_stop - ps->p;
          if ((t->text = xstrndup (ps->src + ps->p, t->len)) == NULL)
            {
              r = perr_nomem (ps);
              goto fail;
            }
        }
      if (!open)
        {
          ps->p = ps->n;
          break;
        }
      ps->p = trim_left ? act + 2 : act;
      bool trim_right = false;
      size_t after = 0;
      /* comments: {{/ * ... * /}} (without the spaces), trim markers allowed */
      if (ps->p + 1 < ps->n && ps->src[ps->p] == '/' && ps->src[ps->p + 1] == '*')
        {
          const char *close = strstr (ps->src + ps->p + 2, "*/");
          if (close == NULL)
            {
              r = tmpl_err (ps->src, (int)text_end, ps->err, "unclosed comment");
              goto fail;
            }
          size_t q = (size_t)(close - ps->src) + 2;
          if (q + 3 < ps->n + 1 && strncmp (ps->src + q, " -}}", 4) == 0)
            {
              trim_right = true;
              after = q + 4;
            }
          else if (strncmp (ps->src + q, "}}", 2) == 0)
            after = q + 2;
          else
            {
              r = tmpl_err (ps->src, (int)text_end, ps->err,
                            "comment ends before closing delimiter");
              goto fail;
            }
          goto advance;
        }
      if ((r = find_action_end (ps, text_end, &trim_right, &after)) < 0)
        goto fail;
      skip_spaces (ps);
      int pos = (int)ps->p;
      if (ps->p == ps->act_end)
        {
          r = tmpl_err (ps->src, pos, ps->err, "missing value for command");
          goto fail;
        }
      if (word_is (ps, "end") || word_is (ps, "else"))
        {
          bool is_else = word_is (ps, "else");
          ps->p += is_else ? 4 : 3;
          *end = is_else ? E_ELSE : E_END;
          *end_pos = pos;
          if (!is_else)
            {
              skip_spaces (ps);
              if (ps->p != ps->act_end)
                {
                  r = tmpl_err (ps->src, (int)ps->p, ps->err, "unexpected \"%c\" in end",
                                ps->src[ps->p]);
                  goto fail;
                }
            }
          ps->act_after = after;
          ps->act_trim = trim_right;
          if (!is_else)
            resume_after_action (ps);
          *out = head;
          return 0;
        }
      struct node *nn = NULL;
      if (word_is (ps, "if") || word_is (ps, "range") || word_is (ps, "with"))
        {
          enum node_kind k = word_is (ps, "if") ? N_IF : word_is (ps, "range") ? N_RANGE : N_WITH;
          if ((r = new_node (ps, k, pos, &nn)) < 0)
            goto fail;
          *tail = nn;
          tail = &nn->next;
          ps->p += k == N_IF ? 2 : k == N_RANGE ? 5 : 4;
          size_t mark = ps->nvars;
          if ((r = parse_pipe (ps, false, true, &nn->pipe)) < 0)
            goto fail;
          ps->act_after = after;
          ps->act_trim = trim_right;
          resume_after_action (ps);
          r = parse_block_body (ps, nn, k);
          ps->nvars = mark;
          if (r < 0)
            goto fail;
          continue;
        }
      if (word_is (ps, "break") || word_is (ps, "continue"))
        {
          enum node_kind k = word_is (ps, "break") ? N_BREAK : N_CONTINUE;
          if (ps->range_depth == 0)
            {
              r = tmpl_err (ps->src, pos, ps->err, "{{%s}} outside {{range}}",
                            k == N_BREAK ? "break" : "continue");
              goto fail;
            }
          ps->p += k == N_BREAK ? 5 : 8;
          skip_spaces (ps);
          if (ps->p != ps->act_end)
            {
              r = tmpl_err (ps->src, (int)ps->p, ps->err, "unexpected \"%c\" in %s", ps->src[ps->p],
                            k == N_BREAK ? "break" : "continue");
              goto fail;
            }
          if ((r = new_node (ps, k, pos, &nn)) < 0)
            goto fail;
          *tail = nn;
          tail = &nn->next;
        }
      else if (word_is (ps, "define") || word_is (ps, "template") || word_is (ps, "block"))
        {
          r = tmpl_err (ps->src, pos, ps->err, "named templates are not supported");
          goto fail;
        }
      else
        {
          if ((r = new_node (ps, N_ACTION, pos, &nn)) < 0)
            goto fail;
          *tail = nn;
          tail = &nn->next;
          if ((r = parse_pipe (ps, false, true, &nn->pipe)) < 0)
            goto fail;
        }
    advance:
      ps->act_after = after;
      ps->act_trim = trim_right;
      resume_after_action (ps);
    }
  *out = head;
  return 0;
fail:
  nodes_free (head);
  return r;
}

int
tmpl_parse (const char *text, struct tmpl **out, struct error **err)
{
  size_t n = strlen (text);
  if (n > TMPL_MAX_TEXT)
    return error_set (err, EINVAL, "template: longer than %d bytes", TMPL_MAX_TEXT);
  struct tmpl *t = calloc (1, sizeof *t);
  if (t == NULL || (t->src = strdup (text)) == NULL)
    {
      free (t);
      return error_set (err, ENOMEM, "template: out of memory");
    }
  struct parser ps = { .src = t->src, .n = n, .act_end = n, .err = err };
  enum end_kind end;
  int end_pos;
  int r = parse_list (&ps, &t->root, &end, &end_pos);
  free (ps.vars);
  if (r >= 0 && end != E_EOF)
    r = tmpl_err (t->src, end_pos, err, "unexpected {{%s}}", end == E_END ? "end" : "else");
  if (r < 0)
    {
      tmpl_free (t);
      return r;
    }
  *out = t;
  return 0;
}

/* ---------- values ---------- */

static struct val
val_ref (struct val v)
{
  return (struct val){ .o = json_object_get (v.o), .missing = v.missing, .empty = v.empty };
}

static void
val_put (struct val *v)
{
  json_object_put (v->o);
  v->o = NULL;
}

static const struct val MISSING = { .o = NULL, .missing = true };

static bool
is_null (struct val v)
{
  return v.missing || v.o == NULL || json_object_get_type (v.o) == json_type_null;
}

/* The type name Go would give the same value decoded into interface{}. */
static const char *
type_name (struct val v)
{
  if (is_null (v))
    return "<nil>";
  switch (json_object_get_type (v.o))
    {
    case json_type_boolean:
      return "bool";
    case json_type_int:
      return "int";
    case json_type_double:
      return "float64";
    case json_type_string:
      return "string";
    case json_type_array:
      return "[]interface {}";
    case json_type_object:
      return "map[string]interface {}";
    default:
      return "<nil>";
    }
}

/* Go's truth: false, 0, "", empty array or map, nil and no value are false. */
static bool
truth (struct val v)
{
  if (is_null (v))
    return false;
  switch (json_object_get_type (v.o))
    {
    case json_type_boolean:
      return json_object_get_boolean (v.o);
    case json_type_int:
      return json_object_get_int64 (v.o) != 0;
    case json_type_double:
      return json_object_get_double (v.o) != 0;
    case json_type_string:
      return json_object_get_string_len (v.o) > 0;
    case json_type_array:
      return json_object_array_length (v.o) > 0;
    case json_type_object:
      return json_object_object_length (v.o) > 0;
    default:
      return false;
    }
}

/* ---------- output buffer ---------- */

struct buf
{
  char *p;
  size_t len, cap, max;
};

static int
buf_add (struct buf *b, const char *s, size_t n)
{
  if (n > b->max - b->len)
    return -EFBIG;
  if (b->len + n + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap : 256;
      while (cap < b->len + n + 1)
        cap *= 2;
      char *p = realloc (b->p, cap);
      if (p == NULL)
        return -ENOMEM;
      b->p = p;
      b->cap = cap;
    }
  memcpy (b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
  return 0;
}

static int
buf_str (struct buf *b, const char *s)
{
  return buf_add (b, s, strlen (s));
}

static int buf_printf (struct buf *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static int
buf_printf (struct buf *b, const char *fmt, ...)
{
  char tmp[128];
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (tmp, sizeof tmp, fmt, ap);
  va_end (ap);
  if (n < 0)
    return -EINVAL;
  return buf_add (b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A float64 as Go's %v prints it: the shortest digits that read back as
 * the same number, in %e form when the exponent is < -4 or >= 6 (strconv's
 * 'g' with the shortest precision decides with precision 6). */
static void
format_float (double d, char *out, size_t size, bool json)
{
  if (isnan (d))
    {
      snprintf (out, size, "NaN");
      return;
    }
  if (isinf (d))
    {
      snprintf (out, size, d > 0 ? "+Inf" : "-Inf");
      return;
    }
  if (d == 0)
    {
      snprintf (out, size, signbit (d) ? "-0" : "0");
      return;
    }
  char e[64];
  int prec;
  for (prec = 1; prec <= 17; prec++)
    {
      snprintf (e, sizeof e, "%.*e", prec - 1, d);
      if (strtod (e, NULL) == d)
        break;
    }
  /* e is "-d.ddde+XX": collect the digits and the exponent */
  char digits[32];
  int nd = 0;
  const char *q = e;
  bool neg = *q == '-';
  if (neg)
    q++;
  for (; *q && *q != 'e'; q++)
    if (isdigit ((unsigned char)*q))
      digits[nd++] = *q;
  int exp = atoi (q + 1);
  while (nd > 1 && digits[nd - 1] == '0')
    nd--;
  digits[nd] = 0;
  size_t o = 0;
  char res[64];
  if (neg)
    res[o++] = '-';
  /* encoding/json switches to %e below 1e-6 and from 1e21 */
  if (json ? fabs (d) < 1e-6 || fabs (d) >= 1e21 : exp < -4 || exp >= 6)
    {
      res[o++] = digits[0];
      if (nd > 1)
        {
          res[o++] = '.';
          memcpy (res + o, digits + 1, (size_t)nd - 1);
          o += (size_t)nd - 1;
        }
      /* fmt pads the exponent to two digits; encoding/json trims "e-07" */
      o += (size_t)snprintf (res + o, sizeof res - o, json && exp < 0 ? "e%c%d" : "e%c%02d",
                             exp < 0 ? '-' : '+', abs (exp));
    }
  else if (exp < 0)
    {
      res[o++] = '0';
      res[o++] = '.';
      for (int k = 0; k < -exp - 1; k++)
        res[o++] = '0';
      memcpy (res + o, digits, (size_t)nd);
      o += (size_t)nd;
    }
  else
    {
      for (int k = 0; k <= exp || k < nd; k++)
        {
          if (k == exp + 1)
            res[o++] = '.';
          res[o++] = k < nd ? digits[k] : '0';
        }
    }
  res[o] = 0;
  snprintf (out, size, "%s", res);
}

static int
key_cmp (const void *a, const void *b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* Sorted keys of an object (pointers into it); NULL on ENOMEM. */
static const char **
sorted_keys (json_object *o, size_t *n)
{
  size_t cnt = (size_t)json_object_object_length (o), i = 0;
  const char **keys = malloc (sizeof *keys * (cnt + 1));
  if (keys == NULL)
    return NULL;
  json_object_object_foreach (o, k, v)
  {
    (void)v;
    if (i < cnt)
      keys[i++] = k;
  }
  qsort (keys, i, sizeof *keys, key_cmp);
  *n = i;
  return keys;
}

/* JSON as Docker's json function writes it (encoding/json without HTML
 * escaping): compact, object keys in the document's order, numbers as
 * encoding/json formats them. */
static int
json_str (struct buf *b, const char *s, size_t n)
{
  int r = buf_str (b, "\"");
  for (size_t i = 0; i < n && r >= 0; i++)
    {
      unsigned char c = (unsigned char)s[i];
      if (c == '"' || c == '\\')
        r = buf_printf (b, "\\%c", c);
      else if (c == '\n')
        r = buf_str (b, "\\n");
      else if (c == '\r')
        r = buf_str (b, "\\r");
      else if (c == '\t')
        r = buf_str (b, "\\t");
      else if (c < 0x20)
        r = buf_printf (b, "\\u%04x", c);
      else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80
               && ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9))
        {
          /* U+2028 and U+2029 are escaped even without HTML escaping */
          r = buf_printf (b, "\\u202%c", s[i + 2] == (char)0xA8 ? '8' : '9');
          i += 2;
        }
      else
        r = buf_add (b, s + i, 1);
    }
  return r < 0 ? r : buf_str (b, "\"");
}

static int
json_val (struct buf *b, json_object *o, int depth)
{
  int r = 0;
  if (depth > 100)
    return -ELOOP;
  switch (o ? json_object_get_type (o) : json_type_null)
    {
    case json_type_boolean:
      return buf_str (b, json_object_get_boolean (o) ? "true" : "false");
    case json_type_int:
      return buf_printf (b, "%" PRId64, json_object_get_int64 (o));
    case json_type_double:
      {
        double d = json_object_get_double (o);
        char f[64];
        if (isnan (d) || isinf (d))
          return buf_str (b, "null");
        format_float (d, f, sizeof f, true);
        return buf_str (b, f);
      }
    case json_type_string:
      return json_str (b, json_object_get_string (o), (size_t)json_object_get_string_len (o));
    case json_type_array:
      {
        size_t n = json_object_array_length (o);
        if ((r = buf_str (b, "[")) < 0)
          return r;
        for (size_t i = 0; i < n; i++)
          if ((i > 0 && (r = buf_str (b, ",")) < 0)
              || (r = json_val (b, json_object_array_get_idx (o, i), depth + 1)) < 0)
            return r;
        return buf_str (b, "]");
      }
    case json_type_object:
      {
        bool first = true;
        if ((r = buf_str (b, "{")) < 0)
          return r;
        json_object_object_foreach (o, k, v)
        {
          if ((!first && (r = buf_str (b, ",")) < 0) || (r = json_str (b, k, strlen (k))) < 0
              || (r = buf_str (b, ":")) < 0 || (r = json_val (b, v, depth + 1)) < 0)
            return r;
          first = false;
        }
        return buf_str (b, "}");
      }
    default:
      return buf_str (b, "null");
    }
}

/* Go's fmt %v of the value. */
static int
print_val (struct buf *b, struct val v, int depth)
{
  if (depth > 100)
    return -ELOOP;
  if (v.missing)
    return buf_str (b, "<no value>");
  if (is_null (v))
    return buf_str (b, "<nil>");
  int r = 0;
  switch (json_object_get_type (v.o))
    {
    case json_type_boolean:
      return buf_str (b, json_object_get_boolean (v.o) ? "true" : "false");
    case json_type_int:
      return buf_printf (b, "%" PRId64, json_object_get_int64 (v.o));
    case json_type_double:
      {
        char f[64];
        format_float (json_object_get_double (v.o), f, sizeof f, false);
        return buf_str (b, f);
      }
    case json_type_string:
      return buf_add (b, json_object_get_string (v.o), (size_t)json_object_get_string_len (v.o));
    case json_type_array:
      {
        size_t n = json_object_array_length (v.o);
        if ((r = buf_str (b, "[")) < 0)
          return r;
        for (size_t i = 0; i < n; i++)
          {
            json_object *e = json_object_array_get_idx (v.o, i);
            if ((i > 0 && (r = buf_str (b, " ")) < 0)
                || (r = print_val (b, (struct val){ .o = e }, depth + 1)) < 0)
              return r;
          }
        return buf_str (b, "]");
      }
    case json_type_object:
      {
        size_t n;
        _cleanup_free_ const char **keys = sorted_keys (v.o, &n);
        if (keys == NULL)
          return -ENOMEM;
        if ((r = buf_str (b, "map[")) < 0)
          return r;
        for (size_t i = 0; i < n; i++)
          {
            if ((i > 0 && (r = buf_str (b, " ")) < 0) || (r = buf_str (b, keys[i])) < 0
                || (r = buf_str (b, ":")) < 0
                || (r = print_val (b, (struct val){ .o = json_object_object_get (v.o, keys[i]) },
                                   depth + 1))
                       < 0)
              return r;
          }
        return buf_str (b, "]");
      }
    default:
      return buf_str (b, "<nil>");
    }
}

/* ---------- execution ---------- */

struct var
{
  const char *name;
  struct val v;
};

struct exec
{
  const struct tmpl *t;
  struct buf out;
  struct var *vars;
  size_t nvars, capvars;
  long steps;
  size_t built; /* bytes of strings made by functions: a declaration prints
                 * nothing, so the output limit alone does not bound work */
  struct error **err;
};

#define X_ERR(x, pos, ...) tmpl_err ((x)->t->src, (pos), (x)->err, __VA_ARGS__)

static int
buf_fail (struct exec *x, int pos, int r)
{
  if (r == -EFBIG)
    return X_ERR (x, pos, "output longer than %d bytes", TMPL_MAX_OUTPUT);
  if (r == -ELOOP)
    return X_ERR (x, pos, "value nested too deeply to print");
  return error_set (x->err, -r, "template: out of memory");
}

static int
step (struct exec *x, int pos)
{
  if (++x->steps > TMPL_MAX_STEPS)
    return X_ERR (x, pos, "execution took more than %d steps", TMPL_MAX_STEPS);
  return 0;
}

static int
var_push (struct exec *x, const char *name, struct val v)
{
  if (x->nvars == x->capvars)
    {
      size_t cap = x->capvars ? x->capvars * 2 : 16;
      struct var *nv = realloc (x->vars, sizeof *nv * cap);
      if (nv == NULL)
        return error_set (x->err, ENOMEM, "template: out of memory");
      x->vars = nv;
      x->capvars = cap;
    }
  x->vars[x->nvars++] = (struct var){ .name = name, .v = val_ref (v) };
  return 0;
}

static void
vars_pop (struct exec *x, size_t mark)
{
  while (x->nvars > mark)
    val_put (&x->vars[--x->nvars].v);
}

static struct var *
var_find (struct exec *x, const char *name)
{
  for (size_t i = x->nvars; i-- > 0;)
    if (strcmp (x->vars[i].name, name) == 0)
      return &x->vars[i];
  return NULL;
}

/* Walk .A.B from v (consumed); a missing key or a null on the way gives
 * "no value" rather than Go's nil-pointer error, so that a stopped
 * container's absent sections print rather than fail. */
static int
walk_fields (struct exec *x, const struct arg *a, struct val v, struct val *out)
{
  for (int i = 0; i < a->nfields; i++)
    {
      if (is_null (v) || v.empty)
        {
          val_put (&v);
          v = MISSING;
          continue;
        }
      if (json_object_get_type (v.o) != json_type_object)
        {
          const char *tn = type_name (v);
          val_put (&v);
          return X_ERR (x, a->pos, "can't evaluate field %s in type %s", a->fields[i], tn);
        }
      json_object *c;
      if (json_object_object_get_ex (v.o, a->fields[i], &c))
        {
          json_object_get (c);
          val_put (&v);
          v = (struct val){ .o = c };
        }
      else
        {
          val_put (&v);
          v = MISSING;
        }
    }
  *out = v;
  return 0;
}

static int exec_pipe (struct exec *x, const struct pipe *p, struct val dot, bool decl,
                      struct val *out);
static int call_func (struct exec *x, const struct cmd *c, int first, struct val dot,
                      struct val *final, struct val *out);

static int
eval_arg (struct exec *x, const struct arg *a, struct val dot, struct val *out)
{
  int r;
  struct val v = { 0 };
  switch (a->kind)
    {
    case A_DOT:
      *out = val_ref (dot);
      return 0;
    case A_FIELD:
      return walk_fields (x, a, val_ref (dot), out);
    case A_VAR:
      {
        struct var *var = var_find (x, a->str);
        if (var == NULL)
          return X_ERR (x, a->pos, "undefined variable \"%s\"", a->str);
        return walk_fields (x, a, val_ref (var->v), out);
      }
    case A_PIPE:
      if ((r = exec_pipe (x, a->sub, dot, false, &v)) < 0)
        return r;
      return walk_fields (x, a, v, out);
    case A_STRING:
      v.o = json_object_new_string_len (a->str, (int)a->len);
      break;
    case A_INT:
      v.o = json_object_new_int64 (a->i);
      break;
    case A_FLOAT:
      v.o = json_object_new_double (a->d);
      break;
    case A_BOOL:
      v.o = json_object_new_boolean (a->b);
      break;
    case A_NIL:
      *out = (struct val){ 0 };
      return 0;
    case A_FUNC:
      {
        /* a function named as an argument is called without arguments */
        struct cmd c = { .pos = a->pos, .args = (struct arg *)a, .nargs = 1 };
        return call_func (x, &c, 0, dot, NULL, out);
      }
    }
  if (v.o == NULL)
    return error_set (x->err, ENOMEM, "template: out of memory");
  *out = v;
  return 0;
}

static int
call_func (struct exec *x, const struct cmd *c, int first, struct val dot, struct val *final,
           struct val *out)
{
  const struct arg *fa = &c->args[first];
  int nargs = c->nargs - first - 1 + (final ? 1 : 0);
  int fn = fa->fn, r = 0;
  if (nargs < funcs[fn].min || (funcs[fn].max >= 0 && nargs > funcs[fn].max))
    return X_ERR (x, fa->pos, "wrong number of args for %s: want %s%d got %d", funcs[fn].name,
                  funcs[fn].max < 0 ? "at least " : "", funcs[fn].min, nargs);
  struct val *args = calloc ((size_t)nargs + 1, sizeof *args);
  if (args == NULL)
    return error_set (x->err, ENOMEM, "template: out of memory");
  int got = 0;
  bool and_or = funcs[fn].fn == fn_and || funcs[fn].fn == fn_or;
  for (int i = first + 1; i < c->nargs; i++)
    {
      if ((r = eval_arg (x, &c->args[i], dot, &args[got])) < 0)
        goto out;
      got++;
      /* and/or stop at the first operand that decides, as Go's do, so
       * that {{and .X (index .X 0)}} guards the index */
      if (and_or && truth (args[got - 1]) == (funcs[fn].fn == fn_or))
        {
          *out = val_ref (args[got - 1]);
          goto out;
        }
    }
  if (final)
    args[got++] = val_ref (*final);
  r = funcs[fn].fn (x, fa->pos, args, got, out);
out:
  for (int i = 0; i < got; i++)
    val_put (&args[i]);
  free (args);
  return r;
}

static int fn_index (struct exec *, int, struct val *, int, struct val *);

/* A field holding an object, given arguments, is indexed by them: how a
 * document offers a method such as Docker's {{.Label "k"}} (the document
 * carries "Label": {labels}).  Go would call a method there. */
static int
call_method (struct exec *x, const struct cmd *c, struct val dot, struct val *final,
             struct val *out)
{
  const struct arg *fa = &c->args[0];
  int n = c->nargs + (final ? 1 : 0), got = 0, r;
  if (fa->kind != A_FIELD && !(fa->kind == A_VAR && fa->nfields > 0))
    return X_ERR (x, fa->pos, "can't give argument to non-function");
  struct val *args = calloc ((size_t)n, sizeof *args);
  if (args == NULL)
    return error_set (x->err, ENOMEM, "template: out of memory");
  if ((r = eval_arg (x, fa, dot, &args[got])) < 0)
    goto out;
  got++;
  if (args[0].missing
      || (!is_null (args[0]) && json_object_get_type (args[0].o) != json_type_object))
    {
      r = X_ERR (x, fa->pos, "%s is not a method but has arguments", fa->fields[fa->nfields - 1]);
      goto out;
    }
  for (int i = 1; i < c->nargs; i++)
    {
      if ((r = eval_arg (x, &c->args[i], dot, &args[got])) < 0)
        goto out;
      got++;
    }
  if (final)
    args[got++] = val_ref (*final);
  r = fn_index (x, fa->pos, args, got, out);
out:
  for (int i = 0; i < got; i++)
    val_put (&args[i]);
  free (args);
  return r;
}

static int
exec_cmd (struct exec *x, const struct cmd *c, struct val dot, struct val *final, struct val *out)
{
  int r;
  if ((r = step (x, c->pos)) < 0)
    return r;
  if (c->args[0].kind == A_FUNC)
    return call_func (x, c, 0, dot, final, out);
  if (c->nargs > 1 || final)
    return call_method (x, c, dot, final, out);
  return eval_arg (x, &c->args[0], dot, out);
}

static int
exec_pipe (struct exec *x, const struct pipe *p, struct val dot, bool decl, struct val *out)
{
  struct val v = { 0 };
  bool have = false;
  int r;
  for (int i = 0; i < p->ncmds; i++)
    {
      struct val nv;
      r = exec_cmd (x, &p->cmds[i], dot, have ? &v : NULL, &nv);
      val_put (&v);
      if (r < 0)
        return r;
      v = nv;
      have = true;
    }
  if (decl && p->ndecl == 1)
    {
      if (p->assign)
        {
          struct var *var = var_find (x, p->decl[0]);
          if (var == NULL)
            {
              val_put (&v);
              return X_ERR (x, p->pos, "undefined variable \"%s\"", p->decl[0]);
            }
          val_put (&var->v);
          var->v = val_ref (v);
        }
      else if ((r = var_push (x, p->decl[0], v)) < 0)
        {
          val_put (&v);
          return r;
        }
    }
  *out = v;
  return 0;
}

enum flow
{
  F_NORMAL,
  F_BREAK,
  F_CONTINUE
};

static int exec_list (struct exec *x, const struct node *n, struct val dot, enum flow *flow);

static int
print_action (struct exec *x, int pos, struct val v)
{
  int r = print_val (&x->out, v, 0);
  return r < 0 ? buf_fail (x, pos, r) : 0;
}

static int
range_body (struct exec *x, const struct node *n, struct val key, struct val elem, enum flow *flow)
{
  const struct pipe *p = n->pipe;
  size_t mark = x->nvars;
  int r = step (x, n->pos);
  if (r >= 0 && p->ndecl == 1)
    r = var_push (x, p->decl[0], elem);
  else if (r >= 0 && p->ndecl == 2 && (r = var_push (x, p->decl[0], key)) >= 0)
    r = var_push (x, p->decl[1], elem);
  if (r >= 0)
    r = exec_list (x, n->list, elem, flow);
  vars_pop (x, mark);
  return r;
}

static int
exec_range (struct exec *x, const struct node *n, struct val dot, enum flow *outer)
{
  size_t mark = x->nvars;
  struct val v;
  /* the range's own variables are bound per iteration, not by exec_pipe */
  int r = exec_pipe (x, n->pipe, dot, false, &v);
  if (r < 0)
    return r;
  bool any = false;
  enum flow flow = F_NORMAL;
  if (n->pipe->ndecl > 0 && n->pipe->assign)
    r = X_ERR (x, n->pos, "range can only declare variables");
  else if (is_null (v) || v.empty)
    ;
  else if (json_object_get_type (v.o) == json_type_array)
    {
      size_t len = json_object_array_length (v.o);
      for (size_t i = 0; i < len && r >= 0; i++)
        {
          json_object *ko = json_object_new_int64 ((int64_t)i);
          if (ko == NULL)
            {
              r = error_set (x->err, ENOMEM, "template: out of memory");
              break;
            }
          struct val key = { .o = ko };
          any = true;
          flow = F_NORMAL;
          r = range_body (x, n, key, (struct val){ .o = json_object_array_get_idx (v.o, i) },
                          &flow);
          val_put (&key);
          if (flow == F_BREAK)
            break;
        }
    }
  else if (json_object_get_type (v.o) == json_type_object)
    {
      size_t cnt;
      _cleanup_free_ const char **keys = sorted_keys (v.o, &cnt);
      if (keys == NULL)
        r = error_set (x->err, ENOMEM, "template: out of memory");
      for (size_t i = 0; keys && i < cnt && r >= 0; i++)
        {
          json_object *ko = json_object_new_string (keys[i]);
          if (ko == NULL)
            {
              r = error_set (x->err, ENOMEM, "template: out of memory");
              break;
            }
          struct val key = { .o = ko };
          any = true;
          flow = F_NORMAL;
          r = range_body (x, n, key, (struct val){ .o = json_object_object_get (v.o, keys[i]) },
                          &flow);
          val_put (&key);
          if (flow == F_BREAK)
            break;
        }
    }
  else if (json_object_get_type (v.o) == json_type_int && json_object_get_int64 (v.o) >= 0)
    {
      /* Go 1.22: range over an integer n counts 0..n-1 */
      int64_t cnt = json_object_get_int64 (v.o);
      for (int64_t i = 0; i < cnt && r >= 0; i++)
        {
          json_object *io = json_object_new_int64 (i);
          if (io == NULL)
            {
              r = error_set (x->err, ENOMEM, "template: out of memory");
              break;
            }
          struct val iv = { .o = io };
          any = true;
          flow = F_NORMAL;
          if (n->pipe->ndecl == 2)
            r = X_ERR (x, n->pos, "can't use %" PRId64 " to iterate over more than one variable",
                       cnt);
          else
            r = range_body (x, n, iv, iv, &flow);
          val_put (&iv);
          if (flow == F_BREAK)
            break;
        }
    }
  else
    r = X_ERR (x, n->pos, "range can't iterate over %s", type_name (v));
  if (r >= 0 && !any && n->elselist)
    r = exec_list (x, n->elselist, dot, outer);
  val_put (&v);
  vars_pop (x, mark);
  return r;
}

static int
exec_list (struct exec *x, const struct node *n, struct val dot, enum flow *flow)
{
  int r = 0;
  for (; n && r >= 0 && *flow == F_NORMAL; n = n->next)
    {
      struct val v;
      size_t mark;
      switch (n->kind)
        {
        case N_TEXT:
          if ((r = buf_add (&x->out, n->text, n->len)) < 0)
            r = buf_fail (x, n->pos, r);
          break;
        case N_ACTION:
          if ((r = exec_pipe (x, n->pipe, dot, true, &v)) < 0)
            break;
          /* a declaration prints nothing */
          if (n->pipe->ndecl == 0)
            r = print_action (x, n->pos, v);
          val_put (&v);
          break;
        case N_IF:
        case N_WITH:
          mark = x->nvars;
          if ((r = exec_pipe (x, n->pipe, dot, true, &v)) < 0)
            break;
          if (truth (v))
            r = exec_list (x, n->list, n->kind == N_WITH ? v : dot, flow);
          else if (n->elselist)
            r = exec_list (x, n->elselist, dot, flow);
          val_put (&v);
          vars_pop (x, mark);
          break;
        case N_RANGE:
          r = exec_range (x, n, dot, flow);
          break;
        case N_BREAK:
          *flow = F_BREAK;
          break;
        case N_CONTINUE:
          *flow = F_CONTINUE;
          break;
        }
    }
  return r;
}

int
tmpl_exec (const struct tmpl *t, json_object *data, char **out, size_t *len, struct error **err)
{
  struct exec x = { .t = t, .out = { .max = TMPL_MAX_OUTPUT }, .err = err };
  struct val dot = { .o = data };
  enum flow flow = F_NORMAL;
  int r = var_push (&x, "$", dot);
  if (r >= 0)
    r = exec_list (&x, t->root, dot, &flow);
  if (r >= 0 && x.out.p == NULL)
    {
      x.out.p = strdup ("");
      if (x.out.p == NULL)
        r = error_set (err, ENOMEM, "template: out of memory");
    }
  vars_pop (&x, 0);
  free (x.vars);
  if (r < 0)
    {
      free (x.out.p);
      return r;
    }
  *out = x.out.p;
  if (len)
    *len = x.out.len;
  return 0;
}

int
tmpl_exec_file (const struct tmpl *t, json_object *data, FILE *f, struct error **err)
{
  _cleanup_free_ char *s = NULL;
  size_t len;
  int r = tmpl_exec (t, data, &s, &len, err);
  if (r < 0)
    return r;
  if (len > 0 && fwrite (s, 1, len, f) != len)
    return error_errno (err, errno ? errno : EIO, "write");
  return 0;
}

char *
tmpl_docker_format (const char *format, bool *is_table)
{
  const char *s = format;
  *is_table = false;
  if (strncmp (s, "table", 5) == 0 && (s[5] == 0 || is_space (s[5])))
    {
      *is_table = true;
      s += 5;
    }
  while (*s == ' ')
    s++;
  size_t n = strlen (s);
  while (n > 0 && s[n - 1] == ' ')
    n--;
  char *r = malloc (n + 1), *o = r;
  if (r == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    {
      if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 't' || s[i + 1] == 'n'))
        {
          *o++ = s[++i] == 't' ? '\t' : '\n';
          continue;
        }
      *o++ = s[i];
    }
  *o = 0;
  return r;
}

/* ---------- functions ---------- */

static int
new_str (struct exec *x, const char *s, size_t n, struct val *out)
{
  if (n > INT32_MAX)
    return error_set (x->err, EFBIG, "template: string too long");
  if (n > TMPL_MAX_BUILT - x->built)
    return error_set (x->err, EFBIG, "template: execution built more than %d bytes of strings",
                      TMPL_MAX_BUILT);
  x->built += n;
  json_object *o = json_object_new_string_len (s, (int)n);
  if (o == NULL)
    return error_set (x->err, ENOMEM, "template: out of memory");
  *out = (struct val){ .o = o };
  return 0;
}

static int
new_empty (struct exec *x, struct val *out)
{
  int r = new_str (x, "", 0, out);
  if (r >= 0)
    out->empty = true;
  return r;
}

static int
new_bool (struct exec *x, bool b, struct val *out)
{
  json_object *o = json_object_new_boolean (b);
  if (o == NULL)
    return error_set (x->err, ENOMEM, "template: out of memory");
  *out = (struct val){ .o = o };
  return 0;
}

/* Functions taking Go interface{} parameters see "no value" as nil. */
static struct val
as_iface (struct val v)
{
  return v.missing ? (struct val){ 0 } : v;
}

/* A string argument; nil and no value read as "" (Go would refuse them;
 * an absent section of a stopped container must still print). */
static int
str_arg (struct exec *x, int pos, const char *fn, struct val v, const char **s, size_t *n)
{
  if (is_null (v))
    {
      *s = "";
      *n = 0;
      return 0;
    }
  if (json_object_get_type (v.o) != json_type_string)
    return X_ERR (x, pos, "error calling %s: wrong type for value; expected string; got %s", fn,
                  type_name (v));
  *s = json_object_get_string (v.o);
  *n = (size_t)json_object_get_string_len (v.o);
  return 0;
}

static int
int_arg (struct exec *x, int pos, const char *fn, struct val v, int64_t *i)
{
  if (is_null (v) || json_object_get_type (v.o) != json_type_int)
    return X_ERR (x, pos, "error calling %s: wrong type for value; expected int; got %s", fn,
                  type_name (v));
  *i = json_object_get_int64 (v.o);
  return 0;
}

static int
fn_and (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)x, (void)pos;
  for (int i = 0; i < n - 1; i++)
    if (!truth (a[i]))
      {
        *out = val_ref (a[i]);
        return 0;
      }
  *out = val_ref (a[n - 1]);
  return 0;
}

static int
fn_or (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)x, (void)pos;
  for (int i = 0; i < n - 1; i++)
    if (truth (a[i]))
      {
        *out = val_ref (a[i]);
        return 0;
      }
  *out = val_ref (a[n - 1]);
  return 0;
}

static int
fn_not (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)pos, (void)n;
  return new_bool (x, !truth (a[0]), out);
}

enum numkind
{
  K_NIL,
  K_BOOL,
  K_NUM,
  K_STRING,
  K_OTHER
};

static enum numkind
basic_kind (struct val v)
{
  if (is_null (v))
    return K_NIL;
  switch (json_object_get_type (v.o))
    {
    case json_type_boolean:
      return K_BOOL;
    case json_type_int:
    case json_type_double:
      return K_NUM;
    case json_type_string:
      return K_STRING;
    default:
      return K_OTHER;
    }
}

/* <0, 0, >0 for a compared with b (numbers, strings); 0 also for equal bools
 * and nils. Errors as Go's: incompatible or non-comparable types. */
static int
compare (struct exec *x, int pos, const char *fn, struct val a, struct val b, bool ordered,
         int *res)
{
  enum numkind ka = basic_kind (a), kb = basic_kind (b);
  if (ka == K_OTHER || kb == K_OTHER)
    return X_ERR (x, pos, "error calling %s: non-comparable type %s", fn,
                  type_name (ka == K_OTHER ? a : b));
  if (ordered && (ka == K_NIL || kb == K_NIL || ka == K_BOOL || kb == K_BOOL))
    return X_ERR (x, pos, "error calling %s: invalid type for comparison", fn);
  if (ka != kb)
    {
      if (ka == K_NIL || kb == K_NIL)
        {
          *res = 1; /* nil is only equal to nil */
          return 0;
        }
      return X_ERR (x, pos, "error calling %s: incompatible types for comparison", fn);
    }
  switch (ka)
    {
    case K_NIL:
      *res = 0;
      break;
    case K_BOOL:
      *res = json_object_get_boolean (a.o) != json_object_get_boolean (b.o);
      break;
    case K_NUM:
      if (json_object_get_type (a.o) == json_type_int
          && json_object_get_type (b.o) == json_type_int)
        {
          int64_t ia = json_object_get_int64 (a.o), ib = json_object_get_int64 (b.o);
          *res = ia < ib ? -1 : ia > ib;
        }
      else
        {
          double da = json_object_get_double (a.o), db = json_object_get_double (b.o);
          *res = da < db ? -1 : da > db ? 1 : da == db ? 0 : 2;
        }
      break;
    case K_STRING:
      {
        size_t la = (size_t)json_object_get_string_len (a.o),
               lb = (size_t)json_object_get_string_len (b.o);
        int c = memcmp (json_object_get_string (a.o), json_object_get_string (b.o),
                        la < lb ? la : lb);
        *res = c ? c : la < lb ? -1 : la > lb;
        break;
      }
    default:
      break;
    }
  return 0;
}

static int
fn_eq (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  bool eq = false;
  for (int i = 1; i < n && !eq; i++)
    {
      int c, r = compare (x, pos, "eq", a[0], a[i], false, &c);
      if (r < 0)
        return r;
      eq = c == 0;
    }
  return new_bool (x, eq, out);
}

static int
cmp_fn (struct exec *x, int pos, const char *fn, struct val *a, bool ordered, int want,
        struct val *out)
{
  int c, r = compare (x, pos, fn, a[0], a[1], ordered, &c);
  if (r < 0)
    return r;
  bool res;
  switch (want)
    {
    case 0:
      res = c != 0;
      break; /* ne */
    case 1:
      res = c == -1;
      break; /* lt */
    case 2:
      res = c == -1 || c == 0;
      break; /* le */
    case 3:
      res = c == 1;
      break; /* gt */
    default:
      res = c == 1 || c == 0;
      break; /* ge */
    }
  return new_bool (x, res, out);
}

static int
fn_ne (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  return cmp_fn (x, pos, "ne", a, false, 0, out);
}
static int
fn_lt (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  return cmp_fn (x, pos, "lt", a, true, 1, out);
}
static int
fn_le (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  return cmp_fn (x, pos, "le", a, true, 2, out);
}
static int
fn_gt (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  return cmp_fn (x, pos, "gt", a, true, 3, out);
}
static int
fn_ge (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  return cmp_fn (x, pos, "ge", a, true, 4, out);
}

static int
fn_index (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  struct val cur = val_ref (a[0]);
  for (int i = 1; i < n; i++)
    {
      if (is_null (cur) || cur.empty)
        {
          /* Go: "index of untyped nil"; an absent section reads as empty */
          val_put (&cur);
          return new_empty (x, out);
        }
      json_type t = json_object_get_type (cur.o);
      json_object *next = NULL;
      if (t == json_type_array)
        {
          int64_t k;
          if (is_null (a[i]) || json_object_get_type (a[i].o) != json_type_int)
            {
              val_put (&cur);
              return X_ERR (x, pos, "error calling index: cannot index slice/array with type %s",
                            type_name (a[i]));
            }
          k = json_object_get_int64 (a[i].o);
          if (k < 0 || (uint64_t)k >= json_object_array_length (cur.o))
            {
              val_put (&cur);
              return X_ERR (x, pos, "error calling index: index out of range: %" PRId64, k);
            }
          next = json_object_array_get_idx (cur.o, (size_t)k);
        }
      else if (t == json_type_object)
        {
          if (is_null (a[i]) || json_object_get_type (a[i].o) != json_type_string)
            {
              val_put (&cur);
              return X_ERR (x, pos, "error calling index: value has type %s; should be string",
                            type_name (a[i]));
            }
          if (!json_object_object_get_ex (cur.o, json_object_get_string (a[i].o), &next))
            {
              /* Docker's maps (labels, options) are map[string]string, whose
               * index of an absent key is "" */
              val_put (&cur);
              return new_empty (x, out);
            }
        }
      else
        {
          const char *tn = type_name (cur);
          val_put (&cur);
          return X_ERR (x, pos, "error calling index: can't index item of type %s", tn);
        }
      json_object_get (next);
      val_put (&cur);
      cur = (struct val){ .o = next };
    }
  *out = cur;
  return 0;
}

static int
fn_len (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  int64_t len = 0;
  if (!is_null (a[0]))
    switch (json_object_get_type (a[0].o))
      {
      case json_type_string:
        len = json_object_get_string_len (a[0].o);
        break;
      case json_type_array:
        len = (int64_t)json_object_array_length (a[0].o);
        break;
      case json_type_object:
        len = json_object_object_length (a[0].o);
        break;
      default:
        return X_ERR (x, pos, "error calling len: len of type %s", type_name (a[0]));
      }
  json_object *o = json_object_new_int64 (len);
  if (o == NULL)
    return error_set (x->err, ENOMEM, "template: out of memory");
  *out = (struct val){ .o = o };
  return 0;
}

static int
fn_json (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  /* as Docker's: compact, no HTML or slash escaping */
  struct buf b = { .max = TMPL_MAX_OUTPUT };
  int r = json_val (&b, as_iface (a[0]).o, 0);
  if (r >= 0)
    r = new_str (x, b.p ? b.p : "", b.len, out);
  else
    r = buf_fail (x, pos, r);
  free (b.p);
  return r;
}

static int
fn_join (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  const char *sep;
  size_t seplen;
  int r = str_arg (x, pos, "join", a[1], &sep, &seplen);
  if (r < 0)
    return r;
  if (is_null (a[0]))
    return new_str (x, "", 0, out);
  if (json_object_get_type (a[0].o) != json_type_array)
    return X_ERR (x, pos, "error calling join: wrong type for value; expected []string; got %s",
                  type_name (a[0]));
  struct buf b = { .max = TMPL_MAX_OUTPUT };
  size_t len = json_object_array_length (a[0].o);
  for (size_t i = 0; i < len && r >= 0; i++)
    {
      if (i > 0)
        r = buf_add (&b, sep, seplen);
      if (r >= 0)
        r = print_val (&b, (struct val){ .o = json_object_array_get_idx (a[0].o, i) }, 0);
    }
  if (r >= 0)
    r = new_str (x, b.p ? b.p : "", b.len, out);
  else
    r = buf_fail (x, pos, r);
  free (b.p);
  return r;
}

static int
fn_split (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  const char *s, *sep;
  size_t sn, sepn;
  int r;
  if ((r = str_arg (x, pos, "split", a[0], &s, &sn)) < 0
      || (r = str_arg (x, pos, "split", a[1], &sep, &sepn)) < 0)
    return r;
  json_object *arr = json_object_new_array ();
  if (arr == NULL)
    return error_set (x->err, ENOMEM, "template: out of memory");
  const char *end = s + sn, *p = s;
  for (;;)
    {
      const char *hit = NULL;
      size_t adv = 0;
      if (sepn == 0)
        {
          /* Go splits after each UTF-8 sequence */
          if (p >= end)
            break;
          adv = 1;
          while (p + adv < end && ((unsigned char)p[adv] & 0xC0) == 0x80)
            adv++;
          hit = p + adv;
        }
      else
        for (const char *q = p; q + sepn <= end; q++)
          if (memcmp (q, sep, sepn) == 0)
            {
              hit = q;
              break;
            }
      const char *stop = hit ? hit : end;
      json_object *e = json_object_new_string_len (p, (int)(stop - p));
      if (e == NULL || json_object_array_add (arr, e) < 0)
        {
          json_object_put (e);
          json_object_put (arr);
          return error_set (x->err, ENOMEM, "template: out of memory");
        }
      if (hit == NULL || (sepn == 0 && hit >= end))
        break;
      p = hit + sepn;
      if ((r = step (x, pos)) < 0)
        {
          json_object_put (arr);
          return r;
        }
    }
  *out = (struct val){ .o = arr };
  return 0;
}

static int
map_str (struct exec *x, int pos, const char *fn, struct val v, int mode, struct val *out)
{
  const char *s;
  size_t n;
  int r = str_arg (x, pos, fn, v, &s, &n);
  if (r < 0)
    return r;
  _cleanup_free_ char *c = malloc (n + 1);
  if (c == NULL)
    return error_set (x->err, ENOMEM, "template: out of memory");
  bool sep = true;
  for (size_t i = 0; i < n; i++)
    {
      unsigned char ch = (unsigned char)s[i];
      if (mode == 0)
        c[i] = (char)(ch < 0x80 ? toupper (ch) : ch);
      else if (mode == 1)
        c[i] = (char)(ch < 0x80 ? tolower (ch) : ch);
      else
        {
          /* strings.Title: a letter after a separator (not a letter, digit
           * or underscore; non-ASCII bytes count as letters) */
          c[i] = (char)(sep && ch < 0x80 ? toupper (ch) : ch);
          sep = ch < 0x80 && !isalnum (ch) && ch != '_';
        }
    }
  return new_str (x, c, n, out);
}

static int
fn_upper (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  return map_str (x, pos, "upper", a[0], 0, out);
}
static int
fn_lower (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  return map_str (x, pos, "lower", a[0], 1, out);
}
static int
fn_title (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  return map_str (x, pos, "title", a[0], 2, out);
}

static bool
is_string (struct val v)
{
  return !is_null (v) && json_object_get_type (v.o) == json_type_string;
}

/* fmt.Sprint (spaces between operands when neither is a string) and
 * fmt.Sprintln (always spaces, then a newline). */
static int
sprint (struct exec *x, int pos, struct val *a, int n, bool ln, struct val *out)
{
  struct buf b = { .max = TMPL_MAX_OUTPUT };
  int r = 0;
  for (int i = 0; i < n && r >= 0; i++)
    {
      if (i > 0 && (ln || (!is_string (a[i - 1]) && !is_string (a[i]))))
        r = buf_str (&b, " ");
      if (r >= 0)
        r = print_val (&b, as_iface (a[i]), 0);
    }
  if (r >= 0 && ln)
    r = buf_str (&b, "\n");
  if (r >= 0)
    r = new_str (x, b.p ? b.p : "", b.len, out);
  else
    r = buf_fail (x, pos, r);
  free (b.p);
  return r;
}

static int
fn_print (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  return sprint (x, pos, a, n, false, out);
}
static int
fn_println (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  return sprint (x, pos, a, n, true, out);
}

/* strconv.Quote, for %q: printable ASCII and UTF-8 kept, the rest escaped */
static int
quote (struct buf *b, const char *s, size_t n)
{
  int r = buf_str (b, "\"");
  for (size_t i = 0; i < n && r >= 0; i++)
    {
      unsigned char c = (unsigned char)s[i];
      switch (c)
        {
        case '"':
          r = buf_str (b, "\\\"");
          break;
        case '\\':
          r = buf_str (b, "\\\\");
          break;
        case '\a':
          r = buf_str (b, "\\a");
          break;
        case '\b':
          r = buf_str (b, "\\b");
          break;
        case '\f':
          r = buf_str (b, "\\f");
          break;
        case '\n':
          r = buf_str (b, "\\n");
          break;
        case '\r':
          r = buf_str (b, "\\r");
          break;
        case '\t':
          r = buf_str (b, "\\t");
          break;
        case '\v':
          r = buf_str (b, "\\v");
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            r = buf_printf (b, "\\x%02x", c);
          else
            r = buf_add (b, s + i, 1);
        }
    }
  return r < 0 ? r : buf_str (b, "\"");
}

/* Go's "%!v(type=value)" for a verb that does not fit its operand. */
static int
bad_verb (struct buf *b, char verb, struct val v)
{
  int r = buf_printf (b, "%%!%c(", verb);
  if (r >= 0 && is_null (v))
    return buf_str (b, "<nil>)");
  if (r >= 0)
    r = buf_printf (b, "%s=", type_name (v));
  if (r >= 0)
    r = print_val (b, v, 0);
  return r < 0 ? r : buf_str (b, ")");
}

static int
pad_to (struct buf *b, size_t start, int width, bool left)
{
  size_t len = b->len - start;
  if (width <= 0 || (size_t)width <= len)
    return 0;
  size_t padn = (size_t)width - len;
  int r = 0;
  for (size_t i = 0; i < padn && r >= 0; i++)
    r = buf_str (b, " ");
  if (r < 0 || left)
    return r;
  /* right-align: rotate the padding in front of the operand */
  memmove (b->p + start + padn, b->p + start, len);
  memset (b->p + start, ' ', padn);
  return 0;
}

/* printf with the verbs %s %d %v %q %%, flag '-' and a width; the rest of
 * fmt's verbs print as Go prints an unknown verb. */
static int
fn_printf (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  const char *f;
  size_t fn;
  int r = str_arg (x, pos, "printf", a[0], &f, &fn);
  if (r < 0)
    return r;
  struct buf b = { .max = TMPL_MAX_OUTPUT };
  int argi = 1;
  for (size_t i = 0; i < fn && r >= 0; i++)
    {
      if (f[i] != '%')
        {
          r = buf_add (&b, f + i, 1);
          continue;
        }
      bool left = false;
      int width = 0;
      i++;
      while (i < fn && (f[i] == '-' || f[i] == '+' || f[i] == ' ' || f[i] == '#' || f[i] == '0'))
        left |= f[i++] == '-';
      while (i < fn && isdigit ((unsigned char)f[i]) && width < 10000)
        width = width * 10 + (f[i++] - '0');
      if (i >= fn)
        {
          r = buf_str (&b, "%!(NOVERB)");
          break;
        }
      char verb = f[i];
      if (verb == '%')
        {
          r = buf_str (&b, "%");
          continue;
        }
      if (argi >= n)
        {
          r = buf_printf (&b, "%%!%c(MISSING)", verb);
          continue;
        }
      struct val v = as_iface (a[argi++]);
      size_t start = b.len;
      enum numkind k = basic_kind (v);
      switch (verb)
        {
        case 'v':
          r = print_val (&b, v, 0);
          break;
        case 's':
          r = k == K_STRING || k == K_OTHER ? print_val (&b, v, 0) : bad_verb (&b, verb, v);
          break;
        case 'd':
          if (k == K_NUM && json_object_get_type (v.o) == json_type_int)
            r = buf_printf (&b, "%" PRId64, json_object_get_int64 (v.o));
          else
            r = bad_verb (&b, verb, v);
          break;
        case 'q':
          if (k == K_STRING)
            r = quote (&b, json_object_get_string (v.o), (size_t)json_object_get_string_len (v.o));
          else
            r = bad_verb (&b, verb, v);
          break;
        default:
          r = bad_verb (&b, verb, v);
          break;
        }
      if (r >= 0)
        r = pad_to (&b, start, width, left);
    }
  for (int i = argi; i < n && r >= 0; i++)
    {
      struct val v = as_iface (a[i]);
      r = buf_str (&b, i == argi ? "%!(EXTRA " : ", ");
      if (r >= 0)
        r = buf_printf (&b, "%s=", type_name (v));
      if (r >= 0)
        r = print_val (&b, v, 0);
      if (r >= 0 && i == n - 1)
        r = buf_str (&b, ")");
    }
  if (r >= 0)
    r = new_str (x, b.p ? b.p : "", b.len, out);
  else
    r = buf_fail (x, pos, r);
  free (b.p);
  return r;
}

/* Docker's truncate: at most n characters (UTF-8 sequences). */
static int
fn_truncate (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  const char *s;
  size_t sn;
  int64_t max;
  int r;
  if ((r = str_arg (x, pos, "truncate", a[0], &s, &sn)) < 0
      || (r = int_arg (x, pos, "truncate", a[1], &max)) < 0)
    return r;
  size_t i = 0;
  for (int64_t c = 0; i < sn && c < max; c++)
    {
      i++;
      while (i < sn && ((unsigned char)s[i] & 0xC0) == 0x80)
        i++;
    }
  return new_str (x, s, i, out);
}

/* Docker's pad: s with l spaces before and r after. */
static int
fn_pad (struct exec *x, int pos, struct val *a, int n, struct val *out)
{
  (void)n;
  const char *s;
  size_t sn;
  int64_t l, rt;
  int r;
  if ((r = str_arg (x, pos, "pad", a[0], &s, &sn)) < 0
      || (r = int_arg (x, pos, "pad", a[1], &l)) < 0
      || (r = int_arg (x, pos, "pad", a[2], &rt)) < 0)
    return r;
  if (l < 0 || rt < 0 || l > 4096 || rt > 4096)
    return X_ERR (x, pos, "error calling pad: padding out of range");
  _cleanup_free_ char *p = malloc (sn + (size_t)l + (size_t)rt + 1);
  if (p == NULL)
    return error_set (x->err, ENOMEM, "template: out of memory");
  memset (p, ' ', (size_t)l);
  memcpy (p + l, s, sn);
  memset (p + l + sn, ' ', (size_t)rt);
  return new_str (x, p, sn + (size_t)l + (size_t)rt, out);
}
