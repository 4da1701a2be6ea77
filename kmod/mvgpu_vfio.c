// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VFIO glue, all of mvgpu that speaks VFIO and mdev (with its interrupt
 * half, mvgpu_vfio_irq.c), as GVT-g's kvmgt.c:
 *
 *   - each GPU's mdev parent and its types (mvgpu_vfio_parent_register)
 *   - the mdev driver: probe makes a vfio_device around a struct
 *     mvgpu_vgpu, remove waits for its user and tears it down
 *   - the vfio_device_ops: region reads and writes carry the region index
 *     in the top bits of the file offset, as vfio-pci does, and go to the
 *     device model (config space, BAR0 registers, VRAM); the ioctls follow
 *     include/uapi/linux/vfio.h: argsz and flags are checked, and a
 *     malformed request changes nothing
 *   - the vGPU's host ops: DMA copies over vfio_dma_rw, device references
 *   - the migration ops: the v2 state machine's arcs, each a call into the
 *     device model, which hands out the data files
 *
 * The device model never calls back into this file: it reaches the glue
 * only through struct mvgpu_vgpu_host_ops.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mvgpu_vfio.h"

#define MVGPU_OFFSET_SHIFT	40
#define MVGPU_OFFSET_TO_INDEX(off)	((u64)(off) >> MVGPU_OFFSET_SHIFT)
#define MVGPU_INDEX_TO_OFFSET(index)	((u64)(index) << MVGPU_OFFSET_SHIFT)
#define MVGPU_OFFSET_MASK	(MVGPU_INDEX_TO_OFFSET(1) - 1)

/*
 * Register accesses are 1, 2, 4 or 8 bytes: copy those with get_user and
 * put_user of that width.  A copy_from_user/copy_to_user of a size known
 * only at run time goes through the generic string copy and, with
 * CONFIG_HARDENED_USERCOPY, through __check_object_size on every call
 * (see docs/performance.md).  Other sizes take that generic way.  @buf
 * is 8-byte aligned and holds at least @count bytes.
 */
static int mvgpu_user_in(void *buf, const char __user *ubuf, size_t count)
{
	switch (count) {
	case 1:
		return get_user(*(u8 *)buf, (const u8 __user *)ubuf);
	case 2:
		return get_user(*(u16 *)buf, (const u16 __user *)ubuf);
	case 4:
		return get_user(*(u32 *)buf, (const u32 __user *)ubuf);
	case 8:
		return get_user(*(u64 *)buf, (const u64 __user *)ubuf);
	}
	return copy_from_user(buf, ubuf, count) ? -EFAULT : 0;
}

static int mvgpu_user_out(char __user *ubuf, const void *buf, size_t count)
{
	switch (count) {
	case 1:
		return put_user(*(const u8 *)buf, (u8 __user *)ubuf);
	case 2:
		return put_user(*(const u16 *)buf, (u16 __user *)ubuf);
	case 4:
		return put_user(*(const u32 *)buf, (u32 __user *)ubuf);
	case 8:
		return put_user(*(const u64 *)buf, (u64 __user *)ubuf);
	}
	return copy_to_user(ubuf, buf, count) ? -EFAULT : 0;
}

/* A config access through @buf, which holds @count bytes (8-aligned) */
static __always_inline ssize_t mvgpu_vfio_cfg_access(struct mvgpu_vgpu *vgpu,
						     char __user *ubuf,
						     size_t count, u64 off,
						     bool write, u8 *buf)
{
	int ret;

	if (off >= MVGPU_CFG_SIZE || count > MVGPU_CFG_SIZE - off)
		return -EINVAL;
	if (write) {
		ret = mvgpu_user_in(buf, ubuf, count);
		if (ret)
			return ret;
		mutex_lock(&vgpu->lock);
		ret = mvgpu_vgpu_cfg_write(vgpu, off, buf, count);
		mutex_unlock(&vgpu->lock);
		if (ret)
			return ret;
		return count;
	}

	/* lockless: a seqcount read of the image */
	ret = mvgpu_cfg_read(vgpu, off, buf, count);
	if (!ret)
		ret = mvgpu_user_out(ubuf, buf, count);
	if (ret)
		return ret;
	return count;
}

