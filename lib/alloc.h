/* SPDX-License-Identifier: MIT */
/*
 * A range allocator: hands out aligned pieces of [base, base + size) and
 * takes them back.  libmvgpu uses one for the VRAM it does not keep for
 * itself and one for the IOVA space of host memory.
 *
 * The free ranges are a list sorted by address in which no two ranges
 * touch (a free merges with both neighbours).  Allocation is first fit.
 * Every size is rounded up to the granule and every piece is aligned to
 * at least the granule.
 *
 * Node memory: the list never needs more than (pieces handed out + 1)
 * nodes, so mvgpu__ra_alloc() reserves the node a later free may need.
 * mvgpu__ra_free() therefore never allocates and cannot fail for lack of
 * memory, so freeing a buffer always works.
 *
 * Not thread-safe: the caller serialises.
 */
#ifndef MVGPU_ALLOC_H
#define MVGPU_ALLOC_H

#include <stdint.h>

struct mvgpu_free_range {
	uint64_t start;
	uint64_t size;
	struct mvgpu_free_range *next;
};

struct mvgpu_range_alloc {
	uint64_t base;			/* the managed range */
	uint64_t size;
	uint64_t granule;		/* power of two */
	uint64_t free_bytes;
	uint64_t pieces;		/* handed out, not yet freed */
	struct mvgpu_free_range *free;	/* sorted by start, never touching */
	struct mvgpu_free_range *spare;	/* nodes kept for frees */
	uint64_t nr_free;		/* nodes in free */
	uint64_t nr_spare;		/* nodes in spare */
};

/*
 * Manage [base, base + size).  base and size must be multiples of granule
 * (a power of two) and the range must not wrap.  Returns 0, -EINVAL or
 * -ENOMEM.
 */
int mvgpu__ra_init(struct mvgpu_range_alloc *ra, uint64_t base, uint64_t size,
		   uint64_t granule);
void mvgpu__ra_fini(struct mvgpu_range_alloc *ra);

/*
 * Take size bytes (rounded up to the granule) aligned to align (a power of
 * two; below the granule means the granule).  *start gets the address,
 * *taken (may be NULL) the rounded size to give back to mvgpu__ra_free().
 * Returns 0, -EINVAL (size 0, bad alignment) or -ENOMEM (no free range
 * fits, or no memory for a list node); on error nothing changed.
 */
int mvgpu__ra_alloc(struct mvgpu_range_alloc *ra, uint64_t size,
		    uint64_t align, uint64_t *start, uint64_t *taken);

/*
 * Give back [start, start + size) (size rounded up to the granule).
 * Returns 0, or -EINVAL when the range is not inside the managed one,
 * not granule aligned, or overlaps a free range (a double free); on error
 * nothing changed.
 */
int mvgpu__ra_free(struct mvgpu_range_alloc *ra, uint64_t start,
		   uint64_t size);

/* The largest free range, in bytes */
uint64_t mvgpu__ra_largest(const struct mvgpu_range_alloc *ra);

/*
 * Check the invariants (sorted, not touching, inside the range, granule
 * aligned, free_bytes and node counts right).  Returns 0 or -EFAULT; for
 * the tests.
 */
int mvgpu__ra_check(const struct mvgpu_range_alloc *ra);

#endif /* MVGPU_ALLOC_H */
