/* nl.c - rtnetlink through libmnl: links, addresses, routes.
 *
 * One request at a time with NLM_F_ACK, so that every failure is reported
 * against the request that caused it.  A socket belongs to the network
 * namespace it was created in: to talk to a container's namespace we enter
 * it only for socket() and come back at once (the calling thread only; the
 * rest of the process never changes namespace).
 */
#include "net/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* requests are small; replies of a dump come in messages of at most a page
 * or 8 KiB (MNL_SOCKET_BUFFER_SIZE, not a constant) */
#define NL_BUF 16384

int
nl_open (struct nl *nl, int netns_fd, struct error **err)
{
  memset (nl, 0, sizeof *nl);
  _cleanup_close_ int self = -1;
  if (netns_fd >= 0)
    {
      self = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
      if (self < 0)
        return error_errno (err, errno, "open our network namespace");
      if (setns (netns_fd, CLONE_NEWNET) < 0)
        return error_errno (err, errno, "enter the container's network namespace");
    }
  nl->sk = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  int saved = errno;
  if (self >= 0 && setns (self, CLONE_NEWNET) < 0)
    {
      /* We cannot stay in the container's namespace: everything after
       * would act on the wrong network.  Nothing sane is left to do. */
      abort ();
    }
  if (nl->sk == NULL)
    return error_errno (err, saved, "netlink socket");
  if (mnl_socket_bind (nl->sk, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      saved = errno;
      mnl_socket_close (nl->sk);
      nl->sk = NULL;
      return error_errno (err, saved, "bind the netlink socket");
    }
  nl->portid = mnl_socket_get_portid (nl->sk);
  nl->seq = (uint32_t) time (NULL);
  return 0;
}

void
nl_close (struct nl *nl)
{
  if (nl->sk)
    mnl_socket_close (nl->sk);
  nl->sk = NULL;
}

/* Send one request, read until its ACK (or the end of a dump), calling cb
 * for data messages.  Returns 0 or -errno (the kernel's). */
static int
nl_talk (struct nl *nl, struct nlmsghdr *h, mnl_cb_t cb, void *data)
{
  h->nlmsg_seq = ++nl->seq;
  h->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto (nl->sk, h, h->nlmsg_len) < 0)
    return -errno;
  char buf[NL_BUF];
  for (;;)
    {
      ssize_t len = mnl_socket_recvfrom (nl->sk, buf, sizeof buf);
      if (len < 0)
        return -errno;
      int r = mnl_cb_run (buf, (size_t) len, h->nlmsg_seq, nl->portid, cb, data);
      if (r == MNL_CB_STOP)
        return 0;
      if (r < 0)
        return -errno;
    }
}

static struct nlmsghdr *
put_link_hdr (char *buf, uint16_t type, uint16_t flags, struct ifinfomsg **ifm)
{
  struct nlmsghdr *h = mnl_nlmsg_put_header (buf);
  h->nlmsg_type = type;
  h->nlmsg_flags = NLM_F_REQUEST | flags;
  *ifm = mnl_nlmsg_put_extra_header (h, sizeof **ifm);
  (*ifm)->ifi_family = AF_UNSPEC;
  return h;
}

static int
index_only_cb (const struct nlmsghdr *m, void *data)
{
  struct ifinfomsg *i = mnl_nlmsg_get_payload (m);
  *(int *) data = i->ifi_index;
  return MNL_CB_OK;
}

int
nl_link_index (struct nl *nl, const char *name)
{
  /* if_nametoindex would look in the namespace of the calling thread, not
   * of the socket: ask the socket. */
  char buf[NL_BUF];
  struct ifinfomsg *ifm;
  struct nlmsghdr *h = put_link_hdr (buf, RTM_GETLINK, 0, &ifm);
  mnl_attr_put_strz (h, IFLA_IFNAME, name);
  int index = -ENODEV;
  int r = nl_talk (nl, h, index_only_cb, &index);
  if (r < 0)
    return r == -ENODEV || r == -EINVAL ? -ENODEV : r;
  return index;
}

