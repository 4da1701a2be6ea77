// SPDX-License-Identifier: MIT
/*
 * Command batches: building 64-byte commands with their arguments checked
 * against the device's rules (docs/device.md, "Command format"), so a
 * mistake is an -EINVAL with a message here rather than a fault that
 * stops the vGPU later.  A refused command leaves the batch unchanged.
 *
 * GPU VAs are checked against the vGPU's VA space [0, VRAM size); IOVAs
 * only for overflow (the device reports an unmapped one as a DMA fault).
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "libmvgpu_int.h"

/* ------------------------------------------------------------------ */
/* Encoding                                                            */
/* ------------------------------------------------------------------ */

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* The command's 64 bytes, little-endian, as the device reads them */
void mvgpu__cmd_encode(const struct mvgpu_cmd *cmd, void *out)
{
	uint8_t *p = out;

	put32(p + 0, cmd->opcode);
	put32(p + 4, cmd->flags);
	put64(p + 8, cmd->dst);
	put64(p + 16, cmd->src);
	put64(p + 24, cmd->size);
	put64(p + 32, cmd->value);
	put64(p + 40, cmd->aux);
	put32(p + 48, cmd->m);
	put32(p + 52, cmd->n);
	put32(p + 56, cmd->k);
	put32(p + 60, cmd->reserved);
}

void mvgpu__cmd_decode(const void *in, struct mvgpu_cmd *cmd)
{
	const uint8_t *p = in;

	cmd->opcode = get32(p + 0);
	cmd->flags = get32(p + 4);
	cmd->dst = get64(p + 8);
	cmd->src = get64(p + 16);
	cmd->size = get64(p + 24);
	cmd->value = get64(p + 32);
	cmd->aux = get64(p + 40);
	cmd->m = get32(p + 48);
	cmd->n = get32(p + 52);
	cmd->k = get32(p + 56);
	cmd->reserved = get32(p + 60);
}

/* ------------------------------------------------------------------ */
/* Batches                                                             */
/* ------------------------------------------------------------------ */

struct mvgpu_batch *mvgpu__batch_alloc(uint64_t va_limit)
{
	struct mvgpu_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->magic = MVGPU_BATCH_MAGIC;
	b->va_limit = va_limit;
	mvgpu_list_init(&b->node);
	return b;
}

void mvgpu__batch_destroy(struct mvgpu_batch *b)
{
	b->magic = 0;
	free(b->cmds);
	free(b);
}

int mvgpu_batch_new(struct mvgpu *g, struct mvgpu_batch **out)
{
	struct mvgpu_batch *b;

	if (!g)
		return mvgpu__bad_handle("mvgpu_batch_new");
	if (!out)
		return mvgpu__err(-EINVAL, "mvgpu_batch_new: out is NULL");
	b = mvgpu__batch_alloc(g->vram_size);
	if (!b)
		return mvgpu__err(-ENOMEM, "mvgpu_batch_new: out of memory");
	pthread_mutex_lock(&g->lock);
	b->g = g;
	mvgpu_list_add(&g->batches, &b->node);
	pthread_mutex_unlock(&g->lock);
	*out = b;
	return 0;
}

void mvgpu_batch_free(struct mvgpu_batch *b)
{
	struct mvgpu *g;

	if (!b || b->magic != MVGPU_BATCH_MAGIC)
		return;
	g = b->g;
	if (g) {
		pthread_mutex_lock(&g->lock);
		mvgpu_list_del(&b->node);
		pthread_mutex_unlock(&g->lock);
	}
	mvgpu__batch_destroy(b);
}

void mvgpu_batch_reset(struct mvgpu_batch *b)
{
	if (b && b->magic == MVGPU_BATCH_MAGIC)
		b->len = 0;
}

size_t mvgpu_batch_length(const struct mvgpu_batch *b)
{
	return b && b->magic == MVGPU_BATCH_MAGIC ? b->len : 0;
}

static int batch_ok(const struct mvgpu_batch *b, const char *func)
{
	if (!b || b->magic != MVGPU_BATCH_MAGIC)
		return mvgpu__err(-EINVAL,
				  "%s: the batch is NULL or not a batch: make one with mvgpu_batch_new()",
				  func);
	return 0;
}

