// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VRAM BAR: a pattern written through mmap reads back through pread
 * and through a second mapping in another process; first-touch faults
 * map many pages each (fault-around), every page landing in the vGPU's own
 * VRAM and every one of them zapped with decoding off; a fault's block
 * mapped right when threads fault it at once, after fork, in a mapping
 * split by mprotect and at the end of VRAM; reset and memory-decoding-off zap mappings
 * (SIGBUS, never someone else's data); mmap refusals; a mapping keeps the
 * device open, so remove waits for munmap; two vGPUs never see each
 * other's bytes through any access path; VRAM is scrubbed on remove.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "mvgpu_test.h"

#define PAGE 4096ul

static sigjmp_buf probe_jmp;

static void on_probe_signal(int sig)
{
	siglongjmp(probe_jmp, 1);
}

/*
 * Read the byte at @p into *@val, or write *@val there: 1 if that raised
 * @sig (SIGBUS, SIGSEGV), 0 if it went through
 */
static int probe(volatile uint8_t *p, int sig, bool write, uint8_t *val)
{
	struct sigaction sa = { .sa_handler = on_probe_signal }, old;
	int hit = 0;

	sigaction(sig, &sa, &old);
	if (sigsetjmp(probe_jmp, 1))
		hit = 1;
	else if (write)
		*p = *val;
	else
		*val = *p;
	sigaction(sig, &old, NULL);
	return hit;
}

/* 1 if reading the byte raised SIGBUS; *out gets it otherwise */
static int probe_read(volatile uint8_t *p, uint8_t *out)
{
	return probe(p, SIGBUS, false, out);
}

static int cleanup(void **state)
{
	mt_remove_all();
	return 0;
}

static uint8_t *map_vram(struct mt_vfio *v, uint64_t size, uint64_t off)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
		    MT_REGION(MVGPU_VRAM_BAR_INDEX) + off);
}

static void fill_pattern(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i += 4)
		*(uint32_t *)(p + i) = seed ^ (uint32_t)(i * 2654435761u);
}

static int check_pattern(const uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i += 4)
		if (*(const uint32_t *)(p + i) != (seed ^ (uint32_t)(i * 2654435761u)))
			return -1;
	return 0;
}

