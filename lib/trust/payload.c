/* payload.c - the simple-signing payload of cosign's legacy format:
 *
 *   {"critical":{"identity":{"docker-reference":"host/repo[:tag]"},
 *                "image":{"docker-manifest-digest":"sha256:..."},
 *                "type":"cosign container image signature"},
 *    "optional":null | {"key":"value",...}}
 *
 * Parsed only after its signature verified; then strictly, with the exact
 * field sets containers/image requires (a "Critical" or an extra field is
 * an error, not ignored).
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
trust_payload_free (struct trust_payload *p)
{
  if (p == NULL)
    return;
  free (p->docker_reference);
  free (p->digest);
  strv_free (p->optional);
  free (p);
}

static json_object *
obj1 (const char *k, json_object *v)
{
  json_object *o = json_object_new_object ();
  if (o)
    json_object_object_add (o, k, v);
  return o;
}

int
trust_payload_build (const char *docker_reference, const char *digest, char *const *annotations,
                     char **out, size_t *len, struct error **err)
{
  if (!digest_valid (digest))
    return error_set (err, EINVAL, "invalid digest `%s`", digest);
  json_object *optional = NULL;
  int r = trust_annotations_object (annotations, &optional, err);
  if (r < 0)
    return r;
  _cleanup_json_ json_object *crit = json_object_new_object ();
  _cleanup_json_ json_object *top = json_object_new_object ();
  if (crit == NULL || top == NULL)
    {
      json_object_put (optional);
      return error_set (err, ENOMEM, "out of memory");
    }
  json_object_object_add (crit, "identity",
                          obj1 ("docker-reference", json_object_new_string (docker_reference)));
  json_object_object_add (crit, "image",
                          obj1 ("docker-manifest-digest", json_object_new_string (digest)));
  json_object_object_add (crit, "type", json_object_new_string (TRUST_COSIGN_TYPE));
  json_object_object_add (top, "critical", json_object_get (crit));
  json_object_object_add (top, "optional", optional);
  const char *s = json_object_to_json_string_ext (top, JSON_C_TO_STRING_PLAIN
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (s == NULL || (*out = strdup (s)) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  *len = strlen (*out);
  return 0;
}

static int
only_string (json_object *o, const char *what, const char *key, char **out, struct error **err)
{
  static const char *none[] = { NULL };
  const char *req[] = { key, NULL };
  int r = trust_json_fields (o, what, req, none, err);
  const char *s = NULL;
  if (r < 0 || (r = trust_json_string (o, what, key, &s, err)) < 0)
    return r;
  *out = strdup (s);
  return *out ? 0 : error_set (err, ENOMEM, "out of memory");
}

int
trust_payload_parse (const char *data, size_t len, struct trust_payload **out, struct error **err)
{
  static const char what[] = "signature payload";
  if (len > TRUST_PAYLOAD_MAX)
    return error_set (err, EFBIG, "%s larger than %d bytes", what, TRUST_PAYLOAD_MAX);
  _cleanup_json_ json_object *o = NULL;
  int r = trust_json_parse (data, len, what, &o, err);
  if (r < 0)
    return r;
  static const char *const top_f[] = { "critical", "optional", NULL };
  static const char *const crit_f[] = { "identity", "image", "type", NULL };
  if ((r = trust_json_fields (o, what, top_f, NULL, err)) < 0)
    return r;
  json_object *crit = NULL, *opt = NULL, *v = NULL;
  json_object_object_get_ex (o, "critical", &crit);
  json_object_object_get_ex (o, "optional", &opt);
  if ((r = trust_json_fields (crit, "signature payload `critical`", crit_f, NULL, err)) < 0)
    return r;
  const char *type = NULL;
  if ((r = trust_json_string (crit, what, "type", &type, err)) < 0)
    return r;
  if (strcmp (type, TRUST_COSIGN_TYPE) != 0)
    return error_set (err, EBADMSG, "%s: type `%s` is not `%s`", what, type, TRUST_COSIGN_TYPE);
  struct trust_payload *p = calloc (1, sizeof *p);
  if (p == NULL)
    return error_set (err, ENOMEM, "out of memory");
  json_object_object_get_ex (crit, "identity", &v);
  r = only_string (v, "signature payload `identity`", "docker-reference", &p->docker_reference,
                   err);
  if (r == 0)
    {
      json_object_object_get_ex (crit, "image", &v);
      r = only_string (v, "signature payload `image`", "docker-manifest-digest", &p->digest, err);
    }
  if (r == 0 && !digest_valid (p->digest))
    r = error_set (err, EBADMSG, "%s: invalid digest `%s`", what, p->digest);
  if (r == 0 && opt != NULL)
    {
      if (!json_object_is_type (opt, json_type_object))
        r = error_set (err, EBADMSG, "%s: `optional` is not an object", what);
      else
        {
          json_object_object_foreach (opt, k, val)
          {
            if (!json_object_is_type (val, json_type_string))
              continue;
            char *kv = NULL;
            if (asprintf (&kv, "%s=%s", k, json_object_get_string (val)) < 0
                || strv_consume (&p->optional, kv) < 0)
              {
                r = error_set (err, ENOMEM, "out of memory");
                break;
              }
          }
        }
    }
  if (r < 0)
    {
      trust_payload_free (p);
      return r;
    }
  *out = p;
  return 0;
}
