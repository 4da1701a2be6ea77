// SPDX-License-Identifier: GPL-2.0-only
/*
 * The software GPU's command processor: fetches 64-byte commands from a
 * context's ring, checks them, and executes them in bounded chunks so the
 * scheduler can switch contexts inside a long command.  Nothing here can
 * loop without bound: every command has a size limit and a chunk moves
 * it forward by at least one unit of work.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "mvgpu_soft.h"

static enum mvgpu_step_result
mvgpu_soft_fault(struct mvgpu_ctx *ctx, const struct mvgpu_soft_fault *fault)
{
	ctx->fault_status = fault->code |
			    (fault->write ? MVGPU_FAULT_WRITE : 0);
	ctx->fault_head = ctx->head;
	ctx->fault_addr = fault->addr;
	ctx->cmd_valid = false;
	ctx->faults++;
	WRITE_ONCE(ctx->faulted, true);
	ctx->ops->raise_irq(ctx, MVGPU_INT_FAULT);
	return MVGPU_STEP_FAULT;
}

static enum mvgpu_step_result
mvgpu_soft_bad_command(struct mvgpu_ctx *ctx, u32 code)
{
	struct mvgpu_soft_fault fault = {
		.code = code,
		.addr = ctx->ring_base + ctx->head,
	};

	return mvgpu_soft_fault(ctx, &fault);
}

/* [addr, addr + len) must not wrap around the 64-bit address space */
static bool mvgpu_soft_span_ok(u64 addr, u64 len)
{
	u64 end;

	return !check_add_overflow(addr, len, &end);
}

static bool mvgpu_soft_cmd_valid(const struct mvgpu_cmd *cmd)
{
	if (cmd->reserved)
		return false;
	if (cmd->opcode != MVGPU_OP_FENCE && cmd->flags)
		return false;

	switch (cmd->opcode) {
	case MVGPU_OP_NOP:
		return true;
	case MVGPU_OP_FENCE:
		if (cmd->flags & ~MVGPU_CMD_F_ALL)
			return false;
		return !(cmd->flags & MVGPU_CMD_F_WRITE_MEM) ||
		       IS_ALIGNED(cmd->dst, sizeof(u64));
	case MVGPU_OP_FILL:
		return cmd->size <= MVGPU_CMD_MAX_BYTES &&
		       IS_ALIGNED(cmd->size, 4) && IS_ALIGNED(cmd->dst, 4) &&
		       mvgpu_soft_span_ok(cmd->dst, cmd->size);
	case MVGPU_OP_COPY:
	case MVGPU_OP_DMA_TO_HOST:
	case MVGPU_OP_DMA_FROM_HOST:
		return cmd->size <= MVGPU_CMD_MAX_BYTES &&
		       mvgpu_soft_span_ok(cmd->dst, cmd->size) &&
		       mvgpu_soft_span_ok(cmd->src, cmd->size);
	case MVGPU_OP_GEMM_I32:
		return cmd->m && cmd->m <= MVGPU_GEMM_MAX_DIM &&
		       cmd->n && cmd->n <= MVGPU_GEMM_MAX_DIM &&
		       cmd->k && cmd->k <= MVGPU_GEMM_MAX_DIM &&
		       IS_ALIGNED(cmd->dst, 4) && IS_ALIGNED(cmd->src, 4) &&
		       IS_ALIGNED(cmd->aux, 4) &&
		       mvgpu_soft_span_ok(cmd->src, (u64)cmd->m * cmd->k * 4) &&
		       mvgpu_soft_span_ok(cmd->aux, (u64)cmd->k * cmd->n * 4) &&
		       mvgpu_soft_span_ok(cmd->dst, (u64)cmd->m * cmd->n * 4);
	}
	return false;
}

/* Check every range a command touches when that can be done up front */
static bool mvgpu_soft_cmd_ranges_ok(struct mvgpu_ctx *ctx,
				     const struct mvgpu_cmd *cmd,
				     struct mvgpu_soft_fault *fault)
{
	u64 a, b, c;

