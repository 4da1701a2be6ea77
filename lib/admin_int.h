/* SPDX-License-Identifier: MIT */
/*
 * The management half's handle: a sysfs root and the snapshot of GPUs,
 * types and vGPUs read from it (admin.c), used by admin_ops.c (create,
 * remove, knobs) and admin_stats.c (statistics, rates, usage records).
 */
#ifndef LIBMVGPU_ADMIN_INT_H
#define LIBMVGPU_ADMIN_INT_H

#include "libmvgpu_int.h"

#define MVGPU_ADMIN_MAX_TYPES	8

struct mvgpu_admin_gpu {
	struct mvgpu_gpu_info info;
	struct mvgpu_type_info types[MVGPU_ADMIN_MAX_TYPES];	/* by divisor */
};

/* admin_totals.c: what one GPU's totals were made of, by GPU name */
struct mvgpu_admin_totals_state {
	char gpu[32];
	uint64_t last_seq;			/* newest usage record counted */
	struct mvgpu_meter_totals removed;	/* records counted so far */
	struct mvgpu_meter_totals reported;	/* never goes back */
};

struct mvgpu_admin {
	char root[PATH_MAX];		/* no trailing slash; "" for "/" */
	char proc[PATH_MAX];		/* ROOT/../proc */
	unsigned int ngpus;
	struct mvgpu_admin_gpu *gpus;
	unsigned int nvgpus;
	struct mvgpu_vgpu_info *vgpus;
	unsigned int ntotals;
	struct mvgpu_admin_totals_state *totals;
};

/* admin_ops.c: the unit tests' refusing kernel (NULL in real use) */
extern int (*mvgpu__knob_write_hook)(const char *path, const char *value);

/* ROOT/rel into buf of PATH_MAX; returns buf */
char *mvgpu__apath(const struct mvgpu_admin *a, char *buf, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

/* The vGPU's directory: ROOT/bus/mdev/devices/UUID */
char *mvgpu__vgpu_dir(const struct mvgpu_admin *a, char *buf,
		      const char *uuid);

/* Lookups in the snapshot; NULL when absent */
struct mvgpu_admin_gpu *mvgpu__find_gpu(struct mvgpu_admin *a,
					const char *name);
struct mvgpu_vgpu_info *mvgpu__find_vgpu(struct mvgpu_admin *a,
					 const char *uuid);
struct mvgpu_type_info *mvgpu__find_type(struct mvgpu_admin_gpu *g,
					 unsigned int divisor);

/*
 * Resolve arguments as the public find_* do, with the message set:
 * 0, -EINVAL, -ENOENT (or -ENODEV for another driver's mdev).
 */
int mvgpu__lookup_gpu(struct mvgpu_admin *a, const char *arg,
		      struct mvgpu_admin_gpu **out, const char *func);
int mvgpu__lookup_vgpu(struct mvgpu_admin *a, const char *arg,
		       struct mvgpu_vgpu_info **out, const char *func);

#endif /* LIBMVGPU_ADMIN_INT_H */
