/* Unit tests for the config builder (flags + image config -> config.json),
 * the flag parsers and the image-config merge.  Table-driven: each case is
 * a command line and the config.json facts it must produce. */
#include "tests/lib/tap.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strv.h"
#include "engine/build.h"
#include "engine/spec.h"
#include "image/manifest.h"
#include "oci/config.h"
#include "seccomp/profile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char rootdir[] = "/tmp/hull-build-test.XXXXXX";
static char outside[] = "/tmp/hull-build-outside.XXXXXX";
static int rootfd = -1;
static json_object *profile;

static void
write_at (const char *rel, const char *text)
{
  char p[512];
  snprintf (p, sizeof p, "%s/%s", rootdir, rel);
  FILE *f = fopen (p, "w");
  fputs (text, f);
  fclose (f);
}

/* Apply one flag as `hull run` does (the subset the table uses). */
static int
apply_flag (struct ctr_spec *s, const char *flag, const char *v, struct error **err)
{
  if (strcmp (flag, "-v") == 0 || strcmp (flag, "--mount") == 0 || strcmp (flag, "--tmpfs") == 0)
    {
      s->mounts = realloc (s->mounts, (s->n_mounts + 1) * sizeof *s->mounts);
      struct ctr_mount *m = &s->mounts[s->n_mounts++];
      return flag[1] == 'v'      ? ctr_parse_volume (v, m, err)
             : flag[2] == 'm'    ? ctr_parse_mount (v, m, err)
                                 : ctr_parse_tmpfs (v, m, err);
    }
  if (strcmp (flag, "--cap-add") == 0 || strcmp (flag, "--cap-drop") == 0)
    {
      char *c = NULL;
      if (ctr_parse_cap (v, &c, err) < 0)
        return -EINVAL;
      return strv_consume (flag[6] == 'a' ? &s->cap_add : &s->cap_drop, c);
    }
  if (strcmp (flag, "--ulimit") == 0)
    {
      s->ulimits = realloc (s->ulimits, (s->n_ulimits + 1) * sizeof *s->ulimits);
      return ctr_parse_ulimit (v, &s->ulimits[s->n_ulimits++], err);
    }
  if (strcmp (flag, "--privileged") == 0)
    return s->privileged = true, 0;
  if (strcmp (flag, "--read-only") == 0)
    return s->read_only = true, 0;
  if (strcmp (flag, "--init") == 0)
    return s->init = true, 0;
  if (strcmp (flag, "-t") == 0)
    return s->tty = true, 0;
  if (strcmp (flag, "-u") == 0)
    return (s->user = strdup (v)) ? 0 : -ENOMEM;
  if (strcmp (flag, "-w") == 0)
    return (s->workdir = strdup (v)) ? 0 : -ENOMEM;
  if (strcmp (flag, "-e") == 0)
    return ctr_env_add (&s->env, v, err);
  if (strcmp (flag, "--network") == 0)
    return (s->network = strdup (v)) ? 0 : -ENOMEM;
  if (strcmp (flag, "--memory") == 0)
    return parse_size (v, &s->memory);
  if (strcmp (flag, "--memory-swap") == 0)
    return parse_size (v, &s->memory_swap);
  if (strcmp (flag, "--cpus") == 0)
    return ctr_parse_cpus (v, &s->nano_cpus, err);
  if (strcmp (flag, "--cpu-shares") == 0)
    return parse_int64 (v, &s->cpu_shares);
  if (strcmp (flag, "--cpuset-cpus") == 0)
    return (s->cpuset_cpus = strdup (v)) ? 0 : -ENOMEM;
  if (strcmp (flag, "--pids-limit") == 0)
    return parse_int64 (v, &s->pids_limit);
  if (strcmp (flag, "--nnp") == 0)
    return s->no_new_privileges = true, 0;
  if (strcmp (flag, "--seccomp") == 0)
    return (s->seccomp = strdup (v)) ? 0 : -ENOMEM;
  return error_set (err, EINVAL, "test: unknown flag %s", flag);
}

/* json_path "a.b.2.c" */
static json_object *
jp (json_object *o, const char *path)
{
  char part[64];
  while (o && *path)
    {
      size_t n = strcspn (path, ".");
      snprintf (part, sizeof part, "%.*s", (int) n, path);
      if (json_object_is_type (o, json_type_array))
        o = json_object_array_get_idx (o, (size_t) atoi (part));
      else if (!json_object_object_get_ex (o, part, &o))
        return NULL;
      path += n + (path[n] == '.');
    }
  return o;
}

