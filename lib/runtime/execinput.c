/* execinput.c - see execinput.h.  Everything here reads input the container
 * or the caller controls: no assumption on its shape, lengths bounded. */
#include "execinput.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A uid or gid of `--user` / `--additional-gids`: decimal digits only, at
 * most 4294967294 ((uid_t) -1 means "no change" to the kernel). */
static bool
parse_id (const char *s, size_t len, uint32_t *out)
{
  if (len == 0 || len > 10)
    return false;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return false;
      v = v * 10 + (uint64_t) (s[i] - '0');
    }
  if (v >= UINT32_MAX)
    return false;
  *out = (uint32_t) v;
  return true;
}

char *
passwd_home_for_uid (const char *data, size_t len, uid_t uid)
{
  const char *end = data + len;
  for (const char *line = data; line < end;)
    {
      const char *nl = memchr (line, '\n', (size_t) (end - line));
      const char *le = nl ? nl : end;
      const char *f[7];
      size_t fl[7];
      int n = 0;
      const char *q = line;
      while (n < 7)
        {
          const char *colon = memchr (q, ':', (size_t) (le - q));
          const char *fe = colon ? colon : le;
          f[n] = q;
          fl[n] = (size_t) (fe - q);
          n++;
          if (colon == NULL)
            break;
          q = colon + 1;
        }
      if (n == 7 && fl[2] > 0 && fl[2] <= 10 && fl[5] > 0 && fl[5] < 4096 && f[5][0] == '/')
        {
          uint64_t v = 0;
          bool digits = true;
          for (size_t i = 0; i < fl[2] && digits; i++)
            {
              digits = f[2][i] >= '0' && f[2][i] <= '9';
              v = v * 10 + (uint64_t) (f[2][i] - '0');
            }
          if (digits && v == (uint64_t) uid && memchr (f[5], '\0', fl[5]) == NULL)
            return strndup (f[5], fl[5]);
        }
      line = nl ? nl + 1 : end;
    }
  return NULL;
}

int
exec_build_process (json_object *config, const struct runtime_exec_options *o,
                    struct oci_process *out, struct error **err)
{
  json_object *base = NULL;
  json_object_object_get_ex (config, "process", &base);
  _cleanup_json_ json_object *p = NULL;
  /* The config comes from the state (validated at create), but nothing of
   * its shape is assumed: a wrong type is an error, never an assertion in
   * json-c. */
  if (base != NULL && !json_object_is_type (base, json_type_object))
    return error_set (err, EINVAL, "the container's `process` is not an object");
  if (base == NULL || json_object_deep_copy (base, &p, NULL) < 0)
    p = json_object_new_object ();
  json_object *args = json_object_new_array ();
  for (char **a = o->argv; a && *a; a++)
    json_object_array_add (args, json_object_new_string (*a));
  json_object_object_add (p, "args", args);
  json_object_object_add (p, "terminal", json_object_new_boolean (o->tty));
  json_object_object_del (p, "consoleSize");
  if (o->cwd)
    json_object_object_add (p, "cwd", json_object_new_string (o->cwd));
  if (o->env)
    {
      json_object *env = NULL;
      if (!json_object_object_get_ex (p, "env", &env) || env == NULL)
        {
          env = json_object_new_array ();
          json_object_object_add (p, "env", env);
        }
      if (!json_object_is_type (env, json_type_array))
        return error_set (err, EINVAL, "the container's `process.env` is not an array");
      for (char **e = o->env; *e; e++)
        {
          const char *eq = strchr (*e, '=');
          size_t kl = eq ? (size_t) (eq - *e) : strlen (*e);
          bool replaced = false;
          for (size_t i = 0; i < json_object_array_length (env); i++)
            {
              const char *cur = json_object_get_string (json_object_array_get_idx (env, i));
              if (cur && strncmp (cur, *e, kl) == 0 && cur[kl] == '=')
                {
                  json_object_array_put_idx (env, i, json_object_new_string (*e));
                  replaced = true;
                  break;
                }
            }
          if (!replaced)
            json_object_array_add (env, json_object_new_string (*e));
        }
    }
  if (o->user)
    {
      json_object *u = json_object_new_object ();
      json_object_object_add (p, "user", u);
      const char *colon = strchr (o->user, ':');
      uint32_t uid, gid = 0;
      if (!parse_id (o->user, colon ? (size_t) (colon - o->user) : strlen (o->user), &uid)
          || (colon && !parse_id (colon + 1, strlen (colon + 1), &gid)))
        return error_set (err, EINVAL, "invalid --user `%s`: want UID[:GID]", o->user);
      json_object_object_add (u, "uid", json_object_new_int64 ((int64_t) uid));
      json_object_object_add (u, "gid", json_object_new_int64 ((int64_t) gid));
      if (o->additional_gids)
        {
          json_object *ag = json_object_new_array ();
          json_object_object_add (u, "additionalGids", ag);
          for (char **g = o->additional_gids; *g; g++)
            {
              uint32_t v;
              if (!parse_id (*g, strlen (*g), &v))
                return error_set (err, EINVAL, "invalid --additional-gids `%s`", *g);
              json_object_array_add (ag, json_object_new_int64 (v));
            }
        }
    }
  if (o->caps)
    {
      json_object *caps = NULL;
      if (!json_object_object_get_ex (p, "capabilities", &caps) || caps == NULL)
        {
          caps = json_object_new_object ();
          json_object_object_add (p, "capabilities", caps);
        }
      if (!json_object_is_type (caps, json_type_object))
        return error_set (err, EINVAL, "the container's `process.capabilities` is not an object");
      static const char *const sets[] = { "bounding", "effective", "permitted" };
      for (size_t i = 0; i < 3; i++)
        {
          json_object *set = NULL;
          if (!json_object_object_get_ex (caps, sets[i], &set) || set == NULL)
            {
              set = json_object_new_array ();
              json_object_object_add (caps, sets[i], set);
            }
          if (!json_object_is_type (set, json_type_array))
            return error_set (err, EINVAL, "the container's `process.capabilities.%s` is not an array",
                              sets[i]);
          for (char **c = o->caps; *c; c++)
            json_object_array_add (set, json_object_new_string (*c));
        }
    }
  if (o->no_new_privs)
    json_object_object_add (p, "noNewPrivileges", json_object_new_boolean (true));
  if (o->apparmor)
    json_object_object_add (p, "apparmorProfile", json_object_new_string (o->apparmor));
  if (o->process_label)
    json_object_object_add (p, "selinuxLabel", json_object_new_string (o->process_label));
  return oci_process_parse (p, out, err);
}

