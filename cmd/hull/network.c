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
#include <getopt.h>
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

static int
net_create (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "subnet", required_argument, NULL, 's' }, { "gateway", required_argument, NULL, 'g' },
    { "internal", no_argument, NULL, 'i' },     { "driver", required_argument, NULL, 'd' },
    { "label", required_argument, NULL, 'l' },  { "opt", required_argument, NULL, 'o' },
    { "ip-range", required_argument, NULL, 'r' }, { "help", no_argument, NULL, 'h' },
    {},
  };
  struct net_network_opts o = { 0 };
  _cleanup_strv_ char **labels = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "d:o:h", opts, NULL)) != -1)
    switch (c)
      {
      case 's':
        o.subnet = optarg;
        break;
      case 'g':
        o.gateway = optarg;
        break;
      case 'i':
        o.internal = true;
        break;
      case 'd':
        o.driver = optarg;
        break;
      case 'r':
        o.ip_range = optarg;
        break;
      case 'l':
        strv_push (&labels, optarg);
        break;
      case 'o':
        if (strncmp (optarg, "mtu=", 4) == 0 || strncmp (optarg, "com.docker.network.driver.mtu=", 30) == 0)
          {
            const char *v = strchr (optarg, '=') + 1;
            char *end;
            long m = strtol (v, &end, 10);
            if (*v == '\0' || *end || m < 68 || m > 65535)
              return hull_usage_error ("network create", "invalid MTU");
            o.mtu = (int) m;
          }
        else
          {
            fprintf (stderr, "Error: unsupported network option `%s`\n", optarg);
            return HULL_EXIT_USAGE;
          }
        break;
      case 'h':
        printf ("Usage: hull network create [OPTIONS] NAME\n\nCreate a bridge network.\n\n"
                "      --subnet CIDR     e.g. 10.91.0.0/24 (default: a free /24 of 10.90.0.0/15)\n"
                "      --gateway IP      default: the subnet's first address\n"
                "      --internal        no traffic in or out of the network\n"
                "  -d, --driver bridge   the only driver\n"
                "      --label K=V       metadata\n"
                "  -o, --opt mtu=N       the MTU of the bridge and the veths\n");
        return 0;
      default:
        return hull_usage_error ("network create", "unknown option");
      }
  if (optind + 1 != argc)
    return hull_usage_error ("network create", "requires exactly 1 argument");
  o.name = argv[optind];
  o.labels = labels;
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct net *n;
  _cleanup_net_network_ struct net_network *nw = NULL;
  if (open_net (ctx, &e, &n, &err) < 0 || net_network_create (n, &o, &nw, &err) < 0)
    return hull_report (&err);
  printf ("%s\n", nw->id);
  return 0;
}

