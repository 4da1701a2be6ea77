// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs: the operator's view and knobs.
 *
 * /sys/class/mvgpu/mvgpuN/          one physical GPU (the mdev parent)
 *   backend vram_size vram_free vram_releasing engines   read-only
 *   scheduler                        rw: best_effort|equal_share|fixed_share
 *   timeslice_us                     rw: 100..100000, default 2000
 *   engine_busy_ns engine_utilization  per engine, space separated
 *   sched_picks sched_pick_ns        picks made, ns spent in them (ro)
 * /sys/bus/mdev/devices/UUID/mvgpu/   one vGPU
 *   weight (rw 1..1000) priority (rw normal|high) cap (rw 0..100, 0 = none)
 *   state owner vram_size gpu
 * /sys/bus/mdev/devices/UUID/mvgpu_stats/   counters, see docs/operator.md
 *
 * A refused write changes nothing and says why in dmesg.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "mvgpu.h"

/* ---------------------------- physical GPU ---------------------------- */

static ssize_t backend_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", mvgpu_dev_to_gpu(dev)->hal->name);
}
static DEVICE_ATTR_RO(backend);

static ssize_t vram_size_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%llu\n", mvgpu_dev_to_gpu(dev)->vram_size);
}
static DEVICE_ATTR_RO(vram_size);

static ssize_t vram_free_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct mvgpu_gpu *gpu = mvgpu_dev_to_gpu(dev);
	unsigned int used = hweight_long(READ_ONCE(gpu->slice_map));

	return sysfs_emit(buf, "%llu\n",
			  (u64)(MVGPU_SLICES - used) * gpu->slice_size);
}
static DEVICE_ATTR_RO(vram_free);

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
static DEVICE_ATTR_RO(vram_releasing);

static ssize_t engines_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", mvgpu_dev_to_gpu(dev)->sched.num_engines);
}
static DEVICE_ATTR_RO(engines);

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
		dev_warn(dev, "scheduler: unknown policy \"%.*s\"; use best_effort, equal_share or fixed_share\n",
			 (int)strcspn(buf, "\n"), buf);
		return ret;
	}
	dev_info(dev, "scheduler set to %s\n",
		 mvgpu_dev_to_gpu(dev)->sched.policy->name);
	return count;
}
static DEVICE_ATTR_RW(scheduler);

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
static DEVICE_ATTR_RW(timeslice_us);

static ssize_t engine_busy_ns_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct mvgpu_sched *s = &mvgpu_dev_to_gpu(dev)->sched;
	u64 busy[MVGPU_MAX_ENGINES];
	ssize_t len = 0;
	unsigned int i;

	spin_lock(&s->lock);
	for (i = 0; i < s->num_engines; i++)
		busy[i] = s->engines[i].busy_ns;
	spin_unlock(&s->lock);
	for (i = 0; i < s->num_engines; i++)
		len += sysfs_emit_at(buf, len, "%s%llu", i ? " " : "", busy[i]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(engine_busy_ns);

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
static DEVICE_ATTR_RO(engine_utilization);

/* the scheduler's pick cost: picks made and the ns they took, all engines */
static ssize_t sched_picks_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct mvgpu_sched *s = &mvgpu_dev_to_gpu(dev)->sched;
	u64 v;

	spin_lock(&s->lock);
	v = s->picks;
	spin_unlock(&s->lock);
	return sysfs_emit(buf, "%llu\n", v);
}
static DEVICE_ATTR_RO(sched_picks);

static ssize_t sched_pick_ns_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct mvgpu_sched *s = &mvgpu_dev_to_gpu(dev)->sched;
	u64 v;

	spin_lock(&s->lock);
	v = s->pick_ns;
	spin_unlock(&s->lock);
	return sysfs_emit(buf, "%llu\n", v);
}
static DEVICE_ATTR_RO(sched_pick_ns);

