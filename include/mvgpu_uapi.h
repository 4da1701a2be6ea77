/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mvgpu device interface shared by the kernel module (kmod/), libmvgpu
 * (lib/), the tools and the tests: PCI identity, BAR0 register map, the
 * command ring format, fault codes and the sysfs attribute names.
 *
 * docs/device.md is the prose version of this file; keep the two in step.
 * Only fixed-width types, so the same layout holds in the kernel and in
 * userspace.
 */
#ifndef MVGPU_UAPI_H
#define MVGPU_UAPI_H

#include <linux/types.h>

/* ------------------------------------------------------------------ */
/* PCI identity                                                        */
/* ------------------------------------------------------------------ */

#define MVGPU_PCI_VENDOR_ID		0x1234	/* unofficial, as QEMU stdvga */
#define MVGPU_PCI_DEVICE_ID		0x4d56	/* "MV" */
#define MVGPU_PCI_SUBSYS_VENDOR_ID	0x1234
/* subsystem device id: 0x0100 | the type's divisor (1, 2, 4, ... 64) */
#define MVGPU_PCI_SUBSYS_ID_BASE	0x0100
#define MVGPU_PCI_REVISION		0x01
#define MVGPU_PCI_CLASS_CODE		0x030200	/* 3D controller */

#define MVGPU_BAR0_INDEX		0	/* MMIO registers, 64-bit */
#define MVGPU_VRAM_BAR_INDEX		2	/* VRAM, 64-bit prefetchable */
#define MVGPU_BAR0_SIZE			0x1000

#define MVGPU_CFG_PM_CAP		0x40
#define MVGPU_CFG_MSI_CAP		0x48

/* ------------------------------------------------------------------ */
/* BAR0 registers (offsets in bytes)                                   */
/* ------------------------------------------------------------------ */

#define MVGPU_REG_ID			0x000	/* RO32: MVGPU_ID_MAGIC */
#define MVGPU_REG_VERSION		0x004	/* RO32: major << 16 | minor */
#define MVGPU_REG_CAPS			0x008	/* RO32: MVGPU_CAP_* */
#define MVGPU_REG_TYPE_DIVISOR		0x00c	/* RO32: 1, 2, 4, ... 64 */
#define MVGPU_REG_VRAM_SIZE		0x010	/* RO64: bytes */
#define MVGPU_REG_ENGINES		0x018	/* RO32: engines of the GPU */
#define MVGPU_REG_SHARE_PERMILLE	0x01c	/* RO32: type share, 1/1000 */

#define MVGPU_REG_INT_STATUS		0x020	/* RO32: pending causes */
#define MVGPU_REG_INT_MASK		0x024	/* RW32: 1 = cause masked */
#define MVGPU_REG_INT_ACK		0x028	/* WO32: write 1 to clear */
#define MVGPU_REG_SW_INT		0x02c	/* WO32: any write raises SW */
#define MVGPU_REG_RESET			0x030	/* WO32: MVGPU_RESET_MAGIC */
#define MVGPU_REG_STATUS		0x034	/* RO32: MVGPU_STATUS_* */
#define MVGPU_REG_SCRATCH		0x038	/* RW64: any width 1/2/4/8 */

#define MVGPU_REG_FAULT_STATUS		0x040	/* RO32: MVGPU_FAULT_* */
#define MVGPU_REG_FAULT_HEAD		0x044	/* RO32: ring offset of cmd */
#define MVGPU_REG_FAULT_ADDR		0x048	/* RO64: faulting address */

#define MVGPU_REG_PT_BASE		0x050	/* RW64: VRAM offset of PT */
#define MVGPU_REG_PT_ENTRIES		0x058	/* RW32: 0 = paging off */

#define MVGPU_REG_RING_BASE		0x060	/* RW64: GPU VA of ring */
#define MVGPU_REG_RING_SIZE		0x068	/* RW32: bytes, 0 = off */
#define MVGPU_REG_RING_HEAD		0x06c	/* RO32: next cmd to run */
#define MVGPU_REG_RING_TAIL		0x070	/* RW32: doorbell */
#define MVGPU_REG_FENCE			0x078	/* RO64: last fence value */

#define MVGPU_REG_BUSY_NS		0x080	/* RO64: GPU time used, ns */
#define MVGPU_REG_CMDS_DONE		0x088	/* RO64: commands completed */

