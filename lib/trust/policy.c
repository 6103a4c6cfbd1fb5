/* policy.c - containers' policy.json (containers-policy.json(5)), read
 * strictly and enforced for the docker transport.
 *
 *   {"default":[REQ...],
 *    "transports":{"docker":{"SCOPE":[REQ...], ...}, "<other transport>":{...}}}
 *
 * REQ: {"type":"insecureAcceptAnything"} | {"type":"reject"}
 *    | {"type":"sigstoreSigned", one of "keyPath" / "keyPaths" / "keyData" /
 *       "fulcio", ["rekorPublicKeyPath" | "rekorPublicKeyData"],
 *       ["signedIdentity": IDENTITY]}
 *    | {"type":"signedBy", ...}                          (GPG: refused)
 * IDENTITY: matchExact | matchRepoDigestOrExact (the default) |
 *   matchRepository | exactReference {dockerReference} |
 *   exactRepository {dockerRepository} | remapIdentity {prefix, signedPrefix}
 *
 * Scopes of the docker transport, most specific first: "host/repo:tag" or
 * "host/repo@digest", "host/repo", each parent namespace, "host", then the
 * wildcards "*.parent.domain", then "" (the transport's default), then
 * "default".  Every requirement of the chosen list must accept.
 *
 * Parsing is strict because a policy that is read wrong is an accept that
 * should have been a reject: an unknown key, an unknown type, a missing or
 * duplicate field, a relative key path are errors that name the place.
 * Requirements hull cannot check (GPG signedBy, Fulcio, Rekor) parse, and
 * reject the image that they apply to, saying why: never skipped.
 */
#include "internal.h"

#include "registry/reference.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum req_type
{
  REQ_ACCEPT,
  REQ_REJECT,
  REQ_SIGNED_BY,
  REQ_SIGSTORE,
};

enum id_type
{
  ID_MATCH_REPO_DIGEST_OR_EXACT,
  ID_MATCH_EXACT,
  ID_MATCH_REPOSITORY,
  ID_EXACT_REFERENCE,
  ID_EXACT_REPOSITORY,
  ID_REMAP,
};

static const char *const id_names[]
    = { "matchRepoDigestOrExact", "matchExact",      "matchRepository",
        "exactReference",         "exactRepository", "remapIdentity" };

struct ident
{
  enum id_type type;
  char *a; /* dockerReference / dockerRepository / prefix (normalised) */
  char *b; /* signedPrefix */
};

struct req
{
  enum req_type type;
  char **key_paths;
  char *key_data; /* decoded PEM */
  size_t key_data_len;
  bool fulcio, rekor;
  struct ident id;
};

struct reqs
{
  struct req *v;
  size_t n;
};

struct scope
{
  char *name;
  struct reqs r;
};

struct trust_policy
{
  char *name;
  struct reqs def;
  struct scope *docker;
  size_t ndocker;
  struct scope *ociar; /* oci-archive */
  size_t nociar;
  struct scope *dockerar; /* docker-archive: "" only */
  size_t ndockerar;
};

static void
reqs_clear (struct reqs *r)
{
  for (size_t i = 0; i < r->n; i++)
    {
      strv_free (r->v[i].key_paths);
      free (r->v[i].key_data);
      free (r->v[i].id.a);
      free (r->v[i].id.b);
    }
  free (r->v);
}

void
trust_policy_free (struct trust_policy *p)
{
  if (p == NULL)
    return;
  reqs_clear (&p->def);
  for (size_t i = 0; i < p->ndocker; i++)
    {
      free (p->docker[i].name);
      reqs_clear (&p->docker[i].r);
    }
  free (p->docker);
  for (size_t i = 0; i < p->nociar; i++)
    {
      free (p->ociar[i].name);
      reqs_clear (&p->ociar[i].r);
    }
  free (p->ociar);
  for (size_t i = 0; i < p->ndockerar; i++)
    {
      free (p->dockerar[i].name);
      reqs_clear (&p->dockerar[i].r);
    }
  free (p->dockerar);
  free (p->name);
  free (p);
}

/* ---------------------------------------------------------------- parse */

/* A name normalised the way containers/image writes it ("docker.io/library/x"):
 * the policy must spell it so, or the scope would silently never match. */
