// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tenants for the scheduler tests and benchmarks: each is a process that
 * drives one vGPU raw (see struct mt_dev) with a workload until told to
 * stop, counting the work it got done and checking its results.
 *
 *   MT_WL_FILL   keeps the ring full: workload.h's fill batches, each
 *                closed by a fence; when a batch completes its buffer is
 *                checked (wl_fill_check) and another batch is queued
 *   MT_WL_JOBS   small jobs one at a time (a 64 KiB FILL and a fence),
 *                a few ms apart: the latency-sensitive tenant
 *   MT_WL_BAD    workload.h's bad commands that apply without paging
 *                (out-of-range addresses, garbage opcodes, huge sizes,
 *                bad dimensions, unmapped DMA) in a loop, resetting after
 *                each fault
 *   MT_WL_STREAM_FILL, MT_WL_STREAM_GEMM, MT_WL_STREAM_DMA
 *                a deep queue (MT_STREAM_DEPTH) of independent jobs, each
 *                its commands and a fence with an interrupt, topped up as
 *                they complete: workload.h's fill batch (WL_FILL_CMDS
 *                fills of one 1 MiB buffer), an int32 GEMM of
 *                MT_GEMM_M x MT_GEMM_N x MT_GEMM_K, or a 1 MiB DMA from
 *                host memory.  Every job is checked: a FILL's or a DMA's
 *                buffer by workload.h's sampling, two rows of a GEMM's
 *                product against the CPU's.  The queue holds far more
 *                work than a tenant's wake-up takes (12 fill batches are
 *                192 MiB), so its vGPU stays backlogged even when the
 *                tenant process waits for a CPU.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mvgpu_test.h"
#include "workload.h"

#define MT_JOB_SIZE		(64u << 10)

/* MT_WL_STREAM_*: fits a 1/64 vGPU of a 1 GiB GPU (16 MiB) */
#define MT_STREAM_DEPTH		12u	/* jobs queued: FILL, 192 MiB */
#define MT_STREAM_SLOTS		(MT_STREAM_DEPTH + 1)	/* buffers */
#define MT_STREAM_SIZE		WL_FILL_SIZE	/* a FILL's, a DMA's bytes */
#define MT_GEMM_M		64u
#define MT_GEMM_N		256u
#define MT_GEMM_K		256u
#define MT_GEMM_A		MT_DATA_OFF
#define MT_GEMM_B		(MT_GEMM_A + MT_GEMM_M * MT_GEMM_K * 4)
#define MT_GEMM_C		(MT_DATA_OFF + (1u << 20))	/* slot 0 */
#define MT_GEMM_C_SIZE		(MT_GEMM_M * MT_GEMM_N * 4)
#define MT_STREAM_IOVA		(1ull << 32)	/* host buffers for DMA */

static void mt_wait_event(struct mt_dev *d, int timeout_ms)
{
	struct pollfd p = { .fd = d->msi, .events = POLLIN };
	uint64_t c;

	if (poll(&p, 1, timeout_ms) > 0 && read(d->msi, &c, sizeof(c)) < 0)
		return;
	mt_reg_write32(d->v.device, MVGPU_REG_INT_ACK, MVGPU_INT_ALL);
}

/*
 * Wait up to @timeout_ms for the vGPU's interrupt, then read the last
 * fence it completed into @fence.  False when the read failed or the vGPU
 * faulted (counted in @st): the stream is over.
 */
static bool mt_wait_fence(struct mt_dev *d, int timeout_ms,
			  volatile struct mt_tenant_stats *st, uint64_t *fence)
{
	mt_wait_event(d, timeout_ms);
	if (mt_reg_read64(d->v.device, MVGPU_REG_FENCE, fence))
		return false;
	if (mt_reg32(d->v.device, MVGPU_REG_STATUS) & MVGPU_STATUS_FAULTED) {
		st->faults++;
		return false;
	}
	return true;
}

