// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scheduler benchmark, run inside the sandbox VM (bench/run, engines=1,
 * vram_mb=1024 so that a 1/64 vGPU has room for a FILL stream): every
 * figure that matters is a ratio of things measured side by side in one
 * run.  For 1, 4, 16 and 64 tenants (vGPUs of type mvgpu-N, each driven
 * by a MT_WL_STREAM_FILL tenant: 12 checked 16 MiB fill batches queued,
 * so the vGPU never waits for its process):
 *
 *   efficiency      bytes filled per wall second by the N vGPUs sharing
 *                   the engine / by vGPU 0 alone on it (goal >= 0.97 at
 *                   64).  All N stay backlogged; "alone" is vGPU 0 at
 *                   high priority, so the engine runs only it while the
 *                   others wait with full queues.  Alone and together
 *                   alternate over 2 PAIRS + 1 windows of WIN_MS, alone
 *                   first and last, so the host's drift falls on both;
 *                   the ratio is of the totals of each kind, and the
 *                   quartiles of each together window over the mean of
 *                   its two alone neighbours show the noise.  With 1
 *                   tenant the same alternation (high and normal
 *                   priority of one vGPU) measures the method's own
 *                   error.  Printed beside it: the same ratio of bytes
 *                   per ns of the driver's engine busy time, and the
 *                   driver's engine busy / wall of the alone and the
 *                   together windows (1: the engine never waited).
 *                   With more than one tenant, the efficiency again with
 *                   ALT_SLICE_US slices (the default is 10 ms): each
 *                   switch to another vGPU costs the engine time in that
 *                   vGPU's first chunks (its buffer is cold in the
 *                   emulated CPU's TLB and the host's caches, where vGPU
 *                   0 alone keeps its own warm; docs/performance.md), and
 *                   the two figures side by side show what shorter
 *                   slices cost
 *   fairness error  weights 1:2:3:4 repeated, best_effort, all tenants
 *                   backlogged over 4, 8 or 24 s (4, 16, 64 tenants): the
 *                   largest gap between a vGPU's share of the driver's
 *                   busy time and its weight's share, in percentage
 *                   points (goal <= 1 at 64), and the least
 *                   (busy + wait) / wall of any vGPU (1: always runnable)
 *   pick cost       ns per pick, from the driver's own counters
 *                   (sched_pick_ns / sched_picks) over the together windows
 *   mixed           12 vGPUs of 1/16: FILL, GEMM and DMA streams (chunks
 *                   of different lengths), weights 1:2:3:4 within each
 *                   kind, 8 s: each one's share of busy time (engine, and
 *                   its DMA thread's for DMA) against its weight's share
 *
 * The engine thread runs pinned to CPU 0, this process and its tenants
 * to CPU 1, so the engine's time is the GPU's and not shared with up to
 * 64 tenant processes; "verbose" as an argument prints every window.
 *
 * Then the latency of a NOP + FENCE round trip with its MSI eventfd, p50
 * and p99, alone and next to 63 busy neighbours under best_effort and
 * equal_share, against an eventfd ping-pong between two processes in the
 * same run, one on each CPU as the engine thread and the client are,
 * measured alone and again next to the 63 busy neighbours (the wakeup
 * costs the guest's CPUs add, which the GPU's schedule cannot remove; p99
 * over the second floor is the GPU's own part, set against one slice plus
 * one chunk).  The CPUs as above: the engine thread on CPU 0, the client
 * and the tenants on CPU 1.  The latency clients run SCHED_FIFO, so that
 * what is measured is the GPU's scheduling and not the guest CPUs' queue
 * of 63 tenant processes.  Beside each: the slices other vGPUs started during a round
 * trip (p50, p99, max over the samples; read from the GPU's sched_slices
 * just before the submission and just after the wakeup, so an upper
 * bound of the slices it waited behind) and the driver's max_wait_slices
 * of the latency vGPU (slices started while it was runnable and off the
 * engine: 0 means it never waited behind a whole slice).  "latency N"
 * runs this part only, with N samples per figure.
 */
