/* blob.c - blob download (streamed, verified while streaming, resumed after
 * a cut), existence checks, cross-repository mounts and uploads.
 *
 * A blob is only as good as its digest: bytes are handed to the caller as
 * they arrive (so that layers can be unpacked while they stream), and the
 * caller learns only from the final return value whether they were the
 * right ones.  The size from the descriptor bounds everything: a registry
 * that sends more is cut off at once, one that sends less is retried from
 * where it stopped and, if it still comes short, rejected. */
#include "client-internal.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/log.h"

#include "reference.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Resumes of one download, at most (a registry that cuts every few bytes
 * must not keep us forever). */
#define BLOB_RESUMES_MAX 64

struct blob_get
{
  const struct registry_blob_request *req;
  const char *subject; /* "blob `sha256:...`" */
  struct digester *dg;
  registry_write_fn write;
  void *ud;
  uint64_t received; /* bytes verified and passed on */
  uint64_t skip;     /* bytes of a full (200) reply we already have */
  uint64_t limit;    /* size, or max_size; UINT64_MAX: none */
  struct error **err;
};

static int
blob_on_headers (const struct http_response *resp, void *ud)
{
  struct blob_get *b = ud;
  b->skip = 0;
  if (resp->status == 206)
    {
      /* "bytes START-END/TOTAL": it must start where we are */
      uint64_t start = 0;
      if (resp->content_range == NULL
          || sscanf (resp->content_range, "bytes %" SCNu64 "-", &start) != 1
          || start != b->received)
        {
          error_set (b->err, EBADMSG, "%s: the registry resumed at the wrong offset (`%.60s`)",
                     b->subject, resp->content_range ? resp->content_range : "");
          return -EBADMSG;
        }
    }
  else
    {
      /* the registry ignored the Range: skip what we already have */
      b->skip = b->received;
    }
  if (resp->content_length >= 0 && b->limit != UINT64_MAX)
    {
      uint64_t end = (resp->status == 206 ? b->received : 0) + (uint64_t)resp->content_length;
      if (end > b->limit)
        {
          error_set (b->err, EFBIG,
                     "%s: larger than %s %" PRIu64 " bytes (the registry sends %" PRIu64 ")",
                     b->subject, b->req->size >= 0 ? "its descriptor size," : "the allowed",
                     b->limit, end);
          return -EFBIG;
        }
    }
  return 0;
}

static int
blob_sink (const void *buf, size_t len, void *ud)
{
  struct blob_get *b = ud;
  const char *p = buf;
  if (b->skip)
    {
      size_t s = len < b->skip ? len : (size_t)b->skip;
      p += s;
      len -= s;
      b->skip -= s;
      if (len == 0)
        return 0;
    }
  if (b->limit != UINT64_MAX && b->received + len > b->limit)
    {
      error_set (b->err, EFBIG, "%s: larger than %s %" PRIu64 " bytes", b->subject,
                 b->req->size >= 0 ? "its descriptor size," : "the allowed", b->limit);
      return -EFBIG;
    }
  digester_update (b->dg, p, len);
  int r = b->write (p, len, b->received, b->ud);
  if (r < 0)
    {
      error_set (b->err, -r, "%s: write: %s", b->subject, strerror (-r));
      return r;
    }
  b->received += len;
  return 0;
}

/* Hash the bytes the caller already has (resume from an earlier run). */
static int
hash_prefix (struct blob_get *b, int fd, uint64_t n, struct error **err)
{
  char buf[65536];
  uint64_t off = 0;
  while (off < n)
    {
      size_t want = n - off < sizeof buf ? (size_t)(n - off) : sizeof buf;
      ssize_t r = pread (fd, buf, want, (off_t)off);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return error_errno (err, errno, "%s: read the partial download", b->subject);
      if (r == 0)
        return error_set (err, EINVAL,
                          "%s: the partial download has %" PRIu64 " bytes, not %" PRIu64,
                          b->subject, off, n);
      digester_update (b->dg, buf, (size_t)r);
      off += (uint64_t)r;
    }
  return 0;
}

