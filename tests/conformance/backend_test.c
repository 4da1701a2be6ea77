// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backend conformance: what every mvgpu backend must do, checked through
 * the vGPUs of one of its GPUs, whatever the hardware behind it.
 *
 *   build/tests/backend_test PARENT [PARENT2]
 *                       (or MVGPU_TEST_PARENT=PARENT MVGPU_TEST_PARENT2=...)
 *
 * PARENT is the GPU's mdev parent device: mvgpuN for a software GPU, the
 * PCI address for a PCI backend's (see docs/backend.md).  The GPU must have
 * no vGPUs when it starts; it leaves none.
 *
 *   caps       the GPU's sysfs attributes, its types and a vGPU's BAR0 ID
 *              registers and VFIO regions agree with each other
 *   zero       a new vGPU's VRAM reads zero, also where a removed vGPU
 *              wrote just before
 *   isolation  two vGPUs: what one writes (CPU, engine) the other never
 *              sees; an engine access past a vGPU's VRAM faults and
 *              touches nobody
 *   scrub      VRAM reads zero after the last user closes, and the
 *              vGPU's scrubs counter says so
 *   reset      a fault stops the context; RESET clears it, keeps VRAM, and
 *              the ring runs again
 *   workloads  FILL, COPY, GEMM, DMA both ways and FENCE bit for bit
 *              against the CPU
 *   migration  the state saved (STOP_COPY) and restored (RESUMING) into a
 *              second vGPU (on PARENT2's GPU when given, a second GPU of
 *              the same backend): VRAM and registers arrive bit for bit,
 *              and the restored vGPU runs work
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mvgpu_test.h"
#include "workload.h"

/* a GPU's VRAM is cut in 64 slices (MVGPU_SLICES in kmod/mvgpu_backend.h) */
#define NSLICES		64
#define TIMEOUT_MS	60000
#define IOVA_BASE	0x100000000ull
#define DIVISOR		4

static struct mt_dev a, b;

static int setup(void **state)
{
	uint64_t v;

	if (mt_readf_u64(&v, MT_CLASS "/%s/vram_size", mt_gpu_name(0))) {
		printf("# no GPU with mdev parent %s\n", mt_parent(0));
		return -1;
	}
	return 0;
}

static void dev_init(struct mt_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->v.container = d->v.group = d->v.device = -1;
	d->msi = -1;
}

static int fresh(void **state)
{
	dev_init(&a);
	dev_init(&b);
	return mt_remove_all();
}

static int cleanup(void **state)
{
	mt_dev_close(&a);
	mt_dev_close(&b);
	return mt_remove_all();
}

static struct mvgpu_cmd cmd(uint32_t opcode, uint64_t dst, uint64_t src,
			    uint64_t size, uint64_t value)
{
	struct mvgpu_cmd c;

	memset(&c, 0, sizeof(c));
	c.opcode = opcode;
	c.dst = dst;
	c.src = src;
	c.size = size;
	c.value = value;
	return c;
}

static void run_ok(struct mt_dev *d, const struct mvgpu_cmd *c, unsigned int n)
{
	int ret = mt_dev_run(d, c, n, TIMEOUT_MS);

	if (ret)
		fail_msg("commands failed (%d): fault 0x%x at 0x%llx", ret,
			 mt_reg32(d->v.device, MVGPU_REG_FAULT_STATUS),
			 (unsigned long long)mt_reg64(d->v.device,
						      MVGPU_REG_FAULT_ADDR));
}

/* The first byte in [off, off + len) of d's VRAM that is not v, or -1 */
static int64_t vram_not(const struct mt_dev *d, uint64_t off, uint64_t len,
			uint8_t v)
{
	uint64_t i;

	for (i = off; i < off + len; i++)
		if (d->vram[i] != v)
			return (int64_t)i;
	return -1;
}

#define ASSERT_VRAM(d, off, len, v, what) do {				\
	int64_t __at = vram_not((d), (off), (len), (v));		\
	if (__at >= 0)							\
		fail_msg("%s: expected 0x%02x at VRAM 0x%llx, got 0x%02x", \
			 (what), (v), (unsigned long long)__at,		\
			 (d)->vram[__at]);				\
} while (0)

