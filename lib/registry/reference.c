#include "reference.h"

#include "registries.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/strv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Input longer than this cannot be a valid reference (name + tag + digest). */
#define REFERENCE_INPUT_MAX (REFERENCE_NAME_MAX + 1 + REFERENCE_TAG_MAX + 1 + DIGEST_STRING_MAX)

static bool
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum (char c)
{
  return is_lower_alnum (c) || (c >= 'A' && c <= 'Z');
}

/* component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )* */
static bool
component_valid (const char *s, size_t len)
{
  size_t i = 0;
  if (len == 0 || !is_lower_alnum (s[0]))
    return false;
  while (i < len)
    {
      while (i < len && is_lower_alnum (s[i]))
        i++;
      if (i == len)
        return true;
      /* a separator, then at least one alnum */
      if (s[i] == '.')
        i++;
      else if (s[i] == '_')
        i += (i + 1 < len && s[i + 1] == '_') ? 2 : 1;
      else if (s[i] == '-')
        while (i < len && s[i] == '-')
          i++;
      else
        return false;
      if (i >= len || !is_lower_alnum (s[i]))
        return false;
    }
  return true;
}

bool
reference_path_valid (const char *path)
{
  if (path == NULL || *path == '\0')
    return false;
  const char *p = path;
  for (;;)
    {
      const char *slash = strchr (p, '/');
      size_t n = slash ? (size_t)(slash - p) : strlen (p);
      if (!component_valid (p, n))
        return false;
      if (!slash)
        return true;
      p = slash + 1;
    }
}

/* label := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool
host_valid (const char *s, size_t len)
{
  if (len == 0)
    return false;
  if (s[0] == '[')
    {
      /* IPv6 literal: hex digits, ':' and '.' (for embedded IPv4) */
      if (len < 4 || s[len - 1] != ']')
        return false;
      size_t colons = 0;
      for (size_t i = 1; i < len - 1; i++)
        {
          if (s[i] == ':')
            colons++;
          else if (!isxdigit ((unsigned char)s[i]) && s[i] != '.')
            return false;
        }
      return colons >= 2;
    }
  size_t i = 0;
  while (i < len)
    {
      size_t start = i;
      while (i < len && s[i] != '.')
        i++;
      size_t n = i - start;
      if (n == 0 || n > 63 || !is_alnum (s[start]) || !is_alnum (s[i - 1]))
        return false;
      for (size_t k = start; k < i; k++)
        if (!is_alnum (s[k]) && s[k] != '-')
          return false;
      if (i < len)
        {
          i++; /* '.' */
          if (i == len)
            return false;
        }
    }
  return true;
}

bool
reference_domain_valid (const char *domain)
{
  if (domain == NULL)
    return false;
  size_t len = strlen (domain);
  const char *port = NULL;
  if (domain[0] == '[')
    {
      const char *close = strchr (domain, ']');
      if (close == NULL)
        return false;
      if (close[1] == ':')
        port = close + 2;
      else if (close[1] != '\0')
        return false;
      len = (size_t)(close - domain) + 1;
    }
  else
    {
      const char *colon = strchr (domain, ':');
      if (colon)
        {
          port = colon + 1;
          len = (size_t)(colon - domain);
        }
    }
  if (!host_valid (domain, len))
    return false;
  if (port)
    {
      size_t n = strlen (port);
      if (n == 0 || n > 5 || strspn (port, "0123456789") != n || atoi (port) > 65535)
        return false;
    }
  return true;
}

bool
reference_tag_valid (const char *tag)
{
  if (tag == NULL || *tag == '\0')
    return false;
  size_t n = strlen (tag);
  if (n > REFERENCE_TAG_MAX)
    return false;
  if (!is_alnum (tag[0]) && tag[0] != '_')
    return false;
  for (size_t i = 1; i < n; i++)
    if (!is_alnum (tag[i]) && tag[i] != '_' && tag[i] != '.' && tag[i] != '-')
      return false;
  return true;
}

bool
reference_is_id (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return false;
  for (size_t i = 0; i < 64; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

void
reference_free (struct reference *r)
{
  if (r == NULL)
    return;
  free (r->domain);
  free (r->path);
  free (r->tag);
  free (r->digest);
  free (r);
}

struct reference *
reference_dup (const struct reference *r)
{
  struct reference *d = calloc (1, sizeof *d);
  if (d == NULL)
    return NULL;
  d->has_domain = r->has_domain;
  d->domain = strdup (r->domain);
  d->path = strdup (r->path);
  d->tag = r->tag ? strdup (r->tag) : NULL;
  d->digest = r->digest ? strdup (r->digest) : NULL;
  if (!d->domain || !d->path || (r->tag && !d->tag) || (r->digest && !d->digest))
    {
      reference_free (d);
      return NULL;
    }
  return d;
}

static bool
has_upper (const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] >= 'A' && s[i] <= 'Z')
      return true;
  return false;
}

/* Is the first component (n bytes) of a name a registry rather than a
 * repository namespace? docker's rule: it has a '.' or a ':', is
 * "localhost", or has an uppercase letter. */