#include <math.h>
#include <ctype.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mvgpu_test.h"

#define MAXN		64
#define LAT_SAMPLES	1000u
#define WIN_MS		100u	/* one efficiency window */
#define SETTLE_MS	20u	/* after vGPU 0's priority changed */
#define PAIRS		40u	/* together windows, each between two alone */
#define MIX_N		12u	/* mixed workloads: 4 FILL, 4 GEMM, 4 DMA */
#define MIX_MS		8000u
#define ALT_SLICE_US	2000u	/* the second efficiency figure's slice */

/* samples per latency figure: LAT_SAMPLES, or fewer after "latency" */
static unsigned int lat_samples = LAT_SAMPLES;

static char uuid[MAXN][MT_UUID_LEN];
static struct mt_tenant t[MAXN];
static pid_t eng_pid;		/* the engine thread */
static bool verbose;

/* Tenants [first, first + n) of workload wl */
static int start_tenants(unsigned int first, unsigned int n,
			 enum mt_workload wl)
{
	unsigned int i;

	for (i = first; i < first + n; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		if (mt_tenant_start(&t[i], uuid[i], wl))
			return -1;
		mt_tenant_go(&t[i]);
	}
	return 0;
}

static int stop_tenants(unsigned int first, unsigned int n)
{
	unsigned int i;
	int errors = 0;

	for (i = first; i < first + n; i++) {
		if (!t[i].st)
			continue;
		if (mt_tenant_stop(&t[i]) || t[i].st->errors)
			errors++;
		mt_tenant_free(&t[i]);
	}
	return errors;
}

static uint64_t gpu_u64(const char *name)
{
	uint64_t v = 0;

	mt_readf_u64(&v, MT_CLASS "/mvgpu0/%s", name);
	return v;
}

static uint64_t vgpu_u64(unsigned int i, const char *name)
{
	uint64_t v = 0;

	mt_vgpu_stat(uuid[i], name, &v);
	return v;
}

/* The thread's time on a CPU so far, ns (its schedstat) */
static void thread_run(pid_t pid, double *run)
{
	unsigned long long r = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llu", &r) != 1)
			r = 0;
		fclose(f);
	}
	*run = r;
}

/* The pid of the kernel thread named name, 0 if none */
static pid_t find_thread(const char *name)
{
	char path[64], comm[32];
	unsigned int pid;
	FILE *f;

	for (pid = 2; pid < 100000; pid++) {
		snprintf(path, sizeof(path), "/proc/%u/comm", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		if (!strcmp(comm, name))
			return pid;
	}
	return 0;
}

/* pid (0: this process) on cpu, or on every CPU with cpu < 0 */
static void pin(pid_t pid, int cpu)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN), i;
	cpu_set_t set;

	CPU_ZERO(&set);
	for (i = 0; i < n; i++)
		if (cpu < 0 || i == cpu)
			CPU_SET(i, &set);
	if (sched_setaffinity(pid, sizeof(set), &set))
		perror("sched_setaffinity");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* What the driver and the kernel counted at one moment */
struct snap {
	uint64_t ns, busy, picks, pick_ns, bytes;
	double run;
};

static void snap_take(struct snap *s, unsigned int n)
{
	unsigned int i;

	s->ns = mt_now_ns();
	s->busy = gpu_u64(MVGPU_ATTR_ENGINE_BUSY_NS);
	thread_run(eng_pid, &s->run);
	s->picks = gpu_u64(MVGPU_ATTR_SCHED_PICKS);
	s->pick_ns = gpu_u64(MVGPU_ATTR_SCHED_PICK_NS);
	s->bytes = 0;
	for (i = 0; i < n; i++)
		s->bytes += vgpu_u64(i, "bytes");
}

/* One window: what changed */
struct win {
	double wall, bytes, busy, run;
	uint64_t picks, pick_ns;
};

