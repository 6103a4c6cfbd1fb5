/* test-net.c - lib/net without traffic: address and -p parsing, networks
 * (overlaps, names, removal), the IPAM (round robin, --ip, exhaustion,
 * 30 processes allocating at once), the rendered nftables table. */
#include "../../lib/tap.h"
#include "helpers.h"

#include "base/cleanup.h"
#include "base/strv.h"

#include <sys/wait.h>

static struct net *N;
static struct db *DB;

static void
test_cidr (void)
{
  struct net_cidr c;
  uint32_t ip;
  char s[16];
  CHECK_OK (net_parse_cidr ("10.1.0.0/16", false, &c, err));
  CHECK_INT (c.len, ==, 16);
  CHECK_STR (net_ip_str (c.addr, s), "10.1.0.0");
  CHECK_FAIL (net_parse_cidr ("10.1.0.1/16", false, &c, err), EINVAL, "host bits are set");
  CHECK_FAIL (net_parse_cidr ("10.1.0.0/33", false, &c, err), EINVAL, "invalid subnet `10.1.0.0/33`");
  CHECK_FAIL (net_parse_cidr ("10.1.0.0/-1", false, &c, err), EINVAL, "invalid subnet");
  CHECK_FAIL (net_parse_cidr ("10.1/16", false, &c, err), EINVAL, "invalid subnet");
  CHECK_FAIL (net_parse_cidr ("010.1.0.0/16", false, &c, err), EINVAL, "invalid subnet");
  CHECK_FAIL (net_parse_cidr ("10.1.0.0", false, &c, err), EINVAL, "invalid subnet");
  CHECK_INT (net_parse_ip ("1.2.3.4", &ip), ==, 0);
  CHECK_INT (ip, ==, 0x01020304);
  CHECK_INT (net_parse_ip ("1.2.3.256", &ip), ==, -EINVAL);
  CHECK_INT (net_parse_ip ("0x1.2.3.4", &ip), ==, -EINVAL);
  struct net_cidr a = { 0x0a010000, 16 }, b = { 0x0a01ff00, 24 }, d = { 0x0a020000, 16 };
  CHECK (net_cidr_overlap (&a, &b));
  CHECK (net_cidr_overlap (&b, &a));
  CHECK (!net_cidr_overlap (&a, &d));
  CHECK (net_cidr_contains (&a, 0x0a01fffe));
  CHECK (!net_cidr_contains (&b, 0x0a010001));
}

static void
test_publish (void)
{
  struct net_port *p = NULL;
  size_t n = 0;
  char s[16];
  CHECK_OK (net_parse_publish ("8080:80", &p, &n, err));
  CHECK_OK (net_parse_publish ("127.0.0.1:53:5353/udp", &p, &n, err));
  CHECK_OK (net_parse_publish ("9000", &p, &n, err));
  CHECK_OK (net_parse_publish ("127.0.0.1::81", &p, &n, err));
  CHECK_OK (net_parse_publish ("7000-7002:17000-17002/tcp", &p, &n, err));
  REQUIRE (n == 7);
  CHECK_INT (p[0].host_port, ==, 8080);
  CHECK_INT (p[0].ctr_port, ==, 80);
  CHECK_INT (p[0].host_ip, ==, 0);
  CHECK_STR (p[0].proto, "tcp");
  CHECK_STR (net_ip_str (p[1].host_ip, s), "127.0.0.1");
  CHECK_INT (p[1].host_port, ==, 53);
  CHECK_INT (p[1].ctr_port, ==, 5353);
  CHECK_STR (p[1].proto, "udp");
  CHECK_INT (p[2].host_port, ==, 0);
  CHECK_INT (p[2].ctr_port, ==, 9000);
  CHECK_INT (p[3].host_port, ==, 0);
  CHECK_INT (p[3].host_ip, ==, 0x7f000001);
  CHECK_INT (p[6].host_port, ==, 7002);
  CHECK_INT (p[6].ctr_port, ==, 17002);
  free (p);
  p = NULL;
  n = 0;
  const char *bad[] = { "", "80/sctp", "a:80", "1.2.3:80:80", "0:80", "80:0", "65536:80",
                        "80:-1", "7000-7001:80", "1:2:3:4", "[::1]:80:80", "8000-7000:1-1001",
                        "80/", "+80", ":80:", "1.2.3.4:" };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    CHECK_FAIL (net_parse_publish (bad[i], &p, &n, err), EINVAL, "invalid port specification");
  CHECK_INT (n, ==, 0);
  CHECK_FAIL (net_parse_publish ("1-2000", &p, &n, err), E2BIG, "too many published ports");
  free (p);
  p = NULL;
  n = 0;
  CHECK_OK (net_parse_exposed ("80/tcp", &p, &n, err));
  CHECK_FAIL (net_parse_exposed ("1:80/tcp", &p, &n, err), EINVAL, "invalid exposed port");
  CHECK_INT (n, ==, 1);
  free (p);
}

