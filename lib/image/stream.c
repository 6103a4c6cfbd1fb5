#include "stream.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define CHUNK (1u << 20)

void
stream_free (struct stream *s)
{
  if (s)
    s->ops->free (s);
}

int
stream_drain (struct stream *s, struct error **err)
{
  const void *buf;
  ssize_t n;
  while ((n = stream_next (s, &buf, err)) > 0)
    ;
  return n < 0 ? (int) n : 0;
}

const char *
compression_name (enum compression c)
{
  switch (c)
    {
    case COMPRESSION_GZIP:
      return "gzip";
    case COMPRESSION_ZSTD:
      return "zstd";
    case COMPRESSION_NONE:
      return "none";
    default:
      return "auto";
    }
}

/* ------------------------------------------------------------------ fd */

struct fd_stream
{
  struct stream s;
  int fd;
  bool own;
  char *buf;
};

static ssize_t
fd_next (struct stream *s, const void **buf, struct error **err)
{
  struct fd_stream *f = (struct fd_stream *) s;
  for (;;)
    {
      ssize_t n = read (f->fd, f->buf, CHUNK);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return error_errno (err, errno, "read");
      *buf = f->buf;
      return n;
    }
}

static void
fd_free (struct stream *s)
{
  struct fd_stream *f = (struct fd_stream *) s;
  if (f->own)
    safe_close (f->fd);
  free (f->buf);
  free (f);
}

static const struct stream_ops fd_ops = { fd_next, fd_free };

struct stream *
stream_fd_new (int fd, bool own)
{
  struct fd_stream *f = calloc (1, sizeof *f);
  if (f == NULL || (f->buf = malloc (CHUNK)) == NULL)
    {
      free (f);
      if (own)
        safe_close (fd);
      return NULL;
    }
  f->s.ops = &fd_ops;
  f->fd = fd;
  f->own = own;
  return &f->s;
}

/* ------------------------------------------------------------------ mem */

struct mem_stream
{
  struct stream s;
  const void *data;
  size_t len;
  bool done;
};

static ssize_t
mem_next (struct stream *s, const void **buf, struct error **err)
{
  struct mem_stream *m = (struct mem_stream *) s;
  if (m->done)
    return 0;
  m->done = true;
  *buf = m->data;
  return (ssize_t) m->len;
}

static void
mem_free (struct stream *s)
{
  free (s);
}

static const struct stream_ops mem_ops = { mem_next, mem_free };

struct stream *
stream_mem_new (const void *data, size_t len)
{
  struct mem_stream *m = calloc (1, sizeof *m);
  if (m == NULL)
    return NULL;
  m->s.ops = &mem_ops;
  m->data = data;
  m->len = len;
  return &m->s;
}

/* ------------------------------------------------------------ decompress */

struct dec_stream
{
  struct stream s;
  struct stream *in;
  enum compression kind;
  bool sniffed, in_eof, finished;
  /* pending input */
  const uint8_t *ip;
  size_t il;
  /* first bytes, when the first chunk is shorter than a magic number */
  uint8_t *hold;
  uint8_t *out;
  struct inflate_state *gz;
  ZSTD_DStream *zs;
  size_t zret; /* last ZSTD_decompressStream result: 0 = at a frame end */
};

/* Fetch more input into ip/il; returns 0, or 1 at EOF, or -errno. */
static int
dec_fill (struct dec_stream *d, struct error **err)
{
  if (d->il > 0)
    return 0;
  if (d->in_eof)
    return 1;
  const void *b;
  ssize_t n = stream_next (d->in, &b, err);
  if (n < 0)
    return (int) n;
  if (n == 0)
    {
      d->in_eof = true;
      return 1;
    }
  d->ip = b;
  d->il = (size_t) n;
  return 0;
}

