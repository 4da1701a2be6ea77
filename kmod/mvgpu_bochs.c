// SPDX-License-Identifier: GPL-2.0-only
/*
 * mvgpu_bochs.c - a GPU backend on a PCI device: QEMU's bochs-display
 * (1234:1111), whose 256 MiB prefetchable BAR0 is the GPU's VRAM.
 *
 * The driver ("mvgpu" on the PCI bus) binds a device only when the
 * administrator asks, as with vfio-pci: it has no ID table, so only
 * driver_override (or new_id) makes it match, and probe refuses anything
 * but a bochs-display.  A bound
 * device becomes an mdev parent through mvgpu_gpu_register(): its types
 * are under /sys/bus/pci/devices/ADDR/mdev_supported_types.
 *
 * VRAM is the device's BAR: a vGPU's VRAM BAR mapping maps the BAR's
 * pages (the mediator maps them write-combining, caps.vram_iomem), the
 * engines reach it through an ioremap_wc() of the BAR, and every byte of
 * it that no vGPU owns is kept zero: the whole BAR is zeroed at probe and
 * a released range is scrubbed on the device, so populate has nothing to
 * do.  The engines are the mediator's CPU engine: they execute on the
 * CPU, against the device memory.
 *
 * Locking: the backend keeps no state that changes after probe besides
 * VRAM contents; the mediator serialises populate, release and scrub of a
 * range with the vGPU that owns it, and contexts under ctx->exec_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "mvgpu_backend.h"
#include "mvgpu_backends.h"
#include "mvgpu_cpu_engine.h"

#define MVGPU_BOCHS_VENDOR	0x1234
#define MVGPU_BOCHS_DEVICE	0x1111
#define MVGPU_BOCHS_VRAM_BAR	0
/* bytes zeroed between two cond_resched() */
#define MVGPU_BOCHS_ZERO_CHUNK	SZ_1M

/*
 * The PCI driver's name.  mdev names a parent's type directories
 * "<driver>-<type>", so with "mvgpu" a bochs GPU's types are mvgpu-1 ...
 * mvgpu-64 as on every other GPU (a software GPU's driver string is its
 * class, "mvgpu").
 */
#define MVGPU_BOCHS_DRIVER	"mvgpu"

static unsigned int bochs_engines = 2;
module_param(bochs_engines, uint, 0444);
MODULE_PARM_DESC(bochs_engines, "engines of each bochs-display GPU, 1..8 (default 2)");

/**
 * struct mvgpu_bochs - one bound bochs-display
 * @pdev: the device
 * @hw: the GPU the mediator made of it
 * @vram: BAR0, mapped write-combining; read-only after probe
 * @vram_start: its bus address (for user mappings)
 * @vram_size: its length, a power of two
 * @ce: the CPU engine's scratch for this GPU
 */
struct mvgpu_bochs {
	struct pci_dev *pdev;
	struct mvgpu_hw *hw;
	void __iomem *vram;
	resource_size_t vram_start;
	u64 vram_size;
	struct mvgpu_cpu_engine *ce;
};

static bool mvgpu_bochs_range_ok(struct mvgpu_bochs *b, u64 off, u64 len)
{
	return off <= b->vram_size && len <= b->vram_size - off;
}

/* Zero [off, off + len) of the device's VRAM, a chunk at a time */
static void mvgpu_bochs_zero(struct mvgpu_bochs *b, u64 off, u64 len)
{
	u64 done, n;

	for (done = 0; done < len; done += n) {
		n = min_t(u64, len - done, MVGPU_BOCHS_ZERO_CHUNK);
		memset_io(b->vram + off + done, 0, n);
		cond_resched();
	}
	/* write-combined stores reach the device before anyone reads */
	wmb();
}

/* ------------------------------ the GPU ------------------------------ */

