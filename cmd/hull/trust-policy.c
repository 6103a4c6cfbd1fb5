/* trust-policy.c - the signature policy on pull, run, create and load: load
 * policy.json (--signature-policy FILE, else /etc/containers/policy.json
 * when it exists) and have every pull call trust_policy_check with the
 * digest it resolved, before anything else is fetched, and every load
 * call trust_policy_check_archive for each image before any is stored. */
#include "hull.h"
#include "trust-cmd.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/saveload.h"
#include "image/transfer.h"
#include "trust/trust.h"
#ifdef HULL_HAVE_ENGINE_TRUST
#include "engine/engine.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One policy per process: a command runs once and exits. */
static struct trust_policy *policy;

static int
check (void *data, const struct reference *ref, const char *digest, struct registry_client *c,
       struct error **err)
{
  _cleanup_free_ char *summary = NULL;
  int r = trust_policy_check (data, ref, digest, c, &summary, err);
  if (r == 0 && summary && strstr (summary, " signature by "))
    fprintf (stderr, "Signature verified: %s\n", summary);
  return r;
}

static int
load (const char *path, struct error **err)
{
  if (policy)
    return 1;
  /* No file at the default place: no policy (docker's behaviour); a file
   * named with --signature-policy must be there. */
  if (path == NULL && access (TRUST_DEFAULT_POLICY, F_OK) != 0)
    return 0;
  int r = trust_policy_load (path, &policy, err);
  return r < 0 ? r : 1;
}

int
hull_trust_pull_opts (const char *policy_path, struct image_pull_opts *o, struct error **err)
{
  int r = load (policy_path, err);
  if (r <= 0)
    return r;
  o->check = check;
  o->check_data = policy;
  return 0;
}

/* load: the archive's path (NULL: stdin), for oci-archive scopes */
static const char *load_path;

static int
check_load (void *data, const struct image_load_candidate *c, struct error **err)
{
  struct trust_archive_sigs sigs = {
    .manifests = c->sig_manifests,
    .lens = c->sig_lens,
    .names = c->sig_names,
    .n = c->nsigs,
    .total = c->nsigs_total,
    .blob = c->read_blob,
    .blob_data = c->read_ctx,
  };
  struct trust_archive_image img = {
    .transport = c->format == IMAGE_ARCHIVE_OCI ? TRUST_OCI_ARCHIVE : TRUST_DOCKER_ARCHIVE,
    .path = load_path,
    .name = c->name,
    .digest = c->digest,
    .sigs = &sigs,
  };
  _cleanup_free_ char *summary = NULL;
  int r = trust_policy_check_archive (data, &img, &summary, err);
  if (r == 0 && summary && strstr (summary, " signature by "))
    fprintf (stderr, "Signature verified: %s\n", summary);
  return r;
}

int
hull_trust_load_opts (const char *policy_path, const char *archive, struct image_load_opts *o,
                      struct error **err)
{
  int r = load (policy_path, err);
  if (r <= 0)
    return r;
  load_path = archive;
  o->check = check_load;
  o->check_data = policy;
  return 0;
}

#ifdef HULL_HAVE_ENGINE_TRUST
int
hull_trust_engine (struct engine *e, const char *policy_path, struct error **err)
{
  int r = load (policy_path, err);
  if (r <= 0)
    return r;
  engine_set_pull_check (e, check, policy);
  return 0;
}
#endif
