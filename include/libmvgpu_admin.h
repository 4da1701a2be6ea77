/* SPDX-License-Identifier: MIT */
/*
 * libmvgpu, the management half: list, place, configure and watch vGPUs
 * from any program (an exporter, an orchestrator, mvgpuctl), through the
 * sysfs files mvgpu.ko publishes (include/mvgpu_uapi.h names them all).
 *
 * A struct mvgpu_admin holds the sysfs root and a snapshot of every GPU,
 * type and vGPU, taken at mvgpu_admin_open() and again at each
 * mvgpu_admin_refresh().  Lookups read the snapshot; create, remove, the
 * knob setters and the statistics read sysfs at the time of the call.
 * Statistics of a vGPU come from sysfs by UUID: nobody has to open the
 * vGPU, so a vGPU held by QEMU or by another process can be watched.
 *
 * Extensible structs: every struct here starts with a uint32_t size that
 * the caller sets to sizeof(the struct) it was built with.  The library
 * fills at most that many bytes and sets size to the bytes it filled, so a
 * program built against an older, shorter struct keeps working when the
 * library grows one, and a newer program sees size say which fields an
 * older library knew.  A size below MVGPU_ADMIN_MIN_SIZE is -EINVAL.
 *
 * Errors: as in the device half, a negative errno and, for the calling
 * thread, mvgpu_last_error() in words.  Each function below says which
 * codes mean what.  One handle is not to be used by two threads at once.
 */
#ifndef LIBMVGPU_ADMIN_H
#define LIBMVGPU_ADMIN_H

#include "libmvgpu.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mvgpu_admin;

#define MVGPU_ADMIN_MIN_SIZE		8
#define MVGPU_ADMIN_MAX_ENGINES		8
#define MVGPU_UUID_LEN			37	/* 36 characters and the NUL */
#define MVGPU_PCI_ADDR_LEN		13	/* "0000:00:04.0" and the NUL */

/* ------------------------------------------------------------------ */
/* The handle and its snapshot                                         */
/* ------------------------------------------------------------------ */

/*
 * Open the management view of sysfs under sysfs_root: NULL means the
 * environment's MVGPU_SYSFS_ROOT if set, else "/sys".  A test can point
 * it at a copied or made-up tree (see docs/api.md, "A fake sysfs tree";
 * `mvgpuctl snapshot DIR` writes one).  /proc, for the owners' VM names,
 * is read beside it: ROOT/../proc.
 * Returns 0; -ENODEV when the mvgpu module is not loaded (no
 * ROOT/class/mvgpu); -ENOMEM; another negative errno when sysfs cannot
 * be read.
 */
MVGPU_API int mvgpu_admin_open(const char *sysfs_root,
			       struct mvgpu_admin **out);
/* Close *a and set it to NULL; NULL or *a == NULL does nothing */
MVGPU_API void mvgpu_admin_close(struct mvgpu_admin **a);
/* The sysfs root the handle reads, without a trailing slash */
MVGPU_API const char *mvgpu_admin_root(const struct mvgpu_admin *a);
/*
 * Read every GPU, type and vGPU again.  A vGPU that vanishes while being
 * read is left out.  -ENODEV when the module went away; the old snapshot
 * stays on failure.
 */
MVGPU_API int mvgpu_admin_refresh(struct mvgpu_admin *a);

/* ------------------------------------------------------------------ */
/* GPUs, types, vGPUs                                                  */
/* ------------------------------------------------------------------ */

struct mvgpu_gpu_info {
	uint32_t size;
	uint32_t engines;
	char name[32];			/* "mvgpu0" */
	char backend[32];		/* "software" */
	uint64_t vram_size;		/* bytes */
	uint64_t vram_free;		/* not given to any vGPU */
	uint64_t vram_releasing;	/* held by vGPUs being removed */
	char scheduler[32];		/* the selected policy */
	char policies[128];		/* the attribute as read */
	uint32_t timeslice_us;
	uint32_t nengines_read;		/* entries in the two arrays */
	uint64_t engine_busy_ns[MVGPU_ADMIN_MAX_ENGINES];
	uint32_t engine_util_pct[MVGPU_ADMIN_MAX_ENGINES];
	uint32_t ntypes;		/* its types, by divisor */
	uint32_t nvgpus;		/* listed vGPUs on it */
	uint64_t vram_vgpus;		/* their VRAM */
	uint64_t usage_records;		/* metering records not yet acked */
	uint64_t usage_dropped;		/* records lost, never acked */
	/*
	 * its mdev parent device: the GPU's own name for a software GPU, the
	 * PCI address ("0000:00:04.0") for one a PCI backend drives; its
	 * types are under ROOT/class/mdev_bus/PARENT/mdev_supported_types
	 */
	char parent[64];
	uint64_t vram_used;		/* the sum of its vGPUs' vram_used */
};

