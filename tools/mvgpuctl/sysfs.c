// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sysfs model: what mvgpu.ko shows of its GPUs, types and vGPUs
 * (kmod/mvgpu_sysfs.c lists every attribute), read into plain structs.
 *
 *   ROOT/class/mvgpu/mvgpuN/                    a physical GPU
 *   ROOT/class/mdev_bus/mvgpuN/mdev_supported_types/mvgpu-D/   its types
 *   ROOT/bus/mdev/devices/UUID/{mvgpu,mvgpu_stats}/             a vGPU
 *
 * ROOT is /sys, or what --sysfs-root / MVGPU_SYSFS_ROOT say.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvgpuctl.h"
#include "mvgpu_uapi.h"

const char *mvctl_sysfs_root = "/sys";

const struct mvctl_stat_info mvctl_stats[MVCTL_NUM_STATS] = {
	[MVCTL_STAT_BUSY_NS]	= { "busy_ns", "busy", MVCTL_UNIT_NS, NULL },
	[MVCTL_STAT_WAIT_NS]	= { "wait_ns", "wait", MVCTL_UNIT_NS, NULL },
	/* engine ns / weight */
	[MVCTL_STAT_VRUNTIME_NS] = { "vruntime_ns", "vruntime", MVCTL_UNIT_NS,
				     NULL },
	[MVCTL_STAT_SLICES]	= { "slices", "slices", MVCTL_UNIT_COUNT, NULL },
	[MVCTL_STAT_PREEMPTIONS] = { "preemptions", "preemptions",
				     MVCTL_UNIT_COUNT, NULL },
	[MVCTL_STAT_MAX_WAIT_SLICES] = { "max_wait_slices", "max wait",
					 MVCTL_UNIT_COUNT, "slices" },
	[MVCTL_STAT_COMMANDS]	= { "commands", "commands", MVCTL_UNIT_COUNT,
				    NULL },
	[MVCTL_STAT_BYTES]	= { "bytes", "bytes", MVCTL_UNIT_BYTES, NULL },
	[MVCTL_STAT_FAULTS]	= { "faults", "faults", MVCTL_UNIT_COUNT, NULL },
	[MVCTL_STAT_VRAM_FAULTS] = { "vram_faults", "vram faults",
				     MVCTL_UNIT_COUNT, "pages" },
	[MVCTL_STAT_INTERRUPTS]	= { "interrupts", "interrupts",
				    MVCTL_UNIT_COUNT, NULL },
	[MVCTL_STAT_SCRUBS]	= { "scrubs", "scrubs", MVCTL_UNIT_COUNT, NULL },
	[MVCTL_STAT_SCRUB_LAST_NS] = { "scrub_last_ns", "last scrub",
				       MVCTL_UNIT_NS, NULL },
	[MVCTL_STAT_DMA_ABANDONED] = { "dma_abandoned", "DMA abandoned",
				       MVCTL_UNIT_COUNT, NULL },
};

char *mvctl_path(char *buf, const char *fmt, ...)
{
	size_t n = strlen(mvctl_sysfs_root);
	va_list ap;

	snprintf(buf, PATH_MAX, "%s", mvctl_sysfs_root);
	/* "/" as root must not give "//class" */
	if (n && buf[n - 1] == '/')
		buf[--n] = '\0';
	va_start(ap, fmt);
	vsnprintf(buf + n, PATH_MAX - n, fmt, ap);
	va_end(ap);
	return buf;
}

int mvctl_require_module(void)
{
	char path[PATH_MAX];
	struct stat st;

	mvctl_path(path, "/class/mvgpu");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return MVCTL_EXIT_OK;
	return mvctl_fail(MVCTL_EXIT_NOMODULE,
			  "the mvgpu module is not loaded (%s does not exist): load it with 'modprobe mvgpu' (or 'insmod mvgpu.ko'), see docs/operator.md",
			  path);
}

int mvctl_read_attr(const char *path, char *buf, size_t len)
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

int mvctl_read_u64_attr(const char *path, uint64_t *val)
{
	char buf[64];
	int ret = mvctl_read_attr(path, buf, sizeof(buf));

	if (ret)
		return ret;
	return mvctl_parse_u64(buf, 0, UINT64_MAX, val) ? -EPROTO : 0;
}

int mvctl_write_attr(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, s, len);
	} while (n < 0 && errno == EINTR);
	err = errno;
	if (close(fd) && n >= 0)
		return -errno;
	if (n < 0)
		return -err;
	return (size_t)n == len ? 0 : -EIO;
}

