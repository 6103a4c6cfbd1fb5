/* pull.c - registry -> store.  See transfer.h. */
#include "create.h"
#include "images.h"
#include "manifest.h"
#include "store.h"
#include "stream.h"
#include "transfer.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/strv.h"
#include "registry/client.h"
#include "registry/reference.h"
#include "registry/registries.h"

#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIPE_BYTES (8u << 20)

struct job
{
  struct pull *p;
  size_t idx;
  const struct descriptor *desc;
  const char *diff_id;
  struct layer_ingest li;
  struct error *err;
  int ret;
};

struct pull
{
  struct image_store *s;
  struct registry_client *client;
  const struct transfer_progress *prog;
  struct job *jobs;
  size_t *order; /* biggest layer first: a pull lasts as long as its longest layer */
  size_t njobs, next, count;
  pthread_mutex_t mu;
  bool failed;
};

struct producer
{
  struct pull *p;
  struct job *j;
  struct bytepipe *pipe;
};

static int
pipe_write_cb (const void *buf, size_t len, uint64_t offset, void *userdata)
{
  (void) offset;
  return bytepipe_write (userdata, buf, len);
}

static void *
producer_main (void *arg)
{
  struct producer *pr = arg;
  struct registry_blob_request req = {
    .digest = pr->j->desc->digest,
    .size = pr->j->desc->size,
  };
  struct error *err = NULL;
  int r = registry_get_blob (pr->p->client, &req, pipe_write_cb, pr->pipe, &err);
  bytepipe_close (pr->pipe, r < 0 ? r : 0, err ? err->msg : NULL);
  error_free (err);
  return NULL;
}

static void
bytes_cb (uint64_t done, void *data)
{
  struct job *j = data;
  if (j->p->prog && j->p->prog->bytes)
    j->p->prog->bytes (j->p->prog->data, j->idx, done);
}

static void
set_state (struct pull *p, struct job *j, int state)
{
  if (p->prog && p->prog->layer)
    p->prog->layer (p->prog->data, j->idx, p->count, j->desc->digest, j->desc->size, state);
}

static int
run_job (struct pull *p, struct job *j)
{
  if (image_store_has_layer (p->s, j->diff_id))
    {
      /* fill the outputs from the store */
      struct layer_ingest *li = &j->li;
      li->out_diff_id = strdup (j->diff_id);
      char *blob = NULL, *mt = NULL;
      uint64_t bs = 0, size = 0;
      if (image_store_layer_info (p->s, j->diff_id, &size, &blob, &bs, &mt, &j->err) < 0)
        return -1;
      li->out_blob_digest = blob;
      li->out_blob_size = bs;
      li->out_media_type = mt;
      li->out_size = size;
      li->out_existed = true;
      set_state (p, j, TRANSFER_EXISTS);
      return 0;
    }
  set_state (p, j, TRANSFER_RUNNING);
  struct bytepipe *bp = bytepipe_new (PIPE_BYTES);
  if (bp == NULL)
    return error_set (&j->err, ENOMEM, "out of memory");
  struct stream *in = bytepipe_stream (bp);
  if (in == NULL)
    {
      bytepipe_unref (bp);
      return error_set (&j->err, ENOMEM, "out of memory");
    }
  struct producer pr = { p, j, bp };
  pthread_t th;
  if (pthread_create (&th, NULL, producer_main, &pr) != 0)
    {
      stream_free (in);
      bytepipe_unref (bp);
      return error_set (&j->err, EAGAIN, "cannot start a download thread");
    }
  char what[128];
  snprintf (what, sizeof what, "layer %s", j->desc->digest);
  j->li.what = what;
  j->li.blob_digest = j->desc->digest;
  j->li.blob_size = j->desc->size;
  j->li.diff_id = j->diff_id;
  j->li.source_verifies = true; /* registry_get_blob fails on a mismatch */
  j->li.progress = bytes_cb;
  j->li.progress_data = j;
  /* ingest frees `in`, which aborts the producer if we stop early */
  int r = image_store_ingest_layer (p->s, in, &j->li, &j->err);
  pthread_join (th, NULL);
  bytepipe_unref (bp);
  j->li.what = NULL;
  set_state (p, j, r < 0 ? TRANSFER_FAILED : j->li.out_existed ? TRANSFER_EXISTS : TRANSFER_DONE);
  return r;
}

static void *
worker_main (void *arg)
{
  struct pull *p = arg;
  for (;;)
    {
      pthread_mutex_lock (&p->mu);
      if (p->failed || p->next >= p->njobs)
        {
          pthread_mutex_unlock (&p->mu);
          return NULL;
        }
      struct job *j = &p->jobs[p->order[p->next++]];
      pthread_mutex_unlock (&p->mu);
      j->ret = run_job (p, j);
      if (j->ret < 0)
        {
          pthread_mutex_lock (&p->mu);
          p->failed = true; /* the others finish their layer, no new ones start */
          pthread_mutex_unlock (&p->mu);
        }
    }
}

