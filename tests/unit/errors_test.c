// SPDX-License-Identifier: MIT
/*
 * Errors (lib/error.c) and argument checking of every public function:
 * a NULL (closed) handle is -EBADF everywhere, bad arguments are -EINVAL
 * with a message that says what was wrong, the message is per thread,
 * and mvgpu_strerror() / mvgpu_fault_name() cover every code.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "fake_gpu.h"

#define assert_ebadf(call) do {						\
	int __r = (call);						\
	if (__r != -EBADF)						\
		fail_why("%s = %d, want -EBADF", #call, __r);		\
	assert_non_null(strstr(mvgpu_last_error(), "NULL"));		\
} while (0)

static void test_null_handle(void **state)
{
	struct mvgpu *g = NULL;
	struct mvgpu_bo *bo = (struct mvgpu_bo *)&bo;
	struct mvgpu_hostmem *hm = (struct mvgpu_hostmem *)&hm;
	struct mvgpu_batch *b = (struct mvgpu_batch *)&b;
	struct mvgpu_info info;
	struct mvgpu_stats st;
	struct mvgpu_fault ft;
	uint64_t fence = 77;
	char buf[8];

	assert_ebadf(mvgpu_get_info(g, &info));
	assert_ebadf(mvgpu_bo_alloc(g, 4096, 0, &bo));
	assert_ptr_equal(bo, (struct mvgpu_bo *)&bo);	/* untouched */
	assert_ebadf(mvgpu_bo_free(g, bo));
	assert_ebadf(mvgpu_bo_write(g, bo, 0, buf, 4));
	assert_ebadf(mvgpu_bo_read(g, bo, 0, buf, 4));
	assert_ebadf(mvgpu_hostmem_alloc(g, 4096, &hm));
	assert_ptr_equal(hm, (struct mvgpu_hostmem *)&hm);
	assert_ebadf(mvgpu_hostmem_free(g, hm));
	assert_ebadf(mvgpu_batch_new(g, &b));
	assert_ptr_equal(b, (struct mvgpu_batch *)&b);
	assert_ebadf(mvgpu_submit(g, b, &fence));
	assert_int_equal(fence, 77);
	assert_ebadf(mvgpu_fence_wait(g, 1, 0));
	assert_ebadf(mvgpu_fence_wait(g, 1, -1));
	assert_ebadf(mvgpu_fence_done(g, 1));
	assert_ebadf(mvgpu_fence_completed(g, &fence));
	assert_int_equal(fence, 77);
	assert_ebadf(mvgpu_event_fd(g));
	assert_ebadf(mvgpu_handle_events(g));
	assert_ebadf(mvgpu_get_fault(g, &ft));
	assert_ebadf(mvgpu_reset(g, &ft));
	assert_ebadf(mvgpu_get_stats(g, &st));
	/* the message names the function */
	assert_ebadf(mvgpu_get_stats(g, &st));
	assert_non_null(strstr(mvgpu_last_error(), "mvgpu_get_stats"));
	assert_non_null(strstr(mvgpu_last_error(), "mvgpu_open"));

	/* close of NULL, or of a pointer to NULL, does nothing */
	mvgpu_close(NULL);
	mvgpu_close(&g);
	assert_null(g);

	/* the accessors of objects give neutral values for NULL */
	assert_int_equal(mvgpu_bo_va(NULL), 0);
	assert_int_equal(mvgpu_bo_size(NULL), 0);
	assert_null(mvgpu_bo_map(NULL));
	assert_null(mvgpu_hostmem_ptr(NULL));
	assert_int_equal(mvgpu_hostmem_iova(NULL), 0);
	assert_int_equal(mvgpu_hostmem_size(NULL), 0);
	assert_int_equal(mvgpu_batch_length(NULL), 0);
}

#define assert_einval(call, words) do {					\
	int __r = (call);						\
	if (__r != -EINVAL)						\
		fail_why("%s = %d, want -EINVAL", #call, __r);		\
	if (!strstr(mvgpu_last_error(), (words)))			\
		fail_why("%s: message \"%s\" lacks \"%s\"", #call,	\
			 mvgpu_last_error(), (words));			\
} while (0)

