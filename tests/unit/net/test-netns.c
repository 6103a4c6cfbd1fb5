/* test-netns.c - lib/net with real traffic, inside a network namespace of
 * the test's own (the "host"): containers' namespaces, bridges, veths,
 * NAT and published ports, names on user networks, isolation between
 * networks, port conflicts, teardown and crash reconciliation leaving
 * nothing, 20 concurrent setups. */
#include "../../lib/tap.h"
#include "helpers.h"

#include "base/cleanup.h"
#include "base/strv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

static struct net *N;
static struct db *DB;

static const char *
id_of (int i)
{
  static char ids[64][65];
  char *b = ids[i % 64];
  for (int k = 0; k < 64; k++)
    b[k] = "0123456789abcdef"[(i * 7 + k) % 16];
  b[0] = 'a' + (i % 6);
  b[1] = "0123456789abcdef"[i / 16 % 16];
  b[2] = "0123456789abcdef"[i % 16];
  b[64] = '\0';
  return b;
}

/* Enter a container's namespace in a child and run fn there. */
static pid_t
in_netns (const char *path, int (*fn) (void *), void *arg)
{
  fflush (stdout);
  pid_t p = fork ();
  if (p == 0)
    {
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns (fd, CLONE_NEWNET) < 0)
        _exit (99);
      alarm (10);
      _exit (fn (arg));
    }
  return p;
}

static int
wait_exit (pid_t p)
{
  int st;
  if (waitpid (p, &st, 0) < 0)
    return -1;
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

struct srv
{
  int proto; /* SOCK_STREAM / SOCK_DGRAM */
  uint16_t port;
  const char *reply;
  int ready[2];
};

/* Answer one TCP connection or one UDP datagram with reply. */
static int
serve (void *arg)
{
  struct srv *s = arg;
  int fd = socket (AF_INET, s->proto, 0);
  int one = 1;
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (s->port) };
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    return 3;
  if (s->proto == SOCK_STREAM && listen (fd, 8) < 0)
    return 4;
  if (write (s->ready[1], "r", 1) != 1)
    return 5;
  for (int i = 0; i < 4; i++)
    {
      if (s->proto == SOCK_STREAM)
        {
          int c = accept (fd, NULL, NULL);
          if (c < 0)
            return 6;
          struct sockaddr_in peer;
          socklen_t l = sizeof peer;
          getpeername (c, (struct sockaddr *) &peer, &l);
          char msg[128];
          snprintf (msg, sizeof msg, "%s from %s", s->reply, inet_ntoa (peer.sin_addr));
          if (write (c, msg, strlen (msg)) < 0)
            return 7;
          close (c);
        }
      else
        {
          char b[64];
          struct sockaddr_in peer;
          socklen_t l = sizeof peer;
          if (recvfrom (fd, b, sizeof b, 0, (struct sockaddr *) &peer, &l) < 0)
            return 6;
          sendto (fd, s->reply, strlen (s->reply), 0, (struct sockaddr *) &peer, l);
        }
    }
  return 0;
}

static pid_t
start_server (const char *netns, int proto, uint16_t port, const char *reply)
{
  static struct srv s;
  s = (struct srv){ proto, port, reply, { -1, -1 } };
  if (pipe (s.ready) < 0)
    return -1;
  pid_t p = in_netns (netns, serve, &s);
  char c;
  close (s.ready[1]);
  struct pollfd pf = { s.ready[0], POLLIN, 0 };
  poll (&pf, 1, 5000);
  if (read (s.ready[0], &c, 1) != 1)
    p = -1;
  close (s.ready[0]);
  return p;
}

/* Connect (TCP) or send (UDP) to ip:port from the current namespace,
 * with a timeout; the answer into out. */
static int
ask (int proto, const char *ip, uint16_t port, char *out, size_t len, int timeout_ms)
{
  out[0] = '\0';
  int fd = socket (AF_INET, proto | SOCK_NONBLOCK, 0);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };
  inet_pton (AF_INET, ip, &sa.sin_addr);
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0 && errno != EINPROGRESS)
    {
      close (fd);
      return -errno;
    }
  if (proto == SOCK_DGRAM && send (fd, "q", 1, 0) != 1)
    {
      close (fd);
      return -errno;
    }
  struct pollfd pf = { fd, POLLIN, 0 };
  int r = poll (&pf, 1, timeout_ms);
  ssize_t n = r > 0 ? read (fd, out, len - 1) : -1;
  int e = errno;
  close (fd);
  if (r == 0)
    return -ETIMEDOUT;
  if (n < 0)
    return -e;
  out[n] = '\0';
  return 0;
}

