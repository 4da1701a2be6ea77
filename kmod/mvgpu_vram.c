// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VRAM BAR: read/write through the region and mmap with pages put in
 * on demand by a fault handler, each backed by this vGPU's partition.
 * The backend says where VRAM is (vram_map for the kernel, vram_pfn for
 * users); I/O memory is copied with the mvgpu_vram_*() helpers and mapped
 * write-combining.
 *
 * Every vGPU owns a file on a private pseudo filesystem, and its mappings
 * are moved onto that file at mmap time, so unmap_mapping_range() on it
 * zaps exactly this vGPU's user mappings (the vfio device files all share
 * one anonymous inode).  A mapping still holds a reference to the vfio
 * device file it came from, so, as with vfio-pci, the device stays open
 * while it is mapped.
 *
 * vram_rwsem orders faults against zapping: a fault maps a page only
 * while vram_enabled holds (device open, PCI memory decoding on); turning
 * it off takes the semaphore for writing and zaps, so no page can be
 * mapped after that until it is turned on again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mvgpu.h"

#define MVGPU_VRAM_FS_MAGIC	0x6d766770	/* "mvgp" */
/*
 * pages a fault on I/O memory VRAM maps: the faulting one and its aligned
 * neighbours (ordinary RAM maps a whole page-table page, see the fault)
 */
#define MVGPU_VRAM_FAULT_AROUND	32

static struct vfsmount *mvgpu_vram_mnt;

static int mvgpu_vram_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, MVGPU_VRAM_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type mvgpu_vram_fs_type = {
	.name		 = "mvgpu_vram",
	.init_fs_context = mvgpu_vram_init_fs_context,
	.kill_sb	 = kill_anon_super,
};

int mvgpu_vram_module_init(void)
{
	mvgpu_vram_mnt = kern_mount(&mvgpu_vram_fs_type);
	return PTR_ERR_OR_ZERO(mvgpu_vram_mnt);
}

void mvgpu_vram_module_exit(void)
{
	kern_unmount(mvgpu_vram_mnt);
}

static const struct file_operations mvgpu_vram_fops = {
	.owner = THIS_MODULE,
};

int mvgpu_vram_init(struct mvgpu_vgpu *vgpu)
{
	struct inode *inode;
	struct file *file;
	int ret;

	init_rwsem(&vgpu->vram_rwsem);
	atomic64_set(&vgpu->vram_faults, 0);
	atomic64_set(&vgpu->scrubs, 0);
	atomic64_set(&vgpu->scrub_last_ns, 0);
	ret = mvgpu_vram_use_init(vgpu);
	if (ret)
		return ret;

	inode = alloc_anon_inode(mvgpu_vram_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		ret = PTR_ERR(inode);
		goto err_use;
	}
	/* the file's release puts the module, as its fops owner */
	__module_get(THIS_MODULE);
	file = alloc_file_pseudo(inode, mvgpu_vram_mnt, "mvgpu-vram", O_RDWR,
				 &mvgpu_vram_fops);
	if (IS_ERR(file)) {
		module_put(THIS_MODULE);
		iput(inode);
		ret = PTR_ERR(file);
		goto err_use;
	}
	vgpu->vram_file = file;
	return 0;

err_use:
	mvgpu_vram_use_fini(vgpu);
	return ret;
}

void mvgpu_vram_fini(struct mvgpu_vgpu *vgpu)
{
	if (vgpu->vram_file)
		fput(vgpu->vram_file);
	vgpu->vram_file = NULL;
	mvgpu_vram_use_fini(vgpu);
}

/*
 * The kernel address of a vGPU VRAM offset below its size, through its
 * partition map, valid to the end of its page: I/O memory when
 * caps.vram_iomem, so only for the mvgpu_vram_*() helpers
 */
void *mvgpu_vgpu_vram_map(struct mvgpu_vgpu *vgpu, u64 off)
{
	struct mvgpu_hw *hw = &vgpu->gpu->hw;

	return hw->ops->vram_map(hw, mvgpu_ctx_vram_phys(&vgpu->ctx, off));
}

/* The page frame behind a vGPU VRAM offset, for a user mapping */
static unsigned long mvgpu_vgpu_vram_pfn(struct mvgpu_vgpu *vgpu, u64 off)
{
	struct mvgpu_hw *hw = &vgpu->gpu->hw;

	return hw->ops->vram_pfn(hw, mvgpu_ctx_vram_phys(&vgpu->ctx, off));
}

/*
 * Let faults and region accesses in, or zap every mapping and keep them
 * out: @enable is the device state (open, memory decoding on).
 * vgpu->lock held.
 */
void mvgpu_vram_update(struct mvgpu_vgpu *vgpu, bool enable)
{
	lockdep_assert_held(&vgpu->lock);
	if (enable == vgpu->vram_enabled)
		return;

	down_write(&vgpu->vram_rwsem);
	vgpu->vram_enabled = enable;
	if (!enable)
		unmap_mapping_range(vgpu->vram_file->f_mapping, 0, 0, true);
	up_write(&vgpu->vram_rwsem);
}

