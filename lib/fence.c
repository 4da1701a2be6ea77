// SPDX-License-Identifier: MIT
/*
 * Fences and interrupts.
 *
 * Completion: each submission ends with a FENCE command carrying the next
 * sequence number and the IRQ flag.  A submission is complete once
 * RING_HEAD has moved past its fence slot (the device moves head only when
 * a command is done, results first).  The FENCE register holds the same
 * value after it ran, but a batch's own mvgpu_cmd_fence_write() commands
 * set that register too, so the ring position is what tells completion.
 *
 * Interrupts: MSI signals g->event_fd; whoever consumes it (a waiter or
 * mvgpu_handle_events()) acks INT_STATUS, remembers the causes for
 * mvgpu_handle_events(), retires completed submissions and wakes the
 * other waiters.
 *
 * Waiting: one waiter at a time sleeps in poll() on the eventfd, without
 * the handle's lock; the others sleep on g->cond.  After every wake-up the
 * poller processes the events and broadcasts, so every waiter re-checks
 * its own fence, and the next one takes over polling when the poller
 * leaves.  mvgpu_handle_events() kicks the eventfd when a waiter polls,
 * since it may have consumed the interrupt the waiter sleeps for.  As a
 * last resort (a program reading the eventfd itself), the poll is cut
 * into slices of g->poll_slice_ms (MVGPU_POLL_SLICE_MS) after which the
 * waiter re-checks anyway.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libmvgpu_int.h"


static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mvgpu__fault_read(struct mvgpu *g, struct mvgpu_fault *f)
{
	uint32_t status = 0, head = 0;
	uint64_t addr = 0;
	int ret;

	memset(f, 0, sizeof(*f));
	ret = mvgpu__reg_read32(g, MVGPU_REG_FAULT_STATUS, &status);
	if (!ret)
		ret = mvgpu__reg_read32(g, MVGPU_REG_FAULT_HEAD, &head);
	if (!ret)
		ret = mvgpu__reg_read64(g, MVGPU_REG_FAULT_ADDR, &addr);
	if (ret)
		return ret;
	f->code = status & MVGPU_FAULT_CODE_MASK;
	f->write = status & MVGPU_FAULT_WRITE;
	f->head = head;
	f->addr = addr;
	return 0;
}

/* Retire the submissions RING_HEAD has passed.  Lock held. */
int mvgpu__update_completed(struct mvgpu *g)
{
	uint32_t head, inflight_bytes;
	int ret;

	if (!g->if_count)
		return 0;
	ret = mvgpu__reg_read32(g, MVGPU_REG_RING_HEAD, &head);
	if (ret)
		return mvgpu__err(ret, "cannot read RING_HEAD: %s", strerror(-ret));
	inflight_bytes = (g->tail - head) & (g->ring_size - 1);
	while (g->if_count) {
		const struct mvgpu_inflight *e = &g->inflight[g->if_first];
		uint32_t dist = (e->slot - head) & (g->ring_size - 1);

		if (dist < inflight_bytes)
			break;		/* its fence is still between head and tail */
		g->completed = e->fence;
		g->if_first = (g->if_first + 1) % g->if_cap;
		g->if_count--;
	}
	return 0;
}

