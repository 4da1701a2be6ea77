// SPDX-License-Identifier: GPL-2.0-only
/*
 * mvgpu_guest: PCI probe and remove of an mvgpu vGPU inside a VM.
 *
 * Probe checks the device (ID register and interface major version),
 * enables memory decoding and bus mastering, maps BAR0 for the interrupt
 * handler, sets up MSI (INTx when MSI is not there or msi=0) and registers
 * the character device /dev/mvgpu/<pci address>.  Remove revokes the
 * owner's access (see mvgpu_guest.h) before it gives the device back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "mvgpu_guest.h"

static bool msi = true;
module_param(msi, bool, 0444);
MODULE_PARM_DESC(msi, "use MSI when the device has it (default 1; 0: INTx)");

static void mvgpu_guest_dev_release(struct kref *ref)
{
	struct mvgpu_guest_dev *gdev =
		container_of(ref, struct mvgpu_guest_dev, ref);

	pci_dev_put(gdev->pdev);
	kfree(gdev);
}

void mvgpu_guest_dev_put(struct mvgpu_guest_dev *gdev)
{
	kref_put(&gdev->ref, mvgpu_guest_dev_release);
}

/*
 * Stop the device: the RESET register stops the ring, so no DMA touches
 * buffers that are about to be freed.  Caller holds gdev->lock.
 */
void __mvgpu_guest_hw_stop(struct mvgpu_guest_dev *gdev)
{
	lockdep_assert_held(&gdev->lock);
	iowrite32(MVGPU_INT_ALL, gdev->regs + MVGPU_REG_INT_MASK);
	iowrite32(MVGPU_RESET_MAGIC, gdev->regs + MVGPU_REG_RESET);
	iowrite32(MVGPU_INT_ALL, gdev->regs + MVGPU_REG_INT_MASK);
	iowrite32(MVGPU_INT_ALL, gdev->regs + MVGPU_REG_INT_ACK);
}

static int mvgpu_guest_check(struct mvgpu_guest_dev *gdev)
{
	struct device *dev = &gdev->pdev->dev;
	u32 id = ioread32(gdev->regs + MVGPU_REG_ID);

	if (id != MVGPU_ID_MAGIC) {
		dev_err(dev, "not an mvgpu vGPU: ID register 0x%08x, want 0x%08x\n",
			id, MVGPU_ID_MAGIC);
		return -ENODEV;
	}
	gdev->version = ioread32(gdev->regs + MVGPU_REG_VERSION);
	if (gdev->version >> 16 != MVGPU_VERSION_MAJOR) {
		dev_err(dev, "device interface %u.%u is not supported: this driver knows %u.x; not binding\n",
			gdev->version >> 16, gdev->version & 0xffff,
			MVGPU_VERSION_MAJOR);
		return -ENODEV;
	}
	gdev->caps = ioread32(gdev->regs + MVGPU_REG_CAPS);
	if (gdev->vram_len < MVGPU_GPU_PAGE_SIZE ||
	    gdev->bar0_len < MVGPU_REG_END) {
		dev_err(dev, "BARs too small: BAR0 %pa bytes, VRAM BAR %pa bytes\n",
			&gdev->bar0_len, &gdev->vram_len);
		return -ENODEV;
	}
	return 0;
}

