#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A VM runs GPU work on its vGPUs.  In the sandbox VM: two vGPUs, and
# a nested guest (Debian's QEMU, q35, TCG, an emulated IOMMU, Debian's
# kernel, an initramfs built here by tests/guest/mkinitramfs) that gets
# both through -device vfio-pci,sysfsdev=...  The guest's checks
# (tests/guest/init) come back as "GUEST ok/not ok" lines and are relayed
# here as TAP.
#   1. Guest driver: mvgpu_guest.ko, every workload on both vGPUs (DMA
#      both ways), fences by MSI, a faulting vGPU next to a computing one,
#      the driver's uAPI (tests/guest/guest_uapi_test.c), rmmod/insmod;
#      the host sees busy time and interrupts of both vGPUs.
#   2. QMP system_reset mid-workload; after the reboot the vIOMMU path:
#      the guest's own vfio-pci takes the vGPUs and libmvgpu's VFIO backend
#      runs the workloads, checked bit for bit.
#   3. QEMU SIGKILLed mid-workload; the host removes both vGPUs.
# vmrun: --timeout 1500
. tests/lib/tap.sh
. tests/guest/lib.sh

# not under /tmp: nothing here may hide behind a tmpfs
work=/var/tmp/mvgpu-guest
rm -rf "$work"
mkdir -p "$work"
t0=$(date +%s)

check "the guest initramfs builds" tests/guest/mkinitramfs "$work/initrd.gz"

types=/sys/class/mdev_bus/mvgpu0/mdev_supported_types
u1=$(cat /proc/sys/kernel/random/uuid)
u2=$(cat /proc/sys/kernel/random/uuid)
echo "$u1" >$types/mvgpu-4/create
echo "$u2" >$types/mvgpu-4/create

# relay NAME BOOT PREFIX: the guest's results of boot BOOT as our TAP
relay() {
	local line name diag="" status=""
	tr -d '\r' <"$work/$1.console" |
		awk -v b="$2" '/GUEST boot/ { n++ } n == b' >"$work/$1.boot$2"
	flush() {
		[ -n "$status" ] && tap_result "$status" "$name" "$diag"
		status="" diag=""
	}
	while IFS= read -r line; do
		case "$line" in
		"GUEST ok - "*) flush; status=0; name="$3${line#GUEST ok - }" ;;
		"GUEST not ok - "*) flush; status=1; name="$3${line#GUEST not ok - }" ;;
		"GUEST # "*) diag="$diag${diag:+
}${line#GUEST # }" ;;
		"GUEST boot"*|"GUEST phase done"*) flush; echo "# $1: ${line#GUEST }" ;;
		esac
	done <"$work/$1.boot$2"
	flush
}

# ran NAME BOOT WHAT: the guest reached "phase done" of boot BOOT
ran() {
	local s=$(date +%s)
	if guest_wait_for "$1" "GUEST phase done" "$2" 400; then
		tap_result 0 "$3 ($(( $(date +%s) - s )) s wall after its plan)"
	else
		tap_result 1 "$3" "$(tr -d '\r' <"$work/$1.console" | tail -30; cat "$work/$1.err")"
	fi
}

stat_of() { cat /sys/bus/mdev/devices/$1/mvgpu_stats/$2 2>/dev/null || echo 0; }
expect_gt() {
	if [ "$2" -gt "$3" ] 2>/dev/null; then tap_result 0 "$1"
	else tap_result 1 "$1" "expected more than $3, got $2"; fi
}

# One VM for both paths, so one boot each: an emulated IOMMU, passthrough
# by default (iommu=pt: mvgpu_guest's DMA addresses are guest-physical,
# as in a VM without an IOMMU), translated for what vfio-pci takes.
s=$(date +%s)
guest_start vm "$u1 $u2" "intel_iommu=on iommu=pt" \
	-device intel-iommu,caching-mode=on

# --- 1. the guest driver ------------------------------------------------------
guest_wait_for vm "GUEST boot" 1 400 && guest_say vm driver
echo "# booted in $(( $(date +%s) - s )) s wall"
ran vm 1 "the guest ran its checks through mvgpu_guest.ko"
relay vm 1 ""
for u in $u1 $u2; do
	expect_gt "host sees busy time of vGPU $u" "$(stat_of $u busy_ns)" 0
	expect_gt "host delivered interrupts of vGPU $u" "$(stat_of $u interrupts)" 0
done

# --- 2. a reset mid-workload; after it the vIOMMU path ------------------------
guest_wait_for vm "GUEST long run started" 1 60
c0=$(stat_of $u1 commands)
sleep 2
expect_gt "the workload runs on $u1 before the reset" "$(stat_of $u1 commands)" "$c0"
out=$(guest_qmp vm system_reset 2>&1)
expect_match "QMP system_reset mid-workload" '"return"' "$out"
s=$(date +%s)
guest_wait_for vm "GUEST boot" 2 400 && guest_say vm vfio
echo "# rebooted in $(( $(date +%s) - s )) s wall"
ran vm 2 "after system_reset the guest ran workloads again, through its vfio-pci"
relay vm 2 "vIOMMU: "

# --- 3. SIGKILL mid-workload; the host then removes the vGPUs -----------------
guest_wait_for vm "GUEST long run started" 2 60
c0=$(stat_of $u1 commands)
sleep 3
expect_gt "the workload runs on $u1 before the kill" "$(stat_of $u1 commands)" "$c0"
kill -KILL $qemu_pid
wait $qemu_pid 2>/dev/null
for i in $(seq 50); do
	[ "$(cat /sys/bus/mdev/devices/$u1/mvgpu/state 2>/dev/null)" = closed ] && break
	sleep 0.2
done
expect_eq "after SIGKILL the vGPU is closed" "closed" "$(cat /sys/bus/mdev/devices/$u1/mvgpu/state)"
check "the host removes vGPU 1 after the kill" sh -c "echo 1 >/sys/bus/mdev/devices/$u1/remove"
check "the host removes vGPU 2 after the kill" sh -c "echo 1 >/sys/bus/mdev/devices/$u2/remove"
expect_eq "no kernel warning on the host" "" "$(dmesg | grep -E 'WARNING|BUG|Oops|Call Trace')"
expect_eq "no QEMU left running" "" "$(ps -e -o pid=,comm= | awk '$2 ~ /^qemu-system/ { print }')"

echo "# whole suite: $(( $(date +%s) - t0 )) s wall"
tap_done