static int
normalised_name (const char *s, bool want_tag_or_digest, bool name_only, const char *what,
                 char **out, struct error **err)
{
  _cleanup_reference_ struct reference *r = NULL;
  struct error *e = NULL;
  if (reference_parse (s, REFERENCE_NO_DEFAULT_TAG, &r, &e) < 0)
    {
      int ret = error_set (err, EINVAL, "%s: %s", what, e->msg);
      error_free (e);
      return ret;
    }
  if (want_tag_or_digest && r->tag == NULL && r->digest == NULL)
    return error_set (err, EINVAL, "%s: `%s` has neither tag nor digest", what, s);
  if (name_only && (r->tag || r->digest))
    return error_set (err, EINVAL, "%s: `%s` must be a repository (no tag or digest)", what, s);
  _cleanup_free_ char *norm = reference_string (r);
  if (norm == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (strcmp (norm, s) != 0)
    return error_set (err, EINVAL, "%s: `%s` is not fully qualified (write `%s`)", what, s, norm);
  *out = TAKE_PTR (norm);
  return 0;
}

/* "host", "host/ns", "host/ns/repo" (remapIdentity's prefixes, scopes). */
static bool
is_name_prefix (const char *s)
{
  const char *slash = strchr (s, '/');
  if (slash == NULL)
    return reference_domain_valid (s);
  _cleanup_free_ char *host = strndup (s, (size_t)(slash - s));
  return host && reference_domain_valid (host) && reference_path_valid (slash + 1);
}

static int
parse_identity (json_object *o, const char *what, struct ident *id, struct error **err)
{
  static const char *const t_only[] = { "type", NULL };
  static const char *const t_ref[] = { "type", "dockerReference", NULL };
  static const char *const t_repo[] = { "type", "dockerRepository", NULL };
  static const char *const t_remap[] = { "type", "prefix", "signedPrefix", NULL };
  const char *type = NULL;
  int r = trust_json_string (o, what, "type", &type, err);
  if (r < 0)
    return r;
  size_t i = 0;
  for (; i < ARRAY_SIZE (id_names); i++)
    if (strcmp (type, id_names[i]) == 0)
      break;
  if (i == ARRAY_SIZE (id_names))
    return error_set (err, EINVAL, "%s: unknown signedIdentity type `%s`", what, type);
  id->type = (enum id_type)i;
  const char *s = NULL;
  switch (id->type)
    {
    case ID_EXACT_REFERENCE:
      if ((r = trust_json_fields (o, what, t_ref, NULL, err)) < 0
          || (r = trust_json_string (o, what, "dockerReference", &s, err)) < 0)
        return r;
      return normalised_name (s, true, false, what, &id->a, err);
    case ID_EXACT_REPOSITORY:
      if ((r = trust_json_fields (o, what, t_repo, NULL, err)) < 0
          || (r = trust_json_string (o, what, "dockerRepository", &s, err)) < 0)
        return r;
      return normalised_name (s, false, true, what, &id->a, err);
    case ID_REMAP:
      {
        const char *sp = NULL;
        if ((r = trust_json_fields (o, what, t_remap, NULL, err)) < 0
            || (r = trust_json_string (o, what, "prefix", &s, err)) < 0
            || (r = trust_json_string (o, what, "signedPrefix", &sp, err)) < 0)
          return r;
        if (!is_name_prefix (s) || !is_name_prefix (sp))
          return error_set (err, EINVAL, "%s: invalid prefix `%s` or signedPrefix `%s`", what, s,
                            sp);
        id->a = strdup (s);
        id->b = strdup (sp);
        return id->a && id->b ? 0 : error_set (err, ENOMEM, "out of memory");
      }
    default:
      return trust_json_fields (o, what, t_only, NULL, err);
    }
}

static int
parse_req (json_object *o, const char *what, const char *dir, struct req *q, struct error **err)
{
  static const char *const t_only[] = { "type", NULL };
  static const char *const sig_req[] = { "type", NULL };
  static const char *const sig_opt[] = {
    "keyPath",        "keyPaths", "keyData", "fulcio", "rekorPublicKeyPath", "rekorPublicKeyData",
    "signedIdentity", NULL
  };
  static const char *const gpg_opt[]
      = { "keyType", "keyPath", "keyPaths", "keyData", "signedIdentity", NULL };
  static const char *const fulcio_opt[]
      = { "caPath", "caData", "oidcIssuer", "subjectEmail", NULL };
  const char *type = NULL;
  if (!json_object_is_type (o, json_type_object))
    return error_set (err, EINVAL, "%s: a requirement must be an object", what);
  int r = trust_json_string (o, what, "type", &type, err);
  if (r < 0)
    return r;
  if (strcmp (type, "insecureAcceptAnything") == 0 || strcmp (type, "reject") == 0)
    {
      q->type = type[0] == 'r' ? REQ_REJECT : REQ_ACCEPT;
      return trust_json_fields (o, what, t_only, NULL, err);
    }
  bool gpg = strcmp (type, "signedBy") == 0;
  if (!gpg && strcmp (type, "sigstoreSigned") != 0)
    return error_set (err, EINVAL, "%s: unknown requirement type `%s`", what, type);
  q->type = gpg ? REQ_SIGNED_BY : REQ_SIGSTORE;
  if ((r = trust_json_fields (o, what, sig_req, gpg ? gpg_opt : sig_opt, err)) < 0)
    return r;
  json_object *v = NULL;
  int sources = 0;
  if (json_object_object_get_ex (o, "keyPath", &v))
    {
      sources++;
      if (!json_object_is_type (v, json_type_string))
        return error_set (err, EINVAL, "%s: `keyPath` is not a string", what);
      if (strv_push (&q->key_paths, json_object_get_string (v)) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  if (json_object_object_get_ex (o, "keyPaths", &v))
    {
      sources++;
      if (!json_object_is_type (v, json_type_array) || json_object_array_length (v) == 0)
        return error_set (err, EINVAL, "%s: `keyPaths` must be a non-empty array", what);
      for (size_t i = 0; i < json_object_array_length (v); i++)
        {
          json_object *e = json_object_array_get_idx (v, i);
          if (!json_object_is_type (e, json_type_string))
            return error_set (err, EINVAL, "%s: `keyPaths` holds a non-string", what);
          if (strv_push (&q->key_paths, json_object_get_string (e)) < 0)
            return error_set (err, ENOMEM, "out of memory");
        }
    }
  for (char **p = q->key_paths; p && *p; p++)
    if ((*p)[0] != '/')
      return error_set (err, EINVAL, "%s: key path `%s` must be absolute", what, *p);
  if (json_object_object_get_ex (o, "keyData", &v))
    {
      sources++;
      if (!json_object_is_type (v, json_type_string))
        return error_set (err, EINVAL, "%s: `keyData` is not a string", what);
      const char *s = json_object_get_string (v);
      unsigned char *d = NULL;
      if ((r = trust_b64_decode (s, strlen (s), &d, &q->key_data_len, err)) < 0)
        return error_prefix (err, "%s: `keyData`", what);
      q->key_data = (char *)d;
    }
  if (json_object_object_get_ex (o, "fulcio", &v))
    {
      sources++;
      q->fulcio = true;
      if ((r = trust_json_fields (v, "`fulcio`", NULL, fulcio_opt, err)) < 0)
        return error_prefix (err, "%s", what);
    }
  if (sources != 1)
    return error_set (err, EINVAL, "%s: exactly one of keyPath, keyPaths, keyData%s is needed",
                      what, gpg ? "" : ", fulcio");
  q->rekor = json_object_object_get_ex (o, "rekorPublicKeyPath", NULL)
             || json_object_object_get_ex (o, "rekorPublicKeyData", NULL);
  if (gpg && json_object_object_get_ex (o, "keyType", &v)
      && (!json_object_is_type (v, json_type_string)
          || strcmp (json_object_get_string (v), "GPGKeys") != 0))
    return error_set (err, EINVAL, "%s: unknown keyType", what);
  q->id.type = ID_MATCH_REPO_DIGEST_OR_EXACT;
  if (json_object_object_get_ex (o, "signedIdentity", &v))
    {
      char w[600];
      snprintf (w, sizeof w, "%s signedIdentity", what);
      if (!json_object_is_type (v, json_type_object))
        return error_set (err, EINVAL, "%s: not an object", w);
      if ((r = parse_identity (v, w, &q->id, err)) < 0)
        return r;
    }
  (void)dir;
  return 0;
}

static int
parse_reqs (json_object *arr, const char *what, const char *dir, struct reqs *out,
            struct error **err)
{
  if (!json_object_is_type (arr, json_type_array))
    return error_set (err, EINVAL, "%s: requirements must be an array", what);
  size_t n = json_object_array_length (arr);
  if (n == 0)
    return error_set (err, EINVAL,
                      "%s: an empty requirement list (use reject or "
                      "insecureAcceptAnything)",
                      what);
  if (n > 64)
    return error_set (err, EINVAL, "%s: more than 64 requirements", what);
  out->v = calloc (n, sizeof *out->v);
  if (out->v == NULL)
    return error_set (err, ENOMEM, "out of memory");
  out->n = n;
  for (size_t i = 0; i < n; i++)
    {
      char w[256];
      snprintf (w, sizeof w, "%s[%zu]", what, i);
      int r = parse_req (json_object_array_get_idx (arr, i), w, dir, &out->v[i], err);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
check_docker_scope (const char *s, struct error **err)
{
  if (s[0] == '\0')
    return 0;
  if (strncmp (s, "*.", 2) == 0)
    {
      if (!reference_domain_valid (s + 2) || strchr (s + 2, ':'))
        return error_set (err, EINVAL, "invalid docker scope `%s`", s);
      return 0;
    }
  if (strchr (s, '/') == NULL)
    {
      if (!reference_domain_valid (s))
        return error_set (err, EINVAL, "invalid docker scope `%s`", s);
      /* "busybox" is not a registry, and would never match: refuse it */
      if (strchr (s, '.') == NULL && strchr (s, ':') == NULL && strcmp (s, "localhost") != 0)
        return error_set (err, EINVAL,
                          "docker scope `%s`: not a registry host (write repositories in "
                          "full, e.g. `docker.io/library/%s`)",
                          s, s);
      return 0;
    }
  bool has_td = strchr (strchr (s, '/'), ':') != NULL || strchr (s, '@') != NULL;
  _cleanup_free_ char *norm = NULL;
  char what[300];
  snprintf (what, sizeof what, "docker scope `%s`", s);
  if (has_td)
    return normalised_name (s, true, false, what, &norm, err);
  if (!is_name_prefix (s))
    return error_set (err, EINVAL, "invalid docker scope `%s`", s);
  /* "host/x" must not be a short name in disguise ("busybox/x" has no host) */
  _cleanup_free_ char *host = strndup (s, strcspn (s, "/"));
  if (host == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (strchr (host, '.') == NULL && strchr (host, ':') == NULL && strcmp (host, "localhost") != 0)
    return error_set (err, EINVAL, "docker scope `%s`: must start with a registry host", s);
  return 0;
}

/* Archive transports' scopes, as containers/image takes them: docker-archive
 * has only its default ""; oci-archive has absolute, clean paths of the
 * archive ("PATH" or "PATH:NAME") or of a parent directory, "/" excluded
 * (that is what "" is for).  Anything else would never match: refused. */
static int
check_archive_scope (const char *tname, const char *s, struct error **err)
{
  if (s[0] == '\0')
    return 0;
  if (strcmp (tname, "docker-archive") == 0)
    return error_set (err, EINVAL,
                      "docker-archive scope `%s`: only the default scope \"\" is supported", s);
  _cleanup_free_ char *path = strndup (s, strcspn (s, ":"));
  if (path == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_free_ char *clean = fs_path_clean (path);
  if (path[0] != '/' || strcmp (path, "/") == 0 || clean == NULL || strcmp (clean, path) != 0
      || (strchr (s, ':') && strchr (s, ':')[1] == '\0'))
    return error_set (err, EINVAL,
                      "oci-archive scope `%s`: must be an absolute, clean path other than `/` "
                      "(with an optional `:NAME`)",
                      s);
  return 0;
}

static const char *const known_transports[] = {
  "docker", "docker-archive",     "docker-daemon", "oci", "oci-archive", "dir",
  "atomic", "containers-storage", "ostree",        "sif", "tarball",     NULL,
};

int
trust_policy_parse (const char *data, size_t len, const char *name, struct trust_policy **out,
                    struct error **err)
{
  if (len > TRUST_POLICY_MAX)
    return error_set (err, EFBIG, "policy `%s`: larger than %d bytes", name, TRUST_POLICY_MAX);
  _cleanup_free_ char *what = NULL;
  if (asprintf (&what, "policy `%s`", name) < 0)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_json_ json_object *o = NULL;
  int r = trust_json_parse (data, len, what, &o, err);
  if (r < 0)
    return r;
  static const char *const top_req[] = { "default", NULL };
  static const char *const top_opt[] = { "transports", NULL };
  if ((r = trust_json_fields (o, what, top_req, top_opt, err)) < 0)
    return r;
  struct trust_policy *p = calloc (1, sizeof *p);
  if (p == NULL || (p->name = strdup (name)) == NULL)
    {
      free (p);
      return error_set (err, ENOMEM, "out of memory");
    }
  _cleanup_free_ char *dir = strdup (name);
  json_object *def = NULL, *tr = NULL;
  json_object_object_get_ex (o, "default", &def);
  char w[512];
  snprintf (w, sizeof w, "%s: default", what);
  r = parse_reqs (def, w, dir, &p->def, err);
  if (r == 0 && json_object_object_get_ex (o, "transports", &tr))
    {
      if (!json_object_is_type (tr, json_type_object))
        r = error_set (err, EINVAL, "%s: `transports` is not an object", what);
      else
        {
          json_object_object_foreach (tr, tname, scopes)
          {
            if (!strv_contains ((char **)known_transports, tname))
              {
                r = error_set (err, EINVAL, "%s: unknown transport `%s`", what, tname);
                break;
              }
            if (!json_object_is_type (scopes, json_type_object))
              {
                r = error_set (err, EINVAL, "%s: transport `%s` is not an object", what, tname);
                break;
              }
            bool docker = strcmp (tname, "docker") == 0;
            bool archive
                = strcmp (tname, "docker-archive") == 0 || strcmp (tname, "oci-archive") == 0;
            /* the scope lists hull enforces; other transports are parsed only */
            struct scope **list_p = NULL;
            size_t *n_p = NULL;
            if (docker)
              list_p = &p->docker, n_p = &p->ndocker;
            else if (strcmp (tname, "oci-archive") == 0)
              list_p = &p->ociar, n_p = &p->nociar;
            else if (strcmp (tname, "docker-archive") == 0)
              list_p = &p->dockerar, n_p = &p->ndockerar;
            json_object_object_foreach (scopes, sname, list)
            {
              snprintf (w, sizeof w, "%s: %s scope `%s`", what, tname, sname);
              if ((docker && (r = check_docker_scope (sname, err)) < 0)
                  || (archive && (r = check_archive_scope (tname, sname, err)) < 0))
                {
                  error_prefix (err, "%s", what);
                  break;
                }
              struct reqs rq = { 0 };
              r = parse_reqs (list, w, dir, &rq, err);
              if (r < 0 || list_p == NULL)
                {
                  reqs_clear (&rq);
                  if (r < 0)
                    break;
                  continue;
                }
              struct scope *ns = realloc (*list_p, (*n_p + 1) * sizeof *ns);
              char *sn = strdup (sname);
              if (ns == NULL || sn == NULL)
                {
                  if (ns)
                    *list_p = ns;
                  free (sn);
                  reqs_clear (&rq);
                  r = error_set (err, ENOMEM, "out of memory");
                  break;
                }
              *list_p = ns;
              (*list_p)[(*n_p)++] = (struct scope){ .name = sn, .r = rq };
            }
            if (r < 0)
              break;
          }
        }
    }
  if (r < 0)
    {
      trust_policy_free (p);
      return r;
    }
  *out = p;
  return 0;
}

int
trust_policy_load (const char *path, struct trust_policy **out, struct error **err)
{
  if (path == NULL)
    path = TRUST_DEFAULT_POLICY;
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  int r = fs_read_file (path, TRUST_POLICY_MAX, &data, &len, err);
  if (r < 0)
    return error_prefix (err, "signature policy");
  return trust_policy_parse (data, len, path, out, err);
}

/* ------------------------------------------------------------- evaluate */

static const struct reqs *
find_scope (const struct trust_policy *p, const struct reference *ref, const char **scope)
{
  _cleanup_free_ char *name = reference_name (ref);
  if (name == NULL)
    return NULL;
  const struct scope *best = NULL;
  size_t best_rank = SIZE_MAX;
  /* rank: 0 the full reference, 1 the repository, 2.. shorter namespaces,
   * then wildcards, then "" */
  for (size_t i = 0; i < p->ndocker; i++)
    {
      const char *s = p->docker[i].name;
      size_t rank = SIZE_MAX;
      size_t nl = strlen (name), sl = strlen (s);
      if (s[0] == '\0')
        rank = 100000;
      else if (strncmp (s, "*.", 2) == 0)
        {
          const char *host = ref->domain;
          size_t hl = strlen (host);
          if (strchr (host, ':') == NULL && hl > sl - 1
              && strcmp (host + hl - (sl - 1), s + 1) == 0)
            rank = 50000 - (sl - 1); /* longer suffix is more specific */
        }
      else if (strncmp (s, name, sl) == 0 && sl <= nl)
        {
          if (sl == nl)
            rank = 1;
          else if (name[sl] == '/')
            rank = 2 + (nl - sl);
        }
      else if (strncmp (s, name, nl) == 0 && (s[nl] == ':' || s[nl] == '@'))
        {
          /* "name:tag" or "name@digest" against the reference itself */
          const char *rest = s + nl + 1;
          if ((s[nl] == ':' && ref->tag && !ref->digest && strcmp (rest, ref->tag) == 0)
              || (s[nl] == '@' && ref->digest && strcmp (rest, ref->digest) == 0))
            rank = 0;
        }
      if (rank < best_rank)
        {
          best_rank = rank;
          best = &p->docker[i];
        }
    }
  if (best)
    {
      *scope = best->name;
      return &best->r;
    }
  *scope = NULL;
  return &p->def;
}

struct id_check
{
  const struct ident *id;
  const struct reference *intended;
};

static bool
id_match (const char *signed_identity, void *data, char **why)
{
  const struct id_check *ic = data;
  if (ic->intended == NULL && ic->id->type != ID_EXACT_REFERENCE
      && ic->id->type != ID_EXACT_REPOSITORY)
    {
      /* an archive image without a name: nothing to match the signed one to */
      if (asprintf (why,
                    "cannot be matched (%s): the image has no name in the archive (use "
                    "exactReference or exactRepository)",
                    id_names[ic->id->type])
          < 0)
        *why = NULL;
      return false;
    }
  _cleanup_reference_ struct reference *sig = NULL;
  struct error *e = NULL;
  if (reference_parse (signed_identity, REFERENCE_NO_DEFAULT_TAG, &sig, &e) < 0)
    {
      if (asprintf (why, "is not a valid reference: %s", e->msg) < 0)
        *why = NULL;
      error_free (e);
      return false;
    }
  _cleanup_free_ char *sname = reference_name (sig), *sfull = reference_string (sig);
  _cleanup_reference_ struct reference *remapped = NULL;
  const struct reference *want = ic->intended;
  enum id_type t = ic->id->type;
  if (t == ID_REMAP)
    {
      _cleanup_free_ char *full = reference_string (want);
      size_t pl = strlen (ic->id->a);
      if (full && strncmp (full, ic->id->a, pl) == 0
          && (full[pl] == '\0' || full[pl] == '/' || full[pl] == ':' || full[pl] == '@'))
        {
          _cleanup_free_ char *re = NULL;
          if (asprintf (&re, "%s%s", ic->id->b, full + pl) >= 0
              && reference_parse (re, REFERENCE_NO_DEFAULT_TAG, &remapped, &e) == 0)
            want = remapped;
          error_free (e);
        }
      t = ID_MATCH_REPO_DIGEST_OR_EXACT;
    }
  _cleanup_free_ char *wname = reference_name (want), *wfull = reference_string (want);
  bool ok = false;
  switch (t)
    {
    case ID_MATCH_EXACT:
      ok = wfull && sfull && strcmp (wfull, sfull) == 0;
      break;
    case ID_MATCH_REPO_DIGEST_OR_EXACT:
      if (want->digest)
        ok = wname && sname && strcmp (wname, sname) == 0;
      else
        ok = wfull && sfull && strcmp (wfull, sfull) == 0;
      break;
    case ID_MATCH_REPOSITORY:
      ok = wname && sname && strcmp (wname, sname) == 0;
      break;
    case ID_EXACT_REFERENCE:
      ok = sfull && strcmp (sfull, ic->id->a) == 0;
      break;
    case ID_EXACT_REPOSITORY:
      ok = sname && strcmp (sname, ic->id->a) == 0;
      break;
    case ID_REMAP:
      break;
    }
  if (!ok
      && asprintf (why, "does not match `%s` (%s)",
                   ic->id->type == ID_EXACT_REFERENCE || ic->id->type == ID_EXACT_REPOSITORY
                       ? ic->id->a
                       : (wfull ? wfull : "?"),
                   id_names[ic->id->type])
             < 0)
    *why = NULL;
  return ok;
}

static int
load_keys (const struct req *q, struct trust_key ***keys, size_t *n, struct error **err)
{
  size_t cap = strv_len (q->key_paths) + (q->key_data ? 1 : 0);
  *keys = calloc (cap ? cap : 1, sizeof **keys);
  *n = 0;
  if (*keys == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (char **p = q->key_paths; p && *p; p++)
    {
      int r = trust_key_load_public_file (*p, &(*keys)[*n], err);
      if (r < 0)
        return r;
      (*n)++;
    }
  if (q->key_data)
    {
      int r = trust_key_load_public (q->key_data, q->key_data_len, "keyData", &(*keys)[*n], err);
      if (r < 0)
        return r;
      (*n)++;
    }
  return 0;
}

/* What a requirement list is evaluated for. */
struct target
{
  const char *display;              /* for messages */
  const struct reference *intended; /* for signedIdentity; NULL: no name */
  const char *digest;
  struct registry_client *c;             /* registry: its signatures */
  const struct trust_archive_sigs *sigs; /* oci-archive: its signatures */
  bool no_signatures;                    /* docker-archive: no place for them */
};

static int
evaluate (const struct trust_policy *p, const struct reqs *rq, const char *where,
          const struct target *t, char **summary, struct error **err)
{
  const char *full = t->display;
  _cleanup_free_ char *done = NULL;
  for (size_t i = 0; i < rq->n; i++)
    {
      const struct req *q = &rq->v[i];
      switch (q->type)
        {
        case REQ_ACCEPT:
          continue;
        case REQ_REJECT:
          return error_set (err, EPERM, "`%s` rejected by policy `%s` (%s): reject", full, p->name,
                            where);
        case REQ_SIGNED_BY:
          return error_set (err, EPERM,
                            "`%s` rejected by policy `%s` (%s): signedBy (GPG simple signing) "
                            "requirements are not supported",
                            full, p->name, where);
        case REQ_SIGSTORE:
          break;
        }
      if (q->fulcio)
        return error_set (err, EPERM,
                          "`%s` rejected by policy `%s` (%s): keyless (fulcio) requirements "
                          "are not supported",
                          full, p->name, where);
      if (q->rekor)
        return error_set (err, EPERM,
                          "`%s` rejected by policy `%s` (%s): Rekor transparency-log "
                          "requirements are not supported",
                          full, p->name, where);
      if (t->no_signatures)
        return error_set (err, EPERM,
                          "`%s` rejected by policy `%s` (%s): sigstoreSigned, and a docker "
                          "archive cannot carry signatures (use an OCI archive)",
                          full, p->name, where);
      struct trust_key **keys = NULL;
      size_t nkeys = 0;
      int r = load_keys (q, &keys, &nkeys, err);
      struct trust_result *res = NULL;
      struct id_check ic = { .id = &q->id, .intended = t->intended };
      if (r == 0)
        {
          struct trust_verify_opts o = { .keys = keys,
                                         .nkeys = nkeys,
                                         .identity = id_match,
                                         .identity_data = &ic,
                                         .stop_at_first = true };
          if (t->sigs)
            r = trust_verify_archive (t->sigs, t->digest, &o, &res, err);
          else if (t->c)
            r = trust_verify_image (t->c, t->digest, &o, &res, err);
          else
            r = error_set (err, EINVAL, "no signatures to look at");
        }
      for (size_t k = 0; k < nkeys; k++)
        trust_key_free (keys[k]);
      free (keys);
      if (r < 0)
        {
          error_prefix (err, "`%s` rejected by policy `%s` (%s)", full, p->name, where);
          return -EPERM;
        }
      if (res->nok == 0)
        {
          _cleanup_free_ char *why = trust_result_reason (res);
          trust_result_free (res);
          return error_set (err, EPERM, "`%s` rejected by policy `%s` (%s): %s", full, p->name,
                            where, why ? why : "no valid signature");
        }
      char *d2 = NULL;
      if (asprintf (&d2, "%s%s%s signature by `%s` (%s)", done ? done : "", done ? "; " : "",
                    trust_format_name (res->ok[0].format), res->ok[0].key, id_names[q->id.type])
          >= 0)
        {
          free (done);
          done = d2;
        }
      trust_result_free (res);
    }
  if (summary)
    {
      if (asprintf (summary, "policy `%s` (%s): %s", p->name, where,
                    done ? done : "insecureAcceptAnything")
          < 0)
        *summary = NULL;
    }
  return 0;
}

int
trust_policy_check (const struct trust_policy *p, const struct reference *ref, const char *digest,
                    struct registry_client *c, char **summary, struct error **err)
{
  _cleanup_free_ char *full = reference_string (ref);
  if (full == NULL)
    return error_set (err, ENOMEM, "out of memory");
  const char *scope = NULL;
  const struct reqs *rq = find_scope (p, ref, &scope);
  if (rq == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char where[300];
  if (scope)
    snprintf (where, sizeof where, "scope `%s`", scope[0] ? scope : "docker default");
  else
    snprintf (where, sizeof where, "default");
  struct target t = { .display = full, .intended = ref, .digest = digest, .c = c };
  return evaluate (p, rq, where, &t, summary, err);
}

/* oci-archive scopes, most specific first: "PATH:NAME", "PATH", each parent
 * directory (longer first), then "". */
static const struct scope *
find_archive_scope (const struct scope *v, size_t n, const char *path, const char *name)
{
  const struct scope *best = NULL;
  size_t best_rank = SIZE_MAX;
  size_t pl = path ? strlen (path) : 0;
  for (size_t i = 0; i < n; i++)
    {
      const char *s = v[i].name;
      size_t sl = strlen (s), rank = SIZE_MAX;
      if (s[0] == '\0')
        rank = SIZE_MAX - 1;
      else if (path && strncmp (s, path, pl) == 0 && s[pl] == ':')
        {
          if (name && strcmp (s + pl + 1, name) == 0)
            rank = 0;
        }
      else if (path && strcmp (s, path) == 0)
        rank = 1;
      else if (path && sl < pl && strncmp (s, path, sl) == 0 && path[sl] == '/')
        rank = 2 + (pl - sl);
      if (rank < best_rank)
        {
          best_rank = rank;
          best = &v[i];
        }
    }
  return best;
}

int
trust_policy_check_archive (const struct trust_policy *p, const struct trust_archive_image *img,
                            char **summary, struct error **err)
{
  bool oci = img->transport == TRUST_OCI_ARCHIVE;
  const char *tname = oci ? "oci-archive" : "docker-archive";
  /* the name the image is stored under is what a signature must be for */
  _cleanup_reference_ struct reference *ref = NULL;
  if (img->name)
    {
      struct error *e = NULL;
      if (reference_parse (img->name, 0, &ref, &e) < 0 || ref->digest)
        {
          reference_free (ref);
          ref = NULL;
        }
      error_free (e);
    }
  _cleanup_free_ char *full = ref ? reference_string (ref) : NULL;
  char display[512];
  snprintf (display, sizeof display, "%s",
            full          ? full
            : img->name   ? img->name
            : img->digest ? img->digest
                          : "unnamed image");
  /* scopes name the archive by its absolute path, symlinks resolved */
  _cleanup_free_ char *path = NULL;
  if (img->path && (path = realpath (img->path, NULL)) == NULL)
    return error_errno (err, errno, "archive `%s`", img->path);
  const struct scope *sc = oci ? find_archive_scope (p->ociar, p->nociar, path, img->name)
                               : find_archive_scope (p->dockerar, p->ndockerar, NULL, NULL);
  char where[600];
  if (sc)
    snprintf (where, sizeof where, "%s scope `%s`", tname, sc->name[0] ? sc->name : "default");
  else
    snprintf (where, sizeof where, "default");
  struct target t = {
    .display = display,
    .intended = ref,
    .digest = img->digest,
    .sigs = oci ? img->sigs : NULL,
    .no_signatures = !oci,
  };
  static const struct trust_archive_sigs none = { 0 };
  if (oci && t.sigs == NULL)
    t.sigs = &none;
  if (oci && img->digest == NULL)
    return error_set (err, EINVAL, "`%s`: no manifest digest to check", display);
  return evaluate (p, sc ? &sc->r : &p->def, where, &t, summary, err);
}
