/* fuzz-manifest: manifests, indexes and image configs from untrusted bytes. */
#include "base/error.h"
#include "image/manifest.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const hints[] = { NULL, MT_OCI_MANIFEST, MT_OCI_INDEX, MT_DOCKER_MANIFEST,
                                       MT_DOCKER_LIST };
  for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
    {
      struct error *err = NULL;
      struct manifest *m = NULL;
      if (manifest_parse ((const char *) data, size, hints[i], &m, &err) == 0)
        {
          if (m->kind == MANIFEST_INDEX)
            {
              struct platform p = { 0 };
              const struct descriptor *d = NULL;
              struct error *e2 = NULL;
              if (platform_parse ("linux/arm64/v8", &p, &e2) == 0)
                manifest_select_platform (m, &p, &d, &e2);
              error_free (e2);
              e2 = NULL;
              manifest_select_platform (m, NULL, &d, &e2);
              error_free (e2);
              platform_clear (&p);
            }
          manifest_free (m);
        }
      error_free (err);
    }
  struct error *err = NULL;
  struct image_config *c = NULL;
  if (image_config_parse ((const char *) data, size, &c, &err) == 0)
    image_config_free (c);
  error_free (err);
  return 0;
}