struct mvgpu_type_info {
	uint32_t size;
	uint32_t divisor;		/* 1/divisor of the GPU */
	char name[32];			/* "mvgpu-4" */
	char gpu[32];			/* its GPU */
	char pretty[64];		/* the mdev name attribute */
	char description[128];		/* for humans */
	char device_api[32];
	uint64_t vram_size;		/* bytes, from the type's attribute */
	uint32_t share_permille;	/* engine share */
	uint32_t slices;		/* VRAM slices it takes */
	uint32_t max_instances;		/* on an empty GPU */
	uint32_t available;		/* available_instances now */
};

struct mvgpu_vgpu_info {
	uint32_t size;
	int32_t owner_pid;		/* 0 when closed */
	char uuid[40];
	char type[32];			/* "mvgpu-4" */
	char gpu[32];			/* "mvgpu0" */
	char state[16];			/* closed, open or faulted */
	char owner_comm[32];
	char owner_vm[64];		/* QEMU's -name, else "" */
	uint32_t weight;
	uint32_t cap_pct;		/* 0 = no cap */
	char priority[16];		/* normal or high */
	uint64_t vram_size;
	char parent[64];		/* its GPU's mdev parent, as above */
};

/* Counts in the snapshot */
MVGPU_API int mvgpu_admin_gpu_count(struct mvgpu_admin *a);
MVGPU_API int mvgpu_admin_vgpu_count(struct mvgpu_admin *a);

/*
 * The i-th GPU (natural order: mvgpu2 before mvgpu10), the i-th type of
 * GPU gpu (by divisor), the i-th vGPU (by GPU, then UUID).  0, or -ERANGE
 * when there is no such index, -EINVAL for a bad size.
 */
MVGPU_API int mvgpu_admin_gpu(struct mvgpu_admin *a, unsigned int i,
			      struct mvgpu_gpu_info *out);
MVGPU_API int mvgpu_admin_type(struct mvgpu_admin *a, unsigned int gpu,
			       unsigned int i, struct mvgpu_type_info *out);
MVGPU_API int mvgpu_admin_vgpu(struct mvgpu_admin *a, unsigned int i,
			       struct mvgpu_vgpu_info *out);

/*
 * Lookups; each returns the index (>= 0) and fills out (may be NULL).
 * find_gpu takes "mvgpu0", "0" or the GPU's parent device (a PCI address
 * such as "0000:00:04.0" or "00:04.0"): -ENOENT when there is no such GPU.
 * find_type takes "mvgpu-4", "4" or "1/4": -EINVAL when malformed, -ENOENT
 * when that GPU does not offer it.
 * find_vgpu takes a UUID in any case: -EINVAL when malformed, -ENODEV when
 * it is a mediated device of another driver, -ENOENT when there is none.
 */
MVGPU_API int mvgpu_admin_find_gpu(struct mvgpu_admin *a, const char *name,
				   struct mvgpu_gpu_info *out);
MVGPU_API int mvgpu_admin_find_type(struct mvgpu_admin *a, unsigned int gpu,
				    const char *type,
				    struct mvgpu_type_info *out);
MVGPU_API int mvgpu_admin_find_vgpu(struct mvgpu_admin *a, const char *uuid,
				    struct mvgpu_vgpu_info *out);

/* ------------------------------------------------------------------ */
/* Create and remove                                                   */
/* ------------------------------------------------------------------ */

struct mvgpu_create {
	uint32_t size;
	uint32_t flags;			/* 0 */
	const char *type;		/* "mvgpu-4", "4" or "1/4" */
	const char *gpu;		/* NULL: pick (see below) */
	const char *uuid;		/* NULL: a random one */
	/* out: what was created, or on -ENOSPC the GPU that was full */
	char out_uuid[40];
	char out_gpu[32];
	char out_type[32];
	uint64_t out_vram_size;		/* the type's VRAM */
	uint64_t out_gpu_vram_free;	/* that GPU's free VRAM */
};

/*
 * Create a vGPU.  Without a GPU it goes to the GPU with the most free
 * VRAM that has room for the type (the exact check: the type's
 * available_instances, which counts free VRAM slices).  Refreshes the
 * snapshot.  Returns 0; -EINVAL for a malformed type or UUID; -ENOENT
 * when the named GPU does not exist; -EOPNOTSUPP when no GPU (or not the
 * named one) offers the type; -ENOSPC when none has room (out_gpu then
 * names the named GPU, or the emptiest; "" when there is no GPU at all);
 * -EEXIST when the UUID is taken; -EACCES/-EPERM without permission.
 * The snapshot is refreshed first, and again after a success.
 */
