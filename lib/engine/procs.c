/* procs.c - the processes of a running container (exec, top, stats) and
 * the disk its writable layer takes.
 *
 * Front ends (the CLI, an API server) reach the runtime only through these:
 * they never build a runtime context of their own. */
#include "build.h"
#include "engine.h"
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "image/snapshot.h"
#include "runtime/runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------ exec */

int
engine_exec_prepare (struct error **err)
{
  /* Our whole command line, to re-execute ourselves with it. */
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (fs_read_file ("/proc/self/cmdline", 1 << 20, &text, &len, err) < 0)
    return -EIO;
  _cleanup_strv_ char **argv = NULL;
  for (size_t i = 0; i < len; i += strlen (text + i) + 1)
    if (strv_push (&argv, text + i) < 0)
      return error_set (err, ENOMEM, "out of memory");
  if (argv == NULL)
    return error_set (err, EINVAL, "empty /proc/self/cmdline");
  /* A process that enters a container must not run from a file the
   * container could reach through /proc/self/exe (CVE-2019-5736): from
   * here on we run from a sealed copy. */
  return runtime_protect_self_exe (argv, err);
}

int
engine_exec_user (struct engine *e, const struct ctr_record *r, const char *user, char out[64],
                  struct error **err)
{
  _cleanup_free_ char *root = NULL;
  int ret = engine_mount_root (e, r, &root, err);
  if (ret < 0)
    return ret;
  _cleanup_close_ int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return error_errno (err, errno, "open `%s`", root);
  uint32_t uid, gid;
  ret = engine_resolve_user (rootfd, user, &uid, &gid, NULL, NULL, NULL, err);
  if (ret < 0)
    return ret;
  snprintf (out, 64, "%u:%u", uid, gid);
  return 0;
}

int
engine_exec (struct engine *e, const struct ctr_record *r, const struct engine_exec_opts *o,
             int *status, struct error **err)
{
  struct runtime_exec_options ro = {
    .argv = (char **)o->argv,
    .tty = o->tty,
    .cwd = o->workdir,
    .env = (char **)o->env,
    .user = o->user,
    .detach = o->detach,
  };
  for (int i = 0; i < 3; i++)
    ro.stdio_fds[i] = o->stdio_fds[i];
  *status = 0;
  return runtime_exec (&e->rt, r->id, &ro, status, err);
}

/* ------------------------------------------------------------ top */

/* The column of the header whose title is PID, or -1. */
static int
pid_column (const char *header)
{
  _cleanup_free_ char *h = strdup (header);
  char *save = NULL;
  int k = 0;
  for (char *t = h ? strtok_r (h, " \t", &save) : NULL; t; t = strtok_r (NULL, " \t", &save), k++)
    if (strcmp (t, "PID") == 0)
      return k;
  return -1;
}

