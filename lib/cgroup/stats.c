/* stats.c - `events --stats`: read the counters, shape them as runc does.
 *
 * Each section (cpu, memory, pids, blkio, hugetlb) is read from the v1
 * hierarchy holding its controller when there is one (v1/stats.c), else
 * from the unified leaf (v2/stats.c): on a hybrid host that is v1 for all
 * of them, except cpu usage when cpuacct is not mounted (cgroup2's cpu.stat
 * needs no controller).
 */
#include "internal.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "base/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "stats.h"

void
cg_stats_raw (const char *text, struct cgroup_stats *st)
{
  st->n_mem_raw = 0;
  for (const char *p = text; p && *p && st->n_mem_raw < CGROUP_STATS_MAX_RAW;)
    {
      const char *sp = strchr (p, ' '), *nl = strchr (p, '\n');
      if (nl == NULL)
        nl = p + strlen (p);
      if (sp && sp < nl && (size_t) (sp - p) < sizeof st->mem_raw[0].key)
        {
          char num[32];
          size_t nlen = (size_t) (nl - sp - 1);
          if (nlen < sizeof num)
            {
              memcpy (num, sp + 1, nlen);
              num[nlen] = '\0';
              uint64_t v;
              if (parse_uint64 (num, &v) == 0)
                {
                  struct cgroup_stat_kv *kv = &st->mem_raw[st->n_mem_raw++];
                  memcpy (kv->key, p, (size_t) (sp - p));
                  kv->key[sp - p] = '\0';
                  kv->value = v;
                }
            }
        }
      p = *nl ? nl + 1 : NULL;
    }
}

bool
cg_stats_raw_get (const struct cgroup_stats *st, const char *key, uint64_t *out)
{
  for (unsigned i = 0; i < st->n_mem_raw; i++)
    if (strcmp (st->mem_raw[i].key, key) == 0)
      {
        *out = st->mem_raw[i].value;
        return true;
      }
  return false;
}

void
cg_stats_blkio_add (struct cgroup_stats *st, bool ios, uint32_t major,
                    uint32_t minor, const char *op, uint64_t v)
{
  if (st->n_blkio >= CGROUP_STATS_MAX_BLKIO)
    return;
  struct cgroup_blkio_entry *e = &st->blkio[st->n_blkio++];
  e->ios = ios;
  e->major = major;
  e->minor = minor;
  snprintf (e->op, sizeof e->op, "%s", op);
  e->value = v;
  if (strcmp (op, "Read") == 0)
    *(ios ? &st->io_read_ops : &st->io_read_bytes) += v;
  else if (strcmp (op, "Write") == 0)
    *(ios ? &st->io_write_ops : &st->io_write_bytes) += v;
}

/* "hugetlb.<size><suffix>" files of a cgroup dir -> sizes */
void
cg_stats_hugetlb_sizes (int dirfd, const char *suffix, struct cgroup_stats *st)
{
  int dfd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return;
  _cleanup_closedir_ DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return;
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL && st->n_hugetlb < CGROUP_STATS_MAX_HUGETLB)
    {
      const char *n = de->d_name;
      if (!str_has_prefix (n, "hugetlb.") || !str_has_suffix (n, suffix))
        continue;
      size_t len = strlen (n) - strlen ("hugetlb.") - strlen (suffix);
      if (len == 0 || len >= sizeof st->hugetlb[0].page_size
          || memchr (n + 8, '.', len))
        continue;
      struct cgroup_hugetlb_stat *h = &st->hugetlb[st->n_hugetlb++];
      memset (h, 0, sizeof *h);
      memcpy (h->page_size, n + 8, len);
    }
}

