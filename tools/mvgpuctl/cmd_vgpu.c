// SPDX-License-Identifier: GPL-2.0-only
/*
 * create and remove: a vGPU's life through the mdev sysfs interface.
 *
 * create writes a UUID to mdev_supported_types/TYPE/create of the chosen
 * GPU; remove writes 1 to the vGPU's remove attribute, which blocks while
 * a client has the vGPU open (the kernel asks the client to let go and
 * waits, see docs/device.md "Removal while open").
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvgpuctl.h"

struct mvctl_create_args {
	const char *type;
	const char *parent;
	const char *uuid;
};

static int mvctl_create_opt(int opt, const char *arg, void *ctx)
{
	struct mvctl_create_args *a = ctx;

	switch (opt) {
	case 't':
		a->type = arg;
		return MVCTL_EXIT_OK;
	case 'p':
		a->parent = arg;
		return MVCTL_EXIT_OK;
	case 'u':
		a->uuid = arg;
		return MVCTL_EXIT_OK;
	default:
		return MVCTL_EXIT_USAGE;
	}
}

/* "mvgpu-1, mvgpu-2, ..." of every type any GPU offers */
static void mvctl_type_names(struct mvctl_sys *sys, char *buf, size_t len)
{
	unsigned long long seen = 0;	/* bit: log2 of a divisor seen */
	unsigned int i, k;
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < sys->ngpus; i++) {
		for (k = 0; k < sys->gpus[i].ntypes; k++) {
			const struct mvctl_type *t = &sys->gpus[i].types[k];

			unsigned int bit = __builtin_ctz(t->divisor | 1u << 31);

			if (seen & (1ull << bit))
				continue;
			seen |= 1ull << bit;
			if (off < len)
				off += snprintf(buf + off, len - off, "%s%s",
						off ? ", " : "", t->name);
		}
	}
}

static int mvctl_no_capacity(const struct mvctl_gpu *g,
			     const struct mvctl_type *t, bool chosen)
{
	static const char what_to_do[] =
		"remove a vGPU ('mvgpuctl list', 'mvgpuctl remove UUID') or pick a smaller type ('mvgpuctl types')";
	char need[32], have[32];

	mvctl_fmt_bytes(need, sizeof(need), t->vram_size);
	mvctl_fmt_bytes(have, sizeof(have), g->vram_free);
	if (chosen)
		return mvctl_fail(MVCTL_EXIT_NOSPACE,
				  "no capacity: %s cannot take another %s (it needs %s of VRAM, %s is free): %s",
				  g->name, t->name, need, have, what_to_do);
	return mvctl_fail(MVCTL_EXIT_NOSPACE,
			  "no capacity: no GPU can take another %s (it needs %s of VRAM; the emptiest, %s, has %s free): %s",
			  t->name, need, g->name, have, what_to_do);
}

/* Pick the GPU with the most free VRAM that can take the type */
static int mvctl_pick_gpu(struct mvctl_sys *sys, unsigned int divisor,
			  const char *type_arg, struct mvctl_gpu **gpu,
			  struct mvctl_type **type)
{
	struct mvctl_gpu *best = NULL, *emptiest = NULL;
	struct mvctl_type *best_t = NULL, *any_t = NULL;
	char names[128];
	unsigned int i;

	for (i = 0; i < sys->ngpus; i++) {
		struct mvctl_gpu *g = &sys->gpus[i];
		struct mvctl_type *t = mvctl_find_type(g, divisor);

		if (!t)
			continue;
		if (!emptiest || g->vram_free > emptiest->vram_free) {
			emptiest = g;
			any_t = t;
		}
		if (!t->available)
			continue;
		if (!best || g->vram_free > best->vram_free) {
			best = g;
			best_t = t;
		}
	}
	if (best) {
		*gpu = best;
		*type = best_t;
		return MVCTL_EXIT_OK;
	}
	if (!emptiest) {
		mvctl_type_names(sys, names, sizeof(names));
		if (!sys->ngpus)
			return mvctl_fail(MVCTL_EXIT_NOSPACE,
					  "no capacity: the mvgpu module has no GPU (check its num_gpus parameter)");
		return mvctl_usage_fail("create",
					"create: no GPU offers type '%s': the types are %s",
					type_arg, names);
	}
	return mvctl_no_capacity(emptiest, any_t, false);
}

