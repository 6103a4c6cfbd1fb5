/* checkpoint and restore: runc's verbs, through CRIU (see
 * lib/runtime/checkpoint.c). */
#include "hullrt.h"

#define CRIU_OPTIONS(o)                                                                            \
  { "image-path", 0, CLI_STRING, &(o).image_path, "where the images go (default ./checkpoint)",    \
    "DIR" },                                                                                       \
      { "work-path", 0, CLI_STRING, &(o).work_path, "CRIU's work files and logs", "DIR" },         \
      { "tcp-established", 0, CLI_FLAG, &(o).tcp_established, "allow open TCP connections" },      \
      { "ext-unix-sk", 0, CLI_FLAG, &(o).ext_unix_sk, "allow external unix sockets" },             \
      { "shell-job", 0, CLI_FLAG, &(o).shell_job, "allow shell jobs" },                            \
      { "file-locks", 0, CLI_FLAG, &(o).file_locks, "handle file locks" },                         \
  {                                                                                                \
    "manage-cgroups-mode", 0, CLI_STRING, &(o).manage_cgroups_mode,                                \
        "soft, full, strict or ignore", "MODE"                                                     \
  }

int
verb_checkpoint (struct globals *g, int argc, char **argv)
{
  struct runtime_criu_options o = { .criu = g->criu };
  bool ignored = false;
  const char *ignored_s = NULL;
  const struct cli_option opts[] = {
    CRIU_OPTIONS (o),
    { "leave-running", 0, CLI_FLAG, &o.leave_running, "leave the container running" },
    { "pre-dump", 0, CLI_FLAG, &o.pre_dump, "dump memory only, leave it running" },
    { "parent-path", 0, CLI_STRING, &o.parent_path, "images of a previous pre-dump", "DIR" },
    { "page-server", 0, CLI_STRING, &ignored_s, NULL },
    { "auto-dedup", 0, CLI_FLAG, &ignored, NULL },
    { "lazy-pages", 0, CLI_FLAG, &ignored, NULL },
    { "status-fd", 0, CLI_STRING, &ignored_s, NULL },
    { "empty-ns", 0, CLI_STRING, &ignored_s, NULL },
    { 0 },
  };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 1, "checkpoint [options] ID");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  struct error *err = NULL;
  if (runtime_checkpoint (&g->ctx, argv[pos], &o, &err) < 0)
    return fail (err);
  return 0;
}

int
verb_restore (struct globals *g, int argc, char **argv)
{
  struct runtime_criu_options o = { .criu = g->criu };
  const char *bundle = ".", *pid_file = NULL, *console = NULL, *ignored_s = NULL;
  bool detach = false, ignored = false;
  const struct cli_option opts[] = {
    CRIU_OPTIONS (o),
    { "bundle", 'b', CLI_STRING, &bundle, "bundle directory (default .)", "DIR" },
    { "detach", 'd', CLI_FLAG, &detach, "do not wait for the container" },
    { "pid-file", 0, CLI_STRING, &pid_file, "write the restored init's pid here", "FILE" },
    { "console-socket", 0, CLI_STRING, &console, NULL },
    { "no-subreaper", 0, CLI_FLAG, &ignored, NULL },
    { "no-pivot", 0, CLI_FLAG, &ignored, NULL },
    { "empty-ns", 0, CLI_STRING, &ignored_s, NULL },
    { "auto-dedup", 0, CLI_FLAG, &ignored, NULL },
    { "lazy-pages", 0, CLI_FLAG, &ignored, NULL },
    { 0 },
  };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 1, "restore [options] ID");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  struct error *err = NULL;
  int status = 0;
  if (runtime_restore (&g->ctx, argv[pos], &o, bundle, detach, pid_file, &status, &err) < 0)
    return fail (err);
  return status;
}
