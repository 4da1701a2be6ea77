// SPDX-License-Identifier: MIT
/*
 * The management handle and its snapshot: what mvgpu.ko shows of its GPUs,
 * types and vGPUs (kmod/mvgpu_sysfs.c, names in include/mvgpu_uapi.h),
 * read into the structs of libmvgpu_admin.h.
 *
 *   ROOT/class/mvgpu/mvgpuN/                                   a GPU
 *   ROOT/class/mdev_bus/PARENT/mdev_supported_types/mvgpu-D/   its types
 *
 * PARENT is the GPU's mdev parent, named by its "parent" attribute: the
 * GPU itself (mvgpuN) for a software GPU, the PCI device (0000:00:04.0)
 * for one a PCI backend drives; a tree without the attribute is read as
 * if it said mvgpuN.
 *   ROOT/bus/mdev/devices/UUID/{mvgpu,mvgpu_stats,mvgpu_meter}/ a vGPU
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "admin_int.h"

char *mvgpu__apath(const struct mvgpu_admin *a, char *buf, const char *fmt,
		   ...)
{
	size_t n = strlen(a->root);
	va_list ap;

	memcpy(buf, a->root, n + 1);
	va_start(ap, fmt);
	vsnprintf(buf + n, PATH_MAX - n, fmt, ap);
	va_end(ap);
	return buf;
}

char *mvgpu__vgpu_dir(const struct mvgpu_admin *a, char *buf,
		      const char *uuid)
{
	return mvgpu__apath(a, buf, "/%s/%s", MVGPU_SYSFS_MDEV_DEVICES_REL,
			    uuid);
}

/* Natural order: "mvgpu2" before "mvgpu10" */
static int mvgpu_natcmp(const char *a, const char *b)
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

static int mvgpu_gpu_cmp(const void *a, const void *b)
{
	return mvgpu_natcmp(((const struct mvgpu_admin_gpu *)a)->info.name,
			    ((const struct mvgpu_admin_gpu *)b)->info.name);
}

static int mvgpu_vgpu_cmp(const void *a, const void *b)
{
	const struct mvgpu_vgpu_info *x = a, *y = b;
	int c = mvgpu_natcmp(x->gpu, y->gpu);

	return c ? c : strcmp(x->uuid, y->uuid);
}

static int mvgpu_type_cmp(const void *a, const void *b)
{
	const struct mvgpu_type_info *x = a, *y = b;

	return (x->divisor > y->divisor) - (x->divisor < y->divisor);
}

