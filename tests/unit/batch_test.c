// SPDX-License-Identifier: MIT
/*
 * Command batches (lib/batch.c): the byte-exact 64-byte encoding of every
 * opcode, and the argument checks that mirror docs/device.md, each of
 * which must leave the batch exactly as it was.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "fake_gpu.h"

#define VRAM	(4ull << 20)
#define GB4	(1ull << 32)

struct fixture {
	struct fake_gpu fk;
	struct mvgpu *g;
	struct mvgpu_batch *b;
};

static int setup(void **state)
{
	static struct fixture f;

	f.g = fake_open(&f.fk, VRAM);
	if (!f.g || mvgpu_batch_new(f.g, &f.b))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fake_close(&f->fk, &f->g);
	return 0;
}

/* The layout of docs/device.md, written out byte by byte */
static void expect(uint8_t out[64], uint32_t opcode, uint32_t flags,
		   uint64_t dst, uint64_t src, uint64_t size, uint64_t value,
		   uint64_t aux, uint32_t m, uint32_t n, uint32_t k)
{
	const struct { unsigned int off, len; uint64_t v; } f[] = {
		{ 0, 4, opcode }, { 4, 4, flags }, { 8, 8, dst },
		{ 16, 8, src }, { 24, 8, size }, { 32, 8, value },
		{ 40, 8, aux }, { 48, 4, m }, { 52, 4, n }, { 56, 4, k },
		{ 60, 4, 0 },
	};
	unsigned int i, j;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		for (j = 0; j < f[i].len; j++)
			out[f[i].off + j] = f[i].v >> (8 * j);
}

/* the last command of the batch, encoded */
static void last(const struct mvgpu_batch *b, uint8_t out[64])
{
	assert_true(b->len > 0);
	memset(out, 0xee, 64);
	mvgpu__cmd_encode(&b->cmds[b->len - 1], out);
}

#define assert_encoded(b, ...) do {					\
	uint8_t __want[64], __got[64];					\
	expect(__want, __VA_ARGS__);					\
	last((b), __got);						\
	assert_memory_equal(__got, __want, 64);				\
} while (0)

static void test_encode_every_opcode(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_batch *b = f->b;
	struct mvgpu_cmd raw = {
		.opcode = 0x01020304, .flags = 0x05060708,
		.dst = 0x1112131415161718ull, .src = 0x2122232425262728ull,
		.size = 0x3132333435363738ull, .value = 0x4142434445464748ull,
		.aux = 0x5152535455565758ull, .m = 0x61626364, .n = 0x71727374,
		.k = 0x81828384, .reserved = 0x91929394,
	};
	uint8_t got[64];

	assert_int_equal(sizeof(struct mvgpu_cmd), MVGPU_CMD_SIZE);

	assert_int_equal(mvgpu_cmd_nop(b), 0);
	assert_encoded(b, MVGPU_OP_NOP, 0, 0, 0, 0, 0, 0, 0, 0, 0);

	assert_int_equal(mvgpu_cmd_fill(b, 0x1000, 0x2000, 0xcafef00d), 0);
	assert_encoded(b, MVGPU_OP_FILL, 0, 0x1000, 0, 0x2000, 0xcafef00d, 0,
		       0, 0, 0);

	assert_int_equal(mvgpu_cmd_copy(b, 0x3003, 0x10001, 0x777), 0);
	assert_encoded(b, MVGPU_OP_COPY, 0, 0x3003, 0x10001, 0x777, 0, 0, 0,
		       0, 0);

	assert_int_equal(mvgpu_cmd_dma_to_host(b, 0x123456789ull, 0x2000,
					       0x999), 0);
	assert_encoded(b, MVGPU_OP_DMA_TO_HOST, 0, 0x123456789ull, 0x2000,
		       0x999, 0, 0, 0, 0, 0);

	assert_int_equal(mvgpu_cmd_dma_from_host(b, 0x2000, 0xabcdef01234ull,
						 0x1000), 0);
	assert_encoded(b, MVGPU_OP_DMA_FROM_HOST, 0, 0x2000, 0xabcdef01234ull,
		       0x1000, 0, 0, 0, 0, 0);

	assert_int_equal(mvgpu_cmd_gemm_i32(b, 0x30000, 0x10000, 0x20000, 17,
					    33, 9), 0);
	assert_encoded(b, MVGPU_OP_GEMM_I32, 0, 0x30000, 0x10000, 0, 0,
		       0x20000, 17, 33, 9);

	assert_int_equal(mvgpu_cmd_fence_write(b, 0x4008,
					       0x8877665544332211ull), 0);
	assert_encoded(b, MVGPU_OP_FENCE, MVGPU_CMD_F_WRITE_MEM, 0x4008, 0, 0,
		       0x8877665544332211ull, 0, 0, 0, 0);

	/* raw goes in as is, every field where the layout says */
	assert_int_equal(mvgpu_cmd_raw(b, &raw), 0);
	last(b, got);
	/* spelled out, the raw command's 64 bytes */
	{
		static const uint8_t want[64] = {
			0x04, 0x03, 0x02, 0x01, 0x08, 0x07, 0x06, 0x05,
			0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11,
			0x28, 0x27, 0x26, 0x25, 0x24, 0x23, 0x22, 0x21,
			0x38, 0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31,
			0x48, 0x47, 0x46, 0x45, 0x44, 0x43, 0x42, 0x41,
			0x58, 0x57, 0x56, 0x55, 0x54, 0x53, 0x52, 0x51,
			0x64, 0x63, 0x62, 0x61, 0x74, 0x73, 0x72, 0x71,
			0x84, 0x83, 0x82, 0x81, 0x94, 0x93, 0x92, 0x91,
		};

		assert_memory_equal(got, want, 64);
	}
	assert_int_equal(mvgpu_batch_length(b), 8);

	/* decode is the inverse */
	{
		struct mvgpu_cmd back;

		mvgpu__cmd_decode(got, &back);
		assert_memory_equal(&back, &raw, sizeof(raw));
	}
}

