/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mvgpu_backend.h - all that a GPU backend sees of mvgpu.
 *
 * A backend drives one kind of physical GPU.  It includes this header and
 * nothing else of mvgpu: no VFIO, no mdev, no scheduler.  The mediator
 * (everything else in kmod/) owns the vGPUs, their BAR0 registers, their
 * interrupts, the scheduler and migration; the backend owns the GPU's VRAM
 * and engines and the context state its engines need.
 *
 *   struct mvgpu_hw          one GPU as a backend sees it: its device, its
 *                            capabilities, the backend's private state
 *   struct mvgpu_ctx         one vGPU as an engine sees it: the registers
 *                            the guest programmed, its VRAM partition, the
 *                            backend's private per-context state
 *   struct mvgpu_backend_ops what the mediator calls
 *
 * A backend makes a GPU with mvgpu_gpu_register() on the struct device it
 * drives (a PCI function, say); that device becomes the mdev parent.
 *
 * VRAM offsets given to struct mvgpu_backend_ops are physical (whole GPU);
 * the mediator and mvgpu_ctx_vram_phys() translate a vGPU's offsets
 * through its partition first.  VRAM may be I/O memory
 * (caps.vram_iomem): then it is only ever touched through the
 * mvgpu_vram_*() helpers below, and mapped to users write-combining.
 */
#ifndef MVGPU_BACKEND_H
#define MVGPU_BACKEND_H

#include <linux/device.h>
#include <linux/io.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/types.h>

#include "../include/mvgpu_uapi.h"

#define MVGPU_MAX_ENGINES	8
/* VRAM is carved in slices; a type takes MVGPU_SLICES / divisor of them */
#define MVGPU_SLICES		64
/* the most a backend's ctx_save may write */
#define MVGPU_CTX_STATE_MAX	4096

struct mvgpu_hw;
struct mvgpu_ctx;

/* ------------------------------------------------------------------ */
/* The GPU                                                             */
/* ------------------------------------------------------------------ */

/**
 * struct mvgpu_hw_caps - what a GPU offers, filled in by gpu_init
 * @cap_bits: MVGPU_CAP_* the engines implement (the BAR0 CAPS register)
 * @num_engines: engines, 1..MVGPU_MAX_ENGINES
 * @vram_size: bytes of VRAM, a power of two of at least
 *	MVGPU_SLICES * PAGE_SIZE
 * @max_divisor: the smallest vGPU type is 1/@max_divisor of the GPU: a
 *	power of two, 1..MVGPU_SLICES
 * @vram_iomem: VRAM is I/O memory: reach it only through mvgpu_vram_*(),
 *	and users map it write-combining.  Otherwise VRAM is ordinary kernel
 *	pages left at their write-back memory type, which user mappings get
 *	without a memory-type lookup per page
 * @ctx_state_size: bytes ctx_save writes, at most MVGPU_CTX_STATE_MAX
 */
struct mvgpu_hw_caps {
	u32 cap_bits;
	unsigned int num_engines;
	u64 vram_size;
	unsigned int max_divisor;
	bool vram_iomem;
	size_t ctx_state_size;
};

/**
 * struct mvgpu_hw - one physical GPU as its backend sees it
 * @dev: the device the GPU was registered on, for logs; never NULL
 * @ops: its backend
 * @caps: what it offers; read-only after gpu_init
 * @priv: the backend's private state, set before or in gpu_init
 */
struct mvgpu_hw {
	struct device *dev;
	const struct mvgpu_backend_ops *ops;
	struct mvgpu_hw_caps caps;
	void *priv;
};

/* ------------------------------------------------------------------ */
/* Execution context: what an engine sees of one vGPU                  */
/* ------------------------------------------------------------------ */

