#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The harness judges runs correctly: a clean run passes, and a failing
# command, a kernel WARN, a module that will not load, vGPUs left behind
# (the module cannot unload) and a guest that does not power off each fail
# with their own exit code.
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

warn_ko=tests/vm/selftest/mvgpu_selftest_warn.ko
vm() { tests/vm/vmrun --quiet "$@" >/dev/null 2>&1; echo $?; }

expect_eq "a clean run passes" 0 "$(vm -- true)"
expect_eq "a failing command fails the run (1)" 1 "$(vm -- false)"
expect_eq "a kernel WARN fails the run (2)" 2 \
	"$(vm --module $warn_ko -- 'insmod $MVGPU_MODULES/mvgpu_selftest_warn.ko')"
expect_eq "a module that will not load fails the run (3)" 3 \
	"$(vm --params num_gpus=99 -- true)"
expect_eq "vGPUs left behind fail the run (4)" 4 \
	"$(vm -- 'cat /proc/sys/kernel/random/uuid > /sys/class/mdev_bus/mvgpu0/mdev_supported_types/mvgpu-8/create')"
expect_eq "a guest that does not power off fails the run (5)" 5 \
	"$(vm --timeout 30 -- 'sleep 600')"
tap_done
