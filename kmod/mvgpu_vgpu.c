// SPDX-License-Identifier: GPL-2.0-only
/*
 * vGPU lifecycle: create (mdev probe), open, close, reset and remove, and
 * the hooks an engine uses to reach back into the vGPU (DMA, interrupts).
 *
 * Create reserves the VRAM slices and backs them, so a vGPU that exists
 * always has its memory.  Remove of an open vGPU waits: VFIO core calls
 * our request op, which signals the client's request eventfd, until the
 * client closes the device; only then is the partition scrubbed and given
 * back.  Each vGPU pins the module, so the module cannot be unloaded
 * while vGPUs exist.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string_helpers.h>
#include <linux/vfio.h>

#include "mvgpu.h"

static void mvgpu_ctx_dma_start(struct mvgpu_ctx *ctx)
{
	mvgpu_dma_start(mvgpu_ctx_to_vgpu(ctx));
}

static void mvgpu_ctx_raise_irq(struct mvgpu_ctx *ctx, u32 causes)
{
	mvgpu_irq_raise(mvgpu_ctx_to_vgpu(ctx), causes);
}

static const struct mvgpu_ctx_ops mvgpu_vgpu_ctx_ops = {
	.dma_start	= mvgpu_ctx_dma_start,
	.raise_irq	= mvgpu_ctx_raise_irq,
};

/*
 * Nothing runs for this vGPU afterwards: its engine chunk is over and its
 * DMA cancelled (the chunk is issued again if the vGPU runs again).  Never
 * waits on the client: a copy stuck on its memory is interrupted or, at
 * worst, abandoned after a short bounded wait.
 */
void mvgpu_vgpu_quiesce(struct mvgpu_vgpu *vgpu)
{
	mvgpu_sched_disable(&vgpu->gpu->sched, &vgpu->se);
	mvgpu_dma_cancel(vgpu);
}

/*
 * Bus mastering was turned off: a DMA in flight is cancelled, and its
 * command faults (MVGPU_FAULT_BUS_MASTER) when the engine looks at it again.
 */
void mvgpu_vgpu_bus_master_off(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	mvgpu_vgpu_quiesce(vgpu);
	if (mvgpu_vgpu_may_run(vgpu))
		mvgpu_sched_enable(&vgpu->gpu->sched, &vgpu->se);
}

static void mvgpu_vgpu_release_vram(struct mvgpu_vgpu *vgpu,
				    unsigned int populated)
{
	struct mvgpu_gpu *gpu = vgpu->gpu;
	unsigned int i;

	for (i = 0; i < populated; i++)
		gpu->hw.ops->vram_release(&gpu->hw, vgpu->ctx.slice_base[i],
					  gpu->slice_size);
	mvgpu_gpu_release_slices(gpu, vgpu->type, vgpu->ctx.slice_base);
}

static int mvgpu_vgpu_alloc_vram(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_gpu *gpu = vgpu->gpu;
	const struct mvgpu_type *type = vgpu->type;
	unsigned int i;
	int ret;

	ret = mvgpu_gpu_reserve_slices(gpu, type, vgpu->ctx.slice_base);
	if (ret) {
		dev_err(vgpu->vdev.dev,
			"no capacity on %s for type %s: it needs %u of %u VRAM slices, fewer are free\n",
			dev_name(&gpu->dev), type->sysfs_name, type->slices,
			MVGPU_SLICES);
		return ret;
	}
	for (i = 0; i < type->slices; i++) {
		ret = gpu->hw.ops->vram_populate(&gpu->hw,
						 vgpu->ctx.slice_base[i],
						 gpu->slice_size);
		if (ret) {
			dev_err(vgpu->vdev.dev,
				"cannot back %llu MiB of VRAM with host memory (%d)\n",
				vgpu->ctx.vram_size >> 20, ret);
			mvgpu_vgpu_release_vram(vgpu, i);
			return ret;
		}
	}
	return 0;
}