enum mvgpu_step_result {
	MVGPU_STEP_IDLE,	/* the ring is empty: nothing was run */
	MVGPU_STEP_PROGRESS,	/* one bounded chunk of work was run */
	MVGPU_STEP_FAULT,	/* the context faulted and stopped */
	MVGPU_STEP_BLOCKED,	/* waits for its DMA; runnable when done */
};

/**
 * struct mvgpu_ctx_ops - how an engine reaches back into the mediator
 * @dma_start: run ctx->dma against the client's memory, asynchronously;
 *	when it is done set ctx->dma_done, clear ctx->dma_busy and make the
 *	context runnable again
 * @raise_irq: latch interrupt causes (MVGPU_INT_*) and deliver them
 */
struct mvgpu_ctx_ops {
	void (*dma_start)(struct mvgpu_ctx *ctx);
	void (*raise_irq)(struct mvgpu_ctx *ctx, u32 causes);
};

/*
 * One step of a DMA command: up to a chunk of the client's memory from
 * @iova on, against these VRAM pieces (kernel addresses from vram_map) in
 * order.  Copying client memory can wait on page faults for as long as the
 * client likes (userfaultfd, FUSE), so it never runs on an engine: the
 * context waits for it instead.
 */
#define MVGPU_DMA_MAX_SEGS	16
/* bytes one job may move: a backend's chunk of a DMA command */
#define MVGPU_DMA_MAX_BYTES	(64 * 1024)

struct mvgpu_dma_job {
	u64 iova;
	bool to_host;
	unsigned int nsegs;
	struct {
		void *vram;
		u32 len;
	} segs[MVGPU_DMA_MAX_SEGS];
	u32 done;		/* bytes copied */
	int error;		/* of the first failed copy */
	u64 fault_iova;		/* where it failed */
};

struct mvgpu_ctx {
	const struct mvgpu_ctx_ops *ops;
	struct mvgpu_hw *hw;
	void *priv;			/* the backend's, from ctx_init */
	u64 vram_size;			/* bytes of this vGPU */
	u64 slice_size;			/* bytes per VRAM slice */
	u64 slice_base[MVGPU_SLICES];	/* physical offset of each slice */

	/*
	 * Serialises the engine running a chunk against BAR0 writes that
	 * reprogram the context, against reset, save and restore.
	 */
	struct mutex exec_lock;

	/* programmed through BAR0, under exec_lock */
	u64 pt_base;
	u32 pt_entries;
	u64 ring_base;
	u32 ring_size;
	u32 tail;	/* doorbell: written under exec_lock, read lockless */

	/* advanced by the engine under exec_lock, read lockless */
	u32 head;
	u64 fence;
	bool faulted;
	u32 fault_status;
	u32 fault_head;
	u64 fault_addr;
	bool dma_enabled;	/* PCI bus master enable */

	/*
	 * DMA in flight: the engine fills dma and sets dma_busy; the
	 * mediator's DMA thread stores the result and sets dma_done.
	 */
	struct mvgpu_dma_job dma;
	bool dma_busy;		/* release/acquire with the DMA thread */
	bool dma_done;		/* a result waits in dma */

	/* counters, under exec_lock */
	u64 commands;
	u64 bytes;
	u64 faults;
	u64 dma_bytes;		/* written by the DMA thread alone */
};

/* Work is queued: the ring is not empty and the context has not faulted */
bool mvgpu_ctx_has_work(const struct mvgpu_ctx *ctx);
/*
 * A backend's engine wrote [@off, @off + @len) of the context's VRAM
 * (vGPU offsets): call it from the write translation, any context, for
 * the VRAM-in-use meter (mvgpu_meter.c).
 */
void mvgpu_ctx_mark_used(struct mvgpu_ctx *ctx, u64 off, u64 len);

/*
 * The registers of struct mvgpu_ctx in a migration stream, for a
 * backend's ctx_save and ctx_restore (mvgpu_ctx.c).  Check them first,
 * with the rules BAR0 writes obey (-EINVAL if one breaks them), and load
 * them only once the rest of the state was checked too.  All three need
 * ctx->exec_lock.
 */
