// SPDX-License-Identifier: GPL-2.0-only
/*
 * One vGPU, measured through libmvgpu from wherever this runs: the same
 * program runs in the sandbox VM on a vGPU by UUID (host userspace, VFIO)
 * and inside the nested guest on the same vGPU by PCI address (the guest
 * driver); bench/guest_run puts the two side by side as ratios.
 *
 *   guest_bench DEVICE SECONDS
 *
 * Prints "key value" lines:
 *   fill_mib_s   FILL throughput, batches of 16 x 1 MiB, 2 in flight
 *   gemm_ops_s   GEMM throughput, batches of 8 x 64x64x64, 2 in flight
 *   rtt_p50_us, rtt_p99_us   NOP + FENCE submitted, its interrupt waited for
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libmvgpu.h"

#define FILL_CMDS	16
#define FILL_BYTES	(1u << 20)
#define GEMM_CMDS	8
#define GEMM_DIM	64
#define RTT_SAMPLES	300

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "guest_bench: %s: %s\n", what, mvgpu_last_error());
	exit(1);
}

/* Submit b again and again for ns, two in flight; batches completed */
static uint64_t pump(struct mvgpu *g, struct mvgpu_batch *b, uint64_t ns)
{
	uint64_t end = now_ns() + ns, prev = 0, fence, n = 0;

	while (now_ns() < end) {
		if (mvgpu_submit(g, b, &fence))
			die("submit");
		if (prev && mvgpu_fence_wait(g, prev, 60000))
			die("fence wait");
		if (prev)
			n++;
		prev = fence;
	}
	if (prev && mvgpu_fence_wait(g, prev, 60000))
		die("fence wait");
	return n + (prev ? 1 : 0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct mvgpu_bo *buf, *ma, *mb, *mc;
	static uint64_t rtt[RTT_SAMPLES];
	struct mvgpu_batch *b;
	uint64_t ns, t0, n, fence;
	struct mvgpu *g;
	unsigned int i;

	if (argc != 3) {
		fprintf(stderr, "usage: guest_bench DEVICE SECONDS\n");
		return 2;
	}
	ns = (uint64_t)(atof(argv[2]) * 1e9);
	if (mvgpu_open(argv[1], &g))
		die("open");
	if (mvgpu_batch_new(g, &b) ||
	    mvgpu_bo_alloc(g, FILL_BYTES, 0, &buf) ||
	    mvgpu_bo_alloc(g, GEMM_DIM * GEMM_DIM * 4, 0, &ma) ||
	    mvgpu_bo_alloc(g, GEMM_DIM * GEMM_DIM * 4, 0, &mb) ||
	    mvgpu_bo_alloc(g, GEMM_DIM * GEMM_DIM * 4, 0, &mc))
		die("setup");

	for (i = 0; i < FILL_CMDS; i++)
		if (mvgpu_cmd_fill(b, mvgpu_bo_va(buf), FILL_BYTES, i))
			die("fill");
	t0 = now_ns();
	n = pump(g, b, ns);
	printf("fill_mib_s %.1f\n",
	       n * FILL_CMDS * (FILL_BYTES >> 20) / ((now_ns() - t0) / 1e9));

	mvgpu_batch_reset(b);
	for (i = 0; i < GEMM_CMDS; i++)
		if (mvgpu_cmd_gemm_i32(b, mvgpu_bo_va(mc), mvgpu_bo_va(ma),
				       mvgpu_bo_va(mb), GEMM_DIM, GEMM_DIM,
				       GEMM_DIM))
			die("gemm");
	t0 = now_ns();
	n = pump(g, b, ns);
	printf("gemm_ops_s %.1f\n", n * GEMM_CMDS / ((now_ns() - t0) / 1e9));

	mvgpu_batch_reset(b);
	if (mvgpu_cmd_nop(b))
		die("nop");
	for (i = 0; i < RTT_SAMPLES; i++) {
		t0 = now_ns();
		if (mvgpu_submit(g, b, &fence) ||
		    mvgpu_fence_wait(g, fence, 60000))
			die("round trip");
		rtt[i] = now_ns() - t0;
	}
	qsort(rtt, RTT_SAMPLES, sizeof(rtt[0]), cmp_u64);
	printf("rtt_p50_us %.1f\n", rtt[RTT_SAMPLES / 2] / 1e3);
	printf("rtt_p99_us %.1f\n", rtt[RTT_SAMPLES * 99 / 100] / 1e3);

	mvgpu_batch_free(b);
	mvgpu_close(&g);
	return 0;
}