struct ask_args
{
  int proto;
  const char *ip;
  uint16_t port;
  const char *want; /* NULL: must fail */
};

static int
ask_child (void *arg)
{
  struct ask_args *a = arg;
  char buf[128];
  int r = ask (a->proto, a->ip, a->port, buf, sizeof buf, a->want ? 3000 : 700);
  if (a->want == NULL)
    return r < 0 ? 0 : 1;
  if (r < 0 || strstr (buf, a->want) == NULL)
    {
      printf ("#   from a container: %s:%u: %d `%s`\n", a->ip, a->port, r, buf);
      return 1;
    }
  return 0;
}

static int
ask_from (const char *netns, int proto, const char *ip, uint16_t port, const char *want)
{
  struct ask_args a = { proto, ip, port, want };
  return wait_exit (in_netns (netns, ask_child, &a));
}

static int
setup (const char *id, const char *name, const char *network, const char *ip, char **aliases,
       const char *publish, struct net_ctr_state **out, struct error **err)
{
  struct net_endpoint_req ep = { .network = network, .ip = ip, .aliases = aliases };
  struct net_port *ports = NULL;
  size_t np = 0;
  char *save = NULL, buf[256];
  snprintf (buf, sizeof buf, "%s", publish ? publish : "");
  for (char *t = strtok_r (buf, " ", &save); t; t = strtok_r (NULL, " ", &save))
    {
      int r = net_parse_publish (t, &ports, &np, err);
      if (r < 0)
        return r;
    }
  char hosts[512];
  snprintf (hosts, sizeof hosts, "%s/hosts-%s", test_dir, name);
  FILE *f = fopen (hosts, "we");
  if (f)
    fputs ("127.0.0.1\tlocalhost\n", f), fclose (f);
  struct net_ctr c = { .id = id, .name = name, .hostname = name, .hosts_path = hosts,
                       .endpoints = &ep, .n_endpoints = 1, .ports = ports, .n_ports = np };
  int r = net_setup (N, &c, out, err);
  free (ports);
  return r;
}

static bool
link_exists (const char *name)
{
  struct nl nl;
  struct error *e = NULL;
  if (nl_open (&nl, -1, &e) < 0)
    return error_free (e), false;
  bool r = nl_link_index (&nl, name) > 0;
  nl_close (&nl);
  return r;
}

/* Nothing of a container's left: no veth with our prefix, no table, no
 * namespace file, no record; bridges only of networks that exist. */
static void
check_nothing_left (const char *prefix)
{
  struct nl nl;
  struct error *e = NULL;
  char **names = NULL;
  REQUIRE (nl_open (&nl, -1, &e) == 0);
  REQUIRE (nl_link_names (&nl, &names, &e) == 0);
  nl_close (&nl);
  struct net_network **nws = NULL;
  CHECK_OK (net_network_list (N, &nws, err));
  for (size_t i = 0; names[i]; i++)
    if (strncmp (names[i], prefix, strlen (prefix)) == 0)
      {
        bool bridge = false;
        for (size_t j = 0; nws && nws[j]; j++)
          bridge |= strcmp (nws[j]->bridge, names[i]) == 0;
        if (bridge)
          continue;
        printf ("#   link `%s` left\n", names[i]);
        tap_cur_failed = 1;
      }
  strv_free (names);
  net_network_list_free (nws);
  char *tables = NULL;
  CHECK_OK (nft_run ("list tables", &tables, err));
  char want[32];
  snprintf (want, sizeof want, "table ip %s\n", prefix);
  CHECK (tables && strstr (tables, want) == NULL);
  free (tables);
  char dir[512];
  snprintf (dir, sizeof dir, "%s/netns", test_dir);
  DIR *d = opendir (dir);
  for (struct dirent *de; d && (de = readdir (d));)
    if (de->d_name[0] != '.')
      {
        printf ("#   netns file `%s` left\n", de->d_name);
        tap_cur_failed = 1;
      }
  if (d)
    closedir (d);
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2 (db_sqlite (DB),
                      "SELECT (SELECT count(*) FROM net_attach) + (SELECT count(*) FROM net_ports)",
                      -1, &st, NULL);
  CHECK (sqlite3_step (st) == SQLITE_ROW && sqlite3_column_int (st, 0) == 0);
  sqlite3_finalize (st);
}

