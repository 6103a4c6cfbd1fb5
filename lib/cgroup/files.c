/* files.c - reading and writing cgroup control files.
 *
 * Every value goes out with a single write(2): cgroup files take one value
 * per write, and a value split over two writes is two (wrong) values.
 * Files are opened relative to the cgroup directory fd, so the path is walked
 * once per hierarchy, not once per file.
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
write_error (int e, const char *file, const char *val, const char *key,
             struct error **err)
{
  if (e == ENOENT)
    return error_set (err, ENOTSUP, "%s%s%s`%s` is not available on this host",
                      key ? "`" : "", key ? key : "", key ? "`: " : "", file);
  return error_errno (err, e, "%s%s%swrite `%s` to `%s`", key ? "`" : "",
                      key ? key : "", key ? "`: " : "", val, file);
}

int
cg_open_w (int dirfd, const char *file, const char *key, struct error **err)
{
  int fd = openat (dirfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    return write_error (errno, file, "", key, err);
  return fd;
}

int
cg_write_line (int fd, const char *file, const char *val, const char *key,
               struct error **err)
{
  size_t len = strlen (val);
  char buf[512];
  const char *p = val;
  /* one value per write; a trailing newline keeps values apart when the
   * "file" is a plain file (test trees) */
  if (len + 1 < sizeof buf)
    {
      memcpy (buf, val, len);
      buf[len++] = '\n';
      p = buf;
    }
  ssize_t w;
  do
    w = write (fd, p, len);
  while (w < 0 && errno == EINTR);
  if (w < 0)
    return write_error (errno, file, val, key, err);
  if ((size_t) w != len)
    return error_set (err, EIO, "`%s`: short write to `%s`", key ? key : "?", file);
  return 0;
}

int
cg_write (int dirfd, const char *file, const char *val, const char *key,
          struct error **err)
{
  _cleanup_close_ int fd = cg_open_w (dirfd, file, key, err);
  if (fd < 0)
    return fd;
  return cg_write_line (fd, file, val, key, err);
}

int
cg_read (int dirfd, const char *file, char **out, struct error **err)
{
  char *s = NULL;
  size_t len = 0;
  int r = fs_read_file_at (dirfd, file, 16 << 20, &s, &len, err);
  if (r < 0)
    return r;
  while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
    s[--len] = '\0';
  *out = s;
  return 0;
}

int
cg_read_u64 (int dirfd, const char *file, uint64_t *out, struct error **err)
{
  _cleanup_free_ char *s = NULL;
  int r = cg_read (dirfd, file, &s, err);
  if (r < 0)
    return r;
  if (strcmp (s, "max") == 0)
    {
      *out = UINT64_MAX;
      return 0;
    }
  if (parse_uint64 (s, out) < 0)
    {
      /* v1 "unlimited" is a huge signed value; negative means unlimited too */
      int64_t v;
      if (parse_int64 (s, &v) == 0 && v < 0)
        {
          *out = UINT64_MAX;
          return 0;
        }
      return error_set (err, EINVAL, "`%s`: not a number: `%.32s`", file, s);
    }
  return 0;
}

int
cg_kv_get (const char *text, const char *key, uint64_t *out)
{
  size_t kl = strlen (key);
  for (const char *p = text; p && *p;)
    {
      if (strncmp (p, key, kl) == 0 && p[kl] == ' ')
        {
          char num[32];
          size_t i = 0;
          const char *v = p + kl + 1;
          while (v[i] && v[i] != '\n' && i < sizeof num - 1)
            {
              num[i] = v[i];
              i++;
            }
          num[i] = '\0';
          return parse_uint64 (num, out) == 0 ? 0 : -EINVAL;
        }
      p = strchr (p, '\n');
      if (p)
        p++;
    }
  return -ENOENT;
}

bool
cg_file_exists (int dirfd, const char *file)
{
  return faccessat (dirfd, file, F_OK, 0) == 0;
}

int
cg_dir_fd (const struct cgroup *cg, size_t i, struct error **err)
{
  struct cg_dir *d = &cg->dirs[i];
  if (d->fd >= 0)
    return d->fd;
  int fd = open (d->abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return error_errno (err, errno, "open cgroup `%s`", d->abs);
  d->fd = fd;
  return fd;
}

uint32_t
cg_v2_ctrls (const struct cgroup *cg)
{
  if (cg->v2 < 0)
    return 0;
  if (cg->v2_ctrls_known)
    return cg->v2_ctrls;
  struct cgroup *m = (struct cgroup *) cg; /* a cache, not a change */
  int fd = cg_dir_fd (cg, (size_t) cg->v2, NULL);
  _cleanup_free_ char *s = NULL;
  if (fd < 0 || cg_read (fd, "cgroup.controllers", &s, NULL) < 0)
    return 0;
  uint32_t mask = 0;
  char *save = NULL;
  for (char *t = strtok_r (s, " ", &save); t; t = strtok_r (NULL, " ", &save))
    {
      int c = cg_ctrl_from_name (t);
      if (c >= 0 && cg_ctrl_v2_name (c) && strcmp (cg_ctrl_v2_name (c), t) == 0)
        mask |= 1u << c;
    }
  m->v2_ctrls = mask;
  m->v2_ctrls_known = true;
  return mask;
}
