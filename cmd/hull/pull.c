/* hull pull [--platform P] [-q] NAME[:TAG|@DIGEST] */
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

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_pull (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "platform", required_argument, NULL, 'P' }, { "quiet", no_argument, NULL, 'q' },
    { "tls-verify", required_argument, NULL, 'T' }, { "authfile", required_argument, NULL, 'A' },
    { "creds", required_argument, NULL, 'C' }, { "cert-dir", required_argument, NULL, 'D' },
    { "parallel", required_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
    { "signature-policy", required_argument, NULL, 'S' }, {},
  };
  const char *platform = NULL;
  bool quiet = false;
  struct registry_options ropts = { 0 };
  _cleanup_free_ char *user = NULL;
  int parallel = 0;
  const char *sigpolicy = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "qh", opts, NULL)) != -1)
    switch (c)
      {
      case 'P':
        platform = optarg;
        break;
      case 'q':
        quiet = true;
        break;
      case 'T':
        ropts.tls = strcmp (optarg, "false") == 0 ? REGISTRY_TLS_NO_VERIFY : REGISTRY_TLS_VERIFY;
        break;
      case 'A':
        ropts.authfile = optarg;
        break;
      case 'C':
        {
          user = strdup (optarg);
          char *colon = user ? strchr (user, ':') : NULL;
          if (colon == NULL)
            return hull_usage_error ("pull", "--creds needs USER:PASSWORD");
          *colon = '\0';
          ropts.username = user;
          ropts.password = colon + 1;
          break;
        }
      case 'D':
        ropts.cert_dir = optarg;
        break;
      case 'j':
        parallel = atoi (optarg);
        break;
      case 'S':
        sigpolicy = optarg;
        break;
      case 'h':
        printf ("Usage: hull pull [OPTIONS] NAME[:TAG|@DIGEST]\n\n"
                "  --platform os/arch[/variant]  (default: this machine)\n"
                "  -q, --quiet                   print only the image name\n"
                "  --tls-verify=false            allow plain HTTP / unverified TLS\n"
                "  --authfile FILE, --creds USER:PASS, --cert-dir DIR\n"
                "  --signature-policy FILE       policy.json (default: " "/etc/containers/policy.json)\n");
        return 0;
      default:
        return hull_usage_error ("pull", "unknown option");
      }
  if (argc - optind != 1)
    return hull_usage_error ("pull", "requires exactly 1 argument");
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
  int r = image_pull (s, argv[optind], &o, &id, &name, &err);
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
