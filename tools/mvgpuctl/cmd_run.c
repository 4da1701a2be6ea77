// SPDX-License-Identifier: GPL-2.0-only
/*
 * run: a workload generator that checks every result.
 *
 * Opens the vGPU through libmvgpu and, until the time is up, submits
 * operations whose results it knows:
 *
 *   gemm   random int32 matrices A (m x k) and B (k x n), C = A x B on the
 *          vGPU, compared with the same product on the CPU (wrap-around)
 *   copy   random host data DMAed into VRAM, copied inside VRAM, DMAed
 *          back; and a FILL of a random pattern read back through the BAR
 *   mixed  both, chosen at random
 *   fill   keeps the vGPU busy all the time: batches of large FILLs, a few
 *          in flight, each buffer checked by sampling once its batch is
 *          done (little CPU per engine second, so the engine's split
 *          between tenants is the scheduler's, not the tenants' pauses)
 *   faulty a tenant gone bad: commands the vGPU must refuse (addresses
 *          out of range or unmapped, a write to its read-only ring,
 *          garbage opcodes, huge sizes, DMA from an IOVA never mapped),
 *          one at a time; each must fault with the expected code, is
 *          reset, and a small fill checks that the vGPU works again
 *
 * A result that differs is a mismatch; a vGPU fault is counted, reported
 * and recovered from with mvgpu_reset().  Any of either exits 8, except
 * that for faulty the faults are the point: it fails (8) only when a bad
 * command does not fault as expected or the vGPU does not recover.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libmvgpu.h"
#include "workload.h"
#include "mvgpuctl.h"

#define MVCTL_RUN_MAX_DIM	64		/* GEMM m, n, k */
#define MVCTL_RUN_MAX_COPY	(256u << 10)	/* bytes per copy op */
#define MVCTL_RUN_FENCE_MS	60000		/* a stuck vGPU, not a slow one */

/* faulty: the fill that checks the vGPU works again after a reset */
#define MVCTL_RUN_RECOVER_SIZE	4096u

enum mvctl_workload {
	MVCTL_WL_GEMM, MVCTL_WL_COPY, MVCTL_WL_MIXED, MVCTL_WL_FILL,
	MVCTL_WL_FAULTY, MVCTL_WL_DMA, MVCTL_WL_COUNT
};

static const char *const mvctl_workloads[] = {
	[MVCTL_WL_GEMM] = "gemm",
	[MVCTL_WL_COPY] = "copy",
	[MVCTL_WL_MIXED] = "mixed",
	[MVCTL_WL_FILL] = "fill",
	[MVCTL_WL_FAULTY] = "faulty",
	[MVCTL_WL_DMA] = "dma",
};

#define MVCTL_RUN_FAULT_CODES	8	/* MVGPU_FAULT_* codes counted */

struct mvctl_run {
	struct mvgpu *g;
	struct mvgpu_batch *batch;
	struct mvgpu_bo *a, *b, *c;		/* GEMM A, B, C; copy src, dst, fill */
	struct mvgpu_hostmem *hin, *hout;	/* DMA host buffers */
	uint32_t *ma, *mb, *mc, *ref;		/* CPU copies */
	uint64_t rng;

	uint64_t ops, gemms, copies, bytes;
	uint64_t mismatches, faults;
	uint64_t fault_codes[MVCTL_RUN_FAULT_CODES];	/* faulty: by code */
	uint64_t vram_size;			/* faulty: the vGPU's VRAM */
	bool faults_expected;			/* faulty: faults are no errors */
	bool fatal;				/* stop: cannot go on */

	uint64_t start, end;			/* CLOCK_MONOTONIC ns */
	bool progress;				/* a progress line on stderr */
	uint64_t next_progress;
};

static volatile sig_atomic_t mvctl_run_stop;

static void mvctl_run_signal(int sig)
{
	mvctl_run_stop = sig;
}

static uint64_t mvctl_run_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* xorshift64*: fast, good enough for test data */
static uint64_t mvctl_rand(struct mvctl_run *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 0x2545f4914f6cdd1dULL;
}

static uint32_t mvctl_rand_range(struct mvctl_run *r, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(mvctl_rand(r) % (hi - lo + 1));
}

static void mvctl_rand_fill(struct mvctl_run *r, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len >= 8) {
		uint64_t v = mvctl_rand(r);

		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	while (len--)
		*p++ = (unsigned char)mvctl_rand(r);
}

/* A library failure as a message; fatal unless it was a fault */
static bool mvctl_run_lib_error(struct mvctl_run *r, int err, const char *what)
{
	struct mvgpu_fault fault = { 0 };
	int ret;

	if (err != -EIO) {
		mvctl_warn("run: %s failed: %s", what, mvgpu_last_error());
		r->fatal = true;
		return false;
	}
	/* the vGPU faulted: say where, reset, carry on */
	r->faults++;
	ret = mvgpu_reset(r->g, &fault);
	if (ret) {
		mvctl_warn("run: %s: the vGPU faulted and cannot be reset: %s",
			   what, mvgpu_last_error());
		r->fatal = true;
		return false;
	}
	mvctl_warn("run: %s: vGPU fault %s (code %u)%s at 0x%llx, ring offset 0x%x; reset and continuing",
		   what, mvgpu_fault_name(fault.code), fault.code,
		   fault.write ? " on a write" : "",
		   (unsigned long long)fault.addr, fault.head);
	return true;
}