static void
test_bridge_and_ports (void)
{
  struct net_ctr_state *a = NULL, *b = NULL;
  CHECK_OK (setup (id_of (1), "a", NULL, NULL, NULL, NULL, &a, err));
  CHECK_OK (setup (id_of (2), "b", NULL, NULL, NULL, "127.0.0.1:18080:8080 18081:8081/udp", &b, err));
  REQUIRE (a && b && a->n_endpoints == 1 && b->n_endpoints == 1);
  CHECK (link_exists ("tn0"));
  CHECK (link_exists (a->endpoints[0].veth));
  CHECK_INT (a->endpoints[0].ip, ==, 0x0a570002);
  CHECK_INT (b->endpoints[0].ip, ==, 0x0a570003);
  CHECK_STR (a->endpoints[0].ifname, "eth0");
  CHECK_INT (b->n_ports, ==, 2);
  struct stat st;
  CHECK (stat (a->netns, &st) == 0);
  pid_t tcp = start_server (b->netns, SOCK_STREAM, 8080, "hello-b");
  pid_t udp = start_server (b->netns, SOCK_DGRAM, 8081, "udp-b");
  REQUIRE (tcp > 0 && udp > 0);
  char buf[128];
  /* the host's loopback reaches the published ports; the container sees
   * the gateway as the source (masquerade of 127.0.0.0/8) */
  CHECK_INT (ask (SOCK_STREAM, "127.0.0.1", 18080, buf, sizeof buf, 3000), ==, 0);
  CHECK_STR (buf, "hello-b from 10.87.0.1");
  CHECK_INT (ask (SOCK_DGRAM, "127.0.0.1", 18081, buf, sizeof buf, 3000), ==, 0);
  CHECK_STR (buf, "udp-b");
  /* container to container directly, and through the published port of
   * the gateway (hairpin NAT) */
  CHECK_INT (ask_from (a->netns, SOCK_STREAM, "10.87.0.3", 8080, "hello-b from 10.87.0.2"), ==, 0);
  CHECK_INT (ask_from (a->netns, SOCK_DGRAM, "10.87.0.1", 18081, "udp-b"), ==, 0);
  /* a container reaching its own published port */
  CHECK_INT (ask_from (b->netns, SOCK_DGRAM, "10.87.0.1", 18081, "udp-b"), ==, 0);
  kill (tcp, SIGKILL), kill (udp, SIGKILL);
  wait_exit (tcp), wait_exit (udp);

  /* bad input: nothing left behind */
  struct net_ctr_state *c = NULL;
  CHECK_FAIL (setup (id_of (3), "c", NULL, NULL, NULL, "127.0.0.1:18080:80", &c, err), EADDRINUSE,
              "already published by container");
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (18090) };
  inet_pton (AF_INET, "127.0.0.1", &sa.sin_addr);
  CHECK (bind (fd, (struct sockaddr *) &sa, sizeof sa) == 0 && listen (fd, 1) == 0);
  CHECK_FAIL (setup (id_of (3), "c", NULL, NULL, NULL, "18090:80", &c, err), EADDRINUSE,
              "port 0.0.0.0:18090/tcp is already in use on the host");
  close (fd);
  CHECK_FAIL (setup (id_of (3), "c", NULL, NULL, NULL, "192.0.2.9:80:80", &c, err), EADDRNOTAVAIL,
              "not an address of this host");
  CHECK_FAIL (setup (id_of (3), "c", "nosuch", NULL, NULL, NULL, &c, err), ENOENT,
              "network `nosuch` not found");
  CHECK_FAIL (setup (id_of (3), "c", NULL, "10.87.0.9", NULL, NULL, &c, err), EINVAL,
              "user defined networks only");
  char p[512];
  snprintf (p, sizeof p, "%s/netns/%s", test_dir, id_of (3));
  CHECK (access (p, F_OK) < 0);
  struct net_ctr_state *g = NULL;
  CHECK_OK (net_ctr_get (N, id_of (3), &g, err));
  CHECK (g == NULL);

  CHECK_OK (net_teardown (N, id_of (1), err));
  CHECK_OK (net_teardown (N, id_of (1), err)); /* idempotent */
  CHECK (!link_exists (a->endpoints[0].veth));
  CHECK (link_exists ("tn0"));
  CHECK_OK (net_teardown (N, id_of (2), err));
  CHECK (link_exists ("tn0")); /* the bridge stays while its network exists */
  check_nothing_left ("tn");
  net_ctr_state_free (a);
  net_ctr_state_free (b);
}

