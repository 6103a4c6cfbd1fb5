/* spec.c - struct ctr_spec: memory, JSON (docker's Config/HostConfig
 * names, so that `inspect` shows what docker shows), the image's config
 * and the merge of both. */
#include "engine/spec.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"
#include "oci/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
mount_clear (struct ctr_mount *m)
{
  free (m->type);
  free (m->source);
  free (m->target);
  free (m->propagation);
  strv_free (m->options);
  memset (m, 0, sizeof *m);
}

static void
health_clear (struct ctr_health *h)
{
  strv_free (h->test);
  memset (h, 0, sizeof *h);
}

void
ctr_spec_clear (struct ctr_spec *s)
{
  free (s->image);
  free (s->image_id);
  free (s->hostname);
  free (s->domainname);
  free (s->user);
  free (s->workdir);
  strv_free (s->entrypoint);
  strv_free (s->cmd);
  strv_free (s->env);
  strv_free (s->labels);
  strv_free (s->volumes);
  strv_free (s->exposed_ports);
  free (s->stop_signal);
  health_clear (&s->health);
  free (s->seccomp);
  strv_free (s->cap_add);
  strv_free (s->cap_drop);
  free (s->cpuset_cpus);
  for (size_t i = 0; i < s->n_ulimits; i++)
    free (s->ulimits[i].name);
  free (s->ulimits);
  for (size_t i = 0; i < s->n_mounts; i++)
    mount_clear (&s->mounts[i]);
  free (s->mounts);
  free (s->network);
  strv_free (s->publish);
  strv_free (s->dns);
  strv_free (s->dns_search);
  strv_free (s->dns_options);
  strv_free (s->extra_hosts);
  if (s->ext)
    json_object_put (s->ext);
  memset (s, 0, sizeof *s);
  s->stop_timeout = -1;
}

void
ctr_spec_free (struct ctr_spec *s)
{
  ctr_spec_clear (s);
  free (s);
}

/* ------------------------------------------------------------ to JSON */

static json_object *
jstr (const char *s)
{
  return s ? json_object_new_string (s) : json_object_new_string ("");
}

static json_object *
jstrv (char *const *v)
{
  if (v == NULL)
    return NULL;
  json_object *a = json_object_new_array ();
  for (size_t i = 0; v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

/* ["a=b"] -> {"a":"b"} */
static json_object *
jmap (char *const *kv, bool empty_values)
{
  json_object *o = json_object_new_object ();
  for (size_t i = 0; kv && kv[i]; i++)
    {
      if (empty_values)
        {
          json_object_object_add (o, kv[i], json_object_new_object ());
          continue;
        }
      const char *eq = strchr (kv[i], '=');
      _cleanup_free_ char *k = eq ? strndup (kv[i], (size_t) (eq - kv[i])) : strdup (kv[i]);
      json_object_object_add (o, k, json_object_new_string (eq ? eq + 1 : ""));
    }
  return o;
}

static json_object *
health_to_json (const struct ctr_health *h)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "Test", jstrv (h->test));
  json_object_object_add (o, "Interval", json_object_new_int64 (h->interval_ns));
  json_object_object_add (o, "Timeout", json_object_new_int64 (h->timeout_ns));
  json_object_object_add (o, "StartPeriod", json_object_new_int64 (h->start_period_ns));
  json_object_object_add (o, "Retries", json_object_new_int (h->retries));
  return o;
}

