// SPDX-License-Identifier: MIT
/*
 * Errors: the calling thread's last failure in words, strerror() for the
 * codes the library returns, and the names of the device's fault codes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libmvgpu_int.h"

static __thread char mvgpu_errmsg[512];
static __thread char mvgpu_strerr[128];

int mvgpu__verr(int err, const char *fmt, va_list ap)
{
	vsnprintf(mvgpu_errmsg, sizeof(mvgpu_errmsg), fmt, ap);
	return err;
}

int mvgpu__err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mvgpu__verr(err, fmt, ap);
	va_end(ap);
	return err;
}

int mvgpu__bad_handle(const char *func)
{
	return mvgpu__err(-EBADF,
			  "%s: the vGPU handle is NULL (closed or never opened): open the vGPU with mvgpu_open() first",
			  func);
}

const char *mvgpu_last_error(void)
{
	return mvgpu_errmsg;
}

const char *mvgpu_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case EBADF:
		return "the vGPU handle is closed (NULL)";
	case ENOENT:
		return "no such vGPU";
	case EBUSY:
		return "the vGPU is already open";
	case EACCES:
	case EPERM:
		return "no permission to open the vGPU's VFIO group";
	case ENODEV:
		return "not an mvgpu vGPU, or VFIO is not available";
	case EINVAL:
		return "invalid argument";
	case ENOMEM:
		return "out of memory (VRAM, IOVA space or host memory)";
	case EAGAIN:
		return "the command ring is full for now: wait for a fence and submit again";
	case E2BIG:
		return "the batch is larger than the command ring";
	case EIO:
		return "the vGPU faulted (see mvgpu_get_fault(), recover with mvgpu_reset())";
	case ETIMEDOUT:
		return "timed out waiting for a fence";
	}
	return strerror_r(err, mvgpu_strerr, sizeof(mvgpu_strerr));
}

static const char *const mvgpu_fault_names[] = {
	[MVGPU_FAULT_NONE]		= "NONE",
	[MVGPU_FAULT_UNMAPPED]		= "UNMAPPED",
	[MVGPU_FAULT_OUT_OF_RANGE]	= "OUT_OF_RANGE",
	[MVGPU_FAULT_BAD_OPCODE]	= "BAD_OPCODE",
	[MVGPU_FAULT_BAD_COMMAND]	= "BAD_COMMAND",
	[MVGPU_FAULT_DMA]		= "DMA",
	[MVGPU_FAULT_BUS_MASTER]	= "BUS_MASTER",
	[MVGPU_FAULT_READ_ONLY]		= "READ_ONLY",
};

const char *mvgpu_fault_name(uint32_t code)
{
	if (code < sizeof(mvgpu_fault_names) / sizeof(mvgpu_fault_names[0]))
		return mvgpu_fault_names[code];
	return "UNKNOWN";
}
