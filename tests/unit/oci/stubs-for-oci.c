/* stubs-for-oci.c - stand-ins for oci_resources_parse() and
 * oci_seccomp_parse() while lib/oci/resources.c and lib/oci/seccomp.c (owned
 * by the cgroup and seccomp modules) have not landed.  Linked only into the
 * lib/oci unit tests, and only for the file that is missing (see meson.build):
 * the config parser's own tests need something to call.  They check the one
 * thing the caller relies on: the value is an object. */
#include "oci/config.h"

#include "base/error.h"

#include <errno.h>
#include <json-c/json.h>
#include <string.h>

#ifdef HULL_STUB_RESOURCES
int
oci_resources_parse (json_object *o, struct oci_resources *out, struct error **err)
{
  if (json_object_get_type (o) != json_type_object)
    return error_set (err, EINVAL, "must be an object");
  out->present = true;
  return 0;
}

void
oci_resources_clear (struct oci_resources *r)
{
  memset (r, 0, sizeof *r);
}
#endif

#ifdef HULL_STUB_SECCOMP
int
oci_seccomp_parse (json_object *o, struct oci_seccomp *out, struct error **err)
{
  if (json_object_get_type (o) != json_type_object)
    return error_set (err, EINVAL, "must be an object");
  out->present = true;
  return 0;
}

void
oci_seccomp_clear (struct oci_seccomp *s)
{
  memset (s, 0, sizeof *s);
}
#endif
