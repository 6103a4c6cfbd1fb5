/* version-lang.c - version order of language packages: Python's (PEP 440)
 * and npm's (semver 2.0.0), plus the dispatch by package type.
 *
 * PEP 440:  [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], compared on the
 * normalised form (case, "alpha"/"beta"/"c"/"pre"/"preview", "-N" as a
 * post-release, optional separators, a leading "v"): epoch, release
 * (trailing zeros ignored), then a dev-only release before pre-releases,
 * pre-releases before the release, post-releases after it, dev releases
 * before what they lead to, and local labels (numbers above words) after
 * the public version.
 * semver: numbers compared as numbers; a pre-release below its release;
 * pre-release identifiers numeric < alphanumeric; build metadata ignored.
 */
#include "scan/scan.h"

#include "base/error.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#define LANG_VERSION_MAX 256
#define PEP440_MAX_PARTS 32

static bool
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* Compare two digit strings as numbers of any size. */
static int
digits_cmp (const char *a, size_t al, const char *b, size_t bl)
{
  while (al > 0 && *a == '0')
    a++, al--;
  while (bl > 0 && *b == '0')
    b++, bl--;
  if (al != bl)
    return al < bl ? -1 : 1;
  int c = memcmp (a, b, al);
  return c < 0 ? -1 : c > 0;
}

/* ------------------------------------------------------------ PEP 440 */

struct span
{
  const char *s;
  size_t n;
};

struct pep440
{
  struct span epoch;
  struct span rel[PEP440_MAX_PARTS];
  size_t n_rel;
  int pre_kind; /* 0 none, 1 a, 2 b, 3 rc */
  struct span pre;
  bool has_post, has_dev;
  struct span post, dev;
  char local[LANG_VERSION_MAX + 1]; /* lowercased, "" none */
};

static bool
word_at (const char **p, const char *w)
{
  size_t n = strlen (w);
  if (strncasecmp (*p, w, n) == 0)
    {
      *p += n;
      return true;
    }
  return false;
}

static struct span
digits (const char **p)
{
  struct span s = { *p, 0 };
  while (is_digit ((*p)[s.n]))
    s.n++;
  *p += s.n;
  return s;
}

static bool
sep (char c)
{
  return c == '.' || c == '-' || c == '_';
}

static int
pep440_parse (const char *v, struct pep440 *o, struct error **err)
{
  memset (o, 0, sizeof *o);
  size_t len = strlen (v);
  if (len == 0 || len > LANG_VERSION_MAX)
    return error_set (err, EINVAL, "invalid Python version `%.64s`: %s", v,
                      len ? "too long" : "empty");
  const char *p = v;
  while (*p == ' ')
    p++;
  if (*p == 'v' || *p == 'V')
    p++;
  struct span first = digits (&p);
  if (first.n == 0)
    goto bad;
  if (*p == '!')
    {
      o->epoch = first;
      p++;
      first = digits (&p);
      if (first.n == 0)
        goto bad;
    }
  o->rel[o->n_rel++] = first;
  while (*p == '.' && is_digit (p[1]))
    {
      p++;
      if (o->n_rel == PEP440_MAX_PARTS)
        goto bad;
      o->rel[o->n_rel++] = digits (&p);
    }
  /* pre-release */
  const char *q = p;
  if (sep (*q))
    q++;
  static const struct
  {
    const char *w;
    int kind;
  } pre[] = { { "alpha", 1 },   { "a", 1 },   { "beta", 2 }, { "b", 2 },
              { "preview", 3 }, { "pre", 3 }, { "rc", 3 },   { "c", 3 } };
  for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
    if (word_at (&q, pre[i].w))
      {
        o->pre_kind = pre[i].kind;
        if (sep (*q) && is_digit (q[1]))
          q++;
        o->pre = digits (&q);
        p = q;
        break;
      }
  /* post-release */
  q = p;
  if (*q == '-' && is_digit (q[1]))
    {
      q++;
      o->has_post = true;
      o->post = digits (&q);
      p = q;
    }
  else
    {
      if (sep (*q))
        q++;
      if (word_at (&q, "post") || word_at (&q, "rev") || word_at (&q, "r"))
        {
          o->has_post = true;
          if (sep (*q) && is_digit (q[1]))
            q++;
          o->post = digits (&q);
          p = q;
        }
    }
  /* dev release */
  q = p;
  if (sep (*q))
    q++;
  if (word_at (&q, "dev"))
    {
      o->has_dev = true;
      if (sep (*q) && is_digit (q[1]))
        q++;
      o->dev = digits (&q);
      p = q;
    }
  if (*p == '+')
    {
      p++;
      size_t n = 0;
      if (!isalnum ((unsigned char)*p))
        goto bad;
      while (*p && *p != ' ')
        {
          if (!isalnum ((unsigned char)*p) && !sep (*p))
            goto bad;
          o->local[n++] = sep (*p) ? '.' : (char)tolower ((unsigned char)*p);
          p++;
        }
      o->local[n] = 0;
    }
  while (*p == ' ')
    p++;
  if (*p)
    goto bad;
  return 0;
bad:
  return error_set (err, EINVAL, "invalid Python version `%s`", v);
}

