/* util.c - strict base64 and strict JSON for signed documents. */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *
trust_format_name (enum trust_format f)
{
  return f == TRUST_FORMAT_LEGACY ? "legacy" : f == TRUST_FORMAT_BUNDLE ? "bundle" : "?";
}

char *
trust_b64_encode (const void *data, size_t len)
{
  if (len > (SIZE_MAX / 4) * 3 - 3)
    return NULL;
  char *out = malloc ((len + 2) / 3 * 4 + 1);
  if (out == NULL)
    return NULL;
  EVP_EncodeBlock ((unsigned char *)out, data, (int)len);
  return out;
}

static int
b64_value (unsigned char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Strict on purpose: one encoding per byte string (no whitespace, padding
 * required, the unused bits of the last symbol zero), so that what was
 * signed has a single spelling. */
int
trust_b64_decode (const char *s, size_t slen, unsigned char **out, size_t *outlen,
                  struct error **err)
{
  if (slen % 4 != 0)
    return error_set (err, EBADMSG, "invalid base64: length %zu is not a multiple of 4", slen);
  size_t pad = 0;
  if (slen >= 4 && s[slen - 1] == '=')
    pad = s[slen - 2] == '=' ? 2 : 1;
  size_t n = slen / 4 * 3 - pad;
  _cleanup_free_ unsigned char *buf = malloc (n + 1);
  if (buf == NULL)
    return error_set (err, ENOMEM, "out of memory");
  size_t o = 0;
  for (size_t i = 0; i < slen; i += 4)
    {
      int v[4];
      for (int j = 0; j < 4; j++)
        {
          unsigned char c = (unsigned char)s[i + j];
          if (c == '=' && i + 4 == slen && j >= 4 - (int)pad)
            v[j] = 0;
          else if ((v[j] = b64_value (c)) < 0)
            return error_set (err, EBADMSG, "invalid base64: bad character at offset %zu", i + j);
        }
      uint32_t w
          = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
      if (i + 4 == slen && ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff))))
        return error_set (err, EBADMSG, "invalid base64: non-canonical padding");
      unsigned char b[3] = { (unsigned char)(w >> 16), (unsigned char)(w >> 8), (unsigned char)w };
      for (int j = 0; j < 3 && o < n; j++)
        buf[o++] = b[j];
    }
  buf[n] = 0;
  *out = TAKE_PTR (buf);
  *outlen = n;
  return 0;
}

/* ---- duplicate keys: a small scanner over text json-c already accepted */

struct scan
{
  const char *p, *end;
  int depth;
};

#define SCAN_DEPTH_MAX 64
#define SCAN_KEYS_MAX 4096

static void
put_utf8 (char **o, uint32_t cp)
{
  unsigned char *q = (unsigned char *)*o;
  if (cp < 0x80)
    *q++ = (unsigned char)cp;
  else if (cp < 0x800)
    {
      *q++ = (unsigned char)(0xc0 | cp >> 6);
      *q++ = (unsigned char)(0x80 | (cp & 0x3f));
    }
  else if (cp < 0x10000)
    {
      *q++ = (unsigned char)(0xe0 | cp >> 12);
      *q++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
      *q++ = (unsigned char)(0x80 | (cp & 0x3f));
    }
  else
    {
      *q++ = (unsigned char)(0xf0 | cp >> 18);
      *q++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
      *q++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
      *q++ = (unsigned char)(0x80 | (cp & 0x3f));
    }
  *o = (char *)q;
}

static uint32_t
hex4 (const char *p)
{
  uint32_t v = 0;
  for (int i = 0; i < 4; i++)
    {
      char c = p[i];
      v <<= 4;
      v |= (uint32_t)(c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                             : c - 'A' + 10);
    }
  return v;
}

/* A string at s->p (the opening quote), unescaped into a new buffer (keys
 * are compared after unescaping: "a" and "\u0061" are the same key). */
