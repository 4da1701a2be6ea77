/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mvgpu: mediated virtual GPUs over VFIO/mdev.
 *
 * Objects:
 *   struct mvgpu_gpu   one physical GPU: the mdev parent, its VRAM, engines
 *                      and scheduler (host-wide helpers are mvgpu_gpu_*)
 *   struct mvgpu_vgpu  one vGPU: its config space, BAR0 registers, VRAM
 *                      partition, interrupts and context (per-instance
 *                      helpers are mvgpu_vgpu_*); the VFIO glue
 *                      (mvgpu_vfio.c) wraps it in a vfio_device
 *
 * Nothing here includes VFIO or mdev headers: only the glue does
 * (mvgpu_vfio.c, mvgpu_vfio_irq.c, their mvgpu_vfio.h).
 *
 * Lock ordering (outermost first):
 *   gpu->lock -> vgpu->lock -> ctx->exec_lock -> sched->lock
 *             -> vgpu->irq_lock
 *   ctx->exec_lock -> vgpu->dma.mutex -> sched->lock
 *   mmap_lock -> vgpu->vram_rwsem (a fault on a VRAM mapping, also from
 *   the DMA thread copying to or from one; it holds no lock of ours then)
 * No lock of ours is held while waiting on a client's memory, file
 * descriptors or timing, except the client's own mmap_lock in a fault.
 * The engine threads take ctx->exec_lock and sched->lock, never both.
 * Nothing is taken under vram_rwsem but the mapping's i_mmap lock.
 * gpu->meter.lock is a leaf: nothing is taken under it.
 */
#ifndef MVGPU_H
#define MVGPU_H

#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/pci_regs.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/seqlock.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/uuid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "mvgpu_backend.h"

#define MVGPU_NAME		"mvgpu"
/* at most, divisors 1, 2, 4, ... MVGPU_SLICES (caps.max_divisor) */
#define MVGPU_NUM_TYPES		7
#define MVGPU_CFG_SIZE		256

struct mvgpu_gpu;
struct mvgpu_vgpu;
struct mvgpu_ctx;
struct mvgpu_mig_file;

/* Context helpers (mvgpu_ctx.c; mvgpu_ctx_has_work is in mvgpu_backend.h) */
void mvgpu_ctx_reset(struct mvgpu_ctx *ctx);

/* ------------------------------------------------------------------ */
/* Scheduler                                                           */
/* ------------------------------------------------------------------ */

enum mvgpu_prio {
	MVGPU_PRIO_NORMAL,
	MVGPU_PRIO_HIGH,
	MVGPU_NUM_PRIOS,
};

enum mvgpu_policy {
	MVGPU_POLICY_BEST_EFFORT,
	MVGPU_POLICY_EQUAL_SHARE,
	MVGPU_POLICY_FIXED_SHARE,
	MVGPU_NUM_POLICIES,
};

/*
 * Virtual runtime grows by engine ns * MVGPU_VRUNTIME_SCALE / weight; the
 * scale keeps precision for large weights.  sysfs shows it divided back,
 * so vruntime_ns is engine ns divided by the weight.
 */
#define MVGPU_VRUNTIME_SCALE	1000ULL
/* what a fault costs the faulting vGPU in virtual runtime and rate */
#define MVGPU_FAULT_COST_NS	(1000ULL * 1000)

/* where a sched entity is queued; under sched->lock */
enum mvgpu_se_queue {
	MVGPU_SE_OFF,			/* not queued: idle, disabled or running */
	MVGPU_SE_READY,			/* sched->ready[prio], by vruntime */
	MVGPU_SE_THROTTLED,		/* sched->throttled, by throttled_until */
};

struct mvgpu_sched_entity {
	struct list_head node;		/* sched->entities */
	struct rb_node rb;		/* in the tree se->queue names */
	struct mvgpu_ctx *ctx;
	u32 share_permille;		/* the type's share of the GPU */
	/*
	 * Under ctx->exec_lock: ns the engine's steps spent delivering this
	 * vGPU's interrupts (ctx->ops->raise_irq), which is not engine time.
	 */
	u64 irq_ns;

	/* all below under sched->lock */
	u32 weight;
	enum mvgpu_prio prio;
	u32 cap_pct;			/* 0 = no cap */
	bool enabled;			/* may be scheduled at all */
	bool runnable;			/* has work and is enabled */
	int engine;			/* engine running it, or -1 */
	enum mvgpu_se_queue queue;
	u64 vruntime;			/* key in sched->ready[prio] */
	u64 throttled_until;		/* key in sched->throttled */
	s64 tokens;			/* engine-ns it may still run */
	u64 tokens_stamp;
	u64 wait_start_ns;		/* runnable and not running since */
	u64 wait_start_seq;		/* sched->slice_seq at that time */

