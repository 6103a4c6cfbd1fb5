/* seccomp-parse.h - the linux.seccomp parser's extra entry points, for the
 * seccomp module (lib/seccomp) and its tests.  config.h has the model and
 * oci_seccomp_parse(); this adds name tables and a parser whose error
 * messages are rooted somewhere other than "linux.seccomp" (a profile file
 * given to the engine is the seccomp object itself).
 */
#ifndef HULL_OCI_SECCOMP_PARSE_H
#define HULL_OCI_SECCOMP_PARSE_H

#include "oci/config.h"

/* Input limits: a profile is small (Docker's default has ~40 entries and
 * ~450 names); these only stop pathological input from costing unbounded
 * memory and compile time. */
#define OCI_SECCOMP_MAX_SYSCALLS 4096 /* entries in syscalls[] */
#define OCI_SECCOMP_MAX_NAMES 16384   /* names over all entries */
#define OCI_SECCOMP_MAX_NAME_LEN 64
#define OCI_SECCOMP_MAX_ARGS 64 /* args[] of one entry */
#define OCI_SECCOMP_MAX_ARCHES 32
#define OCI_SECCOMP_MAX_FLAGS 16
#define OCI_SECCOMP_MAX_METADATA 65536
#define OCI_SECCOMP_MAX_ERRNO 65535 /* SECCOMP_RET_DATA is 16 bits */

/* `where` roots the key paths in error messages: "linux.seccomp" gives
 * "`linux.seccomp.syscalls[3].action`: ...", NULL or "" gives
 * "`syscalls[3].action`: ...".  A NULL o (or JSON null) is an absent object:
 * out->present = false. */
int oci_seccomp_parse_at (json_object *o, const char *where, struct oci_seccomp *out,
                          struct error **err);

/* "SCMP_ACT_ERRNO" <-> OCI_SECCOMP_ERRNO; -1 / NULL when unknown. */
int oci_seccomp_action_from_name (const char *name);
const char *oci_seccomp_action_name (enum oci_seccomp_action a);
int oci_seccomp_op_from_name (const char *name);
const char *oci_seccomp_op_name (enum oci_seccomp_op op);
/* Is this one of runtime-spec's SCMP_ARCH_* / SECCOMP_FILTER_FLAG_* names? */
bool oci_seccomp_arch_valid (const char *name);
bool oci_seccomp_flag_valid (const char *name);

#endif
