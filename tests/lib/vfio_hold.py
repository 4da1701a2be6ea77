#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Hold an mvgpu vGPU open through the raw VFIO uAPI, as a VM would.

    vfio_hold.py UUID [SECONDS]

Opens the container, the vGPU's IOMMU group and the device, prints
"open PID" once the device is open, then holds it until SIGTERM or SIGINT
(or SECONDS, default 600, have passed).  Exits 0 after closing everything.
"""
import ctypes
import os
import signal
import sys
import time

VFIO_TYPE = ord(';')
VFIO_BASE = 100


def _io(nr):
    return (VFIO_TYPE << 8) | (VFIO_BASE + nr)


VFIO_GET_API_VERSION = _io(0)
VFIO_SET_IOMMU = _io(2)
VFIO_GROUP_SET_CONTAINER = _io(4)
VFIO_GROUP_GET_DEVICE_FD = _io(6)
VFIO_TYPE1_IOMMU = 1
VFIO_TYPE1v2_IOMMU = 3

libc = ctypes.CDLL(None, use_errno=True)
libc.ioctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p]


def ioctl(fd, req, arg):
    ret = libc.ioctl(fd, req, arg)
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, "ioctl 0x%x: %s" % (req, os.strerror(err)))
    return ret


def main():
    uuid = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 600.0
    group = os.path.basename(os.readlink("/sys/bus/mdev/devices/%s/iommu_group" % uuid))
    container = os.open("/dev/vfio/vfio", os.O_RDWR)
    gfd = os.open("/dev/vfio/%s" % group, os.O_RDWR)
    cfd = ctypes.c_int(container)
    ioctl(gfd, VFIO_GROUP_SET_CONTAINER, ctypes.addressof(cfd))
    try:
        ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)
    except OSError:
        ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU)
    name = ctypes.create_string_buffer(uuid.encode())
    dev = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, ctypes.addressof(name))

    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *a: sys.exit(0))
    print("open %d" % os.getpid(), flush=True)
    try:
        time.sleep(seconds)     # until a signal ends it
    finally:
        os.close(dev)
        os.close(gfd)
        os.close(container)


if __name__ == "__main__":
    main()
