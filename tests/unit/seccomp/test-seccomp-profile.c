/* test-seccomp-profile.c - Docker-format profiles resolved per container,
 * and the shipped default profile doing in a real child what Docker's does:
 * namespaces, mounts, keyrings, AF_VSOCK... denied with Docker's default
 * capabilities, allowed where a capability says so. */
#include "helpers.h"

#include "base/cleanup.h"
#include "seccomp/profile.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#define CAP(n) (1ULL << (n))
enum
{
  CAP_DAC_READ_SEARCH_ = 2,
  CAP_SYS_CHROOT_ = 18,
  CAP_SYS_PTRACE_ = 19,
  CAP_SYS_ADMIN_ = 21,
};

static json_object *default_profile;

/* Does the resolved object have an entry with this name and action (and,
 * if index >= 0, an argument condition on that index)? */
static bool
has_rule (json_object *oci, const char *name, const char *action, int arg_index)
{
  json_object *calls;
  if (!json_object_object_get_ex (oci, "syscalls", &calls))
    return false;
  for (size_t i = 0; i < json_object_array_length (calls); i++)
    {
      json_object *e = json_object_array_get_idx (calls, i), *names, *act, *args;
      if (!json_object_object_get_ex (e, "names", &names)
          || !json_object_object_get_ex (e, "action", &act)
          || strcmp (json_object_get_string (act), action) != 0)
        continue;
      bool named = false;
      for (size_t j = 0; j < json_object_array_length (names); j++)
        if (strcmp (json_object_get_string (json_object_array_get_idx (names, j)), name) == 0)
          named = true;
      if (!named)
        continue;
      bool has_args = json_object_object_get_ex (e, "args", &args) && args
                      && json_object_array_length (args) > 0;
      if (arg_index < 0 && !has_args)
        return true;
      if (arg_index >= 0 && has_args)
        {
          json_object *idx;
          json_object_object_get_ex (json_object_array_get_idx (args, 0), "index", &idx);
          if (json_object_get_int (idx) == arg_index)
            return true;
        }
    }
  return false;
}

static json_object *
resolve_for (uint64_t caps, const char *arch, unsigned kmaj, unsigned kmin)
{
  json_object *out = NULL;
  struct error *err = NULL;
  if (seccomp_profile_resolve_for (default_profile, caps, arch, kmaj, kmin, &out, &err) < 0)
    {
      printf ("# resolve: %s\n", err->msg);
      error_free (err);
    }
  return out;
}

static void
test_default_profile_found (void)
{
  const char *p = seccomp_profile_default_path ();
  CHECK (p != NULL);
  printf ("# default profile: %s\n", p ? p : "(none)");
  CHECK (default_profile != NULL);
  CHECK_STR (seccomp_profile_native_arch (),
#if defined(__x86_64__)
             "amd64"
#elif defined(__aarch64__)
             "arm64"
#else
             seccomp_profile_native_arch ()
#endif
  );
}

