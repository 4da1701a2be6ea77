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
#include <linux/kobject.h>
#include <linux/log2.h>
#include <linux/sysfs.h>

#include "mvgpu.h"

static_assert(MVGPU_SLICES <= BITS_PER_LONG);

static_assert(MVGPU_SLICES == 1 << (MVGPU_NUM_TYPES - 1));

#define MVGPU_ALL_SLICES	GENMASK(MVGPU_SLICES - 1, 0)

static struct mvgpu_type *mvgpu_to_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct mvgpu_type, mtype);
}

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
		type->mtype.sysfs_name = type->sysfs_name;
		type->mtype.pretty_name = type->pretty_name;
		gpu->mtypes[i] = &type->mtype;
	}
}

static unsigned int mvgpu_free_slices(struct mvgpu_gpu *gpu)
{
	return MVGPU_SLICES - hweight_long(READ_ONCE(gpu->slice_map));
}

unsigned int mvgpu_type_available(struct mdev_type *mtype)
{
	struct mvgpu_type *type = mvgpu_to_type(mtype);

	return mvgpu_free_slices(type->gpu) / type->slices;
}

ssize_t mvgpu_type_description(struct mdev_type *mtype, char *buf)
{
	struct mvgpu_type *type = mvgpu_to_type(mtype);
	u64 vram = type->gpu->hw.caps.vram_size / type->divisor;
	unsigned int permille = 1000 / type->divisor;

	return sysfs_emit(buf, "vram=%lluMiB share=%u.%u%% max_instances=%u\n",
			  vram >> 20, permille / 10, permille % 10,
			  type->divisor);
}

/*
 * The type's numbers, each in its own attribute under
 * mdev_supported_types/mvgpu-D/mvgpu/ (the description stays for humans).
 * mdev has no hook for driver attributes of a type, so they live in a
 * child kobject of the type's directory.
 */
static struct mvgpu_type *mvgpu_kobj_to_type(struct kobject *kobj)
{
	return mvgpu_to_type(container_of(kobj->parent, struct mdev_type,
					  kobj));
}

static ssize_t mvgpu_type_vram_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct mvgpu_type *type = mvgpu_kobj_to_type(kobj);

	return sysfs_emit(buf, "%llu\n",
			  type->gpu->hw.caps.vram_size / type->divisor);
}

static ssize_t mvgpu_type_share_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", 1000 / mvgpu_kobj_to_type(kobj)->divisor);
}

static ssize_t mvgpu_type_slices_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", mvgpu_kobj_to_type(kobj)->slices);
}

static ssize_t mvgpu_type_divisor_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", mvgpu_kobj_to_type(kobj)->divisor);
}

#define MVGPU_TYPE_ATTR(_var, _name, _show)				\
	static struct kobj_attribute _var = {				\
		.attr = { .name = _name, .mode = 0444 },		\
		.show = _show,						\
	}

MVGPU_TYPE_ATTR(mvgpu_type_attr_vram, MVGPU_ATTR_TYPE_VRAM_SIZE,
		mvgpu_type_vram_show);
MVGPU_TYPE_ATTR(mvgpu_type_attr_share, MVGPU_ATTR_TYPE_SHARE,
		mvgpu_type_share_show);
MVGPU_TYPE_ATTR(mvgpu_type_attr_slices, MVGPU_ATTR_TYPE_SLICES,
		mvgpu_type_slices_show);
MVGPU_TYPE_ATTR(mvgpu_type_attr_divisor, MVGPU_ATTR_TYPE_DIVISOR,
		mvgpu_type_divisor_show);

static struct attribute *mvgpu_type_attrs[] = {
	&mvgpu_type_attr_vram.attr,
	&mvgpu_type_attr_share.attr,
	&mvgpu_type_attr_slices.attr,
	&mvgpu_type_attr_divisor.attr,
	NULL,
};

static const struct attribute_group mvgpu_type_attr_group = {
	.attrs = mvgpu_type_attrs,
};

/* After mdev_register_parent: the type directories exist */
int mvgpu_types_add_attrs(struct mvgpu_gpu *gpu)
{
	unsigned int i;
	int ret;

	for (i = 0; i < gpu->num_types; i++) {
		struct mvgpu_type *type = &gpu->types[i];

		type->attr_kobj = kobject_create_and_add(MVGPU_TYPE_ATTR_DIR,
							 &type->mtype.kobj);
		if (!type->attr_kobj) {
			ret = -ENOMEM;
			goto err_del;
		}
		ret = sysfs_create_group(type->attr_kobj,
					 &mvgpu_type_attr_group);
		if (ret) {
			kobject_put(type->attr_kobj);
			type->attr_kobj = NULL;
			goto err_del;
		}
	}
	return 0;

err_del:
	mvgpu_types_del_attrs(gpu);
	return ret;
}

/* Before mdev_unregister_parent; safe on a partly added set */
void mvgpu_types_del_attrs(struct mvgpu_gpu *gpu)
{
	unsigned int i;

	for (i = 0; i < gpu->num_types; i++) {
		struct mvgpu_type *type = &gpu->types[i];

		if (!type->attr_kobj)
			continue;
		sysfs_remove_group(type->attr_kobj, &mvgpu_type_attr_group);
		kobject_put(type->attr_kobj);
		type->attr_kobj = NULL;
	}
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
