/* version-apk.c - Alpine (apk) version order.
 *
 * A version is  N(.N)*[letter](_suffix[N])*[-rN]  where the suffixes are
 * alpha, beta, pre, rc (pre-releases: below the plain version) and cvs,
 * svn, git, hg, p (post-releases: above it), in that order; -rN is the
 * package revision (-r0 when absent).  Anything else is invalid and
 * reported.
 *
 * apk compares the two versions as a sequence of tokens, each a class and
 * a value: the first number; each ".N" (class "dot-number"); a letter; a
 * suffix (its rank: alpha < beta < pre < rc < 0 <= cvs < svn < git < hg <
 * p); a suffix's number; the revision number; the end.  Tokens are
 * compared pairwise while their classes agree; the first differing value
 * decides.  When one side runs into a different class, that class decides:
 * a pre-release suffix is below everything, otherwise the side whose next
 * token comes earlier in the order  dot-number < letter < suffix <
 * suffix-number < revision < end  is the greater one (1.0.1 > 1.0a > 1.0;
 * 1.0_p1 > 1.0-r1 > 1.0).  A ".N" with leading zeros counts its zeros as a
 * negative number followed by the rest (apk's rule: 1.01 < 1.1, 1.001 <
 * 1.01).
 */
#include "scan/scan.h"

#include "base/error.h"

#include <errno.h>
#include <string.h>

#define APK_VERSION_MAX 256

enum tok
{
  T_DOTNUM = 0, /* a ".N" component (or the digits after its leading zeros) */
  T_LETTER,
  T_SUFFIX,
  T_SUFFIX_NO,
  T_REVISION,
  T_END,
};

static const char *const pre_suffixes[] = { "alpha", "beta", "pre", "rc" };
static const char *const post_suffixes[] = { "cvs", "svn", "git", "hg", "p" };

static bool
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* Length of the suffix name at p and its rank (pre-releases negative). */
static size_t
suffix_at (const char *p, long *rank)
{
  size_t n = 0;
  while (p[n] >= 'a' && p[n] <= 'z')
    n++;
  for (size_t i = 0; i < 4; i++)
    if (strlen (pre_suffixes[i]) == n && strncmp (p, pre_suffixes[i], n) == 0)
      {
        *rank = (long)i - 4;
        return n;
      }
  for (size_t i = 0; i < 5; i++)
    if (strlen (post_suffixes[i]) == n && strncmp (p, post_suffixes[i], n) == 0)
      {
        *rank = (long)i;
        return n;
      }
  return 0;
}

/* Digits as a number, saturating (values above 10^18 compare equal: apk
 * itself uses machine integers). */
static long long
number (const char **p)
{
  long long v = 0;
  while (is_digit (**p))
    {
      if (v < 100000000000000000LL)
        v = v * 10 + (**p - '0');
      (*p)++;
    }
  return v;
}

int
scan_apk_version_check (const char *v, struct error **err)
{
  size_t len = strlen (v);
  if (len == 0)
    return error_set (err, EINVAL, "invalid apk version ``: empty");
  if (len > APK_VERSION_MAX)
    return error_set (err, EINVAL, "invalid apk version `%.32s...`: longer than %d bytes", v,
                      APK_VERSION_MAX);
  const char *p = v;
  if (!is_digit (*p))
    return error_set (err, EINVAL, "invalid apk version `%s`: does not start with a digit", v);
  while (is_digit (*p))
    p++;
  while (*p == '.')
    {
      p++;
      if (!is_digit (*p))
        return error_set (err, EINVAL, "invalid apk version `%s`: empty component after `.`", v);
      while (is_digit (*p))
        p++;
    }
  if (*p >= 'a' && *p <= 'z')
    p++;
  while (*p == '_')
    {
      long rank;
      size_t n = suffix_at (p + 1, &rank);
      if (n == 0)
        return error_set (err, EINVAL, "invalid apk version `%s`: unknown suffix `%s`", v, p);
      p += 1 + n;
      while (is_digit (*p))
        p++;
    }
  if (p[0] == '-' && p[1] == 'r' && is_digit (p[2]))
    {
      p += 2;
      while (is_digit (*p))
        p++;
    }
  if (*p)
    return error_set (err, EINVAL, "invalid apk version `%s`: unexpected `%s`", v, p);
  return 0;
}

/* The next token of a valid version at *p.  *first is set while the
 * leading number has not been read. */
static enum tok
next_token (const char **p, bool *first, long long *val)
{
  const char *s = *p;
  if (*first)
    {
      *first = false;
      *val = number (&s);
      *p = s;
      return T_DOTNUM;
    }
  if (*s == 0)
    {
      *val = 0;
      return T_END;
    }
  if (*s == '.' || (is_digit (*s)))
    {
      /* ".N": leading zeros are a token of their own (minus their count);
       * digits after them follow as another dot-number token. */
      if (*s == '.')
        s++;
      if (*s == '0' && s[-1] == '.')
        {
          long long z = 0;
          while (*s == '0')
            s++, z++;
          *val = -z;
          /* the digits after the zeros, if any, are read next (no '.') */
          *p = s;
          return T_DOTNUM;
        }
      *val = number (&s);
      *p = s;
      return T_DOTNUM;
    }
  if (*s >= 'a' && *s <= 'z')
    {
      *val = *s;
      *p = s + 1;
      return T_LETTER;
    }
  if (*s == '_')
    {
      long rank = 0;
      size_t n = suffix_at (s + 1, &rank);
      s += 1 + n;
      *val = rank;
      *p = s;
      return T_SUFFIX;
    }
  if (*s == '-')
    {
      s += 2; /* "-r" */
      *val = number (&s);
      *p = s;
      return T_REVISION;
    }
  *val = 0;
  return T_END;
}

/* A suffix's number follows its name directly: read it as T_SUFFIX_NO. */
static enum tok
token (const char **p, bool *first, enum tok prev, long long *val)
{
  if (prev == T_SUFFIX && is_digit (**p))
    {
      *val = number (p);
      return T_SUFFIX_NO;
    }
  return next_token (p, first, val);
}

int
scan_apk_version_cmp (const char *a, const char *b, int *cmp, struct error **err)
{
  int r = scan_apk_version_check (a, err);
  if (r < 0)
    return r;
  r = scan_apk_version_check (b, err);
  if (r < 0)
    return r;
  bool fa = true, fb = true;
  enum tok ta = T_DOTNUM, tb = T_DOTNUM;
  long long va, vb;
  for (;;)
    {
      ta = token (&a, &fa, ta, &va);
      tb = token (&b, &fb, tb, &vb);
      if (ta != tb)
        break;
      if (va != vb)
        {
          *cmp = va < vb ? -1 : 1;
          return 0;
        }
      if (ta == T_END)
        {
          *cmp = 0;
          return 0;
        }
    }
  /* Different classes: a pre-release suffix is below anything; otherwise
   * the earlier class (more version to come) is the greater version. */
  if (ta == T_SUFFIX && va < 0)
    *cmp = -1;
  else if (tb == T_SUFFIX && vb < 0)
    *cmp = 1;
  else
    *cmp = ta < tb ? 1 : -1;
  return 0;
}
