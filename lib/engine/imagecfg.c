/* imagecfg.c - the image's config (parsed by lib/image) merged with the
 * command line, docker's rules. */
#include "engine/spec.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"
#include "image/manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
take_strv (char ***dst, char *const *src)
{
  if (src == NULL)
    return 0;
  char **c = strv_dup (src);
  if (c == NULL)
    return -ENOMEM;
  strv_free (*dst);
  *dst = c;
  return 0;
}

int
ctr_spec_merge_image (struct ctr_spec *s, const struct image_config *img, bool entrypoint_set,
                      struct error **err)
{
  /* before the first `goto oom`: their cleanup runs at every return */
  _cleanup_strv_ char **env = NULL, **labels = NULL;
  /* Entrypoint and Cmd: the user's win; an explicit --entrypoint also
   * drops the image's Cmd. */
  if (!entrypoint_set && take_strv (&s->entrypoint, img->entrypoint) < 0)
    goto oom;
  if (s->cmd == NULL && !entrypoint_set && take_strv (&s->cmd, img->cmd) < 0)
    goto oom;
  if (entrypoint_set && s->entrypoint && s->entrypoint[0] == NULL)
    {
      strv_free (s->entrypoint);
      s->entrypoint = NULL;
    }
  /* Env: the image's, with the user's replacing same keys. */
  env = strv_dup (img->env ? img->env : (char *[]){ NULL });
  if (env == NULL)
    goto oom;
  for (size_t i = 0; s->env && s->env[i]; i++)
    if (ctr_env_set (&env, s->env[i]) < 0)
      goto oom;
  bool has_path = false;
  for (size_t i = 0; env[i]; i++)
    has_path |= strncmp (env[i], "PATH=", 5) == 0;
  if (!has_path
      && strv_push (&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0)
    goto oom;
  strv_free (s->env);
  s->env = TAKE_PTR (env);
  /* Labels: the image's, the user's replacing. */
  labels = strv_dup (img->labels ? img->labels : (char *[]){ NULL });
  if (labels == NULL)
    goto oom;
  for (size_t i = 0; s->labels && s->labels[i]; i++)
    if (ctr_env_set (&labels, s->labels[i]) < 0)
      goto oom;
  strv_free (s->labels);
  s->labels = TAKE_PTR (labels);
  if (s->workdir == NULL && img->working_dir && *img->working_dir)
    s->workdir = strdup (img->working_dir);
  if (s->workdir && s->workdir[0] != '/')
    return error_set (err, EINVAL, "working directory `%s` is not an absolute path", s->workdir);
  if (s->user == NULL && img->user && *img->user)
    s->user = strdup (img->user);
  if (s->stop_signal == NULL && img->stop_signal && *img->stop_signal)
    s->stop_signal = strdup (img->stop_signal);
  if (take_strv (&s->volumes, img->volumes) < 0 || take_strv (&s->exposed_ports, img->exposed_ports) < 0)
    goto oom;
  /* Healthcheck: the user's fields override the image's one by one. */
  if (img->healthcheck_test)
    {
      if (s->health.test == NULL && take_strv (&s->health.test, img->healthcheck_test) < 0)
        goto oom;
      if (s->health.interval_ns == 0)
        s->health.interval_ns = img->healthcheck_interval;
      if (s->health.timeout_ns == 0)
        s->health.timeout_ns = img->healthcheck_timeout;
      if (s->health.start_period_ns == 0)
        s->health.start_period_ns = img->healthcheck_start_period;
      if (s->health.retries == 0)
        s->health.retries = img->healthcheck_retries;
    }
  if (s->health.test && (s->health.test[0] == NULL || strcmp (s->health.test[0], "NONE") == 0))
    {
      strv_free (s->health.test);
      s->health.test = NULL;
    }
  return 0;
oom:
  return error_set (err, ENOMEM, "out of memory");
}
