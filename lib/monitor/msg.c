/* msg.c - the monitor's wire format (monitor.h): one encoder and one
 * decoder, both driven by a table of fields per message type, so that every
 * process boundary of ours is read by the same checked code.
 *
 * The decoder reads what another process wrote: an attach client may be any
 * local process that can reach the socket, and a monitor may outlive an
 * upgrade of hull.  So it trusts nothing: lengths are checked against what
 * is left before any read, integers are read with memcpy (no alignment),
 * strings must end with their NUL and hold no other, lists are bounded, and
 * each field is known, single and of its type's size.
 */
#include "monitor/monitor.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum kind
{
  F_I32,
  F_I64,
  F_BOOL,
  F_STR,
  F_BYTES, /* off: the pointer, off2: its size_t length */
  F_STRV,
};

struct field
{
  uint8_t tag;
  uint8_t kind;
  bool required;
  /* inline, not a pointer: the tables then need no relocation, and stay
   * in read-only pages shared by every monitor (a static-pie relocates
   * pointers into private pages at start) */
  char name[24];
  uint16_t off, off2;
};

#define U(m) offsetof (struct monitor_msg, u.m)
#define FLD(t, k, req, n, m)                                                                       \
  {                                                                                                \
    t, k, req, n, U (m), 0                                                                         \
  }

static const struct field f_start[] = {
  FLD (1, F_STR, true, "id", start.id),
  FLD (2, F_STR, true, "runtime_root", start.runtime_root),
  FLD (3, F_STR, true, "bundle", start.bundle),
  FLD (4, F_STR, false, "rootfs", start.rootfs),
  FLD (5, F_STR, true, "log_dir", start.log_dir),
  FLD (6, F_STR, false, "root", start.root),
  FLD (7, F_STR, false, "runroot", start.runroot),
  FLD (8, F_STR, false, "cleanup", start.cleanup),
  FLD (9, F_BOOL, false, "tty", start.tty),
  FLD (10, F_BOOL, false, "open_stdin", start.open_stdin),
  FLD (11, F_BOOL, false, "auto_remove", start.auto_remove),
  FLD (12, F_BOOL, false, "loopback", start.loopback),
  FLD (13, F_BOOL, false, "caller_finishes", start.caller_finishes),
  FLD (14, F_BOOL, false, "cleanup_on_exit", start.cleanup_on_exit),
  FLD (15, F_I32, false, "restart_policy", start.restart_policy),
  FLD (16, F_I32, false, "restart_max", start.restart_max),
  FLD (17, F_I32, false, "restart_count", start.restart_count),
  FLD (18, F_I32, false, "stop_signal", start.stop_signal),
  FLD (19, F_I32, false, "log_max_file", start.log_max_file),
  FLD (20, F_I32, false, "rows", start.rows),
  FLD (21, F_I32, false, "cols", start.cols),
  FLD (22, F_I64, false, "log_max_size", start.log_max_size),
  FLD (23, F_STRV, false, "health_test", start.health_test),
  FLD (24, F_I64, false, "health_interval", start.health_interval),
  FLD (25, F_I64, false, "health_timeout", start.health_timeout),
  FLD (26, F_I64, false, "health_start_period", start.health_start_period),
  FLD (27, F_I32, false, "health_retries", start.health_retries),
};
static const struct field f_started[] = {
  FLD (1, F_I32, true, "pid", started.pid),
  FLD (2, F_STR, false, "cgroup", started.cgroup),
};
static const struct field f_error[] = {
  FLD (1, F_I32, true, "code", error.code),
  FLD (2, F_STR, true, "message", error.message),
};
static const struct field f_create[] = {
  FLD (1, F_STR, true, "runtime_root", create.runtime_root),
  FLD (2, F_STR, true, "id", create.id),
  FLD (3, F_STR, true, "bundle", create.bundle),
  FLD (4, F_BOOL, false, "tty", create.tty),
  FLD (5, F_BOOL, false, "loopback", create.loopback),
  FLD (6, F_I32, true, "stdin", create.stdio[0]),
  FLD (7, F_I32, true, "stdout", create.stdio[1]),
  FLD (8, F_I32, true, "stderr", create.stdio[2]),
  FLD (9, F_I32, true, "result_fd", create.result_fd),
};
static const struct field f_exec[] = {
  FLD (1, F_STR, true, "runtime_root", exec.runtime_root),
  FLD (2, F_STR, true, "id", exec.id),
  FLD (3, F_I32, true, "out_fd", exec.out_fd),
  FLD (4, F_STRV, true, "argv", exec.argv),
};
static const struct field f_finish[] = {
  FLD (1, F_STR, true, "root", finish.root),
  FLD (2, F_STR, true, "runroot", finish.runroot),
  FLD (3, F_STR, true, "id", finish.id),
  FLD (4, F_I32, true, "lock_fd", finish.lock_fd),
};
static const struct field f_data[] = {
  { 1, F_BYTES, true, "data", U (data.data), U (data.len) },
};
static const struct field f_resize[] = {
  FLD (1, F_I32, true, "rows", resize.rows),
  FLD (2, F_I32, true, "cols", resize.cols),
};
static const struct field f_stop[] = {
  FLD (1, F_I32, true, "signal", sig.signal),
  FLD (2, F_I32, true, "timeout", sig.timeout),
};
static const struct field f_kill[] = {
  FLD (1, F_I32, true, "signal", sig.signal),
};
static const struct field f_status[] = {
  FLD (1, F_I32, true, "code", status.code),
};