static void test_mmap_pread_second_mapping(void **state)
{
	const size_t len = 64 * PAGE;
	struct mt_vfio v;
	char uuid[MT_UUID_LEN];
	uint8_t *map, *buf = malloc(len);
	uint64_t faults0, faults1;
	pid_t pid;
	int status;

	assert_int_equal(mt_create_new(0, 8, uuid), 0);
	assert_int_equal(mt_vfio_open(uuid, &v), 0);
	assert_int_equal(mt_enable(v.device), 0);
	map = map_vram(&v, len, 0);
	assert_true(map != MAP_FAILED);

	assert_int_equal(mt_vgpu_stat(uuid, "vram_faults", &faults0), 0);
	fill_pattern(map, len, 0xc0ffee);
	assert_int_equal(mt_vgpu_stat(uuid, "vram_faults", &faults1), 0);
	/* a fault maps a block of pages around it: several pages per fault */
	if (faults1 - faults0 < 1 || faults1 - faults0 > len / PAGE / 16)
		fail_msg("touching %zu pages took %llu faults, want 1..%zu",
			 len / PAGE, (unsigned long long)(faults1 - faults0),
			 len / PAGE / 16);
	fill_pattern(map, len, 0xc0ffee);
	assert_int_equal(mt_vgpu_stat(uuid, "vram_faults", &faults0), 0);
	assert_int_equal(faults0, faults1);

	/* pread sees it */
	assert_int_equal(mt_region_read(v.device, MVGPU_VRAM_BAR_INDEX, 0, buf,
					len), 0);
	assert_int_equal(check_pattern(buf, len, 0xc0ffee), 0);
	/* pwrite in the middle shows through the mapping */
	memset(buf, 0x5a, 100);
	assert_int_equal(mt_region_write(v.device, MVGPU_VRAM_BAR_INDEX,
					 3 * PAGE + 7, buf, 100), 0);
	assert_int_equal(map[3 * PAGE + 7], 0x5a);
	assert_int_equal(map[3 * PAGE + 106], 0x5a);
	fill_pattern(map, len, 0xc0ffee);

	/* a second mapping, in a second process sharing the device fd */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint8_t *second = map_vram(&v, len, 0);

		if (second == MAP_FAILED)
			_exit(2);
		if (check_pattern(second, len, 0xc0ffee))
			_exit(3);
		/* and a mapping at an offset */
		munmap(second, len);
		second = map_vram(&v, PAGE, 5 * PAGE);
		if (second == MAP_FAILED)
			_exit(4);
		_exit(memcmp(second, map + 5 * PAGE, PAGE) ? 5 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	munmap(map, len);
	mt_vfio_close(&v);
	free(buf);
}

static void test_mmap_refusals(void **state)
{
	struct mt_vfio v;
	char uuid[MT_UUID_LEN];
	uint64_t vram = 0;
	void *p;

	assert_int_equal(mt_create_new(0, 8, uuid), 0);
	assert_int_equal(mt_vfio_open(uuid, &v), 0);
	assert_int_equal(mt_enable(v.device), 0);
	assert_int_equal(mt_reg_read64(v.device, MVGPU_REG_VRAM_SIZE, &vram), 0);

	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, v.device,
		 MT_REGION(MVGPU_VRAM_BAR_INDEX));
	assert_true(p == MAP_FAILED && errno == EINVAL);
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, v.device,
		 MT_REGION(MVGPU_VRAM_BAR_INDEX) + vram - PAGE);
	assert_true(p == MAP_FAILED && errno == EINVAL);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, v.device,
		 MT_REGION(MVGPU_BAR0_INDEX));
	assert_true(p == MAP_FAILED && errno == EINVAL);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, v.device,
		 MT_REGION(VFIO_PCI_CONFIG_REGION_INDEX));
	assert_true(p == MAP_FAILED && errno == EINVAL);
	/* region reads past the VRAM */
	assert_int_equal(mt_region_read(v.device, MVGPU_VRAM_BAR_INDEX, vram - 2,
					&vram, 4), -EINVAL);
	mt_vfio_close(&v);
}

static void test_reset_and_decode_zap(void **state)
{
	struct mt_vfio v;
	char uuid[MT_UUID_LEN];
	uint8_t *map, byte = 0;
	uint16_t off = 0;

	assert_int_equal(mt_create_new(0, 8, uuid), 0);
	assert_int_equal(mt_vfio_open(uuid, &v), 0);
	assert_int_equal(mt_enable(v.device), 0);
	map = map_vram(&v, 4 * PAGE, 0);
	assert_true(map != MAP_FAILED);
	memset(map, 0x77, 4 * PAGE);

	/* memory decoding off: the mapping no longer reaches the memory */
	assert_int_equal(mt_cfg_write(v.device, PCI_COMMAND, &off, 2), 0);
	assert_int_equal(probe_read(map, &byte), 1);
	assert_int_equal(probe_read(map + 3 * PAGE, &byte), 1);
	/* decoding on again: the same mapping shows this vGPU's data */
	assert_int_equal(mt_enable(v.device), 0);
	assert_int_equal(probe_read(map + PAGE, &byte), 0);
	assert_int_equal(byte, 0x77);

	/* VFIO_DEVICE_RESET: decoding is off afterwards, VRAM is kept */
	assert_int_equal(ioctl(v.device, VFIO_DEVICE_RESET), 0);
	assert_int_equal(probe_read(map + PAGE, &byte), 1);
	assert_int_equal(mt_enable(v.device), 0);
	assert_int_equal(probe_read(map + 2 * PAGE, &byte), 0);
	assert_int_equal(byte, 0x77);

	munmap(map, 4 * PAGE);
	mt_vfio_close(&v);
}

struct remover {
	char uuid[MT_UUID_LEN];
	volatile int done;
};

