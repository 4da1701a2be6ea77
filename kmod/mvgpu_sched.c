// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-GPU scheduler and its engines.
 *
 * Each engine is a kernel thread that picks a vGPU, runs its context one
 * bounded chunk at a time for up to a time slice, and charges the time to
 * it.  The pick is CFS-like: among runnable vGPUs that are within their
 * rate, the highest priority wins and then the least virtual runtime,
 * where virtual runtime grows by engine time divided by the policy's
 * weight.  Between chunks an engine gives a normal-priority slice up as
 * soon as a high-priority vGPU is waiting, so high-priority work starts
 * before any other slice does.
 *
 * Rates (fixed_share, caps) are token buckets: a vGPU earns engine time at
 * its rate up to two slices' worth, spends it while running, and waits once
 * it is out until it has a full slice again.  A fault costs the faulting
 * vGPU MVGPU_FAULT_COST_NS of its share on top of the time it ran.
 *
 * Nothing an engine does per chunk or per slice walks the vGPUs.  A
 * runnable vGPU that is not on an engine sits in one of two kinds of
 * red-black tree: sched->ready[prio], ordered by virtual runtime, or
 * sched->throttled, ordered by the time it is back within its rate.  A pick
 * moves the throttled vGPUs whose time has come back to ready, then takes
 * the leftmost vGPU of the highest priority tree; one found over its rate
 * there (tokens are charged lazily, e.g. for DMA) moves to throttled and
 * the pick looks again.  Every move is O(log n) and each vGPU moves at
 * most once per slice, so a pick costs O(log n) amortised.  min_vruntime
 * follows the leftmost ready vGPUs and those on the engines.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>

#include "mvgpu.h"

#define MVGPU_UTIL_PERIOD	HZ

static u64 mvgpu_sched_burst(const struct mvgpu_sched *s)
{
	return s->timeslice_ns * 2;
}

/* Engine-ns the entity earns per ns, times 1000 */
static u64 __mvgpu_se_rate(const struct mvgpu_sched *s,
			   const struct mvgpu_sched_entity *se)
{
	return (u64)s->policy->rate_permille(se) * s->num_engines;
}

static void __mvgpu_se_refill(struct mvgpu_sched *s,
			      struct mvgpu_sched_entity *se, u64 now)
{
	u64 rate = __mvgpu_se_rate(s, se);
	u64 elapsed = min_t(u64, now - se->tokens_stamp, 100 * NSEC_PER_SEC);

	se->tokens_stamp = now;
	if (!rate) {
		se->tokens = mvgpu_sched_burst(s);
		return;
	}
	se->tokens = min_t(s64, se->tokens + div_u64(elapsed * rate, 1000),
			   mvgpu_sched_burst(s));
}

/*
 * Over its rate: ns until it may run again, else 0.  Once out of tokens a
 * vGPU waits for a whole slice of them, so a capped vGPU runs in slices
 * rather than in single chunks.
 */
static u64 __mvgpu_se_throttled_for(struct mvgpu_sched *s,
				    struct mvgpu_sched_entity *se)
{
	u64 rate = __mvgpu_se_rate(s, se);
	s64 need;

	if (!rate)
		return 0;
	need = (s64)s->timeslice_ns - se->tokens;
	if (se->tokens > 0 && se->engine >= 0)
		return 0;	/* running and still within its budget */
	if (need <= 0)
		return 0;
	return max_t(u64, 1, div64_u64((u64)need * 1000, rate));
}

static struct mvgpu_sched_entity *mvgpu_se_of(struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct mvgpu_sched_entity, rb) : NULL;
}

static bool mvgpu_se_vruntime_less(struct rb_node *a, const struct rb_node *b)
{
	return mvgpu_se_of(a)->vruntime <
	       rb_entry(b, struct mvgpu_sched_entity, rb)->vruntime;
}

static bool mvgpu_se_until_less(struct rb_node *a, const struct rb_node *b)
{
	return mvgpu_se_of(a)->throttled_until <
	       rb_entry(b, struct mvgpu_sched_entity, rb)->throttled_until;
}

/* Queue a runnable vGPU that is off the engines into its ready tree */
static void __mvgpu_se_enqueue(struct mvgpu_sched *s,
			       struct mvgpu_sched_entity *se)
{
	lockdep_assert_held(&s->lock);
	if (WARN_ON_ONCE(se->queue != MVGPU_SE_OFF))
		return;
	rb_add_cached(&se->rb, &s->ready[se->prio], mvgpu_se_vruntime_less);
	se->queue = MVGPU_SE_READY;
}