static const char *
js (json_object *c, const char *path)
{
  json_object *o = jp (c, path);
  if (o == NULL)
    return "<absent>";
  if (json_object_is_type (o, json_type_array) || json_object_is_type (o, json_type_object))
    return json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  return json_object_get_string (o);
}

/* the mount at dest, or NULL */
static json_object *
mount_at (json_object *c, const char *dest)
{
  json_object *ms = jp (c, "mounts");
  for (size_t i = 0; ms && i < json_object_array_length (ms); i++)
    {
      json_object *m = json_object_array_get_idx (ms, i);
      if (strcmp (js (m, "destination"), dest) == 0)
        return m;
    }
  return NULL;
}

static bool
has_ns (json_object *c, const char *type)
{
  json_object *ns = jp (c, "linux.namespaces");
  for (size_t i = 0; ns && i < json_object_array_length (ns); i++)
    if (strcmp (js (json_object_array_get_idx (ns, i), "type"), type) == 0)
      return true;
  return false;
}

struct expect
{
  const char *path;   /* JSON path in config.json, or "!mount:/x" / "mount:/x" / "ns:type" / "!ns:type" */
  const char *value;  /* expected string form; NULL: only presence */
};

struct tcase
{
  const char *name;
  const char *flags[12]; /* flag, value pairs; the value NULL for switches */
  const char *err;       /* expected error substring, or NULL */
  struct expect want[10];
};

static const struct tcase cases[] = {
  { "defaults",
    { NULL },
    NULL,
    { { "process.args", "[\"/bin/sh\",\"-c\",\"true\"]" },
      { "process.user.uid", "0" },
      { "linux.cgroupsPath", "/hull/0123456789abcdef" },
      { "root.readonly", "false" },
      { "process.capabilities.bounding.0", "CAP_CHOWN" },
      { "linux.seccomp.defaultAction", "SCMP_ACT_ERRNO" },
      { "linux.maskedPaths.2", "/proc/kcore" },
      { "ns:network", NULL },
      { "mount:/etc/hosts", NULL },
      { "mount:/dev/shm", NULL } } },
  { "privileged lifts the confinement",
    { "--privileged", NULL },
    NULL,
    { { "linux.seccomp", "<absent>" },
      { "linux.maskedPaths", "<absent>" },
      { "linux.resources.devices.0.allow", "true" },
      { "process.capabilities.bounding.21", NULL } } },
  { "cap-drop ALL, cap-add one",
    { "--cap-drop", "ALL", "--cap-add", "net_admin" },
    NULL,
    { { "process.capabilities.effective", "[\"CAP_NET_ADMIN\"]" },
      { "process.capabilities.inheritable", "<absent>" } } },
  { "read-only root, tmpfs with options",
    { "--read-only", NULL, "--tmpfs", "/run:size=1m,mode=1777" },
    NULL,
    { { "root.readonly", "true" },
      { "mount:/run", NULL } } },
  { "user by name, with supplementary groups",
    { "-u", "user" },
    NULL,
    { { "process.user.uid", "1000" },
      { "process.user.gid", "1000" },
      { "process.user.additionalGids", "[100]" },
      { "process.env.1", "HOME=/home/user" } } },
  { "numeric user and group",
    { "-u", "1234:55" },
    NULL,
    { { "process.user.uid", "1234" }, { "process.user.gid", "55" } } },
  { "user name:group name",
    { "-u", "user:users" },
    NULL,
    { { "process.user.uid", "1000" }, { "process.user.gid", "100" } } },
  { "unknown user", { "-u", "nobody-here" }, "nobody-here", { { NULL } } },
  { "unknown group", { "-u", "user:nogroup-here" }, "nogroup-here", { { NULL } } },
  { "resource limits",
    { "--memory", "64m", "--cpus", "1.5", "--pids-limit", "10", "--cpuset-cpus", "0",
      "--cpu-shares", "512" },
    NULL,
    { { "linux.resources.memory.limit", "67108864" },
      { "linux.resources.cpu.quota", "150000" },
      { "linux.resources.cpu.period", "100000" },
      { "linux.resources.cpu.shares", "512" },
      { "linux.resources.cpu.cpus", "0" },
      { "linux.resources.pids.limit", "10" } } },
  { "memory-swap below memory", { "--memory", "64m", "--memory-swap", "32m" }, "memory-swap",
    { { NULL } } },
  { "host network: no network namespace",
    { "--network", "host" },
    NULL,
    { { "!ns:network", NULL } } },
  { "init runs first, bound read-only",
    { "--init", NULL },
    NULL,
    { { "process.args.0", "/dev/init" },
      { "process.args.1", "--" },
      { "process.args.2", "/bin/sh" },
      { "mount:/dev/init", NULL } } },
  { "bind mounts and rlimits",
    { "-v", "/tmp:/data:ro", "--ulimit", "nofile=100:200" },
    NULL,
    { { "process.rlimits.0.type", "RLIMIT_NOFILE" },
      { "process.rlimits.0.soft", "100" },
      { "process.rlimits.0.hard", "200" },
      { "mount:/data", NULL } } },
  { "no-new-privileges and seccomp unconfined",
    { "--nnp", NULL, "--seccomp", "unconfined" },
    NULL,
    { { "process.noNewPrivileges", "true" }, { "linux.seccomp", "<absent>" } } },
  { "tty and env", { "-t", NULL, "-e", "A=1", "-e", "PATH=/x" },
    NULL,
    { { "process.terminal", "true" },
      { "process.env.0", "A=1" },
      { "process.env.1", "PATH=/x" },
      { "process.env.3", "TERM=xterm" } } },
  { "working directory is made inside the root",
    { "-w", "/made/here" },
    NULL,
    { { "process.cwd", "/made/here" } } },
};