/* "1 2 3" into vals; returns how many */
static unsigned int mvgpu_split_u64(const char *s, uint64_t *vals,
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

/* Read dir/name as a string or a number, naming it in the error */
static int mvgpu_load_str(const char *dir, const char *name, char *buf,
			  size_t len, const char *what)
{
	int ret = mvgpu__sysfs_read(dir, name, buf, len);

	if (ret)
		return mvgpu__err(ret, "cannot read %s of %s (%s/%s): %s",
				  name, what, dir, name, strerror(-ret));
	return 0;
}

static int mvgpu_load_u64(const char *dir, const char *name, uint64_t *v,
			  const char *what)
{
	int ret = mvgpu__sysfs_u64(dir, name, v);

	if (ret)
		return mvgpu__err(ret, "cannot read %s of %s (%s/%s): %s",
				  name, what, dir, name,
				  ret == -EINVAL ? "not a number" :
				  strerror(-ret));
	return 0;
}

static int mvgpu_load_u32(const char *dir, const char *name, uint32_t *v,
			  const char *what)
{
	uint64_t x;
	int ret = mvgpu_load_u64(dir, name, &x, what);

	if (!ret)
		*v = (uint32_t)x;
	return ret;
}

static int mvgpu_load_type(struct mvgpu_admin_gpu *g, const char *types_dir,
			   const char *name)
{
	struct mvgpu_type_info *t;
	char dir[PATH_MAX + 320], num[PATH_MAX + 352], what[96];
	unsigned int divisor;
	uint64_t v;
	int ret;

	if (strncmp(name, MVGPU_TYPE_PREFIX, strlen(MVGPU_TYPE_PREFIX)) ||
	    mvgpu_type_parse(name, &divisor))
		return 0;	/* not one of ours */
	if (g->info.ntypes == MVGPU_ADMIN_MAX_TYPES)
		return 0;
	t = &g->types[g->info.ntypes];
	memset(t, 0, sizeof(*t));
	t->size = sizeof(*t);
	mvgpu__strlcpy(t->name, name, sizeof(t->name));
	mvgpu__strlcpy(t->gpu, g->info.name, sizeof(t->gpu));
	snprintf(dir, sizeof(dir), "%s/%.255s", types_dir, name);
	snprintf(num, sizeof(num), "%s/%s", dir, MVGPU_TYPE_ATTR_DIR);
	snprintf(what, sizeof(what), "type %.31s of %.31s", name,
		 g->info.name);
	if (mvgpu__sysfs_read(dir, "name", t->pretty, sizeof(t->pretty)))
		t->pretty[0] = '\0';
	if (mvgpu__sysfs_read(dir, "description", t->description,
			      sizeof(t->description)))
		t->description[0] = '\0';
	if (mvgpu__sysfs_read(dir, "device_api", t->device_api,
			      sizeof(t->device_api)))
		t->device_api[0] = '\0';
	ret = mvgpu_load_u32(num, MVGPU_ATTR_TYPE_DIVISOR, &t->divisor, what);
	if (!ret && t->divisor != divisor)
		ret = mvgpu__err(-EPROTO, "%s says divisor %u", what,
				 t->divisor);
	if (!ret)
		ret = mvgpu_load_u64(num, MVGPU_ATTR_TYPE_VRAM_SIZE,
				     &t->vram_size, what);
	if (!ret)
		ret = mvgpu_load_u32(num, MVGPU_ATTR_TYPE_SHARE,
				     &t->share_permille, what);
	if (!ret)
		ret = mvgpu_load_u32(num, MVGPU_ATTR_TYPE_SLICES, &t->slices,
				     what);
	if (!ret)
		ret = mvgpu_load_u64(dir, "available_instances", &v, what);
	if (ret)
		return ret;
	t->available = (uint32_t)v;
	t->max_instances = t->vram_size ?
		(uint32_t)(g->info.vram_size / t->vram_size) : 0;
	g->info.ntypes++;
	return 0;
}

static int mvgpu_load_types(struct mvgpu_admin *a, struct mvgpu_admin_gpu *g)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = opendir(mvgpu__apath(a, dir, "/%s/%s/%s", MVGPU_SYSFS_MDEV_BUS_REL,
				 g->info.parent, MVGPU_SYSFS_TYPES_DIR));
	if (!d)
		d = opendir(mvgpu__apath(a, dir, "/%s/%s/%s",
					 MVGPU_SYSFS_CLASS_REL, g->info.name,
					 MVGPU_SYSFS_TYPES_DIR));
	if (!d)
		return mvgpu__err(-errno, "cannot read the types of %s (%s): %s",
				  g->info.name, dir, strerror(errno));
	while (!ret && (de = readdir(d)))
		ret = mvgpu_load_type(g, dir, de->d_name);
	closedir(d);
	qsort(g->types, g->info.ntypes, sizeof(g->types[0]), mvgpu_type_cmp);
	return ret;
}

/* Records in the usage attribute (a page of them at most) */
static uint64_t mvgpu_count_usage(const char *gpu_dir)
{
	char *buf = malloc(8192), *p;
	uint64_t n = 0;

	if (!buf)
		return 0;
	if (!mvgpu__sysfs_read(gpu_dir, MVGPU_ATTR_USAGE, buf, 8192) && buf[0])
		for (n = 1, p = buf; (p = strchr(p, '\n')); p++)
			n++;
	free(buf);
	return n;
}

