/* test-names.c - capability, rlimit, signal and namespace names. */
#include "oci/config.h"

#include "base/cleanup.h"
#include "tap.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

static void
test_caps (void)
{
  /* every number has a name that maps back to it */
  for (int i = 0; i <= 40; i++)
    {
      const char *n = oci_cap_name (i);
      CHECK (n != NULL);
      if (n)
        CHECK_INT (oci_cap_from_name (n), ==, i);
    }
  CHECK (oci_cap_name (41) == NULL);
  CHECK (oci_cap_name (-1) == NULL);
  CHECK_INT (oci_cap_from_name ("CAP_CHOWN"), ==, CAP_CHOWN);
  CHECK_INT (oci_cap_from_name ("CAP_SYS_ADMIN"), ==, CAP_SYS_ADMIN);
  CHECK_INT (oci_cap_from_name ("cap_net_raw"), ==, CAP_NET_RAW);
  CHECK_INT (oci_cap_from_name ("sys_ptrace"), ==, CAP_SYS_PTRACE);
  CHECK_INT (oci_cap_from_name ("CAP_AUDIT_READ"), ==, CAP_AUDIT_READ);
  CHECK_INT (oci_cap_from_name ("CAP_PERFMON"), ==, 38);
  CHECK_INT (oci_cap_from_name ("CAP_BPF"), ==, 39);
  CHECK_INT (oci_cap_from_name ("CAP_CHECKPOINT_RESTORE"), ==, 40);
  CHECK_STR (oci_cap_name (40), "CAP_CHECKPOINT_RESTORE");
  CHECK_INT (oci_cap_from_name ("CAP_"), ==, -1);
  CHECK_INT (oci_cap_from_name ("CAP_SYS_ADMINX"), ==, -1);
  CHECK_INT (oci_cap_from_name (""), ==, -1);
  CHECK_INT (oci_cap_from_name (NULL), ==, -1);
}

static void
test_cap_last_cap (void)
{
  int fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  REQUIRE (fd >= 0);
  char buf[16] = { 0 };
  CHECK (read (fd, buf, sizeof buf - 1) > 0);
  close (fd);
  CHECK_INT (oci_cap_last_cap (), ==, atoi (buf));
  CHECK_INT (oci_cap_last_cap (), ==, atoi (buf)); /* cached */
}

static void
test_rlimits (void)
{
  static const struct
  {
    const char *n;
    int v;
  } t[] = {
    { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_FSIZE", RLIMIT_FSIZE },
    { "RLIMIT_DATA", RLIMIT_DATA },       { "RLIMIT_STACK", RLIMIT_STACK },
    { "RLIMIT_CORE", RLIMIT_CORE },       { "RLIMIT_RSS", RLIMIT_RSS },
    { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
    { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
    { "RLIMIT_LOCKS", RLIMIT_LOCKS },     { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
    { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
    { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  };
  CHECK_INT (ARRAY_SIZE (t), ==, RLIMIT_NLIMITS);
  for (size_t i = 0; i < ARRAY_SIZE (t); i++)
    {
      CHECK_INT (oci_rlimit_from_name (t[i].n), ==, t[i].v);
      CHECK_STR (oci_rlimit_name (t[i].v), t[i].n);
    }
  CHECK_INT (oci_rlimit_from_name ("rlimit_nofile"), ==, RLIMIT_NOFILE);
  CHECK_INT (oci_rlimit_from_name ("NOFILE"), ==, -1);
  CHECK_INT (oci_rlimit_from_name ("RLIMIT_FOO"), ==, -1);
  CHECK (oci_rlimit_name (99) == NULL);
}

static void
test_signals (void)
{
  static const struct
  {
    const char *n;
    int v;
  } t[] = {
    { "KILL", SIGKILL },     { "SIGKILL", SIGKILL }, { "9", SIGKILL },      { "sigterm", SIGTERM },
    { "term", SIGTERM },     { "SigHup", SIGHUP },   { "15", SIGTERM },     { "SIGUSR1", SIGUSR1 },
    { "USR2", SIGUSR2 },     { "SIGCHLD", SIGCHLD }, { "CLD", SIGCHLD },    { "SIGWINCH", SIGWINCH },
    { "SIGIOT", SIGABRT },   { "SIGPWR", SIGPWR },   { "SIGSYS", SIGSYS },   { "STOP", SIGSTOP },
    { "CONT", SIGCONT },     { "1", 1 },             { "64", 64 },
    { "KILLX", -1 },         { "SIG", -1 },          { "", -1 },            { "0", -1 },
    { "65", -1 },            { "-9", -1 },           { "9x", -1 },          { "1000000000000", -1 },
    { "SIGRTMIN+", -1 },     { "SIGRTMIN+99", -1 },  { "SIGRTMIN-1", -1 },  { "SIGRTMAX+1", -1 },
  };
  for (size_t i = 0; i < ARRAY_SIZE (t); i++)
    {
      int got = oci_signal_from_name (t[i].n);
      if (got != t[i].v)
        printf ("#   signal `%s`: %d, want %d\n", t[i].n, got, t[i].v);
      CHECK_INT (got, ==, t[i].v);
    }
  CHECK_INT (oci_signal_from_name ("SIGRTMIN"), ==, SIGRTMIN);
  CHECK_INT (oci_signal_from_name ("SIGRTMIN+3"), ==, SIGRTMIN + 3);
  CHECK_INT (oci_signal_from_name ("rtmin+1"), ==, SIGRTMIN + 1);
  CHECK_INT (oci_signal_from_name ("SIGRTMAX"), ==, SIGRTMAX);
  CHECK_INT (oci_signal_from_name ("SIGRTMAX-2"), ==, SIGRTMAX - 2);
  CHECK_INT (oci_signal_from_name (NULL), ==, -1);
}

static void
test_namespaces (void)
{
  static const struct
  {
    enum oci_ns_type t;
    const char *n;
    int flag;
  } t[] = {
    { OCI_NS_PID, "pid", CLONE_NEWPID },         { OCI_NS_NETWORK, "network", CLONE_NEWNET },
    { OCI_NS_MOUNT, "mount", CLONE_NEWNS },      { OCI_NS_IPC, "ipc", CLONE_NEWIPC },
    { OCI_NS_UTS, "uts", CLONE_NEWUTS },         { OCI_NS_USER, "user", CLONE_NEWUSER },
    { OCI_NS_CGROUP, "cgroup", CLONE_NEWCGROUP }, { OCI_NS_TIME, "time", 0x80 },
  };
  CHECK_INT (ARRAY_SIZE (t), ==, OCI_NS_COUNT);
  for (size_t i = 0; i < ARRAY_SIZE (t); i++)
    {
      CHECK_STR (oci_ns_type_name (t[i].t), t[i].n);
      CHECK_INT (oci_ns_type_from_name (t[i].n), ==, (int) t[i].t);
      CHECK_INT (oci_ns_clone_flag (t[i].t), ==, t[i].flag);
    }
  CHECK (oci_ns_type_name (OCI_NS_COUNT) == NULL);
  CHECK_INT (oci_ns_clone_flag (OCI_NS_COUNT), ==, 0);
  CHECK_INT (oci_ns_type_from_name ("net"), ==, -1);
  CHECK_INT (oci_ns_type_from_name ("PID"), ==, -1);
}

int
main (void)
{
  RUN (test_caps);
  RUN (test_cap_last_cap);
  RUN (test_rlimits);
  RUN (test_signals);
  RUN (test_namespaces);
  return tap_done ();
}