/* Submit the batch and wait for it; 0, or -1 after counting the error */
static int mvctl_run_submit(struct mvctl_run *r, const char *what)
{
	uint64_t fence;
	int ret;

	ret = mvgpu_submit(r->g, r->batch, &fence);
	if (!ret)
		ret = mvgpu_fence_wait(r->g, fence, MVCTL_RUN_FENCE_MS);
	mvgpu_batch_reset(r->batch);
	if (!ret)
		return 0;
	if (ret == -ETIMEDOUT) {
		mvctl_warn("run: %s did not complete within %d s: the vGPU is stuck (see 'mvgpuctl stats' and dmesg)",
			   what, MVCTL_RUN_FENCE_MS / 1000);
		r->fatal = true;
		return -1;
	}
	mvctl_run_lib_error(r, ret, what);
	return -1;
}

static int mvctl_run_gemm(struct mvctl_run *r)
{
	uint32_t m = mvctl_rand_range(r, 1, MVCTL_RUN_MAX_DIM);
	uint32_t n = mvctl_rand_range(r, 1, MVCTL_RUN_MAX_DIM);
	uint32_t k = mvctl_rand_range(r, 1, MVCTL_RUN_MAX_DIM);
	uint32_t first = 0, want = 0, bad;
	int ret;

	mvctl_rand_fill(r, r->ma, (size_t)m * k * 4);
	mvctl_rand_fill(r, r->mb, (size_t)k * n * 4);
	/* a few small values too, so not every product wraps */
	r->ma[0] &= 0xff;
	r->mb[0] &= 0xff;
	ret = mvgpu_bo_write(r->g, r->a, 0, r->ma, (size_t)m * k * 4);
	if (!ret)
		ret = mvgpu_bo_write(r->g, r->b, 0, r->mb, (size_t)k * n * 4);
	if (!ret)
		ret = mvgpu_cmd_gemm_i32(r->batch, mvgpu_bo_va(r->c),
					 mvgpu_bo_va(r->a), mvgpu_bo_va(r->b),
					 m, n, k);
	if (ret) {
		mvctl_run_lib_error(r, ret, "gemm setup");
		mvgpu_batch_reset(r->batch);
		return -1;
	}
	if (mvctl_run_submit(r, "gemm"))
		return -1;
	ret = mvgpu_bo_read(r->g, r->c, 0, r->mc, (size_t)m * n * 4);
	if (ret) {
		mvctl_run_lib_error(r, ret, "gemm read-back");
		return -1;
	}

	bad = wl_gemm_check(r->ma, r->mb, r->mc, m, n, k, &first, &want);
	if (bad)
		mvctl_warn("run: gemm %ux%ux%u: C[%u][%u] is 0x%08x, the CPU says 0x%08x",
			   m, n, k, first / n, first % n, r->mc[first], want);
	r->ops++;
	r->gemms++;
	r->bytes += ((uint64_t)m * k + (uint64_t)k * n + (uint64_t)m * n) * 4;
	if (bad) {
		r->mismatches++;
		mvctl_warn("run: gemm %ux%ux%u: %u of %u results wrong", m, n,
			   k, bad, m * n);
	}
	return 0;
}

static int mvctl_run_copy(struct mvctl_run *r)
{
	uint32_t size = mvctl_rand_range(r, 1, MVCTL_RUN_MAX_COPY / 4) * 4;
	uint32_t pattern = (uint32_t)mvctl_rand(r);
	unsigned char *in = mvgpu_hostmem_ptr(r->hin);
	unsigned char *out = mvgpu_hostmem_ptr(r->hout);
	uint32_t *fill = r->mc;
	uint64_t i, bad_fill = 0;
	size_t off = 0;
	int ret;

	mvctl_rand_fill(r, in, size);
	memset(out, 0, size);
	ret = mvgpu_cmd_dma_from_host(r->batch, mvgpu_bo_va(r->a),
				      mvgpu_hostmem_iova(r->hin), size);
	if (!ret)
		ret = mvgpu_cmd_copy(r->batch, mvgpu_bo_va(r->b),
				     mvgpu_bo_va(r->a), size);
	if (!ret)
		ret = mvgpu_cmd_dma_to_host(r->batch, mvgpu_hostmem_iova(r->hout),
					    mvgpu_bo_va(r->b), size);
	if (!ret)
		ret = mvgpu_cmd_fill(r->batch, mvgpu_bo_va(r->c), size, pattern);
	if (ret) {
		mvctl_run_lib_error(r, ret, "copy setup");
		mvgpu_batch_reset(r->batch);
		return -1;
	}
	if (mvctl_run_submit(r, "copy"))
		return -1;
	ret = mvgpu_bo_read(r->g, r->c, 0, fill, size);
	if (ret) {
		mvctl_run_lib_error(r, ret, "copy read-back");
		return -1;
	}

	r->ops++;
	r->copies++;
	r->bytes += (uint64_t)size * 4;
	if (memcmp(in, out, size)) {
		while (off < size && in[off] == out[off])
			off++;
		mvctl_warn("run: copy of %u bytes: byte %zu came back as 0x%02x, it was 0x%02x",
			   size, off, out[off], in[off]);
		r->mismatches++;
		return 0;
	}
	for (i = 0; i < size / 4; i++)
		if (fill[i] != pattern && !bad_fill++)
			mvctl_warn("run: fill of %u bytes with 0x%08x: word %llu is 0x%08x",
				   size, pattern, (unsigned long long)i, fill[i]);
	if (bad_fill)
		r->mismatches++;
	return 0;
}

