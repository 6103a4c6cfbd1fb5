/* internal.h - lib/net's pieces: netlink, namespaces, database, nftables,
 * hosts files.  Not for other modules. */
#ifndef HULL_NET_INTERNAL_H
#define HULL_NET_INTERNAL_H

#include "db/db.h"
#include "net/net.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mnl_socket;

struct net
{
  struct db *db; /* borrowed */
  char *runroot;
  char *prefix;
  struct net_cidr default_subnet;
  int lock_fd; /* RUNROOT/net/lock while held, else -1 */
  int lock_depth;
};

/* ---- nl.c: rtnetlink through libmnl ---- */
struct nl
{
  struct mnl_socket *sk;
  uint32_t portid;
  uint32_t seq;
};
/* A socket in the namespace netns_fd (-1: ours).  Sockets keep the
 * namespace they were made in, so the thread switches only for socket(). */
int nl_open (struct nl *nl, int netns_fd, struct error **err);
void nl_close (struct nl *nl);
/* ifindex, or -ENODEV. */
int nl_link_index (struct nl *nl, const char *name);
int nl_bridge_create (struct nl *nl, const char *name, int mtu, const uint8_t mac[6],
                      struct error **err);
/* A veth pair: host end `name` (enslaved to master, up), peer created in
 * the namespace peer_netns_fd as `peer` (with mac; down: set it up). */
int nl_veth_create (struct nl *nl, const char *name, const char *peer, int peer_netns_fd, int mtu,
                    const uint8_t peer_mac[6], int master, struct error **err);
/* Delete a link by name; a missing one is fine. */
int nl_link_del (struct nl *nl, const char *name, struct error **err);
int nl_link_up (struct nl *nl, int ifindex, struct error **err);
int nl_addr_add (struct nl *nl, int ifindex, uint32_t ip, int prefix_len, struct error **err);
int nl_route_add (struct nl *nl, uint32_t dst, int dst_len, uint32_t gw, int ifindex,
                  struct error **err);
/* Bridge port hairpin mode (a container reaching its own published port). */
int nl_brport_hairpin (struct nl *nl, int ifindex, struct error **err);
/* Every link's name (strv). */
int nl_link_names (struct nl *nl, char ***out, struct error **err);
/* IPv4 routes of the main table with a destination (not the default
 * route), and the interface each goes through. */
int nl_routes (struct nl *nl, struct net_cidr **out, char ***ifnames, size_t *n,
               struct error **err);

/* ---- netns.c ---- */
/* Make a network namespace bound at path (a new empty file). */
int netns_create (const char *path, struct error **err);
/* Unmount and unlink; a missing path is fine. */
int netns_remove (const char *path, struct error **err);
/* Write a sysctl below /proc/sys (of our network namespace). */
int net_sysctl (const char *key, const char *value, struct error **err);

/* ---- db.c ---- */
int ndb_migrate (struct net *n, struct error **err);
int ndb_network_get (struct net *n, const char *ref, struct net_network **out, struct error **err);
int ndb_network_list (struct net *n, struct net_network ***out, struct error **err);
int ndb_network_insert (struct net *n, const struct net_network *nw, struct error **err);
int ndb_network_delete (struct net *n, const char *id, struct error **err);
int ndb_count_attached (struct net *n, const char *network_id, int *count, struct error **err);

struct ndb_attach
{
  char *ctr_id, *network_id, *ctr_name, *hostname, *hosts_path, *netns, *ifname, *veth;
  uint32_t ip;
  char **aliases;
};
void ndb_attach_clear (struct ndb_attach *a);
void ndb_attach_list_free (struct ndb_attach *l, size_t n);
/* Allocate an address (or take `want`, -EADDRINUSE if taken) and record
 * the attachment; inside a transaction. */
int ndb_attach_insert (struct net *n, const struct net_network *nw, struct ndb_attach *a,
                       uint32_t want, struct error **err);
int ndb_attach_delete (struct net *n, const char *ctr_id, const char *network_id,
                       struct error **err);
/* ctr_id NULL: all; network_id NULL: every network. */
int ndb_attach_list (struct net *n, const char *ctr_id, const char *network_id,
                     struct ndb_attach **out, size_t *count, struct error **err);
/* Ports: record (conflicts: -EADDRINUSE naming the owner), list, delete. */
int ndb_port_insert (struct net *n, const char *ctr_id, const struct net_port *p,
                     uint32_t ctr_ip, struct error **err);
struct ndb_port
{
  char *ctr_id;
  struct net_port p;
  uint32_t ctr_ip;
};
int ndb_port_list (struct net *n, const char *ctr_id, struct ndb_port **out, size_t *count,
                   struct error **err);
void ndb_port_list_free (struct ndb_port *l, size_t n);
int ndb_port_delete (struct net *n, const char *ctr_id, struct error **err);
/* Distinct container ids with anything recorded. */
int ndb_ctr_ids (struct net *n, char ***out, struct error **err);

/* ---- nft.c ---- */
/* Regenerate table `ip <prefix>` from the database (deleted when nothing
 * is attached), atomically. */
int nft_sync (struct net *n, struct error **err);
/* Run nft commands; output (list) into *out when out is non-NULL. */
int nft_run (const char *cmds, char **out, struct error **err);
/* The ruleset text nft_sync would apply (NULL: delete the table). */
int nft_render (struct net *n, char **out, struct error **err);

/* ---- hosts.c ---- */
#define NET_HOSTS_MARK "# hull network peers (rewritten on connect/disconnect)"
/* The lines for container ctr_id: itself, then every container sharing one
 * of its user networks. */
int hosts_lines (struct net *n, const char *ctr_id, char ***out, struct error **err);
/* Rewrite the marked section of the hosts file of every container on the
 * network (in place: the file is bind-mounted, a rename would not show). */
int hosts_update_network (struct net *n, const char *network_id, struct error **err);

/* ---- ports.c ---- */
/* Try to bind the host side: -EADDRINUSE with a clear message; a port 0 is
 * chosen by the kernel and returned in p->host_port. */
int port_probe (struct net_port *p, struct error **err);

/* ---- misc ---- */
int net_lock (struct net *n, struct error **err);
void net_unlock (struct net *n);
int net_random_hex (char *out, size_t nhex, struct error **err);
char *net_veth_name (struct net *n, const char *ctr_id, const char *network_id);
char *net_netns_path (struct net *n, const char *ctr_id);
void net_mac_from_ip (uint32_t ip, uint8_t mac[6], bool bridge);
/* Strings of a JSON array column. */
char **net_strv_from_json (const char *text);
char *net_strv_to_json (char *const *v);

#endif
