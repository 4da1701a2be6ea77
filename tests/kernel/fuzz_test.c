// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bounded, seeded, reproducible fuzzing of one vGPU's client interface:
 * thousands of random region reads and writes, ioctls with random
 * arguments, SET_IRQS with random headers and eventfds, BAR0 register
 * writes (which also feed the engine random rings and commands, whose DMA
 * reaches client memory mapped at IOVA 0), and mmap calls whose pages are
 * touched.  Afterwards the vGPU must still work exactly as documented, and
 * the harness checks that the kernel log shows no warning.
 *
 * MVGPU_FUZZ_SEED and MVGPU_FUZZ_ITERATIONS override the defaults.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "mvgpu_test.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: small, seedable, identical everywhere */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* offsets near the interesting edges, or anywhere */
static uint64_t rnd_offset(uint64_t size)
{
	switch (rnd_below(6)) {
	case 0:
		return rnd_below(size + 64);
	case 1:
		return size - rnd_below(16);
	case 2:
		return rnd();
	case 3:
		return rnd_below(0x100) & ~3ull;
	default:
		return rnd_below(size);
	}
}

static size_t rnd_len(void)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 64, 255,
				       256, 4096, 4097, 65536 };

	return lens[rnd_below(sizeof(lens) / sizeof(lens[0]))];
}

/*
 * Touch a VRAM mapping: a read and a write per page.  With memory decoding
 * off the fault handler refuses with SIGBUS, which is caught here.
 */
static sigjmp_buf touch_env;
static volatile unsigned long touches, sigbuses;

static void on_sigbus(int sig)
{
	siglongjmp(touch_env, 1);
}

static void touch_pages(volatile uint8_t *p, size_t size)
{
	volatile size_t off;

	for (off = 0; off < size; off += 4096) {
		if (sigsetjmp(touch_env, 1)) {
			sigbuses++;
			continue;
		}
		p[off + rnd_below(4096)] = rnd();
		(void)p[off + rnd_below(4096)];
		touches++;
	}
}

/* client memory at IOVA 0, where the random DMA commands mostly point */
#define FUZZ_DMA_SIZE	(2u << 20)

static void *map_dma_memory(int container)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	void *m = mmap(NULL, FUZZ_DMA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(m != MAP_FAILED);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)m;
	map.iova = 0;
	map.size = FUZZ_DMA_SIZE;
	assert_int_equal(ioctl(container, VFIO_IOMMU_MAP_DMA, &map), 0);
	return m;
}

static const unsigned long ioctls[] = {
	VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_REGION_INFO,
	VFIO_DEVICE_GET_IRQ_INFO, VFIO_DEVICE_SET_IRQS, VFIO_DEVICE_RESET,
	VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, VFIO_DEVICE_FEATURE,
	_IO(VFIO_TYPE, VFIO_BASE + 40), 0xdeadbeef,
};

struct fuzz_counts {
	unsigned int ok, refused;
};

static void count(struct fuzz_counts *c, long ret)
{
	if (ret < 0)
		c->refused++;
	else
		c->ok++;
}

