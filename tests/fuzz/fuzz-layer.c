/* fuzz-layer: arbitrary bytes as a (possibly compressed) layer tar, unpacked
 * into a fresh temporary directory, which is then removed.  Whatever the
 * bytes, nothing may be created outside that directory. */
#include "base/error.h"
#include "base/fs.h"
#include "image/stream.h"
#include "image/unpack.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char dir[] = "/tmp/hull-fuzz-layer-XXXXXX";
  if (mkdtemp (dir) == NULL)
    return 0;
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0)
    {
      struct unpack_limits lim = { .max_entries = 10000, .max_bytes = 64 << 20, .max_path = 4095 };
      struct stream *in = stream_decompress_new (stream_mem_new (data, size), COMPRESSION_AUTO);
      struct error *err = NULL;
      if (in)
        layer_unpack (fd, in, &lim, NULL, &err);
      stream_free (in);
      error_free (err);
      close (fd);
    }
  struct error *err = NULL;
  fs_rm_rf_at (AT_FDCWD, dir, &err);
  error_free (err);
  return 0;
}
