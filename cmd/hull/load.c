/* hull load [-i FILE] [-q]: images from an OCI or docker archive. */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "image/saveload.h"
#include "image/store.h"
#include "registry/reference.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
cmd_load (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "input", required_argument, NULL, 'i' }, { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' }, {},
  };
  const char *in = NULL;
  bool quiet = false;
  int c;
  while ((c = getopt_long (argc, argv, "i:qh", opts, NULL)) != -1)
    switch (c)
      {
      case 'i':
        in = optarg;
        break;
      case 'q':
        quiet = true;
        break;
      case 'h':
        printf ("Usage: hull load [-i FILE] [-q]\n\nLoad images from an OCI or docker archive "
                "(stdin by default; gzip, zstd or xz compressed archives too).\n");
        return 0;
      default:
        return hull_usage_error ("load", "unknown option");
      }
  if (optind < argc)
    return hull_usage_error ("load", "takes no arguments (use -i FILE)");
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
  _cleanup_strv_ char **loaded = NULL;
  if (image_load (s, fd, &loaded, &err) < 0)
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
