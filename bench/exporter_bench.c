// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPU cost of one mvgpu-exporter scrape (refresh, every GPU's totals,
 * every vGPU's statistics, the text) against a fake sysfs tree like the
 * unit tests' (docs/api.md, "A fake sysfs tree"), for 1, 8 and 64 vGPUs
 * side by side in one run: CPU time of the process per scrape (user +
 * system, so the sysfs reads count), the bytes of text, and the cost per
 * vGPU.  Runs on the host: no kernel needed.
 *
 *   build/bench/exporter_bench [SCRAPES [FILE]]   (default 200 scrapes)
 * FILE gets the text of the last 64-vGPU scrape (for promtool check metrics).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "mvgpu_uapi.h"

#define MIB (1024ull * 1024)

static char root[128];

static int put(const char *text, const char *fmt, ...)
{
	char rel[512], path[768], *p;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

/* a GPU of 8 slices with four types; nothing free */
static int make_gpu(unsigned int n)
{
	static const unsigned int divs[] = { 1, 2, 4, 8 };
	char name[32], num[32];
	unsigned int i;
	int ret = 0;

	snprintf(name, sizeof(name), "mvgpu%u", n);
	ret |= put("software\n", "class/mvgpu/%s/backend", name);
	ret |= put("268435456\n", "class/mvgpu/%s/vram_size", name);
	ret |= put("0\n", "class/mvgpu/%s/vram_free", name);
	ret |= put("0\n", "class/mvgpu/%s/vram_releasing", name);
	ret |= put("2\n", "class/mvgpu/%s/engines", name);
	ret |= put("[best_effort] equal_share fixed_share\n",
		   "class/mvgpu/%s/scheduler", name);
	ret |= put("2000\n", "class/mvgpu/%s/timeslice_us", name);
	ret |= put("123456789 987654321\n", "class/mvgpu/%s/engine_busy_ns", name);
	ret |= put("30 70\n", "class/mvgpu/%s/engine_utilization", name);
	ret |= put("seq=1 uuid=99999999-9999-4999-8999-999999999999 type=mvgpu-8 engine_ns=5 dma_ns=6 dma_bytes=7 commands=8 faults=0 vram_byte_s=9\n",
		   "class/mvgpu/%s/usage", name);
	ret |= put("0\n", "class/mvgpu/%s/usage_dropped", name);
	ret |= put("", "class/mvgpu/%s/usage_ack", name);
	for (i = 0; i < 4; i++) {
		const char *t = "class/mdev_bus/%s/mdev_supported_types/mvgpu-%u/%s";
		unsigned int d = divs[i];

		ret |= put("mvgpu\n", t, name, d, "name");
		ret |= put("for humans\n", t, name, d, "description");
		ret |= put("vfio-pci\n", t, name, d, "device_api");
		ret |= put("", t, name, d, "create");
		ret |= put("0\n", t, name, d, "available_instances");
		snprintf(num, sizeof(num), "%llu\n", 256 * MIB / d);
		ret |= put(num, t, name, d, "mvgpu/vram_size");
		snprintf(num, sizeof(num), "%u\n", 1000 / d);
		ret |= put(num, t, name, d, "mvgpu/share_permille");
		snprintf(num, sizeof(num), "%u\n", 8 / d);
		ret |= put(num, t, name, d, "mvgpu/slices");
		snprintf(num, sizeof(num), "%u\n", d);
		ret |= put(num, t, name, d, "mvgpu/divisor");
	}
	return ret;
}

static int make_vgpu(unsigned int gpu, unsigned int n)
{
	static const char *const stats[MVGPU_NUM_STATS] = MVGPU_STAT_NAMES;
	static const char *const meters[MVGPU_NUM_METERS] = MVGPU_METER_NAMES;
	char uuid[40], g[32], path[512], target[256], num[32];
	unsigned int i;
	int ret = 0;

	snprintf(uuid, sizeof(uuid), "%08x-0000-4000-8000-%012x", gpu, n);
	snprintf(g, sizeof(g), "mvgpu%u\n", gpu);
	ret |= put(g, "bus/mdev/devices/%s/mvgpu/gpu", uuid);
	ret |= put("open\n", "bus/mdev/devices/%s/mvgpu/state", uuid);
	ret |= put("4242 qemu-system-x86\n", "bus/mdev/devices/%s/mvgpu/owner", uuid);
	ret |= put("5\n", "bus/mdev/devices/%s/mvgpu/weight", uuid);
	ret |= put("normal\n", "bus/mdev/devices/%s/mvgpu/priority", uuid);
	ret |= put("0\n", "bus/mdev/devices/%s/mvgpu/cap", uuid);
	ret |= put("33554432\n", "bus/mdev/devices/%s/mvgpu/vram_size", uuid);
	ret |= put("", "bus/mdev/devices/%s/remove", uuid);
	for (i = 0; i < MVGPU_NUM_STATS; i++) {
		snprintf(num, sizeof(num), "%u\n", 123456789 + i);
		ret |= put(num, "bus/mdev/devices/%s/mvgpu_stats/%s", uuid, stats[i]);
	}
	for (i = 0; i < MVGPU_NUM_METERS; i++) {
		snprintf(num, sizeof(num), "%u\n", 987654321 + i);
		ret |= put(num, "bus/mdev/devices/%s/mvgpu_meter/%s", uuid, meters[i]);
	}
	snprintf(path, sizeof(path), "%s/bus/mdev/devices/%s/mdev_type", root,
		 uuid);
	snprintf(target, sizeof(target),
		 "../../../../class/mdev_bus/mvgpu%u/mdev_supported_types/mvgpu-8",
		 gpu);
	if (symlink(target, path))
		ret |= -errno;
	return ret;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* a tree of nvgpus vGPUs (8 per GPU); CPU ms per scrape, bytes */
static int measure(unsigned int nvgpus, int scrapes, double *ms,
		   size_t *bytes, const char *save)
{
	struct mvx_exporter x = { 0 };
	struct mvx_buf buf = { 0 };
	char top[64], cmd[128];
	unsigned int g, v;
	double t0;
	int i, ret = 0;

	/* tmpfs, in memory as sysfs is, when there is one */
	strcpy(top, access("/dev/shm", W_OK) ? "/tmp/mvgpu-xbench-XXXXXX" :
	       "/dev/shm/mvgpu-xbench-XXXXXX");
	if (!mkdtemp(top))
		return -errno;
	snprintf(root, sizeof(root), "%s/sys", top);
	mkdir(root, 0755);
	for (g = 0; g < (nvgpus + 7) / 8; g++)
		ret |= make_gpu(g);
	for (v = 0; v < nvgpus; v++)
		ret |= make_vgpu(v / 8, v % 8);
	if (ret)
		goto out;
	x.sysfs_root = root;
	ret = mvx_scrape(&x, &buf);	/* opens the handle; warms the cache */
	if (!ret && !strstr(buf.s, "mvgpu_up 1"))
		ret = -ENODEV;
	t0 = cpu_s();
	for (i = 0; i < scrapes && !ret; i++)
		ret = mvx_scrape(&x, &buf);
	*ms = (cpu_s() - t0) * 1e3 / scrapes;
	*bytes = buf.len;
	if (!ret && save) {
		FILE *f = fopen(save, "w");

		if (!f || fwrite(buf.s, 1, buf.len, f) != buf.len)
			ret = -EIO;
		if (f && fclose(f))
			ret = -EIO;
	}
	if (x.scrape_errors)
		ret = -EIO;
	mvx_buf_free(&buf);
	mvx_exporter_close(&x);
out:
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd))
		ret = ret ? ret : -EIO;
	return ret;
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 1, 8, 64 };
	int scrapes = argc > 1 ? atoi(argv[1]) : 200;
	unsigned int i;

	if (scrapes <= 0) {
		fprintf(stderr, "usage: exporter_bench [SCRAPES [FILE]]\n");
		return 2;
	}
	printf("mvgpu-exporter scrape, fake sysfs tree, %d scrapes each\n",
	       scrapes);
	printf("%8s %14s %12s %16s\n", "vGPUs", "CPU ms/scrape", "text bytes",
	       "CPU us per vGPU");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double ms = 0;
		size_t bytes = 0;
		int ret = measure(sizes[i], scrapes, &ms, &bytes,
				  sizes[i] == 64 && argc > 2 ? argv[2] : NULL);

		if (ret) {
			fprintf(stderr, "exporter_bench: %u vGPUs: %s (%s)\n",
				sizes[i], strerror(-ret), mvgpu_last_error());
			return 1;
		}
		printf("%8u %14.3f %12zu %16.1f\n", sizes[i], ms, bytes,
		       ms * 1e3 / sizes[i]);
	}
	return 0;
}
