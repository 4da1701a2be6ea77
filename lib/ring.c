// SPDX-License-Identifier: MIT
/*
 * The command ring: LIBMVGPU_RING_BYTES of VRAM just below the page table.
 * Submission writes the batch and a fence at the tail slots through the
 * VRAM mapping, then rings the doorbell (RING_TAIL).  Either the whole
 * batch goes in or nothing does.
 *
 * Each submission's fence slot goes into the in-flight FIFO; fence.c
 * retires entries as RING_HEAD passes them.
 */
#include <errno.h>
#include <string.h>

#include "libmvgpu_int.h"

int mvgpu__ring_program(struct mvgpu *g)
{
	int ret = mvgpu__reg_write32(g, MVGPU_REG_RING_SIZE, 0);

	if (!ret)
		ret = mvgpu__reg_write64(g, MVGPU_REG_RING_BASE, g->ring_off);
	if (!ret)
		ret = mvgpu__reg_write32(g, MVGPU_REG_RING_SIZE, g->ring_size);
	if (ret)
		return mvgpu__err(ret, "cannot program the ring (RING_BASE 0x%llx, %u bytes): %s",
				  (unsigned long long)g->ring_off, g->ring_size,
				  strerror(-ret));
	g->tail = 0;	/* writing RING_SIZE set head and tail to 0 */
	return 0;
}

/* Slots between head and our tail: submitted, not yet run */
uint32_t mvgpu__ring_used(const struct mvgpu *g, uint32_t head)
{
	return ((g->tail - head) & (g->ring_size - 1)) / MVGPU_CMD_SIZE;
}

static void ring_put(struct mvgpu *g, uint32_t slot_off,
		     const struct mvgpu_cmd *cmd)
{
	mvgpu__cmd_encode(cmd, g->vram + g->ring_off + slot_off);
}

int mvgpu_submit(struct mvgpu *g, struct mvgpu_batch *b, uint64_t *fence)
{
	struct mvgpu_cmd fcmd;
	uint32_t slots, free_slots, head, status, pos;
	struct mvgpu_inflight *e;
	size_t i, n;
	int ret;

	if (!g)
		return mvgpu__bad_handle("mvgpu_submit");
	if (!b || b->magic != MVGPU_BATCH_MAGIC)
		return mvgpu__err(-EINVAL, "mvgpu_submit: batch is NULL or not a batch");
	if (!fence)
		return mvgpu__err(-EINVAL, "mvgpu_submit: fence is NULL");
	if (b->g != g)
		return mvgpu__err(-EINVAL,
				  "mvgpu_submit: the batch was made for another vGPU handle: make it with mvgpu_batch_new() on this one");

	pthread_mutex_lock(&g->lock);
	slots = g->ring_size / MVGPU_CMD_SIZE;
	n = b->len + 1;			/* and the fence */
	if (n > slots - 1) {
		ret = mvgpu__err(-E2BIG,
				 "mvgpu_submit: a batch of %zu commands can never fit the ring (at most %u, LIBMVGPU_BATCH_MAX_CMDS): split it",
				 b->len, slots - 2);
		goto unlock;
	}
	ret = mvgpu__reg_read32(g, MVGPU_REG_STATUS, &status);
	if (ret) {
		ret = mvgpu__err(ret, "mvgpu_submit: cannot read STATUS: %s",
				 strerror(-ret));
		goto unlock;
	}
	if (status & MVGPU_STATUS_FAULTED) {
		struct mvgpu_fault f;

		mvgpu__fault_read(g, &f);
		ret = mvgpu__err(-EIO,
				 "mvgpu_submit: the vGPU is stopped on a %s fault at 0x%llx: see mvgpu_get_fault(), then mvgpu_reset() to go on",
				 mvgpu_fault_name(f.code),
				 (unsigned long long)f.addr);
		goto unlock;
	}
	ret = mvgpu__update_completed(g);
	if (ret)
		goto unlock;
	ret = mvgpu__reg_read32(g, MVGPU_REG_RING_HEAD, &head);
	if (ret) {
		ret = mvgpu__err(ret, "mvgpu_submit: cannot read RING_HEAD: %s",
				 strerror(-ret));
		goto unlock;
	}
	free_slots = slots - 1 - mvgpu__ring_used(g, head);
	if (n > free_slots) {
		ret = mvgpu__err(-EAGAIN,
				 "mvgpu_submit: the ring has room for %u commands now, the batch needs %zu (with its fence): wait for an earlier fence and submit again",
				 free_slots, n);
		goto unlock;
	}

	pos = g->tail;
	for (i = 0; i < b->len; i++) {
		ring_put(g, pos, &b->cmds[i]);
		pos = (pos + MVGPU_CMD_SIZE) & (g->ring_size - 1);
	}
	memset(&fcmd, 0, sizeof(fcmd));
	fcmd.opcode = MVGPU_OP_FENCE;
	fcmd.flags = MVGPU_CMD_F_IRQ;
	fcmd.value = g->seq + 1;
	ring_put(g, pos, &fcmd);

	/* the commands are in VRAM before the doorbell says so */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ret = mvgpu__reg_write32(g, MVGPU_REG_RING_TAIL,
				 (pos + MVGPU_CMD_SIZE) & (g->ring_size - 1));
	if (ret) {
		/* past the old tail: the engine never looks at them */
		ret = mvgpu__err(ret, "mvgpu_submit: the doorbell (RING_TAIL) was refused: %s",
				 strerror(-ret));
		goto unlock;
	}
	g->tail = (pos + MVGPU_CMD_SIZE) & (g->ring_size - 1);
	g->seq++;
	e = &g->inflight[(g->if_first + g->if_count) % g->if_cap];
	e->fence = g->seq;
	e->slot = pos;
	g->if_count++;
	*fence = g->seq;
unlock:
	pthread_mutex_unlock(&g->lock);
	return ret;
}
