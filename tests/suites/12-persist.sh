#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Persistence through udev and mdevctl, with the rules `make install`
# installs and systemd-udevd running: vGPUs defined with `mdevctl define
# --auto`, their knobs stored as mdevctl attributes, come back with those
# knobs when the module is loaded again and when the GPUs are replayed as
# at boot (coldplug); a vGPU only started with `mdevctl start` does not;
# a vGPU's VFIO group file belongs to the tenant group, whose members (and
# nobody else but root) can open it.
# vmrun: --no-load --timeout 300
. tests/lib/tap.sh

# udevadm does nothing in a chroot (the harness runs suites in one) unless told
export SYSTEMD_IGNORE_CHROOT=1
DEV=/sys/bus/mdev/devices
RULES=/usr/local/lib/udev/rules.d/60-mvgpu.rules
UDEVLOG=/tmp/udevd.log
A=0a0a0a0a-1111-4111-8111-000000000001	# defined, auto, knobs as attributes, on mvgpu0
B=0b0b0b0b-2222-4222-8222-000000000002	# defined, auto, no attributes, on mvgpu1
T=0c0c0c0c-3333-4333-8333-000000000003	# started only: transient
C=0d0d0d0d-4444-4444-8444-000000000004	# a refused knob; then defined while running

wait_for() {	# CMD...: poll until CMD succeeds, at most 30 s
	local i
	for i in $(seq 300); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
knobs() { echo "$(cat $DEV/$1/mvgpu/weight) $(cat $DEV/$1/mvgpu/priority) $(cat $DEV/$1/mvgpu/cap)" 2>&1; }
vgpus() { ls $DEV | sort | tr '\n' ' ' | sed 's/ $//'; }
settle() { udevadm settle --timeout=60; }
open_as() {	# GROUPS-OPTION FILE: open FILE read-write as uid 65534
	setpriv --reuid=65534 --regid=65534 "$1" \
		python3 -c 'import os, sys; os.close(os.open(sys.argv[1], os.O_RDWR))' "$2"
}

# --- the rules, installed as an operator would ----------------------------------
check "make install-udev installs the rules and the group" make -s install-udev
check "the rules land where udev reads them ($RULES)" test -f $RULES
expect_match "the rules run mdevctl where Debian installs it" \
	'RUN\+="/usr/bin/mdevctl start-parent-mdevs \$kernel"' "$(cat $RULES 2>&1)"
check "the tenant group mvgpu exists" getent group mvgpu
gid=$(getent group mvgpu | cut -d: -f3)

/lib/systemd/systemd-udevd --debug >$UDEVLOG 2>&1 &
udevd=$!
check "systemd-udevd runs" wait_for udevadm control --ping

check "insmod mvgpu num_gpus=2" insmod "$MVGPU_KO" num_gpus=2
settle

# --- define, start, and a transient one ---------------------------------------------
check "mdevctl define --auto A (mvgpu-4 on mvgpu0)" \
	mdevctl define --uuid $A --parent mvgpu0 --type mvgpu-4 --auto
for kv in weight=7 priority=high cap=30; do
	check "mdevctl modify --addattr=mvgpu/${kv%=*} --value=${kv#*=}" \
		mdevctl modify --uuid $A --addattr=mvgpu/${kv%=*} --value=${kv#*=}
done
check "mdevctl define --auto B (mvgpu-8 on mvgpu1)" \
	mdevctl define --uuid $B --parent mvgpu1 --type mvgpu-8 --auto
expect_eq "defining starts nothing" "" "$(vgpus)"
check "mdevctl start --uuid A starts the defined vGPU" mdevctl start --uuid $A
expect_eq "A started with its knobs from the attributes" "7 high 30" "$(knobs $A)"
check "mdevctl start of T with parent and type" mdevctl start --uuid $T --parent mvgpu0 --type mvgpu-8
check "T exists" test -d $DEV/$T
refuse "T is not defined (mdevctl list --defined)" grep -q $T <<<"$(mdevctl list --defined)"

# --- reload the module --------------------------------------------------------------
for u in $A $T; do mdevctl stop --uuid $u; done
expect_eq "every vGPU stopped" "" "$(vgpus)"
check "rmmod mvgpu" rmmod mvgpu
check "insmod mvgpu num_gpus=2 again" insmod "$MVGPU_KO" num_gpus=2
settle
wait_for test -d $DEV/$B
expect_eq "after the reload: A and B are back, T is not" "$A $B" "$(vgpus)"
expect_eq "A is an mvgpu-4 on mvgpu0 again" "mvgpu-4 mvgpu0" \
	"$(basename "$(readlink $DEV/$A/mdev_type)") $(cat $DEV/$A/mvgpu/gpu 2>&1)"
expect_eq "B is an mvgpu-8 on mvgpu1 again" "mvgpu-8 mvgpu1" \
	"$(basename "$(readlink $DEV/$B/mdev_type)") $(cat $DEV/$B/mvgpu/gpu 2>&1)"
expect_eq "A has its knobs back: weight 7, priority high, cap 30" "7 high 30" "$(knobs $A)"
# an mvgpu-8 takes 8 of the 64 slices, and its default weight is its slices
expect_eq "B has the type's defaults" "8 normal 0" "$(knobs $B)"

# --- the tenant group owns the vGPUs' VFIO group files -------------------------------
for u in $A $B; do
	g=$(basename "$(readlink $DEV/$u/iommu_group)")
	expect_eq "/dev/vfio/$g (vGPU $u) is root:mvgpu 0660" "root mvgpu 660" \
		"$(stat -c '%U %G %a' /dev/vfio/$g 2>&1)"
done
g=$(basename "$(readlink $DEV/$A/iommu_group)")
check "a member of mvgpu, not root, opens /dev/vfio/$g" open_as --groups=$gid /dev/vfio/$g
refuse "a user outside mvgpu cannot open /dev/vfio/$g" open_as --clear-groups /dev/vfio/$g
expect_eq "/dev/vfio/vfio is left as it was (root:root 0666)" "root root 666" \
	"$(stat -c '%U %G %a' /dev/vfio/vfio)"

# --- coldplug: the GPUs replayed as at boot ------------------------------------------
for u in $A $B; do mdevctl stop --uuid $u; done
expect_eq "A and B stopped" "" "$(vgpus)"
check "udevadm trigger --action=add for the mvgpu GPUs" \
	udevadm trigger --action=add --subsystem-match=mvgpu
settle
wait_for test -d $DEV/$B
expect_eq "after the coldplug: A and B are back" "$A $B" "$(vgpus)"
expect_eq "A has its knobs after the coldplug" "7 high 30" "$(knobs $A)"

starts=$(grep -c "Starting '/usr/bin/mdevctl start-parent-mdevs" $UDEVLOG)
expect_eq "udev ran mdevctl once per GPU and event (reload, coldplug)" 4 "$starts"
refuse "none of those runs failed" grep -E "/usr/bin/mdevctl start-parent-mdevs.*(failed|returned)" $UDEVLOG

# --- a knob the module refuses; persisting a running vGPU ----------------------------
check "define C with the attribute mvgpu/weight=0" \
	sh -c "mdevctl define --uuid $C --parent mvgpu0 --type mvgpu-8 &&
		mdevctl modify --uuid $C --addattr=mvgpu/weight --value=0"
out=$(mdevctl start --uuid $C 2>&1) && rc=0 || rc=$?
expect_match "mdevctl start of C fails on the refused weight" \
	"^rc=1 .*Failed to write 0 to attribute mvgpu/weight" "rc=$rc $(echo $out)"
check "and leaves no vGPU C behind" test ! -e $DEV/$C
expect_match "dmesg says why" "$C: weight: \"0\" refused" "$(dmesg | grep $C)"
mdevctl undefine --uuid $C
echo $C >/sys/class/mdev_bus/mvgpu1/mdev_supported_types/mvgpu-8/create
echo 5 >$DEV/$C/mvgpu/weight
check "mdevctl define --auto of the running C, without parent and type" mdevctl define --uuid $C --auto
out=$(mdevctl list --defined --dumpjson 2>&1)
expect_eq "the definition has C's GPU and type, and no knobs" "mvgpu1 mvgpu-8 auto []" \
	"$(printf '%s' "$out" | python3 -c 'import json, sys
for parents in json.load(sys.stdin):
    for parent, devs in parents.items():
        for dev in devs:
            for uuid, d in dev.items():
                if uuid == sys.argv[1]:
                    print(parent, d["mdev_type"], d["start"], d.get("attrs", []))' $C 2>&1)"
mdevctl stop --uuid $C
mdevctl undefine --uuid $C

# --- clean up ------------------------------------------------------------------------
for u in $A $B; do
	mdevctl stop --uuid $u
	mdevctl undefine --uuid $u
done
expect_eq "no vGPU left" "" "$(vgpus)"
expect_eq "no definition left" "" "$(mdevctl list --defined)"
udevadm control --exit
wait $udevd
tap_done