/*
 * Longer config accesses need the whole image's size on the stack, which
 * CONFIG_INIT_STACK_ALL_ZERO clears on every call: only they pay for it.
 */
static noinline_for_stack ssize_t
mvgpu_vfio_cfg_rw_long(struct mvgpu_vgpu *vgpu, char __user *ubuf,
		       size_t count, u64 off, bool write)
{
	u64 buf[MVGPU_CFG_SIZE / sizeof(u64)];

	return mvgpu_vfio_cfg_access(vgpu, ubuf, count, off, write, (u8 *)buf);
}

static ssize_t mvgpu_vfio_cfg_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf,
				 size_t count, u64 off, bool write)
{
	u64 buf;

	if (count > sizeof(buf))
		return mvgpu_vfio_cfg_rw_long(vgpu, ubuf, count, off, write);
	return mvgpu_vfio_cfg_access(vgpu, ubuf, count, off, write, (u8 *)&buf);
}

static ssize_t mvgpu_vfio_mmio_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf,
				  size_t count, u64 off, bool write)
{
	u64 buf;
	int ret;

	if (count > sizeof(buf) || off >= MVGPU_BAR0_SIZE)
		return -EINVAL;
	if (write) {
		ret = mvgpu_user_in(&buf, ubuf, count);
		if (ret)
			return ret;
	}

	/*
	 * Reads change nothing and each register's value has its own
	 * protection (see mvgpu_mmio_value), so only writes take the lock;
	 * a read racing a write of PCI_COMMAND sees decoding either way.
	 */
	if (write)
		mutex_lock(&vgpu->lock);
	if (!mvgpu_cfg_mem_enabled(vgpu)) {
		ret = -EIO;
		dev_dbg_ratelimited(vgpu->dev,
				    "BAR0 access with memory decoding off refused\n");
	} else if (write) {
		ret = mvgpu_vgpu_mmio_write(vgpu, off, &buf, count);
	} else {
		ret = mvgpu_mmio_read(vgpu, off, &buf, count);
	}
	if (write)
		mutex_unlock(&vgpu->lock);

	if (!ret && !write)
		ret = mvgpu_user_out(ubuf, &buf, count);
	if (ret)
		return ret;
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

/* ------------------------------------------------------------------ */
/* The vGPU's host: what the device model asks of VFIO                 */
/* ------------------------------------------------------------------ */

static struct vfio_device *mvgpu_vgpu_to_vdev(struct mvgpu_vgpu *vgpu)
{
	return &container_of(vgpu, struct mvgpu_vfio_vgpu, vgpu)->vdev;
}

static void mvgpu_vfio_get(struct mvgpu_vgpu *vgpu)
{
	get_device(&mvgpu_vgpu_to_vdev(vgpu)->device);
}

static void mvgpu_vfio_put(struct mvgpu_vgpu *vgpu)
{
	put_device(&mvgpu_vgpu_to_vdev(vgpu)->device);
}

/* Only what the client mapped with VFIO_IOMMU_MAP_DMA; may fault */
static int mvgpu_vfio_dma_rw(struct mvgpu_vgpu *vgpu, u64 iova, void *buf,
			     size_t len, bool write)
{
	return vfio_dma_rw(mvgpu_vgpu_to_vdev(vgpu), iova, buf, len, write);
}

static const struct mvgpu_vgpu_host_ops mvgpu_vfio_host_ops = {
	.get		= mvgpu_vfio_get,
	.put		= mvgpu_vfio_put,
	.dma_rw		= mvgpu_vfio_dma_rw,
};

/* ------------------------------------------------------------------ */
/* Migration: the v2 state machine                                     */
/* ------------------------------------------------------------------ */

static enum mvgpu_mig_state mvgpu_mig_from_vfio(enum vfio_device_mig_state s)
{
	switch (s) {
	case VFIO_DEVICE_STATE_STOP:
		return MVGPU_MIG_STOP;
	case VFIO_DEVICE_STATE_STOP_COPY:
		return MVGPU_MIG_STOP_COPY;
	case VFIO_DEVICE_STATE_RESUMING:
		return MVGPU_MIG_RESUMING;
	default:
		return MVGPU_MIG_RUNNING;
	}
}

static enum vfio_device_mig_state mvgpu_mig_to_vfio(enum mvgpu_mig_state s)
{
	switch (s) {
	case MVGPU_MIG_STOP:
		return VFIO_DEVICE_STATE_STOP;
	case MVGPU_MIG_STOP_COPY:
		return VFIO_DEVICE_STATE_STOP_COPY;
	case MVGPU_MIG_RESUMING:
		return VFIO_DEVICE_STATE_RESUMING;
	case MVGPU_MIG_RUNNING:
		break;
	}
	return VFIO_DEVICE_STATE_RUNNING;
}

/* One arc of the state machine; vgpu->lock held */
static struct file *mvgpu_vfio_mig_step(struct mvgpu_vgpu *vgpu,
					enum vfio_device_mig_state next)
{
	enum vfio_device_mig_state cur = mvgpu_mig_to_vfio(vgpu->mig_state);
	int ret;

	lockdep_assert_held(&vgpu->lock);
	if (cur == VFIO_DEVICE_STATE_RUNNING &&
	    next == VFIO_DEVICE_STATE_STOP) {
		mvgpu_vgpu_mig_stop(vgpu);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_RUNNING) {
		mvgpu_vgpu_mig_run(vgpu);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_STOP_COPY)
		return mvgpu_mig_save_open(vgpu);
	if (cur == VFIO_DEVICE_STATE_STOP_COPY &&
	    next == VFIO_DEVICE_STATE_STOP) {
		mvgpu_mig_save_close(vgpu);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_RESUMING)
		return mvgpu_mig_load_open(vgpu);
	if (cur == VFIO_DEVICE_STATE_RESUMING &&
	    next == VFIO_DEVICE_STATE_STOP) {
		ret = mvgpu_vgpu_mig_load(vgpu);
		return ret ? ERR_PTR(ret) : NULL;
	}
	/* vfio_mig_get_next_state() only hands out the arcs above */
	return ERR_PTR(-EINVAL);
}

static struct file *mvgpu_vfio_mig_set_state(struct vfio_device *vdev,
					     enum vfio_device_mig_state new_state)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&vgpu->lock);
	while (new_state != mvgpu_mig_to_vfio(vgpu->mig_state)) {
		ret = vfio_mig_get_next_state(vdev,
					      mvgpu_mig_to_vfio(vgpu->mig_state),
					      new_state, &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = mvgpu_vfio_mig_step(vgpu, next);
		if (IS_ERR(res))
			break;
		vgpu->mig_state = mvgpu_mig_from_vfio(next);
		/* only the last arc of a path may open a session */
		if (res && new_state != next) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	mutex_unlock(&vgpu->lock);
	return res;
}

static int mvgpu_vfio_mig_get_state(struct vfio_device *vdev,
				    enum vfio_device_mig_state *state)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);

	mutex_lock(&vgpu->lock);
	*state = mvgpu_mig_to_vfio(vgpu->mig_state);
	mutex_unlock(&vgpu->lock);
	return 0;
}