static void window(unsigned int n, unsigned int ms, struct win *w)
{
	struct snap a, b;

	snap_take(&a, n);
	usleep(ms * 1000);
	snap_take(&b, n);
	w->wall = b.ns - a.ns;
	w->bytes = b.bytes - a.bytes;
	w->busy = b.busy - a.busy;
	w->run = b.run - a.run;
	w->picks = b.picks - a.picks;
	w->pick_ns = b.pick_ns - a.pick_ns;
}

struct row {
	unsigned int n;
	double alone, together;		/* MiB/s over all their windows */
	double eff, eff_q1, eff_q3;	/* ratio of the totals; quartiles */
	double eff_busy;		/* the same of bytes per busy ns */
	double eff_alt, alt_q1, alt_q3;	/* with ALT_SLICE_US slices */
	double util_a, util_t;		/* busy / wall, alone, together */
	double util_min;		/* the least of any window */
	double err, backlog, pick_ns;
};

/*
 * Efficiency: all N tenants backlogged with FILL streams the whole time;
 * vGPU 0 at high priority (the engine runs it alone: the others wait
 * with their queues full) and back to normal (all N share the engine),
 * 2 PAIRS + 1 short windows, alone first and last, so that the host's
 * drift falls on both kinds alike.  The efficiency is the throughput of
 * all together windows over that of all alone ones; the quartiles of
 * each together window's ratio to the mean of its two neighbours show
 * the noise.
 */
static int efficiency(unsigned int n, struct row *row)
{
	struct win w[2 * PAIRS + 1], a = { 0 }, tg = { 0 };
	double r[PAIRS];
	unsigned int j;

	row->util_min = 10;
	sleep(1);
	for (j = 0; j < 2 * PAIRS + 1; j++) {
		bool alone = j % 2 == 0;
		struct win *sum = alone ? &a : &tg;

		if (mt_vgpu_set(uuid[0], "priority", alone ? "high" : "normal"))
			return -1;
		usleep(SETTLE_MS * 1000);
		window(n, WIN_MS, &w[j]);
		row->util_min = fmin(row->util_min, w[j].busy / w[j].wall);
		sum->wall += w[j].wall;
		sum->bytes += w[j].bytes;
		sum->busy += w[j].busy;
		sum->run += w[j].run;
		sum->picks += w[j].picks;
		sum->pick_ns += w[j].pick_ns;
		if (verbose)
			printf("    %2u %-8s %7.1f MiB/s, busy/wall %.3f, engine thread on a CPU %.3f, %llu picks\n",
			       n, alone ? "alone" : "together",
			       w[j].bytes / w[j].wall * 1e9 / 1048576,
			       w[j].busy / w[j].wall, w[j].run / w[j].wall,
			       (unsigned long long)w[j].picks);
	}
	/* vGPU 0's virtual runtime ran ahead: start everybody afresh */
	if (mt_vgpu_set(uuid[0], "priority", "normal") ||
	    mt_writef("equal_share", MT_CLASS "/mvgpu0/scheduler") ||
	    mt_writef("best_effort", MT_CLASS "/mvgpu0/scheduler"))
		return -1;
	for (j = 0; j < PAIRS; j++) {
		const struct win *p = &w[2 * j], *q = &w[2 * j + 2];
		double ra = (p->bytes / p->wall + q->bytes / q->wall) / 2;

		r[j] = ra > 0 ? w[2 * j + 1].bytes / w[2 * j + 1].wall / ra : 0;
	}
	qsort(r, PAIRS, sizeof(r[0]), cmp_double);
	row->eff_q1 = r[PAIRS / 4];
	row->eff_q3 = r[PAIRS - 1 - PAIRS / 4];
	row->alone = a.bytes / a.wall * 1e9 / 1048576;
	row->together = tg.bytes / tg.wall * 1e9 / 1048576;
	row->eff = row->together / row->alone;
	row->eff_busy = (tg.bytes / tg.busy) / (a.bytes / a.busy);
	row->util_a = a.busy / a.wall;
	row->util_t = tg.busy / tg.wall;
	row->pick_ns = tg.picks ? (double)tg.pick_ns / tg.picks : 0;
	return 0;
}

