// SPDX-License-Identifier: GPL-2.0-only
/*
 * A client whose DMA memory is slow to appear stalls only its own vGPU.
 * The client's DMA source is registered with userfaultfd, so the copy
 * waits until the test hands the page over; meanwhile a neighbour on the
 * same (single) engine keeps running, and the slow vGPU finishes with the
 * right data once the memory arrives.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "mvgpu_test.h"

#define IOVA	0x200000000ull
#define LEN	(64u << 10)

static struct mt_dev slow, neighbour;
static int uffd = -1;
static uint8_t *mem = MAP_FAILED;

static int teardown(void **state)
{
	mt_dev_close(&slow);
	mt_dev_close(&neighbour);
	if (uffd >= 0)
		close(uffd);
	if (mem != MAP_FAILED)
		munmap(mem, LEN);
	mt_remove_all();
	return 0;
}

/* wait for the copy to fault on the registered memory */
static int wait_uffd_fault(uint64_t *addr)
{
	struct pollfd p = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&p, 1, 20000) != 1)
		return -ETIMEDOUT;
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
		return -errno;
	if (msg.event != UFFD_EVENT_PAGEFAULT)
		return -EINVAL;
	*addr = msg.arg.pagefault.address & ~4095ull;
	return 0;
}

static void test_slow_dma_stalls_only_its_vgpu(void **state)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct mvgpu_cmd dma = { .opcode = MVGPU_OP_DMA_FROM_HOST,
				 .dst = MT_DATA_OFF, .src = IOVA, .size = LEN };
	struct mvgpu_cmd work[2] = {
		{ .opcode = MVGPU_OP_FILL, .dst = MT_DATA_OFF, .size = 1 << 20,
		  .value = 0x5eed },
		{ .opcode = MVGPU_OP_FENCE, .value = 1 },
	};
	static uint8_t page[4096] __attribute__((aligned(4096)));
	uint64_t addr = 0, faults = 0;
	unsigned int i, round;

	assert_int_equal(mt_dev_open(&slow, 0, 4), 0);
	assert_int_equal(mt_dev_open(&neighbour, 0, 4), 0);

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	assert_true(uffd >= 0);
	assert_int_equal(ioctl(uffd, UFFDIO_API, &api), 0);
	mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	reg.range.start = (uintptr_t)mem;
	reg.range.len = LEN;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	assert_int_equal(ioctl(uffd, UFFDIO_REGISTER, &reg), 0);

	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)mem;
	map.iova = IOVA;
	map.size = LEN;
	assert_int_equal(ioctl(slow.v.container, VFIO_IOMMU_MAP_DMA, &map), 0);

	assert_int_equal(mt_dev_submit(&slow, &dma, 1), 0);
	assert_int_equal(wait_uffd_fault(&addr), 0);	/* the copy waits */

	/* the neighbour's work runs to the end on the same engine */
	for (round = 0; round < 3; round++) {
		work[0].value = 0x5eed + round;
		work[1].value = round + 1;
		assert_int_equal(mt_dev_run(&neighbour, work, 2, 20000), 0);
		assert_int_equal(*(uint32_t *)(neighbour.vram + MT_DATA_OFF),
				 0x5eed + round);
	}
	/* and the slow one is still waiting, not faulted */
	assert_true(mt_reg32(slow.v.device, MVGPU_REG_RING_HEAD) != slow.tail);
	assert_false(mt_reg32(slow.v.device, MVGPU_REG_STATUS) &
		     MVGPU_STATUS_FAULTED);

	/* hand the pages over as they are asked for */
	for (;;) {
		struct uffdio_copy copy = { 0 };

		for (i = 0; i < sizeof(page); i++)
			page[i] = (uint8_t)((addr - (uintptr_t)mem + i) * 7);
		copy.dst = addr;
		copy.src = (uintptr_t)page;
		copy.len = sizeof(page);
		assert_int_equal(ioctl(uffd, UFFDIO_COPY, &copy), 0);
		faults++;
		if (mt_dev_wait_idle(&slow, 0) == 0 || faults == LEN / 4096)
			break;
		assert_int_equal(wait_uffd_fault(&addr), 0);
	}
	assert_int_equal(mt_dev_wait_idle(&slow, 20000), 0);
	for (i = 0; i < LEN; i++)
		if (slow.vram[MT_DATA_OFF + i] != (uint8_t)(i * 7))
			fail_msg("VRAM byte %u is 0x%02x", i,
				 slow.vram[MT_DATA_OFF + i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_slow_dma_stalls_only_its_vgpu,
					  teardown),
	};

	slow.msi = neighbour.msi = -1;
	return MT_RUN("dma_stall", tests, NULL, NULL);
}
