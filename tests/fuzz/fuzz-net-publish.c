/* fuzz-net-publish: arbitrary bytes as the value of `hull run -p` (first
 * byte even) or an image's EXPOSE entry (odd).  A value either fails with
 * a message (a range may have been added in part: the caller drops the
 * list), or adds at most NET_MAX_PORTS ports, each tcp or udp, with a
 * container port in 1-65535. */
#include "net/net.h"

#include "base/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1 || size > 4096)
    return 0;
  char *v = strndup ((const char *)data + 1, size - 1);
  if (v == NULL)
    return 0;
  struct net_port *ports = NULL;
  size_t n = 0;
  struct error *err = NULL;
  int r = data[0] & 1 ? net_parse_exposed (v, &ports, &n, &err)
                      : net_parse_publish (v, &ports, &n, &err);
  if (r < 0)
    {
      if (err == NULL || err->msg == NULL || n > NET_MAX_PORTS)
        abort ();
      error_free (err);
    }
  else
    {
      if (n == 0 || n > NET_MAX_PORTS || ports == NULL)
        abort ();
      for (size_t i = 0; i < n; i++)
        {
          if (strcmp (ports[i].proto, "tcp") && strcmp (ports[i].proto, "udp"))
            abort ();
          if (ports[i].ctr_port == 0)
            abort ();
          if ((data[0] & 1) && (ports[i].host_port || ports[i].host_ip))
            abort (); /* EXPOSE never names the host side */
        }
    }
  free (ports);
  free (v);
  return 0;
}