static int batch_push(struct mvgpu_batch *b, const struct mvgpu_cmd *cmd,
		      const char *func)
{
	if (b->len == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct mvgpu_cmd *cmds;

		if (cap > SIZE_MAX / sizeof(*cmds))
			return mvgpu__err(-ENOMEM, "%s: the batch is too long", func);
		cmds = realloc(b->cmds, cap * sizeof(*cmds));
		if (!cmds)
			return mvgpu__err(-ENOMEM, "%s: out of memory for the batch",
					  func);
		b->cmds = cmds;
		b->cap = cap;
	}
	b->cmds[b->len++] = *cmd;
	return 0;
}

/* [va, va + size) inside the vGPU's VA space */
static int va_check(const struct mvgpu_batch *b, const char *func,
		    const char *what, uint64_t va, uint64_t size)
{
	if (va >= b->va_limit || size > b->va_limit - va)
		return mvgpu__err(-EINVAL,
				  "%s: %s [0x%" PRIx64 ", +0x%" PRIx64 ") leaves the vGPU's VRAM (0x%" PRIx64 " bytes): use mvgpu_bo_va() + an offset inside the buffer",
				  func, what, va, size, b->va_limit);
	return 0;
}

static int iova_check(const char *func, uint64_t iova, uint64_t size)
{
	if (iova + size < iova)
		return mvgpu__err(-EINVAL,
				  "%s: IOVA range 0x%" PRIx64 " + 0x%" PRIx64 " wraps around: use mvgpu_hostmem_iova() + an offset inside the host memory",
				  func, iova, size);
	return 0;
}

static int size_check(const char *func, uint64_t size)
{
	if (size > MVGPU_CMD_MAX_BYTES)
		return mvgpu__err(-EINVAL,
				  "%s: size 0x%" PRIx64 " is above the 4 GiB a command may move: split it",
				  func, size);
	return 0;
}

int mvgpu_cmd_nop(struct mvgpu_batch *b)
{
	struct mvgpu_cmd cmd = { .opcode = MVGPU_OP_NOP };
	int ret = batch_ok(b, "mvgpu_cmd_nop");

	return ret ? ret : batch_push(b, &cmd, "mvgpu_cmd_nop");
}

int mvgpu_cmd_fill(struct mvgpu_batch *b, uint64_t dst, uint64_t size,
		   uint32_t pattern)
{
	static const char fn[] = "mvgpu_cmd_fill";
	struct mvgpu_cmd cmd = {
		.opcode = MVGPU_OP_FILL,
		.dst = dst,
		.size = size,
		.value = pattern,
	};
	int ret = batch_ok(b, fn);

	if (ret)
		return ret;
	if ((dst | size) & 3)
		return mvgpu__err(-EINVAL,
				  "%s: dst 0x%" PRIx64 " and size 0x%" PRIx64 " must be multiples of 4 (FILL writes 32-bit words)",
				  fn, dst, size);
	ret = size_check(fn, size);
	if (!ret && size)
		ret = va_check(b, fn, "dst", dst, size);
	return ret ? ret : batch_push(b, &cmd, fn);
}

int mvgpu_cmd_copy(struct mvgpu_batch *b, uint64_t dst, uint64_t src,
		   uint64_t size)
{
	static const char fn[] = "mvgpu_cmd_copy";
	struct mvgpu_cmd cmd = {
		.opcode = MVGPU_OP_COPY,
		.dst = dst,
		.src = src,
		.size = size,
	};
	int ret = batch_ok(b, fn);

	if (ret)
		return ret;
	ret = size_check(fn, size);
	if (!ret && size)
		ret = va_check(b, fn, "src", src, size);
	if (!ret && size)
		ret = va_check(b, fn, "dst", dst, size);
	if (ret)
		return ret;
	if (size && dst < src + size && src < dst + size)
		return mvgpu__err(-EINVAL,
				  "%s: src 0x%" PRIx64 " and dst 0x%" PRIx64 " overlap over 0x%" PRIx64 " bytes, which gives an undefined result: copy through a third buffer",
				  fn, src, dst, size);
	return batch_push(b, &cmd, fn);
}

