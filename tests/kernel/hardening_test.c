// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile tenant cannot wedge the host, spin a CPU, flood the log or
 * read a previous tenant's VRAM.
 *
 * The stall tests back a DMA's client memory with a userfaultfd that
 * nobody answers, so the copy waits forever unless the module gives up
 * on it; then reset, close, migration STOP, bus master off and SIGKILL
 * each must complete promptly, and the admin's views (sysfs state and
 * owner, mvgpuctl list) must answer meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/userfaultfd.h>

#include "mvgpu_test.h"

#define IOVA		0x200000000ull
#define LEN		(64u << 10)
#define PROMPT_MS	2000	/* what "promptly" means here */

static struct mt_dev dev;
static int uffd = -1;
static uint8_t *mem = MAP_FAILED;

static int teardown(void **state)
{
	mt_dev_close(&dev);
	if (uffd >= 0)
		close(uffd);
	uffd = -1;
	if (mem != MAP_FAILED)
		munmap(mem, LEN);
	mem = MAP_FAILED;
	mt_remove_all();
	return 0;
}

static uint64_t ms_since(uint64_t t0)
{
	return (mt_now_ns() - t0) / 1000000;
}

/* memory registered with a userfaultfd and mapped for DMA at IOVA */
static int stall_memory(int container, int *puffd, uint8_t **pmem)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	uint8_t *m;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api))
		return -errno;
	m = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	reg.range.start = (uintptr_t)m;
	reg.range.len = LEN;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(fd, UFFDIO_REGISTER, &reg))
		return -errno;
	*puffd = fd;
	*pmem = m;
	if (container < 0)
		return 0;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)m;
	map.iova = IOVA;
	map.size = LEN;
	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static int map_dma(int container, uint8_t *m)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };

	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)m;
	map.iova = IOVA;
	map.size = LEN;
	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static bool uffd_fault_seen(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1;
}

/* a vGPU whose DMA from client memory is stuck in the client's uffd */
static void start_stalled_dma(void)
{
	struct mvgpu_cmd dma = { .opcode = MVGPU_OP_DMA_FROM_HOST,
				 .dst = MT_DATA_OFF, .src = IOVA, .size = LEN };

	assert_int_equal(mt_dev_open(&dev, 0, 4), 0);
	assert_int_equal(stall_memory(dev.v.container, &uffd, &mem), 0);
	assert_int_equal(mt_dev_submit(&dev, &dma, 1), 0);
	if (!uffd_fault_seen(uffd, 20000))
		fail_msg("the DMA never touched the userfaultfd memory");
}

