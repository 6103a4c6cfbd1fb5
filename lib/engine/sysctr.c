/* sysctr.c - system containers: `hull run --systemd=true|false|always`, as
 * podman spells it.
 *
 * A container whose command is an init (systemd, /sbin/init), or any
 * container with `always`, gets what systemd needs to boot as its pid 1:
 * tmpfs on /run, /run/lock, /tmp and /var/log/journal; its own cgroup
 * writable through the cgroup namespace (on a v1 host only the named
 * `systemd` hierarchy, and `unified` when the host has one: the resource
 * controllers stay read-only so the container cannot raise its own limits);
 * `container=hull` in the environment (systemd's container detection); an
 * /etc/machine-id made from the container id (written in a writable root
 * whose image has none, else bound read-only); and SIGRTMIN+3 as the stop
 * signal, which systemd takes as "halt", so `hull stop` shuts it down
 * cleanly instead of killing it after the timeout.
 */
#include "engine/build.h"
#include "engine/spec.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

int
ctr_parse_systemd (const char *v, int *out, struct error **err)
{
  if (strcmp (v, "true") == 0)
    *out = CTR_SYSTEMD_TRUE;
  else if (strcmp (v, "false") == 0)
    *out = CTR_SYSTEMD_FALSE;
  else if (strcmp (v, "always") == 0)
    *out = CTR_SYSTEMD_ALWAYS;
  else
    return error_set (err, EINVAL, "invalid --systemd `%s` (true, false or always)", v);
  return 0;
}

const char *
ctr_systemd_name (int mode)
{
  return mode == CTR_SYSTEMD_FALSE ? "false" : mode == CTR_SYSTEMD_ALWAYS ? "always" : "true";
}

bool
ctr_systemd_active (const struct ctr_spec *s)
{
  if (s->systemd == CTR_SYSTEMD_ALWAYS)
    return true;
  if (s->systemd == CTR_SYSTEMD_FALSE)
    return false;
  /* the first word of what runs: the entrypoint, else the command */
  const char *cmd = s->entrypoint && s->entrypoint[0] ? s->entrypoint[0]
                    : s->cmd && s->cmd[0]             ? s->cmd[0]
                                                      : NULL;
  if (cmd == NULL)
    return false;
  const char *base = strrchr (cmd, '/');
  base = base ? base + 1 : cmd;
  return strcmp (base, "init") == 0 || strcmp (base, "systemd") == 0;
}

int
ctr_systemd_prepare (struct ctr_spec *s, struct error **err)
{
  if (!ctr_systemd_active (s))
    return 0;
  bool has_container = false;
  for (size_t i = 0; s->env && s->env[i]; i++)
    has_container |= str_has_prefix (s->env[i], "container=");
  if (!has_container && ctr_env_set (&s->env, "container=hull") < 0)
    return error_set (err, ENOMEM, "out of memory");
  if (s->stop_signal == NULL && (s->stop_signal = strdup ("SIGRTMIN+3")) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  return 0;
}

static bool
user_mounted (const struct ctr_spec *s, const char *dest)
{
  for (size_t i = 0; i < s->n_mounts; i++)
    if (s->mounts[i].target && strcmp (s->mounts[i].target, dest) == 0)
      return true;
  return false;
}

/* Add a mount at dest before the mounts below it (so that a bind on
 * /run/x stays visible over a new /run), replacing one at dest. */
static int
add_mount_under (json_object *c, const char *dest, const char *type, const char *src,
                 const char *const *opts)
{
  if (build_add_mount (c, dest, type, src, opts) < 0)
    return -ENOMEM;
  json_object *mounts;
  json_object_object_get_ex (c, "mounts", &mounts);
  size_t n = json_object_array_length (mounts), dlen = strlen (dest);
  json_object *added = json_object_get (json_object_array_get_idx (mounts, n - 1));
  json_object *out = json_object_new_array ();
  bool placed = false;
  for (size_t i = 0; i + 1 < n; i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i), *d;
      const char *md
          = json_object_object_get_ex (m, "destination", &d) ? json_object_get_string (d) : "";
      if (strcmp (md, dest) == 0)
        continue;
      if (!placed && strncmp (md, dest, dlen) == 0 && md[dlen] == '/')
        {
          json_object_array_add (out, json_object_get (added));
          placed = true;
        }
      json_object_array_add (out, json_object_get (m));
    }
  if (!placed)
    json_object_array_add (out, json_object_get (added));
  json_object_put (added);
  json_object_object_add (c, "mounts", out);
  return 0;
}

