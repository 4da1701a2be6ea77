// SPDX-License-Identifier: MIT
/*
 * The range allocator behind VRAM buffers and IOVAs (lib/alloc.c):
 * alignment, exhaustion, free with coalescing, fragmentation, refused
 * frees, and a seeded random alloc/free sequence checked against a shadow
 * map of the range (no overlap, nothing lost) and the list invariants.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "alloc.h"

#define BASE	0x1000
#define SIZE	(1 << 20)
#define GRAN	64

static void check(const struct mvgpu_range_alloc *ra)
{
	assert_int_equal(mvgpu__ra_check(ra), 0);
}

static void test_init(void **state)
{
	struct mvgpu_range_alloc ra;

	assert_int_equal(mvgpu__ra_init(&ra, BASE, SIZE, GRAN), 0);
	check(&ra);
	assert_int_equal(ra.free_bytes, SIZE);
	assert_int_equal(mvgpu__ra_largest(&ra), SIZE);
	mvgpu__ra_fini(&ra);

	assert_int_equal(mvgpu__ra_init(&ra, BASE, SIZE, 48), -EINVAL);
	assert_int_equal(mvgpu__ra_init(&ra, BASE, 0, GRAN), -EINVAL);
	assert_int_equal(mvgpu__ra_init(&ra, BASE + 1, SIZE, GRAN), -EINVAL);
	assert_int_equal(mvgpu__ra_init(&ra, BASE, SIZE + 8, GRAN), -EINVAL);
	assert_int_equal(mvgpu__ra_init(&ra, UINT64_MAX & ~63ull, 128, GRAN),
			 -EINVAL);
}

static void test_alignment(void **state)
{
	static const uint64_t aligns[] = { 0, 1, 2, 64, 128, 4096, 65536,
					   1 << 18 };
	struct mvgpu_range_alloc ra;
	uint64_t at, taken;
	unsigned int i;

	assert_int_equal(mvgpu__ra_init(&ra, BASE, SIZE, GRAN), 0);
	for (i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		uint64_t a = aligns[i] < GRAN ? GRAN : aligns[i];

		/* an odd size first, so the next start is not aligned */
		assert_int_equal(mvgpu__ra_alloc(&ra, 100, 0, &at, &taken), 0);
		assert_int_equal(taken, 128);		/* rounded to granule */
		assert_int_equal(at % GRAN, 0);
		assert_int_equal(mvgpu__ra_alloc(&ra, 10, aligns[i], &at,
						 &taken), 0);
		if (at % a)
			fail_why("align %llu: got 0x%llx",
				 (unsigned long long)aligns[i],
				 (unsigned long long)at);
		assert_true(at >= BASE && at + taken <= BASE + SIZE);
		check(&ra);
	}
	/* not a power of two */
	assert_int_equal(mvgpu__ra_alloc(&ra, 10, 3, &at, NULL), -EINVAL);
	assert_int_equal(mvgpu__ra_alloc(&ra, 10, 4096 + 64, &at, NULL),
			 -EINVAL);
	assert_int_equal(mvgpu__ra_alloc(&ra, 0, 0, &at, NULL), -EINVAL);
	/* alignment larger than the range can satisfy */
	assert_int_equal(mvgpu__ra_alloc(&ra, 64, 1ull << 40, &at, NULL),
			 -ENOMEM);
	check(&ra);
	mvgpu__ra_fini(&ra);
}

static void test_exhaustion(void **state)
{
	struct mvgpu_range_alloc ra;
	uint64_t at, before;
	unsigned int n = 0;

	assert_int_equal(mvgpu__ra_init(&ra, BASE, SIZE, GRAN), 0);
	while (mvgpu__ra_alloc(&ra, 4096, 4096, &at, NULL) == 0) {
		assert_int_equal(at, BASE + (uint64_t)n * 4096);
		n++;
	}
	assert_int_equal(n, SIZE / 4096);
	assert_int_equal(ra.free_bytes, 0);
	before = ra.pieces;
	assert_int_equal(mvgpu__ra_alloc(&ra, 64, 0, &at, NULL), -ENOMEM);
	assert_int_equal(ra.pieces, before);
	check(&ra);

	/* sizes that overflow when rounded up */
	assert_int_equal(mvgpu__ra_alloc(&ra, UINT64_MAX, 0, &at, NULL),
			 -ENOMEM);
	assert_int_equal(mvgpu__ra_alloc(&ra, UINT64_MAX - 10, 0, &at, NULL),
			 -ENOMEM);
	mvgpu__ra_fini(&ra);

	assert_int_equal(mvgpu__ra_init(&ra, BASE, SIZE, GRAN), 0);
	assert_int_equal(mvgpu__ra_alloc(&ra, SIZE + 1, 0, &at, NULL),
			 -ENOMEM);
	assert_int_equal(mvgpu__ra_alloc(&ra, SIZE, 0, &at, NULL), 0);
	assert_int_equal(at, BASE);
	mvgpu__ra_fini(&ra);
}