/* The first byte where two buffers differ, as a warning */
static void mvctl_run_dma_mismatch(struct mvctl_run *r, const char *dir,
				   const unsigned char *want,
				   const unsigned char *got, uint32_t size)
{
	uint32_t off = 0;

	while (off < size && want[off] == got[off])
		off++;
	mvctl_warn("run: dma %s of %u bytes: byte %u is 0x%02x, want 0x%02x",
		   dir, size, off, got[off], want[off]);
	r->mismatches++;
}

/*
 * dma: host memory -> VRAM (checked through the VRAM mapping), then
 * VRAM -> host memory (checked in host memory), every byte both ways.
 */
static int mvctl_run_dma(struct mvctl_run *r)
{
	uint32_t size = mvctl_rand_range(r, 1, MVCTL_RUN_MAX_COPY);
	unsigned char *in = mvgpu_hostmem_ptr(r->hin);
	unsigned char *out = mvgpu_hostmem_ptr(r->hout);
	unsigned char *vram = (unsigned char *)r->mc;
	int ret;

	mvctl_rand_fill(r, in, size);
	ret = mvgpu_cmd_dma_from_host(r->batch, mvgpu_bo_va(r->a),
				      mvgpu_hostmem_iova(r->hin), size);
	if (ret) {
		mvctl_run_lib_error(r, ret, "dma setup");
		mvgpu_batch_reset(r->batch);
		return -1;
	}
	if (mvctl_run_submit(r, "dma to VRAM"))
		return -1;
	ret = mvgpu_bo_read(r->g, r->a, 0, vram, size);
	if (ret) {
		mvctl_run_lib_error(r, ret, "dma read-back");
		return -1;
	}
	if (memcmp(in, vram, size))
		mvctl_run_dma_mismatch(r, "host to VRAM", in, vram, size);

	mvctl_rand_fill(r, r->ma, size);
	memset(out, 0, size);
	ret = mvgpu_bo_write(r->g, r->b, 0, r->ma, size);
	if (!ret)
		ret = mvgpu_cmd_dma_to_host(r->batch, mvgpu_hostmem_iova(r->hout),
					    mvgpu_bo_va(r->b), size);
	if (ret) {
		mvctl_run_lib_error(r, ret, "dma setup");
		mvgpu_batch_reset(r->batch);
		return -1;
	}
	if (mvctl_run_submit(r, "dma to host"))
		return -1;
	if (memcmp(r->ma, out, size))
		mvctl_run_dma_mismatch(r, "VRAM to host",
				       (unsigned char *)r->ma, out, size);
	r->ops++;
	r->bytes += (uint64_t)size * 2;
	return 0;
}

/* One invalid command: the vGPU must fault, and recover after reset */
static void mvctl_run_inject_fault(struct mvctl_run *r)
{
	struct mvgpu_cmd cmd;
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = MVGPU_OP_COUNT;	/* the first opcode that does not exist */
	ret = mvgpu_cmd_raw(r->batch, &cmd);
	if (ret) {
		mvctl_run_lib_error(r, ret, "inject-fault");
		mvgpu_batch_reset(r->batch);
		return;
	}
	if (!mvctl_run_submit(r, "inject-fault (a command with a bad opcode)")) {
		mvctl_warn("run: inject-fault: the bad command did not fault the vGPU");
		r->mismatches++;
	}
}

/* The progress line on a terminal, at most every 250 ms */
static void mvctl_run_progress(struct mvctl_run *r, uint64_t now)
{
	if (!r->progress || now < r->next_progress)
		return;
	r->next_progress = now + 250000000ULL;
	fprintf(stderr, "\r\033[Krun: %.1f/%.1f s, %llu operations, ",
		(now - r->start) / 1e9, (r->end - r->start) / 1e9,
		(unsigned long long)r->ops);
	if (r->faults_expected)
		fprintf(stderr, "%llu faults, %llu errors",
			(unsigned long long)r->faults,
			(unsigned long long)r->mismatches);
	else
		fprintf(stderr, "%llu errors",
			(unsigned long long)(r->mismatches + r->faults));
	fflush(stderr);
}

