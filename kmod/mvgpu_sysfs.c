// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs: the operator's view and knobs.
 *
 * /sys/class/mvgpu/mvgpuN/          one physical GPU (the mdev parent)
 *   backend parent vram_size vram_free vram_releasing vram_used engines
 *                                    read-only
 *   scheduler                        rw: best_effort|equal_share|fixed_share
 *   timeslice_us                     rw: 100..100000, default 10000
 *   engine_busy_ns engine_utilization  per engine, space separated
 *   usage (ro) usage_ack (wo) usage_dropped (ro)   metering records
 *   sched_picks sched_pick_ns        picks made, ns spent in them (ro)
 *   sched_slices                     slices started on all engines (ro)
 * /sys/bus/mdev/devices/UUID/mvgpu/   one vGPU
 *   weight (rw 1..1000) priority (rw normal|high) cap (rw 0..100, 0 = none)
 *   state owner vram_size vram_used gpu
 * /sys/bus/mdev/devices/UUID/mvgpu_stats/   counters, see docs/operator.md
 * /sys/bus/mdev/devices/UUID/mvgpu_meter/   metering totals
 *
 * Every name is defined in include/mvgpu_uapi.h.
 * A refused write changes nothing and says why in dmesg.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "mvgpu.h"

/* A device attribute named by its include/mvgpu_uapi.h macro */
#define MVGPU_DEV_ATTR(_var, _name, _mode, _show, _store)		\
	static struct device_attribute dev_attr_##_var = {		\
		.attr = { .name = _name,				\
			  .mode = VERIFY_OCTAL_PERMISSIONS(_mode) },	\
		.show = _show,						\
		.store = _store,					\
	}
#define MVGPU_DEV_ATTR_RO(_var, _name)					\
	MVGPU_DEV_ATTR(_var, _name, 0444, _var##_show, NULL)
#define MVGPU_DEV_ATTR_RW(_var, _name)					\
	MVGPU_DEV_ATTR(_var, _name, 0644, _var##_show, _var##_store)

/* ---------------------------- physical GPU ---------------------------- */

static ssize_t backend_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", mvgpu_dev_to_gpu(dev)->hw.ops->name);
}
MVGPU_DEV_ATTR_RO(backend, MVGPU_ATTR_BACKEND);

/* the mdev parent: this class device, or the device the GPU is on */
static ssize_t parent_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  dev_name(mvgpu_dev_to_gpu(dev)->parent_dev));
}
MVGPU_DEV_ATTR_RO(parent, MVGPU_ATTR_PARENT);

static ssize_t vram_size_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%llu\n", mvgpu_dev_to_gpu(dev)->hw.caps.vram_size);
}
MVGPU_DEV_ATTR_RO(vram_size, MVGPU_ATTR_GPU_VRAM_SIZE);

static ssize_t vram_free_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct mvgpu_gpu *gpu = mvgpu_dev_to_gpu(dev);
	unsigned int used = hweight_long(READ_ONCE(gpu->slice_map));

	return sysfs_emit(buf, "%llu\n",
			  (u64)(MVGPU_SLICES - used) * gpu->slice_size);
}
MVGPU_DEV_ATTR_RO(vram_free, MVGPU_ATTR_VRAM_FREE);

/* VRAM still held by vGPUs whose removal waits for their client */
static ssize_t vram_releasing_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct mvgpu_gpu *gpu = mvgpu_dev_to_gpu(dev);
	struct mvgpu_vgpu *vgpu;
	u64 bytes = 0;

	mutex_lock(&gpu->lock);
	list_for_each_entry(vgpu, &gpu->vgpus, node)
		if (vgpu->removing)
			bytes += vgpu->ctx.vram_size;
	mutex_unlock(&gpu->lock);
	return sysfs_emit(buf, "%llu\n", bytes);
}
MVGPU_DEV_ATTR_RO(vram_releasing, MVGPU_ATTR_VRAM_RELEASING);

