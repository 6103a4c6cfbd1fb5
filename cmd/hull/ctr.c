/* ctr.c - what the container verbs share: the engine opener (the attach client is in lib/monitor).
 * Docker's documents and their formatting are format.c's. */
#include "ctr.h"
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "monitor/monitor.h"
#include "engine/spec.h"
#ifdef HULL_HAVE_NET
#include "net/engine-ext.h"
#endif
#ifdef HULL_HAVE_VOLUME
#include "volume/engine-ext.h"
#endif
#include "registry/reference.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int
hull_open_engine (struct hull_ctx *ctx, struct engine **out, struct error **err)
{
  struct engine_paths p = { .root = ctx->root, .runroot = ctx->runroot };
#ifdef HULL_HAVE_NET
  net_engine_register ();
#endif
#ifdef HULL_HAVE_VOLUME
  volume_engine_register ();
#endif
  return engine_open (&p, out, err);
}

void
hull_pull_notice (const char *ref, void *data)
{
  fprintf (stderr, "Unable to find image `%s` locally\n", ref);
}
