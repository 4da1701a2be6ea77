// SPDX-License-Identifier: MIT
/*
 * Statistics (lib/stats.c) from a fake sysfs directory: every counter read
 * from its file, and a missing or malformed file refused with the struct
 * left as it was.
 */
#include <errno.h>
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
#include "fake_gpu.h"

static const char *const names[] = {
	"busy_ns", "wait_ns", "vruntime_ns", "slices", "preemptions",
	"max_wait_slices", "commands", "bytes", "faults", "vram_faults",
	"interrupts",
};
#define NSTATS	(sizeof(names) / sizeof(names[0]))

struct fixture {
	struct fake_gpu fk;
	struct mvgpu *g;
	char dir[64];
};

static void put(struct fixture *f, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/mvgpu_stats/%s", f->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int setup(void **state)
{
	static struct fixture f;
	char path[128];
	unsigned int i;

	f.g = fake_open(&f.fk, 4 << 20);
	strcpy(f.dir, "/tmp/mvgpu-stats-XXXXXX");
	if (!f.g || !mkdtemp(f.dir))
		return -1;
	snprintf(path, sizeof(path), "%s/mvgpu_stats", f.dir);
	if (mkdir(path, 0700))
		return -1;
	snprintf(f.g->sysfs_dir, sizeof(f.g->sysfs_dir), "%s", f.dir);
	for (i = 0; i < NSTATS; i++) {
		char v[32];

		snprintf(v, sizeof(v), "%u\n", 1000 + i);
		put(&f, names[i], v);
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[256];
	unsigned int i;

	for (i = 0; i < NSTATS; i++) {
		snprintf(path, sizeof(path), "%s/mvgpu_stats/%s", f->dir,
			 names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/mvgpu_stats", f->dir);
	rmdir(path);
	rmdir(f->dir);
	fake_close(&f->fk, &f->g);
	return 0;
}

static void test_read_all(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_stats s;
	const uint64_t *field;
	unsigned int i;

	/* the struct is the counters in the order of the files above */
	assert_int_equal(sizeof(s), NSTATS * sizeof(uint64_t));
	memset(&s, 0xff, sizeof(s));
	assert_int_equal(mvgpu_get_stats(f->g, &s), 0);
	field = (const uint64_t *)&s;
	for (i = 0; i < NSTATS; i++)
		if (field[i] != 1000 + i)
			fail_why("%s = %llu, want %u", names[i],
				 (unsigned long long)field[i], 1000 + i);
	assert_int_equal(s.busy_ns, 1000);
	assert_int_equal(s.interrupts, 1010);

	put(f, "bytes", "18446744073709551615\n");
	assert_int_equal(mvgpu_get_stats(f->g, &s), 0);
	assert_int_equal(s.bytes, UINT64_MAX);
}

static void test_refused(void **state)
{
	static const char *const bad[] = { "", "abc\n", "-1\n", "12x\n",
		"99999999999999999999999\n", " 5\n" };
	struct fixture *f = *state;
	struct mvgpu_stats s, before;
	char path[256];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(f, "faults", bad[i]);
		memset(&s, 0x5a, sizeof(s));
		memcpy(&before, &s, sizeof(s));
		assert_int_equal(mvgpu_get_stats(f->g, &s), -EINVAL);
		assert_non_null(strstr(mvgpu_last_error(), "faults"));
		assert_memory_equal(&s, &before, sizeof(s));
	}
	put(f, "faults", "3\n");

	snprintf(path, sizeof(path), "%s/mvgpu_stats/vram_faults", f->dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mvgpu_get_stats(f->g, &s), -ENOENT);
	assert_non_null(strstr(mvgpu_last_error(), "vram_faults"));
	assert_memory_equal(&s, &before, sizeof(s));
	put(f, "vram_faults", "4");	/* no newline is fine */
	assert_int_equal(mvgpu_get_stats(f->g, &s), 0);
	assert_int_equal(s.vram_faults, 4);
	assert_int_equal(s.faults, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
