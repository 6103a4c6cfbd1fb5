/* runflags.c - the flags `hull run` and `hull create` share, docker's. */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "engine/spec.h"

#include <errno.h>
#include <json-c/json.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum
{
  O_RM = 256, O_NAME, O_ENV_FILE, O_ENTRYPOINT, O_READ_ONLY, O_TMPFS, O_MOUNT, O_CAP_ADD,
  O_CAP_DROP, O_PRIVILEGED, O_SECURITY_OPT, O_MEMORY_SWAP, O_CPUS, O_CPUSET, O_PIDS, O_ULIMIT,
  O_INIT, O_RESTART, O_HCMD, O_HINT, O_HTIMEOUT, O_HRETRIES, O_HSTART, O_NOHC, O_STOP_SIGNAL,
  O_STOP_TIMEOUT, O_NETWORK, O_DNS, O_DNS_SEARCH, O_DNS_OPT, O_ADD_HOST, O_LOG_OPT, O_LOG_DRIVER,
  O_SIG_PROXY, O_DOMAIN, O_LABEL_FILE, O_PULL, O_HELP, O_PUBLISH_ALL, O_EXPOSE,
  O_IP, O_NET_ALIAS,
  O_SYSTEMD,
};

enum
{
  O_SIGNATURE_POLICY = 1024,
};

static const struct option run_options[] = {
  { "detach", no_argument, NULL, 'd' },
  { "interactive", no_argument, NULL, 'i' },
  { "tty", no_argument, NULL, 't' },
  { "rm", no_argument, NULL, O_RM },
  { "name", required_argument, NULL, O_NAME },
  { "env", required_argument, NULL, 'e' },
  { "env-file", required_argument, NULL, O_ENV_FILE },
  { "user", required_argument, NULL, 'u' },
  { "workdir", required_argument, NULL, 'w' },
  { "entrypoint", required_argument, NULL, O_ENTRYPOINT },
  { "hostname", required_argument, NULL, 'h' },
  { "domainname", required_argument, NULL, O_DOMAIN },
  { "read-only", no_argument, NULL, O_READ_ONLY },
  { "tmpfs", required_argument, NULL, O_TMPFS },
  { "volume", required_argument, NULL, 'v' },
  { "mount", required_argument, NULL, O_MOUNT },
  { "cap-add", required_argument, NULL, O_CAP_ADD },
  { "cap-drop", required_argument, NULL, O_CAP_DROP },
  { "privileged", no_argument, NULL, O_PRIVILEGED },
  { "security-opt", required_argument, NULL, O_SECURITY_OPT },
  { "memory", required_argument, NULL, 'm' },
  { "memory-swap", required_argument, NULL, O_MEMORY_SWAP },
  { "cpus", required_argument, NULL, O_CPUS },
  { "cpu-shares", required_argument, NULL, 'c' },
  { "cpuset-cpus", required_argument, NULL, O_CPUSET },
  { "pids-limit", required_argument, NULL, O_PIDS },
  { "ulimit", required_argument, NULL, O_ULIMIT },
  { "init", no_argument, NULL, O_INIT },
  { "systemd", required_argument, NULL, O_SYSTEMD },
  { "restart", required_argument, NULL, O_RESTART },
  { "health-cmd", required_argument, NULL, O_HCMD },
  { "health-interval", required_argument, NULL, O_HINT },
  { "health-timeout", required_argument, NULL, O_HTIMEOUT },
  { "health-retries", required_argument, NULL, O_HRETRIES },
  { "health-start-period", required_argument, NULL, O_HSTART },
  { "no-healthcheck", no_argument, NULL, O_NOHC },
  { "label", required_argument, NULL, 'l' },
  { "label-file", required_argument, NULL, O_LABEL_FILE },
  { "stop-signal", required_argument, NULL, O_STOP_SIGNAL },
  { "stop-timeout", required_argument, NULL, O_STOP_TIMEOUT },
  { "network", required_argument, NULL, O_NETWORK },
  { "net", required_argument, NULL, O_NETWORK },
  { "ip", required_argument, NULL, O_IP },
  { "network-alias", required_argument, NULL, O_NET_ALIAS },
  { "publish", required_argument, NULL, 'p' },
  { "publish-all", no_argument, NULL, 'P' },
  { "expose", required_argument, NULL, O_EXPOSE },
  { "dns", required_argument, NULL, O_DNS },
  { "dns-search", required_argument, NULL, O_DNS_SEARCH },
  { "dns-option", required_argument, NULL, O_DNS_OPT },
  { "add-host", required_argument, NULL, O_ADD_HOST },
  { "log-opt", required_argument, NULL, O_LOG_OPT },
  { "log-driver", required_argument, NULL, O_LOG_DRIVER },
  { "attach", required_argument, NULL, 'a' },
  { "sig-proxy", optional_argument, NULL, O_SIG_PROXY },
  { "pull", required_argument, NULL, O_PULL },
  { "signature-policy", required_argument, NULL, O_SIGNATURE_POLICY },
  { "help", no_argument, NULL, O_HELP },
  {},
};

