// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vGPU as a VFIO device: opening through container, group and device;
 * GET_INFO, GET_REGION_INFO, GET_IRQ_INFO, SET_IRQS and RESET answer as
 * docs/device.md says; every malformed variant is -EINVAL and changes
 * nothing; open/close/reopen 100 times; a second open of the group is
 * refused as the uAPI says.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "mvgpu_test.h"

static char uuid[MT_UUID_LEN];
static struct mt_vfio v = { -1, -1, -1, -1 };

static int setup(void **state)
{
	if (mt_create_new(0, 4, uuid))
		return -1;
	return mt_vfio_open(uuid, &v);
}

static int teardown(void **state)
{
	mt_vfio_close(&v);
	mt_remove_all();
	return 0;
}

static void test_device_info(void **state)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	assert_int_equal(ioctl(v.device, VFIO_DEVICE_GET_INFO, &info), 0);
	assert_int_equal(info.flags, VFIO_DEVICE_FLAGS_PCI |
			 VFIO_DEVICE_FLAGS_RESET);
	assert_int_equal(info.num_regions, VFIO_PCI_NUM_REGIONS);
	assert_int_equal(info.num_irqs, VFIO_PCI_NUM_IRQS);

	info.argsz = offsetof(struct vfio_device_info, num_irqs);
	assert_int_equal(ioctl(v.device, VFIO_DEVICE_GET_INFO, &info), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ioctl(v.device, VFIO_DEVICE_GET_INFO, NULL), -1);
	assert_int_equal(errno, EFAULT);
}

static void test_region_info(void **state)
{
	uint64_t vram = 0;
	unsigned int i;

	assert_int_equal(mt_readf_u64(&vram, MT_MDEV_DEVICES "/%s/mvgpu/vram_size",
				      uuid), 0);
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		struct vfio_region_info r = { .argsz = sizeof(r), .index = i };
		uint64_t size = 0;
		uint32_t flags = 0;

		assert_int_equal(ioctl(v.device, VFIO_DEVICE_GET_REGION_INFO, &r),
				 0);
		assert_int_equal(r.offset, MT_REGION(i));
		switch (i) {
		case VFIO_PCI_BAR0_REGION_INDEX:
			size = MVGPU_BAR0_SIZE;
			flags = VFIO_REGION_INFO_FLAG_READ |
				VFIO_REGION_INFO_FLAG_WRITE;
			break;
		case VFIO_PCI_BAR2_REGION_INDEX:
			size = vram;
			flags = VFIO_REGION_INFO_FLAG_READ |
				VFIO_REGION_INFO_FLAG_WRITE |
				VFIO_REGION_INFO_FLAG_MMAP;
			break;
		case VFIO_PCI_CONFIG_REGION_INDEX:
			size = 256;
			flags = VFIO_REGION_INFO_FLAG_READ |
				VFIO_REGION_INFO_FLAG_WRITE;
			break;
		}
		if (r.size != size || r.flags != flags)
			fail_msg("region %u: size 0x%llx flags 0x%x, want 0x%llx 0x%x",
				 i, (unsigned long long)r.size, r.flags,
				 (unsigned long long)size, flags);
	}
}