/* ------------------------------------------------------------------ */

static void test_caps(void **state)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	uint64_t vram, engines, v, slices, avail, div;
	char buf[64];
	unsigned int types = 0;

	assert_int_equal(mt_readf_u64(&vram, MT_CLASS "/%s/vram_size",
				      mt_gpu_name(0)), 0);
	assert_int_equal(mt_readf_u64(&engines, MT_CLASS "/%s/engines",
				      mt_gpu_name(0)), 0);
	assert_true(vram && !(vram & (vram - 1)));
	assert_true(vram >= NSLICES * 4096ull);
	assert_in_range(engines, 1, 8);
	snprintf(buf, sizeof(buf), MT_CLASS "/%s/backend", mt_gpu_name(0));
	assert_int_equal(mt_read_str(buf, buf, sizeof(buf)), 0);
	assert_true(buf[0] != '\0');
	snprintf(buf, sizeof(buf), MT_CLASS "/%s/parent", mt_gpu_name(0));
	assert_int_equal(mt_read_str(buf, buf, sizeof(buf)), 0);
	assert_string_equal(buf, mt_parent(0));

	for (div = 1; div <= NSLICES; div *= 2) {
		if (!mt_exists(MT_MDEV_BUS "/%s/mdev_supported_types/mvgpu-%llu",
			       mt_parent(0), (unsigned long long)div))
			continue;
		types++;
		assert_int_equal(mt_readf_u64(&v, MT_MDEV_BUS "/%s/mdev_supported_types/mvgpu-%llu/mvgpu/vram_size",
					      mt_parent(0), (unsigned long long)div), 0);
		assert_int_equal(v, vram / div);
		assert_int_equal(mt_readf_u64(&slices, MT_MDEV_BUS "/%s/mdev_supported_types/mvgpu-%llu/mvgpu/slices",
					      mt_parent(0), (unsigned long long)div), 0);
		assert_int_equal(slices, NSLICES / div);
		avail = (uint64_t)mt_available(0, (unsigned int)div);
		assert_int_equal(avail, div);
	}
	assert_true(types >= 1);
	assert_true(mt_exists(MT_MDEV_BUS "/%s/mdev_supported_types/mvgpu-%u",
			      mt_parent(0), DIVISOR));

	assert_int_equal(mt_dev_open(&a, 0, DIVISOR), 0);
	assert_int_equal(mt_reg32(a.v.device, MVGPU_REG_ID), MVGPU_ID_MAGIC);
	assert_int_equal(mt_reg32(a.v.device, MVGPU_REG_TYPE_DIVISOR), DIVISOR);
	assert_int_equal(mt_reg64(a.v.device, MVGPU_REG_VRAM_SIZE), vram / DIVISOR);
	assert_int_equal(mt_reg32(a.v.device, MVGPU_REG_ENGINES), engines);
	assert_true(mt_reg32(a.v.device, MVGPU_REG_CAPS) & MVGPU_CAP_RING);
	ri.index = MVGPU_VRAM_BAR_INDEX;
	assert_int_equal(ioctl(a.v.device, VFIO_DEVICE_GET_REGION_INFO, &ri), 0);
	assert_int_equal(ri.size, vram / DIVISOR);
	assert_true(ri.flags & VFIO_REGION_INFO_FLAG_MMAP);
	assert_int_equal(mt_available(0, DIVISOR), DIVISOR - 1);
	assert_int_equal(mt_readf_u64(&v, MT_MDEV_DEVICES "/%s/mvgpu/vram_size",
				      a.uuid), 0);
	assert_int_equal(v, vram / DIVISOR);
}