static int
build_case (const struct tcase *t, json_object **out, struct error **err)
{
  struct ctr_spec s;
  memset (&s, 0, sizeof s);
  s.stop_timeout = -1;
  for (size_t i = 0; t->flags[i]; i += 2)
    {
      int r = apply_flag (&s, t->flags[i], t->flags[i + 1], err);
      if (r < 0)
        {
          if (*err == NULL)
            error_set (err, -r, "flag %s", t->flags[i]);
          ctr_spec_clear (&s);
          return -1;
        }
    }
  s.cmd = strv_dup ((char *[]){ "/bin/sh", "-c", "true", NULL });
  s.hostname = strdup ("0123456789ab");
  struct build_ctx b = {
    .id = "0123456789abcdef",
    .spec = &s,
    .rootfs = rootdir,
    .rootfd = rootfd,
    .hosts_path = "/etc/hosts",
    .hostname_path = "/etc/hostname",
    .resolv_path = "/etc/resolv.conf",
    .init_path = "/bin/true",
    .cgroup_parent = "/hull",
    .seccomp_default = profile,
    .host_bounding = ~0ULL,
  };
  int r = engine_build_config (&b, out, err);
  ctr_spec_clear (&s);
  return r;
}

static void
test_builder_table (void)
{
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
      const struct tcase *t = &cases[i];
      _cleanup_json_ json_object *c = NULL;
      _cleanup_error_ struct error *err = NULL;
      int r = build_case (t, &c, &err);
      if (t->err)
        {
          if (r >= 0 || err == NULL || strstr (err->msg, t->err) == NULL)
            {
              printf ("#   case `%s`: expected an error with `%s`, got %s\n", t->name, t->err,
                      err ? err->msg : "success");
              tap_cur_failed = 1;
            }
          continue;
        }
      if (r < 0)
        {
          printf ("#   case `%s`: %s\n", t->name, err ? err->msg : "failed");
          tap_cur_failed = 1;
          continue;
        }
      for (size_t k = 0; k < 10 && t->want[k].path; k++)
        {
          const struct expect *w = &t->want[k];
          bool ok;
          const char *got;
          if (strncmp (w->path, "mount:", 6) == 0)
            ok = mount_at (c, w->path + 6) != NULL, got = ok ? "present" : "absent";
          else if (strncmp (w->path, "ns:", 3) == 0)
            ok = has_ns (c, w->path + 3), got = ok ? "present" : "absent";
          else if (strncmp (w->path, "!ns:", 4) == 0)
            ok = !has_ns (c, w->path + 4), got = ok ? "absent" : "present";
          else
            {
              got = js (c, w->path);
              ok = w->value ? strcmp (got, w->value) == 0 : strcmp (got, "<absent>") != 0;
            }
          if (!ok)
            {
              printf ("#   case `%s`: %s: expected `%s`, got `%s`\n", t->name, w->path,
                      w->value ? w->value : "present", got);
              tap_cur_failed = 1;
            }
        }
    }
}

