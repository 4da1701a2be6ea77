// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPU engine's command processor: fetches 64-byte commands from a
 * context's ring, checks them, and executes them in bounded chunks so the
 * scheduler can switch contexts inside a long command.  Nothing here can
 * loop without bound: every command has a size limit and a chunk moves
 * it forward by at least one unit of work.  The command in progress is
 * the context's state (struct mvgpu_cpu_ctx in ctx->priv), which
 * migration carries, so a migrated context resumes where it stopped.
 */
#include <linux/err.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mvgpu_cpu.h"

static enum mvgpu_step_result
mvgpu_cpu_fault(struct mvgpu_ctx *ctx, const struct mvgpu_cpu_fault *fault)
{
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);

	ctx->fault_status = fault->code |
			    (fault->write ? MVGPU_FAULT_WRITE : 0);
	ctx->fault_head = ctx->head;
	ctx->fault_addr = fault->addr;
	st->cmd_valid = false;
	ctx->faults++;
	WRITE_ONCE(ctx->faulted, true);
	ctx->ops->raise_irq(ctx, MVGPU_INT_FAULT);
	return MVGPU_STEP_FAULT;
}

static enum mvgpu_step_result
mvgpu_cpu_bad_command(struct mvgpu_ctx *ctx, u32 code)
{
	struct mvgpu_cpu_fault fault = {
		.code = code,
		.addr = ctx->ring_base + ctx->head,
	};

	return mvgpu_cpu_fault(ctx, &fault);
}

/* [addr, addr + len) must not wrap around the 64-bit address space */
static bool mvgpu_cpu_span_ok(u64 addr, u64 len)
{
	u64 end;

	return !check_add_overflow(addr, len, &end);
}

static bool mvgpu_cpu_cmd_valid(const struct mvgpu_cmd *cmd)
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
		       mvgpu_cpu_span_ok(cmd->dst, cmd->size);
	case MVGPU_OP_COPY:
	case MVGPU_OP_DMA_TO_HOST:
	case MVGPU_OP_DMA_FROM_HOST:
		return cmd->size <= MVGPU_CMD_MAX_BYTES &&
		       mvgpu_cpu_span_ok(cmd->dst, cmd->size) &&
		       mvgpu_cpu_span_ok(cmd->src, cmd->size);
	case MVGPU_OP_GEMM_I32:
		return cmd->m && cmd->m <= MVGPU_GEMM_MAX_DIM &&
		       cmd->n && cmd->n <= MVGPU_GEMM_MAX_DIM &&
		       cmd->k && cmd->k <= MVGPU_GEMM_MAX_DIM &&
		       IS_ALIGNED(cmd->dst, 4) && IS_ALIGNED(cmd->src, 4) &&
		       IS_ALIGNED(cmd->aux, 4) &&
		       mvgpu_cpu_span_ok(cmd->src, (u64)cmd->m * cmd->k * 4) &&
		       mvgpu_cpu_span_ok(cmd->aux, (u64)cmd->k * cmd->n * 4) &&
		       mvgpu_cpu_span_ok(cmd->dst, (u64)cmd->m * cmd->n * 4);
	}
	return false;
}

/* Check every range a command touches when that can be done up front */
static bool mvgpu_cpu_cmd_ranges_ok(struct mvgpu_ctx *ctx,
				    const struct mvgpu_cmd *cmd,
				     struct mvgpu_cpu_fault *fault)
{
	u64 a, b, c;

	switch (cmd->opcode) {
	case MVGPU_OP_FILL:
		return mvgpu_cpu_range_ok(ctx, cmd->dst, cmd->size, true, fault);
	case MVGPU_OP_COPY:
		return mvgpu_cpu_range_ok(ctx, cmd->src, cmd->size, false,
					   fault) &&
		       mvgpu_cpu_range_ok(ctx, cmd->dst, cmd->size, true, fault);
	case MVGPU_OP_DMA_TO_HOST:
		return mvgpu_cpu_range_ok(ctx, cmd->src, cmd->size, false,
					   fault);
	case MVGPU_OP_DMA_FROM_HOST:
		return mvgpu_cpu_range_ok(ctx, cmd->dst, cmd->size, true, fault);
	case MVGPU_OP_GEMM_I32:
		a = (u64)cmd->m * cmd->k * 4;
		b = (u64)cmd->k * cmd->n * 4;
		c = (u64)cmd->m * cmd->n * 4;
		return mvgpu_cpu_range_ok(ctx, cmd->src, a, false, fault) &&
		       mvgpu_cpu_range_ok(ctx, cmd->aux, b, false, fault) &&
		       mvgpu_cpu_range_ok(ctx, cmd->dst, c, true, fault);
	}
	return true;
}