static bool
has_pid (const char *line, int col, const pid_t *pids, size_t n)
{
  _cleanup_free_ char *l = strdup (line);
  char *save = NULL, *t = l ? strtok_r (l, " \t", &save) : NULL;
  for (int i = 0; t && i < col; i++)
    t = strtok_r (NULL, " \t", &save);
  if (t == NULL)
    return false;
  pid_t pid = (pid_t)atoi (t);
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

int
engine_top (struct engine *e, const struct ctr_record *r, char *const *ps_args, char ***out,
            struct error **err)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  int ret = runtime_pids (&e->rt, r->id, &pids, &n, err);
  if (ret < 0)
    return ret;

  /* ps runs on the host; its rows are filtered to the container's pids */
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return error_errno (err, errno, "pipe");
  pid_t child = fork ();
  if (child < 0)
    {
      ret = error_errno (err, errno, "fork");
      close (p[0]);
      close (p[1]);
      return ret;
    }
  if (child == 0)
    {
      dup2 (p[1], 1);
      char **args = NULL;
      strv_push (&args, "ps");
      if (ps_args && ps_args[0])
        for (size_t i = 0; ps_args[i]; i++)
          strv_push (&args, ps_args[i]);
      else
        strv_push (&args, "-ef");
      execvp ("ps", args);
      _exit (127);
    }
  close (p[1]);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  int rr = fs_read_fd (p[0], 16u << 20, &text, &len, err);
  close (p[0]);
  int st = 0;
  waitpid (child, &st, 0);
  if (rr < 0)
    return rr;
  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
    return error_set (err, EIO, "ps failed (%s)", text && *text ? text : "no output");
  char *save = NULL;
  char *header = strtok_r (text, "\n", &save);
  _cleanup_strv_ char **lines = NULL;
  if (header == NULL)
    {
      *out = calloc (1, sizeof (char *));
      return *out ? 0 : error_set (err, ENOMEM, "out of memory");
    }
  int col = pid_column (header);
  if (col < 0)
    return error_set (err, EIO, "no PID column in the output of ps");
  if (strv_push (&lines, header) < 0)
    return error_set (err, ENOMEM, "out of memory");
  for (char *line = strtok_r (NULL, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    if (has_pid (line, col, pids, n) && strv_push (&lines, line) < 0)
      return error_set (err, ENOMEM, "out of memory");
  *out = TAKE_PTR (lines);
  return 0;
}

/* ------------------------------------------------------------ stats */

static uint64_t
u64 (json_object *o, const char *path)
{
  char part[64];
  while (o && *path)
    {
      size_t n = strcspn (path, ".");
      snprintf (part, sizeof part, "%.*s", (int)n, path);
      if (!json_object_object_get_ex (o, part, &o))
        return 0;
      path += n + (path[n] == '.');
    }
  return o ? (uint64_t)json_object_get_int64 (o) : 0;
}

static uint64_t
host_memory (void)
{
  long pages = sysconf (_SC_PHYS_PAGES), ps = sysconf (_SC_PAGESIZE);
  return pages > 0 && ps > 0 ? (uint64_t)pages * (uint64_t)ps : 0;
}

int
engine_stats (struct engine *e, const char *id, struct engine_stats *s, struct error **err)
{
  _cleanup_json_ json_object *ev = NULL;
  memset (s, 0, sizeof *s);
  int ret = runtime_stats (&e->rt, id, &ev, err);
  if (ret < 0)
    return ret;
  json_object *d = NULL;
  json_object_object_get_ex (ev, "data", &d);
  s->cpu_ns = u64 (d, "cpu.usage.total");
  s->mem = u64 (d, "memory.usage.usage");
  uint64_t inactive = u64 (d, "memory.raw.total_inactive_file");
  if (inactive == 0)
    inactive = u64 (d, "memory.raw.inactive_file");
  if (inactive < s->mem)
    s->mem -= inactive; /* docker's usage: without the reclaimable page cache */
  s->mem_limit = u64 (d, "memory.usage.limit");
  uint64_t host = host_memory ();
  if (s->mem_limit == 0 || (host && s->mem_limit > host))
    s->mem_limit = host;
  s->pids = u64 (d, "pids.current");
  json_object *blk = NULL, *arr = NULL;
  if (json_object_object_get_ex (d, "blkio", &blk)
      && json_object_object_get_ex (blk, "ioServiceBytesRecursive", &arr))
    for (size_t i = 0; i < json_object_array_length (arr); i++)
      {
        json_object *x = json_object_array_get_idx (arr, i), *op;
        if (!json_object_object_get_ex (x, "op", &op))
          continue;
        const char *o = json_object_get_string (op);
        if (strcasecmp (o, "read") == 0)
          s->blk_read += u64 (x, "value");
        else if (strcasecmp (o, "write") == 0)
          s->blk_write += u64 (x, "value");
      }
  return 0;
}

/* ------------------------------------------------------------ disk */

/* bytes under a directory (files, by blocks allocated? by size, as docker) */
static uint64_t
du (int dfd, int depth)
{
  if (depth > 256)
    return 0;
  int d2 = fcntl (dfd, F_DUPFD_CLOEXEC, 3);
  DIR *d = d2 >= 0 ? fdopendir (d2) : NULL;
  if (d == NULL)
    {
      if (d2 >= 0)
        close (d2);
      return 0;
    }
  uint64_t total = 0;
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      struct stat st;
      if (fstatat (dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          int sub = openat (dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub >= 0)
            {
              total += du (sub, depth + 1);
              close (sub);
            }
        }
      else if (S_ISREG (st.st_mode))
        total += (uint64_t)st.st_size;
    }
  closedir (d);
  return total;
}

uint64_t
engine_ctr_size (struct engine *e, const char *id)
{
  _cleanup_free_ char *upper = snapshot_upper_path (engine_store (e), id);
  int fd = upper ? open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (fd < 0)
    return 0;
  uint64_t n = du (fd, 0);
  close (fd);
  return n;
}