ssize_t mvgpu_vram_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf,
		      size_t count, u64 off, bool write)
{
	size_t done = 0;
	ssize_t ret = 0;
	void *bounce;

	if (off >= vgpu->ctx.vram_size || count > vgpu->ctx.vram_size - off)
		return -EINVAL;

	bounce = (void *)__get_free_page(GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;

	while (done < count) {
		u64 pos = off + done;
		size_t n = min_t(size_t, count - done,
				 PAGE_SIZE - offset_in_page(pos));
		void *vram;

		/* user copies stay outside the semaphore: they may fault on us */
		if (write && copy_from_user(bounce, ubuf + done, n)) {
			ret = -EFAULT;
			break;
		}
		down_read(&vgpu->vram_rwsem);
		if (!vgpu->vram_enabled) {
			up_read(&vgpu->vram_rwsem);
			dev_dbg_ratelimited(vgpu->dev,
					    "VRAM access with memory decoding off refused\n");
			ret = -EIO;
			break;
		}
		vram = mvgpu_vgpu_vram_map(vgpu, pos);
		if (write) {
			mvgpu_vram_write(&vgpu->gpu->hw, vram, bounce, n);
			mvgpu_ctx_mark_used(&vgpu->ctx, pos, n);
		} else {
			mvgpu_vram_read(&vgpu->gpu->hw, bounce, vram, n);
		}
		up_read(&vgpu->vram_rwsem);
		if (!write && copy_to_user(ubuf + done, bounce, n)) {
			ret = -EFAULT;
			break;
		}
		done += n;
	}
	free_page((unsigned long)bounce);
	return done ? done : ret;
}

/* What a VRAM mapping holds on to; shared by the VMAs a split makes */
struct mvgpu_vram_mapping {
	refcount_t ref;
	struct mvgpu_vgpu *vgpu;
	struct file *devfile;		/* keeps the vfio device open */
};

static void mvgpu_vram_vma_open(struct vm_area_struct *vma)
{
	struct mvgpu_vram_mapping *map = vma->vm_private_data;

	refcount_inc(&map->ref);
}

static void mvgpu_vram_vma_close(struct vm_area_struct *vma)
{
	struct mvgpu_vram_mapping *map = vma->vm_private_data;

	if (refcount_dec_and_test(&map->ref)) {
		fput(map->devfile);
		kfree(map);
	}
}

/* The VRAM offset that user address @addr of @vma maps */
static u64 mvgpu_vram_vma_off(const struct vm_area_struct *vma,
			      unsigned long addr)
{
	return ((u64)vma->vm_pgoff << PAGE_SHIFT) + (addr - vma->vm_start);
}

/* A block of PTEs being filled for ordinary-RAM VRAM; see mvgpu_vram_fault */
struct mvgpu_vram_fill {
	struct vm_area_struct *vma;
	struct mvgpu_vgpu *vgpu;
};

/*
 * One PTE of the block, with the page-table lock held: a page already
 * there (a racing fault mapped it) is left as it is; an empty one gets
 * this vGPU's page as a special PTE, as vmf_insert_pfn() would write it.
 */
static int mvgpu_vram_fill_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct mvgpu_vram_fill *f = data;
	unsigned long pfn;

	if (!pte_none(*pte))
		return 0;
	pfn = mvgpu_vgpu_vram_pfn(f->vgpu, mvgpu_vram_vma_off(f->vma, addr));
	set_pte_at(f->vma->vm_mm, addr, pte,
		   pte_mkspecial(pfn_pte(pfn, f->vma->vm_page_prot)));
	update_mmu_cache(f->vma, addr, pte);
	return 0;
}

/*
 * Ordinary-RAM VRAM (!caps.vram_iomem): the whole block in one walk of
 * the page table, under its lock once.  The pages are the kernel's own,
 * write-back as in its linear map, so the VMA's protection is what
 * vmf_insert_pfn()'s memory-type lookup would give each of them.
 */
static vm_fault_t mvgpu_vram_fill_ram(struct vm_fault *vmf,
				      unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mvgpu_vram_mapping *map = vma->vm_private_data;
	struct mvgpu_vram_fill f = {
		.vma = vma,
		.vgpu = map->vgpu,
	};
	int err;

	err = apply_to_page_range(vma->vm_mm, start, end - start,
				  mvgpu_vram_fill_pte, &f);
	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	return err ? VM_FAULT_SIGBUS : VM_FAULT_NOPAGE;
}

/*
 * I/O memory VRAM: vmf_insert_pfn() page by page, which gives each page
 * the memory type PAT has for it; the faulting page first, as it is the
 * one that counts, then its neighbours as best effort.
 */
