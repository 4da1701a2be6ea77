// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI configuration space of a vGPU: a type 0 header for a 3D controller
 * with a 64-bit MMIO BAR0, a 64-bit prefetchable VRAM BAR2, and a power
 * management and an MSI capability.
 *
 * Writes go through a per-byte write mask, which is all the BAR sizing
 * protocol needs: writing all ones leaves the size mask and the flag bits.
 * Read-only bits ignore writes, as hardware does.
 */
#include <linux/pci_regs.h>
#include <asm/unaligned.h>

#include "mvgpu.h"

#define MVGPU_CMD_WRITABLE	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
				 PCI_COMMAND_INTX_DISABLE)
#define MVGPU_BAR_FLAGS_MMIO64	PCI_BASE_ADDRESS_MEM_TYPE_64
#define MVGPU_BAR_FLAGS_VRAM	(PCI_BASE_ADDRESS_MEM_TYPE_64 | \
				 PCI_BASE_ADDRESS_MEM_PREFETCH)

static void mvgpu_cfg_wmask32(struct mvgpu_vgpu *vgpu, u32 off, u32 mask)
{
	put_unaligned_le32(mask, &vgpu->cfg_wmask[off]);
}

static void mvgpu_cfg_bar64(struct mvgpu_vgpu *vgpu, unsigned int bar,
			    u64 size, u32 flags)
{
	u32 off = PCI_BASE_ADDRESS_0 + bar * 4;
	u64 mask = ~(size - 1);

	put_unaligned_le32(flags, &vgpu->cfg[off]);
	put_unaligned_le32(0, &vgpu->cfg[off + 4]);
	mvgpu_cfg_wmask32(vgpu, off, lower_32_bits(mask) &
			  PCI_BASE_ADDRESS_MEM_MASK);
	mvgpu_cfg_wmask32(vgpu, off + 4, upper_32_bits(mask));
}

