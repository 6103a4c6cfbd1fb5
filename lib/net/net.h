/* net.h - container networks: bridges, veths, addresses, NAT, published
 * ports and name resolution, Docker's bridge model without a daemon.
 *
 * A network is a record in hull.db (table net_networks) and, while at least
 * one container is attached to it, a Linux bridge on the host.  Attaching a
 * container (net_setup) happens before the container exists:
 *
 *   1. under RUNROOT/net/lock (flock, exclusive) and one BEGIN IMMEDIATE
 *      transaction: an address on each network (UNIQUE(network, ip) makes
 *      two allocations of one address impossible), the published ports
 *      (checked against the database and by binding them on the host);
 *   2. a network namespace made by us and bind-mounted on
 *      RUNROOT/netns/<container id>; the runtime joins it by path
 *      (linux.namespaces[network].path), as podman and CNI do;
 *   3. per network: the bridge (made on first use), a veth pair whose
 *      container end is created inside the namespace as ethN, addresses,
 *      routes, MTU, links up (netlink through libmnl, nl.c);
 *   4. the nftables table of this hull (`ip <prefix>`), regenerated from
 *      the database in one atomic transaction (nft.c);
 *   5. the hosts files of the containers on the same user networks,
 *      rewritten in place so that every container resolves every other by
 *      name (hosts.c).
 *
 * net_teardown undoes all of it and is idempotent; net_reconcile removes
 * what a crashed process left (leases of dead containers, orphan veths,
 * namespace mounts).  See docs/design/net.md.
 */
#ifndef HULL_NET_NET_H
#define HULL_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct net;
struct db;
typedef struct json_object json_object;

#define NET_DEFAULT_PREFIX "hull"
#define NET_DEFAULT_SUBNET "10.87.0.0/16"
#define NET_DEFAULT_NAME "bridge" /* docker's name of the default network */
#define NET_PREFIX_MAX 6          /* so that "<prefix>v<8+ hex>" fits IFNAMSIZ */
#define NET_MAX_PORTS 1024        /* published ports per container */
#define NET_MAX_NETWORKS 64       /* networks per container */
#define NET_MAX_ALIASES 32

struct net_options
{
  struct db *db;              /* hull.db (lib/db), borrowed */
  const char *runroot;        /* RUNROOT: net/lock, netns/ */
  const char *prefix;         /* names of bridges, veths, the nft table; NULL: "hull" */
  const char *default_subnet; /* of network "bridge"; NULL: NET_DEFAULT_SUBNET */
};

/* Open: apply the schema migrations (module "net" in schema_modules). */
int net_open (const struct net_options *o, struct net **out, struct error **err);
void net_close (struct net *n);
static inline void net_closep (struct net **n)
{
  if (*n)
    net_close (*n);
}
#define _cleanup_net_ __attribute__ ((cleanup (net_closep)))
const char *net_prefix (struct net *n);

/* ------------------------------------------------------------ addresses */

/* IPv4 in host byte order. */
struct net_cidr
{
  uint32_t addr;
  int len;
};
int net_parse_ip (const char *s, uint32_t *out);
/* "10.1.0.0/16"; host bits must be zero unless allow_host. */
int net_parse_cidr (const char *s, bool allow_host, struct net_cidr *out, struct error **err);
/* "a.b.c.d" into buf (16 bytes). */
const char *net_ip_str (uint32_t ip, char buf[16]);
bool net_cidr_overlap (const struct net_cidr *a, const struct net_cidr *b);
bool net_cidr_contains (const struct net_cidr *c, uint32_t ip);

/* ------------------------------------------------------------ networks */

struct net_network
{
  char *id;      /* 64 hex */
  char *name;
  char *driver;  /* "bridge" */
  char *bridge;  /* "<prefix>N" */
  struct net_cidr subnet;
  uint32_t gateway;
  bool internal;
  int mtu;
  int64_t created; /* unix ns */
  char **labels;   /* "k=v" */
  bool is_default;
};
void net_network_free (struct net_network *nw);
void net_network_list_free (struct net_network **l);
static inline void net_network_freep (struct net_network **nw)
{
  if (*nw)
    net_network_free (*nw);
}
#define _cleanup_net_network_ __attribute__ ((cleanup (net_network_freep)))

struct net_network_opts
{
  const char *name;
  const char *driver;  /* NULL or "bridge" */
  const char *subnet;  /* NULL: the first free /24 of 10.90.0.0/15 */
  const char *gateway; /* NULL: the subnet's first address */
  const char *ip_range;/* NULL: the whole subnet */
  bool internal;
  int mtu;             /* 0: 1500 */
  char **labels;
};

