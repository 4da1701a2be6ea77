// SPDX-License-Identifier: MIT
/*
 * The management half (lib/admin*.c) against a fake sysfs tree made in a
 * temporary directory: the layout mvgpu.ko publishes, with two GPUs
 * (mvgpu2 and mvgpu10, to see the natural order), their types, three
 * vGPUs, another driver's mediated device, and /proc beside it for the
 * QEMU owner's VM name.  Writes land in the tree's files, so the tests
 * see what the library wrote where; a hook plays a kernel that refuses
 * a knob.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit.h"
#include "admin_int.h"

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"
#define U3 "33333333-3333-4333-8333-333333333333"
#define U4 "44444444-4444-4444-8444-444444444444"	/* on a PCI GPU */
#define U5 "55555555-5555-4555-8555-555555555555"
#define UX "99999999-9999-4999-8999-999999999999"	/* other driver */
#define MIB (1024ull * 1024)

static char top[64];	/* the fake's top: TOP/sys and TOP/proc */
static char root[96];	/* TOP/sys */

static void put(const char *text, const char *fmt, ...)
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
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void get(char *buf, size_t len, const char *fmt, ...)
{
	char rel[512], path[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (mvgpu__read_file(path, buf, len))
		buf[0] = '\0';
}

static void rm(const char *fmt, ...)
{
	char rel[512], path[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(unlink(path), 0);
}

/*
 * A GPU whose mdev parent is parent: its own name (the types under
 * class/mdev_bus/NAME, no parent attribute, as older trees have it) or a
 * PCI device (a "parent" attribute naming it, the types under it)
 */
static void make_gpu_on(const char *name, const char *parent,
			const char *backend, uint64_t vram,
			uint64_t vram_free, unsigned int avail_div1)
{
	static const unsigned int divs[] = { 1, 2, 4, 8 };
	char num[32];
	unsigned int i;

	put(backend, "class/mvgpu/%s/backend", name);
	if (strcmp(parent, name))
		put(parent, "class/mvgpu/%s/parent", name);
	snprintf(num, sizeof(num), "%llu\n", (unsigned long long)vram);
	put(num, "class/mvgpu/%s/vram_size", name);
	snprintf(num, sizeof(num), "%llu\n", (unsigned long long)vram_free);
	put(num, "class/mvgpu/%s/vram_free", name);
	put("0\n", "class/mvgpu/%s/vram_releasing", name);
	put("131072\n", "class/mvgpu/%s/vram_used", name);
	put("2\n", "class/mvgpu/%s/engines", name);
	put("[best_effort] equal_share fixed_share\n",
	    "class/mvgpu/%s/scheduler", name);
	put("2000\n", "class/mvgpu/%s/timeslice_us", name);
	put("100 200\n", "class/mvgpu/%s/engine_busy_ns", name);
	put("3 7\n", "class/mvgpu/%s/engine_utilization", name);
	put("", "class/mvgpu/%s/usage", name);
	put("0\n", "class/mvgpu/%s/usage_dropped", name);
	put("", "class/mvgpu/%s/usage_ack", name);
	for (i = 0; i < 4; i++) {
		const char *t = "class/mdev_bus/%s/mdev_supported_types/mvgpu-%u/%s";
		unsigned int d = divs[i];
		uint64_t slice_free = vram_free / (vram / 8);

		put("mvgpu\n", t, parent, d, "name");
		put("vram=... for humans\n", t, parent, d, "description");
		put("vfio-pci\n", t, parent, d, "device_api");
		put("", t, parent, d, "create");
		snprintf(num, sizeof(num), "%llu\n",
			 (unsigned long long)(d == 1 ? avail_div1 :
					      slice_free / (8 / d)));
		put(num, t, parent, d, "available_instances");
		snprintf(num, sizeof(num), "%llu\n",
			 (unsigned long long)(vram / d));
		put(num, t, parent, d, "mvgpu/vram_size");
		snprintf(num, sizeof(num), "%u\n", 1000 / d);
		put(num, t, parent, d, "mvgpu/share_permille");
		snprintf(num, sizeof(num), "%u\n", 8 / d);
		put(num, t, parent, d, "mvgpu/slices");
		snprintf(num, sizeof(num), "%u\n", d);
		put(num, t, parent, d, "mvgpu/divisor");
	}
}

static void make_gpu(const char *name, uint64_t vram, uint64_t vram_free,
		     unsigned int avail_div1)
{
	make_gpu_on(name, name, "software\n", vram, vram_free, avail_div1);
}

static void make_vgpu_on(const char *uuid, const char *gpu,
			 const char *parent, unsigned int div,
			 const char *state, const char *owner)
{
	static const char *const stats[MVGPU_NUM_STATS] = MVGPU_STAT_NAMES;
	static const char *const meters[MVGPU_NUM_METERS] = MVGPU_METER_NAMES;
	char path[512], target[512], num[32];
	unsigned int i;

	put(gpu, "bus/mdev/devices/%s/mvgpu/gpu", uuid);
	put(state, "bus/mdev/devices/%s/mvgpu/state", uuid);
	put(owner, "bus/mdev/devices/%s/mvgpu/owner", uuid);
	put("5\n", "bus/mdev/devices/%s/mvgpu/weight", uuid);
	put("normal\n", "bus/mdev/devices/%s/mvgpu/priority", uuid);
	put("0\n", "bus/mdev/devices/%s/mvgpu/cap", uuid);
	snprintf(num, sizeof(num), "%llu\n", (256 * MIB) / div);
	put(num, "bus/mdev/devices/%s/mvgpu/vram_size", uuid);
	put("196608\n", "bus/mdev/devices/%s/mvgpu/vram_used", uuid);
	put("", "bus/mdev/devices/%s/remove", uuid);
	for (i = 0; i < MVGPU_NUM_STATS; i++) {
		snprintf(num, sizeof(num), "%u\n", 1000 + i);
		put(num, "bus/mdev/devices/%s/mvgpu_stats/%s", uuid, stats[i]);
	}
	for (i = 0; i < MVGPU_NUM_METERS; i++) {
		snprintf(num, sizeof(num), "%u\n", 2000 + i);
		put(num, "bus/mdev/devices/%s/mvgpu_meter/%s", uuid, meters[i]);
	}
	snprintf(path, sizeof(path), "%s/bus/mdev/devices/%s/mdev_type", root,
		 uuid);
	snprintf(target, sizeof(target),
		 "../../../../class/mdev_bus/%s/mdev_supported_types/mvgpu-%u",
		 parent, div);
	assert_int_equal(symlink(target, path), 0);
}

static void make_vgpu(const char *uuid, const char *gpu, unsigned int div,
		      const char *state, const char *owner)
{
	make_vgpu_on(uuid, gpu, gpu, div, state, owner);
}

/* as /proc/PID/cmdline has it: NUL after each argument */
static const char qemu_cmdline[] =
	"qemu-system-x86_64\0-m\0512\0-name\0guest=tenant-a,debug-threads=on\0";

static int setup(void **state)
{
	char path[256];
	FILE *f;

	strcpy(top, "/tmp/mvgpu-admin-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(root, sizeof(root), "%s/sys", top);
	mkdir(root, 0755);
	/* mvgpu10 is emptier, but mvgpu2 sorts first */
	make_gpu("mvgpu10", 256 * MIB, 192 * MIB, 0);
	make_gpu("mvgpu2", 256 * MIB, 96 * MIB, 0);
	make_vgpu(U1, "mvgpu2", 4, "open\n", "4242 qemu-system-x86\n");
	make_vgpu(U2, "mvgpu2", 2, "closed\n", "-\n");
	make_vgpu(U3, "mvgpu10", 4, "faulted\n", "77 python3\n");
	put("", "bus/mdev/devices/%s/remove", UX);	/* another driver's */
	snprintf(path, sizeof(path), "%s/proc", top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/4242", top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/4242/cmdline", top);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fwrite(qemu_cmdline, 1, sizeof(qemu_cmdline) - 1, f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	return system(cmd) ? -1 : 0;
}

static struct mvgpu_admin *open_fake(void)
{
	struct mvgpu_admin *a = NULL;

	check_eq(mvgpu_admin_open(root, &a), 0);
	assert_non_null(a);
	return a;
}

static void test_no_module(void **state)
{
	struct mvgpu_admin *a = (void *)1;

	check_eq(mvgpu_admin_open(top, &a), -ENODEV);	/* no class/mvgpu */
	assert_null(a);
	assert_non_null(strstr(mvgpu_last_error(), "not loaded"));
}

static void test_enumerate(void **state)
{
	struct mvgpu_admin *a = open_fake();
	struct mvgpu_gpu_info g = { .size = sizeof(g) };
	struct mvgpu_type_info t = { .size = sizeof(t) };
	struct mvgpu_vgpu_info v = { .size = sizeof(v) };

	check_eq(mvgpu_admin_gpu_count(a), 2);
	check_eq(mvgpu_admin_gpu(a, 0, &g), 0);
	check_str(g.name, "mvgpu2");		/* natural order */
	check_eq(g.size, sizeof(g));
	check_eq(g.vram_size, 256 * MIB);
	check_eq(g.vram_free, 96 * MIB);
	check_eq(g.vram_used, 131072);
	check_str(g.scheduler, "best_effort");
	check_eq(g.timeslice_us, 2000);
	check_eq(g.nengines_read, 2);
	check_eq(g.engine_busy_ns[1], 200);
	check_eq(g.engine_util_pct[1], 7);
	check_eq(g.ntypes, 4);
	check_eq(g.nvgpus, 2);
	check_eq(g.vram_vgpus, 64 * MIB + 128 * MIB);

	check_eq(mvgpu_admin_type(a, 0, 2, &t), 0);	/* by divisor */
	check_str(t.name, "mvgpu-4");
	check_eq(t.divisor, 4);
	check_eq(t.vram_size, 64 * MIB);
	check_eq(t.share_permille, 250);
	check_eq(t.slices, 2);
	check_eq(t.max_instances, 4);
	check_eq(t.available, 1);		/* 96 MiB free: 3 slices */
	check_eq(mvgpu_admin_type(a, 0, 4, &t), -ERANGE);

	check_eq(mvgpu_admin_vgpu_count(a), 3);	/* not the other driver's */
	check_eq(mvgpu_admin_vgpu(a, 0, &v), 0);
	check_str(v.gpu, "mvgpu2");
	check_str(v.uuid, U1);
	check_str(v.type, "mvgpu-4");
	check_str(v.state, "open");
	check_eq(v.owner_pid, 4242);
	check_str(v.owner_comm, "qemu-system-x86");
	check_str(v.owner_vm, "tenant-a");
	check_eq(v.weight, 5);
	check_eq(v.vram_size, 64 * MIB);
	check_eq(mvgpu_admin_vgpu(a, 2, &v), 0);
	check_str(v.gpu, "mvgpu10");
	check_str(v.owner_comm, "python3");
	check_str(v.owner_vm, "");		/* not QEMU */
	mvgpu_admin_close(&a);
	assert_null(a);
}

static void test_lookups(void **state)
{
	struct mvgpu_admin *a = open_fake();
	struct mvgpu_vgpu_info v = { .size = sizeof(v) };
	struct mvgpu_type_info t = { .size = sizeof(t) };

	check_eq(mvgpu_admin_find_gpu(a, "10", NULL), 1);
	check_eq(mvgpu_admin_find_gpu(a, "mvgpu2", NULL), 0);
	check_eq(mvgpu_admin_find_gpu(a, "mvgpu3", NULL), -ENOENT);
	assert_non_null(strstr(mvgpu_last_error(), "no GPU named 'mvgpu3'"));
	check_eq(mvgpu_admin_find_type(a, 0, "1/8", &t), 3);
	check_str(t.name, "mvgpu-8");
	check_eq(mvgpu_admin_find_type(a, 0, "3", &t), -ENOENT);
	check_eq(mvgpu_admin_find_type(a, 0, "x", &t), -EINVAL);
	/* upper case is the same UUID */
	check_eq(mvgpu_admin_find_vgpu(a, "33333333-3333-4333-8333-33333333333B",
				       &v), -ENOENT);
	check_eq(mvgpu_admin_find_vgpu(a, "22222222-2222-4222-8222-222222222222",
				       &v), 1);
	check_eq(mvgpu_admin_find_vgpu(a, "nope", &v), -EINVAL);
	check_eq(mvgpu_admin_find_vgpu(a, UX, &v), -ENODEV);
	check_eq(mvgpu_admin_find_vgpu(a, NULL, &v), -EINVAL);
	mvgpu_admin_close(&a);
}

/* A struct of an older, shorter layout gets what fits and its size back */
static void test_extensible_structs(void **state)
{
	struct mvgpu_admin *a = open_fake();
	struct {
		struct mvgpu_vgpu_stats s;
		uint64_t canary;
	} big;
	struct mvgpu_gpu_info g;
	size_t old = offsetof(struct mvgpu_vgpu_stats, engine_ns);

	memset(&big, 0xab, sizeof(big));
	big.s.size = (uint32_t)old;	/* built before the meter existed */
	check_eq(mvgpu_admin_stats(a, U1, &big.s), 0);
	check_eq(big.s.size, old);
	check_eq(big.s.stats.busy_ns, 1000);
	check_eq(big.s.stats.interrupts, 1000 + MVGPU_STAT_INTERRUPTS);
	check_eq(big.s.engine_ns, 0xababababababababull);	/* untouched */
	check_eq(big.canary, 0xababababababababull);

	big.s.size = sizeof(big.s);
	check_eq(mvgpu_admin_stats(a, U1, &big.s), 0);
	check_eq(big.s.size, sizeof(big.s));
	check_eq(big.s.engine_ns, 2000);
	check_eq(big.s.vram_byte_s, 2000 + MVGPU_METER_VRAM_BYTE_S);
	check_eq(big.canary, 0xababababababababull);

	g.size = 4;	/* below the minimum */
	check_eq(mvgpu_admin_gpu(a, 0, &g), -EINVAL);
	mvgpu_admin_close(&a);
}

static void test_stats_and_rates(void **state)
{
	struct mvgpu_admin *a = open_fake();
	struct mvgpu_vgpu_stats s0 = { .size = sizeof(s0) };
	struct mvgpu_vgpu_stats s1 = { .size = sizeof(s1) };
	struct mvgpu_rates r = { .size = sizeof(r) };

	check_eq(mvgpu_admin_stats(a, U3, &s0), 0);
	check_eq(s0.stats.commands, 1000 + MVGPU_STAT_COMMANDS);
	/* faults by kind, each from its own meter file, by code */
	check_eq(s0.faults_by_kind[0], 0);
	check_eq(s0.faults_by_kind[MVGPU_FAULT_UNMAPPED],
		 2000 + MVGPU_METER_FAULTS_UNMAPPED);
	check_eq(s0.faults_by_kind[MVGPU_FAULT_DMA], 2000 + MVGPU_METER_FAULTS_DMA);
	check_eq(s0.faults_by_kind[MVGPU_FAULT_READ_ONLY],
		 2000 + MVGPU_METER_FAULTS_READ_ONLY);
	check_eq(s0.vram_used, 196608);
	/* a mvgpu.ko without them: 0, not an error */
	rm("bus/mdev/devices/%s/mvgpu_meter/faults_dma", U3);
	rm("bus/mdev/devices/%s/mvgpu/vram_used", U3);
	check_eq(mvgpu_admin_stats(a, U3, &s0), 0);
	check_eq(s0.faults_by_kind[MVGPU_FAULT_DMA], 0);
	check_eq(s0.faults_by_kind[MVGPU_FAULT_BAD_OPCODE],
		 2000 + MVGPU_METER_FAULTS_BAD_OPCODE);
	check_eq(s0.vram_used, 0);
	check_eq(mvgpu_admin_stats(a, UX, &s0), -ENOENT);
	check_eq(mvgpu_admin_stats(a, "bad", &s0), -EINVAL);

	/* 0.5 s apart: 1 ms busy of 2 engines, 100 commands */
	s0 = (struct mvgpu_vgpu_stats){ .size = sizeof(s0) };
	s1 = s0;
	s0.timestamp_ns = 1000000000ull;
	s1.timestamp_ns = 1500000000ull;
	s1.stats.busy_ns = 1000000;
	s1.stats.commands = 100;
	s1.dma_bytes = 4096;
	check_eq(mvgpu_admin_rates(&s0, &s1, 2, &r), 0);
	check_eq(r.interval_ns, 500000000ull);
	check_eq(r.busy_ns, 1000000);
	check_eq((long long)(r.busy_pct * 1000), 100);	/* 0.1 % */
	check_eq((long long)r.commands_per_s, 200);
	check_eq((long long)r.dma_bytes_per_s, 8192);
	/* a counter that went back (the UUID made again) counts from 0 */
	s0.stats.commands = 500;
	check_eq(mvgpu_admin_rates(&s0, &s1, 2, &r), 0);
	check_eq(r.commands, 100);
	check_eq(mvgpu_admin_rates(&s1, &s0, 2, &r), -EINVAL);
	mvgpu_admin_close(&a);
}

static void test_create(void **state)
{
	struct mvgpu_admin *a = open_fake();
	struct mvgpu_create c;
	char buf[64];

	/* no --parent: mvgpu10 has the most free VRAM */
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.type = "mvgpu-4";
	c.uuid = "AAAAAAAA-0000-4000-8000-000000000001";
	check_eq(mvgpu_admin_create(a, &c), 0);
	check_str(c.out_gpu, "mvgpu10");
	check_str(c.out_type, "mvgpu-4");
	check_str(c.out_uuid, "aaaaaaaa-0000-4000-8000-000000000001");
	get(buf, sizeof(buf),
	    "class/mdev_bus/mvgpu10/mdev_supported_types/mvgpu-4/create");
	check_str(buf, "aaaaaaaa-0000-4000-8000-000000000001");

	/* a type no GPU has room for: the emptiest is named */
	c.type = "1";
	c.uuid = NULL;
	check_eq(mvgpu_admin_create(a, &c), -ENOSPC);
	check_str(c.out_gpu, "mvgpu10");
	check_eq(c.out_vram_size, 256 * MIB);
	check_eq(c.out_gpu_vram_free, 192 * MIB);
	/* a full --parent */
	c.type = "2";
	c.gpu = "2";
	check_eq(mvgpu_admin_create(a, &c), -ENOSPC);
	check_str(c.out_gpu, "mvgpu2");
	c.gpu = "mvgpu7";
	check_eq(mvgpu_admin_create(a, &c), -ENOENT);
	c.gpu = NULL;
	c.type = "3";
	check_eq(mvgpu_admin_create(a, &c), -EOPNOTSUPP);
	c.type = "x";
	check_eq(mvgpu_admin_create(a, &c), -EINVAL);
	c.type = "8";
	c.uuid = U2;
	check_eq(mvgpu_admin_create(a, &c), -EEXIST);
	c.uuid = "nope";
	check_eq(mvgpu_admin_create(a, &c), -EINVAL);
	mvgpu_admin_close(&a);
}

static void test_remove(void **state)
{
	struct mvgpu_admin *a = open_fake();
	char buf[16];

	check_eq(mvgpu_admin_remove(a, U1, MVGPU_REMOVE_NO_WAIT), -EBUSY);
	get(buf, sizeof(buf), "bus/mdev/devices/%s/remove", U1);
	check_str(buf, "");			/* nothing written */
	check_eq(mvgpu_admin_remove(a, U2, MVGPU_REMOVE_NO_WAIT), 0);
	get(buf, sizeof(buf), "bus/mdev/devices/%s/remove", U2);
	check_str(buf, "1");
	check_eq(mvgpu_admin_remove(a, "12345", 0), -EINVAL);
	check_eq(mvgpu_admin_remove(a, UX, 0), -ENODEV);
	mvgpu_admin_close(&a);
}

static const char *refuse_suffix;

static int refusing_kernel(const char *path, const char *value)
{
	size_t n = strlen(path), m = strlen(refuse_suffix);

	return n >= m && !strcmp(path + n - m, refuse_suffix) ? -EINVAL : 0;
}

static void test_knobs(void **state)
{
	struct mvgpu_admin *a = open_fake();
	struct mvgpu_knobs k;
	char buf[32];

	memset(&k, 0, sizeof(k));
	k.size = sizeof(k);
	k.mask = MVGPU_KNOB_WEIGHT | MVGPU_KNOB_PRIORITY | MVGPU_KNOB_CAP;
	k.weight = 100;
	k.cap_pct = 30;
	strcpy(k.priority, "high");
	check_eq(mvgpu_admin_set_knobs(a, U2, &k), 0);
	get(buf, sizeof(buf), "bus/mdev/devices/%s/mvgpu/weight", U2);
	check_str(buf, "100");
	get(buf, sizeof(buf), "bus/mdev/devices/%s/mvgpu/priority", U2);
	check_str(buf, "high");
	get(buf, sizeof(buf), "bus/mdev/devices/%s/mvgpu/cap", U2);
	check_str(buf, "30");

	/* checked before anything is written */
	k.weight = 1001;
	check_eq(mvgpu_admin_set_knobs(a, U3, &k), -ERANGE);
	k.weight = 7;
	strcpy(k.priority, "urgent");
	check_eq(mvgpu_admin_set_knobs(a, U3, &k), -EINVAL);
	get(buf, sizeof(buf), "bus/mdev/devices/%s/mvgpu/weight", U3);
	check_str(buf, "5");
	k.mask = 0;
	check_eq(mvgpu_admin_set_knobs(a, U3, &k), -EINVAL);

	/* the kernel refuses cap: weight and priority go back */
	k.mask = MVGPU_KNOB_WEIGHT | MVGPU_KNOB_PRIORITY | MVGPU_KNOB_CAP;
	strcpy(k.priority, "high");
	refuse_suffix = "/mvgpu/cap";
	mvgpu__knob_write_hook = refusing_kernel;
	check_eq(mvgpu_admin_set_knobs(a, U3, &k), -EINVAL);
	mvgpu__knob_write_hook = NULL;
	if (!strstr(mvgpu_last_error(), "nothing was changed"))
		fail_why("last error: %s", mvgpu_last_error());
	get(buf, sizeof(buf), "bus/mdev/devices/%s/mvgpu/weight", U3);
	check_str(buf, "5");
	get(buf, sizeof(buf), "bus/mdev/devices/%s/mvgpu/priority", U3);
	check_str(buf, "normal");
	/* sysfs ignores O_TRUNC; a regular file does not */
	put("0\n", "bus/mdev/devices/%s/mvgpu/cap", U3);
	check_eq(mvgpu_admin_set_knobs(a, UX, &k), -ENODEV);
	mvgpu_admin_close(&a);
}

static void test_policy(void **state)
{
	struct mvgpu_admin *a = open_fake();
	struct mvgpu_policy p;
	char buf[64];

	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.mask = MVGPU_POLICY_SCHEDULER | MVGPU_POLICY_TIMESLICE;
	strcpy(p.scheduler, "fixed_share");
	p.timeslice_us = 500;
	check_eq(mvgpu_admin_set_policy(a, "0", &p), -ENOENT);
	check_eq(mvgpu_admin_set_policy(a, "2", &p), 0);
	get(buf, sizeof(buf), "class/mvgpu/mvgpu2/scheduler");
	check_str(buf, "fixed_share");
	get(buf, sizeof(buf), "class/mvgpu/mvgpu2/timeslice_us");
	check_str(buf, "500");
	p.timeslice_us = 99;
	check_eq(mvgpu_admin_set_policy(a, "10", &p), -ERANGE);
	p.timeslice_us = 100;
	strcpy(p.scheduler, "lottery");
	check_eq(mvgpu_admin_set_policy(a, "10", &p), -EINVAL);
	/* refused time slice: the scheduler goes back */
	strcpy(p.scheduler, "equal_share");
	refuse_suffix = "/timeslice_us";
	mvgpu__knob_write_hook = refusing_kernel;
	check_eq(mvgpu_admin_set_policy(a, "10", &p), -EINVAL);
	mvgpu__knob_write_hook = NULL;
	get(buf, sizeof(buf), "class/mvgpu/mvgpu10/scheduler");
	check_str(buf, "best_effort");
	mvgpu_admin_close(&a);
}

static void test_usage(void **state)
{
	struct mvgpu_admin *a = open_fake();
	struct mvgpu_usage_record r[4];
	uint64_t dropped = 99;
	char buf[32];
	unsigned int i;

	put("seq=7 uuid=" U1 " type=mvgpu-4 engine_ns=10 dma_ns=20 dma_bytes=30 commands=40 faults=50 vram_byte_s=60\n"
	    "seq=8 uuid=" U2 " type=mvgpu-2 engine_ns=1 dma_ns=2 dma_bytes=3 commands=4 faults=5 vram_byte_s=6 future_meter=9 faults_bad_opcode=2 faults_read_only=3\n",
	    "class/mvgpu/mvgpu10/usage");
	put("3\n", "class/mvgpu/mvgpu10/usage_dropped");
	for (i = 0; i < 4; i++)
		r[i].size = sizeof(r[i]);
	check_eq(mvgpu_admin_usage(a, "mvgpu10", r, 4, &dropped), 2);
	check_eq(dropped, 3);
	check_eq(r[0].seq, 7);
	check_str(r[0].uuid, U1);
	check_str(r[0].type, "mvgpu-4");
	check_str(r[0].gpu, "mvgpu10");
	check_eq(r[0].engine_ns, 10);
	check_eq(r[0].vram_byte_s, 60);
	check_eq(r[1].seq, 8);
	check_eq(r[1].faults, 5);
	/* the kinds a record carries; the ones left out are 0 */
	check_eq(r[1].faults_by_kind[MVGPU_FAULT_BAD_OPCODE], 2);
	check_eq(r[1].faults_by_kind[MVGPU_FAULT_READ_ONLY], 3);
	check_eq(r[1].faults_by_kind[MVGPU_FAULT_UNMAPPED], 0);
	check_eq(r[0].faults_by_kind[MVGPU_FAULT_BAD_OPCODE], 0);
	check_eq(mvgpu_admin_usage(a, "mvgpu10", r, 1, NULL), 1);
	check_eq(mvgpu_admin_usage(a, "mvgpu2", r, 4, &dropped), 0);
	check_eq(mvgpu_admin_usage_ack(a, "mvgpu10", 8), 0);
	get(buf, sizeof(buf), "class/mvgpu/mvgpu10/usage_ack");
	check_str(buf, "8");
	put("seq=x\n", "class/mvgpu/mvgpu2/usage");
	check_eq(mvgpu_admin_usage(a, "mvgpu2", r, 4, NULL), -EPROTO);
	mvgpu_admin_close(&a);
}

/* A GPU's totals: a removed vGPU counted once, from its record; never back */
static void test_totals(void **state)
{
	struct mvgpu_meter_totals t = { .size = sizeof(t) };
	struct mvgpu_admin *a = open_fake();
	char cmd[256];

	/* U3 alone on mvgpu10: its meter (2000 + index) */
	check_eq(mvgpu_admin_totals(a, "mvgpu10", NULL, &t), 0);
	check_eq(t.engine_ns, 2000 + MVGPU_METER_ENGINE_NS);
	check_eq(t.commands, 2000 + MVGPU_METER_COMMANDS);
	check_eq(t.removed_vgpus, 0);
	/* removed after the snapshot: listed and in a record; once */
	check_eq(t.faults_by_kind[MVGPU_FAULT_DMA],
		 2000 + MVGPU_METER_FAULTS_DMA);
	put("seq=1 uuid=" U3 " type=mvgpu-4 engine_ns=2500 dma_ns=1 dma_bytes=1 commands=3000 faults=8000 vram_byte_s=1 faults_dma=5000 faults_unmapped=3000\n",
	    "class/mvgpu/mvgpu10/usage");
	check_eq(mvgpu_admin_totals(a, "mvgpu10", NULL, &t), 0);
	/* by kind from the record (above the held live values) */
	check_eq(t.faults_by_kind[MVGPU_FAULT_DMA], 5000);
	check_eq(t.removed_faults_by_kind[MVGPU_FAULT_DMA], 5000);
	check_eq(t.faults_by_kind[MVGPU_FAULT_UNMAPPED], 3000);
	/* not in the record: the live value reported before holds */
	check_eq(t.faults_by_kind[MVGPU_FAULT_READ_ONLY],
		 2000 + MVGPU_METER_FAULTS_READ_ONLY);
	check_eq(t.engine_ns, 2500);
	check_eq(t.commands, 3000);
	check_eq(t.removed_vgpus, 1);
	check_eq(t.removed_engine_ns, 2500);
	/* gone from sysfs too: the record is not counted again */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/bus/mdev/devices/%s", root, U3);
	check_eq(system(cmd), 0);
	check_eq(mvgpu_admin_refresh(a), 0);
	check_eq(mvgpu_admin_totals(a, "mvgpu10", NULL, &t), 0);
	check_eq(t.engine_ns, 2500);
	check_eq(t.removed_vgpus, 1);
	/* another consumer acknowledged it: the totals hold */
	put("", "class/mvgpu/mvgpu10/usage");
	check_eq(mvgpu_admin_totals(a, "mvgpu10", NULL, &t), 0);
	check_eq(t.engine_ns, 2500);
	check_eq(t.removed_commands, 3000);
	/* a second removal adds on */
	put("seq=2 uuid=" U1 " type=mvgpu-4 engine_ns=10 dma_ns=1 dma_bytes=1 commands=1 faults=1 vram_byte_s=1\n",
	    "class/mvgpu/mvgpu10/usage");
	check_eq(mvgpu_admin_totals(a, "mvgpu10", NULL, &t), 0);
	check_eq(t.engine_ns, 2510);
	check_eq(t.removed_vgpus, 2);
	check_eq(t.faults_by_kind[MVGPU_FAULT_DMA], 5000);
	check_eq(mvgpu_admin_totals(a, "mvgpu99", NULL, &t), -ENOENT);
	mvgpu_admin_close(&a);
}

static void test_cdi(void **state)
{
	static const char *const uuids[] = { U1, U2, U3 };
	struct mvgpu_admin *a = open_fake();
	char path[512], want[128], *json = NULL;
	unsigned int i;

	/* no IOMMU group: vfio_iommu_type1 missing */
	check_eq(mvgpu_admin_cdi_spec(a, &json), -ENOENT);
	check_eq(json == NULL, 1);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/bus/mdev/devices/%s/iommu_group",
			 root, uuids[i]);
		snprintf(want, sizeof(want), "../../../kernel/iommu_groups/%u",
			 10 + i);
		check_eq(symlink(want, path), 0);
	}
	check_eq(mvgpu_admin_cdi_spec(a, &json), 0);
	assert_non_null(json);
	check_eq(strstr(json, "\"cdiVersion\": \"" MVGPU_CDI_VERSION "\"") != NULL, 1);
	check_eq(strstr(json, "\"kind\": \"" MVGPU_CDI_KIND "\"") != NULL, 1);
	check_eq(strstr(json, "\"path\": \"/dev/vfio/vfio\"") != NULL, 1);
	for (i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "\"name\": \"%s\"", uuids[i]);
		check_eq(strstr(json, want) != NULL, 1);
		snprintf(want, sizeof(want), "\"MVGPU_UUID=%s\"", uuids[i]);
		check_eq(strstr(json, want) != NULL, 1);
	}
	/* each vGPU's group node follows its own name (sorted by GPU: U3 first) */
	check_eq(strstr(strstr(json, "\"name\": \"" U1 "\""), "/dev/vfio/10") != NULL, 1);
	check_eq(strstr(strstr(json, "\"name\": \"" U3 "\""), "/dev/vfio/12") != NULL, 1);
	free(json);
	check_eq(mvgpu_admin_cdi_spec(NULL, &json), -EBADF);
	mvgpu_admin_close(&a);
}

/* A copy made with cp -rL: mdev_type is a directory, not a link */
static void test_copied_tree(void **state)
{
	struct mvgpu_vgpu_info v = { .size = sizeof(v) };
	struct mvgpu_admin *a;
	char path[512];

	snprintf(path, sizeof(path), "%s/bus/mdev/devices/%s/mdev_type", root,
		 U3);
	check_eq(unlink(path), 0);
	put("4\n", "bus/mdev/devices/%s/mdev_type/mvgpu/divisor", U3);
	a = open_fake();
	check_eq(mvgpu_admin_find_vgpu(a, U3, &v), 2);
	check_str(v.type, "mvgpu-4");
	mvgpu_admin_close(&a);
}

/* A PCI device in the fake, bound to driver (NULL: none) */
static void make_pci_dev(const char *addr, const char *vendor,
			 const char *driver)
{
	char path[512], target[256];

	put(vendor, "bus/pci/devices/%s/vendor", addr);
	put("(null)\n", "bus/pci/devices/%s/driver_override", addr);
	if (!driver)
		return;
	put("", "bus/pci/drivers/%s/unbind", driver);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", root, addr);
	snprintf(target, sizeof(target), "../../drivers/%s", driver);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

#define P4 "0000:00:04.0"

static void test_pci(void **state)
{
	struct mvgpu_gpu_info g = { .size = sizeof(g) };
	struct mvgpu_vgpu_info v = { .size = sizeof(v) };
	struct mvgpu_admin *a = open_fake();
	struct mvgpu_create c = { .size = sizeof(c) };
	char buf[128];
	int i;

	make_pci_dev(P4, "0x1234\n", NULL);
	make_pci_dev("0000:00:02.0", "0x1af4\n", "virtio-pci");
	make_pci_dev("0000:00:05.0", "0x1234\n", NULL);

	/* addresses */
	check_eq(mvgpu_admin_pci_bind(a, "04.0", NULL), -EINVAL);
	check_eq(mvgpu_admin_pci_bind(a, "0000:00:04.8", NULL), -EINVAL);
	check_eq(mvgpu_admin_pci_bind(a, "0000-00:04.0", NULL), -EINVAL);
	check_eq(mvgpu_admin_pci_bind(a, NULL, NULL), -EINVAL);
	check_eq(mvgpu_admin_pci_bind(a, "0000:00:09.0", NULL), -ENOENT);
	/* the driver is not loaded: nothing written */
	check_eq(mvgpu_admin_pci_bind(a, P4, NULL), -ENODEV);
	get(buf, sizeof(buf), "bus/pci/devices/%s/driver_override", P4);
	check_str(buf, "(null)");
	put("", "bus/pci/drivers/mvgpu/bind");
	put("", "bus/pci/drivers/mvgpu/unbind");
	/* another driver's device is left alone */
	check_eq(mvgpu_admin_pci_bind(a, "0000:00:02.0", NULL), -EBUSY);
	check_eq(strstr(mvgpu_last_error(), "held by driver virtio-pci") != NULL, 1);
	get(buf, sizeof(buf), "bus/pci/devices/0000:00:02.0/driver_override");
	check_str(buf, "(null)");
	get(buf, sizeof(buf), "bus/pci/drivers/mvgpu/bind");
	check_str(buf, "");
	/* driver_override, then bind; the short form means domain 0 */
	check_eq(mvgpu_admin_pci_bind(a, "00:04.0", NULL), 0);
	get(buf, sizeof(buf), "bus/pci/devices/%s/driver_override", P4);
	check_str(buf, MVGPU_PCI_DRIVER_DEFAULT);
	get(buf, sizeof(buf), "bus/pci/drivers/mvgpu/bind");
	check_str(buf, P4);

	/* the kernel's side: the device is a GPU with a vGPU */
	make_pci_dev(P4, "0x1234\n", "mvgpu");
	make_gpu_on("mvgpu3", P4, "bochs\n", 256 * MIB, 192 * MIB, 0);
	make_vgpu_on(U4, "mvgpu3", P4, 4, "closed\n", "-\n");
	check_eq(mvgpu_admin_refresh(a), 0);
	check_eq(mvgpu_admin_find_vgpu(a, U4, &v) >= 0, 1);
	check_str(v.gpu, "mvgpu3");
	check_str(v.parent, P4);
	check_eq(mvgpu_admin_find_vgpu(a, U1, &v) >= 0, 1);
	check_str(v.parent, "mvgpu2");
	/* bound already: nothing to do */
	check_eq(mvgpu_admin_pci_bind(a, P4, NULL), 0);
	i = mvgpu_admin_find_gpu(a, P4, &g);
	check_eq(i >= 0, 1);
	check_str(g.name, "mvgpu3");
	check_str(g.parent, P4);
	check_str(g.backend, "bochs");
	check_eq(g.ntypes, 4);
	check_eq(mvgpu_admin_find_gpu(a, "00:04.0", NULL), i);
	check_eq(mvgpu_admin_find_gpu(a, "mvgpu2", &g), 0);
	check_str(g.parent, "mvgpu2");	/* a tree without the attribute */

	/* create on the PCI parent: its type directory is under the device */
	c.type = "mvgpu-8";
	c.gpu = P4;
	c.uuid = "bbbbbbbb-0000-4000-8000-000000000001";
	check_eq(mvgpu_admin_create(a, &c), 0);
	check_str(c.out_gpu, "mvgpu3");
	get(buf, sizeof(buf),
	    "class/mdev_bus/%s/mdev_supported_types/mvgpu-8/create", P4);
	check_str(buf, "bbbbbbbb-0000-4000-8000-000000000001");

	/* unbind: refused while a vGPU is there, forced or not ours */
	make_vgpu_on(U5, "mvgpu3", P4, 4, "open\n", "77 qemu\n");
	check_eq(mvgpu_admin_refresh(a), 0);
	check_eq(mvgpu_admin_pci_unbind(a, P4, 0), -EBUSY);
	check_eq(strstr(mvgpu_last_error(), "has 2 vGPUs") != NULL, 1);
	get(buf, sizeof(buf), "bus/pci/drivers/mvgpu/unbind");
	check_str(buf, "");
	check_eq(mvgpu_admin_pci_unbind(a, P4, 0x10), -EINVAL);
	check_eq(mvgpu_admin_pci_unbind(a, "0000:00:02.0", 0), -ENXIO);
	check_eq(mvgpu_admin_pci_unbind(a, P4, MVGPU_UNBIND_FORCE), 0);
	get(buf, sizeof(buf), "bus/pci/drivers/mvgpu/unbind");
	check_str(buf, P4);
	get(buf, sizeof(buf), "bus/pci/devices/%s/driver_override", P4);
	check_str(buf, "");
	mvgpu_admin_close(&a);
}

static void test_helpers(void **state)
{
	char u[MVGPU_UUID_LEN], w[MVGPU_UUID_LEN], p[MVGPU_PCI_ADDR_LEN];
	unsigned int d = 0;

	check_eq(mvgpu_uuid_random(u), 0);
	check_eq(mvgpu_uuid_parse(u, w), 0);
	check_str(w, u);
	check_eq(u[14], '4');			/* version 4 */
	check_eq(mvgpu_uuid_parse("1234", w), -EINVAL);
	check_eq(mvgpu_uuid_parse("11111111x1111-4111-8111-111111111111", w),
		 -EINVAL);
	check_eq(mvgpu_type_parse("mvgpu-8", &d), 0);
	check_eq(d, 8);
	check_eq(mvgpu_type_parse("1/2", &d), 0);
	check_eq(d, 2);
	check_eq(mvgpu_type_parse("0", &d), -EINVAL);
	check_eq(mvgpu_type_parse("mvgpu-", &d), -EINVAL);
	check_str(mvgpu_fault_kind_name(MVGPU_FAULT_OUT_OF_RANGE), "out_of_range");
	check_str(mvgpu_fault_kind_name(MVGPU_FAULT_BUS_MASTER), "bus_master");
	check_eq(mvgpu_fault_kind_name(0) == NULL, 1);
	check_eq(mvgpu_fault_kind_name(MVGPU_NUM_FAULT_CODES) == NULL, 1);
	/* PCI addresses: the short form gets domain 0, hex lower-cased */
	check_eq(mvgpu_pci_addr_parse("00:04.0", p), 0);
	check_str(p, "0000:00:04.0");
	check_eq(mvgpu_pci_addr_parse("0000:0A:1F.7", p), 0);
	check_str(p, "0000:0a:1f.7");
	check_eq(mvgpu_pci_addr_parse("0000:00:04.8", p), -EINVAL);
	check_eq(mvgpu_pci_addr_parse("0000:00:04", p), -EINVAL);
	check_eq(mvgpu_pci_addr_parse("0000-00:04.0", p), -EINVAL);
	check_eq(mvgpu_pci_addr_parse("00:0g.0", p), -EINVAL);
	check_eq(mvgpu_pci_addr_parse(NULL, p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_module, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enumerate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extensible_structs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_and_rates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_knobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cdi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copied_tree, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pci, setup, teardown),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