/* vfio_device_ops.init: everything a new vGPU needs, or nothing */
int mvgpu_vgpu_init(struct vfio_device *vdev)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct mvgpu_type *type = container_of(mdev->type, struct mvgpu_type,
					       mtype);
	struct mvgpu_gpu *gpu = type->gpu;
	int ret;

	vgpu->gpu = gpu;
	vgpu->type = type;
	vgpu->created_ns = ktime_get_ns();
	mutex_init(&vgpu->lock);
	seqcount_mutex_init(&vgpu->cfg_seq, &vgpu->lock);
	mutex_init(&vgpu->ctx.exec_lock);
	mvgpu_irq_init(vgpu);

	vgpu->ctx.ops = &mvgpu_vgpu_ctx_ops;
	vgpu->ctx.hw = &gpu->hw;
	vgpu->ctx.slice_size = gpu->slice_size;
	vgpu->ctx.vram_size = gpu->hw.caps.vram_size / type->divisor;

	vgpu->se.ctx = &vgpu->ctx;
	vgpu->se.share_permille = 1000 / type->divisor;
	vgpu->se.weight = type->slices;
	vgpu->se.prio = MVGPU_PRIO_NORMAL;
	mvgpu_migration_init(vgpu);

	ret = gpu->hw.ops->ctx_init(&vgpu->ctx);
	if (ret)
		return ret;

	ret = mvgpu_vgpu_alloc_vram(vgpu);
	if (ret)
		goto err_ctx;

	ret = mvgpu_vram_init(vgpu);
	if (ret)
		goto err_vram;

	mutex_lock(&vgpu->lock);
	mvgpu_cfg_reset(vgpu);
	mutex_unlock(&vgpu->lock);

	mvgpu_sched_add(&gpu->sched, &vgpu->se);
	mutex_lock(&gpu->lock);
	list_add_tail(&vgpu->node, &gpu->vgpus);
	mutex_unlock(&gpu->lock);
	/* the GPU struct outlives the vGPU: put by mvgpu_vgpu_release */
	get_device(&gpu->dev);
	return 0;

err_vram:
	mvgpu_vgpu_release_vram(vgpu, type->slices);
err_ctx:
	gpu->hw.ops->ctx_fini(&vgpu->ctx);
	return ret;
}

/* Undo what init did that must not outlive the mdev device */
static void mvgpu_vgpu_teardown(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_gpu *gpu = vgpu->gpu;

	mutex_lock(&gpu->lock);
	list_del(&vgpu->node);
	mutex_unlock(&gpu->lock);
	mvgpu_sched_disable(&gpu->sched, &vgpu->se);
	mvgpu_dma_fini(vgpu);
	mvgpu_sched_remove(&gpu->sched, &vgpu->se);

	mutex_lock(&vgpu->lock);
	vgpu->open = false;
	mvgpu_vram_update(vgpu);	/* nothing may map the pages now */
	mutex_unlock(&vgpu->lock);
	mvgpu_vgpu_release_vram(vgpu, vgpu->type->slices);
	/* before the GPU can go: the backend's state is gone with it */
	gpu->hw.ops->ctx_fini(&vgpu->ctx);
}

/* vfio_device_ops.release: the last reference is gone */
void mvgpu_vgpu_release(struct vfio_device *vdev)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);

	mvgpu_vram_fini(vgpu);
	mvgpu_dma_release(vgpu);
	mutex_destroy(&vgpu->ctx.exec_lock);
	mutex_destroy(&vgpu->lock);
	/* only called after init succeeded */
	put_device(&vgpu->gpu->dev);
	vfio_free_device(vdev);
}

/**
 * mvgpu_vgpu_reset - bring the vGPU back to its reset state
 * @vgpu: the vGPU, vgpu->lock held
 * @function_reset: also reset PCI config space (VFIO_DEVICE_RESET, open);
 *	false for the BAR0 RESET register, which keeps the PCI state
 *
 * Stops the engines on this vGPU, clears its context, registers and
 * interrupt causes.  VRAM contents are kept.  A function reset turns
 * memory decoding off, which zaps the user's VRAM mappings.
 */
void mvgpu_vgpu_reset(struct mvgpu_vgpu *vgpu, bool function_reset)
{
	struct mvgpu_sched *sched = &vgpu->gpu->sched;

	lockdep_assert_held(&vgpu->lock);

	mvgpu_vgpu_quiesce(vgpu);
	mutex_lock(&vgpu->ctx.exec_lock);
	mvgpu_ctx_reset(&vgpu->ctx);
	mutex_unlock(&vgpu->ctx.exec_lock);
	mvgpu_mmio_reset(vgpu);
	mvgpu_irq_reset(vgpu);
	if (function_reset) {
		mvgpu_migration_reset(vgpu);
		mvgpu_cfg_reset(vgpu);
		WRITE_ONCE(vgpu->ctx.dma_enabled, false);
		mvgpu_irq_set_intx_disabled(vgpu, false);
		mvgpu_vram_update(vgpu);
	}
	if (mvgpu_vgpu_may_run(vgpu))
		mvgpu_sched_enable(sched, &vgpu->se);
}

/*
 * The opener's name as sysfs, dmesg and mvgpuctl show it: a process picks
 * its own comm, so a newline or an escape sequence in it must not reach a
 * reader as one.
 */
static void mvgpu_vgpu_set_owner_comm(struct mvgpu_vgpu *vgpu)
{
	char comm[TASK_COMM_LEN];
	int len;

	get_task_comm(comm, current);
	len = string_escape_str(comm, vgpu->owner_comm,
				sizeof(vgpu->owner_comm) - 1,
				ESCAPE_ANY_NP, NULL);
	vgpu->owner_comm[min_t(int, len, sizeof(vgpu->owner_comm) - 1)] = '\0';
}

