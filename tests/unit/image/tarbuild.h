/* tarbuild.h - build tar archives in memory for the image unit tests. */
#ifndef HULL_TESTS_TARBUILD_H
#define HULL_TESTS_TARBUILD_H

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct tb
{
  struct archive *a;
  char *buf;
  size_t cap, used;
};

static inline void
tb_begin (struct tb *t)
{
  t->cap = 16 << 20;
  t->buf = malloc (t->cap);
  t->used = 0;
  t->a = archive_write_new ();
  archive_write_set_format_pax_restricted (t->a);
  archive_write_open_memory (t->a, t->buf, t->cap, &t->used);
}

static inline void
tb_add (struct tb *t, const char *name, mode_t type, mode_t perm, const char *data,
        const char *link, const char *hardlink, unsigned uid, unsigned gid)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, type);
  archive_entry_set_perm (e, perm);
  archive_entry_set_uid (e, uid);
  archive_entry_set_gid (e, gid);
  archive_entry_set_mtime (e, 1000000000, 0);
  if (link)
    archive_entry_set_symlink (e, link);
  if (hardlink)
    archive_entry_set_hardlink (e, hardlink);
  size_t n = data ? strlen (data) : 0;
  archive_entry_set_size (e, (type == AE_IFREG && !hardlink) ? (la_int64_t) n : 0);
  archive_write_header (t->a, e);
  if (n && type == AE_IFREG && !hardlink)
    archive_write_data (t->a, data, n);
  archive_entry_free (e);
}

static inline void
tb_file (struct tb *t, const char *name, const char *data)
{
  tb_add (t, name, AE_IFREG, 0644, data, NULL, NULL, 0, 0);
}
static inline void
tb_dir (struct tb *t, const char *name)
{
  tb_add (t, name, AE_IFDIR, 0755, NULL, NULL, NULL, 0, 0);
}
static inline void
tb_symlink (struct tb *t, const char *name, const char *target)
{
  tb_add (t, name, AE_IFLNK, 0777, NULL, target, NULL, 0, 0);
}
static inline void
tb_hardlink (struct tb *t, const char *name, const char *target)
{
  tb_add (t, name, AE_IFREG, 0644, NULL, NULL, target, 0, 0);
}

static inline void
tb_end (struct tb *t)
{
  archive_write_close (t->a);
  archive_write_free (t->a);
}

#endif
