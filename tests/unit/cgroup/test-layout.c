/* test-layout.c - layout and path semantics, state JSON, stats and their
 * JSON shape, on fake trees. */
#include "../../lib/tap.h"
#include "cgtest.h"

static struct cgroup *
mk (const char *path, const char *id, struct error **err)
{
  struct cgroup *cg = NULL;
  struct cgroup_options o = { .cgroups_path = path, .id = id };
  if (cgroup_create (&o, NULL, &cg, err) < 0)
    return NULL;
  return cg;
}

static void
test_modes (void)
{
  enum cgroup_mode want[] = { CGROUP_MODE_V1, CGROUP_MODE_HYBRID, CGROUP_MODE_V2 };
  for (size_t i = 0; i < 3; i++)
    {
      char *root = cgt_tree (want[i]);
      enum cgroup_mode m = 0;
      struct error *err = NULL;
      CHECK (cgroup_mode (&m, &err) == 0);
      CHECK_INT (m, ==, want[i]);
      const struct cg_layout *l;
      REQUIRE (cg_layout_get (&l, &err) == 0);
      if (want[i] != CGROUP_MODE_V2)
        {
          /* "cpu,cpuacct" is one hierarchy holding two controllers */
          CHECK (l->ctrl_hier[CG_CPU] >= 0);
          CHECK_INT (l->ctrl_hier[CG_CPU], ==, l->ctrl_hier[CG_CPUACCT]);
          CHECK (l->ctrl_hier[CG_NET_PRIO] >= 0);
        }
      CHECK_INT (l->v2 >= 0, ==, want[i] != CGROUP_MODE_V1);
      cgt_tree_free (root);
    }
}