static int mvgpu_guest_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct mvgpu_guest_dev *gdev;
	int ret;

	gdev = kzalloc(sizeof(*gdev), GFP_KERNEL);
	if (!gdev)
		return -ENOMEM;
	kref_init(&gdev->ref);
	gdev->pdev = pci_dev_get(pdev);
	mutex_init(&gdev->lock);
	spin_lock_init(&gdev->irq_lock);
	init_waitqueue_head(&gdev->wq);
	strscpy(gdev->pci_addr, pci_name(pdev), sizeof(gdev->pci_addr));
	snprintf(gdev->name, sizeof(gdev->name), "mvgpu/%s", pci_name(pdev));
	snprintf(gdev->irq_name, sizeof(gdev->irq_name), "mvgpu-%s",
		 pci_name(pdev));

	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto err_put;
	ret = pci_request_regions(pdev, KBUILD_MODNAME);
	if (ret)
		goto err_disable;
	gdev->bar0_start = pci_resource_start(pdev, MVGPU_BAR0_INDEX);
	gdev->bar0_len = pci_resource_len(pdev, MVGPU_BAR0_INDEX);
	gdev->vram_start = pci_resource_start(pdev, MVGPU_VRAM_BAR_INDEX);
	gdev->vram_len = pci_resource_len(pdev, MVGPU_VRAM_BAR_INDEX);
	gdev->regs = pci_iomap(pdev, MVGPU_BAR0_INDEX, MVGPU_BAR0_SIZE);
	if (!gdev->regs) {
		ret = -ENOMEM;
		goto err_regions;
	}
	ret = mvgpu_guest_check(gdev);
	if (ret)
		goto err_unmap;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_unmap;
	/* so the process's VRAM mappings really are write-combining */
	ret = arch_io_reserve_memtype_wc(gdev->vram_start, gdev->vram_len);
	if (ret)
		goto err_unmap;
	pci_set_master(pdev);

	/* quiet until a process opens it */
	iowrite32(MVGPU_INT_ALL, gdev->regs + MVGPU_REG_INT_MASK);
	iowrite32(MVGPU_INT_ALL, gdev->regs + MVGPU_REG_INT_ACK);
	ret = mvgpu_guest_irq_init(gdev, msi);
	if (ret)
		goto err_master;

	gdev->misc.minor = MISC_DYNAMIC_MINOR;
	gdev->misc.name = gdev->name;
	gdev->misc.fops = &mvgpu_guest_fops;
	gdev->misc.parent = &pdev->dev;
	gdev->misc.mode = 0600;
	pci_set_drvdata(pdev, gdev);
	ret = misc_register(&gdev->misc);
	if (ret)
		goto err_irq;

	dev_info(&pdev->dev, "vGPU interface %u.%u, %llu MiB VRAM, %s, /dev/%s\n",
		 gdev->version >> 16, gdev->version & 0xffff,
		 (unsigned long long)gdev->vram_len >> 20,
		 gdev->irq_type == MVGPU_GUEST_IRQ_MSI ? "MSI" : "INTx",
		 gdev->name);
	return 0;

err_irq:
	pci_set_drvdata(pdev, NULL);
	mvgpu_guest_irq_fini(gdev);
err_master:
	pci_clear_master(pdev);
	arch_io_free_memtype_wc(gdev->vram_start, gdev->vram_len);
err_unmap:
	pci_iounmap(pdev, gdev->regs);
err_regions:
	pci_release_regions(pdev);
err_disable:
	pci_disable_device(pdev);
err_put:
	mvgpu_guest_dev_put(gdev);
	return ret;
}

static void mvgpu_guest_remove(struct pci_dev *pdev)
{
	struct mvgpu_guest_dev *gdev = pci_get_drvdata(pdev);
	struct mvgpu_guest_file *f;

	/* no new opens; misc_open() takes its reference under misc_mtx */
	misc_deregister(&gdev->misc);

	mutex_lock(&gdev->lock);
	WRITE_ONCE(gdev->gone, true);
	f = gdev->owner;
	if (f) {
		dev_info(&pdev->dev, "removed while open: revoking the owner's access\n");
		if (f->mapping)
			unmap_mapping_range(f->mapping, 0, 0, true);
		__mvgpu_guest_hw_stop(gdev);
		__mvgpu_guest_bufs_free_all(f);
	} else {
		__mvgpu_guest_hw_stop(gdev);
	}
	mutex_unlock(&gdev->lock);

	mvgpu_guest_irq_set_eventfd(gdev, -1);
	mvgpu_guest_irq_fini(gdev);
	wake_up_interruptible_all(&gdev->wq);
	pci_clear_master(pdev);
	arch_io_free_memtype_wc(gdev->vram_start, gdev->vram_len);
	pci_iounmap(pdev, gdev->regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	pci_set_drvdata(pdev, NULL);
	mvgpu_guest_dev_put(gdev);
}

static const struct pci_device_id mvgpu_guest_ids[] = {
	{ .vendor = MVGPU_PCI_VENDOR_ID, .device = MVGPU_PCI_DEVICE_ID,
	  .subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID,
	  .class = MVGPU_PCI_CLASS_CODE, .class_mask = 0xffffff },
	{ }
};
MODULE_DEVICE_TABLE(pci, mvgpu_guest_ids);

static struct pci_driver mvgpu_guest_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= mvgpu_guest_ids,
	.probe		= mvgpu_guest_probe,
	.remove		= mvgpu_guest_remove,
};
module_pci_driver(mvgpu_guest_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mvgpu vGPU driver for the guest: registers, VRAM, DMA and interrupts for userspace");
