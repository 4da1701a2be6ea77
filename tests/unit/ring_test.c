// SPDX-License-Identifier: MIT
/*
 * Page table, ring, submission, fences and reset (lib/paging.c, ring.c,
 * fence.c, fault.c) against the fake GPU of fake_gpu.h, whose engine the
 * test steps by hand: the bytes in the ring, the doorbell, ring-full and
 * too-big batches (nothing submitted), wrap-around, completion by ring
 * position, waits that time out or wake (also two threads at once),
 * interrupt handling, faults and reset with lost fences.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit.h"
#include "fake_gpu.h"

#define VRAM		(4ull << 20)
#define PT_OFF		(VRAM - VRAM / 4096 * 8)
#define RING_OFF	(PT_OFF - LIBMVGPU_RING_BYTES)
#define SLOTS		(LIBMVGPU_RING_BYTES / 64)

struct fixture {
	struct fake_gpu fk;
	struct mvgpu *g;
	struct mvgpu_batch *b;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.g = fake_open(&f.fk, VRAM);
	if (!f.g || mvgpu_batch_new(f.g, &f.b))
		return -1;
	/*
	 * No periodic re-check: a waiter here wakes only when it is woken,
	 * so a lost wake-up shows as a waiter timing out (after a minute)
	 */
	f.g->poll_slice_ms = 600000;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fake_close(&f->fk, &f->g);
	return 0;
}

#define assert_ok(call) do {						\
	int __r = (call);						\
	if (__r)							\
		fail_why("%s = %d: %s", #call, __r, mvgpu_last_error()); \
} while (0)

/* the device steps under the handle's lock, as if atomic to the library */
static unsigned int step(struct fixture *f, unsigned int n)
{
	unsigned int ran;

	pthread_mutex_lock(&f->g->lock);
	ran = fake_step(f->g, n);
	pthread_mutex_unlock(&f->g->lock);
	return ran;
}

static void ring_cmd(struct fixture *f, uint32_t slot, struct mvgpu_cmd *c)
{
	mvgpu__cmd_decode(f->fk.vram + RING_OFF + slot * 64, c);
}

static void test_layout(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_info info;
	uint32_t i;

	assert_int_equal(fake_reg(&f->fk, MVGPU_REG_PT_BASE), PT_OFF);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_PT_ENTRIES), VRAM / 4096);
	assert_int_equal(fake_reg(&f->fk, MVGPU_REG_RING_BASE), RING_OFF);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_RING_SIZE),
			 LIBMVGPU_RING_BYTES);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_INT_MASK), 0);
	assert_int_equal(RING_OFF % 4096, 0);

	/* every PTE: page 0 and the table unmapped, the ring read-only */
	for (i = 0; i < VRAM / 4096; i++) {
		uint64_t pte, off = (uint64_t)i * 4096, want;

		memcpy(&pte, f->fk.vram + PT_OFF + i * 8, 8);
		if (i == 0 || off >= PT_OFF)
			want = 0;
		else if (off >= RING_OFF)
			want = off | MVGPU_PTE_VALID;
		else
			want = off | MVGPU_PTE_VALID | MVGPU_PTE_WRITE;
		if (pte != want)
			fail_why("PTE %u = 0x%llx, want 0x%llx", i,
				 (unsigned long long)pte,
				 (unsigned long long)want);
	}

	assert_ok(mvgpu_get_info(f->g, &info));
	assert_int_equal(info.vram_size, VRAM);
	assert_int_equal(info.vram_free,
			 VRAM - 4096 - LIBMVGPU_RING_BYTES - VRAM / 512);
	assert_string_equal(info.type, "mvgpu-4");
	assert_int_equal(info.divisor, 4);
	assert_int_equal(LIBMVGPU_BATCH_MAX_CMDS, SLOTS - 2);
}

