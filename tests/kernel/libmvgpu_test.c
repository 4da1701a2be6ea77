// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmvgpu against real vGPUs: every library call, with the results
 * checked bit for bit against what the CPU computes (fills, copies, DMA
 * both ways, int32 GEMM of several shapes), fences from one and from
 * several threads, the event fd, statistics, and every error path the
 * library promises (-ENOENT, -EINVAL, -EBUSY, -EBADF, -ETIMEDOUT, -EIO
 * with the fault reported and recovered by a reset, -E2BIG, -EAGAIN).
 *
 * Each test opens a fresh mvgpu-4 vGPU (64 MiB of VRAM with the VM's
 * defaults) and removes it in its teardown.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libmvgpu.h"
#include "mvgpu_test.h"

#define DIVISOR		4

/* fail_msg() as a TAP diagnostic on stdout (cmocka's goes to stderr) */
#define fail_why(...) do {						\
	printf("# ");							\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
	fail();								\
} while (0)
#define WAIT_MS		120000	/* "forever" for work that must finish */

struct fixture {
	char uuid[MT_UUID_LEN];
	char uuid2[MT_UUID_LEN];	/* a second vGPU, if a test makes one */
	struct mvgpu *g;
	struct mvgpu *g2;		/* and its handle */
	struct mvgpu_batch *b;
	uint64_t vram_size;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int ret;

	if (!f)
		return -1;
	*state = f;
	ret = mt_create_new(0, DIVISOR, f->uuid);
	if (ret) {
		printf("# create vGPU: %d\n", ret);
		return -1;
	}
	ret = mvgpu_open(f->uuid, &f->g);
	if (ret) {
		printf("# mvgpu_open: %d %s\n", ret, mvgpu_last_error());
		return -1;
	}
	if (mvgpu_batch_new(f->g, &f->b))
		return -1;
	f->vram_size = (uint64_t)256 << 20;
	mt_readf_u64(&f->vram_size, MT_MDEV_DEVICES "/%s/mvgpu/vram_size",
		     f->uuid);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (!f)
		return 0;
	mvgpu_close(&f->g);	/* frees the batch too */
	mvgpu_close(&f->g2);
	if (f->uuid[0])
		mt_remove(f->uuid);
	if (f->uuid2[0])
		mt_remove(f->uuid2);
	free(f);
	*state = NULL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

#define assert_ok(expr) do {						\
	int __r = (expr);						\
	if (__r)							\
		fail_why("%s = %d (%s): %s", #expr, __r,		\
			 mvgpu_strerror(__r), mvgpu_last_error());	\
} while (0)

#define assert_err(expr, err) do {					\
	int __r = (expr);						\
	if (__r != (err))						\
		fail_why("%s = %d, want %d (%s); last error: %s", #expr,\
			 __r, (err), #err, mvgpu_last_error());		\
} while (0)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd32(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void rnd_fill(void *p, size_t len)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = rnd32();
}

/* submit the fixture's batch, wait, reset the batch */
static uint64_t run(struct fixture *f)
{
	uint64_t fence = 0;

	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_ok(mvgpu_fence_wait(f->g, fence, WAIT_MS));
	mvgpu_batch_reset(f->b);
	return fence;
}

static struct mvgpu_bo *alloc_bo(struct fixture *f, uint64_t size)
{
	struct mvgpu_bo *bo = NULL;

	assert_ok(mvgpu_bo_alloc(f->g, size, 0, &bo));
	assert_non_null(bo);
	return bo;
}

/* first differing byte, or -1 */
static long first_diff(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;
	size_t i;

	for (i = 0; i < len; i++)
		if (x[i] != y[i])
			return i;
	return -1;
}

#define assert_bytes_equal(a, b, len) do {				\
	long __d = first_diff((a), (b), (len));				\
	if (__d >= 0)							\
		fail_why("%s and %s differ at byte %ld of %zu",	\
			 #a, #b, __d, (size_t)(len));			\
} while (0)

/* ------------------------------------------------------------------ */
/* Opening and information                                             */
/* ------------------------------------------------------------------ */

static void test_info(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_info info;
	char buf[256], path[256];
	uint64_t expect_free;

	assert_ok(mvgpu_get_info(f->g, &info));
	assert_string_equal(info.uuid, f->uuid);
	assert_string_equal(info.type, "mvgpu-4");
	assert_string_equal(info.gpu, mt_gpu_name(0));
	assert_int_equal(info.divisor, DIVISOR);
	assert_int_equal(info.share_permille, 1000 / DIVISOR);
	assert_int_equal(info.engines, 2);
	assert_int_equal(info.caps, MVGPU_CAP_RING | MVGPU_CAP_PAGING |
			 MVGPU_CAP_DMA | MVGPU_CAP_GEMM_I32 | MVGPU_CAP_MSI |
			 MVGPU_CAP_INTX);
	assert_int_equal(info.version, MVGPU_VERSION);
	assert_int_equal(info.vram_size, f->vram_size);
	/* all but page 0, the ring and the page table (8 bytes a page) */
	expect_free = f->vram_size - 4096 - LIBMVGPU_RING_BYTES -
		      f->vram_size / 4096 * 8;
	assert_int_equal(info.vram_free, expect_free);

	/* the kernel sees us as the owner */
	snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/mvgpu/state", f->uuid);
	assert_int_equal(mt_read_str(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "open");
	snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/mvgpu/owner", f->uuid);
	assert_int_equal(mt_read_str(path, buf, sizeof(buf)), 0);
	assert_int_equal(atoi(buf), getpid());

	/* the UUID in capitals names the same vGPU: close and reopen */
	{
		char upper[MT_UUID_LEN];
		size_t i;

		for (i = 0; i < sizeof(upper); i++)
			upper[i] = f->uuid[i] >= 'a' && f->uuid[i] <= 'f' ?
				   f->uuid[i] - 32 : f->uuid[i];
		mvgpu_close(&f->g);
		assert_null(f->g);
		assert_ok(mvgpu_open(upper, &f->g));
		assert_ok(mvgpu_get_info(f->g, &info));
		assert_string_equal(info.uuid, f->uuid);
		assert_ok(mvgpu_batch_new(f->g, &f->b));
	}
}

static void test_open_errors(void **state)
{
	static const char *const malformed[] = {
		"", "not-a-uuid", "1234",
		"0123456789abcdef0123456789abcdef0123",
		"01234567-89ab-cdef-0123-456789abcdeg",
		"01234567+89ab-cdef-0123-456789abcdef",
		"01234567-89ab-cdef-0123-456789abcdef-00",
		" 1234567-89ab-cdef-0123-456789abcdef",
	};
	struct fixture *f = *state;
	struct mvgpu *g2 = (struct mvgpu *)&g2;	/* must stay untouched */
	char other[MT_UUID_LEN];
	unsigned int i;

	/* a well-formed UUID with no vGPU behind it */
	mt_uuid(other);
	assert_err(mvgpu_open(other, &g2), -ENOENT);
	assert_non_null(strstr(mvgpu_last_error(), other));
	assert_non_null(strstr(mvgpu_last_error(), "mvgpuctl create"));
	assert_ptr_equal(g2, (struct mvgpu *)&g2);

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		int ret = mvgpu_open(malformed[i], &g2);

		if (ret != -EINVAL)
			fail_why("open \"%s\": %d, want -EINVAL", malformed[i],
				 ret);
		assert_non_null(strstr(mvgpu_last_error(), "not a UUID"));
	}
	assert_err(mvgpu_open(NULL, &g2), -EINVAL);
	assert_err(mvgpu_open(f->uuid, NULL), -EINVAL);

	/* the VFIO group opens once: a second open is refused */
	assert_err(mvgpu_open(f->uuid, &g2), -EBUSY);
	assert_non_null(strstr(mvgpu_last_error(), "already open"));
	assert_ptr_equal(g2, (struct mvgpu *)&g2);
	/* and the first handle still works */
	assert_ok(mvgpu_cmd_nop(f->b));
	run(f);

	/* once closed, it opens again */
	mvgpu_close(&f->g);
	assert_ok(mvgpu_open(f->uuid, &f->g2));
	mvgpu_close(&f->g2);
	assert_null(f->g2);
	mvgpu_close(&f->g2);		/* closing NULL is harmless */
	mvgpu_close(NULL);
}

