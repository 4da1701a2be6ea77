/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mvgpu_guest: the driver a VM uses for an mvgpu vGPU given to it.
 *
 * Objects:
 *   struct mvgpu_guest_dev   one per bound PCI function; refcounted
 *                            (probe holds one reference, each open file
 *                            one), so a file outlives a removed device.
 *   struct mvgpu_guest_file  one per open(): the buffers of that process.
 *
 * Revoke: remove() marks the device gone under gdev->lock, zaps the
 * owner's mappings (they are filled on fault, and every fault checks
 * gone under the same lock), stops the device and frees the owner's
 * buffers.  Every later call on the file returns -ENODEV.
 *
 * Lock ordering: mmap_lock (held by the callers of mmap and of the fault
 * handler), then gdev->lock, then gdev->irq_lock.  So nothing touches
 * process memory (copy_*_user, pinning) while it holds gdev->lock.
 */
#ifndef MVGPU_GUEST_H
#define MVGPU_GUEST_H

#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "../include/mvgpu_uapi.h"
#include "../include/mvgpu_guest_uapi.h"

struct eventfd_ctx;
struct mvgpu_guest_file;

struct mvgpu_guest_dev {
	struct kref ref;
	struct pci_dev *pdev;		/* referenced until the last put */
	struct miscdevice misc;
	char name[48];			/* "mvgpu/0000:00:01.0" */
	char irq_name[48];		/* "mvgpu-0000:00:01.0" (no '/': procfs) */
	char pci_addr[32];

	/* set at probe, read-only after */
	void __iomem *regs;		/* BAR0 */
	resource_size_t bar0_start;
	resource_size_t bar0_len;
	resource_size_t vram_start;
	resource_size_t vram_len;
	u32 version;
	u32 caps;
	u32 irq_type;			/* MVGPU_GUEST_IRQ_* */
	int irq;

	struct mutex lock;		/* guards owner and gone */
	struct mvgpu_guest_file *owner;	/* the one open file, or NULL */
	bool gone;			/* removed: nothing is left to use */

	spinlock_t irq_lock;		/* guards causes, irq_count, trigger */
	u32 causes;			/* acked, not yet taken by the owner */
	u64 irq_count;
	struct eventfd_ctx *trigger;	/* the owner's eventfd, or NULL */
	wait_queue_head_t wq;		/* poll(): causes arrived, or gone */
};

/* A DMA buffer or a registration of process memory */
struct mvgpu_guest_buf {
	u32 handle;			/* idr index == mmap region index */
	bool user;			/* registered process memory */
	size_t size;			/* page rounded */
	/* DMA buffer */
	void *cpu;
	dma_addr_t bus;
	/* process memory */
	struct page **pages;
	unsigned long npages;
	struct sg_table sgt;
};

struct mvgpu_guest_file {
	struct mvgpu_guest_dev *gdev;	/* one reference held */
	struct address_space *mapping;	/* what the process mmap()ed */
	struct idr bufs;		/* guarded by gdev->lock */
	unsigned int nr_bufs;		/* guarded by gdev->lock */
	u64 pinned_bytes;		/* guarded by gdev->lock */
};

/* mvgpu_guest_main.c */
void mvgpu_guest_dev_put(struct mvgpu_guest_dev *gdev);
void __mvgpu_guest_hw_stop(struct mvgpu_guest_dev *gdev);

/* mvgpu_guest_irq.c */
int mvgpu_guest_irq_init(struct mvgpu_guest_dev *gdev, bool use_msi);
void mvgpu_guest_irq_fini(struct mvgpu_guest_dev *gdev);
int mvgpu_guest_irq_set_eventfd(struct mvgpu_guest_dev *gdev, int fd);
u32 mvgpu_guest_irq_take(struct mvgpu_guest_dev *gdev, u64 *count);
u64 mvgpu_guest_irq_count(struct mvgpu_guest_dev *gdev);

/* mvgpu_guest_fops.c */
extern const struct file_operations mvgpu_guest_fops;

/* mvgpu_guest_mem.c; __ functions: gdev->lock held */
int __mvgpu_guest_dma_alloc(struct mvgpu_guest_file *f,
			    struct mvgpu_guest_dma_alloc *arg);
int mvgpu_guest_user_map(struct mvgpu_guest_file *f,
			 struct mvgpu_guest_user_map *arg,
			 struct mvgpu_guest_segment **segs, u32 *nsegs);
int __mvgpu_guest_buf_free(struct mvgpu_guest_file *f, u32 handle);
void __mvgpu_guest_bufs_free_all(struct mvgpu_guest_file *f);
int mvgpu_guest_mem_mmap(struct mvgpu_guest_file *f,
			 struct vm_area_struct *vma);

#endif /* MVGPU_GUEST_H */
