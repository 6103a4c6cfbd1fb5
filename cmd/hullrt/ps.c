#include "hullrt.h"

#include "base/cleanup.h"
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Table format: run ps(1) with the given options (default -ef) and keep the
 * header and the lines whose PID column is one of the container's, as runc. */
static int
ps_table (pid_t *pids, size_t n, int argc, char **argv)
{
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return 1;
  pid_t c = fork ();
  if (c == 0)
    {
      dup2 (fds[1], 1);
      char *args[64] = { (char *) "ps" };
      int k = 1;
      if (argc == 0)
        args[k++] = (char *) "-ef";
      for (int i = 0; i < argc && k < 63; i++)
        args[k++] = argv[i];
      args[k] = NULL;
      execvp ("ps", args);
      _exit (127);
    }
  close (fds[1]);
  _cleanup_fclose_ FILE *f = fdopen (fds[0], "r");
  char *line = NULL;
  size_t cap = 0;
  int pidcol = -1;
  while (getline (&line, &cap, f) > 0)
    {
      if (pidcol < 0)
        {
          /* find the PID column in the header */
          char *copy = strdup (line), *save = NULL;
          int col = 0;
          for (char *t = strtok_r (copy, " \t\n", &save); t; t = strtok_r (NULL, " \t\n", &save), col++)
            if (strcmp (t, "PID") == 0)
              {
                pidcol = col;
                break;
              }
          free (copy);
          fputs (line, stdout);
          if (pidcol < 0)
            {
              log_error ("ps: no PID column in the output of ps");
              break;
            }
          continue;
        }
      char *copy = strdup (line), *save = NULL;
      char *t = strtok_r (copy, " \t\n", &save);
      for (int col = 0; t && col < pidcol; col++)
        t = strtok_r (NULL, " \t\n", &save);
      pid_t p = t ? (pid_t) atoi (t) : 0;
      free (copy);
      for (size_t i = 0; i < n; i++)
        if (pids[i] == p)
          {
            fputs (line, stdout);
            break;
          }
    }
  free (line);
  int st;
  waitpid (c, &st, 0);
  return pidcol < 0 ? 1 : 0;
}

int
verb_ps (struct globals *g, int argc, char **argv)
{
  const char *format = "table";
  const struct cli_option opts[] = {
    { "format", 'f', CLI_STRING, &format, "table or json", "FORMAT" },
    { 0 },
  };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, -1, "ps [--format table|json] ID [PS OPTIONS]");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  struct error *err = NULL;
  pid_t *pids = NULL;
  size_t n = 0;
  if (strcmp (format, "json") != 0 && strcmp (format, "table") != 0)
    {
      log_error ("invalid format `%s`: want table or json", format);
      return 1;
    }
  if (runtime_pids (&g->ctx, argv[pos], &pids, &n, &err) < 0)
    return fail (err);
  int ret = 0;
  if (strcmp (format, "json") == 0)
    {
      putchar ('[');
      for (size_t i = 0; i < n; i++)
        printf ("%s%d", i ? "," : "", (int) pids[i]);
      puts ("]");
    }
  else
    {
      fflush (stdout);
      ret = ps_table (pids, n, argc - pos - 1, argv + pos + 1);
    }
  free (pids);
  return ret;
}
