#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# PCI-backed GPUs (issue 11): two QEMU bochs-display devices become two
# mdev parents of the bochs backend, bound once with sysfs
# (driver_override + bind) and once with mvgpuctl, beside a software GPU.
# Nothing binds them on its own; another driver's device is refused.  The
# physical BAR read through resource0 shows where a vGPU's bytes land
# (tests/kernel/pci_test.c); the backend conformance test runs on the
# software GPU and on a PCI GPU; a subset of the device, engine and
# libmvgpu tests run against a PCI parent (migration: in the conformance
# test, from one bochs GPU to the other), and so do the QEMU tests (QEMU
# attaches a vGPU of a PCI parent; what the guest writes to its VRAM BAR is
# in the physical BAR and the other way round); unbinding with
# vGPUs present is refused (mvgpuctl) or waits for the user (sysfs), and
# the device binds again.
# vmrun: --timeout 900 --bochs 2 --params num_gpus=1
. tests/lib/tap.sh
set -o pipefail

M=$PWD/build/bin/mvgpuctl
HOLD="python3 $PWD/tests/lib/vfio_hold.py"
PCI=/sys/bus/pci/devices
DRV=/sys/bus/pci/drivers/mvgpu
TMP=$(mktemp -d)

BOCHS=()
for d in $PCI/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x1234:0x1111 ] && BOCHS+=("$(basename $d)")
done
expect_eq "the VM has two bochs-display devices" 2 "${#BOCHS[@]}"
P1=${BOCHS[0]:-none}
P2=${BOCHS[1]:-none}

# --- the backend's parameter ---------------------------------------------------
check "rmmod mvgpu (loaded by the harness)" rmmod mvgpu
for bad in 0 9; do
	refuse "insmod mvgpu bochs_engines=$bad is refused" insmod "$MVGPU_KO" bochs_engines=$bad
	expect_match "... with a dmesg line" "bochs_engines=$bad: use 1..8" "$(dmesg | tail -5)"
done
check "insmod mvgpu num_gpus=1 bochs_engines=2" insmod "$MVGPU_KO" num_gpus=1 bochs_engines=2

# --- nothing takes them on its own -------------------------------------------
expect_eq "the mvgpu PCI driver (the bochs backend) is registered" yes \
	"$([ -d $DRV ] && echo yes || echo no)"
expect_eq "no driver took $P1 at boot or at module load" "" \
	"$(basename "$(readlink $PCI/$P1/driver 2>/dev/null)" 2>/dev/null)"
echo "$P1" >/sys/bus/pci/drivers_probe 2>/dev/null || true
expect_eq "drivers_probe without driver_override leaves $P1 alone" "" \
	"$(readlink $PCI/$P1/driver 2>/dev/null)"
refuse "bind without driver_override is refused" sh -c "echo $P1 >$DRV/bind"
expect_eq "the DRM bochs module is not loaded" "" "$(grep -E '^bochs(_drm)? ' /proc/modules)"

