/* user.c - "name", "uid", "name:group", "uid:gid" -> ids, from the
 * container's own /etc/passwd and /etc/group.
 *
 * Those files belong to the image, which is hostile: they are opened with
 * fs_open_in_root (a symlink /etc/passwd -> /host/... resolves inside the
 * root), read with a size limit, and parsed without trusting a field. */
#include "engine/build.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETC_FILE_MAX (4u << 20)
#define MAX_GROUPS 256

static int
read_etc (int rootfd, const char *path, char **out, struct error **err)
{
  *out = NULL;
  _cleanup_error_ struct error *e = NULL;
  _cleanup_close_ int fd = fs_open_in_root (rootfd, path, O_RDONLY | O_NOFOLLOW, 0, &e);
  if (fd < 0)
    {
      if (fd == -ENOENT || fd == -ELOOP || fd == -ENOTDIR)
        return 0; /* no such file: only numeric ids will do */
      *err = TAKE_PTR (e);
      return fd;
    }
  size_t len;
  int r = fs_read_fd (fd, ETC_FILE_MAX, out, &len, err);
  if (r < 0)
    return error_prefix (err, "`%s` of the container", path);
  return 0;
}

static bool
all_digits (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (*s < '0' || *s > '9')
      return false;
  return true;
}

static int
parse_id (const char *s, uint32_t *out)
{
  uint64_t v;
  if (!all_digits (s) || parse_uint64 (s, &v) < 0 || v > 0xfffffffeu)
    return -EINVAL;
  *out = (uint32_t) v;
  return 0;
}

/* Split one line into at most n ':'-separated fields (in place). */
static size_t
fields (char *line, char **f, size_t n)
{
  size_t k = 0;
  f[k++] = line;
  for (char *p = line; *p && k < n; p++)
    if (*p == ':')
      {
        *p = '\0';
        f[k++] = p + 1;
      }
  return k;
}

int
engine_resolve_user (int rootfd, const char *user, uint32_t *uid, uint32_t *gid,
                     uint32_t **groups, size_t *ngroups, char **home, struct error **err)
{
  *uid = 0;
  *gid = 0;
  if (groups)
    *groups = NULL;
  if (ngroups)
    *ngroups = 0;
  if (home)
    *home = NULL;
  if (user == NULL || *user == '\0')
    user = "0";
  if (strlen (user) > 256)
    return error_set (err, EINVAL, "user `%.32s...` is too long", user);
  _cleanup_free_ char *u = strdup (user);
  if (u == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char *g = strchr (u, ':');
  if (g)
    *g++ = '\0';
  if (*u == '\0' || (g && *g == '\0'))
    return error_set (err, EINVAL, "invalid user `%s`", user);

  _cleanup_free_ char *passwd = NULL, *group = NULL;
  if (read_etc (rootfd, "/etc/passwd", &passwd, err) < 0
      || read_etc (rootfd, "/etc/group", &group, err) < 0)
    return -EIO;

  bool found = false, numeric = all_digits (u);
  _cleanup_free_ char *uname = NULL;
  if (numeric && parse_id (u, uid) < 0)
    return error_set (err, EINVAL, "invalid user id `%s`", u);
  char *save = NULL;
  for (char *line = passwd ? strtok_r (passwd, "\n", &save) : NULL; line && !found;
       line = strtok_r (NULL, "\n", &save))
    {
      char *f[7];
      size_t nf = fields (line, f, 7);
      if (nf < 4)
        continue;
      uint32_t id, gid0;
      if (parse_id (f[2], &id) < 0 || parse_id (f[3], &gid0) < 0)
        continue;
      if ((numeric && id == *uid) || (!numeric && strcmp (f[0], u) == 0))
        {
          found = true;
          *uid = id;
          *gid = gid0;
          uname = strdup (f[0]);
          if (home && nf >= 6 && f[5][0] == '/')
            *home = strdup (f[5]);
        }
    }
  if (!found && !numeric)
    return error_set (err, ENOENT, "unable to find user `%s`: no matching entries in passwd file",
                      u);
  if (g)
    {
      if (all_digits (g))
        {
          if (parse_id (g, gid) < 0)
            return error_set (err, EINVAL, "invalid group id `%s`", g);
        }
      else
        {
          bool gfound = false;
          _cleanup_free_ char *gcopy = group ? strdup (group) : NULL;
          char *s2 = NULL;
          for (char *line = gcopy ? strtok_r (gcopy, "\n", &s2) : NULL; line && !gfound;
               line = strtok_r (NULL, "\n", &s2))
            {
              char *f[4];
              if (fields (line, f, 4) < 3)
                continue;
              if (strcmp (f[0], g) == 0 && parse_id (f[2], gid) == 0)
                gfound = true;
            }
          if (!gfound)
            return error_set (err, ENOENT,
                              "unable to find group `%s`: no matching entries in group file", g);
        }
    }
  /* Supplementary groups: every group listing the user by name. */
  if (groups && uname && group)
    {
      uint32_t *list = NULL;
      size_t n = 0;
      char *s3 = NULL;
      for (char *line = strtok_r (group, "\n", &s3); line && n < MAX_GROUPS;
           line = strtok_r (NULL, "\n", &s3))
        {
          char *f[4];
          if (fields (line, f, 4) < 4)
            continue;
          uint32_t id;
          if (parse_id (f[2], &id) < 0 || id == *gid)
            continue;
          char *s4 = NULL;
          for (char *m = strtok_r (f[3], ",", &s4); m; m = strtok_r (NULL, ",", &s4))
            if (strcmp (m, uname) == 0)
              {
                uint32_t *nl = realloc (list, (n + 1) * sizeof *nl);
                if (nl == NULL)
                  {
                    free (list);
                    return error_set (err, ENOMEM, "out of memory");
                  }
                list = nl;
                list[n++] = id;
                break;
              }
        }
      *groups = list;
      *ngroups = n;
    }
  return 0;
}
