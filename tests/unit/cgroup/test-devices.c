/* test-devices.c - device rules: the v1 semantics emulated, and the eBPF
 * program that carries them to v2, run in a small interpreter against the
 * emulation for many devices and accesses. */
#include "../../lib/tap.h"
#include "cgtest.h"

#define R_ CG_DEV_ACC_READ
#define W_ CG_DEV_ACC_WRITE
#define M_ CG_DEV_ACC_MKNOD

static struct oci_device_cgroup
rule (bool allow, char type, int64_t maj, int64_t min, const char *acc)
{
  struct oci_device_cgroup d = { allow, type, maj, min, "" };
  snprintf (d.access, sizeof d.access, "%s", acc);
  return d;
}

/* the program agrees with the emulation for every probe */
static int
agree (const struct cg_dev_state *st)
{
  struct cg_bpf_insn *p = NULL;
  size_t n = 0;
  if (cg_bpf_build (st, &p, &n, NULL) < 0)
    return 0;
  static const uint32_t majors[] = { 0, 1, 5, 7, 8, 10, 136, 254, 4095, 4294967295u };
  static const uint32_t minors[] = { 0, 1, 2, 3, 5, 9, 200, 1048575, 4294967295u };
  int ok = 1;
  for (int t = 0; t < 2; t++)
    for (size_t a = 0; a < ARRAY_SIZE (majors); a++)
      for (size_t b = 0; b < ARRAY_SIZE (minors); b++)
        for (unsigned acc = 1; acc < 8; acc++)
          {
            char type = t ? 'b' : 'c';
            bool want = cg_dev_state_allows (st, type, majors[a], minors[b], acc);
            int got = cg_bpf_interpret (p, n, t ? 1 : 2, acc, majors[a], minors[b]);
            if (got != (want ? 1 : 0))
              {
                printf ("#   %c %u:%u acc %u: bpf %d, v1 %d\n", type, majors[a],
                        minors[b], acc, got, want);
                ok = 0;
              }
          }
  free (p);
  return ok;
}

static void
test_default_rules (void)
{
  struct oci_resources r;
  struct error *err = NULL;
  REQUIRE (cgt_parse ("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", &r, &err) == 0);
  struct oci_device_cgroup *rules = NULL;
  size_t n = 0;
  REQUIRE (cg_dev_rules (&r, &rules, &n, &err) == 0);
  struct cg_dev_state st;
  REQUIRE (cg_dev_emulate (rules, n, r.n_devices, &st, &err) == 0);
  CHECK (!st.default_allow);
  CHECK (cg_dev_state_allows (&st, 'c', 1, 3, R_ | W_));        /* /dev/null */
  CHECK (cg_dev_state_allows (&st, 'c', 136, 7, R_ | W_));      /* a pty */
  CHECK (cg_dev_state_allows (&st, 'b', 8, 0, M_));             /* mknod only */
  CHECK (!cg_dev_state_allows (&st, 'b', 8, 0, R_));            /* no disk */
  CHECK (!cg_dev_state_allows (&st, 'c', 10, 200, R_));         /* no tun */
  CHECK (!cg_dev_state_allows (&st, 'c', 1, 1, R_));            /* no /dev/mem */
  CHECK (agree (&st));
  cg_dev_state_clear (&st);
  free (rules);
  oci_resources_clear (&r);
}

static void
test_no_spec_rules_is_deny (void)
{
  /* a spec without devices still gets deny-all plus the defaults */
  struct oci_device_cgroup *rules = NULL;
  size_t n = 0;
  struct cg_dev_state st;
  REQUIRE (cg_dev_rules (NULL, &rules, &n, NULL) == 0);
  REQUIRE (cg_dev_emulate (rules, n, 0, &st, NULL) == 0);
  CHECK (!st.default_allow);
  CHECK (!cg_dev_state_allows (&st, 'b', 253, 0, R_ | W_));
  CHECK (cg_dev_state_allows (&st, 'c', 1, 9, R_));
  CHECK (agree (&st));
  cg_dev_state_clear (&st);
  free (rules);
}

