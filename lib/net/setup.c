/* setup.c - attach a container to its networks, and take it all down.
 *
 * Order (net.h): leases and ports first, in one transaction (the part that
 * can refuse: no address left, a port taken), then the kernel objects, then
 * the rules.  Everything runs under RUNROOT/net/lock, so that a bridge is
 * made by the first container that needs it and removed by the last one to
 * leave, and the rules are rendered from a database nobody is changing.  A
 * failure at any step tears down what was done (net_teardown is idempotent
 * and works from the database and from names derived from the container
 * id, so it also cleans after a process killed half-way).
 */
#include "net/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
net_ctr_state_free (struct net_ctr_state *s)
{
  if (s == NULL)
    return;
  free (s->netns);
  for (size_t i = 0; i < s->n_endpoints; i++)
    {
      struct net_endpoint *e = &s->endpoints[i];
      free (e->network_id);
      free (e->network);
      free (e->bridge);
      free (e->ifname);
      free (e->veth);
      strv_free (e->aliases);
    }
  free (s->endpoints);
  free (s->ports);
  strv_free (s->hosts);
  free (s);
}

/* Make the bridge of a network if it is not there, with its gateway
 * address; route_localnet so that DNAT'd loopback traffic may leave
 * through it (nft.c). */
static int
ensure_bridge (struct nl *nl, const struct net_network *nw, int *index, struct error **err)
{
  int idx = nl_link_index (nl, nw->bridge);
  if (idx < 0)
    {
      uint8_t mac[6];
      net_mac_from_ip (nw->gateway, mac, true);
      int r = nl_bridge_create (nl, nw->bridge, nw->mtu, mac, err);
      if (r < 0)
        return r;
      idx = nl_link_index (nl, nw->bridge);
      if (idx < 0)
        return error_errno (err, -idx, "find bridge `%s`", nw->bridge);
    }
  int r = nl_addr_add (nl, idx, nw->gateway, nw->subnet.len, err);
  if (r < 0)
    return error_prefix (err, "bridge `%s`", nw->bridge);
  _cleanup_free_ char *key = NULL;
  if (asprintf (&key, "net/ipv4/conf/%s/route_localnet", nw->bridge) < 0)
    return error_set (err, ENOMEM, "out of memory");
  if ((r = net_sysctl (key, "1", err)) < 0)
    return r;
  *index = idx;
  return 0;
}

/* The kernel side of one endpoint: veth, addresses, routes. */
static int
plumb (struct net *n, struct nl *host, struct nl *ctr, int nsfd, const struct net_network *nw,
       const struct ndb_attach *a, bool default_route, struct error **err)
{
  int br = -1;
  int r = ensure_bridge (host, nw, &br, err);
  if (r < 0)
    return r;
  /* a veth of that name can only be a leftover of this very container */
  if ((r = nl_link_del (host, a->veth, err)) < 0)
    return r;
  uint8_t mac[6];
  net_mac_from_ip (a->ip, mac, false);
  if ((r = nl_veth_create (host, a->veth, a->ifname, nsfd, nw->mtu, mac, br, err)) < 0)
    return r;
  int vi = nl_link_index (host, a->veth);
  if (vi < 0)
    return error_errno (err, -vi, "find `%s`", a->veth);
  if ((r = nl_brport_hairpin (host, vi, err)) < 0)
    return r;
  int ci = nl_link_index (ctr, a->ifname);
  if (ci < 0)
    return error_errno (err, -ci, "find `%s` in the container", a->ifname);
  if ((r = nl_addr_add (ctr, ci, a->ip, nw->subnet.len, err)) < 0
      || (r = nl_link_up (ctr, ci, err)) < 0)
    return r;
  if (default_route && (r = nl_route_add (ctr, 0, 0, nw->gateway, ci, err)) < 0)
    return r;
  (void) n;
  return 0;
}

static int
open_ns (const char *path, struct error **err)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return error_errno (err, errno, "open `%s`", path);
  return fd;
}

static int teardown_locked (struct net *n, const char *ctr_id, const char *only_network,
                            struct error **err);