/*
 * fill: keep WL_FILL_DEPTH batches queued on the vGPU so that it
 * always has work, and check each batch's buffer once its fence is done:
 * the last FILL's pattern in the first and last word of every page and in
 * every 1021st word.  Runs until end, then lets the batches in flight
 * finish and checks them too.
 */
static void mvctl_run_fill(struct mvctl_run *r)
{
	struct mvgpu_bo *bo[WL_FILL_SLOTS] = { NULL };
	struct mvgpu_cmd cmds[WL_FILL_CMDS];
	uint64_t fence[WL_FILL_SLOTS];
	uint32_t pattern[WL_FILL_SLOTS];
	uint64_t next = 0, done = 0;
	unsigned int i, slot;
	int ret = 0;

	for (i = 0; i < WL_FILL_SLOTS && !ret; i++)
		ret = mvgpu_bo_alloc(r->g, WL_FILL_SIZE, 0, &bo[i]);
	if (ret) {
		mvctl_warn("run: fill: cannot allocate %u buffers of %u MiB: %s",
			   WL_FILL_SLOTS, WL_FILL_SIZE >> 20,
			   mvgpu_last_error());
		r->fatal = true;
		goto out;
	}

	for (;;) {
		/* top the queue up while there is time */
		while (!r->fatal && !mvctl_run_stop &&
		       next - done < WL_FILL_DEPTH &&
		       mvctl_run_now_ns() < r->end) {
			slot = next % WL_FILL_SLOTS;
			pattern[slot] = (uint32_t)mvctl_rand(r);
			wl_fill_batch(cmds, mvgpu_bo_va(bo[slot]),
				      pattern[slot]);
			for (i = 0; i < WL_FILL_CMDS && !ret; i++)
				ret = mvgpu_cmd_raw(r->batch, &cmds[i]);
			if (!ret)
				ret = mvgpu_submit(r->g, r->batch, &fence[slot]);
			mvgpu_batch_reset(r->batch);
			if (ret) {
				/* a fault drops the queued batches: not checked */
				if (mvctl_run_lib_error(r, ret, "fill submit"))
					done = next;
				ret = 0;
				continue;
			}
			next++;
		}
		if (done == next || r->fatal)
			break;

		/* the oldest batch */
		slot = done % WL_FILL_SLOTS;
		ret = mvgpu_fence_wait(r->g, fence[slot], MVCTL_RUN_FENCE_MS);
		if (ret == -ETIMEDOUT) {
			mvctl_warn("run: fill did not complete within %d s: the vGPU is stuck (see 'mvgpuctl stats' and dmesg)",
				   MVCTL_RUN_FENCE_MS / 1000);
			r->fatal = true;
			break;
		}
		if (ret) {
			if (mvctl_run_lib_error(r, ret, "fill"))
				done = next;
			ret = 0;
			continue;
		}
		{
			uint32_t want = wl_fill_result(pattern[slot]);
			unsigned int bad = wl_fill_check(mvgpu_bo_map(bo[slot]),
							 want);

			if (bad) {
				r->mismatches++;
				mvctl_warn("run: fill of %u MiB with 0x%08x: %u of the sampled words are wrong",
					   WL_FILL_SIZE >> 20, want, bad);
			}
		}
		r->ops++;
		r->bytes += (uint64_t)WL_FILL_CMDS * WL_FILL_SIZE;
		done++;
		mvctl_run_progress(r, mvctl_run_now_ns());
	}
out:
	for (i = 0; i < WL_FILL_SLOTS; i++)
		if (bo[i])
			mvgpu_bo_free(r->g, bo[i]);
}

/* faulty: after a reset, a small fill read back must be right */
static void mvctl_run_recover_check(struct mvctl_run *r)
{
	uint32_t pattern = (uint32_t)mvctl_rand(r);
	uint32_t *back = r->mc;
	uint64_t fence;
	unsigned int i;
	int ret;

	ret = mvgpu_cmd_fill(r->batch, mvgpu_bo_va(r->c),
			     MVCTL_RUN_RECOVER_SIZE, pattern);
	if (!ret)
		ret = mvgpu_submit(r->g, r->batch, &fence);
	mvgpu_batch_reset(r->batch);
	if (!ret)
		ret = mvgpu_fence_wait(r->g, fence, MVCTL_RUN_FENCE_MS);
	if (!ret)
		ret = mvgpu_bo_read(r->g, r->c, 0, back, MVCTL_RUN_RECOVER_SIZE);
	if (ret) {
		/* a good command faulted or failed after the reset */
		mvctl_warn("run: faulty: the check after a reset failed: %s",
			   mvgpu_last_error());
		r->mismatches++;
		if (ret != -EIO || mvgpu_reset(r->g, NULL))
			r->fatal = true;
		return;
	}
	r->bytes += MVCTL_RUN_RECOVER_SIZE;
	for (i = 0; i < MVCTL_RUN_RECOVER_SIZE / 4; i++) {
		if (back[i] != pattern) {
			mvctl_warn("run: faulty: after a reset, a fill with 0x%08x read back 0x%08x at word %u",
				   pattern, back[i], i);
			r->mismatches++;
			return;
		}
	}
}