static int
net_ls (struct hull_ctx *ctx, int argc, char **argv)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' }, { "format", required_argument, NULL, 'f' },
    { "no-trunc", no_argument, NULL, 'n' }, { "help", no_argument, NULL, 'h' }, {},
  };
  bool quiet = false, notrunc = false;
  const char *fmt = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "qf:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'q':
        quiet = true;
        break;
      case 'f':
        fmt = optarg;
        break;
      case 'n':
        notrunc = true;
        break;
      case 'h':
        printf ("Usage: hull network ls [-q] [--format TEMPLATE|json] [--no-trunc]\n");
        return 0;
      default:
        return hull_usage_error ("network ls", "unknown option");
      }
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct net *n;
  struct net_network **l = NULL;
  if (open_net (ctx, &e, &n, &err) < 0 || net_network_list (n, &l, &err) < 0)
    return hull_report (&err);
  size_t k = strv_len ((char **) l);
  struct fmt_row *rows = calloc (k + 1, sizeof *rows);
  static const char *const keys[] = { "ID", "Name", "Driver", "Scope", "Internal", "Subnet", NULL };
  static const char *const names[] = { "NETWORK ID", "NAME", "DRIVER", "SCOPE", "INTERNAL", "SUBNET", NULL };
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
net_rm (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc < 2)
    return hull_usage_error ("network rm", "requires at least 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct net *n;
  if (open_net (ctx, &e, &n, &err) < 0 || net_engine_reconcile (e, &err) < 0)
    return hull_report (&err);
  int ret = 0;
  for (int i = 1; i < argc; i++)
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
net_inspect (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc < 2)
    return hull_usage_error ("network inspect", "requires at least 1 argument");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct net *n;
  if (open_net (ctx, &e, &n, &err) < 0)
    return hull_report (&err);
  json_object *arr = json_object_new_array ();
  int ret = 0;
  for (int i = 1; i < argc; i++)
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
  printf ("%s\n", json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PRETTY
                                                           | JSON_C_TO_STRING_SPACED
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (arr);
  return ret;
}

static int
net_connect_cmd (struct hull_ctx *ctx, int argc, char **argv, bool connect)
{
  static const struct option opts[] = {
    { "ip", required_argument, NULL, 'i' }, { "alias", required_argument, NULL, 'a' },
    { "force", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, {},
  };
  const char *ip = NULL;
  _cleanup_strv_ char **aliases = NULL;
  int c;
  optind = 0;
  while ((c = getopt_long (argc, argv, "fh", opts, NULL)) != -1)
    switch (c)
      {
      case 'i':
        ip = optarg;
        break;
      case 'a':
        strv_push (&aliases, optarg);
        break;
      case 'f':
        break;
      case 'h':
        printf ("Usage: hull network %s [--ip IP] [--alias NAME] NETWORK CONTAINER\n",
                connect ? "connect" : "disconnect");
        return 0;
      default:
        return hull_usage_error (connect ? "network connect" : "network disconnect", "unknown option");
      }
  if (optind + 2 != argc)
    return hull_usage_error (connect ? "network connect" : "network disconnect",
                             "requires exactly 2 arguments");
  _cleanup_error_ struct error *err = NULL;
  _cleanup_engine_ struct engine *e = NULL;
  struct net *n;
  _cleanup_ctr_record_ struct ctr_record *r = NULL;
  if (open_net (ctx, &e, &n, &err) < 0 || engine_lookup (e, argv[optind + 1], &r, &err) < 0)
    return hull_report (&err);
  if (r->state != CTR_RUNNING && r->state != CTR_PAUSED)
    {
      error_set (&err, EINVAL, "container `%s` is not running (connect and disconnect act on "
                               "running containers)", argv[optind + 1]);
      return hull_report (&err);
    }
  int ret;
  if (connect)
    {
      struct net_endpoint_req ep = { .network = argv[optind], .ip = ip, .aliases = aliases };
      _cleanup_free_ char *hosts = net_engine_hosts_path (e, r->id);
      ret = net_connect (n, r->id, &ep, r->name, r->spec ? r->spec->hostname : NULL, hosts, &err);
    }
  else
    ret = net_disconnect (n, r->id, argv[optind], &err);
  return ret < 0 ? hull_report (&err) : 0;
}

static int
net_prune (struct hull_ctx *ctx, int argc, char **argv)
{
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

int
cmd_network (struct hull_ctx *ctx, int argc, char **argv)
{
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      printf ("Usage: hull network COMMAND\n\nManage networks.\n\n"
              "  create      Create a network\n"
              "  ls          List networks\n"
              "  rm          Remove networks\n"
              "  inspect     Show networks as JSON\n"
              "  connect     Connect a running container to a network\n"
              "  disconnect  Disconnect a container from a network\n"
              "  prune       Remove networks no container uses\n");
      return argc < 2 ? HULL_EXIT_USAGE : 0;
    }
  const char *v = argv[1];
  argc--, argv++;
  optind = 0;
  if (strcmp (v, "create") == 0)
    return net_create (ctx, argc, argv);
  if (strcmp (v, "ls") == 0 || strcmp (v, "list") == 0)
    return net_ls (ctx, argc, argv);
  if (strcmp (v, "rm") == 0 || strcmp (v, "remove") == 0)
    return net_rm (ctx, argc, argv);
  if (strcmp (v, "inspect") == 0)
    return net_inspect (ctx, argc, argv);
  if (strcmp (v, "connect") == 0)
    return net_connect_cmd (ctx, argc, argv, true);
  if (strcmp (v, "disconnect") == 0)
    return net_connect_cmd (ctx, argc, argv, false);
  if (strcmp (v, "prune") == 0)
    return net_prune (ctx, argc, argv);
  fprintf (stderr, "Error: unknown command `hull network %s`\n", v);
  return HULL_EXIT_USAGE;
}
