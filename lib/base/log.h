/* log.h - the process-wide log used by commands (not by library code, except
 * at debug level).  Text goes to stderr; with log_open() it also goes to a
 * file, as text (logfmt: time="..." level=debug msg="...", runc's text lines)
 * or as one JSON object per line ({"level","msg","time"}), which is what
 * podman/conmon and containerd read back from a runtime's --log file.
 */
#ifndef HULL_BASE_LOG_H
#define HULL_BASE_LOG_H

#include <stdbool.h>

enum log_level
{
  LOG_LEVEL_ERROR = 0,
  LOG_LEVEL_WARN,
  LOG_LEVEL_INFO,
  LOG_LEVEL_DEBUG,
};

enum log_format
{
  LOG_FORMAT_TEXT = 0,
  LOG_FORMAT_JSON,
};

/* prog: prefix for stderr lines ("hullrt"). */
void log_init (const char *prog, enum log_level level);
void log_set_level (enum log_level level);
enum log_level log_get_level (void);
/* Open (append) a log file; path "-" or NULL keeps stderr only. Returns -errno. */
int log_open (const char *path, enum log_format fmt);
/* When false, messages go only to the log file (if any). Default true. */
void log_set_stderr (bool on);
/* With a log file open, messages less severe than `max` go only to the file
 * (runc's --log: debug lines land there, not on the caller's stderr).
 * Default: every level goes to both. */
void log_set_stderr_max (enum log_level max);
void log_close (void);

void log_msg (enum log_level level, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

#define log_error(...) log_msg (LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg (LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg (LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                                         \
  do                                                                           \
    {                                                                          \
      if (log_get_level () >= LOG_LEVEL_DEBUG)                                 \
        log_msg (LOG_LEVEL_DEBUG, __VA_ARGS__);                                \
    }                                                                          \
  while (0)

/* Milliseconds since the process started logging (monotonic), for --debug
 * timing lines. */
double log_elapsed_ms (void);

#endif