static void __mvgpu_se_dequeue(struct mvgpu_sched *s,
			       struct mvgpu_sched_entity *se)
{
	lockdep_assert_held(&s->lock);
	if (se->queue == MVGPU_SE_READY)
		rb_erase_cached(&se->rb, &s->ready[se->prio]);
	else if (se->queue == MVGPU_SE_THROTTLED)
		rb_erase_cached(&se->rb, &s->throttled);
	se->queue = MVGPU_SE_OFF;
}

static void __mvgpu_se_throttle(struct mvgpu_sched *s,
				struct mvgpu_sched_entity *se, u64 until)
{
	__mvgpu_se_dequeue(s, se);
	se->throttled_until = until;
	rb_add_cached(&se->rb, &s->throttled, mvgpu_se_until_less);
	se->queue = MVGPU_SE_THROTTLED;
}

/* Requeue after a change of key (vruntime, priority, rate) */
static void __mvgpu_se_requeue(struct mvgpu_sched *s,
			       struct mvgpu_sched_entity *se)
{
	if (se->queue == MVGPU_SE_OFF)
		return;
	__mvgpu_se_dequeue(s, se);
	__mvgpu_se_enqueue(s, se);
}

/* Least vruntime among the queued and the running: O(engines) */
static void __mvgpu_sched_update_min_vruntime(struct mvgpu_sched *s)
{
	u64 min = U64_MAX;
	unsigned int i;

	for (i = 0; i < MVGPU_NUM_PRIOS; i++) {
		struct mvgpu_sched_entity *se =
			mvgpu_se_of(rb_first_cached(&s->ready[i]));

		if (se)
			min = min(min, se->vruntime);
	}
	for (i = 0; i < s->num_engines; i++)
		if (s->engines[i].curr)
			min = min(min, s->engines[i].curr->vruntime);
	if (min != U64_MAX && min > s->min_vruntime)
		s->min_vruntime = min;
}

/* The least vruntime a vGPU that becomes runnable starts from */
static u64 __mvgpu_sched_wake_floor(struct mvgpu_sched *s,
				    struct mvgpu_sched_entity *se)
{
	u32 weight = max_t(u32, 1, s->policy->weight(se));
	u64 credit = div_u64(s->timeslice_ns * MVGPU_VRUNTIME_SCALE,
			     2 * weight);

	return s->min_vruntime > credit ? s->min_vruntime - credit : 0;
}

/* Recompute whether @se has work; true when it just became runnable */
static bool __mvgpu_sched_update(struct mvgpu_sched *s,
				 struct mvgpu_sched_entity *se, u64 now)
{
	bool want = se->enabled && mvgpu_ctx_has_work(se->ctx);

	lockdep_assert_held(&s->lock);

	if (want == se->runnable)
		return false;
	se->runnable = want;
	if (!want) {
		if (se->engine < 0)
			se->wait_ns += now - se->wait_start_ns;
		__mvgpu_se_dequeue(s, se);
		return false;
	}
	/*
	 * No credit for time spent idle beyond half a slice behind the pack
	 * (as CFS places a waking task): a vGPU that wakes with little
	 * vruntime goes ahead of the leftmost busy one instead of tying with
	 * it, and none can bank idle time.
	 */
	se->vruntime = max(se->vruntime, __mvgpu_sched_wake_floor(s, se));
	if (se->engine < 0) {
		se->wait_start_ns = now;
		se->wait_start_seq = s->slice_seq;
		__mvgpu_se_enqueue(s, se);
	}
	return true;
}

/*
 * @se has just become runnable.  If it is well behind the vGPU running on
 * an engine at its priority (by more than a quarter slice of its own
 * weight, as CFS's wakeup preemption judges), that slice is cut short at
 * its next chunk boundary: a latency-bound vGPU then waits about a chunk,
 * not the rest of a slice.  Only a wakeup does this; vGPUs that stay
 * runnable still take turns by whole slices, and a vGPU that has used
 * its share (its vruntime is not behind) or is over its rate cuts nothing.
 * Of the engines, the one whose vGPU is furthest ahead is asked; none is
 * when an engine is free, as it picks @se anyway.
 */
