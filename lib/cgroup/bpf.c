/* bpf.c - the cgroup v2 device filter: an eBPF program built here, loaded
 * with bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE) and attached to the
 * container's cgroup (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI).
 *
 * cgroup v2 has no devices controller: the kernel asks the BPF programs
 * attached to the cgroup and its ancestors, and a device is usable only if
 * all of them say 1.  So the program must be complete on its own: it encodes
 * the emulated v1 state (devices.c), a default verdict plus exceptions.
 *
 * The context is struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
 * u32 minor; } with access_type = access << 16 | type.  The program:
 *
 *   r2 = ctx->access_type & 0xffff      device type (1 block, 2 char)
 *   r3 = ctx->access_type >> 16         requested access (1 mknod, 2 read, 4 write)
 *   r4 = ctx->major; r5 = ctx->minor
 *   per exception: compare, on match return its verdict, else next block
 *   return the default verdict
 *
 * Comparisons are 32-bit (BPF_JMP32): a major above 2^31 must not be
 * compared against a sign-extended immediate.
 *
 * Replacing on update: attach the new program first, then detach the old
 * ones.  While both are attached both must allow, so the moment between is
 * never more permissive than either.
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* opcodes used (see the kernel's Documentation/bpf/standardization) */
#define OP_LDXW (BPF_LDX | BPF_MEM | BPF_W)
#define OP_AND32_K (BPF_ALU | BPF_AND | BPF_K)
#define OP_RSH32_K (BPF_ALU | BPF_RSH | BPF_K)
#define OP_MOV32_X (BPF_ALU | BPF_MOV | BPF_X)
#define OP_MOV64_K (BPF_ALU64 | BPF_MOV | BPF_K)
#define OP_JNE32_K (BPF_JMP32 | BPF_JNE | BPF_K)
#define OP_JEQ32_K (BPF_JMP32 | BPF_JEQ | BPF_K)
#define OP_EXIT (BPF_JMP | BPF_EXIT)

#define DEV_BLOCK 1 /* BPF_DEVCG_DEV_BLOCK */
#define DEV_CHAR 2  /* BPF_DEVCG_DEV_CHAR */

static struct cg_bpf_insn
insn (uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  return (struct cg_bpf_insn) { code, (uint8_t) ((dst & 0xf) | (src << 4)),
                                off, imm };
}

int
cg_bpf_build (const struct cg_dev_state *st, struct cg_bpf_insn **out,
              size_t *n, struct error **err)
{
  /* 6 prologue, at most 8 per exception, 2 epilogue */
  size_t cap = 6 + 8 * st->n + 2, k = 0;
  if (st->n > 4096)
    return error_set (err, E2BIG, "too many device rules");
  struct cg_bpf_insn *p = calloc (cap, sizeof *p);
  if (p == NULL)
    return error_set (err, ENOMEM, "out of memory");
  p[k++] = insn (OP_LDXW, 2, 1, 0, 0);
  p[k++] = insn (OP_AND32_K, 2, 0, 0, 0xffff);
  p[k++] = insn (OP_LDXW, 3, 1, 0, 0);
  p[k++] = insn (OP_RSH32_K, 3, 0, 0, 16);
  p[k++] = insn (OP_LDXW, 4, 1, 4, 0);
  p[k++] = insn (OP_LDXW, 5, 1, 8, 0);
  const unsigned all = CG_DEV_ACC_READ | CG_DEV_ACC_WRITE | CG_DEV_ACC_MKNOD;
  for (size_t i = 0; i < st->n; i++)
    {
      const struct cg_dev_exception *e = &st->ex[i];
      size_t start = k;
      size_t jumps[8], nj = 0;
      int type = e->type == 'b' ? DEV_BLOCK : DEV_CHAR;
      jumps[nj++] = k;
      p[k++] = insn (OP_JNE32_K, 2, 0, 0, type);
      if ((e->access & all) != all)
        {
          p[k++] = insn (OP_MOV32_X, 1, 3, 0, 0);
          if (st->default_allow)
            {
              /* deny exception: matches when the request overlaps it */
              p[k++] = insn (OP_AND32_K, 1, 0, 0, (int32_t) e->access);
              jumps[nj++] = k;
              p[k++] = insn (OP_JEQ32_K, 1, 0, 0, 0);
            }
          else
            {
              /* allow exception: matches when it covers all the request */
              p[k++] = insn (OP_AND32_K, 1, 0, 0, (int32_t) (~e->access & all));
              jumps[nj++] = k;
              p[k++] = insn (OP_JNE32_K, 1, 0, 0, 0);
            }
        }
      if (e->major >= 0)
        {
          jumps[nj++] = k;
          p[k++] = insn (OP_JNE32_K, 4, 0, 0, (int32_t) (uint32_t) e->major);
        }
      if (e->minor >= 0)
        {
          jumps[nj++] = k;
          p[k++] = insn (OP_JNE32_K, 5, 0, 0, (int32_t) (uint32_t) e->minor);
        }
      p[k++] = insn (OP_MOV64_K, 0, 0, 0, st->default_allow ? 0 : 1);
      p[k++] = insn (OP_EXIT, 0, 0, 0, 0);
      /* "next" is the first instruction after this block */
      for (size_t j = 0; j < nj; j++)
        p[jumps[j]].off = (int16_t) (k - (jumps[j] + 1));
      (void) start;
    }
  p[k++] = insn (OP_MOV64_K, 0, 0, 0, st->default_allow ? 1 : 0);
  p[k++] = insn (OP_EXIT, 0, 0, 0, 0);
  *out = p;
  *n = k;
  return 0;
}