/* Names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 64. */
bool net_name_valid (const char *name);
/* Create: the subnet must not overlap another network's or a host route
 * (-EEXIST / -EADDRINUSE with a message naming both). */
int net_network_create (struct net *n, const struct net_network_opts *o, struct net_network **out,
                        struct error **err);
/* By name, full id or unique id prefix; "bridge" is made on first use. */
int net_network_get (struct net *n, const char *ref, struct net_network **out, struct error **err);
int net_network_list (struct net *n, struct net_network ***out, struct error **err);
/* Remove: refused (-EBUSY) while containers are attached; "bridge" cannot
 * be removed. */
int net_network_remove (struct net *n, const char *ref, struct error **err);
/* Containers attached: ids (strv) and their addresses. */
int net_network_containers (struct net *n, const char *network_id, char ***ids, char ***names,
                            char ***ips, struct error **err);

/* ------------------------------------------------------------ ports */

struct net_port
{
  char proto[4];      /* "tcp" / "udp" */
  uint32_t host_ip;   /* 0: every address */
  uint16_t host_port; /* 0: pick one */
  uint16_t ctr_port;
};
/* -p [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|udp], with ranges
 * (8000-8001:80-81); appends to *ports. */
int net_parse_publish (const char *spec, struct net_port **ports, size_t *n, struct error **err);
/* Would these host ports be free now (another container's mapping, a
 * host process bound)?  For an early, clear error at create; net_setup
 * checks again under its lock. */
int net_ports_check (struct net *n, const struct net_port *ports, size_t np, struct error **err);
/* "80/tcp" from an image's ExposedPorts (-P): host port 0. */
int net_parse_exposed (const char *spec, struct net_port **ports, size_t *n, struct error **err);

/* ------------------------------------------------------------ containers */

struct net_endpoint_req
{
  const char *network;  /* name or id */
  const char *ip;       /* --ip; NULL: allocate */
  char **aliases;       /* --network-alias */
};

struct net_ctr
{
  const char *id;         /* container id (64 hex) */
  const char *name;
  const char *hostname;   /* resolves to itself in its hosts file */
  const char *hosts_path; /* its /etc/hosts on the host: updated in place; may be NULL */
  const struct net_endpoint_req *endpoints;
  size_t n_endpoints;
  const struct net_port *ports;
  size_t n_ports;
};

struct net_endpoint
{
  char *network_id, *network, *bridge;
  char *ifname;  /* in the container: eth0... */
  char *veth;    /* on the host */
  uint32_t ip, gateway;
  int prefix_len;
  char mac[18];
  char **aliases;
};

struct net_ctr_state
{
  char *netns;   /* RUNROOT/netns/<id>: the runtime joins it */
  struct net_endpoint *endpoints;
  size_t n_endpoints;
  struct net_port *ports; /* as published (host ports chosen) */
  size_t n_ports;
  char **hosts;  /* "IP\tname alias..." lines for its /etc/hosts */
};
void net_ctr_state_free (struct net_ctr_state *s);
static inline void net_ctr_state_freep (struct net_ctr_state **s)
{
  if (*s)
    net_ctr_state_free (*s);
}
#define _cleanup_net_ctr_state_ __attribute__ ((cleanup (net_ctr_state_freep)))

/* Everything for one container; on failure nothing is left behind. */
int net_setup (struct net *n, const struct net_ctr *c, struct net_ctr_state **out,
               struct error **err);
/* Undo net_setup: veths, addresses, ports, rules, the namespace, hosts
 * entries elsewhere.  Idempotent; a container we know nothing of is fine. */
int net_teardown (struct net *n, const char *ctr_id, struct error **err);
/* What is recorded for a container (NULL *out when nothing). */
int net_ctr_get (struct net *n, const char *ctr_id, struct net_ctr_state **out,
                 struct error **err);
/* Connect a set-up container to one more network / disconnect it. */
int net_connect (struct net *n, const char *ctr_id, const struct net_endpoint_req *ep,
                 const char *name, const char *hostname, const char *hosts_path, struct error **err);
int net_disconnect (struct net *n, const char *ctr_id, const char *network, struct error **err);

/* Remove what crashed processes left: every container with a record here
 * for which alive(id) is false is torn down; host veths named with our
 * prefix and namespace mounts under RUNROOT/netns that no record claims are
 * removed; the rules are regenerated.  alive NULL: keep every record. */
int net_reconcile (struct net *n, bool (*alive) (const char *ctr_id, void *data), void *data,
                   struct error **err);

/* JSON of one network (docker network inspect) and of a container's
 * NetworkSettings. */
json_object *net_network_to_json (struct net *n, const struct net_network *nw);
json_object *net_ctr_state_to_json (const struct net_ctr_state *s);

#endif