static void __mvgpu_sched_wake_preempt(struct mvgpu_sched *s,
				       struct mvgpu_sched_entity *se, u64 now)
{
	u32 weight = max_t(u32, 1, s->policy->weight(se));
	u64 gran = div_u64(s->timeslice_ns * MVGPU_VRUNTIME_SCALE, 4 * weight);
	struct mvgpu_engine *victim = NULL;
	unsigned int i;

	lockdep_assert_held(&s->lock);
	if (se->queue != MVGPU_SE_READY)
		return;
	__mvgpu_se_refill(s, se, now);
	if (__mvgpu_se_throttled_for(s, se))
		return;
	for (i = 0; i < s->num_engines; i++) {
		struct mvgpu_engine *eng = &s->engines[i];
		struct mvgpu_sched_entity *curr = eng->curr;

		if (!curr)
			return;
		if (curr->prio != se->prio || eng->wake_preempt ||
		    curr->vruntime <= se->vruntime + gran)
			continue;
		if (!victim || curr->vruntime > victim->curr->vruntime)
			victim = eng;
	}
	if (victim)
		victim->wake_preempt = true;
}

/* Throttled vGPUs whose time has come go back to their ready tree */
static void __mvgpu_sched_unthrottle(struct mvgpu_sched *s, u64 now)
{
	struct mvgpu_sched_entity *se;

	while ((se = mvgpu_se_of(rb_first_cached(&s->throttled))) &&
	       se->throttled_until <= now) {
		__mvgpu_se_dequeue(s, se);
		__mvgpu_se_enqueue(s, se);
	}
}

/*
 * The ready vGPU of priority @prio with the least vruntime that is within
 * its rate; those found over it move to the throttled tree on the way.
 */
static struct mvgpu_sched_entity *
__mvgpu_sched_first(struct mvgpu_sched *s, enum mvgpu_prio prio, u64 now)
{
	struct mvgpu_sched_entity *se;

	while ((se = mvgpu_se_of(rb_first_cached(&s->ready[prio])))) {
		u64 throttled;

		__mvgpu_se_refill(s, se, now);
		throttled = __mvgpu_se_throttled_for(s, se);
		if (!throttled)
			return se;
		__mvgpu_se_throttle(s, se, now + throttled);
	}
	return NULL;
}

static bool __mvgpu_sched_high_waiting(struct mvgpu_sched *s, u64 now)
{
	__mvgpu_sched_unthrottle(s, now);
	return __mvgpu_sched_first(s, MVGPU_PRIO_HIGH, now);
}

static struct mvgpu_sched_entity *
__mvgpu_sched_pick(struct mvgpu_sched *s, struct mvgpu_engine *eng, u64 now,
		   u64 *sleep_ns)
{
	struct mvgpu_sched_entity *best, *next;
	int prio;
	u64 waited;

	__mvgpu_sched_unthrottle(s, now);
	best = NULL;
	for (prio = MVGPU_NUM_PRIOS - 1; prio >= 0 && !best; prio--)
		best = __mvgpu_sched_first(s, prio, now);

	next = mvgpu_se_of(rb_first_cached(&s->throttled));
	*sleep_ns = next ? max_t(u64, 1, next->throttled_until - now) : U64_MAX;
	if (!best)
		return NULL;

	__mvgpu_se_dequeue(s, best);
	best->engine = eng->index;
	eng->curr = best;
	best->wait_ns += now - best->wait_start_ns;
	waited = s->slice_seq - best->wait_start_seq;
	best->max_wait_slices = max(best->max_wait_slices, waited);
	best->slices++;
	s->slice_seq++;
	return best;
}

static void __mvgpu_sched_charge(struct mvgpu_sched *s,
				 struct mvgpu_engine *eng,
				 struct mvgpu_sched_entity *se, u64 delta)
{
	u32 weight = max_t(u32, 1, s->policy->weight(se));

	se->busy_ns += delta;
	eng->busy_ns += delta;
	se->vruntime += div_u64(delta * MVGPU_VRUNTIME_SCALE, weight);
	if (__mvgpu_se_rate(s, se))
		se->tokens -= delta;
	__mvgpu_sched_update_min_vruntime(s);
}

