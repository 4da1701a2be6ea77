/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPU engine's private interfaces between its MMU (mvgpu_cpu_mmu.c)
 * and its command processor (mvgpu_cpu_cmd.c).
 */
#ifndef MVGPU_CPU_H
#define MVGPU_CPU_H

#include "mvgpu_cpu_engine.h"

/* Work one engine step may do before the scheduler looks again */
#define MVGPU_CPU_CHUNK_BYTES	(64 * 1024)
#define MVGPU_CPU_CHUNK_MACS	(32 * 1024)

/* One engine's scratch: only the thread running that engine uses it */
struct mvgpu_cpu_scratch {
	u32 *row_a;		/* GEMM: a row segment of A */
	u32 *row_b;		/* GEMM: a row of B */
	u32 *row_c;		/* GEMM: the row of C being accumulated */
};

struct mvgpu_cpu_engine {
	struct mvgpu_hw *hw;
	unsigned int num_engines;
	struct mvgpu_cpu_scratch scratch[MVGPU_MAX_ENGINES];
};

/* A context's resumable state (ctx->priv), under ctx->exec_lock */
struct mvgpu_cpu_ctx {
	bool cmd_valid;		/* cmd is being executed */
	struct mvgpu_cmd cmd;	/* in CPU byte order */
	u64 cmd_progress;	/* bytes, or GEMM rows * k + kk, done */
};

static inline struct mvgpu_cpu_ctx *mvgpu_cpu_ctx(struct mvgpu_ctx *ctx)
{
	return ctx->priv;
}

/* The outcome of an access through the vGPU's MMU */
struct mvgpu_cpu_fault {
	u32 code;		/* MVGPU_FAULT_*, 0 when none */
	bool write;
	u64 addr;
};

/* mvgpu_cpu_mmu.c */
void *mvgpu_cpu_translate(struct mvgpu_ctx *ctx, u64 va, bool write,
			  u32 *avail, struct mvgpu_cpu_fault *fault);
int mvgpu_cpu_copy_va(struct mvgpu_ctx *ctx, u64 va, void *buf, u32 len,
		      bool write, struct mvgpu_cpu_fault *fault);

static inline int mvgpu_cpu_read_va(struct mvgpu_ctx *ctx, u64 va, void *buf,
				    u32 len, struct mvgpu_cpu_fault *fault)
{
	return mvgpu_cpu_copy_va(ctx, va, buf, len, false, fault);
}

static inline int mvgpu_cpu_write_va(struct mvgpu_ctx *ctx, u64 va,
				     const void *buf, u32 len,
				     struct mvgpu_cpu_fault *fault)
{
	return mvgpu_cpu_copy_va(ctx, va, (void *)buf, len, true, fault);
}

bool mvgpu_cpu_range_ok(struct mvgpu_ctx *ctx, u64 va, u64 len, bool write,
			struct mvgpu_cpu_fault *fault);

#endif /* MVGPU_CPU_H */