static void mvgpu_cpu_cmd_le_to_cpu(struct mvgpu_cmd *c)
{
	le32_to_cpus(&c->opcode);
	le32_to_cpus(&c->flags);
	le64_to_cpus(&c->dst);
	le64_to_cpus(&c->src);
	le64_to_cpus(&c->size);
	le64_to_cpus(&c->value);
	le64_to_cpus(&c->aux);
	le32_to_cpus(&c->m);
	le32_to_cpus(&c->n);
	le32_to_cpus(&c->k);
	le32_to_cpus(&c->reserved);
}

static enum mvgpu_step_result mvgpu_cpu_fetch(struct mvgpu_ctx *ctx)
{
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);
	struct mvgpu_cpu_fault fault = {};
	struct mvgpu_cmd *cmd = &st->cmd;

	if (mvgpu_cpu_read_va(ctx, ctx->ring_base + ctx->head, cmd,
			      sizeof(*cmd), &fault))
		return mvgpu_cpu_fault(ctx, &fault);

	mvgpu_cpu_cmd_le_to_cpu(cmd);

	if (cmd->opcode >= MVGPU_OP_COUNT)
		return mvgpu_cpu_bad_command(ctx, MVGPU_FAULT_BAD_OPCODE);
	if (!mvgpu_cpu_cmd_valid(cmd))
		return mvgpu_cpu_bad_command(ctx, MVGPU_FAULT_BAD_COMMAND);
	if (!mvgpu_cpu_cmd_ranges_ok(ctx, cmd, &fault))
		return mvgpu_cpu_fault(ctx, &fault);

	st->cmd_valid = true;
	st->cmd_progress = 0;
	return MVGPU_STEP_PROGRESS;
}

/*
 * Each executor returns 0 when the command is done, 1 when work remains,
 * 2 when it waits for DMA, or a negative errno with @fault filled in.
 */

static int mvgpu_cpu_exec_fence(struct mvgpu_ctx *ctx,
				struct mvgpu_cpu_fault *fault)
{
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);
	const struct mvgpu_cmd *cmd = &st->cmd;

	if (cmd->flags & MVGPU_CMD_F_WRITE_MEM) {
		__le64 v = cpu_to_le64(cmd->value);

		if (mvgpu_cpu_write_va(ctx, cmd->dst, &v, sizeof(v), fault))
			return -EFAULT;
	}
	WRITE_ONCE(ctx->fence, cmd->value);
	return 0;
}

static int mvgpu_cpu_exec_fill(struct mvgpu_ctx *ctx,
			       struct mvgpu_cpu_fault *fault)
{
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);
	const struct mvgpu_cmd *cmd = &st->cmd;
	u32 budget = MVGPU_CPU_CHUNK_BYTES;

	while (st->cmd_progress < cmd->size && budget) {
		u64 left = cmd->size - st->cmd_progress;
		u32 avail, n;
		void *dst = mvgpu_cpu_translate(ctx, cmd->dst + st->cmd_progress,
						true, &avail, fault);

		if (!dst)
			return -EFAULT;
		n = min_t(u64, min(avail, budget), left);
		/* memset32 on RAM, 32-bit stores on I/O memory */
		mvgpu_vram_fill32(ctx->hw, dst, cpu_to_le32((u32)cmd->value),
				  n / 4);
		st->cmd_progress += n;
		ctx->bytes += n;
		budget -= n;
	}
	return st->cmd_progress < cmd->size;
}

static int mvgpu_cpu_exec_copy(struct mvgpu_ctx *ctx,
			       struct mvgpu_cpu_fault *fault)
{
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);
	const struct mvgpu_cmd *cmd = &st->cmd;
	u32 budget = MVGPU_CPU_CHUNK_BYTES;

	while (st->cmd_progress < cmd->size && budget) {
		u64 left = cmd->size - st->cmd_progress;
		u32 savail, davail, n;
		void *src, *dst;

		src = mvgpu_cpu_translate(ctx, cmd->src + st->cmd_progress,
					  false, &savail, fault);
		if (!src)
			return -EFAULT;
		dst = mvgpu_cpu_translate(ctx, cmd->dst + st->cmd_progress,
					  true, &davail, fault);
		if (!dst)
			return -EFAULT;
		n = min_t(u64, min3(savail, davail, budget), left);
		mvgpu_vram_move(ctx->hw, dst, src, n);
		st->cmd_progress += n;
		ctx->bytes += n;
		budget -= n;
	}
	return st->cmd_progress < cmd->size;
}

