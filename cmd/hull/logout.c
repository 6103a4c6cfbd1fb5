/* hull logout [--authfile F] REGISTRY | --all
 *
 * Removes the credentials hull (or podman) stored for REGISTRY from
 * auth.json; --all removes every one. */
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "registry/auth.h"
#include "registry/registries.h"

#include <stdio.h>
#include <string.h>

struct logout_opts
{
  const char *authfile;
  bool all;
};

static const struct cli_option logout_options[] = {
  CLI_OPT_FLAG ('a', "all", struct logout_opts, all, "remove the credentials of every registry"),
  CLI_OPT_STRING (0, "authfile", struct logout_opts, authfile, "FILE",
                  "the credentials file (as for hull login)"),
  { 0 },
};

static int
logout_run (void *data, void *opts, int argc, char **argv)
{
  (void)data;
  const struct logout_opts *opt = opts;
  const char *authfile = opt->authfile;
  bool all = opt->all;
  _cleanup_error_ struct error *err = NULL;
  if (all)
    {
      if (argc > 0)
        return hull_usage_error ("logout", "--all takes no registry");
      if (auth_remove_all (authfile, &err) < 0)
        return hull_report (&err);
      printf ("Removed login credentials for all registries\n");
      return 0;
    }
  _cleanup_registries_conf_ struct registries_conf *conf = NULL;
  const char *input = argc > 0 ? argv[0] : NULL;
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

const struct cli_command hull_cmd_logout = {
  .name = "logout",
  .summary = "Log out from a registry",
  .args = "[REGISTRY]",
  .description = "Remove the credentials kept for REGISTRY.",
  .options = logout_options,
  .opts_size = sizeof (struct logout_opts),
  .max_args = 1,
  .run = logout_run,
};
