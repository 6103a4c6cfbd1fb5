/* compile.c - struct oci_seccomp -> a classic BPF program through libseccomp.
 *
 * This runs in the runtime's parent process, before the container exists;
 * the container process only hands the finished program to seccomp(2) (see
 * load.c), because libseccomp allocates freely and the last steps before
 * execve must not.
 *
 * Semantics follow the anchors (runc, crun) so that a profile means the same
 * under hull as under them:
 *   - names libseccomp does not know are skipped with a debug message;
 *   - a rule whose action is the default action is skipped (libseccomp
 *     refuses it, and it would change nothing);
 *   - libseccomp refuses two comparisons of the same argument in one rule;
 *     when a rule has them, each condition becomes a rule of its own, i.e.
 *     the conditions are OR-ed (exactly what runc and crun do);
 *   - when the default action denies, syscall numbers above the highest one
 *     the profile mentions (per architecture) return ENOSYS instead, as runc
 *     does, so that a libc probing a syscall newer than the profile falls
 *     back instead of failing with EPERM.
 */
#include "seccomp/seccomp.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/log.h"
#include "base/strv.h"
#include "config.h"
#include "oci/seccomp-parse.h"
#include "seccomp/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Bump when the compiler's output for the same input changes. */
#define SECCOMP_COMPILER_VERSION 1

static void
cleanup_scmp (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
}
#define _cleanup_scmp_ __attribute__ ((cleanup (cleanup_scmp)))

uint64_t
seccomp_fnv1a64 (uint64_t h, const void *data, size_t len)
{
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++)
    {
      h ^= p[i];
      h *= 0x100000001b3ULL;
    }
  return h;
}

/* The libseccomp action for an OCI action; errnoRet defaults to EPERM for
 * ERRNO and TRACE (the message number a tracer sees), as in runc and crun. */
static uint32_t
action_value (enum oci_seccomp_action a, bool has_errno, uint32_t errno_ret)
{
  uint32_t e = has_errno ? errno_ret : EPERM;
  switch (a)
    {
    case OCI_SECCOMP_KILL:
    case OCI_SECCOMP_KILL_THREAD:
      return SCMP_ACT_KILL_THREAD;
    case OCI_SECCOMP_KILL_PROCESS:
      return SCMP_ACT_KILL_PROCESS;
    case OCI_SECCOMP_TRAP:
      return SCMP_ACT_TRAP;
    case OCI_SECCOMP_ERRNO:
      return SCMP_ACT_ERRNO (e);
    case OCI_SECCOMP_TRACE:
      return SCMP_ACT_TRACE (e);
    case OCI_SECCOMP_ALLOW:
      return SCMP_ACT_ALLOW;
    case OCI_SECCOMP_LOG:
      return SCMP_ACT_LOG;
    case OCI_SECCOMP_NOTIFY:
      return SCMP_ACT_NOTIFY;
    }
  return SCMP_ACT_KILL_PROCESS;
}

