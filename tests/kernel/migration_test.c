// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live migration through the VFIO v2 protocol: a vGPU is stopped in the
 * middle of a long command, its state streamed out (STOP_COPY) and into a
 * second vGPU of the same type (RESUMING), which then finishes the work
 * from where the source stopped: VRAM, registers, config space and the
 * command in progress arrive bit for bit.  A stopped vGPU makes no
 * progress; streams for another type or backend, truncated, or with
 * invalid registers or command state are refused; sessions end with their
 * state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "mvgpu_test.h"

#define PT_OFF		0x80000ull
#define DATA_VA		0x100000ull
#define FILL_VA		0x800000ull
#define BIG_FILL	(48u << 20)

static struct mt_dev src, dst, other;

static int teardown(void **state)
{
	mt_dev_close(&src);
	mt_dev_close(&dst);
	mt_dev_close(&other);
	mt_remove_all();
	return 0;
}

static int feature(int device, uint32_t flags, void *data, size_t len)
{
	size_t argsz = sizeof(struct vfio_device_feature) + len;
	struct vfio_device_feature *f = calloc(1, argsz);
	int ret;

	f->argsz = argsz;
	f->flags = flags;
	memcpy(f->data, data, len);
	ret = ioctl(device, VFIO_DEVICE_FEATURE, f) ? -errno : 0;
	memcpy(data, f->data, len);
	free(f);
	return ret;
}

/* move to state; returns the data fd (or -1) or a negative errno */
static int set_state(int device, uint32_t state, int *data_fd)
{
	struct vfio_device_feature_mig_state mig = { .device_state = state };
	int ret = feature(device, VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &mig, sizeof(mig));

	if (data_fd)
		*data_fd = ret ? -1 : mig.data_fd;
	return ret;
}

static uint32_t get_state(int device)
{
	struct vfio_device_feature_mig_state mig = { 0 };

	assert_int_equal(feature(device, VFIO_DEVICE_FEATURE_GET |
				 VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &mig,
				 sizeof(mig)), 0);
	return mig.device_state;
}

static uint8_t *read_stream(int fd, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	uint8_t *buf = malloc(cap);
	ssize_t r;

	/* odd read sizes, to cross the header and page boundaries */
	assert_non_null(buf);
	while ((r = read(fd, buf + n, cap - n < 12345 ? cap - n : 12345)) > 0) {
		n += r;
		if (n == cap) {
			uint8_t *bigger = realloc(buf, cap * 2);

			assert_non_null(bigger);
			buf = bigger;
			cap *= 2;
		}
	}
	assert_int_equal(r, 0);
	*len = n;
	return buf;
}

static int write_stream(int fd, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len) {
		ssize_t w = write(fd, buf + n, len - n < 7777 ? len - n : 7777);

		if (w < 0)
			return -errno;
		n += w;
	}
	return 0;
}

/* where the context state (the CPU engine's) starts in a stream */
#define STATE_OFF	(sizeof(struct mvgpu_mig_header) + 256 + \
			 sizeof(struct mvgpu_mig_regs))

/* the source: paging on, data in VRAM, a long FILL and a fence queued */
static void prepare_source(void)
{
	uint64_t *pt = (uint64_t *)(src.vram + PT_OFF);
	struct mvgpu_cmd c[2];
	uint64_t i, pages = src.vram_size / 4096;

	/* identity map everything but page 0 */
	for (i = 0; i < pages && i < 0x4000; i++)
		pt[i] = i ? (i * 4096) | MVGPU_PTE_VALID | MVGPU_PTE_WRITE : 0;
	assert_int_equal(mt_reg_write32(src.v.device, MVGPU_REG_RING_SIZE, 0), 0);
	assert_int_equal(mt_reg_write64(src.v.device, MVGPU_REG_PT_BASE, PT_OFF), 0);
	assert_int_equal(mt_reg_write32(src.v.device, MVGPU_REG_PT_ENTRIES,
					pages), 0);
	assert_int_equal(mt_dev_ring_init(&src), 0);
	for (i = 0; i < 4 << 20; i += 4)
		*(uint32_t *)(src.vram + DATA_VA + i) = (uint32_t)(i * 2654435761u);
	assert_int_equal(mt_reg_write64(src.v.device, MVGPU_REG_SCRATCH,
					0x5ca1ab1e), 0);

	memset(c, 0, sizeof(c));
	c[0].opcode = MVGPU_OP_FILL;
	c[0].dst = FILL_VA;
	c[0].size = BIG_FILL;
	c[0].value = 0xfeedbeef;
	c[1].opcode = MVGPU_OP_FENCE;
	c[1].value = 77;
	c[1].flags = MVGPU_CMD_F_IRQ;
	assert_int_equal(mt_dev_submit(&src, c, 2), 0);
}

