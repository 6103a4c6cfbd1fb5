/* runflags.c - the flags `hull run` and `hull create` share, docker's, and
 * stop's and restart's -t. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "engine/spec.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum
{
  O_RM = 256,
  O_NAME,
  O_ENV_FILE,
  O_ENTRYPOINT,
  O_READ_ONLY,
  O_TMPFS,
  O_MOUNT,
  O_CAP_ADD,
  O_CAP_DROP,
  O_PRIVILEGED,
  O_SECURITY_OPT,
  O_MEMORY_SWAP,
  O_CPUS,
  O_CPUSET,
  O_PIDS,
  O_ULIMIT,
  O_INIT,
  O_RESTART,
  O_HCMD,
  O_HINT,
  O_HTIMEOUT,
  O_HRETRIES,
  O_HSTART,
  O_NOHC,
  O_STOP_SIGNAL,
  O_STOP_TIMEOUT,
  O_NETWORK,
  O_DNS,
  O_DNS_SEARCH,
  O_DNS_OPT,
  O_ADD_HOST,
  O_LOG_OPT,
  O_LOG_DRIVER,
  O_SIG_PROXY,
  O_DOMAIN,
  O_LABEL_FILE,
  O_PULL,
  O_HELP,
  O_PUBLISH_ALL,
  O_EXPOSE,
  O_IP,
  O_NET_ALIAS,
  O_SYSTEMD,
  O_SIGNATURE_POLICY,
};

void
run_opts_clear (struct run_opts *o)
{
  if (o->spec)
    ctr_spec_free (o->spec);
  strv_free (o->attach);
  free (o->hcmd);
  memset (o, 0, sizeof *o);
}

/* The table: help lines in the order `hull run --help` shows them. */
const struct cli_option hull_run_options[] = {
  CLI_OPT_CALL_FLAG ('d', "detach", 'd', "run in the background, print the id"),
  CLI_OPT_CALL_FLAG ('i', "interactive", 'i', "keep stdin open"),
  CLI_OPT_CALL_FLAG ('t', "tty", 't', "allocate a pseudo-terminal"),
  CLI_OPT_CALL_FLAG (0, "rm", O_RM, "remove the container when it exits"),
  CLI_OPT_CALL (0, "name", O_NAME, "NAME", "name the container"),
  CLI_OPT_CALL ('e', "env", 'e', "KEY[=VALUE]", "set an environment variable"),
  CLI_OPT_CALL (0, "env-file", O_ENV_FILE, "FILE", "read environment variables from a file"),
  CLI_OPT_CALL ('u', "user", 'u', "USER[:GROUP]", "user (name or uid) and group"),
  CLI_OPT_CALL ('w', "workdir", 'w', "DIR", "working directory"),
  CLI_OPT_CALL (0, "entrypoint", O_ENTRYPOINT, "CMD", "override the image's entrypoint"),
  CLI_OPT_CALL ('h', "hostname", 'h', "NAME", "hostname"),
  CLI_OPT_CALL (0, "domainname", O_DOMAIN, "NAME", "domain name"),
  CLI_OPT_CALL_FLAG (0, "read-only", O_READ_ONLY, "read-only root filesystem"),
  CLI_OPT_CALL (0, "tmpfs", O_TMPFS, "PATH[:OPTS]", "mount a tmpfs"),
  CLI_OPT_CALL ('v', "volume", 'v', "SRC:DST[:OPTS]", "bind mount (ro, rw, propagation)"),
  CLI_OPT_CALL (0, "mount", O_MOUNT, "type=bind|tmpfs|volume,source=..,target=..[,readonly]",
                "mount a file system"),
  CLI_OPT_CALL (0, "cap-add", O_CAP_ADD, "CAP", "add a capability"),
  CLI_OPT_CALL (0, "cap-drop", O_CAP_DROP, "CAP", "drop a capability"),
  CLI_OPT_CALL_FLAG (0, "privileged", O_PRIVILEGED, "every capability and device"),
  CLI_OPT_CALL (0, "security-opt", O_SECURITY_OPT, "OPT",
                "seccomp=PROFILE|unconfined, no-new-privileges"),
  CLI_OPT_CALL ('m', "memory", 'm', "SIZE", "memory limit (512m, 1g)"),
  CLI_OPT_CALL (0, "memory-swap", O_MEMORY_SWAP, "SIZE", "memory + swap limit (-1: unlimited)"),
  CLI_OPT_CALL (0, "cpus", O_CPUS, "N", "CPU quota (1.5)"),
  CLI_OPT_CALL ('c', "cpu-shares", 'c', "N", "CPU weight"),
  CLI_OPT_CALL (0, "cpuset-cpus", O_CPUSET, "LIST", "CPUs allowed (0-1)"),
  CLI_OPT_CALL (0, "pids-limit", O_PIDS, "N", "process limit (-1: unlimited)"),
  CLI_OPT_CALL (0, "ulimit", O_ULIMIT, "NAME=SOFT[:HARD]", "a resource limit"),
  CLI_OPT_CALL_FLAG (0, "init", O_INIT, "run an init that reaps zombies and forwards signals"),
  CLI_OPT_CALL (0, "systemd", O_SYSTEMD, "MODE",
                "true (an init command gets what systemd needs), false, always"),
  CLI_OPT_CALL (0, "restart", O_RESTART, "POLICY", "no, on-failure[:N], always, unless-stopped"),
  CLI_OPT_CALL (0, "health-cmd", O_HCMD, "CMD", "health check command"),
  CLI_OPT_CALL (0, "health-interval", O_HINT, "DURATION", "time between health checks"),
  CLI_OPT_CALL (0, "health-timeout", O_HTIMEOUT, "DURATION", "time a health check may take"),
  CLI_OPT_CALL (0, "health-retries", O_HRETRIES, "N", "failures before unhealthy"),
  CLI_OPT_CALL (0, "health-start-period", O_HSTART, "DURATION", "failures do not count meanwhile"),
  CLI_OPT_CALL_FLAG (0, "no-healthcheck", O_NOHC, "disable the image's health check"),
  CLI_OPT_CALL ('l', "label", 'l', "KEY=VALUE", "set a label"),
  CLI_OPT_CALL (0, "label-file", O_LABEL_FILE, "FILE", "read labels from a file"),
  CLI_OPT_CALL (0, "stop-signal", O_STOP_SIGNAL, "SIG", "the signal that stops the container"),
  CLI_OPT_CALL (0, "stop-timeout", O_STOP_TIMEOUT, "SECONDS", "time to stop before SIGKILL"),
  CLI_OPT_CALL (0, "network", O_NETWORK, "MODE",
                "none, host, bridge (default), NAME, container:ID"),
  CLI_OPT_CALL (0, "net", O_NETWORK, "MODE", NULL),
  CLI_OPT_CALL (0, "ip", O_IP, "IP", "address on a user-defined network"),
  CLI_OPT_CALL (0, "network-alias", O_NET_ALIAS, "NAME", "name on a user-defined network"),
  CLI_OPT_CALL ('p', "publish", 'p', "[IP:][HOSTPORT:]PORT[/udp]", "publish a port"),
  CLI_OPT_CALL_FLAG ('P', "publish-all", 'P', "publish every EXPOSEd port"),
  CLI_OPT_CALL (0, "expose", O_EXPOSE, "PORT[/PROTO]", "expose a port"),
  CLI_OPT_CALL (0, "dns", O_DNS, "IP", "a DNS server"),
  CLI_OPT_CALL (0, "dns-search", O_DNS_SEARCH, "DOMAIN", "a DNS search domain"),
  CLI_OPT_CALL (0, "dns-option", O_DNS_OPT, "OPT", "a resolver option"),
  CLI_OPT_CALL (0, "add-host", O_ADD_HOST, "NAME:IP", "a line of /etc/hosts"),
  CLI_OPT_CALL (0, "log-opt", O_LOG_OPT, "max-size=SIZE,max-file=N", "log rotation"),
  CLI_OPT_CALL (0, "log-driver", O_LOG_DRIVER, "DRIVER", "k8s-file (json-file, local: the same)"),
  CLI_OPT_CALL ('a', "attach", 'a', "STREAM", "attach stdin, stdout or stderr"),
  CLI_OPT_CALL_FLAG (0, "sig-proxy", O_SIG_PROXY,
                     "forward signals to the container (default true; --sig-proxy=false)"),
  CLI_OPT_CALL (0, "pull", O_PULL, "POLICY", "missing (default), never, always"),
  CLI_OPT_CALL (0, "signature-policy", O_SIGNATURE_POLICY, "FILE",
                "policy.json (default: /etc/containers/policy.json)"),
  { 0 },
};