static struct attribute *mvgpu_gpu_attrs[] = {
	&dev_attr_backend.attr,
	&dev_attr_vram_size.attr,
	&dev_attr_vram_free.attr,
	&dev_attr_vram_releasing.attr,
	&dev_attr_engines.attr,
	&dev_attr_scheduler.attr,
	&dev_attr_timeslice_us.attr,
	&dev_attr_engine_busy_ns.attr,
	&dev_attr_engine_utilization.attr,
	&dev_attr_sched_picks.attr,
	&dev_attr_sched_pick_ns.attr,
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
static DEVICE_ATTR_RW(weight);

static const char *const mvgpu_prio_names[] = {
	[MVGPU_PRIO_NORMAL] = "normal",
	[MVGPU_PRIO_HIGH] = "high",
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
static DEVICE_ATTR_RW(priority);

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
static DEVICE_ATTR_RW(cap);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct mvgpu_vgpu *vgpu = mvgpu_dev_to_vgpu(dev);
	const char *state;

	mutex_lock(&vgpu->lock);
	if (!vgpu->open)
		state = "closed";
	else if (READ_ONCE(vgpu->ctx.faulted))
		state = "faulted";
	else
		state = "open";
	mutex_unlock(&vgpu->lock);
	return sysfs_emit(buf, "%s\n", state);
}
static DEVICE_ATTR_RO(state);

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
static DEVICE_ATTR_RO(owner);

static ssize_t vgpu_vram_size_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", mvgpu_dev_to_vgpu(dev)->ctx.vram_size);
}

static struct device_attribute dev_attr_vgpu_vram_size =
	__ATTR(vram_size, 0444, vgpu_vram_size_show, NULL);

static ssize_t gpu_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  dev_name(&mvgpu_dev_to_vgpu(dev)->gpu->dev));
}
static DEVICE_ATTR_RO(gpu);

static struct attribute *mvgpu_vgpu_attrs[] = {
	&dev_attr_weight.attr,
	&dev_attr_priority.attr,
	&dev_attr_cap.attr,
	&dev_attr_state.attr,
	&dev_attr_owner.attr,
	&dev_attr_vgpu_vram_size.attr,
	&dev_attr_gpu.attr,
	NULL,
};

static const struct attribute_group mvgpu_vgpu_group = {
	.name = "mvgpu",
	.attrs = mvgpu_vgpu_attrs,
};

/* Statistics: scheduler counters under the scheduler lock, the rest plain */
enum mvgpu_stat {
	MVGPU_STAT_BUSY_NS,
	MVGPU_STAT_WAIT_NS,
	MVGPU_STAT_VRUNTIME_NS,
	MVGPU_STAT_SLICES,
	MVGPU_STAT_PREEMPTIONS,
	MVGPU_STAT_MAX_WAIT_SLICES,
	MVGPU_STAT_COMMANDS,
	MVGPU_STAT_BYTES,
	MVGPU_STAT_FAULTS,
	MVGPU_STAT_VRAM_FAULTS,
	MVGPU_STAT_INTERRUPTS,
	MVGPU_STAT_SCRUBS,
	MVGPU_STAT_SCRUB_LAST_NS,
	MVGPU_STAT_DMA_ABANDONED,
};

struct mvgpu_stat_attribute {
	struct device_attribute attr;
	enum mvgpu_stat stat;
};

static u64 mvgpu_stat_value(struct mvgpu_vgpu *vgpu, enum mvgpu_stat stat)
{
	struct mvgpu_sched *s = &vgpu->gpu->sched;
	struct mvgpu_sched_entity *se = &vgpu->se;
	u64 v = 0;

	switch (stat) {
	case MVGPU_STAT_COMMANDS:
		return READ_ONCE(vgpu->ctx.commands);
	case MVGPU_STAT_BYTES:
		return READ_ONCE(vgpu->ctx.bytes);
	case MVGPU_STAT_FAULTS:
		return READ_ONCE(vgpu->ctx.faults);
	case MVGPU_STAT_VRAM_FAULTS:
		return atomic64_read(&vgpu->vram_faults);
	case MVGPU_STAT_INTERRUPTS:
		return READ_ONCE(vgpu->interrupts);
	case MVGPU_STAT_SCRUBS:
		return atomic64_read(&vgpu->scrubs);
	case MVGPU_STAT_SCRUB_LAST_NS:
		return atomic64_read(&vgpu->scrub_last_ns);
	case MVGPU_STAT_DMA_ABANDONED:
		return atomic64_read(&vgpu->dma.abandoned);
	default:
		break;
	}

	spin_lock(&s->lock);
	switch (stat) {
	case MVGPU_STAT_BUSY_NS:
		v = se->busy_ns;
		break;
	case MVGPU_STAT_WAIT_NS:
		v = se->wait_ns;
		/* include the wait in progress */
		if (se->runnable && se->engine < 0)
			v += ktime_get_ns() - se->wait_start_ns;
		break;
	case MVGPU_STAT_VRUNTIME_NS:
		v = div_u64(se->vruntime, MVGPU_VRUNTIME_SCALE);
		break;
	case MVGPU_STAT_SLICES:
		v = se->slices;
		break;
	case MVGPU_STAT_PREEMPTIONS:
		v = se->preemptions;
		break;
	case MVGPU_STAT_MAX_WAIT_SLICES:
		v = se->max_wait_slices;
		break;
	default:
		break;
	}
	spin_unlock(&s->lock);
	return v;
}