/* VRAM in use by all its vGPUs (MVGPU_ATTR_VRAM_USED) */
static ssize_t gpu_vram_used_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct mvgpu_gpu *gpu = mvgpu_dev_to_gpu(dev);
	struct mvgpu_vgpu *vgpu;
	u64 bytes = 0;

	mutex_lock(&gpu->lock);
	list_for_each_entry(vgpu, &gpu->vgpus, node)
		bytes += mvgpu_vram_used(vgpu);
	mutex_unlock(&gpu->lock);
	return sysfs_emit(buf, "%llu\n", bytes);
}
MVGPU_DEV_ATTR_RO(gpu_vram_used, MVGPU_ATTR_GPU_VRAM_USED);

static ssize_t engines_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", mvgpu_dev_to_gpu(dev)->sched.num_engines);
}
MVGPU_DEV_ATTR_RO(engines, MVGPU_ATTR_ENGINES);

static ssize_t scheduler_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct mvgpu_sched *s = &mvgpu_dev_to_gpu(dev)->sched;
	const struct mvgpu_sched_policy_ops *cur = READ_ONCE(s->policy);
	ssize_t len = 0;
	unsigned int i;

	for (i = 0; i < MVGPU_NUM_POLICIES; i++) {
		const char *name = mvgpu_sched_policies[i]->name;

		len += sysfs_emit_at(buf, len, i ? " " : "");
		if (mvgpu_sched_policies[i] == cur)
			len += sysfs_emit_at(buf, len, "[%s]", name);
		else
			len += sysfs_emit_at(buf, len, "%s", name);
	}
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static ssize_t scheduler_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t count)
{
	int ret = mvgpu_sched_set_policy(&mvgpu_dev_to_gpu(dev)->sched, buf);

	if (ret) {
		dev_warn(dev, "scheduler: unknown policy \"%.*s\"; use %s, %s or %s\n",
			 (int)strcspn(buf, "\n"), buf,
			 MVGPU_POLICY_NAME_BEST_EFFORT,
			 MVGPU_POLICY_NAME_EQUAL_SHARE,
			 MVGPU_POLICY_NAME_FIXED_SHARE);
		return ret;
	}
	dev_info(dev, "scheduler set to %s\n",
		 mvgpu_dev_to_gpu(dev)->sched.policy->name);
	return count;
}
MVGPU_DEV_ATTR_RW(scheduler, MVGPU_ATTR_SCHEDULER);

static ssize_t timeslice_us_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct mvgpu_sched *s = &mvgpu_dev_to_gpu(dev)->sched;

	return sysfs_emit(buf, "%llu\n", READ_ONCE(s->timeslice_ns) /
			  NSEC_PER_USEC);
}

static ssize_t timeslice_us_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	u64 us;
	int ret;

	ret = kstrtou64(buf, 0, &us);
	if (!ret)
		ret = mvgpu_sched_set_timeslice(&mvgpu_dev_to_gpu(dev)->sched,
						us);
	if (ret) {
		dev_warn(dev, "timeslice_us: \"%.*s\" refused, want %u..%u\n",
			 (int)strcspn(buf, "\n"), buf, MVGPU_TIMESLICE_MIN_US,
			 MVGPU_TIMESLICE_MAX_US);
		return ret;
	}
	return count;
}
MVGPU_DEV_ATTR_RW(timeslice_us, MVGPU_ATTR_TIMESLICE_US);

