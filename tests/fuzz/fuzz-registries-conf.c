/* fuzz-registries-conf: arbitrary bytes as registries.json.  A parse either
 * fails with a message, or yields a configuration whose lookups (entries,
 * mirrors, insecurity) work on references it was not written for. */
#include "registry/reference.h"
#include "registry/registries.h"

#include "base/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
endpoints (const struct registries_conf *conf, const char *ref, bool for_push)
{
  struct reference *r = NULL;
  struct error *err = NULL;
  if (reference_parse (ref, 0, &r, &err) < 0)
    abort ();
  struct registry_endpoint *eps = NULL;
  size_t n = 0;
  if (registries_endpoints (conf, r, for_push, &eps, &n, &err) < 0)
    {
      if (err == NULL || eps != NULL)
        abort ();
      error_free (err);
    }
  else
    {
      if (n == 0)
        abort (); /* at least the registry itself */
      for (size_t i = 0; i < n; i++)
        if (eps[i].domain == NULL || eps[i].path == NULL || (for_push && eps[i].mirror))
          abort ();
      registry_endpoints_free (eps, n);
    }
  reference_free (r);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct registries_conf *conf = NULL;
  struct error *err = NULL;
  if (registries_conf_parse ((const char *)data, size, &conf, &err) < 0)
    {
      if (err == NULL || conf != NULL)
        abort ();
      error_free (err);
      return 0;
    }
  if (conf->certs_dirs == NULL)
    abort ();
  for (char **s = conf->search; s && *s; s++)
    if (!reference_domain_valid (*s))
      abort ();
  registries_find (conf, "docker.io", "library/busybox");
  registries_insecure (conf, "localhost:5000");
  registries_insecure (conf, "registry.example:443");
  endpoints (conf, "docker.io/library/busybox:latest", false);
  endpoints (conf, "docker.io/library/busybox:latest", true);
  endpoints (conf,
             "127.0.0.1:5000/a/b/c@sha256:"
             "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
             false);
  for (size_t i = 0; i < conf->n_entries; i++)
    {
      /* an entry's own prefix finds an entry (itself or a longer one) */
      const char *p = conf->entries[i].prefix;
      char *dom = strndup (p, strcspn (p, "/"));
      const char *path = p[strcspn (p, "/")] ? p + strcspn (p, "/") + 1 : "";
      if (dom && registries_find (conf, dom, path) == NULL)
        abort ();
      free (dom);
    }
  registries_conf_free (conf);
  return 0;
}