/* run a refused command: -EINVAL, a message, and the batch as it was */
#define assert_refused(b, call) do {					\
	size_t __len = mvgpu_batch_length(b);				\
	struct mvgpu_cmd __copy[4];					\
	int __r;							\
	memcpy(__copy, (b)->cmds, __len * sizeof(__copy[0]));		\
	mvgpu__err(0, "%s", "");					\
	__r = (call);							\
	if (__r != -EINVAL)						\
		fail_why("%s = %d, want -EINVAL", #call, __r);		\
	assert_true(strlen(mvgpu_last_error()) > 20);			\
	assert_int_equal(mvgpu_batch_length(b), __len);			\
	assert_memory_equal((b)->cmds, __copy, __len * sizeof(__copy[0])); \
} while (0)

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_batch *b = f->b;

	assert_int_equal(mvgpu_cmd_fill(b, 0x1000, 64, 7), 0);
	assert_int_equal(mvgpu_cmd_copy(b, 0x2000, 0x3000, 64), 0);

	/* FILL: dst and size multiples of 4, at most 4 GiB, inside VRAM */
	assert_refused(b, mvgpu_cmd_fill(b, 0x1002, 64, 0));
	assert_refused(b, mvgpu_cmd_fill(b, 0x1000, 63, 0));
	assert_refused(b, mvgpu_cmd_fill(b, 0x1000, GB4 + 4, 0));
	assert_refused(b, mvgpu_cmd_fill(b, VRAM - 4, 8, 0));
	assert_refused(b, mvgpu_cmd_fill(b, VRAM, 4, 0));
	assert_refused(b, mvgpu_cmd_fill(b, UINT64_MAX - 3, 8, 0));
	assert_int_equal(mvgpu_cmd_fill(b, VRAM - 4, 4, 0), 0);
	assert_int_equal(mvgpu_cmd_fill(b, VRAM, 0, 0), 0);	/* empty: ok */
	b->len -= 2;

	/* COPY: any alignment, at most 4 GiB, inside VRAM, no overlap */
	assert_refused(b, mvgpu_cmd_copy(b, 0x1000, 0x1001, 16));
	assert_refused(b, mvgpu_cmd_copy(b, 0x1010, 0x1000, 17));
	assert_refused(b, mvgpu_cmd_copy(b, 0x1000, 0x1000, 1));
	assert_refused(b, mvgpu_cmd_copy(b, 0x1000, VRAM - 8, 9));
	assert_refused(b, mvgpu_cmd_copy(b, VRAM - 8, 0x1000, 9));
	assert_refused(b, mvgpu_cmd_copy(b, 0x1000, 0x9000, GB4 + 1));
	assert_int_equal(mvgpu_cmd_copy(b, 0x1000, 0x1010, 16), 0);
	assert_int_equal(mvgpu_cmd_copy(b, 0x1001, 0x1000, 1), 0);
	b->len -= 2;

	/* DMA: the VRAM side inside VRAM, the IOVA side not wrapping */
	assert_refused(b, mvgpu_cmd_dma_to_host(b, 1ull << 32, VRAM - 4, 8));
	assert_refused(b, mvgpu_cmd_dma_to_host(b, UINT64_MAX - 2, 0x1000, 4));
	assert_refused(b, mvgpu_cmd_dma_to_host(b, 0, 0x1000, GB4 + 1));
	assert_refused(b, mvgpu_cmd_dma_from_host(b, VRAM, 1ull << 32, 1));
	assert_refused(b, mvgpu_cmd_dma_from_host(b, 0x1000, UINT64_MAX, 2));
	assert_refused(b, mvgpu_cmd_dma_from_host(b, 0x1000, 0, GB4 + 1));
	assert_int_equal(mvgpu_cmd_dma_to_host(b, 3, 0x1001, 5), 0);
	b->len--;

	/* GEMM: dimensions 1..2048, 4-byte aligned, matrices inside VRAM */
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1000, 0x2000, 0x3000, 0, 1, 1));
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1000, 0x2000, 0x3000, 1, 0, 1));
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1000, 0x2000, 0x3000, 1, 1, 0));
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1000, 0x2000, 0x3000, 2049,
					     1, 1));
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1000, 0x2000, 0x3000, 1,
					     2049, 1));
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1000, 0x2000, 0x3000, 1, 1,
					     2049));
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1002, 0x2000, 0x3000, 1, 1, 1));
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1000, 0x2001, 0x3000, 1, 1, 1));
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1000, 0x2000, 0x3003, 1, 1, 1));
	/* C of 2048 x 2048 int32 is 16 MiB, more than this VRAM */
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1000, 0x2000, 0x3000, 2048,
					     2048, 1));
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1000, VRAM - 8, 0x3000, 3,
					     1, 1));
	assert_refused(b, mvgpu_cmd_gemm_i32(b, 0x1000, 0x2000, VRAM - 8, 1,
					     3, 1));
	assert_int_equal(mvgpu_cmd_gemm_i32(b, 0x1000, VRAM - 12, VRAM - 4, 3,
					    1, 1), 0);
	b->len--;

	/* FENCE with WRITE_MEM: dst 8-byte aligned, inside VRAM */
	assert_refused(b, mvgpu_cmd_fence_write(b, 0x1004, 1));
	assert_refused(b, mvgpu_cmd_fence_write(b, VRAM, 1));
	assert_int_equal(mvgpu_cmd_fence_write(b, VRAM - 8, 1), 0);
	b->len--;

	assert_refused(b, mvgpu_cmd_raw(b, NULL));
	assert_int_equal(mvgpu_batch_length(b), 2);
}

