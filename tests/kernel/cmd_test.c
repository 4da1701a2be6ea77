// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every command kind checked bit for bit against a CPU reference, the
 * GPU page table, DMA inside and outside the client's IOMMU mappings, and
 * faults: each stops only this context at the faulting command, latches
 * status, address and ring offset, raises the fault interrupt, is counted
 * once under its kind in the vGPU's meter, and a reset recovers.  VRAM in
 * use rises by the granules written (pwrite, commands, DMA in, mmap) and
 * drops to 0 at close.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "mvgpu_test.h"

#define PAGE		4096ull
#define TIMEOUT_MS	60000
#define IOVA_BASE	0x100000000ull

static struct mt_dev d;
static struct mt_dev u;	/* test_vram_used's own vGPU */

static int setup(void **state)
{
	return mt_dev_open(&d, 0, 4);
}

static int teardown(void **state)
{
	if (u.uuid[0])		/* a failed test_vram_used left it open */
		mt_dev_close(&u);
	mt_dev_close(&d);
	mt_remove_all();
	return 0;
}

/* each test starts from a reset context with paging off */
static int fresh(void **state)
{
	uint64_t c;

	while (read(d.msi, &c, sizeof(c)) > 0)
		;
	return mt_dev_reset(&d) || mt_reg_write32(d.v.device, MVGPU_REG_INT_ACK,
						  MVGPU_INT_ALL);
}

static struct mvgpu_cmd cmd(uint32_t opcode)
{
	struct mvgpu_cmd c;

	memset(&c, 0, sizeof(c));
	c.opcode = opcode;
	return c;
}

static void run_ok(const struct mvgpu_cmd *cmds, unsigned int n)
{
	int ret = mt_dev_run(&d, cmds, n, TIMEOUT_MS);

	if (ret)
		fail_msg("commands failed (%d): fault 0x%x at 0x%llx", ret,
			 mt_reg32(d.v.device, MVGPU_REG_FAULT_STATUS),
			 (unsigned long long)mt_reg64(d.v.device,
						      MVGPU_REG_FAULT_ADDR));
}

static const char *const kinds[MVGPU_NUM_FAULT_CODES] = MVGPU_FAULT_KIND_NAMES;

/* the vGPU's faults by kind, from its meter: [0] is the total */
static void read_fault_meters(uint64_t v[MVGPU_NUM_FAULT_CODES])
{
	unsigned int c;

	assert_int_equal(mt_readf_u64(&v[0], MT_MDEV_DEVICES "/%s/%s/faults",
				      d.uuid, MVGPU_METER_DIR), 0);
	for (c = MVGPU_FAULT_UNMAPPED; c < MVGPU_NUM_FAULT_CODES; c++)
		if (mt_readf_u64(&v[c], MT_MDEV_DEVICES "/%s/%s/faults_%s",
				 d.uuid, MVGPU_METER_DIR, kinds[c]))
			fail_msg("cannot read meter faults_%s", kinds[c]);
}

/*
 * The fault was counted once, under its code and nowhere else.  The
 * scheduler counts it when the engine step returns, a moment after the
 * client sees the fault: wait up to 2 s for the count, then check it.
 */
static void check_fault_counted(const uint64_t before[MVGPU_NUM_FAULT_CODES],
				uint32_t code)
{
	uint64_t after[MVGPU_NUM_FAULT_CODES];
	unsigned int c, tries;

	for (tries = 0; tries < 200; tries++) {
		read_fault_meters(after);
		if (after[code] != before[code] && after[0] != before[0])
			break;
		usleep(10000);
	}
	for (c = 0; c < MVGPU_NUM_FAULT_CODES; c++) {
		uint64_t want = before[c] + (c == code || c == 0);

		if (after[c] != want)
			fail_msg("fault code %u: meter %s%s is %llu, expected %llu",
				 code, c ? "faults_" : "faults", c ? kinds[c] : "",
				 (unsigned long long)after[c],
				 (unsigned long long)want);
	}
}