int
cg_bpf_interpret (const struct cg_bpf_insn *p, size_t n, uint32_t type,
                  uint32_t access, uint32_t major, uint32_t minor)
{
  uint32_t ctx[3] = { (access << 16) | type, major, minor };
  uint64_t reg[11] = { 0 };
  for (size_t pc = 0; pc < n; pc++)
    {
      const struct cg_bpf_insn *i = &p[pc];
      unsigned dst = i->regs & 0xf, src = i->regs >> 4;
      switch (i->code)
        {
        case OP_LDXW:
          if (src != 1 || i->off < 0 || i->off > 8 || i->off % 4)
            return -1;
          reg[dst] = ctx[i->off / 4];
          break;
        case OP_AND32_K:
          reg[dst] = (uint32_t) reg[dst] & (uint32_t) i->imm;
          break;
        case OP_RSH32_K:
          reg[dst] = (uint32_t) reg[dst] >> i->imm;
          break;
        case OP_MOV32_X:
          reg[dst] = (uint32_t) reg[src];
          break;
        case OP_MOV64_K:
          reg[dst] = (uint64_t) (int64_t) i->imm;
          break;
        case OP_JNE32_K:
          if ((uint32_t) reg[dst] != (uint32_t) i->imm)
            pc += (size_t) i->off;
          break;
        case OP_JEQ32_K:
          if ((uint32_t) reg[dst] == (uint32_t) i->imm)
            pc += (size_t) i->off;
          break;
        case OP_EXIT:
          return (int) reg[0];
        default:
          return -1;
        }
    }
  return -1;
}

static int
sys_bpf (int cmd, union bpf_attr *a)
{
  return (int) syscall (SYS_bpf, cmd, a, sizeof *a);
}

int
cg_bpf_install (int cgroup_fd, const struct cg_bpf_insn *insns, size_t n,
                struct error **err)
{
  char vlog[4096] = "";
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t) (uintptr_t) insns;
  a.insn_cnt = (uint32_t) n;
  a.license = (uint64_t) (uintptr_t) "Apache-2.0";
  _cleanup_close_ int prog = sys_bpf (BPF_PROG_LOAD, &a);
  if (prog < 0)
    {
      int e = errno;
      if (e == EINVAL || e == EACCES)
        {
          /* reload with the verifier log to say why */
          a.log_level = 1;
          a.log_buf = (uint64_t) (uintptr_t) vlog;
          a.log_size = sizeof vlog;
          int p2 = sys_bpf (BPF_PROG_LOAD, &a);
          safe_close (p2);
          char *nl = strchr (vlog, '\n');
          if (nl)
            *nl = '\0';
        }
      return error_errno (err, e, "load the device filter (eBPF)%s%s",
                          vlog[0] ? ": " : "", vlog);
    }

  /* what is attached now, to detach after the new one is in place */
  uint32_t ids[64];
  memset (&a, 0, sizeof a);
  a.query.target_fd = (uint32_t) cgroup_fd;
  a.query.attach_type = BPF_CGROUP_DEVICE;
  a.query.prog_ids = (uint64_t) (uintptr_t) ids;
  a.query.prog_cnt = ARRAY_SIZE (ids);
  uint32_t n_old = 0;
  if (sys_bpf (BPF_PROG_QUERY, &a) == 0)
    n_old = a.query.prog_cnt < ARRAY_SIZE (ids) ? a.query.prog_cnt : ARRAY_SIZE (ids);

  memset (&a, 0, sizeof a);
  a.target_fd = (uint32_t) cgroup_fd;
  a.attach_bpf_fd = (uint32_t) prog;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf (BPF_PROG_ATTACH, &a) < 0)
    return error_errno (err, errno, "attach the device filter (eBPF) to the cgroup");

  for (uint32_t i = 0; i < n_old; i++)
    {
      memset (&a, 0, sizeof a);
      a.prog_id = ids[i];
      _cleanup_close_ int old = sys_bpf (BPF_PROG_GET_FD_BY_ID, &a);
      if (old < 0)
        continue;
      memset (&a, 0, sizeof a);
      a.target_fd = (uint32_t) cgroup_fd;
      a.attach_bpf_fd = (uint32_t) old;
      a.attach_type = BPF_CGROUP_DEVICE;
      if (sys_bpf (BPF_PROG_DETACH, &a) < 0 && errno != ENOENT)
        return error_errno (err, errno, "detach the previous device filter");
    }
  return 0;
}
