// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler, measured from the engine busy time the driver reports
 * and from the work tenants got done, with tenants running side by side
 * in one run.  Runs with engines=1 so a share is a share of "the engine".
 *
 * Shares are ratios of busy time; no test compares a duration with a
 * wall-clock threshold.  Sixteen tenants with mixed weights each get their
 * weighted share; engine threads use no CPU time while every vGPU is idle.  The high-priority test reads the driver's own
 * count of slices that started while a vGPU waited.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvgpu_test.h"

#define MAX_TENANTS	16

struct run {
	unsigned int n;
	char uuid[MAX_TENANTS][MT_UUID_LEN];
	struct mt_tenant t[MAX_TENANTS];
	uint64_t busy0[MAX_TENANTS], busy1[MAX_TENANTS];
	uint64_t bytes0[MAX_TENANTS], bytes1[MAX_TENANTS];
	uint64_t wait0[MAX_TENANTS], wait1[MAX_TENANTS];
	uint64_t wall0, wall1;
	double share[MAX_TENANTS];	/* of the busy time of all of them */
	double util[MAX_TENANTS];	/* of the wall time */
};

static struct run run;
static pid_t warmers;

static void set_policy(const char *p)
{
	assert_int_equal(mt_writef(p, MT_CLASS "/mvgpu0/scheduler"), 0);
}

static int cleanup(void **state)
{
	char slice[16];
	unsigned int i;

	for (i = 0; i < MAX_TENANTS; i++)
		mt_tenant_free(&run.t[i]);
	memset(&run, 0, sizeof(run));
	mt_cpu_warmers_stop(warmers);
	warmers = 0;
	mt_remove_all();
	mt_writef("best_effort", MT_CLASS "/mvgpu0/scheduler");
	snprintf(slice, sizeof(slice), "%d", MVGPU_TIMESLICE_DEFAULT_US);
	mt_writef(slice, MT_CLASS "/mvgpu0/timeslice_us");
	return 0;
}

static void add_vgpu(unsigned int divisor, const char *weight,
		     const char *prio)
{
	unsigned int i = run.n++;

	assert_int_equal(mt_create_new(0, divisor, run.uuid[i]), 0);
	if (weight)
		assert_int_equal(mt_vgpu_set(run.uuid[i], "weight", weight), 0);
	if (prio)
		assert_int_equal(mt_vgpu_set(run.uuid[i], "priority", prio), 0);
}

static void start(unsigned int i, enum mt_workload wl)
{
	assert_int_equal(mt_tenant_start(&run.t[i], run.uuid[i], wl), 0);
}

static void snapshot(uint64_t *busy, uint64_t *bytes, uint64_t *wall)
{
	uint64_t *wait = busy == run.busy0 ? run.wait0 : run.wait1;
	unsigned int i;

	*wall = mt_now_ns();
	for (i = 0; i < run.n; i++) {
		assert_int_equal(mt_vgpu_stat(run.uuid[i], "busy_ns", &busy[i]), 0);
		assert_int_equal(mt_vgpu_stat(run.uuid[i], "wait_ns", &wait[i]), 0);
		bytes[i] = run.t[i].st ? run.t[i].st->bytes : 0;
	}
}

/* let every started tenant go, warm up, measure for `seconds` */
static void measure(unsigned int seconds)
{
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < run.n; i++)
		if (run.t[i].st)
			mt_tenant_go(&run.t[i]);
	sleep(1);
	snapshot(run.busy0, run.bytes0, &run.wall0);
	sleep(seconds);
	snapshot(run.busy1, run.bytes1, &run.wall1);
	for (i = 0; i < run.n; i++)
		total += run.busy1[i] - run.busy0[i];
	for (i = 0; i < run.n; i++) {
		run.share[i] = total ? (double)(run.busy1[i] - run.busy0[i]) /
			       total : 0;
		run.util[i] = (double)(run.busy1[i] - run.busy0[i]) /
			      (run.wall1 - run.wall0);
		print_message("vGPU %u: share %.3f, engine %.3f, %.1f MiB/s, backlogged %.3f\n",
			      i, run.share[i], run.util[i],
			      (run.bytes1[i] - run.bytes0[i]) / 1048576.0 /
			      ((run.wall1 - run.wall0) / 1e9),
			      (double)(run.busy1[i] - run.busy0[i] +
				       run.wait1[i] - run.wait0[i]) /
			      (run.wall1 - run.wall0));
	}
}

