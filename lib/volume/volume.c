/* volume.c - the volume store: rows in hull.db, directories under
 * ROOT/volumes, references from containers, and the copy-up from an image.
 */
#include "volume/volume.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"
#include "db/db.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct volume_store
{
  struct db *db; /* borrowed */
  char *dir;     /* ROOT/volumes */
};

static const char *const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE volumes ("
  "  name TEXT PRIMARY KEY,"
  "  driver TEXT NOT NULL DEFAULT 'local',"
  "  created INTEGER NOT NULL,"
  "  labels TEXT,"
  "  anonymous INTEGER NOT NULL DEFAULT 0,"
  "  filled INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE volume_refs ("
  "  volume TEXT NOT NULL REFERENCES volumes(name),"
  "  ctr_id TEXT NOT NULL,"
  "  PRIMARY KEY (volume, ctr_id));"
  "CREATE INDEX volume_refs_ctr ON volume_refs(ctr_id);",
};

static const struct db_module volume_module
    = { "volume", migrations, ARRAY_SIZE (migrations), false };

int
volume_store_open (struct db *db, const char *root, struct volume_store **out, struct error **err)
{
  _cleanup_free_ struct volume_store *vs = calloc (1, sizeof *vs);
  if (vs == NULL)
    return error_set (err, ENOMEM, "out of memory");
  vs->db = db;
  vs->dir = fs_path_join (root, "volumes");
  if (vs->dir == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int r = db_migrate (db, &volume_module, err);
  if (r < 0 || (r = fs_mkdir_p (AT_FDCWD, vs->dir, 0700, err)) < 0)
    {
      free (vs->dir);
      return r;
    }
  *out = TAKE_PTR (vs);
  return 0;
}

void
volume_store_close (struct volume_store *vs)
{
  if (vs == NULL)
    return;
  free (vs->dir);
  free (vs);
}

void
volume_free (struct volume *v)
{
  if (v == NULL)
    return;
  free (v->name);
  free (v->driver);
  free (v->mountpoint);
  strv_free (v->labels);
  free (v);
}

void
volume_list_free (struct volume **l)
{
  for (size_t i = 0; l && l[i]; i++)
    volume_free (l[i]);
  free (l);
}

bool
volume_name_valid (const char *s)
{
  size_t l = s ? strlen (s) : 0;
  if (l == 0 || l > 128 || !isalnum ((unsigned char) s[0]))
    return false;
  for (size_t i = 0; i < l; i++)
    if (!isalnum ((unsigned char) s[i]) && !strchr ("_.-", s[i]))
      return false;
  return true;
}

static char **
labels_from_json (const char *t)
{
  char **v = NULL;
  json_object *o = t ? json_tokener_parse (t) : NULL;
  for (size_t i = 0; o && json_object_is_type (o, json_type_array) && i < json_object_array_length (o); i++)
    strv_push (&v, json_object_get_string (json_object_array_get_idx (o, i)));
  json_object_put (o);
  return v;
}

static struct volume *
from_row (struct volume_store *vs, sqlite3_stmt *st)
{
  struct volume *v = calloc (1, sizeof *v);
  if (v == NULL)
    return NULL;
  const char *name = (const char *) sqlite3_column_text (st, 0);
  v->name = name ? strdup (name) : NULL;
  v->driver = strdup ((const char *) sqlite3_column_text (st, 1));
  v->created = sqlite3_column_int64 (st, 2);
  v->labels = labels_from_json ((const char *) sqlite3_column_text (st, 3));
  v->anonymous = sqlite3_column_int (st, 4) != 0;
  if (v->name && asprintf (&v->mountpoint, "%s/%s/_data", vs->dir, v->name) < 0)
    v->mountpoint = NULL;
  if (!v->name || !v->driver || !v->mountpoint)
    {
      volume_free (v);
      return NULL;
    }
  return v;
}

int
volume_get (struct volume_store *vs, const char *name, struct volume **out, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (vs->db,
                      "SELECT name, driver, created, labels, anonymous FROM volumes WHERE name = ?",
                      &st, err);
  if (r < 0)
    return r;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  r = sqlite3_step (st);
  if (r == SQLITE_DONE)
    return error_set (err, ENOENT, "no such volume: `%s`", name);
  if (r != SQLITE_ROW)
    return db_error (vs->db, "volume", err);
  if ((*out = from_row (vs, st)) == NULL)
    return error_set (err, ENOMEM, "out of memory");
  return 0;
}

int
volume_list (struct volume_store *vs, struct volume ***out, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (vs->db,
                      "SELECT name, driver, created, labels, anonymous FROM volumes ORDER BY name",
                      &st, err);
  if (r < 0)
    return r;
  struct volume **l = calloc (1, sizeof *l);
  size_t k = 0;
  while (l && (r = sqlite3_step (st)) == SQLITE_ROW)
    {
      struct volume **nl = realloc (l, (k + 2) * sizeof *l);
      if (nl == NULL || (nl[k] = from_row (vs, st)) == NULL)
        {
          volume_list_free (nl ? nl : l);
          return error_set (err, ENOMEM, "out of memory");
        }
      l = nl;
      l[++k] = NULL;
    }
  if (l == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if (r != SQLITE_DONE)
    {
      volume_list_free (l);
      return db_error (vs->db, "list volumes", err);
    }
  *out = l;
  return 0;
}

int
volume_create (struct volume_store *vs, const char *name, char **labels, bool anonymous,
               struct volume **out, bool *created, struct error **err)
{
  char gen[65];
  if (created)
    *created = false;
  if (name == NULL)
    {
      uint8_t b[32];
      if (getrandom (b, sizeof b, 0) != sizeof b)
        return error_errno (err, errno, "getrandom");
      for (int i = 0; i < 32; i++)
        snprintf (gen + 2 * i, 3, "%02x", b[i]);
      name = gen;
      anonymous = true;
    }
  if (!volume_name_valid (name))
    return error_set (err, EINVAL, "invalid volume name `%s`: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most "
                                   "128 characters", name);
  _cleanup_free_ char *dir = fs_path_join (vs->dir, name);
  _cleanup_free_ char *data = dir ? fs_path_join (dir, "_data") : NULL;
  if (data == NULL)
    return error_set (err, ENOMEM, "out of memory");
  _cleanup_free_ char *lj = NULL;
  {
    json_object *a = json_object_new_array ();
    for (size_t i = 0; labels && labels[i]; i++)
      json_object_array_add (a, json_object_new_string (labels[i]));
    lj = strdup (json_object_to_json_string_ext (a, JSON_C_TO_STRING_PLAIN));
    json_object_put (a);
  }
  int r = db_begin (vs->db, err);
  if (r < 0)
    return r;
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if ((r = db_prepare (vs->db,
                       "INSERT OR IGNORE INTO volumes (name, driver, created, labels, anonymous) "
                       "VALUES (?, 'local', ?, ?, ?)",
                       &st, err))
      < 0)
    goto fail;
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 2, (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec);
  sqlite3_bind_text (st, 3, lj, -1, SQLITE_STATIC);
  sqlite3_bind_int (st, 4, anonymous);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      r = db_error (vs->db, "create volume", err);
      goto fail;
    }
  bool made = db_changes (vs->db) > 0;
  /* the directory first, the commit after: a crash leaves at most an
   * empty directory nobody refers to, never a row without its directory */
  if (made && ((r = fs_mkdir_p (AT_FDCWD, dir, 0700, err)) < 0
               || (mkdir (data, 0755) < 0 && errno != EEXIST
                   && (r = error_errno (err, errno, "mkdir `%s`", data)) < 0)))
    goto fail;
  if ((r = db_commit (vs->db, err)) < 0)
    return r;
  if (created)
    *created = made;
  if (out)
    return volume_get (vs, name, out, err);
  return 0;
fail:
  db_rollback (vs->db);
  return r;
}

int
volume_users (struct volume_store *vs, const char *name, char ***ids, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (vs->db, "SELECT ctr_id FROM volume_refs WHERE volume = ? ORDER BY ctr_id",
                      &st, err);
  if (r < 0)
    return r;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  char **v = NULL;
  while (sqlite3_step (st) == SQLITE_ROW)
    strv_push (&v, (const char *) sqlite3_column_text (st, 0));
  *ids = v;
  return 0;
}

static int
remove_locked (struct volume_store *vs, const char *name, struct error **err)
{
  _cleanup_strv_ char **users = NULL;
  int r = volume_users (vs, name, &users, err);
  if (r < 0)
    return r;
  if (users && users[0])
    return error_set (err, EBUSY, "volume `%s` is in use by container `%.12s`", name, users[0]);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if ((r = db_prepare (vs->db, "DELETE FROM volumes WHERE name = ?", &st, err)) < 0)
    return r;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return db_error (vs->db, "remove volume", err);
  if (db_changes (vs->db) == 0)
    return error_set (err, ENOENT, "no such volume: `%s`", name);
  _cleanup_close_ int dfd = open (vs->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return error_errno (err, errno, "open `%s`", vs->dir);
  /* never following a symlink a container left in the volume */
  return fs_rm_rf_at (dfd, name, err);
}

int
volume_remove (struct volume_store *vs, const char *name, struct error **err)
{
  if (!volume_name_valid (name))
    return error_set (err, EINVAL, "invalid volume name `%s`", name);
  int r = db_begin (vs->db, err);
  if (r < 0)
    return r;
  if ((r = remove_locked (vs, name, err)) < 0)
    {
      db_rollback (vs->db);
      return r;
    }
  return db_commit (vs->db, err);
}

int
volume_ref (struct volume_store *vs, const char *name, const char *ctr_id, struct error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  int r = db_prepare (vs->db,
                      "INSERT OR IGNORE INTO volume_refs (volume, ctr_id) "
                      "SELECT name, ? FROM volumes WHERE name = ?",
                      &st, err);
  if (r < 0)
    return r;
  sqlite3_bind_text (st, 1, ctr_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, name, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return db_error (vs->db, "volume reference", err);
  return 0;
}

int
volume_unref (struct volume_store *vs, const char *ctr_id, bool remove_anonymous,
              struct error **err)
{
  int r = db_begin (vs->db, err);
  if (r < 0)
    return r;
  _cleanup_strv_ char **anon = NULL;
  {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if ((r = db_prepare (vs->db,
                         "SELECT v.name FROM volume_refs r JOIN volumes v ON v.name = r.volume "
                         "WHERE r.ctr_id = ? AND v.anonymous = 1",
                         &st, err))
        < 0)
      goto fail;
    sqlite3_bind_text (st, 1, ctr_id, -1, SQLITE_STATIC);
    while (sqlite3_step (st) == SQLITE_ROW)
      strv_push (&anon, (const char *) sqlite3_column_text (st, 0));
  }
  {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if ((r = db_prepare (vs->db, "DELETE FROM volume_refs WHERE ctr_id = ?", &st, err)) < 0)
      goto fail;
    sqlite3_bind_text (st, 1, ctr_id, -1, SQLITE_STATIC);
    if (sqlite3_step (st) != SQLITE_DONE)
      {
        r = db_error (vs->db, "volume references", err);
        goto fail;
      }
  }
  for (size_t i = 0; remove_anonymous && anon && anon[i]; i++)
    {
      _cleanup_error_ struct error *e2 = NULL;
      remove_locked (vs, anon[i], &e2); /* still used elsewhere: kept */
    }
  return db_commit (vs->db, err);
fail:
  db_rollback (vs->db);
  return r;
}

int
volume_refs_prune (struct volume_store *vs, bool (*exists) (const char *id, void *data),
                   void *data, struct error **err)
{
  _cleanup_strv_ char **ids = NULL;
  {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    int r = db_prepare (vs->db, "SELECT DISTINCT ctr_id FROM volume_refs", &st, err);
    if (r < 0)
      return r;
    while (sqlite3_step (st) == SQLITE_ROW)
      strv_push (&ids, (const char *) sqlite3_column_text (st, 0));
  }
  for (size_t i = 0; ids && ids[i]; i++)
    if (!exists (ids[i], data))
      {
        int r = volume_unref (vs, ids[i], false, err);
        if (r < 0)
          return r;
      }
  return 0;
}

int
volume_prune (struct volume_store *vs, bool all, char ***removed, struct error **err)
{
  struct volume **l = NULL;
  int r = volume_list (vs, &l, err);
  if (r < 0)
    return r;
  char **out = NULL;
  for (size_t i = 0; l[i]; i++)
    {
      if (!all && !l[i]->anonymous)
        continue;
      _cleanup_error_ struct error *e2 = NULL;
      if (volume_remove (vs, l[i]->name, &e2) == 0)
        strv_push (&out, l[i]->name);
    }
  volume_list_free (l);
  *removed = out;
  return 0;
}

/* ------------------------------------------------------------ copy-up */

/* Copy the tree below src into dst.  src is the image's content (hostile):
 * every entry is opened relative to its parent with O_NOFOLLOW, symlinks
 * are copied as symlinks and never followed, devices are skipped, depth is
 * bounded. */
static int
copy_tree (int src, int dst, int depth, struct error **err)
{
  if (depth > 128)
    return error_set (err, ELOOP, "copy into the volume: too deep");
  int sfd = dup (src);
  if (sfd < 0)
    return error_errno (err, errno, "dup");
  _cleanup_closedir_ DIR *d = fdopendir (sfd);
  if (d == NULL)
    {
      close (sfd);
      return error_errno (err, errno, "read the image's directory");
    }
  for (struct dirent *de; (de = readdir (d)) != NULL;)
    {
      const char *n = de->d_name;
      if (strcmp (n, ".") == 0 || strcmp (n, "..") == 0)
        continue;
      struct stat st;
      if (fstatat (src, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return error_errno (err, errno, "stat `%s`", n);
      int r = 0;
      if (S_ISDIR (st.st_mode))
        {
          if (mkdirat (dst, n, 0700) < 0 && errno != EEXIST)
            return error_errno (err, errno, "mkdir `%s`", n);
          _cleanup_close_ int s2 = openat (src, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          _cleanup_close_ int d2 = openat (dst, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (s2 < 0 || d2 < 0)
            return error_errno (err, errno, "open `%s`", n);
          if ((r = copy_tree (s2, d2, depth + 1, err)) < 0)
            return r;
          if (fchown (d2, st.st_uid, st.st_gid) < 0 || fchmod (d2, st.st_mode & 07777) < 0)
            return error_errno (err, errno, "chown `%s`", n);
        }
      else if (S_ISREG (st.st_mode))
        {
          _cleanup_close_ int s2 = openat (src, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
          _cleanup_close_ int d2 = openat (dst, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
          if (s2 < 0 || d2 < 0)
            return error_errno (err, errno, "copy `%s`", n);
          for (off_t left = st.st_size; left > 0;)
            {
              ssize_t k = sendfile (d2, s2, NULL, left > (1 << 30) ? (1 << 30) : (size_t) left);
              if (k <= 0)
                {
                  if (k < 0 && errno == EINTR)
                    continue;
                  return error_errno (err, k < 0 ? errno : EIO, "copy `%s`", n);
                }
              left -= k;
            }
          if (fchown (d2, st.st_uid, st.st_gid) < 0 || fchmod (d2, st.st_mode & 07777) < 0)
            return error_errno (err, errno, "chown `%s`", n);
        }
      else if (S_ISLNK (st.st_mode))
        {
          char target[4096];
          ssize_t k = readlinkat (src, n, target, sizeof target - 1);
          if (k < 0)
            return error_errno (err, errno, "readlink `%s`", n);
          target[k] = '\0';
          if (symlinkat (target, dst, n) < 0 && errno != EEXIST)
            return error_errno (err, errno, "symlink `%s`", n);
          if (fchownat (dst, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
            return error_errno (err, errno, "chown `%s`", n);
        }
      /* devices, fifos, sockets: not copied (nothing a volume needs, and a
       * device node from an image has no business on the host) */
    }
  return 0;
}

static bool
dir_empty (int fd)
{
  int d2 = dup (fd);
  DIR *d = d2 >= 0 ? fdopendir (d2) : NULL;
  if (d == NULL)
    {
      safe_close (d2);
      return false;
    }
  bool empty = true;
  for (struct dirent *de; empty && (de = readdir (d)) != NULL;)
    empty = strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0;
  closedir (d);
  return empty;
}

int
volume_fill (struct volume_store *vs, const char *name, int rootfd, const char *path,
             struct error **err)
{
  int r = db_begin (vs->db, err);
  if (r < 0)
    return r;
  int filled = 1;
  {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if ((r = db_prepare (vs->db, "SELECT filled FROM volumes WHERE name = ?", &st, err)) < 0)
      goto out;
    sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step (st) == SQLITE_ROW)
      filled = sqlite3_column_int (st, 0);
  }
  if (filled)
    goto out;
  {
    _cleanup_free_ char *data = NULL;
    if (asprintf (&data, "%s/%s/_data", vs->dir, name) < 0)
      {
        r = error_set (err, ENOMEM, "out of memory");
        goto out;
      }
    _cleanup_close_ int dst = open (data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dst < 0)
      {
        r = error_errno (err, errno, "open `%s`", data);
        goto out;
      }
    _cleanup_error_ struct error *e2 = NULL;
    /* resolved inside the container's root: the image cannot point us
     * elsewhere with a symlink */
    _cleanup_close_ int src = fs_open_in_root (rootfd, path, O_RDONLY | O_DIRECTORY, 0, &e2);
    if (src >= 0 && dir_empty (dst))
      {
        struct stat st;
        if ((r = copy_tree (src, dst, 0, err)) < 0)
          {
            error_prefix (err, "fill volume `%s` from the image's `%s`", name, path);
            goto out;
          }
        if (fstat (src, &st) == 0)
          {
            if (fchown (dst, st.st_uid, st.st_gid) < 0 || fchmod (dst, st.st_mode & 07777) < 0)
              {
                r = error_errno (err, errno, "chown `%s`", data);
                goto out;
              }
          }
      }
  }
  {
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if ((r = db_prepare (vs->db, "UPDATE volumes SET filled = 1 WHERE name = ?", &st, err)) < 0)
      goto out;
    sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step (st) != SQLITE_DONE)
      r = db_error (vs->db, "volume", err);
  }
out:
  if (r < 0)
    {
      db_rollback (vs->db);
      return r;
    }
  return db_commit (vs->db, err);
}

json_object *
volume_to_json (const struct volume *v)
{
  json_object *o = json_object_new_object ();
  char buf[64];
  time_t t = (time_t) (v->created / 1000000000);
  struct tm tm;
  gmtime_r (&t, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_object_object_add (o, "CreatedAt", json_object_new_string (buf));
  json_object_object_add (o, "Driver", json_object_new_string (v->driver));
  json_object *labels = json_object_new_object ();
  for (size_t i = 0; v->labels && v->labels[i]; i++)
    {
      const char *eq = strchr (v->labels[i], '=');
      _cleanup_free_ char *k = strndup (v->labels[i], eq ? (size_t) (eq - v->labels[i]) : strlen (v->labels[i]));
      if (k)
        json_object_object_add (labels, k, json_object_new_string (eq ? eq + 1 : ""));
    }
  json_object_object_add (o, "Labels", labels);
  json_object_object_add (o, "Mountpoint", json_object_new_string (v->mountpoint));
  json_object_object_add (o, "Name", json_object_new_string (v->name));
  json_object_object_add (o, "Options", json_object_new_object ());
  json_object_object_add (o, "Scope", json_object_new_string ("local"));
  return o;
}
