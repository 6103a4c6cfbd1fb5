#include "base/strv.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>

static void
test_strv (void)
{
  _cleanup_strv_ char **v = NULL;
  CHECK_INT (strv_len (v), ==, 0);
  CHECK_INT (strv_push (&v, "a"), ==, 0);
  CHECK_INT (strv_push (&v, "b"), ==, 0);
  CHECK_INT (strv_len (v), ==, 2);
  CHECK (strv_contains (v, "b"));
  CHECK (!strv_contains (v, "c"));
  _cleanup_strv_ char **d = strv_dup (v);
  CHECK_STR (d[1], "b");
  CHECK (d[2] == NULL);
}

static void
test_parse_numbers (void)
{
  int64_t i;
  uint64_t u;
  int n;
  CHECK_INT (parse_int64 ("-12", &i), ==, 0);
  CHECK_INT (i, ==, -12);
  CHECK_INT (parse_int64 ("12x", &i), ==, -EINVAL);
  CHECK_INT (parse_int64 ("", &i), ==, -EINVAL);
  CHECK_INT (parse_int64 (" 1", &i), ==, -EINVAL);
  CHECK_INT (parse_int64 ("99999999999999999999", &i), ==, -ERANGE);
  CHECK_INT (parse_uint64 ("-1", &u), ==, -EINVAL);
  CHECK_INT (parse_uint64 ("18446744073709551615", &u), ==, 0);
  CHECK (u == UINT64_MAX);
  CHECK_INT (parse_int ("2147483648", &n), ==, -ERANGE);
}

static void
test_parse_size (void)
{
  int64_t v;
  CHECK_INT (parse_size ("512m", &v), ==, 0);
  CHECK_INT (v, ==, 512LL << 20);
  CHECK_INT (parse_size ("1g", &v), ==, 0);
  CHECK_INT (v, ==, 1LL << 30);
  CHECK_INT (parse_size ("1.5k", &v), ==, 0);
  CHECK_INT (v, ==, 1536);
  CHECK_INT (parse_size ("100", &v), ==, 0);
  CHECK_INT (v, ==, 100);
  CHECK_INT (parse_size ("10MB", &v), ==, 0);
  CHECK_INT (v, ==, 10LL << 20);
  CHECK_INT (parse_size ("10x", &v), ==, -EINVAL);
  CHECK_INT (parse_size ("-1", &v), ==, -EINVAL);
  CHECK_INT (parse_size ("m", &v), ==, -EINVAL);
}

int
main (void)
{
  RUN (test_strv);
  RUN (test_parse_numbers);
  RUN (test_parse_size);
  return tap_done ();
}
