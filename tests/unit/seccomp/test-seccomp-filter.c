/* test-seccomp-filter.c - compiled profiles loaded into forked children do
 * what the profile says: errnos, default errno, argument conditions, every
 * action, notify with the listener handed to a unix socket. */
#include "helpers.h"

#include "base/cleanup.h"
#include "base/fs.h"

#include <fcntl.h>
#include <stddef.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

static char tmpdir[] = "/tmp/hull-test-seccomp.XXXXXX";

/* ------------------------------------------------------------ errno */

static int
body_mkdir_eacces (int listener, void *arg)
{
  char p[128];
  snprintf (p, sizeof p, "%s/denied", tmpdir);
  errno = 0;
  CHILD_EXPECT (mkdir (p, 0700) < 0 && errno == EACCES);
  CHILD_EXPECT (syscall (SYS_getpid) > 0);
  /* rmdir is not in the profile: it reaches the kernel */
  CHILD_EXPECT (rmdir (p) < 0 && errno == ENOENT);
  return 0;
}

static void
test_errno_ret (void)
{
  struct seccomp_filter *f = filter_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\","
      "\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}");
  REQUIRE (f != NULL);
  CHECK_INT (f->notify, ==, 0);
  CHECK_EXITED_OK (run_filtered (f, body_mkdir_eacces, NULL));
  char p[128];
  snprintf (p, sizeof p, "%s/denied", tmpdir);
  CHECK (access (p, F_OK) < 0); /* really not created */
  seccomp_filter_free (f);
}

static int
body_default_errno (int listener, void *arg)
{
  int want = *(int *)arg;
  CHILD_EXPECT (syscall (SYS_getpid) > 0);
  errno = 0;
  CHILD_EXPECT (syscall (SYS_getppid) < 0 && errno == want);
  errno = 0;
  CHILD_EXPECT (syscall (SYS_umask, 022) < 0 && errno == want);
  return 0;
}

/* write and exit must stay allowed for the child to report and end; memory
 * management too, for sanitizer runtimes that map memory lazily */
#define ESSENTIAL                                                                                  \
  "\"write\",\"exit\",\"exit_group\",\"rt_sigreturn\",\"getpid\",\"mmap\","                        \
  "\"munmap\",\"mprotect\",\"madvise\",\"brk\",\"sigaltstack\""

