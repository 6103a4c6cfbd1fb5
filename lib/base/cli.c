#include "cli.h"

#include "error.h"
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_option *
find_long (const struct cli_option *o, const char *name, size_t len)
{
  for (; o->name || o->short_name; o++)
    if (o->name && strlen (o->name) == len && strncmp (o->name, name, len) == 0)
      return o;
  return NULL;
}

static const struct cli_option *
find_short (const struct cli_option *o, char c)
{
  for (; o->name || o->short_name; o++)
    if (o->short_name == c)
      return o;
  return NULL;
}

static int
set_value (const struct cli_option *o, const char *shown, const char *val, struct error **err)
{
  switch (o->kind)
    {
    case CLI_FLAG:
      if (val == NULL || strcmp (val, "true") == 0 || strcmp (val, "1") == 0)
        *(bool *) o->target = true;
      else if (strcmp (val, "false") == 0 || strcmp (val, "0") == 0)
        *(bool *) o->target = false;
      else
        return error_set (err, EINVAL, "option `%s`: invalid boolean `%s`", shown, val);
      return 0;
    case CLI_STRING:
      *(const char **) o->target = val;
      return 0;
    case CLI_INT:
      if (parse_int (val, (int *) o->target) < 0)
        return error_set (err, EINVAL, "option `%s`: invalid number `%s`", shown, val);
      return 0;
    case CLI_STRV:
      if (strv_push ((char ***) o->target, val) < 0)
        return error_set (err, ENOMEM, "out of memory");
      return 0;
    }
  return -EINVAL;
}

int
cli_parse (const struct cli_option *opts, int argc, char **argv, int *pos, struct error **err)
{
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
      size_t nlen = eq ? (size_t) (eq - name) : strlen (name);
      const struct cli_option *o = find_long (opts, name, nlen);
      if (o == NULL && a[1] != '-' && nlen == 1)
        o = find_short (opts, name[0]);
      if (o)
        {
          const char *val = eq ? eq + 1 : NULL;
          if (o->kind != CLI_FLAG && val == NULL)
            {
              if (*pos >= argc)
                return error_set (err, EINVAL, "option `%.*s` needs a value", (int) (nlen + 1 + (a[1] == '-')), a);
              val = argv[(*pos)++];
            }
          if (set_value (o, a, val, err) < 0)
            return -EINVAL;
          continue;
        }
      if (a[1] == '-')
        return error_set (err, EINVAL, "unknown option `%.*s`", (int) (nlen + 2), a);
      /* grouped short options: -it, -p8080 */
      for (const char *c = a + 1; *c; c++)
        {
          const struct cli_option *so = find_short (opts, *c);
          if (so == NULL)
            return error_set (err, EINVAL, "unknown option `-%c` in `%s`", *c, a);
          if (so->kind == CLI_FLAG)
            {
              set_value (so, a, NULL, err);
              continue;
            }
          const char *val = c[1] ? c + 1 : NULL;
          if (val == NULL)
            {
              if (*pos >= argc)
                return error_set (err, EINVAL, "option `-%c` needs a value", *c);
              val = argv[(*pos)++];
            }
          if (set_value (so, a, val, err) < 0)
            return -EINVAL;
          break;
        }
    }
  return 0;
}

void
cli_print_options (const struct cli_option *opts, int fd)
{
  for (const struct cli_option *o = opts; o->name || o->short_name; o++)
    {
      if (o->help == NULL)
        continue;
      char left[64];
      const char *mv = o->kind == CLI_FLAG ? "" : o->metavar ? o->metavar : "VALUE";
      if (o->short_name && o->name)
        snprintf (left, sizeof left, "-%c, --%s %s", o->short_name, o->name, mv);
      else if (o->name)
        snprintf (left, sizeof left, "    --%s %s", o->name, mv);
      else
        snprintf (left, sizeof left, "-%c %s", o->short_name, mv);
      dprintf (fd, "  %-30s %s\n", left, o->help);
    }
}
