/* hull-cleanup - the exit command: what a container's monitor becomes
 * (exec) after the container's final exit, when the container has
 * something to finish at once (--rm, extensions' resources) and no
 * foreground run is there to do it.
 *
 * The monitor links no SQLite; this program is the engine library with the
 * store open, and nothing else: it reads FINISH (lib/monitor's wire
 * format) on fd 3, holds the monitor's lock on fd 4 (so no other hull
 * command repairs the container meanwhile) and calls
 * engine_cleanup_locked, the one mechanism that finishes a container
 * (docs/design/engine.md).  It takes no arguments: it is not a command
 * line, and no front end's verbs are involved. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/log.h"
#include "engine/engine.h"
#include "monitor/monitor.h"
#ifdef HULL_HAVE_NET
#include "net/engine-ext.h"
#endif
#ifdef HULL_HAVE_VOLUME
#include "volume/engine-ext.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  (void)argv;
  if (argc != 1)
    {
      fprintf (stderr,
               "hull-cleanup is run by a container's monitor; it takes no arguments "
               "(its request comes on fd %d)\n",
               MONITOR_FD_CTL);
      return 2;
    }
  fcntl (MONITOR_FD_CTL, F_SETFD, FD_CLOEXEC);
  fcntl (MONITOR_FD_LOCK, F_SETFD, FD_CLOEXEC);
  struct monitor_msg req;
  _cleanup_error_ struct error *err = NULL;
  if (monitor_msg_read (MONITOR_FD_CTL, 64 * 1024, &req, &err) < 0)
    {
      fprintf (stderr, "hull-cleanup: %s\n", err->msg);
      return 1;
    }
  close (MONITOR_FD_CTL);
  if (req.type != MONITOR_MSG_FINISH)
    {
      fprintf (stderr, "hull-cleanup: expected `finish`, got `%s`\n",
               monitor_msg_type_name (req.type));
      monitor_msg_clear (&req);
      return 1;
    }
#ifdef HULL_HAVE_NET
  net_engine_register ();
#endif
#ifdef HULL_HAVE_VOLUME
  volume_engine_register ();
#endif
  struct engine_paths p = { .root = req.u.finish.root, .runroot = req.u.finish.runroot };
  _cleanup_engine_ struct engine *e = NULL;
  int r = engine_open (&p, &e, &err);
  if (r == 0)
    r = engine_cleanup_locked (e, req.u.finish.id, req.u.finish.lock_fd, &err);
  if (r < 0)
    fprintf (stderr, "hull-cleanup: `%.12s`: %s\n", req.u.finish.id, err->msg);
  monitor_msg_clear (&req);
  return r < 0 ? 1 : 0;
}
