/* internal.h - shared between the files of lib/seccomp (and its tests). */
#ifndef HULL_SECCOMP_INTERNAL_H
#define HULL_SECCOMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct oci_seccomp;

/* The kernel refuses classic BPF programs longer than this (BPF_MAXINSNS). */
#define SECCOMP_MAX_INSNS 4096
/* A cache entry is the canonical form plus the program; the canonical form
 * of a profile within the parser's limits stays far below this. */
#define SECCOMP_CACHE_MAX_ENTRY (8u << 20)
/* Entries kept in a cache directory; past this, the oldest are removed. */
#define SECCOMP_CACHE_MAX_FILES 64

/* 64-bit FNV-1a: names cache entries.  Not a security property: an entry is
 * used only when its stored canonical form matches byte for byte. */
uint64_t seccomp_fnv1a64 (uint64_t h, const void *data, size_t len);
#define SECCOMP_FNV_OFFSET 0xcbf29ce484222325ULL

/* The canonical form of s: every input to the compiler (effective actions,
 * arches, rules in order) plus what else decides the output (hull's version,
 * libseccomp's version and API level, the native architecture), serialised
 * unambiguously.  malloc'd, NUL-terminated. */
int seccomp_canonical (const struct oci_seccomp *s, char **out, size_t *len, struct error **err);

/* Compile with libseccomp (no cache).  *bpf is malloc'd sock_filter[]. */
int seccomp_compile_uncached (const struct oci_seccomp *s, void **bpf, size_t *n_insns,
                              struct error **err);

/* Open (creating it, mode 0700, if missing) the cache directory.  Returns a
 * directory fd, or -errno with *err set when it cannot be used (missing and
 * not creatable, or writable by someone other than us). */
int seccomp_cache_open (const char *cache_dir, struct error **err);
/* 1 and *bpf / *n_insns on a hit; 0 on a miss (absent, short, corrupt, other
 * canonical form). */
int seccomp_cache_lookup (int dirfd, const char *canonical, size_t canon_len, void **bpf,
                          size_t *n_insns);
int seccomp_cache_store (int dirfd, const char *canonical, size_t canon_len, const void *bpf,
                         size_t n_insns, struct error **err);
/* The file name an entry for this canonical form is stored under
 * ("<16 hex digits>.bpf"); buf must hold 32 bytes. */
const char *seccomp_cache_entry_name (const char *canonical, size_t canon_len, char buf[32]);

#endif
