/* oci.c - the advisory database as an OCI artifact, for mirrors that the
 * scanning machines can reach when the internet is not (air gaps).
 *
 * The artifact is an OCI image manifest (image-spec 1.1 artifact
 * guidance): artifactType SCAN_DB_ARTIFACT_TYPE, the empty config, one
 * layer holding advisories.db itself (SCAN_DB_LAYER_TYPE), annotated with
 * the schema and the import time.  A pull downloads the layer next to the
 * current database (the registry client verifies size and digest while it
 * streams), checks that it is a SQLite database of our schema, and renames
 * it into place under the import lock: a failed pull, like a failed
 * import, leaves the old database whole.
 */
#include "scan/db-internal.h"

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "registry/client.h"
#include "registry/reference.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define EMPTY_CONFIG_TYPE "application/vnd.oci.empty.v1+json"
#define EMPTY_CONFIG_DIGEST                                                                        \
  "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define SCAN_DB_PULL_MAX (4ull << 30)

static char *
db_file (const char *root, const char *name)
{
  char *p;
  return asprintf (&p, "%s/scan/%s", root, name) < 0 ? NULL : p;
}

static int
client_for (const char *ref, const struct registry_options *opts, struct reference **r,
            struct registry_client **c, struct error **err)
{
  int ret = reference_parse (ref, 0, r, err);
  if (ret < 0)
    return ret;
  return registry_client_new ((*r)->domain, (*r)->path, opts, c, err);
}

int
scan_db_push (const char *root, const char *ref, const struct registry_options *opts,
              char **out_digest, struct error **err)
{
  _cleanup_free_ char *path = db_file (root, "advisories.db");
  if (!path)
    return error_errno (err, ENOMEM, "path");
  /* the file is replaced, never changed: this fd keeps one version */
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return errno == ENOENT ? error_set (err, ENOENT, "no advisory database at `%s`", path)
                           : error_errno (err, errno, "open `%s`", path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return error_errno (err, errno, "stat `%s`", path);
  _cleanup_digester_ struct digester *d = NULL;
  int r = digester_new ("sha256", &d, err);
  if (r < 0)
    return r;
  char buf[1 << 16];
  uint64_t off = 0;
  for (;;)
    {
      ssize_t n = pread (fd, buf, sizeof buf, (off_t)off);
      if (n < 0)
        return error_errno (err, errno, "read `%s`", path);
      if (n == 0)
        break;
      digester_update (d, buf, (size_t)n);
      off += (uint64_t)n;
    }
  if (off != (uint64_t)st.st_size)
    return error_set (err, EIO, "`%s` changed while read", path);
  _cleanup_free_ char *digest = digester_final (d);
  if (!digest)
    return error_errno (err, ENOMEM, "digest");

  /* what the database says of itself, for the annotations */
  _cleanup_scan_db_ struct scan_db *db = NULL;
  r = scan_db_open (root, &db, err);
  if (r < 0)
    return r;
  char updated[32];
  snprintf (updated, sizeof updated, "%lld", (long long)scan_db_updated (db));

  _cleanup_reference_ struct reference *rf = NULL;
  _cleanup_registry_client_ struct registry_client *c = NULL;
  r = client_for (ref, opts, &rf, &c, err);
  if (r < 0)
    return r;
  struct registry_blob_source src = { .fd = fd };
  r = registry_push_blob (c, digest, (uint64_t)st.st_size, NULL, &src, err);
  if (r < 0)
    return error_prefix (err, "push `%s`", ref);
  /* the empty config ("{}"), from a memfd so that it can be sent again */
  _cleanup_close_ int efd = memfd_create ("hull-empty", MFD_CLOEXEC);
  if (efd < 0 || write (efd, "{}", 2) != 2)
    return error_errno (err, errno, "memfd");
  struct registry_blob_source empty = { .fd = efd };
  r = registry_push_blob (c, EMPTY_CONFIG_DIGEST, 2, NULL, &empty, err);
  if (r < 0)
    return error_prefix (err, "push `%s`", ref);

  _cleanup_json_ json_object *m = json_object_new_object ();
  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType", json_object_new_string (REGISTRY_MT_OCI_MANIFEST));
  json_object_object_add (m, "artifactType", json_object_new_string (SCAN_DB_ARTIFACT_TYPE));
  json_object *cfg = json_object_new_object ();
  json_object_object_add (cfg, "mediaType", json_object_new_string (EMPTY_CONFIG_TYPE));
  json_object_object_add (cfg, "digest", json_object_new_string (EMPTY_CONFIG_DIGEST));
  json_object_object_add (cfg, "size", json_object_new_int (2));
  json_object_object_add (cfg, "data", json_object_new_string ("e30="));
  json_object_object_add (m, "config", cfg);
  json_object *layers = json_object_new_array (), *l = json_object_new_object ();
  json_object_object_add (l, "mediaType", json_object_new_string (SCAN_DB_LAYER_TYPE));
  json_object_object_add (l, "digest", json_object_new_string (digest));
  json_object_object_add (l, "size", json_object_new_int64 ((int64_t)st.st_size));
  json_object *la = json_object_new_object ();
  json_object_object_add (la, "org.opencontainers.image.title",
                          json_object_new_string ("advisories.db"));
  json_object_object_add (l, "annotations", la);
  json_object_array_add (layers, l);
  json_object_object_add (m, "layers", layers);
  json_object *an = json_object_new_object ();
  char schema[16];
  snprintf (schema, sizeof schema, "%d", SCAN_DB_SCHEMA);
  json_object_object_add (an, "io.hull.scan.db.schema", json_object_new_string (schema));
  json_object_object_add (an, "io.hull.scan.db.updated", json_object_new_string (updated));
  json_object_object_add (m, "annotations", an);
  const char *text = jsonx_compact (m);
  const char *tag = rf->tag ? rf->tag : "latest";
  r = registry_put_manifest (c, tag, REGISTRY_MT_OCI_MANIFEST, text, strlen (text), out_digest,
                             err);
  if (r < 0)
    return error_prefix (err, "push `%s`", ref);
  return 0;
}

struct sink
{
  int fd;
};

static int
sink_write (const void *buf, size_t len, uint64_t offset, void *ud)
{
  struct sink *s = ud;
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = pwrite (s->fd, p, len, (off_t)offset);
      if (n < 0)
        return -errno;
      p += n;
      offset += (uint64_t)n;
      len -= (size_t)n;
    }
  return 0;
}

