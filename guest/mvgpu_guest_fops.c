// SPDX-License-Identifier: GPL-2.0-only
/*
 * mvgpu_guest character device: one owner at a time, ioctls (a thin
 * switch, one function each), poll() for interrupts, mmap() of BAR0, the
 * VRAM BAR and DMA buffers (filled on fault by mvgpu_guest_mem.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mvgpu_guest.h"

static int mvgpu_guest_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct mvgpu_guest_dev *gdev =
		container_of(misc, struct mvgpu_guest_dev, misc);
	struct mvgpu_guest_file *f;
	int ret = 0;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	idr_init(&f->bufs);

	mutex_lock(&gdev->lock);
	if (gdev->gone) {
		ret = -ENODEV;
		goto unlock;
	}
	if (gdev->owner) {
		ret = -EBUSY;
		goto unlock;
	}
	kref_get(&gdev->ref);
	f->gdev = gdev;
	f->mapping = file->f_mapping;
	gdev->owner = f;
	/* a clean device for the new owner */
	__mvgpu_guest_hw_stop(gdev);
	mvgpu_guest_irq_take(gdev, &(u64){ 0 });
unlock:
	mutex_unlock(&gdev->lock);
	if (ret) {
		idr_destroy(&f->bufs);
		kfree(f);
		return ret;
	}
	file->private_data = f;
	return 0;
}

static int mvgpu_guest_release(struct inode *inode, struct file *file)
{
	struct mvgpu_guest_file *f = file->private_data;
	struct mvgpu_guest_dev *gdev = f->gdev;

	mutex_lock(&gdev->lock);
	if (!gdev->gone) {
		/* stop the device before its DMA targets go */
		__mvgpu_guest_hw_stop(gdev);
		__mvgpu_guest_bufs_free_all(f);
		mvgpu_guest_irq_take(gdev, &(u64){ 0 });
	}
	gdev->owner = NULL;
	mutex_unlock(&gdev->lock);
	mvgpu_guest_irq_set_eventfd(gdev, -1);

	idr_destroy(&f->bufs);
	kfree(f);
	mvgpu_guest_dev_put(gdev);
	return 0;
}

/* Copy in an argument that starts with argsz; -EINVAL when it is short */
static int mvgpu_guest_arg_in(void *arg, size_t size, void __user *uarg)
{
	u32 argsz;

	if (get_user(argsz, (u32 __user *)uarg))
		return -EFAULT;
	if (argsz < size)
		return -EINVAL;
	if (copy_from_user(arg, uarg, size))
		return -EFAULT;
	return 0;
}

/* Take gdev->lock if the device is still there; else -ENODEV */
static int mvgpu_guest_lock_live(struct mvgpu_guest_dev *gdev)
{
	mutex_lock(&gdev->lock);
	if (!gdev->gone)
		return 0;
	mutex_unlock(&gdev->lock);
	return -ENODEV;
}

static long mvgpu_guest_ioctl_info(struct mvgpu_guest_dev *gdev,
				   void __user *uarg)
{
	struct mvgpu_guest_info info;
	int ret = mvgpu_guest_arg_in(&info, sizeof(info), uarg);

	if (ret)
		return ret;
	if (info.flags)
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	info.vendor = gdev->pdev->vendor;
	info.device = gdev->pdev->device;
	info.subsys_vendor = gdev->pdev->subsystem_vendor;
	info.subsys_device = gdev->pdev->subsystem_device;
	info.version = gdev->version;
	info.caps = gdev->caps;
	info.irq_type = gdev->irq_type;
	info.bar0_size = gdev->bar0_len;
	info.vram_size = gdev->vram_len;
	info.irq_count = mvgpu_guest_irq_count(gdev);
	strscpy(info.pci_addr, gdev->pci_addr, sizeof(info.pci_addr));
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long mvgpu_guest_ioctl_dma_alloc(struct mvgpu_guest_file *f,
					void __user *uarg)
{
	struct mvgpu_guest_dev *gdev = f->gdev;
	struct mvgpu_guest_dma_alloc arg;
	int ret = mvgpu_guest_arg_in(&arg, sizeof(arg), uarg);

	if (ret)
		return ret;
	if (arg.flags || arg.reserved)
		return -EINVAL;
	ret = mvgpu_guest_lock_live(gdev);
	if (ret)
		return ret;
	ret = __mvgpu_guest_dma_alloc(f, &arg);
	mutex_unlock(&gdev->lock);
	if (ret)
		return ret;
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		if (!mvgpu_guest_lock_live(gdev)) {
			__mvgpu_guest_buf_free(f, arg.handle);
			mutex_unlock(&gdev->lock);
		}
		return -EFAULT;
	}
	return 0;
}

