/* spec.h - documents hullrt writes: the default config.json of `hullrt spec`
 * and the runtime-spec features document of `hullrt features`. */
#ifndef HULL_OCI_SPEC_H
#define HULL_OCI_SPEC_H

#include <stdbool.h>

typedef struct json_object json_object;

/* The runtime-spec version hull writes (ociVersion of `spec`, of the state
 * document, ociVersionMax of `features`).  Reading accepts any 1.x. */
#define OCI_SPEC_VERSION "1.2.1"
#define OCI_SPEC_VERSION_MIN "1.0.0"

/* What `runc spec` writes (with rootless: what `runc spec --rootless`
 * writes, mapping root in the container to the caller's euid/egid).  A new
 * object the caller puts; NULL only when out of memory. */
json_object *oci_spec_default (bool rootless);

/* The features document (features.md of runtime-spec 1.2).  Seccomp's
 * supportedFlags are probed on the running kernel; everything else says what
 * hullrt implements.  A new object; NULL when out of memory. */
json_object *oci_features (void);

#endif