static int mvgpu_bochs_gpu_init(struct mvgpu_hw *hw)
{
	struct mvgpu_bochs *b = hw->priv;
	struct mvgpu_cpu_engine *ce;

	hw->caps.cap_bits = MVGPU_CPU_ENGINE_CAPS;
	hw->caps.num_engines = bochs_engines;
	hw->caps.vram_size = b->vram_size;
	hw->caps.max_divisor = MVGPU_SLICES;
	hw->caps.vram_iomem = true;
	hw->caps.ctx_state_size = MVGPU_CPU_CTX_STATE_SIZE;
	ce = mvgpu_cpu_engine_create(hw);
	if (IS_ERR(ce))
		return PTR_ERR(ce);
	b->ce = ce;
	return 0;
}

static void mvgpu_bochs_gpu_fini(struct mvgpu_hw *hw)
{
	struct mvgpu_bochs *b = hw->priv;

	mvgpu_cpu_engine_destroy(b->ce);
	b->ce = NULL;
}

/* Unowned VRAM is kept zero (probe, release), so a new range reads zero */
static int mvgpu_bochs_vram_populate(struct mvgpu_hw *hw, u64 off, u64 len)
{
	struct mvgpu_bochs *b = hw->priv;

	return mvgpu_bochs_range_ok(b, off, len) ? 0 : -EINVAL;
}

static void mvgpu_bochs_vram_scrub(struct mvgpu_hw *hw, u64 off, u64 len)
{
	struct mvgpu_bochs *b = hw->priv;

	if (WARN_ON_ONCE(!mvgpu_bochs_range_ok(b, off, len)))
		return;
	mvgpu_bochs_zero(b, off, len);
}

/* A released range is scrubbed on the device before anyone gets it */
static void mvgpu_bochs_vram_release(struct mvgpu_hw *hw, u64 off, u64 len)
{
	mvgpu_bochs_vram_scrub(hw, off, len);
}

static void *mvgpu_bochs_vram_map(struct mvgpu_hw *hw, u64 off)
{
	struct mvgpu_bochs *b = hw->priv;

	if (WARN_ON_ONCE(off >= b->vram_size))
		return NULL;
	return (void __force *)(b->vram + off);
}

static unsigned long mvgpu_bochs_vram_pfn(struct mvgpu_hw *hw, u64 off)
{
	struct mvgpu_bochs *b = hw->priv;

	return (unsigned long)((b->vram_start + off) >> PAGE_SHIFT);
}

/* ------------- engines: the CPU engine, against the device's VRAM ------------- */

static enum mvgpu_step_result
mvgpu_bochs_engine_step(struct mvgpu_hw *hw, unsigned int engine,
			struct mvgpu_ctx *ctx)
{
	struct mvgpu_bochs *b = hw->priv;

	return mvgpu_cpu_engine_step(b->ce, engine, ctx);
}

static const struct mvgpu_backend_ops mvgpu_bochs_ops = {
	.name		= "bochs",
	.gpu_init	= mvgpu_bochs_gpu_init,
	.gpu_fini	= mvgpu_bochs_gpu_fini,
	.vram_populate	= mvgpu_bochs_vram_populate,
	.vram_release	= mvgpu_bochs_vram_release,
	.vram_scrub	= mvgpu_bochs_vram_scrub,
	.vram_map	= mvgpu_bochs_vram_map,
	.vram_pfn	= mvgpu_bochs_vram_pfn,
	.ctx_init	= mvgpu_cpu_ctx_init,
	.ctx_fini	= mvgpu_cpu_ctx_fini,
	.ctx_reset	= mvgpu_cpu_ctx_reset,
	.ctx_save	= mvgpu_cpu_ctx_save,
	.ctx_restore	= mvgpu_cpu_ctx_restore,
	.engine_step	= mvgpu_bochs_engine_step,
};

/* ------------------------------ the PCI driver ------------------------------ */