static ssize_t mvgpu_stat_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct mvgpu_stat_attribute *sa =
		container_of(attr, struct mvgpu_stat_attribute, attr);

	return sysfs_emit(buf, "%llu\n",
			  mvgpu_stat_value(mvgpu_dev_to_vgpu(dev), sa->stat));
}

#define MVGPU_STAT_ATTR(_name, _stat)					\
	static struct mvgpu_stat_attribute mvgpu_stat_attr_##_name = {	\
		.attr = __ATTR(_name, 0444, mvgpu_stat_show, NULL),	\
		.stat = _stat,						\
	}

MVGPU_STAT_ATTR(busy_ns, MVGPU_STAT_BUSY_NS);
MVGPU_STAT_ATTR(wait_ns, MVGPU_STAT_WAIT_NS);
MVGPU_STAT_ATTR(vruntime_ns, MVGPU_STAT_VRUNTIME_NS);
MVGPU_STAT_ATTR(slices, MVGPU_STAT_SLICES);
MVGPU_STAT_ATTR(preemptions, MVGPU_STAT_PREEMPTIONS);
MVGPU_STAT_ATTR(max_wait_slices, MVGPU_STAT_MAX_WAIT_SLICES);
MVGPU_STAT_ATTR(commands, MVGPU_STAT_COMMANDS);
MVGPU_STAT_ATTR(bytes, MVGPU_STAT_BYTES);
MVGPU_STAT_ATTR(faults, MVGPU_STAT_FAULTS);
MVGPU_STAT_ATTR(vram_faults, MVGPU_STAT_VRAM_FAULTS);
MVGPU_STAT_ATTR(interrupts, MVGPU_STAT_INTERRUPTS);
MVGPU_STAT_ATTR(scrubs, MVGPU_STAT_SCRUBS);
MVGPU_STAT_ATTR(scrub_last_ns, MVGPU_STAT_SCRUB_LAST_NS);
MVGPU_STAT_ATTR(dma_abandoned, MVGPU_STAT_DMA_ABANDONED);

static struct attribute *mvgpu_stats_attrs[] = {
	&mvgpu_stat_attr_busy_ns.attr.attr,
	&mvgpu_stat_attr_wait_ns.attr.attr,
	&mvgpu_stat_attr_vruntime_ns.attr.attr,
	&mvgpu_stat_attr_slices.attr.attr,
	&mvgpu_stat_attr_preemptions.attr.attr,
	&mvgpu_stat_attr_max_wait_slices.attr.attr,
	&mvgpu_stat_attr_commands.attr.attr,
	&mvgpu_stat_attr_bytes.attr.attr,
	&mvgpu_stat_attr_faults.attr.attr,
	&mvgpu_stat_attr_vram_faults.attr.attr,
	&mvgpu_stat_attr_interrupts.attr.attr,
	&mvgpu_stat_attr_scrubs.attr.attr,
	&mvgpu_stat_attr_scrub_last_ns.attr.attr,
	&mvgpu_stat_attr_dma_abandoned.attr.attr,
	NULL,
};

static const struct attribute_group mvgpu_stats_group = {
	.name = "mvgpu_stats",
	.attrs = mvgpu_stats_attrs,
};

const struct attribute_group *mvgpu_vgpu_groups[] = {
	&mvgpu_vgpu_group,
	&mvgpu_stats_group,
	NULL,
};
