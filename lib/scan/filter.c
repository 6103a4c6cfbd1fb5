/* filter.c - findings suppressed with a recorded reason: an ignore file
 * (Trivy's .trivyignore: one vulnerability id per line, '#' comments; a
 * comment on the line or on the lines just above is the reason) and
 * OpenVEX documents (statements with status not_affected or fixed; the
 * justification or impact statement is the reason).
 *
 * A rule names a vulnerability by any of its ids (the CVE, the advisory's
 * own id, an alias).  A VEX statement applies to a package when one of its
 * products (or their subcomponents) is the package's purl (a purl without
 * a version matches every version), or when it names no purl at all.
 */
#include "scan/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILTER_FILE_MAX (16u << 20)
#define FILTER_RULES_MAX 100000

struct rule
{
  char *id;
  char **purls; /* NULL: any package */
  char *status; /* "ignored", "not_affected", "fixed" */
  char *reason;
  char *source; /* "ignorefile F", "vex F" */
};

struct scan_filter
{
  struct rule *r;
  size_t n;
};

int
scan_filter_new (struct scan_filter **out)
{
  *out = calloc (1, sizeof **out);
  return *out ? 0 : -ENOMEM;
}

void
scan_filter_free (struct scan_filter *f)
{
  if (!f)
    return;
  for (size_t i = 0; i < f->n; i++)
    {
      free (f->r[i].id);
      strv_free (f->r[i].purls);
      free (f->r[i].status);
      free (f->r[i].reason);
      free (f->r[i].source);
    }
  free (f->r);
  free (f);
}

static int
add_rule (struct scan_filter *f, const char *id, char **purls, const char *status,
          const char *reason, const char *source, struct error **err)
{
  if (f->n >= FILTER_RULES_MAX)
    {
      strv_free (purls);
      return error_set (err, E2BIG, "more than %d suppression rules", FILTER_RULES_MAX);
    }
  struct rule *n = realloc (f->r, (f->n + 1) * sizeof *n);
  if (!n)
    {
      strv_free (purls);
      return error_errno (err, ENOMEM, "rules");
    }
  f->r = n;
  struct rule *r = &f->r[f->n];
  r->id = strdup (id);
  r->purls = purls;
  r->status = strdup (status);
  r->reason = reason && *reason ? strdup (reason) : NULL;
  r->source = strdup (source);
  f->n++;
  if (!r->id || !r->status || !r->source)
    return error_errno (err, ENOMEM, "rules");
  return 0;
}

