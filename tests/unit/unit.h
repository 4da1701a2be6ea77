/* SPDX-License-Identifier: MIT */
/*
 * Shared by the unit tests.  fail_why() is fail_msg() that prints its
 * message as a TAP diagnostic line ("# ...") on stdout: cmocka's own
 * fail_msg() writes to stderr without a newline, which can land in the
 * middle of the next TAP result line.
 */
#ifndef MVGPU_UNIT_H
#define MVGPU_UNIT_H

#include <stdio.h>

#define fail_why(...) do {						\
	printf("# ");							\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
	fail();								\
} while (0)

#endif /* MVGPU_UNIT_H */
