/* SPDX-License-Identifier: MIT */
/*
 * A fake mvgpu for the unit tests: a BAR0 register file with the device's
 * write rules that matter to the library (RING_SIZE resets head and tail,
 * INT_ACK clears, RESET restores), VRAM in plain memory, and an engine the
 * test steps by hand: fake_step() runs commands from the ring the way the
 * device does (NOP, FENCE, FILL and COPY through the page table), moves
 * RING_HEAD and signals the eventfd for a FENCE with the IRQ flag.
 *
 * Header-only: each unit test is built alone with the library sources.
 */
#ifndef FAKE_GPU_H
#define FAKE_GPU_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libmvgpu_int.h"

struct fake_gpu {
	uint8_t regs[MVGPU_BAR0_SIZE];
	uint8_t *vram;
	uint64_t vram_size;
	unsigned int reg_writes;
	int fail_reg;			/* this offset's accesses fail, or -1 */
	int fail_dma_map;		/* dma_map returns this */
	unsigned int dma_maps;
	unsigned int dma_unmaps;
	struct mvgpu_cmd last_cmd;	/* the last command the engine ran */
};

static inline uint64_t fake_reg(struct fake_gpu *fk, uint32_t off)
{
	uint64_t v = 0;

	memcpy(&v, fk->regs + off, 8);	/* host is little-endian here */
	return v;
}

static inline void fake_set_reg(struct fake_gpu *fk, uint32_t off, uint64_t v,
			 unsigned int len)
{
	memcpy(fk->regs + off, &v, len);
}

static inline uint32_t fake_reg32(struct fake_gpu *fk, uint32_t off)
{
	return (uint32_t)fake_reg(fk, off);
}

static inline int fake_reg_read(struct mvgpu *g, uint32_t off, void *buf,
			 unsigned int len)
{
	struct fake_gpu *fk = g->hw_priv;

	if ((int)off == fk->fail_reg)
		return -EIO;
	memcpy(buf, fk->regs + off, len);
	return 0;
}

static inline void fake_reset_regs(struct fake_gpu *fk)
{
	static const uint32_t keep[] = { MVGPU_REG_ID, MVGPU_REG_VERSION,
		MVGPU_REG_CAPS, MVGPU_REG_TYPE_DIVISOR, MVGPU_REG_VRAM_SIZE,
		MVGPU_REG_VRAM_SIZE + 4, MVGPU_REG_ENGINES,
		MVGPU_REG_SHARE_PERMILLE };
	uint32_t saved[8];
	unsigned int i;

	for (i = 0; i < 8; i++)
		saved[i] = fake_reg32(fk, keep[i]);
	memset(fk->regs, 0, sizeof(fk->regs));
	for (i = 0; i < 8; i++)
		fake_set_reg(fk, keep[i], saved[i], 4);
	fake_set_reg(fk, MVGPU_REG_INT_MASK, MVGPU_INT_ALL, 4);
}

static inline int fake_reg_write(struct mvgpu *g, uint32_t off, const void *buf,
			  unsigned int len)
{
	struct fake_gpu *fk = g->hw_priv;
	uint64_t v = 0;

	if ((int)off == fk->fail_reg)
		return -EIO;
	memcpy(&v, buf, len);
	fk->reg_writes++;
	switch (off) {
	case MVGPU_REG_INT_ACK:
		fake_set_reg(fk, MVGPU_REG_INT_STATUS,
			     fake_reg32(fk, MVGPU_REG_INT_STATUS) & ~(uint32_t)v,
			     4);
		return 0;
	case MVGPU_REG_RESET:
		if (v != MVGPU_RESET_MAGIC)
			return -EINVAL;
		fake_reset_regs(fk);
		return 0;
	case MVGPU_REG_RING_SIZE:
		fake_set_reg(fk, MVGPU_REG_RING_HEAD, 0, 4);
		fake_set_reg(fk, MVGPU_REG_RING_TAIL, 0, 4);
		break;
	case MVGPU_REG_RING_TAIL:
		if (!fake_reg32(fk, MVGPU_REG_RING_SIZE) ||
		    v >= fake_reg32(fk, MVGPU_REG_RING_SIZE) || v % 64)
			return -EINVAL;
		break;
	}
	fake_set_reg(fk, off, v, len);
	return 0;
}

