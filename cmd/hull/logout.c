/* hull logout [--authfile F] REGISTRY | --all
 *
 * Removes the credentials hull (or podman) stored for REGISTRY from
 * auth.json; --all removes every one. */
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "registry/auth.h"
#include "registry/registries.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int
cmd_logout (struct hull_ctx *ctx, int argc, char **argv)
{
  (void)ctx;
  static const struct option opts[] = {
    { "authfile", required_argument, NULL, 'A' },
    { "all", no_argument, NULL, 'a' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  const char *authfile = NULL;
  bool all = false;
  int c;
  while ((c = getopt_long (argc, argv, "ah", opts, NULL)) != -1)
    switch (c)
      {
      case 'A':
        authfile = optarg;
        break;
      case 'a':
        all = true;
        break;
      case 'h':
        printf ("Usage: hull logout [OPTIONS] [REGISTRY]\n\n"
                "Remove the credentials kept for REGISTRY.\n\n"
                "  -a, --all            remove the credentials of every registry\n"
                "      --authfile FILE  the auth file (as for hull login)\n");
        return 0;
      default:
        return hull_usage_error ("logout", "unknown option");
      }
  _cleanup_error_ struct error *err = NULL;
  if (all)
    {
      if (argc - optind > 0)
        return hull_usage_error ("logout", "--all takes no registry");
      if (auth_remove_all (authfile, &err) < 0)
        return hull_report (&err);
      printf ("Removed login credentials for all registries\n");
      return 0;
    }
  if (argc - optind > 1)
    return hull_usage_error ("logout", "accepts at most 1 argument");
  _cleanup_registries_conf_ struct registries_conf *conf = NULL;
  const char *input = optind < argc ? argv[optind] : NULL;
  if (input == NULL)
    {
      if (registries_conf_load (NULL, &conf, &err) < 0)
        return hull_report (&err);
      input = conf->search && conf->search[0] ? conf->search[0] : "docker.io";
    }
  _cleanup_free_ char *key = NULL;
  if (auth_registry_key (input, &key, &err) < 0 || auth_remove (authfile, key, &err) < 0)
    {
      error_prefix (&err, "logout");
      return hull_report (&err);
    }
  printf ("Removed login credentials for %s\n", key);
  return 0;
}
