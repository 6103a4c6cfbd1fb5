/* names.c - the name tables of runtime-spec: capabilities, rlimits, signals,
 * namespaces. */
#include "oci/config.h"

#include "base/cleanup.h"
#include "base/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Indexed by capability number (linux/capability.h); the kernel ABI fixes
 * these numbers, so a table is safer than depending on the headers' age. */
static const char *const cap_names[] = {
  "CAP_CHOWN",            "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
  "CAP_FSETID",           "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
  "CAP_SETPCAP",          "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",        "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",       "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",        "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",     "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
  "CAP_LEASE",            "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",     "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",    "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};

/* Accepts "CAP_SYS_ADMIN" and, as exec --cap users type it, "sys_admin"; any
 * case. */
int
oci_cap_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  const char *bare = strncasecmp (name, "CAP_", 4) == 0 ? name + 4 : name;
  for (size_t i = 0; i < ARRAY_SIZE (cap_names); i++)
    if (strcasecmp (bare, cap_names[i] + 4) == 0)
      return (int) i;
  return -1;
}

const char *
oci_cap_name (int cap)
{
  if (cap < 0 || (size_t) cap >= ARRAY_SIZE (cap_names))
    return NULL;
  return cap_names[cap];
}

int
oci_cap_last_cap (void)
{
  /* Read once; a race between two first callers only reads the file twice. */
  static int cached = -1;
  int v = __atomic_load_n (&cached, __ATOMIC_RELAXED);
  if (v >= 0)
    return v;
  v = (int) ARRAY_SIZE (cap_names) - 1;
  _cleanup_close_ int fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      char buf[32];
      ssize_t n = read (fd, buf, sizeof buf - 1);
      if (n > 0)
        {
          buf[n] = '\0';
          buf[strcspn (buf, "\n")] = '\0';
          int x;
          if (parse_int (buf, &x) == 0 && x >= 0 && x < 64)
            v = x;
        }
    }
  __atomic_store_n (&cached, v, __ATOMIC_RELAXED);
  return v;
}

static const struct
{
  const char *name;
  int value;
} rlimit_names[] = {
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_STACK", RLIMIT_STACK },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

int
oci_rlimit_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  for (size_t i = 0; i < ARRAY_SIZE (rlimit_names); i++)
    if (strcasecmp (name, rlimit_names[i].name) == 0)
      return rlimit_names[i].value;
  return -1;
}

const char *
oci_rlimit_name (int resource)
{
  for (size_t i = 0; i < ARRAY_SIZE (rlimit_names); i++)
    if (rlimit_names[i].value == resource)
      return rlimit_names[i].name;
  return NULL;
}

static const struct
{
  const char *name; /* without "SIG" */
  int value;
} signal_names[] = {
  { "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },
  { "TRAP", SIGTRAP },   { "ABRT", SIGABRT },     { "IOT", SIGIOT },     { "BUS", SIGBUS },
  { "FPE", SIGFPE },     { "KILL", SIGKILL },     { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },   { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CLD", SIGCHLD },    { "CONT", SIGCONT },
  { "STOP", SIGSTOP },   { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },
  { "URG", SIGURG },     { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM },
  { "PROF", SIGPROF },   { "WINCH", SIGWINCH },   { "IO", SIGIO },       { "POLL", SIGPOLL },
  { "PWR", SIGPWR },     { "SYS", SIGSYS },
};

/* "N" with 0 <= N <= max, nothing else. */
static int
small_number (const char *s, int max)
{
  if (*s < '0' || *s > '9' || strlen (s) > 3)
    return -1;
  int v;
  if (parse_int (s, &v) < 0 || v > max)
    return -1;
  return v;
}

/* runc's rules: a number is taken as is; a name may omit "SIG" and is
 * matched case-insensitively; RTMIN+n / RTMAX-n name the real-time ones. */
int
oci_signal_from_name (const char *name)
{
  if (name == NULL || *name == '\0')
    return -1;
  if (*name >= '0' && *name <= '9')
    {
      int v = small_number (name, SIGRTMAX);
      return v >= 1 ? v : -1;
    }
  const char *n = strncasecmp (name, "SIG", 3) == 0 ? name + 3 : name;
  for (size_t i = 0; i < ARRAY_SIZE (signal_names); i++)
    if (strcasecmp (n, signal_names[i].name) == 0)
      return signal_names[i].value;
  if (strncasecmp (n, "RTMIN", 5) == 0)
    {
      if (n[5] == '\0')
        return SIGRTMIN;
      if (n[5] != '+')
        return -1;
      int off = small_number (n + 6, SIGRTMAX - SIGRTMIN);
      return off >= 0 ? SIGRTMIN + off : -1;
    }
  if (strncasecmp (n, "RTMAX", 5) == 0)
    {
      if (n[5] == '\0')
        return SIGRTMAX;
      if (n[5] != '-')
        return -1;
      int off = small_number (n + 6, SIGRTMAX - SIGRTMIN);
      return off >= 0 ? SIGRTMAX - off : -1;
    }
  return -1;
}

static const char *const ns_names[OCI_NS_COUNT] = {
  [OCI_NS_PID] = "pid",   [OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",
  [OCI_NS_IPC] = "ipc",   [OCI_NS_UTS] = "uts",         [OCI_NS_USER] = "user",
  [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

static const int ns_flags[OCI_NS_COUNT] = {
  [OCI_NS_PID] = CLONE_NEWPID,   [OCI_NS_NETWORK] = CLONE_NEWNET, [OCI_NS_MOUNT] = CLONE_NEWNS,
  [OCI_NS_IPC] = CLONE_NEWIPC,   [OCI_NS_UTS] = CLONE_NEWUTS,     [OCI_NS_USER] = CLONE_NEWUSER,
  [OCI_NS_CGROUP] = CLONE_NEWCGROUP, [OCI_NS_TIME] = CLONE_NEWTIME,
};

const char *
oci_ns_type_name (enum oci_ns_type t)
{
  if ((unsigned) t >= OCI_NS_COUNT)
    return NULL;
  return ns_names[t];
}

int
oci_ns_type_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  for (int i = 0; i < OCI_NS_COUNT; i++)
    if (strcmp (name, ns_names[i]) == 0)
      return i;
  return -1;
}

int
oci_ns_clone_flag (enum oci_ns_type t)
{
  if ((unsigned) t >= OCI_NS_COUNT)
    return 0;
  return ns_flags[t];
}