static void *remove_thread(void *arg)
{
	struct remover *r = arg;

	mt_remove(r->uuid);
	r->done = 1;
	return NULL;
}

/* A mapping keeps the device open: remove waits for munmap too */
static void test_remove_waits_for_munmap(void **state)
{
	struct remover r = { 0 };
	struct mt_vfio v;
	pthread_t t;
	uint8_t *map;

	assert_int_equal(mt_create_new(0, 8, r.uuid), 0);
	assert_int_equal(mt_vfio_open(r.uuid, &v), 0);
	assert_int_equal(mt_enable(v.device), 0);
	map = map_vram(&v, PAGE, 0);
	assert_true(map != MAP_FAILED);
	map[0] = 1;
	mt_vfio_close(&v);		/* fds closed, the mapping remains */

	assert_int_equal(pthread_create(&t, NULL, remove_thread, &r), 0);
	usleep(500 * 1000);
	assert_int_equal(r.done, 0);
	assert_int_equal(map[0], 1);	/* still this vGPU's memory */
	munmap(map, PAGE);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(r.done, 1);
	assert_int_equal(mt_available(0, 8), 8);
}

/* Two vGPUs, every access path, never each other's bytes */
static void test_isolation_two_vgpus(void **state)
{
	struct mt_dev a, b;
	const uint64_t len = 1 << 20;
	struct mvgpu_cmd cmds[2];
	uint8_t *buf = malloc(len);
	uint64_t off;
	unsigned int i;

	assert_int_equal(mt_dev_open(&a, 0, 4), 0);
	assert_int_equal(mt_dev_open(&b, 0, 4), 0);

	/* CPU paths: mmap for a, pwrite for b, over the whole VRAM */
	for (off = MT_DATA_OFF; off < a.vram_size; off += len)
		memset(a.vram + off, 0xaa, len);
	memset(buf, 0xbb, len);
	for (off = MT_DATA_OFF; off < b.vram_size; off += len)
		assert_int_equal(mt_region_write(b.v.device, MVGPU_VRAM_BAR_INDEX,
						 off, buf, len), 0);
	/* engine paths: FILL then COPY, in each */
	memset(cmds, 0, sizeof(cmds));
	cmds[0].opcode = MVGPU_OP_FILL;
	cmds[0].dst = MT_DATA_OFF;
	cmds[0].size = len;
	cmds[0].value = 0xa1a1a1a1;
	cmds[1].opcode = MVGPU_OP_COPY;
	cmds[1].dst = a.vram_size - len;
	cmds[1].src = MT_DATA_OFF;
	cmds[1].size = len;
	assert_int_equal(mt_dev_run(&a, cmds, 2, 20000), 0);
	cmds[0].value = 0xb1b1b1b1;
	assert_int_equal(mt_dev_run(&b, cmds, 2, 20000), 0);

	/* every byte of each is its own */
	for (off = MT_DATA_OFF; off < a.vram_size; off += len) {
		uint8_t want_a = (off == MT_DATA_OFF ||
				  off == a.vram_size - len) ? 0xa1 : 0xaa;
		uint8_t want_b = (off == MT_DATA_OFF ||
				  off == b.vram_size - len) ? 0xb1 : 0xbb;

		for (i = 0; i < len; i++)
			if (a.vram[off + i] != want_a)
				fail_msg("vGPU a: byte 0x%llx is 0x%02x",
					 (unsigned long long)(off + i),
					 a.vram[off + i]);
		assert_int_equal(mt_region_read(b.v.device, MVGPU_VRAM_BAR_INDEX,
						off, buf, len), 0);
		for (i = 0; i < len; i++)
			if (buf[i] != want_b)
				fail_msg("vGPU b: byte 0x%llx is 0x%02x",
					 (unsigned long long)(off + i), buf[i]);
	}
	mt_dev_close(&a);
	mt_dev_close(&b);
	free(buf);
}

/*
 * Fault-around: touch every page of a whole-BAR mapping, with far fewer
 * faults than pages; every byte lands in this vGPU's VRAM (pread of its
 * region) and none in its neighbour's; memory decoding off zaps every
 * page the faults mapped, neighbours included.
 */
