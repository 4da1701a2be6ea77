// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI config space of a vGPU: IDs and class, BAR sizing for both BARs, the
 * capability walk, read-only fields unchanged after writes, writable
 * fields, bounds, and memory decoding gating BAR accesses.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/pci_regs.h>

#include "mvgpu_test.h"

static char uuid[MT_UUID_LEN];
static struct mt_vfio v = { -1, -1, -1, -1 };
static uint64_t vram_size;

static int setup(void **state)
{
	if (mt_create_new(0, 4, uuid))
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

static int reset_device(void **state)
{
	return ioctl(v.device, VFIO_DEVICE_RESET);
}

static void test_ids_and_class(void **state)
{
	uint8_t cfg[256];

	assert_int_equal(mt_cfg_read(v.device, 0, cfg, sizeof(cfg)), 0);
	assert_int_equal(cfg[PCI_VENDOR_ID] | cfg[PCI_VENDOR_ID + 1] << 8,
			 MVGPU_PCI_VENDOR_ID);
	assert_int_equal(cfg[PCI_DEVICE_ID] | cfg[PCI_DEVICE_ID + 1] << 8,
			 MVGPU_PCI_DEVICE_ID);
	assert_int_equal(cfg[PCI_REVISION_ID], MVGPU_PCI_REVISION);
	assert_int_equal(cfg[PCI_CLASS_PROG] | cfg[PCI_CLASS_DEVICE] << 8 |
			 cfg[PCI_CLASS_DEVICE + 1] << 16, 0x030200);
	assert_int_equal(cfg[PCI_HEADER_TYPE], 0);
	assert_int_equal(mt_cfg_read16(v.device, PCI_SUBSYSTEM_VENDOR_ID),
			 MVGPU_PCI_SUBSYS_VENDOR_ID);
	assert_int_equal(mt_cfg_read16(v.device, PCI_SUBSYSTEM_ID), 0x0104);
	assert_int_equal(cfg[PCI_INTERRUPT_PIN], 1);
	assert_int_equal(mt_cfg_read16(v.device, PCI_COMMAND), 0);
	assert_int_equal(mt_cfg_read16(v.device, PCI_STATUS),
			 PCI_STATUS_CAP_LIST);
}

static uint64_t size_bar(unsigned int bar, uint32_t *flags)
{
	uint32_t ones = 0xffffffff, lo, hi, saved_lo, saved_hi;
	uint32_t off = PCI_BASE_ADDRESS_0 + bar * 4;

	saved_lo = mt_cfg_read32(v.device, off);
	saved_hi = mt_cfg_read32(v.device, off + 4);
	assert_int_equal(mt_cfg_write(v.device, off, &ones, 4), 0);
	assert_int_equal(mt_cfg_write(v.device, off + 4, &ones, 4), 0);
	lo = mt_cfg_read32(v.device, off);
	hi = mt_cfg_read32(v.device, off + 4);
	*flags = lo & 0xf;
	assert_int_equal(mt_cfg_write(v.device, off, &saved_lo, 4), 0);
	assert_int_equal(mt_cfg_write(v.device, off + 4, &saved_hi, 4), 0);
	return ~(((uint64_t)hi << 32) | (lo & ~0xfu)) + 1;
}

static void test_bar_sizing(void **state)
{
	uint32_t flags, zero = 0, addr = 0xfe000000;
	unsigned int bar;

	assert_int_equal(size_bar(0, &flags), MVGPU_BAR0_SIZE);
	assert_int_equal(flags, PCI_BASE_ADDRESS_MEM_TYPE_64);
	assert_int_equal(size_bar(2, &flags), vram_size);
	assert_int_equal(flags, PCI_BASE_ADDRESS_MEM_TYPE_64 |
			 PCI_BASE_ADDRESS_MEM_PREFETCH);
	/* unused BARs and the ROM stay zero whatever is written */
	for (bar = 4; bar < 6; bar++) {
		uint32_t ones = 0xffffffff;

		assert_int_equal(mt_cfg_write(v.device, PCI_BASE_ADDRESS_0 + bar * 4,
					      &ones, 4), 0);
		assert_int_equal(mt_cfg_read32(v.device,
					       PCI_BASE_ADDRESS_0 + bar * 4), 0);
	}
	assert_int_equal(mt_cfg_write(v.device, PCI_ROM_ADDRESS, &addr, 4), 0);
	assert_int_equal(mt_cfg_read32(v.device, PCI_ROM_ADDRESS), 0);

	/* an address is kept, aligned to the size */
	assert_int_equal(mt_cfg_write(v.device, PCI_BASE_ADDRESS_0, &addr, 4), 0);
	assert_int_equal(mt_cfg_read32(v.device, PCI_BASE_ADDRESS_0),
			 addr | PCI_BASE_ADDRESS_MEM_TYPE_64);
	addr = 0xfe000123;
	assert_int_equal(mt_cfg_write(v.device, PCI_BASE_ADDRESS_0, &addr, 4), 0);
	assert_int_equal(mt_cfg_read32(v.device, PCI_BASE_ADDRESS_0),
			 0xfe000000 | PCI_BASE_ADDRESS_MEM_TYPE_64);
	assert_int_equal(mt_cfg_write(v.device, PCI_BASE_ADDRESS_0, &zero, 4), 0);
}

static void test_capability_walk(void **state)
{
	uint8_t cfg[256], pos, ids[8];
	unsigned int n = 0;

	assert_int_equal(mt_cfg_read(v.device, 0, cfg, sizeof(cfg)), 0);
	assert_true(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST);
	for (pos = cfg[PCI_CAPABILITY_LIST]; pos; pos = cfg[pos + 1]) {
		assert_true(pos >= 0x40 && pos < 0xfc && !(pos & 3));
		assert_true(n < 8);
		ids[n++] = cfg[pos];
	}
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], PCI_CAP_ID_PM);
	assert_int_equal(ids[1], PCI_CAP_ID_MSI);

	/* PM: version 3; MSI: 64-bit, one vector, disabled */
	assert_int_equal(mt_cfg_read16(v.device, MVGPU_CFG_PM_CAP + PCI_PM_PMC) &
			 PCI_PM_CAP_VER_MASK, 3);
	assert_int_equal(mt_cfg_read16(v.device, MVGPU_CFG_MSI_CAP + PCI_MSI_FLAGS),
			 PCI_MSI_FLAGS_64BIT);
}