	switch (cmd->opcode) {
	case MVGPU_OP_FILL:
		return mvgpu_soft_range_ok(ctx, cmd->dst, cmd->size, true, fault);
	case MVGPU_OP_COPY:
		return mvgpu_soft_range_ok(ctx, cmd->src, cmd->size, false,
					   fault) &&
		       mvgpu_soft_range_ok(ctx, cmd->dst, cmd->size, true, fault);
	case MVGPU_OP_DMA_TO_HOST:
		return mvgpu_soft_range_ok(ctx, cmd->src, cmd->size, false,
					   fault);
	case MVGPU_OP_DMA_FROM_HOST:
		return mvgpu_soft_range_ok(ctx, cmd->dst, cmd->size, true, fault);
	case MVGPU_OP_GEMM_I32:
		a = (u64)cmd->m * cmd->k * 4;
		b = (u64)cmd->k * cmd->n * 4;
		c = (u64)cmd->m * cmd->n * 4;
		return mvgpu_soft_range_ok(ctx, cmd->src, a, false, fault) &&
		       mvgpu_soft_range_ok(ctx, cmd->aux, b, false, fault) &&
		       mvgpu_soft_range_ok(ctx, cmd->dst, c, true, fault);
	}
	return true;
}

static enum mvgpu_step_result mvgpu_soft_fetch(struct mvgpu_ctx *ctx)
{
	struct mvgpu_soft_fault fault = {};
	struct mvgpu_cmd *cmd = &ctx->cmd;

	if (mvgpu_soft_read_va(ctx, ctx->ring_base + ctx->head, cmd,
			       sizeof(*cmd), &fault))
		return mvgpu_soft_fault(ctx, &fault);

	le32_to_cpus(&cmd->opcode);
	le32_to_cpus(&cmd->flags);
	le64_to_cpus(&cmd->dst);
	le64_to_cpus(&cmd->src);
	le64_to_cpus(&cmd->size);
	le64_to_cpus(&cmd->value);
	le64_to_cpus(&cmd->aux);
	le32_to_cpus(&cmd->m);
	le32_to_cpus(&cmd->n);
	le32_to_cpus(&cmd->k);
	le32_to_cpus(&cmd->reserved);

	if (cmd->opcode >= MVGPU_OP_COUNT)
		return mvgpu_soft_bad_command(ctx, MVGPU_FAULT_BAD_OPCODE);
	if (!mvgpu_soft_cmd_valid(cmd))
		return mvgpu_soft_bad_command(ctx, MVGPU_FAULT_BAD_COMMAND);
	if (!mvgpu_soft_cmd_ranges_ok(ctx, cmd, &fault))
		return mvgpu_soft_fault(ctx, &fault);

	ctx->cmd_valid = true;
	ctx->cmd_progress = 0;
	return MVGPU_STEP_PROGRESS;
}

/*
 * Each executor returns 0 when the command is done, 1 when work remains,
 * 2 when it waits for DMA, or a negative errno with @fault filled in.
 */

static int mvgpu_soft_exec_fence(struct mvgpu_ctx *ctx,
				 struct mvgpu_soft_fault *fault)
{
	const struct mvgpu_cmd *cmd = &ctx->cmd;

	if (cmd->flags & MVGPU_CMD_F_WRITE_MEM) {
		__le64 v = cpu_to_le64(cmd->value);

		if (mvgpu_soft_write_va(ctx, cmd->dst, &v, sizeof(v), fault))
			return -EFAULT;
	}
	WRITE_ONCE(ctx->fence, cmd->value);
	return 0;
}

static int mvgpu_soft_exec_fill(struct mvgpu_ctx *ctx,
				struct mvgpu_soft_fault *fault)
{
	const struct mvgpu_cmd *cmd = &ctx->cmd;
	u32 budget = MVGPU_SOFT_CHUNK_BYTES;

	while (ctx->cmd_progress < cmd->size && budget) {
		u64 left = cmd->size - ctx->cmd_progress;
		u32 avail, n, i;
		u32 *dst = mvgpu_soft_translate(ctx, cmd->dst + ctx->cmd_progress,
						true, &avail, fault);

		if (!dst)
			return -EFAULT;
		n = min_t(u64, min(avail, budget), left);
		for (i = 0; i < n / 4; i++)
			dst[i] = cpu_to_le32((u32)cmd->value);
		ctx->cmd_progress += n;
		ctx->bytes += n;
		budget -= n;
	}
	return ctx->cmd_progress < cmd->size;
}

