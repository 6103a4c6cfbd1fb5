/* addr.c - IPv4 addresses and subnets, -p/-P specifications, and the check
 * that a host port is free.
 *
 * Everything here parses what a user (or an image's ExposedPorts, which is
 * hostile) typed: strict decimal numbers, ranges checked, a limit on how
 * many ports one specification may expand to.
 */
#include "net/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
net_parse_ip (const char *s, uint32_t *out)
{
  struct in_addr a;
  /* inet_pton takes only dotted quads with decimal parts: no "10.1", no
   * octal or hex surprises of inet_aton */
  if (s == NULL || inet_pton (AF_INET, s, &a) != 1)
    return -EINVAL;
  *out = ntohl (a.s_addr);
  return 0;
}

const char *
net_ip_str (uint32_t ip, char buf[16])
{
  snprintf (buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
  return buf;
}

static uint32_t
mask_of (int len)
{
  return len ? 0xffffffffu << (32 - len) : 0;
}

int
net_parse_cidr (const char *s, bool allow_host, struct net_cidr *out, struct error **err)
{
  const char *slash = s ? strchr (s, '/') : NULL;
  if (slash == NULL || slash == s || (size_t) (slash - s) > 15)
    return error_set (err, EINVAL, "invalid subnet `%s`: expected an IPv4 CIDR like 10.1.0.0/24",
                      s ? s : "");
  char ip[16];
  memcpy (ip, s, (size_t) (slash - s));
  ip[slash - s] = '\0';
  int len;
  uint32_t a;
  if (net_parse_ip (ip, &a) < 0 || parse_int (slash + 1, &len) < 0 || len < 0 || len > 32
      || !isdigit ((unsigned char) slash[1]))
    return error_set (err, EINVAL, "invalid subnet `%s`: expected an IPv4 CIDR like 10.1.0.0/24",
                      s);
  if (!allow_host && (a & ~mask_of (len)))
    return error_set (err, EINVAL, "invalid subnet `%s`: host bits are set (did you mean %s/%d?)",
                      s, net_ip_str (a & mask_of (len), (char[16]){ 0 }), len);
  out->addr = a;
  out->len = len;
  return 0;
}

bool
net_cidr_contains (const struct net_cidr *c, uint32_t ip)
{
  return (ip & mask_of (c->len)) == (c->addr & mask_of (c->len));
}

bool
net_cidr_overlap (const struct net_cidr *a, const struct net_cidr *b)
{
  int len = a->len < b->len ? a->len : b->len;
  return (a->addr & mask_of (len)) == (b->addr & mask_of (len));
}

/* ------------------------------------------------------------ ports */

static int
parse_port (const char *s, size_t len, bool allow_zero, uint16_t *out)
{
  if (len == 0 || len > 5)
    return -EINVAL;
  unsigned v = 0;
  for (size_t i = 0; i < len; i++)
    {
      if (!isdigit ((unsigned char) s[i]))
        return -EINVAL;
      v = v * 10 + (unsigned) (s[i] - '0');
    }
  if (v > 65535 || (v == 0 && !allow_zero))
    return -EINVAL;
  *out = (uint16_t) v;
  return 0;
}

/* "80" or "80-82" */
static int
parse_range (const char *s, size_t len, uint16_t *lo, uint16_t *hi)
{
  const char *dash = memchr (s, '-', len);
  if (dash == NULL)
    {
      if (parse_port (s, len, false, lo) < 0)
        return -EINVAL;
      *hi = *lo;
      return 0;
    }
  if (parse_port (s, (size_t) (dash - s), false, lo) < 0
      || parse_port (dash + 1, len - (size_t) (dash - s) - 1, false, hi) < 0 || *hi < *lo)
    return -EINVAL;
  return 0;
}

static int
push_port (struct net_port **ports, size_t *n, const struct net_port *p, const char *spec,
           struct error **err)
{
  if (*n >= NET_MAX_PORTS)
    return error_set (err, E2BIG, "too many published ports (at most %d): `%s`", NET_MAX_PORTS,
                      spec);
  struct net_port *v = realloc (*ports, (*n + 1) * sizeof *v);
  if (v == NULL)
    return error_set (err, ENOMEM, "out of memory");
  v[*n] = *p;
  *ports = v;
  (*n)++;
  return 0;
}

int
net_parse_publish (const char *spec, struct net_port **ports, size_t *n, struct error **err)
{
#define BAD(why) error_set (err, EINVAL, "invalid port specification `%s`: %s", spec, why)
  if (spec == NULL || *spec == '\0' || strlen (spec) > 128)
    return BAD ("expected [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]");
  char buf[129];
  snprintf (buf, sizeof buf, "%s", spec);
  char proto[4] = "tcp";
  char *sl = strrchr (buf, '/');
  if (sl)
    {
      *sl = '\0';
      if (strcmp (sl + 1, "tcp") && strcmp (sl + 1, "udp"))
        return BAD ("the protocol must be tcp or udp");
      snprintf (proto, sizeof proto, "%s", sl + 1);
    }
  if (buf[0] == '[')
    return BAD ("IPv6 host addresses are not supported");
  /* split on ':' from the right: CPORT, HOSTPORT, HOSTIP */
  char *parts[3] = { NULL, NULL, NULL };
  int np = 0;
  char *p = buf;
  for (char *c; (c = strchr (p, ':')) != NULL; p = c + 1)
    {
      if (np >= 2)
        return BAD ("too many `:`");
      *c = '\0';
      parts[np++] = p;
    }
  parts[np++] = p;
  const char *hip = np == 3 ? parts[0] : NULL;
  const char *hport = np == 3 ? parts[1] : np == 2 ? parts[0] : NULL;
  const char *cport = parts[np - 1];
  struct net_port base = { .host_ip = 0 };
  memcpy (base.proto, proto, sizeof base.proto);
  if (hip && *hip && net_parse_ip (hip, &base.host_ip) < 0)
    return BAD ("the host address is not an IPv4 address");
  uint16_t clo, chi, hlo = 0, hhi = 0;
  if (parse_range (cport, strlen (cport), &clo, &chi) < 0)
    return BAD ("the container port must be a number (or range) in 1-65535");
  if (hport && *hport && parse_range (hport, strlen (hport), &hlo, &hhi) < 0)
    return BAD ("the host port must be a number (or range) in 1-65535");
  if (hlo && (hhi - hlo) != (chi - clo))
    return BAD ("the host and container port ranges differ in size");
  for (unsigned i = 0; i <= (unsigned) (chi - clo); i++)
    {
      struct net_port q = base;
      q.ctr_port = (uint16_t) (clo + i);
      q.host_port = hlo ? (uint16_t) (hlo + i) : 0;
      int r = push_port (ports, n, &q, spec, err);
      if (r < 0)
        return r;
    }
  return 0;
#undef BAD
}

int
net_parse_exposed (const char *spec, struct net_port **ports, size_t *n, struct error **err)
{
  /* "80/tcp", "53/udp", "8000-8001/tcp" (images say it this way) */
  if (spec == NULL || strchr (spec, ':'))
    return error_set (err, EINVAL, "invalid exposed port `%s`", spec ? spec : "");
  return net_parse_publish (spec, ports, n, err);
}

int
port_probe (struct net_port *p, struct error **err)
{
  bool tcp = strcmp (p->proto, "tcp") == 0;
  _cleanup_close_ int fd = socket (AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return error_errno (err, errno, "socket");
  if (tcp)
    {
      /* a connection in TIME_WAIT does not make the port busy; a listener
       * does, which is what SO_REUSEADDR still refuses */
      int one = 1;
      setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
  struct sockaddr_in sa = { .sin_family = AF_INET,
                            .sin_port = htons (p->host_port),
                            .sin_addr.s_addr = htonl (p->host_ip) };
  char s[16];
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      if (errno == EADDRINUSE)
        return error_set (err, EADDRINUSE, "port %s:%u/%s is already in use on the host",
                          net_ip_str (p->host_ip, s), p->host_port, p->proto);
      if (errno == EADDRNOTAVAIL)
        return error_set (err, EADDRNOTAVAIL, "host address %s is not an address of this host",
                          net_ip_str (p->host_ip, s));
      return error_errno (err, errno, "bind %s:%u/%s", net_ip_str (p->host_ip, s), p->host_port,
                          p->proto);
    }
  if (p->host_port == 0)
    {
      socklen_t l = sizeof sa;
      if (getsockname (fd, (struct sockaddr *) &sa, &l) < 0)
        return error_errno (err, errno, "getsockname");
      p->host_port = ntohs (sa.sin_port);
    }
  return 0;
}
