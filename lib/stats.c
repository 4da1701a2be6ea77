// SPDX-License-Identifier: MIT
/*
 * Statistics: the vGPU's counters from sysfs,
 * /sys/bus/mdev/devices/UUID/mvgpu_stats/NAME, one decimal number each.
 * Inside a VM there is no such sysfs: the counters BAR0 has (BUSY_NS,
 * CMDS_DONE) and, through the guest driver, its interrupt count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libmvgpu_int.h"

int mvgpu__sysfs_read(const char *dir, const char *name, char *buf,
		      size_t len)
{
	char path[PATH_MAX + 64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int mvgpu__sysfs_u64(const char *dir, const char *name, uint64_t *val)
{
	char buf[64], *end;
	unsigned long long v;
	int ret = mvgpu__sysfs_read(dir, name, buf, sizeof(buf));

	if (ret)
		return ret;
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*val = v;
	return 0;
}

static const struct {
	const char *name;
	size_t off;
} mvgpu_stat_files[] = {
#define STAT(f) { #f, offsetof(struct mvgpu_stats, f) }
	STAT(busy_ns),
	STAT(wait_ns),
	STAT(vruntime_ns),
	STAT(slices),
	STAT(preemptions),
	STAT(max_wait_slices),
	STAT(commands),
	STAT(bytes),
	STAT(faults),
	STAT(vram_faults),
	STAT(interrupts),
#undef STAT
};

int mvgpu__stats_regs(struct mvgpu *g, struct mvgpu_stats *stats)
{
	struct mvgpu_stats s;
	int ret;

	memset(&s, 0, sizeof(s));
	pthread_mutex_lock(&g->lock);
	ret = mvgpu__reg_read64(g, MVGPU_REG_BUSY_NS, &s.busy_ns);
	if (!ret)
		ret = mvgpu__reg_read64(g, MVGPU_REG_CMDS_DONE, &s.commands);
	pthread_mutex_unlock(&g->lock);
	if (ret)
		return mvgpu__err(ret, "mvgpu_get_stats: cannot read the vGPU's counters: %s",
				  strerror(-ret));
	*stats = s;
	return 0;
}

int mvgpu_get_stats(struct mvgpu *g, struct mvgpu_stats *stats)
{
	char dir[PATH_MAX + 16];
	struct mvgpu_stats s;
	size_t i;

	if (!g)
		return mvgpu__bad_handle("mvgpu_get_stats");
	if (!stats)
		return mvgpu__err(-EINVAL, "mvgpu_get_stats: stats is NULL");
	if (g->ops->get_stats)
		return g->ops->get_stats(g, stats);
	if (g->stats_regs)
		return mvgpu__stats_regs(g, stats);
	/* sysfs_dir is set once at open: no lock needed to read it */
	snprintf(dir, sizeof(dir), "%s/mvgpu_stats", g->sysfs_dir);
	memset(&s, 0, sizeof(s));
	for (i = 0; i < sizeof(mvgpu_stat_files) / sizeof(mvgpu_stat_files[0]);
	     i++) {
		uint64_t *field = (uint64_t *)((char *)&s +
					       mvgpu_stat_files[i].off);
		int ret = mvgpu__sysfs_u64(dir, mvgpu_stat_files[i].name, field);

		if (ret)
			return mvgpu__err(ret,
					  "mvgpu_get_stats: cannot read %s/%s: %s (is mvgpu.ko loaded, and the vGPU still there?)",
					  dir, mvgpu_stat_files[i].name,
					  ret == -EINVAL ? "not a number" :
					  strerror(-ret));
	}
	*stats = s;
	return 0;
}