static int mvgpu_load_gpu(struct mvgpu_admin *a, struct mvgpu_admin_gpu *g,
			  const char *name)
{
	struct mvgpu_gpu_info *i = &g->info;
	char dir[PATH_MAX], buf[256], what[64];
	uint64_t vals[MVGPU_ADMIN_MAX_ENGINES];
	unsigned int n, k;
	char *l, *r;
	int ret;

	memset(g, 0, sizeof(*g));
	i->size = sizeof(*i);
	mvgpu__strlcpy(i->name, name, sizeof(i->name));
	snprintf(what, sizeof(what), "GPU %.31s", name);
	mvgpu__apath(a, dir, "/%s/%s", MVGPU_SYSFS_CLASS_REL, name);

	ret = mvgpu_load_str(dir, MVGPU_ATTR_BACKEND, i->backend,
			     sizeof(i->backend), what);
	if (!ret)
		ret = mvgpu_load_u64(dir, MVGPU_ATTR_GPU_VRAM_SIZE,
				     &i->vram_size, what);
	if (!ret)
		ret = mvgpu_load_u64(dir, MVGPU_ATTR_VRAM_FREE, &i->vram_free,
				     what);
	if (!ret)
		ret = mvgpu_load_u64(dir, MVGPU_ATTR_VRAM_RELEASING,
				     &i->vram_releasing, what);
	if (!ret)
		ret = mvgpu_load_u32(dir, MVGPU_ATTR_ENGINES, &i->engines, what);
	if (!ret)
		ret = mvgpu_load_u32(dir, MVGPU_ATTR_TIMESLICE_US,
				     &i->timeslice_us, what);
	if (!ret)
		ret = mvgpu_load_str(dir, MVGPU_ATTR_SCHEDULER, i->policies,
				     sizeof(i->policies), what);
	if (ret)
		return ret;
	l = strchr(i->policies, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r)
		snprintf(i->scheduler, sizeof(i->scheduler), "%.*s",
			 (int)(r - l - 1), l + 1);
	else
		mvgpu__strlcpy(i->scheduler, i->policies, sizeof(i->scheduler));

	ret = mvgpu_load_str(dir, MVGPU_ATTR_ENGINE_BUSY_NS, buf, sizeof(buf),
			     what);
	if (ret)
		return ret;
	n = mvgpu_split_u64(buf, i->engine_busy_ns, MVGPU_ADMIN_MAX_ENGINES);
	ret = mvgpu_load_str(dir, MVGPU_ATTR_ENGINE_UTILIZATION, buf,
			     sizeof(buf), what);
	if (ret)
		return ret;
	k = mvgpu_split_u64(buf, vals, MVGPU_ADMIN_MAX_ENGINES);
	i->nengines_read = n < k ? n : k;
	for (k = 0; k < i->nengines_read; k++)
		i->engine_util_pct[k] = (uint32_t)vals[k];

	/* the mdev parent: the GPU itself when the tree does not say */
	if (mvgpu__sysfs_read(dir, MVGPU_ATTR_PARENT, i->parent,
			      sizeof(i->parent)) || !i->parent[0])
		mvgpu__strlcpy(i->parent, name, sizeof(i->parent));

	/* metering: older trees may lack these; they count as none */
	if (mvgpu__sysfs_u64(dir, MVGPU_ATTR_USAGE_DROPPED, &i->usage_dropped))
		i->usage_dropped = 0;
	i->usage_records = mvgpu_count_usage(dir);
	return mvgpu_load_types(a, g);
}

/* The VM name in QEMU's command line: -name guest=NAME,... or -name NAME */
static void mvgpu_owner_vm(const struct mvgpu_admin *a,
			   struct mvgpu_vgpu_info *v)
{
	char path[PATH_MAX + 32], cmd[4096];
	const char *p, *end, *val = NULL;
	ssize_t n;
	FILE *f;

	if (v->owner_pid <= 0 || strncmp(v->owner_comm, "qemu", 4))
		return;
	snprintf(path, sizeof(path), "%s/%d/cmdline", a->proc, v->owner_pid);
	f = fopen(path, "re");
	if (!f)
		return;
	n = (ssize_t)fread(cmd, 1, sizeof(cmd) - 1, f);
	fclose(f);
	if (n <= 0)
		return;
	cmd[n] = '\0';
	end = cmd + n;
	for (p = cmd; p < end; p += strlen(p) + 1) {
		if (!strcmp(p, "-name") && p + strlen(p) + 1 < end) {
			val = p + strlen(p) + 1;
			break;
		}
	}
	if (!val)
		return;
	if (!strncmp(val, "guest=", 6))
		val += 6;
	else if (strstr(val, ",guest="))
		val = strstr(val, ",guest=") + 7;
	snprintf(v->owner_vm, sizeof(v->owner_vm), "%.*s",
		 (int)strcspn(val, ","), val);
}

