/* Unit tests: lib/monitor's wire format.  Every message type round-trips
 * through the one encoder and decoder (as a buffer, on a stream and as a
 * datagram); truncated, garbled, oversized and wrong-version frames are
 * refused with a message saying why; the state file carries its version. */
#include "tests/lib/tap.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char *const health[] = { "CMD-SHELL", "wget -q -O- http://localhost/ || exit 1", NULL };
static char *const exec_argv[] = { "/bin/sh", "-c", "", "x y", NULL };
static const char bin[] = { 0, 1, 2, 'h', (char)0xff, '\n', 0 };

/* One filled-in message of every type. */
static size_t
samples (struct monitor_msg *out)
{
  size_t n = 0;
  out[n++] = (struct monitor_msg){
    .type = MONITOR_MSG_START,
    .u.start = { .id = "0123abcd",
                 .runtime_root = "/run/hull/runtime",
                 .bundle = "/run/hull/containers/0123abcd",
                 .rootfs = "/run/x/rootfs",
                 .log_dir = "/var/lib/hull/containers/0123abcd",
                 .root = "/var/lib/hull",
                 .runroot = "/run/hull",
                 .cleanup = "/usr/libexec/hull/hull-cleanup",
                 .tty = true,
                 .open_stdin = true,
                 .auto_remove = true,
                 .loopback = false,
                 .caller_finishes = true,
                 .cleanup_on_exit = true,
                 .restart_policy = 1,
                 .restart_max = 5,
                 .restart_count = 2,
                 .stop_signal = 15,
                 .log_max_file = 3,
                 .rows = 24,
                 .cols = 80,
                 .log_max_size = 10LL << 30,
                 .health_test = health,
                 .health_interval = 30000000000LL,
                 .health_timeout = -1,
                 .health_start_period = INT64_MAX,
                 .health_retries = 3 },
  };
  out[n++] = (struct monitor_msg){ .type = MONITOR_MSG_STARTED,
                                   .u.started = { .pid = 4242, .cgroup = "{\"v\":2}" } };
  out[n++]
      = (struct monitor_msg){ .type = MONITOR_MSG_ERROR,
                              .u.error = { .code = ENOENT, .message = "exec `/x`: not found" } };
  out[n++] = (struct monitor_msg){
    .type = MONITOR_MSG_CREATE,
    .u.create = { .runtime_root = "/r",
                  .id = "c1",
                  .bundle = "/b",
                  .tty = false,
                  .loopback = true,
                  .stdio = { 7, 8, -1 },
                  .result_fd = 9 },
  };
  out[n++] = (struct monitor_msg){
    .type = MONITOR_MSG_EXEC,
    .u.exec = { .runtime_root = "/r", .id = "c1", .out_fd = 11, .argv = exec_argv },
  };
  out[n++] = (struct monitor_msg){
    .type = MONITOR_MSG_FINISH,
    .u.finish = { .root = "/var/lib/hull", .runroot = "/run/hull", .id = "c1", .lock_fd = 4 },
  };
  out[n++] = (struct monitor_msg){ .type = MONITOR_MSG_STDIN,
                                   .u.data = { .data = bin, .len = sizeof bin } };
  out[n++] = (struct monitor_msg){ .type = MONITOR_MSG_STDIN_CLOSE };
  out[n++]
      = (struct monitor_msg){ .type = MONITOR_MSG_RESIZE, .u.resize = { .rows = 50, .cols = 132 } };
  out[n++]
      = (struct monitor_msg){ .type = MONITOR_MSG_STOP, .u.sig = { .signal = 15, .timeout = 10 } };
  out[n++] = (struct monitor_msg){ .type = MONITOR_MSG_KILL, .u.sig = { .signal = 9 } };
  out[n++] = (struct monitor_msg){ .type = MONITOR_MSG_QUIET };
  out[n++] = (struct monitor_msg){ .type = MONITOR_MSG_OWNER };
  out[n++] = (struct monitor_msg){ .type = MONITOR_MSG_STDOUT,
                                   .u.data = { .data = "hello\n", .len = 6 } };
  out[n++] = (struct monitor_msg){ .type = MONITOR_MSG_STDERR, .u.data = { .data = "", .len = 0 } };
  out[n++] = (struct monitor_msg){ .type = MONITOR_MSG_EXIT, .u.status = { .code = 137 } };
  out[n++] = (struct monitor_msg){ .type = MONITOR_MSG_ACK, .u.status = { .code = -ESRCH } };
  return n;
}

