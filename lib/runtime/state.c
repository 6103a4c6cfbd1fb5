/* state.c - the on-disk state of a container: <root>/<id>/state.json.
 *
 * state.json is written once, atomically (temp + rename), at the end of
 * create; until then the directory alone means "creating".  A container's
 * status is never stored: it is derived from what is true now (is the
 * recorded init still the same process? is the exec fifo still there? is the
 * cgroup frozen?), so a crash at any point cannot leave a wrong status. */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STATE_MAX (16u << 20)

const char *
status_name (enum container_status s)
{
  static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };
  return names[s];
}

int
id_validate (const char *id, struct error **err)
{
  size_t n = strlen (id);
  if (n == 0)
    return error_set (err, EINVAL, "container id must not be empty");
  if (n > 1024)
    return error_set (err, EINVAL, "container id is longer than 1024 bytes");
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return error_set (err, EINVAL, "invalid container id `%s`", id);
  for (const char *p = id; *p; p++)
    {
      char ch = *p;
      if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
            || ch == '_' || ch == '+' || ch == '-' || ch == '.'))
        return error_set (err, EINVAL,
                          "invalid container id `%s`: only [A-Za-z0-9_+.-] are allowed", id);
    }
  return 0;
}

int
state_root_open (const char *root, bool create, struct error **err)
{
  int fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create)
    {
      if (fs_mkdir_p (AT_FDCWD, root, 0700, err) < 0)
        return -(*err)->code;
      fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
  if (fd < 0)
    return error_errno (err, errno, "open state root `%s`", root);
  return fd;
}

unsigned long long
proc_start_time (pid_t pid)
{
  char path[64], buf[1024];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* comm may contain spaces and ')': fields start after the last ')' */
  char *p = strrchr (buf, ')');
  if (p == NULL)
    return 0;
  p += 2;
  /* p is at field 3 (state); start time is field 22 */
  char state = *p;
  if (state == 'Z' || state == 'X')
    return 0;
  for (int field = 3; field < 22 && p; field++)
    {
      p = strchr (p, ' ');
      if (p)
        p++;
    }
  return p ? strtoull (p, NULL, 10) : 0;
}

bool
state_init_alive (const struct container_state *st)
{
  if (st->pid <= 0)
    return false;
  unsigned long long t = proc_start_time (st->pid);
  return t != 0 && t == st->start_time;
}

int
pidfd_open_checked (pid_t pid, unsigned long long start_time)
{
  int fd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (fd < 0)
    return -errno;
  /* the pidfd pins the process: check it is still the one we recorded */
  if (proc_start_time (pid) != start_time)
    {
      close (fd);
      return -ESRCH;
    }
  return fd;
}

void
state_clear (struct container_state *st)
{
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  if (st->config)
    json_object_put (st->config);
  if (st->cgroup)
    json_object_put (st->cgroup);
  memset (st, 0, sizeof *st);
}

int
state_load (int rootfd, const char *id, struct container_state *st, struct error **err)
{
  char path[1100];
  memset (st, 0, sizeof *st);
  if (id_validate (id, err) < 0)
    return -EINVAL;
  snprintf (path, sizeof path, "%s/state.json", id);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  _cleanup_error_ struct error *e = NULL;
  if (fs_read_file_at (rootfd, path, STATE_MAX, &text, &len, &e) < 0)
    {
      if (e->code == ENOENT)
        {
          struct stat sb;
          if (fstatat (rootfd, id, &sb, AT_SYMLINK_NOFOLLOW) == 0)
            return error_set (err, EBUSY, "container `%s` is being created", id);
          return error_set (err, ENOENT, "container `%s` does not exist", id);
        }
      {
        int r = error_prefix (&e, "container `%s`", id);
        if (err)
          *err = TAKE_PTR (e);
        return r;
      }
    }
  _cleanup_json_ json_object *o = NULL;
  if (jsonx_parse (text, len, &o, err) < 0)
    return error_prefix (err, "container `%s`: state.json", id);
  const char *s = NULL;
  int64_t v = 0;
  st->id = strdup (id);
  if (jsonx_get_int64 (o, "pid", &v, err) < 0)
    goto bad;
  st->pid = (pid_t) v;
  uint64_t u = 0;
  if (jsonx_get_uint64 (o, "init_start_time", &u, err) < 0)
    goto bad;
  st->start_time = u;
  if (jsonx_get_string (o, "bundle", &s, err) == 1)
    st->bundle = strdup (s);
  if (jsonx_get_string (o, "rootfs", &s, err) == 1)
    st->rootfs = strdup (s);
  if (jsonx_get_string (o, "created", &s, err) == 1)
    st->created = strdup (s);
  if (jsonx_get_int64 (o, "owner", &v, err) == 1)
    st->owner = (uid_t) v;
  jsonx_get_bool (o, "systemd_cgroup", &st->systemd_cgroup, err);
  jsonx_get_bool (o, "has_pidns", &st->has_pidns, err);
  json_object *x;
  if (jsonx_get_object (o, "config", &x, err) == 1)
    st->config = json_object_get (x);
  if (jsonx_get_object (o, "cgroup", &x, err) == 1)
    st->cgroup = json_object_get (x);
  if (st->id == NULL || st->config == NULL)
    {
      error_set (err, EINVAL, "incomplete");
      goto bad;
    }
  return 0;
bad:
  state_clear (st);
  return error_prefix (err, "container `%s`: state.json", id);
}