/* run argv, return its exit status, or -ETIMEDOUT after timeout_ms */
static int run_bounded(char *const argv[], int timeout_ms, uint64_t *ms)
{
	uint64_t t0 = mt_now_ns();
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (ms_since(t0) > (uint64_t)timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		usleep(10000);
	}
	*ms = ms_since(t0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -EINTR;
}

/* the admin's views answer while the tenant is stuck */
static void assert_admin_answers(const char *uuid)
{
	char path[256], buf[128];
	char *list[] = { "build/bin/mvgpuctl", "list", NULL };
	uint64_t t0, ms = 0;
	int rc;

	snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/mvgpu/state", uuid);
	t0 = mt_now_ns();
	assert_int_equal(mt_read_str(path, buf, sizeof(buf)), 0);
	snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/mvgpu/owner", uuid);
	assert_int_equal(mt_read_str(path, buf, sizeof(buf)), 0);
	if (ms_since(t0) > PROMPT_MS)
		fail_msg("sysfs state/owner took %llu ms, expected < %d ms",
			 (unsigned long long)ms_since(t0), PROMPT_MS);
	rc = run_bounded(list, PROMPT_MS, &ms);
	if (rc)
		fail_msg("mvgpuctl list: expected exit 0 within %d ms, got %d",
			 PROMPT_MS, rc);
}

struct op {
	int (*fn)(void);
	int ret;
	volatile int done;
};

static void *op_thread(void *arg)
{
	struct op *op = arg;

	op->ret = op->fn();
	op->done = 1;
	return NULL;
}

/* run fn on another thread; it must return within PROMPT_MS */
static int run_op(int (*fn)(void), const char *what)
{
	struct op op = { .fn = fn };
	pthread_t t;
	uint64_t t0 = mt_now_ns();

	assert_int_equal(pthread_create(&t, NULL, op_thread, &op), 0);
	while (!op.done && ms_since(t0) < 4 * PROMPT_MS) {
		assert_admin_answers(dev.uuid);
		usleep(20000);
	}
	if (!op.done)
		fail_msg("%s with a stalled DMA: still blocked after %llu ms, expected < %d ms",
			 what, (unsigned long long)ms_since(t0), PROMPT_MS);
	pthread_join(t, NULL);
	printf("# %s with a stalled DMA returned %d after %llu ms\n", what,
	       op.ret, (unsigned long long)ms_since(t0));
	if (ms_since(t0) > PROMPT_MS + 500)
		fail_msg("%s took %llu ms, expected < %d ms", what,
			 (unsigned long long)ms_since(t0), PROMPT_MS);
	return op.ret;
}

static int do_reset(void)
{
	return ioctl(dev.v.device, VFIO_DEVICE_RESET) ? -errno : 0;
}

static int do_reset_register(void)
{
	return mt_reg_write32(dev.v.device, MVGPU_REG_RESET, MVGPU_RESET_MAGIC);
}

static int do_bus_master_off(void)
{
	return mt_cfg_write16(dev.v.device, PCI_COMMAND, PCI_COMMAND_MEMORY);
}

static int do_close(void)
{
	munmap(dev.vram, dev.vram_size);
	dev.vram = NULL;
	mt_vfio_close(&dev.v);
	return 0;
}

static int mig_feature(int device, uint32_t state, int *data_fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state mig;
	} arg = { 0 };

	arg.f.argsz = sizeof(arg);
	arg.f.flags = VFIO_DEVICE_FEATURE_SET |
		      VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	arg.mig.device_state = state;
	if (ioctl(device, VFIO_DEVICE_FEATURE, &arg))
		return -errno;
	if (data_fd)
		*data_fd = arg.mig.data_fd;
	return 0;
}

static int do_stop(void)
{
	return mig_feature(dev.v.device, VFIO_DEVICE_STATE_STOP, NULL);
}

/* hand the stalled page over, so the copy could finish now */
static void answer_uffd(uint8_t fill)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	struct uffdio_copy copy = { 0 };
	unsigned int i;

	for (i = 0; i < LEN; i += 4096) {
		memset(page, fill, sizeof(page));
		copy.dst = (uintptr_t)mem + i;
		copy.src = (uintptr_t)page;
		copy.len = sizeof(page);
		copy.mode = 0;
		ioctl(uffd, UFFDIO_COPY, &copy);	/* EEXIST is fine */
	}
}

static void test_stalled_dma_reset(void **state)
{
	uint32_t v;

	start_stalled_dma();
	assert_int_equal(run_op(do_reset, "VFIO_DEVICE_RESET"), 0);
	/* reset: ring off, nothing busy */
	assert_int_equal(mt_enable(dev.v.device), 0);
	assert_int_equal(mt_reg32(dev.v.device, MVGPU_REG_RING_SIZE), 0);
	/* the copy's late result must never land in VRAM */
	answer_uffd(0xab);
	usleep(200000);
	assert_int_equal(mt_region_read(dev.v.device, MVGPU_VRAM_BAR_INDEX,
					MT_DATA_OFF, &v, sizeof(v)), 0);
	if (v != 0)
		fail_msg("VRAM at the DMA target: expected 0 after reset, got 0x%08x",
			 v);
}

static void test_stalled_dma_reset_register(void **state)
{
	start_stalled_dma();
	assert_int_equal(run_op(do_reset_register, "BAR0 RESET"), 0);
	assert_false(mt_reg32(dev.v.device, MVGPU_REG_STATUS) &
		     MVGPU_STATUS_BUSY);
}

static void test_stalled_dma_bus_master_off(void **state)
{
	uint32_t status;
	uint64_t t0;

	start_stalled_dma();
	assert_int_equal(run_op(do_bus_master_off, "bus master off"), 0);
	/* the DMA is cancelled and faults as DMA with bus mastering off */
	t0 = mt_now_ns();
	do {
		status = mt_reg32(dev.v.device, MVGPU_REG_STATUS);
	} while (!(status & MVGPU_STATUS_FAULTED) && ms_since(t0) < PROMPT_MS);
	if (!(status & MVGPU_STATUS_FAULTED))
		fail_msg("expected a bus-master fault, status 0x%x", status);
	assert_int_equal(mt_reg32(dev.v.device, MVGPU_REG_FAULT_STATUS) &
			 MVGPU_FAULT_CODE_MASK, MVGPU_FAULT_BUS_MASTER);
}