static void
test_resolve_by_caps (void)
{
  REQUIRE (default_profile != NULL);
  uint64_t docker = seccomp_profile_docker_default_caps ();
  json_object *o = resolve_for (docker, "amd64", 6, 1);
  REQUIRE (o != NULL);
  json_object *v;
  CHECK (json_object_object_get_ex (o, "defaultAction", &v)
         && strcmp (json_object_get_string (v), "SCMP_ACT_ERRNO") == 0);
  CHECK (json_object_object_get_ex (o, "architectures", &v) && json_object_array_length (v) == 3
         && strcmp (json_object_get_string (json_object_array_get_idx (v, 0)), "SCMP_ARCH_X86_64")
                == 0);
  CHECK (!json_object_object_get_ex (o, "archMap", &v));
  CHECK (has_rule (o, "read", "SCMP_ACT_ALLOW", -1));
  CHECK (has_rule (o, "chroot", "SCMP_ACT_ALLOW", -1)); /* CAP_SYS_CHROOT */
  CHECK (!has_rule (o, "mount", "SCMP_ACT_ALLOW", -1)); /* no CAP_SYS_ADMIN */
  CHECK (!has_rule (o, "unshare", "SCMP_ACT_ALLOW", -1));
  CHECK (has_rule (o, "clone", "SCMP_ACT_ALLOW", 0)); /* flags checked */
  CHECK (!has_rule (o, "clone", "SCMP_ACT_ALLOW", -1));
  CHECK (has_rule (o, "clone3", "SCMP_ACT_ERRNO", -1));
  CHECK (has_rule (o, "ptrace", "SCMP_ACT_ALLOW", -1)); /* kernel >= 4.8 */
  CHECK (!has_rule (o, "kcmp", "SCMP_ACT_ALLOW", -1));
  CHECK (!has_rule (o, "open_by_handle_at", "SCMP_ACT_ALLOW", -1));
  CHECK (has_rule (o, "arch_prctl", "SCMP_ACT_ALLOW", -1)); /* amd64 */
  CHECK (!has_rule (o, "s390_runtime_instr", "SCMP_ACT_ALLOW", -1));
  /* no Docker-only keys survive */
  json_object *calls;
  json_object_object_get_ex (o, "syscalls", &calls);
  for (size_t i = 0; i < json_object_array_length (calls); i++)
    {
      json_object *e = json_object_array_get_idx (calls, i);
      CHECK (!json_object_object_get_ex (e, "includes", &v)
             && !json_object_object_get_ex (e, "excludes", &v)
             && !json_object_object_get_ex (e, "comment", &v));
    }
  json_object_put (o);

  o = resolve_for (docker | CAP (CAP_SYS_ADMIN_) | CAP (CAP_SYS_PTRACE_)
                       | CAP (CAP_DAC_READ_SEARCH_),
                   "amd64", 6, 1);
  REQUIRE (o != NULL);
  CHECK (has_rule (o, "mount", "SCMP_ACT_ALLOW", -1));
  CHECK (has_rule (o, "unshare", "SCMP_ACT_ALLOW", -1));
  CHECK (has_rule (o, "clone", "SCMP_ACT_ALLOW", -1));
  CHECK (!has_rule (o, "clone", "SCMP_ACT_ALLOW", 0));
  CHECK (!has_rule (o, "clone3", "SCMP_ACT_ERRNO", -1));
  CHECK (has_rule (o, "kcmp", "SCMP_ACT_ALLOW", -1));
  CHECK (has_rule (o, "open_by_handle_at", "SCMP_ACT_ALLOW", -1));
  json_object_put (o);

  /* without CAP_SYS_CHROOT: no chroot */
  o = resolve_for (docker & ~CAP (CAP_SYS_CHROOT_), "amd64", 6, 1);
  REQUIRE (o != NULL);
  CHECK (!has_rule (o, "chroot", "SCMP_ACT_ALLOW", -1));
  json_object_put (o);
}

static void
test_resolve_by_arch_and_kernel (void)
{
  REQUIRE (default_profile != NULL);
  json_object *o = resolve_for (0, "s390x", 6, 1);
  REQUIRE (o != NULL);
  CHECK (has_rule (o, "clone", "SCMP_ACT_ALLOW", 1)); /* flags are arg 1 there */
  CHECK (!has_rule (o, "clone", "SCMP_ACT_ALLOW", 0));
  CHECK (has_rule (o, "s390_runtime_instr", "SCMP_ACT_ALLOW", -1));
  CHECK (!has_rule (o, "arch_prctl", "SCMP_ACT_ALLOW", -1));
  json_object *v;
  CHECK (json_object_object_get_ex (o, "architectures", &v) && json_object_array_length (v) == 2
         && strcmp (json_object_get_string (json_object_array_get_idx (v, 1)), "SCMP_ARCH_S390")
                == 0);
  json_object_put (o);

  /* ptrace only from 4.8 on (before, it could be used to bypass seccomp) */
  o = resolve_for (0, "amd64", 4, 4);
  REQUIRE (o != NULL);
  CHECK (!has_rule (o, "ptrace", "SCMP_ACT_ALLOW", -1));
  json_object_put (o);
  o = resolve_for (0, "amd64", 4, 8);
  REQUIRE (o != NULL);
  CHECK (has_rule (o, "ptrace", "SCMP_ACT_ALLOW", -1));
  json_object_put (o);

  /* an architecture missing from archMap: native only */
  o = resolve_for (0, "ppc64le", 6, 1);
  REQUIRE (o != NULL);
  CHECK (!json_object_object_get_ex (o, "architectures", &v));
  CHECK (has_rule (o, "swapcontext", "SCMP_ACT_ALLOW", -1));
  json_object_put (o);
}