static bool
str_eq (const char *a, const char *b)
{
  return (a == NULL && b == NULL) || (a && b && strcmp (a, b) == 0);
}

static bool
strv_eq (char *const *a, char *const *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  size_t i = 0;
  for (; a[i] && b[i]; i++)
    if (strcmp (a[i], b[i]) != 0)
      return false;
  return a[i] == NULL && b[i] == NULL;
}

/* Field by field: what the decoder gives back is what was encoded. */
static bool
msg_eq (const struct monitor_msg *a, const struct monitor_msg *b)
{
  if (a->type != b->type)
    return false;
  switch (a->type)
    {
    case MONITOR_MSG_START:
      {
        const struct monitor_start *x = &a->u.start, *y = &b->u.start;
        return str_eq (x->id, y->id) && str_eq (x->runtime_root, y->runtime_root)
               && str_eq (x->bundle, y->bundle) && str_eq (x->rootfs, y->rootfs)
               && str_eq (x->log_dir, y->log_dir) && str_eq (x->root, y->root)
               && str_eq (x->runroot, y->runroot) && str_eq (x->cleanup, y->cleanup)
               && x->tty == y->tty && x->open_stdin == y->open_stdin
               && x->auto_remove == y->auto_remove && x->loopback == y->loopback
               && x->caller_finishes == y->caller_finishes
               && x->cleanup_on_exit == y->cleanup_on_exit && x->restart_policy == y->restart_policy
               && x->restart_max == y->restart_max && x->restart_count == y->restart_count
               && x->stop_signal == y->stop_signal && x->log_max_file == y->log_max_file
               && x->rows == y->rows && x->cols == y->cols && x->log_max_size == y->log_max_size
               && strv_eq (x->health_test, y->health_test)
               && x->health_interval == y->health_interval && x->health_timeout == y->health_timeout
               && x->health_start_period == y->health_start_period
               && x->health_retries == y->health_retries;
      }
    case MONITOR_MSG_STARTED:
      return a->u.started.pid == b->u.started.pid
             && str_eq (a->u.started.cgroup, b->u.started.cgroup);
    case MONITOR_MSG_ERROR:
      return a->u.error.code == b->u.error.code && str_eq (a->u.error.message, b->u.error.message);
    case MONITOR_MSG_CREATE:
      return str_eq (a->u.create.runtime_root, b->u.create.runtime_root)
             && str_eq (a->u.create.id, b->u.create.id)
             && str_eq (a->u.create.bundle, b->u.create.bundle)
             && a->u.create.tty == b->u.create.tty && a->u.create.loopback == b->u.create.loopback
             && memcmp (a->u.create.stdio, b->u.create.stdio, sizeof a->u.create.stdio) == 0
             && a->u.create.result_fd == b->u.create.result_fd;
    case MONITOR_MSG_EXEC:
      return str_eq (a->u.exec.runtime_root, b->u.exec.runtime_root)
             && str_eq (a->u.exec.id, b->u.exec.id) && a->u.exec.out_fd == b->u.exec.out_fd
             && strv_eq (a->u.exec.argv, b->u.exec.argv);
    case MONITOR_MSG_FINISH:
      return str_eq (a->u.finish.root, b->u.finish.root)
             && str_eq (a->u.finish.runroot, b->u.finish.runroot)
             && str_eq (a->u.finish.id, b->u.finish.id)
             && a->u.finish.lock_fd == b->u.finish.lock_fd;
    case MONITOR_MSG_STDIN:
    case MONITOR_MSG_STDOUT:
    case MONITOR_MSG_STDERR:
      return a->u.data.len == b->u.data.len
             && (a->u.data.len == 0 || memcmp (a->u.data.data, b->u.data.data, a->u.data.len) == 0);
    case MONITOR_MSG_RESIZE:
      return a->u.resize.rows == b->u.resize.rows && a->u.resize.cols == b->u.resize.cols;
    case MONITOR_MSG_STOP:
      return a->u.sig.signal == b->u.sig.signal && a->u.sig.timeout == b->u.sig.timeout;
    case MONITOR_MSG_KILL:
      return a->u.sig.signal == b->u.sig.signal;
    case MONITOR_MSG_EXIT:
    case MONITOR_MSG_ACK:
      return a->u.status.code == b->u.status.code;
    default:
      return true;
    }
}

