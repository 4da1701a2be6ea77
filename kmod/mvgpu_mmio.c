// SPDX-License-Identifier: GPL-2.0-only
/*
 * BAR0: the vGPU's trapped MMIO registers (see docs/device.md).
 *
 * Access rules: an access is 1, 2, 4 or 8 bytes, naturally aligned, and
 * stays inside one register.  Reads of any such width return the bytes of
 * the register.  Writes must cover the whole register, or a 32-bit half of
 * a 64-bit one, except SCRATCH which takes any width.  Writes to read-only
 * registers are refused with -EPERM; offsets that hold no register read
 * as zero and ignore writes, as reserved space on hardware does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ratelimit.h>

#include "mvgpu.h"

enum mvgpu_reg_access { MVGPU_RO, MVGPU_RW, MVGPU_WO };

struct mvgpu_reg {
	u32 off;
	u8 width;
	u8 access;
	const char *name;
};

#define REG(o, w, a) { .off = MVGPU_REG_##o, .width = w, .access = MVGPU_##a, \
		       .name = #o }

static const struct mvgpu_reg mvgpu_regs[] = {
	REG(ID, 4, RO),
	REG(VERSION, 4, RO),
	REG(CAPS, 4, RO),
	REG(TYPE_DIVISOR, 4, RO),
	REG(VRAM_SIZE, 8, RO),
	REG(ENGINES, 4, RO),
	REG(SHARE_PERMILLE, 4, RO),
	REG(INT_STATUS, 4, RO),
	REG(INT_MASK, 4, RW),
	REG(INT_ACK, 4, WO),
	REG(SW_INT, 4, WO),
	REG(RESET, 4, WO),
	REG(STATUS, 4, RO),
	REG(SCRATCH, 8, RW),
	REG(FAULT_STATUS, 4, RO),
	REG(FAULT_HEAD, 4, RO),
	REG(FAULT_ADDR, 8, RO),
	REG(PT_BASE, 8, RW),
	REG(PT_ENTRIES, 4, RW),
	REG(RING_BASE, 8, RW),
	REG(RING_SIZE, 4, RW),
	REG(RING_HEAD, 4, RO),
	REG(RING_TAIL, 4, RW),
	REG(FENCE, 8, RO),
	REG(BUSY_NS, 8, RO),
	REG(CMDS_DONE, 8, RO),
};

/*
 * Register lookup by direct index: for each 32-bit word of the register
 * space, 1 + the index in mvgpu_regs of the register holding it, or 0.
 * Filled once at module load from mvgpu_regs, the one list of registers.
 */
static u8 mvgpu_reg_slot[MVGPU_REG_END / 4] __ro_after_init;

void __init mvgpu_mmio_module_init(void)
{
	unsigned int i, w;

	BUILD_BUG_ON(ARRAY_SIZE(mvgpu_regs) >= U8_MAX);
	for (i = 0; i < ARRAY_SIZE(mvgpu_regs); i++) {
		const struct mvgpu_reg *r = &mvgpu_regs[i];

		BUILD_BUG_ON(MVGPU_REG_END > MVGPU_BAR0_SIZE);
		for (w = r->off / 4; w < (r->off + r->width) / 4; w++)
			mvgpu_reg_slot[w] = i + 1;
	}
}

/* The register holding byte @off of BAR0, or NULL: O(1) */
static const struct mvgpu_reg *mvgpu_reg_find(u32 off)
{
	u8 slot;

	if (off >= MVGPU_REG_END)
		return NULL;
	slot = mvgpu_reg_slot[off / 4];
	return slot ? &mvgpu_regs[slot - 1] : NULL;
}

static u32 mvgpu_mmio_status(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_ctx *ctx = &vgpu->ctx;
	u32 status = 0;

	if (READ_ONCE(ctx->ring_size))
		status |= MVGPU_STATUS_RING_ENABLED;
	if (READ_ONCE(ctx->head) != READ_ONCE(ctx->tail))
		status |= MVGPU_STATUS_BUSY;
	if (READ_ONCE(ctx->faulted))
		status |= MVGPU_STATUS_FAULTED;
	if (READ_ONCE(ctx->pt_entries))
		status |= MVGPU_STATUS_PAGING;
	return status;
}

/*
 * A register's value.  Always inlined into its two callers, the read and
 * the partial write: a call level less is measurable on a trapped access
 * (docs/performance.md).
 */