MVGPU_API int mvgpu_admin_create(struct mvgpu_admin *a,
				 struct mvgpu_create *req);

#define MVGPU_REMOVE_NO_WAIT	(1u << 0)

/*
 * Remove a vGPU.  When a client has it open the kernel asks the client to
 * let go and this call waits until it has; with MVGPU_REMOVE_NO_WAIT it
 * returns -EBUSY instead.  -EINVAL (malformed UUID), -ENOENT (no such
 * vGPU), -EACCES/-EPERM.  Refreshes the snapshot.
 */
MVGPU_API int mvgpu_admin_remove(struct mvgpu_admin *a, const char *uuid,
				 uint32_t flags);

/* ------------------------------------------------------------------ */
/* PCI GPUs: binding a device to an mvgpu backend driver               */
/* ------------------------------------------------------------------ */

#define MVGPU_PCI_DRIVER_DEFAULT	"mvgpu"
#define MVGPU_UNBIND_FORCE		(1u << 0)

/*
 * Give PCI device addr ("0000:00:04.0", or "00:04.0" for domain 0) to
 * the mvgpu backend driver named driver (NULL: MVGPU_PCI_DRIVER_DEFAULT),
 * the way vfio-pci is given a device: its driver_override is set to the
 * driver, then the driver is asked to bind it.  A device bound to no
 * driver only: one another driver holds is refused with -EBUSY and left
 * alone.  Then the GPU appears (refresh: done here).
 * Returns 0, also when it was bound to that driver already; -EINVAL for
 * a malformed address; -ENOENT when there is no such device; -EBUSY when
 * another driver holds it; -ENODEV when the driver is not loaded or
 * refused the device (driver_override is cleared again then);
 * -EACCES/-EPERM without permission.
 */
MVGPU_API int mvgpu_admin_pci_bind(struct mvgpu_admin *a, const char *addr,
				   const char *driver);

/*
 * Take PCI device addr from its mvgpu backend driver and clear its
 * driver_override, so no driver has it.  While vGPUs exist on its GPU
 * this is refused with -EBUSY, unless flags has MVGPU_UNBIND_FORCE: then
 * the kernel removes them, asking each user to let go and waiting until
 * it has (it never takes VRAM from a user), so the call can wait as long
 * as a client holds on.  -EINVAL (malformed address), -ENOENT (no such
 * device), -ENXIO (no mvgpu driver has it), -EACCES/-EPERM.
 */
MVGPU_API int mvgpu_admin_pci_unbind(struct mvgpu_admin *a, const char *addr,
				     uint32_t flags);

/* ------------------------------------------------------------------ */
/* Scheduling knobs                                                    */
/* ------------------------------------------------------------------ */

#define MVGPU_KNOB_WEIGHT	(1u << 0)
#define MVGPU_KNOB_PRIORITY	(1u << 1)
#define MVGPU_KNOB_CAP		(1u << 2)

struct mvgpu_knobs {
	uint32_t size;
	uint32_t mask;			/* MVGPU_KNOB_*: which to set */
	uint32_t weight;		/* MVGPU_WEIGHT_MIN..MVGPU_WEIGHT_MAX */
	uint32_t cap_pct;		/* 0..100, 0 = no cap */
	char priority[16];		/* "normal" or "high" */
};

#define MVGPU_POLICY_SCHEDULER	(1u << 0)
#define MVGPU_POLICY_TIMESLICE	(1u << 1)

struct mvgpu_policy {
	uint32_t size;
	uint32_t mask;			/* MVGPU_POLICY_*: which to set */
	char scheduler[32];		/* best_effort, equal_share, ... */
	uint32_t timeslice_us;		/* MVGPU_TIMESLICE_MIN_US..MAX_US */
};

/*
 * Set a vGPU's knobs, or a GPU's scheduler and time slice, all or
 * nothing: every value is checked first (-ERANGE for a number out of
 * range, -EINVAL for an unknown name or an empty mask), every attribute
 * is opened before the first write (so a permission problem changes
 * nothing), and if the kernel still refuses one write the ones already
 * written get their old values back.  -ENOENT for no such vGPU or GPU;
 * else the errno of the refused write (mvgpu_last_error() names the
 * file).  Refreshes the snapshot when it succeeds.
 */
MVGPU_API int mvgpu_admin_set_knobs(struct mvgpu_admin *a, const char *uuid,
				    const struct mvgpu_knobs *k);
