/* hull diff CONTAINER: A (added), C (changed), D (deleted) against its image. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"

#include <stdio.h>
#include <string.h>

int
cmd_diff (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: hull diff CONTAINER\n\nFiles added (A), changed (C) or deleted (D) in the "
              "container's filesystem.\n");
      return 0;
    }
  if (argc != 2)
    return hull_usage_error ("diff", "requires exactly 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  _cleanup_strv_ char **lines = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_lookup (e, argv[1], &r, &err) < 0
      || engine_diff (e, r, &lines, &err) < 0)
    return hull_report (&err);
  for (size_t i = 0; lines[i]; i++)
    printf ("%s\n", lines[i]);
  return 0;
}