static void stop_all(void)
{
	unsigned int i;

	for (i = 0; i < run.n; i++) {
		if (!run.t[i].st)
			continue;
		assert_int_equal(mt_tenant_stop(&run.t[i]), 0);
		if (run.t[i].st->errors)
			fail_msg("tenant %u saw %llu wrong results", i,
				 (unsigned long long)run.t[i].st->errors);
	}
}

static void expect_share(unsigned int i, double want, double tolerance)
{
	if (run.share[i] < want - tolerance || run.share[i] > want + tolerance)
		fail_msg("vGPU %u: share %.3f, want %.3f +- %.3f", i,
			 run.share[i], want, tolerance);
}

static void test_best_effort_weights_1_2_4(void **state)
{
	set_policy("best_effort");
	add_vgpu(4, "1", NULL);
	add_vgpu(4, "2", NULL);
	add_vgpu(4, "4", NULL);
	start(0, MT_WL_FILL);
	start(1, MT_WL_FILL);
	start(2, MT_WL_FILL);
	measure(6);
	stop_all();
	expect_share(0, 1.0 / 7, 0.03);
	expect_share(1, 2.0 / 7, 0.03);
	expect_share(2, 4.0 / 7, 0.03);
}

static void test_best_effort_alone_uses_the_engine(void **state)
{
	uint64_t v0, v1, b0, b1, busy, wait;
	double ratio;

	set_policy("best_effort");
	add_vgpu(4, NULL, NULL);
	add_vgpu(4, NULL, NULL);	/* idle neighbour */
	assert_int_equal(mt_vgpu_set(run.uuid[0], "weight", "4"), 0);
	start(0, MT_WL_FILL);
	assert_int_equal(mt_vgpu_stat(run.uuid[0], "vruntime_ns", &v0), 0);
	assert_int_equal(mt_vgpu_stat(run.uuid[0], "busy_ns", &b0), 0);
	measure(4);
	assert_int_equal(mt_vgpu_stat(run.uuid[0], "vruntime_ns", &v1), 0);
	assert_int_equal(mt_vgpu_stat(run.uuid[0], "busy_ns", &b1), 0);
	stop_all();
	/*
	 * Work conserving: of the time it had work, it ran.  Engine time is
	 * what its steps ran on the engine thread, so the time the thread
	 * spent switched out for the tenant process or delivering interrupts
	 * counts as neither busy nor waiting (busy/wall is "engine" above).
	 */
	busy = run.busy1[0] - run.busy0[0];
	wait = run.wait1[0] - run.wait0[0];
	if (!busy || (double)busy / (busy + wait) < 0.95)
		fail_msg("alone under best_effort: on the engine %.3f of the time it had work (busy %llu ns, waiting %llu ns), want >= 0.95",
			 busy ? (double)busy / (busy + wait) : 0.0,
			 (unsigned long long)busy, (unsigned long long)wait);
	/* virtual runtime is engine time divided by the weight */
	ratio = (double)(v1 - v0) / (b1 - b0);
	if (ratio < 0.99 / 4 || ratio > 1.01 / 4)
		fail_msg("vruntime grew %.4f x busy time, want 1/4", ratio);
}

static void test_fixed_share_alone_is_capped(void **state)
{
	set_policy("fixed_share");
	add_vgpu(4, NULL, NULL);
	start(0, MT_WL_FILL);
	measure(4);
	stop_all();
	if (run.util[0] > 0.28 || run.util[0] < 0.20)
		fail_msg("1/4 vGPU alone under fixed_share: %.3f of the engine, want 0.25 (at most 0.28)",
			 run.util[0]);
}

static void test_equal_share_ignores_weights(void **state)
{
	set_policy("equal_share");
	add_vgpu(4, "1", NULL);
	add_vgpu(4, "4", NULL);
	start(0, MT_WL_FILL);
	start(1, MT_WL_FILL);
	measure(5);
	stop_all();
	if (run.share[0] - run.share[1] > 0.03 || run.share[1] - run.share[0] > 0.03)
		fail_msg("equal_share with weights 1:4: %.3f vs %.3f",
			 run.share[0], run.share[1]);
}

static void test_cap_limits_best_effort(void **state)
{
	set_policy("best_effort");
	add_vgpu(2, NULL, NULL);
	assert_int_equal(mt_vgpu_set(run.uuid[0], "cap", "40"), 0);
	start(0, MT_WL_FILL);
	measure(4);
	stop_all();
	if (run.util[0] > 0.43 || run.util[0] < 0.35)
		fail_msg("cap 40%%: %.3f of the engine", run.util[0]);
}