static void test_fault_around_whole_bar(void **state)
{
	struct mt_dev a, b;
	uint64_t faults0, faults1, off, pages, bus = 0;
	uint8_t *map, *buf, byte;
	uint16_t cmd_off = 0;

	assert_int_equal(mt_dev_open(&a, 0, 8), 0);
	assert_int_equal(mt_dev_open(&b, 0, 8), 0);
	pages = a.vram_size / PAGE;
	buf = malloc(a.vram_size);
	assert_non_null(buf);

	memset(buf, 0xbb, a.vram_size - MT_DATA_OFF);
	assert_int_equal(mt_region_write(b.v.device, MVGPU_VRAM_BAR_INDEX,
					 MT_DATA_OFF, buf,
					 a.vram_size - MT_DATA_OFF), 0);

	map = map_vram(&a.v, a.vram_size, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mt_vgpu_stat(a.uuid, "vram_faults", &faults0), 0);
	for (off = MT_DATA_OFF; off < a.vram_size; off += PAGE)
		fill_pattern(map + off, PAGE, (uint32_t)off);
	assert_int_equal(mt_vgpu_stat(a.uuid, "vram_faults", &faults1), 0);
	if (faults1 - faults0 < 1 || faults1 - faults0 > pages / 16)
		fail_msg("touching %llu pages took %llu faults, want 1..%llu",
			 (unsigned long long)(pages - MT_DATA_OFF / PAGE),
			 (unsigned long long)(faults1 - faults0),
			 (unsigned long long)pages / 16);

	/* every page is a's own: its region has them, b's has none */
	assert_int_equal(mt_region_read(a.v.device, MVGPU_VRAM_BAR_INDEX, 0,
					buf, a.vram_size), 0);
	for (off = MT_DATA_OFF; off < a.vram_size; off += PAGE)
		if (check_pattern(buf + off, PAGE, (uint32_t)off))
			fail_msg("vGPU a: page at 0x%llx does not hold what was written through the mapping",
				 (unsigned long long)off);
	assert_int_equal(mt_region_read(b.v.device, MVGPU_VRAM_BAR_INDEX,
					MT_DATA_OFF, buf,
					b.vram_size - MT_DATA_OFF), 0);
	for (off = 0; off < b.vram_size - MT_DATA_OFF; off++)
		if (buf[off] != 0xbb)
			fail_msg("vGPU b: byte 0x%llx is 0x%02x, want 0xbb",
				 (unsigned long long)(off + MT_DATA_OFF), buf[off]);

	/* decoding off: no page of the mapping reaches the memory */
	assert_int_equal(mt_cfg_write(a.v.device, PCI_COMMAND, &cmd_off, 2), 0);
	for (off = 0; off < a.vram_size; off += PAGE)
		bus += probe_read(map + off, &byte);
	assert_int_equal(bus, pages);

	munmap(map, a.vram_size);
	free(buf);
	mt_dev_close(&a);
	mt_dev_close(&b);
}

/* 1 if writing the byte raised SIGSEGV */
static int probe_write_segv(volatile uint8_t *p, uint8_t val)
{
	return probe(p, SIGSEGV, true, &val);
}

/* the first word of page @off of the pattern below */
static uint32_t page_word(uint64_t off, uint32_t seed)
{
	return seed ^ (uint32_t)(off * 2654435761u);
}

#define TOUCHERS	4

/* test_fault_block_cases's device and mapping, for its teardown */
static struct mt_dev block_dev;
static uint8_t *block_map;
static uint64_t block_len;

static uint8_t *block_map_vram(uint64_t len, uint64_t off)
{
	block_map = map_vram(&block_dev.v, len, off);
	block_len = len;
	return block_map;
}

static void block_unmap(void)
{
	if (block_map && block_map != MAP_FAILED)
		munmap(block_map, block_len);
	block_map = NULL;
}

/* a failed assertion leaves the mapping: unmap it, or remove would wait */
static int block_cleanup(void **state)
{
	block_unmap();
	if (block_dev.uuid[0])
		mt_dev_close(&block_dev);
	return cleanup(state);
}