int
net_ctr_get (struct net *n, const char *ctr_id, struct net_ctr_state **out, struct error **err)
{
  *out = NULL;
  struct ndb_attach *l = NULL;
  size_t k = 0;
  struct ndb_port *p = NULL;
  size_t np = 0;
  int r = ndb_attach_list (n, ctr_id, NULL, &l, &k, err);
  if (r < 0)
    return r;
  if ((r = ndb_port_list (n, ctr_id, &p, &np, err)) < 0)
    {
      ndb_attach_list_free (l, k);
      return r;
    }
  if (k == 0 && np == 0)
    {
      ndb_attach_list_free (l, k);
      ndb_port_list_free (p, np);
      return 0;
    }
  _cleanup_net_ctr_state_ struct net_ctr_state *s = calloc (1, sizeof *s);
  if (s && k)
    s->endpoints = calloc (k, sizeof *s->endpoints);
  if (s && np)
    s->ports = calloc (np, sizeof *s->ports);
  if (s == NULL || (k && !s->endpoints) || (np && !s->ports))
    r = error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; r == 0 && i < k; i++)
    {
      _cleanup_net_network_ struct net_network *nw = NULL;
      if ((r = ndb_network_get (n, l[i].network_id, &nw, err)) < 0)
        break;
      struct net_endpoint *e = &s->endpoints[s->n_endpoints++];
      e->network_id = strdup (nw->id);
      e->network = strdup (nw->name);
      e->bridge = strdup (nw->bridge);
      e->ifname = strdup (l[i].ifname);
      e->veth = strdup (l[i].veth);
      e->aliases = strv_dup (l[i].aliases);
      e->ip = l[i].ip;
      e->gateway = nw->gateway;
      e->prefix_len = nw->subnet.len;
      uint8_t mac[6];
      net_mac_from_ip (l[i].ip, mac, false);
      snprintf (e->mac, sizeof e->mac, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                mac[3], mac[4], mac[5]);
      if (!e->network_id || !e->network || !e->bridge || !e->ifname || !e->veth)
        r = error_set (err, ENOMEM, "out of memory");
      if (s->netns == NULL)
        s->netns = strdup (l[i].netns);
    }
  for (size_t i = 0; r == 0 && i < np; i++)
    s->ports[s->n_ports++] = p[i].p;
  if (r == 0 && k)
    r = hosts_lines (n, ctr_id, &s->hosts, err);
  ndb_attach_list_free (l, k);
  ndb_port_list_free (p, np);
  if (r < 0)
    return r;
  *out = TAKE_PTR (s);
  return 0;
}

int
net_ports_check (struct net *n, const struct net_port *ports, size_t np, struct error **err)
{
  for (size_t i = 0; i < np; i++)
    {
      if (ports[i].host_port == 0)
        continue;
      for (size_t j = 0; j < i; j++)
        if (ports[j].host_port == ports[i].host_port && strcmp (ports[j].proto, ports[i].proto) == 0
            && (ports[j].host_ip == ports[i].host_ip || !ports[j].host_ip || !ports[i].host_ip))
          {
            char s[16];
            return error_set (err, EADDRINUSE, "port %s:%u/%s is published twice",
                              net_ip_str (ports[i].host_ip, s), ports[i].host_port, ports[i].proto);
          }
      struct ndb_port *l = NULL;
      size_t k = 0;
      int r = ndb_port_list (n, NULL, &l, &k, err);
      if (r < 0)
        return r;
      for (size_t j = 0; j < k; j++)
        if (l[j].p.host_port == ports[i].host_port && strcmp (l[j].p.proto, ports[i].proto) == 0
            && (l[j].p.host_ip == ports[i].host_ip || !l[j].p.host_ip || !ports[i].host_ip))
          {
            char s[16];
            r = error_set (err, EADDRINUSE, "port %s:%u/%s is already published by container "
                                            "`%.12s`",
                           net_ip_str (ports[i].host_ip, s), ports[i].host_port, ports[i].proto,
                           l[j].ctr_id);
            break;
          }
      ndb_port_list_free (l, k);
      if (r < 0)
        return r;
      struct net_port p = ports[i];
      if ((r = port_probe (&p, err)) < 0)
        return r;
    }
  return 0;
}