int
nl_bridge_create (struct nl *nl, const char *name, int mtu, const uint8_t mac[6],
                  struct error **err)
{
  char buf[NL_BUF];
  struct ifinfomsg *ifm;
  struct nlmsghdr *h = put_link_hdr (buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifm);
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  mnl_attr_put_strz (h, IFLA_IFNAME, name);
  if (mtu > 0)
    mnl_attr_put_u32 (h, IFLA_MTU, (uint32_t) mtu);
  /* A fixed address: a bridge otherwise takes the lowest of its ports'
   * addresses, which changes as containers come and go and leaves stale
   * neighbour entries in the containers. */
  mnl_attr_put (h, IFLA_ADDRESS, 6, mac);
  struct nlattr *li = mnl_attr_nest_start (h, IFLA_LINKINFO);
  mnl_attr_put_strz (h, IFLA_INFO_KIND, "bridge");
  mnl_attr_nest_end (h, li);
  int r = nl_talk (nl, h, NULL, NULL);
  if (r == -EEXIST)
    return 0; /* made meanwhile by another hull: the same bridge */
  if (r < 0)
    return error_errno (err, -r, "create bridge `%s`", name);
  return 1;
}

int
nl_veth_create (struct nl *nl, const char *name, const char *peer, int peer_netns_fd, int mtu,
                const uint8_t peer_mac[6], int master, struct error **err)
{
  char buf[NL_BUF];
  struct ifinfomsg *ifm;
  struct nlmsghdr *h = put_link_hdr (buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifm);
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  mnl_attr_put_strz (h, IFLA_IFNAME, name);
  if (mtu > 0)
    mnl_attr_put_u32 (h, IFLA_MTU, (uint32_t) mtu);
  if (master > 0)
    mnl_attr_put_u32 (h, IFLA_MASTER, (uint32_t) master);
  struct nlattr *li = mnl_attr_nest_start (h, IFLA_LINKINFO);
  mnl_attr_put_strz (h, IFLA_INFO_KIND, "veth");
  struct nlattr *data = mnl_attr_nest_start (h, IFLA_INFO_DATA);
  struct nlattr *pi = mnl_attr_nest_start (h, VETH_INFO_PEER);
  /* the peer's own ifinfomsg, then its attributes: it is born inside the
   * container's namespace, so its name never clashes on the host */
  struct ifinfomsg *pm = mnl_nlmsg_put_extra_header (h, sizeof *pm);
  pm->ifi_family = AF_UNSPEC;
  /* not IFF_UP here: the kernel opens the peer before the two are paired
   * and veth_open refuses (ENOTCONN); the caller sets it up */
  mnl_attr_put_strz (h, IFLA_IFNAME, peer);
  if (mtu > 0)
    mnl_attr_put_u32 (h, IFLA_MTU, (uint32_t) mtu);
  if (peer_mac)
    mnl_attr_put (h, IFLA_ADDRESS, 6, peer_mac);
  if (peer_netns_fd >= 0)
    mnl_attr_put_u32 (h, IFLA_NET_NS_FD, (uint32_t) peer_netns_fd);
  mnl_attr_nest_end (h, pi);
  mnl_attr_nest_end (h, data);
  mnl_attr_nest_end (h, li);
  int r = nl_talk (nl, h, NULL, NULL);
  if (r < 0)
    return error_errno (err, -r, "create veth `%s`", name);
  return 0;
}

int
nl_link_del (struct nl *nl, const char *name, struct error **err)
{
  char buf[NL_BUF];
  struct ifinfomsg *ifm;
  struct nlmsghdr *h = put_link_hdr (buf, RTM_DELLINK, 0, &ifm);
  mnl_attr_put_strz (h, IFLA_IFNAME, name);
  int r = nl_talk (nl, h, NULL, NULL);
  if (r == -ENODEV || r == -EINVAL)
    return 0; /* gone already (EINVAL: older kernels for an unknown name) */
  if (r < 0)
    return error_errno (err, -r, "delete link `%s`", name);
  return 1;
}

int
nl_link_up (struct nl *nl, int ifindex, struct error **err)
{
  char buf[NL_BUF];
  struct ifinfomsg *ifm;
  struct nlmsghdr *h = put_link_hdr (buf, RTM_NEWLINK, 0, &ifm);
  ifm->ifi_index = ifindex;
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  int r = nl_talk (nl, h, NULL, NULL);
  if (r < 0)
    return error_errno (err, -r, "set link %d up", ifindex);
  return 0;
}

