#include "base/error.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>

static void
test_set_and_prefix (void)
{
  _cleanup_error_ struct error *err = NULL;
  int r = error_set (&err, ENOENT, "open `%s`", "/x");
  CHECK_INT (r, ==, -ENOENT);
  CHECK_STR (err->msg, "open `/x`");
  r = error_prefix (&err, "mount `%s`", "/dev");
  CHECK_INT (r, ==, -ENOENT);
  CHECK_STR (err->msg, "mount `/dev`: open `/x`");
}

static void
test_errno_suffix (void)
{
  _cleanup_error_ struct error *err = NULL;
  int r = error_errno (&err, EACCES, "write `%s`", "f");
  CHECK_INT (r, ==, -EACCES);
  CHECK_STR (err->msg, "write `f`: Permission denied");
  CHECK_INT (err->code, ==, EACCES);
}

static void
test_zero_code_is_einval (void)
{
  _cleanup_error_ struct error *err = NULL;
  CHECK_INT (error_set (&err, 0, "bad"), ==, -EINVAL);
  /* setting twice replaces (no leak under ASan) */
  CHECK_INT (error_set (&err, EPERM, "worse"), ==, -EPERM);
  CHECK_STR (err->msg, "worse");
}

int
main (void)
{
  RUN (test_set_and_prefix);
  RUN (test_errno_suffix);
  RUN (test_zero_code_is_einval);
  return tap_done ();
}
