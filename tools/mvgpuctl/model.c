// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model mvgpuctl formats: a snapshot from libmvgpu's management half
 * (include/libmvgpu_admin.h) copied into arrays, with every vGPU's
 * counters when asked, and the lookups that turn arguments into entries
 * or into the exit codes and messages of an operator tool.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mvgpuctl.h"

const char *mvctl_sysfs_root;

const char *const mvctl_stat_names[MVGPU_NUM_STATS] = MVGPU_STAT_NAMES;
const char *const mvctl_meter_names[MVGPU_NUM_METERS] = MVGPU_METER_NAMES;

const struct mvctl_stat_info mvctl_stats[MVGPU_NUM_STATS] = {
	[MVGPU_STAT_BUSY_NS]	= { "busy", MVCTL_UNIT_NS, NULL },
	[MVGPU_STAT_WAIT_NS]	= { "wait", MVCTL_UNIT_NS, NULL },
	/* engine ns / weight */
	[MVGPU_STAT_VRUNTIME_NS] = { "vruntime", MVCTL_UNIT_NS, NULL },
	[MVGPU_STAT_SLICES]	= { "slices", MVCTL_UNIT_COUNT, NULL },
	[MVGPU_STAT_PREEMPTIONS] = { "preemptions", MVCTL_UNIT_COUNT, NULL },
	[MVGPU_STAT_MAX_WAIT_SLICES] = { "max wait", MVCTL_UNIT_COUNT,
					 "slices" },
	[MVGPU_STAT_COMMANDS]	= { "commands", MVCTL_UNIT_COUNT, NULL },
	[MVGPU_STAT_BYTES]	= { "bytes", MVCTL_UNIT_BYTES, NULL },
	[MVGPU_STAT_FAULTS]	= { "faults", MVCTL_UNIT_COUNT, NULL },
	[MVGPU_STAT_VRAM_FAULTS] = { "vram faults", MVCTL_UNIT_COUNT, "pages" },
	[MVGPU_STAT_INTERRUPTS]	= { "interrupts", MVCTL_UNIT_COUNT, NULL },
};

const struct mvctl_stat_info mvctl_vram_used_info = {
	"VRAM used", MVCTL_UNIT_BYTES, NULL
};

const struct mvctl_stat_info mvctl_meters[MVGPU_NUM_METERS] = {
	[MVGPU_METER_ENGINE_NS]	= { "engine time", MVCTL_UNIT_NS, NULL },
	[MVGPU_METER_DMA_NS]	= { "DMA time", MVCTL_UNIT_NS, NULL },
	[MVGPU_METER_DMA_BYTES]	= { "DMA bytes", MVCTL_UNIT_BYTES, NULL },
	[MVGPU_METER_COMMANDS]	= { "commands", MVCTL_UNIT_COUNT, NULL },
	[MVGPU_METER_FAULTS]	= { "faults", MVCTL_UNIT_COUNT, NULL },
	[MVGPU_METER_VRAM_BYTE_S] = { "VRAM held", MVCTL_UNIT_COUNT,
				      "byte-seconds" },
	/* faults by kind; the label is the kind's name */
	[MVGPU_METER_FAULTS_UNMAPPED] = { " unmapped", MVCTL_UNIT_COUNT, NULL },
	[MVGPU_METER_FAULTS_OUT_OF_RANGE] = { " out_of_range", MVCTL_UNIT_COUNT,
					      NULL },
	[MVGPU_METER_FAULTS_BAD_OPCODE] = { " bad_opcode", MVCTL_UNIT_COUNT,
					    NULL },
	[MVGPU_METER_FAULTS_BAD_COMMAND] = { " bad_command", MVCTL_UNIT_COUNT,
					     NULL },
	[MVGPU_METER_FAULTS_DMA] = { " dma", MVCTL_UNIT_COUNT, NULL },
	[MVGPU_METER_FAULTS_BUS_MASTER] = { " bus_master", MVCTL_UNIT_COUNT,
					    NULL },
	[MVGPU_METER_FAULTS_READ_ONLY] = { " read_only", MVCTL_UNIT_COUNT,
					   NULL },
};

uint64_t mvctl_stat(const struct mvctl_vgpu *v, unsigned int stat)
{
	/* struct mvgpu_stats has one u64 per statistic, in this order */
	const uint64_t *c = (const uint64_t *)&v->s.stats;

	return stat < MVGPU_NUM_STATS ? c[stat] : 0;
}

uint64_t mvctl_meter(const struct mvctl_vgpu *v, unsigned int meter)
{
	switch (meter) {
	case MVGPU_METER_ENGINE_NS:
		return v->s.engine_ns;
	case MVGPU_METER_DMA_NS:
		return v->s.dma_ns;
	case MVGPU_METER_DMA_BYTES:
		return v->s.dma_bytes;
	case MVGPU_METER_COMMANDS:
		return v->s.commands;
	case MVGPU_METER_FAULTS:
		return v->s.faults;
	case MVGPU_METER_VRAM_BYTE_S:
		return v->s.vram_byte_s;
	}
	if (meter >= MVGPU_METER_FAULTS_UNMAPPED && meter < MVGPU_NUM_METERS)
		return v->s.faults_by_kind[meter - MVGPU_METER_FAULTS_UNMAPPED +
					   MVGPU_FAULT_UNMAPPED];
	return 0;
}

static int mvctl_open_fail(int ret)
{
	if (ret == -ENODEV)
		return mvctl_fail(MVCTL_EXIT_NOMODULE,
				  "%s: load it with 'modprobe mvgpu' (or 'insmod mvgpu.ko'), see docs/operator.md",
				  mvgpu_last_error());
	return mvctl_fail(MVCTL_EXIT_FAIL,
			  "%s: is the mvgpu module being unloaded? Try again, or see dmesg",
			  mvgpu_last_error());
}

