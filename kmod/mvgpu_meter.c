// SPDX-License-Identifier: GPL-2.0-only
/*
 * Metering: what each vGPU has used, for billing, and the final meters of
 * removed vGPUs until a consumer has read and acknowledged them.
 *
 * A live vGPU's meter is computed on read from its monotonic counters
 * (engine and DMA time from the scheduler entity, commands, faults and DMA
 * bytes from its context) and the VRAM it has held since creation.  At
 * removal, after the client has closed it and nothing runs any more, the
 * meter is frozen into a record in its GPU's ring (the format is in
 * include/mvgpu_uapi.h, "Metering").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sysfs.h>

#include "mvgpu.h"

/* the longest record line: "seq=" and 6 counters of 20 digits, uuid, type */
#define MVGPU_METER_LINE_MAX	288

void mvgpu_meter_init(struct mvgpu_gpu *gpu)
{
	spin_lock_init(&gpu->meter.lock);
	gpu->meter.next_seq = 1;
}

const char *const mvgpu_meter_names[MVGPU_NUM_METERS] = MVGPU_METER_NAMES;

void mvgpu_meter_read(struct mvgpu_vgpu *vgpu, u64 v[MVGPU_NUM_METERS])
{
	u64 held = ktime_get_ns() - vgpu->created_ns;
	struct mvgpu_sched_stats st;

	mvgpu_sched_read_entity(&vgpu->gpu->sched, &vgpu->se, &st);
	v[MVGPU_METER_ENGINE_NS] = st.busy_ns - st.dma_ns;
	v[MVGPU_METER_DMA_NS] = st.dma_ns;
	v[MVGPU_METER_DMA_BYTES] = READ_ONCE(vgpu->ctx.dma_bytes);
	v[MVGPU_METER_COMMANDS] = READ_ONCE(vgpu->ctx.commands);
	v[MVGPU_METER_FAULTS] = READ_ONCE(vgpu->ctx.faults);
	v[MVGPU_METER_VRAM_BYTE_S] =
		mul_u64_u64_div_u64(vgpu->ctx.vram_size, held, NSEC_PER_SEC);
}

/*
 * Freeze the meter of a vGPU being removed into its GPU's ring.  Called
 * once the vGPU has been torn down: its counters no longer move.
 */
void mvgpu_meter_retire(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_meter *m = &vgpu->gpu->meter;
	struct mvgpu_meter_record *r;
	u64 v[MVGPU_NUM_METERS];
	bool dropped = false;

	mvgpu_meter_read(vgpu, v);
	spin_lock(&m->lock);
	if (m->count == MVGPU_METER_RECORDS) {
		m->first = (m->first + 1) % MVGPU_METER_RECORDS;
		m->count--;
		m->dropped++;
		dropped = true;
	}
	r = &m->rec[(m->first + m->count) % MVGPU_METER_RECORDS];
	m->count++;
	r->seq = m->next_seq++;
	snprintf(r->uuid, sizeof(r->uuid), "%s", dev_name(vgpu->dev));
	snprintf(r->type, sizeof(r->type), "%s", vgpu->type->sysfs_name);
	memcpy(r->v, v, sizeof(r->v));
	spin_unlock(&m->lock);
	if (dropped)
		dev_warn_ratelimited(&vgpu->gpu->dev,
				     "usage: more than %u unacknowledged records, the oldest was dropped\n",
				     MVGPU_METER_RECORDS);
}

/* The oldest records, as many whole lines as fit in the page */
ssize_t mvgpu_meter_show(struct mvgpu_gpu *gpu, char *buf)
{
	struct mvgpu_meter *m = &gpu->meter;
	ssize_t len = 0;
	unsigned int i, k;

	spin_lock(&m->lock);
	for (i = 0; i < m->count; i++) {
		const struct mvgpu_meter_record *r =
			&m->rec[(m->first + i) % MVGPU_METER_RECORDS];

		if (len + MVGPU_METER_LINE_MAX > PAGE_SIZE)
			break;
		len += sysfs_emit_at(buf, len, "seq=%llu uuid=%s type=%s%s",
				     r->seq, r->uuid, MVGPU_TYPE_PREFIX,
				     r->type);
		for (k = 0; k < MVGPU_NUM_METERS; k++)
			len += sysfs_emit_at(buf, len, " %s=%llu",
					     mvgpu_meter_names[k],
					     r->v[k]);
		len += sysfs_emit_at(buf, len, "\n");
	}
	spin_unlock(&m->lock);
	return len;
}

/* Drop the records up to and including seq */
void mvgpu_meter_ack(struct mvgpu_gpu *gpu, u64 seq)
{
	struct mvgpu_meter *m = &gpu->meter;

	spin_lock(&m->lock);
	while (m->count && m->rec[m->first].seq <= seq) {
		m->first = (m->first + 1) % MVGPU_METER_RECORDS;
		m->count--;
	}
	spin_unlock(&m->lock);
}

u64 mvgpu_meter_dropped(struct mvgpu_gpu *gpu)
{
	u64 v;

	spin_lock(&gpu->meter.lock);
	v = gpu->meter.dropped;
	spin_unlock(&gpu->meter.lock);
	return v;
}
