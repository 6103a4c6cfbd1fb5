/* hull pull [--platform P] [-q] [--signature-policy FILE] NAME[:TAG|@DIGEST] */
#include "hull.h"
#include "progress.h"
#include "trust-cmd.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/manifest.h"
#include "image/store.h"
#include "image/transfer.h"
#include "registry/client.h"
#include "registry/registries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pull_opts
{
  const char *platform, *parallel;
  const char *sigpolicy; /* --signature-policy (lib/trust) */
  bool quiet;
  struct hull_registry_flags reg;
};

static const struct cli_option pull_options[] = {
  CLI_OPT_STRING (0, "platform", struct pull_opts, platform, "OS/ARCH[/VARIANT]",
                  "the platform to pull (default: this machine)"),
  CLI_OPT_FLAG ('q', "quiet", struct pull_opts, quiet, "print only the image name"),
  HULL_REGISTRY_OPTIONS (struct pull_opts, reg),
  CLI_OPT_STRING (0, "parallel", struct pull_opts, parallel, "N", "layers fetched at once"),
  CLI_OPT_STRING (0, "signature-policy", struct pull_opts, sigpolicy, "FILE",
                  "policy.json (default: /etc/containers/policy.json)"),
  { 0 },
};

static int
pull_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct pull_opts *opt = opts;
  const char *platform = opt->platform, *sigpolicy = opt->sigpolicy;
  bool quiet = opt->quiet;
  struct registry_options ropts = { 0 };
  _cleanup_free_ char *user = NULL;
  int parallel = opt->parallel ? atoi (opt->parallel) : 0;
  int rc = hull_registry_flags_apply ("pull", &opt->reg, &ropts, &user);
  if (rc)
    return rc;
  (void)argc;
  _cleanup_error_ struct error *err = NULL;
  struct platform p = { 0 };
  if (platform && platform_parse (platform, &p, &err) < 0)
    return hull_report (&err);
  _cleanup_registries_conf_ struct registries_conf *conf = NULL;
  if (registries_conf_load (NULL, &conf, &err) < 0)
    {
      platform_clear (&p);
      return hull_report (&err);
    }
  ropts.conf = conf;
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    {
      platform_clear (&p);
      return hull_report (&err);
    }
  struct progress *pr = progress_new (stdout, quiet, "pull");
  struct image_pull_opts o = {
    .platform = platform ? &p : NULL,
    .registry = &ropts,
    .parallel = parallel,
    .progress = progress_ops (pr),
  };
#ifdef HULL_HAVE_TRUST
  if (hull_trust_pull_opts (sigpolicy, &o, &err) < 0)
    {
      progress_finish (pr);
      platform_clear (&p);
      return hull_report (&err);
    }
#else
  if (sigpolicy)
    {
      progress_finish (pr);
      platform_clear (&p);
      return hull_usage_error ("pull", "--signature-policy: built without content trust");
    }
#endif
  _cleanup_free_ char *id = NULL, *name = NULL;
  int r = image_pull (s, argv[0], &o, &id, &name, &err);
  progress_finish (pr);
  platform_clear (&p);
  if (r < 0)
    return hull_report (&err);
  if (quiet)
    printf ("%s\n", name);
  else
    printf ("Image: %s\nID: %s\n", name, id);
  return 0;
}

const struct cli_command hull_cmd_pull = {
  .name = "pull",
  .summary = "Download an image from a registry",
  .args = "NAME[:TAG|@DIGEST]",
  .options = pull_options,
  .opts_size = sizeof (struct pull_opts),
  .min_args = 1,
  .max_args = 1,
  .run = pull_run,
};
