// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPU engine's MMU: every address a command uses goes through the
 * vGPU's own page table (or, with paging off, a bounds check) and then
 * through its partition map, so an engine can only ever touch the VRAM
 * slices of the context it is running.  VRAM is reached through the
 * backend's vram_map, a page at a time, and read with the mvgpu_vram_*()
 * helpers, so it may be I/O memory.
 */
#include "mvgpu_cpu.h"

static void mvgpu_cpu_set_fault(struct mvgpu_cpu_fault *fault, u32 code,
				u64 addr, bool write)
{
	fault->code = code;
	fault->addr = addr;
	fault->write = write;
}

/*
 * Kernel address of a vGPU VRAM offset already checked against its size,
 * valid to the end of its GPU page
 */
static void *mvgpu_cpu_vram_addr(struct mvgpu_ctx *ctx, u64 off)
{
	struct mvgpu_hw *hw = ctx->hw;

	return hw->ops->vram_map(hw, mvgpu_ctx_vram_phys(ctx, off));
}

static bool mvgpu_cpu_walk(struct mvgpu_ctx *ctx, u64 va, bool write,
			   u64 *off, struct mvgpu_cpu_fault *fault)
{
	u64 idx, pte;
	void *ptep;

	if (!ctx->pt_entries) {
		if (va >= ctx->vram_size) {
			mvgpu_cpu_set_fault(fault, MVGPU_FAULT_OUT_OF_RANGE,
					    va, write);
			return false;
		}
		*off = va;
		return true;
	}

	idx = va >> MVGPU_GPU_PAGE_SHIFT;
	if (idx >= ctx->pt_entries ||
	    ctx->pt_base + (idx + 1) * sizeof(pte) > ctx->vram_size) {
		mvgpu_cpu_set_fault(fault, MVGPU_FAULT_OUT_OF_RANGE, va, write);
		return false;
	}
	ptep = mvgpu_cpu_vram_addr(ctx, ctx->pt_base + idx * sizeof(pte));
	pte = le64_to_cpu((__force __le64)mvgpu_vram_read64(ctx->hw, ptep));
	if (!(pte & MVGPU_PTE_VALID)) {
		mvgpu_cpu_set_fault(fault, MVGPU_FAULT_UNMAPPED, va, write);
		return false;
	}
	if (write && !(pte & MVGPU_PTE_WRITE)) {
		mvgpu_cpu_set_fault(fault, MVGPU_FAULT_READ_ONLY, va, write);
		return false;
	}
	*off = (pte & MVGPU_PTE_ADDR_MASK) | (va & (MVGPU_GPU_PAGE_SIZE - 1));
	if (*off >= ctx->vram_size) {
		mvgpu_cpu_set_fault(fault, MVGPU_FAULT_OUT_OF_RANGE, va, write);
		return false;
	}
	return true;
}

/**
 * mvgpu_cpu_translate - map a GPU virtual address for the engine
 * @ctx: the context whose page table applies
 * @va: GPU virtual address
 * @write: the access will write
 * @avail: set to the bytes usable from the result (up to the page end)
 * @fault: filled in when the translation faults
 *
 * Return: a kernel address (I/O memory when caps.vram_iomem), or NULL
 * with @fault filled in.
 */
void *mvgpu_cpu_translate(struct mvgpu_ctx *ctx, u64 va, bool write,
			  u32 *avail, struct mvgpu_cpu_fault *fault)
{
	u64 off;

	if (!mvgpu_cpu_walk(ctx, va, write, &off, fault))
		return NULL;
	*avail = MVGPU_GPU_PAGE_SIZE - (off & (MVGPU_GPU_PAGE_SIZE - 1));
	return mvgpu_cpu_vram_addr(ctx, off);
}

/* Copy between @buf and GPU VA space through the MMU, page by page */
int mvgpu_cpu_copy_va(struct mvgpu_ctx *ctx, u64 va, void *buf, u32 len,
		      bool write, struct mvgpu_cpu_fault *fault)
{
	while (len) {
		u32 avail;
		void *p = mvgpu_cpu_translate(ctx, va, write, &avail, fault);

		if (!p)
			return -EFAULT;
		avail = min(avail, len);
		if (write)
			mvgpu_vram_write(ctx->hw, p, buf, avail);
		else
			mvgpu_vram_read(ctx->hw, buf, p, avail);
		buf += avail;
		va += avail;
		len -= avail;
	}
	return 0;
}

/*
 * With paging off a whole range can be checked before a command starts, so
 * an out-of-range command is refused before it changes anything.  With
 * paging on the table is walked as the command goes and a fault can come
 * after part of the command ran.
 */
bool mvgpu_cpu_range_ok(struct mvgpu_ctx *ctx, u64 va, u64 len, bool write,
			struct mvgpu_cpu_fault *fault)
{
	if (ctx->pt_entries || !len)
		return true;
	if (va >= ctx->vram_size) {
		mvgpu_cpu_set_fault(fault, MVGPU_FAULT_OUT_OF_RANGE, va, write);
		return false;
	}
	if (len > ctx->vram_size - va) {
		mvgpu_cpu_set_fault(fault, MVGPU_FAULT_OUT_OF_RANGE,
				    ctx->vram_size, write);
		return false;
	}
	return true;
}