/*
 * faulty: the commands of workload.h's "bad" kind, in libmvgpu's layout
 * (docs/api.md): nothing at VA 0, the ring read-only just below the page
 * table, and no host memory at IOVA 2^47 (in a VM, where bus addresses
 * are guest-physical, address 0 is the guest's RAM; no VM has 128 TiB).
 */
static uint32_t mvctl_run_bad_cmd(struct mvctl_run *r, unsigned int kind,
				  struct mvgpu_cmd *cmd, const char **what)
{
	uint64_t pt_bytes = r->vram_size / MVGPU_GPU_PAGE_SIZE * 8;
	struct wl_bad_env env = {
		.vram_size = r->vram_size,
		.paging = true,
		.buf_a = mvgpu_bo_va(r->a),
		.buf_b = mvgpu_bo_va(r->b),
		.buf_c = mvgpu_bo_va(r->c),
		.bad_iova = 1ull << 47,	/* unmapped on the host and in any VM */
	};

	pt_bytes = (pt_bytes + MVGPU_GPU_PAGE_SIZE - 1) &
		   ~(uint64_t)(MVGPU_GPU_PAGE_SIZE - 1);
	env.ring_va = r->vram_size - pt_bytes - LIBMVGPU_RING_BYTES;
	return wl_bad_cmd(kind, &env, (uint32_t)mvctl_rand(r), cmd, what);
}

/*
 * faulty: submit one bad command, wait for the fault, check its code,
 * reset and check that the vGPU works again.
 */
static void mvctl_run_faulty(struct mvctl_run *r)
{
	struct mvgpu_fault fault = { 0 };
	struct mvgpu_cmd cmd;
	const char *what;
	uint64_t fence;
	uint32_t want;
	int ret;

	want = mvctl_run_bad_cmd(r, (unsigned int)(r->ops % WL_BAD_KINDS),
				 &cmd, &what);
	r->ops++;
	ret = mvgpu_cmd_raw(r->batch, &cmd);
	if (!ret)
		ret = mvgpu_submit(r->g, r->batch, &fence);
	mvgpu_batch_reset(r->batch);
	if (!ret)
		ret = mvgpu_fence_wait(r->g, fence, MVCTL_RUN_FENCE_MS);
	if (!ret) {
		mvctl_warn("run: faulty: %s did not fault the vGPU", what);
		r->mismatches++;
		return;
	}
	if (ret == -ETIMEDOUT) {
		mvctl_warn("run: faulty: %s neither faulted nor completed within %d s: the vGPU is stuck (see 'mvgpuctl stats' and dmesg)",
			   what, MVCTL_RUN_FENCE_MS / 1000);
		r->fatal = true;
		return;
	}
	if (ret != -EIO) {
		mvctl_warn("run: faulty: %s: %s", what, mvgpu_last_error());
		r->fatal = true;
		return;
	}
	ret = mvgpu_reset(r->g, &fault);
	if (ret) {
		mvctl_warn("run: faulty: the vGPU faulted and cannot be reset: %s",
			   mvgpu_last_error());
		r->fatal = true;
		return;
	}
	r->faults++;
	if (fault.code < MVCTL_RUN_FAULT_CODES)
		r->fault_codes[fault.code]++;
	if (fault.code != want) {
		mvctl_warn("run: faulty: %s faulted %s (code %u), expected %s",
			   what, mvgpu_fault_name(fault.code), fault.code,
			   mvgpu_fault_name(want));
		r->mismatches++;
	}
	mvctl_run_recover_check(r);
}

static int mvctl_run_setup(struct mvctl_run *r)
{
	size_t mat = (size_t)MVCTL_RUN_MAX_DIM * MVCTL_RUN_MAX_DIM * 4;
	size_t buf = mat > MVCTL_RUN_MAX_COPY ? mat : MVCTL_RUN_MAX_COPY;
	int ret;

	r->ma = malloc(buf);
	r->mb = malloc(buf);
	r->mc = malloc(buf);
	if (!r->ma || !r->mb || !r->mc)
		return mvctl_fail(MVCTL_EXIT_FAIL, "run: out of memory");
	ret = mvgpu_batch_new(r->g, &r->batch);
	if (!ret)
		ret = mvgpu_bo_alloc(r->g, buf, 0, &r->a);
	if (!ret)
		ret = mvgpu_bo_alloc(r->g, buf, 0, &r->b);
	if (!ret)
		ret = mvgpu_bo_alloc(r->g, buf, 0, &r->c);
	if (!ret)
		ret = mvgpu_hostmem_alloc(r->g, buf, &r->hin);
	if (!ret)
		ret = mvgpu_hostmem_alloc(r->g, buf, &r->hout);
	if (ret)
		return mvctl_fail(MVCTL_EXIT_FAIL,
				  "run: cannot set up the buffers (3 x %zu KiB of VRAM, 2 x %zu KiB of host memory): %s",
				  buf >> 10, buf >> 10, mvgpu_last_error());
	return MVCTL_EXIT_OK;
}

