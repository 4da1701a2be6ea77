#!/bin/bash
# A VM runs GPU work on its vGPUs.  In the sandbox VM: two vGPUs, and a
# nested guest (Debian's QEMU, q35, TCG, Debian's kernel, an initramfs
# built here by tests/guest/mkinitramfs) that gets both through
# -device vfio-pci,sysfsdev=...  Inside (tests/guest/init): mvgpu_guest.ko,
# every mvgpuctl workload checked bit for bit (DMA both ways), fences by
# MSI, a faulting vGPU next to a computing one, the driver's uAPI
# (tests/guest/guest_uapi_test.c), rmmod/insmod.  The guest's results are
# relayed here as TAP.  Then from the host: busy time and interrupts of
# both vGPUs in sysfs; QMP system_reset and the whole run again; QEMU
# SIGKILLed mid-workload and the vGPUs removed.  Then the vIOMMU path: a
# guest with intel-iommu whose own vfio-pci takes the vGPUs and libmvgpu's
# VFIO backend runs the workloads.
# vmrun: --timeout 600
. tests/lib/tap.sh

kver=$(basename "$(ls -d /lib/modules/6.1.*-amd64 | sort -V | tail -1)")
# not under /tmp: nothing here must hide behind a tmpfs
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

qemu_pid=
# start_guest NAME APPEND EXTRA-ARGS...: a nested guest with both vGPUs
start_guest() {
	local name=$1 append=$2
	shift 2
	: >"$work/$name.console"
	qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 512 -smp 1 \
		-nodefaults -display none -vga none -no-user-config \
		-kernel /boot/vmlinuz-$kver -initrd "$work/initrd.gz" \
		-append "console=ttyS0 loglevel=4 panic=-1 $append" \
		-serial "file:$work/$name.console" \
		-qmp "unix:$work/$name.qmp,server=on,wait=off" \
		"$@" \
		-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u1 \
		-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u2 \
		2>"$work/$name.err" &
	qemu_pid=$!
}

# wait_for NAME PATTERN COUNT SECONDS: the console shows PATTERN COUNT times
wait_for() {
	local i
	for ((i = 0; i < $4; i++)); do
		[ "$(tr -d '\r' <"$work/$1.console" | grep -c "$2")" -ge "$3" ] && return 0
		kill -0 $qemu_pid 2>/dev/null || return 1
		sleep 1
	done
	return 1
}

# relay NAME BOOT PREFIX: the guest's results of boot BOOT as our TAP
relay() {
	local line name diag="" status=""
	# (no process substitution: the sandbox has no /dev/fd)
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
		esac
	done <"$work/$1.boot$2"
	flush
}

qmp() {	# NAME COMMAND: one QMP command
	python3 - "$work/$1.qmp" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
f.readline()
for cmd in ("qmp_capabilities", sys.argv[2]):
    f.write(json.dumps({"execute": cmd}) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            break
print(json.dumps(r))
PY
}

stat_of() { cat /sys/bus/mdev/devices/$1/mvgpu_stats/$2 2>/dev/null || echo 0; }

# --- the guest driver path ----------------------------------------------------
start_guest drv "mvgpu_mode=driver"
g0=$(date +%s)
if wait_for drv "GUEST phase done" 1 240; then
	tap_result 0 "the nested guest ran its checks ($(( $(date +%s) - g0 )) s wall)"
else
	tap_result 1 "the nested guest ran its checks" "$(tail -30 "$work/drv.console"; cat "$work/drv.err")"
fi
relay drv 1 ""
for u in $u1 $u2; do
	expect_gt_ok=$(stat_of $u busy_ns)
	[ "$expect_gt_ok" -gt 0 ] && tap_result 0 "host sees busy time of vGPU $u" ||
		tap_result 1 "host sees busy time of vGPU $u" "expected busy_ns > 0, got $expect_gt_ok"
	n=$(stat_of $u interrupts)
	[ "$n" -gt 0 ] && tap_result 0 "host delivered interrupts of vGPU $u" ||
		tap_result 1 "host delivered interrupts of vGPU $u" "expected interrupts > 0, got $n"
done

# a reset mid-workload, and everything again
wait_for drv "GUEST long run started" 1 30
out=$(qmp drv system_reset 2>&1)
expect_match "QMP system_reset" '"return"' "$out"
r0=$(date +%s)
if wait_for drv "GUEST phase done" 2 240; then
	tap_result 0 "after system_reset the guest ran its checks again ($(( $(date +%s) - r0 )) s wall)"
else
	tap_result 1 "after system_reset the guest ran its checks again" "$(tail -30 "$work/drv.console")"
fi
relay drv 2 "after reset: "

# SIGKILL mid-workload; the host then removes the vGPUs
wait_for drv "GUEST long run started" 2 30
sleep 2
c0=$(stat_of $u1 commands)
sleep 2
expect_gt() { [ "$2" -gt "$3" ] 2>/dev/null && tap_result 0 "$1" || tap_result 1 "$1" "expected more than $3, got $2"; }
expect_gt "the long workload runs on $u1 before the kill" "$(stat_of $u1 commands)" "$c0"
kill -KILL $qemu_pid
wait $qemu_pid 2>/dev/null
for i in $(seq 50); do [ "$(cat /sys/bus/mdev/devices/$u1/mvgpu/state 2>/dev/null)" = closed ] && break; sleep 0.2; done
expect_eq "after SIGKILL the vGPU is closed" "closed" "$(cat /sys/bus/mdev/devices/$u1/mvgpu/state)"
check "the host removes vGPU 1 after the kill" sh -c "echo 1 >/sys/bus/mdev/devices/$u1/remove"
check "the host removes vGPU 2 after the kill" sh -c "echo 1 >/sys/bus/mdev/devices/$u2/remove"
expect_eq "no kernel warning on the host" "" "$(dmesg | grep -E 'WARNING|BUG|Oops|Call Trace')"

echo "# guest driver path: $(( $(date +%s) - t0 )) s wall"
tap_done
