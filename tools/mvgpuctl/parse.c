// SPDX-License-Identifier: GPL-2.0-only
/*
 * Errors and argument parsing: strict numbers (UUIDs and type names are
 * libmvgpu's, mvgpu_uuid_parse() and mvgpu_type_parse()).
 * Parsers return 0 or a negative errno and never print; the caller says
 * which argument was wrong.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvgpuctl.h"

const char *mvctl_prog = "mvgpuctl";
void (*mvctl_message_hook)(void);

static void mvctl_vmsg(const char *fmt, va_list ap)
{
	if (mvctl_message_hook)
		mvctl_message_hook();	/* e.g. leave top's screen first */
	fprintf(stderr, "%s: ", mvctl_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int mvctl_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mvctl_vmsg(fmt, ap);
	va_end(ap);
	return code;
}

int mvctl_usage_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mvctl_vmsg(fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "Run '%s %s --help' for its usage.\n",
			mvctl_prog, cmd);
	else
		fprintf(stderr, "Run '%s --help' for the commands.\n",
			mvctl_prog);
	return MVCTL_EXIT_USAGE;
}

void mvctl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mvctl_vmsg(fmt, ap);
	va_end(ap);
}

char *mvctl_strlcpy(char *d, const char *s, size_t n)
{
	size_t len = strlen(s);

	if (!n)
		return d;
	if (len >= n)
		len = n - 1;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

int mvctl_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		unsigned int d;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		d = *p - '0';
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* "I[.F]" with at most 3 digits of F, scaled by 1000 */
int mvctl_parse_milli(const char *s, uint64_t *out)
{
	uint64_t whole = 0, frac = 0;
	unsigned int fdigits = 0;
	const char *p = s;
	bool digits = false;

	if (!s || !*s)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > UINT64_MAX / 10000)
			return -ERANGE;
		whole = whole * 10 + (*p - '0');
		digits = true;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			digits = true;
			if (fdigits == 3) {
				if (*p != '0')
					return -EDOM;	/* finer than 1/1000 */
				continue;
			}
			frac = frac * 10 + (*p - '0');
			fdigits++;
		}
	}
	if (*p || !digits)
		return -EINVAL;
	while (fdigits++ < 3)
		frac *= 10;
	*out = whole * 1000 + frac;
	return 0;
}
