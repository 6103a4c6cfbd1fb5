/* seccomp.h - linux.seccomp -> a BPF program, compiled once through
 * libseccomp and cached, then loaded in the container process just before
 * execve (where nothing can be allocated or parsed any more).
 */
#ifndef HULL_SECCOMP_SECCOMP_H
#define HULL_SECCOMP_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct oci_seccomp;

struct seccomp_filter
{
  void *bpf;            /* struct sock_filter[] */
  size_t n_insns;
  unsigned int flags;   /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
  bool notify;          /* uses SCMP_ACT_NOTIFY: load returns a listener fd */
};

/* Compile s into *out.  cache_dir (may be NULL) holds compiled programs keyed
 * by the profile's canonical form, so the second container with the same
 * profile skips libseccomp entirely; the cache entry stores that canonical
 * form too and is used only when it matches byte for byte. */
int seccomp_filter_compile (const struct oci_seccomp *s, const char *cache_dir,
                            struct seccomp_filter **out, struct error **err);
void seccomp_filter_free (struct seccomp_filter *f);

/* Load into the calling thread with seccomp(2).  Async-signal-safe: no
 * allocation.  Returns the listener fd (>= 0) when f->notify, 0 otherwise,
 * -errno on failure. */
int seccomp_filter_load (const struct seccomp_filter *f);

/* Send the notify listener fd and the container state JSON to the socket at
 * listener_path (runtime-spec: seccomp notify). */
int seccomp_send_listener (const char *listener_path, int listener_fd,
                           const char *state_json, struct error **err);

#endif
