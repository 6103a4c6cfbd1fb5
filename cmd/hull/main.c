/* hull - the daemonless engine CLI: global options, then one verb. */
#include "config.h"
#include "hull.h"

#include "base/error.h"
#include "base/log.h"

#include <getopt.h>
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
  fprintf (stderr, "\nSee 'hull %s --help'.\n", verb);
  va_end (ap);
  return HULL_EXIT_USAGE;
}

static void
usage (FILE *f)
{
  fprintf (f, "Usage: hull [OPTIONS] COMMAND [ARG...]\n\n"
              "Options:\n"
              "      --root DIR         persistent state (env HULL_ROOT, default /var/lib/hull)\n"
              "      --runroot DIR      runtime state (env HULL_RUNROOT, default /run/hull)\n"
              "      --registries-conf FILE  registries configuration (env HULL_REGISTRIES_CONF,\n"
              "                         default /etc/hull/registries.json)\n"
              "      --log-level LEVEL  error, warn, info or debug\n"
              "  -v, --version          print the version\n"
              "  -h, --help             this help\n\n"
              "Commands:\n");
  for (const struct hull_verb *v = hull_verbs; v->name; v++)
    fprintf (f, "  %-10s %s\n", v->name, v->summary);
  fprintf (f, "\n  image      manage images (hull image ls|rm|pull|push|tag|inspect|history|"
              "prune|save|load|import)\n\nRun 'hull COMMAND --help' for a command's options.\n");
}

static int
parse_level (const char *s, enum log_level *out)
{
  static const char *names[] = { "error", "warn", "info", "debug" };
  for (int i = 0; i < 4; i++)
    if (strcasecmp (s, names[i]) == 0)
      {
        *out = (enum log_level) i;
        return 0;
      }
  if (strcasecmp (s, "warning") == 0)
    {
      *out = LOG_LEVEL_WARN;
      return 0;
    }
  return -1;
}

static const struct hull_verb *
find_verb (const char *name, bool image_sub)
{
  for (const struct hull_verb *v = hull_verbs; v->name; v++)
    {
      if (!image_sub && strcmp (v->name, name) == 0)
        return v;
      if (image_sub && v->image_alias)
        {
          /* image_alias is a space-separated list: "ls list" */
          const char *a = v->image_alias;
          size_t n = strlen (name);
          while (*a)
            {
              size_t l = strcspn (a, " ");
              if (l == n && strncmp (a, name, n) == 0)
                return v;
              a += l;
              a += strspn (a, " ");
            }
        }
    }
  return NULL;
}

int
main (int argc, char **argv)
{
  struct hull_ctx ctx = {
    .root = getenv ("HULL_ROOT"),
    .runroot = getenv ("HULL_RUNROOT"),
  };
  enum log_level level = LOG_LEVEL_WARN;
  log_init ("hull", level);
  if (ctx.root == NULL || ctx.root[0] == '\0')
    ctx.root = "/var/lib/hull";
  if (ctx.runroot == NULL || ctx.runroot[0] == '\0')
    ctx.runroot = "/run/hull";

  enum { OPT_ROOT = 256, OPT_RUNROOT, OPT_LOG_LEVEL, OPT_REGISTRIES_CONF };
  static const struct option opts[] = {
    { "root", required_argument, NULL, OPT_ROOT },
    { "runroot", required_argument, NULL, OPT_RUNROOT },
    { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
    { "registries-conf", required_argument, NULL, OPT_REGISTRIES_CONF },
    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  int c;
  /* "+": stop at the verb; its options are its own. */
  while ((c = getopt_long (argc, argv, "+vh", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_ROOT:
        ctx.root = optarg;
        break;
      case OPT_REGISTRIES_CONF:
        /* every verb loads it through registries_conf_load (NULL, ...) */
        setenv ("HULL_REGISTRIES_CONF", optarg, 1);
        break;
      case OPT_RUNROOT:
        ctx.runroot = optarg;
        break;
      case OPT_LOG_LEVEL:
        if (parse_level (optarg, &level) < 0)
          {
            fprintf (stderr, "hull: unknown log level `%s`\n", optarg);
            return HULL_EXIT_USAGE;
          }
        log_set_level (level);
        break;
      case 'v':
        printf ("hull version %s\n", HULL_VERSION);
        return 0;
      case 'h':
        usage (stdout);
        return 0;
      default:
        usage (stderr);
        return HULL_EXIT_USAGE;
      }
  if (ctx.root[0] == '\0' || ctx.runroot[0] == '\0')
    {
      fprintf (stderr, "hull: --root and --runroot must not be empty\n");
      return HULL_EXIT_USAGE;
    }
  if (optind >= argc)
    {
      usage (stderr);
      return HULL_EXIT_USAGE;
    }
  char **vargv = argv + optind;
  int vargc = argc - optind;
  const struct hull_verb *v;
  if (strcmp (vargv[0], "image") == 0)
    {
      if (vargc < 2 || strcmp (vargv[1], "--help") == 0 || strcmp (vargv[1], "-h") == 0)
        {
          FILE *f = vargc < 2 ? stderr : stdout;
          fprintf (f, "Usage: hull image COMMAND\n\nCommands:\n");
          for (v = hull_verbs; v->name; v++)
            if (v->image_alias)
              fprintf (f, "  %-10s %s\n", v->image_alias, v->summary);
          return vargc < 2 ? HULL_EXIT_USAGE : 0;
        }
      v = find_verb (vargv[1], true);
      if (v == NULL)
        {
          fprintf (stderr, "hull: unknown command `image %s`\nSee 'hull image --help'.\n", vargv[1]);
          return HULL_EXIT_USAGE;
        }
      vargv++;
      vargc--;
    }
  else
    {
      v = find_verb (vargv[0], false);
      if (v == NULL)
        {
          fprintf (stderr, "hull: unknown command `%s`\nSee 'hull --help'.\n", vargv[0]);
          return HULL_EXIT_USAGE;
        }
    }
  optind = 0; /* reset getopt for the verb (0 also re-reads GNU extensions) */
  return v->fn (&ctx, vargc, vargv);
}