/* submit, expect a fault with this status and address */
static void run_fault(const struct mvgpu_cmd *cmds, unsigned int n,
		      uint32_t status, uint64_t addr)
{
	uint32_t head_before = d.tail;
	uint64_t meters[MVGPU_NUM_FAULT_CODES];

	read_fault_meters(meters);
	assert_int_equal(mt_dev_run(&d, cmds, n, TIMEOUT_MS), -EIO);
	check_fault_counted(meters, status & MVGPU_FAULT_CODE_MASK);
	assert_int_equal(mt_reg32(d.v.device, MVGPU_REG_FAULT_STATUS), status);
	assert_int_equal(mt_reg64(d.v.device, MVGPU_REG_FAULT_ADDR), addr);
	assert_true(mt_reg32(d.v.device, MVGPU_REG_STATUS) & MVGPU_STATUS_FAULTED);
	assert_true(mt_reg32(d.v.device, MVGPU_REG_INT_STATUS) & MVGPU_INT_FAULT);
	assert_int_equal(mt_eventfd_wait(d.msi, 5000, NULL), 1);
	(void)head_before;
}

static void test_nop_and_fence(void **state)
{
	struct mvgpu_cmd c[4] = { cmd(MVGPU_OP_NOP), cmd(MVGPU_OP_FENCE),
				  cmd(MVGPU_OP_FENCE), cmd(MVGPU_OP_FENCE) };
	uint64_t *slot = (uint64_t *)(d.vram + MT_DATA_OFF);
	uint64_t before;

	assert_int_equal(mt_vgpu_stat(d.uuid, "commands", &before), 0);
	c[1].value = 0x1122334455667788ull;
	c[2].value = 0xdeadbeefcafef00dull;
	c[2].flags = MVGPU_CMD_F_WRITE_MEM;
	c[2].dst = MT_DATA_OFF;
	c[3].value = 42;
	c[3].flags = MVGPU_CMD_F_IRQ;
	*slot = 0;
	run_ok(c, 4);
	assert_int_equal(*slot, 0xdeadbeefcafef00dull);
	assert_int_equal(mt_reg64(d.v.device, MVGPU_REG_FENCE), 42);
	assert_int_equal(mt_eventfd_wait(d.msi, 5000, NULL), 1);
	assert_int_equal(mt_reg32(d.v.device, MVGPU_REG_INT_STATUS),
			 MVGPU_INT_FENCE);
	assert_int_equal(mt_reg32(d.v.device, MVGPU_REG_RING_HEAD), d.tail);
	assert_int_equal(mt_reg64(d.v.device, MVGPU_REG_CMDS_DONE) >= 4, 1);
	{
		uint64_t after;

		assert_int_equal(mt_vgpu_stat(d.uuid, "commands", &after), 0);
		assert_int_equal(after - before, 4);
	}
}

static void test_fill(void **state)
{
	static const struct { uint64_t off, size; } cases[] = {
		{ 0, 4 }, { 4, 8 }, { 4092, 8 }, { 12, 4096 * 3 + 20 },
		{ 0, 1 << 20 }, { 64, (5 << 20) + 4 }, { 100, 0 },
	};
	uint8_t *base = d.vram + MT_DATA_OFF;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mvgpu_cmd c = cmd(MVGPU_OP_FILL);
		uint64_t end = cases[i].off + cases[i].size, j;
		uint64_t bytes0, bytes1;

		memset(base, 0x11, end + 64);
		c.dst = MT_DATA_OFF + cases[i].off;
		c.size = cases[i].size;
		c.value = 0xa5b6c7d8 + i;
		assert_int_equal(mt_vgpu_stat(d.uuid, "bytes", &bytes0), 0);
		run_ok(&c, 1);
		assert_int_equal(mt_vgpu_stat(d.uuid, "bytes", &bytes1), 0);
		assert_int_equal(bytes1 - bytes0, cases[i].size);
		for (j = 0; j < cases[i].off; j++)
			assert_int_equal(base[j], 0x11);
		for (j = cases[i].off; j < end; j += 4)
			if (*(uint32_t *)(base + j) != 0xa5b6c7d8 + i)
				fail_msg("case %u: word at +0x%llx is 0x%x", i,
					 (unsigned long long)j,
					 *(uint32_t *)(base + j));
		for (j = end; j < end + 64; j++)
			assert_int_equal(base[j], 0x11);
	}
}

static void test_copy(void **state)
{
	static const struct { uint64_t dst, src, size; } cases[] = {
		{ 0x300000, 0, 1 }, { 0x300001, 3, 4099 },
		{ 0x301003, 0x17, 3 * 4096 + 1 }, { 0x400000, 0, 2 << 20 },
	};
	uint8_t *src = d.vram + MT_DATA_OFF;
	unsigned int i;
	uint64_t j;

	for (j = 0; j < (2 << 20) + 64; j++)
		src[j] = (uint8_t)(j * 7 + (j >> 11));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mvgpu_cmd c = cmd(MVGPU_OP_COPY);
		uint8_t *dst = d.vram + MT_DATA_OFF + cases[i].dst;

		memset(dst - 16, 0xee, cases[i].size + 32);
		c.dst = MT_DATA_OFF + cases[i].dst;
		c.src = MT_DATA_OFF + cases[i].src;
		c.size = cases[i].size;
		run_ok(&c, 1);
		assert_memory_equal(dst, src + cases[i].src, cases[i].size);
		for (j = 1; j <= 16; j++) {
			assert_int_equal(dst[-(long)j], 0xee);
			assert_int_equal(dst[cases[i].size + j - 1], 0xee);
		}
	}
}