void
hull_run_opts_init (void *opts)
{
  struct run_opts *o = opts;
  o->sig_proxy = true;
  o->spec = calloc (1, sizeof *o->spec);
  if (o->spec)
    o->spec->stop_timeout = -1;
}

void
hull_run_opts_fini (void *opts)
{
  run_opts_clear (opts);
}

int
hull_run_option (void *opts, int key, const char *v, struct error **err)
{
  struct run_opts *o = opts;
  struct ctr_spec *s = o->spec;
  if (s == NULL)
    return error_set (err, ENOMEM, "out of memory");
  switch (key)
    {
    case 'd':
      o->detach = true;
      break;
    case 'i':
      s->open_stdin = true;
      break;
    case 't':
      s->tty = true;
      break;
    case O_RM:
      s->auto_remove = true;
      break;
    case O_NAME:
      o->name = v;
      break;
    case 'e':
      if (ctr_env_add (&s->env, v, err) < 0)
        return -EINVAL;
      break;
    case O_ENV_FILE:
      if (ctr_env_file (&s->env, v, err) < 0)
        return -EINVAL;
      break;
    case 'u':
      if (*v == '\0')
        return error_set (err, EINVAL, "invalid user `%s`", v);
      free (s->user);
      s->user = strdup (v);
      break;
    case 'w':
      if (v[0] != '/')
        return error_set (err, EINVAL, "the working directory `%s` is not an absolute path", v);
      free (s->workdir);
      s->workdir = strdup (v);
      break;
    case O_ENTRYPOINT:
      strv_free (s->entrypoint);
      s->entrypoint = calloc (2, sizeof (char *));
      if (*v)
        s->entrypoint[0] = strdup (v);
      o->entrypoint_set = true;
      break;
    case 'h':
      free (s->hostname);
      s->hostname = strdup (v);
      break;
    case O_DOMAIN:
      free (s->domainname);
      s->domainname = strdup (v);
      break;
    case O_READ_ONLY:
      s->read_only = true;
      break;
    case O_TMPFS:
    case 'v':
    case O_MOUNT:
      {
        struct ctr_mount *n = realloc (s->mounts, (s->n_mounts + 1) * sizeof *n);
        if (n == NULL)
          return error_set (err, ENOMEM, "out of memory");
        s->mounts = n;
        int r = key == O_TMPFS ? ctr_parse_tmpfs (v, &n[s->n_mounts], err)
                : key == 'v'   ? ctr_parse_volume (v, &n[s->n_mounts], err)
                               : ctr_parse_mount (v, &n[s->n_mounts], err);
        s->n_mounts++;
        if (r < 0)
          return -EINVAL;
        break;
      }
    case O_CAP_ADD:
    case O_CAP_DROP:
      {
        char *cap = NULL;
        if (ctr_parse_cap (v, &cap, err) < 0)
          return -EINVAL;
        strv_consume (key == O_CAP_ADD ? &s->cap_add : &s->cap_drop, cap);
        break;
      }
    case O_PRIVILEGED:
      s->privileged = true;
      break;
    case O_SECURITY_OPT:
      {
        if (strcmp (v, "no-new-privileges") == 0 || strcmp (v, "no-new-privileges:true") == 0
            || strcmp (v, "no-new-privileges=true") == 0)
          s->no_new_privileges = true;
        else if (strcmp (v, "no-new-privileges:false") == 0
                 || strcmp (v, "no-new-privileges=false") == 0)
          s->no_new_privileges = false;
        else if (strncmp (v, "seccomp=", 8) == 0 || strncmp (v, "seccomp:", 8) == 0)
          {
            free (s->seccomp);
            s->seccomp = NULL;
            if (strcmp (v + 8, "unconfined") == 0)
              s->seccomp = strdup ("unconfined");
            else
              {
                size_t len;
                if (fs_read_file (v + 8, 4u << 20, &s->seccomp, &len, err) < 0)
                  {
                    error_prefix (err, "--security-opt seccomp");
                    return -EINVAL;
                  }
              }
          }
        else if (strncmp (v, "label=", 6) == 0 || strncmp (v, "label:", 6) == 0
                 || strncmp (v, "apparmor=", 9) == 0)
          ; /* no SELinux/AppArmor on hull's hosts yet: accepted, as docker does there */
        else
          return error_set (err, EINVAL, "invalid --security-opt `%s`", v);
        break;
      }
    case 'm':
      if (parse_size (v, &s->memory) < 0 || s->memory < 6 * 1024 * 1024)
        return error_set (err, EINVAL, "invalid --memory `%s` (a size, at least 6m)", v);
      break;
    case O_MEMORY_SWAP:
      if (strcmp (v, "-1") == 0)
        s->memory_swap = -1;
      else if (parse_size (v, &s->memory_swap) < 0 || s->memory_swap <= 0)
        return error_set (err, EINVAL, "invalid --memory-swap `%s`", v);
      break;
    case O_CPUS:
      if (ctr_parse_cpus (v, &s->nano_cpus, err) < 0)
        return -EINVAL;
      break;
    case 'c':
      if (parse_int64 (v, &s->cpu_shares) < 0 || s->cpu_shares < 2 || s->cpu_shares > 262144)
        return error_set (err, EINVAL, "invalid --cpu-shares `%s` (2..262144)", v);
      break;
    case O_CPUSET:
      if (strspn (v, "0123456789,-") != strlen (v) || *v == '\0')
        return error_set (err, EINVAL, "invalid --cpuset-cpus `%s`", v);
      free (s->cpuset_cpus);
      s->cpuset_cpus = strdup (v);
      break;
    case O_PIDS:
      if (parse_int64 (v, &s->pids_limit) < 0 && strcmp (v, "-1") != 0)
        return error_set (err, EINVAL, "invalid --pids-limit `%s`", v);
      if (strcmp (v, "-1") == 0 || s->pids_limit == 0)
        s->pids_limit = -1;
      break;
    case O_ULIMIT:
      {
        struct ctr_ulimit *n = realloc (s->ulimits, (s->n_ulimits + 1) * sizeof *n);
        if (n == NULL)
          return error_set (err, ENOMEM, "out of memory");
        s->ulimits = n;
        int r = ctr_parse_ulimit (v, &n[s->n_ulimits], err);
        s->n_ulimits++;
        if (r < 0)
          return -EINVAL;
        break;
      }
    case O_INIT:
      s->init = true;
      break;
    case O_SYSTEMD:
      if (ctr_parse_systemd (v, &s->systemd, err) < 0)
        return -EINVAL;
      break;
    case O_RESTART:
      if (ctr_parse_restart (v, &s->restart, err) < 0)
        return -EINVAL;
      break;
    case O_HCMD:
      free (o->hcmd);
      o->hcmd = strdup (v);
      break;
    case O_HINT:
    case O_HTIMEOUT:
    case O_HSTART:
      {
        int64_t ns;
        if (ctr_parse_duration (v, &ns, err) < 0)
          return -EINVAL;
        if (key != O_HSTART && ns < 1000000)
          return error_set (err, EINVAL, "--health-%s must be at least 1ms",
                            key == O_HINT ? "interval" : "timeout");
        if (key == O_HINT)
          s->health.interval_ns = ns;
        else if (key == O_HTIMEOUT)
          s->health.timeout_ns = ns;
        else
          s->health.start_period_ns = ns;
        break;
      }
    case O_HRETRIES:
      if (parse_int (v, &s->health.retries) < 0 || s->health.retries < 0)
        return error_set (err, EINVAL, "invalid --health-retries `%s`", v);
      break;
    case O_NOHC:
      o->no_hc = true;
      break;
    case 'l':
      {
        if (*v == '=' || *v == '\0')
          return error_set (err, EINVAL, "invalid label `%s`", v);
        _cleanup_free_ char *kv = NULL;
        if (asprintf (&kv, "%s%s", v, strchr (v, '=') ? "" : "=") < 0
            || ctr_env_set (&s->labels, kv) < 0)
          return error_set (err, ENOMEM, "out of memory");
        break;
      }
    case O_LABEL_FILE:
      if (ctr_env_file (&s->labels, v, err) < 0)
        return -EINVAL;
      break;
    case O_STOP_SIGNAL:
      {
        int sig;
        if (ctr_parse_signal (v, &sig, err) < 0)
          return -EINVAL;
        free (s->stop_signal);
        s->stop_signal = strdup (v);
        break;
      }
    case O_STOP_TIMEOUT:
      if (parse_int (v, &s->stop_timeout) < 0 || s->stop_timeout < -1)
        return error_set (err, EINVAL, "invalid --stop-timeout `%s`", v);
      break;
    case O_NETWORK:
      free (s->network);
      s->network = strdup (v);
      break;
    case 'p':
      strv_push (&s->publish, v);
      break;
    case O_IP:
    case O_NET_ALIAS:
      {
        /* the network module's (lib/net): spec->ext "net" */
        if (s->ext == NULL)
          s->ext = json_object_new_object ();
        json_object *net = NULL;
        if (!json_object_object_get_ex (s->ext, "net", &net))
          json_object_object_add (s->ext, "net", net = json_object_new_object ());
        if (key == O_IP)
          json_object_object_add (net, "ip", json_object_new_string (v));
        else
          {
            json_object *al = NULL;
            if (!json_object_object_get_ex (net, "aliases", &al))
              json_object_object_add (net, "aliases", al = json_object_new_array ());
            json_object_array_add (al, json_object_new_string (v));
          }
        break;
      }
    case 'P':
      s->publish_all = true;
      break;
    case O_EXPOSE:
      {
        _cleanup_free_ char *port = strchr (v, '/') ? strdup (v) : NULL;
        if (port == NULL && asprintf (&port, "%s/tcp", v) < 0)
          return error_set (err, ENOMEM, "out of memory");
        strv_push (&s->exposed_ports, port);
        break;
      }
    case O_DNS:
      strv_push (&s->dns, v);
      break;
    case O_DNS_SEARCH:
      strv_push (&s->dns_search, v);
      break;
    case O_DNS_OPT:
      strv_push (&s->dns_options, v);
      break;
    case O_ADD_HOST:
      {
        const char *colon = strchr (v, ':');
        if (colon == NULL || colon == v || colon[1] == '\0')
          return error_set (err, EINVAL, "invalid --add-host `%s` (NAME:IP)", v);
        strv_push (&s->extra_hosts, v);
        break;
      }
    case O_LOG_OPT:
      {
        _cleanup_free_ char *copy = strdup (v);
        char *save = NULL;
        for (char *kv = strtok_r (copy, ",", &save); kv; kv = strtok_r (NULL, ",", &save))
          {
            if (strncmp (kv, "max-size=", 9) == 0)
              {
                if (parse_size (kv + 9, &s->log_max_size) < 0 || s->log_max_size <= 0)
                  return error_set (err, EINVAL, "invalid --log-opt `%s`", kv);
              }
            else if (strncmp (kv, "max-file=", 9) == 0)
              {
                if (parse_int (kv + 9, &s->log_max_file) < 0 || s->log_max_file < 1)
                  return error_set (err, EINVAL, "invalid --log-opt `%s`", kv);
              }
            else
              return error_set (err, EINVAL, "unknown --log-opt `%s` (max-size, max-file)", kv);
          }
        break;
      }
    case O_LOG_DRIVER:
      if (strcmp (v, "k8s-file") && strcmp (v, "json-file") && strcmp (v, "local"))
        return error_set (err, EINVAL, "log driver `%s` is not supported (k8s-file)", v);
      break;
    case 'a':
      if (strcasecmp (v, "stdin") && strcasecmp (v, "stdout") && strcasecmp (v, "stderr"))
        return error_set (err, EINVAL, "invalid --attach `%s` (stdin, stdout, stderr)", v);
      strv_push (&o->attach, v);
      break;
    case O_SIG_PROXY:
      o->sig_proxy = v == NULL || strcmp (v, "true") == 0;
      break;
    case O_PULL:
      if (strcmp (v, "missing") && strcmp (v, "never") && strcmp (v, "always"))
        return error_set (err, EINVAL, "invalid --pull `%s` (missing, never, always)", v);
      o->pull = v;
      break;
    case O_SIGNATURE_POLICY:
      o->signature_policy = v;
      break;
    }
  return 0;
}

