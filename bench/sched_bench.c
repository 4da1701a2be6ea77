// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scheduler benchmark, run inside the sandbox VM (bench/run, engines=1,
 * vram_mb=1024 so that a 1/64 vGPU has room for the FILL tenant): every
 * figure that matters is a ratio of things measured side by side in one
 * run.  For 1, 4, 16 and 64 tenants (vGPUs of type mvgpu-N):
 *
 *   efficiency      aggregate throughput of N vGPUs sharing the engine /
 *                   throughput of one of them alone (time slicing and
 *                   context switch cost; goal >= 0.97 at 64)
 *   fairness error  weights 1:2:3:4 repeated, best_effort: the largest gap
 *                   between a vGPU's share of engine time and its weight's
 *                   share, in percentage points (goal <= 1 at 64)
 *   pick cost       ns per pick, from the driver's own counters
 *                   (sched_pick_ns / sched_picks) over the N-tenant window
 *
 * and the latency of a NOP + FENCE round trip with its MSI eventfd, p50
 * and p99, alone and next to 63 busy neighbours under best_effort and
 * equal_share, against an eventfd ping-pong between two processes in the
 * same run.  The latency clients run SCHED_FIFO, so that what is measured
 * is the GPU's scheduling and not the guest CPUs' queue of 63 tenant
 * processes; the driver's max_wait_slices of the latency vGPU is printed
 * beside it.  Alone and together alternate over ROUNDS rounds so drifts
 * of the host's speed fall on both.
 */
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

#define WINDOW_MS	3000
#define MAXN		64
#define LAT_SAMPLES	1000

/* samples per latency figure: LAT_SAMPLES, or fewer after "latency" */
static unsigned int lat_samples = LAT_SAMPLES;
#define ROUNDS		2

static char uuid[MAXN][MT_UUID_LEN];
static struct mt_tenant t[MAXN];

static double window_rate(unsigned int first, unsigned int n)
{
	uint64_t b0 = 0, b1 = 0, t0, t1;
	unsigned int i;

	usleep(500 * 1000);
	t0 = mt_now_ns();
	for (i = first; i < first + n; i++)
		b0 += t[i].st->bytes;
	usleep(WINDOW_MS * 1000);
	t1 = mt_now_ns();
	for (i = first; i < first + n; i++)
		b1 += t[i].st->bytes;
	return (b1 - b0) / ((t1 - t0) / 1e9);
}