static int
span_num_cmp (struct span a, struct span b)
{
  return digits_cmp (a.s, a.n, b.s, b.n);
}

/* Local labels: dot-separated segments, numbers above words, words
 * lexically, a longer label above its prefix. */
static int
local_cmp (const char *a, const char *b)
{
  while (*a && *b)
    {
      size_t an = strcspn (a, "."), bn = strcspn (b, ".");
      bool ad = strspn (a, "0123456789") == an, bd = strspn (b, "0123456789") == bn;
      int c;
      if (ad && bd)
        c = digits_cmp (a, an, b, bn);
      else if (ad != bd)
        c = ad ? 1 : -1;
      else
        {
          size_t m = an < bn ? an : bn;
          c = memcmp (a, b, m);
          if (c == 0)
            c = an < bn ? -1 : an > bn;
          c = c < 0 ? -1 : c > 0;
        }
      if (c)
        return c;
      a += an + (a[an] == '.');
      b += bn + (b[bn] == '.');
    }
  return *a ? 1 : *b ? -1 : 0;
}

int
scan_pep440_cmp (const char *a, const char *b, int *cmp, struct error **err)
{
  struct pep440 x, y;
  int r = pep440_parse (a, &x, err);
  if (r < 0)
    return r;
  r = pep440_parse (b, &y, err);
  if (r < 0)
    return r;
  static const char zero[] = "0";
  struct span z = { zero, 1 };
  int c = span_num_cmp (x.epoch.n ? x.epoch : z, y.epoch.n ? y.epoch : z);
  for (size_t i = 0; c == 0 && (i < x.n_rel || i < y.n_rel); i++)
    c = span_num_cmp (i < x.n_rel ? x.rel[i] : z, i < y.n_rel ? y.rel[i] : z);
  if (c == 0)
    {
      /* pre-release key: dev-only release lowest, no pre-release highest */
      int kx = x.pre_kind ? x.pre_kind : (x.has_dev && !x.has_post ? 0 : 4);
      int ky = y.pre_kind ? y.pre_kind : (y.has_dev && !y.has_post ? 0 : 4);
      c = kx < ky ? -1 : kx > ky;
      if (c == 0 && x.pre_kind)
        c = span_num_cmp (x.pre.n ? x.pre : z, y.pre.n ? y.pre : z);
    }
  if (c == 0)
    {
      if (x.has_post != y.has_post)
        c = x.has_post ? 1 : -1;
      else if (x.has_post)
        c = span_num_cmp (x.post.n ? x.post : z, y.post.n ? y.post : z);
    }
  if (c == 0)
    {
      if (x.has_dev != y.has_dev)
        c = x.has_dev ? -1 : 1;
      else if (x.has_dev)
        c = span_num_cmp (x.dev.n ? x.dev : z, y.dev.n ? y.dev : z);
    }
  if (c == 0)
    c = local_cmp (x.local, y.local);
  *cmp = c;
  return 0;
}

/* ------------------------------------------------------------ semver */

struct semver
{
  struct span num[3];
  const char *pre; /* after '-', up to '+' or end; NULL none */
  size_t pre_n;
};

