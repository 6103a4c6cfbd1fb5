/* tap-error.h - assertions on functions that follow the project's error
 * convention (negative errno, *err set): the expression may use `err`.
 *
 *   CHECK_OK (volume_create (vs, "x", NULL, false, NULL, NULL, err));
 *   CHECK_FAIL (volume_remove (vs, "x", err), EBUSY, "is in use");
 */
#ifndef HULL_TESTS_TAP_ERROR_H
#define HULL_TESTS_TAP_ERROR_H

#include "tap.h"

#include "base/error.h"

#include <string.h>

/* expr must succeed (>= 0) */
#define CHECK_OK(expr)                                                                             \
  do                                                                                               \
    {                                                                                              \
      struct error *_e = NULL;                                                                     \
      struct error **err = &_e;                                                                    \
      int _r = (expr);                                                                             \
      if (_r < 0)                                                                                  \
        {                                                                                          \
          printf ("#   %s:%d: %s: %d %s\n", __FILE__, __LINE__, #expr, _r, _e ? _e->msg : "");     \
          tap_cur_failed = 1;                                                                      \
        }                                                                                          \
      error_free (_e);                                                                             \
    }                                                                                              \
  while (0)

/* expr must fail with -code and a message containing want */
#define CHECK_FAIL(expr, code, want)                                                               \
  do                                                                                               \
    {                                                                                              \
      struct error *_e = NULL;                                                                     \
      struct error **err = &_e;                                                                    \
      int _r = (expr);                                                                             \
      if (_r != -(code) || _e == NULL || strstr (_e->msg, want) == NULL)                           \
        {                                                                                          \
          printf ("#   %s:%d: %s: want %d containing \"%s\", got %d \"%s\"\n", __FILE__, __LINE__, \
                  #expr, -(code), want, _r, _e ? _e->msg : "(no error)");                          \
          tap_cur_failed = 1;                                                                      \
        }                                                                                          \
      else                                                                                         \
        printf ("#   %s\n", _e->msg);                                                              \
      error_free (_e);                                                                             \
    }                                                                                              \
  while (0)

#endif
