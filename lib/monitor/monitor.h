/* monitor.h - lib/monitor: hull-monitor, one small process per running
 * container, and everything that talks to it.
 *
 *   - the monitor (server.c, attach.c, health.c, helper.c): started
 *     detached by the engine (monitor_spawn), a child subreaper that has a
 *     short-lived helper create and start the container through
 *     lib/runtime, holds its stdio, writes the log, serves attach, applies
 *     the restart policy, runs health checks and records what happened in
 *     its state file;
 *   - the one wire format every process boundary of ours uses (msg.c): the
 *     engine's start request and the monitor's reply, the helper's request
 *     and result, the attach socket's datagrams in both directions, and the
 *     hand-over to the exit command;
 *   - the state file (state.c), the container log (logfile.c), the attach
 *     client (client.c) and the spawn (spawn.c).
 *
 * It links lib/base, lib/runtime, lib/cgroup and lib/seccomp only: no SQLite,
 * no curl, no OpenSSL (hull-monitor is a small static binary).  The engine is
 * its only caller.  See docs/design/monitor.md.
 */
#ifndef HULL_MONITOR_MONITOR_H
#define HULL_MONITOR_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct error;

/* ------------------------------------------------------------ messages
 *
 * One frame: an 8-byte header, then the fields of its type.
 *
 *   offset 0  u8   'h' (magic)
 *          1  u8   MONITOR_PROTO_VERSION
 *          2  u8   type (enum monitor_msg_type)
 *          3  u8   0 (reserved)
 *          4  u32  length of the fields (little-endian)
 *   field:    u8 tag, u32 length (little-endian), value
 *
 * Values: integers little-endian (i32 4 bytes, i64 8, bool 1 byte 0 or 1);
 * strings with their NUL, none inside; bytes as they are; string lists as
 * consecutive strings.  Each type has a fixed table of fields (msg.c):
 * unknown, repeated, missing required or malformed fields and trailing bytes
 * are refused, as is any other version: both ends are installed together,
 * and a monitor that outlives an upgrade is told apart by a clear error
 * instead of a misread.  On a stream (the spawn socket, the helper's pipes)
 * frames follow each other; on the attach socket (SOCK_SEQPACKET) one frame
 * is one datagram.
 */
#define MONITOR_PROTO_VERSION 1
#define MONITOR_MSG_HEADER 8
#define MONITOR_DGRAM_MAX 8192            /* one attach datagram, header included */
#define MONITOR_DATA_MAX (MONITOR_DGRAM_MAX - MONITOR_MSG_HEADER - 5)
#define MONITOR_STREAM_MAX (1u << 20)     /* one message on a stream */
#define MONITOR_STRV_MAX 4096             /* strings in a list */

enum monitor_msg_type
{
  /* engine -> monitor (spawn socket) */
  MONITOR_MSG_START = 1,
  /* monitor -> engine, helper -> monitor: the container runs */
  MONITOR_MSG_STARTED,
  /* any reply: it could not */
  MONITOR_MSG_ERROR,
  /* monitor -> helper: create and start; run a health check */
  MONITOR_MSG_CREATE,
  MONITOR_MSG_EXEC,
  /* monitor -> the exit command (hull-cleanup) */
  MONITOR_MSG_FINISH,
  /* attach client -> monitor */
  MONITOR_MSG_STDIN,
  MONITOR_MSG_STDIN_CLOSE,
  MONITOR_MSG_RESIZE,
  MONITOR_MSG_STOP,
  MONITOR_MSG_KILL,
  MONITOR_MSG_QUIET,    /* no output, only the exit (stop, wait) */
  MONITOR_MSG_OWNER,    /* this client finishes the container after the exit */
  /* monitor -> attach client */
  MONITOR_MSG_STDOUT,
  MONITOR_MSG_STDERR,
  MONITOR_MSG_EXIT,     /* the container exited (then the monitor hangs up) */
  MONITOR_MSG_ACK,      /* of STOP / KILL: 0 or -errno */
  MONITOR_MSG_TYPE_MAX
};

/* What the engine hands the monitor. */
struct monitor_start
{
  const char *id, *runtime_root, *bundle, *rootfs, *log_dir;
  const char *root, *runroot; /* the store, for the exit command */
  const char *cleanup;        /* the exit command (hull-cleanup), or NULL */
  bool tty, open_stdin, auto_remove, loopback;
  bool caller_finishes;       /* foreground run: its client finishes */
  bool cleanup_on_exit;       /* extensions hold resources to release at exit */
  int32_t restart_policy, restart_max, restart_count, stop_signal;
  int32_t log_max_file, rows, cols;
  int64_t log_max_size;
  char *const *health_test;   /* CMD / CMD-SHELL ... or NULL */
  int64_t health_interval, health_timeout, health_start_period; /* ns */
  int32_t health_retries;
};