static void
test_mount_options (void)
{
  const struct tcase t = { "m", { "--tmpfs", "/run:size=1m", "-v", "/tmp:/data:ro,rshared" } };
  _cleanup_json_ json_object *c = NULL;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (build_case (&t, &c, &err) == 0);
  const char *run = js (mount_at (c, "/run"), "options");
  CHECK (strstr (run, "size=1m") != NULL);
  CHECK (strstr (run, "noexec") != NULL);
  const char *data = js (mount_at (c, "/data"), "options");
  CHECK (strstr (data, "\"ro\"") != NULL);
  CHECK (strstr (data, "rshared") != NULL);
  CHECK_STR (js (mount_at (c, "/data"), "source"), "/tmp");
  /* parents are mounted before their children, whatever the order given */
  const struct tcase t2 = { "m2", { "--tmpfs", "/a/b", "--tmpfs", "/a" } };
  _cleanup_json_ json_object *c2 = NULL;
  REQUIRE (build_case (&t2, &c2, &err) == 0);
  json_object *ms = jp (c2, "mounts");
  int ia = -1, iab = -1;
  for (size_t i = 0; i < json_object_array_length (ms); i++)
    {
      const char *d = js (json_object_array_get_idx (ms, i), "destination");
      if (strcmp (d, "/a") == 0)
        ia = (int) i;
      if (strcmp (d, "/a/b") == 0)
        iab = (int) i;
    }
  CHECK (ia >= 0 && iab > ia);
}

static void
test_workdir_and_passwd_stay_inside (void)
{
  /* /etc/passwd a symlink to a host file: it resolves inside the root,
   * where there is no such file, so a name from the host file is unknown */
  char p[512], hostfile[512];
  snprintf (hostfile, sizeof hostfile, "%s/passwd", outside);
  FILE *f = fopen (hostfile, "w");
  fputs ("evil:x:4242:4242::/:/bin/sh\n", f);
  fclose (f);
  snprintf (p, sizeof p, "%s/etc/passwd", rootdir);
  rename (p, "/tmp/hull-build-passwd.save");
  CHECK (symlink (hostfile, p) == 0);
  uint32_t uid = 1, gid = 1;
  _cleanup_error_ struct error *err = NULL;
  int r = engine_resolve_user (rootfd, "evil", &uid, &gid, NULL, NULL, NULL, &err);
  CHECK_INT (r, <, 0);
  CHECK (err && strstr (err->msg, "evil"));
  unlink (p);
  rename ("/tmp/hull-build-passwd.save", p);

  /* a working directory through a symlink that points out: made inside */
  snprintf (p, sizeof p, "%s/escape", rootdir);
  CHECK (symlink (outside, p) == 0);
  const struct tcase t = { "w", { "-w", "/escape/sub" } };
  _cleanup_json_ json_object *c = NULL;
  error_free (err);
  err = NULL;
  CHECK (build_case (&t, &c, &err) == 0);
  snprintf (p, sizeof p, "%s/sub", outside);
  CHECK (access (p, F_OK) != 0);
  snprintf (p, sizeof p, "%s/%s/sub", rootdir, outside);
  CHECK (access (p, F_OK) == 0);
}

