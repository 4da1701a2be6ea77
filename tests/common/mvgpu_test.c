// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for the in-VM tests; see mvgpu_test.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <unistd.h>
#include <uuid/uuid.h>
#include <linux/pci_regs.h>

#include "mvgpu_test.h"

int mt_read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

int mt_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int ret = mt_read_str(path, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	return (errno || end == buf) ? -EINVAL : 0;
}

int mt_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int ret = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(s))
		ret = -EIO;
	close(fd);
	return ret;
}

int mt_readf_u64(uint64_t *val, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return mt_read_u64(path, val);
}

int mt_writef(const char *val, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return mt_write_str(path, val);
}

bool mt_exists(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return access(path, F_OK) == 0;
}

void mt_uuid(char out[MT_UUID_LEN])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

static char mt_names[2][8][64];	/* [parent, class name][gpu] */

/* Find GPU gpu's names once: the environment's parent for GPU 0 */
static void mt_resolve(unsigned int gpu)
{
	const char *env = gpu == 0 ? getenv("MVGPU_TEST_PARENT") :
			  gpu == 1 ? getenv("MVGPU_TEST_PARENT2") : NULL;
	char path[PATH_MAX], buf[64];
	struct dirent *e;
	DIR *d;

	if (mt_names[0][gpu][0])
		return;
	snprintf(mt_names[0][gpu], sizeof(mt_names[0][gpu]), "mvgpu%u", gpu);
	snprintf(mt_names[1][gpu], sizeof(mt_names[1][gpu]), "mvgpu%u", gpu);
	if (!env || !*env)
		return;
	snprintf(mt_names[0][gpu], sizeof(mt_names[0][gpu]), "%.63s", env);
	d = opendir(MT_CLASS);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), MT_CLASS "/%s/parent", e->d_name);
		if (!mt_read_str(path, buf, sizeof(buf)) && !strcmp(buf, env)) {
			snprintf(mt_names[1][gpu], sizeof(mt_names[1][gpu]),
				 "%.63s", e->d_name);
			break;
		}
	}
	if (d)
		closedir(d);
}

const char *mt_parent(unsigned int gpu)
{
	if (gpu >= 8)
		return "none";
	mt_resolve(gpu);
	return mt_names[0][gpu];
}

const char *mt_gpu_name(unsigned int gpu)
{
	if (gpu >= 8)
		return "none";
	mt_resolve(gpu);
	return mt_names[1][gpu];
}

int mt_create(unsigned int gpu, unsigned int divisor, const char *uuid)
{
	return mt_writef(uuid, MT_MDEV_BUS "/%s/mdev_supported_types/mvgpu-%u/create",
			 mt_parent(gpu), divisor);
}

int mt_create_new(unsigned int gpu, unsigned int divisor,
		  char uuid[MT_UUID_LEN])
{
	mt_uuid(uuid);
	return mt_create(gpu, divisor, uuid);
}

int mt_remove(const char *uuid)
{
	return mt_writef("1", MT_MDEV_DEVICES "/%s/remove", uuid);
}

int mt_remove_all(void)
{
	DIR *d = opendir(MT_MDEV_DEVICES);
	struct dirent *e;
	int ret = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (mt_remove(e->d_name))
			ret = -EIO;
	}
	closedir(d);
	return ret;
}

int mt_available(unsigned int gpu, unsigned int divisor)
{
	uint64_t v;
	int ret = mt_readf_u64(&v, MT_MDEV_BUS
			       "/%s/mdev_supported_types/mvgpu-%u/available_instances",
			       mt_parent(gpu), divisor);

	return ret ? ret : (int)v;
}

int mt_vgpu_stat(const char *uuid, const char *name, uint64_t *val)
{
	return mt_readf_u64(val, MT_MDEV_DEVICES "/%s/mvgpu_stats/%s", uuid,
			    name);
}

int mt_vgpu_set(const char *uuid, const char *attr, const char *val)
{
	return mt_writef(val, MT_MDEV_DEVICES "/%s/mvgpu/%s", uuid, attr);
}

/* ------------------------------ kernel log ------------------------------ */


static char *mt_kmsg_read(size_t *len)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;
	int n;

	if (size <= 0)
		return NULL;
	buf = malloc(size + 1);
	if (!buf)
		return NULL;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * The ring buffer can wrap; the mark is the log's tail text, found again
 * later, rather than a byte offset.
 */
static char mt_kmsg_tail[128];

void mt_kmsg_mark(void)
{
	size_t len = 0;
	char *buf = mt_kmsg_read(&len);

	mt_kmsg_tail[0] = '\0';
	if (!buf)
		return;
	if (len > sizeof(mt_kmsg_tail) - 1) {
		memcpy(mt_kmsg_tail, buf + len - (sizeof(mt_kmsg_tail) - 1),
		       sizeof(mt_kmsg_tail) - 1);
		mt_kmsg_tail[sizeof(mt_kmsg_tail) - 1] = '\0';
	}
	free(buf);
}

bool mt_kmsg_contains(const char *needle)
{
	size_t len = 0;
	char *buf = mt_kmsg_read(&len), *from;
	bool found;

	if (!buf)
		return false;
	from = buf;
	if (mt_kmsg_tail[0]) {
		char *p = strstr(buf, mt_kmsg_tail);

		if (p)
			from = p + strlen(mt_kmsg_tail);
	}
	found = strstr(from, needle) != NULL;
	free(buf);
	return found;
}

