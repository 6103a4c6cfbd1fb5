/* net.c - the handle, the lock, networks. */
#include "net/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static bool
prefix_valid (const char *p)
{
  size_t l = strlen (p);
  if (l == 0 || l > NET_PREFIX_MAX || !islower ((unsigned char) p[0]))
    return false;
  for (size_t i = 0; i < l; i++)
    if (!islower ((unsigned char) p[i]) && !isdigit ((unsigned char) p[i]))
      return false;
  return true;
}

int
net_open (const struct net_options *o, struct net **out, struct error **err)
{
  const char *prefix = o->prefix ? o->prefix : NET_DEFAULT_PREFIX;
  if (!prefix_valid (prefix))
    return error_set (err, EINVAL, "invalid network name prefix `%s`: 1 to %d lowercase letters "
                                   "and digits, starting with a letter", prefix, NET_PREFIX_MAX);
  if (o->db == NULL || o->runroot == NULL)
    return error_set (err, EINVAL, "net_open: no database or run root");
  _cleanup_free_ struct net *n = calloc (1, sizeof *n);
  if (n == NULL)
    return error_set (err, ENOMEM, "out of memory");
  n->db = o->db;
  n->lock_fd = -1;
  int r = net_parse_cidr (o->default_subnet ? o->default_subnet : NET_DEFAULT_SUBNET, false,
                          &n->default_subnet, err);
  if (r < 0)
    return error_prefix (err, "default network");
  if (n->default_subnet.len > 30)
    return error_set (err, EINVAL, "default network: subnet `%s` is too small",
                      o->default_subnet);
  n->runroot = strdup (o->runroot);
  n->prefix = strdup (prefix);
  if (!n->runroot || !n->prefix)
    {
      free (n->runroot);
      free (n->prefix);
      return error_set (err, ENOMEM, "out of memory");
    }
  if ((r = ndb_migrate (n, err)) < 0)
    {
      free (n->runroot);
      free (n->prefix);
      return r;
    }
  *out = TAKE_PTR (n);
  return 0;
}

void
net_close (struct net *n)
{
  if (n == NULL)
    return;
  safe_close (n->lock_fd);
  free (n->runroot);
  free (n->prefix);
  free (n);
}

const char *
net_prefix (struct net *n)
{
  return n->prefix;
}

int
net_lock (struct net *n, struct error **err)
{
  if (n->lock_depth++ > 0)
    return 0;
  _cleanup_free_ char *dir = fs_path_join (n->runroot, "net");
  if (dir == NULL)
    return n->lock_depth--, error_set (err, ENOMEM, "out of memory");
  int r = fs_mkdir_p (AT_FDCWD, dir, 0700, err);
  if (r < 0)
    return n->lock_depth--, r;
  _cleanup_free_ char *p = fs_path_join (dir, "lock");
  int fd = p ? open (p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
  if (fd < 0)
    return n->lock_depth--, error_errno (err, errno, "open `%s`", p ? p : dir);
  /* Held while we change links, rules and leases: bridges are made and
   * removed by whoever comes first or leaves last, which needs one view. */
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int e = errno;
        close (fd);
        return n->lock_depth--, error_errno (err, e, "lock `%s`", p);
      }
  n->lock_fd = fd;
  return 0;
}

void
net_unlock (struct net *n)
{
  if (n->lock_depth == 0 || --n->lock_depth > 0)
    return;
  n->lock_fd = safe_close (n->lock_fd);
}

int
net_random_hex (char *out, size_t nhex, struct error **err)
{
  uint8_t b[32];
  if (nhex > 64)
    nhex = 64;
  if (getrandom (b, (nhex + 1) / 2, 0) != (ssize_t) ((nhex + 1) / 2))
    return error_errno (err, errno, "getrandom");
  for (size_t i = 0; i < nhex; i++)
    out[i] = "0123456789abcdef"[(b[i / 2] >> (i % 2 ? 0 : 4)) & 15];
  out[nhex] = '\0';
  return 0;
}

char *
net_veth_name (struct net *n, const char *ctr_id, const char *network_id)
{
  /* FNV-1a of the pair: stable, so a crashed process's veth is found again */
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char *s = ctr_id; *s; s++)
    h = (h ^ (uint8_t) *s) * 0x100000001b3ULL;
  h = (h ^ '/') * 0x100000001b3ULL;
  for (const char *s = network_id; *s; s++)
    h = (h ^ (uint8_t) *s) * 0x100000001b3ULL;
  size_t room = 15 - strlen (n->prefix) - 1;
  char hex[17];
  snprintf (hex, sizeof hex, "%016llx", (unsigned long long) h);
  char *v = NULL;
  if (asprintf (&v, "%sv%.*s", n->prefix, (int) room, hex) < 0)
    return NULL;
  return v;
}