static void test_migrate_mid_command(void **state)
{
	struct vfio_device_feature_migration caps = { 0 };
	uint8_t cfg_src[256], cfg_dst[256], *stream;
	const struct mvgpu_mig_header *hdr;
	const struct mvgpu_mig_cpu_ctx *cpu;
	uint64_t bytes = 0, progress;
	uint32_t head;
	size_t len, expect;
	int fd, i;

	assert_int_equal(mt_dev_open(&src, 0, 4), 0);
	assert_int_equal(mt_dev_open(&dst, 0, 4), 0);
	assert_int_equal(feature(src.v.device, VFIO_DEVICE_FEATURE_GET |
				 VFIO_DEVICE_FEATURE_MIGRATION, &caps,
				 sizeof(caps)), 0);
	assert_int_equal(caps.flags, VFIO_MIGRATION_STOP_COPY);
	assert_int_equal(get_state(src.v.device), VFIO_DEVICE_STATE_RUNNING);

	prepare_source();
	/* stop it once the long fill has started */
	for (i = 0; i < 5000 && !bytes; i++) {
		assert_int_equal(mt_vgpu_stat(src.uuid, "bytes", &bytes), 0);
		usleep(1000);
	}
	assert_int_equal(set_state(src.v.device, VFIO_DEVICE_STATE_STOP, NULL), 0);
	head = mt_reg32(src.v.device, MVGPU_REG_RING_HEAD);
	assert_int_equal(mt_vgpu_stat(src.uuid, "bytes", &bytes), 0);
	print_message("stopped with %llu of %u bytes filled, head %u\n",
		      (unsigned long long)bytes, BIG_FILL, head);
	usleep(300 * 1000);
	/* stopped means stopped: no progress, even with work queued */
	assert_int_equal(mt_reg32(src.v.device, MVGPU_REG_RING_HEAD), head);
	assert_int_equal(mt_reg64(src.v.device, MVGPU_REG_FENCE), 0);
	assert_int_equal(mt_reg_write32(src.v.device, MVGPU_REG_RING_TAIL,
					src.tail), 0);
	usleep(100 * 1000);
	assert_int_equal(mt_reg32(src.v.device, MVGPU_REG_RING_HEAD), head);

	assert_int_equal(set_state(src.v.device, VFIO_DEVICE_STATE_STOP_COPY,
				   &fd), 0);
	assert_true(fd >= 0);
	stream = read_stream(fd, &len);
	hdr = (const struct mvgpu_mig_header *)stream;
	assert_int_equal(hdr->magic, MVGPU_MIG_MAGIC);
	assert_int_equal(hdr->version, MVGPU_MIG_VERSION);
	assert_string_equal(hdr->backend, "software");
	assert_int_equal(hdr->state_size, sizeof(struct mvgpu_mig_cpu_ctx));
	expect = STATE_OFF + hdr->state_size + src.vram_size;
	assert_int_equal(len, expect);
	/* the fill in progress, with how far it got */
	cpu = (const struct mvgpu_mig_cpu_ctx *)(stream + STATE_OFF);
	assert_int_equal(cpu->cmd_valid, 1);
	assert_int_equal(cpu->cmd.opcode, MVGPU_OP_FILL);
	assert_int_equal(cpu->cmd.size, BIG_FILL);
	assert_int_equal(cpu->regs.head, head);
	progress = cpu->cmd_progress;
	assert_true(progress > 0 && progress < BIG_FILL);
	assert_int_equal(progress % 4, 0);
	print_message("stream: fill at %llu of %u bytes\n",
		      (unsigned long long)progress, BIG_FILL);
	assert_int_equal(set_state(src.v.device, VFIO_DEVICE_STATE_STOP, NULL), 0);
	/* the session is over */
	assert_int_equal(read(fd, &i, 1), -1);
	assert_int_equal(errno, ENODEV);
	close(fd);

	/* RUNNING -> RESUMING passes through STOP */
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_RESUMING, &fd), 0);
	assert_int_equal(get_state(dst.v.device), VFIO_DEVICE_STATE_RESUMING);
	assert_int_equal(write_stream(fd, stream, len), 0);
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_RUNNING, NULL), 0);
	close(fd);

	/* the destination finishes the fill the source had started */
	dst.tail = mt_reg32(dst.v.device, MVGPU_REG_RING_TAIL);
	assert_int_equal(mt_dev_wait_idle(&dst, 60000), 0);
	assert_int_equal(mt_reg64(dst.v.device, MVGPU_REG_FENCE), 77);
	/* from where the source stopped, not from the start */
	assert_int_equal(mt_vgpu_stat(dst.uuid, "bytes", &bytes), 0);
	assert_int_equal(bytes, BIG_FILL - progress);
	assert_int_equal(mt_eventfd_wait(dst.msi, 5000, NULL), 1);
	for (i = 0; i < (int)(BIG_FILL / 4); i += 997)
		assert_int_equal(*(uint32_t *)(dst.vram + FILL_VA + i * 4),
				 0xfeedbeef);
	assert_memory_equal(dst.vram + DATA_VA, src.vram + DATA_VA, 4 << 20);
	assert_memory_equal(dst.vram + PT_OFF, src.vram + PT_OFF, 0x20000);
	assert_int_equal(mt_reg64(dst.v.device, MVGPU_REG_SCRATCH), 0x5ca1ab1e);
	assert_int_equal(mt_reg64(dst.v.device, MVGPU_REG_PT_BASE), PT_OFF);
	assert_int_equal(mt_reg32(dst.v.device, MVGPU_REG_PT_ENTRIES),
			 src.vram_size / 4096);
	assert_int_equal(mt_cfg_read(src.v.device, 0, cfg_src, 256), 0);
	assert_int_equal(mt_cfg_read(dst.v.device, 0, cfg_dst, 256), 0);
	/* all but the interrupt status bit: the destination's fence is done */
	cfg_src[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
	cfg_dst[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
	assert_memory_equal(cfg_src, cfg_dst, 256);

	/* and the source, resumed, finishes too */
	assert_int_equal(set_state(src.v.device, VFIO_DEVICE_STATE_RUNNING, NULL), 0);
	assert_int_equal(mt_dev_wait_idle(&src, 60000), 0);
	assert_int_equal(mt_reg64(src.v.device, MVGPU_REG_FENCE), 77);
	free(stream);
}

static void test_bad_streams_refused(void **state)
{
	struct mvgpu_mig_cpu_ctx *cpu;
	struct mvgpu_mig_header *hdr;
	uint8_t *stream, *bad;
	size_t len;
	int fd;

	assert_int_equal(mt_dev_open(&src, 0, 4), 0);
	assert_int_equal(mt_dev_open(&dst, 0, 4), 0);
	assert_int_equal(mt_dev_open(&other, 0, 8), 0);
	assert_int_equal(set_state(src.v.device, VFIO_DEVICE_STATE_STOP_COPY, &fd), 0);
	stream = read_stream(fd, &len);
	close(fd);
	assert_int_equal(set_state(src.v.device, VFIO_DEVICE_STATE_RUNNING, NULL), 0);

	/* another type: refused at the header */
	mt_kmsg_mark();
	assert_int_equal(set_state(other.v.device, VFIO_DEVICE_STATE_RESUMING, &fd), 0);
	assert_int_equal(write_stream(fd, stream, 64), -EINVAL);
	assert_true(mt_kmsg_contains("migration stream refused: from a 1/4 vGPU"));
	assert_int_equal(set_state(other.v.device, VFIO_DEVICE_STATE_RUNNING, NULL),
			 -EINVAL);
	assert_int_equal(get_state(other.v.device), VFIO_DEVICE_STATE_RESUMING);
	close(fd);
	/* a reset gets out of a failed resume */
	assert_int_equal(ioctl(other.v.device, VFIO_DEVICE_RESET), 0);
	assert_int_equal(get_state(other.v.device), VFIO_DEVICE_STATE_RUNNING);

	/* truncated */
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_RESUMING, &fd), 0);
	assert_int_equal(write_stream(fd, stream, len - 4096), 0);
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_STOP, NULL),
			 -EINVAL);
	/* too long */
	assert_int_equal(write_stream(fd, stream + len - 4096, 8192), -EINVAL);
	close(fd);
	assert_int_equal(ioctl(dst.v.device, VFIO_DEVICE_RESET), 0);

	/* garbage magic */
	bad = malloc(len);
	memcpy(bad, stream, len);
	bad[0] ^= 0xff;
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_RESUMING, &fd), 0);
	assert_int_equal(write_stream(fd, bad, len), -EINVAL);
	close(fd);
	assert_int_equal(ioctl(dst.v.device, VFIO_DEVICE_RESET), 0);

	/* another backend, or its state of another size: refused at the header */
	memcpy(bad, stream, len);
	hdr = (struct mvgpu_mig_header *)bad;
	memcpy(hdr->backend, "bochs", 6);
	mt_kmsg_mark();
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_RESUMING, &fd), 0);
	assert_int_equal(write_stream(fd, bad, 64), -EINVAL);
	assert_true(mt_kmsg_contains("migration stream refused: from a bochs GPU"));
	close(fd);
	assert_int_equal(ioctl(dst.v.device, VFIO_DEVICE_RESET), 0);
	memcpy(bad, stream, len);
	hdr->state_size += 8;
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_RESUMING, &fd), 0);
	assert_int_equal(write_stream(fd, bad, 64), -EINVAL);
	close(fd);
	assert_int_equal(ioctl(dst.v.device, VFIO_DEVICE_RESET), 0);

	/* a command in progress that no fetch would have taken */
	memcpy(bad, stream, len);
	cpu = (struct mvgpu_mig_cpu_ctx *)(bad + STATE_OFF);
	assert_int_equal(cpu->cmd_valid, 0);	/* stopped while idle */
	cpu->regs.ring_base = 0;		/* a valid ring, with the */
	cpu->regs.ring_size = 4096;		/* command at its head */
	cpu->regs.head = 0;
	cpu->regs.tail = 64;
	cpu->regs.faulted = 0;
	cpu->regs.fault_status = 0;
	cpu->cmd_valid = 1;
	cpu->cmd.opcode = MVGPU_OP_FILL;
	cpu->cmd.size = 4096;
	cpu->cmd_progress = 4096 + 4;	/* past its end */
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_RESUMING, &fd), 0);
	assert_int_equal(write_stream(fd, bad, len), 0);
	mt_kmsg_mark();
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_STOP, NULL),
			 -EINVAL);
	assert_true(mt_kmsg_contains("registers are not valid"));
	close(fd);
	assert_int_equal(ioctl(dst.v.device, VFIO_DEVICE_RESET), 0);

	/* registers that break the rules */
	memcpy(bad, stream, len);
	cpu = (struct mvgpu_mig_cpu_ctx *)(bad + STATE_OFF);
	cpu->regs.ring_size = 4096 + 64;
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_RESUMING, &fd), 0);
	assert_int_equal(write_stream(fd, bad, len), 0);
	mt_kmsg_mark();
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_STOP, NULL),
			 -EINVAL);
	assert_true(mt_kmsg_contains("registers are not valid"));
	close(fd);
	assert_int_equal(ioctl(dst.v.device, VFIO_DEVICE_RESET), 0);

	/* states that do not exist */
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_ERROR, NULL),
			 -EINVAL);
	assert_int_equal(set_state(dst.v.device, 42, NULL), -EINVAL);
	assert_int_equal(set_state(dst.v.device, VFIO_DEVICE_STATE_RUNNING_P2P, NULL),
			 -EINVAL);

	/* after all that the vGPUs still work */
	{
		struct mvgpu_cmd c = { .opcode = MVGPU_OP_FENCE, .value = 5 };

		assert_int_equal(mt_enable(dst.v.device), 0);
		assert_int_equal(mt_dev_ring_init(&dst), 0);
		assert_int_equal(mt_dev_run(&dst, &c, 1, 10000), 0);
		assert_int_equal(mt_reg64(dst.v.device, MVGPU_REG_FENCE), 5);
	}
	free(bad);
	free(stream);
}

