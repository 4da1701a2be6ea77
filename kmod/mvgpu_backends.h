/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backends built into mvgpu.ko: their module entry points, called by
 * mvgpu_main.c in this order at load and in reverse at unload.  Each makes
 * and takes away its GPUs with mvgpu_gpu_register/unregister.
 */
#ifndef MVGPU_BACKENDS_H
#define MVGPU_BACKENDS_H

/* the software GPU (mvgpu_hal_soft.c): the num_gpus parameter's GPUs */
int mvgpu_soft_backend_init(void);
void mvgpu_soft_backend_exit(void);

/* PCI devices: the bochs-display backend (mvgpu_bochs.c), a pci_driver */
int mvgpu_bochs_backend_init(void);
void mvgpu_bochs_backend_exit(void);

#endif /* MVGPU_BACKENDS_H */