/* bad arguments, on a working (fake) handle */
static void test_bad_args(void **state)
{
	struct fake_gpu fk;
	struct mvgpu *g = fake_open(&fk, 4 << 20);
	struct mvgpu_bo *bo = NULL;
	struct mvgpu_batch *b = NULL;
	uint64_t fence;
	char buf[8];

	assert_non_null(g);
	assert_int_equal(mvgpu_batch_new(g, &b), 0);
	assert_int_equal(mvgpu_bo_alloc(g, 64, 0, &bo), 0);

	unsetenv(MVGPU_UUID_ENV);
	assert_einval(mvgpu_open(NULL, &g), "no UUID given and MVGPU_UUID is not set");
	setenv(MVGPU_UUID_ENV, "not-a-uuid", 1);	/* NULL: the environment's */
	assert_einval(mvgpu_open(NULL, &g), "\"not-a-uuid\" is not a UUID");
	unsetenv(MVGPU_UUID_ENV);
	assert_einval(mvgpu_open("00000000-0000-0000-0000-000000000000", NULL),
		      "out is NULL");
	assert_einval(mvgpu_open("xyz", &g), "not a UUID");
	assert_einval(mvgpu_open("0000000-00000-0000-0000-000000000000", &g),
		      "not a UUID");
	assert_einval(mvgpu_get_info(g, NULL), "info is NULL");
	assert_einval(mvgpu_bo_alloc(g, 0, 0, &bo), "size is 0");
	assert_einval(mvgpu_bo_alloc(g, 64, 12, &bo), "power of two");
	assert_einval(mvgpu_bo_alloc(g, 64, 0, NULL), "NULL");
	assert_einval(mvgpu_bo_free(g, NULL), "NULL");
	assert_einval(mvgpu_bo_write(g, bo, 60, buf, 8), "leaves");
	assert_einval(mvgpu_bo_read(g, bo, 65, buf, 0), "leaves");
	assert_einval(mvgpu_bo_read(g, bo, 0, NULL, 1), "NULL");
	assert_einval(mvgpu_bo_write(g, NULL, 0, buf, 1), "NULL");
	assert_einval(mvgpu_hostmem_alloc(g, 0, NULL), "NULL");
	assert_einval(mvgpu_hostmem_free(g, NULL), "NULL");
	assert_einval(mvgpu_batch_new(g, NULL), "NULL");
	assert_einval(mvgpu_submit(g, NULL, &fence), "batch");
	assert_einval(mvgpu_submit(g, b, NULL), "fence is NULL");
	assert_einval(mvgpu_fence_wait(g, 1, 0), "never submitted");
	assert_einval(mvgpu_fence_wait(g, 0, -5), "timeout");
	assert_einval(mvgpu_fence_done(g, 3), "never submitted");
	assert_einval(mvgpu_fence_completed(g, NULL), "NULL");
	assert_einval(mvgpu_get_fault(g, NULL), "NULL");
	assert_einval(mvgpu_get_stats(g, NULL), "NULL");

	/* a buffer of another handle is refused, and so is its batch */
	{
		struct fake_gpu fk2;
		struct mvgpu *g2 = fake_open(&fk2, 4 << 20);
		struct mvgpu_batch *b2 = NULL;

		assert_non_null(g2);
		assert_int_equal(mvgpu_batch_new(g2, &b2), 0);
		assert_einval(mvgpu_bo_free(g2, bo), "another");
		assert_einval(mvgpu_bo_read(g2, bo, 0, buf, 1), "another");
		assert_einval(mvgpu_submit(g, b2, &fence), "another");
		fake_close(&fk2, &g2);
	}
	assert_int_equal(mvgpu_bo_free(g, bo), 0);
	assert_einval(mvgpu_bo_free(g, bo), "freed already");
	fake_close(&fk, &g);
	assert_null(g);
}

static void test_strerror(void **state)
{
	static const int codes[] = { EBADF, ENOENT, EBUSY, EACCES, ENODEV,
				     EINVAL, ENOMEM, EAGAIN, E2BIG, EIO,
				     ETIMEDOUT };
	unsigned int i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *s = mvgpu_strerror(-codes[i]);

		assert_non_null(s);
		assert_true(strlen(s) > 5);
		/* either sign, the same text */
		assert_string_equal(s, mvgpu_strerror(codes[i]));
	}
	assert_non_null(strstr(mvgpu_strerror(-EAGAIN), "wait for a fence"));
	assert_non_null(strstr(mvgpu_strerror(-EIO), "mvgpu_reset"));
	assert_string_equal(mvgpu_strerror(0), "success");
	/* others come from the C library */
	assert_string_equal(mvgpu_strerror(-EPIPE), strerror(EPIPE));
}

static void test_fault_names(void **state)
{
	static const char *const names[] = { "NONE", "UNMAPPED",
		"OUT_OF_RANGE", "BAD_OPCODE", "BAD_COMMAND", "DMA",
		"BUS_MASTER", "READ_ONLY" };
	uint32_t code;

	for (code = 0; code < 8; code++)
		assert_string_equal(mvgpu_fault_name(code), names[code]);
	assert_int_equal(MVGPU_FAULT_READ_ONLY, 7);
	assert_string_equal(mvgpu_fault_name(8), "UNKNOWN");
	assert_string_equal(mvgpu_fault_name(UINT32_MAX), "UNKNOWN");
}

static void *other_thread(void *arg)
{
	char *seen = arg;

	/* a new thread starts with no message */
	strcpy(seen, mvgpu_last_error());
	mvgpu_get_info(NULL, NULL);
	return NULL;
}

static void test_last_error_per_thread(void **state)
{
	char seen[64] = "unset";
	pthread_t t;

	assert_int_equal(mvgpu_bo_alloc(NULL, 1, 0, NULL), -EBADF);
	assert_non_null(strstr(mvgpu_last_error(), "mvgpu_bo_alloc"));
	assert_int_equal(pthread_create(&t, NULL, other_thread, seen), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_string_equal(seen, "");
	/* the other thread's failure did not overwrite ours */
	assert_non_null(strstr(mvgpu_last_error(), "mvgpu_bo_alloc"));
	/* success leaves the last failure */
	assert_string_equal(mvgpu_fault_name(1), "UNMAPPED");
	assert_non_null(strstr(mvgpu_last_error(), "mvgpu_bo_alloc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_handle),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_fault_names),
		cmocka_unit_test(test_last_error_per_thread),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}