static int
add_tmpfs (struct build_ctx *b, json_object *c, const char *dest, const char *mode, bool exec)
{
  if (user_mounted (b->spec, dest))
    return 0;
  const char *opts[] = { "nosuid", "nodev", exec ? "exec" : "noexec", mode, NULL };
  return add_mount_under (c, dest, "tmpfs", "tmpfs", opts);
}

/* Options of the mount at dest: replace "ro" by "rw". */
static void
make_rw (json_object *c, const char *dest)
{
  json_object *mounts;
  if (!json_object_object_get_ex (c, "mounts", &mounts) || mounts == NULL)
    return;
  for (size_t i = 0; i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i), *d, *opts;
      if (!json_object_object_get_ex (m, "destination", &d)
          || strcmp (json_object_get_string (d), dest) != 0
          || !json_object_object_get_ex (m, "options", &opts))
        continue;
      json_object *n = json_object_new_array ();
      for (size_t j = 0; j < json_object_array_length (opts); j++)
        {
          const char *o = json_object_get_string (json_object_array_get_idx (opts, j));
          if (strcmp (o, "ro") != 0)
            json_object_array_add (n, json_object_new_string (o));
        }
      json_object_array_add (n, json_object_new_string ("rw"));
      json_object_object_add (m, "options", n);
    }
}

/* Is /sys/fs/cgroup/NAME a mount point of the host (a v1 or hybrid
 * hierarchy)? */
static bool
host_hierarchy (const char *name)
{
  char p[64], parent[] = "/sys/fs/cgroup";
  struct stat a, b;
  snprintf (p, sizeof p, "/sys/fs/cgroup/%s", name);
  return stat (p, &a) == 0 && S_ISDIR (a.st_mode) && stat (parent, &b) == 0 && a.st_dev != b.st_dev;
}

/* 32 hex digits, as machine-id(5) wants: the first half of the id. */
static int
machine_id_of (const char *id, char out[34], struct error **err)
{
  snprintf (out, 34, "%.32s\n", id);
  if (strlen (out) != 33 || strspn (out, "0123456789abcdef") != 32)
    return error_set (err, EINVAL, "container id `%s` is not hex", id);
  return 0;
}

/* A writable root gets the id in its own /etc/machine-id when the image
 * left it empty or absent (as debootstrap and image builders do): a file,
 * not a mount, so systemd-machine-id-commit has nothing to do. Returns 1
 * when written, 0 when the image has an id of its own or the root cannot
 * take one (then the caller binds one). */
static int
machine_id_in_root (struct build_ctx *b, const char *mid, struct error **err)
{
  if (b->spec->read_only || b->rootfd < 0)
    return 0;
  _cleanup_error_ struct error *e2 = NULL;
  /* resolved inside the root, never through a symlink out of it */
  _cleanup_close_ int fd
      = fs_open_in_root (b->rootfd, "/etc/machine-id", O_RDWR | O_CREAT | O_NOFOLLOW, 0444, &e2);
  if (fd < 0)
    return 0;
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return 0;
  char cur[40] = "";
  ssize_t n = pread (fd, cur, sizeof cur - 1, 0);
  if (n >= 32 && strspn (cur, "0123456789abcdef") == 32)
    return 1; /* the image's own */
  if (ftruncate (fd, 0) < 0 || pwrite (fd, mid, 33, 0) != 33)
    return error_errno (err, errno, "write `/etc/machine-id` in the root");
  return 1;
}