static void test_session_ends_with_the_device(void **state)
{
	uint8_t b;
	int fd;

	assert_int_equal(mt_dev_open(&src, 0, 8), 0);
	assert_int_equal(set_state(src.v.device, VFIO_DEVICE_STATE_STOP_COPY, &fd), 0);
	assert_int_equal(read(fd, &b, 1), 1);
	/* a reset ends the session and runs the device again */
	assert_int_equal(ioctl(src.v.device, VFIO_DEVICE_RESET), 0);
	assert_int_equal(get_state(src.v.device), VFIO_DEVICE_STATE_RUNNING);
	assert_int_equal(read(fd, &b, 1), -1);
	assert_int_equal(errno, ENODEV);
	close(fd);
	/* an open session at close: the fd outlives the device, harmlessly */
	assert_int_equal(set_state(src.v.device, VFIO_DEVICE_STATE_STOP_COPY, &fd), 0);
	mt_dev_close(&src);
	assert_int_equal(read(fd, &b, 1), -1);
	assert_int_equal(errno, ENODEV);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_migrate_mid_command, teardown),
		cmocka_unit_test_teardown(test_bad_streams_refused, teardown),
		cmocka_unit_test_teardown(test_session_ends_with_the_device,
					  teardown),
	};

	src.msi = dst.msi = other.msi = -1;
	return MT_RUN("migration", tests, NULL, NULL);
}