/*
 * Three vGPUs of 1/8 filling and, once they have run for a second, a
 * fourth (priority @prio, NULL: normal) running 60 small jobs one at a
 * time: start_jobs() sets up and starts the fills, run_jobs() the jobs,
 * and returns when they are done.
 */
static void start_jobs(const char *prio)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		add_vgpu(8, NULL, NULL);
	add_vgpu(8, NULL, prio);
	for (i = 0; i < 3; i++)
		start(i, MT_WL_FILL);
	run.t[3].max_jobs = 60;
	start(3, MT_WL_JOBS);
	for (i = 0; i < 3; i++)
		mt_tenant_go(&run.t[i]);
	sleep(1);
}

static void run_jobs(void)
{
	mt_tenant_go(&run.t[3]);
	while (run.t[3].st->jobs < 60 && !run.t[3].st->errors)
		usleep(100 * 1000);
}

/*
 * A high-priority vGPU's jobs start before any normal vGPU begins another
 * slice: the driver counts, per vGPU, the most slices that started on the
 * GPU while it waited to run (max_wait_slices).
 */
static void test_high_priority_preempts(void **state)
{
	uint64_t high_wait = 0, high_slices = 0, preempt = 0, normal_wait = 0, v;
	uint64_t gpu_slices0 = 0, gpu_slices1 = 0, slices_sum = 0;
	unsigned int i;

	set_policy("best_effort");
	assert_int_equal(mt_readf_u64(&gpu_slices0, MT_CLASS "/mvgpu0/%s",
				      MVGPU_ATTR_SCHED_SLICES), 0);
	start_jobs("high");
	run_jobs();

	assert_int_equal(mt_vgpu_stat(run.uuid[3], "max_wait_slices", &high_wait), 0);
	assert_int_equal(mt_vgpu_stat(run.uuid[3], "slices", &high_slices), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(mt_vgpu_stat(run.uuid[i], "preemptions", &v), 0);
		preempt += v;
		assert_int_equal(mt_vgpu_stat(run.uuid[i], "max_wait_slices", &v), 0);
		normal_wait = v > normal_wait ? v : normal_wait;
	}
	stop_all();
	/* the GPU's slice count is the one max_wait_slices counts in */
	for (i = 0; i < 4; i++) {
		assert_int_equal(mt_vgpu_stat(run.uuid[i], "slices", &v), 0);
		slices_sum += v;
	}
	assert_int_equal(mt_readf_u64(&gpu_slices1, MT_CLASS "/mvgpu0/%s",
				      MVGPU_ATTR_SCHED_SLICES), 0);
	if (gpu_slices1 - gpu_slices0 != slices_sum)
		fail_msg("sched_slices grew by %llu, want the vGPUs' slices %llu",
			 (unsigned long long)(gpu_slices1 - gpu_slices0),
			 (unsigned long long)slices_sum);
	print_message("high: %llu slices, max_wait_slices %llu; normal: %llu preemptions, max_wait_slices %llu\n",
		      (unsigned long long)high_slices,
		      (unsigned long long)high_wait,
		      (unsigned long long)preempt,
		      (unsigned long long)normal_wait);
	assert_true(run.t[3].st->jobs >= 60);
	assert_true(high_slices >= 60);
	/* no normal slice started while a high-priority job waited */
	assert_int_equal(high_wait, 0);
	/* the counter does count: normal vGPUs waited through others' slices */
	assert_true(normal_wait >= 1);
	/* and high-priority work cut normal slices short */
	assert_true(preempt >= 1);
}

/*
 * A normal-priority vGPU that wakes well behind the running one cuts that
 * slice short at its next chunk boundary (wakeup preemption): next to
 * three busy neighbours, a tenant running 60 small jobs one at a time
 * wakes 60 times, at the least vruntime, and so cuts a neighbour's slice
 * at most of those wakeups.  Without it, only a high-priority vGPU cuts
 * a slice and the neighbours' preemptions stay where they were.
 */
