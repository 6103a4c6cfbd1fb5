/* test-seccomp-parse.c - linux.seccomp -> struct oci_seccomp: a full
 * object's fields, and one clear error naming the key for each kind of bad
 * input. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "oci/seccomp-parse.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
parse_text (const char *text, struct oci_seccomp *s, struct error **err)
{
  json_object *o = NULL;
  int r = jsonx_parse (text, strlen (text), &o, err);
  if (r == 0)
    r = oci_seccomp_parse (o, s, err);
  json_object_put (o);
  return r;
}

static void
test_full_object (void)
{
  struct oci_seccomp s;
  struct error *err = NULL;
  int r = parse_text (
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
      "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
      "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
      "\"listenerPath\":\"/run/agent.sock\",\"listenerMetadata\":\"m\","
      "\"unknownKey\":{\"ignored\":true},"
      "\"syscalls\":["
      "{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
      "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"},"
      "{\"names\":[\"umask\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":7,\"args\":["
      "{\"index\":5,\"value\":18446744073709551615,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"},"
      "{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_GE\"}]}]}",
      &s, &err);
  if (err)
    printf ("# %s\n", err->msg);
  REQUIRE (r == 0);
  CHECK (s.present);
  CHECK_INT (s.default_action, ==, OCI_SECCOMP_ERRNO);
  CHECK (s.has_default_errno_ret);
  CHECK_INT (s.default_errno_ret, ==, 38);
  CHECK_STR (s.architectures[1], "SCMP_ARCH_X86");
  CHECK (s.architectures[2] == NULL);
  CHECK_STR (s.flags[0], "SECCOMP_FILTER_FLAG_LOG");
  CHECK_STR (s.listener_path, "/run/agent.sock");
  CHECK_STR (s.listener_metadata, "m");
  CHECK_INT (s.n_syscalls, ==, 3);
  CHECK_STR (s.syscalls[0].names[1], "write");
  CHECK_INT (s.syscalls[0].action, ==, OCI_SECCOMP_ALLOW);
  CHECK (!s.syscalls[0].has_errno_ret);
  CHECK_INT (s.syscalls[1].action, ==, OCI_SECCOMP_NOTIFY);
  CHECK_INT (s.syscalls[2].action, ==, OCI_SECCOMP_TRACE);
  CHECK_INT (s.syscalls[2].errno_ret, ==, 7);
  CHECK_INT (s.syscalls[2].n_args, ==, 2);
  CHECK_INT (s.syscalls[2].args[0].index, ==, 5);
  CHECK (s.syscalls[2].args[0].value == UINT64_MAX);
  CHECK_INT (s.syscalls[2].args[0].value_two, ==, 3);
  CHECK_INT (s.syscalls[2].args[0].op, ==, OCI_SECCOMP_OP_MASKED_EQ);
  CHECK_INT (s.syscalls[2].args[1].op, ==, OCI_SECCOMP_OP_GE);
  oci_seccomp_clear (&s);
  CHECK (!s.present && s.syscalls == NULL);
}

static void
test_every_action_and_op (void)
{
  static const char *const actions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",        "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG",
  };
  for (size_t i = 0; i < ARRAY_SIZE (actions); i++)
    {
      char text[256];
      snprintf (text, sizeof text, "{\"defaultAction\":\"%s\"}", actions[i]);
      struct oci_seccomp s;
      struct error *err = NULL;
      CHECK_INT (parse_text (text, &s, &err), ==, 0);
      CHECK_INT (s.default_action, ==, (int)i);
      CHECK_STR (oci_seccomp_action_name (s.default_action), actions[i]);
      oci_seccomp_clear (&s);
      error_free (err);
    }
  static const char *const ops[]
      = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
          "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };
  for (size_t i = 0; i < ARRAY_SIZE (ops); i++)
    {
      CHECK_INT (oci_seccomp_op_from_name (ops[i]), ==, (int)i);
      CHECK_STR (oci_seccomp_op_name ((enum oci_seccomp_op)i), ops[i]);
    }
}

static void
test_absent (void)
{
  struct oci_seccomp s;
  struct error *err = NULL;
  CHECK_INT (oci_seccomp_parse (NULL, &s, &err), ==, 0);
  CHECK (!s.present);
}

static const struct
{
  const char *json;
  const char *msg;
} bad[] = {
  { "[]", "`linux.seccomp` must be an object, not array" },
  { "{}", "`linux.seccomp.defaultAction` is required" },
  { "{\"defaultAction\":1}", "`linux.seccomp.defaultAction` must be a string, not int" },
  { "{\"defaultAction\":\"SCMP_ACT_FOO\"}",
    "`linux.seccomp.defaultAction`: unknown action `SCMP_ACT_FOO`" },
  { "{\"defaultAction\":\"allow\"}", "`linux.seccomp.defaultAction`: unknown action `allow`" },
  { "{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"/s\"}",
    "`linux.seccomp.defaultAction`: SCMP_ACT_NOTIFY cannot be the default action" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}",
    "`linux.seccomp.defaultErrnoRet` is only allowed with SCMP_ACT_ERRNO or "
    "SCMP_ACT_TRACE, not `SCMP_ACT_ALLOW`" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}",
    "`linux.seccomp.defaultErrnoRet` must not be negative" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":65536}",
    "`linux.seccomp.defaultErrnoRet` is out of range (at most 65535)" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1.5}",
    "`linux.seccomp.defaultErrnoRet` must be an unsigned integer, not a fraction" },
  { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":\"1\"}",
    "`linux.seccomp.defaultErrnoRet` must be an unsigned integer, not string" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":\"SCMP_ARCH_X86\"}",
    "`linux.seccomp.architectures` must be an array, not string" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86\",\"x86\"]}",
    "`linux.seccomp.architectures[1]`: unknown architecture `x86`" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[3]}",
    "`linux.seccomp.architectures[0]` must be a string, not int" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_FOO\"]}",
    "`linux.seccomp.flags[0]`: unknown flag `SECCOMP_FILTER_FLAG_FOO`" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"\"}",
    "`linux.seccomp.listenerPath` must be a socket path" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaa\"}",
    "`linux.seccomp.listenerPath`: socket path is longer than 107 bytes" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerMetadata\":\"m\"}",
    "`linux.seccomp.listenerMetadata` requires `listenerPath`" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}",
    "`linux.seccomp.syscalls` must be an array, not object" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[7]}",
    "`linux.seccomp.syscalls[0]` must be an object, not int" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_ERRNO\"}]}",
    "`linux.seccomp.syscalls[0].names` is required" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_"
    "ERRNO\"}]}",
    "`linux.seccomp.syscalls[0].names` must not be empty" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"\"],\"action\":\"SCMP_ACT_"
    "ERRNO\"}]}",
    "`linux.seccomp.syscalls[0].names[0]` must not be empty" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\",null],\"action\":\"SCMP_"
    "ACT_ERRNO\"}]}",
    "`linux.seccomp.syscalls[0].names[1]` must be a string, not null" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"]},{\"names\":["
    "\"read\"]}]}",
    "`linux.seccomp.syscalls[0].action` is required" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_ERRNO\"},"
    "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_ALLOW\"},"
    "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_FOO\"}]}",
    "`linux.seccomp.syscalls[3].action`: unknown action `SCMP_ACT_FOO`" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_KILL\",\"errnoRet\":1}]}",
    "`linux.seccomp.syscalls[0].errnoRet` is only allowed with SCMP_ACT_ERRNO or "
    "SCMP_ACT_TRACE, not `SCMP_ACT_KILL`" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_"
    "ACT_NOTIFY\"}]}",
    "`linux.seccomp.syscalls[0].action`: SCMP_ACT_NOTIFY requires `listenerPath`" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_ERRNO\",\"args\":{}}]}",
    "`linux.seccomp.syscalls[0].args` must be an array, not object" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_ERRNO\",\"args\":[1]}]}",
    "`linux.seccomp.syscalls[0].args[0]` must be an object, not int" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_ERRNO\",\"args\":[{\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "`linux.seccomp.syscalls[0].args[0].index` is required" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "`linux.seccomp.syscalls[0].args[0].index` is out of range (at most 5)" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_ERRNO\",\"args\":[{\"index\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "`linux.seccomp.syscalls[0].args[0].value` is required" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":-2,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "`linux.seccomp.syscalls[0].args[0].value` must not be negative" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"valueTwo\":true,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "`linux.seccomp.syscalls[0].args[0].valueTwo` must be an unsigned integer, not boolean" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1}]}]}",
    "`linux.seccomp.syscalls[0].args[0].op` is required" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_"
    "ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQUAL\"}]}]}",
    "`linux.seccomp.syscalls[0].args[0].op`: unknown operator `SCMP_CMP_EQUAL`" },
};

static void
test_errors (void)
{
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      struct oci_seccomp s;
      memset (&s, 0x5a, sizeof s);
      struct error *err = NULL;
      int r = parse_text (bad[i].json, &s, &err);
      if (r >= 0 || err == NULL || strcmp (err->msg, bad[i].msg) != 0)
        printf ("#   case %zu: r=%d\n#     got  %s\n#     want %s\n", i, r,
                err ? err->msg : "(no error)", bad[i].msg);
      CHECK (r < 0);
      CHECK (err != NULL && strcmp (err->msg, bad[i].msg) == 0);
      /* nothing is left half-filled */
      CHECK (!s.present && s.syscalls == NULL && s.architectures == NULL);
      error_free (err);
    }
}

