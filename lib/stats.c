// SPDX-License-Identifier: MIT
/*
 * Statistics and meters: a vGPU's counters from sysfs,
 * DEVICES/UUID/mvgpu_stats/NAME and DEVICES/UUID/mvgpu_meter/NAME, one
 * decimal number each (names from include/mvgpu_uapi.h).  Used by an open
 * handle (mvgpu_get_stats) and by the management half (by UUID).  Inside a
 * VM there is no such sysfs: the counters BAR0 has (BUSY_NS, CMDS_DONE)
 * and, through the guest driver, its interrupt count.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libmvgpu_int.h"

static const char *const mvgpu_stat_names[MVGPU_NUM_STATS] = MVGPU_STAT_NAMES;
static const char *const mvgpu_meter_names[MVGPU_NUM_METERS] =
	MVGPU_METER_NAMES;
static const char *const mvgpu_fault_kinds[MVGPU_NUM_FAULT_CODES] =
	MVGPU_FAULT_KIND_NAMES;

/* Where each statistic goes in struct mvgpu_stats */
static const size_t mvgpu_stat_offsets[MVGPU_NUM_STATS] = {
	[MVGPU_STAT_BUSY_NS] = offsetof(struct mvgpu_stats, busy_ns),
	[MVGPU_STAT_WAIT_NS] = offsetof(struct mvgpu_stats, wait_ns),
	[MVGPU_STAT_VRUNTIME_NS] = offsetof(struct mvgpu_stats, vruntime_ns),
	[MVGPU_STAT_SLICES] = offsetof(struct mvgpu_stats, slices),
	[MVGPU_STAT_PREEMPTIONS] = offsetof(struct mvgpu_stats, preemptions),
	[MVGPU_STAT_MAX_WAIT_SLICES] = offsetof(struct mvgpu_stats,
						max_wait_slices),
	[MVGPU_STAT_COMMANDS] = offsetof(struct mvgpu_stats, commands),
	[MVGPU_STAT_BYTES] = offsetof(struct mvgpu_stats, bytes),
	[MVGPU_STAT_FAULTS] = offsetof(struct mvgpu_stats, faults),
	[MVGPU_STAT_VRAM_FAULTS] = offsetof(struct mvgpu_stats, vram_faults),
	[MVGPU_STAT_INTERRUPTS] = offsetof(struct mvgpu_stats, interrupts),
};

_Static_assert(sizeof(struct mvgpu_stats) == MVGPU_NUM_STATS * 8,
	       "struct mvgpu_stats has one field per MVGPU_STAT_NAMES entry");

/*
 * Where each meter goes in struct mvgpu_vgpu_stats: the first
 * MVGPU_METERS_1_0 every mvgpu.ko has; the faults by kind come after.
 */
#define MVGPU_METERS_1_0	(MVGPU_METER_VRAM_BYTE_S + 1)
static const size_t mvgpu_meter_offsets[MVGPU_METERS_1_0] = {
	[MVGPU_METER_ENGINE_NS] = offsetof(struct mvgpu_vgpu_stats, engine_ns),
	[MVGPU_METER_DMA_NS] = offsetof(struct mvgpu_vgpu_stats, dma_ns),
	[MVGPU_METER_DMA_BYTES] = offsetof(struct mvgpu_vgpu_stats, dma_bytes),
	[MVGPU_METER_COMMANDS] = offsetof(struct mvgpu_vgpu_stats, commands),
	[MVGPU_METER_FAULTS] = offsetof(struct mvgpu_vgpu_stats, faults),
	[MVGPU_METER_VRAM_BYTE_S] = offsetof(struct mvgpu_vgpu_stats,
					     vram_byte_s),
};

static int mvgpu_read_counters(const char *vgpu_dir, const char *sub,
			       const char *const *names,
			       const size_t *offsets, unsigned int n,
			       void *base, const char *func)
{
	char dir[PATH_MAX + 32];
	unsigned int i;

	snprintf(dir, sizeof(dir), "%s/%s", vgpu_dir, sub);
	for (i = 0; i < n; i++) {
		uint64_t *field = (uint64_t *)((char *)base + offsets[i]);
		int ret = mvgpu__sysfs_u64(dir, names[i], field);

		if (ret)
			return mvgpu__err(ret,
					  "%s: cannot read %s/%s: %s (is mvgpu.ko loaded, and the vGPU still there?)",
					  func, dir, names[i],
					  ret == -EINVAL ? "not a number" :
					  strerror(-ret));
	}
	return 0;
}

int mvgpu__read_stats(const char *vgpu_dir, struct mvgpu_stats *stats,
		      const char *func)
{
	struct mvgpu_stats s;
	int ret;

	memset(&s, 0, sizeof(s));
	ret = mvgpu_read_counters(vgpu_dir, MVGPU_STATS_DIR, mvgpu_stat_names,
				  mvgpu_stat_offsets, MVGPU_NUM_STATS, &s,
				  func);
	if (!ret)
		*stats = s;
	return ret;
}

int mvgpu__read_meter(const char *vgpu_dir, struct mvgpu_vgpu_stats *s,
		      const char *func)
{
	char dir[PATH_MAX + 32];
	unsigned int c;
	int ret;

	ret = mvgpu_read_counters(vgpu_dir, MVGPU_METER_DIR,
				  mvgpu_meter_names, mvgpu_meter_offsets,
				  MVGPU_METERS_1_0, s, func);
	if (ret)
		return ret;
	/* a mvgpu.ko older than these counters has none of them: 0 */
	snprintf(dir, sizeof(dir), "%s/%s", vgpu_dir, MVGPU_METER_DIR);
	for (c = MVGPU_FAULT_UNMAPPED; c < MVGPU_NUM_FAULT_CODES; c++)
		if (mvgpu__sysfs_u64(dir, mvgpu_meter_names[MVGPU_METER_FAULTS_OF(c)],
				     &s->faults_by_kind[c]))
			s->faults_by_kind[c] = 0;
	snprintf(dir, sizeof(dir), "%s/%s", vgpu_dir, MVGPU_VGPU_ATTR_DIR);
	if (mvgpu__sysfs_u64(dir, MVGPU_ATTR_VRAM_USED, &s->vram_used))
		s->vram_used = 0;
	return 0;
}

const char *mvgpu_fault_kind_name(unsigned int c)
{
	return c < MVGPU_NUM_FAULT_CODES ? mvgpu_fault_kinds[c] : NULL;
}

const char *mvgpu__meter_name(unsigned int i)
{
	return i < MVGPU_NUM_METERS ? mvgpu_meter_names[i] : NULL;
}

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
	if (!g)
		return mvgpu__bad_handle("mvgpu_get_stats");
	if (!stats)
		return mvgpu__err(-EINVAL, "mvgpu_get_stats: stats is NULL");
	if (g->ops->get_stats)
		return g->ops->get_stats(g, stats);
	if (g->stats_regs)
		return mvgpu__stats_regs(g, stats);
	/* sysfs_dir is set once at open: no lock needed to read it */
	return mvgpu__read_stats(g->sysfs_dir, stats, "mvgpu_get_stats");
}