static void
say (const struct transfer_progress *prog, const char *fmt, ...)
{
  if (prog == NULL || prog->message == NULL)
    return;
  char buf[512];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  prog->message (prog->data, buf);
}

/* Fetch the manifest of ref (an index: the platform's), its config. */
static int
fetch_manifest (struct registry_client *client, struct registry_manifest *top,
                const struct image_pull_opts *o, struct registry_manifest **img_mf,
                struct manifest **parsed, struct error **err)
{
  _cleanup_manifest_ struct manifest *m = NULL;
  int r = manifest_parse (top->data, top->len, top->media_type, &m, err);
  if (r < 0)
    return r;
  if (m->kind == MANIFEST_IMAGE)
    {
      *parsed = TAKE_PTR (m);
      *img_mf = NULL;
      return 0;
    }
  const struct descriptor *d = NULL;
  r = manifest_select_platform (m, o->platform, &d, err);
  if (r < 0)
    return r;
  if (d->size > MANIFEST_MAX_SIZE)
    return error_set (err, EFBIG, "manifest `%s` larger than %u bytes", d->digest,
                      MANIFEST_MAX_SIZE);
  struct registry_manifest *sub = NULL;
  r = registry_get_manifest (client, d->digest, &sub, err);
  if (r < 0)
    return r;
  /* fetched by digest: the client verified it; check again, it is cheap */
  _cleanup_free_ char *got = digest_buffer (d->digest, sub->data, sub->len);
  if (got == NULL || strcmp (got, d->digest) != 0)
    {
      registry_manifest_free (sub);
      return error_set (err, EBADMSG, "manifest `%s`: digest mismatch", d->digest);
    }
  _cleanup_manifest_ struct manifest *m2 = NULL;
  r = manifest_parse (sub->data, sub->len, d->media_type, &m2, err);
  if (r < 0)
    {
      registry_manifest_free (sub);
      return error_prefix (err, "`%s`", d->digest);
    }
  if (m2->kind != MANIFEST_IMAGE)
    {
      registry_manifest_free (sub);
      return error_set (err, ENOTSUP, "manifest `%s`: nested indexes are not supported",
                        d->digest);
    }
  *parsed = TAKE_PTR (m2);
  *img_mf = sub;
  return 0;
}