/* 0, -ENOENT when the vGPU vanished or is not an mvgpu one, or -errno */
static int mvgpu_load_vgpu(struct mvgpu_admin *a, struct mvgpu_vgpu_info *v,
			   const char *uuid)
{
	char dir[PATH_MAX], sub[PATH_MAX + 16], buf[128], *sp;
	uint64_t x;
	int ret;

	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	mvgpu__strlcpy(v->uuid, uuid, sizeof(v->uuid));
	mvgpu__vgpu_dir(a, dir, uuid);
	snprintf(sub, sizeof(sub), "%s/%s", dir, MVGPU_VGPU_ATTR_DIR);
	if (mvgpu__sysfs_read(sub, MVGPU_ATTR_GPU, v->gpu, sizeof(v->gpu)))
		return -ENOENT;	/* not ours, or gone */
	ret = mvgpu__link_basename(dir, "mdev_type", v->type, sizeof(v->type));
	if (ret == -EINVAL) {
		/* a copy made with cp -rL: the type's divisor names it */
		char tdir[PATH_MAX + 64];

		snprintf(tdir, sizeof(tdir), "%s/mdev_type/%s", dir,
			 MVGPU_TYPE_ATTR_DIR);
		ret = mvgpu__sysfs_u64(tdir, MVGPU_ATTR_TYPE_DIVISOR, &x);
		if (!ret)
			snprintf(v->type, sizeof(v->type), "%s%llu",
				 MVGPU_TYPE_PREFIX, (unsigned long long)x);
	}
	if (ret)
		return ret;
	ret = mvgpu__sysfs_read(sub, MVGPU_ATTR_STATE, v->state,
				sizeof(v->state));
	if (!ret)
		ret = mvgpu__sysfs_read(sub, MVGPU_ATTR_OWNER, buf, sizeof(buf));
	if (!ret)
		ret = mvgpu__sysfs_read(sub, MVGPU_ATTR_PRIORITY, v->priority,
					sizeof(v->priority));
	if (ret)
		return ret;
	sp = strchr(buf, ' ');
	if (sp) {
		*sp = '\0';
		v->owner_pid = atoi(buf);
		mvgpu__strlcpy(v->owner_comm, sp + 1, sizeof(v->owner_comm));
	}
	ret = mvgpu__sysfs_u64(sub, MVGPU_ATTR_WEIGHT, &x);
	if (ret)
		return ret;
	v->weight = (uint32_t)x;
	ret = mvgpu__sysfs_u64(sub, MVGPU_ATTR_CAP, &x);
	if (ret)
		return ret;
	v->cap_pct = (uint32_t)x;
	ret = mvgpu__sysfs_u64(sub, MVGPU_ATTR_VGPU_VRAM_SIZE, &v->vram_size);
	if (ret)
		return ret;
	mvgpu_owner_vm(a, v);
	return 0;
}

static void *mvgpu_grow(void *arr, unsigned int n, unsigned int *cap,
			size_t size)
{
	void *p;

	if (n < *cap)
		return arr;
	p = realloc(arr, (*cap ? *cap * 2 : 8) * size);
	if (p)
		*cap = *cap ? *cap * 2 : 8;
	return p;
}

static int mvgpu_module_loaded(const struct mvgpu_admin *a)
{
	char path[PATH_MAX];
	struct stat st;

	mvgpu__apath(a, path, "/%s", MVGPU_SYSFS_CLASS_REL);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return mvgpu__err(-ENODEV,
			  "the mvgpu module is not loaded (%s does not exist)",
			  path);
}

