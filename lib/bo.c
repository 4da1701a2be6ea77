// SPDX-License-Identifier: MIT
/*
 * VRAM buffers: a range from the VRAM allocator, its GPU VA (the VRAM
 * offset, as the page table maps VA == offset) and a CPU pointer through
 * the VRAM BAR mapping.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "libmvgpu_int.h"

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/*
 * A cheap check for the calls on a buffer (a freed buffer must not be
 * used, but its cleared magic usually catches it); mvgpu_bo_free() looks
 * the buffer up in the handle's list instead.
 */
static int bo_ok(struct mvgpu *g, const struct mvgpu_bo *bo, const char *fn)
{
	if (!bo || bo->magic != MVGPU_BO_MAGIC)
		return mvgpu__err(-EINVAL,
				  "%s: the buffer is NULL or not a live buffer (freed already?)",
				  fn);
	if (bo->g != g)
		return mvgpu__err(-EINVAL,
				  "%s: the buffer belongs to another vGPU handle", fn);
	return 0;
}

int mvgpu_bo_alloc(struct mvgpu *g, uint64_t size, uint64_t align,
		   struct mvgpu_bo **out)
{
	static const char fn[] = "mvgpu_bo_alloc";
	struct mvgpu_bo *bo;
	uint64_t va, taken;
	int ret;

	if (!g)
		return mvgpu__bad_handle(fn);
	if (!out)
		return mvgpu__err(-EINVAL, "%s: bo is NULL", fn);
	if (!size)
		return mvgpu__err(-EINVAL, "%s: size is 0: ask for at least 1 byte",
				  fn);
	if (!align)
		align = MVGPU_GPU_PAGE_SIZE;
	if (!is_pow2(align))
		return mvgpu__err(-EINVAL,
				  "%s: alignment 0x%" PRIx64 " is not a power of two (0 means 4096)",
				  fn, align);
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return mvgpu__err(-ENOMEM, "%s: out of host memory", fn);

	pthread_mutex_lock(&g->lock);
	ret = mvgpu__ra_alloc(&g->vram_ra, size, align, &va, &taken);
	if (ret) {
		ret = mvgpu__err(ret,
				 "%s: no free VRAM range of 0x%" PRIx64 " bytes aligned to 0x%" PRIx64 ": 0x%" PRIx64 " bytes free, the largest free range 0x%" PRIx64 " bytes; free buffers or use a vGPU type with more VRAM",
				 fn, size, align, g->vram_ra.free_bytes,
				 mvgpu__ra_largest(&g->vram_ra));
		pthread_mutex_unlock(&g->lock);
		free(bo);
		return ret;
	}
	bo->magic = MVGPU_BO_MAGIC;
	bo->g = g;
	bo->va = va;
	bo->size = size;
	bo->taken = taken;
	bo->cpu = g->vram + va;
	mvgpu_list_add(&g->bos, &bo->node);
	pthread_mutex_unlock(&g->lock);
	*out = bo;
	return 0;
}

static void bo_destroy(struct mvgpu *g, struct mvgpu_bo *bo)
{
	mvgpu__ra_free(&g->vram_ra, bo->va, bo->taken);
	mvgpu_list_del(&bo->node);
	bo->magic = 0;
	free(bo);
}

/*
 * Is bo one of g's live buffers?  Compares pointers only, so a buffer
 * freed already (or of another handle) is recognised without touching it.
 * Lock held.
 */
static bool bo_live(struct mvgpu *g, const struct mvgpu_bo *bo)
{
	const struct mvgpu_list *n;

	for (n = g->bos.next; n != &g->bos; n = n->next)
		if (mvgpu_container_of(n, struct mvgpu_bo, node) == bo)
			return true;
	return false;
}

int mvgpu_bo_free(struct mvgpu *g, struct mvgpu_bo *bo)
{
	int ret = 0;

	if (!g)
		return mvgpu__bad_handle("mvgpu_bo_free");
	pthread_mutex_lock(&g->lock);
	if (!bo)
		ret = mvgpu__err(-EINVAL, "mvgpu_bo_free: the buffer is NULL");
	else if (!bo_live(g, bo))
		ret = mvgpu__err(-EINVAL,
				 "mvgpu_bo_free: not a live buffer of this vGPU handle: freed already, or allocated on another handle");
	else
		bo_destroy(g, bo);
	pthread_mutex_unlock(&g->lock);
	return ret;
}

void mvgpu__bos_free_all(struct mvgpu *g)
{
	while (!mvgpu_list_empty(&g->bos))
		bo_destroy(g, mvgpu_container_of(g->bos.next, struct mvgpu_bo,
						 node));
}

uint64_t mvgpu_bo_va(const struct mvgpu_bo *bo)
{
	return bo && bo->magic == MVGPU_BO_MAGIC ? bo->va : 0;
}

uint64_t mvgpu_bo_size(const struct mvgpu_bo *bo)
{
	return bo && bo->magic == MVGPU_BO_MAGIC ? bo->size : 0;
}

void *mvgpu_bo_map(struct mvgpu_bo *bo)
{
	return bo && bo->magic == MVGPU_BO_MAGIC ? bo->cpu : NULL;
}

static int bo_range(struct mvgpu *g, struct mvgpu_bo *bo, uint64_t off,
		    const void *ptr, size_t len, const char *fn)
{
	int ret = bo_ok(g, bo, fn);

	if (ret)
		return ret;
	if (off > bo->size || len > bo->size - off)
		return mvgpu__err(-EINVAL,
				  "%s: [0x%" PRIx64 ", +0x%zx) leaves the 0x%" PRIx64 "-byte buffer",
				  fn, off, len, bo->size);
	if (!ptr && len)
		return mvgpu__err(-EINVAL, "%s: the host pointer is NULL", fn);
	return 0;
}

int mvgpu_bo_write(struct mvgpu *g, struct mvgpu_bo *bo, uint64_t off,
		   const void *src, size_t len)
{
	int ret;

	if (!g)
		return mvgpu__bad_handle("mvgpu_bo_write");
	pthread_mutex_lock(&g->lock);
	ret = bo_range(g, bo, off, src, len, "mvgpu_bo_write");
	if (!ret && len)
		memcpy(bo->cpu + off, src, len);
	pthread_mutex_unlock(&g->lock);
	return ret;
}

int mvgpu_bo_read(struct mvgpu *g, struct mvgpu_bo *bo, uint64_t off,
		  void *dst, size_t len)
{
	int ret;

	if (!g)
		return mvgpu__bad_handle("mvgpu_bo_read");
	pthread_mutex_lock(&g->lock);
	ret = bo_range(g, bo, off, dst, len, "mvgpu_bo_read");
	if (!ret && len)
		memcpy(dst, bo->cpu + off, len);
	pthread_mutex_unlock(&g->lock);
	return ret;
}