static enum scmp_compare
op_value (enum oci_seccomp_op op)
{
  switch (op)
    {
    case OCI_SECCOMP_OP_NE:
      return SCMP_CMP_NE;
    case OCI_SECCOMP_OP_LT:
      return SCMP_CMP_LT;
    case OCI_SECCOMP_OP_LE:
      return SCMP_CMP_LE;
    case OCI_SECCOMP_OP_EQ:
      return SCMP_CMP_EQ;
    case OCI_SECCOMP_OP_GE:
      return SCMP_CMP_GE;
    case OCI_SECCOMP_OP_GT:
      return SCMP_CMP_GT;
    case OCI_SECCOMP_OP_MASKED_EQ:
      return SCMP_CMP_MASKED_EQ;
    }
  return _SCMP_CMP_MIN;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token, 0 when this libseccomp does not
 * know it. */
static uint32_t
arch_token (const char *name)
{
  char lower[32];
  if (strncmp (name, "SCMP_ARCH_", 10) == 0)
    name += 10;
  size_t i;
  for (i = 0; name[i] && i < sizeof lower - 1; i++)
    lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
  lower[i] = '\0';
  return seccomp_arch_resolve_name (lower);
}

/* Allow-like default actions: an unknown (newer) syscall should then go on
 * being allowed, so no ENOSYS stub.  TRACE counts as allow-like, as in runc:
 * a tracer is expected to handle syscalls it does not know. */
static bool
default_is_allow_like (enum oci_seccomp_action a)
{
  return a == OCI_SECCOMP_ALLOW || a == OCI_SECCOMP_LOG || a == OCI_SECCOMP_TRACE;
}

/* ------------------------------------------------------- canonical form */

static void
put_str (FILE *f, const char *s)
{
  fprintf (f, "%zu:%s\n", strlen (s), s);
}

int
seccomp_canonical (const struct oci_seccomp *s, char **out, size_t *len, struct error **err)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  if (f == NULL)
    return error_errno (err, errno, "open_memstream");

  const struct scmp_version *v = seccomp_version ();
  fprintf (f, "hull-seccomp %d %s\n", SECCOMP_COMPILER_VERSION, HULL_VERSION);
  fprintf (f, "libseccomp %u.%u.%u api %u native %" PRIx32 "\n", v->major, v->minor, v->micro,
           seccomp_api_get (), seccomp_arch_native ());
  fprintf (f, "default %" PRIx32 " %d\n",
           action_value (s->default_action, s->has_default_errno_ret, s->default_errno_ret),
           (int)s->default_action);
  size_t n_arches = s->architectures ? strv_len (s->architectures) : 0;
  fprintf (f, "arches %zu\n", n_arches);
  for (size_t i = 0; i < n_arches; i++)
    put_str (f, s->architectures[i]);
  fprintf (f, "rules %zu\n", s->n_syscalls);
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct oci_seccomp_rule *r = &s->syscalls[i];
      size_t n_names = strv_len (r->names);
      fprintf (f, "rule %" PRIx32 " %zu %zu\n",
               action_value (r->action, r->has_errno_ret, r->errno_ret), n_names, r->n_args);
      for (size_t j = 0; j < n_names; j++)
        put_str (f, r->names[j]);
      for (size_t j = 0; j < r->n_args; j++)
        fprintf (f, "arg %u %d %" PRIx64 " %" PRIx64 "\n", r->args[j].index, (int)r->args[j].op,
                 r->args[j].value, r->args[j].value_two);
    }
  if (fclose (f) != 0 || buf == NULL)
    {
      free (buf);
      return error_set (err, ENOMEM, "out of memory");
    }
  *out = buf;
  *len = size;
  return 0;
}

/* ------------------------------------------------------------ libseccomp */

static bool
args_share_an_index (const struct oci_seccomp_rule *r)
{
  unsigned seen = 0;
  for (size_t i = 0; i < r->n_args; i++)
    {
      unsigned bit = 1u << r->args[i].index;
      if (seen & bit)
        return true;
      seen |= bit;
    }
  return false;
}

static int
add_rule (scmp_filter_ctx ctx, const struct oci_seccomp_rule *r, size_t idx, uint32_t action,
          const char *name, int nr, struct error **err)
{
  struct scmp_arg_cmp cmp[OCI_SECCOMP_MAX_ARGS];
  int ret;

  for (size_t i = 0; i < r->n_args; i++)
    cmp[i] = (struct scmp_arg_cmp){ .arg = r->args[i].index,
                                    .op = op_value (r->args[i].op),
                                    .datum_a = r->args[i].value,
                                    .datum_b = r->args[i].value_two };

  if (r->n_args == 0)
    ret = seccomp_rule_add_array (ctx, action, nr, 0, NULL);
  else if (!args_share_an_index (r))
    ret = seccomp_rule_add_array (ctx, action, nr, (unsigned)r->n_args, cmp);
  else
    {
      /* libseccomp takes one comparison per argument in a rule; like runc
       * and crun, give every condition a rule of its own. */
      ret = 0;
      for (size_t i = 0; i < r->n_args && ret == 0; i++)
        ret = seccomp_rule_add_array (ctx, action, nr, 1, &cmp[i]);
    }
  if (ret < 0)
    return error_errno (err, -ret, "`syscalls[%zu]`: add a rule for `%s`", idx, name);
  return 0;
}

