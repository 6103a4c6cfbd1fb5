/* hull top CONTAINER [ps OPTIONS]: the container's processes, as ps sees
 * them (ps runs on the host; its rows are those of the container's pids). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int
top_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  (void)opts;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0 || engine_lookup (e, argv[0], &r, &err) < 0)
    return hull_report (&err);
  if (r->state != CTR_RUNNING && r->state != CTR_PAUSED)
    {
      fprintf (stderr, "hull: container `%s` is not running\n", argv[0]);
      return HULL_EXIT_FAIL;
    }
  struct runtime_context rt = { .state_root = engine_runtime_root (e) };
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  if (runtime_pids (&rt, r->id, &pids, &n, &err) < 0)
    return hull_report (&err);

  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return HULL_EXIT_FAIL;
  pid_t child = fork ();
  if (child == 0)
    {
      dup2 (p[1], 1);
      _cleanup_strv_ char **args = NULL;
      strv_push (&args, "ps");
      if (argc > 1)
        for (int i = 1; i < argc; i++)
          strv_push (&args, argv[i]);
      else
        strv_push (&args, "-ef");
      execvp ("ps", args);
      _exit (127);
    }
  close (p[1]);
  _cleanup_free_ char *out = NULL;
  size_t len = 0;
  int rr = fs_read_fd (p[0], 16u << 20, &out, &len, &err);
  close (p[0]);
  int st = 0;
  waitpid (child, &st, 0);
  if (rr < 0)
    return hull_report (&err);
  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
    {
      fprintf (stderr, "hull: ps failed (%s)\n", out && *out ? out : "no output");
      return HULL_EXIT_FAIL;
    }
  /* the PID column: where the header says PID */
  char *save = NULL;
  char *header = strtok_r (out, "\n", &save);
  if (header == NULL)
    return 0;
  int col = -1, k = 0;
  {
    _cleanup_free_ char *h = strdup (header);
    char *s2 = NULL;
    for (char *t = strtok_r (h, " \t", &s2); t; t = strtok_r (NULL, " \t", &s2), k++)
      if (strcmp (t, "PID") == 0)
        col = k;
  }
  if (col < 0)
    {
      fprintf (stderr, "hull: no PID column in the output of ps\n");
      return HULL_EXIT_FAIL;
    }
  printf ("%s\n", header);
  for (char *line = strtok_r (NULL, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      _cleanup_free_ char *l = strdup (line);
      char *s3 = NULL, *t = strtok_r (l, " \t", &s3);
      for (int i = 0; t && i < col; i++)
        t = strtok_r (NULL, " \t", &s3);
      if (t == NULL)
        continue;
      pid_t pid = (pid_t)atoi (t);
      for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
          {
            printf ("%s\n", line);
            break;
          }
    }
  return 0;
}

const struct cli_command hull_cmd_top = {
  .name = "top",
  .summary = "Show a container's processes",
  .args = "CONTAINER [ps OPTIONS]",
  .description = "The container's processes (ps -ef by default).",
  .min_args = 1,
  .max_args = -1,
  .run = top_run,
  .flags = CLI_NO_INTERSPERSE,
};