static void test_waking_vgpu_preempts(void **state)
{
	uint64_t before = 0, after = 0, slices = 0, v;
	unsigned int i;

	set_policy("best_effort");
	start_jobs(NULL);
	for (i = 0; i < 3; i++) {
		assert_int_equal(mt_vgpu_stat(run.uuid[i], "preemptions", &v), 0);
		before += v;
	}
	run_jobs();
	for (i = 0; i < 3; i++) {
		assert_int_equal(mt_vgpu_stat(run.uuid[i], "preemptions", &v), 0);
		after += v;
	}
	assert_int_equal(mt_vgpu_stat(run.uuid[3], "slices", &slices), 0);
	stop_all();
	print_message("60 jobs in %llu slices; the neighbours' preemptions grew by %llu\n",
		      (unsigned long long)slices,
		      (unsigned long long)(after - before));
	assert_true(run.t[3].st->jobs >= 60);
	if (after - before < 30)
		fail_msg("60 wakeups of a vGPU at the least vruntime cut %llu of its busy neighbours' slices, want at least 30",
			 (unsigned long long)(after - before));
}

/*
 * A tenant faulting in a loop next to two well-behaved ones: it gets
 * faults, they keep correct results; under fixed_share their throughput
 * stays within 5% of what it is with the bad vGPU idle, under best_effort
 * each keeps its weighted share.
 *
 * Throughput is compared in alternating windows, so drifts in the host's
 * speed fall on both sides, and with every CPU kept busy at idle priority
 * in both: the software GPU's engines run faster while the CPUs around
 * them are busy, and the faulting tenant's own CPU use would otherwise
 * be measured as a change in its neighbours' throughput.
 */
static void test_faulting_neighbour_is_isolated(void **state)
{
	uint64_t idle_bytes[2] = { 0 }, bad_bytes[2] = { 0 };
	uint64_t idle_ns = 0, bad_ns = 0;
	double idle_rate[2], bad_rate[2];
	unsigned int round, i;

	warmers = mt_cpu_warmers_start();
	assert_true(warmers > 0);
	set_policy("fixed_share");
	add_vgpu(4, NULL, NULL);
	add_vgpu(4, NULL, NULL);
	add_vgpu(4, NULL, NULL);	/* the bad tenant */
	start(0, MT_WL_FILL);
	start(1, MT_WL_FILL);
	start(2, MT_WL_BAD);
	run.t[2].st->pause = 1;
	for (i = 0; i < 3; i++)
		mt_tenant_go(&run.t[i]);
	sleep(1);

	/*
	 * Alternate windows, so drifts in the host's speed cancel out.  The
	 * work done is the driver's count of bytes the engine processed for
	 * each neighbour (the tenants check every result they get back).
	 */
	for (round = 0; round < 16; round++) {
		bool bad = round & 1;
		uint64_t b0[2], b1, t0, t1;

		run.t[2].st->pause = !bad;
		usleep(200 * 1000);
		t0 = mt_now_ns();
		for (i = 0; i < 2; i++)
			assert_int_equal(mt_vgpu_stat(run.uuid[i], "bytes", &b0[i]), 0);
		usleep(1000 * 1000);
		t1 = mt_now_ns();
		for (i = 0; i < 2; i++) {
			assert_int_equal(mt_vgpu_stat(run.uuid[i], "bytes", &b1), 0);
			if (bad)
				bad_bytes[i] += b1 - b0[i];
			else
				idle_bytes[i] += b1 - b0[i];
		}
		if (bad)
			bad_ns += t1 - t0;
		else
			idle_ns += t1 - t0;
	}
	run.t[2].st->pause = 1;

	print_message("bad tenant: %llu faults\n",
		      (unsigned long long)run.t[2].st->faults);
	for (i = 0; i < 2; i++) {
		idle_rate[i] = idle_bytes[i] / (idle_ns / 1e9);
		bad_rate[i] = bad_bytes[i] / (bad_ns / 1e9);
		print_message("fixed_share neighbour %u: %.1f MiB/s with the bad vGPU idle, %.1f MiB/s next to it faulting (%+.1f%%)\n",
			      i, idle_rate[i] / 1048576, bad_rate[i] / 1048576,
			      (bad_rate[i] / idle_rate[i] - 1) * 100);
	}
	assert_true(run.t[2].st->faults >= 10);
	for (i = 0; i < 2; i++)
		if (bad_rate[i] < idle_rate[i] * 0.95 ||
		    bad_rate[i] > idle_rate[i] * 1.05)
			fail_msg("neighbour %u throughput moved %.1f%%", i,
				 (bad_rate[i] / idle_rate[i] - 1) * 100);

	/* best_effort, equal weights: each good one keeps at least 1/3 */
	set_policy("best_effort");
	run.t[2].st->pause = 0;
	sleep(1);
	snapshot(run.busy0, run.bytes0, &run.wall0);
	sleep(4);
	snapshot(run.busy1, run.bytes1, &run.wall1);
	for (i = 0; i < 2; i++) {
		double util = (double)(run.busy1[i] - run.busy0[i]) /
			      (run.wall1 - run.wall0);

		print_message("best_effort neighbour %u: %.3f of the engine\n",
			      i, util);
		if (util < 1.0 / 3 - 0.03)
			fail_msg("neighbour %u got %.3f, below its weighted share",
				 i, util);
	}
	stop_all();
}

