// SPDX-License-Identifier: GPL-2.0-only
/*
 * create and remove: a vGPU's life through the mdev sysfs interface.
 *
 * libmvgpu places and creates (mvgpu_admin_create) and removes
 * (mvgpu_admin_remove, which blocks while a client has the vGPU open: the
 * kernel asks the client to let go and waits, see docs/device.md
 * "Removal while open"); this file turns its errors into exit codes.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

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
		for (k = 0; k < sys->gpus[i].i.ntypes; k++) {
			const struct mvgpu_type_info *t = &sys->gpus[i].types[k];

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

/* The exit code and message of a create the library refused */
static int mvctl_create_error(struct mvctl_sys *sys, int err,
			      const struct mvgpu_create *req, const char *type)
{
	static const char what_to_do[] =
		"remove a vGPU ('mvgpuctl list', 'mvgpuctl remove UUID') or pick a smaller type ('mvgpuctl types')";
	static const char other_uuid[] =
		"give another --uuid, or none to get a random one";
	char need[32], have[32], names[128];

	mvctl_type_names(sys, names, sizeof(names));
	switch (err) {
	case -ENOSPC:
		if (!req->out_gpu[0])
			return mvctl_fail(MVCTL_EXIT_NOSPACE,
					  "no capacity: the mvgpu module has no GPU (check its num_gpus parameter)");
		mvctl_fmt_bytes(need, sizeof(need), req->out_vram_size);
		mvctl_fmt_bytes(have, sizeof(have), req->out_gpu_vram_free);
		if (req->gpu)
			return mvctl_fail(MVCTL_EXIT_NOSPACE,
					  "no capacity: %s cannot take another %s (it needs %s of VRAM, %s is free): %s",
					  req->out_gpu, req->out_type, need, have,
					  what_to_do);
		return mvctl_fail(MVCTL_EXIT_NOSPACE,
				  "no capacity: no GPU can take another %s (it needs %s of VRAM; the emptiest, %s, has %s free): %s",
				  req->out_type, need, req->out_gpu, have,
				  what_to_do);
	case -EOPNOTSUPP:
		if (req->gpu)
			return mvctl_usage_fail("create", "create: %s offers no type '%s': its types are %s",
						req->out_gpu[0] ? req->out_gpu : req->gpu,
						type, names);
		return mvctl_usage_fail("create", "create: no GPU offers type '%s': the types are %s",
					type, names);
	case -EEXIST:
		return mvctl_usage_fail("create", "create: %s: %s",
					mvgpu_last_error(), other_uuid);
	case -ENOENT:
		return mvctl_fail(MVCTL_EXIT_NOTFOUND, "%s: see 'mvgpuctl list'",
				  mvgpu_last_error());
	}
	return mvctl_lib_error(err, "create");
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
	struct mvgpu_create req;
	char uuid[MVCTL_UUID_LEN];
	unsigned int divisor;
	struct mvctl_sys sys;
	struct mvctl_json j;
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
	if (mvgpu_type_parse(a.type, &divisor))
		return mvctl_usage_fail("create",
					"create: '%s' is not a type: write it as mvgpu-4, 4 or 1/4",
					a.type);
	if (a.uuid && mvgpu_uuid_parse(a.uuid, uuid))
		return mvctl_usage_fail("create",
					"create: '%s' is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); leave --uuid out to get a random one",
					a.uuid);

	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.type = a.type;
	req.gpu = a.parent;
	req.uuid = a.uuid;
	ret = mvgpu_admin_create(sys.a, &req);
	if (ret) {
		ret = mvctl_create_error(&sys, ret, &req, a.type);
		goto out;
	}
	if (mvctl_opts.json) {
		mvctl_json_init(&j, stdout, true);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_str(&j, "uuid", req.out_uuid);
		mvctl_json_str(&j, "type", req.out_type);
		mvctl_json_str(&j, "gpu", req.out_gpu);
		mvctl_json_obj_end(&j);
		mvctl_json_end(&j);
	} else {
		printf("%s\n", req.out_uuid);
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
	struct mvctl_vgpu *v;
	struct mvctl_sys sys;
	bool no_wait = false, waits;
	char uuid[MVCTL_UUID_LEN];
	const char *how;
	int ret, first;

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

	mvctl_strlcpy(uuid, v->i.uuid, sizeof(uuid));
	waits = strcmp(v->i.state, MVGPU_STATE_CLOSED) != 0;
	how = strcmp(v->i.state, MVGPU_STATE_FAULTED) ? v->i.state :
	      "open (and faulted)";
	if (waits && no_wait) {
		ret = mvctl_fail(MVCTL_EXIT_BUSY,
				 "vGPU %s is %s by %s (pid %d); removing it would wait until that client closes it: stop the client (e.g. shut its VM down) and try again, or leave out --no-wait to wait",
				 uuid, how, v->i.owner_comm, v->i.owner_pid);
		goto out;
	}
	if (waits)
		mvctl_warn("vGPU %s is %s by %s (pid %d): the removal waits until that client closes it ...",
			   uuid, how, v->i.owner_comm, v->i.owner_pid);
	ret = mvgpu_admin_remove(sys.a, uuid,
				 no_wait ? MVGPU_REMOVE_NO_WAIT : 0);
	if (ret == -EBUSY) {
		ret = mvctl_fail(MVCTL_EXIT_BUSY, "%s: leave out --no-wait to wait",
				 mvgpu_last_error());
		goto out;
	}
	if (ret) {
		ret = mvctl_lib_error(ret, "remove");
		goto out;
	}
	if (waits)
		mvctl_warn("vGPU %s removed", uuid);
	mvctl_json_ok("remove", "uuid", uuid);
	ret = MVCTL_EXIT_OK;
out:
	mvctl_sys_free(&sys);
	return ret;
}
