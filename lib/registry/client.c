/* client.c - the registry client: transport (libcurl), TLS, the
 * WWW-Authenticate flow, tokens, retries.  See docs/design/registry.md.
 *
 * Everything a registry sends is untrusted: header values are bounded by
 * curl (100 KB a line) and by us (kept headers, WWW-Authenticate count),
 * bodies read into memory have a limit per request, tokens and realms are
 * validated before they are used in a header or a URL. */
#include "client-internal.h"

#include "auth.h"
#include "challenge.h"
#include "reference.h"
#include "registries.h"
#include "token.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strv.h"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define DEFAULT_RETRIES 4
#define DEFAULT_RETRY_BASE_MS 200
#define DEFAULT_RETRY_MAX_MS 10000
#define DEFAULT_CHUNK_SIZE (64ULL << 20)
#define CONNECT_TIMEOUT_S 30L
/* A transfer slower than 1 byte/s for this long is stalled: abort (and retry). */
#define LOW_SPEED_TIME_S 60L
/* Refresh a token this long before it expires. */
#define TOKEN_MARGIN_S 10
#define CA_FILE_MAX (1 << 20)
/* The https probe of an insecure registry (http is tried next). */
#define PROBE_TIMEOUT_MS 10000L
#define CAS_MAX 256

/* ---- global init ---- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;
static bool curl_openssl = false;

static void
global_init_once (void)
{
  global_rc = curl_global_init (CURL_GLOBAL_DEFAULT);
  const curl_version_info_data *v = curl_version_info (CURLVERSION_NOW);
  curl_openssl = v && v->ssl_version && strncasecmp (v->ssl_version, "OpenSSL", 7) == 0;
}

int
registry_global_init (struct error **err)
{
  pthread_once (&global_once, global_init_once);
  if (global_rc != CURLE_OK)
    return error_set (err, EIO, "curl_global_init: %s", curl_easy_strerror (global_rc));
  return 0;
}

/* ---- small helpers ---- */

void
http_response_clear (struct http_response *r)
{
  free (r->content_type);
  free (r->digest);
  free (r->location);
  free (r->content_range);
  free (r->link);
  for (size_t i = 0; i < r->n_www_auth; i++)
    free (r->www_auth[i]);
  free (r->body);
  free (r->url);
  memset (r, 0, sizeof *r);
  r->content_length = -1;
}

char *
scope_pull (const char *path)
{
  char *s = NULL;
  return asprintf (&s, "repository:%s:pull", path) < 0 ? NULL : s;
}

char *
scope_push (const char *path)
{
  char *s = NULL;
  return asprintf (&s, "repository:%s:pull,push", path) < 0 ? NULL : s;
}

char *
url_resolve (const char *base, const char *location)
{
  CURLU *u = curl_url ();
  char *out = NULL, *s = NULL;
  if (u && curl_url_set (u, CURLUPART_URL, base, 0) == CURLUE_OK
      && curl_url_set (u, CURLUPART_URL, location, 0) == CURLUE_OK
      && curl_url_get (u, CURLUPART_URL, &s, 0) == CURLUE_OK)
    {
      out = strdup (s);
      curl_free (s);
    }
  curl_url_cleanup (u);
  return out;
}

char *
url_append_query (const char *url, const char *name, const char *value)
{
  CURLU *u = curl_url ();
  char *out = NULL, *s = NULL, *q = NULL;
  if (asprintf (&q, "%s=%s", name, value) < 0)
    q = NULL;
  if (u && q && curl_url_set (u, CURLUPART_URL, url, 0) == CURLUE_OK
      && curl_url_set (u, CURLUPART_QUERY, q, CURLU_APPENDQUERY | CURLU_URLENCODE) == CURLUE_OK
      && curl_url_get (u, CURLUPART_URL, &s, 0) == CURLUE_OK)
    {
      out = strdup (s);
      curl_free (s);
    }
  free (q);
  curl_url_cleanup (u);
  return out;
}

