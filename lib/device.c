// SPDX-License-Identifier: MIT
/*
 * Opening and closing a vGPU: find its IOMMU group in sysfs, set up the
 * VFIO container, group and device, check that it is an mvgpu vGPU, turn
 * on memory decoding and bus mastering, map the VRAM BAR and bind an
 * eventfd to MSI.  Then lay out the VRAM and program the page table and
 * the ring (mvgpu__handle_init()).
 *
 * The registers are reached through struct mvgpu_hw_ops; this file holds
 * the VFIO implementation (pread/pwrite on the BAR0 region).
 */
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "libmvgpu_int.h"

#define MVGPU_REGION_OFF(i)	((uint64_t)(i) << 40)

/* ------------------------------------------------------------------ */
/* Register access                                                     */
/* ------------------------------------------------------------------ */

int mvgpu__reg_read32(struct mvgpu *g, uint32_t off, uint32_t *val)
{
	uint8_t b[4];
	int ret = g->ops->reg_read(g, off, b, 4);

	if (ret)
		return ret;
	*val = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
	return 0;
}

int mvgpu__reg_read64(struct mvgpu *g, uint32_t off, uint64_t *val)
{
	uint8_t b[8];
	uint64_t v = 0;
	int i, ret = g->ops->reg_read(g, off, b, 8);

	if (ret)
		return ret;
	for (i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	*val = v;
	return 0;
}

int mvgpu__reg_write32(struct mvgpu *g, uint32_t off, uint32_t val)
{
	uint8_t b[4] = { val, val >> 8, val >> 16, val >> 24 };

	return g->ops->reg_write(g, off, b, 4);
}

int mvgpu__reg_write64(struct mvgpu *g, uint32_t off, uint64_t val)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = val >> (8 * i);
	return g->ops->reg_write(g, off, b, 8);
}

