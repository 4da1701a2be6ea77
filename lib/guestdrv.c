// SPDX-License-Identifier: MIT
/*
 * The guest-driver transport: inside a VM that was given a vGPU, the
 * library reaches it through mvgpu_guest.ko (include/mvgpu_guest_uapi.h)
 * instead of VFIO.  mvgpu_open() takes the vGPU's PCI address in the guest
 * ("0000:00:01.0" or "00:01.0") or its device node (/dev/mvgpu/ADDR).
 *
 * Registers: loads and stores through the BAR0 mapping.  VRAM: the VRAM
 * BAR mapping (write-combining).  Host memory: DMA buffers the driver
 * allocates with the kernel's DMA API, at the bus address it reports.
 * Interrupts: the driver acks them and signals the handle's eventfd; the
 * causes come from MVGPU_GUEST_IOCTL_IRQ_CAUSES.  Statistics: BUSY_NS and
 * CMDS_DONE from the registers, interrupts from the driver (the
 * scheduler's numbers exist only on the host).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libmvgpu_int.h"
#include "mvgpu_guest_uapi.h"

bool mvgpu__guest_name(const char *dev)
{
	char addr[MVGPU_PCI_ADDR_LEN];

	return !strncmp(dev, "/dev/", 5) || !mvgpu_pci_addr_parse(dev, addr);
}

bool mvgpu__pci_addr(const char *dev, char out[32])
{
	return !mvgpu_pci_addr_parse(dev, out);
}

static int guest_reg_read(struct mvgpu *g, uint32_t off, void *buf,
			  unsigned int len)
{
	volatile uint8_t *p = g->regs + off;

	if (off >= MVGPU_BAR0_SIZE || len > MVGPU_BAR0_SIZE - off ||
	    off % len)
		return -EINVAL;
	switch (len) {
	case 1: { uint8_t v = *p; memcpy(buf, &v, 1); return 0; }
	case 2: { uint16_t v = *(volatile uint16_t *)p; memcpy(buf, &v, 2); return 0; }
	case 4: { uint32_t v = *(volatile uint32_t *)p; memcpy(buf, &v, 4); return 0; }
	case 8: { uint64_t v = *(volatile uint64_t *)p; memcpy(buf, &v, 8); return 0; }
	default: return -EINVAL;
	}
}

static int guest_reg_write(struct mvgpu *g, uint32_t off, const void *buf,
			   unsigned int len)
{
	volatile uint8_t *p = g->regs + off;

	if (off >= MVGPU_BAR0_SIZE || len > MVGPU_BAR0_SIZE - off ||
	    off % len)
		return -EINVAL;
	/* the ring and the page table in VRAM must land before a doorbell */
	__sync_synchronize();
	switch (len) {
	case 1: { uint8_t v; memcpy(&v, buf, 1); *p = v; return 0; }
	case 2: { uint16_t v; memcpy(&v, buf, 2); *(volatile uint16_t *)p = v; return 0; }
	case 4: { uint32_t v; memcpy(&v, buf, 4); *(volatile uint32_t *)p = v; return 0; }
	case 8: { uint64_t v; memcpy(&v, buf, 8); *(volatile uint64_t *)p = v; return 0; }
	default: return -EINVAL;
	}
}

/* IOVAs are the driver's to choose: dma_map/dma_unmap are never used */
static int guest_dma_map(struct mvgpu *g, void *vaddr, uint64_t iova,
			 uint64_t size)
{
	return -EOPNOTSUPP;
}

static int guest_dma_unmap(struct mvgpu *g, uint64_t iova, uint64_t size)
{
	return -EOPNOTSUPP;
}

static int guest_hostmem_alloc(struct mvgpu *g, size_t size, void **ptr,
			       uint64_t *bus, uint64_t *cookie)
{
	static const char fn[] = "mvgpu_hostmem_alloc";
	struct mvgpu_guest_dma_alloc a = { .argsz = sizeof(a), .size = size };
	struct mvgpu_guest_free f = { .argsz = sizeof(f) };
	void *p;
	int err;

	if (size > MVGPU_GUEST_DMA_MAX_BYTES)
		return mvgpu__err(-E2BIG,
				  "%s: %zu bytes is more than the guest driver's %llu MiB DMA buffers: use several",
				  fn, size, MVGPU_GUEST_DMA_MAX_BYTES >> 20);
	if (ioctl(g->gfd, MVGPU_GUEST_IOCTL_DMA_ALLOC, &a)) {
		err = errno;
		return mvgpu__err(-err, "%s: the guest driver cannot allocate a %zu byte DMA buffer: %s",
				  fn, size, strerror(err));
	}
	p = mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, g->gfd,
		 a.mmap_offset);
	if (p == MAP_FAILED) {
		err = errno;
		f.handle = a.handle;
		ioctl(g->gfd, MVGPU_GUEST_IOCTL_FREE, &f);
		return mvgpu__err(-err, "%s: cannot map the DMA buffer: %s", fn,
				  strerror(err));
	}
	*ptr = p;
	*bus = a.bus_addr;
	*cookie = a.handle;
	return 0;
}

static int guest_hostmem_free(struct mvgpu *g, void *ptr, size_t size,
			      uint64_t cookie)
{
	struct mvgpu_guest_free f = {
		.argsz = sizeof(f),
		.handle = (uint32_t)cookie,
	};

	munmap(ptr, size);
	return ioctl(g->gfd, MVGPU_GUEST_IOCTL_FREE, &f) ? -errno : 0;
}