/* calls with no batch or a freed one */
static void test_bad_batch(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_cmd c = { 0 };
	struct mvgpu_batch *b2 = NULL;

	assert_int_equal(mvgpu_cmd_nop(NULL), -EINVAL);
	assert_int_equal(mvgpu_cmd_fill(NULL, 0x1000, 4, 0), -EINVAL);
	assert_int_equal(mvgpu_cmd_copy(NULL, 0x1000, 0x2000, 4), -EINVAL);
	assert_int_equal(mvgpu_cmd_dma_to_host(NULL, 0, 0x1000, 4), -EINVAL);
	assert_int_equal(mvgpu_cmd_dma_from_host(NULL, 0x1000, 0, 4), -EINVAL);
	assert_int_equal(mvgpu_cmd_gemm_i32(NULL, 0x1000, 0x2000, 0x3000, 1, 1,
					    1), -EINVAL);
	assert_int_equal(mvgpu_cmd_fence_write(NULL, 0x1000, 1), -EINVAL);
	assert_int_equal(mvgpu_cmd_raw(NULL, &c), -EINVAL);
	assert_int_equal(mvgpu_batch_length(NULL), 0);
	mvgpu_batch_reset(NULL);
	mvgpu_batch_free(NULL);
	assert_int_equal(mvgpu_batch_new(f->g, NULL), -EINVAL);
	assert_int_equal(mvgpu_batch_new(NULL, &b2), -EBADF);
	assert_null(b2);

	/* a batch grows past its first allocation and resets to empty */
	assert_int_equal(mvgpu_batch_new(f->g, &b2), 0);
	while (mvgpu_batch_length(b2) < 1000)
		assert_int_equal(mvgpu_cmd_fill(b2, 0x1000, 4,
						mvgpu_batch_length(b2)), 0);
	assert_int_equal(b2->cmds[999].value, 999);
	mvgpu_batch_reset(b2);
	assert_int_equal(mvgpu_batch_length(b2), 0);
	mvgpu_batch_free(b2);
	/* the handle's list no longer holds it: close frees the rest */
	assert_ptr_equal(f->g->batches.next, &f->b->node);
	assert_ptr_equal(f->g->batches.prev, &f->b->node);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_encode_every_opcode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_batch, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("batch", tests, NULL, NULL);
}