static void
test_default_errno_ret (void)
{
  struct seccomp_filter *f = filter_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":95,"
      "\"syscalls\":[{\"names\":[" ESSENTIAL "],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  REQUIRE (f != NULL);
  int want = EOPNOTSUPP;
  CHECK_EXITED_OK (run_filtered (f, body_default_errno, &want));
  seccomp_filter_free (f);

  /* no defaultErrnoRet: EPERM */
  f = filter_from_text ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[" ESSENTIAL
                        "],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  REQUIRE (f != NULL);
  want = EPERM;
  CHECK_EXITED_OK (run_filtered (f, body_default_errno, &want));
  seccomp_filter_free (f);
}

/* -------------------------------------------------- argument conditions */

struct op_case
{
  const char *op;
  unsigned long long value, value_two;
  unsigned long long denied[3], allowed[3]; /* 0-terminated... value 0 unused */
};

static int
body_umask_cases (int listener, void *arg)
{
  const struct op_case *c = arg;
  for (int i = 0; i < 3 && c->denied[i]; i++)
    {
      errno = 0;
      CHILD_EXPECT (syscall (SYS_umask, (unsigned long)c->denied[i]) < 0 && errno == 77);
    }
  for (int i = 0; i < 3 && c->allowed[i]; i++)
    CHILD_EXPECT (syscall (SYS_umask, (unsigned long)c->allowed[i]) >= 0);
  return 0;
}

/* umask(2) takes any number and has no effect outside the child: a good
 * probe for comparisons on a full 64-bit argument. */
static void
test_arg_ops (void)
{
  static const struct op_case cases[] = {
    { "SCMP_CMP_NE", 5, 0, { 6, 4, 0x100000005ULL }, { 5 } },
    { "SCMP_CMP_LT", 5, 0, { 4, 1 }, { 5, 6, 0x100000000ULL } },
    { "SCMP_CMP_LE", 5, 0, { 5, 4 }, { 6, 0x100000000ULL } },
    { "SCMP_CMP_EQ", 5, 0, { 5 }, { 4, 6, 0x100000005ULL } },
    { "SCMP_CMP_EQ", 0x100000005ULL, 0, { 0x100000005ULL }, { 5 } },
    { "SCMP_CMP_GE", 5, 0, { 5, 6, 0x100000000ULL }, { 4, 1 } },
    { "SCMP_CMP_GT", 5, 0, { 6, 0x100000000ULL }, { 5, 4 } },
    /* (arg & 0x70) == 0x20 */
    { "SCMP_CMP_MASKED_EQ", 0x70, 0x20, { 0x20, 0x2f, 0x1a0 }, { 0x10, 0x30, 0x70 } },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      char text[512];
      snprintf (text, sizeof text,
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":["
                "\"umask\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":77,\"args\":"
                "[{\"index\":0,\"op\":\"%s\",\"value\":%llu,\"valueTwo\":%llu}]}]}",
                cases[i].op, cases[i].value, cases[i].value_two);
      struct seccomp_filter *f = filter_from_text (text);
      REQUIRE (f != NULL);
      int st = run_filtered (f, body_umask_cases, (void *)&cases[i]);
      if (!(WIFEXITED (st) && WEXITSTATUS (st) == 0))
        printf ("#   case %zu: %s %llu\n", i, cases[i].op, cases[i].value);
      CHECK_EXITED_OK (st);
      seccomp_filter_free (f);
    }
}

static int
body_personality (int listener, void *arg)
{
  int cur = personality (0xffffffff);
  CHILD_EXPECT (cur >= 0);
  errno = 0;
  CHILD_EXPECT (personality (PER_LINUX32) < 0 && errno == EINVAL);
  errno = 0;
  CHILD_EXPECT (personality (PER_LINUX) < 0 && errno == EINVAL);
  CHILD_EXPECT (personality (0xffffffff) == cur); /* unchanged */
  return 0;
}

static void
test_personality_query_only (void)
{
  struct seccomp_filter *f = filter_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"],"
      "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":22,\"args\":[{\"index\":0,"
      "\"value\":4294967295,\"op\":\"SCMP_CMP_NE\"}]}]}");
  REQUIRE (f != NULL);
  CHECK_EXITED_OK (run_filtered (f, body_personality, NULL));
  seccomp_filter_free (f);
}

static int
body_unshare (int listener, void *arg)
{
  errno = 0;
  CHILD_EXPECT (unshare (CLONE_NEWUSER) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0 && errno == EPERM);
  CHILD_EXPECT (unshare (CLONE_NEWNS) == 0); /* bit clear: allowed */
  return 0;
}

static void
test_masked_eq_flags (void)
{
  /* deny unshare when (flags & CLONE_NEWUSER) == CLONE_NEWUSER */
  char text[512];
  snprintf (text, sizeof text,
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"unshare\"],"
            "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":%d,"
            "\"valueTwo\":%d,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
            CLONE_NEWUSER, CLONE_NEWUSER);
  struct seccomp_filter *f = filter_from_text (text);
  REQUIRE (f != NULL);
  CHECK_EXITED_OK (run_filtered (f, body_unshare, NULL));
  seccomp_filter_free (f);
}

static int
body_two_args (int listener, void *arg)
{
  errno = 0;
  CHILD_EXPECT (syscall (SYS_getpriority, PRIO_PROCESS, 999999) < 0 && errno == 77);
  /* one condition false: the kernel answers (no such process) */
  errno = 0;
  CHILD_EXPECT (syscall (SYS_getpriority, PRIO_PGRP, 999999) < 0 && errno == ESRCH);
  CHILD_EXPECT (syscall (SYS_getpriority, PRIO_PROCESS, 0) >= 0);
  return 0;
}

