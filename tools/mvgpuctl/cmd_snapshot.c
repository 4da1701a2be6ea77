// SPDX-License-Identifier: GPL-2.0-only
/*
 * snapshot DIR: copy what mvgpuctl and libmvgpu read of sysfs into DIR, so
 * that `mvgpuctl --sysfs-root DIR ...` (or mvgpu_admin_open(DIR)) shows
 * the same GPUs, types and vGPUs later or elsewhere: a bug report, a test
 * fixture.  `cp -rL /sys/...` does not do: it loops through the device
 * links and turns mdev_type into a copy that no longer names the type.
 *
 *   DIR/class/mvgpu/GPU/FILE
 *   DIR/class/mdev_bus/GPU/mdev_supported_types/TYPE/{FILE,mvgpu/FILE}
 *   DIR/bus/mdev/devices/UUID/{mvgpu,mvgpu_stats,mvgpu_meter}/FILE
 *   DIR/bus/mdev/devices/UUID/mdev_type -> the type's directory in DIR
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvgpuctl.h"

static int mvctl_mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	mvctl_strlcpy(buf, path, sizeof(buf));
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Copy the readable regular files of src (not its subdirectories) */
static int mvctl_copy_files(const char *src, const char *dst)
{
	char from[PATH_MAX], to[PATH_MAX], buf[8192];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret;

	ret = mvctl_mkdirs(dst);
	if (ret)
		return ret;
	d = opendir(src);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		ssize_t n;
		int in, out;

		snprintf(from, sizeof(from), "%s/%s", src, de->d_name);
		if (lstat(from, &st) || !S_ISREG(st.st_mode))
			continue;
		in = open(from, O_RDONLY | O_CLOEXEC);
		if (in < 0)
			continue;	/* write-only: create, remove, ack */
		n = read(in, buf, sizeof(buf));
		close(in);
		if (n < 0)
			continue;
		snprintf(to, sizeof(to), "%s/%s", dst, de->d_name);
		out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0 || write(out, buf, n) != n) {
			ret = -errno;
			if (out >= 0)
				close(out);
			closedir(d);
			return ret;
		}
		close(out);
	}
	closedir(d);
	return 0;
}

static int mvctl_snapshot(struct mvctl_sys *sys, const char *root,
			  const char *dir)
{
	char src[PATH_MAX], dst[PATH_MAX], link[PATH_MAX];
	unsigned int i, k;
	int ret;

	for (i = 0; i < sys->ngpus; i++) {
		const struct mvctl_gpu *g = &sys->gpus[i];

		snprintf(src, sizeof(src), "%s/%s/%s", root,
			 MVGPU_SYSFS_CLASS_REL, g->i.name);
		snprintf(dst, sizeof(dst), "%s/%s/%s", dir,
			 MVGPU_SYSFS_CLASS_REL, g->i.name);
		ret = mvctl_copy_files(src, dst);
		for (k = 0; !ret && k < g->i.ntypes; k++) {
			/* under the mdev parent: mvgpuN or a PCI device */
			snprintf(src, sizeof(src), "%s/%s/%s/%s/%s", root,
				 MVGPU_SYSFS_MDEV_BUS_REL, g->i.parent,
				 MVGPU_SYSFS_TYPES_DIR, g->types[k].name);
			snprintf(dst, sizeof(dst), "%s/%s/%s/%s/%s", dir,
				 MVGPU_SYSFS_MDEV_BUS_REL, g->i.parent,
				 MVGPU_SYSFS_TYPES_DIR, g->types[k].name);
			ret = mvctl_copy_files(src, dst);
			if (!ret) {
				strncat(src, "/" MVGPU_TYPE_ATTR_DIR,
					sizeof(src) - strlen(src) - 1);
				strncat(dst, "/" MVGPU_TYPE_ATTR_DIR,
					sizeof(dst) - strlen(dst) - 1);
				ret = mvctl_copy_files(src, dst);
			}
		}
		if (ret)
			return ret;
	}
	for (i = 0; i < sys->nvgpus; i++) {
		static const char *const subs[] = { MVGPU_VGPU_ATTR_DIR,
						    MVGPU_STATS_DIR,
						    MVGPU_METER_DIR };
		const struct mvctl_vgpu *v = &sys->vgpus[i];

		for (k = 0; k < 3; k++) {
			snprintf(src, sizeof(src), "%s/%s/%s/%s", root,
				 MVGPU_SYSFS_MDEV_DEVICES_REL, v->i.uuid,
				 subs[k]);
			snprintf(dst, sizeof(dst), "%s/%s/%s/%s", dir,
				 MVGPU_SYSFS_MDEV_DEVICES_REL, v->i.uuid,
				 subs[k]);
			ret = mvctl_copy_files(src, dst);
			if (ret)
				return ret;
		}
		snprintf(dst, sizeof(dst), "%s/%s/%s/mdev_type", dir,
			 MVGPU_SYSFS_MDEV_DEVICES_REL, v->i.uuid);
		snprintf(link, sizeof(link), "../../../../%s/%s/%s/%s",
			 MVGPU_SYSFS_MDEV_BUS_REL,
			 v->i.parent[0] ? v->i.parent : v->i.gpu,
			 MVGPU_SYSFS_TYPES_DIR, v->i.type);
		unlink(dst);
		if (symlink(link, dst))
			return -errno;
	}
	return 0;
}

int mvctl_cmd_snapshot(int argc, char **argv)
{
	struct mvctl_sys sys;
	int ret, first;

	ret = mvctl_getopt("snapshot", argc, argv, "", NULL, NULL, NULL,
			   &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first >= argc)
		return mvctl_usage_fail("snapshot", "snapshot: into which directory? Give one (it is created)");
	if (first + 1 < argc)
		return mvctl_usage_fail("snapshot", "snapshot: unexpected argument '%s'",
					argv[first + 1]);
	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	ret = mvctl_snapshot(&sys, mvgpu_admin_root(sys.a), argv[first]);
	if (ret)
		ret = mvctl_fail(MVCTL_EXIT_FAIL, "snapshot: cannot write %s: %s",
				 argv[first], strerror(-ret));
	else if (mvctl_opts.json)
		mvctl_json_ok("snapshot", "dir", argv[first]);
	else
		printf("%u GPUs and %u vGPUs copied to %s: read them with 'mvgpuctl --sysfs-root %s list'\n",
		       sys.ngpus, sys.nvgpus, argv[first], argv[first]);
	mvctl_sys_free(&sys);
	return ret;
}
