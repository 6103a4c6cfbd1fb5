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
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct export_opts
{
  const char *output;
};

static const struct cli_option export_options[] = {
  CLI_OPT_STRING ('o', "output", struct export_opts, output, "FILE",
                  "write to FILE instead of stdout"),
  { 0 },
};

static int
export_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const char *out = ((const struct export_opts *)opts)->output;
  (void)argc;
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
  if (image_store_resolve (s, argv[0], &img, &err) < 0)
    return hull_report (&err);
  _cleanup_close_ int fd
      = out ? open (out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : dup (1);
  if (fd < 0)
    {
      error_errno (&err, errno, "open `%s`", out);
      return hull_report (&err);
    }
  char id[64];
  snprintf (id, sizeof id, "export-%d-%lld", (int)getpid (), (long long)time (NULL));
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

const struct cli_command hull_cmd_export = {
  .name = "export",
  .summary = "Write an image's root filesystem as a tarball",
  .args = "IMAGE",
  .description = "Write the image's root filesystem as a tar archive (to stdout by default).",
  .options = export_options,
  .opts_size = sizeof (struct export_opts),
  .min_args = 1,
  .max_args = 1,
  .run = export_run,
};
