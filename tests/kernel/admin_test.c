// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmvgpu's management half against real vGPUs: enumeration matches
 * sysfs, create with placement and the exact capacity check, knobs and
 * policy all or nothing, statistics by UUID of a vGPU another process
 * holds open (equal to what that process reads through its handle), a
 * program built against an older, shorter struct, and metering across
 * removal: the record a removed vGPU leaves equals its last live meter
 * plus what it did after (the tail), and records beyond the ring are
 * counted as dropped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "libmvgpu_admin.h"
#include "mvgpu_test.h"

#define fail_why(...) do {						\
	printf("# ");							\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
	fail();								\
} while (0)

/* got == expected, else the expression, both values, errno, last error */
#define check_eq(got, expected) do {					\
	long long _g = (long long)(got), _e = (long long)(expected);	\
	if (_g != _e)							\
		fail_why("%s:%d: %s == %s: got %lld, expected %lld (errno %d; last error: %s)", \
			 __FILE__, __LINE__, #got, #expected, _g, _e,	\
			 errno, mvgpu_last_error());			\
} while (0)

#define check_true(cond) do {						\
	if (!(cond))							\
		fail_why("%s:%d: %s is false (errno %d; last error: %s)", \
			 __FILE__, __LINE__, #cond, errno,		\
			 mvgpu_last_error());				\
} while (0)

#define WAIT_MS		120000

struct fixture {
	struct mvgpu_admin *a;
};