static const struct vfio_migration_ops mvgpu_vfio_mig_ops = {
	.migration_set_state	= mvgpu_vfio_mig_set_state,
	.migration_get_state	= mvgpu_vfio_mig_get_state,
};

/* ------------------------------------------------------------------ */
/* vfio_device_ops                                                     */
/* ------------------------------------------------------------------ */

static struct mvgpu_type *mvgpu_vfio_mtype_to_type(struct mdev_type *mtype);

/* init: everything a new vGPU needs, or nothing */
static int mvgpu_vfio_init(struct vfio_device *vdev)
{
	struct mdev_device *mdev = to_mdev_device(vdev->dev);

	vdev->migration_flags = VFIO_MIGRATION_STOP_COPY;
	vdev->mig_ops = &mvgpu_vfio_mig_ops;
	return mvgpu_vgpu_init(mvgpu_vdev_to_vgpu(vdev),
			       mvgpu_vfio_mtype_to_type(mdev->type), vdev->dev,
			       &mvgpu_vfio_host_ops);
}

/* release: the last reference is gone */
static void mvgpu_vfio_release(struct vfio_device *vdev)
{
	mvgpu_vgpu_release(mvgpu_vdev_to_vgpu(vdev));
	vfio_free_device(vdev);
}

static int mvgpu_vfio_open(struct vfio_device *vdev)
{
	struct mvgpu_vgpu *vgpu = mvgpu_vdev_to_vgpu(vdev);

	mutex_lock(&vgpu->lock);
	mvgpu_vgpu_open(vgpu);
	mutex_unlock(&vgpu->lock);
	dev_dbg_ratelimited(vdev->dev, "opened by %s (%d)\n",
			    vgpu->owner_comm, vgpu->owner_pid);
	return 0;
}

