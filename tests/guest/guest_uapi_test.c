// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest driver's interface as a process sees it, run inside the nested
 * guest (tests/suites/80-guest.sh): ownership, errnos of bad arguments,
 * mmap checks, DMA both ways through a DMA buffer and through registered
 * process memory on a ring the test programs itself (paging off, so GPU
 * addresses are VRAM offsets), the fence interrupt by poll() and by an
 * eventfd, and revocation when the device is unbound while open.
 *
 *   guest_uapi_test PCI-ADDR
 *
 * Prints TAP lines prefixed "GUEST " (the suite relays them); each
 * failure says what was expected and what came.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mvgpu_uapi.h"
#include "mvgpu_guest_uapi.h"

static int n_fail;

static void result(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void result(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("GUEST %s - uapi: %s\n", ok ? "ok" : "not ok", name);
	if (!ok) {
		n_fail++;
		printf("GUEST # ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
}

/* an ioctl that must fail with want */
static void expect_errno(int fd, unsigned long req, void *arg, int want,
			 const char *name)
{
	int ret = ioctl(fd, req, arg);
	int err = ret ? errno : 0;

	result(ret == -1 && err == want, name,
	       "expected -1 errno %d (%s), got %d errno %d (%s)", want,
	       strerror(want), ret, err, strerror(err));
}

static volatile uint32_t *regs;

static uint32_t rd32(uint32_t off) { return regs[off / 4]; }
static void wr32(uint32_t off, uint32_t v) { __sync_synchronize(); regs[off / 4] = v; }
static void wr64(uint32_t off, uint64_t v)
{
	__sync_synchronize();
	*(volatile uint64_t *)((volatile uint8_t *)regs + off) = v;
}

#define RING_OFF	0x10000u	/* VRAM offsets, paging off */
#define DATA_OFF	0x100000u
#define RING_BYTES	0x1000u

static uint8_t *vram;
static uint32_t tail;
static uint64_t fence_val;

static void ring_emit(const struct mvgpu_cmd *c)
{
	memcpy(vram + RING_OFF + tail, c, sizeof(*c));
	tail = (tail + MVGPU_CMD_SIZE) % RING_BYTES;
}

/* Submit what was emitted plus a FENCE with IRQ; wait by poll() */
static int ring_run(int fd, int *causes_out)
{
	struct mvgpu_guest_irq_causes c = { .argsz = sizeof(c) };
	struct mvgpu_cmd f = { .opcode = MVGPU_OP_FENCE,
			       .flags = MVGPU_CMD_F_IRQ };
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int i;

	f.value = ++fence_val;
	ring_emit(&f);
	wr32(MVGPU_REG_RING_TAIL, tail);
	*causes_out = 0;
	for (i = 0; i < 60; i++) {
		if (poll(&p, 1, 1000) > 0 && (p.revents & POLLIN)) {
			if (ioctl(fd, MVGPU_GUEST_IOCTL_IRQ_CAUSES, &c))
				return -errno;
			*causes_out |= c.causes;
			if (c.causes & (MVGPU_INT_FENCE | MVGPU_INT_FAULT))
				return 0;
		}
	}
	return -ETIMEDOUT;
}

static void ring_setup(void)
{
	wr32(MVGPU_REG_RESET, MVGPU_RESET_MAGIC);
	wr32(MVGPU_REG_INT_MASK, 0);
	wr32(MVGPU_REG_INT_ACK, MVGPU_INT_ALL);
	wr32(MVGPU_REG_PT_ENTRIES, 0);
	wr64(MVGPU_REG_RING_BASE, RING_OFF);
	wr32(MVGPU_REG_RING_SIZE, RING_BYTES);
	tail = 0;
}

static void fill_random(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = seed >> 16;
	}
}

static size_t first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* DMA buffer: host -> VRAM -> host, every byte */
static void test_dma_buffer(int fd)
{
	struct mvgpu_guest_dma_alloc a = { .argsz = sizeof(a), .size = 65536 };
	struct mvgpu_guest_free fr = { .argsz = sizeof(fr) };
	struct mvgpu_cmd c;
	uint8_t *buf, *want;
	int causes, ret;
	size_t d;

	if (ioctl(fd, MVGPU_GUEST_IOCTL_DMA_ALLOC, &a)) {
		result(0, "DMA buffer allocated", "DMA_ALLOC: %s", strerror(errno));
		return;
	}
	result(a.bus_addr && a.size == 65536, "DMA buffer allocated with a bus address",
	       "size %llu bus 0x%llx", (unsigned long long)a.size,
	       (unsigned long long)a.bus_addr);
	buf = mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   a.mmap_offset);
	result(buf != MAP_FAILED, "DMA buffer mmap()s", "mmap: %s",
	       strerror(errno));
	if (buf == MAP_FAILED)
		return;
	want = malloc(a.size);
	fill_random(buf, a.size, 1);
	memcpy(want, buf, a.size);
	memset(vram + DATA_OFF, 0, a.size);
	memset(&c, 0, sizeof(c));
	c.opcode = MVGPU_OP_DMA_FROM_HOST;
	c.dst = DATA_OFF;
	c.src = a.bus_addr;
	c.size = a.size;
	ring_emit(&c);
	ret = ring_run(fd, &causes);
	d = first_diff(want, vram + DATA_OFF, a.size);
	result(!ret && causes == MVGPU_INT_FENCE && d == a.size,
	       "DMA buffer -> VRAM, every byte, fence by interrupt",
	       "ret %d causes 0x%x (want 0x%x); first differing byte %zu of %llu",
	       ret, causes, MVGPU_INT_FENCE, d, (unsigned long long)a.size);

	fill_random(vram + DATA_OFF, a.size, 2);
	memcpy(want, vram + DATA_OFF, a.size);
	memset(buf, 0, a.size);
	c.opcode = MVGPU_OP_DMA_TO_HOST;
	c.dst = a.bus_addr;
	c.src = DATA_OFF;
	ring_emit(&c);
	ret = ring_run(fd, &causes);
	d = first_diff(want, buf, a.size);
	result(!ret && d == a.size, "VRAM -> DMA buffer, every byte",
	       "ret %d; first differing byte %zu of %llu", ret, d,
	       (unsigned long long)a.size);
	munmap(buf, a.size);
	free(want);
	fr.handle = a.handle;
	result(!ioctl(fd, MVGPU_GUEST_IOCTL_FREE, &fr), "DMA buffer freed",
	       "FREE: %s", strerror(errno));
	expect_errno(fd, MVGPU_GUEST_IOCTL_FREE, &fr, ENOENT,
		     "freeing it again is ENOENT");
}

/* Registered process memory: host -> VRAM -> host, segment by segment */
static void test_user_memory(int fd)
{
	size_t size = 256 * 1024, off, d;
	struct mvgpu_guest_segment segs[64] = { { 0, 0 } };
	struct mvgpu_guest_user_map m = { .argsz = sizeof(m) };
	struct mvgpu_guest_free fr = { .argsz = sizeof(fr) };
	struct mvgpu_cmd c;
	uint8_t *mem, *want;
	int causes, ret;
	uint32_t i;

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	want = malloc(size);
	m.vaddr = (uintptr_t)mem;
	m.size = size;
	m.segs = (uintptr_t)segs;
	m.nr_segs = 0;
	expect_errno(fd, MVGPU_GUEST_IOCTL_USER_MAP, &m, ENOSPC,
		     "USER_MAP with no room for segments is ENOSPC");
	result(m.nr_segs >= 1 && m.nr_segs <= size / 4096,
	       "ENOSPC says how many segments are needed",
	       "nr_segs %u", m.nr_segs);
	m.nr_segs = 64;
	m.vaddr = (uintptr_t)mem + 1;
	expect_errno(fd, MVGPU_GUEST_IOCTL_USER_MAP, &m, EINVAL,
		     "USER_MAP of an unaligned address is EINVAL");
	m.vaddr = 0x1000;
	expect_errno(fd, MVGPU_GUEST_IOCTL_USER_MAP, &m, EFAULT,
		     "USER_MAP of unmapped memory is EFAULT");
	m.vaddr = (uintptr_t)mem;
	m.size = MVGPU_GUEST_USER_MAX_BYTES + 4096;
	expect_errno(fd, MVGPU_GUEST_IOCTL_USER_MAP, &m, E2BIG,
		     "USER_MAP beyond the limit is E2BIG");
	m.size = size;
	ret = ioctl(fd, MVGPU_GUEST_IOCTL_USER_MAP, &m);
	result(!ret && m.nr_segs >= 1, "process memory registered",
	       "USER_MAP: ret %d %s, %u segments", ret, strerror(errno),
	       m.nr_segs);
	if (ret) {
		munmap(mem, size);
		free(want);
		return;
	}
	for (i = 0, off = 0; i < m.nr_segs; i++)
		off += segs[i].len;
	result(off == size, "the segments cover the registration",
	       "expected %zu bytes, got %zu", size, off);

	fill_random(mem, size, 3);
	memcpy(want, mem, size);
	memset(vram + DATA_OFF, 0, size);
	memset(&c, 0, sizeof(c));
	for (i = 0, off = 0; i < m.nr_segs; off += segs[i].len, i++) {
		c.opcode = MVGPU_OP_DMA_FROM_HOST;
		c.dst = DATA_OFF + off;
		c.src = segs[i].bus_addr;
		c.size = segs[i].len;
		ring_emit(&c);
		if (tail > RING_BYTES - 2 * MVGPU_CMD_SIZE)
			ring_run(fd, &causes);
	}
	ret = ring_run(fd, &causes);
	d = first_diff(want, vram + DATA_OFF, size);
	result(!ret && d == size, "process memory -> VRAM, every byte",
	       "ret %d; %u segments; first differing byte %zu of %zu", ret,
	       m.nr_segs, d, size);

	fill_random(vram + DATA_OFF, size, 4);
	memcpy(want, vram + DATA_OFF, size);
	memset(mem, 0, size);
	for (i = 0, off = 0; i < m.nr_segs; off += segs[i].len, i++) {
		c.opcode = MVGPU_OP_DMA_TO_HOST;
		c.dst = segs[i].bus_addr;
		c.src = DATA_OFF + off;
		c.size = segs[i].len;
		ring_emit(&c);
		if (tail > RING_BYTES - 2 * MVGPU_CMD_SIZE)
			ring_run(fd, &causes);
	}
	ret = ring_run(fd, &causes);
	d = first_diff(want, mem, size);
	result(!ret && d == size, "VRAM -> process memory, every byte",
	       "ret %d; first differing byte %zu of %zu", ret, d, size);
	fr.handle = m.handle;
	result(!ioctl(fd, MVGPU_GUEST_IOCTL_FREE, &fr),
	       "registration released", "FREE: %s", strerror(errno));
	munmap(mem, size);
	free(want);
}

static void test_eventfd(int fd)
{
	struct mvgpu_guest_eventfd e = { .argsz = sizeof(e) };
	struct pollfd p;
	uint64_t count = 0;
	int efd = eventfd(0, EFD_CLOEXEC), ret;

	e.fd = efd;
	result(!ioctl(fd, MVGPU_GUEST_IOCTL_SET_EVENTFD, &e), "eventfd bound",
	       "SET_EVENTFD: %s", strerror(errno));
	wr32(MVGPU_REG_SW_INT, 1);
	p.fd = efd;
	p.events = POLLIN;
	ret = poll(&p, 1, 10000);
	if (ret > 0 && read(efd, &count, sizeof(count)) != sizeof(count))
		count = 0;
	result(ret == 1 && count >= 1, "a software interrupt signals the eventfd",
	       "poll %d, count %llu", ret, (unsigned long long)count);
	e.fd = -5;
	expect_errno(fd, MVGPU_GUEST_IOCTL_SET_EVENTFD, &e, EBADF,
		     "SET_EVENTFD of a bad fd is EBADF");
	e.fd = -1;
	ioctl(fd, MVGPU_GUEST_IOCTL_SET_EVENTFD, &e);
	close(efd);
}

static sigjmp_buf jb;

static void on_sigbus(int sig __attribute__((unused)))
{
	siglongjmp(jb, 1);
}

/* Unbind while open: access ends cleanly, then bind again */
static void test_revoke(const char *addr, const char *node)
{
	struct mvgpu_guest_info info = { .argsz = sizeof(info) };
	struct pollfd p;
	volatile uint8_t *v;
	int fd = open(node, O_RDWR), bfd, got_bus;
	char path[128];

	v = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 MVGPU_GUEST_MMAP_VRAM);
	if (fd < 0 || v == MAP_FAILED) {
		result(0, "revoke: open and map", "%s", strerror(errno));
		return;
	}
	v[0] = 0x5a;
	bfd = open("/sys/bus/pci/drivers/" MVGPU_GUEST_DRIVER_NAME "/unbind",
		   O_WRONLY);
	result(bfd >= 0 && write(bfd, addr, strlen(addr)) == (ssize_t)strlen(addr),
	       "unbind while open", "unbind: %s", strerror(errno));
	close(bfd);
	expect_errno(fd, MVGPU_GUEST_IOCTL_INFO, &info, ENODEV,
		     "after unbind an ioctl is ENODEV");
	p.fd = fd;
	p.events = POLLIN;
	result(poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)),
	       "after unbind poll() reports POLLHUP|POLLERR",
	       "revents 0x%x", p.revents);
	signal(SIGBUS, on_sigbus);
	got_bus = 0;
	if (sigsetjmp(jb, 1))
		got_bus = 1;
	else
		(void)v[4096];
	signal(SIGBUS, SIG_DFL);
	result(got_bus, "after unbind the VRAM mapping raises SIGBUS",
	       "the read went through");
	result(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
		    MVGPU_GUEST_MMAP_BAR0) == MAP_FAILED && errno == ENODEV,
	       "after unbind mmap() is ENODEV", "errno %d", errno);
	munmap((void *)v, 1 << 20);
	close(fd);
	bfd = open("/sys/bus/pci/drivers/" MVGPU_GUEST_DRIVER_NAME "/bind",
		   O_WRONLY);
	result(bfd >= 0 && write(bfd, addr, strlen(addr)) == (ssize_t)strlen(addr),
	       "bind again", "bind: %s", strerror(errno));
	close(bfd);
	snprintf(path, sizeof(path), "%s", node);
	fd = open(path, O_RDWR);
	result(fd >= 0, "the device opens again after bind", "open: %s",
	       strerror(errno));
	close(fd);
}