/* without permission on the VFIO group: -EACCES, saying what to do */
static void test_open_no_permission(void **state)
{
	struct fixture *f = *state;
	char msg[512] = "";
	int pipefd[2], status = -1;
	ssize_t n;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	mvgpu_close(&f->g);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct mvgpu *g = NULL;
		int ret;

		close(pipefd[0]);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(100);
		ret = mvgpu_open(f->uuid, &g);
		if (write(pipefd[1], mvgpu_last_error(),
			  strlen(mvgpu_last_error())) < 0)
			_exit(101);
		_exit(ret == -EACCES ? 0 : ret < 0 ? -ret : 102);
	}
	close(pipefd[1]);
	n = read(pipefd[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_why("unprivileged open: status 0x%x, want -EACCES; \"%s\"",
			 status, msg);
	assert_non_null(strstr(msg, "no permission to open /dev/vfio/"));
	assert_non_null(strstr(msg, "run as root"));
	/* and root still can */
	assert_ok(mvgpu_open(f->uuid, &f->g));
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int count_maps(void)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		n++;
	fclose(fp);
	return n;
}

/* close gives back every fd and mapping, whatever was left allocated */
static void test_open_close_no_leak(void **state)
{
	struct fixture *f = *state;
	int fds, maps, i;

	mvgpu_close(&f->g);
	fds = count_fds();
	maps = count_maps();
	for (i = 0; i < 8; i++) {
		struct mvgpu_bo *bo = NULL;
		struct mvgpu_hostmem *hm = NULL;
		struct mvgpu_batch *b = NULL;
		uint64_t fence;

		assert_ok(mvgpu_open(f->uuid, &f->g));
		assert_ok(mvgpu_bo_alloc(f->g, 1 << 20, 0, &bo));
		assert_ok(mvgpu_hostmem_alloc(f->g, 3 << 20, &hm));
		assert_ok(mvgpu_batch_new(f->g, &b));
		assert_ok(mvgpu_cmd_dma_from_host(b, mvgpu_bo_va(bo),
						  mvgpu_hostmem_iova(hm), 4096));
		assert_ok(mvgpu_submit(f->g, b, &fence));
		if (i % 2)	/* sometimes close with work in flight */
			assert_ok(mvgpu_fence_wait(f->g, fence, WAIT_MS));
		mvgpu_close(&f->g);
		assert_null(f->g);
	}
	assert_int_equal(count_fds(), fds);
	assert_int_equal(count_maps(), maps);
	/* the kernel agrees the device is closed */
	{
		char path[256], buf[64];

		snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/mvgpu/state",
			 f->uuid);
		assert_int_equal(mt_read_str(path, buf, sizeof(buf)), 0);
		assert_string_equal(buf, "closed");
	}
}

/* every call on a closed (NULL) handle is -EBADF */
static void test_closed_handle(void **state)
{
	struct fixture *f = *state;
	struct mvgpu *g = f->g;
	struct mvgpu_bo *bo = alloc_bo(f, 4096);
	struct mvgpu_hostmem *hm = NULL;
	struct mvgpu_batch *b = NULL;
	struct mvgpu_info info;
	struct mvgpu_stats st;
	struct mvgpu_fault ft;
	uint64_t fence;
	char buf[16];

	mvgpu_close(&f->g);
	assert_null(f->g);
	g = f->g;
	assert_err(mvgpu_get_info(g, &info), -EBADF);
	assert_non_null(strstr(mvgpu_last_error(), "mvgpu_get_info"));
	assert_err(mvgpu_bo_alloc(g, 4096, 0, &bo), -EBADF);
	assert_err(mvgpu_bo_free(g, bo), -EBADF);
	assert_err(mvgpu_bo_write(g, bo, 0, buf, 4), -EBADF);
	assert_err(mvgpu_bo_read(g, bo, 0, buf, 4), -EBADF);
	assert_err(mvgpu_hostmem_alloc(g, 4096, &hm), -EBADF);
	assert_err(mvgpu_hostmem_free(g, hm), -EBADF);
	assert_err(mvgpu_batch_new(g, &b), -EBADF);
	assert_null(b);
	assert_err(mvgpu_submit(g, b, &fence), -EBADF);
	assert_err(mvgpu_fence_wait(g, 1, 0), -EBADF);
	assert_err(mvgpu_fence_done(g, 1), -EBADF);
	assert_err(mvgpu_fence_completed(g, &fence), -EBADF);
	assert_err(mvgpu_event_fd(g), -EBADF);
	assert_err(mvgpu_handle_events(g), -EBADF);
	assert_err(mvgpu_get_fault(g, &ft), -EBADF);
	assert_err(mvgpu_reset(g, &ft), -EBADF);
	assert_err(mvgpu_get_stats(g, &st), -EBADF);
	/* and the vGPU can be removed: close let go of everything */
	assert_int_equal(mt_remove(f->uuid), 0);
	f->uuid[0] = '\0';
}

/* ------------------------------------------------------------------ */
/* Buffers                                                             */
/* ------------------------------------------------------------------ */