static void test_region_info_malformed(void **state)
{
	struct vfio_region_info r = { .argsz = sizeof(r),
				      .index = VFIO_PCI_NUM_REGIONS };

	assert_int_equal(ioctl(v.device, VFIO_DEVICE_GET_REGION_INFO, &r), -1);
	assert_int_equal(errno, EINVAL);
	r.index = 0xffffffff;
	assert_int_equal(ioctl(v.device, VFIO_DEVICE_GET_REGION_INFO, &r), -1);
	assert_int_equal(errno, EINVAL);
	r.index = 0;
	r.argsz = offsetof(struct vfio_region_info, offset);
	assert_int_equal(ioctl(v.device, VFIO_DEVICE_GET_REGION_INFO, &r), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_irq_info(void **state)
{
	static const struct { uint32_t count, flags; } want[VFIO_PCI_NUM_IRQS] = {
		[VFIO_PCI_INTX_IRQ_INDEX] = { 1, VFIO_IRQ_INFO_EVENTFD |
			VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED },
		[VFIO_PCI_MSI_IRQ_INDEX] = { 1, VFIO_IRQ_INFO_EVENTFD |
			VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_NORESIZE },
		[VFIO_PCI_MSIX_IRQ_INDEX] = { 0, 0 },
		[VFIO_PCI_ERR_IRQ_INDEX] = { 0, 0 },
		[VFIO_PCI_REQ_IRQ_INDEX] = { 1, VFIO_IRQ_INFO_EVENTFD |
			VFIO_IRQ_INFO_NORESIZE },
	};
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };
	unsigned int i;

	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		irq.index = i;
		if (i == VFIO_PCI_ERR_IRQ_INDEX) {
			/* no AER: refused, as vfio-pci does for conventional PCI */
			assert_int_equal(ioctl(v.device, VFIO_DEVICE_GET_IRQ_INFO,
					       &irq), -1);
			assert_int_equal(errno, EINVAL);
			continue;
		}
		assert_int_equal(ioctl(v.device, VFIO_DEVICE_GET_IRQ_INFO, &irq), 0);
		if (irq.count != want[i].count || irq.flags != want[i].flags)
			fail_msg("irq %u: count %u flags 0x%x", i, irq.count,
				 irq.flags);
	}
	irq.index = VFIO_PCI_NUM_IRQS;
	assert_int_equal(ioctl(v.device, VFIO_DEVICE_GET_IRQ_INFO, &irq), -1);
	assert_int_equal(errno, EINVAL);
	irq.index = 0;
	irq.argsz = 8;
	assert_int_equal(ioctl(v.device, VFIO_DEVICE_GET_IRQ_INFO, &irq), -1);
	assert_int_equal(errno, EINVAL);
}

/* the software interrupt still arrives on efd: nothing was changed */
static void expect_msi_works(int efd)
{
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_MASK, 0), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_SW_INT, 1), 0);
	assert_int_equal(mt_eventfd_wait(efd, 2000, NULL), 1);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_ACK,
					MVGPU_INT_ALL), 0);
}

static void test_set_irqs_malformed(void **state)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), bad[2];
	struct vfio_irq_set hdr;
	int32_t fds[2] = { efd, efd };
	uint8_t bools[2] = { 1, 1 };

	assert_int_equal(mt_enable(v.device), 0);
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_MSI_IRQ_INDEX,
					    efd), 0);
	expect_msi_works(efd);

	/* short argsz: the header */
	memset(&hdr, 0, sizeof(hdr));
	hdr.argsz = offsetof(struct vfio_irq_set, count);
	hdr.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	hdr.index = VFIO_PCI_MSI_IRQ_INDEX;
	assert_int_equal(ioctl(v.device, VFIO_DEVICE_SET_IRQS, &hdr), -1);
	assert_int_equal(errno, EINVAL);
	/* short argsz: the data (an eventfd announced, none given) */
	hdr.argsz = sizeof(hdr);
	hdr.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	hdr.count = 1;
	assert_int_equal(ioctl(v.device, VFIO_DEVICE_SET_IRQS, &hdr), -1);
	assert_int_equal(errno, EINVAL);

	/* unknown flag bits, two data types, no data type */
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_NONE |
				     VFIO_IRQ_SET_ACTION_TRIGGER | (1u << 20),
				     VFIO_PCI_MSI_IRQ_INDEX, 0, 0, NULL, 0),
			 -EINVAL);
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_NONE |
				     VFIO_IRQ_SET_DATA_BOOL |
				     VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_MSI_IRQ_INDEX, 0, 1, bools, 1),
			 -EINVAL);
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_MSI_IRQ_INDEX, 0, 0, NULL, 0),
			 -EINVAL);
	/* two actions */
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_NONE |
				     VFIO_IRQ_SET_ACTION_MASK |
				     VFIO_IRQ_SET_ACTION_UNMASK,
				     VFIO_PCI_MSI_IRQ_INDEX, 0, 1, NULL, 0),
			 -EINVAL);
	/* index out of range */
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_NONE |
				     VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_NUM_IRQS, 0, 0, NULL, 0), -EINVAL);
	/* start/count beyond the index's vectors, and overflowing */
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_EVENTFD |
				     VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_MSI_IRQ_INDEX, 0, 2, fds,
				     sizeof(fds)), -EINVAL);
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_EVENTFD |
				     VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_MSI_IRQ_INDEX, 1, 1, fds, 4),
			 -EINVAL);
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_BOOL |
				     VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_MSI_IRQ_INDEX, 1, 0xffffffff,
				     bools, 2), -EINVAL);
	/* MSI-X and ERR have no vectors */
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_EVENTFD |
				     VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, fds, 4),
			 -EINVAL);
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_EVENTFD |
				     VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_ERR_IRQ_INDEX, 0, 1, fds, 4),
			 -EINVAL);
	/* INTx while MSI is enabled */
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_INTX_IRQ_INDEX,
					    efd), -EINVAL);
	/* mask by eventfd, mask of the index that is not enabled */
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_EVENTFD |
				     VFIO_IRQ_SET_ACTION_MASK,
				     VFIO_PCI_MSI_IRQ_INDEX, 0, 1, fds, 4),
			 -EINVAL);
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_NONE |
				     VFIO_IRQ_SET_ACTION_MASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0),
			 -EINVAL);
	/* REQ takes ACTION_TRIGGER alone, as vfio-pci: -ENOTTY otherwise */
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_NONE |
				     VFIO_IRQ_SET_ACTION_MASK,
				     VFIO_PCI_REQ_IRQ_INDEX, 0, 1, NULL, 0),
			 -ENOTTY);
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_EVENTFD |
				     VFIO_IRQ_SET_ACTION_TRIGGER |
				     VFIO_IRQ_SET_ACTION_MASK,
				     VFIO_PCI_REQ_IRQ_INDEX, 0, 1, fds, 4),
			 -ENOTTY);
	/* DATA_NONE on REQ with nothing bound, DATA_BOOL with count 0 */
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_NONE |
				     VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_REQ_IRQ_INDEX, 0, 1, NULL, 0),
			 -EINVAL);
	assert_int_equal(mt_set_irqs(v.device, VFIO_IRQ_SET_DATA_BOOL |
				     VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_REQ_IRQ_INDEX, 0, 0, NULL, 0),
			 -EINVAL);
	/* a file that is not an eventfd, and a closed fd */
	assert_int_equal(pipe(bad), 0);
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_MSI_IRQ_INDEX,
					    bad[0]), -EINVAL);
	close(bad[0]);
	close(bad[1]);
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_MSI_IRQ_INDEX,
					    bad[0]), -EBADF);
	assert_int_equal(mt_set_irq_eventfd(v.device, VFIO_PCI_MSI_IRQ_INDEX,
					    -7), -EINVAL);

	/* after all that, MSI is still bound to efd and works */
	expect_msi_works(efd);
	assert_int_equal(mt_disable_irq(v.device, VFIO_PCI_MSI_IRQ_INDEX), 0);
	close(efd);
}

