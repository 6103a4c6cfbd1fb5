#include "manifest.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#define STR_MAX 4096      /* any one string we keep from a manifest */
#define CONFIG_LIST_MAX 10000

/* -------------------------------------------------------------- platform */

void
platform_clear (struct platform *p)
{
  free (p->os);
  free (p->architecture);
  free (p->variant);
  p->os = p->architecture = p->variant = NULL;
}

static bool
platform_word_ok (const char *s)
{
  if (*s == '\0' || *s == '.' || strlen (s) > 64)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'
          || *s == '.'))
      return false;
  return true;
}

int
platform_parse (const char *s, struct platform *out, struct error **err)
{
  _cleanup_free_ char *copy = strdup (s);
  if (copy == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char *parts[4] = { 0 };
  int n = 0;
  char *save = NULL;
  for (char *t = strtok_r (copy, "/", &save); t; t = strtok_r (NULL, "/", &save))
    {
      if (n == 3 || !platform_word_ok (t))
        return error_set (err, EINVAL, "invalid platform `%s`: expected os/arch[/variant]", s);
      parts[n++] = t;
    }
  if (n == 0)
    return error_set (err, EINVAL, "invalid platform `%s`: expected os/arch[/variant]", s);
  struct platform p = { 0 };
  if (n == 1)
    {
      p.os = strdup ("linux");
      p.architecture = strdup (parts[0]);
    }
  else
    {
      p.os = strdup (parts[0]);
      p.architecture = strdup (parts[1]);
      if (n == 3)
        p.variant = strdup (parts[2]);
    }
  if (!p.os || !p.architecture || (n == 3 && !p.variant))
    {
      platform_clear (&p);
      return error_set (err, ENOMEM, "out of memory");
    }
  /* the usual aliases */
  if (strcmp (p.architecture, "x86_64") == 0 || strcmp (p.architecture, "x86-64") == 0)
    {
      free (p.architecture);
      p.architecture = strdup ("amd64");
    }
  else if (strcmp (p.architecture, "aarch64") == 0)
    {
      free (p.architecture);
      p.architecture = strdup ("arm64");
    }
  *out = p;
  return 0;
}

int
platform_host (struct platform *out)
{
  struct utsname u;
  const char *arch = "amd64", *variant = NULL;
  if (uname (&u) == 0)
    {
      const char *m = u.machine;
      if (strcmp (m, "x86_64") == 0)
        arch = "amd64";
      else if (strcmp (m, "aarch64") == 0)
        arch = "arm64", variant = "v8";
      else if (strncmp (m, "armv7", 5) == 0)
        arch = "arm", variant = "v7";
      else if (strncmp (m, "armv6", 5) == 0)
        arch = "arm", variant = "v6";
      else if (m[0] == 'i' && strcmp (m + 2, "86") == 0)
        arch = "386";
      else
        arch = m; /* ppc64le, s390x, riscv64 are spelled alike */
    }
  out->os = strdup ("linux");
  out->architecture = strdup (arch);
  out->variant = variant ? strdup (variant) : NULL;
  if (!out->os || !out->architecture || (variant && !out->variant))
    {
      platform_clear (out);
      return -ENOMEM;
    }
  return 0;
}

char *
platform_string (const struct platform *p)
{
  char *s = NULL;
  if (asprintf (&s, "%s/%s%s%s", p->os ? p->os : "?", p->architecture ? p->architecture : "?",
                p->variant ? "/" : "", p->variant ? p->variant : "")
      < 0)
    return NULL;
  return s;
}

/* -------------------------------------------------------------- manifest */

static void
descriptor_clear (struct descriptor *d)
{
  free (d->media_type);
  free (d->digest);
  platform_clear (&d->platform);
}

void
manifest_free (struct manifest *m)
{
  if (m == NULL)
    return;
  free (m->media_type);
  descriptor_clear (&m->config);
  for (size_t i = 0; i < m->nlayers; i++)
    descriptor_clear (&m->layers[i]);
  free (m->layers);
  for (size_t i = 0; i < m->nmanifests; i++)
    descriptor_clear (&m->manifests[i]);
  free (m->manifests);
  free (m);
}

static int
get_str (json_object *o, const char *key, bool required, char **out, struct error **err)
{
  const char *v = NULL;
  int r = jsonx_get_string (o, key, &v, err);
  if (r < 0)
    return r;
  if (r == 0)
    {
      if (required)
        return error_set (err, EINVAL, "`%s` is missing", key);
      return 0;
    }
  if (strlen (v) > STR_MAX)
    return error_set (err, EINVAL, "`%s` is too long", key);
  *out = strdup (v);
  return *out ? 1 : error_set (err, ENOMEM, "out of memory");
}

static int
parse_descriptor (json_object *o, struct descriptor *d, struct error **err)
{
  if (o == NULL || json_object_get_type (o) != json_type_object)
    return error_set (err, EINVAL, "a descriptor must be an object");
  int r = get_str (o, "mediaType", true, &d->media_type, err);
  if (r < 0)
    return r;
  r = get_str (o, "digest", true, &d->digest, err);
  if (r < 0)
    return r;
  if (!digest_valid (d->digest))
    return error_set (err, EINVAL, "invalid digest `%.80s`", d->digest);
  r = jsonx_get_int64 (o, "size", &d->size, err);
  if (r < 0)
    return r;
  if (r == 0)
    return error_set (err, EINVAL, "`size` is missing");
  if (d->size < 0)
    return error_set (err, EINVAL, "negative size");
  json_object *p;
  r = jsonx_get_object (o, "platform", &p, err);
  if (r < 0)
    return r;
  if (r == 1)
    {
      d->has_platform = true;
      if ((r = get_str (p, "os", true, &d->platform.os, err)) < 0
          || (r = get_str (p, "architecture", true, &d->platform.architecture, err)) < 0
          || (r = get_str (p, "variant", false, &d->platform.variant, err)) < 0)
        return error_prefix (err, "platform");
    }
  return 0;
}

static bool
layer_type_ok (const char *mt)
{
  static const char *const ok[] = {
    MT_OCI_LAYER, MT_OCI_LAYER_GZIP, MT_OCI_LAYER_ZSTD, MT_DOCKER_LAYER_GZIP,
    "application/vnd.docker.image.rootfs.diff.tar", /* seen in the wild */
  };
  for (size_t i = 0; i < ARRAY_SIZE (ok); i++)
    if (strcmp (mt, ok[i]) == 0)
      return true;
  return false;
}

static bool
is_manifest_type (const char *mt)
{
  return strcmp (mt, MT_OCI_MANIFEST) == 0 || strcmp (mt, MT_DOCKER_MANIFEST) == 0;
}

static bool
is_index_type (const char *mt)
{
  return strcmp (mt, MT_OCI_INDEX) == 0 || strcmp (mt, MT_DOCKER_LIST) == 0;
}

static bool
is_schema1 (const char *mt)
{
  return str_has_prefix (mt, "application/vnd.docker.distribution.manifest.v1+");
}

static int
parse_manifest_doc (json_object *doc, const char *hint, struct manifest *m, struct error **err)
{
  if (json_object_get_type (doc) != json_type_object)
    return error_set (err, EINVAL, "not a JSON object");
  int64_t sv = 0;
  int r = jsonx_get_int64 (doc, "schemaVersion", &sv, err);
  if (r < 0)
    return r;
  const char *mt = NULL;
  r = jsonx_get_string (doc, "mediaType", &mt, err);
  if (r < 0)
    return r;
  if (sv == 1 || (mt && is_schema1 (mt)) || (hint && is_schema1 (hint)))
    return error_set (err, ENOTSUP, "Docker schema1 manifests are not supported");
  if (r == 1 && hint && strcmp (hint, mt) != 0
      && !(strcmp (hint, "application/json") == 0 || strcmp (hint, "text/plain") == 0))
    return error_set (err, EINVAL, "media type `%.80s` does not match the document's `%.80s`",
                      hint, mt);
  if (mt == NULL && hint && (is_manifest_type (hint) || is_index_type (hint)))
    mt = hint;
  if (mt == NULL)
    {
      /* OCI allows mediaType to be absent: tell by the shape */
      if (json_object_object_get_ex (doc, "manifests", NULL))
        mt = MT_OCI_INDEX;
      else if (json_object_object_get_ex (doc, "config", NULL))
        mt = MT_OCI_MANIFEST;
      else
        return error_set (err, EINVAL, "neither a manifest nor an index");
    }
  if (sv != 2)
    return error_set (err, EINVAL, "unsupported schemaVersion %lld", (long long) sv);
  m->media_type = strdup (mt);
  if (m->media_type == NULL)
    return error_set (err, ENOMEM, "out of memory");

  if (is_index_type (mt))
    {
      m->kind = MANIFEST_INDEX;
      json_object *a;
      r = jsonx_get_array (doc, "manifests", &a, err);
      if (r < 0)
        return r;
      if (r == 0)
        return error_set (err, EINVAL, "`manifests` is missing");
      size_t n = json_object_array_length (a);
      if (n > INDEX_MAX_MANIFESTS)
        return error_set (err, E2BIG, "index has more than %d manifests", INDEX_MAX_MANIFESTS);
      m->manifests = calloc (n ? n : 1, sizeof *m->manifests);
      if (m->manifests == NULL)
        return error_set (err, ENOMEM, "out of memory");
      for (size_t i = 0; i < n; i++)
        {
          m->nmanifests = i + 1;
          r = parse_descriptor (json_object_array_get_idx (a, i), &m->manifests[i], err);
          if (r < 0)
            return error_prefix (err, "manifests[%zu]", i);
        }
      return 0;
    }
  if (!is_manifest_type (mt))
    return error_set (err, ENOTSUP, "unsupported manifest media type `%.80s`", mt);
  m->kind = MANIFEST_IMAGE;
  json_object *c;
  r = jsonx_get_object (doc, "config", &c, err);
  if (r < 0)
    return r;
  if (r == 0)
    return error_set (err, EINVAL, "`config` is missing");
  r = parse_descriptor (c, &m->config, err);
  if (r < 0)
    return error_prefix (err, "config");
  if (strcmp (m->config.media_type, MT_OCI_CONFIG) != 0
      && strcmp (m->config.media_type, MT_DOCKER_CONFIG) != 0)
    return error_set (err, ENOTSUP, "not a container image (config media type `%.80s`)",
                      m->config.media_type);
  if (m->config.size > CONFIG_MAX_SIZE)
    return error_set (err, EFBIG, "config larger than %u bytes", CONFIG_MAX_SIZE);
  json_object *a;
  r = jsonx_get_array (doc, "layers", &a, err);
  if (r < 0)
    return r;
  if (r == 0)
    return error_set (err, EINVAL, "`layers` is missing");
  size_t n = json_object_array_length (a);
  if (n > MANIFEST_MAX_LAYERS)
    return error_set (err, E2BIG, "more than %d layers", MANIFEST_MAX_LAYERS);
  m->layers = calloc (n ? n : 1, sizeof *m->layers);
  if (m->layers == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      m->nlayers = i + 1;
      r = parse_descriptor (json_object_array_get_idx (a, i), &m->layers[i], err);
      if (r < 0)
        return error_prefix (err, "layers[%zu]", i);
      if (!layer_type_ok (m->layers[i].media_type))
        return error_set (err, ENOTSUP, "layers[%zu]: unsupported layer media type `%.80s`", i,
                          m->layers[i].media_type);
    }
  return 0;
}

int
manifest_parse (const char *data, size_t len, const char *media_type, struct manifest **out,
                struct error **err)
{
  if (len > MANIFEST_MAX_SIZE)
    return error_set (err, EFBIG, "manifest larger than %u bytes", MANIFEST_MAX_SIZE);
  _cleanup_json_ json_object *doc = NULL;
  int r = jsonx_parse (data, len, &doc, err);
  if (r < 0)
    return error_prefix (err, "manifest");
  struct manifest *m = calloc (1, sizeof *m);
  if (m == NULL)
    return error_set (err, ENOMEM, "out of memory");
  r = parse_manifest_doc (doc, media_type, m, err);
  if (r < 0)
    {
      manifest_free (m);
      return error_prefix (err, "manifest");
    }
  *out = m;
  return 0;
}

static bool
eq (const char *a, const char *b)
{
  return a && b && strcmp (a, b) == 0;
}

static bool
variant_matches (const struct platform *want, const struct platform *have)
{
  if (want->variant == NULL)
    return true;
  if (eq (want->variant, have->variant))
    return true;
  /* arm64 images rarely say v8 */
  return have->variant == NULL && eq (want->architecture, "arm64") && eq (want->variant, "v8");
}

int
manifest_select_platform (const struct manifest *index, const struct platform *want,
                          const struct descriptor **out, struct error **err)
{
  struct platform host = { 0 };
  if (want == NULL)
    {
      if (platform_host (&host) < 0)
        return error_set (err, ENOMEM, "out of memory");
      want = &host;
    }
  const struct descriptor *best = NULL;
  int best_score = -1;
  for (size_t i = 0; i < index->nmanifests; i++)
    {
      const struct descriptor *d = &index->manifests[i];
      if (!d->has_platform || !is_manifest_type (d->media_type))
        continue;
      if (!eq (d->platform.os, want->os) || !eq (d->platform.architecture, want->architecture))
        continue;
      if (!variant_matches (want, &d->platform))
        continue;
      int score = (want->variant && eq (want->variant, d->platform.variant)) ? 2 : 1;
      if (score > best_score)
        best = d, best_score = score;
    }
  if (best)
    {
      platform_clear (&host);
      *out = best;
      return 0;
    }
  /* list what there is, for the message */
  char have[512] = "";
  size_t o = 0;
  for (size_t i = 0; i < index->nmanifests && o < sizeof have - 80; i++)
    {
      const struct descriptor *d = &index->manifests[i];
      if (!d->has_platform)
        continue;
      _cleanup_free_ char *ps = platform_string (&d->platform);
      o += (size_t) snprintf (have + o, sizeof have - o, "%s%.60s", o ? ", " : "", ps ? ps : "?");
    }
  _cleanup_free_ char *ws = platform_string (want);
  platform_clear (&host);
  return error_set (err, ENOENT, "no image for platform `%s` (available: %s)", ws ? ws : "?",
                    o ? have : "none");
}

/* ---------------------------------------------------------------- config */

int
parse_rfc3339 (const char *s, int64_t *out)
{
  struct tm tm = { 0 };
  int n = 0;
  if (sscanf (s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
              &tm.tm_min, &tm.tm_sec, &n)
          != 6
      || n == 0)
    return -EINVAL;
  const char *p = s + n;
  if (*p == '.')
    {
      p++;
      while (*p >= '0' && *p <= '9')
        p++;
    }
  int off = 0;
  if (*p == 'Z' || *p == 'z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      int hh, mm;
      if (sscanf (p + 1, "%2d:%2d", &hh, &mm) != 2)
        return -EINVAL;
      off = (hh * 60 + mm) * 60 * (*p == '+' ? 1 : -1);
      p += 6;
    }
  else
    return -EINVAL;
  if (*p != '\0')
    return -EINVAL;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *out = (int64_t) timegm (&tm) - off;
  return 0;
}

void
format_rfc3339 (int64_t t, char *buf, size_t cap)
{
  time_t tt = (time_t) t;
  struct tm tm;
  gmtime_r (&tt, &tm);
  strftime (buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
image_config_free (struct image_config *c)
{
  if (c == NULL)
    return;
  if (c->doc)
    json_object_put (c->doc);
  free (c->architecture);
  free (c->os);
  free (c->variant);
  free (c->author);
  strv_free (c->env);
  strv_free (c->entrypoint);
  strv_free (c->cmd);
  free (c->working_dir);
  free (c->user);
  free (c->stop_signal);
  strv_free (c->exposed_ports);
  strv_free (c->volumes);
  strv_free (c->labels);
  strv_free (c->healthcheck_test);
  strv_free (c->diff_ids);
  for (size_t i = 0; i < c->nhistory; i++)
    {
      free (c->history[i].created_by);
      free (c->history[i].author);
      free (c->history[i].comment);
    }
  free (c->history);
  free (c);
}

static int
get_strv_limited (json_object *o, const char *key, char ***out, struct error **err)
{
  json_object *a;
  int r = jsonx_get_array (o, key, &a, err);
  if (r <= 0)
    return r;
  if (json_object_array_length (a) > CONFIG_LIST_MAX)
    return error_set (err, E2BIG, "`%s` has too many entries", key);
  return jsonx_get_strv (o, key, out, err);
}

static int
get_keys (json_object *o, const char *key, bool with_values, char ***out, struct error **err)
{
  json_object *m;
  int r = jsonx_get_object (o, key, &m, err);
  if (r <= 0)
    return r;
  if ((size_t) json_object_object_length (m) > CONFIG_LIST_MAX)
    return error_set (err, E2BIG, "`%s` has too many entries", key);
  char **v = NULL;
  json_object_object_foreach (m, k, val)
  {
    char *s = NULL;
    if (with_values)
      {
        if (val && json_object_get_type (val) != json_type_string)
          {
            strv_free (v);
            return error_set (err, EINVAL, "`%s.%.80s` must be a string", key, k);
          }
        if (asprintf (&s, "%s=%s", k, val ? json_object_get_string (val) : "") < 0)
          s = NULL;
      }
    else
      s = strdup (k);
    if (s == NULL || strv_consume (&v, s) < 0)
      {
        strv_free (v);
        return error_set (err, ENOMEM, "out of memory");
      }
  }
  *out = v;
  return 1;
}

static int
parse_config_doc (json_object *doc, struct image_config *c, struct error **err)
{
  if (json_object_get_type (doc) != json_type_object)
    return error_set (err, EINVAL, "not a JSON object");
  int r;
  if ((r = get_str (doc, "architecture", false, &c->architecture, err)) < 0
      || (r = get_str (doc, "os", false, &c->os, err)) < 0
      || (r = get_str (doc, "variant", false, &c->variant, err)) < 0
      || (r = get_str (doc, "author", false, &c->author, err)) < 0)
    return r;
  const char *created = NULL;
  r = jsonx_get_string (doc, "created", &created, err);
  if (r < 0)
    return r;
  if (r == 1)
    parse_rfc3339 (created, &c->created); /* a bad date is not worth refusing an image */
  json_object *cfg;
  r = jsonx_get_object (doc, "config", &cfg, err);
  if (r < 0)
    return error_prefix (err, "config");
  if (r == 1)
    {
      if ((r = get_strv_limited (cfg, "Env", &c->env, err)) < 0
          || (r = get_strv_limited (cfg, "Entrypoint", &c->entrypoint, err)) < 0
          || (r = get_strv_limited (cfg, "Cmd", &c->cmd, err)) < 0
          || (r = get_str (cfg, "WorkingDir", false, &c->working_dir, err)) < 0
          || (r = get_str (cfg, "User", false, &c->user, err)) < 0
          || (r = get_str (cfg, "StopSignal", false, &c->stop_signal, err)) < 0
          || (r = get_keys (cfg, "ExposedPorts", false, &c->exposed_ports, err)) < 0
          || (r = get_keys (cfg, "Volumes", false, &c->volumes, err)) < 0
          || (r = get_keys (cfg, "Labels", true, &c->labels, err)) < 0)
        return error_prefix (err, "config");
      json_object *hc;
      r = jsonx_get_object (cfg, "Healthcheck", &hc, err);
      if (r < 0)
        return error_prefix (err, "config");
      if (r == 1)
        {
          int64_t retries = 0;
          if ((r = get_strv_limited (hc, "Test", &c->healthcheck_test, err)) < 0
              || (r = jsonx_get_int64 (hc, "Interval", &c->healthcheck_interval, err)) < 0
              || (r = jsonx_get_int64 (hc, "Timeout", &c->healthcheck_timeout, err)) < 0
              || (r = jsonx_get_int64 (hc, "StartPeriod", &c->healthcheck_start_period, err)) < 0
              || (r = jsonx_get_int64 (hc, "Retries", &retries, err)) < 0)
            return error_prefix (err, "config.Healthcheck");
          c->healthcheck_retries = retries < 0 || retries > 1000000 ? 0 : (int) retries;
        }
    }
  json_object *rootfs;
  r = jsonx_get_object (doc, "rootfs", &rootfs, err);
  if (r < 0)
    return r;
  if (r == 0)
    return error_set (err, EINVAL, "`rootfs` is missing");
  const char *type = NULL;
  r = jsonx_get_string (rootfs, "type", &type, err);
  if (r < 0)
    return error_prefix (err, "rootfs");
  if (r == 0 || strcmp (type, "layers") != 0)
    return error_set (err, EINVAL, "rootfs.type must be `layers`");
  json_object *ids;
  r = jsonx_get_array (rootfs, "diff_ids", &ids, err);
  if (r < 0)
    return error_prefix (err, "rootfs");
  if (r == 0)
    return error_set (err, EINVAL, "rootfs.diff_ids is missing");
  if (json_object_array_length (ids) > MANIFEST_MAX_LAYERS)
    return error_set (err, E2BIG, "more than %d layers", MANIFEST_MAX_LAYERS);
  r = jsonx_get_strv (rootfs, "diff_ids", &c->diff_ids, err);
  if (r < 0)
    return error_prefix (err, "rootfs");
  for (size_t i = 0; c->diff_ids[i]; i++)
    if (!digest_valid (c->diff_ids[i]) || strncmp (c->diff_ids[i], "sha256:", 7) != 0)
      return error_set (err, EINVAL, "rootfs.diff_ids[%zu]: invalid digest `%.80s`", i,
                        c->diff_ids[i]);
  json_object *hist;
  r = jsonx_get_array (doc, "history", &hist, err);
  if (r < 0)
    return r;
  if (r == 1)
    {
      size_t n = json_object_array_length (hist);
      if (n > CONFIG_LIST_MAX)
        return error_set (err, E2BIG, "history has too many entries");
      c->history = calloc (n ? n : 1, sizeof *c->history);
      if (c->history == NULL)
        return error_set (err, ENOMEM, "out of memory");
      for (size_t i = 0; i < n; i++)
        {
          json_object *h = json_object_array_get_idx (hist, i);
          struct history_entry *he = &c->history[i];
          c->nhistory = i + 1;
          if (h == NULL || json_object_get_type (h) != json_type_object)
            return error_set (err, EINVAL, "history[%zu] must be an object", i);
          const char *hc = NULL;
          if ((r = jsonx_get_string (h, "created", &hc, err)) < 0
              || (r = get_str (h, "created_by", false, &he->created_by, err)) < 0
              || (r = get_str (h, "author", false, &he->author, err)) < 0
              || (r = get_str (h, "comment", false, &he->comment, err)) < 0
              || (r = jsonx_get_bool (h, "empty_layer", &he->empty_layer, err)) < 0)
            return error_prefix (err, "history[%zu]", i);
          if (hc)
            parse_rfc3339 (hc, &he->created);
        }
    }
  return 0;
}

int
image_config_parse (const char *data, size_t len, struct image_config **out, struct error **err)
{
  if (len > CONFIG_MAX_SIZE)
    return error_set (err, EFBIG, "image config larger than %u bytes", CONFIG_MAX_SIZE);
  struct image_config *c = calloc (1, sizeof *c);
  if (c == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int r = jsonx_parse (data, len, &c->doc, err);
  if (r >= 0)
    r = parse_config_doc (c->doc, c, err);
  if (r < 0)
    {
      image_config_free (c);
      return error_prefix (err, "image config");
    }
  *out = c;
  return 0;
}

/* ----------------------------------------------------------------- build */

static json_object *
strv_json (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (size_t i = 0; v && v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

static char *
dup_json (json_object *o)
{
  char *s = strdup (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
  return s;
}

char *
image_config_build (const struct platform *p, int64_t created, char *const *diff_ids,
                    const char *created_by, char *const *env, char *const *cmd,
                    char *const *entrypoint, const char *workdir)
{
  char when[40];
  format_rfc3339 (created, when, sizeof when);
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "created", json_object_new_string (when));
  json_object_object_add (o, "architecture", json_object_new_string (p->architecture));
  if (p->variant)
    json_object_object_add (o, "variant", json_object_new_string (p->variant));
  json_object_object_add (o, "os", json_object_new_string (p->os));
  json_object *cfg = json_object_new_object ();
  if (env)
    json_object_object_add (cfg, "Env", strv_json (env));
  if (entrypoint)
    json_object_object_add (cfg, "Entrypoint", strv_json (entrypoint));
  if (cmd)
    json_object_object_add (cfg, "Cmd", strv_json (cmd));
  if (workdir)
    json_object_object_add (cfg, "WorkingDir", json_object_new_string (workdir));
  json_object_object_add (o, "config", cfg);
  json_object *rootfs = json_object_new_object ();
  json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
  json_object_object_add (rootfs, "diff_ids", strv_json (diff_ids));
  json_object_object_add (o, "rootfs", rootfs);
  json_object *hist = json_object_new_array ();
  json_object *h = json_object_new_object ();
  json_object_object_add (h, "created", json_object_new_string (when));
  if (created_by)
    json_object_object_add (h, "created_by", json_object_new_string (created_by));
  json_object_array_add (hist, h);
  json_object_object_add (o, "history", hist);
  return dup_json (o);
}

char *
manifest_build (const char *config_digest, int64_t config_size, const struct descriptor *layers,
                size_t nlayers)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "schemaVersion", json_object_new_int (2));
  json_object_object_add (o, "mediaType", json_object_new_string (MT_OCI_MANIFEST));
  json_object *c = json_object_new_object ();
  json_object_object_add (c, "mediaType", json_object_new_string (MT_OCI_CONFIG));
  json_object_object_add (c, "digest", json_object_new_string (config_digest));
  json_object_object_add (c, "size", json_object_new_int64 (config_size));
  json_object_object_add (o, "config", c);
  json_object *a = json_object_new_array ();
  for (size_t i = 0; i < nlayers; i++)
    {
      json_object *l = json_object_new_object ();
      json_object_object_add (l, "mediaType", json_object_new_string (layers[i].media_type));
      json_object_object_add (l, "digest", json_object_new_string (layers[i].digest));
      json_object_object_add (l, "size", json_object_new_int64 (layers[i].size));
      json_object_array_add (a, l);
    }
  json_object_object_add (o, "layers", a);
  return dup_json (o);
}
