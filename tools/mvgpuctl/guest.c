// SPDX-License-Identifier: GPL-2.0-only
/*
 * mvgpuctl inside a VM: the vGPUs bound to the guest driver mvgpu_guest.ko
 * (list), and naming one by its PCI address or device node (run).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mvgpuctl.h"
#include "mvgpu_uapi.h"
#include "mvgpu_guest_uapi.h"

#define MVCTL_GUEST_DRIVER_DIR	"/bus/pci/drivers/" MVGPU_GUEST_DRIVER_NAME

/* "DDDD:BB:DD.F", "BB:DD.F" or a /dev path: a vGPU of the guest driver */
bool mvctl_guest_device(const char *s)
{
	char addr[MVGPU_PCI_ADDR_LEN];

	return !strncmp(s, "/dev/", 5) || !mvgpu_pci_addr_parse(s, addr);
}

/* A path under sysfs: --sysfs-root when given, else /sys */
static char *mvctl_path(char *buf, const char *rel)
{
	const char *root = mvctl_sysfs_root ? mvctl_sysfs_root : "/sys";
	size_t n = strlen(root);

	/* "/" as root must not give "//bus" */
	snprintf(buf, PATH_MAX, "%.*s%s", (int)(n && root[n - 1] == '/' ?
						n - 1 : n), root, rel);
	return buf;
}

bool mvctl_guest_present(void)
{
	char path[PATH_MAX];
	struct stat st;

	return !stat(mvctl_path(path, MVCTL_GUEST_DRIVER_DIR), &st);
}

static uint64_t mvctl_guest_hex(const char *dir, const char *name)
{
	char path[2 * PATH_MAX], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoull(buf, NULL, 16);
}

/* Size of BAR bar from the resource file (start end flags per line) */
static uint64_t mvctl_guest_bar_size(const char *dir, unsigned int bar)
{
	char path[2 * PATH_MAX], line[128];
	unsigned long long start = 0, end = 0;
	unsigned int i = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/resource", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (i++ == bar && sscanf(line, "%llx %llx", &start, &end) == 2)
			break;
	fclose(f);
	return end > start ? end - start + 1 : 0;
}

int mvctl_guest_list(void)
{
	char drv[PATH_MAX], dir[PATH_MAX + 300], node[PATH_MAX + 300];
	char vram[32], msi[2 * PATH_MAX];
	struct mvctl_table *t;
	struct mvctl_json j;
	struct dirent *de;
	struct stat st;
	unsigned int n = 0;
	DIR *d;

	d = opendir(mvctl_path(drv, MVCTL_GUEST_DRIVER_DIR));
	if (!d)
		return mvctl_fail(MVCTL_EXIT_FAIL, "cannot read %s: %s", drv,
				  strerror(errno));
	if (mvctl_opts.json) {
		mvctl_json_init(&j, stdout, true);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_arr_begin(&j, "guest_vgpus");
	}
	t = mvctl_table_new("lllll", "PCI", "DEVICE", "TYPE", "VRAM", "IRQ");
	while ((de = readdir(d))) {
		uint64_t sub;

		if (!mvctl_guest_device(de->d_name))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", drv, de->d_name);
		snprintf(node, sizeof(node), "%s/%s", MVGPU_GUEST_DEV_DIR,
			 de->d_name);
		snprintf(msi, sizeof(msi), "%s/msi_irqs", dir);
		sub = mvctl_guest_hex(dir, "subsystem_device");
		mvctl_fmt_bytes(vram, sizeof(vram),
				mvctl_guest_bar_size(dir, MVGPU_VRAM_BAR_INDEX));
		snprintf(dir, sizeof(dir), "mvgpu-%u", (unsigned int)(sub & 0xff));
		if (mvctl_opts.json) {
			mvctl_json_obj_begin(&j, NULL);
			mvctl_json_str(&j, "pci", de->d_name);
			mvctl_json_str(&j, "device", node);
			mvctl_json_str(&j, "type", dir);
			mvctl_json_str(&j, "vram", vram);
			mvctl_json_str(&j, "irq", stat(msi, &st) ? "INTx" : "MSI");
			mvctl_json_obj_end(&j);
		} else {
			mvctl_table_cell(t, "%s", de->d_name);
			mvctl_table_cell(t, "%s", node);
			mvctl_table_cell(t, "%s", dir);
			mvctl_table_cell(t, "%s", vram);
			mvctl_table_cell(t, "%s", stat(msi, &st) ? "INTx" : "MSI");
		}
		n++;
	}
	closedir(d);
	if (mvctl_opts.json) {
		mvctl_json_arr_end(&j);
		mvctl_json_obj_end(&j);
		mvctl_json_end(&j);
	} else if (n) {
		mvctl_table_print(t, stdout);
	} else {
		printf("no vGPUs bound to %s in this VM\n",
		       MVGPU_GUEST_DRIVER_NAME);
	}
	mvctl_table_free(t);
	return MVCTL_EXIT_OK;
}
