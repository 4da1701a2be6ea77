// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vGPU's DMA engine: copies between the client's memory (by IOVA, only
 * what it mapped with VFIO_IOMMU_MAP_DMA) and VRAM, on a kernel thread of
 * its own, so that a copy waiting on the client's memory (userfaultfd,
 * FUSE, a slow disk) never holds up an engine, another tenant or the
 * admin.
 *
 * A copy goes through a bounce buffer: VRAM is read into it when the job
 * is picked up (to the client) or written from it when the job completes
 * (from the client), both under dma->mutex and only while the job's
 * generation is current.  Cancelling a job (reset, close, STOP, bus master
 * off, remove) bumps the generation and sends the thread SIGKILL, which
 * ends an interruptible or killable wait on the client's memory at once;
 * the canceller waits for that at most MVGPU_DMA_CANCEL_WAIT.
 *
 * A client can also die while its copy waits: VFIO's copy holds a
 * reference on the client's mm, so the mm, its VRAM mapping and through
 * that the device file outlive the process, and the process's exit can
 * block on the container lock the copy holds.  A watchdog looks at a
 * waiting copy every MVGPU_DMA_WATCH_PERIOD and interrupts it once no
 * process uses that mm any more.  A copy that
 * still does not return (an uninterruptible wait) is abandoned: whatever
 * it finally brings is dropped, so it can never write into VRAM that was
 * reset, scrubbed or given to the next tenant.  The thread holds a
 * reference on the vGPU and on the module until it exits.
 *
 * Lock ordering: vgpu->lock -> ctx->exec_lock -> dma->mutex -> sched->lock.
 * dma->mutex is never held across an access to the client's memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "mvgpu.h"

#define MVGPU_DMA_CANCEL_WAIT	(HZ / 2)
#define MVGPU_DMA_WATCH_PERIOD	(HZ / 10)

/* The job as the thread took it: the engine may queue the next one */
struct mvgpu_dma_copy {
	struct mvgpu_dma_job job;
	u64 gen;
	u32 len;		/* bytes in all segments */
};

/* VRAM to or from the bounce buffer; dma->mutex held, generation current */
static void mvgpu_dma_bounce(struct mvgpu_vgpu *vgpu,
			     const struct mvgpu_dma_job *job, u32 len,
			     bool to_bounce)
{
	const struct mvgpu_hw *hw = &vgpu->gpu->hw;
	u8 *bounce = vgpu->dma.bounce;
	u32 off = 0;
	unsigned int i;

	lockdep_assert_held(&vgpu->dma.mutex);
	for (i = 0; i < job->nsegs && off < len; i++) {
		u32 n = min(job->segs[i].len, len - off);

		/* kernel addresses from vram_map: RAM or I/O memory */
		if (to_bounce)
			mvgpu_vram_read(hw, bounce + off, job->segs[i].vram, n);
		else
			mvgpu_vram_write(hw, job->segs[i].vram, bounce + off, n);
		off += n;
	}
}

/* Is the memory the DMA thread copies from used by no process any more? */
static bool mvgpu_dma_client_gone(struct task_struct *thread)
{
	struct mm_struct *mm;
	bool gone = false;

	task_lock(thread);
	mm = thread->mm;	/* the client's, inside host->dma_rw (vfio_dma_rw) */
	if (mm) {
		gone = atomic_read(&mm->mm_users) <= 1;
#ifdef CONFIG_MEMCG
		/* no process left that uses it, only kernel threads */
		rcu_read_lock();
		gone |= !rcu_dereference(mm->owner);
		rcu_read_unlock();
#endif
	}
	task_unlock(thread);
	return gone;
}

static void mvgpu_dma_watchdog(struct work_struct *work)
{
	struct mvgpu_dma *dma = container_of(to_delayed_work(work),
					     struct mvgpu_dma, watchdog);

	mutex_lock(&dma->mutex);
	if (dma->copying) {
		if (mvgpu_dma_client_gone(dma->thread))
			send_sig(SIGKILL, dma->thread, 1);
		else
			schedule_delayed_work(&dma->watchdog,
					      MVGPU_DMA_WATCH_PERIOD);
	}
	mutex_unlock(&dma->mutex);
}

/* Take the queued job; false if there is none */
static bool mvgpu_dma_pickup(struct mvgpu_vgpu *vgpu,
			     struct mvgpu_dma_copy *c)
{
	struct mvgpu_dma *dma = &vgpu->dma;
	unsigned int i;
	bool got = false;