static void test_alloc_free(void **state)
{
	static const uint64_t sizes[] = { 1, 64, 4095, 4096, 12345, 1 << 20,
					  3 << 20 };
	struct fixture *f = *state;
	struct mvgpu_bo *bos[7], *big = NULL, *bo = NULL;
	struct mvgpu_info info0, info;
	uint64_t used = 0;
	unsigned int i, j;

	assert_ok(mvgpu_get_info(f->g, &info0));
	for (i = 0; i < 7; i++) {
		uint64_t va;

		bos[i] = alloc_bo(f, sizes[i]);
		va = mvgpu_bo_va(bos[i]);
		assert_int_equal(mvgpu_bo_size(bos[i]), sizes[i]);
		assert_int_equal(va % 4096, 0);		/* default alignment */
		assert_true(va >= 4096);		/* page 0 stays unmapped */
		assert_true(va + sizes[i] <= f->vram_size);
		assert_ptr_not_equal(mvgpu_bo_map(bos[i]), NULL);
		used += (sizes[i] + 63) & ~63ull;
		for (j = 0; j < i; j++) {
			uint64_t v2 = mvgpu_bo_va(bos[j]);

			if (va < v2 + sizes[j] && v2 < va + sizes[i])
				fail_why("buffers %u and %u overlap", i, j);
			/* the CPU view is laid out as the VRAM */
			assert_true((uint8_t *)mvgpu_bo_map(bos[i]) -
				    (uint8_t *)mvgpu_bo_map(bos[j]) ==
				    (ptrdiff_t)(va - v2));
		}
	}
	assert_ok(mvgpu_get_info(f->g, &info));
	assert_true(info.vram_free <= info0.vram_free - used);

	/* explicit alignment */
	assert_ok(mvgpu_bo_alloc(f->g, 100, 1 << 20, &bo));
	assert_int_equal(mvgpu_bo_va(bo) % (1 << 20), 0);
	assert_ok(mvgpu_bo_free(f->g, bo));
	assert_ok(mvgpu_bo_alloc(f->g, 100, 64, &bo));
	assert_int_equal(mvgpu_bo_va(bo) % 64, 0);
	assert_ok(mvgpu_bo_free(f->g, bo));

	/* refusals change nothing */
	bo = (struct mvgpu_bo *)&bo;
	assert_err(mvgpu_bo_alloc(f->g, 0, 0, &bo), -EINVAL);
	assert_err(mvgpu_bo_alloc(f->g, 4096, 3, &bo), -EINVAL);
	assert_err(mvgpu_bo_alloc(f->g, 4096, 0, NULL), -EINVAL);
	assert_err(mvgpu_bo_alloc(f->g, f->vram_size, 0, &bo), -ENOMEM);
	assert_non_null(strstr(mvgpu_last_error(), "free"));
	assert_err(mvgpu_bo_alloc(f->g, info.vram_free + 1, 1, &bo), -ENOMEM);
	assert_ptr_equal(bo, (struct mvgpu_bo *)&bo);
	assert_ok(mvgpu_get_info(f->g, &info0));
	assert_int_equal(info0.vram_free, info.vram_free);

	/* free everything: all the VRAM comes back, in one piece */
	for (i = 0; i < 7; i++)
		assert_ok(mvgpu_bo_free(f->g, bos[i]));
	assert_err(mvgpu_bo_free(f->g, NULL), -EINVAL);
	assert_ok(mvgpu_get_info(f->g, &info));
	assert_int_equal(info.vram_free, f->vram_size - 4096 -
			 LIBMVGPU_RING_BYTES - f->vram_size / 4096 * 8);
	assert_ok(mvgpu_bo_alloc(f->g, info.vram_free, 0, &big));
	assert_int_equal(mvgpu_bo_va(big), 4096);
	assert_ok(mvgpu_get_info(f->g, &info));
	assert_int_equal(info.vram_free, 0);
	assert_err(mvgpu_bo_alloc(f->g, 1, 1, &bo), -ENOMEM);
	assert_ok(mvgpu_bo_free(f->g, big));
}

