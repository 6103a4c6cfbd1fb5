/* manifest.c - manifests (get, head, put), tags, and the pull helper that
 * tries mirrors. */
#include "client-internal.h"

#include "reference.h"
#include "registries.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TAGS_MAX 100000
#define TAGS_PAGES_MAX 1000

static const char manifest_accept[] = REGISTRY_MT_OCI_MANIFEST
    ", " REGISTRY_MT_OCI_INDEX ", " REGISTRY_MT_DOCKER_MANIFEST ", " REGISTRY_MT_DOCKER_LIST
    ", " REGISTRY_MT_DOCKER_SCHEMA1_SIGNED ";q=0.5, " REGISTRY_MT_DOCKER_SCHEMA1 ";q=0.5";

static const char *const known_types[] = {
  REGISTRY_MT_OCI_MANIFEST,
  REGISTRY_MT_OCI_INDEX,
  REGISTRY_MT_DOCKER_MANIFEST,
  REGISTRY_MT_DOCKER_LIST,
};

void
registry_manifest_free (struct registry_manifest *m)
{
  if (m == NULL)
    return;
  free (m->data);
  free (m->media_type);
  free (m->digest);
  free (m);
}

static bool
is_digest_ref (const char *ref)
{
  return strchr (ref, ':') != NULL;
}

static int
check_ref (const char *ref, struct error **err)
{
  if (ref == NULL || !(reference_tag_valid (ref) || digest_valid (ref)))
    return error_set (err, EINVAL, "invalid tag or digest `%s`", ref ? ref : "");
  return 0;
}

/* "`domain/path:tag`" or "`domain/path@digest`" */
static char *
manifest_subject (struct registry_client *c, const char *ref)
{
  char *s = NULL;
  if (asprintf (&s, "`%s/%s%s%s`", c->domain, c->path, is_digest_ref (ref) ? "@" : ":", ref) < 0)
    return NULL;
  return s;
}

/* Content-Type without parameters, if it is one we know. */
static const char *
known_type (const char *ct)
{
  if (ct == NULL)
    return NULL;
  size_t n = strcspn (ct, "; \t");
  for (size_t i = 0; i < ARRAY_SIZE (known_types); i++)
    if (strlen (known_types[i]) == n && strncasecmp (ct, known_types[i], n) == 0)
      return known_types[i];
  return NULL;
}

static bool
is_schema1_type (const char *ct)
{
  if (ct == NULL)
    return false;
  size_t n = strcspn (ct, "; \t");
  return (n == strlen (REGISTRY_MT_DOCKER_SCHEMA1)
          && strncasecmp (ct, REGISTRY_MT_DOCKER_SCHEMA1, n) == 0)
         || (n == strlen (REGISTRY_MT_DOCKER_SCHEMA1_SIGNED)
             && strncasecmp (ct, REGISTRY_MT_DOCKER_SCHEMA1_SIGNED, n) == 0);
}

/* What kind of manifest is this?  The body's mediaType wins; Content-Type
 * is the fallback (registries send application/json at times); the shape is
 * the last resort (OCI allows mediaType to be absent). */
static int
classify (const char *subject, const char *data, size_t len, const char *content_type,
          const char **media_type, struct error **err)
{
  if (is_schema1_type (content_type))
    return error_set (err, ENOTSUP,
                      "schema1 manifests are not supported: %s (Docker image "
                      "manifest v2 schema 1 is deprecated; push the image again "
                      "with a current tool)",
                      subject);
  _cleanup_json_ json_object *o = NULL;
  struct error *perr = NULL;
  if (jsonx_parse (data, len, &o, &perr) < 0)
    {
      int r = error_set (err, EBADMSG, "%s: malformed manifest: %s", subject, perr->msg);
      error_free (perr);
      return r;
    }
  if (!json_object_is_type (o, json_type_object))
    return error_set (err, EBADMSG, "%s: malformed manifest: not a JSON object", subject);
  int64_t version = 0;
  if (jsonx_get_int64 (o, "schemaVersion", &version, err) < 0)
    return error_prefix (err, "%s: malformed manifest", subject), -EBADMSG;
  if (version == 1)
    return error_set (err, ENOTSUP,
                      "schema1 manifests are not supported: %s (Docker image "
                      "manifest v2 schema 1 is deprecated; push the image again "
                      "with a current tool)",
                      subject);
  if (version != 2)
    return error_set (err, EBADMSG, "%s: malformed manifest: schemaVersion %lld, expected 2",
                      subject, (long long)version);
  const char *mt = NULL;
  if (jsonx_get_string (o, "mediaType", &mt, err) < 0)
    {
      error_prefix (err, "%s: malformed manifest", subject);
      (*err)->code = EBADMSG;
      return -EBADMSG;
    }
  const char *ct = known_type (content_type);
  if (mt)
    {
      const char *k = known_type (mt);
      if (k == NULL)
        {
          _cleanup_free_ char *shown = strndup (mt, 100);
          return error_set (err, ENOTSUP, "%s: unsupported manifest media type `%s`", subject,
                            shown ? shown : "?");
        }
      if (ct && ct != k)
        return error_set (err, EBADMSG,
                          "%s: malformed manifest: mediaType `%s` but Content-Type `%s`", subject,
                          k, ct);
      *media_type = k;
      return 0;
    }
  if (ct)
    {
      *media_type = ct;
      return 0;
    }
  json_object *v = NULL;
  if (json_object_object_get_ex (o, "manifests", &v))
    *media_type = REGISTRY_MT_OCI_INDEX;
  else if (json_object_object_get_ex (o, "config", &v)
           && json_object_object_get_ex (o, "layers", &v))
    *media_type = REGISTRY_MT_OCI_MANIFEST;
  else
    return error_set (err, EBADMSG,
                      "%s: malformed manifest: neither an image manifest nor an "
                      "index",
                      subject);
  return 0;
}