static ssize_t engine_busy_ns_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct mvgpu_sched *s = &mvgpu_dev_to_gpu(dev)->sched;
	u64 busy[MVGPU_MAX_ENGINES];
	ssize_t len = 0;
	unsigned int i;

	mvgpu_sched_read_engines(s, busy);
	for (i = 0; i < s->num_engines; i++)
		len += sysfs_emit_at(buf, len, "%s%llu", i ? " " : "", busy[i]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
MVGPU_DEV_ATTR_RO(engine_busy_ns, MVGPU_ATTR_ENGINE_BUSY_NS);

static ssize_t engine_utilization_show(struct device *dev,
				       struct device_attribute *attr,
				       char *buf)
{
	struct mvgpu_sched *s = &mvgpu_dev_to_gpu(dev)->sched;
	ssize_t len = 0;
	unsigned int i;

	for (i = 0; i < s->num_engines; i++)
		len += sysfs_emit_at(buf, len, "%s%u", i ? " " : "",
				     READ_ONCE(s->engines[i].util_pct));
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
MVGPU_DEV_ATTR_RO(engine_utilization, MVGPU_ATTR_ENGINE_UTILIZATION);

static ssize_t usage_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return mvgpu_meter_show(mvgpu_dev_to_gpu(dev), buf);
}
MVGPU_DEV_ATTR_RO(usage, MVGPU_ATTR_USAGE);

static ssize_t usage_ack_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t count)
{
	u64 seq;
	int ret = kstrtou64(buf, 0, &seq);

	if (ret) {
		dev_warn_ratelimited(dev, "usage_ack: \"%.*s\" refused, want the seq of the last record read\n",
				     (int)strcspn(buf, "\n"), buf);
		return ret;
	}
	mvgpu_meter_ack(mvgpu_dev_to_gpu(dev), seq);
	return count;
}
MVGPU_DEV_ATTR(usage_ack, MVGPU_ATTR_USAGE_ACK, 0200, NULL, usage_ack_store);

static ssize_t usage_dropped_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  mvgpu_meter_dropped(mvgpu_dev_to_gpu(dev)));
}
MVGPU_DEV_ATTR_RO(usage_dropped, MVGPU_ATTR_USAGE_DROPPED);

/* the scheduler's counters: picks made, the ns they took, slices started */
enum mvgpu_sched_counter {
	MVGPU_CNT_PICKS,
	MVGPU_CNT_PICK_NS,
	MVGPU_CNT_SLICES,
	MVGPU_NUM_CNT,
};

static ssize_t mvgpu_sched_counter_show(struct device *dev, char *buf,
					enum mvgpu_sched_counter which)
{
	struct mvgpu_sched *s = &mvgpu_dev_to_gpu(dev)->sched;
	u64 v[MVGPU_NUM_CNT];

	mvgpu_sched_read_counters(s, &v[MVGPU_CNT_PICKS], &v[MVGPU_CNT_PICK_NS],
				  &v[MVGPU_CNT_SLICES]);
	return sysfs_emit(buf, "%llu\n", v[which]);
}

static ssize_t sched_picks_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return mvgpu_sched_counter_show(dev, buf, MVGPU_CNT_PICKS);
}
MVGPU_DEV_ATTR_RO(sched_picks, MVGPU_ATTR_SCHED_PICKS);

static ssize_t sched_pick_ns_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return mvgpu_sched_counter_show(dev, buf, MVGPU_CNT_PICK_NS);
}
MVGPU_DEV_ATTR_RO(sched_pick_ns, MVGPU_ATTR_SCHED_PICK_NS);

static ssize_t sched_slices_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return mvgpu_sched_counter_show(dev, buf, MVGPU_CNT_SLICES);
}
MVGPU_DEV_ATTR_RO(sched_slices, MVGPU_ATTR_SCHED_SLICES);

static struct attribute *mvgpu_gpu_attrs[] = {
	&dev_attr_backend.attr,
	&dev_attr_parent.attr,
	&dev_attr_vram_size.attr,
	&dev_attr_vram_free.attr,
	&dev_attr_vram_releasing.attr,
	&dev_attr_gpu_vram_used.attr,
	&dev_attr_engines.attr,
	&dev_attr_scheduler.attr,
	&dev_attr_timeslice_us.attr,
	&dev_attr_engine_busy_ns.attr,
	&dev_attr_engine_utilization.attr,
	&dev_attr_usage.attr,
	&dev_attr_usage_ack.attr,
	&dev_attr_usage_dropped.attr,
	&dev_attr_sched_picks.attr,
	&dev_attr_sched_pick_ns.attr,
	&dev_attr_sched_slices.attr,
	NULL,
};