static void
test_oci_profile_as_is (void)
{
  const char *text
      = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
        "\"architectures\":[\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
        "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{"
        "\"index\":1,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]}]}";
  _cleanup_json_ json_object *in = json_tokener_parse (text);
  json_object *out = NULL;
  struct error *err = NULL;
  CHECK_INT (seccomp_profile_resolve (in, 0, &out, &err), ==, 0);
  REQUIRE (out != NULL);
  CHECK (json_object_equal (in, out));
  json_object_put (out);

  /* Docker's old format: `name` and `architectures` */
  _cleanup_json_ json_object *old = json_tokener_parse (
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
      "\"syscalls\":[{\"name\":\"read\",\"action\":\"SCMP_ACT_ALLOW\",\"args\":[]}]}");
  CHECK_INT (seccomp_profile_resolve (old, 0, &out, &err), ==, 0);
  REQUIRE (out != NULL);
  CHECK (has_rule (out, "read", "SCMP_ACT_ALLOW", -1));
  json_object_put (out);
}

static const struct
{
  const char *json;
  const char *msg;
} bad[] = {
  { "[]", "a seccomp profile must be a JSON object" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_"
    "ALLOW\"},"
    "{\"names\":[\"b\"],\"action\":\"SCMP_ACT_ALOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]"
    "}",
    "`syscalls[1].action`: unknown action `SCMP_ACT_ALOW`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"name\":\"a\",\"names\":[\"a\"],"
    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "`syscalls[0]`: both `name` and `names` are given" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_"
    "ALLOW\",\"includes\":[]}]}",
    "`syscalls[0].includes` must be an object" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_"
    "ALLOW\",\"excludes\":{\"caps\":\"CAP_SYS_ADMIN\"}}]}",
    "`syscalls[0].excludes.caps` must be an array" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_"
    "ALLOW\",\"includes\":{\"arches\":[1]}}]}",
    "`syscalls[0].includes.arches[0]` must be a string" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_"
    "ALLOW\",\"includes\":{\"minKernel\":\"4\"}}]}",
    "`syscalls[0].includes.minKernel` must be a kernel version such as \"4.8\"" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_"
    "ALLOW\",\"excludes\":{\"minKernel\":\"0.0\"}}]}",
    "`syscalls[0].excludes.minKernel` must be a kernel version such as \"4.8\"" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\"],\"archMap\":[{"
    "\"architecture\":\"SCMP_ARCH_X86_64\"}]}",
    "both `architectures` and `archMap` are given" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"arch\":\"SCMP_ARCH_X86_64\"}]}",
    "`archMap[0].architecture` must be a string" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":{}}", "`archMap` must be an array" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}", "`syscalls` must be an array" },
  { "{\"syscalls\":[]}", "`defaultAction` is required" },
};

static void
test_errors (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      _cleanup_json_ json_object *in = json_tokener_parse (bad[i].json);
      json_object *out = NULL;
      struct error *err = NULL;
      int r = seccomp_profile_resolve (in, ~0ULL, &out, &err);
      if (r >= 0 || err == NULL || strcmp (err->msg, bad[i].msg) != 0)
        printf ("#   case %zu:\n#     got  %s\n#     want %s\n", i, err ? err->msg : "(no error)",
                bad[i].msg);
      CHECK (r < 0 && out == NULL);
      CHECK (err && strcmp (err->msg, bad[i].msg) == 0);
      error_free (err);
    }
}

/* ------------------------------------------- the default profile, loaded */

static struct seccomp_filter *
default_filter (uint64_t caps)
{
  json_object *oci = NULL;
  struct error *err = NULL;
  struct oci_seccomp s;
  struct seccomp_filter *f = NULL;
  if (seccomp_profile_resolve (default_profile, caps, &oci, &err) < 0
      || oci_seccomp_parse (oci, &s, &err) < 0)
    {
      printf ("# %s\n", err->msg);
      error_free (err);
      json_object_put (oci);
      return NULL;
    }
  json_object_put (oci);
  if (seccomp_filter_compile (&s, NULL, &f, &err) < 0)
    {
      printf ("# %s\n", err->msg);
      error_free (err);
    }
  oci_seccomp_clear (&s);
  return f;
}

