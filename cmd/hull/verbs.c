/* verbs.c - the verb table of `hull`.  One line per verb; image_alias lists
 * the names under `hull image` (docker's spellings).  Other modules add
 * their verbs here (login/logout: registry; run, ps...: engine). */
#include "hull.h"

#include <stddef.h>

const struct hull_verb hull_verbs[] = {
  { "images", cmd_images, "List images", "ls list" },
  { "pull", cmd_pull, "Download an image from a registry", "pull" },
  { "push", cmd_push, "Upload an image to a registry", "push" },
  { "rmi", cmd_rmi, "Remove one or more images", "rm rmi" },
  { "tag", cmd_tag, "Give an image another name", "tag" },
  { "inspect", cmd_inspect, "Show an image's metadata as JSON", "inspect" },
  { "history", cmd_history, "Show an image's history", "history" },
  { "save", cmd_save, "Write images to an OCI or docker archive", "save" },
  { "load", cmd_load, "Read images from an OCI or docker archive", "load" },
  { "import", cmd_import, "Create an image from a rootfs tarball", "import" },
  { "export", cmd_export, "Write an image's root filesystem as a tarball", "export" },
  { "prune", cmd_prune, "Remove unused images", "prune" },
  { "image-mount", cmd_mount, "Mount an image's root filesystem", "mount" },
  { "image-unmount", cmd_unmount, "Unmount an image's root filesystem", "unmount umount" },
  { "login", cmd_login, "Log in to a registry", NULL },
  { "logout", cmd_logout, "Log out from a registry", NULL },
  { NULL, NULL, NULL, NULL },
};