char *
net_netns_path (struct net *n, const char *ctr_id)
{
  char *p = NULL;
  if (asprintf (&p, "%s/netns/%s", n->runroot, ctr_id) < 0)
    return NULL;
  return p;
}

void
net_mac_from_ip (uint32_t ip, uint8_t mac[6], bool bridge)
{
  /* locally administered, unicast; derived from the address as Docker
   * does, so that a reused address keeps its MAC and neighbour caches stay
   * right */
  mac[0] = 0x02;
  mac[1] = bridge ? 0x48 : 0x42;
  mac[2] = (uint8_t) (ip >> 24);
  mac[3] = (uint8_t) (ip >> 16);
  mac[4] = (uint8_t) (ip >> 8);
  mac[5] = (uint8_t) ip;
}

bool
net_name_valid (const char *s)
{
  size_t l = s ? strlen (s) : 0;
  if (l == 0 || l > 64 || !isalnum ((unsigned char) s[0]))
    return false;
  for (size_t i = 0; i < l; i++)
    if (!isalnum ((unsigned char) s[i]) && !strchr ("_.-", s[i]))
      return false;
  return true;
}

/* ------------------------------------------------------------ networks */

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The host's routes and every network's subnet: what a new subnet must not
 * overlap.  Our own bridges' routes are networks already. */
static int
check_overlap (struct net *n, const struct net_cidr *c, const char *name, struct error **err)
{
  char s1[16], s2[16];
  struct net_network **l = NULL;
  int r = ndb_network_list (n, &l, err);
  if (r < 0)
    return r;
  bool have_default = false;
  for (size_t i = 0; l[i]; i++)
    have_default |= l[i]->is_default;
  /* the default network is made on first use: its subnet is taken before */
  if (!have_default && strcmp (name, NET_DEFAULT_NAME) != 0 && net_cidr_overlap (c, &n->default_subnet))
    {
      net_network_list_free (l);
      return error_set (err, EADDRINUSE, "subnet %s/%d of network `%s` overlaps network `%s` (%s/%d)",
                        net_ip_str (c->addr, s1), c->len, name, NET_DEFAULT_NAME,
                        net_ip_str (n->default_subnet.addr, s2), n->default_subnet.len);
    }
  for (size_t i = 0; l[i]; i++)
    if (net_cidr_overlap (c, &l[i]->subnet))
      {
        r = error_set (err, EADDRINUSE, "subnet %s/%d of network `%s` overlaps network `%s` (%s/%d)",
                       net_ip_str (c->addr, s1), c->len, name, l[i]->name,
                       net_ip_str (l[i]->subnet.addr, s2), l[i]->subnet.len);
        net_network_list_free (l);
        return r;
      }
  net_network_list_free (l);
  struct nl nl;
  if ((r = nl_open (&nl, -1, err)) < 0)
    return r;
  struct net_cidr *routes = NULL;
  _cleanup_strv_ char **ifs = NULL;
  size_t nr = 0;
  r = nl_routes (&nl, &routes, &ifs, &nr, err);
  nl_close (&nl);
  if (r < 0)
    return r;
  size_t pl = strlen (n->prefix);
  for (size_t i = 0; i < nr; i++)
    {
      /* routes of our own bridges are networks (checked above) or a
       * bridge this prefix owns and setup will reuse: one prefix belongs
       * to one hull root per host (HULL_NET_PREFIX to run several) */
      const char *t = ifs[i] + (strncmp (ifs[i], n->prefix, pl) == 0 ? pl : 0);
      if (t != ifs[i] && *t && strspn (t, "0123456789") == strlen (t))
        continue;
      if (!net_cidr_overlap (c, &routes[i]))
        continue;
      r = error_set (err, EADDRINUSE, "subnet %s/%d of network `%s` overlaps the host's route to "
                                      "%s/%d (dev %s)",
                     net_ip_str (c->addr, s1), c->len, name, net_ip_str (routes[i].addr, s2),
                     routes[i].len, ifs[i]);
      break;
    }
  free (routes);
  return r;
}