static void mvctl_run_teardown(struct mvctl_run *r)
{
	if (r->g) {
		if (r->hout)
			mvgpu_hostmem_free(r->g, r->hout);
		if (r->hin)
			mvgpu_hostmem_free(r->g, r->hin);
		if (r->c)
			mvgpu_bo_free(r->g, r->c);
		if (r->b)
			mvgpu_bo_free(r->g, r->b);
		if (r->a)
			mvgpu_bo_free(r->g, r->a);
		if (r->batch)
			mvgpu_batch_free(r->batch);
		mvgpu_close(&r->g);
	}
	free(r->ma);
	free(r->mb);
	free(r->mc);
}

static int mvctl_run_open_error(int err, const struct mvctl_vgpu *v)
{
	switch (err) {
	case -EACCES:
	case -EPERM:
		return mvctl_fail(MVCTL_EXIT_PERM,
				  "run: permission denied opening vGPU %s (%s): run mvgpuctl as root, or give this user the vGPU's /dev/vfio group",
				  v->i.uuid, mvgpu_last_error());
	case -EBUSY:
		return mvctl_fail(MVCTL_EXIT_BUSY,
				  "run: vGPU %s is in use by %s (pid %d): stop that client first (%s)",
				  v->i.uuid, v->i.owner_comm[0] ? v->i.owner_comm : "another client",
				  v->i.owner_pid, mvgpu_last_error());
	case -ENOENT:
		return mvctl_fail(MVCTL_EXIT_NOTFOUND,
				  "run: vGPU %s is gone (%s): see 'mvgpuctl list'",
				  v->i.uuid, mvgpu_last_error());
	default:
		return mvctl_fail(MVCTL_EXIT_FAIL, "run: cannot open vGPU %s: %s",
				  v->i.uuid, mvgpu_last_error());
	}
}

/* faulty: "OUT_OF_RANGE 3, UNMAPPED 3, ..." into buf */
static char *mvctl_run_fmt_fault_codes(char *buf, size_t len,
				       const struct mvctl_run *r)
{
	size_t off = 0;
	unsigned int c;

	buf[0] = '\0';
	for (c = 1; c < MVCTL_RUN_FAULT_CODES && off < len; c++)
		if (r->fault_codes[c])
			off += snprintf(buf + off, len - off, "%s%s %llu",
					off ? ", " : "", mvgpu_fault_name(c),
					(unsigned long long)r->fault_codes[c]);
	return buf;
}

