// SPDX-License-Identifier: MIT
/*
 * The vGPU's page table: one flat table at the end of the VRAM that maps
 * GPU VA page n to VRAM page n, so a buffer's VA is its VRAM offset.
 *
 *   page 0                    unmapped: address 0 faults (UNMAPPED)
 *   buffers                   VALID | WRITE
 *   the ring                  VALID: the engine reads it, commands
 *                             cannot write it (READ_ONLY)
 *   the page table itself     unmapped: no command can change it
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "libmvgpu_int.h"

int mvgpu__layout(struct mvgpu *g)
{
	uint64_t pt_bytes;

	if (g->vram_size < MVGPU_LIB_MIN_VRAM ||
	    g->vram_size % MVGPU_GPU_PAGE_SIZE ||
	    g->vram_size > (uint64_t)MVGPU_PT_MAX_ENTRIES * MVGPU_GPU_PAGE_SIZE)
		return mvgpu__err(-ENODEV,
				  "the vGPU's VRAM size (%llu bytes) is not one libmvgpu can lay out: want a multiple of 4 KiB from 1 MiB to 4 GiB",
				  (unsigned long long)g->vram_size);
	g->pt_entries = g->vram_size / MVGPU_GPU_PAGE_SIZE;
	pt_bytes = (uint64_t)g->pt_entries * sizeof(uint64_t);
	pt_bytes = (pt_bytes + MVGPU_GPU_PAGE_SIZE - 1) &
		   ~(uint64_t)(MVGPU_GPU_PAGE_SIZE - 1);
	g->pt_off = g->vram_size - pt_bytes;
	g->ring_size = MVGPU_LIB_RING_BYTES;
	g->ring_off = g->pt_off - g->ring_size;
	return 0;
}

uint64_t mvgpu__pte(const struct mvgpu *g, uint32_t index)
{
	uint64_t off = (uint64_t)index * MVGPU_GPU_PAGE_SIZE;

	if (index == 0 || off >= g->pt_off)
		return 0;
	if (off >= g->ring_off)
		return off | MVGPU_PTE_VALID;
	return off | MVGPU_PTE_VALID | MVGPU_PTE_WRITE;
}

/* Write the whole table into VRAM (paging must be off or identical) */
void mvgpu__pt_write(struct mvgpu *g)
{
	uint64_t *pt = (uint64_t *)(g->vram + g->pt_off);
	uint32_t i;

	for (i = 0; i < g->pt_entries; i++)
		pt[i] = htole64(mvgpu__pte(g, i));
}

int mvgpu__pt_program(struct mvgpu *g)
{
	int ret = mvgpu__reg_write32(g, MVGPU_REG_PT_ENTRIES, 0);

	if (!ret)
		ret = mvgpu__reg_write64(g, MVGPU_REG_PT_BASE, g->pt_off);
	if (!ret)
		ret = mvgpu__reg_write32(g, MVGPU_REG_PT_ENTRIES, g->pt_entries);
	if (ret)
		return mvgpu__err(ret, "cannot program the page table (PT_BASE 0x%llx, %u entries): %s",
				  (unsigned long long)g->pt_off, g->pt_entries,
				  strerror(-ret));
	return 0;
}