static int mvgpu_bochs_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct mvgpu_bochs *b;
	struct mvgpu_hw *hw;
	u64 size;
	int ret;

	/* bound by driver_override or new_id: only a bochs-display will do */
	if (pdev->vendor != MVGPU_BOCHS_VENDOR ||
	    pdev->device != MVGPU_BOCHS_DEVICE) {
		pci_info(pdev, "not a bochs-display (%04x:%04x is not %04x:%04x)\n",
			 pdev->vendor, pdev->device, MVGPU_BOCHS_VENDOR,
			 MVGPU_BOCHS_DEVICE);
		return -ENODEV;
	}
	size = pci_resource_len(pdev, MVGPU_BOCHS_VRAM_BAR);
	if (!(pci_resource_flags(pdev, MVGPU_BOCHS_VRAM_BAR) & IORESOURCE_MEM) ||
	    !is_power_of_2(size) || size < MVGPU_SLICES * PAGE_SIZE) {
		pci_info(pdev, "BAR%d is not VRAM mvgpu can use (%llu bytes: a power of two of at least %lu)\n",
			 MVGPU_BOCHS_VRAM_BAR, size, MVGPU_SLICES * PAGE_SIZE);
		return -ENODEV;
	}

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->pdev = pdev;
	b->vram_size = size;
	b->vram_start = pci_resource_start(pdev, MVGPU_BOCHS_VRAM_BAR);

	ret = pci_enable_device(pdev);
	if (ret)
		goto err_free;
	ret = pci_request_region(pdev, MVGPU_BOCHS_VRAM_BAR, MVGPU_BOCHS_DRIVER);
	if (ret) {
		pci_info(pdev, "BAR%d is in use: %d\n", MVGPU_BOCHS_VRAM_BAR,
			 ret);
		goto err_disable;
	}
	b->vram = pci_ioremap_wc_bar(pdev, MVGPU_BOCHS_VRAM_BAR);
	if (!b->vram) {
		ret = -ENOMEM;
		goto err_release;
	}
	/* what the device held before is nobody's: no vGPU may see it */
	mvgpu_bochs_zero(b, 0, b->vram_size);

	hw = mvgpu_gpu_register(&pdev->dev, &mvgpu_bochs_ops, b);
	if (IS_ERR(hw)) {
		ret = PTR_ERR(hw);
		goto err_unmap;
	}
	b->hw = hw;
	pci_set_drvdata(pdev, b);
	pci_info(pdev, "%llu MiB of VRAM at %pa, %u engines\n",
		 b->vram_size >> 20, &b->vram_start, bochs_engines);
	return 0;

err_unmap:
	iounmap(b->vram);
err_release:
	pci_release_region(pdev, MVGPU_BOCHS_VRAM_BAR);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(b);
	return ret;
}

/* Waits for every vGPU's user to let go; never pulls VRAM from one */
static void mvgpu_bochs_remove(struct pci_dev *pdev)
{
	struct mvgpu_bochs *b = pci_get_drvdata(pdev);

	mvgpu_gpu_unregister(b->hw);
	iounmap(b->vram);
	pci_release_region(pdev, MVGPU_BOCHS_VRAM_BAR);
	pci_disable_device(pdev);
	pci_set_drvdata(pdev, NULL);
	kfree(b);
}

/* No ID table: a device is bound only when the administrator asks */
static struct pci_driver mvgpu_bochs_driver = {
	.name		= MVGPU_BOCHS_DRIVER,
	.probe		= mvgpu_bochs_probe,
	.remove		= mvgpu_bochs_remove,
};

/* Called by mvgpu_main.c at module load and unload (mvgpu_backends.h) */
int mvgpu_bochs_backend_init(void)
{
	if (!bochs_engines || bochs_engines > MVGPU_MAX_ENGINES) {
		pr_err("bochs_engines=%u: use 1..%u\n", bochs_engines,
		       MVGPU_MAX_ENGINES);
		return -EINVAL;
	}
	return pci_register_driver(&mvgpu_bochs_driver);
}

void mvgpu_bochs_backend_exit(void)
{
	pci_unregister_driver(&mvgpu_bochs_driver);
}
