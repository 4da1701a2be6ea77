// SPDX-License-Identifier: MIT
/*
 * Faults and reset.  A fault stops the vGPU's context: nothing runs until
 * a reset.  mvgpu_reset() uses the BAR0 RESET register, which stops the
 * engine and returns the registers to their reset values but leaves PCI
 * config space and the VRAM (and so the CPU mappings of buffers) alone,
 * then programs the page table and the ring again.
 *
 * Submissions that were not known complete when the reset happened are
 * recorded as lost: waiting on their fences gives -EIO.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libmvgpu_int.h"

int mvgpu_get_fault(struct mvgpu *g, struct mvgpu_fault *fault)
{
	struct mvgpu_fault f = { 0 };
	uint32_t status;
	int ret;

	if (!g)
		return mvgpu__bad_handle("mvgpu_get_fault");
	if (!fault)
		return mvgpu__err(-EINVAL, "mvgpu_get_fault: fault is NULL");
	pthread_mutex_lock(&g->lock);
	ret = mvgpu__reg_read32(g, MVGPU_REG_STATUS, &status);
	if (!ret && (status & MVGPU_STATUS_FAULTED))
		ret = mvgpu__fault_read(g, &f);
	if (ret)
		ret = mvgpu__err(ret, "mvgpu_get_fault: cannot read the fault registers: %s",
				 strerror(-ret));
	else
		*fault = f;
	pthread_mutex_unlock(&g->lock);
	return ret;
}

/* Room for one more lost range, before anything changes */
static int lost_reserve(struct mvgpu *g)
{
	struct mvgpu_lost *l;
	size_t cap;

	if (g->nr_lost < g->lost_cap)
		return 0;
	cap = g->lost_cap ? g->lost_cap * 2 : 8;
	l = realloc(g->lost, cap * sizeof(*l));
	if (!l)
		return -ENOMEM;
	g->lost = l;
	g->lost_cap = cap;
	return 0;
}

int mvgpu_reset(struct mvgpu *g, struct mvgpu_fault *fault)
{
	struct mvgpu_fault f = { 0 };
	uint32_t status;
	int ret;

	if (!g)
		return mvgpu__bad_handle("mvgpu_reset");
	pthread_mutex_lock(&g->lock);
	if (lost_reserve(g)) {
		ret = mvgpu__err(-ENOMEM, "mvgpu_reset: out of memory");
		goto unlock;
	}
	ret = mvgpu__reg_read32(g, MVGPU_REG_STATUS, &status);
	if (!ret && (status & MVGPU_STATUS_FAULTED))
		ret = mvgpu__fault_read(g, &f);
	if (!ret)
		ret = mvgpu__update_completed(g);
	if (ret) {
		ret = mvgpu__err(ret, "mvgpu_reset: cannot read the vGPU's state: %s",
				 strerror(-ret));
		goto unlock;
	}
	ret = mvgpu__reg_write32(g, MVGPU_REG_RESET, MVGPU_RESET_MAGIC);
	if (ret) {
		ret = mvgpu__err(ret, "mvgpu_reset: the RESET register refused the reset: %s",
				 strerror(-ret));
		goto unlock;
	}

	/* the device forgot the ring: what was in flight is dropped */
	if (g->if_count) {
		g->lost[g->nr_lost].first = g->completed + 1;
		g->lost[g->nr_lost].last = g->seq;
		g->nr_lost++;
	}
	g->if_first = 0;
	g->if_count = 0;
	g->causes = 0;

	ret = mvgpu__hw_setup(g);
	if (ret) {
		char why[256];

		snprintf(why, sizeof(why), "%s", mvgpu_last_error());
		ret = mvgpu__err(ret, "mvgpu_reset: the vGPU was reset but could not be set up again (%s): close and reopen it",
				 why);
	}
	mvgpu__wake_waiters(g);
	if (!ret && fault)
		*fault = f;
unlock:
	pthread_mutex_unlock(&g->lock);
	return ret;
}
