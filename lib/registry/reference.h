/* reference.h - Docker-style image references, parsed and normalised.
 *
 *   busybox                      -> docker.io/library/busybox:latest
 *   ubuntu:22.04                 -> docker.io/library/ubuntu:22.04
 *   quay.io/a/b@sha256:<hex>     -> quay.io/a/b@sha256:<hex>
 *   localhost:5000/x:t@sha256:.. -> localhost:5000/x:t@sha256:..
 *
 * Grammar (the distribution reference grammar):
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] component ( "/" component )*
 *   domain     := host [ ":" port ]     host: DNS labels, or "[" IPv6 "]"
 *   component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" hex      (sha256: 64, sha512: 128 lowercase hex)
 * The first component is a domain when it contains '.' or ':', is
 * "localhost", or has an uppercase letter; otherwise the name is "short" and
 * gets a registry from the search list (docker.io by default).  A name is at
 * most 255 characters.  docker.io names of one component get "library/";
 * "index.docker.io" is spelled "docker.io".
 *
 * References come from users and from image metadata (hostile): every
 * function here validates and never trusts lengths.
 */
#ifndef HULL_REGISTRY_REFERENCE_H
#define HULL_REGISTRY_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>

struct error;
struct registries_conf;

#define REFERENCE_DEFAULT_DOMAIN "docker.io"
#define REFERENCE_DEFAULT_TAG "latest"
#define REFERENCE_NAME_MAX 255
#define REFERENCE_TAG_MAX 128

struct reference
{
  char *domain;    /* "docker.io", "127.0.0.1:5000", "localhost", "[::1]:5000" */
  char *path;      /* repository in that registry: "library/busybox" */
  char *tag;       /* "latest"; NULL when there is a digest and no tag, or
                      with REFERENCE_NO_DEFAULT_TAG */
  char *digest;    /* "sha256:<hex>" or NULL */
  bool has_domain; /* the input named its registry; false for short names */
};

enum reference_flags
{
  /* Leave tag NULL when the input has neither tag nor digest (e.g. `push
   * --all-tags`, `images NAME`). */
  REFERENCE_NO_DEFAULT_TAG = 1 << 0,
  /* Reject a tag or digest: a bare repository name is wanted. */
  REFERENCE_NAME_ONLY = 1 << 1,
};

/* Parse and normalise.  Errors are one line naming the input:
 * "invalid reference `Foo/x`: repository name must be lowercase". */
int reference_parse (const char *s, unsigned flags, struct reference **out, struct error **err);
struct reference *reference_dup (const struct reference *r);
void reference_free (struct reference *r);
static inline void
reference_freep (struct reference **r)
{
  if (*r)
    reference_free (*r);
}
#define _cleanup_reference_ __attribute__ ((cleanup (reference_freep)))

/* All of these return malloc'd strings (NULL only on ENOMEM). */
/* "docker.io/library/busybox" */
char *reference_name (const struct reference *r);
/* The normalised full form: "docker.io/library/busybox:latest",
 * "host:5000/x@sha256:...", "host:5000/x:t@sha256:..." */
char *reference_string (const struct reference *r);
/* The short form docker prints: "busybox:latest", "user/app:1",
 * "quay.io/a/b:t" (docker.io/ and library/ dropped) */
char *reference_familiar (const struct reference *r);
/* "busybox", "user/app", "quay.io/a/b" */
char *reference_familiar_name (const struct reference *r);

/* What to ask the registry's manifest endpoint for: the digest when there is
 * one (it pins the content), else the tag. */
const char *reference_manifest_ref (const struct reference *r);

/* Replace tag (NULL: drop it) / digest (NULL: drop it); validated. */
int reference_set_tag (struct reference *r, const char *tag, struct error **err);
int reference_set_digest (struct reference *r, const char *digest, struct error **err);

bool reference_tag_valid (const char *tag);
/* A single path component / a whole repository path ("a/b/c"). */
bool reference_path_valid (const char *path);
bool reference_domain_valid (const char *domain);
/* s looks like an image ID (64 hex digits), which is not a valid name. */
bool reference_is_id (const char *s);

/* Short-name resolution.  A reference with a domain resolves to itself; a
 * short name ("busybox", "user/app:1") to one candidate per unqualified-search
 * registry of conf, in order ("docker.io" alone when conf is NULL or has no
 * search list): the caller tries them in turn, as podman does.  *out is a
 * NULL-terminated array freed with reference_list_free. */
int reference_resolve (const char *s, const struct registries_conf *conf, unsigned flags,
                       struct reference ***out, struct error **err);
void reference_list_free (struct reference **list);

#endif
