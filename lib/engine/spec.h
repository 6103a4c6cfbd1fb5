/* spec.h - what a container is made of, before it becomes a runtime config.
 *
 * struct ctr_spec is the engine's own model of one container: the image
 * config merged with the command line (docker's Config + HostConfig).  It is
 * stored as JSON in the database at create, and turned into a runtime-spec
 * config.json at every start by the config builder (build.c), a list of
 * steps that later modules (networks, volumes) extend.
 */
#ifndef HULL_ENGINE_SPEC_H
#define HULL_ENGINE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
typedef struct json_object json_object;

enum ctr_restart_policy
{
  RESTART_NO = 0,
  RESTART_ON_FAILURE,
  RESTART_ALWAYS,
  RESTART_UNLESS_STOPPED,
};

/* --systemd (podman's): TRUE sets a container up for systemd when its
 * command is an init, ALWAYS in any case, FALSE never (sysctr.c). */
enum ctr_systemd
{
  CTR_SYSTEMD_TRUE = 0,
  CTR_SYSTEMD_FALSE,
  CTR_SYSTEMD_ALWAYS,
};

struct ctr_restart
{
  enum ctr_restart_policy policy;
  int max_retries; /* on-failure:N; 0 = unlimited */
};

struct ctr_health
{
  char **test;            /* ["CMD", ...], ["CMD-SHELL", cmd], ["NONE"]; NULL: none */
  int64_t interval_ns;    /* 0: default 30s */
  int64_t timeout_ns;     /* 0: default 30s */
  int64_t start_period_ns;
  int retries;            /* 0: default 3 */
};

/* One mount the user asked for (-v, --mount, --tmpfs), normalised. */
struct ctr_mount
{
  char *type;        /* "bind", "tmpfs", "volume" (volumes: issue 6) */
  char *source;      /* host path (bind), volume name, NULL (tmpfs) */
  char *target;      /* absolute path in the container */
  bool readonly;
  char *propagation; /* bind: rprivate (default), private, rshared, ... */
  char **options;    /* tmpfs: "size=..", "mode=.."; volume: driver options */
  bool create_source;/* -v: a missing host directory is made (not stored) */
};

struct ctr_ulimit
{
  char *name;        /* "nofile" */
  int resource;      /* RLIMIT_* */
  uint64_t soft, hard;
};

struct ctr_spec
{
  /* Config (docker's names in comments) */
  char *image;            /* Image: as the user typed it */
  char *image_id;         /* the resolved image (sha256:...) */
  char *hostname;         /* Hostname (default: the short id) */
  char *domainname;
  char *user;             /* User: name, uid, name:group, uid:gid */
  char *workdir;          /* WorkingDir */
  char **entrypoint;      /* Entrypoint (effective) */
  char **cmd;             /* Cmd (effective) */
  char **env;             /* Env (effective: image's, then ours) */
  char **labels;          /* Labels "k=v" (image's, then ours) */
  char **volumes;         /* Volumes: the image's VOLUME paths */
  char **exposed_ports;   /* ExposedPorts "80/tcp" */
  bool tty, open_stdin;   /* Tty, OpenStdin */
  char *stop_signal;      /* StopSignal ("SIGTERM") */
  int stop_timeout;       /* StopTimeout, seconds; -1: default (10) */
  struct ctr_health health;

  /* HostConfig */
  bool auto_remove;       /* --rm */
  bool read_only;
  bool privileged;
  bool init;
  int systemd;            /* enum ctr_systemd */
  bool no_new_privileges;
  char *seccomp;          /* NULL: default profile; "unconfined"; or a profile (JSON text) */
  char **cap_add, **cap_drop; /* "CAP_X" or "ALL" */
  int64_t memory, memory_swap;  /* bytes; 0: unset; swap -1: unlimited */
  int64_t nano_cpus;
  int64_t cpu_shares;
  char *cpuset_cpus;
  int64_t pids_limit;     /* 0: unset; -1: unlimited */
  struct ctr_ulimit *ulimits;
  size_t n_ulimits;
  struct ctr_mount *mounts;
  size_t n_mounts;
  struct ctr_restart restart;
  char *network;          /* NetworkMode: "none", "host", "default", "bridge", NAME */
  char **publish;         /* -p specs (networking module) */
  bool publish_all;       /* -P */
  char **dns, **dns_search, **dns_options, **extra_hosts; /* --dns... --add-host */
  int64_t log_max_size;   /* bytes; 0: unlimited */
  int log_max_file;       /* files kept (>= 1) */
  json_object *ext;       /* extension data (networks, volumes), owned */
};

