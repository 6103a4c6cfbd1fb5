/* db.c - networks, attachments (the IPAM) and published ports in hull.db.
 *
 * The database is lib/db's (WAL, busy timeout); our schema is versioned as
 * module "net" there, so that migrations never collide.
 *
 * Addresses: UNIQUE(network_id, ip) in net_attach is the guarantee that no
 * address is handed out twice; allocation runs inside a BEGIN IMMEDIATE
 * transaction (the write lock taken up front), so concurrent hull processes
 * queue instead of racing.  Leases belong to a container id and go with
 * it: net_teardown deletes them, net_reconcile finds those of dead
 * containers.  Ports: PRIMARY KEY(proto, host_ip, host_port), plus a check
 * that a wildcard address and a specific one do not overlap.
 */
#include "net/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE net_networks ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  driver TEXT NOT NULL,"
  "  bridge TEXT NOT NULL UNIQUE,"
  "  subnet INTEGER NOT NULL,"
  "  prefix_len INTEGER NOT NULL,"
  "  gateway INTEGER NOT NULL,"
  "  internal INTEGER NOT NULL DEFAULT 0,"
  "  mtu INTEGER NOT NULL DEFAULT 1500,"
  "  created INTEGER NOT NULL,"
  "  labels TEXT,"
  "  is_default INTEGER NOT NULL DEFAULT 0,"
  "  next_ip INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE net_attach ("
  "  ctr_id TEXT NOT NULL,"
  "  network_id TEXT NOT NULL REFERENCES net_networks(id),"
  "  ip INTEGER NOT NULL,"
  "  ctr_name TEXT,"
  "  hostname TEXT,"
  "  aliases TEXT,"
  "  ifname TEXT NOT NULL,"
  "  veth TEXT NOT NULL,"
  "  hosts_path TEXT,"
  "  netns TEXT NOT NULL,"
  "  PRIMARY KEY (ctr_id, network_id),"
  "  UNIQUE (network_id, ip));"
  "CREATE TABLE net_ports ("
  "  ctr_id TEXT NOT NULL,"
  "  proto TEXT NOT NULL,"
  "  host_ip INTEGER NOT NULL,"
  "  host_port INTEGER NOT NULL,"
  "  ctr_port INTEGER NOT NULL,"
  "  ctr_ip INTEGER NOT NULL,"
  "  PRIMARY KEY (proto, host_ip, host_port));"
  "CREATE INDEX net_ports_ctr ON net_ports(ctr_id);",
};

int
ndb_migrate (struct net *n, struct error **err)
{
  static const struct db_module m = { "net", migrations, ARRAY_SIZE (migrations), false };
  return db_migrate (n->db, &m, err);
}

/* ------------------------------------------------------------ helpers */

char **
net_strv_from_json (const char *text)
{
  char **v = NULL;
  if (text == NULL)
    return NULL;
  json_object *o = json_tokener_parse (text);
  if (o && json_object_is_type (o, json_type_array))
    for (size_t i = 0; i < json_object_array_length (o) && i < 1024; i++)
      {
        const char *s = json_object_get_string (json_object_array_get_idx (o, i));
        if (s)
          strv_push (&v, s);
      }
  json_object_put (o);
  return v;
}

