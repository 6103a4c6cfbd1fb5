/* ns.c - namespaces joined by path, and user namespace id maps. */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int
ns_open_paths (struct oci_config *cfg, int fds[OCI_NS_COUNT], struct error **err)
{
  for (int t = 0; t < OCI_NS_COUNT; t++)
    fds[t] = -1;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    {
      const struct oci_namespace *ns = &cfg->linux_.ns[t];
      if (!ns->present || ns->path == NULL)
        continue;
      int fd = open (ns->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        {
          int e = errno;
          ns_close (fds);
          return error_errno (err, e, "%s namespace `%s`", oci_ns_type_name (t), ns->path);
        }
      /* the file must be a namespace of the stated type */
      int type = ioctl (fd, NS_GET_NSTYPE);
      if (type < 0 || type != oci_ns_clone_flag (t))
        {
          close (fd);
          ns_close (fds);
          return error_set (err, EINVAL, "`%s` is not a %s namespace", ns->path,
                            oci_ns_type_name (t));
        }
      fds[t] = fd;
    }
  return 0;
}

void
ns_close (int fds[OCI_NS_COUNT])
{
  for (int t = 0; t < OCI_NS_COUNT; t++)
    fds[t] = safe_close (fds[t]);
}

static int
format_map (const struct oci_id_mapping *m, size_t n, char *buf, size_t len)
{
  size_t off = 0;
  for (size_t i = 0; i < n; i++)
    {
      int w = snprintf (buf + off, len - off, "%u %u %u\n", m[i].container_id, m[i].host_id,
                        m[i].size);
      if (w < 0 || (size_t) w >= len - off)
        return -ENAMETOOLONG;
      off += (size_t) w;
    }
  return (int) off;
}

/* newuidmap/newgidmap PID c h s [c h s...]: setuid helpers that check
 * /etc/subuid for an unprivileged caller. */
static int
run_idmap_helper (const char *helper, pid_t pid, const struct oci_id_mapping *m, size_t n,
                  struct error **err)
{
  char **argv = calloc (3 + 3 * n, sizeof *argv);
  if (argv == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char pidbuf[16];
  snprintf (pidbuf, sizeof pidbuf, "%d", (int) pid);
  argv[0] = (char *) helper;
  argv[1] = pidbuf;
  for (size_t i = 0; i < n; i++)
    {
      if (asprintf (&argv[2 + 3 * i], "%u", m[i].container_id) < 0
          || asprintf (&argv[3 + 3 * i], "%u", m[i].host_id) < 0
          || asprintf (&argv[4 + 3 * i], "%u", m[i].size) < 0)
        break;
    }
  pid_t c = fork ();
  if (c == 0)
    {
      execvp (helper, argv);
      dprintf (2, "%s: %s\n", helper, strerror (errno));
      _exit (127);
    }
  for (size_t i = 2; i < 2 + 3 * n; i++)
    free (argv[i]);
  free (argv);
  if (c < 0)
    return error_errno (err, errno, "fork `%s`", helper);
  int st;
  while (waitpid (c, &st, 0) < 0)
    if (errno != EINTR)
      return error_errno (err, errno, "wait `%s`", helper);
  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
    return error_set (err, EPERM, "`%s` failed (is the mapping allowed by /etc/sub%cid?)",
                      helper, strstr (helper, "uid") ? 'u' : 'g');
  return 0;
}

int
userns_write_maps (pid_t pid, const struct oci_config *cfg, bool rootless, struct error **err)
{
  const struct oci_linux *lx = &cfg->linux_;
  char path[64], buf[4096];
  uid_t me = geteuid ();
  gid_t mygid = getegid ();
  /* An unprivileged caller may write a single mapping of its own id itself
   * (after denying setgroups); anything else goes through the setuid helpers. */
  bool self_uid = lx->n_uid_mappings == 1 && lx->uid_mappings[0].host_id == me
                  && lx->uid_mappings[0].size == 1;
  bool self_gid = lx->n_gid_mappings == 1 && lx->gid_mappings[0].host_id == mygid
                  && lx->gid_mappings[0].size == 1;

  if (lx->n_gid_mappings)
    {
      if (rootless && self_gid)
        {
          snprintf (path, sizeof path, "/proc/%d/setgroups", (int) pid);
          _cleanup_close_ int fd = open (path, O_WRONLY | O_CLOEXEC);
          if (fd < 0 || write (fd, "deny", 4) < 0)
            return error_errno (err, errno, "write `%s`", path);
        }
      if (rootless && !self_gid)
        {
          int r = run_idmap_helper ("newgidmap", pid, lx->gid_mappings, lx->n_gid_mappings, err);
          if (r < 0)
            return r;
        }
      else
        {
          int n = format_map (lx->gid_mappings, lx->n_gid_mappings, buf, sizeof buf);
          snprintf (path, sizeof path, "/proc/%d/gid_map", (int) pid);
          if (n < 0)
            return error_set (err, E2BIG, "gid mappings too long");
          int r = fs_write_file_at (AT_FDCWD, path, buf, (size_t) n, err);
          if (r < 0)
            return r;
        }
    }
  if (lx->n_uid_mappings)
    {
      if (rootless && !self_uid)
        return run_idmap_helper ("newuidmap", pid, lx->uid_mappings, lx->n_uid_mappings, err);
      int n = format_map (lx->uid_mappings, lx->n_uid_mappings, buf, sizeof buf);
      snprintf (path, sizeof path, "/proc/%d/uid_map", (int) pid);
      if (n < 0)
        return error_set (err, E2BIG, "uid mappings too long");
      int r = fs_write_file_at (AT_FDCWD, path, buf, (size_t) n, err);
      if (r < 0)
        return r;
    }
  return 0;
}

int
userns_for_mappings (const struct oci_id_mapping *uids, size_t nu,
                     const struct oci_id_mapping *gids, size_t ng, struct error **err)
{
  /* A throwaway child holds the new user namespace while we write its maps
   * and take an fd to it; the namespace lives on through the fd. */
  int pipefd[2];
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return error_errno (err, errno, "pipe");
  pid_t pid = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid == 0)
    {
      char b;
      close (pipefd[1]);
      (void) !read (pipefd[0], &b, 1);
      _exit (0);
    }
  close (pipefd[0]);
  if (pid < 0)
    {
      int e = errno;
      close (pipefd[1]);
      return error_errno (err, e, "clone user namespace for an idmapped mount");
    }
  char path[64], buf[4096];
  int fd = -1, ret = 0;
  int n = format_map (uids, nu, buf, sizeof buf);
  snprintf (path, sizeof path, "/proc/%d/uid_map", (int) pid);
  if (n < 0)
    ret = error_set (err, E2BIG, "too many mappings");
  else
    ret = fs_write_file_at (AT_FDCWD, path, buf, (size_t) n, err);
  if (ret == 0)
    {
      n = format_map (gids, ng, buf, sizeof buf);
      snprintf (path, sizeof path, "/proc/%d/gid_map", (int) pid);
      if (n < 0)
        ret = error_set (err, E2BIG, "too many mappings");
      else
        ret = fs_write_file_at (AT_FDCWD, path, buf, (size_t) n, err);
    }
  if (ret == 0)
    {
      snprintf (path, sizeof path, "/proc/%d/ns/user", (int) pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        ret = error_errno (err, errno, "open `%s`", path);
    }
  close (pipefd[1]);
  waitpid (pid, NULL, 0);
  return ret < 0 ? ret : fd;
}
