/* hull run: create and start a container, then attach to it (or print its
 * id with -d).  Exit status as docker's: the container's, 125 when hull
 * itself failed, 126/127 when the command cannot be run. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"
#include "engine/spec.h"
#include "progress.h"
#include "trust-cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int
run_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  struct run_opts o = *(struct run_opts *)opts;
  /* this function owns the options now (and frees them early) */
  memset (opts, 0, sizeof o);
  int r = hull_run_flags_finish ("run", &o, argc, argv);
  if (r != 0)
    {
      run_opts_clear (&o);
      return r;
    }
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    {
      run_opts_clear (&o);
      hull_report (&err);
      return HULL_EXIT_USAGE;
    }
  _cleanup_free_ char *id = NULL;
  /* a pull's progress goes to stderr: stdout is the container's (or the id) */
  struct progress *pr = progress_new (stderr, false, "pull");
  engine_set_pull (e, o.pull, progress_ops (pr), hull_pull_notice, NULL);
#ifdef HULL_HAVE_ENGINE_TRUST
  if (hull_trust_engine (e, o.signature_policy, &err) < 0)
    {
      progress_finish (pr);
      run_opts_clear (&o);
      hull_report (&err);
      return HULL_EXIT_USAGE;
    }
#else
  /* never ignore a policy the user asked for */
  if (o.signature_policy)
    {
      progress_finish (pr);
      run_opts_clear (&o);
      return hull_usage_error ("run", "--signature-policy: built without content trust");
    }
#endif
  bool rm = o.spec->auto_remove, in = o.spec->open_stdin, tty = o.spec->tty, detach = o.detach,
       sig_proxy = o.sig_proxy;
  int cr = engine_create (e, o.spec, o.name, o.entrypoint_set, &id, &err);
  progress_finish (pr);
  if (cr < 0)
    {
      run_opts_clear (&o);
      hull_report (&err);
      return HULL_EXIT_USAGE;
    }
  run_opts_clear (&o);
  int code = 125;
  if (detach)
    {
      if (engine_start (e, id, NULL, &code, &err) < 0)
        {
          hull_report (&err);
          if (rm)
            {
              struct error *e2 = NULL;
              engine_remove (e, id, true, true, &e2);
              error_free (e2);
            }
          return code ? code : HULL_EXIT_USAGE;
        }
      printf ("%s\n", id);
      return 0;
    }
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      perror ("hull: socketpair");
      return HULL_EXIT_USAGE;
    }
  struct engine_attach a = { .client_fd = &sv[1], .caller_finishes = true };
  struct winsize ws;
  if (tty && (ioctl (1, TIOCGWINSZ, &ws) == 0 || ioctl (0, TIOCGWINSZ, &ws) == 0))
    {
      a.rows = ws.ws_row;
      a.cols = ws.ws_col;
    }
  r = engine_start (e, id, &a, &code, &err);
  close (sv[1]);
  if (r < 0)
    {
      close (sv[0]);
      hull_report (&err);
      if (rm)
        {
          struct error *e2 = NULL;
          engine_remove (e, id, true, true, &e2);
          error_free (e2);
        }
      return code ? code : HULL_EXIT_USAGE;
    }
  /* The store stays open meanwhile: its garbage collector skips a store in
   * use (it never waits), and reopening would cost the removal that
   * follows a short --rm run another few milliseconds. */
  code = engine_attach_stream (sv[0], in, tty, true, sig_proxy);
  close (sv[0]);
  if (code == -1)
    return 0; /* detached with ^P^Q */
  if (code < 0)
    {
      /* the monitor went away without a word: ask the record */
      if (engine_wait (e, id, &code, &err) < 0)
        {
          hull_report (&err);
          code = 125;
        }
    }
  /* we read the exit, so we finish the container (--rm honoured): see
   * "Who finishes a container" in docs/design/engine.md */
  struct error *e2 = NULL;
  if (engine_cleanup (e, id, &e2) < 0)
    hull_report (&e2);
  error_free (e2);
  return code;
}

const struct cli_command hull_cmd_run = {
  .name = "run",
  .summary = "Create and run a container",
  .args = "IMAGE [COMMAND] [ARG...]",
  .options = hull_run_options,
  .opts_size = sizeof (struct run_opts),
  .init = hull_run_opts_init,
  .fini = hull_run_opts_fini,
  .on_option = hull_run_option,
  .min_args = 1,
  .max_args = -1,
  .run = run_run,
  .flags = CLI_NO_INTERSPERSE,
};