/* A type's name and fields; NULL for an unknown type.  A switch rather than
 * an array of pointers, for the same reason as the inline names. */
struct spec
{
  const char *name;
  const struct field *fields;
  size_t n;
};

static bool
spec_of (int type, struct spec *out)
{
  switch (type)
    {
    case MONITOR_MSG_START:
      *out = (struct spec){ "start", f_start, sizeof f_start / sizeof f_start[0] };
      return true;
    case MONITOR_MSG_STARTED:
      *out = (struct spec){ "started", f_started, sizeof f_started / sizeof f_started[0] };
      return true;
    case MONITOR_MSG_ERROR:
      *out = (struct spec){ "error", f_error, sizeof f_error / sizeof f_error[0] };
      return true;
    case MONITOR_MSG_CREATE:
      *out = (struct spec){ "create", f_create, sizeof f_create / sizeof f_create[0] };
      return true;
    case MONITOR_MSG_EXEC:
      *out = (struct spec){ "exec", f_exec, sizeof f_exec / sizeof f_exec[0] };
      return true;
    case MONITOR_MSG_FINISH:
      *out = (struct spec){ "finish", f_finish, sizeof f_finish / sizeof f_finish[0] };
      return true;
    case MONITOR_MSG_STDIN:
      *out = (struct spec){ "stdin", f_data, sizeof f_data / sizeof f_data[0] };
      return true;
    case MONITOR_MSG_STDIN_CLOSE:
      *out = (struct spec){ "stdin-close", NULL, 0 };
      return true;
    case MONITOR_MSG_RESIZE:
      *out = (struct spec){ "resize", f_resize, sizeof f_resize / sizeof f_resize[0] };
      return true;
    case MONITOR_MSG_STOP:
      *out = (struct spec){ "stop", f_stop, sizeof f_stop / sizeof f_stop[0] };
      return true;
    case MONITOR_MSG_KILL:
      *out = (struct spec){ "kill", f_kill, sizeof f_kill / sizeof f_kill[0] };
      return true;
    case MONITOR_MSG_QUIET:
      *out = (struct spec){ "quiet", NULL, 0 };
      return true;
    case MONITOR_MSG_OWNER:
      *out = (struct spec){ "owner", NULL, 0 };
      return true;
    case MONITOR_MSG_STDOUT:
      *out = (struct spec){ "stdout", f_data, sizeof f_data / sizeof f_data[0] };
      return true;
    case MONITOR_MSG_STDERR:
      *out = (struct spec){ "stderr", f_data, sizeof f_data / sizeof f_data[0] };
      return true;
    case MONITOR_MSG_EXIT:
      *out = (struct spec){ "exit", f_status, sizeof f_status / sizeof f_status[0] };
      return true;
    case MONITOR_MSG_ACK:
      *out = (struct spec){ "ack", f_status, sizeof f_status / sizeof f_status[0] };
      return true;
    default:
      return false;
    }
}

