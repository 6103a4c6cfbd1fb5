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

static int
port_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  (void)opts;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  _cleanup_strv_ char **lines = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_lookup (e, argv[0], &r, &err) < 0
      || engine_ports (e, r, &lines, &err) < 0)
    return hull_report (&err);
  for (size_t i = 0; lines && lines[i]; i++)
    {
      if (argc == 2)
        {
          /* "80/tcp -> 0.0.0.0:8080": only that port, only the host side */
          size_t n = strlen (argv[1]);
          if (strncmp (lines[i], argv[1], n) != 0
              || (lines[i][n] != ' ' && !(lines[i][n] == '/' && strchr (argv[1], '/') == NULL)))
            continue;
          const char *arrow = strstr (lines[i], "-> ");
          printf ("%s\n", arrow ? arrow + 3 : lines[i]);
        }
      else
        printf ("%s\n", lines[i]);
    }
  return 0;
}

const struct cli_command hull_cmd_port = {
  .name = "port",
  .summary = "Show a container's published ports",
  .args = "CONTAINER [PRIVATE_PORT[/PROTO]]",
  .min_args = 1,
  .max_args = 2,
  .run = port_run,
};
