/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mvgpu-exporter: one scrape, libmvgpu's management half formatted as
 * Prometheus text exposition format (version 0.0.4).
 */
#ifndef MVGPU_EXPORTER_METRICS_H
#define MVGPU_EXPORTER_METRICS_H

#include <stddef.h>

#include "libmvgpu_admin.h"

struct mvx_buf {
	char *s;
	size_t len, cap;
	int err;		/* -ENOMEM once an append failed */
};

struct mvx_exporter {
	const char *sysfs_root;		/* NULL: the library's default */
	struct mvgpu_admin *admin;	/* kept open: the totals live in it */
	unsigned long long scrapes;
	unsigned long long scrape_errors;
};

/*
 * Refresh the snapshot and write every metric into out (emptied first).
 * Returns 0 (mvgpu_up 0 when the module is not loaded) or -ENOMEM.
 */
int mvx_scrape(struct mvx_exporter *x, struct mvx_buf *out);
void mvx_exporter_close(struct mvx_exporter *x);
void mvx_buf_free(struct mvx_buf *b);

#endif /* MVGPU_EXPORTER_METRICS_H */