static void
test_user_networks (void)
{
  struct net_network_opts o1 = { .name = "n1", .subnet = "10.211.0.0/24" };
  struct net_network_opts o2 = { .name = "n2", .subnet = "10.212.0.0/24" };
  CHECK_OK (net_network_create (N, &o1, NULL, err));
  CHECK_OK (net_network_create (N, &o2, NULL, err));
  char *al[] = { "db", NULL };
  struct net_ctr_state *c = NULL, *d = NULL, *e = NULL;
  CHECK_OK (setup (id_of (4), "c", "n1", NULL, NULL, NULL, &c, err));
  CHECK_OK (setup (id_of (5), "d", "n1", "10.211.0.50", al, NULL, &d, err));
  CHECK_OK (setup (id_of (6), "e", "n2", NULL, NULL, NULL, &e, err));
  REQUIRE (c && d && e);
  CHECK_INT (d->endpoints[0].ip, ==, 0x0ad30032);
  struct net_ctr_state *x = NULL;
  CHECK_FAIL (setup (id_of (7), "x", "n1", "10.211.0.50", NULL, NULL, &x, err), EADDRINUSE,
              "address 10.211.0.50 is already in use on network `n1`");
  /* c's hosts file knows d by name and alias (rewritten when d joined),
   * not e */
  char p[512], *text = NULL;
  size_t len;
  snprintf (p, sizeof p, "%s/hosts-c", test_dir);
  CHECK_OK (fs_read_file (p, 1 << 16, &text, &len, err));
  REQUIRE (text);
  printf ("# hosts of c:\n# %s", text);
  CHECK (strstr (text, "127.0.0.1\tlocalhost\n") == text);
  CHECK (strstr (text, "10.211.0.50\td db ") != NULL);
  CHECK (strstr (text, "10.211.0.2\tc") != NULL);
  CHECK (strstr (text, "\te ") == NULL);
  free (text);
  /* traffic: c -> d works, c -> e does not (isolation) */
  pid_t sd = start_server (d->netns, SOCK_STREAM, 80, "d");
  pid_t se = start_server (e->netns, SOCK_STREAM, 80, "e");
  REQUIRE (sd > 0 && se > 0);
  CHECK_INT (ask_from (c->netns, SOCK_STREAM, "10.211.0.50", 80, "d from 10.211.0.2"), ==, 0);
  CHECK_INT (ask_from (c->netns, SOCK_STREAM, "10.212.0.2", 80, NULL), ==, 0);
  /* connect c to n2: now it reaches e, and knows it by name */
  struct net_endpoint_req ep = { .network = "n2" };
  snprintf (p, sizeof p, "%s/hosts-c", test_dir);
  CHECK_OK (net_connect (N, id_of (4), &ep, "c", "c", p, err));
  CHECK_INT (ask_from (c->netns, SOCK_STREAM, "10.212.0.2", 80, "e from 10.212.0.3"), ==, 0);
  CHECK_OK (fs_read_file (p, 1 << 16, &text, &len, err));
  CHECK (text && strstr (text, "10.212.0.2\te ") != NULL);
  free (text);
  CHECK_FAIL (net_connect (N, id_of (4), &ep, "c", "c", p, err), EEXIST, "already connected");
  CHECK_OK (net_disconnect (N, id_of (4), "n2", err));
  CHECK_FAIL (net_disconnect (N, id_of (4), "n2", err), ENOENT, "is not connected");
  CHECK_OK (fs_read_file (p, 1 << 16, &text, &len, err));
  CHECK (text && strstr (text, "\te ") == NULL);
  free (text);
  kill (sd, SIGKILL), kill (se, SIGKILL);
  wait_exit (sd), wait_exit (se);
  CHECK_FAIL (net_network_remove (N, "n1", err), EBUSY, "active endpoints");
  CHECK_OK (net_teardown (N, id_of (4), err));
  CHECK_OK (net_teardown (N, id_of (5), err));
  CHECK_OK (net_teardown (N, id_of (6), err));
  CHECK_OK (net_network_remove (N, "n1", err));
  CHECK_OK (net_network_remove (N, "n2", err));
  check_nothing_left ("tn");
  net_ctr_state_free (c);
  net_ctr_state_free (d);
  net_ctr_state_free (e);
}

static bool
never_alive (const char *id, void *data)
{
  return strcmp (id, data) == 0;
}

