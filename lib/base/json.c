#include "json.h"

#include "cleanup.h"
#include "error.h"
#include "fs.h"
#include "strv.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

int
jsonx_parse (const char *text, size_t len, json_object **out, struct error **err)
{
  if (len > INT32_MAX)
    return error_set (err, EFBIG, "JSON document too large");
  json_tokener *tok = json_tokener_new ();
  if (tok == NULL)
    return error_set (err, ENOMEM, "out of memory");
  json_object *o = json_tokener_parse_ex (tok, text, (int) len);
  enum json_tokener_error jerr = json_tokener_get_error (tok);
  size_t off = json_tokener_get_parse_end (tok);
  json_tokener_free (tok);
  if (jerr == json_tokener_continue)
    {
      json_object_put (o);
      return error_set (err, EINVAL, "invalid JSON: unexpected end of input");
    }
  if (jerr != json_tokener_success)
    {
      json_object_put (o);
      return error_set (err, EINVAL, "invalid JSON at byte %zu: %s", off,
                        json_tokener_error_desc (jerr));
    }
  for (size_t i = off; i < len; i++)
    if (!strchr (" \t\r\n", text[i]) && text[i] != '\0')
      {
        json_object_put (o);
        return error_set (err, EINVAL, "invalid JSON: trailing data at byte %zu", i);
      }
  *out = o;
  return 0;
}

int
jsonx_parse_file (const char *path, size_t max, json_object **out, struct error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (fs_read_file (path, max, &text, &len, err) < 0)
    return -((*err)->code);
  if (jsonx_parse (text, len, out, err) < 0)
    return error_prefix (err, "`%s`", path);
  return 0;
}

static const char *
type_name (json_type t)
{
  return json_type_to_name (t);
}

static int
get_typed (json_object *o, const char *key, json_type want, json_object **v,
           struct error **err)
{
  if (o == NULL || !json_object_object_get_ex (o, key, v))
    return 0;
  if (*v == NULL) /* JSON null: treat as absent */
    return 0;
  json_type t = json_object_get_type (*v);
  if (t != want && !(want == json_type_double && t == json_type_int))
    return error_set (err, EINVAL, "`%s` must be %s %s, not %s", key,
                      want == json_type_array || want == json_type_object ? "an" : "a",
                      type_name (want), type_name (t));
  return 1;
}

int
jsonx_get_string (json_object *o, const char *key, const char **out, struct error **err)
{
  json_object *v;
  int r = get_typed (o, key, json_type_string, &v, err);
  if (r == 1)
    *out = json_object_get_string (v);
  return r;
}

int
jsonx_get_bool (json_object *o, const char *key, bool *out, struct error **err)
{
  json_object *v;
  int r = get_typed (o, key, json_type_boolean, &v, err);
  if (r == 1)
    *out = json_object_get_boolean (v);
  return r;
}

int
jsonx_get_int64 (json_object *o, const char *key, int64_t *out, struct error **err)
{
  json_object *v;
  int r = get_typed (o, key, json_type_int, &v, err);
  if (r == 1)
    {
      errno = 0;
      int64_t x = json_object_get_int64 (v);
      if (errno == EINVAL || errno == ERANGE)
        return error_set (err, ERANGE, "`%s` is out of range", key);
      *out = x;
    }
  return r;
}

int
jsonx_get_uint64 (json_object *o, const char *key, uint64_t *out, struct error **err)
{
  json_object *v;
  int r = get_typed (o, key, json_type_int, &v, err);
  if (r == 1)
    {
      /* json-c keeps the sign: a negative number must not wrap to a huge one */
      int64_t s = json_object_get_int64 (v);
      if (s < 0)
        return error_set (err, ERANGE, "`%s` must not be negative", key);
      errno = 0;
      uint64_t x = json_object_get_uint64 (v);
      if (errno == ERANGE)
        return error_set (err, ERANGE, "`%s` is out of range", key);
      *out = x;
    }
  return r;
}

int
jsonx_get_object (json_object *o, const char *key, json_object **out, struct error **err)
{
  return get_typed (o, key, json_type_object, out, err);
}

int
jsonx_get_array (json_object *o, const char *key, json_object **out, struct error **err)
{
  return get_typed (o, key, json_type_array, out, err);
}

int
jsonx_get_strv (json_object *o, const char *key, char ***out, struct error **err)
{
  json_object *a;
  int r = get_typed (o, key, json_type_array, &a, err);
  if (r != 1)
    return r;
  size_t n = json_object_array_length (a);
  char **v = calloc (n + 1, sizeof *v);
  if (v == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      if (e == NULL || json_object_get_type (e) != json_type_string)
        {
          strv_free (v);
          return error_set (err, EINVAL, "`%s[%zu]` must be a string", key, i);
        }
      v[i] = strdup (json_object_get_string (e));
      if (v[i] == NULL)
        {
          strv_free (v);
          return error_set (err, ENOMEM, "out of memory");
        }
    }
  *out = v;
  return 1;
}

const char *
jsonx_compact (json_object *o)
{
  return json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}