/*
 * A DMA command alternates: a step translates the next chunk's VRAM pieces
 * and hands them to the mediator's DMA worker (returns 2: blocked), the
 * worker copies, and the next step takes its result.
 */
static int mvgpu_cpu_exec_dma(struct mvgpu_ctx *ctx, bool to_host,
			      struct mvgpu_cpu_fault *fault)
{
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);
	const struct mvgpu_cmd *cmd = &st->cmd;
	struct mvgpu_dma_job *job = &ctx->dma;
	u64 va = to_host ? cmd->src : cmd->dst;
	u64 iova = to_host ? cmd->dst : cmd->src;
	u32 budget = min(MVGPU_CPU_CHUNK_BYTES, MVGPU_DMA_MAX_BYTES);
	u64 pos;

	/* pairs with the DMA worker's release: its results before dma_busy */
	if (smp_load_acquire(&ctx->dma_busy))
		return 2;
	if (ctx->dma_done) {
		ctx->dma_done = false;
		st->cmd_progress += job->done;
		ctx->bytes += job->done;
		if (job->error) {
			fault->code = MVGPU_FAULT_DMA;
			fault->addr = job->fault_iova;
			fault->write = to_host;
			return -EFAULT;
		}
	}
	if (st->cmd_progress >= cmd->size)
		return 0;
	if (!READ_ONCE(ctx->dma_enabled)) {
		fault->code = MVGPU_FAULT_BUS_MASTER;
		fault->addr = iova + st->cmd_progress;
		fault->write = to_host;
		return -EFAULT;
	}

	job->iova = iova + st->cmd_progress;
	job->to_host = to_host;
	job->nsegs = 0;
	pos = st->cmd_progress;
	while (pos < cmd->size && budget && job->nsegs < MVGPU_DMA_MAX_SEGS) {
		struct mvgpu_cpu_fault seg_fault = {};
		u32 avail, n;
		void *vram;

		vram = mvgpu_cpu_translate(ctx, va + pos, !to_host, &avail,
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
static int mvgpu_cpu_exec_gemm(struct mvgpu_cpu_scratch *eng,
			       struct mvgpu_ctx *ctx,
				struct mvgpu_cpu_fault *fault)
{
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);
	const struct mvgpu_cmd *cmd = &st->cmd;
	u64 total = (u64)cmd->m * cmd->k;
	u32 n = cmd->n, k = cmd->k;
	u32 steps = max_t(u32, 1, MVGPU_CPU_CHUNK_MACS / n);
	u64 row = div_u64(st->cmd_progress, k);
	u32 kk = st->cmd_progress - row * k;
	u32 kk_end = min(k, kk + steps);
	u64 c_va = cmd->dst + row * n * 4;
	u32 i, j;

	if (kk == 0)
		memset(eng->row_c, 0, n * 4);
	else if (mvgpu_cpu_read_va(ctx, c_va, eng->row_c, n * 4, fault))
		return -EFAULT;

	if (mvgpu_cpu_read_va(ctx, cmd->src + (row * k + kk) * 4, eng->row_a,
			      (kk_end - kk) * 4, fault))
		return -EFAULT;

	for (i = kk; i < kk_end; i++) {
		u32 a = le32_to_cpu(eng->row_a[i - kk]);

		if (mvgpu_cpu_read_va(ctx, cmd->aux + (u64)i * n * 4,
				      eng->row_b, n * 4, fault))
			return -EFAULT;
		for (j = 0; j < n; j++)
			eng->row_c[j] += a * le32_to_cpu(eng->row_b[j]);
	}

	if (mvgpu_cpu_write_va(ctx, c_va, eng->row_c, n * 4, fault))
		return -EFAULT;

	st->cmd_progress = row * k + kk_end;
	if (kk_end == k)
		ctx->bytes += n * 4;
	return st->cmd_progress < total;
}

static int mvgpu_cpu_exec(struct mvgpu_cpu_scratch *eng,
			  struct mvgpu_ctx *ctx, struct mvgpu_cpu_fault *fault)
{
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);

	switch (st->cmd.opcode) {
	case MVGPU_OP_FENCE:
		return mvgpu_cpu_exec_fence(ctx, fault);
	case MVGPU_OP_FILL:
		return mvgpu_cpu_exec_fill(ctx, fault);
	case MVGPU_OP_COPY:
		return mvgpu_cpu_exec_copy(ctx, fault);
	case MVGPU_OP_DMA_TO_HOST:
		return mvgpu_cpu_exec_dma(ctx, true, fault);
	case MVGPU_OP_DMA_FROM_HOST:
		return mvgpu_cpu_exec_dma(ctx, false, fault);
	case MVGPU_OP_GEMM_I32:
		return mvgpu_cpu_exec_gemm(eng, ctx, fault);
	}
	return 0;	/* NOP */
}

