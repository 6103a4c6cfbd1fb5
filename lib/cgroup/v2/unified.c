/* v2/unified.c - linux.resources.unified: raw cgroup v2 "file": "value"
 * pairs, written last (they win over the converted values).
 *
 * The keys come from an untrusted config and name files in the cgroup
 * directory: a key must be a plain file name ("memory.high"), never a path,
 * and never one of the interface files that move or kill processes or
 * change the tree (those belong to the runtime).
 */
#include "../internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "oci/config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const reserved[] = {
  "cgroup.procs", "cgroup.threads", "cgroup.kill", "cgroup.freeze",
  "cgroup.subtree_control", "cgroup.type", "cgroup.events",
  "cgroup.controllers",
};

int
cg_unified_key_check (const char *key, struct error **err)
{
  if (*key == '\0' || strchr (key, '/') || strstr (key, "..")
      || key[0] == '.' || strchr (key, '.') == NULL || strlen (key) > 128)
    return error_set (err, EINVAL,
                      "`linux.resources.unified`: invalid key `%s` (must be a "
                      "cgroup file name like `memory.high`)",
                      key);
  for (size_t i = 0; i < ARRAY_SIZE (reserved); i++)
    if (strcmp (key, reserved[i]) == 0)
      return error_set (err, EPERM,
                        "`linux.resources.unified.%s`: this file is managed "
                        "by the runtime", key);
  return 0;
}

static int
apply (const struct cg_wctx *c, struct error **err)
{
  for (size_t i = 0; i < c->r->n_unified; i++)
    {
      const struct oci_key_value *kv = &c->r->unified[i];
      int r = cg_unified_key_check (kv->key, err);
      if (r < 0)
        return r;
      char key[192];
      snprintf (key, sizeof key, "linux.resources.unified.%s", kv->key);
      if (!cg_file_exists (c->dirfd, kv->key))
        {
          /* say whether the controller or the file is what is missing */
          char ctrl[64];
          snprintf (ctrl, sizeof ctrl, "%.*s", (int) (strchr (kv->key, '.') - kv->key),
                    kv->key);
          int ci = cg_ctrl_from_name (ctrl);
          if (strcmp (ctrl, "cgroup") != 0
              && (ci < 0 || !(cg_v2_ctrls (c->cg) & (1u << ci))))
            return error_set (err, ENOTSUP,
                              "`%s`: controller `%s` is not available in "
                              "cgroup `%s`%s", key, ctrl, c->cg->path,
                              c->cg->mode == CGROUP_MODE_HYBRID
                                  ? " (hybrid host: controllers are on v1)"
                                  : "");
          return error_set (err, ENOENT, "`%s`: no such cgroup file", key);
        }
      r = cg_write (c->dirfd, kv->key, kv->value, key, err);
      if (r < 0)
        return r;
    }
  return 0;
}

const struct cg_writer cg_v2_unified = {
  .what = "unified",
  .ctrl = -1,
  .requested = cg_req_unified,
  .apply = apply,
};