int
hull_run_flags_finish (const char *verb, struct run_opts *o, int argc, char **argv)
{
  struct ctr_spec *s = o->spec;
  if (s == NULL)
    return HULL_EXIT_FAIL;
  if (o->detach && s->auto_remove && s->restart.policy != RESTART_NO)
    return hull_usage_error (verb, "conflicting options: --restart and --rm");
  if (s->log_max_file > 1 && s->log_max_size == 0)
    return hull_usage_error (verb, "--log-opt max-file needs max-size");
  if (s->log_max_size && s->log_max_file == 0)
    s->log_max_file = 1;
  if (o->no_hc && o->hcmd)
    return hull_usage_error (verb, "--no-healthcheck conflicts with --health-* options");
  if (o->no_hc)
    {
      s->health.test = calloc (2, sizeof (char *));
      s->health.test[0] = strdup ("NONE");
    }
  else if (o->hcmd)
    {
      s->health.test = calloc (3, sizeof (char *));
      s->health.test[0] = strdup ("CMD-SHELL");
      s->health.test[1] = strdup (o->hcmd);
    }
  s->image = strdup (argv[0]);
  if (argc > 1)
    s->cmd = strv_dup (argv + 1);
  return 0;
}

int
hull_timeout_option (void *opts, int key, const char *v, struct error **err)
{
  int *t = opts;
  if (parse_int (v, t) < 0 || *t < -1)
    return error_set (err, EINVAL, "invalid timeout `%s`", v);
  return 0;
}

void
hull_timeout_init (void *opts)
{
  *(int *) opts = -1;
}