static const struct attribute_group mvgpu_gpu_group = {
	.attrs = mvgpu_gpu_attrs,
};

const struct attribute_group *mvgpu_gpu_groups[] = {
	&mvgpu_gpu_group,
	NULL,
};

/* -------------------------------- vGPU -------------------------------- */

static struct mvgpu_vgpu *mvgpu_dev_to_vgpu(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static int mvgpu_store_u32(struct device *dev, const char *name,
			   const char *buf, u32 min, u32 max, u32 *out)
{
	u32 v;
	int ret = kstrtou32(buf, 0, &v);

	if (!ret && (v < min || v > max))
		ret = -ERANGE;
	if (ret) {
		dev_warn(dev, "%s: \"%.*s\" refused, want an integer in %u..%u\n",
			 name, (int)strcspn(buf, "\n"), buf, min, max);
		return ret;
	}
	*out = v;
	return 0;
}

static ssize_t weight_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(mvgpu_dev_to_vgpu(dev)->se.weight));
}

static ssize_t weight_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct mvgpu_vgpu *vgpu = mvgpu_dev_to_vgpu(dev);
	struct mvgpu_sched *s = &vgpu->gpu->sched;
	u32 v;
	int ret;

	ret = mvgpu_store_u32(dev, "weight", buf, MVGPU_WEIGHT_MIN,
			      MVGPU_WEIGHT_MAX, &v);
	if (ret)
		return ret;
	mvgpu_sched_set_weight(s, &vgpu->se, v);
	return count;
}
MVGPU_DEV_ATTR_RW(weight, MVGPU_ATTR_WEIGHT);

static const char *const mvgpu_prio_names[] = {
	[MVGPU_PRIO_NORMAL] = MVGPU_PRIO_NAME_NORMAL,
	[MVGPU_PRIO_HIGH] = MVGPU_PRIO_NAME_HIGH,
};

static ssize_t priority_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  mvgpu_prio_names[READ_ONCE(mvgpu_dev_to_vgpu(dev)->se.prio)]);
}

static ssize_t priority_store(struct device *dev, struct device_attribute *attr,
			      const char *buf, size_t count)
{
	struct mvgpu_vgpu *vgpu = mvgpu_dev_to_vgpu(dev);
	struct mvgpu_sched *s = &vgpu->gpu->sched;
	int prio = sysfs_match_string(mvgpu_prio_names, buf);

	if (prio < 0) {
		dev_warn(dev, "priority: \"%.*s\" refused, want normal or high\n",
			 (int)strcspn(buf, "\n"), buf);
		return -EINVAL;
	}
	mvgpu_sched_set_prio(s, &vgpu->se, prio);
	return count;
}
MVGPU_DEV_ATTR_RW(priority, MVGPU_ATTR_PRIORITY);

static ssize_t cap_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(mvgpu_dev_to_vgpu(dev)->se.cap_pct));
}

static ssize_t cap_store(struct device *dev, struct device_attribute *attr,
			 const char *buf, size_t count)
{
	struct mvgpu_vgpu *vgpu = mvgpu_dev_to_vgpu(dev);
	struct mvgpu_sched *s = &vgpu->gpu->sched;
	u32 v;
	int ret;

	ret = mvgpu_store_u32(dev, "cap", buf, 0, 100, &v);
	if (ret)
		return ret;
	mvgpu_sched_set_cap(s, &vgpu->se, v);
	return count;
}
MVGPU_DEV_ATTR_RW(cap, MVGPU_ATTR_CAP);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct mvgpu_vgpu *vgpu = mvgpu_dev_to_vgpu(dev);
	const char *state;

	mutex_lock(&vgpu->lock);
	if (!vgpu->open)
		state = MVGPU_STATE_CLOSED;
	else if (READ_ONCE(vgpu->ctx.faulted))
		state = MVGPU_STATE_FAULTED;
	else
		state = MVGPU_STATE_OPEN;
	mutex_unlock(&vgpu->lock);
	return sysfs_emit(buf, "%s\n", state);
}
MVGPU_DEV_ATTR_RO(state, MVGPU_ATTR_STATE);