/*
 * Fairness: tenants [0, n) backlogged the whole window; each one's share
 * of the driver's busy time against its weight's share.  Returns the
 * largest gap in points; *backlog is the least (busy + wait) / wall of
 * any tenant, 1 when each was runnable all along.
 */
static double shares(unsigned int n, unsigned int ms, const unsigned int *wt,
		     double *got, double *busy_wait, double *backlog)
{
	uint64_t b0[MAXN], w0[MAXN], b1, w1, ns0, ns1;
	double total = 0, wsum = 0, err = 0;
	unsigned int i;

	ns0 = mt_now_ns();
	for (i = 0; i < n; i++) {
		b0[i] = vgpu_u64(i, "busy_ns");
		w0[i] = vgpu_u64(i, "wait_ns");
	}
	usleep(ms * 1000);
	ns1 = mt_now_ns();
	*backlog = 1e9;
	for (i = 0; i < n; i++) {
		b1 = vgpu_u64(i, "busy_ns");
		w1 = vgpu_u64(i, "wait_ns");
		got[i] = b1 - b0[i];
		total += got[i];
		wsum += wt[i];
		busy_wait[i] = (double)(b1 - b0[i] + w1 - w0[i]) / (ns1 - ns0);
		*backlog = fmin(*backlog, busy_wait[i]);
	}
	for (i = 0; i < n; i++) {
		got[i] = total > 0 ? got[i] / total : 0;
		err = fmax(err, fabs(got[i] - wt[i] / wsum));
	}
	return err * 100;
}

/* at 64: about 37 slices of each vGPU with 10 ms slices (190 with 2 ms) */
static unsigned int fair_ms(unsigned int n)
{
	return n >= 64 ? 24000 : n >= 16 ? 8000 : 4000;
}

static int run_tenants(unsigned int n, struct row *row)
{
	static const char *const weights[4] = { "1", "2", "3", "4" };
	unsigned int wt[MAXN], i;
	double got[MAXN], bw[MAXN];
	char slice[24], alt_slice[24];
	struct row lr;
	int errors = 0;

	mt_writef("best_effort", MT_CLASS "/mvgpu0/scheduler");
	snprintf(slice, sizeof(slice), "%llu",
		 (unsigned long long)gpu_u64("timeslice_us"));
	snprintf(alt_slice, sizeof(alt_slice), "%u", ALT_SLICE_US);
	for (i = 0; i < n; i++)
		if (mt_create_new(0, n, uuid[i])) {
			fprintf(stderr, "cannot create vGPU %u of type mvgpu-%u\n",
				i, n);
			goto fail;
		}
	row->n = n;
	if (start_tenants(0, n, MT_WL_STREAM_FILL) || efficiency(n, row))
		goto fail;
	row->err = 0;
	row->backlog = 1;
	row->eff_alt = row->alt_q1 = row->alt_q3 = 0;
	if (n > 1) {
		if (mt_writef(alt_slice, MT_CLASS "/mvgpu0/timeslice_us") ||
		    efficiency(n, &lr) ||
		    mt_writef(slice, MT_CLASS "/mvgpu0/timeslice_us"))
			goto fail;
		row->eff_alt = lr.eff;
		row->alt_q1 = lr.eff_q1;
		row->alt_q3 = lr.eff_q3;
		for (i = 0; i < n; i++) {
			wt[i] = i % 4 + 1;
			if (mt_vgpu_set(uuid[i], "weight", weights[i % 4]))
				goto fail;
		}
		sleep(1);
		row->err = shares(n, fair_ms(n), wt, got, bw, &row->backlog);
	}
	errors = stop_tenants(0, n);
	if (errors)
		printf("  %d tenants saw wrong results\n", errors);
	return errors ? -1 : 0;
fail:
	mt_writef(slice, MT_CLASS "/mvgpu0/timeslice_us");
	stop_tenants(0, n);
	return -1;
}