static inline int fake_dma_map(struct mvgpu *g, void *vaddr, uint64_t iova,
			uint64_t size)
{
	struct fake_gpu *fk = g->hw_priv;

	if (fk->fail_dma_map)
		return fk->fail_dma_map;
	fk->dma_maps++;
	return 0;
}

static inline int fake_dma_unmap(struct mvgpu *g, uint64_t iova, uint64_t size)
{
	struct fake_gpu *fk = g->hw_priv;

	fk->dma_unmaps++;
	return 0;
}

static const struct mvgpu_hw_ops fake_ops = {
	.reg_read	= fake_reg_read,
	.reg_write	= fake_reg_write,
	.dma_map	= fake_dma_map,
	.dma_unmap	= fake_dma_unmap,
};

/* A VRAM offset through the page table the library set up, or -1 */
static inline int64_t fake_translate(struct fake_gpu *fk, uint64_t va, bool write)
{
	uint64_t pt = fake_reg(fk, MVGPU_REG_PT_BASE), pte;
	uint32_t entries = fake_reg32(fk, MVGPU_REG_PT_ENTRIES);

	if (!entries)
		return va < fk->vram_size ? (int64_t)va : -1;
	if (va / 4096 >= entries)
		return -1;
	memcpy(&pte, fk->vram + pt + va / 4096 * 8, 8);
	if (!(pte & MVGPU_PTE_VALID) || (write && !(pte & MVGPU_PTE_WRITE)))
		return -1;
	return (int64_t)((pte & MVGPU_PTE_ADDR_MASK) | (va & 4095));
}

static inline void fake_fault(struct fake_gpu *fk, uint32_t code, uint64_t addr,
		       bool write)
{
	fake_set_reg(fk, MVGPU_REG_FAULT_STATUS,
		     code | (write ? MVGPU_FAULT_WRITE : 0), 4);
	fake_set_reg(fk, MVGPU_REG_FAULT_HEAD,
		     fake_reg32(fk, MVGPU_REG_RING_HEAD), 4);
	fake_set_reg(fk, MVGPU_REG_FAULT_ADDR, addr, 8);
	fake_set_reg(fk, MVGPU_REG_STATUS,
		     fake_reg32(fk, MVGPU_REG_STATUS) | MVGPU_STATUS_FAULTED, 4);
	fake_set_reg(fk, MVGPU_REG_INT_STATUS,
		     fake_reg32(fk, MVGPU_REG_INT_STATUS) | MVGPU_INT_FAULT, 4);
}

