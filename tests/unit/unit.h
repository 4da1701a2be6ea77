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

/*
 * check_eq(got, expected): integers; on failure prints the expression,
 * both values, errno and libmvgpu's last error of this thread.
 * check_str(got, expected): the same for strings.
 */
const char *mvgpu_last_error(void);

#define check_eq(got, expected) do {					\
	long long _g = (long long)(got), _e = (long long)(expected);	\
	if (_g != _e)							\
		fail_why("%s:%d: %s == %s: got %lld, expected %lld (errno %d; last error: %s)", \
			 __FILE__, __LINE__, #got, #expected, _g, _e,	\
			 errno, mvgpu_last_error());			\
} while (0)

#define check_str(got, expected) do {					\
	const char *_g = (got), *_e = (expected);			\
	if (strcmp(_g, _e))						\
		fail_why("%s:%d: %s == %s: got \"%s\", expected \"%s\" (errno %d; last error: %s)", \
			 __FILE__, __LINE__, #got, #expected, _g, _e,	\
			 errno, mvgpu_last_error());			\
} while (0)

#endif /* MVGPU_UNIT_H */