/* Several batches in flight, so the ring never drains while we check */
static void mt_run_fill(struct mt_dev *d, volatile struct mt_tenant_stats *st)
{
	struct mvgpu_cmd cmds[WL_FILL_CMDS + 1];
	uint32_t patterns[WL_FILL_SLOTS] = { 0 };
	uint64_t next = 1, done = 0;

	while (!st->stop) {
		uint64_t fence = 0;

		while (next <= done + WL_FILL_DEPTH) {
			unsigned int slot = next % WL_FILL_SLOTS;

			patterns[slot] = (uint32_t)(next * 0x9e3779b9u);
			wl_fill_batch(cmds, MT_DATA_OFF + slot * WL_FILL_SIZE,
				      patterns[slot]);
			memset(&cmds[WL_FILL_CMDS], 0, sizeof(cmds[0]));
			cmds[WL_FILL_CMDS].opcode = MVGPU_OP_FENCE;
			cmds[WL_FILL_CMDS].flags = MVGPU_CMD_F_IRQ;
			cmds[WL_FILL_CMDS].value = next;
			if (mt_dev_submit(d, cmds, WL_FILL_CMDS + 1))
				break;
			next++;
		}
		if (!mt_wait_fence(d, 50, st, &fence))
			break;
		while (done < fence) {
			unsigned int slot = ++done % WL_FILL_SLOTS;
			const uint32_t *p = (const uint32_t *)
				(d->vram + MT_DATA_OFF + slot * WL_FILL_SIZE);

			if (wl_fill_check(p, wl_fill_result(patterns[slot])))
				st->errors++;
			st->bytes += (uint64_t)WL_FILL_CMDS * WL_FILL_SIZE;
			st->jobs++;
		}
	}
}

/* What a stream tenant needs besides its vGPU */
struct mt_stream {
	enum mt_workload wl;
	uint32_t value[MT_STREAM_SLOTS];	/* FILL, DMA: the slot's */
	struct mvgpu_cmd cmds[WL_FILL_CMDS + 1];	/* the job's */
	uint32_t *a, *b;			/* GEMM: the CPU's copies */
	uint8_t *host;				/* DMA: one buffer per slot */
};