int mvctl_write_error(int err, const char *path, const char *what)
{
	if (err == -EACCES || err == -EPERM || err == -EROFS)
		return mvctl_fail(MVCTL_EXIT_PERM,
				  "%s: permission denied writing %s: run mvgpuctl as root (e.g. with sudo)",
				  what, path);
	if (err == -ENOENT || err == -ENODEV)
		return mvctl_fail(MVCTL_EXIT_NOTFOUND,
				  "%s: %s is gone (removed meanwhile?): check with 'mvgpuctl list'",
				  what, path);
	return mvctl_fail(MVCTL_EXIT_FAIL,
			  "%s: the kernel refused the write to %s (%s): see 'dmesg' for the reason",
			  what, path, strerror(-err));
}

/* Read a ROOT-relative attribute into buf; 0, or -errno with errno set */
static int mvctl_load_str(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mvctl_load_str(char *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX], path[PATH_MAX];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	mvctl_path(path, "%s", rel);
	ret = mvctl_read_attr(path, buf, len);
	if (ret)
		errno = -ret;
	return ret;
}

/* The same for a number */
static int mvctl_load_u64(uint64_t *val, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int mvctl_load_u64(uint64_t *val, const char *fmt, ...)
{
	char rel[PATH_MAX], path[PATH_MAX];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	ret = mvctl_read_u64_attr(mvctl_path(path, "%s", rel), val);
	if (ret)
		errno = -ret;	/* for the caller's message */
	return ret;
}

/* Natural order: "mvgpu2" before "mvgpu10" */
static int mvctl_natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			unsigned long x = strtoul(a, (char **)&a, 10);
			unsigned long y = strtoul(b, (char **)&b, 10);

			if (x != y)
				return x < y ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int mvctl_gpu_cmp(const void *a, const void *b)
{
	return mvctl_natcmp(((const struct mvctl_gpu *)a)->name,
			    ((const struct mvctl_gpu *)b)->name);
}

static int mvctl_vgpu_cmp(const void *a, const void *b)
{
	const struct mvctl_vgpu *x = a, *y = b;
	int c = mvctl_natcmp(x->gpu, y->gpu);

	return c ? c : strcmp(x->uuid, y->uuid);
}

static int mvctl_type_cmp(const void *a, const void *b)
{
	const struct mvctl_type *x = a, *y = b;

	return (x->divisor > y->divisor) - (x->divisor < y->divisor);
}

/* "vram=32MiB share=12.5% max_instances=8" */
static void mvctl_parse_description(struct mvctl_type *t)
{
	char buf[sizeof(t->description)], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", t->description);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *val = strchr(tok, '=');
		char *end;
		uint64_t v;

		if (!val)
			continue;
		*val++ = '\0';
		if (!strcmp(tok, "vram")) {
			v = strtoull(val, &end, 10);
			if (!strcmp(end, "KiB"))
				v <<= 10;
			else if (!strcmp(end, "MiB"))
				v <<= 20;
			else if (!strcmp(end, "GiB"))
				v <<= 30;
			else if (strcmp(end, "") && strcmp(end, "B"))
				continue;
			t->vram_size = v;
		} else if (!strcmp(tok, "share")) {
			size_t n = strlen(val);

			if (n && val[n - 1] == '%')
				val[n - 1] = '\0';
			if (!mvctl_parse_milli(val, &v))
				t->share_permille = (unsigned int)(v / 100);
		} else if (!strcmp(tok, "max_instances")) {
			if (!mvctl_parse_u64(val, 0, UINT32_MAX, &v))
				t->max_instances = (unsigned int)v;
		}
	}
}

static int mvctl_load_type(struct mvctl_gpu *gpu, const char *types_dir,
			   const char *name)
{
	struct mvctl_type *t;
	unsigned int divisor;
	uint64_t v;
	int ret;

	if (strncmp(name, "mvgpu-", 6) || mvctl_parse_type(name, &divisor))
		return 0;	/* not one of ours */
	if (gpu->ntypes == MVCTL_MAX_TYPES)
		return 0;
	t = &gpu->types[gpu->ntypes];
	memset(t, 0, sizeof(*t));
	mvctl_strlcpy(t->name, name, sizeof(t->name));
	t->divisor = divisor;
	/* defaults from the type's arithmetic, then what the module says */
	t->vram_size = gpu->vram_size / divisor;
	t->share_permille = 1000 / divisor;
	t->max_instances = divisor;
	if (mvctl_load_str(t->pretty, sizeof(t->pretty), "%s/%s/name",
			   types_dir, name))
		t->pretty[0] = '\0';
	if (!mvctl_load_str(t->description, sizeof(t->description),
			    "%s/%s/description", types_dir, name))
		mvctl_parse_description(t);
	if (mvctl_load_str(t->device_api, sizeof(t->device_api),
			   "%s/%s/device_api", types_dir, name))
		t->device_api[0] = '\0';
	ret = mvctl_load_u64(&v, "%s/%s/available_instances", types_dir, name);
	if (ret)
		return ret;
	t->available = (unsigned int)v;
	gpu->ntypes++;
	return 0;
}