static void mvgpu_vfio_close(struct vfio_device *vdev)
{
	mvgpu_vgpu_close(mvgpu_vdev_to_vgpu(vdev));
}

static const struct vfio_device_ops mvgpu_vfio_ops = {
	.name		= "mvgpu",
	.init		= mvgpu_vfio_init,
	.release	= mvgpu_vfio_release,
	.open_device	= mvgpu_vfio_open,
	.close_device	= mvgpu_vfio_close,
	.read		= mvgpu_vfio_read,
	.write		= mvgpu_vfio_write,
	.ioctl		= mvgpu_vfio_ioctl,
	.mmap		= mvgpu_vfio_mmap,
	.request	= mvgpu_vfio_request,
};

/* ------------------------------------------------------------------ */
/* The mdev driver                                                     */
/* ------------------------------------------------------------------ */

static int mvgpu_mdev_probe(struct mdev_device *mdev)
{
	struct mvgpu_vfio_vgpu *vv;
	struct mvgpu_vgpu *vgpu;
	int ret;

	/* a vGPU pins the module: rmmod is refused while vGPUs exist */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;

	vv = vfio_alloc_device(mvgpu_vfio_vgpu, vdev, &mdev->dev,
			       &mvgpu_vfio_ops);
	if (IS_ERR(vv)) {
		ret = PTR_ERR(vv);
		goto err_module;
	}
	vgpu = &vv->vgpu;

	ret = mvgpu_dma_init(vgpu);
	if (ret) {
		dev_err(&mdev->dev, "cannot start the DMA thread (%d)\n", ret);
		goto err_put;
	}

	ret = vfio_register_emulated_iommu_dev(&vv->vdev);
	if (ret) {
		dev_err(&mdev->dev, "cannot register with VFIO (%d)\n", ret);
		goto err_put;
	}
	dev_set_drvdata(&mdev->dev, vgpu);
	dev_info(&mdev->dev, "created on %s: type %s, %llu MiB VRAM\n",
		 dev_name(&vgpu->gpu->dev), vgpu->type->sysfs_name,
		 vgpu->ctx.vram_size >> 20);
	return 0;

err_put:
	mvgpu_vgpu_teardown(vgpu);
	vfio_put_device(&vv->vdev);
err_module:
	module_put(THIS_MODULE);
	return ret;
}

