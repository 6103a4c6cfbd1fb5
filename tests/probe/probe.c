/* probe - a static in-container program that prints facts as key=value lines
 * for the integration tests to assert on. It links nothing but libc and is
 * copied into test bundles as /probe.
 *
 *   probe [all]            everything below that is cheap
 *   probe ids|caps|umask|cwd|uts|ns|fds|rlimits|oom|sched|ioprio|cgroup|
 *         mounts|env|exe|tty|pids|clock
 *   probe write PATH       write=ok|ERRNO (a dir: create+remove a file in it;
 *                          a file: open O_WRONLY|O_APPEND, nothing written)
 *   probe read PATH        read=ok|ERRNO
 *   probe stat PATH        stat=TYPE MODE UID GID MAJ:MIN | ERRNO
 *   probe syscall NAME [N...]   syscall.NAME=0|ERRNO (integer arguments)
 *   probe exec-self        can /proc/self/exe or another process's exe be
 *                          opened for writing? (the CVE-2019-5736 class)
 *   probe watch-exe SECS   watch for new processes for SECS seconds, grab
 *                          /proc/PID/exe of each with O_PATH, then try to
 *                          reopen it for writing once that process is gone
 *   probe sleep SECS       sleep (signals reported as they arrive)
 *   probe signals SECS     report each signal received for SECS seconds
 *   probe exit N           exit with status N
 *   probe pidns            pid, ppid and the pids visible in /proc
 *   probe alloc MB         allocate and touch MB MiB (alloc.mb=N every 8 MiB,
 *                          alloc=ok at the end; an OOM kill prints no more)
 *   probe fork N SECS      fork up to N children that wait; fork=COUNT
 *                          fork.error=ERRNO|none; then sleep SECS
 *   probe forkbomb SECS    every process forks for ever (a fork bomb, each
 *                          waiting 10 ms after a failed fork); the first
 *                          process reports fork.error=ERRNO of its own fork
 *                          once the bomb has filled the limit, then sleeps
 *                          SECS and kills the bomb
 *   probe spin SECS        a busy loop for SECS seconds (0: for ever)
 *   probe udp-echo PORT    answer each datagram on PORT with "echo:DATA"
 *   probe udp-ask IP PORT MSG   send MSG, print the answer (1 s timeout)
 *
 * Output lines are flushed as they are printed. Query subcommands exit 0 even
 * when the probed operation fails (the result is in the output); usage errors
 * exit 2. Errors are printed as errno names (EACCES), via strerrorname_np.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *
ename (int e)
{
  const char *n = strerrorname_np (e);
  return n ? n : "EUNKNOWN";
}

static void
kv (const char *key, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
kv (const char *key, const char *fmt, ...)
{
  va_list ap;
  printf ("%s=", key);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
  fflush (stdout);
}

static int
usage (void)
{
  fprintf (stderr, "usage: probe [all|ids|caps|...|write PATH|read PATH|syscall NAME|"
                   "exec-self|watch-exe S|sleep S|signals S|exit N|pidns|alloc MB|\n"
                   "fork N S|forkbomb S|spin S]\n");
  return 2;
}

/* Print the lines of /proc/self/status whose key is in KEYS as key=value. */
static void
status_fields (const char *const *keys, const char *const *names)
{
  char line[512];
  FILE *f = fopen ("/proc/self/status", "re");
  if (f == NULL)
    {
      kv ("status", "%s", ename (errno));
      return;
    }
  while (fgets (line, sizeof line, f))
    for (size_t i = 0; keys[i]; i++)
      {
        size_t n = strlen (keys[i]);
        if (strncmp (line, keys[i], n) == 0 && line[n] == ':')
          {
            char *v = line + n + 1;
            v += strspn (v, " \t");
            v[strcspn (v, "\n")] = '\0';
            kv (names[i], "%s", v);
          }
      }
  fclose (f);
}

static void
p_ids (void)
{
  gid_t g[NGROUPS_MAX];
  int n = getgroups (NGROUPS_MAX, g);
  kv ("uid", "%u", getuid ());
  kv ("gid", "%u", getgid ());
  kv ("euid", "%u", geteuid ());
  kv ("egid", "%u", getegid ());
  printf ("groups=");
  for (int i = 0; i < n; i++)
    printf ("%s%u", i ? "," : "", g[i]);
  putchar ('\n');
}