/*
 * Mixed workloads: MIX_N vGPUs of 1/16, FILL, GEMM and DMA streams side
 * by side, weights 1:2:3:4 within each kind; each one's share of the
 * driver's busy time (engine, plus its DMA thread's for DMA) against its
 * weight's share
 */
static int run_mixed(void)
{
	static const char *const weights[4] = { "1", "2", "3", "4" };
	static const char *const kind[3] = { "FILL", "GEMM", "DMA" };
	static const enum mt_workload wl[3] = {
		MT_WL_STREAM_FILL, MT_WL_STREAM_GEMM, MT_WL_STREAM_DMA
	};
	uint64_t j0[MIX_N], d0[MIX_N], e0[MIX_N], d1, e1;
	unsigned int wt[MIX_N], i;
	double got[MIX_N], bw[MIX_N], err, backlog, wsum = 0;
	int errors = 0;

	mt_writef("best_effort", MT_CLASS "/mvgpu0/scheduler");
	for (i = 0; i < MIX_N; i++) {
		wt[i] = i % 4 + 1;
		wsum += wt[i];
		if (mt_create_new(0, 16, uuid[i]) ||
		    mt_vgpu_set(uuid[i], "weight", weights[i % 4]) ||
		    start_tenants(i, 1, wl[i / 4]))
			goto fail;
	}
	sleep(1);
	for (i = 0; i < MIX_N; i++) {
		j0[i] = t[i].st->jobs;
		mt_readf_u64(&e0[i], MT_MDEV_DEVICES "/%s/" MVGPU_METER_DIR
			     "/engine_ns", uuid[i]);
		mt_readf_u64(&d0[i], MT_MDEV_DEVICES "/%s/" MVGPU_METER_DIR
			     "/dma_ns", uuid[i]);
	}
	err = shares(MIX_N, MIX_MS, wt, got, bw, &backlog);
	printf("\n  mixed workloads, %u vGPUs of 1/16, best_effort, %u s: share of busy time (engine + DMA thread)\n",
	       MIX_N, MIX_MS / 1000);
	printf("  %-4s %-5s %6s %7s %7s %8s %8s %8s %8s\n", "vGPU", "work",
	       "weight", "want %", "got %", "engine%", "dma%", "jobs/s",
	       "bsy+wait");
	for (i = 0; i < MIX_N; i++) {
		e1 = d1 = 0;
		mt_readf_u64(&e1, MT_MDEV_DEVICES "/%s/" MVGPU_METER_DIR
			     "/engine_ns", uuid[i]);
		mt_readf_u64(&d1, MT_MDEV_DEVICES "/%s/" MVGPU_METER_DIR
			     "/dma_ns", uuid[i]);
		printf("  %-4u %-5s %6u %7.2f %7.2f %8.2f %8.2f %8.1f %8.3f\n", i,
		       kind[i / 4], wt[i], wt[i] * 100 / wsum, got[i] * 100,
		       (e1 - e0[i]) * 100.0 / (MIX_MS * 1e6),
		       (d1 - d0[i]) * 100.0 / (MIX_MS * 1e6),
		       (t[i].st->jobs - j0[i]) * 1000.0 / MIX_MS, bw[i]);
	}
	printf("  fairness error %.2f points; least (busy + wait) / wall of a vGPU %.3f\n",
	       err, backlog);
	printf("  (engine%%, dma%%: its engine and DMA-thread time over the wall; jobs: 16 MiB fill batches,\n"
	       "   64x256x256 GEMMs, 1 MiB DMAs; bsy+wait: (busy + wait) / wall, 1: runnable all along)\n");
	errors = stop_tenants(0, MIX_N);
	mt_remove_all();
	if (errors)
		printf("  %d tenants saw wrong results\n", errors);
	return errors ? -1 : 0;
fail:
	stop_tenants(0, MIX_N);
	return -1;
}

/*
 * Throughput, fairness and mixed workloads: the engine thread on CPU 0,
 * this process and its tenants on CPU 1, so that the engine's time is
 * the GPU's and not shared with 64 tenant processes
 */
