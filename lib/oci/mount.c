/* mount.c - `mounts` of config.json and their option strings.
 *
 * The option vocabulary is the union of what runc and crun accept (and what
 * runtime-spec 1.2 lists): mount(2) flags, propagation, the recursive
 * mount_setattr(2) attributes ("rro", "rnosuid"...), idmap/ridmap and crun's
 * tmpcopyup.  Everything else is filesystem data ("mode=755", "size=64k").
 */
#include "oci/config.h"
#include "oci/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#define MOUNT_ATTR__ATIME 0x00000070
#define MOUNT_ATTR_RELATIME 0x00000000
#define MOUNT_ATTR_NOATIME 0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME 0x00000080
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

enum opt_kind
{
  OPT_SET,       /* flags |= v */
  OPT_CLEAR,     /* clear_flags |= v */
  OPT_PROPAGATION,
  OPT_ATTR_SET,  /* recursive: attr_set |= v */
  OPT_ATTR_CLR,  /* recursive: attr_clr |= v */
  OPT_ATTR_ATIME, /* recursive: the atime mode becomes v */
  OPT_NONE,      /* "defaults" */
  OPT_RRO,
  OPT_IDMAP,
  OPT_RIDMAP,
  OPT_TMPCOPYUP,
};

static const struct
{
  const char *name;
  enum opt_kind kind;
  unsigned long v;
} mount_options[] = {
  { "defaults", OPT_NONE, 0 },
  { "ro", OPT_SET, MS_RDONLY },
  { "rw", OPT_CLEAR, MS_RDONLY },
  { "nosuid", OPT_SET, MS_NOSUID },
  { "suid", OPT_CLEAR, MS_NOSUID },
  { "nodev", OPT_SET, MS_NODEV },
  { "dev", OPT_CLEAR, MS_NODEV },
  { "noexec", OPT_SET, MS_NOEXEC },
  { "exec", OPT_CLEAR, MS_NOEXEC },
  { "sync", OPT_SET, MS_SYNCHRONOUS },
  { "async", OPT_CLEAR, MS_SYNCHRONOUS },
  { "dirsync", OPT_SET, MS_DIRSYNC },
  { "remount", OPT_SET, MS_REMOUNT },
  { "mand", OPT_SET, MS_MANDLOCK },
  { "nomand", OPT_CLEAR, MS_MANDLOCK },
  { "noatime", OPT_SET, MS_NOATIME },
  { "atime", OPT_CLEAR, MS_NOATIME },
  { "nodiratime", OPT_SET, MS_NODIRATIME },
  { "diratime", OPT_CLEAR, MS_NODIRATIME },
  { "relatime", OPT_SET, MS_RELATIME },
  { "norelatime", OPT_CLEAR, MS_RELATIME },
  { "strictatime", OPT_SET, MS_STRICTATIME },
  { "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
  { "lazytime", OPT_SET, MS_LAZYTIME },
  { "nolazytime", OPT_CLEAR, MS_LAZYTIME },
  { "silent", OPT_SET, MS_SILENT },
  { "loud", OPT_CLEAR, MS_SILENT },
  { "iversion", OPT_SET, MS_I_VERSION },
  { "noiversion", OPT_CLEAR, MS_I_VERSION },
  { "acl", OPT_SET, MS_POSIXACL },
  { "noacl", OPT_CLEAR, MS_POSIXACL },
  { "nosymfollow", OPT_SET, MS_NOSYMFOLLOW },
  { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
  { "bind", OPT_SET, MS_BIND },
  { "rbind", OPT_SET, MS_BIND | MS_REC },
  { "private", OPT_PROPAGATION, MS_PRIVATE },
  { "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC },
  { "shared", OPT_PROPAGATION, MS_SHARED },
  { "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC },
  { "slave", OPT_PROPAGATION, MS_SLAVE },
  { "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC },
  { "unbindable", OPT_PROPAGATION, MS_UNBINDABLE },
  { "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC },
  { "rro", OPT_RRO, MOUNT_ATTR_RDONLY },
  { "rrw", OPT_ATTR_CLR, MOUNT_ATTR_RDONLY },
  { "rnosuid", OPT_ATTR_SET, MOUNT_ATTR_NOSUID },
  { "rsuid", OPT_ATTR_CLR, MOUNT_ATTR_NOSUID },
  { "rnodev", OPT_ATTR_SET, MOUNT_ATTR_NODEV },
  { "rdev", OPT_ATTR_CLR, MOUNT_ATTR_NODEV },
  { "rnoexec", OPT_ATTR_SET, MOUNT_ATTR_NOEXEC },
  { "rexec", OPT_ATTR_CLR, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", OPT_ATTR_SET, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", OPT_ATTR_CLR, MOUNT_ATTR_NODIRATIME },
  { "rnosymfollow", OPT_ATTR_SET, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", OPT_ATTR_CLR, MOUNT_ATTR_NOSYMFOLLOW },
  /* The atime attributes are a 3-valued field in mount_setattr: leaving
   * noatime or strictatime returns to the kernel's default, relatime. */
  { "rnoatime", OPT_ATTR_ATIME, MOUNT_ATTR_NOATIME },
  { "ratime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME },
  { "rrelatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME },
  { "rnorelatime", OPT_ATTR_ATIME, MOUNT_ATTR_STRICTATIME },
  { "rstrictatime", OPT_ATTR_ATIME, MOUNT_ATTR_STRICTATIME },
  { "rnostrictatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME },
  { "idmap", OPT_IDMAP, 0 },
  { "ridmap", OPT_RIDMAP, 0 },
  { "tmpcopyup", OPT_TMPCOPYUP, 0 },
};

const char *
oci_mount_option_name (size_t i)
{
  return i < ARRAY_SIZE (mount_options) ? mount_options[i].name : NULL;
}

static int
append_data (char **data, size_t *len, const char *opt)
{
  size_t l = strlen (opt);
  char *n = realloc (*data, *len + l + 2);
  if (n == NULL)
    return -ENOMEM;
  if (*len)
    n[(*len)++] = ',';
  memcpy (n + *len, opt, l + 1);
  *len += l;
  *data = n;
  return 0;
}

int
oci_mount_parse_options (struct oci_mount *m, struct error **err)
{
  _cleanup_free_ char *data = NULL;
  size_t data_len = 0;
  m->flags = m->clear_flags = m->propagation = 0;
  m->attr_set = m->attr_clr = 0;
  m->recursive_ro = m->idmap_recursive = m->tmpcopyup = false;
  m->idmap = m->n_uid_mappings > 0;
  free (m->data);
  m->data = NULL;

  for (size_t i = 0; m->options && m->options[i]; i++)
    {
      const char *o = m->options[i];
      size_t j;
      for (j = 0; j < ARRAY_SIZE (mount_options); j++)
        if (strcmp (o, mount_options[j].name) == 0)
          break;
      if (j == ARRAY_SIZE (mount_options))
        {
          if (*o == '\0')
            continue;
          if (append_data (&data, &data_len, o) < 0)
            return error_set (err, ENOMEM, "out of memory");
          continue;
        }
      unsigned long v = mount_options[j].v;
      /* Later options win over earlier ones, as with mount(8). */
      switch (mount_options[j].kind)
        {
        case OPT_SET:
          m->flags |= v;
          m->clear_flags &= ~v;
          break;
        case OPT_CLEAR:
          m->clear_flags |= v;
          m->flags &= ~v;
          break;
        case OPT_PROPAGATION:
          /* mount(2) takes one propagation type per call */
          m->propagation = v;
          break;
        case OPT_RRO:
          m->recursive_ro = true;
          /* fallthrough */
        case OPT_ATTR_SET:
          m->attr_set |= v;
          m->attr_clr &= ~v;
          break;
        case OPT_ATTR_CLR:
          if (v == MOUNT_ATTR_RDONLY)
            m->recursive_ro = false;
          m->attr_clr |= v;
          m->attr_set &= ~v;
          break;
        case OPT_ATTR_ATIME:
          m->attr_clr |= MOUNT_ATTR__ATIME;
          m->attr_set = (m->attr_set & ~(unsigned long) MOUNT_ATTR__ATIME) | v;
          break;
        case OPT_IDMAP:
          m->idmap = true;
          m->idmap_recursive = false;
          break;
        case OPT_RIDMAP:
          m->idmap = true;
          m->idmap_recursive = true;
          break;
        case OPT_TMPCOPYUP:
          m->tmpcopyup = true;
          break;
        case OPT_NONE:
          break;
        }
    }
  /* A bind mount may also be asked for by type alone. */
  if (m->type && strcmp (m->type, "bind") == 0)
    m->flags |= MS_BIND;
  m->data = TAKE_PTR (data);
  return 0;
}

void
oci_mount_clear (struct oci_mount *m)
{
  free (m->destination);
  free (m->type);
  free (m->source);
  strv_free (m->options);
  free (m->data);
  free (m->uid_mappings);
  free (m->gid_mappings);
  memset (m, 0, sizeof *m);
}

static int
parse_mount (json_object *e, const char *k, struct oci_mount *m, struct error **err)
{
  char f[OCI_KEY_MAX];
  const char *dest;
  int r;
  if (json_object_get_type (e) != json_type_object)
    return error_set (err, EINVAL, "`%s` must be an object, not %s", k,
                      json_type_to_name (json_object_get_type (e)));
  r = oci_get_string (e, k, "destination", &dest, err);
  if (r < 0)
    return r;
  if (r == 0)
    return oci_missing (k, "destination", err);
  if (*dest == '\0')
    return error_set (err, EINVAL, "`%s` must not be empty", oci_key (f, k, "destination"));
  /* Relative destinations are deprecated but allowed: relative to "/", as
   * runc reads them.  The runtime still resolves the result inside the
   * rootfs; cleaning here only makes it canonical for comparisons. */
  _cleanup_free_ char *abs = NULL;
  if (*dest != '/')
    {
      abs = fs_path_join ("/", dest);
      if (abs == NULL)
        return error_set (err, ENOMEM, "out of memory");
      dest = abs;
    }
  m->destination = fs_path_clean (dest);
  if (m->destination == NULL)
    return error_set (err, ENOMEM, "out of memory");
  if ((r = oci_get_strdup (e, k, "type", &m->type, err)) < 0)
    return r;
  if ((r = oci_get_strdup (e, k, "source", &m->source, err)) < 0)
    return r;
  if ((r = oci_get_strv (e, k, "options", &m->options, err)) < 0)
    return r;
  if ((r = oci_parse_id_mappings (e, k, "uidMappings", &m->uid_mappings, &m->n_uid_mappings,
                                  err))
      < 0)
    return r;
  if ((r = oci_parse_id_mappings (e, k, "gidMappings", &m->gid_mappings, &m->n_gid_mappings,
                                  err))
      < 0)
    return r;
  if ((m->n_uid_mappings == 0) != (m->n_gid_mappings == 0))
    return error_set (err, EINVAL, "`%s`: `uidMappings` and `gidMappings` go together", k);
  if ((r = oci_mount_parse_options (m, err)) < 0)
    return error_prefix (err, "`%s`", k);
  return 0;
}

int
oci_mounts_parse (json_object *root, struct oci_config *c, struct error **err)
{
  json_object *a;
  int r = oci_get_array (root, "", "mounts", &a, err);
  if (r <= 0)
    return r;
  size_t n = json_object_array_length (a);
  c->mounts = calloc (n ? n : 1, sizeof *c->mounts);
  if (c->mounts == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      char k[OCI_KEY_MAX];
      json_object *e = json_object_array_get_idx (a, i);
      oci_key_idx (k, "", "mounts", i);
      c->n_mounts = i + 1;
      if (e == NULL)
        return error_set (err, EINVAL, "`%s` must be an object, not null", k);
      if ((r = parse_mount (e, k, &c->mounts[i], err)) < 0)
        return r;
    }
  return 0;
}
