/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mvgpu guest driver interface: what mvgpu_guest.ko (guest/) gives a
 * process inside a VM that was given a vGPU, and what libmvgpu's guest
 * backend (lib/guestdrv.c) uses.  docs/guest.md is the prose version.
 *
 * One character device per vGPU, /dev/mvgpu/DDDD:BB:DD.F (the PCI address
 * in the guest); /sys/bus/pci/devices/ADDR/misc/ names it.  One process
 * owns a vGPU at a time: a second open() gets EBUSY.
 *
 * mmap() offsets: region index in bits 40 and up (MVGPU_GUEST_MMAP_*):
 *   0: BAR0 (registers, uncached), 1: the VRAM BAR (write-combining),
 *   2 and up: a DMA buffer of MVGPU_GUEST_IOCTL_DMA_ALLOC (mmap_offset).
 * Mappings must be MAP_SHARED and lie inside their region.
 *
 * Interrupts: the driver acks INT_STATUS itself in its handler (so INTx
 * works too) and collects the causes; MVGPU_GUEST_IOCTL_IRQ_CAUSES takes
 * them.  poll() reports POLLIN while causes are collected; an eventfd set
 * with MVGPU_GUEST_IOCTL_SET_EVENTFD is signalled on each interrupt.
 *
 * Every ioctl argument starts with argsz (the caller's sizeof) and flags
 * (0); a smaller argsz than the driver needs is EINVAL, unknown flags are
 * EINVAL.  After the device is removed, every call returns ENODEV and
 * existing mappings are gone (access raises SIGBUS).
 */
#ifndef MVGPU_GUEST_UAPI_H
#define MVGPU_GUEST_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MVGPU_GUEST_DEV_DIR		"/dev/mvgpu"
#define MVGPU_GUEST_DRIVER_NAME		"mvgpu_guest"

#define MVGPU_GUEST_MMAP_SHIFT		40
#define MVGPU_GUEST_MMAP_BAR0		(0ull << MVGPU_GUEST_MMAP_SHIFT)
#define MVGPU_GUEST_MMAP_VRAM		(1ull << MVGPU_GUEST_MMAP_SHIFT)
#define MVGPU_GUEST_MMAP_FIRST_DMA	2	/* region index of DMA buffers */

/* Limits the driver enforces (E2BIG / ENOMEM / EINVAL beyond them) */
#define MVGPU_GUEST_DMA_MAX_BYTES	(4ull << 20)	/* one buffer (contiguous) */
#define MVGPU_GUEST_MAX_BUFFERS		256	/* DMA + user, per open */
#define MVGPU_GUEST_USER_MAX_BYTES	(256ull << 20)	/* one registration */

/* mvgpu_guest_info.irq_type */
#define MVGPU_GUEST_IRQ_MSI		1
#define MVGPU_GUEST_IRQ_INTX		2

struct mvgpu_guest_info {
	__u32 argsz;
	__u32 flags;		/* 0 */
	__u16 vendor, device;	/* PCI identity */
	__u16 subsys_vendor, subsys_device;
	__u32 version;		/* MVGPU_REG_VERSION */
	__u32 caps;		/* MVGPU_REG_CAPS */
	__u32 irq_type;		/* MVGPU_GUEST_IRQ_* */
	__u32 reserved;
	__u64 bar0_size;
	__u64 vram_size;	/* the VRAM BAR */
	__u64 irq_count;	/* interrupts handled since probe */
	char pci_addr[32];	/* "0000:00:01.0" */
};

/*
 * A buffer the driver allocates with the kernel's DMA API (coherent,
 * physically contiguous in bus space), mmap()able at mmap_offset.
 * size: 1 .. MVGPU_GUEST_DMA_MAX_BYTES, rounded up to pages.
 */
struct mvgpu_guest_dma_alloc {
	__u32 argsz;
	__u32 flags;		/* 0 */
	__u64 size;		/* in: bytes; out: page rounded */
	__u64 bus_addr;		/* out: what the vGPU's DMA commands take */
	__u64 mmap_offset;	/* out */
	__u32 handle;		/* out: for MVGPU_GUEST_IOCTL_FREE */
	__u32 reserved;
};

struct mvgpu_guest_segment {
	__u64 bus_addr;
	__u64 len;
};

/*
 * Register process memory: the driver pins [vaddr, vaddr + size) (both
 * page aligned, writable memory) and maps it for the device.  The bus
 * address ranges go to segs (room for nr_segs, a user pointer); nr_segs
 * comes back as the number there are.  When segs is too small the
 * registration fails with ENOSPC and nr_segs says how many are needed.
 */
struct mvgpu_guest_user_map {
	__u32 argsz;
	__u32 flags;		/* 0 */
	__u64 vaddr;
	__u64 size;
	__u64 segs;		/* struct mvgpu_guest_segment *, user */
	__u32 nr_segs;		/* in: room; out: used (or needed) */
	__u32 handle;		/* out */
};

struct mvgpu_guest_free {
	__u32 argsz;
	__u32 handle;		/* DMA buffer or user registration */
};

struct mvgpu_guest_eventfd {
	__u32 argsz;
	__s32 fd;		/* -1: stop signalling */
};

struct mvgpu_guest_irq_causes {
	__u32 argsz;
	__u32 causes;		/* out: MVGPU_INT_* collected, now cleared */
	__u64 irq_count;	/* out: interrupts handled since probe */
};

#define MVGPU_GUEST_IOCTL_BASE		0xb7
#define MVGPU_GUEST_IOCTL_INFO \
	_IOWR(MVGPU_GUEST_IOCTL_BASE, 0, struct mvgpu_guest_info)
#define MVGPU_GUEST_IOCTL_DMA_ALLOC \
	_IOWR(MVGPU_GUEST_IOCTL_BASE, 1, struct mvgpu_guest_dma_alloc)
#define MVGPU_GUEST_IOCTL_USER_MAP \
	_IOWR(MVGPU_GUEST_IOCTL_BASE, 2, struct mvgpu_guest_user_map)
#define MVGPU_GUEST_IOCTL_FREE \
	_IOW(MVGPU_GUEST_IOCTL_BASE, 3, struct mvgpu_guest_free)
#define MVGPU_GUEST_IOCTL_SET_EVENTFD \
	_IOW(MVGPU_GUEST_IOCTL_BASE, 4, struct mvgpu_guest_eventfd)
#define MVGPU_GUEST_IOCTL_IRQ_CAUSES \
	_IOWR(MVGPU_GUEST_IOCTL_BASE, 5, struct mvgpu_guest_irq_causes)
/* RESET register write; collected causes cleared.  No argument. */
#define MVGPU_GUEST_IOCTL_RESET		_IO(MVGPU_GUEST_IOCTL_BASE, 6)

#endif /* MVGPU_GUEST_UAPI_H */