static void
p_caps (void)
{
  static const char *const keys[]
      = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", NULL };
  static const char *const names[]
      = { "cap_inh", "cap_prm", "cap_eff", "cap_bnd", "cap_amb", "no_new_privs", "seccomp", NULL };
  status_fields (keys, names);
}

static void
p_umask (void)
{
  mode_t m = umask (0);
  umask (m);
  kv ("umask", "%04o", m);
}

static void
p_cwd (void)
{
  char buf[PATH_MAX];
  if (getcwd (buf, sizeof buf))
    kv ("cwd", "%s", buf);
  else
    kv ("cwd", "%s", ename (errno));
}

static void
p_uts (void)
{
  struct utsname u;
  if (uname (&u) < 0)
    return;
  kv ("hostname", "%s", u.nodename);
  kv ("domainname", "%s", u.domainname);
}

static void
p_ns (void)
{
  static const char *const ns[] = { "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
                                    "time", "time_for_children", "user", "uts", NULL };
  for (size_t i = 0; ns[i]; i++)
    {
      char path[64], key[64];
      struct stat st;
      snprintf (path, sizeof path, "/proc/self/ns/%s", ns[i]);
      snprintf (key, sizeof key, "ns.%s", ns[i]);
      if (stat (path, &st) == 0)
        kv (key, "%lu", (unsigned long) st.st_ino);
      else
        kv (key, "%s", ename (errno));
    }
}

static void
p_fds (void)
{
  char list[4096] = "";
  size_t len = 0;
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *de;
  if (d == NULL)
    {
      kv ("fds", "%s", ename (errno));
      return;
    }
  while ((de = readdir (d)))
    {
      char path[300], target[PATH_MAX];
      ssize_t n;
      if (!isdigit ((unsigned char) de->d_name[0]) || atoi (de->d_name) == dirfd (d))
        continue;
      snprintf (path, sizeof path, "/proc/self/fd/%s", de->d_name);
      n = readlink (path, target, sizeof target - 1);
      target[n < 0 ? 0 : n] = '\0';
      printf ("fd.%s=%s\n", de->d_name, target);
      if (len < sizeof list - 16)
        len += snprintf (list + len, sizeof list - len, "%s%s", len ? "," : "", de->d_name);
    }
  closedir (d);
  kv ("fds", "%s", list);
}

