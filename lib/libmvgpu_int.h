/* SPDX-License-Identifier: MIT */
/*
 * libmvgpu internals: the handle and its objects, the device access ops,
 * and the functions the library's files share.  Nothing here is exported
 * from the shared library (only MVGPU_API symbols are); internal names
 * carry a double underscore (mvgpu__*) so they cannot clash with a
 * program linking libmvgpu.a.
 *
 * Locking: struct mvgpu.lock guards everything in the handle.  Internal
 * functions that touch the handle's state say "Lock held": the caller
 * holds it.  Public calls take it; mvgpu_fence_wait() drops it while it
 * sleeps (see fence.c).  Batches are owned by one thread and take the lock
 * only to join or leave their handle's list.
 */
#ifndef LIBMVGPU_INT_H
#define LIBMVGPU_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libmvgpu.h"
#include "libmvgpu_admin.h"
#include "alloc.h"

/* ------------------------------------------------------------------ */
/* Lists                                                               */
/* ------------------------------------------------------------------ */

struct mvgpu_list {
	struct mvgpu_list *prev, *next;
};

static inline void mvgpu_list_init(struct mvgpu_list *h)
{
	h->prev = h->next = h;
}

static inline void mvgpu_list_add(struct mvgpu_list *h, struct mvgpu_list *n)
{
	n->next = h;
	n->prev = h->prev;
	h->prev->next = n;
	h->prev = n;
}