void mvgpu_ctx_save_regs(const struct mvgpu_ctx *ctx,
			 struct mvgpu_mig_ctx_regs *r);
int mvgpu_ctx_check_regs(const struct mvgpu_ctx *ctx,
			 const struct mvgpu_mig_ctx_regs *r);
void mvgpu_ctx_load_regs(struct mvgpu_ctx *ctx,
			 const struct mvgpu_mig_ctx_regs *r);

/* The physical VRAM offset of a vGPU VRAM offset below ctx->vram_size */
static inline u64 mvgpu_ctx_vram_phys(const struct mvgpu_ctx *ctx, u64 off)
{
	u64 slice = div64_u64(off, ctx->slice_size);

	return ctx->slice_base[slice] + (off - slice * ctx->slice_size);
}

/* ------------------------------------------------------------------ */
/* The backend                                                         */
/* ------------------------------------------------------------------ */

/**
 * struct mvgpu_backend_ops - one kind of physical GPU
 * @name: backend name, shown in sysfs (the GPU's "backend" attribute)
 * @gpu_init: set up the GPU: fill hw->caps, VRAM bookkeeping, engines
 * @gpu_fini: undo @gpu_init; every VRAM range has been released before
 * @vram_populate: back [@off, @off + @len) so it can be used; it reads
 *	zero afterwards (a new partition never shows a former tenant's data)
 * @vram_release: give [@off, @off + @len) back; it is not used until
 *	populated again
 * @vram_scrub: zero [@off, @off + @len) in place, which stays populated;
 *	may sleep, and should not take long without a cond_resched()
 * @vram_map: the kernel address of populated VRAM at @off, valid to the
 *	end of its page; I/O memory when caps.vram_iomem
 * @vram_pfn: the page frame of populated VRAM at @off, for user mappings;
 *	called with a page-table lock held, so it must not sleep
 * @ctx_init: set up the backend's state for a new context (ctx->priv)
 * @ctx_fini: free it
 * @ctx_reset: forget any command in progress; the mediator has reset the
 *	registers in struct mvgpu_ctx.  Called with ctx->exec_lock held
 * @ctx_save: write the context (the registers in struct mvgpu_ctx and
 *	the backend's own state) into @buf, at most caps.ctx_state_size
 *	bytes, in the backend's format; return the bytes written or -errno.
 *	The context is stopped: no engine runs it and no DMA is in flight
 * @ctx_restore: load a context @ctx_save wrote, from a stream a client
 *	hands in: check every field as a BAR0 write would and refuse
 *	anything else whole with -EINVAL, leaving the context as it was
 * @engine_step: run at most one bounded chunk of @ctx's command stream on
 *	engine @engine and say what happened; called with ctx->exec_lock held
 */
struct mvgpu_backend_ops {
	const char *name;
	int (*gpu_init)(struct mvgpu_hw *hw);
	void (*gpu_fini)(struct mvgpu_hw *hw);
	int (*vram_populate)(struct mvgpu_hw *hw, u64 off, u64 len);
	void (*vram_release)(struct mvgpu_hw *hw, u64 off, u64 len);
	void (*vram_scrub)(struct mvgpu_hw *hw, u64 off, u64 len);
	void *(*vram_map)(struct mvgpu_hw *hw, u64 off);
	unsigned long (*vram_pfn)(struct mvgpu_hw *hw, u64 off);
	int (*ctx_init)(struct mvgpu_ctx *ctx);
	void (*ctx_fini)(struct mvgpu_ctx *ctx);
	void (*ctx_reset)(struct mvgpu_ctx *ctx);
	int (*ctx_save)(struct mvgpu_ctx *ctx, void *buf, size_t len);
	int (*ctx_restore)(struct mvgpu_ctx *ctx, const void *buf,
			   size_t len);
	enum mvgpu_step_result (*engine_step)(struct mvgpu_hw *hw,
					      unsigned int engine,
					      struct mvgpu_ctx *ctx);
};

