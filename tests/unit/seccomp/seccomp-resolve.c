/* seccomp-resolve - print the runtime-spec linux.seccomp object a profile
 * resolves to, for the integration tests (which then hand it to a runtime,
 * hullrt or another one).
 *
 *   seccomp-resolve [--caps docker|none|CAP_X,CAP_Y,...] [PROFILE]
 *
 * Without PROFILE: the default profile.  --caps may be repeated; "docker" is
 * Docker's default capability set (the default). */
#include "base/error.h"
#include "base/json.h"
#include "oci/config.h"
#include "seccomp/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main (int argc, char **argv)
{
  uint64_t caps = 0;
  bool caps_given = false;
  const char *file = NULL;
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--caps") == 0 && i + 1 < argc)
        {
          caps_given = true;
          char *list = strdup (argv[++i]), *save = NULL;
          for (char *c = strtok_r (list, ",", &save); c; c = strtok_r (NULL, ",", &save))
            {
              if (strcmp (c, "docker") == 0)
                caps |= seccomp_profile_docker_default_caps ();
              else if (strcmp (c, "none") != 0)
                {
                  int n = oci_cap_from_name (c);
                  if (n < 0)
                    {
                      fprintf (stderr, "seccomp-resolve: unknown capability `%s`\n", c);
                      return 2;
                    }
                  caps |= 1ULL << n;
                }
            }
          free (list);
        }
      else if (argv[i][0] != '-' && file == NULL)
        file = argv[i];
      else
        {
          fprintf (stderr, "usage: seccomp-resolve [--caps docker|none|CAP_X,...] [PROFILE]\n");
          return 2;
        }
    }
  if (!caps_given)
    caps = seccomp_profile_docker_default_caps ();

  json_object *p = NULL, *oci = NULL;
  struct error *err = NULL;
  int r = file ? jsonx_parse_file (file, 4u << 20, &p, &err)
               : seccomp_profile_load_default (&p, &err);
  if (r == 0)
    r = seccomp_profile_resolve (p, caps, &oci, &err);
  if (r < 0)
    {
      fprintf (stderr, "seccomp-resolve: %s\n", err->msg);
      return 1;
    }
  puts (json_object_to_json_string_ext (oci, JSON_C_TO_STRING_PLAIN));
  json_object_put (oci);
  json_object_put (p);
  return 0;
}