static void
test_semantics (void)
{
  struct cg_dev_state st;
  /* allow-all then deny one device: a blacklist */
  struct oci_device_cgroup a[] = {
    rule (false, 'a', -1, -1, "rwm"), rule (true, 'a', -1, -1, "rwm"),
    rule (false, 'b', 8, -1, "w"), rule (false, 'c', 10, 200, "rwm"),
  };
  REQUIRE (cg_dev_emulate (a, ARRAY_SIZE (a), 3, &st, NULL) == 0);
  CHECK (st.default_allow);
  CHECK (cg_dev_state_allows (&st, 'b', 8, 1, R_));
  CHECK (!cg_dev_state_allows (&st, 'b', 8, 1, R_ | W_));
  CHECK (!cg_dev_state_allows (&st, 'c', 10, 200, M_));
  CHECK (cg_dev_state_allows (&st, 'c', 10, 201, R_ | W_ | M_));
  CHECK (agree (&st));
  cg_dev_state_clear (&st);

  /* later rules win: allow, then take part of it back */
  struct oci_device_cgroup b[] = {
    rule (false, 'a', -1, -1, "rwm"), rule (true, 'c', 1, 3, "rwm"),
    rule (false, 'c', 1, 3, "w"),
  };
  REQUIRE (cg_dev_emulate (b, ARRAY_SIZE (b), 2, &st, NULL) == 0);
  CHECK (cg_dev_state_allows (&st, 'c', 1, 3, R_ | M_));
  CHECK (!cg_dev_state_allows (&st, 'c', 1, 3, W_));
  CHECK (agree (&st));
  cg_dev_state_clear (&st);

  /* merging: two allows on one device add up */
  struct oci_device_cgroup c[] = {
    rule (false, 'a', -1, -1, "rwm"), rule (true, 'c', 4, -1, "r"),
    rule (true, 'c', 4, -1, "w"),
  };
  REQUIRE (cg_dev_emulate (c, ARRAY_SIZE (c), 2, &st, NULL) == 0);
  CHECK_INT (st.n, ==, 1);
  CHECK (cg_dev_state_allows (&st, 'c', 4, 64, R_ | W_));
  CHECK (!cg_dev_state_allows (&st, 'c', 4, 64, R_ | W_ | M_));
  CHECK (agree (&st));
  cg_dev_state_clear (&st);

  /* a deny inside a wider allowed wildcard is refused (v1 would ignore it) */
  struct oci_device_cgroup d[] = {
    rule (false, 'a', -1, -1, "rwm"), rule (true, 'c', -1, -1, "rwm"),
    rule (false, 'c', 1, 3, "rwm"),
  };
  struct error *err = NULL;
  CHECK (cg_dev_emulate (d, ARRAY_SIZE (d), 2, &st, &err) < 0);
  CHECK (err && strstr (err->msg, "`linux.resources.devices[1]`"));
  error_free (err);

  /* an "a" rule resets everything before it */
  struct oci_device_cgroup e[] = {
    rule (false, 'a', -1, -1, "rwm"), rule (true, 'c', 1, 3, "rwm"),
    rule (false, 'a', 1, 3, "r"),
  };
  REQUIRE (cg_dev_emulate (e, ARRAY_SIZE (e), 2, &st, NULL) == 0);
  CHECK_INT (st.n, ==, 0);
  CHECK (!cg_dev_state_allows (&st, 'c', 1, 3, R_));
  CHECK (agree (&st));
  cg_dev_state_clear (&st);
}

static void
test_program_shape (void)
{
  /* deny-all with no exceptions: prologue + "return 0" */
  struct cg_dev_state st = { false, NULL, 0 };
  struct cg_bpf_insn *p = NULL;
  size_t n = 0;
  REQUIRE (cg_bpf_build (&st, &p, &n, NULL) == 0);
  CHECK_INT (n, ==, 8);
  CHECK_INT (p[n - 2].imm, ==, 0);
  CHECK_INT (cg_bpf_interpret (p, n, 2, R_, 1, 3), ==, 0);
  free (p);
  /* a major above 2^31 compares as unsigned 32-bit */
  struct cg_dev_exception ex = { 'c', 4294967295LL, -1, R_ | W_ | M_ };
  st = (struct cg_dev_state) { false, &ex, 1 };
  REQUIRE (cg_bpf_build (&st, &p, &n, NULL) == 0);
  CHECK_INT (cg_bpf_interpret (p, n, 2, R_, 4294967295u, 0), ==, 1);
  CHECK_INT (cg_bpf_interpret (p, n, 2, R_, 2147483647u, 0), ==, 0);
  free (p);
}

static void
test_rule_strings (void)
{
  char buf[64];
  struct oci_device_cgroup d = rule (true, 'c', 136, -1, "rwm");
  cg_dev_rule_str (&d, buf, sizeof buf);
  CHECK_STR (buf, "c 136:* rwm");
  d = rule (false, 'a', 3, 4, "r");
  cg_dev_rule_str (&d, buf, sizeof buf);
  CHECK_STR (buf, "a *:* rwm");
  d = rule (true, 'b', -1, 7, "m");
  cg_dev_rule_str (&d, buf, sizeof buf);
  CHECK_STR (buf, "b *:7 m");
}

int
main (void)
{
  RUN (test_default_rules);
  RUN (test_no_spec_rules_is_deny);
  RUN (test_semantics);
  RUN (test_program_shape);
  RUN (test_rule_strings);
  return tap_done ();
}