/* "1 2 3" into vals; returns how many */
static unsigned int mvctl_split_u64(const char *s, uint64_t *vals,
				    unsigned int max)
{
	unsigned int n = 0;

	while (*s && n < max) {
		char *end;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		vals[n] = strtoull(s, &end, 10);
		if (end == s)
			break;
		n++;
		s = end;
	}
	return n;
}

static int mvctl_load_gpu(struct mvctl_gpu *gpu, const char *name)
{
	char buf[256], types_rel[PATH_MAX], path[PATH_MAX];
	uint64_t v, vals[MVCTL_MAX_ENGINES];
	const char *attr;
	struct dirent *de;
	unsigned int i, n;
	char *l, *r;
	DIR *d;
	int ret;

	memset(gpu, 0, sizeof(*gpu));
	mvctl_strlcpy(gpu->name, name, sizeof(gpu->name));

#define LOAD_U64(field, a)						\
	do {								\
		attr = a;						\
		if (mvctl_load_u64(&v, "/class/mvgpu/%s/%s", name, attr))	\
			goto err;					\
		gpu->field = v;						\
	} while (0)

	attr = "backend";
	if (mvctl_load_str(gpu->backend, sizeof(gpu->backend),
			   "/class/mvgpu/%s/%s", name, attr))
		goto err;
	LOAD_U64(vram_size, "vram_size");
	LOAD_U64(vram_free, "vram_free");
	LOAD_U64(vram_releasing, "vram_releasing");
	LOAD_U64(engines, "engines");
	LOAD_U64(timeslice_us, MVGPU_ATTR_TIMESLICE_US);
#undef LOAD_U64

	attr = MVGPU_ATTR_SCHEDULER;
	if (mvctl_load_str(gpu->policies, sizeof(gpu->policies),
			   "/class/mvgpu/%s/%s", name, attr))
		goto err;
	l = strchr(gpu->policies, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r)
		snprintf(gpu->scheduler, sizeof(gpu->scheduler), "%.*s",
			 (int)(r - l - 1), l + 1);
	else
		mvctl_strlcpy(gpu->scheduler, gpu->policies,
			      sizeof(gpu->scheduler));

	attr = "engine_busy_ns";
	if (mvctl_load_str(buf, sizeof(buf), "/class/mvgpu/%s/%s", name, attr))
		goto err;
	n = mvctl_split_u64(buf, gpu->engine_busy_ns, MVCTL_MAX_ENGINES);
	attr = "engine_utilization";
	if (mvctl_load_str(buf, sizeof(buf), "/class/mvgpu/%s/%s", name, attr))
		goto err;
	i = mvctl_split_u64(buf, vals, MVCTL_MAX_ENGINES);
	gpu->nengines_read = n < i ? n : i;
	for (i = 0; i < gpu->nengines_read; i++)
		gpu->engine_util[i] = (unsigned int)vals[i];

	snprintf(types_rel, sizeof(types_rel),
		 "/class/mdev_bus/%s/mdev_supported_types", name);
	d = opendir(mvctl_path(path, "%s", types_rel));
	if (!d) {
		snprintf(types_rel, sizeof(types_rel),
			 "/class/mvgpu/%s/mdev_supported_types", name);
		d = opendir(mvctl_path(path, "%s", types_rel));
	}
	if (!d) {
		attr = "mdev_supported_types";
		goto err;
	}
	while ((de = readdir(d))) {
		ret = mvctl_load_type(gpu, types_rel, de->d_name);
		if (ret) {
			closedir(d);
			errno = -ret;
			attr = "mdev_supported_types";
			goto err;
		}
	}
	closedir(d);
	qsort(gpu->types, gpu->ntypes, sizeof(gpu->types[0]), mvctl_type_cmp);
	return 0;

err:
	return mvctl_fail(MVCTL_EXIT_FAIL,
			  "cannot read %s of GPU %s (%s): is the mvgpu module being unloaded? Try again, or see dmesg",
			  attr, name, strerror(errno));
}

