#include "saveload.h"

#include "create.h"
#include "images.h"
#include "manifest.h"
#include "store.h"
#include "stream.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "registry/reference.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JSON_FILE_MAX (8u << 20)
#define LOAD_MAX_ENTRIES 100000
/* signature manifests handed to the load check (lib/trust looks at 64 at
 * most, and at none larger than 256 KiB) */
#define SIG_MANIFESTS_KEPT 65
#define SIG_MANIFEST_KEPT_MAX (256u << 10)

/* ------------------------------------------------------------------ save */

struct saver
{
  struct image_store *s;
  struct archive *a;
  char **written; /* entry names already in the archive */
  char *buf;
};

static int
add_header (struct saver *w, const char *name, int64_t size, struct error **err)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, size);
  archive_entry_set_mtime (e, 0, 0);
  int r = archive_write_header (w->a, e);
  archive_entry_free (e);
  if (r != ARCHIVE_OK)
    return error_set (err, EIO, "write archive: %s", archive_error_string (w->a));
  return 0;
}

static int
add_mem (struct saver *w, const char *name, const void *data, size_t len, struct error **err)
{
  int r = add_header (w, name, (int64_t) len, err);
  if (r < 0)
    return r;
  if (len && archive_write_data (w->a, data, len) < 0)
    return error_set (err, EIO, "write archive: %s", archive_error_string (w->a));
  return strv_push (&w->written, name);
}

static int
add_stream (struct saver *w, struct stream *in, struct error **err)
{
  const void *buf;
  ssize_t n;
  while ((n = stream_next (in, &buf, err)) > 0)
    if (archive_write_data (w->a, buf, (size_t) n) < 0)
      return error_set (err, EIO, "write archive: %s", archive_error_string (w->a));
  return n < 0 ? (int) n : 0;
}

/* A blob as it is in the store. */
static int
add_blob (struct saver *w, const char *name, const char *digest, struct error **err)
{
  if (strv_contains (w->written, name))
    return 0;
  _cleanup_close_ int fd = -1;
  int r = image_store_open_blob (w->s, digest, &fd, err);
  if (r < 0)
    return r;
  off_t size = lseek (fd, 0, SEEK_END);
  lseek (fd, 0, SEEK_SET);
  r = add_header (w, name, size, err);
  if (r < 0)
    return r;
  _cleanup_stream_ struct stream *in = stream_fd_new (TAKE_FD (fd), true);
  if (in == NULL)
    return error_set (err, ENOMEM, "out of memory");
  r = add_stream (w, in, err);
  if (r < 0)
    return r;
  return strv_push (&w->written, name);
}

/* A layer blob decompressed (docker-archive): one pass to learn the size
 * the tar header needs, one to write. */
static int
add_layer_plain (struct saver *w, const char *name, const char *digest, struct error **err)
{
  if (strv_contains (w->written, name))
    return 0;
  uint64_t size = 0;
  for (int pass = 0; pass < 2; pass++)
    {
      int fd = -1;
      int r = image_store_open_blob (w->s, digest, &fd, err);
      if (r < 0)
        return r;
      _cleanup_stream_ struct stream *in
          = stream_decompress_new (stream_fd_new (fd, true), COMPRESSION_AUTO);
      if (in == NULL)
        return error_set (err, ENOMEM, "out of memory");
      if (pass == 0)
        {
          const void *b;
          ssize_t n;
          while ((n = stream_next (in, &b, err)) > 0)
            size += (uint64_t) n;
          if (n < 0)
            return error_prefix (err, "blob `%s`", digest);
          r = add_header (w, name, (int64_t) size, err);
          if (r < 0)
            return r;
        }
      else
        {
          r = add_stream (w, in, err);
          if (r < 0)
            return error_prefix (err, "blob `%s`", digest);
        }
    }
  return strv_push (&w->written, name);
}

static const char *
pick_name (struct image_info *img, const char *ref)
{
  _cleanup_reference_ struct reference *r = NULL;
  struct error *e = NULL;
  if (reference_parse (ref, 0, &r, &e) == 0 && !r->digest)
    {
      _cleanup_free_ char *full = reference_string (r);
      for (size_t i = 0; full && img->names && img->names[i]; i++)
        if (strcmp (img->names[i], full) == 0)
          return img->names[i];
    }
  error_free (e);
  return img->names ? img->names[0] : NULL;
}

