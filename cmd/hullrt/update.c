#include "hullrt.h"

#include "base/cleanup.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strv.h"
#include "oci/config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* runc's update flags, turned into a linux.resources object. */
struct flag
{
  const char *name;
  const char *section;  /* memory, cpu, pids, blockIO */
  const char *key;
  bool size;            /* accepts 512m etc.; -1 = unlimited */
  bool string;
  const char *value;
};

int
verb_update (struct globals *g, int argc, char **argv)
{
  const char *resources = NULL;
  struct flag flags[] = {
    { "memory", "memory", "limit", true },
    { "memory-reservation", "memory", "reservation", true },
    { "memory-swap", "memory", "swap", true },
    { "kernel-memory", "memory", "kernel", true },
    { "kernel-memory-tcp", "memory", "kernelTCP", true },
    { "cpu-share", "cpu", "shares" },
    { "cpu-shares", "cpu", "shares" },
    { "cpu-period", "cpu", "period" },
    { "cpu-quota", "cpu", "quota" },
    { "cpu-burst", "cpu", "burst" },
    { "cpu-rt-period", "cpu", "realtimePeriod" },
    { "cpu-rt-runtime", "cpu", "realtimeRuntime" },
    { "cpu-idle", "cpu", "idle" },
    { "cpuset-cpus", "cpu", "cpus", false, true },
    { "cpuset-mems", "cpu", "mems", false, true },
    { "pids-limit", "pids", "limit" },
    { "blkio-weight", "blockIO", "weight" },
  };
  enum { NF = sizeof flags / sizeof flags[0] };
  const char *l3 = NULL, *mb = NULL;
  struct cli_option opts[NF + 4];
  memset (opts, 0, sizeof opts);
  opts[0] = (struct cli_option){ "resources", 'r', CLI_STRING, &resources,
                                 "linux.resources JSON file, or - for stdin", "FILE" };
  for (int i = 0; i < NF; i++)
    opts[i + 1] = (struct cli_option){ flags[i].name, 0, CLI_STRING, &flags[i].value,
                                       flags[i].key, "VALUE" };
  opts[NF + 1] = (struct cli_option){ "l3-cache-schema", 0, CLI_STRING, &l3,
                                      "Intel RDT/CAT L3 cache schema", "SCHEMA" };
  opts[NF + 2] = (struct cli_option){ "mem-bw-schema", 0, CLI_STRING, &mb,
                                      "Intel RDT/MBA memory bandwidth schema", "SCHEMA" };
  int pos, r = parse_verb (opts, argc, argv, &pos, 1, 1, "update [--resources FILE|-] [flags] ID");
  if (r <= 0)
    return r == 0 ? 0 : 1;

  /* runc's Intel RDT flags: the schemata of the container's resctrl
   * group.  hullrt makes no resctrl group (linux.intelRdt is accepted and
   * not applied, see docs/design/runtime.md), so there is nothing to update:
   * said as runc says it where the host has no resctrl. */
  if (l3 || mb)
    {
      bool rdt = access ("/sys/fs/resctrl/info", F_OK) == 0;
      if (l3)
        log_error ("--l3-cache-schema: Intel RDT/CAT: l3 cache schema is not %s",
                   rdt ? "supported by hullrt" : "enabled (no resctrl on this host)");
      else
        log_error ("--mem-bw-schema: Intel RDT/MBA: memory bandwidth schema is not %s",
                   rdt ? "supported by hullrt" : "enabled (no resctrl on this host)");
      return 1;
    }
  struct error *err = NULL;
  _cleanup_json_ json_object *res = NULL;
  if (resources)
    {
      _cleanup_free_ char *text = NULL;
      size_t len = 0;
      int rr = strcmp (resources, "-") == 0 ? fs_read_fd (0, 1 << 20, &text, &len, &err)
                                            : fs_read_file (resources, 1 << 20, &text, &len, &err);
      if (rr < 0 || jsonx_parse (text, len, &res, &err) < 0)
        return fail ((error_prefix (&err, "--resources"), err));
    }
  else
    res = json_object_new_object ();
  for (int i = 0; i < NF; i++)
    {
      if (flags[i].value == NULL)
        continue;
      json_object *sec = NULL;
      if (!json_object_object_get_ex (res, flags[i].section, &sec))
        {
          sec = json_object_new_object ();
          json_object_object_add (res, flags[i].section, sec);
        }
      if (flags[i].string)
        {
          json_object_object_add (sec, flags[i].key, json_object_new_string (flags[i].value));
          continue;
        }
      int64_t v;
      int pr;
      if (flags[i].size && strcmp (flags[i].value, "-1") == 0)
        v = -1, pr = 0;
      else if (flags[i].size)
        pr = parse_size (flags[i].value, &v);
      else
        pr = parse_int64 (flags[i].value, &v);
      if (pr < 0)
        {
          log_error ("invalid --%s `%s`", flags[i].name, flags[i].value);
          return 1;
        }
      json_object_object_add (sec, flags[i].key, json_object_new_int64 (v));
    }
  struct oci_resources parsed;
  memset (&parsed, 0, sizeof parsed);
  if (oci_resources_parse (res, &parsed, &err) < 0)
    return fail (err);
  r = runtime_update (&g->ctx, argv[pos], &parsed, res, &err);
  oci_resources_clear (&parsed);
  if (r < 0)
    return fail (err);
  return 0;
}