/* 0, -ENOENT when the vGPU vanished or is not an mvgpu one, or -errno */
static int mvctl_load_vgpu(struct mvctl_vgpu *vg, const char *uuid,
			   unsigned int flags)
{
	const char *dev = "/bus/mdev/devices";
	char buf[128], path[PATH_MAX], link[PATH_MAX], *sp, *base;
	uint64_t v;
	ssize_t n;
	int i;

	memset(vg, 0, sizeof(*vg));
	mvctl_strlcpy(vg->uuid, uuid, sizeof(vg->uuid));
	if (mvctl_load_str(vg->gpu, sizeof(vg->gpu), "%s/%s/mvgpu/gpu", dev,
			   uuid))
		return -errno;
	n = readlink(mvctl_path(path, "%s/%s/mdev_type", dev, uuid), link,
		     sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	mvctl_strlcpy(vg->type, base ? base + 1 : link, sizeof(vg->type));

	if (mvctl_load_str(vg->state, sizeof(vg->state), "%s/%s/mvgpu/state",
			   dev, uuid) ||
	    mvctl_load_str(buf, sizeof(buf), "%s/%s/mvgpu/owner", dev, uuid) ||
	    mvctl_load_str(vg->priority, sizeof(vg->priority),
			   "%s/%s/mvgpu/priority", dev, uuid))
		return -errno;
	sp = strchr(buf, ' ');
	if (sp) {
		*sp = '\0';
		vg->owner_pid = atoi(buf);
		snprintf(vg->owner_comm, sizeof(vg->owner_comm), "%s", sp + 1);
	}
	if (mvctl_load_u64(&v, "%s/%s/mvgpu/%s", dev, uuid, MVGPU_ATTR_WEIGHT))
		return -errno;
	vg->weight = (unsigned int)v;
	if (mvctl_load_u64(&v, "%s/%s/mvgpu/%s", dev, uuid, MVGPU_ATTR_CAP))
		return -errno;
	vg->cap = (unsigned int)v;
	if (mvctl_load_u64(&vg->vram_size, "%s/%s/mvgpu/vram_size", dev, uuid))
		return -errno;

	if (!(flags & MVCTL_LOAD_STATS))
		return 0;
	for (i = 0; i < MVCTL_NUM_STATS; i++)
		if (mvctl_load_u64(&vg->stats[i], "%s/%s/mvgpu_stats/%s", dev,
				   uuid, mvctl_stats[i].name))
			return -errno;
	vg->have_stats = true;
	return 0;
}

static void *mvctl_grow(void *arr, unsigned int n, unsigned int *cap,
			size_t size)
{
	void *p;

	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 8;
	p = realloc(arr, *cap * size);
	if (!p) {
		mvctl_fail(MVCTL_EXIT_FAIL, "out of memory");
		exit(MVCTL_EXIT_FAIL);
	}
	return p;
}

int mvctl_sys_load(struct mvctl_sys *sys, unsigned int flags)
{
	char path[PATH_MAX];
	unsigned int cap = 0, i, j;
	struct dirent *de;
	DIR *d;
	int ret;

	memset(sys, 0, sizeof(*sys));
	ret = mvctl_require_module();
	if (ret)
		return ret;

	d = opendir(mvctl_path(path, "/class/mvgpu"));
	if (!d)
		return mvctl_fail(MVCTL_EXIT_FAIL, "cannot read %s: %s", path,
				  strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		sys->gpus = mvctl_grow(sys->gpus, sys->ngpus, &cap,
				       sizeof(*sys->gpus));
		ret = mvctl_load_gpu(&sys->gpus[sys->ngpus], de->d_name);
		if (ret) {
			closedir(d);
			mvctl_sys_free(sys);
			return ret;
		}
		sys->ngpus++;
	}
	closedir(d);
	qsort(sys->gpus, sys->ngpus, sizeof(*sys->gpus), mvctl_gpu_cmp);

	cap = 0;
	d = opendir(mvctl_path(path, "/bus/mdev/devices"));
	if (!d)
		return MVCTL_EXIT_OK;	/* no mdev bus: no vGPUs */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		sys->vgpus = mvctl_grow(sys->vgpus, sys->nvgpus, &cap,
					sizeof(*sys->vgpus));
		ret = mvctl_load_vgpu(&sys->vgpus[sys->nvgpus], de->d_name,
				      flags);
		if (ret == -ENOENT || ret == -ENODEV)
			continue;	/* removed meanwhile, or not ours */
		if (ret) {
			closedir(d);
			mvctl_sys_free(sys);
			return mvctl_fail(MVCTL_EXIT_FAIL,
					  "cannot read vGPU %s: %s",
					  de->d_name, strerror(-ret));
		}
		sys->nvgpus++;
	}
	closedir(d);
	qsort(sys->vgpus, sys->nvgpus, sizeof(*sys->vgpus), mvctl_vgpu_cmp);
	for (i = 0; i < sys->ngpus; i++)
		for (j = 0; j < sys->nvgpus; j++)
			if (!strcmp(sys->vgpus[j].gpu, sys->gpus[i].name)) {
				sys->gpus[i].nvgpus++;
				sys->gpus[i].vram_vgpus += sys->vgpus[j].vram_size;
			}
	return MVCTL_EXIT_OK;
}

