#include "create.h"

#include "images.h"
#include "manifest.h"
#include "store.h"
#include "stream.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

int
image_record (struct image_store *s, const struct image_record_opts *o, char **out_id,
              struct error **err)
{
  _cleanup_image_config_ struct image_config *cfg = NULL;
  int r = image_config_parse (o->config, o->config_len, &cfg, err);
  if (r < 0)
    return r;
  if (strv_len (cfg->diff_ids) != o->nlayers)
    return error_set (err, EINVAL, "image config lists %zu layers, the manifest %zu",
                      strv_len (cfg->diff_ids), o->nlayers);
  for (size_t i = 0; i < o->nlayers; i++)
    if (o->layers[i].out_diff_id == NULL || strcmp (cfg->diff_ids[i], o->layers[i].out_diff_id) != 0)
      return error_set (err, EBADMSG, "layer %zu: diff id `%s` does not match the config's `%s`",
                        i, o->layers[i].out_diff_id ? o->layers[i].out_diff_id : "?",
                        cfg->diff_ids[i]);
  _cleanup_free_ char *config_digest = NULL;
  r = image_store_put_blob (s, o->config, o->config_len, NULL, &config_digest, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *built = NULL;
  const char *mdata = o->manifest;
  size_t mlen = o->manifest_len;
  const char *mt = o->manifest_media_type ? o->manifest_media_type : MT_OCI_MANIFEST;
  if (mdata == NULL)
    {
      struct descriptor *descs = calloc (o->nlayers + 1, sizeof *descs);
      if (descs == NULL)
        return error_set (err, ENOMEM, "out of memory");
      for (size_t i = 0; i < o->nlayers; i++)
        {
          descs[i].media_type = o->layers[i].out_media_type;
          descs[i].digest = o->layers[i].out_blob_digest;
          descs[i].size = (int64_t) o->layers[i].out_blob_size;
        }
      built = manifest_build (config_digest, (int64_t) o->config_len, descs, o->nlayers);
      free (descs);
      if (built == NULL)
        return error_set (err, ENOMEM, "out of memory");
      mdata = built;
      mlen = strlen (built);
      mt = MT_OCI_MANIFEST;
    }
  _cleanup_free_ char *manifest_digest = NULL;
  r = image_store_put_blob (s, mdata, mlen, NULL, &manifest_digest, err);
  if (r < 0)
    return r;

  _cleanup_strv_ char **blobs = NULL;
  _cleanup_strv_ char **diff_ids = NULL;
  if (strv_push (&blobs, config_digest) < 0 || strv_push (&blobs, manifest_digest) < 0)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < o->nlayers; i++)
    {
      if (strv_push (&diff_ids, o->layers[i].out_diff_id) < 0)
        return error_set (err, ENOMEM, "out of memory");
      if (o->layers[i].out_blob_digest && strv_push (&blobs, o->layers[i].out_blob_digest) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  struct image_add add = {
    .id = config_digest,
    .manifest_digest = manifest_digest,
    .manifest_media_type = mt,
    .created = cfg->created,
    .os = cfg->os,
    .architecture = cfg->architecture,
    .variant = cfg->variant,
    .diff_ids = diff_ids,
    .blobs = blobs,
    .name = o->name,
    .repo_digest = o->repo_digest,
  };
  r = image_store_add_image (s, &add, err);
  if (r < 0)
    return r;
  if (out_id)
    *out_id = TAKE_PTR (config_digest);
  return 0;
}

int
image_export_manifest (struct image_store *s, const struct image_info *img, char **data,
                       size_t *len, char **media_type, struct manifest **out, struct error **err)
{
  _cleanup_free_ char *mdata = NULL;
  size_t mlen = 0;
  int r = image_store_read_blob (s, img->manifest_digest, MANIFEST_MAX_SIZE, &mdata, &mlen, err);
  if (r < 0)
    return r;
  _cleanup_manifest_ struct manifest *m = NULL;
  r = manifest_parse (mdata, mlen, img->manifest_media_type, &m, err);
  if (r < 0)
    return r;
  bool complete = true;
  for (size_t i = 0; i < m->nlayers; i++)
    if (!image_store_has_blob (s, m->layers[i].digest))
      complete = false;
  if (!complete)
    {
      if (strv_len (img->diff_ids) != m->nlayers)
        return error_set (err, EBADMSG, "image `%s`: manifest and layers disagree", img->id);
      struct descriptor *descs = calloc (m->nlayers + 1, sizeof *descs);
      if (descs == NULL)
        return error_set (err, ENOMEM, "out of memory");
      for (size_t i = 0; i < m->nlayers && r >= 0; i++)
        {
          if (image_store_has_blob (s, m->layers[i].digest))
            {
              descs[i].digest = strdup (m->layers[i].digest);
              descs[i].media_type = strdup (m->layers[i].media_type);
              descs[i].size = m->layers[i].size;
              continue;
            }
          uint64_t bs = 0;
          r = image_store_layer_info (s, img->diff_ids[i], NULL, &descs[i].digest, &bs,
                                      &descs[i].media_type, err);
          descs[i].size = (int64_t) bs;
          if (r >= 0 && (descs[i].digest == NULL || !image_store_has_blob (s, descs[i].digest)))
            r = error_set (err, ENOENT, "image `%s`: no blob of layer `%s` in the store", img->id,
                           img->diff_ids[i]);
        }
      char *built = NULL;
      if (r >= 0)
        {
          built = manifest_build (m->config.digest, m->config.size, descs, m->nlayers);
          if (built == NULL)
            r = error_set (err, ENOMEM, "out of memory");
        }
      for (size_t i = 0; i < m->nlayers; i++)
        {
          free (descs[i].digest);
          free (descs[i].media_type);
        }
      free (descs);
      if (r < 0)
        return r;
      free (mdata);
      mdata = built;
      mlen = strlen (built);
      manifest_free (m);
      m = NULL;
      r = manifest_parse (mdata, mlen, MT_OCI_MANIFEST, &m, err);
      if (r < 0)
        return r;
    }
  *media_type = strdup (m->media_type);
  if (*media_type == NULL)
    return error_set (err, ENOMEM, "out of memory");
  *data = TAKE_PTR (mdata);
  *len = mlen;
  *out = TAKE_PTR (m);
  return 0;
}

int
image_store_get_config (struct image_store *s, const char *id, struct image_config **out,
                        struct error **err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  int r = image_store_read_blob (s, id, CONFIG_MAX_SIZE, &data, &len, err);
  if (r < 0)
    return error_prefix (err, "image `%s`", id);
  return image_config_parse (data, len, out, err);
}

int
image_import (struct image_store *s, struct stream *tar, const struct image_import_opts *o,
              char **out_id, struct error **err)
{
  struct stream *plain = stream_decompress_new (tar, COMPRESSION_AUTO);
  if (plain == NULL)
    return error_set (err, ENOMEM, "out of memory");
  struct layer_ingest li = {
    .what = "imported layer",
    .blob_size = -1,
    .compress = true,
  };
  int r = image_store_ingest_layer (s, plain, &li, err);
  if (r < 0)
    {
      layer_ingest_clear (&li);
      return r;
    }
  struct platform host = { 0 };
  const struct platform *p = o->platform;
  if (p == NULL)
    {
      if (platform_host (&host) < 0)
        {
          layer_ingest_clear (&li);
          return error_set (err, ENOMEM, "out of memory");
        }
      p = &host;
    }
  char *ids[] = { li.out_diff_id, NULL };
  _cleanup_free_ char *config = image_config_build (p, (int64_t) time (NULL), ids,
                                                    o->message ? o->message : "hull import",
                                                    o->env, o->cmd, o->entrypoint, o->workdir);
  platform_clear (&host);
  if (config == NULL)
    {
      layer_ingest_clear (&li);
      return error_set (err, ENOMEM, "out of memory");
    }
  struct image_record_opts ro = {
    .config = config,
    .config_len = strlen (config),
    .layers = &li,
    .nlayers = 1,
    .name = o->name,
  };
  r = image_record (s, &ro, out_id, err);
  layer_ingest_clear (&li);
  return r;
}

/* ------------------------------------------------------------ tar a tree */

struct tarctx
{
  struct archive *a;
  struct archive_entry_linkresolver *lr;
  char *buf;
  int depth;
};

static int
cmpstr (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
add_xattrs (struct archive_entry *e, int fd, const char *path)
{
  char names[65536];
  ssize_t n = fd >= 0 ? flistxattr (fd, names, sizeof names) : llistxattr (path, names, sizeof names);
  if (n <= 0)
    return 0;
  for (char *p = names; p < names + n; p += strlen (p) + 1)
    {
      if (str_has_prefix (p, "trusted.overlay.") || str_has_prefix (p, "user.overlay."))
        continue;
      char val[65536];
      ssize_t vl = fd >= 0 ? fgetxattr (fd, p, val, sizeof val) : lgetxattr (path, p, val, sizeof val);
      if (vl >= 0)
        archive_entry_xattr_add_entry (e, p, val, (size_t) vl);
    }
  return 0;
}

static int
write_entry (struct tarctx *t, struct archive_entry *e, int fd, struct error **err)
{
  struct archive_entry *spare = NULL;
  archive_entry_linkify (t->lr, &e, &spare);
  if (e)
    {
      if (archive_write_header (t->a, e) != ARCHIVE_OK)
        return error_set (err, EIO, "tar: %s", archive_error_string (t->a));
      /* a hardlink entry carries no data */
      if (fd >= 0 && archive_entry_hardlink (e) == NULL && archive_entry_size (e) > 0)
        {
          for (;;)
            {
              ssize_t n = read (fd, t->buf, 1 << 20);
              if (n < 0 && errno == EINTR)
                continue;
              if (n < 0)
                return error_errno (err, errno, "read `%s`", archive_entry_pathname (e));
              if (n == 0)
                break;
              if (archive_write_data (t->a, t->buf, (size_t) n) < 0)
                return error_set (err, EIO, "tar: %s", archive_error_string (t->a));
            }
        }
    }
  if (spare)
    archive_entry_free (spare);
  return 0;
}

static int
tar_dir (struct tarctx *t, int dfd, const char *prefix, struct error **err)
{
  if (++t->depth > 1024)
    return error_set (err, ELOOP, "`%s`: too deep", prefix);
  int dup_fd = dup (dfd);
  if (dup_fd < 0)
    return error_errno (err, errno, "dup");
  _cleanup_closedir_ DIR *d = fdopendir (dup_fd);
  if (d == NULL)
    {
      close (dup_fd);
      return error_errno (err, errno, "read directory `%s`", prefix);
    }
  _cleanup_strv_ char **names = NULL;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      if (strv_push (&names, de->d_name) < 0)
        return error_set (err, ENOMEM, "out of memory");
  size_t n = strv_len (names);
  if (n)
    qsort (names, n, sizeof *names, cmpstr);
  for (size_t i = 0; i < n; i++)
    {
      const char *nm = names[i];
      struct stat st;
      if (fstatat (dfd, nm, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return error_errno (err, errno, "stat `%s%s`", prefix, nm);
      _cleanup_free_ char *path = NULL;
      if (asprintf (&path, "%s%s%s", prefix, nm, S_ISDIR (st.st_mode) ? "/" : "") < 0)
        return error_set (err, ENOMEM, "out of memory");
      struct archive_entry *e = archive_entry_new ();
      archive_entry_copy_stat (e, &st);
      archive_entry_set_pathname (e, path);
      /* numeric owners only: names would be looked up in the host's files */
      archive_entry_set_uname (e, NULL);
      archive_entry_set_gname (e, NULL);
      _cleanup_close_ int fd = -1;
      char pp[PATH_MAX];
      char pb[FS_PROCFD_LEN];
      snprintf (pp, sizeof pp, "%s/%s", fs_procfd_path (dfd, pb), nm);
      int r = 0;
      if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
        {
          fd = openat (dfd, nm, O_RDONLY | O_NOFOLLOW | O_CLOEXEC
                                    | (S_ISDIR (st.st_mode) ? O_DIRECTORY : 0));
          if (fd < 0)
            {
              archive_entry_free (e);
              return error_errno (err, errno, "open `%s`", path);
            }
          add_xattrs (e, fd, NULL);
        }
      else
        {
          add_xattrs (e, -1, pp);
          if (S_ISLNK (st.st_mode))
            {
              char target[PATH_MAX];
              ssize_t tl = readlinkat (dfd, nm, target, sizeof target - 1);
              if (tl < 0)
                {
                  archive_entry_free (e);
                  return error_errno (err, errno, "readlink `%s`", path);
                }
              target[tl] = '\0';
              archive_entry_set_symlink (e, target);
            }
        }
      if (S_ISDIR (st.st_mode))
        {
          r = write_entry (t, e, -1, err);
          archive_entry_free (e);
          if (r < 0)
            return r;
          r = tar_dir (t, fd, path, err);
          if (r < 0)
            return r;
          continue;
        }
      if (S_ISSOCK (st.st_mode))
        {
          archive_entry_free (e);
          continue;
        }
      r = write_entry (t, e, S_ISREG (st.st_mode) ? fd : -1, err);
      if (e)
        archive_entry_free (e);
      if (r < 0)
        return r;
    }
  t->depth--;
  return 0;
}

int
tar_directory (int dirfd, int outfd, struct error **err)
{
  struct tarctx t = { 0 };
  t.buf = malloc (1 << 20);
  t.a = archive_write_new ();
  t.lr = archive_entry_linkresolver_new ();
  int r = 0;
  if (t.buf == NULL || t.a == NULL || t.lr == NULL)
    {
      r = error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  archive_write_set_format_pax_restricted (t.a);
  archive_entry_linkresolver_set_strategy (t.lr, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  archive_write_set_bytes_in_last_block (t.a, 1);
  if (archive_write_open_fd (t.a, outfd) != ARCHIVE_OK)
    {
      r = error_set (err, EIO, "tar: %s", archive_error_string (t.a));
      goto out;
    }
  r = tar_dir (&t, dirfd, "", err);
  if (r < 0)
    goto out;
  /* hardlinks whose other names never came (all names seen: none) */
  struct archive_entry *e = NULL, *spare = NULL;
  for (;;)
    {
      archive_entry_linkify (t.lr, &e, &spare);
      if (e == NULL)
        break;
      archive_write_header (t.a, e);
      archive_entry_free (e);
      e = NULL;
    }
  if (archive_write_close (t.a) != ARCHIVE_OK)
    r = error_set (err, EIO, "tar: %s", archive_error_string (t.a));
out:
  if (t.a)
    archive_write_free (t.a);
  if (t.lr)
    archive_entry_linkresolver_free (t.lr);
  free (t.buf);
  return r;
}
