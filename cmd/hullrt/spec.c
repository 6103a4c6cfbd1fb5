#include "hullrt.h"

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "oci/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
verb_spec (struct globals *g, int argc, char **argv)
{
  const char *bundle = ".";
  bool rootless = false;
  const struct cli_option opts[] = {
    { "bundle", 'b', CLI_STRING, &bundle, "where to write config.json", "DIR" },
    { "rootless", 0, CLI_FLAG, &rootless, "a config for unprivileged users" },
    { 0 },
  };
  int pos, r = parse_verb (opts, argc, argv, &pos, 0, 0, "spec [--bundle DIR] [--rootless]");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  _cleanup_free_ char *path = fs_path_join (bundle, "config.json");
  if (access (path, F_OK) == 0)
    {
      log_error ("`%s` exists: remove it first", path);
      return 1;
    }
  json_object *o = oci_spec_default (rootless);
  const char *text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY
                                                            | JSON_C_TO_STRING_NOSLASHESCAPE);
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  int ret = 0;
  if (fd < 0 || fs_write_all (fd, text, strlen (text)) < 0 || fs_write_all (fd, "\n", 1) < 0)
    {
      log_error ("write `%s`: %s", path, strerror (errno));
      ret = 1;
    }
  json_object_put (o);
  return ret;
}

int
verb_features (struct globals *g, int argc, char **argv)
{
  const struct cli_option opts[] = { { 0 } };
  int pos, r = parse_verb (opts, argc, argv, &pos, 0, 0, "features");
  if (r <= 0)
    return r == 0 ? 0 : 1;
  json_object *o = oci_features ();
  printf ("%s\n", json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
  return 0;
}