static void
usage (const char *verb, FILE *f)
{
  fprintf (f,
           "Usage: hull %s [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n%s\n\n"
           "Options:\n"
           "  -d, --detach                 run in the background, print the id\n"
           "  -i, --interactive            keep stdin open\n"
           "  -t, --tty                    allocate a pseudo-terminal\n"
           "      --rm                     remove the container when it exits\n"
           "      --name NAME              name the container\n"
           "  -e, --env KEY[=VALUE]        set an environment variable\n"
           "      --env-file FILE          read environment variables from a file\n"
           "  -u, --user USER[:GROUP]      user (name or uid) and group\n"
           "  -w, --workdir DIR            working directory\n"
           "      --entrypoint CMD         override the image's entrypoint\n"
           "  -h, --hostname NAME          hostname\n"
           "      --read-only              read-only root filesystem\n"
           "      --tmpfs PATH[:OPTS]      mount a tmpfs\n"
           "  -v, --volume SRC:DST[:OPTS]  bind mount (ro, rw, propagation)\n"
           "      --mount type=bind|tmpfs,source=..,target=..[,readonly]\n"
           "      --cap-add CAP, --cap-drop CAP, --privileged\n"
           "      --security-opt seccomp=PROFILE|unconfined, no-new-privileges\n"
           "  -m, --memory SIZE            memory limit (512m, 1g)\n"
           "      --memory-swap SIZE       memory + swap limit (-1: unlimited)\n"
           "      --cpus N                 CPU quota (1.5)\n"
           "  -c, --cpu-shares N           CPU weight\n"
           "      --cpuset-cpus LIST       CPUs allowed (0-1)\n"
           "      --pids-limit N           process limit (-1: unlimited)\n"
           "      --ulimit NAME=SOFT[:HARD]\n"
           "      --init                   run an init that reaps zombies and forwards signals\n"
           "      --systemd MODE           true (an init command gets what systemd needs), false, always\n"
           "      --restart POLICY         no, on-failure[:N], always, unless-stopped\n"
           "      --health-cmd CMD         health check (also --health-interval, --health-timeout,\n"
           "                               --health-retries, --health-start-period, --no-healthcheck)\n"
           "  -l, --label KEY=VALUE        set a label\n"
           "      --stop-signal SIG, --stop-timeout SECONDS\n"
           "      --network MODE           none, host, bridge (default), NAME, container:ID\n"
           "  -p, --publish [IP:][HOSTPORT:]PORT[/udp]   publish a port; -P: every EXPOSEd port\n"
           "      --ip IP, --network-alias NAME        on a user-defined network\n"
           "      --dns IP, --dns-search DOMAIN, --dns-option OPT, --add-host NAME:IP\n"
           "      --log-opt max-size=SIZE,max-file=N\n",
           verb, strcmp (verb, "run") == 0 ? "Create and run a container." : "Create a container.");
}

void
run_opts_clear (struct run_opts *o)
{
  if (o->spec)
    ctr_spec_free (o->spec);
  strv_free (o->attach);
  memset (o, 0, sizeof *o);
}

#define BAD(...) return hull_usage_error (verb, __VA_ARGS__)

