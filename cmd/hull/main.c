/* hull - the daemonless engine CLI: global options, then one verb. */
#include "config.h"
#include "hull.h"

#include "base/error.h"
#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
hull_report (struct error **err)
{
  if (err && *err)
    {
      log_error ("%s", (*err)->msg);
      error_free (*err);
      *err = NULL;
    }
  return HULL_EXIT_FAIL;
}

int
hull_usage_error (const char *verb, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fprintf (stderr, "hull %s: ", verb);
  vfprintf (stderr, fmt, ap);
  fprintf (stderr, " (see 'hull %s --help')\n", verb);
  va_end (ap);
  return HULL_EXIT_USAGE;
}

static int
parse_level (const char *s, enum log_level *out)
{
  static const char *names[] = { "error", "warn", "info", "debug" };
  for (int i = 0; i < 4; i++)
    if (strcasecmp (s, names[i]) == 0)
      {
        *out = (enum log_level)i;
        return 0;
      }
  if (strcasecmp (s, "warning") == 0)
    {
      *out = LOG_LEVEL_WARN;
      return 0;
    }
  return -1;
}

enum
{
  G_ROOT,
  G_RUNROOT,
  G_REGISTRIES_CONF,
  G_LOG_LEVEL,
  G_VERSION,
};

static int
global_option (void *data, int key, const char *v, struct error **err)
{
  struct hull_ctx *ctx = data;
  enum log_level level;
  switch (key)
    {
    case G_ROOT:
    case G_RUNROOT:
      if (*v == '\0')
        return error_set (err, EINVAL, "--root and --runroot must not be empty");
      *(key == G_ROOT ? &ctx->root : &ctx->runroot) = v;
      return 0;
    case G_REGISTRIES_CONF:
      /* every verb loads it through registries_conf_load (NULL, ...) */
      setenv ("HULL_REGISTRIES_CONF", v, 1);
      return 0;
    case G_LOG_LEVEL:
      if (parse_level (v, &level) < 0)
        return error_set (err, EINVAL, "unknown log level `%s`", v);
      log_set_level (level);
      return 0;
    case G_VERSION:
      printf ("hull version %s\n", HULL_VERSION);
      return CLI_DONE;
    }
  return error_set (err, EINVAL, "unknown option");
}

static const struct cli_option global_options[] = {
  CLI_OPT_CALL (0, "root", G_ROOT, "DIR",
                "persistent state (env HULL_ROOT, default /var/lib/hull)"),
  CLI_OPT_CALL (0, "runroot", G_RUNROOT, "DIR",
                "runtime state (env HULL_RUNROOT, default /run/hull)"),
  CLI_OPT_CALL (0, "registries-conf", G_REGISTRIES_CONF, "FILE",
                "registries configuration (env HULL_REGISTRIES_CONF, "
                "default /etc/hull/registries.json)"),
  CLI_OPT_CALL (0, "log-level", G_LOG_LEVEL, "LEVEL", "error, warn, info or debug"),
  CLI_OPT_CALL_FLAG ('v', "version", G_VERSION, "print the version"),
  { 0 },
};

static const struct cli_command hull_root = {
  .name = "hull",
  .summary = "A daemonless container engine",
  .options = global_options,
  .on_option = global_option,
  .sub = hull_verbs,
};

const struct cli_program hull_program = {
  .name = "hull",
  .root = &hull_root,
  .usage_status = HULL_EXIT_USAGE,
};

int
main (int argc, char **argv)
{
  struct hull_ctx ctx = {
    .root = getenv ("HULL_ROOT"),
    .runroot = getenv ("HULL_RUNROOT"),
  };
  log_init ("hull", LOG_LEVEL_WARN);
  if (ctx.root == NULL || ctx.root[0] == '\0')
    ctx.root = "/var/lib/hull";
  if (ctx.runroot == NULL || ctx.runroot[0] == '\0')
    ctx.runroot = "/run/hull";
  return cli_main (&hull_program, &ctx, argc, argv);
}
