// SPDX-License-Identifier: GPL-2.0-only
/*
 * Execution contexts: the registers of struct mvgpu_ctx that every
 * backend shares, their reset, and their place in a migration stream
 * (struct mvgpu_mig_ctx_regs), checked with the rules BAR0 writes obey.
 * A backend's ctx_save/ctx_restore calls the save, check and load helpers
 * for them; the mediator calls mvgpu_ctx_reset.
 */
#include <linux/log2.h>

#include "mvgpu.h"

bool mvgpu_ctx_has_work(const struct mvgpu_ctx *ctx)
{
	return READ_ONCE(ctx->ring_size) && !READ_ONCE(ctx->faulted) &&
	       /* pairs with the DMA thread's release */
	       !smp_load_acquire(&ctx->dma_busy) &&
	       READ_ONCE(ctx->head) != READ_ONCE(ctx->tail);
}

/*
 * Registers to reset values and the backend's command in progress
 * forgotten; the counters are statistics and stay.  exec_lock held.
 */
void mvgpu_ctx_reset(struct mvgpu_ctx *ctx)
{
	lockdep_assert_held(&ctx->exec_lock);
	ctx->pt_base = 0;
	WRITE_ONCE(ctx->pt_entries, 0);
	ctx->ring_base = 0;
	WRITE_ONCE(ctx->ring_size, 0);
	WRITE_ONCE(ctx->tail, 0);
	WRITE_ONCE(ctx->head, 0);
	WRITE_ONCE(ctx->fence, 0);
	WRITE_ONCE(ctx->faulted, false);
	ctx->fault_status = 0;
	ctx->fault_head = 0;
	ctx->fault_addr = 0;
	ctx->dma_done = false;
	WRITE_ONCE(ctx->dma_busy, false);
	ctx->hw->ops->ctx_reset(ctx);
}

void mvgpu_ctx_save_regs(const struct mvgpu_ctx *ctx,
			 struct mvgpu_mig_ctx_regs *r)
{
	lockdep_assert_held(&ctx->exec_lock);
	memset(r, 0, sizeof(*r));
	r->pt_base = cpu_to_le64(ctx->pt_base);
	r->ring_base = cpu_to_le64(ctx->ring_base);
	r->fence = cpu_to_le64(ctx->fence);
	r->fault_addr = cpu_to_le64(ctx->fault_addr);
	r->pt_entries = cpu_to_le32(ctx->pt_entries);
	r->ring_size = cpu_to_le32(ctx->ring_size);
	r->head = cpu_to_le32(ctx->head);
	r->tail = cpu_to_le32(ctx->tail);
	r->fault_status = cpu_to_le32(ctx->fault_status);
	r->fault_head = cpu_to_le32(ctx->fault_head);
	r->faulted = cpu_to_le32(ctx->faulted);
}

/* The rules of RING_*, PT_* and the fault latch (docs/device.md, §3) */
int mvgpu_ctx_check_regs(const struct mvgpu_ctx *ctx,
			 const struct mvgpu_mig_ctx_regs *r)
{
	u64 vram = ctx->vram_size, pt_base = le64_to_cpu(r->pt_base);
	u32 ring = le32_to_cpu(r->ring_size), pt = le32_to_cpu(r->pt_entries);
	u32 head = le32_to_cpu(r->head), tail = le32_to_cpu(r->tail);
	u32 fault = le32_to_cpu(r->fault_status);

	if (ring && (ring < MVGPU_RING_MIN_SIZE || ring > MVGPU_RING_MAX_SIZE ||
		     !is_power_of_2(ring) ||
		     !IS_ALIGNED(le64_to_cpu(r->ring_base), MVGPU_GPU_PAGE_SIZE)))
		return -EINVAL;
	if ((ring ? head >= ring || tail >= ring : head || tail) ||
	    !IS_ALIGNED(head, MVGPU_CMD_SIZE) || !IS_ALIGNED(tail, MVGPU_CMD_SIZE))
		return -EINVAL;
	if (pt && (pt > MVGPU_PT_MAX_ENTRIES ||
		   !IS_ALIGNED(pt_base, MVGPU_GPU_PAGE_SIZE) || pt_base >= vram ||
		   (u64)pt * sizeof(u64) > vram - pt_base))
		return -EINVAL;
	if (le32_to_cpu(r->faulted) > 1 ||
	    fault & ~(MVGPU_FAULT_CODE_MASK | MVGPU_FAULT_WRITE) ||
	    (fault & MVGPU_FAULT_CODE_MASK) > MVGPU_FAULT_READ_ONLY ||
	    r->reserved)
		return -EINVAL;
	return 0;
}

/* Registers checked by mvgpu_ctx_check_regs; no DMA is in flight */
void mvgpu_ctx_load_regs(struct mvgpu_ctx *ctx,
			 const struct mvgpu_mig_ctx_regs *r)
{
	lockdep_assert_held(&ctx->exec_lock);
	ctx->pt_base = le64_to_cpu(r->pt_base);
	ctx->ring_base = le64_to_cpu(r->ring_base);
	ctx->fault_addr = le64_to_cpu(r->fault_addr);
	ctx->fault_status = le32_to_cpu(r->fault_status);
	ctx->fault_head = le32_to_cpu(r->fault_head);
	WRITE_ONCE(ctx->fence, le64_to_cpu(r->fence));
	WRITE_ONCE(ctx->pt_entries, le32_to_cpu(r->pt_entries));
	WRITE_ONCE(ctx->ring_size, le32_to_cpu(r->ring_size));
	WRITE_ONCE(ctx->head, le32_to_cpu(r->head));
	WRITE_ONCE(ctx->tail, le32_to_cpu(r->tail));
	WRITE_ONCE(ctx->faulted, le32_to_cpu(r->faulted));
	ctx->dma_done = false;
	WRITE_ONCE(ctx->dma_busy, false);
}