	/* statistics */
	u64 busy_ns;			/* engine and DMA time */
	u64 dma_ns;			/* DMA time alone */
	u64 wait_ns;
	u64 slices;
	u64 preemptions;
	u64 max_wait_slices;
	u64 faults[MVGPU_NUM_FAULT_CODES];	/* by MVGPU_FAULT_* code */
};

struct mvgpu_engine {
	struct mvgpu_sched *sched;
	unsigned int index;
	struct task_struct *thread;
	struct mvgpu_sched_entity *curr;	/* under sched->lock */
	/* under sched->lock: a waking vGPU asks curr's slice to end */
	bool wake_preempt;
	u64 busy_ns;			/* under sched->lock */
	u64 util_busy_snap;		/* utilisation window start */
	u32 util_pct;
};

struct mvgpu_sched_policy_ops;

struct mvgpu_sched {
	struct mvgpu_gpu *gpu;
	spinlock_t lock;		/* guards everything below */
	struct list_head entities;	/* every vGPU of the GPU */
	/*
	 * Runnable vGPUs not on an engine, one tree per priority ordered by
	 * virtual runtime, and those over their rate ordered by the time they
	 * may run again.  Engines pick from the leftmost nodes only.
	 */
	struct rb_root_cached ready[MVGPU_NUM_PRIOS];
	struct rb_root_cached throttled;
	u64 picks;			/* picks made, for the pick cost */
	u64 pick_ns;			/* time spent picking */
	const struct mvgpu_sched_policy_ops *policy;
	u64 timeslice_ns;
	u64 min_vruntime;
	u64 slice_seq;			/* slices started, ever */
	u64 kick_seq;			/* bumped whenever work may appear */
	wait_queue_head_t work_wq;	/* engines wait for work here */
	wait_queue_head_t idle_wq;	/* waiters for an entity to stop */
	unsigned int num_engines;
	struct mvgpu_engine engines[MVGPU_MAX_ENGINES];
	struct delayed_work util_work;
	u64 util_stamp;
};

/**
 * struct mvgpu_sched_policy_ops - a scheduling policy
 * @name: as written to the parent's "scheduler" attribute
 * @weight: the weight that scales virtual runtime
 * @rate_permille: engine time the entity may use, in 1/1000 of the GPU
 *	(all engines); 0 means unlimited
 */
struct mvgpu_sched_policy_ops {
	const char *name;
	u32 (*weight)(const struct mvgpu_sched_entity *se);
	u32 (*rate_permille)(const struct mvgpu_sched_entity *se);
};

extern const struct mvgpu_sched_policy_ops *const
	mvgpu_sched_policies[MVGPU_NUM_POLICIES];

int mvgpu_sched_init(struct mvgpu_sched *sched, struct mvgpu_gpu *gpu,
		     unsigned int num_engines);
void mvgpu_sched_fini(struct mvgpu_sched *sched);
void mvgpu_sched_add(struct mvgpu_sched *sched, struct mvgpu_sched_entity *se);
void mvgpu_sched_remove(struct mvgpu_sched *sched,
			struct mvgpu_sched_entity *se);
void mvgpu_sched_kick(struct mvgpu_sched *sched, struct mvgpu_sched_entity *se);
void mvgpu_sched_charge_dma(struct mvgpu_sched *sched,
			    struct mvgpu_sched_entity *se, u64 ns);
void mvgpu_sched_enable(struct mvgpu_sched *sched,
			struct mvgpu_sched_entity *se);
void mvgpu_sched_disable(struct mvgpu_sched *sched,
			 struct mvgpu_sched_entity *se);
int mvgpu_sched_set_policy(struct mvgpu_sched *sched, const char *name);
int mvgpu_sched_set_timeslice(struct mvgpu_sched *sched, u64 us);
void mvgpu_sched_set_weight(struct mvgpu_sched *sched,
			    struct mvgpu_sched_entity *se, u32 weight);
void mvgpu_sched_set_prio(struct mvgpu_sched *sched,
			  struct mvgpu_sched_entity *se, enum mvgpu_prio prio);
void mvgpu_sched_set_cap(struct mvgpu_sched *sched,
			 struct mvgpu_sched_entity *se, u32 cap_pct);