/* Export ctx's program into a malloc'd buffer.  libseccomp 2.5 has no
 * in-memory export, so go through a memfd. */
static int
export_bpf (scmp_filter_ctx ctx, void **bpf, size_t *n_insns, struct error **err)
{
  _cleanup_close_ int fd = memfd_create ("hull-seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0)
    return error_errno (err, errno, "memfd_create");
  int r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return error_errno (err, -r, "seccomp_export_bpf");
  struct stat st;
  if (fstat (fd, &st) < 0)
    return error_errno (err, errno, "fstat");
  size_t size = (size_t)st.st_size;
  if (size == 0 || size % sizeof (struct sock_filter) != 0)
    return error_set (err, EIO, "libseccomp exported a program of %zu bytes", size);
  size_t n = size / sizeof (struct sock_filter);
  _cleanup_free_ void *buf = malloc (size);
  if (buf == NULL)
    return error_set (err, ENOMEM, "out of memory");
  ssize_t got = pread (fd, buf, size, 0);
  if (got < 0)
    return error_errno (err, errno, "read the exported program");
  if ((size_t)got != size)
    return error_set (err, EIO, "short read of the exported program");
  *bpf = TAKE_PTR (buf);
  *n_insns = n;
  return 0;
}

/* ------------------------------------------------------------ ENOSYS stub */

struct stub_arch
{
  uint32_t audit;  /* AUDIT_ARCH_* as seen in seccomp_data.arch */
  int64_t max_nr;  /* highest number the profile mentions; -1 none */
  int64_t max_x32; /* AUDIT_ARCH_X86_64 only: x32 ABI numbers */
};

#define STUB_MAX_INSNS 255
#define LBL_NONE (-1)
#define LBL_ENOSYS (-2)
#define LBL_FILTER (-3)

struct stub
{
  struct sock_filter ins[STUB_MAX_INSNS];
  int jt[STUB_MAX_INSNS], jf[STUB_MAX_INSNS]; /* absolute targets or LBL_* */
  size_t n;
  bool overflow;
};

static void
stub_emit (struct stub *st, uint16_t code, uint32_t k, int jt, int jf)
{
  if (st->n >= STUB_MAX_INSNS - 2)
    {
      st->overflow = true;
      return;
    }
  st->ins[st->n] = (struct sock_filter){ .code = code, .k = k };
  st->jt[st->n] = jt;
  st->jf[st->n] = jf;
  st->n++;
}

static int64_t
max_referenced (const struct oci_seccomp *s, uint32_t token)
{
  int64_t max = -1;
  for (size_t i = 0; i < s->n_syscalls; i++)
    for (char **n = s->syscalls[i].names; *n; n++)
      {
        int nr = seccomp_syscall_resolve_name_arch (token, *n);
        if (nr >= 0 && nr > max)
          max = nr;
      }
  return max;
}

/* Prepend to prog a check that sends syscall numbers above the highest one
 * the profile mentions (for the caller's architecture) to ERRNO(ENOSYS).
 * Classic BPF jumps are relative and only go forward, so a prefix leaves
 * every jump of libseccomp's program valid. */
static int
add_enosys_stub (const struct oci_seccomp *s, const uint32_t *tokens, size_t n_tokens, void **bpf,
                 size_t *n_insns, struct error **err)
{
  struct stub_arch arches[OCI_SECCOMP_MAX_ARCHES + 1];
  size_t n_arches = 0;

  for (size_t i = 0; i < n_tokens; i++)
    {
      bool x32 = tokens[i] == SCMP_ARCH_X32;
      uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : tokens[i];
      int64_t max = max_referenced (s, tokens[i]);
      size_t j;
      for (j = 0; j < n_arches && arches[j].audit != audit; j++)
        ;
      if (j == n_arches)
        arches[n_arches++] = (struct stub_arch){ audit, -1, -1 };
      if (x32)
        arches[j].max_x32 = max;
      else
        arches[j].max_nr = max;
    }

  /* Only where the program starts by loading from seccomp_data, as
   * libseccomp's do: then no state flows from the stub into it. */
  const struct sock_filter *first = *bpf;
  if (first[0].code != (BPF_LD | BPF_W | BPF_ABS))
    {
      log_debug ("seccomp: unexpected program start, no ENOSYS stub");
      return 0;
    }

  struct stub st = { .n = 0 };
  stub_emit (&st, BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch), LBL_NONE,
             LBL_NONE);
  for (size_t i = 0; i < n_arches; i++)
    {
      const struct stub_arch *a = &arches[i];
      if (a->max_nr < 0 && a->max_x32 < 0)
        continue;
      size_t jeq = st.n;
      stub_emit (&st, BPF_JMP | BPF_JEQ | BPF_K, a->audit, LBL_NONE, LBL_NONE);
      stub_emit (&st, BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr), LBL_NONE,
                 LBL_NONE);
      if (a->audit == AUDIT_ARCH_X86_64)
        {
          /* x32 syscalls are x86_64's with bit 30 set. Without x32 in the
           * filter, libseccomp's program rejects them itself. */
          size_t jset = st.n;
          stub_emit (&st, BPF_JMP | BPF_JSET | BPF_K, 0x40000000u, LBL_FILTER, LBL_NONE);
          if (a->max_nr >= 0)
            stub_emit (&st, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)a->max_nr, LBL_ENOSYS, LBL_FILTER);
          else
            stub_emit (&st, BPF_JMP | BPF_JA, 0, LBL_FILTER, LBL_NONE);
          if (a->max_x32 >= 0)
            {
              st.jt[jset] = (int)st.n;
              stub_emit (&st, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)a->max_x32, LBL_ENOSYS,
                         LBL_FILTER);
            }
        }
      else
        stub_emit (&st, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)a->max_nr, LBL_ENOSYS, LBL_FILTER);
      st.jf[jeq] = (int)st.n; /* another arch: next section */
    }
  if (st.n == 1)
    return 0; /* the profile names no syscall libseccomp knows */
  stub_emit (&st, BPF_JMP | BPF_JA, 0, LBL_FILTER, LBL_NONE);
  if (st.overflow)
    {
      log_debug ("seccomp: too many architectures for the ENOSYS stub");
      return 0;
    }
  size_t pos_enosys = st.n;
  st.ins[st.n++] = (struct sock_filter){ .code = BPF_RET | BPF_K, .k = SECCOMP_RET_ERRNO | ENOSYS };
  size_t pos_filter = st.n;

  for (size_t i = 0; i < pos_enosys; i++)
    {
      int t[2] = { st.jt[i], st.jf[i] };
      size_t off[2] = { 0, 0 };
      for (int w = 0; w < 2; w++)
        {
          size_t target = t[w] == LBL_ENOSYS   ? pos_enosys
                          : t[w] == LBL_FILTER ? pos_filter
                          : t[w] >= 0          ? (size_t)t[w]
                                               : i + 1;
          off[w] = target - (i + 1);
        }
      if (BPF_OP (st.ins[i].code) == BPF_JA && BPF_CLASS (st.ins[i].code) == BPF_JMP)
        st.ins[i].k = (uint32_t)off[0];
      else if (BPF_CLASS (st.ins[i].code) == BPF_JMP)
        {
          st.ins[i].jt = (uint8_t)off[0];
          st.ins[i].jf = (uint8_t)off[1];
        }
    }

  size_t total = st.n + *n_insns;
  if (total > SECCOMP_MAX_INSNS)
    return error_set (err, E2BIG,
                      "the profile compiles to %zu BPF instructions, the kernel "
                      "takes at most %d",
                      total, SECCOMP_MAX_INSNS);
  struct sock_filter *prog = malloc (total * sizeof *prog);
  if (prog == NULL)
    return error_set (err, ENOMEM, "out of memory");
  memcpy (prog, st.ins, st.n * sizeof *prog);
  memcpy (prog + st.n, *bpf, *n_insns * sizeof *prog);
  free (*bpf);
  *bpf = prog;
  *n_insns = total;
  return 0;
}

