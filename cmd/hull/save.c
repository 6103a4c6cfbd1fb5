/* hull save [-o FILE] [--format oci-archive|docker-archive] IMAGE... */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/saveload.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct save_opts
{
  const char *output, *format;
};

static const struct cli_option save_options[] = {
  CLI_OPT_STRING ('o', "output", struct save_opts, output, "FILE",
                  "write to FILE instead of stdout"),
  CLI_OPT_STRING (0, "format", struct save_opts, format, "FORMAT",
                  "oci-archive or docker-archive (default)"),
  { 0 },
};

static int
save_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct save_opts *opt = opts;
  const char *out = opt->output, *f = opt->format;
  enum image_archive_format fmt = IMAGE_ARCHIVE_DOCKER;
  (void)argc;
  if (f == NULL)
    ;
  else if (strcmp (f, "oci-archive") == 0 || strcmp (f, "oci") == 0)
    fmt = IMAGE_ARCHIVE_OCI;
  else if (strcmp (f, "docker-archive") == 0 || strcmp (f, "docker") == 0)
    fmt = IMAGE_ARCHIVE_DOCKER;
  else
    return hull_usage_error ("save", "unknown format `%s` (oci-archive, docker-archive)", f);
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
  int r = image_save (s, argv, fmt, fd, &err);
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

const struct cli_command hull_cmd_save = {
  .name = "save",
  .summary = "Write images to an OCI or docker archive",
  .args = "IMAGE [IMAGE...]",
  .description = "Write images to a tar archive (stdout by default), docker-archive by default.",
  .options = save_options,
  .opts_size = sizeof (struct save_opts),
  .min_args = 1,
  .max_args = -1,
  .run = save_run,
};
