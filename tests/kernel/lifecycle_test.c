// SPDX-License-Identifier: GPL-2.0-only
/*
 * vGPU types and lifecycle: type attributes, exact available_instances
 * through mixed creates and removes, capacity, and every refusal (duplicate
 * and malformed UUID, no capacity, remove while open, unload while vGPUs
 * exist).  Runs in the VM with mvgpu loaded with its defaults.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mvgpu_test.h"

#define SLICES		64	/* of a GPU's VRAM; mvgpu-64 takes one */
#define NTYPES		7

static const unsigned int divisors[NTYPES] = { 1, 2, 4, 8, 16, 32, 64 };

static uint64_t gpu_vram(void)
{
	uint64_t v = 0;

	assert_int_equal(mt_readf_u64(&v, MT_CLASS "/mvgpu0/vram_size"), 0);
	return v;
}

/* every type's available_instances is free slices / its slices */
static void expect_free_slices(unsigned int free_slices)
{
	unsigned int i;

	for (i = 0; i < NTYPES; i++) {
		unsigned int d = divisors[i];
		unsigned int want = free_slices / (SLICES / d);

		if (mt_available(0, d) != (int)want)
			fail_msg("mvgpu-%u: available_instances %d, want %u (free slices %u)",
				 d, mt_available(0, d), want, free_slices);
	}
}

static int cleanup(void **state)
{
	mt_remove_all();
	return 0;
}

static void test_type_attributes(void **state)
{
	uint64_t vram = gpu_vram();
	unsigned int i;

	for (i = 0; i < NTYPES; i++) {
		unsigned int d = divisors[i];
		unsigned int permille = 1000 / d;
		char path[256], buf[256], want[256];

		snprintf(path, sizeof(path), MT_MDEV_BUS
			 "/mvgpu0/mdev_supported_types/mvgpu-%u/name", d);
		assert_int_equal(mt_read_str(path, buf, sizeof(buf)), 0);
		snprintf(want, sizeof(want), "mvgpu 1/%u (%llu MiB)", d,
			 (unsigned long long)(vram / d) >> 20);
		assert_string_equal(buf, want);

		snprintf(path, sizeof(path), MT_MDEV_BUS
			 "/mvgpu0/mdev_supported_types/mvgpu-%u/description", d);
		assert_int_equal(mt_read_str(path, buf, sizeof(buf)), 0);
		snprintf(want, sizeof(want),
			 "vram=%lluMiB share=%u.%u%% max_instances=%u",
			 (unsigned long long)(vram / d) >> 20, permille / 10,
			 permille % 10, d);
		assert_string_equal(buf, want);

		snprintf(path, sizeof(path), MT_MDEV_BUS
			 "/mvgpu0/mdev_supported_types/mvgpu-%u/device_api", d);
		assert_int_equal(mt_read_str(path, buf, sizeof(buf)), 0);
		assert_string_equal(buf, "vfio-pci");

		assert_int_equal(mt_available(0, d), d);
	}
}

static void test_available_exact_mixed(void **state)
{
	char a[MT_UUID_LEN], b[MT_UUID_LEN], c[MT_UUID_LEN], d[MT_UUID_LEN];
	char e[MT_UUID_LEN], f[MT_UUID_LEN];

	expect_free_slices(64);
	assert_int_equal(mt_create_new(0, 2, a), 0);
	expect_free_slices(32);
	assert_int_equal(mt_create_new(0, 4, b), 0);
	expect_free_slices(16);
	assert_int_equal(mt_create_new(0, 8, c), 0);
	expect_free_slices(8);
	assert_int_equal(mt_create_new(0, 64, f), 0);
	expect_free_slices(7);
	assert_int_equal(mt_create_new(0, 16, d), 0);
	expect_free_slices(3);

	mt_kmsg_mark();
	assert_int_equal(mt_create_new(0, 16, e), -ENOSPC);
	assert_true(mt_kmsg_contains("no capacity on mvgpu0 for type 16"));
	assert_false(mt_exists(MT_MDEV_DEVICES "/%s", e));
	expect_free_slices(3);

	assert_int_equal(mt_remove(b), 0);
	expect_free_slices(19);
	assert_int_equal(mt_remove(a), 0);
	expect_free_slices(51);
	/* the freed slices are not contiguous: a half still fits */
	assert_int_equal(mt_create_new(0, 2, a), 0);
	expect_free_slices(19);
	assert_int_equal(mt_remove(c), 0);
	assert_int_equal(mt_remove(d), 0);
	assert_int_equal(mt_remove(f), 0);
	assert_int_equal(mt_remove(a), 0);
	expect_free_slices(64);
}