int
seccomp_compile_uncached (const struct oci_seccomp *s, void **bpf, size_t *n_insns,
                          struct error **err)
{
  uint32_t def = action_value (s->default_action, s->has_default_errno_ret, s->default_errno_ret);
  _cleanup_scmp_ scmp_filter_ctx ctx = seccomp_init (def);
  if (ctx == NULL)
    return error_set (err, EINVAL, "seccomp_init with default action `%s` failed",
                      oci_seccomp_action_name (s->default_action));

  uint32_t tokens[OCI_SECCOMP_MAX_ARCHES + 1];
  size_t n_tokens = 0;
  tokens[n_tokens++] = seccomp_arch_native ();
  for (size_t i = 0; s->architectures && s->architectures[i]; i++)
    {
      uint32_t t = arch_token (s->architectures[i]);
      if (t == 0)
        {
          const struct scmp_version *v = seccomp_version ();
          return error_set (err, ENOTSUP,
                            "architecture `%s` is not supported by libseccomp %u.%u.%u",
                            s->architectures[i], v->major, v->minor, v->micro);
        }
      int r = seccomp_arch_add (ctx, t);
      if (r == -EEXIST)
        continue;
      if (r < 0)
        return error_errno (err, -r, "add architecture `%s`", s->architectures[i]);
      tokens[n_tokens++] = t;
    }

