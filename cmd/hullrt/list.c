#include "hullrt.h"

#include "base/json.h"
#include "base/log.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>

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
  struct error *err = NULL;
  json_object *arr = NULL;
  if (runtime_list (&g->ctx, &arr, &err) < 0)
    return fail (err);
  size_t n = json_object_array_length (arr);
  if (strcmp (format, "json") == 0)
    printf ("%s\n", n ? jsonx_compact (arr) : "null");
  else if (strcmp (format, "table") == 0)
    {
      if (!quiet)
        printf ("%-20s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
                "OWNER");
      for (size_t i = 0; i < n; i++)
        {
          json_object *o = json_object_array_get_idx (arr, i), *v;
          const char *get[5];
          const char *keys[5] = { "id", "pid", "status", "bundle", "created" };
          for (int k = 0; k < 5; k++)
            get[k] = json_object_object_get_ex (o, keys[k], &v) ? json_object_get_string (v) : "";
          if (quiet)
            printf ("%s\n", get[0]);
          else
            printf ("%-20s %-8s %-10s %-40s %-30s %s\n", get[0], get[1], get[2], get[3], get[4],
                    "root");
        }
    }
  else
    {
      json_object_put (arr);
      log_error ("invalid format `%s`: want table or json", format);
      return 1;
    }
  json_object_put (arr);
  return 0;
}
