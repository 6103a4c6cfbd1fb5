/* stream.h - pull-model byte streams chained into a pipeline.
 *
 * A layer goes through: source (network pipe, file) -> tee (blob file +
 * digest of the compressed bytes) -> decompressor (igzip, zstd or none,
 * sniffed from the magic) -> digest of the uncompressed bytes (the diff id)
 * -> tar reader -> unpacker.  Each stage hands out pointers into its own
 * buffer (zero copy where it can), so that one pass over the bytes does
 * everything: no temporary file, no second read.
 *
 * next() returns the number of bytes at *buf (> 0), 0 at the end, or a
 * negative errno with *err set.  A stage owns the stream below it.
 */
#ifndef HULL_IMAGE_STREAM_H
#define HULL_IMAGE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct error;
struct stream;

struct stream_ops
{
  ssize_t (*next) (struct stream *s, const void **buf, struct error **err);
  void (*free) (struct stream *s);
};

struct stream
{
  const struct stream_ops *ops;
};

static inline ssize_t
stream_next (struct stream *s, const void **buf, struct error **err)
{
  return s->ops->next (s, buf, err);
}
void stream_free (struct stream *s);
static inline void stream_freep (struct stream **s)
{
  if (*s)
    stream_free (*s);
}
#define _cleanup_stream_ __attribute__ ((cleanup (stream_freep)))

/* Read everything left and throw it away (so that digests see it all). */
int stream_drain (struct stream *s, struct error **err);

/* Reads an fd (closed at free when own). */
struct stream *stream_fd_new (int fd, bool own);
/* A memory buffer (not copied: must outlive the stream). */
struct stream *stream_mem_new (const void *data, size_t len);

enum compression
{
  COMPRESSION_AUTO = 0, /* sniff: gzip 1f 8b, zstd 28 b5 2f fd, else none */
  COMPRESSION_NONE,
  COMPRESSION_GZIP,
  COMPRESSION_ZSTD,
};
const char *compression_name (enum compression c);

/* Decompress in (owned).  *detected (may be NULL) is set once known. */
struct stream *stream_decompress_new (struct stream *in, enum compression c);
enum compression stream_decompress_kind (struct stream *s);

/* Pass-through that digests (sha256) and counts the bytes; at the end it
 * checks them against expect_digest / expect_size when given (NULL / -1), and
 * refuses more than max_size bytes (0: no limit) as soon as they come.
 * what names the object in errors ("blob `sha256:...`"). */
struct stream *stream_verify_new (struct stream *in, const char *what,
                                  const char *expect_digest, int64_t expect_size,
                                  uint64_t max_size);
/* After the end: "sha256:<hex>" (owned by the stream) and the byte count. */
const char *stream_verify_digest (struct stream *s);
/* The source checks the digest itself (the registry client does, while it
 * streams, and fails the transfer on a mismatch): count and bound the bytes
 * only, and report expect_digest as the result.  Hashing a blob twice costs
 * as much as decompressing it. */
void stream_verify_trust_source (struct stream *s);
uint64_t stream_verify_size (struct stream *s);

/* Pass-through that also writes every byte to fd (not owned). */
struct stream *stream_tee_new (struct stream *in, int fd);

/* Gzip-compress in (igzip, level 1) into a pass-through tee: the bytes read
 * from this stream are in's bytes unchanged, and the compressed form is
 * written to fd and digested (for importing an uncompressed tar). */
struct stream *stream_gzip_tee_new (struct stream *in, int fd);
/* After the end: digest and size of the compressed output. */
const char *stream_gzip_tee_digest (struct stream *s);
uint64_t stream_gzip_tee_size (struct stream *s);

/* Run the stages below in a thread of their own: `in` is read ahead into a
 * pipe (capacity bytes) by a helper thread, so that decompression and
 * digests of one layer proceed on one core while the unpacker writes files on
 * another.  Errors of the stages below come out of next(). */
struct stream *stream_thread_new (struct stream *in, size_t capacity);

/* A pipe between threads: a producer pushes bytes (blocking when the pipe
 * holds `capacity` bytes), the consumer reads them as a stream.  The producer
 * ends with pipe_close (code 0 = clean end, else -errno and a message that
 * the consumer's next() returns).  The consumer may abort the producer with
 * pipe_abort: pipe_write then returns -ECANCELED. */
struct bytepipe;
struct bytepipe *bytepipe_new (size_t capacity);
int bytepipe_write (struct bytepipe *p, const void *data, size_t len);
void bytepipe_close (struct bytepipe *p, int code, const char *msg);
void bytepipe_abort (struct bytepipe *p);
/* The consumer end; the stream and the producer each hold a reference. */
struct stream *bytepipe_stream (struct bytepipe *p);
void bytepipe_unref (struct bytepipe *p);

#endif
