/* test-v2.c - the cgroup module on a pure cgroup v2 hierarchy: this test
 * makes a private mount namespace, mounts cgroup2 in a temporary directory
 * and points HULL_CGROUP_ROOT at it.  On a hybrid host that is the same
 * hierarchy as .../unified, with whatever controllers it holds (on this
 * machine: none, they are bound to v1); parts that need a controller are
 * skipped, saying which, when it is absent.  Everything core to cgroup2
 * is exercised for real: create with subtree delegation, clone3 into the
 * cgroup, enter, freeze, the eBPF device filter and its replacement,
 * cgroup.kill, stats, destroy. */
#include "../../lib/tap.h"
#include "realtest.h"

#include <linux/sched.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

static char mnt[64];
static char leaf[64];
static uint32_t root_ctrls; /* what cgroup.controllers of the mount offers */

static struct cgroup *
make (const char *json, struct error **err)
{
  struct oci_resources r;
  struct cgroup *cg = NULL;
  if (cgt_parse (json, &r, err) < 0)
    return NULL;
  struct cgroup_options o = { .cgroups_path = leaf, .id = "t" };
  if (cgroup_create (&o, &r, &cg, err) < 0)
    cg = NULL;
  oci_resources_clear (&r);
  return cg;
}

static void
finish (struct cgroup *cg)
{
  struct error *err = NULL;
  if (cg && cgroup_destroy (cg, true, &err) < 0)
    {
      printf ("#   destroy: %s\n", err->msg);
      tap_cur_failed = 1;
      error_free (err);
    }
  cgroup_free (cg);
  rt_kill_all ();
  if (rt_left (leaf))
    tap_cur_failed = 1;
  rt_cleanup_path (leaf);
}

static void
test_mode (void)
{
  enum cgroup_mode m = 0;
  CHECK (cgroup_mode (&m, NULL) == 0);
  CHECK_INT (m, ==, CGROUP_MODE_V2);
}

static void
test_clone_into_cgroup (void)
{
  struct error *err = NULL;
  struct cgroup *cg = make ("{}", &err);
  if (cg == NULL)
    printf ("#   %s\n", err->msg);
  REQUIRE (cg != NULL);
  int fd = cgroup_v2_fd (cg);
  CHECK (fd >= 0);
  /* the runtime's way in on v2: the child starts inside the cgroup */
  struct clone_args ca = { 0 };
  ca.flags = CLONE_INTO_CGROUP;
  ca.exit_signal = SIGCHLD;
  ca.cgroup = (uint64_t) fd;
  long pid = syscall (SYS_clone3, &ca, sizeof ca);
  if (pid == 0)
    {
      char *s = NULL;
      fs_read_file ("/proc/self/cgroup", 4096, &s, NULL, NULL);
      _exit (s && strstr (s, leaf) ? 0 : 1);
    }
  CHECK (pid > 0);
  int st = 0;
  if (pid > 0)
    {
      waitpid ((pid_t) pid, &st, 0);
      CHECK (WIFEXITED (st) && WEXITSTATUS (st) == 0);
    }
  finish (cg);
}

static void
test_enter_freeze_kill (void)
{
  struct error *err = NULL;
  struct cgroup *cg = make ("{}", &err);
  REQUIRE (cg != NULL);
  int go;
  pid_t pid = rt_spawn (rt_busy, &go);
  CHECK (cgroup_enter (cg, pid, &err) == 0);
  rt_go (&go);
  char *c = rt_proc_cgroup (pid, "");
  CHECK_STR (c, leaf);
  free (c);
  CHECK (rt_has_pid (cg, pid));
  rt_msleep (50);
  CHECK (cgroup_freeze (cg, true, &err) == 0);
  bool f = false;
  CHECK (cgroup_is_frozen (cg, &f, &err) == 0 && f);
  long a = rt_cputicks (pid);
  rt_msleep (200);
  CHECK_INT (rt_cputicks (pid), ==, a);
  CHECK (cgroup_freeze (cg, false, &err) == 0);
  rt_msleep (100);
  CHECK_INT (rt_cputicks (pid), >, a);
  struct cgroup_stats s;
  CHECK (cgroup_stats (cg, &s, &err) == 0);
  CHECK (s.has_cpu && s.cpu_usage_total > 0); /* cpu.stat needs no controller */
  /* cgroup.kill */
  CHECK (cgroup_kill (cg, SIGKILL, &err) == 0);
  int st = 0;
  CHECK (rt_wait (pid, &st) == 0 && WIFSIGNALED (st) && WTERMSIG (st) == SIGKILL);
  if (err)
    printf ("#   %s\n", err->msg);
  error_free (err);
  finish (cg);
}

static const char *disk;
static dev_t disk_dev;

static void
probe (void)
{
  int code = 0;
  int fd = open ("/dev/null", O_RDWR);
  if (fd >= 0)
    code |= 1, close (fd);
  fd = open (disk, O_RDONLY);
  if (fd >= 0)
    code |= 2, close (fd);
  else if (errno == EPERM)
    code |= 4;
  _exit (code);
}