/* A sched entity's statistics, read at once under the scheduler's lock */
struct mvgpu_sched_stats {
	u64 busy_ns;
	u64 dma_ns;
	u64 wait_ns;		/* with the wait in progress */
	u64 vruntime_ns;
	u64 slices;
	u64 preemptions;
	u64 max_wait_slices;
	u64 faults[MVGPU_NUM_FAULT_CODES];	/* by MVGPU_FAULT_* code */
};

void mvgpu_sched_read_entity(struct mvgpu_sched *sched,
			     const struct mvgpu_sched_entity *se,
			     struct mvgpu_sched_stats *st);
u64 mvgpu_sched_busy_ns(struct mvgpu_sched *sched,
			const struct mvgpu_sched_entity *se);
void mvgpu_sched_read_engines(struct mvgpu_sched *sched,
			      u64 busy_ns[MVGPU_MAX_ENGINES]);
void mvgpu_sched_read_counters(struct mvgpu_sched *sched, u64 *picks,
			       u64 *pick_ns, u64 *slices);

/* ------------------------------------------------------------------ */
/* Physical GPU (mdev parent)                                          */
/* ------------------------------------------------------------------ */

struct mvgpu_type {
	struct mvgpu_gpu *gpu;
	unsigned int divisor;		/* 1/divisor of the GPU */
	unsigned int slices;
	char sysfs_name[16];
	char pretty_name[32];
};

struct mvgpu_vfio_parent;

/*
 * The final meters of removed vGPUs, until a consumer acknowledges them
 * (mvgpu_meter.c; the format is in include/mvgpu_uapi.h).
 */
struct mvgpu_meter_record {
	u64 seq;
	char uuid[UUID_STRING_LEN + 1];
	char type[16];
	u64 v[MVGPU_NUM_METERS];	/* enum mvgpu_meter_id */
};

/*
 * VRAM in use (include/mvgpu_uapi.h, MVGPU_ATTR_VRAM_USED): one bit per
 * MVGPU_VRAM_USE_GRANULE of the vGPU's VRAM, set with atomic bitops by
 * whoever writes there; cleared only at scrub, when nothing can write.
 */
struct mvgpu_vram_use {
	unsigned long *map;
	atomic64_t granules;		/* bits set in map */
};

struct mvgpu_meter {
	spinlock_t lock;		/* guards everything below */
	struct mvgpu_meter_record rec[MVGPU_METER_RECORDS];
	unsigned int first;		/* index of the oldest record */
	unsigned int count;
	u64 next_seq;
	u64 dropped;
};

struct mvgpu_gpu {
	struct mvgpu_hw hw;		/* what its backend sees */
	struct device dev;		/* /sys/class/mvgpu/mvgpuN */
	struct device *parent_dev;	/* the mdev parent: hw.dev or &dev */
	struct mvgpu_vfio_parent *vfio;	/* the glue's: mdev parent, types */
	unsigned int index;		/* from an ida: GPUs come and go */
	u64 slice_size;			/* caps.vram_size / MVGPU_SLICES */

	unsigned int num_types;		/* divisors 1 .. caps.max_divisor */
	struct mvgpu_type types[MVGPU_NUM_TYPES];

	struct mutex lock;		/* guards the fields below */
	unsigned long slice_map;	/* bit set: slice belongs to a vGPU */
	struct list_head vgpus;

	struct mvgpu_sched sched;
	struct mvgpu_meter meter;
};

static inline struct mvgpu_gpu *mvgpu_dev_to_gpu(struct device *dev)
{
	return container_of(dev, struct mvgpu_gpu, dev);
}

static inline struct mvgpu_gpu *mvgpu_hw_to_gpu(struct mvgpu_hw *hw)
{
	return container_of(hw, struct mvgpu_gpu, hw);
}

/* The VFIO glue (mvgpu_vfio.c): the mdev driver, each GPU's mdev parent */
int mvgpu_vfio_module_init(void);
void mvgpu_vfio_module_exit(void);
int mvgpu_vfio_parent_register(struct mvgpu_gpu *gpu);
void mvgpu_vfio_parent_unregister(struct mvgpu_gpu *gpu);

/* GPU registration (mvgpu_gpu.c) */
int mvgpu_gpu_module_init(void);
void mvgpu_gpu_module_exit(void);

extern const struct attribute_group *mvgpu_gpu_groups[];
extern const struct attribute_group *mvgpu_vgpu_groups[];
extern const char *const mvgpu_stat_names[MVGPU_NUM_STATS];
extern const char *const mvgpu_meter_names[MVGPU_NUM_METERS];
void mvgpu_sysfs_init(void);

