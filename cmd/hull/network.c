/* hull network create|ls|rm|inspect|connect|disconnect|prune: lib/net's
 * networks (published ports: the extension's ports hook, hull port). */
#include "ctr.h"
#include "hull.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"
#include "engine/engine.h"
#include "engine/spec.h"
#include "net/engine-ext.h"
#include "net/net.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
open_net (struct hull_ctx *ctx, struct engine **e, struct net **n, struct error **err)
{
  int r = hull_open_engine (ctx, e, err);
  if (r < 0)
    return r;
  return net_engine_net (*e, n, err);
}

struct create_opts
{
  struct net_network_opts o;
  char **labels;
};

static int
create_option (void *opts, int key, const char *v, struct error **err)
{
  struct create_opts *c = opts;
  /* --opt mtu=N: the only driver option */
  if (strncmp (v, "mtu=", 4) == 0 || strncmp (v, "com.docker.network.driver.mtu=", 30) == 0)
    {
      const char *m = strchr (v, '=') + 1;
      char *end;
      long mtu = strtol (m, &end, 10);
      if (*m == '\0' || *end || mtu < 68 || mtu > 65535)
        return error_set (err, EINVAL, "invalid MTU");
      c->o.mtu = (int)mtu;
      return 0;
    }
  return error_set (err, EINVAL, "unsupported network option `%s`", v);
}

static const struct cli_option create_options[] = {
  CLI_OPT_STRING (0, "subnet", struct create_opts, o.subnet, "CIDR",
                  "e.g. 10.91.0.0/24 (default: a free /24 of 10.90.0.0/15)"),
  CLI_OPT_STRING (0, "gateway", struct create_opts, o.gateway, "IP",
                  "default: the subnet's first address"),
  CLI_OPT_FLAG (0, "internal", struct create_opts, o.internal,
                "no traffic in or out of the network"),
  CLI_OPT_STRING ('d', "driver", struct create_opts, o.driver, "bridge", "the only driver"),
  CLI_OPT_STRING (0, "ip-range", struct create_opts, o.ip_range, "CIDR",
                  "the addresses given to containers"),
  CLI_OPT_STRV (0, "label", struct create_opts, labels, "K=V", "metadata"),
  CLI_OPT_CALL ('o', "opt", 0, "mtu=N", "the MTU of the bridge and the veths"),
  { 0 },
};

static int
create_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  struct create_opts *c = opts;
  struct net_network_opts o = c->o;
  (void)argc;
  o.name = argv[0];
  o.labels = c->labels;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct net *n;
  _cleanup_net_network_ struct net_network *nw = NULL;
  if (open_net (ctx, &e, &n, &err) < 0 || net_network_create (n, &o, &nw, &err) < 0)
    return hull_report (&err);
  printf ("%s\n", nw->id);
  return 0;
}

struct ls_opts
{
  bool quiet, notrunc;
  const char *format;
};

static const struct cli_option ls_options[] = {
  CLI_OPT_FLAG ('q', "quiet", struct ls_opts, quiet, "only the networks' IDs"),
  CLI_OPT_STRING ('f', "format", struct ls_opts, format, "TEMPLATE", "a template, or json"),
  CLI_OPT_FLAG (0, "no-trunc", struct ls_opts, notrunc, "full IDs"),
  { 0 },
};

