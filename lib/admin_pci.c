// SPDX-License-Identifier: MIT
/*
 * PCI GPUs: giving a PCI device to an mvgpu backend driver and taking it
 * back, through the PCI core's sysfs files, as vfio-pci devices are bound:
 *
 *   ROOT/bus/pci/devices/ADDR/driver            the driver that has it
 *   ROOT/bus/pci/devices/ADDR/driver_override   which driver may take it
 *   ROOT/bus/pci/drivers/DRIVER/{bind,unbind}
 *
 * A backend driver has no ID table, so it takes only a device whose
 * driver_override names it.  Nothing here takes a device from another
 * driver.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "admin_int.h"

#define MVGPU_PCI_DEVICES_REL	"bus/pci/devices"
#define MVGPU_PCI_DRIVERS_REL	"bus/pci/drivers"

/* The driver that has device dir (its "driver" link), "" for none */
static int mvgpu_pci_driver_of(const char *dir, char *buf, size_t len)
{
	int ret = mvgpu__link_basename(dir, "driver", buf, len);

	if (ret == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return ret;
}

/* Resolve and check addr; dir gets ROOT/bus/pci/devices/ADDR */
static int mvgpu_pci_device(struct mvgpu_admin *a, const char *arg,
			    char addr[16], char *dir, const char *func)
{
	struct stat st;

	if (!a)
		return mvgpu__err(-EBADF, "%s: the handle is NULL", func);
	if (mvgpu_pci_addr_parse(arg, addr))
		return mvgpu__err(-EINVAL, "'%s' is not a PCI address (DDDD:BB:DD.F, or BB:DD.F in domain 0)",
				  arg ? arg : "(null)");
	mvgpu__apath(a, dir, "/%s/%s", MVGPU_PCI_DEVICES_REL, addr);
	if (stat(dir, &st))
		return mvgpu__err(-ENOENT, "no PCI device %s (%s)", addr, dir);
	return 0;
}

static int mvgpu_pci_write(const char *path, const char *val, const char *what,
			   const char *addr)
{
	int ret = mvgpu__write_file(path, val);

	if (ret)
		return mvgpu__err(ret, "cannot %s %s (%s): %s", what, addr,
				  path, strerror(-ret));
	return 0;
}

int mvgpu_admin_pci_bind(struct mvgpu_admin *a, const char *arg,
			 const char *driver)
{
	char addr[16], dir[PATH_MAX], drvdir[PATH_MAX], path[PATH_MAX + 32];
	char cur[256];
	struct stat st;
	int ret;

	ret = mvgpu_pci_device(a, arg, addr, dir, "mvgpu_admin_pci_bind");
	if (ret)
		return ret;
	if (!driver || !*driver)
		driver = MVGPU_PCI_DRIVER_DEFAULT;
	if (strchr(driver, '/') || strlen(driver) > 64)
		return mvgpu__err(-EINVAL, "'%s' is not a driver name", driver);
	ret = mvgpu_pci_driver_of(dir, cur, sizeof(cur));
	if (ret)
		return mvgpu__err(ret, "cannot read the driver of %s: %s", addr,
				  strerror(-ret));
	if (!strcmp(cur, driver))
		return mvgpu_admin_refresh(a);	/* bound already */
	if (cur[0])
		return mvgpu__err(-EBUSY, "%s is held by driver %s: mvgpu takes only a device no driver has (unbind it from %s first)",
				  addr, cur, cur);
	mvgpu__apath(a, drvdir, "/%s/%s", MVGPU_PCI_DRIVERS_REL, driver);
	if (stat(drvdir, &st))
		return mvgpu__err(-ENODEV, "driver %s is not loaded (modprobe %s)",
				  driver, driver);

	snprintf(path, sizeof(path), "%s/driver_override", dir);
	ret = mvgpu_pci_write(path, driver, "set driver_override of", addr);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/bind", drvdir);
	ret = mvgpu__write_file(path, addr);
	if (ret) {
		char now[256] = "";
		int err = ret;

		snprintf(path, sizeof(path), "%s/driver_override", dir);
		mvgpu__write_file(path, "\n");
		/* the kernel says ENODEV or EINVAL when probe refused it */
		if (err == -EINVAL || err == -ENXIO)
			err = -ENODEV;
		if (!mvgpu_pci_driver_of(dir, now, sizeof(now)) && now[0] &&
		    strcmp(now, driver) && err == -ENODEV)
			err = -EBUSY;	/* another driver took it meanwhile */
		return mvgpu__err(err, "driver %s did not take %s: %s (see dmesg)",
				  driver, addr, strerror(-ret));
	}
	return mvgpu_admin_refresh(a);
}

int mvgpu_admin_pci_unbind(struct mvgpu_admin *a, const char *arg,
			   uint32_t flags)
{
	char addr[16], dir[PATH_MAX], path[PATH_MAX + 32], cur[256];
	unsigned int i;
	int ret;

	ret = mvgpu_pci_device(a, arg, addr, dir, "mvgpu_admin_pci_unbind");
	if (ret)
		return ret;
	if (flags & ~MVGPU_UNBIND_FORCE)
		return mvgpu__err(-EINVAL, "mvgpu_admin_pci_unbind: unknown flags 0x%x",
				  flags);
	ret = mvgpu_pci_driver_of(dir, cur, sizeof(cur));
	if (ret)
		return mvgpu__err(ret, "cannot read the driver of %s: %s", addr,
				  strerror(-ret));
	/* it is ours when a GPU has it as parent */
	ret = mvgpu_admin_refresh(a);
	if (ret && ret != -ENODEV)
		return ret;
	for (i = 0; !ret && i < a->ngpus; i++)
		if (!strcmp(a->gpus[i].info.parent, addr))
			break;
	if (ret || i == a->ngpus)
		return mvgpu__err(-ENXIO, "%s is not an mvgpu GPU (%s)", addr,
				  cur[0] ? cur : "no driver has it");
	if (a->gpus[i].info.nvgpus && !(flags & MVGPU_UNBIND_FORCE))
		return mvgpu__err(-EBUSY, "%s (%s) has %u vGPU%s: remove them first, or force (the kernel then removes them, waiting for their users)",
				  addr, a->gpus[i].info.name,
				  a->gpus[i].info.nvgpus,
				  a->gpus[i].info.nvgpus == 1 ? "" : "s");
	snprintf(path, sizeof(path), "%s/driver/unbind", dir);
	ret = mvgpu_pci_write(path, addr, "unbind", addr);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/driver_override", dir);
	ret = mvgpu_pci_write(path, "\n", "clear driver_override of", addr);
	if (ret)
		return ret;
	ret = mvgpu_admin_refresh(a);
	return ret == -ENODEV ? 0 : ret;
}