static int mt_stream_setup(struct mt_dev *d, struct mt_stream *s)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	const size_t host_size = (size_t)MT_STREAM_SLOTS * MT_STREAM_SIZE;
	uint32_t i;

	if (s->wl == MT_WL_STREAM_GEMM) {
		s->a = malloc(MT_GEMM_M * MT_GEMM_K * 4);
		s->b = malloc(MT_GEMM_K * MT_GEMM_N * 4);
		if (!s->a || !s->b)
			return -ENOMEM;
		for (i = 0; i < MT_GEMM_M * MT_GEMM_K; i++)
			s->a[i] = i * 0x9e3779b9u >> 20;
		for (i = 0; i < MT_GEMM_K * MT_GEMM_N; i++)
			s->b[i] = i * 0x85ebca6bu >> 20;
		memcpy(d->vram + MT_GEMM_A, s->a, MT_GEMM_M * MT_GEMM_K * 4);
		memcpy(d->vram + MT_GEMM_B, s->b, MT_GEMM_K * MT_GEMM_N * 4);
	}
	if (s->wl != MT_WL_STREAM_DMA)
		return 0;
	s->host = mmap(NULL, host_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->host == MAP_FAILED)
		return -errno;
	memset(s->host, 0, host_size);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)s->host;
	map.iova = MT_STREAM_IOVA;
	map.size = host_size;
	return ioctl(d->v.container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

/* Job seq into s->cmds; returns how many commands, *bytes its work */
static unsigned int mt_stream_job(struct mt_stream *s, uint64_t seq,
				  uint64_t *bytes)
{
	unsigned int slot = seq % MT_STREAM_SLOTS, n = 1;
	struct mvgpu_cmd *cmds = s->cmds;

	memset(cmds, 0, 2 * sizeof(cmds[0]));
	s->value[slot] = (uint32_t)(seq * 0x9e3779b9u);
	*bytes = MT_STREAM_SIZE;
	switch (s->wl) {
	case MT_WL_STREAM_GEMM:
		cmds[0].opcode = MVGPU_OP_GEMM_I32;
		cmds[0].dst = MT_GEMM_C + slot * MT_GEMM_C_SIZE;
		cmds[0].src = MT_GEMM_A;
		cmds[0].aux = MT_GEMM_B;
		cmds[0].m = MT_GEMM_M;
		cmds[0].n = MT_GEMM_N;
		cmds[0].k = MT_GEMM_K;
		*bytes = MT_GEMM_C_SIZE;
		break;
	case MT_WL_STREAM_DMA: {
		uint32_t *p = (uint32_t *)(s->host + slot * MT_STREAM_SIZE);
		unsigned int i;

		for (i = 0; i < MT_STREAM_SIZE / 4; i++)
			p[i] = s->value[slot];
		cmds[0].opcode = MVGPU_OP_DMA_FROM_HOST;
		cmds[0].dst = MT_DATA_OFF + slot * MT_STREAM_SIZE;
		cmds[0].src = MT_STREAM_IOVA + slot * MT_STREAM_SIZE;
		cmds[0].size = MT_STREAM_SIZE;
		break;
	}
	default:
		/* the slot filled WL_FILL_CMDS times: it ends with the last */
		wl_fill_batch(cmds, MT_DATA_OFF + slot * MT_STREAM_SIZE,
			      s->value[slot]);
		s->value[slot] = wl_fill_result(s->value[slot]);
		n = WL_FILL_CMDS;
		*bytes = (uint64_t)WL_FILL_CMDS * MT_STREAM_SIZE;
		break;
	}
	memset(&cmds[n], 0, sizeof(cmds[n]));
	cmds[n].opcode = MVGPU_OP_FENCE;
	cmds[n].flags = MVGPU_CMD_F_IRQ;
	cmds[n].value = seq;
	return n + 1;
}

/* Wrong words of completed job seq (GEMM: two of its rows) */
static unsigned int mt_stream_check(struct mt_dev *d, struct mt_stream *s,
				    uint64_t seq)
{
	unsigned int slot = seq % MT_STREAM_SLOTS;
	uint32_t row = (seq * 2) % MT_GEMM_M, first, want;
	const uint32_t *c;

	if (s->wl != MT_WL_STREAM_GEMM)
		return wl_fill_check((const uint32_t *)(d->vram + MT_DATA_OFF +
							slot * MT_STREAM_SIZE),
				     s->value[slot]);
	c = (const uint32_t *)(d->vram + MT_GEMM_C + slot * MT_GEMM_C_SIZE);
	return wl_gemm_check(s->a + row * MT_GEMM_K, s->b, c + row * MT_GEMM_N,
			     2, MT_GEMM_N, MT_GEMM_K, &first, &want);
}

static void mt_run_stream(struct mt_dev *d, volatile struct mt_tenant_stats *st,
			  enum mt_workload wl)
{
	struct mt_stream s = { .wl = wl };
	uint64_t next = 1, done = 0, bytes = 0;
	unsigned int n;

	if (mt_stream_setup(d, &s)) {
		st->errors++;
		goto out;
	}
	while (!st->stop) {
		uint64_t fence = 0;

		while (next <= done + MT_STREAM_DEPTH) {
			n = mt_stream_job(&s, next, &bytes);
			if (mt_dev_submit(d, s.cmds, n))
				break;
			next++;
		}
		if (!mt_wait_fence(d, 20, st, &fence))
			break;
		while (done < fence && fence < next) {
			if (mt_stream_check(d, &s, ++done))
				st->errors++;
			st->bytes += bytes;
			st->jobs++;
		}
	}
out:
	free(s.a);
	free(s.b);
}

static void mt_run_jobs(struct mt_dev *d, volatile struct mt_tenant_stats *st)
{
	struct mvgpu_cmd cmds[2];
	uint64_t seq = 0;

	memset(cmds, 0, sizeof(cmds));
	cmds[0].opcode = MVGPU_OP_FILL;
	cmds[0].dst = MT_DATA_OFF;
	cmds[0].size = MT_JOB_SIZE;
	cmds[1].opcode = MVGPU_OP_FENCE;
	cmds[1].flags = MVGPU_CMD_F_IRQ;

	while (!st->stop && (!st->max_jobs || st->jobs < st->max_jobs)) {
		uint64_t fence = 0;
		const uint32_t *p = (const uint32_t *)(d->vram + MT_DATA_OFF);

		cmds[0].value = (uint32_t)++seq;
		cmds[1].value = seq;
		if (mt_dev_submit(d, cmds, 2))
			break;
		while (fence < seq && !st->stop) {
			mt_wait_event(d, 50);
			if (mt_reg_read64(d->v.device, MVGPU_REG_FENCE, &fence))
				return;
		}
		if (fence >= seq) {
			if (p[0] != (uint32_t)seq ||
			    p[MT_JOB_SIZE / 4 - 1] != (uint32_t)seq)
				st->errors++;
			st->jobs++;
			st->bytes += MT_JOB_SIZE;
		}
		usleep(5000);
	}
}

static void mt_run_bad(struct mt_dev *d, volatile struct mt_tenant_stats *st)
{
	const struct wl_bad_env env = {
		.vram_size = d->vram_size,
		.paging = false,	/* raw: VA = VRAM offset */
		.buf_a = MT_DATA_OFF,
		.buf_b = MT_DATA_OFF + 0x10000,
		.buf_c = MT_DATA_OFF + 0x20000,
		.bad_iova = 0x7000000000ull,
	};
	struct mvgpu_cmd cmd;
	const char *what;
	unsigned int n = 0;

	while (!st->stop) {
		if (st->pause) {
			usleep(20 * 1000);
			continue;
		}
		if (wl_bad_cmd(n, &env, n * 0x9e3779b9u, &cmd, &what) ==
		    MVGPU_FAULT_NONE) {
			n++;
			continue;	/* needs paging */
		}
		n++;
		if (mt_dev_submit(d, &cmd, 1)) {
			st->errors++;
			break;
		}
		while (!st->stop &&
		       !(mt_reg32(d->v.device, MVGPU_REG_STATUS) &
			 MVGPU_STATUS_FAULTED))
			mt_wait_event(d, 50);
		if (mt_reg32(d->v.device, MVGPU_REG_FAULT_STATUS))
			st->faults++;
		if (mt_dev_reset(d)) {
			st->errors++;
			break;
		}
		st->jobs++;
	}
}

int mt_tenant_start(struct mt_tenant *t, const char *uuid,
		    enum mt_workload workload)
{
	t->st = mmap(NULL, sizeof(*t->st), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->st == MAP_FAILED)
		return -errno;
	memset((void *)t->st, 0, sizeof(*t->st));
	t->st->max_jobs = t->max_jobs;
	strcpy(t->uuid, uuid);

	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (t->pid == 0) {
		struct mt_dev d;

		memset(&d, 0, sizeof(d));
		strcpy(d.uuid, uuid);
		if (mt_dev_attach(&d)) {
			t->st->errors++;
			t->st->ready = 1;
			_exit(1);
		}
		t->st->ready = 1;
		while (!t->st->go && !t->st->stop)
			usleep(1000);
		switch (workload) {
		case MT_WL_FILL:
			mt_run_fill(&d, t->st);
			break;
		case MT_WL_JOBS:
			mt_run_jobs(&d, t->st);
			break;
		case MT_WL_BAD:
			mt_run_bad(&d, t->st);
			break;
		case MT_WL_STREAM_FILL:
		case MT_WL_STREAM_GEMM:
		case MT_WL_STREAM_DMA:
			mt_run_stream(&d, t->st, workload);
			break;
		}
		d.uuid[0] = '\0';	/* the parent removes the vGPU */
		mt_dev_close(&d);
		_exit(0);
	}
	while (!t->st->ready)
		usleep(1000);
	return t->st->errors ? -EIO : 0;
}

void mt_tenant_go(struct mt_tenant *t)
{
	t->st->go = 1;
}


int mt_tenant_stop(struct mt_tenant *t)
{
	int status = 0;

	if (t->pid <= 0)
		return 0;
	t->st->stop = 1;
	if (waitpid(t->pid, &status, 0) != t->pid)
		return -errno;
	t->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -EINTR;
}

void mt_tenant_free(struct mt_tenant *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
		t->pid = 0;
	}
	if (t->st && t->st != MAP_FAILED)
		munmap((void *)t->st, sizeof(*t->st));
	t->st = NULL;
}

/*
 * Keep every CPU busy at the lowest priority: the software GPU's engines
 * run measurably faster while the (virtual) CPUs around them are busy, so
 * a comparison of throughput between two phases keeps them busy in both.
 * SCHED_IDLE threads run only when nothing else wants the CPU.
 */
pid_t mt_cpu_warmers_start(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN), i;
	pid_t pid = fork();

	if (pid)
		return pid;
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (i = 1; i < n; i++)
		if (fork() == 0)
			break;
	{
		struct sched_param sp = { 0 };

		sched_setscheduler(0, SCHED_IDLE, &sp);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			;
	}
}

void mt_cpu_warmers_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

uint64_t mt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}
