/* hull exec [-i] [-t] [-d] [-e K=V] [-u USER] [-w DIR] CONTAINER CMD...
 *
 * In-process through lib/runtime: the process joins the container's
 * namespaces, cgroup, capabilities and seccomp filter.  A process that
 * enters a container must not run from a file the container could reach
 * (/proc/self/exe, CVE-2019-5736): exec re-executes itself from a sealed
 * copy first (runtime_protect_self_exe). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "engine/build.h"
#include "engine/engine.h"
#include "engine/spec.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Our whole command line (the verb only sees its part). */
static char **
self_argv (void)
{
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  struct error *e = NULL;
  if (fs_read_file ("/proc/self/cmdline", 1 << 20, &text, &len, &e) < 0)
    {
      error_free (e);
      return NULL;
    }
  char **v = NULL;
  for (size_t i = 0; i < len; i += strlen (text + i) + 1)
    strv_push (&v, text + i);
  return v;
}

int
cmd_exec (struct hull_ctx *ctx, int argc, char **argv)
{
  _cleanup_error_ struct error *err = NULL;
  {
    _cleanup_strv_ char **all = self_argv ();
    if (all == NULL || runtime_protect_self_exe (all, &err) < 0)
      return hull_report (&err);
  }
  static const struct option opts[] = {
    { "interactive", no_argument, NULL, 'i' }, { "tty", no_argument, NULL, 't' },
    { "detach", no_argument, NULL, 'd' },      { "env", required_argument, NULL, 'e' },
    { "env-file", required_argument, NULL, 'E' }, { "user", required_argument, NULL, 'u' },
    { "workdir", required_argument, NULL, 'w' }, { "privileged", no_argument, NULL, 'P' },
    { "detach-keys", required_argument, NULL, 'k' }, { "help", no_argument, NULL, 'h' },
    {},
  };
  bool interactive = false, tty = false, detach = false;
  const char *user = NULL, *workdir = NULL;
  _cleanup_strv_ char **env = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "+itde:u:w:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'i':
        interactive = true;
        break;
      case 't':
        tty = true;
        break;
      case 'd':
        detach = true;
        break;
      case 'e':
        if (ctr_env_add (&env, optarg, &err) < 0)
          return hull_usage_error ("exec", "%s", err->msg);
        break;
      case 'E':
        if (ctr_env_file (&env, optarg, &err) < 0)
          return hull_usage_error ("exec", "%s", err->msg);
        break;
      case 'u':
        user = optarg;
        break;
      case 'w':
        if (optarg[0] != '/')
          return hull_usage_error ("exec", "the working directory `%s` is not absolute", optarg);
        workdir = optarg;
        break;
      case 'P':
      case 'k':
        break;
      case 'h':
        printf ("Usage: hull exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\n"
                "  -i, --interactive     keep stdin open\n"
                "  -t, --tty             allocate a pseudo-terminal\n"
                "  -d, --detach          run in the background\n"
                "  -e, --env KEY=VALUE   set an environment variable\n"
                "  -u, --user USER       user (name or uid[:gid])\n"
                "  -w, --workdir DIR     working directory\n");
        return 0;
      default:
        return hull_usage_error ("exec", "unknown option");
      }
  if (argc - optind < 2)
    return hull_usage_error ("exec", "requires at least 2 arguments (CONTAINER COMMAND)");
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_lookup (e, argv[optind], &r, &err) < 0)
    return hull_report (&err);
  if (r->state == CTR_PAUSED)
    {
      fprintf (stderr, "hull: container `%s` is paused, unpause the container before exec\n",
               argv[optind]);
      return HULL_EXIT_FAIL;
    }
  if (r->state != CTR_RUNNING && r->state != CTR_STARTING)
    {
      fprintf (stderr, "hull: container `%s` is not running\n", argv[optind]);
      return HULL_EXIT_FAIL;
    }
  char ugid[64];
  const char *uspec = NULL;
  if (user)
    {
      _cleanup_free_ char *root = NULL;
      if (engine_mount_root (e, r, &root, &err) < 0)
        return hull_report (&err);
      _cleanup_close_ int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
      uint32_t uid, gid;
      if (rootfd < 0 || engine_resolve_user (rootfd, user, &uid, &gid, NULL, NULL, NULL, &err) < 0)
        return hull_report (&err);
      snprintf (ugid, sizeof ugid, "%u:%u", uid, gid);
      uspec = ugid;
    }
  _cleanup_close_ int nul = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (nul >= 0 && nul < 3)
    {
      int d = fcntl (nul, F_DUPFD_CLOEXEC, 3);
      close (nul);
      nul = d;
    }
  struct runtime_context rt = { .state_root = engine_runtime_root (e) };
  struct runtime_exec_options o = {
    .argv = argv + optind + 1,
    .tty = tty,
    .cwd = workdir,
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
  if (runtime_exec (&rt, r->id, &o, &status, &err) < 0)
    {
      int code = err->code == ENOENT ? 127 : err->code == EACCES ? 126 : HULL_EXIT_USAGE;
      hull_report (&err);
      return code;
    }
  return detach ? 0 : status;
}