static int run_sched(struct row *rows)
{
	static const unsigned int ns[] = { 1, 4, 16, 64 };
	unsigned int k;
	int ret = -1;

	eng_pid = find_thread("mvgpu0-eng0");
	if (!eng_pid || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "needs engines=1 and 2 CPUs\n");
		return -1;
	}
	pin(eng_pid, 0);
	pin(0, 1);
	for (k = 0; k < 4; k++) {
		if (run_tenants(ns[k], &rows[k]))
			goto out;
		printf("  %2u tenants: %7.1f MiB/s, alone %7.1f: %.3f (quartiles %.3f..%.3f), per busy ns %.3f, busy/wall %.3f / %.3f (least %.3f), fairness %.2f, pick %.0f ns",
		       ns[k], rows[k].together, rows[k].alone, rows[k].eff,
		       rows[k].eff_q1, rows[k].eff_q3, rows[k].eff_busy,
		       rows[k].util_a, rows[k].util_t, rows[k].util_min,
		       rows[k].err, rows[k].pick_ns);
		if (ns[k] > 1)
			printf("; %u ms slices %.3f (%.3f..%.3f)",
			       ALT_SLICE_US / 1000, rows[k].eff_alt,
			       rows[k].alt_q1, rows[k].alt_q3);
		printf("\n");
		fflush(stdout);
		mt_remove_all();
	}
	ret = run_mixed();
out:
	mt_remove_all();
	pin(eng_pid, -1);
	pin(0, -1);
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void pctl(uint64_t *v, unsigned int n, double *p50, double *p99)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	*p50 = v[n / 2] / 1000.0;
	*p99 = v[n * 99 / 100] / 1000.0;
}

/* SCHED_FIFO for the latency client, or back to normal before forking */
static void realtime(bool on)
{
	struct sched_param sp = { .sched_priority = on ? 10 : 0 };

	if (sched_setscheduler(0, on ? SCHED_FIFO : SCHED_OTHER, &sp))
		perror("sched_setscheduler");
}

/*
 * eventfd ping-pong between two processes, the partner on CPU 0 (where
 * the engine thread runs) and this one on CPU 1 (where the latency client
 * runs): the floor of a wakeup that crosses CPUs, as the fence's does
 */
static void eventfd_floor(double *p50, double *p99)
{
	static uint64_t lat[LAT_SAMPLES];
	int ping = eventfd(0, 0), pong = eventfd(0, 0);
	uint64_t c = 1;
	unsigned int i;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		pin(0, 0);
		for (i = 0; i < lat_samples; i++)
			if (read(ping, &c, 8) != 8 || write(pong, &c, 8) != 8)
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < lat_samples; i++) {
		uint64_t t0 = mt_now_ns();

		if (write(ping, &c, 8) != 8 || read(pong, &c, 8) != 8)
			break;
		lat[i] = mt_now_ns() - t0;
	}
	waitpid(pid, NULL, 0);
	close(ping);
	close(pong);
	pctl(lat, i, p50, p99);
}

/* slices started on the GPU minus those of vGPU @id itself: others' slices */
static uint64_t others_slices(const char *id)
{
	uint64_t own = 0;

	mt_vgpu_stat(id, "slices", &own);
	return gpu_u64("sched_slices") - own;
}

struct lat {
	double p50, p99;	/* round trip, us */
	double w50, w99;	/* neighbours' slices started meanwhile */
	uint64_t wmax, max_wait;
};

/*
 * NOP + FENCE with an interrupt, waited for on the MSI eventfd.  Each
 * sample also counts the slices other vGPUs started between just before
 * the submission and just after the wakeup (an upper bound of how many
 * slices it waited behind: one is the slice in progress when it woke).
 */
