/* WWW-Authenticate parsing.  The header is untrusted input: every index is
 * checked against len (the value need not be NUL-terminated), sizes and
 * counts are bounded, and an error leaves the caller's list untouched. */
#include "challenge.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool
is_tchar (char c)
{
  return isalnum ((unsigned char)c) || (c && strchr ("!#$%&'*+-.^_`|~", c));
}

static bool
is_token68_char (char c)
{
  return isalnum ((unsigned char)c) || (c && strchr ("-._~+/", c));
}

static bool
is_ows (char c)
{
  return c == ' ' || c == '\t';
}

struct parser
{
  const char *s;
  size_t len, i;
};

static char
peek (const struct parser *p, size_t off)
{
  return p->i + off < p->len ? p->s[p->i + off] : '\0';
}

static void
skip_ows (struct parser *p)
{
  while (p->i < p->len && is_ows (p->s[p->i]))
    p->i++;
}

/* A token at the current position; returns its length (0: none). */
static size_t
token_len (const struct parser *p, size_t from)
{
  size_t n = 0;
  while (from + n < p->len && is_tchar (p->s[from + n]))
    n++;
  return n;
}

static char *
lower_dup (const char *s, size_t n)
{
  char *d = strndup (s, n);
  if (d)
    for (char *c = d; *c; c++)
      *c = (char)tolower ((unsigned char)*c);
  return d;
}

/* Is a token68 at p->i: token68 chars, '='s, then OWS, then ',' or the end? */
static size_t
token68_len (const struct parser *p)
{
  size_t j = p->i;
  while (j < p->len && is_token68_char (p->s[j]))
    j++;
  if (j == p->i)
    return 0;
  while (j < p->len && p->s[j] == '=')
    j++;
  size_t end = j;
  while (j < p->len && is_ows (p->s[j]))
    j++;
  if (j < p->len && p->s[j] != ',')
    return 0;
  return end - p->i;
}

/* Does an auth-param ("token BWS =") start at from? */
static bool
param_starts (const struct parser *p, size_t from)
{
  size_t n = token_len (p, from);
  if (n == 0)
    return false;
  size_t j = from + n;
  while (j < p->len && is_ows (p->s[j]))
    j++;
  return j < p->len && p->s[j] == '=';
}

