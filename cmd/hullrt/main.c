/* hullrt - an OCI runtime with runc's command line.  The work is done in
 * lib/runtime; this is argument handling and reporting. */
#include "hullrt.h"

#include "base/log.h"
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static const struct
{
  const char *name;
  verb_fn fn;
  const char *help;
} verbs[] = {
  { "create", verb_create, "create a container" },
  { "start", verb_start, "start a created container" },
  { "run", verb_run, "create and start a container" },
  { "state", verb_state, "print the state of a container" },
  { "kill", verb_kill, "send a signal to the container's init (or all processes)" },
  { "delete", verb_delete, "delete a container" },
  { "exec", verb_exec, "run a process in a container" },
  { "ps", verb_ps, "list the processes of a container" },
  { "list", verb_list, "list containers" },
  { "spec", verb_spec, "write a new config.json" },
  { "features", verb_features, "print the features this runtime supports" },
  { "pause", verb_pause, "freeze every process of a container" },
  { "resume", verb_resume, "thaw a paused container" },
  { "update", verb_update, "change the resource limits of a running container" },
  { "events", verb_events, "print resource usage and OOM events" },
  { "checkpoint", verb_checkpoint, "save a running container with CRIU" },
  { "restore", verb_restore, "restore a container from a checkpoint" },
};

int
fail (struct error *err)
{
  log_error ("%s", err ? err->msg : "unknown error");
  error_free (err);
  return 1;
}

void
print_usage (const char *usage, const struct cli_option *opts)
{
  dprintf (1, "usage: hullrt %s\n", usage);
  if (opts)
    {
      dprintf (1, "\noptions:\n");
      cli_print_options (opts, 1);
    }
}

int
parse_verb (const struct cli_option *opts, int argc, char **argv, int *pos, int min_pos,
            int max_pos, const char *usage)
{
  struct error *err = NULL;
  *pos = 1;
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
      {
        print_usage (usage, opts);
        return 0;
      }
    else if (argv[i][0] != '-')
      break;
  if (cli_parse (opts, argc, argv, pos, &err) < 0)
    return -fail (err) - 1;
  int n = argc - *pos;
  if (n < min_pos || (max_pos >= 0 && n > max_pos))
    {
      log_error ("%s: %s (usage: hullrt %s)", argv[0],
                 n < min_pos ? "missing argument" : "too many arguments", usage);
      return -2;
    }
  return 1;
}

int
listen_fds (void)
{
  /* sd_listen_fds(): the variables are for us only when LISTEN_PID names
   * this process (set by whoever exec'd us), as runc checks it */
  const char *v = getenv ("LISTEN_FDS"), *pid = getenv ("LISTEN_PID");
  if (v == NULL || (pid && atol (pid) != (long) getpid ()))
    return 0;
  int n = atoi (v);
  return n > 0 && n < 65536 ? n : 0;
}

static void
usage (void)
{
  dprintf (1, "usage: hullrt [global options] COMMAND [options] [arguments]\n\n"
              "hullrt runs OCI bundles (runtime-spec 1.2) with runc's command line.\n\n"
              "commands:\n");
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    dprintf (1, "  %-10s %s\n", verbs[i].name, verbs[i].help);
  dprintf (1, "\nglobal options:\n"
              "  --root DIR             state directory (default %s)\n"
              "  --log FILE             also log to FILE\n"
              "  --log-format FORMAT    text or json\n"
              "  --debug                debug output\n"
              "  --systemd-cgroup       cgroupsPath is slice:prefix:name, managed by systemd\n"
              "  --criu PATH            the CRIU binary (default: criu in PATH)\n"
              "  -v, --version          print the version\n",
           runtime_default_root ());
}

int
main (int argc, char **argv)
{
  struct globals g = { .ctx = { .state_root = NULL } };
  bool version = false, help = false;
  const char *rootless = NULL;
  const struct cli_option opts[] = {
    { "root", 0, CLI_STRING, &g.ctx.state_root, NULL, NULL },
    { "log", 0, CLI_STRING, &g.log_path, NULL, NULL },
    { "log-format", 0, CLI_STRING, &g.log_format, NULL, NULL },
    { "debug", 0, CLI_FLAG, &g.debug, NULL, NULL },
    { "systemd-cgroup", 0, CLI_FLAG, &g.ctx.systemd_cgroup, NULL, NULL },
    { "rootless", 0, CLI_STRING, &rootless, NULL, NULL },
    { "criu", 0, CLI_STRING, &g.criu, NULL, NULL },
    { "version", 'v', CLI_FLAG, &version, NULL, NULL },
    { "help", 'h', CLI_FLAG, &help, NULL, NULL },
    { 0 },
  };
  prctl (PR_SET_NAME, "hullrt");
  log_init ("hullrt", LOG_LEVEL_WARN);
  struct error *err = NULL;
  int pos = 1;
  if (cli_parse (opts, argc, argv, &pos, &err) < 0)
    return fail (err);
  if (g.debug)
    log_set_level (LOG_LEVEL_DEBUG);
  enum log_format lf = LOG_FORMAT_TEXT;
  if (g.log_format && strcmp (g.log_format, "json") == 0)
    lf = LOG_FORMAT_JSON;
  else if (g.log_format && strcmp (g.log_format, "text") != 0)
    {
      log_error ("invalid --log-format `%s`: want text or json", g.log_format);
      return 1;
    }
  if (g.log_path)
    {
      int r = log_open (g.log_path, lf);
      if (r < 0)
        {
          log_error ("open log `%s`: %s", g.log_path, strerror (-r));
          return 1;
        }
      /* as runc: --debug lines go to the log, warnings and errors are also
       * said on stderr where the caller sees them */
      log_set_stderr_max (LOG_LEVEL_WARN);
    }
  if (version)
    {
      printf ("hullrt version %s\nspec: 1.2.0\n", HULL_VERSION);
      return 0;
    }
  if (help || pos >= argc)
    {
      usage ();
      return help ? 0 : 1;
    }
  if (g.ctx.state_root == NULL)
    g.ctx.state_root = runtime_default_root ();

  const char *verb = argv[pos];
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (strcmp (verbs[i].name, verb) == 0)
      {
        bool into_container = strcmp (verb, "create") == 0 || strcmp (verb, "run") == 0
                              || strcmp (verb, "exec") == 0;
        if (into_container && runtime_protect_self_exe (argv, &err) < 0)
          return fail (err);
        return verbs[i].fn (&g, argc - pos, argv + pos);
      }
  log_error ("unknown command `%s` (see hullrt --help)", verb);
  return 1;
}
