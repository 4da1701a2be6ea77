// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trap path and fault path benchmark, run inside the sandbox VM (bench/run).
 * Every figure that matters is a ratio to something measured side by side
 * in the same run; absolute numbers are printed for the record only.
 *
 *   config read       4-byte pread of config space / 4-byte pread of
 *                     /dev/zero (the syscall floor)
 *   BAR0 read         4-byte pread of a BAR0 register / the floor
 *   BAR0 write+read   a 4-byte pwrite and pread of SCRATCH / two floor
 *                     preads
 *   VRAM first touch  one write per page over a fresh mapping of the whole
 *                     VRAM BAR: pages/s, time for the BAR, faults taken;
 *                     against the first touch of as much anonymous memory
 *   memcpy            through the (populated) VRAM mapping / between two
 *                     anonymous buffers
 *
 * Each figure is the median of ROUNDS rounds; the operations of a round
 * are interleaved so drifts of the host fall on all of them.
 *
 *   trap_bench                      a new mvgpu-8 vGPU (32 MiB BAR) on
 *                                   GPU 0, or on the GPU whose parent is
 *                                   $MVGPU_TEST_PARENT (bench/pci.sh);
 *                                   $MVGPU_BENCH_NAME names its row
 *   trap_bench NAME UUID BAR OFF VRAM
 *                                   any other mdev (the kernel's samples,
 *                                   see bench/trap.sh): 4-byte accesses at
 *                                   OFF of region BAR, first touch of
 *                                   region VRAM (-1: none)
 *
 * Each run ends with a "ROW" line that bench/trap.sh puts in its table.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mvgpu_test.h"

#define ROUNDS		5
#define OPS		20000
#define PAGE		4096ul

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* ops/s of n preads of 4 bytes at off of fd */
static double pread_rate(int fd, off_t off, unsigned int n)
{
	uint64_t t0 = mt_now_ns(), t1;
	uint32_t v;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (pread(fd, &v, 4, off) != 4) {
			perror("pread");
			exit(1);
		}
	t1 = mt_now_ns();
	return n / ((t1 - t0) / 1e9);
}

/* write+read pairs/s at off; check: the value must read back */
static double scratch_rate(int fd, off_t off, bool check, unsigned int n)
{
	uint64_t t0 = mt_now_ns(), t1;
	uint32_t v;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (pwrite(fd, &i, 4, off) != 4 || pread(fd, &v, 4, off) != 4 ||
		    (check && v != i)) {
			fprintf(stderr, "SCRATCH write+read failed at %u\n", i);
			exit(1);
		}
	t1 = mt_now_ns();
	return n / ((t1 - t0) / 1e9);
}

/* pages/s of first touching a fresh mapping; *ns the whole time */
static double touch_rate(uint8_t *p, size_t len, uint64_t *ns)
{
	uint64_t t0 = mt_now_ns();
	size_t off;

	for (off = 0; off < len; off += PAGE)
		p[off] = (uint8_t)off;
	*ns = mt_now_ns() - t0;
	return (len / PAGE) / (*ns / 1e9);
}

static double copy_rate(void *dst, const void *src, size_t len)
{
	uint64_t t0 = mt_now_ns();
	unsigned int i;

	for (i = 0; i < 4; i++)
		memcpy(dst, src, len);
	return 4.0 * len / ((mt_now_ns() - t0) / 1e9);
}

struct target {
	const char *name;
	const char *uuid;		/* for vram_faults: mvgpu only */
	int fd;
	off_t cfg, bar, wr, vram;	/* file offsets; vram < 0: none */
	bool check;
	uint64_t vram_size;
};

static int region(int fd, unsigned int index, off_t *off, uint64_t *size)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return -1;
	*off = ri.offset;
	if (size)
		*size = ri.size;
	return 0;
}

static int measure(struct target *tg);

int main(int argc, char **argv)
{
	struct target tg = { 0 };
	struct mt_vfio v;
	struct mt_dev d;
	int ret;

	if (argc == 6) {
		int vram = atoi(argv[5]);

		tg.name = argv[1];
		if (mt_vfio_open(argv[2], &v) ||
		    region(v.device, VFIO_PCI_CONFIG_REGION_INDEX, &tg.cfg, NULL) ||
		    region(v.device, atoi(argv[3]), &tg.bar, NULL)) {
			fprintf(stderr, "%s: cannot open %s or its regions\n",
				argv[1], argv[2]);
			return 1;
		}
		tg.fd = v.device;
		tg.bar += strtoul(argv[4], NULL, 0);
		tg.wr = tg.bar;
		tg.vram = -1;
		if (vram >= 0 &&
		    region(v.device, vram, &tg.vram, &tg.vram_size))
			return 1;
		ret = measure(&tg);
		mt_vfio_close(&v);
		return ret;
	}
	if (mt_dev_open(&d, 0, 8)) {
		fprintf(stderr, "cannot open a vGPU\n");
		return 1;
	}
	tg.name = getenv("MVGPU_BENCH_NAME") ? getenv("MVGPU_BENCH_NAME") :
		  "mvgpu";
	tg.uuid = d.uuid;
	tg.fd = d.v.device;
	tg.cfg = MT_REGION(VFIO_PCI_CONFIG_REGION_INDEX);
	tg.bar = MT_REGION(MVGPU_BAR0_INDEX) + MVGPU_REG_ID;
	tg.wr = MT_REGION(MVGPU_BAR0_INDEX) + MVGPU_REG_SCRATCH;
	tg.check = true;
	tg.vram = MT_REGION(MVGPU_VRAM_BAR_INDEX);
	tg.vram_size = d.vram_size;
	ret = measure(&tg);
	mt_dev_close(&d);
	return ret;
}

