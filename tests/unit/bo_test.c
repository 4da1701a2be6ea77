// SPDX-License-Identifier: MIT
/*
 * VRAM buffers and host memory (lib/bo.c, hostmem.c) on the fake GPU:
 * where buffers land and what they cost, copies in and out, refusals that
 * change nothing, IOVAs and their DMA mapping, and close freeing it all.
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

#define VRAM		(4ull << 20)
#define USABLE		(VRAM - 4096 - LIBMVGPU_RING_BYTES - VRAM / 512)

#define assert_ok(call) do {						\
	int __r = (call);						\
	if (__r)							\
		fail_why("%s = %d: %s", #call, __r, mvgpu_last_error()); \
} while (0)

static uint64_t vram_free(struct mvgpu *g)
{
	struct mvgpu_info info;

	assert_ok(mvgpu_get_info(g, &info));
	return info.vram_free;
}

static void test_buffers(void **state)
{
	struct fake_gpu fk;
	struct mvgpu *g = fake_open(&fk, VRAM);
	struct mvgpu_bo *a = NULL, *b = NULL, *c = NULL, *keep;
	uint8_t in[300], out[300];
	unsigned int i;

	assert_non_null(g);
	assert_int_equal(vram_free(g), USABLE);

	/* the first buffer right after the unmapped page 0 */
	assert_ok(mvgpu_bo_alloc(g, 100, 0, &a));
	assert_int_equal(mvgpu_bo_va(a), 4096);
	assert_int_equal(mvgpu_bo_size(a), 100);
	assert_ptr_equal(mvgpu_bo_map(a), fk.vram + 4096);
	assert_int_equal(vram_free(g), USABLE - 128);	/* 64-byte units */
	assert_ok(mvgpu_bo_alloc(g, 64, 64, &b));
	assert_int_equal(mvgpu_bo_va(b), 4096 + 128);
	assert_ok(mvgpu_bo_alloc(g, 1, 1 << 16, &c));
	assert_int_equal(mvgpu_bo_va(c), 1 << 16);

	/* copies land in VRAM at the buffer's offset, and come back */
	for (i = 0; i < sizeof(in); i++)
		in[i] = i * 7;
	assert_ok(mvgpu_bo_write(g, a, 0, in, 100));
	assert_memory_equal(fk.vram + 4096, in, 100);
	assert_ok(mvgpu_bo_write(g, a, 99, in + 200, 1));
	assert_int_equal(fk.vram[4096 + 99], in[200]);
	assert_ok(mvgpu_bo_read(g, a, 10, out, 90));
	assert_memory_equal(out, in + 10, 89);
	assert_int_equal(out[89], in[200]);

	/* refused: nothing written around the buffer */
	memset(fk.vram + 4096 + 100, 0x77, 28);
	assert_int_equal(mvgpu_bo_write(g, a, 0, in, 101), -EINVAL);
	assert_int_equal(mvgpu_bo_write(g, a, 100, in, 1), -EINVAL);
	assert_int_equal(mvgpu_bo_write(g, a, UINT64_MAX, in, 2), -EINVAL);
	assert_int_equal(fk.vram[4096 + 100], 0x77);
	assert_ok(mvgpu_bo_write(g, a, 100, in, 0));

	/* too big, and the exact rest */
	keep = c;
	assert_int_equal(mvgpu_bo_alloc(g, VRAM, 0, &c), -ENOMEM);
	assert_ptr_equal(c, keep);
	assert_non_null(strstr(mvgpu_last_error(), "largest free range"));
	assert_ok(mvgpu_bo_free(g, c));
	assert_ok(mvgpu_bo_free(g, b));
	assert_int_equal(vram_free(g), USABLE - 128);
	assert_ok(mvgpu_bo_alloc(g, USABLE - 128, 64, &b));
	assert_int_equal(vram_free(g), 0);
	assert_int_equal(mvgpu_bo_alloc(g, 1, 0, &c), -ENOMEM);
	assert_ok(mvgpu_bo_free(g, b));
	assert_ok(mvgpu_bo_free(g, a));
	assert_int_equal(vram_free(g), USABLE);
	/* freeing twice is refused (the buffer is looked up, not touched) */
	assert_int_equal(mvgpu_bo_free(g, a), -EINVAL);
	assert_non_null(strstr(mvgpu_last_error(), "freed already"));
	assert_int_equal(vram_free(g), USABLE);

	/* buffers left at close are freed with the handle */
	assert_ok(mvgpu_bo_alloc(g, 4096, 0, &a));
	assert_ok(mvgpu_bo_alloc(g, 4096, 0, &b));
	fake_close(&fk, &g);
	assert_null(g);
}

static void test_hostmem(void **state)
{
	struct fake_gpu fk;
	struct mvgpu *g = fake_open(&fk, VRAM);
	struct mvgpu_hostmem *a = NULL, *b = NULL, *keep;
	uint64_t iova_free;
	uint8_t *p;

	assert_non_null(g);
	iova_free = g->iova_ra.free_bytes;
	assert_ok(mvgpu_hostmem_alloc(g, 5000, &a));
	assert_int_equal(fk.dma_maps, 1);
	assert_int_equal(mvgpu_hostmem_size(a), 5000);
	p = mvgpu_hostmem_ptr(a);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 4096, 0);
	memset(p, 0x5a, 8192);		/* the page-rounded memory is ours */
	/* IOVAs from 4 GiB up, page aligned, not overlapping */
	assert_true(mvgpu_hostmem_iova(a) >= (1ull << 32));
	assert_int_equal(mvgpu_hostmem_iova(a) % 4096, 0);
	assert_ok(mvgpu_hostmem_alloc(g, 1, &b));
	assert_int_equal(mvgpu_hostmem_iova(b), mvgpu_hostmem_iova(a) + 8192);
	assert_int_equal(g->iova_ra.free_bytes, iova_free - 3 * 4096);

	/* the IOMMU refuses: nothing kept */
	fk.fail_dma_map = -ENOSPC;
	keep = b;
	assert_int_equal(mvgpu_hostmem_alloc(g, 4096, &b), -ENOMEM);
	assert_non_null(strstr(mvgpu_last_error(), "dma_entry_limit"));
	assert_ptr_equal(b, keep);
	assert_int_equal(g->iova_ra.free_bytes, iova_free - 3 * 4096);
	fk.fail_dma_map = -EINVAL;
	assert_int_equal(mvgpu_hostmem_alloc(g, 4096, &b), -EINVAL);
	fk.fail_dma_map = 0;

	assert_ok(mvgpu_hostmem_free(g, a));
	assert_int_equal(fk.dma_unmaps, 1);
	assert_int_equal(mvgpu_hostmem_free(g, a), -EINVAL);
	assert_non_null(strstr(mvgpu_last_error(), "freed already"));
	assert_int_equal(fk.dma_unmaps, 1);
	assert_int_equal(mvgpu_hostmem_free(g, NULL), -EINVAL);
	assert_int_equal(mvgpu_hostmem_alloc(g, 0, &a), -EINVAL);
	assert_int_equal(mvgpu_hostmem_alloc(g, SIZE_MAX, &a), -ENOMEM);

	/* close unmaps what is left */
	fake_close(&fk, &g);
	assert_int_equal(fk.dma_unmaps, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buffers),
		cmocka_unit_test(test_hostmem),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("bo", tests, NULL, NULL);
}
