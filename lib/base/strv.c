#include "strv.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

void
strv_free (char **v)
{
  if (v == NULL)
    return;
  for (char **p = v; *p; p++)
    free (*p);
  free (v);
}

size_t
strv_len (char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

int
strv_consume (char ***v, char *s)
{
  if (s == NULL)
    return -ENOMEM;
  size_t n = strv_len (*v);
  char **nv = realloc (*v, (n + 2) * sizeof *nv);
  if (nv == NULL)
    {
      free (s);
      return -ENOMEM;
    }
  nv[n] = s;
  nv[n + 1] = NULL;
  *v = nv;
  return 0;
}

int
strv_push (char ***v, const char *s)
{
  return strv_consume (v, strdup (s));
}

char **
strv_dup (char *const *v)
{
  size_t n = strv_len (v);
  char **r = calloc (n + 1, sizeof *r);
  if (r == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if ((r[i] = strdup (v[i])) == NULL)
      {
        strv_free (r);
        return NULL;
      }
  return r;
}

bool
strv_contains (char *const *v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return true;
  return false;
}

bool
str_has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

bool
str_has_suffix (const char *s, const char *suffix)
{
  size_t ls = strlen (s), lx = strlen (suffix);
  return ls >= lx && strcmp (s + ls - lx, suffix) == 0;
}

int
parse_int64 (const char *s, int64_t *out)
{
  if (s == NULL || *s == '\0' || isspace ((unsigned char) *s))
    return -EINVAL;
  char *end;
  errno = 0;
  long long v = strtoll (s, &end, 10);
  if (*end != '\0')
    return -EINVAL;
  if (errno == ERANGE)
    return -ERANGE;
  *out = v;
  return 0;
}

int
parse_uint64 (const char *s, uint64_t *out)
{
  if (s == NULL || !isdigit ((unsigned char) *s))
    return -EINVAL;
  char *end;
  errno = 0;
  unsigned long long v = strtoull (s, &end, 10);
  if (*end != '\0')
    return -EINVAL;
  if (errno == ERANGE)
    return -ERANGE;
  *out = v;
  return 0;
}

int
parse_int (const char *s, int *out)
{
  int64_t v;
  int r = parse_int64 (s, &v);
  if (r < 0)
    return r;
  if (v < INT_MIN || v > INT_MAX)
    return -ERANGE;
  *out = (int) v;
  return 0;
}

int
parse_size (const char *s, int64_t *out)
{
  if (s == NULL || !isdigit ((unsigned char) *s))
    return -EINVAL;
  char *end;
  errno = 0;
  double v = strtod (s, &end);
  if (errno == ERANGE || v < 0)
    return -ERANGE;
  double mul = 1;
  if (*end)
    {
      switch (tolower ((unsigned char) *end))
        {
        case 'b': mul = 1; break;
        case 'k': mul = 1024.0; break;
        case 'm': mul = 1024.0 * 1024; break;
        case 'g': mul = 1024.0 * 1024 * 1024; break;
        case 't': mul = 1024.0 * 1024 * 1024 * 1024; break;
        default: return -EINVAL;
        }
      end++;
      if (*end && tolower ((unsigned char) *end) == 'b' && mul > 1)
        end++;
      if (*end)
        return -EINVAL;
    }
  double r = v * mul;
  if (r > (double) INT64_MAX)
    return -ERANGE;
  *out = (int64_t) r;
  return 0;
}