# a device that is not a bochs-display: probe refuses it
other=$(for d in $PCI/*; do
	[ "$(cat $d/vendor)" = 0x8086 ] && [ ! -e $d/driver ] && basename $d && break
done)
if [ -n "$other" ]; then
	echo mvgpu >$PCI/$other/driver_override
	refuse "probe refuses $other ($(cat $PCI/$other/vendor):$(cat $PCI/$other/device))" \
		sh -c "echo $other >$DRV/bind"
	echo >$PCI/$other/driver_override
	expect_eq "the refused device has no driver" "" "$(readlink $PCI/$other/driver)"
fi
# a device another driver holds: mvgpuctl refuses it
held=$(for d in $PCI/*; do
	[ "$(basename "$(readlink $d/driver 2>/dev/null)")" = virtio-pci ] && basename $d && break
done)
out=$("$M" bind "$held" 2>&1) && rc=0 || rc=$?
expect_eq "mvgpuctl bind refuses a device virtio-pci holds (exit 7)" 7 "$rc"
expect_match "... and says which driver has it" "held by driver virtio-pci" "$out"
expect_eq "... which stays with virtio-pci" virtio-pci \
	"$(basename "$(readlink $PCI/$held/driver)")"

# --- bind: sysfs for one, mvgpuctl for the other ------------------------------
echo mvgpu >$PCI/$P1/driver_override
check "bind $P1 through sysfs (driver_override + bind)" sh -c "echo $P1 >$DRV/bind"
expect_eq "$P1 is bound to mvgpu" mvgpu "$(basename "$(readlink $PCI/$P1/driver)")"
expect_eq "$P1 is an mdev parent with seven types mvgpu-1 ... mvgpu-64" \
	"mvgpu-1 mvgpu-16 mvgpu-2 mvgpu-32 mvgpu-4 mvgpu-64 mvgpu-8" \
	"$(ls $PCI/$P1/mdev_supported_types | sort | tr '\n' ' ' | sed 's/ $//')"
out=$("$M" bind "$P2" 2>&1) && rc=0 || rc=$?
expect_eq "mvgpuctl bind $P2 exits 0" 0 "$rc"
expect_match "... and names the GPU it became" "^$P2: mvgpu[0-9]+ \(bochs backend\)$" "$out"
expect_eq "$P2 is bound to mvgpu" mvgpu "$(basename "$(readlink $PCI/$P2/driver)")"
out=$("$M" bind "$P2" 2>&1) && rc=0 || rc=$?
expect_eq "mvgpuctl bind of a bound device is a no-op (exit 0)" 0 "$rc"

G1=$(grep -lx "$P1" /sys/class/mvgpu/*/parent | xargs dirname | xargs basename)
G2=$(grep -lx "$P2" /sys/class/mvgpu/*/parent | xargs dirname | xargs basename)
expect_eq "three GPUs: the software one and two bochs" "software bochs bochs" \
	"$(cat /sys/class/mvgpu/mvgpu0/backend) $(cat /sys/class/mvgpu/$G1/backend) $(cat /sys/class/mvgpu/$G2/backend)"
expect_eq "the software GPU is its own parent" mvgpu0 "$(cat /sys/class/mvgpu/mvgpu0/parent)"
expect_eq "$G1's VRAM is the 256 MiB BAR" 268435456 "$(cat /sys/class/mvgpu/$G1/vram_size)"
expect_match "dmesg: the backend took the BAR" "mvgpu $P1: 256 MiB of VRAM" \
	"$(dmesg | grep "mvgpu $P1")"

# --- mvgpuctl and libmvgpu see PCI parents ------------------------------------
out=$("$M" list --json 2>&1)
expect_match "mvgpuctl list --json names $P1 as $G1's parent" \
	"\"name\": \"$G1\",[[:space:]]*\"backend\": \"bochs\",[[:space:]]*\"parent\": \"$P1\"" \
	"$(printf '%s' "$out" | tr '\n' ' ')"
out=$("$M" types --parent "$P1" 2>&1) && rc=0 || rc=$?
expect_eq "mvgpuctl types --parent PCI-ADDR exits 0" 0 "$rc"
expect_match "... and lists the parent's types" "mvgpu-4 +$G1" "$out"
u=$("$M" create --type mvgpu-8 --parent "$P2" 2>&1)
expect_match "mvgpuctl create --parent PCI-ADDR creates a vGPU" '^[0-9a-f-]{36}$' "$u"
expect_eq "the vGPU is a child of the PCI device" "$P2" \
	"$(basename "$(dirname "$(readlink -f /sys/bus/mdev/devices/$u)")")"
out=$("$M" list --json 2>&1 | tr '\n' ' ')
expect_match "mvgpuctl list maps the vGPU to its GPU and parent" \
	"\"uuid\": \"$u\",[[:space:]]*\"type\": \"mvgpu-8\",[[:space:]]*\"gpu\": \"$G2\",[[:space:]]*\"parent\": \"$P2\"" "$out"
"$M" snapshot "$TMP/snap" >/dev/null 2>&1
out=$("$M" --sysfs-root "$TMP/snap" types --parent "$P2" 2>&1)
expect_match "mvgpuctl snapshot keeps the PCI GPU's types" "mvgpu-8 +$G2 " "$out"
out=$("$M" --sysfs-root "$TMP/snap" list --json 2>&1 | tr '\n' ' ')
expect_match "... and its vGPU's type and parent" \
	"\"uuid\": \"$u\",[[:space:]]*\"type\": \"mvgpu-8\",[[:space:]]*\"gpu\": \"$G2\",[[:space:]]*\"parent\": \"$P2\"" "$out"
check "mvgpuctl run on the PCI-backed vGPU: gemm, checked" \
	"$M" run "$u" --workload mixed --seconds 1
check "mvgpuctl remove of the PCI-backed vGPU" "$M" remove "$u"

# mdevctl with the PCI address as parent
mu=$(cat /proc/sys/kernel/random/uuid)
check "mdevctl start on the PCI parent" mdevctl start --uuid "$mu" --parent "$P2" --type mvgpu-64
expect_match "mdevctl list shows it under $P2" "^$mu $P2 mvgpu-64" "$(mdevctl list 2>&1)"
expect_match "mdevctl types lists $P2's types" "^$P2" "$(mdevctl types 2>&1)"
check "mdevctl stop" mdevctl stop --uuid "$mu"

# --- the physical BAR: writes land in their own slices ------------------------
MVGPU_TEST_PARENT=$P1 build/tests/pci_test || true

# --- conformance: the software backend and a PCI backend ----------------------
build/tests/backend_test mvgpu0 || true
build/tests/backend_test "$P1" "$P2" || true

# --- device, engine and library tests against a PCI parent --------------------
for t in vram cmd libmvgpu; do
	MVGPU_TEST_PARENT=$P2 build/tests/${t}_test || true
done

# --- QEMU attaches a vGPU of a PCI parent (tests/kernel/qemu_qtest_test.c) ----
# a 4 MiB vGPU first, so that the QEMU vGPUs' slices are not at BAR offset 0
pad=$("$M" create --type mvgpu-64 --parent "$P2")
t0=$(date +%s)
MVGPU_TEST_PARENT=$P2 build/tests/qemu_qtest_test || true
echo "# qemu_qtest_test on $P2: $(($(date +%s) - t0)) s"
expect_eq "no QEMU left running" "" \
	"$(ps -e -o pid=,comm= | awk '$2 ~ /^qemu-system/ { print }')"
check "remove the 4 MiB vGPU" "$M" remove "$pad"
expect_eq "no vGPU left on $P2" "" "$(ls /sys/bus/mdev/devices)"

# --- unbind with vGPUs present ------------------------------------------------
u=$("$M" create --type mvgpu-4 --parent "$P1")
out=$("$M" unbind "$P1" 2>&1) && rc=0 || rc=$?
expect_eq "mvgpuctl unbind with a vGPU present is refused (exit 7)" 7 "$rc"
expect_match "... saying why" "has 1 vGPU: remove them first, or force" "$out"
expect_eq "... and the device stays bound" mvgpu "$(basename "$(readlink $PCI/$P1/driver)")"
$HOLD "$u" 120 >"$TMP/hold" 2>&1 &
hold=$!
for _ in $(seq 50); do grep -q '^open' "$TMP/hold" && break; sleep 0.2; done
sh -c "echo $P1 >$DRV/unbind" &
unbind=$!
sleep 3
expect_eq "sysfs unbind waits while a user holds a vGPU" running \
	"$(kill -0 $unbind 2>/dev/null && echo running || echo finished)"
# the mdev device leaves sysfs at once; its VRAM stays with the user
expect_eq "... the GPU keeps the vGPU's 64 MiB for its user (vram_releasing)" 67108864 \
	"$(cat /sys/class/mvgpu/$G1/vram_releasing 2>/dev/null)"
expect_eq "... the user still holds it" running "$(kill -0 $hold 2>/dev/null && echo running || echo gone)"
kill $hold
wait $hold
for _ in $(seq 100); do kill -0 $unbind 2>/dev/null || break; sleep 0.1; done
expect_eq "the unbind completes once the user lets go" finished \
	"$(kill -0 $unbind 2>/dev/null && echo running || echo finished)"
wait $unbind
expect_eq "the vGPU went with it" no "$([ -e /sys/bus/mdev/devices/$u ] && echo yes || echo no)"
expect_eq "$P1 has no driver now" "" "$(readlink $PCI/$P1/driver)"
expect_eq "$G1 is gone" no "$([ -e /sys/class/mvgpu/$G1 ] && echo yes || echo no)"

# rebind: with mvgpuctl (driver_override is still set from the sysfs bind)
out=$("$M" bind "$P1" 2>&1) && rc=0 || rc=$?
expect_eq "mvgpuctl bind again after the unbind" 0 "$rc"
u=$("$M" create --type mvgpu-64 --parent "$P1")
expect_match "a vGPU on the rebound GPU" '^[0-9a-f-]{36}$' "$u"
out=$("$M" unbind --force "$P1" 2>&1) && rc=0 || rc=$?
expect_eq "mvgpuctl unbind --force removes the closed vGPU and unbinds" 0 "$rc"
expect_eq "... the vGPU is gone" no "$([ -e /sys/bus/mdev/devices/$u ] && echo yes || echo no)"
expect_eq "... driver_override is cleared" "(null)" "$(cat $PCI/$P1/driver_override)"
out=$("$M" unbind "$P1" 2>&1) && rc=0 || rc=$?
expect_eq "mvgpuctl unbind of a device no mvgpu driver has: exit 4" 4 "$rc"
check "mvgpuctl unbind $P2" "$M" unbind "$P2"
expect_eq "only the software GPU is left" mvgpu0 "$(ls /sys/class/mvgpu)"
# bound again and left bound: the harness's rmmod mvgpu takes it away
check "mvgpuctl bind $P2 once more, for rmmod to unbind" "$M" bind "$P2"

rm -rf "$TMP"
tap_done