static void test_new_vram_reads_zero(void **state)
{
	uint8_t buf[4096];
	uint64_t off;
	int round;

	/* twice, the second time where the first one wrote before removal */
	for (round = 0; round < 2; round++) {
		assert_int_equal(mt_dev_open(&a, 0, DIVISOR), 0);
		ASSERT_VRAM(&a, 0, a.vram_size, 0, "a new vGPU's VRAM");
		for (off = 0; off < a.vram_size; off += a.vram_size / 8) {
			assert_int_equal(mt_region_read(a.v.device,
							MVGPU_VRAM_BAR_INDEX,
							off, buf, sizeof(buf)), 0);
			for (size_t i = 0; i < sizeof(buf); i++)
				if (buf[i])
					fail_msg("pread of a new vGPU's VRAM at 0x%llx: 0x%02x",
						 (unsigned long long)(off + i), buf[i]);
		}
		memset(a.vram, 0xd1 + round, a.vram_size);
		mt_dev_close(&a);
	}
}

static void test_isolation(void **state)
{
	struct mvgpu_cmd c;
	int ret;

	assert_int_equal(mt_dev_open(&a, 0, DIVISOR), 0);
	assert_int_equal(mt_dev_open(&b, 0, DIVISOR), 0);
	memset(a.vram + MT_DATA_OFF, 0xaa, a.vram_size - MT_DATA_OFF);
	ASSERT_VRAM(&b, 0, b.vram_size, 0, "B after A wrote by CPU");

	c = cmd(MVGPU_OP_FILL, MT_DATA_OFF, 0, b.vram_size - MT_DATA_OFF,
		0xbbbbbbbb);
	run_ok(&b, &c, 1);
	ASSERT_VRAM(&b, MT_DATA_OFF, b.vram_size - MT_DATA_OFF, 0xbb, "B's FILL");
	ASSERT_VRAM(&a, MT_DATA_OFF, a.vram_size - MT_DATA_OFF, 0xaa,
		    "A after B's FILL");

	/* one byte past B's VRAM: a fault, and nobody's bytes change */
	c = cmd(MVGPU_OP_FILL, b.vram_size - 4096, 0, 8192, 0xcccccccc);
	ret = mt_dev_run(&b, &c, 1, TIMEOUT_MS);
	assert_int_equal(ret, -EIO);
	assert_int_equal(mt_reg32(b.v.device, MVGPU_REG_FAULT_STATUS) &
			 MVGPU_FAULT_CODE_MASK, MVGPU_FAULT_OUT_OF_RANGE);
	ASSERT_VRAM(&a, MT_DATA_OFF, a.vram_size - MT_DATA_OFF, 0xaa,
		    "A after B's faulting FILL");
	mt_dev_close(&a);
	mt_dev_close(&b);
}

static void test_scrub_after_last_close(void **state)
{
	struct mvgpu_cmd c;
	uint64_t before, after;

	assert_int_equal(mt_dev_open(&a, 0, DIVISOR), 0);
	assert_int_equal(mt_readf_u64(&before, MT_MDEV_DEVICES "/%s/mvgpu/%s",
				      a.uuid, MVGPU_ATTR_SCRUBS), 0);
	memset(a.vram + MT_DATA_OFF, 0x5a, 1 << 20);
	c = cmd(MVGPU_OP_FILL, a.vram_size - (1 << 20), 0, 1 << 20, 0x12345678);
	run_ok(&a, &c, 1);
	/* close every file, keep the vGPU */
	munmap(a.vram, a.vram_size);
	a.vram = NULL;
	close(a.msi);
	a.msi = -1;
	mt_vfio_close(&a.v);
	assert_int_equal(mt_readf_u64(&after, MT_MDEV_DEVICES "/%s/mvgpu/%s",
				      a.uuid, MVGPU_ATTR_SCRUBS), 0);
	assert_int_equal(after, before + 1);
	assert_int_equal(mt_dev_attach(&a), 0);
	ASSERT_VRAM(&a, 0, a.vram_size, 0, "VRAM after the last close");
	mt_dev_close(&a);
}