static __always_inline u64 mvgpu_mmio_value(struct mvgpu_vgpu *vgpu,
					    const struct mvgpu_reg *r)
{
	struct mvgpu_ctx *ctx = &vgpu->ctx;
	u64 v;

	switch (r->off) {
	case MVGPU_REG_ID:
		return MVGPU_ID_MAGIC;
	case MVGPU_REG_VERSION:
		return MVGPU_VERSION;
	case MVGPU_REG_CAPS:
		return vgpu->gpu->hw.caps.cap_bits;
	case MVGPU_REG_TYPE_DIVISOR:
		return vgpu->type->divisor;
	case MVGPU_REG_VRAM_SIZE:
		return ctx->vram_size;
	case MVGPU_REG_ENGINES:
		return vgpu->gpu->hw.caps.num_engines;
	case MVGPU_REG_SHARE_PERMILLE:
		return vgpu->se.share_permille;
	case MVGPU_REG_INT_STATUS:
		return READ_ONCE(vgpu->int_status);
	case MVGPU_REG_INT_MASK:
		return READ_ONCE(vgpu->int_mask);
	case MVGPU_REG_STATUS:
		return mvgpu_mmio_status(vgpu);
	case MVGPU_REG_SCRATCH:
		return READ_ONCE(vgpu->scratch);
	case MVGPU_REG_RING_HEAD:
		/* pairs with the engine's release: results before head */
		return smp_load_acquire(&ctx->head);
	case MVGPU_REG_RING_TAIL:
		return READ_ONCE(ctx->tail);
	case MVGPU_REG_FENCE:
		return READ_ONCE(ctx->fence);
	case MVGPU_REG_BUSY_NS:
		return mvgpu_sched_busy_ns(&vgpu->gpu->sched, &vgpu->se);
	}

	/* the rest is engine state that changes as a whole under exec_lock */
	mutex_lock(&ctx->exec_lock);
	switch (r->off) {
	case MVGPU_REG_FAULT_STATUS:
		v = ctx->fault_status;
		break;
	case MVGPU_REG_FAULT_HEAD:
		v = ctx->fault_head;
		break;
	case MVGPU_REG_FAULT_ADDR:
		v = ctx->fault_addr;
		break;
	case MVGPU_REG_PT_BASE:
		v = ctx->pt_base;
		break;
	case MVGPU_REG_PT_ENTRIES:
		v = ctx->pt_entries;
		break;
	case MVGPU_REG_RING_BASE:
		v = ctx->ring_base;
		break;
	case MVGPU_REG_RING_SIZE:
		v = ctx->ring_size;
		break;
	case MVGPU_REG_CMDS_DONE:
		v = ctx->commands;
		break;
	default:
		v = 0;		/* write-only registers read as zero */
	}
	mutex_unlock(&ctx->exec_lock);
	return v;
}

/*
 * A BAR0 read; needs no vgpu->lock: constants, values read with
 * READ_ONCE, and the engine state under its own locks (mvgpu_mmio_value).
 */
int mvgpu_mmio_read(struct mvgpu_vgpu *vgpu, u32 off, void *buf, u32 len)
{
	const struct mvgpu_reg *r;
	u64 v;

	if ((len != 1 && len != 2 && len != 4 && len != 8) ||
	    !IS_ALIGNED(off, len) || off >= MVGPU_BAR0_SIZE) {
		dev_dbg_ratelimited(vgpu->dev,
				    "BAR0 read of %u bytes at 0x%x refused: unaligned or bad width\n",
				    len, off);
		return -EINVAL;
	}

	r = mvgpu_reg_find(off);
	if (!r) {
		memset(buf, 0, len);
		return 0;
	}
	if (off + len > r->off + r->width) {
		dev_dbg_ratelimited(vgpu->dev,
				    "BAR0 read of %u bytes at 0x%x crosses register %s\n",
				    len, off, r->name);
		return -EINVAL;
	}

	v = mvgpu_mmio_value(vgpu, r) >> ((off - r->off) * 8);
	switch (len) {
	case 1:
		*(u8 *)buf = v;
		break;
	case 2:
		*(__le16 *)buf = cpu_to_le16(v);
		break;
	case 4:
		*(__le32 *)buf = cpu_to_le32(v);
		break;
	default:
		*(__le64 *)buf = cpu_to_le64(v);
	}
	return 0;
}

/* The ring or page table may be reprogrammed only while they are unused */
static int mvgpu_mmio_ctx_write(struct mvgpu_vgpu *vgpu,
				const struct mvgpu_reg *r, u64 v)
{
	struct mvgpu_ctx *ctx = &vgpu->ctx;
	int ret = 0;

	lockdep_assert_held(&ctx->exec_lock);

	if (r->off == MVGPU_REG_RING_TAIL) {
		if (!ctx->ring_size || v >= ctx->ring_size ||
		    !IS_ALIGNED(v, MVGPU_CMD_SIZE))
			return -EINVAL;
		WRITE_ONCE(ctx->tail, v);
		return 0;
	}

	/* queued commands, or a DMA in flight or with its result pending */
	if (mvgpu_ctx_has_work(ctx) || smp_load_acquire(&ctx->dma_busy) ||
	    READ_ONCE(ctx->dma_done))
		return -EBUSY;

	switch (r->off) {
	case MVGPU_REG_PT_BASE:
		if (ctx->pt_entries)
			return -EBUSY;	/* latched: turn paging off first */
		ctx->pt_base = v;
		break;
	case MVGPU_REG_PT_ENTRIES:
		if (v > MVGPU_PT_MAX_ENTRIES ||
		    (v && (!IS_ALIGNED(ctx->pt_base, MVGPU_GPU_PAGE_SIZE) ||
			   ctx->pt_base >= ctx->vram_size ||
			   v * sizeof(u64) > ctx->vram_size - ctx->pt_base)))
			return -EINVAL;
		WRITE_ONCE(ctx->pt_entries, v);
		break;
	case MVGPU_REG_RING_BASE:
		if (ctx->ring_size)
			return -EBUSY;	/* latched: disable the ring first */
		ctx->ring_base = v;
		break;
	case MVGPU_REG_RING_SIZE:
		if (v && (v < MVGPU_RING_MIN_SIZE || v > MVGPU_RING_MAX_SIZE ||
			  !is_power_of_2(v) ||
			  !IS_ALIGNED(ctx->ring_base, MVGPU_GPU_PAGE_SIZE)))
			return -EINVAL;
		WRITE_ONCE(ctx->ring_size, v);
		WRITE_ONCE(ctx->tail, 0);
		WRITE_ONCE(ctx->head, 0);
		/* a command it had started is gone with the old ring */
		ctx->hw->ops->ctx_reset(ctx);
		break;
	default:
		ret = -EINVAL;
	}
	return ret;
}