void mvgpu_types_init(struct mvgpu_gpu *gpu);
unsigned int mvgpu_type_available(const struct mvgpu_type *type);
ssize_t mvgpu_type_description(const struct mvgpu_type *type, char *buf);
u64 mvgpu_type_vram_size(const struct mvgpu_type *type);
unsigned int mvgpu_type_share_permille(const struct mvgpu_type *type);
int mvgpu_gpu_reserve_slices(struct mvgpu_gpu *gpu,
			     const struct mvgpu_type *type,
			     u64 slice_base[MVGPU_SLICES]);
void mvgpu_gpu_release_slices(struct mvgpu_gpu *gpu,
			      const struct mvgpu_type *type,
			      const u64 slice_base[MVGPU_SLICES]);

/* ------------------------------------------------------------------ */
/* vGPU                                                                */
/* ------------------------------------------------------------------ */

struct mvgpu_irq_trigger {
	struct eventfd_ctx *trigger;
	bool masked;		/* VFIO ACTION_MASK, or INTx auto-mask */
	bool pending;		/* raised while masked */
};

/* A vGPU's DMA engine: a thread that copies to and from client memory */
struct mvgpu_dma {
	struct task_struct *thread;	/* exits by itself once stop is set */
	void *bounce;			/* MVGPU_DMA_MAX_BYTES, the thread's */
	/* guards the fields below and ctx->dma results; never held across
	 * client memory
	 */
	struct mutex mutex;
	u64 gen;			/* bumped by each cancel */
	bool queued;			/* ctx->dma waits for the thread */
	bool copying;			/* the thread is in a client copy */
	bool stop;			/* the vGPU is going away */
	bool broken;			/* no thread: jobs fail at once */
	wait_queue_head_t wq;		/* the thread waits for a job */
	wait_queue_head_t idle_wq;	/* cancel waits for !copying */
	struct delayed_work watchdog;	/* looks for a dead client */
	atomic64_t abandoned;		/* copies given up on */
};

/* What a vGPU needs from the VFIO glue that made it (mvgpu_vfio.c) */
struct mvgpu_vgpu_host_ops {
	/* keep the vGPU's memory while a thread or a file uses it */
	void (*get)(struct mvgpu_vgpu *vgpu);
	void (*put)(struct mvgpu_vgpu *vgpu);
	/* copy to (@write) or from the client's memory by IOVA; may sleep */
	int (*dma_rw)(struct mvgpu_vgpu *vgpu, u64 iova, void *buf,
		      size_t len, bool write);
};

/* VFIO migration states the device takes (the glue maps VFIO's onto them) */
enum mvgpu_mig_state {
	MVGPU_MIG_RUNNING,
	MVGPU_MIG_STOP,
	MVGPU_MIG_STOP_COPY,
	MVGPU_MIG_RESUMING,
};

struct mvgpu_vgpu {
	struct device *dev;		/* the mdev device, for logs */
	const struct mvgpu_vgpu_host_ops *host;
	struct mvgpu_gpu *gpu;
	const struct mvgpu_type *type;
	struct list_head node;		/* gpu->vgpus, under gpu->lock */
	bool removing;			/* remove waits for the client */

	/*
	 * Serialises client accesses that change device state: config
	 * space, BAR0 registers, open/close, reset, IRQ configuration.
	 */
	struct mutex lock;
	bool open;
	pid_t owner_pid;
	/* the opener's comm, non-printable bytes escaped as \ooo */
	char owner_comm[TASK_COMM_LEN * 4];

	/*
	 * PCI config space, written under lock inside cfg_seq; read under
	 * lock or lockless through cfg_seq (mvgpu_cfg_read)
	 */
	seqcount_mutex_t cfg_seq;
	u8 cfg[MVGPU_CFG_SIZE];
	u8 cfg_wmask[MVGPU_CFG_SIZE];

	/* BAR0 state that is not the engine's: written under lock */
	u64 scratch;

