/* v1/net_prio.c - linux.resources.network.priorities ->
 * net_prio.ifpriomap, one "IFNAME PRIO" per write. */
#include "../internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "oci/config.h"

#include <stdio.h>

static int
apply (const struct cg_wctx *c, struct error **err)
{
  const char *k0 = "linux.resources.network.priorities";
  _cleanup_close_ int fd = cg_open_w (c->dirfd, "net_prio.ifpriomap", k0, err);
  if (fd < 0)
    return fd;
  for (size_t i = 0; i < c->r->network.n_priorities; i++)
    {
      const struct oci_net_priority *p = &c->r->network.priorities[i];
      char buf[64], key[64];
      snprintf (buf, sizeof buf, "%s %u", p->name, (unsigned) p->priority);
      snprintf (key, sizeof key, "%s[%zu]", k0, i);
      int r = cg_write_line (fd, "net_prio.ifpriomap", buf, key, err);
      if (r < 0)
        return r;
    }
  return 0;
}

const struct cg_writer cg_v1_net_prio = {
  .what = "net_prio",
  .ctrl = CG_NET_PRIO,
  .requested = cg_req_net_prio,
  .apply = apply,
};