static int start_tenants(unsigned int first, unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		if (mt_tenant_start(&t[i], uuid[i], MT_WL_FILL))
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

struct row {
	unsigned int n;
	double alone, together, err, pick_ns;
};

static int run_tenants(unsigned int n, struct row *row)
{
	static const char *const weights[4] = { "1", "2", "3", "4" };
	uint64_t busy0[MAXN], busy1[MAXN], ns0, ns1, picks = 0, pick_ns = 0;
	double total = 0, wsum = 0;
	unsigned int i, r;
	int errors = 0;

	mt_writef("best_effort", MT_CLASS "/mvgpu0/scheduler");
	for (i = 0; i < n; i++)
		if (mt_create_new(0, n, uuid[i])) {
			fprintf(stderr, "cannot create vGPU %u of type mvgpu-%u\n",
				i, n);
			return -1;
		}
	row->n = n;
	row->alone = row->together = 0;
	for (r = 0; r < ROUNDS; r++) {
		uint64_t a0, a1;

		if (start_tenants(0, 1))
			return -1;
		row->alone += window_rate(0, 1) / ROUNDS;
		errors += stop_tenants(0, 1);
		if (n == 1)
			continue;
		if (start_tenants(0, n))
			return -1;
		a0 = gpu_u64("sched_picks");
		ns0 = gpu_u64("sched_pick_ns");
		row->together += window_rate(0, n) / ROUNDS;
		a1 = gpu_u64("sched_picks");
		ns1 = gpu_u64("sched_pick_ns");
		picks += a1 - a0;
		pick_ns += ns1 - ns0;
		errors += stop_tenants(0, n);
	}
	if (n == 1)
		row->together = row->alone;
	row->pick_ns = picks ? (double)pick_ns / picks : 0;

	row->err = 0;
	if (n > 1) {
		for (i = 0; i < n; i++) {
			mt_vgpu_set(uuid[i], "weight", weights[i % 4]);
			wsum += i % 4 + 1;
		}
		if (start_tenants(0, n))
			return -1;
		sleep(1);
		for (i = 0; i < n; i++)
			mt_vgpu_stat(uuid[i], "busy_ns", &busy0[i]);
		usleep(2 * WINDOW_MS * 1000);
		for (i = 0; i < n; i++) {
			mt_vgpu_stat(uuid[i], "busy_ns", &busy1[i]);
			total += busy1[i] - busy0[i];
		}
		errors += stop_tenants(0, n);
		for (i = 0; i < n && total > 0; i++) {
			double want = (i % 4 + 1) / wsum;
			double share = (busy1[i] - busy0[i]) / total;
			double gap = share > want ? share - want : want - share;

			row->err = gap > row->err ? gap : row->err;
		}
	}
	if (errors)
		printf("  %d tenants saw wrong results\n", errors);
	return errors ? -1 : 0;
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

/* eventfd ping-pong between two processes: the floor of a wakeup */
static void eventfd_floor(double *p50, double *p99)
{
	static uint64_t lat[LAT_SAMPLES];
	int ping = eventfd(0, 0), pong = eventfd(0, 0);
	uint64_t c = 1;
	unsigned int i;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
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

static void print_lat(const char *what, const struct lat *l)
{
	printf("  %-40s %9.1f %9.1f   %4.0f %4.0f %4llu   %llu\n", what, l->p50,
	       l->p99, l->w50, l->w99, (unsigned long long)l->wmax,
	       (unsigned long long)l->max_wait);
}

/* "latency [SAMPLES]" as the arguments: the latency part only */
int main(int argc, char **argv)
{
	bool lat_only = argc > 1 && !strcmp(argv[1], "latency");
	static const unsigned int ns[] = { 1, 4, 16, 64 };
	struct row rows[4];
	double f50, f99;
	struct lat alone, be, eq;
	uint64_t engines, slice_us;

	if (lat_only && argc > 2)
		lat_samples = strtoul(argv[2], NULL, 0);
	if (lat_samples < 100 || lat_samples > LAT_SAMPLES) {
		fprintf(stderr, "samples: 100 to %u\n", LAT_SAMPLES);
		return 2;
	}
	unsigned int k, i;

	engines = gpu_u64("engines");
	slice_us = gpu_u64("timeslice_us");
	printf("mvgpu scheduler benchmark: engines=%llu, time slice %llu us, FILL batches of 16 MiB\n",
	       (unsigned long long)engines, (unsigned long long)slice_us);
	for (k = 0; k < 4 && !lat_only; k++) {
		if (run_tenants(ns[k], &rows[k]))
			return 1;
		printf("  %2u tenants: alone %7.1f MiB/s, together %7.1f MiB/s, pick %.0f ns\n",
		       ns[k], rows[k].alone / 1048576,
		       rows[k].together / 1048576, rows[k].pick_ns);
		mt_remove_all();
	}

	/*
	 * latency: one vGPU of 1/64 next to 63 busy ones; a fresh latency
	 * vGPU for each measurement, so that each max_wait_slices is its own
	 */
	realtime(true);	/* inherited by the floor's partner process */
	eventfd_floor(&f50, &f99);
	for (i = 1; i < MAXN; i++)
		if (mt_create_new(0, 64, uuid[i]))
			return 1;
	if (latency_round(NULL, &alone))
		return 1;
	realtime(false);	/* the tenants must not inherit it */
	if (start_tenants(1, MAXN - 1))
		return 1;
	realtime(true);
	if (latency_round("best_effort", &be) ||
	    latency_round("equal_share", &eq))
		return 1;
	mt_writef("best_effort", MT_CLASS "/mvgpu0/scheduler");
	realtime(false);
	stop_tenants(1, MAXN - 1);
	mt_remove_all();

	printf("\n  %-8s %10s %10s %12s %10s\n", "tenants", "efficiency",
	       "fair err", "pick ns", "MiB/s");
	for (k = 0; k < 4 && !lat_only; k++)
		printf("  %-8u %10.3f %10.2f %12.0f %10.1f\n", rows[k].n,
		       rows[k].together / rows[k].alone, rows[k].err * 100,
		       rows[k].pick_ns, rows[k].together / 1048576);
	printf("  (efficiency: together / one alone; fair err: percentage points, weights 1:2:3:4)\n");
	printf("\n  latency, NOP + FENCE to MSI eventfd        p50 us    p99 us   others' slices meanwhile   max_wait_slices\n");
	printf("                                                                p50  p99  max\n");
	printf("  %-40s %9.1f %9.1f\n", "eventfd ping-pong floor", f50, f99);
	print_lat("alone", &alone);
	print_lat("63 busy neighbours, best_effort", &be);
	print_lat("63 busy neighbours, equal_share", &eq);
	printf("  (bound for p99 with neighbours: one slice + one chunk, %llu us + a chunk)\n",
	       (unsigned long long)slice_us);
	return 0;
}