static void test_fill_each_type(void **state)
{
	static char uuids[SLICES][MT_UUID_LEN];
	char extra[MT_UUID_LEN];
	unsigned int i, n;

	for (i = 0; i < NTYPES; i++) {
		unsigned int div = divisors[i];

		for (n = 0; n < div; n++)
			assert_int_equal(mt_create_new(0, div, uuids[n]), 0);
		expect_free_slices(0);
		assert_int_equal(mt_create_new(0, div, extra), -ENOSPC);
		assert_int_equal(mt_create_new(0, 64, extra), -ENOSPC);
		for (n = 0; n < div; n++)
			assert_int_equal(mt_remove(uuids[n]), 0);
		expect_free_slices(64);
	}
}

/*
 * 64 vGPUs of the smallest type on one GPU: created with exact capacity at
 * each step, all opened, all running a FILL at once, each finding its own
 * bytes in its own VRAM, then removed with capacity exact again.
 */
static void test_64_vgpus_at_once(void **state)
{
	static struct mt_dev devs[SLICES];
	struct mvgpu_cmd cmd;
	char extra[MT_UUID_LEN];
	unsigned int i, k;

	for (i = 0; i < SLICES; i++) {
		memset(&devs[i], 0, sizeof(devs[i]));
		assert_int_equal(mt_create_new(0, 64, devs[i].uuid), 0);
		expect_free_slices(SLICES - 1 - i);
	}
	assert_int_equal(mt_create_new(0, 64, extra), -ENOSPC);

	for (i = 0; i < SLICES; i++) {
		int ret = mt_dev_attach(&devs[i]);

		if (ret)
			fail_msg("vGPU %u of 64: open failed: %d", i, ret);
	}
	/* every one gets work before any is waited for */
	for (i = 0; i < SLICES; i++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = MVGPU_OP_FILL;
		cmd.dst = MT_DATA_OFF;
		cmd.size = 256 * 1024;
		cmd.value = 0x01010101u * (i + 1);
		assert_int_equal(mt_dev_submit(&devs[i], &cmd, 1), 0);
	}
	for (i = 0; i < SLICES; i++) {
		int ret = mt_dev_wait_idle(&devs[i], 60000);

		if (ret)
			fail_msg("vGPU %u of 64: FILL did not finish: %d", i, ret);
		for (k = 0; k < cmd.size; k++)
			if (devs[i].vram[MT_DATA_OFF + k] != i + 1)
				fail_msg("vGPU %u of 64: byte 0x%x is 0x%02x, want 0x%02x",
					 i, k, devs[i].vram[MT_DATA_OFF + k], i + 1);
	}
	for (i = 0; i < SLICES; i++) {
		mt_dev_close(&devs[i]);		/* also removes it */
		expect_free_slices(i + 1);
	}
}

static void test_duplicate_uuid(void **state)
{
	char u[MT_UUID_LEN];

	assert_int_equal(mt_create_new(0, 8, u), 0);
	assert_int_equal(mt_create(0, 8, u), -EEXIST);
	assert_int_equal(mt_create(0, 2, u), -EEXIST);
	expect_free_slices(56);
	assert_int_equal(mt_remove(u), 0);
	expect_free_slices(64);
}

static void test_malformed_uuid(void **state)
{
	static const char *const bad[] = {
		"\n",
		"not-a-uuid",
		"1234",
		"0123456789abcdef0123456789abcdef0123",
		"01234567-89ab-cdef-0123-456789abcdeg",
		"01234567+89ab-cdef-0123-456789abcdef",
		"01234567-89ab-cdef-0123-456789abcdef-00",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = mt_create(0, 8, bad[i]);

		if (ret != -EINVAL)
			fail_msg("create \"%s\": %d, want -EINVAL", bad[i], ret);
	}
	expect_free_slices(64);
}

struct remover {
	char uuid[MT_UUID_LEN];
	volatile int done;
	int ret;
};

/* file scope so the teardown can let a blocked remove finish */
static struct mt_vfio remove_vfio = { -1, -1, -1, -1 };
static pthread_t remove_tid;
static bool remove_started;

static void *remove_thread(void *arg)
{
	struct remover *r = arg;

	r->ret = mt_remove(r->uuid);
	r->done = 1;
	return NULL;
}

static int remove_teardown(void **state)
{
	mt_vfio_close(&remove_vfio);
	if (remove_started)
		pthread_join(remove_tid, NULL);
	remove_started = false;
	return cleanup(state);
}

