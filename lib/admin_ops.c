// SPDX-License-Identifier: MIT
/*
 * Changing things: create (with placement), remove, a vGPU's scheduling
 * knobs and a GPU's policy, all through the mdev and mvgpu sysfs files.
 *
 * Knob writes are all or nothing: values are checked against the ranges
 * the module enforces (include/mvgpu_uapi.h) before anything is written,
 * every file is opened for writing before the first write, and if the
 * kernel refuses one write the knobs already written get their old values
 * back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin_int.h"

/* ------------------------------------------------------------------ */
/* create                                                              */
/* ------------------------------------------------------------------ */

/* Pick the GPU with the most free VRAM that can take the type */
static int mvgpu_pick_gpu(struct mvgpu_admin *a, unsigned int divisor,
			  struct mvgpu_create *req,
			  struct mvgpu_admin_gpu **gpu,
			  struct mvgpu_type_info **type)
{
	struct mvgpu_admin_gpu *best = NULL, *emptiest = NULL;
	struct mvgpu_type_info *best_t = NULL, *any_t = NULL;
	unsigned int i;

	for (i = 0; i < a->ngpus; i++) {
		struct mvgpu_admin_gpu *g = &a->gpus[i];
		struct mvgpu_type_info *t = mvgpu__find_type(g, divisor);

		if (!t)
			continue;
		if (!emptiest || g->info.vram_free > emptiest->info.vram_free) {
			emptiest = g;
			any_t = t;
		}
		if (!t->available)
			continue;
		if (!best || g->info.vram_free > best->info.vram_free) {
			best = g;
			best_t = t;
		}
	}
	if (best) {
		*gpu = best;
		*type = best_t;
		return 0;
	}
	if (!a->ngpus)
		return mvgpu__err(-ENOSPC, "no capacity: the mvgpu module has no GPU");
	if (!emptiest)
		return mvgpu__err(-EOPNOTSUPP, "no GPU offers type '%s'",
				  req->type);
	mvgpu__strlcpy(req->out_gpu, emptiest->info.name, sizeof(req->out_gpu));
	mvgpu__strlcpy(req->out_type, any_t->name, sizeof(req->out_type));
	req->out_vram_size = any_t->vram_size;
	req->out_gpu_vram_free = emptiest->info.vram_free;
	return mvgpu__err(-ENOSPC, "no capacity: no GPU can take another %s",
			  any_t->name);
}

static int mvgpu_create(struct mvgpu_admin *a, struct mvgpu_create *req)
{
	struct mvgpu_admin_gpu *gpu = NULL;
	struct mvgpu_type_info *type = NULL;
	char uuid[MVGPU_UUID_LEN], path[PATH_MAX];
	unsigned int divisor;
	struct stat st;
	uint64_t v;
	int ret;

	if (mvgpu_type_parse(req->type, &divisor))
		return mvgpu__err(-EINVAL, "'%s' is not a type: write it as mvgpu-4, 4 or 1/4",
				  req->type ? req->type : "(null)");
	if (req->uuid) {
		if (mvgpu_uuid_parse(req->uuid, uuid))
			return mvgpu__err(-EINVAL, "'%s' is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
					  req->uuid);
	} else {
		ret = mvgpu_uuid_random(uuid);
		if (ret)
			return mvgpu__err(ret, "cannot make a random UUID: %s",
					  strerror(-ret));
	}
	ret = mvgpu_admin_refresh(a);
	if (ret)
		return ret;
	if (req->gpu) {
		ret = mvgpu__lookup_gpu(a, req->gpu, &gpu, "mvgpu_admin_create");
		if (ret)
			return ret;
		type = mvgpu__find_type(gpu, divisor);
		if (!type)
			return mvgpu__err(-EOPNOTSUPP, "%s offers no type '%s'",
					  gpu->info.name, req->type);
		snprintf(req->out_gpu, sizeof(req->out_gpu), "%s",
			 gpu->info.name);
		mvgpu__strlcpy(req->out_type, type->name, sizeof(req->out_type));
		req->out_vram_size = type->vram_size;
		req->out_gpu_vram_free = gpu->info.vram_free;
		if (!type->available)
			return mvgpu__err(-ENOSPC, "no capacity: %s cannot take another %s",
					  gpu->info.name, type->name);
	} else {
		ret = mvgpu_pick_gpu(a, divisor, req, &gpu, &type);
		if (ret)
			return ret;
	}
	mvgpu__strlcpy(req->out_gpu, gpu->info.name, sizeof(req->out_gpu));
	mvgpu__strlcpy(req->out_type, type->name, sizeof(req->out_type));
	req->out_vram_size = type->vram_size;
	req->out_gpu_vram_free = gpu->info.vram_free;
	if (stat(mvgpu__vgpu_dir(a, path, uuid), &st) == 0)
		return mvgpu__err(-EEXIST, "a device with UUID %s exists already",
				  uuid);

	mvgpu__apath(a, path, "/%s/%s/%s/%s/create", MVGPU_SYSFS_MDEV_BUS_REL,
		     gpu->info.parent, MVGPU_SYSFS_TYPES_DIR, type->name);
	ret = mvgpu__write_file(path, uuid);
	if (ret == -ENOSPC) {
		/* someone took the room since we looked */
		mvgpu__apath(a, path, "/%s/%s/%s", MVGPU_SYSFS_CLASS_REL,
			     gpu->info.name, MVGPU_ATTR_VRAM_FREE);
		req->out_gpu_vram_free = mvgpu__read_u64(path, &v) ? 0 : v;
		return mvgpu__err(-ENOSPC, "no capacity: %s cannot take another %s",
				  gpu->info.name, type->name);
	}
	if (ret == -EEXIST)
		return mvgpu__err(-EEXIST, "a device with UUID %s exists already",
				  uuid);
	if (ret)
		return mvgpu__err(ret, "cannot write %s: %s", path,
				  strerror(-ret));
	mvgpu__strlcpy(req->out_uuid, uuid, sizeof(req->out_uuid));
	mvgpu_admin_refresh(a);
	return 0;
}