/* Record leases and ports (one transaction). */
static int
allocate (struct net *n, const struct net_ctr *c, struct net_network **nws, const char *netns,
          int first_if, struct error **err)
{
  int r = db_begin (n->db, err);
  if (r < 0)
    return r;
  uint32_t first_ip = 0;
  for (size_t i = 0; r == 0 && i < c->n_endpoints; i++)
    {
      const struct net_endpoint_req *q = &c->endpoints[i];
      struct ndb_attach a = {
        .ctr_id = (char *) c->id,
        .ctr_name = (char *) c->name,
        .hostname = (char *) c->hostname,
        .hosts_path = (char *) c->hosts_path,
        .netns = (char *) netns,
        .aliases = q->aliases,
      };
      uint32_t want = 0;
      if (q->ip && net_parse_ip (q->ip, &want) < 0)
        r = error_set (err, EINVAL, "invalid IPv4 address `%s`", q->ip);
      char ifname[16];
      snprintf (ifname, sizeof ifname, "eth%d", first_if + (int) i);
      a.ifname = ifname;
      _cleanup_free_ char *veth = net_veth_name (n, c->id, nws[i]->id);
      a.veth = veth;
      if (r == 0 && veth == NULL)
        r = error_set (err, ENOMEM, "out of memory");
      if (r == 0)
        r = ndb_attach_insert (n, nws[i], &a, want, err);
      if (r == 0 && i == 0)
        first_ip = a.ip;
    }
  for (size_t i = 0; r == 0 && i < c->n_ports; i++)
    {
      struct net_port p = c->ports[i];
      if (first_ip == 0)
        {
          r = error_set (err, EINVAL, "published ports need a network with addresses");
          break;
        }
      /* a port the kernel picks may be one another container published
       * (those are DNAT rules, not sockets): try again */
      for (int tries = 0; tries < 16; tries++)
        {
          p.host_port = c->ports[i].host_port;
          if ((r = port_probe (&p, err)) < 0)
            break;
          r = ndb_port_insert (n, c->id, &p, first_ip, err);
          if (r == 0 || c->ports[i].host_port != 0)
            break;
          error_freep (err);
        }
    }
  if (r < 0)
    {
      db_rollback (n->db);
      return r;
    }
  return db_commit (n->db, err);
}