  /* libseccomp's binary-tree layout makes long filters cheaper to run; it
   * misbehaves on empty filters in 2.5.x, hence the threshold (as runc). */
  size_t n_names = 0;
  for (size_t i = 0; i < s->n_syscalls; i++)
    n_names += strv_len (s->syscalls[i].names);
  if (n_names > 32)
    {
      int r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
      if (r < 0)
        log_debug ("seccomp: no binary tree optimisation: %s", strerror (-r));
    }

  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      const struct oci_seccomp_rule *rule = &s->syscalls[i];
      uint32_t act = action_value (rule->action, rule->has_errno_ret, rule->errno_ret);
      if (act == def)
        continue;
      for (char **name = rule->names; *name; name++)
        {
          int nr = seccomp_syscall_resolve_name (*name);
          if (nr == __NR_SCMP_ERROR)
            {
              log_debug ("seccomp: unknown syscall `%s` skipped", *name);
              continue;
            }
          int r = add_rule (ctx, rule, i, act, *name, nr, err);
          if (r < 0)
            return r;
        }
    }

  void *prog = NULL;
  size_t n = 0;
  int r = export_bpf (ctx, &prog, &n, err);
  if (r < 0)
    return r;
  if (!default_is_allow_like (s->default_action))
    {
      r = add_enosys_stub (s, tokens, n_tokens, &prog, &n, err);
      if (r < 0)
        {
          free (prog);
          return r;
        }
    }
  if (n > SECCOMP_MAX_INSNS)
    {
      free (prog);
      return error_set (err, E2BIG,
                        "the profile compiles to %zu BPF instructions, the "
                        "kernel takes at most %d",
                        n, SECCOMP_MAX_INSNS);
    }
  *bpf = prog;
  *n_insns = n;
  return 0;
}

/* ------------------------------------------------------------ public API */

