/* WWW-Authenticate parsing: what registries send, and what an attacker might. */
#include "registry/challenge.h"

#include "base/cleanup.h"
#include "base/error.h"

#include "../../lib/tap.h"

#include <stdlib.h>

/* "scheme(token68){name=value;...}" per challenge, joined with '|' */
static char *
show (const struct auth_challenge *l, size_t n)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  for (size_t i = 0; i < n; i++)
    {
      fprintf (f, "%s%s", i ? "|" : "", l[i].scheme);
      if (l[i].token68)
        fprintf (f, "(%s)", l[i].token68);
      fputc ('{', f);
      for (size_t k = 0; k < l[i].n_params; k++)
        fprintf (f, "%s%s=%s", k ? ";" : "", l[i].params[k].name, l[i].params[k].value);
      fputc ('}', f);
    }
  fclose (f);
  return buf;
}

static const struct
{
  const char *in, *out;
} good[] = {
  { "Bearer "
    "realm=\"https://auth.docker.io/"
    "token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"",
    "bearer{realm=https://auth.docker.io/token;service=registry.docker.io;scope=repository:library/"
    "busybox:pull}" },
  { "Basic realm=\"Registry Realm\"", "basic{realm=Registry Realm}" },
  { "BEARER Realm=http://127.0.0.1:5001/token, service=registry,scope=\"repository:a/b:pull,push\"",
    "bearer{realm=http://127.0.0.1:5001/token;service=registry;scope=repository:a/b:pull,push}" },
  { "Basic dXNlcjpwYXNz==, Bearer realm=\"x\\\"y\\\\z\", Negotiate",
    "basic(dXNlcjpwYXNz==){}|bearer{realm=x\"y\\z}|negotiate{}" },
  { ",,, ,Basic,,Bearer  a = b , c=\"d\",, e=f", "basic{}|bearer{a=b;c=d;e=f}" },
  { "Basic realm=\"a\", Bearer realm=\"b\"", "basic{realm=a}|bearer{realm=b}" },
  { "Bearer realm=\"\"", "bearer{realm=}" },
  { "Bearer error=\"insufficient_scope\",scope=\"repository:x:push\"",
    "bearer{error=insufficient_scope;scope=repository:x:push}" },
  { "", "" },
};

static const struct
{
  const char *in, *msg;
} bad[] = {
  { "Bearer realm=\"unterminated", "invalid WWW-Authenticate header: `bearer` challenge: parameter "
                                   "`realm`: unterminated quoted string" },
  { "Bearer realm=\"a\",realm=\"b\"",
    "invalid WWW-Authenticate header: `bearer` challenge: duplicate parameter `realm`" },
  { "=broken", "invalid WWW-Authenticate header: expected an authentication scheme at byte 0" },
  { "Bearer realm=\"a\001b\"", "invalid WWW-Authenticate header: `bearer` challenge: parameter "
                               "`realm`: control character in quoted string" },
  { "Bearer realm=a\"b", "invalid WWW-Authenticate header: `bearer` challenge: parameter `realm`: "
                         "invalid character in parameter value" },
  { "Bearer realm=a b",
    "invalid WWW-Authenticate header: `bearer` challenge: expected `,` at byte 15" },
  { "Bea\"rer", "invalid WWW-Authenticate header: invalid character after scheme `bea`" },
};

static void
test_good (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (good); i++)
    {
      _cleanup_error_ struct error *err = NULL;
      struct auth_challenge *l = NULL;
      size_t n = 0;
      int ret = auth_challenges_parse (good[i].in, strlen (good[i].in), &l, &n, &err);
      if (ret < 0)
        printf ("#   `%s`: %s\n", good[i].in, err->msg);
      CHECK_INT (ret, ==, 0);
      _cleanup_free_ char *s = show (l, n);
      CHECK_STR (s, good[i].out);
      auth_challenges_free (l, n);
    }
}

static void
test_bad (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      _cleanup_error_ struct error *err = NULL;
      struct auth_challenge *l = NULL;
      size_t n = 0;
      CHECK_INT (auth_challenges_parse (bad[i].in, strlen (bad[i].in), &l, &n, &err), <, 0);
      CHECK (l == NULL && n == 0);
      CHECK_STR (err ? err->msg : NULL, bad[i].msg);
    }
}

static void
test_accumulate_and_limits (void)
{
  _cleanup_error_ struct error *err = NULL;
  struct auth_challenge *l = NULL;
  size_t n = 0;
  CHECK_INT (auth_challenges_parse ("Basic realm=x", 13, &l, &n, &err), ==, 0);
  CHECK_INT (auth_challenges_parse ("Bearer realm=y", 14, &l, &n, &err), ==, 0);
  CHECK_INT (n, ==, 2);
  /* a failing header leaves what was there */
  CHECK_INT (auth_challenges_parse ("Bearer realm=\"", 14, &l, &n, &err), <, 0);
  CHECK_INT (n, ==, 2);
  CHECK_STR (auth_challenge_param (&l[1], "REALM"), "y");
  CHECK (auth_challenge_param (&l[1], "service") == NULL);
  auth_challenges_free (l, n);

  /* the length argument is honoured: no NUL needed, nothing read past it */
  l = NULL, n = 0;
  CHECK_INT (auth_challenges_parse ("Basic realm=abcdef", 15, &l, &n, &err), ==, 0);
  REQUIRE (n == 1);
  CHECK_STR (auth_challenge_param (&l[0], "realm"), "abc");
  auth_challenges_free (l, n);

  /* bounds */
  char big[CHALLENGE_HEADER_MAX + 2];
  memset (big, 'a', sizeof big);
  l = NULL, n = 0;
  error_freep (&err);
  CHECK_INT (auth_challenges_parse (big, sizeof big, &l, &n, &err), ==, -EFBIG);
  char many[1024] = "";
  for (int i = 0; i < 20; i++)
    sprintf (many + strlen (many), "%sS%d a=b", i ? ", " : "", i);
  error_freep (&err);
  CHECK_INT (auth_challenges_parse (many, strlen (many), &l, &n, &err), ==, -E2BIG);
  char params[2048] = "Bearer ";
  for (int i = 0; i < 40; i++)
    sprintf (params + strlen (params), "%sp%d=v", i ? "," : "", i);
  error_freep (&err);
  CHECK_INT (auth_challenges_parse (params, strlen (params), &l, &n, &err), ==, -E2BIG);
  CHECK (l == NULL);
}

int
main (void)
{
  RUN (test_good);
  RUN (test_bad);
  RUN (test_accumulate_and_limits);
  return tap_done ();
}