static long mvgpu_guest_ioctl_user_map(struct mvgpu_guest_file *f,
				       void __user *uarg)
{
	struct mvgpu_guest_dev *gdev = f->gdev;
	struct mvgpu_guest_segment *segs = NULL;
	struct mvgpu_guest_user_map arg;
	u32 nsegs = 0;
	int ret = mvgpu_guest_arg_in(&arg, sizeof(arg), uarg);

	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	ret = mvgpu_guest_user_map(f, &arg, &segs, &nsegs);
	if (ret && ret != -ENOSPC)
		return ret;
	arg.nr_segs = nsegs;
	if (ret == -ENOSPC)
		return put_user(nsegs, (u32 __user *)(uarg +
			offsetof(struct mvgpu_guest_user_map, nr_segs))) ?
			-EFAULT : -ENOSPC;
	if (copy_to_user(u64_to_user_ptr(arg.segs), segs,
			 sizeof(*segs) * nsegs) ||
	    copy_to_user(uarg, &arg, sizeof(arg)))
		ret = -EFAULT;
	kvfree(segs);
	if (ret && !mvgpu_guest_lock_live(gdev)) {
		__mvgpu_guest_buf_free(f, arg.handle);
		mutex_unlock(&gdev->lock);
	}
	return ret;
}

static long mvgpu_guest_ioctl_free(struct mvgpu_guest_file *f,
				   void __user *uarg)
{
	struct mvgpu_guest_free arg;
	int ret = mvgpu_guest_arg_in(&arg, sizeof(arg), uarg);

	if (ret)
		return ret;
	ret = mvgpu_guest_lock_live(f->gdev);
	if (ret)
		return ret;
	ret = __mvgpu_guest_buf_free(f, arg.handle);
	mutex_unlock(&f->gdev->lock);
	return ret;
}

static long mvgpu_guest_ioctl_set_eventfd(struct mvgpu_guest_dev *gdev,
					  void __user *uarg)
{
	struct mvgpu_guest_eventfd arg;
	int ret = mvgpu_guest_arg_in(&arg, sizeof(arg), uarg);

	if (ret)
		return ret;
	if (arg.fd < -1)
		return -EBADF;
	return mvgpu_guest_irq_set_eventfd(gdev, arg.fd);
}

static long mvgpu_guest_ioctl_irq_causes(struct mvgpu_guest_dev *gdev,
					 void __user *uarg)
{
	struct mvgpu_guest_irq_causes arg;
	int ret = mvgpu_guest_arg_in(&arg, sizeof(arg), uarg);

	if (ret)
		return ret;
	arg.argsz = sizeof(arg);
	arg.causes = mvgpu_guest_irq_take(gdev, &arg.irq_count);
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long mvgpu_guest_ioctl_reset(struct mvgpu_guest_dev *gdev)
{
	int ret = mvgpu_guest_lock_live(gdev);

	if (ret)
		return ret;
	iowrite32(MVGPU_RESET_MAGIC, gdev->regs + MVGPU_REG_RESET);
	mvgpu_guest_irq_take(gdev, &(u64){ 0 });
	mutex_unlock(&gdev->lock);
	return 0;
}

/* Each ioctl takes gdev->lock itself, never across copy_*_user() */
static long mvgpu_guest_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct mvgpu_guest_file *f = file->private_data;
	struct mvgpu_guest_dev *gdev = f->gdev;
	void __user *uarg = (void __user *)arg;

	if (READ_ONCE(gdev->gone))
		return -ENODEV;
	switch (cmd) {
	case MVGPU_GUEST_IOCTL_INFO:
		return mvgpu_guest_ioctl_info(gdev, uarg);
	case MVGPU_GUEST_IOCTL_DMA_ALLOC:
		return mvgpu_guest_ioctl_dma_alloc(f, uarg);
	case MVGPU_GUEST_IOCTL_USER_MAP:
		return mvgpu_guest_ioctl_user_map(f, uarg);
	case MVGPU_GUEST_IOCTL_FREE:
		return mvgpu_guest_ioctl_free(f, uarg);
	case MVGPU_GUEST_IOCTL_SET_EVENTFD:
		return mvgpu_guest_ioctl_set_eventfd(gdev, uarg);
	case MVGPU_GUEST_IOCTL_IRQ_CAUSES:
		return mvgpu_guest_ioctl_irq_causes(gdev, uarg);
	case MVGPU_GUEST_IOCTL_RESET:
		return mvgpu_guest_ioctl_reset(gdev);
	default:
		return -ENOTTY;
	}
}

static __poll_t mvgpu_guest_poll(struct file *file, poll_table *wait)
{
	struct mvgpu_guest_file *f = file->private_data;
	struct mvgpu_guest_dev *gdev = f->gdev;
	__poll_t mask = 0;

	poll_wait(file, &gdev->wq, wait);
	if (READ_ONCE(gdev->gone))
		return EPOLLHUP | EPOLLERR;
	spin_lock_irq(&gdev->irq_lock);
	if (gdev->causes)
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock_irq(&gdev->irq_lock);
	return mask;
}

static int mvgpu_guest_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mvgpu_guest_file *f = file->private_data;
	struct mvgpu_guest_dev *gdev = f->gdev;
	int ret;

	mutex_lock(&gdev->lock);
	ret = gdev->gone ? -ENODEV : mvgpu_guest_mem_mmap(f, vma);
	mutex_unlock(&gdev->lock);
	return ret;
}

const struct file_operations mvgpu_guest_fops = {
	.owner		= THIS_MODULE,
	.open		= mvgpu_guest_open,
	.release	= mvgpu_guest_release,
	.unlocked_ioctl	= mvgpu_guest_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.poll		= mvgpu_guest_poll,
	.mmap		= mvgpu_guest_mmap,
	.llseek		= noop_llseek,
};