#define MVGPU_REG_END			0x090	/* first offset past regs */

#define MVGPU_ID_MAGIC			0x4d564755	/* "MVGU" */
#define MVGPU_VERSION_MAJOR		1
#define MVGPU_VERSION_MINOR		0
#define MVGPU_VERSION	((MVGPU_VERSION_MAJOR << 16) | MVGPU_VERSION_MINOR)
#define MVGPU_RESET_MAGIC		0x52535421	/* "RST!" */

/* MVGPU_REG_CAPS */
#define MVGPU_CAP_RING			(1u << 0)
#define MVGPU_CAP_PAGING		(1u << 1)
#define MVGPU_CAP_DMA			(1u << 2)
#define MVGPU_CAP_GEMM_I32		(1u << 3)
#define MVGPU_CAP_MSI			(1u << 4)
#define MVGPU_CAP_INTX			(1u << 5)
#define MVGPU_CAP_ALL			((1u << 6) - 1)

/* MVGPU_REG_INT_STATUS, _MASK, _ACK */
#define MVGPU_INT_SOFTWARE		(1u << 0)
#define MVGPU_INT_FENCE			(1u << 1)
#define MVGPU_INT_FAULT			(1u << 2)
#define MVGPU_INT_ALL	(MVGPU_INT_SOFTWARE | MVGPU_INT_FENCE | MVGPU_INT_FAULT)

/* MVGPU_REG_STATUS */
#define MVGPU_STATUS_RING_ENABLED	(1u << 0)
#define MVGPU_STATUS_BUSY		(1u << 1)	/* head != tail */
#define MVGPU_STATUS_FAULTED		(1u << 2)
#define MVGPU_STATUS_PAGING		(1u << 3)

/*
 * MVGPU_REG_FAULT_STATUS: the code in bits 7:0, MVGPU_FAULT_WRITE when the
 * faulting access was a write.  A fault stops the vGPU's context until reset.
 */
#define MVGPU_FAULT_NONE		0
#define MVGPU_FAULT_UNMAPPED		1	/* PTE not valid */
#define MVGPU_FAULT_OUT_OF_RANGE	2	/* VA or PTE beyond VRAM/PT */
#define MVGPU_FAULT_BAD_OPCODE		3
#define MVGPU_FAULT_BAD_COMMAND		4	/* invalid field or size */
#define MVGPU_FAULT_DMA			5	/* IOVA not mapped by client */
#define MVGPU_FAULT_BUS_MASTER		6	/* DMA with bus master off */
#define MVGPU_FAULT_READ_ONLY		7	/* write through RO PTE */
#define MVGPU_FAULT_CODE_MASK		0xffu
#define MVGPU_FAULT_WRITE		(1u << 8)
#define MVGPU_NUM_FAULT_CODES		8	/* codes 1..7 are faults */

/* each code's kind, as the fault meters and the exporter name it */
#define MVGPU_FAULT_KIND_NAMES {				\
	[MVGPU_FAULT_UNMAPPED]		= "unmapped",		\
	[MVGPU_FAULT_OUT_OF_RANGE]	= "out_of_range",	\
	[MVGPU_FAULT_BAD_OPCODE]	= "bad_opcode",		\
	[MVGPU_FAULT_BAD_COMMAND]	= "bad_command",	\
	[MVGPU_FAULT_DMA]		= "dma",		\
	[MVGPU_FAULT_BUS_MASTER]	= "bus_master",		\
	[MVGPU_FAULT_READ_ONLY]		= "read_only",		\
}

/* ------------------------------------------------------------------ */
/* GPU virtual memory                                                  */
/* ------------------------------------------------------------------ */

/*
 * Paging off (PT_ENTRIES == 0): a GPU virtual address is a VRAM offset,
 * checked against the VRAM size.  Paging on: a flat table of PT_ENTRIES
 * little-endian 64-bit PTEs at VRAM offset PT_BASE; VA page N uses PTE N.
 */
#define MVGPU_GPU_PAGE_SHIFT		12
#define MVGPU_GPU_PAGE_SIZE		(1u << MVGPU_GPU_PAGE_SHIFT)
#define MVGPU_PTE_VALID			(1ull << 0)
#define MVGPU_PTE_WRITE			(1ull << 1)
#define MVGPU_PTE_ADDR_MASK		(~0xfffull)	/* VRAM offset */
#define MVGPU_PT_MAX_ENTRIES		(1u << 20)	/* 4 GiB of VA */

