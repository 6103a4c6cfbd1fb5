#include "hullrt.h"

int
verb_pause (struct globals *g, int argc, char **argv)
{
  const struct cli_option opts[] = { { 0 } };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 1, "pause ID");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  struct error *err = NULL;
  if (runtime_pause (&g->ctx, argv[pos], &err) < 0)
    return fail (err);
  return 0;
}

int
verb_resume (struct globals *g, int argc, char **argv)
{
  const struct cli_option opts[] = { { 0 } };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 1, "resume ID");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  struct error *err = NULL;
  if (runtime_resume (&g->ctx, argv[pos], &err) < 0)
    return fail (err);
  return 0;
}
