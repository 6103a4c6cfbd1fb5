/* hull export [-o FILE] IMAGE: the image's root filesystem as a tar.
 * (Containers come with the engine: it calls tar_directory on their root.) */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/create.h"
#include "image/images.h"
#include "image/snapshot.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
cmd_export (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' }, {},
  };
  const char *out = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "o:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'o':
        out = optarg;
        break;
      case 'h':
        printf ("Usage: hull export [-o FILE] IMAGE\n\nWrite the image's root filesystem as a "
                "tar archive (to stdout by default).\n");
        return 0;
      default:
        return hull_usage_error ("export", "unknown option");
      }
  if (argc - optind != 1)
    return hull_usage_error ("export", "requires exactly one IMAGE");
  _cleanup_error_ struct error *err = NULL;
  if (out == NULL && isatty (1))
    {
      error_set (&err, EINVAL, "refusing to write a tar archive to a terminal (use -o FILE)");
      return hull_report (&err);
    }
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    return hull_report (&err);
  _cleanup_image_info_ struct image_info *img = NULL;
  if (image_store_resolve (s, argv[optind], &img, &err) < 0)
    return hull_report (&err);
  _cleanup_close_ int fd = out ? open (out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : dup (1);
  if (fd < 0)
    {
      error_errno (&err, errno, "open `%s`", out);
      return hull_report (&err);
    }
  char id[64];
  snprintf (id, sizeof id, "export-%d-%lld", (int) getpid (), (long long) time (NULL));
  int r = snapshot_create (s, id, img->id, &err);
  if (r < 0)
    return hull_report (&err);
  _cleanup_free_ char *mp = NULL;
  r = snapshot_mount (s, id, NULL, &mp, &err);
  if (r == 0)
    {
      _cleanup_close_ int dfd = open (mp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0)
        r = error_errno (&err, errno, "open `%s`", mp);
      else
        r = tar_directory (dfd, fd, &err);
    }
  struct error *e2 = NULL;
  if (snapshot_remove (s, id, &e2) < 0)
    {
      if (r == 0)
        {
          err = e2;
          r = -1;
        }
      else
        error_free (e2);
    }
  if (r < 0)
    {
      if (out)
        unlink (out);
      return hull_report (&err);
    }
  return 0;
}
