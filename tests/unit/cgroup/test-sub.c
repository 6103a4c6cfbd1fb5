/* test-sub.c - `exec --cgroup` sub-cgroups (cgroup_sub) and the frozen
 * target refused by cgroup_create, on fake trees. */
#include "../../lib/tap.h"
#include "cgtest.h"

static struct cgroup *
mk (const char *path, struct error **err)
{
  struct cgroup *cg = NULL;
  struct cgroup_options o = { .cgroups_path = path, .id = "x" };
  if (cgroup_create (&o, NULL, &cg, err) < 0)
    return NULL;
  return cg;
}

/* make DIR under the container's directory in every hierarchy */
static void
mk_sub (const struct cgroup *cg, const char *dir)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      char *p = fs_path_join (cg->dirs[i].abs, dir);
      fs_mkdir_p (AT_FDCWD, p, 0755, NULL);
      free (p);
    }
}

static const char *
dir_of (const struct cgroup *cg, enum cg_ctrl c)
{
  int i = cg_v1_dir (cg, c);
  return i >= 0 ? cg->dirs[i].abs : "";
}

static bool
ends_with (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);
  return a >= b && strcmp (s + a - b, suffix) == 0;
}

static int
sub_err (const struct cgroup *cg, char **specs)
{
  struct error *err = NULL;
  struct cgroup *s = NULL;
  int r = cgroup_sub (cg, specs, &s, &err);
  if (r == 0)
    cgroup_free (s);
  else
    {
      CHECK (err != NULL && err->msg[0] != '\0');
      error_free (err);
    }
  return r;
}

static void
test_sub_all_hierarchies (void)
{
  char *root = cgt_tree (CGROUP_MODE_HYBRID);
  struct error *err = NULL;
  struct cgroup *cg = mk ("/t/c", &err);
  REQUIRE (cg != NULL);
  mk_sub (cg, "sub");
  struct cgroup *s = NULL;
  char *specs[] = { "sub", NULL };
  REQUIRE (cgroup_sub (cg, specs, &s, &err) == 0);
  CHECK_INT (s->n, ==, cg->n);
  for (size_t i = 0; i < s->n; i++)
    CHECK (ends_with (s->dirs[i].abs, "/t/c/sub"));
  CHECK (s->v2 >= 0 && ends_with (s->dirs[s->v2].abs, "unified/t/c/sub"));
  /* entering it needs the dirs: they were opened beneath the container's */
  CHECK (cgroup_clone_fd (s) >= 0);
  cgroup_free (s);
  /* a leading slash is still inside the container's cgroup */
  char *abs[] = { "/sub", NULL };
  REQUIRE (cgroup_sub (cg, abs, &s, &err) == 0);
  CHECK (ends_with (dir_of (s, CG_PIDS), "/t/c/sub"));
  cgroup_free (s);
  cgroup_free (cg);
  cgt_tree_free (root);
}

static void
test_sub_per_controller (void)
{
  char *root = cgt_tree (CGROUP_MODE_HYBRID);
  struct error *err = NULL;
  struct cgroup *cg = mk ("/t/c", &err);
  REQUIRE (cg != NULL);
  char *m = fs_path_join (dir_of (cg, CG_MEMORY), "only");
  char *p = fs_path_join (dir_of (cg, CG_PIDS), "other");
  mkdir (m, 0755);
  mkdir (p, 0755);
  struct cgroup *s = NULL;
  char *specs[] = { "memory:only", "pids:other", NULL };
  REQUIRE (cgroup_sub (cg, specs, &s, &err) == 0);
  CHECK_STR (dir_of (s, CG_MEMORY), m);
  CHECK_STR (dir_of (s, CG_PIDS), p);
  /* the others stay in the container's cgroup, the unified one too */
  CHECK_STR (dir_of (s, CG_FREEZER), dir_of (cg, CG_FREEZER));
  CHECK_STR (s->dirs[s->v2].abs, cg->dirs[cg->v2].abs);
  cgroup_free (s);
  /* "cpu,cpuacct:x" names both controllers of one hierarchy */
  char *c = fs_path_join (dir_of (cg, CG_CPU), "x");
  mkdir (c, 0755);
  char *both[] = { "cpu,cpuacct:x", NULL };
  REQUIRE (cgroup_sub (cg, both, &s, &err) == 0);
  CHECK_STR (dir_of (s, CG_CPU), c);
  cgroup_free (s);
  free (c);
  free (m);
  free (p);
  cgroup_free (cg);
  cgt_tree_free (root);
}

