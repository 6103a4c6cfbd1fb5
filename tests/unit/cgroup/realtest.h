/* realtest.h - helpers for tests against the real kernel: children that
 * wait until they are put into a cgroup, CPU time sampling, and cleanup of
 * everything a test made even when it fails. */
#ifndef HULL_TESTS_REALTEST_H
#define HULL_TESTS_REALTEST_H

#include "cgtest.h"

#include <dirent.h>
#include <sys/prctl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#define SKIP_ALL(why)                                                          \
  do                                                                           \
    {                                                                          \
      printf ("1..0 # SKIP %s\n", why);                                        \
      return 0;                                                                \
    }                                                                          \
  while (0)

/* TAP: report a test as skipped, saying why */
#define SKIP_TEST(fn, why)                                                     \
  do                                                                           \
    {                                                                          \
      tap_n++;                                                                 \
      printf ("ok %d - %s # SKIP %s\n", tap_n, #fn, why);                      \
    }                                                                          \
  while (0)

static pid_t rt_pids[64];
static size_t rt_npids;

/* fork a child that waits for a byte on a pipe, then runs fn; *go is the
 * write end to release it */
static pid_t
rt_spawn (void (*fn) (void), int *go)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  pid_t pid = fork ();
  if (pid == 0)
    {
      char c;
      close (p[1]);
      if (read (p[0], &c, 1) != 1)
        _exit (99);
      fn ();
      _exit (0);
    }
  close (p[0]);
  if (pid > 0 && rt_npids < 64)
    rt_pids[rt_npids++] = pid;
  *go = p[1];
  return pid;
}

static void
rt_go (int *go)
{
  if (*go >= 0)
    {
      if (write (*go, "x", 1) != 1)
        perror ("release child");
      close (*go);
      *go = -1;
    }
}

static void
rt_busy (void)
{
  for (volatile unsigned long i = 0;; i++)
    ;
}

static void
rt_sleep (void)
{
  for (;;)
    pause ();
}

/* user+system CPU ticks of pid */
static long
rt_cputicks (pid_t pid)
{
  char path[64], *s = NULL;
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  if (fs_read_file (path, 4096, &s, NULL, NULL) < 0)
    return -1;
  char *p = strrchr (s, ')');
  long ut = -1, st = -1;
  /* after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt
   * cmajflt utime stime */
  if (p)
    sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &ut, &st);
  free (s);
  return ut < 0 ? -1 : ut + st;
}

static void
rt_msleep (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

static int
rt_wait (pid_t pid, int *status)
{
  for (size_t i = 0; i < rt_npids; i++)
    if (rt_pids[i] == pid)
      rt_pids[i] = 0;
  return waitpid (pid, status, 0) == pid ? 0 : -1;
}

/* orphans of test children (a fork bomb's) come back to us: reap them */
static void
rt_reap (void)
{
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

static void
rt_kill_all (void)
{
  for (size_t i = 0; i < rt_npids; i++)
    if (rt_pids[i] > 0)
      {
        kill (rt_pids[i], SIGKILL);
        waitpid (rt_pids[i], NULL, 0);
        rt_pids[i] = 0;
      }
  rt_npids = 0;
  rt_reap ();
}

/* remove dir and every cgroup below it, killing what is inside */
static void
rt_rm_cgroup (const char *dir)
{
  DIR *d = opendir (dir);
  if (d == NULL)
    return;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (de->d_type == DT_DIR && de->d_name[0] != '.')
      {
        char *sub = fs_path_join (dir, de->d_name);
        rt_rm_cgroup (sub);
        free (sub);
      }
  closedir (d);
  char *procs = NULL, *p = fs_path_join (dir, "cgroup.procs");
  if (fs_read_file (p, 1 << 20, &procs, NULL, NULL) == 0)
    for (char *q = procs; *q;)
      {
        char *e;
        long pid = strtol (q, &e, 10);
        if (e == q)
          break;
        kill ((pid_t) pid, SIGKILL);
        q = e + (*e == '\n');
      }
  free (procs);
  free (p);
  /* a frozen v1 cgroup keeps its killed tasks: thaw it */
  p = fs_path_join (dir, "freezer.state");
  if (access (p, F_OK) == 0)
    {
      FILE *f = fopen (p, "w");
      if (f)
        {
          fputs ("THAWED", f);
          fclose (f);
        }
    }
  free (p);
  p = fs_path_join (dir, "cgroup.freeze");
  if (access (p, F_OK) == 0)
    {
      FILE *f = fopen (p, "w");
      if (f)
        {
          fputs ("0", f);
          fclose (f);
        }
    }
  free (p);
  for (int i = 0; i < 100 && rmdir (dir) < 0 && errno == EBUSY; i++)
    rt_msleep (10);
}

/* rel (e.g. "/hull-test-123") removed in every hierarchy of the layout */
static void
rt_cleanup_path (const char *rel)
{
  const struct cg_layout *l;
  if (cg_layout_get (&l, NULL) < 0)
    return;
  for (size_t i = 0; i < l->n; i++)
    {
      char *d = fs_path_join (l->h[i].mnt, rel);
      rt_rm_cgroup (d);
      free (d);
    }
}

/* does any hierarchy still hold rel? */
static bool
rt_left (const char *rel)
{
  const struct cg_layout *l;
  if (cg_layout_get (&l, NULL) < 0)
    return false;
  bool left = false;
  for (size_t i = 0; i < l->n; i++)
    {
      char *d = fs_path_join (l->h[i].mnt, rel);
      if (access (d, F_OK) == 0)
        {
          printf ("#   left behind: %s\n", d);
          left = true;
        }
      free (d);
    }
  return left;
}

/* the cgroup line of /proc/pid/cgroup for a controller ("memory", "" for v2) */
static char *
rt_proc_cgroup (pid_t pid, const char *ctrl)
{
  char path[64], *s = NULL;
  snprintf (path, sizeof path, "/proc/%d/cgroup", (int) pid);
  if (fs_read_file (path, 1 << 16, &s, NULL, NULL) < 0)
    return NULL;
  char *res = NULL, *save = NULL;
  for (char *l = strtok_r (s, "\n", &save); l && !res; l = strtok_r (NULL, "\n", &save))
    {
      char *c1 = strchr (l, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      *c2 = '\0';
      if (strcmp (c1 + 1, ctrl) == 0)
        res = strdup (c2 + 1);
    }
  free (s);
  return res;
}

/* a block device this process can open outside any restriction (so that
 * EPERM inside the cgroup means the device rules did it); NULL if none */
static const char *
rt_find_disk (dev_t *dev)
{
  static const char *cand[] = { "/dev/loop0", "/dev/zram0", "/dev/vda",
                                "/dev/sda", "/dev/nvme0n1", "/dev/loop1" };
  for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
    {
      struct stat st;
      if (stat (cand[i], &st) < 0 || !S_ISBLK (st.st_mode))
        continue;
      int fd = open (cand[i], O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      close (fd);
      if (dev)
        *dev = st.st_rdev;
      return cand[i];
    }
  return NULL;
}

static bool
rt_has_pid (const struct cgroup *cg, pid_t pid)
{
  pid_t *v = NULL;
  size_t n = 0;
  bool found = false;
  if (cgroup_pids (cg, &v, &n, NULL) == 0)
    for (size_t i = 0; i < n; i++)
      found |= v[i] == pid;
  free (v);
  return found;
}

#endif