static void test_submit(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_cmd c;
	uint64_t fence = 0, done = 9;
	uint32_t w;
	uint8_t want[64];

	assert_ok(mvgpu_cmd_fill(f->b, 0x2000, 64, 0x12345678));
	assert_ok(mvgpu_cmd_nop(f->b));
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_int_equal(fence, 1);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_RING_TAIL), 3 * 64);

	/* the batch's bytes at slots 0 and 1, exactly as encoded */
	mvgpu__cmd_encode(&f->b->cmds[0], want);
	assert_memory_equal(f->fk.vram + RING_OFF, want, 64);
	mvgpu__cmd_encode(&f->b->cmds[1], want);
	assert_memory_equal(f->fk.vram + RING_OFF + 64, want, 64);
	/* then a FENCE with the IRQ flag and the fence's value */
	ring_cmd(f, 2, &c);
	assert_int_equal(c.opcode, MVGPU_OP_FENCE);
	assert_int_equal(c.flags, MVGPU_CMD_F_IRQ);
	assert_int_equal(c.value, 1);
	assert_int_equal(c.dst | c.src | c.size | c.aux | c.m | c.n | c.k |
			 c.reserved, 0);

	assert_int_equal(mvgpu_fence_done(f->g, fence), 0);
	assert_int_equal(step(f, 2), 2);
	assert_int_equal(mvgpu_fence_done(f->g, fence), 0);	/* fence left */
	assert_ok(mvgpu_fence_completed(f->g, &done));
	assert_int_equal(done, 0);
	assert_int_equal(step(f, 5), 1);
	assert_int_equal(mvgpu_fence_done(f->g, fence), 1);
	assert_ok(mvgpu_fence_wait(f->g, fence, 0));
	assert_ok(mvgpu_fence_completed(f->g, &done));
	assert_int_equal(done, 1);
	memcpy(&w, f->fk.vram + 0x2000 + 60, 4);
	assert_int_equal(w, 0x12345678);

	/* the batch is reusable: same commands, next fence */
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_int_equal(fence, 2);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_RING_TAIL), 6 * 64);
	/* an empty batch is just a fence */
	mvgpu_batch_reset(f->b);
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_int_equal(fence, 3);
	assert_int_equal(step(f, 100), 4);
	assert_int_equal(mvgpu_fence_done(f->g, 3), 1);
}

static void test_ring_full(void **state)
{
	struct fixture *f = *state;
	uint64_t fence, regs_before;
	unsigned int i, n;

	for (i = 0; i < 100; i++)
		assert_ok(mvgpu_cmd_nop(f->b));
	/* 10 batches of 101 slots: 1010 of the 1023 usable */
	for (i = 0; i < 10; i++) {
		assert_ok(mvgpu_submit(f->g, f->b, &fence));
		assert_int_equal(fence, i + 1);
	}
	regs_before = f->fk.reg_writes;
	assert_int_equal(mvgpu_submit(f->g, f->b, &fence), -EAGAIN);
	assert_non_null(strstr(mvgpu_last_error(), "room for 13"));
	assert_int_equal(fence, 10);
	/* refused before the doorbell: no register written, tail as it was */
	assert_int_equal(f->fk.reg_writes, regs_before);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_RING_TAIL), 1010 * 64);
	assert_int_equal(f->g->seq, 10);

	/* 12 commands and the fence fill the ring exactly */
	mvgpu_batch_reset(f->b);
	for (i = 0; i < 12; i++)
		assert_ok(mvgpu_cmd_nop(f->b));
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_int_equal(fence, 11);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_RING_TAIL),
			 (1023 * 64) % LIBMVGPU_RING_BYTES);
	mvgpu_batch_reset(f->b);
	assert_int_equal(mvgpu_submit(f->g, f->b, &fence), -EAGAIN);

	/* the engine runs one batch: room for one fence... per slot */
	assert_int_equal(step(f, 101), 101);
	assert_int_equal(mvgpu_fence_done(f->g, 1), 1);
	assert_int_equal(mvgpu_fence_done(f->g, 2), 0);
	for (n = 0; n < 101; n++)
		assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_int_equal(fence, 11 + 101);
	assert_int_equal(mvgpu_submit(f->g, f->b, &fence), -EAGAIN);

	/* these wrapped around: slot 1023, then 0, 1, ... */
	{
		struct mvgpu_cmd c;

		ring_cmd(f, 1023, &c);
		assert_int_equal(c.opcode, MVGPU_OP_FENCE);
		assert_int_equal(c.value, 12);
		ring_cmd(f, 0, &c);
		assert_int_equal(c.value, 13);
		ring_cmd(f, 99, &c);
		assert_int_equal(c.value, 112);
	}
	/* everything runs, in order, across the wrap */
	assert_int_equal(step(f, 5000), 1023);
	assert_ok(mvgpu_fence_completed(f->g, &fence));
	assert_int_equal(fence, 112);
	assert_int_equal(f->fk.last_cmd.value, 112);
}

