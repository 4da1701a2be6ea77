// SPDX-License-Identifier: MIT
/*
 * Host memory the vGPU can DMA to and from: page-aligned anonymous memory
 * mapped into the container's IOMMU with VFIO_IOMMU_MAP_DMA, at an IOVA
 * from the library's IOVA allocator (from 4 GiB up, so an IOVA never looks
 * like a VRAM offset and 0 is never mapped).  Through the guest driver the
 * kernel allocates the memory and picks its bus address instead
 * (ops->hostmem_alloc, see guestdrv.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libmvgpu_int.h"

/*
 * Is hm live host memory of g?  Compares pointers only, so memory freed
 * already (or of another handle) is recognised without touching it.
 * Lock held.
 */
static int hm_live(struct mvgpu *g, const struct mvgpu_hostmem *hm,
		   const char *fn)
{
	const struct mvgpu_list *n;

	if (!hm)
		return mvgpu__err(-EINVAL, "%s: the host memory is NULL", fn);
	for (n = g->hostmems.next; n != &g->hostmems; n = n->next)
		if (mvgpu_container_of(n, struct mvgpu_hostmem, node) == hm)
			return 0;
	return mvgpu__err(-EINVAL,
			  "%s: not live host memory of this vGPU handle: freed already, or allocated on another handle",
			  fn);
}

int mvgpu_hostmem_alloc(struct mvgpu *g, size_t size,
			struct mvgpu_hostmem **out)
{
	static const char fn[] = "mvgpu_hostmem_alloc";
	size_t page = sysconf(_SC_PAGESIZE), mapped;
	struct mvgpu_hostmem *hm;
	uint64_t iova, taken;
	void *ptr;
	int ret;

	if (!g)
		return mvgpu__bad_handle(fn);
	if (!out)
		return mvgpu__err(-EINVAL, "%s: hm is NULL", fn);
	if (!size)
		return mvgpu__err(-EINVAL, "%s: size is 0: ask for at least 1 byte",
				  fn);
	if (size > SIZE_MAX - page)
		return mvgpu__err(-ENOMEM, "%s: %zu bytes is too large", fn, size);
	mapped = (size + page - 1) & ~(page - 1);

	hm = calloc(1, sizeof(*hm));
	if (!hm)
		return mvgpu__err(-ENOMEM, "%s: out of host memory", fn);
	if (g->ops->hostmem_alloc) {
		pthread_mutex_lock(&g->lock);
		ret = g->ops->hostmem_alloc(g, mapped, &ptr, &iova, &hm->cookie);
		if (ret) {
			pthread_mutex_unlock(&g->lock);
			free(hm);
			return ret;
		}
		taken = 0;
		goto add;
	}
	ptr = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ptr == MAP_FAILED) {
		ret = mvgpu__err(-ENOMEM, "%s: cannot map %zu bytes of host memory: %s",
				 fn, mapped, strerror(errno));
		goto err_free;
	}

	pthread_mutex_lock(&g->lock);
	ret = mvgpu__ra_alloc(&g->iova_ra, mapped, page, &iova, &taken);
	if (ret) {
		ret = mvgpu__err(ret, "%s: no IOVA space left for %zu bytes: free host memory first",
				 fn, mapped);
		goto err_unlock;
	}
	ret = g->ops->dma_map(g, ptr, iova, mapped);
	if (ret) {
		ret = mvgpu__err(ret == -ENOSPC ? -ENOMEM : ret,
				 "%s: VFIO_IOMMU_MAP_DMA of %zu bytes at IOVA 0x%llx failed: %s%s",
				 fn, mapped, (unsigned long long)iova,
				 strerror(-ret),
				 ret == -ENOSPC ? " (too many mappings: the vfio_iommu_type1 dma_entry_limit)" : "");
		mvgpu__ra_free(&g->iova_ra, iova, taken);
		goto err_unlock;
	}
add:
	hm->magic = MVGPU_HOSTMEM_MAGIC;
	hm->g = g;
	hm->ptr = ptr;
	hm->size = size;
	hm->mapped = mapped;
	hm->iova = iova;
	hm->taken = taken;
	mvgpu_list_add(&g->hostmems, &hm->node);
	pthread_mutex_unlock(&g->lock);
	*out = hm;
	return 0;

err_unlock:
	pthread_mutex_unlock(&g->lock);
	munmap(ptr, mapped);
err_free:
	free(hm);
	return ret;
}

static void hm_destroy(struct mvgpu *g, struct mvgpu_hostmem *hm)
{
	mvgpu_list_del(&hm->node);
	if (g->ops->hostmem_free) {
		g->ops->hostmem_free(g, hm->ptr, hm->mapped, hm->cookie);
	} else {
		mvgpu__ra_free(&g->iova_ra, hm->iova, hm->taken);
		munmap(hm->ptr, hm->mapped);
	}
	hm->magic = 0;
	free(hm);
}

int mvgpu_hostmem_free(struct mvgpu *g, struct mvgpu_hostmem *hm)
{
	static const char fn[] = "mvgpu_hostmem_free";
	int ret;

	if (!g)
		return mvgpu__bad_handle(fn);
	pthread_mutex_lock(&g->lock);
	ret = hm_live(g, hm, fn);
	if (!ret && !g->ops->hostmem_free) {
		ret = g->ops->dma_unmap(g, hm->iova, hm->mapped);
		if (ret)
			ret = mvgpu__err(ret, "%s: VFIO_IOMMU_UNMAP_DMA at IOVA 0x%llx failed: %s",
					 fn, (unsigned long long)hm->iova,
					 strerror(-ret));
	}
	if (!ret)
		hm_destroy(g, hm);
	pthread_mutex_unlock(&g->lock);
	return ret;
}

/* At close: the container goes away next, so unmapping is best effort */
void mvgpu__hostmems_free_all(struct mvgpu *g)
{
	while (!mvgpu_list_empty(&g->hostmems)) {
		struct mvgpu_hostmem *hm =
			mvgpu_container_of(g->hostmems.next,
					   struct mvgpu_hostmem, node);

		if (!g->ops->hostmem_free)
			g->ops->dma_unmap(g, hm->iova, hm->mapped);
		hm_destroy(g, hm);
	}
}

void *mvgpu_hostmem_ptr(const struct mvgpu_hostmem *hm)
{
	return hm && hm->magic == MVGPU_HOSTMEM_MAGIC ? hm->ptr : NULL;
}

uint64_t mvgpu_hostmem_iova(const struct mvgpu_hostmem *hm)
{
	return hm && hm->magic == MVGPU_HOSTMEM_MAGIC ? hm->iova : 0;
}

size_t mvgpu_hostmem_size(const struct mvgpu_hostmem *hm)
{
	return hm && hm->magic == MVGPU_HOSTMEM_MAGIC ? hm->size : 0;
}