static void test_bo_rw_map(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_bo *bo = alloc_bo(f, 10000);
	uint8_t in[10000], out[10000];
	uint8_t *map = mvgpu_bo_map(bo);

	rnd_fill(in, sizeof(in));
	assert_ok(mvgpu_bo_write(f->g, bo, 0, in, sizeof(in)));
	assert_bytes_equal(map, in, sizeof(in));
	memset(out, 0, sizeof(out));
	assert_ok(mvgpu_bo_read(f->g, bo, 0, out, sizeof(out)));
	assert_bytes_equal(out, in, sizeof(in));

	/* partial, at odd offsets, both ways */
	assert_ok(mvgpu_bo_write(f->g, bo, 9999, "\x5a", 1));
	assert_int_equal(map[9999], 0x5a);
	map[123] = 0xa5;
	assert_ok(mvgpu_bo_read(f->g, bo, 123, out, 1));
	assert_int_equal(out[0], 0xa5);
	assert_ok(mvgpu_bo_read(f->g, bo, 10000, out, 0));

	/* outside the buffer: -EINVAL, nothing written */
	memcpy(out, map, sizeof(out));
	assert_err(mvgpu_bo_write(f->g, bo, 9999, in, 2), -EINVAL);
	assert_err(mvgpu_bo_write(f->g, bo, 10001, in, 0), -EINVAL);
	assert_err(mvgpu_bo_write(f->g, bo, UINT64_MAX, in, 2), -EINVAL);
	assert_err(mvgpu_bo_read(f->g, bo, 1, out, 10000), -EINVAL);
	assert_err(mvgpu_bo_read(f->g, bo, 0, NULL, 4), -EINVAL);
	assert_err(mvgpu_bo_write(f->g, NULL, 0, in, 4), -EINVAL);
	assert_bytes_equal(out, map, sizeof(out));

	assert_ok(mvgpu_bo_free(f->g, bo));
	/* a freed buffer is refused */
	assert_err(mvgpu_bo_free(f->g, bo), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

static void test_fill(void **state)
{
	struct fixture *f = *state;
	const uint64_t size = 1 << 20;
	struct mvgpu_bo *bo = alloc_bo(f, size);
	uint64_t va = mvgpu_bo_va(bo);
	uint8_t *want = malloc(size), *got = malloc(size);
	uint64_t i;

	assert_non_null(want);
	assert_non_null(got);
	rnd_fill(want, size);
	assert_ok(mvgpu_bo_write(f->g, bo, 0, want, size));

	/* the whole buffer, then a part in the middle */
	assert_ok(mvgpu_cmd_fill(f->b, va, size, 0xdeadbeef));
	assert_ok(mvgpu_cmd_fill(f->b, va + 4092, 8200, 0x01020304));
	assert_ok(mvgpu_cmd_fill(f->b, va + 64, 0, 0xffffffff));	/* empty */
	assert_int_equal(mvgpu_batch_length(f->b), 3);
	run(f);
	assert_int_equal(mvgpu_batch_length(f->b), 0);

	for (i = 0; i < size; i += 4) {
		uint32_t w = i >= 4092 && i < 4092 + 8200 ? 0x01020304 :
			     0xdeadbeef;

		memcpy(want + i, &w, 4);
	}
	assert_ok(mvgpu_bo_read(f->g, bo, 0, got, size));
	assert_bytes_equal(got, want, size);
	free(want);
	free(got);
}

static void test_copy(void **state)
{
	struct fixture *f = *state;
	const uint64_t size = 300000;
	struct mvgpu_bo *a = alloc_bo(f, size), *b = alloc_bo(f, size);
	uint8_t *src = malloc(size), *want = malloc(size), *got = malloc(size);

	assert_non_null(src);
	assert_non_null(want);
	assert_non_null(got);
	rnd_fill(src, size);
	rnd_fill(want, size);
	assert_ok(mvgpu_bo_write(f->g, a, 0, src, size));
	assert_ok(mvgpu_bo_write(f->g, b, 0, want, size));

	/* any alignment: odd offsets and sizes, across pages */
	assert_ok(mvgpu_cmd_copy(f->b, mvgpu_bo_va(b) + 3, mvgpu_bo_va(a) + 4097,
				 size - 5000 - 1));
	assert_ok(mvgpu_cmd_copy(f->b, mvgpu_bo_va(b) + size - 1,
				 mvgpu_bo_va(a), 1));
	run(f);
	memcpy(want + 3, src + 4097, size - 5000 - 1);
	want[size - 1] = src[0];
	assert_ok(mvgpu_bo_read(f->g, b, 0, got, size));
	assert_bytes_equal(got, want, size);
	/* the source is untouched */
	assert_ok(mvgpu_bo_read(f->g, a, 0, got, size));
	assert_bytes_equal(got, src, size);
	free(src);
	free(want);
	free(got);
}

static void test_dma(void **state)
{
	struct fixture *f = *state;
	const size_t size = (1 << 20) + 123;	/* not a page multiple */
	struct mvgpu_hostmem *in = NULL, *out = NULL;
	struct mvgpu_bo *bo = alloc_bo(f, size);
	uint8_t *got = malloc(size), *want = malloc(size);
	uint8_t *pin, *pout;

	assert_non_null(got);
	assert_non_null(want);
	assert_ok(mvgpu_hostmem_alloc(f->g, size, &in));
	assert_ok(mvgpu_hostmem_alloc(f->g, size, &out));
	assert_int_equal(mvgpu_hostmem_size(in), size);
	pin = mvgpu_hostmem_ptr(in);
	pout = mvgpu_hostmem_ptr(out);
	assert_non_null(pin);
	assert_int_equal((uintptr_t)pin % 4096, 0);
	assert_int_not_equal(mvgpu_hostmem_iova(in), 0);
	assert_true(mvgpu_hostmem_iova(out) >= mvgpu_hostmem_iova(in) + size ||
		    mvgpu_hostmem_iova(in) >= mvgpu_hostmem_iova(out) + size);

	/* host -> VRAM */
	rnd_fill(pin, size);
	assert_ok(mvgpu_cmd_dma_from_host(f->b, mvgpu_bo_va(bo),
					  mvgpu_hostmem_iova(in), size));
	run(f);
	assert_ok(mvgpu_bo_read(f->g, bo, 0, got, size));
	assert_bytes_equal(got, pin, size);

	/* VRAM -> host, at offsets on both sides */
	rnd_fill(want, size);
	memcpy(pout, want, size);
	assert_ok(mvgpu_cmd_fill(f->b, mvgpu_bo_va(bo), 4096, 0x55aa55aa));
	assert_ok(mvgpu_cmd_dma_to_host(f->b, mvgpu_hostmem_iova(out) + 7,
					mvgpu_bo_va(bo) + 1, size - 100));
	run(f);
	{
		uint8_t *vram = malloc(size);	/* what the buffer holds now */
		size_t i;

		assert_non_null(vram);
		memcpy(vram, pin, size);
		for (i = 0; i < 4096; i += 4)
			memcpy(vram + i, "\xaa\x55\xaa\x55", 4);
		memcpy(want + 7, vram + 1, size - 100);
		free(vram);
	}
	assert_bytes_equal(pout, want, size);

	assert_ok(mvgpu_hostmem_free(f->g, in));
	assert_err(mvgpu_hostmem_free(f->g, in), -EINVAL);
	assert_err(mvgpu_hostmem_alloc(f->g, 0, &in), -EINVAL);
	assert_err(mvgpu_hostmem_alloc(f->g, 4096, NULL), -EINVAL);
	assert_ok(mvgpu_hostmem_free(f->g, out));
	free(got);
	free(want);
}

/* DMA to an IOVA nobody mapped: a DMA fault naming the IOVA */
static void test_dma_unmapped(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_hostmem *hm = NULL;
	struct mvgpu_bo *bo = alloc_bo(f, 8192);
	struct mvgpu_fault ft;
	uint64_t iova, fence;

	/* an IOVA that was mapped, and is not any more */
	assert_ok(mvgpu_hostmem_alloc(f->g, 8192, &hm));
	iova = mvgpu_hostmem_iova(hm);
	assert_ok(mvgpu_hostmem_free(f->g, hm));

	assert_ok(mvgpu_cmd_dma_to_host(f->b, iova, mvgpu_bo_va(bo), 8192));
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_err(mvgpu_fence_wait(f->g, fence, WAIT_MS), -EIO);
	assert_non_null(strstr(mvgpu_last_error(), "DMA"));
	assert_ok(mvgpu_get_fault(f->g, &ft));
	assert_int_equal(ft.code, MVGPU_FAULT_DMA);
	assert_int_equal(ft.addr, iova);
	assert_true(ft.write);		/* to host: a write of client memory */
	assert_string_equal(mvgpu_fault_name(ft.code), "DMA");
	assert_ok(mvgpu_reset(f->g, &ft));
	assert_int_equal(ft.code, MVGPU_FAULT_DMA);

	/* from host too, at IOVA 0 which is never mapped */
	mvgpu_batch_reset(f->b);
	assert_ok(mvgpu_cmd_dma_from_host(f->b, mvgpu_bo_va(bo), 0, 64));
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_err(mvgpu_fence_wait(f->g, fence, WAIT_MS), -EIO);
	assert_ok(mvgpu_reset(f->g, &ft));
	assert_int_equal(ft.code, MVGPU_FAULT_DMA);
	assert_int_equal(ft.addr, 0);
	assert_false(ft.write);
	mvgpu_batch_reset(f->b);
}

static void gemm_ref(int32_t *c, const int32_t *a, const int32_t *b,
		     uint32_t m, uint32_t n, uint32_t k)
{
	uint32_t i, j, l;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			uint32_t acc = 0;	/* int32 with wrap-around */

			for (l = 0; l < k; l++)
				acc += (uint32_t)a[i * k + l] *
				       (uint32_t)b[l * n + j];
			c[i * n + j] = (int32_t)acc;
		}
}

static void test_gemm(void **state)
{
	static const uint32_t shapes[][3] = {	/* m, n, k */
		{ 1, 1, 1 }, { 17, 33, 9 }, { 128, 128, 128 }, { 3, 200, 64 },
		{ 64, 1, 300 }, { 1, 513, 2 },
	};
	struct fixture *f = *state;
	unsigned int s;

	for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		uint32_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
		size_t sa = (size_t)m * k * 4, sb = (size_t)k * n * 4;
		size_t sc = (size_t)m * n * 4, i;
		int32_t *a = malloc(sa), *b = malloc(sb), *want = malloc(sc);
		int32_t *got = malloc(sc);
		struct mvgpu_bo *ba = alloc_bo(f, sa), *bb = alloc_bo(f, sb);
		struct mvgpu_bo *bc = alloc_bo(f, sc);

		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(want);
		assert_non_null(got);
		/* small values in the first shapes, full range in the rest */
		for (i = 0; i < sa / 4; i++)
			a[i] = s < 2 ? (int32_t)(rnd32() % 200) - 100 :
				       (int32_t)rnd32();
		for (i = 0; i < sb / 4; i++)
			b[i] = s < 2 ? (int32_t)(rnd32() % 200) - 100 :
				       (int32_t)rnd32();
		gemm_ref(want, a, b, m, n, k);
		assert_ok(mvgpu_bo_write(f->g, ba, 0, a, sa));
		assert_ok(mvgpu_bo_write(f->g, bb, 0, b, sb));
		/* C starts as garbage: the device must not accumulate into it */
		assert_ok(mvgpu_cmd_fill(f->b, mvgpu_bo_va(bc), (sc + 3) & ~3ul,
					 0x7f7f7f7f));
		assert_ok(mvgpu_cmd_gemm_i32(f->b, mvgpu_bo_va(bc),
					     mvgpu_bo_va(ba), mvgpu_bo_va(bb),
					     m, n, k));
		run(f);
		assert_ok(mvgpu_bo_read(f->g, bc, 0, got, sc));
		for (i = 0; i < sc / 4; i++)
			if (got[i] != want[i])
				fail_why("GEMM %ux%ux%u: C[%zu][%zu] = %d, want %d",
					 m, n, k, i / n, i % n, got[i], want[i]);
		assert_ok(mvgpu_bo_free(f->g, ba));
		assert_ok(mvgpu_bo_free(f->g, bb));
		assert_ok(mvgpu_bo_free(f->g, bc));
		free(a);
		free(b);
		free(want);
		free(got);
	}
}