static void test_stalled_dma_stop_then_resume(void **state)
{
	unsigned int i;

	start_stalled_dma();
	assert_int_equal(run_op(do_stop, "migration RUNNING->STOP"), 0);
	/* the cancelled chunk runs again when the vGPU runs again */
	answer_uffd(0x5a);
	assert_int_equal(mig_feature(dev.v.device, VFIO_DEVICE_STATE_RUNNING,
				     NULL), 0);
	assert_int_equal(mt_dev_wait_idle(&dev, 20000), 0);
	for (i = 0; i < LEN; i++)
		if (dev.vram[MT_DATA_OFF + i] != 0x5a)
			fail_msg("VRAM byte %u after the DMA ran again: expected 0x5a, got 0x%02x",
				 i, dev.vram[MT_DATA_OFF + i]);
}

static void test_stalled_dma_close_and_remove(void **state)
{
	char uuid[MT_UUID_LEN];
	uint64_t t0;

	start_stalled_dma();
	assert_int_equal(run_op(do_close, "close"), 0);
	memcpy(uuid, dev.uuid, sizeof(uuid));
	dev.uuid[0] = '\0';
	t0 = mt_now_ns();
	assert_int_equal(mt_remove(uuid), 0);
	if (ms_since(t0) > PROMPT_MS)
		fail_msg("remove after close took %llu ms, expected < %d ms",
			 (unsigned long long)ms_since(t0), PROMPT_MS);
}

/*
 * The worst order: the userfaultfd exists before the device is opened, so
 * at exit the device is released first; a killed client must be reaped.
 */