static void
test_conditions_on_two_args_are_anded (void)
{
  struct seccomp_filter *f = filter_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpriority\"],"
      "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":77,\"args\":["
      "{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
      "{\"index\":1,\"value\":999999,\"op\":\"SCMP_CMP_EQ\"}]}]}");
  REQUIRE (f != NULL);
  CHECK_EXITED_OK (run_filtered (f, body_two_args, NULL));
  seccomp_filter_free (f);
}

static int
body_same_arg (int listener, void *arg)
{
  /* umask >= 10 OR umask <= 2, each condition a rule of its own (runc and
   * crun semantics), so 1 and 20 are denied, 5 is not */
  errno = 0;
  CHILD_EXPECT (syscall (SYS_umask, 20) < 0 && errno == 77);
  errno = 0;
  CHILD_EXPECT (syscall (SYS_umask, 1) < 0 && errno == 77);
  CHILD_EXPECT (syscall (SYS_umask, 5) >= 0);
  return 0;
}

static void
test_conditions_on_same_arg (void)
{
  /* libseccomp itself refuses this rule as one */
  struct seccomp_filter *f = filter_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"umask\"],"
      "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":77,\"args\":["
      "{\"index\":0,\"value\":10,\"op\":\"SCMP_CMP_GE\"},"
      "{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_LE\"}]}]}");
  REQUIRE (f != NULL);
  CHECK_EXITED_OK (run_filtered (f, body_same_arg, NULL));
  seccomp_filter_free (f);
}

/* ---------------------------------------------------------------- actions */

static int
body_getppid (int listener, void *arg)
{
  syscall (SYS_getppid);
  return 0; /* not reached when the action kills */
}

static void
test_kill_actions (void)
{
  static const char *const actions[]
      = { "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" };
  for (size_t i = 0; i < ARRAY_SIZE (actions); i++)
    {
      char text[256];
      snprintf (text, sizeof text,
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                "[\"getppid\"],\"action\":\"%s\"}]}",
                actions[i]);
      struct seccomp_filter *f = filter_from_text (text);
      REQUIRE (f != NULL);
      int st = run_filtered (f, body_getppid, NULL);
      if (!(WIFSIGNALED (st) && WTERMSIG (st) == SIGSYS))
        printf ("#   %s: status 0x%x\n", actions[i], st);
      CHECK (WIFSIGNALED (st) && WTERMSIG (st) == SIGSYS);
      seccomp_filter_free (f);
    }
}

static volatile sig_atomic_t trapped_nr = -1, trapped_code = -1, trapped_data = -1;

static void
on_sigsys (int sig, siginfo_t *si, void *uc)
{
  trapped_nr = si->si_syscall;
  trapped_code = si->si_code;
  trapped_data = si->si_errno; /* SECCOMP_RET_DATA */
}

static int
body_trap (int listener, void *arg)
{
  syscall (SYS_getppid);
  CHILD_EXPECT (trapped_nr == SYS_getppid);
  CHILD_EXPECT (trapped_code == 1 /* SYS_SECCOMP */);
  return 0;
}

static void
test_trap (void)
{
  struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
  struct sigaction old;
  sigaction (SIGSYS, &sa, &old); /* inherited by the child */
  struct seccomp_filter *f = filter_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
      "\"action\":\"SCMP_ACT_TRAP\"}]}");
  REQUIRE (f != NULL);
  CHECK_EXITED_OK (run_filtered (f, body_trap, NULL));
  sigaction (SIGSYS, &old, NULL);
  seccomp_filter_free (f);
}

static int
body_trace (int listener, void *arg)
{
  /* SECCOMP_RET_TRACE with no tracer attached: the syscall fails, ENOSYS */
  errno = 0;
  CHILD_EXPECT (syscall (SYS_getppid) < 0 && errno == ENOSYS);
  CHILD_EXPECT (syscall (SYS_getpid) > 0);
  return 0;
}

static void
test_trace (void)
{
  struct seccomp_filter *f = filter_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
      "\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":42}]}");
  REQUIRE (f != NULL);
  CHECK_EXITED_OK (run_filtered (f, body_trace, NULL));
  seccomp_filter_free (f);
}

