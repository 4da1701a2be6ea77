// SPDX-License-Identifier: GPL-2.0-only
/*
 * mvgpu_guest interrupts: one vector, MSI when the device offers it, else
 * the shared INTx line.  The handler reads INT_STATUS, acks what it saw
 * (INTx is level triggered, so the line must drop before we return),
 * collects the causes for the owner, signals the owner's eventfd and
 * wakes poll().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/interrupt.h>

#include "mvgpu_guest.h"

static irqreturn_t mvgpu_guest_irq(int irq, void *data)
{
	struct mvgpu_guest_dev *gdev = data;
	u32 status = ioread32(gdev->regs + MVGPU_REG_INT_STATUS);

	/* ~0: the device is gone from the bus */
	if (!status || status == ~0u)
		return IRQ_NONE;
	iowrite32(status, gdev->regs + MVGPU_REG_INT_ACK);

	spin_lock(&gdev->irq_lock);
	gdev->causes |= status & MVGPU_INT_ALL;
	gdev->irq_count++;
	if (gdev->trigger)
		eventfd_signal(gdev->trigger, 1);
	spin_unlock(&gdev->irq_lock);
	wake_up_interruptible_all(&gdev->wq);
	return IRQ_HANDLED;
}

int mvgpu_guest_irq_init(struct mvgpu_guest_dev *gdev, bool use_msi)
{
	struct pci_dev *pdev = gdev->pdev;
	unsigned int types = PCI_IRQ_LEGACY;
	int ret;

	if (use_msi && (gdev->caps & MVGPU_CAP_MSI))
		types |= PCI_IRQ_MSI;
	ret = pci_alloc_irq_vectors(pdev, 1, 1, types);
	if (ret < 0) {
		dev_err(&pdev->dev, "no interrupt: neither MSI nor INTx (%d)\n",
			ret);
		return ret;
	}
	gdev->irq_type = pdev->msi_enabled ? MVGPU_GUEST_IRQ_MSI :
					     MVGPU_GUEST_IRQ_INTX;
	gdev->irq = pci_irq_vector(pdev, 0);
	ret = request_irq(gdev->irq, mvgpu_guest_irq,
			  gdev->irq_type == MVGPU_GUEST_IRQ_INTX ? IRQF_SHARED : 0,
			  gdev->irq_name, gdev);
	if (ret) {
		dev_err(&pdev->dev, "cannot request IRQ %d: %d\n", gdev->irq,
			ret);
		goto err_vectors;
	}
	return 0;

err_vectors:
	pci_free_irq_vectors(pdev);
	return ret;
}

void mvgpu_guest_irq_fini(struct mvgpu_guest_dev *gdev)
{
	free_irq(gdev->irq, gdev);
	pci_free_irq_vectors(gdev->pdev);
}

/* Signal eventfd fd on each interrupt from now on; fd -1 stops that */
int mvgpu_guest_irq_set_eventfd(struct mvgpu_guest_dev *gdev, int fd)
{
	struct eventfd_ctx *ctx = NULL, *old;

	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	spin_lock_irq(&gdev->irq_lock);
	old = gdev->trigger;
	gdev->trigger = ctx;
	spin_unlock_irq(&gdev->irq_lock);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

/* The collected causes, cleared; *count the interrupts since probe */
u32 mvgpu_guest_irq_take(struct mvgpu_guest_dev *gdev, u64 *count)
{
	u32 causes;

	spin_lock_irq(&gdev->irq_lock);
	causes = gdev->causes;
	gdev->causes = 0;
	*count = gdev->irq_count;
	spin_unlock_irq(&gdev->irq_lock);
	return causes;
}

u64 mvgpu_guest_irq_count(struct mvgpu_guest_dev *gdev)
{
	u64 count;

	spin_lock_irq(&gdev->irq_lock);
	count = gdev->irq_count;
	spin_unlock_irq(&gdev->irq_lock);
	return count;
}
