#include "digest.h"

#include "error.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct digester
{
  EVP_MD_CTX *ctx;
  const EVP_MD *md;
  const char *name;
};

static const struct
{
  const char *name;
  size_t hexlen;
} algos[] = {
  { "sha256", 64 },
  { "sha512", 128 },
};

/* Length of the algorithm prefix of s ("sha256" of "sha256:..."), or of s. */
static size_t
algo_len (const char *s)
{
  const char *c = strchr (s, ':');
  return c ? (size_t)(c - s) : strlen (s);
}

static int
algo_index (const char *s, size_t len)
{
  for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
    if (strlen (algos[i].name) == len && strncmp (s, algos[i].name, len) == 0)
      return (int)i;
  return -1;
}

int
digest_validate (const char *s, struct error **err)
{
  if (s == NULL || *s == '\0')
    return error_set (err, EINVAL, "invalid digest: empty");
  const char *colon = strchr (s, ':');
  if (colon == NULL)
    return error_set (err, EINVAL, "invalid digest `%.80s`: no `algorithm:` prefix", s);
  int i = algo_index (s, (size_t)(colon - s));
  if (i < 0)
    return error_set (err, ENOTSUP, "invalid digest `%.80s`: unsupported algorithm `%.*s`", s,
                      (int)((colon - s) > 32 ? 32 : (colon - s)), s);
  const char *hex = colon + 1;
  size_t n = 0;
  for (; hex[n]; n++)
    if (!((hex[n] >= '0' && hex[n] <= '9') || (hex[n] >= 'a' && hex[n] <= 'f')))
      return error_set (err, EINVAL, "invalid digest `%.80s`: not lowercase hexadecimal", s);
  if (n != algos[i].hexlen)
    return error_set (err, EINVAL, "invalid digest `%.80s`: %s needs %zu hex digits, not %zu", s,
                      algos[i].name, algos[i].hexlen, n);
  return 0;
}

bool
digest_valid (const char *s)
{
  struct error *e = NULL;
  int r = digest_validate (s, &e);
  error_free (e);
  return r == 0;
}

const char *
digest_hex (const char *s)
{
  const char *c = strchr (s, ':');
  return c ? c + 1 : s;
}

int
digester_new (const char *algo, struct digester **out, struct error **err)
{
  int i = algo_index (algo, algo_len (algo));
  if (i < 0)
    return error_set (err, ENOTSUP, "unsupported digest algorithm `%.*s`",
                      (int)(algo_len (algo) > 32 ? 32 : algo_len (algo)), algo);
  struct digester *d = calloc (1, sizeof *d);
  if (d == NULL)
    return error_set (err, ENOMEM, "out of memory");
  d->name = algos[i].name;
  d->md = i == 0 ? EVP_sha256 () : EVP_sha512 ();
  d->ctx = EVP_MD_CTX_new ();
  if (d->ctx == NULL || EVP_DigestInit_ex (d->ctx, d->md, NULL) != 1)
    {
      digester_free (d);
      return error_set (err, ENOMEM, "cannot initialise %s", algos[i].name);
    }
  *out = d;
  return 0;
}

void
digester_update (struct digester *d, const void *buf, size_t len)
{
  if (len)
    EVP_DigestUpdate (d->ctx, buf, len);
}

void
digester_reset (struct digester *d)
{
  EVP_DigestInit_ex (d->ctx, d->md, NULL);
}

char *
digester_final (struct digester *d)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex (d->ctx, md, &n) != 1)
    return NULL;
  EVP_DigestInit_ex (d->ctx, d->md, NULL);
  size_t nl = strlen (d->name);
  char *s = malloc (nl + 1 + 2 * n + 1);
  if (s == NULL)
    return NULL;
  memcpy (s, d->name, nl);
  s[nl] = ':';
  static const char hexd[] = "0123456789abcdef";
  for (unsigned int k = 0; k < n; k++)
    {
      s[nl + 1 + 2 * k] = hexd[md[k] >> 4];
      s[nl + 2 + 2 * k] = hexd[md[k] & 15];
    }
  s[nl + 1 + 2 * n] = '\0';
  return s;
}

void
digester_free (struct digester *d)
{
  if (d == NULL)
    return;
  EVP_MD_CTX_free (d->ctx);
  free (d);
}

char *
digest_buffer (const char *algo, const void *buf, size_t len)
{
  struct digester *d = NULL;
  struct error *e = NULL;
  if (digester_new (algo, &d, &e) < 0)
    {
      error_free (e);
      return NULL;
    }
  digester_update (d, buf, len);
  char *s = digester_final (d);
  digester_free (d);
  return s;
}
