// SPDX-License-Identifier: GPL-2.0-only
/*
 * A PCI-backed GPU seen from the device's side: the physical VRAM BAR,
 * read through the PCI device's sysfs resource0 while two vGPUs write
 * through their VRAM mappings, pwrite on the VFIO region, an engine FILL
 * and an engine DMA.  Every byte a vGPU wrote is in its own slices (the
 * physical offsets its vram_slices attribute lists), each slice of the BAR
 * holds exactly what the vGPU sees at that offset, every other byte of the
 * BAR is zero, and a removed vGPU's slices read zero.
 *
 *   MVGPU_TEST_PARENT=0000:00:04.0 build/tests/pci_test
 *
 * (resource0 can be mapped while the driver holds the BAR only with
 * iomem=relaxed, which tests/vm/vmrun --bochs sets.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvgpu_test.h"

/* a GPU's VRAM is cut in 64 slices (MVGPU_SLICES in kmod/mvgpu_backend.h) */
#define NSLICES		64
#define TIMEOUT_MS	60000
#define IOVA_BASE	0x100000000ull
#define CHUNK		4096u
#define ENG_BYTES	(64u * 1024)
/* where in each slice each kind of write goes (the ring is below 1 MiB) */
#define OFF_MMAP	0x200000ull
#define OFF_PWRITE	0x280000ull
#define OFF_FILL	0x300000ull
#define OFF_DMA		0x380000ull

struct vg {
	struct mt_dev d;
	uint64_t slice[NSLICES];
	unsigned int nslices;
	unsigned int tag;
};

static const char *addr;
static const uint8_t *bar;
static uint64_t bar_size, slice_size;
static struct vg va = { .tag = 0xa }, vb = { .tag = 0xb };
static bool have_vgpus;

static uint8_t pat(unsigned int tag, unsigned int slice, unsigned int kind,
		   uint64_t i)
{
	return (uint8_t)(tag * 131 + slice * 17 + kind * 7 + i * 13 + (i >> 8));
}

/* The first offset in [off, off + len) where the BAR is not zero, or -1 */
static int64_t bar_nonzero(uint64_t off, uint64_t len)
{
	static const uint8_t zero[CHUNK];
	uint64_t done, i;

	for (done = 0; done < len; done += CHUNK) {
		if (!memcmp(bar + off + done, zero, CHUNK))
			continue;
		for (i = 0; i < CHUNK; i++)
			if (bar[off + done + i])
				return (int64_t)(off + done + i);
	}
	return -1;
}

static int read_slices(struct vg *v)
{
	char path[256], buf[2048], *p, *end;
	unsigned int n = 0;
	int ret;

	snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/mvgpu/%s",
		 v->d.uuid, MVGPU_ATTR_VRAM_SLICES);
	ret = mt_read_str(path, buf, sizeof(buf));
	if (ret)
		return ret;
	for (p = buf; *p && n < NSLICES; p = end) {
		v->slice[n] = strtoull(p, &end, 0);
		if (end == p)
			break;
		n++;
	}
	v->nslices = n;
	return 0;
}