static void gemm_case(uint32_t m, uint32_t n, uint32_t k, unsigned int seed)
{
	uint64_t a_off = MT_DATA_OFF, b_off, c_off;
	int32_t *a, *b, *c;
	struct mvgpu_cmd g = cmd(MVGPU_OP_GEMM_I32);
	uint32_t i, j, l;

	b_off = a_off + ((uint64_t)m * k * 4 + 4095) / 4096 * 4096;
	c_off = b_off + ((uint64_t)k * n * 4 + 4095) / 4096 * 4096;
	assert_true(c_off + (uint64_t)m * n * 4 <= d.vram_size);
	a = (int32_t *)(d.vram + a_off);
	b = (int32_t *)(d.vram + b_off);
	c = (int32_t *)(d.vram + c_off);
	srand(seed);
	for (i = 0; i < m * k; i++)
		a[i] = rand() - RAND_MAX / 2;	/* wide values: wrap-around */
	for (i = 0; i < k * n; i++)
		b[i] = rand() % 2001 - 1000;
	memset(c, 0x5a, (size_t)m * n * 4);

	g.dst = c_off;
	g.src = a_off;
	g.aux = b_off;
	g.m = m;
	g.n = n;
	g.k = k;
	run_ok(&g, 1);
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			uint32_t want = 0;

			for (l = 0; l < k; l++)
				want += (uint32_t)a[i * k + l] * (uint32_t)b[l * n + j];
			if ((uint32_t)c[i * n + j] != want)
				fail_msg("%ux%ux%u: C[%u][%u] = %d, want %d", m, n, k,
					 i, j, c[i * n + j], (int32_t)want);
		}
}

static void test_gemm_i32(void **state)
{
	gemm_case(1, 1, 1, 1);
	gemm_case(2, 3, 4, 2);
	gemm_case(17, 33, 9, 3);
	gemm_case(64, 64, 64, 4);
	gemm_case(3, 2048, 40, 5);	/* rows split across chunks */
	gemm_case(128, 96, 160, 6);
}

/* host memory mapped for the device with the IOMMU */
static uint8_t *map_dma(size_t size, uint64_t iova)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)p;
	map.iova = iova;
	map.size = size;
	assert_int_equal(ioctl(d.v.container, VFIO_IOMMU_MAP_DMA, &map), 0);
	return p;
}

