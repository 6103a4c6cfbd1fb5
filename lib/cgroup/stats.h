/* stats.h - the per-version stat readers (v1/stats.c, v2/stats.c) and the
 * helpers they share (stats.c).  Internal to lib/cgroup. */
#ifndef HULL_CGROUP_STATS_H
#define HULL_CGROUP_STATS_H

#include "cgroup.h"

void cg_stats_raw (const char *text, struct cgroup_stats *st);
bool cg_stats_raw_get (const struct cgroup_stats *st, const char *key,
                       uint64_t *out);
void cg_stats_blkio_add (struct cgroup_stats *st, bool ios, uint32_t major,
                         uint32_t minor, const char *op, uint64_t v);
void cg_stats_hugetlb_sizes (int dirfd, const char *suffix,
                             struct cgroup_stats *st);

int cg_v1_stat_cpuacct (int fd, struct cgroup_stats *st, struct error **err);
int cg_v1_stat_cpu (int fd, struct cgroup_stats *st, struct error **err);
int cg_v1_stat_memory (int fd, struct cgroup_stats *st, struct error **err);
int cg_v1_stat_pids (int fd, struct cgroup_stats *st, struct error **err);
int cg_v1_stat_blkio (int fd, struct cgroup_stats *st, struct error **err);
int cg_v1_stat_hugetlb (int fd, struct cgroup_stats *st, struct error **err);

int cg_v2_stat_cpu (int fd, struct cgroup_stats *st, struct error **err);
int cg_v2_stat_memory (int fd, struct cgroup_stats *st, struct error **err);
int cg_v2_stat_pids (int fd, struct cgroup_stats *st, struct error **err);
int cg_v2_stat_io (int fd, struct cgroup_stats *st, struct error **err);
int cg_v2_stat_hugetlb (int fd, struct cgroup_stats *st, struct error **err);

#endif
