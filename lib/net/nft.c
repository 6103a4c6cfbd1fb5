/* nft.c - hull's nftables table, regenerated from the database.
 *
 * We own one table, `ip <prefix>` ("ip hull"), and touch nothing else.  It
 * is not edited rule by rule: every change (a container attached or gone,
 * a network made or removed) renders the whole table from the database and
 * replaces it in one nftables transaction ("add table; delete table; table
 * { ... }" is applied atomically, or not at all).  So the rules are always
 * exactly what the database says, a crash between two steps leaves nothing
 * that the next sync does not repair, and reconciliation is simply a sync.
 * Connections in flight keep their conntrack NAT bindings across a reload.
 *
 * The table holds:
 *   prerouting/output (nat): traffic to a local address (fib daddr type
 *     local) jumps to `ports`, one DNAT rule per published port; output is
 *     what makes 127.0.0.1:PORT work from the host itself.
 *   postrouting (nat), per bridge in use:
 *     - from 127.0.0.0/8 out of the bridge: masquerade.  A DNAT'd
 *       connection from the host's loopback still has source 127.0.0.1;
 *       the kernel routes it out of the bridge only with route_localnet=1
 *       on the bridge (set when we make it), and the container must see a
 *       source it can answer: the gateway.  netavark does the same.
 *     - DNAT'd traffic from the bridge's subnet back into it (hairpin, a
 *       container reaching a published port): masquerade, or the reply
 *       would go straight back over the bridge, bypassing the reverse NAT.
 *     - from the subnet to anywhere but the bridge (not --internal):
 *       masquerade (outgoing traffic).
 *   forward (filter): isolation.  A packet between two of our bridges is
 *     dropped; an --internal network's bridge forwards nothing in or out.
 */
#include "net/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
nft_ctx_freep (struct nft_ctx **c)
{
  if (*c)
    nft_ctx_free (*c);
}