static int setup(void **state)
{
	char path[256];
	struct stat st;
	int fd;

	addr = getenv("MVGPU_TEST_PARENT");
	if (!addr || !strchr(addr, ':')) {
		printf("# MVGPU_TEST_PARENT must name a PCI parent (0000:00:04.0)\n");
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", addr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		printf("# open %s: %s\n", path, strerror(errno));
		return -1;
	}
	bar_size = (uint64_t)st.st_size;
	bar = mmap(NULL, bar_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (bar == MAP_FAILED) {
		printf("# mmap %s (%llu bytes): %s (iomem=relaxed?)\n", path,
		       (unsigned long long)bar_size, strerror(errno));
		return -1;
	}
	slice_size = bar_size / NSLICES;
	return 0;
}

static int teardown(void **state)
{
	if (have_vgpus) {
		mt_dev_close(&va.d);
		mt_dev_close(&vb.d);
	}
	mt_remove_all();
	munmap((void *)bar, bar_size);
	return 0;
}

static void test_bar_zero_without_vgpus(void **state)
{
	uint64_t size;
	int64_t nz;

	assert_int_equal(mt_readf_u64(&size, MT_CLASS "/%s/vram_size",
				      mt_gpu_name(0)), 0);
	assert_int_equal(size, bar_size);
	nz = bar_nonzero(0, bar_size);
	if (nz >= 0)
		fail_msg("expected a zero BAR with no vGPUs, got 0x%02x at 0x%llx",
			 bar[nz], (unsigned long long)nz);
}

static void check_slices(const struct vg *v)
{
	unsigned int k, j;

	assert_int_equal(v->nslices, v->d.vram_size / slice_size);
	for (k = 0; k < v->nslices; k++) {
		assert_int_equal(v->slice[k] % slice_size, 0);
		assert_true(v->slice[k] + slice_size <= bar_size);
		for (j = 0; j < k; j++)
			assert_true(v->slice[j] != v->slice[k]);
	}
}

static bool owned_by(const struct vg *v, uint64_t phys)
{
	unsigned int k;

	for (k = 0; k < v->nslices; k++)
		if (v->slice[k] == phys)
			return true;
	return false;
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

/* Write through all four paths into every slice of v */
static void write_all(struct vg *v)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	size_t host_size = (size_t)v->nslices * ENG_BYTES;
	struct mvgpu_cmd c[2 * NSLICES];
	uint8_t buf[CHUNK], *host;
	unsigned int k, n = 0;
	uint64_t i, base;
	int ret;

	host = mmap(NULL, host_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(host != MAP_FAILED);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)host;
	map.iova = IOVA_BASE;
	map.size = host_size;
	assert_int_equal(ioctl(v->d.v.container, VFIO_IOMMU_MAP_DMA, &map), 0);

	for (k = 0; k < v->nslices; k++) {
		base = k * slice_size;
		for (i = 0; i < CHUNK; i++)
			v->d.vram[base + OFF_MMAP + i] = pat(v->tag, k, 0, i);
		for (i = 0; i < CHUNK; i++)
			buf[i] = pat(v->tag, k, 1, i);
		ret = mt_region_write(v->d.v.device, MVGPU_VRAM_BAR_INDEX,
				      base + OFF_PWRITE, buf, CHUNK);
		assert_int_equal(ret, 0);
		for (i = 0; i < ENG_BYTES; i++)
			host[k * ENG_BYTES + i] = pat(v->tag, k, 3, i);
		c[n++] = cmd(MVGPU_OP_FILL, base + OFF_FILL, 0, ENG_BYTES,
			     0xf0000000u | v->tag << 8 | k);
		c[n++] = cmd(MVGPU_OP_DMA_FROM_HOST, base + OFF_DMA,
			     IOVA_BASE + k * ENG_BYTES, ENG_BYTES, 0);
		/* across the boundary with the next slice, by mmap */
		if (k + 1 < v->nslices)
			for (i = 0; i < 2 * CHUNK; i++)
				v->d.vram[base + slice_size - CHUNK + i] =
					pat(v->tag, k, 4, i);
	}
	ret = mt_dev_run(&v->d, c, n, TIMEOUT_MS);
	if (ret)
		fail_msg("FILL and DMA on vGPU %x: %d, fault 0x%x", v->tag, ret,
			 mt_reg32(v->d.v.device, MVGPU_REG_FAULT_STATUS));
	munmap(host, host_size);
}

/* The BAR holds, at each of v's slices, what v wrote there */
static void check_written(const struct vg *v)
{
	unsigned int k;
	uint64_t i;

	for (k = 0; k < v->nslices; k++) {
		const uint8_t *s = bar + v->slice[k];

		for (i = 0; i < CHUNK; i++) {
			if (s[OFF_MMAP + i] != pat(v->tag, k, 0, i))
				fail_msg("vGPU %x slice %u: mmap byte %llu: expected 0x%02x, BAR has 0x%02x",
					 v->tag, k, (unsigned long long)i,
					 pat(v->tag, k, 0, i), s[OFF_MMAP + i]);
			if (s[OFF_PWRITE + i] != pat(v->tag, k, 1, i))
				fail_msg("vGPU %x slice %u: pwrite byte %llu: expected 0x%02x, BAR has 0x%02x",
					 v->tag, k, (unsigned long long)i,
					 pat(v->tag, k, 1, i), s[OFF_PWRITE + i]);
		}
		for (i = 0; i < ENG_BYTES; i += 4) {
			uint32_t w;

			memcpy(&w, s + OFF_FILL + i, 4);
			if (w != (0xf0000000u | v->tag << 8 | k))
				fail_msg("vGPU %x slice %u: FILL word %llu: expected 0x%08x, BAR has 0x%08x",
					 v->tag, k, (unsigned long long)i / 4,
					 0xf0000000u | v->tag << 8 | k, w);
		}
		for (i = 0; i < ENG_BYTES; i++)
			if (s[OFF_DMA + i] != pat(v->tag, k, 3, i))
				fail_msg("vGPU %x slice %u: DMA byte %llu: expected 0x%02x, BAR has 0x%02x",
					 v->tag, k, (unsigned long long)i,
					 pat(v->tag, k, 3, i), s[OFF_DMA + i]);
		if (k + 1 < v->nslices) {
			const uint8_t *next = bar + v->slice[k + 1];

			for (i = 0; i < CHUNK; i++)
				if (s[slice_size - CHUNK + i] != pat(v->tag, k, 4, i) ||
				    next[i] != pat(v->tag, k, 4, CHUNK + i))
					fail_msg("vGPU %x: the write across slices %u/%u is not at their physical offsets (byte %llu)",
						 v->tag, k, k + 1,
						 (unsigned long long)i);
		}
	}
}

/* Each slice of the BAR is exactly what the vGPU sees there */
static void check_view(const struct vg *v)
{
	unsigned int k;
	uint64_t i;

	for (k = 0; k < v->nslices; k++) {
		const uint8_t *s = bar + v->slice[k];
		const uint8_t *mine = v->d.vram + k * slice_size;

		if (!memcmp(s, mine, slice_size))
			continue;
		for (i = 0; i < slice_size && s[i] == mine[i]; i++)
			;
		fail_msg("vGPU %x slice %u (phys 0x%llx) byte 0x%llx: vGPU sees 0x%02x, BAR has 0x%02x",
			 v->tag, k, (unsigned long long)v->slice[k],
			 (unsigned long long)i, mine[i], s[i]);
	}
}

/* Every slice of the BAR that none of the live vGPUs owns is zero */
static void check_rest_zero(const struct vg *a, const struct vg *b)
{
	uint64_t phys;
	int64_t nz;

	for (phys = 0; phys < bar_size; phys += slice_size) {
		if ((a && owned_by(a, phys)) || (b && owned_by(b, phys)))
			continue;
		nz = bar_nonzero(phys, slice_size);
		if (nz >= 0)
			fail_msg("expected zero outside the vGPUs' slices, got 0x%02x at 0x%llx",
				 bar[nz], (unsigned long long)nz);
	}
}

static void test_writes_land_in_own_slices(void **state)
{
	unsigned int k;

	assert_int_equal(mt_dev_open(&va.d, 0, 4), 0);
	assert_int_equal(mt_dev_open(&vb.d, 0, 4), 0);
	have_vgpus = true;
	assert_int_equal(read_slices(&va), 0);
	assert_int_equal(read_slices(&vb), 0);
	check_slices(&va);
	check_slices(&vb);
	for (k = 0; k < va.nslices; k++)
		assert_false(owned_by(&vb, va.slice[k]));

	write_all(&va);
	write_all(&vb);
	check_written(&va);
	check_written(&vb);
	check_view(&va);
	check_view(&vb);
	check_rest_zero(&va, &vb);
}

static void test_removed_vgpu_reads_zero(void **state)
{
	struct vg gone;
	unsigned int k;
	int64_t nz;

	assert_true(have_vgpus);
	gone = va;
	mt_dev_close(&va.d);	/* closes and removes it */
	for (k = 0; k < gone.nslices; k++) {
		nz = bar_nonzero(gone.slice[k], slice_size);
		if (nz >= 0)
			fail_msg("removed vGPU's slice %u: expected zero, got 0x%02x at 0x%llx",
				 k, bar[nz], (unsigned long long)nz);
	}
	check_written(&vb);	/* its neighbour keeps its bytes */
	check_view(&vb);
	check_rest_zero(NULL, &vb);
	mt_dev_close(&vb.d);
	have_vgpus = false;
	nz = bar_nonzero(0, bar_size);
	if (nz >= 0)
		fail_msg("expected a zero BAR once every vGPU is gone, got 0x%02x at 0x%llx",
			 bar[nz], (unsigned long long)nz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bar_zero_without_vgpus),
		cmocka_unit_test(test_writes_land_in_own_slices),
		cmocka_unit_test(test_removed_vgpu_reads_zero),
	};

	return MT_RUN("pci", tests, setup, teardown);
}
