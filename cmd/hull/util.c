#include "util.h"

#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/store.h"
#include "registry/client.h"
#include "registry/reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
hull_open_store (struct hull_ctx *ctx, struct image_store **out, struct error **err)
{
  return image_store_open (ctx->root, ctx->runroot, out, err);
}

int
hull_normalize_tag (const char *s, char **out, struct error **err)
{
  _cleanup_reference_ struct reference *r = NULL;
  int ret = reference_parse (s, 0, &r, err);
  if (ret < 0)
    return ret;
  if (r->digest)
    return error_set (err, EINVAL, "`%s`: a digest cannot be used as a tag", s);
  *out = reference_string (r);
  return *out ? 0 : error_set (err, ENOMEM, "out of memory");
}

void
hull_split_familiar (const char *full, char **repo, char **tag)
{
  *repo = *tag = NULL;
  struct error *e = NULL;
  _cleanup_reference_ struct reference *r = NULL;
  if (reference_parse (full, 0, &r, &e) == 0)
    {
      *repo = reference_familiar_name (r);
      *tag = r->tag ? strdup (r->tag) : strdup ("<none>");
      return;
    }
  error_free (e);
  *repo = strdup (full);
  *tag = strdup ("<none>");
}

void
hull_human_size (uint64_t n, char *buf, size_t cap)
{
  static const char *units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
  double v = (double)n;
  int u = 0;
  while (v >= 1000.0 && u < 5)
    v /= 1000.0, u++;
  if (u == 0)
    snprintf (buf, cap, "%lluB", (unsigned long long)n);
  else
    snprintf (buf, cap, "%.3g%s", v, units[u]);
}

void
hull_human_since (int64_t t, char *buf, size_t cap)
{
  if (t <= 0)
    {
      snprintf (buf, cap, "N/A");
      return;
    }
  int64_t d = (int64_t)time (NULL) - t;
  if (d < 1)
    snprintf (buf, cap, "Less than a second ago");
  else if (d < 60)
    snprintf (buf, cap, "%lld seconds ago", (long long)d);
  else if (d < 120)
    snprintf (buf, cap, "About a minute ago");
  else if (d < 3600)
    snprintf (buf, cap, "%lld minutes ago", (long long)d / 60);
  else if (d < 7200)
    snprintf (buf, cap, "About an hour ago");
  else if (d < 86400 * 2)
    snprintf (buf, cap, "%lld hours ago", (long long)d / 3600);
  else if (d < 86400 * 14)
    snprintf (buf, cap, "%lld days ago", (long long)d / 86400);
  else if (d < 86400 * 60)
    snprintf (buf, cap, "%lld weeks ago", (long long)d / (86400 * 7));
  else if (d < 86400 * 365 * 2)
    snprintf (buf, cap, "%lld months ago", (long long)d / (86400 * 30));
  else
    snprintf (buf, cap, "%lld years ago", (long long)d / (86400 * 365));
}

const char *
hull_short_id (const char *id, char buf[13])
{
  const char *h = strchr (id, ':');
  snprintf (buf, 13, "%s", h ? h + 1 : id);
  return buf;
}

int
hull_registry_flags_apply (const char *verb, const struct hull_registry_flags *f,
                           struct registry_options *ro, char **user)
{
  if (f->tls_verify)
    ro->tls = strcmp (f->tls_verify, "false") == 0 ? REGISTRY_TLS_NO_VERIFY : REGISTRY_TLS_VERIFY;
  ro->authfile = f->authfile;
  ro->cert_dir = f->cert_dir;
  if (f->creds)
    {
      *user = strdup (f->creds);
      char *colon = *user ? strchr (*user, ':') : NULL;
      if (colon == NULL)
        return hull_usage_error (verb, "--creds needs USER:PASSWORD");
      *colon = '\0';
      ro->username = *user;
      ro->password = colon + 1;
    }
  return 0;
}
