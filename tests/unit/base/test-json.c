#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"
#include "tap.h"

#include <errno.h>
#include <string.h>

static json_object *
parse (const char *s)
{
  json_object *o = NULL;
  _cleanup_error_ struct error *err = NULL;
  if (jsonx_parse (s, strlen (s), &o, &err) < 0)
    return NULL;
  return o;
}

static void
test_parse_errors (void)
{
  _cleanup_error_ struct error *err = NULL;
  json_object *o = NULL;
  CHECK_INT (jsonx_parse ("{\"a\":", 5, &o, &err), ==, -EINVAL);
  CHECK (strstr (err->msg, "unexpected end") != NULL);
  CHECK_INT (jsonx_parse ("{} x", 4, &o, &err), ==, -EINVAL);
  CHECK (strstr (err->msg, "trailing") != NULL);
  CHECK_INT (jsonx_parse ("{\"a\" 1}", 7, &o, &err), ==, -EINVAL);
}

static void
test_getters (void)
{
  _cleanup_json_ json_object *o
      = parse ("{\"s\":\"x\",\"b\":true,\"i\":-3,\"u\":7,\"a\":[\"p\",\"q\"],\"n\":null}");
  REQUIRE (o != NULL);
  _cleanup_error_ struct error *err = NULL;
  const char *s = NULL;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  CHECK_INT (jsonx_get_string (o, "s", &s, &err), ==, 1);
  CHECK_STR (s, "x");
  CHECK_INT (jsonx_get_bool (o, "b", &b, &err), ==, 1);
  CHECK (b);
  CHECK_INT (jsonx_get_int64 (o, "i", &i, &err), ==, 1);
  CHECK_INT (i, ==, -3);
  CHECK_INT (jsonx_get_uint64 (o, "u", &u, &err), ==, 1);
  CHECK_INT (u, ==, 7);
  CHECK_INT (jsonx_get_uint64 (o, "i", &u, &err), ==, -ERANGE);
  CHECK_INT (jsonx_get_string (o, "missing", &s, &err), ==, 0);
  CHECK_INT (jsonx_get_string (o, "n", &s, &err), ==, 0);
  CHECK_INT (jsonx_get_string (o, "b", &s, &err), <, 0);
  CHECK (strstr (err->msg, "`b` must be a string") != NULL);
  _cleanup_strv_ char **v = NULL;
  CHECK_INT (jsonx_get_strv (o, "a", &v, &err), ==, 1);
  CHECK_INT (strv_len (v), ==, 2);
  CHECK_STR (v[1], "q");
}

int
main (void)
{
  RUN (test_parse_errors);
  RUN (test_getters);
  return tap_done ();
}