static void test_too_big(void **state)
{
	struct fixture *f = *state;
	uint64_t fence = 5;
	unsigned int i;

	for (i = 0; i < LIBMVGPU_BATCH_MAX_CMDS + 1; i++)
		assert_ok(mvgpu_cmd_nop(f->b));
	assert_int_equal(mvgpu_submit(f->g, f->b, &fence), -E2BIG);
	assert_non_null(strstr(mvgpu_last_error(), "never fit"));
	assert_int_equal(fence, 5);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_RING_TAIL), 0);
	/* one less fits an empty ring, and can never be -EAGAIN'd forever */
	f->b->len--;
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_int_equal(fence, 1);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_RING_TAIL),
			 (SLOTS - 1) * 64);
	assert_int_equal(step(f, SLOTS), SLOTS - 1);
	assert_int_equal(mvgpu_fence_done(f->g, 1), 1);
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_int_equal(step(f, SLOTS), SLOTS - 1);
	assert_int_equal(mvgpu_fence_done(f->g, 2), 1);
}

/* a doorbell the device refuses: nothing changed */
static void test_doorbell_refused(void **state)
{
	struct fixture *f = *state;
	uint64_t fence = 0;

	assert_ok(mvgpu_cmd_nop(f->b));
	f->fk.fail_reg = MVGPU_REG_RING_TAIL;
	assert_int_equal(mvgpu_submit(f->g, f->b, &fence), -EIO);
	assert_non_null(strstr(mvgpu_last_error(), "RING_TAIL"));
	assert_int_equal(f->g->seq, 0);
	assert_int_equal(f->g->tail, 0);
	assert_int_equal(f->g->if_count, 0);
	f->fk.fail_reg = -1;
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_int_equal(fence, 1);
	assert_int_equal(step(f, 10), 2);
	assert_int_equal(mvgpu_fence_done(f->g, 1), 1);
}

/* the FENCE register is not trusted: user fences write it too */
static void test_completion_by_ring_position(void **state)
{
	struct fixture *f = *state;
	uint64_t fence, done;

	assert_ok(mvgpu_cmd_fence_write(f->b, 0x3000, 1000000));
	assert_ok(mvgpu_cmd_nop(f->b));
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_int_equal(step(f, 1), 1);	/* the user fence ran */
	assert_int_equal(fake_reg(&f->fk, MVGPU_REG_FENCE), 1000000);
	assert_int_equal(mvgpu_fence_done(f->g, fence), 0);
	assert_int_equal(step(f, 2), 2);
	assert_int_equal(mvgpu_fence_done(f->g, fence), 1);
	assert_ok(mvgpu_fence_completed(f->g, &done));
	assert_int_equal(done, 1);
	memcpy(&done, f->fk.vram + 0x3000, 8);
	assert_int_equal(done, 1000000);
}

static void test_wait_timeout(void **state)
{
	struct fixture *f = *state;
	uint64_t fence;

	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_int_equal(mvgpu_fence_wait(f->g, fence, 0), -ETIMEDOUT);
	assert_non_null(strstr(mvgpu_last_error(), "did not complete within 0 ms"));
	assert_int_equal(mvgpu_fence_wait(f->g, fence, 30), -ETIMEDOUT);
	assert_int_equal(f->g->waiters, 0);
	assert_false(f->g->polling);
	assert_int_equal(step(f, 1), 1);
	assert_ok(mvgpu_fence_wait(f->g, fence, 0));
}

struct waiter {
	struct mvgpu *g;
	uint64_t fence;
	int ret;
};

static void *waiter_thread(void *arg)
{
	struct waiter *w = arg;

	w->ret = mvgpu_fence_wait(w->g, w->fence, -1);
	return NULL;
}

/*
 * Join a waiter that must have been woken.  If it was not, a watchdog
 * (a minute: the wake-up is immediate when it works) wakes it by hand so
 * the test fails instead of hanging.
 */
static void join_waiter(struct fixture *f, pthread_t t, struct waiter *w)
{
	struct timespec ts;
	int ret;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 60;
	ret = pthread_timedjoin_np(t, NULL, &ts);
	if (ret == ETIMEDOUT) {
		pthread_mutex_lock(&f->g->lock);
		mvgpu__process_events(f->g);
		pthread_cond_broadcast(&f->g->cond);
		fake_signal(f->g);
		pthread_mutex_unlock(&f->g->lock);
		pthread_join(t, NULL);
		fail_why("the waiter on fence %llu was never woken",
			 (unsigned long long)w->fence);
	}
	assert_int_equal(ret, 0);
}

static void wait_for_waiters(struct fixture *f, unsigned int n)
{
	for (;;) {
		unsigned int w;

		pthread_mutex_lock(&f->g->lock);
		w = f->g->waiters;
		pthread_mutex_unlock(&f->g->lock);
		if (w == n)
			return;
		usleep(1000);
	}
}

/* until a waiter sleeps in poll() on the eventfd */
static void wait_for_polling(struct fixture *f)
{
	for (;;) {
		bool polling;

		pthread_mutex_lock(&f->g->lock);
		polling = f->g->polling;
		pthread_mutex_unlock(&f->g->lock);
		if (polling)
			return;
		usleep(1000);
	}
}