static int
body_log (int listener, void *arg)
{
  pid_t want = *(pid_t *)arg;
  CHILD_EXPECT (syscall (SYS_getppid) == want); /* LOG lets it run */
  errno = 0;
  CHILD_EXPECT (syscall (SYS_umask, 022) < 0 && errno == EPERM);
  return 0;
}

static void
test_log (void)
{
  struct seccomp_filter *f = filter_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\","
      "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_TSYNC\"],\"syscalls\":[{\"names\":"
      "[" ESSENTIAL "],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"getppid\"],"
      "\"action\":\"SCMP_ACT_LOG\"}]}");
  REQUIRE (f != NULL);
  CHECK_INT (f->flags, ==, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
  pid_t me = getpid ();
  CHECK_EXITED_OK (run_filtered (f, body_log, &me));
  seccomp_filter_free (f);
}

/* ----------------------------------------------------------------- notify */

static char sock_path[108];

static int
body_notify (int listener, void *arg)
{
  CHILD_EXPECT (listener >= 0);
  /* the runtime would pass the fd to its parent; here the child sends it
   * itself, with the library function the runtime uses */
  char state[160];
  snprintf (state, sizeof state,
            "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":%d,"
            "\"bundle\":\"/b\"}",
            (int)getpid ());
  char *payload = NULL;
  struct error *err = NULL;
  CHILD_EXPECT (seccomp_listener_payload ("meta=1", getpid (), state, &payload, &err) == 0);
  CHILD_EXPECT (seccomp_send_listener (sock_path, listener, payload, &err) == 0);
  free (payload);
  close (listener);
  /* mkdir now waits for the agent, which answers EXDEV */
  errno = 0;
  CHILD_EXPECT (mkdir ("/nonexistent-hull/x", 0700) < 0 && errno == EXDEV);
  return 0;
}