const char *
monitor_msg_type_name (int type)
{
  struct spec sp;
  return spec_of (type, &sp) ? sp.name : "unknown";
}

typedef char *const *strv_t;
typedef const char *str_t;
typedef const void *ptr_t;

#define AT(m, off, T) ((T *)((char *)(m) + (off)))
#define CAT(m, off, T) ((const T *)((const char *)(m) + (off)))

/* ------------------------------------------------------------ encode */

/* Size of a field's value; 0 with *skip when it is absent (NULL string or
 * list: the field is left out). */
static size_t
value_size (const struct monitor_msg *m, const struct field *f, bool *skip)
{
  *skip = false;
  switch (f->kind)
    {
    case F_I32:
      return 4;
    case F_I64:
      return 8;
    case F_BOOL:
      return 1;
    case F_STR:
      {
        const char *s = *CAT (m, f->off, str_t);
        if (s == NULL)
          {
            *skip = true;
            return 0;
          }
        return strlen (s) + 1;
      }
    case F_BYTES:
      return *CAT (m, f->off2, size_t);
    case F_STRV:
      {
        char *const *v = *CAT (m, f->off, strv_t);
        if (v == NULL)
          {
            *skip = true;
            return 0;
          }
        size_t n = 0;
        for (size_t i = 0; v[i]; i++)
          n += strlen (v[i]) + 1;
        return n;
      }
    }
  return 0;
}

static void
put32 (uint8_t *p, uint32_t v)
{
  v = htole32 (v);
  memcpy (p, &v, 4);
}

/* The frame's size, after checking that m can be encoded. */
static int
encoded_size (const struct monitor_msg *m, size_t *out, struct error **err)
{
  int t = m->type;
  struct spec sp;
  if (!spec_of (t, &sp))
    return error_set (err, EINVAL, "monitor message: cannot encode type %d", t);
  size_t total = MONITOR_MSG_HEADER;
  for (size_t i = 0; i < sp.n; i++)
    {
      const struct field *f = &sp.fields[i];
      bool skip;
      size_t n = value_size (m, f, &skip);
      if (skip)
        {
          if (f->required)
            return error_set (err, EINVAL, "monitor message `%s`: no `%s`", sp.name, f->name);
          continue;
        }
      if (f->kind == F_BYTES && n > 0 && *CAT (m, f->off, ptr_t) == NULL)
        return error_set (err, EINVAL, "monitor message `%s`: no `%s`", sp.name, f->name);
      if (f->kind == F_STRV)
        {
          size_t k = 0;
          for (char *const *v = *CAT (m, f->off, strv_t); v[k]; k++)
            ;
          if (k > MONITOR_STRV_MAX)
            return error_set (err, EMSGSIZE,
                              "monitor message `%s`: `%s` has %zu strings "
                              "(at most %d)",
                              sp.name, f->name, k, MONITOR_STRV_MAX);
        }
      if (n > UINT32_MAX - 5 - total)
        return error_set (err, EMSGSIZE, "monitor message `%s`: too large", sp.name);
      total += 5 + n;
    }
  *out = total;
  return 0;
}