static void
test_names (void)
{
  CHECK (net_name_valid ("a"));
  CHECK (net_name_valid ("my_net.1-x"));
  CHECK (!net_name_valid (""));
  CHECK (!net_name_valid ("-x"));
  CHECK (!net_name_valid ("a/b"));
  CHECK (!net_name_valid ("a b"));
  struct net_options o = { .db = DB, .runroot = test_dir, .prefix = "Bad" };
  struct net *n2 = NULL;
  CHECK_FAIL (net_open (&o, &n2, err), EINVAL, "invalid network name prefix `Bad`");
  o.prefix = "toolong7";
  CHECK_FAIL (net_open (&o, &n2, err), EINVAL, "prefix `toolong7`");
  o.prefix = "tu";
  o.default_subnet = "10.1.2.3/8";
  CHECK_FAIL (net_open (&o, &n2, err), EINVAL, "host bits");
}

static void
test_networks (void)
{
  struct net_network *nw = NULL;
  struct net_network_opts o = { .name = "front", .subnet = "10.201.0.0/24" };
  CHECK_OK (net_network_create (N, &o, &nw, err));
  REQUIRE (nw != NULL);
  CHECK_STR (nw->bridge, "tu1");
  CHECK_INT (nw->gateway, ==, 0x0ac90001);
  char id[65];
  snprintf (id, sizeof id, "%s", nw->id);
  net_network_free (nw);
  nw = NULL;
  /* by name, id and prefix */
  CHECK_OK (net_network_get (N, "front", &nw, err));
  net_network_free (nw), nw = NULL;
  CHECK_OK (net_network_get (N, id, &nw, err));
  net_network_free (nw), nw = NULL;
  char pre[7];
  memcpy (pre, id, 6);
  pre[6] = '\0';
  CHECK_OK (net_network_get (N, pre, &nw, err));
  CHECK (nw && strcmp (nw->name, "front") == 0);
  net_network_free (nw), nw = NULL;
  CHECK_FAIL (net_network_get (N, "nope", &nw, err), ENOENT, "network `nope` not found");
  /* bad input, nothing recorded */
  CHECK_FAIL (net_network_create (N, &o, NULL, err), EEXIST, "network with name `front` already exists");
  struct net_network_opts o2 = { .name = "back", .subnet = "10.201.0.129/25" };
  CHECK_FAIL (net_network_create (N, &o2, NULL, err), EINVAL, "host bits");
  o2.subnet = "10.201.0.0/16";
  CHECK_FAIL (net_network_create (N, &o2, NULL, err), EADDRINUSE, "overlaps network `front`");
  o2.subnet = "10.87.5.0/24"; /* the default network's 10.87.0.0/16 */
  CHECK_FAIL (net_network_create (N, &o2, NULL, err), EADDRINUSE, "overlaps network `bridge`");
  o2.subnet = "10.202.0.0/24";
  o2.gateway = "10.203.0.1";
  CHECK_FAIL (net_network_create (N, &o2, NULL, err), EINVAL, "not a host address");
  o2.gateway = "10.202.0.255";
  CHECK_FAIL (net_network_create (N, &o2, NULL, err), EINVAL, "not a host address");
  o2.gateway = NULL;
  o2.name = "bad name";
  CHECK_FAIL (net_network_create (N, &o2, NULL, err), EINVAL, "invalid network name `bad name`");
  o2.name = "host";
  CHECK_FAIL (net_network_create (N, &o2, NULL, err), EINVAL, "reserved");
  o2.name = "back";
  o2.driver = "macvlan";
  CHECK_FAIL (net_network_create (N, &o2, NULL, err), ENOTSUP, "driver `macvlan`");
  o2.driver = NULL;
  /* a host route: add one in our namespace, then overlap it */
  {
    struct nl nl;
    struct error *e = NULL;
    REQUIRE (nl_open (&nl, -1, &e) == 0);
    int lo = nl_link_index (&nl, "lo");
    CHECK_INT (nl_route_add (&nl, 0x0acb0000, 16, 0, lo, &e), ==, 0);
    nl_close (&nl);
    error_free (e);
  }
  o2.subnet = "10.203.4.0/24";
  CHECK_FAIL (net_network_create (N, &o2, NULL, err), EADDRINUSE, "overlaps the host's route to 10.203.0.0/16 (dev lo)");
  /* an automatic subnet */
  o2.subnet = NULL;
  CHECK_OK (net_network_create (N, &o2, &nw, err));
  REQUIRE (nw);
  CHECK_INT (nw->subnet.addr, ==, 0x0a5a0000);
  CHECK_INT (nw->subnet.len, ==, 24);
  CHECK_STR (nw->bridge, "tu2");
  net_network_free (nw), nw = NULL;
  struct net_network **l = NULL;
  CHECK_OK (net_network_list (N, &l, err));
  REQUIRE (l);
  CHECK_INT (strv_len ((char **) l), ==, 3);
  CHECK_STR (l[0]->name, "bridge");
  CHECK (l[0]->is_default);
  CHECK_STR (l[0]->bridge, "tu0");
  net_network_list_free (l);
  CHECK_FAIL (net_network_remove (N, "bridge", err), EPERM, "default network");
  CHECK_OK (net_network_remove (N, "back", err));
  CHECK_FAIL (net_network_remove (N, "back", err), ENOENT, "network `back` not found");
}

