// SPDX-License-Identifier: GPL-2.0-only
/*
 * BAR0 registers: every documented register's reset value, access widths,
 * refused accesses (unaligned, bad width, crossing registers, read-only,
 * past the BAR), register write validation, the RESET register, and
 * buffers the caller cannot access (BAR0 and config space, every width).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/pci_regs.h>

#include "mvgpu_test.h"

static char uuid[MT_UUID_LEN];
static struct mt_vfio v = { -1, -1, -1, -1 };
static uint64_t vram_size;

static int setup(void **state)
{
	if (mt_create_new(0, 2, uuid))
		return -1;
	if (mt_readf_u64(&vram_size, MT_MDEV_DEVICES "/%s/mvgpu/vram_size", uuid))
		return -1;
	return mt_vfio_open(uuid, &v);
}

static int teardown(void **state)
{
	mt_vfio_close(&v);
	mt_remove_all();
	return 0;
}

static int fresh(void **state)
{
	if (ioctl(v.device, VFIO_DEVICE_RESET))
		return -1;
	return mt_enable(v.device);
}

static void test_reset_values(void **state)
{
	uint64_t engines = 0;

	assert_int_equal(mt_readf_u64(&engines, MT_CLASS "/%s/engines",
				      mt_gpu_name(0)), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_ID), 0x4d564755);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_VERSION), 0x00010000);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_CAPS), 0x3f);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_TYPE_DIVISOR), 2);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_VRAM_SIZE), vram_size);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_ENGINES), engines);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_SHARE_PERMILLE), 500);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_INT_STATUS), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_INT_MASK), MVGPU_INT_ALL);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_INT_ACK), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_SW_INT), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_RESET), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_STATUS), 0);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_SCRATCH), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_FAULT_STATUS), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_FAULT_HEAD), 0);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_FAULT_ADDR), 0);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_PT_BASE), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_PT_ENTRIES), 0);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_RING_BASE), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_RING_SIZE), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_RING_HEAD), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_RING_TAIL), 0);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_FENCE), 0);
	/* holes read as zero */
	assert_int_equal(mt_reg32(v.device, 0x0a0), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_END), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_BAR0_SIZE - 4), 0);
}

static void test_widths(void **state)
{
	uint8_t b;
	uint16_t h;
	uint32_t w;
	uint64_t q = 0x1122334455667788ull;

	/* SCRATCH takes every width */
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_SCRATCH, q), 0);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_SCRATCH), q);
	b = 0xaa;
	assert_int_equal(mt_region_write(v.device, 0, MVGPU_REG_SCRATCH + 1, &b, 1), 0);
	h = 0xbbcc;
	assert_int_equal(mt_region_write(v.device, 0, MVGPU_REG_SCRATCH + 6, &h, 2), 0);
	w = 0xddeeff00;
	assert_int_equal(mt_region_write(v.device, 0, MVGPU_REG_SCRATCH, &w, 4), 0);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_SCRATCH), 0xbbcc3344ddeeff00ull);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_SCRATCH + 4), 0xbbcc3344);

	/* reads of 1 and 2 bytes inside a register */
	assert_int_equal(mt_region_read(v.device, 0, MVGPU_REG_ID, &b, 1), 0);
	assert_int_equal(b, 0x55);
	assert_int_equal(mt_region_read(v.device, 0, MVGPU_REG_ID + 3, &b, 1), 0);
	assert_int_equal(b, 0x4d);
	assert_int_equal(mt_region_read(v.device, 0, MVGPU_REG_ID + 2, &h, 2), 0);
	assert_int_equal(h, 0x4d56);
	/* 64-bit registers by halves */
	assert_int_equal(mt_region_read(v.device, 0, MVGPU_REG_VRAM_SIZE, &w, 4), 0);
	assert_int_equal(w, (uint32_t)vram_size);
	assert_int_equal(mt_region_read(v.device, 0, MVGPU_REG_VRAM_SIZE + 4, &w, 4), 0);
	assert_int_equal(w, vram_size >> 32);
	assert_int_equal(mt_region_write(v.device, 0, MVGPU_REG_PT_BASE + 4,
					 &(uint32_t){ 0 }, 4), 0);
}

static void test_refused_accesses(void **state)
{
	uint8_t buf[16] = { 0 };

	/* widths other than 1, 2, 4, 8 */
	assert_int_equal(mt_region_read(v.device, 0, MVGPU_REG_ID, buf, 3), -EINVAL);
	assert_int_equal(mt_region_read(v.device, 0, MVGPU_REG_ID, buf, 16), -EINVAL);
	/* unaligned */
	assert_int_equal(mt_region_read(v.device, 0, MVGPU_REG_ID + 1, buf, 2), -EINVAL);
	assert_int_equal(mt_region_read(v.device, 0, MVGPU_REG_ID + 2, buf, 4), -EINVAL);
	assert_int_equal(mt_region_write(v.device, 0, MVGPU_REG_SCRATCH + 4, buf, 8),
			 -EINVAL);
	/* crossing registers: 8 bytes over two 32-bit registers */
	assert_int_equal(mt_region_read(v.device, 0, MVGPU_REG_INT_STATUS, buf, 8),
			 -EINVAL);
	/* past the BAR */
	assert_int_equal(mt_region_read(v.device, 0, MVGPU_BAR0_SIZE, buf, 4), -EINVAL);
	assert_int_equal(mt_region_write(v.device, 0, MVGPU_BAR0_SIZE + 64, buf, 4),
			 -EINVAL);
	/* read-only registers refuse writes and keep their value */
	mt_kmsg_mark();
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_ID, 0), -EPERM);
	assert_true(mt_kmsg_contains("write to read-only register ID refused"));
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_VRAM_SIZE, 1), -EPERM);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RING_HEAD, 64), -EPERM);
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_FENCE, 9), -EPERM);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_STATUS, 1), -EPERM);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_ID), MVGPU_ID_MAGIC);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_VRAM_SIZE), vram_size);
	/* narrow writes to registers that need the whole register */
	assert_int_equal(mt_region_write(v.device, 0, MVGPU_REG_INT_MASK, buf, 2),
			 -EINVAL);
	assert_int_equal(mt_region_write(v.device, 0, MVGPU_REG_RING_TAIL, buf, 1),
			 -EINVAL);
	/* holes take writes and ignore them */
	assert_int_equal(mt_reg_write32(v.device, 0x0a0, 0xffffffff), 0);
	assert_int_equal(mt_reg32(v.device, 0x0a0), 0);
}