int
monitor_msg_encode (const struct monitor_msg *m, void *buf, size_t cap, size_t *len,
                    struct error **err)
{
  int t = m->type;
  size_t total;
  int r = encoded_size (m, &total, err);
  if (r < 0)
    return r;
  struct spec sp;
  spec_of (t, &sp);
  /* nothing is written unless all of it fits */
  if (total > cap)
    return error_set (err, EMSGSIZE, "monitor message `%s`: %zu bytes, at most %zu", sp.name,
                      total, cap);
  uint8_t *p = buf;
  p[0] = 'h';
  p[1] = MONITOR_PROTO_VERSION;
  p[2] = (uint8_t)t;
  p[3] = 0;
  put32 (p + 4, (uint32_t)(total - MONITOR_MSG_HEADER));
  p += MONITOR_MSG_HEADER;
  for (size_t i = 0; i < sp.n; i++)
    {
      const struct field *f = &sp.fields[i];
      bool skip;
      size_t n = value_size (m, f, &skip);
      if (skip)
        continue;
      p[0] = f->tag;
      put32 (p + 1, (uint32_t)n);
      p += 5;
      switch (f->kind)
        {
        case F_I32:
          put32 (p, (uint32_t)*CAT (m, f->off, int32_t));
          break;
        case F_I64:
          {
            uint64_t v = htole64 ((uint64_t)*CAT (m, f->off, int64_t));
            memcpy (p, &v, 8);
            break;
          }
        case F_BOOL:
          *p = *CAT (m, f->off, bool) ? 1 : 0;
          break;
        case F_STR:
          memcpy (p, *CAT (m, f->off, str_t), n);
          break;
        case F_BYTES:
          if (n)
            memcpy (p, *CAT (m, f->off, ptr_t), n);
          break;
        case F_STRV:
          {
            uint8_t *q = p;
            for (char *const *v = *CAT (m, f->off, strv_t); *v; v++)
              {
                size_t l = strlen (*v) + 1;
                memcpy (q, *v, l);
                q += l;
              }
            break;
          }
        }
      p += n;
    }
  *len = total;
  return 0;
}

/* ------------------------------------------------------------ decode */

static uint32_t
get32 (const uint8_t *p)
{
  uint32_t v;
  memcpy (&v, p, 4);
  return le32toh (v);
}