struct toucher {
	const uint8_t *map;
	uint64_t len;
	unsigned int index;
	pthread_barrier_t *start;
	uint64_t wrong;		/* pages whose first word was not the pattern's */
};

/* read every page, starting at its own one, all threads at once */
static void *touch_thread(void *arg)
{
	struct toucher *t = arg;
	uint64_t pages = t->len / PAGE, i;

	pthread_barrier_wait(t->start);
	for (i = 0; i < pages; i++) {
		uint64_t off = ((i + t->index * pages / TOUCHERS) % pages) * PAGE;

		if (*(volatile const uint32_t *)(t->map + off) !=
		    page_word(off, 0x5eed))
			t->wrong++;
	}
	return NULL;
}

/*
 * What a fault that maps a whole block must get right: threads faulting
 * the same blocks at once, a fork in the middle of a first touch, a
 * mapping split by mprotect (each part keeps its protection), a mapping
 * ending at the last page of VRAM; then decoding off zaps all of it and
 * decoding on maps this vGPU's bytes again.
 */
static void test_fault_block_cases(void **state)
{
	const uint64_t len = 8ull << 20;	/* several 2 MiB blocks */
	struct toucher t[TOUCHERS];
	pthread_t thr[TOUCHERS];
	pthread_barrier_t start;
	uint64_t off, pages = len / PAGE, bus = 0;
	uint8_t *map, *buf, byte = 0;
	uint16_t cmd_off = 0;
	struct mt_dev *a = &block_dev;
	unsigned int i;
	int status;
	pid_t pid;

	assert_int_equal(mt_dev_open(a, 0, 8), 0);
	assert_true(MT_DATA_OFF + len <= a->vram_size);
	buf = malloc(len);
	assert_non_null(buf);
	for (off = 0; off < len; off += 4)
		*(uint32_t *)(buf + off) = page_word(off, 0x5eed);
	assert_int_equal(mt_region_write(a->v.device, MVGPU_VRAM_BAR_INDEX,
					 MT_DATA_OFF, buf, len), 0);

	/* TOUCHERS threads first-touch the same fresh mapping at once */
	map = block_map_vram(len, MT_DATA_OFF);
	assert_true(map != MAP_FAILED);
	assert_int_equal(pthread_barrier_init(&start, NULL, TOUCHERS), 0);
	for (i = 0; i < TOUCHERS; i++) {
		t[i] = (struct toucher){ .map = map, .len = len, .index = i,
					 .start = &start };
		assert_int_equal(pthread_create(&thr[i], NULL, touch_thread,
						&t[i]), 0);
	}
	for (i = 0; i < TOUCHERS; i++) {
		assert_int_equal(pthread_join(thr[i], NULL), 0);
		if (t[i].wrong)
			fail_msg("thread %u: %llu of %llu pages did not show this vGPU's bytes",
				 i, (unsigned long long)t[i].wrong,
				 (unsigned long long)pages);
	}
	pthread_barrier_destroy(&start);
	block_unmap();

	/* fork with half the mapping touched: the child writes all of it */
	map = block_map_vram(len, MT_DATA_OFF);
	assert_true(map != MAP_FAILED);
	for (off = 0; off < len / 2; off += PAGE)
		assert_int_equal(*(uint32_t *)(map + off), page_word(off, 0x5eed));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (off = 0; off < len; off += PAGE)
			*(uint32_t *)(map + off) = page_word(off, 0xc41d);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	for (off = 0; off < len; off += PAGE)
		if (*(uint32_t *)(map + off) != page_word(off, 0xc41d))
			fail_msg("page 0x%llx: 0x%08x in the parent, want the child's 0x%08x",
				 (unsigned long long)off, *(uint32_t *)(map + off),
				 page_word(off, 0xc41d));
	block_unmap();

	/* a split mapping: the read-only middle stays read-only */
	map = block_map_vram(len, MT_DATA_OFF);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + len / 2 - 3 * PAGE, 6 * PAGE,
				  PROT_READ), 0);
	off = len / 2;
	assert_int_equal(*(volatile uint32_t *)(map + off),
			 page_word(off, 0xc41d));
	assert_int_equal(probe_write_segv(map + off, 1), 1);
	assert_int_equal(probe_write_segv(map + len / 2 - 3 * PAGE, 1), 1);
	/* the writable parts either side, first touched now */
	assert_int_equal(probe_write_segv(map + len / 2 + 3 * PAGE, 0x3c), 0);
	assert_int_equal(probe_write_segv(map + len / 2 - 4 * PAGE, 0x3d), 0);
	assert_int_equal(mt_region_read(a->v.device, MVGPU_VRAM_BAR_INDEX,
					MT_DATA_OFF, buf, len), 0);
	assert_int_equal(buf[len / 2 + 3 * PAGE], 0x3c);
	assert_int_equal(buf[len / 2 - 4 * PAGE], 0x3d);
	assert_int_equal(*(uint32_t *)(buf + off), page_word(off, 0xc41d));

	/* decoding off: SIGBUS on every page; on again: the same bytes */
	assert_int_equal(mt_cfg_write(a->v.device, PCI_COMMAND, &cmd_off, 2), 0);
	for (off = 0; off < len; off += PAGE)
		bus += probe_read(map + off, &byte);
	assert_int_equal(bus, pages);
	assert_int_equal(mt_enable(a->v.device), 0);
	for (off = 0; off < len; off += PAGE) {
		uint32_t want = page_word(off, 0xc41d);

		if (off == len / 2 + 3 * PAGE || off == len / 2 - 4 * PAGE)
			want = (want & ~0xffu) | buf[off];
		if (*(volatile uint32_t *)(map + off) != want)
			fail_msg("after decoding on: page 0x%llx holds 0x%08x, want 0x%08x",
				 (unsigned long long)off,
				 *(volatile uint32_t *)(map + off), want);
	}
	block_unmap();

	/* a mapping of the last three pages of VRAM */
	map = block_map_vram(3 * PAGE, a->vram_size - 3 * PAGE);
	assert_true(map != MAP_FAILED);
	memset(map, 0x6b, 3 * PAGE);
	assert_int_equal(mt_region_read(a->v.device, MVGPU_VRAM_BAR_INDEX,
					a->vram_size - 3 * PAGE, buf, 3 * PAGE), 0);
	for (off = 0; off < 3 * PAGE; off++)
		if (buf[off] != 0x6b)
			fail_msg("last pages: byte 0x%llx is 0x%02x, want 0x6b",
				 (unsigned long long)off, buf[off]);
	block_unmap();

	free(buf);
	mt_dev_close(a);
}