	mutex_lock(&dma->mutex);
	if (!dma->queued || dma->stop)
		goto unlock;
	dma->queued = false;
	c->job = vgpu->ctx.dma;
	c->gen = dma->gen;
	c->len = 0;
	for (i = 0; i < c->job.nsegs; i++)
		c->len += c->job.segs[i].len;
	if (c->job.to_host)
		mvgpu_dma_bounce(vgpu, &c->job, c->len, true);
	dma->copying = true;
	schedule_delayed_work(&dma->watchdog, MVGPU_DMA_WATCH_PERIOD);
	got = true;
unlock:
	mutex_unlock(&dma->mutex);
	return got;
}

/* Client memory <-> bounce, segment by segment; may wait on the client */
static void mvgpu_dma_copy_client(struct mvgpu_vgpu *vgpu,
				  struct mvgpu_dma_copy *c)
{
	struct mvgpu_dma_job *job = &c->job;
	u8 *bounce = vgpu->dma.bounce;
	u32 off = 0;
	unsigned int i;

	job->error = 0;
	for (i = 0; i < job->nsegs; i++) {
		int ret;

		if (READ_ONCE(vgpu->dma.gen) != c->gen) {
			job->error = -ECANCELED;
			break;
		}
		ret = vgpu->host->dma_rw(vgpu, job->iova + off, bounce + off,
					 job->segs[i].len, job->to_host);
		if (ret) {
			job->error = ret;
			job->fault_iova = job->iova + off;
			break;
		}
		off += job->segs[i].len;
	}
	job->done = off;
}

/*
 * Hand the result to the engine if the job was not cancelled meanwhile,
 * and charge the vGPU for the time: a cancel, and so mvgpu_dma_fini, waits
 * for dma->mutex, so the scheduler entity is still there.
 */
static void mvgpu_dma_complete(struct mvgpu_vgpu *vgpu,
			       struct mvgpu_dma_copy *c, u64 ns)
{
	struct mvgpu_dma *dma = &vgpu->dma;
	struct mvgpu_ctx *ctx = &vgpu->ctx;

	mutex_lock(&dma->mutex);
	dma->copying = false;
	if (dma->gen == c->gen && !dma->stop) {
		if (!c->job.to_host)
			mvgpu_dma_bounce(vgpu, &c->job, c->job.done, false);
		ctx->dma.done = c->job.done;
		/* the DMA thread is the only writer; metering reads it lockless */
		WRITE_ONCE(ctx->dma_bytes, ctx->dma_bytes + c->job.done);
		ctx->dma.error = c->job.error;
		ctx->dma.fault_iova = c->job.fault_iova;
		ctx->dma_done = true;
		/* pairs with the acquires in mvgpu_ctx_has_work and the step */
		smp_store_release(&ctx->dma_busy, false);
		mvgpu_sched_charge_dma(&vgpu->gpu->sched, &vgpu->se, ns);
		mvgpu_sched_kick(&vgpu->gpu->sched, &vgpu->se);
	}
	mutex_unlock(&dma->mutex);
	wake_up_all(&dma->idle_wq);
}

static int mvgpu_dma_thread(void *data)
{
	struct mvgpu_vgpu *vgpu = data;
	struct mvgpu_dma *dma = &vgpu->dma;
	struct mvgpu_dma_copy *c;

	/* a cancel interrupts a wait on the client's memory with SIGKILL */
	allow_signal(SIGKILL);
	c = kmalloc(sizeof(*c), GFP_KERNEL);

	while (c && !READ_ONCE(dma->stop)) {
		u64 start;

		flush_signals(current);
		if (wait_event_interruptible(dma->wq, READ_ONCE(dma->queued) ||
					     READ_ONCE(dma->stop)))
			continue;
		if (!mvgpu_dma_pickup(vgpu, c))
			continue;
		start = ktime_get_ns();
		mvgpu_dma_copy_client(vgpu, c);
		mvgpu_dma_complete(vgpu, c, ktime_get_ns() - start);
	}
	if (!c) {
		/* no job can be run: fail them as the bus would */
		mutex_lock(&dma->mutex);
		dma->broken = true;
		mutex_unlock(&dma->mutex);
	}
	kfree(c);
	kvfree(dma->bounce);
	dma->bounce = NULL;
	/* not copying: it cannot re-arm; wait for one that runs */
	cancel_delayed_work_sync(&dma->watchdog);
	vgpu->host->put(vgpu);
	module_put_and_kthread_exit(0);
}

/**
 * mvgpu_dma_start - run the job in ctx->dma on the vGPU's DMA thread
 * @vgpu: the vGPU; the engine holds ctx->exec_lock and set ctx->dma_busy
 */
