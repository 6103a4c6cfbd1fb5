/* process.c - the `process` object of config.json, also the document of
 * `exec --process FILE`.  Both go through oci_process_parse_at(), so an exec'd
 * process is held to the same rules as the container's init. */
#include "oci/config.h"
#include "oci/internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strv.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_ISO
#define SCHED_ISO 4 /* reserved by the kernel, listed by the spec */
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

/* exec --process files are small; podman's are ~2 KiB. */
#define OCI_PROCESS_MAX_SIZE (1u << 20)
/* NGROUPS_MAX of the kernel */
#define MAX_ADDITIONAL_GIDS 65536
/* The highest CPU number accepted in a cpu list (CONFIG_NR_CPUS tops at 8192). */
#define MAX_CPU 8191

static const struct
{
  const char *name;
  int value;
} sched_policies[] = {
  { "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO },   { "SCHED_RR", SCHED_RR },
  { "SCHED_BATCH", SCHED_BATCH }, { "SCHED_ISO", SCHED_ISO },     { "SCHED_IDLE", SCHED_IDLE },
  { "SCHED_DEADLINE", SCHED_DEADLINE },
};

/* linux/sched/types.h: sched_attr.sched_flags */
static const struct
{
  const char *name;
  uint64_t value;
} sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
  { "SCHED_FLAG_DL_OVERRUN", 0x04 },    { "SCHED_FLAG_KEEP_POLICY", 0x08 },
  { "SCHED_FLAG_KEEP_PARAMS", 0x10 },   { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

/* linux/ioprio.h */
static const struct
{
  const char *name;
  int value;
} ioprio_classes[] = {
  { "IOPRIO_CLASS_RT", 1 },
  { "IOPRIO_CLASS_BE", 2 },
  { "IOPRIO_CLASS_IDLE", 3 },
};

static int
parse_console_size (json_object *o, const char *ctx, struct oci_process *p, struct error **err)
{
  json_object *cs;
  char k[OCI_KEY_MAX];
  uint64_t h, w;
  int r = oci_get_object (o, ctx, "consoleSize", &cs, err);
  if (r <= 0)
    return r;
  oci_key (k, ctx, "consoleSize");
  /* struct winsize holds unsigned shorts */
  if ((r = oci_get_uint64 (cs, k, "height", UINT16_MAX, &h, err)) < 0)
    return r;
  if (r == 0)
    return oci_missing (k, "height", err);
  if ((r = oci_get_uint64 (cs, k, "width", UINT16_MAX, &w, err)) < 0)
    return r;
  if (r == 0)
    return oci_missing (k, "width", err);
  p->has_console_size = true;
  p->console_height = (unsigned) h;
  p->console_width = (unsigned) w;
  return 0;
}

static int
parse_user (json_object *o, const char *ctx, struct oci_process *p, struct error **err)
{
  json_object *u, *a;
  char k[OCI_KEY_MAX], f[OCI_KEY_MAX];
  uint64_t v;
  int r = oci_get_object (o, ctx, "user", &u, err);
  if (r <= 0)
    return r;
  oci_key (k, ctx, "user");
  /* (uid_t) -1 means "unchanged" to setresuid(): never a target id */
  if ((r = oci_get_uint64 (u, k, "uid", UINT32_MAX - 1, &v, err)) < 0)
    return r;
  p->uid = r ? (uid_t) v : 0;
  if ((r = oci_get_uint64 (u, k, "gid", UINT32_MAX - 1, &v, err)) < 0)
    return r;
  p->gid = r ? (gid_t) v : 0;
  if ((r = oci_get_uint64 (u, k, "umask", 0777, &v, err)) < 0)
    return r;
  if (r == 1)
    p->has_umask = true, p->umask = (mode_t) v;
  if ((r = oci_get_array (u, k, "additionalGids", &a, err)) < 0)
    return r;
  if (r == 1)
    {
      size_t n = json_object_array_length (a);
      if (n > MAX_ADDITIONAL_GIDS)
        return error_set (err, E2BIG, "`%s` has more than %d entries",
                          oci_key (f, k, "additionalGids"), MAX_ADDITIONAL_GIDS);
      p->additional_gids = calloc (n ? n : 1, sizeof *p->additional_gids);
      if (p->additional_gids == NULL)
        return error_set (err, ENOMEM, "out of memory");
      for (size_t i = 0; i < n; i++)
        {
          r = oci_as_uint64 (json_object_array_get_idx (a, i),
                             oci_key_idx (f, k, "additionalGids", i), UINT32_MAX - 1, &v, err);
          if (r < 0)
            return r;
          p->additional_gids[i] = (gid_t) v;
        }
      p->n_additional_gids = n;
    }
  return 0;
}

static int
parse_caps (json_object *o, const char *ctx, struct oci_caps *caps, struct error **err)
{
  static const char *const sets[] = { "bounding", "effective", "inheritable", "permitted",
                                      "ambient" };
  uint64_t *masks[] = { &caps->bounding, &caps->effective, &caps->inheritable,
                        &caps->permitted, &caps->ambient };
  json_object *c;
  char k[OCI_KEY_MAX], f[OCI_KEY_MAX];
  int r = oci_get_object (o, ctx, "capabilities", &c, err);
  if (r <= 0)
    return r;
  oci_key (k, ctx, "capabilities");
  caps->present = true;
  int last = oci_cap_last_cap ();
  for (size_t s = 0; s < ARRAY_SIZE (sets); s++)
    {
      json_object *a;
      if ((r = oci_get_array (c, k, sets[s], &a, err)) < 0)
        return r;
      if (r == 0)
        continue;
      size_t n = json_object_array_length (a);
      for (size_t i = 0; i < n; i++)
        {
          const char *name;
          oci_key_idx (f, k, sets[s], i);
          if ((r = oci_as_string (json_object_array_get_idx (a, i), f, &name, err)) < 0)
            return r;
          int cap = oci_cap_from_name (name);
          if (cap < 0)
            return error_set (err, EINVAL, "`%s`: unknown capability `%s`", f, name);
          /* The kernel would refuse the whole set for one bit it does not
           * know; an older kernel simply cannot grant it. */
          if (cap > last)
            {
              log_debug ("%s: %s is not known to this kernel (cap_last_cap %d): dropped", f,
                         name, last);
              continue;
            }
          *masks[s] |= UINT64_C (1) << cap;
        }
    }
  return 0;
}

static int
parse_rlimits (json_object *o, const char *ctx, struct oci_process *p, struct error **err)
{
  json_object *a;
  char k[OCI_KEY_MAX], f[OCI_KEY_MAX];
  int r = oci_get_array (o, ctx, "rlimits", &a, err);
  if (r <= 0)
    return r;
  size_t n = json_object_array_length (a);
  p->rlimits = calloc (n ? n : 1, sizeof *p->rlimits);
  if (p->rlimits == NULL)
    return error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      struct oci_rlimit *rl = &p->rlimits[i];
      const char *type;
      oci_key_idx (k, ctx, "rlimits", i);
      if (e == NULL || json_object_get_type (e) != json_type_object)
        return error_set (err, EINVAL, "`%s` must be an object, not %s", k,
                          e ? json_type_to_name (json_object_get_type (e)) : "null");
      if ((r = oci_get_string (e, k, "type", &type, err)) < 0)
        return r;
      if (r == 0)
        return oci_missing (k, "type", err);
      rl->resource = oci_rlimit_from_name (type);
      if (rl->resource < 0)
        return error_set (err, EINVAL, "`%s`: unknown rlimit `%s`", oci_key (f, k, "type"),
                          type);
      for (size_t j = 0; j < i; j++)
        if (p->rlimits[j].resource == rl->resource)
          {
            char g[OCI_KEY_MAX];
            return error_set (err, EINVAL, "`%s`: `%s` is already set by `%s`",
                              oci_key (f, k, "type"), type, oci_key_idx (g, ctx, "rlimits", j));
          }
      if ((r = oci_get_uint64 (e, k, "soft", UINT64_MAX, &rl->soft, err)) < 0)
        return r;
      if (r == 0)
        return oci_missing (k, "soft", err);
      if ((r = oci_get_uint64 (e, k, "hard", UINT64_MAX, &rl->hard, err)) < 0)
        return r;
      if (r == 0)
        return oci_missing (k, "hard", err);
      if (rl->soft > rl->hard)
        return error_set (err, EINVAL,
                          "`%s`: soft limit %" PRIu64 " is above the hard limit %" PRIu64, k,
                          rl->soft, rl->hard);
      p->n_rlimits = i + 1;
    }
  return 0;
}

static int
parse_scheduler (json_object *o, const char *ctx, struct oci_scheduler *s, struct error **err)
{
  json_object *so;
  const char *policy;
  _cleanup_strv_ char **flags = NULL;
  char k[OCI_KEY_MAX], f[OCI_KEY_MAX];
  int64_t v;
  int r = oci_get_object (o, ctx, "scheduler", &so, err);
  if (r <= 0)
    return r;
  oci_key (k, ctx, "scheduler");
  if ((r = oci_get_string (so, k, "policy", &policy, err)) < 0)
    return r;
  if (r == 0)
    return oci_missing (k, "policy", err);
  size_t i;
  for (i = 0; i < ARRAY_SIZE (sched_policies); i++)
    if (strcmp (policy, sched_policies[i].name) == 0)
      break;
  if (i == ARRAY_SIZE (sched_policies))
    return error_set (err, EINVAL, "`%s`: unknown scheduling policy `%s`",
                      oci_key (f, k, "policy"), policy);
  s->policy = sched_policies[i].value;
  if ((r = oci_get_int64 (so, k, "nice", -20, 19, &v, err)) < 0)
    return r;
  s->nice = (int32_t) (r ? v : 0);
  if ((r = oci_get_int64 (so, k, "priority", INT32_MIN, INT32_MAX, &v, err)) < 0)
    return r;
  s->priority = (int32_t) (r ? v : 0);
  if ((r = oci_get_strv (so, k, "flags", &flags, err)) < 0)
    return r;
  for (size_t j = 0; flags && flags[j]; j++)
    {
      for (i = 0; i < ARRAY_SIZE (sched_flags); i++)
        if (strcmp (flags[j], sched_flags[i].name) == 0)
          break;
      if (i == ARRAY_SIZE (sched_flags))
        return error_set (err, EINVAL, "`%s`: unknown scheduler flag `%s`",
                          oci_key_idx (f, k, "flags", j), flags[j]);
      s->flags |= sched_flags[i].value;
    }
  if ((r = oci_get_uint64 (so, k, "runtime", UINT64_MAX, &s->runtime, err)) < 0)
    return r;
  if ((r = oci_get_uint64 (so, k, "deadline", UINT64_MAX, &s->deadline, err)) < 0)
    return r;
  if ((r = oci_get_uint64 (so, k, "period", UINT64_MAX, &s->period, err)) < 0)
    return r;
  /* The combinations sched_setattr(2) would refuse, named now (as runc). */
  bool rt = s->policy == SCHED_FIFO || s->policy == SCHED_RR;
  if (s->priority != 0 && !rt)
    return error_set (err, EINVAL, "`%s` can only be set with SCHED_FIFO or SCHED_RR",
                      oci_key (f, k, "priority"));
  if (rt && (s->priority < 1 || s->priority > 99))
    return error_set (err, EINVAL, "`%s` must be between 1 and 99 with %s",
                      oci_key (f, k, "priority"), policy);
  if (s->policy != SCHED_DEADLINE && (s->runtime || s->deadline || s->period))
    return error_set (err, EINVAL,
                      "`%s`: runtime, deadline and period can only be set with SCHED_DEADLINE",
                      k);
  s->present = true;
  return 0;
}

static int
parse_io_priority (json_object *o, const char *ctx, struct oci_io_priority *io,
                   struct error **err)
{
  json_object *po;
  const char *cls;
  char k[OCI_KEY_MAX], f[OCI_KEY_MAX];
  int64_t v;
  int r = oci_get_object (o, ctx, "ioPriority", &po, err);
  if (r <= 0)
    return r;
  oci_key (k, ctx, "ioPriority");
  if ((r = oci_get_string (po, k, "class", &cls, err)) < 0)
    return r;
  if (r == 0)
    return oci_missing (k, "class", err);
  size_t i;
  for (i = 0; i < ARRAY_SIZE (ioprio_classes); i++)
    if (strcmp (cls, ioprio_classes[i].name) == 0)
      break;
  if (i == ARRAY_SIZE (ioprio_classes))
    return error_set (err, EINVAL, "`%s`: unknown I/O priority class `%s`",
                      oci_key (f, k, "class"), cls);
  if ((r = oci_get_int64 (po, k, "priority", 0, 7, &v, err)) < 0)
    return r;
  if (r == 0)
    return oci_missing (k, "priority", err);
  io->present = true;
  io->class_ = ioprio_classes[i].value;
  io->priority = (int) v;
  return 0;
}

/* "0-3,7": comma-separated CPU numbers and ascending ranges. */
static bool
cpu_list_valid (const char *s)
{
  if (*s == '\0')
    return true; /* the spec: empty means "leave it" */
  for (;;)
    {
      long a = -1, b;
      if (*s < '0' || *s > '9')
        return false;
      for (a = 0; *s >= '0' && *s <= '9'; s++)
        if ((a = a * 10 + (*s - '0')) > MAX_CPU)
          return false;
      b = a;
      if (*s == '-')
        {
          s++;
          if (*s < '0' || *s > '9')
            return false;
          for (b = 0; *s >= '0' && *s <= '9'; s++)
            if ((b = b * 10 + (*s - '0')) > MAX_CPU)
              return false;
          if (b < a)
            return false;
        }
      if (*s == '\0')
        return true;
      if (*s++ != ',')
        return false;
    }
}

static int
parse_exec_cpu_affinity (json_object *o, const char *ctx, struct oci_process *p,
                         struct error **err)
{
  json_object *a;
  char k[OCI_KEY_MAX], f[OCI_KEY_MAX];
  int r = oci_get_object (o, ctx, "execCPUAffinity", &a, err);
  if (r <= 0)
    return r;
  oci_key (k, ctx, "execCPUAffinity");
  if ((r = oci_get_strdup (a, k, "initial", &p->exec_cpu_affinity_initial, err)) < 0)
    return r;
  if (r == 1 && !cpu_list_valid (p->exec_cpu_affinity_initial))
    return error_set (err, EINVAL, "`%s`: `%s` is not a CPU list (like `0-3,7`)",
                      oci_key (f, k, "initial"), p->exec_cpu_affinity_initial);
  if ((r = oci_get_strdup (a, k, "final", &p->exec_cpu_affinity_final, err)) < 0)
    return r;
  if (r == 1 && !cpu_list_valid (p->exec_cpu_affinity_final))
    return error_set (err, EINVAL, "`%s`: `%s` is not a CPU list (like `0-3,7`)",
                      oci_key (f, k, "final"), p->exec_cpu_affinity_final);
  return 0;
}

int
oci_process_parse_at (json_object *o, const char *ctx, struct oci_process *p,
                      struct error **err)
{
  char f[OCI_KEY_MAX];
  int64_t v;
  int r;
  if (json_object_get_type (o) != json_type_object)
    return error_set (err, EINVAL, "`%s` must be an object", *ctx ? ctx : "process");
  if ((r = oci_get_bool (o, ctx, "terminal", &p->terminal, err)) < 0)
    return r;
  if ((r = parse_console_size (o, ctx, p, err)) < 0)
    return r;
  if ((r = parse_user (o, ctx, p, err)) < 0)
    return r;

  if ((r = oci_get_strv (o, ctx, "args", &p->args, err)) < 0)
    return r;
  if (p->args == NULL || p->args[0] == NULL)
    return error_set (err, EINVAL, "`%s` must not be empty", oci_key (f, ctx, "args"));
  if (p->args[0][0] == '\0')
    return error_set (err, EINVAL, "`%s` must not be empty", oci_key_idx (f, ctx, "args", 0));

  if ((r = oci_get_strv (o, ctx, "env", &p->env, err)) < 0)
    return r;
  for (size_t i = 0; p->env && p->env[i]; i++)
    if (!oci_env_valid (p->env[i]))
      return error_set (err, EINVAL, "`%s` must be NAME=VALUE, not `%s`",
                        oci_key_idx (f, ctx, "env", i), p->env[i]);

  if ((r = oci_get_strdup (o, ctx, "cwd", &p->cwd, err)) < 0)
    return r;
  if (r == 0)
    return oci_missing (ctx, "cwd", err);
  if (p->cwd[0] != '/')
    return error_set (err, EINVAL, "`%s` must be an absolute path, not `%s`",
                      oci_key (f, ctx, "cwd"), p->cwd);

  if ((r = parse_caps (o, ctx, &p->caps, err)) < 0)
    return r;
  if ((r = parse_rlimits (o, ctx, p, err)) < 0)
    return r;
  if ((r = oci_get_bool (o, ctx, "noNewPrivileges", &p->no_new_privileges, err)) < 0)
    return r;
  if ((r = oci_get_strdup (o, ctx, "apparmorProfile", &p->apparmor_profile, err)) < 0)
    return r;
  if ((r = oci_get_strdup (o, ctx, "selinuxLabel", &p->selinux_label, err)) < 0)
    return r;
  if ((r = oci_get_int64 (o, ctx, "oomScoreAdj", -1000, 1000, &v, err)) < 0)
    return r;
  if (r == 1)
    p->has_oom_score_adj = true, p->oom_score_adj = (int) v;
  if ((r = parse_scheduler (o, ctx, &p->scheduler, err)) < 0)
    return r;
  if ((r = parse_io_priority (o, ctx, &p->io_priority, err)) < 0)
    return r;
  if ((r = parse_exec_cpu_affinity (o, ctx, p, err)) < 0)
    return r;
  return 0;
}

int
oci_process_parse (json_object *o, struct oci_process *out, struct error **err)
{
  memset (out, 0, sizeof *out);
  if (o == NULL)
    return error_set (err, EINVAL, "the process must be a JSON object, not null");
  int r = oci_process_parse_at (o, "", out, err);
  if (r < 0)
    {
      oci_error_sanitize (err);
      oci_process_clear (out);
    }
  return r;
}

int
oci_process_load (const char *path, struct oci_process *out, struct error **err)
{
  _cleanup_free_ char *text = NULL;
  _cleanup_json_ json_object *o = NULL;
  size_t len = 0;
  memset (out, 0, sizeof *out);
  int r = fs_read_file (path, OCI_PROCESS_MAX_SIZE, &text, &len, err);
  if (r < 0)
    return r;
  r = jsonx_parse (text, len, &o, err);
  if (r == 0)
    r = oci_process_parse (o, out, err);
  if (r < 0)
    {
      error_prefix (err, "`%s`", path);
      oci_error_sanitize (err);
    }
  return r;
}

void
oci_process_clear (struct oci_process *p)
{
  free (p->additional_gids);
  strv_free (p->args);
  strv_free (p->env);
  free (p->cwd);
  free (p->rlimits);
  free (p->apparmor_profile);
  free (p->selinux_label);
  free (p->exec_cpu_affinity_initial);
  free (p->exec_cpu_affinity_final);
  memset (p, 0, sizeof *p);
}
