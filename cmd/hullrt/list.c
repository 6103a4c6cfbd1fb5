#include "hullrt.h"

#include "base/json.h"
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum
{
  NCOL = 6
};

static const char *
field (json_object *o, const char *key)
{
  json_object *v;
  return json_object_object_get_ex (o, key, &v) ? json_object_get_string (v) : "";
}

static int
by_id (const void *a, const void *b)
{
  json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
  return strcmp (field (x, "id"), field (y, "id"));
}

int
verb_list (struct globals *g, int argc, char **argv)
{
  const char *format = "table";
  bool quiet = false;
  const struct cli_option opts[] = {
    { "format", 'f', CLI_STRING, &format, "table or json", "FORMAT" },
    { "quiet", 'q', CLI_FLAG, &quiet, "print only the ids" },
    { 0 },
  };
  int pos, r = parse_verb (opts, argc, argv, &pos, 0, 0, "list [--format table|json] [--quiet]");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  if (strcmp (format, "json") != 0 && strcmp (format, "table") != 0)
    {
      log_error ("invalid format `%s`: want table or json", format);
      return 1;
    }
  struct error *err = NULL;
  json_object *arr = NULL;
  if (runtime_list (&g->ctx, &arr, &err) < 0)
    return fail (err);
  json_object_array_sort (arr, by_id);
  size_t n = json_object_array_length (arr);
  if (strcmp (format, "json") == 0)
    printf ("%s\n", n ? jsonx_compact (arr) : "null");
  else if (quiet)
    for (size_t i = 0; i < n; i++)
      printf ("%s\n", field (json_object_array_get_idx (arr, i), "id"));
  else
    {
      /* runc's table: Go's tabwriter with a minimum cell width of 12 and a
       * padding of 3, so that scripts that split runc's columns work */
      static const char *const head[NCOL] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
      static const char *const keys[NCOL] = { "id", "pid", "status", "bundle", "created", "owner" };
      size_t width[NCOL];
      for (int k = 0; k < NCOL; k++)
        width[k] = strlen (head[k]);
      for (size_t i = 0; i < n; i++)
        for (int k = 0; k < NCOL; k++)
          {
            size_t l = strlen (field (json_object_array_get_idx (arr, i), keys[k]));
            if (l > width[k])
              width[k] = l;
          }
      for (int k = 0; k < NCOL; k++)
        width[k] = width[k] + 3 < 12 ? 12 : width[k] + 3;
      for (size_t i = 0; i <= n; i++)
        {
          json_object *o = i ? json_object_array_get_idx (arr, i - 1) : NULL;
          for (int k = 0; k < NCOL; k++)
            {
              const char *v = o ? field (o, keys[k]) : head[k];
              if (k < NCOL - 1)
                printf ("%-*s", (int)width[k], v);
              else
                printf ("%s\n", v);
            }
        }
    }
  json_object_put (arr);
  return 0;
}