/* a user fence writes memory and does not confuse the library's fences */
static void test_fence_write(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_bo *bo = alloc_bo(f, 64);
	uint64_t v = 0, fence, done;

	assert_ok(mvgpu_cmd_fence_write(f->b, mvgpu_bo_va(bo) + 8,
					0x1122334455667788ull));
	fence = run(f);
	assert_ok(mvgpu_bo_read(f->g, bo, 8, &v, 8));
	assert_int_equal(v, 0x1122334455667788ull);
	assert_ok(mvgpu_fence_completed(f->g, &done));
	assert_int_equal(done, fence);
	assert_int_equal(mvgpu_fence_done(f->g, fence), 1);
	assert_err(mvgpu_fence_done(f->g, fence + 1), -EINVAL);
	assert_err(mvgpu_fence_done(f->g, 0x1122334455667788ull), -EINVAL);
}

/* opcodes the library would refuse go in raw and fault on the device */
static void test_raw_bad_command(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_cmd cmd = { .opcode = 99 };
	struct mvgpu_fault ft;
	uint64_t fence, ring;

	assert_ok(mvgpu_cmd_nop(f->b));
	assert_ok(mvgpu_cmd_raw(f->b, &cmd));
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_err(mvgpu_fence_wait(f->g, fence, WAIT_MS), -EIO);
	assert_ok(mvgpu_get_fault(f->g, &ft));
	assert_int_equal(ft.code, MVGPU_FAULT_BAD_OPCODE);
	/* the ring is just below the page table; the NOP took slot 0 */
	ring = f->vram_size - f->vram_size / 4096 * 8 - LIBMVGPU_RING_BYTES;
	assert_int_equal(ft.head, 64);
	assert_int_equal(ft.addr, ring + 64);
	assert_ok(mvgpu_reset(f->g, NULL));
	mvgpu_batch_reset(f->b);

	/* a non-zero reserved field */
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = MVGPU_OP_NOP;
	cmd.reserved = 1;
	assert_ok(mvgpu_cmd_raw(f->b, &cmd));
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_err(mvgpu_fence_wait(f->g, fence, WAIT_MS), -EIO);
	assert_ok(mvgpu_reset(f->g, &ft));
	assert_int_equal(ft.code, MVGPU_FAULT_BAD_COMMAND);
	assert_int_equal(ft.head, 0);
	mvgpu_batch_reset(f->b);
}

/* commands can read but not write the ring, and cannot reach the table */
static void test_ring_and_pt_protected(void **state)
{
	struct fixture *f = *state;
	uint64_t pt = f->vram_size - f->vram_size / 4096 * 8;
	uint64_t ring = pt - LIBMVGPU_RING_BYTES;
	struct mvgpu_bo *bo = alloc_bo(f, 4096);
	struct mvgpu_fault ft;
	uint64_t fence;

	assert_ok(mvgpu_cmd_fill(f->b, ring + 4096, 64, 0));
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_err(mvgpu_fence_wait(f->g, fence, WAIT_MS), -EIO);
	assert_ok(mvgpu_reset(f->g, &ft));
	assert_int_equal(ft.code, MVGPU_FAULT_READ_ONLY);
	assert_true(ft.write);
	assert_int_equal(ft.addr, ring + 4096);
	mvgpu_batch_reset(f->b);

	/* reading the ring is fine */
	assert_ok(mvgpu_cmd_copy(f->b, mvgpu_bo_va(bo), ring, 64));
	run(f);

	assert_ok(mvgpu_cmd_copy(f->b, mvgpu_bo_va(bo), pt, 64));
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	assert_err(mvgpu_fence_wait(f->g, fence, WAIT_MS), -EIO);
	assert_ok(mvgpu_reset(f->g, &ft));
	assert_int_equal(ft.code, MVGPU_FAULT_UNMAPPED);
	assert_false(ft.write);
	assert_int_equal(ft.addr, pt);
	mvgpu_batch_reset(f->b);
}

/* ------------------------------------------------------------------ */
/* Fences and events                                                   */
/* ------------------------------------------------------------------ */

