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
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
usage (FILE *f)
{
  fprintf (f, "Usage: hull import [OPTIONS] FILE|- [REPOSITORY[:TAG]]\n\n"
              "Create an image from a rootfs tarball (plain, gzip or zstd).\n\n"
              "  -c, --change INSTR  CMD, ENTRYPOINT (JSON array), ENV k=v, WORKDIR dir\n"
              "  -m, --message MSG   history comment\n"
              "      --platform P    os/arch[/variant] to record (default: the host)\n"
              "  -q, --quiet         print nothing but the id\n");
}

/* --change "CMD [\"a\",\"b\"]" or "CMD a b" (shell form -> /bin/sh -c). */
static int
parse_change (const char *s, char ***env, char ***cmd, char ***ep, char **wd, struct error **err)
{
  const char *sp = strchr (s, ' ');
  if (sp == NULL)
    return error_set (err, EINVAL, "invalid --change `%s`", s);
  size_t kl = (size_t) (sp - s);
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
          if (asprintf (&kv, "%.*s=%s", (int) (vs - val), val, vs + 1) < 0)
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

int
cmd_import (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "change", required_argument, NULL, 'c' }, { "message", required_argument, NULL, 'm' },
    { "platform", required_argument, NULL, 'P' }, { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' }, {},
  };
  _cleanup_error_ struct error *err = NULL;
  _cleanup_strv_ char **env = NULL, **cmd = NULL, **ep = NULL;
  _cleanup_free_ char *wd = NULL;
  const char *message = NULL, *platform = NULL;
  bool quiet = false;
  int c;
  while ((c = getopt_long (argc, argv, "c:m:qh", opts, NULL)) != -1)
    switch (c)
      {
      case 'c':
        if (parse_change (optarg, &env, &cmd, &ep, &wd, &err) < 0)
          return hull_report (&err);
        break;
      case 'm':
        message = optarg;
        break;
      case 'P':
        platform = optarg;
        break;
      case 'q':
        quiet = true;
        break;
      case 'h':
        usage (stdout);
        return 0;
      default:
        return hull_usage_error ("import", "unknown option");
      }
  if (argc - optind < 1 || argc - optind > 2)
    return hull_usage_error ("import", "requires FILE|- and an optional REPOSITORY[:TAG]");
  const char *file = argv[optind];
  _cleanup_free_ char *name = NULL;
  if (argc - optind == 2 && hull_normalize_tag (argv[optind + 1], &name, &err) < 0)
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
  (void) quiet;
  printf ("%s\n", id);
  return 0;
}