/*
 * A fault costs the faulting vGPU engine time, as tearing a context down
 * does on hardware: a tenant that faults in a loop then only gets as many
 * faults as its share pays for, and cannot flood the engines and its
 * neighbours with fault handling.
 */
static void __mvgpu_sched_charge_fault(struct mvgpu_sched *s,
				       struct mvgpu_sched_entity *se)
{
	u32 weight = max_t(u32, 1, s->policy->weight(se));

	se->vruntime += div_u64(MVGPU_FAULT_COST_NS * MVGPU_VRUNTIME_SCALE,
				weight);
	if (__mvgpu_se_rate(s, se))
		se->tokens -= MVGPU_FAULT_COST_NS;
}

/* Time the vGPU's DMA worker spent: like engine time, but on no engine */
void mvgpu_sched_charge_dma(struct mvgpu_sched *s,
			    struct mvgpu_sched_entity *se, u64 ns)
{
	u32 weight;

	spin_lock(&s->lock);
	weight = max_t(u32, 1, s->policy->weight(se));
	se->busy_ns += ns;
	se->dma_ns += ns;
	se->vruntime += div_u64(ns * MVGPU_VRUNTIME_SCALE, weight);
	if (__mvgpu_se_rate(s, se))
		se->tokens -= ns;
	__mvgpu_se_requeue(s, se);
	spin_unlock(&s->lock);
}

static void __mvgpu_sched_end_slice(struct mvgpu_sched *s,
				    struct mvgpu_engine *eng,
				    struct mvgpu_sched_entity *se, u64 now)
{
	se->engine = -1;
	eng->curr = NULL;
	eng->wake_preempt = false;
	if (se->runnable) {
		se->wait_start_ns = now;
		se->wait_start_seq = s->slice_seq;
		__mvgpu_se_enqueue(s, se);
	}
	wake_up_all(&s->idle_wq);
}

/*
 * The time the calling thread has spent runnable but waiting for a CPU:
 * the scheduler's own count for the task (sched_info.run_delay, as in
 * /proc/PID/schedstat), brought up to date each time the task gets a
 * CPU, so current's is exact while it runs.  A chunk is not charged the
 * time the host's CPU went to other tasks.
 *
 * Not preempt notifiers: the first one registered, and the last one
 * gone, flips a static key in the context-switch path (text patching on
 * every engine start and stop), and under QEMU TCG that patching
 * livelocked the guest at module load and unload (docs/design.md).
 */
static u64 mvgpu_engine_run_delay(void)
{
#ifdef CONFIG_SCHED_INFO
	return current->sched_info.run_delay;
#else
	return 0;
#endif
}

/*
 * Run @se on @eng until its slice ends; returns with se off the engine.
 *
 * A chunk is charged the time its step held the engine: from taking the
 * context's exec_lock to dropping it, less the time the thread waited for
 * a CPU meanwhile (another task run at a preemption point) and the time
 * the step spent delivering the vGPU's interrupts (se->irq_ns).  A step
 * that sleeps keeps the engine from every other vGPU: that time is the
 * vGPU's.  Waiting for the exec_lock (held briefly by the vGPU's own BAR0
 * accesses), cond_resched() between chunks and the scheduler's own
 * bookkeeping are not charged: that is time the engine did not spend on
 * the vGPU's commands, and charging it pushed a vGPU that had run one NOP
 * a whole slice or more behind its neighbours.  The slice itself still
 * ends by the wall clock.
 */
static void mvgpu_engine_run_slice(struct mvgpu_engine *eng,
				   struct mvgpu_sched_entity *se)
{
	struct mvgpu_sched *s = eng->sched;
	struct mvgpu_hw *hw = &s->gpu->hw;
	u64 start = ktime_get_ns(), now;
	bool done = false;