	/*
	 * Interrupts: device causes and the client's eventfds.  irq_lock is
	 * always taken with spin_lock_irqsave: a hardware backend may raise
	 * (ctx->ops->raise_irq) from its interrupt handler.
	 */
	spinlock_t irq_lock;
	u32 int_status;			/* under irq_lock */
	u32 int_mask;			/* under irq_lock */
	int irq_type;			/* VFIO_PCI_*_IRQ_INDEX or -1 (glue's) */
	bool intx_disabled;		/* PCI_COMMAND_INTX_DISABLE */
	struct mvgpu_irq_trigger intx;
	struct mvgpu_irq_trigger msi;
	struct eventfd_ctx *req_trigger;
	struct virqfd *intx_unmask_virqfd;	/* UNMASK by eventfd */
	struct eventfd_ctx *intx_unmask_ctx;	/* its eventfd, under lock */
	/*
	 * The INTx trigger is also the UNMASK eventfd and was just signalled:
	 * the unmask that signal causes is ours, not the client's, and is
	 * dropped, or the two would deliver interrupts in a loop.  irq_lock.
	 */
	bool intx_echo;
	u64 interrupts;			/* delivered, under irq_lock */

	/* VRAM BAR */
	struct rw_semaphore vram_rwsem;	/* guards vram_enabled vs faults */
	bool vram_enabled;		/* open, memory decode on, alive */
	struct file *vram_file;		/* owns the address_space we zap */
	atomic64_t vram_faults;
	atomic64_t scrubs;		/* VRAM scrubs at last close */
	atomic64_t scrub_last_ns;	/* how long the last one took */
	struct mvgpu_vram_use vram_use;

	u64 created_ns;			/* ktime_get_ns() at init */

	struct mvgpu_ctx ctx;
	struct mvgpu_sched_entity se;
	struct mvgpu_dma dma;

	/* migration, under lock */
	enum mvgpu_mig_state mig_state;
	struct mvgpu_mig_file *mig_save;	/* STOP_COPY session */
	struct mvgpu_mig_file *mig_load;	/* RESUMING session */
};

static inline struct mvgpu_vgpu *mvgpu_ctx_to_vgpu(struct mvgpu_ctx *ctx)
{
	return container_of(ctx, struct mvgpu_vgpu, ctx);
}