static int
dec_sniff (struct dec_stream *d, struct error **err)
{
  /* Gather at least 4 bytes (a first chunk can be tiny): they are copied
   * into hold only in that case. */
  size_t al = 0;
  for (;;)
    {
      const void *b;
      ssize_t n = stream_next (d->in, &b, err);
      if (n < 0)
        return (int) n;
      if (n == 0)
        {
          d->in_eof = true;
          break;
        }
      if (al == 0 && n >= 4)
        {
          d->ip = b;
          d->il = (size_t) n;
          break;
        }
      uint8_t *nh = realloc (d->hold, al + (size_t) n);
      if (nh == NULL)
        return error_set (err, ENOMEM, "out of memory");
      d->hold = nh;
      memcpy (d->hold + al, b, (size_t) n);
      al += (size_t) n;
      d->ip = d->hold;
      d->il = al;
      if (al >= 4)
        break;
    }
  const uint8_t *m = d->ip;
  size_t ml = d->il;
  if (d->kind == COMPRESSION_AUTO)
    {
      if (ml >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        d->kind = COMPRESSION_GZIP;
      else if (ml >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
        d->kind = COMPRESSION_ZSTD;
      else
        d->kind = COMPRESSION_NONE;
    }
  d->sniffed = true;
  return 0;
}

static int
dec_take_input (struct dec_stream *d, const uint8_t **p, size_t *l, struct error **err)
{
  int r = dec_fill (d, err);
  if (r != 0)
    return r;
  *p = d->ip;
  *l = d->il;
  d->il = 0;
  return 0;
}

static ssize_t
dec_next_none (struct dec_stream *d, const void **buf, struct error **err)
{
  const uint8_t *p = NULL;
  size_t l = 0;
  int r = dec_take_input (d, &p, &l, err);
  if (r < 0)
    return r;
  if (r == 1)
    return 0;
  *buf = p;
  return (ssize_t) l;
}

static ssize_t
dec_next_gzip (struct dec_stream *d, const void **buf, struct error **err)
{
  struct inflate_state *st = d->gz;
  st->next_out = d->out;
  st->avail_out = CHUNK;
  while (st->avail_out > 0)
    {
      if (d->finished)
        {
          /* After a member: more members may follow (pigz, concatenated
           * files); zero padding is tolerated, anything else is not. */
          if (d->il == 0)
            {
              const uint8_t *p = NULL;
              size_t l = 0;
              int r = dec_take_input (d, &p, &l, err);
              if (r < 0)
                return r;
              if (r == 1)
                break;
              d->ip = p;
              d->il = l;
            }
          while (d->il > 0 && d->ip[0] == 0)
            d->ip++, d->il--;
          if (d->il == 0)
            continue;
          if (d->ip[0] != 0x1f)
            return error_set (err, EBADMSG, "gzip: trailing garbage after the compressed data");
          isal_inflate_reset (st);
          st->crc_flag = ISAL_GZIP;
          d->finished = false;
        }
      if (d->il == 0)
        {
          const uint8_t *p = NULL;
          size_t l = 0;
          int r = dec_take_input (d, &p, &l, err);
          if (r < 0)
            return r;
          if (r == 1)
            return error_set (err, EBADMSG, "gzip: unexpected end of the compressed data");
          d->ip = p;
          d->il = l;
        }
      st->next_in = (uint8_t *) d->ip;
      st->avail_in = (uint32_t) (d->il > UINT32_MAX ? UINT32_MAX : d->il);
      uint32_t before = st->avail_in;
      int ret = isal_inflate (st);
      size_t used = before - st->avail_in;
      d->ip += used;
      d->il -= used;
      if (ret < 0)
        return error_set (err, EBADMSG, "gzip: %s",
                          ret == ISAL_INCORRECT_CHECKSUM ? "checksum mismatch"
                          : ret == ISAL_INVALID_WRAPPER  ? "not a gzip stream"
                                                         : "corrupt compressed data");
      if (st->block_state == ISAL_BLOCK_FINISH)
        d->finished = true;
    }
  size_t produced = CHUNK - st->avail_out;
  if (produced == 0 && !d->finished)
    return error_set (err, EBADMSG, "gzip: unexpected end of the compressed data");
  *buf = d->out;
  return (ssize_t) produced;
}

static ssize_t
dec_next_zstd (struct dec_stream *d, const void **buf, struct error **err)
{
  ZSTD_outBuffer ob = { d->out, CHUNK, 0 };
  while (ob.pos < ob.size)
    {
      if (d->il == 0)
        {
          const uint8_t *p = NULL;
          size_t l = 0;
          int r = dec_take_input (d, &p, &l, err);
          if (r < 0)
            return r;
          if (r == 1)
            {
              /* The decoder may still hold output for a full buffer. */
              ZSTD_inBuffer ib0 = { NULL, 0, 0 };
              size_t z = ZSTD_decompressStream (d->zs, &ob, &ib0);
              if (ZSTD_isError (z))
                return error_set (err, EBADMSG, "zstd: %s", ZSTD_getErrorName (z));
              if (ob.pos > 0)
                break;
              if (d->zret != 0)
                return error_set (err, EBADMSG, "zstd: unexpected end of the compressed data");
              break;
            }
          d->ip = p;
          d->il = l;
        }
      ZSTD_inBuffer ib = { d->ip, d->il, 0 };
      size_t z = ZSTD_decompressStream (d->zs, &ob, &ib);
      if (ZSTD_isError (z))
        return error_set (err, EBADMSG, "zstd: %s", ZSTD_getErrorName (z));
      d->zret = z;
      d->ip += ib.pos;
      d->il -= ib.pos;
    }
  *buf = d->out;
  return (ssize_t) ob.pos;
}

static ssize_t
dec_next (struct stream *s, const void **buf, struct error **err)
{
  struct dec_stream *d = (struct dec_stream *) s;
  if (!d->sniffed)
    {
      int r = dec_sniff (d, err);
      if (r < 0)
        return r;
      if (d->kind == COMPRESSION_GZIP || d->kind == COMPRESSION_ZSTD)
        {
          d->out = malloc (CHUNK);
          if (d->out == NULL)
            return error_set (err, ENOMEM, "out of memory");
        }
      if (d->kind == COMPRESSION_GZIP)
        {
          d->gz = calloc (1, sizeof *d->gz);
          if (d->gz == NULL)
            return error_set (err, ENOMEM, "out of memory");
          isal_inflate_init (d->gz);
          d->gz->crc_flag = ISAL_GZIP;
        }
      else if (d->kind == COMPRESSION_ZSTD)
        {
          d->zs = ZSTD_createDStream ();
          if (d->zs == NULL)
            return error_set (err, ENOMEM, "out of memory");
          /* A window bigger than 128 MiB would let a small layer make us
           * allocate without bound. */
          ZSTD_DCtx_setParameter (d->zs, ZSTD_d_windowLogMax, 27);
          d->zret = 1;
        }
    }
  switch (d->kind)
    {
    case COMPRESSION_GZIP:
      return dec_next_gzip (d, buf, err);
    case COMPRESSION_ZSTD:
      return dec_next_zstd (d, buf, err);
    default:
      return dec_next_none (d, buf, err);
    }
}

static void
dec_free (struct stream *s)
{
  struct dec_stream *d = (struct dec_stream *) s;
  stream_free (d->in);
  free (d->out);
  free (d->hold);
  free (d->gz);
  if (d->zs)
    ZSTD_freeDStream (d->zs);
  free (d);
}

static const struct stream_ops dec_ops = { dec_next, dec_free };

struct stream *
stream_decompress_new (struct stream *in, enum compression c)
{
  struct dec_stream *d = calloc (1, sizeof *d);
  if (d == NULL)
    {
      stream_free (in);
      return NULL;
    }
  d->s.ops = &dec_ops;
  d->in = in;
  d->kind = c;
  return &d->s;
}

enum compression
stream_decompress_kind (struct stream *s)
{
  return ((struct dec_stream *) s)->kind;
}

/* ---------------------------------------------------------------- verify */

struct verify_stream
{
  struct stream s;
  struct stream *in;
  struct digester *dg;
  char *what, *expect;
  int64_t expect_size;
  uint64_t max, n;
  char *got;
  bool done, trusted;
};

void
stream_verify_trust_source (struct stream *s)
{
  struct verify_stream *v = (struct verify_stream *) s;
  if (v->expect)
    v->trusted = true;
}

static ssize_t
verify_next (struct stream *s, const void **buf, struct error **err)
{
  struct verify_stream *v = (struct verify_stream *) s;
  if (v->done)
    return 0;
  ssize_t n = stream_next (v->in, buf, err);
  if (n < 0)
    return n;
  if (n > 0)
    {
      v->n += (uint64_t) n;
      if (v->expect_size >= 0 && v->n > (uint64_t) v->expect_size)
        return error_set (err, EFBIG, "%s: larger than the %lld bytes announced", v->what,
                          (long long) v->expect_size);
      if (v->max > 0 && v->n > v->max)
        return error_set (err, EFBIG, "%s: larger than the limit of %llu bytes", v->what,
                          (unsigned long long) v->max);
      if (!v->trusted)
        digester_update (v->dg, *buf, (size_t) n);
      return n;
    }
  v->done = true;
  v->got = v->trusted ? strdup (v->expect) : digester_final (v->dg);
  if (v->got == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (v->expect_size >= 0 && v->n != (uint64_t) v->expect_size)
    return error_set (err, EBADMSG, "%s: truncated (got %llu of %lld bytes)", v->what,
                      (unsigned long long) v->n, (long long) v->expect_size);
  if (v->expect && strcmp (v->expect, v->got) != 0)
    return error_set (err, EBADMSG, "%s: digest mismatch (got %s)", v->what, v->got);
  return 0;
}

static void
verify_free (struct stream *s)
{
  struct verify_stream *v = (struct verify_stream *) s;
  stream_free (v->in);
  if (v->dg)
    digester_free (v->dg);
  free (v->what);
  free (v->expect);
  free (v->got);
  free (v);
}

static const struct stream_ops verify_ops = { verify_next, verify_free };

struct stream *
stream_verify_new (struct stream *in, const char *what, const char *expect_digest,
                   int64_t expect_size, uint64_t max_size)
{
  struct verify_stream *v = calloc (1, sizeof *v);
  struct error *e = NULL;
  if (v == NULL)
    goto fail;
  v->s.ops = &verify_ops;
  v->in = in;
  v->expect_size = expect_size;
  v->max = max_size;
  if (digester_new (expect_digest ? expect_digest : "sha256", &v->dg, &e) < 0)
    {
      error_free (e);
      verify_free (&v->s);
      return NULL;
    }
  v->what = strdup (what);
  v->expect = expect_digest ? strdup (expect_digest) : NULL;
  if (v->what == NULL || (expect_digest && v->expect == NULL))
    {
      verify_free (&v->s);
      return NULL;
    }
  return &v->s;
fail:
  stream_free (in);
  return NULL;
}

const char *
stream_verify_digest (struct stream *s)
{
  return ((struct verify_stream *) s)->got;
}

uint64_t
stream_verify_size (struct stream *s)
{
  return ((struct verify_stream *) s)->n;
}

/* ------------------------------------------------------------------- tee */

struct tee_stream
{
  struct stream s;
  struct stream *in;
  int fd;
};

static ssize_t
tee_next (struct stream *s, const void **buf, struct error **err)
{
  struct tee_stream *t = (struct tee_stream *) s;
  ssize_t n = stream_next (t->in, buf, err);
  if (n > 0)
    {
      int r = fs_write_all (t->fd, *buf, (size_t) n);
      if (r < 0)
        return error_errno (err, -r, "write blob");
    }
  return n;
}

static void
tee_free (struct stream *s)
{
  struct tee_stream *t = (struct tee_stream *) s;
  stream_free (t->in);
  free (t);
}

static const struct stream_ops tee_ops = { tee_next, tee_free };

struct stream *
stream_tee_new (struct stream *in, int fd)
{
  struct tee_stream *t = calloc (1, sizeof *t);
  if (t == NULL)
    {
      stream_free (in);
      return NULL;
    }
  t->s.ops = &tee_ops;
  t->in = in;
  t->fd = fd;
  return &t->s;
}

/* -------------------------------------------------------------- gzip tee */

struct gz_stream
{
  struct stream s;
  struct stream *in;
  int fd;
  struct isal_zstream zs;
  uint8_t *level_buf, *out;
  struct digester *dg;
  uint64_t n;
  char *got;
  bool done;
};

static int
gz_flush_out (struct gz_stream *g, struct error **err)
{
  size_t have = CHUNK - g->zs.avail_out;
  if (have > 0)
    {
      int r = fs_write_all (g->fd, g->out, have);
      if (r < 0)
        return error_errno (err, -r, "write blob");
      digester_update (g->dg, g->out, have);
      g->n += have;
    }
  g->zs.next_out = g->out;
  g->zs.avail_out = CHUNK;
  return 0;
}

static int
gz_feed (struct gz_stream *g, const void *p, size_t l, bool end, struct error **err)
{
  g->zs.next_in = (uint8_t *) p;
  g->zs.avail_in = (uint32_t) l;
  g->zs.end_of_stream = end;
  do
    {
      if (isal_deflate (&g->zs) != COMP_OK)
        return error_set (err, EIO, "gzip: compression failed");
      if (g->zs.avail_out == 0 || (end && g->zs.internal_state.state == ZSTATE_END))
        {
          int r = gz_flush_out (g, err);
          if (r < 0)
            return r;
        }
    }
  while (g->zs.avail_in > 0 || (end && g->zs.internal_state.state != ZSTATE_END));
  return 0;
}

static ssize_t
gz_next (struct stream *s, const void **buf, struct error **err)
{
  struct gz_stream *g = (struct gz_stream *) s;
  if (g->done)
    return 0;
  ssize_t n = stream_next (g->in, buf, err);
  if (n < 0)
    return n;
  if (n > 0)
    {
      /* avail_in is 32 bits: feed in slices */
      for (size_t off = 0; off < (size_t) n;)
        {
          size_t l = (size_t) n - off > (1u << 30) ? (1u << 30) : (size_t) n - off;
          int r = gz_feed (g, (const uint8_t *) *buf + off, l, false, err);
          if (r < 0)
            return r;
          off += l;
        }
      return n;
    }
  int r = gz_feed (g, NULL, 0, true, err);
  if (r < 0)
    return r;
  g->done = true;
  g->got = digester_final (g->dg);
  if (g->got == NULL)
    return error_set (err, ENOMEM, "out of memory");
  return 0;
}

static void
gz_free (struct stream *s)
{
  struct gz_stream *g = (struct gz_stream *) s;
  stream_free (g->in);
  free (g->level_buf);
  free (g->out);
  if (g->dg)
    digester_free (g->dg);
  free (g->got);
  free (g);
}

static const struct stream_ops gz_ops = { gz_next, gz_free };

struct stream *
stream_gzip_tee_new (struct stream *in, int fd)
{
  struct gz_stream *g = calloc (1, sizeof *g);
  struct error *e = NULL;
  if (g == NULL)
    {
      stream_free (in);
      return NULL;
    }
  g->s.ops = &gz_ops;
  g->in = in;
  g->fd = fd;
  g->level_buf = malloc (ISAL_DEF_LVL1_DEFAULT);
  g->out = malloc (CHUNK);
  if (g->level_buf == NULL || g->out == NULL || digester_new ("sha256", &g->dg, &e) < 0)
    {
      error_free (e);
      gz_free (&g->s);
      return NULL;
    }
  isal_deflate_init (&g->zs);
  g->zs.level = 1;
  g->zs.level_buf = g->level_buf;
  g->zs.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
  g->zs.gzip_flag = IGZIP_GZIP;
  g->zs.next_out = g->out;
  g->zs.avail_out = CHUNK;
  return &g->s;
}

const char *
stream_gzip_tee_digest (struct stream *s)
{
  return ((struct gz_stream *) s)->got;
}

uint64_t
stream_gzip_tee_size (struct stream *s)
{
  return ((struct gz_stream *) s)->n;
}

/* ------------------------------------------------------------------ pipe */

#define PIPE_WAKE_BYTES (256u << 10)

struct bytepipe
{
  pthread_mutex_t mu;
  pthread_cond_t can_read, can_write;
  int refs;
  uint8_t *ring;
  size_t cap, head /* read pos */, used /* bytes in ring incl. lent */, lent;
  bool closed, aborted;
  int code;
  char *msg;
};

struct pipe_stream
{
  struct stream s;
  struct bytepipe *p;
};

struct bytepipe *
bytepipe_new (size_t capacity)
{
  struct bytepipe *p = calloc (1, sizeof *p);
  if (p == NULL)
    return NULL;
  p->ring = malloc (capacity);
  if (p->ring == NULL)
    {
      free (p);
      return NULL;
    }
  p->cap = capacity;
  p->refs = 1;
  pthread_mutex_init (&p->mu, NULL);
  pthread_cond_init (&p->can_read, NULL);
  pthread_cond_init (&p->can_write, NULL);
  return p;
}

int
bytepipe_write (struct bytepipe *p, const void *data, size_t len)
{
  const uint8_t *d = data;
  pthread_mutex_lock (&p->mu);
  while (len > 0)
    {
      while (p->used == p->cap && !p->aborted)
        pthread_cond_wait (&p->can_write, &p->mu);
      if (p->aborted)
        {
          pthread_mutex_unlock (&p->mu);
          return -ECANCELED;
        }
      size_t tail = (p->head + p->used) % p->cap;
      size_t room = p->cap - p->used;
      size_t contig = tail >= p->head ? p->cap - tail : p->head - tail;
      size_t n = len < room ? len : room;
      if (n > contig)
        n = contig;
      /* copy without the lock: this region belongs to the producer */
      pthread_mutex_unlock (&p->mu);
      memcpy (p->ring + tail, d, n);
      pthread_mutex_lock (&p->mu);
      p->used += n;
      d += n;
      len -= n;
      /* Wake the reader for a batch, not for every 16 KiB curl hands us: a
       * wake-up is a context switch, and on a busy machine a wait for a
       * core.  close() wakes it for the rest. */
      if (p->used >= PIPE_WAKE_BYTES || p->used == p->cap)
        pthread_cond_signal (&p->can_read);
    }
  pthread_mutex_unlock (&p->mu);
  return 0;
}

void
bytepipe_close (struct bytepipe *p, int code, const char *msg)
{
  pthread_mutex_lock (&p->mu);
  p->closed = true;
  p->code = code;
  if (msg && p->msg == NULL)
    p->msg = strdup (msg);
  pthread_cond_broadcast (&p->can_read);
  pthread_mutex_unlock (&p->mu);
}

void
bytepipe_abort (struct bytepipe *p)
{
  pthread_mutex_lock (&p->mu);
  p->aborted = true;
  pthread_cond_broadcast (&p->can_write);
  pthread_mutex_unlock (&p->mu);
}

void
bytepipe_unref (struct bytepipe *p)
{
  if (p == NULL)
    return;
  pthread_mutex_lock (&p->mu);
  int left = --p->refs;
  pthread_mutex_unlock (&p->mu);
  if (left > 0)
    return;
  pthread_mutex_destroy (&p->mu);
  pthread_cond_destroy (&p->can_read);
  pthread_cond_destroy (&p->can_write);
  free (p->ring);
  free (p->msg);
  free (p);
}

static ssize_t
pipe_next (struct stream *s, const void **buf, struct error **err)
{
  struct bytepipe *p = ((struct pipe_stream *) s)->p;
  pthread_mutex_lock (&p->mu);
  /* give back what the previous call lent */
  p->head = (p->head + p->lent) % p->cap;
  p->used -= p->lent;
  p->lent = 0;
  pthread_cond_signal (&p->can_write);
  while (p->used == 0 && !p->closed)
    pthread_cond_wait (&p->can_read, &p->mu);
  ssize_t ret;
  if (p->used > 0)
    {
      size_t contig = p->cap - p->head;
      size_t n = p->used < contig ? p->used : contig;
      p->lent = n;
      *buf = p->ring + p->head;
      ret = (ssize_t) n;
    }
  else if (p->code < 0)
    ret = error_set (err, -p->code, "%s", p->msg ? p->msg : "transfer failed");
  else
    ret = 0;
  pthread_mutex_unlock (&p->mu);
  return ret;
}

static void
pipe_free (struct stream *s)
{
  struct pipe_stream *ps = (struct pipe_stream *) s;
  bytepipe_abort (ps->p);
  bytepipe_unref (ps->p);
  free (ps);
}

static const struct stream_ops pipe_ops = { pipe_next, pipe_free };

struct stream *
bytepipe_stream (struct bytepipe *p)
{
  struct pipe_stream *ps = calloc (1, sizeof *ps);
  if (ps == NULL)
    return NULL;
  ps->s.ops = &pipe_ops;
  ps->p = p;
  pthread_mutex_lock (&p->mu);
  p->refs++;
  pthread_mutex_unlock (&p->mu);
  return &ps->s;
}

/* ---------------------------------------------------------------- thread */

struct thread_stream
{
  struct stream s;
  struct stream *in;   /* read by the helper */
  struct stream *out;  /* the pipe's consumer end */
  struct bytepipe *p;
  pthread_t th;
  bool started;
};

static void *
thread_main (void *arg)
{
  struct thread_stream *t = arg;
  struct error *err = NULL;
  for (;;)
    {
      const void *buf;
      ssize_t n = stream_next (t->in, &buf, &err);
      if (n < 0)
        {
          bytepipe_close (t->p, (int) n, err ? err->msg : NULL);
          break;
        }
      if (n == 0)
        {
          bytepipe_close (t->p, 0, NULL);
          break;
        }
      if (bytepipe_write (t->p, buf, (size_t) n) < 0)
        {
          bytepipe_close (t->p, -ECANCELED, "cancelled");
          break;
        }
    }
  error_free (err);
  return NULL;
}

static ssize_t
thread_next (struct stream *s, const void **buf, struct error **err)
{
  struct thread_stream *t = (struct thread_stream *) s;
  return stream_next (t->out, buf, err);
}

static void
thread_free (struct stream *s)
{
  struct thread_stream *t = (struct thread_stream *) s;
  if (t->started)
    {
      bytepipe_abort (t->p);
      pthread_join (t->th, NULL);
    }
  stream_free (t->out);
  stream_free (t->in);
  bytepipe_unref (t->p);
  free (t);
}

static const struct stream_ops thread_ops = { thread_next, thread_free };

struct stream *
stream_thread_new (struct stream *in, size_t capacity)
{
  struct thread_stream *t = calloc (1, sizeof *t);
  if (t == NULL)
    {
      stream_free (in);
      return NULL;
    }
  t->s.ops = &thread_ops;
  t->in = in;
  t->p = bytepipe_new (capacity);
  if (t->p)
    t->out = bytepipe_stream (t->p);
  if (t->p == NULL || t->out == NULL || pthread_create (&t->th, NULL, thread_main, t) != 0)
    {
      thread_free (&t->s);
      return NULL;
    }
  t->started = true;
  return &t->s;
}