static void
test_flag_parsers (void)
{
  struct
  {
    int (*fn) (const char *, struct ctr_mount *, struct error **);
    const char *v;
    const char *err; /* NULL: valid */
  } mounts[] = {
    { ctr_parse_volume, "/a:/b", NULL },
    { ctr_parse_volume, "/a:/b:ro", NULL },
    { ctr_parse_volume, "name:/b", NULL },
    { ctr_parse_volume, "/a:/b:xx", "unknown option" },
    { ctr_parse_volume, "/a:b", "absolute" },
    { ctr_parse_volume, "/a:/", "absolute" },
    { ctr_parse_volume, "/a:/x/../..", "other than /" }, /* the root once clean */
    { ctr_parse_volume, "/a:/x/..", "other than /" },
    { ctr_parse_volume, "/a::/b", "invalid volume" },
    { ctr_parse_volume, "/a:/b:ro:x", "invalid volume" },
    { ctr_parse_mount, "type=bind,source=/a,target=/b,readonly", NULL },
    { ctr_parse_mount, "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=700", NULL },
    { ctr_parse_mount, "type=bind,target=/b", "absolute source" },
    { ctr_parse_mount, "type=nfs,target=/b", "type `nfs`" },
    { ctr_parse_mount, "type=bind,source=/a", "target is required" },
    { ctr_parse_mount, "type=bind,source=/a,target=/b,what=1", "unknown key" },
    { ctr_parse_mount, "type=tmpfs,target=/t,tmpfs-mode=999", "tmpfs-mode" },
    { ctr_parse_tmpfs, "/t:size=1m,noexec", NULL },
    { ctr_parse_tmpfs, "/t:bogus", "unknown option" },
    { ctr_parse_tmpfs, "t", "absolute" },
    { ctr_parse_tmpfs, "//", "other than /" },
    { ctr_parse_mount, "type=tmpfs,target=/./", "other than /" },
  };
  for (size_t i = 0; i < sizeof mounts / sizeof *mounts; i++)
    {
      struct ctr_mount m;
      _cleanup_error_ struct error *err = NULL;
      int r = mounts[i].fn (mounts[i].v, &m, &err);
      bool ok = mounts[i].err ? r < 0 && err && strstr (err->msg, mounts[i].err)
                              : r == 0;
      if (!ok)
        {
          printf ("#   `%s`: expected %s, got %s\n", mounts[i].v,
                  mounts[i].err ? mounts[i].err : "success", err ? err->msg : "success");
          tap_cur_failed = 1;
        }
      struct ctr_spec s = { .mounts = &m, .n_mounts = 1 };
      (void) s;
      free (m.type), free (m.source), free (m.target), free (m.propagation), strv_free (m.options);
    }
  struct ctr_restart rp;
  _cleanup_error_ struct error *err = NULL;
  CHECK (ctr_parse_restart ("on-failure:3", &rp, &err) == 0);
  CHECK_INT (rp.policy, ==, RESTART_ON_FAILURE);
  CHECK_INT (rp.max_retries, ==, 3);
  CHECK (ctr_parse_restart ("unless-stopped", &rp, &err) == 0 && rp.policy == RESTART_UNLESS_STOPPED);
  CHECK (ctr_parse_restart ("on-failure:-1", &rp, &err) < 0);
  error_free (err), err = NULL;
  CHECK (ctr_parse_restart ("sometimes", &rp, &err) < 0 && strstr (err->msg, "sometimes"));
  error_free (err), err = NULL;
  int64_t ns;
  CHECK (ctr_parse_duration ("1m30s", &ns, &err) == 0 && ns == 90000000000LL);
  CHECK (ctr_parse_duration ("250ms", &ns, &err) == 0 && ns == 250000000LL);
  CHECK (ctr_parse_duration ("1.5h", &ns, &err) == 0 && ns == 5400000000000LL);
  CHECK (ctr_parse_duration ("10", &ns, &err) < 0);
  error_free (err), err = NULL;
  CHECK (ctr_parse_cpus ("0.5", &ns, &err) == 0 && ns == 500000000);
  CHECK (ctr_parse_cpus ("-1", &ns, &err) < 0);
  error_free (err), err = NULL;
  int sig;
  CHECK (ctr_parse_signal ("SIGUSR1", &sig, &err) == 0 && sig == 10);
  CHECK (ctr_parse_signal ("term", &sig, &err) == 0 && sig == 15);
  CHECK (ctr_parse_signal ("9", &sig, &err) == 0 && sig == 9);
  CHECK (ctr_parse_signal ("SIGNOPE", &sig, &err) < 0);
  error_free (err), err = NULL;
  struct ctr_ulimit u;
  CHECK (ctr_parse_ulimit ("nofile=10:20", &u, &err) == 0 && u.soft == 10 && u.hard == 20);
  free (u.name);
  CHECK (ctr_parse_ulimit ("nproc=unlimited", &u, &err) == 0 && u.soft == UINT64_MAX);
  free (u.name);
  CHECK (ctr_parse_ulimit ("bogus=1", &u, &err) < 0);
  free (u.name);
  error_free (err), err = NULL;
  char *cap = NULL;
  CHECK (ctr_parse_cap ("sys_admin", &cap, &err) == 0);
  CHECK_STR (cap, "CAP_SYS_ADMIN");
  free (cap);
  CHECK (ctr_parse_cap ("CAP_BOGUS", &cap, &err) < 0);
}

