// SPDX-License-Identifier: GPL-2.0-only
/*
 * vGPU interrupts: the device's causes (INT_STATUS / INT_MASK in BAR0) and
 * their delivery to the client through the eventfds it registered with
 * VFIO_DEVICE_SET_IRQS, following vfio-pci's semantics:
 *
 *   INTx  level triggered.  While the line is asserted (an unmasked cause
 *         is pending) and INTx is not disabled in PCI_COMMAND, the trigger
 *         is signalled once and then auto-masked; VFIO UNMASK signals
 *         again if the line is still asserted.
 *   MSI   edge triggered.  Each new unmasked cause sends one message;
 *         while masked with VFIO MASK the message is held pending and
 *         UNMASK sends it.
 *   REQ   signalled when the vGPU is being removed while still open.
 *
 * INTx and MSI exclude each other: one must be disabled (DATA_NONE, count
 * 0) before the other is enabled.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "mvgpu_vfio.h"

#define MVGPU_IRQ_NONE	(-1)

void mvgpu_irq_init(struct mvgpu_vgpu *vgpu)
{
	spin_lock_init(&vgpu->irq_lock);
	vgpu->irq_type = MVGPU_IRQ_NONE;
	vgpu->int_mask = MVGPU_INT_ALL;
}

static bool __mvgpu_irq_asserted(struct mvgpu_vgpu *vgpu)
{
	return vgpu->int_status & ~vgpu->int_mask & MVGPU_INT_ALL;
}

static void __mvgpu_irq_signal(struct mvgpu_vgpu *vgpu,
			       struct mvgpu_irq_trigger *t)
{
	if (t->masked) {
		t->pending = true;
		return;
	}
	t->pending = false;
	if (t->trigger) {
		eventfd_signal(t->trigger, 1);
		vgpu->interrupts++;
	}
}

/* @edge: a cause just became pending and unmasked (what MSI reacts to) */
static void __mvgpu_irq_deliver(struct mvgpu_vgpu *vgpu, bool edge)
{
	lockdep_assert_held(&vgpu->irq_lock);

	if (!__mvgpu_irq_asserted(vgpu))
		return;
	switch (vgpu->irq_type) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		if (vgpu->intx_disabled || vgpu->intx.masked)
			return;
		__mvgpu_irq_signal(vgpu, &vgpu->intx);
		vgpu->intx.masked = true;	/* auto-mask, as vfio-pci */
		if (vgpu->intx.trigger &&
		    vgpu->intx.trigger == vgpu->intx_unmask_ctx)
			vgpu->intx_echo = true;
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
		if (edge)
			__mvgpu_irq_signal(vgpu, &vgpu->msi);
		break;
	}
}

void mvgpu_irq_raise(struct mvgpu_vgpu *vgpu, u32 causes)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->int_status |= causes;
	__mvgpu_irq_deliver(vgpu, causes & ~vgpu->int_mask);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

void mvgpu_irq_ack(struct mvgpu_vgpu *vgpu, u32 causes)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->int_status &= ~causes;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

