#include "snapshot.h"

#include "images.h"
#include "store-internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

bool snapshot_force_legacy_mount = false;

bool
snapshot_id_valid (const char *id)
{
  if (id == NULL || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z')
                      || (id[0] >= '0' && id[0] <= '9')))
    return false;
  size_t n = 0;
  for (const char *p = id; *p; p++, n++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
          || *p == '_' || *p == '.' || *p == '-'))
      return false;
  return n <= 128;
}

static char *
snap_path (struct image_store *s, const char *id, const char *sub)
{
  char *p = NULL;
  if (asprintf (&p, "%s/snapshots/%s%s%s", s->root, id, sub ? "/" : "", sub ? sub : "") < 0)
    return NULL;
  return p;
}

char *
snapshot_upper_path (struct image_store *s, const char *id)
{
  return snapshot_id_valid (id) ? snap_path (s, id, "upper") : NULL;
}

int
snapshot_create (struct image_store *s, const char *id, const char *image_id, struct error **err)
{
  if (!snapshot_id_valid (id))
    return error_set (err, EINVAL, "invalid snapshot id `%.130s`", id);
  _cleanup_image_info_ struct image_info *img = NULL;
  int r = image_store_get_image (s, image_id, &img, err);
  if (r < 0)
    return r;
  for (size_t i = 0; img->diff_ids && img->diff_ids[i]; i++)
    if (!image_store_has_layer (s, img->diff_ids[i]))
      return error_set (err, ENOENT, "image `%.19s`: layer `%s` is missing from the store",
                        image_id, img->diff_ids[i]);
  r = db_begin (s->db, err);
  if (r < 0)
    return r;
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2 (db_sqlite (s->db),
                               "INSERT INTO snapshots (id, image_id, created) VALUES (?, ?, ?)", -1,
                               &st, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (st, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (st, 2, image_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (st, 3, (sqlite3_int64) time (NULL));
      rc = sqlite3_step (st);
      sqlite3_finalize (st);
    }
  if (rc != SQLITE_DONE)
    {
      r = rc == SQLITE_CONSTRAINT ? error_set (err, EEXIST, "snapshot `%s` already exists", id)
                                  : db_error_code (s->db, rc, "add snapshot", err);
      db_rollback (s->db);
      return r;
    }
  /* Directories before the commit: a crash leaves directories without a row
   * (removed by snapshot_remove of the same id) rather than a row without
   * directories. */
  _cleanup_free_ char *dir = snap_path (s, id, NULL);
  _cleanup_free_ char *upper = snap_path (s, id, "upper");
  _cleanup_free_ char *work = snap_path (s, id, "work");
  if (dir == NULL || upper == NULL || work == NULL)
    {
      db_rollback (s->db);
      return error_set (err, ENOMEM, "out of memory");
    }
  if ((mkdir (dir, 0700) < 0 && errno != EEXIST) || (mkdir (upper, 0755) < 0 && errno != EEXIST)
      || (mkdir (work, 0700) < 0 && errno != EEXIST))
    {
      r = error_errno (err, errno, "create snapshot `%s`", id);
      db_rollback (s->db);
      return r;
    }
  return db_commit (s->db, err);
}

int
snapshot_image (struct image_store *s, const char *id, char **image_id, struct error **err)
{
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2 (db_sqlite (s->db), "SELECT image_id FROM snapshots WHERE id = ?", -1,
                               &st, NULL);
  if (rc != SQLITE_OK)
    return db_error_code (s->db, rc, "snapshot", err);
  sqlite3_bind_text (st, 1, id, -1, SQLITE_TRANSIENT);
  int r;
  if (sqlite3_step (st) == SQLITE_ROW && sqlite3_column_text (st, 0))
    {
      *image_id = strdup ((const char *) sqlite3_column_text (st, 0));
      r = *image_id ? 0 : error_set (err, ENOMEM, "out of memory");
    }
  else
    r = error_set (err, ENOENT, "snapshot `%s` not found", id);
  sqlite3_finalize (st);
  return r;
}

int
snapshot_lowerdirs (struct image_store *s, const char *image_id, char ***dirs, struct error **err)
{
  _cleanup_image_info_ struct image_info *img = NULL;
  int r = image_store_get_image (s, image_id, &img, err);
  if (r < 0)
    return r;
  size_t n = strv_len (img->diff_ids);
  _cleanup_strv_ char **v = NULL;
  for (size_t i = n; i > 0; i--)
    if (strv_consume (&v, image_store_layer_path (s, img->diff_ids[i - 1])) < 0)
      return error_set (err, ENOMEM, "out of memory");
  *dirs = TAKE_PTR (v);
  return 0;
}

/* The new mount API: each lower layer is one fsconfig call, so the 4 KiB
 * limit of mount(2)'s option page does not apply (images with 100+ layers
 * would not fit with full paths). */
static int
mount_fsconfig (char **lowers, const char *upper, const char *work, const char *target,
                bool volatile_, struct error **err)
{
  _cleanup_close_ int fs = (int) syscall (SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (fs < 0)
    return -errno;
  for (size_t i = 0; lowers[i]; i++)
    if (syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) < 0)
      return -errno; /* EINVAL before 6.8: fall back */
  if (syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0
      || syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0)
    return error_errno (err, errno, "overlay: upper/work directories");
  /* no inodes index, no redirects: behave the same on every kernel, and do
   * not trust redirect xattrs (the layers are not ours) */
  syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "index", "off", 0);
  syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "redirect_dir", "off", 0);
  syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "metacopy", "off", 0);
  if (volatile_ && syscall (SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0)
    return error_errno (err, errno, "overlay: volatile");
  if (syscall (SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return error_errno (err, errno, "overlay: create");
  _cleanup_close_ int mfd = (int) syscall (SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
  if (mfd < 0)
    return error_errno (err, errno, "overlay: fsmount");
  if (syscall (SYS_move_mount, mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return error_errno (err, errno, "overlay: attach at `%s`", target);
  return 0;
}

static int
mount_legacy (char **lowers, const char *upper, const char *work, const char *target,
              bool volatile_, struct error **err)
{
  size_t len = 64 + strlen (upper) + strlen (work);
  for (size_t i = 0; lowers[i]; i++)
    len += strlen (lowers[i]) + 1;
  long page = sysconf (_SC_PAGESIZE);
  if ((long) len >= page)
    return error_set (err, E2BIG, "overlay: %zu layers do not fit in the mount options of this "
                      "kernel (needs fsconfig lowerdir+, Linux 6.8)", strv_len (lowers));
  _cleanup_free_ char *opts = malloc (len);
  if (opts == NULL)
    return error_set (err, ENOMEM, "out of memory");
  size_t o = (size_t) sprintf (opts, "lowerdir=");
  for (size_t i = 0; lowers[i]; i++)
    o += (size_t) sprintf (opts + o, "%s%s", i ? ":" : "", lowers[i]);
  sprintf (opts + o, ",upperdir=%s,workdir=%s,index=off,redirect_dir=off%s", upper, work,
           volatile_ ? ",volatile" : "");
  if (mount ("overlay", target, "overlay", 0, opts) < 0)
    return error_errno (err, errno, "mount overlay at `%s`", target);
  return 0;
}

int
snapshot_mount (struct image_store *s, const char *id, const char *target, char **mountpoint,
                struct error **err)
{
  return snapshot_mount_ex (s, id, target, 0, mountpoint, err);
}

int
snapshot_mount_ex (struct image_store *s, const char *id, const char *target, unsigned flags,
                   char **mountpoint, struct error **err)
{
  bool vol = (flags & SNAPSHOT_MOUNT_VOLATILE) != 0;
  if (!snapshot_id_valid (id))
    return error_set (err, EINVAL, "invalid snapshot id `%.130s`", id);
  _cleanup_free_ char *image_id = NULL;
  int r = snapshot_image (s, id, &image_id, err);
  if (r < 0)
    return r;
  _cleanup_strv_ char **lowers = NULL;
  r = snapshot_lowerdirs (s, image_id, &lowers, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *upper = snap_path (s, id, "upper");
  _cleanup_free_ char *work = snap_path (s, id, "work");
  _cleanup_free_ char *def = snap_path (s, id, "merged");
  _cleanup_free_ char *empty = snap_path (s, id, "empty");
  if (!upper || !work || !def || !empty)
    return error_set (err, ENOMEM, "out of memory");
  if (lowers == NULL || lowers[0] == NULL)
    {
      /* an image without layers: overlay needs one lower directory */
      if (mkdir (empty, 0755) < 0 && errno != EEXIST)
        return error_errno (err, errno, "mkdir `%s`", empty);
      strv_push (&lowers, empty);
    }
  if (target == NULL)
    {
      target = def;
      if (mkdir (def, 0755) < 0 && errno != EEXIST)
        return error_errno (err, errno, "mkdir `%s`", def);
    }
  r = -ENOSYS;
  if (!snapshot_force_legacy_mount)
    r = mount_fsconfig (lowers, upper, work, target, vol, err);
  if (r == -ENOSYS || r == -EINVAL)
    r = mount_legacy (lowers, upper, work, target, vol, err);
  else if (r < 0 && !*err)
    r = error_errno (err, -r, "mount overlay at `%s`", target);
  if (r < 0)
    return error_prefix (err, "snapshot `%s`", id);
  if (mountpoint)
    *mountpoint = strdup (target);
  return 0;
}

int
snapshot_unmount (struct image_store *s, const char *id, const char *target, struct error **err)
{
  _cleanup_free_ char *def = NULL;
  if (target == NULL)
    {
      if (!snapshot_id_valid (id))
        return error_set (err, EINVAL, "invalid snapshot id `%.130s`", id);
      target = def = snap_path (s, id, "merged");
      if (def == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }
  if (umount2 (target, UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    {
      if (errno != EBUSY || umount2 (target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
        return error_errno (err, errno, "unmount `%s`", target);
    }
  return 0;
}

int
snapshot_remove (struct image_store *s, const char *id, struct error **err)
{
  if (!snapshot_id_valid (id))
    return error_set (err, EINVAL, "invalid snapshot id `%.130s`", id);
  int r = snapshot_unmount (s, id, NULL, err);
  if (r < 0)
    return r;
  char rel[200];
  snprintf (rel, sizeof rel, "snapshots/%s", id);
  /* fs_rm_rf_at never crosses into another mount: a forgotten mount below
   * is left alone rather than emptied */
  r = fs_rm_rf_at (s->rootfd, rel, err);
  if (r < 0)
    return error_prefix (err, "remove snapshot `%s`", id);
  r = db_begin (s->db, err);
  if (r < 0)
    return r;
  sqlite3_stmt *st = NULL;
  int rc
      = sqlite3_prepare_v2 (db_sqlite (s->db), "DELETE FROM snapshots WHERE id = ?", -1, &st, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (st, 1, id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (st);
      sqlite3_finalize (st);
    }
  if (rc != SQLITE_DONE)
    {
      r = db_error_code (s->db, rc, "remove snapshot", err);
      db_rollback (s->db);
      return r;
    }
  return db_commit (s->db, err);
}