/* ------------------------------------------------------------------ */
/* Command ring                                                        */
/* ------------------------------------------------------------------ */

#define MVGPU_RING_MIN_SIZE		0x1000
#define MVGPU_RING_MAX_SIZE		0x100000

enum mvgpu_opcode {
	MVGPU_OP_NOP		= 0,
	MVGPU_OP_FENCE		= 1,	/* FENCE = value; opt. *dst = value */
	MVGPU_OP_FILL		= 2,	/* dst[0..size) = 32-bit value */
	MVGPU_OP_COPY		= 3,	/* dst[0..size) = src[0..size) */
	MVGPU_OP_DMA_TO_HOST	= 4,	/* IOVA dst <- VRAM VA src */
	MVGPU_OP_DMA_FROM_HOST	= 5,	/* VRAM VA dst <- IOVA src */
	MVGPU_OP_GEMM_I32	= 6,	/* C[m,n] = A[m,k] x B[k,n] */
	MVGPU_OP_COUNT
};

/* mvgpu_cmd.flags */
#define MVGPU_CMD_F_IRQ			(1u << 0)	/* FENCE: raise INT */
#define MVGPU_CMD_F_WRITE_MEM		(1u << 1)	/* FENCE: write dst */
#define MVGPU_CMD_F_ALL		(MVGPU_CMD_F_IRQ | MVGPU_CMD_F_WRITE_MEM)

/* Bounds a single command must respect, else MVGPU_FAULT_BAD_COMMAND */
#define MVGPU_CMD_MAX_BYTES		(1ull << 32)	/* FILL/COPY/DMA */
#define MVGPU_GEMM_MAX_DIM		2048

/* One command: 64 bytes, little-endian, in the ring at 64-byte slots. */
struct mvgpu_cmd {
	__u32 opcode;	/* enum mvgpu_opcode */
	__u32 flags;	/* MVGPU_CMD_F_* (FENCE only; 0 elsewhere) */
	__u64 dst;	/* GPU VA (IOVA for DMA_TO_HOST) */
	__u64 src;	/* GPU VA (IOVA for DMA_FROM_HOST); GEMM: A */
	__u64 size;	/* bytes; FILL and COPY need a multiple of 4 */
	__u64 value;	/* FILL pattern (low 32 bits), FENCE value */
	__u64 aux;	/* GEMM: B */
	__u32 m, n, k;	/* GEMM dimensions (int32 elements, row-major) */
	__u32 reserved;	/* must be 0 */
};

#define MVGPU_CMD_SIZE			64

/* ------------------------------------------------------------------ */
/* Migration stream (VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE data fd)     */
/* ------------------------------------------------------------------ */

/*
 * What STOP_COPY reads out and RESUMING takes in:
 *   struct mvgpu_mig_header | config space (256 bytes) |
 *   struct mvgpu_mig_regs | context state (header.state_size bytes) |
 *   VRAM (vram_size bytes)
 * all little-endian.  The context state is in the format of the backend
 * the header names (the software and CPU engines write a
 * struct mvgpu_mig_cpu_ctx).  A stream resumes only into a vGPU of the
 * same type and VRAM size on a GPU of the same backend.
 */
#define MVGPU_MIG_MAGIC		0x47494d555047564dull	/* "MVGPUMIG" */
#define MVGPU_MIG_VERSION	2
#define MVGPU_MIG_BACKEND_LEN	16

struct mvgpu_mig_header {
	__u64 magic;
	__u32 version;
	__u32 divisor;		/* the vGPU type: 1/divisor of its GPU */
	__u64 vram_size;
	char backend[MVGPU_MIG_BACKEND_LEN];	/* its name, NUL-padded */
	__u32 state_size;	/* bytes of context state */
	__u32 reserved;		/* 0 */
};

/* The mediator's BAR0 state, which is not the context's */
struct mvgpu_mig_regs {
	__u64 scratch;
	__u32 int_status;
	__u32 int_mask;
};

/*
 * The registers every context has (struct mvgpu_ctx), as the mediator's
 * helpers save and check them; a backend's context state may start with
 * them.
 */