/* The two DMA directions differ only in which side is VRAM */
static int cmd_dma(struct mvgpu_batch *b, const char *fn,
		   const struct mvgpu_cmd *cmd, const char *va_name,
		   uint64_t va, uint64_t iova)
{
	int ret = batch_ok(b, fn);

	if (ret)
		return ret;
	ret = size_check(fn, cmd->size);
	if (!ret && cmd->size)
		ret = va_check(b, fn, va_name, va, cmd->size);
	if (!ret)
		ret = iova_check(fn, iova, cmd->size);
	return ret ? ret : batch_push(b, cmd, fn);
}

int mvgpu_cmd_dma_to_host(struct mvgpu_batch *b, uint64_t iova, uint64_t src,
			  uint64_t size)
{
	struct mvgpu_cmd cmd = {
		.opcode = MVGPU_OP_DMA_TO_HOST,
		.dst = iova,
		.src = src,
		.size = size,
	};

	return cmd_dma(b, "mvgpu_cmd_dma_to_host", &cmd, "src", src, iova);
}

int mvgpu_cmd_dma_from_host(struct mvgpu_batch *b, uint64_t dst, uint64_t iova,
			    uint64_t size)
{
	struct mvgpu_cmd cmd = {
		.opcode = MVGPU_OP_DMA_FROM_HOST,
		.dst = dst,
		.src = iova,
		.size = size,
	};

	return cmd_dma(b, "mvgpu_cmd_dma_from_host", &cmd, "dst", dst, iova);
}

int mvgpu_cmd_gemm_i32(struct mvgpu_batch *b, uint64_t c, uint64_t a,
		       uint64_t bmat, uint32_t m, uint32_t n, uint32_t k)
{
	static const char fn[] = "mvgpu_cmd_gemm_i32";
	struct mvgpu_cmd cmd = {
		.opcode = MVGPU_OP_GEMM_I32,
		.dst = c,
		.src = a,
		.aux = bmat,
		.m = m,
		.n = n,
		.k = k,
	};
	int ret = batch_ok(b, fn);

	if (ret)
		return ret;
	if (!m || !n || !k || m > MVGPU_GEMM_MAX_DIM ||
	    n > MVGPU_GEMM_MAX_DIM || k > MVGPU_GEMM_MAX_DIM)
		return mvgpu__err(-EINVAL,
				  "%s: dimensions m %u, n %u, k %u must each be 1..%u",
				  fn, m, n, k, MVGPU_GEMM_MAX_DIM);
	if ((a | bmat | c) & 3)
		return mvgpu__err(-EINVAL,
				  "%s: A 0x%" PRIx64 ", B 0x%" PRIx64 " and C 0x%" PRIx64 " must be 4-byte aligned (int32 elements)",
				  fn, a, bmat, c);
	ret = va_check(b, fn, "A (m x k)", a, (uint64_t)m * k * 4);
	if (!ret)
		ret = va_check(b, fn, "B (k x n)", bmat, (uint64_t)k * n * 4);
	if (!ret)
		ret = va_check(b, fn, "C (m x n)", c, (uint64_t)m * n * 4);
	return ret ? ret : batch_push(b, &cmd, fn);
}

int mvgpu_cmd_fence_write(struct mvgpu_batch *b, uint64_t dst, uint64_t value)
{
	static const char fn[] = "mvgpu_cmd_fence_write";
	struct mvgpu_cmd cmd = {
		.opcode = MVGPU_OP_FENCE,
		.flags = MVGPU_CMD_F_WRITE_MEM,
		.dst = dst,
		.value = value,
	};
	int ret = batch_ok(b, fn);

	if (ret)
		return ret;
	if (dst & 7)
		return mvgpu__err(-EINVAL,
				  "%s: dst 0x%" PRIx64 " must be 8-byte aligned (the fence writes 64 bits)",
				  fn, dst);
	ret = va_check(b, fn, "dst", dst, sizeof(uint64_t));
	return ret ? ret : batch_push(b, &cmd, fn);
}

int mvgpu_cmd_raw(struct mvgpu_batch *b, const struct mvgpu_cmd *cmd)
{
	int ret = batch_ok(b, "mvgpu_cmd_raw");

	if (ret)
		return ret;
	if (!cmd)
		return mvgpu__err(-EINVAL, "mvgpu_cmd_raw: cmd is NULL");
	return batch_push(b, cmd, "mvgpu_cmd_raw");
}