/* Remove of an open vGPU waits for the client, asking it via REQ */
static void test_remove_open_waits(void **state)
{
	static struct remover r;
	struct mt_vfio *v = &remove_vfio;
	int req = eventfd(0, EFD_CLOEXEC);
	uint64_t count, held = 1;

	memset(&r, 0, sizeof(r));
	assert_true(req >= 0);
	assert_int_equal(mt_create_new(0, 4, r.uuid), 0);
	assert_int_equal(mt_vfio_open(r.uuid, v), 0);
	assert_int_equal(mt_set_irq_eventfd(v->device, VFIO_PCI_REQ_IRQ_INDEX,
					    req), 0);

	mt_kmsg_mark();
	assert_int_equal(pthread_create(&remove_tid, NULL, remove_thread, &r), 0);
	remove_started = true;
	assert_int_equal(mt_eventfd_wait(req, 10000, &count), 1);
	usleep(300 * 1000);
	assert_int_equal(r.done, 0);		/* still waiting for us */
	/* and the device still works for its client meanwhile */
	assert_int_equal(mt_cfg_read16(v->device, 0), MVGPU_PCI_VENDOR_ID);
	assert_true(mt_kmsg_contains("remove waits: vGPU is open by"));
	assert_int_equal(mt_available(0, 4), 3);
	/* its VRAM is held, and said to be, until the client lets go */
	assert_int_equal(mt_readf_u64(&held, MT_CLASS "/mvgpu0/vram_releasing"), 0);
	assert_int_equal(held, gpu_vram() / 4);

	mt_vfio_close(v);
	assert_int_equal(pthread_join(remove_tid, NULL), 0);
	remove_started = false;
	assert_int_equal(r.ret, 0);
	assert_false(mt_exists(MT_MDEV_DEVICES "/%s", r.uuid));
	expect_free_slices(64);
	assert_int_equal(mt_readf_u64(&held, MT_CLASS "/mvgpu0/vram_releasing"), 0);
	assert_int_equal(held, 0);
	close(req);
}

static void test_unload_refused_while_vgpus_exist(void **state)
{
	char u1[MT_UUID_LEN], u2[MT_UUID_LEN];
	uint64_t refs = 0;
	long ret;
	int i;

	assert_int_equal(mt_create_new(0, 8, u1), 0);
	assert_int_equal(mt_create_new(0, 8, u2), 0);
	/* each vGPU pins the module */
	assert_int_equal(mt_read_u64("/sys/module/mvgpu/refcnt", &refs), 0);
	assert_true(refs >= 2);

	ret = syscall(SYS_delete_module, "mvgpu", O_NONBLOCK);
	assert_int_equal(ret, -1);
	assert_true(errno == EWOULDBLOCK || errno == EBUSY);
	assert_true(mt_exists("/sys/module/mvgpu"));
	assert_true(mt_exists(MT_MDEV_DEVICES "/%s", u1));

	assert_int_equal(mt_remove(u1), 0);
	assert_int_equal(mt_remove(u2), 0);
	/*
	 * Every reference goes with its vGPU; a file the kernel closes from
	 * a worker may take a moment, so allow up to 2 s, not forever.
	 */
	for (i = 0; i < 200; i++) {
		assert_int_equal(mt_read_u64("/sys/module/mvgpu/refcnt", &refs),
				 0);
		if (!refs)
			break;
		usleep(10000);
	}
	if (refs)
		fail_msg("module refcnt after removing every vGPU: expected 0, got %llu after 2 s",
			 (unsigned long long)refs);
	if (i)
		print_message("module refcnt reached 0 %d ms after the removes\n",
			      i * 10);
}

static void test_create_sets_up_device(void **state)
{
	char u[MT_UUID_LEN], buf[256], path[256];
	uint64_t v;

	assert_int_equal(mt_create_new(0, 4, u), 0);
	snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/mdev_type/name", u);
	assert_int_equal(mt_read_str(path, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "1/4"));
	assert_int_equal(mt_readf_u64(&v, MT_MDEV_DEVICES "/%s/mvgpu/vram_size",
				      u), 0);
	assert_int_equal(v, gpu_vram() / 4);
	snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/mvgpu/state", u);
	assert_int_equal(mt_read_str(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "closed");
	assert_true(mt_iommu_group(u) >= 0);
	assert_int_equal(mt_readf_u64(&v, MT_CLASS "/mvgpu0/vram_free"), 0);
	assert_int_equal(v, gpu_vram() - gpu_vram() / 4);
	assert_int_equal(mt_remove(u), 0);
	assert_int_equal(mt_remove(u), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_type_attributes, cleanup),
		cmocka_unit_test_teardown(test_available_exact_mixed, cleanup),
		cmocka_unit_test_teardown(test_fill_each_type, cleanup),
		cmocka_unit_test_teardown(test_64_vgpus_at_once, cleanup),
		cmocka_unit_test_teardown(test_duplicate_uuid, cleanup),
		cmocka_unit_test_teardown(test_malformed_uuid, cleanup),
		cmocka_unit_test_teardown(test_create_sets_up_device, cleanup),
		cmocka_unit_test_teardown(test_remove_open_waits,
					  remove_teardown),
		cmocka_unit_test_teardown(test_unload_refused_while_vgpus_exist,
					  cleanup),
	};

	return MT_RUN("lifecycle", tests, NULL, NULL);
}