static void test_reset(void **state)
{
	struct mvgpu_cmd c;

	assert_int_equal(mt_dev_open(&a, 0, DIVISOR), 0);
	memset(a.vram + MT_DATA_OFF, 0x77, 4096);
	c = cmd(MVGPU_OP_FILL, a.vram_size, 0, 4096, 1);
	assert_int_equal(mt_dev_run(&a, &c, 1, TIMEOUT_MS), -EIO);
	assert_true(mt_reg32(a.v.device, MVGPU_REG_STATUS) & MVGPU_STATUS_FAULTED);
	assert_int_equal(mt_dev_reset(&a), 0);
	assert_false(mt_reg32(a.v.device, MVGPU_REG_STATUS) & MVGPU_STATUS_FAULTED);
	assert_int_equal(mt_reg32(a.v.device, MVGPU_REG_FAULT_STATUS), 0);
	assert_int_equal(mt_reg64(a.v.device, MVGPU_REG_FENCE), 0);
	ASSERT_VRAM(&a, MT_DATA_OFF, 4096, 0x77, "VRAM across a reset");
	c = cmd(MVGPU_OP_FILL, MT_DATA_OFF, 0, 4096, 0x01010101);
	run_ok(&a, &c, 1);
	ASSERT_VRAM(&a, MT_DATA_OFF, 4096, 0x01, "a FILL after the reset");
	mt_dev_close(&a);
}

static void test_workloads(void **state)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	const uint32_t m = 33, n = 47, k = 29;
	const uint64_t fill = MT_DATA_OFF, copy = fill + (1 << 20),
		       ga = copy + (1 << 20), gb = ga + 0x10000,
		       gc = gb + 0x10000, dma = gc + 0x10000,
		       fence = dma + (1 << 20);
	const size_t host_size = 1 << 20;
	struct mvgpu_cmd c[6];
	uint32_t *w, first = 0, want = 0;
	uint8_t *host;
	uint64_t i;

	assert_int_equal(mt_dev_open(&a, 0, DIVISOR), 0);
	host = mmap(NULL, host_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(host != MAP_FAILED);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)host;
	map.iova = IOVA_BASE;
	map.size = host_size;
	assert_int_equal(ioctl(a.v.container, VFIO_IOMMU_MAP_DMA, &map), 0);

	srand(11);
	for (i = 0; i < (1 << 20); i++)
		a.vram[copy + i] = (uint8_t)rand();
	w = (uint32_t *)(a.vram + ga);
	for (i = 0; i < m * k; i++)
		w[i] = (uint32_t)rand();
	w = (uint32_t *)(a.vram + gb);
	for (i = 0; i < k * n; i++)
		w[i] = (uint32_t)rand();
	for (i = 0; i < host_size; i++)
		host[i] = (uint8_t)(i * 7 + 3);

	c[0] = cmd(MVGPU_OP_FILL, fill, 0, 1 << 20, 0x9e3779b9);
	/* COPY over a page boundary at odd 4-byte offsets */
	c[1] = cmd(MVGPU_OP_COPY, copy + (1 << 19) + 4, copy + 12, 300000, 0);
	c[2] = cmd(MVGPU_OP_GEMM_I32, gc, ga, 0, 0);
	c[2].aux = gb;
	c[2].m = m;
	c[2].n = n;
	c[2].k = k;
	c[3] = cmd(MVGPU_OP_DMA_FROM_HOST, dma + 1, IOVA_BASE + 5, 500001, 0);
	c[4] = cmd(MVGPU_OP_DMA_TO_HOST, IOVA_BASE + (600 << 10), fill + 8,
		   100000, 0);
	c[5] = cmd(MVGPU_OP_FENCE, fence, 0, 0, 0x1234567890abcdefull);
	c[5].flags = MVGPU_CMD_F_WRITE_MEM;
	run_ok(&a, c, 6);

	w = (uint32_t *)(a.vram + fill);
	for (i = 0; i < (1 << 18); i++)
		if (w[i] != 0x9e3779b9)
			fail_msg("FILL word %llu: expected 0x9e3779b9, got 0x%08x",
				 (unsigned long long)i, w[i]);
	if (memcmp(a.vram + copy + (1 << 19) + 4, a.vram + copy + 12, 300000))
		fail_msg("COPY: destination differs from source");
	assert_int_equal(wl_gemm_check((uint32_t *)(a.vram + ga),
				       (uint32_t *)(a.vram + gb),
				       (uint32_t *)(a.vram + gc), m, n, k,
				       &first, &want), 0);
	if (memcmp(a.vram + dma + 1, host + 5, 500001))
		fail_msg("DMA from host: VRAM differs from host memory");
	assert_int_equal(a.vram[dma], 0);
	for (i = 0; i < 100000; i++)
		if (host[(600 << 10) + i] != a.vram[fill + 8 + i])
			fail_msg("DMA to host byte %llu: expected 0x%02x, got 0x%02x",
				 (unsigned long long)i, a.vram[fill + 8 + i],
				 host[(600 << 10) + i]);
	assert_int_equal(mt_reg64(a.v.device, MVGPU_REG_FENCE),
			 0x1234567890abcdefull);
	assert_int_equal(*(uint64_t *)(a.vram + fence), 0x1234567890abcdefull);

	unmap.iova = IOVA_BASE;
	unmap.size = host_size;
	assert_int_equal(ioctl(a.v.container, VFIO_IOMMU_UNMAP_DMA, &unmap), 0);
	munmap(host, host_size);
	mt_dev_close(&a);
}

