// SPDX-License-Identifier: GPL-2.0-only
/*
 * A GPU with several engines (the default, 2): saturated vGPUs run on the
 * engines in parallel, a vGPU never runs on two engines at once, and the
 * per-engine busy time and utilisation the GPU reports add up.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mvgpu_test.h"

static char uuid[3][MT_UUID_LEN];
static struct mt_tenant t[3];

static int cleanup(void **state)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		mt_tenant_free(&t[i]);
	memset(t, 0, sizeof(t));
	mt_remove_all();
	return 0;
}

static void engine_busy(uint64_t busy[2])
{
	char buf[128];
	unsigned long long a = 0, b = 0;

	assert_int_equal(mt_read_str(MT_CLASS "/mvgpu0/engine_busy_ns", buf,
				     sizeof(buf)), 0);
	assert_int_equal(sscanf(buf, "%llu %llu", &a, &b), 2);
	busy[0] = a;
	busy[1] = b;
}

static void run_tenants(unsigned int n, double util[3], double eng[2],
			unsigned int *util_pct)
{
	uint64_t b0[3], b1[3], e0[2], e1[2], w0, w1;
	char buf[64];
	unsigned int i, u0 = 0, u1 = 0;

	for (i = 0; i < n; i++) {
		assert_int_equal(mt_create_new(0, 4, uuid[i]), 0);
		assert_int_equal(mt_tenant_start(&t[i], uuid[i], MT_WL_FILL), 0);
	}
	for (i = 0; i < n; i++)
		mt_tenant_go(&t[i]);
	sleep(2);
	w0 = mt_now_ns();
	engine_busy(e0);
	for (i = 0; i < n; i++)
		assert_int_equal(mt_vgpu_stat(uuid[i], "busy_ns", &b0[i]), 0);
	sleep(4);
	w1 = mt_now_ns();
	engine_busy(e1);
	for (i = 0; i < n; i++)
		assert_int_equal(mt_vgpu_stat(uuid[i], "busy_ns", &b1[i]), 0);
	assert_int_equal(mt_read_str(MT_CLASS "/mvgpu0/engine_utilization", buf,
				     sizeof(buf)), 0);
	assert_int_equal(sscanf(buf, "%u %u", &u0, &u1), 2);
	util_pct[0] = u0;
	util_pct[1] = u1;
	for (i = 0; i < n; i++) {
		assert_int_equal(mt_tenant_stop(&t[i]), 0);
		assert_int_equal(t[i].st->errors, 0);
		util[i] = (double)(b1[i] - b0[i]) / (w1 - w0);
		print_message("vGPU %u: %.3f of an engine\n", i, util[i]);
	}
	for (i = 0; i < 2; i++) {
		eng[i] = (double)(e1[i] - e0[i]) / (w1 - w0);
		print_message("engine %u: busy %.3f, utilisation %u%%\n", i,
			      eng[i], util_pct[i]);
	}
}

static void test_two_vgpus_run_in_parallel(void **state)
{
	double util[3], eng[2];
	unsigned int pct[2];

	run_tenants(2, util, eng, pct);
	/*
	 * Each had an engine to itself, and never more than one: sharing one
	 * engine they could not both pass half of it.
	 */
	assert_true(util[0] > 0.7 && util[0] <= 1.01);
	assert_true(util[1] > 0.7 && util[1] <= 1.01);
	assert_true(eng[0] > 0.7 && eng[1] > 0.7);
	assert_true(pct[0] >= 60 && pct[1] >= 60);
}

static void test_three_vgpus_share_two_engines(void **state)
{
	double util[3], eng[2], sum;
	unsigned int i, pct[2];

	run_tenants(3, util, eng, pct);
	sum = util[0] + util[1] + util[2];
	/* the engines' busy time is the vGPUs' busy time */
	assert_true(sum > (eng[0] + eng[1]) - 0.02 &&
		    sum < (eng[0] + eng[1]) + 0.02);
	for (i = 0; i < 3; i++) {
		double share = util[i] / sum;

		if (share < 1.0 / 3 - 0.03 || share > 1.0 / 3 + 0.03)
			fail_msg("vGPU %u: %.3f of the engine time, want 1/3", i,
				 share);
		assert_true(util[i] <= 1.01);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_two_vgpus_run_in_parallel, cleanup),
		cmocka_unit_test_teardown(test_three_vgpus_share_two_engines,
					  cleanup),
	};

	return MT_RUN("engines", tests, NULL, NULL);
}