static void mvctl_run_summary(const struct mvctl_run *r,
			      const struct mvctl_vgpu *v, unsigned int wl,
			      uint64_t elapsed_ns, const struct mvgpu_stats *s0,
			      const struct mvgpu_stats *s1, bool interrupted)
{
	const char *workload = mvctl_workloads[wl];
	bool faulty = wl == MVCTL_WL_FAULTY;
	double secs = elapsed_ns / 1e9;
	uint64_t commands = s1->commands - s0->commands;
	/* for faulty, faults are what it is for; only mismatches are errors */
	uint64_t errors = r->mismatches + (faulty ? 0 : r->faults);
	char b[32], rate[32], codes[160];
	struct mvctl_json j;
	unsigned int c;

	if (secs <= 0)
		secs = 1e-9;
	if (mvctl_opts.json) {
		mvctl_json_init(&j, stdout, true);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_str(&j, "uuid", v->i.uuid);
		mvctl_json_str(&j, "type", v->i.type);
		mvctl_json_str(&j, "gpu", v->i.gpu);
		mvctl_json_str(&j, "workload", workload);
		mvctl_json_double(&j, "seconds", secs, 3);
		mvctl_json_u64(&j, "operations", r->ops);
		mvctl_json_u64(&j, "gemm_operations", r->gemms);
		mvctl_json_u64(&j, "copy_operations", r->copies);
		mvctl_json_u64(&j, "bytes", r->bytes);
		mvctl_json_u64(&j, "commands", commands);
		mvctl_json_u64(&j, "busy_ns", s1->busy_ns - s0->busy_ns);
		mvctl_json_double(&j, "operations_per_s", r->ops / secs, 1);
		mvctl_json_double(&j, "bytes_per_s", r->bytes / secs, 0);
		mvctl_json_u64(&j, "mismatches", r->mismatches);
		mvctl_json_u64(&j, "faults", r->faults);
		if (faulty) {
			mvctl_json_obj_begin(&j, "fault_codes");
			for (c = 1; c < MVCTL_RUN_FAULT_CODES; c++)
				if (r->fault_codes[c])
					mvctl_json_u64(&j, mvgpu_fault_name(c),
						       r->fault_codes[c]);
			mvctl_json_obj_end(&j);
		}
		mvctl_json_u64(&j, "errors", errors);
		mvctl_json_bool(&j, "interrupted", interrupted);
		mvctl_json_bool(&j, "ok", !errors && !r->fatal);
		mvctl_json_obj_end(&j);
		mvctl_json_end(&j);
		return;
	}
	printf("run: %s on %s (%s on %s), %.2f s%s\n", workload, v->i.uuid,
	       v->i.type, v->i.gpu, secs, interrupted ? " (interrupted)" : "");
	if (faulty)
		printf("  operations   %llu (%.1f/s: bad commands, each followed by a reset and a check)\n",
		       (unsigned long long)r->ops, r->ops / secs);
	else if (wl == MVCTL_WL_DMA)
		printf("  operations   %llu (%.1f/s: DMA host memory to VRAM and back)\n",
		       (unsigned long long)r->ops, r->ops / secs);
	else if (wl == MVCTL_WL_FILL)
		printf("  operations   %llu (%.1f/s: batches of %u fills of %u MiB)\n",
		       (unsigned long long)r->ops, r->ops / secs,
		       WL_FILL_CMDS, WL_FILL_SIZE >> 20);
	else
		printf("  operations   %llu (%.1f/s: %llu gemm, %llu copy)\n",
		       (unsigned long long)r->ops, r->ops / secs,
		       (unsigned long long)r->gemms,
		       (unsigned long long)r->copies);
	printf("  commands     %llu completed by the vGPU\n",
	       (unsigned long long)commands);
	printf("  bytes        %s (%s)\n", mvctl_fmt_bytes(b, sizeof(b), r->bytes),
	       mvctl_fmt_byte_rate(rate, sizeof(rate), r->bytes / secs));
	printf("  engine time  %s\n", mvctl_fmt_ns(b, sizeof(b),
						   s1->busy_ns - s0->busy_ns));
	if (faulty) {
		printf("  faults       %llu, each reset (%s)\n",
		       (unsigned long long)r->faults,
		       r->faults ? mvctl_run_fmt_fault_codes(codes, sizeof(codes), r) :
		       "none");
		printf("  errors       %llu (bad commands that did not fault as expected, or a failed check after a reset)\n",
		       (unsigned long long)errors);
	} else {
		printf("  errors       %llu (%llu mismatches, %llu faults)\n",
		       (unsigned long long)errors,
		       (unsigned long long)r->mismatches,
		       (unsigned long long)r->faults);
	}
	if (r->fatal)
		printf("result: FAILED, the run could not go on (see above)\n");
	else if (errors)
		printf("result: FAILED, %llu operations went wrong (see above)\n",
		       (unsigned long long)errors);
	else if (faulty)
		printf("result: PASSED, every bad command faulted as expected and the vGPU worked again after each reset\n");
	else if (wl == MVCTL_WL_FILL)
		printf("result: PASSED, every sampled word held its fill pattern\n");
	else if (wl == MVCTL_WL_DMA)
		printf("result: PASSED, every byte arrived intact both ways\n");
	else
		printf("result: PASSED, every result matched the CPU reference\n");
}

struct mvctl_run_args {
	const char *workload;
	const char *seconds;
	bool inject_fault;
};

static int mvctl_run_opt(int opt, const char *arg, void *ctx)
{
	struct mvctl_run_args *a = ctx;

	switch (opt) {
	case 'w':
		a->workload = arg;
		return MVCTL_EXIT_OK;
	case 's':
		a->seconds = arg;
		return MVCTL_EXIT_OK;
	case 'F':
		a->inject_fault = true;
		return MVCTL_EXIT_OK;
	default:
		return MVCTL_EXIT_USAGE;
	}
}