unsigned int mt_kmsg_count(const char *needle)
{
	size_t len = 0;
	char *buf = mt_kmsg_read(&len), *p;
	unsigned int n = 0;

	if (!buf)
		return 0;
	p = buf;
	if (mt_kmsg_tail[0]) {
		char *t = strstr(buf, mt_kmsg_tail);

		if (t)
			p = t + strlen(mt_kmsg_tail);
	}
	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	free(buf);
	return n;
}

/* --------------------------------- VFIO --------------------------------- */

int mt_iommu_group(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	char *slash;

	snprintf(path, sizeof(path), MT_MDEV_DEVICES "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	slash = strrchr(link, '/');
	return atoi(slash ? slash + 1 : link);
}

int mt_vfio_open(const char *uuid, struct mt_vfio *v)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int ret;

	v->container = v->group = v->device = -1;
	v->group_id = mt_iommu_group(uuid);
	if (v->group_id < 0)
		return v->group_id;

	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0)
		goto err;
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		errno = EINVAL;
		goto err;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", v->group_id);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0)
		goto err;
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status))
		goto err;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EINVAL;
		goto err;
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		goto err;
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) &&
	    ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		goto err;
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (v->device < 0)
		goto err;
	return 0;
err:
	ret = -errno;
	mt_vfio_close(v);
	return ret;
}

void mt_vfio_close(struct mt_vfio *v)
{
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->device = v->group = v->container = -1;
}

int mt_region_read(int device, unsigned int index, uint64_t off, void *buf,
		   size_t len)
{
	ssize_t n = pread(device, buf, len, MT_REGION(index) + off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int mt_region_write(int device, unsigned int index, uint64_t off,
		    const void *buf, size_t len)
{
	ssize_t n = pwrite(device, buf, len, MT_REGION(index) + off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int mt_cfg_read(int device, uint32_t off, void *buf, size_t len)
{
	return mt_region_read(device, VFIO_PCI_CONFIG_REGION_INDEX, off, buf,
			      len);
}

int mt_cfg_write(int device, uint32_t off, const void *buf, size_t len)
{
	return mt_region_write(device, VFIO_PCI_CONFIG_REGION_INDEX, off, buf,
			       len);
}

int mt_cfg_write16(int device, uint32_t off, uint16_t val)
{
	return mt_cfg_write(device, off, &val, sizeof(val));
}

uint16_t mt_cfg_read16(int device, uint32_t off)
{
	uint16_t v = 0;

	assert_int_equal(mt_cfg_read(device, off, &v, sizeof(v)), 0);
	return v;
}

uint32_t mt_cfg_read32(int device, uint32_t off)
{
	uint32_t v = 0;

	assert_int_equal(mt_cfg_read(device, off, &v, sizeof(v)), 0);
	return v;
}

int mt_enable(int device)
{
	uint16_t cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;

	return mt_cfg_write(device, PCI_COMMAND, &cmd, sizeof(cmd));
}

int mt_reg_read32(int device, uint32_t off, uint32_t *val)
{
	return mt_region_read(device, MVGPU_BAR0_INDEX, off, val, 4);
}

int mt_reg_write32(int device, uint32_t off, uint32_t val)
{
	return mt_region_write(device, MVGPU_BAR0_INDEX, off, &val, 4);
}

int mt_reg_read64(int device, uint32_t off, uint64_t *val)
{
	return mt_region_read(device, MVGPU_BAR0_INDEX, off, val, 8);
}

int mt_reg_write64(int device, uint32_t off, uint64_t val)
{
	return mt_region_write(device, MVGPU_BAR0_INDEX, off, &val, 8);
}

uint32_t mt_reg32(int device, uint32_t off)
{
	uint32_t v = 0;

	assert_int_equal(mt_reg_read32(device, off, &v), 0);
	return v;
}

uint64_t mt_reg64(int device, uint32_t off)
{
	uint64_t v = 0;

	assert_int_equal(mt_reg_read64(device, off, &v), 0);
	return v;
}

int mt_set_irqs(int device, uint32_t flags, unsigned int index,
		uint32_t start, uint32_t count, const void *data,
		size_t data_len)
{
	size_t argsz = sizeof(struct vfio_irq_set) + data_len;
	struct vfio_irq_set *set = calloc(1, argsz);
	int ret;

	if (!set)
		return -ENOMEM;
	set->argsz = argsz;
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	if (data_len)
		memcpy(set->data, data, data_len);
	ret = ioctl(device, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
	free(set);
	return ret;
}

int mt_set_irq_eventfd(int device, unsigned int index, int fd)
{
	int32_t efd = fd;

	return mt_set_irqs(device, VFIO_IRQ_SET_DATA_EVENTFD |
			   VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, 1, &efd,
			   sizeof(efd));
}

int mt_disable_irq(int device, unsigned int index)
{
	return mt_set_irqs(device, VFIO_IRQ_SET_DATA_NONE |
			   VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, 0, NULL, 0);
}

int mt_eventfd_wait(int fd, int timeout_ms, uint64_t *count)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t c;
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	if (read(fd, &c, sizeof(c)) != sizeof(c))
		return -errno;
	if (count)
		*count = c;
	return 1;
}

int mt_run(const char *name, const struct CMUnitTest *tests, size_t n,
	   CMFixtureFunction setup, CMFixtureFunction teardown)
{
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return _cmocka_run_group_tests(name, tests, n, setup, teardown);
}