static int
recv_fd (int conn, char *buf, size_t size, size_t *len)
{
  union
  {
    char b[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = { buf, size - 1 };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
  ssize_t n = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  if (n <= 0)
    return -1;
  int fd = -1;
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
    memcpy (&fd, CMSG_DATA (c), sizeof fd);
  *len = (size_t)n;
  /* the rest of the payload, if it came in several pieces */
  while (*len < size - 1 && (n = read (conn, buf + *len, size - 1 - *len)) > 0)
    *len += (size_t)n;
  buf[*len] = '\0';
  return fd;
}

static void
test_notify (void)
{
  snprintf (sock_path, sizeof sock_path, "%s/agent.sock", tmpdir);
  _cleanup_close_ int srv = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  strcpy (sun.sun_path, sock_path);
  REQUIRE (bind (srv, (struct sockaddr *)&sun, sizeof sun) == 0);
  REQUIRE (listen (srv, 1) == 0);

  char text[512];
  snprintf (
      text, sizeof text,
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"%s\","
      "\"listenerMetadata\":\"meta=1\",\"flags\":[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
      "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
      sock_path);
  struct seccomp_filter *f = filter_from_text (text);
  REQUIRE (f != NULL);
  CHECK (f->notify);
  CHECK (f->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);

  fflush (stdout);
  pid_t pid = fork ();
  REQUIRE (pid >= 0);
  if (pid == 0)
    {
      close (srv);
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      int l = seccomp_filter_load (f);
      if (l == -EINVAL)
        {
          /* kernels before 5.19 lack WAIT_KILLABLE_RECV */
          struct seccomp_filter g = *f;
          g.flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
          l = seccomp_filter_load (&g);
        }
      _exit (l < 0 ? 121 : body_notify (l, NULL));
    }

  /* the agent's side */
  _cleanup_close_ int conn = accept4 (srv, NULL, NULL, SOCK_CLOEXEC);
  CHECK (conn >= 0);
  char buf[1024];
  size_t len = 0;
  _cleanup_close_ int lfd = conn >= 0 ? recv_fd (conn, buf, sizeof buf, &len) : -1;
  CHECK (lfd >= 0);
  if (lfd >= 0)
    {
      json_object *o = json_tokener_parse (buf);
      json_object *v;
      CHECK (o != NULL);
      CHECK (json_object_object_get_ex (o, "fds", &v) && json_object_array_length (v) == 1
             && strcmp (json_object_get_string (json_object_array_get_idx (v, 0)), "seccompFd")
                    == 0);
      CHECK (json_object_object_get_ex (o, "pid", &v) && json_object_get_int (v) == pid);
      CHECK (json_object_object_get_ex (o, "metadata", &v)
             && strcmp (json_object_get_string (v), "meta=1") == 0);
      CHECK (json_object_object_get_ex (o, "ociVersion", &v));
      CHECK (json_object_object_get_ex (o, "state", &v) && json_object_object_get_ex (v, "id", &v)
             && strcmp (json_object_get_string (v), "c1") == 0);
      json_object_put (o);

      struct seccomp_notif req;
      memset (&req, 0, sizeof req);
      int r = ioctl (lfd, SECCOMP_IOCTL_NOTIF_RECV, &req);
      CHECK_INT (r, ==, 0);
      CHECK_INT (req.data.nr, ==, SYS_mkdir);
      CHECK_INT (req.pid, ==, pid);
      struct seccomp_notif_resp resp = { .id = req.id, .error = -EXDEV };
      CHECK_INT (ioctl (lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), ==, 0);
    }
  else
    kill (pid, SIGKILL);
  int st;
  waitpid (pid, &st, 0);
  CHECK_EXITED_OK (st);
  unlink (sock_path);
  seccomp_filter_free (f);
}

static void
test_send_listener_errors (void)
{
  struct error *err = NULL;
  char p[160];
  snprintf (p, sizeof p, "%s/no-agent.sock", tmpdir);
  CHECK_INT (seccomp_send_listener (p, 0, "{}", &err), ==, -ENOENT);
  CHECK (err && strstr (err->msg, "no-agent.sock"));
  error_free (err);
  err = NULL;
  char longp[200];
  memset (longp, 'a', sizeof longp - 1);
  longp[sizeof longp - 1] = '\0';
  CHECK (seccomp_send_listener (longp, 0, "{}", &err) < 0);
  error_free (err);
}

static void
test_notify_checks (void)
{
  struct error *err = NULL;
  struct seccomp_filter *f = NULL;
  /* no agent to answer: refused (the parser refuses it in config.json;
   * the compiler checks profiles built in memory too) */
  struct oci_seccomp *s = profile_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x.sock\",\"syscalls\":"
      "[{\"names\":[\"keyctl\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}");
  REQUIRE (s != NULL);
  free (s->listener_path);
  s->listener_path = NULL;
  CHECK_INT (seccomp_filter_compile (s, NULL, &f, &err), ==, -EINVAL);
  CHECK (err && strstr (err->msg, "listenerPath"));
  error_free (err);
  err = NULL;
  profile_free (s);
  /* the handover's own syscalls cannot be notified */
  const char *needed[] = { "sendmsg", "recvmsg" };
  for (size_t i = 0; i < 2; i++)
    {
      char text[400];
      snprintf (text, sizeof text,
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x.sock\","
                "\"syscalls\":[{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\"},"
                "{\"names\":[\"close\",\"%s\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
                needed[i]);
      s = profile_from_text (text);
      REQUIRE (s != NULL);
      CHECK_INT (seccomp_notify_check (s, &err), ==, -EINVAL);
      CHECK (err && strstr (err->msg, needed[i]) && strstr (err->msg, "syscalls[1]"));
      error_free (err);
      err = NULL;
      profile_free (s);
    }
  /* close, write, anything else: fine */
  s = profile_from_text ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x.sock\","
                         "\"syscalls\":[{\"names\":[\"close\",\"write\"],"
                         "\"action\":\"SCMP_ACT_NOTIFY\"}]}");
  REQUIRE (s != NULL);
  CHECK_INT (seccomp_notify_check (s, &err), ==, 0);
  profile_free (s);
  /* without NOTIFY nothing is asked */
  s = profile_from_text ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                         "[\"sendmsg\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
  REQUIRE (s != NULL);
  CHECK_INT (seccomp_notify_check (s, &err), ==, 0);
  profile_free (s);
}

