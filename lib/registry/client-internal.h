/* client-internal.h - what client.c (transport, auth), manifest.c and blob.c
 * share.  Not installed, not for other modules. */
#ifndef HULL_REGISTRY_CLIENT_INTERNAL_H
#define HULL_REGISTRY_CLIENT_INTERNAL_H

#include "client.h"

#include <curl/curl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define REGISTRY_TOKENS_MAX 32 /* cached scopes per client */
#define REGISTRY_HANDLES_MAX 8 /* idle curl handles kept for reuse */
#define REGISTRY_REDIRECTS_MAX 8
#define REGISTRY_WWW_AUTH_MAX 4 /* WWW-Authenticate headers kept per response */

enum auth_kind
{
  AUTH_UNKNOWN = 0, /* not pinged yet */
  AUTH_NONE,
  AUTH_BASIC,
  AUTH_BEARER,
};

struct cached_token
{
  char *scope;
  char *token;
  time_t expires;
};

struct registry_client
{
  char *domain;   /* as in references: "docker.io", "host:5000" */
  char *api_host; /* where the API is: "registry-1.docker.io" for docker.io */
  char *path;     /* repository, or NULL */

  /* options (copied) */
  const struct registries_conf *conf;
  char *authfile, *opt_user, *opt_password, *user_agent;
  int max_retries;
  unsigned retry_base_ms, retry_max_ms;
  uint64_t chunk_size;
  bool insecure; /* http allowed, certificates not verified */

  /* TLS: extra CAs (added to the system ones in the SSL_CTX callback) and a
   * client certificate */
  X509 **cas;
  size_t n_cas;
  char *client_cert, *client_key;

  CURLSH *share;
  pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

  atomic_bool cancelled;

  /* Held (without lock) across the network exchanges that several threads
   * would otherwise all make: the ping, and a token fetch (the first thread
   * fetches, the others then find the token in the cache). */
  pthread_mutex_t ping_lock, token_lock;

  pthread_mutex_t lock; /* everything below */
  CURL *idle[REGISTRY_HANDLES_MAX];
  size_t n_idle;
  enum auth_kind auth;
  char *scheme; /* "https" or "http", after the ping */
  char *realm, *service;
  bool creds_loaded;
  char *user, *password;
  struct error *creds_error; /* reading auth.json failed */
  struct cached_token tokens[REGISTRY_TOKENS_MAX];
  size_t n_tokens;
};

/* Response data kept from headers and (bounded) body. */
struct http_response
{
  long status;
  char *content_type;
  char *digest; /* Docker-Content-Digest */
  char *location;
  char *content_range;
  char *link;
  char *www_auth[REGISTRY_WWW_AUTH_MAX];
  size_t n_www_auth;
  int64_t content_length; /* -1 when absent */
  long retry_after;       /* seconds, 0 when absent */
  char *body;             /* collected body (success bodies when no sink, error bodies) */
  size_t body_len;
  bool body_truncated; /* an error body longer than kept */
  char *url;           /* the URL that answered (after redirects) */
  bool sent_basic;     /* the request carried Basic credentials */
};
void http_response_clear (struct http_response *r);

/* Streaming sink for success bodies; returning < 0 aborts the transfer. */
typedef int (*http_sink_fn) (const void *buf, size_t len, void *ud);
/* Called with the response headers before the first body byte of a success
 * response (2xx), to check sizes and ranges; < 0 aborts. */
typedef int (*http_headers_fn) (const struct http_response *resp, void *ud);
/* Upload source: fill buf, return bytes (0 at EOF) or -errno. */
typedef ssize_t (*http_source_fn) (void *buf, size_t len, void *ud);

struct http_request
{
  const char *method; /* GET HEAD PUT POST PATCH DELETE */
  const char *url;    /* absolute */
  const char *accept;
  const char *content_type;
  const char *range;         /* "bytes=N-" or NULL */
  const char *content_range; /* for PATCH */
  /* request body: from memory, or from source (upload_len bytes) */
  const void *body;
  size_t body_len;
  http_source_fn source;
  void *source_ud;
  int (*rewind) (void *ud); /* start the source over; NULL: it cannot */
  int64_t upload_len;       /* -1: none */
  /* response body: into resp->body (at most max_body, else -EFBIG), or sink */
  size_t max_body;
  http_sink_fn sink;
  http_headers_fn on_headers;
  void *sink_ud;
  /* auth: the scope to get a token for ("repository:a/b:pull"); NULL sends
   * no credentials at all (requests to other hosts) */
  const char *scope;
  bool follow_redirects;
  long timeout_ms; /* whole transfer; 0: none (stalls end it anyway) */
  /* what the request is about, for messages: "`host/x:tag`", "blob `sha256:..`" */
  const char *subject;
};

/* One exchange: credentials, redirects, one auth retry on 401 (new challenge
 * or expired token).  Returns 0 with resp filled for any HTTP status, or a
 * negative errno for transport errors (*retryable set when another attempt
 * may succeed). */
int http_exchange (struct registry_client *c, const struct http_request *req,
                   struct http_response *resp, bool *retryable, struct error **err);
/* http_exchange with retries (connection errors, 5xx, 429) for requests that
 * can be sent again (no source body, or the source can rewind). */
int http_do (struct registry_client *c, const struct http_request *req, struct http_response *resp,
             struct error **err);
/* Sleep before attempt n (1-based), honouring Retry-After; false when
 * cancelled. */
bool http_backoff (struct registry_client *c, unsigned attempt, long retry_after);
/* Error for a non-success status: "<subject>: <registry message> (<status>)". */
int http_status_error (struct registry_client *c, const struct http_response *resp,
                       const char *subject, struct error **err);
/* Make sure the client has pinged (scheme and auth known). */
int registry_ensure_ready (struct registry_client *c, struct error **err);
/* "<scheme>://<api_host>/v2/<path>/<suffix>" */
char *registry_url (struct registry_client *c, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
/* Resolve a (maybe relative) Location against base. */
char *url_resolve (const char *base, const char *location);
/* Append "name=value" (value URL-encoded) to url's query. */
char *url_append_query (const char *url, const char *name, const char *value);
/* Scope strings */
char *scope_pull (const char *path);
char *scope_push (const char *path);

static inline bool
http_status_ok (long s)
{
  return s >= 200 && s < 300;
}

#endif