	while (!done) {
		enum mvgpu_step_result res;
		u32 code = MVGPU_FAULT_NONE;
		u64 t0, wait0, irq0, ran, off;

		mutex_lock(&se->ctx->exec_lock);
		t0 = ktime_get_ns();
		wait0 = mvgpu_engine_run_delay();
		irq0 = se->irq_ns;
		res = hw->ops->engine_step(hw, eng->index, se->ctx);
		/* a reset may clear it once the lock is dropped */
		if (res == MVGPU_STEP_FAULT)
			code = se->ctx->fault_status & MVGPU_FAULT_CODE_MASK;
		now = ktime_get_ns();
		off = mvgpu_engine_run_delay() - wait0 + se->irq_ns - irq0;
		mutex_unlock(&se->ctx->exec_lock);
		ran = now - t0;
		ran -= min(ran, off);

		spin_lock(&s->lock);
		__mvgpu_sched_charge(s, eng, se, ran);
		if (res == MVGPU_STEP_FAULT) {
			__mvgpu_sched_charge_fault(s, se);
			/* by kind, whatever the backend: the meter's faults_KIND */
			if (code < MVGPU_NUM_FAULT_CODES)
				se->faults[code]++;
		}
		if (res != MVGPU_STEP_PROGRESS || !se->enabled) {
			__mvgpu_sched_update(s, se, now);
			done = !se->runnable || !se->enabled;
		}
		if (!done && ((se->prio == MVGPU_PRIO_NORMAL &&
			       __mvgpu_sched_high_waiting(s, now)) ||
			      eng->wake_preempt)) {
			se->preemptions++;
			done = true;
		}
		if (!done && now - start >= s->timeslice_ns)
			done = true;
		if (!done && __mvgpu_se_rate(s, se) && se->tokens <= 0)
			done = true;
		if (done) {
			/*
			 * Give the CPU up while still on the engine: time
			 * switched out here is neither the vGPU's nor its
			 * neighbours' (not busy, not waiting).
			 */
			spin_unlock(&s->lock);
			cond_resched();
			spin_lock(&s->lock);
			__mvgpu_sched_end_slice(s, eng, se, ktime_get_ns());
		}
		spin_unlock(&s->lock);
		if (!done)
			cond_resched();
	}
}

static void mvgpu_engine_idle(struct mvgpu_sched *s, u64 seen, u64 sleep_ns)
{
	DEFINE_WAIT(wait);

	prepare_to_wait(&s->work_wq, &wait, TASK_IDLE);
	if (READ_ONCE(s->kick_seq) == seen && !kthread_should_stop()) {
		if (sleep_ns == U64_MAX) {
			schedule();
		} else {
			ktime_t t = ns_to_ktime(sleep_ns);

			schedule_hrtimeout(&t, HRTIMER_MODE_REL);
		}
	}
	finish_wait(&s->work_wq, &wait);
}

static int mvgpu_engine_thread(void *data)
{
	struct mvgpu_engine *eng = data;
	struct mvgpu_sched *s = eng->sched;

	while (!kthread_should_stop()) {
		struct mvgpu_sched_entity *se;
		u64 seen, sleep_ns, t0, t1;

		spin_lock(&s->lock);
		seen = s->kick_seq;
		t0 = ktime_get_ns();
		se = __mvgpu_sched_pick(s, eng, t0, &sleep_ns);
		t1 = ktime_get_ns();
		s->picks++;
		s->pick_ns += t1 - t0;
		spin_unlock(&s->lock);

		if (se)
			mvgpu_engine_run_slice(eng, se);
		else
			mvgpu_engine_idle(s, seen, sleep_ns);
	}
	return 0;
}

static void mvgpu_sched_util_work(struct work_struct *work)
{
	struct mvgpu_sched *s = container_of(to_delayed_work(work),
					     struct mvgpu_sched, util_work);
	u64 now = ktime_get_ns(), period;
	unsigned int i;

	spin_lock(&s->lock);
	period = max_t(u64, 1, now - s->util_stamp);
	for (i = 0; i < s->num_engines; i++) {
		struct mvgpu_engine *eng = &s->engines[i];
		u64 busy = eng->busy_ns - eng->util_busy_snap;

		eng->util_pct = min_t(u64, 100, div64_u64(busy * 100, period));
		eng->util_busy_snap = eng->busy_ns;
	}
	s->util_stamp = now;
	spin_unlock(&s->lock);
	schedule_delayed_work(&s->util_work, MVGPU_UTIL_PERIOD);
}

static void mvgpu_sched_stop_engines(struct mvgpu_sched *s)
{
	unsigned int i;

	for (i = 0; i < s->num_engines; i++) {
		if (!s->engines[i].thread)
			continue;
		kthread_stop(s->engines[i].thread);
		s->engines[i].thread = NULL;
	}
}

