/* v2/stats.c - counters from the unified hierarchy, converted to runc's
 * (v1-shaped) units: microseconds to nanoseconds, swap reported as
 * memory+swap as v1 did. */
#include "../internal.h"
#include "../stats.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint64_t
opt_u64 (int fd, const char *file)
{
  uint64_t v = 0;
  if (cg_read_u64 (fd, file, &v, NULL) < 0)
    return 0;
  return v;
}

int
cg_v2_stat_cpu (int fd, struct cgroup_stats *st, struct error **err)
{
  _cleanup_free_ char *s = NULL;
  int r = cg_read (fd, "cpu.stat", &s, err);
  if (r < 0)
    return r;
  st->has_cpu = true;
  uint64_t v;
  if (cg_kv_get (s, "usage_usec", &v) == 0)
    st->cpu_usage_total = v * 1000;
  if (cg_kv_get (s, "user_usec", &v) == 0)
    st->cpu_usage_user = v * 1000;
  if (cg_kv_get (s, "system_usec", &v) == 0)
    st->cpu_usage_kernel = v * 1000;
  cg_kv_get (s, "nr_periods", &st->cpu_periods);
  cg_kv_get (s, "nr_throttled", &st->cpu_throttled_periods);
  if (cg_kv_get (s, "throttled_usec", &v) == 0)
    st->cpu_throttled_time = v * 1000;
  return 0;
}

int
cg_v2_stat_memory (int fd, struct cgroup_stats *st, struct error **err)
{
  int r = cg_read_u64 (fd, "memory.current", &st->mem_usage, err);
  if (r < 0)
    return r;
  st->has_memory = true;
  st->mem_limit = opt_u64 (fd, "memory.max");
  st->mem_max_usage = opt_u64 (fd, "memory.peak");
  uint64_t swap = opt_u64 (fd, "memory.swap.current");
  uint64_t swap_max = opt_u64 (fd, "memory.swap.max");
  st->swap_usage = swap + st->mem_usage;
  st->swap_limit = swap_max == UINT64_MAX || st->mem_limit == UINT64_MAX
                       ? UINT64_MAX
                       : swap_max + st->mem_limit;
  _cleanup_free_ char *ev = NULL;
  if (cg_read (fd, "memory.events", &ev, NULL) == 0)
    {
      cg_kv_get (ev, "oom", &st->oom_events);
      cg_kv_get (ev, "oom_kill", &st->oom_kill_events);
      /* the nearest v2 has to v1's failcnt: times usage hit memory.max */
      cg_kv_get (ev, "max", &st->mem_failcnt);
    }
  _cleanup_free_ char *s = NULL;
  if (cg_read (fd, "memory.stat", &s, NULL) == 0)
    {
      cg_stats_raw (s, st);
      cg_stats_raw_get (st, "file", &st->mem_cache);
    }
  return 0;
}

int
cg_v2_stat_pids (int fd, struct cgroup_stats *st, struct error **err)
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

/* "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" */
int
cg_v2_stat_io (int fd, struct cgroup_stats *st, struct error **err)
{
  _cleanup_free_ char *s = NULL;
  if (cg_read (fd, "io.stat", &s, NULL) < 0)
    return 0;
  st->has_blkio = true;
  char *save = NULL;
  for (char *l = strtok_r (s, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    {
      unsigned maj, min;
      int off = 0;
      if (sscanf (l, "%u:%u%n", &maj, &min, &off) != 2)
        continue;
      char *s2 = NULL;
      for (char *t = strtok_r (l + off, " ", &s2); t; t = strtok_r (NULL, " ", &s2))
        {
          char *eq = strchr (t, '=');
          uint64_t v;
          if (eq == NULL)
            continue;
          *eq = '\0';
          if (parse_uint64 (eq + 1, &v) < 0)
            continue;
          if (strcmp (t, "rbytes") == 0)
            cg_stats_blkio_add (st, false, maj, min, "Read", v);
          else if (strcmp (t, "wbytes") == 0)
            cg_stats_blkio_add (st, false, maj, min, "Write", v);
          else if (strcmp (t, "rios") == 0)
            cg_stats_blkio_add (st, true, maj, min, "Read", v);
          else if (strcmp (t, "wios") == 0)
            cg_stats_blkio_add (st, true, maj, min, "Write", v);
        }
    }
  return 0;
}

int
cg_v2_stat_hugetlb (int fd, struct cgroup_stats *st, struct error **err)
{
  cg_stats_hugetlb_sizes (fd, ".max", st);
  for (unsigned i = 0; i < st->n_hugetlb; i++)
    {
      struct cgroup_hugetlb_stat *h = &st->hugetlb[i];
      char f[64];
      snprintf (f, sizeof f, "hugetlb.%s.current", h->page_size);
      h->usage = opt_u64 (fd, f);
      /* v2 has no peak; runc leaves max 0 too */
      snprintf (f, sizeof f, "hugetlb.%s.events", h->page_size);
      _cleanup_free_ char *ev = NULL;
      if (cg_read (fd, f, &ev, NULL) == 0)
        cg_kv_get (ev, "max", &h->failcnt);
    }
  return 0;
}
