/* layout.c - which cgroup hierarchies are mounted where.
 *
 * Read once per process from /proc/self/mountinfo: hullrt starts and ends in
 * a few milliseconds, and every command needs the layout, so it is parsed a
 * single time and kept (keyed by the root, so tests can move it).
 *
 * The root is /sys/fs/cgroup or $HULL_CGROUP_ROOT.  A cgroup2 mount at the
 * root means a pure v2 host; cgroup (v1) mounts below it mean v1, plus a
 * cgroup2 mount below it (".../unified") means hybrid.
 *
 * Tests may point HULL_CGROUP_ROOT at a plain directory tree with the control
 * files pre-created (nothing mounted): then the layout is inferred from the
 * directory names ("memory", "cpu,cpuacct", "unified" holding
 * cgroup.controllers...).  This is never done for the default root.
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct
{
  const char *v1, *v2;
} ctrl_names[CG_N_CTRL] = {
  [CG_CPU] = { "cpu", "cpu" },
  [CG_CPUACCT] = { "cpuacct", NULL },
  [CG_CPUSET] = { "cpuset", "cpuset" },
  [CG_MEMORY] = { "memory", "memory" },
  [CG_DEVICES] = { "devices", NULL },
  [CG_FREEZER] = { "freezer", NULL },
  [CG_BLKIO] = { "blkio", "io" },
  [CG_PIDS] = { "pids", "pids" },
  [CG_HUGETLB] = { "hugetlb", "hugetlb" },
  [CG_NET_CLS] = { "net_cls", NULL },
  [CG_NET_PRIO] = { "net_prio", NULL },
  [CG_RDMA] = { "rdma", "rdma" },
  [CG_PERF_EVENT] = { "perf_event", "perf_event" },
  [CG_MISC] = { "misc", "misc" },
};

const char *
cg_ctrl_name (enum cg_ctrl c)
{
  return c < CG_N_CTRL ? ctrl_names[c].v1 : "?";
}

const char *
cg_ctrl_v2_name (enum cg_ctrl c)
{
  return c < CG_N_CTRL ? ctrl_names[c].v2 : NULL;
}

int
cg_ctrl_from_name (const char *name)
{
  for (int i = 0; i < CG_N_CTRL; i++)
    if (strcmp (name, ctrl_names[i].v1) == 0
        || (ctrl_names[i].v2 && strcmp (name, ctrl_names[i].v2) == 0))
      return i;
  return -1;
}

char *
cg_hier_ctrls_str (const struct cg_hier *h)
{
  if (h->v2)
    return strdup ("");
  char *s = NULL;
  if (h->name)
    return asprintf (&s, "name=%s", h->name) < 0 ? NULL : s;
  s = strdup ("");
  for (int c = 0; s && c < CG_N_CTRL; c++)
    if (h->ctrls & (1u << c))
      {
        char *ns = NULL;
        if (asprintf (&ns, "%s%s%s", s, *s ? "," : "", cg_ctrl_name (c)) < 0)
          ns = NULL;
        free (s);
        s = ns;
      }
  return s;
}

static void
layout_free (struct cg_layout *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->n; i++)
    {
      free (l->h[i].mnt);
      free (l->h[i].mnt_root);
      free (l->h[i].name);
    }
  free (l->h);
  free (l->root);
  free (l);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void
unescape (char *s)
{
  char *w = s;
  for (char *r = s; *r; r++)
    {
      if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0'
          && r[2] <= '7' && r[3] >= '0' && r[3] <= '7')
        {
          *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
          r += 3;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
}

/* v1 super options "rw,cpu,cpuacct" / "rw,name=systemd" -> mask, name */
static void
parse_v1_opts (const char *opts, uint32_t *mask, char **name)
{
  _cleanup_free_ char *dup = strdup (opts);
  if (dup == NULL)
    return;
  char *save = NULL;
  for (char *t = strtok_r (dup, ",", &save); t; t = strtok_r (NULL, ",", &save))
    {
      if (str_has_prefix (t, "name="))
        {
          free (*name);
          *name = strdup (t + 5);
          continue;
        }
      int c = cg_ctrl_from_name (t);
      /* "io" is only a v2 name; v1 options never say it */
      if (c >= 0 && strcmp (t, "io") != 0)
        *mask |= 1u << c;
    }
}

static int
add_hier (struct cg_layout *l, const char *mnt, const char *mnt_root,
          uint32_t ctrls, const char *name, bool v2)
{
  if (l->n >= 64)
    return -E2BIG;
  struct cg_hier *nh = realloc (l->h, (l->n + 1) * sizeof *nh);
  if (nh == NULL)
    return -ENOMEM;
  l->h = nh;
  struct cg_hier *h = &l->h[l->n];
  memset (h, 0, sizeof *h);
  h->mnt = strdup (mnt);
  h->mnt_root = strdup (mnt_root ? mnt_root : "/");
  h->name = name ? strdup (name) : NULL;
  h->ctrls = ctrls;
  h->v2 = v2;
  if (h->mnt == NULL || h->mnt_root == NULL || (name && h->name == NULL))
    {
      free (h->mnt);
      free (h->mnt_root);
      free (h->name);
      return -ENOMEM;
    }
  l->n++;
  return 0;
}