static void unmap_dma(uint8_t *p, size_t size, uint64_t iova)
{
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };

	unmap.iova = iova;
	unmap.size = size;
	assert_int_equal(ioctl(d.v.container, VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
	munmap(p, size);
}

static void test_dma(void **state)
{
	const size_t size = 1 << 20;
	uint8_t *host = map_dma(size, IOVA_BASE);
	struct mvgpu_cmd c[2] = { cmd(MVGPU_OP_DMA_TO_HOST),
				  cmd(MVGPU_OP_DMA_FROM_HOST) };
	uint8_t *vram = d.vram + MT_DATA_OFF;
	size_t i;

	for (i = 0; i < size; i++)
		vram[i] = (uint8_t)(i * 13 + 5);
	memset(host, 0, size);
	c[0].dst = IOVA_BASE + 3;		/* unaligned on both sides */
	c[0].src = MT_DATA_OFF + 1;
	c[0].size = size - 100;
	run_ok(c, 1);
	assert_memory_equal(host + 3, vram + 1, size - 100);
	assert_int_equal(host[0] | host[1] | host[2], 0);

	for (i = 0; i < size; i++)
		host[i] = (uint8_t)(i * 31 + 7);
	c[1].dst = MT_DATA_OFF + 0x200000;
	c[1].src = IOVA_BASE;
	c[1].size = size;
	run_ok(&c[1], 1);
	assert_memory_equal(vram + 0x200000, host, size);
	unmap_dma(host, size, IOVA_BASE);
}

static void test_dma_outside_mapping_refused(void **state)
{
	const size_t size = 64 << 10;
	uint8_t *host = map_dma(size, IOVA_BASE);
	struct mvgpu_cmd c = cmd(MVGPU_OP_DMA_TO_HOST);
	uint16_t cmdreg = PCI_COMMAND_MEMORY;

	/* never mapped */
	c.dst = IOVA_BASE + (1ull << 30);
	c.src = MT_DATA_OFF;
	c.size = 4096;
	run_fault(&c, 1, MVGPU_FAULT_DMA | MVGPU_FAULT_WRITE, c.dst);
	assert_int_equal(mt_dev_reset(&d), 0);

	/* running off the end of the mapping */
	memset(host, 0, size);
	c = cmd(MVGPU_OP_DMA_FROM_HOST);
	c.dst = MT_DATA_OFF;
	c.src = IOVA_BASE + size - 4096;
	c.size = 8192;
	assert_int_equal(mt_dev_run(&d, &c, 1, TIMEOUT_MS), -EIO);
	assert_int_equal(mt_reg32(d.v.device, MVGPU_REG_FAULT_STATUS),
			 MVGPU_FAULT_DMA);
	assert_true(mt_reg64(d.v.device, MVGPU_REG_FAULT_ADDR) >= c.src);
	assert_true(mt_reg64(d.v.device, MVGPU_REG_FAULT_ADDR) < c.src + c.size);
	assert_int_equal(mt_dev_reset(&d), 0);

	/* after UNMAP_DMA the memory is out of reach */
	unmap_dma(host, size, IOVA_BASE);
	c = cmd(MVGPU_OP_DMA_TO_HOST);
	c.dst = IOVA_BASE;
	c.src = MT_DATA_OFF;
	c.size = 64;
	run_fault(&c, 1, MVGPU_FAULT_DMA | MVGPU_FAULT_WRITE, IOVA_BASE);
	assert_int_equal(mt_dev_reset(&d), 0);

	/* bus mastering off: no DMA at all */
	host = map_dma(size, IOVA_BASE);
	assert_int_equal(mt_cfg_write(d.v.device, PCI_COMMAND, &cmdreg, 2), 0);
	run_fault(&c, 1, MVGPU_FAULT_BUS_MASTER | MVGPU_FAULT_WRITE, IOVA_BASE);
	assert_int_equal(mt_enable(d.v.device), 0);
	unmap_dma(host, size, IOVA_BASE);
}

/* The client maps its own VRAM BAR mapping for DMA: the engine's DMA
 * then faults on that mapping while it runs the command. */
static void test_dma_through_own_vram_mapping(void **state)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	const uint64_t src_off = MT_DATA_OFF + 0x800000, size = 256 << 10;
	struct mvgpu_cmd c = cmd(MVGPU_OP_DMA_FROM_HOST);
	uint64_t i;

	for (i = 0; i < size; i++)
		d.vram[src_off + i] = (uint8_t)(i ^ (i >> 9));
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)(d.vram + src_off);
	map.iova = 2 * IOVA_BASE;
	map.size = size;
	assert_int_equal(ioctl(d.v.container, VFIO_IOMMU_MAP_DMA, &map), 0);
	c.dst = MT_DATA_OFF;
	c.src = 2 * IOVA_BASE;
	c.size = size;
	run_ok(&c, 1);
	assert_memory_equal(d.vram + MT_DATA_OFF, d.vram + src_off, size);
	unmap.iova = map.iova;
	unmap.size = size;
	assert_int_equal(ioctl(d.v.container, VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
}

#define PT_OFF		0x80000ull	/* 512 entries: VA 0..2 MiB */
#define PT_ENTRIES	512

static uint64_t *pt(void)
{
	return (uint64_t *)(d.vram + PT_OFF);
}

static void paging_on(void)
{
	assert_int_equal(mt_reg_write64(d.v.device, MVGPU_REG_PT_BASE, PT_OFF), 0);
	assert_int_equal(mt_reg_write32(d.v.device, MVGPU_REG_PT_ENTRIES,
					PT_ENTRIES), 0);
}

static void test_paging_translates(void **state)
{
	unsigned int i;
	uint32_t *phys;
	struct mvgpu_cmd c = cmd(MVGPU_OP_FILL);

	memset(pt(), 0, PT_ENTRIES * 8);
	/* the ring at VA 0x10000 is identity mapped; data pages reversed */
	for (i = 0; i < 16; i++)
		pt()[(MT_RING_OFF >> 12) + i] = (MT_RING_OFF + i * PAGE) |
						MVGPU_PTE_VALID | MVGPU_PTE_WRITE;
	for (i = 0; i < 8; i++)
		pt()[256 + i] = (0x200000 + (7 - i) * PAGE) | MVGPU_PTE_VALID |
				MVGPU_PTE_WRITE;
	memset(d.vram + 0x200000, 0, 8 * PAGE);
	paging_on();
	/* VA page 256 + i holds value i: lands in VRAM page 7 - i */
	for (i = 0; i < 8; i++) {
		c.dst = (256 + i) * PAGE;
		c.size = PAGE;
		c.value = 0x1000 + i;
		run_ok(&c, 1);
	}
	phys = (uint32_t *)(d.vram + 0x200000);
	for (i = 0; i < 8; i++) {
		assert_int_equal(phys[(7 - i) * PAGE / 4], 0x1000 + i);
		assert_int_equal(phys[(7 - i) * PAGE / 4 + 1023], 0x1000 + i);
	}
	assert_true(mt_reg32(d.v.device, MVGPU_REG_STATUS) & MVGPU_STATUS_PAGING);
}

static void test_paging_faults(void **state)
{
	unsigned int i;
	struct mvgpu_cmd c = cmd(MVGPU_OP_FILL);

	memset(pt(), 0, PT_ENTRIES * 8);
	for (i = 0; i < 16; i++)
		pt()[(MT_RING_OFF >> 12) + i] = (MT_RING_OFF + i * PAGE) |
						MVGPU_PTE_VALID | MVGPU_PTE_WRITE;
	pt()[300] = 0x200000 | MVGPU_PTE_VALID;			/* read-only */
	pt()[301] = 0x201000 | MVGPU_PTE_VALID | MVGPU_PTE_WRITE;
	pt()[302] = d.vram_size | MVGPU_PTE_VALID | MVGPU_PTE_WRITE;	/* past VRAM */
	paging_on();

	c.dst = 0;			/* VA 0 is not mapped */
	c.size = 4;
	run_fault(&c, 1, MVGPU_FAULT_UNMAPPED | MVGPU_FAULT_WRITE, 0);
	assert_int_equal(mt_dev_reset(&d), 0);
	paging_on();

	c.dst = 300 * PAGE + 8;		/* write through a read-only PTE */
	run_fault(&c, 1, MVGPU_FAULT_READ_ONLY | MVGPU_FAULT_WRITE, 300 * PAGE + 8);
	assert_int_equal(mt_dev_reset(&d), 0);
	paging_on();

	/* reading through it is fine */
	*(uint32_t *)(d.vram + 0x200000) = 0xfeedface;
	c = cmd(MVGPU_OP_COPY);
	c.dst = 301 * PAGE;
	c.src = 300 * PAGE;
	c.size = 4;
	run_ok(&c, 1);
	assert_int_equal(*(uint32_t *)(d.vram + 0x201000), 0xfeedface);

	c = cmd(MVGPU_OP_FILL);
	c.dst = 302 * PAGE;		/* PTE points past the VRAM */
	c.size = 4;
	run_fault(&c, 1, MVGPU_FAULT_OUT_OF_RANGE | MVGPU_FAULT_WRITE, 302 * PAGE);
	assert_int_equal(mt_dev_reset(&d), 0);
	paging_on();

	c.dst = PT_ENTRIES * PAGE;	/* past the page table */
	run_fault(&c, 1, MVGPU_FAULT_OUT_OF_RANGE | MVGPU_FAULT_WRITE,
		  PT_ENTRIES * PAGE);
}

static void test_fault_stops_the_ring(void **state)
{
	struct mvgpu_cmd c[3] = { cmd(MVGPU_OP_FILL), cmd(MVGPU_OP_FILL),
				  cmd(MVGPU_OP_FILL) };
	uint32_t *first = (uint32_t *)(d.vram + MT_DATA_OFF);
	uint32_t *third = (uint32_t *)(d.vram + MT_DATA_OFF + PAGE);
	uint32_t start = d.tail;

	*first = 0;
	*third = 0;
	c[0].dst = MT_DATA_OFF;
	c[0].size = 4;
	c[0].value = 1;
	c[1].dst = d.vram_size - 4;
	c[1].size = 8;				/* runs off the end */
	c[2].dst = MT_DATA_OFF + PAGE;
	c[2].size = 4;
	c[2].value = 3;
	run_fault(c, 3, MVGPU_FAULT_OUT_OF_RANGE | MVGPU_FAULT_WRITE,
		  d.vram_size);
	assert_int_equal(*first, 1);
	assert_int_equal(*third, 0);
	/* head sits on the faulting command */
	assert_int_equal(mt_reg32(d.v.device, MVGPU_REG_RING_HEAD), start + 64);
	assert_int_equal(mt_reg32(d.v.device, MVGPU_REG_FAULT_HEAD), start + 64);
	/* refused before it wrote: the in-range part is untouched */
	assert_int_equal(*(uint32_t *)(d.vram + d.vram_size - 4), 0);
	/* a doorbell is taken but nothing runs until reset */
	assert_int_equal(mt_reg_write32(d.v.device, MVGPU_REG_RING_TAIL,
					d.tail), 0);
	usleep(100 * 1000);
	assert_int_equal(*third, 0);
	assert_int_equal(mt_dev_reset(&d), 0);
	assert_int_equal(mt_reg32(d.v.device, MVGPU_REG_STATUS),
			 MVGPU_STATUS_RING_ENABLED);
	run_ok(&c[2], 1);
	assert_int_equal(*third, 3);
}

static void test_bad_commands(void **state)
{
	struct mvgpu_cmd c;
	uint64_t ring_va;

	c = cmd(0x77);
	ring_va = MT_RING_OFF + d.tail;
	run_fault(&c, 1, MVGPU_FAULT_BAD_OPCODE, ring_va);
	assert_int_equal(mt_dev_reset(&d), 0);

	/* FILL with an unaligned size, reserved set, flags on a non-fence */
	c = cmd(MVGPU_OP_FILL);
	c.dst = MT_DATA_OFF;
	c.size = 6;
	run_fault(&c, 1, MVGPU_FAULT_BAD_COMMAND, MT_RING_OFF + d.tail);
	assert_int_equal(mt_dev_reset(&d), 0);
	c.size = 8;
	c.reserved = 1;
	run_fault(&c, 1, MVGPU_FAULT_BAD_COMMAND, MT_RING_OFF + d.tail);
	assert_int_equal(mt_dev_reset(&d), 0);
	c.reserved = 0;
	c.flags = MVGPU_CMD_F_IRQ;
	run_fault(&c, 1, MVGPU_FAULT_BAD_COMMAND, MT_RING_OFF + d.tail);
	assert_int_equal(mt_dev_reset(&d), 0);

	/* sizes beyond any bound and dimensions out of range */
	c = cmd(MVGPU_OP_COPY);
	c.size = (1ull << 32) + 4;
	run_fault(&c, 1, MVGPU_FAULT_BAD_COMMAND, MT_RING_OFF + d.tail);
	assert_int_equal(mt_dev_reset(&d), 0);
	c = cmd(MVGPU_OP_GEMM_I32);
	c.m = 1;
	c.n = MVGPU_GEMM_MAX_DIM + 1;
	c.k = 1;
	run_fault(&c, 1, MVGPU_FAULT_BAD_COMMAND, MT_RING_OFF + d.tail);
	assert_int_equal(mt_dev_reset(&d), 0);
	c.n = 0;
	run_fault(&c, 1, MVGPU_FAULT_BAD_COMMAND, MT_RING_OFF + d.tail);
	assert_int_equal(mt_dev_reset(&d), 0);
	/* a FENCE that writes to an unaligned address */
	c = cmd(MVGPU_OP_FENCE);
	c.flags = MVGPU_CMD_F_WRITE_MEM;
	c.dst = MT_DATA_OFF + 4;
	run_fault(&c, 1, MVGPU_FAULT_BAD_COMMAND, MT_RING_OFF + d.tail);
	assert_int_equal(mt_dev_reset(&d), 0);
	/* a 4 GiB fill on a 64 MiB vGPU is refused, not run */
	c = cmd(MVGPU_OP_FILL);
	c.dst = MT_DATA_OFF;
	c.size = 1ull << 32;
	run_fault(&c, 1, MVGPU_FAULT_OUT_OF_RANGE | MVGPU_FAULT_WRITE,
		  d.vram_size);
}

/* many more commands than the ring holds: head and tail wrap */
static uint64_t vram_used(const char *uuid)
{
	uint64_t v;

	assert_int_equal(mt_readf_u64(&v, MT_MDEV_DEVICES "/%s/%s/%s", uuid,
				      MVGPU_VGPU_ATTR_DIR, MVGPU_ATTR_VRAM_USED),
			 0);
	return v;
}

#define GRANULE	((uint64_t)MVGPU_VRAM_USE_GRANULE)

/* used rose by exactly n granules since *last; *last moves on */
static void expect_used(const char *uuid, uint64_t *last, unsigned int n,
			const char *what)
{
	uint64_t now = vram_used(uuid);

	if (now != *last + n * GRANULE)
		fail_msg("%s: vram_used went from %llu to %llu, expected +%u granules of %llu",
			 what, (unsigned long long)*last,
			 (unsigned long long)now, n,
			 (unsigned long long)GRANULE);
	*last = now;
}

/*
 * The block a VRAM fault maps around the faulting user address, inside
 * the VMA (kmod/mvgpu_vram.c): the 2 MiB one page-table page covers when
 * VRAM is ordinary RAM (the software GPU), MVGPU_VRAM_FAULT_AROUND (32)
 * pages when it is I/O memory (a PCI GPU's BAR).
 */
static uintptr_t fault_block(void)
{
	char path[512], name[32] = "";
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), MT_CLASS "/%s/" MVGPU_ATTR_BACKEND,
		 mt_gpu_name(0));
	f = fopen(path, "r");
	if (f) {
		ok = fgets(name, sizeof(name), f) != NULL;
		fclose(f);
	}
	if (!ok)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	return strncmp(name, "software", 8) ? 32 * PAGE : 512 * PAGE;
}