/* ---------------------------- migration ---------------------------- */

static int mig_state(int device, uint32_t state, int *data_fd)
{
	size_t argsz = sizeof(struct vfio_device_feature) +
		       sizeof(struct vfio_device_feature_mig_state);
	struct vfio_device_feature *f = calloc(1, argsz);
	struct vfio_device_feature_mig_state *mig;
	int ret;

	assert_non_null(f);
	f->argsz = argsz;
	f->flags = VFIO_DEVICE_FEATURE_SET |
		   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	mig = (void *)f->data;
	mig->device_state = state;
	ret = ioctl(device, VFIO_DEVICE_FEATURE, f) ? -errno : 0;
	if (data_fd)
		*data_fd = ret ? -1 : mig->data_fd;
	free(f);
	return ret;
}

static void test_save_restore(void **state)
{
	static const uint32_t regs[] = {
		MVGPU_REG_PT_BASE, MVGPU_REG_RING_BASE, MVGPU_REG_FENCE,
		MVGPU_REG_SCRATCH,
	};
	static const uint32_t regs32[] = {
		MVGPU_REG_RING_SIZE, MVGPU_REG_RING_HEAD, MVGPU_REG_RING_TAIL,
		MVGPU_REG_PT_ENTRIES, MVGPU_REG_INT_MASK,
	};
	size_t cap = 1 << 20, len = 0;
	uint8_t *stream = malloc(cap);
	struct mvgpu_cmd c[2];
	unsigned int i;
	ssize_t r;
	int fd;

	assert_non_null(stream);
	assert_int_equal(mt_dev_open(&a, 0, DIVISOR), 0);
	assert_int_equal(mt_dev_open(&b, getenv("MVGPU_TEST_PARENT2") ? 1 : 0,
				     DIVISOR), 0);
	srand(5);
	for (i = 0; i < a.vram_size / 4 - MT_DATA_OFF / 4; i += 7)
		((uint32_t *)(a.vram + MT_DATA_OFF))[i] = (uint32_t)rand();
	c[0] = cmd(MVGPU_OP_FILL, MT_DATA_OFF + 3 * 4096, 0, 4096, 0xabcdef01);
	c[1] = cmd(MVGPU_OP_FENCE, 0, 0, 0, 42);
	run_ok(&a, c, 2);
	assert_int_equal(mt_reg_write64(a.v.device, MVGPU_REG_SCRATCH,
					0xfeedface0badf00dull), 0);
	assert_int_equal(mt_reg_write32(a.v.device, MVGPU_REG_INT_MASK, 0x2), 0);

	assert_int_equal(mig_state(a.v.device, VFIO_DEVICE_STATE_STOP, NULL), 0);
	assert_int_equal(mig_state(a.v.device, VFIO_DEVICE_STATE_STOP_COPY, &fd), 0);
	while ((r = read(fd, stream + len, cap - len)) > 0) {
		len += r;
		if (len == cap) {
			uint8_t *p = realloc(stream, cap * 2);

			assert_non_null(p);
			stream = p;
			cap *= 2;
		}
	}
	assert_int_equal(r, 0);
	close(fd);
	assert_true(len > a.vram_size);
	assert_int_equal(mig_state(a.v.device, VFIO_DEVICE_STATE_STOP, NULL), 0);

	assert_int_equal(mig_state(b.v.device, VFIO_DEVICE_STATE_STOP, NULL), 0);
	assert_int_equal(mig_state(b.v.device, VFIO_DEVICE_STATE_RESUMING, &fd), 0);
	for (size_t done = 0; done < len; done += r) {
		r = write(fd, stream + done, len - done);
		if (r < 0)
			fail_msg("writing the stream at %zu: %s", done,
				 strerror(errno));
	}
	close(fd);
	assert_int_equal(mig_state(b.v.device, VFIO_DEVICE_STATE_STOP, NULL), 0);
	assert_int_equal(mig_state(b.v.device, VFIO_DEVICE_STATE_RUNNING, NULL), 0);
	assert_int_equal(mig_state(a.v.device, VFIO_DEVICE_STATE_RUNNING, NULL), 0);

	if (memcmp(a.vram, b.vram, a.vram_size)) {
		for (i = 0; a.vram[i] == b.vram[i]; i++)
			;
		fail_msg("VRAM differs after the round trip at 0x%x: 0x%02x, not 0x%02x",
			 i, b.vram[i], a.vram[i]);
	}
	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (mt_reg64(b.v.device, regs[i]) != mt_reg64(a.v.device, regs[i]))
			fail_msg("register 0x%x: 0x%llx after restore, 0x%llx saved",
				 regs[i],
				 (unsigned long long)mt_reg64(b.v.device, regs[i]),
				 (unsigned long long)mt_reg64(a.v.device, regs[i]));
	for (i = 0; i < sizeof(regs32) / sizeof(regs32[0]); i++)
		assert_int_equal(mt_reg32(b.v.device, regs32[i]),
				 mt_reg32(a.v.device, regs32[i]));
	/* the restored vGPU runs work where the saved one left off */
	b.tail = a.tail;
	c[0] = cmd(MVGPU_OP_FILL, MT_DATA_OFF, 0, 8192, 0x0f0f0f0f);
	c[1] = cmd(MVGPU_OP_FENCE, 0, 0, 0, 43);
	run_ok(&b, c, 2);
	assert_int_equal(mt_reg64(b.v.device, MVGPU_REG_FENCE), 43);
	ASSERT_VRAM(&b, MT_DATA_OFF, 8192, 0x0f, "a FILL on the restored vGPU");
	free(stream);
	mt_dev_close(&a);
	mt_dev_close(&b);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_caps, fresh, cleanup),
		cmocka_unit_test_setup_teardown(test_new_vram_reads_zero, fresh, cleanup),
		cmocka_unit_test_setup_teardown(test_isolation, fresh, cleanup),
		cmocka_unit_test_setup_teardown(test_scrub_after_last_close, fresh, cleanup),
		cmocka_unit_test_setup_teardown(test_reset, fresh, cleanup),
		cmocka_unit_test_setup_teardown(test_workloads, fresh, cleanup),
		cmocka_unit_test_setup_teardown(test_save_restore, fresh, cleanup),
	};
	char name[96];

	if (argc > 1)
		setenv("MVGPU_TEST_PARENT", argv[1], 1);
	if (argc > 2)
		setenv("MVGPU_TEST_PARENT2", argv[2], 1);
	snprintf(name, sizeof(name), "backend conformance on %s%s%s",
		 mt_parent(0), argc > 2 ? ", migrating to " : "",
		 argc > 2 ? mt_parent(1) : "");
	return mt_run(name, tests, sizeof(tests) / sizeof(tests[0]), setup,
		      NULL);
}
