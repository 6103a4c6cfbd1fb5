#include "hullrt.h"

int
verb_delete (struct globals *g, int argc, char **argv)
{
  bool force = false;
  const struct cli_option opts[] = {
    { "force", 'f', CLI_FLAG, &force, "kill the container if it is running" },
    { 0 },
  };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 1, "delete [--force] ID");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  struct error *err = NULL;
  if (runtime_delete (&g->ctx, argv[pos], force, &err) < 0)
    return fail (err);
  return 0;
}
