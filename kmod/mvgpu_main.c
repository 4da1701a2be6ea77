// SPDX-License-Identifier: GPL-2.0-only
/*
 * mvgpu module entry: the mediator's module-wide state (the mvgpu class,
 * the mdev driver, the VRAM pseudo filesystem), then each backend in
 * mvgpu_backends.h, which makes its GPUs with mvgpu_gpu_register().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "mvgpu.h"
#include "mvgpu_backends.h"

static int __init mvgpu_init(void)
{
	int ret;

	mvgpu_sysfs_init();
	mvgpu_mmio_module_init();
	ret = mvgpu_vram_module_init();
	if (ret)
		return ret;

	ret = mvgpu_vfio_module_init();
	if (ret)
		goto err_vram;

	ret = mvgpu_gpu_module_init();
	if (ret)
		goto err_driver;

	ret = mvgpu_soft_backend_init();
	if (ret)
		goto err_gpu;
	ret = mvgpu_bochs_backend_init();
	if (ret)
		goto err_soft;
	return 0;

err_soft:
	mvgpu_soft_backend_exit();
err_gpu:
	mvgpu_gpu_module_exit();
err_driver:
	mvgpu_vfio_module_exit();
err_vram:
	mvgpu_vram_module_exit();
	return ret;
}

static void __exit mvgpu_exit(void)
{
	mvgpu_bochs_backend_exit();
	mvgpu_soft_backend_exit();
	mvgpu_gpu_module_exit();
	mvgpu_vfio_module_exit();
	mvgpu_vram_module_exit();
}

module_init(mvgpu_init);
module_exit(mvgpu_exit);

MODULE_LICENSE("GPL v2");
MODULE_DESCRIPTION("mvgpu: mediated virtual GPUs over VFIO/mdev");
MODULE_AUTHOR("The mvgpu developers");
