// SPDX-License-Identifier: GPL-2.0-only
/*
 * vGPU types and VRAM capacity.
 *
 * A GPU's VRAM is cut into MVGPU_SLICES equal slices; a type of divisor D
 * takes MVGPU_SLICES / D of them and the same fraction of the engines.
 * A GPU offers the divisors 1, 2, 4, ... up to its caps.max_divisor.
 * Slices need not be contiguous (the vGPU's VRAM BAR and its engine
 * context map them in order), so any mix of types fits as long as enough
 * slices are free and available_instances is exactly free / needed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/sysfs.h>

#include "mvgpu.h"

static_assert(MVGPU_SLICES <= BITS_PER_LONG);

static_assert(MVGPU_SLICES == 1 << (MVGPU_NUM_TYPES - 1));

#define MVGPU_ALL_SLICES	GENMASK(MVGPU_SLICES - 1, 0)

void mvgpu_types_init(struct mvgpu_gpu *gpu)
{
	unsigned int i;

	gpu->num_types = ilog2(gpu->hw.caps.max_divisor) + 1;
	for (i = 0; i < gpu->num_types; i++) {
		struct mvgpu_type *type = &gpu->types[i];
		unsigned int div = 1U << i;

		type->gpu = gpu;
		type->divisor = div;
		type->slices = MVGPU_SLICES / div;
		snprintf(type->sysfs_name, sizeof(type->sysfs_name), "%u", div);
		snprintf(type->pretty_name, sizeof(type->pretty_name),
			 "mvgpu 1/%u (%llu MiB)", div,
			 (gpu->hw.caps.vram_size / div) >> 20);
	}
}

static unsigned int mvgpu_free_slices(struct mvgpu_gpu *gpu)
{
	return MVGPU_SLICES - hweight_long(READ_ONCE(gpu->slice_map));
}

unsigned int mvgpu_type_available(const struct mvgpu_type *type)
{
	return mvgpu_free_slices(type->gpu) / type->slices;
}

u64 mvgpu_type_vram_size(const struct mvgpu_type *type)
{
	return type->gpu->hw.caps.vram_size / type->divisor;
}

unsigned int mvgpu_type_share_permille(const struct mvgpu_type *type)
{
	return 1000 / type->divisor;
}

ssize_t mvgpu_type_description(const struct mvgpu_type *type, char *buf)
{
	u64 vram = mvgpu_type_vram_size(type);
	unsigned int permille = mvgpu_type_share_permille(type);

	return sysfs_emit(buf, "vram=%lluMiB share=%u.%u%% max_instances=%u\n",
			  vram >> 20, permille / 10, permille % 10,
			  type->divisor);
}

/*
 * Take type->slices free slices for a new vGPU and report their physical
 * offsets in order.  -ENOSPC when the GPU has not enough left.
 */
int mvgpu_gpu_reserve_slices(struct mvgpu_gpu *gpu,
			     const struct mvgpu_type *type,
			     u64 slice_base[MVGPU_SLICES])
{
	unsigned long map;
	unsigned int n = 0, bit;

	mutex_lock(&gpu->lock);
	if (mvgpu_free_slices(gpu) < type->slices) {
		mutex_unlock(&gpu->lock);
		return -ENOSPC;
	}
	map = gpu->slice_map;
	for_each_clear_bit(bit, &map, MVGPU_SLICES) {
		if (n == type->slices)
			break;
		slice_base[n++] = (u64)bit * gpu->slice_size;
		__set_bit(bit, &map);
	}
	WRITE_ONCE(gpu->slice_map, map);
	mutex_unlock(&gpu->lock);
	return 0;
}

void mvgpu_gpu_release_slices(struct mvgpu_gpu *gpu,
			      const struct mvgpu_type *type,
			      const u64 slice_base[MVGPU_SLICES])
{
	unsigned long map;
	unsigned int i;

	mutex_lock(&gpu->lock);
	map = gpu->slice_map;
	for (i = 0; i < type->slices; i++)
		__clear_bit(slice_base[i] / gpu->slice_size, &map);
	WRITE_ONCE(gpu->slice_map, map & MVGPU_ALL_SLICES);
	mutex_unlock(&gpu->lock);
}