static char *
scan_string (struct scan *s)
{
  s->p++;
  const char *start = s->p;
  while (s->p < s->end && *s->p != '"')
    s->p += *s->p == '\\' ? 2 : 1;
  if (s->p > s->end)
    s->p = s->end;
  size_t raw = (size_t)(s->p - start);
  char *buf = malloc (raw * 2 + 1);
  if (buf == NULL)
    return NULL;
  char *o = buf;
  for (const char *q = start; q < s->p; q++)
    {
      if (*q != '\\')
        {
          *o++ = *q;
          continue;
        }
      q++;
      switch (*q)
        {
        case 'b':
          *o++ = '\b';
          break;
        case 'f':
          *o++ = '\f';
          break;
        case 'n':
          *o++ = '\n';
          break;
        case 'r':
          *o++ = '\r';
          break;
        case 't':
          *o++ = '\t';
          break;
        case 'u':
          {
            if (s->p - q < 5)
              break;
            uint32_t cp = hex4 (q + 1);
            q += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && s->p - q >= 7 && q[1] == '\\' && q[2] == 'u')
              {
                uint32_t lo = hex4 (q + 3);
                if (lo >= 0xdc00 && lo < 0xe000)
                  {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    q += 6;
                  }
              }
            put_utf8 (&o, cp);
            break;
          }
        default:
          *o++ = *q;
          break;
        }
    }
  *o = '\0';
  if (s->p < s->end)
    s->p++;
  return buf;
}