/* Drain the eventfd, ack the causes, retire completions.  Lock held. */
int mvgpu__process_events(struct mvgpu *g)
{
	uint64_t count;
	uint32_t status;
	int ret;

	if (read(g->event_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return mvgpu__err(-errno, "cannot read the interrupt eventfd: %s",
				  strerror(errno));
	if (g->ops->irq_causes) {
		/* a kernel driver acked them already */
		ret = g->ops->irq_causes(g, &status);
	} else {
		ret = mvgpu__reg_read32(g, MVGPU_REG_INT_STATUS, &status);
		if (!ret && status)
			ret = mvgpu__reg_write32(g, MVGPU_REG_INT_ACK, status);
	}
	if (ret)
		return mvgpu__err(ret, "cannot read or ack INT_STATUS: %s",
				  strerror(-ret));
	g->causes |= status;
	return mvgpu__update_completed(g);
}

/* Everyone waiting re-checks; a poller is woken through the eventfd */
void mvgpu__wake_waiters(struct mvgpu *g)
{
	uint64_t one = 1;

	pthread_cond_broadcast(&g->cond);
	if (g->polling && write(g->event_fd, &one, sizeof(one)) < 0) {
		/* the counter is full: the poller is awake anyway */
	}
}

static bool fence_lost(const struct mvgpu *g, uint64_t fence)
{
	size_t i;

	for (i = 0; i < g->nr_lost; i++)
		if (fence >= g->lost[i].first && fence <= g->lost[i].last)
			return true;
	return false;
}

/* 1 done, 0 not yet, or a negative errno.  Lock held. */
static int fence_check(struct mvgpu *g, uint64_t fence, const char *fn)
{
	uint32_t status;
	int ret;

	if (fence > g->seq)
		return mvgpu__err(-EINVAL,
				  "%s: fence %" PRIu64 " was never submitted (the last is %" PRIu64 "): use the value mvgpu_submit() returned",
				  fn, fence, g->seq);
	if (!fence)
		return 1;
	if (fence_lost(g, fence))
		return mvgpu__err(-EIO,
				  "%s: fence %" PRIu64 " never completed: mvgpu_reset() dropped its work; submit it again",
				  fn, fence);
	if (fence <= g->completed)
		return 1;
	ret = mvgpu__update_completed(g);
	if (ret)
		return ret;
	if (fence <= g->completed)
		return 1;
	ret = mvgpu__reg_read32(g, MVGPU_REG_STATUS, &status);
	if (ret)
		return mvgpu__err(ret, "%s: cannot read STATUS: %s", fn,
				  strerror(-ret));
	if (status & MVGPU_STATUS_FAULTED) {
		struct mvgpu_fault f;

		mvgpu__fault_read(g, &f);
		return mvgpu__err(-EIO,
				  "%s: the vGPU faulted before fence %" PRIu64 " completed: %s%s at 0x%" PRIx64 " (ring offset 0x%x); see mvgpu_get_fault(), recover with mvgpu_reset()",
				  fn, fence, mvgpu_fault_name(f.code),
				  f.write ? " (write)" : "", f.addr, f.head);
	}
	return 0;
}

int mvgpu_fence_wait(struct mvgpu *g, uint64_t fence, int timeout_ms)
{
	static const char fn[] = "mvgpu_fence_wait";
	uint64_t deadline = 0;
	int ret;

	if (!g)
		return mvgpu__bad_handle(fn);
	if (timeout_ms < -1)
		return mvgpu__err(-EINVAL,
				  "%s: timeout %d ms: want -1 (forever) or a value >= 0",
				  fn, timeout_ms);
	if (timeout_ms >= 0)
		deadline = now_ms() + (uint64_t)timeout_ms;

	pthread_mutex_lock(&g->lock);
	g->waiters++;
	while (!(ret = fence_check(g, fence, fn))) {
		uint64_t now = now_ms();
		int slice = g->poll_slice_ms;

		if (timeout_ms >= 0) {
			if (now >= deadline) {
				ret = mvgpu__err(-ETIMEDOUT,
						 "%s: fence %" PRIu64 " did not complete within %d ms (last completed: %" PRIu64 ")",
						 fn, fence, timeout_ms,
						 g->completed);
				break;
			}
			if (deadline - now < (uint64_t)slice)
				slice = deadline - now;
		}

		if (!g->polling) {
			struct pollfd p = { .fd = g->event_fd, .events = POLLIN };

			g->polling = true;
			pthread_mutex_unlock(&g->lock);
			poll(&p, 1, slice);
			pthread_mutex_lock(&g->lock);
			g->polling = false;
			ret = mvgpu__process_events(g);
			pthread_cond_broadcast(&g->cond);
			if (ret)
				break;
		} else {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += slice / 1000;
			ts.tv_nsec += (long)(slice % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&g->cond, &g->lock, &ts);
		}
	}
	g->waiters--;
	pthread_mutex_unlock(&g->lock);
	return ret < 0 ? ret : 0;
}

int mvgpu_fence_done(struct mvgpu *g, uint64_t fence)
{
	int ret;

	if (!g)
		return mvgpu__bad_handle("mvgpu_fence_done");
	pthread_mutex_lock(&g->lock);
	ret = fence_check(g, fence, "mvgpu_fence_done");
	pthread_mutex_unlock(&g->lock);
	return ret;
}

int mvgpu_fence_completed(struct mvgpu *g, uint64_t *fence)
{
	int ret;

	if (!g)
		return mvgpu__bad_handle("mvgpu_fence_completed");
	if (!fence)
		return mvgpu__err(-EINVAL, "mvgpu_fence_completed: fence is NULL");
	pthread_mutex_lock(&g->lock);
	ret = mvgpu__update_completed(g);
	if (!ret)
		*fence = g->completed;
	pthread_mutex_unlock(&g->lock);
	return ret;
}

int mvgpu_event_fd(struct mvgpu *g)
{
	if (!g)
		return mvgpu__bad_handle("mvgpu_event_fd");
	return g->event_fd;
}

int mvgpu_handle_events(struct mvgpu *g)
{
	int ret;

	if (!g)
		return mvgpu__bad_handle("mvgpu_handle_events");
	pthread_mutex_lock(&g->lock);
	ret = mvgpu__process_events(g);
	if (!ret) {
		ret = g->causes;
		g->causes = 0;
	}
	mvgpu__wake_waiters(g);
	pthread_mutex_unlock(&g->lock);
	return ret;
}