static void mvgpu_mdev_remove(struct mdev_device *mdev)
{
	struct mvgpu_vgpu *vgpu = dev_get_drvdata(&mdev->dev);
	struct vfio_device *vdev = mvgpu_vgpu_to_vdev(vgpu);

	mvgpu_vgpu_set_removing(vgpu);
	/* waits for the client to close, calling mvgpu_vfio_request */
	vfio_unregister_group_dev(vdev);
	mvgpu_vgpu_teardown(vgpu);
	mvgpu_meter_retire(vgpu);
	dev_info(&mdev->dev, "removed, %llu MiB of VRAM scrubbed and returned\n",
		 vgpu->ctx.vram_size >> 20);
	vfio_put_device(vdev);
	module_put(THIS_MODULE);
}

/* A type as mdev sees it, and its attributes (MVGPU_TYPE_ATTR_DIR) */
struct mvgpu_vfio_type {
	struct mdev_type mtype;
	struct mvgpu_type *type;
	struct kobject *attr_kobj;
};

struct mvgpu_vfio_parent {
	struct mdev_parent parent;
	struct mvgpu_vfio_type types[MVGPU_NUM_TYPES];
	struct mdev_type *mtypes[MVGPU_NUM_TYPES];
};

static struct mvgpu_type *mvgpu_vfio_mtype_to_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct mvgpu_vfio_type, mtype)->type;
}

static unsigned int mvgpu_mdev_get_available(struct mdev_type *mtype)
{
	return mvgpu_type_available(mvgpu_vfio_mtype_to_type(mtype));
}

static ssize_t mvgpu_mdev_show_description(struct mdev_type *mtype, char *buf)
{
	return mvgpu_type_description(mvgpu_vfio_mtype_to_type(mtype), buf);
}

static struct mdev_driver mvgpu_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name		= MVGPU_NAME,
		.owner		= THIS_MODULE,
		.mod_name	= KBUILD_MODNAME,
		.dev_groups	= mvgpu_vgpu_groups,
	},
	.probe		= mvgpu_mdev_probe,
	.remove		= mvgpu_mdev_remove,
	.get_available	= mvgpu_mdev_get_available,
	.show_description = mvgpu_mdev_show_description,
};

int mvgpu_vfio_module_init(void)
{
	return mdev_register_driver(&mvgpu_mdev_driver);
}

void mvgpu_vfio_module_exit(void)
{
	mdev_unregister_driver(&mvgpu_mdev_driver);
}

/*
 * The type's numbers, each in its own attribute under
 * mdev_supported_types/mvgpu-D/mvgpu/ (the description stays for humans).
 * mdev has no hook for driver attributes of a type, so they live in a
 * child kobject of the type's directory.
 */
static struct mvgpu_type *mvgpu_kobj_to_type(struct kobject *kobj)
{
	return mvgpu_vfio_mtype_to_type(container_of(kobj->parent,
						     struct mdev_type, kobj));
}

static ssize_t mvgpu_type_vram_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  mvgpu_type_vram_size(mvgpu_kobj_to_type(kobj)));
}

static ssize_t mvgpu_type_share_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  mvgpu_type_share_permille(mvgpu_kobj_to_type(kobj)));
}

static ssize_t mvgpu_type_slices_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", mvgpu_kobj_to_type(kobj)->slices);
}

static ssize_t mvgpu_type_divisor_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", mvgpu_kobj_to_type(kobj)->divisor);
}

#define MVGPU_TYPE_ATTR(_var, _name, _show)				\
	static struct kobj_attribute _var = {				\
		.attr = { .name = _name, .mode = 0444 },		\
		.show = _show,						\
	}

MVGPU_TYPE_ATTR(mvgpu_type_attr_vram, MVGPU_ATTR_TYPE_VRAM_SIZE,
		mvgpu_type_vram_show);
MVGPU_TYPE_ATTR(mvgpu_type_attr_share, MVGPU_ATTR_TYPE_SHARE,
		mvgpu_type_share_show);
