/* build.h - the config builder: a container's spec (spec.h) -> runtime-spec
 * config.json, as an ordered list of steps.
 *
 * Each step reads the spec and the build context and edits the JSON
 * document.  The steps are: base (root, hostname, namespaces), process
 * (args, env, user, cwd, terminal, rlimits), security (capabilities,
 * seccomp, no_new_privs, masked and read-only paths, devices), mounts
 * (pseudo filesystems, /dev/shm, /etc files, binds, tmpfs, init),
 * resources (memory, cpu, pids, cgroupsPath), network, then every step an
 * extension registered (engine_ext, engine.h): networks and volumes add
 * theirs there.
 */
#ifndef HULL_ENGINE_BUILD_H
#define HULL_ENGINE_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct ctr_spec;
typedef struct json_object json_object;

struct build_ctx
{
  /* in */
  const char *id;           /* container id (64 hex) */
  const char *name;
  const struct ctr_spec *spec;
  const char *rootfs;       /* absolute path of the mounted root */
  int rootfd;               /* O_PATH fd of it (users and groups are read through it) */
  const char *hosts_path, *hostname_path, *resolv_path; /* files bind-mounted on /etc */
  const char *init_path;    /* host path of hull-init (--init) */
  const char *cgroup_parent;/* "/hull" */
  json_object *seccomp_default; /* the default profile (Docker format), borrowed */
  uint64_t host_bounding;   /* capabilities we can grant (our bounding set) */
  /* out, filled by the steps */
  uint32_t uid, gid;        /* resolved user */
  uint64_t caps;            /* effective capability set */
  bool netns_new;           /* the container gets a fresh network namespace */
  char *netns_path;         /* set by a network extension: join this one */
  bool loopback_up;         /* the monitor brings lo up (fresh namespace, no network module) */
  char **hosts_extra;       /* extensions: "IP\tNAME..." lines for /etc/hosts (strv, owned) */
  char **dns_servers;       /* extensions: nameservers for resolv.conf (strv, owned) */
};

typedef int (*build_step_fn) (struct build_ctx *b, json_object *config, struct error **err);

/* Build the config; *out is a new document. */
int engine_build_config (struct build_ctx *b, json_object **out, struct error **err);

/* Register an extra step (run after the built-in ones, in registration
 * order); for extensions.  At most 16. */
int engine_build_add_step (const char *name, build_step_fn fn);

/* The system-container step (sysctr.c): tmpfs on /run, /run/lock, /tmp,
 * /var/log/journal, a writable own cgroup, /etc/machine-id. */
int engine_build_systemd (struct build_ctx *b, json_object *config, struct error **err);

/* Helpers the steps share (and extensions may use). */
int build_add_mount (json_object *config, const char *dest, const char *type, const char *src,
                     const char *const *options);
/* Remove mounts at dest (and below it when recursive). */
void build_remove_mount (json_object *config, const char *dest);

/* Resolve "name", "uid", "name:group", "uid:gid" against /etc/passwd and
 * /etc/group inside rootfd (never leaving it); additional gids from
 * /etc/group memberships.  An unknown name is an error; a numeric uid
 * without a passwd entry is accepted (gid 0 unless given). */
int engine_resolve_user (int rootfd, const char *user, uint32_t *uid, uint32_t *gid,
                         uint32_t **groups, size_t *ngroups, char **home, struct error **err);

/* Docker's default capability set (bit n = capability n). */
uint64_t engine_default_caps (void);
/* The capability set for cap_add/cap_drop/privileged, within bounding. */
int engine_caps (const struct ctr_spec *s, uint64_t bounding, uint64_t *out, struct error **err);

#endif