json_object *
ctr_spec_to_json (const struct ctr_spec *s)
{
  json_object *root = json_object_new_object ();
  json_object *c = json_object_new_object ();
  json_object_object_add (c, "Hostname", jstr (s->hostname));
  json_object_object_add (c, "Domainname", jstr (s->domainname));
  json_object_object_add (c, "User", jstr (s->user));
  json_object_object_add (c, "AttachStdin", json_object_new_boolean (s->open_stdin));
  json_object_object_add (c, "Tty", json_object_new_boolean (s->tty));
  json_object_object_add (c, "OpenStdin", json_object_new_boolean (s->open_stdin));
  json_object_object_add (c, "Env", jstrv (s->env));
  json_object_object_add (c, "Cmd", jstrv (s->cmd));
  if (s->health.test)
    json_object_object_add (c, "Healthcheck", health_to_json (&s->health));
  json_object_object_add (c, "Image", jstr (s->image));
  json_object_object_add (c, "Volumes", s->volumes ? jmap (s->volumes, true) : NULL);
  json_object_object_add (c, "WorkingDir", jstr (s->workdir));
  json_object_object_add (c, "Entrypoint", jstrv (s->entrypoint));
  json_object_object_add (c, "Labels", jmap (s->labels, false));
  if (s->exposed_ports)
    json_object_object_add (c, "ExposedPorts", jmap (s->exposed_ports, true));
  if (s->stop_signal)
    json_object_object_add (c, "StopSignal", jstr (s->stop_signal));
  if (s->stop_timeout >= 0)
    json_object_object_add (c, "StopTimeout", json_object_new_int (s->stop_timeout));
  json_object_object_add (root, "Config", c);

  json_object *h = json_object_new_object ();
  json_object *mounts = json_object_new_array ();
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      const struct ctr_mount *m = &s->mounts[i];
      json_object *mo = json_object_new_object ();
      json_object_object_add (mo, "Type", jstr (m->type));
      if (m->source)
        json_object_object_add (mo, "Source", jstr (m->source));
      json_object_object_add (mo, "Target", jstr (m->target));
      json_object_object_add (mo, "ReadOnly", json_object_new_boolean (m->readonly));
      if (m->propagation)
        {
          json_object *bo = json_object_new_object ();
          json_object_object_add (bo, "Propagation", jstr (m->propagation));
          json_object_object_add (mo, "BindOptions", bo);
        }
      if (m->options)
        json_object_object_add (mo, "Options", jstrv (m->options));
      json_object_array_add (mounts, mo);
    }
  json_object_object_add (h, "Mounts", mounts);
  json_object_object_add (h, "AutoRemove", json_object_new_boolean (s->auto_remove));
  json_object_object_add (h, "ReadonlyRootfs", json_object_new_boolean (s->read_only));
  json_object_object_add (h, "Privileged", json_object_new_boolean (s->privileged));
  json_object_object_add (h, "Init", json_object_new_boolean (s->init));
  json_object_object_add (h, "Systemd", json_object_new_string (ctr_systemd_name (s->systemd)));
  json_object *so = json_object_new_array ();
  if (s->no_new_privileges)
    json_object_array_add (so, json_object_new_string ("no-new-privileges"));
  if (s->seccomp)
    {
      _cleanup_free_ char *v = NULL;
      if (asprintf (&v, "seccomp=%s", s->seccomp) > 0)
        json_object_array_add (so, json_object_new_string (v));
    }
  json_object_object_add (h, "SecurityOpt", so);
  json_object_object_add (h, "CapAdd", jstrv (s->cap_add));
  json_object_object_add (h, "CapDrop", jstrv (s->cap_drop));
  json_object_object_add (h, "Memory", json_object_new_int64 (s->memory));
  json_object_object_add (h, "MemorySwap", json_object_new_int64 (s->memory_swap));
  json_object_object_add (h, "NanoCpus", json_object_new_int64 (s->nano_cpus));
  json_object_object_add (h, "CpuShares", json_object_new_int64 (s->cpu_shares));
  json_object_object_add (h, "CpusetCpus", jstr (s->cpuset_cpus));
  json_object_object_add (h, "PidsLimit", json_object_new_int64 (s->pids_limit));
  json_object *ul = json_object_new_array ();
  for (size_t i = 0; i < s->n_ulimits; i++)
    {
      json_object *u = json_object_new_object ();
      json_object_object_add (u, "Name", jstr (s->ulimits[i].name));
      json_object_object_add (u, "Soft", json_object_new_int64 ((int64_t) s->ulimits[i].soft));
      json_object_object_add (u, "Hard", json_object_new_int64 ((int64_t) s->ulimits[i].hard));
      json_object_array_add (ul, u);
    }
  json_object_object_add (h, "Ulimits", ul);
  json_object *rp = json_object_new_object ();
  json_object_object_add (rp, "Name", json_object_new_string (ctr_restart_name (s->restart.policy)));
  json_object_object_add (rp, "MaximumRetryCount", json_object_new_int (s->restart.max_retries));
  json_object_object_add (h, "RestartPolicy", rp);
  json_object_object_add (h, "NetworkMode", jstr (s->network ? s->network : "default"));
  json_object_object_add (h, "PortBindings", jstrv (s->publish));
  json_object_object_add (h, "PublishAllPorts", json_object_new_boolean (s->publish_all));
  json_object_object_add (h, "Dns", jstrv (s->dns));
  json_object_object_add (h, "DnsSearch", jstrv (s->dns_search));
  json_object_object_add (h, "DnsOptions", jstrv (s->dns_options));
  json_object_object_add (h, "ExtraHosts", jstrv (s->extra_hosts));
  json_object *lc = json_object_new_object (), *lcc = json_object_new_object ();
  json_object_object_add (lc, "Type", json_object_new_string ("k8s-file"));
  if (s->log_max_size)
    {
      char b[32];
      snprintf (b, sizeof b, "%lld", (long long) s->log_max_size);
      json_object_object_add (lcc, "max-size", json_object_new_string (b));
      snprintf (b, sizeof b, "%d", s->log_max_file > 0 ? s->log_max_file : 1);
      json_object_object_add (lcc, "max-file", json_object_new_string (b));
    }
  json_object_object_add (lc, "Config", lcc);
  json_object_object_add (h, "LogConfig", lc);
  json_object_object_add (root, "HostConfig", h);
  if (s->image_id)
    json_object_object_add (root, "ImageID", jstr (s->image_id));
  if (s->ext)
    json_object_object_add (root, "Ext", json_object_get (s->ext));
  return root;
}

