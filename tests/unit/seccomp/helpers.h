/* helpers.h - shared by the seccomp unit tests: profiles from JSON text,
 * and running code in a forked child under a loaded filter. */
#ifndef HULL_TESTS_SECCOMP_HELPERS_H
#define HULL_TESTS_SECCOMP_HELPERS_H

#include "base/error.h"
#include "base/json.h"
#include "oci/seccomp-parse.h"
#include "seccomp/seccomp.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Parse a linux.seccomp object from text; NULL (and a TAP comment) on
 * failure. */
static inline struct oci_seccomp *
profile_from_text (const char *text)
{
  struct error *err = NULL;
  json_object *o = NULL;
  struct oci_seccomp *s = calloc (1, sizeof *s);
  if (jsonx_parse (text, strlen (text), &o, &err) < 0 || oci_seccomp_parse (o, s, &err) < 0)
    {
      printf ("# profile: %s\n", err ? err->msg : "?");
      error_free (err);
      json_object_put (o);
      free (s);
      return NULL;
    }
  json_object_put (o);
  return s;
}

static inline void
profile_free (struct oci_seccomp *s)
{
  oci_seccomp_clear (s);
  free (s);
}

static inline struct seccomp_filter *
filter_from_text (const char *text)
{
  struct oci_seccomp *s = profile_from_text (text);
  if (s == NULL)
    return NULL;
  struct seccomp_filter *f = NULL;
  struct error *err = NULL;
  if (seccomp_filter_compile (s, NULL, &f, &err) < 0)
    {
      printf ("# compile: %s\n", err->msg);
      error_free (err);
    }
  profile_free (s);
  return f;
}

/* In a filtered child only write() and exit are sure to be allowed: report
 * a failed expectation with one write() and end the child. */
#define CHILD_EXPECT(cond)                                                                         \
  do                                                                                               \
    {                                                                                              \
      if (!(cond))                                                                                 \
        {                                                                                          \
          char _b[200];                                                                            \
          int _n = snprintf (_b, sizeof _b, "#   child %s:%d: %s (errno %d)\n", __FILE__,          \
                             __LINE__, #cond, errno);                                              \
          if (write (1, _b, (size_t)_n) < 0)                                                       \
            {                                                                                      \
            }                                                                                      \
          return 1;                                                                                \
        }                                                                                          \
    }                                                                                              \
  while (0)

/* Fork; in the child set no_new_privs (needed to load a filter without
 * CAP_SYS_ADMIN, and what a container gets), make it undumpable (a SIGSYS
 * must not leave a core file), load f, run body.  Returns the wait status,
 * or -1.  *listener gets the notify fd in the child, passed to body. */
static inline int
run_filtered (const struct seccomp_filter *f, int (*body) (int listener, void *), void *arg)
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      struct rlimit no_core = { 0, 0 };
      setrlimit (RLIMIT_CORE, &no_core);
      prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit (120);
      int r = seccomp_filter_load (f);
      if (r < 0)
        {
          char b[80];
          int n = snprintf (b, sizeof b, "#   child: load: %s\n", strerror (-r));
          if (write (1, b, (size_t)n) < 0)
            {
            }
          _exit (121);
        }
      _exit (body (r, arg));
    }
  int st;
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      return -1;
  return st;
}

#define CHECK_EXITED_OK(st)                                                                        \
  do                                                                                               \
    {                                                                                              \
      int _st = (st);                                                                              \
      if (!(WIFEXITED (_st) && WEXITSTATUS (_st) == 0))                                            \
        {                                                                                          \
          printf ("#   %s:%d: child status 0x%x (exit %d, signal %d)\n", __FILE__, __LINE__, _st,  \
                  WIFEXITED (_st) ? WEXITSTATUS (_st) : -1,                                        \
                  WIFSIGNALED (_st) ? WTERMSIG (_st) : -1);                                        \
          tap_cur_failed = 1;                                                                      \
        }                                                                                          \
    }                                                                                              \
  while (0)

#endif
