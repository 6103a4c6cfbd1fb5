/* v1/stats.c - counters from the v1 controllers, in runc's units
 * (nanoseconds, bytes). */
#include "../internal.h"
#include "../stats.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* a file that may be missing (older kernels, no swap accounting): 0 */
static uint64_t
opt_u64 (int fd, const char *file)
{
  uint64_t v = 0;
  if (cg_read_u64 (fd, file, &v, NULL) < 0)
    return 0;
  return v;
}

int
cg_v1_stat_cpuacct (int fd, struct cgroup_stats *st, struct error **err)
{
  int r = cg_read_u64 (fd, "cpuacct.usage", &st->cpu_usage_total, err);
  if (r < 0)
    return r;
  st->has_cpu = true;
  _cleanup_free_ char *pc = NULL;
  if (cg_read (fd, "cpuacct.usage_percpu", &pc, NULL) == 0)
    {
      char *p = pc, *e;
      while (*p && st->n_percpu < CGROUP_STATS_MAX_CPUS)
        {
          unsigned long long v = strtoull (p, &e, 10);
          if (e == p)
            break;
          st->percpu[st->n_percpu++] = v;
          p = e;
        }
    }
  if (cg_file_exists (fd, "cpuacct.usage_user"))
    {
      st->cpu_usage_user = opt_u64 (fd, "cpuacct.usage_user");
      st->cpu_usage_kernel = opt_u64 (fd, "cpuacct.usage_sys");
    }
  else
    {
      /* cpuacct.stat counts USER_HZ ticks */
      _cleanup_free_ char *s = NULL;
      uint64_t u = 0, k = 0;
      long hz = sysconf (_SC_CLK_TCK);
      if (hz <= 0)
        hz = 100;
      if (cg_read (fd, "cpuacct.stat", &s, NULL) == 0)
        {
          cg_kv_get (s, "user", &u);
          cg_kv_get (s, "system", &k);
        }
      st->cpu_usage_user = u * (1000000000ULL / (uint64_t) hz);
      st->cpu_usage_kernel = k * (1000000000ULL / (uint64_t) hz);
    }
  return 0;
}

int
cg_v1_stat_cpu (int fd, struct cgroup_stats *st, struct error **err)
{
  _cleanup_free_ char *s = NULL;
  if (cg_read (fd, "cpu.stat", &s, NULL) < 0)
    return 0;
  cg_kv_get (s, "nr_periods", &st->cpu_periods);
  cg_kv_get (s, "nr_throttled", &st->cpu_throttled_periods);
  cg_kv_get (s, "throttled_time", &st->cpu_throttled_time);
  return 0;
}

int
cg_v1_stat_memory (int fd, struct cgroup_stats *st, struct error **err)
{
  int r = cg_read_u64 (fd, "memory.usage_in_bytes", &st->mem_usage, err);
  if (r < 0)
    return r;
  st->has_memory = true;
  st->mem_limit = opt_u64 (fd, "memory.limit_in_bytes");
  st->mem_max_usage = opt_u64 (fd, "memory.max_usage_in_bytes");
  st->mem_failcnt = opt_u64 (fd, "memory.failcnt");
  /* v1 reports swap as memory+swap, and runc passes that on */
  st->swap_usage = opt_u64 (fd, "memory.memsw.usage_in_bytes");
  st->swap_limit = opt_u64 (fd, "memory.memsw.limit_in_bytes");
  st->swap_max_usage = opt_u64 (fd, "memory.memsw.max_usage_in_bytes");
  st->swap_failcnt = opt_u64 (fd, "memory.memsw.failcnt");
  st->kmem_usage = opt_u64 (fd, "memory.kmem.usage_in_bytes");
  st->kmem_limit = opt_u64 (fd, "memory.kmem.limit_in_bytes");
  st->kmem_max_usage = opt_u64 (fd, "memory.kmem.max_usage_in_bytes");
  st->kmem_failcnt = opt_u64 (fd, "memory.kmem.failcnt");
  st->kmem_tcp_usage = opt_u64 (fd, "memory.kmem.tcp.usage_in_bytes");
  st->kmem_tcp_limit = opt_u64 (fd, "memory.kmem.tcp.limit_in_bytes");
  st->kmem_tcp_max_usage = opt_u64 (fd, "memory.kmem.tcp.max_usage_in_bytes");
  st->kmem_tcp_failcnt = opt_u64 (fd, "memory.kmem.tcp.failcnt");
  _cleanup_free_ char *s = NULL;
  if (cg_read (fd, "memory.stat", &s, NULL) == 0)
    {
      cg_stats_raw (s, st);
      cg_stats_raw_get (st, "cache", &st->mem_cache);
    }
  _cleanup_free_ char *oom = NULL;
  if (cg_read (fd, "memory.oom_control", &oom, NULL) == 0)
    cg_kv_get (oom, "oom_kill", &st->oom_kill_events);
  st->oom_events = st->oom_kill_events; /* v1 counts only kills */
  return 0;
}

int
cg_v1_stat_pids (int fd, struct cgroup_stats *st, struct error **err)
{
  int r = cg_read_u64 (fd, "pids.current", &st->pids_current, err);
  if (r < 0)
    return r;
  st->has_pids = true;
  uint64_t max = 0;
  if (cg_read_u64 (fd, "pids.max", &max, NULL) == 0 && max != UINT64_MAX)
    st->pids_limit = max;
  return 0;
}

/* "8:0 Read 123" lines; "Total N" ends the file */
static void
blkio_file (int fd, const char *file, bool ios, struct cgroup_stats *st)
{
  _cleanup_free_ char *s = NULL;
  if (cg_read (fd, file, &s, NULL) < 0)
    return;
  char *save = NULL;
  for (char *l = strtok_r (s, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    {
      unsigned maj, min;
      char op[16];
      unsigned long long v;
      if (sscanf (l, "%u:%u %15s %llu", &maj, &min, op, &v) == 4)
        cg_stats_blkio_add (st, ios, maj, min, op, v);
    }
}

int
cg_v1_stat_blkio (int fd, struct cgroup_stats *st, struct error **err)
{
  st->has_blkio = true;
  /* the throttle files count every I/O; the scheduler's (CFQ/BFQ) only
   * what went through it */
  blkio_file (fd, "blkio.throttle.io_service_bytes_recursive", false, st);
  blkio_file (fd, "blkio.throttle.io_serviced_recursive", true, st);
  if (st->n_blkio == 0)
    {
      blkio_file (fd, "blkio.bfq.io_service_bytes_recursive", false, st);
      blkio_file (fd, "blkio.bfq.io_serviced_recursive", true, st);
    }
  return 0;
}

int
cg_v1_stat_hugetlb (int fd, struct cgroup_stats *st, struct error **err)
{
  cg_stats_hugetlb_sizes (fd, ".limit_in_bytes", st);
  for (unsigned i = 0; i < st->n_hugetlb; i++)
    {
      struct cgroup_hugetlb_stat *h = &st->hugetlb[i];
      char f[64];
      snprintf (f, sizeof f, "hugetlb.%s.usage_in_bytes", h->page_size);
      h->usage = opt_u64 (fd, f);
      snprintf (f, sizeof f, "hugetlb.%s.max_usage_in_bytes", h->page_size);
      h->max = opt_u64 (fd, f);
      snprintf (f, sizeof f, "hugetlb.%s.failcnt", h->page_size);
      h->failcnt = opt_u64 (fd, f);
    }
  return 0;
}