/* ------------------------------------------------------------ from JSON */

static int
get_str (json_object *o, const char *k, char **out, struct error **err)
{
  const char *v = NULL;
  int r = jsonx_get_string (o, k, &v, err);
  if (r == 1 && *v)
    {
      *out = strdup (v);
      if (*out == NULL)
        return error_set (err, ENOMEM, "out of memory");
    }
  return r < 0 ? r : 0;
}

static int
get_strv (json_object *o, const char *k, char ***out, struct error **err)
{
  json_object *v;
  if (!json_object_object_get_ex (o, k, &v) || v == NULL)
    return 0;
  int r = jsonx_get_strv (o, k, out, err);
  return r < 0 ? r : 0;
}

static int
get_map (json_object *o, const char *k, char ***out, bool keys_only, struct error **err)
{
  json_object *m;
  if (!json_object_object_get_ex (o, k, &m) || m == NULL)
    return 0;
  if (!json_object_is_type (m, json_type_object))
    return error_set (err, EINVAL, "`%s` must be an object", k);
  char **v = NULL;
  json_object_object_foreach (m, key, val)
  {
    char *e = NULL;
    if (keys_only)
      e = strdup (key);
    else if (asprintf (&e, "%s=%s", key, json_object_get_string (val)) < 0)
      e = NULL;
    if (e == NULL || strv_consume (&v, e) < 0)
      {
        strv_free (v);
        return error_set (err, ENOMEM, "out of memory");
      }
  }
  if (v == NULL && keys_only == false)
    v = calloc (1, sizeof *v);
  *out = v;
  return 0;
}

