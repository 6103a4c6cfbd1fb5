/* hull-init - what `hull run --init` runs as the container's pid 1.
 *
 *   hull-init [--] COMMAND [ARG...]
 *
 * A pid 1 has two jobs the usual program does not do: reap the zombies of
 * every orphan the kernel reparents to it, and pass on the signals meant
 * for the container (the kernel delivers none to pid 1 for which it has no
 * handler, so `hull stop` would otherwise always end in SIGKILL).  hull-init
 * runs COMMAND as its only child, in a process group of its own (given the
 * terminal when there is one), forwards every signal it gets to that group,
 * reaps whatever exits, and exits with COMMAND's status (128 + signal when
 * it was killed), as docker's init does.
 *
 * It is bind-mounted read-only into containers that may have no libc at
 * all, so it is freestanding: no libc, raw system calls, a few kilobytes
 * (x86-64 and AArch64; other architectures build it against libc).
 */
#include <asm/unistd.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <linux/wait.h>

#ifndef TIOCSPGRP
#define TIOCSPGRP 0x5410
#endif

typedef unsigned long ulong;

#if defined(__x86_64__)
static long
sys6 (long n, long a, long b, long c, long d, long e, long f)
{
  register long r10 __asm__ ("r10") = d;
  register long r8 __asm__ ("r8") = e;
  register long r9 __asm__ ("r9") = f;
  long ret;
  __asm__ volatile ("syscall"
                    : "=a"(ret)
                    : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                    : "rcx", "r11", "memory");
  return ret;
}
#elif defined(__aarch64__)
static long
sys6 (long n, long a, long b, long c, long d, long e, long f)
{
  register long x8 __asm__ ("x8") = n;
  register long x0 __asm__ ("x0") = a;
  register long x1 __asm__ ("x1") = b;
  register long x2 __asm__ ("x2") = c;
  register long x3 __asm__ ("x3") = d;
  register long x4 __asm__ ("x4") = e;
  register long x5 __asm__ ("x5") = f;
  __asm__ volatile ("svc 0"
                    : "+r"(x0)
                    : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                    : "memory");
  return x0;
}
#else
#error "hull-init: freestanding build for x86-64 and AArch64 only"
#endif

#define SYS(n, a, b, c, d) sys6 ((n), (long) (a), (long) (b), (long) (c), (long) (d), 0, 0)

static ulong
len (const char *s)
{
  ulong n = 0;
  while (s[n])
    n++;
  return n;
}

static void
say (const char *a, const char *b, const char *c)
{
  const char *parts[] = { "hull-init: ", a, b, c, "\n" };
  for (int i = 0; i < 5; i++)
    if (parts[i])
      SYS (__NR_write, 2, parts[i], len (parts[i]), 0);
}

static void
quit (int code)
{
  for (;;)
    SYS (__NR_exit_group, code, 0, 0, 0);
}

/* The compiler may emit calls to these for struct copies. */
void *memset (void *d, int c, ulong n);
void *
memset (void *d, int c, ulong n)
{
  unsigned char *p = d;
  while (n--)
    *p++ = (unsigned char) c;
  return d;
}
void *memcpy (void *d, const void *s, ulong n);
void *
memcpy (void *d, const void *s, ulong n)
{
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--)
    *p++ = *q++;
  return d;
}

struct ksigaction
{
  void *handler;
  ulong flags;
#if defined(__x86_64__)
  void *restorer;
#endif
  ulong mask;
};

/* execvp: the PATH of the container's environment, then the shell's
 * default; a name with a slash is run as is. */