static int
resolve_networks (struct net *n, const struct net_endpoint_req *eps, size_t count,
                  struct net_network ***out, struct error **err)
{
  if (count > NET_MAX_NETWORKS)
    return error_set (err, E2BIG, "too many networks (at most %d)", NET_MAX_NETWORKS);
  struct net_network **nws = calloc (count + 1, sizeof *nws);
  if (nws == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int r = 0;
  for (size_t i = 0; r == 0 && i < count; i++)
    {
      r = net_network_get (n, eps[i].network ? eps[i].network : NET_DEFAULT_NAME, &nws[i], err);
      if (r < 0)
        break;
      if (eps[i].ip && nws[i]->is_default)
        r = error_set (err, EINVAL, "user specified IP address is supported on user defined "
                                    "networks only");
      if (eps[i].aliases && nws[i]->is_default)
        r = error_set (err, EINVAL, "network-scoped aliases are supported on user defined "
                                    "networks only");
      if (strv_len (eps[i].aliases) > NET_MAX_ALIASES)
        r = error_set (err, E2BIG, "too many aliases (at most %d)", NET_MAX_ALIASES);
      for (size_t j = 0; r == 0 && j < i; j++)
        if (strcmp (nws[j]->id, nws[i]->id) == 0)
          r = error_set (err, EINVAL, "network `%s` given twice", nws[i]->name);
    }
  if (r < 0)
    {
      net_network_list_free (nws);
      return r;
    }
  *out = nws;
  return 0;
}

static int
plumb_all (struct net *n, const char *ctr_id, const char *netns, const char *only_network,
           struct error **err)
{
  struct ndb_attach *l = NULL;
  size_t k = 0;
  int r = ndb_attach_list (n, ctr_id, NULL, &l, &k, err);
  if (r < 0)
    return r;
  _cleanup_close_ int nsfd = open_ns (netns, err);
  if (nsfd < 0)
    {
      ndb_attach_list_free (l, k);
      return nsfd;
    }
  struct nl host = { 0 }, ctr = { 0 };
  if ((r = nl_open (&host, -1, err)) == 0)
    r = nl_open (&ctr, nsfd, err);
  if (r == 0 && only_network == NULL)
    {
      int lo = nl_link_index (&ctr, "lo");
      r = lo < 0 ? error_errno (err, -lo, "find lo in the container") : nl_link_up (&ctr, lo, err);
    }
  bool need_forward = false;
  bool have_default = false;
  /* the default route goes through the first network that is not internal
   * (its ifname is the lowest); when connecting one more network, only if
   * no other endpoint already has it */
  for (size_t i = 0; r == 0 && i < k; i++)
    {
      _cleanup_net_network_ struct net_network *nw = NULL;
      if ((r = ndb_network_get (n, l[i].network_id, &nw, err)) < 0)
        break;
      bool dr = !nw->internal && !have_default;
      if (!nw->internal)
        have_default = true, need_forward = true;
      if (only_network && strcmp (only_network, nw->id) != 0)
        continue;
      r = plumb (n, &host, &ctr, nsfd, nw, &l[i], dr, err);
      if (r < 0)
        error_prefix (err, "network `%s`", nw->name);
    }
  nl_close (&host);
  nl_close (&ctr);
  ndb_attach_list_free (l, k);
  /* containers on a network that is not internal reach beyond the host:
   * the host must forward (Docker and podman set it too) */
  if (r == 0 && need_forward && (r = net_sysctl ("net/ipv4/ip_forward", "1", err)) < 0)
    error_prefix (err, "enable IPv4 forwarding");
  return r;
}

int
net_setup (struct net *n, const struct net_ctr *c, struct net_ctr_state **out, struct error **err)
{
  if (c->n_endpoints == 0)
    return error_set (err, EINVAL, "no network to attach to");
  if (c->n_ports > NET_MAX_PORTS)
    return error_set (err, E2BIG, "too many published ports (at most %d)", NET_MAX_PORTS);
  struct net_network **nws = NULL;
  int r = resolve_networks (n, c->endpoints, c->n_endpoints, &nws, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *netns = net_netns_path (n, c->id);
  _cleanup_free_ char *nsdir = fs_path_join (n->runroot, "netns");
  if (netns == NULL || nsdir == NULL)
    {
      net_network_list_free (nws);
      return error_set (err, ENOMEM, "out of memory");
    }
  if ((r = net_lock (n, err)) < 0)
    {
      net_network_list_free (nws);
      return r;
    }
  {
    /* whatever a crash left under this id goes first */
    _cleanup_error_ struct error *e2 = NULL;
    teardown_locked (n, c->id, NULL, &e2);
  }
  r = allocate (n, c, nws, netns, 0, err);
  net_network_list_free (nws);
  if (r < 0)
    goto out;
  if ((r = fs_mkdir_p (AT_FDCWD, nsdir, 0755, err)) < 0 || (r = netns_create (netns, err)) < 0
      || (r = plumb_all (n, c->id, netns, NULL, err)) < 0 || (r = nft_sync (n, err)) < 0)
    goto undo;
  for (size_t i = 0; i < c->n_endpoints; i++)
    {
      _cleanup_net_network_ struct net_network *nw = NULL;
      _cleanup_error_ struct error *e2 = NULL;
      if (net_network_get (n, c->endpoints[i].network ? c->endpoints[i].network : NET_DEFAULT_NAME,
                           &nw, &e2)
              == 0
          && !nw->is_default)
        hosts_update_network (n, nw->id, &e2);
    }
  if (out && (r = net_ctr_get (n, c->id, out, err)) < 0)
    goto undo;
  goto out;
undo:
  {
    _cleanup_error_ struct error *e2 = NULL;
    if (teardown_locked (n, c->id, NULL, &e2) < 0)
      log_debug ("net: undo of `%.12s`: %s", c->id, e2->msg);
  }
out:
  net_unlock (n);
  return r;
}

/* Remove bridges named like ours that belong to no network (a crash
 * between a network's removal and its bridge's). */
static void
drop_orphan_bridges (struct net *n, struct nl *host, char **names)
{
  struct net_network **l = NULL;
  _cleanup_error_ struct error *e2 = NULL;
  if (ndb_network_list (n, &l, &e2) < 0)
    return;
  size_t pl = strlen (n->prefix);
  for (size_t i = 0; names && names[i]; i++)
    {
      const char *t = names[i] + pl;
      if (strncmp (names[i], n->prefix, pl) != 0 || *t == '\0' || strspn (t, "0123456789") != strlen (t))
        continue;
      bool known = false;
      for (size_t j = 0; l[j]; j++)
        known |= strcmp (l[j]->bridge, names[i]) == 0;
      if (!known)
        nl_link_del (host, names[i], &e2);
    }
  net_network_list_free (l);
}

static int
teardown_locked (struct net *n, const char *ctr_id, const char *only_network, struct error **err)
{
  struct ndb_attach *l = NULL;
  size_t k = 0;
  int r = ndb_attach_list (n, ctr_id, only_network, &l, &k, err);
  if (r < 0)
    return r;
  if (k == 0 && only_network == NULL)
    {
      /* the common case of a container with nothing of ours (network
       * none, or cleaned already): no netlink, no nftables */
      struct ndb_port *p = NULL;
      size_t np = 0;
      _cleanup_free_ char *netns = net_netns_path (n, ctr_id);
      if (ndb_port_list (n, ctr_id, &p, &np, err) < 0)
        return -EIO;
      ndb_port_list_free (p, np);
      if (np == 0 && netns && access (netns, F_OK) < 0)
        {
          free (l);
          return 0;
        }
    }
  struct nl host;
  if ((r = nl_open (&host, -1, err)) < 0)
    {
      ndb_attach_list_free (l, k);
      return r;
    }
  int first_err = 0;
  /* the host ends; the container ends go with them */
  for (size_t i = 0; i < k; i++)
    {
      _cleanup_error_ struct error *e2 = NULL;
      if (nl_link_del (&host, l[i].veth, &e2) < 0 && first_err == 0)
        {
          first_err = -EIO;
          *err = TAKE_PTR (e2);
        }
    }
  if (only_network == NULL)
    {
      _cleanup_free_ char *netns = net_netns_path (n, ctr_id);
      _cleanup_error_ struct error *e2 = NULL;
      if (netns && netns_remove (netns, &e2) < 0 && first_err == 0)
        {
          first_err = -EIO;
          *err = TAKE_PTR (e2);
        }
    }
  _cleanup_error_ struct error *e2 = NULL;
  if ((r = db_begin (n->db, &e2)) == 0)
    {
      if ((r = ndb_attach_delete (n, ctr_id, only_network, &e2)) < 0
          || (only_network == NULL && (r = ndb_port_delete (n, ctr_id, &e2)) < 0))
        db_rollback (n->db);
      else
        r = db_commit (n->db, &e2);
    }
  if (r < 0 && first_err == 0)
    first_err = r, *err = TAKE_PTR (e2);
  /* the bridge stays while its network exists (as Docker's): deleting a
   * bridge costs tens of milliseconds of RCU grace periods, on every last
   * container's exit */
  nl_close (&host);
  error_freep (&e2);
  if ((r = nft_sync (n, &e2)) < 0 && first_err == 0)
    first_err = r, *err = TAKE_PTR (e2);
  for (size_t i = 0; i < k; i++)
    {
      _cleanup_error_ struct error *e3 = NULL;
      hosts_update_network (n, l[i].network_id, &e3);
    }
  ndb_attach_list_free (l, k);
  if (only_network)
    {
      /* its own file loses the peers of the network it left */
      _cleanup_error_ struct error *e3 = NULL;
      if (ndb_attach_list (n, ctr_id, NULL, &l, &k, &e3) == 0)
        {
          for (size_t i = 0; i < k; i++)
            hosts_update_network (n, l[i].network_id, &e3);
          ndb_attach_list_free (l, k);
        }
    }
  return first_err;
}

int
net_teardown (struct net *n, const char *ctr_id, struct error **err)
{
  int r = net_lock (n, err);
  if (r < 0)
    return r;
  r = teardown_locked (n, ctr_id, NULL, err);
  net_unlock (n);
  return r;
}

int
net_connect (struct net *n, const char *ctr_id, const struct net_endpoint_req *ep,
             const char *name, const char *hostname, const char *hosts_path, struct error **err)
{
  struct net_network **nws = NULL;
  int r = resolve_networks (n, ep, 1, &nws, err);
  if (r < 0)
    return r;
  if ((r = net_lock (n, err)) < 0)
    {
      net_network_list_free (nws);
      return r;
    }
  struct ndb_attach *l = NULL;
  size_t k = 0;
  if ((r = ndb_attach_list (n, ctr_id, NULL, &l, &k, err)) < 0)
    goto out;
  if (k == 0)
    {
      r = error_set (err, EINVAL, "container `%.12s` has no network namespace of ours (network "
                                  "mode none, host or container?)", ctr_id);
      goto out;
    }
  for (size_t i = 0; i < k; i++)
    if (strcmp (l[i].network_id, nws[0]->id) == 0)
      {
        r = error_set (err, EEXIST, "container `%.12s` is already connected to network `%s`",
                       ctr_id, nws[0]->name);
        goto out;
      }
  /* the next free ethN */
  int ifn = 0;
  for (bool taken = true; taken; ifn++)
    {
      char want[16];
      snprintf (want, sizeof want, "eth%d", ifn);
      taken = false;
      for (size_t i = 0; i < k; i++)
        taken |= strcmp (l[i].ifname, want) == 0;
      if (!taken)
        break;
    }
  struct net_ctr c = {
    .id = ctr_id,
    .name = name,
    .hostname = hostname,
    .hosts_path = hosts_path,
    .endpoints = ep,
    .n_endpoints = 1,
  };
  if ((r = allocate (n, &c, nws, l[0].netns, ifn, err)) < 0)
    goto out;
  if ((r = plumb_all (n, ctr_id, l[0].netns, nws[0]->id, err)) < 0 || (r = nft_sync (n, err)) < 0)
    {
      _cleanup_error_ struct error *e2 = NULL;
      teardown_locked (n, ctr_id, nws[0]->id, &e2);
      goto out;
    }
  hosts_update_network (n, nws[0]->id, err);
  if (*err)
    error_freep (err);
  {
    /* its own file: it now knows the peers of the new network */
    _cleanup_error_ struct error *e2 = NULL;
    for (size_t i = 0; i < k; i++)
      hosts_update_network (n, l[i].network_id, &e2);
  }
out:
  ndb_attach_list_free (l, k);
  net_network_list_free (nws);
  net_unlock (n);
  return r;
}

int
net_disconnect (struct net *n, const char *ctr_id, const char *network, struct error **err)
{
  _cleanup_net_network_ struct net_network *nw = NULL;
  int r = net_network_get (n, network, &nw, err);
  if (r < 0)
    return r;
  if ((r = net_lock (n, err)) < 0)
    return r;
  struct ndb_attach *l = NULL;
  size_t k = 0;
  if ((r = ndb_attach_list (n, ctr_id, nw->id, &l, &k, err)) == 0 && k == 0)
    r = error_set (err, ENOENT, "container `%.12s` is not connected to network `%s`", ctr_id,
                   nw->name);
  ndb_attach_list_free (l, k);
  if (r == 0)
    r = teardown_locked (n, ctr_id, nw->id, err);
  net_unlock (n);
  return r;
}

int
net_reconcile (struct net *n, bool (*alive) (const char *ctr_id, void *data), void *data,
               struct error **err)
{
  int r = net_lock (n, err);
  if (r < 0)
    return r;
  _cleanup_strv_ char **ids = NULL;
  if ((r = ndb_ctr_ids (n, &ids, err)) < 0)
    goto out;
  for (size_t i = 0; alive && ids && ids[i]; i++)
    if (!alive (ids[i], data))
      {
        _cleanup_error_ struct error *e2 = NULL;
        if (teardown_locked (n, ids[i], NULL, &e2) < 0)
          log_debug ("net: reconcile `%.12s`: %s", ids[i], e2->msg);
      }
  /* orphans: veths named like ours that no record claims, namespace files
   * under RUNROOT/netns of no container we know */
  {
    struct ndb_attach *l = NULL;
    size_t k = 0;
    if ((r = ndb_attach_list (n, NULL, NULL, &l, &k, err)) < 0)
      goto out;
    struct nl host;
    if ((r = nl_open (&host, -1, err)) == 0)
      {
        _cleanup_strv_ char **names = NULL;
        _cleanup_error_ struct error *e2 = NULL;
        size_t pl = strlen (n->prefix);
        if (nl_link_names (&host, &names, &e2) == 0)
          for (size_t i = 0; names && names[i]; i++)
            {
              if (strncmp (names[i], n->prefix, pl) != 0 || names[i][pl] != 'v'
                  || strlen (names[i]) != 15)
                continue;
              bool claimed = false;
              for (size_t j = 0; j < k; j++)
                claimed |= strcmp (l[j].veth, names[i]) == 0;
              if (!claimed)
                nl_link_del (&host, names[i], &e2);
            }
        drop_orphan_bridges (n, &host, names);
        nl_close (&host);
      }
    _cleanup_free_ char *nsdir = fs_path_join (n->runroot, "netns");
    _cleanup_closedir_ DIR *d = nsdir ? opendir (nsdir) : NULL;
    for (struct dirent *de; d && (de = readdir (d)) != NULL;)
      {
        if (de->d_name[0] == '.')
          continue;
        bool claimed = false;
        for (size_t j = 0; j < k; j++)
          claimed |= strcmp (l[j].ctr_id, de->d_name) == 0;
        if (!claimed)
          {
            _cleanup_free_ char *p = fs_path_join (nsdir, de->d_name);
            _cleanup_error_ struct error *e2 = NULL;
            if (p)
              netns_remove (p, &e2);
          }
      }
    ndb_attach_list_free (l, k);
  }
  if (r == 0)
    r = nft_sync (n, err);
out:
  net_unlock (n);
  return r;
}

json_object *
net_ctr_state_to_json (const struct net_ctr_state *s)
{
  char b1[16], b2[64];
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "SandboxKey", json_object_new_string (s && s->netns ? s->netns : ""));
  json_object *ports = json_object_new_object ();
  for (size_t i = 0; s && i < s->n_ports; i++)
    {
      snprintf (b2, sizeof b2, "%u/%s", s->ports[i].ctr_port, s->ports[i].proto);
      json_object *arr = NULL;
      if (!json_object_object_get_ex (ports, b2, &arr))
        {
          arr = json_object_new_array ();
          json_object_object_add (ports, b2, arr);
        }
      json_object *b = json_object_new_object ();
      json_object_object_add (b, "HostIp",
                              json_object_new_string (net_ip_str (s->ports[i].host_ip, b1)));
      snprintf (b2, sizeof b2, "%u", s->ports[i].host_port);
      json_object_object_add (b, "HostPort", json_object_new_string (b2));
      json_object_array_add (arr, b);
    }
  json_object_object_add (o, "Ports", ports);
  json_object *nets = json_object_new_object ();
  for (size_t i = 0; s && i < s->n_endpoints; i++)
    {
      const struct net_endpoint *e = &s->endpoints[i];
      json_object *n = json_object_new_object ();
      json_object_object_add (n, "NetworkID", json_object_new_string (e->network_id));
      json_object_object_add (n, "Gateway", json_object_new_string (net_ip_str (e->gateway, b1)));
      json_object_object_add (n, "IPAddress", json_object_new_string (net_ip_str (e->ip, b1)));
      json_object_object_add (n, "IPPrefixLen", json_object_new_int (e->prefix_len));
      json_object_object_add (n, "MacAddress", json_object_new_string (e->mac));
      json_object *al = json_object_new_array ();
      for (size_t j = 0; e->aliases && e->aliases[j]; j++)
        json_object_array_add (al, json_object_new_string (e->aliases[j]));
      json_object_object_add (n, "Aliases", al);
      json_object_object_add (nets, e->network, n);
    }
  json_object_object_add (o, "Networks", nets);
  if (s && s->n_endpoints)
    {
      json_object_object_add (o, "IPAddress",
                              json_object_new_string (net_ip_str (s->endpoints[0].ip, b1)));
      json_object_object_add (o, "Gateway",
                              json_object_new_string (net_ip_str (s->endpoints[0].gateway, b1)));
    }
  return o;
}