/* parent directory of p equals root? */
static bool
is_child_of (const char *p, const char *root)
{
  size_t n = strlen (root);
  if (n == 1 && root[0] == '/')
    n = 0;
  if (strncmp (p, root, n) != 0 || p[n] != '/' || p[n + 1] == '\0')
    return false;
  return strchr (p + n + 1, '/') == NULL;
}

static int
parse_mountinfo (struct cg_layout *l, struct error **err)
{
  _cleanup_free_ char *text = NULL;
  if (fs_read_file ("/proc/self/mountinfo", 16 << 20, &text, NULL, err) < 0)
    return -(*err)->code;
  bool root_is_v2 = false;
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    {
      /* id parent maj:min root mountpoint opts [optional...] - fstype src superopts */
      char *sep = strstr (line, " - ");
      if (sep == NULL)
        continue;
      *sep = '\0';
      char *tail = sep + 3;
      char *f[5] = { 0 };
      char *s2 = NULL;
      int i = 0;
      for (char *t = strtok_r (line, " ", &s2); t && i < 5;
           t = strtok_r (NULL, " ", &s2))
        f[i++] = t;
      if (i < 5)
        continue;
      char *s3 = NULL;
      char *fstype = strtok_r (tail, " ", &s3);
      char *src = strtok_r (NULL, " ", &s3);
      char *superopts = strtok_r (NULL, " ", &s3);
      (void) src;
      if (fstype == NULL || superopts == NULL)
        continue;
      bool v2 = strcmp (fstype, "cgroup2") == 0;
      if (!v2 && strcmp (fstype, "cgroup") != 0)
        continue;
      char *mnt_root = f[3], *mnt = f[4];
      unescape (mnt);
      unescape (mnt_root);
      bool at_root = strcmp (mnt, l->root) == 0;
      if (!at_root && !is_child_of (mnt, l->root))
        continue;
      /* a later mount over the same point hides the earlier one */
      for (size_t k = 0; k < l->n; k++)
        if (strcmp (l->h[k].mnt, mnt) == 0)
          {
            free (l->h[k].mnt);
            free (l->h[k].mnt_root);
            free (l->h[k].name);
            memmove (&l->h[k], &l->h[k + 1], (l->n - k - 1) * sizeof l->h[0]);
            l->n--;
            break;
          }
      if (at_root && v2)
        {
          /* pure v2: everything else under the root is irrelevant */
          root_is_v2 = true;
        }
      uint32_t mask = 0;
      _cleanup_free_ char *name = NULL;
      if (!v2)
        parse_v1_opts (superopts, &mask, &name);
      int r = add_hier (l, mnt, mnt_root, mask, name, v2);
      if (r < 0)
        return error_errno (err, -r, "cgroup mounts");
    }
  if (root_is_v2)
    {
      /* keep only the root mount */
      size_t w = 0;
      for (size_t k = 0; k < l->n; k++)
        {
          if (l->h[k].v2 && strcmp (l->h[k].mnt, l->root) == 0)
            l->h[w++] = l->h[k];
          else
            {
              free (l->h[k].mnt);
              free (l->h[k].mnt_root);
              free (l->h[k].name);
            }
        }
      l->n = w;
    }
  return 0;
}

/* Tests only: no cgroup mount at or under HULL_CGROUP_ROOT, so infer the
 * hierarchies from a pre-made directory tree. */
static int
infer_fake (struct cg_layout *l, struct error **err)
{
  _cleanup_close_ int rfd = open (l->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0)
    return error_errno (err, errno, "cgroup root `%s`", l->root);
  if (faccessat (rfd, "cgroup.controllers", F_OK, 0) == 0)
    {
      int r = add_hier (l, l->root, "/", 0, NULL, true);
      if (r < 0)
        return error_errno (err, -r, "cgroup layout");
      return 0;
    }
  _cleanup_closedir_ DIR *d = fdopendir (dup (rfd));
  if (d == NULL)
    return error_errno (err, errno, "read `%s`", l->root);
  struct dirent *de;
  _cleanup_strv_ char **names = NULL;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      struct stat st;
      if (fstatat (rfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
          || !S_ISDIR (st.st_mode))
        continue;
      if (strv_push (&names, de->d_name) < 0)
        return error_set (err, ENOMEM, "out of memory");
    }
  /* stable order regardless of readdir */
  size_t n = strv_len (names);
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && strcmp (names[j - 1], names[j]) > 0; j--)
      {
        char *t = names[j];
        names[j] = names[j - 1];
        names[j - 1] = t;
      }
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *mnt = fs_path_join (l->root, names[i]);
      if (mnt == NULL)
        return error_set (err, ENOMEM, "out of memory");
      int r;
      if (strcmp (names[i], "unified") == 0)
        r = add_hier (l, mnt, "/", 0, NULL, true);
      else if (strcmp (names[i], "systemd") == 0)
        r = add_hier (l, mnt, "/", 0, "systemd", false);
      else
        {
          uint32_t mask = 0;
          _cleanup_free_ char *name = NULL;
          parse_v1_opts (names[i], &mask, &name);
          if (mask == 0 && name == NULL)
            continue;
          r = add_hier (l, mnt, "/", mask, name, false);
        }
      if (r < 0)
        return error_errno (err, -r, "cgroup layout");
    }
  return 0;
}

