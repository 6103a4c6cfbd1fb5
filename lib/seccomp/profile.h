/* profile.h - seccomp profiles for the engine: Docker's profile format
 * (syscall entries with `includes` / `excludes` on capabilities,
 * architectures and kernel version, `archMap`, the old `name` key) resolved
 * into a runtime-spec linux.seccomp object for one container.
 *
 * The engine's default profile ships as data (data/seccomp/default.json,
 * installed under <datadir>/hull/seccomp/); `--security-opt seccomp=FILE`
 * takes a file in either format, since a runtime-spec object resolves to
 * itself.
 */
#ifndef HULL_SECCOMP_PROFILE_H
#define HULL_SECCOMP_PROFILE_H

#include <stdint.h>

struct error;
typedef struct json_object json_object;

/* Resolve profile for a container whose capability set is effective_caps
 * (bit n = capability n), on this host's native architecture and kernel.
 * The result is a new runtime-spec linux.seccomp object (validated with the
 * linux.seccomp parser; errors name the offending key of `profile`). */
int seccomp_profile_resolve (json_object *profile, uint64_t effective_caps,
                             json_object **oci_seccomp_out, struct error **err);

/* Same for a given architecture (Docker's names: "amd64", "arm64", "s390x",
 * ...) and kernel version, for tests and tools. */
int seccomp_profile_resolve_for (json_object *profile, uint64_t effective_caps, const char *arch,
                                 unsigned kernel_major, unsigned kernel_minor,
                                 json_object **oci_seccomp_out, struct error **err);

/* This host's architecture in Docker's naming ("amd64" on x86_64). */
const char *seccomp_profile_native_arch (void);

/* Path of the default profile: <datadir>/hull/seccomp/default.json when
 * installed, else the source tree's data/ (uninstalled builds).  NULL when
 * neither exists. */
const char *seccomp_profile_default_path (void);
/* Read and parse the default profile (not yet resolved). */
int seccomp_profile_load_default (json_object **out, struct error **err);

/* Docker's default capability set, for callers and tests. */
uint64_t seccomp_profile_docker_default_caps (void);

#endif
