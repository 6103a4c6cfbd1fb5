/* sbom.c - package URLs and SBOM documents (CycloneDX 1.5, SPDX 2.3, JSON). */
#include "scan/internal.h"

#include "config.h"

#include "base/cleanup.h"
#include "base/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Percent-encode what a purl component may not hold as is. */
static void
pct (FILE *f, const char *s, bool keep_slash)
{
  for (; *s; s++)
    {
      unsigned char c = (unsigned char)*s;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || strchr (".-_~", c) || (keep_slash && c == '/'))
        fputc (c, f);
      else
        fprintf (f, "%%%02X", c);
    }
}

char *
scan_pkg_purl (const struct scan_pkg *p, const struct scan_os *os)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (!f)
    return NULL;
  switch (p->type)
    {
    case SCAN_PKG_DEB:
    case SCAN_PKG_APK:
      fprintf (f, "pkg:%s/", p->type == SCAN_PKG_DEB ? "deb" : "apk");
      pct (f, os->id ? os->id : (p->type == SCAN_PKG_DEB ? "debian" : "alpine"), false);
      fputc ('/', f);
      pct (f, p->name, false);
      break;
    case SCAN_PKG_PYTHON:
      {
        _cleanup_free_ char *n = scan_python_normalize (p->name);
        fputs ("pkg:pypi/", f);
        pct (f, n ? n : p->name, false);
        break;
      }
    case SCAN_PKG_NPM:
      fputs ("pkg:npm/", f);
      pct (f, p->name, true);
      break;
    }
  fputc ('@', f);
  pct (f, p->version, false);
  if (p->type == SCAN_PKG_DEB || p->type == SCAN_PKG_APK)
    {
      char sep = '?';
      if (p->arch)
        {
          fputs ("?arch=", f);
          pct (f, p->arch, false);
          sep = '&';
        }
      if (os->id && os->version_id)
        {
          fprintf (f, "%cdistro=", sep);
          pct (f, os->id, false);
          fputc ('-', f);
          pct (f, os->version_id, false);
        }
    }
  if (fclose (f) != 0)
    {
      free (buf);
      return NULL;
    }
  return buf;
}

static void
put_str (json_object *o, const char *k, const char *v)
{
  if (v)
    json_object_object_add (o, k, json_object_new_string (v));
}

