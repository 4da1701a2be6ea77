/* SPDX-License-Identifier: MIT */
/*
 * libmvgpu: drive an mvgpu vGPU from a program, without knowing VFIO.
 *
 * Open a vGPU by its UUID, allocate VRAM buffers, copy data in and out,
 * build command batches, submit them and wait for their fences, read the
 * vGPU's statistics, and recover from a fault with a reset.
 *
 * Errors: every function that can fail returns a negative errno (0 or a
 * non-negative value on success); mvgpu_last_error() then says in words
 * what went wrong, for the calling thread.  A call that fails leaves the
 * handle as it was: nothing is half-applied.
 *
 * Threads: a handle may be used from several threads at once; calls on
 * one handle are serialised inside, except mvgpu_fence_wait(), which
 * sleeps without blocking the others.  Batches are not shared between
 * threads.
 *
 * Closing: mvgpu_close() takes the address of the handle and sets it to
 * NULL; every call given a NULL (closed) handle returns -EBADF.
 */
#ifndef LIBMVGPU_H
#define LIBMVGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvgpu_uapi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MVGPU_API __attribute__((visibility("default")))

#define LIBMVGPU_VERSION_MAJOR	1
#define LIBMVGPU_VERSION_MINOR	0

/*
 * The command ring takes LIBMVGPU_RING_BYTES of the vGPU's VRAM (and the
 * page table VRAM size / 512 more, see mvgpu_info.vram_free).  A batch of
 * up to LIBMVGPU_BATCH_MAX_CMDS commands fits in it: the ring keeps one
 * slot empty and mvgpu_submit() appends a fence.  A longer batch can
 * never be submitted (-E2BIG).
 */
#define LIBMVGPU_RING_BYTES	(64u * 1024)
#define LIBMVGPU_BATCH_MAX_CMDS	(LIBMVGPU_RING_BYTES / MVGPU_CMD_SIZE - 2)

struct mvgpu;		/* an open vGPU */
struct mvgpu_bo;	/* a buffer in the vGPU's VRAM */
struct mvgpu_hostmem;	/* host memory the vGPU can DMA to and from */
struct mvgpu_batch;	/* commands being built */

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* The last failure of the calling thread, in words; "" if none yet. */
MVGPU_API const char *mvgpu_last_error(void);
/* strerror() for the codes this library returns. */
MVGPU_API const char *mvgpu_strerror(int err);

/* ------------------------------------------------------------------ */
/* Opening                                                             */
/* ------------------------------------------------------------------ */

/*
 * Open the vGPU with this UUID (NULL: the one the environment variable
 * MVGPU_UUID names, as a CDI spec sets it in a container): finds its IOMMU group in sysfs, sets up a
 * VFIO container, group and device, enables the device, maps its VRAM,
 * sets up a page table, a command ring and MSI.  Inside a VM, uuid may be
 * the vGPU's PCI address ("00:01.0"): through vfio-pci when that drives
 * it, else through the guest driver, whose node (/dev/mvgpu/ADDR) may
 * also be given.
 * Returns 0, -EINVAL (no or a malformed UUID), -ENOENT (no such vGPU), -EBUSY (open elsewhere), -EACCES
 * (no permission on /dev/vfio), -ENODEV (not an mvgpu vGPU), or another
 * negative errno.
 */
#define MVGPU_UUID_ENV	"MVGPU_UUID"

MVGPU_API int mvgpu_open(const char *uuid, struct mvgpu **out);

/*
 * Close *g and set *g to NULL.  Buffers, host memory and batches of g are
 * freed.  No other call on g may be running; g == NULL or *g == NULL does
 * nothing.
 */
MVGPU_API void mvgpu_close(struct mvgpu **g);

struct mvgpu_info {
	char uuid[40];
	char type[32];		/* the mdev type, e.g. "mvgpu-4" */
	char gpu[32];		/* the parent, e.g. "mvgpu0" */
	uint32_t divisor;	/* the vGPU is 1/divisor of its GPU */
	uint32_t share_permille;
	uint32_t engines;
	uint32_t caps;		/* MVGPU_CAP_* */
	uint32_t version;	/* device interface, major << 16 | minor */
	uint64_t vram_size;	/* bytes of VRAM */
	uint64_t vram_free;	/* bytes the allocator can still hand out */
};

MVGPU_API int mvgpu_get_info(struct mvgpu *g, struct mvgpu_info *info);

