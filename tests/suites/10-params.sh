#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Module parameters: load and unload with defaults, with other valid
# values, and refusal of every out-of-range value with a dmesg line.
# vmrun: --no-load --timeout 300
. tests/lib/tap.sh

loaded() { grep -q '^mvgpu ' /proc/modules; }
attr() { cat "/sys/class/mvgpu/$1/$2"; }

# load PARAMS...: insmod must succeed
load_ok() {
	local out
	out=$(insmod "$MVGPU_KO" "$@" 2>&1) || { echo "$out"; return 1; }
	loaded
}

unload_ok() { rmmod mvgpu && ! loaded; }

# defaults
check "load with default parameters" load_ok
expect_eq "default: one GPU" "mvgpu0" "$(ls /sys/class/mvgpu | tr '\n' ' ' | sed 's/ $//')"
expect_eq "default: 256 MiB VRAM" "268435456" "$(attr mvgpu0 vram_size)"
expect_eq "default: 2 engines" "2" "$(attr mvgpu0 engines)"
expect_eq "default: software backend" "software" "$(attr mvgpu0 backend)"
expect_eq "default: its own mdev parent" "mvgpu0" "$(attr mvgpu0 parent)"
expect_eq "default: engine threads" "2" "$(ps -e -o comm= | grep -c '^mvgpu0-eng')"
expect_eq "default: scheduler best_effort" "[best_effort] equal_share fixed_share" "$(attr mvgpu0 scheduler)"
expect_eq "default: time slice 10000 us" "10000" "$(attr mvgpu0 timeslice_us)"
expect_eq "default: seven types, 1/1 down to 1/64" \
	"mvgpu-1 mvgpu-2 mvgpu-4 mvgpu-8 mvgpu-16 mvgpu-32 mvgpu-64" \
	"$(ls /sys/class/mdev_bus/mvgpu0/mdev_supported_types | sort -t- -k2 -n | tr '\n' ' ' | sed 's/ $//')"
check "unload after default load" unload_ok
expect_eq "engine threads gone after unload" "0" "$(ps -e -o comm= | grep -c '^mvgpu0-eng')"

# other valid values
check "load num_gpus=3 vram_mb=1024 engines=4" load_ok num_gpus=3 vram_mb=1024 engines=4
expect_eq "three GPUs" "mvgpu0 mvgpu1 mvgpu2" "$(ls /sys/class/mvgpu | tr '\n' ' ' | sed 's/ $//')"
expect_eq "1 GiB VRAM on mvgpu2" "1073741824" "$(attr mvgpu2 vram_size)"
expect_eq "4 engines on mvgpu1" "4" "$(attr mvgpu1 engines)"
expect_eq "engine threads for 3x4" "12" "$(ps -e -o comm= | grep -c '^mvgpu[0-9]-eng')"
expect_eq "1/8 type follows vram_mb" "vram=128MiB share=12.5% max_instances=8" \
	"$(cat /sys/class/mdev_bus/mvgpu2/mdev_supported_types/mvgpu-8/description)"
expect_eq "1/64 type follows vram_mb" "vram=16MiB share=1.5% max_instances=64" \
	"$(cat /sys/class/mdev_bus/mvgpu2/mdev_supported_types/mvgpu-64/description)"
check "unload after non-default load" unload_ok

# no software GPU: the module serves only GPUs other backends register
check "load num_gpus=0" load_ok num_gpus=0
expect_eq "num_gpus=0: no GPU" "" "$(ls /sys/class/mvgpu)"
expect_eq "num_gpus=0: no engine threads" "0" "$(ps -e -o comm= | grep -c '^mvgpu[0-9]*-eng')"
check "unload after num_gpus=0" unload_ok

for p in "num_gpus=8 vram_mb=64 engines=1" "num_gpus=1 vram_mb=4096 engines=8"; do
	check "load at range edges: $p" load_ok $p
	check "unload after $p" unload_ok
done

# load_cycles N: N loads and unloads while CPU 1 switches between two
# busy tasks.  Starting and stopping engines must not patch code in the
# context-switch path: the preempt notifiers did (a static key), and under
# TCG that livelocked the guest within about 150 cycles (docs/design.md).
load_cycles() {
	local n=$1 i
	taskset -c 1 yes 2>/dev/null | taskset -c 1 cat >/dev/null 2>&1 &
	for ((i = 1; i <= n; i++)); do
		insmod "$MVGPU_KO" || { echo "insmod failed at cycle $i"; break; }
		rmmod mvgpu || { echo "rmmod failed at cycle $i"; break; }
	done
	pkill -x yes
	wait
	[ "$i" -gt "$n" ] && ! loaded
}
check "200 load/unload cycles beside a CPU switching tasks" load_cycles 200

# every out-of-range value refused, module not loaded, reason in dmesg
refused() {	# param value dmesg-regex
	dmesg -C
	if insmod "$MVGPU_KO" "$1=$2" 2>/dev/null; then
		rmmod mvgpu
		tap_result 1 "$1=$2 refused" "insmod succeeded"
		return
	fi
	if loaded; then
		tap_result 1 "$1=$2 refused" "module is loaded"
		return
	fi
	expect_match "$1=$2 refused with a reason in dmesg" "$3" "$(dmesg)"
}

refused num_gpus 9 "num_gpus=9 out of range: must be 0..8"
refused vram_mb 0 "vram_mb=0 invalid: must be a power of two in 64..4096"
refused vram_mb 32 "vram_mb=32 invalid"
refused vram_mb 100 "vram_mb=100 invalid: must be a power of two"
refused vram_mb 8192 "vram_mb=8192 invalid"
refused engines 0 "engines=0 out of range: must be 1..8"
refused engines 9 "engines=9 out of range"
refused engines -1 "invalid for parameter .engines."
refused vram_mb abc "invalid for parameter .vram_mb."
refused num_gpus 99999999999 "invalid for parameter .num_gpus."

check "still loads after refusals" load_ok
check "final unload" unload_ok
tap_done