static int mvgpu_soft_exec_copy(struct mvgpu_ctx *ctx,
				struct mvgpu_soft_fault *fault)
{
	const struct mvgpu_cmd *cmd = &ctx->cmd;
	u32 budget = MVGPU_SOFT_CHUNK_BYTES;

	while (ctx->cmd_progress < cmd->size && budget) {
		u64 left = cmd->size - ctx->cmd_progress;
		u32 savail, davail, n;
		void *src, *dst;

		src = mvgpu_soft_translate(ctx, cmd->src + ctx->cmd_progress,
					   false, &savail, fault);
		if (!src)
			return -EFAULT;
		dst = mvgpu_soft_translate(ctx, cmd->dst + ctx->cmd_progress,
					   true, &davail, fault);
		if (!dst)
			return -EFAULT;
		n = min_t(u64, min3(savail, davail, budget), left);
		memmove(dst, src, n);
		ctx->cmd_progress += n;
		ctx->bytes += n;
		budget -= n;
	}
	return ctx->cmd_progress < cmd->size;
}

/*
 * A DMA command alternates: a step translates the next chunk's VRAM pieces
 * and hands them to the mediator's DMA worker (returns 2: blocked), the
 * worker copies, and the next step takes its result.
 */
static int mvgpu_soft_exec_dma(struct mvgpu_ctx *ctx, bool to_host,
			       struct mvgpu_soft_fault *fault)
{
	const struct mvgpu_cmd *cmd = &ctx->cmd;
	struct mvgpu_dma_job *job = &ctx->dma;
	u64 va = to_host ? cmd->src : cmd->dst;
	u64 iova = to_host ? cmd->dst : cmd->src;
	u32 budget = MVGPU_SOFT_CHUNK_BYTES;
	u64 pos;

	/* pairs with the DMA worker's release: its results before dma_busy */
	if (smp_load_acquire(&ctx->dma_busy))
		return 2;
	if (ctx->dma_done) {
		ctx->dma_done = false;
		ctx->cmd_progress += job->done;
		ctx->bytes += job->done;
		if (job->error) {
			fault->code = MVGPU_FAULT_DMA;
			fault->addr = job->fault_iova;
			fault->write = to_host;
			return -EFAULT;
		}
	}
	if (ctx->cmd_progress >= cmd->size)
		return 0;
	if (!READ_ONCE(ctx->dma_enabled)) {
		fault->code = MVGPU_FAULT_BUS_MASTER;
		fault->addr = iova + ctx->cmd_progress;
		fault->write = to_host;
		return -EFAULT;
	}

	job->iova = iova + ctx->cmd_progress;
	job->to_host = to_host;
	job->nsegs = 0;
	pos = ctx->cmd_progress;
	while (pos < cmd->size && budget && job->nsegs < MVGPU_DMA_MAX_SEGS) {
		struct mvgpu_soft_fault seg_fault = {};
		u32 avail, n;
		void *vram;

		vram = mvgpu_soft_translate(ctx, va + pos, !to_host, &avail,
					    &seg_fault);
		if (!vram) {
			if (job->nsegs)
				break;	/* the next step faults on it */
			*fault = seg_fault;
			return -EFAULT;
		}
		n = min_t(u64, min(avail, budget), cmd->size - pos);
		job->segs[job->nsegs].vram = vram;
		job->segs[job->nsegs].len = n;
		job->nsegs++;
		pos += n;
		budget -= n;
	}
	job->done = 0;
	job->error = 0;
	WRITE_ONCE(ctx->dma_busy, true);
	ctx->ops->dma_start(ctx);
	return 2;
}

/*
 * C = A x B in wrapping int32 arithmetic.  cmd_progress counts the
 * multiply-accumulate rows done: row * k + kk.  The row of C doubles as
 * the accumulator so a row can be split across chunks.
 */
