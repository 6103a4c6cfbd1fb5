/* version-dpkg.c - Debian version order, as deb-version(7) and dpkg define it.
 *
 * [epoch:]upstream[-revision]: the epoch is a decimal number (0 when
 * absent); the revision is what follows the last '-' ("" when absent, which
 * orders like "0"); the upstream part starts with a digit and may hold
 * alphanumerics and . + ~ - : (':' only with an epoch, '-' only with a
 * revision); the revision alphanumerics and . + ~.
 *
 * Upstream parts and revisions compare left to right, alternating a run of
 * non-digits (compared character by character: '~' before everything, even
 * the end of the string; then the end; then letters; then everything else,
 * in ASCII order within each class) and a run of digits (compared as
 * numbers, any length).  Invalid versions are errors, never guessed at.
 */
#include "scan/scan.h"

#include "base/error.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define DPKG_VERSION_MAX 256

struct dver
{
  unsigned long epoch;
  const char *up, *up_end;
  const char *rev, *rev_end; /* rev == rev_end: none */
};

static bool
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static bool
is_alpha (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
dpkg_parse (const char *v, struct dver *out, struct error **err)
{
  size_t len = strlen (v);
  if (len == 0)
    return error_set (err, EINVAL, "invalid version ``: empty");
  if (len > DPKG_VERSION_MAX)
    return error_set (err, EINVAL, "invalid version `%.32s...`: longer than %d bytes", v,
                      DPKG_VERSION_MAX);
  for (size_t i = 0; i < len; i++)
    if (isspace ((unsigned char)v[i]))
      return error_set (err, EINVAL, "invalid version `%s`: contains a space", v);

  const char *end = v + len;
  const char *colon = strchr (v, ':');
  out->epoch = 0;
  const char *up = v;
  if (colon)
    {
      if (colon == v)
        return error_set (err, EINVAL, "invalid version `%s`: empty epoch", v);
      unsigned long e = 0;
      for (const char *p = v; p < colon; p++)
        {
          if (!is_digit (*p))
            return error_set (err, EINVAL, "invalid version `%s`: epoch is not a number", v);
          e = e * 10 + (unsigned long)(*p - '0');
          if (e > INT_MAX)
            return error_set (err, EINVAL, "invalid version `%s`: epoch too big", v);
        }
      out->epoch = e;
      up = colon + 1;
      if (up == end)
        return error_set (err, EINVAL, "invalid version `%s`: nothing after the epoch", v);
    }
  const char *dash = NULL;
  for (const char *p = up; p < end; p++)
    if (*p == '-')
      dash = p;
  out->up = up;
  out->up_end = dash ? dash : end;
  out->rev = out->rev_end = end;
  if (dash)
    {
      out->rev = dash + 1;
      if (out->rev == end)
        return error_set (err, EINVAL, "invalid version `%s`: empty revision", v);
    }
  if (out->up == out->up_end)
    return error_set (err, EINVAL, "invalid version `%s`: empty upstream version", v);
  if (!is_digit (*out->up))
    return error_set (err, EINVAL, "invalid version `%s`: does not start with a digit", v);
  for (const char *p = out->up; p < out->up_end; p++)
    if (!is_digit (*p) && !is_alpha (*p) && !strchr (".-+~:", *p))
      return error_set (err, EINVAL, "invalid version `%s`: invalid character `%c`", v, *p);
  for (const char *p = out->rev; p < out->rev_end; p++)
    if (!is_digit (*p) && !is_alpha (*p) && !strchr (".+~", *p))
      return error_set (err, EINVAL, "invalid version `%s`: invalid character `%c` in the revision",
                        v, *p);
  return 0;
}

/* The weight of one character in a non-digit run; the end of the string
 * (and a digit, where the other side still has non-digits) weighs 0. */
static int
weight (const char *p, const char *end)
{
  if (p >= end || is_digit (*p))
    return 0;
  if (*p == '~')
    return -1;
  if (is_alpha (*p))
    return (unsigned char)*p;
  return (unsigned char)*p + 256;
}

static int
part_cmp (const char *a, const char *ae, const char *b, const char *be)
{
  while (a < ae || b < be)
    {
      while ((a < ae && !is_digit (*a)) || (b < be && !is_digit (*b)))
        {
          int wa = weight (a, ae), wb = weight (b, be);
          if (wa != wb)
            return wa < wb ? -1 : 1;
          /* equal weights: both are the same non-digit character */
          a++;
          b++;
        }
      while (a < ae && *a == '0')
        a++;
      while (b < be && *b == '0')
        b++;
      /* Numbers of any length: the longer one (without leading zeros) is
       * bigger, else the first differing digit decides. */
      int first = 0;
      while (a < ae && is_digit (*a) && b < be && is_digit (*b))
        {
          if (!first)
            first = *a - *b;
          a++;
          b++;
        }
      if (a < ae && is_digit (*a))
        return 1;
      if (b < be && is_digit (*b))
        return -1;
      if (first)
        return first < 0 ? -1 : 1;
    }
  return 0;
}

int
scan_dpkg_version_check (const char *v, struct error **err)
{
  struct dver d;
  return dpkg_parse (v, &d, err);
}

int
scan_dpkg_version_cmp (const char *a, const char *b, int *cmp, struct error **err)
{
  struct dver da, db;
  int r = dpkg_parse (a, &da, err);
  if (r < 0)
    return r;
  r = dpkg_parse (b, &db, err);
  if (r < 0)
    return r;
  if (da.epoch != db.epoch)
    {
      *cmp = da.epoch < db.epoch ? -1 : 1;
      return 0;
    }
  int c = part_cmp (da.up, da.up_end, db.up, db.up_end);
  if (c == 0)
    c = part_cmp (da.rev, da.rev_end, db.rev, db.rev_end);
  *cmp = c;
  return 0;
}