struct monitor_msg
{
  enum monitor_msg_type type;
  union
  {
    struct monitor_start start;
    struct
    {
      int32_t pid;
      const char *cgroup;     /* helper -> monitor: the cgroup (JSON), or NULL */
    } started;
    struct
    {
      int32_t code;           /* errno */
      const char *message;
    } error;
    struct
    {
      const char *runtime_root, *id, *bundle;
      bool tty, loopback;
      int32_t stdio[3];       /* fds in the helper, -1: none */
      int32_t result_fd;
    } create;
    struct
    {
      const char *runtime_root, *id;
      int32_t out_fd;
      char *const *argv;
    } exec;
    struct
    {
      const char *root, *runroot, *id;
      int32_t lock_fd;        /* monitor.lock, still held */
    } finish;
    struct
    {
      const void *data;       /* STDIN, STDOUT, STDERR */
      size_t len;
    } data;
    struct
    {
      int32_t rows, cols;
    } resize;
    struct
    {
      int32_t signal, timeout; /* STOP: timeout in s; KILL: signal only */
    } sig;
    struct
    {
      int32_t code;           /* EXIT: status; ACK: 0 or -errno */
    } status;
  } u;
  /* decoding: what the fields point into */
  void *buf;
  char **strv;
};

const char *monitor_msg_type_name (int type);

/* Encode into buf (cap bytes); *len the frame's size.  -EMSGSIZE when it
 * does not fit, -EINVAL for a type or field that cannot be encoded. */
int monitor_msg_encode (const struct monitor_msg *m, void *buf, size_t cap, size_t *len,
                        struct error **err);
/* Decode one frame of exactly len bytes.  The message points into buf
 * (which must outlive it); lists are allocated (monitor_msg_clear).
 * -EPROTO with a one-line reason for anything malformed. */
int monitor_msg_decode (const void *buf, size_t len, struct monitor_msg *m,
                        struct error **err);
void monitor_msg_clear (struct monitor_msg *m);

/* Streams: write one frame; read one (at most max bytes of fields), the
 * message then owns its buffer.  -ENODATA: end of stream before a byte. */
int monitor_msg_write (int fd, const struct monitor_msg *m, struct error **err);
int monitor_msg_read (int fd, size_t max, struct monitor_msg *m, struct error **err);
/* Datagrams: send one (flags for send(2)), -errno; receive one into buf
 * (MONITOR_DGRAM_MAX bytes), -EAGAIN, -ECONNRESET at the end, -EPROTO. */
int monitor_msg_send (int fd, const struct monitor_msg *m, int flags);
int monitor_msg_recv (int fd, void *buf, int flags, struct monitor_msg *m, struct error **err);

/* ------------------------------------------------------------ files */

/* In RUNROOT/containers/<id>/ */
#define MONITOR_LOCK "monitor.lock"   /* flock'ed by the monitor while it lives */
#define MONITOR_STATE "state.json"    /* written by the monitor */
#define MONITOR_ATTACH "attach"
#define MONITOR_CONSOLE "console.sock"
#define MONITOR_HEALTH_PID "health.pid"
#define MONITOR_LOG "monitor.log"

/* fds the engine hands to hull-monitor, and hull-monitor to hull-cleanup */
#define MONITOR_FD_CTL 3     /* spawn socket: START in, STARTED / ERROR out */
#define MONITOR_FD_LOCK 4    /* monitor.lock, flock'ed */
#define MONITOR_FD_ATTACH 5  /* an attached client from the start (optional) */

/* ------------------------------------------------------------ state file */

#define MONITOR_STATE_VERSION 1
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
/* -ENOENT when there is none; -EPROTO for a file of another version. */
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

/* ------------------------------------------------------------ the engine's side */

struct monitor_spawn_args
{
  const char *binary;            /* hull-monitor */
  const char *rundir;            /* its cwd: RUNROOT/containers/<id> */
  const struct monitor_start *start;
  int lock_fd;                   /* monitor.lock, flock'ed by the caller: handed over */
  int attach_fd;                 /* an attached client from the start, or -1 */
};
/* Start hull-monitor detached (setsid, double fork), send it START, wait
 * for its word: 0 with *pid (the container's), or its error; *exit_code
 * then holds docker's 126/127 for a command that cannot run, else 125. */
int monitor_spawn (const struct monitor_spawn_args *a, pid_t *pid, int *exit_code,
                   struct error **err);

/* Connect to the attach socket in a container's run directory (reached
 * through /proc/self/fd, so long paths are fine). -errno. */
int monitor_connect (int rundirfd, struct error **err);
/* A quiet request (STOP or KILL) on a connected socket: its ACK (0 or
 * -errno from the monitor), -ESRCH when the monitor is gone. */
int monitor_request (int fd, const struct monitor_msg *req, struct error **err);
/* Read until EXIT (*code) or the monitor hangs up (-EPIPE); ms < 0: no
 * limit (-ETIMEDOUT). */
int monitor_wait_exit (int fd, int ms, int *code);

/* The interactive client: the terminal's stdin -> the container (raw mode
 * with a tty, ^P^Q detaches), its output -> stdout/stderr, SIGWINCH ->
 * RESIZE, with sig_proxy the usual signals -> KILL.  Returns the exit
 * status, -1 when detached, < -1 when the monitor hung up without one
 * (-EPROTO with *err: it spoke something else). */
struct monitor_attach_opts
{
  bool in;                  /* forward stdin */
  bool tty;
  bool close_stdin_on_eof;  /* stdin's EOF closes the container's */
  bool sig_proxy;
};
int monitor_attach_stream (int fd, const struct monitor_attach_opts *o, struct error **err);

/* ------------------------------------------------------------ hull-monitor */

/* main() of hull-monitor. */
int monitor_main (int argc, char **argv);

#endif