int
cgroup_stats (const struct cgroup *cg, struct cgroup_stats *st,
              struct error **err)
{
  memset (st, 0, sizeof *st);
  if (cg->noop)
    return 0;
  int v2fd = -1;
  if (cg->v2 >= 0)
    {
      v2fd = cg_dir_fd (cg, (size_t) cg->v2, err);
      if (v2fd < 0)
        return v2fd;
    }
  struct
  {
    enum cg_ctrl ctrl;
    int (*v1) (int, struct cgroup_stats *, struct error **);
    int (*v2) (int, struct cgroup_stats *, struct error **);
    const char *v2file;
  } sec[] = {
    { CG_CPUACCT, cg_v1_stat_cpuacct, cg_v2_stat_cpu, "cpu.stat" },
    { CG_CPU, cg_v1_stat_cpu, NULL, NULL },
    { CG_MEMORY, cg_v1_stat_memory, cg_v2_stat_memory, "memory.current" },
    { CG_PIDS, cg_v1_stat_pids, cg_v2_stat_pids, "pids.current" },
    { CG_BLKIO, cg_v1_stat_blkio, cg_v2_stat_io, "io.stat" },
    { CG_HUGETLB, cg_v1_stat_hugetlb, cg_v2_stat_hugetlb, NULL },
  };
  for (size_t i = 0; i < ARRAY_SIZE (sec); i++)
    {
      int r = 0;
      int d = cg->mode == CGROUP_MODE_V2 ? -1 : cg_v1_dir (cg, sec[i].ctrl);
      if (d >= 0)
        {
          int fd = cg_dir_fd (cg, (size_t) d, err);
          if (fd < 0)
            return fd;
          r = sec[i].v1 (fd, st, err);
        }
      else if (v2fd >= 0 && sec[i].v2
               && (sec[i].v2file == NULL || cg_file_exists (v2fd, sec[i].v2file)))
        r = sec[i].v2 (v2fd, st, err);
      if (r < 0)
        return error_prefix (err, "stats of cgroup `%s`", cg->path);
    }
  return 0;
}

/* ------------------------------------------------------------------ JSON */

static void
add_u64 (json_object *o, const char *k, uint64_t v, bool omitempty)
{
  if (omitempty && v == 0)
    return;
  json_object_object_add (o, k, json_object_new_uint64 (v));
}

static json_object *
mem_entry (uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
  json_object *o = json_object_new_object ();
  add_u64 (o, "limit", limit, false);
  add_u64 (o, "usage", usage, true);
  add_u64 (o, "max", max, true);
  add_u64 (o, "failcnt", failcnt, false);
  return o;
}

static json_object *
blkio_table (const struct cgroup_stats *st, bool ios)
{
  json_object *a = NULL;
  for (unsigned i = 0; i < st->n_blkio; i++)
    {
      const struct cgroup_blkio_entry *e = &st->blkio[i];
      if (e->ios != ios)
        continue;
      if (a == NULL)
        a = json_object_new_array ();
      json_object *o = json_object_new_object ();
      add_u64 (o, "major", e->major, true);
      add_u64 (o, "minor", e->minor, true);
      json_object_object_add (o, "op", json_object_new_string (e->op));
      add_u64 (o, "value", e->value, true);
      json_object_array_add (a, o);
    }
  return a;
}

