// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workloads of workload.h: commands and their checks.
 */
#include <string.h>

#include "workload.h"

void wl_fill_batch(struct mvgpu_cmd *cmds, uint64_t buf, uint32_t pattern)
{
	unsigned int i;

	memset(cmds, 0, sizeof(*cmds) * WL_FILL_CMDS);
	for (i = 0; i < WL_FILL_CMDS; i++) {
		cmds[i].opcode = MVGPU_OP_FILL;
		cmds[i].dst = buf;
		cmds[i].size = WL_FILL_SIZE;
		cmds[i].value = pattern + i;
	}
}

uint32_t wl_fill_result(uint32_t pattern)
{
	return pattern + WL_FILL_CMDS - 1;
}

unsigned int wl_fill_check(const volatile uint32_t *buf, uint32_t value)
{
	const uint32_t words = WL_FILL_SIZE / 4;
	const uint32_t page = MVGPU_GPU_PAGE_SIZE / 4;
	unsigned int bad = 0;
	uint32_t j;

	for (j = 0; j < words; j += 1021)
		bad += buf[j] != value;
	for (j = 0; j < words; j += page)
		bad += (buf[j] != value) + (buf[j + page - 1] != value);
	return bad;
}

uint32_t wl_bad_cmd(unsigned int kind, const struct wl_bad_env *env,
		    uint32_t rnd, struct mvgpu_cmd *cmd, const char **what)
{
	memset(cmd, 0, sizeof(*cmd));
	switch (kind % WL_BAD_KINDS) {
	case 0:
		*what = "a fill past the end of its VRAM";
		cmd->opcode = MVGPU_OP_FILL;
		cmd->dst = env->vram_size;
		cmd->size = 4096;
		return MVGPU_FAULT_OUT_OF_RANGE;
	case 1:
		*what = "a fill at address 0 (nothing mapped there)";
		cmd->opcode = MVGPU_OP_FILL;
		cmd->size = 4096;
		return env->paging ? MVGPU_FAULT_UNMAPPED : MVGPU_FAULT_NONE;
	case 2:
		*what = "a fill over its own command ring (read-only)";
		cmd->opcode = MVGPU_OP_FILL;
		cmd->dst = env->ring_va;
		cmd->size = 4096;
		return env->paging ? MVGPU_FAULT_READ_ONLY : MVGPU_FAULT_NONE;
	case 3:
		*what = "a garbage opcode";
		cmd->opcode = MVGPU_OP_COUNT +
			      rnd % (UINT32_MAX - MVGPU_OP_COUNT);
		return MVGPU_FAULT_BAD_OPCODE;
	case 4:
		*what = "a copy of 2^64-1 bytes";
		cmd->opcode = MVGPU_OP_COPY;
		cmd->dst = env->buf_b;
		cmd->src = env->buf_a;
		cmd->size = UINT64_MAX;
		return MVGPU_FAULT_BAD_COMMAND;
	case 5:
		*what = "a GEMM of 2^20 x 1 x 1";
		cmd->opcode = MVGPU_OP_GEMM_I32;
		cmd->dst = env->buf_c;
		cmd->src = env->buf_a;
		cmd->aux = env->buf_b;
		cmd->m = 1u << 20;
		cmd->n = 1;
		cmd->k = 1;
		return MVGPU_FAULT_BAD_COMMAND;
	default:
		*what = "a DMA from an IOVA never mapped";
		cmd->opcode = MVGPU_OP_DMA_FROM_HOST;
		cmd->dst = env->buf_a;
		cmd->src = env->bad_iova;
		cmd->size = 4096;
		return MVGPU_FAULT_DMA;
	}
}

unsigned int wl_gemm_check(const uint32_t *a, const uint32_t *b,
			   const uint32_t *c, uint32_t m, uint32_t n,
			   uint32_t k, uint32_t *first, uint32_t *want)
{
	unsigned int bad = 0;
	uint32_t i, j, x;

	/* int32 with wrap-around: unsigned arithmetic is the same bits */
	for (i = 0; i < m; i++) {
		for (j = 0; j < n; j++) {
			uint32_t acc = 0;

			for (x = 0; x < k; x++)
				acc += a[i * k + x] * b[x * n + j];
			if (c[i * n + j] != acc && !bad++) {
				*first = i * n + j;
				*want = acc;
			}
		}
	}
	return bad;
}