int
nft_run (const char *cmds, char **out, struct error **err)
{
  __attribute__ ((cleanup (nft_ctx_freep))) struct nft_ctx *c = nft_ctx_new (NFT_CTX_DEFAULT);
  if (c == NULL)
    return error_set (err, ENOMEM, "nftables: cannot make a context");
  nft_ctx_buffer_output (c);
  nft_ctx_buffer_error (c);
  if (nft_run_cmd_from_buffer (c, cmds) != 0)
    {
      /* the library's message spans lines (the command, a caret line):
       * keep its first line */
      const char *e = nft_ctx_get_error_buffer (c);
      size_t l = e ? strcspn (e, "\n") : 0;
      return error_set (err, EIO, "nftables: %.*s", (int) (l ? l : 7), l ? e : "failed");
    }
  if (out)
    {
      const char *o = nft_ctx_get_output_buffer (c);
      *out = strdup (o ? o : "");
      if (*out == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }
  return 0;
}

struct buf
{
  char *s;
  size_t len, cap;
  bool oom;
};

static void __attribute__ ((format (printf, 2, 3)))
bprintf (struct buf *b, const char *fmt, ...)
{
  if (b->oom)
    return;
  va_list ap;
  va_start (ap, fmt);
  char *t = NULL;
  int l = vasprintf (&t, fmt, ap);
  va_end (ap);
  if (l < 0)
    {
      b->oom = true;
      return;
    }
  if (b->len + (size_t) l + 1 > b->cap)
    {
      size_t cap = (b->len + (size_t) l + 1) * 2;
      char *s = realloc (b->s, cap);
      if (s == NULL)
        {
          free (t);
          b->oom = true;
          return;
        }
      b->s = s;
      b->cap = cap;
    }
  memcpy (b->s + b->len, t, (size_t) l + 1);
  b->len += (size_t) l;
  free (t);
}

int
nft_render (struct net *n, char **out, struct error **err)
{
  *out = NULL;
  struct net_network **nws = NULL;
  int r = ndb_network_list (n, &nws, err);
  if (r < 0)
    return r;
  /* the networks in use (with a bridge) */
  size_t k = 0;
  for (size_t i = 0; nws[i]; i++)
    {
      int c = 0;
      if ((r = ndb_count_attached (n, nws[i]->id, &c, err)) < 0)
        {
          net_network_list_free (nws);
          return r;
        }
      if (c > 0)
        nws[k++] = nws[i];
      else
        net_network_free (nws[i]);
    }
  nws[k] = NULL;
  struct ndb_port *ports = NULL;
  size_t np = 0;
  if ((r = ndb_port_list (n, NULL, &ports, &np, err)) < 0)
    {
      net_network_list_free (nws);
      return r;
    }
  if (k == 0 && np == 0)
    {
      net_network_list_free (nws);
      ndb_port_list_free (ports, np);
      return 0; /* nothing: no table */
    }
  struct buf b = { 0 };
  const char *t = n->prefix;
  char s1[16], s2[16];
  bprintf (&b, "table ip %s {\n", t);
  bprintf (&b, " chain prerouting {\n  type nat hook prerouting priority -100; policy accept;\n"
               "  fib daddr type local jump ports\n }\n");
  bprintf (&b, " chain output {\n  type nat hook output priority -100; policy accept;\n"
               "  fib daddr type local jump ports\n }\n");
  bprintf (&b, " chain ports {\n");
  for (size_t i = 0; i < np; i++)
    {
      struct ndb_port *p = &ports[i];
      if (p->p.host_ip)
        bprintf (&b, "  ip daddr %s ", net_ip_str (p->p.host_ip, s1));
      else
        bprintf (&b, "  ");
      bprintf (&b, "%s dport %u dnat to %s:%u\n", p->p.proto, p->p.host_port,
               net_ip_str (p->ctr_ip, s2), p->p.ctr_port);
    }
  bprintf (&b, " }\n");
  bprintf (&b, " chain postrouting {\n  type nat hook postrouting priority 100; policy accept;\n");
  for (size_t i = 0; i < k; i++)
    {
      const char *br = nws[i]->bridge;
      net_ip_str (nws[i]->subnet.addr, s1);
      bprintf (&b, "  oifname \"%s\" ip saddr 127.0.0.0/8 masquerade\n", br);
      bprintf (&b, "  oifname \"%s\" ct status dnat ip saddr %s/%d masquerade\n", br, s1,
               nws[i]->subnet.len);
      if (!nws[i]->internal)
        bprintf (&b, "  ip saddr %s/%d oifname != \"%s\" masquerade\n", s1, nws[i]->subnet.len, br);
    }
  bprintf (&b, " }\n");
  bprintf (&b, " chain forward {\n  type filter hook forward priority 0; policy accept;\n");
  for (size_t i = 0; i < k; i++)
    {
      const char *br = nws[i]->bridge;
      if (nws[i]->internal)
        {
          bprintf (&b, "  iifname \"%s\" oifname != \"%s\" drop\n", br, br);
          bprintf (&b, "  oifname \"%s\" iifname != \"%s\" drop\n", br, br);
          continue;
        }
      if (k > 1)
        {
          bprintf (&b, "  iifname \"%s\" oifname { ", br);
          bool first = true;
          for (size_t j = 0; j < k; j++)
            if (j != i)
              {
                bprintf (&b, "%s\"%s\"", first ? "" : ", ", nws[j]->bridge);
                first = false;
              }
          bprintf (&b, " } drop\n");
        }
    }
  bprintf (&b, " }\n}\n");
  net_network_list_free (nws);
  ndb_port_list_free (ports, np);
  if (b.oom)
    {
      free (b.s);
      return error_set (err, ENOMEM, "out of memory");
    }
  *out = b.s;
  return 0;
}

int
nft_sync (struct net *n, struct error **err)
{
  _cleanup_free_ char *body = NULL;
  int r = nft_render (n, &body, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *cmds = NULL;
  /* "add" makes the "delete" valid when the table does not exist yet;
   * the three are one transaction */
  if (asprintf (&cmds, "add table ip %s\ndelete table ip %s\n%s", n->prefix, n->prefix,
                body ? body : "")
      < 0)
    return error_set (err, ENOMEM, "out of memory");
  return nft_run (cmds, NULL, err);
}