MVGPU_API int mvgpu_admin_set_policy(struct mvgpu_admin *a, const char *gpu,
				     const struct mvgpu_policy *p);

/* ------------------------------------------------------------------ */
/* Statistics, meters and rates                                        */
/* ------------------------------------------------------------------ */

struct mvgpu_vgpu_stats {
	uint32_t size;
	uint32_t flags;			/* 0 */
	uint64_t timestamp_ns;		/* CLOCK_MONOTONIC of the read */
	struct mvgpu_stats stats;	/* as mvgpu_get_stats() */
	/* the meter: totals that only grow (docs/operator.md, Metering) */
	uint64_t engine_ns;
	uint64_t dma_ns;
	uint64_t dma_bytes;
	uint64_t commands;
	uint64_t faults;
	uint64_t vram_byte_s;		/* VRAM bytes x seconds held */
	/* appended after 1.0: a caller built against 1.0 gets the fields before */
	/*
	 * faults by MVGPU_FAULT_* code as the kernel counted them, [0]
	 * unused; mvgpu_fault_kind_name() names each
	 */
	uint64_t faults_by_kind[MVGPU_NUM_FAULT_CODES];
	/* bytes written or mapped since the last scrub (docs/operator.md) */
	uint64_t vram_used;
};

/*
 * Statistics and meter of any vGPU, by UUID, from sysfs: no need to open
 * it.  -EINVAL (malformed UUID), -ENOENT (no such vGPU, or removed
 * meanwhile), another errno when a file cannot be read.
 */
MVGPU_API int mvgpu_admin_stats(struct mvgpu_admin *a, const char *uuid,
				struct mvgpu_vgpu_stats *out);

struct mvgpu_rates {
	uint32_t size;
	uint32_t flags;			/* 0 */
	uint64_t interval_ns;
	uint64_t busy_ns;		/* deltas over the interval */
	uint64_t wait_ns;
	uint64_t commands;
	uint64_t bytes;
	uint64_t faults;
	double busy_pct;		/* of all engines (engines > 0) */
	double wait_pct;		/* of the interval */
	double commands_per_s;
	double bytes_per_s;
	double dma_bytes_per_s;
};

/*
 * Rates of a vGPU between two samples of mvgpu_admin_stats(), before and
 * after; engines is its GPU's engine count (for busy_pct).  A counter that
 * went back (a vGPU with the same UUID made again) counts from zero.
 * -EINVAL when after is not later than before.
 */
MVGPU_API int mvgpu_admin_rates(const struct mvgpu_vgpu_stats *before,
				const struct mvgpu_vgpu_stats *after,
				uint32_t engines, struct mvgpu_rates *out);

/*
 * Per-engine utilisation of a GPU between two snapshots' engine_busy_ns,
 * in percent (capped at 100); returns the number of engines filled in.
 */
MVGPU_API int mvgpu_admin_gpu_util(const struct mvgpu_gpu_info *before,
				   const struct mvgpu_gpu_info *after,
				   uint64_t interval_ns,
				   double util_pct[MVGPU_ADMIN_MAX_ENGINES]);

/* ------------------------------------------------------------------ */
/* Usage records of removed vGPUs                                      */
/* ------------------------------------------------------------------ */

struct mvgpu_usage_record {
	uint32_t size;
	uint32_t flags;			/* 0 */
	uint64_t seq;			/* per GPU, from 1 */
	char gpu[32];
	char uuid[40];
	char type[32];
	uint64_t engine_ns;
	uint64_t dma_ns;
	uint64_t dma_bytes;
	uint64_t commands;
	uint64_t faults;
	uint64_t vram_byte_s;
	/* appended after 1.0, as in struct mvgpu_vgpu_stats */
	uint64_t faults_by_kind[MVGPU_NUM_FAULT_CODES];
};

/*
 * The final meters of removed vGPUs on GPU gpu (a name as find_gpu takes),
 * oldest first, that no consumer has acknowledged: up to max records into
 * recs (each recs[i].size set by the caller; sizeof recs[0] is taken from
 * recs[0].size).  Returns how many were filled (the kernel shows a page at
 * a time: acknowledge and call again until 0), or -ENOENT / -errno.
 * *dropped (may be NULL) gets how many records were lost, ever.
 */
MVGPU_API int mvgpu_admin_usage(struct mvgpu_admin *a, const char *gpu,
				struct mvgpu_usage_record *recs,
				unsigned int max, uint64_t *dropped);
/* Drop GPU gpu's records up to and including seq: 0 or -errno */
MVGPU_API int mvgpu_admin_usage_ack(struct mvgpu_admin *a, const char *gpu,
				    uint64_t seq);

