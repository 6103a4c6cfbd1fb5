/* Until lib/registry's client is built: pull and push say so. */
#include "hull.h"

#include "base/error.h"

#include <errno.h>
#include <stddef.h>

int
cmd_pull (struct hull_ctx *ctx, int argc, char **argv)
{
  struct error *err = NULL;
  error_set (&err, ENOSYS, "pull: this hull was built without the registry client");
  return hull_report (&err);
}

int
cmd_push (struct hull_ctx *ctx, int argc, char **argv)
{
  struct error *err = NULL;
  error_set (&err, ENOSYS, "push: this hull was built without the registry client");
  return hull_report (&err);
}