static int fence_latency(struct mt_dev *d, struct lat *l)
{
	static uint64_t lat[LAT_SAMPLES], waited[LAT_SAMPLES];
	struct mvgpu_cmd cmds[2];
	unsigned int i;

	for (i = 0; i < lat_samples; i++) {
		struct pollfd p = { .fd = d->msi, .events = POLLIN };
		uint64_t t0, c, w0;

		memset(cmds, 0, sizeof(cmds));
		cmds[0].opcode = MVGPU_OP_NOP;
		cmds[1].opcode = MVGPU_OP_FENCE;
		cmds[1].flags = MVGPU_CMD_F_IRQ;
		cmds[1].value = i + 1;
		w0 = others_slices(d->uuid);
		t0 = mt_now_ns();
		if (mt_dev_submit(d, cmds, 2))
			return -1;
		if (poll(&p, 1, 5000) != 1 || read(d->msi, &c, 8) != 8)
			return -1;
		lat[i] = mt_now_ns() - t0;
		waited[i] = (others_slices(d->uuid) - w0) * 1000;
		mt_reg_write32(d->v.device, MVGPU_REG_INT_ACK, MVGPU_INT_ALL);
	}
	pctl(lat, lat_samples, &l->p50, &l->p99);
	pctl(waited, lat_samples, &l->w50, &l->w99);
	l->wmax = waited[lat_samples - 1] / 1000;
	return 0;
}

/*
 * Open a fresh 1/64 latency vGPU, measure it under @policy (NULL: as it
 * is) and read the driver's max_wait_slices of it
 */
static int latency_round(const char *policy, struct lat *l)
{
	struct mt_dev lat;
	int ret;

	if (policy)
		mt_writef(policy, MT_CLASS "/mvgpu0/scheduler");
	if (mt_dev_open(&lat, 0, 64))
		return -1;
	if (policy)
		sleep(1);
	ret = fence_latency(&lat, l);
	l->max_wait = 0;
	mt_vgpu_stat(lat.uuid, "max_wait_slices", &l->max_wait);
	mt_dev_close(&lat);
	return ret;
}

static void print_rows(const struct row *rows)
{
	unsigned int k;

	printf("\n  %-7s %10s %13s %8s %8s %8s %11s %8s %8s %8s %8s %13s\n",
	       "tenants", "efficiency", "(quartiles)", "per busy", "MiB/s",
	       "alone", "busy/wall", "fair err", "backlog", "pick ns",
	       "2 ms sl", "(quartiles)");
	for (k = 0; k < 4; k++) {
		printf("  %-7u %10.3f  %5.3f..%5.3f %8.3f %8.1f %8.1f %5.3f/%5.3f %8.2f %8.3f %8.0f",
		       rows[k].n, rows[k].eff, rows[k].eff_q1, rows[k].eff_q3,
		       rows[k].eff_busy, rows[k].together, rows[k].alone,
		       rows[k].util_a, rows[k].util_t, rows[k].err,
		       rows[k].backlog, rows[k].pick_ns);
		if (rows[k].n > 1)
			printf(" %8.3f  %5.3f..%5.3f\n", rows[k].eff_alt,
			       rows[k].alt_q1, rows[k].alt_q3);
		else
			printf(" %8s\n", "-");
	}
	printf("  efficiency: bytes filled per wall second by N vGPUs sharing the engine (MiB/s) / by vGPU 0\n"
	       "    alone on it (high priority, the others held back; alone), over %u together and %u alone\n"
	       "    windows of %u ms taken in turn; quartiles: of each together window over the mean of the two\n"
	       "    alone ones beside it (the noise); 1 tenant: the same with one vGPU (the method's own error)\n"
	       "  per busy: the same of bytes per ns of the driver's engine busy time\n"
	       "  2 ms sl: the efficiency again with %u ms slices (more switches, each of which costs the\n"
	       "    engine time in the next vGPU's first chunks: docs/performance.md)\n"
	       "  busy/wall: the driver's engine busy time / wall, alone / together windows (1: saturated)\n"
	       "  fair err: largest |share of busy time - weight share| in points, weights 1:2:3:4, over\n"
	       "    4/8/24 s at 4/16/64 tenants; backlog: least (busy + wait) / wall of a vGPU (1: always runnable)\n",
	       PAIRS, PAIRS + 1, WIN_MS, ALT_SLICE_US / 1000);
}