static int mvgpu_soft_exec_gemm(struct mvgpu_soft_engine *eng,
				struct mvgpu_ctx *ctx,
				struct mvgpu_soft_fault *fault)
{
	const struct mvgpu_cmd *cmd = &ctx->cmd;
	u64 total = (u64)cmd->m * cmd->k;
	u32 n = cmd->n, k = cmd->k;
	u32 steps = max_t(u32, 1, MVGPU_SOFT_CHUNK_MACS / n);
	u64 row = div_u64(ctx->cmd_progress, k);
	u32 kk = ctx->cmd_progress - row * k;
	u32 kk_end = min(k, kk + steps);
	u64 c_va = cmd->dst + row * n * 4;
	u32 i, j;

	if (kk == 0)
		memset(eng->row_c, 0, n * 4);
	else if (mvgpu_soft_read_va(ctx, c_va, eng->row_c, n * 4, fault))
		return -EFAULT;

	if (mvgpu_soft_read_va(ctx, cmd->src + (row * k + kk) * 4, eng->row_a,
			       (kk_end - kk) * 4, fault))
		return -EFAULT;

	for (i = kk; i < kk_end; i++) {
		u32 a = le32_to_cpu(eng->row_a[i - kk]);

		if (mvgpu_soft_read_va(ctx, cmd->aux + (u64)i * n * 4,
				       eng->row_b, n * 4, fault))
			return -EFAULT;
		for (j = 0; j < n; j++)
			eng->row_c[j] += a * le32_to_cpu(eng->row_b[j]);
	}

	if (mvgpu_soft_write_va(ctx, c_va, eng->row_c, n * 4, fault))
		return -EFAULT;

	ctx->cmd_progress = row * k + kk_end;
	if (kk_end == k)
		ctx->bytes += n * 4;
	return ctx->cmd_progress < total;
}

static int mvgpu_soft_exec(struct mvgpu_soft_engine *eng,
			   struct mvgpu_ctx *ctx, struct mvgpu_soft_fault *fault)
{
	switch (ctx->cmd.opcode) {
	case MVGPU_OP_FENCE:
		return mvgpu_soft_exec_fence(ctx, fault);
	case MVGPU_OP_FILL:
		return mvgpu_soft_exec_fill(ctx, fault);
	case MVGPU_OP_COPY:
		return mvgpu_soft_exec_copy(ctx, fault);
	case MVGPU_OP_DMA_TO_HOST:
		return mvgpu_soft_exec_dma(ctx, true, fault);
	case MVGPU_OP_DMA_FROM_HOST:
		return mvgpu_soft_exec_dma(ctx, false, fault);
	case MVGPU_OP_GEMM_I32:
		return mvgpu_soft_exec_gemm(eng, ctx, fault);
	}
	return 0;	/* NOP */
}

/**
 * mvgpu_soft_cmd_step - run one bounded chunk of a context's ring
 * @eng: the engine's scratch space
 * @ctx: the context, with ctx->exec_lock held
 *
 * Return: what happened, see enum mvgpu_step_result.
 */
enum mvgpu_step_result mvgpu_soft_cmd_step(struct mvgpu_soft_engine *eng,
					   struct mvgpu_ctx *ctx)
{
	struct mvgpu_soft_fault fault = {};
	enum mvgpu_step_result res;
	int ret;

	lockdep_assert_held(&ctx->exec_lock);

	if (!mvgpu_ctx_has_work(ctx))
		return MVGPU_STEP_IDLE;

	if (!ctx->cmd_valid) {
		res = mvgpu_soft_fetch(ctx);
		if (res != MVGPU_STEP_PROGRESS)
			return res;
	}

	ret = mvgpu_soft_exec(eng, ctx, &fault);
	if (ret < 0)
		return mvgpu_soft_fault(ctx, &fault);
	if (ret == 2)
		return MVGPU_STEP_BLOCKED;
	if (ret > 0)
		return MVGPU_STEP_PROGRESS;

	ctx->cmd_valid = false;
	ctx->commands++;
	/*
	 * head moves only once the command is complete, so head == tail means
	 * done; the release orders the results before it (see the BAR0 read)
	 */
	smp_store_release(&ctx->head,
			  (ctx->head + MVGPU_CMD_SIZE) & (ctx->ring_size - 1));
	if (ctx->cmd.opcode == MVGPU_OP_FENCE &&
	    (ctx->cmd.flags & MVGPU_CMD_F_IRQ))
		ctx->ops->raise_irq(ctx, MVGPU_INT_FENCE);
	return MVGPU_STEP_PROGRESS;
}