static inline void mvgpu_list_del(struct mvgpu_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

static inline bool mvgpu_list_empty(const struct mvgpu_list *h)
{
	return h->next == h;
}

#define mvgpu_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* ------------------------------------------------------------------ */
/* Layout of the VRAM and the IOVA space                               */
/* ------------------------------------------------------------------ */

/*
 * VRAM (GPU VA == VRAM offset, identity mapped):
 *
 *   0        4 KiB                         ring_off   pt_off    vram_size
 *   | unmapped | buffers (the allocator)    | ring (RO) | PT (unmapped) |
 *
 * VA page 0 is never mapped, so address 0 faults.  Commands can read the
 * ring but not write it, and cannot reach the page table at all.
 */
#define MVGPU_LIB_RING_BYTES	LIBMVGPU_RING_BYTES
#define MVGPU_LIB_VRAM_GRANULE	64ull	/* allocation unit of VRAM */
#define MVGPU_LIB_MIN_VRAM	(1ull << 20)

/* a fence waiter re-checks at least this often, even with no interrupt */
#define MVGPU_POLL_SLICE_MS	1000

/* The IOVAs handed to host memory: far from VRAM offsets, never 0 */
#define MVGPU_LIB_IOVA_BASE	(1ull << 32)
#define MVGPU_LIB_IOVA_SIZE	(1ull << 40)

/* ------------------------------------------------------------------ */
/* Device access                                                       */
/* ------------------------------------------------------------------ */

struct mvgpu;

/*
 * How the library reaches the device.  device.c implements these over
 * VFIO, guestdrv.c over the guest driver mvgpu_guest.ko; the unit tests
 * put a fake GPU behind them.  Each returns 0 or a negative errno.
 */
struct mvgpu_hw_ops {
	int (*reg_read)(struct mvgpu *g, uint32_t off, void *buf,
			unsigned int len);
	int (*reg_write)(struct mvgpu *g, uint32_t off, const void *buf,
			 unsigned int len);
	int (*dma_map)(struct mvgpu *g, void *vaddr, uint64_t iova,
		       uint64_t size);
	int (*dma_unmap)(struct mvgpu *g, uint64_t iova, uint64_t size);
	/* release whatever the ops hold (fds, mappings); may be NULL */
	void (*release)(struct mvgpu *g);

	/*
	 * Optional, for a transport where the kernel picks the bus address
	 * (the guest driver): DMA-able memory of size bytes (page rounded),
	 * its CPU pointer, bus address and a cookie for hostmem_free.  When
	 * set, hostmem.c uses these instead of dma_map/dma_unmap.
	 */
	int (*hostmem_alloc)(struct mvgpu *g, size_t size, void **ptr,
			     uint64_t *bus, uint64_t *cookie);
	int (*hostmem_free)(struct mvgpu *g, void *ptr, size_t size,
			    uint64_t cookie);
	/*
	 * Optional: the interrupt causes collected (and acked) by a kernel
	 * driver since the last call; without it fence.c reads and acks
	 * INT_STATUS itself.
	 */
	int (*irq_causes)(struct mvgpu *g, uint32_t *causes);
	/* Optional: statistics from elsewhere than the host's sysfs */
	int (*get_stats)(struct mvgpu *g, struct mvgpu_stats *stats);
};

int mvgpu__reg_read32(struct mvgpu *g, uint32_t off, uint32_t *val);
int mvgpu__reg_read64(struct mvgpu *g, uint32_t off, uint64_t *val);
int mvgpu__reg_write32(struct mvgpu *g, uint32_t off, uint32_t val);
int mvgpu__reg_write64(struct mvgpu *g, uint32_t off, uint64_t val);

/* ------------------------------------------------------------------ */
/* Objects                                                             */
/* ------------------------------------------------------------------ */

#define MVGPU_BO_MAGIC		0x4d56424fu	/* "MVBO" */
#define MVGPU_HOSTMEM_MAGIC	0x4d56484du	/* "MVHM" */
#define MVGPU_BATCH_MAGIC	0x4d564254u	/* "MVBT" */

struct mvgpu_bo {
	uint32_t magic;
	struct mvgpu *g;
	struct mvgpu_list node;		/* in g->bos */
	uint64_t va;			/* == VRAM offset */
	uint64_t size;			/* as asked */
	uint64_t taken;			/* from the allocator */
	uint8_t *cpu;			/* through the VRAM mapping */
};

struct mvgpu_hostmem {
	uint32_t magic;
	struct mvgpu *g;
	struct mvgpu_list node;		/* in g->hostmems */
	void *ptr;
	size_t size;			/* as asked */
	size_t mapped;			/* page rounded */
	uint64_t iova;
	uint64_t taken;			/* from the IOVA allocator */
	uint64_t cookie;		/* ops->hostmem_alloc's */
};

struct mvgpu_batch {
	uint32_t magic;
	struct mvgpu *g;		/* NULL for a detached (test) batch */
	struct mvgpu_list node;		/* in g->batches */
	uint64_t va_limit;		/* GPU VAs must stay below */
	struct mvgpu_cmd *cmds;
	size_t len;
	size_t cap;
};

/* A submission not yet known complete: its fence's ring offset */
struct mvgpu_inflight {
	uint64_t fence;
	uint32_t slot;
};

/* Fences first..last were dropped by a reset before they completed */
struct mvgpu_lost {
	uint64_t first;
	uint64_t last;
};

struct mvgpu {
	pthread_mutex_t lock;		/* guards everything below */
	pthread_cond_t cond;		/* events were processed */

	const struct mvgpu_hw_ops *ops;
	void *hw_priv;			/* the ops' own state */

	/* VFIO (device.c); -1 when not open */
	int container;
	int group;
	int device;
	uint64_t bar0_off;		/* file offsets of the regions */
	uint64_t cfg_off;
	int event_fd;			/* MSI eventfd */

	/* guest driver (guestdrv.c); -1 / NULL when not used */
	int gfd;
	volatile uint8_t *regs;		/* BAR0 mapping */

	/* identity, read once at open */
	char uuid[40];
	char type[32];
	char gpu[32];
	char sysfs_dir[PATH_MAX];	/* /sys/bus/mdev/devices/UUID */
	bool stats_regs;		/* no mvgpu_stats in sysfs: use BAR0 */
	uint32_t divisor;
	uint32_t share_permille;
	uint32_t engines;
	uint32_t caps;
	uint32_t version;
	uint64_t vram_size;
	uint8_t *vram;			/* CPU mapping of the whole VRAM */
	bool vram_mmapped;		/* munmap at close */

	/* layout (paging.c) */
	uint64_t pt_off;
	uint32_t pt_entries;
	uint64_t ring_off;
	uint32_t ring_size;

	struct mvgpu_range_alloc vram_ra;
	struct mvgpu_range_alloc iova_ra;

	struct mvgpu_list bos;
	struct mvgpu_list hostmems;
	struct mvgpu_list batches;

	/* ring and fences (ring.c, fence.c) */
	uint32_t tail;			/* what we last wrote to RING_TAIL */
	uint64_t seq;			/* last fence submitted */
	uint64_t completed;		/* last fence known complete */
	struct mvgpu_inflight *inflight;	/* FIFO, cap ring slots */
	uint32_t if_first;
	uint32_t if_count;
	uint32_t if_cap;
	struct mvgpu_lost *lost;
	size_t nr_lost;
	size_t lost_cap;

	/* waiters (fence.c) */
	bool polling;			/* a waiter sleeps in poll() */
	int poll_slice_ms;		/* longest poll() before a re-check */
	unsigned int waiters;		/* threads in mvgpu_fence_wait() */
	uint32_t causes;		/* acked causes not yet reported */
};

/* ------------------------------------------------------------------ */
/* Shared functions                                                    */
/* ------------------------------------------------------------------ */

/* error.c: set the thread's message; returns err (a negative errno) */
int mvgpu__err(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int mvgpu__verr(int err, const char *fmt, va_list ap);
/* -EBADF with the standard message for a NULL handle */
int mvgpu__bad_handle(const char *func);

/* device.c: a handle without a device, for open and for the tests */
int mvgpu__handle_new(struct mvgpu **out);
void mvgpu__handle_free(struct mvgpu *g);
/*
 * Lay out the VRAM, set up the allocators and the in-flight queue, then
 * program the device (mvgpu__hw_setup()).  g->vram and g->vram_size must
 * be set.
 */
int mvgpu__handle_init(struct mvgpu *g);
/* Interrupts unmasked and acked, page table, ring; after open or reset */
int mvgpu__hw_setup(struct mvgpu *g);
/*
 * Read the identity registers (ID, VERSION, CAPS, ...) into g and check
 * them; bar_size is the size of the VRAM BAR.  name is how errors call
 * the device.
 */
int mvgpu__identify(struct mvgpu *g, const char *name, uint64_t bar_size);

/* guestdrv.c: is dev a guest name (PCI address or /dev path)? */
bool mvgpu__guest_name(const char *dev);
/* "BB:DD.F" or "DDDD:BB:DD.F" as "DDDD:BB:DD.F" in out; false if neither */
bool mvgpu__pci_addr(const char *dev, char out[32]);
int mvgpu__guest_open(struct mvgpu *g, const char *dev);

/* paging.c */
int mvgpu__layout(struct mvgpu *g);
void mvgpu__pt_write(struct mvgpu *g);
int mvgpu__pt_program(struct mvgpu *g);
uint64_t mvgpu__pte(const struct mvgpu *g, uint32_t index);

/* ring.c */
int mvgpu__ring_program(struct mvgpu *g);
uint32_t mvgpu__ring_used(const struct mvgpu *g, uint32_t head);

/* batch.c */
void mvgpu__cmd_encode(const struct mvgpu_cmd *cmd, void *out);
void mvgpu__cmd_decode(const void *in, struct mvgpu_cmd *cmd);
struct mvgpu_batch *mvgpu__batch_alloc(uint64_t va_limit);
void mvgpu__batch_destroy(struct mvgpu_batch *b);

/* fence.c, lock held */
int mvgpu__update_completed(struct mvgpu *g);
int mvgpu__process_events(struct mvgpu *g);
void mvgpu__wake_waiters(struct mvgpu *g);
int mvgpu__fault_read(struct mvgpu *g, struct mvgpu_fault *f);

/* bo.c, hostmem.c: everything of a handle, at close */
void mvgpu__bos_free_all(struct mvgpu *g);
void mvgpu__hostmems_free_all(struct mvgpu *g);

/*
 * sysfs.c: one attribute, trailing newline and blanks stripped; numbers
 * are strict decimals (-EINVAL otherwise).  0 or a negative errno.
 */
#define MVGPU_VFIO_DEV		"/dev/vfio/vfio"	/* the VFIO container */

int mvgpu__read_file(const char *path, char *buf, size_t len);
int mvgpu__read_u64(const char *path, uint64_t *val);
int mvgpu__parse_u64(const char *s, uint64_t *val);
int mvgpu__sysfs_read(const char *dir, const char *name, char *buf,
		      size_t len);
int mvgpu__sysfs_u64(const char *dir, const char *name, uint64_t *val);
/* Copy s into d of size n (n > 0), cut short if need be; returns d */
char *mvgpu__strlcpy(char *d, const char *s, size_t n);
/* Write s in one write(); 0 or a negative errno */
int mvgpu__write_fd(int fd, const char *s);
int mvgpu__write_file(const char *path, const char *s);
/* The last component of the symlink dir/name */
int mvgpu__link_basename(const char *dir, const char *name, char *buf,
			 size_t len);
/* Extensible structs (libmvgpu_admin.h): out and in by their size field */
int mvgpu__copy_out(void *dst, const void *src, size_t lib_size,
		    const char *func);
int mvgpu__copy_in(void *dst, size_t lib_size, const void *src,
		   const char *func);

/* stats.c: every counter of a vGPU's sysfs directory */
int mvgpu__read_stats(const char *vgpu_dir, struct mvgpu_stats *stats,
		      const char *func);
int mvgpu__read_meter(const char *vgpu_dir, struct mvgpu_vgpu_stats *s,
		      const char *func);
/* The meter's sysfs names, by enum mvgpu_meter_id; NULL past the end */
const char *mvgpu__meter_name(unsigned int i);
/* what BAR0 tells: busy_ns and commands, the rest 0.  Takes the lock. */
int mvgpu__stats_regs(struct mvgpu *g, struct mvgpu_stats *stats);

#endif /* LIBMVGPU_INT_H */
