#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# libvirt and mvgpu: Debian's libvirt 9.0 with its stock configuration
# (no "namespaces = [ ]" in qemu.conf), its daemons started by hand as on
# a host without systemd: systemd-udevd, virtlogd, libvirtd.
#   1. The sandbox gives what libvirt needs: a process that enters a mount
#      namespace keeps the host's root (libvirt fills QEMU's private /dev
#      that way), and /dev/stdin (libvirt gives mdevctl its JSON there).
#   2. The software GPU (class device mvgpu0): libvirt lists its vGPUs as
#      mdev node devices, starts, stops and undefines mdevctl-defined ones,
#      refuses to create one on it ("invalid parent device") and does not
#      list it under mdev_types; a domain with a vGPU as <hostdev
#      type='mdev'> starts (QEMU's command line and QMP show vfio-pci),
#      takes a second vGPU by hot-plug, keeps libvirt from stopping a vGPU
#      it holds, and lets go of both when destroyed.
#   3. A PCI GPU (the bochs-display of vmrun --bochs 1, bound to mvgpu;
#      skipped without one): nodedev-list --cap mdev_types lists it,
#      nodedev-dumpxml shows every type with its available instances,
#      nodedev-create/-destroy and nodedev-define/-start/-undefine manage
#      vGPUs on it through mdevctl (knobs as <attr>), and a domain starts
#      (paused) with one.
# See docs/libvirt.md.
# vmrun: --timeout 400 --bochs 1 --params num_gpus=1
. tests/lib/tap.sh
T0=$(date +%s)
elapsed() { echo "# $1 after $(($(date +%s) - T0)) s"; }

# udevadm and udevd do nothing in a chroot (the harness runs suites in one) unless told
export SYSTEMD_IGNORE_CHROOT=1
DEV=/sys/bus/mdev/devices
TYPES=/sys/class/mdev_bus/mvgpu0/mdev_supported_types
TMP=$(mktemp -d)
A=6a6a6a6a-1111-4111-8111-000000000001	# created in sysfs, given to the domain
B=6b6b6b6b-2222-4222-8222-000000000002	# defined with mdevctl, started by libvirt
C=6c6c6c6c-3333-4333-8333-000000000003	# hot-plugged into the running domain