int mvctl_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workload", required_argument, NULL, 'w' },
		{ "seconds", required_argument, NULL, 's' },
		{ "inject-fault", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvctl_run_args a = { NULL, NULL, false };
	struct mvgpu_stats s0, s1;
	struct mvctl_run r;
	struct mvctl_vgpu *v, gv;
	struct mvctl_sys sys;
	struct sigaction sa;
	uint64_t ms, now;
	unsigned int wl;
	bool interrupted, vanished;
	const char *uuid;
	int ret, first;

	ret = mvctl_getopt("run", argc, argv, "", opts, mvctl_run_opt, &a,
			   &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	uuid = first < argc ? argv[first] : getenv(MVGPU_UUID_ENV);
	if (!uuid)
		return mvctl_usage_fail("run", "run: which vGPU? Give its UUID, or inside a VM its PCI address or /dev/mvgpu node ('mvgpuctl list' shows them), or set %s",
					MVGPU_UUID_ENV);
	if (first + 1 < argc)
		return mvctl_usage_fail("run", "run: unexpected argument '%s'",
					argv[first + 1]);
	if (!a.workload)
		return mvctl_usage_fail("run", "run: say which workload with --workload gemm, copy, mixed, fill, dma or faulty");
	for (wl = 0; wl < MVCTL_WL_COUNT; wl++)
		if (!strcmp(a.workload, mvctl_workloads[wl]))
			break;
	if (wl == MVCTL_WL_COUNT)
		return mvctl_usage_fail("run", "run: unknown workload '%s': use gemm, copy, mixed, fill, dma or faulty",
					a.workload);
	if (wl == MVCTL_WL_FAULTY && a.inject_fault)
		return mvctl_usage_fail("run", "run: --inject-fault is for the other workloads; faulty faults all the time");
	if (!a.seconds)
		return mvctl_usage_fail("run", "run: say for how long with --seconds S (e.g. 10 or 0.5)");
	if (mvctl_parse_milli(a.seconds, &ms) || ms < 1 || ms > 3600000)
		return mvctl_usage_fail("run", "run: --seconds must be a duration in 0.001..3600, not '%s'",
					a.seconds);

	memset(&sys, 0, sizeof(sys));
	if (mvctl_guest_device(uuid)) {
		/* inside a VM: the guest driver's vGPU, no host sysfs */
		memset(&gv, 0, sizeof(gv));
		snprintf(gv.i.uuid, sizeof(gv.i.uuid), "%s", uuid);
		snprintf(gv.i.gpu, sizeof(gv.i.gpu), "guest");
		v = &gv;
	} else {
		ret = mvctl_sys_load(&sys, 0);
		if (ret)
			return ret;
		ret = mvctl_lookup_vgpu(&sys, uuid, &v);
		if (ret)
			goto out;
	}

	memset(&r, 0, sizeof(r));
	r.rng = mvctl_run_now_ns() | 1;
	ret = mvgpu_open(v->i.uuid, &r.g);
	if (ret) {
		ret = mvctl_run_open_error(ret, v);
		goto out;
	}
	ret = mvctl_run_setup(&r);
	if (ret)
		goto out_run;
	if (wl == MVCTL_WL_FAULTY) {
		struct mvgpu_info info;

		if (mvgpu_get_info(r.g, &info)) {
			ret = mvctl_fail(MVCTL_EXIT_FAIL, "run: cannot read the vGPU's info: %s",
					 mvgpu_last_error());
			goto out_run;
		}
		r.vram_size = info.vram_size;
	}
	if (v == &gv) {
		struct mvgpu_info info;

		if (!mvgpu_get_info(r.g, &info))
			snprintf(gv.i.type, sizeof(gv.i.type), "%s", info.type);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mvctl_run_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	memset(&s0, 0, sizeof(s0));
	if (mvgpu_get_stats(r.g, &s0))
		memset(&s0, 0, sizeof(s0));
	r.progress = !mvctl_opts.json && isatty(STDERR_FILENO);
	r.faults_expected = wl == MVCTL_WL_FAULTY;
	r.start = mvctl_run_now_ns();
	r.end = r.start + ms * 1000000ULL;
	r.next_progress = r.start;
	if (a.inject_fault)
		mvctl_run_inject_fault(&r);
	if (wl == MVCTL_WL_FILL)
		mvctl_run_fill(&r);	/* its own loop: batches in flight */
	while (wl != MVCTL_WL_FILL && !r.fatal && !mvctl_run_stop) {
		now = mvctl_run_now_ns();
		if (now >= r.end)
			break;
		mvctl_run_progress(&r, now);
		if (wl == MVCTL_WL_FAULTY)
			mvctl_run_faulty(&r);
		else if (wl == MVCTL_WL_DMA)
			mvctl_run_dma(&r);
		else if (wl == MVCTL_WL_GEMM ||
			 (wl == MVCTL_WL_MIXED && (mvctl_rand(&r) & 1)))
			mvctl_run_gemm(&r);
		else
			mvctl_run_copy(&r);
	}
	now = mvctl_run_now_ns();
	interrupted = mvctl_run_stop != 0;
	if (r.progress)
		fputs("\r\033[K", stderr);
	s1 = s0;
	vanished = mvgpu_get_stats(r.g, &s1) != 0;
	if (vanished) {
		s1 = s0;
		mvctl_warn("run: vGPU %s was removed during the run: its counters went with it, so commands and engine time below are not its own (its final meter: 'mvgpuctl usage')",
			   v->i.uuid);
	}
	mvctl_run_summary(&r, v, wl, now - r.start, &s0, &s1, interrupted);
	if (vanished)
		ret = MVCTL_EXIT_NOTFOUND;
	else if (r.fatal)
		ret = MVCTL_EXIT_FAIL;
	else if (r.mismatches || (r.faults && wl != MVCTL_WL_FAULTY))
		ret = MVCTL_EXIT_VERIFY;
	else
		ret = MVCTL_EXIT_OK;
out_run:
	mvctl_run_teardown(&r);
out:
	mvctl_sys_free(&sys);
	return ret;
}