static void
scan_ws (struct scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static int scan_value (struct scan *s, const char *what, struct error **err);

static int
scan_object (struct scan *s, const char *what, struct error **err)
{
  s->p++;
  char **keys = NULL;
  size_t n = 0;
  int r = 0;
  for (;;)
    {
      scan_ws (s);
      if (s->p >= s->end)
        break;
      if (*s->p == '}')
        {
          s->p++;
          break;
        }
      if (*s->p == ',')
        {
          s->p++;
          continue;
        }
      if (*s->p != '"')
        {
          r = error_set (err, EBADMSG, "%s: malformed JSON", what);
          break;
        }
      char *k = scan_string (s);
      if (k == NULL)
        {
          r = error_set (err, ENOMEM, "out of memory");
          break;
        }
      for (size_t i = 0; i < n && r == 0; i++)
        if (strcmp (keys[i], k) == 0)
          r = error_set (err, EBADMSG, "%s: duplicate key `%s`", what, k);
      if (r == 0 && n >= SCAN_KEYS_MAX)
        r = error_set (err, E2BIG, "%s: more than %d keys in an object", what, SCAN_KEYS_MAX);
      char **nk = r == 0 ? realloc (keys, (n + 1) * sizeof *keys) : NULL;
      if (r == 0 && nk == NULL)
        r = error_set (err, ENOMEM, "out of memory");
      if (r < 0)
        {
          free (k);
          break;
        }
      keys = nk;
      keys[n++] = k;
      scan_ws (s);
      if (s->p < s->end && *s->p == ':')
        s->p++;
      r = scan_value (s, what, err);
      if (r < 0)
        break;
    }
  for (size_t i = 0; i < n; i++)
    free (keys[i]);
  free (keys);
  return r;
}

static int
scan_value (struct scan *s, const char *what, struct error **err)
{
  scan_ws (s);
  if (s->p >= s->end)
    return 0;
  if (++s->depth > SCAN_DEPTH_MAX)
    return error_set (err, EBADMSG, "%s: nested deeper than %d", what, SCAN_DEPTH_MAX);
  int r = 0;
  if (*s->p == '{')
    r = scan_object (s, what, err);
  else if (*s->p == '[')
    {
      s->p++;
      for (;;)
        {
          scan_ws (s);
          if (s->p >= s->end)
            break;
          if (*s->p == ']')
            {
              s->p++;
              break;
            }
          if (*s->p == ',')
            {
              s->p++;
              continue;
            }
          if ((r = scan_value (s, what, err)) < 0)
            break;
        }
    }
  else if (*s->p == '"')
    free (scan_string (s));
  else
    while (s->p < s->end && strchr (",]} \t\r\n", *s->p) == NULL)
      s->p++;
  s->depth--;
  return r;
}

int
trust_json_parse (const char *data, size_t len, const char *what, json_object **out,
                  struct error **err)
{
  if (memchr (data, '\0', len) != NULL)
    return error_set (err, EBADMSG, "%s: malformed JSON: NUL byte", what);
  if (len > INT32_MAX)
    return error_set (err, EFBIG, "%s: too large", what);
  /* json-c's strict mode: no comments, single quotes, trailing commas or
   * NaN - what other readers of the same signed bytes (Go's encoding/json)
   * would refuse must not be accepted here either. */
  json_tokener *tok = json_tokener_new_ex (SCAN_DEPTH_MAX);
  if (tok == NULL)
    return error_set (err, ENOMEM, "out of memory");
  json_tokener_set_flags (tok, JSON_TOKENER_STRICT);
  _cleanup_json_ json_object *o = json_tokener_parse_ex (tok, data, (int)len);
  enum json_tokener_error jerr = json_tokener_get_error (tok);
  size_t end = json_tokener_get_parse_end (tok);
  json_tokener_free (tok);
  if (jerr == json_tokener_continue)
    return error_set (err, EBADMSG, "%s: malformed JSON: unexpected end of input", what);
  if (jerr != json_tokener_success || o == NULL)
    return error_set (err, EBADMSG, "%s: malformed JSON at byte %zu: %s", what, end,
                      json_tokener_error_desc (jerr));
  for (size_t i = end; i < len; i++)
    if (strchr (" \t\r\n", data[i]) == NULL)
      return error_set (err, EBADMSG, "%s: malformed JSON: data after the document at byte %zu",
                        what, i);
  struct scan s = { .p = data, .end = data + len };
  int r = scan_value (&s, what, err);
  if (r < 0)
    return r;
  *out = TAKE_PTR (o);
  return 0;
}

static bool
in_list (const char *const *l, const char *k)
{
  for (; l && *l; l++)
    if (strcmp (*l, k) == 0)
      return true;
  return false;
}

int
trust_json_fields (json_object *o, const char *what, const char *const *required,
                   const char *const *optional, struct error **err)
{
  if (!json_object_is_type (o, json_type_object))
    return error_set (err, EBADMSG, "%s: not a JSON object", what);
  json_object_object_foreach (o, k, v)
  {
    (void)v;
    if (!in_list (required, k) && !in_list (optional, k))
      return error_set (err, EBADMSG, "%s: unknown field `%s`", what, k);
  }
  for (const char *const *r = required; r && *r; r++)
    if (!json_object_object_get_ex (o, *r, NULL))
      return error_set (err, EBADMSG, "%s: missing field `%s`", what, *r);
  return 0;
}

int
trust_json_string (json_object *o, const char *what, const char *key, const char **out,
                   struct error **err)
{
  json_object *v = NULL;
  if (!json_object_object_get_ex (o, key, &v))
    return error_set (err, EBADMSG, "%s: missing field `%s`", what, key);
  if (!json_object_is_type (v, json_type_string))
    return error_set (err, EBADMSG, "%s: `%s` is not a string", what, key);
  *out = json_object_get_string (v);
  return 0;
}

int
trust_annotations_object (char *const *annotations, json_object **out, struct error **err)
{
  *out = NULL;
  if (annotations == NULL || annotations[0] == NULL)
    return 0;
  _cleanup_json_ json_object *o = json_object_new_object ();
  if (o == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (char *const *a = annotations; *a; a++)
    {
      const char *eq = strchr (*a, '=');
      if (eq == NULL || eq == *a)
        return error_set (err, EINVAL, "invalid annotation `%s`: expected KEY=VALUE", *a);
      _cleanup_free_ char *k = strndup (*a, (size_t)(eq - *a));
      if (k == NULL)
        return error_set (err, ENOMEM, "out of memory");
      json_object_object_add (o, k, json_object_new_string (eq + 1));
    }
  *out = TAKE_PTR (o);
  return 0;
}

bool
trust_annotations_match (char *const *want, char *const *have, char **missing)
{
  for (char *const *w = want; w && *w; w++)
    if (!strv_contains (have, *w))
      {
        if (missing)
          *missing = *w;
        return false;
      }
  return true;
}