static void
test_sub_bad (void)
{
  char *root = cgt_tree (CGROUP_MODE_HYBRID);
  struct error *err = NULL;
  struct cgroup *cg = mk ("/t/c", &err);
  REQUIRE (cg != NULL);
  mk_sub (cg, "a");
  char *esc[] = { "../c2", NULL }, *dot[] = { "a/./b", NULL }, *empty[] = { "", NULL };
  char *two[] = { "a", "a", NULL }, *unk[] = { "bogus:a", NULL }, *noctl[] = { ":a", NULL };
  char *dup[] = { "memory:a", "memory:a", NULL }, *missing[] = { "nosuch", NULL };
  char *colon[] = { "memory:a:b", NULL }, *emptyctl[] = { "memory,:a", NULL };
  CHECK_INT (sub_err (cg, esc), ==, -EINVAL);
  CHECK_INT (sub_err (cg, dot), ==, -EINVAL);
  CHECK_INT (sub_err (cg, empty), ==, -EINVAL);
  CHECK_INT (sub_err (cg, two), ==, -EINVAL);
  CHECK_INT (sub_err (cg, unk), ==, -EINVAL);
  CHECK_INT (sub_err (cg, noctl), ==, -EINVAL);
  CHECK_INT (sub_err (cg, dup), ==, -EINVAL);
  CHECK_INT (sub_err (cg, missing), ==, -ENOENT);
  CHECK_INT (sub_err (cg, colon), ==, -EINVAL);
  CHECK_INT (sub_err (cg, emptyctl), ==, -EINVAL);
  /* a symlink out of the container's cgroup is not followed */
  char *link = fs_path_join (dir_of (cg, CG_PIDS), "out");
  CHECK (symlink ("/", link) == 0);
  char *sym[] = { "pids:out", NULL };
  CHECK (sub_err (cg, sym) < 0);
  free (link);
  /* a frozen sub-cgroup is refused (the process would stop at once) */
  char *fz = fs_path_join (dir_of (cg, CG_FREEZER), "a");
  cgt_mkfile (fz, "freezer.state", "FROZEN\n");
  char *a[] = { "a", NULL };
  CHECK_INT (sub_err (cg, a), ==, -EBUSY);
  free (fz);
  cgroup_free (cg);
  cgt_tree_free (root);
}

static void
test_sub_v2 (void)
{
  char *root = cgt_tree (CGROUP_MODE_V2);
  struct error *err = NULL;
  struct cgroup *cg = mk ("/t/c", &err);
  REQUIRE (cg != NULL);
  mk_sub (cg, "s");
  struct cgroup *s = NULL;
  char *plain[] = { "s", NULL };
  REQUIRE (cgroup_sub (cg, plain, &s, &err) == 0);
  CHECK (ends_with (s->dirs[0].abs, "/t/c/s"));
  cgroup_free (s);
  /* one hierarchy: a CONTROLLER: prefix means nothing there */
  char *pre[] = { "memory:s", NULL };
  CHECK_INT (sub_err (cg, pre), ==, -EINVAL);
  cgroup_free (cg);
  cgt_tree_free (root);
}

static void
test_create_frozen_refused (void)
{
  /* the pre-made /t/c of the fake tree, frozen by someone else */
  char *root = cgt_tree (CGROUP_MODE_HYBRID);
  char *fz = fs_path_join (root, "freezer/t/c");
  cgt_mkfile (fz, "freezer.state", "FROZEN\n");
  struct error *err = NULL;
  CHECK (mk ("/t/c", &err) == NULL);
  REQUIRE (err != NULL);
  CHECK_INT (err->code, ==, EBUSY);
  CHECK (strstr (err->msg, "frozen") != NULL);
  error_free (err);
  err = NULL;
  /* left as it was */
  char *st = cgt_read (root, "freezer/t/c/freezer.state");
  CHECK_STR (st, "FROZEN\n");
  free (st);
  /* thawed, it is taken */
  cgt_mkfile (fz, "freezer.state", "THAWED\n");
  struct cgroup *cg = mk ("/t/c", &err);
  CHECK (cg != NULL);
  cgroup_free (cg);
  /* a frozen unified cgroup (cgroup.freeze) too */
  char *u = fs_path_join (root, "unified/t/c");
  cgt_mkfile (u, "cgroup.events", "populated 0\nfrozen 1\n");
  CHECK (mk ("/t/c", &err) == NULL);
  CHECK (err && err->code == EBUSY);
  error_free (err);
  free (u);
  free (fz);
  cgt_tree_free (root);
}

int
main (void)
{
  RUN (test_sub_all_hierarchies);
  RUN (test_sub_per_controller);
  RUN (test_sub_bad);
  RUN (test_sub_v2);
  RUN (test_create_frozen_refused);
  return tap_done ();
}
