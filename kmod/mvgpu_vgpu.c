// SPDX-License-Identifier: GPL-2.0-only
/*
 * vGPU lifecycle: create, open, close, reset and remove as the VFIO glue
 * asks for them, the device-level effects of config space, BAR0 and
 * migration state changes, and the hooks an engine uses to reach back into
 * the vGPU (DMA, interrupts).
 *
 * Create reserves the VRAM slices and backs them, so a vGPU that exists
 * always has its memory.  Remove of an open vGPU waits: the glue asks the
 * client through its request eventfd until it closes the device; only
 * then is the partition scrubbed and given back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string_helpers.h>
#include <linux/pci_regs.h>
#include <asm/unaligned.h>

#include "mvgpu.h"

static void mvgpu_ctx_dma_start(struct mvgpu_ctx *ctx)
{
	mvgpu_dma_start(mvgpu_ctx_to_vgpu(ctx));
}

/*
 * Called by an engine's step, under exec_lock.  Waking the eventfd's
 * waiter may send an IPI, which a virtual CPU can take milliseconds to
 * deliver; on hardware the MSI is a posted write.  The scheduler does not
 * charge that time to the vGPU as engine time.
 */
static void mvgpu_ctx_raise_irq(struct mvgpu_ctx *ctx, u32 causes)
{
	struct mvgpu_vgpu *vgpu = mvgpu_ctx_to_vgpu(ctx);
	u64 t0 = ktime_get_ns();

	lockdep_assert_held(&ctx->exec_lock);
	mvgpu_irq_raise(vgpu, causes);
	vgpu->se.irq_ns += ktime_get_ns() - t0;
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

/* Engines may run it: open and not stopped for migration; vgpu->lock */
static bool mvgpu_vgpu_may_run(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	return vgpu->open && vgpu->mig_state == MVGPU_MIG_RUNNING;
}

/* VRAM follows the device state: open and memory decoding on */
static void mvgpu_vgpu_vram_update(struct mvgpu_vgpu *vgpu)
{
	mvgpu_vram_update(vgpu, vgpu->open && mvgpu_cfg_mem_enabled(vgpu));
}

/*
 * Bus mastering was turned off: a DMA in flight is cancelled, and its
 * command faults (MVGPU_FAULT_BUS_MASTER) when the engine looks at it again.
 */
static void mvgpu_vgpu_bus_master_off(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	mvgpu_vgpu_quiesce(vgpu);
	if (mvgpu_vgpu_may_run(vgpu))
		mvgpu_sched_enable(&vgpu->gpu->sched, &vgpu->se);
}

/* PCI_COMMAND was written: bus mastering, INTx disable, memory decoding */
static void mvgpu_vgpu_command_changed(struct mvgpu_vgpu *vgpu)
{
	u16 cmd = get_unaligned_le16(&vgpu->cfg[PCI_COMMAND]);
	bool master = cmd & PCI_COMMAND_MASTER;
	bool was_master = READ_ONCE(vgpu->ctx.dma_enabled);

	WRITE_ONCE(vgpu->ctx.dma_enabled, master);
	if (was_master && !master)
		mvgpu_vgpu_bus_master_off(vgpu);
	mvgpu_irq_set_intx_disabled(vgpu, cmd & PCI_COMMAND_INTX_DISABLE);
	mvgpu_vgpu_vram_update(vgpu);
}

/* A config space write (client or migration) with its effects; lock held */
int mvgpu_vgpu_cfg_write(struct mvgpu_vgpu *vgpu, u32 off, const u8 *buf,
			 u32 len)
{
	int ret = mvgpu_cfg_write(vgpu, off, buf, len);

	if (ret == MVGPU_CFG_COMMAND_CHANGED) {
		mvgpu_vgpu_command_changed(vgpu);
		ret = 0;
	}
	return ret;
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
		dev_err(vgpu->dev,
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
			dev_err(vgpu->dev,
				"cannot back %llu MiB of VRAM with host memory (%d)\n",
				vgpu->ctx.vram_size >> 20, ret);
			mvgpu_vgpu_release_vram(vgpu, i);
			return ret;
		}
	}
	return 0;
}

/**
 * mvgpu_vgpu_init - everything a new vGPU needs, or nothing
 * @vgpu: zeroed
 * @type: its type, on its GPU
 * @dev: its device (the mdev device), for logs
 * @host: the glue that made it
 *
 * Return: 0, or -errno with nothing left to undo.
 */
int mvgpu_vgpu_init(struct mvgpu_vgpu *vgpu, struct mvgpu_type *type,
		    struct device *dev, const struct mvgpu_vgpu_host_ops *host)
{
	struct mvgpu_gpu *gpu = type->gpu;
	int ret;

