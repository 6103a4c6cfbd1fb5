/* execinput.h - the parsers of `exec`'s untrusted input: the command-line
 * overrides merged into the container's process (--cwd, --env, --user,
 * --additional-gids, --cap) and the container's /etc/passwd, read for HOME.
 * Pure functions, fuzzed by tests/fuzz/fuzz-runtime-exec.c. */
#ifndef HULL_RUNTIME_EXECINPUT_H
#define HULL_RUNTIME_EXECINPUT_H

#include "base/json.h"
#include "oci/config.h"
#include "runtime/runtime.h"

#include <stddef.h>
#include <sys/types.h>

struct error;

/* The process of an exec without --process: the container's process
 * (config's "process") with o's overrides, parsed like a process.json. */
int exec_build_process (json_object *config, const struct runtime_exec_options *o,
                        struct oci_process *out, struct error **err);

/* The home directory of uid in the text of an /etc/passwd (len bytes, not
 * NUL-terminated): the sixth field of the first well-formed line whose third
 * field is uid, if absolute.  malloc'd, or NULL. */
char *passwd_home_for_uid (const char *data, size_t len, uid_t uid);

#endif