static void test_fences(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_bo *bo = alloc_bo(f, 1 << 20);
	uint64_t fences[8], done = 99;
	unsigned int i;

	assert_ok(mvgpu_fence_completed(f->g, &done));
	assert_int_equal(done, 0);
	assert_int_equal(mvgpu_fence_done(f->g, 0), 1);	/* no fence */
	assert_ok(mvgpu_fence_wait(f->g, 0, 0));

	for (i = 0; i < 8; i++) {
		assert_ok(mvgpu_cmd_fill(f->b, mvgpu_bo_va(bo), 1 << 20, i));
		assert_ok(mvgpu_submit(f->g, f->b, &fences[i]));
		assert_int_equal(fences[i], i + 1);	/* grows by one */
		mvgpu_batch_reset(f->b);
	}
	/* wait out of order */
	assert_ok(mvgpu_fence_wait(f->g, fences[3], WAIT_MS));
	assert_int_equal(mvgpu_fence_done(f->g, fences[0]), 1);
	assert_int_equal(mvgpu_fence_done(f->g, fences[3]), 1);
	assert_ok(mvgpu_fence_wait(f->g, fences[7], -1));
	for (i = 0; i < 8; i++)
		assert_int_equal(mvgpu_fence_done(f->g, fences[i]), 1);
	assert_ok(mvgpu_fence_completed(f->g, &done));
	assert_int_equal(done, 8);
	/* waiting again on a completed fence returns at once */
	assert_ok(mvgpu_fence_wait(f->g, fences[1], 0));

	assert_err(mvgpu_fence_wait(f->g, 9, 0), -EINVAL);
	assert_err(mvgpu_fence_wait(f->g, 1, -2), -EINVAL);
	assert_err(mvgpu_fence_completed(f->g, NULL), -EINVAL);

	/* the last fill's value is in the buffer */
	{
		uint32_t w;

		assert_ok(mvgpu_bo_read(f->g, bo, (1 << 20) - 4, &w, 4));
		assert_int_equal(w, 7);
	}
}

static void test_event_fd(void **state)
{
	struct fixture *f = *state;
	int fd = mvgpu_event_fd(f->g), causes = 0, ret;
	uint64_t fence;
	unsigned int rounds = 0;

	assert_true(fd >= 0);
	assert_ok(mvgpu_cmd_nop(f->b));
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	while ((ret = mvgpu_fence_done(f->g, fence)) == 0 ||
	       !(causes & MVGPU_INT_FENCE)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		assert_true(ret >= 0);
		assert_int_equal(poll(&p, 1, WAIT_MS), 1);
		assert_true(p.revents & POLLIN);
		ret = mvgpu_handle_events(f->g);
		assert_true(ret >= 0);
		causes |= ret;
		assert_true(++rounds < 100);
	}
	assert_int_equal(causes, MVGPU_INT_FENCE);
	/* consumed: nothing new is pending */
	assert_int_equal(mvgpu_handle_events(f->g), 0);
	mvgpu_batch_reset(f->b);
}

struct waiter {
	struct mvgpu *g;
	uint64_t fence;
	int ret;
	int done_after;
};

static void *waiter_thread(void *arg)
{
	struct waiter *w = arg;

	w->ret = mvgpu_fence_wait(w->g, w->fence, WAIT_MS);
	w->done_after = mvgpu_fence_done(w->g, w->fence);
	return NULL;
}

/* two threads wait on different fences at once: both wake */
static void test_two_waiters(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_bo *bo = alloc_bo(f, 8 << 20);
	struct waiter w[2] = { { .g = f->g }, { .g = f->g } };
	pthread_t t[2];
	int round, i;

	for (round = 0; round < 4; round++) {
		assert_ok(mvgpu_cmd_fill(f->b, mvgpu_bo_va(bo), 8 << 20, round));
		assert_ok(mvgpu_submit(f->g, f->b, &w[0].fence));
		assert_ok(mvgpu_submit(f->g, f->b, &w[1].fence));
		mvgpu_batch_reset(f->b);
		/* the later fence waits first on even rounds */
		for (i = 0; i < 2; i++) {
			struct waiter *x = &w[round % 2 ? i : 1 - i];

			x->ret = -1;
			assert_int_equal(pthread_create(&t[i], NULL,
							waiter_thread, x), 0);
		}
		for (i = 0; i < 2; i++)
			assert_int_equal(pthread_join(t[i], NULL), 0);
		for (i = 0; i < 2; i++) {
			if (w[i].ret)
				fail_why("round %d: waiter on fence %llu: %d",
					 round, (unsigned long long)w[i].fence,
					 w[i].ret);
			assert_int_equal(w[i].done_after, 1);
		}
	}
}

struct worker {
	struct mvgpu *g;
	unsigned int id;
	int failed;
	char why[256];
};

/* a thread's own buffers, commands and fences, with the others at once */
static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	struct mvgpu_batch *b = NULL;
	unsigned int it;

	if (mvgpu_batch_new(w->g, &b)) {
		snprintf(w->why, sizeof(w->why), "batch_new: %s",
			 mvgpu_last_error());
		w->failed = 1;
		return NULL;
	}
	for (it = 0; it < 12 && !w->failed; it++) {
		uint32_t pattern = w->id << 24 | it, got[64];
		uint64_t size = 4096 * (1 + (it + w->id) % 5), fence;
		struct mvgpu_bo *bo = NULL;
		int ret;
		unsigned int i;

		ret = mvgpu_bo_alloc(w->g, size, 0, &bo);
		if (!ret) {
			mvgpu_batch_reset(b);
			ret = mvgpu_cmd_fill(b, mvgpu_bo_va(bo), size, pattern);
		}
		while (!ret) {
			ret = mvgpu_submit(w->g, b, &fence);
			if (ret != -EAGAIN)
				break;
			ret = 0;
			usleep(1000);
		}
		if (!ret)
			ret = mvgpu_fence_wait(w->g, fence, WAIT_MS);
		if (!ret)
			ret = mvgpu_bo_read(w->g, bo, size - sizeof(got), got,
					    sizeof(got));
		if (ret) {
			snprintf(w->why, sizeof(w->why), "iteration %u: %d %s",
				 it, ret, mvgpu_last_error());
			w->failed = 1;
		}
		for (i = 0; !ret && i < 64; i++)
			if (got[i] != pattern) {
				snprintf(w->why, sizeof(w->why),
					 "iteration %u: word %u is 0x%x, want 0x%x",
					 it, i, got[i], pattern);
				w->failed = 1;
				break;
			}
		if (bo && mvgpu_bo_free(w->g, bo)) {
			snprintf(w->why, sizeof(w->why), "bo_free: %s",
				 mvgpu_last_error());
			w->failed = 1;
		}
	}
	mvgpu_batch_free(b);
	return NULL;
}

static void test_threads(void **state)
{
	struct fixture *f = *state;
	struct worker w[4];
	struct mvgpu_info info0, info;
	pthread_t t[4];
	unsigned int i;

	assert_ok(mvgpu_get_info(f->g, &info0));
	for (i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].g = f->g;
		w[i].id = i + 1;
		assert_int_equal(pthread_create(&t[i], NULL, worker_thread,
						&w[i]), 0);
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < 4; i++)
		if (w[i].failed)
			fail_why("worker %u: %s", i + 1, w[i].why);
	assert_ok(mvgpu_get_info(f->g, &info));
	assert_int_equal(info.vram_free, info0.vram_free);
}