static void
test_reconcile (void)
{
  /* a container whose owner died, plus leftovers no record claims */
  struct net_ctr_state *a = NULL, *b = NULL;
  CHECK_OK (setup (id_of (8), "a", NULL, NULL, NULL, "18100:80", &a, err));
  CHECK_OK (setup (id_of (9), "b", NULL, NULL, NULL, NULL, &b, err));
  REQUIRE (a && b);
  {
    struct nl nl;
    struct error *e = NULL;
    REQUIRE (nl_open (&nl, -1, &e) == 0);
    CHECK_INT (nl_veth_create (&nl, "tnv0123456789ab", "tnorphanpeer", -1, 0, NULL, 0, &e), ==, 0);
    uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
    CHECK_INT (nl_bridge_create (&nl, "tn77", 0, mac, &e), ==, 1);
    nl_close (&nl);
    error_free (e);
    char p[512];
    snprintf (p, sizeof p, "%s/netns/%s", test_dir, id_of (10));
    CHECK_OK (netns_create (p, err));
  }
  CHECK_OK (net_reconcile (N, never_alive, (void *) id_of (9), err));
  CHECK (!link_exists ("tnv0123456789ab"));
  CHECK (!link_exists ("tn77"));
  CHECK (link_exists ("tn0"));
  CHECK (!link_exists (a->endpoints[0].veth));
  CHECK (link_exists (b->endpoints[0].veth));
  struct net_ctr_state *g = NULL;
  CHECK_OK (net_ctr_get (N, id_of (8), &g, err));
  CHECK (g == NULL);
  CHECK_OK (net_reconcile (N, NULL, NULL, err));
  CHECK (link_exists (b->endpoints[0].veth));
  CHECK_OK (net_reconcile (N, never_alive, (void *) "", err));
  check_nothing_left ("tn");
  net_ctr_state_free (a);
  net_ctr_state_free (b);
}

static void
test_concurrent (void)
{
  enum { K = 20 };
  pid_t pids[K];
  for (int i = 0; i < K; i++)
    if ((pids[i] = fork ()) == 0)
      {
        struct db *db = open_db (test_dir);
        N = db ? open_net (db, "tn", NULL) : NULL;
        if (N == NULL)
          _exit (2);
        char name[16];
        snprintf (name, sizeof name, "k%d", i);
        struct net_ctr_state *s = NULL;
        struct error *e = NULL;
        if (setup (id_of (20 + i), name, NULL, NULL, NULL, "80", &s, &e) < 0)
          {
            printf ("# %s: %s\n", name, e->msg);
            fflush (stdout);
            _exit (1);
          }
        _exit (0);
      }
  int ok = 0;
  for (int i = 0; i < K; i++)
    ok += wait_exit (pids[i]) == 0;
  CHECK_INT (ok, ==, K);
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2 (db_sqlite (DB),
                      "SELECT count(*), count(DISTINCT ip), (SELECT count(DISTINCT host_port) "
                      "FROM net_ports) FROM net_attach",
                      -1, &st, NULL);
  REQUIRE (sqlite3_step (st) == SQLITE_ROW);
  CHECK_INT (sqlite3_column_int (st, 0), ==, K);
  CHECK_INT (sqlite3_column_int (st, 1), ==, K);
  CHECK_INT (sqlite3_column_int (st, 2), ==, K);
  sqlite3_finalize (st);
  for (int i = 0; i < K; i++)
    {
      struct net_ctr_state *s = NULL;
      CHECK_OK (net_ctr_get (N, id_of (20 + i), &s, err));
      CHECK (s && s->n_endpoints == 1 && link_exists (s->endpoints[0].veth));
      net_ctr_state_free (s);
      CHECK_OK (net_teardown (N, id_of (20 + i), err));
    }
  check_nothing_left ("tn");
}

int
main (void)
{
  if (!private_namespaces () || mkdtemp (test_dir) == NULL)
    {
      printf ("ok 1 - traffic # SKIP needs root (a network namespace of our own)\n");
      printf ("1..1\n");
      return 0;
    }
  DB = open_db (test_dir);
  N = DB ? open_net (DB, "tn", "10.87.0.0/16") : NULL;
  if (N)
    {
      RUN (test_bridge_and_ports);
      RUN (test_user_networks);
      RUN (test_reconcile);
      RUN (test_concurrent);
    }
  net_close (N);
  db_close (DB);
  rm_test_dir ();
  return tap_done ();
}