/* runc's types.Stats, field names and omitempty as there */
json_object *
cgroup_stats_to_json (const struct cgroup_stats *st)
{
  json_object *d = json_object_new_object ();

  json_object *cpu = json_object_new_object ();
  json_object *usage = json_object_new_object ();
  add_u64 (usage, "total", st->cpu_usage_total, true);
  if (st->n_percpu)
    {
      json_object *pc = json_object_new_array ();
      for (unsigned i = 0; i < st->n_percpu; i++)
        json_object_array_add (pc, json_object_new_uint64 (st->percpu[i]));
      json_object_object_add (usage, "percpu", pc);
    }
  add_u64 (usage, "kernel", st->cpu_usage_kernel, false);
  add_u64 (usage, "user", st->cpu_usage_user, false);
  json_object_object_add (cpu, "usage", usage);
  json_object *thr = json_object_new_object ();
  add_u64 (thr, "periods", st->cpu_periods, true);
  add_u64 (thr, "throttledPeriods", st->cpu_throttled_periods, true);
  add_u64 (thr, "throttledTime", st->cpu_throttled_time, true);
  json_object_object_add (cpu, "throttling", thr);
  json_object_object_add (d, "cpu", cpu);

  json_object *mem = json_object_new_object ();
  add_u64 (mem, "cache", st->mem_cache, true);
  json_object_object_add (mem, "usage", mem_entry (st->mem_limit, st->mem_usage,
                                                   st->mem_max_usage,
                                                   st->mem_failcnt));
  json_object_object_add (mem, "swap", mem_entry (st->swap_limit, st->swap_usage,
                                                  st->swap_max_usage,
                                                  st->swap_failcnt));
  json_object_object_add (mem, "kernel", mem_entry (st->kmem_limit, st->kmem_usage,
                                                    st->kmem_max_usage,
                                                    st->kmem_failcnt));
  json_object_object_add (mem, "kernelTCP",
                          mem_entry (st->kmem_tcp_limit, st->kmem_tcp_usage,
                                     st->kmem_tcp_max_usage, st->kmem_tcp_failcnt));
  if (st->n_mem_raw)
    {
      json_object *raw = json_object_new_object ();
      for (unsigned i = 0; i < st->n_mem_raw; i++)
        json_object_object_add (raw, st->mem_raw[i].key,
                                json_object_new_uint64 (st->mem_raw[i].value));
      json_object_object_add (mem, "raw", raw);
    }
  json_object_object_add (d, "memory", mem);

  json_object *pids = json_object_new_object ();
  add_u64 (pids, "current", st->pids_current, true);
  add_u64 (pids, "limit", st->pids_limit, true);
  json_object_object_add (d, "pids", pids);

  json_object *blk = json_object_new_object ();
  json_object *t = blkio_table (st, false);
  if (t)
    json_object_object_add (blk, "ioServiceBytesRecursive", t);
  t = blkio_table (st, true);
  if (t)
    json_object_object_add (blk, "ioServicedRecursive", t);
  json_object_object_add (d, "blkio", blk);

  json_object *hug = json_object_new_object ();
  for (unsigned i = 0; i < st->n_hugetlb; i++)
    {
      const struct cgroup_hugetlb_stat *h = &st->hugetlb[i];
      json_object *o = json_object_new_object ();
      add_u64 (o, "usage", h->usage, true);
      add_u64 (o, "max", h->max, true);
      add_u64 (o, "failcnt", h->failcnt, false);
      json_object_object_add (hug, h->page_size, o);
    }
  json_object_object_add (d, "hugetlb", hug);
  json_object_object_add (d, "intel_rdt", json_object_new_object ());
  json_object_object_add (d, "network_interfaces", NULL);
  return d;
}

/* ------------------------------------------------------------------- OOM */

int
cgroup_oom_fd (const struct cgroup *cg, struct error **err)
{
  if (cg->noop)
    return error_set (err, ENOTSUP, "the container has no cgroup");
  int d = cg->mode == CGROUP_MODE_V2 ? -1 : cg_v1_dir (cg, CG_MEMORY);
  if (d >= 0)
    {
      /* v1: an eventfd registered for memory.oom_control through
       * cgroup.event_control ("<eventfd> <oom_control fd>") */
      int fd = cg_dir_fd (cg, (size_t) d, err);
      if (fd < 0)
        return fd;
      _cleanup_close_ int efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
      if (efd < 0)
        return error_errno (err, errno, "eventfd");
      _cleanup_close_ int ofd = openat (fd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
      if (ofd < 0)
        return error_errno (err, errno, "open `memory.oom_control`");
      char buf[32];
      snprintf (buf, sizeof buf, "%d %d", efd, ofd);
      if (cg_write (fd, "cgroup.event_control", buf, NULL, err) < 0)
        return error_prefix (err, "OOM notification");
      return TAKE_FD (efd);
    }
  if (cg->v2 >= 0)
    {
      int fd = cg_dir_fd (cg, (size_t) cg->v2, err);
      if (fd < 0)
        return fd;
      if (!cg_file_exists (fd, "memory.events"))
        return error_set (err, ENOTSUP, "OOM notification: no memory controller "
                          "in cgroup `%s`", cg->path);
      /* v2: memory.events changes (oom, oom_kill counters) wake inotify */
      _cleanup_close_ int ifd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
      if (ifd < 0)
        return error_errno (err, errno, "inotify");
      _cleanup_free_ char *p = NULL;
      if (asprintf (&p, "%s/memory.events", cg->dirs[cg->v2].abs) < 0)
        return error_set (err, ENOMEM, "out of memory");
      if (inotify_add_watch (ifd, p, IN_MODIFY) < 0)
        return error_errno (err, errno, "watch `%s`", p);
      return TAKE_FD (ifd);
    }
  return error_set (err, ENOTSUP, "OOM notification: no memory controller");
}