static void test_stats(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_stats s0, s1;
	struct mvgpu_bo *bo = alloc_bo(f, 1 << 20);
	volatile uint8_t *map = mvgpu_bo_map(bo);
	uint64_t v;

	assert_ok(mvgpu_get_stats(f->g, &s0));
	/* the library's numbers are the sysfs ones */
	assert_int_equal(mt_vgpu_stat(f->uuid, "faults", &v), 0);
	assert_int_equal(s0.faults, v);

	map[0] = 1;		/* first touch of this page in this mapping */
	assert_ok(mvgpu_cmd_fill(f->b, mvgpu_bo_va(bo), 1 << 20, 3));
	assert_ok(mvgpu_cmd_copy(f->b, mvgpu_bo_va(bo), mvgpu_bo_va(bo) +
				 (512 << 10), 512 << 10));
	run(f);
	assert_ok(mvgpu_get_stats(f->g, &s1));
	assert_true(s1.commands >= s0.commands + 3);	/* and the fence */
	assert_true(s1.bytes >= s0.bytes + (1 << 20) + (512 << 10));
	assert_true(s1.busy_ns > s0.busy_ns);
	assert_true(s1.interrupts > s0.interrupts);
	assert_true(s1.vram_faults > s0.vram_faults);
	assert_true(s1.slices > s0.slices);
	assert_int_equal(s1.faults, s0.faults);
	assert_err(mvgpu_get_stats(f->g, NULL), -EINVAL);

	/* a fault counts */
	assert_ok(mvgpu_cmd_fill(f->b, 0, 4, 0));
	{
		uint64_t fence;

		assert_ok(mvgpu_submit(f->g, f->b, &fence));
		assert_err(mvgpu_fence_wait(f->g, fence, WAIT_MS), -EIO);
	}
	assert_ok(mvgpu_get_stats(f->g, &s0));
	assert_int_equal(s0.faults, s1.faults + 1);
	assert_ok(mvgpu_reset(f->g, NULL));
	mvgpu_batch_reset(f->b);
}

/* ------------------------------------------------------------------ */
/* Timeouts, faults, reset, ring limits                                */
/* ------------------------------------------------------------------ */

/* queue enough FILL work that it runs for a long time (seconds in TCG) */
static uint64_t queue_slow_work(struct fixture *f, struct mvgpu_bo *bo,
				unsigned int fills)
{
	uint64_t fence;
	unsigned int i;

	for (i = 0; i < fills; i++)
		assert_ok(mvgpu_cmd_fill(f->b, mvgpu_bo_va(bo),
					 mvgpu_bo_size(bo), i));
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	mvgpu_batch_reset(f->b);
	return fence;
}

static void test_timeout(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_bo *bo = alloc_bo(f, 32 << 20);
	struct mvgpu_fault ft = { .code = 99 };
	uint64_t slow, fence, done;

	/* 32 MiB x 500: many seconds of work for the engine */
	slow = queue_slow_work(f, bo, 500);
	assert_err(mvgpu_fence_wait(f->g, slow, 1), -ETIMEDOUT);
	assert_non_null(strstr(mvgpu_last_error(), "did not complete"));
	assert_err(mvgpu_fence_wait(f->g, slow, 0), -ETIMEDOUT);
	assert_int_equal(mvgpu_fence_done(f->g, slow), 0);

	/* a reset drops it: its fence will never complete */
	assert_ok(mvgpu_reset(f->g, &ft));
	assert_int_equal(ft.code, 0);		/* no fault */
	assert_err(mvgpu_fence_wait(f->g, slow, 0), -EIO);
	assert_non_null(strstr(mvgpu_last_error(), "reset"));
	assert_err(mvgpu_fence_done(f->g, slow), -EIO);
	assert_ok(mvgpu_fence_completed(f->g, &done));
	assert_true(done < slow);

	/* and new work runs */
	assert_ok(mvgpu_cmd_fill(f->b, mvgpu_bo_va(bo), 4096, 0xabcdef01));
	fence = run(f);
	assert_int_equal(fence, slow + 1);
	assert_ok(mvgpu_fence_completed(f->g, &done));
	assert_int_equal(done, fence);
	assert_err(mvgpu_fence_done(f->g, slow), -EIO);	/* still lost */
	{
		uint32_t w;

		assert_ok(mvgpu_bo_read(f->g, bo, 4092, &w, 4));
		assert_int_equal(w, 0xabcdef01);
	}
}

static void test_fault_reset(void **state)
{
	struct fixture *f = *state;
	const size_t size = 64 << 10;
	struct mvgpu_bo *bo = alloc_bo(f, size);
	uint8_t *want = malloc(size), *got = malloc(size);
	struct mvgpu_fault ft, ft2;
	uint64_t fence, before, after;

	assert_non_null(want);
	assert_non_null(got);
	rnd_fill(want, size);
	assert_ok(mvgpu_bo_write(f->g, bo, 0, want, size));
	assert_ok(mvgpu_cmd_nop(f->b));
	before = run(f);

	assert_ok(mvgpu_get_fault(f->g, &ft));
	assert_int_equal(ft.code, 0);
	assert_err(mvgpu_get_fault(f->g, NULL), -EINVAL);

	/* VA 0 is never mapped */
	assert_ok(mvgpu_cmd_fill(f->b, 0, 64, 0x11111111));
	assert_ok(mvgpu_cmd_fill(f->b, mvgpu_bo_va(bo), size, 0));  /* not run */
	assert_ok(mvgpu_submit(f->g, f->b, &fence));
	mvgpu_batch_reset(f->b);
	assert_err(mvgpu_fence_wait(f->g, fence, WAIT_MS), -EIO);
	assert_non_null(strstr(mvgpu_last_error(), "UNMAPPED"));
	assert_err(mvgpu_fence_done(f->g, fence), -EIO);
	assert_int_equal(mvgpu_fence_done(f->g, before), 1);

	assert_ok(mvgpu_get_fault(f->g, &ft));
	assert_int_equal(ft.code, MVGPU_FAULT_UNMAPPED);
	assert_int_equal(ft.addr, 0);
	assert_true(ft.write);
	assert_int_equal(ft.head, 128);		/* after the NOP and its fence */
	assert_string_equal(mvgpu_fault_name(ft.code), "UNMAPPED");

	/* stopped: new submissions are refused until a reset */
	assert_ok(mvgpu_cmd_nop(f->b));
	assert_err(mvgpu_submit(f->g, f->b, &after), -EIO);
	assert_non_null(strstr(mvgpu_last_error(), "mvgpu_reset"));
	mvgpu_batch_reset(f->b);

	memset(&ft2, 0xff, sizeof(ft2));
	assert_ok(mvgpu_reset(f->g, &ft2));
	assert_int_equal(ft2.code, ft.code);
	assert_int_equal(ft2.addr, ft.addr);
	assert_int_equal(ft2.write, ft.write);
	assert_int_equal(ft2.head, ft.head);
	assert_ok(mvgpu_get_fault(f->g, &ft));
	assert_int_equal(ft.code, 0);

	/* buffers survived, the dropped fence stays failed, new work runs */
	assert_ok(mvgpu_bo_read(f->g, bo, 0, got, size));
	assert_bytes_equal(got, want, size);
	assert_err(mvgpu_fence_wait(f->g, fence, 0), -EIO);
	assert_ok(mvgpu_cmd_fill(f->b, mvgpu_bo_va(bo) + 4, 8, 0x22222222));
	after = run(f);
	assert_int_equal(after, fence + 1);
	memset(want + 4, 0x22, 8);
	assert_ok(mvgpu_bo_read(f->g, bo, 0, got, size));
	assert_bytes_equal(got, want, size);

	/* a reset with nothing wrong is harmless too */
	assert_ok(mvgpu_reset(f->g, NULL));
	assert_ok(mvgpu_cmd_nop(f->b));
	run(f);
	free(want);
	free(got);
}

