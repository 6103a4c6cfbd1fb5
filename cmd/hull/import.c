/* hull import FILE|- [REPOSITORY[:TAG]]: a rootfs tarball as an image. */
#include "hull.h"
#include "util.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "image/create.h"
#include "image/manifest.h"
#include "image/store.h"
#include "image/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* --change "CMD [\"a\",\"b\"]" or "CMD a b" (shell form -> /bin/sh -c). */
static int
parse_change (const char *s, char ***env, char ***cmd, char ***ep, char **wd, struct error **err)
{
  const char *sp = strchr (s, ' ');
  if (sp == NULL)
    return error_set (err, EINVAL, "invalid --change `%s`", s);
  size_t kl = (size_t)(sp - s);
  const char *val = sp + 1;
  char ***target = NULL;
  if (kl == 3 && strncasecmp (s, "ENV", 3) == 0)
    {
      const char *eq = strchr (val, '=');
      if (eq == NULL)
        {
          /* "ENV k v" */
          const char *vs = strchr (val, ' ');
          if (vs == NULL)
            return error_set (err, EINVAL, "invalid --change `%s`", s);
          char *kv = NULL;
          if (asprintf (&kv, "%.*s=%s", (int)(vs - val), val, vs + 1) < 0)
            return error_set (err, ENOMEM, "out of memory");
          return strv_consume (env, kv);
        }
      return strv_push (env, val);
    }
  if (kl == 7 && strncasecmp (s, "WORKDIR", 7) == 0)
    {
      free (*wd);
      *wd = strdup (val);
      return 0;
    }
  if (kl == 3 && strncasecmp (s, "CMD", 3) == 0)
    target = cmd;
  else if (kl == 10 && strncasecmp (s, "ENTRYPOINT", 10) == 0)
    target = ep;
  else
    return error_set (err, EINVAL, "unsupported --change `%s` (CMD, ENTRYPOINT, ENV, WORKDIR)", s);
  strv_free (*target);
  *target = NULL;
  if (val[0] == '[')
    {
      json_object *a = json_tokener_parse (val);
      if (a == NULL || json_object_get_type (a) != json_type_array)
        {
          if (a)
            json_object_put (a);
          return error_set (err, EINVAL, "invalid JSON array in --change `%s`", s);
        }
      for (size_t i = 0; i < json_object_array_length (a); i++)
        strv_push (target, json_object_get_string (json_object_array_get_idx (a, i)));
      json_object_put (a);
      return 0;
    }
  strv_push (target, "/bin/sh");
  strv_push (target, "-c");
  return strv_push (target, val);
}

struct import_opts
{
  char **changes;
  const char *message, *platform;
  bool quiet;
};

static const struct cli_option import_options[] = {
  CLI_OPT_STRV ('c', "change", struct import_opts, changes, "INSTR",
                "CMD, ENTRYPOINT (JSON array), ENV k=v, WORKDIR dir"),
  CLI_OPT_STRING ('m', "message", struct import_opts, message, "MSG", "history comment"),
  CLI_OPT_STRING (0, "platform", struct import_opts, platform, "P",
                  "os/arch[/variant] to record (default: the host)"),
  CLI_OPT_FLAG ('q', "quiet", struct import_opts, quiet, "print nothing but the id"),
  { 0 },
};

static int
import_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct import_opts *opt = opts;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_strv_ char **env = NULL, **cmd = NULL, **ep = NULL;
  _cleanup_free_ char *wd = NULL;
  const char *message = opt->message, *platform = opt->platform;
  for (size_t i = 0; opt->changes && opt->changes[i]; i++)
    if (parse_change (opt->changes[i], &env, &cmd, &ep, &wd, &err) < 0)
      return hull_report (&err);
  const char *file = argv[0];
  _cleanup_free_ char *name = NULL;
  if (argc == 2 && hull_normalize_tag (argv[1], &name, &err) < 0)
    return hull_report (&err);
  struct platform p = { 0 };
  if (platform && platform_parse (platform, &p, &err) < 0)
    return hull_report (&err);
  int fd = strcmp (file, "-") == 0 ? dup (0) : open (file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      error_errno (&err, errno, "open `%s`", file);
      platform_clear (&p);
      return hull_report (&err);
    }
  _cleanup_image_store_ struct image_store *s = NULL;
  if (hull_open_store (ctx, &s, &err) < 0)
    {
      close (fd);
      platform_clear (&p);
      return hull_report (&err);
    }
  struct image_import_opts o = {
    .platform = platform ? &p : NULL,
    .name = name,
    .env = env,
    .cmd = cmd,
    .entrypoint = ep,
    .workdir = wd,
    .message = message,
  };
  _cleanup_free_ char *id = NULL;
  struct stream *in = stream_fd_new (fd, true);
  int r = in ? image_import (s, in, &o, &id, &err) : error_set (&err, ENOMEM, "out of memory");
  platform_clear (&p);
  if (r < 0)
    {
      error_prefix (&err, "import `%s`", file);
      return hull_report (&err);
    }
  printf ("%s\n", id);
  return 0;
}

const struct cli_command hull_cmd_import = {
  .name = "import",
  .summary = "Create an image from a rootfs tarball",
  .args = "FILE|- [REPOSITORY[:TAG]]",
  .description = "Create an image from a rootfs tarball (plain, gzip or zstd).",
  .options = import_options,
  .opts_size = sizeof (struct import_opts),
  .min_args = 1,
  .max_args = 2,
  .run = import_run,
};