int
registry_get_manifest (struct registry_client *c, const char *ref, struct registry_manifest **out,
                       struct error **err)
{
  int ret;
  if ((ret = check_ref (ref, err)) < 0)
    return ret;
  if (c->path == NULL)
    return error_set (err, EINVAL, "registry client without repository");
  _cleanup_free_ char *subject = manifest_subject (c, ref);
  _cleanup_free_ char *scope = scope_pull (c->path);
  _cleanup_free_ char *digest = NULL;
  if (subject == NULL || scope == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if ((ret = registry_ensure_ready (c, err)) < 0)
    return ret;
  _cleanup_free_ char *url = registry_url (c, "%s/manifests/%s", c->path, ref);
  if (url == NULL)
    return error_set (err, ENOMEM, "out of memory");
  struct http_request req = {
    .method = "GET",
    .url = url,
    .accept = manifest_accept,
    .max_body = REGISTRY_MANIFEST_MAX,
    .scope = scope,
    .follow_redirects = true,
    .subject = subject,
  };
  struct http_response resp = { .content_length = -1 };
  if ((ret = http_do (c, &req, &resp, err)) < 0)
    goto out;
  if (!http_status_ok (resp.status))
    {
      ret = http_status_error (c, &resp, subject, err);
      goto out;
    }
  const char *mt = NULL;
  if ((ret
       = classify (subject, resp.body ? resp.body : "", resp.body_len, resp.content_type, &mt, err))
      < 0)
    goto out;

  digest = digest_buffer (is_digest_ref (ref) ? ref : "sha256", resp.body ? resp.body : "",
                          resp.body_len);
  if (digest == NULL)
    {
      ret = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  if (is_digest_ref (ref) && strcmp (digest, ref) != 0)
    {
      ret = error_set (err, EBADMSG, "manifest %s: digest mismatch (got %s)", subject, digest);
      goto out;
    }
  if (!is_digest_ref (ref) && resp.digest && digest_valid (resp.digest)
      && strncmp (resp.digest, "sha256:", 7) == 0 && strcmp (resp.digest, digest) != 0)
    {
      ret = error_set (err, EBADMSG,
                       "manifest %s: digest mismatch: the registry says %s, the content is %s",
                       subject, resp.digest, digest);
      goto out;
    }
  struct registry_manifest *m = calloc (1, sizeof *m);
  if (m == NULL || (m->media_type = strdup (mt)) == NULL)
    {
      free (m);
      ret = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  if (resp.body == NULL && (resp.body = calloc (1, 1)) == NULL)
    {
      registry_manifest_free (m);
      ret = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  m->data = TAKE_PTR (resp.body);
  m->len = resp.body_len;
  m->digest = TAKE_PTR (digest);
  *out = m;
  ret = 0;
out:
  http_response_clear (&resp);
  return ret;
}

int
registry_head_manifest (struct registry_client *c, const char *ref, char **digest,
                        char **media_type, int64_t *size, struct error **err)
{
  int ret;
  if ((ret = check_ref (ref, err)) < 0)
    return ret;
  if (c->path == NULL)
    return error_set (err, EINVAL, "registry client without repository");
  _cleanup_free_ char *subject = manifest_subject (c, ref);
  _cleanup_free_ char *scope = scope_pull (c->path);
  if (subject == NULL || scope == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if ((ret = registry_ensure_ready (c, err)) < 0)
    return ret;
  _cleanup_free_ char *url = registry_url (c, "%s/manifests/%s", c->path, ref);
  if (url == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_registry_manifest_ struct registry_manifest *m = NULL;
  struct http_request req = {
    .method = "HEAD",
    .url = url,
    .accept = manifest_accept,
    .scope = scope,
    .follow_redirects = true,
    .subject = subject,
  };
  struct http_response resp = { .content_length = -1 };
  if ((ret = http_do (c, &req, &resp, err)) < 0)
    goto out;
  if (resp.status == 404)
    {
      ret = 0;
      goto out;
    }
  if (!http_status_ok (resp.status))
    {
      ret = http_status_error (c, &resp, subject, err);
      goto out;
    }
  if (is_schema1_type (resp.content_type))
    {
      ret = error_set (err, ENOTSUP, "schema1 manifests are not supported: %s", subject);
      goto out;
    }
  if (resp.content_length > REGISTRY_MANIFEST_MAX)
    {
      ret = error_set (err, EFBIG, "manifest %s: larger than %d bytes", subject,
                       REGISTRY_MANIFEST_MAX);
      goto out;
    }
  const char *d = resp.digest && digest_valid (resp.digest) ? resp.digest : NULL;
  if (d == NULL && is_digest_ref (ref))
    d = ref;
  if (d == NULL && (digest || media_type))
    {
      /* the registry did not say: fetch it and compute */
      if ((ret = registry_get_manifest (c, ref, &m, err)) < 0)
        goto out;
      d = m->digest;
    }
  if (digest && (*digest = strdup (d)) == NULL)
    {
      ret = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  if (media_type)
    {
      const char *mt = m ? m->media_type : known_type (resp.content_type);
      *media_type = mt ? strdup (mt) : NULL;
    }
  if (size)
    *size = m ? (int64_t)m->len : resp.content_length;
  ret = 1;
out:
  http_response_clear (&resp);
  return ret;
}

int
registry_put_manifest (struct registry_client *c, const char *ref, const char *media_type,
                       const void *data, size_t len, char **digest_out, struct error **err)
{
  int ret;
  if ((ret = check_ref (ref, err)) < 0)
    return ret;
  if (c->path == NULL)
    return error_set (err, EINVAL, "registry client without repository");
  if (len > REGISTRY_MANIFEST_MAX)
    return error_set (err, EFBIG, "manifest larger than %d bytes", REGISTRY_MANIFEST_MAX);
  if (media_type == NULL || strlen (media_type) > 200 || strpbrk (media_type, "\r\n"))
    return error_set (err, EINVAL, "invalid manifest media type");
  _cleanup_free_ char *digest = digest_buffer (is_digest_ref (ref) ? ref : "sha256", data, len);
  _cleanup_free_ char *subject = manifest_subject (c, ref);
  _cleanup_free_ char *scope = scope_push (c->path);
  if (digest == NULL || subject == NULL || scope == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (is_digest_ref (ref) && strcmp (digest, ref) != 0)
    return error_set (err, EINVAL, "manifest %s: the content's digest is %s", subject, digest);
  if ((ret = registry_ensure_ready (c, err)) < 0)
    return ret;
  _cleanup_free_ char *url = registry_url (c, "%s/manifests/%s", c->path, ref);
  if (url == NULL)
    return error_set (err, ENOMEM, "out of memory");
  struct http_request req = {
    .method = "PUT",
    .url = url,
    .content_type = media_type,
    .body = data ? data : "",
    .body_len = len,
    .max_body = REGISTRY_ERROR_BODY_MAX,
    .scope = scope,
    .subject = subject,
  };
  struct http_response resp = { .content_length = -1 };
  if ((ret = http_do (c, &req, &resp, err)) < 0)
    goto out;
  if (!http_status_ok (resp.status))
    {
      ret = http_status_error (c, &resp, subject, err);
      error_prefix (err, "push manifest");
      goto out;
    }
  if (resp.digest && digest_valid (resp.digest) && strncmp (resp.digest, digest, 7) == 0
      && strcmp (resp.digest, digest) != 0)
    {
      ret = error_set (err, EBADMSG, "push manifest %s: the registry stored %s, we sent %s",
                       subject, resp.digest, digest);
      goto out;
    }
  if (digest_out)
    *digest_out = TAKE_PTR (digest);
  ret = 0;
out:
  http_response_clear (&resp);
  return ret;
}

/* The next-page URL from `Link: <url>; rel="next"`, or NULL. */
static char *
link_next (const char *link, const char *base)
{
  if (link == NULL)
    return NULL;
  const char *lt = strchr (link, '<');
  const char *gt = lt ? strchr (lt, '>') : NULL;
  if (lt == NULL || gt == NULL || strstr (gt, "rel=\"next\"") == NULL)
    return NULL;
  _cleanup_free_ char *target = strndup (lt + 1, (size_t)(gt - lt - 1));
  return target ? url_resolve (base, target) : NULL;
}

int
registry_list_tags (struct registry_client *c, char ***tags, struct error **err)
{
  int ret;
  if (c->path == NULL)
    return error_set (err, EINVAL, "registry client without repository");
  char subject[400];
  snprintf (subject, sizeof subject, "`%s/%s`: tags", c->domain, c->path);
  _cleanup_free_ char *scope = scope_pull (c->path);
  if (scope == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if ((ret = registry_ensure_ready (c, err)) < 0)
    return ret;
  _cleanup_free_ char *url = registry_url (c, "%s/tags/list", c->path);
  if (url == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_free_ char *first = strdup (url);
  _cleanup_strv_ char **list = calloc (1, sizeof (char *));
  if (list == NULL || first == NULL)
    return error_set (err, ENOMEM, "out of memory");
  size_t count = 0;
  for (unsigned page = 0; url; page++)
    {
      if (page >= TAGS_PAGES_MAX)
        return error_set (err, EFBIG, "%s: more than %d pages", subject, TAGS_PAGES_MAX);
      struct http_request req = {
        .method = "GET",
        .url = url,
        .accept = "application/json",
        .max_body = REGISTRY_TAGS_PAGE_MAX,
        .scope = scope,
        .follow_redirects = true,
        .subject = subject,
      };
      struct http_response resp = { .content_length = -1 };
      if ((ret = http_do (c, &req, &resp, err)) < 0)
        return ret;
      if (!http_status_ok (resp.status))
        {
          ret = http_status_error (c, &resp, subject, err);
          http_response_clear (&resp);
          return ret;
        }
      _cleanup_json_ json_object *o = NULL;
      ret = jsonx_parse (resp.body ? resp.body : "", resp.body_len, &o, err);
      json_object *arr = NULL;
      if (ret == 0)
        ret = jsonx_get_array (o, "tags", &arr, err);
      if (ret < 0)
        {
          http_response_clear (&resp);
          error_prefix (err, "%s: malformed reply", subject);
          (*err)->code = EBADMSG;
          return -EBADMSG;
        }
      size_t n = arr ? json_object_array_length (arr) : 0;
      for (size_t i = 0; i < n; i++)
        {
          const char *t = json_object_get_string (json_object_array_get_idx (arr, i));
          if (!json_object_is_type (json_object_array_get_idx (arr, i), json_type_string)
              || !reference_tag_valid (t))
            continue; /* not a tag anyone could ask for */
          if (++count > TAGS_MAX)
            {
              http_response_clear (&resp);
              return error_set (err, EFBIG, "%s: more than %d tags", subject, TAGS_MAX);
            }
          if (strv_push (&list, t) < 0)
            {
              http_response_clear (&resp);
              return error_set (err, ENOMEM, "out of memory");
            }
        }
      char *next = link_next (resp.link, url);
      http_response_clear (&resp);
      free (url);
      url = NULL;
      if (next)
        {
          /* pages stay on the registry (the token goes with them) */
          char *a = NULL, *b = NULL;
          CURLU *u1 = curl_url (), *u2 = curl_url ();
          bool same = u1 && u2 && curl_url_set (u1, CURLUPART_URL, first, 0) == CURLUE_OK
                      && curl_url_set (u2, CURLUPART_URL, next, 0) == CURLUE_OK
                      && curl_url_get (u1, CURLUPART_HOST, &a, 0) == CURLUE_OK
                      && curl_url_get (u2, CURLUPART_HOST, &b, 0) == CURLUE_OK
                      && strcmp (a, b) == 0;
          curl_free (a);
          curl_free (b);
          curl_url_cleanup (u1);
          curl_url_cleanup (u2);
          if (!same)
            {
              free (next);
              return error_set (err, EPROTO, "%s: next page on another host", subject);
            }
          url = next;
        }
    }
  *tags = TAKE_PTR (list);
  return 0;
}

int
registry_open_manifest (const struct reference *ref, const struct registry_options *opts,
                        struct registry_client **client, struct registry_manifest **manifest,
                        struct error **err)
{
  const char *mref = reference_manifest_ref (ref);
  if (mref == NULL)
    return error_set (err, EINVAL, "reference `%s/%s` has neither tag nor digest", ref->domain,
                      ref->path);
  struct registry_endpoint *eps = NULL;
  size_t n = 0;
  int ret = registries_endpoints (opts ? opts->conf : NULL, ref, false, &eps, &n, err);
  if (ret < 0)
    return ret;
  for (size_t i = 0; i < n; i++)
    {
      struct registry_options o = opts ? *opts : (struct registry_options){ 0 };
      if (eps[i].mirror)
        {
          /* a mirror gets its own TLS policy and no explicit credentials of
           * the registry (auth.json may have some for it) */
          o.tls = eps[i].insecure ? REGISTRY_TLS_NO_VERIFY : REGISTRY_TLS_VERIFY;
          o.username = o.password = NULL;
          o.cert_dir = NULL;
        }
      struct registry_client *c = NULL;
      struct registry_manifest *m = NULL;
      struct error *e = NULL;
      ret = registry_client_new (eps[i].domain, eps[i].path, &o, &c, &e);
      if (ret == 0)
        ret = registry_get_manifest (c, mref, &m, &e);
      if (ret == 0)
        {
          *client = c;
          *manifest = m;
          registry_endpoints_free (eps, n);
          return 0;
        }
      registry_client_free (c);
      if (eps[i].mirror && i + 1 < n)
        {
          log_debug ("mirror `%s`: %s", eps[i].domain, e->msg);
          error_free (e);
          continue;
        }
      *err = e;
    }
  registry_endpoints_free (eps, n);
  return ret;
}

int
registry_get_referrers (struct registry_client *c, const char *digest, const char *artifact_type,
                        size_t max, char **data, size_t *len, struct error **err)
{
  int ret;
  if (!digest_valid (digest))
    return error_set (err, EINVAL, "invalid digest `%s`", digest);
  if (artifact_type && (strlen (artifact_type) > 200 || strpbrk (artifact_type, "&#?= \r\n")))
    return error_set (err, EINVAL, "invalid artifact type `%s`", artifact_type);
  if (c->path == NULL)
    return error_set (err, EINVAL, "registry client without repository");
  _cleanup_free_ char *subject = NULL, *scope = scope_pull (c->path);
  if (asprintf (&subject, "referrers of `%s/%s@%s`", c->domain, c->path, digest) < 0)
    subject = NULL;
  if (subject == NULL || scope == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if ((ret = registry_ensure_ready (c, err)) < 0)
    return ret;
  /* media types carry '+', which a query string reads as a space */
  _cleanup_free_ char *at = NULL;
  if (artifact_type)
    {
      at = malloc (strlen (artifact_type) * 3 + 1);
      if (at == NULL)
        return error_set (err, ENOMEM, "out of memory");
      char *o = at;
      for (const char *p = artifact_type; *p; p++)
        {
          if (*p == '+' || *p == '%')
            o += sprintf (o, "%%%02X", (unsigned char)*p);
          else
            *o++ = *p;
        }
      *o = '\0';
    }
  _cleanup_free_ char *url
      = at ? registry_url (c, "%s/referrers/%s?artifactType=%s", c->path, digest, at)
           : registry_url (c, "%s/referrers/%s", c->path, digest);
  if (url == NULL)
    return error_set (err, ENOMEM, "out of memory");
  struct http_request req = {
    .method = "GET",
    .url = url,
    .accept = REGISTRY_MT_OCI_INDEX,
    .max_body = max ? max : REGISTRY_MANIFEST_MAX,
    .scope = scope,
    .follow_redirects = true,
    .subject = subject,
  };
  struct http_response resp = { .content_length = -1 };
  if ((ret = http_do (c, &req, &resp, err)) < 0)
    goto out;
  /* A registry without the API answers 404 (the OCI spec's signal to use
   * the tag schema instead). */
  if (resp.status == 404)
    {
      ret = 0;
      goto out;
    }
  if (!http_status_ok (resp.status))
    {
      ret = http_status_error (c, &resp, subject, err);
      goto out;
    }
  if (resp.body == NULL && (resp.body = calloc (1, 1)) == NULL)
    {
      ret = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  *data = TAKE_PTR (resp.body);
  *len = resp.body_len;
  ret = 1;
out:
  http_response_clear (&resp);
  return ret;
}