static ssize_t owner_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct mvgpu_vgpu *vgpu = mvgpu_dev_to_vgpu(dev);
	ssize_t len;

	mutex_lock(&vgpu->lock);
	if (vgpu->open)
		len = sysfs_emit(buf, "%d %s\n", vgpu->owner_pid,
				 vgpu->owner_comm);
	else
		len = sysfs_emit(buf, "-\n");
	mutex_unlock(&vgpu->lock);
	return len;
}
MVGPU_DEV_ATTR_RO(owner, MVGPU_ATTR_OWNER);

static ssize_t vgpu_vram_size_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", mvgpu_dev_to_vgpu(dev)->ctx.vram_size);
}

MVGPU_DEV_ATTR_RO(vgpu_vram_size, MVGPU_ATTR_VGPU_VRAM_SIZE);

static ssize_t vgpu_vram_used_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  mvgpu_vram_used(mvgpu_dev_to_vgpu(dev)));
}
MVGPU_DEV_ATTR_RO(vgpu_vram_used, MVGPU_ATTR_VRAM_USED);

static ssize_t gpu_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  dev_name(&mvgpu_dev_to_vgpu(dev)->gpu->dev));
}
MVGPU_DEV_ATTR_RO(gpu, MVGPU_ATTR_GPU);

/* Its slices' physical VRAM offsets, in order: fixed from creation on */
static ssize_t vram_slices_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	const struct mvgpu_ctx *ctx = &mvgpu_dev_to_vgpu(dev)->ctx;
	u64 i, n = div64_u64(ctx->vram_size, ctx->slice_size);
	ssize_t len = 0;

	for (i = 0; i < n; i++)
		len += sysfs_emit_at(buf, len, "%s%#llx", i ? " " : "",
				     ctx->slice_base[i]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
MVGPU_DEV_ATTR_RO(vram_slices, MVGPU_ATTR_VRAM_SLICES);

static ssize_t scrubs_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&mvgpu_dev_to_vgpu(dev)->scrubs));
}
MVGPU_DEV_ATTR_RO(scrubs, MVGPU_ATTR_SCRUBS);

static ssize_t scrub_last_ns_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&mvgpu_dev_to_vgpu(dev)->scrub_last_ns));
}
MVGPU_DEV_ATTR_RO(scrub_last_ns, MVGPU_ATTR_SCRUB_LAST_NS);

static ssize_t dma_abandoned_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&mvgpu_dev_to_vgpu(dev)->dma.abandoned));
}
MVGPU_DEV_ATTR_RO(dma_abandoned, MVGPU_ATTR_DMA_ABANDONED);

static struct attribute *mvgpu_vgpu_attrs[] = {
	&dev_attr_weight.attr,
	&dev_attr_priority.attr,
	&dev_attr_cap.attr,
	&dev_attr_state.attr,
	&dev_attr_owner.attr,
	&dev_attr_vgpu_vram_size.attr,
	&dev_attr_vgpu_vram_used.attr,
	&dev_attr_gpu.attr,
	&dev_attr_vram_slices.attr,
	&dev_attr_scrubs.attr,
	&dev_attr_scrub_last_ns.attr,
	&dev_attr_dma_abandoned.attr,
	NULL,
};

static const struct attribute_group mvgpu_vgpu_group = {
	.name = MVGPU_VGPU_ATTR_DIR,
	.attrs = mvgpu_vgpu_attrs,
};

/*
 * Statistics and meters: every counter of enum mvgpu_stat_id and of enum
 * mvgpu_meter_id, one file each, named from include/mvgpu_uapi.h by
 * mvgpu_sysfs_init().
 */
const char *const mvgpu_stat_names[MVGPU_NUM_STATS] = MVGPU_STAT_NAMES;