static void
iso_now (char out[32])
{
  time_t t = time (NULL);
  struct tm tm;
  gmtime_r (&t, &tm);
  strftime (out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
uuid (char out[37])
{
  unsigned char b[16] = { 0 };
  if (getrandom (b, sizeof b, 0) != (ssize_t)sizeof b)
    {
      struct timespec ts;
      clock_gettime (CLOCK_REALTIME, &ts);
      memcpy (b, &ts, sizeof ts < sizeof b ? sizeof ts : sizeof b);
    }
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  snprintf (out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
            b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
            b[15]);
}

static void
prop (json_object *props, const char *name, const char *value)
{
  if (!value)
    return;
  json_object *p = json_object_new_object ();
  put_str (p, "name", name);
  put_str (p, "value", value);
  json_object_array_add (props, p);
}

static char *
finish (json_object *doc)
{
  const char *s = json_object_to_json_string_ext (
      doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
  char *out = s ? strdup (s) : NULL;
  json_object_put (doc);
  return out;
}

/* The CycloneDX component of a package (shared with the scan report). */
json_object *scan_cdx_component (const struct scan_pkg *p, const struct scan_os *os);
json_object *
scan_cdx_component (const struct scan_pkg *p, const struct scan_os *os)
{
  json_object *c = json_object_new_object ();
  _cleanup_free_ char *purl = scan_pkg_purl (p, os);
  put_str (c, "bom-ref", purl);
  put_str (c, "type", "library");
  put_str (c, "name", p->name);
  put_str (c, "version", p->version);
  put_str (c, "purl", purl);
  if (p->licenses)
    {
      json_object *ls = json_object_new_array (), *l = json_object_new_object ();
      json_object *lic = json_object_new_object ();
      put_str (lic, "name", p->licenses);
      json_object_object_add (l, "license", lic);
      json_object_array_add (ls, l);
      json_object_object_add (c, "licenses", ls);
    }
  json_object *props = json_object_new_array ();
  prop (props, "hull:PkgType", scan_pkg_type_name (p->type));
  prop (props, "hull:SrcName", p->src_name);
  prop (props, "hull:SrcVersion", p->src_version);
  prop (props, "hull:FilePath", p->path);
  prop (props, "hull:LayerDiffID", p->layer);
  if (p->drift)
    prop (props, "hull:Drift", "true");
  json_object_object_add (c, "properties", props);
  return c;
}

json_object *scan_cdx_document (const struct scan_inventory *inv, const char *name,
                                json_object **components);
json_object *
scan_cdx_document (const struct scan_inventory *inv, const char *name, json_object **components)
{
  char now[32], id[37];
  iso_now (now);
  uuid (id);
  json_object *doc = json_object_new_object ();
  put_str (doc, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
  put_str (doc, "bomFormat", "CycloneDX");
  put_str (doc, "specVersion", "1.5");
  char serial[64];
  snprintf (serial, sizeof serial, "urn:uuid:%s", id);
  put_str (doc, "serialNumber", serial);
  json_object_object_add (doc, "version", json_object_new_int (1));
  json_object *meta = json_object_new_object ();
  put_str (meta, "timestamp", now);
  json_object *tools = json_object_new_object (), *tc = json_object_new_array ();
  json_object *tool = json_object_new_object ();
  put_str (tool, "type", "application");
  put_str (tool, "name", "hull");
  put_str (tool, "version", HULL_VERSION);
  json_object_array_add (tc, tool);
  json_object_object_add (tools, "components", tc);
  json_object_object_add (meta, "tools", tools);
  json_object *subject = json_object_new_object ();
  put_str (subject, "bom-ref", "subject");
  put_str (subject, "type", "container");
  put_str (subject, "name", name);
  json_object_object_add (meta, "component", subject);
  json_object_object_add (doc, "metadata", meta);
  json_object *comps = json_object_new_array ();
  if (inv && inv->os.id)
    {
      json_object *o = json_object_new_object ();
      put_str (o, "bom-ref", "os");
      put_str (o, "type", "operating-system");
      put_str (o, "name", inv->os.id);
      put_str (o, "version", inv->os.version_id);
      put_str (o, "description", inv->os.pretty);
      json_object_array_add (comps, o);
    }
  for (size_t i = 0; inv && i < inv->n_pkgs; i++)
    json_object_array_add (comps, scan_cdx_component (&inv->pkgs[i], &inv->os));
  json_object_object_add (doc, "components", comps);
  if (components)
    *components = comps;
  return doc;
}

char *
scan_sbom_cyclonedx (const struct scan_inventory *inv, const char *name)
{
  return finish (scan_cdx_document (inv, name, NULL));
}

char *
scan_sbom_spdx (const struct scan_inventory *inv, const char *name)
{
  char now[32], id[37];
  iso_now (now);
  uuid (id);
  json_object *doc = json_object_new_object ();
  put_str (doc, "spdxVersion", "SPDX-2.3");
  put_str (doc, "dataLicense", "CC0-1.0");
  put_str (doc, "SPDXID", "SPDXRef-DOCUMENT");
  put_str (doc, "name", name);
  char ns[128];
  snprintf (ns, sizeof ns, "urn:uuid:%s", id);
  put_str (doc, "documentNamespace", ns);
  json_object *ci = json_object_new_object ();
  put_str (ci, "created", now);
  json_object *creators = json_object_new_array ();
  json_object_array_add (creators, json_object_new_string ("Tool: hull-" HULL_VERSION));
  json_object_object_add (ci, "creators", creators);
  json_object_object_add (doc, "creationInfo", ci);
  json_object *pkgs = json_object_new_array (), *rels = json_object_new_array ();
  json_object *root = json_object_new_object ();
  put_str (root, "name", name);
  put_str (root, "SPDXID", "SPDXRef-Subject");
  put_str (root, "downloadLocation", "NOASSERTION");
  put_str (root, "primaryPackagePurpose", "CONTAINER");
  json_object_array_add (pkgs, root);
  json_object *r = json_object_new_object ();
  put_str (r, "spdxElementId", "SPDXRef-DOCUMENT");
  put_str (r, "relationshipType", "DESCRIBES");
  put_str (r, "relatedSpdxElement", "SPDXRef-Subject");
  json_object_array_add (rels, r);
  for (size_t i = 0; i < inv->n_pkgs; i++)
    {
      const struct scan_pkg *p = &inv->pkgs[i];
      json_object *o = json_object_new_object ();
      char sid[48];
      snprintf (sid, sizeof sid, "SPDXRef-Package-%zu", i + 1);
      put_str (o, "name", p->name);
      put_str (o, "SPDXID", sid);
      put_str (o, "versionInfo", p->version);
      put_str (o, "downloadLocation", "NOASSERTION");
      put_str (o, "licenseConcluded", "NOASSERTION");
      put_str (o, "licenseDeclared", "NOASSERTION");
      if (p->licenses)
        put_str (o, "licenseComments", p->licenses);
      if (p->src_name || p->src_version)
        {
          char *src = NULL;
          if (asprintf (&src, "built package from: %s %s", p->src_name ? p->src_name : p->name,
                        p->src_version ? p->src_version : p->version)
              >= 0)
            put_str (o, "sourceInfo", src);
          free (src);
        }
      _cleanup_free_ char *purl = scan_pkg_purl (p, &inv->os);
      json_object *refs = json_object_new_array (), *ref = json_object_new_object ();
      put_str (ref, "referenceCategory", "PACKAGE-MANAGER");
      put_str (ref, "referenceType", "purl");
      put_str (ref, "referenceLocator", purl);
      json_object_array_add (refs, ref);
      json_object_object_add (o, "externalRefs", refs);
      char *attr = NULL;
      if (asprintf (&attr, "%s%s%s", p->path ? p->path : "", p->layer ? " layer " : "",
                    p->layer ? p->layer : "")
          >= 0)
        put_str (o, "comment", attr);
      free (attr);
      if (p->drift)
        put_str (o, "summary", "drift: added or changed in the container");
      json_object_array_add (pkgs, o);
      json_object *c = json_object_new_object ();
      put_str (c, "spdxElementId", "SPDXRef-Subject");
      put_str (c, "relationshipType", "CONTAINS");
      put_str (c, "relatedSpdxElement", sid);
      json_object_array_add (rels, c);
    }
  json_object_object_add (doc, "packages", pkgs);
  json_object_object_add (doc, "relationships", rels);
  return finish (doc);
}