static void
test_default_and_absolute_paths (void)
{
  char *root = cgt_tree (CGROUP_MODE_HYBRID);
  struct error *err = NULL;
  /* the default: /hull/<id>; parents made as needed */
  struct cgroup *cg = NULL;
  struct cgroup_options o = { .cgroups_path = NULL, .id = "abc" };
  /* no control files in a new test dir: devices fail, nothing remains */
  CHECK (cgroup_create (&o, NULL, &cg, &err) < 0);
  CHECK (!cgt_exists (root, "memory/hull"));
  error_free (err);
  err = NULL;
  cg = mk ("/t/c", "abc", &err);
  REQUIRE (cg != NULL);
  CHECK_STR (cgroup_path (cg), "/t/c");
  CHECK_INT (cgroup_v2_fd (cg), ==, -1); /* only on pure v2 */
  json_object *j = cgroup_to_json (cg);
  const char *s = json_object_to_json_string_ext (j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  CHECK (strstr (s, "\"mode\":\"hybrid\""));
  CHECK (strstr (s, "/memory/t/c\",\"controllers\":\"memory\""));
  CHECK (strstr (s, "/cpu,cpuacct/t/c\",\"controllers\":\"cpu,cpuacct\""));
  CHECK (strstr (s, "/systemd/t/c\",\"controllers\":\"name=systemd\""));
  CHECK (strstr (s, "/unified/t/c\",\"v2\":true"));
  /* round trip */
  struct cgroup *back = NULL;
  CHECK (cgroup_from_json (j, &back, &err) == 0);
  if (back)
    {
      json_object *j2 = cgroup_to_json (back);
      CHECK_STR (json_object_to_json_string (j2), json_object_to_json_string (j));
      json_object_put (j2);
      /* the re-opened cgroup works: enter writes the pid everywhere */
      CHECK (cgroup_enter (back, 4242, &err) == 0);
      char *procs = cgt_read (root, "memory/t/c/cgroup.procs");
      CHECK_STR (procs, "4242\n");
      free (procs);
      procs = cgt_read (root, "unified/t/c/cgroup.procs");
      CHECK_STR (procs, "4242\n");
      free (procs);
    }
  cgroup_free (back);
  json_object_put (j);
  cgroup_free (cg);
  cgt_tree_free (root);
}

static void
test_relative_path (void)
{
  /* relative to our own cgroup in each hierarchy (/proc/self/cgroup) */
  char *root = cgt_tree (CGROUP_MODE_V1);
  const struct cg_layout *l;
  struct error *err = NULL;
  REQUIRE (cg_layout_get (&l, &err) == 0);
  char *text = NULL;
  REQUIRE (fs_read_file ("/proc/self/cgroup", 1 << 20, &text, NULL, NULL) == 0);
  char **own = calloc (l->n, sizeof *own);
  REQUIRE (cg_parse_proc_cgroup (l, text, own, &err) == 0);
  struct cgroup cg = { 0 };
  REQUIRE (cg_resolve_dirs (l, "sub/x", true, &cg, &err) == 0);
  for (size_t i = 0; i < l->n; i++)
    {
      char want[4096];
      const char *base = own[i] ? own[i] : "/";
      snprintf (want, sizeof want, "%s%s%s/sub/x", l->h[i].mnt,
                strcmp (base, "/") ? base : "", "");
      CHECK_STR (cg.dirs[i].abs, want);
      free (own[i]);
      free (cg.dirs[i].abs);
      free (cg.dirs[i].ctrls_str);
    }
  free (cg.dirs);
  free (cg.path);
  free (own);
  free (text);
  cgt_tree_free (root);
}

static void
test_proc_cgroup_parse (void)
{
  char *root = cgt_tree (CGROUP_MODE_HYBRID);
  const struct cg_layout *l;
  struct error *err = NULL;
  REQUIRE (cg_layout_get (&l, &err) == 0);
  const char *text = "12:net_cls,net_prio:/a\n11:cpu,cpuacct:/b\n4:memory:/m/n\n"
                     "1:name=systemd:/sd\n0::/u\n";
  char **own = calloc (l->n, sizeof *own);
  REQUIRE (cg_parse_proc_cgroup (l, text, own, &err) == 0);
  for (size_t i = 0; i < l->n; i++)
    {
      const struct cg_hier *h = &l->h[i];
      const char *want = h->v2 ? "/u"
                         : h->name ? "/sd"
                         : h->ctrls == (1u << CG_MEMORY) ? "/m/n"
                         : h->ctrls == ((1u << CG_CPU) | (1u << CG_CPUACCT)) ? "/b"
                         : h->ctrls == ((1u << CG_NET_CLS) | (1u << CG_NET_PRIO)) ? "/a"
                                                                                  : NULL;
      if (want)
        CHECK_STR (own[i], want);
      else
        CHECK (own[i] == NULL);
      free (own[i]);
    }
  free (own);
  cgt_tree_free (root);
}

static void
test_bad_paths (void)
{
  char *root = cgt_tree (CGROUP_MODE_V1);
  const char *bad[][2] = {
    { "/a/../../etc", "`linux.cgroupsPath` `/a/../../etc` must not contain `..`" },
    { "../x", "must not contain `..`" },
    { "/", "names the root cgroup" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      struct error *err = NULL;
      CHECK (mk (bad[i][0], "x", &err) == NULL);
      CHECK (err && strstr (err->msg, bad[i][1]));
      if (err && !strstr (err->msg, bad[i][1]))
        printf ("#   %s: %s\n", bad[i][0], err->msg);
      error_free (err);
    }
  struct error *err = NULL;
  struct cgroup *cg = NULL;
  struct cgroup_options o = { .cgroups_path = NULL, .id = "../x" };
  CHECK (cgroup_create (&o, NULL, &cg, &err) < 0);
  CHECK (err && strstr (err->msg, "container id `../x` cannot name a cgroup"));
  error_free (err);
  cgt_tree_free (root);
}

static void
test_systemd_manager (void)
{
  char *root = cgt_tree (CGROUP_MODE_HYBRID);
  struct error *err = NULL;
  struct cgroup *cg = NULL;
  struct cgroup_options o = { .cgroups_path = "system.slice:hull:abc", .id = "abc",
                              .systemd = true };
  int rc = cgroup_create (&o, NULL, &cg, &err);
  if (access ("/run/systemd/system", F_OK) == 0)
    printf ("# systemd runs here: the failure path is not exercised\n");
  else
    {
      /* no systemd: fails at once, says what to do, touches nothing */
      CHECK (rc < 0);
      CHECK (err && strstr (err->msg, "systemd is not running on this host"));
      CHECK (err && strstr (err->msg, "run without --systemd-cgroup"));
      CHECK (!cgt_exists (root, "memory/system.slice"));
    }
  error_free (err);
  cgroup_free (cg);
  char *out = NULL;
  CHECK (cg_expand_slice ("a-b-c.slice", &out, NULL) == 0);
  CHECK_STR (out, "/a.slice/a-b.slice/a-b-c.slice");
  free (out);
  CHECK (cg_expand_slice ("system.slice", &out, NULL) == 0);
  CHECK_STR (out, "/system.slice");
  free (out);
  CHECK (cg_expand_slice ("-.slice", &out, NULL) == 0);
  CHECK_STR (out, "/");
  free (out);
  CHECK (cg_expand_slice ("a--b.slice", &out, NULL) < 0);
  CHECK (cg_expand_slice ("a/b.slice", &out, NULL) < 0);
  CHECK (cg_expand_slice ("nosuffix", &out, NULL) < 0);
  cgt_tree_free (root);
}

static json_object *
jget (json_object *o, const char *path)
{
  char buf[256];
  snprintf (buf, sizeof buf, "%s", path);
  char *save = NULL;
  for (char *k = strtok_r (buf, ".", &save); k && o; k = strtok_r (NULL, ".", &save))
    if (!json_object_object_get_ex (o, k, &o))
      return NULL;
  return o;
}

static uint64_t
jnum (json_object *o, const char *path)
{
  json_object *v = jget (o, path);
  return v ? json_object_get_uint64 (v) : (uint64_t) -1;
}

static void
test_stats_v1 (void)
{
  char *root = cgt_tree (CGROUP_MODE_V1);
  struct error *err = NULL;
  struct cgroup *cg = mk ("/t/c", "x", &err);
  REQUIRE (cg != NULL);
  cgt_mkfile (root, "pids/t/c/pids.max", "64\n");
  struct cgroup_stats st;
  REQUIRE (cgroup_stats (cg, &st, &err) == 0);
  CHECK_INT (st.cpu_usage_total, ==, 5000000);
  CHECK_INT (st.cpu_usage_user, ==, 4000000);
  CHECK_INT (st.n_percpu, ==, 2);
  CHECK_INT (st.cpu_throttled_time, ==, 123456);
  CHECK_INT (st.mem_usage, ==, 4096);
  CHECK_INT (st.swap_usage, ==, 5000);
  CHECK_INT (st.oom_kill_events, ==, 2);
  CHECK_INT (st.pids_current, ==, 3);
  CHECK_INT (st.pids_limit, ==, 64);
  CHECK_INT (st.io_read_bytes, ==, 4096);
  CHECK_INT (st.io_write_ops, ==, 2);
  json_object *j = cgroup_stats_to_json (&st);
  CHECK_INT (jnum (j, "cpu.usage.total"), ==, 5000000);
  CHECK_INT (json_object_array_length (jget (j, "cpu.usage.percpu")), ==, 2);
  CHECK_INT (jnum (j, "cpu.usage.kernel"), ==, 1000000);
  CHECK_INT (jnum (j, "cpu.throttling.periods"), ==, 10);
  CHECK_INT (jnum (j, "cpu.throttling.throttledPeriods"), ==, 4);
  CHECK_INT (jnum (j, "memory.usage.usage"), ==, 4096);
  CHECK_INT (jnum (j, "memory.usage.max"), ==, 8192);
  CHECK_INT (jnum (j, "memory.usage.failcnt"), ==, 3);
  CHECK_INT (jnum (j, "memory.cache"), ==, 100);
  CHECK_INT (jnum (j, "memory.raw.rss"), ==, 200);
  CHECK_INT (jnum (j, "pids.current"), ==, 3);
  CHECK_INT (jnum (j, "pids.limit"), ==, 64);
  json_object *bytes = jget (j, "blkio.ioServiceBytesRecursive");
  REQUIRE (bytes != NULL);
  /* Read, Write, Sync, Async, Total for 8:0 */
  CHECK_INT (json_object_array_length (bytes), ==, 5);
  json_object *e0 = json_object_array_get_idx (bytes, 0);
  CHECK_INT (jnum (e0, "major"), ==, 8);
  CHECK_STR (json_object_get_string (jget (e0, "op")), "Read");
  CHECK_INT (jnum (e0, "value"), ==, 4096);
  CHECK_INT (jnum (j, "hugetlb.2MB.usage"), ==, 2097152);
  CHECK_INT (jnum (j, "hugetlb.2MB.failcnt"), ==, 1);
  CHECK (jget (j, "intel_rdt") != NULL);
  json_object_put (j);
  cgroup_free (cg);
  cgt_tree_free (root);
}

static void
test_stats_v2 (void)
{
  char *root = cgt_tree (CGROUP_MODE_V2);
  struct error *err = NULL;
  struct cgroup *cg = mk ("/t/c", "x", &err);
  REQUIRE (cg != NULL);
  cgt_mkfile (root, "t/c/memory.max", "1048576\n");
  cgt_mkfile (root, "t/c/memory.swap.max", "2097152\n");
  struct cgroup_stats st;
  REQUIRE (cgroup_stats (cg, &st, &err) == 0);
  /* microseconds -> nanoseconds */
  CHECK_INT (st.cpu_usage_total, ==, 5000000);
  CHECK_INT (st.cpu_usage_kernel, ==, 1000000);
  CHECK_INT (st.cpu_throttled_time, ==, 123000);
  CHECK_INT (st.n_percpu, ==, 0);
  /* swap shown as memory+swap, as v1 and runc do */
  CHECK_INT (st.swap_usage, ==, 1000 + 4096);
  CHECK_INT (st.swap_limit, ==, 2097152 + 1048576);
  CHECK_INT (st.mem_limit, ==, 1048576);
  CHECK_INT (st.mem_cache, ==, 100);
  CHECK_INT (st.oom_events, ==, 2);
  CHECK_INT (st.oom_kill_events, ==, 1);
  CHECK_INT (st.pids_limit, ==, 0); /* max */
  CHECK_INT (st.io_read_bytes, ==, 4096);
  CHECK_INT (st.io_write_ops, ==, 2);
  CHECK_INT (st.n_hugetlb, ==, 1);
  CHECK_INT (st.hugetlb[0].failcnt, ==, 1);
  json_object *j = cgroup_stats_to_json (&st);
  CHECK (jget (j, "pids.limit") == NULL); /* omitempty */
  CHECK_INT (jnum (j, "memory.swap.limit"), ==, 2097152 + 1048576);
  json_object *ios = jget (j, "blkio.ioServicedRecursive");
  CHECK (ios && json_object_array_length (ios) == 2);
  json_object_put (j);
  cgroup_free (cg);
  cgt_tree_free (root);
}

static void
test_freeze_v1_fake (void)
{
  /* a plain file reads back what was written: FROZEN settles at once */
  char *root = cgt_tree (CGROUP_MODE_V1);
  struct error *err = NULL;
  struct cgroup *cg = mk ("/t/c", "x", &err);
  REQUIRE (cg != NULL);
  bool f = true;
  CHECK (cgroup_is_frozen (cg, &f, &err) == 0 && !f);
  CHECK (cgroup_freeze (cg, true, &err) == 0);
  char *s = cgt_read (root, "freezer/t/c/freezer.state");
  CHECK_STR (s, "FROZEN\n");
  free (s);
  CHECK (cgroup_is_frozen (cg, &f, &err) == 0 && f);
  CHECK (cgroup_freeze (cg, false, &err) == 0);
  CHECK (cgroup_is_frozen (cg, &f, &err) == 0 && !f);
  cgroup_free (cg);
  cgt_tree_free (root);
}

int
main (void)
{
  RUN (test_modes);
  RUN (test_default_and_absolute_paths);
  RUN (test_relative_path);
  RUN (test_proc_cgroup_parse);
  RUN (test_bad_paths);
  RUN (test_systemd_manager);
  RUN (test_stats_v1);
  RUN (test_stats_v2);
  RUN (test_freeze_v1_fake);
  return tap_done ();
}