/* Build the reset image and the write mask; caller holds vgpu->lock */
void mvgpu_cfg_reset(struct mvgpu_vgpu *vgpu)
{
	u8 *c = vgpu->cfg;

	write_seqcount_begin(&vgpu->cfg_seq);
	memset(vgpu->cfg, 0, sizeof(vgpu->cfg));
	memset(vgpu->cfg_wmask, 0, sizeof(vgpu->cfg_wmask));

	put_unaligned_le16(MVGPU_PCI_VENDOR_ID, &c[PCI_VENDOR_ID]);
	put_unaligned_le16(MVGPU_PCI_DEVICE_ID, &c[PCI_DEVICE_ID]);
	put_unaligned_le16(MVGPU_CMD_WRITABLE, &vgpu->cfg_wmask[PCI_COMMAND]);
	put_unaligned_le16(PCI_STATUS_CAP_LIST, &c[PCI_STATUS]);
	c[PCI_REVISION_ID] = MVGPU_PCI_REVISION;
	c[PCI_CLASS_PROG] = MVGPU_PCI_CLASS_CODE & 0xff;
	put_unaligned_le16(MVGPU_PCI_CLASS_CODE >> 8, &c[PCI_CLASS_DEVICE]);
	vgpu->cfg_wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;

	mvgpu_cfg_bar64(vgpu, MVGPU_BAR0_INDEX, MVGPU_BAR0_SIZE,
			MVGPU_BAR_FLAGS_MMIO64);
	mvgpu_cfg_bar64(vgpu, MVGPU_VRAM_BAR_INDEX, vgpu->ctx.vram_size,
			MVGPU_BAR_FLAGS_VRAM);

	put_unaligned_le16(MVGPU_PCI_SUBSYS_VENDOR_ID,
			   &c[PCI_SUBSYSTEM_VENDOR_ID]);
	put_unaligned_le16(MVGPU_PCI_SUBSYS_ID_BASE | vgpu->type->divisor,
			   &c[PCI_SUBSYSTEM_ID]);
	c[PCI_CAPABILITY_LIST] = MVGPU_CFG_PM_CAP;
	vgpu->cfg_wmask[PCI_INTERRUPT_LINE] = 0xff;
	c[PCI_INTERRUPT_PIN] = 1;	/* INTA# */

	/* power management: version 3, D0 and D3hot, no soft reset */
	c[MVGPU_CFG_PM_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_PM;
	c[MVGPU_CFG_PM_CAP + PCI_CAP_LIST_NEXT] = MVGPU_CFG_MSI_CAP;
	put_unaligned_le16(3, &c[MVGPU_CFG_PM_CAP + PCI_PM_PMC]);
	put_unaligned_le16(PCI_PM_CTRL_NO_SOFT_RESET,
			   &c[MVGPU_CFG_PM_CAP + PCI_PM_CTRL]);
	vgpu->cfg_wmask[MVGPU_CFG_PM_CAP + PCI_PM_CTRL] =
		PCI_PM_CTRL_STATE_MASK;

	/* MSI: one 64-bit vector; delivery follows VFIO_DEVICE_SET_IRQS */
	c[MVGPU_CFG_MSI_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSI;
	c[MVGPU_CFG_MSI_CAP + PCI_CAP_LIST_NEXT] = 0;
	put_unaligned_le16(PCI_MSI_FLAGS_64BIT,
			   &c[MVGPU_CFG_MSI_CAP + PCI_MSI_FLAGS]);
	vgpu->cfg_wmask[MVGPU_CFG_MSI_CAP + PCI_MSI_FLAGS] = PCI_MSI_FLAGS_ENABLE;
	mvgpu_cfg_wmask32(vgpu, MVGPU_CFG_MSI_CAP + PCI_MSI_ADDRESS_LO,
			  0xfffffffc);
	mvgpu_cfg_wmask32(vgpu, MVGPU_CFG_MSI_CAP + PCI_MSI_ADDRESS_HI,
			  0xffffffff);
	put_unaligned_le16(0xffff,
			   &vgpu->cfg_wmask[MVGPU_CFG_MSI_CAP + PCI_MSI_DATA_64]);
	write_seqcount_end(&vgpu->cfg_seq);
}

/*
 * Reads need no vgpu->lock: they copy a consistent image through cfg_seq,
 * retrying if a write (under the lock) changed it meanwhile.
 */
int mvgpu_cfg_read(struct mvgpu_vgpu *vgpu, u32 off, u8 *buf, u32 len)
{
	unsigned int seq;
	u32 i;

	if (off >= MVGPU_CFG_SIZE || len > MVGPU_CFG_SIZE - off)
		return -EINVAL;

	do {
		seq = read_seqcount_begin(&vgpu->cfg_seq);
		memcpy(buf, &vgpu->cfg[off], len);
	} while (read_seqcount_retry(&vgpu->cfg_seq, seq));
	/* the interrupt status bit follows the INTx line as it is now */
	i = PCI_STATUS - off;
	if (off <= PCI_STATUS && i < len && mvgpu_irq_intx_asserted(vgpu))
		buf[i] |= PCI_STATUS_INTERRUPT;
	return 0;
}

/*
 * Through the write mask.  What a change of PCI_COMMAND does to the
 * device (bus mastering, INTx, memory decoding) is the vGPU's business:
 * MVGPU_CFG_COMMAND_CHANGED tells the caller to see to it.
 */
int mvgpu_cfg_write(struct mvgpu_vgpu *vgpu, u32 off, const u8 *buf, u32 len)
{
	u32 i;

	lockdep_assert_held(&vgpu->lock);
	if (off >= MVGPU_CFG_SIZE || len > MVGPU_CFG_SIZE - off)
		return -EINVAL;

	write_seqcount_begin(&vgpu->cfg_seq);
	for (i = 0; i < len; i++) {
		u8 m = vgpu->cfg_wmask[off + i];

		vgpu->cfg[off + i] = (vgpu->cfg[off + i] & ~m) | (buf[i] & m);
	}
	write_seqcount_end(&vgpu->cfg_seq);
	if (off < PCI_COMMAND + 2 && off + len > PCI_COMMAND)
		return MVGPU_CFG_COMMAND_CHANGED;
	return 0;
}