static int
fail (const char *verb, struct error **err)
{
  int r = hull_usage_error (verb, "%s", (*err)->msg);
  error_free (*err);
  *err = NULL;
  return r;
}

int
hull_parse_run_flags (const char *verb, int argc, char **argv, struct run_opts *o,
                      int *image_idx)
{
  memset (o, 0, sizeof *o);
  o->sig_proxy = true;
  struct ctr_spec *s = o->spec = calloc (1, sizeof *o->spec);
  if (s == NULL)
    return HULL_EXIT_FAIL;
  s->stop_timeout = -1;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *hcmd = NULL;
  bool no_hc = false;
  int c;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+dith:e:u:w:v:m:c:l:p:Pa:", run_options, NULL)) != -1)
    {
      switch (c)
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
          o->name = optarg;
          break;
        case 'e':
          if (ctr_env_add (&s->env, optarg, &err) < 0)
            return fail (verb, &err);
          break;
        case O_ENV_FILE:
          if (ctr_env_file (&s->env, optarg, &err) < 0)
            return fail (verb, &err);
          break;
        case 'u':
          if (*optarg == '\0')
            BAD ("invalid user `%s`", optarg);
          free (s->user);
          s->user = strdup (optarg);
          break;
        case 'w':
          if (optarg[0] != '/')
            BAD ("the working directory `%s` is not an absolute path", optarg);
          free (s->workdir);
          s->workdir = strdup (optarg);
          break;
        case O_ENTRYPOINT:
          strv_free (s->entrypoint);
          s->entrypoint = calloc (2, sizeof (char *));
          if (*optarg)
            s->entrypoint[0] = strdup (optarg);
          o->entrypoint_set = true;
          break;
        case 'h':
          free (s->hostname);
          s->hostname = strdup (optarg);
          break;
        case O_DOMAIN:
          free (s->domainname);
          s->domainname = strdup (optarg);
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
              return HULL_EXIT_FAIL;
            s->mounts = n;
            int r = c == O_TMPFS ? ctr_parse_tmpfs (optarg, &n[s->n_mounts], &err)
                    : c == 'v'   ? ctr_parse_volume (optarg, &n[s->n_mounts], &err)
                                 : ctr_parse_mount (optarg, &n[s->n_mounts], &err);
            s->n_mounts++;
            if (r < 0)
              return fail (verb, &err);
            break;
          }
        case O_CAP_ADD:
        case O_CAP_DROP:
          {
            char *cap = NULL;
            if (ctr_parse_cap (optarg, &cap, &err) < 0)
              return fail (verb, &err);
            strv_consume (c == O_CAP_ADD ? &s->cap_add : &s->cap_drop, cap);
            break;
          }
        case O_PRIVILEGED:
          s->privileged = true;
          break;
        case O_SECURITY_OPT:
          {
            const char *v = optarg;
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
                    if (fs_read_file (v + 8, 4u << 20, &s->seccomp, &len, &err) < 0)
                      {
                        error_prefix (&err, "--security-opt seccomp");
                        return fail (verb, &err);
                      }
                  }
              }
            else if (strncmp (v, "label=", 6) == 0 || strncmp (v, "label:", 6) == 0
                     || strncmp (v, "apparmor=", 9) == 0)
              ; /* no SELinux/AppArmor on hull's hosts yet: accepted, as docker does there */
            else
              BAD ("invalid --security-opt `%s`", v);
            break;
          }
        case 'm':
          if (parse_size (optarg, &s->memory) < 0 || s->memory < 6 * 1024 * 1024)
            BAD ("invalid --memory `%s` (a size, at least 6m)", optarg);
          break;
        case O_MEMORY_SWAP:
          if (strcmp (optarg, "-1") == 0)
            s->memory_swap = -1;
          else if (parse_size (optarg, &s->memory_swap) < 0 || s->memory_swap <= 0)
            BAD ("invalid --memory-swap `%s`", optarg);
          break;
        case O_CPUS:
          if (ctr_parse_cpus (optarg, &s->nano_cpus, &err) < 0)
            return fail (verb, &err);
          break;
        case 'c':
          if (parse_int64 (optarg, &s->cpu_shares) < 0 || s->cpu_shares < 2
              || s->cpu_shares > 262144)
            BAD ("invalid --cpu-shares `%s` (2..262144)", optarg);
          break;
        case O_CPUSET:
          if (strspn (optarg, "0123456789,-") != strlen (optarg) || *optarg == '\0')
            BAD ("invalid --cpuset-cpus `%s`", optarg);
          free (s->cpuset_cpus);
          s->cpuset_cpus = strdup (optarg);
          break;
        case O_PIDS:
          if (parse_int64 (optarg, &s->pids_limit) < 0 && strcmp (optarg, "-1") != 0)
            BAD ("invalid --pids-limit `%s`", optarg);
          if (strcmp (optarg, "-1") == 0 || s->pids_limit == 0)
            s->pids_limit = -1;
          break;
        case O_ULIMIT:
          {
            struct ctr_ulimit *n = realloc (s->ulimits, (s->n_ulimits + 1) * sizeof *n);
            if (n == NULL)
              return HULL_EXIT_FAIL;
            s->ulimits = n;
            int r = ctr_parse_ulimit (optarg, &n[s->n_ulimits], &err);
            s->n_ulimits++;
            if (r < 0)
              return fail (verb, &err);
            break;
          }
        case O_INIT:
          s->init = true;
          break;
        case O_SYSTEMD:
          if (ctr_parse_systemd (optarg, &s->systemd, &err) < 0)
            return fail (verb, &err);
          break;
        case O_RESTART:
          if (ctr_parse_restart (optarg, &s->restart, &err) < 0)
            return fail (verb, &err);
          break;
        case O_HCMD:
          free (hcmd);
          hcmd = strdup (optarg);
          break;
        case O_HINT:
        case O_HTIMEOUT:
        case O_HSTART:
          {
            int64_t ns;
            if (ctr_parse_duration (optarg, &ns, &err) < 0)
              return fail (verb, &err);
            if (c != O_HSTART && ns < 1000000)
              BAD ("--health-%s must be at least 1ms", c == O_HINT ? "interval" : "timeout");
            if (c == O_HINT)
              s->health.interval_ns = ns;
            else if (c == O_HTIMEOUT)
              s->health.timeout_ns = ns;
            else
              s->health.start_period_ns = ns;
            break;
          }
        case O_HRETRIES:
          if (parse_int (optarg, &s->health.retries) < 0 || s->health.retries < 0)
            BAD ("invalid --health-retries `%s`", optarg);
          break;
        case O_NOHC:
          no_hc = true;
          break;
        case 'l':
          {
            if (*optarg == '=' || *optarg == '\0')
              BAD ("invalid label `%s`", optarg);
            _cleanup_free_ char *kv = NULL;
            if (asprintf (&kv, "%s%s", optarg, strchr (optarg, '=') ? "" : "=") < 0
                || ctr_env_set (&s->labels, kv) < 0)
              return HULL_EXIT_FAIL;
            break;
          }
        case O_LABEL_FILE:
          if (ctr_env_file (&s->labels, optarg, &err) < 0)
            return fail (verb, &err);
          break;
        case O_STOP_SIGNAL:
          {
            int sig;
            if (ctr_parse_signal (optarg, &sig, &err) < 0)
              return fail (verb, &err);
            free (s->stop_signal);
            s->stop_signal = strdup (optarg);
            break;
          }
        case O_STOP_TIMEOUT:
          if (parse_int (optarg, &s->stop_timeout) < 0 || s->stop_timeout < -1)
            BAD ("invalid --stop-timeout `%s`", optarg);
          break;
        case O_NETWORK:
          free (s->network);
          s->network = strdup (optarg);
          break;
        case 'p':
          strv_push (&s->publish, optarg);
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
            if (c == O_IP)
              json_object_object_add (net, "ip", json_object_new_string (optarg));
            else
              {
                json_object *al = NULL;
                if (!json_object_object_get_ex (net, "aliases", &al))
                  json_object_object_add (net, "aliases", al = json_object_new_array ());
                json_object_array_add (al, json_object_new_string (optarg));
              }
            break;
          }
        case 'P':
          s->publish_all = true;
          break;
        case O_EXPOSE:
          {
            _cleanup_free_ char *port = strchr (optarg, '/') ? strdup (optarg) : NULL;
            if (port == NULL && asprintf (&port, "%s/tcp", optarg) < 0)
              return HULL_EXIT_FAIL;
            strv_push (&s->exposed_ports, port);
            break;
          }
        case O_DNS:
          strv_push (&s->dns, optarg);
          break;
        case O_DNS_SEARCH:
          strv_push (&s->dns_search, optarg);
          break;
        case O_DNS_OPT:
          strv_push (&s->dns_options, optarg);
          break;
        case O_ADD_HOST:
          {
            const char *colon = strchr (optarg, ':');
            if (colon == NULL || colon == optarg || colon[1] == '\0')
              BAD ("invalid --add-host `%s` (NAME:IP)", optarg);
            strv_push (&s->extra_hosts, optarg);
            break;
          }
        case O_LOG_OPT:
          {
            _cleanup_free_ char *copy = strdup (optarg);
            char *save = NULL;
            for (char *kv = strtok_r (copy, ",", &save); kv; kv = strtok_r (NULL, ",", &save))
              {
                if (strncmp (kv, "max-size=", 9) == 0)
                  {
                    if (parse_size (kv + 9, &s->log_max_size) < 0 || s->log_max_size <= 0)
                      BAD ("invalid --log-opt `%s`", kv);
                  }
                else if (strncmp (kv, "max-file=", 9) == 0)
                  {
                    if (parse_int (kv + 9, &s->log_max_file) < 0 || s->log_max_file < 1)
                      BAD ("invalid --log-opt `%s`", kv);
                  }
                else
                  BAD ("unknown --log-opt `%s` (max-size, max-file)", kv);
              }
            break;
          }
        case O_LOG_DRIVER:
          if (strcmp (optarg, "k8s-file") && strcmp (optarg, "json-file") && strcmp (optarg, "local"))
            BAD ("log driver `%s` is not supported (k8s-file)", optarg);
          break;
        case 'a':
          if (strcasecmp (optarg, "stdin") && strcasecmp (optarg, "stdout")
              && strcasecmp (optarg, "stderr"))
            BAD ("invalid --attach `%s` (stdin, stdout, stderr)", optarg);
          strv_push (&o->attach, optarg);
          break;
        case O_SIG_PROXY:
          o->sig_proxy = optarg == NULL || strcmp (optarg, "true") == 0;
          break;
        case O_PULL:
          if (strcmp (optarg, "missing") && strcmp (optarg, "never") && strcmp (optarg, "always"))
            BAD ("invalid --pull `%s` (missing, never, always)", optarg);
          o->pull = optarg;
          break;
        case O_SIGNATURE_POLICY:
          o->signature_policy = optarg;
          break;
        case O_HELP:
          usage (verb, stdout);
          return -1;
        case '?':
        default:
          if (optopt && optopt < 256)
            BAD ("unknown or incomplete option `-%c`", optopt);
          BAD ("unknown or incomplete option `%s`", argv[optind - 1]);
        }
    }
  if (optind >= argc)
    BAD ("requires at least 1 argument (IMAGE)");
  if (o->detach && s->auto_remove && s->restart.policy != RESTART_NO)
    BAD ("conflicting options: --restart and --rm");
  if (s->log_max_file > 1 && s->log_max_size == 0)
    BAD ("--log-opt max-file needs max-size");
  if (s->log_max_size && s->log_max_file == 0)
    s->log_max_file = 1;
  if (no_hc && hcmd)
    BAD ("--no-healthcheck conflicts with --health-* options");
  if (no_hc)
    {
      s->health.test = calloc (2, sizeof (char *));
      s->health.test[0] = strdup ("NONE");
    }
  else if (hcmd)
    {
      s->health.test = calloc (3, sizeof (char *));
      s->health.test[0] = strdup ("CMD-SHELL");
      s->health.test[1] = strdup (hcmd);
    }
  s->image = strdup (argv[optind]);
  if (optind + 1 < argc)
    s->cmd = strv_dup (argv + optind + 1);
  *image_idx = optind;
  return 0;
}