char *
net_strv_to_json (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (size_t i = 0; v && v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  char *s = strdup (json_object_to_json_string_ext (a, JSON_C_TO_STRING_PLAIN));
  json_object_put (a);
  return s;
}

/* ------------------------------------------------------------ networks */

void
net_network_free (struct net_network *nw)
{
  if (nw == NULL)
    return;
  free (nw->id);
  free (nw->name);
  free (nw->driver);
  free (nw->bridge);
  strv_free (nw->labels);
  free (nw);
}

void
net_network_list_free (struct net_network **l)
{
  for (size_t i = 0; l && l[i]; i++)
    net_network_free (l[i]);
  free (l);
}

#define NETWORK_COLS                                                                               \
  "id, name, driver, bridge, subnet, prefix_len, gateway, internal, mtu, created, labels, "        \
  "is_default"

static struct net_network *
network_from_row (sqlite3_stmt *st)
{
  struct net_network *nw = calloc (1, sizeof *nw);
  if (nw == NULL)
    return NULL;
  nw->id = db_column_strdup (st, 0);
  nw->name = db_column_strdup (st, 1);
  nw->driver = db_column_strdup (st, 2);
  nw->bridge = db_column_strdup (st, 3);
  nw->subnet.addr = (uint32_t) sqlite3_column_int64 (st, 4);
  nw->subnet.len = sqlite3_column_int (st, 5);
  nw->gateway = (uint32_t) sqlite3_column_int64 (st, 6);
  nw->internal = sqlite3_column_int (st, 7) != 0;
  nw->mtu = sqlite3_column_int (st, 8);
  nw->created = sqlite3_column_int64 (st, 9);
  nw->labels = net_strv_from_json ((const char *) sqlite3_column_text (st, 10));
  nw->is_default = sqlite3_column_int (st, 11) != 0;
  if (!nw->id || !nw->name || !nw->driver || !nw->bridge)
    {
      net_network_free (nw);
      return NULL;
    }
  return nw;
}

int
ndb_network_get (struct net *n, const char *ref, struct net_network **out, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (n->db,
                      "SELECT " NETWORK_COLS " FROM net_networks WHERE name = ?1 OR id = ?1 "
                      "UNION ALL SELECT " NETWORK_COLS " FROM net_networks WHERE "
                      "length(?1) >= 3 AND substr(id, 1, length(?1)) = ?1 AND id != ?1 "
                      "AND name != ?1 LIMIT 3",
                      &st, err);
  if (r < 0)
    return r;
  sqlite3_bind_text (st, 1, ref, -1, SQLITE_STATIC);
  struct net_network *found = NULL;
  int rows = 0;
  while ((r = sqlite3_step (st)) == SQLITE_ROW)
    {
      rows++;
      if (found == NULL)
        found = network_from_row (st);
      /* an exact name or id comes first and wins over prefixes */
      if (rows == 1 && found
          && (strcmp (found->name, ref) == 0 || strcmp (found->id, ref) == 0))
        break;
    }
  if (r != SQLITE_ROW && r != SQLITE_DONE)
    {
      net_network_free (found);
      return db_error (n->db, "network", err);
    }
  if (rows > 1 && !(found && (strcmp (found->name, ref) == 0 || strcmp (found->id, ref) == 0)))
    {
      net_network_free (found);
      return error_set (err, EINVAL, "network id prefix `%s` is ambiguous", ref);
    }
  if (rows == 0)
    return -ENOENT;
  if (found == NULL)
    return error_set (err, ENOMEM, "out of memory");
  *out = found;
  return 0;
}

int
ndb_network_list (struct net *n, struct net_network ***out, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (n->db,
                      "SELECT " NETWORK_COLS " FROM net_networks ORDER BY is_default DESC, created",
                      &st, err);
  if (r < 0)
    return r;
  struct net_network **l = calloc (1, sizeof *l);
  size_t k = 0;
  if (l == NULL)
    return error_set (err, ENOMEM, "out of memory");
  while ((r = sqlite3_step (st)) == SQLITE_ROW)
    {
      struct net_network **nl = realloc (l, (k + 2) * sizeof *l);
      if (nl == NULL || (nl[k] = network_from_row (st)) == NULL)
        {
          net_network_list_free (nl ? nl : l);
          return error_set (err, ENOMEM, "out of memory");
        }
      l = nl;
      l[++k] = NULL;
    }
  if (r != SQLITE_DONE)
    {
      net_network_list_free (l);
      return db_error (n->db, "list networks", err);
    }
  *out = l;
  return 0;
}

int
ndb_network_insert (struct net *n, const struct net_network *nw, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (n->db,
                      "INSERT INTO net_networks (" NETWORK_COLS ", next_ip) VALUES "
                      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                      &st, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *labels = net_strv_to_json (nw->labels);
  sqlite3_bind_text (st, 1, nw->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, nw->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, nw->driver, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 4, nw->bridge, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 5, nw->subnet.addr);
  sqlite3_bind_int (st, 6, nw->subnet.len);
  sqlite3_bind_int64 (st, 7, nw->gateway);
  sqlite3_bind_int (st, 8, nw->internal);
  sqlite3_bind_int (st, 9, nw->mtu);
  sqlite3_bind_int64 (st, 10, nw->created);
  sqlite3_bind_text (st, 11, labels, -1, SQLITE_STATIC);
  sqlite3_bind_int (st, 12, nw->is_default);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      if (sqlite3_errcode (db_sqlite (n->db)) == SQLITE_CONSTRAINT)
        return error_set (err, EEXIST, "network with name `%s` already exists", nw->name);
      return db_error (n->db, "insert network", err);
    }
  return 0;
}

int
ndb_network_delete (struct net *n, const char *id, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (n->db, "DELETE FROM net_networks WHERE id = ?", &st, err);
  if (r < 0)
    return r;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return db_error (n->db, "delete network", err);
  return 0;
}

int
ndb_count_attached (struct net *n, const char *network_id, int *count, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (n->db,
                      network_id ? "SELECT count(*) FROM net_attach WHERE network_id = ?"
                                 : "SELECT count(*) FROM net_attach",
                      &st, err);
  if (r < 0)
    return r;
  if (network_id)
    sqlite3_bind_text (st, 1, network_id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return db_error (n->db, "count attachments", err);
  *count = sqlite3_column_int (st, 0);
  return 0;
}

/* ------------------------------------------------------------ attachments */

void
ndb_attach_clear (struct ndb_attach *a)
{
  free (a->ctr_id);
  free (a->network_id);
  free (a->ctr_name);
  free (a->hostname);
  free (a->hosts_path);
  free (a->netns);
  free (a->ifname);
  free (a->veth);
  strv_free (a->aliases);
  memset (a, 0, sizeof *a);
}

void
ndb_attach_list_free (struct ndb_attach *l, size_t n)
{
  for (size_t i = 0; i < n; i++)
    ndb_attach_clear (&l[i]);
  free (l);
}

static bool
ip_taken (struct net *n, const char *network_id, uint32_t ip, int *rc)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db_sqlite (n->db),
                          "SELECT 1 FROM net_attach WHERE network_id = ? AND ip = ?", -1, &st, NULL)
      != SQLITE_OK)
    {
      *rc = -EIO;
      return true;
    }
  sqlite3_bind_text (st, 1, network_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, ip);
  int s = sqlite3_step (st);
  if (s != SQLITE_ROW && s != SQLITE_DONE)
    *rc = -EIO;
  return s == SQLITE_ROW;
}