/**
 * mvgpu_gpu_register - make a GPU an mdev parent
 * @dev: the device to become the mdev parent (a PCI function), or NULL
 *	for a GPU with no device of its own (the software GPU): its class
 *	device /sys/class/mvgpu/mvgpuN is the parent then
 * @ops: the backend
 * @priv: the backend's state, in hw->priv when gpu_init runs
 *
 * Calls gpu_init, then creates /sys/class/mvgpu/mvgpuN (a child of @dev),
 * the vGPU types and the engines.  Sleeps.
 *
 * Return: the GPU, or an ERR_PTR.
 */
struct mvgpu_hw *mvgpu_gpu_register(struct device *dev,
				    const struct mvgpu_backend_ops *ops,
				    void *priv);

/**
 * mvgpu_gpu_unregister - take a GPU away
 * @hw: from mvgpu_gpu_register()
 *
 * Removes every vGPU, waiting for their users to let go (a VFIO user is
 * asked through its request eventfd), then the GPU; gpu_fini runs last.
 */
void mvgpu_gpu_unregister(struct mvgpu_hw *hw);

/* ------------------------------------------------------------------ */
/* VRAM access that is right for RAM and for I/O memory alike          */
/* ------------------------------------------------------------------ */

static inline void mvgpu_vram_read(const struct mvgpu_hw *hw, void *dst,
				   const void *vram, size_t n)
{
	if (hw->caps.vram_iomem)
		memcpy_fromio(dst, (const void __iomem __force *)vram, n);
	else
		memcpy(dst, vram, n);
}

static inline void mvgpu_vram_write(const struct mvgpu_hw *hw, void *vram,
				    const void *src, size_t n)
{
	if (hw->caps.vram_iomem)
		memcpy_toio((void __iomem __force *)vram, src, n);
	else
		memcpy(vram, src, n);
}

static inline void mvgpu_vram_zero(const struct mvgpu_hw *hw, void *vram,
				   size_t n)
{
	if (hw->caps.vram_iomem)
		memset_io((void __iomem __force *)vram, 0, n);
	else
		memset(vram, 0, n);
}

static inline u64 mvgpu_vram_read64(const struct mvgpu_hw *hw,
				    const void *vram)
{
	if (hw->caps.vram_iomem)
		return readq((const void __iomem __force *)vram);
	return READ_ONCE(*(const u64 *)vram);
}

static inline void mvgpu_vram_fill32(const struct mvgpu_hw *hw, void *vram,
				     u32 v, size_t count)
{
	size_t i;

	if (hw->caps.vram_iomem) {
		for (i = 0; i < count; i++)
			writel(v, (void __iomem __force *)vram + i * 4);
	} else {
		memset32(vram, v, count);
	}
}

/*
 * memmove within VRAM: I/O memory goes through a small buffer, in the
 * direction that is safe for overlapping ranges
 */
static inline void mvgpu_vram_move(const struct mvgpu_hw *hw, void *dst,
				   const void *src, size_t n)
{
	u8 buf[256];
	size_t done, k;

	if (!hw->caps.vram_iomem) {
		memmove(dst, src, n);
		return;
	}
	if (dst <= src || dst >= src + n) {
		for (done = 0; done < n; done += k) {
			k = min(n - done, sizeof(buf));
			mvgpu_vram_read(hw, buf, src + done, k);
			mvgpu_vram_write(hw, dst + done, buf, k);
		}
		return;
	}
	for (done = n; done; done -= k) {
		k = min(done, sizeof(buf));
		mvgpu_vram_read(hw, buf, src + done - k, k);
		mvgpu_vram_write(hw, dst + done - k, buf, k);
	}
}

#endif /* MVGPU_BACKEND_H */
