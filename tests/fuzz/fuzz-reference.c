/* fuzz-reference: arbitrary bytes as an image reference (`hull pull X`,
 * names in archives and registries' replies).  The first byte picks the
 * flags, the rest is the reference.  Invariants: a parsed reference prints
 * as a string that parses back to the same reference (the canonical form
 * is a fixed point), its familiar form names the same image, and resolving
 * a short name against search registries yields only valid references. */
#include "registry/reference.h"
#include "registry/registries.h"

#include "base/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static struct registries_conf *conf;

static void
check_same (const char *s, unsigned flags)
{
  struct reference *r = NULL;
  struct error *err = NULL;
  if (reference_parse (s, flags, &r, &err) < 0)
    abort (); /* a printed reference must parse */
  char *again = reference_string (r);
  if (again == NULL || strcmp (again, s) != 0)
    abort ();
  free (again);
  reference_free (r);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1 || size > 4096)
    return 0;
  if (conf == NULL)
    {
      static const char json[]
          = "{\"unqualified-search-registries\": [\"127.0.0.1:5000\", \"docker.io\"],"
            " \"registries\": {\"docker.io\": {\"mirrors\": [\"mirror.lan:5000/hub\"]}}}";
      struct error *err = NULL;
      if (registries_conf_parse (json, strlen (json), &conf, &err) < 0)
        abort ();
    }
  unsigned flags = data[0] & (REFERENCE_NO_DEFAULT_TAG | REFERENCE_NAME_ONLY);
  char *s = strndup ((const char *)data + 1, size - 1);
  if (s == NULL)
    return 0;
  struct reference *r = NULL;
  struct error *err = NULL;
  int ret = reference_parse (s, flags, &r, &err);
  if (ret < 0)
    {
      if (err == NULL || r != NULL)
        abort ();
      error_free (err);
    }
  else
    {
      if (!reference_domain_valid (r->domain) || !reference_path_valid (r->path)
          || (r->tag && !reference_tag_valid (r->tag)))
        abort ();
      char *full = reference_string (r);
      char *fam = reference_familiar (r);
      if (full == NULL || fam == NULL)
        abort ();
      check_same (full, flags);
      /* the familiar form is the same image once made canonical again */
      struct reference *f = NULL;
      if (reference_parse (fam, flags, &f, &err) < 0)
        abort ();
      char *ffull = reference_string (f);
      if (ffull == NULL || strcmp (ffull, full) != 0)
        abort ();
      free (ffull);
      reference_free (f);
      struct reference *d = reference_dup (r);
      if (d == NULL)
        abort ();
      reference_free (d);
      free (full);
      free (fam);
      reference_free (r);
    }

  struct reference **list = NULL;
  err = NULL;
  if (reference_resolve (s, conf, flags, &list, &err) < 0)
    {
      if (err == NULL)
        abort ();
      error_free (err);
    }
  else
    {
      for (size_t i = 0; list && list[i]; i++)
        {
          char *c = reference_string (list[i]);
          if (c == NULL)
            abort ();
          check_same (c, flags);
          free (c);
        }
      reference_list_free (list);
    }
  free (s);
  return 0;
}
