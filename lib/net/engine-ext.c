/* engine-ext.c - lib/net plugged into the engine (engine_ext, engine.h).
 *
 *   create:   the network mode, -p/-P, --ip and --network-alias are
 *             checked (a bad value fails `hull create`, nothing recorded);
 *   prestart: net_setup before the runtime starts: our namespace's path
 *             goes to the config builder (the runtime joins it), the hosts
 *             lines to the engine's /etc/hosts;
 *   cleanup:  net_teardown after the final exit, from the monitor's exit
 *             command, `rm -f`, or the reconciliation of a container whose
 *             monitor was killed.
 *
 * Network modes: none and host are the engine's; "default" and "bridge"
 * are the default network; "container:X" joins X's namespace; anything
 * else names a user-defined network.
 *
 * The prefix of our names (bridges, veths, the nft table) and the default
 * network's subnet come from HULL_NET_PREFIX and HULL_NET_SUBNET, so that
 * several hull roots (test suites) can share a host.
 */
#include "net/engine-ext.h"
#include "net/net.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "engine/build.h"
#include "engine/engine.h"
#include "engine/spec.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct
{
  struct engine *e;
  struct net *n;
} cache;

int
net_engine_net (struct engine *e, struct net **out, struct error **err)
{
  if (cache.e == e && cache.n)
    {
      *out = cache.n;
      return 0;
    }
  struct net_options o = {
    .db = engine_db (e),
    .runroot = engine_runroot (e),
    .prefix = getenv ("HULL_NET_PREFIX"),
    .default_subnet = getenv ("HULL_NET_SUBNET"),
  };
  if (o.prefix && *o.prefix == '\0')
    o.prefix = NULL;
  if (o.default_subnet && *o.default_subnet == '\0')
    o.default_subnet = NULL;
  struct net *n = NULL;
  int r = net_open (&o, &n, err);
  if (r < 0)
    return r;
  if (cache.n)
    net_close (cache.n);
  cache.e = e;
  cache.n = n;
  *out = n;
  return 0;
}

char *
net_engine_hosts_path (struct engine *e, const char *id)
{
  /* the engine writes a container's /etc files in its run directory at
   * every start (container.c, write_etc_files) */
  _cleanup_free_ char *dir = engine_ctr_rundir (e, id);
  return dir ? fs_path_join (dir, "hosts") : NULL;
}

static const char *
mode_of (const struct ctr_spec *s)
{
  return s->network && *s->network ? s->network : "default";
}

static bool
is_ours (const char *mode)
{
  return strcmp (mode, "none") && strcmp (mode, "host") && strncmp (mode, "container:", 10);
}

/* --ip, --network-alias (spec->ext "net", see cmd/hull/runflags.c) */
static void
net_opts (const struct ctr_spec *s, const char **ip, char ***aliases)
{
  json_object *net = NULL, *v = NULL;
  *ip = NULL;
  *aliases = NULL;
  if (s->ext == NULL || !json_object_object_get_ex (s->ext, "net", &net))
    return;
  if (json_object_object_get_ex (net, "ip", &v))
    *ip = json_object_get_string (v);
  if (json_object_object_get_ex (net, "aliases", &v) && json_object_is_type (v, json_type_array))
    for (size_t i = 0; i < json_object_array_length (v) && i < NET_MAX_ALIASES; i++)
      strv_push (aliases, json_object_get_string (json_object_array_get_idx (v, i)));
}

int
net_engine_ports (const struct ctr_spec *s, struct net_port **ports, size_t *n, struct error **err)
{
  *ports = NULL;
  *n = 0;
  int r = 0;
  for (size_t i = 0; r == 0 && s->publish && s->publish[i]; i++)
    r = net_parse_publish (s->publish[i], ports, n, err);
  for (size_t i = 0; r == 0 && s->publish_all && s->exposed_ports && s->exposed_ports[i]; i++)
    {
      /* -P: every exposed port not published explicitly, on a port the
       * kernel picks */
      struct net_port *tmp = NULL;
      size_t k = 0;
      r = net_parse_exposed (s->exposed_ports[i], &tmp, &k, err);
      for (size_t j = 0; r == 0 && j < k; j++)
        {
          bool dup = false;
          for (size_t q = 0; q < *n; q++)
            dup |= (*ports)[q].ctr_port == tmp[j].ctr_port
                   && strcmp ((*ports)[q].proto, tmp[j].proto) == 0;
          if (dup)
            continue;
          struct net_port *v = realloc (*ports, (*n + 1) * sizeof *v);
          if (v == NULL)
            r = error_set (err, ENOMEM, "out of memory");
          else
            (*ports = v)[(*n)++] = tmp[j];
        }
      free (tmp);
    }
  if (r < 0)
    {
      free (*ports);
      *ports = NULL;
      *n = 0;
    }
  return r;
}