static void
test_env (void)
{
  _cleanup_strv_ char **env = NULL;
  _cleanup_error_ struct error *err = NULL;
  setenv ("HULL_TEST_FROM_HOST", "yes", 1);
  unsetenv ("HULL_TEST_UNSET");
  CHECK (ctr_env_add (&env, "A=1", &err) == 0);
  CHECK (ctr_env_add (&env, "A=2", &err) == 0);
  CHECK (ctr_env_add (&env, "HULL_TEST_FROM_HOST", &err) == 0);
  CHECK (ctr_env_add (&env, "HULL_TEST_UNSET", &err) == 0);
  CHECK_INT (strv_len (env), ==, 2);
  CHECK_STR (env[0], "A=2");
  CHECK_STR (env[1], "HULL_TEST_FROM_HOST=yes");
  CHECK (ctr_env_add (&env, "=x", &err) < 0);
  error_free (err), err = NULL;
  char path[] = "/tmp/hull-envfile.XXXXXX";
  int fd = mkstemp (path);
  dprintf (fd, "# comment\n\nB=x y\nC=\nbad var=1\n");
  close (fd);
  CHECK (ctr_env_file (&env, path, &err) < 0);
  CHECK (err && strstr (err->msg, "line 5"));
  unlink (path);
}

static void
test_merge_image (void)
{
  const char *cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                    "\"diff_ids\":[]},\"config\":{\"Env\":[\"PATH=/img\",\"A=img\"],"
                    "\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c1\",\"c2\"],\"WorkingDir\":\"/w\","
                    "\"User\":\"user\",\"StopSignal\":\"SIGINT\",\"Labels\":{\"l\":\"img\"},"
                    "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":1000000000}}}";
  _cleanup_image_config_ struct image_config *img = NULL;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (image_config_parse (cfg, strlen (cfg), &img, &err) == 0);
  /* no flags: the image's */
  struct ctr_spec s;
  memset (&s, 0, sizeof s);
  REQUIRE (ctr_spec_merge_image (&s, img, false, &err) == 0);
  CHECK_STR (s.entrypoint[0], "/ep");
  CHECK_STR (s.cmd[1], "c2");
  CHECK_STR (s.workdir, "/w");
  CHECK_STR (s.user, "user");
  CHECK_STR (s.stop_signal, "SIGINT");
  CHECK_STR (s.env[0], "PATH=/img");
  CHECK_STR (s.labels[0], "l=img");
  CHECK (s.health.test && strcmp (s.health.test[0], "CMD") == 0);
  CHECK_INT (s.health.interval_ns, ==, 1000000000);
  ctr_spec_clear (&s);
  /* a command replaces Cmd only; env and labels override by key */
  memset (&s, 0, sizeof s);
  s.cmd = strv_dup ((char *[]){ "mine", NULL });
  s.env = strv_dup ((char *[]){ "A=me", "B=me", NULL });
  s.labels = strv_dup ((char *[]){ "l=me", NULL });
  s.user = strdup ("0");
  REQUIRE (ctr_spec_merge_image (&s, img, false, &err) == 0);
  CHECK_STR (s.entrypoint[0], "/ep");
  CHECK_STR (s.cmd[0], "mine");
  CHECK_INT (strv_len (s.env), ==, 3);
  CHECK_STR (s.env[1], "A=me");
  CHECK_STR (s.labels[0], "l=me");
  CHECK_STR (s.user, "0");
  ctr_spec_clear (&s);
  /* --entrypoint drops the image's Cmd (docker's rule); an empty one clears */
  memset (&s, 0, sizeof s);
  s.entrypoint = strv_dup ((char *[]){ "/other", NULL });
  REQUIRE (ctr_spec_merge_image (&s, img, true, &err) == 0);
  CHECK_STR (s.entrypoint[0], "/other");
  CHECK (s.cmd == NULL);
  ctr_spec_clear (&s);
  memset (&s, 0, sizeof s);
  s.entrypoint = calloc (1, sizeof (char *));
  s.cmd = strv_dup ((char *[]){ "x", NULL });
  REQUIRE (ctr_spec_merge_image (&s, img, true, &err) == 0);
  CHECK (s.entrypoint == NULL);
  CHECK_STR (s.cmd[0], "x");
  ctr_spec_clear (&s);
  /* --no-healthcheck wins over the image's */
  memset (&s, 0, sizeof s);
  s.health.test = strv_dup ((char *[]){ "NONE", NULL });
  REQUIRE (ctr_spec_merge_image (&s, img, false, &err) == 0);
  CHECK (s.health.test == NULL);
  ctr_spec_clear (&s);
}