static int vfio_region_rw(struct mvgpu *g, uint64_t off, void *buf,
			  unsigned int len, bool write)
{
	ssize_t n;

	if (write)
		n = pwrite(g->device, buf, len, off);
	else
		n = pread(g->device, buf, len, off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int vfio_reg_read(struct mvgpu *g, uint32_t off, void *buf,
			 unsigned int len)
{
	return vfio_region_rw(g, g->bar0_off + off, buf, len, false);
}

static int vfio_reg_write(struct mvgpu *g, uint32_t off, const void *buf,
			  unsigned int len)
{
	return vfio_region_rw(g, g->bar0_off + off, (void *)buf, len, true);
}

static int vfio_dma_map(struct mvgpu *g, void *vaddr, uint64_t iova,
			uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(g->container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static int vfio_dma_unmap(struct mvgpu *g, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (ioctl(g->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -errno;
	return unmap.size == size ? 0 : -EIO;
}

static void vfio_release(struct mvgpu *g)
{
	if (g->vram_mmapped)
		munmap(g->vram, g->vram_size);
	g->vram_mmapped = false;
	g->vram = NULL;
	if (g->device >= 0)
		close(g->device);
	if (g->group >= 0)
		close(g->group);
	if (g->container >= 0)
		close(g->container);
	g->device = g->group = g->container = -1;
}

static const struct mvgpu_hw_ops mvgpu_vfio_ops = {
	.reg_read	= vfio_reg_read,
	.reg_write	= vfio_reg_write,
	.dma_map	= vfio_dma_map,
	.dma_unmap	= vfio_dma_unmap,
	.release	= vfio_release,
};

/* ------------------------------------------------------------------ */
/* The handle                                                          */
/* ------------------------------------------------------------------ */

int mvgpu__handle_new(struct mvgpu **out)
{
	struct mvgpu *g = calloc(1, sizeof(*g));
	pthread_condattr_t attr;

	if (!g)
		return mvgpu__err(-ENOMEM, "mvgpu_open: out of memory");
	g->container = g->group = g->device = g->event_fd = g->gfd = -1;
	g->poll_slice_ms = MVGPU_POLL_SLICE_MS;
	mvgpu_list_init(&g->bos);
	mvgpu_list_init(&g->hostmems);
	mvgpu_list_init(&g->batches);
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cond, &attr);
	pthread_condattr_destroy(&attr);

	g->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (g->event_fd < 0) {
		int ret = -errno;

		mvgpu__handle_free(g);
		return mvgpu__err(ret, "mvgpu_open: cannot create an eventfd: %s",
				  strerror(-ret));
	}
	*out = g;
	return 0;
}

void mvgpu__handle_free(struct mvgpu *g)
{
	struct mvgpu_list *n;

	while (!mvgpu_list_empty(&g->batches)) {
		n = g->batches.next;
		mvgpu_list_del(n);
		mvgpu__batch_destroy(mvgpu_container_of(n, struct mvgpu_batch,
							node));
	}
	mvgpu__hostmems_free_all(g);
	mvgpu__bos_free_all(g);
	if (g->ops && g->ops->release)
		g->ops->release(g);
	if (g->event_fd >= 0)
		close(g->event_fd);
	if (g->vram_ra.granule)
		mvgpu__ra_fini(&g->vram_ra);
	if (g->iova_ra.granule)
		mvgpu__ra_fini(&g->iova_ra);
	free(g->inflight);
	free(g->lost);
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

int mvgpu__hw_setup(struct mvgpu *g)
{
	int ret;

	mvgpu__pt_write(g);
	ret = mvgpu__reg_write32(g, MVGPU_REG_INT_MASK, 0);
	if (!ret)
		ret = mvgpu__reg_write32(g, MVGPU_REG_INT_ACK, MVGPU_INT_ALL);
	if (ret)
		return mvgpu__err(ret, "cannot program the interrupt registers: %s",
				  strerror(-ret));
	ret = mvgpu__pt_program(g);
	if (ret)
		return ret;
	return mvgpu__ring_program(g);
}

int mvgpu__handle_init(struct mvgpu *g)
{
	int ret = mvgpu__layout(g);

	if (ret)
		return ret;
	ret = mvgpu__ra_init(&g->vram_ra, MVGPU_GPU_PAGE_SIZE,
			     g->ring_off - MVGPU_GPU_PAGE_SIZE,
			     MVGPU_LIB_VRAM_GRANULE);
	if (!ret)
		ret = mvgpu__ra_init(&g->iova_ra, MVGPU_LIB_IOVA_BASE,
				     MVGPU_LIB_IOVA_SIZE, MVGPU_GPU_PAGE_SIZE);
	if (ret)
		return mvgpu__err(ret, "cannot set up the VRAM allocator: %s",
				  strerror(-ret));
	g->if_cap = g->ring_size / MVGPU_CMD_SIZE;
	g->inflight = calloc(g->if_cap, sizeof(*g->inflight));
	if (!g->inflight)
		return mvgpu__err(-ENOMEM, "mvgpu_open: out of memory");
	return mvgpu__hw_setup(g);
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */
/* ------------------------------------------------------------------ */

static int open_sysfs(struct mvgpu *g, const char *uuid_in)
{
	char group[32];
	struct stat st;
	int ret;

	if (!uuid_in)
		uuid_in = getenv(MVGPU_UUID_ENV);
	if (!uuid_in)
		return mvgpu__err(-EINVAL, "mvgpu_open: no UUID given and %s is not set",
				  MVGPU_UUID_ENV);
	if (mvgpu_uuid_parse(uuid_in, g->uuid))
		return mvgpu__err(-EINVAL,
				  "mvgpu_open: \"%.64s\" is not a UUID: want 8-4-4-4-12 hex digits, e.g. as printed by mvgpuctl list or mdevctl list",
				  uuid_in);
	snprintf(g->sysfs_dir, sizeof(g->sysfs_dir), "%s/%s",
		 MVGPU_SYSFS_MDEV_DEVICES, g->uuid);
	if (stat(g->sysfs_dir, &st))
		return mvgpu__err(-ENOENT,
				  "mvgpu_open: no vGPU with UUID %s: create one with mvgpuctl create or mdevctl start",
				  g->uuid);

	ret = mvgpu__link_basename(g->sysfs_dir, "mdev_type", g->type,
			    sizeof(g->type));
	if (ret || strncmp(g->type, MVGPU_TYPE_PREFIX, strlen(MVGPU_TYPE_PREFIX)))
		return mvgpu__err(-ENODEV,
				  "mvgpu_open: mediated device %s is %s%s, not an mvgpu vGPU",
				  g->uuid, ret ? "of no known type" : "of type ",
				  ret ? "" : g->type);
	if (mvgpu__sysfs_read(g->sysfs_dir, "mvgpu/gpu", g->gpu,
			      sizeof(g->gpu)))
		snprintf(g->gpu, sizeof(g->gpu), "?");

	ret = mvgpu__link_basename(g->sysfs_dir, "iommu_group", group, sizeof(group));
	if (ret)
		return mvgpu__err(ret == -ENOENT ? -ENODEV : ret,
				  "mvgpu_open: vGPU %s has no IOMMU group (%s): is the vfio_iommu_type1 module loaded?",
				  g->uuid, strerror(-ret));
	return atoi(group);
}

/*
 * A PCI function bound to vfio-pci (inside a VM with an IOMMU): the same
 * VFIO device, named by its PCI address, with no mdev sysfs around it.
 * Returns the IOMMU group or a negative errno.
 */
static int open_sysfs_pci(struct mvgpu *g, const char *addr)
{
	char group[32], drv[32];
	uint64_t sub = 0;
	char buf[32];
	int ret;

	snprintf(g->uuid, sizeof(g->uuid), "%s", addr);
	snprintf(g->sysfs_dir, sizeof(g->sysfs_dir), "/sys/bus/pci/devices/%s",
		 addr);
	snprintf(g->gpu, sizeof(g->gpu), "guest");
	g->stats_regs = true;
	if (mvgpu__link_basename(g->sysfs_dir, "driver", drv, sizeof(drv)) ||
	    strcmp(drv, "vfio-pci"))
		return mvgpu__err(-ENODEV, "mvgpu_open: PCI device %s is not bound to vfio-pci",
				  addr);
	if (!mvgpu__sysfs_read(g->sysfs_dir, "subsystem_device", buf,
			       sizeof(buf)))
		sub = strtoull(buf, NULL, 16);
	snprintf(g->type, sizeof(g->type), "mvgpu-%u", (unsigned int)(sub & 0xff));
	ret = mvgpu__link_basename(g->sysfs_dir, "iommu_group", group, sizeof(group));
	if (ret)
		return mvgpu__err(-ENODEV, "mvgpu_open: PCI device %s has no IOMMU group: the VM needs an IOMMU (intel_iommu=on)",
				  addr);
	return atoi(group);
}

/* A PCI address whose function vfio-pci drives? (else: the guest driver) */
static bool is_vfio_pci(const char *dev, char addr[32])
{
	char dir[96], drv[32];

	if (!mvgpu__pci_addr(dev, addr))
		return false;
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", addr);
	return !mvgpu__link_basename(dir, "driver", drv, sizeof(drv)) &&
	       !strcmp(drv, "vfio-pci");
}

static int open_dev(const char *path, const char *uuid)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), err;

	if (fd >= 0)
		return fd;
	err = errno;
	if (err == EACCES || err == EPERM)
		return mvgpu__err(-EACCES,
				  "mvgpu_open: no permission to open %s: run as root, or give your user access to it (chown, or a udev rule)",
				  path);
	if (err == ENOENT && strcmp(path, MVGPU_VFIO_DEV) &&
	    !access(MVGPU_VFIO_DEV, F_OK))
		return mvgpu__err(-ENODEV,
				  "mvgpu_open: %s (the IOMMU group of vGPU %s) does not exist here: in a container, give it this vGPU (podman run --device mvgpu.org/vgpu=%s, see mvgpuctl cdi)",
				  path, uuid, uuid);
	if (err == ENOENT || err == ENODEV || err == ENXIO)
		return mvgpu__err(-ENODEV,
				  "mvgpu_open: %s does not exist: load the VFIO modules (modprobe vfio_iommu_type1 mdev)",
				  path);
	if (err == EBUSY)
		return mvgpu__err(-EBUSY,
				  "mvgpu_open: vGPU %s is already open (%s is in use, by this or another process): close it there first; %s/%s/mvgpu/owner names the owner",
				  uuid, path, MVGPU_SYSFS_MDEV_DEVICES, uuid);
	return mvgpu__err(-err, "mvgpu_open: cannot open %s: %s", path,
			  strerror(err));
}

static int open_vfio(struct mvgpu *g, int group_id)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];

	g->container = open_dev(MVGPU_VFIO_DEV, g->uuid);
	if (g->container < 0)
		return g->container;
	if (ioctl(g->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(g->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0)
		return mvgpu__err(-ENODEV,
				  "mvgpu_open: the kernel's VFIO lacks the type1v2 IOMMU: load vfio_iommu_type1");

	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	g->group = open_dev(path, g->uuid);
	if (g->group < 0)
		return g->group;
	if (ioctl(g->group, VFIO_GROUP_GET_STATUS, &status))
		return mvgpu__err(-errno, "mvgpu_open: VFIO_GROUP_GET_STATUS on %s: %s",
				  path, strerror(errno));
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return mvgpu__err(-EBUSY,
				  "mvgpu_open: IOMMU group %d of vGPU %s is not viable: another device of the group is bound to a host driver",
				  group_id, g->uuid);
	if (ioctl(g->group, VFIO_GROUP_SET_CONTAINER, &g->container))
		return mvgpu__err(-errno, "mvgpu_open: VFIO_GROUP_SET_CONTAINER: %s",
				  strerror(errno));
	if (ioctl(g->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return mvgpu__err(-errno, "mvgpu_open: VFIO_SET_IOMMU (type1v2): %s",
				  strerror(errno));
	g->device = ioctl(g->group, VFIO_GROUP_GET_DEVICE_FD, g->uuid);
	if (g->device < 0) {
		int err = errno;

		return mvgpu__err(err == EBUSY ? -EBUSY : -err,
				  "mvgpu_open: cannot get the device fd of vGPU %s: %s",
				  g->uuid, strerror(err));
	}
	return 0;
}

static int region_info(struct mvgpu *g, unsigned int index,
		       struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	if (ioctl(g->device, VFIO_DEVICE_GET_REGION_INFO, info))
		return mvgpu__err(-errno, "mvgpu_open: region %u info: %s",
				  index, strerror(errno));
	return 0;
}

static int not_mvgpu(struct mvgpu *g, const char *what)
{
	return mvgpu__err(-ENODEV, "mvgpu_open: %s is not an mvgpu vGPU: %s",
			  g->uuid, what);
}

int mvgpu__identify(struct mvgpu *g, const char *name, uint64_t bar_size)
{
	uint32_t id;
	int ret;

	ret = mvgpu__reg_read32(g, MVGPU_REG_ID, &id);
	if (!ret && id != MVGPU_ID_MAGIC)
		return mvgpu__err(-ENODEV, "mvgpu_open: %s is not an mvgpu vGPU: wrong ID register",
				  name);
	if (!ret)
		ret = mvgpu__reg_read32(g, MVGPU_REG_VERSION, &g->version);
	if (!ret)
		ret = mvgpu__reg_read32(g, MVGPU_REG_CAPS, &g->caps);
	if (!ret)
		ret = mvgpu__reg_read32(g, MVGPU_REG_TYPE_DIVISOR, &g->divisor);
	if (!ret)
		ret = mvgpu__reg_read32(g, MVGPU_REG_ENGINES, &g->engines);
	if (!ret)
		ret = mvgpu__reg_read32(g, MVGPU_REG_SHARE_PERMILLE,
					&g->share_permille);
	if (!ret)
		ret = mvgpu__reg_read64(g, MVGPU_REG_VRAM_SIZE, &g->vram_size);
	if (ret)
		return mvgpu__err(ret, "mvgpu_open: cannot read the BAR0 registers: %s",
				  strerror(-ret));
	if (g->version >> 16 != MVGPU_VERSION_MAJOR)
		return mvgpu__err(-ENODEV,
				  "mvgpu_open: vGPU %s speaks device interface %u.%u; this libmvgpu knows %u.x: update libmvgpu",
				  name, g->version >> 16, g->version & 0xffff,
				  MVGPU_VERSION_MAJOR);
	if ((g->caps & (MVGPU_CAP_RING | MVGPU_CAP_PAGING | MVGPU_CAP_MSI)) !=
	    (MVGPU_CAP_RING | MVGPU_CAP_PAGING | MVGPU_CAP_MSI))
		return mvgpu__err(-ENODEV, "mvgpu_open: %s is not an mvgpu vGPU: it lacks the ring, paging or MSI",
				  name);
	if (g->vram_size != bar_size || g->vram_size < MVGPU_LIB_MIN_VRAM ||
	    g->vram_size > (uint64_t)MVGPU_PT_MAX_ENTRIES * MVGPU_GPU_PAGE_SIZE)
		return mvgpu__err(-ENODEV, "mvgpu_open: %s is not an mvgpu vGPU: unexpected VRAM size",
				  name);
	return 0;
}

static int open_device(struct mvgpu *g)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	struct vfio_region_info bar0, vram, cfg;
	uint16_t ids[2], cmd;
	int ret;

	if (ioctl(g->device, VFIO_DEVICE_GET_INFO, &dinfo))
		return mvgpu__err(-errno, "mvgpu_open: VFIO_DEVICE_GET_INFO: %s",
				  strerror(errno));
	if (!(dinfo.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    dinfo.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX ||
	    dinfo.num_irqs <= VFIO_PCI_MSI_IRQ_INDEX)
		return not_mvgpu(g, "not a vfio-pci device");
	ret = region_info(g, MVGPU_BAR0_INDEX, &bar0);
	if (!ret)
		ret = region_info(g, MVGPU_VRAM_BAR_INDEX, &vram);
	if (!ret)
		ret = region_info(g, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (ret)
		return ret;
	if (bar0.size < MVGPU_REG_END ||
	    !(vram.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return not_mvgpu(g, "its BARs are not laid out as an mvgpu's");
	g->bar0_off = bar0.offset;
	g->cfg_off = cfg.offset;

	ret = vfio_region_rw(g, g->cfg_off + PCI_VENDOR_ID, ids, sizeof(ids),
			     false);
	if (ret)
		return mvgpu__err(ret, "mvgpu_open: cannot read config space: %s",
				  strerror(-ret));
	if (le16toh(ids[0]) != MVGPU_PCI_VENDOR_ID ||
	    le16toh(ids[1]) != MVGPU_PCI_DEVICE_ID)
		return not_mvgpu(g, "wrong PCI vendor or device ID");

	/* open reset the function: decoding and bus mastering are off */
	ret = vfio_region_rw(g, g->cfg_off + PCI_COMMAND, &cmd, sizeof(cmd),
			     false);
	if (!ret) {
		cmd = htole16(le16toh(cmd) | PCI_COMMAND_MEMORY |
			      PCI_COMMAND_MASTER);
		ret = vfio_region_rw(g, g->cfg_off + PCI_COMMAND, &cmd,
				     sizeof(cmd), true);
	}
	if (ret)
		return mvgpu__err(ret, "mvgpu_open: cannot enable the device in PCI_COMMAND: %s",
				  strerror(-ret));

	ret = mvgpu__identify(g, g->uuid, vram.size);
	if (ret)
		return ret;

	g->vram = mmap(NULL, g->vram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       g->device, vram.offset);
	if (g->vram == MAP_FAILED) {
		g->vram = NULL;
		return mvgpu__err(-errno, "mvgpu_open: cannot map the %llu MiB of VRAM: %s",
				  (unsigned long long)g->vram_size >> 20,
				  strerror(errno));
	}
	g->vram_mmapped = true;
	return 0;
}

static int bind_msi(struct mvgpu *g)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t fd = g->event_fd;

	memset(buf, 0, sizeof(buf));
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &fd, sizeof(fd));
	if (ioctl(g->device, VFIO_DEVICE_SET_IRQS, set))
		return mvgpu__err(-errno, "mvgpu_open: cannot bind MSI to an eventfd: %s",
				  strerror(errno));
	return 0;
}

int mvgpu_open(const char *uuid, struct mvgpu **out)
{
	char addr[32];
	struct mvgpu *g;
	int ret, group;

	if (!out)
		return mvgpu__err(-EINVAL, "mvgpu_open: out is NULL");
	ret = mvgpu__handle_new(&g);
	if (ret)
		return ret;
	if (uuid && mvgpu__guest_name(uuid) && !is_vfio_pci(uuid, addr)) {
		/* inside a VM, through mvgpu_guest.ko */
		ret = mvgpu__guest_open(g, uuid);
		if (!ret)
			ret = mvgpu__handle_init(g);
		if (ret)
			goto err;
		*out = g;
		return 0;
	}
	g->ops = &mvgpu_vfio_ops;

	if (uuid && mvgpu__pci_addr(uuid, addr))
		group = open_sysfs_pci(g, addr);
	else
		group = open_sysfs(g, uuid);
	if (group < 0) {
		ret = group;
		goto err;
	}
	ret = open_vfio(g, group);
	if (!ret)
		ret = open_device(g);
	if (!ret)
		ret = bind_msi(g);
	if (!ret)
		ret = mvgpu__handle_init(g);
	if (ret)
		goto err;
	*out = g;
	return 0;

err:
	mvgpu__handle_free(g);
	return ret;
}

void mvgpu_close(struct mvgpu **pg)
{
	if (!pg || !*pg)
		return;
	mvgpu__handle_free(*pg);
	*pg = NULL;
}

int mvgpu_get_info(struct mvgpu *g, struct mvgpu_info *info)
{
	if (!g)
		return mvgpu__bad_handle("mvgpu_get_info");
	if (!info)
		return mvgpu__err(-EINVAL, "mvgpu_get_info: info is NULL");
	pthread_mutex_lock(&g->lock);
	memset(info, 0, sizeof(*info));
	snprintf(info->uuid, sizeof(info->uuid), "%s", g->uuid);
	snprintf(info->type, sizeof(info->type), "%s", g->type);
	snprintf(info->gpu, sizeof(info->gpu), "%s", g->gpu);
	info->divisor = g->divisor;
	info->share_permille = g->share_permille;
	info->engines = g->engines;
	info->caps = g->caps;
	info->version = g->version;
	info->vram_size = g->vram_size;
	info->vram_free = g->vram_ra.free_bytes;
	pthread_mutex_unlock(&g->lock);
	return 0;
}