static int
semver_parse (const char *v, struct semver *o, struct error **err)
{
  memset (o, 0, sizeof *o);
  size_t len = strlen (v);
  if (len == 0 || len > LANG_VERSION_MAX)
    return error_set (err, EINVAL, "invalid semver `%.64s`: %s", v, len ? "too long" : "empty");
  const char *p = v;
  if (*p == 'v' || *p == '=')
    p++;
  for (int i = 0; i < 3; i++)
    {
      o->num[i] = digits (&p);
      if (o->num[i].n == 0)
        goto bad;
      if (i < 2 && *p++ != '.')
        goto bad;
    }
  if (*p == '-')
    {
      o->pre = ++p;
      while (*p && *p != '+')
        {
          if (!isalnum ((unsigned char)*p) && *p != '-' && *p != '.')
            goto bad;
          p++;
        }
      o->pre_n = (size_t)(p - o->pre);
      if (o->pre_n == 0)
        goto bad;
    }
  if (*p == '+')
    {
      p++;
      if (!*p)
        goto bad;
      for (; *p; p++)
        if (!isalnum ((unsigned char)*p) && *p != '-' && *p != '.')
          goto bad;
    }
  if (*p)
    goto bad;
  return 0;
bad:
  return error_set (err, EINVAL, "invalid semver `%s`", v);
}

int
scan_semver_cmp (const char *a, const char *b, int *cmp, struct error **err)
{
  struct semver x, y;
  int r = semver_parse (a, &x, err);
  if (r < 0)
    return r;
  r = semver_parse (b, &y, err);
  if (r < 0)
    return r;
  int c = 0;
  for (int i = 0; c == 0 && i < 3; i++)
    c = span_num_cmp (x.num[i], y.num[i]);
  if (c == 0 && (x.pre || y.pre))
    {
      if (!x.pre || !y.pre)
        c = x.pre ? -1 : 1;
      else
        {
          const char *pa = x.pre, *ea = x.pre + x.pre_n;
          const char *pb = y.pre, *eb = y.pre + y.pre_n;
          while (c == 0 && pa < ea && pb < eb)
            {
              size_t an = 0, bn = 0;
              while (pa + an < ea && pa[an] != '.')
                an++;
              while (pb + bn < eb && pb[bn] != '.')
                bn++;
              bool ad = true, bd = true;
              for (size_t i = 0; i < an; i++)
                ad = ad && is_digit (pa[i]);
              for (size_t i = 0; i < bn; i++)
                bd = bd && is_digit (pb[i]);
              if (ad && bd)
                c = digits_cmp (pa, an, pb, bn);
              else if (ad != bd)
                c = ad ? -1 : 1;
              else
                {
                  size_t m = an < bn ? an : bn;
                  c = memcmp (pa, pb, m);
                  c = c < 0 ? -1 : c > 0 ? 1 : (an < bn ? -1 : an > bn);
                }
              pa += an + (pa + an < ea);
              pb += bn + (pb + bn < eb);
            }
          if (c == 0)
            c = pa < ea ? 1 : pb < eb ? -1 : 0;
        }
    }
  *cmp = c;
  return 0;
}

/* ------------------------------------------------------------ dispatch */

const char *
scan_pkg_type_name (enum scan_pkg_type t)
{
  switch (t)
    {
    case SCAN_PKG_DEB:
      return "deb";
    case SCAN_PKG_APK:
      return "apk";
    case SCAN_PKG_PYTHON:
      return "python";
    case SCAN_PKG_NPM:
      return "npm";
    }
  return "unknown";
}

int
scan_version_cmp (enum scan_pkg_type t, const char *a, const char *b, int *cmp, struct error **err)
{
  switch (t)
    {
    case SCAN_PKG_DEB:
      return scan_dpkg_version_cmp (a, b, cmp, err);
    case SCAN_PKG_APK:
      return scan_apk_version_cmp (a, b, cmp, err);
    case SCAN_PKG_PYTHON:
      return scan_pep440_cmp (a, b, cmp, err);
    case SCAN_PKG_NPM:
      return scan_semver_cmp (a, b, cmp, err);
    }
  return error_set (err, EINVAL, "unknown package type");
}