int mvctl_cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "parent", required_argument, NULL, 'p' },
		{ "uuid", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvctl_create_args a = { NULL, NULL, NULL };
	char uuid[MVCTL_UUID_LEN], path[PATH_MAX], names[128];
	struct mvctl_gpu *gpu = NULL;
	struct mvctl_type *type = NULL;
	unsigned int divisor;
	struct mvctl_sys sys;
	struct mvctl_json j;
	struct stat st;
	int ret, first;

	ret = mvctl_getopt("create", argc, argv, "t:p:u:", opts,
			   mvctl_create_opt, &a, &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first < argc)
		return mvctl_usage_fail("create", "create: unexpected argument '%s'",
					argv[first]);
	if (!a.type)
		return mvctl_usage_fail("create",
					"create: say which type with --type (mvgpu-1, mvgpu-2, mvgpu-4 ... mvgpu-64)");
	if (mvctl_parse_type(a.type, &divisor))
		return mvctl_usage_fail("create",
					"create: '%s' is not a type: write it as mvgpu-4, 4 or 1/4",
					a.type);
	if (a.uuid) {
		if (mvctl_parse_uuid(a.uuid, uuid))
			return mvctl_usage_fail("create",
						"create: '%s' is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); leave --uuid out to get a random one",
						a.uuid);
	} else if (mvctl_new_uuid(uuid)) {
		return mvctl_fail(MVCTL_EXIT_FAIL, "cannot make a random UUID: %s",
				  strerror(errno));
	}

	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	if (a.parent) {
		ret = mvctl_lookup_gpu(&sys, a.parent, &gpu);
		if (ret)
			goto out;
		type = mvctl_find_type(gpu, divisor);
		if (!type) {
			mvctl_type_names(&sys, names, sizeof(names));
			ret = mvctl_usage_fail("create",
					       "create: %s offers no type '%s': its types are %s",
					       gpu->name, a.type, names);
			goto out;
		}
		if (!type->available) {
			ret = mvctl_no_capacity(gpu, type, true);
			goto out;
		}
	} else {
		ret = mvctl_pick_gpu(&sys, divisor, a.type, &gpu, &type);
		if (ret)
			goto out;
	}
	if (stat(mvctl_path(path, "/bus/mdev/devices/%s", uuid), &st) == 0) {
		ret = mvctl_usage_fail("create",
				       "create: a device with UUID %s exists already: give another --uuid, or none to get a random one",
				       uuid);
		goto out;
	}

	mvctl_path(path, "/class/mdev_bus/%s/mdev_supported_types/%s/create",
		   gpu->name, type->name);
	ret = mvctl_write_attr(path, uuid);
	if (ret == -ENOSPC) {
		/* someone took the room since we looked */
		if (mvctl_read_u64_attr(mvctl_path(path, "/class/mvgpu/%s/vram_free",
						   gpu->name), &gpu->vram_free))
			gpu->vram_free = 0;
		ret = mvctl_no_capacity(gpu, type, true);
		goto out;
	}
	if (ret == -EEXIST) {
		ret = mvctl_usage_fail("create",
				       "create: a device with UUID %s exists already: give another --uuid, or none to get a random one",
				       uuid);
		goto out;
	}
	if (ret) {
		ret = mvctl_write_error(ret, path, "create");
		goto out;
	}

	if (mvctl_opts.json) {
		mvctl_json_init(&j, stdout, true);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_str(&j, "uuid", uuid);
		mvctl_json_str(&j, "type", type->name);
		mvctl_json_str(&j, "gpu", gpu->name);
		mvctl_json_obj_end(&j);
		mvctl_json_end(&j);
	} else {
		printf("%s\n", uuid);
	}
	ret = MVCTL_EXIT_OK;
out:
	mvctl_sys_free(&sys);
	return ret;
}

static int mvctl_remove_opt(int opt, const char *arg, void *ctx)
{
	bool *no_wait = ctx;

	if (opt == 'W') {
		*no_wait = true;
		return MVCTL_EXIT_OK;
	}
	return MVCTL_EXIT_USAGE;
}

int mvctl_cmd_remove(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-wait", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	char path[PATH_MAX];
	struct mvctl_vgpu *v;
	struct mvctl_sys sys;
	bool no_wait = false, waits;
	const char *how;
	ssize_t n;
	int ret, first, fd, err;

	ret = mvctl_getopt("remove", argc, argv, "", opts, mvctl_remove_opt,
			   &no_wait, &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first >= argc)
		return mvctl_usage_fail("remove", "remove: which vGPU? Give its UUID ('mvgpuctl list' shows them)");
	if (first + 1 < argc)
		return mvctl_usage_fail("remove", "remove: one UUID at a time ('%s' is one too many)",
					argv[first + 1]);
	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	ret = mvctl_lookup_vgpu(&sys, argv[first], &v);
	if (ret)
		goto out;

	waits = strcmp(v->state, "closed") != 0;
	how = strcmp(v->state, "faulted") ? v->state : "open (and faulted)";
	if (waits && no_wait) {
		ret = mvctl_fail(MVCTL_EXIT_BUSY,
				 "vGPU %s is %s by %s (pid %d); removing it would wait until that client closes it: stop the client (e.g. shut its VM down) and try again, or leave out --no-wait to wait",
				 v->uuid, how, v->owner_comm, v->owner_pid);
		goto out;
	}

	/* open first: a permission problem must not look like a wait */
	mvctl_path(path, "/bus/mdev/devices/%s/remove", v->uuid);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		ret = mvctl_write_error(-errno, path, "remove");
		goto out;
	}
	if (waits)
		mvctl_warn("vGPU %s is %s by %s (pid %d): the removal waits until that client closes it ...",
			   v->uuid, how, v->owner_comm, v->owner_pid);
	do {
		n = write(fd, "1", 1);
	} while (n < 0 && errno == EINTR);
	err = n < 0 ? errno : 0;
	close(fd);
	if (err) {
		ret = mvctl_write_error(-err, path, "remove");
		goto out;
	}
	if (waits)
		mvctl_warn("vGPU %s removed", v->uuid);
	ret = MVCTL_EXIT_OK;
out:
	mvctl_sys_free(&sys);
	return ret;
}