static vm_fault_t mvgpu_vram_fill_iomem(struct vm_fault *vmf,
					unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mvgpu_vram_mapping *map = vma->vm_private_data;
	struct mvgpu_vgpu *vgpu = map->vgpu;
	unsigned long addr;
	vm_fault_t ret;

	ret = vmf_insert_pfn(vma, vmf->address,
			     mvgpu_vgpu_vram_pfn(vgpu, mvgpu_vram_vma_off(vma, vmf->address)));
	if (ret & VM_FAULT_ERROR)
		return ret;
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		if (addr == vmf->address)
			continue;
		if (vmf_insert_pfn(vma, addr,
				   mvgpu_vgpu_vram_pfn(vgpu, mvgpu_vram_vma_off(vma, addr))) &
		    VM_FAULT_ERROR)
			break;
	}
	return ret;
}

/*
 * Map the faulting page and its neighbours in the same aligned block,
 * inside the VMA and the VRAM: for ordinary RAM the block is the 2 MiB
 * one page-table page covers (PTRS_PER_PTE pages, filled in one go), for
 * I/O memory MVGPU_VRAM_FAULT_AROUND pages (each its own insert).  A
 * first touch of the whole BAR then takes one fault per block.  Pages
 * already mapped are left as they are.  Every page is looked up through
 * this vGPU's partition map, and all of it happens under vram_rwsem with
 * vram_enabled checked, so a zap (decoding off, reset, close) still
 * removes every page mapped here and none can come after it.
 *
 * Measured (docs/performance.md, perf in the sandbox VM): with 32
 * vmf_insert_pfn() per fault, half of each insert was PAT's memory-type
 * lookup (walk_system_ram_range) and most of the rest the page-table
 * walk and PTE lock; one walk per 2 MiB without the lookup first-touches
 * a 32 MiB BAR about 5x faster, and the handler is now a small part of a
 * first touch.
 */
static vm_fault_t mvgpu_vram_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mvgpu_vram_mapping *map = vma->vm_private_data;
	struct mvgpu_vgpu *vgpu = map->vgpu;
	bool iomem = vgpu->gpu->hw.caps.vram_iomem;
	unsigned long block = iomem ? MVGPU_VRAM_FAULT_AROUND * PAGE_SIZE :
				      PTRS_PER_PTE * PAGE_SIZE;
	u64 base = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	unsigned long start, end;

	start = max(ALIGN_DOWN(vmf->address, block), vma->vm_start);
	end = min(ALIGN_DOWN(vmf->address, block) + block, vma->vm_end);

	down_read(&vgpu->vram_rwsem);
	if (!vgpu->vram_enabled || off >= vgpu->ctx.vram_size)
		goto unlock;
	/* not past the VRAM: the faulting page is below its end */
	if (mvgpu_vram_vma_off(vma, end) > vgpu->ctx.vram_size)
		end = vma->vm_start + (vgpu->ctx.vram_size - base);
	atomic64_inc(&vgpu->vram_faults);
	ret = iomem ? mvgpu_vram_fill_iomem(vmf, start, end) :
		      mvgpu_vram_fill_ram(vmf, start, end);
	if (ret & VM_FAULT_ERROR)
		goto unlock;
	if (vma->vm_flags & VM_WRITE)	/* the client writes without asking */
		mvgpu_ctx_mark_used(&vgpu->ctx, mvgpu_vram_vma_off(vma, start),
				    end - start);
unlock:
	up_read(&vgpu->vram_rwsem);
	if (ret == VM_FAULT_SIGBUS)
		dev_dbg_ratelimited(vgpu->dev,
				    "VRAM fault at 0x%llx with memory decoding off: SIGBUS\n",
				    off);
	return ret;
}

static const struct vm_operations_struct mvgpu_vram_vm_ops = {
	.open	= mvgpu_vram_vma_open,
	.close	= mvgpu_vram_vma_close,
	.fault	= mvgpu_vram_fault,
};

/**
 * mvgpu_vram_mmap - map the VRAM BAR, pages to come on first touch
 * @vgpu: the vGPU
 * @vma: the new mapping; vm_pgoff is the offset inside the region
 *
 * Return: 0, or -EINVAL for a private mapping or one past the VRAM.
 */
int mvgpu_vram_mmap(struct mvgpu_vgpu *vgpu, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 size = vma->vm_end - vma->vm_start;
	struct mvgpu_vram_mapping *map;

	if (!(vma->vm_flags & VM_SHARED)) {
		dev_dbg_ratelimited(vgpu->dev,
				    "private mapping of VRAM refused\n");
		return -EINVAL;
	}
	if (off >= vgpu->ctx.vram_size || size > vgpu->ctx.vram_size - off) {
		dev_dbg_ratelimited(vgpu->dev,
				    "mapping of 0x%llx bytes at 0x%llx is past the VRAM\n",
				    size, off);
		return -EINVAL;
	}

	/* charged to the client's memory cgroup, as it asked for it */
	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	refcount_set(&map->ref, 1);
	map->vgpu = vgpu;
	map->devfile = get_file(vma->vm_file);

	vma->vm_private_data = map;
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	/* device memory is mapped as a GPU's aperture is: write-combining */
	if (vgpu->gpu->hw.caps.vram_iomem)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	vma->vm_ops = &mvgpu_vram_vm_ops;
	vma_set_file(vma, vgpu->vram_file);
	return 0;
}
