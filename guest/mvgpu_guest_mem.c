// SPDX-License-Identifier: GPL-2.0-only
/*
 * mvgpu_guest memory: DMA buffers from the kernel's DMA API, process
 * memory pinned and mapped for the device, and the process's mappings of
 * BAR0, the VRAM BAR and the DMA buffers.
 *
 * Mappings are filled page by page on fault, under gdev->lock, so a
 * buffer freed (or a device removed) after zapping its range cannot be
 * reached again: the next fault finds it gone and raises SIGBUS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "mvgpu_guest.h"

#define MVGPU_GUEST_IDX_SHIFT	(MVGPU_GUEST_MMAP_SHIFT - PAGE_SHIFT)
#define MVGPU_GUEST_IDX_MASK	((1ul << MVGPU_GUEST_IDX_SHIFT) - 1)

static int __mvgpu_guest_buf_add(struct mvgpu_guest_file *f,
				 struct mvgpu_guest_buf *buf)
{
	int id;

	lockdep_assert_held(&f->gdev->lock);
	if (f->nr_bufs >= MVGPU_GUEST_MAX_BUFFERS)
		return -ENOSPC;
	id = idr_alloc(&f->bufs, buf, MVGPU_GUEST_MMAP_FIRST_DMA,
		       MVGPU_GUEST_MMAP_FIRST_DMA + MVGPU_GUEST_MAX_BUFFERS,
		       GFP_KERNEL);
	if (id < 0)
		return id;
	buf->handle = id;
	f->nr_bufs++;
	return 0;
}

static void mvgpu_guest_user_release(struct mvgpu_guest_buf *buf)
{
	sg_free_table(&buf->sgt);
	unpin_user_pages_dirty_lock(buf->pages, buf->npages, true);
	kvfree(buf->pages);
}

static void __mvgpu_guest_buf_destroy(struct mvgpu_guest_file *f,
				      struct mvgpu_guest_buf *buf)
{
	struct device *dev = &f->gdev->pdev->dev;

	lockdep_assert_held(&f->gdev->lock);
	idr_remove(&f->bufs, buf->handle);
	f->nr_bufs--;
	if (buf->user) {
		dma_unmap_sgtable(dev, &buf->sgt, DMA_BIDIRECTIONAL, 0);
		f->pinned_bytes -= buf->size;
		mvgpu_guest_user_release(buf);
	} else {
		/* no process mapping may reach the pages once they are freed */
		if (f->mapping)
			unmap_mapping_range(f->mapping,
					    (loff_t)buf->handle << MVGPU_GUEST_MMAP_SHIFT,
					    buf->size, true);
		dma_free_coherent(dev, buf->size, buf->cpu, buf->bus);
	}
	kfree(buf);
}

int __mvgpu_guest_dma_alloc(struct mvgpu_guest_file *f,
			    struct mvgpu_guest_dma_alloc *arg)
{
	struct device *dev = &f->gdev->pdev->dev;
	struct mvgpu_guest_buf *buf;
	int ret;

	lockdep_assert_held(&f->gdev->lock);
	if (!arg->size)
		return -EINVAL;
	if (arg->size > MVGPU_GUEST_DMA_MAX_BYTES)
		return -E2BIG;
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	buf->size = PAGE_ALIGN(arg->size);
	buf->cpu = dma_alloc_coherent(dev, buf->size, &buf->bus,
				      GFP_KERNEL | __GFP_NOWARN);
	if (!buf->cpu) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = __mvgpu_guest_buf_add(f, buf);
	if (ret)
		goto err_dma;
	arg->size = buf->size;
	arg->bus_addr = buf->bus;
	arg->mmap_offset = (u64)buf->handle << MVGPU_GUEST_MMAP_SHIFT;
	arg->handle = buf->handle;
	return 0;

err_dma:
	dma_free_coherent(dev, buf->size, buf->cpu, buf->bus);
err_free:
	kfree(buf);
	return ret;
}

/* Pin the pages; no lock held (pinning takes mmap_lock) */
static int mvgpu_guest_user_pin(struct mvgpu_guest_buf *buf, u64 vaddr)
{
	long pinned;
	int ret;

	buf->npages = buf->size >> PAGE_SHIFT;
	buf->pages = kvmalloc_array(buf->npages, sizeof(*buf->pages),
				    GFP_KERNEL);
	if (!buf->pages)
		return -ENOMEM;
	pinned = pin_user_pages_fast(vaddr, buf->npages,
				     FOLL_WRITE | FOLL_LONGTERM, buf->pages);
	if (pinned != buf->npages) {
		if (pinned > 0)
			unpin_user_pages(buf->pages, pinned);
		ret = pinned < 0 ? pinned : -EFAULT;
		goto err_pages;
	}
	ret = sg_alloc_table_from_pages(&buf->sgt, buf->pages, buf->npages, 0,
					buf->size, GFP_KERNEL);
	if (ret)
		goto err_unpin;
	return 0;

err_unpin:
	unpin_user_pages(buf->pages, buf->npages);
err_pages:
	kvfree(buf->pages);
	return ret;
}

/*
 * Register process memory.  Takes gdev->lock itself, and only after the
 * pages are pinned.  The bus ranges go to *segs (kvfree() it), their
 * number to *nsegs.
 */