static int mvgpu_load_gpus(struct mvgpu_admin *a,
			   struct mvgpu_admin_gpu **out, unsigned int *count)
{
	struct mvgpu_admin_gpu *gpus = NULL, *p;
	unsigned int n = 0, cap = 0;
	char path[PATH_MAX];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = opendir(mvgpu__apath(a, path, "/%s", MVGPU_SYSFS_CLASS_REL));
	if (!d)
		return mvgpu__err(-errno, "cannot read %s: %s", path,
				  strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		p = mvgpu_grow(gpus, n, &cap, sizeof(*gpus));
		if (!p) {
			ret = mvgpu__err(-ENOMEM, "out of memory");
			break;
		}
		gpus = p;
		ret = mvgpu_load_gpu(a, &gpus[n], de->d_name);
		if (ret)
			break;
		n++;
	}
	closedir(d);
	if (ret) {
		free(gpus);
		return ret;
	}
	qsort(gpus, n, sizeof(*gpus), mvgpu_gpu_cmp);
	*out = gpus;
	*count = n;
	return 0;
}

static int mvgpu_load_vgpus(struct mvgpu_admin *a,
			    struct mvgpu_vgpu_info **out, unsigned int *count)
{
	struct mvgpu_vgpu_info *vgpus = NULL, *p;
	unsigned int n = 0, cap = 0;
	char path[PATH_MAX];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	*out = NULL;
	*count = 0;
	d = opendir(mvgpu__apath(a, path, "/%s", MVGPU_SYSFS_MDEV_DEVICES_REL));
	if (!d)
		return 0;	/* no mdev bus: no vGPUs */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		p = mvgpu_grow(vgpus, n, &cap, sizeof(*vgpus));
		if (!p) {
			ret = mvgpu__err(-ENOMEM, "out of memory");
			break;
		}
		vgpus = p;
		ret = mvgpu_load_vgpu(a, &vgpus[n], de->d_name);
		if (ret == -ENOENT || ret == -ENODEV) {
			ret = 0;
			continue;	/* removed meanwhile, or not ours */
		}
		if (ret) {
			mvgpu__err(ret, "cannot read vGPU %s: %s", de->d_name,
				   strerror(-ret));
			break;
		}
		n++;
	}
	closedir(d);
	if (ret) {
		free(vgpus);
		return ret;
	}
	qsort(vgpus, n, sizeof(*vgpus), mvgpu_vgpu_cmp);
	*out = vgpus;
	*count = n;
	return 0;
}

int mvgpu_admin_refresh(struct mvgpu_admin *a)
{
	struct mvgpu_admin_gpu *gpus;
	struct mvgpu_vgpu_info *vgpus;
	unsigned int ngpus, nvgpus, i, j;
	int ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_refresh: the handle is NULL");
	ret = mvgpu_module_loaded(a);
	if (!ret)
		ret = mvgpu_load_gpus(a, &gpus, &ngpus);
	if (ret)
		return ret;
	ret = mvgpu_load_vgpus(a, &vgpus, &nvgpus);
	if (ret) {
		free(gpus);
		return ret;
	}
	for (i = 0; i < ngpus; i++)
		for (j = 0; j < nvgpus; j++)
			if (!strcmp(vgpus[j].gpu, gpus[i].info.name)) {
				mvgpu__strlcpy(vgpus[j].parent,
					       gpus[i].info.parent,
					       sizeof(vgpus[j].parent));
				gpus[i].info.nvgpus++;
				gpus[i].info.vram_vgpus += vgpus[j].vram_size;
			}
	free(a->gpus);
	free(a->vgpus);
	a->gpus = gpus;
	a->ngpus = ngpus;
	a->vgpus = vgpus;
	a->nvgpus = nvgpus;
	return 0;
}

int mvgpu_admin_open(const char *sysfs_root, struct mvgpu_admin **out)
{
	struct mvgpu_admin *a;
	char *slash;
	size_t n;
	int ret;

	if (!out)
		return mvgpu__err(-EINVAL, "mvgpu_admin_open: out is NULL");
	*out = NULL;
	if (!sysfs_root)
		sysfs_root = getenv("MVGPU_SYSFS_ROOT");
	if (!sysfs_root || !*sysfs_root)
		sysfs_root = "/sys";
	if (strlen(sysfs_root) >= PATH_MAX - 256)
		return mvgpu__err(-ENAMETOOLONG, "mvgpu_admin_open: the sysfs root is too long");
	a = calloc(1, sizeof(*a));
	if (!a)
		return mvgpu__err(-ENOMEM, "mvgpu_admin_open: out of memory");
	mvgpu__strlcpy(a->root, sysfs_root, sizeof(a->root));
	n = strlen(a->root);
	while (n && a->root[n - 1] == '/')
		a->root[--n] = '\0';
	/* /proc beside the root: "/sys" gives "/proc", "T/sys" "T/proc" */
	mvgpu__strlcpy(a->proc, a->root, sizeof(a->proc));
	slash = strrchr(a->proc, '/');
	if (slash)
		snprintf(slash + 1, sizeof(a->proc) - (slash + 1 - a->proc),
			 "proc");
	else
		snprintf(a->proc, sizeof(a->proc), "proc");
	ret = mvgpu_admin_refresh(a);
	if (ret) {
		free(a);
		return ret;
	}
	*out = a;
	return 0;
}