static void
test_ipam (void)
{
  /* a /29: 6 host addresses, one is the gateway: 5 leases */
  struct net_network_opts o = { .name = "tiny", .subnet = "10.204.0.0/29" };
  struct net_network *nw = NULL;
  CHECK_OK (net_network_create (N, &o, &nw, err));
  REQUIRE (nw);
  uint32_t got[5];
  for (int i = 0; i < 5; i++)
    {
      char id[8];
      snprintf (id, sizeof id, "c%d", i);
      struct ndb_attach a = { .ctr_id = id, .ifname = "eth0", .veth = id, .netns = "x" };
      CHECK_OK (ndb_attach_insert (N, nw, &a, 0, err));
      got[i] = a.ip;
    }
  CHECK_INT (got[0], ==, 0x0acc0002);
  CHECK_INT (got[4], ==, 0x0acc0006);
  struct ndb_attach a = { .ctr_id = "c9", .ifname = "eth0", .veth = "c9", .netns = "x" };
  CHECK_FAIL (ndb_attach_insert (N, nw, &a, 0, err), ENOSPC, "no free address left in network `tiny`");
  /* released addresses come back, round robin from where it stopped */
  CHECK_OK (ndb_attach_delete (N, "c1", NULL, err));
  CHECK_OK (ndb_attach_delete (N, "c3", NULL, err));
  CHECK_OK (ndb_attach_insert (N, nw, &a, 0, err));
  CHECK_INT (a.ip, ==, 0x0acc0003);
  struct ndb_attach b = { .ctr_id = "c8", .ifname = "eth0", .veth = "c8", .netns = "x" };
  CHECK_FAIL (ndb_attach_insert (N, nw, &b, 0x0acc0002, err), EADDRINUSE, "address 10.204.0.2 is already in use");
  CHECK_FAIL (ndb_attach_insert (N, nw, &b, 0x0acc0001, err), EADDRINUSE, "gateway");
  CHECK_FAIL (ndb_attach_insert (N, nw, &b, 0x0acc0007, err), EINVAL, "not usable");
  CHECK_FAIL (ndb_attach_insert (N, nw, &b, 0x0acd0002, err), EINVAL, "not usable");
  CHECK_OK (ndb_attach_insert (N, nw, &b, 0x0acc0005, err));
  CHECK_INT (b.ip, ==, 0x0acc0005);
  CHECK_FAIL (net_network_remove (N, "tiny", err), EBUSY, "network `tiny` has 5 active endpoints");
  for (int i = 0; i < 10; i++)
    {
      char id[8];
      snprintf (id, sizeof id, "c%d", i);
      CHECK_OK (ndb_attach_delete (N, id, NULL, err));
    }
  CHECK_OK (net_network_remove (N, "tiny", err));
  net_network_free (nw);
}