static bool
names_registry (const char *first, size_t n)
{
  return memchr (first, '.', n) || memchr (first, ':', n)
         || (n == 9 && strncmp (first, "localhost", 9) == 0) || has_upper (first, n);
}

/* Parse s; *raw_path gets the repository path as written (without the
 * "library/" that docker.io adds), for short-name resolution. */
static int
parse (const char *s, unsigned flags, struct reference **out, char **raw_path, struct error **err)
{
  if (s == NULL || *s == '\0')
    return error_set (err, EINVAL, "invalid reference: empty");
  size_t slen = strlen (s);
  if (slen > REFERENCE_INPUT_MAX)
    return error_set (err, EINVAL, "invalid reference `%.64s...`: too long", s);
  for (size_t i = 0; i < slen; i++)
    if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
      return error_set (err, EINVAL,
                        "invalid reference `%s`: contains a space or a control or "
                        "non-ASCII character",
                        s);

  _cleanup_free_ char *copy = strdup (s);
  struct reference *r = calloc (1, sizeof *r);
  _cleanup_reference_ struct reference *ref = r;
  if (copy == NULL || r == NULL)
    return error_set (err, ENOMEM, "out of memory");

  char *at = strchr (copy, '@');
  if (at)
    {
      *at = '\0';
      const char *digest = at + 1;
      struct error *derr = NULL;
      if (digest_validate (digest, &derr) < 0)
        {
          int code = derr->code;
          error_free (derr);
          return error_set (err, code == ENOTSUP ? ENOTSUP : EINVAL,
                            "invalid reference `%s`: invalid digest `%s`", s, digest);
        }
      if ((r->digest = strdup (digest)) == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }

  char *last_slash = strrchr (copy, '/');
  char *colon = strrchr (last_slash ? last_slash : copy, ':');
  if (colon)
    {
      *colon = '\0';
      const char *tag = colon + 1;
      if (!reference_tag_valid (tag))
        return error_set (err, EINVAL, "invalid reference `%s`: invalid tag `%s`", s, tag);
      if ((r->tag = strdup (tag)) == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }

  if ((r->tag || r->digest) && (flags & REFERENCE_NAME_ONLY))
    return error_set (err, EINVAL,
                      "invalid repository name `%s`: a name without tag or digest is needed", s);

  const char *name = copy;
  if (*name == '\0')
    return error_set (err, EINVAL, "invalid reference `%s`: no repository name", s);
  if (reference_is_id (name))
    return error_set (err, EINVAL,
                      "invalid reference `%s`: a 64-character hexadecimal string is an "
                      "image ID, not a repository name",
                      s);

  const char *path = name;
  const char *slash = strchr (name, '/');
  if (slash)
    {
      size_t n = (size_t)(slash - name);
      if (names_registry (name, n))
        {
          if ((r->domain = strndup (name, n)) == NULL)
            return error_set (err, ENOMEM, "out of memory");
          r->has_domain = true;
          path = slash + 1;
          if (!reference_domain_valid (r->domain))
            return error_set (err, EINVAL, "invalid reference `%s`: invalid registry `%s`", s,
                              r->domain);
          if (strcmp (r->domain, "index.docker.io") == 0)
            {
              free (r->domain);
              if ((r->domain = strdup (REFERENCE_DEFAULT_DOMAIN)) == NULL)
                return error_set (err, ENOMEM, "out of memory");
            }
        }
    }
  if (r->domain == NULL && (r->domain = strdup (REFERENCE_DEFAULT_DOMAIN)) == NULL)
    return error_set (err, ENOMEM, "out of memory");

  if (has_upper (path, strlen (path)))
    return error_set (err, EINVAL, "invalid reference `%s`: repository name must be lowercase", s);
  if (!reference_path_valid (path))
    return error_set (err, EINVAL, "invalid reference `%s`: invalid repository name `%s`", s, path);

  if (strcmp (r->domain, REFERENCE_DEFAULT_DOMAIN) == 0 && strchr (path, '/') == NULL)
    {
      if (asprintf (&r->path, "library/%s", path) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  else if ((r->path = strdup (path)) == NULL)
    return error_set (err, ENOMEM, "out of memory");

  if (strlen (r->domain) + 1 + strlen (r->path) > REFERENCE_NAME_MAX)
    return error_set (err, EINVAL,
                      "invalid reference `%s`: repository name longer than %d characters", s,
                      REFERENCE_NAME_MAX);

  if (r->tag == NULL && r->digest == NULL
      && !(flags & (REFERENCE_NO_DEFAULT_TAG | REFERENCE_NAME_ONLY)))
    if ((r->tag = strdup (REFERENCE_DEFAULT_TAG)) == NULL)
      return error_set (err, ENOMEM, "out of memory");

  if (raw_path && (*raw_path = strdup (path)) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  *out = TAKE_PTR (ref);
  return 0;
}

int
reference_parse (const char *s, unsigned flags, struct reference **out, struct error **err)
{
  return parse (s, flags, out, NULL, err);
}

char *
reference_name (const struct reference *r)
{
  char *s = NULL;
  if (asprintf (&s, "%s/%s", r->domain, r->path) < 0)
    return NULL;
  return s;
}

static char *
with_suffixes (char *name, const struct reference *r)
{
  if (name == NULL)
    return NULL;
  char *s = NULL;
  int n = asprintf (&s, "%s%s%s%s%s", name, r->tag ? ":" : "", r->tag ? r->tag : "",
                    r->digest ? "@" : "", r->digest ? r->digest : "");
  free (name);
  return n < 0 ? NULL : s;
}

char *
reference_string (const struct reference *r)
{
  return with_suffixes (reference_name (r), r);
}

char *
reference_familiar_name (const struct reference *r)
{
  if (strcmp (r->domain, REFERENCE_DEFAULT_DOMAIN) == 0)
    {
      const char *p = r->path;
      /* not when the rest alone would read as an image id */
      if (str_has_prefix (p, "library/") && strchr (p + 8, '/') == NULL && !reference_is_id (p + 8))
        p += 8;
      /* "docker.io/a.b/x" without its domain would read as registry "a.b":
       * the short form must name the same image, so it keeps the domain */
      else if (names_registry (p, strcspn (p, "/")) && strchr (p, '/'))
        return reference_name (r);
      return strdup (p);
    }
  return reference_name (r);
}

char *
reference_familiar (const struct reference *r)
{
  return with_suffixes (reference_familiar_name (r), r);
}

const char *
reference_manifest_ref (const struct reference *r)
{
  return r->digest ? r->digest : r->tag;
}

int
reference_set_tag (struct reference *r, const char *tag, struct error **err)
{
  char *t = NULL;
  if (tag)
    {
      if (!reference_tag_valid (tag))
        return error_set (err, EINVAL, "invalid tag `%s`", tag);
      if ((t = strdup (tag)) == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }
  free (r->tag);
  r->tag = t;
  return 0;
}

int
reference_set_digest (struct reference *r, const char *digest, struct error **err)
{
  char *d = NULL;
  if (digest)
    {
      if (digest_validate (digest, err) < 0)
        return -(*err)->code;
      if ((d = strdup (digest)) == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }
  free (r->digest);
  r->digest = d;
  return 0;
}

void
reference_list_free (struct reference **list)
{
  if (list == NULL)
    return;
  for (struct reference **p = list; *p; p++)
    reference_free (*p);
  free (list);
}

static void
reference_list_freep (struct reference ***l)
{
  reference_list_free (*l);
}

int
reference_resolve (const char *s, const struct registries_conf *conf, unsigned flags,
                   struct reference ***out, struct error **err)
{
  _cleanup_reference_ struct reference *ref = NULL;
  _cleanup_free_ char *raw_path = NULL;
  int ret = parse (s, flags, &ref, &raw_path, err);
  if (ret < 0)
    return ret;

  static char *const default_search[] = { (char *)REFERENCE_DEFAULT_DOMAIN, NULL };
  char *const *search = default_search;
  if (!ref->has_domain && conf && conf->search && conf->search[0])
    search = conf->search;
  size_t n = ref->has_domain ? 1 : strv_len (search);

  __attribute__ ((cleanup (reference_list_freep))) struct reference **list
      = calloc (n + 1, sizeof *list);
  if (list == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (ref->has_domain)
    {
      list[0] = TAKE_PTR (ref);
      *out = TAKE_PTR (list);
      return 0;
    }
  for (size_t i = 0; i < n; i++)
    {
      struct reference *c = reference_dup (ref);
      if (c == NULL)
        return error_set (err, ENOMEM, "out of memory");
      list[i] = c;
      const char *dom = search[i];
      if (strcmp (dom, "index.docker.io") == 0)
        dom = REFERENCE_DEFAULT_DOMAIN;
      free (c->domain);
      free (c->path);
      c->path = NULL;
      if ((c->domain = strdup (dom)) == NULL)
        return error_set (err, ENOMEM, "out of memory");
      if (strcmp (dom, REFERENCE_DEFAULT_DOMAIN) == 0 && strchr (raw_path, '/') == NULL)
        {
          if (asprintf (&c->path, "library/%s", raw_path) < 0)
            {
              c->path = NULL;
              return error_set (err, ENOMEM, "out of memory");
            }
        }
      else if ((c->path = strdup (raw_path)) == NULL)
        return error_set (err, ENOMEM, "out of memory");
      if (!reference_domain_valid (c->domain))
        return error_set (err, EINVAL, "invalid search registry `%s`", c->domain);
      if (strlen (c->domain) + 1 + strlen (c->path) > REFERENCE_NAME_MAX)
        return error_set (err, EINVAL,
                          "invalid reference `%s/%s`: repository name longer than %d characters",
                          c->domain, c->path, REFERENCE_NAME_MAX);
    }
  *out = TAKE_PTR (list);
  return 0;
}