/* two threads sleep on different fences; each wakes when its completes */
static void test_two_waiters(void **state)
{
	struct fixture *f = *state;
	struct waiter w[2];
	pthread_t t[2];
	int i;

	for (i = 0; i < 2; i++) {
		w[i].g = f->g;
		w[i].ret = 1;
		assert_ok(mvgpu_submit(f->g, f->b, &w[i].fence));
	}
	/* the waiter on the later fence starts first */
	assert_int_equal(pthread_create(&t[1], NULL, waiter_thread, &w[1]), 0);
	wait_for_waiters(f, 1);
	assert_int_equal(pthread_create(&t[0], NULL, waiter_thread, &w[0]), 0);
	wait_for_waiters(f, 2);

	assert_int_equal(step(f, 1), 1);	/* fence 1 */
	join_waiter(f, t[0], &w[0]);
	assert_int_equal(w[0].ret, 0);
	wait_for_waiters(f, 1);			/* the other still waits */
	assert_int_equal(step(f, 1), 1);	/* fence 2 */
	join_waiter(f, t[1], &w[1]);
	assert_int_equal(w[1].ret, 0);
	assert_int_equal(f->g->waiters, 0);
}

/* a waiter wakes when mvgpu_handle_events() consumed its interrupt */
static void test_waiter_and_event_loop(void **state)
{
	struct fixture *f = *state;
	struct waiter w = { .g = f->g, .ret = 1 };
	pthread_t t;

	assert_ok(mvgpu_submit(f->g, f->b, &w.fence));
	assert_int_equal(pthread_create(&t, NULL, waiter_thread, &w), 0);
	wait_for_polling(f);
	/* the engine completes it and someone else handles the event */
	pthread_mutex_lock(&f->g->lock);
	assert_int_equal(fake_step(f->g, 1), 1);
	{
		uint64_t cnt;	/* steal the eventfd's count */

		assert_int_equal(read(f->g->event_fd, &cnt, 8), 8);
	}
	pthread_mutex_unlock(&f->g->lock);
	assert_int_equal(mvgpu_handle_events(f->g), MVGPU_INT_FENCE);
	join_waiter(f, t, &w);
	assert_int_equal(w.ret, 0);
}

static void test_handle_events(void **state)
{
	struct fixture *f = *state;
	struct pollfd p = { .fd = mvgpu_event_fd(f->g), .events = POLLIN };
	uint64_t fence;

	assert_true(p.fd >= 0);
	assert_int_equal(mvgpu_handle_events(f->g), 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_int_equal(step(f, 1), 1);
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_int_equal(mvgpu_handle_events(f->g), MVGPU_INT_FENCE);
	/* acked on the device, the eventfd drained, and reported once */
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_INT_STATUS), 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_int_equal(mvgpu_handle_events(f->g), 0);
	assert_int_equal(mvgpu_fence_done(f->g, fence), 1);

	/* causes a waiter acked are still reported afterwards */
	{
		struct waiter w = { .g = f->g, .ret = 1 };
		pthread_t t;

		assert_ok(mvgpu_submit(f->g, f->b, &w.fence));
		fake_set_reg(&f->fk, MVGPU_REG_INT_STATUS, MVGPU_INT_SOFTWARE, 4);
		assert_int_equal(pthread_create(&t, NULL, waiter_thread, &w), 0);
		wait_for_polling(f);
		assert_int_equal(step(f, 1), 1);
		join_waiter(f, t, &w);
		assert_int_equal(w.ret, 0);
		assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_INT_STATUS), 0);
	}
	assert_int_equal(mvgpu_handle_events(f->g),
			 MVGPU_INT_FENCE | MVGPU_INT_SOFTWARE);
	assert_int_equal(mvgpu_handle_events(f->g), 0);
}