static int bad (struct error **err, const char *tname, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
static int
bad (struct error **err, const char *tname, const char *fmt, ...)
{
  char what[200];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (what, sizeof what, fmt, ap);
  va_end (ap);
  if (tname)
    return error_set (err, EPROTO, "monitor message `%s`: %s", tname, what);
  return error_set (err, EPROTO, "monitor message: %s", what);
}

static int
decode_strv (const uint8_t *p, size_t n, char ***out, struct error **err, const char *tname,
             const char *fname)
{
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    if (p[i] == '\0')
      count++;
  if (n > 0 && p[n - 1] != '\0')
    return bad (err, tname, "field `%s`: a string without its NUL", fname);
  if (count > MONITOR_STRV_MAX)
    return bad (err, tname, "field `%s`: %zu strings (at most %d)", fname, count, MONITOR_STRV_MAX);
  char **v = calloc (count + 1, sizeof *v);
  if (v == NULL)
    return error_set (err, ENOMEM, "out of memory");
  size_t k = 0;
  for (size_t i = 0; i < n; k++)
    {
      v[k] = (char *)p + i;
      i += strlen ((const char *)p + i) + 1;
    }
  *out = v;
  return 0;
}

static int decode_fields (const struct spec *sp, const uint8_t *q, const uint8_t *end,
                          struct monitor_msg *m, struct error **err);

int
monitor_msg_decode (const void *buf, size_t len, struct monitor_msg *m, struct error **err)
{
  memset (m, 0, sizeof *m);
  const uint8_t *p = buf;
  if (len < MONITOR_MSG_HEADER)
    return bad (err, NULL, "truncated: %zu bytes, the header alone is %d", len, MONITOR_MSG_HEADER);
  if (p[0] != 'h')
    return bad (err, NULL, "not a monitor message (bad magic 0x%02x)", p[0]);
  if (p[1] != MONITOR_PROTO_VERSION)
    return bad (err, NULL,
                "protocol version %d, this build speaks %d (a monitor "
                "started by another version of hull?)",
                p[1], MONITOR_PROTO_VERSION);
  int t = p[2];
  struct spec sp;
  if (!spec_of (t, &sp))
    return bad (err, NULL, "unknown type %d", t);
  const char *tname = sp.name;
  if (p[3] != 0)
    return bad (err, tname, "reserved header byte set");
  size_t body = get32 (p + 4);
  if (body != len - MONITOR_MSG_HEADER)
    return bad (err, tname, "the header announces %zu bytes of fields, the frame has %zu", body,
                len - MONITOR_MSG_HEADER);
  const uint8_t *q = p + MONITOR_MSG_HEADER, *end = p + len;
  m->type = t;
  int r = decode_fields (&sp, q, end, m, err);
  if (r < 0)
    monitor_msg_clear (m);
  return r;
}

static int
decode_fields (const struct spec *sp, const uint8_t *q, const uint8_t *end,
               struct monitor_msg *m, struct error **err)
{
  const char *tname = sp->name;
  uint64_t seen = 0;
  while (q < end)
    {
      if ((size_t)(end - q) < 5)
        return bad (err, tname, "truncated field header (%zu bytes left)", (size_t)(end - q));
      uint8_t tag = q[0];
      size_t n = get32 (q + 1);
      q += 5;
      if (n > (size_t)(end - q))
        return bad (err, tname, "field %d runs %zu bytes past the end", tag, n - (size_t)(end - q));
      const struct field *f = NULL;
      size_t idx = 0;
      for (size_t i = 0; i < sp->n; i++)
        if (sp->fields[i].tag == tag)
          {
            f = &sp->fields[i];
            idx = i;
          }
      if (f == NULL)
        return bad (err, tname, "unknown field %d", tag);
      if (seen & (1ull << idx))
        return bad (err, tname, "field `%s` twice", f->name);
      seen |= 1ull << idx;
      switch (f->kind)
        {
        case F_I32:
          if (n != 4)
            return bad (err, tname, "field `%s`: %zu bytes, an i32 has 4", f->name, n);
          *AT (m, f->off, int32_t) = (int32_t)get32 (q);
          break;
        case F_I64:
          {
            if (n != 8)
              return bad (err, tname, "field `%s`: %zu bytes, an i64 has 8", f->name, n);
            uint64_t v;
            memcpy (&v, q, 8);
            *AT (m, f->off, int64_t) = (int64_t)le64toh (v);
            break;
          }
        case F_BOOL:
          if (n != 1 || q[0] > 1)
            return bad (err, tname, "field `%s`: not a boolean", f->name);
          *AT (m, f->off, bool) = q[0] == 1;
          break;
        case F_STR:
          if (n == 0 || q[n - 1] != '\0' || memchr (q, '\0', n - 1) != NULL)
            return bad (err, tname, "field `%s`: not a string", f->name);
          *AT (m, f->off, str_t) = (const char *)q;
          break;
        case F_BYTES:
          *AT (m, f->off, ptr_t) = q;
          *AT (m, f->off2, size_t) = n;
          break;
        case F_STRV:
          {
            if (m->strv)
              return bad (err, tname, "field `%s`: a second list", f->name);
            char **v = NULL;
            int r = decode_strv (q, n, &v, err, tname, f->name);
            if (r < 0)
              return r;
            m->strv = v;
            *AT (m, f->off, strv_t) = v;
            break;
          }
        }
      q += n;
    }
  for (size_t i = 0; i < sp->n; i++)
    if (sp->fields[i].required && !(seen & (1ull << i)))
      return bad (err, tname, "no field `%s`", sp->fields[i].name);
  return 0;
}

void
monitor_msg_clear (struct monitor_msg *m)
{
  free (m->strv);
  free (m->buf);
  memset (m, 0, sizeof *m);
}

/* ------------------------------------------------------------ streams */

int
monitor_msg_write (int fd, const struct monitor_msg *m, struct error **err)
{
  size_t len;
  int r = encoded_size (m, &len, err);
  if (r < 0)
    return r;
  if (len > MONITOR_STREAM_MAX + MONITOR_MSG_HEADER)
    return error_set (err, EMSGSIZE, "monitor message `%s`: %zu bytes, at most %u",
                      monitor_msg_type_name (m->type), len,
                      MONITOR_STREAM_MAX + MONITOR_MSG_HEADER);
  _cleanup_free_ uint8_t *buf = malloc (len);
  if (buf == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if ((r = monitor_msg_encode (m, buf, len, &len, err)) < 0)
    return r;
  if ((r = fs_write_all (fd, buf, len)) < 0)
    return error_errno (err, -r, "send the monitor message `%s`", monitor_msg_type_name (m->type));
  return 0;
}

static ssize_t
read_full (int fd, void *buf, size_t len)
{
  size_t got = 0;
  while (got < len)
    {
      ssize_t n = read (fd, (char *)buf + got, len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      if (n == 0)
        break;
      got += (size_t)n;
    }
  return (ssize_t)got;
}

int
monitor_msg_read (int fd, size_t max, struct monitor_msg *m, struct error **err)
{
  memset (m, 0, sizeof *m);
  uint8_t h[MONITOR_MSG_HEADER];
  ssize_t n = read_full (fd, h, sizeof h);
  if (n < 0)
    return error_errno (err, (int)-n, "read a monitor message");
  if (n == 0)
    return error_set (err, ENODATA, "monitor message: the other end closed without a word");
  if ((size_t)n < sizeof h)
    return bad (err, NULL, "truncated: %zu bytes, the header alone is %d", (size_t)n,
                MONITOR_MSG_HEADER);
  size_t body = get32 (h + 4);
  if (h[0] == 'h' && h[1] == MONITOR_PROTO_VERSION && body > max)
    return bad (err, monitor_msg_type_name (h[2]), "oversized: %zu bytes of fields, at most %zu",
                body, max);
  if (h[0] != 'h' || h[1] != MONITOR_PROTO_VERSION)
    return monitor_msg_decode (h, sizeof h, m, err); /* its error */
  uint8_t *buf = malloc (sizeof h + body);
  if (buf == NULL)
    return error_set (err, ENOMEM, "out of memory");
  memcpy (buf, h, sizeof h);
  n = read_full (fd, buf + sizeof h, body);
  if (n < 0 || (size_t)n < body)
    {
      free (buf);
      if (n < 0)
        return error_errno (err, (int)-n, "read a monitor message");
      return bad (err, monitor_msg_type_name (h[2]), "truncated: %zu of %zu bytes", (size_t)n,
                  body);
    }
  int r = monitor_msg_decode (buf, sizeof h + body, m, err);
  if (r < 0)
    {
      free (buf);
      return r;
    }
  m->buf = buf;
  return 0;
}

/* ------------------------------------------------------------ datagrams */

int
monitor_msg_send (int fd, const struct monitor_msg *m, int flags)
{
  uint8_t buf[MONITOR_DGRAM_MAX];
  size_t len;
  _cleanup_error_ struct error *e = NULL;
  int r = monitor_msg_encode (m, buf, sizeof buf, &len, &e);
  if (r < 0)
    return r;
  for (;;)
    {
      if (send (fd, buf, len, flags | MSG_NOSIGNAL) >= 0)
        return 0;
      if (errno != EINTR)
        return -errno;
    }
}

int
monitor_msg_recv (int fd, void *buf, int flags, struct monitor_msg *m, struct error **err)
{
  memset (m, 0, sizeof *m);
  ssize_t n;
  do
    n = recv (fd, buf, MONITOR_DGRAM_MAX, flags | MSG_TRUNC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : error_errno (err, errno, "receive");
  if (n == 0)
    return -ECONNRESET;
  /* MSG_TRUNC: n is the datagram's real size */
  if ((size_t)n > MONITOR_DGRAM_MAX)
    return bad (err, NULL, "oversized: %zu bytes, a datagram is at most %d", (size_t)n,
                MONITOR_DGRAM_MAX);
  return monitor_msg_decode (buf, (size_t)n, m, err);
}