/* ------------------------------------------------------------------ */
/* Meter totals of a GPU, monotonic across removals                    */
/* ------------------------------------------------------------------ */

struct mvgpu_meter_totals {
	uint32_t size;
	uint32_t flags;			/* 0 */
	/* every vGPU the GPU has had: listed ones plus removed ones */
	uint64_t engine_ns;
	uint64_t dma_ns;
	uint64_t dma_bytes;
	uint64_t commands;
	uint64_t faults;
	uint64_t vram_byte_s;
	/* the removed ones alone, from their usage records */
	uint64_t removed_vgpus;
	uint64_t removed_engine_ns;
	uint64_t removed_dma_ns;
	uint64_t removed_dma_bytes;
	uint64_t removed_commands;
	uint64_t removed_faults;
	uint64_t removed_vram_byte_s;
	/* appended after 1.0: faults by MVGPU_FAULT_* code, [0] unused */
	uint64_t faults_by_kind[MVGPU_NUM_FAULT_CODES];
	uint64_t removed_faults_by_kind[MVGPU_NUM_FAULT_CODES];
};

/*
 * The meter totals of GPU gpu (a name as find_gpu takes) as counters that
 * only grow for the life of the handle: the meters of the vGPUs in the
 * snapshot plus the usage records of removed vGPUs this handle has seen,
 * read WITHOUT acknowledging them.  A vGPU removed between the two reads
 * is counted once, from its record.  Records some other consumer
 * acknowledges before this handle sees them are missed; a total never
 * goes back even then (it holds until the live meters catch up).
 * live: NULL to read the vGPUs' meters now, or samples the caller just
 * took with mvgpu_admin_stats(), one per vGPU of the snapshot in the
 * order of mvgpu_admin_vgpu() (mvgpu_admin_vgpu_count() of them, each
 * live[i].size set; timestamp_ns 0 for one that could not be read), so a caller
 * that reads every vGPU anyway does not read them twice.
 * Call mvgpu_admin_refresh() first for a current list of vGPUs.
 * Returns 0; -ENOENT (no such GPU); -EINVAL (a bad size); -ENOMEM;
 * -errno of a read.
 */
MVGPU_API int mvgpu_admin_totals(struct mvgpu_admin *a, const char *gpu,
				 const struct mvgpu_vgpu_stats *live,
				 struct mvgpu_meter_totals *out);

/* ------------------------------------------------------------------ */
/* Containers: a CDI spec                                              */
/* ------------------------------------------------------------------ */

#define MVGPU_CDI_KIND		"mvgpu.org/vgpu"
#define MVGPU_CDI_VERSION	"0.5.0"

/*
 * A Container Device Interface spec (JSON, cdiVersion MVGPU_CDI_VERSION,
 * kind MVGPU_CDI_KIND) naming each vGPU of the snapshot by its UUID, each
 * with the device nodes /dev/vfio/vfio and /dev/vfio/GROUP (its IOMMU
 * group) and the environment MVGPU_UUID=UUID.  A container started with
 * --device mvgpu.org/vgpu=UUID gets that vGPU and nothing else.
 * Returns a malloc'ed NUL-terminated string in *json (the caller frees
 * it); -ENOMEM; -errno when a vGPU's IOMMU group cannot be read.
 */
MVGPU_API int mvgpu_admin_cdi_spec(struct mvgpu_admin *a, char **json);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/*
 * The kind of fault code c ("unmapped", "out_of_range", ... as
 * MVGPU_FAULT_KIND_NAMES), or NULL for 0 and codes it does not know
 */
MVGPU_API const char *mvgpu_fault_kind_name(unsigned int c);
/* A UUID in any case to lower case into out: 0 or -EINVAL */
MVGPU_API int mvgpu_uuid_parse(const char *s, char out[MVGPU_UUID_LEN]);
/*
 * A PCI address, "DDDD:BB:DD.F" or "BB:DD.F" (hex in any case, function
 * 0..7), in its full lower-case form into out: 0 or -EINVAL
 */
MVGPU_API int mvgpu_pci_addr_parse(const char *s, char out[MVGPU_PCI_ADDR_LEN]);
/* A random (version 4) UUID: 0 or -errno */
MVGPU_API int mvgpu_uuid_random(char out[MVGPU_UUID_LEN]);
/* A type as "mvgpu-4", "4" or "1/4" to its divisor: 0 or -EINVAL */
MVGPU_API int mvgpu_type_parse(const char *s, unsigned int *divisor);

#ifdef __cplusplus
}
#endif

#endif /* LIBMVGPU_ADMIN_H */