	vgpu->dev = dev;
	vgpu->host = host;
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
	vgpu->mig_state = MVGPU_MIG_RUNNING;

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

/* Remove has begun: the VRAM counts as being released (sysfs) */
void mvgpu_vgpu_set_removing(struct mvgpu_vgpu *vgpu)
{
	mutex_lock(&vgpu->gpu->lock);
	vgpu->removing = true;
	mutex_unlock(&vgpu->gpu->lock);
}

/* Undo what init did that must not outlive the mdev device */
void mvgpu_vgpu_teardown(struct mvgpu_vgpu *vgpu)
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
	mvgpu_vram_update(vgpu, false);	/* nothing may map the pages now */
	mutex_unlock(&vgpu->lock);
	mvgpu_vgpu_release_vram(vgpu, vgpu->type->slices);
	/* before the GPU can go: the backend's state is gone with it */
	gpu->hw.ops->ctx_fini(&vgpu->ctx);
}

/* The last reference is gone; the glue frees the memory */
void mvgpu_vgpu_release(struct mvgpu_vgpu *vgpu)
{
	mvgpu_vram_fini(vgpu);
	mvgpu_dma_release(vgpu);
	mutex_destroy(&vgpu->ctx.exec_lock);
	mutex_destroy(&vgpu->lock);
	/* only called after init succeeded */
	put_device(&vgpu->gpu->dev);
}

/* Reset, open, close: any migration session ends, back to RUNNING */
static void mvgpu_vgpu_mig_end(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	mvgpu_mig_save_close(vgpu);
	mvgpu_mig_load_close(vgpu);
	vgpu->mig_state = MVGPU_MIG_RUNNING;
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
		mvgpu_vgpu_mig_end(vgpu);
		mvgpu_cfg_reset(vgpu);
		WRITE_ONCE(vgpu->ctx.dma_enabled, false);
		mvgpu_irq_set_intx_disabled(vgpu, false);
		mvgpu_vgpu_vram_update(vgpu);
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

/* Opened by a client; vgpu->lock held */
void mvgpu_vgpu_open(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	mvgpu_vgpu_reset(vgpu, true);
	vgpu->open = true;
	vgpu->owner_pid = task_tgid_nr(current);
	mvgpu_vgpu_set_owner_comm(vgpu);
	mvgpu_sched_enable(&vgpu->gpu->sched, &vgpu->se);
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
	mvgpu_vram_use_reset(vgpu);
	atomic64_inc(&vgpu->scrubs);
	atomic64_set(&vgpu->scrub_last_ns, ktime_get_ns() - start);
}

/* The client closed it: stop, forget the client, scrub */
void mvgpu_vgpu_close(struct mvgpu_vgpu *vgpu)
{
	mutex_lock(&vgpu->lock);
	/* engines and DMA off first: DMA needs the device open */
	mvgpu_vgpu_quiesce(vgpu);
	mvgpu_vgpu_mig_end(vgpu);
	vgpu->open = false;
	mvgpu_vgpu_vram_update(vgpu);
	mvgpu_irq_teardown(vgpu);
	vgpu->owner_pid = 0;
	vgpu->owner_comm[0] = '\0';
	mutex_unlock(&vgpu->lock);
	mvgpu_vgpu_scrub(vgpu);
}

/* ------------------------------------------------------------------ */
/* Migration states, as the glue's state machine moves through them    */
/* ------------------------------------------------------------------ */

/* RUNNING -> STOP: off the engines, DMA done or cancelled */
void mvgpu_vgpu_mig_stop(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	mvgpu_vgpu_quiesce(vgpu);
}

/* STOP -> RUNNING: runs again, and what is pending is delivered */
void mvgpu_vgpu_mig_run(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	if (vgpu->open)
		mvgpu_sched_enable(&vgpu->gpu->sched, &vgpu->se);
	mvgpu_irq_replay(vgpu);
}

/*
 * RESUMING -> STOP: the stream is checked and its state loaded by the
 * migration file; config space is applied here, through its write mask
 * and with the side effects a client's write has.
 */
int mvgpu_vgpu_mig_load(struct mvgpu_vgpu *vgpu)
{
	u8 cfg[MVGPU_CFG_SIZE];
	int ret;

	lockdep_assert_held(&vgpu->lock);
	ret = mvgpu_mig_load_finish(vgpu, cfg);
	if (ret)
		return ret;
	mvgpu_vgpu_cfg_write(vgpu, 0, cfg, MVGPU_CFG_SIZE);
	mvgpu_mig_load_close(vgpu);
	return 0;
}