int mvctl_sys_load(struct mvctl_sys *sys, unsigned int flags)
{
	unsigned int i, k;
	int ret;

	memset(sys, 0, sizeof(*sys));
	ret = mvgpu_admin_open(mvctl_sysfs_root, &sys->a);
	if (ret)
		return mvctl_open_fail(ret);
	sys->ngpus = (unsigned int)mvgpu_admin_gpu_count(sys->a);
	sys->nvgpus = (unsigned int)mvgpu_admin_vgpu_count(sys->a);
	sys->gpus = calloc(sys->ngpus + 1, sizeof(*sys->gpus));
	sys->vgpus = calloc(sys->nvgpus + 1, sizeof(*sys->vgpus));
	if (!sys->gpus || !sys->vgpus) {
		mvctl_sys_free(sys);
		return mvctl_fail(MVCTL_EXIT_FAIL, "out of memory");
	}
	for (i = 0; i < sys->ngpus; i++) {
		struct mvctl_gpu *g = &sys->gpus[i];

		g->i.size = sizeof(g->i);
		mvgpu_admin_gpu(sys->a, i, &g->i);
		for (k = 0; k < g->i.ntypes && k < MVCTL_MAX_TYPES; k++) {
			g->types[k].size = sizeof(g->types[k]);
			mvgpu_admin_type(sys->a, i, k, &g->types[k]);
		}
	}
	for (i = 0; i < sys->nvgpus; i++) {
		struct mvctl_vgpu *v = &sys->vgpus[i];

		v->i.size = sizeof(v->i);
		mvgpu_admin_vgpu(sys->a, i, &v->i);
		if (!(flags & MVCTL_LOAD_STATS))
			continue;
		v->s.size = sizeof(v->s);
		ret = mvgpu_admin_stats(sys->a, v->i.uuid, &v->s);
		if (ret == -ENOENT)
			continue;	/* removed meanwhile */
		if (ret) {
			ret = mvctl_fail(MVCTL_EXIT_FAIL, "cannot read vGPU %s: %s",
					 v->i.uuid, mvgpu_last_error());
			mvctl_sys_free(sys);
			return ret;
		}
		v->have_stats = true;
	}
	return MVCTL_EXIT_OK;
}

void mvctl_sys_free(struct mvctl_sys *sys)
{
	mvgpu_admin_close(&sys->a);
	free(sys->gpus);
	free(sys->vgpus);
	memset(sys, 0, sizeof(*sys));
}

struct mvctl_gpu *mvctl_find_gpu(struct mvctl_sys *sys, const char *name)
{
	unsigned int i;

	for (i = 0; i < sys->ngpus; i++)
		if (!strcmp(sys->gpus[i].i.name, name))
			return &sys->gpus[i];
	return NULL;
}

struct mvctl_vgpu *mvctl_find_vgpu(struct mvctl_sys *sys, const char *uuid)
{
	unsigned int i;

	for (i = 0; i < sys->nvgpus; i++)
		if (!strcmp(sys->vgpus[i].i.uuid, uuid))
			return &sys->vgpus[i];
	return NULL;
}

struct mvgpu_type_info *mvctl_find_type(struct mvctl_gpu *gpu,
					unsigned int divisor)
{
	unsigned int i;

	for (i = 0; i < gpu->i.ntypes; i++)
		if (gpu->types[i].divisor == divisor)
			return &gpu->types[i];
	return NULL;
}

int mvctl_lookup_gpu(struct mvctl_sys *sys, const char *arg,
		     struct mvctl_gpu **out)
{
	int idx = mvgpu_admin_find_gpu(sys->a, arg, NULL);

	if (idx < 0)
		return mvctl_fail(MVCTL_EXIT_NOTFOUND, "%s: see 'mvgpuctl list'",
				  mvgpu_last_error());
	*out = &sys->gpus[idx];
	return MVCTL_EXIT_OK;
}

int mvctl_lookup_vgpu(struct mvctl_sys *sys, const char *arg,
		      struct mvctl_vgpu **out)
{
	int idx = mvgpu_admin_find_vgpu(sys->a, arg, NULL);

	*out = NULL;
	if (idx == -EINVAL)
		return mvctl_fail(MVCTL_EXIT_USAGE,
				  "%s: give a vGPU's UUID as 'mvgpuctl list' shows it",
				  mvgpu_last_error());
	if (idx == -ENODEV)
		return mvctl_fail(MVCTL_EXIT_NOTFOUND, "%s: see 'mvgpuctl list'",
				  mvgpu_last_error());
	if (idx < 0)
		return mvctl_fail(MVCTL_EXIT_NOTFOUND,
				  "%s: see 'mvgpuctl list' for the vGPUs, 'mvgpuctl create' to make one",
				  mvgpu_last_error());
	*out = &sys->vgpus[idx];
	return MVCTL_EXIT_OK;
}

int mvctl_lib_error(int err, const char *what)
{
	if (err == -EACCES || err == -EPERM || err == -EROFS)
		return mvctl_fail(MVCTL_EXIT_PERM,
				  "%s: permission denied (%s): run mvgpuctl as root (e.g. with sudo)",
				  what, mvgpu_last_error());
	if (err == -ENOENT || err == -ENODEV)
		return mvctl_fail(MVCTL_EXIT_NOTFOUND,
				  "%s: %s (removed meanwhile?): check with 'mvgpuctl list'",
				  what, mvgpu_last_error());
	return mvctl_fail(MVCTL_EXIT_FAIL, "%s: %s", what, mvgpu_last_error());
}