/* 30 processes, each with its own database connection, allocate at once:
 * all addresses distinct. */
static void
test_ipam_concurrent (void)
{
  struct net_network_opts o = { .name = "many", .subnet = "10.205.0.0/24" };
  struct net_network *nw = NULL;
  CHECK_OK (net_network_create (N, &o, &nw, err));
  REQUIRE (nw);
  enum { K = 30 };
  pid_t pids[K];
  for (int i = 0; i < K; i++)
    {
      pids[i] = fork ();
      if (pids[i] == 0)
        {
          struct db *db = open_db (test_dir);
          struct net *n = db ? open_net (db, "tu", NULL) : NULL;
          if (n == NULL)
            _exit (2);
          char id[8];
          snprintf (id, sizeof id, "p%d", i);
          struct ndb_attach a = { .ctr_id = id, .ifname = "eth0", .veth = id, .netns = "x" };
          struct error *e = NULL;
          int r = db_begin (n->db, &e);
          if (r == 0 && (r = ndb_attach_insert (n, nw, &a, 0, &e)) == 0)
            r = db_commit (n->db, &e);
          if (r < 0)
            printf ("# child %d: %s\n", i, e->msg);
          _exit (r < 0 ? 1 : 0);
        }
    }
  int ok = 0;
  for (int i = 0; i < K; i++)
    {
      int st;
      waitpid (pids[i], &st, 0);
      ok += WIFEXITED (st) && WEXITSTATUS (st) == 0;
    }
  CHECK_INT (ok, ==, K);
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2 (db_sqlite (DB),
                      "SELECT count(*), count(DISTINCT ip) FROM net_attach WHERE network_id = ?",
                      -1, &st, NULL);
  sqlite3_bind_text (st, 1, nw->id, -1, SQLITE_STATIC);
  REQUIRE (sqlite3_step (st) == SQLITE_ROW);
  CHECK_INT (sqlite3_column_int (st, 0), ==, K);
  CHECK_INT (sqlite3_column_int (st, 1), ==, K);
  sqlite3_finalize (st);
  for (int i = 0; i < K; i++)
    {
      char id[8];
      snprintf (id, sizeof id, "p%d", i);
      CHECK_OK (ndb_attach_delete (N, id, NULL, err));
    }
  CHECK_OK (net_network_remove (N, "many", err));
  net_network_free (nw);
}