static int
layout_compute (const char *root, struct cg_layout **out, struct error **err)
{
  struct cg_layout *l = calloc (1, sizeof *l);
  if (l == NULL)
    return error_set (err, ENOMEM, "out of memory");
  l->root = fs_path_clean (root);
  if (l->root == NULL)
    {
      layout_free (l);
      return error_set (err, ENOMEM, "out of memory");
    }
  int r = parse_mountinfo (l, err);
  if (r == 0 && l->n == 0 && getenv ("HULL_CGROUP_ROOT") != NULL)
    {
      r = infer_fake (l, err);
      l->fake = true;
    }
  if (r < 0)
    {
      layout_free (l);
      return r;
    }
  if (l->n == 0)
    {
      layout_free (l);
      return error_set (err, ENOENT,
                        "no cgroup hierarchy is mounted at or under `%s`", root);
    }
  l->v2 = -1;
  for (int c = 0; c < CG_N_CTRL; c++)
    l->ctrl_hier[c] = -1;
  bool any_v1 = false;
  for (size_t i = 0; i < l->n; i++)
    {
      if (l->h[i].v2)
        {
          if (l->v2 < 0)
            l->v2 = (int) i;
          continue;
        }
      any_v1 = true;
      for (int c = 0; c < CG_N_CTRL; c++)
        if ((l->h[i].ctrls & (1u << c)) && l->ctrl_hier[c] < 0)
          l->ctrl_hier[c] = (int) i;
    }
  if (!any_v1)
    l->mode = CGROUP_MODE_V2;
  else if (l->v2 >= 0)
    l->mode = CGROUP_MODE_HYBRID;
  else
    l->mode = CGROUP_MODE_V1;
  *out = l;
  return 0;
}

static struct cg_layout *cached;

void
cg_layout_reset (void)
{
  layout_free (cached);
  cached = NULL;
}

int
cg_layout_get (const struct cg_layout **out, struct error **err)
{
  const char *root = getenv ("HULL_CGROUP_ROOT");
  if (root == NULL || *root == '\0')
    root = "/sys/fs/cgroup";
  if (root[0] != '/')
    return error_set (err, EINVAL, "HULL_CGROUP_ROOT `%s` must be absolute", root);
  if (cached)
    {
      _cleanup_free_ char *clean = fs_path_clean (root);
      if (clean && strcmp (clean, cached->root) == 0)
        {
          *out = cached;
          return 0;
        }
      cg_layout_reset ();
    }
  struct cg_layout *l = NULL;
  int r = layout_compute (root, &l, err);
  if (r < 0)
    return error_prefix (err, "cgroup layout");
  cached = l;
  *out = l;
  return 0;
}

int
cgroup_mode (enum cgroup_mode *out, struct error **err)
{
  const struct cg_layout *l;
  int r = cg_layout_get (&l, err);
  if (r < 0)
    return r;
  *out = l->mode;
  return 0;
}

/* "N:ctrl,ctrl:/path" lines; "0::/path" is the unified hierarchy. */
int
cg_parse_proc_cgroup (const struct cg_layout *l, const char *text, char **own,
                      struct error **err)
{
  _cleanup_free_ char *dup = strdup (text);
  if (dup == NULL)
    return error_set (err, ENOMEM, "out of memory");
  char *save = NULL;
  for (char *line = strtok_r (dup, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save))
    {
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      *c1 = '\0';
      *c2 = '\0';
      const char *ctrls = c1 + 1, *path = c2 + 1;
      bool v2 = *ctrls == '\0' && strcmp (line, "0") == 0;
      uint32_t mask = 0;
      _cleanup_free_ char *name = NULL;
      if (!v2)
        parse_v1_opts (ctrls, &mask, &name);
      for (size_t i = 0; i < l->n; i++)
        {
          const struct cg_hier *h = &l->h[i];
          bool match = v2 ? h->v2
                          : (!h->v2 && h->ctrls == mask
                             && ((h->name == NULL && name == NULL)
                                 || (h->name && name
                                     && strcmp (h->name, name) == 0)));
          if (!match || own[i] != NULL)
            continue;
          own[i] = strdup (path);
          if (own[i] == NULL)
            return error_set (err, ENOMEM, "out of memory");
        }
    }
  return 0;
}