/* Otherwise a file in the container's run directory (where the engine
 * writes /etc/hosts), bound read-only. */
static int
machine_id_file (struct build_ctx *b, const char *mid, char **path, struct error **err)
{
  if (b->hosts_path == NULL)
    return 0;
  _cleanup_free_ char *dir = strdup (b->hosts_path);
  if (dir == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char *slash = strrchr (dir, '/');
  if (slash == NULL)
    return 0;
  *slash = '\0';
  _cleanup_close_ int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return error_errno (err, errno, "open `%s`", dir);
  if (fs_write_file_atomic (dfd, "machine-id", mid, 33, 0444, err) < 0)
    return -EIO;
  *path = fs_path_join (dir, "machine-id");
  return *path ? 0 : error_set (err, ENOMEM, "out of memory");
}

int
engine_build_systemd (struct build_ctx *b, json_object *c, struct error **err)
{
  const struct ctr_spec *s = b->spec;
  if (!ctr_systemd_active (s))
    return 0;
  int r = 0;
  /* /run and /tmp must be writable before any unit starts; /var/log/journal
   * keeps the journal in memory (a container's log is its own business) */
  r |= add_tmpfs (b, c, "/run", "mode=755", true);
  r |= add_tmpfs (b, c, "/run/lock", "mode=1777", false);
  r |= add_tmpfs (b, c, "/tmp", "mode=1777", true);
  r |= add_tmpfs (b, c, "/var/log/journal", "mode=2755", false);
  if (r < 0)
    return error_set (err, ENOMEM, "out of memory");

  if (!user_mounted (s, "/etc/machine-id"))
    {
      char mid[34];
      _cleanup_free_ char *path = NULL;
      if (machine_id_of (b->id, mid, err) < 0)
        return -EINVAL;
      int in_root = machine_id_in_root (b, mid, err);
      if (in_root < 0 || (in_root == 0 && machine_id_file (b, mid, &path, err) < 0))
        return error_prefix (err, "/etc/machine-id");
      static const char *const ro[] = { "rbind", "rprivate", "ro", NULL };
      if (path && build_add_mount (c, "/etc/machine-id", "bind", path, ro) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }

  /* systemd manages its own cgroup: make it writable. The cgroup namespace
   * (step_base) makes the container's cgroup the root it sees. */
  if (s->privileged)
    return 0;
  struct statfs sfs;
  if (statfs ("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    {
      /* v2: the whole (namespaced) tree, as podman does; the limits sit on
       * the container's cgroup, which its own root can't loosen past what
       * the parent allows */
      make_rw (c, "/sys/fs/cgroup");
      return 0;
    }
  json_object *lx, *cp;
  if (!json_object_object_get_ex (c, "linux", &lx)
      || !json_object_object_get_ex (lx, "cgroupsPath", &cp))
    return error_set (err, EINVAL, "no cgroupsPath to give systemd");
  static const char *const names[] = { "systemd", "unified" };
  static const char *const rw[] = { "rbind", "rprivate", "rw", "nosuid", "nodev", "noexec", NULL };
  for (size_t i = 0; i < ARRAY_SIZE (names); i++)
    {
      if (!host_hierarchy (names[i]))
        continue;
      char src[512], dst[64];
      /* the runtime makes the container's cgroup (in every hierarchy,
       * named ones included) before it mounts anything: bind just that */
      snprintf (src, sizeof src, "/sys/fs/cgroup/%s%s", names[i], json_object_get_string (cp));
      snprintf (dst, sizeof dst, "/sys/fs/cgroup/%s", names[i]);
      if (add_mount_under (c, dst, "bind", src, rw) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  return 0;
}
