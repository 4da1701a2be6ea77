// SPDX-License-Identifier: GPL-2.0-only
/* A raw vGPU for engine tests; see struct mt_dev in mvgpu_test.h. */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mvgpu_test.h"

static uint64_t mt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

int mt_dev_ring_init(struct mt_dev *d)
{
	int ret;

	d->tail = 0;
	ret = mt_reg_write32(d->v.device, MVGPU_REG_RING_SIZE, 0);
	if (!ret)
		ret = mt_reg_write64(d->v.device, MVGPU_REG_RING_BASE,
				     MT_RING_OFF);
	if (!ret)
		ret = mt_reg_write32(d->v.device, MVGPU_REG_RING_SIZE,
				     MT_RING_SIZE);
	if (!ret)
		ret = mt_reg_write32(d->v.device, MVGPU_REG_INT_MASK, 0);
	return ret;
}

int mt_dev_attach(struct mt_dev *d)
{
	int ret;

	d->vram = MAP_FAILED;
	d->msi = -1;
	ret = mt_vfio_open(d->uuid, &d->v);
	if (ret)
		return ret;
	ret = mt_enable(d->v.device);
	if (ret)
		goto err;
	ret = mt_reg_read64(d->v.device, MVGPU_REG_VRAM_SIZE, &d->vram_size);
	if (ret)
		goto err;
	d->vram = mmap(NULL, d->vram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       d->v.device, MT_REGION(MVGPU_VRAM_BAR_INDEX));
	if (d->vram == MAP_FAILED) {
		ret = -errno;
		goto err;
	}
	d->msi = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->msi < 0) {
		ret = -errno;
		goto err;
	}
	ret = mt_set_irq_eventfd(d->v.device, VFIO_PCI_MSI_IRQ_INDEX, d->msi);
	if (!ret)
		ret = mt_dev_ring_init(d);
	if (ret)
		goto err;
	return 0;
err:
	if (d->vram != MAP_FAILED)
		munmap(d->vram, d->vram_size);
	d->vram = MAP_FAILED;
	if (d->msi >= 0)
		close(d->msi);
	d->msi = -1;
	mt_vfio_close(&d->v);
	return ret;
}

int mt_dev_open(struct mt_dev *d, unsigned int gpu, unsigned int divisor)
{
	int ret;

	memset(d, 0, sizeof(*d));
	d->v.container = d->v.group = d->v.device = -1;
	d->msi = -1;
	ret = mt_create_new(gpu, divisor, d->uuid);
	if (ret)
		return ret;
	ret = mt_dev_attach(d);
	if (ret)
		mt_remove(d->uuid);
	return ret;
}

void mt_dev_close(struct mt_dev *d)
{
	if (d->vram && d->vram != MAP_FAILED)
		munmap(d->vram, d->vram_size);
	d->vram = NULL;
	if (d->msi >= 0)
		close(d->msi);
	d->msi = -1;
	mt_vfio_close(&d->v);
	if (d->uuid[0])
		mt_remove(d->uuid);
	d->uuid[0] = '\0';
}

uint32_t mt_dev_ring_room(struct mt_dev *d)
{
	uint32_t head = 0, used;

	if (mt_reg_read32(d->v.device, MVGPU_REG_RING_HEAD, &head))
		return 0;
	used = (d->tail - head) & (MT_RING_SIZE - 1);
	return MT_RING_SIZE / MVGPU_CMD_SIZE - 1 - used / MVGPU_CMD_SIZE;
}

int mt_dev_submit(struct mt_dev *d, const struct mvgpu_cmd *cmds,
		  unsigned int n)
{
	unsigned int i;

	if (mt_dev_ring_room(d) < n)
		return -EAGAIN;
	for (i = 0; i < n; i++) {
		memcpy(d->vram + MT_RING_OFF + d->tail, &cmds[i],
		       sizeof(cmds[i]));
		d->tail = (d->tail + MVGPU_CMD_SIZE) & (MT_RING_SIZE - 1);
	}
	__sync_synchronize();
	return mt_reg_write32(d->v.device, MVGPU_REG_RING_TAIL, d->tail);
}

int mt_dev_wait_idle(struct mt_dev *d, int timeout_ms)
{
	uint64_t deadline = mt_now_ms() + timeout_ms;

	for (;;) {
		uint32_t status = 0, head = 0;

		if (mt_reg_read32(d->v.device, MVGPU_REG_STATUS, &status) ||
		    mt_reg_read32(d->v.device, MVGPU_REG_RING_HEAD, &head))
			return -EIO;
		if (status & MVGPU_STATUS_FAULTED)
			return -EIO;
		if (head == d->tail)
			return 0;
		if (mt_now_ms() > deadline)
			return -ETIMEDOUT;
		usleep(200);
	}
}

int mt_dev_run(struct mt_dev *d, const struct mvgpu_cmd *cmds,
	       unsigned int n, int timeout_ms)
{
	int ret = mt_dev_submit(d, cmds, n);

	return ret ? ret : mt_dev_wait_idle(d, timeout_ms);
}

int mt_dev_reset(struct mt_dev *d)
{
	int ret = mt_reg_write32(d->v.device, MVGPU_REG_RESET,
				 MVGPU_RESET_MAGIC);

	return ret ? ret : mt_dev_ring_init(d);
}