static void test_fault_and_reset(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_fault ft;
	uint64_t f1, f2, f3, f4, done;
	uint32_t w;

	/* fence 1 completes; fence 2's batch faults; fence 3 waits behind */
	assert_ok(mvgpu_cmd_fill(f->b, 0x1000, 8, 0xaaaaaaaa));
	assert_ok(mvgpu_submit(f->g, f->b, &f1));
	mvgpu_batch_reset(f->b);
	assert_ok(mvgpu_cmd_fill(f->b, 0, 4, 0xbbbbbbbb));
	assert_ok(mvgpu_submit(f->g, f->b, &f2));
	mvgpu_batch_reset(f->b);
	assert_ok(mvgpu_submit(f->g, f->b, &f3));
	assert_int_equal(step(f, 10), 2);

	assert_int_equal(mvgpu_fence_wait(f->g, f2, -1), -EIO);
	assert_non_null(strstr(mvgpu_last_error(), "UNMAPPED"));
	assert_int_equal(mvgpu_fence_wait(f->g, f3, 1000), -EIO);
	assert_int_equal(mvgpu_fence_done(f->g, f1), 1);
	assert_int_equal(mvgpu_fence_done(f->g, f2), -EIO);
	assert_int_equal(mvgpu_submit(f->g, f->b, &f4), -EIO);
	assert_ok(mvgpu_get_fault(f->g, &ft));
	assert_int_equal(ft.code, MVGPU_FAULT_UNMAPPED);
	assert_int_equal(ft.addr, 0);
	assert_true(ft.write);
	assert_int_equal(ft.head, 2 * 64);
	assert_int_equal(mvgpu_handle_events(f->g),
			 MVGPU_INT_FENCE | MVGPU_INT_FAULT);

	/* a PTE gone bad in VRAM is put right by the reset */
	memset(f->fk.vram + PT_OFF + 8, 0, 8);
	memset(&ft, 0, sizeof(ft));
	assert_ok(mvgpu_reset(f->g, &ft));
	assert_int_equal(ft.code, MVGPU_FAULT_UNMAPPED);
	assert_int_equal(ft.head, 2 * 64);
	assert_ok(mvgpu_get_fault(f->g, &ft));
	assert_int_equal(ft.code, 0);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_STATUS), 0);
	assert_int_equal(fake_reg(&f->fk, MVGPU_REG_RING_BASE), RING_OFF);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_RING_SIZE),
			 LIBMVGPU_RING_BYTES);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_PT_ENTRIES), VRAM / 4096);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_INT_MASK), 0);
	{
		uint64_t pte;

		memcpy(&pte, f->fk.vram + PT_OFF + 8, 8);
		assert_int_equal(pte, 0x1000 | 3);
	}

	/* dropped fences stay failed; old ones stay done; numbering goes on */
	assert_int_equal(mvgpu_fence_wait(f->g, f2, 0), -EIO);
	assert_non_null(strstr(mvgpu_last_error(), "dropped"));
	assert_int_equal(mvgpu_fence_done(f->g, f3), -EIO);
	assert_int_equal(mvgpu_fence_done(f->g, f1), 1);
	assert_ok(mvgpu_fence_completed(f->g, &done));
	assert_int_equal(done, f1);
	assert_ok(mvgpu_cmd_fill(f->b, 0x1004, 4, 0xcccccccc));
	assert_ok(mvgpu_submit(f->g, f->b, &f4));
	assert_int_equal(f4, f3 + 1);
	assert_int_equal(fake_reg32(&f->fk, MVGPU_REG_RING_TAIL), 2 * 64);
	assert_int_equal(step(f, 10), 2);
	assert_ok(mvgpu_fence_wait(f->g, f4, 0));
	assert_ok(mvgpu_fence_completed(f->g, &done));
	assert_int_equal(done, f4);
	assert_int_equal(mvgpu_fence_done(f->g, f3), -EIO);
	memcpy(&w, f->fk.vram + 0x1000, 4);
	assert_int_equal(w, 0xaaaaaaaa);	/* from before the fault */
	memcpy(&w, f->fk.vram + 0x1004, 4);
	assert_int_equal(w, 0xcccccccc);

	/* a second reset with nothing in flight loses nothing */
	assert_ok(mvgpu_reset(f->g, NULL));
	assert_int_equal(f->g->nr_lost, 1);
	assert_int_equal(mvgpu_fence_done(f->g, f4), 1);
}

/* a reset that cannot read the device changes nothing */
static void test_reset_refused(void **state)
{
	struct fixture *f = *state;
	uint64_t fence;

	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	f->fk.fail_reg = MVGPU_REG_RESET;
	assert_int_equal(mvgpu_reset(f->g, NULL), -EIO);
	assert_int_equal(f->g->if_count, 1);
	assert_int_equal(f->g->nr_lost, 0);
	f->fk.fail_reg = -1;
	assert_int_equal(step(f, 1), 1);
	assert_int_equal(mvgpu_fence_done(f->g, fence), 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_layout),
		T(test_submit),
		T(test_ring_full),
		T(test_too_big),
		T(test_doorbell_refused),
		T(test_completion_by_ring_position),
		T(test_wait_timeout),
		T(test_two_waiters),
		T(test_waiter_and_event_loop),
		T(test_handle_events),
		T(test_fault_and_reset),
		T(test_reset_refused),
	};
#undef T

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
