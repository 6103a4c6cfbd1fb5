/* fuzz-monitor-msg: arbitrary bytes as one frame of lib/monitor's wire
 * format (lib/monitor/msg.c), which the monitor reads from any local
 * process that reaches its attach socket.  A refusal must say why; what
 * decodes must encode, and its encoding must decode and encode again to the
 * very same bytes (decoding loses nothing the encoder writes). */
#include "base/error.h"
#include "monitor/monitor.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct monitor_msg m;
  struct error *err = NULL;
  if (monitor_msg_decode (data, size, &m, &err) < 0)
    {
      if (err == NULL)
        abort (); /* a refusal always says why */
      error_free (err);
      return 0;
    }
  /* the encoder writes every integer field, also those the frame left
   * out: room for all of them */
  size_t cap = size + 64 * 16;
  uint8_t *one = malloc (cap), *two = malloc (cap);
  size_t len1 = 0, len2 = 0;
  struct monitor_msg m2;
  if (one == NULL || two == NULL)
    abort ();
  if (monitor_msg_encode (&m, one, cap, &len1, &err) < 0)
    abort ();
  if (monitor_msg_decode (one, len1, &m2, &err) < 0)
    abort ();
  if (m2.type != m.type || monitor_msg_encode (&m2, two, cap, &len2, &err) < 0)
    abort ();
  if (len1 != len2 || memcmp (one, two, len1) != 0)
    abort ();
  monitor_msg_clear (&m2);
  monitor_msg_clear (&m);
  free (one);
  free (two);
  return 0;
}
