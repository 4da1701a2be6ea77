// SPDX-License-Identifier: GPL-2.0-only
/*
 * Physical GPUs: mvgpu_gpu_register() makes a backend's GPU an mdev parent
 * and mvgpu_gpu_unregister() takes it away (mvgpu_backend.h has the
 * contract).
 *
 * Every GPU has a class device /sys/class/mvgpu/mvgpuN for its attributes,
 * N from an ida (GPUs on PCI devices come and go).  A GPU on a device
 * (a PCI function) has its class device as that device's child, and the
 * device is the mdev parent: /sys/bus/pci/devices/ADDR/mdev_supported_types.
 * A GPU with no device (the software GPU) is its own mdev parent, the class
 * device.  The "parent" attribute names the parent either way.
 *
 * Each vGPU holds a reference on its GPU's class device, so the struct
 * outlives every vGPU; the backend's state goes at unregister, after the
 * last vGPU was removed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/idr.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "mvgpu.h"

static struct class *mvgpu_class;
static DEFINE_IDA(mvgpu_gpu_ida);

int mvgpu_gpu_module_init(void)
{
	mvgpu_class = class_create(THIS_MODULE, MVGPU_NAME);
	return PTR_ERR_OR_ZERO(mvgpu_class);
}

void mvgpu_gpu_module_exit(void)
{
	class_destroy(mvgpu_class);
	ida_destroy(&mvgpu_gpu_ida);
}

static void mvgpu_gpu_dev_release(struct device *dev)
{
	struct mvgpu_gpu *gpu = mvgpu_dev_to_gpu(dev);

	ida_free(&mvgpu_gpu_ida, gpu->index);
	kfree(gpu);
}

/* What gpu_init filled in must hold the promises of mvgpu_backend.h */
static int mvgpu_gpu_check_caps(struct mvgpu_gpu *gpu)
{
	const struct mvgpu_hw_caps *caps = &gpu->hw.caps;
	const struct mvgpu_backend_ops *ops = gpu->hw.ops;

	if (!caps->num_engines || caps->num_engines > MVGPU_MAX_ENGINES ||
	    !is_power_of_2(caps->vram_size) ||
	    caps->vram_size < (u64)MVGPU_SLICES * PAGE_SIZE ||
	    !is_power_of_2(caps->max_divisor) ||
	    caps->max_divisor > MVGPU_SLICES ||
	    caps->ctx_state_size > MVGPU_CTX_STATE_MAX ||
	    caps->cap_bits & ~MVGPU_CAP_ALL) {
		dev_err(gpu->hw.dev,
			"%s backend: bad capabilities (%u engines, %llu bytes of VRAM, 1/%u types, %zu bytes of context, caps 0x%x)\n",
			ops->name, caps->num_engines, caps->vram_size,
			caps->max_divisor, caps->ctx_state_size,
			caps->cap_bits);
		return -EINVAL;
	}
	return 0;
}

struct mvgpu_hw *mvgpu_gpu_register(struct device *dev,
				    const struct mvgpu_backend_ops *ops,
				    void *priv)
{
	struct mvgpu_gpu *gpu;
	int index, ret;

	gpu = kzalloc(sizeof(*gpu), GFP_KERNEL);
	if (!gpu)
		return ERR_PTR(-ENOMEM);
	index = ida_alloc(&mvgpu_gpu_ida, GFP_KERNEL);
	if (index < 0) {
		kfree(gpu);
		return ERR_PTR(index);
	}

	gpu->index = index;
	gpu->hw.ops = ops;
	gpu->hw.priv = priv;
	gpu->hw.dev = dev ? dev : &gpu->dev;
	gpu->parent_dev = dev ? dev : &gpu->dev;
	mutex_init(&gpu->lock);
	INIT_LIST_HEAD(&gpu->vgpus);
	mvgpu_meter_init(gpu);

	/* from here on put_device frees the GPU and its index */
	device_initialize(&gpu->dev);
	gpu->dev.class = mvgpu_class;
	gpu->dev.parent = dev;
	gpu->dev.release = mvgpu_gpu_dev_release;
	gpu->dev.groups = mvgpu_gpu_groups;
	ret = dev_set_name(&gpu->dev, MVGPU_NAME "%u", index);
	if (ret)
		goto err_put;

	ret = ops->gpu_init(&gpu->hw);
	if (ret)
		goto err_put;
	ret = mvgpu_gpu_check_caps(gpu);
	if (ret)
		goto err_fini;
	gpu->slice_size = gpu->hw.caps.vram_size / MVGPU_SLICES;

	ret = mvgpu_sched_init(&gpu->sched, gpu, gpu->hw.caps.num_engines);
	if (ret)
		goto err_fini;

	ret = device_add(&gpu->dev);
	if (ret)
		goto err_sched;

	mvgpu_types_init(gpu);
	ret = mvgpu_vfio_parent_register(gpu);
	if (ret)
		goto err_del;

	dev_info(&gpu->dev, "%s GPU on %s: %llu MiB VRAM, %u engines\n",
		 ops->name, dev_name(gpu->parent_dev),
		 gpu->hw.caps.vram_size >> 20, gpu->hw.caps.num_engines);
	return &gpu->hw;

err_del:
	device_del(&gpu->dev);
err_sched:
	mvgpu_sched_fini(&gpu->sched);
err_fini:
	ops->gpu_fini(&gpu->hw);
err_put:
	pr_err("%s GPU %d: setup failed (%d)\n", ops->name, index, ret);
	put_device(&gpu->dev);
	return ERR_PTR(ret);
}

/*
 * The glue removes every vGPU; each removal waits for its VFIO user to
 * close the device (asked through the request eventfd), and a user's VRAM
 * mapping keeps the device open, so no memory a user maps goes away under
 * it.  Safe from a PCI driver's remove: nothing here needs the device
 * lock that remove holds.
 */
void mvgpu_gpu_unregister(struct mvgpu_hw *hw)
{
	struct mvgpu_gpu *gpu = mvgpu_hw_to_gpu(hw);

	mvgpu_vfio_parent_unregister(gpu);
	device_del(&gpu->dev);
	mvgpu_sched_fini(&gpu->sched);
	hw->ops->gpu_fini(hw);
	put_device(&gpu->dev);
}
