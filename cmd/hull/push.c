/* hull push [-q] IMAGE [DESTINATION] */
#include "hull.h"
#include "progress.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/store.h"
#include "image/transfer.h"
#include "registry/client.h"
#include "registry/registries.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_push (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' }, { "tls-verify", required_argument, NULL, 'T' },
    { "authfile", required_argument, NULL, 'A' }, { "creds", required_argument, NULL, 'C' },
    { "cert-dir", required_argument, NULL, 'D' }, { "help", no_argument, NULL, 'h' }, {},
  };
  bool quiet = false;
  struct registry_options ropts = { 0 };
  _cleanup_free_ char *user = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "qh", opts, NULL)) != -1)
    switch (c)
      {
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
            return hull_usage_error ("push", "--creds needs USER:PASSWORD");
          *colon = '\0';
          ropts.username = user;
          ropts.password = colon + 1;
          break;
        }
      case 'D':
        ropts.cert_dir = optarg;
        break;
      case 'h':
        printf ("Usage: hull push [OPTIONS] IMAGE [DESTINATION]\n\n"
                "  -q, --quiet   no progress\n  --tls-verify=false, --authfile FILE, "
                "--creds USER:PASS, --cert-dir DIR\n");
        return 0;
      default:
        return hull_usage_error ("push", "unknown option");
      }
  if (argc - optind < 1 || argc - optind > 2)
    return hull_usage_error ("push", "requires IMAGE and an optional DESTINATION");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_registries_conf_ struct registries_conf *conf = NULL;
  if (registries_conf_load (NULL, &conf, &err) < 0)
    return hull_report (&err);
  ropts.conf = conf;
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  struct progress *pr = progress_new (stdout, quiet, "push");
  struct image_push_opts o = { .registry = &ropts, .progress = progress_ops (pr) };
  _cleanup_free_ char *digest = NULL;
  int r = image_push (s, argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL, &o, &digest,
                      &err);
  progress_finish (pr);
  if (r < 0)
    return hull_report (&err);
  if (!quiet)
    printf ("Digest: %s\n", digest);
  return 0;
}
