/* registries.h - hull's registries configuration.
 *
 * One JSON file: the path given by the caller (hull's --registries-conf),
 * else $HULL_REGISTRIES_CONF, else /etc/hull/registries.json.  A missing
 * default file means "defaults"; a missing file that was asked for by name is
 * an error.
 *
 *   {
 *     "unqualified-search-registries": ["docker.io", "quay.io"],
 *     "registries": {
 *       "127.0.0.1:5000":   { "insecure": true },
 *       "docker.io":        { "mirrors": ["mirror.lan:5000", "10.0.0.9/hub"] },
 *       "evil.example/x":   { "blocked": true }
 *     },
 *     "certs-dirs": ["/etc/hull/certs.d"]
 *   }
 *
 * "registries" keys are prefixes "host[:port][/path]"; for a given image the
 * longest prefix that matches on a '/' boundary applies.  "insecure": plain
 * http is allowed and TLS certificates are not verified.  Loopback registries
 * (localhost, 127.0.0.0/8, [::1]) are insecure unless an entry says
 * "insecure": false, as in docker.  "mirrors" are tried in order before the
 * registry itself when pulling (never when pushing); a mirror location may
 * have a path prefix that replaces the registry's domain; a mirror's own
 * insecurity is looked up as an entry of its own.  "blocked" refuses pulls
 * and pushes.
 *
 * Per-registry TLS files, as docker and podman lay them out: for the registry
 * "HOST:PORT" the directory certs.d/HOST:PORT/ holds *.crt (extra CA
 * certificates, added to the system ones) and *.cert + *.key pairs (client
 * certificate and key).  The certs.d directories searched are "certs-dirs"
 * from the file, else $HULL_CERTS_DIRS (':'-separated), else
 * /etc/hull/certs.d, /etc/containers/certs.d, /etc/docker/certs.d; the
 * first that has a HOST:PORT subdirectory wins.
 */
#ifndef HULL_REGISTRY_REGISTRIES_H
#define HULL_REGISTRY_REGISTRIES_H

#include <stdbool.h>
#include <stddef.h>

struct error;
struct reference;

#define REGISTRIES_CONF_DEFAULT "/etc/hull/registries.json"
#define REGISTRIES_CONF_MAX (1 << 20)

struct registry_entry
{
  char *prefix; /* "host[:port][/path]" */
  bool insecure;
  bool insecure_set; /* "insecure" was present (false overrides loopback) */
  bool blocked;
  char **mirrors; /* NULL-terminated, may be NULL */
};

struct registries_conf
{
  char **search; /* unqualified-search-registries (may be NULL) */
  struct registry_entry *entries;
  size_t n_entries;
  char **certs_dirs; /* NULL-terminated, never NULL after load */
  char *path;        /* the file read, NULL when defaults */
};

/* path NULL: $HULL_REGISTRIES_CONF, else the default file (absent = defaults). */
int registries_conf_load (const char *path, struct registries_conf **out, struct error **err);
/* Parse a document (what load does after reading the file). */
int registries_conf_parse (const char *json, size_t len, struct registries_conf **out,
                           struct error **err);
/* Empty configuration: no search list (=> docker.io), default certs dirs. */
int registries_conf_new_default (struct registries_conf **out, struct error **err);
void registries_conf_free (struct registries_conf *conf);
static inline void
registries_conf_freep (struct registries_conf **c)
{
  if (*c)
    registries_conf_free (*c);
}
#define _cleanup_registries_conf_ __attribute__ ((cleanup (registries_conf_freep)))

/* The entry that applies to "domain/path" (longest prefix), or NULL. */
const struct registry_entry *registries_find (const struct registries_conf *conf,
                                              const char *domain, const char *path);
/* Plain http + no TLS verification allowed for this registry host?  conf may be
 * NULL (then only loopback is insecure). */
bool registries_insecure (const struct registries_conf *conf, const char *domain);
bool registries_host_is_loopback (const char *domain);

/* Where to pull "domain/path" from, in order: mirrors, then the registry. */
struct registry_endpoint
{
  char *domain; /* the host[:port] to connect to */
  char *path;   /* repository path on that host */
  bool insecure;
  bool mirror;
};
/* *out: array of *n endpoints (free with registry_endpoints_free).
 * for_push: no mirrors.  -EACCES with a message when the registry is blocked. */
int registries_endpoints (const struct registries_conf *conf, const struct reference *ref,
                          bool for_push, struct registry_endpoint **out, size_t *n,
                          struct error **err);
void registry_endpoints_free (struct registry_endpoint *e, size_t n);

/* TLS files for a registry host: ".crt" CA files, and ".cert"+".key" pairs
 * (client_certs[i] goes with client_keys[i]).  extra_dir (podman's
 * --cert-dir: the files directly in it) is used instead of certs.d when
 * given.  A *.cert without its *.key (or the reverse) is an error. */
struct registry_tls_files
{
  char **ca_files;
  char **client_certs;
  char **client_keys;
};
int registries_tls_files (const struct registries_conf *conf, const char *domain,
                          const char *extra_dir, struct registry_tls_files *out,
                          struct error **err);
void registry_tls_files_clear (struct registry_tls_files *f);

#endif