# virsh in a session without a controlling terminal: with one, it starts
# polkit's pkttyagent, which prints a warning when there is no D-Bus
vsh() { setsid -w virsh -c qemu:///system "$@" </dev/null; }
skip() {	# NAME REASON: a test that cannot run here
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}
wait_for() {	# SECONDS CMD...: poll until CMD succeeds, twice a second
	local i n=$(($1 * 2))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}
nodename() {	# UUID PARENT-ADDRESS: libvirt's name of an mdev node device
	local n="mdev_${1//-/_}_$2"
	echo "${n//[^A-Za-z0-9]/_}"
}
group_of() { basename "$(readlink $DEV/$1/iommu_group)"; }
domain_xml() {	# NAME UUID...: a domain with no OS, each vGPU as an mdev hostdev
	local name=$1 u
	shift
	echo "<domain type='qemu'><name>$name</name><memory unit='MiB'>64</memory>"
	echo "<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>"
	echo "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
	for u in "$@"; do
		echo "<hostdev mode='subsystem' type='mdev' model='vfio-pci'>"
		echo "<source><address uuid='$u'/></source></hostdev>"
	done
	echo "</devices></domain>"
}
mdev_xml() {	# PARENT TYPE [UUID [NAME=VALUE...]]: a node device XML for nodedev-create/-define
	local a
	echo "<device><parent>$1</parent><capability type='mdev'><type id='$2'/>"
	[ -n "${3:-}" ] && echo "<uuid>$3</uuid>"
	for a in "${@:4}"; do
		echo "<attr name='${a%%=*}' value='${a#*=}'/>"
	done
	echo "</capability></device>"
}
qemu_pid() { cat /run/libvirt/qemu/$1.pid 2>/dev/null; }
# QMP query-pci of domain $1: "slot vendor:device qdev_id" per function
qmp_pci() {
	vsh qemu-monitor-command "$1" '{"execute":"query-pci"}' | python3 -c '
import json, sys
for bus in json.load(sys.stdin)["return"]:
    for d in bus["devices"]:
        print(d["slot"], "%04x:%04x" % (d["id"]["vendor"], d["id"]["device"]), d["qdev_id"])'
}

# --- 1. the sandbox ---------------------------------------------------------------
expect_eq "entering our own mount namespace (setns) keeps the host's root" \
	"$(stat -c %d:%i /)" "$(nsenter --mount=/proc/self/ns/mnt stat -c %d:%i / 2>&1)"
expect_eq "/dev/stdin leads to the standard input" "/proc/self/fd/0" "$(readlink /dev/stdin)"
expect_eq "qemu.conf is Debian's stock file: no namespaces setting" "" \
	"$(grep -E '^[[:space:]]*namespaces' /etc/libvirt/qemu.conf)"

# --- the daemons --------------------------------------------------------------------
/lib/systemd/systemd-udevd >$TMP/udevd.log 2>&1 &
udevd=$!
check "systemd-udevd runs" wait_for 30 udevadm control --ping
check "virtlogd starts" virtlogd -d
t0=$(date +%s)
check "libvirtd starts" libvirtd -d
# libvirtd probes QEMU's capabilities first: about 20 s under TCG
check "libvirtd answers on qemu:///system" wait_for 90 vsh version
echo "# libvirtd answered $(($(date +%s) - t0)) s after its start"

elapsed "daemons up"

# --- 2. the software GPU ------------------------------------------------------------
echo $A >$TYPES/mvgpu-4/create
NA=$(nodename $A mvgpu0)
# libvirt hears of it from udevd's event, a moment later
check "a vGPU created in sysfs becomes the node device $NA" \
	wait_for 30 sh -c "setsid -w virsh nodedev-list --cap mdev </dev/null | grep -qx $NA"
out=$(vsh nodedev-dumpxml $NA 2>&1)
expect_match "... of type mvgpu-4" "<type id='mvgpu-4'/>" "$out"
expect_match "... on parent address mvgpu0" "<parent_addr>mvgpu0</parent_addr>" "$out"
expect_match "... in its IOMMU group $(group_of $A)" "<iommuGroup number='$(group_of $A)'/>" "$out"
expect_match "... whose parent is 'computer' (mvgpu0 is no node device)" "<parent>computer</parent>" "$out"
out=$(vsh nodedev-list --cap mdev_types 2>&1)
expect_eq "nodedev-list --cap mdev_types does not list the class device mvgpu0" "" \
	"$(grep mvgpu <<<"$out")"
mdev_xml mvgpu0 mvgpu-4 >$TMP/soft.xml
out=$(vsh nodedev-create $TMP/soft.xml 2>&1) && rc=0 || rc=$?
expect_match "nodedev-create on mvgpu0 is refused: invalid parent device" \
	"^rc=1 .*invalid parent device 'mvgpu0'" "rc=$rc $(echo $out)"

# a vGPU mdevctl defines on the software GPU is libvirt's to start and stop
check "mdevctl define B (mvgpu-8 on mvgpu0)" mdevctl define --uuid $B --parent mvgpu0 --type mvgpu-8
NB=$(nodename $B mvgpu0)
check "libvirt lists B as a defined, inactive node device" \
	wait_for 30 sh -c "setsid -w virsh nodedev-list --cap mdev --inactive </dev/null | grep -qx $NB"
check "virsh nodedev-start B" vsh nodedev-start $NB
expect_eq "B exists, an mvgpu-8" mvgpu-8 "$(basename "$(readlink $DEV/$B/mdev_type)" 2>&1)"
expect_match "nodedev-info: B is active and persistent" "Active: +yes Persistent: +yes" \
	"$(vsh nodedev-info $NB 2>&1 | tr -s '\n' ' ')"

# a domain with vGPU A
domain_xml lv1 $A >$TMP/lv1.xml
check "virsh define lv1 (vGPU A as <hostdev type='mdev' model='vfio-pci'>)" vsh define $TMP/lv1.xml
out=$(vsh start lv1 2>&1) && rc=0 || rc=$?
expect_eq "virsh start lv1" "rc=0" "rc=$rc$([ $rc = 0 ] || echo " $out")"
pid=$(qemu_pid lv1)
expect_match "QEMU's command line has vfio-pci with A's sysfsdev" \
	"\"driver\":\"vfio-pci\",\"id\":\"hostdev0\",\"sysfsdev\":\"$DEV/$A\"" \
	"$(tr '\0' ' ' </proc/${pid:-0}/cmdline 2>&1)"
expect_match "QMP query-pci shows the vGPU (1234:4d56) as hostdev0" "^[0-9]+ 1234:4d56 hostdev0$" \
	"$(qmp_pci lv1 2>&1)"
expect_eq "A is open, by QEMU ($pid)" "open $pid qemu-system-x86" \
	"$(cat $DEV/$A/mvgpu/state $DEV/$A/mvgpu/owner 2>&1 | tr '\n' ' ' | sed 's/ $//')"
g=$(group_of $A)
expect_eq "QEMU's private /dev has /dev/vfio/$g, the same node, for libvirt-qemu" \
	"$(stat -c %t:%T /dev/vfio/$g) libvirt-qemu" \
	"$(stat -c '%t:%T %U' /proc/${pid:-0}/root/dev/vfio/$g 2>&1)"
expect_eq "QEMU's /dev is its own tmpfs (the mount namespace is in use)" "tmpfs" \
	"$(awk '$5 == "/dev" { for (i = 7; i < NF; i++) if ($i == "-") print $(i + 1) }' \
		/proc/${pid:-0}/mountinfo 2>&1)"
expect_eq "the host's /dev/vfio/$g is left root's" "root 600" "$(stat -c '%U %a' /dev/vfio/$g)"
expect_match "the VM name lv1 reaches mvgpuctl" "$A .* open .*\(VM lv1\)" \
	"$(build/bin/mvgpuctl list 2>&1)"
out=$(vsh nodedev-destroy $NA 2>&1) && rc=0 || rc=$?
expect_match "nodedev-destroy of A, which QEMU holds, is refused: device in use" \
	"^rc=1 .*device in use" "rc=$rc $(echo $out)"
check "... and A is still there" test -d $DEV/$A

# hot-plug: the node QEMU needs is made in its namespace then
echo $C >$TYPES/mvgpu-4/create
domain_xml x $C | sed -n '/<hostdev/,/<\/hostdev>/p' >$TMP/c.xml
check "virsh attach-device --live: vGPU C into the running lv1" vsh attach-device lv1 $TMP/c.xml --live
gc=$(group_of $C)
check "QEMU's /dev now has /dev/vfio/$gc" test -c /proc/${pid:-0}/root/dev/vfio/$gc
expect_match "QMP query-pci shows C as hostdev1" "^[0-9]+ 1234:4d56 hostdev1$" "$(qmp_pci lv1 2>&1)"
expect_eq "C is open, by QEMU" "open $pid qemu-system-x86" \
	"$(cat $DEV/$C/mvgpu/state $DEV/$C/mvgpu/owner 2>&1 | tr '\n' ' ' | sed 's/ $//')"

check "virsh destroy lv1" vsh destroy lv1
check "QEMU is gone" wait_for 10 sh -c "! kill -0 $pid"
expect_eq "A and C are closed" "closed closed" "$(cat $DEV/$A/mvgpu/state $DEV/$C/mvgpu/state | tr '\n' ' ' | sed 's/ $//')"
check "virsh undefine lv1" vsh undefine lv1
check "virsh nodedev-destroy B (mdevctl stop)" vsh nodedev-destroy $NB
check "B is gone" test ! -e $DEV/$B
check "virsh nodedev-undefine B" vsh nodedev-undefine $NB
expect_eq "mdevctl has no definition left" "" "$(mdevctl list --defined 2>&1)"
check "virsh nodedev-destroy A, no longer held" vsh nodedev-destroy $NA
check "A is gone" test ! -e $DEV/$A
echo 1 >$DEV/$C/remove

elapsed "software GPU done"

# --- 3. a PCI GPU ---------------------------------------------------------------------
BDRV=/sys/bus/pci/drivers/mvgpu
P=$(for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x1234:0x1111 ] && basename $d && break
done)
# libvirt's XML of a node device against sysfs: "id name deviceAPI available"
# per type, from nodedev-dumpxml (file $1) or from the types directory $2
types_xml() {
	python3 -c '
import sys, xml.etree.ElementTree as ET
for t in ET.parse(sys.argv[1]).iter("type"):
    if t.find("availableInstances") is None:
        continue
    print(t.get("id"), t.findtext("name"), t.findtext("deviceAPI"), t.findtext("availableInstances"))' "$1" | sort
}
types_sysfs() {
	local t
	for t in "$1"/*; do
		echo "$(basename $t) $(cat $t/name) $(cat $t/device_api) $(cat $t/available_instances)"
	done | sort
}
avail_xml() {	# NODEDEV TYPE: libvirt's availableInstances of TYPE
	vsh nodedev-dumpxml "$1" >$TMP/avail.xml 2>&1
	types_xml $TMP/avail.xml | awk -v t="$2" '$1 == t { print $NF }'
}
pci_part() {
	local pd=/sys/bus/pci/devices/$P pn="pci_${P//[:.]/_}" pt n u out rc a0 pid
	pt=$pd/mdev_supported_types

	echo mvgpu >$pd/driver_override
	check "bind the bochs-display $P to mvgpu (driver_override + bind)" \
		sh -c "echo $P >$BDRV/bind"
	expect_eq "nodedev-list --cap mdev_types lists the PCI GPU as $pn" "$pn" \
		"$(vsh nodedev-list --cap mdev_types 2>&1 | grep -x "$pn")"
	vsh nodedev-dumpxml $pn >$TMP/pci.xml 2>&1
	expect_match "... nodedev-dumpxml: a PCI device with the mdev_types capability" \
		"<capability type='mdev_types'>" "$(cat $TMP/pci.xml)"
	expect_eq "nodedev-dumpxml shows every type with name, deviceAPI and availableInstances as sysfs" \
		"$(types_sysfs $pt)" "$(types_xml $TMP/pci.xml 2>&1)"

	a0=$(avail_xml $pn mvgpu-4)
	mdev_xml $pn mvgpu-4 >$TMP/pcimdev.xml
	out=$(vsh nodedev-create $TMP/pcimdev.xml 2>&1) && rc=0 || rc=$?
	expect_match "nodedev-create on the PCI GPU makes a vGPU" \
		"^rc=0 Node device mdev_[0-9a-f_]+_${pn#pci_} created" "rc=$rc $(echo $out)"
	n=$(echo "$out" | awk '/created/ { print $3 }')
	u=$(vsh nodedev-dumpxml "$n" 2>/dev/null | sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p')
	expect_eq "... under the PCI device, of type mvgpu-4" "mvgpu-4" \
		"$(basename "$(readlink $pd/${u:-none}/mdev_type)" 2>&1)"
	expect_eq "... and availableInstances of mvgpu-4 drops by one" "$((a0 - 1))" "$(avail_xml $pn mvgpu-4)"

	domain_xml lv2 $u >$TMP/lv2.xml
	# paused: QEMU realizes the device at start; the running domain above
	# already showed the firmware at work
	out=$(vsh create $TMP/lv2.xml --paused 2>&1) && rc=0 || rc=$?
	expect_eq "a domain with that vGPU starts (paused)" "rc=0" "rc=$rc$([ $rc = 0 ] || echo " $out")"
	pid=$(qemu_pid lv2)
	expect_match "... QMP query-pci shows it as hostdev0" "^[0-9]+ 1234:4d56 hostdev0$" "$(qmp_pci lv2 2>&1)"
	expect_eq "... and QEMU holds it" "open $pid qemu-system-x86" \
		"$(cat $pd/$u/mvgpu/state $pd/$u/mvgpu/owner 2>&1 | tr '\n' ' ' | sed 's/ $//')"
	check "virsh destroy lv2" vsh destroy lv2
	check "nodedev-destroy removes the vGPU" vsh nodedev-destroy $n
	check "... it is gone" test ! -e $pd/$u
	expect_eq "... and availableInstances is back" "$a0" "$(avail_xml $pn mvgpu-4)"

	u=6d6d6d6d-4444-4444-8444-000000000004
	n=$(nodename $u $P)
	mdev_xml $pn mvgpu-8 $u mvgpu/weight=7 mvgpu/priority=high >$TMP/pcidef.xml
	check "nodedev-define a vGPU on the PCI GPU, knobs as <attr> (mdevctl define)" \
		vsh nodedev-define $TMP/pcidef.xml
	expect_match "... mdevctl has the definition" "^$u $P mvgpu-8 manual" "$(mdevctl list --defined 2>&1)"
	check "nodedev-start it" vsh nodedev-start $n
	check "... it exists under the PCI device" test -d $pd/$u
	expect_eq "... with the knobs of its <attr> elements: weight 7, priority high" "7 high" \
		"$(cat $pd/$u/mvgpu/weight $pd/$u/mvgpu/priority 2>&1 | tr '\n' ' ' | sed 's/ $//')"
	check "nodedev-destroy it" vsh nodedev-destroy $n
	check "nodedev-undefine it" vsh nodedev-undefine $n
	expect_eq "... no definition and no vGPU left" "" "$(mdevctl list --defined; ls $DEV)"

	check "unbind the PCI GPU" sh -c "echo $P >$BDRV/unbind"
	echo >$pd/driver_override
}
if [ -z "$P" ] || [ ! -d $BDRV ]; then
	for t in "bind the bochs-display to mvgpu" \
		"nodedev-list --cap mdev_types lists the PCI GPU" \
		"nodedev-dumpxml shows every type with name, deviceAPI and availableInstances as sysfs" \
		"nodedev-create on the PCI GPU makes a vGPU" \
		"a domain with that vGPU starts (paused); QMP shows it" \
		"nodedev-destroy removes the vGPU" \
		"nodedev-define + nodedev-start a vGPU on the PCI GPU, knobs as <attr> (mdevctl)" \
		"nodedev-destroy + nodedev-undefine it"; do
		skip "$t" "no PCI parent"
	done
else
	pci_part
fi

elapsed "PCI GPU done"

# --- clean up -------------------------------------------------------------------------
expect_eq "no domain left" "" "$(vsh list --all --name 2>&1 | sed '/^$/d')"
expect_eq "no vGPU left" "" "$(ls $DEV)"
kill "$(cat /run/libvirtd.pid)" "$(cat /run/virtlogd.pid)" 2>/dev/null
udevadm control --exit
wait $udevd
check "libvirtd stops" wait_for 30 sh -c '! pgrep -x libvirtd'
rm -rf $TMP
elapsed "the suite ends"
tap_done