void mvgpu_dma_start(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma *dma = &vgpu->dma;
	struct mvgpu_ctx *ctx = &vgpu->ctx;

	mutex_lock(&dma->mutex);
	if (dma->broken || dma->stop) {
		ctx->dma.done = 0;
		ctx->dma.error = -ENODEV;
		ctx->dma.fault_iova = ctx->dma.iova;
		ctx->dma_done = true;
		/* pairs with the engine's acquire: the result first */
		smp_store_release(&ctx->dma_busy, false);
		mvgpu_sched_kick(&vgpu->gpu->sched, &vgpu->se);
		mutex_unlock(&dma->mutex);
		return;
	}
	dma->queued = true;
	mutex_unlock(&dma->mutex);
	wake_up(&dma->wq);
}

/* End the current job, if any; dma->mutex held.  True if one was copying */
static bool __mvgpu_dma_cancel(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma *dma = &vgpu->dma;

	lockdep_assert_held(&dma->mutex);
	dma->gen++;
	dma->queued = false;
	vgpu->ctx.dma_done = false;
	WRITE_ONCE(vgpu->ctx.dma_busy, false);
	if (dma->copying)
		send_sig(SIGKILL, dma->thread, 1);
	return dma->copying;
}

static void mvgpu_dma_wait_copy(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma *dma = &vgpu->dma;

	if (wait_event_timeout(dma->idle_wq, !READ_ONCE(dma->copying),
			       MVGPU_DMA_CANCEL_WAIT))
		return;
	atomic64_inc(&dma->abandoned);
	dev_warn_ratelimited(vgpu->dev,
			     "a DMA copy stuck on the client's memory was abandoned; nothing it brings back is used\n");
}

/**
 * mvgpu_dma_cancel - forget the DMA job in flight, never waiting long
 * @vgpu: the vGPU; the engines are off it (mvgpu_sched_disable)
 *
 * The command that issued the job is not over: if the vGPU runs again,
 * the engine issues the same chunk again.  Waits at most
 * MVGPU_DMA_CANCEL_WAIT for a copy to notice.
 */
void mvgpu_dma_cancel(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma *dma = &vgpu->dma;
	bool copying;

	mutex_lock(&dma->mutex);
	copying = __mvgpu_dma_cancel(vgpu);
	mutex_unlock(&dma->mutex);
	if (copying)
		mvgpu_dma_wait_copy(vgpu);
}

/* Create the vGPU's DMA thread; the vGPU and its host are initialised */
int mvgpu_dma_init(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma *dma = &vgpu->dma;
	struct task_struct *thread;

	mutex_init(&dma->mutex);
	init_waitqueue_head(&dma->wq);
	init_waitqueue_head(&dma->idle_wq);
	INIT_DELAYED_WORK(&dma->watchdog, mvgpu_dma_watchdog);
	atomic64_set(&dma->abandoned, 0);
	dma->bounce = kvmalloc(MVGPU_DMA_MAX_BYTES, GFP_KERNEL);
	if (!dma->bounce)
		return -ENOMEM;

	thread = kthread_create(mvgpu_dma_thread, vgpu, "mvgpu-dma/%.8s",
				dev_name(vgpu->dev));
	if (IS_ERR(thread)) {
		kvfree(dma->bounce);
		dma->bounce = NULL;
		return PTR_ERR(thread);
	}
	dma->thread = thread;
	/* put by mvgpu_dma_release, for kthread_stop and send_sig */
	get_task_struct(thread);
	/* both are the thread's, put as it exits */
	vgpu->host->get(vgpu);
	__module_get(THIS_MODULE);
	wake_up_process(thread);
	return 0;
}

/*
 * The vGPU is going away: cancel what is in flight and let the thread go.
 * It exits by itself, at once or when an abandoned copy returns.
 */
void mvgpu_dma_fini(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma *dma = &vgpu->dma;
	bool copying;

	if (!dma->thread || dma->stop)
		return;
	mutex_lock(&dma->mutex);
	copying = __mvgpu_dma_cancel(vgpu);
	dma->stop = true;
	mutex_unlock(&dma->mutex);
	wake_up(&dma->wq);
	if (copying)
		mvgpu_dma_wait_copy(vgpu);
	/*
	 * Not stuck: wait until it is gone, module reference included, so
	 * that remove returning means the module may be unloaded.  A stuck
	 * one exits by itself when its copy returns.
	 */
	if (!READ_ONCE(dma->copying))
		kthread_stop(dma->thread);
}

/* The vGPU's memory is going: drop what mvgpu_dma_init took */
void mvgpu_dma_release(struct mvgpu_vgpu *vgpu)
{
	if (vgpu->dma.thread)
		put_task_struct(vgpu->dma.thread);
	mutex_destroy(&vgpu->dma.mutex);
}
