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
  { "inspect", cmd_container_inspect, "Show containers' or images' metadata as JSON", NULL },
  { "image-inspect", cmd_inspect, "Show an image's metadata as JSON", "inspect" },
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
  /* containers (lib/engine) */
  { "run", cmd_run, "Create and run a container", NULL },
  { "create", cmd_create, "Create a container", NULL },
  { "start", cmd_start, "Start stopped containers", NULL },
  { "ps", cmd_ps, "List containers", NULL },
  { "logs", cmd_logs, "Show a container's output", NULL },
  { "rm", cmd_rm, "Remove containers", NULL },
  { "exec", cmd_exec, "Run a command in a running container", NULL },
  { "stop", cmd_stop, "Stop containers", NULL },
  { "kill", cmd_kill, "Send a signal to containers", NULL },
  { "restart", cmd_restart, "Restart containers", NULL },
  { "wait", cmd_wait, "Wait for containers to stop, print their exit codes", NULL },
  { "pause", cmd_pause, "Freeze the processes of containers", NULL },
  { "unpause", cmd_unpause, "Thaw paused containers", NULL },
  { "rename", cmd_rename, "Rename a container", NULL },
  { "attach", cmd_attach, "Attach to a running container's stdio", NULL },
  { "top", cmd_top, "Show a container's processes", NULL },
  { "stats", cmd_stats, "Show containers' resource usage", NULL },
  { "cp", cmd_cp, "Copy files between a container and the host", NULL },
  { "port", cmd_port, "Show a container's published ports", NULL },
  { "diff", cmd_diff, "Show the changes in a container's filesystem", NULL },
  { "commit", cmd_commit, "Create an image from a container", NULL },
  { "system", cmd_system, "Disk usage (df), remove unused data (prune)", NULL },
  { "container", cmd_container, "Manage containers (hull container ls|rm|inspect...)", NULL },
#ifdef HULL_HAVE_NET
  /* networks (lib/net) */
  { "network", cmd_network, "Manage networks (hull network create|ls|rm|inspect|connect...)", NULL },
#endif
#ifdef HULL_HAVE_VOLUME
  { "volume", cmd_volume, "Manage volumes (hull volume create|ls|rm|inspect|prune)", NULL },
#endif
#ifdef HULL_HAVE_TRUST
  /* content trust (lib/trust) */
  { "key", cmd_key, "Manage signing keys (hull key generate)", NULL },
  { "sign", cmd_sign, "Sign an image in its registry", NULL },
  { "verify", cmd_verify, "Verify an image's signatures", NULL },
#endif
#ifdef HULL_HAVE_SCAN
  /* vulnerability scanning (lib/scan) */
  { "sbom", cmd_sbom, "List the packages in an image or a container", NULL },
  { "scan", cmd_scan, "Scan images and containers for vulnerabilities (also: scan db, scan summary)", NULL },
#endif
  { NULL, NULL, NULL, NULL },
};
