// SPDX-License-Identifier: MIT
/* The range allocator behind VRAM buffers and IOVAs; see alloc.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Round v up to a multiple of a (a power of two); false on overflow */
static bool align_up(uint64_t v, uint64_t a, uint64_t *out)
{
	uint64_t r = (v + a - 1) & ~(a - 1);

	if (r < v)
		return false;
	*out = r;
	return true;
}

static struct mvgpu_free_range *take_spare(struct mvgpu_range_alloc *ra)
{
	struct mvgpu_free_range *n = ra->spare;

	ra->spare = n->next;
	ra->nr_spare--;
	n->next = NULL;
	return n;
}

static void put_spare(struct mvgpu_range_alloc *ra, struct mvgpu_free_range *n)
{
	n->next = ra->spare;
	ra->spare = n;
	ra->nr_spare++;
}

/* Nodes needed so that any later free can be done without allocating */
static uint64_t nodes_needed(const struct mvgpu_range_alloc *ra)
{
	return ra->pieces + 1;
}

int mvgpu__ra_init(struct mvgpu_range_alloc *ra, uint64_t base, uint64_t size,
		   uint64_t granule)
{
	struct mvgpu_free_range *n;

	memset(ra, 0, sizeof(*ra));
	if (!is_pow2(granule) || !size || (base | size) & (granule - 1) ||
	    base + size < base)
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->start = base;
	n->size = size;
	ra->base = base;
	ra->size = size;
	ra->granule = granule;
	ra->free_bytes = size;
	ra->free = n;
	ra->nr_free = 1;
	return 0;
}

static void free_nodes(struct mvgpu_free_range *n)
{
	while (n) {
		struct mvgpu_free_range *next = n->next;

		free(n);
		n = next;
	}
}

void mvgpu__ra_fini(struct mvgpu_range_alloc *ra)
{
	free_nodes(ra->free);
	free_nodes(ra->spare);
	memset(ra, 0, sizeof(*ra));
}

int mvgpu__ra_alloc(struct mvgpu_range_alloc *ra, uint64_t size,
		    uint64_t align, uint64_t *start, uint64_t *taken)
{
	struct mvgpu_free_range *n, **link;
	uint64_t front, back, at = 0;
	bool found = false;

	if (!size || !is_pow2(align ? align : 1))
		return -EINVAL;
	if (align < ra->granule)
		align = ra->granule;
	if (!align_up(size, ra->granule, &size) || size > ra->free_bytes)
		return -ENOMEM;

	for (link = &ra->free; (n = *link); link = &n->next) {
		uint64_t end = n->start + n->size;

		if (!align_up(n->start, align, &at) || at >= end)
			continue;
		if (size <= end - at) {
			found = true;
			break;
		}
	}
	if (!found)
		return -ENOMEM;

	/* one more piece out: keep a node for its free, before changing */
	if (ra->nr_free + ra->nr_spare < nodes_needed(ra) + 1) {
		struct mvgpu_free_range *s = calloc(1, sizeof(*s));

		if (!s)
			return -ENOMEM;
		put_spare(ra, s);
	}

	front = at - n->start;
	back = n->start + n->size - (at + size);
	if (front && back) {
		struct mvgpu_free_range *s = take_spare(ra);

		s->start = at + size;
		s->size = back;
		s->next = n->next;
		n->size = front;
		n->next = s;
		ra->nr_free++;
	} else if (front) {
		n->size = front;
	} else if (back) {
		n->start = at + size;
		n->size = back;
	} else {
		*link = n->next;
		ra->nr_free--;
		put_spare(ra, n);
	}
	ra->free_bytes -= size;
	ra->pieces++;
	*start = at;
	if (taken)
		*taken = size;
	return 0;
}

int mvgpu__ra_free(struct mvgpu_range_alloc *ra, uint64_t start,
		   uint64_t size)
{
	struct mvgpu_free_range *prev = NULL, *next, *n;
	uint64_t end;

	if (!size || !ra->pieces || start & (ra->granule - 1) ||
	    !align_up(size, ra->granule, &size))
		return -EINVAL;
	end = start + size;
	if (end < start || start < ra->base || end > ra->base + ra->size)
		return -EINVAL;

	for (next = ra->free; next && next->start < start; next = next->next)
		prev = next;
	/* a range that overlaps free space was not handed out */
	if (prev && prev->start + prev->size > start)
		return -EINVAL;
	if (next && end > next->start)
		return -EINVAL;

	if (prev && prev->start + prev->size == start) {
		prev->size += size;
		if (next && next->start == end) {
			prev->size += next->size;
			prev->next = next->next;
			ra->nr_free--;
			put_spare(ra, next);
		}
	} else if (next && next->start == end) {
		next->start = start;
		next->size += size;
	} else {
		/* reserved by the alloc that handed this range out */
		n = take_spare(ra);
		n->start = start;
		n->size = size;
		n->next = next;
		if (prev)
			prev->next = n;
		else
			ra->free = n;
		ra->nr_free++;
	}
	ra->free_bytes += size;
	ra->pieces--;

	/* give back what no later free can need */
	while (ra->spare && ra->nr_free + ra->nr_spare > nodes_needed(ra))
		free(take_spare(ra));
	return 0;
}

uint64_t mvgpu__ra_largest(const struct mvgpu_range_alloc *ra)
{
	const struct mvgpu_free_range *n;
	uint64_t max = 0;

	for (n = ra->free; n; n = n->next)
		if (n->size > max)
			max = n->size;
	return max;
}

int mvgpu__ra_check(const struct mvgpu_range_alloc *ra)
{
	const struct mvgpu_free_range *n;
	uint64_t total = 0, count = 0, spares = 0, last_end = 0;
	bool first = true;

	for (n = ra->free; n; n = n->next) {
		if (!n->size || (n->start | n->size) & (ra->granule - 1))
			return -EFAULT;
		if (n->start < ra->base ||
		    n->start + n->size > ra->base + ra->size)
			return -EFAULT;
		if (!first && n->start <= last_end)	/* unsorted or touching */
			return -EFAULT;
		last_end = n->start + n->size;
		first = false;
		total += n->size;
		count++;
	}
	for (n = ra->spare; n; n = n->next)
		spares++;
	if (total != ra->free_bytes || count != ra->nr_free ||
	    spares != ra->nr_spare)
		return -EFAULT;
	if (ra->nr_free + ra->nr_spare < nodes_needed(ra))
		return -EFAULT;
	return 0;
}