static int
run (char **argv, char **envp)
{
  const char *name = argv[0];
  for (const char *p = name; *p; p++)
    if (*p == '/')
      return (int) SYS (__NR_execve, name, argv, envp, 0);
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (char **e = envp; *e; e++)
    if ((*e)[0] == 'P' && (*e)[1] == 'A' && (*e)[2] == 'T' && (*e)[3] == 'H' && (*e)[4] == '=')
      path = *e + 5;
  char buf[4096];
  ulong nl = len (name);
  int err = -2; /* ENOENT */
  while (*path)
    {
      ulong dl = 0;
      while (path[dl] && path[dl] != ':')
        dl++;
      if (dl + nl + 2 <= sizeof buf)
        {
          ulong k = 0;
          for (ulong i = 0; i < dl; i++)
            buf[k++] = path[i];
          if (dl == 0)
            buf[k++] = '.';
          buf[k++] = '/';
          for (ulong i = 0; i <= nl; i++)
            buf[k++] = name[i];
          int r = (int) SYS (__NR_execve, buf, argv, envp, 0);
          if (r == -13) /* EACCES: remember it, keep looking */
            err = r;
        }
      path += dl;
      if (*path == ':')
        path++;
    }
  return err;
}

static int
main_ (int argc, char **argv, char **envp)
{
  int first = 1;
  if (argc > 1 && argv[1][0] == '-' && argv[1][1] == '-' && argv[1][2] == '\0')
    first = 2;
  if (first >= argc)
    {
      say ("usage: hull-init [--] COMMAND [ARG...]", 0, 0);
      return 2;
    }
  ulong all = ~0UL, old = 0;
  SYS (__NR_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof all);

  long child = sys6 (__NR_clone, SIGCHLD, 0, 0, 0, 0, 0);
  if (child < 0)
    {
      say ("fork failed", 0, 0);
      return 1;
    }
  if (child == 0)
    {
      SYS (__NR_setpgid, 0, 0, 0, 0);
      /* take the terminal for our group, so ^C reaches the command (and
       * only it); SIGTTOU is ignored meanwhile (we are in the background) */
      struct ksigaction ign = { .handler = (void *) 1 /* SIG_IGN */ }, prev;
      SYS (__NR_rt_sigaction, SIGTTOU, &ign, &prev, sizeof (ulong));
      int pid = (int) SYS (__NR_getpid, 0, 0, 0, 0);
      SYS (__NR_ioctl, 0, TIOCSPGRP, &pid, 0);
      SYS (__NR_rt_sigaction, SIGTTOU, &prev, 0, sizeof (ulong));
      SYS (__NR_rt_sigprocmask, SIG_SETMASK, &old, 0, sizeof old);
      int e = run (argv + first, envp);
      say ("exec `", argv[first], "` failed");
      quit (e == -2 ? 127 : 126);
    }
  SYS (__NR_setpgid, child, child, 0, 0);

  for (;;)
    {
      siginfo_t si;
      long sig = SYS (__NR_rt_sigtimedwait, &all, &si, 0, sizeof all);
      if (sig < 0)
        continue;
      if (sig != SIGCHLD)
        {
          /* to the whole group: the command's own children too */
          if (SYS (__NR_kill, -child, sig, 0, 0) < 0)
            SYS (__NR_kill, child, sig, 0, 0);
          continue;
        }
      for (;;)
        {
          int status = 0;
          long p = SYS (__NR_wait4, -1, &status, WNOHANG, 0);
          if (p <= 0)
            break;
          if (p == child)
            {
              /* what is left of its group goes with us: the pid namespace
               * ends when pid 1 does */
              if ((status & 0x7f) == 0)
                return (status >> 8) & 0xff;
              return 128 + (status & 0x7f);
            }
        }
    }
}

/* The entry point: the stack holds argc, argv[], NULL, envp[], NULL. */
__attribute__ ((used)) void start_c (long *sp);
__attribute__ ((used)) void
start_c (long *sp)
{
  int argc = (int) sp[0];
  char **argv = (char **) (sp + 1);
  char **envp = argv + argc + 1;
  quit (main_ (argc, argv, envp));
}

#if defined(__x86_64__)
__asm__ (".text\n.global _start\n_start:\n  xor %rbp, %rbp\n  mov %rsp, %rdi\n"
         "  and $-16, %rsp\n  call start_c\n  hlt\n");
#else
__asm__ (".text\n.global _start\n_start:\n  mov x29, #0\n  mov x30, #0\n  mov x0, sp\n"
         "  and sp, x0, #-16\n  bl start_c\n  brk #0\n");
#endif