int
nl_addr_add (struct nl *nl, int ifindex, uint32_t ip, int prefix_len, struct error **err)
{
  char buf[NL_BUF];
  struct nlmsghdr *h = mnl_nlmsg_put_header (buf);
  h->nlmsg_type = RTM_NEWADDR;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (h, sizeof *ifa);
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = (unsigned char) prefix_len;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = (unsigned) ifindex;
  uint32_t a = htonl (ip);
  mnl_attr_put_u32 (h, IFA_LOCAL, a);
  mnl_attr_put_u32 (h, IFA_ADDRESS, a);
  if (prefix_len < 31)
    mnl_attr_put_u32 (h, IFA_BROADCAST, htonl (ip | (0xffffffffu >> prefix_len)));
  int r = nl_talk (nl, h, NULL, NULL);
  if (r == -EEXIST)
    return 0;
  if (r < 0)
    {
      char s[16];
      return error_errno (err, -r, "add address %s/%d", net_ip_str (ip, s), prefix_len);
    }
  return 0;
}

int
nl_route_add (struct nl *nl, uint32_t dst, int dst_len, uint32_t gw, int ifindex,
              struct error **err)
{
  char buf[NL_BUF];
  struct nlmsghdr *h = mnl_nlmsg_put_header (buf);
  h->nlmsg_type = RTM_NEWROUTE;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
  struct rtmsg *rt = mnl_nlmsg_put_extra_header (h, sizeof *rt);
  rt->rtm_family = AF_INET;
  rt->rtm_dst_len = (unsigned char) dst_len;
  rt->rtm_table = RT_TABLE_MAIN;
  rt->rtm_protocol = RTPROT_BOOT;
  rt->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  rt->rtm_type = RTN_UNICAST;
  if (dst_len > 0)
    mnl_attr_put_u32 (h, RTA_DST, htonl (dst));
  if (gw)
    mnl_attr_put_u32 (h, RTA_GATEWAY, htonl (gw));
  mnl_attr_put_u32 (h, RTA_OIF, (uint32_t) ifindex);
  int r = nl_talk (nl, h, NULL, NULL);
  if (r == -EEXIST)
    return 0;
  if (r < 0)
    {
      char s[16];
      return error_errno (err, -r, "add route to %s/%d", net_ip_str (dst, s), dst_len);
    }
  return 0;
}

int
nl_brport_hairpin (struct nl *nl, int ifindex, struct error **err)
{
  char buf[NL_BUF];
  struct ifinfomsg *ifm;
  struct nlmsghdr *h = put_link_hdr (buf, RTM_SETLINK, 0, &ifm);
  ifm->ifi_family = AF_BRIDGE;
  ifm->ifi_index = ifindex;
  struct nlattr *pi = mnl_attr_nest_start (h, IFLA_PROTINFO);
  mnl_attr_put_u8 (h, IFLA_BRPORT_MODE, 1);
  mnl_attr_nest_end (h, pi);
  int r = nl_talk (nl, h, NULL, NULL);
  if (r < 0)
    return error_errno (err, -r, "set hairpin mode on link %d", ifindex);
  return 0;
}

struct names_ctx
{
  char **v;
  int err;
};

static int
names_attr (const struct nlattr *a, void *data)
{
  if (mnl_attr_get_type (a) == IFLA_IFNAME && mnl_attr_validate (a, MNL_TYPE_STRING) >= 0)
    {
      struct names_ctx *c = data;
      if (strv_push (&c->v, mnl_attr_get_str (a)) < 0)
        c->err = -ENOMEM;
    }
  return MNL_CB_OK;
}

static int
names_cb (const struct nlmsghdr *m, void *data)
{
  mnl_attr_parse (m, sizeof (struct ifinfomsg), names_attr, data);
  return MNL_CB_OK;
}

int
nl_link_names (struct nl *nl, char ***out, struct error **err)
{
  char buf[NL_BUF];
  struct ifinfomsg *ifm;
  struct nlmsghdr *h = put_link_hdr (buf, RTM_GETLINK, NLM_F_DUMP, &ifm);
  struct names_ctx c = { NULL, 0 };
  int r = nl_talk (nl, h, names_cb, &c);
  if (r == 0)
    r = c.err;
  if (r < 0)
    {
      strv_free (c.v);
      return error_errno (err, -r, "list links");
    }
  *out = c.v;
  return 0;
}

struct routes_ctx
{
  struct nl *nl;
  struct net_cidr *v;
  char **ifnames;
  size_t n;
  int err;
};

struct route_attrs
{
  uint32_t dst;
  bool has_dst;
  uint32_t oif, table;
};

