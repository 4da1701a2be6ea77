// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO glue: the vfio_device_ops of a vGPU.  Region reads and writes carry
 * the region index in the top bits of the file offset, as vfio-pci does;
 * each region's accesses go to the device model (config space, BAR0
 * registers, VRAM).  The ioctls follow include/uapi/linux/vfio.h: argsz
 * and flags are checked, and a malformed request changes nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "mvgpu.h"

#define MVGPU_OFFSET_SHIFT	40
#define MVGPU_OFFSET_TO_INDEX(off)	((u64)(off) >> MVGPU_OFFSET_SHIFT)
#define MVGPU_INDEX_TO_OFFSET(index)	((u64)(index) << MVGPU_OFFSET_SHIFT)
#define MVGPU_OFFSET_MASK	(MVGPU_INDEX_TO_OFFSET(1) - 1)

static ssize_t mvgpu_vfio_cfg_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf,
				 size_t count, u64 off, bool write)
{
	u8 buf[MVGPU_CFG_SIZE];
	int ret;

	if (off >= MVGPU_CFG_SIZE || count > MVGPU_CFG_SIZE - off)
		return -EINVAL;
	if (write && copy_from_user(buf, ubuf, count))
		return -EFAULT;

	if (write) {
		mutex_lock(&vgpu->lock);
		ret = mvgpu_cfg_write(vgpu, off, buf, count);
		mutex_unlock(&vgpu->lock);
	} else {
		/* lockless: a seqcount read of the image */
		ret = mvgpu_cfg_read(vgpu, off, buf, count);
	}

	if (ret)
		return ret;
	if (!write && copy_to_user(ubuf, buf, count))
		return -EFAULT;
	return count;
}

static ssize_t mvgpu_vfio_mmio_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf,
				  size_t count, u64 off, bool write)
{
	u8 buf[8];
	int ret;

	if (count > sizeof(buf) || off >= MVGPU_BAR0_SIZE)
		return -EINVAL;
	if (write && copy_from_user(buf, ubuf, count))
		return -EFAULT;

	/*
	 * Reads change nothing and each register's value has its own
	 * protection (see mvgpu_mmio_value), so only writes take the lock;
	 * a read racing a write of PCI_COMMAND sees decoding either way.
	 */
	if (write)
		mutex_lock(&vgpu->lock);
	if (!mvgpu_cfg_mem_enabled(vgpu)) {
		ret = -EIO;
		dev_dbg_ratelimited(vgpu->vdev.dev,
				    "BAR0 access with memory decoding off refused\n");
	} else if (write) {
		ret = mvgpu_mmio_write(vgpu, off, buf, count);
	} else {
		ret = mvgpu_mmio_read(vgpu, off, buf, count);
	}
	if (write)
		mutex_unlock(&vgpu->lock);

	if (ret)
		return ret;
	if (!write && copy_to_user(ubuf, buf, count))
		return -EFAULT;
	return count;
}

static ssize_t mvgpu_vfio_rw(struct vfio_device *vdev, char __user *ubuf,
			     size_t count, loff_t *ppos, bool write)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);
	u64 index = MVGPU_OFFSET_TO_INDEX(*ppos);
	u64 off = *ppos & MVGPU_OFFSET_MASK;
	ssize_t ret;

	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		ret = mvgpu_vfio_cfg_rw(vgpu, ubuf, count, off, write);
		break;
	case MVGPU_BAR0_INDEX:
		ret = mvgpu_vfio_mmio_rw(vgpu, ubuf, count, off, write);
		break;
	case MVGPU_VRAM_BAR_INDEX:
		ret = mvgpu_vram_rw(vgpu, ubuf, count, off, write);
		break;
	default:
		ret = -EINVAL;
	}
	if (ret > 0)
		*ppos += ret;
	return ret;
}

static ssize_t mvgpu_vfio_read(struct vfio_device *vdev, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	return mvgpu_vfio_rw(vdev, ubuf, count, ppos, false);
}

static ssize_t mvgpu_vfio_write(struct vfio_device *vdev,
				const char __user *ubuf, size_t count,
				loff_t *ppos)
{
	return mvgpu_vfio_rw(vdev, (char __user *)ubuf, count, ppos, true);
}