int
image_save (struct image_store *s, char *const *refs, enum image_archive_format fmt, int outfd,
            struct error **err)
{
  struct saver w = { .s = s };
  int r = 0;
  json_object *index = NULL, *dmanifest = NULL;
  w.a = archive_write_new ();
  if (w.a == NULL)
    return error_set (err, ENOMEM, "out of memory");
  archive_write_set_format_pax_restricted (w.a);
  archive_write_set_bytes_in_last_block (w.a, 1);
  if (archive_write_open_fd (w.a, outfd) != ARCHIVE_OK)
    {
      r = error_set (err, EIO, "write archive: %s", archive_error_string (w.a));
      goto out;
    }
  if (fmt == IMAGE_ARCHIVE_OCI)
    {
      const char *layout = "{\"imageLayoutVersion\":\"1.0.0\"}";
      r = add_mem (&w, "oci-layout", layout, strlen (layout), err);
      if (r < 0)
        goto out;
      index = json_object_new_object ();
      json_object_object_add (index, "schemaVersion", json_object_new_int (2));
      json_object_object_add (index, "manifests", json_object_new_array ());
    }
  else
    dmanifest = json_object_new_array ();

  for (size_t i = 0; refs[i]; i++)
    {
      _cleanup_image_info_ struct image_info *img = NULL;
      r = image_store_resolve (s, refs[i], &img, err);
      if (r < 0)
        goto out;
      _cleanup_free_ char *mdata = NULL, *mt = NULL;
      size_t mlen = 0;
      _cleanup_manifest_ struct manifest *m = NULL;
      r = image_export_manifest (s, img, &mdata, &mlen, &mt, &m, err);
      if (r < 0)
        goto out;
      _cleanup_free_ char *mdigest = digest_buffer ("sha256", mdata, mlen);
      if (mdigest == NULL)
        {
          r = error_set (err, ENOMEM, "out of memory");
          goto out;
        }
      const char *name = pick_name (img, refs[i]);
      if (fmt == IMAGE_ARCHIVE_OCI)
        {
          char path[128];
          for (size_t k = 0; k < m->nlayers; k++)
            {
              snprintf (path, sizeof path, "blobs/sha256/%s", digest_hex (m->layers[k].digest));
              r = add_blob (&w, path, m->layers[k].digest, err);
              if (r < 0)
                goto out;
            }
          snprintf (path, sizeof path, "blobs/sha256/%s", digest_hex (m->config.digest));
          r = add_blob (&w, path, m->config.digest, err);
          if (r < 0)
            goto out;
          snprintf (path, sizeof path, "blobs/sha256/%s", digest_hex (mdigest));
          if (!strv_contains (w.written, path))
            {
              r = add_mem (&w, path, mdata, mlen, err);
              if (r < 0)
                goto out;
            }
          json_object *d = json_object_new_object ();
          json_object_object_add (d, "mediaType", json_object_new_string (m->media_type));
          json_object_object_add (d, "digest", json_object_new_string (mdigest));
          json_object_object_add (d, "size", json_object_new_int64 ((int64_t) mlen));
          if (name)
            {
              json_object *ann = json_object_new_object ();
              json_object_object_add (ann, "org.opencontainers.image.ref.name",
                                      json_object_new_string (name));
              json_object_object_add (d, "annotations", ann);
            }
          json_object *arr;
          json_object_object_get_ex (index, "manifests", &arr);
          json_object_array_add (arr, d);
        }
      else
        {
          if (strv_len (img->diff_ids) != m->nlayers)
            {
              r = error_set (err, EBADMSG, "image `%s`: layers do not match", img->id);
              goto out;
            }
          char path[128];
          json_object *entry = json_object_new_object ();
          snprintf (path, sizeof path, "%s.json", digest_hex (img->id));
          json_object_object_add (entry, "Config", json_object_new_string (path));
          r = add_blob (&w, path, img->id, err);
          if (r < 0)
            {
              json_object_put (entry);
              goto out;
            }
          json_object *tags = json_object_new_array ();
          if (name)
            {
              _cleanup_reference_ struct reference *rr = NULL;
              struct error *e = NULL;
              _cleanup_free_ char *fam = NULL;
              if (reference_parse (name, 0, &rr, &e) == 0)
                fam = reference_familiar (rr);
              error_free (e);
              json_object_array_add (tags, json_object_new_string (fam ? fam : name));
            }
          json_object_object_add (entry, "RepoTags", tags);
          json_object *layers = json_object_new_array ();
          json_object_object_add (entry, "Layers", layers);
          json_object_array_add (dmanifest, entry);
          for (size_t k = 0; k < m->nlayers; k++)
            {
              snprintf (path, sizeof path, "%s.tar", digest_hex (img->diff_ids[k]));
              json_object_array_add (layers, json_object_new_string (path));
              r = add_layer_plain (&w, path, m->layers[k].digest, err);
              if (r < 0)
                goto out;
            }
        }
    }
  {
    const char *text = jsonx_compact (fmt == IMAGE_ARCHIVE_OCI ? index : dmanifest);
    r = add_mem (&w, fmt == IMAGE_ARCHIVE_OCI ? "index.json" : "manifest.json", text,
                 strlen (text), err);
    if (r < 0)
      goto out;
  }
  if (archive_write_close (w.a) != ARCHIVE_OK)
    r = error_set (err, EIO, "write archive: %s", archive_error_string (w.a));
out:
  if (index)
    json_object_put (index);
  if (dmanifest)
    json_object_put (dmanifest);
  archive_write_free (w.a);
  strv_free (w.written);
  return r;
}

