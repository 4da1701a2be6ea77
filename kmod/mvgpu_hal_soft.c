// SPDX-License-Identifier: GPL-2.0-only
/*
 * The software reference GPU, a backend like any other: it sees only
 * mvgpu_backend.h.  Its VRAM is ordinary host pages, allocated when a vGPU
 * reserves a partition (zeroed, so a new tenant never sees an old one's
 * bytes) and freed when the partition is given back; its engines are the
 * CPU engine (mvgpu_cpu_engine.h) run by the scheduler's threads.
 *
 * At module load it makes num_gpus GPUs, each with vram_mb MiB of VRAM
 * and as many engines as the engines parameter says.  They have no device
 * of their own: each GPU's class device /sys/class/mvgpu/mvgpuN is its
 * mdev parent.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "mvgpu_backends.h"
#include "mvgpu_cpu_engine.h"

#define MVGPU_SOFT_MAX_GPUS	8
#define MVGPU_VRAM_MIN_MB	64
#define MVGPU_VRAM_MAX_MB	4096

static unsigned int num_gpus = 1;
module_param(num_gpus, uint, 0444);
MODULE_PARM_DESC(num_gpus, "software GPUs to create, 0..8 (default 1)");

static unsigned int vram_mb = 256;
module_param(vram_mb, uint, 0444);
MODULE_PARM_DESC(vram_mb,
		 "VRAM per software GPU in MiB, a power of two in 64..4096 (default 256)");

static unsigned int engines = 2;
module_param(engines, uint, 0444);
MODULE_PARM_DESC(engines, "engines per software GPU, 1..8 (default 2)");

struct mvgpu_soft_gpu {
	u64 vram_size;
	unsigned int num_engines;
	struct page **pages;	/* VRAM, one page per PAGE_SIZE, or NULL */
	u64 nr_pages;
	struct mvgpu_cpu_engine *ce;
	struct mvgpu_hw *hw;	/* from mvgpu_gpu_register */
};

static struct mvgpu_soft_gpu *mvgpu_soft_gpus[MVGPU_SOFT_MAX_GPUS];

static int mvgpu_soft_gpu_init(struct mvgpu_hw *hw)
{
	struct mvgpu_soft_gpu *soft = hw->priv;

	BUILD_BUG_ON(MVGPU_GPU_PAGE_SIZE != PAGE_SIZE);

	hw->caps.cap_bits = MVGPU_CPU_ENGINE_CAPS;
	hw->caps.num_engines = soft->num_engines;
	hw->caps.vram_size = soft->vram_size;
	hw->caps.max_divisor = MVGPU_SLICES;
	hw->caps.vram_iomem = false;
	hw->caps.ctx_state_size = MVGPU_CPU_CTX_STATE_SIZE;

	soft->nr_pages = soft->vram_size >> PAGE_SHIFT;
	soft->pages = kvcalloc(soft->nr_pages, sizeof(*soft->pages),
			       GFP_KERNEL);
	if (!soft->pages)
		return -ENOMEM;
	soft->ce = mvgpu_cpu_engine_create(hw);
	if (IS_ERR(soft->ce)) {
		kvfree(soft->pages);
		soft->pages = NULL;
		return PTR_ERR(soft->ce);
	}
	return 0;
}

static void mvgpu_soft_gpu_fini(struct mvgpu_hw *hw)
{
	struct mvgpu_soft_gpu *soft = hw->priv;
	u64 i;

	for (i = 0; i < soft->nr_pages; i++)
		WARN_ON_ONCE(soft->pages[i]);	/* a partition was leaked */
	mvgpu_cpu_engine_destroy(soft->ce);
	soft->ce = NULL;
	kvfree(soft->pages);
	soft->pages = NULL;
}

static void mvgpu_soft_vram_release(struct mvgpu_hw *hw, u64 off, u64 len)
{
	struct mvgpu_soft_gpu *soft = hw->priv;
	u64 first = off >> PAGE_SHIFT, last = (off + len) >> PAGE_SHIFT, i;

	for (i = first; i < last; i++) {
		if (soft->pages[i])
			__free_page(soft->pages[i]);
		soft->pages[i] = NULL;
		cond_resched();
	}
}

static int mvgpu_soft_vram_populate(struct mvgpu_hw *hw, u64 off, u64 len)
{
	struct mvgpu_soft_gpu *soft = hw->priv;
	u64 first = off >> PAGE_SHIFT, last = (off + len) >> PAGE_SHIFT, i;

	for (i = first; i < last; i++) {
		/* zeroed: a new partition never shows a former tenant's data */
		soft->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO |
					    __GFP_NOWARN);
		if (!soft->pages[i]) {
			mvgpu_soft_vram_release(hw, off,
						(i - first) << PAGE_SHIFT);
			return -ENOMEM;
		}
		cond_resched();
	}
	return 0;
}

