/* tap.h - a tiny TAP producer for unit tests. Each test is a function; each
 * failed assertion prints both sides and where it was.
 *
 *   static void test_x (void) { CHECK_INT (1 + 1, ==, 2); CHECK_STR (s, "a"); }
 *   int main (void) { RUN (test_x); return tap_done (); }
 */
#ifndef HULL_TESTS_TAP_H
#define HULL_TESTS_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed, tap_cur_failed;

#define CHECK(cond)                                                            \
  do                                                                           \
    {                                                                          \
      if (!(cond))                                                             \
        {                                                                      \
          printf ("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
          tap_cur_failed = 1;                                                  \
        }                                                                      \
    }                                                                          \
  while (0)

#define CHECK_INT(a, op, b)                                                    \
  do                                                                           \
    {                                                                          \
      long long _a = (long long) (a), _b = (long long) (b);                    \
      if (!(_a op _b))                                                         \
        {                                                                      \
          printf ("#   %s:%d: %s %s %s: %lld vs %lld\n", __FILE__, __LINE__,   \
                  #a, #op, #b, _a, _b);                                        \
          tap_cur_failed = 1;                                                  \
        }                                                                      \
    }                                                                          \
  while (0)

#define CHECK_STR(a, b)                                                        \
  do                                                                           \
    {                                                                          \
      const char *_a = (a), *_b = (b);                                         \
      if (_a == NULL || _b == NULL || strcmp (_a, _b) != 0)                    \
        {                                                                      \
          printf ("#   %s:%d: %s == %s: \"%s\" vs \"%s\"\n", __FILE__,         \
                  __LINE__, #a, #b, _a ? _a : "(null)", _b ? _b : "(null)");   \
          tap_cur_failed = 1;                                                  \
        }                                                                      \
    }                                                                          \
  while (0)

/* Stop the current test (e.g. after a failed precondition). */
#define REQUIRE(cond)                                                          \
  do                                                                           \
    {                                                                          \
      CHECK (cond);                                                            \
      if (tap_cur_failed)                                                      \
        return;                                                                \
    }                                                                          \
  while (0)

#define RUN(fn)                                                                \
  do                                                                           \
    {                                                                          \
      tap_cur_failed = 0;                                                      \
      fflush (stdout);                                                         \
      fn ();                                                                   \
      tap_n++;                                                                 \
      if (tap_cur_failed)                                                      \
        tap_failed++;                                                          \
      printf ("%sok %d - %s\n", tap_cur_failed ? "not " : "", tap_n, #fn);     \
      fflush (stdout);                                                         \
    }                                                                          \
  while (0)

static inline int
tap_done (void)
{
  printf ("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

#endif