static int mvgpu_ioctl_get_info(struct mvgpu_vgpu *vgpu, void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, uarg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
}

static int mvgpu_ioctl_get_region_info(struct mvgpu_vgpu *vgpu,
				       void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;

	if (copy_from_user(&info, uarg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;

	info.offset = MVGPU_INDEX_TO_OFFSET(info.index);
	info.cap_offset = 0;
	switch (info.index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info.size = MVGPU_CFG_SIZE;
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case MVGPU_BAR0_INDEX:
		info.size = MVGPU_BAR0_SIZE;
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case MVGPU_VRAM_BAR_INDEX:
		info.size = vgpu->ctx.vram_size;
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE |
			     VFIO_REGION_INFO_FLAG_MMAP;
		break;
	default:
		/* the upper halves of the 64-bit BARs, BAR4/5, ROM, VGA */
		info.size = 0;
		info.flags = 0;
	}
	return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
}

static int mvgpu_ioctl_get_irq_info(struct mvgpu_vgpu *vgpu, void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;
	int ret;

	if (copy_from_user(&info, uarg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	ret = mvgpu_irq_get_info(vgpu, &info);
	if (ret)
		return ret;
	return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
}

static int mvgpu_ioctl_set_irqs(struct mvgpu_vgpu *vgpu, void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	void *data = NULL;
	int ret;

	if (copy_from_user(&hdr, uarg, minsz))
		return -EFAULT;
	ret = vfio_set_irqs_validate_and_prepare(&hdr,
						 mvgpu_irq_count(hdr.index),
						 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;
	if (data_size) {
		data = memdup_user(uarg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}

	mutex_lock(&vgpu->lock);
	ret = mvgpu_irq_set_irqs(vgpu, &hdr, data);
	mutex_unlock(&vgpu->lock);
	kfree(data);
	return ret;
}

static long mvgpu_vfio_ioctl(struct vfio_device *vdev, unsigned int cmd,
			     unsigned long arg)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return mvgpu_ioctl_get_info(vgpu, uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return mvgpu_ioctl_get_region_info(vgpu, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return mvgpu_ioctl_get_irq_info(vgpu, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return mvgpu_ioctl_set_irqs(vgpu, uarg);
	case VFIO_DEVICE_RESET:
		mutex_lock(&vgpu->lock);
		mvgpu_vgpu_reset(vgpu, true);
		mutex_unlock(&vgpu->lock);
		return 0;
	}
	return -ENOTTY;
}

static int mvgpu_vfio_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);
	u64 index = MVGPU_OFFSET_TO_INDEX((u64)vma->vm_pgoff << PAGE_SHIFT);

	if (index != MVGPU_VRAM_BAR_INDEX) {
		dev_dbg_ratelimited(vdev->dev,
				    "mmap of region %llu refused: only VRAM maps\n",
				    index);
		return -EINVAL;
	}
	vma->vm_pgoff &= MVGPU_OFFSET_MASK >> PAGE_SHIFT;
	return mvgpu_vram_mmap(vgpu, vma);
}

static void mvgpu_vfio_request(struct vfio_device *vdev, unsigned int count)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);
	bool asked = mvgpu_irq_signal_request(vgpu);

	if (count % 10)
		return;
	mutex_lock(&vgpu->lock);
	if (asked)
		dev_notice(vdev->dev,
			   "remove waits: vGPU is open by %s (%d); asked it to release the device\n",
			   vgpu->owner_comm, vgpu->owner_pid);
	else
		dev_notice(vdev->dev,
			   "remove waits: vGPU is open by %s (%d), which has no request eventfd; waiting for it to close\n",
			   vgpu->owner_comm, vgpu->owner_pid);
	mutex_unlock(&vgpu->lock);
}

const struct vfio_device_ops mvgpu_vfio_ops = {
	.name		= "mvgpu",
	.init		= mvgpu_vgpu_init,
	.release	= mvgpu_vgpu_release,
	.open_device	= mvgpu_vgpu_open,
	.close_device	= mvgpu_vgpu_close,
	.read		= mvgpu_vfio_read,
	.write		= mvgpu_vfio_write,
	.ioctl		= mvgpu_vfio_ioctl,
	.mmap		= mvgpu_vfio_mmap,
	.request	= mvgpu_vfio_request,
};
