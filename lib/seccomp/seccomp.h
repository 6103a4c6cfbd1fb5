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
/* Same, telling whether the program came from the cache. */
int seccomp_filter_compile_ex (const struct oci_seccomp *s,
                               const char *cache_dir,
                               struct seccomp_filter **out, bool *cache_hit,
                               struct error **err);
void seccomp_filter_free (struct seccomp_filter *f);

/* Load into the calling thread with seccomp(2).  Async-signal-safe: no
 * allocation.  Returns the listener fd (>= 0) when f->notify, 0 otherwise,
 * -errno on failure. */
int seccomp_filter_load (const struct seccomp_filter *f);

/* A profile using SCMP_ACT_NOTIFY needs a listenerPath, and may not notify
 * the syscalls that hand the listener over (sendmsg, recvmsg).  Called by
 * the compile functions; 0 for profiles without NOTIFY. */
struct oci_seccomp;
int seccomp_notify_check (const struct oci_seccomp *s, struct error **err);

/* Send the notify listener fd and the container process state (the JSON
 * seccomp_listener_payload() builds) to the socket at listener_path, one
 * connection per container (runtime-spec: seccomp notify).  A path starting
 * with `@` names an abstract socket, as Go's net.Dial (runc) reads it. */
int seccomp_send_listener (const char *listener_path, int listener_fd,
                           const char *state_json, struct error **err);

/* Build the runtime-spec "container process state" sent with the listener:
 * {"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state"}, from the
 * container's state JSON (state_json) and linux.seccomp.listenerMetadata
 * (may be NULL).  *out is malloc'd. */
int seccomp_listener_payload (const char *listener_metadata, int pid,
                              const char *state_json, char **out,
                              struct error **err);

#endif
