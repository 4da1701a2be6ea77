// SPDX-License-Identifier: GPL-2.0-only
/*
 * mvgpu module entry: parameters, the mvgpu class and one mdev parent per
 * physical GPU.  The software reference GPU is the only backend today; a
 * hardware backend would plug in through struct mvgpu_hal_ops.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "mvgpu.h"

static unsigned int num_gpus = 1;
module_param(num_gpus, uint, 0444);
MODULE_PARM_DESC(num_gpus, "physical GPUs to create, 1..8 (default 1)");

static unsigned int vram_mb = 256;
module_param(vram_mb, uint, 0444);
MODULE_PARM_DESC(vram_mb,
		 "VRAM per GPU in MiB, a power of two in 64..4096 (default 256)");

static unsigned int engines = 2;
module_param(engines, uint, 0444);
MODULE_PARM_DESC(engines, "engines per GPU, 1..8 (default 2)");

#define MVGPU_VRAM_MIN_MB	64
#define MVGPU_VRAM_MAX_MB	4096

static struct class *mvgpu_class;
static struct mvgpu_gpu *mvgpu_gpus[MVGPU_MAX_GPUS];

static int mvgpu_check_params(void)
{
	if (num_gpus < 1 || num_gpus > MVGPU_MAX_GPUS) {
		pr_err("num_gpus=%u out of range: must be 1..%u\n", num_gpus,
		       MVGPU_MAX_GPUS);
		return -EINVAL;
	}
	if (vram_mb < MVGPU_VRAM_MIN_MB || vram_mb > MVGPU_VRAM_MAX_MB ||
	    !is_power_of_2(vram_mb)) {
		pr_err("vram_mb=%u invalid: must be a power of two in %u..%u\n",
		       vram_mb, MVGPU_VRAM_MIN_MB, MVGPU_VRAM_MAX_MB);
		return -EINVAL;
	}
	if (engines < 1 || engines > MVGPU_MAX_ENGINES) {
		pr_err("engines=%u out of range: must be 1..%u\n", engines,
		       MVGPU_MAX_ENGINES);
		return -EINVAL;
	}
	return 0;
}

static void mvgpu_gpu_dev_release(struct device *dev)
{
	kfree(mvgpu_dev_to_gpu(dev));
}

static struct mvgpu_gpu *mvgpu_gpu_create(unsigned int index)
{
	struct mvgpu_gpu *gpu;
	int ret;

	gpu = kzalloc(sizeof(*gpu), GFP_KERNEL);
	if (!gpu)
		return ERR_PTR(-ENOMEM);

	gpu->index = index;
	gpu->vram_size = (u64)vram_mb << 20;
	gpu->slice_size = gpu->vram_size / MVGPU_SLICES;
	gpu->hal = &mvgpu_soft_hal_ops;
	mutex_init(&gpu->lock);
	INIT_LIST_HEAD(&gpu->vgpus);
	mvgpu_meter_init(gpu);

	device_initialize(&gpu->dev);
	gpu->dev.class = mvgpu_class;
	gpu->dev.release = mvgpu_gpu_dev_release;
	gpu->dev.groups = mvgpu_gpu_groups;
	ret = dev_set_name(&gpu->dev, MVGPU_NAME "%u", index);
	if (ret)
		goto err_put;

	ret = gpu->hal->init(gpu);
	if (ret)
		goto err_put;

	ret = mvgpu_sched_init(&gpu->sched, gpu, engines);
	if (ret)
		goto err_hal;

	ret = device_add(&gpu->dev);
	if (ret)
		goto err_sched;

	mvgpu_types_init(gpu);
	ret = mdev_register_parent(&gpu->parent, &gpu->dev, &mvgpu_mdev_driver,
				   gpu->mtypes, MVGPU_NUM_TYPES);
	if (ret)
		goto err_del;

	ret = mvgpu_types_add_attrs(gpu);
	if (ret)
		goto err_parent;

	dev_info(&gpu->dev, "%s GPU: %u MiB VRAM, %u engines\n",
		 gpu->hal->name, vram_mb, engines);
	return gpu;

err_parent:
	mdev_unregister_parent(&gpu->parent);
err_del:
	device_del(&gpu->dev);
err_sched:
	mvgpu_sched_fini(&gpu->sched);
err_hal:
	gpu->hal->fini(gpu);
err_put:
	pr_err("GPU %u: setup failed (%d)\n", index, ret);
	put_device(&gpu->dev);
	return ERR_PTR(ret);
}

static void mvgpu_gpu_destroy(struct mvgpu_gpu *gpu)
{
	mvgpu_types_del_attrs(gpu);
	mdev_unregister_parent(&gpu->parent);
	device_del(&gpu->dev);
	mvgpu_sched_fini(&gpu->sched);
	gpu->hal->fini(gpu);
	put_device(&gpu->dev);
}

static void mvgpu_destroy_gpus(void)
{
	int i;

	for (i = MVGPU_MAX_GPUS - 1; i >= 0; i--) {
		if (mvgpu_gpus[i])
			mvgpu_gpu_destroy(mvgpu_gpus[i]);
		mvgpu_gpus[i] = NULL;
	}
}

static int __init mvgpu_init(void)
{
	unsigned int i;
	int ret;

	ret = mvgpu_check_params();
	if (ret)
		return ret;
	mvgpu_sysfs_init();

	mvgpu_mmio_module_init();
	ret = mvgpu_vram_module_init();
	if (ret)
		return ret;

	ret = mdev_register_driver(&mvgpu_mdev_driver);
	if (ret)
		goto err_vram;

	mvgpu_class = class_create(THIS_MODULE, MVGPU_NAME);
	if (IS_ERR(mvgpu_class)) {
		ret = PTR_ERR(mvgpu_class);
		goto err_driver;
	}

	for (i = 0; i < num_gpus; i++) {
		struct mvgpu_gpu *gpu = mvgpu_gpu_create(i);

		if (IS_ERR(gpu)) {
			ret = PTR_ERR(gpu);
			goto err_gpus;
		}
		mvgpu_gpus[i] = gpu;
	}
	return 0;

err_gpus:
	mvgpu_destroy_gpus();
	class_destroy(mvgpu_class);
err_driver:
	mdev_unregister_driver(&mvgpu_mdev_driver);
err_vram:
	mvgpu_vram_module_exit();
	return ret;
}

static void __exit mvgpu_exit(void)
{
	mvgpu_destroy_gpus();
	class_destroy(mvgpu_class);
	mdev_unregister_driver(&mvgpu_mdev_driver);
	mvgpu_vram_module_exit();
}

module_init(mvgpu_init);
module_exit(mvgpu_exit);

MODULE_LICENSE("GPL v2");
MODULE_DESCRIPTION("mvgpu: mediated virtual GPUs over VFIO/mdev");
MODULE_AUTHOR("The mvgpu developers");