static inline void fake_signal(struct mvgpu *g)
{
	uint64_t one = 1;

	if (write(g->event_fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

/* Run up to n commands; returns how many ran */
static inline unsigned int fake_step(struct mvgpu *g, unsigned int n)
{
	struct fake_gpu *fk = g->hw_priv;
	unsigned int ran = 0;

	while (ran < n) {
		uint32_t head = fake_reg32(fk, MVGPU_REG_RING_HEAD);
		uint32_t size = fake_reg32(fk, MVGPU_REG_RING_SIZE);
		uint64_t base = fake_reg(fk, MVGPU_REG_RING_BASE), i;
		struct mvgpu_cmd c;
		int64_t at;

		if (!size || head == fake_reg32(fk, MVGPU_REG_RING_TAIL) ||
		    fake_reg32(fk, MVGPU_REG_STATUS) & MVGPU_STATUS_FAULTED)
			break;
		at = fake_translate(fk, base + head, false);
		if (at < 0)
			abort();
		mvgpu__cmd_decode(fk->vram + at, &c);
		fk->last_cmd = c;
		switch (c.opcode) {
		case MVGPU_OP_NOP:
			break;
		case MVGPU_OP_FENCE:
			if (c.flags & MVGPU_CMD_F_WRITE_MEM) {
				at = fake_translate(fk, c.dst, true);
				if (at < 0)
					abort();
				memcpy(fk->vram + at, &c.value, 8);
			}
			fake_set_reg(fk, MVGPU_REG_FENCE, c.value, 8);
			break;
		case MVGPU_OP_FILL:
			for (i = 0; i < c.size; i += 4) {
				at = fake_translate(fk, c.dst + i, true);
				if (at < 0) {
					fake_fault(fk, MVGPU_FAULT_UNMAPPED,
						   c.dst + i, true);
					fake_signal(g);
					return ran;
				}
				memcpy(fk->vram + at, &c.value, 4);
			}
			break;
		default:
			fake_fault(fk, MVGPU_FAULT_BAD_OPCODE, base + head,
				   false);
			fake_signal(g);
			return ran;
		}
		fake_set_reg(fk, MVGPU_REG_RING_HEAD, (head + 64) & (size - 1),
			     4);
		if (c.opcode == MVGPU_OP_FENCE && (c.flags & MVGPU_CMD_F_IRQ)) {
			fake_set_reg(fk, MVGPU_REG_INT_STATUS,
				     fake_reg32(fk, MVGPU_REG_INT_STATUS) |
				     MVGPU_INT_FENCE, 4);
			fake_signal(g);
		}
		ran++;
	}
	return ran;
}

/* A handle on a fake GPU of vram_size bytes; NULL on failure */
static inline struct mvgpu *fake_open(struct fake_gpu *fk, uint64_t vram_size)
{
	struct mvgpu *g;

	memset(fk, 0, sizeof(*fk));
	fk->fail_reg = -1;
	fk->vram_size = vram_size;
	fk->vram = aligned_alloc(4096, vram_size);
	if (!fk->vram)
		return NULL;
	memset(fk->vram, 0xcc, vram_size);	/* an old tenant's junk */
	fake_set_reg(fk, MVGPU_REG_ID, MVGPU_ID_MAGIC, 4);
	fake_set_reg(fk, MVGPU_REG_VERSION, MVGPU_VERSION, 4);
	fake_set_reg(fk, MVGPU_REG_CAPS, 0x3f, 4);
	fake_set_reg(fk, MVGPU_REG_TYPE_DIVISOR, 4, 4);
	fake_set_reg(fk, MVGPU_REG_VRAM_SIZE, vram_size, 8);
	fake_set_reg(fk, MVGPU_REG_ENGINES, 2, 4);
	fake_set_reg(fk, MVGPU_REG_SHARE_PERMILLE, 250, 4);
	fake_reset_regs(fk);

	if (mvgpu__handle_new(&g))
		return NULL;
	g->ops = &fake_ops;
	g->hw_priv = fk;
	g->vram = fk->vram;
	g->vram_size = vram_size;
	g->divisor = 4;
	g->engines = 2;
	g->share_permille = 250;
	g->caps = 0x3f;
	g->version = MVGPU_VERSION;
	strcpy(g->uuid, "00000000-0000-0000-0000-000000000000");
	strcpy(g->type, "mvgpu-4");
	strcpy(g->gpu, "mvgpu0");
	strcpy(g->sysfs_dir, "/nonexistent");
	if (mvgpu__handle_init(g)) {
		mvgpu__handle_free(g);
		return NULL;
	}
	return g;
}

static inline void fake_close(struct fake_gpu *fk, struct mvgpu **g)
{
	mvgpu_close(g);
	free(fk->vram);
	fk->vram = NULL;
}

#endif /* FAKE_GPU_H */