static void test_register_validation(void **state)
{
	/* INT_MASK keeps only the defined causes */
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_MASK, 0xffffffff), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_INT_MASK), MVGPU_INT_ALL);
	/* RESET only with its magic */
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RESET, 1), -EINVAL);
	/* the ring */
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RING_TAIL, 64), -EINVAL);
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_RING_BASE, 0x1234), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RING_SIZE, 4096), -EINVAL);
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_RING_BASE, 0x10000), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RING_SIZE, 4095), -EINVAL);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RING_SIZE, 2048), -EINVAL);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RING_SIZE, 2 << 20),
			 -EINVAL);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_RING_SIZE), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RING_SIZE, 8192), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_STATUS),
			 MVGPU_STATUS_RING_ENABLED);
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_RING_BASE, 0x20000),
			 -EBUSY);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RING_TAIL, 8192), -EINVAL);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RING_TAIL, 100), -EINVAL);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_RING_TAIL), 0);
	/* the page table */
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_PT_BASE, 0x801), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_PT_ENTRIES, 16), -EINVAL);
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_PT_BASE,
					vram_size - 4096), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_PT_ENTRIES, 513),
			 -EINVAL);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_PT_ENTRIES,
					MVGPU_PT_MAX_ENTRIES + 1), -EINVAL);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_PT_ENTRIES, 512), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_STATUS),
			 MVGPU_STATUS_RING_ENABLED | MVGPU_STATUS_PAGING);
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_PT_BASE, 0), -EBUSY);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_PT_ENTRIES, 0), 0);
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_PT_BASE, vram_size), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_PT_ENTRIES, 1), -EINVAL);
}

static void test_reset_register(void **state)
{
	uint16_t cmd;

	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_SCRATCH, 77), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_MASK, 0), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_SW_INT, 1), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_INT_STATUS),
			 MVGPU_INT_SOFTWARE);
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_RING_BASE, 0x10000), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RING_SIZE, 4096), 0);
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_PT_BASE, 0x8000), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_PT_ENTRIES, 8), 0);

	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_RESET,
					MVGPU_RESET_MAGIC), 0);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_SCRATCH), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_INT_STATUS), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_INT_MASK), MVGPU_INT_ALL);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_RING_BASE), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_RING_SIZE), 0);
	assert_int_equal(mt_reg64(v.device, MVGPU_REG_PT_BASE), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_PT_ENTRIES), 0);
	assert_int_equal(mt_reg32(v.device, MVGPU_REG_STATUS), 0);
	/* the register reset leaves PCI config space alone */
	cmd = mt_cfg_read16(v.device, PCI_COMMAND);
	assert_int_equal(cmd, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/*
 * A buffer the caller cannot read (PROT_NONE) or write (PROT_READ): every
 * width of BAR0 and config space, and a long config access, is refused
 * with EFAULT and changes nothing.
 */
static void test_bad_user_buffers(void **state)
{
	static const size_t widths[] = { 1, 2, 4, 8, 16 };
	const uint64_t q = 0x0102030405060708ull;
	uint8_t *none, *ro;
	uint16_t cmd;
	unsigned int i;

	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(none != MAP_FAILED && ro != MAP_FAILED);
	assert_int_equal(mt_reg_write64(v.device, MVGPU_REG_SCRATCH, q), 0);
	cmd = mt_cfg_read16(v.device, PCI_COMMAND);

	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		size_t n = widths[i];

		if (n <= 8) {
			assert_int_equal(mt_region_write(v.device, 0,
							 MVGPU_REG_SCRATCH,
							 none, n), -EFAULT);
			assert_int_equal(mt_region_read(v.device, 0,
							MVGPU_REG_SCRATCH,
							none, n), -EFAULT);
			assert_int_equal(mt_region_read(v.device, 0,
							MVGPU_REG_SCRATCH,
							ro, n), -EFAULT);
		}
		assert_int_equal(mt_cfg_write(v.device, 0, none, n), -EFAULT);
		assert_int_equal(mt_cfg_read(v.device, 0, none, n), -EFAULT);
		assert_int_equal(mt_cfg_read(v.device, 0, ro, n), -EFAULT);
		assert_int_equal(mt_reg64(v.device, MVGPU_REG_SCRATCH), q);
		assert_int_equal(mt_cfg_read16(v.device, PCI_COMMAND), cmd);
	}
	munmap(none, 4096);
	munmap(ro, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_values, fresh),
		cmocka_unit_test_setup(test_widths, fresh),
		cmocka_unit_test_setup(test_refused_accesses, fresh),
		cmocka_unit_test_setup(test_register_validation, fresh),
		cmocka_unit_test_setup(test_reset_register, fresh),
		cmocka_unit_test_setup(test_bad_user_buffers, fresh),
	};

	return MT_RUN("bar0", tests, setup, teardown);
}
