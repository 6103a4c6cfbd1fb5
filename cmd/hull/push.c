#include "hull.h"

#include "base/error.h"

#include <errno.h>
#include <stddef.h>

int
cmd_push (struct hull_ctx *ctx, int argc, char **argv)
{
  struct error *err = NULL;
  error_set (&err, ENOSYS, "push: not implemented yet");
  return hull_report (&err);
}
