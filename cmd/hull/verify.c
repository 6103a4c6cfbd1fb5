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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYS_MAX 16

struct verify_opts
{
  const char *tls_verify, *authfile;
  char **keys, **annotations;
};

static const struct cli_option verify_options[] = {
  CLI_OPT_STRV (0, "key", struct verify_opts, keys, "PUB",
                "PEM public key (repeatable: any of them); required"),
  CLI_OPT_STRV ('a', "annotations", struct verify_opts, annotations, "KEY=VALUE",
                "require this claim in the signature (repeatable)"),
  CLI_OPT_STRING (0, "tls-verify", struct verify_opts, tls_verify, "BOOL",
                  "false: allow plain HTTP and unverified TLS"),
  CLI_OPT_STRING (0, "authfile", struct verify_opts, authfile, "FILE", "the credentials file"),
  { 0 },
};

static int
verify_run (void *data, void *opts, int argc, char **argv)
{
  const struct verify_opts *opt = opts;
  const char *tls = opt->tls_verify, *authfile = opt->authfile;
  char *const *keypaths = opt->keys;
  char **ann = opt->annotations;
  size_t nkeys = 0;
  (void)data, (void)argc;
  while (keypaths && keypaths[nkeys])
    if (++nkeys > KEYS_MAX)
      return hull_usage_error ("verify", "at most %d keys", KEYS_MAX);
  for (size_t i = 0; ann && ann[i]; i++)
    if (strchr (ann[i], '=') == NULL || ann[i][0] == '=')
      return hull_usage_error ("verify", "invalid annotation `%s`: expected KEY=VALUE", ann[i]);
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
    r = hull_trust_resolve (argv[0], tls, authfile, &t, &err);
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
      fprintf (stderr, "hull: `%s` (%s): %s\n", argv[0], t.manifest->digest,
               why ? why : "no valid signature");
      ret = HULL_EXIT_FAIL;
    }
  else
    {
      fprintf (stderr, "Verification for %s@%s --\n", argv[0], t.manifest->digest);
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

const struct cli_command hull_cmd_verify = {
  .name = "verify",
  .summary = "Verify an image's signatures",
  .args = "IMAGE",
  .description = "Verify IMAGE's signatures (cosign's .sig tag and Sigstore bundle referrers).",
  .options = verify_options,
  .opts_size = sizeof (struct verify_opts),
  .min_args = 1,
  .max_args = 1,
  .run = verify_run,
};