void mvgpu_admin_close(struct mvgpu_admin **a)
{
	if (!a || !*a)
		return;
	free((*a)->gpus);
	free((*a)->vgpus);
	free((*a)->totals);
	free(*a);
	*a = NULL;
}

const char *mvgpu_admin_root(const struct mvgpu_admin *a)
{
	return a ? (a->root[0] ? a->root : "/") : NULL;
}

int mvgpu_admin_gpu_count(struct mvgpu_admin *a)
{
	return a ? (int)a->ngpus : -EBADF;
}

int mvgpu_admin_vgpu_count(struct mvgpu_admin *a)
{
	return a ? (int)a->nvgpus : -EBADF;
}

int mvgpu_admin_gpu(struct mvgpu_admin *a, unsigned int i,
		    struct mvgpu_gpu_info *out)
{
	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_gpu: the handle is NULL");
	if (i >= a->ngpus)
		return mvgpu__err(-ERANGE, "mvgpu_admin_gpu: no GPU %u (there are %u)",
				  i, a->ngpus);
	return mvgpu__copy_out(out, &a->gpus[i].info, sizeof(a->gpus[i].info),
			       "mvgpu_admin_gpu");
}

int mvgpu_admin_type(struct mvgpu_admin *a, unsigned int gpu, unsigned int i,
		     struct mvgpu_type_info *out)
{
	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_type: the handle is NULL");
	if (gpu >= a->ngpus || i >= a->gpus[gpu].info.ntypes)
		return mvgpu__err(-ERANGE, "mvgpu_admin_type: no type %u of GPU %u",
				  i, gpu);
	return mvgpu__copy_out(out, &a->gpus[gpu].types[i],
			       sizeof(a->gpus[gpu].types[i]),
			       "mvgpu_admin_type");
}

int mvgpu_admin_vgpu(struct mvgpu_admin *a, unsigned int i,
		     struct mvgpu_vgpu_info *out)
{
	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_vgpu: the handle is NULL");
	if (i >= a->nvgpus)
		return mvgpu__err(-ERANGE, "mvgpu_admin_vgpu: no vGPU %u (there are %u)",
				  i, a->nvgpus);
	return mvgpu__copy_out(out, &a->vgpus[i], sizeof(a->vgpus[i]),
			       "mvgpu_admin_vgpu");
}

struct mvgpu_admin_gpu *mvgpu__find_gpu(struct mvgpu_admin *a,
					const char *name)
{
	unsigned int i;

	for (i = 0; i < a->ngpus; i++)
		if (!strcmp(a->gpus[i].info.name, name))
			return &a->gpus[i];
	return NULL;
}

struct mvgpu_vgpu_info *mvgpu__find_vgpu(struct mvgpu_admin *a,
					 const char *uuid)
{
	unsigned int i;

	for (i = 0; i < a->nvgpus; i++)
		if (!strcmp(a->vgpus[i].uuid, uuid))
			return &a->vgpus[i];
	return NULL;
}

struct mvgpu_type_info *mvgpu__find_type(struct mvgpu_admin_gpu *g,
					 unsigned int divisor)
{
	unsigned int i;

	for (i = 0; i < g->info.ntypes; i++)
		if (g->types[i].divisor == divisor)
			return &g->types[i];
	return NULL;
}

int mvgpu__lookup_gpu(struct mvgpu_admin *a, const char *arg,
		      struct mvgpu_admin_gpu **out, const char *func)
{
	char name[64], names[256];
	size_t off = 0;
	uint64_t idx;
	unsigned int i;

