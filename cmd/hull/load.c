#include "hull.h"

#include "base/error.h"

#include <errno.h>
#include <stddef.h>

int
cmd_load (struct hull_ctx *ctx, int argc, char **argv)
{
  struct error *err = NULL;
  error_set (&err, ENOSYS, "load: not implemented yet");
  return hull_report (&err);
}