/* A new vGPU on freed slices starts with zeroed VRAM */
static void test_scrubbed_after_remove(void **state)
{
	struct mt_dev a;
	uint64_t off;
	unsigned int round;

	for (round = 0; round < 2; round++) {
		assert_int_equal(mt_dev_open(&a, 0, 1), 0);
		for (off = 0; off < a.vram_size; off += PAGE * 61)
			if (a.vram[off] || a.vram[off + PAGE - 1])
				fail_msg("round %u: VRAM byte 0x%llx not zero", round,
					 (unsigned long long)off);
		memset(a.vram, 0xee, a.vram_size);
		mt_dev_close(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_mmap_pread_second_mapping, cleanup),
		cmocka_unit_test_teardown(test_mmap_refusals, cleanup),
		cmocka_unit_test_teardown(test_reset_and_decode_zap, cleanup),
		cmocka_unit_test_teardown(test_remove_waits_for_munmap, cleanup),
		cmocka_unit_test_teardown(test_isolation_two_vgpus, cleanup),
		cmocka_unit_test_teardown(test_fault_around_whole_bar, cleanup),
		cmocka_unit_test_teardown(test_fault_block_cases, block_cleanup),
		cmocka_unit_test_teardown(test_scrubbed_after_remove, cleanup),
	};

	return MT_RUN("vram", tests, NULL, NULL);
}