static void
test_render (void)
{
  char *text = NULL;
  CHECK_OK (nft_render (N, &text, err));
  CHECK (text == NULL); /* nothing attached: no table at all */
  struct net_network *nw = NULL, *nw2 = NULL;
  struct net_network_opts o = { .name = "r1", .subnet = "10.206.0.0/24" };
  struct net_network_opts o2 = { .name = "r2", .subnet = "10.207.0.0/24", .internal = true };
  CHECK_OK (net_network_create (N, &o, &nw, err));
  CHECK_OK (net_network_create (N, &o2, &nw2, err));
  REQUIRE (nw && nw2);
  struct ndb_attach a = { .ctr_id = "x1", .ifname = "eth0", .veth = "v1", .netns = "x" };
  struct ndb_attach b = { .ctr_id = "x2", .ifname = "eth0", .veth = "v2", .netns = "x" };
  CHECK_OK (ndb_attach_insert (N, nw, &a, 0, err));
  CHECK_OK (ndb_attach_insert (N, nw2, &b, 0, err));
  struct net_port p = { .proto = "udp", .host_ip = 0x7f000001, .host_port = 5353, .ctr_port = 53 };
  CHECK_OK (ndb_port_insert (N, "x1", &p, a.ip, err));
  struct net_port q = { .proto = "udp", .host_ip = 0, .host_port = 5353, .ctr_port = 54 };
  CHECK_FAIL (ndb_port_insert (N, "x2", &q, b.ip, err), EADDRINUSE, "already published by container `x1`");
  CHECK_OK (nft_render (N, &text, err));
  REQUIRE (text);
  printf ("# %s", text);
  CHECK (strstr (text, "table ip tu {") != NULL);
  CHECK (strstr (text, "ip daddr 127.0.0.1 udp dport 5353 dnat to 10.206.0.2:53") != NULL);
  char want[256];
  snprintf (want, sizeof want, "ip saddr 10.206.0.0/24 oifname != \"%s\" masquerade", nw->bridge);
  CHECK (strstr (text, want) != NULL);
  CHECK (strstr (text, "ip saddr 10.207.0.0/24 oifname") == NULL); /* internal: no NAT out */
  snprintf (want, sizeof want, "iifname \"%s\" oifname != \"%s\" drop", nw2->bridge, nw2->bridge);
  CHECK (strstr (text, want) != NULL);
  snprintf (want, sizeof want, "iifname \"%s\" oifname { \"%s\" } drop", nw->bridge, nw2->bridge);
  CHECK (strstr (text, want) != NULL);
  /* and the kernel takes it (our namespace) */
  CHECK_OK (nft_sync (N, err));
  char *listed = NULL;
  CHECK_OK (nft_run ("list table ip tu", &listed, err));
  CHECK (listed && strstr (listed, "dnat to 10.206.0.2:53") != NULL);
  free (listed);
  free (text);
  CHECK_OK (ndb_attach_delete (N, "x1", NULL, err));
  CHECK_OK (ndb_attach_delete (N, "x2", NULL, err));
  CHECK_OK (ndb_port_delete (N, "x1", err));
  CHECK_OK (nft_sync (N, err));
  listed = NULL;
  CHECK_OK (nft_run ("list tables", &listed, err));
  CHECK (listed && strstr (listed, "tu") == NULL);
  free (listed);
  CHECK_OK (net_network_remove (N, "r1", err));
  CHECK_OK (net_network_remove (N, "r2", err));
  net_network_free (nw);
  net_network_free (nw2);
}

int
main (void)
{
  RUN (test_cidr);
  RUN (test_publish);
  if (!private_namespaces () || mkdtemp (test_dir) == NULL)
    {
      printf ("ok %d - networks # SKIP needs root (a network namespace of our own)\n", ++tap_n);
      return tap_done ();
    }
  DB = open_db (test_dir);
  N = DB ? open_net (DB, "tu", NULL) : NULL;
  if (N)
    {
      RUN (test_names);
      RUN (test_networks);
      RUN (test_ipam);
      RUN (test_ipam_concurrent);
      RUN (test_render);
    }
  net_close (N);
  db_close (DB);
  rm_test_dir ();
  return tap_done ();
}