static int guest_irq_causes(struct mvgpu *g, uint32_t *causes)
{
	struct mvgpu_guest_irq_causes c = { .argsz = sizeof(c) };

	if (ioctl(g->gfd, MVGPU_GUEST_IOCTL_IRQ_CAUSES, &c))
		return -errno;
	*causes = c.causes;
	return 0;
}

static int guest_get_stats(struct mvgpu *g, struct mvgpu_stats *stats)
{
	struct mvgpu_guest_info info = { .argsz = sizeof(info) };
	struct mvgpu_stats s;
	int ret;

	ret = mvgpu__stats_regs(g, &s);
	if (ret)
		return ret;
	if (ioctl(g->gfd, MVGPU_GUEST_IOCTL_INFO, &info))
		return mvgpu__err(-errno, "mvgpu_get_stats: MVGPU_GUEST_IOCTL_INFO: %s",
				  strerror(errno));
	s.interrupts = info.irq_count;
	*stats = s;
	return 0;
}

static void guest_release(struct mvgpu *g)
{
	if (g->vram_mmapped)
		munmap(g->vram, g->vram_size);
	g->vram_mmapped = false;
	g->vram = NULL;
	if (g->regs)
		munmap((void *)g->regs, MVGPU_BAR0_SIZE);
	g->regs = NULL;
	if (g->gfd >= 0)
		close(g->gfd);
	g->gfd = -1;
}

static const struct mvgpu_hw_ops mvgpu_guest_ops = {
	.reg_read	= guest_reg_read,
	.reg_write	= guest_reg_write,
	.dma_map	= guest_dma_map,
	.dma_unmap	= guest_dma_unmap,
	.release	= guest_release,
	.hostmem_alloc	= guest_hostmem_alloc,
	.hostmem_free	= guest_hostmem_free,
	.irq_causes	= guest_irq_causes,
	.get_stats	= guest_get_stats,
};

static int guest_open_node(struct mvgpu *g, const char *path)
{
	int err;

	g->gfd = open(path, O_RDWR | O_CLOEXEC);
	if (g->gfd >= 0)
		return 0;
	err = errno;
	if (err == ENOENT || err == ENODEV || err == ENXIO)
		return mvgpu__err(-ENOENT,
				  "mvgpu_open: %s does not exist: is mvgpu_guest.ko loaded and the vGPU at that PCI address? (see mvgpuctl list)",
				  path);
	if (err == EBUSY)
		return mvgpu__err(-EBUSY, "mvgpu_open: %s is open in another process: close it there first",
				  path);
	if (err == EACCES || err == EPERM)
		return mvgpu__err(-EACCES, "mvgpu_open: no permission to open %s: run as root or give your user access (chown, a udev rule)",
				  path);
	return mvgpu__err(-err, "mvgpu_open: cannot open %s: %s", path,
			  strerror(err));
}

int mvgpu__guest_open(struct mvgpu *g, const char *dev)
{
	struct mvgpu_guest_info info = { .argsz = sizeof(info) };
	struct mvgpu_guest_eventfd efd = { .argsz = sizeof(efd) };
	char path[PATH_MAX], addr[32];
	void *p;
	int ret;

	g->ops = &mvgpu_guest_ops;
	if (mvgpu__pci_addr(dev, addr))
		snprintf(path, sizeof(path), "%s/%s", MVGPU_GUEST_DEV_DIR, addr);
	else
		snprintf(path, sizeof(path), "%s", dev);
	ret = guest_open_node(g, path);
	if (ret)
		return ret;
	if (ioctl(g->gfd, MVGPU_GUEST_IOCTL_INFO, &info))
		return mvgpu__err(-errno, "mvgpu_open: %s: MVGPU_GUEST_IOCTL_INFO: %s",
				  path, strerror(errno));
	if (info.vendor != MVGPU_PCI_VENDOR_ID ||
	    info.device != MVGPU_PCI_DEVICE_ID)
		return mvgpu__err(-ENODEV, "mvgpu_open: %s is not an mvgpu vGPU: PCI ID %04x:%04x",
				  path, info.vendor, info.device);
	snprintf(g->uuid, sizeof(g->uuid), "%s", info.pci_addr);
	snprintf(g->gpu, sizeof(g->gpu), "guest");

	p = mmap(NULL, MVGPU_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 g->gfd, MVGPU_GUEST_MMAP_BAR0);
	if (p == MAP_FAILED)
		return mvgpu__err(-errno, "mvgpu_open: cannot map the registers of %s: %s",
				  path, strerror(errno));
	g->regs = p;
	ret = mvgpu__identify(g, info.pci_addr, info.vram_size);
	if (ret)
		return ret;
	snprintf(g->type, sizeof(g->type), "mvgpu-%u", g->divisor);

	p = mmap(NULL, g->vram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 g->gfd, MVGPU_GUEST_MMAP_VRAM);
	if (p == MAP_FAILED)
		return mvgpu__err(-errno, "mvgpu_open: cannot map the %llu MiB of VRAM: %s",
				  (unsigned long long)g->vram_size >> 20,
				  strerror(errno));
	g->vram = p;
	g->vram_mmapped = true;

	efd.fd = g->event_fd;
	if (ioctl(g->gfd, MVGPU_GUEST_IOCTL_SET_EVENTFD, &efd))
		return mvgpu__err(-errno, "mvgpu_open: cannot bind the interrupt eventfd: %s",
				  strerror(errno));
	return 0;
}