static char *
trim (char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen (s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    s[--n] = 0;
  return s;
}

int
scan_filter_load_ignorefile (struct scan_filter *f, const char *path, struct error **err)
{
  _cleanup_free_ char *data = NULL;
  size_t len;
  int r = fs_read_file (path, FILTER_FILE_MAX, &data, &len, err);
  if (r < 0)
    return error_prefix (err, "ignore file");
  _cleanup_free_ char *src = NULL, *comment = NULL;
  if (asprintf (&src, "ignorefile %s", path) < 0)
    return error_errno (err, ENOMEM, "ignore file");
  size_t line = 0;
  char *save = NULL;
  for (char *l = data; l; l = save)
    {
      save = strchr (l, '\n');
      if (save)
        *save++ = 0;
      line++;
      char *t = trim (l);
      if (*t == 0)
        {
          free (comment);
          comment = NULL;
          continue;
        }
      if (*t == '#')
        {
          /* comment lines above an id are its reason */
          char *c = trim (t + 1), *joined = NULL;
          if (asprintf (&joined, "%s%s%s", comment ? comment : "", comment ? " " : "", c) < 0)
            return error_errno (err, ENOMEM, "ignore file");
          free (comment);
          comment = joined;
          continue;
        }
      char *hash = strchr (t, '#');
      char *reason = NULL;
      if (hash)
        {
          *hash = 0;
          reason = trim (hash + 1);
        }
      char *id = trim (t);
      /* Trivy's "exp:YYYY-MM-DD" and other words after the id are not ours */
      char *sp = strpbrk (id, " \t");
      if (sp)
        *sp = 0;
      if (strlen (id) > 256
          || strspn (id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789-_.:")
                 != strlen (id))
        return error_set (err, EINVAL, "ignore file `%s`:%zu: `%.64s` is not a vulnerability id",
                          path, line, id);
      r = add_rule (f, id, NULL, "ignored", reason && *reason ? reason : comment, src, err);
      if (r < 0)
        return r;
      free (comment);
      comment = NULL;
    }
  return 0;
}

static const char *
jget_str (json_object *o, const char *k)
{
  json_object *v;
  if (!json_object_is_type (o, json_type_object) || !json_object_object_get_ex (o, k, &v)
      || !json_object_is_type (v, json_type_string))
    return NULL;
  return json_object_get_string (v);
}

/* A product: "purl" or { "@id": purl, "identifiers": { "purl": ...},
 * "subcomponents": [...] }; purls collected into *purls, *other set when
 * something that is not a purl is named (an image, say). */
static void
product_purls (json_object *p, char ***purls, bool *other, int depth)
{
  if (depth > 4)
    return;
  const char *id = json_object_is_type (p, json_type_string) ? json_object_get_string (p)
                                                             : jget_str (p, "@id");
  json_object *idents = NULL, *subs = NULL;
  if (json_object_is_type (p, json_type_object))
    {
      json_object_object_get_ex (p, "identifiers", &idents);
      json_object_object_get_ex (p, "subcomponents", &subs);
    }
  const char *ip = jget_str (idents, "purl");
  if (ip)
    strv_push (purls, ip);
  if (id && strncmp (id, "pkg:", 4) == 0)
    strv_push (purls, id);
  else if (id && !ip)
    *other = true;
  if (json_object_is_type (subs, json_type_array))
    {
      /* subcomponents narrow the statement to those packages */
      size_t before = strv_len (*purls);
      for (size_t i = 0; i < json_object_array_length (subs); i++)
        product_purls (json_object_array_get_idx (subs, i), purls, other, depth + 1);
      if (strv_len (*purls) > before)
        *other = false;
    }
}

int
scan_filter_parse_vex (struct scan_filter *f, const char *data, size_t len, const char *path,
                       struct error **err)
{
  _cleanup_json_ json_object *doc = NULL;
  int r = jsonx_parse (data, len, &doc, err);
  if (r < 0)
    return error_prefix (err, "VEX `%s`", path);
  json_object *stmts;
  if (!json_object_is_type (doc, json_type_object)
      || !json_object_object_get_ex (doc, "statements", &stmts)
      || !json_object_is_type (stmts, json_type_array))
    return error_set (err, EINVAL, "VEX `%s`: not an OpenVEX document (no `statements` array)",
                      path);
  _cleanup_free_ char *src = NULL;
  if (asprintf (&src, "vex %s", path) < 0)
    return error_errno (err, ENOMEM, "VEX");
  for (size_t i = 0; i < json_object_array_length (stmts); i++)
    {
      json_object *s = json_object_array_get_idx (stmts, i), *vuln = NULL, *prods = NULL;
      const char *status = jget_str (s, "status");
      if (!status)
        return error_set (err, EINVAL, "VEX `%s`: `statements[%zu].status`: missing", path, i);
      if (strcmp (status, "not_affected") != 0 && strcmp (status, "fixed") != 0
          && strcmp (status, "affected") != 0 && strcmp (status, "under_investigation") != 0)
        return error_set (err, EINVAL, "VEX `%s`: `statements[%zu].status`: unknown `%s`", path, i,
                          status);
      if (strcmp (status, "not_affected") != 0 && strcmp (status, "fixed") != 0)
        continue; /* these keep the finding */
      json_object_object_get_ex (s, "vulnerability", &vuln);
      /* OpenVEX 0.2: {"name": id, "aliases": [...]}; 0.0.x: a string */
      _cleanup_strv_ char **ids = NULL;
      if (json_object_is_type (vuln, json_type_string))
        strv_push (&ids, json_object_get_string (vuln));
      else if (jget_str (vuln, "name"))
        {
          strv_push (&ids, jget_str (vuln, "name"));
          json_object *al;
          if (json_object_object_get_ex (vuln, "aliases", &al)
              && json_object_is_type (al, json_type_array))
            for (size_t j = 0; j < json_object_array_length (al); j++)
              if (json_object_is_type (json_object_array_get_idx (al, j), json_type_string))
                strv_push (&ids, json_object_get_string (json_object_array_get_idx (al, j)));
        }
      if (!ids)
        return error_set (err, EINVAL, "VEX `%s`: `statements[%zu].vulnerability`: missing", path,
                          i);
      char **purls = NULL;
      bool other = false;
      if (json_object_object_get_ex (s, "products", &prods)
          && json_object_is_type (prods, json_type_array))
        for (size_t j = 0; j < json_object_array_length (prods); j++)
          product_purls (json_object_array_get_idx (prods, j), &purls, &other, 0);
      if (other)
        {
          /* a product that is not a package (the image itself) covers all */
          strv_free (purls);
          purls = NULL;
        }
      const char *reason = jget_str (s, "impact_statement");
      if (!reason)
        reason = jget_str (s, "justification");
      if (!reason)
        reason = jget_str (s, "status_notes");
      for (size_t j = 0; ids[j]; j++)
        {
          r = add_rule (f, ids[j], strv_dup (purls), status, reason, src, err);
          if (r < 0)
            {
              strv_free (purls);
              return r;
            }
        }
      strv_free (purls);
    }
  return 0;
}

int
scan_filter_load_vex (struct scan_filter *f, const char *path, struct error **err)
{
  _cleanup_free_ char *data = NULL;
  size_t len;
  int r = fs_read_file (path, FILTER_FILE_MAX, &data, &len, err);
  if (r < 0)
    return error_prefix (err, "VEX");
  return scan_filter_parse_vex (f, data, len, path, err);
}

/* purl a (a rule's) matches package purl b: same type/namespace/name, and
 * the same version when a has one; qualifiers are not compared. */
static bool
purl_matches (const char *rule, const char *pkg)
{
  size_t rl = strcspn (rule, "?#"), pl = strcspn (pkg, "?#");
  const char *rat = memchr (rule, '@', rl);
  if (rat)
    return rl == pl && strncmp (rule, pkg, rl) == 0;
  const char *pat = memchr (pkg, '@', pl);
  size_t pn = pat ? (size_t)(pat - pkg) : pl;
  return rl == pn && strncmp (rule, pkg, rl) == 0;
}

static bool
names (const struct scan_finding *f, const char *id)
{
  return strcmp (f->vuln_id, id) == 0 || strcmp (f->advisory_id, id) == 0
         || strv_contains (f->aliases, id);
}

void
scan_filter_apply (const struct scan_filter *flt, const struct scan_inventory *inv,
                   struct scan_result *res)
{
  if (!flt)
    return;
  for (size_t i = 0; i < res->n; i++)
    {
      struct scan_finding *f = &res->f[i];
      if (f->suppressed_by)
        continue;
      _cleanup_free_ char *purl = NULL;
      for (size_t k = 0; k < flt->n && !f->suppressed_by; k++)
        {
          const struct rule *r = &flt->r[k];
          if (!names (f, r->id))
            continue;
          if (r->purls)
            {
              if (!purl)
                purl = scan_pkg_purl (&inv->pkgs[f->pkg], &inv->os);
              bool any = false;
              for (size_t j = 0; purl && r->purls[j] && !any; j++)
                any = purl_matches (r->purls[j], purl);
              if (!any)
                continue;
            }
          f->suppressed_by = strdup (r->source);
          f->suppress_status = strdup (r->status);
          f->suppress_reason = r->reason ? strdup (r->reason) : NULL;
        }
    }
}