int main(int argc, char **argv)
{
	struct mvgpu_guest_info info = { .argsz = sizeof(info) };
	struct mvgpu_guest_dma_alloc a = { .argsz = sizeof(a) };
	char node[128];
	void *p;
	int fd, fd2;

	if (argc != 2) {
		fprintf(stderr, "usage: guest_uapi_test PCI-ADDR\n");
		return 2;
	}
	snprintf(node, sizeof(node), "%s/%s", MVGPU_GUEST_DEV_DIR, argv[1]);
	fd = open(node, O_RDWR | O_CLOEXEC);
	result(fd >= 0, "open the device node", "open %s: %s", node,
	       strerror(errno));
	if (fd < 0)
		return 1;
	fd2 = open(node, O_RDWR);
	result(fd2 < 0 && errno == EBUSY, "a second open is EBUSY",
	       "expected -1 EBUSY, got %d errno %d", fd2, errno);
	if (fd2 >= 0)
		close(fd2);

	result(!ioctl(fd, MVGPU_GUEST_IOCTL_INFO, &info) &&
	       info.vendor == MVGPU_PCI_VENDOR_ID &&
	       info.device == MVGPU_PCI_DEVICE_ID &&
	       info.version >> 16 == MVGPU_VERSION_MAJOR &&
	       !strcmp(info.pci_addr, argv[1]),
	       "INFO names the vGPU", "vendor %04x device %04x version 0x%x addr %s",
	       info.vendor, info.device, info.version, info.pci_addr);
	result(info.irq_type == MVGPU_GUEST_IRQ_MSI, "the driver uses MSI",
	       "irq_type %u (1 MSI, 2 INTx)", info.irq_type);
	info.argsz = 8;
	expect_errno(fd, MVGPU_GUEST_IOCTL_INFO, &info, EINVAL,
		     "INFO with a short argsz is EINVAL");
	info.argsz = sizeof(info);
	info.flags = 1;
	expect_errno(fd, MVGPU_GUEST_IOCTL_INFO, &info, EINVAL,
		     "INFO with unknown flags is EINVAL");
	expect_errno(fd, MVGPU_GUEST_IOCTL_INFO, (void *)8, EFAULT,
		     "INFO with a bad pointer is EFAULT");
	expect_errno(fd, _IO(MVGPU_GUEST_IOCTL_BASE, 99), NULL, ENOTTY,
		     "an unknown ioctl is ENOTTY");
	a.size = 0;
	expect_errno(fd, MVGPU_GUEST_IOCTL_DMA_ALLOC, &a, EINVAL,
		     "DMA_ALLOC of 0 bytes is EINVAL");
	a.size = MVGPU_GUEST_DMA_MAX_BYTES + 1;
	expect_errno(fd, MVGPU_GUEST_IOCTL_DMA_ALLOC, &a, E2BIG,
		     "DMA_ALLOC beyond the limit is E2BIG");

	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, MVGPU_GUEST_MMAP_BAR0);
	result(p == MAP_FAILED && errno == EINVAL, "a private mapping is EINVAL",
	       "got %p errno %d", p, errno);
	p = mmap(NULL, info.vram_size + 4096, PROT_READ, MAP_SHARED, fd,
		 MVGPU_GUEST_MMAP_VRAM);
	result(p == MAP_FAILED && errno == EINVAL,
	       "mapping past the VRAM BAR is EINVAL", "got %p errno %d", p, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
		 (uint64_t)7 << MVGPU_GUEST_MMAP_SHIFT);
	result(p == MAP_FAILED && errno == EINVAL,
	       "mapping a DMA buffer that does not exist is EINVAL",
	       "got %p errno %d", p, errno);

	regs = mmap(NULL, MVGPU_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, MVGPU_GUEST_MMAP_BAR0);
	vram = mmap(NULL, info.vram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, MVGPU_GUEST_MMAP_VRAM);
	result(regs != MAP_FAILED && vram != MAP_FAILED &&
	       rd32(MVGPU_REG_ID) == MVGPU_ID_MAGIC,
	       "BAR0 and VRAM map; ID reads 0x4d564755", "ID 0x%08x",
	       regs != MAP_FAILED ? rd32(MVGPU_REG_ID) : 0);
	if (regs == MAP_FAILED || vram == MAP_FAILED)
		return 1;
	ring_setup();
	test_dma_buffer(fd);
	test_user_memory(fd);
	test_eventfd(fd);
	munmap((void *)regs, MVGPU_BAR0_SIZE);
	munmap(vram, info.vram_size);
	close(fd);

	fd = open(node, O_RDWR);
	result(fd >= 0, "after close the device opens again", "open: %s",
	       strerror(errno));
	close(fd);
	test_revoke(argv[1], node);
	return n_fail ? 1 : 0;
}