struct mvgpu_mig_ctx_regs {
	__u64 pt_base;
	__u64 ring_base;
	__u64 fence;
	__u64 fault_addr;
	__u32 pt_entries;
	__u32 ring_size;
	__u32 head;
	__u32 tail;
	__u32 fault_status;
	__u32 fault_head;
	__u32 faulted;		/* 0 or 1 */
	__u32 reserved;		/* 0 */
};

/*
 * The context state of the CPU engine (the software backend's): the
 * registers and the command in progress, so it resumes where it stopped.
 */
struct mvgpu_mig_cpu_ctx {
	struct mvgpu_mig_ctx_regs regs;
	__u32 cmd_valid;	/* 0 or 1: cmd is being executed */
	__u32 reserved;		/* 0 */
	__u64 cmd_progress;	/* its units done (bytes, GEMM MAC rows) */
	struct mvgpu_cmd cmd;	/* as fetched from the ring */
};

/* ------------------------------------------------------------------ */
/* sysfs                                                               */
/* ------------------------------------------------------------------ */

#define MVGPU_SYSFS_CLASS		"/sys/class/mvgpu"
#define MVGPU_SYSFS_MDEV_DEVICES	"/sys/bus/mdev/devices"
/* the same relative to a sysfs root (for tests on a copied tree) */
#define MVGPU_SYSFS_CLASS_REL		"class/mvgpu"
#define MVGPU_SYSFS_MDEV_BUS_REL	"class/mdev_bus"
#define MVGPU_SYSFS_MDEV_DEVICES_REL	"bus/mdev/devices"
#define MVGPU_SYSFS_TYPES_DIR		"mdev_supported_types"
#define MVGPU_TYPE_PREFIX		"mvgpu-"	/* mdev type "mvgpu-4" */

/* per physical GPU, under MVGPU_SYSFS_CLASS/mvgpuN/ */
#define MVGPU_ATTR_BACKEND		"backend"
/* the mdev parent's device name (mvgpuN, or a PCI address) */
#define MVGPU_ATTR_PARENT		"parent"
#define MVGPU_ATTR_GPU_VRAM_SIZE	"vram_size"
#define MVGPU_ATTR_VRAM_FREE		"vram_free"
#define MVGPU_ATTR_VRAM_RELEASING	"vram_releasing"
#define MVGPU_ATTR_ENGINES		"engines"
#define MVGPU_ATTR_SCHEDULER		"scheduler"
#define MVGPU_ATTR_TIMESLICE_US		"timeslice_us"
#define MVGPU_ATTR_ENGINE_BUSY_NS	"engine_busy_ns"
#define MVGPU_ATTR_ENGINE_UTILIZATION	"engine_utilization"
/* metering records of removed vGPUs, see "Metering" below */
#define MVGPU_ATTR_USAGE		"usage"
#define MVGPU_ATTR_USAGE_ACK		"usage_ack"
#define MVGPU_ATTR_USAGE_DROPPED	"usage_dropped"
#define MVGPU_ATTR_SCHED_PICKS		"sched_picks"	/* picks made */
#define MVGPU_ATTR_SCHED_PICK_NS	"sched_pick_ns"	/* ns they took */
#define MVGPU_ATTR_SCHED_SLICES		"sched_slices"	/* slices started */
/* the sum of its vGPUs' MVGPU_ATTR_VRAM_USED */
#define MVGPU_ATTR_GPU_VRAM_USED	"vram_used"

/* per mdev type, under .../mdev_supported_types/mvgpu-D/mvgpu/ */
#define MVGPU_TYPE_ATTR_DIR		"mvgpu"
#define MVGPU_ATTR_TYPE_VRAM_SIZE	"vram_size"	/* bytes */
#define MVGPU_ATTR_TYPE_SHARE		"share_permille"
#define MVGPU_ATTR_TYPE_SLICES		"slices"	/* of MVGPU_SLICES */
#define MVGPU_ATTR_TYPE_DIVISOR		"divisor"

