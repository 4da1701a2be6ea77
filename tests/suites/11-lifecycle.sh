#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vGPU types and lifecycle (C tests), creation races, the mdevctl round
# trip, each type's numeric attributes, and validation of every sysfs knob.
# vmrun: --timeout 600
. tests/lib/tap.sh
set -o pipefail

build/tests/lifecycle_test || true
build/tests/race_test || true

# --- mdevctl round trip ------------------------------------------------------
types=$(mdevctl types 2>&1)
expect_match "mdevctl types lists the parent" "^mvgpu0" "$types"
for d in 1 2 4 8 16 32 64; do
	expect_match "mdevctl types lists mvgpu-$d" "mvgpu-$d" "$types"
done
expect_match "mdevctl types shows the description" "vram=32MiB share=12.5% max_instances=8" "$types"
expect_match "mdevctl types shows the 1/64 type" "vram=4MiB share=1.5% max_instances=64" "$types"

# --- each type publishes its numbers, not only prose ------------------------
T=/sys/class/mdev_bus/mvgpu0/mdev_supported_types
for d in 1 2 4 8 16 32 64; do
	expect_eq "mvgpu-$d publishes vram_size, share_permille, slices, divisor" \
		"$((268435456 / d)) $((1000 / d)) $((64 / d)) $d" \
		"$(cat $T/mvgpu-$d/mvgpu/vram_size $T/mvgpu-$d/mvgpu/share_permille \
			$T/mvgpu-$d/mvgpu/slices $T/mvgpu-$d/mvgpu/divisor 2>&1 | tr '\n' ' ' | sed 's/ $//')"
done
refuse "a type's numbers are read-only" sh -c "echo 1 > $T/mvgpu-4/mvgpu/vram_size"

u=$(cat /proc/sys/kernel/random/uuid)
check "mdevctl start --type mvgpu-4" mdevctl start --uuid "$u" --parent mvgpu0 --type mvgpu-4
check "the vGPU exists after mdevctl start" test -e "/sys/bus/mdev/devices/$u"
expect_match "mdevctl list shows it" "^$u mvgpu0 mvgpu-4" "$(mdevctl list 2>&1)"
expect_eq "available_instances follows mdevctl start" "3" \
	"$(cat /sys/class/mdev_bus/mvgpu0/mdev_supported_types/mvgpu-4/available_instances)"
refuse "mdevctl start of the same UUID again is refused" \
	mdevctl start --uuid "$u" --parent mvgpu0 --type mvgpu-4
check "mdevctl stop" mdevctl stop --uuid "$u"
check "the vGPU is gone after mdevctl stop" test ! -e "/sys/bus/mdev/devices/$u"
expect_eq "mdevctl list is empty again" "" "$(mdevctl list 2>&1)"
expect_eq "available_instances back after stop" "4" \
	"$(cat /sys/class/mdev_bus/mvgpu0/mdev_supported_types/mvgpu-4/available_instances)"

# --- every sysfs knob refuses bad input and keeps its value ------------------
gpu=/sys/class/mvgpu/mvgpu0
# knob_refused NAME FILE VALUE ERRNO-TEXT DMESG-REGEX
knob_refused() {
	local before after err
	before=$(cat "$2")
	dmesg -C
	err=$( (printf '%s' "$3" >"$2") 2>&1) && { tap_result 1 "$1" "write of '$3' accepted"; return; }
	after=$(cat "$2")
	if [ "$before" != "$after" ]; then
		tap_result 1 "$1" "value changed: $before -> $after"
	elif ! printf '%s' "$err" | grep -q "$4"; then
		tap_result 1 "$1" "wrong error: $err"
	elif ! dmesg | grep -Eq "$5"; then
		tap_result 1 "$1" "no dmesg line matching $5"
	else
		tap_result 0 "$1"
	fi
}
knob_refused "scheduler: unknown policy" $gpu/scheduler "round_robin" "Invalid argument" "unknown policy"
knob_refused "scheduler: empty" $gpu/scheduler " " "Invalid argument" "unknown policy"
knob_refused "timeslice_us: below 100" $gpu/timeslice_us 99 "Numerical result out of range" "timeslice_us: .99. refused"
knob_refused "timeslice_us: above 100000" $gpu/timeslice_us 100001 "Numerical result out of range" "refused, want 100..100000"
knob_refused "timeslice_us: not a number" $gpu/timeslice_us abc "Invalid argument" "refused"
knob_refused "timeslice_us: negative" $gpu/timeslice_us -5 "Invalid argument" "refused"
refuse "engines is read-only" sh -c "echo 3 > $gpu/engines"
refuse "vram_size is read-only" sh -c "echo 3 > $gpu/vram_size"
check "scheduler accepts fixed_share" sh -c "echo fixed_share > $gpu/scheduler"
expect_eq "scheduler reads back" "best_effort equal_share [fixed_share]" "$(cat $gpu/scheduler)"
check "scheduler accepts best_effort" sh -c "echo best_effort > $gpu/scheduler"
check "timeslice_us accepts 100" sh -c "echo 100 > $gpu/timeslice_us"
check "timeslice_us accepts 100000" sh -c "echo 100000 > $gpu/timeslice_us"
check "timeslice_us back to 10000" sh -c "echo 10000 > $gpu/timeslice_us"

u=$(cat /proc/sys/kernel/random/uuid)
echo "$u" >/sys/class/mdev_bus/mvgpu0/mdev_supported_types/mvgpu-8/create
v=/sys/bus/mdev/devices/$u/mvgpu
expect_eq "default weight of a 1/8 vGPU: its 8 slices of 64" "8" "$(cat $v/weight)"
expect_eq "default priority" "normal" "$(cat $v/priority)"
expect_eq "default cap" "0" "$(cat $v/cap)"
knob_refused "weight: 0" $v/weight 0 "Numerical result out of range" "weight: .0. refused, want an integer in 1..1000"
knob_refused "weight: 1001" $v/weight 1001 "Numerical result out of range" "weight: .1001. refused"
knob_refused "weight: garbage" $v/weight 12abc "Invalid argument" "weight: .12abc. refused"
knob_refused "priority: unknown" $v/priority urgent "Invalid argument" "priority: .urgent. refused"
knob_refused "cap: 101" $v/cap 101 "Numerical result out of range" "cap: .101. refused"
knob_refused "cap: negative" $v/cap -1 "Invalid argument" "cap: .-1. refused"
check "weight accepts 1000" sh -c "echo 1000 > $v/weight"
check "priority accepts high" sh -c "echo high > $v/priority"
check "cap accepts 50" sh -c "echo 50 > $v/cap"
expect_eq "knobs read back" "1000 high 50" "$(cat $v/weight) $(cat $v/priority) $(cat $v/cap)"
refuse "state is read-only" sh -c "echo open > $v/state"
echo 1 >/sys/bus/mdev/devices/$u/remove
tap_done