static void print_lat(const char *what, const struct lat *l)
{
	printf("  %-40s %9.1f %9.1f   %4.0f %4.0f %4llu   %llu\n", what, l->p50,
	       l->p99, l->w50, l->w99, (unsigned long long)l->wmax,
	       (unsigned long long)l->max_wait);
}

/*
 * "latency [SAMPLES]" as the arguments: the latency part only; "sched":
 * the rest only; "verbose" anywhere: each efficiency window
 */
int main(int argc, char **argv)
{
	bool lat_only = argc > 1 && !strcmp(argv[1], "latency");
	bool sched_only = argc > 1 && !strcmp(argv[1], "sched");
	struct row rows[4];
	double f50, f99, n50, n99;
	struct lat alone, be, eq;
	uint64_t engines, slice_us;
	unsigned int i;
	int a;

	if (lat_only && argc > 2 && isdigit((unsigned char)argv[2][0]))
		lat_samples = strtoul(argv[2], NULL, 0);
	if (lat_samples < 100 || lat_samples > LAT_SAMPLES) {
		fprintf(stderr, "samples: 100 to %u\n", LAT_SAMPLES);
		return 2;
	}

	for (a = 1; a < argc; a++)
		if (!strcmp(argv[a], "verbose"))
			verbose = true;
	engines = gpu_u64("engines");
	slice_us = gpu_u64("timeslice_us");
	printf("mvgpu scheduler benchmark: engines=%llu, time slice %llu us, streams of 16 MiB fill batches\n",
	       (unsigned long long)engines, (unsigned long long)slice_us);
	if (!lat_only && run_sched(rows))
		return 1;
	if (!lat_only)
		print_rows(rows);
	if (sched_only)
		return 0;

	/*
	 * latency: one vGPU of 1/64 next to 63 busy ones; a fresh latency
	 * vGPU for each measurement, so that each max_wait_slices is its own.
	 * The CPUs as above: the engine thread on CPU 0, the client and the
	 * tenants on CPU 1.
	 */
	eng_pid = find_thread("mvgpu0-eng0");
	if (!eng_pid || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "needs engines=1 and 2 CPUs\n");
		return 1;
	}
	pin(eng_pid, 0);
	pin(0, 1);
	realtime(true);	/* inherited by the floor's partner process */
	eventfd_floor(&f50, &f99);
	for (i = 1; i < MAXN; i++)
		if (mt_create_new(0, 64, uuid[i]))
			return 1;
	if (latency_round(NULL, &alone))
		return 1;
	realtime(false);	/* the tenants must not inherit it */
	if (start_tenants(1, MAXN - 1, MT_WL_FILL))
		return 1;
	realtime(true);
	eventfd_floor(&n50, &n99);
	if (latency_round("best_effort", &be) ||
	    latency_round("equal_share", &eq))
		return 1;
	mt_writef("best_effort", MT_CLASS "/mvgpu0/scheduler");
	realtime(false);
	stop_tenants(1, MAXN - 1);
	mt_remove_all();
	pin(eng_pid, -1);
	pin(0, -1);

	printf("\n  latency, NOP + FENCE to MSI eventfd        p50 us    p99 us   others' slices meanwhile   max_wait_slices\n");
	printf("                                                                p50  p99  max\n");
	printf("  %-40s %9.1f %9.1f\n", "eventfd ping-pong floor, CPU 0 to 1", f50, f99);
	print_lat("alone", &alone);
	printf("  %-40s %9.1f %9.1f\n", "the floor, 63 busy neighbours", n50, n99);
	print_lat("63 busy neighbours, best_effort", &be);
	print_lat("63 busy neighbours, equal_share", &eq);
	printf("  p99 with neighbours over the floor's with them: best_effort %.1f us, equal_share %.1f us\n"
	       "  (bound: one slice + one chunk, %llu us + a chunk)\n",
	       be.p99 - n99, eq.p99 - n99, (unsigned long long)slice_us);
	return 0;
}
