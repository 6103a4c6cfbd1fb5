/* hull save [-o FILE] [--format oci-archive|docker-archive] IMAGE... */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/saveload.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
cmd_save (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' }, { "format", required_argument, NULL, 'F' },
    { "help", no_argument, NULL, 'h' }, {},
  };
  const char *out = NULL;
  enum image_archive_format fmt = IMAGE_ARCHIVE_DOCKER;
  int c;
  while ((c = getopt_long (argc, argv, "o:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'o':
        out = optarg;
        break;
      case 'F':
        if (strcmp (optarg, "oci-archive") == 0 || strcmp (optarg, "oci") == 0)
          fmt = IMAGE_ARCHIVE_OCI;
        else if (strcmp (optarg, "docker-archive") == 0 || strcmp (optarg, "docker") == 0)
          fmt = IMAGE_ARCHIVE_DOCKER;
        else
          return hull_usage_error ("save", "unknown format `%s` (oci-archive, docker-archive)",
                                   optarg);
        break;
      case 'h':
        printf ("Usage: hull save [-o FILE] [--format oci-archive|docker-archive] IMAGE...\n\n"
                "Write images to a tar archive (stdout by default), docker-archive by default.\n");
        return 0;
      default:
        return hull_usage_error ("save", "unknown option");
      }
  if (optind >= argc)
    return hull_usage_error ("save", "requires at least 1 argument");
  _cleanup_error_ struct error *err = NULL;
  if (out == NULL && isatty (1))
    {
      error_set (&err, EINVAL, "refusing to write an archive to a terminal (use -o FILE)");
      return hull_report (&err);
    }
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  /* write next to the target and rename: a failed save leaves no file */
  _cleanup_free_ char *tmp = NULL;
  int fd;
  if (out)
    {
      if (asprintf (&tmp, "%s.tmp-XXXXXX", out) < 0)
        return HULL_EXIT_FAIL;
      fd = mkostemp (tmp, O_CLOEXEC);
      if (fd < 0)
        {
          error_errno (&err, errno, "create `%s`", out);
          return hull_report (&err);
        }
      fchmod (fd, 0644);
    }
  else
    fd = dup (1);
  int r = image_save (s, argv + optind, fmt, fd, &err);
  if (r == 0 && out && fsync (fd) < 0)
    r = error_errno (&err, errno, "write `%s`", out);
  close (fd);
  if (r == 0 && out && rename (tmp, out) < 0)
    r = error_errno (&err, errno, "rename to `%s`", out);
  if (r < 0)
    {
      if (tmp)
        unlink (tmp);
      return hull_report (&err);
    }
  return 0;
}