static int
route_attr (const struct nlattr *a, void *data)
{
  struct route_attrs *ra = data;
  switch (mnl_attr_get_type (a))
    {
    case RTA_DST:
      if (mnl_attr_validate (a, MNL_TYPE_U32) >= 0)
        ra->dst = ntohl (mnl_attr_get_u32 (a)), ra->has_dst = true;
      break;
    case RTA_OIF:
      if (mnl_attr_validate (a, MNL_TYPE_U32) >= 0)
        ra->oif = mnl_attr_get_u32 (a);
      break;
    case RTA_TABLE:
      if (mnl_attr_validate (a, MNL_TYPE_U32) >= 0)
        ra->table = mnl_attr_get_u32 (a);
      break;
    }
  return MNL_CB_OK;
}

static int
routes_cb (const struct nlmsghdr *m, void *data)
{
  struct routes_ctx *c = data;
  struct rtmsg *rt = mnl_nlmsg_get_payload (m);
  if (rt->rtm_family != AF_INET || rt->rtm_dst_len == 0 || rt->rtm_type != RTN_UNICAST)
    return MNL_CB_OK;
  struct route_attrs ra = { .table = rt->rtm_table };
  mnl_attr_parse (m, sizeof *rt, route_attr, &ra);
  if (!ra.has_dst || ra.table != RT_TABLE_MAIN)
    return MNL_CB_OK;
  if (c->n >= 4096)
    return MNL_CB_OK; /* a limit on what the host can make us hold */
  struct net_cidr *v = realloc (c->v, (c->n + 1) * sizeof *v);
  if (v == NULL)
    {
      c->err = -ENOMEM;
      return MNL_CB_OK;
    }
  c->v = v;
  v[c->n].addr = ra.dst;
  v[c->n].len = rt->rtm_dst_len;
  /* the interface's index for now; nl_routes turns it into its name (no
   * nested request inside a dump) */
  char idx[16];
  snprintf (idx, sizeof idx, "%u", ra.oif);
  if (strv_push (&c->ifnames, idx) < 0)
    {
      c->err = -ENOMEM;
      return MNL_CB_OK;
    }
  c->n++;
  return MNL_CB_OK;
}

struct index_ctx
{
  uint32_t index;
  char name[IFNAMSIZ];
};

static int
index_attr (const struct nlattr *a, void *data)
{
  if (mnl_attr_get_type (a) == IFLA_IFNAME && mnl_attr_validate (a, MNL_TYPE_STRING) >= 0)
    snprintf (((struct index_ctx *) data)->name, IFNAMSIZ, "%s", mnl_attr_get_str (a));
  return MNL_CB_OK;
}

static int
index_cb (const struct nlmsghdr *m, void *data)
{
  mnl_attr_parse (m, sizeof (struct ifinfomsg), index_attr, data);
  return MNL_CB_OK;
}

int
nl_routes (struct nl *nl, struct net_cidr **out, char ***ifnames, size_t *n, struct error **err)
{
  char buf[NL_BUF];
  struct nlmsghdr *h = mnl_nlmsg_put_header (buf);
  h->nlmsg_type = RTM_GETROUTE;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  struct rtmsg *rt = mnl_nlmsg_put_extra_header (h, sizeof *rt);
  rt->rtm_family = AF_INET;
  struct routes_ctx c = { .nl = nl };
  int r = nl_talk (nl, h, routes_cb, &c);
  if (r == 0)
    r = c.err;
  if (r < 0)
    {
      free (c.v);
      strv_free (c.ifnames);
      return error_errno (err, -r, "list routes");
    }
  /* interface indexes -> names */
  for (size_t i = 0; i < c.n; i++)
    {
      struct index_ctx ic = { 0 };
      char b2[NL_BUF];
      struct ifinfomsg *ifm;
      struct nlmsghdr *q = put_link_hdr (b2, RTM_GETLINK, 0, &ifm);
      ifm->ifi_index = atoi (c.ifnames[i]);
      if (ifm->ifi_index > 0 && nl_talk (nl, q, index_cb, &ic) == 0)
        {
          free (c.ifnames[i]);
          c.ifnames[i] = strdup (ic.name);
          if (c.ifnames[i] == NULL)
            {
              free (c.v);
              strv_free (c.ifnames);
              return error_set (err, ENOMEM, "out of memory");
            }
        }
    }
  *out = c.v;
  *ifnames = c.ifnames;
  *n = c.n;
  return 0;
}
