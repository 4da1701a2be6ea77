// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scheduler benchmark, run inside the sandbox VM (bench/run): everything
 * is a ratio of things measured side by side in one run.
 *
 *   mediation efficiency  aggregate throughput of 4 vGPUs sharing one
 *                         engine / throughput of 1 vGPU alone on it
 *                         (what time slicing and context switches cost;
 *                         target >= 0.95)
 *   fairness error        weights 1:2:3:4 under best_effort: the largest
 *                         gap between a vGPU's share of engine time and
 *                         its weight's share, in percentage points
 *
 * Alone and together alternate over several rounds so that drifts in the
 * host's speed fall on both sides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvgpu_test.h"

#define ROUNDS		3
#define WINDOW_MS	3000

static char uuid[4][MT_UUID_LEN];
static struct mt_tenant t[4];

static double window_rate(unsigned int first, unsigned int n)
{
	uint64_t b0 = 0, b1 = 0, t0, t1;
	unsigned int i;

	usleep(500 * 1000);
	t0 = mt_now_ns();
	for (i = first; i < first + n; i++)
		b0 += t[i].st->bytes;
	usleep(WINDOW_MS * 1000);
	t1 = mt_now_ns();
	for (i = first; i < first + n; i++)
		b1 += t[i].st->bytes;
	return (b1 - b0) / ((t1 - t0) / 1e9);
}

static int start_tenants(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		if (mt_tenant_start(&t[i], uuid[i], MT_WL_FILL))
			return -1;
		mt_tenant_go(&t[i]);
	}
	return 0;
}

static int stop_tenants(unsigned int n)
{
	unsigned int i;
	int errors = 0;

	for (i = 0; i < n; i++) {
		if (mt_tenant_stop(&t[i]) || t[i].st->errors)
			errors++;
		mt_tenant_free(&t[i]);
	}
	return errors;
}

int main(void)
{
	double alone = 0, together = 0, share[4], err = 0, total = 0;
	uint64_t busy0[4], busy1[4], engines = 0;
	const char *weights[4] = { "1", "2", "3", "4" };
	unsigned int round, i;
	int errors = 0;

	mt_read_u64(MT_CLASS "/mvgpu0/engines", &engines);
	mt_writef("best_effort", MT_CLASS "/mvgpu0/scheduler");
	for (i = 0; i < 4; i++)
		if (mt_create_new(0, 4, uuid[i])) {
			fprintf(stderr, "cannot create vGPU %u\n", i);
			return 1;
		}

	printf("mvgpu scheduler benchmark: engines=%llu, best_effort, FILL batches of 16 MiB\n",
	       (unsigned long long)engines);
	for (round = 0; round < ROUNDS; round++) {
		double a, b;

		if (start_tenants(1))
			return 1;
		a = window_rate(0, 1);
		errors += stop_tenants(1);
		if (start_tenants(4))
			return 1;
		b = window_rate(0, 4);
		errors += stop_tenants(4);
		printf("  round %u: alone %7.1f MiB/s, four together %7.1f MiB/s\n",
		       round + 1, a / 1048576, b / 1048576);
		alone += a;
		together += b;
	}

	for (i = 0; i < 4; i++)
		mt_vgpu_set(uuid[i], "weight", weights[i]);
	if (start_tenants(4))
		return 1;
	sleep(1);
	for (i = 0; i < 4; i++)
		mt_vgpu_stat(uuid[i], "busy_ns", &busy0[i]);
	sleep(6);
	for (i = 0; i < 4; i++) {
		mt_vgpu_stat(uuid[i], "busy_ns", &busy1[i]);
		total += busy1[i] - busy0[i];
	}
	errors += stop_tenants(4);
	for (i = 0; i < 4; i++) {
		double want = (i + 1) / 10.0, gap;

		share[i] = (busy1[i] - busy0[i]) / total;
		gap = share[i] > want ? share[i] - want : want - share[i];
		err = gap > err ? gap : err;
	}
	for (i = 0; i < 4; i++)
		mt_remove(uuid[i]);

	printf("\n  one vGPU alone          %8.1f MiB/s\n", alone / ROUNDS / 1048576);
	printf("  four vGPUs together     %8.1f MiB/s aggregate\n",
	       together / ROUNDS / 1048576);
	printf("  mediation efficiency    %8.3f  (together / alone; target >= 0.95)\n",
	       together / alone);
	printf("  fairness, weights 1:2:3:4: shares %.3f %.3f %.3f %.3f\n",
	       share[0], share[1], share[2], share[3]);
	printf("  fairness error          %8.2f  percentage points (largest gap)\n",
	       err * 100);
	if (errors)
		printf("  %d tenants saw wrong results\n", errors);
	return errors ? 1 : 0;
}
