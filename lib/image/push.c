/* push.c - store -> registry.  See transfer.h. */
#include "create.h"
#include "images.h"
#include "manifest.h"
#include "store.h"
#include "transfer.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/strv.h"
#include "registry/client.h"
#include "registry/reference.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct push_job
{
  struct push *p;
  size_t idx;
  const char *digest;
  int64_t size;
  struct error *err;
  int ret;
};

struct push
{
  struct image_store *s;
  struct registry_client *client;
  const char *mount_from;
  const struct transfer_progress *prog;
  struct push_job *jobs;
  size_t njobs, next;
  pthread_mutex_t mu;
  bool failed;
};

static void
push_state (struct push *p, struct push_job *j, int state)
{
  if (p->prog && p->prog->layer)
    p->prog->layer (p->prog->data, j->idx, p->njobs, j->digest, j->size, state);
}

static void
sent_cb (uint64_t sent, uint64_t total, void *userdata)
{
  struct push_job *j = userdata;
  (void) total;
  if (j->p->prog && j->p->prog->bytes)
    j->p->prog->bytes (j->p->prog->data, j->idx, sent);
}

static int
push_blob (struct push *p, struct push_job *j)
{
  _cleanup_close_ int fd = -1;
  int r = image_store_open_blob (p->s, j->digest, &fd, &j->err);
  if (r < 0)
    return r;
  push_state (p, j, TRANSFER_RUNNING);
  struct registry_blob_source src = { .fd = fd, .progress = sent_cb, .userdata = j };
  r = registry_push_blob (p->client, j->digest, (uint64_t) j->size, p->mount_from, &src, &j->err);
  if (r < 0)
    {
      push_state (p, j, TRANSFER_FAILED);
      return r;
    }
  push_state (p, j, r == REGISTRY_BLOB_EXISTED   ? TRANSFER_EXISTS
                    : r == REGISTRY_BLOB_MOUNTED ? TRANSFER_MOUNTED
                                                 : TRANSFER_DONE);
  return 0;
}

static void *
push_worker (void *arg)
{
  struct push *p = arg;
  for (;;)
    {
      pthread_mutex_lock (&p->mu);
      if (p->failed || p->next >= p->njobs)
        {
          pthread_mutex_unlock (&p->mu);
          return NULL;
        }
      struct push_job *j = &p->jobs[p->next++];
      pthread_mutex_unlock (&p->mu);
      j->ret = push_blob (p, j);
      if (j->ret < 0)
        {
          pthread_mutex_lock (&p->mu);
          p->failed = true;
          pthread_mutex_unlock (&p->mu);
        }
    }
}

/* A repository of the same registry the image came from (for a mount). */
static char *
mount_source (const struct image_info *img, const struct reference *dest)
{
  for (size_t i = 0; img->repo_digests && img->repo_digests[i]; i++)
    {
      struct error *e = NULL;
      _cleanup_reference_ struct reference *r = NULL;
      if (reference_parse (img->repo_digests[i], 0, &r, &e) < 0)
        {
          error_free (e);
          continue;
        }
      if (strcmp (r->domain, dest->domain) == 0 && strcmp (r->path, dest->path) != 0)
        return strdup (r->path);
    }
  for (size_t i = 0; img->names && img->names[i]; i++)
    {
      struct error *e = NULL;
      _cleanup_reference_ struct reference *r = NULL;
      if (reference_parse (img->names[i], 0, &r, &e) < 0)
        {
          error_free (e);
          continue;
        }
      if (strcmp (r->domain, dest->domain) == 0 && strcmp (r->path, dest->path) != 0)
        return strdup (r->path);
    }
  return NULL;
}

int
image_push (struct image_store *s, const char *src, const char *dest,
            const struct image_push_opts *o, char **out_digest, struct error **err)
{
  struct image_push_opts defo = { 0 };
  if (o == NULL)
    o = &defo;
  _cleanup_image_info_ struct image_info *img = NULL;
  int r = image_store_resolve (s, src, &img, err);
  if (r < 0)
    return r;
  _cleanup_reference_ struct reference *ref = NULL;
  r = reference_parse (dest ? dest : src, 0, &ref, err);
  if (r < 0)
    return r;
  if (ref->digest && !ref->tag)
    return error_set (err, EINVAL, "`%s`: push needs a tag, not a digest", dest ? dest : src);

  _cleanup_free_ char *mdata = NULL, *mt = NULL;
  size_t mlen = 0;
  _cleanup_manifest_ struct manifest *m = NULL;
  r = image_export_manifest (s, img, &mdata, &mlen, &mt, &m, err);
  if (r < 0)
    return r;

  const struct registry_options *ropts = o->registry;
  struct registry_options defr = { 0 };
  if (ropts == NULL)
    ropts = &defr;
  _cleanup_registry_client_ struct registry_client *client = NULL;
  r = registry_client_new (ref->domain, ref->path, ropts, &client, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *from = mount_source (img, ref);

  struct push p = { .s = s, .client = client, .mount_from = from, .prog = o->progress };
  pthread_mutex_init (&p.mu, NULL);
  p.njobs = m->nlayers + 1;
  p.jobs = calloc (p.njobs, sizeof *p.jobs);
  if (p.jobs == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < m->nlayers; i++)
    p.jobs[i] = (struct push_job){ .p = &p, .idx = i, .digest = m->layers[i].digest,
                                   .size = m->layers[i].size };
  /* the config last among the blobs: registries accept any order, but a
   * manifest is checked against blobs that must all be there */
  p.jobs[m->nlayers] = (struct push_job){ .p = &p, .idx = m->nlayers, .digest = m->config.digest,
                                          .size = m->config.size };
  int par = o->parallel > 0 ? o->parallel : 3;
  pthread_t th[16];
  int started = 0;
  for (int i = 0; i < par && i < 16 && (size_t) i < p.njobs; i++)
    if (pthread_create (&th[i], NULL, push_worker, &p) == 0)
      started++;
  if (started == 0)
    push_worker (&p);
  for (int i = 0; i < started; i++)
    pthread_join (th[i], NULL);
  r = 0;
  for (size_t i = 0; i < p.njobs; i++)
    if (p.jobs[i].ret < 0 && r == 0)
      {
        *err = TAKE_PTR (p.jobs[i].err);
        r = -((*err) ? (*err)->code : EIO);
      }
  for (size_t i = 0; i < p.njobs; i++)
    error_free (p.jobs[i].err);
  free (p.jobs);
  pthread_mutex_destroy (&p.mu);
  if (r < 0)
    return r;
  char *digest = NULL;
  r = registry_put_manifest (client, ref->tag ? ref->tag : (ref->digest ? ref->digest : "latest"),
                             m->media_type, mdata, mlen, &digest, err);
  if (r < 0)
    return r;
  if (out_digest)
    *out_digest = digest;
  else
    free (digest);
  return 0;
}
