/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mvgpu_cpu_engine.h - the CPU engine: the mvgpu command set executed on
 * the host CPU, for any backend whose GPU has no engine of its own that
 * runs it (the software GPU, a PCI device used for its VRAM).
 *
 * It fetches 64-byte commands from a context's ring, walks the vGPU's page
 * table, and runs each command in bounded chunks, reaching VRAM only
 * through hw->ops->vram_map and the mvgpu_vram_*() helpers, so VRAM may be
 * RAM or I/O memory (caps.vram_iomem).  DMA commands go to the mediator's
 * DMA thread through ctx->ops->dma_start; interrupts through
 * ctx->ops->raise_irq.
 *
 * A backend that uses it:
 *   gpu_init:  fill hw->caps first (cap_bits may be MVGPU_CPU_ENGINE_CAPS,
 *              ctx_state_size MVGPU_CPU_CTX_STATE_SIZE), then
 *              mvgpu_cpu_engine_create(hw) for its per-engine scratch
 *   gpu_fini:  mvgpu_cpu_engine_destroy()
 *   ctx_init, ctx_fini, ctx_reset, ctx_save, ctx_restore: the
 *              mvgpu_cpu_ctx_*() functions, straight in its ops table; they
 *              own ctx->priv
 *   engine_step: mvgpu_cpu_engine_step() with the engine it was given
 * Locking is the ops': everything on a context runs with ctx->exec_lock
 * held but init and fini; engines do not share scratch.
 */
#ifndef MVGPU_CPU_ENGINE_H
#define MVGPU_CPU_ENGINE_H

#include "mvgpu_backend.h"

/* what the CPU engine implements, for hw->caps.cap_bits */
#define MVGPU_CPU_ENGINE_CAPS	(MVGPU_CAP_RING | MVGPU_CAP_PAGING | \
				 MVGPU_CAP_DMA | MVGPU_CAP_GEMM_I32 | \
				 MVGPU_CAP_MSI | MVGPU_CAP_INTX)
/* what mvgpu_cpu_ctx_save writes (struct mvgpu_mig_cpu_ctx) */
#define MVGPU_CPU_CTX_STATE_SIZE	sizeof(struct mvgpu_mig_cpu_ctx)

struct mvgpu_cpu_engine;

/*
 * Scratch for hw->caps.num_engines engines; hw->caps is filled in.
 * Return: the engine state, or an ERR_PTR.  Sleeps.
 */
struct mvgpu_cpu_engine *mvgpu_cpu_engine_create(struct mvgpu_hw *hw);
void mvgpu_cpu_engine_destroy(struct mvgpu_cpu_engine *ce);

/* struct mvgpu_backend_ops' context ops, with the same contracts */
int mvgpu_cpu_ctx_init(struct mvgpu_ctx *ctx);
void mvgpu_cpu_ctx_fini(struct mvgpu_ctx *ctx);
void mvgpu_cpu_ctx_reset(struct mvgpu_ctx *ctx);
int mvgpu_cpu_ctx_save(struct mvgpu_ctx *ctx, void *buf, size_t len);
int mvgpu_cpu_ctx_restore(struct mvgpu_ctx *ctx, const void *buf,
			  size_t len);

/*
 * Run one bounded chunk of @ctx's ring on engine @engine (below
 * caps.num_engines) of @ce: the engine_step op.  ctx->exec_lock held.
 */
enum mvgpu_step_result mvgpu_cpu_engine_step(struct mvgpu_cpu_engine *ce,
					     unsigned int engine,
					     struct mvgpu_ctx *ctx);

#endif /* MVGPU_CPU_ENGINE_H */
