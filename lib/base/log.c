#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "hull";
static enum log_level log_level = LOG_LEVEL_WARN;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static int log_fd = -1;
static bool log_to_stderr = true;
static enum log_level log_stderr_max = LOG_LEVEL_DEBUG;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

static struct timespec log_t0;

double
log_elapsed_ms (void)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  return (double) (now.tv_sec - log_t0.tv_sec) * 1e3 + (double) (now.tv_nsec - log_t0.tv_nsec) / 1e6;
}

void
log_init (const char *prog, enum log_level level)
{
  clock_gettime (CLOCK_MONOTONIC, &log_t0);
  log_prog = prog;
  log_level = level;
}

void log_set_level (enum log_level level) { log_level = level; }
enum log_level log_get_level (void) { return log_level; }
void log_set_stderr (bool on) { log_to_stderr = on; }
void log_set_stderr_max (enum log_level max) { log_stderr_max = max; }

int
log_open (const char *path, enum log_format fmt)
{
  log_fmt = fmt;
  if (path == NULL || strcmp (path, "-") == 0 || *path == '\0')
    return 0;
  int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return -errno;
  if (log_fd >= 0)
    close (log_fd);
  log_fd = fd;
  return 0;
}

void
log_close (void)
{
  if (log_fd >= 0)
    close (log_fd);
  log_fd = -1;
}

/* JSON string escaping for the log line; messages are ours but may quote
 * user input, so every control character is escaped. */
static void
json_escape (FILE *f, const char *s)
{
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        fprintf (f, "\\%c", c);
      else if (c == '\n')
        fputs ("\\n", f);
      else if (c == '\t')
        fputs ("\\t", f);
      else if (c < 0x20)
        fprintf (f, "\\u%04x", c);
      else
        fputc (c, f);
    }
}

void
log_msg (enum log_level level, const char *fmt, ...)
{
  if (level > log_level)
    return;
  int saved = errno;
  char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg == NULL)
    goto out;

  if (log_fd < 0 || (log_to_stderr && level <= log_stderr_max))
    {
      if (level == LOG_LEVEL_ERROR)
        dprintf (STDERR_FILENO, "%s: %s\n", log_prog, msg);
      else
        dprintf (STDERR_FILENO, "%s: %s: %s\n", log_prog, level_names[level], msg);
    }
  if (log_fd >= 0)
    {
      char tbuf[64];
      struct timespec ts;
      struct tm tm;
      clock_gettime (CLOCK_REALTIME, &ts);
      gmtime_r (&ts.tv_sec, &tm);
      size_t n = strftime (tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);
      snprintf (tbuf + n, sizeof tbuf - n, ".%09ldZ", ts.tv_nsec);

      char *line = NULL;
      size_t len = 0;
      FILE *f = open_memstream (&line, &len);
      if (f)
        {
          if (log_fmt == LOG_FORMAT_JSON)
            {
              fprintf (f, "{\"level\":\"%s\",\"msg\":\"", level_names[level]);
              json_escape (f, msg);
              fprintf (f, "\",\"time\":\"%s\"}\n", tbuf);
            }
          else
            {
              fprintf (f, "time=\"%s\" level=%s msg=\"", tbuf, level_names[level]);
              json_escape (f, msg);
              fputs ("\"\n", f);
            }
          fclose (f);
          /* one write() per line: concurrent writers do not interleave */
          if (line)
            (void) !write (log_fd, line, len);
          free (line);
        }
    }
  free (msg);
out:
  errno = saved;
}