static void
p_rlimits (void)
{
  static const struct
  {
    const char *name;
    int res;
  } rl[] = {
    { "as", RLIMIT_AS },         { "core", RLIMIT_CORE },       { "cpu", RLIMIT_CPU },
    { "data", RLIMIT_DATA },     { "fsize", RLIMIT_FSIZE },     { "locks", RLIMIT_LOCKS },
    { "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
    { "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },     { "rss", RLIMIT_RSS },
    { "rtprio", RLIMIT_RTPRIO }, { "rttime", RLIMIT_RTTIME },   { "sigpending", RLIMIT_SIGPENDING },
    { "stack", RLIMIT_STACK },
  };
  for (size_t i = 0; i < sizeof rl / sizeof rl[0]; i++)
    {
      struct rlimit r;
      char soft[32], hard[32];
      if (getrlimit (rl[i].res, &r) < 0)
        continue;
      if (r.rlim_cur == RLIM_INFINITY)
        strcpy (soft, "unlimited");
      else
        snprintf (soft, sizeof soft, "%llu", (unsigned long long) r.rlim_cur);
      if (r.rlim_max == RLIM_INFINITY)
        strcpy (hard, "unlimited");
      else
        snprintf (hard, sizeof hard, "%llu", (unsigned long long) r.rlim_max);
      printf ("rlimit.%s=%s:%s\n", rl[i].name, soft, hard);
    }
}

static void
cat_value (const char *key, const char *path)
{
  char buf[256] = "";
  FILE *f = fopen (path, "re");
  if (f == NULL)
    {
      kv (key, "%s", ename (errno));
      return;
    }
  if (fgets (buf, sizeof buf, f))
    buf[strcspn (buf, "\n")] = '\0';
  fclose (f);
  kv (key, "%s", buf);
}

static void
p_sched (void)
{
  static const char *const pol[] = { "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
                                     "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE" };
  struct sched_param sp;
  int p = sched_getscheduler (0);
  p &= ~SCHED_RESET_ON_FORK;
  kv ("sched_policy", "%s", p >= 0 && p < 7 ? pol[p] : "unknown");
  if (sched_getparam (0, &sp) == 0)
    kv ("sched_priority", "%d", sp.sched_priority);
  errno = 0;
  int nice = getpriority (PRIO_PROCESS, 0);
  kv ("nice", "%d", errno ? -99 : nice);
}

static void
p_ioprio (void)
{
  /* ioprio_get (IOPRIO_WHO_PROCESS = 1, 0): class in bits 13+, level below. */
  static const char *const cls[] = { "IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                     "IOPRIO_CLASS_IDLE" };
  long v = syscall (SYS_ioprio_get, 1, 0);
  if (v < 0)
    {
      kv ("ioprio_class", "%s", ename (errno));
      return;
    }
  kv ("ioprio_class", "%s", (v >> 13) < 4 ? cls[v >> 13] : "unknown");
  kv ("ioprio_level", "%ld", v & 0x1fff);
}

static void
p_cgroup (void)
{
  char line[1024];
  FILE *f = fopen ("/proc/self/cgroup", "re");
  if (f == NULL)
    {
      kv ("cgroup", "%s", ename (errno));
      return;
    }
  /* "ID:CONTROLLERS:PATH" -> cgroup.CONTROLLERS=PATH (cgroup2: "cgroup.=PATH"). */
  while (fgets (line, sizeof line, f))
    {
      char *c = strchr (line, ':'), *p;
      if (c == NULL || (p = strchr (c + 1, ':')) == NULL)
        continue;
      *p++ = '\0';
      p[strcspn (p, "\n")] = '\0';
      printf ("cgroup.%s=%s\n", c + 1, p);
    }
  fclose (f);
}

static void
p_mounts (void)
{
  char line[4096];
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    {
      kv ("mounts", "%s", ename (errno));
      return;
    }
  /* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER */
  while (fgets (line, sizeof line, f))
    {
      char *fld[64];
      int n = 0, dash = -1;
      char *save = NULL;
      line[strcspn (line, "\n")] = '\0';
      for (char *t = strtok_r (line, " ", &save); t && n < 64; t = strtok_r (NULL, " ", &save))
        {
          if (strcmp (t, "-") == 0 && dash < 0)
            dash = n;
          fld[n++] = t;
        }
      if (dash < 6 || n < dash + 4)
        continue;
      char prop[256] = "";
      size_t len = 0;
      for (int i = 6; i < dash && len < sizeof prop - 1; i++)
        len += snprintf (prop + len, sizeof prop - len, "%s%s", len ? "," : "", fld[i]);
      printf ("mount=%s type=%s opts=%s super=%s source=%s root=%s prop=%s\n", fld[4],
              fld[dash + 1], fld[5], fld[dash + 3], fld[dash + 2], fld[3],
              len ? prop : "private");
    }
  fclose (f);
}

static void
p_env (void)
{
  extern char **environ;
  for (char **e = environ; *e; e++)
    printf ("env.%s\n", *e);
}

static void
p_exe (void)
{
  char buf[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", buf, sizeof buf - 1);
  buf[n < 0 ? 0 : n] = '\0';
  kv ("exe", "%s", n < 0 ? ename (errno) : buf);
}

static void
p_tty (void)
{
  for (int fd = 0; fd < 3; fd++)
    printf ("tty.%d=%d\n", fd, isatty (fd));
  char *n = ttyname (0);
  kv ("ttyname", "%s", n ? n : "none");
}

static void
p_pids (void)
{
  DIR *d = opendir ("/proc");
  struct dirent *de;
  kv ("pid", "%d", getpid ());
  kv ("ppid", "%d", getppid ());
  printf ("pids=");
  int first = 1;
  while (d && (de = readdir (d)))
    if (isdigit ((unsigned char) de->d_name[0]))
      {
        printf ("%s%s", first ? "" : ",", de->d_name);
        first = 0;
      }
  putchar ('\n');
  if (d)
    closedir (d);
}

static void
p_oom (void)
{
  cat_value ("oom_score_adj", "/proc/self/oom_score_adj");
}

static int
p_write (const char *path)
{
  struct stat st;
  if (stat (path, &st) == 0 && S_ISDIR (st.st_mode))
    {
      char f[PATH_MAX];
      snprintf (f, sizeof f, "%s/.probe-write-%d", path, getpid ());
      int fd = open (f, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0)
        return kv ("write", "%s", ename (errno)), 0;
      close (fd);
      unlink (f);
      return kv ("write", "ok"), 0;
    }
  int fd = open (path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0)
    return kv ("write", "%s", ename (errno)), 0;
  close (fd);
  return kv ("write", "ok"), 0;
}

static int
p_read (const char *path)
{
  char c;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return kv ("read", "%s", ename (errno)), 0;
  struct stat st;
  if (fstat (fd, &st) == 0 && !S_ISDIR (st.st_mode) && read (fd, &c, 1) < 0)
    {
      int e = errno;
      close (fd);
      return kv ("read", "%s", ename (e)), 0;
    }
  close (fd);
  return kv ("read", "ok"), 0;
}

static int
p_stat (const char *path)
{
  struct stat st;
  const char *t;
  if (lstat (path, &st) < 0)
    return kv ("stat", "%s", ename (errno)), 0;
  switch (st.st_mode & S_IFMT)
    {
    case S_IFCHR: t = "char"; break;
    case S_IFBLK: t = "block"; break;
    case S_IFDIR: t = "dir"; break;
    case S_IFLNK: t = "symlink"; break;
    case S_IFIFO: t = "fifo"; break;
    case S_IFSOCK: t = "socket"; break;
    default: t = "file";
    }
  kv ("stat", "%s %04o %u %u %u:%u", t, st.st_mode & 07777, st.st_uid, st.st_gid,
      major (st.st_rdev), minor (st.st_rdev));
  return 0;
}

static const struct
{
  const char *name;
  long nr;
} syscalls[] = {
  { "getpid", SYS_getpid },       { "unshare", SYS_unshare },   { "setns", SYS_setns },
  { "mount", SYS_mount },         { "umount2", SYS_umount2 },   { "chroot", SYS_chroot },
  { "pivot_root", SYS_pivot_root }, { "sethostname", SYS_sethostname },
  { "setdomainname", SYS_setdomainname }, { "reboot", SYS_reboot }, { "swapon", SYS_swapon },
  { "swapoff", SYS_swapoff },     { "keyctl", SYS_keyctl },     { "add_key", SYS_add_key },
  { "request_key", SYS_request_key }, { "ptrace", SYS_ptrace }, { "personality", SYS_personality },
  { "bpf", SYS_bpf },             { "perf_event_open", SYS_perf_event_open },
  { "userfaultfd", SYS_userfaultfd }, { "open_by_handle_at", SYS_open_by_handle_at },
  { "syslog", SYS_syslog },       { "acct", SYS_acct },         { "settimeofday", SYS_settimeofday },
  { "clock_settime", SYS_clock_settime }, { "mknodat", SYS_mknodat }, { "fchmodat", SYS_fchmodat },
  { "init_module", SYS_init_module }, { "delete_module", SYS_delete_module },
  { "setuid", SYS_setuid },       { "setgid", SYS_setgid },     { "chown", SYS_fchownat },
  { "fchownat", SYS_fchownat },   { "socket", SYS_socket },     { "nice", SYS_setpriority },
  { "setpriority", SYS_setpriority }, { "sched_setscheduler", SYS_sched_setscheduler },
  { "mlock", SYS_mlock },         { "quotactl", SYS_quotactl }, { "lookup_dcookie", SYS_lookup_dcookie },
  { "move_pages", SYS_move_pages }, { "set_mempolicy", SYS_set_mempolicy },
  { "clone3", SYS_clone3 },       { "io_uring_setup", SYS_io_uring_setup },
  { "pidfd_open", SYS_pidfd_open }, { "getcwd", SYS_getcwd },
};

static int
p_syscall (int argc, char **argv)
{
  long nr = -1, a[6] = { 0 };
  char *end;
  for (size_t i = 0; i < sizeof syscalls / sizeof syscalls[0]; i++)
    if (strcmp (argv[0], syscalls[i].name) == 0)
      nr = syscalls[i].nr;
  if (nr < 0)
    {
      nr = strtol (argv[0], &end, 0);
      if (*end || nr < 0)
        {
          fprintf (stderr, "probe: unknown syscall `%s`\n", argv[0]);
          return 2;
        }
    }
  for (int i = 1; i < argc && i <= 6; i++)
    a[i - 1] = strtol (argv[i], NULL, 0);
  long r = syscall (nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  char key[80];
  snprintf (key, sizeof key, "syscall.%s", argv[0]);
  if (r < 0)
    kv (key, "%s", ename (errno));
  else
    kv (key, "0");
  return 0;
}

/* Try to reopen the file behind an O_PATH fd for writing, the way the
 * CVE-2019-5736 exploit does. Nothing is ever written: O_APPEND, no data. */
static const char *
reopen_write (int pathfd)
{
  char p[64];
  snprintf (p, sizeof p, "/proc/self/fd/%d", pathfd);
  for (int i = 0; i < 50; i++)
    {
      int fd = open (p, O_WRONLY | O_APPEND | O_CLOEXEC);
      if (fd >= 0)
        {
          close (fd);
          return "ok";
        }
      if (errno != ETXTBSY)
        return ename (errno);
      usleep (20000); /* still being executed: wait for it to exit */
    }
  return "ETXTBSY";
}

static int
p_exec_self (void)
{
  char target[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", target, sizeof target - 1);
  target[n < 0 ? 0 : n] = '\0';
  kv ("exe", "%s", target);
  int fd = open ("/proc/self/exe", O_WRONLY | O_APPEND | O_CLOEXEC);
  kv ("self_write", "%s", fd >= 0 ? "ok" : ename (errno));
  if (fd >= 0)
    close (fd);
  /* Every other process we can see: could its exe be grabbed and reopened? */
  DIR *d = opendir ("/proc");
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      char p[64], key[64];
      int pid = atoi (de->d_name);
      if (pid <= 0 || pid == getpid ())
        continue;
      snprintf (p, sizeof p, "/proc/%d/exe", pid);
      snprintf (key, sizeof key, "exe.%d", pid);
      n = readlink (p, target, sizeof target - 1);
      target[n < 0 ? 0 : n] = '\0';
      if (n < 0 && errno == ENOENT)
        continue; /* a kernel thread, or gone */
      kv (key, "%s", n < 0 ? ename (errno) : target);
      int pfd = open (p, O_PATH | O_CLOEXEC);
      snprintf (key, sizeof key, "write.%d", pid);
      if (pfd < 0)
        kv (key, "%s", ename (errno));
      else
        {
          kv (key, "%s", reopen_write (pfd));
          close (pfd);
        }
    }
  if (d)
    closedir (d);
  return 0;
}

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
p_watch_exe (double secs)
{
  enum { MAXP = 256 };
  int pids[MAXP], fds[MAXP], np = 0;
  char self[PATH_MAX];
  ssize_t sn = readlink ("/proc/self/exe", self, sizeof self - 1);
  self[sn < 0 ? 0 : sn] = '\0';
  kv ("watching", "%d", getpid ());
  double end = now () + secs;
  while (now () < end && np < MAXP)
    {
      DIR *d = opendir ("/proc");
      struct dirent *de;
      while (d && (de = readdir (d)) && np < MAXP)
        {
          int pid = atoi (de->d_name), seen = 0;
          if (pid <= 1 || pid == getpid ())
            continue;
          for (int i = 0; i < np; i++)
            seen |= pids[i] == pid;
          if (seen)
            continue;
          char p[64], t[PATH_MAX];
          snprintf (p, sizeof p, "/proc/%d/exe", pid);
          int fd = open (p, O_PATH | O_CLOEXEC);
          if (fd < 0 && errno == ENOENT)
            continue; /* a kernel thread or already gone */
          ssize_t n = fd >= 0 ? readlink (p, t, sizeof t - 1) : -1;
          t[n < 0 ? 0 : n] = '\0';
          printf ("exe.%d=%s\n", pid, fd < 0 ? ename (errno) : t);
          pids[np] = pid;
          fds[np++] = fd;
        }
      if (d)
        closedir (d);
    }
  fflush (stdout);
  for (int i = 0; i < np; i++)
    if (fds[i] >= 0)
      printf ("write.%d=%s\n", pids[i], reopen_write (fds[i]));
  kv ("watched", "%d", np);
  return 0;
}

static volatile sig_atomic_t got[65];

static void
on_signal (int sig)
{
  got[sig] = 1;
}

static int
p_signals (double secs, int quiet_start)
{
  struct sigaction sa = { .sa_handler = on_signal };
  sigemptyset (&sa.sa_mask);
  for (int s = 1; s < 65; s++)
    if (s != SIGKILL && s != SIGSTOP)
      sigaction (s, &sa, NULL);
  if (!quiet_start)
    kv ("ready", "%d", getpid ());
  double end = now () + secs;
  while (now () < end)
    {
      usleep (10000);
      for (int s = 1; s < 65; s++)
        if (got[s])
          {
            got[s] = 0;
            kv ("signal", "%s", sigabbrev_np (s) ? sigabbrev_np (s) : "RT");
            if (s == SIGTERM || s == SIGINT)
              return 128 + s;
          }
    }
  return 0;
}

static void
p_clock (void)
{
  struct timespec m, b;
  clock_gettime (CLOCK_MONOTONIC, &m);
  clock_gettime (CLOCK_BOOTTIME, &b);
  kv ("monotonic", "%lld", (long long) m.tv_sec);
  kv ("boottime", "%lld", (long long) b.tv_sec);
}

/* Memory that the kernel has to back: every page is written. */
static int
p_alloc (long mb)
{
  for (long i = 1; i <= mb; i++)
    {
      char *p = malloc (1 << 20);
      if (p == NULL)
        return kv ("alloc", "ENOMEM at %ld MiB", i), 0;
      memset (p, (int) i, 1 << 20);
      if (i % 8 == 0)
        kv ("alloc.mb", "%ld", i);
    }
  kv ("alloc", "ok");
  return 0;
}

static int
p_fork (long n, double secs)
{
  static pid_t kids[4096];
  long count = 0;
  int e = 0;
  if (n > 4096)
    n = 4096;
  for (; count < n; count++)
    {
      pid_t p = fork ();
      if (p < 0)
        {
          e = errno;
          break;
        }
      if (p == 0)
        {
          pause ();
          _exit (0);
        }
      kids[count] = p;
    }
  kv ("fork", "%ld", count);
  kv ("fork.error", "%s", e ? ename (e) : "none");
  struct timespec ts = { (time_t) secs, (long) ((secs - (time_t) secs) * 1e9) };
  nanosleep (&ts, NULL);
  for (long i = 0; i < count; i++)
    kill (kids[i], SIGKILL);
  while (wait (NULL) > 0)
    ;
  return 0;
}

static void
bomb (void)
{
  const struct timespec tick = { 0, 10 * 1000 * 1000 };
  for (;;)
    if (fork () < 0)
      nanosleep (&tick, NULL);
}

static int
p_forkbomb (double secs)
{
  /* the bomb runs in its own process group, so that the reporter can end it */
  pid_t b = fork ();
  if (b < 0)
    return kv ("fork.error", "%s", ename (errno)), 0;
  if (b == 0)
    {
      setpgid (0, 0);
      bomb ();
    }
  setpgid (b, b);
  /* Until the bomb has filled the limit, forks of our own succeed: each such
   * child exits at once. Give up after 10 s (no limit). */
  const struct timespec tick = { 0, 20 * 1000 * 1000 };
  int e = 0;
  for (int i = 0; i < 500 && e == 0; i++)
    {
      pid_t p = fork ();
      if (p == 0)
        _exit (0);
      if (p < 0)
        e = errno;
      else
        waitpid (p, NULL, 0);
      nanosleep (&tick, NULL);
    }
  kv ("fork.error", "%s", e ? ename (e) : "none");
  struct timespec ts = { (time_t) secs, (long) ((secs - (time_t) secs) * 1e9) };
  nanosleep (&ts, NULL);
  /* the bomb's children may be in other groups (a fork racing setpgid): the
   * container's pid namespace ends them all when we, its init, exit */
  kill (-b, SIGKILL);
  return 0;
}

static int
p_spin (double secs)
{
  struct timespec t0, t;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  for (volatile unsigned long i = 0;; i++)
    if ((i & 0xfffff) == 0 && secs > 0)
      {
        clock_gettime (CLOCK_MONOTONIC, &t);
        if ((double) (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 >= secs)
          break;
      }
  kv ("spin", "done");
  return 0;
}

static void
p_all (void)
{
  p_ids ();
  p_caps ();
  p_umask ();
  p_cwd ();
  p_uts ();
  p_ns ();
  p_rlimits ();
  p_oom ();
  p_sched ();
  p_ioprio ();
  p_cgroup ();
  p_exe ();
  p_tty ();
  p_pids ();
  p_fds ();
}

/* UDP for the network tests: busybox's nc has no UDP. */
static int
p_udp_echo (int port)
{
  int fd = socket (AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
  if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    return kv ("udp-echo", "%s", ename (errno)), 1;
  for (;;)
    {
      char buf[512], rep[600];
      struct sockaddr_in peer;
      socklen_t l = sizeof peer;
      ssize_t n = recvfrom (fd, buf, sizeof buf - 1, 0, (struct sockaddr *) &peer, &l);
      if (n < 0)
        continue;
      buf[n] = '\0';
      int k = snprintf (rep, sizeof rep, "echo:%s", buf);
      sendto (fd, rep, (size_t) k, 0, (struct sockaddr *) &peer, l);
    }
}

static int
p_udp_ask (const char *ip, int port, const char *msg)
{
  int fd = socket (AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
  struct timeval tv = { 1, 0 };
  if (fd < 0 || inet_pton (AF_INET, ip, &sa.sin_addr) != 1)
    return kv ("udp-ask", "EINVAL"), 1;
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[600];
  if (sendto (fd, msg, strlen (msg), 0, (struct sockaddr *) &sa, sizeof sa) < 0)
    return kv ("udp-ask", "%s", ename (errno)), 1;
  ssize_t n = recv (fd, buf, sizeof buf - 1, 0);
  if (n < 0)
    return kv ("udp-ask", "%s", ename (errno)), 1;
  buf[n] = '\0';
  return kv ("udp-ask", "%s", buf), 0;
}

int
main (int argc, char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : "all";
  static const struct
  {
    const char *name;
    void (*fn) (void);
  } simple[] = {
    { "all", p_all },       { "ids", p_ids },       { "caps", p_caps },     { "umask", p_umask },
    { "cwd", p_cwd },       { "uts", p_uts },       { "ns", p_ns },         { "fds", p_fds },
    { "rlimits", p_rlimits }, { "oom", p_oom },     { "sched", p_sched },   { "ioprio", p_ioprio },
    { "cgroup", p_cgroup }, { "mounts", p_mounts }, { "env", p_env },       { "exe", p_exe },
    { "tty", p_tty },       { "pids", p_pids },     { "pidns", p_pids },    { "clock", p_clock },
  };
  setvbuf (stdout, NULL, _IOLBF, 0);
  for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
    if (strcmp (cmd, simple[i].name) == 0)
      {
        simple[i].fn ();
        fflush (stdout);
        return 0;
      }
  if (strcmp (cmd, "exec-self") == 0)
    return p_exec_self ();
  if (argc < 3)
    return usage ();
  if (strcmp (cmd, "write") == 0)
    return p_write (argv[2]);
  if (strcmp (cmd, "read") == 0)
    return p_read (argv[2]);
  if (strcmp (cmd, "stat") == 0)
    return p_stat (argv[2]);
  if (strcmp (cmd, "syscall") == 0)
    return p_syscall (argc - 2, argv + 2);
  if (strcmp (cmd, "watch-exe") == 0)
    return p_watch_exe (atof (argv[2]));
  if (strcmp (cmd, "sleep") == 0 || strcmp (cmd, "signals") == 0)
    return p_signals (atof (argv[2]), strcmp (cmd, "sleep") == 0);
  if (strcmp (cmd, "exit") == 0)
    return atoi (argv[2]);
  if (strcmp (cmd, "alloc") == 0)
    return p_alloc (atol (argv[2]));
  if (strcmp (cmd, "fork") == 0 && argc > 3)
    return p_fork (atol (argv[2]), atof (argv[3]));
  if (strcmp (cmd, "forkbomb") == 0)
    return p_forkbomb (atof (argv[2]));
  if (strcmp (cmd, "spin") == 0)
    return p_spin (atof (argv[2]));
  if (strcmp (cmd, "udp-echo") == 0)
    return p_udp_echo (atoi (argv[2]));
  if (strcmp (cmd, "udp-ask") == 0 && argc >= 5)
    return p_udp_ask (argv[2], atoi (argv[3]), argv[4]);
  return usage ();
}
