#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Under systemd for real (vmrun --systemd: Debian's systemd is PID 1 in the
# sandbox, with its journald and systemd-udevd): mvgpu-exporter.service as
# `make install` writes it starts, answers on 9400 with a vGPU's metrics,
# Restart=on-failure brings it back after a kill -9, systemctl stop stops
# it; `mdevctl define --auto` with knobs as attributes and a module reload
# bring the vGPU back with its knobs through our udev rule and the udevd
# systemd runs.
# vmrun: --timeout 400 --systemd --params num_gpus=1
. tests/lib/tap.sh
set -o pipefail

M=/usr/local/bin/mvgpuctl
URL=http://127.0.0.1:9400/metrics
DEV=/sys/bus/mdev/devices
A=0a0a0a0a-5454-4454-8454-000000000001	# defined --auto, knobs as attributes
V=""

cleanup() {
	systemctl stop mvgpu-exporter.service >/dev/null 2>&1
	[ -n "$V" ] && "$M" remove "$V" >/dev/null 2>&1
	mdevctl stop --uuid $A >/dev/null 2>&1
	mdevctl undefine --uuid $A >/dev/null 2>&1
	make -s uninstall >/dev/null 2>&1
}
trap cleanup EXIT

wait_for() {	# TRIES CMD...: every 0.25 s
	local i n=$1
	shift
	for i in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.25
	done
	return 1
}
mainpid() { systemctl show -p MainPID --value mvgpu-exporter.service; }
knobs() { echo "$(cat $DEV/$1/mvgpu/weight) $(cat $DEV/$1/mvgpu/priority) $(cat $DEV/$1/mvgpu/cap)" 2>&1; }

if [ "${MVGPU_SYSTEMD:-0}" != 1 ]; then
	tap_result 1 "this suite runs under vmrun --systemd" "MVGPU_SYSTEMD is not 1"
	tap_done
	exit
fi
expect_eq "systemd is PID 1" systemd "$(cat /proc/1/comm)"
expect_eq "systemd-udevd.service is active" active "$(systemctl is-active systemd-udevd.service)"
expect_eq "systemd-journald.service is active" active "$(systemctl is-active systemd-journald.service)"
ip link set lo up

# --- the exporter as a service ---------------------------------------------------
check "make install (PREFIX=/usr/local)" make -s install
check "the unit is where systemd finds it" \
	test -f /usr/local/lib/systemd/system/mvgpu-exporter.service
systemctl daemon-reload
V=$("$M" create --type mvgpu-4 --parent mvgpu0)
expect_match "a vGPU created" "^[0-9a-f-]{36}$" "$V"
check "systemctl start mvgpu-exporter" systemctl start mvgpu-exporter.service
expect_eq "the service is active" active "$(systemctl is-active mvgpu-exporter.service)"
if wait_for 80 curl -sf -o /dev/null $URL; then tap_result 0 "the service answers on $URL"
else tap_result 1 "the service answers on $URL" "$(journalctl -u mvgpu-exporter --no-pager | tail -5)"; fi
body=$(curl -s $URL)
expect_match "it serves the vGPU's metrics" \
	"^mvgpu_vgpu_vram_bytes\\{gpu=\"mvgpu0\",vgpu=\"$V\",type=\"mvgpu-4\"\\} [0-9]+$" "$body"
expect_match "with the kernel's faults by kind" \
	"^mvgpu_vgpu_faults_total\\{gpu=\"mvgpu0\",vgpu=\"$V\",type=\"mvgpu-4\",kind=\"read_only\"\\} 0$" "$body"
pid=$(mainpid)
user=$(ps -o user= -p "$pid" 2>&1)
refuse "it runs as a dynamic user, not root ($user)" test "$user" = root

kill -9 "$pid"
newpid() { p=$(mainpid); [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$pid" ]; }
if wait_for 80 newpid; then tap_result 0 "Restart=on-failure starts it again after kill -9 ($pid -> $(mainpid))"
else tap_result 1 "Restart=on-failure starts it again after kill -9" "MainPID $(mainpid), $(systemctl is-active mvgpu-exporter.service)"; fi
expect_match "systemd counted the restart" "^[1-9]" \
	"$(systemctl show -p NRestarts --value mvgpu-exporter.service)"
if wait_for 80 curl -sf -o /dev/null $URL; then tap_result 0 "the restarted service answers"
else tap_result 1 "the restarted service answers" "$(journalctl -u mvgpu-exporter --no-pager | tail -5)"; fi

check "systemctl stop mvgpu-exporter" systemctl stop mvgpu-exporter.service
expect_eq "the service is inactive" inactive "$(systemctl is-active mvgpu-exporter.service)"
refuse "nothing answers on 9400 any more" curl -sf -o /dev/null $URL
"$M" remove "$V" >/dev/null
V=""

# --- mdevctl persistence through systemd-udevd ----------------------------------
check "the udev rules are installed" test -f /usr/local/lib/udev/rules.d/60-mvgpu.rules
udevadm control --reload
check "mdevctl define --auto A (mvgpu-4 on mvgpu0)" \
	mdevctl define --uuid $A --parent mvgpu0 --type mvgpu-4 --auto
for kv in weight=9 priority=high cap=40; do
	check "mdevctl modify --addattr=mvgpu/${kv%=*} --value=${kv#*=}" \
		mdevctl modify --uuid $A --addattr=mvgpu/${kv%=*} --value=${kv#*=}
done
# the control: without our rule only mdevctl's own runs, and on bookworm
# that one names /usr/sbin/mdevctl, which is not there
mv /usr/local/lib/udev/rules.d/60-mvgpu.rules /tmp/60-mvgpu.rules
udevadm control --reload
check "rmmod mvgpu (without our rule)" rmmod mvgpu
check "insmod mvgpu num_gpus=1 (without our rule)" insmod "$MVGPU_KO" num_gpus=1
udevadm settle --timeout=60
sleep 2
check "without our rule the reload brings nothing back" test ! -e $DEV/$A
mv /tmp/60-mvgpu.rules /usr/local/lib/udev/rules.d/60-mvgpu.rules
udevadm control --reload
check "rmmod mvgpu" rmmod mvgpu
check "insmod mvgpu num_gpus=1" insmod "$MVGPU_KO" num_gpus=1
if wait_for 160 test -d $DEV/$A; then tap_result 0 "after the reload udevd started A through mdevctl"
else tap_result 1 "after the reload udevd started A through mdevctl" "$(journalctl -u systemd-udevd --no-pager | tail -5)"; fi
# the vGPU's directory comes before its mvgpu/ attributes (the driver core
# adds them after probe) and mdevctl writes the knobs after that: wait
knobs_are() { [ "$(knobs "$1" 2>/dev/null)" = "$2" ]; }
wait_for 80 knobs_are $A "9 high 40" || true
expect_eq "A has its knobs back: weight 9, priority high, cap 40" "9 high 40" "$(knobs $A)"
check "mdevctl stop A" mdevctl stop --uuid $A
check "mdevctl undefine A" mdevctl undefine --uuid $A

tap_done