void mvgpu_irq_set_mask(struct mvgpu_vgpu *vgpu, u32 mask)
{
	unsigned long flags;
	u32 unmasked;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	unmasked = vgpu->int_mask & ~mask;
	vgpu->int_mask = mask;
	__mvgpu_irq_deliver(vgpu, vgpu->int_status & unmasked);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

void mvgpu_irq_set_intx_disabled(struct mvgpu_vgpu *vgpu, bool disabled)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->intx_disabled = disabled;
	__mvgpu_irq_deliver(vgpu, false);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/* Deliver what is pending as if it had just happened (after migration) */
void mvgpu_irq_replay(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	__mvgpu_irq_deliver(vgpu, true);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

bool mvgpu_irq_intx_asserted(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;
	bool asserted;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	asserted = __mvgpu_irq_asserted(vgpu);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return asserted;
}

/* Device registers back to reset values; the client's eventfds stay */
void mvgpu_irq_reset(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->int_status = 0;
	vgpu->int_mask = MVGPU_INT_ALL;
	vgpu->intx.pending = false;
	vgpu->msi.pending = false;
	vgpu->intx.masked = false;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

static void __mvgpu_irq_put_trigger(struct mvgpu_irq_trigger *t)
{
	if (t->trigger)
		eventfd_ctx_put(t->trigger);
	memset(t, 0, sizeof(*t));
}

/* Stop unmasking INTx by eventfd; vgpu->lock held */
static void mvgpu_irq_unmask_fd_disable(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;
	struct eventfd_ctx *old;

	vfio_virqfd_disable(&vgpu->intx_unmask_virqfd);
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	old = vgpu->intx_unmask_ctx;
	vgpu->intx_unmask_ctx = NULL;
	vgpu->intx_echo = false;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	if (old)
		eventfd_ctx_put(old);
}

static void mvgpu_irq_disable(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;

	mvgpu_irq_unmask_fd_disable(vgpu);
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	__mvgpu_irq_put_trigger(&vgpu->intx);
	__mvgpu_irq_put_trigger(&vgpu->msi);
	vgpu->irq_type = MVGPU_IRQ_NONE;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/* Close: drop every eventfd the client gave us */
void mvgpu_irq_teardown(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;
	struct eventfd_ctx *req;

	mvgpu_irq_disable(vgpu);
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	req = vgpu->req_trigger;
	vgpu->req_trigger = NULL;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	if (req)
		eventfd_ctx_put(req);
}

/* Removal of an open vGPU: ask the client to let go.  False: nobody to ask */
bool mvgpu_irq_signal_request(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;
	bool signalled = false;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (vgpu->req_trigger) {
		eventfd_signal(vgpu->req_trigger, 1);
		signalled = true;
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return signalled;
}

int mvgpu_irq_get_info(struct mvgpu_vgpu *vgpu, struct vfio_irq_info *info)
{
	switch (info->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		info->count = 1;
		info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
			      VFIO_IRQ_INFO_AUTOMASKED;
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
		info->count = 1;
		info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
			      VFIO_IRQ_INFO_NORESIZE;
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		info->count = 1;
		info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
		break;
	case VFIO_PCI_MSIX_IRQ_INDEX:
		info->count = 0;
		info->flags = 0;
		break;
	default:
		/* ERR too: as vfio-pci for a device that is not PCIe */
		return -EINVAL;
	}
	return 0;
}

unsigned int mvgpu_irq_count(unsigned int index)
{
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	}
	return 0;
}

/* The eventfd for @fd, NULL for fd -1, or an ERR_PTR */
static struct eventfd_ctx *mvgpu_irq_eventfd(const void *data)
{
	s32 fd = *(const s32 *)data;

	if (fd == -1)
		return NULL;
	if (fd < 0)
		return ERR_PTR(-EINVAL);
	return eventfd_ctx_fdget(fd);
}

static void mvgpu_irq_intx_unmask(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (vgpu->irq_type == VFIO_PCI_INTX_IRQ_INDEX) {
		vgpu->intx.masked = false;
		vgpu->intx.pending = false;
		__mvgpu_irq_deliver(vgpu, false);
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

static void mvgpu_irq_intx_unmask_thread(void *opaque, void *unused)
{
	unsigned long flags;
	struct mvgpu_vgpu *vgpu = opaque;
	bool echo;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	echo = vgpu->intx_echo;
	vgpu->intx_echo = false;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	if (!echo)
		mvgpu_irq_intx_unmask(vgpu);
}

/* UNMASK by eventfd @fd (-1: stop); vgpu->lock held */
static int mvgpu_irq_unmask_fd(struct mvgpu_vgpu *vgpu, s32 fd)
{
	unsigned long flags;
	struct eventfd_ctx *ctx;
	int ret;

	mvgpu_irq_unmask_fd_disable(vgpu);
	if (fd == -1)
		return 0;
	if (fd < 0)
		return -EINVAL;
	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	ret = vfio_virqfd_enable(vgpu, NULL, mvgpu_irq_intx_unmask_thread,
				 NULL, &vgpu->intx_unmask_virqfd, fd);
	if (ret) {
		eventfd_ctx_put(ctx);
		return ret;
	}
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->intx_unmask_ctx = ctx;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return 0;
}

/* What DATA_NONE (true) or DATA_BOOL (the byte) asks for */
static bool mvgpu_irq_data_bool(u32 flags, const void *data)
{
	if (flags & VFIO_IRQ_SET_DATA_BOOL)
		return *(const u8 *)data;
	return true;
}

static int mvgpu_irq_vfio_mask(struct mvgpu_vgpu *vgpu, u32 index, u32 flags,
			       u32 count, const void *data)
{
	unsigned long irqflags;
	struct mvgpu_irq_trigger *t;
	bool edge;

	if (vgpu->irq_type != index || count != 1)
		return -EINVAL;
	t = index == VFIO_PCI_INTX_IRQ_INDEX ? &vgpu->intx : &vgpu->msi;

	if ((flags & VFIO_IRQ_SET_ACTION_UNMASK) &&
	    (flags & VFIO_IRQ_SET_DATA_EVENTFD)) {
		s32 fd = *(const s32 *)data;

		if (index != VFIO_PCI_INTX_IRQ_INDEX)
			return -EINVAL;
		return mvgpu_irq_unmask_fd(vgpu, fd);
	}
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD)
		return -EINVAL;		/* mask by eventfd: as vfio-pci, no */
	if (!mvgpu_irq_data_bool(flags, data))
		return 0;

	if (flags & VFIO_IRQ_SET_ACTION_MASK) {
		spin_lock_irqsave(&vgpu->irq_lock, irqflags);
		t->masked = true;
		spin_unlock_irqrestore(&vgpu->irq_lock, irqflags);
		return 0;
	}
	if (index == VFIO_PCI_INTX_IRQ_INDEX) {
		mvgpu_irq_intx_unmask(vgpu);
		return 0;
	}
	spin_lock_irqsave(&vgpu->irq_lock, irqflags);
	edge = t->pending;
	t->masked = false;
	if (edge)
		__mvgpu_irq_signal(vgpu, t);
	spin_unlock_irqrestore(&vgpu->irq_lock, irqflags);
	return 0;
}

static int mvgpu_irq_set_trigger(struct mvgpu_vgpu *vgpu, u32 index, u32 flags,
				 u32 count, const void *data)
{
	unsigned long irqflags;
	struct mvgpu_irq_trigger *t;
	struct eventfd_ctx *ctx;

	t = index == VFIO_PCI_INTX_IRQ_INDEX ? &vgpu->intx : &vgpu->msi;

	if ((flags & VFIO_IRQ_SET_DATA_NONE) && !count) {
		if (vgpu->irq_type == index)
			mvgpu_irq_disable(vgpu);
		return 0;
	}
	if (vgpu->irq_type != index && vgpu->irq_type != MVGPU_IRQ_NONE)
		return -EINVAL;		/* disable the other one first */
	if (count != 1)
		return -EINVAL;

	if (!(flags & VFIO_IRQ_SET_DATA_EVENTFD)) {
		/* loopback: fire the interrupt as the device would */
		if (vgpu->irq_type != index)
			return -EINVAL;
		if (mvgpu_irq_data_bool(flags, data)) {
			spin_lock_irqsave(&vgpu->irq_lock, irqflags);
			if (t->trigger) {
				eventfd_signal(t->trigger, 1);
				vgpu->interrupts++;
			}
			spin_unlock_irqrestore(&vgpu->irq_lock, irqflags);
		}
		return 0;
	}

	ctx = mvgpu_irq_eventfd(data);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);

	spin_lock_irqsave(&vgpu->irq_lock, irqflags);
	if (t->trigger)
		eventfd_ctx_put(t->trigger);
	t->trigger = ctx;
	if (vgpu->irq_type != index) {
		vgpu->irq_type = index;
		t->masked = false;
		t->pending = false;
	}
	/* a line asserted before the client listened is delivered now */
	__mvgpu_irq_deliver(vgpu, true);
	spin_unlock_irqrestore(&vgpu->irq_lock, irqflags);
	return 0;
}

/*
 * REQ takes what vfio-pci's single-trigger indexes take: ACTION_TRIGGER
 * alone (else -ENOTTY); DATA_NONE with count 1 signals and with count 0
 * unbinds, but only while an eventfd is bound (else -EINVAL); DATA_BOOL
 * signals if true; DATA_EVENTFD binds, fd -1 unbinds.  Unlike vfio-pci, an
 * fd below -1 is refused (-EINVAL) rather than ignored.
 */
static int mvgpu_irq_set_req(struct mvgpu_vgpu *vgpu, u32 flags, u32 count,
			     const void *data)
{
	unsigned long irqflags;
	struct eventfd_ctx *ctx = NULL, *old = NULL;
	int ret = 0;

	if ((flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return -ENOTTY;
	if (!(flags & VFIO_IRQ_SET_DATA_NONE) && !count)
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		ctx = mvgpu_irq_eventfd(data);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}

	spin_lock_irqsave(&vgpu->irq_lock, irqflags);
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		old = vgpu->req_trigger;
		vgpu->req_trigger = ctx;
	} else if (flags & VFIO_IRQ_SET_DATA_NONE) {
		if (!vgpu->req_trigger) {
			ret = -EINVAL;
		} else if (count) {
			eventfd_signal(vgpu->req_trigger, 1);
		} else {
			old = vgpu->req_trigger;
			vgpu->req_trigger = NULL;
		}
	} else if (vgpu->req_trigger && mvgpu_irq_data_bool(flags, data)) {
		eventfd_signal(vgpu->req_trigger, 1);
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, irqflags);
	if (old)
		eventfd_ctx_put(old);
	return ret;
}

/**
 * mvgpu_irq_set_irqs - VFIO_DEVICE_SET_IRQS after the header was validated
 * @vgpu: the vGPU, vgpu->lock held
 * @hdr: the validated header
 * @data: hdr->count elements of the data type, copied in
 *
 * Return: 0, or -EINVAL for a combination the device does not support,
 * or the error from looking up an eventfd.  On error nothing changed.
 */
int mvgpu_irq_set_irqs(struct mvgpu_vgpu *vgpu, struct vfio_irq_set *hdr,
		       const void *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;

	lockdep_assert_held(&vgpu->lock);

	switch (hdr->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
	case VFIO_PCI_MSI_IRQ_INDEX:
		switch (action) {
		case VFIO_IRQ_SET_ACTION_MASK:
		case VFIO_IRQ_SET_ACTION_UNMASK:
			return mvgpu_irq_vfio_mask(vgpu, hdr->index, hdr->flags,
						   hdr->count, data);
		case VFIO_IRQ_SET_ACTION_TRIGGER:
			return mvgpu_irq_set_trigger(vgpu, hdr->index,
						     hdr->flags, hdr->count,
						     data);
		}
		return -EINVAL;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return mvgpu_irq_set_req(vgpu, hdr->flags, hdr->count, data);
	}
	return -EINVAL;
}