static int
ext_create (struct engine *e, struct ctr_record *rec, struct error **err)
{
  const struct ctr_spec *s = rec->spec;
  const char *mode = mode_of (s);
  const char *ip;
  _cleanup_strv_ char **aliases = NULL;
  net_opts (s, &ip, &aliases);
  if (!is_ours (mode))
    {
      if (ip || aliases)
        return error_set (err, EINVAL, "--ip and --network-alias need a user-defined network, "
                                       "not network mode `%s`", mode);
      if (strncmp (mode, "container:", 10) == 0)
        {
          if (s->publish || s->publish_all)
            return error_set (err, EINVAL, "conflicting options: port publishing and the "
                                           "container type network mode");
          _cleanup_ctr_record_ struct ctr_record *other = NULL;
          int r = engine_lookup (e, mode + 10, &other, err);
          if (r < 0)
            return r;
        }
      return 0;
    }
  struct net *n;
  int r = net_engine_net (e, &n, err);
  if (r < 0)
    return r;
  _cleanup_net_network_ struct net_network *nw = NULL;
  if ((r = net_network_get (n, strcmp (mode, "default") == 0 ? NET_DEFAULT_NAME : mode, &nw, err)) < 0)
    return r;
  if ((ip || aliases) && nw->is_default)
    return error_set (err, EINVAL, "--ip and --network-alias are supported on user-defined "
                                   "networks only");
  uint32_t a;
  if (ip && (net_parse_ip (ip, &a) < 0 || !net_cidr_contains (&nw->subnet, a)))
    return error_set (err, EINVAL, "invalid --ip `%s` for network `%s`", ip, nw->name);
  for (size_t i = 0; aliases && aliases[i]; i++)
    if (!net_name_valid (aliases[i]))
      return error_set (err, EINVAL, "invalid --network-alias `%s`", aliases[i]);
  _cleanup_free_ struct net_port *ports = NULL;
  size_t np = 0;
  if ((r = net_engine_ports (s, &ports, &np, err)) < 0)
    return r;
  /* taken ports fail here, before anything is recorded (Docker would
   * leave a created container behind) */
  if ((r = net_ports_check (n, ports, np, err)) < 0)
    return r;
  /* extension data: the monitor then releases the network at the final
   * exit (its exit command), not only the next hull command */
  if (rec->ext == NULL)
    rec->ext = json_object_new_object ();
  json_object *x = json_object_new_object ();
  json_object_object_add (x, "network", json_object_new_string (nw->name));
  json_object_object_add (rec->ext, "net", x);
  return 0;
}