int mvgpu_admin_create(struct mvgpu_admin *a, struct mvgpu_create *req)
{
	struct mvgpu_create r;
	int ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_create: the handle is NULL");
	ret = mvgpu__copy_in(&r, sizeof(r), req, "mvgpu_admin_create");
	if (ret)
		return ret;
	r.size = sizeof(r);
	memset(r.out_uuid, 0, sizeof(r.out_uuid));
	memset(r.out_gpu, 0, sizeof(r.out_gpu));
	memset(r.out_type, 0, sizeof(r.out_type));
	r.out_vram_size = 0;
	r.out_gpu_vram_free = 0;
	ret = mvgpu_create(a, &r);
	/* the outputs, within the caller's size */
	r.size = req->size;
	mvgpu__copy_out(req, &r, sizeof(r), "mvgpu_admin_create");
	return ret;
}

/* ------------------------------------------------------------------ */
/* remove                                                              */
/* ------------------------------------------------------------------ */

int mvgpu_admin_remove(struct mvgpu_admin *a, const char *uuid,
		       uint32_t flags)
{
	struct mvgpu_vgpu_info *v;
	char path[PATH_MAX + 16];
	int fd, ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_remove: the handle is NULL");
	ret = mvgpu_admin_refresh(a);
	if (!ret)
		ret = mvgpu__lookup_vgpu(a, uuid, &v, "mvgpu_admin_remove");
	if (ret)
		return ret;
	if ((flags & MVGPU_REMOVE_NO_WAIT) &&
	    strcmp(v->state, MVGPU_STATE_CLOSED))
		return mvgpu__err(-EBUSY, "vGPU %s is %s by %s (pid %d)",
				  v->uuid, v->state, v->owner_comm,
				  v->owner_pid);
	mvgpu__vgpu_dir(a, path, v->uuid);
	strcat(path, "/remove");
	/* open first: a permission problem must not look like a wait */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return mvgpu__err(-errno, "cannot write %s: %s", path,
				  strerror(errno));
	ret = mvgpu__write_fd(fd, "1");
	close(fd);
	if (ret)
		return mvgpu__err(ret, "cannot write %s: %s", path,
				  strerror(-ret));
	mvgpu_admin_refresh(a);
	return 0;
}

/* ------------------------------------------------------------------ */
/* knobs                                                               */
/* ------------------------------------------------------------------ */

/*
 * The unit tests' stand-in for a kernel that refuses a write: called
 * before each knob write, a negative errno refuses it.  NULL otherwise.
 */
int (*mvgpu__knob_write_hook)(const char *path, const char *value);

