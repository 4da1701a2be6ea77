/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workloads: one definition of each kind of work mvgpu's tools put on a
 * vGPU and of how its result is checked, shared by `mvgpuctl run`, the
 * scheduler tests' tenants (tests/common/mt_tenant.c) and bench/.
 *
 * Only commands and checks live here, never the transport: a caller
 * submits the struct mvgpu_cmd these build through libmvgpu
 * (mvgpu_cmd_raw) or straight into a ring (mt_dev_submit), and hands the
 * CPU's view of the buffers back for checking.
 *
 *   fill    batches of WL_FILL_CMDS fills of WL_FILL_SIZE bytes, each with
 *           the next pattern; a completed batch is checked by sampling
 *   bad     commands a vGPU must refuse, each with the fault it must raise
 *   gemm    int32 matrix products, checked against the CPU's
 */
#ifndef MVGPU_WORKLOAD_H
#define MVGPU_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "mvgpu_uapi.h"

/* ---- fill: keep the engine busy with checkable work ---- */

#define WL_FILL_SIZE	(1u << 20)	/* bytes per fill */
#define WL_FILL_CMDS	16u		/* fills per batch */
#define WL_FILL_DEPTH	3u		/* batches in flight */
#define WL_FILL_SLOTS	(WL_FILL_DEPTH + 1)	/* buffers, one per batch */

/* cmds[0..WL_FILL_CMDS): fills of buf with pattern, pattern + 1, ... */
void wl_fill_batch(struct mvgpu_cmd *cmds, uint64_t buf, uint32_t pattern);
/* What buf holds once the batch for pattern has completed */
uint32_t wl_fill_result(uint32_t pattern);
/*
 * Check a completed fill through the CPU's view of the buffer: every
 * GPU page's first and last word and a prime-strided sample in between.
 * Returns how many sampled words are wrong (0: good).
 */
unsigned int wl_fill_check(const volatile uint32_t *buf, uint32_t value);

/* ---- bad: a tenant gone bad ---- */

#define WL_BAD_KINDS	7

/* Where the vGPU's memory is, for building commands that must fault */
struct wl_bad_env {
	uint64_t vram_size;	/* bytes of VRAM */
	bool paging;		/* libmvgpu's layout: VA 0 unmapped, ring RO */
	uint64_t ring_va;	/* with paging: the read-only ring */
	uint64_t buf_a, buf_b, buf_c;	/* valid buffers of >= 4 KiB */
	uint64_t bad_iova;	/* an IOVA the client never mapped */
};

/*
 * Command kind (mod WL_BAD_KINDS) into *cmd, its description into *what;
 * returns the MVGPU_FAULT_* code it must raise, or MVGPU_FAULT_NONE when
 * the kind does not apply to env (it needs paging): skip it then.  rnd
 * varies the garbage opcode.
 */
uint32_t wl_bad_cmd(unsigned int kind, const struct wl_bad_env *env,
		    uint32_t rnd, struct mvgpu_cmd *cmd, const char **what);

/* ---- gemm: int32 C[m,n] = A[m,k] x B[k,n], row-major, wrapping ---- */

/*
 * How many elements of c differ from the CPU's product; the first wrong
 * one's index into *first and the CPU's value into *want.
 */
unsigned int wl_gemm_check(const uint32_t *a, const uint32_t *b,
			   const uint32_t *c, uint32_t m, uint32_t n,
			   uint32_t k, uint32_t *first, uint32_t *want);

#endif /* MVGPU_WORKLOAD_H */