/* ------------------------------------------------------------------ load */

struct loader
{
  struct image_store *s;
  char *dir; /* staging directory */
  int dirfd;
  char **files;   /* entry names staged (as written in the archive, cleaned) */
  char **links;   /* "name\0target" pairs flattened as "name=>target" */
  char **loaded;
  const struct image_load_opts *o;
};

/* An archive entry name we accept: 1..3 components of [A-Za-z0-9._-], no
 * "." or "..".  Returns the cleaned name (malloc'd) or NULL. */
static char *
clean_entry (const char *raw)
{
  while (raw[0] == '.' && raw[1] == '/')
    raw += 2;
  if (raw[0] == '\0' || raw[0] == '/' || strlen (raw) > 200)
    return NULL;
  int comps = 1;
  for (const char *p = raw; *p; p++)
    {
      if (*p == '/')
        {
          comps++;
          continue;
        }
      if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
            || *p == '.' || *p == '_' || *p == '-'))
        return NULL;
    }
  if (comps > 3)
    return NULL;
  char *c = strdup (raw);
  size_t n = c ? strlen (c) : 0;
  if (n && c[n - 1] == '/')
    c[n - 1] = '\0';
  /* no empty, "." or ".." components */
  for (char *p = c; p && *p;)
    {
      char *e = strchrnul (p, '/');
      size_t l = (size_t) (e - p);
      if (l == 0 || (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
        {
          free (c);
          return NULL;
        }
      p = *e ? e + 1 : e;
    }
  return c;
}

/* staged file name: '/' -> '%' (every name was checked by clean_entry) */
static void
flat (const char *name, char *buf, size_t cap)
{
  snprintf (buf, cap, "%s", name);
  for (char *p = buf; *p; p++)
    if (*p == '/')
      *p = '%';
}

/* Follow symlink entries (docker legacy layout: x/layer.tar -> ../y.tar),
 * lexically, among the archive's own names. */
static const char *
resolve_name (struct loader *L, const char *name, char *buf, size_t cap)
{
  snprintf (buf, cap, "%s", name);
  for (int hops = 0; hops < 8; hops++)
    {
      if (strv_contains (L->files, buf))
        return buf;
      bool found = false;
      size_t bl = strlen (buf);
      for (size_t i = 0; L->links && L->links[i]; i++)
        if (strncmp (L->links[i], buf, bl) == 0 && strncmp (L->links[i] + bl, "=>", 2) == 0)
          {
            const char *target = L->links[i] + bl + 2;
            char dir[256];
            snprintf (dir, sizeof dir, "%s", buf);
            char *slash = strrchr (dir, '/');
            char joined[512];
            if (target[0] == '/')
              snprintf (joined, sizeof joined, "%s", target + 1);
            else if (slash)
              {
                *slash = '\0';
                snprintf (joined, sizeof joined, "%s/%s", dir, target);
              }
            else
              snprintf (joined, sizeof joined, "%s", target);
            _cleanup_free_ char *clean = fs_path_clean (joined);
            if (clean == NULL || strncmp (clean, "../", 3) == 0 || strcmp (clean, "..") == 0)
              return NULL;
            snprintf (buf, cap, "%s", clean[0] == '/' ? clean + 1 : clean);
            found = true;
            break;
          }
      if (!found)
        return NULL;
    }
  return NULL;
}

static int
open_staged (struct loader *L, const char *name, int *fd, struct error **err)
{
  char rb[256], fb[256];
  const char *real = resolve_name (L, name, rb, sizeof rb);
  if (real == NULL)
    return error_set (err, ENOENT, "archive has no file `%s`", name);
  flat (real, fb, sizeof fb);
  int f = openat (L->dirfd, fb, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (f < 0)
    return error_errno (err, errno, "archive file `%s`", name);
  *fd = f;
  return 0;
}

static int
read_staged (struct loader *L, const char *name, char **data, size_t *len, struct error **err)
{
  _cleanup_close_ int fd = -1;
  int r = open_staged (L, name, &fd, err);
  if (r < 0)
    return r;
  r = fs_read_fd (fd, JSON_FILE_MAX, data, len, err);
  return r < 0 ? error_prefix (err, "archive file `%s`", name) : 0;
}

static int
stage_archive (struct loader *L, int infd, struct error **err)
{
  struct archive *a = archive_read_new ();
  if (a == NULL)
    return error_set (err, ENOMEM, "out of memory");
  archive_read_support_format_tar (a);
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_filter_xz (a);
  int r = 0;
  if (archive_read_open_fd (a, infd, 1 << 20) != ARCHIVE_OK)
    {
      r = error_set (err, EBADMSG, "not a tar archive: %s", archive_error_string (a));
      goto out;
    }
  size_t count = 0;
  char *buf = malloc (1 << 20);
  if (buf == NULL)
    {
      r = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  for (;;)
    {
      struct archive_entry *e;
      int h = archive_read_next_header (a, &e);
      if (h == ARCHIVE_EOF)
        break;
      if (h < ARCHIVE_WARN)
        {
          r = error_set (err, EBADMSG, "corrupt archive: %s", archive_error_string (a));
          break;
        }
      if (++count > LOAD_MAX_ENTRIES)
        {
          r = error_set (err, E2BIG, "archive has more than %d entries", LOAD_MAX_ENTRIES);
          break;
        }
      const char *raw = archive_entry_pathname (e);
      mode_t type = archive_entry_filetype (e);
      if (raw == NULL)
        continue;
      _cleanup_free_ char *name = clean_entry (raw);
      if (type == AE_IFDIR)
        continue;
      if (name == NULL)
        {
          r = error_set (err, EINVAL, "archive entry `%.200s`: unexpected name", raw);
          break;
        }
      const char *hl = archive_entry_hardlink (e);
      if (type == AE_IFLNK || hl)
        {
          const char *t = hl ? hl : archive_entry_symlink (e);
          char *pair = NULL;
          /* a hardlink target is relative to the archive root */
          if (t == NULL || asprintf (&pair, "%s=>%s%s", name, hl ? "/" : "", t) < 0)
            {
              r = error_set (err, ENOMEM, "out of memory");
              break;
            }
          strv_consume (&L->links, pair);
          continue;
        }
      if (type != AE_IFREG)
        continue;
      char fb[256];
      flat (name, fb, sizeof fb);
      _cleanup_close_ int fd
          = openat (L->dirfd, fb, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          r = error_errno (err, errno, "stage `%s`", name);
          break;
        }
      for (;;)
        {
          ssize_t n = archive_read_data (a, buf, 1 << 20);
          if (n < 0)
            {
              r = error_set (err, EBADMSG, "archive entry `%s`: %s", name,
                             archive_error_string (a));
              break;
            }
          if (n == 0)
            break;
          int w = fs_write_all (fd, buf, (size_t) n);
          if (w < 0)
            {
              r = error_errno (err, -w, "stage `%s`", name);
              break;
            }
        }
      if (r < 0)
        break;
      if (!strv_contains (L->files, name))
        strv_push (&L->files, name);
    }
  free (buf);
out:
  archive_read_free (a);
  return r;
}

static int
ingest_staged (struct loader *L, const char *file, const char *blob, int64_t size,
               const char *diff_id, bool compress, struct layer_ingest *li, struct error **err)
{
  if (diff_id && image_store_has_layer (L->s, diff_id)
      && (blob == NULL || image_store_has_blob (L->s, blob)))
    {
      li->out_diff_id = strdup (diff_id);
      uint64_t us = 0, bs = 0;
      char *b = NULL, *mt = NULL;
      int r = image_store_layer_info (L->s, diff_id, &us, &b, &bs, &mt, err);
      li->out_blob_digest = b;
      li->out_blob_size = bs;
      li->out_media_type = mt;
      li->out_size = us;
      li->out_existed = true;
      return r;
    }
  int fd = -1;
  int r = open_staged (L, file, &fd, err);
  if (r < 0)
    return r;
  struct stream *in = stream_fd_new (fd, true);
  if (in && compress)
    in = stream_decompress_new (in, COMPRESSION_AUTO);
  if (in == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char what[300];
  snprintf (what, sizeof what, "layer `%s`", file);
  li->what = what;
  li->blob_digest = blob;
  li->blob_size = size;
  li->diff_id = diff_id;
  li->compress = compress;
  r = image_store_ingest_layer (L->s, in, li, err);
  li->what = NULL;
  return r;
}

static int
add_loaded (struct loader *L, const char *name, const char *id)
{
  return strv_push (&L->loaded, name ? name : id);
}

static char *
normalize_name (const char *n)
{
  if (n == NULL)
    return NULL;
  _cleanup_reference_ struct reference *r = NULL;
  struct error *e = NULL;
  if (reference_parse (n, 0, &r, &e) < 0 || r->digest)
    {
      error_free (e);
      return NULL; /* a bare tag or junk: the image is loaded without a name */
    }
  return reference_string (r);
}

static int
load_oci_manifest (struct loader *L, const struct descriptor *d, const char *name,
                   struct error **err)
{
  char path[128];
  snprintf (path, sizeof path, "blobs/sha256/%s", digest_hex (d->digest));
  if (strncmp (d->digest, "sha256:", 7) != 0)
    return error_set (err, ENOTSUP, "`%s`: only sha256 blobs are supported", d->digest);
  _cleanup_free_ char *mdata = NULL;
  size_t mlen = 0;
  int r = read_staged (L, path, &mdata, &mlen, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *md = digest_buffer (d->digest, mdata, mlen);
  if (md == NULL || strcmp (md, d->digest) != 0)
    return error_set (err, EBADMSG, "manifest `%s`: digest mismatch", d->digest);
  _cleanup_manifest_ struct manifest *m = NULL;
  r = manifest_parse (mdata, mlen, d->media_type, &m, err);
  if (r < 0)
    return r;
  if (m->kind == MANIFEST_INDEX)
    {
      const struct descriptor *sub = NULL;
      r = manifest_select_platform (m, NULL, &sub, err);
      if (r < 0)
        return r;
      return load_oci_manifest (L, sub, name, err);
    }
  snprintf (path, sizeof path, "blobs/sha256/%s", digest_hex (m->config.digest));
  _cleanup_free_ char *cfg = NULL;
  size_t cfglen = 0;
  r = read_staged (L, path, &cfg, &cfglen, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *cd = digest_buffer (m->config.digest, cfg, cfglen);
  if (cd == NULL || strcmp (cd, m->config.digest) != 0)
    return error_set (err, EBADMSG, "config `%s`: digest mismatch", m->config.digest);
  _cleanup_image_config_ struct image_config *ic = NULL;
  r = image_config_parse (cfg, cfglen, &ic, err);
  if (r < 0)
    return r;
  if (strv_len (ic->diff_ids) != m->nlayers)
    return error_set (err, EBADMSG, "manifest `%s`: %zu layers, config has %zu", d->digest,
                      m->nlayers, strv_len (ic->diff_ids));
  struct layer_ingest *lis = calloc (m->nlayers + 1, sizeof *lis);
  if (lis == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < m->nlayers && r >= 0; i++)
    {
      snprintf (path, sizeof path, "blobs/sha256/%s", digest_hex (m->layers[i].digest));
      r = ingest_staged (L, path, m->layers[i].digest, m->layers[i].size, ic->diff_ids[i], false,
                         &lis[i], err);
    }
  _cleanup_free_ char *full = normalize_name (name);
  _cleanup_free_ char *id = NULL;
  if (r >= 0)
    {
      struct image_record_opts ro = {
        .config = cfg,
        .config_len = cfglen,
        .manifest = mdata,
        .manifest_len = mlen,
        .manifest_media_type = m->media_type,
        .layers = lis,
        .nlayers = m->nlayers,
        .name = full,
      };
      r = image_record (L->s, &ro, &id, err);
    }
  for (size_t i = 0; i < m->nlayers; i++)
    layer_ingest_clear (&lis[i]);
  free (lis);
  if (r >= 0)
    add_loaded (L, full, id);
  return r;
}

/* Is this manifest a cosign signature manifest (every layer a
 * simple-signing payload) rather than an image?  Read from the JSON: the
 * image manifest parser refuses such layers (they are not filesystems). */
static bool
is_signature_manifest (const char *data, size_t len)
{
  _cleanup_json_ json_object *o = NULL;
  struct error *e = NULL;
  if (jsonx_parse (data, len, &o, &e) < 0)
    {
      error_free (e);
      return false;
    }
  json_object *layers = NULL;
  if (!json_object_is_type (o, json_type_object)
      || !json_object_object_get_ex (o, "layers", &layers)
      || !json_object_is_type (layers, json_type_array) || json_object_array_length (layers) == 0)
    return false;
  for (size_t i = 0; i < json_object_array_length (layers); i++)
    {
      json_object *l = json_object_array_get_idx (layers, i), *mt = NULL;
      if (!json_object_is_type (l, json_type_object)
          || !json_object_object_get_ex (l, "mediaType", &mt)
          || !json_object_is_type (mt, json_type_string)
          || strcmp (json_object_get_string (mt),
                     "application/vnd.dev.cosign.simplesigning.v1+json")
                 != 0)
        return false;
    }
  return true;
}

static int
read_archive_blob (void *ctx, const char *digest, int64_t size, size_t max, char **out, size_t *len,
                   struct error **err)
{
  struct loader *L = ctx;
  (void)size;
  /* the digest comes from a hostile manifest: it names a staged file */
  if (!digest_valid (digest) || strncmp (digest, "sha256:", 7) != 0)
    return error_set (err, EINVAL, "invalid blob digest `%.80s`", digest);
  char path[128];
  snprintf (path, sizeof path, "blobs/sha256/%s", digest_hex (digest));
  _cleanup_close_ int fd = -1;
  int r = open_staged (L, path, &fd, err);
  if (r < 0)
    return r;
  r = fs_read_fd (fd, max, out, len, err);
  return r < 0 ? error_prefix (err, "archive file `%s`", path) : 0;
}

/* Classify index.json's entries (images, signature manifests), then show
 * every image to the check: all before the first is stored. */
static int
check_oci (struct loader *L, const struct manifest *idx, const char **names, bool *is_sig,
           struct error **err)
{
  _cleanup_strv_ char **sigs = NULL, **signames = NULL;
  size_t *lens = calloc (idx->nmanifests + 1, sizeof *lens);
  if (lens == NULL)
    return error_set (err, ENOMEM, "out of memory");
  size_t nsigs = 0, nsigs_total = 0;
  int r = 0;
  for (size_t i = 0; i < idx->nmanifests && r >= 0; i++)
    {
      const struct descriptor *d = &idx->manifests[i];
      if (strncmp (d->digest, "sha256:", 7) != 0)
        continue; /* load_oci_manifest refuses it */
      char path[128];
      snprintf (path, sizeof path, "blobs/sha256/%s", digest_hex (d->digest));
      _cleanup_free_ char *mdata = NULL;
      size_t mlen = 0;
      r = read_staged (L, path, &mdata, &mlen, err);
      if (r < 0)
        break;
      _cleanup_free_ char *md = digest_buffer (d->digest, mdata, mlen);
      if (md == NULL || strcmp (md, d->digest) != 0)
        {
          r = error_set (err, EBADMSG, "manifest `%s`: digest mismatch", d->digest);
          break;
        }
      if (!is_signature_manifest (mdata, mlen))
        continue; /* an image: loading it parses it */
      is_sig[i] = true;
      /* Memory stays bounded whatever the archive holds: the check looks
       * at SIG_MANIFESTS_KEPT manifests at most (it is told how many there
       * are), and one larger than SIG_MANIFEST_KEPT_MAX is kept as its
       * length only (the check refuses it by that length). */
      if (nsigs_total++ >= SIG_MANIFESTS_KEPT)
        continue;
      char *where = NULL;
      char *keep = mlen > SIG_MANIFEST_KEPT_MAX ? strdup ("") : TAKE_PTR (mdata);
      if (strv_consume (&sigs, keep) < 0
          || asprintf (&where, "index.json entry %zu (%s)", i + 1, d->digest) < 0
          || strv_consume (&signames, where) < 0)
        r = error_set (err, ENOMEM, "out of memory");
      else
        lens[nsigs++] = mlen;
    }
  for (size_t i = 0; i < idx->nmanifests && r >= 0 && L->o && L->o->check; i++)
    {
      if (is_sig[i])
        continue;
      struct image_load_candidate c = {
        .format = IMAGE_ARCHIVE_OCI,
        .name = names[i],
        .digest = idx->manifests[i].digest,
        .sig_manifests = sigs,
        .sig_lens = lens,
        .sig_names = signames,
        .nsigs = nsigs,
        .nsigs_total = nsigs_total,
        .read_blob = read_archive_blob,
        .read_ctx = L,
      };
      r = L->o->check (L->o->check_data, &c, err);
    }
  free (lens);
  return r;
}

static int
load_oci (struct loader *L, struct error **err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  int r = read_staged (L, "index.json", &data, &len, err);
  if (r < 0)
    return r;
  /* the layout's index: mediaType may be absent */
  _cleanup_manifest_ struct manifest *idx = NULL;
  r = manifest_parse (data, len, MT_OCI_INDEX, &idx, err);
  if (r < 0)
    return error_prefix (err, "index.json");
  if (idx->kind != MANIFEST_INDEX)
    return error_set (err, EINVAL, "index.json is not an index");
  /* names from annotations: parse the document again for them */
  _cleanup_json_ json_object *doc = NULL;
  r = jsonx_parse (data, len, &doc, err);
  if (r < 0)
    return r;
  json_object *arr = NULL;
  json_object_object_get_ex (doc, "manifests", &arr);
  _cleanup_free_ const char **names = calloc (idx->nmanifests + 1, sizeof *names);
  _cleanup_free_ bool *is_sig = calloc (idx->nmanifests + 1, sizeof *is_sig);
  if (names == NULL || is_sig == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < idx->nmanifests; i++)
    {
      const char *name = NULL;
      json_object *d = arr ? json_object_array_get_idx (arr, i) : NULL, *ann = NULL, *v = NULL;
      if (d && json_object_object_get_ex (d, "annotations", &ann) && ann)
        {
          if (json_object_object_get_ex (ann, "io.containerd.image.name", &v) && v)
            name = json_object_get_string (v);
          else if (json_object_object_get_ex (ann, "org.opencontainers.image.ref.name", &v) && v)
            name = json_object_get_string (v);
        }
      names[i] = name;
    }
  r = check_oci (L, idx, names, is_sig, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < idx->nmanifests; i++)
    {
      if (is_sig[i])
        continue; /* a signature, not an image */
      r = load_oci_manifest (L, &idx->manifests[i], names[i], err);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
load_docker (struct loader *L, struct error **err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  int r = read_staged (L, "manifest.json", &data, &len, err);
  if (r < 0)
    return r;
  _cleanup_json_ json_object *doc = NULL;
  r = jsonx_parse (data, len, &doc, err);
  if (r < 0)
    return error_prefix (err, "manifest.json");
  if (json_object_get_type (doc) != json_type_array)
    return error_set (err, EINVAL, "manifest.json must be an array");
  size_t n = json_object_array_length (doc);
  if (n > 1000)
    return error_set (err, E2BIG, "manifest.json lists too many images");
  /* the check sees every image before the first is stored */
  for (size_t i = 0; i < n && L->o && L->o->check; i++)
    {
      json_object *ent = json_object_array_get_idx (doc, i);
      _cleanup_strv_ char **tags = NULL;
      if (jsonx_get_strv (ent, "RepoTags", &tags, err) < 0)
        return error_prefix (err, "manifest.json[%zu]", i);
      struct image_load_candidate c
          = { .format = IMAGE_ARCHIVE_DOCKER, .name = tags ? tags[0] : NULL };
      r = L->o->check (L->o->check_data, &c, err);
      if (r < 0)
        return r;
    }
  for (size_t i = 0; i < n; i++)
    {
      json_object *ent = json_object_array_get_idx (doc, i);
      const char *cfgname = NULL;
      if (jsonx_get_string (ent, "Config", &cfgname, err) <= 0)
        return *err ? r : error_set (err, EINVAL, "manifest.json[%zu]: no Config", i);
      _cleanup_strv_ char **tags = NULL, **layers = NULL;
      if (jsonx_get_strv (ent, "RepoTags", &tags, err) < 0
          || jsonx_get_strv (ent, "Layers", &layers, err) < 0)
        return error_prefix (err, "manifest.json[%zu]", i);
      _cleanup_free_ char *cfg = NULL;
      size_t cfglen = 0;
      r = read_staged (L, cfgname, &cfg, &cfglen, err);
      if (r < 0)
        return r;
      _cleanup_image_config_ struct image_config *ic = NULL;
      r = image_config_parse (cfg, cfglen, &ic, err);
      if (r < 0)
        return error_prefix (err, "`%s`", cfgname);
      size_t nl = strv_len (layers);
      if (nl != strv_len (ic->diff_ids))
        return error_set (err, EBADMSG, "manifest.json[%zu]: %zu layers, config has %zu", i, nl,
                          strv_len (ic->diff_ids));
      struct layer_ingest *lis = calloc (nl + 1, sizeof *lis);
      if (lis == NULL)
        return error_set (err, ENOMEM, "out of memory");
      for (size_t k = 0; k < nl && r >= 0; k++)
        r = ingest_staged (L, layers[k], NULL, -1, ic->diff_ids[k], true, &lis[k], err);
      _cleanup_free_ char *first = tags && tags[0] ? normalize_name (tags[0]) : NULL;
      _cleanup_free_ char *id = NULL;
      if (r >= 0)
        {
          struct image_record_opts ro = {
            .config = cfg,
            .config_len = cfglen,
            .layers = lis,
            .nlayers = nl,
            .name = first,
          };
          r = image_record (L->s, &ro, &id, err);
        }
      for (size_t k = 0; k < nl; k++)
        layer_ingest_clear (&lis[k]);
      free (lis);
      if (r < 0)
        return r;
      for (size_t k = 1; tags && tags[k]; k++)
        {
          _cleanup_free_ char *t = normalize_name (tags[k]);
          if (t && image_store_tag (L->s, id, t, err) < 0)
            return -(*err)->code;
          if (t)
            add_loaded (L, t, id);
        }
      add_loaded (L, first, id);
    }
  return 0;
}

int
image_load (struct image_store *s, int infd, char ***loaded, struct error **err)
{
  return image_load_with (s, infd, NULL, loaded, err);
}

int
image_load_with (struct image_store *s, int infd, const struct image_load_opts *o, char ***loaded,
                 struct error **err)
{
  struct loader L = { .s = s, .dirfd = -1, .o = o };
  int r = image_store_tmpdir (s, &L.dir, &L.dirfd, err);
  if (r < 0)
    return r;
  r = stage_archive (&L, infd, err);
  if (r >= 0)
    {
      if (strv_contains (L.files, "index.json") && strv_contains (L.files, "oci-layout"))
        r = load_oci (&L, err);
      else if (strv_contains (L.files, "manifest.json"))
        r = load_docker (&L, err);
      else
        r = error_set (err, EINVAL, "neither an OCI nor a docker archive (no index.json or "
                                    "manifest.json)");
    }
  struct error *e2 = NULL;
  fs_rm_rf_at (AT_FDCWD, L.dir, &e2);
  error_free (e2);
  safe_close (L.dirfd);
  free (L.dir);
  strv_free (L.files);
  strv_free (L.links);
  if (r >= 0 && loaded)
    *loaded = TAKE_PTR (L.loaded);
  strv_free (L.loaded);
  return r < 0 ? r : 0;
}
