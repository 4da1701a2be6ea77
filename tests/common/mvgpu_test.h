/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the tests that run inside the sandbox VM against the real
 * module: sysfs, vGPU lifecycle, the raw VFIO uAPI and the kernel log.
 * Every helper returns 0 or a negative errno, never exits, so a test can
 * assert on the exact error.
 */
#ifndef MVGPU_TEST_H
#define MVGPU_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <cmocka.h>
#include <linux/vfio.h>

#include "mvgpu_uapi.h"

#define MT_CLASS	"/sys/class/mvgpu"
#define MT_MDEV_BUS	"/sys/class/mdev_bus"
#define MT_MDEV_DEVICES	"/sys/bus/mdev/devices"
#define MT_UUID_LEN	37

#define MT_REGION(index)	((uint64_t)(index) << 40)

/* sysfs */
int mt_read_str(const char *path, char *buf, size_t len);
int mt_read_u64(const char *path, uint64_t *val);
int mt_write_str(const char *path, const char *s);
int mt_readf_u64(uint64_t *val, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int mt_writef(const char *val, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool mt_exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The GPU the tests use as GPU gpu: mvgpuN, except that GPU 0 is the one
 * whose mdev parent is $MVGPU_TEST_PARENT when that is set (a PCI address
 * such as 0000:00:04.0, or mvgpuN), and GPU 1 the one of
 * $MVGPU_TEST_PARENT2, so one test binary runs against any backend's GPU.  mt_parent() is its mdev parent device (the directory
 * under MT_MDEV_BUS), mt_gpu_name() its class device (under MT_CLASS).
 */
const char *mt_parent(unsigned int gpu);
const char *mt_gpu_name(unsigned int gpu);

/* vGPUs: gpu is the parent index (mvgpuN), divisor 1, 2, 4, ... 64 */
void mt_uuid(char out[MT_UUID_LEN]);
int mt_create(unsigned int gpu, unsigned int divisor, const char *uuid);
int mt_create_new(unsigned int gpu, unsigned int divisor,
		  char uuid[MT_UUID_LEN]);
int mt_remove(const char *uuid);
int mt_remove_all(void);
int mt_available(unsigned int gpu, unsigned int divisor);
int mt_vgpu_stat(const char *uuid, const char *name, uint64_t *val);
int mt_vgpu_set(const char *uuid, const char *attr, const char *val);

/* The kernel log: mark where a test starts, then look after the mark */
void mt_kmsg_mark(void);
bool mt_kmsg_contains(const char *needle);
/* how many times needle occurs after the mark */
unsigned int mt_kmsg_count(const char *needle);

/* VFIO: container, group and device for one vGPU */
struct mt_vfio {
	int container;
	int group;
	int device;
	int group_id;
};

int mt_vfio_open(const char *uuid, struct mt_vfio *v);
void mt_vfio_close(struct mt_vfio *v);
int mt_iommu_group(const char *uuid);

int mt_region_read(int device, unsigned int index, uint64_t off, void *buf,
		   size_t len);
int mt_region_write(int device, unsigned int index, uint64_t off,
		    const void *buf, size_t len);
int mt_cfg_read(int device, uint32_t off, void *buf, size_t len);
int mt_cfg_write(int device, uint32_t off, const void *buf, size_t len);
int mt_cfg_write16(int device, uint32_t off, uint16_t val);
uint16_t mt_cfg_read16(int device, uint32_t off);
uint32_t mt_cfg_read32(int device, uint32_t off);
/* turn memory decoding and bus mastering on */
int mt_enable(int device);

int mt_reg_read32(int device, uint32_t off, uint32_t *val);
int mt_reg_write32(int device, uint32_t off, uint32_t val);
int mt_reg_read64(int device, uint32_t off, uint64_t *val);
int mt_reg_write64(int device, uint32_t off, uint64_t val);
uint32_t mt_reg32(int device, uint32_t off);	/* fails the test on error */
uint64_t mt_reg64(int device, uint32_t off);

/* eventfds bound with VFIO_DEVICE_SET_IRQS; -1 unbinds */
int mt_set_irq_eventfd(int device, unsigned int index, int fd);
int mt_set_irqs(int device, uint32_t flags, unsigned int index,
		uint32_t start, uint32_t count, const void *data,
		size_t data_len);
int mt_disable_irq(int device, unsigned int index);
/* wait for an eventfd: 1 signalled, 0 timed out */
int mt_eventfd_wait(int fd, int timeout_ms, uint64_t *count);

/*
 * A vGPU opened raw for engine tests: created, opened through VFIO, memory
 * and bus mastering on, VRAM mapped, MSI bound to an eventfd, all
 * interrupt causes unmasked, and a command ring at MT_RING_OFF.
 */
#define MT_RING_OFF	0x10000ull
#define MT_RING_SIZE	0x10000u	/* 1023 commands */
#define MT_DATA_OFF	0x100000ull	/* first byte free for test data */

struct mt_dev {
	char uuid[MT_UUID_LEN];
	struct mt_vfio v;
	uint8_t *vram;
	uint64_t vram_size;
	uint32_t tail;
	int msi;
};

int mt_dev_open(struct mt_dev *d, unsigned int gpu, unsigned int divisor);
int mt_dev_attach(struct mt_dev *d);	/* open an existing d->uuid */
void mt_dev_close(struct mt_dev *d);	/* also removes the vGPU */
int mt_dev_ring_init(struct mt_dev *d);
/* commands that still fit in the ring now */
uint32_t mt_dev_ring_room(struct mt_dev *d);
/* queue n commands and ring the doorbell; -EAGAIN without room */
int mt_dev_submit(struct mt_dev *d, const struct mvgpu_cmd *cmds,
		  unsigned int n);
/* wait until the ring is empty: 0, -EIO on a fault, -ETIMEDOUT */
int mt_dev_wait_idle(struct mt_dev *d, int timeout_ms);
/* submit and wait */
int mt_dev_run(struct mt_dev *d, const struct mvgpu_cmd *cmds,
	       unsigned int n, int timeout_ms);
int mt_dev_reset(struct mt_dev *d);	/* RESET register + ring again */

/* Tenant processes driving a vGPU with a workload; see mt_tenant.c */
enum mt_workload {
	MT_WL_FILL,	/* saturate the engine with checked FILL batches */
	MT_WL_JOBS,	/* small jobs one at a time, a few ms apart */
	MT_WL_BAD,	/* faulting commands in a loop, reset after each */
	/* a deep queue of checked jobs, one fence each */
	MT_WL_STREAM_FILL,	/* fill batches of 16 MiB */
	MT_WL_STREAM_GEMM,	/* int32 GEMMs, 64 x 256 x 256 */
	MT_WL_STREAM_DMA,	/* 1 MiB DMAs from host memory */
};

struct mt_tenant_stats {
	volatile int ready, go, stop;
	volatile int pause;		/* MT_WL_BAD: vGPU idle while set */
	volatile uint64_t max_jobs;	/* MT_WL_JOBS: stop after this many */
	volatile uint64_t jobs;		/* batches, jobs or fault cycles done */
	volatile uint64_t bytes;	/* bytes of completed, checked work */
	volatile uint64_t errors;	/* wrong results or failed calls */
	volatile uint64_t faults;
};

struct mt_tenant {
	pid_t pid;
	char uuid[MT_UUID_LEN];
	uint64_t max_jobs;
	struct mt_tenant_stats *st;	/* shared with the tenant process */
};

/* fork a tenant on an existing vGPU; it waits for mt_tenant_go() */
int mt_tenant_start(struct mt_tenant *t, const char *uuid,
		    enum mt_workload workload);
void mt_tenant_go(struct mt_tenant *t);
int mt_tenant_stop(struct mt_tenant *t);	/* its exit status */
void mt_tenant_free(struct mt_tenant *t);
uint64_t mt_now_ns(void);
/* SCHED_IDLE spinners on every CPU, see mt_tenant.c */
pid_t mt_cpu_warmers_start(void);
void mt_cpu_warmers_stop(pid_t pid);

/* run a whole test group with TAP output */
int mt_run(const char *name, const struct CMUnitTest *tests, size_t n,
	   CMFixtureFunction setup, CMFixtureFunction teardown);
#define MT_RUN(name, tests, setup, teardown) \
	mt_run(name, tests, sizeof(tests) / sizeof(tests[0]), setup, teardown)

#endif /* MVGPU_TEST_H */
