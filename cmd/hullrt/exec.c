#include "hullrt.h"

#include "base/log.h"
#include "base/strv.h"

int
verb_exec (struct globals *g, int argc, char **argv)
{
  struct runtime_exec_options o = { .stdio_fds = { -1, -1, -1 } };
  const char *user = NULL;
  bool ignored = false;
  const struct cli_option opts[] = {
    { "process", 'p', CLI_STRING, &o.process_path, "process.json to run", "FILE" },
    { "tty", 't', CLI_FLAG, &o.tty, "allocate a pseudo-TTY" },
    { "detach", 'd', CLI_FLAG, &o.detach, "do not wait for the process" },
    { "pid-file", 0, CLI_STRING, &o.pid_file, "write the process pid here", "FILE" },
    { "console-socket", 0, CLI_STRING, &o.console_socket, "socket for the pty master", "PATH" },
    { "cwd", 0, CLI_STRING, &o.cwd, "working directory", "DIR" },
    { "env", 'e', CLI_STRV, &o.env, "set an environment variable", "K=V" },
    { "user", 'u', CLI_STRING, &user, "UID[:GID]", "UID[:GID]" },
    { "additional-gids", 'g', CLI_STRV, &o.additional_gids, "additional group", "GID" },
    { "cap", 'c', CLI_STRV, &o.caps, "add a capability", "CAP" },
    { "no-new-privs", 0, CLI_FLAG, &o.no_new_privs, "set no_new_privs" },
    { "apparmor", 0, CLI_STRING, &o.apparmor, "AppArmor profile", "PROFILE" },
    { "process-label", 0, CLI_STRING, &o.process_label, "SELinux label", "LABEL" },
    { "preserve-fds", 0, CLI_INT, &o.preserve_fds, "pass N more fds", "N" },
    { "ignore-paused", 0, CLI_FLAG, &ignored, NULL },
    { "cgroup", 0, CLI_STRV, &o.cgroup_subs, "run in this existing sub-cgroup", "[CTRL:]PATH" },
    { 0 },
  };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, -1, "exec [options] ID [COMMAND [ARG...]]");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  o.user = user;
  o.preserve_fds += listen_fds ();
  const char *id = argv[pos++];
  if (o.process_path == NULL)
    {
      if (pos >= argc)
        {
          log_error ("exec: no command given (and no --process)");
          return 1;
        }
      o.argv = argv + pos;
    }
  struct error *err = NULL;
  int status = 0;
  r = runtime_exec (&g->ctx, id, &o, &status, &err);
  strv_free (o.env);
  strv_free (o.caps);
  strv_free (o.additional_gids);
  strv_free (o.cgroup_subs);
  /* runc's exit codes: the process's own status, or 255 when the runtime
   * failed (so that a process exiting 1 or 127 is never mistaken for an
   * error of ours) */
  if (r < 0)
    {
      fail (err);
      return 255;
    }
  return status;
}