void mvctl_sys_free(struct mvctl_sys *sys)
{
	free(sys->gpus);
	free(sys->vgpus);
	memset(sys, 0, sizeof(*sys));
}

uint64_t mvctl_gpu_vram_releasing(const struct mvctl_gpu *g)
{
	return g->vram_releasing;
}

struct mvctl_gpu *mvctl_find_gpu(struct mvctl_sys *sys, const char *name)
{
	unsigned int i;

	for (i = 0; i < sys->ngpus; i++)
		if (!strcmp(sys->gpus[i].name, name))
			return &sys->gpus[i];
	return NULL;
}

struct mvctl_vgpu *mvctl_find_vgpu(struct mvctl_sys *sys, const char *uuid)
{
	unsigned int i;

	for (i = 0; i < sys->nvgpus; i++)
		if (!strcmp(sys->vgpus[i].uuid, uuid))
			return &sys->vgpus[i];
	return NULL;
}

struct mvctl_type *mvctl_find_type(struct mvctl_gpu *gpu, unsigned int divisor)
{
	unsigned int i;

	for (i = 0; i < gpu->ntypes; i++)
		if (gpu->types[i].divisor == divisor)
			return &gpu->types[i];
	return NULL;
}

static void mvctl_gpu_names(struct mvctl_sys *sys, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < sys->ngpus && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				sys->gpus[i].name);
	if (!sys->ngpus)
		snprintf(buf, len, "none");
}

int mvctl_lookup_gpu(struct mvctl_sys *sys, const char *arg,
		     struct mvctl_gpu **out)
{
	char name[MVCTL_NAME_LEN], names[256];
	uint64_t idx;

	if (!mvctl_parse_u64(arg, 0, 1000, &idx))
		snprintf(name, sizeof(name), "mvgpu%llu",
			 (unsigned long long)idx);
	else
		snprintf(name, sizeof(name), "%s", arg);
	*out = mvctl_find_gpu(sys, name);
	if (*out)
		return MVCTL_EXIT_OK;
	mvctl_gpu_names(sys, names, sizeof(names));
	return mvctl_fail(MVCTL_EXIT_NOTFOUND,
			  "no GPU named '%s' (the GPUs are: %s): see 'mvgpuctl list'",
			  arg, names);
}

int mvctl_lookup_vgpu(struct mvctl_sys *sys, const char *arg,
		      struct mvctl_vgpu **out)
{
	char uuid[MVCTL_UUID_LEN], path[PATH_MAX];
	struct stat st;

	*out = NULL;
	if (mvctl_parse_uuid(arg, uuid))
		return mvctl_fail(MVCTL_EXIT_USAGE,
				  "'%s' is not a UUID: give a vGPU's UUID as 'mvgpuctl list' shows it (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
				  arg);
	*out = mvctl_find_vgpu(sys, uuid);
	if (*out)
		return MVCTL_EXIT_OK;
	if (stat(mvctl_path(path, "/bus/mdev/devices/%s", uuid), &st) == 0)
		return mvctl_fail(MVCTL_EXIT_NOTFOUND,
				  "%s is a mediated device of another driver, not an mvgpu vGPU: see 'mvgpuctl list'",
				  uuid);
	return mvctl_fail(MVCTL_EXIT_NOTFOUND,
			  "no vGPU with UUID %s: see 'mvgpuctl list' for the vGPUs, 'mvgpuctl create' to make one",
			  uuid);
}