/* DMA engine (mvgpu_dma.c) */
int mvgpu_dma_init(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_fini(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_release(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_start(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_cancel(struct mvgpu_vgpu *vgpu);

/*
 * vGPU lifecycle (mvgpu_vgpu.c), called by the VFIO glue: all but init,
 * teardown and release with vgpu->lock held
 */
int mvgpu_vgpu_init(struct mvgpu_vgpu *vgpu, struct mvgpu_type *type,
		    struct device *dev, const struct mvgpu_vgpu_host_ops *host);
void mvgpu_vgpu_set_removing(struct mvgpu_vgpu *vgpu);
void mvgpu_vgpu_teardown(struct mvgpu_vgpu *vgpu);
void mvgpu_vgpu_release(struct mvgpu_vgpu *vgpu);
void mvgpu_vgpu_open(struct mvgpu_vgpu *vgpu);
void mvgpu_vgpu_close(struct mvgpu_vgpu *vgpu);
void mvgpu_vgpu_reset(struct mvgpu_vgpu *vgpu, bool function_reset);
void mvgpu_vgpu_quiesce(struct mvgpu_vgpu *vgpu);
int mvgpu_vgpu_cfg_write(struct mvgpu_vgpu *vgpu, u32 off, const u8 *buf,
			 u32 len);
void mvgpu_vgpu_mig_stop(struct mvgpu_vgpu *vgpu);
void mvgpu_vgpu_mig_run(struct mvgpu_vgpu *vgpu);
int mvgpu_vgpu_mig_load(struct mvgpu_vgpu *vgpu);

/*
 * Migration data sessions (mvgpu_migration.c), vgpu->lock held: the
 * stream of a stopped vGPU (save) or into one (load), each a file
 */
struct file *mvgpu_mig_save_open(struct mvgpu_vgpu *vgpu);
void mvgpu_mig_save_close(struct mvgpu_vgpu *vgpu);
struct file *mvgpu_mig_load_open(struct mvgpu_vgpu *vgpu);
int mvgpu_mig_load_finish(struct mvgpu_vgpu *vgpu, u8 cfg[MVGPU_CFG_SIZE]);
void mvgpu_mig_load_close(struct mvgpu_vgpu *vgpu);

/*
 * PCI config space (mvgpu_cfg_space.c), caller holds vgpu->lock.  A write
 * returns MVGPU_CFG_COMMAND_CHANGED when it touched PCI_COMMAND, for the
 * caller (mvgpu_vgpu_cfg_write) to act on.
 */
#define MVGPU_CFG_COMMAND_CHANGED	1
void mvgpu_cfg_reset(struct mvgpu_vgpu *vgpu);
int mvgpu_cfg_read(struct mvgpu_vgpu *vgpu, u32 off, u8 *buf, u32 len);
int mvgpu_cfg_write(struct mvgpu_vgpu *vgpu, u32 off, const u8 *buf,
		    u32 len);

/*
 * Memory decoding; a single byte, so also read without vgpu->lock.
 * Inline: every BAR access asks it.
 */
static inline bool mvgpu_cfg_mem_enabled(const struct mvgpu_vgpu *vgpu)
{
	return READ_ONCE(vgpu->cfg[PCI_COMMAND]) & PCI_COMMAND_MEMORY;
}

/*
 * BAR0 registers (mvgpu_mmio.c), caller holds vgpu->lock.  A write
 * returns MVGPU_MMIO_RESET for a valid write to RESET, for the caller
 * (mvgpu_vgpu_mmio_write) to reset the vGPU.
 */
#define MVGPU_MMIO_RESET	1
int mvgpu_mmio_read(struct mvgpu_vgpu *vgpu, u32 off, void *buf, u32 len);
void mvgpu_mmio_module_init(void);
int mvgpu_mmio_write(struct mvgpu_vgpu *vgpu, u32 off, const void *buf,
		     u32 len);
void mvgpu_mmio_reset(struct mvgpu_vgpu *vgpu);

/*
 * A BAR0 write; the RESET register resets the vGPU.  vgpu->lock held.
 * Inline, as are mvgpu_cfg_mem_enabled and mvgpu_mmio_value: a call level
 * less is measurable on a trapped access (docs/performance.md).
 */
static inline int mvgpu_vgpu_mmio_write(struct mvgpu_vgpu *vgpu, u32 off,
					const void *buf, u32 len)
{
	int ret = mvgpu_mmio_write(vgpu, off, buf, len);

	if (ret == MVGPU_MMIO_RESET) {
		mvgpu_vgpu_reset(vgpu, false);
		ret = 0;
	}
	return ret;
}

/* VRAM BAR (mvgpu_vram.c) */
int mvgpu_vram_module_init(void);
void mvgpu_vram_module_exit(void);
int mvgpu_vram_init(struct mvgpu_vgpu *vgpu);
void mvgpu_vram_fini(struct mvgpu_vgpu *vgpu);
void mvgpu_vram_update(struct mvgpu_vgpu *vgpu, bool enable);
ssize_t mvgpu_vram_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf,
		      size_t count, u64 off, bool write);
int mvgpu_vram_mmap(struct mvgpu_vgpu *vgpu, struct vm_area_struct *vma);
void *mvgpu_vgpu_vram_map(struct mvgpu_vgpu *vgpu, u64 off);

/* Metering (mvgpu_meter.c) */
void mvgpu_meter_init(struct mvgpu_gpu *gpu);
void mvgpu_meter_read(struct mvgpu_vgpu *vgpu, u64 v[MVGPU_NUM_METERS]);
void mvgpu_meter_retire(struct mvgpu_vgpu *vgpu);
ssize_t mvgpu_meter_show(struct mvgpu_gpu *gpu, char *buf);
void mvgpu_meter_ack(struct mvgpu_gpu *gpu, u64 seq);
u64 mvgpu_meter_dropped(struct mvgpu_gpu *gpu);
int mvgpu_vram_use_init(struct mvgpu_vgpu *vgpu);
void mvgpu_vram_use_fini(struct mvgpu_vgpu *vgpu);
void mvgpu_vram_use_reset(struct mvgpu_vgpu *vgpu);
u64 mvgpu_vram_used(struct mvgpu_vgpu *vgpu);
void mvgpu_ctx_mark_used(struct mvgpu_ctx *ctx, u64 off, u64 len);

/* Interrupts (mvgpu_vfio_irq.c, the glue's interrupt half) */
void mvgpu_irq_init(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_raise(struct mvgpu_vgpu *vgpu, u32 causes);
void mvgpu_irq_ack(struct mvgpu_vgpu *vgpu, u32 causes);
void mvgpu_irq_set_mask(struct mvgpu_vgpu *vgpu, u32 mask);
void mvgpu_irq_set_intx_disabled(struct mvgpu_vgpu *vgpu, bool disabled);
void mvgpu_irq_reset(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_replay(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_teardown(struct mvgpu_vgpu *vgpu);
bool mvgpu_irq_intx_asserted(struct mvgpu_vgpu *vgpu);

#endif /* MVGPU_H */
