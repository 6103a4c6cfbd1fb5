/* mountapi.h - the new mount API (Linux >= 5.2; mount_setattr 5.12) with a
 * probe for its presence.  Every mount hull makes inside a container root is
 * attached with move_mount() onto an O_PATH fd that was resolved inside the
 * root, so nothing between resolution and attachment can redirect it (the
 * symlink-exchange race class of mount-target attacks). */
#ifndef HULL_RUNTIME_MOUNTAPI_H
#define HULL_RUNTIME_MOUNTAPI_H

#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

#endif