static int
parse_value (struct parser *p, char **out, struct error **err)
{
  if (peek (p, 0) == '"')
    {
      p->i++;
      char *v = malloc (p->len - p->i + 1);
      if (v == NULL)
        return error_set (err, ENOMEM, "out of memory");
      size_t n = 0;
      for (;;)
        {
          if (p->i >= p->len)
            {
              free (v);
              return error_set (err, EINVAL, "unterminated quoted string");
            }
          char c = p->s[p->i++];
          if (c == '"')
            break;
          if (c == '\\')
            {
              if (p->i >= p->len)
                {
                  free (v);
                  return error_set (err, EINVAL, "unterminated quoted string");
                }
              c = p->s[p->i++];
            }
          if ((unsigned char)c < 0x20 && c != '\t')
            {
              free (v);
              return error_set (err, EINVAL, "control character in quoted string");
            }
          v[n++] = c;
        }
      v[n] = '\0';
      *out = v;
      return 0;
    }
  /* RFC 7235 wants a token here; registries send unquoted URLs (with ':' and
   * '/'), so anything up to ',' or whitespace is accepted, minus quotes and
   * control characters. */
  size_t start = p->i;
  while (p->i < p->len && p->s[p->i] != ',' && !is_ows (p->s[p->i]))
    {
      unsigned char c = (unsigned char)p->s[p->i];
      if (c < 0x20 || c == 0x7f || c == '"')
        return error_set (err, EINVAL, "invalid character in parameter value");
      p->i++;
    }
  if ((*out = strndup (p->s + start, p->i - start)) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  return 0;
}

static void
challenge_clear (struct auth_challenge *c)
{
  free (c->scheme);
  free (c->token68);
  for (size_t i = 0; i < c->n_params; i++)
    {
      free (c->params[i].name);
      free (c->params[i].value);
    }
  free (c->params);
  memset (c, 0, sizeof *c);
}

void
auth_challenges_free (struct auth_challenge *list, size_t n)
{
  if (list == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    challenge_clear (&list[i]);
  free (list);
}

const char *
auth_challenge_param (const struct auth_challenge *c, const char *name)
{
  for (size_t i = 0; i < c->n_params; i++)
    if (strcasecmp (c->params[i].name, name) == 0)
      return c->params[i].value;
  return NULL;
}

static int
parse_params (struct parser *p, struct auth_challenge *c, struct error **err)
{
  for (;;)
    {
      size_t n = token_len (p, p->i);
      if (n == 0)
        return error_set (err, EINVAL, "expected a parameter name at byte %zu", p->i);
      if (c->n_params >= CHALLENGE_PARAMS_MAX)
        return error_set (err, E2BIG, "more than %d parameters", CHALLENGE_PARAMS_MAX);
      _cleanup_free_ char *name = lower_dup (p->s + p->i, n);
      if (name == NULL)
        return error_set (err, ENOMEM, "out of memory");
      p->i += n;
      skip_ows (p);
      if (peek (p, 0) != '=')
        return error_set (err, EINVAL, "expected `=` after `%s`", name);
      p->i++;
      skip_ows (p);
      if (auth_challenge_param (c, name))
        return error_set (err, EINVAL, "duplicate parameter `%s`", name);
      char *value = NULL;
      int ret = parse_value (p, &value, err);
      if (ret < 0)
        return error_prefix (err, "parameter `%s`", name);
      struct auth_param *np = realloc (c->params, (c->n_params + 1) * sizeof *np);
      if (np == NULL)
        {
          free (value);
          return error_set (err, ENOMEM, "out of memory");
        }
      c->params = np;
      c->params[c->n_params].name = TAKE_PTR (name);
      c->params[c->n_params].value = value;
      c->n_params++;

      skip_ows (p);
      if (p->i >= p->len)
        return 0;
      if (peek (p, 0) != ',')
        return error_set (err, EINVAL, "expected `,` at byte %zu", p->i);
      /* a comma separates parameters and challenges alike: it is another
       * parameter of this challenge when "token =" follows */
      size_t save = p->i;
      while (p->i < p->len && (p->s[p->i] == ',' || is_ows (p->s[p->i])))
        p->i++;
      if (p->i >= p->len)
        return 0;
      if (!param_starts (p, p->i))
        {
          p->i = save;
          return 0;
        }
    }
}

int
auth_challenges_parse (const char *header, size_t len, struct auth_challenge **list, size_t *n,
                       struct error **err)
{
  if (len > CHALLENGE_HEADER_MAX)
    return error_set (err, EFBIG, "WWW-Authenticate header longer than %d bytes",
                      CHALLENGE_HEADER_MAX);
  struct parser p = { header, len, 0 };
  struct auth_challenge *out = NULL;
  size_t count = 0;
  int ret = 0;

  for (;;)
    {
      while (p.i < p.len && (p.s[p.i] == ',' || is_ows (p.s[p.i])))
        p.i++;
      if (p.i >= p.len)
        break;
      size_t sl = token_len (&p, p.i);
      if (sl == 0)
        {
          ret = error_set (err, EINVAL,
                           "invalid WWW-Authenticate header: expected an "
                           "authentication scheme at byte %zu",
                           p.i);
          goto fail;
        }
      if (*n + count >= CHALLENGE_MAX)
        {
          ret = error_set (err, E2BIG, "invalid WWW-Authenticate header: more than %d challenges",
                           CHALLENGE_MAX);
          goto fail;
        }
      struct auth_challenge *nl = realloc (out, (count + 1) * sizeof *nl);
      if (nl == NULL)
        {
          ret = error_set (err, ENOMEM, "out of memory");
          goto fail;
        }
      out = nl;
      struct auth_challenge *c = &out[count++];
      memset (c, 0, sizeof *c);
      if ((c->scheme = lower_dup (p.s + p.i, sl)) == NULL)
        {
          ret = error_set (err, ENOMEM, "out of memory");
          goto fail;
        }
      p.i += sl;
      if (p.i < p.len && !is_ows (p.s[p.i]) && p.s[p.i] != ',')
        {
          ret = error_set (err, EINVAL,
                           "invalid WWW-Authenticate header: invalid character "
                           "after scheme `%s`",
                           c->scheme);
          goto fail;
        }
      skip_ows (&p);
      if (p.i >= p.len || peek (&p, 0) == ',')
        continue;
      size_t t68 = token68_len (&p);
      if (t68)
        {
          if ((c->token68 = strndup (p.s + p.i, t68)) == NULL)
            {
              ret = error_set (err, ENOMEM, "out of memory");
              goto fail;
            }
          p.i += t68;
          continue;
        }
      if ((ret = parse_params (&p, c, err)) < 0)
        {
          error_prefix (err, "invalid WWW-Authenticate header: `%s` challenge", c->scheme);
          goto fail;
        }
    }

  if (count)
    {
      struct auth_challenge *nl = realloc (*list, (*n + count) * sizeof *nl);
      if (nl == NULL)
        {
          ret = error_set (err, ENOMEM, "out of memory");
          goto fail;
        }
      memcpy (nl + *n, out, count * sizeof *out);
      free (out);
      *list = nl;
      *n += count;
    }
  return 0;

fail:
  auth_challenges_free (out, count);
  return ret;
}
