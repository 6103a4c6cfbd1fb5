#include "hullrt.h"

#include <string.h>

#define CREATE_OPTIONS(o)                                                                  \
  { "bundle", 'b', CLI_STRING, &(o).bundle, "bundle directory (default .)", "DIR" },       \
  { "pid-file", 0, CLI_STRING, &(o).pid_file, "write the container's pid here", "FILE" },  \
  { "console-socket", 0, CLI_STRING, &(o).console_socket,                                   \
    "unix socket that receives the pty master", "PATH" },                                  \
  { "preserve-fds", 0, CLI_INT, &(o).preserve_fds, "pass N more fds (3..3+N-1)", "N" },    \
  { "no-pivot", 0, CLI_FLAG, &(o).no_pivot, "use MS_MOVE+chroot instead of pivot_root" },  \
  { "no-new-keyring", 0, CLI_FLAG, &(o).no_new_keyring, "keep the caller's session keyring" }

int
verb_create (struct globals *g, int argc, char **argv)
{
  struct runtime_create_options o = { .stdio_fds = { -1, -1, -1 } };
  const struct cli_option opts[] = { CREATE_OPTIONS (o), { 0 } };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 1, "create [options] ID");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  o.listen_fds = listen_fds ();
  o.preserve_fds += o.listen_fds;
  struct error *err = NULL;
  if (runtime_create (&g->ctx, argv[pos], &o, &err) < 0)
    return fail (err);
  return 0;
}

int
verb_run (struct globals *g, int argc, char **argv)
{
  struct runtime_create_options o = { .stdio_fds = { -1, -1, -1 } };
  const struct cli_option opts[] = {
    CREATE_OPTIONS (o),
    { "detach", 'd', CLI_FLAG, &o.detach, "do not wait for the container" },
    { "keep", 0, CLI_FLAG, &o.keep, "do not delete the container when it exits" },
    { 0 },
  };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 1, "run [options] ID");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  o.listen_fds = listen_fds ();
  o.preserve_fds += o.listen_fds;
  struct error *err = NULL;
  int status = 0;
  if (runtime_run (&g->ctx, argv[pos], &o, &status, &err) < 0)
    return fail (err);
  return status;
}

int
verb_start (struct globals *g, int argc, char **argv)
{
  const struct cli_option opts[] = { { 0 } };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 1, "start ID");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  struct error *err = NULL;
  if (runtime_start (&g->ctx, argv[pos], &err) < 0)
    return fail (err);
  return 0;
}