int mvgpu_vgpu_open(struct vfio_device *vdev)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);

	mutex_lock(&vgpu->lock);
	mvgpu_vgpu_reset(vgpu, true);
	vgpu->open = true;
	vgpu->owner_pid = task_tgid_nr(current);
	mvgpu_vgpu_set_owner_comm(vgpu);
	mvgpu_sched_enable(&vgpu->gpu->sched, &vgpu->se);
	mutex_unlock(&vgpu->lock);
	dev_dbg_ratelimited(vdev->dev, "opened by %s (%d)\n",
			    vgpu->owner_comm, vgpu->owner_pid);
	return 0;
}

/*
 * Zero the vGPU's VRAM so the next owner never sees this one's bytes.  The
 * vGPU is closed: no engine, DMA, mapping, region access or migration
 * session can reach its VRAM, and VFIO cannot open it again before close
 * returns.  Runs without vgpu->lock, so sysfs readers and the admin are
 * not held up; the time goes to the closing process.
 */
static void mvgpu_vgpu_scrub(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_gpu *gpu = vgpu->gpu;
	u64 start = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < vgpu->type->slices; i++)
		gpu->hw.ops->vram_scrub(&gpu->hw, vgpu->ctx.slice_base[i],
					gpu->slice_size);
	atomic64_inc(&vgpu->scrubs);
	atomic64_set(&vgpu->scrub_last_ns, ktime_get_ns() - start);
}

void mvgpu_vgpu_close(struct vfio_device *vdev)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);

	mutex_lock(&vgpu->lock);
	/* engines and DMA off first: DMA needs the device open */
	mvgpu_vgpu_quiesce(vgpu);
	mvgpu_migration_reset(vgpu);
	vgpu->open = false;
	mvgpu_vram_update(vgpu);
	mvgpu_irq_teardown(vgpu);
	vgpu->owner_pid = 0;
	vgpu->owner_comm[0] = '\0';
	mutex_unlock(&vgpu->lock);
	mvgpu_vgpu_scrub(vgpu);
}

static int mvgpu_mdev_probe(struct mdev_device *mdev)
{
	struct mvgpu_vgpu *vgpu;
	int ret;

	/* a vGPU pins the module: rmmod is refused while vGPUs exist */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;

	vgpu = vfio_alloc_device(mvgpu_vgpu, vdev, &mdev->dev,
				 &mvgpu_vfio_ops);
	if (IS_ERR(vgpu)) {
		ret = PTR_ERR(vgpu);
		goto err_module;
	}

	ret = mvgpu_dma_init(vgpu);
	if (ret) {
		dev_err(&mdev->dev, "cannot start the DMA thread (%d)\n", ret);
		goto err_put;
	}

	ret = vfio_register_emulated_iommu_dev(&vgpu->vdev);
	if (ret) {
		dev_err(&mdev->dev, "cannot register with VFIO (%d)\n", ret);
		goto err_put;
	}
	dev_set_drvdata(&mdev->dev, vgpu);
	dev_info(&mdev->dev, "created on %s: type %s, %llu MiB VRAM\n",
		 dev_name(&vgpu->gpu->dev), vgpu->type->sysfs_name,
		 vgpu->ctx.vram_size >> 20);
	return 0;

err_put:
	mvgpu_vgpu_teardown(vgpu);
	vfio_put_device(&vgpu->vdev);
err_module:
	module_put(THIS_MODULE);
	return ret;
}

static void mvgpu_mdev_remove(struct mdev_device *mdev)
{
	struct mvgpu_vgpu *vgpu = dev_get_drvdata(&mdev->dev);
	struct mvgpu_gpu *gpu = vgpu->gpu;

	mutex_lock(&gpu->lock);
	vgpu->removing = true;
	mutex_unlock(&gpu->lock);
	/* waits for the client to close, calling mvgpu_vfio_request */
	vfio_unregister_group_dev(&vgpu->vdev);
	mvgpu_vgpu_teardown(vgpu);
	mvgpu_meter_retire(vgpu);
	dev_info(&mdev->dev, "removed, %llu MiB of VRAM scrubbed and returned\n",
		 vgpu->ctx.vram_size >> 20);
	vfio_put_device(&vgpu->vdev);
	module_put(THIS_MODULE);
}

struct mdev_driver mvgpu_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name		= MVGPU_NAME,
		.owner		= THIS_MODULE,
		.mod_name	= KBUILD_MODNAME,
		.dev_groups	= mvgpu_vgpu_groups,
	},
	.probe		= mvgpu_mdev_probe,
	.remove		= mvgpu_mdev_remove,
	.get_available	= mvgpu_type_available,
	.show_description = mvgpu_type_description,
};