void ctr_spec_clear (struct ctr_spec *s);
void ctr_spec_free (struct ctr_spec *s);
static inline void ctr_spec_freep (struct ctr_spec **s)
{
  if (*s)
    ctr_spec_free (*s);
}
#define _cleanup_ctr_spec_ __attribute__ ((cleanup (ctr_spec_freep)))

/* JSON (database record, `inspect`) <-> struct. */
json_object *ctr_spec_to_json (const struct ctr_spec *s);
int ctr_spec_from_json (json_object *o, struct ctr_spec *out, struct error **err);

/* ---- flag values, with docker's syntax; each error names the value ---- */

/* -v SRC:DST[:OPTS] (bind when SRC is absolute; a name is a volume). */
int ctr_parse_volume (const char *v, struct ctr_mount *out, struct error **err);
/* --mount type=bind|tmpfs|volume,source=..,target=..,readonly,... */
int ctr_parse_mount (const char *v, struct ctr_mount *out, struct error **err);
/* --tmpfs /path[:opts] */
int ctr_parse_tmpfs (const char *v, struct ctr_mount *out, struct error **err);
/* --ulimit nofile=1024[:2048] */
int ctr_parse_ulimit (const char *v, struct ctr_ulimit *out, struct error **err);
/* --restart no|on-failure[:N]|always|unless-stopped */
int ctr_parse_restart (const char *v, struct ctr_restart *out, struct error **err);
const char *ctr_restart_name (enum ctr_restart_policy p);
/* "1.5" cpus -> nano cpus */
int ctr_parse_cpus (const char *v, int64_t *nano, struct error **err);
/* docker durations: "30s", "1m30s", "500ms", "2h" -> ns (> 0 unless allow_zero) */
int ctr_parse_duration (const char *v, int64_t *ns, struct error **err);
/* "KEY=VALUE" or "KEY" (taken from our environment; dropped when unset). */
int ctr_env_add (char ***env, const char *v, struct error **err);
/* --env-file FILE: one KEY=VALUE or KEY per line, # comments. */
int ctr_env_file (char ***env, const char *path, struct error **err);
/* Set or replace KEY in env. */
int ctr_env_set (char ***env, const char *kv);
/* Signal names and numbers: "SIGTERM", "TERM", "15" -> 15. */
int ctr_parse_signal (const char *v, int *sig, struct error **err);
/* A capability name ("net_admin", "CAP_NET_ADMIN", "ALL") normalised to
 * "CAP_NET_ADMIN" / "ALL". */
int ctr_parse_cap (const char *v, char **out, struct error **err);

/* --systemd true|false|always (sysctr.c) */
int ctr_parse_systemd (const char *v, int *out, struct error **err);
const char *ctr_systemd_name (int mode);
/* Whether the container is a system container (systemd as pid 1). */
bool ctr_systemd_active (const struct ctr_spec *s);
/* At create, after the image is merged: a system container gets
 * container=hull and STOPSIGNAL SIGRTMIN+3 (unless set). */
int ctr_systemd_prepare (struct ctr_spec *s, struct error **err);

/* ---- the image's config (lib/image's struct image_config, manifest.h) ---- */
struct image_config;

/* Merge: the image's config under what the user asked.  With
 * entrypoint_set, the user's entrypoint (possibly empty) replaces the
 * image's and the image's Cmd is dropped (docker's rule). */
int ctr_spec_merge_image (struct ctr_spec *s, const struct image_config *img,
                          bool entrypoint_set, struct error **err);

#endif