static void
test_spec_json_roundtrip (void)
{
  struct ctr_spec s;
  memset (&s, 0, sizeof s);
  s.stop_timeout = 7;
  s.image = strdup ("bb");
  s.cmd = strv_dup ((char *[]){ "a", "b", NULL });
  s.labels = strv_dup ((char *[]){ "k=v", NULL });
  s.memory = 1 << 20;
  s.restart.policy = RESTART_ON_FAILURE;
  s.restart.max_retries = 4;
  s.auto_remove = true;
  s.no_new_privileges = true;
  s.health.test = strv_dup ((char *[]){ "CMD-SHELL", "true", NULL });
  s.health.retries = 2;
  s.log_max_size = 1000;
  s.log_max_file = 3;
  _cleanup_error_ struct error *err = NULL;
  struct ctr_mount m;
  REQUIRE (ctr_parse_volume ("/a:/b:ro", &m, &err) == 0);
  s.mounts = malloc (sizeof m);
  s.mounts[0] = m;
  s.n_mounts = 1;
  _cleanup_json_ json_object *j = ctr_spec_to_json (&s);
  struct ctr_spec t;
  REQUIRE (ctr_spec_from_json (j, &t, &err) == 0);
  CHECK_STR (t.image, "bb");
  CHECK_STR (t.cmd[1], "b");
  CHECK_STR (t.labels[0], "k=v");
  CHECK_INT (t.memory, ==, 1 << 20);
  CHECK_INT (t.restart.policy, ==, RESTART_ON_FAILURE);
  CHECK_INT (t.restart.max_retries, ==, 4);
  CHECK (t.auto_remove && t.no_new_privileges);
  CHECK_INT (t.stop_timeout, ==, 7);
  CHECK_STR (t.health.test[1], "true");
  CHECK_INT (t.health.retries, ==, 2);
  CHECK_INT (t.n_mounts, ==, 1);
  CHECK (t.mounts[0].readonly);
  CHECK_STR (t.mounts[0].target, "/b");
  CHECK_INT (t.log_max_size, ==, 1000);
  CHECK_INT (t.log_max_file, ==, 3);
  ctr_spec_clear (&s);
  ctr_spec_clear (&t);
}

/* A malformed record is an error, not a crash: the early failures return
 * through the same cleanup as the late ones. */
static void
test_spec_json_malformed (void)
{
  static const char *const docs[] = {
    "{\"Config\": {\"Hostname\": 5}, \"HostConfig\": {}}",
    "{\"Config\": {\"Env\": \"x\"}, \"HostConfig\": {\"SecurityOpt\": [\"a\"]}}",
    "{\"Config\": {}, \"HostConfig\": {\"SecurityOpt\": 1}}",
  };
  for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
    {
      _cleanup_json_ json_object *j = json_tokener_parse (docs[i]);
      REQUIRE (j != NULL);
      struct ctr_spec t;
      _cleanup_error_ struct error *err = NULL;
      CHECK_INT (ctr_spec_from_json (j, &t, &err), ==, -EINVAL);
      CHECK (err != NULL);
    }
}

int
main (void)
{
  if (mkdtemp (rootdir) == NULL || mkdtemp (outside) == NULL)
    return 1;
  char p[512];
  snprintf (p, sizeof p, "%s/etc", rootdir);
  mkdir (p, 0755);
  write_at ("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"
                          "broken line\nbad:x:notanumber:0::/:/bin/sh\n");
  write_at ("etc/group", "root:x:0:\nusers:x:100:user,other\nuser:x:1000:\n");
  rootfd = open (rootdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct error *err = NULL;
  if (seccomp_profile_load_default (&profile, &err) < 0)
    {
      printf ("# no default seccomp profile: %s\n", err->msg);
      return 1;
    }
  RUN (test_builder_table);
  RUN (test_mount_options);
  RUN (test_workdir_and_passwd_stay_inside);
  RUN (test_flag_parsers);
  RUN (test_env);
  RUN (test_merge_image);
  RUN (test_spec_json_roundtrip);
  RUN (test_spec_json_malformed);
  json_object_put (profile);
  close (rootfd);
  struct error *e2 = NULL;
  fs_rm_rf_at (AT_FDCWD, rootdir, &e2);
  fs_rm_rf_at (AT_FDCWD, outside, &e2);
  error_free (e2);
  return tap_done ();
}
