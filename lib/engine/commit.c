/* commit.c - `hull diff` (the container's upper directory against its
 * image's layers) and `hull commit` (that directory as a new layer, with
 * OCI whiteouts, on top of the image's). */
#include "engine/internal.h"
#include "engine/copy.h"
#include "monitor/monitor.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "image/create.h"
#include "image/images.h"
#include "image/manifest.h"
#include "image/snapshot.h"
#include "image/store.h"
#include "image/stream.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* Mount points the runtime made in the root for the engine's own mounts:
 * not the container's changes (docker keeps them in an "init" layer). */
static char **
engine_mountpoints (const struct ctr_record *r)
{
  char **v = NULL;
  strv_push (&v, "etc/hosts");
  strv_push (&v, "etc/hostname");
  strv_push (&v, "etc/resolv.conf");
  for (size_t i = 0; r->spec && i < r->spec->n_mounts; i++)
    if (r->spec->mounts[i].target && r->spec->mounts[i].target[0] == '/')
      strv_push (&v, r->spec->mounts[i].target + 1);
  return v;
}

static bool
is_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0);
}

/* Does path exist in the image (lower dirs, top first)? *lst gets its stat. */
static bool
in_lower (char *const *lowers, const char *path, struct stat *lst)
{
  for (size_t i = 0; lowers && lowers[i]; i++)
    {
      _cleanup_close_ int lfd = open (lowers[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (lfd < 0)
        continue;
      struct stat st;
      /* resolve beneath the layer without following links out of it */
      _cleanup_error_ struct error *e = NULL;
      _cleanup_close_ int fd = fs_open_in_root (lfd, path, O_PATH | O_NOFOLLOW, 0, &e);
      if (fd < 0)
        continue;
      if (fstatat (fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (is_whiteout (&st))
        return false;
      if (lst)
        *lst = st;
      return true;
    }
  return false;
}

struct diff
{
  char **lowers;
  char **exclude;
  char **lines;
};

static int diff_dir (struct diff *d, int dfd, const char *prefix, bool added, struct error **err);

static int
add_line (struct diff *d, char kind, const char *path)
{
  char *l = NULL;
  if (asprintf (&l, "%c /%s", kind, path) < 0)
    return -ENOMEM;
  return strv_consume (&d->lines, l);
}

/* Returns 1 when something under (or at) path was reported. */
static int
diff_dir (struct diff *d, int dfd, const char *prefix, bool added, struct error **err)
{
  int dup_fd = fcntl (dfd, F_DUPFD_CLOEXEC, 3);
  DIR *dir = dup_fd >= 0 ? fdopendir (dup_fd) : NULL;
  if (dir == NULL)
    {
      safe_close (dup_fd);
      return error_errno (err, errno, "read `%s`", prefix);
    }
  int any = 0;
  struct dirent *de;
  _cleanup_strv_ char **names = NULL;
  while ((de = readdir (dir)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      strv_push (&names, de->d_name);
  closedir (dir);
  for (size_t i = 0; names && names[i]; i++)
    {
      _cleanup_free_ char *path = NULL;
      if (asprintf (&path, "%s%s%s", prefix, *prefix ? "/" : "", names[i]) < 0)
        return error_set (err, ENOMEM, "out of memory");
      if (strv_contains (d->exclude, path))
        continue;
      struct stat st, lst;
      if (fstatat (dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (is_whiteout (&st))
        {
          add_line (d, 'D', path);
          any = 1;
          continue;
        }
      bool existed = !added && in_lower (d->lowers, path, &lst);
      if (S_ISDIR (st.st_mode))
        {
          _cleanup_close_ int sub = openat (dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub < 0)
            continue;
          if (!existed)
            {
              add_line (d, 'A', path);
              any = 1;
              int r = diff_dir (d, sub, path, true, err);
              if (r < 0)
                return r;
              continue;
            }
          size_t mark = strv_len (d->lines);
          int r = diff_dir (d, sub, path, false, err);
          if (r < 0)
            return r;
          bool attrs = st.st_mode != lst.st_mode || st.st_uid != lst.st_uid
                       || st.st_gid != lst.st_gid;
          char v[4] = "";
          bool opaque = fgetxattr (sub, "trusted.overlay.opaque", v, sizeof v) > 0 && v[0] == 'y';
          if (r > 0 || attrs || opaque)
            {
              /* the directory goes before what is in it */
              char *l = NULL;
              if (asprintf (&l, "C /%s", path) < 0)
                return error_set (err, ENOMEM, "out of memory");
              size_t n = strv_len (d->lines);
              strv_consume (&d->lines, l);
              memmove (&d->lines[mark + 1], &d->lines[mark], (n - mark) * sizeof (char *));
              d->lines[mark] = l;
              any = 1;
            }
          continue;
        }
      add_line (d, existed ? 'C' : 'A', path);
      any = 1;
    }
  return any;
}

int
engine_diff (struct engine *e, const struct ctr_record *r, char ***out, struct error **err)
{
  _cleanup_free_ char *upper = snapshot_upper_path (e->store, r->id);
  _cleanup_close_ int ufd = upper ? open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (ufd < 0)
    return error_errno (err, upper ? errno : ENOMEM, "the changes of `%.12s`", r->id);
  struct diff d = { 0 };
  int ret = snapshot_lowerdirs (e->store, r->image_id, &d.lowers, err);
  if (ret < 0)
    return ret;
  d.exclude = engine_mountpoints (r);
  ret = diff_dir (&d, ufd, "", false, err);
  strv_free (d.lowers);
  strv_free (d.exclude);
  if (ret < 0)
    {
      strv_free (d.lines);
      return ret;
    }
  *out = d.lines ? d.lines : calloc (1, sizeof (char *));
  return 0;
}

/* ------------------------------------------------------------ commit */

static json_object *
strv_to_json (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (size_t i = 0; v && v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

/* "CMD [\"a\",\"b\"]" (exec form) or "CMD a b" (shell form). */
static json_object *
command_form (const char *v, struct error **err)
{
  while (*v == ' ')
    v++;
  if (*v == '[')
    {
      json_object *a = NULL;
      if (jsonx_parse (v, strlen (v), &a, err) < 0 || !json_object_is_type (a, json_type_array))
        {
          if (a)
            json_object_put (a);
          if (*err == NULL)
            error_set (err, EINVAL, "`%s` is not a JSON array", v);
          return NULL;
        }
      for (size_t i = 0; i < json_object_array_length (a); i++)
        if (!json_object_is_type (json_object_array_get_idx (a, i), json_type_string))
          {
            json_object_put (a);
            error_set (err, EINVAL, "`%s`: only strings in the array", v);
            return NULL;
          }
      return a;
    }
  char *sh[] = { (char *) "/bin/sh", (char *) "-c", (char *) v, NULL };
  return strv_to_json (sh);
}

static json_object *
obj_of (json_object *parent, const char *key)
{
  json_object *o;
  if (json_object_object_get_ex (parent, key, &o) && o && json_object_is_type (o, json_type_object))
    return o;
  o = json_object_new_object ();
  json_object_object_add (parent, key, o);
  return o;
}

/* KEY=V pairs or "KEY V" (ENV, LABEL). */
static int
set_pairs (json_object *cfg, const char *key, const char *v, bool env, struct error **err)
{
  _cleanup_strv_ char **pairs = NULL;
  if (strchr (v, '=') == NULL)
    {
      const char *sp = strchr (v, ' ');
      if (sp == NULL)
        return error_set (err, EINVAL, "`%s`: expected KEY=VALUE", v);
      char *kv = NULL;
      if (asprintf (&kv, "%.*s=%s", (int) (sp - v), v, sp + 1) < 0)
        return error_set (err, ENOMEM, "out of memory");
      strv_consume (&pairs, kv);
    }
  else
    {
      _cleanup_free_ char *c = strdup (v);
      char *save = NULL;
      for (char *t = strtok_r (c, " ", &save); t; t = strtok_r (NULL, " ", &save))
        {
          if (strchr (t, '=') == NULL || *t == '=')
            return error_set (err, EINVAL, "`%s`: expected KEY=VALUE", t);
          size_t l = strlen (t);
          char *eq = strchr (t, '=');
          /* VALUE may be quoted */
          if (l - (size_t) (eq - t) >= 3 && eq[1] == '"' && t[l - 1] == '"')
            {
              memmove (eq + 1, eq + 2, l - (size_t) (eq - t) - 2);
              t[l - 2] = '\0';
            }
          strv_push (&pairs, t);
        }
    }
  if (env)
    {
      json_object *arr;
      if (!json_object_object_get_ex (cfg, "Env", &arr) || !json_object_is_type (arr, json_type_array))
        {
          arr = json_object_new_array ();
          json_object_object_add (cfg, "Env", arr);
        }
      for (size_t i = 0; pairs[i]; i++)
        {
          size_t kl = (size_t) (strchr (pairs[i], '=') - pairs[i]);
          bool done = false;
          for (size_t j = 0; j < json_object_array_length (arr) && !done; j++)
            {
              const char *cur = json_object_get_string (json_object_array_get_idx (arr, j));
              if (cur && strncmp (cur, pairs[i], kl) == 0 && cur[kl] == '=')
                {
                  json_object_array_put_idx (arr, j, json_object_new_string (pairs[i]));
                  done = true;
                }
            }
          if (!done)
            json_object_array_add (arr, json_object_new_string (pairs[i]));
        }
      return 0;
    }
  json_object *m = obj_of (cfg, key);
  for (size_t i = 0; pairs[i]; i++)
    {
      char *eq = strchr (pairs[i], '=');
      *eq = '\0';
      json_object_object_add (m, pairs[i], json_object_new_string (eq + 1));
    }
  return 0;
}

/* docker's --change instructions on the config's "config" object. */
static int
apply_change (json_object *cfg, const char *change, struct error **err)
{
  const char *sp = strchr (change, ' ');
  if (sp == NULL || sp[1] == '\0')
    return error_set (err, EINVAL, "invalid change `%s`", change);
  char ins[16];
  size_t il = (size_t) (sp - change);
  if (il >= sizeof ins)
    return error_set (err, EINVAL, "invalid change `%s`", change);
  for (size_t i = 0; i < il; i++)
    ins[i] = (char) (change[i] >= 'a' && change[i] <= 'z' ? change[i] - 32 : change[i]);
  ins[il] = '\0';
  const char *v = sp + 1;
  int r = 0;
  if (strcmp (ins, "CMD") == 0 || strcmp (ins, "ENTRYPOINT") == 0)
    {
      json_object *a = command_form (v, err);
      if (a == NULL)
        return error_prefix (err, "change `%s`", change);
      json_object_object_add (cfg, strcmp (ins, "CMD") == 0 ? "Cmd" : "Entrypoint", a);
    }
  else if (strcmp (ins, "ENV") == 0)
    r = set_pairs (cfg, "Env", v, true, err);
  else if (strcmp (ins, "LABEL") == 0)
    r = set_pairs (cfg, "Labels", v, false, err);
  else if (strcmp (ins, "WORKDIR") == 0)
    {
      if (v[0] != '/')
        return error_set (err, EINVAL, "change `%s`: WORKDIR must be absolute", change);
      json_object_object_add (cfg, "WorkingDir", json_object_new_string (v));
    }
  else if (strcmp (ins, "USER") == 0)
    json_object_object_add (cfg, "User", json_object_new_string (v));
  else if (strcmp (ins, "STOPSIGNAL") == 0)
    json_object_object_add (cfg, "StopSignal", json_object_new_string (v));
  else if (strcmp (ins, "EXPOSE") == 0 || strcmp (ins, "VOLUME") == 0)
    {
      bool expose = ins[0] == 'E';
      json_object *m = obj_of (cfg, expose ? "ExposedPorts" : "Volumes");
      _cleanup_json_ json_object *arr = NULL;
      if (!expose && v[0] == '[')
        {
          arr = command_form (v, err);
          if (arr == NULL)
            return error_prefix (err, "change `%s`", change);
          for (size_t i = 0; i < json_object_array_length (arr); i++)
            json_object_object_add (m, json_object_get_string (json_object_array_get_idx (arr, i)),
                                    json_object_new_object ());
          return 0;
        }
      _cleanup_free_ char *c = strdup (v);
      char *save = NULL;
      for (char *t = strtok_r (c, " ", &save); t; t = strtok_r (NULL, " ", &save))
        {
          char key[128];
          if (expose)
            {
              int port;
              char proto[8] = "tcp";
              if (sscanf (t, "%d/%7s", &port, proto) < 1 || port < 1 || port > 65535
                  || (strcmp (proto, "tcp") && strcmp (proto, "udp") && strcmp (proto, "sctp")))
                return error_set (err, EINVAL, "change `%s`: bad port `%s`", change, t);
              snprintf (key, sizeof key, "%d/%s", port, proto);
            }
          else
            {
              if (t[0] != '/')
                return error_set (err, EINVAL, "change `%s`: VOLUME must be absolute", change);
              snprintf (key, sizeof key, "%s", t);
            }
          json_object_object_add (m, key, json_object_new_object ());
        }
    }
  else
    return error_set (err, EINVAL, "invalid change `%s`: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
                                   "STOPSIGNAL, USER, VOLUME or WORKDIR", change);
  return r;
}

struct upper_tar
{
  int ufd;
  char **exclude;
};

static int
produce_layer (void *arg, int wfd, struct error **err)
{
  struct upper_tar *u = arg;
  struct copy_walk w = { .contents_only = true, .overlay_upper = true,
                         .exclude = (const char *const *) u->exclude };
  return copy_tree_to_tar (u->ufd, "", &w, wfd, err);
}

struct ingest_job
{
  struct engine *e;
  struct layer_ingest *li;
};

static int
consume_layer (void *arg, int rfd, struct error **err)
{
  struct ingest_job *j = arg;
  struct stream *in = stream_fd_new (rfd, false);
  if (in == NULL)
    return error_set (err, ENOMEM, "out of memory");
  int r = image_store_ingest_layer (j->e->store, in, j->li, err);
  return r;
}

int
engine_commit (struct engine *e, const char *ref, const struct engine_commit_opts *o,
               char **out_id, struct error **err)
{
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  int ret = engine_lookup (e, ref, &r, err);
  if (ret < 0)
    return ret;
  _cleanup_strv_ char **changes = NULL;
  _cleanup_image_info_ struct image_info *img = NULL;
  _cleanup_image_config_ struct image_config *parent = NULL;
  if ((ret = image_store_get_image (e->store, r->image_id, &img, err)) < 0
      || (ret = image_store_get_config (e->store, r->image_id, &parent, err)) < 0)
    return error_prefix (err, "the image of `%s`", ref);

  /* the new config: the parent's, with the container's Config (as docker)
   * and then the changes */
  _cleanup_json_ json_object *doc = NULL;
  if (json_object_deep_copy (parent->doc, &doc, NULL) < 0)
    return error_set (err, ENOMEM, "out of memory");
  json_object *cfg = obj_of (doc, "config");
  const struct ctr_spec *s = r->spec;
  json_object_object_add (cfg, "Env", strv_to_json (s->env));
  json_object_object_add (cfg, "Cmd", s->cmd ? strv_to_json (s->cmd) : NULL);
  json_object_object_add (cfg, "Entrypoint", s->entrypoint ? strv_to_json (s->entrypoint) : NULL);
  if (s->workdir)
    json_object_object_add (cfg, "WorkingDir", json_object_new_string (s->workdir));
  if (s->user)
    json_object_object_add (cfg, "User", json_object_new_string (s->user));
  if (s->labels)
    {
      json_object *l = json_object_new_object ();
      for (size_t i = 0; s->labels[i]; i++)
        {
          const char *eq = strchr (s->labels[i], '=');
          _cleanup_free_ char *k = eq ? strndup (s->labels[i], (size_t) (eq - s->labels[i]))
                                      : strdup (s->labels[i]);
          json_object_object_add (l, k, json_object_new_string (eq ? eq + 1 : ""));
        }
      json_object_object_add (cfg, "Labels", l);
    }
  for (size_t i = 0; o->changes && o->changes[i]; i++)
    if ((ret = apply_change (cfg, o->changes[i], err)) < 0)
      return ret;

  bool paused = false;
  if (o->pause && r->state == CTR_RUNNING)
    {
      /* a consistent snapshot: nothing writes while we read */
      _cleanup_error_ struct error *e2 = NULL;
      paused = runtime_pause (&e->rt, r->id, &e2) == 0;
    }
  _cleanup_free_ char *upper = snapshot_upper_path (e->store, r->id);
  struct upper_tar u = { .ufd = upper ? open (upper, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1,
                         .exclude = engine_mountpoints (r) };
  struct layer_ingest li = { .what = "committed layer", .blob_size = -1, .compress = true };
  struct ingest_job j = { .e = e, .li = &li };
  if (u.ufd < 0)
    ret = error_errno (err, upper ? errno : ENOMEM, "the changes of `%s`", ref);
  else
    ret = copy_pipe (produce_layer, &u, consume_layer, &j, err);
  if (paused)
    {
      _cleanup_error_ struct error *e2 = NULL;
      runtime_resume (&e->rt, r->id, &e2);
    }
  safe_close (u.ufd);
  strv_free (u.exclude);
  if (ret < 0)
    {
      layer_ingest_clear (&li);
      return error_prefix (err, "commit `%s`", ref);
    }

  /* rootfs.diff_ids and history grow by one */
  json_object *rootfs = obj_of (doc, "rootfs"), *ids;
  json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
  if (!json_object_object_get_ex (rootfs, "diff_ids", &ids) || !json_object_is_type (ids, json_type_array))
    {
      ids = json_object_new_array ();
      json_object_object_add (rootfs, "diff_ids", ids);
    }
  json_object_array_add (ids, json_object_new_string (li.out_diff_id));
  char now[48];
  time_t t = time (NULL);
  struct tm tm;
  gmtime_r (&t, &tm);
  strftime (now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_object_object_add (doc, "created", json_object_new_string (now));
  if (o->author)
    json_object_object_add (doc, "author", json_object_new_string (o->author));
  json_object *hist;
  if (!json_object_object_get_ex (doc, "history", &hist) || !json_object_is_type (hist, json_type_array))
    {
      hist = json_object_new_array ();
      json_object_object_add (doc, "history", hist);
    }
  json_object *h = json_object_new_object ();
  json_object_object_add (h, "created", json_object_new_string (now));
  _cleanup_free_ char *by = NULL;
  {
    size_t len = 1;
    for (size_t i = 0; s->entrypoint && s->entrypoint[i]; i++)
      len += strlen (s->entrypoint[i]) + 1;
    for (size_t i = 0; s->cmd && s->cmd[i]; i++)
      len += strlen (s->cmd[i]) + 1;
    by = calloc (1, len);
    for (size_t i = 0; by && s->entrypoint && s->entrypoint[i]; i++)
      strcat (strcat (by, s->entrypoint[i]), " ");
    for (size_t i = 0; by && s->cmd && s->cmd[i]; i++)
      strcat (strcat (by, s->cmd[i]), " ");
    if (by && *by)
      by[strlen (by) - 1] = '\0';
  }
  json_object_object_add (h, "created_by", json_object_new_string (by ? by : ""));
  if (o->message)
    json_object_object_add (h, "comment", json_object_new_string (o->message));
  if (o->author)
    json_object_object_add (h, "author", json_object_new_string (o->author));
  json_object_array_add (hist, h);
  const char *text = json_object_to_json_string_ext (doc, JSON_C_TO_STRING_PLAIN
                                                              | JSON_C_TO_STRING_NOSLASHESCAPE);

  size_t n = strv_len (img->diff_ids);
  struct layer_ingest *layers = calloc (n + 1, sizeof *layers);
  if (layers == NULL)
    {
      layer_ingest_clear (&li);
      return error_set (err, ENOMEM, "out of memory");
    }
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      layers[i].out_diff_id = strdup (img->diff_ids[i]);
      ret = image_store_layer_info (e->store, img->diff_ids[i], &layers[i].out_size,
                                    &layers[i].out_blob_digest, &layers[i].out_blob_size,
                                    &layers[i].out_media_type, err);
    }
  layers[n] = li;
  if (ret == 0)
    {
      struct image_record_opts ro = {
        .config = text,
        .config_len = strlen (text),
        .layers = layers,
        .nlayers = n + 1,
        .name = o->name,
      };
      ret = image_record (e->store, &ro, out_id, err);
    }
  for (size_t i = 0; i <= n; i++)
    layer_ingest_clear (&layers[i]);
  free (layers);
  return ret;
}