int mvgpu_guest_user_map(struct mvgpu_guest_file *f,
			 struct mvgpu_guest_user_map *arg,
			 struct mvgpu_guest_segment **segs, u32 *nsegs)
{
	struct mvgpu_guest_dev *gdev = f->gdev;
	struct device *dev = &gdev->pdev->dev;
	struct mvgpu_guest_segment *out;
	struct mvgpu_guest_buf *buf;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	if (!arg->size || !PAGE_ALIGNED(arg->vaddr) ||
	    !PAGE_ALIGNED(arg->size) || arg->vaddr + arg->size < arg->vaddr)
		return -EINVAL;
	if (arg->size > MVGPU_GUEST_USER_MAX_BYTES)
		return -E2BIG;
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	buf->user = true;
	buf->size = arg->size;
	ret = mvgpu_guest_user_pin(buf, arg->vaddr);
	if (ret)
		goto err_free;

	mutex_lock(&gdev->lock);
	if (gdev->gone) {
		ret = -ENODEV;
		goto err_unlock;
	}
	if (f->pinned_bytes + buf->size > 4 * MVGPU_GUEST_USER_MAX_BYTES) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	ret = dma_map_sgtable(dev, &buf->sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		goto err_unlock;
	*nsegs = buf->sgt.nents;
	if (arg->nr_segs < buf->sgt.nents) {
		ret = -ENOSPC;
		goto err_dma;
	}
	out = kvcalloc(buf->sgt.nents, sizeof(*out), GFP_KERNEL);
	if (!out) {
		ret = -ENOMEM;
		goto err_dma;
	}
	ret = __mvgpu_guest_buf_add(f, buf);
	if (ret)
		goto err_out;
	f->pinned_bytes += buf->size;
	for_each_sgtable_dma_sg(&buf->sgt, sg, i) {
		out[i].bus_addr = sg_dma_address(sg);
		out[i].len = sg_dma_len(sg);
	}
	arg->handle = buf->handle;
	mutex_unlock(&gdev->lock);
	*segs = out;
	return 0;

err_out:
	kvfree(out);
err_dma:
	dma_unmap_sgtable(dev, &buf->sgt, DMA_BIDIRECTIONAL, 0);
err_unlock:
	mutex_unlock(&gdev->lock);
	mvgpu_guest_user_release(buf);
err_free:
	kfree(buf);
	return ret;
}

int __mvgpu_guest_buf_free(struct mvgpu_guest_file *f, u32 handle)
{
	struct mvgpu_guest_buf *buf;

	lockdep_assert_held(&f->gdev->lock);
	buf = idr_find(&f->bufs, handle);
	if (!buf)
		return -ENOENT;
	__mvgpu_guest_buf_destroy(f, buf);
	return 0;
}

void __mvgpu_guest_bufs_free_all(struct mvgpu_guest_file *f)
{
	struct mvgpu_guest_buf *buf;
	int id;

	lockdep_assert_held(&f->gdev->lock);
	idr_for_each_entry(&f->bufs, buf, id)
		__mvgpu_guest_buf_destroy(f, buf);
}

static vm_fault_t mvgpu_guest_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mvgpu_guest_file *f = vma->vm_private_data;
	struct mvgpu_guest_dev *gdev = f->gdev;
	unsigned long idx = vmf->pgoff >> MVGPU_GUEST_IDX_SHIFT;
	u64 off = (u64)(vmf->pgoff & MVGPU_GUEST_IDX_MASK) << PAGE_SHIFT;
	struct mvgpu_guest_buf *buf;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	unsigned long pfn;
	void *cpu;

	mutex_lock(&gdev->lock);
	if (gdev->gone)
		goto unlock;
	if (idx == 0) {
		if (off >= gdev->bar0_len)
			goto unlock;
		pfn = (gdev->bar0_start + off) >> PAGE_SHIFT;
	} else if (idx == 1) {
		if (off >= gdev->vram_len)
			goto unlock;
		pfn = (gdev->vram_start + off) >> PAGE_SHIFT;
	} else {
		buf = idr_find(&f->bufs, idx);
		if (!buf || buf->user || off >= buf->size)
			goto unlock;
		cpu = buf->cpu + off;
		pfn = is_vmalloc_addr(cpu) ? vmalloc_to_pfn(cpu) :
					     PHYS_PFN(virt_to_phys(cpu));
	}
	ret = vmf_insert_pfn(vma, vmf->address, pfn);
unlock:
	mutex_unlock(&gdev->lock);
	return ret;
}

static const struct vm_operations_struct mvgpu_guest_vm_ops = {
	.fault = mvgpu_guest_fault,
};

/* Check the range and set the vma up; gdev->lock held */
int mvgpu_guest_mem_mmap(struct mvgpu_guest_file *f,
			 struct vm_area_struct *vma)
{
	struct mvgpu_guest_dev *gdev = f->gdev;
	unsigned long idx = vma->vm_pgoff >> MVGPU_GUEST_IDX_SHIFT;
	u64 off = (u64)(vma->vm_pgoff & MVGPU_GUEST_IDX_MASK) << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	struct mvgpu_guest_buf *buf;
	u64 size;

	lockdep_assert_held(&gdev->lock);
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (idx == 0) {
		size = gdev->bar0_len;
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	} else if (idx == 1) {
		size = gdev->vram_len;
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	} else {
		buf = idr_find(&f->bufs, idx);
		if (!buf || buf->user)
			return -EINVAL;
		size = buf->size;
	}
	if (off >= size || len > size - off)
		return -EINVAL;
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_private_data = f;
	vma->vm_ops = &mvgpu_guest_vm_ops;
	return 0;
}