/* scheme://host:port of url (default port filled in), lowercased host. */
static char *
url_origin (const char *url)
{
  CURLU *u = curl_url ();
  char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
  if (u && curl_url_set (u, CURLUPART_URL, url, 0) == CURLUE_OK
      && curl_url_get (u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK
      && curl_url_get (u, CURLUPART_HOST, &host, 0) == CURLUE_OK
      && curl_url_get (u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
    {
      for (char *p = host; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
      if (asprintf (&out, "%s://%s:%s", scheme, host, port) < 0)
        out = NULL;
    }
  curl_free (scheme);
  curl_free (host);
  curl_free (port);
  curl_url_cleanup (u);
  return out;
}

static char *
url_scheme (const char *url)
{
  CURLU *u = curl_url ();
  char *s = NULL, *out = NULL;
  if (u && curl_url_set (u, CURLUPART_URL, url, 0) == CURLUE_OK
      && curl_url_get (u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK)
    out = strdup (s);
  curl_free (s);
  curl_url_cleanup (u);
  return out;
}

char *
registry_url (struct registry_client *c, const char *fmt, ...)
{
  va_list ap;
  char *tail = NULL, *out = NULL;
  va_start (ap, fmt);
  if (vasprintf (&tail, fmt, ap) < 0)
    tail = NULL;
  va_end (ap);
  pthread_mutex_lock (&c->lock);
  const char *scheme = c->scheme ? c->scheme : "https";
  if (tail && asprintf (&out, "%s://%s/v2/%s", scheme, c->api_host, tail) < 0)
    out = NULL;
  pthread_mutex_unlock (&c->lock);
  free (tail);
  return out;
}

/* A copy of untrusted text fit for a one-line message: control characters
 * replaced, at most max bytes. */
static char *
sanitize (const char *s, size_t max)
{
  size_t n = strnlen (s, max);
  char *d = malloc (n + 1);
  if (d == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    d[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' : s[i];
  d[n] = '\0';
  while (n > 0 && d[n - 1] == ' ')
    d[--n] = '\0';
  return d;
}

/* ---- client lifecycle ---- */

static void
share_lock (CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
  struct registry_client *c = ud;
  (void)h, (void)access;
  if (data >= 0 && data < CURL_LOCK_DATA_LAST)
    pthread_mutex_lock (&c->share_locks[data]);
}

static void
share_unlock (CURL *h, curl_lock_data data, void *ud)
{
  struct registry_client *c = ud;
  (void)h;
  if (data >= 0 && data < CURL_LOCK_DATA_LAST)
    pthread_mutex_unlock (&c->share_locks[data]);
}

static int
load_cas (struct registry_client *c, char *const *files, struct error **err)
{
  for (char *const *f = files; f && *f; f++)
    {
      FILE *fp = fopen (*f, "re");
      if (fp == NULL)
        return error_errno (err, errno, "open CA file `%s`", *f);
      struct stat st;
      if (fstat (fileno (fp), &st) == 0 && st.st_size > CA_FILE_MAX)
        {
          fclose (fp);
          return error_set (err, EFBIG, "CA file `%s` is larger than %d bytes", *f, CA_FILE_MAX);
        }
      size_t before = c->n_cas;
      X509 *x;
      while ((x = PEM_read_X509 (fp, NULL, NULL, NULL)) != NULL)
        {
          if (c->n_cas >= CAS_MAX)
            {
              X509_free (x);
              fclose (fp);
              return error_set (err, EFBIG, "more than %d CA certificates", CAS_MAX);
            }
          X509 **n = realloc (c->cas, (c->n_cas + 1) * sizeof *n);
          if (n == NULL)
            {
              X509_free (x);
              fclose (fp);
              return error_set (err, ENOMEM, "out of memory");
            }
          c->cas = n;
          c->cas[c->n_cas++] = x;
        }
      ERR_clear_error ();
      fclose (fp);
      if (c->n_cas == before)
        return error_set (err, EINVAL, "CA file `%s` holds no PEM certificate", *f);
    }
  return 0;
}

static CURLcode
ssl_ctx_cb (CURL *h, void *sslctx, void *ud)
{
  struct registry_client *c = ud;
  (void)h;
  X509_STORE *store = SSL_CTX_get_cert_store ((SSL_CTX *)sslctx);
  for (size_t i = 0; i < c->n_cas; i++)
    X509_STORE_add_cert (store, c->cas[i]); /* a duplicate is harmless */
  ERR_clear_error ();
  return CURLE_OK;
}

static char *
strdup_or_null (const char *s, bool *oom)
{
  if (s == NULL)
    return NULL;
  char *d = strdup (s);
  if (d == NULL)
    *oom = true;
  return d;
}

int
registry_client_new (const char *domain, const char *path, const struct registry_options *opts,
                     struct registry_client **out, struct error **err)
{
  static const struct registry_options defaults = { 0 };
  int ret = registry_global_init (err);
  if (ret < 0)
    return ret;
  if (opts == NULL)
    opts = &defaults;
  if (!reference_domain_valid (domain))
    return error_set (err, EINVAL, "invalid registry `%s`", domain ? domain : "");
  if (path && !reference_path_valid (path))
    return error_set (err, EINVAL, "invalid repository name `%s`", path);

  struct registry_client *c = calloc (1, sizeof *c);
  if (c == NULL)
    return error_set (err, ENOMEM, "out of memory");
  pthread_mutex_init (&c->lock, NULL);
  pthread_mutex_init (&c->ping_lock, NULL);
  pthread_mutex_init (&c->token_lock, NULL);
  for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_init (&c->share_locks[i], NULL);
  __attribute__ ((cleanup (registry_client_freep))) struct registry_client *cc = c;

  bool oom = false;
  c->domain = strdup_or_null (domain, &oom);
  c->api_host
      = strdup_or_null (strcmp (domain, "docker.io") == 0 ? "registry-1.docker.io" : domain, &oom);
  c->path = strdup_or_null (path, &oom);
  c->authfile = strdup_or_null (opts->authfile, &oom);
  c->opt_user = strdup_or_null (opts->username, &oom);
  c->opt_password = strdup_or_null (opts->password, &oom);
  c->user_agent = strdup_or_null (opts->user_agent ? opts->user_agent : "hull/" HULL_VERSION, &oom);
  if (oom)
    return error_set (err, ENOMEM, "out of memory");
  c->conf = opts->conf;
  /* a zeroed registry_options gives the defaults */
  c->max_retries = opts->max_retries == 0  ? DEFAULT_RETRIES
                   : opts->max_retries < 0 ? 0
                                           : opts->max_retries;
  c->retry_base_ms = opts->retry_base_ms ? opts->retry_base_ms : DEFAULT_RETRY_BASE_MS;
  c->retry_max_ms = opts->retry_max_ms ? opts->retry_max_ms : DEFAULT_RETRY_MAX_MS;
  c->chunk_size = opts->upload_chunk_size ? opts->upload_chunk_size : DEFAULT_CHUNK_SIZE;
  switch (opts->tls)
    {
    case REGISTRY_TLS_VERIFY:
      c->insecure = false;
      break;
    case REGISTRY_TLS_NO_VERIFY:
      c->insecure = true;
      break;
    default:
      c->insecure = registries_insecure (opts->conf, domain);
    }

  /* TLS files: errors here (an unreadable CA, a key without certificate)
   * are reported now rather than as a confusing handshake failure later */
  struct registry_tls_files tf;
  if ((ret = registries_tls_files (opts->conf, domain, opts->cert_dir, &tf, err)) < 0)
    return error_prefix (err, "registry `%s`", domain);
  ret = load_cas (c, tf.ca_files, err);
  if (ret == 0 && tf.client_certs && tf.client_certs[0])
    {
      c->client_cert = strdup_or_null (tf.client_certs[0], &oom);
      c->client_key = strdup_or_null (tf.client_keys[0], &oom);
    }
  registry_tls_files_clear (&tf);
  if (ret < 0)
    return error_prefix (err, "registry `%s`", domain);
  if (oom)
    return error_set (err, ENOMEM, "out of memory");
  if (c->n_cas && !curl_openssl)
    return error_set (err, ENOTSUP,
                      "registry `%s`: extra CA certificates need libcurl built with OpenSSL",
                      domain);

  if ((c->share = curl_share_init ()) == NULL)
    return error_set (err, ENOMEM, "curl_share_init failed");
  /* DNS and TLS sessions are shared between the client's transfers;
   * connections are reused through the pool of idle easy handles (curl's
   * connection-cache sharing is not safe between threads). */
  curl_share_setopt (c->share, CURLSHOPT_LOCKFUNC, share_lock);
  curl_share_setopt (c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
  curl_share_setopt (c->share, CURLSHOPT_USERDATA, c);
  curl_share_setopt (c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt (c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);

  *out = TAKE_PTR (cc);
  return 0;
}

static void
free_secret (char *s)
{
  if (s)
    {
      OPENSSL_cleanse (s, strlen (s));
      free (s);
    }
}

void
registry_client_free (struct registry_client *c)
{
  if (c == NULL)
    return;
  for (size_t i = 0; i < c->n_idle; i++)
    curl_easy_cleanup (c->idle[i]);
  if (c->share)
    curl_share_cleanup (c->share);
  for (size_t i = 0; i < c->n_cas; i++)
    X509_free (c->cas[i]);
  free (c->cas);
  for (size_t i = 0; i < c->n_tokens; i++)
    {
      free (c->tokens[i].scope);
      free_secret (c->tokens[i].token);
    }
  free (c->domain);
  free (c->api_host);
  free (c->path);
  free (c->authfile);
  free (c->opt_user);
  free_secret (c->opt_password);
  free (c->user_agent);
  free (c->client_cert);
  free (c->client_key);
  free (c->scheme);
  free (c->realm);
  free (c->service);
  free (c->user);
  free_secret (c->password);
  error_free (c->creds_error);
  pthread_mutex_destroy (&c->lock);
  pthread_mutex_destroy (&c->ping_lock);
  pthread_mutex_destroy (&c->token_lock);
  for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_destroy (&c->share_locks[i]);
  free (c);
}

const char *
registry_client_domain (const struct registry_client *c)
{
  return c->domain;
}

const char *
registry_client_path (const struct registry_client *c)
{
  return c->path;
}

void
registry_client_cancel (struct registry_client *c)
{
  atomic_store (&c->cancelled, true);
}

/* ---- one HTTP request ---- */

struct xfer
{
  struct registry_client *c;
  const struct http_request *req;
  struct http_response *resp;
  CURL *h;
  bool headers_done;
  bool success;
  int cb_error;    /* from a sink, on_headers, the source, or a limit */
  size_t body_off; /* memory request body */
};

static CURL *
handle_get (struct registry_client *c)
{
  CURL *h = NULL;
  pthread_mutex_lock (&c->lock);
  if (c->n_idle)
    h = c->idle[--c->n_idle];
  pthread_mutex_unlock (&c->lock);
  if (h)
    curl_easy_reset (h); /* keeps its live connections */
  else
    h = curl_easy_init ();
  return h;
}

static void
handle_put (struct registry_client *c, CURL *h)
{
  pthread_mutex_lock (&c->lock);
  if (c->n_idle < REGISTRY_HANDLES_MAX)
    {
      c->idle[c->n_idle++] = h;
      h = NULL;
    }
  pthread_mutex_unlock (&c->lock);
  if (h)
    curl_easy_cleanup (h);
}

static void
set_header (char **slot, const char *v, size_t n)
{
  free (*slot);
  *slot = strndup (v, n);
}

static size_t
header_cb (char *buf, size_t size, size_t nitems, void *ud)
{
  struct xfer *x = ud;
  size_t n = size * nitems;
  if (n >= 5 && strncmp (buf, "HTTP/", 5) == 0)
    {
      /* a new response (after a 100 Continue): forget the previous headers */
      http_response_clear (x->resp);
      x->headers_done = false;
      return n;
    }
  const char *colon = memchr (buf, ':', n);
  if (colon == NULL)
    return n;
  size_t nl = (size_t)(colon - buf);
  const char *v = colon + 1;
  size_t vl = n - nl - 1;
  while (vl && (*v == ' ' || *v == '\t'))
    v++, vl--;
  while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' ' || v[vl - 1] == '\t'))
    vl--;
  struct http_response *r = x->resp;
#define IS(name) (nl == sizeof name - 1 && strncasecmp (buf, name, nl) == 0)
  if (IS ("content-type"))
    set_header (&r->content_type, v, vl);
  else if (IS ("docker-content-digest"))
    set_header (&r->digest, v, vl);
  else if (IS ("location"))
    set_header (&r->location, v, vl);
  else if (IS ("content-range"))
    set_header (&r->content_range, v, vl);
  else if (IS ("link"))
    set_header (&r->link, v, vl);
  else if (IS ("www-authenticate"))
    {
      if (r->n_www_auth < REGISTRY_WWW_AUTH_MAX && vl <= CHALLENGE_HEADER_MAX)
        if ((r->www_auth[r->n_www_auth] = strndup (v, vl)))
          r->n_www_auth++;
    }
  else if (IS ("content-length"))
    {
      char tmp[32];
      if (vl < sizeof tmp)
        {
          memcpy (tmp, v, vl);
          tmp[vl] = '\0';
          int64_t cl;
          if (parse_int64 (tmp, &cl) == 0 && cl >= 0)
            r->content_length = cl;
        }
    }
#undef IS
  return n;
}

static int
start_body (struct xfer *x)
{
  x->headers_done = true;
  long status = 0;
  curl_easy_getinfo (x->h, CURLINFO_RESPONSE_CODE, &status);
  x->resp->status = status;
  x->success = http_status_ok (status);
  if (x->success && x->req->on_headers)
    return x->req->on_headers (x->resp, x->req->sink_ud);
  return 0;
}

static size_t
write_cb (char *ptr, size_t size, size_t nmemb, void *ud)
{
  struct xfer *x = ud;
  size_t n = size * nmemb;
  if (!x->headers_done)
    {
      int r = start_body (x);
      if (r < 0)
        {
          x->cb_error = r;
          return 0;
        }
    }
  struct http_response *resp = x->resp;
  if (x->success && x->req->sink)
    {
      int r = x->req->sink (ptr, n, x->req->sink_ud);
      if (r < 0)
        {
          x->cb_error = r;
          return 0;
        }
      return n;
    }
  if (resp->status >= 300 && resp->status < 400)
    return n; /* redirect bodies are of no interest */
  size_t max = x->success ? x->req->max_body : REGISTRY_ERROR_BODY_MAX;
  if (resp->body_len + n > max)
    {
      if (x->success)
        {
          x->cb_error = -EFBIG;
          return 0;
        }
      /* keep the start of an error body; read (and drop) the rest */
      resp->body_truncated = true;
      n = max > resp->body_len ? max - resp->body_len : 0;
      if (n == 0)
        return size * nmemb;
    }
  char *nb = realloc (resp->body, resp->body_len + n + 1);
  if (nb == NULL)
    {
      x->cb_error = -ENOMEM;
      return 0;
    }
  memcpy (nb + resp->body_len, ptr, n);
  resp->body = nb;
  resp->body_len += n;
  nb[resp->body_len] = '\0';
  return size * nmemb;
}

static size_t
read_cb (char *buf, size_t size, size_t nitems, void *ud)
{
  struct xfer *x = ud;
  size_t n = size * nitems;
  if (x->req->source)
    {
      ssize_t r = x->req->source (buf, n, x->req->source_ud);
      if (r < 0)
        {
          x->cb_error = (int)r;
          return CURL_READFUNC_ABORT;
        }
      return (size_t)r;
    }
  size_t left = x->req->body_len - x->body_off;
  if (n > left)
    n = left;
  memcpy (buf, (const char *)x->req->body + x->body_off, n);
  x->body_off += n;
  return n;
}

static int
xferinfo_cb (void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
  struct xfer *x = ud;
  (void)dt, (void)dn, (void)ut, (void)un;
  return atomic_load (&x->c->cancelled) ? 1 : 0;
}

static bool
curl_retryable (CURLcode rc)
{
  switch (rc)
    {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_COULDNT_CONNECT:
      return true;
    default:
      return false;
    }
}

static bool
curl_tls_error (CURLcode rc)
{
  switch (rc)
    {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
    }
}

/* Host part of a URL for messages ("127.0.0.1:5000"). */
static char *
url_hostport (const char *url)
{
  CURLU *u = curl_url ();
  char *host = NULL, *port = NULL, *out = NULL;
  if (u && curl_url_set (u, CURLUPART_URL, url, 0) == CURLUE_OK
      && curl_url_get (u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
    {
      curl_url_get (u, CURLUPART_PORT, &port, 0);
      if (asprintf (&out, "%s%s%s", host, port ? ":" : "", port ? port : "") < 0)
        out = NULL;
    }
  curl_free (host);
  curl_free (port);
  curl_url_cleanup (u);
  return out;
}

static int
transport_error (struct registry_client *c, const char *url, CURLcode rc, const char *errbuf,
                 struct error **err)
{
  _cleanup_free_ char *hp = url_hostport (url);
  const char *host = hp ? hp : c->domain;
  const char *detail = errbuf && *errbuf ? errbuf : curl_easy_strerror (rc);
  int code;
  switch (rc)
    {
    case CURLE_COULDNT_CONNECT:
      code = ECONNREFUSED;
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      code = EHOSTUNREACH;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      code = ETIMEDOUT;
      break;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      code = ECONNRESET;
      break;
    case CURLE_ABORTED_BY_CALLBACK:
      return error_set (err, ECANCELED, "`%s`: cancelled", host);
    case CURLE_OUT_OF_MEMORY:
      return error_set (err, ENOMEM, "out of memory");
    default:
      code = curl_tls_error (rc) ? EPROTO : EIO;
    }
  if (curl_tls_error (rc))
    return error_set (err, code,
                      "`%s`: TLS: %s (add the registry's CA certificate to a certs.d "
                      "directory, e.g. /etc/hull/certs.d/%s/ca.crt)",
                      host, detail, host);
  return error_set (err, code, "`%s`: %s", host, detail);
}

/* Perform one request on url (no redirects, no auth logic). */
static int
perform (struct registry_client *c, const struct http_request *req, const char *url,
         const char *authorization, struct http_response *resp, bool *retryable, struct error **err)
{
  *retryable = false;
  http_response_clear (resp);
  CURL *h = handle_get (c);
  if (h == NULL)
    return error_set (err, ENOMEM, "curl_easy_init failed");
  struct xfer x = { .c = c, .req = req, .resp = resp, .h = h };
  char errbuf[CURL_ERROR_SIZE] = "";
  struct curl_slist *hdrs = NULL;
  char line[512];
  int ret = 0;

#define ADD_HEADER(...)                                                                            \
  do                                                                                               \
    {                                                                                              \
      snprintf (line, sizeof line, __VA_ARGS__);                                                   \
      struct curl_slist *_n = curl_slist_append (hdrs, line);                                      \
      if (_n == NULL)                                                                              \
        {                                                                                          \
          ret = error_set (err, ENOMEM, "out of memory");                                          \
          goto out;                                                                                \
        }                                                                                          \
      hdrs = _n;                                                                                   \
    }                                                                                              \
  while (0)

  if (req->accept)
    ADD_HEADER ("Accept: %s", req->accept);
  if (req->content_type)
    ADD_HEADER ("Content-Type: %s", req->content_type);
  if (req->range)
    ADD_HEADER ("Range: %s", req->range);
  if (req->content_range)
    ADD_HEADER ("Content-Range: %s", req->content_range);
  ADD_HEADER ("Expect:");
  if (authorization)
    {
      /* tokens can be long: no fixed buffer */
      _cleanup_free_ char *a = NULL;
      if (asprintf (&a, "Authorization: %s", authorization) < 0)
        {
          ret = error_set (err, ENOMEM, "out of memory");
          goto out;
        }
      struct curl_slist *n = curl_slist_append (hdrs, a);
      OPENSSL_cleanse (a, strlen (a));
      if (n == NULL)
        {
          ret = error_set (err, ENOMEM, "out of memory");
          goto out;
        }
      hdrs = n;
    }
#undef ADD_HEADER

  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_USERAGENT, c->user_agent);
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (h, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt (h, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
  curl_easy_setopt (h, CURLOPT_XFERINFODATA, &x);
  curl_easy_setopt (h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME_S);
  curl_easy_setopt (h, CURLOPT_SHARE, c->share);
  curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 0L);
  if (req->timeout_ms > 0)
    curl_easy_setopt (h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
  if (c->insecure)
    {
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  if (c->n_cas)
    {
      curl_easy_setopt (h, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
      curl_easy_setopt (h, CURLOPT_SSL_CTX_DATA, c);
    }
  if (c->client_cert)
    {
      curl_easy_setopt (h, CURLOPT_SSLCERT, c->client_cert);
      curl_easy_setopt (h, CURLOPT_SSLKEY, c->client_key);
    }

  bool has_body = req->body != NULL || req->source != NULL;
  int64_t body_len = req->source ? req->upload_len : (int64_t)req->body_len;
  if (strcmp (req->method, "HEAD") == 0)
    curl_easy_setopt (h, CURLOPT_NOBODY, 1L);
  else if (strcmp (req->method, "PUT") == 0 || strcmp (req->method, "PATCH") == 0)
    {
      curl_easy_setopt (h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (h, CURLOPT_READFUNCTION, read_cb);
      curl_easy_setopt (h, CURLOPT_READDATA, &x);
      curl_easy_setopt (h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(has_body ? body_len : 0));
      if (strcmp (req->method, "PATCH") == 0)
        curl_easy_setopt (h, CURLOPT_CUSTOMREQUEST, "PATCH");
    }
  else if (strcmp (req->method, "POST") == 0)
    {
      curl_easy_setopt (h, CURLOPT_POST, 1L);
      if (has_body)
        {
          curl_easy_setopt (h, CURLOPT_READFUNCTION, read_cb);
          curl_easy_setopt (h, CURLOPT_READDATA, &x);
          curl_easy_setopt (h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        }
      else
        {
          curl_easy_setopt (h, CURLOPT_POSTFIELDS, "");
          curl_easy_setopt (h, CURLOPT_POSTFIELDSIZE, 0L);
        }
    }
  else if (strcmp (req->method, "DELETE") == 0)
    curl_easy_setopt (h, CURLOPT_CUSTOMREQUEST, "DELETE");

  CURLcode rc = curl_easy_perform (h);
  if (rc == CURLE_OK && !x.headers_done)
    {
      /* no body at all (HEAD, 201, empty blob): still check the headers */
      int r = start_body (&x);
      if (r < 0)
        x.cb_error = r;
    }
  if (rc == CURLE_OK && x.cb_error == 0)
    {
      curl_off_t ra = 0;
      if (curl_easy_getinfo (h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
        resp->retry_after = ra > 3600 ? 3600 : (long)ra;
      if ((resp->url = strdup (url)) == NULL)
        ret = error_set (err, ENOMEM, "out of memory");
    }
  else if (x.cb_error)
    {
      /* our callback stopped it: its error, unless it already set one in a
       * message of its own (then the sink owns *err) */
      if (err && *err == NULL)
        {
          if (x.cb_error == -EFBIG)
            ret = error_set (err, EFBIG, "%s: reply larger than %zu bytes",
                             req->subject ? req->subject : url, req->max_body);
          else
            ret = error_set (err, -x.cb_error, "%s: transfer aborted: %s",
                             req->subject ? req->subject : url, strerror (-x.cb_error));
        }
      else
        ret = x.cb_error;
    }
  else
    {
      *retryable = curl_retryable (rc);
      ret = transport_error (c, url, rc, errbuf, err);
    }
out:
  curl_slist_free_all (hdrs);
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, NULL);
  handle_put (c, h);
  return ret;
}

/* ---- auth ---- */

static void
load_credentials_locked (struct registry_client *c)
{
  if (c->creds_loaded)
    return;
  c->creds_loaded = true;
  if (c->opt_user)
    {
      c->user = strdup (c->opt_user);
      c->password = strdup (c->opt_password ? c->opt_password : "");
      return;
    }
  /* a broken auth file must not prevent anonymous pulls: its error is
   * kept and reported only when the registry asks for credentials */
  if (auth_lookup (c->authfile, c->domain, c->path, &c->user, &c->password, &c->creds_error)
      < 0)
    log_debug ("%s", c->creds_error->msg);
}

/* The auth file's error, when credentials are wanted and it could not be read. */
static int
creds_error_locked (struct registry_client *c, struct error **err)
{
  if (c->creds_error == NULL)
    return 0;
  return error_set (err, c->creds_error->code, "%s", c->creds_error->msg);
}

static char *
basic_header (const char *user, const char *password)
{
  _cleanup_free_ char *b64 = auth_encode (user, password);
  char *h = NULL;
  if (b64 == NULL || asprintf (&h, "Basic %s", b64) < 0)
    return NULL;
  OPENSSL_cleanse (b64, strlen (b64));
  return h;
}

static void
token_drop_locked (struct registry_client *c, const char *scope)
{
  for (size_t i = 0; i < c->n_tokens; i++)
    if (strcmp (c->tokens[i].scope, scope) == 0)
      {
        free (c->tokens[i].scope);
        free_secret (c->tokens[i].token);
        c->tokens[i] = c->tokens[--c->n_tokens];
        return;
      }
}

static void
token_store_locked (struct registry_client *c, const char *scope, const char *token, time_t expires)
{
  token_drop_locked (c, scope);
  if (c->n_tokens == REGISTRY_TOKENS_MAX)
    {
      /* evict the one that expires first */
      size_t victim = 0;
      for (size_t i = 1; i < c->n_tokens; i++)
        if (c->tokens[i].expires < c->tokens[victim].expires)
          victim = i;
      token_drop_locked (c, c->tokens[victim].scope);
    }
  char *s = strdup (scope), *t = strdup (token);
  if (!s || !t)
    {
      free (s);
      free_secret (t);
      return;
    }
  c->tokens[c->n_tokens++] = (struct cached_token){ s, t, expires };
}

/* Message of a registry error body: {"errors":[{"code","message"}]}, or a
 * token server's {"details"} / {"error"} / {"message"}. */
static char *
error_body_message (const struct http_response *resp)
{
  if (resp->body == NULL || resp->body_len == 0 || resp->body_truncated)
    return NULL;
  _cleanup_json_ json_object *o = NULL;
  struct error *e = NULL;
  if (jsonx_parse (resp->body, resp->body_len, &o, &e) < 0)
    {
      error_free (e);
      return NULL;
    }
  json_object *errors = NULL, *first = NULL;
  const char *msg = NULL, *code = NULL;
  if (json_object_object_get_ex (o, "errors", &errors)
      && json_object_is_type (errors, json_type_array) && json_object_array_length (errors) > 0
      && (first = json_object_array_get_idx (errors, 0))
      && json_object_is_type (first, json_type_object))
    {
      json_object *m = NULL, *cd = NULL;
      if (json_object_object_get_ex (first, "message", &m)
          && json_object_is_type (m, json_type_string))
        msg = json_object_get_string (m);
      if (json_object_object_get_ex (first, "code", &cd)
          && json_object_is_type (cd, json_type_string))
        code = json_object_get_string (cd);
    }
  else
    {
      static const char *keys[] = { "details", "error_description", "error", "message" };
      for (size_t i = 0; i < ARRAY_SIZE (keys) && !msg; i++)
        {
          json_object *m = NULL;
          if (json_object_object_get_ex (o, keys[i], &m)
              && json_object_is_type (m, json_type_string))
            msg = json_object_get_string (m);
        }
    }
  if (msg == NULL || *msg == '\0')
    msg = code;
  return msg ? sanitize (msg, 200) : NULL;
}

int
http_status_error (struct registry_client *c, const struct http_response *resp, const char *subject,
                   struct error **err)
{
  _cleanup_free_ char *msg = error_body_message (resp);
  long s = resp->status;
  char dom[300];
  snprintf (dom, sizeof dom, "`%s`", c->domain);
  switch (s)
    {
    case 401:
      /* the registry says "authentication required" whether credentials
       * were missing or wrong: say which */
      if (resp->sent_basic && (msg == NULL || strcmp (msg, "authentication required") == 0))
        return error_set (err, EACCES, "%s: unauthorized: incorrect username or password (401)",
                          dom);
      return error_set (err, EACCES, "%s: unauthorized: %s (401)", dom,
                        msg ? msg : "authentication required");
    case 403:
      return error_set (err, EACCES, "%s: denied: %s (403)", subject ? subject : dom,
                        msg ? msg : "requested access to the resource is denied");
    case 404:
      return error_set (err, ENOENT, "%s: %s (404)", subject ? subject : dom,
                        msg ? msg : "not found");
    case 416:
      return error_set (err, EBADMSG, "%s: %s (416)", subject ? subject : dom,
                        msg ? msg : "requested range not satisfiable");
    case 429:
      return error_set (err, EAGAIN, "%s: %s (429)", subject ? subject : dom,
                        msg ? msg : "too many requests");
    default:
      return error_set (err, s >= 500 ? EIO : EPROTO, "%s: %s (%ld)", subject ? subject : dom,
                        msg ? msg : (s >= 500 ? "registry error" : "unexpected reply"), s);
    }
}

/* GET the realm with service and scope(s): a new token. */
static int
fetch_token (struct registry_client *c, const char *realm, const char *service, const char *scope,
             const char *user, const char *password, char **token, time_t *expires,
             struct error **err)
{
  _cleanup_free_ char *url = strdup (realm);
  if (url == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (service && *service)
    {
      char *u = url_append_query (url, "service", service);
      free (url);
      if ((url = u) == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }
  if (scope && *scope)
    {
      /* several scopes are separated by spaces: one parameter each */
      _cleanup_free_ char *copy = strdup (scope);
      char *save = NULL;
      for (char *s = copy ? strtok_r (copy, " ", &save) : NULL; s; s = strtok_r (NULL, " ", &save))
        {
          char *u = url_append_query (url, "scope", s);
          free (url);
          if ((url = u) == NULL)
            return error_set (err, ENOMEM, "out of memory");
        }
    }
  _cleanup_free_ char *basic = user ? basic_header (user, password ? password : "") : NULL;
  if (user && basic == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char subject[320];
  snprintf (subject, sizeof subject, "`%s`: token server", c->domain);
  struct http_request req = {
    .method = "GET",
    .url = url,
    .max_body = REGISTRY_TOKEN_MAX,
    .subject = subject,
    .accept = "application/json",
  };
  struct http_response resp = { .content_length = -1 };
  int ret = 0;
  for (unsigned attempt = 0;; attempt++)
    {
      bool retryable = false;
      struct error *e = NULL;
      ret = perform (c, &req, url, basic, &resp, &retryable, &e);
      bool again
          = (ret < 0 && retryable) || (ret == 0 && (resp.status >= 500 || resp.status == 429));
      if (again && attempt < (unsigned)c->max_retries
          && http_backoff (c, attempt + 1, resp.retry_after))
        {
          error_free (e);
          continue;
        }
      if (ret < 0)
        {
          *err = e;
          error_prefix (err, "`%s`: token server", c->domain);
          goto out;
        }
      break;
    }
  if (resp.status == 401 || resp.status == 403)
    {
      _cleanup_free_ char *msg = error_body_message (&resp);
      ret = error_set (err, EACCES, "`%s`: unauthorized: %s (token server returned %ld)", c->domain,
                       msg ? msg
                           : (user ? "incorrect username or password" : "authentication required"),
                       resp.status);
      goto out;
    }
  if (!http_status_ok (resp.status))
    {
      ret = http_status_error (c, &resp, subject, err);
      goto out;
    }
  int64_t expires_in = 0;
  if ((ret = registry_token_parse (resp.body, resp.body_len, token, &expires_in, err)) < 0)
    {
      error_prefix (err, "`%s`: token server reply", c->domain);
      goto out;
    }
  *expires = time (NULL) + (time_t)expires_in;
  ret = 0;
out:
  if (resp.body)
    OPENSSL_cleanse (resp.body, resp.body_len);
  http_response_clear (&resp);
  return ret;
}

/* "Bearer <token>" from the cache: 1 when found, 0 when not, -ENOMEM. */
static int
cached_header_locked (struct registry_client *c, const char *scope, char **out, struct error **err)
{
  time_t now = time (NULL);
  for (size_t i = 0; i < c->n_tokens; i++)
    if (strcmp (c->tokens[i].scope, scope) == 0 && c->tokens[i].expires - TOKEN_MARGIN_S > now)
      {
        if (asprintf (out, "Bearer %s", c->tokens[i].token) < 0)
          {
            *out = NULL;
            return error_set (err, ENOMEM, "out of memory");
          }
        return 1;
      }
  return 0;
}

/* The Authorization value for a request with this scope; NULL when none. */
static int
auth_header (struct registry_client *c, const char *scope, char **out, struct error **err)
{
  *out = NULL;
  pthread_mutex_lock (&c->lock);
  load_credentials_locked (c);
  enum auth_kind kind = c->auth;
  int ret = 0;
  if ((kind == AUTH_BASIC || kind == AUTH_BEARER) && (ret = creds_error_locked (c, err)) < 0)
    {
      pthread_mutex_unlock (&c->lock);
      return ret;
    }
  if (kind == AUTH_BASIC)
    {
      if (c->user && (*out = basic_header (c->user, c->password)) == NULL)
        ret = error_set (err, ENOMEM, "out of memory");
      pthread_mutex_unlock (&c->lock);
      return ret;
    }
  if (kind != AUTH_BEARER)
    {
      pthread_mutex_unlock (&c->lock);
      return 0;
    }
  ret = cached_header_locked (c, scope, out, err);
  pthread_mutex_unlock (&c->lock);
  if (ret != 0)
    return ret < 0 ? ret : 0;
  /* one fetch at a time: a thread that waited here usually finds the token
   * the previous one fetched */
  pthread_mutex_lock (&c->token_lock);
  pthread_mutex_lock (&c->lock);
  ret = cached_header_locked (c, scope, out, err);
  if (ret != 0)
    {
      pthread_mutex_unlock (&c->lock);
      pthread_mutex_unlock (&c->token_lock);
      return ret < 0 ? ret : 0;
    }
  /* the network exchange happens without c->lock: other transfers go on */
  _cleanup_free_ char *realm = c->realm ? strdup (c->realm) : NULL;
  _cleanup_free_ char *service = c->service ? strdup (c->service) : NULL;
  _cleanup_free_ char *user = c->user ? strdup (c->user) : NULL;
  char *password = c->password ? strdup (c->password) : NULL;
  pthread_mutex_unlock (&c->lock);
  _cleanup_free_ char *token = NULL;
  time_t expires = 0;
  if (realm == NULL)
    ret = error_set (err, EPROTO, "`%s`: bearer challenge without realm", c->domain);
  else
    ret = fetch_token (c, realm, service, scope, user, password, &token, &expires, err);
  free_secret (password);
  if (ret == 0)
    {
      pthread_mutex_lock (&c->lock);
      token_store_locked (c, scope, token, expires);
      pthread_mutex_unlock (&c->lock);
    }
  pthread_mutex_unlock (&c->token_lock);
  if (ret < 0)
    return ret;
  if (asprintf (out, "Bearer %s", token) < 0)
    {
      *out = NULL;
      ret = error_set (err, ENOMEM, "out of memory");
    }
  OPENSSL_cleanse (token, strlen (token));
  return ret;
}

/* Learn the auth scheme from a 401's challenges.  Bearer is preferred over
 * Basic when both are offered. */
static int
apply_challenges (struct registry_client *c, const struct http_response *resp, const char *scheme,
                  struct error **err)
{
  struct auth_challenge *list = NULL;
  size_t n = 0;
  for (size_t i = 0; i < resp->n_www_auth; i++)
    if (auth_challenges_parse (resp->www_auth[i], strlen (resp->www_auth[i]), &list, &n, err) < 0)
      {
        auth_challenges_free (list, n);
        return error_prefix (err, "`%s`", c->domain);
      }
  const struct auth_challenge *bearer = NULL, *basic = NULL;
  for (size_t i = 0; i < n; i++)
    {
      if (!bearer && strcmp (list[i].scheme, "bearer") == 0)
        bearer = &list[i];
      if (!basic && strcmp (list[i].scheme, "basic") == 0)
        basic = &list[i];
    }
  int ret = 0;
  if (bearer)
    {
      const char *realm = auth_challenge_param (bearer, "realm");
      const char *service = auth_challenge_param (bearer, "service");
      _cleanup_free_ char *rs = realm ? url_scheme (realm) : NULL;
      if (realm == NULL || rs == NULL || (strcmp (rs, "https") != 0 && strcmp (rs, "http") != 0))
        ret = error_set (err, EPROTO, "`%s`: bearer challenge with an invalid realm", c->domain);
      else if (strcmp (rs, "http") == 0 && strcmp (scheme, "https") == 0 && !c->insecure)
        /* the registry is reached over TLS: do not let it send our
         * credentials to a plain-text token server */
        ret = error_set (err, EPROTO,
                         "`%s`: token realm `%.200s` is not https: refusing to send credentials "
                         "in clear text",
                         c->domain, realm);
      else
        {
          pthread_mutex_lock (&c->lock);
          bool changed = c->realm == NULL || strcmp (c->realm, realm) != 0
                         || (c->service == NULL) != (service == NULL)
                         || (service && strcmp (c->service, service) != 0);
          if (changed)
            {
              free (c->realm);
              free (c->service);
              c->realm = strdup (realm);
              c->service = service ? strdup (service) : NULL;
              for (size_t i = 0; i < c->n_tokens; i++)
                {
                  free (c->tokens[i].scope);
                  free_secret (c->tokens[i].token);
                }
              c->n_tokens = 0;
            }
          c->auth = AUTH_BEARER;
          if (c->realm == NULL)
            ret = error_set (err, ENOMEM, "out of memory");
          pthread_mutex_unlock (&c->lock);
        }
    }
  else if (basic)
    {
      pthread_mutex_lock (&c->lock);
      c->auth = AUTH_BASIC;
      pthread_mutex_unlock (&c->lock);
    }
  else
    ret = error_set (err, ENOTSUP, "`%s`: unsupported authentication scheme%s%s", c->domain,
                     n ? " " : "", n ? list[0].scheme : "");
  auth_challenges_free (list, n);
  return ret;
}

/* ---- exchange, retries ---- */

bool
http_backoff (struct registry_client *c, unsigned attempt, long retry_after)
{
  uint64_t ms = c->retry_base_ms;
  for (unsigned i = 1; i < attempt && ms < c->retry_max_ms; i++)
    ms *= 2;
  /* +-25% jitter so that parallel transfers do not retry in lockstep */
  ms = ms * (75 + (uint64_t)(rand () % 51)) / 100;
  if (retry_after > 0 && (uint64_t)retry_after * 1000 > ms)
    ms = (uint64_t)retry_after * 1000;
  if (ms > c->retry_max_ms)
    ms = c->retry_max_ms;
  log_debug ("registry `%s`: retrying in %" PRIu64 " ms (attempt %u)", c->domain, ms, attempt);
  while (ms > 0)
    {
      if (atomic_load (&c->cancelled))
        return false;
      uint64_t step = ms > 50 ? 50 : ms;
      struct timespec ts = { 0, (long)step * 1000000L };
      nanosleep (&ts, NULL);
      ms -= step;
    }
  return !atomic_load (&c->cancelled);
}

int
http_exchange (struct registry_client *c, const struct http_request *req,
               struct http_response *resp, bool *retryable, struct error **err)
{
  *retryable = false;
  if (atomic_load (&c->cancelled))
    return error_set (err, ECANCELED, "`%s`: cancelled", c->domain);
  _cleanup_free_ char *url = strdup (req->url);
  _cleanup_free_ char *base = url_origin (req->url);
  if (url == NULL || base == NULL)
    return error_set (err, ENOMEM, "out of memory");
  bool auth_retried = false;
  unsigned redirects = 0;
  for (;;)
    {
      _cleanup_free_ char *origin = url_origin (url);
      /* credentials only go to the origin the request was made for: a
       * redirect to blob storage elsewhere goes without them */
      bool same = origin && strcmp (origin, base) == 0;
      _cleanup_free_ char *authz = NULL;
      int ret;
      if (req->scope && same && (ret = auth_header (c, req->scope, &authz, err)) < 0)
        return ret;
      ret = perform (c, req, url, authz, resp, retryable, err);
      resp->sent_basic = authz && strncmp (authz, "Basic ", 6) == 0;
      if (authz)
        OPENSSL_cleanse (authz, strlen (authz));
      if (ret < 0)
        return ret;
      long s = resp->status;
      if ((s == 301 || s == 302 || s == 303 || s == 307 || s == 308) && req->follow_redirects
          && resp->location)
        {
          if (++redirects > REGISTRY_REDIRECTS_MAX)
            return error_set (err, ELOOP, "%s: too many redirects", req->subject);
          char *next = url_resolve (url, resp->location);
          if (next == NULL)
            return error_set (err, EPROTO, "%s: invalid redirect location", req->subject);
          _cleanup_free_ char *ns = url_scheme (next), *cs = url_scheme (url);
          if (ns == NULL || (strcmp (ns, "https") != 0 && strcmp (ns, "http") != 0)
              || (strcmp (ns, "http") == 0 && cs && strcmp (cs, "https") == 0 && !c->insecure))
            {
              free (next);
              return error_set (err, EPROTO, "%s: refusing a redirect from https to `%s`",
                                req->subject, ns ? ns : "?");
            }
          free (url);
          url = next;
          continue;
        }
      if (s == 401 && same && req->scope && !auth_retried)
        {
          /* a token that expired or lacks the scope, or a registry that
           * asks for auth only now: learn the challenge, drop the cached
           * token, try once more (if the body can be sent again) */
          auth_retried = true;
          _cleanup_free_ char *sch = url_scheme (url);
          if ((ret = apply_challenges (c, resp, sch ? sch : "https", err)) < 0)
            return ret;
          pthread_mutex_lock (&c->lock);
          token_drop_locked (c, req->scope);
          bool can = c->auth == AUTH_BEARER || (c->auth == AUTH_BASIC && c->user);
          pthread_mutex_unlock (&c->lock);
          if (can && req->source && req->rewind && req->rewind (req->source_ud) < 0)
            can = false;
          if (can && (!req->source || req->rewind))
            continue;
        }
      return 0;
    }
}

int
http_do (struct registry_client *c, const struct http_request *req, struct http_response *resp,
         struct error **err)
{
  for (unsigned attempt = 0;; attempt++)
    {
      bool retryable = false;
      struct error *e = NULL;
      int ret = http_exchange (c, req, resp, &retryable, &e);
      bool again
          = (ret < 0 && retryable) || (ret == 0 && (resp->status >= 500 || resp->status == 429));
      if (again && attempt < (unsigned)c->max_retries
          && (!req->source || (req->rewind && req->rewind (req->source_ud) == 0))
          && http_backoff (c, attempt + 1, ret == 0 ? resp->retry_after : 0))
        {
          error_free (e);
          continue;
        }
      if (ret < 0)
        {
          *err = e;
          return ret;
        }
      return 0;
    }
}

/* ---- ping ---- */

static int
ping_scheme (struct registry_client *c, const char *scheme, bool probe, struct http_response *resp,
             bool *retryable, struct error **err)
{
  _cleanup_free_ char *url = NULL;
  if (asprintf (&url, "%s://%s/v2/", scheme, c->api_host) < 0)
    return error_set (err, ENOMEM, "out of memory");
  char subject[300];
  snprintf (subject, sizeof subject, "`%s`", c->domain);
  struct http_request req = {
    .method = "GET",
    .url = url,
    .max_body = REGISTRY_ERROR_BODY_MAX,
    .subject = subject,
    .follow_redirects = true,
    /* https to an insecure registry is a guess that http follows: a server
     * that never answers the TLS hello must not hold us for long */
    .timeout_ms = probe ? PROBE_TIMEOUT_MS : 0,
  };
  for (unsigned attempt = 0;; attempt++)
    {
      struct error *e = NULL;
      int ret = perform (c, &req, url, NULL, resp, retryable, &e);
      /* connection refused is not worth waiting for here: nothing listens */
      bool again = (ret < 0 && !probe && *retryable && e->code != ECONNREFUSED)
                   || (ret == 0 && (resp->status >= 500 || resp->status == 429));
      if (again && attempt < (unsigned)c->max_retries
          && http_backoff (c, attempt + 1, ret == 0 ? resp->retry_after : 0))
        {
          error_free (e);
          continue;
        }
      if (ret < 0)
        *err = e;
      return ret;
    }
}

static int ensure_ready_locked (struct registry_client *c, struct error **err);

int
registry_ensure_ready (struct registry_client *c, struct error **err)
{
  pthread_mutex_lock (&c->lock);
  bool ready = c->auth != AUTH_UNKNOWN;
  pthread_mutex_unlock (&c->lock);
  if (ready)
    return 0;
  /* one ping per client, however many threads start at once */
  pthread_mutex_lock (&c->ping_lock);
  pthread_mutex_lock (&c->lock);
  ready = c->auth != AUTH_UNKNOWN;
  pthread_mutex_unlock (&c->lock);
  int ret = ready ? 0 : ensure_ready_locked (c, err);
  pthread_mutex_unlock (&c->ping_lock);
  return ret;
}

static int
ensure_ready_locked (struct registry_client *c, struct error **err)
{

  struct http_response resp = { .content_length = -1 };
  const char *scheme = "https";
  bool retryable = false;
  int ret = ping_scheme (c, scheme, c->insecure, &resp, &retryable, err);
  if (ret < 0 && c->insecure && ret != -ECANCELED)
    {
      /* an insecure registry may speak plain http only */
      struct error *e2 = NULL;
      http_response_clear (&resp);
      scheme = "http";
      int r2 = ping_scheme (c, scheme, false, &resp, &retryable, &e2);
      if (r2 == 0)
        {
          error_freep (err);
          ret = 0;
        }
      else
        {
          /* report the http failure: https was only a guess */
          error_freep (err);
          *err = e2;
          ret = r2;
        }
    }
  if (ret < 0)
    {
      http_response_clear (&resp);
      return ret;
    }
  enum auth_kind kind = AUTH_NONE;
  if (resp.status == 401)
    {
      pthread_mutex_lock (&c->lock);
      free (c->scheme);
      c->scheme = strdup (scheme);
      pthread_mutex_unlock (&c->lock);
      ret = apply_challenges (c, &resp, scheme, err);
      http_response_clear (&resp);
      if (ret < 0)
        return ret;
      pthread_mutex_lock (&c->lock);
      kind = c->auth;
      pthread_mutex_unlock (&c->lock);
    }
  else if (!http_status_ok (resp.status))
    {
      char subject[300];
      snprintf (subject, sizeof subject, "`%s`: GET /v2/", c->domain);
      ret = http_status_error (c, &resp, subject, err);
      http_response_clear (&resp);
      return error_prefix (err, "not a registry (distribution API v2)");
    }
  http_response_clear (&resp);
  pthread_mutex_lock (&c->lock);
  if (c->scheme == NULL || strcmp (c->scheme, scheme) != 0)
    {
      free (c->scheme);
      c->scheme = strdup (scheme);
    }
  if (c->auth == AUTH_UNKNOWN)
    c->auth = kind;
  bool oom = c->scheme == NULL;
  pthread_mutex_unlock (&c->lock);
  if (oom)
    return error_set (err, ENOMEM, "out of memory");
  log_debug ("registry `%s`: %s, auth %s", c->domain, scheme,
             kind == AUTH_BEARER  ? "bearer"
             : kind == AUTH_BASIC ? "basic"
                                  : "none");
  return 0;
}

int
registry_ping (struct registry_client *c, struct error **err)
{
  return registry_ensure_ready (c, err);
}

int
registry_login_check (const char *domain, const struct registry_options *opts, struct error **err)
{
  _cleanup_registry_client_ struct registry_client *c = NULL;
  int ret = registry_client_new (domain, NULL, opts, &c, err);
  if (ret < 0)
    return ret;
  if ((ret = registry_ensure_ready (c, err)) < 0)
    return ret;
  pthread_mutex_lock (&c->lock);
  load_credentials_locked (c);
  enum auth_kind kind = c->auth;
  bool have_user = c->user != NULL;
  pthread_mutex_unlock (&c->lock);
  if (kind == AUTH_NONE)
    return 0; /* the registry wants no credentials: anything goes */
  if (!have_user)
    return error_set (err, EINVAL, "`%s`: no credentials to check", domain);
  /* GET /v2/ with the credentials: Basic sends them, Bearer gets a token
   * for no particular scope from the realm, which checks them */
  _cleanup_free_ char *url = registry_url (c, "%s", "");
  if (url == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char subject[300];
  snprintf (subject, sizeof subject, "`%s`", domain);
  struct http_request req = {
    .method = "GET",
    .url = url,
    .max_body = REGISTRY_ERROR_BODY_MAX,
    .subject = subject,
    .scope = "",
  };
  struct http_response resp = { .content_length = -1 };
  ret = http_do (c, &req, &resp, err);
  if (ret == 0 && !http_status_ok (resp.status))
    {
      if (resp.status == 401)
        {
          _cleanup_free_ char *msg = error_body_message (&resp);
          ret = error_set (err, EACCES, "`%s`: unauthorized: %s (401)", domain,
                           msg && strcmp (msg, "authentication required") != 0
                               ? msg
                               : "incorrect username or password");
        }
      else
        ret = http_status_error (c, &resp, subject, err);
    }
  http_response_clear (&resp);
  return ret;
}
