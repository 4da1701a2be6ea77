// SPDX-License-Identifier: MIT
/*
 * sysfs and identifier helpers shared by both halves of the library:
 * reading and writing one attribute, paths under a sysfs root, UUIDs and
 * type names.  The only sysfs reader and the only UUID parser of libmvgpu
 * and mvgpuctl.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "libmvgpu_int.h"
#include "libmvgpu_admin.h"

int mvgpu__read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf, len - 1);
	} while (n < 0 && errno == EINTR);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int mvgpu__parse_u64(const char *s, uint64_t *val)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*val = v;
	return 0;
}

int mvgpu__read_u64(const char *path, uint64_t *val)
{
	char buf[64];
	int ret = mvgpu__read_file(path, buf, sizeof(buf));

	return ret ? ret : mvgpu__parse_u64(buf, val);
}

int mvgpu__sysfs_read(const char *dir, const char *name, char *buf,
		      size_t len)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return mvgpu__read_file(path, buf, len);
}

int mvgpu__sysfs_u64(const char *dir, const char *name, uint64_t *val)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return mvgpu__read_u64(path, val);
}

int mvgpu__write_fd(int fd, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	do {
		n = write(fd, s, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int mvgpu__write_file(const char *path, const char *s)
{
	int fd, ret;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = mvgpu__write_fd(fd, s);
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int mvgpu_pci_addr_parse(const char *s, char out[MVGPU_PCI_ADDR_LEN])
{
	static const char form[] = "xxxx:xx:xx.x";
	char tmp[MVGPU_PCI_ADDR_LEN];
	size_t i;

	if (!s || !out)
		return -EINVAL;
	if (strlen(s) == 7)
		snprintf(tmp, sizeof(tmp), "0000:%s", s);
	else if (strlen(s) == 12)
		snprintf(tmp, sizeof(tmp), "%s", s);
	else
		return -EINVAL;
	for (i = 0; i < 12; i++) {
		if (form[i] == 'x' ? !isxdigit((unsigned char)tmp[i]) :
		    tmp[i] != form[i])
			return -EINVAL;
		tmp[i] = (char)tolower((unsigned char)tmp[i]);
	}
	if (tmp[11] > '7')
		return -EINVAL;	/* functions are 0..7 */
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

int mvgpu_uuid_parse(const char *s, char out[MVGPU_UUID_LEN])
{
	static const int dash[] = { 8, 13, 18, 23 };
	char tmp[MVGPU_UUID_LEN];
	unsigned int i, d = 0;

	if (!s || !out || strlen(s) != 36)
		return -EINVAL;
	for (i = 0; i < 36; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (s[i] != '-')
				return -EINVAL;
			tmp[i] = '-';
			d++;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		tmp[i] = (char)tolower((unsigned char)s[i]);
	}
	tmp[36] = '\0';
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

int mvgpu_uuid_random(char out[MVGPU_UUID_LEN])
{
	unsigned char b[16];
	size_t got = 0;

	if (!out)
		return -EINVAL;
	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += n;
	}
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	snprintf(out, MVGPU_UUID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

int mvgpu_type_parse(const char *s, unsigned int *divisor)
{
	uint64_t d;

	if (!s || !divisor)
		return -EINVAL;
	if (!strncmp(s, MVGPU_TYPE_PREFIX, strlen(MVGPU_TYPE_PREFIX)))
		s += strlen(MVGPU_TYPE_PREFIX);
	else if (!strncmp(s, "1/", 2))
		s += 2;
	if (mvgpu__parse_u64(s, &d) || d < 1 || d > 1024)
		return -EINVAL;
	*divisor = (unsigned int)d;
	return 0;
}

/* Copy the library's struct src of lib_size into the caller's dst */
int mvgpu__copy_out(void *dst, const void *src, size_t lib_size,
		    const char *func)
{
	uint32_t size;
	size_t n;

	if (!dst)
		return mvgpu__err(-EINVAL, "%s: the output struct is NULL", func);
	memcpy(&size, dst, sizeof(size));
	if (size < MVGPU_ADMIN_MIN_SIZE)
		return mvgpu__err(-EINVAL,
				  "%s: the output struct's size is %u: set it to sizeof the struct",
				  func, size);
	n = size < lib_size ? size : lib_size;
	memcpy((char *)dst + sizeof(size), (const char *)src + sizeof(size),
	       n - sizeof(size));
	size = (uint32_t)n;
	memcpy(dst, &size, sizeof(size));
	return 0;
}

/* Copy the caller's input struct into the library's, zero-extended */
int mvgpu__copy_in(void *dst, size_t lib_size, const void *src,
		   const char *func)
{
	uint32_t size;

	if (!src)
		return mvgpu__err(-EINVAL, "%s: the input struct is NULL", func);
	memcpy(&size, src, sizeof(size));
	if (size < MVGPU_ADMIN_MIN_SIZE)
		return mvgpu__err(-EINVAL,
				  "%s: the input struct's size is %u: set it to sizeof the struct",
				  func, size);
	memset(dst, 0, lib_size);
	memcpy(dst, src, size < lib_size ? size : lib_size);
	return 0;
}

int mvgpu__link_basename(const char *dir, const char *name, char *buf,
			 size_t len)
{
	char path[PATH_MAX + 64], target[PATH_MAX];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	slash = strrchr(target, '/');
	slash = slash ? slash + 1 : target;
	if (strlen(slash) >= len)
		return -ENAMETOOLONG;
	memcpy(buf, slash, strlen(slash) + 1);
	return 0;
}

char *mvgpu__strlcpy(char *d, const char *s, size_t n)
{
	size_t len = strlen(s);

	if (len >= n)
		len = n - 1;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}
