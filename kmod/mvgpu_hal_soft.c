// SPDX-License-Identifier: GPL-2.0-only
/*
 * The software reference GPU behind struct mvgpu_hal_ops.  Its VRAM is
 * ordinary host pages, allocated when a vGPU reserves a partition and
 * freed (so scrubbed) when the partition is given back; its engines are
 * the scheduler's kernel threads running the command processor in
 * mvgpu_soft_cmd.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "mvgpu_soft.h"

static void mvgpu_soft_free_engines(struct mvgpu_soft_gpu *soft)
{
	unsigned int i;

	for (i = 0; i < MVGPU_MAX_ENGINES; i++) {
		kvfree(soft->engines[i].row_a);
		kvfree(soft->engines[i].row_b);
		kvfree(soft->engines[i].row_c);
	}
}

static int mvgpu_soft_init(struct mvgpu_gpu *gpu)
{
	struct mvgpu_soft_gpu *soft;
	unsigned int i;

	BUILD_BUG_ON(MVGPU_GPU_PAGE_SIZE != PAGE_SIZE);
	BUILD_BUG_ON(sizeof(struct mvgpu_cmd) != MVGPU_CMD_SIZE);

	soft = kzalloc(sizeof(*soft), GFP_KERNEL);
	if (!soft)
		return -ENOMEM;

	soft->nr_pages = gpu->vram_size >> PAGE_SHIFT;
	soft->pages = kvcalloc(soft->nr_pages, sizeof(*soft->pages),
			       GFP_KERNEL);
	if (!soft->pages)
		goto err_free;

	for (i = 0; i < MVGPU_MAX_ENGINES; i++) {
		struct mvgpu_soft_engine *eng = &soft->engines[i];

		eng->row_a = kvmalloc_array(MVGPU_GEMM_MAX_DIM, 4, GFP_KERNEL);
		eng->row_b = kvmalloc_array(MVGPU_GEMM_MAX_DIM, 4, GFP_KERNEL);
		eng->row_c = kvmalloc_array(MVGPU_GEMM_MAX_DIM, 4, GFP_KERNEL);
		if (!eng->row_a || !eng->row_b || !eng->row_c)
			goto err_engines;
	}
	gpu->hal_priv = soft;
	return 0;

err_engines:
	mvgpu_soft_free_engines(soft);
	kvfree(soft->pages);
err_free:
	kfree(soft);
	return -ENOMEM;
}

static void mvgpu_soft_fini(struct mvgpu_gpu *gpu)
{
	struct mvgpu_soft_gpu *soft = gpu->hal_priv;
	u64 i;

	if (!soft)
		return;
	for (i = 0; i < soft->nr_pages; i++)
		WARN_ON_ONCE(soft->pages[i]);	/* a partition was leaked */
	mvgpu_soft_free_engines(soft);
	kvfree(soft->pages);
	kfree(soft);
	gpu->hal_priv = NULL;
}

static void mvgpu_soft_vram_release(struct mvgpu_gpu *gpu, u64 off, u64 len)
{
	struct mvgpu_soft_gpu *soft = gpu->hal_priv;
	u64 first = off >> PAGE_SHIFT, last = (off + len) >> PAGE_SHIFT, i;

	for (i = first; i < last; i++) {
		if (soft->pages[i])
			__free_page(soft->pages[i]);
		soft->pages[i] = NULL;
		cond_resched();
	}
}

static int mvgpu_soft_vram_populate(struct mvgpu_gpu *gpu, u64 off, u64 len)
{
	struct mvgpu_soft_gpu *soft = gpu->hal_priv;
	u64 first = off >> PAGE_SHIFT, last = (off + len) >> PAGE_SHIFT, i;

	for (i = first; i < last; i++) {
		/* zeroed: a new partition never shows a former tenant's data */
		soft->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO |
					    __GFP_NOWARN);
		if (!soft->pages[i]) {
			mvgpu_soft_vram_release(gpu, off,
						(i - first) << PAGE_SHIFT);
			return -ENOMEM;
		}
		cond_resched();
	}
	return 0;
}

static void mvgpu_soft_vram_scrub(struct mvgpu_gpu *gpu, u64 off, u64 len)
{
	struct mvgpu_soft_gpu *soft = gpu->hal_priv;
	u64 first = off >> PAGE_SHIFT, last = (off + len) >> PAGE_SHIFT, i;

	for (i = first; i < last; i++) {
		clear_highpage(soft->pages[i]);
		cond_resched();
	}
}

static struct page *mvgpu_soft_vram_page(struct mvgpu_gpu *gpu, u64 off)
{
	struct mvgpu_soft_gpu *soft = gpu->hal_priv;

	return soft->pages[off >> PAGE_SHIFT];
}

static enum mvgpu_step_result mvgpu_soft_engine_step(struct mvgpu_gpu *gpu,
						     unsigned int engine,
						     struct mvgpu_ctx *ctx)
{
	struct mvgpu_soft_gpu *soft = gpu->hal_priv;

	return mvgpu_soft_cmd_step(&soft->engines[engine], ctx);
}

const struct mvgpu_hal_ops mvgpu_soft_hal_ops = {
	.name		= "software",
	.init		= mvgpu_soft_init,
	.fini		= mvgpu_soft_fini,
	.vram_populate	= mvgpu_soft_vram_populate,
	.vram_release	= mvgpu_soft_vram_release,
	.vram_scrub	= mvgpu_soft_vram_scrub,
	.vram_page	= mvgpu_soft_vram_page,
	.engine_step	= mvgpu_soft_engine_step,
};
