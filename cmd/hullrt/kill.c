#include "hullrt.h"

#include "base/log.h"
#include "oci/config.h"

#include <signal.h>

int
verb_kill (struct globals *g, int argc, char **argv)
{
  bool all = false;
  const struct cli_option opts[] = {
    { "all", 'a', CLI_FLAG, &all, "signal every process in the container" },
    { 0 },
  };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 2, "kill [--all] ID [SIGNAL]");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  int sig = SIGTERM;
  if (pos + 1 < argc)
    {
      sig = oci_signal_from_name (argv[pos + 1]);
      if (sig <= 0)
        {
          log_error ("invalid signal `%s`", argv[pos + 1]);
          return 1;
        }
    }
  struct error *err = NULL;
  if (runtime_kill (&g->ctx, argv[pos], sig, all, &err) < 0)
    return fail (err);
  return 0;
}
