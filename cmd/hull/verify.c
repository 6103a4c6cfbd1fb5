/* hull verify --key PUB [-a K=V]... IMAGE
 *
 * Resolves IMAGE once, finds its signatures in both formats, checks each
 * against the key(s) over the exact signed bytes, then parses strictly and
 * compares the signed digest with the resolved one.  Prints each verified
 * payload (one JSON document a line) on stdout, what was checked on stderr;
 * exit 1 with the reason when no signature verifies. */
#include "hull.h"
#include "trust-cmd.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "registry/client.h"
#include "registry/reference.h"
#include "trust/trust.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYS_MAX 16

int
cmd_verify (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "key", required_argument, NULL, 'k' },
    { "annotations", required_argument, NULL, 'a' },
    { "tls-verify", required_argument, NULL, 'T' },
    { "authfile", required_argument, NULL, 'A' },
    { "help", no_argument, NULL, 'h' },
    {},
  };
  const char *keypaths[KEYS_MAX];
  size_t nkeys = 0;
  const char *tls = NULL, *authfile = NULL;
  _cleanup_strv_ char **ann = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long (argc, argv, "a:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'k':
        if (nkeys == KEYS_MAX)
          return hull_usage_error ("verify", "at most %d keys", KEYS_MAX);
        keypaths[nkeys++] = optarg;
        break;
      case 'a':
        if (strchr (optarg, '=') == NULL || optarg[0] == '=')
          return hull_usage_error ("verify", "invalid annotation `%s`: expected KEY=VALUE", optarg);
        if (strv_push (&ann, optarg) < 0)
          return HULL_EXIT_FAIL;
        break;
      case 'T':
        tls = optarg;
        break;
      case 'A':
        authfile = optarg;
        break;
      case 'h':
        printf ("Usage: hull verify --key PUB [OPTIONS] IMAGE\n\n"
                "Verify IMAGE's signatures (cosign's .sig tag and Sigstore bundle referrers).\n"
                "  --key PUB              PEM public key (repeatable: any of them)\n"
                "  -a, --annotations K=V  require this claim in the signature (repeatable)\n"
                "  --tls-verify=false     allow plain HTTP / unverified TLS\n"
                "  --authfile FILE\n");
        return 0;
      default:
        return hull_usage_error ("verify", "unknown option");
      }
  if (argc - optind != 1)
    return hull_usage_error ("verify", "requires exactly 1 argument");
  if (nkeys == 0)
    return hull_usage_error ("verify", "--key is required (keyless verification is not "
                                       "supported)");
  _cleanup_error_ struct error *err = NULL;
  struct trust_key *keys[KEYS_MAX] = { 0 };
  int r = 0;
  for (size_t i = 0; i < nkeys && r == 0; i++)
    r = trust_key_load_public_file (keypaths[i], &keys[i], &err);
  struct hull_trust_target t = { 0 };
  struct trust_result *res = NULL;
  if (r == 0)
    r = hull_trust_resolve (argv[optind], tls, authfile, &t, &err);
  if (r == 0)
    {
      struct trust_verify_opts o = { .keys = keys, .nkeys = nkeys, .annotations = ann };
      r = trust_verify_image (t.client, t.manifest->digest, &o, &res, &err);
    }
  int ret = 0;
  if (r < 0)
    ret = hull_report (&err);
  else if (res->nok == 0)
    {
      _cleanup_free_ char *why = trust_result_reason (res);
      fprintf (stderr, "hull: `%s` (%s): %s\n", argv[optind], t.manifest->digest,
               why ? why : "no valid signature");
      ret = HULL_EXIT_FAIL;
    }
  else
    {
      fprintf (stderr, "Verification for %s@%s --\n", argv[optind], t.manifest->digest);
      fprintf (stderr, "The following checks were performed on each of these signatures:\n"
                       "  - the signature was verified against the given public key over the\n"
                       "    exact signed bytes, before they were parsed\n"
                       "  - the payload parsed strictly and its digest is the image's\n");
      if (ann)
        fprintf (stderr, "  - the annotations given with -a are in the signature\n");
      fprintf (stderr, "  - not checked: transparency log, certificates (keyless)\n");
      for (size_t i = 0; i < res->nok; i++)
        {
          fprintf (stderr, "%s signature (%s) by `%s`, identity `%s`\n",
                   trust_format_name (res->ok[i].format), res->ok[i].source, res->ok[i].key,
                   res->ok[i].identity);
          printf ("%s\n", res->ok[i].payload);
        }
    }
  trust_result_free (res);
  hull_trust_target_clear (&t);
  for (size_t i = 0; i < nkeys; i++)
    trust_key_free (keys[i]);
  return ret;
}