static int
pull_one (struct image_store *s, const struct reference *ref, const struct image_pull_opts *o,
          char **out_id, char **out_name, struct error **err)
{
  const struct registry_options *ropts = o->registry;
  struct registry_options defopts = { 0 };
  if (ropts == NULL)
    ropts = &defopts;
  _cleanup_registry_client_ struct registry_client *client = NULL;
  _cleanup_registry_manifest_ struct registry_manifest *top = NULL;
  int r = registry_open_manifest (ref, ropts, &client, &top, err);
  if (r < 0)
    return r;
  /* the policy check binds to these bytes: nothing is fetched before it */
  if (o->check && (r = o->check (o->check_data, ref, top->digest, client, err)) < 0)
    return r;
  _cleanup_registry_manifest_ struct registry_manifest *sub = NULL;
  _cleanup_manifest_ struct manifest *m = NULL;
  _cleanup_free_ char *full = reference_string (ref);
  r = fetch_manifest (client, top, o, &sub, &m, err);
  if (r < 0)
    return error_prefix (err, "`%s`", full ? full : "?");
  const struct registry_manifest *mf = sub ? sub : top;

  /* config */
  _cleanup_free_ char *cfg = NULL;
  size_t cfglen = 0;
  if (image_store_has_blob (s, m->config.digest))
    r = image_store_read_blob (s, m->config.digest, CONFIG_MAX_SIZE, &cfg, &cfglen, err);
  else
    {
      /* kept in memory: stored with the image record, so that a failed
       * pull leaves no config behind */
      r = registry_get_blob_mem (client, m->config.digest, m->config.size, CONFIG_MAX_SIZE, &cfg,
                                 &cfglen, err);
      if (r >= 0)
        {
          _cleanup_free_ char *got = digest_buffer (m->config.digest, cfg, cfglen);
          if (got == NULL || strcmp (got, m->config.digest) != 0)
            r = error_set (err, EBADMSG, "config `%s`: digest mismatch", m->config.digest);
        }
    }
  if (r < 0)
    return error_prefix (err, "config of `%s`", full ? full : "?");
  _cleanup_image_config_ struct image_config *ic = NULL;
  r = image_config_parse (cfg, cfglen, &ic, err);
  if (r < 0)
    return error_prefix (err, "`%s`", full ? full : "?");
  size_t n = strv_len (ic->diff_ids);
  if (n != m->nlayers)
    return error_set (err, EBADMSG, "`%s`: the manifest has %zu layers, the config %zu",
                      full ? full : "?", m->nlayers, n);

  /* layers */
  struct pull p = { .s = s, .client = client, .prog = o->progress, .count = n };
  pthread_mutex_init (&p.mu, NULL);
  p.jobs = calloc (n ? n : 1, sizeof *p.jobs);
  if (p.jobs == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      p.jobs[i] = (struct job){ .p = &p, .idx = i, .desc = &m->layers[i],
                                .diff_id = ic->diff_ids[i] };
      set_state (&p, &p.jobs[i], TRANSFER_WAITING);
    }
  p.order = calloc (n ? n : 1, sizeof *p.order);
  if (p.order == NULL)
    {
      free (p.jobs);
      return error_set (err, ENOMEM, "out of memory");
    }
  for (size_t i = 0; i < n; i++)
    {
      size_t k = i;
      while (k > 0 && m->layers[p.order[k - 1]].size < m->layers[i].size)
        {
          p.order[k] = p.order[k - 1];
          k--;
        }
      p.order[k] = i;
    }
  p.njobs = n;
  int par = o->parallel > 0 ? o->parallel : 3;
  if ((size_t) par > n)
    par = (int) n;
  pthread_t th[16];
  if (par > 16)
    par = 16;
  int started = 0;
  for (int i = 0; i < par; i++)
    if (pthread_create (&th[i], NULL, worker_main, &p) == 0)
      started++;
  if (started == 0 && n > 0)
    worker_main (&p);
  for (int i = 0; i < started; i++)
    pthread_join (th[i], NULL);
  r = 0;
  for (size_t i = 0; i < n; i++)
    if (p.jobs[i].ret < 0 && r == 0)
      {
        *err = TAKE_PTR (p.jobs[i].err);
        r = -((*err) ? (*err)->code : EIO);
      }
  for (size_t i = 0; r == 0 && i < n; i++)
    if (p.jobs[i].li.out_diff_id == NULL)
      r = error_set (err, EIO, "layer %zu was not fetched", i);
  if (r == 0)
    {
      _cleanup_free_ char *name = NULL, *rd = NULL;
      _cleanup_free_ char *repo = reference_name (ref);
      if (ref->tag && !ref->digest)
        name = reference_string (ref);
      if (repo && asprintf (&rd, "%s@%s", repo, top->digest) < 0)
        rd = NULL;
      struct image_record_opts ro = {
        .config = cfg,
        .config_len = cfglen,
        .manifest = mf->data,
        .manifest_len = mf->len,
        .manifest_media_type = m->media_type,
        .layers = NULL,
        .nlayers = n,
        .name = name,
        .repo_digest = rd,
      };
      struct layer_ingest *lis = calloc (n ? n : 1, sizeof *lis);
      if (lis == NULL)
        r = error_set (err, ENOMEM, "out of memory");
      else
        {
          for (size_t i = 0; i < n; i++)
            lis[i] = p.jobs[i].li;
          ro.layers = lis;
          r = image_record (s, &ro, out_id, err);
          free (lis);
        }
      if (r == 0 && out_name)
        *out_name = reference_string (ref);
    }
  for (size_t i = 0; i < n; i++)
    {
      layer_ingest_clear (&p.jobs[i].li);
      error_free (p.jobs[i].err);
    }
  free (p.jobs);
  free (p.order);
  pthread_mutex_destroy (&p.mu);
  return r;
}

int
image_pull (struct image_store *s, const char *refstr, const struct image_pull_opts *o,
            char **out_id, char **out_name, struct error **err)
{
  struct image_pull_opts defo = { 0 };
  if (o == NULL)
    o = &defo;
  const struct registries_conf *conf = o->registry ? o->registry->conf : NULL;
  struct reference **cands = NULL;
  int r = reference_resolve (refstr, conf, 0, &cands, err);
  if (r < 0)
    return r;
  struct error *first = NULL;
  r = -ENOENT;
  for (size_t i = 0; cands[i]; i++)
    {
      struct error *e = NULL;
      _cleanup_free_ char *full = reference_string (cands[i]);
      say (o->progress, "Trying to pull %s...", full ? full : refstr);
      r = pull_one (s, cands[i], o, out_id, out_name, &e);
      if (r == 0)
        break;
      /* only "not found" moves on to the next search registry */
      if (first == NULL)
        first = e;
      else
        error_free (e);
      if (r != -ENOENT && r != -EACCES)
        break;
    }
  reference_list_free (cands);
  if (r < 0)
    {
      /* layers of a failed pull that no image uses go now (unless another
       * process is busy in the store: then a later rmi/prune does it) */
      struct error *e2 = NULL;
      image_store_gc (s, NULL, &e2);
      error_free (e2);
      *err = first;
      return r;
    }
  error_free (first);
  return 0;
}
