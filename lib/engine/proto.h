/* proto.h - what the engine and the monitor (hull-monitor) share: the
 * attach protocol, the monitor's state file, the log format, restart
 * back-off.  This part links only lib/base (the monitor has no SQLite).
 *
 * Attach: a SOCK_SEQPACKET unix socket RUNROOT/containers/<id>/attach.
 * Every message is one datagram: a type byte and a payload.
 *
 *   client -> monitor                   monitor -> client
 *   'i' data      stdin bytes           'o' data    stdout bytes
 *   'c'           close stdin (EOF)     'e' data    stderr bytes
 *   'w' u16 rows, u16 cols  resize      'x' i32     the container exited
 *   's' i32 sig, i32 secs   stop                    (code; then the monitor
 *   'k' i32 sig             kill                    closes the connection)
 *   'q'           quiet: no output,     'a' i32     ack of 's'/'k'/'r'
 *                 only 'x' (stop, wait)             (0 or -errno)
 *   'r'           the client removes the container after 'x' (run --rm)
 */
#ifndef HULL_ENGINE_PROTO_H
#define HULL_ENGINE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct error;
typedef struct json_object json_object;

#define ATTACH_MSG_MAX 8192   /* one datagram, type byte included */

enum
{
  ATTACH_STDIN = 'i',
  ATTACH_STDIN_CLOSE = 'c',
  ATTACH_RESIZE = 'w',
  ATTACH_STOP = 's',
  ATTACH_KILL = 'k',
  ATTACH_QUIET = 'q',
  ATTACH_CALLER_REMOVES = 'r',
  ATTACH_STDOUT = 'o',
  ATTACH_STDERR = 'e',
  ATTACH_EXIT = 'x',
  ATTACH_ACK = 'a',
};

/* Send one message (type + payload); -errno. */
int attach_send (int fd, char type, const void *data, size_t len);
int attach_send_i32 (int fd, char type, int32_t a, int32_t b, bool two);

/* Connect to the attach socket of a run directory (long paths are fine: the
 * socket is reached through /proc/self/fd). -errno. */
int attach_connect_dir (int rundirfd, const char *name);

/* Files in RUNROOT/containers/<id>/ */
#define MONITOR_LOCK "monitor.lock"   /* flock'ed by the monitor while it lives */
#define MONITOR_STATE "state.json"    /* written by the monitor */
#define MONITOR_ATTACH "attach"
#define MONITOR_CONSOLE "console.sock"
#define MONITOR_HEALTH_PID "health.pid"

/* Replace name in dirfd atomically (temp file + rename) without fsync: for
 * files that are rebuilt at every start or that live on a tmpfs (/run), where
 * atomic visibility matters and durability does not. */
int engine_write_file (int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                       struct error **err);

/* ------------------------------------------------------------ state file */

#define HEALTH_LOG_MAX 5          /* results kept, as docker */
#define HEALTH_OUTPUT_MAX 4096    /* bytes of output kept per result */

struct monitor_health
{
  char status[16];                /* "", "starting", "healthy", "unhealthy" */
  int failing_streak;
  size_t n_log;
  struct
  {
    int64_t start, end;
    int exit_code;
    char *output;
  } log[HEALTH_LOG_MAX];
};

struct monitor_state
{
  char status[16];                /* "running", "restarting", "exited" */
  pid_t pid;
  int64_t started_at, finished_at;/* unix ns */
  int exit_code;
  bool oom_killed;
  int restart_count;
  bool stop_requested;            /* stopped by the user: no restart */
  char *error;                    /* why it could not (re)start */
  struct monitor_health health;
};
void monitor_state_clear (struct monitor_state *s);
int monitor_state_write (int dirfd, const struct monitor_state *s, struct error **err);
/* -ENOENT when there is none. */
int monitor_state_read (int dirfd, struct monitor_state *s, struct error **err);

/* ------------------------------------------------------------ logs */

/* One k8s-file line: "<RFC3339Nano> <stdout|stderr> <F|P> <content>\n";
 * P marks a partial line (the container wrote no newline yet). */
struct log_writer
{
  int dirfd;             /* directory of the log */
  char *name;            /* "ctr.log"; rotated to "ctr.log.1", ".2" ... */
  int fd;
  uint64_t size;
  uint64_t max_size;     /* 0: no rotation */
  int max_file;          /* files kept, current included (>= 1) */
};
int log_writer_open (struct log_writer *w, int dirfd, const char *name, uint64_t max_size,
                     int max_file, struct error **err);
/* Write data from stream ("stdout"/"stderr"), split into lines, each
 * stamped with ts_ns. */
int log_writer_write (struct log_writer *w, const char *stream, const char *data, size_t len,
                      int64_t ts_ns);
void log_writer_close (struct log_writer *w);

/* RFC3339Nano in UTC: "2024-01-02T03:04:05.123456789Z" (buf >= 40). */
void format_rfc3339nano (int64_t ns, char *buf, size_t cap);
/* Parse RFC3339 (fractional seconds and a zone allowed) -> unix ns. */
int rfc3339_parse_ns (const char *s, int64_t *ns);
int64_t now_ns (void);

struct log_line
{
  int64_t ts;
  bool is_stderr;
  bool partial;
  const char *content;   /* points into the parsed buffer */
  size_t len;
};
/* Parse one line (without its newline); false when malformed. */
bool log_line_parse (const char *line, size_t len, struct log_line *out);

/* ------------------------------------------------------------ restart */

/* Docker's back-off: 100 ms doubling up to 1 minute; reset when the
 * container had run for at least 10 s. Returns the delay before the next
 * start (ms), given the previous delay (0 at first) and how long the last
 * run lasted. */
int64_t restart_backoff_next (int64_t prev_ms, int64_t ran_ms);
/* Whether to restart after an exit, per policy.  policy: 0 no, 1
 * on-failure, 2 always, 3 unless-stopped (enum ctr_restart_policy). */
bool restart_should (int policy, int max_retries, int restart_count, int exit_code,
                     bool stop_requested);

#endif