int
registry_get_blob (struct registry_client *c, const struct registry_blob_request *req,
                   registry_write_fn write, void *userdata, struct error **err)
{
  int ret;
  if (c->path == NULL)
    return error_set (err, EINVAL, "registry client without repository");
  if (req->digest == NULL || !digest_valid (req->digest))
    return digest_validate (req->digest, err);
  char subject[DIGEST_STRING_MAX + 16];
  snprintf (subject, sizeof subject, "blob `%s`", req->digest);
  _cleanup_digester_ struct digester *dg = NULL;
  if ((ret = digester_new (req->digest, &dg, err)) < 0)
    return ret;
  struct blob_get b = {
    .req = req,
    .subject = subject,
    .dg = dg,
    .write = write,
    .ud = userdata,
    .limit = req->size >= 0  ? (uint64_t)req->size
             : req->max_size ? req->max_size
                             : UINT64_MAX,
  };
  if (req->start > 0)
    {
      if (req->start > b.limit)
        return error_set (err, EINVAL, "%s: resume offset %" PRIu64 " past its size", subject,
                          req->start);
      if ((ret = hash_prefix (&b, req->start_fd, req->start, err)) < 0)
        return ret;
      b.received = req->start;
    }
  _cleanup_free_ char *scope = scope_pull (c->path);
  if (scope == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if ((ret = registry_ensure_ready (c, err)) < 0)
    return ret;
  _cleanup_free_ char *url = registry_url (c, "%s/blobs/%s", c->path, req->digest);
  if (url == NULL)
    return error_set (err, ENOMEM, "out of memory");

  unsigned failures = 0, resumes = 0;
  for (;;)
    {
      bool done = b.limit != UINT64_MAX && req->size >= 0 && b.received == (uint64_t)req->size;
      char range[48];
      snprintf (range, sizeof range, "bytes=%" PRIu64 "-", b.received);
      struct http_request hr = {
        .method = "GET",
        .url = url,
        .range = b.received > 0 && !done ? range : NULL,
        .sink = blob_sink,
        .on_headers = blob_on_headers,
        .sink_ud = &b,
        .scope = scope,
        .follow_redirects = true,
        .subject = subject,
      };
      struct http_response resp = { .content_length = -1 };
      struct error *e = NULL;
      bool retryable = false;
      uint64_t before = b.received;
      b.err = &e;
      if (done)
        break; /* everything is here (a cut right at the end) */
      ret = http_exchange (c, &hr, &resp, &retryable, &e);
      bool progress = b.received > before;
      bool again;
      if (ret < 0)
        again = retryable;
      else if (resp.status == 416 && b.received > 0 && req->size < 0)
        {
          /* unknown size, and we asked past the end: we have it all */
          http_response_clear (&resp);
          break;
        }
      else if (!http_status_ok (resp.status))
        {
          again = resp.status >= 500 || resp.status == 429;
          if (!again || failures >= (unsigned)c->max_retries)
            {
              ret = http_status_error (c, &resp, subject, err);
              http_response_clear (&resp);
              return ret;
            }
        }
      else
        {
          /* a complete reply: did it bring everything? */
          http_response_clear (&resp);
          if (req->size < 0 || b.received == (uint64_t)req->size)
            break;
          /* the registry ended the body early but cleanly (Content-Length
           * matched): it has no more to give */
          return error_set (err, EBADMSG, "%s: truncated (got %" PRIu64 " of %" PRId64 " bytes)",
                            subject, b.received, req->size);
        }
      long retry_after = ret == 0 ? resp.retry_after : 0;
      http_response_clear (&resp);
      if (progress)
        failures = 0, resumes++;
      else
        failures++;
      if (!again || c->max_retries == 0 || failures > (unsigned)c->max_retries
          || resumes > BLOB_RESUMES_MAX)
        {
          if (ret < 0)
            {
              *err = e;
              if (ret == -ECONNRESET && req->size >= 0)
                error_prefix (err, "%s: truncated (got %" PRIu64 " of %" PRId64 " bytes)", subject,
                              b.received, req->size);
              return ret;
            }
          error_free (e);
          return error_set (err, EIO, "%s: giving up after %u attempts", subject, failures);
        }
      log_debug ("%s: %s; resuming at %" PRIu64, subject, e ? e->msg : "server error", b.received);
      error_free (e);
      if (!progress && !http_backoff (c, failures, retry_after))
        return error_set (err, ECANCELED, "%s: cancelled", subject);
    }

  if (req->size >= 0 && b.received != (uint64_t)req->size)
    return error_set (err, EBADMSG, "%s: truncated (got %" PRIu64 " of %" PRId64 " bytes)", subject,
                      b.received, req->size);
  _cleanup_free_ char *got = digester_final (dg);
  if (got == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (strcmp (got, req->digest) != 0)
    return error_set (err, EBADMSG, "%s: digest mismatch (got %s)", subject, got);
  return 0;
}

struct mem_sink
{
  char *data;
  size_t len, max;
};

static int
mem_write (const void *buf, size_t len, uint64_t offset, void *ud)
{
  struct mem_sink *m = ud;
  if (offset != m->len)
    return -EINVAL;
  if (len > m->max - m->len)
    return -EFBIG;
  char *n = realloc (m->data, m->len + len + 1);
  if (n == NULL)
    return -ENOMEM;
  memcpy (n + m->len, buf, len);
  m->data = n;
  m->len += len;
  n[m->len] = '\0';
  return 0;
}

int
registry_get_blob_mem (struct registry_client *c, const char *digest, int64_t size, size_t max,
                       char **data, size_t *len, struct error **err)
{
  if (size >= 0 && (uint64_t)size > max)
    return error_set (err, EFBIG, "blob `%s`: %" PRId64 " bytes, more than the %zu allowed",
                      digest ? digest : "", size, max);
  struct mem_sink m = { .max = max };
  struct registry_blob_request req = {
    .digest = digest,
    .size = size,
    .max_size = max,
  };
  int ret = registry_get_blob (c, &req, mem_write, &m, err);
  if (ret < 0)
    {
      free (m.data);
      return ret;
    }
  if (m.data == NULL && (m.data = calloc (1, 1)) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  *data = m.data;
  *len = m.len;
  return 0;
}

int
registry_blob_exists (struct registry_client *c, const char *digest, int64_t *size,
                      struct error **err)
{
  int ret;
  if (c->path == NULL)
    return error_set (err, EINVAL, "registry client without repository");
  if ((ret = digest_validate (digest, err)) < 0)
    return ret;
  char subject[DIGEST_STRING_MAX + 16];
  snprintf (subject, sizeof subject, "blob `%s`", digest);
  _cleanup_free_ char *scope = scope_pull (c->path);
  if (scope == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if ((ret = registry_ensure_ready (c, err)) < 0)
    return ret;
  _cleanup_free_ char *url = registry_url (c, "%s/blobs/%s", c->path, digest);
  if (url == NULL)
    return error_set (err, ENOMEM, "out of memory");
  struct http_request req = {
    .method = "HEAD",
    .url = url,
    .scope = scope,
    .follow_redirects = true,
    .subject = subject,
  };
  struct http_response resp = { .content_length = -1 };
  if ((ret = http_do (c, &req, &resp, err)) < 0)
    return ret;
  if (resp.status == 404)
    ret = 0;
  else if (!http_status_ok (resp.status))
    ret = http_status_error (c, &resp, subject, err);
  else
    {
      if (size)
        *size = resp.content_length;
      ret = 1;
    }
  http_response_clear (&resp);
  return ret;
}

/* ---- upload ---- */

struct upload_src
{
  const struct registry_blob_source *src;
  struct digester *dg; /* digest of what is sent (only on the first pass) */
  uint64_t total;      /* blob size */
  uint64_t base;       /* offset of this request's body in the blob */
  uint64_t len;        /* bytes of this request */
  uint64_t off;        /* sent in this request */
  uint64_t hashed;     /* bytes fed to dg */
};

static ssize_t
upload_read (void *buf, size_t len, void *ud)
{
  struct upload_src *u = ud;
  if (u->off >= u->len)
    return 0;
  if (len > u->len - u->off)
    len = (size_t)(u->len - u->off);
  ssize_t r;
  uint64_t pos = u->base + u->off;
  if (u->src->fd >= 0)
    {
      do
        r = pread (u->src->fd, buf, len, (off_t)pos);
      while (r < 0 && errno == EINTR);
      if (r < 0)
        return -errno;
    }
  else
    r = u->src->read (buf, len, u->src->userdata);
  if (r < 0)
    return r;
  if (r == 0)
    return -EPIPE; /* shorter than announced */
  if (pos == u->hashed)
    {
      /* hash each byte once, however often a request is sent again */
      digester_update (u->dg, buf, (size_t)r);
      u->hashed += (uint64_t)r;
    }
  u->off += (uint64_t)r;
  if (u->src->progress)
    u->src->progress (pos + (uint64_t)r, u->total, u->src->userdata);
  return r;
}

static int
upload_rewind (void *ud)
{
  struct upload_src *u = ud;
  if (u->src->fd < 0 && u->off > 0)
    return -ESPIPE;
  u->off = 0;
  return 0;
}

/* POST /blobs/uploads/ (optionally with mount parameters).  Returns the
 * status; *location gets the upload URL for 202. */
static int
start_upload (struct registry_client *c, const char *scope, const char *mount, const char *from,
              const char *subject, long *status, char **location, struct error **err)
{
  _cleanup_free_ char *url = registry_url (c, "%s/blobs/uploads/", c->path);
  if (url == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (mount)
    {
      char *u = url_append_query (url, "mount", mount);
      free (url);
      url = u ? url_append_query (u, "from", from) : NULL;
      free (u);
      if (url == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }
  struct http_request req = {
    .method = "POST",
    .url = url,
    .max_body = REGISTRY_ERROR_BODY_MAX,
    .scope = scope,
    .subject = subject,
  };
  struct http_response resp = { .content_length = -1 };
  int ret = http_do (c, &req, &resp, err);
  if (ret < 0)
    return ret;
  *status = resp.status;
  if (resp.status == 202)
    {
      if (resp.location == NULL || (*location = url_resolve (url, resp.location)) == NULL)
        ret = error_set (err, EPROTO, "%s: upload started without a usable Location", subject);
    }
  else if (!(mount && resp.status == 201))
    ret = http_status_error (c, &resp, subject, err);
  http_response_clear (&resp);
  return ret;
}

static void
cancel_upload (struct registry_client *c, const char *location, const char *scope)
{
  struct http_request req = {
    .method = "DELETE",
    .url = location,
    .max_body = REGISTRY_ERROR_BODY_MAX,
    .scope = scope,
    .subject = "upload",
  };
  struct http_response resp = { .content_length = -1 };
  bool retryable;
  struct error *e = NULL;
  /* best effort: the registry expires abandoned uploads anyway */
  http_exchange (c, &req, &resp, &retryable, &e);
  error_free (e);
  http_response_clear (&resp);
}

int
registry_mount_blob (struct registry_client *c, const char *digest, const char *from,
                     struct error **err)
{
  int ret;
  if (c->path == NULL)
    return error_set (err, EINVAL, "registry client without repository");
  if ((ret = digest_validate (digest, err)) < 0)
    return ret;
  if (from == NULL || !reference_path_valid (from))
    return error_set (err, EINVAL, "invalid repository name `%s`", from ? from : "");
  char subject[DIGEST_STRING_MAX + 16];
  snprintf (subject, sizeof subject, "blob `%s`", digest);
  _cleanup_free_ char *push = scope_push (c->path), *pull = scope_pull (from), *scope = NULL;
  if (!push || !pull || asprintf (&scope, "%s %s", push, pull) < 0)
    return error_set (err, ENOMEM, "out of memory");
  if ((ret = registry_ensure_ready (c, err)) < 0)
    return ret;
  long status = 0;
  _cleanup_free_ char *location = NULL;
  if ((ret = start_upload (c, scope, digest, from, subject, &status, &location, err)) < 0)
    return ret;
  if (status == 201)
    return 1;
  /* 202: not mounted (unknown there, or not allowed); an upload was
   * started instead, which we do not want */
  cancel_upload (c, location, scope);
  return 0;
}

static int
finish_put (struct registry_client *c, const char *location, const char *digest, const char *scope,
            const char *subject, struct upload_src *u, uint64_t base, uint64_t len,
            struct error **err)
{
  _cleanup_free_ char *url = url_append_query (location, "digest", digest);
  if (url == NULL)
    return error_set (err, ENOMEM, "out of memory");
  u->base = base, u->len = len, u->off = 0;
  struct http_request req = {
    .method = "PUT",
    .url = url,
    .content_type = "application/octet-stream",
    .source = upload_read,
    .source_ud = u,
    .upload_len = (int64_t)len,
    .rewind = upload_rewind,
    .max_body = REGISTRY_ERROR_BODY_MAX,
    .scope = scope,
    .subject = subject,
  };
  struct http_response resp = { .content_length = -1 };
  int ret = http_do (c, &req, &resp, err);
  if (ret == 0 && !http_status_ok (resp.status))
    ret = http_status_error (c, &resp, subject, err);
  if (ret == 0 && resp.digest && digest_valid (resp.digest) && strcmp (resp.digest, digest) != 0)
    ret = error_set (err, EBADMSG, "%s: the registry stored %s", subject, resp.digest);
  http_response_clear (&resp);
  return ret;
}

static int
upload_chunks (struct registry_client *c, char **location, const char *scope, const char *subject,
               struct upload_src *u, struct error **err)
{
  uint64_t off = 0;
  while (off < u->total)
    {
      uint64_t n = u->total - off < c->chunk_size ? u->total - off : c->chunk_size;
      char range[64];
      snprintf (range, sizeof range, "%" PRIu64 "-%" PRIu64, off, off + n - 1);
      u->base = off, u->len = n, u->off = 0;
      struct http_request req = {
        .method = "PATCH",
        .url = *location,
        .content_type = "application/octet-stream",
        .content_range = range,
        .source = upload_read,
        .source_ud = u,
        .upload_len = (int64_t)n,
        .rewind = upload_rewind,
        .max_body = REGISTRY_ERROR_BODY_MAX,
        .scope = scope,
        .subject = subject,
      };
      struct http_response resp = { .content_length = -1 };
      int ret = http_do (c, &req, &resp, err);
      if (ret == 0 && resp.status != 202)
        ret = http_status_error (c, &resp, subject, err);
      if (ret == 0 && resp.location)
        {
          char *next = url_resolve (*location, resp.location);
          if (next == NULL)
            ret = error_set (err, ENOMEM, "out of memory");
          else
            {
              free (*location);
              *location = next;
            }
        }
      http_response_clear (&resp);
      if (ret < 0)
        return ret;
      off += n;
    }
  return 0;
}

int
registry_upload_blob (struct registry_client *c, const char *digest, uint64_t size,
                      const struct registry_blob_source *src, struct error **err)
{
  int ret;
  if (c->path == NULL)
    return error_set (err, EINVAL, "registry client without repository");
  if ((ret = digest_validate (digest, err)) < 0)
    return ret;
  if (src == NULL || (src->fd < 0 && src->read == NULL))
    return error_set (err, EINVAL, "blob upload without a source");
  char subject[DIGEST_STRING_MAX + 24];
  snprintf (subject, sizeof subject, "upload blob `%s`", digest);
  _cleanup_free_ char *scope = scope_push (c->path);
  if (scope == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_digester_ struct digester *dg = NULL;
  if ((ret = digester_new (digest, &dg, err)) < 0)
    return ret;
  if ((ret = registry_ensure_ready (c, err)) < 0)
    return ret;

  struct upload_src u = { .src = src, .dg = dg, .total = size };
  for (unsigned attempt = 0;; attempt++)
    {
      long status = 0;
      _cleanup_free_ char *location = NULL;
      struct error *e = NULL;
      ret = start_upload (c, scope, NULL, NULL, subject, &status, &location, &e);
      if (ret == 0)
        {
          if (size > c->chunk_size && src->fd >= 0)
            {
              ret = upload_chunks (c, &location, scope, subject, &u, &e);
              if (ret == 0)
                ret = finish_put (c, location, digest, scope, subject, &u, 0, 0, &e);
            }
          else
            ret = finish_put (c, location, digest, scope, subject, &u, 0, size, &e);
          if (ret < 0 && location)
            cancel_upload (c, location, scope);
        }
      if (ret == 0)
        break;
      /* the whole upload again, from an fd only; a registry that rejects the
       * content (400 DIGEST_INVALID...) is not asked twice */
      bool again = src->fd >= 0
                   && (e->code == EIO || e->code == ECONNRESET || e->code == ETIMEDOUT
                       || e->code == EAGAIN);
      if (!again || attempt >= (unsigned)c->max_retries || !http_backoff (c, attempt + 1, 0))
        {
          *err = e;
          return ret;
        }
      error_free (e);
    }
  if (u.hashed == size)
    {
      _cleanup_free_ char *got = digester_final (dg);
      if (got && strcmp (got, digest) != 0)
        return error_set (err, EBADMSG, "%s: the data sent has digest %s", subject, got);
    }
  return 0;
}

int
registry_push_blob (struct registry_client *c, const char *digest, uint64_t size,
                    const char *mount_from, const struct registry_blob_source *src,
                    struct error **err)
{
  int64_t have = -1;
  int ret = registry_blob_exists (c, digest, &have, err);
  if (ret < 0)
    return ret;
  if (ret == 1 && (have < 0 || (uint64_t)have == size))
    return REGISTRY_BLOB_EXISTED;
  if (mount_from && strcmp (mount_from, c->path) != 0)
    {
      struct error *e = NULL;
      ret = registry_mount_blob (c, digest, mount_from, &e);
      if (ret == 1)
        return REGISTRY_BLOB_MOUNTED;
      if (ret < 0)
        {
          /* a refused mount is not fatal: upload instead */
          log_debug ("%s", e->msg);
          error_free (e);
        }
    }
  ret = registry_upload_blob (c, digest, size, src, err);
  return ret < 0 ? ret : REGISTRY_BLOB_UPLOADED;
}