/* Granules a first write at VRAM offset off through the mapping marks */
static unsigned int mmap_granules(uint64_t off)
{
	const uintptr_t block = fault_block();
	uintptr_t addr = (uintptr_t)u.vram + off;
	uintptr_t start = addr & ~(block - 1), end = start + block;
	uintptr_t lo = (uintptr_t)u.vram, hi = lo + u.vram_size;

	if (start < lo)
		start = lo;
	if (end > hi)
		end = hi;
	return (unsigned int)((end - 1 - lo) / GRANULE - (start - lo) / GRANULE + 1);
}

/*
 * VRAM in use on a vGPU of its own: each kind of write marks the
 * granules it reaches, once; the GPU's total follows; close scrubs it to 0.
 */
static void test_vram_used(void **state)
{
	struct mvgpu_cmd c = cmd(MVGPU_OP_FILL);
	uint64_t last, gpu_used, scrubs0, scrubs1, base = 4 << 20;
	uint8_t b[2] = { 1, 2 };

	struct mvgpu_cmd nop = cmd(MVGPU_OP_NOP);

	assert_int_equal(mt_dev_open(&u, 0, 4), 0);
	assert_true(u.vram_size >= base + 40 * GRANULE);
	assert_true(u.vram_size / 2 >= base + 40 * GRANULE + (2 << 20));
	/* the ring, written through the mapping: one fault-around block */
	assert_int_equal(mt_dev_run(&u, &nop, 1, TIMEOUT_MS), 0);
	last = 0;
	expect_used(u.uuid, &last, mmap_granules(MT_RING_OFF),
		    "a NOP written to the ring through the mapping");

	/* region writes: a byte marks its granule; a write over an edge two */
	assert_int_equal(mt_region_write(u.v.device, MVGPU_VRAM_BAR_INDEX,
					 base + 5, b, 1), 0);
	expect_used(u.uuid, &last, 1, "pwrite of 1 byte");
	assert_int_equal(mt_region_write(u.v.device, MVGPU_VRAM_BAR_INDEX,
					 base + 5, b, 1), 0);
	expect_used(u.uuid, &last, 0, "pwrite to the same granule");
	assert_int_equal(mt_region_write(u.v.device, MVGPU_VRAM_BAR_INDEX,
					 base + 3 * GRANULE - 1, b, 2), 0);
	expect_used(u.uuid, &last, 2, "pwrite across a granule edge");

	/* engine writes: a fill of 5 granules and a byte, then again */
	c.dst = base + 8 * GRANULE;
	c.size = 5 * GRANULE + 4;
	c.value = 0x5a5a5a5a;
	assert_int_equal(mt_dev_run(&u, &c, 1, TIMEOUT_MS), 0);
	expect_used(u.uuid, &last, 6, "fill of 5 granules + 4 bytes");
	assert_int_equal(mt_dev_run(&u, &c, 1, TIMEOUT_MS), 0);
	expect_used(u.uuid, &last, 0, "the same fill again");

	/* DMA: from host memory into VRAM marks, to host memory does not */
	{
		struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
		struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
		struct mvgpu_cmd dma[2] = { cmd(MVGPU_OP_DMA_FROM_HOST),
					    cmd(MVGPU_OP_DMA_TO_HOST) };
		size_t size = 2 * GRANULE;
		uint8_t *host = mmap(NULL, size, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		assert_true(host != MAP_FAILED);
		memset(host, 0x3c, size);
		map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
		map.vaddr = (uintptr_t)host;
		map.iova = IOVA_BASE;
		map.size = size;
		assert_int_equal(ioctl(u.v.container, VFIO_IOMMU_MAP_DMA, &map), 0);
		dma[0].dst = base + 20 * GRANULE;
		dma[0].src = IOVA_BASE;
		dma[0].size = size;
		assert_int_equal(mt_dev_run(&u, &dma[0], 1, TIMEOUT_MS), 0);
		expect_used(u.uuid, &last, 2, "DMA of 2 granules into VRAM");
		dma[1].dst = IOVA_BASE;
		dma[1].src = base + 24 * GRANULE;
		dma[1].size = size;
		assert_int_equal(mt_dev_run(&u, &dma[1], 1, TIMEOUT_MS), 0);
		expect_used(u.uuid, &last, 0, "DMA out of VRAM (a read)");
		unmap.iova = IOVA_BASE;
		unmap.size = size;
		assert_int_equal(ioctl(u.v.container, VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
		munmap(host, size);
	}

	/*
	 * a write through the mapping: the fault maps a block (up to 2 MiB),
	 * in the middle of VRAM, away from every granule marked so far
	 */
	u.vram[u.vram_size / 2 + 7] = 1;
	expect_used(u.uuid, &last, mmap_granules(u.vram_size / 2 + 7),
		    "first touch through mmap");

	assert_int_equal(mt_readf_u64(&gpu_used, MT_CLASS "/%s/%s",
				      mt_gpu_name(0), MVGPU_ATTR_GPU_VRAM_USED),
			 0);
	if (gpu_used < last)
		fail_msg("GPU vram_used %llu is less than one vGPU's %llu",
			 (unsigned long long)gpu_used,
			 (unsigned long long)last);

	/* close: scrubbed, nothing in use; the vGPU stays */
	assert_int_equal(mt_readf_u64(&scrubs0, MT_MDEV_DEVICES "/%s/mvgpu/%s",
				      u.uuid, MVGPU_ATTR_SCRUBS), 0);
	munmap(u.vram, u.vram_size);
	u.vram = NULL;
	close(u.msi);
	u.msi = -1;
	mt_vfio_close(&u.v);
	assert_int_equal(mt_readf_u64(&scrubs1, MT_MDEV_DEVICES "/%s/mvgpu/%s",
				      u.uuid, MVGPU_ATTR_SCRUBS), 0);
	assert_int_equal(scrubs1, scrubs0 + 1);
	last = 0;
	expect_used(u.uuid, &last, 0, "after close");
	mt_dev_close(&u);
}

static void test_ring_wraps(void **state)
{
	struct mvgpu_cmd batch[100];
	uint64_t *counter = (uint64_t *)(d.vram + MT_DATA_OFF);
	unsigned int i, round;

	for (round = 0; round < 30; round++) {
		for (i = 0; i < 100; i++) {
			batch[i] = cmd(MVGPU_OP_FENCE);
			batch[i].flags = MVGPU_CMD_F_WRITE_MEM;
			batch[i].dst = MT_DATA_OFF;
			batch[i].value = round * 100 + i + 1;
		}
		run_ok(batch, 100);
		assert_int_equal(*counter, round * 100 + 100);
	}
	assert_int_equal(mt_reg64(d.v.device, MVGPU_REG_FENCE), 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_nop_and_fence, fresh),
		cmocka_unit_test_setup(test_fill, fresh),
		cmocka_unit_test_setup(test_copy, fresh),
		cmocka_unit_test_setup(test_gemm_i32, fresh),
		cmocka_unit_test_setup(test_dma, fresh),
		cmocka_unit_test_setup(test_dma_outside_mapping_refused, fresh),
		cmocka_unit_test_setup(test_dma_through_own_vram_mapping, fresh),
		cmocka_unit_test_setup(test_paging_translates, fresh),
		cmocka_unit_test_setup(test_paging_faults, fresh),
		cmocka_unit_test_setup(test_fault_stops_the_ring, fresh),
		cmocka_unit_test_setup(test_bad_commands, fresh),
		cmocka_unit_test_setup(test_ring_wraps, fresh),
		cmocka_unit_test_setup(test_vram_used, fresh),
	};

	return MT_RUN("cmd", tests, setup, teardown);
}
