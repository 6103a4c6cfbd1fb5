/* logfile.c - the container log: k8s-file lines, rotated by size.
 *
 *   2024-01-02T03:04:05.123456789Z stdout F hello
 *   2024-01-02T03:04:05.123456790Z stderr P no newline yet
 *
 * The format podman calls k8s-file (the CRI log format): no escaping, so
 * the monitor writes what the container wrote with a prefix per line, and
 * a reader needs no JSON parser.  Rotation: when a write would take the
 * file past max_size, ctr.log.N-1 -> ctr.log.N ... ctr.log -> ctr.log.1
 * (renames in the log's directory), keeping max_file files in all; with
 * max_file 1 the file is truncated instead.
 */
#include "monitor/monitor.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

int
log_writer_open (struct log_writer *w, int dirfd, const char *name, uint64_t max_size,
                 int max_file, struct error **err)
{
  memset (w, 0, sizeof *w);
  w->fd = -1;
  w->dirfd = dirfd;
  w->name = strdup (name);
  w->max_size = max_size;
  w->max_file = max_file < 1 ? 1 : max_file;
  if (w->name == NULL)
    return error_set (err, ENOMEM, "out of memory");
  w->fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (w->fd < 0)
    return error_errno (err, errno, "open log `%s`", name);
  struct stat st;
  if (fstat (w->fd, &st) == 0)
    w->size = (uint64_t) st.st_size;
  return 0;
}

void
log_writer_close (struct log_writer *w)
{
  w->fd = safe_close (w->fd);
  free (w->name);
  w->name = NULL;
}

static int
rotate (struct log_writer *w)
{
  if (w->max_file <= 1)
    {
      if (ftruncate (w->fd, 0) < 0)
        return -errno;
      w->size = 0;
      return 0;
    }
  char from[512], to[512];
  for (int i = w->max_file - 1; i >= 1; i--)
    {
      if (i == 1)
        snprintf (from, sizeof from, "%s", w->name);
      else
        snprintf (from, sizeof from, "%s.%d", w->name, i - 1);
      snprintf (to, sizeof to, "%s.%d", w->name, i);
      if (renameat (w->dirfd, from, w->dirfd, to) < 0 && errno != ENOENT)
        return -errno;
    }
  int fd = openat (w->dirfd, w->name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
                   0640);
  if (fd < 0)
    return -errno;
  safe_close (w->fd);
  w->fd = fd;
  w->size = 0;
  return 0;
}

static int
write_line (struct log_writer *w, const char *prefix, size_t plen, const char *data, size_t len,
            bool partial)
{
  size_t total = plen + len + 1;
  if (w->max_size && w->size > 0 && w->size + total > w->max_size)
    {
      int r = rotate (w);
      if (r < 0)
        return r;
    }
  struct iovec iov[3] = {
    { (void *) prefix, plen },
    { (void *) data, len },
    { (void *) "\n", 1 },
  };
  (void) partial;
  ssize_t n = writev (w->fd, iov, 3);
  if (n < 0)
    return -errno;
  w->size += (uint64_t) n;
  return 0;
}

int
log_writer_write (struct log_writer *w, const char *stream, const char *data, size_t len,
                  int64_t ts_ns)
{
  if (w->fd < 0)
    return -EBADF;
  char ts[48];
  format_rfc3339nano (ts_ns, ts, sizeof ts);
  char prefix[80];
  int r = 0;
  while (len > 0)
    {
      const char *nl = memchr (data, '\n', len);
      size_t n = nl ? (size_t) (nl - data) : len;
      int plen = snprintf (prefix, sizeof prefix, "%s %s %c ", ts, stream, nl ? 'F' : 'P');
      int w1 = write_line (w, prefix, (size_t) plen, data, n, nl == NULL);
      if (w1 < 0 && r == 0)
        r = w1;
      if (nl == NULL)
        break;
      data += n + 1;
      len -= n + 1;
    }
  return r;
}

bool
log_line_parse (const char *line, size_t len, struct log_line *out)
{
  const char *sp = memchr (line, ' ', len);
  if (sp == NULL || (size_t) (sp - line) >= 64)
    return false;
  char ts[64];
  memcpy (ts, line, (size_t) (sp - line));
  ts[sp - line] = '\0';
  if (rfc3339_parse_ns (ts, &out->ts) < 0)
    return false;
  const char *p = sp + 1;
  size_t left = len - (size_t) (p - line);
  if (left >= 7 && memcmp (p, "stdout ", 7) == 0)
    out->is_stderr = false;
  else if (left >= 7 && memcmp (p, "stderr ", 7) == 0)
    out->is_stderr = true;
  else
    return false;
  p += 7;
  left -= 7;
  if (left < 2 || (p[0] != 'F' && p[0] != 'P') || p[1] != ' ')
    {
      /* a line with an empty content may lack the space */
      if (left == 1 && (p[0] == 'F' || p[0] == 'P'))
        {
          out->partial = p[0] == 'P';
          out->content = p + 1;
          out->len = 0;
          return true;
        }
      return false;
    }
  out->partial = p[0] == 'P';
  out->content = p + 2;
  out->len = left - 2;
  return true;
}

/* ------------------------------------------------------------ time */

int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
format_rfc3339nano (int64_t ns, char *buf, size_t cap)
{
  time_t secs = (time_t) (ns / 1000000000);
  long frac = (long) (ns % 1000000000);
  if (frac < 0)
    {
      frac += 1000000000;
      secs--;
    }
  struct tm tm;
  gmtime_r (&secs, &tm);
  char base[32];
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf, cap, "%s.%09ldZ", base, frac);
}

static int
digits (const char **p, int n, int *out)
{
  int v = 0;
  for (int i = 0; i < n; i++)
    {
      if ((*p)[i] < '0' || (*p)[i] > '9')
        return -1;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return 0;
}

int
rfc3339_parse_ns (const char *s, int64_t *ns)
{
  const char *p = s;
  int Y, M, D, h = 0, m = 0, sec = 0;
  if (digits (&p, 4, &Y) < 0 || *p++ != '-' || digits (&p, 2, &M) < 0 || *p++ != '-'
      || digits (&p, 2, &D) < 0)
    return -EINVAL;
  int64_t frac = 0;
  int off = 0;
  if (*p == 'T' || *p == 't' || *p == ' ')
    {
      p++;
      if (digits (&p, 2, &h) < 0 || *p++ != ':' || digits (&p, 2, &m) < 0)
        return -EINVAL;
      if (*p == ':')
        {
          p++;
          if (digits (&p, 2, &sec) < 0)
            return -EINVAL;
        }
      if (*p == '.')
        {
          p++;
          int nd = 0;
          while (*p >= '0' && *p <= '9')
            {
              if (nd < 9)
                frac = frac * 10 + (*p - '0');
              nd++;
              p++;
            }
          if (nd == 0)
            return -EINVAL;
          for (; nd < 9; nd++)
            frac *= 10;
        }
      if (*p == 'Z' || *p == 'z')
        p++;
      else if (*p == '+' || *p == '-')
        {
          int sign = *p == '-' ? -1 : 1, oh, om;
          p++;
          if (digits (&p, 2, &oh) < 0 || *p++ != ':' || digits (&p, 2, &om) < 0)
            return -EINVAL;
          off = sign * (oh * 3600 + om * 60);
        }
      else if (*p)
        return -EINVAL;
    }
  if (*p)
    return -EINVAL;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
    return -EINVAL;
  struct tm tm = { .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h,
                   .tm_min = m, .tm_sec = sec };
  time_t t = timegm (&tm);
  *ns = ((int64_t) t - off) * 1000000000 + frac;
  return 0;
}