static void test_reset(void **state)
{
	uint16_t cmd;

	assert_int_equal(mt_enable(v.device), 0);
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_SCRATCH, 0x1234), 0);
	assert_int_equal(ioctl(v.device, VFIO_DEVICE_RESET), 0);
	cmd = mt_cfg_read16(v.device, PCI_COMMAND);
	assert_int_equal(cmd, 0);	/* memory decoding off after reset */
	assert_int_equal(mt_enable(v.device), 0);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_SCRATCH), 0);
}

static void test_unknown_ioctl(void **state)
{
	assert_int_equal(ioctl(v.device, _IO(VFIO_TYPE, VFIO_BASE + 60)), -1);
	assert_int_equal(errno, ENOTTY);
}

static void test_second_group_open_refused(void **state)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", v.group_id);
	fd = open(path, O_RDWR);
	assert_int_equal(fd, -1);
	assert_int_equal(errno, EBUSY);
}

static void test_reopen_100_times(void **state)
{
	int i;

	mt_vfio_close(&v);
	for (i = 0; i < 100; i++) {
		struct mt_vfio w;

		assert_int_equal(mt_vfio_open(uuid, &w), 0);
		assert_int_equal(mt_cfg_read16(w.device, PCI_VENDOR_ID),
				 MVGPU_PCI_VENDOR_ID);
		if (i % 10 == 0) {
			assert_int_equal(mt_enable(w.device), 0);
			assert_int_equal(mt_reg32(w.device, MVGPU_REG_ID),
					 MVGPU_ID_MAGIC);
		}
		mt_vfio_close(&w);
	}
	assert_int_equal(mt_vfio_open(uuid, &v), 0);
	assert_int_equal(mt_cfg_read16(v.device, PCI_DEVICE_ID),
			 MVGPU_PCI_DEVICE_ID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_info),
		cmocka_unit_test(test_region_info),
		cmocka_unit_test(test_region_info_malformed),
		cmocka_unit_test(test_irq_info),
		cmocka_unit_test(test_set_irqs_malformed),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_unknown_ioctl),
		cmocka_unit_test(test_second_group_open_refused),
		cmocka_unit_test(test_reopen_100_times),
	};

	return MT_RUN("vfio_ioctl", tests, setup, teardown);
}