static int
ext_prestart (struct engine *e, struct ctr_record *rec, struct build_ctx *b, struct error **err)
{
  const struct ctr_spec *s = rec->spec;
  const char *mode = mode_of (s);
  struct net *n;
  int r;
  if (strncmp (mode, "container:", 10) == 0)
    {
      _cleanup_ctr_record_ struct ctr_record *other = NULL;
      if ((r = engine_lookup (e, mode + 10, &other, err)) < 0)
        return r;
      if (other->state != CTR_RUNNING && other->state != CTR_PAUSED)
        return error_set (err, EINVAL, "cannot join the network of container `%s`: it is not "
                                       "running", mode + 10);
      if ((r = net_engine_net (e, &n, err)) < 0)
        return r;
      _cleanup_net_ctr_state_ struct net_ctr_state *st = NULL;
      if ((r = net_ctr_get (n, other->id, &st, err)) < 0)
        return r;
      char *p = NULL;
      if (st && st->netns)
        p = strdup (st->netns);
      else if (asprintf (&p, "/proc/%d/ns/net", (int) other->pid) < 0)
        p = NULL;
      if (p == NULL)
        return error_set (err, ENOMEM, "out of memory");
      free (b->netns_path);
      b->netns_path = p;
      return 0;
    }
  if (!is_ours (mode))
    return 0;
  if ((r = net_engine_net (e, &n, err)) < 0)
    return r;
  const char *ip;
  _cleanup_strv_ char **aliases = NULL;
  net_opts (s, &ip, &aliases);
  _cleanup_free_ struct net_port *ports = NULL;
  size_t np = 0;
  if ((r = net_engine_ports (s, &ports, &np, err)) < 0)
    return r;
  _cleanup_free_ char *hosts = net_engine_hosts_path (e, rec->id);
  if (hosts == NULL)
    return error_set (err, ENOMEM, "out of memory");
  struct net_endpoint_req ep = {
    .network = strcmp (mode, "default") == 0 ? NET_DEFAULT_NAME : mode,
    .ip = ip,
    .aliases = aliases,
  };
  struct net_ctr c = {
    .id = rec->id,
    .name = rec->name,
    .hostname = s->hostname,
    .hosts_path = hosts,
    .endpoints = &ep,
    .n_endpoints = 1,
    .ports = ports,
    .n_ports = np,
  };
  _cleanup_net_ctr_state_ struct net_ctr_state *st = NULL;
  if ((r = net_setup (n, &c, &st, err)) < 0)
    return r;
  free (b->netns_path);
  b->netns_path = strdup (st->netns);
  for (size_t i = 0; st->hosts && st->hosts[i]; i++)
    strv_push (&b->hosts_extra, st->hosts[i]);
  if (b->netns_path == NULL)
    return error_set (err, ENOMEM, "out of memory");
  return 0;
}

static int
ext_cleanup (struct engine *e, struct ctr_record *rec, struct error **err)
{
  struct net *n;
  int r = net_engine_net (e, &n, err);
  if (r < 0)
    return r;
  return net_teardown (n, rec->id, err);
}

static void
ext_inspect (struct engine *e, const struct ctr_record *rec, json_object *doc)
{
  struct net *n;
  _cleanup_error_ struct error *err = NULL;
  if (net_engine_net (e, &n, &err) < 0)
    return;
  _cleanup_net_ctr_state_ struct net_ctr_state *st = NULL;
  if (net_ctr_get (n, rec->id, &st, &err) < 0)
    return;
  json_object_object_add (doc, "NetworkSettings", net_ctr_state_to_json (st));
}

static char **
ext_ports (struct engine *e, const struct ctr_record *rec)
{
  struct net *n;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_net_ctr_state_ struct net_ctr_state *st = NULL;
  if (net_engine_net (e, &n, &err) < 0 || net_ctr_get (n, rec->id, &st, &err) < 0 || st == NULL)
    return NULL;
  char **v = NULL;
  for (size_t i = 0; i < st->n_ports; i++)
    {
      char ip[16], *line = NULL;
      if (asprintf (&line, "%u/%s -> %s:%u", st->ports[i].ctr_port, st->ports[i].proto,
                    net_ip_str (st->ports[i].host_ip, ip), st->ports[i].host_port)
          < 0)
        break;
      strv_consume (&v, line);
    }
  return v;
}

static const char *const net_modes[] = { "default", "bridge", "*", NULL };

static const struct engine_ext net_ext = {
  .name = "network",
  .create = ext_create,
  .prestart = ext_prestart,
  .cleanup = ext_cleanup,
  .inspect = ext_inspect,
  .ports = ext_ports,
  .network_modes = net_modes,
};

int
net_engine_register (void)
{
  return engine_register_ext (&net_ext);
}

static bool
alive_cb (const char *id, void *data)
{
  struct engine *e = data;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  _cleanup_error_ struct error *err = NULL;
  /* engine_lookup reconciles: a container whose monitor died is cleaned
   * (our cleanup hook included) and shows as exited */
  if (engine_lookup (e, id, &r, &err) < 0)
    return false;
  return r->state == CTR_RUNNING || r->state == CTR_PAUSED || r->state == CTR_RESTARTING
         || r->state == CTR_STARTING;
}

int
net_engine_reconcile (struct engine *e, struct error **err)
{
  struct net *n;
  int r = net_engine_net (e, &n, err);
  if (r < 0)
    return r;
  return net_reconcile (n, alive_cb, e, err);
}