static void
test_limits (void)
{
  /* more names than the parser takes in all */
  size_t n = OCI_SECCOMP_MAX_NAMES + 1;
  size_t cap = n * 12 + 256, off = 0;
  char *text = malloc (cap);
  off += (size_t)snprintf (text, cap,
                           "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
                           "[{\"action\":\"SCMP_ACT_ERRNO\",\"names\":[");
  for (size_t i = 0; i < n; i++)
    off += (size_t)snprintf (text + off, cap - off, "%s\"s%zu\"", i ? "," : "", i);
  snprintf (text + off, cap - off, "]}]}");
  struct oci_seccomp s;
  struct error *err = NULL;
  CHECK_INT (parse_text (text, &s, &err), ==, -E2BIG);
  if (err)
    printf ("# %s\n", err->msg);
  CHECK (err && strstr (err->msg, "`linux.seccomp.syscalls[0].names` has 16385 entries"));
  error_free (err);
  free (text);

  /* a name longer than any syscall's */
  char name[OCI_SECCOMP_MAX_NAME_LEN + 2];
  memset (name, 'x', sizeof name - 1);
  name[sizeof name - 1] = '\0';
  char t[512];
  snprintf (t, sizeof t,
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":"
            "\"SCMP_ACT_ERRNO\",\"names\":[\"%s\"]}]}",
            name);
  err = NULL;
  CHECK (parse_text (t, &s, &err) < 0);
  CHECK (err && strcmp (err->msg, "`linux.seccomp.syscalls[0].names[0]` is not a valid name") == 0);
  error_free (err);
}

static void
test_where_prefix (void)
{
  json_object *o = json_tokener_parse ("{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                                       "\"syscalls\":[{\"names\":[\"a\"],\"action\":\"X\"}]}");
  struct oci_seccomp s;
  struct error *err = NULL;
  CHECK (oci_seccomp_parse_at (o, NULL, &s, &err) < 0);
  CHECK_STR (err ? err->msg : NULL, "`syscalls[0].action`: unknown action `X`");
  error_free (err);
  json_object_put (o);
}

int
main (void)
{
  RUN (test_full_object);
  RUN (test_every_action_and_op);
  RUN (test_absent);
  RUN (test_errors);
  RUN (test_limits);
  RUN (test_where_prefix);
  return tap_done ();
}
