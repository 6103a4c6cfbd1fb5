#include "hullrt.h"

#include "base/json.h"
#include "base/log.h"
#include "base/strv.h"

#include <stdio.h>
#include <string.h>

/* "5s", "500ms", "1m", "2" (seconds) -> milliseconds */
static int
parse_duration_ms (const char *s, int *out)
{
  char *end;
  double v = strtod (s, &end);
  if (end == s || v < 0)
    return -1;
  double mul = 1000;
  if (strcmp (end, "ms") == 0)
    mul = 1;
  else if (strcmp (end, "s") == 0 || *end == '\0')
    mul = 1000;
  else if (strcmp (end, "m") == 0)
    mul = 60000;
  else
    return -1;
  *out = (int) (v * mul);
  return *out > 0 ? 0 : -1;
}

int
verb_events (struct globals *g, int argc, char **argv)
{
  bool stats = false;
  const char *interval = "5s";
  const struct cli_option opts[] = {
    { "stats", 0, CLI_FLAG, &stats, "print the stats once and exit" },
    { "interval", 0, CLI_STRING, &interval, "stats interval (default 5s)", "DURATION" },
    { 0 },
  };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 1, "events [--stats] [--interval D] ID");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  struct error *err = NULL;
  if (stats)
    {
      json_object *o = NULL;
      if (runtime_stats (&g->ctx, argv[pos], &o, &err) < 0)
        return fail (err);
      printf ("%s\n", jsonx_compact (o));
      json_object_put (o);
      return 0;
    }
  int ms;
  if (parse_duration_ms (interval, &ms) < 0)
    {
      log_error ("invalid --interval `%s`", interval);
      return 1;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  if (runtime_events (&g->ctx, argv[pos], ms, 1, &err) < 0)
    return fail (err);
  return 0;
}