/**
 * mvgpu_cpu_engine_step - run one bounded chunk of a context's ring
 * @ce: the GPU's CPU engine
 * @engine: the engine, whose scratch space it uses
 * @ctx: the context, with ctx->exec_lock held
 *
 * Return: what happened, see enum mvgpu_step_result.
 */
enum mvgpu_step_result mvgpu_cpu_engine_step(struct mvgpu_cpu_engine *ce,
					     unsigned int engine,
					     struct mvgpu_ctx *ctx)
{
	struct mvgpu_cpu_scratch *eng = &ce->scratch[engine];
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);
	struct mvgpu_cpu_fault fault = {};
	enum mvgpu_step_result res;
	int ret;

	lockdep_assert_held(&ctx->exec_lock);

	if (!mvgpu_ctx_has_work(ctx))
		return MVGPU_STEP_IDLE;

	if (!st->cmd_valid) {
		res = mvgpu_cpu_fetch(ctx);
		if (res != MVGPU_STEP_PROGRESS)
			return res;
	}

	ret = mvgpu_cpu_exec(eng, ctx, &fault);
	if (ret < 0)
		return mvgpu_cpu_fault(ctx, &fault);
	if (ret == 2)
		return MVGPU_STEP_BLOCKED;
	if (ret > 0)
		return MVGPU_STEP_PROGRESS;

	st->cmd_valid = false;
	ctx->commands++;
	/*
	 * head moves only once the command is complete, so head == tail means
	 * done; the release orders the results before it (see the BAR0 read)
	 */
	smp_store_release(&ctx->head,
			  (ctx->head + MVGPU_CMD_SIZE) & (ctx->ring_size - 1));
	if (st->cmd.opcode == MVGPU_OP_FENCE &&
	    (st->cmd.flags & MVGPU_CMD_F_IRQ))
		ctx->ops->raise_irq(ctx, MVGPU_INT_FENCE);
	return MVGPU_STEP_PROGRESS;
}

/* ------------------------------------------------------------------ */
/* Engine and context state                                            */
/* ------------------------------------------------------------------ */

void mvgpu_cpu_engine_destroy(struct mvgpu_cpu_engine *ce)
{
	unsigned int i;

	if (IS_ERR_OR_NULL(ce))
		return;
	for (i = 0; i < MVGPU_MAX_ENGINES; i++) {
		kvfree(ce->scratch[i].row_a);
		kvfree(ce->scratch[i].row_b);
		kvfree(ce->scratch[i].row_c);
	}
	kfree(ce);
}

struct mvgpu_cpu_engine *mvgpu_cpu_engine_create(struct mvgpu_hw *hw)
{
	struct mvgpu_cpu_engine *ce;
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct mvgpu_cmd) != MVGPU_CMD_SIZE);
	BUILD_BUG_ON(MVGPU_CPU_CTX_STATE_SIZE > MVGPU_CTX_STATE_MAX);
	if (!hw->caps.num_engines || hw->caps.num_engines > MVGPU_MAX_ENGINES)
		return ERR_PTR(-EINVAL);

	ce = kzalloc(sizeof(*ce), GFP_KERNEL);
	if (!ce)
		return ERR_PTR(-ENOMEM);
	ce->hw = hw;
	ce->num_engines = hw->caps.num_engines;
	for (i = 0; i < ce->num_engines; i++) {
		struct mvgpu_cpu_scratch *eng = &ce->scratch[i];

		eng->row_a = kvmalloc_array(MVGPU_GEMM_MAX_DIM, 4, GFP_KERNEL);
		eng->row_b = kvmalloc_array(MVGPU_GEMM_MAX_DIM, 4, GFP_KERNEL);
		eng->row_c = kvmalloc_array(MVGPU_GEMM_MAX_DIM, 4, GFP_KERNEL);
		if (!eng->row_a || !eng->row_b || !eng->row_c) {
			mvgpu_cpu_engine_destroy(ce);
			return ERR_PTR(-ENOMEM);
		}
	}
	return ce;
}

int mvgpu_cpu_ctx_init(struct mvgpu_ctx *ctx)
{
	struct mvgpu_cpu_ctx *st = kzalloc(sizeof(*st), GFP_KERNEL);

	if (!st)
		return -ENOMEM;
	ctx->priv = st;
	return 0;
}