int
state_save (int rootfd, const struct container_state *st, struct error **err)
{
  _cleanup_json_ json_object *o = json_object_new_object ();
  json_object_object_add (o, "id", json_object_new_string (st->id));
  json_object_object_add (o, "pid", json_object_new_int64 (st->pid));
  json_object_object_add (o, "init_start_time", json_object_new_uint64 (st->start_time));
  json_object_object_add (o, "bundle", json_object_new_string (st->bundle));
  json_object_object_add (o, "rootfs", json_object_new_string (st->rootfs));
  json_object_object_add (o, "created", json_object_new_string (st->created));
  json_object_object_add (o, "owner", json_object_new_int64 (st->owner));
  json_object_object_add (o, "systemd_cgroup", json_object_new_boolean (st->systemd_cgroup));
  json_object_object_add (o, "has_pidns", json_object_new_boolean (st->has_pidns));
  if (st->cgroup)
    json_object_object_add (o, "cgroup", json_object_get (st->cgroup));
  json_object_object_add (o, "config", json_object_get (st->config));
  const char *text = jsonx_compact (o);
  char path[1100];
  snprintf (path, sizeof path, "%s/state.json", st->id);
  /* The state dir is on tmpfs under /run: rename gives atomicity, and there
   * is nothing for fsync to make durable across a reboot (nor should there
   * be: containers do not survive one). */
  _cleanup_free_ char *tmp = NULL;
  if (asprintf (&tmp, "%s/.state.json.tmp", st->id) < 0)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_close_ int fd
      = openat (rootfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return error_errno (err, errno, "write state of `%s`", st->id);
  int r = fs_write_all (fd, text, strlen (text));
  if (r == 0 && renameat (rootfd, tmp, rootfd, path) < 0)
    r = -errno;
  if (r < 0)
    {
      unlinkat (rootfd, tmp, 0);
      return error_errno (err, -r, "write state of `%s`", st->id);
    }
  return 0;
}

enum container_status
state_status (int rootfd, const struct container_state *st)
{
  if (!state_init_alive (st))
    return STATUS_STOPPED;
  char path[1100];
  snprintf (path, sizeof path, "%s/exec.fifo", st->id);
  if (faccessat (rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return STATUS_CREATED;
  if (st->cgroup)
    {
      struct cgroup *cg = NULL;
      _cleanup_error_ struct error *e = NULL;
      if (cgroup_from_json (st->cgroup, &cg, &e) == 0)
        {
          bool frozen = false;
          int r = cgroup_is_frozen (cg, &frozen, &e);
          cgroup_free (cg);
          if (r == 0 && frozen)
            return STATUS_PAUSED;
        }
    }
  return STATUS_RUNNING;
}

json_object *
state_to_json (const struct container_state *st, enum container_status s)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "ociVersion", json_object_new_string ("1.2.0"));
  json_object_object_add (o, "id", json_object_new_string (st->id));
  json_object_object_add (o, "pid", json_object_new_int (s == STATUS_STOPPED ? 0 : st->pid));
  json_object_object_add (o, "status", json_object_new_string (status_name (s)));
  json_object_object_add (o, "bundle", json_object_new_string (st->bundle ? st->bundle : ""));
  json_object_object_add (o, "rootfs", json_object_new_string (st->rootfs ? st->rootfs : ""));
  json_object_object_add (o, "created", json_object_new_string (st->created ? st->created : ""));
  json_object_object_add (o, "owner", json_object_new_string (""));
  json_object *ann = NULL;
  if (st->config && json_object_object_get_ex (st->config, "annotations", &ann)
      && json_object_is_type (ann, json_type_object))
    json_object_object_add (o, "annotations", json_object_get (ann));
  return o;
}

int
state_lock (int rootfd, const char *id, struct error **err)
{
  int fd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return error_set (err, ENOENT, "container `%s` does not exist", id);
      return error_errno (err, errno, "open state of `%s`", id);
    }
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int e = errno;
        close (fd);
        return error_errno (err, e, "lock `%s`", id);
      }
  return fd;
}

char *
state_hook_json (const char *id, pid_t pid, const char *bundle, json_object *config,
                 const char *status)
{
  _cleanup_json_ json_object *o = json_object_new_object ();
  json_object_object_add (o, "ociVersion", json_object_new_string ("1.2.0"));
  json_object_object_add (o, "id", json_object_new_string (id));
  json_object_object_add (o, "status", json_object_new_string (status));
  json_object_object_add (o, "pid", json_object_new_int (pid));
  json_object_object_add (o, "bundle", json_object_new_string (bundle ? bundle : ""));
  json_object *ann = NULL;
  if (config && json_object_object_get_ex (config, "annotations", &ann)
      && json_object_is_type (ann, json_type_object))
    json_object_object_add (o, "annotations", json_object_get (ann));
  return strdup (jsonx_compact (o));
}