static int
run_probe (struct cgroup *cg)
{
  int go, st = 0;
  pid_t pid = rt_spawn (probe, &go);
  if (cgroup_enter (cg, pid, NULL) < 0)
    return -1;
  rt_go (&go);
  rt_wait (pid, &st);
  return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

static int
count_progs (struct cgroup *cg)
{
  /* how many device programs are attached to the leaf */
  char cmd[256];
  (void) cmd;
  int fd = cgroup_v2_fd (cg);
  union
  {
    struct
    {
      uint32_t target_fd, attach_type, query_flags, attach_flags;
      uint64_t prog_ids;
      uint32_t prog_cnt;
    } q;
    char pad[128];
  } a;
  uint32_t ids[8];
  memset (&a, 0, sizeof a);
  a.q.target_fd = (uint32_t) fd;
  a.q.attach_type = 6; /* BPF_CGROUP_DEVICE */
  a.q.prog_ids = (uint64_t) (uintptr_t) ids;
  a.q.prog_cnt = 8;
  if (syscall (SYS_bpf, 16 /* BPF_PROG_QUERY */, &a, sizeof a) < 0)
    return -1;
  return (int) a.q.prog_cnt;
}

static void
test_device_filter (void)
{
  struct error *err = NULL;
  struct cgroup *cg = make ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", &err);
  if (cg == NULL)
    printf ("#   %s\n", err->msg);
  REQUIRE (cg != NULL);
  CHECK_INT (count_progs (cg), ==, 1);
  /* /dev/null yes, the disk no */
  CHECK_INT (run_probe (cg), ==, 1 | 4);
  /* update: allow reading the disk; the program is replaced, not added */
  char json[256];
  snprintf (json, sizeof json,
            "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,"
            "\"type\":\"b\",\"major\":%u,\"minor\":%u,\"access\":\"r\"}]}",
            major (disk_dev), minor (disk_dev));
  struct oci_resources u;
  REQUIRE (cgt_parse (json, &u, &err) == 0);
  CHECK (cgroup_update (cg, &u, &err) == 0);
  if (err)
    printf ("#   %s\n", err->msg);
  oci_resources_clear (&u);
  CHECK_INT (count_progs (cg), ==, 1);
  CHECK_INT (run_probe (cg), ==, 1 | 2);
  finish (cg);
}

static void
test_controller_limits (void)
{
  struct error *err = NULL;
  struct cgroup *cg = make ("{\"memory\":{\"limit\":33554432},\"pids\":{\"limit\":8}}", &err);
  bool have = (root_ctrls & (1u << CG_MEMORY)) && (root_ctrls & (1u << CG_PIDS));
  if (!have)
    {
      /* the error names the limit and the reason, nothing is left */
      CHECK (cg == NULL);
      CHECK (err && strstr (err->msg, "`linux.resources.memory.limit`: the memory "
                            "controller is not available"));
      if (err)
        printf ("#   %s\n", err->msg);
      error_free (err);
      CHECK (!rt_left (leaf));
      return;
    }
  REQUIRE (cg != NULL);
  char *p = fs_path_join (mnt, leaf), *f = fs_path_join (p, "memory.max"), *s = NULL;
  fs_read_file (f, 64, &s, NULL, NULL);
  CHECK_STR (s, "33554432\n");
  free (s);
  free (f);
  free (p);
  finish (cg);
}

static void
test_unified_core_file (void)
{
  /* a core cgroup2 file via `unified` works without any controller */
  struct error *err = NULL;
  struct cgroup *cg = make ("{\"unified\":{\"cgroup.max.descendants\":\"5\"}}", &err);
  if (cg == NULL)
    printf ("#   %s\n", err->msg);
  REQUIRE (cg != NULL);
  char *p = fs_path_join (mnt, leaf), *f = fs_path_join (p, "cgroup.max.descendants"), *s = NULL;
  fs_read_file (f, 64, &s, NULL, NULL);
  CHECK_STR (s, "5\n");
  free (s);
  free (f);
  free (p);
  finish (cg);
}

int
main (void)
{
  if (geteuid () != 0)
    SKIP_ALL ("needs root (mounts cgroup2)");
  if (unshare (CLONE_NEWNS) < 0)
    SKIP_ALL ("cannot make a mount namespace");
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    SKIP_ALL ("cannot make / private");
  char tmpl[] = "/tmp/hull-cg2-XXXXXX";
  if (mkdtemp (tmpl) == NULL)
    SKIP_ALL ("mkdtemp");
  snprintf (mnt, sizeof mnt, "%s", tmpl);
  if (mount ("cgroup2", mnt, "cgroup2", 0, NULL) < 0)
    {
      rmdir (mnt);
      SKIP_ALL ("this kernel cannot mount cgroup2");
    }
  setenv ("HULL_CGROUP_ROOT", mnt, 1);
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  snprintf (leaf, sizeof leaf, "/hull-v2test-%d", (int) getpid ());
  char *ctrls = NULL, *cf = fs_path_join (mnt, "cgroup.controllers");
  if (fs_read_file (cf, 4096, &ctrls, NULL, NULL) == 0)
    {
      printf ("# cgroup2 controllers here: `%.*s`\n", (int) strcspn (ctrls, "\n"), ctrls);
      char *save = NULL;
      for (char *t = strtok_r (ctrls, " \n", &save); t; t = strtok_r (NULL, " \n", &save))
        if (cg_ctrl_from_name (t) >= 0)
          root_ctrls |= 1u << cg_ctrl_from_name (t);
    }
  free (ctrls);
  free (cf);
  disk = rt_find_disk (&disk_dev);

  RUN (test_mode);
  RUN (test_clone_into_cgroup);
  RUN (test_enter_freeze_kill);
  if (disk)
    RUN (test_device_filter);
  else
    SKIP_TEST (test_device_filter, "no block device this test can open");
  if ((root_ctrls & (1u << CG_MEMORY)) && (root_ctrls & (1u << CG_PIDS)))
    RUN (test_controller_limits);
  else
    {
      /* still check the clear error and the rollback, then say what was not run */
      RUN (test_controller_limits);
      SKIP_TEST (test_memory_pids_limits_applied,
                 "memory and pids controllers are bound to v1 on this host, "
                 "not available in cgroup2");
    }
  RUN (test_unified_core_file);

  rt_kill_all ();
  rt_cleanup_path (leaf);
  umount2 (mnt, MNT_DETACH);
  rmdir (mnt);
  return tap_done ();
}