static void fuzz_one(struct mt_vfio *v, uint64_t vram_size, int *efds,
		     uint8_t *buf, struct fuzz_counts *c)
{
	static const uint64_t region_size[] = { MVGPU_BAR0_SIZE, 0, 0, 0, 0, 0,
						0, 256, 0 };
	unsigned int index, action;
	uint64_t off;
	size_t len;
	long ret;

	switch (rnd_below(11)) {
	case 0:	/* region read anywhere */
	case 1:	/* region write anywhere */
		index = rnd_below(12);
		off = rnd_offset(index == 2 ? vram_size :
				 index < 9 ? region_size[index] : 0);
		len = rnd_len();
		for (size_t i = 0; i < len; i++)
			buf[i] = rnd();
		if (rnd_below(2))
			ret = pread(v->device, buf, len,
				    MT_REGION(index) + (off & ((1ull << 40) - 1)));
		else
			ret = pwrite(v->device, buf, len,
				     MT_REGION(index) + (off & ((1ull << 40) - 1)));
		count(c, ret);
		break;
	case 2:	/* BAR0 register writes, which also drive the engine */
	case 3: {
		static const uint32_t regs[] = {
			MVGPU_REG_INT_MASK, MVGPU_REG_INT_ACK, MVGPU_REG_SW_INT,
			MVGPU_REG_SCRATCH, MVGPU_REG_PT_BASE,
			MVGPU_REG_PT_ENTRIES, MVGPU_REG_RING_BASE,
			MVGPU_REG_RING_SIZE, MVGPU_REG_RING_TAIL,
			MVGPU_REG_RESET, MVGPU_REG_FENCE,
		};
		uint64_t val = rnd_below(4) ? rnd_below(0x20000) & ~63ull : rnd();
		uint32_t reg = regs[rnd_below(sizeof(regs) / sizeof(regs[0]))];

		if (reg == MVGPU_REG_RING_SIZE && rnd_below(2))
			val = 4096 << rnd_below(9);
		if (reg == MVGPU_REG_RESET && rnd_below(4))
			val = MVGPU_RESET_MAGIC;
		ret = pwrite(v->device, &val, rnd_below(2) ? 4 : 8,
			     MT_REGION(0) + reg);
		count(c, ret);
		break;
	}
	case 4: {	/* random commands into the start of VRAM */
		uint64_t words[8];

		for (unsigned int i = 0; i < 8; i++)
			words[i] = rnd_below(3) ? rnd_below(1 << 20) : rnd();
		words[0] = rnd_below(9) | (rnd_below(8) ? 0 : rnd() << 32);
		ret = pwrite(v->device, words, sizeof(words),
			     MT_REGION(2) + (rnd_below(0x20000) & ~63ull));
		count(c, ret);
		break;
	}
	case 5: {	/* config space */
		uint32_t val = rnd();

		off = rnd_below(300);
		len = 1 << rnd_below(3);
		if (rnd_below(3) == 0) {	/* keep decoding on most of the time */
			off = PCI_COMMAND;
			len = 2;
		}
		ret = pwrite(v->device, &val, len,
			     MT_REGION(VFIO_PCI_CONFIG_REGION_INDEX) + off);
		count(c, ret);
		if (rnd_below(2))
			mt_enable(v->device);
		break;
	}
	case 6: {	/* SET_IRQS with random headers */
		uint8_t raw[64];
		struct vfio_irq_set *set = (void *)raw;
		int32_t *fds = (int32_t *)set->data;

		set->argsz = rnd_below(4) ? sizeof(raw) : rnd_below(80);
		set->index = rnd_below(7);
		set->start = rnd_below(4) ? 0 : rnd_below(3);
		set->count = rnd_below(4) ? rnd_below(3) : rnd();
		/* MASK, UNMASK or TRIGGER: the last one enables interrupts */
		action = VFIO_IRQ_SET_ACTION_MASK << rnd_below(3);
		set->flags = (1u << rnd_below(3)) | action;
		if (!rnd_below(8))
			set->flags = rnd();
		for (unsigned int i = 0; i < 4; i++)
			fds[i] = rnd_below(4) ? efds[rnd_below(3)] :
				 (int32_t)rnd_below(40) - 2;
		ret = ioctl(v->device, VFIO_DEVICE_SET_IRQS, set);
		count(c, ret);
		break;
	}
	case 7: {	/* other ioctls with random argument blocks */
		uint32_t arg[32];

		for (unsigned int i = 0; i < 32; i++)
			arg[i] = rnd_below(2) ? rnd_below(16) : rnd();
		arg[0] = rnd_below(3) ? rnd_below(64) : rnd();	/* argsz */
		ret = ioctl(v->device, ioctls[rnd_below(sizeof(ioctls) /
						       sizeof(ioctls[0]))], arg);
		count(c, ret);
		break;
	}
	case 8: {	/* mmap with random offsets, sizes and flags */
		int flags = rnd_below(4) ? MAP_SHARED : MAP_PRIVATE;
		size_t size = 4096 * (1 + rnd_below(4));
		void *p;

		off = rnd_offset(vram_size) & ~4095ull;
		index = rnd_below(4) ? 2 : rnd_below(10);
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, v->device,
			 MT_REGION(index) + (off & ((1ull << 40) - 1)));
		count(c, p == MAP_FAILED ? -1 : 0);
		if (p != MAP_FAILED) {
			touch_pages(p, size);
			munmap(p, size);
		}
		break;
	}
	case 9: {	/* migration states, and whatever comes over the data fd */
		uint8_t raw[sizeof(struct vfio_device_feature) +
			    sizeof(struct vfio_device_feature_mig_state)];
		struct vfio_device_feature *f = (void *)raw;
		struct vfio_device_feature_mig_state *mig = (void *)f->data;

		if (rnd_below(2))
			goto doorbell;
		memset(raw, 0, sizeof(raw));
		f->argsz = rnd_below(8) ? sizeof(raw) : rnd_below(40);
		f->flags = VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE |
			   (rnd_below(4) ? VFIO_DEVICE_FEATURE_SET :
					   VFIO_DEVICE_FEATURE_GET);
		mig->device_state = rnd_below(8);
		ret = ioctl(v->device, VFIO_DEVICE_FEATURE, f);
		count(c, ret);
		if (!ret && (f->flags & VFIO_DEVICE_FEATURE_SET) &&
		    mig->data_fd >= 0) {
			len = rnd_len();
			for (size_t i = 0; i < len; i++)
				buf[i] = rnd();
			count(c, rnd_below(2) ? read(mig->data_fd, buf, len) :
						write(mig->data_fd, buf, len));
			close(mig->data_fd);
		}
		break;
	}
	default:	/* a doorbell on whatever ring is there */
doorbell: {
		uint32_t tail = rnd_below(64) * 64;

		ret = pwrite(v->device, &tail, 4, MT_REGION(0) + MVGPU_REG_RING_TAIL);
		count(c, ret);
	}
	}
}

