/* hull port CONTAINER: its published ports (the networking module's; none
 * without it). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

int
cmd_port (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: hull port CONTAINER [PRIVATE_PORT[/PROTO]]\n");
      return 0;
    }
  if (argc < 2 || argc > 3)
    return hull_usage_error ("port", "requires 1 or 2 arguments");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  _cleanup_strv_ char **lines = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_lookup (e, argv[1], &r, &err) < 0
      || engine_ports (e, r, &lines, &err) < 0)
    return hull_report (&err);
  for (size_t i = 0; lines && lines[i]; i++)
    {
      if (argc == 3)
        {
          /* "80/tcp -> 0.0.0.0:8080": only that port, only the host side */
          size_t n = strlen (argv[2]);
          if (strncmp (lines[i], argv[2], n) != 0
              || (lines[i][n] != ' ' && !(lines[i][n] == '/' && strchr (argv[2], '/') == NULL)))
            continue;
          const char *arrow = strstr (lines[i], "-> ");
          printf ("%s\n", arrow ? arrow + 3 : lines[i]);
        }
      else
        printf ("%s\n", lines[i]);
    }
  return 0;
}