static void test_read_only_fields_ignore_writes(void **state)
{
	uint8_t before[256], after[256], ones[256];
	static const struct { unsigned int off, len; } ro[] = {
		{ PCI_VENDOR_ID, 4 }, { PCI_STATUS, 2 }, { PCI_REVISION_ID, 4 },
		{ PCI_HEADER_TYPE, 2 }, { PCI_BASE_ADDRESS_4, 8 },
		{ PCI_CARDBUS_CIS, 8 }, { PCI_ROM_ADDRESS, 4 },
		{ PCI_CAPABILITY_LIST, 1 }, { PCI_INTERRUPT_PIN, 3 },
		{ MVGPU_CFG_PM_CAP, 4 }, { MVGPU_CFG_MSI_CAP, 2 },
		{ 0x60, 0xa0 },
	};
	unsigned int i;

	assert_int_equal(mt_cfg_read(v.device, 0, before, sizeof(before)), 0);
	memset(ones, 0xff, sizeof(ones));
	/* the whole space at once, then byte by byte */
	assert_int_equal(mt_cfg_write(v.device, 0, ones, sizeof(ones)), 0);
	for (i = 0; i < 256; i++)
		assert_int_equal(mt_cfg_write(v.device, i, ones, 1), 0);
	assert_int_equal(mt_cfg_read(v.device, 0, after, sizeof(after)), 0);
	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		if (memcmp(before + ro[i].off, after + ro[i].off, ro[i].len))
			fail_msg("read-only bytes at 0x%x changed", ro[i].off);
	/* the writable bits of the command register took the write */
	assert_int_equal(after[PCI_COMMAND] | after[PCI_COMMAND + 1] << 8,
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			 PCI_COMMAND_INTX_DISABLE);
	assert_int_equal(after[PCI_INTERRUPT_LINE], 0xff);
	assert_int_equal(after[MVGPU_CFG_PM_CAP + PCI_PM_CTRL] &
			 PCI_PM_CTRL_STATE_MASK, 3);
}