static int measure(struct target *tg)
{
	double floor_r[ROUNDS], cfg_r[ROUNDS], bar_r[ROUNDS], wr_r[ROUNDS];
	double cfg_x[ROUNDS], bar_x[ROUNDS], wr_x[ROUNDS];
	double touch[ROUNDS], anon_touch[ROUNDS], touch_x[ROUNDS];
	double faults_per[ROUNDS], cp_x[ROUNDS], cp_vram[ROUNDS];
	double touch_ms[ROUNDS];
	uint64_t vram_size = tg->vram_size;
	unsigned int r;
	int zero, fd = tg->fd;

	zero = open("/dev/zero", O_RDONLY);
	if (zero < 0) {
		perror("/dev/zero");
		return 1;
	}

	for (r = 0; r < ROUNDS; r++) {
		uint8_t *map, *anon, *anon2;
		uint64_t f0, f1, ns;

		floor_r[r] = pread_rate(zero, 0, OPS);
		cfg_r[r] = pread_rate(fd, tg->cfg, OPS);
		bar_r[r] = pread_rate(fd, tg->bar, OPS);
		wr_r[r] = scratch_rate(fd, tg->wr, tg->check, OPS / 2);
		floor_r[r] = (floor_r[r] + pread_rate(zero, 0, OPS)) / 2;
		cfg_x[r] = cfg_r[r] / floor_r[r];
		bar_x[r] = bar_r[r] / floor_r[r];
		/* a pair is two syscalls: against two floor preads */
		wr_x[r] = wr_r[r] * 2 / floor_r[r];

		if (tg->vram < 0)
			continue;
		/* first touch: a fresh mapping of the whole BAR each round */
		map = mmap(NULL, vram_size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, fd, tg->vram);
		anon = mmap(NULL, vram_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		anon2 = mmap(NULL, vram_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED || anon == MAP_FAILED ||
		    anon2 == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		f0 = f1 = 0;
		if (tg->uuid)
			mt_vgpu_stat(tg->uuid, "vram_faults", &f0);
		touch[r] = touch_rate(map, vram_size, &ns);
		touch_ms[r] = ns / 1e6;
		if (tg->uuid)
			mt_vgpu_stat(tg->uuid, "vram_faults", &f1);
		anon_touch[r] = touch_rate(anon, vram_size, &ns);
		touch_x[r] = touch[r] / anon_touch[r];
		/* without the driver's count: one page per fault */
		faults_per[r] = f1 > f0 ? (double)(vram_size / PAGE) /
				(f1 - f0) : 1;

		touch_rate(anon2, vram_size, &ns);
		cp_vram[r] = copy_rate(map, anon, vram_size);
		cp_x[r] = cp_vram[r] / copy_rate(anon2, anon, vram_size);
		munmap(map, vram_size);
		munmap(anon, vram_size);
		munmap(anon2, vram_size);
	}

	printf("%s: trap and fault path, medians of %d rounds, %d ops each\n",
	       tg->name, ROUNDS, OPS);
	printf("  %-34s %12s %10s\n", "", "ops/s", "x floor");
	printf("  %-34s %12.0f %10s\n", "4-byte pread of /dev/zero (floor)",
	       median(floor_r, ROUNDS), "1.00");
	printf("  %-34s %12.0f %10.2f\n", "config read, 4 bytes",
	       median(cfg_r, ROUNDS), median(cfg_x, ROUNDS));
	printf("  %-34s %12.0f %10.2f\n", "BAR0 read, 4 bytes",
	       median(bar_r, ROUNDS), median(bar_x, ROUNDS));
	printf("  %-34s %12.0f %10.2f\n", "BAR0 write+read pairs (2 syscalls)",
	       median(wr_r, ROUNDS), median(wr_x, ROUNDS));
	if (tg->vram < 0) {
		printf("ROW %s %.2f %.2f %.2f - - - - - %.0f\n", tg->name,
		       median(cfg_x, ROUNDS), median(bar_x, ROUNDS),
		       median(wr_x, ROUNDS), median(floor_r, ROUNDS));
		close(zero);
		return 0;
	}
	printf("  VRAM first touch, %llu MiB BAR:    %.0f pages/s, %.1f ms for the BAR, %.1f pages per fault\n",
	       (unsigned long long)vram_size >> 20, median(touch, ROUNDS),
	       median(touch_ms, ROUNDS),
	       median(faults_per, ROUNDS));
	printf("  VRAM first touch / anonymous first touch: %.2f (anonymous %.0f pages/s)\n",
	       median(touch_x, ROUNDS), median(anon_touch, ROUNDS));
	printf("  memcpy into the VRAM mapping / anonymous: %.2f (%.0f MiB/s)\n",
	       median(cp_x, ROUNDS), median(cp_vram, ROUNDS) / 1048576);
	printf("ROW %s %.2f %.2f %.2f %.0f %.1f %.1f %.2f %.2f %.0f\n", tg->name,
	       median(cfg_x, ROUNDS), median(bar_x, ROUNDS),
	       median(wr_x, ROUNDS), median(touch, ROUNDS),
	       median(touch_ms, ROUNDS), median(faults_per, ROUNDS),
	       median(touch_x, ROUNDS), median(cp_x, ROUNDS),
	       median(floor_r, ROUNDS));
	close(zero);
	return 0;
}