static unsigned int
filter_flags (const struct oci_seccomp *s, bool notify)
{
  unsigned int flags = 0;
  for (size_t i = 0; s->flags && s->flags[i]; i++)
    {
      const char *f = s->flags[i];
      if (strcmp (f, "SECCOMP_FILTER_FLAG_LOG") == 0)
        flags |= SECCOMP_FILTER_FLAG_LOG;
      else if (strcmp (f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
        flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
      else if (strcmp (f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
        {
          /* the kernel takes it only together with NEW_LISTENER */
          if (notify)
            flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
          else
            log_debug ("seccomp: %s ignored without SCMP_ACT_NOTIFY", f);
        }
      /* SECCOMP_FILTER_FLAG_TSYNC: the filter is loaded by the container's
       * single-threaded init just before execve, which ends every other
       * thread anyway; TSYNC would also conflict with NEW_LISTENER. */
    }
  if (notify)
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return flags;
}

static bool
uses_notify (const struct oci_seccomp *s)
{
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (s->syscalls[i].action == OCI_SECCOMP_NOTIFY)
      return true;
  return false;
}

int
seccomp_notify_check (const struct oci_seccomp *s, struct error **err)
{
  if (!uses_notify (s))
    return 0;
  /* Without an agent nobody would ever answer: every notified syscall
   * would block the container for good. */
  if (s->listener_path == NULL || s->listener_path[0] == '\0')
    return error_set (err, EINVAL, "`linux.seccomp`: SCMP_ACT_NOTIFY needs a `listenerPath`");
  /* Between loading the filter and the agent holding the listener, the
   * container process hands the fd to the runtime (sendmsg) and waits for
   * its word (recvmsg): a notified one of these would wait for an agent
   * that cannot have the fd yet (runc refuses `write` for the same reason). */
  static const char *const needed[] = { "sendmsg", "recvmsg" };
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      if (s->syscalls[i].action != OCI_SECCOMP_NOTIFY)
        continue;
      for (char **n = s->syscalls[i].names; n && *n; n++)
        for (size_t k = 0; k < sizeof needed / sizeof needed[0]; k++)
          if (strcmp (*n, needed[k]) == 0)
            return error_set (err, EINVAL,
                              "`linux.seccomp.syscalls[%zu]`: SCMP_ACT_NOTIFY cannot be used for "
                              "`%s` (the runtime needs it to hand the listener over)",
                              i, *n);
    }
  return 0;
}

void
seccomp_filter_free (struct seccomp_filter *f)
{
  if (f == NULL)
    return;
  free (f->bpf);
  free (f);
}

int
seccomp_filter_compile_ex (const struct oci_seccomp *s, const char *cache_dir,
                           struct seccomp_filter **out, bool *cache_hit, struct error **err)
{
  if (cache_hit)
    *cache_hit = false;
  if (s == NULL || !s->present)
    return error_set (err, EINVAL, "no seccomp profile to compile");

  int r0 = seccomp_notify_check (s, err);
  if (r0 < 0)
    return r0;
  _cleanup_free_ struct seccomp_filter *f = calloc (1, sizeof *f);
  if (f == NULL)
    return error_set (err, ENOMEM, "out of memory");
  f->notify = uses_notify (s);
  f->flags = filter_flags (s, f->notify);

  _cleanup_free_ char *canon = NULL;
  size_t canon_len = 0;
  _cleanup_close_ int dirfd = -1;
  if (cache_dir)
    {
      int r = seccomp_canonical (s, &canon, &canon_len, err);
      if (r < 0)
        return r;
      struct error *cerr = NULL;
      dirfd = seccomp_cache_open (cache_dir, &cerr);
      if (dirfd < 0)
        {
          /* the cache only saves time: never fail a container over it */
          log_debug ("seccomp: cache not used: %s", cerr->msg);
          error_free (cerr);
        }
      else if (seccomp_cache_lookup (dirfd, canon, canon_len, &f->bpf, &f->n_insns) > 0)
        {
          if (cache_hit)
            *cache_hit = true;
          *out = TAKE_PTR (f);
          return 0;
        }
    }

  int r = seccomp_compile_uncached (s, &f->bpf, &f->n_insns, err);
  if (r < 0)
    return r;

  if (dirfd >= 0)
    {
      struct error *cerr = NULL;
      if (seccomp_cache_store (dirfd, canon, canon_len, f->bpf, f->n_insns, &cerr) < 0)
        {
          log_debug ("seccomp: cache not written: %s", cerr->msg);
          error_free (cerr);
        }
    }
  *out = TAKE_PTR (f);
  return 0;
}

int
seccomp_filter_compile (const struct oci_seccomp *s, const char *cache_dir,
                        struct seccomp_filter **out, struct error **err)
{
  return seccomp_filter_compile_ex (s, cache_dir, out, NULL, err);
}