/* The register's value before the write, for merging partial writes */
static u64 mvgpu_mmio_raw(struct mvgpu_vgpu *vgpu, const struct mvgpu_reg *r)
{
	if (r->access == MVGPU_WO)
		return 0;
	return mvgpu_mmio_value(vgpu, r);
}

static int mvgpu_mmio_apply(struct mvgpu_vgpu *vgpu, const struct mvgpu_reg *r,
			    u64 v)
{
	struct mvgpu_ctx *ctx = &vgpu->ctx;
	int ret;

	switch (r->off) {
	case MVGPU_REG_INT_MASK:
		mvgpu_irq_set_mask(vgpu, v & MVGPU_INT_ALL);
		return 0;
	case MVGPU_REG_INT_ACK:
		mvgpu_irq_ack(vgpu, v);
		return 0;
	case MVGPU_REG_SW_INT:
		mvgpu_irq_raise(vgpu, MVGPU_INT_SOFTWARE);
		return 0;
	case MVGPU_REG_RESET:
		if (v != MVGPU_RESET_MAGIC)
			return -EINVAL;
		return MVGPU_MMIO_RESET;	/* the caller resets the vGPU */
	case MVGPU_REG_SCRATCH:
		WRITE_ONCE(vgpu->scratch, v);
		return 0;
	}

	mutex_lock(&ctx->exec_lock);
	ret = mvgpu_mmio_ctx_write(vgpu, r, v);
	mutex_unlock(&ctx->exec_lock);
	if (!ret && r->off == MVGPU_REG_RING_TAIL)
		mvgpu_sched_kick(&vgpu->gpu->sched, &vgpu->se);
	return ret;
}

int mvgpu_mmio_write(struct mvgpu_vgpu *vgpu, u32 off, const void *buf,
		     u32 len)
{
	const struct mvgpu_reg *r;
	u64 v, mask, old;
	u32 shift;
	int ret;

	lockdep_assert_held(&vgpu->lock);
	if ((len != 1 && len != 2 && len != 4 && len != 8) ||
	    !IS_ALIGNED(off, len) || off >= MVGPU_BAR0_SIZE) {
		dev_dbg_ratelimited(vgpu->dev,
				    "BAR0 write of %u bytes at 0x%x refused: unaligned or bad width\n",
				    len, off);
		return -EINVAL;
	}

	r = mvgpu_reg_find(off);
	if (!r)
		return 0;
	if (r->access == MVGPU_RO) {
		dev_warn_ratelimited(vgpu->dev,
				     "write to read-only register %s refused\n",
				     r->name);
		return -EPERM;
	}
	if (off + len > r->off + r->width ||
	    (r->off != MVGPU_REG_SCRATCH && len < 4)) {
		dev_warn_ratelimited(vgpu->dev,
				     "%u-byte write at 0x%x does not fit register %s\n",
				     len, off, r->name);
		return -EINVAL;
	}

	switch (len) {
	case 1:
		v = *(const u8 *)buf;
		break;
	case 2:
		v = le16_to_cpu(*(const __le16 *)buf);
		break;
	case 4:
		v = le32_to_cpu(*(const __le32 *)buf);
		break;
	default:
		v = le64_to_cpu(*(const __le64 *)buf);
	}

	if (len < r->width) {
		shift = (off - r->off) * 8;
		mask = GENMASK_ULL(len * 8 - 1, 0) << shift;
		old = mvgpu_mmio_raw(vgpu, r);
		v = (old & ~mask) | ((v << shift) & mask);
	}

	ret = mvgpu_mmio_apply(vgpu, r, v);
	if (ret < 0)
		dev_warn_ratelimited(vgpu->dev,
				     "write of 0x%llx to %s refused (%d)\n",
				     v, r->name, ret);
	return ret;
}

void mvgpu_mmio_reset(struct mvgpu_vgpu *vgpu)
{
	WRITE_ONCE(vgpu->scratch, 0);
}
