#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# QEMU drives a vGPU: Debian's qemu-system-x86_64 attaches vGPUs with
# -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID, realizes them
# without a warning, and a qtest "guest" reaches the device through config
# space, BAR0, the VRAM BAR and INTx; the monitor's info pci; SeaBIOS
# assigning the BARs; two QEMUs at once, one SIGKILLed (C tests in
# tests/kernel/qemu_qtest_test.c).  Then nothing may be left behind.
# vmrun: --timeout 900
. tests/lib/tap.sh

build/tests/qemu_qtest_test || true

expect_eq "no QEMU left running" "" \
	"$(ps -e -o pid=,comm= | awk '$2 ~ /^qemu-system/ { print }')"
left=$(ls /sys/bus/mdev/devices)
expect_eq "no vGPU left behind" "" "$left"
for u in $left; do echo 1 >"/sys/bus/mdev/devices/$u/remove"; done
expect_eq "no QEMU socket or log left in /tmp" "" "$(ls /tmp | grep '^mvgpu-qemu-')"
tap_done