/* ------------------------------------------------------------------ */
/* VRAM buffers                                                        */
/* ------------------------------------------------------------------ */

/*
 * Allocate size bytes of VRAM aligned to align (a power of two, 0 means
 * 4096).  Returns -ENOMEM when no free range fits, -EINVAL for a zero
 * size or a bad alignment.
 */
MVGPU_API int mvgpu_bo_alloc(struct mvgpu *g, uint64_t size, uint64_t align,
			     struct mvgpu_bo **bo);
MVGPU_API int mvgpu_bo_free(struct mvgpu *g, struct mvgpu_bo *bo);
MVGPU_API uint64_t mvgpu_bo_va(const struct mvgpu_bo *bo);	/* GPU VA */
MVGPU_API uint64_t mvgpu_bo_size(const struct mvgpu_bo *bo);
/* CPU pointer to the buffer through the VRAM BAR mapping */
MVGPU_API void *mvgpu_bo_map(struct mvgpu_bo *bo);
/* Copy in and out; -EINVAL when [off, off + len) leaves the buffer */
MVGPU_API int mvgpu_bo_write(struct mvgpu *g, struct mvgpu_bo *bo,
			     uint64_t off, const void *src, size_t len);
MVGPU_API int mvgpu_bo_read(struct mvgpu *g, struct mvgpu_bo *bo,
			    uint64_t off, void *dst, size_t len);

/* ------------------------------------------------------------------ */
/* Host memory for DMA                                                 */
/* ------------------------------------------------------------------ */

/* Allocate page-aligned host memory and map it for the vGPU's DMA. */
MVGPU_API int mvgpu_hostmem_alloc(struct mvgpu *g, size_t size,
				  struct mvgpu_hostmem **hm);
MVGPU_API int mvgpu_hostmem_free(struct mvgpu *g, struct mvgpu_hostmem *hm);
MVGPU_API void *mvgpu_hostmem_ptr(const struct mvgpu_hostmem *hm);
MVGPU_API uint64_t mvgpu_hostmem_iova(const struct mvgpu_hostmem *hm);
MVGPU_API size_t mvgpu_hostmem_size(const struct mvgpu_hostmem *hm);

/* ------------------------------------------------------------------ */
/* Command batches                                                     */
/* ------------------------------------------------------------------ */

MVGPU_API int mvgpu_batch_new(struct mvgpu *g, struct mvgpu_batch **b);
MVGPU_API void mvgpu_batch_free(struct mvgpu_batch *b);
MVGPU_API void mvgpu_batch_reset(struct mvgpu_batch *b);
MVGPU_API size_t mvgpu_batch_length(const struct mvgpu_batch *b);

/*
 * Append one command.  Arguments are checked against the command rules in
 * docs/device.md (alignment, sizes, dimensions); a bad one is -EINVAL and
 * the batch is unchanged.  Addresses are GPU VAs (mvgpu_bo_va() + offset)
 * or, for the host side of a DMA, IOVAs (mvgpu_hostmem_iova() + offset).
 * GPU VA ranges must lie inside the vGPU's VRAM size; a COPY whose source
 * and destination overlap (an undefined result on the device) is refused.
 * IOVAs are not checked against what is mapped: an unmapped one faults
 * (MVGPU_FAULT_DMA) when the command runs.
 */
MVGPU_API int mvgpu_cmd_nop(struct mvgpu_batch *b);
MVGPU_API int mvgpu_cmd_fill(struct mvgpu_batch *b, uint64_t dst,
			     uint64_t size, uint32_t pattern);
MVGPU_API int mvgpu_cmd_copy(struct mvgpu_batch *b, uint64_t dst,
			     uint64_t src, uint64_t size);
MVGPU_API int mvgpu_cmd_dma_to_host(struct mvgpu_batch *b, uint64_t iova,
				    uint64_t src, uint64_t size);
MVGPU_API int mvgpu_cmd_dma_from_host(struct mvgpu_batch *b, uint64_t dst,
				      uint64_t iova, uint64_t size);
MVGPU_API int mvgpu_cmd_gemm_i32(struct mvgpu_batch *b, uint64_t c,
				 uint64_t a, uint64_t bmat, uint32_t m,
				 uint32_t n, uint32_t k);
