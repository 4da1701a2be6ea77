// SPDX-License-Identifier: GPL-2.0-only
/*
 * Eight processes race to create vGPUs of random types on one GPU, then to
 * remove them.  Whatever the interleaving, the VRAM slices handed out never
 * exceed the GPU's, the only refusal is -ENOSPC, and available_instances
 * agrees with what exists.  Repeated over several seeded rounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mvgpu_test.h"

#define RACERS		8
#define ATTEMPTS	24
#define ROUNDS		4

struct shared {
	volatile int go;
	int created[RACERS];		/* slices each racer got */
	int other_errors[RACERS];
	int last_error[RACERS];
	char uuids[RACERS][ATTEMPTS][MT_UUID_LEN];
	int count[RACERS];
};

static void racer(struct shared *sh, int id, unsigned int seed)
{
	static const unsigned int divisors[] = { 1, 2, 4, 8 };
	int i;

	srand(seed);
	while (!sh->go)
		;
	for (i = 0; i < ATTEMPTS; i++) {
		unsigned int d = divisors[rand() % 4];
		char u[MT_UUID_LEN];
		int ret = mt_create_new(0, d, u);

		if (!ret) {
			sh->created[id] += 64 / d;	/* slices: 64 per GPU */
			memcpy(sh->uuids[id][sh->count[id]++], u, MT_UUID_LEN);
		} else if (ret != -ENOSPC) {
			sh->other_errors[id]++;
			sh->last_error[id] = ret;
		}
	}
}

static void remover(struct shared *sh, int id)
{
	int i;

	while (!sh->go)
		;
	for (i = 0; i < sh->count[id]; i++)
		if (mt_remove(sh->uuids[id][i]))
			sh->other_errors[id]++;
}

static void run_all(struct shared *sh, int removing, unsigned int seed)
{
	pid_t pids[RACERS];
	int i, status;

	sh->go = 0;
	for (i = 0; i < RACERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			if (removing)
				remover(sh, i);
			else
				racer(sh, i, seed * 131 + i);
			_exit(0);
		}
	}
	sh->go = 1;
	for (i = 0; i < RACERS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

static int count_vgpus(void)
{
	FILE *p = popen("ls " MT_MDEV_DEVICES " | wc -l", "r");
	int n = -1;

	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void test_racing_creates_never_overshoot(void **state)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned int round;

	assert_true(sh != MAP_FAILED);
	for (round = 0; round < ROUNDS; round++) {
		int i, slices = 0, vgpus = 0;

		memset(sh, 0, sizeof(*sh));
		run_all(sh, 0, round + 1);
		for (i = 0; i < RACERS; i++) {
			slices += sh->created[i];
			vgpus += sh->count[i];
			if (sh->other_errors[i])
				fail_msg("racer %d: %d errors other than ENOSPC (last %d)",
					 i, sh->other_errors[i], sh->last_error[i]);
		}
		print_message("round %u: %d vGPUs, %d of 64 slices\n", round,
			      vgpus, slices);
		assert_true(slices <= 64);
		assert_int_equal(count_vgpus(), vgpus);
		assert_int_equal(mt_available(0, 64), 64 - slices);
		assert_int_equal(mt_available(0, 1), slices == 0);

		run_all(sh, 1, 0);
		for (i = 0; i < RACERS; i++)
			assert_int_equal(sh->other_errors[i], 0);
		assert_int_equal(count_vgpus(), 0);
		assert_int_equal(mt_available(0, 64), 64);
	}
	munmap(sh, sizeof(*sh));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_racing_creates_never_overshoot),
	};

	return MT_RUN("race", tests, NULL, NULL);
}
