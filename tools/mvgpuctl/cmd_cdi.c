// SPDX-License-Identifier: GPL-2.0-only
/*
 * cdi [--output FILE]: the Container Device Interface spec of every vGPU
 * (libmvgpu's mvgpu_admin_cdi_spec() writes it; this prints or saves it).
 * podman, containerd and CRI-O read specs from /etc/cdi and /var/run/cdi.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvgpuctl.h"

struct mvctl_cdi_args {
	const char *output;
};

static int mvctl_cdi_opt(int opt, const char *arg, void *ctx)
{
	struct mvctl_cdi_args *a = ctx;

	if (opt != 'o')
		return MVCTL_EXIT_USAGE;
	a->output = arg;
	return 0;
}

/* write to FILE.tmp, then rename: a reader never sees half a spec */
static int mvctl_cdi_save(const char *path, const char *json)
{
	size_t len = strlen(json);
	char tmp[4096];
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return mvctl_fail(MVCTL_EXIT_USAGE, "cdi: path too long: %s",
				  path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	if (write(fd, json, len) != (ssize_t)len) {
		err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
		goto fail;
	}
	if (close(fd) || rename(tmp, path)) {
		err = errno;
		unlink(tmp);
		errno = err;
		goto fail;
	}
	return MVCTL_EXIT_OK;
fail:
	return mvctl_fail(errno == EACCES || errno == EPERM ?
			  MVCTL_EXIT_PERM : MVCTL_EXIT_FAIL,
			  "cdi: cannot write %s: %s", path, strerror(errno));
}

int mvctl_cmd_cdi(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvctl_cdi_args a = { NULL };
	struct mvctl_sys sys;
	char *json = NULL;
	int ret, first;

	ret = mvctl_getopt("cdi", argc, argv, "o:", opts, mvctl_cdi_opt, &a,
			   &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first < argc)
		return mvctl_usage_fail("cdi", "cdi: unexpected argument '%s'",
					argv[first]);
	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	ret = mvgpu_admin_cdi_spec(sys.a, &json);
	if (ret) {
		ret = mvctl_fail(MVCTL_EXIT_FAIL, "cdi: %s", mvgpu_last_error());
		goto out;
	}
	if (a.output)
		ret = mvctl_cdi_save(a.output, json);
	else
		ret = fputs(json, stdout) < 0 ? MVCTL_EXIT_FAIL : MVCTL_EXIT_OK;
	free(json);
out:
	mvctl_sys_free(&sys);
	return ret;
}