static int
body_docker_default (int listener, void *arg)
{
  /* everyday syscalls */
  CHILD_EXPECT (syscall (SYS_getpid) > 0);
  int fd = open ("/proc/self/status", O_RDONLY | O_CLOEXEC);
  CHILD_EXPECT (fd >= 0);
  close (fd);
  pid_t pid = fork (); /* clone without namespace flags */
  CHILD_EXPECT (pid >= 0);
  if (pid == 0)
    _exit (0);
  int st;
  CHILD_EXPECT (waitpid (pid, &st, 0) == pid && WIFEXITED (st));
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHILD_EXPECT (fd >= 0);
  close (fd);
  CHILD_EXPECT (personality (0xffffffff) >= 0);
  CHILD_EXPECT (personality (PER_LINUX) >= 0);
  /* chroot is allowed (CAP_SYS_CHROOT): the kernel answers */
  errno = 0;
  CHILD_EXPECT (chroot ("/nonexistent-hull") < 0 && errno == ENOENT);

  /* what Docker's default denies */
  errno = 0;
  CHILD_EXPECT (unshare (CLONE_NEWUSER) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (unshare (CLONE_NEWNS) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (syscall (SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0) < 0 && errno == EPERM);
  errno = 0; /* clone3: ENOSYS, so that libc falls back to clone */
  CHILD_EXPECT (syscall (SYS_clone3, NULL, 0) < 0 && errno == ENOSYS);
  /* (a mount point that does not exist: the kernel would say ENOENT) */
  errno = 0;
  CHILD_EXPECT (mount ("none", "/nonexistent-hull", "tmpfs", 0, NULL) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (syscall (SYS_keyctl, 0, 0, 0, 0, 0) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (syscall (SYS_add_key, "user", "x", "y", 1, 0) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (socket (AF_VSOCK, SOCK_STREAM, 0) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (socket (AF_ALG, SOCK_SEQPACKET, 0) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (personality (READ_IMPLIES_EXEC) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (syscall (SYS_reboot, 0, 0, 0, 0) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (syscall (SYS_init_module, 0, 0, "") < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (syscall (SYS_open_by_handle_at, -1, NULL, 0) < 0 && errno == EPERM);
  errno = 0;
  CHILD_EXPECT (syscall (SYS_bpf, 0, NULL, 0) < 0 && errno == EPERM);
  /* newer than anything the profile names: ENOSYS */
  errno = 0;
  CHILD_EXPECT (syscall (1000) < 0 && errno == ENOSYS);
  return 0;
}

static void
test_default_with_docker_caps (void)
{
  REQUIRE (default_profile != NULL);
  struct seccomp_filter *f = default_filter (seccomp_profile_docker_default_caps ());
  REQUIRE (f != NULL);
  printf ("# default profile: %zu BPF instructions\n", f->n_insns);
  CHECK_EXITED_OK (run_filtered (f, body_docker_default, NULL));
  seccomp_filter_free (f);
}

static int
body_sys_admin (int listener, void *arg)
{
  /* CAP_SYS_ADMIN's rules: namespaces and mounts reach the kernel */
  CHILD_EXPECT (unshare (CLONE_NEWNS) == 0);
  CHILD_EXPECT (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
  CHILD_EXPECT (mount ("none", "/tmp", "tmpfs", 0, NULL) == 0); /* private ns */
  errno = 0;
  CHILD_EXPECT (syscall (SYS_clone3, NULL, 0) < 0 && errno != ENOSYS);
  return 0;
}

static void
test_default_with_sys_admin (void)
{
  REQUIRE (default_profile != NULL);
  struct seccomp_filter *f
      = default_filter (seccomp_profile_docker_default_caps () | CAP (CAP_SYS_ADMIN_));
  REQUIRE (f != NULL);
  CHECK_EXITED_OK (run_filtered (f, body_sys_admin, NULL));
  seccomp_filter_free (f);
}

int
main (void)
{
  struct error *err = NULL;
  if (seccomp_profile_load_default (&default_profile, &err) < 0)
    {
      printf ("# %s\n", err->msg);
      error_free (err);
    }
  RUN (test_default_profile_found);
  RUN (test_resolve_by_caps);
  RUN (test_resolve_by_arch_and_kernel);
  RUN (test_oci_profile_as_is);
  RUN (test_errors);
  RUN (test_default_with_docker_caps);
  RUN (test_default_with_sys_admin);
  json_object_put (default_profile);
  return tap_done ();
}
