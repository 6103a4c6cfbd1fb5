/* hull unpause CONTAINER...: thaw paused containers (pause.c does both). */
#include "hull.h"

int
cmd_unpause (struct hull_ctx *ctx, int argc, char **argv)
{
  return cmd_pause (ctx, argc, argv);
}