int
ndb_attach_insert (struct net *n, const struct net_network *nw, struct ndb_attach *a,
                   uint32_t want, struct error **err)
{
  uint32_t mask = nw->subnet.len ? 0xffffffffu << (32 - nw->subnet.len) : 0;
  uint32_t first = nw->subnet.addr + 1, last = (nw->subnet.addr | ~mask) - 1;
  if (nw->subnet.len >= 31)
    first = nw->subnet.addr, last = nw->subnet.addr | ~mask;
  uint32_t ip = 0;
  int rc = 0;
  char s[16];
  if (want)
    {
      if (!net_cidr_contains (&nw->subnet, want) || want < first || want > last)
        return error_set (err, EINVAL, "address %s is not usable in network `%s` (%s/%d)",
                          net_ip_str (want, s), nw->name,
                          net_ip_str (nw->subnet.addr, (char[16]){ 0 }), nw->subnet.len);
      if (want == nw->gateway)
        return error_set (err, EADDRINUSE, "address %s is the gateway of network `%s`",
                          net_ip_str (want, s), nw->name);
      if (ip_taken (n, nw->id, want, &rc))
        return rc < 0 ? db_error (n->db, "lease", err)
                      : error_set (err, EADDRINUSE, "address %s is already in use on network `%s`",
                                   net_ip_str (want, s), nw->name);
      ip = want;
    }
  else
    {
      /* Round robin from where the last allocation stopped, as Docker does:
       * an address just released is not handed out again at once, so
       * neighbour caches holding its old MAC have time to expire. */
      _cleanup_stmt_ sqlite3_stmt *st = NULL;
      if (db_prepare (n->db, "SELECT next_ip FROM net_networks WHERE id = ?", &st, err) < 0)
        return -EIO;
      sqlite3_bind_text (st, 1, nw->id, -1, SQLITE_STATIC);
      uint32_t next = sqlite3_step (st) == SQLITE_ROW ? (uint32_t) sqlite3_column_int64 (st, 0) : 0;
      if (next < first || next > last)
        next = first;
      uint64_t size = (uint64_t) last - first + 1;
      for (uint64_t i = 0; i < size; i++)
        {
          uint32_t c = first + (uint32_t) ((next - first + i) % size);
          if (c == nw->gateway)
            continue;
          if (!ip_taken (n, nw->id, c, &rc))
            {
              ip = c;
              break;
            }
          if (rc < 0)
            return db_error (n->db, "lease", err);
        }
      if (ip == 0)
        return error_set (err, ENOSPC, "no free address left in network `%s`", nw->name);
      _cleanup_stmt_ sqlite3_stmt *up = NULL;
      if (db_prepare (n->db, "UPDATE net_networks SET next_ip = ? WHERE id = ?", &up, err) < 0)
        return -EIO;
      sqlite3_bind_int64 (up, 1, ip == last ? first : ip + 1);
      sqlite3_bind_text (up, 2, nw->id, -1, SQLITE_STATIC);
      if (sqlite3_step (up) != SQLITE_DONE)
        return db_error (n->db, "lease", err);
    }
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (n->db,
                      "INSERT INTO net_attach (ctr_id, network_id, ip, ctr_name, hostname, "
                      "aliases, ifname, veth, hosts_path, netns) VALUES (?,?,?,?,?,?,?,?,?,?)",
                      &st, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *aliases = net_strv_to_json (a->aliases);
  sqlite3_bind_text (st, 1, a->ctr_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, nw->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 3, ip);
  sqlite3_bind_text (st, 4, a->ctr_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 5, a->hostname, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 6, aliases, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 7, a->ifname, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 8, a->veth, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 9, a->hosts_path, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 10, a->netns, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      if (sqlite3_errcode (db_sqlite (n->db)) == SQLITE_CONSTRAINT)
        return error_set (err, EEXIST, "container `%.12s` is already connected to network `%s`",
                          a->ctr_id, nw->name);
      return db_error (n->db, "record the lease", err);
    }
  a->ip = ip;
  return 0;
}

int
ndb_attach_delete (struct net *n, const char *ctr_id, const char *network_id,
                   struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (n->db,
                      network_id ? "DELETE FROM net_attach WHERE ctr_id = ? AND network_id = ?"
                                 : "DELETE FROM net_attach WHERE ctr_id = ?",
                      &st, err);
  if (r < 0)
    return r;
  sqlite3_bind_text (st, 1, ctr_id, -1, SQLITE_STATIC);
  if (network_id)
    sqlite3_bind_text (st, 2, network_id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return db_error (n->db, "release the lease", err);
  return 0;
}

int
ndb_attach_list (struct net *n, const char *ctr_id, const char *network_id,
                 struct ndb_attach **out, size_t *count, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (n->db,
                      "SELECT a.ctr_id, a.network_id, a.ip, a.ctr_name, a.hostname, a.aliases, "
                      "a.ifname, a.veth, a.hosts_path, a.netns FROM net_attach a "
                      "JOIN net_networks w ON w.id = a.network_id "
                      "WHERE (?1 IS NULL OR a.ctr_id = ?1) AND (?2 IS NULL OR a.network_id = ?2) "
                      "ORDER BY a.ctr_id, a.ifname",
                      &st, err);
  if (r < 0)
    return r;
  sqlite3_bind_text (st, 1, ctr_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, network_id, -1, SQLITE_STATIC);
  struct ndb_attach *l = NULL;
  size_t k = 0;
  while ((r = sqlite3_step (st)) == SQLITE_ROW)
    {
      struct ndb_attach *nl = realloc (l, (k + 1) * sizeof *l);
      if (nl == NULL)
        {
          ndb_attach_list_free (l, k);
          return error_set (err, ENOMEM, "out of memory");
        }
      l = nl;
      struct ndb_attach *a = &l[k++];
      memset (a, 0, sizeof *a);
      a->ctr_id = db_column_strdup (st, 0);
      a->network_id = db_column_strdup (st, 1);
      a->ip = (uint32_t) sqlite3_column_int64 (st, 2);
      a->ctr_name = db_column_strdup (st, 3);
      a->hostname = db_column_strdup (st, 4);
      a->aliases = net_strv_from_json ((const char *) sqlite3_column_text (st, 5));
      a->ifname = db_column_strdup (st, 6);
      a->veth = db_column_strdup (st, 7);
      a->hosts_path = db_column_strdup (st, 8);
      a->netns = db_column_strdup (st, 9);
      if (!a->ctr_id || !a->network_id || !a->ifname || !a->veth || !a->netns)
        {
          ndb_attach_list_free (l, k);
          return error_set (err, ENOMEM, "out of memory");
        }
    }
  if (r != SQLITE_DONE)
    {
      ndb_attach_list_free (l, k);
      return db_error (n->db, "list attachments", err);
    }
  *out = l;
  *count = k;
  return 0;
}

/* ------------------------------------------------------------ ports */

int
ndb_port_insert (struct net *n, const char *ctr_id, const struct net_port *p, uint32_t ctr_ip,
                 struct error **err)
{
  /* a wildcard address conflicts with every specific one, and back */
  _cleanup_stmt_ sqlite3_stmt *q = NULL;
  int r = db_prepare (n->db,
                      "SELECT ctr_id, host_ip FROM net_ports WHERE proto = ? AND host_port = ? "
                      "AND (host_ip = ? OR host_ip = 0 OR ? = 0) LIMIT 1",
                      &q, err);
  if (r < 0)
    return r;
  sqlite3_bind_text (q, 1, p->proto, -1, SQLITE_STATIC);
  sqlite3_bind_int (q, 2, p->host_port);
  sqlite3_bind_int64 (q, 3, p->host_ip);
  sqlite3_bind_int64 (q, 4, p->host_ip);
  r = sqlite3_step (q);
  if (r == SQLITE_ROW)
    {
      char s[16];
      const char *owner = (const char *) sqlite3_column_text (q, 0);
      return error_set (err, EADDRINUSE, "port %s:%u/%s is already published by container `%.12s`",
                        net_ip_str (p->host_ip, s), p->host_port, p->proto, owner ? owner : "?");
    }
  if (r != SQLITE_DONE)
    return db_error (n->db, "ports", err);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  r = db_prepare (n->db,
                  "INSERT INTO net_ports (ctr_id, proto, host_ip, host_port, ctr_port, ctr_ip) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
                  &st, err);
  if (r < 0)
    return r;
  sqlite3_bind_text (st, 1, ctr_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, p->proto, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 3, p->host_ip);
  sqlite3_bind_int (st, 4, p->host_port);
  sqlite3_bind_int (st, 5, p->ctr_port);
  sqlite3_bind_int64 (st, 6, ctr_ip);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      char s[16];
      if (sqlite3_errcode (db_sqlite (n->db)) == SQLITE_CONSTRAINT)
        return error_set (err, EADDRINUSE, "port %s:%u/%s is published twice",
                          net_ip_str (p->host_ip, s), p->host_port, p->proto);
      return db_error (n->db, "record a port", err);
    }
  return 0;
}

void
ndb_port_list_free (struct ndb_port *l, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (l[i].ctr_id);
  free (l);
}

int
ndb_port_list (struct net *n, const char *ctr_id, struct ndb_port **out, size_t *count,
               struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (n->db,
                      "SELECT ctr_id, proto, host_ip, host_port, ctr_port, ctr_ip FROM net_ports "
                      "WHERE ?1 IS NULL OR ctr_id = ?1 ORDER BY ctr_id, ctr_port, proto",
                      &st, err);
  if (r < 0)
    return r;
  sqlite3_bind_text (st, 1, ctr_id, -1, SQLITE_STATIC);
  struct ndb_port *l = NULL;
  size_t k = 0;
  while ((r = sqlite3_step (st)) == SQLITE_ROW)
    {
      struct ndb_port *nl = realloc (l, (k + 1) * sizeof *l);
      if (nl == NULL)
        {
          ndb_port_list_free (l, k);
          return error_set (err, ENOMEM, "out of memory");
        }
      l = nl;
      struct ndb_port *p = &l[k++];
      memset (p, 0, sizeof *p);
      p->ctr_id = db_column_strdup (st, 0);
      snprintf (p->p.proto, sizeof p->p.proto, "%s", sqlite3_column_text (st, 1));
      p->p.host_ip = (uint32_t) sqlite3_column_int64 (st, 2);
      p->p.host_port = (uint16_t) sqlite3_column_int (st, 3);
      p->p.ctr_port = (uint16_t) sqlite3_column_int (st, 4);
      p->ctr_ip = (uint32_t) sqlite3_column_int64 (st, 5);
    }
  if (r != SQLITE_DONE)
    {
      ndb_port_list_free (l, k);
      return db_error (n->db, "list ports", err);
    }
  *out = l;
  *count = k;
  return 0;
}

int
ndb_port_delete (struct net *n, const char *ctr_id, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (n->db, "DELETE FROM net_ports WHERE ctr_id = ?", &st, err);
  if (r < 0)
    return r;
  sqlite3_bind_text (st, 1, ctr_id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return db_error (n->db, "release ports", err);
  return 0;
}

int
ndb_ctr_ids (struct net *n, char ***out, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (n->db, "SELECT ctr_id FROM net_attach UNION SELECT ctr_id FROM net_ports",
                      &st, err);
  if (r < 0)
    return r;
  char **v = NULL;
  while ((r = sqlite3_step (st)) == SQLITE_ROW)
    if (strv_push (&v, (const char *) sqlite3_column_text (st, 0)) < 0)
      {
        strv_free (v);
        return error_set (err, ENOMEM, "out of memory");
      }
  if (r != SQLITE_DONE)
    {
      strv_free (v);
      return db_error (n->db, "list containers", err);
    }
  *out = v;
  return 0;
}