/* per vGPU, under MVGPU_SYSFS_MDEV_DEVICES/UUID/mvgpu/ */
#define MVGPU_VGPU_ATTR_DIR		"mvgpu"
#define MVGPU_ATTR_WEIGHT		"weight"
#define MVGPU_ATTR_PRIORITY		"priority"
#define MVGPU_ATTR_CAP			"cap"
#define MVGPU_ATTR_STATE		"state"
#define MVGPU_ATTR_OWNER		"owner"
#define MVGPU_ATTR_VGPU_VRAM_SIZE	"vram_size"
#define MVGPU_ATTR_GPU			"gpu"
/* the device's own care, read-only counters (docs/design.md) */
#define MVGPU_ATTR_SCRUBS		"scrubs"	/* VRAM zeroed at close */
#define MVGPU_ATTR_SCRUB_LAST_NS	"scrub_last_ns"	/* the last one took */
#define MVGPU_ATTR_DMA_ABANDONED	"dma_abandoned"	/* stuck copies left */
/* the physical VRAM offset of each of its slices, in order, hex */
#define MVGPU_ATTR_VRAM_SLICES		"vram_slices"
/*
 * VRAM in use: bytes of the vGPU's VRAM written or mapped writable since
 * it was last scrubbed (created, or closed by its client), counted in
 * granules of MVGPU_VRAM_USE_GRANULE: a granule counts whole once a client
 * write (region pwrite, migration RESUMING data), a writable mmap fault or
 * an engine write (commands, DMA into VRAM) has reached any byte of it.
 */
#define MVGPU_ATTR_VRAM_USED		"vram_used"
#define MVGPU_VRAM_USE_GRANULE		(64 * 1024)

/* values of the attributes above */
#define MVGPU_POLICY_NAME_BEST_EFFORT	"best_effort"
#define MVGPU_POLICY_NAME_EQUAL_SHARE	"equal_share"
#define MVGPU_POLICY_NAME_FIXED_SHARE	"fixed_share"
#define MVGPU_PRIO_NAME_NORMAL		"normal"
#define MVGPU_PRIO_NAME_HIGH		"high"
#define MVGPU_STATE_CLOSED		"closed"
#define MVGPU_STATE_OPEN		"open"
#define MVGPU_STATE_FAULTED		"faulted"

/*
 * Statistics, one decimal file each under
 * MVGPU_SYSFS_MDEV_DEVICES/UUID/MVGPU_STATS_DIR/, named by
 * MVGPU_STAT_NAMES.  All are totals over the vGPU's life except
 * vruntime_ns and max_wait_slices.
 */
#define MVGPU_STATS_DIR			"mvgpu_stats"

enum mvgpu_stat_id {
	MVGPU_STAT_BUSY_NS,		/* engine and DMA time used */
	MVGPU_STAT_WAIT_NS,		/* runnable, waiting for an engine */
	MVGPU_STAT_VRUNTIME_NS,		/* virtual runtime: ns / weight */
	MVGPU_STAT_SLICES,		/* time slices run */
	MVGPU_STAT_PREEMPTIONS,		/* slices cut short: high prio, wakeup */
	MVGPU_STAT_MAX_WAIT_SLICES,	/* longest wait, in slices */
	MVGPU_STAT_COMMANDS,		/* commands completed */
	MVGPU_STAT_BYTES,		/* bytes processed by commands */
	MVGPU_STAT_FAULTS,		/* faults of its command stream */
	MVGPU_STAT_VRAM_FAULTS,		/* first touches of mapped VRAM */
	MVGPU_STAT_INTERRUPTS,		/* interrupts delivered */
	MVGPU_NUM_STATS
};

#define MVGPU_STAT_NAMES {					\
	[MVGPU_STAT_BUSY_NS]		= "busy_ns",		\
	[MVGPU_STAT_WAIT_NS]		= "wait_ns",		\
	[MVGPU_STAT_VRUNTIME_NS]	= "vruntime_ns",	\
	[MVGPU_STAT_SLICES]		= "slices",		\
	[MVGPU_STAT_PREEMPTIONS]	= "preemptions",	\
	[MVGPU_STAT_MAX_WAIT_SLICES]	= "max_wait_slices",	\
	[MVGPU_STAT_COMMANDS]		= "commands",		\
	[MVGPU_STAT_BYTES]		= "bytes",		\
	[MVGPU_STAT_FAULTS]		= "faults",		\
	[MVGPU_STAT_VRAM_FAULTS]	= "vram_faults",	\
	[MVGPU_STAT_INTERRUPTS]		= "interrupts",		\
}

