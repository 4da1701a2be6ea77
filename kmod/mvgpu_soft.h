/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The software reference GPU: private interfaces between its VRAM and
 * engine code (mvgpu_hal_soft.c), its MMU (mvgpu_soft_mmu.c) and its
 * command processor (mvgpu_soft_cmd.c).
 */
#ifndef MVGPU_SOFT_H
#define MVGPU_SOFT_H

#include "mvgpu.h"

/* Work one engine step may do before the scheduler looks again */
#define MVGPU_SOFT_CHUNK_BYTES	(64 * 1024)
#define MVGPU_SOFT_CHUNK_MACS	(32 * 1024)

struct mvgpu_soft_engine {
	u32 *row_a;		/* GEMM: a row segment of A */
	u32 *row_b;		/* GEMM: a row of B */
	u32 *row_c;		/* GEMM: the row of C being accumulated */
};

struct mvgpu_soft_gpu {
	struct page **pages;	/* VRAM, one page per PAGE_SIZE, or NULL */
	u64 nr_pages;
	struct mvgpu_soft_engine engines[MVGPU_MAX_ENGINES];
};

/* The outcome of an access through the vGPU's MMU */
struct mvgpu_soft_fault {
	u32 code;		/* MVGPU_FAULT_*, 0 when none */
	bool write;
	u64 addr;
};

/* mvgpu_soft_mmu.c */
void *mvgpu_soft_translate(struct mvgpu_ctx *ctx, u64 va, bool write,
			   u32 *avail, struct mvgpu_soft_fault *fault);
int mvgpu_soft_copy_va(struct mvgpu_ctx *ctx, u64 va, void *buf, u32 len,
		       bool write, struct mvgpu_soft_fault *fault);

static inline int mvgpu_soft_read_va(struct mvgpu_ctx *ctx, u64 va, void *buf,
				     u32 len, struct mvgpu_soft_fault *fault)
{
	return mvgpu_soft_copy_va(ctx, va, buf, len, false, fault);
}

static inline int mvgpu_soft_write_va(struct mvgpu_ctx *ctx, u64 va,
				      const void *buf, u32 len,
				      struct mvgpu_soft_fault *fault)
{
	return mvgpu_soft_copy_va(ctx, va, (void *)buf, len, true, fault);
}

bool mvgpu_soft_range_ok(struct mvgpu_ctx *ctx, u64 va, u64 len, bool write,
			 struct mvgpu_soft_fault *fault);

/* mvgpu_soft_cmd.c */
enum mvgpu_step_result mvgpu_soft_cmd_step(struct mvgpu_soft_engine *eng,
					   struct mvgpu_ctx *ctx);

#endif /* MVGPU_SOFT_H */
