/* Fuzz the config.json parser (a bundle is written by whoever hands it to
 * the runtime).  Besides memory errors, checks the promises of config.h: a
 * failure sets exactly one error and returns no config; a success yields
 * absolute, cleaned mount destinations and a non-empty argv. */
#include "oci/config.h"

#include "base/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_config (const struct oci_config *c)
{
  if (c->oci_version == NULL || c->root_path == NULL || c->json == NULL)
    abort ();
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      const char *d = c->mounts[i].destination;
      if (d == NULL || d[0] != '/' || strstr (d, "//") || strstr (d, "/./")
          || strstr (d, "/../") || (strlen (d) > 1 && d[strlen (d) - 1] == '/'))
        abort ();
    }
  if (c->has_process)
    {
      const struct oci_process *p = &c->process;
      if (p->args == NULL || p->args[0] == NULL || p->args[0][0] == '\0' || p->cwd == NULL
          || p->cwd[0] != '/')
        abort ();
      for (size_t i = 0; p->env && p->env[i]; i++)
        if (strchr (p->env[i], '=') == NULL)
          abort ();
      for (size_t i = 0; i < p->n_rlimits; i++)
        if (p->rlimits[i].soft > p->rlimits[i].hard)
          abort ();
    }
  for (int t = 0; t < OCI_NS_COUNT; t++)
    if (c->linux_.ns[t].path && c->linux_.ns[t].path[0] != '/')
      abort ();
  if (c->linux_.ns[OCI_NS_USER].present && !c->linux_.ns[OCI_NS_USER].path
      && (c->linux_.n_uid_mappings == 0 || c->linux_.n_gid_mappings == 0))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct oci_config *c = NULL;
  struct error *err = NULL;
  /* not NUL-terminated: the parser must honour size */
  int r = oci_config_parse ((const char *) data, size, &c, &err);
  if (r < 0)
    {
      if (err == NULL || c != NULL || err->msg == NULL || r != -err->code)
        abort ();
      /* one line, no control characters, bounded */
      for (const char *m = err->msg; *m; m++)
        if ((unsigned char) *m < 0x20 || *m == 0x7f)
          abort ();
      if (strlen (err->msg) > 1100)
        abort ();
      error_free (err);
      return 0;
    }
  if (err != NULL || c == NULL)
    abort ();
  check_config (c);
  oci_config_free (c);
  return 0;
}