struct mvgpu_knob_write {
	const char *name;
	char value[32];
	char old[32];
	char path[PATH_MAX + 64];
	int fd;
};

/* Open all, write in order, and on a refusal put the written ones back */
static int mvgpu_knobs_apply(struct mvgpu_knob_write *k, unsigned int n)
{
	unsigned int i, done;
	char undo[256] = "";
	size_t off = 0;
	int ret = 0;

	for (i = 0; i < n; i++) {
		k[i].fd = open(k[i].path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (k[i].fd < 0) {
			unsigned int bad = i;

			ret = -errno;
			while (i--)
				close(k[i].fd);
			return mvgpu__err(ret, "cannot write %s: %s; nothing was changed",
					  k[bad].path, strerror(-ret));
		}
	}
	for (i = 0; i < n; i++) {
		ret = mvgpu__knob_write_hook ?
		      mvgpu__knob_write_hook(k[i].path, k[i].value) : 0;
		if (!ret)
			ret = mvgpu__write_fd(k[i].fd, k[i].value);
		if (ret)
			break;
	}
	done = i;
	for (i = 0; i < n; i++)
		close(k[i].fd);
	if (done == n)
		return 0;
	for (i = 0; i < done; i++) {
		int r = mvgpu__write_file(k[i].path, k[i].old);

		if (r && off < sizeof(undo))
			off += snprintf(undo + off, sizeof(undo) - off,
					"; could not put %s back to '%s' (%s)",
					k[i].name, k[i].old, strerror(-r));
	}
	return mvgpu__err(ret, "the kernel refused '%s' for %s (%s): see dmesg%s",
			  k[done].value, k[done].path, strerror(-ret),
			  off ? undo : "; nothing was changed");
}

int mvgpu_admin_set_knobs(struct mvgpu_admin *a, const char *uuid,
			  const struct mvgpu_knobs *in)
{
	struct mvgpu_knob_write w[3];
	struct mvgpu_vgpu_info *v;
	struct mvgpu_knobs k;
	char dir[PATH_MAX];
	unsigned int n = 0, i;
	int ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_set_knobs: the handle is NULL");
	ret = mvgpu__copy_in(&k, sizeof(k), in, "mvgpu_admin_set_knobs");
	if (ret)
		return ret;
	if (!k.mask || (k.mask & ~(MVGPU_KNOB_WEIGHT | MVGPU_KNOB_PRIORITY |
				   MVGPU_KNOB_CAP)))
		return mvgpu__err(-EINVAL, "set: mask 0x%x names no knob or an unknown one",
				  k.mask);
	if ((k.mask & MVGPU_KNOB_WEIGHT) &&
	    (k.weight < MVGPU_WEIGHT_MIN || k.weight > MVGPU_WEIGHT_MAX))
		return mvgpu__err(-ERANGE, "set: weight must be in %u..%u, not %u",
				  MVGPU_WEIGHT_MIN, MVGPU_WEIGHT_MAX, k.weight);
	if ((k.mask & MVGPU_KNOB_CAP) && k.cap_pct > 100)
		return mvgpu__err(-ERANGE, "set: cap must be in 0..100, not %u",
				  k.cap_pct);
	k.priority[sizeof(k.priority) - 1] = '\0';
	if ((k.mask & MVGPU_KNOB_PRIORITY) &&
	    strcmp(k.priority, MVGPU_PRIO_NAME_NORMAL) &&
	    strcmp(k.priority, MVGPU_PRIO_NAME_HIGH))
		return mvgpu__err(-EINVAL, "set: priority must be %s or %s, not '%s'",
				  MVGPU_PRIO_NAME_NORMAL, MVGPU_PRIO_NAME_HIGH,
				  k.priority);
	ret = mvgpu_admin_refresh(a);
	if (!ret)
		ret = mvgpu__lookup_vgpu(a, uuid, &v, "mvgpu_admin_set_knobs");
	if (ret)
		return ret;

	memset(w, 0, sizeof(w));
	if (k.mask & MVGPU_KNOB_WEIGHT) {
		w[n].name = MVGPU_ATTR_WEIGHT;
		snprintf(w[n].value, sizeof(w[n].value), "%u", k.weight);
		snprintf(w[n++].old, sizeof(w[0].old), "%u", v->weight);
	}
	if (k.mask & MVGPU_KNOB_PRIORITY) {
		w[n].name = MVGPU_ATTR_PRIORITY;
		mvgpu__strlcpy(w[n].value, k.priority, sizeof(w[n].value));
		snprintf(w[n++].old, sizeof(w[0].old), "%s", v->priority);
	}
	if (k.mask & MVGPU_KNOB_CAP) {
		w[n].name = MVGPU_ATTR_CAP;
		snprintf(w[n].value, sizeof(w[n].value), "%u", k.cap_pct);
		snprintf(w[n++].old, sizeof(w[0].old), "%u", v->cap_pct);
	}
	mvgpu__vgpu_dir(a, dir, v->uuid);
	for (i = 0; i < n; i++)
		snprintf(w[i].path, sizeof(w[i].path), "%s/%s/%s", dir,
			 MVGPU_VGPU_ATTR_DIR, w[i].name);
	ret = mvgpu_knobs_apply(w, n);
	return ret ? ret : mvgpu_admin_refresh(a);
}

static const char *const mvgpu_policy_names[] = {
	MVGPU_POLICY_NAME_BEST_EFFORT,
	MVGPU_POLICY_NAME_EQUAL_SHARE,
	MVGPU_POLICY_NAME_FIXED_SHARE,
};

int mvgpu_admin_set_policy(struct mvgpu_admin *a, const char *gpu,
			   const struct mvgpu_policy *in)
{
	struct mvgpu_knob_write w[2];
	struct mvgpu_admin_gpu *g;
	struct mvgpu_policy p;
	char dir[PATH_MAX];
	unsigned int n = 0, i;
	int ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_set_policy: the handle is NULL");
	ret = mvgpu__copy_in(&p, sizeof(p), in, "mvgpu_admin_set_policy");
	if (ret)
		return ret;
	if (!p.mask || (p.mask & ~(MVGPU_POLICY_SCHEDULER |
				   MVGPU_POLICY_TIMESLICE)))
		return mvgpu__err(-EINVAL, "policy: mask 0x%x names nothing or something unknown",
				  p.mask);
	p.scheduler[sizeof(p.scheduler) - 1] = '\0';
	if (p.mask & MVGPU_POLICY_SCHEDULER) {
		for (i = 0; i < 3; i++)
			if (!strcmp(p.scheduler, mvgpu_policy_names[i]))
				break;
		if (i == 3)
			return mvgpu__err(-EINVAL, "policy: unknown policy '%s': use %s, %s or %s",
					  p.scheduler, mvgpu_policy_names[0],
					  mvgpu_policy_names[1],
					  mvgpu_policy_names[2]);
	}
	if ((p.mask & MVGPU_POLICY_TIMESLICE) &&
	    (p.timeslice_us < MVGPU_TIMESLICE_MIN_US ||
	     p.timeslice_us > MVGPU_TIMESLICE_MAX_US))
		return mvgpu__err(-ERANGE, "policy: the time slice must be %u..%u us, not %u",
				  MVGPU_TIMESLICE_MIN_US, MVGPU_TIMESLICE_MAX_US,
				  p.timeslice_us);
	ret = mvgpu_admin_refresh(a);
	if (!ret)
		ret = mvgpu__lookup_gpu(a, gpu, &g, "mvgpu_admin_set_policy");
	if (ret)
		return ret;

	memset(w, 0, sizeof(w));
	if (p.mask & MVGPU_POLICY_SCHEDULER) {
		w[n].name = MVGPU_ATTR_SCHEDULER;
		mvgpu__strlcpy(w[n].value, p.scheduler, sizeof(w[n].value));
		snprintf(w[n++].old, sizeof(w[0].old), "%s", g->info.scheduler);
	}
	if (p.mask & MVGPU_POLICY_TIMESLICE) {
		w[n].name = MVGPU_ATTR_TIMESLICE_US;
		snprintf(w[n].value, sizeof(w[n].value), "%u", p.timeslice_us);
		snprintf(w[n++].old, sizeof(w[0].old), "%u",
			 g->info.timeslice_us);
	}
	mvgpu__apath(a, dir, "/%s/%s", MVGPU_SYSFS_CLASS_REL, g->info.name);
	for (i = 0; i < n; i++)
		snprintf(w[i].path, sizeof(w[i].path), "%s/%s", dir,
			 w[i].name);
	ret = mvgpu_knobs_apply(w, n);
	return ret ? ret : mvgpu_admin_refresh(a);
}