static void test_sigkill_stalled_client_is_reaped(void **state)
{
	char uuid[MT_UUID_LEN];
	int ready[2], status = 0;
	uint64_t t0;
	pid_t pid;
	char c;

	assert_int_equal(mt_create_new(0, 4, uuid), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	if (pid == 0) {
		struct mvgpu_cmd dma = { .opcode = MVGPU_OP_DMA_FROM_HOST,
					 .dst = MT_DATA_OFF, .src = IOVA,
					 .size = LEN };
		struct mt_dev d = { 0 };
		int fd;
		uint8_t *m;

		if (stall_memory(-1, &fd, &m))
			_exit(2);
		memcpy(d.uuid, uuid, sizeof(uuid));
		if (mt_dev_attach(&d) || map_dma(d.v.container, m) ||
		    mt_dev_submit(&d, &dma, 1) || !uffd_fault_seen(fd, 20000))
			_exit(3);
		c = 1;
		if (write(ready[1], &c, 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1) {
		waitpid(pid, &status, 0);
		fail_msg("the client did not get its DMA stuck (exit %d)",
			 WEXITSTATUS(status));
	}
	close(ready[0]);
	assert_admin_answers(uuid);
	t0 = mt_now_ns();
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, WNOHANG) == 0 &&
	       ms_since(t0) < 4 * PROMPT_MS)
		usleep(10000);
	if (!WIFSIGNALED(status))
		fail_msg("client killed with SIGKILL and stuck in DMA: not reaped after %llu ms",
			 (unsigned long long)ms_since(t0));
	printf("# SIGKILLed client with a stalled DMA reaped after %llu ms\n",
	       (unsigned long long)ms_since(t0));
	assert_int_equal(mt_remove(uuid), 0);
}

static void test_ring_registers_busy_during_dma(void **state)
{
	start_stalled_dma();
	assert_int_equal(mt_reg_write32(dev.v.device, MVGPU_REG_RING_SIZE, 0),
			 -EBUSY);
	assert_int_equal(mt_reg_write32(dev.v.device, MVGPU_REG_PT_ENTRIES, 0),
			 -EBUSY);
	assert_int_equal(mt_reg_write64(dev.v.device, MVGPU_REG_PT_BASE, 0),
			 -EBUSY);
	assert_int_equal(do_reset(), 0);
}

/* trigger and unmask on one eventfd: one interrupt per client unmask */
static void test_intx_shared_eventfd_does_not_loop(void **state)
{
	uint64_t before, after;
	int32_t fd;

	assert_int_equal(mt_dev_open(&dev, 0, 4), 0);
	assert_int_equal(mt_disable_irq(dev.v.device, VFIO_PCI_MSI_IRQ_INDEX), 0);
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(fd >= 0);
	assert_int_equal(mt_set_irq_eventfd(dev.v.device,
					    VFIO_PCI_INTX_IRQ_INDEX, fd), 0);
	assert_int_equal(mt_set_irqs(dev.v.device, VFIO_IRQ_SET_DATA_EVENTFD |
				     VFIO_IRQ_SET_ACTION_UNMASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &fd,
				     sizeof(fd)), 0);
	assert_int_equal(mt_vgpu_stat(dev.uuid, "interrupts", &before), 0);
	/* raised and never acknowledged: the line stays asserted */
	assert_int_equal(mt_reg_write32(dev.v.device, MVGPU_REG_INT_MASK, 0),
			 0);
	assert_int_equal(mt_reg_write32(dev.v.device, MVGPU_REG_SW_INT, 1), 0);
	sleep(1);
	assert_int_equal(mt_vgpu_stat(dev.uuid, "interrupts", &after), 0);
	printf("# shared trigger/unmask eventfd: %llu interrupts in 1 s\n",
	       (unsigned long long)(after - before));
	if (after - before < 1 || after - before > 2)
		fail_msg("interrupts delivered in 1 s: expected 1 (at most 2), got %llu",
			 (unsigned long long)(after - before));
	assert_int_equal(mt_disable_irq(dev.v.device, VFIO_PCI_INTX_IRQ_INDEX),
			 0);
	close(fd);
}

static void assert_log_bounded(const char *needle, unsigned int events,
			       uint64_t t0)
{
	unsigned int lines = mt_kmsg_count(needle);
	/* the kernel's default limit: a burst of 10 every 5 s */
	unsigned int bound = 10 * (ms_since(t0) / 5000 + 1) + 10;

	printf("# %u refused migration %s: %u log lines in %llu ms\n", events,
	       needle, lines, (unsigned long long)ms_since(t0));
	if (lines > bound)
		fail_msg("%u events printed %u lines \"%s\", expected at most %u",
			 events, lines, needle, bound);
}

static void test_migration_refusals_do_not_flood_the_log(void **state)
{
	static char buf[8192];
	unsigned int i;
	uint64_t t0;
	int fd = -1;

	assert_int_equal(mt_dev_open(&dev, 0, 4), 0);
	assert_int_equal(do_stop(), 0);
	assert_int_equal(mig_feature(dev.v.device, VFIO_DEVICE_STATE_RESUMING,
				     &fd), 0);

	mt_kmsg_mark();
	t0 = mt_now_ns();
	for (i = 0; i < 10000; i++) {
		/* longer than the whole stream */
		errno = 0;
		if (write(fd, buf, dev.vram_size + sizeof(buf)) >= 0 ||
		    errno != EINVAL)
			fail_msg("over-long write %u: expected -EINVAL, got errno %d",
				 i, errno);
	}
	assert_log_bounded("longer than the", 10000, t0);

	mt_kmsg_mark();
	t0 = mt_now_ns();
	for (i = 0; i < 1000; i++) {
		/* leaving RESUMING with an incomplete stream is refused */
		assert_int_equal(mig_feature(dev.v.device,
					     VFIO_DEVICE_STATE_STOP, NULL),
				 -EINVAL);
	}
	assert_log_bounded("bytes of the stream", 1000, t0);
	close(fd);

	mt_kmsg_mark();
	t0 = mt_now_ns();
	memset(buf, 0xff, sizeof(buf));
	for (i = 0; i < 1000; i++) {
		assert_int_equal(do_reset(), 0);
		assert_int_equal(do_stop(), 0);
		assert_int_equal(mig_feature(dev.v.device,
					     VFIO_DEVICE_STATE_RESUMING, &fd),
				 0);
		if (write(fd, buf, 64) >= 0 || errno != EINVAL)
			fail_msg("bad header %u: expected -EINVAL, got errno %d",
				 i, errno);
		close(fd);
	}
	assert_log_bounded("not an mvgpu", 1000, t0);
}

/* a closed and reopened vGPU shows the next owner zeros, never old bytes */
static void test_second_opener_reads_zeros(void **state)
{
	struct mvgpu_cmd fill[2] = {
		{ .opcode = MVGPU_OP_FILL, .dst = 0x400000, .size = 1 << 20,
		  .value = 0xdeadbeef },
		{ .opcode = MVGPU_OP_FENCE, .value = 1 },
	};
	uint32_t word = 0x12345678;
	uint64_t i, scrubs, ns, words;
	int status;
	pid_t pid;

	assert_int_equal(mt_dev_open(&dev, 0, 4), 0);
	memset(dev.vram + MT_DATA_OFF, 0xa5, 1 << 20);		/* mapping */
	assert_int_equal(mt_region_write(dev.v.device, MVGPU_VRAM_BAR_INDEX,
					 dev.vram_size - 4, &word, 4), 0);
	assert_int_equal(mt_dev_run(&dev, fill, 2, 20000), 0);	/* engine */
	munmap(dev.vram, dev.vram_size);
	dev.vram = NULL;
	close(dev.msi);
	dev.msi = -1;
	mt_vfio_close(&dev.v);

	assert_int_equal(mt_readf_u64(&scrubs, MT_MDEV_DEVICES "/%s/mvgpu/scrubs",
				      dev.uuid), 0);
	assert_int_equal(mt_readf_u64(&ns, MT_MDEV_DEVICES "/%s/mvgpu/scrub_last_ns",
				      dev.uuid), 0);
	assert_int_equal(scrubs, 1);
	printf("# scrub of %llu MiB at close: %llu us (%.2f GiB/s)\n",
	       (unsigned long long)(dev.vram_size >> 20),
	       (unsigned long long)ns / 1000,
	       ns ? (double)dev.vram_size / ns * 1e9 / (1 << 30) : 0);

	/* the next owner is another process */
	pid = fork();
	if (pid == 0) {
		struct mt_dev d = { 0 };
		const uint64_t *p;

		memcpy(d.uuid, dev.uuid, sizeof(d.uuid));
		if (mt_dev_attach(&d))
			_exit(2);
		p = (const uint64_t *)d.vram;
		words = d.vram_size / 8;
		/* the ring the attach just wrote is the only non-zero part */
		for (i = 0; i < words; i++) {
			uint64_t off = i * 8;

			if (off >= MT_RING_OFF && off < MT_RING_OFF + MT_RING_SIZE)
				continue;
			if (p[i]) {
				printf("# VRAM offset 0x%llx: expected 0, got 0x%016llx\n",
				       (unsigned long long)off,
				       (unsigned long long)p[i]);
				_exit(1);
			}
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("the second opener saw the first one's bytes (exit %d)",
			 WEXITSTATUS(status));
}

/* a client's comm is shown escaped: it cannot forge lines */
static void test_owner_comm_is_escaped(void **state)
{
	char path[256], owner[128], old[16];

	prctl(PR_GET_NAME, old);
	prctl(PR_SET_NAME, "ev\nil\033[2J");
	assert_int_equal(mt_dev_open(&dev, 0, 4), 0);
	prctl(PR_SET_NAME, old);
	snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/mvgpu/owner", dev.uuid);
	assert_int_equal(mt_read_str(path, owner, sizeof(owner)), 0);
	if (strchr(owner, '\n') || strchr(owner, '\033') ||
	    !strstr(owner, "ev\\nil\\e[2J"))
		fail_msg("owner: expected \"PID ev\\\\nil\\\\e[2J\", got \"%s\"",
			 owner);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_stalled_dma_reset, teardown),
		cmocka_unit_test_teardown(test_stalled_dma_reset_register,
					  teardown),
		cmocka_unit_test_teardown(test_stalled_dma_bus_master_off,
					  teardown),
		cmocka_unit_test_teardown(test_stalled_dma_stop_then_resume,
					  teardown),
		cmocka_unit_test_teardown(test_stalled_dma_close_and_remove,
					  teardown),
		cmocka_unit_test_teardown(test_sigkill_stalled_client_is_reaped,
					  teardown),
		cmocka_unit_test_teardown(test_ring_registers_busy_during_dma,
					  teardown),
		cmocka_unit_test_teardown(test_intx_shared_eventfd_does_not_loop,
					  teardown),
		cmocka_unit_test_teardown(test_migration_refusals_do_not_flood_the_log,
					  teardown),
		cmocka_unit_test_teardown(test_second_opener_reads_zeros,
					  teardown),
		cmocka_unit_test_teardown(test_owner_comm_is_escaped, teardown),
	};

	dev.msi = -1;
	return MT_RUN("hardening", tests, NULL, NULL);
}