static int
pick_bridge (struct net *n, char **out, struct error **err)
{
  struct net_network **l = NULL;
  int r = ndb_network_list (n, &l, err);
  if (r < 0)
    return r;
  for (int i = 1; i < 10000; i++)
    {
      char name[32];
      snprintf (name, sizeof name, "%s%d", n->prefix, i);
      bool used = false;
      for (size_t j = 0; l[j]; j++)
        used |= strcmp (l[j]->bridge, name) == 0;
      if (!used)
        {
          net_network_list_free (l);
          *out = strdup (name);
          return *out ? 0 : error_set (err, ENOMEM, "out of memory");
        }
    }
  net_network_list_free (l);
  return error_set (err, ENOSPC, "no bridge name left");
}

static int
pick_subnet (struct net *n, struct net_cidr *out, struct error **err)
{
  /* 10.90.0.0/15 in /24s, the first that overlaps nothing */
  for (uint32_t i = 0; i < 512; i++)
    {
      struct net_cidr c = { (10u << 24) | (90u << 16) | (i << 8), 24 };
      _cleanup_error_ struct error *e2 = NULL;
      int r = check_overlap (n, &c, "new", &e2);
      if (r == 0)
        {
          *out = c;
          return 0;
        }
      if (r != -EADDRINUSE)
        {
          *err = TAKE_PTR (e2);
          return r;
        }
    }
  return error_set (err, ENOSPC, "no free subnet left in 10.90.0.0/15: give one with --subnet");
}

