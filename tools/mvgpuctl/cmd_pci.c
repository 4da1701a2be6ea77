// SPDX-License-Identifier: GPL-2.0-only
/*
 * bind and unbind: give a PCI device to an mvgpu backend driver, which
 * makes it a GPU (an mdev parent), and take it back.  libmvgpu does the
 * work (mvgpu_admin_pci_bind/unbind); this file parses and maps errors to
 * exit codes.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "mvgpuctl.h"

struct mvctl_pci_args {
	const char *driver;
	bool force;
};

static int mvctl_pci_opt(int opt, const char *arg, void *ctx)
{
	struct mvctl_pci_args *a = ctx;

	switch (opt) {
	case 'd':
		a->driver = arg;
		return MVCTL_EXIT_OK;
	case 'f':
		a->force = true;
		return MVCTL_EXIT_OK;
	default:
		return MVCTL_EXIT_USAGE;
	}
}

static int mvctl_pci_error(int err, const char *what)
{
	switch (err) {
	case -EINVAL:
		return mvctl_fail(MVCTL_EXIT_USAGE, "%s: %s", what,
				  mvgpu_last_error());
	case -ENOENT:
	case -ENXIO:
		return mvctl_fail(MVCTL_EXIT_NOTFOUND, "%s: %s", what,
				  mvgpu_last_error());
	case -EBUSY:
		return mvctl_fail(MVCTL_EXIT_BUSY, "%s: %s", what,
				  mvgpu_last_error());
	case -EACCES:
	case -EPERM:
	case -EROFS:
		return mvctl_lib_error(err, what);
	default:
		return mvctl_fail(MVCTL_EXIT_FAIL, "%s: %s", what,
				  mvgpu_last_error());
	}
}

/* Parse "CMD [options] ADDR"; returns an exit code, -1 after --help */
static int mvctl_pci_parse(const char *cmd, int argc, char **argv,
			   const struct option *opts,
			   struct mvctl_pci_args *a, const char **addr)
{
	int ret, first;

	ret = mvctl_getopt(cmd, argc, argv, "", opts, mvctl_pci_opt, a,
			   &first);
	if (ret)
		return ret;
	if (first >= argc)
		return mvctl_usage_fail(cmd, "%s: which PCI device? Give its address, e.g. 0000:00:04.0 (lspci -D)",
					cmd);
	if (first + 1 < argc)
		return mvctl_usage_fail(cmd, "%s: one device at a time ('%s' is one too many)",
					cmd, argv[first + 1]);
	*addr = argv[first];
	return MVCTL_EXIT_OK;
}

int mvctl_cmd_bind(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvctl_pci_args a = { 0 };
	struct mvgpu_gpu_info g = { .size = sizeof(g) };
	struct mvctl_sys sys;
	const char *addr;
	int ret;

	ret = mvctl_pci_parse("bind", argc, argv, opts, &a, &addr);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	ret = mvgpu_admin_pci_bind(sys.a, addr, a.driver);
	if (ret) {
		ret = mvctl_pci_error(ret, "bind");
		goto out;
	}
	if (mvgpu_admin_find_gpu(sys.a, addr, &g) < 0) {
		ret = mvctl_fail(MVCTL_EXIT_FAIL, "bind: %s is bound, but no GPU has it as parent: %s",
				 addr, mvgpu_last_error());
		goto out;
	}
	if (mvctl_opts.json) {
		struct mvctl_json j;

		mvctl_json_init(&j, stdout, true);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_str(&j, "command", "bind");
		mvctl_json_bool(&j, "ok", true);
		mvctl_json_str(&j, "parent", g.parent);
		mvctl_json_str(&j, "gpu", g.name);
		mvctl_json_str(&j, "backend", g.backend);
		mvctl_json_obj_end(&j);
		mvctl_json_end(&j);
	} else {
		printf("%s: %s (%s backend)\n", g.parent, g.name, g.backend);
	}
	ret = MVCTL_EXIT_OK;
out:
	mvctl_sys_free(&sys);
	return ret;
}

int mvctl_cmd_unbind(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvctl_pci_args a = { 0 };
	struct mvctl_sys sys;
	const char *addr;
	int ret;

	ret = mvctl_pci_parse("unbind", argc, argv, opts, &a, &addr);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	if (a.force)
		mvctl_warn("unbind %s: any vGPUs on it are removed first, each waiting until its user lets go ...",
			   addr);
	ret = mvgpu_admin_pci_unbind(sys.a, addr,
				     a.force ? MVGPU_UNBIND_FORCE : 0);
	if (ret == -EBUSY)
		ret = mvctl_fail(MVCTL_EXIT_BUSY, "unbind: %s", mvgpu_last_error());
	else if (ret)
		ret = mvctl_pci_error(ret, "unbind");
	else
		mvctl_json_ok("unbind", "parent", addr);
	mvctl_sys_free(&sys);
	return ret;
}