static void test_bounds(void **state)
{
	uint8_t buf[8] = { 0 };

	assert_int_equal(mt_cfg_read(v.device, 256, buf, 1), -EINVAL);
	assert_int_equal(mt_cfg_read(v.device, 252, buf, 8), -EINVAL);
	assert_int_equal(mt_cfg_write(v.device, 255, buf, 2), -EINVAL);
	assert_int_equal(mt_cfg_read(v.device, 255, buf, 1), 0);
	assert_int_equal(mt_region_read(v.device, VFIO_PCI_CONFIG_REGION_INDEX,
					1ull << 39, buf, 4), -EINVAL);
}

static void test_memory_decoding_gates_bars(void **state)
{
	uint32_t id = 0;
	uint8_t byte;
	uint16_t cmd = 0;

	assert_int_equal(mt_cfg_write(v.device, PCI_COMMAND, &cmd, 2), 0);
	assert_int_equal(mt_reg_read32(v.device, MVGPU_REG_ID, &id), -EIO);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_SW_INT, 1), -EIO);
	assert_int_equal(mt_region_read(v.device, MVGPU_VRAM_BAR_INDEX, 0,
					&byte, 1), -EIO);
	assert_int_equal(mt_enable(v.device), 0);
	assert_int_equal(mt_reg_read32(v.device, MVGPU_REG_ID, &id), 0);
	assert_int_equal(id, MVGPU_ID_MAGIC);
	assert_int_equal(mt_region_read(v.device, MVGPU_VRAM_BAR_INDEX, 0,
					&byte, 1), 0);
}

static void test_interrupt_status_bit(void **state)
{
	assert_int_equal(mt_enable(v.device), 0);
	assert_false(mt_cfg_read16(v.device, PCI_STATUS) & PCI_STATUS_INTERRUPT);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_MASK, 0), 0);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_SW_INT, 1), 0);
	assert_true(mt_cfg_read16(v.device, PCI_STATUS) & PCI_STATUS_INTERRUPT);
	/* status is read-only: writing ones does not clear it */
	assert_int_equal(mt_cfg_write16(v.device, PCI_STATUS, 0xffff), 0);
	assert_true(mt_cfg_read16(v.device, PCI_STATUS) & PCI_STATUS_INTERRUPT);
	assert_int_equal(mt_reg_write32(v.device, MVGPU_REG_INT_ACK,
					MVGPU_INT_SOFTWARE), 0);
	assert_false(mt_cfg_read16(v.device, PCI_STATUS) & PCI_STATUS_INTERRUPT);
}

static void test_reset_restores_config(void **state)
{
	uint8_t fresh[256], now[256];
	uint32_t addr = 0xe0000000;

	assert_int_equal(ioctl(v.device, VFIO_DEVICE_RESET), 0);
	assert_int_equal(mt_cfg_read(v.device, 0, fresh, sizeof(fresh)), 0);
	assert_int_equal(mt_enable(v.device), 0);
	assert_int_equal(mt_cfg_write(v.device, PCI_BASE_ADDRESS_2, &addr, 4), 0);
	assert_int_equal(mt_cfg_write16(v.device, MVGPU_CFG_MSI_CAP + PCI_MSI_FLAGS,
					1), 0);
	assert_int_equal(ioctl(v.device, VFIO_DEVICE_RESET), 0);
	assert_int_equal(mt_cfg_read(v.device, 0, now, sizeof(now)), 0);
	assert_memory_equal(fresh, now, sizeof(now));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ids_and_class, reset_device),
		cmocka_unit_test_setup(test_bar_sizing, reset_device),
		cmocka_unit_test_setup(test_capability_walk, reset_device),
		cmocka_unit_test_setup(test_read_only_fields_ignore_writes,
				       reset_device),
		cmocka_unit_test_setup(test_bounds, reset_device),
		cmocka_unit_test_setup(test_memory_decoding_gates_bars,
				       reset_device),
		cmocka_unit_test_setup(test_interrupt_status_bit, reset_device),
		cmocka_unit_test_setup(test_reset_restores_config, reset_device),
	};

	return MT_RUN("cfg_space", tests, setup, teardown);
}
