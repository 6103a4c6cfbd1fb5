#include "hullrt.h"

#include "base/json.h"

#include <stdio.h>

int
verb_state (struct globals *g, int argc, char **argv)
{
  const struct cli_option opts[] = { { 0 } };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 1, "state ID");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  struct error *err = NULL;
  json_object *o = NULL;
  if (runtime_state (&g->ctx, argv[pos], &o, &err) < 0)
    return fail (err);
  printf ("%s\n", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
  return 0;
}