/*
 * Metering: what a vGPU has used, for billing.  Its meter is a set of
 * totals that only grow, one decimal file each under
 * MVGPU_SYSFS_MDEV_DEVICES/UUID/MVGPU_METER_DIR/, named by
 * MVGPU_METER_NAMES.  When the vGPU is removed its final meter becomes a
 * record of its GPU, read from the GPU's MVGPU_ATTR_USAGE, one line per
 * record, oldest first:
 *   seq=N uuid=UUID type=mvgpu-D engine_ns=.. dma_ns=.. dma_bytes=..
 *   commands=.. faults=.. vram_byte_s=.. [faults_KIND=..]...
 * where a faults_KIND counter (the faults of one MVGPU_FAULT_* code) is
 * written only when it is not 0, and a reader takes a name it does not
 * know for a newer meter.  faults is the sum of the faults_KIND.
 * A read shows as many whole records as fit in one page (at least 7;
 * about 20 when the counters have 12 digits).
 * Writing N to MVGPU_ATTR_USAGE_ACK drops the records up to seq N, so a
 * consumer reads, stores, acknowledges and reads again until it is empty.
 * The GPU keeps at most MVGPU_METER_RECORDS; a removal beyond that drops
 * the oldest and counts it in MVGPU_ATTR_USAGE_DROPPED.  seq starts at 1.
 */
#define MVGPU_METER_DIR			"mvgpu_meter"
#define MVGPU_METER_RECORDS		64

enum mvgpu_meter_id {
	MVGPU_METER_ENGINE_NS,		/* engine time */
	MVGPU_METER_DMA_NS,		/* DMA thread time */
	MVGPU_METER_DMA_BYTES,		/* bytes copied by DMA commands */
	MVGPU_METER_COMMANDS,		/* commands completed */
	MVGPU_METER_FAULTS,		/* faults of its command stream */
	MVGPU_METER_VRAM_BYTE_S,	/* VRAM held: bytes x seconds */
	/* faults by MVGPU_FAULT_* code, in code order, counted by the mediator */
	MVGPU_METER_FAULTS_UNMAPPED,
	MVGPU_METER_FAULTS_OUT_OF_RANGE,
	MVGPU_METER_FAULTS_BAD_OPCODE,
	MVGPU_METER_FAULTS_BAD_COMMAND,
	MVGPU_METER_FAULTS_DMA,
	MVGPU_METER_FAULTS_BUS_MASTER,
	MVGPU_METER_FAULTS_READ_ONLY,
	MVGPU_NUM_METERS
};

/* the meter of fault code c, 1 <= c < MVGPU_NUM_FAULT_CODES */
#define MVGPU_METER_FAULTS_OF(c)	\
	(MVGPU_METER_FAULTS_UNMAPPED + (c) - MVGPU_FAULT_UNMAPPED)

#define MVGPU_METER_NAMES {					\
	[MVGPU_METER_ENGINE_NS]		= "engine_ns",		\
	[MVGPU_METER_DMA_NS]		= "dma_ns",		\
	[MVGPU_METER_DMA_BYTES]		= "dma_bytes",		\
	[MVGPU_METER_COMMANDS]		= "commands",		\
	[MVGPU_METER_FAULTS]		= "faults",		\
	[MVGPU_METER_VRAM_BYTE_S]	= "vram_byte_s",	\
	[MVGPU_METER_FAULTS_UNMAPPED]	= "faults_unmapped",	\
	[MVGPU_METER_FAULTS_OUT_OF_RANGE] = "faults_out_of_range", \
	[MVGPU_METER_FAULTS_BAD_OPCODE]	= "faults_bad_opcode",	\
	[MVGPU_METER_FAULTS_BAD_COMMAND] = "faults_bad_command", \
	[MVGPU_METER_FAULTS_DMA]	= "faults_dma",		\
	[MVGPU_METER_FAULTS_BUS_MASTER]	= "faults_bus_master",	\
	[MVGPU_METER_FAULTS_READ_ONLY]	= "faults_read_only",	\
}

#define MVGPU_WEIGHT_MIN		1
#define MVGPU_WEIGHT_MAX		1000
#define MVGPU_TIMESLICE_MIN_US		100
#define MVGPU_TIMESLICE_MAX_US		100000
#define MVGPU_TIMESLICE_DEFAULT_US	10000

#endif /* MVGPU_UAPI_H */