/* A fence that also writes value to GPU VA dst (8-byte aligned) */
MVGPU_API int mvgpu_cmd_fence_write(struct mvgpu_batch *b, uint64_t dst,
				    uint64_t value);
/* Append a raw command as is (for tests and experiments) */
MVGPU_API int mvgpu_cmd_raw(struct mvgpu_batch *b, const struct mvgpu_cmd *cmd);

/*
 * Submit the batch followed by a fence; *fence gets the fence's value,
 * which grows with each submission.  The batch can be reused.  -EAGAIN
 * when the ring has no room for the whole batch now (nothing was
 * submitted), -E2BIG when the batch can never fit the ring, -EIO when
 * the vGPU has faulted (see mvgpu_get_fault(), mvgpu_reset()).
 */
MVGPU_API int mvgpu_submit(struct mvgpu *g, struct mvgpu_batch *b,
			   uint64_t *fence);

/* ------------------------------------------------------------------ */
/* Fences and events                                                   */
/* ------------------------------------------------------------------ */

/*
 * Wait until fence has completed: 0; -ETIMEDOUT after timeout_ms (-1:
 * forever, 0: just check); -EIO when the vGPU faulted first, or when
 * mvgpu_reset() dropped the fence's work before it completed; -EINVAL for
 * a fence that was never submitted.  Fence 0 is always complete.
 */
MVGPU_API int mvgpu_fence_wait(struct mvgpu *g, uint64_t fence,
			       int timeout_ms);
/* 1 if the fence has completed, 0 if not, negative errno (-EIO: fault) */
MVGPU_API int mvgpu_fence_done(struct mvgpu *g, uint64_t fence);
/* The last completed fence value */
MVGPU_API int mvgpu_fence_completed(struct mvgpu *g, uint64_t *fence);

/*
 * A file descriptor that becomes readable when the vGPU interrupts
 * (fence completed or fault), for poll/epoll loops; call
 * mvgpu_handle_events() when it is, then check fences.  Do not read it
 * yourself: mvgpu_fence_wait() in other threads relies on it.  It may be
 * readable with nothing new (another thread handled the event).
 */
MVGPU_API int mvgpu_event_fd(struct mvgpu *g);
/*
 * Consume and acknowledge pending interrupts; returns the causes seen
 * (MVGPU_INT_*) since the last call, including those a mvgpu_fence_wait()
 * acknowledged meanwhile.
 */
MVGPU_API int mvgpu_handle_events(struct mvgpu *g);

/* ------------------------------------------------------------------ */
/* Faults and reset                                                    */
/* ------------------------------------------------------------------ */

struct mvgpu_fault {
	uint32_t code;		/* MVGPU_FAULT_*; 0 when no fault */
	bool write;
	uint32_t head;		/* ring offset of the faulting command */
	uint64_t addr;		/* GPU VA, or IOVA for DMA faults */
};

/* The fault the vGPU is stopped on, or code 0 */
MVGPU_API int mvgpu_get_fault(struct mvgpu *g, struct mvgpu_fault *fault);
/* Name of a fault code, e.g. "UNMAPPED" */
MVGPU_API const char *mvgpu_fault_name(uint32_t code);

/*
 * Reset the vGPU (after a fault, or any time): reports the fault it was
 * stopped on in *fault (may be NULL), resets the device, and sets the
 * ring and page table up again.  Buffers and their contents survive;
 * submitted work that had not completed is dropped.
 */
MVGPU_API int mvgpu_reset(struct mvgpu *g, struct mvgpu_fault *fault);

/* ------------------------------------------------------------------ */
/* Statistics                                                          */
/* ------------------------------------------------------------------ */

struct mvgpu_stats {
	uint64_t busy_ns;		/* engine time used */
	uint64_t wait_ns;		/* runnable but waiting for an engine */
	uint64_t vruntime_ns;		/* scheduler virtual runtime */
	uint64_t slices;		/* time slices run */
	uint64_t preemptions;		/* slices cut short: high priority, wakeup */
	uint64_t max_wait_slices;
	uint64_t commands;		/* commands completed */
	uint64_t bytes;			/* bytes processed by commands */
	uint64_t faults;
	uint64_t vram_faults;		/* first touches of mapped VRAM pages */
	uint64_t interrupts;		/* interrupts delivered */
};

MVGPU_API int mvgpu_get_stats(struct mvgpu *g, struct mvgpu_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* LIBMVGPU_H */