static void
test_round_trip_buffer (void)
{
  struct monitor_msg s[32];
  size_t n = samples (s);
  CHECK_INT (n, ==, MONITOR_MSG_TYPE_MAX - 1); /* every type */
  for (size_t i = 0; i < n; i++)
    {
      uint8_t buf[4096];
      size_t len = 0;
      _cleanup_error_ struct error *err = NULL;
      REQUIRE (monitor_msg_encode (&s[i], buf, sizeof buf, &len, &err) == 0);
      CHECK_INT (buf[0], ==, 'h');
      CHECK_INT (buf[1], ==, MONITOR_PROTO_VERSION);
      CHECK_INT (buf[2], ==, s[i].type);
      struct monitor_msg d;
      int r = monitor_msg_decode (buf, len, &d, &err);
      if (r < 0)
        printf ("#   %s: %s\n", monitor_msg_type_name (s[i].type), err->msg);
      REQUIRE (r == 0);
      if (!msg_eq (&s[i], &d))
        printf ("#   `%s` differs after the round trip\n", monitor_msg_type_name (s[i].type));
      CHECK (msg_eq (&s[i], &d));
      monitor_msg_clear (&d);
    }
}

static void
test_round_trip_stream_and_datagram (void)
{
  struct monitor_msg s[32];
  size_t n = samples (s);
  int sp[2];
  REQUIRE (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
  _cleanup_error_ struct error *err = NULL;
  /* several frames back to back on one stream: each read takes one */
  if (fork () == 0)
    {
      close (sp[0]);
      for (size_t i = 0; i < n; i++)
        if (monitor_msg_write (sp[1], &s[i], NULL) < 0)
          _exit (1);
      _exit (0);
    }
  close (sp[1]);
  for (size_t i = 0; i < n; i++)
    {
      struct monitor_msg d;
      REQUIRE (monitor_msg_read (sp[0], MONITOR_STREAM_MAX, &d, &err) == 0);
      CHECK (msg_eq (&s[i], &d));
      monitor_msg_clear (&d);
    }
  struct monitor_msg d;
  CHECK_INT (monitor_msg_read (sp[0], MONITOR_STREAM_MAX, &d, &err), ==, -ENODATA);
  CHECK (err && strstr (err->msg, "closed without a word"));
  close (sp[0]);
  int st;
  CHECK (wait (&st) > 0 && WIFEXITED (st) && WEXITSTATUS (st) == 0);

  REQUIRE (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
  for (size_t i = 0; i < n; i++)
    {
      if (s[i].type == MONITOR_MSG_START)
        continue;
      CHECK_INT (monitor_msg_send (sp[0], &s[i], 0), ==, 0);
      uint8_t buf[MONITOR_DGRAM_MAX];
      error_free (err);
      err = NULL;
      CHECK_INT (monitor_msg_recv (sp[1], buf, 0, &d, &err), ==, 0);
      CHECK (msg_eq (&s[i], &d));
      monitor_msg_clear (&d);
    }
  /* the largest output chunk fits one datagram exactly */
  static char big[MONITOR_DATA_MAX];
  memset (big, 'x', sizeof big);
  struct monitor_msg o = { .type = MONITOR_MSG_STDOUT, .u.data = { big, sizeof big } };
  CHECK_INT (monitor_msg_send (sp[0], &o, 0), ==, 0);
  uint8_t buf[MONITOR_DGRAM_MAX];
  CHECK_INT (monitor_msg_recv (sp[1], buf, 0, &d, &err), ==, 0);
  CHECK_INT (d.u.data.len, ==, MONITOR_DATA_MAX);
  o.u.data.len = sizeof big + 1;
  o.u.data.data = malloc (sizeof big + 1);
  CHECK_INT (monitor_msg_send (sp[0], &o, 0), ==, -EMSGSIZE);
  free ((void *)o.u.data.data);
  /* a datagram larger than any frame: refused, not cut */
  static uint8_t huge[MONITOR_DGRAM_MAX + 100];
  CHECK (send (sp[0], huge, sizeof huge, 0) == (ssize_t)sizeof huge);
  error_free (err);
  err = NULL;
  CHECK_INT (monitor_msg_recv (sp[1], buf, 0, &d, &err), ==, -EPROTO);
  CHECK (err && strstr (err->msg, "oversized"));
  close (sp[0]);
  error_free (err);
  err = NULL;
  CHECK_INT (monitor_msg_recv (sp[1], buf, 0, &d, &err), ==, -ECONNRESET);
  close (sp[1]);
}

/* Decoding bytes must fail with EPROTO and a message containing want. */
static void
expect_bad (const uint8_t *b, size_t len, const char *want, int line)
{
  struct monitor_msg d;
  _cleanup_error_ struct error *err = NULL;
  int r = monitor_msg_decode (b, len, &d, &err);
  if (r != -EPROTO || err == NULL || strstr (err->msg, want) == NULL)
    {
      printf ("#   line %d: want EPROTO with \"%s\", got %d \"%s\"\n", line, want, r,
              err ? err->msg : "(no error)");
      tap_cur_failed = 1;
    }
  if (r == 0)
    monitor_msg_clear (&d);
}
#define BAD(b, len, want) expect_bad (b, len, want, __LINE__)

static size_t
encode (const struct monitor_msg *m, uint8_t *buf, size_t cap)
{
  size_t len = 0;
  _cleanup_error_ struct error *err = NULL;
  if (monitor_msg_encode (m, buf, cap, &len, &err) < 0)
    return 0;
  return len;
}

static void
put32 (uint8_t *p, uint32_t v)
{
  memcpy (p, &v, 4); /* the tests run little-endian */
}

static void
test_rejected (void)
{
  uint8_t b[512];
  struct monitor_msg st = { .type = MONITOR_MSG_STARTED, .u.started = { 42, "cg" } };
  size_t len = encode (&st, b, sizeof b);
  REQUIRE (len > 0);

  /* truncated: every proper prefix is refused */
  for (size_t k = 0; k < len; k++)
    {
      struct monitor_msg d;
      _cleanup_error_ struct error *err = NULL;
      int r = monitor_msg_decode (b, k, &d, &err);
      if (r != -EPROTO)
        {
          printf ("#   a prefix of %zu bytes decoded (%d)\n", k, r);
          tap_cur_failed = 1;
        }
    }
  BAD (b, 3, "truncated: 3 bytes");
  BAD (b, len - 1, "announces");

  uint8_t c[512];
  /* wrong version, magic, type, reserved byte */
  memcpy (c, b, len);
  c[1] = MONITOR_PROTO_VERSION + 1;
  BAD (c, len, "protocol version 2, this build speaks 1");
  memcpy (c, b, len);
  c[0] = '{';
  BAD (c, len, "bad magic");
  memcpy (c, b, len);
  c[2] = 0;
  BAD (c, len, "unknown type 0");
  c[2] = MONITOR_MSG_TYPE_MAX;
  BAD (c, len, "unknown type");
  memcpy (c, b, len);
  c[3] = 1;
  BAD (c, len, "reserved");

  /* a field running past the end; an unknown field; a field twice */
  memcpy (c, b, len);
  put32 (c + 9, 1000);
  BAD (c, len, "past the end");
  memcpy (c, b, len);
  c[8] = 77;
  BAD (c, len, "unknown field 77");
  memcpy (c, b, len);
  memcpy (c + len, b + 8, 9); /* the pid field again */
  put32 (c + 4, (uint32_t)(len - 8 + 9));
  BAD (c, len + 9, "field `pid` twice");
  /* a bad size for an i32; a missing required field */
  memcpy (c, b, len);
  put32 (c + 9, 3);
  BAD (c, len, "an i32 has 4");
  memcpy (c, b, 8);
  put32 (c + 4, 0);
  BAD (c, 8, "no field `pid`");
  /* half a field header */
  memcpy (c, b, 8);
  put32 (c + 4, 2);
  c[8] = 1;
  c[9] = 0;
  BAD (c, 10, "truncated field header");

  /* strings: without their NUL, with one inside; booleans other than 0/1 */
  struct monitor_msg er = { .type = MONITOR_MSG_ERROR, .u.error = { 5, "abc" } };
  len = encode (&er, b, sizeof b);
  REQUIRE (len > 0);
  memcpy (c, b, len);
  c[len - 1] = 'x';
  BAD (c, len, "`message`: not a string");
  memcpy (c, b, len);
  c[len - 3] = '\0';
  BAD (c, len, "`message`: not a string");
  struct monitor_msg cr = { .type = MONITOR_MSG_CREATE,
                            .u.create = { "/r", "c", "/b", true, false, { 0, 1, 2 }, 3 } };
  len = encode (&cr, b, sizeof b);
  REQUIRE (len > 0);
  /* the tty field: tag 4, after three strings */
  size_t off = 8;
  while (b[off] != 4)
    {
      uint32_t l;
      memcpy (&l, b + off + 1, 4);
      off += 5 + l;
    }
  memcpy (c, b, len);
  c[off + 5] = 2;
  BAD (c, len, "`tty`: not a boolean");
  /* a list without its last NUL */
  struct monitor_msg ex = { .type = MONITOR_MSG_EXEC, .u.exec = { "/r", "c", 1, exec_argv } };
  len = encode (&ex, b, sizeof b);
  REQUIRE (len > 0);
  memcpy (c, b, len);
  c[len - 1] = 'y';
  BAD (c, len, "`argv`: a string without its NUL");

  /* the encoder refuses what the decoder would */
  struct monitor_msg no = { .type = MONITOR_MSG_ERROR, .u.error = { 5, NULL } };
  _cleanup_error_ struct error *err = NULL;
  size_t l2;
  CHECK_INT (monitor_msg_encode (&no, b, sizeof b, &l2, &err), ==, -EINVAL);
  CHECK (err && strstr (err->msg, "no `message`"));
  error_free (err);
  err = NULL;
  struct monitor_msg bogus = { .type = 99 };
  CHECK_INT (monitor_msg_encode (&bogus, b, sizeof b, &l2, &err), ==, -EINVAL);
  error_free (err);
  err = NULL;
  CHECK_INT (monitor_msg_encode (&st, b, 10, &l2, &err), ==, -EMSGSIZE);
}

static void
test_stream_limits (void)
{
  int sp[2];
  REQUIRE (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
  /* a header announcing more than the reader takes: refused before any
   * allocation */
  uint8_t h[8] = { 'h', MONITOR_PROTO_VERSION, MONITOR_MSG_START, 0 };
  put32 (h + 4, 0x7fffffff);
  CHECK (write (sp[0], h, sizeof h) == sizeof h);
  struct monitor_msg d;
  _cleanup_error_ struct error *err = NULL;
  CHECK_INT (monitor_msg_read (sp[1], 4096, &d, &err), ==, -EPROTO);
  CHECK (err && strstr (err->msg, "oversized: 2147483647 bytes"));
  /* a body cut short by the end of the stream */
  put32 (h + 4, 100);
  CHECK (write (sp[0], h, sizeof h) == sizeof h);
  CHECK (write (sp[0], "abc", 3) == 3);
  close (sp[0]);
  error_free (err);
  err = NULL;
  CHECK_INT (monitor_msg_read (sp[1], 4096, &d, &err), ==, -EPROTO);
  CHECK (err && strstr (err->msg, "truncated: 3 of 100 bytes"));
  close (sp[1]);
  /* another version on a stream: refused with the versions named */
  REQUIRE (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
  h[1] = 7;
  CHECK (write (sp[0], h, sizeof h) == sizeof h);
  error_free (err);
  err = NULL;
  CHECK_INT (monitor_msg_read (sp[1], 4096, &d, &err), ==, -EPROTO);
  CHECK (err && strstr (err->msg, "protocol version 7"));
  close (sp[0]);
  close (sp[1]);
}

static void
test_state_version (void)
{
  char dir[] = "/tmp/hull-monitor-state.XXXXXX";
  REQUIRE (mkdtemp (dir) != NULL);
  _cleanup_close_ int dfd = open (dir, O_PATH | O_DIRECTORY);
  struct monitor_state s;
  memset (&s, 0, sizeof s);
  snprintf (s.status, sizeof s.status, "running");
  s.pid = 77;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (monitor_state_write (dfd, &s, &err) == 0);
  _cleanup_free_ char *text = NULL;
  size_t len;
  REQUIRE (fs_read_file_at (dfd, MONITOR_STATE, 1 << 16, &text, &len, &err) == 0);
  CHECK (strstr (text, "\"version\":1") != NULL);
  struct monitor_state r;
  CHECK_INT (monitor_state_read (dfd, &r, &err), ==, 0);
  CHECK_INT (r.pid, ==, 77);
  monitor_state_clear (&r);
  const char *other = "{\"version\":2,\"status\":\"running\",\"pid\":1}";
  REQUIRE (fs_write_file_volatile (dfd, MONITOR_STATE, other, strlen (other), 0600, &err) == 0);
  CHECK_INT (monitor_state_read (dfd, &r, &err), ==, -EPROTO);
  CHECK (err && strstr (err->msg, "version 2"));
  struct error *e2 = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &e2);
  error_free (e2);
}

int
main (void)
{
  RUN (test_round_trip_buffer);
  RUN (test_round_trip_stream_and_datagram);
  RUN (test_rejected);
  RUN (test_stream_limits);
  RUN (test_state_version);
  return tap_done ();
}