static void mvgpu_stat_values(struct mvgpu_vgpu *vgpu,
			      u64 v[MVGPU_NUM_STATS])
{
	struct mvgpu_sched_stats st;

	v[MVGPU_STAT_COMMANDS] = READ_ONCE(vgpu->ctx.commands);
	v[MVGPU_STAT_BYTES] = READ_ONCE(vgpu->ctx.bytes);
	v[MVGPU_STAT_FAULTS] = READ_ONCE(vgpu->ctx.faults);
	v[MVGPU_STAT_VRAM_FAULTS] = atomic64_read(&vgpu->vram_faults);
	v[MVGPU_STAT_INTERRUPTS] = READ_ONCE(vgpu->interrupts);

	mvgpu_sched_read_entity(&vgpu->gpu->sched, &vgpu->se, &st);
	v[MVGPU_STAT_BUSY_NS] = st.busy_ns;
	v[MVGPU_STAT_WAIT_NS] = st.wait_ns;
	v[MVGPU_STAT_VRUNTIME_NS] = st.vruntime_ns;
	v[MVGPU_STAT_SLICES] = st.slices;
	v[MVGPU_STAT_PREEMPTIONS] = st.preemptions;
	v[MVGPU_STAT_MAX_WAIT_SLICES] = st.max_wait_slices;
}

struct mvgpu_stat_attribute {
	struct device_attribute attr;
	unsigned int index;	/* enum mvgpu_stat_id or mvgpu_meter_id */
};

static ssize_t mvgpu_stat_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct mvgpu_stat_attribute *sa =
		container_of(attr, struct mvgpu_stat_attribute, attr);
	u64 v[MVGPU_NUM_STATS];

	mvgpu_stat_values(mvgpu_dev_to_vgpu(dev), v);
	return sysfs_emit(buf, "%llu\n", v[sa->index]);
}

static ssize_t mvgpu_meter_attr_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct mvgpu_stat_attribute *sa =
		container_of(attr, struct mvgpu_stat_attribute, attr);
	u64 v[MVGPU_NUM_METERS];

	mvgpu_meter_read(mvgpu_dev_to_vgpu(dev), v);
	return sysfs_emit(buf, "%llu\n", v[sa->index]);
}

static struct mvgpu_stat_attribute mvgpu_stat_attrs[MVGPU_NUM_STATS];
static struct attribute *mvgpu_stats_attrs[MVGPU_NUM_STATS + 1];
static struct mvgpu_stat_attribute mvgpu_meter_attrs[MVGPU_NUM_METERS];
static struct attribute *mvgpu_meters_attrs[MVGPU_NUM_METERS + 1];

static const struct attribute_group mvgpu_stats_group = {
	.name = MVGPU_STATS_DIR,
	.attrs = mvgpu_stats_attrs,
};

static const struct attribute_group mvgpu_meter_group = {
	.name = MVGPU_METER_DIR,
	.attrs = mvgpu_meters_attrs,
};

static void mvgpu_stat_attrs_init(struct mvgpu_stat_attribute *sa,
				  struct attribute **list,
				  const char *const *names, unsigned int n,
				  ssize_t (*show)(struct device *dev,
						  struct device_attribute *attr,
						  char *buf))
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		sysfs_attr_init(&sa[i].attr.attr);
		sa[i].attr.attr.name = names[i];
		sa[i].attr.attr.mode = 0444;
		sa[i].attr.show = show;
		sa[i].index = i;
		list[i] = &sa[i].attr.attr;
	}
	list[n] = NULL;
}

/* Before the mdev driver is registered: fill in the counter files */
void mvgpu_sysfs_init(void)
{
	mvgpu_stat_attrs_init(mvgpu_stat_attrs, mvgpu_stats_attrs,
			      mvgpu_stat_names, MVGPU_NUM_STATS,
			      mvgpu_stat_show);
	mvgpu_stat_attrs_init(mvgpu_meter_attrs, mvgpu_meters_attrs,
			      mvgpu_meter_names, MVGPU_NUM_METERS,
			      mvgpu_meter_attr_show);
}

const struct attribute_group *mvgpu_vgpu_groups[] = {
	&mvgpu_vgpu_group,
	&mvgpu_stats_group,
	&mvgpu_meter_group,
	NULL,
};
