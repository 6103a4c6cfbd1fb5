/* Unit tests for lib/runtime pieces that need no container: ids, state
 * files and status derivation, the sync channel, the executable lookup. */
#include "runtime/internal.h"
#include "runtime/execinput.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void
test_id_validate (void)
{
  _cleanup_error_ struct error *err = NULL;
  CHECK_INT (id_validate ("abc-DEF_1.2+x", &err), ==, 0);
  CHECK_INT (id_validate ("", &err), <, 0);
  CHECK_INT (id_validate (".", &err), <, 0);
  CHECK_INT (id_validate ("..", &err), <, 0);
  CHECK_INT (id_validate ("a/b", &err), <, 0);
  CHECK (strstr (err->msg, "`a/b`") != NULL);
  CHECK_INT (id_validate ("a b", &err), <, 0);
  char big[1100];
  memset (big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  CHECK_INT (id_validate (big, &err), <, 0);
}

static void
test_state_roundtrip (void)
{
  char tmpl[] = "/tmp/hull-rt-state.XXXXXX";
  REQUIRE (mkdtemp (tmpl) != NULL);
  _cleanup_error_ struct error *err = NULL;
  _cleanup_close_ int root = state_root_open (tmpl, false, &err);
  REQUIRE (root >= 0);
  CHECK_INT (mkdirat (root, "c1", 0700), ==, 0);

  struct container_state missing;
  CHECK_INT (state_load (root, "c1", &missing, &err), ==, -EBUSY); /* dir, no state: creating */
  CHECK_INT (state_load (root, "nope", &missing, &err), ==, -ENOENT);
  CHECK (strstr (err->msg, "does not exist") != NULL);

  /* a live process of ours stands in for the init */
  pid_t child = fork ();
  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  json_object *cfg = json_object_new_object ();
  json_object *ann = json_object_new_object ();
  json_object_object_add (ann, "k", json_object_new_string ("v"));
  json_object_object_add (cfg, "annotations", ann);
  struct container_state st = {
    .id = (char *) "c1", .pid = child, .start_time = proc_start_time (child),
    .bundle = (char *) "/b", .rootfs = (char *) "/b/rootfs", .created = (char *) "t",
    .config = cfg,
  };
  CHECK (st.start_time != 0);
  CHECK_INT (state_save (root, &st, &err), ==, 0);
  json_object_put (cfg);

  struct container_state got;
  CHECK_INT (state_load (root, "c1", &got, &err), ==, 0);
  CHECK_INT (got.pid, ==, child);
  CHECK_STR (got.bundle, "/b");
  CHECK_INT (state_status (root, &got), ==, STATUS_RUNNING);
  /* with the fifo present it is "created" */
  CHECK_INT (mkfifoat (root, "c1/exec.fifo", 0600), ==, 0);
  CHECK_INT (state_status (root, &got), ==, STATUS_CREATED);
  _cleanup_json_ json_object *js = state_to_json (&got, STATUS_CREATED);
  json_object *v;
  CHECK (json_object_object_get_ex (js, "annotations", &v));
  CHECK (json_object_object_get_ex (js, "status", &v));
  CHECK_STR (json_object_get_string (v), "created");

  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  CHECK_INT (state_status (root, &got), ==, STATUS_STOPPED);
  /* a reused pid (different start time) is not our init */
  got.pid = getpid ();
  got.start_time = 1;
  CHECK (!state_init_alive (&got));
  state_clear (&got);

  _cleanup_free_ char *hj = state_hook_json ("c1", 42, "/b", NULL, "creating");
  CHECK (strstr (hj, "\"pid\":42") != NULL);
  CHECK (strstr (hj, "\"status\":\"creating\"") != NULL);
  fs_rm_rf_at (AT_FDCWD, tmpl, &err);
}

static void
test_sync_channel (void)
{
  int sp[2];
  REQUIRE (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
  int devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  CHECK_INT (sync_send (sp[0], SYNC_CONSOLE, 5, "name", devnull), ==, 0);
  CHECK_INT (sync_send (sp[0], SYNC_ERROR, EACCES, "mount `/x`: denied", -1), ==, 0);
  struct sync_msg m;
  int fd = -1;
  CHECK_INT (sync_recv (sp[1], &m, &fd), ==, 0);
  CHECK_INT (m.type, ==, SYNC_CONSOLE);
  CHECK_INT (m.value, ==, 5);
  CHECK_STR (m.data, "name");
  CHECK (fd >= 0);
  struct stat a, b;
  fstat (fd, &a);
  fstat (devnull, &b);
  CHECK (a.st_ino == b.st_ino);
  close (fd);
  _cleanup_error_ struct error *err = NULL;
  CHECK_INT (sync_expect (sp[1], SYNC_READY, &m, NULL, &err), ==, -EACCES);
  CHECK_STR (err->msg, "mount `/x`: denied");
  close (sp[0]);
  CHECK_INT (sync_recv (sp[1], &m, NULL), ==, -EPIPE);
  close (sp[1]);
  close (devnull);
}

static void
test_find_exec (void)
{
  char *env[] = { (char *) "PATH=/nonexistent:/bin", NULL };
  char *args[] = { (char *) "sh", NULL };
  struct oci_process p = { .args = args, .env = env };
  _cleanup_error_ struct error *err = NULL;
  _cleanup_free_ char *path = NULL;
  CHECK_INT (process_find_exec (&p, &path, &err), ==, 0);
  CHECK_STR (path, "/bin/sh");
  char *args2[] = { (char *) "no-such-command-x", NULL };
  p.args = args2;
  char *out = NULL;
  CHECK_INT (process_find_exec (&p, &out, &err), ==, -ENOENT);
  CHECK (strstr (err->msg, "executable file not found in $PATH") != NULL);
  char *args3[] = { (char *) "/no/such/binary", NULL };
  p.args = args3;
  CHECK_INT (process_find_exec (&p, &out, &err), ==, -ENOENT);
  CHECK (strstr (err->msg, "no such file or directory") != NULL);
  char f[] = "/tmp/hull-rt-noexec.XXXXXX"; /* not executable */
  int fd = mkstemp (f);
  REQUIRE (fd >= 0);
  fchmod (fd, 0644);
  close (fd);
  char *args4[] = { f, NULL };
  p.args = args4;
  CHECK_INT (process_find_exec (&p, &out, &err), ==, -EACCES);
  CHECK (strstr (err->msg, "permission denied") != NULL);
  unlink (f);
}

static void
test_passwd_home (void)
{
  const char pw[] = "root:x:0:0:root:/root:/bin/sh\n"
                    "short:x:7\n"
                    "rel:x:8:8::home/rel:/bin/sh\n"
                    "user:x:1000:1000:user:/home/user:/bin/sh\n"
                    "dup:x:1000:1000::/second:/bin/sh\n"
                    "big:x:99999999999:0::/big:/bin/sh\n"
                    "last:x:42:42::/no/newline:/bin/sh";
  char *h;
  CHECK_STR ((h = passwd_home_for_uid (pw, strlen (pw), 0)), "/root");
  free (h);
  CHECK_STR ((h = passwd_home_for_uid (pw, strlen (pw), 1000)), "/home/user");
  free (h);
  CHECK_STR ((h = passwd_home_for_uid (pw, strlen (pw), 42)), "/no/newline");
  free (h);
  /* too few fields, a relative home, an overlong uid: no match */
  CHECK (passwd_home_for_uid (pw, strlen (pw), 7) == NULL);
  CHECK (passwd_home_for_uid (pw, strlen (pw), 8) == NULL);
  CHECK (passwd_home_for_uid (pw, strlen (pw), 4242) == NULL);
  /* the length is honoured: the last line cut short does not match */
  CHECK (passwd_home_for_uid (pw, strlen (pw) - 12, 42) == NULL);
}

static void
test_exec_build_process (void)
{
  _cleanup_json_ json_object *cfg = json_tokener_parse (
      "{\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"env\": [\"A=1\", \"B=2\"]}}");
  REQUIRE (cfg != NULL);
  char *argv[] = { (char *) "id", NULL };
  char *env[] = { (char *) "B=3", (char *) "C=4", NULL };
  char *gids[] = { (char *) "5", NULL };
  struct runtime_exec_options o
      = { .argv = argv, .env = env, .user = "1000:100", .additional_gids = gids, .cwd = "/tmp" };
  struct oci_process p;
  _cleanup_error_ struct error *err = NULL;
  REQUIRE (exec_build_process (cfg, &o, &p, &err) == 0);
  CHECK_STR (p.args[0], "id");
  CHECK_STR (p.cwd, "/tmp");
  CHECK_INT (p.uid, ==, 1000);
  CHECK_INT (p.gid, ==, 100);
  CHECK_STR (p.env[1], "B=3");
  CHECK_STR (p.env[2], "C=4");
  oci_process_clear (&p);
  static const char *const bad[] = { "-1", "1:", ":1", " 1", "4294967295", "1:4294967295", "x" };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      o.user = bad[i];
      error_free (err), err = NULL;
      CHECK_INT (exec_build_process (cfg, &o, &p, &err), ==, -EINVAL);
      CHECK (err && strstr (err->msg, "--user") != NULL);
    }
  o.user = "0";
  gids[0] = (char *) "-5";
  error_free (err), err = NULL;
  CHECK_INT (exec_build_process (cfg, &o, &p, &err), ==, -EINVAL);
  /* a config whose process.env is not an array: an error, not an abort */
  _cleanup_json_ json_object *odd = json_tokener_parse ("{\"process\": {\"env\": \"x\"}}");
  o.additional_gids = NULL;
  error_free (err), err = NULL;
  CHECK_INT (exec_build_process (odd, &o, &p, &err), ==, -EINVAL);
}

int
main (void)
{
  RUN (test_id_validate);
  RUN (test_state_roundtrip);
  RUN (test_sync_channel);
  RUN (test_find_exec);
  RUN (test_passwd_home);
  RUN (test_exec_build_process);
  return tap_done ();
}