static void test_ring_limits(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_bo *bo = alloc_bo(f, 16 << 20);
	struct mvgpu_batch *nops = NULL;
	uint64_t slow, fence, next;
	unsigned int i;

	/* one more than LIBMVGPU_BATCH_MAX_CMDS can never fit */
	assert_ok(mvgpu_batch_new(f->g, &nops));
	for (i = 0; i < LIBMVGPU_BATCH_MAX_CMDS + 1; i++)
		assert_ok(mvgpu_cmd_nop(nops));
	assert_err(mvgpu_submit(f->g, nops, &fence), -E2BIG);
	assert_non_null(strstr(mvgpu_last_error(), "split"));

	/* exactly LIBMVGPU_BATCH_MAX_CMDS fits an empty ring */
	mvgpu_batch_reset(nops);
	for (i = 0; i < LIBMVGPU_BATCH_MAX_CMDS; i++)
		assert_ok(mvgpu_cmd_nop(nops));
	assert_ok(mvgpu_submit(f->g, nops, &fence));
	assert_ok(mvgpu_fence_wait(f->g, fence, WAIT_MS));
	/* and again, wrapping around the ring */
	assert_ok(mvgpu_submit(f->g, nops, &fence));
	assert_ok(mvgpu_fence_wait(f->g, fence, WAIT_MS));

	/* 600 slow fills in the ring, 600 more commands cannot go in now */
	slow = queue_slow_work(f, bo, 600);
	mvgpu_batch_reset(nops);
	for (i = 0; i < 600; i++)
		assert_ok(mvgpu_cmd_nop(nops));
	assert_err(mvgpu_submit(f->g, nops, &fence), -EAGAIN);
	assert_non_null(strstr(mvgpu_last_error(), "wait for an earlier fence"));
	/* nothing of it went in: the next fence is the next number */
	mvgpu_batch_reset(nops);
	assert_ok(mvgpu_submit(f->g, nops, &next));
	assert_int_equal(next, slow + 1);
	assert_int_equal(mvgpu_fence_done(f->g, next), 0);

	/* drop the slow work */
	assert_ok(mvgpu_reset(f->g, NULL));
	assert_err(mvgpu_fence_wait(f->g, slow, 0), -EIO);
	assert_err(mvgpu_fence_wait(f->g, next, 0), -EIO);
	for (i = 0; i < 600; i++)
		assert_ok(mvgpu_cmd_nop(nops));
	assert_ok(mvgpu_submit(f->g, nops, &fence));
	assert_int_equal(fence, next + 1);
	assert_ok(mvgpu_fence_wait(f->g, fence, WAIT_MS));
	mvgpu_batch_free(nops);
}

/* refused commands: -EINVAL and the batch unchanged */
static void test_batch_refusals(void **state)
{
	struct fixture *f = *state;
	struct mvgpu_batch *other = NULL;
	uint64_t fence, top = f->vram_size;

	assert_ok(mvgpu_cmd_nop(f->b));
	assert_err(mvgpu_cmd_fill(f->b, 2, 4, 0), -EINVAL);
	assert_err(mvgpu_cmd_fill(f->b, 4096, 6, 0), -EINVAL);
	assert_err(mvgpu_cmd_fill(f->b, top - 4, 8, 0), -EINVAL);
	assert_err(mvgpu_cmd_copy(f->b, 4096, 4096 + 10, 20), -EINVAL);
	assert_err(mvgpu_cmd_copy(f->b, 4096, top, 1), -EINVAL);
	assert_err(mvgpu_cmd_dma_to_host(f->b, UINT64_MAX, 4096, 2), -EINVAL);
	assert_err(mvgpu_cmd_dma_from_host(f->b, 4096, 1ull << 32,
					   (1ull << 32) + 1), -EINVAL);
	assert_err(mvgpu_cmd_gemm_i32(f->b, 4096, 8192, 12288, 0, 1, 1),
		   -EINVAL);
	assert_err(mvgpu_cmd_gemm_i32(f->b, 4096, 8192, 12288, 1, 2049, 1),
		   -EINVAL);
	assert_err(mvgpu_cmd_gemm_i32(f->b, 4098, 8192, 12288, 1, 1, 1),
		   -EINVAL);
	assert_err(mvgpu_cmd_gemm_i32(f->b, 4096, top - 4, 12288, 2, 1, 1),
		   -EINVAL);
	assert_err(mvgpu_cmd_fence_write(f->b, 4100, 1), -EINVAL);
	assert_err(mvgpu_cmd_raw(f->b, NULL), -EINVAL);
	assert_int_equal(mvgpu_batch_length(f->b), 1);

	/* a batch of one handle is refused by another */
	assert_int_equal(mt_create_new(0, 8, f->uuid2), 0);
	assert_ok(mvgpu_open(f->uuid2, &f->g2));
	assert_ok(mvgpu_batch_new(f->g2, &other));
	assert_err(mvgpu_submit(f->g, other, &fence), -EINVAL);
	assert_err(mvgpu_submit(f->g2, f->b, &fence), -EINVAL);
	assert_err(mvgpu_submit(f->g, NULL, &fence), -EINVAL);
	assert_err(mvgpu_submit(f->g, f->b, NULL), -EINVAL);
	mvgpu_close(&f->g2);
	assert_int_equal(mt_remove(f->uuid2), 0);
	f->uuid2[0] = '\0';

	fence = run(f);
	assert_int_equal(fence, 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_info),
		T(test_open_errors),
		T(test_open_no_permission),
		T(test_open_close_no_leak),
		T(test_closed_handle),
		T(test_alloc_free),
		T(test_bo_rw_map),
		T(test_fill),
		T(test_copy),
		T(test_dma),
		T(test_dma_unmapped),
		T(test_gemm),
		T(test_fence_write),
		T(test_raw_bad_command),
		T(test_ring_and_pt_protected),
		T(test_fences),
		T(test_event_fd),
		T(test_two_waiters),
		T(test_threads),
		T(test_stats),
		T(test_timeout),
		T(test_fault_reset),
		T(test_ring_limits),
		T(test_batch_refusals),
	};
#undef T

	return MT_RUN("libmvgpu", tests, NULL, NULL);
}
