/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VFIO glue's own header: what mvgpu_vfio.c and its interrupt half
 * mvgpu_vfio_irq.c share.  Only they include VFIO and mdev headers; the
 * device model sees a vGPU as struct mvgpu_vgpu and reaches the glue
 * through its struct mvgpu_vgpu_host_ops.
 */
#ifndef MVGPU_VFIO_H
#define MVGPU_VFIO_H

#include <linux/mdev.h>
#include <linux/vfio.h>

#include "mvgpu.h"

/* A vGPU as VFIO sees it; vfio_alloc_device wants vdev at offset 0 */
struct mvgpu_vfio_vgpu {
	struct vfio_device vdev;
	struct mvgpu_vgpu vgpu;
};

static inline struct mvgpu_vfio_vgpu *
mvgpu_vdev_to_vfio(struct vfio_device *vdev)
{
	return container_of(vdev, struct mvgpu_vfio_vgpu, vdev);
}

static inline struct mvgpu_vgpu *mvgpu_vdev_to_vgpu(struct vfio_device *vdev)
{
	return &mvgpu_vdev_to_vfio(vdev)->vgpu;
}

/* Interrupts: VFIO_DEVICE_GET_IRQ_INFO, SET_IRQS, the request eventfd */
int mvgpu_irq_get_info(struct mvgpu_vgpu *vgpu, struct vfio_irq_info *info);
unsigned int mvgpu_irq_count(unsigned int index);
int mvgpu_irq_set_irqs(struct mvgpu_vgpu *vgpu, struct vfio_irq_set *hdr,
		       const void *data);
bool mvgpu_irq_signal_request(struct mvgpu_vgpu *vgpu);

#endif /* MVGPU_VFIO_H */