static int
ls_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  const struct ls_opts *opt = opts;
  bool quiet = opt->quiet, notrunc = opt->notrunc;
  const char *fmt = opt->format;
  (void)argc, (void)argv;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct net *n;
  struct net_network **l = NULL;
  if (open_net (ctx, &e, &n, &err) < 0 || net_network_list (n, &l, &err) < 0)
    return hull_report (&err);
  size_t k = strv_len ((char **)l);
  struct fmt_row *rows = calloc (k + 1, sizeof *rows);
  static const char *const keys[] = { "ID", "Name", "Driver", "Scope", "Internal", "Subnet", NULL };
  static const char *const names[]
      = { "NETWORK ID", "NAME", "DRIVER", "SCOPE", "INTERNAL", "SUBNET", NULL };
  char (*vals)[6][48] = calloc (k + 1, sizeof *vals);
  const char *(*ptrs)[7] = calloc (k + 1, sizeof *ptrs);
  int ret = 0;
  if (rows == NULL || vals == NULL || ptrs == NULL)
    ret = error_set (&err, ENOMEM, "out of memory");
  for (size_t i = 0; ret == 0 && i < k; i++)
    {
      char ip[16];
      snprintf (vals[i][0], 48, "%.*s", notrunc ? 64 : 12, l[i]->id);
      snprintf (vals[i][1], 48, "%s", l[i]->name);
      snprintf (vals[i][2], 48, "%s", l[i]->driver);
      snprintf (vals[i][3], 48, "local");
      snprintf (vals[i][4], 48, "%s", l[i]->internal ? "true" : "false");
      snprintf (vals[i][5], 48, "%s/%d", net_ip_str (l[i]->subnet.addr, ip), l[i]->subnet.len);
      for (int j = 0; j < 6; j++)
        ptrs[i][j] = vals[i][j];
      ptrs[i][6] = NULL;
      rows[i].keys = keys;
      rows[i].values = ptrs[i];
      rows[i].json = json_object_new_object ();
      for (int j = 0; j < 6; j++)
        json_object_object_add (rows[i].json, keys[j], json_object_new_string (vals[i][j]));
    }
  if (ret == 0)
    {
      if (quiet)
        for (size_t i = 0; i < k; i++)
          printf ("%s\n", vals[i][0]);
      else if (fmt)
        ret = hull_format_rows (fmt, rows, k, keys, names, &err);
      else
        {
          struct table *t = table_new (4);
          const char *h[] = { "NETWORK ID", "NAME", "DRIVER", "SCOPE" };
          table_add (t, h);
          for (size_t i = 0; i < k; i++)
            table_add (t, ptrs[i]);
          table_print (t);
          table_free (t);
        }
    }
  for (size_t i = 0; rows && i < k; i++)
    json_object_put (rows[i].json);
  free (rows);
  free (vals);
  free (ptrs);
  net_network_list_free (l);
  return ret < 0 ? hull_report (&err) : 0;
}