static int setup(void **state)
{
	static struct fixture f;

	mt_remove_all();
	if (mvgpu_admin_open(NULL, &f.a)) {
		printf("# mvgpu_admin_open: %s\n", mvgpu_last_error());
		return -1;
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mvgpu_admin_close(&f->a);
	return mt_remove_all();
}

static void create(struct mvgpu_admin *a, const char *type, const char *gpu,
		   char uuid[MVGPU_UUID_LEN])
{
	struct mvgpu_create c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.type = type;
	c.gpu = gpu;
	check_eq(mvgpu_admin_create(a, &c), 0);
	memcpy(uuid, c.out_uuid, MVGPU_UUID_LEN);
}

static void test_enumerate_matches_sysfs(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_gpu_info g = { .size = sizeof(g) };
	struct mvgpu_type_info t = { .size = sizeof(t) };
	struct mvgpu_vgpu_info v = { .size = sizeof(v) };
	char uuid[MVGPU_UUID_LEN];
	uint64_t x;
	unsigned int k;

	create(f->a, "mvgpu-4", "mvgpu0", uuid);
	check_eq(mvgpu_admin_gpu(f->a, 0, &g), 0);
	check_eq(strcmp(g.name, "mvgpu0"), 0);
	check_eq(mt_read_u64(MT_CLASS "/mvgpu0/vram_free", &x), 0);
	check_eq(g.vram_free, x);
	check_eq(g.nvgpus, 1);
	for (k = 0; k < g.ntypes; k++) {
		check_eq(mvgpu_admin_type(f->a, 0, k, &t), 0);
		check_eq(mt_readf_u64(&x, MT_MDEV_BUS "/mvgpu0/mdev_supported_types/%s/mvgpu/vram_size",
				      t.name), 0);
		check_eq(t.vram_size, x);
		check_eq(t.vram_size, g.vram_size / t.divisor);
		check_eq(t.share_permille, 1000 / t.divisor);
		check_eq(t.slices, 8 / t.divisor);
		check_eq(mt_readf_u64(&x, MT_MDEV_BUS "/mvgpu0/mdev_supported_types/%s/available_instances",
				      t.name), 0);
		check_eq(t.available, x);
	}
	check_true(mvgpu_admin_find_vgpu(f->a, uuid, &v) >= 0);
	check_eq(strcmp(v.type, "mvgpu-4"), 0);
	check_eq(strcmp(v.state, "closed"), 0);
	check_eq(v.vram_size, g.vram_size / 4);
}

/* Exact capacity: mvgpu-2 twice fills a GPU, the third is -ENOSPC */
static void test_capacity(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_create c;
	char u1[MVGPU_UUID_LEN], u2[MVGPU_UUID_LEN];

	create(f->a, "2", "0", u1);
	create(f->a, "1/2", "mvgpu0", u2);
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.type = "mvgpu-8";
	c.gpu = "mvgpu0";
	check_eq(mvgpu_admin_create(f->a, &c), -ENOSPC);
	check_eq(c.out_gpu_vram_free, 0);
	check_eq(mvgpu_admin_remove(f->a, u1, MVGPU_REMOVE_NO_WAIT), 0);
	check_eq(mvgpu_admin_create(f->a, &c), 0);
	check_true(!mt_exists(MT_MDEV_DEVICES "/%s", u1));
	check_true(mt_exists(MT_MDEV_DEVICES "/%s", c.out_uuid));
}

static void test_knobs_and_policy(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_knobs k = { .size = sizeof(k) };
	struct mvgpu_policy p = { .size = sizeof(p) };
	char uuid[MVGPU_UUID_LEN], buf[64];

	create(f->a, "mvgpu-4", NULL, uuid);
	k.mask = MVGPU_KNOB_WEIGHT | MVGPU_KNOB_PRIORITY | MVGPU_KNOB_CAP;
	k.weight = 321;
	k.cap_pct = 40;
	strcpy(k.priority, "high");
	check_eq(mvgpu_admin_set_knobs(f->a, uuid, &k), 0);
	{
		struct mvgpu_vgpu_info v = { .size = sizeof(v) };

		check_true(mvgpu_admin_find_vgpu(f->a, uuid, &v) >= 0);
		check_eq(v.weight, 321);
		check_eq(v.cap_pct, 40);
		check_eq(strcmp(v.priority, "high"), 0);
	}
	/* the kernel has the final word: out of range is refused first */
	k.cap_pct = 101;
	check_eq(mvgpu_admin_set_knobs(f->a, uuid, &k), -ERANGE);

	p.mask = MVGPU_POLICY_SCHEDULER | MVGPU_POLICY_TIMESLICE;
	strcpy(p.scheduler, "equal_share");
	p.timeslice_us = 750;
	check_eq(mvgpu_admin_set_policy(f->a, "mvgpu0", &p), 0);
	check_eq(mt_read_str(MT_CLASS "/mvgpu0/timeslice_us", buf, sizeof(buf)),
		 0);
	check_eq(strcmp(buf, "750"), 0);
	check_eq(mt_read_str(MT_CLASS "/mvgpu0/scheduler", buf, sizeof(buf)), 0);
	check_true(strstr(buf, "[equal_share]") != NULL);
	strcpy(p.scheduler, "best_effort");
	p.timeslice_us = MVGPU_TIMESLICE_DEFAULT_US;
	check_eq(mvgpu_admin_set_policy(f->a, "0", &p), 0);
}

/* ---- a second process that holds the vGPU and works on it ---- */

struct holder {
	pid_t pid;
	int to_child;		/* write: a byte says "go on" */
	int from_child;		/* read: uint64_t command counts */
};

/* One batch of n fills (and a DMA to host if dma), then wait for it */
static int holder_work(struct mvgpu *g, struct mvgpu_bo *bo,
		       struct mvgpu_hostmem *hm, unsigned int n, bool dma)
{
	struct mvgpu_batch *b;
	uint64_t fence;
	unsigned int i;
	int ret;

	ret = mvgpu_batch_new(g, &b);
	for (i = 0; !ret && i < n; i++)
		ret = mvgpu_cmd_fill(b, mvgpu_bo_va(bo), 65536, i);
	if (!ret && dma)
		ret = mvgpu_cmd_dma_to_host(b, mvgpu_hostmem_iova(hm),
					    mvgpu_bo_va(bo), 65536);
	if (!ret)
		ret = mvgpu_submit(g, b, &fence);
	if (!ret)
		ret = mvgpu_fence_wait(g, fence, WAIT_MS);
	mvgpu_batch_free(b);
	return ret;
}

static void holder_main(const char *uuid, int in, int out, unsigned int tail)
{
	struct mvgpu_hostmem *hm = NULL;
	struct mvgpu_bo *bo = NULL;
	struct mvgpu_stats s;
	struct mvgpu *g = NULL;
	char go;

	if (mvgpu_open(uuid, &g) || mvgpu_bo_alloc(g, 65536, 0, &bo) ||
	    mvgpu_hostmem_alloc(g, 65536, &hm) ||
	    holder_work(g, bo, hm, 8, true) || mvgpu_get_stats(g, &s))
		_exit(2);
	if (write(out, &s.commands, sizeof(s.commands)) != sizeof(s.commands) ||
	    read(in, &go, 1) != 1)
		_exit(3);
	if (tail && (holder_work(g, bo, hm, tail, false) ||
		     mvgpu_get_stats(g, &s)))
		_exit(4);
	if (write(out, &s.commands, sizeof(s.commands)) != sizeof(s.commands) ||
	    read(in, &go, 1) != 1)
		_exit(5);
	mvgpu_close(&g);
	_exit(0);
}

static void holder_start(struct holder *h, const char *uuid,
			 unsigned int tail)
{
	int down[2], up[2];

	assert_int_equal(pipe(down), 0);
	assert_int_equal(pipe(up), 0);
	fflush(stdout);
	h->pid = fork();
	assert_true(h->pid >= 0);
	if (!h->pid) {
		close(down[1]);
		close(up[0]);
		holder_main(uuid, down[0], up[1], tail);
	}
	close(down[0]);
	close(up[1]);
	h->to_child = down[1];
	h->from_child = up[0];
}

static uint64_t holder_count(struct holder *h)
{
	uint64_t v = ~0ull;

	if (read(h->from_child, &v, sizeof(v)) != sizeof(v))
		fail_why("the holder process died (see its exit status)");
	return v;
}

static void holder_go(struct holder *h)
{
	check_eq(write(h->to_child, "g", 1), 1);
}

static void holder_wait(struct holder *h)
{
	int status = -1;

	waitpid(h->pid, &status, 0);
	close(h->to_child);
	close(h->from_child);
	check_eq(WIFEXITED(status) ? WEXITSTATUS(status) : 100 + status, 0);
}

static void test_stats_of_held_vgpu(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_vgpu_stats s = { .size = sizeof(s) };
	struct mvgpu_vgpu_info v = { .size = sizeof(v) };
	char uuid[MVGPU_UUID_LEN];
	struct holder h;
	uint64_t n;

	create(f->a, "mvgpu-4", NULL, uuid);
	holder_start(&h, uuid, 0);
	n = holder_count(&h);
	check_true(n >= 10);		/* 8 fills, a DMA, the fence */
	check_eq(mvgpu_admin_refresh(f->a), 0);
	check_true(mvgpu_admin_find_vgpu(f->a, uuid, &v) >= 0);
	check_eq(strcmp(v.state, "open"), 0);
	check_eq(v.owner_pid, h.pid);
	/* read from outside while the other process holds it open */
	check_eq(mvgpu_admin_stats(f->a, uuid, &s), 0);
	check_eq(s.stats.commands, n);
	check_eq(s.commands, n);		/* the meter agrees */
	check_eq(s.dma_bytes, 65536);
	check_true(s.stats.busy_ns >= s.engine_ns);
	check_eq(s.stats.busy_ns, s.engine_ns + s.dma_ns);
	check_true(s.vram_byte_s > 0);
	/* and it cannot be opened meanwhile: stats needed no open */
	{
		struct mvgpu *g = NULL;

		check_eq(mvgpu_open(uuid, &g), -EBUSY);
	}
	holder_go(&h);
	holder_count(&h);
	holder_go(&h);
	holder_wait(&h);
}

/* A program built when struct mvgpu_vgpu_stats ended at .stats */
struct old_vgpu_stats {
	uint32_t size;
	uint32_t flags;
	uint64_t timestamp_ns;
	struct mvgpu_stats stats;
};

static void test_old_struct_size(void **state)
{
	struct fixture *f = *state;
	struct {
		struct old_vgpu_stats s;
		uint64_t canary[8];
	} old;
	char uuid[MVGPU_UUID_LEN];
	unsigned int i;

	create(f->a, "mvgpu-8", NULL, uuid);
	memset(&old, 0x5a, sizeof(old));
	old.s.size = sizeof(old.s);
	/* its header declared the function with its own, shorter struct */
	check_eq(mvgpu_admin_stats(f->a, uuid,
				   (struct mvgpu_vgpu_stats *)&old.s), 0);
	check_eq(old.s.size, sizeof(old.s));
	check_eq(old.s.stats.commands, 0);
	check_true(old.s.timestamp_ns > 0);
	for (i = 0; i < 8; i++)
		check_eq(old.canary[i], 0x5a5a5a5a5a5a5a5aull);
}

/* Read and acknowledge every usage record of mvgpu0; returns how many */
static unsigned int drain_usage(struct mvgpu_admin *a, const char *uuid,
				struct mvgpu_usage_record *found)
{
	struct mvgpu_usage_record r[32];
	unsigned int total = 0, i;
	int n;

	for (;;) {
		for (i = 0; i < 32; i++)
			r[i].size = sizeof(r[i]);
		n = mvgpu_admin_usage(a, "mvgpu0", r, 32, NULL);
		check_true(n >= 0);
		if (n <= 0)
			return total;
		for (i = 0; i < (unsigned int)n; i++)
			if (uuid && found && !strcmp(r[i].uuid, uuid))
				*found = r[i];
		total += n;
		check_eq(mvgpu_admin_usage_ack(a, "mvgpu0", r[n - 1].seq), 0);
	}
}

static void test_meter_across_removal(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_vgpu_stats live = { .size = sizeof(live) };
	struct mvgpu_usage_record rec;
	char uuid[MVGPU_UUID_LEN];
	struct holder h;
	uint64_t c1, c2, t0, t1, vram = 64ull << 20;
	struct timespec ts;

	drain_usage(f->a, NULL, NULL);
	create(f->a, "mvgpu-4", "mvgpu0", uuid);
	holder_start(&h, uuid, 5);
	c1 = holder_count(&h);
	/* the last live meter, then the tail: 5 fills and a fence */
	check_eq(mvgpu_admin_stats(f->a, uuid, &live), 0);
	check_eq(live.commands, c1);
	holder_go(&h);
	c2 = holder_count(&h);
	check_eq(c2, c1 + 6);
	holder_go(&h);
	holder_wait(&h);
	t0 = live.timestamp_ns;
	check_eq(mvgpu_admin_remove(f->a, uuid, 0), 0);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t1 = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;

	memset(&rec, 0, sizeof(rec));
	check_eq(drain_usage(f->a, uuid, &rec), 1);
	check_eq(strcmp(rec.uuid, uuid), 0);
	check_eq(strcmp(rec.type, "mvgpu-4"), 0);
	check_eq(rec.commands, live.commands + (c2 - c1));
	check_eq(rec.dma_bytes, live.dma_bytes);	/* no DMA in the tail */
	check_eq(rec.dma_ns, live.dma_ns);
	check_eq(rec.faults, live.faults);
	check_true(rec.engine_ns > live.engine_ns);	/* the tail ran */
	/* VRAM held: what was live, plus at most the time since, rounded */
	check_true(rec.vram_byte_s >= live.vram_byte_s);
	check_true(rec.vram_byte_s - live.vram_byte_s <=
		   vram * ((t1 - t0) / 1000000000ull + 1));
	/* acknowledged: gone */
	check_eq(drain_usage(f->a, NULL, NULL), 0);
}

static void test_meter_ring_drops(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_gpu_info g = { .size = sizeof(g) };
	char uuid[MVGPU_UUID_LEN];
	uint64_t before, after;
	unsigned int i;

	drain_usage(f->a, NULL, NULL);
	check_eq(mt_read_u64(MT_CLASS "/mvgpu0/usage_dropped", &before), 0);
	for (i = 0; i < MVGPU_METER_RECORDS + 3; i++) {
		create(f->a, "mvgpu-8", "mvgpu0", uuid);
		check_eq(mvgpu_admin_remove(f->a, uuid, 0), 0);
	}
	check_eq(mvgpu_admin_refresh(f->a), 0);
	check_eq(mvgpu_admin_find_gpu(f->a, "mvgpu0", &g), 0);
	check_eq(g.usage_dropped, before + 3);
	check_eq(mt_read_u64(MT_CLASS "/mvgpu0/usage_dropped", &after), 0);
	check_eq(after, before + 3);
	/* the newest MVGPU_METER_RECORDS are all there, over several pages */
	check_eq(drain_usage(f->a, NULL, NULL), MVGPU_METER_RECORDS);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_enumerate_matches_sysfs),
		T(test_capacity),
		T(test_knobs_and_policy),
		T(test_stats_of_held_vgpu),
		T(test_old_struct_size),
		T(test_meter_across_removal),
		T(test_meter_ring_drops),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