MVGPU_TYPE_ATTR(mvgpu_type_attr_slices, MVGPU_ATTR_TYPE_SLICES,
		mvgpu_type_slices_show);
MVGPU_TYPE_ATTR(mvgpu_type_attr_divisor, MVGPU_ATTR_TYPE_DIVISOR,
		mvgpu_type_divisor_show);

static struct attribute *mvgpu_type_attrs[] = {
	&mvgpu_type_attr_vram.attr,
	&mvgpu_type_attr_share.attr,
	&mvgpu_type_attr_slices.attr,
	&mvgpu_type_attr_divisor.attr,
	NULL,
};

static const struct attribute_group mvgpu_type_attr_group = {
	.attrs = mvgpu_type_attrs,
};

/* Before mdev_unregister_parent; safe on a partly added set */
static void mvgpu_vfio_del_type_attrs(struct mvgpu_vfio_parent *vp,
				      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct mvgpu_vfio_type *vt = &vp->types[i];

		if (!vt->attr_kobj)
			continue;
		sysfs_remove_group(vt->attr_kobj, &mvgpu_type_attr_group);
		kobject_put(vt->attr_kobj);
		vt->attr_kobj = NULL;
	}
}

/* After mdev_register_parent: the type directories exist */
static int mvgpu_vfio_add_type_attrs(struct mvgpu_vfio_parent *vp,
				     unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		struct mvgpu_vfio_type *vt = &vp->types[i];

		vt->attr_kobj = kobject_create_and_add(MVGPU_TYPE_ATTR_DIR,
						       &vt->mtype.kobj);
		if (!vt->attr_kobj) {
			ret = -ENOMEM;
			goto err_del;
		}
		ret = sysfs_create_group(vt->attr_kobj, &mvgpu_type_attr_group);
		if (ret) {
			kobject_put(vt->attr_kobj);
			vt->attr_kobj = NULL;
			goto err_del;
		}
	}
	return 0;

err_del:
	mvgpu_vfio_del_type_attrs(vp, n);
	return ret;
}

/**
 * mvgpu_vfio_parent_register - make a GPU an mdev parent
 * @gpu: with gpu->parent_dev, its types and its class device set up
 *
 * Return: 0, or -errno with nothing left behind.
 */
int mvgpu_vfio_parent_register(struct mvgpu_gpu *gpu)
{
	struct mvgpu_vfio_parent *vp;
	unsigned int i;
	int ret;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL);
	if (!vp)
		return -ENOMEM;
	for (i = 0; i < gpu->num_types; i++) {
		struct mvgpu_vfio_type *vt = &vp->types[i];

		vt->type = &gpu->types[i];
		vt->mtype.sysfs_name = vt->type->sysfs_name;
		vt->mtype.pretty_name = vt->type->pretty_name;
		vp->mtypes[i] = &vt->mtype;
	}
	ret = mdev_register_parent(&vp->parent, gpu->parent_dev,
				   &mvgpu_mdev_driver, vp->mtypes,
				   gpu->num_types);
	if (ret)
		goto err_free;
	ret = mvgpu_vfio_add_type_attrs(vp, gpu->num_types);
	if (ret)
		goto err_parent;
	gpu->vfio = vp;
	return 0;

err_parent:
	mdev_unregister_parent(&vp->parent);
err_free:
	kfree(vp);
	return ret;
}

/*
 * mdev_unregister_parent removes every vGPU; each removal waits for its
 * VFIO user to close the device (asked through the request eventfd), and
 * a user's VRAM mapping keeps the device open, so no memory a user maps
 * goes away under it.
 */
void mvgpu_vfio_parent_unregister(struct mvgpu_gpu *gpu)
{
	struct mvgpu_vfio_parent *vp = gpu->vfio;

	mvgpu_vfio_del_type_attrs(vp, gpu->num_types);
	mdev_unregister_parent(&vp->parent);
	gpu->vfio = NULL;
	kfree(vp);
}
