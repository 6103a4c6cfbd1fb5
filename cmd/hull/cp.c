/* hull cp [-L] SRC DEST: between a container and the host, either way;
 * CONTAINER:PATH names the container's side, "-" a tar on stdin/stdout.
 * The copying itself is the engine's (engine_copy_out, engine_copy_in).
 */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "name:path" -> the container part (malloc'd) and the path; NULL when the
 * argument is a local path (docker: a colon before any slash). */
static char *
split_ref (const char *arg, const char **path)
{
  const char *colon = strchr (arg, ':');
  if (colon == NULL || colon == arg)
    return NULL;
  const char *slash = strchr (arg, '/');
  if (slash && slash < colon)
    return NULL;
  *path = colon + 1;
  return strndup (arg, (size_t)(colon - arg));
}

struct cp_opts
{
  bool archive, follow, quiet;
};

static const struct cli_option cp_options[] = {
  CLI_OPT_FLAG ('a', "archive", struct cp_opts, archive, "accepted (owners are always kept)"),
  CLI_OPT_FLAG ('L', "follow-link", struct cp_opts, follow, "follow a symlink given as SRC_PATH"),
  CLI_OPT_FLAG ('q', "quiet", struct cp_opts, quiet, "accepted for compatibility"),
  { 0 },
};

static int
cp_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  bool follow = ((const struct cp_opts *)opts)->follow;
  (void)argc;
  const char *src = argv[0], *dst = argv[1], *spath = NULL, *dpath = NULL;
  _cleanup_free_ char *sref = split_ref (src, &spath), *dref = split_ref (dst, &dpath);
  if ((sref == NULL) == (dref == NULL))
    return hull_usage_error ("cp", "one side must be CONTAINER:PATH, the other a local path "
                                   "(or -)");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  if (hull_open_engine (ctx, &e, &err) < 0)
    return hull_report (&err);
  int r
      = sref
            ? engine_copy_out (e, sref, spath, strcmp (dst, "-") == 0 ? NULL : dst, 1, follow, &err)
            : engine_copy_in (e, strcmp (src, "-") == 0 ? NULL : src, 0, dref, dpath, follow, &err);
  if (r < 0)
    return hull_report (&err);
  return 0;
}

const struct cli_command hull_cmd_cp = {
  .name = "cp",
  .summary = "Copy files between a container and the host",
  .args = "CONTAINER:SRC_PATH DEST_PATH|-  or  SRC_PATH|- CONTAINER:DEST_PATH",
  .description = "Copy files between a container and the host (modes, owners and times kept).",
  .options = cp_options,
  .opts_size = sizeof (struct cp_opts),
  .min_args = 2,
  .max_args = 2,
  .run = cp_run,
};
