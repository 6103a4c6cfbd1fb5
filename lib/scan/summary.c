/* summary.c - the last scan's counts per image and container, kept in
 * ROOT/scan/summary/<id> (one line: "when critical high medium low
 * unknown"), so that listings can show them without scanning again. */
#include "scan/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* "sha256:<hex>" -> "<hex>"; anything but [A-Za-z0-9_.-] refused (the id
 * becomes a file name). */
static char *
summary_path (const char *root, const char *id, struct error **err)
{
  const char *colon = strchr (id, ':');
  const char *name = colon ? colon + 1 : id;
  size_t n = strlen (name);
  if (n == 0 || n > 128 || name[0] == '.'
      || strspn (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
    {
      error_set (err, EINVAL, "invalid id `%s`", id);
      return NULL;
    }
  char *p;
  if (asprintf (&p, "%s/scan/summary/%s", root, name) < 0)
    {
      error_errno (err, ENOMEM, "path");
      return NULL;
    }
  return p;
}

int
scan_summary_save (const char *root, const char *id, const struct scan_result *res,
                   const struct scan_report_opts *o, struct error **err)
{
  struct scan_summary s = { .when = (int64_t)time (NULL) };
  for (size_t i = 0; i < res->n; i++)
    if (scan_finding_shown (&res->f[i], o))
      s.count[res->f[i].severity]++;
  _cleanup_free_ char *path = summary_path (root, id, err), *dir = NULL;
  if (!path)
    return -EINVAL;
  if (asprintf (&dir, "%s/scan/summary", root) < 0)
    return error_errno (err, ENOMEM, "path");
  int r = fs_mkdir_p (AT_FDCWD, dir, 0700, err);
  if (r < 0)
    return r;
  char line[160];
  int len = snprintf (line, sizeof line, "%" PRId64 " %zu %zu %zu %zu %zu\n", s.when,
                      s.count[SCAN_SEV_CRITICAL], s.count[SCAN_SEV_HIGH], s.count[SCAN_SEV_MEDIUM],
                      s.count[SCAN_SEV_LOW], s.count[SCAN_SEV_UNKNOWN]);
  /* Renamed into place (a reader never sees half a line) but not synced: a
   * summary is a cache that the next scan rewrites, and an fsync per
   * subject would cost `scan --all` more than the scan itself. */
  _cleanup_free_ char *tmp = NULL;
  if (asprintf (&tmp, "%s.%d.tmp", path, (int)getpid ()) < 0)
    return error_errno (err, ENOMEM, "path");
  _cleanup_close_ int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return error_errno (err, errno, "create `%s`", tmp);
  if (fs_write_all (fd, line, (size_t)len) < 0 || rename (tmp, path) < 0)
    {
      r = error_errno (err, errno, "write `%s`", path);
      unlink (tmp);
      return r;
    }
  return 0;
}

int
scan_summary_load (const char *root, const char *id, struct scan_summary *out, struct error **err)
{
  _cleanup_free_ char *path = summary_path (root, id, err);
  if (!path)
    return -EINVAL;
  _cleanup_free_ char *data = NULL;
  size_t len;
  int r = fs_read_file (path, 256, &data, &len, err);
  if (r < 0)
    return r;
  memset (out, 0, sizeof *out);
  if (sscanf (data, "%" SCNd64 " %zu %zu %zu %zu %zu", &out->when, &out->count[SCAN_SEV_CRITICAL],
              &out->count[SCAN_SEV_HIGH], &out->count[SCAN_SEV_MEDIUM], &out->count[SCAN_SEV_LOW],
              &out->count[SCAN_SEV_UNKNOWN])
      != 6)
    return error_set (err, EINVAL, "`%s`: not a scan summary", path);
  return 0;
}

char *
scan_summary_format (const struct scan_summary *s)
{
  char *out;
  if (asprintf (&out, "C:%zu H:%zu M:%zu L:%zu U:%zu", s->count[SCAN_SEV_CRITICAL],
                s->count[SCAN_SEV_HIGH], s->count[SCAN_SEV_MEDIUM], s->count[SCAN_SEV_LOW],
                s->count[SCAN_SEV_UNKNOWN])
      < 0)
    return NULL;
  return out;
}