	if (!arg)
		return mvgpu__err(-EINVAL, "%s: the GPU name is NULL", func);
	if (!mvgpu__parse_u64(arg, &idx) && idx <= 1000)
		snprintf(name, sizeof(name), "mvgpu%llu",
			 (unsigned long long)idx);
	else
		mvgpu__strlcpy(name, arg, sizeof(name));
	*out = mvgpu__find_gpu(a, name);
	if (*out)
		return 0;
	/* a parent device: "0000:00:04.0", or "00:04.0" in domain 0 */
	if (strlen(arg) == 7)
		snprintf(name, sizeof(name), "0000:%s", arg);
	for (i = 0; i < a->ngpus; i++)
		if (!strcmp(a->gpus[i].info.parent, name)) {
			*out = &a->gpus[i];
			return 0;
		}
	names[0] = '\0';
	for (i = 0; i < a->ngpus && off < sizeof(names); i++)
		off += snprintf(names + off, sizeof(names) - off, "%s%s",
				i ? ", " : "", a->gpus[i].info.name);
	return mvgpu__err(-ENOENT, "no GPU named '%s' (the GPUs are: %s)",
			  arg, a->ngpus ? names : "none");
}

int mvgpu__lookup_vgpu(struct mvgpu_admin *a, const char *arg,
		       struct mvgpu_vgpu_info **out, const char *func)
{
	char uuid[MVGPU_UUID_LEN], path[PATH_MAX];
	struct stat st;

	*out = NULL;
	if (mvgpu_uuid_parse(arg, uuid))
		return mvgpu__err(-EINVAL, "'%s' is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
				  arg ? arg : "(null)");
	*out = mvgpu__find_vgpu(a, uuid);
	if (*out)
		return 0;
	if (stat(mvgpu__vgpu_dir(a, path, uuid), &st) == 0)
		return mvgpu__err(-ENODEV, "%s is a mediated device of another driver, not an mvgpu vGPU",
				  uuid);
	return mvgpu__err(-ENOENT, "no vGPU with UUID %s", uuid);
}

int mvgpu_admin_find_gpu(struct mvgpu_admin *a, const char *name,
			 struct mvgpu_gpu_info *out)
{
	struct mvgpu_admin_gpu *g;
	int ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_find_gpu: the handle is NULL");
	ret = mvgpu__lookup_gpu(a, name, &g, "mvgpu_admin_find_gpu");
	if (!ret && out)
		ret = mvgpu__copy_out(out, &g->info, sizeof(g->info),
				      "mvgpu_admin_find_gpu");
	return ret ? ret : (int)(g - a->gpus);
}

int mvgpu_admin_find_type(struct mvgpu_admin *a, unsigned int gpu,
			  const char *type, struct mvgpu_type_info *out)
{
	struct mvgpu_type_info *t;
	unsigned int divisor;
	int ret = 0;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_find_type: the handle is NULL");
	if (gpu >= a->ngpus)
		return mvgpu__err(-ERANGE, "mvgpu_admin_find_type: no GPU %u", gpu);
	if (mvgpu_type_parse(type, &divisor))
		return mvgpu__err(-EINVAL, "'%s' is not a type: write it as mvgpu-4, 4 or 1/4",
				  type ? type : "(null)");
	t = mvgpu__find_type(&a->gpus[gpu], divisor);
	if (!t)
		return mvgpu__err(-ENOENT, "%s offers no type '%s'",
				  a->gpus[gpu].info.name, type);
	if (out)
		ret = mvgpu__copy_out(out, t, sizeof(*t), "mvgpu_admin_find_type");
	return ret ? ret : (int)(t - a->gpus[gpu].types);
}

int mvgpu_admin_find_vgpu(struct mvgpu_admin *a, const char *uuid,
			  struct mvgpu_vgpu_info *out)
{
	struct mvgpu_vgpu_info *v;
	int ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_find_vgpu: the handle is NULL");
	ret = mvgpu__lookup_vgpu(a, uuid, &v, "mvgpu_admin_find_vgpu");
	if (!ret && out)
		ret = mvgpu__copy_out(out, v, sizeof(*v),
				      "mvgpu_admin_find_vgpu");
	return ret ? ret : (int)(v - a->vgpus);
}