static int
rm_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct net *n;
  if (open_net (ctx, &e, &n, &err) < 0 || net_engine_reconcile (e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = 0; i < argc; i++)
    {
      if (net_network_remove (n, argv[i], &err) < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return ret;
}

static int
inspect_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct net *n;
  if (open_net (ctx, &e, &n, &err) < 0)
    return hull_report (&err);
  json_object *arr = json_object_new_array ();
  int ret = 0;
  for (int i = 0; i < argc; i++)
    {
      _cleanup_net_network_ struct net_network *nw = NULL;
      if (net_network_get (n, argv[i], &nw, &err) < 0)
        {
          hull_report (&err);
          ret = HULL_EXIT_FAIL;
          continue;
        }
      json_object *o = net_network_to_json (n, nw);
      /* container names of the records, as docker shows them */
      json_object *ctrs = NULL;
      if (json_object_object_get_ex (o, "Containers", &ctrs))
        {
          json_object_object_foreach (ctrs, id, cv)
          {
            _cleanup_ctr_record_ struct ctr_record *r = NULL;
            _cleanup_error_ struct error *e2 = NULL;
            if (engine_lookup (e, id, &r, &e2) == 0)
              json_object_object_add (cv, "Name", json_object_new_string (r->name));
          }
        }
      json_object_array_add (arr, o);
    }
  printf ("%s\n",
          json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                                   | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (arr);
  return ret;
}

struct connect_opts
{
  const char *ip;
  char **aliases;
  bool force;
};

static const struct cli_option connect_options[] = {
  CLI_OPT_STRING (0, "ip", struct connect_opts, ip, "IP", "the container's address"),
  CLI_OPT_STRV (0, "alias", struct connect_opts, aliases, "NAME", "another name on the network"),
  CLI_OPT_FLAG ('f', "force", struct connect_opts, force, "accepted for compatibility"),
  { 0 },
};

static int
net_connect_cmd (struct hull_ctx *ctx, const struct connect_opts *opt, char **argv, bool connect)
{
  const char *ip = opt->ip;
  char **aliases = opt->aliases;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct net *n;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  if (open_net (ctx, &e, &n, &err) < 0 || engine_lookup (e, argv[1], &r, &err) < 0)
    return hull_report (&err);
  if (r->state != CTR_RUNNING && r->state != CTR_PAUSED)
    {
      error_set (&err, EINVAL,
                 "container `%s` is not running (connect and disconnect act on "
                 "running containers)",
                 argv[1]);
      return hull_report (&err);
    }
  int ret;
  if (connect)
    {
      struct net_endpoint_req ep = { .network = argv[0], .ip = ip, .aliases = aliases };
      _cleanup_free_ char *hosts = net_engine_hosts_path (e, r->id);
      ret = net_connect (n, r->id, &ep, r->name, r->spec ? r->spec->hostname : NULL, hosts, &err);
    }
  else
    ret = net_disconnect (n, r->id, argv[0], &err);
  return ret < 0 ? hull_report (&err) : 0;
}

static int
connect_run (void *ctx, void *opts, int argc, char **argv)
{
  return net_connect_cmd (ctx, opts, argv, true);
}

static int
disconnect_run (void *ctx, void *opts, int argc, char **argv)
{
  return net_connect_cmd (ctx, opts, argv, false);
}

struct prune_opts
{
  bool force;
};

static const struct cli_option prune_options[] = {
  CLI_OPT_FLAG ('f', "force", struct prune_opts, force,
                "do not ask for a confirmation (hull never asks)"),
  { 0 },
};

static int
prune_run (void *data, void *opts, int argc, char **argv)
{
  struct hull_ctx *ctx = data;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct net *n;
  struct net_network **l = NULL;
  if (open_net (ctx, &e, &n, &err) < 0 || net_engine_reconcile (e, &err) < 0
      || net_network_list (n, &l, &err) < 0)
    return hull_report (&err);
  bool first = true;
  for (size_t i = 0; l[i]; i++)
    {
      _cleanup_error_ struct error *e2 = NULL;
      if (l[i]->is_default || net_network_remove (n, l[i]->id, &e2) < 0)
        continue;
      if (first)
        printf ("Deleted Networks:\n");
      first = false;
      printf ("%s\n", l[i]->name);
    }
  net_network_list_free (l);
  return 0;
}

static const struct cli_command create_cmd = {
  .name = "create",
  .summary = "Create a network",
  .args = "NAME",
  .description = "Create a bridge network.",
  .options = create_options,
  .opts_size = sizeof (struct create_opts),
  .on_option = create_option,
  .min_args = 1,
  .max_args = 1,
  .run = create_run,
};

static const struct cli_command ls_cmd = {
  .name = "ls",
  .summary = "List networks",
  .options = ls_options,
  .opts_size = sizeof (struct ls_opts),
  .max_args = 0,
  .run = ls_run,
};

static const struct cli_command rm_cmd = {
  .name = "rm",
  .summary = "Remove networks",
  .args = "NETWORK [NETWORK...]",
  .min_args = 1,
  .max_args = -1,
  .run = rm_run,
};

static const struct cli_command inspect_cmd = {
  .name = "inspect",
  .summary = "Show networks as JSON",
  .args = "NETWORK [NETWORK...]",
  .min_args = 1,
  .max_args = -1,
  .run = inspect_run,
};

static const struct cli_command connect_cmd = {
  .name = "connect",
  .summary = "Connect a running container to a network",
  .args = "NETWORK CONTAINER",
  .options = connect_options,
  .opts_size = sizeof (struct connect_opts),
  .min_args = 2,
  .max_args = 2,
  .run = connect_run,
};

static const struct cli_command disconnect_cmd = {
  .name = "disconnect",
  .summary = "Disconnect a container from a network",
  .args = "NETWORK CONTAINER",
  .options = connect_options,
  .opts_size = sizeof (struct connect_opts),
  .min_args = 2,
  .max_args = 2,
  .run = disconnect_run,
};

static const struct cli_command prune_cmd = {
  .name = "prune",
  .summary = "Remove networks no container uses",
  .options = prune_options,
  .opts_size = sizeof (struct prune_opts),
  .max_args = 0,
  .run = prune_run,
};

static const struct cli_entry network_verbs[] = {
  { &create_cmd },
  { &ls_cmd, "ls", "list" },
  { &rm_cmd, "rm", "remove" },
  { &inspect_cmd },
  { &connect_cmd },
  { &disconnect_cmd },
  { &prune_cmd },
  { NULL },
};

const struct cli_command hull_cmd_network = {
  .name = "network",
  .summary = "Manage networks",
  .sub = network_verbs,
};
