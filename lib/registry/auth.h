/* auth.h - registry credentials in the auth.json format podman and docker use:
 *
 *   {"auths": {"127.0.0.1:5000": {"auth": "<base64(user:password)>"}}}
 *
 * Files (as podman): $REGISTRY_AUTH_FILE when set (the only one); else, for
 * reading, in order: ${XDG_RUNTIME_DIR}/containers/auth.json (for root without
 * XDG_RUNTIME_DIR: /run/containers/0/auth.json),
 * ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json, $DOCKER_CONFIG/config.json
 * or ~/.docker/config.json; writing goes to the first.  An explicit
 * --authfile replaces the whole chain.
 *
 * Keys may be "host[:port]", "host[:port]/namespace/repo" (podman: the most
 * specific key that matches the repository wins), or docker's URL spelling
 * ("https://index.docker.io/v1/" for docker.io, "https://host/").  Keys and
 * everything else in the file that hull does not manage are preserved when it
 * writes.  credHelpers/credsStore are not supported (ignored).
 *
 * Files are written atomically (temp file, fsync, rename) with mode 0600 in
 * a directory made 0700 when it is created.
 */
#ifndef HULL_REGISTRY_AUTH_H
#define HULL_REGISTRY_AUTH_H

#include <stdbool.h>

struct error;

#define AUTH_FILE_MAX (4 << 20)

/* The file to write (authfile if given, else the first of the chain). */
int auth_file_path (const char *authfile, char **out, struct error **err);

/* Look up credentials for domain (and optionally the repository path, for
 * namespaced keys).  Returns 1 and sets *user and *password when found, 0 when
 * there are none.  A file that exists but is malformed is an error. */
int auth_lookup (const char *authfile, const char *domain, const char *path, char **user,
                 char **password, struct error **err);

/* Store (replace) the credentials for key ("host[:port]" or
 * "host[:port]/repo/path"). */
int auth_store (const char *authfile, const char *key, const char *user, const char *password,
                struct error **err);

/* Remove key.  -ENOENT with "not logged in to `key`" when absent. */
int auth_remove (const char *authfile, const char *key, struct error **err);
/* Remove every entry of "auths" (the file stays, other keys kept). */
int auth_remove_all (const char *authfile, struct error **err);

/* What a user typed as the registry of `login`/`logout` ("host:5000",
 * "https://host:5000/v2/", "index.docker.io", "host/ns/repo") -> the key
 * stored in auth.json ("host:5000", "docker.io", "host/ns/repo"); validated. */
int auth_registry_key (const char *input, char **out, struct error **err);

/* base64 (standard alphabet, padded) of "user:password"; and the reverse,
 * which rejects malformed input and a missing ':'.  Exposed for tests. */
char *auth_encode (const char *user, const char *password);
int auth_decode (const char *b64, char **user, char **password, struct error **err);

#endif
