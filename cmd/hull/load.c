/* hull load [-i FILE] [-q] [--signature-policy FILE]: images from an OCI
 * or docker archive, each checked against the signature policy first. */
#include "hull.h"
#include "util.h"
#ifdef HULL_HAVE_TRUST
#include "trust-cmd.h"
#endif

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "image/saveload.h"
#include "image/store.h"
#include "registry/reference.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct load_opts
{
  const char *input;
  bool quiet;
  const char *sigpolicy; /* --signature-policy (lib/trust) */
};

static const struct cli_option load_options[] = {
  CLI_OPT_STRING ('i', "input", struct load_opts, input, "FILE", "read from FILE instead of stdin"),
  CLI_OPT_FLAG ('q', "quiet", struct load_opts, quiet, "print nothing"),
  CLI_OPT_STRING (0, "signature-policy", struct load_opts, sigpolicy, "FILE",
                  "check each image against policy.json FILE (default: "
                  "/etc/containers/policy.json when it exists)"),
  { 0 },
};

static int
load_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct load_opts *opt = opts;
  const char *in = opt->input;
  bool quiet = opt->quiet;
  (void)argc, (void)argv;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_close_ int fd = in ? open (in, O_RDONLY | O_CLOEXEC) : dup (0);
  if (fd < 0)
    {
      error_errno (&err, errno, "open `%s`", in);
      return hull_report (&err);
    }
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  struct image_load_opts lo = { 0 };
#ifdef HULL_HAVE_TRUST
  if (hull_trust_load_opts (opt->sigpolicy, in, &lo, &err) < 0)
    return hull_report (&err);
#else
  if (opt->sigpolicy)
    return hull_usage_error ("load", "--signature-policy: built without content trust");
#endif
  _cleanup_strv_ char **loaded = NULL;
  if (image_load_with (s, fd, &lo, &loaded, &err) < 0)
    {
      if (in)
        error_prefix (&err, "load `%s`", in);
      return hull_report (&err);
    }
  for (size_t i = 0; !quiet && loaded && loaded[i]; i++)
    {
      if (strncmp (loaded[i], "sha256:", 7) == 0)
        {
          printf ("Loaded image ID: %s\n", loaded[i]);
          continue;
        }
      struct error *e = NULL;
      _cleanup_reference_ struct reference *r = NULL;
      _cleanup_free_ char *fam = NULL;
      if (reference_parse (loaded[i], 0, &r, &e) == 0)
        fam = reference_familiar (r);
      error_free (e);
      printf ("Loaded image: %s\n", fam ? fam : loaded[i]);
    }
  return 0;
}

const struct cli_command hull_cmd_load = {
  .name = "load",
  .summary = "Read images from an OCI or docker archive",
  .description = "Load images from an OCI or docker archive (stdin by default; gzip, zstd or xz "
                 "compressed archives too).",
  .options = load_options,
  .opts_size = sizeof (struct load_opts),
  .max_args = 0,
  .run = load_run,
};