static int
network_create_locked (struct net *n, const struct net_network_opts *o, bool is_default,
                       struct net_network **out, struct error **err)
{
  if (!net_name_valid (o->name))
    return error_set (err, EINVAL, "invalid network name `%s`: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at "
                                   "most 64 characters", o->name ? o->name : "");
  if (!is_default && (strcmp (o->name, "none") == 0 || strcmp (o->name, "host") == 0
                      || strcmp (o->name, NET_DEFAULT_NAME) == 0 || strcmp (o->name, "default") == 0))
    return error_set (err, EINVAL, "network name `%s` is reserved", o->name);
  if (o->driver && strcmp (o->driver, "bridge") != 0)
    return error_set (err, ENOTSUP, "network driver `%s` is not supported (only bridge)", o->driver);
  if (o->mtu && (o->mtu < 68 || o->mtu > 65535))
    return error_set (err, EINVAL, "invalid MTU %d (68 to 65535)", o->mtu);
  if (o->ip_range)
    return error_set (err, ENOTSUP, "--ip-range is not supported");
  _cleanup_net_network_ struct net_network *nw = calloc (1, sizeof *nw);
  if (nw == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char hex[65];
  int r = net_random_hex (hex, 64, err);
  if (r < 0)
    return r;
  nw->id = strdup (hex);
  nw->name = strdup (o->name);
  nw->driver = strdup ("bridge");
  nw->labels = strv_dup (o->labels);
  if (!nw->id || !nw->name || !nw->driver || (o->labels && !nw->labels))
    return error_set (err, ENOMEM, "out of memory");
  {
    _cleanup_net_network_ struct net_network *old = NULL;
    _cleanup_error_ struct error *e2 = NULL;
    if (ndb_network_get (n, o->name, &old, &e2) == 0 && strcmp (old->name, o->name) == 0)
      return error_set (err, EEXIST, "network with name `%s` already exists", o->name);
  }
  if (is_default)
    {
      nw->subnet = n->default_subnet;
      if (asprintf (&nw->bridge, "%s0", n->prefix) < 0)
        nw->bridge = NULL;
    }
  else
    {
      if (o->subnet)
        r = net_parse_cidr (o->subnet, false, &nw->subnet, err);
      else
        r = pick_subnet (n, &nw->subnet, err);
      if (r < 0)
        return r;
      if (nw->subnet.len > 30)
        return error_set (err, EINVAL, "subnet `%s` is too small (at most /30)", o->subnet);
      r = pick_bridge (n, &nw->bridge, err);
      if (r < 0)
        return r;
    }
  if (nw->bridge == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if ((r = check_overlap (n, &nw->subnet, o->name, err)) < 0)
    return r;
  nw->gateway = nw->subnet.addr + 1;
  if (o->gateway)
    {
      if (net_parse_ip (o->gateway, &nw->gateway) < 0)
        return error_set (err, EINVAL, "invalid gateway `%s`", o->gateway);
      uint32_t bcast = nw->subnet.addr | ~(0xffffffffu << (32 - nw->subnet.len));
      if (!net_cidr_contains (&nw->subnet, nw->gateway) || nw->gateway == nw->subnet.addr
          || nw->gateway == bcast)
        return error_set (err, EINVAL, "gateway `%s` is not a host address of subnet %s/%d",
                          o->gateway, net_ip_str (nw->subnet.addr, (char[16]){ 0 }),
                          nw->subnet.len);
    }
  nw->internal = o->internal;
  nw->mtu = o->mtu ? o->mtu : 1500;
  nw->created = now_ns ();
  nw->is_default = is_default;
  if ((r = db_begin (n->db, err)) < 0)
    return r;
  if ((r = ndb_network_insert (n, nw, err)) < 0)
    {
      db_rollback (n->db);
      return r;
    }
  if ((r = db_commit (n->db, err)) < 0)
    return r;
  if (out)
    *out = TAKE_PTR (nw);
  return 0;
}

int
net_network_create (struct net *n, const struct net_network_opts *o, struct net_network **out,
                    struct error **err)
{
  int r = net_lock (n, err);
  if (r < 0)
    return r;
  r = network_create_locked (n, o, false, out, err);
  net_unlock (n);
  return r;
}

int
net_network_get (struct net *n, const char *ref, struct net_network **out, struct error **err)
{
  bool dflt = strcmp (ref, NET_DEFAULT_NAME) == 0 || strcmp (ref, "default") == 0;
  int r = ndb_network_get (n, dflt ? NET_DEFAULT_NAME : ref, out, err);
  if (r != -ENOENT)
    return r;
  if (!dflt)
    return error_set (err, ENOENT, "network `%s` not found", ref);
  /* the default network is made on first use, under the lock so that two
   * first users agree */
  if ((r = net_lock (n, err)) < 0)
    return r;
  r = ndb_network_get (n, NET_DEFAULT_NAME, out, err);
  if (r == -ENOENT)
    {
      struct net_network_opts o = { .name = NET_DEFAULT_NAME };
      r = network_create_locked (n, &o, true, out, err);
    }
  net_unlock (n);
  return r;
}

int
net_network_list (struct net *n, struct net_network ***out, struct error **err)
{
  _cleanup_net_network_ struct net_network *d = NULL;
  int r = net_network_get (n, NET_DEFAULT_NAME, &d, err);
  if (r < 0)
    return r;
  return ndb_network_list (n, out, err);
}

int
net_network_remove (struct net *n, const char *ref, struct error **err)
{
  int r = net_lock (n, err);
  if (r < 0)
    return r;
  _cleanup_net_network_ struct net_network *nw = NULL;
  r = ndb_network_get (n, ref, &nw, err);
  if (r == -ENOENT)
    r = error_set (err, ENOENT, "network `%s` not found", ref);
  int count = 0;
  if (r == 0 && nw->is_default)
    r = error_set (err, EPERM, "network `%s` is the default network and cannot be removed", ref);
  if (r == 0)
    r = ndb_count_attached (n, nw->id, &count, err);
  if (r == 0 && count > 0)
    r = error_set (err, EBUSY, "network `%s` has %d active endpoint%s: disconnect or remove "
                               "those containers first", nw->name, count, count == 1 ? "" : "s");
  if (r == 0 && (r = db_begin (n->db, err)) == 0)
    {
      if ((r = ndb_network_delete (n, nw->id, err)) < 0)
        db_rollback (n->db);
      else
        r = db_commit (n->db, err);
    }
  if (r == 0)
    {
      /* nothing attached: its bridge should be gone already; a crash may
       * have left it */
      struct nl nl;
      if (nl_open (&nl, -1, err) == 0)
        {
          _cleanup_error_ struct error *e2 = NULL;
          nl_link_del (&nl, nw->bridge, &e2);
          nl_close (&nl);
        }
      else
        error_freep (err);
    }
  net_unlock (n);
  return r;
}

int
net_network_containers (struct net *n, const char *network_id, char ***ids, char ***names,
                        char ***ips, struct error **err)
{
  struct ndb_attach *l = NULL;
  size_t k = 0;
  int r = ndb_attach_list (n, NULL, network_id, &l, &k, err);
  if (r < 0)
    return r;
  char **a = NULL, **b = NULL, **c = NULL;
  for (size_t i = 0; i < k; i++)
    {
      char s[16];
      if (strv_push (&a, l[i].ctr_id) < 0 || strv_push (&b, l[i].ctr_name ? l[i].ctr_name : "") < 0
          || strv_push (&c, net_ip_str (l[i].ip, s)) < 0)
        r = -ENOMEM;
    }
  ndb_attach_list_free (l, k);
  if (r < 0)
    {
      strv_free (a), strv_free (b), strv_free (c);
      return error_set (err, ENOMEM, "out of memory");
    }
  *ids = a, *names = b, *ips = c;
  return 0;
}

/* ------------------------------------------------------------ JSON */

static void
add_time (json_object *o, const char *key, int64_t ns)
{
  char buf[64];
  time_t t = (time_t) (ns / 1000000000);
  struct tm tm;
  gmtime_r (&t, &tm);
  size_t l = strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + l, sizeof buf - l, ".%09lldZ", (long long) (ns % 1000000000));
  json_object_object_add (o, key, json_object_new_string (buf));
}

json_object *
net_network_to_json (struct net *n, const struct net_network *nw)
{
  char s1[16], s2[48];
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Name", json_object_new_string (nw->name));
  json_object_object_add (o, "Id", json_object_new_string (nw->id));
  add_time (o, "Created", nw->created);
  json_object_object_add (o, "Scope", json_object_new_string ("local"));
  json_object_object_add (o, "Driver", json_object_new_string (nw->driver));
  json_object_object_add (o, "EnableIPv6", json_object_new_boolean (false));
  json_object *ipam = json_object_new_object ();
  json_object_object_add (ipam, "Driver", json_object_new_string ("default"));
  json_object *cfgs = json_object_new_array (), *cfg = json_object_new_object ();
  snprintf (s2, sizeof s2, "%s/%d", net_ip_str (nw->subnet.addr, s1), nw->subnet.len);
  json_object_object_add (cfg, "Subnet", json_object_new_string (s2));
  json_object_object_add (cfg, "Gateway", json_object_new_string (net_ip_str (nw->gateway, s1)));
  json_object_array_add (cfgs, cfg);
  json_object_object_add (ipam, "Config", cfgs);
  json_object_object_add (o, "IPAM", ipam);
  json_object_object_add (o, "Internal", json_object_new_boolean (nw->internal));
  json_object *ctrs = json_object_new_object ();
  struct ndb_attach *l = NULL;
  size_t k = 0;
  _cleanup_error_ struct error *e2 = NULL;
  if (ndb_attach_list (n, NULL, nw->id, &l, &k, &e2) == 0)
    {
      for (size_t i = 0; i < k; i++)
        {
          json_object *c = json_object_new_object ();
          json_object_object_add (c, "Name", json_object_new_string (l[i].ctr_name ? l[i].ctr_name : ""));
          snprintf (s2, sizeof s2, "%s/%d", net_ip_str (l[i].ip, s1), nw->subnet.len);
          json_object_object_add (c, "IPv4Address", json_object_new_string (s2));
          uint8_t mac[6];
          net_mac_from_ip (l[i].ip, mac, false);
          snprintf (s2, sizeof s2, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                    mac[4], mac[5]);
          json_object_object_add (c, "MacAddress", json_object_new_string (s2));
          json_object_object_add (ctrs, l[i].ctr_id, c);
        }
      ndb_attach_list_free (l, k);
    }
  json_object_object_add (o, "Containers", ctrs);
  json_object *opts = json_object_new_object ();
  json_object_object_add (opts, "com.docker.network.bridge.name", json_object_new_string (nw->bridge));
  snprintf (s2, sizeof s2, "%d", nw->mtu);
  json_object_object_add (opts, "com.docker.network.driver.mtu", json_object_new_string (s2));
  json_object_object_add (o, "Options", opts);
  json_object *labels = json_object_new_object ();
  for (size_t i = 0; nw->labels && nw->labels[i]; i++)
    {
      const char *eq = strchr (nw->labels[i], '=');
      _cleanup_free_ char *key = strndup (nw->labels[i], eq ? (size_t) (eq - nw->labels[i]) : strlen (nw->labels[i]));
      if (key)
        json_object_object_add (labels, key, json_object_new_string (eq ? eq + 1 : ""));
    }
  json_object_object_add (o, "Labels", labels);
  return o;
}