void mvgpu_cpu_ctx_fini(struct mvgpu_ctx *ctx)
{
	kfree(ctx->priv);
	ctx->priv = NULL;
}

/* Forget the command in progress; exec_lock held */
void mvgpu_cpu_ctx_reset(struct mvgpu_ctx *ctx)
{
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);

	lockdep_assert_held(&ctx->exec_lock);
	st->cmd_valid = false;
	st->cmd_progress = 0;
	memset(&st->cmd, 0, sizeof(st->cmd));
}

static void mvgpu_cpu_cmd_to_le(struct mvgpu_cmd *c)
{
	cpu_to_le32s(&c->opcode);
	cpu_to_le32s(&c->flags);
	cpu_to_le64s(&c->dst);
	cpu_to_le64s(&c->src);
	cpu_to_le64s(&c->size);
	cpu_to_le64s(&c->value);
	cpu_to_le64s(&c->aux);
	cpu_to_le32s(&c->m);
	cpu_to_le32s(&c->n);
	cpu_to_le32s(&c->k);
	cpu_to_le32s(&c->reserved);
}

/*
 * The context as a struct mvgpu_mig_cpu_ctx: its registers and the command
 * in progress.  The context is stopped: a DMA chunk that was cancelled is
 * not counted in cmd_progress and is issued again after a restore.
 */
int mvgpu_cpu_ctx_save(struct mvgpu_ctx *ctx, void *buf, size_t len)
{
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);
	struct mvgpu_mig_cpu_ctx *s = buf;

	lockdep_assert_held(&ctx->exec_lock);
	if (len < sizeof(*s))
		return -ENOSPC;
	memset(s, 0, sizeof(*s));
	mvgpu_ctx_save_regs(ctx, &s->regs);
	if (st->cmd_valid) {
		s->cmd_valid = cpu_to_le32(1);
		s->cmd_progress = cpu_to_le64(st->cmd_progress);
		s->cmd = st->cmd;
		mvgpu_cpu_cmd_to_le(&s->cmd);
	}
	return sizeof(*s);
}

/* How far the command can have got: its bytes, or GEMM's m * k rows */
static u64 mvgpu_cpu_cmd_units(const struct mvgpu_cmd *cmd)
{
	switch (cmd->opcode) {
	case MVGPU_OP_FILL:
	case MVGPU_OP_COPY:
	case MVGPU_OP_DMA_TO_HOST:
	case MVGPU_OP_DMA_FROM_HOST:
		return cmd->size;
	case MVGPU_OP_GEMM_I32:
		return (u64)cmd->m * cmd->k;
	}
	return 0;
}

/*
 * Load a struct mvgpu_mig_cpu_ctx from a client's stream: the registers by
 * the BAR0 rules, the command by the rules a fetch applies, its progress
 * inside it (and on a unit boundary: whole words for FILL, whole GEMM
 * rows of k).  Anything else is refused whole with -EINVAL.
 */
int mvgpu_cpu_ctx_restore(struct mvgpu_ctx *ctx, const void *buf, size_t len)
{
	struct mvgpu_cpu_ctx *st = mvgpu_cpu_ctx(ctx);
	const struct mvgpu_mig_cpu_ctx *s = buf;
	struct mvgpu_cmd cmd;
	u64 progress;
	u32 valid;

	lockdep_assert_held(&ctx->exec_lock);
	if (len != sizeof(*s))
		return -EINVAL;
	valid = le32_to_cpu(s->cmd_valid);
	progress = le64_to_cpu(s->cmd_progress);
	cmd = s->cmd;
	if (mvgpu_ctx_check_regs(ctx, &s->regs) || valid > 1 || s->reserved)
		return -EINVAL;
	mvgpu_cpu_cmd_le_to_cpu(&cmd);
	if (valid) {
		if (cmd.opcode >= MVGPU_OP_COUNT || !mvgpu_cpu_cmd_valid(&cmd) ||
		    progress > mvgpu_cpu_cmd_units(&cmd) ||
		    (cmd.opcode == MVGPU_OP_FILL && !IS_ALIGNED(progress, 4)) ||
		    !le32_to_cpu(s->regs.ring_size) ||
		    le32_to_cpu(s->regs.faulted))
			return -EINVAL;
	} else if (progress || memchr_inv(&cmd, 0, sizeof(cmd))) {
		return -EINVAL;
	}

	mvgpu_ctx_load_regs(ctx, &s->regs);
	st->cmd_valid = valid;
	st->cmd_progress = valid ? progress : 0;
	st->cmd = cmd;
	return 0;
}