/* 16 tenants of mvgpu-16 (the whole GPU), weights 1, 2, 3, 4 four times */
static void test_best_effort_16_tenants_mixed_weights(void **state)
{
	static const char *const weights[] = { "1", "2", "3", "4" };
	double worst = 0;
	unsigned int i;

	set_policy("best_effort");
	for (i = 0; i < 16; i++)
		add_vgpu(16, weights[i % 4], NULL);
	for (i = 0; i < 16; i++)
		start(i, MT_WL_FILL);
	measure(6);
	stop_all();
	for (i = 0; i < 16; i++) {
		double want = (i % 4 + 1) / 40.0;
		double gap = run.share[i] - want;

		if (gap < 0)
			gap = -gap;
		if (gap > worst)
			worst = gap;
	}
	print_message("16 tenants: largest gap from the weighted share %.2f points\n",
		      worst * 100);
	for (i = 0; i < 16; i++)
		expect_share(i, (i % 4 + 1) / 40.0, 0.02);
}

/* utime + stime, in clock ticks, of every mvgpu0 engine thread */
static unsigned int engine_cpu_ticks(unsigned long long *ticks,
				     unsigned int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	unsigned int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) && n < max) {
		char path[300], buf[1024], *p;
		unsigned long long ut, st;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		if (!p || !strstr(buf, "(mvgpu0-eng"))
			continue;
		/* after the comm: state, 10 fields, then utime and stime */
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				 &ut, &st) != 2)
			continue;
		ticks[n++] = ut + st;
	}
	closedir(d);
	return n;
}

/*
 * Idle engines sleep on their wait queue: with vGPUs open and idle (after
 * running work), no engine thread gets any CPU time over a quiet second.
 */
static void test_idle_engines_use_no_cpu(void **state)
{
	unsigned long long before[8], after[8];
	struct mvgpu_cmd cmd = { .opcode = MVGPU_OP_FILL, .dst = MT_DATA_OFF,
				 .size = 1 << 20, .value = 7 };
	static struct mt_dev devs[4];
	unsigned int i, n, m;

	for (i = 0; i < 4; i++) {
		assert_int_equal(mt_dev_open(&devs[i], 0, 8), 0);
		assert_int_equal(mt_dev_run(&devs[i], &cmd, 1, 20000), 0);
	}
	sleep(1);	/* let the last slice and its bookkeeping finish */
	n = engine_cpu_ticks(before, 8);
	assert_true(n >= 1);
	sleep(1);
	m = engine_cpu_ticks(after, 8);
	assert_int_equal(m, n);
	for (i = 0; i < n; i++)
		if (after[i] != before[i])
			fail_msg("engine thread %u ran while every vGPU was idle: %llu -> %llu ticks",
				 i, before[i], after[i]);
	for (i = 0; i < 4; i++)
		mt_dev_close(&devs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_best_effort_weights_1_2_4, cleanup),
		cmocka_unit_test_teardown(test_best_effort_alone_uses_the_engine,
					  cleanup),
		cmocka_unit_test_teardown(test_fixed_share_alone_is_capped, cleanup),
		cmocka_unit_test_teardown(test_equal_share_ignores_weights, cleanup),
		cmocka_unit_test_teardown(test_cap_limits_best_effort, cleanup),
		cmocka_unit_test_teardown(test_high_priority_preempts, cleanup),
		cmocka_unit_test_teardown(test_waking_vgpu_preempts, cleanup),
		cmocka_unit_test_teardown(test_faulting_neighbour_is_isolated,
					  cleanup),
		cmocka_unit_test_teardown(test_best_effort_16_tenants_mixed_weights,
					  cleanup),
		cmocka_unit_test_teardown(test_idle_engines_use_no_cpu, cleanup),
	};

	return MT_RUN("sched", tests, NULL, NULL);
}