static void expect_device_works(const char *uuid, struct mt_vfio *v)
{
	struct mt_dev d;
	struct mvgpu_cmd cmds[2] = {
		{ .opcode = MVGPU_OP_FILL, .dst = MT_DATA_OFF, .size = 8192,
		  .value = 0x600df00d },
		{ .opcode = MVGPU_OP_FENCE, .value = 7, .flags = MVGPU_CMD_F_IRQ },
	};
	uint32_t *p;
	unsigned int i;

	assert_int_equal(mt_disable_irq(v->device, VFIO_PCI_INTX_IRQ_INDEX) |
			 mt_disable_irq(v->device, VFIO_PCI_MSI_IRQ_INDEX), 0);
	assert_int_equal(ioctl(v->device, VFIO_DEVICE_RESET), 0);
	assert_int_equal(mt_cfg_read16(v->device, PCI_VENDOR_ID),
			 MVGPU_PCI_VENDOR_ID);
	assert_int_equal(mt_cfg_read32(v->device, PCI_CLASS_REVISION) >> 8,
			 MVGPU_PCI_CLASS_CODE);
	mt_vfio_close(v);

	memset(&d, 0, sizeof(d));
	strcpy(d.uuid, uuid);
	assert_int_equal(mt_dev_attach(&d), 0);
	assert_int_equal(mt_reg32(d.v.device, MVGPU_REG_ID), MVGPU_ID_MAGIC);
	assert_int_equal(mt_reg32(d.v.device, MVGPU_REG_STATUS),
			 MVGPU_STATUS_RING_ENABLED);
	assert_int_equal(mt_dev_run(&d, cmds, 2, 20000), 0);
	assert_int_equal(mt_reg64(d.v.device, MVGPU_REG_FENCE), 7);
	assert_int_equal(mt_eventfd_wait(d.msi, 5000, NULL), 1);
	p = (uint32_t *)(d.vram + MT_DATA_OFF);
	for (i = 0; i < 8192 / 4; i++)
		assert_int_equal(p[i], 0x600df00d);
	mt_dev_close(&d);	/* removes the vGPU */
}

static void test_fuzz_client_interface(void **state)
{
	const char *seed_env = getenv("MVGPU_FUZZ_SEED");
	const char *iter_env = getenv("MVGPU_FUZZ_ITERATIONS");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 20261121;
	unsigned long iterations = iter_env ? strtoul(iter_env, NULL, 0) : 20000;
	struct fuzz_counts c = { 0 };
	char uuid[MT_UUID_LEN];
	struct mt_vfio v;
	uint64_t vram_size = 0;
	uint8_t *buf = malloc(65536);
	void *dma_mem;
	int efds[3];
	unsigned long i;

	rng_state = seed ? seed : 1;
	print_message("fuzz seed %llu, %lu iterations\n",
		      (unsigned long long)seed, iterations);
	for (i = 0; i < 3; i++)
		efds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_int_equal(mt_create_new(0, 4, uuid), 0);
	assert_int_equal(mt_vfio_open(uuid, &v), 0);
	assert_int_equal(mt_enable(v.device), 0);
	assert_int_equal(mt_reg_read64(v.device, MVGPU_REG_VRAM_SIZE, &vram_size), 0);
	dma_mem = map_dma_memory(v.container);
	signal(SIGBUS, on_sigbus);

	for (i = 0; i < iterations; i++)
		fuzz_one(&v, vram_size, efds, buf, &c);
	print_message("%u calls accepted, %u refused\n", c.ok, c.refused);
	print_message("%lu mapped pages touched, %lu refused with SIGBUS\n",
		      touches, sigbuses);
	assert_true(touches > 0);
	/* both kinds happened, or the fuzzer is not reaching the checks */
	assert_true(c.ok > iterations / 10);
	assert_true(c.refused > iterations / 10);

	expect_device_works(uuid, &v);
	munmap(dma_mem, FUZZ_DMA_SIZE);
	for (i = 0; i < 3; i++)
		close(efds[i]);
	free(buf);
}

static int cleanup(void **state)
{
	mt_remove_all();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fuzz_client_interface, cleanup),
	};

	return MT_RUN("fuzz", tests, NULL, NULL);
}