int mvgpu_sched_init(struct mvgpu_sched *s, struct mvgpu_gpu *gpu,
		     unsigned int num_engines)
{
	unsigned int i;

	spin_lock_init(&s->lock);
	INIT_LIST_HEAD(&s->entities);
	for (i = 0; i < MVGPU_NUM_PRIOS; i++)
		s->ready[i] = RB_ROOT_CACHED;
	s->throttled = RB_ROOT_CACHED;
	init_waitqueue_head(&s->work_wq);
	init_waitqueue_head(&s->idle_wq);
	INIT_DELAYED_WORK(&s->util_work, mvgpu_sched_util_work);
	s->gpu = gpu;
	s->policy = mvgpu_sched_policies[MVGPU_POLICY_BEST_EFFORT];
	s->timeslice_ns = (u64)MVGPU_TIMESLICE_DEFAULT_US * NSEC_PER_USEC;
	s->num_engines = num_engines;
	s->util_stamp = ktime_get_ns();

	for (i = 0; i < num_engines; i++) {
		struct mvgpu_engine *eng = &s->engines[i];
		struct task_struct *t;

		eng->sched = s;
		eng->index = i;
		t = kthread_run(mvgpu_engine_thread, eng, "mvgpu%u-eng%u",
				gpu->index, i);
		if (IS_ERR(t)) {
			mvgpu_sched_stop_engines(s);
			return PTR_ERR(t);
		}
		eng->thread = t;
	}
	schedule_delayed_work(&s->util_work, MVGPU_UTIL_PERIOD);
	return 0;
}

void mvgpu_sched_fini(struct mvgpu_sched *s)
{
	cancel_delayed_work_sync(&s->util_work);
	mvgpu_sched_stop_engines(s);
	WARN_ON(!list_empty(&s->entities));
}

void mvgpu_sched_add(struct mvgpu_sched *s, struct mvgpu_sched_entity *se)
{
	se->engine = -1;
	se->enabled = false;
	se->runnable = false;
	se->queue = MVGPU_SE_OFF;
	RB_CLEAR_NODE(&se->rb);
	spin_lock(&s->lock);
	se->vruntime = s->min_vruntime;
	se->tokens = mvgpu_sched_burst(s);
	se->tokens_stamp = ktime_get_ns();
	list_add_tail(&se->node, &s->entities);
	spin_unlock(&s->lock);
}

void mvgpu_sched_remove(struct mvgpu_sched *s, struct mvgpu_sched_entity *se)
{
	mvgpu_sched_disable(s, se);
	spin_lock(&s->lock);
	list_del(&se->node);
	spin_unlock(&s->lock);
}

/* The entity's ring may have new work (doorbell) */
void mvgpu_sched_kick(struct mvgpu_sched *s, struct mvgpu_sched_entity *se)
{
	bool woke;
	u64 now;

	spin_lock(&s->lock);
	now = ktime_get_ns();
	woke = __mvgpu_sched_update(s, se, now);
	if (woke) {
		s->kick_seq++;
		__mvgpu_sched_wake_preempt(s, se, now);
	}
	spin_unlock(&s->lock);
	if (woke)
		wake_up_all(&s->work_wq);
}

void mvgpu_sched_enable(struct mvgpu_sched *s, struct mvgpu_sched_entity *se)
{
	spin_lock(&s->lock);
	se->enabled = true;
	spin_unlock(&s->lock);
	mvgpu_sched_kick(s, se);
}

/*
 * Take @se off the engines and wait until no engine runs it.  The caller
 * must not hold se->ctx->exec_lock: the engine finishing its chunk needs it.
 */
void mvgpu_sched_disable(struct mvgpu_sched *s, struct mvgpu_sched_entity *se)
{
	spin_lock(&s->lock);
	se->enabled = false;
	__mvgpu_sched_update(s, se, ktime_get_ns());
	spin_unlock(&s->lock);
	wait_event(s->idle_wq, READ_ONCE(se->engine) < 0);
}

int mvgpu_sched_set_policy(struct mvgpu_sched *s, const char *name)
{
	struct mvgpu_sched_entity *se;
	unsigned int i;
	u64 now = ktime_get_ns();

	for (i = 0; i < MVGPU_NUM_POLICIES; i++)
		if (sysfs_streq(name, mvgpu_sched_policies[i]->name))
			break;
	if (i == MVGPU_NUM_POLICIES)
		return -EINVAL;

	spin_lock(&s->lock);
	if (s->policy != mvgpu_sched_policies[i]) {
		s->policy = mvgpu_sched_policies[i];
		/* virtual runtimes of one policy mean nothing to another */
		list_for_each_entry(se, &s->entities, node) {
			se->vruntime = s->min_vruntime;
			se->tokens = mvgpu_sched_burst(s);
			se->tokens_stamp = now;
			__mvgpu_se_requeue(s, se);
		}
		s->kick_seq++;
	}
	spin_unlock(&s->lock);
	wake_up_all(&s->work_wq);
	return 0;
}