static void mvgpu_soft_vram_scrub(struct mvgpu_hw *hw, u64 off, u64 len)
{
	struct mvgpu_soft_gpu *soft = hw->priv;
	u64 first = off >> PAGE_SHIFT, last = (off + len) >> PAGE_SHIFT, i;

	for (i = first; i < last; i++) {
		clear_highpage(soft->pages[i]);
		cond_resched();
	}
}

static void *mvgpu_soft_vram_map(struct mvgpu_hw *hw, u64 off)
{
	struct mvgpu_soft_gpu *soft = hw->priv;

	return page_address(soft->pages[off >> PAGE_SHIFT]) +
	       offset_in_page(off);
}

static unsigned long mvgpu_soft_vram_pfn(struct mvgpu_hw *hw, u64 off)
{
	struct mvgpu_soft_gpu *soft = hw->priv;

	return page_to_pfn(soft->pages[off >> PAGE_SHIFT]);
}

static enum mvgpu_step_result mvgpu_soft_engine_step(struct mvgpu_hw *hw,
						     unsigned int engine,
						     struct mvgpu_ctx *ctx)
{
	struct mvgpu_soft_gpu *soft = hw->priv;

	return mvgpu_cpu_engine_step(soft->ce, engine, ctx);
}

static const struct mvgpu_backend_ops mvgpu_soft_ops = {
	.name		= "software",
	.gpu_init	= mvgpu_soft_gpu_init,
	.gpu_fini	= mvgpu_soft_gpu_fini,
	.vram_populate	= mvgpu_soft_vram_populate,
	.vram_release	= mvgpu_soft_vram_release,
	.vram_scrub	= mvgpu_soft_vram_scrub,
	.vram_map	= mvgpu_soft_vram_map,
	.vram_pfn	= mvgpu_soft_vram_pfn,
	.ctx_init	= mvgpu_cpu_ctx_init,
	.ctx_fini	= mvgpu_cpu_ctx_fini,
	.ctx_reset	= mvgpu_cpu_ctx_reset,
	.ctx_save	= mvgpu_cpu_ctx_save,
	.ctx_restore	= mvgpu_cpu_ctx_restore,
	.engine_step	= mvgpu_soft_engine_step,
};

static int mvgpu_soft_check_params(void)
{
	if (num_gpus > MVGPU_SOFT_MAX_GPUS) {
		pr_err("num_gpus=%u out of range: must be 0..%u\n", num_gpus,
		       MVGPU_SOFT_MAX_GPUS);
		return -EINVAL;
	}
	if (vram_mb < MVGPU_VRAM_MIN_MB || vram_mb > MVGPU_VRAM_MAX_MB ||
	    !is_power_of_2(vram_mb)) {
		pr_err("vram_mb=%u invalid: must be a power of two in %u..%u\n",
		       vram_mb, MVGPU_VRAM_MIN_MB, MVGPU_VRAM_MAX_MB);
		return -EINVAL;
	}
	if (engines < 1 || engines > MVGPU_MAX_ENGINES) {
		pr_err("engines=%u out of range: must be 1..%u\n", engines,
		       MVGPU_MAX_ENGINES);
		return -EINVAL;
	}
	return 0;
}

void mvgpu_soft_backend_exit(void)
{
	int i;

	for (i = MVGPU_SOFT_MAX_GPUS - 1; i >= 0; i--) {
		struct mvgpu_soft_gpu *soft = mvgpu_soft_gpus[i];

		if (!soft)
			continue;
		mvgpu_gpu_unregister(soft->hw);
		kfree(soft);
		mvgpu_soft_gpus[i] = NULL;
	}
}

/* The module parameters' GPUs, all or none */
int mvgpu_soft_backend_init(void)
{
	unsigned int i;
	int ret;

	ret = mvgpu_soft_check_params();
	if (ret)
		return ret;

	for (i = 0; i < num_gpus; i++) {
		struct mvgpu_soft_gpu *soft = kzalloc(sizeof(*soft), GFP_KERNEL);
		struct mvgpu_hw *hw;

		if (!soft) {
			ret = -ENOMEM;
			goto err_gpus;
		}
		soft->vram_size = (u64)vram_mb << 20;
		soft->num_engines = engines;
		hw = mvgpu_gpu_register(NULL, &mvgpu_soft_ops, soft);
		if (IS_ERR(hw)) {
			ret = PTR_ERR(hw);
			kfree(soft);
			goto err_gpus;
		}
		soft->hw = hw;
		mvgpu_soft_gpus[i] = soft;
	}
	return 0;

err_gpus:
	mvgpu_soft_backend_exit();
	return ret;
}
