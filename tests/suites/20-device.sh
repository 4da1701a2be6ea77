#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The vGPU as a PCI device (issue 3): VFIO ioctls, config space, BAR0
# registers, the VRAM BAR, interrupts, live migration, hardening against a
# hostile tenant (issue 10), and a seeded fuzz run.
# vmrun: --timeout 900
set -o pipefail
for t in vfio_ioctl cfg_space bar0 vram irq migration hardening fuzz; do
	[ -x build/tests/${t}_test ] || { echo "not ok - $t: build/tests/${t}_test missing"; continue; }
	build/tests/${t}_test || true
done