static int64_t
get_i64 (json_object *o, const char *k, int64_t def)
{
  json_object *v;
  if (!json_object_object_get_ex (o, k, &v) || v == NULL)
    return def;
  return json_object_get_int64 (v);
}

static bool
get_bool (json_object *o, const char *k)
{
  json_object *v;
  return json_object_object_get_ex (o, k, &v) && json_object_get_boolean (v);
}

int
ctr_spec_from_json (json_object *root, struct ctr_spec *s, struct error **err)
{
  memset (s, 0, sizeof *s);
  s->stop_timeout = -1;
  json_object *c = NULL, *h = NULL, *x;
  if (jsonx_get_object (root, "Config", &c, err) != 1 || jsonx_get_object (root, "HostConfig", &h, err) != 1)
    return *err ? -EINVAL : error_set (err, EINVAL, "container record: no Config/HostConfig");
  /* before the first `goto fail`: its cleanup runs at every return */
  _cleanup_strv_ char **so = NULL;
  int r = 0;
  r |= get_str (c, "Hostname", &s->hostname, err);
  r |= get_str (c, "Domainname", &s->domainname, err);
  r |= get_str (c, "User", &s->user, err);
  s->tty = get_bool (c, "Tty");
  s->open_stdin = get_bool (c, "OpenStdin");
  r |= get_strv (c, "Env", &s->env, err);
  r |= get_strv (c, "Cmd", &s->cmd, err);
  r |= get_str (c, "Image", &s->image, err);
  r |= get_map (c, "Volumes", &s->volumes, true, err);
  r |= get_str (c, "WorkingDir", &s->workdir, err);
  r |= get_strv (c, "Entrypoint", &s->entrypoint, err);
  r |= get_map (c, "Labels", &s->labels, false, err);
  r |= get_map (c, "ExposedPorts", &s->exposed_ports, true, err);
  r |= get_str (c, "StopSignal", &s->stop_signal, err);
  s->stop_timeout = (int) get_i64 (c, "StopTimeout", -1);
  if (json_object_object_get_ex (c, "Healthcheck", &x) && x)
    {
      r |= get_strv (x, "Test", &s->health.test, err);
      s->health.interval_ns = get_i64 (x, "Interval", 0);
      s->health.timeout_ns = get_i64 (x, "Timeout", 0);
      s->health.start_period_ns = get_i64 (x, "StartPeriod", 0);
      s->health.retries = (int) get_i64 (x, "Retries", 0);
    }
  if (r < 0)
    goto fail;

  json_object *mounts = NULL;
  if (jsonx_get_array (h, "Mounts", &mounts, err) == 1)
    {
      size_t n = json_object_array_length (mounts);
      s->mounts = calloc (n ? n : 1, sizeof *s->mounts);
      if (s->mounts == NULL)
        {
          r = error_set (err, ENOMEM, "out of memory");
          goto fail;
        }
      for (size_t i = 0; i < n; i++)
        {
          json_object *mo = json_object_array_get_idx (mounts, i), *bo;
          struct ctr_mount *m = &s->mounts[s->n_mounts++];
          r |= get_str (mo, "Type", &m->type, err);
          r |= get_str (mo, "Source", &m->source, err);
          r |= get_str (mo, "Target", &m->target, err);
          m->readonly = get_bool (mo, "ReadOnly");
          if (json_object_object_get_ex (mo, "BindOptions", &bo) && bo)
            r |= get_str (bo, "Propagation", &m->propagation, err);
          r |= get_strv (mo, "Options", &m->options, err);
        }
    }
  s->auto_remove = get_bool (h, "AutoRemove");
  s->read_only = get_bool (h, "ReadonlyRootfs");
  s->privileged = get_bool (h, "Privileged");
  s->init = get_bool (h, "Init");
  if (json_object_object_get_ex (h, "Systemd", &x) && x)
    {
      _cleanup_error_ struct error *e2 = NULL;
      ctr_parse_systemd (json_object_get_string (x), &s->systemd, &e2);
    }
  r |= get_strv (h, "SecurityOpt", &so, err);
  for (size_t i = 0; so && so[i]; i++)
    {
      if (strcmp (so[i], "no-new-privileges") == 0)
        s->no_new_privileges = true;
      else if (str_has_prefix (so[i], "seccomp="))
        s->seccomp = strdup (so[i] + 8);
    }
  r |= get_strv (h, "CapAdd", &s->cap_add, err);
  r |= get_strv (h, "CapDrop", &s->cap_drop, err);
  s->memory = get_i64 (h, "Memory", 0);
  s->memory_swap = get_i64 (h, "MemorySwap", 0);
  s->nano_cpus = get_i64 (h, "NanoCpus", 0);
  s->cpu_shares = get_i64 (h, "CpuShares", 0);
  r |= get_str (h, "CpusetCpus", &s->cpuset_cpus, err);
  s->pids_limit = get_i64 (h, "PidsLimit", 0);
  json_object *ul = NULL;
  if (jsonx_get_array (h, "Ulimits", &ul, err) == 1)
    {
      size_t n = json_object_array_length (ul);
      s->ulimits = calloc (n ? n : 1, sizeof *s->ulimits);
      for (size_t i = 0; s->ulimits && i < n; i++)
        {
          json_object *u = json_object_array_get_idx (ul, i);
          struct ctr_ulimit *l = &s->ulimits[s->n_ulimits++];
          r |= get_str (u, "Name", &l->name, err);
          l->soft = (uint64_t) get_i64 (u, "Soft", 0);
          l->hard = (uint64_t) get_i64 (u, "Hard", 0);
          if (l->name)
            {
              _cleanup_free_ char *rl = NULL;
              if (asprintf (&rl, "RLIMIT_%s", l->name) > 0)
                for (char *p = rl; *p; p++)
                  *p = (char) (*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
              l->resource = rl ? oci_rlimit_from_name (rl) : -1;
            }
        }
    }
  if (json_object_object_get_ex (h, "RestartPolicy", &x) && x)
    {
      _cleanup_free_ char *name = NULL;
      r |= get_str (x, "Name", &name, err);
      if (name)
        {
          _cleanup_error_ struct error *e2 = NULL;
          ctr_parse_restart (name, &s->restart, &e2);
        }
      s->restart.max_retries = (int) get_i64 (x, "MaximumRetryCount", 0);
    }
  r |= get_str (h, "NetworkMode", &s->network, err);
  r |= get_strv (h, "PortBindings", &s->publish, err);
  s->publish_all = get_bool (h, "PublishAllPorts");
  r |= get_strv (h, "Dns", &s->dns, err);
  r |= get_strv (h, "DnsSearch", &s->dns_search, err);
  r |= get_strv (h, "DnsOptions", &s->dns_options, err);
  r |= get_strv (h, "ExtraHosts", &s->extra_hosts, err);
  if (json_object_object_get_ex (h, "LogConfig", &x) && x)
    {
      json_object *cfg;
      if (json_object_object_get_ex (x, "Config", &cfg) && cfg)
        {
          json_object *v;
          if (json_object_object_get_ex (cfg, "max-size", &v))
            s->log_max_size = strtoll (json_object_get_string (v), NULL, 10);
          if (json_object_object_get_ex (cfg, "max-file", &v))
            s->log_max_file = atoi (json_object_get_string (v));
        }
    }
  const char *iid = NULL;
  if (jsonx_get_string (root, "ImageID", &iid, err) == 1)
    s->image_id = strdup (iid);
  if (json_object_object_get_ex (root, "Ext", &x) && x)
    s->ext = json_object_get (x);
  if (r < 0 || *err)
    goto fail;
  return 0;
fail:
  ctr_spec_clear (s);
  if (*err == NULL)
    return error_set (err, EINVAL, "container record: malformed");
  return -EINVAL;
}