int
scan_db_pull (const char *root, const char *ref, const struct registry_options *opts,
              char **out_digest, struct error **err)
{
  _cleanup_reference_ struct reference *rf = NULL;
  int r = reference_parse (ref, 0, &rf, err);
  if (r < 0)
    return r;
  _cleanup_registry_client_ struct registry_client *c = NULL;
  _cleanup_registry_manifest_ struct registry_manifest *man = NULL;
  r = registry_open_manifest (rf, opts, &c, &man, err);
  if (r < 0)
    return r;
  _cleanup_json_ json_object *m = NULL;
  r = jsonx_parse (man->data, man->len, &m, err);
  if (r < 0)
    return error_prefix (err, "`%s`", ref);
  const char *at = NULL, *cfg_type = NULL;
  json_object *cfg = NULL, *layers = NULL;
  jsonx_get_string (m, "artifactType", &at, NULL);
  if (jsonx_get_object (m, "config", &cfg, NULL) > 0)
    jsonx_get_string (cfg, "mediaType", &cfg_type, NULL);
  if (!(at && strcmp (at, SCAN_DB_ARTIFACT_TYPE) == 0)
      && !(cfg_type && strcmp (cfg_type, SCAN_DB_ARTIFACT_TYPE) == 0))
    return error_set (err, EINVAL, "`%s` is not a hull advisory database (artifactType `%s`)", ref,
                      at ? at : "");
  const char *ldigest = NULL, *ltype = NULL;
  int64_t lsize = -1;
  json_object *l0;
  if (jsonx_get_array (m, "layers", &layers, NULL) <= 0 || json_object_array_length (layers) != 1
      || !(l0 = json_object_array_get_idx (layers, 0))
      || jsonx_get_string (l0, "digest", &ldigest, NULL) <= 0
      || jsonx_get_string (l0, "mediaType", &ltype, NULL) <= 0
      || jsonx_get_int64 (l0, "size", &lsize, NULL) <= 0 || !digest_valid (ldigest)
      || strcmp (ltype, SCAN_DB_LAYER_TYPE) != 0 || lsize <= 0
      || (uint64_t)lsize > SCAN_DB_PULL_MAX)
    return error_set (err, EBADMSG, "`%s`: not one `%s` layer of a sane size", ref,
                      SCAN_DB_LAYER_TYPE);

  _cleanup_free_ char *dir = NULL, *path = db_file (root, "advisories.db"),
                      *tmp = db_file (root, "advisories.db.new"),
                      *lock = db_file (root, "advisories.lock");
  if (!path || !tmp || !lock || asprintf (&dir, "%s/scan", root) < 0)
    return error_errno (err, ENOMEM, "path");
  r = fs_mkdir_p (AT_FDCWD, dir, 0700, err);
  if (r < 0)
    return r;
  _cleanup_close_ int lfd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lfd < 0 || flock (lfd, LOCK_EX) < 0)
    return error_errno (err, errno, "lock `%s`", lock);
  unlink (tmp);
  _cleanup_close_ int fd = open (tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return error_errno (err, errno, "create `%s`", tmp);
  struct sink s = { fd };
  struct registry_blob_request req = { .digest = ldigest, .size = lsize };
  r = registry_get_blob (c, &req, sink_write, &s, err);
  if (r == 0 && fsync (fd) < 0)
    r = error_errno (err, errno, "sync `%s`", tmp);
  if (r == 0)
    {
      /* it must be a database of our schema, not just any bytes */
      sqlite3 *check = NULL;
      int schema = -1;
      sqlite3_stmt *st = NULL;
      if (sqlite3_open_v2 (tmp, &check, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
          && sqlite3_prepare_v2 (check, "SELECT value FROM meta WHERE key = 'schema'", -1, &st,
                                 NULL)
                 == SQLITE_OK
          && sqlite3_step (st) == SQLITE_ROW)
        schema = sqlite3_column_int (st, 0);
      sqlite3_finalize (st);
      st = NULL;
      bool ok = false;
      if (schema == SCAN_DB_SCHEMA
          && sqlite3_prepare_v2 (check, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK
          && sqlite3_step (st) == SQLITE_ROW)
        ok = strcmp ((const char *)sqlite3_column_text (st, 0), "ok") == 0;
      sqlite3_finalize (st);
      sqlite3_close (check);
      if (schema != SCAN_DB_SCHEMA)
        r = error_set (err, EPROTO, "`%s`: advisory database schema %d, this hull reads %d", ref,
                       schema, SCAN_DB_SCHEMA);
      else if (!ok)
        r = error_set (err, EBADMSG, "`%s`: the advisory database is damaged", ref);
    }
  if (r == 0 && rename (tmp, path) < 0)
    r = error_errno (err, errno, "rename `%s`", tmp);
  if (r < 0)
    {
      unlink (tmp);
      return r;
    }
  _cleanup_close_ int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    fsync (dfd);
  if (out_digest)
    *out_digest = strdup (man->digest ? man->digest : ldigest);
  return 0;
}
