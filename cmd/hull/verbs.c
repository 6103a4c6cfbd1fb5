/* verbs.c - the verb table of `hull`.  One entry per verb; the verb itself
 * (name, summary, arguments, options, handler) is a cli_command in its own
 * file.  An entry may give the verb another name and aliases (`image ls`
 * for `images`).  Adding a verb: define `const struct cli_command
 * hull_cmd_NAME` in cmd/hull/NAME.c, declare it in hull.h, add it below. */
#include "hull.h"

#include <stddef.h>
#include <stdio.h>

/* `hull image VERB`: docker's spellings of the image verbs. */
static const struct cli_entry image_verbs[] = {
  { &hull_cmd_images, "ls", "list" },
  { &hull_cmd_pull },
  { &hull_cmd_push },
  { &hull_cmd_rmi, "rm", "rmi" },
  { &hull_cmd_tag },
  { &hull_cmd_image_inspect, "inspect" },
  { &hull_cmd_history },
  { &hull_cmd_save },
  { &hull_cmd_load },
  { &hull_cmd_import },
  { &hull_cmd_export },
  { &hull_cmd_prune },
  { &hull_cmd_mount, "mount" },
  { &hull_cmd_unmount, "unmount", "umount" },
  { NULL },
};

const struct cli_command hull_cmd_image = {
  .name = "image",
  .summary = "Manage images",
  .sub = image_verbs,
};

#ifdef HULL_HAVE_ENGINE
/* `hull container VERB`: docker's `container` group. */
static const struct cli_entry container_verbs[] = {
  { &hull_cmd_ps, "ls", "list ps" },
  { &hull_cmd_create },
  { &hull_cmd_run },
  { &hull_cmd_start },
  { &hull_cmd_stop },
  { &hull_cmd_kill },
  { &hull_cmd_restart },
  { &hull_cmd_rm, "rm", "remove" },
  { &hull_cmd_logs },
  { &hull_cmd_exec },
  { &hull_cmd_wait },
  { &hull_cmd_pause },
  { &hull_cmd_unpause },
  { &hull_cmd_rename },
  { &hull_cmd_attach },
  { &hull_cmd_top },
  { &hull_cmd_stats },
  { &hull_cmd_cp },
  { &hull_cmd_port },
  { &hull_cmd_diff },
  { &hull_cmd_commit },
  { &hull_cmd_container_inspect, "inspect" },
  /* the monitor's exit command (internal) */
  { &hull_cmd_container_cleanup, .hidden = true },
  { NULL },
};

const struct cli_command hull_cmd_container = {
  .name = "container",
  .summary = "Manage containers",
  .sub = container_verbs,
};
#endif

static int
print_path (const char *path, const struct cli_command *c, void *data)
{
  (void)c;
  (void)data;
  printf ("%s\n", path);
  return 0;
}

/* `hull __verbs`: every verb and sub-verb, one path a line (for tests,
 * completion and manual pages). */
static int
verbs_run (void *ctx, void *opts, int argc, char **argv)
{
  (void)ctx, (void)opts, (void)argc, (void)argv;
  cli_walk (hull_program.root, print_path, NULL);
  return 0;
}

static const struct cli_command verbs_cmd = {
  .name = "__verbs",
  .summary = "List every verb and sub-verb",
  .max_args = 0,
  .run = verbs_run,
};

const struct cli_entry hull_verbs[] = {
  { &hull_cmd_images },
  { &hull_cmd_pull },
  { &hull_cmd_push },
  { &hull_cmd_rmi },
  { &hull_cmd_tag },
#ifdef HULL_HAVE_ENGINE
  { &hull_cmd_inspect },
#endif
  { &hull_cmd_image_inspect, "image-inspect", .hidden = true },
  { &hull_cmd_history },
  { &hull_cmd_save },
  { &hull_cmd_load },
  { &hull_cmd_import },
  { &hull_cmd_export },
  { &hull_cmd_prune },
  { &hull_cmd_mount, "image-mount", .hidden = true },
  { &hull_cmd_unmount, "image-unmount", .hidden = true },
  { &hull_cmd_login },
  { &hull_cmd_logout },
  { &hull_cmd_image },
#ifdef HULL_HAVE_ENGINE
  /* containers (lib/engine) */
  { &hull_cmd_run },
  { &hull_cmd_create },
  { &hull_cmd_start },
  { &hull_cmd_ps },
  { &hull_cmd_logs },
  { &hull_cmd_rm },
  { &hull_cmd_exec },
  { &hull_cmd_stop },
  { &hull_cmd_kill },
  { &hull_cmd_restart },
  { &hull_cmd_wait },
  { &hull_cmd_pause },
  { &hull_cmd_unpause },
  { &hull_cmd_rename },
  { &hull_cmd_attach },
  { &hull_cmd_top },
  { &hull_cmd_stats },
  { &hull_cmd_cp },
  { &hull_cmd_port },
  { &hull_cmd_diff },
  { &hull_cmd_commit },
  { &hull_cmd_system },
  { &hull_cmd_container },
#endif
#ifdef HULL_HAVE_NET
  /* networks (lib/net) */
  { &hull_cmd_network },
#endif
#ifdef HULL_HAVE_VOLUME
  /* volumes (lib/volume) */
  { &hull_cmd_volume },
#endif
#ifdef HULL_HAVE_TRUST
  /* content trust (lib/trust) */
  { &hull_cmd_key },
  { &hull_cmd_sign },
  { &hull_cmd_verify },
#endif
#ifdef HULL_HAVE_SCAN
  /* vulnerability scanning (lib/scan) */
  { &hull_cmd_sbom },
  { &hull_cmd_scan },
#endif
  { &verbs_cmd, .hidden = true },
  { NULL },
};
