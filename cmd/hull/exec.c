/* hull exec [-i] [-t] [-d] [-e K=V] [-u USER] [-w DIR] CONTAINER CMD...
 *
 * In-process through engine_exec: the process joins the container's
 * namespaces, cgroup, capabilities and seccomp filter.  A process that
 * enters a container must not run from a file the container could reach
 * (/proc/self/exe, CVE-2019-5736): exec re-executes itself from a sealed
 * copy first (engine_exec_prepare). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "engine/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct exec_opts
{
  bool interactive, tty, detach, privileged;
  const char *user, *workdir, *detach_keys;
  char **env;
};

enum
{
  X_ENV,
  X_ENV_FILE,
  X_WORKDIR,
};

static int
exec_option (void *opts, int key, const char *v, struct error **err)
{
  struct exec_opts *o = opts;
  switch (key)
    {
    case X_ENV:
      return ctr_env_add (&o->env, v, err);
    case X_ENV_FILE:
      return ctr_env_file (&o->env, v, err);
    case X_WORKDIR:
      if (v[0] != '/')
        return error_set (err, EINVAL, "the working directory `%s` is not absolute", v);
      o->workdir = v;
      return 0;
    }
  return -EINVAL;
}

static void
exec_fini (void *opts)
{
  strv_free (((struct exec_opts *)opts)->env);
}

static const struct cli_option exec_options[] = {
  CLI_OPT_FLAG ('i', "interactive", struct exec_opts, interactive, "keep stdin open"),
  CLI_OPT_FLAG ('t', "tty", struct exec_opts, tty, "allocate a pseudo-terminal"),
  CLI_OPT_FLAG ('d', "detach", struct exec_opts, detach, "run in the background"),
  CLI_OPT_CALL ('e', "env", X_ENV, "KEY=VALUE", "set an environment variable"),
  CLI_OPT_CALL (0, "env-file", X_ENV_FILE, "FILE", "read environment variables from a file"),
  CLI_OPT_STRING ('u', "user", struct exec_opts, user, "USER", "user (name or uid[:gid])"),
  CLI_OPT_CALL ('w', "workdir", X_WORKDIR, "DIR", "working directory"),
  CLI_OPT_FLAG (0, "privileged", struct exec_opts, privileged, "accepted for compatibility"),
  CLI_OPT_STRING (0, "detach-keys", struct exec_opts, detach_keys, "KEYS",
                  "accepted for compatibility"),
  { 0 },
};

static int
exec_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  struct exec_opts *opt = opts;
  _cleanup_error_ struct error *err = NULL;
  if (engine_exec_prepare (&err) < 0)
    return hull_report (&err);
  bool interactive = opt->interactive, tty = opt->tty, detach = opt->detach;
  const char *user = opt->user, *workdir = opt->workdir;
  char **env = opt->env;
  (void)argc;
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_lookup (e, argv[0], &r, &err) < 0)
    return hull_report (&err);
  if (r->state == CTR_PAUSED)
    {
      fprintf (stderr, "hull: container `%s` is paused, unpause the container before exec\n",
               argv[0]);
      return HULL_EXIT_FAIL;
    }
  if (r->state != CTR_RUNNING && r->state != CTR_STARTING)
    {
      fprintf (stderr, "hull: container `%s` is not running\n", argv[0]);
      return HULL_EXIT_FAIL;
    }
  char ugid[64];
  const char *uspec = NULL;
  if (user)
    {
      if (engine_exec_user (e, r, user, ugid, &err) < 0)
        return hull_report (&err);
      uspec = ugid;
    }
  _cleanup_close_ int nul = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (nul >= 0 && nul < 3)
    {
      int d = fcntl (nul, F_DUPFD_CLOEXEC, 3);
      close (nul);
      nul = d;
    }
  struct engine_exec_opts o = {
    .argv = argv + 1,
    .tty = tty,
    .workdir = workdir,
    .env = env,
    .user = uspec,
    .detach = detach,
    .stdio_fds = { -1, -1, -1 },
  };
  if (detach)
    {
      o.tty = false;
      o.stdio_fds[0] = o.stdio_fds[1] = o.stdio_fds[2] = nul;
    }
  else if (!interactive && !tty)
    o.stdio_fds[0] = nul;
  int status = 0;
  if (engine_exec (e, r, &o, &status, &err) < 0)
    {
      int code = err->code == ENOENT ? 127 : err->code == EACCES ? 126 : HULL_EXIT_USAGE;
      hull_report (&err);
      return code;
    }
  return detach ? 0 : status;
}

const struct cli_command hull_cmd_exec = {
  .name = "exec",
  .summary = "Run a command in a running container",
  .args = "CONTAINER COMMAND [ARG...]",
  .options = exec_options,
  .opts_size = sizeof (struct exec_opts),
  .on_option = exec_option,
  .fini = exec_fini,
  .min_args = 2,
  .max_args = -1,
  .run = exec_run,
  .flags = CLI_NO_INTERSPERSE,
};