static void test_free_coalesce(void **state)
{
	struct mvgpu_range_alloc ra;
	uint64_t at[4], t[4];
	unsigned int i;

	assert_int_equal(mvgpu__ra_init(&ra, BASE, SIZE, GRAN), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(mvgpu__ra_alloc(&ra, 4096, 0, &at[i], &t[i]),
				 0);
	/* [a0 a1 a2 a3 rest]: free a1 (a new range), a3 (merges with the
	 * rest after it), a2 (merges with both neighbours), a0 (merges with
	 * the range after it) */
	assert_int_equal(mvgpu__ra_free(&ra, at[1], t[1]), 0);
	check(&ra);
	assert_int_equal(ra.nr_free, 2);
	assert_int_equal(mvgpu__ra_free(&ra, at[3], t[3]), 0);
	check(&ra);
	assert_int_equal(ra.nr_free, 2);
	assert_int_equal(ra.free->start, at[1]);
	assert_int_equal(ra.free->next->start, at[3]);
	assert_int_equal(mvgpu__ra_free(&ra, at[2], t[2]), 0);
	check(&ra);
	assert_int_equal(ra.nr_free, 1);
	assert_int_equal(ra.free->start, at[1]);
	assert_int_equal(mvgpu__ra_free(&ra, at[0], t[0]), 0);
	check(&ra);
	assert_int_equal(ra.nr_free, 1);
	assert_int_equal(ra.free_bytes, SIZE);
	assert_int_equal(mvgpu__ra_largest(&ra), SIZE);
	/* spare nodes went back: one node is all a whole range needs */
	assert_int_equal(ra.nr_spare, 0);
	/* and the whole range is one allocation again */
	assert_int_equal(mvgpu__ra_alloc(&ra, SIZE, 0, &at[0], NULL), 0);
	mvgpu__ra_fini(&ra);
}

static void test_bad_free(void **state)
{
	struct mvgpu_range_alloc ra;
	uint64_t at, t, at2, t2;

	assert_int_equal(mvgpu__ra_init(&ra, BASE, SIZE, GRAN), 0);
	assert_int_equal(mvgpu__ra_free(&ra, BASE, 64), -EINVAL); /* nothing out */
	assert_int_equal(mvgpu__ra_alloc(&ra, 4096, 0, &at, &t), 0);
	assert_int_equal(mvgpu__ra_alloc(&ra, 4096, 0, &at2, &t2), 0);
	assert_int_equal(mvgpu__ra_free(&ra, at, t), 0);
	/* double free, partly free, outside, unaligned, empty */
	assert_int_equal(mvgpu__ra_free(&ra, at, t), -EINVAL);
	assert_int_equal(mvgpu__ra_free(&ra, at2 - 64, 128), -EINVAL);
	assert_int_equal(mvgpu__ra_free(&ra, at2 + 4096, 64), -EINVAL);
	assert_int_equal(mvgpu__ra_free(&ra, BASE - 64, 64), -EINVAL);
	assert_int_equal(mvgpu__ra_free(&ra, BASE + SIZE, 64), -EINVAL);
	assert_int_equal(mvgpu__ra_free(&ra, at2 + 1, 64), -EINVAL);
	assert_int_equal(mvgpu__ra_free(&ra, at2, 0), -EINVAL);
	assert_int_equal(mvgpu__ra_free(&ra, UINT64_MAX & ~63ull, 128),
			 -EINVAL);
	check(&ra);
	assert_int_equal(ra.free_bytes, SIZE - 4096);
	assert_int_equal(mvgpu__ra_free(&ra, at2, t2), 0);
	assert_int_equal(ra.free_bytes, SIZE);
	check(&ra);
	mvgpu__ra_fini(&ra);
}

/* free every other piece: plenty free in total, no large range */
static void test_fragmentation(void **state)
{
	struct mvgpu_range_alloc ra;
	uint64_t at[256], at2;
	unsigned int i;

	assert_int_equal(mvgpu__ra_init(&ra, BASE, SIZE, GRAN), 0);
	for (i = 0; i < 256; i++)
		assert_int_equal(mvgpu__ra_alloc(&ra, 4096, 0, &at[i], NULL), 0);
	for (i = 0; i < 256; i += 2)
		assert_int_equal(mvgpu__ra_free(&ra, at[i], 4096), 0);
	check(&ra);
	assert_int_equal(ra.free_bytes, SIZE / 2);
	assert_int_equal(ra.nr_free, 128);
	assert_int_equal(mvgpu__ra_largest(&ra), 4096);
	assert_int_equal(mvgpu__ra_alloc(&ra, 8192, 0, &at2, NULL), -ENOMEM);
	/* a hole fits exactly: first fit takes the lowest */
	assert_int_equal(mvgpu__ra_alloc(&ra, 4096, 0, &at2, NULL), 0);
	assert_int_equal(at2, at[0]);
	/* freeing the odd ones joins everything again */
	for (i = 1; i < 256; i += 2)
		assert_int_equal(mvgpu__ra_free(&ra, at[i], 4096), 0);
	assert_int_equal(mvgpu__ra_free(&ra, at2, 4096), 0);
	check(&ra);
	assert_int_equal(ra.nr_free, 1);
	assert_int_equal(mvgpu__ra_largest(&ra), SIZE);
	mvgpu__ra_fini(&ra);
}

struct piece {
	uint64_t at, taken;
	uint8_t owner;
};

/* seeded random sequence against a shadow map, one byte per granule */
static void test_random(void **state)
{
	enum { N = 512, UNITS = SIZE / GRAN };
	static uint8_t shadow[UNITS];	/* 0 free, else the owner's id */
	struct piece p[N];
	struct mvgpu_range_alloc ra;
	unsigned int seed, step, fails = 0, i;

	for (seed = 1; seed <= 4; seed++) {
		srand(seed);
		memset(shadow, 0, sizeof(shadow));
		memset(p, 0, sizeof(p));
		assert_int_equal(mvgpu__ra_init(&ra, BASE, SIZE, GRAN), 0);
		for (step = 0; step < 20000; step++) {
			unsigned int slot = rand() % N;
			uint64_t u;

			if (p[slot].taken) {
				for (u = 0; u < p[slot].taken / GRAN; u++) {
					uint64_t idx = (p[slot].at - BASE) /
						       GRAN + u;

					assert_int_equal(shadow[idx],
							 p[slot].owner);
					shadow[idx] = 0;
				}
				assert_int_equal(mvgpu__ra_free(&ra, p[slot].at,
								p[slot].taken),
						 0);
				p[slot].taken = 0;
			} else {
				uint64_t size = 1 + rand() % (rand() % 8 ?
							      4096 : 65536);
				uint64_t align = 1ull << (rand() % 14);
				int ret = mvgpu__ra_alloc(&ra, size, align,
							  &p[slot].at,
							  &p[slot].taken);

				if (ret) {
					assert_int_equal(ret, -ENOMEM);
					fails++;
					continue;
				}
				assert_true(p[slot].taken >= size);
				assert_int_equal(p[slot].at %
						 (align < GRAN ? GRAN : align), 0);
				assert_true(p[slot].at >= BASE);
				assert_true(p[slot].at + p[slot].taken <=
					    BASE + SIZE);
				p[slot].owner = 1 + slot % 255;
				for (u = 0; u < p[slot].taken / GRAN; u++) {
					uint64_t idx = (p[slot].at - BASE) /
						       GRAN + u;

					if (shadow[idx])
						fail_why("seed %u step %u: 0x%llx handed out twice",
							 seed, step,
							 (unsigned long long)
							 (BASE + idx * GRAN));
					shadow[idx] = p[slot].owner;
				}
			}
			if (step % 257 == 0)
				check(&ra);
		}
		check(&ra);
		/* free_bytes agrees with the shadow map */
		{
			uint64_t free_units = 0;

			for (i = 0; i < UNITS; i++)
				free_units += !shadow[i];
			assert_int_equal(ra.free_bytes, free_units * GRAN);
		}
		for (i = 0; i < N; i++)
			if (p[i].taken)
				assert_int_equal(mvgpu__ra_free(&ra, p[i].at,
								p[i].taken), 0);
		check(&ra);
		assert_int_equal(ra.free_bytes, SIZE);
		assert_int_equal(ra.nr_free, 1);
		mvgpu__ra_fini(&ra);
	}
	/* the sequence must have run the allocator into the ground too */
	assert_true(fails > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_free_coalesce),
		cmocka_unit_test(test_bad_free),
		cmocka_unit_test(test_fragmentation),
		cmocka_unit_test(test_random),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