int mvgpu_sched_set_timeslice(struct mvgpu_sched *s, u64 us)
{
	if (us < MVGPU_TIMESLICE_MIN_US || us > MVGPU_TIMESLICE_MAX_US)
		return -ERANGE;
	spin_lock(&s->lock);
	s->timeslice_ns = us * NSEC_PER_USEC;
	/* a throttled vGPU's wait was computed for the old slice */
	__mvgpu_sched_unthrottle(s, U64_MAX);
	s->kick_seq++;
	spin_unlock(&s->lock);
	wake_up_all(&s->work_wq);
	return 0;
}

void mvgpu_sched_set_weight(struct mvgpu_sched *s,
			    struct mvgpu_sched_entity *se, u32 weight)
{
	spin_lock(&s->lock);
	se->weight = weight;
	spin_unlock(&s->lock);
}

/* A new priority moves a queued vGPU to that priority's tree */
void mvgpu_sched_set_prio(struct mvgpu_sched *s,
			  struct mvgpu_sched_entity *se, enum mvgpu_prio prio)
{
	spin_lock(&s->lock);
	if (se->queue != MVGPU_SE_OFF) {
		__mvgpu_se_dequeue(s, se);
		se->prio = prio;
		__mvgpu_se_enqueue(s, se);
	} else {
		se->prio = prio;
	}
	s->kick_seq++;
	spin_unlock(&s->lock);
	wake_up_all(&s->work_wq);
}

/* A new rate: a throttled vGPU is looked at again at the next pick */
void mvgpu_sched_set_cap(struct mvgpu_sched *s,
			 struct mvgpu_sched_entity *se, u32 cap_pct)
{
	spin_lock(&s->lock);
	se->cap_pct = cap_pct;
	__mvgpu_se_requeue(s, se);
	s->kick_seq++;
	spin_unlock(&s->lock);
	wake_up_all(&s->work_wq);
}

/* ------------------------------------------------------------------ */
/* Readers: what other files see of the scheduler, taken under its lock */
/* ------------------------------------------------------------------ */

void mvgpu_sched_read_entity(struct mvgpu_sched *s,
			     const struct mvgpu_sched_entity *se,
			     struct mvgpu_sched_stats *st)
{
	spin_lock(&s->lock);
	st->busy_ns = se->busy_ns;
	st->dma_ns = se->dma_ns;
	st->wait_ns = se->wait_ns;
	/* include the wait in progress */
	if (se->runnable && se->engine < 0)
		st->wait_ns += ktime_get_ns() - se->wait_start_ns;
	st->vruntime_ns = div_u64(se->vruntime, MVGPU_VRUNTIME_SCALE);
	st->slices = se->slices;
	st->preemptions = se->preemptions;
	st->max_wait_slices = se->max_wait_slices;
	memcpy(st->faults, se->faults, sizeof(st->faults));
	spin_unlock(&s->lock);
}

u64 mvgpu_sched_busy_ns(struct mvgpu_sched *s,
			const struct mvgpu_sched_entity *se)
{
	u64 v;

	spin_lock(&s->lock);
	v = se->busy_ns;
	spin_unlock(&s->lock);
	return v;
}

void mvgpu_sched_read_engines(struct mvgpu_sched *s,
			      u64 busy_ns[MVGPU_MAX_ENGINES])
{
	unsigned int i;

	spin_lock(&s->lock);
	for (i = 0; i < s->num_engines; i++)
		busy_ns[i] = s->engines[i].busy_ns;
	spin_unlock(&s->lock);
}

void mvgpu_sched_read_counters(struct mvgpu_sched *s, u64 *picks,
			       u64 *pick_ns, u64 *slices)
{
	spin_lock(&s->lock);
	*picks = s->picks;
	*pick_ns = s->pick_ns;
	*slices = s->slice_seq;
	spin_unlock(&s->lock);
}