static void
test_send_listener_abstract (void)
{
  /* "@name": the abstract socket "\0name", no file */
  char name[64];
  snprintf (name, sizeof name, "@hull-test-agent-%d", (int) getpid ());
  int srv = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  size_t n = strlen (name);
  memcpy (sa.sun_path, name, n);
  sa.sun_path[0] = '\0';
  REQUIRE (srv >= 0);
  REQUIRE (bind (srv, (struct sockaddr *) &sa, (socklen_t) (offsetof (struct sockaddr_un, sun_path) + n)) == 0);
  REQUIRE (listen (srv, 1) == 0);
  int pipefd[2];
  REQUIRE (pipe2 (pipefd, O_CLOEXEC) == 0);
  struct error *err = NULL;
  CHECK_INT (seccomp_send_listener (name, pipefd[0], "{\"x\":1}", &err), ==, 0);
  int c = accept4 (srv, NULL, NULL, SOCK_CLOEXEC);
  REQUIRE (c >= 0);
  char buf[64] = "";
  union
  {
    char b[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = { buf, sizeof buf - 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
                       .msg_controllen = sizeof ctl.b };
  CHECK (recvmsg (c, &mh, 0) > 0);
  CHECK_STR (buf, "{\"x\":1}");
  struct cmsghdr *cm = CMSG_FIRSTHDR (&mh);
  CHECK (cm && cm->cmsg_type == SCM_RIGHTS);
  if (cm)
    {
      int got;
      memcpy (&got, CMSG_DATA (cm), sizeof got);
      close (got);
    }
  close (c);
  close (srv);
  close (pipefd[0]);
  close (pipefd[1]);
  /* "@" alone names nothing */
  CHECK_INT (seccomp_send_listener ("@", 0, "{}", &err), ==, -EINVAL);
  error_free (err);
}

/* ----------------------------------------------------------- compilation */

static int
body_unknown_skipped (int listener, void *arg)
{
  errno = 0;
  CHILD_EXPECT (mkdir ("/nonexistent-hull/x", 0700) < 0 && errno == EACCES);
  return 0;
}

static void
test_unknown_names_skipped (void)
{
  struct seccomp_filter *f
      = filter_from_text ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":["
                          "\"hull_no_such_syscall\",\"mkdir\",\"another_unknown\"],\"action\":"
                          "\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}");
  REQUIRE (f != NULL);
  CHECK_EXITED_OK (run_filtered (f, body_unknown_skipped, NULL));
  seccomp_filter_free (f);
}

static int
body_default_rule (int listener, void *arg)
{
  errno = 0;
  CHILD_EXPECT (syscall (SYS_getppid) < 0 && errno == EPERM);
  CHILD_EXPECT (syscall (SYS_getpid) > 0);
  return 0;
}

static void
test_rule_equal_to_default_skipped (void)
{
  /* libseccomp refuses a rule whose action is the default one */
  struct seccomp_filter *f = filter_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[" ESSENTIAL
      "],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"getppid\"],"
      "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}");
  REQUIRE (f != NULL);
  CHECK_EXITED_OK (run_filtered (f, body_default_rule, NULL));
  seccomp_filter_free (f);
}

static int
body_enosys (int listener, void *arg)
{
  /* above every syscall the profile names: ENOSYS, so a libc falls back */
  errno = 0;
  CHILD_EXPECT (syscall (1000) < 0 && errno == ENOSYS);
  /* below it and not allowed: the default errno */
  errno = 0;
  CHILD_EXPECT (syscall (SYS_getppid) < 0 && errno == EPERM);
  CHILD_EXPECT (syscall (SYS_getpid) > 0);
  return 0;
}

static void
test_enosys_for_newer_syscalls (void)
{
  struct seccomp_filter *f = filter_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[" ESSENTIAL
      ",\"openat\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  REQUIRE (f != NULL);
  CHECK_EXITED_OK (run_filtered (f, body_enosys, NULL));
  seccomp_filter_free (f);
}

static void
test_other_architectures (void)
{
  struct seccomp_filter *f = filter_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","
      "\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[" ESSENTIAL
      ",\"chown32\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  REQUIRE (f != NULL);
  int want = EPERM;
  CHECK_EXITED_OK (run_filtered (f, body_default_errno, &want));
  seccomp_filter_free (f);

  /* runtime-spec names an arch this libseccomp lacks: a clear error */
  struct oci_seccomp *s = profile_from_text (
      "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_SHEB\"]}");
  REQUIRE (s != NULL);
  struct error *err = NULL;
  CHECK (seccomp_filter_compile (s, NULL, &f, &err) < 0);
  CHECK (err && strstr (err->msg, "`SCMP_ARCH_SHEB` is not supported by libseccomp"));
  error_free (err);
  profile_free (s);
}

static void
test_too_long_program (void)
{
  /* 700 rules of six comparisons each do not fit in the kernel's 4096
   * instructions */
  enum
  {
    N = 700
  };
  size_t cap = N * 400 + 200, off = 0;
  char *text = malloc (cap);
  off += (size_t)snprintf (text + off, cap - off,
                           "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[");
  for (int i = 0; i < N; i++)
    {
      off += (size_t)snprintf (text + off, cap - off,
                               "%s{\"names\":[\"umask\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[",
                               i ? "," : "");
      for (int a = 0; a < 6; a++)
        off += (size_t)snprintf (text + off, cap - off,
                                 "%s{\"index\":%d,\"value\":%d,\"op\":\"SCMP_CMP_EQ\"}",
                                 a ? "," : "", a, i * 7 + a);
      off += (size_t)snprintf (text + off, cap - off, "]}");
    }
  snprintf (text + off, cap - off, "]}");
  struct oci_seccomp *s = profile_from_text (text);
  free (text);
  REQUIRE (s != NULL);
  struct seccomp_filter *f = NULL;
  struct error *err = NULL;
  CHECK_INT (seccomp_filter_compile (s, NULL, &f, &err), ==, -E2BIG);
  CHECK (err && strstr (err->msg, "at most 4096"));
  if (f)
    printf ("#   compiled to %zu instructions\n", f->n_insns);
  seccomp_filter_free (f);
  error_free (err);
  profile_free (s);
}

static void
test_load_rejects_bad_filter (void)
{
  struct seccomp_filter none = { 0 };
  CHECK_INT (seccomp_filter_load (&none), ==, -EINVAL);
  CHECK_INT (seccomp_filter_load (NULL), ==, -EINVAL);
  struct error *err = NULL;
  struct oci_seccomp absent = { 0 };
  struct seccomp_filter *f = NULL;
  CHECK (seccomp_filter_compile (&absent, NULL, &f, &err) < 0);
  error_free (err);
}

int
main (void)
{
  if (mkdtemp (tmpdir) == NULL)
    return 1;
  RUN (test_errno_ret);
  RUN (test_default_errno_ret);
  RUN (test_arg_ops);
  RUN (test_personality_query_only);
  RUN (test_masked_eq_flags);
  RUN (test_conditions_on_two_args_are_anded);
  RUN (test_conditions_on_same_arg);
  RUN (test_kill_actions);
  RUN (test_trap);
  RUN (test_trace);
  RUN (test_log);
  RUN (test_notify);
  RUN (test_send_listener_errors);
  RUN (test_notify_checks);
  RUN (test_send_listener_abstract);
  RUN (test_unknown_names_skipped);
  RUN (test_rule_equal_to_default_skipped);
  RUN (test_enosys_for_newer_syscalls);
  RUN (test_other_architectures);
  RUN (test_too_long_program);
  RUN (test_load_rejects_bad_filter);
  struct error *err = NULL;
  fs_rm_rf_at (AT_FDCWD, tmpdir, &err);
  error_free (err);
  return tap_done ();
}
